//! Wiring: read a capture, decode, track, diagnose. The command line
//! (`main.rs`, `cli.rs`) calls these; output goes through [`crate::report`].

pub mod follow;
pub mod keys;
pub mod logs;
pub mod scan;

use std::net::IpAddr;
use std::path::Path;

use crate::capture::text::clock::civil_from_days;
use crate::capture::{self, Frame, FrameSink, Notice, ReadOptions, ReadSummary, Timestamp};
use crate::flow::{self, Content, Touched, Tracker};
use crate::net::{self, Datagram, Decoded, NetOptions};

/// Everything a run needs to know.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub read: ReadOptions,
    pub net: NetOptions,
    /// Only packets/tunnels involving this address.
    pub peer: Option<IpAddr>,
    /// Only packets with this SPI (ESP/AH SPI or IKE SPI, hex).
    pub spi: Option<u64>,
    /// Key tables (`--keys`).
    pub keys: Vec<std::path::PathBuf>,
    /// Also use `CAPTURE.keys` found beside a capture (the command line's
    /// default; `--no-keys` turns it off).
    pub auto_keys: bool,
    /// Candidate pre-shared keys for Aggressive Mode (`--psk-file`).
    pub psk_file: Option<std::path::PathBuf>,
    /// Device logs to read beside each capture (`--log`), read once.
    pub logs: std::sync::Arc<Vec<logs::LoadedLog>>,
}

use crate::analysis::decryption::{self, Decryption};
pub use crate::analysis::{FileAnalysis, FileNotice, TunnelReport};

/// Called for every IPsec packet, after the tracker has seen it.
pub trait PacketHook {
    /// `touched`: what the tracker made of the packet (tunnel, step, copy).
    fn packet(&mut self, d: &Datagram<'_>, c: &Content<'_>, touched: &Touched, first: Timestamp);
    fn malformed(&mut self, m: &net::Malformed, first: Timestamp);
    /// An ICMP error quoting an IPsec packet.
    fn icmp(&mut self, _e: &net::IcmpError, _first: Timestamp) {}
    /// What decryption made of the packet handed to `packet` next.
    fn decrypted(&mut self, _p: &flow::decrypted::Plain) {}
}

struct Pipeline<'h> {
    opts: Options,
    decoder: net::Decoder,
    tracker: Tracker,
    notices: Vec<FileNotice>,
    incomplete: Vec<(IpAddr, IpAddr, Vec<u64>)>,
    /// Network-layer notices listed so far.
    net_notices: usize,
    frames: u64,
    ipsec: u64,
    filtered: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    hook: Option<&'h mut dyn PacketHook>,
    /// Present only when keys were given or found.
    decrypt: Option<Decrypting>,
    /// ESP/AH packets waiting for the tracker, up to [`flow::SA_BATCH`]
    /// (see [`Tracker::observe_sas`]); `None` when every packet must reach
    /// the tracker at once (a packet hook, a live view reading it). Handed
    /// over before anything else reaches the tracker, so the order of
    /// effects is the order of the frames.
    pending_sas: Option<Vec<flow::SaSighting>>,
}

/// Decryption state and what it found.
struct Decrypting {
    d: flow::decrypted::Decrypt,
    summary: Decryption,
    /// `--psk-file` candidates, and AM1/AM2 bytes by initiator cookie.
    psk: Option<Vec<(usize, crate::keys::Secret)>>,
    aggressive: Vec<(u64, FrameNoBytes, Option<FrameNoBytes>)>,
}

type FrameNoBytes = (u64, Vec<u8>);

impl Decrypting {
    fn packet(&mut self, d: &Datagram<'_>, c: &Content<'_>) -> Option<flow::decrypted::Plain> {
        use flow::decrypted::Plain;
        if let (Content::Ike(m), Some(_)) = (c, &self.psk) {
            self.aggressive_message(d, m);
        }
        let p = self.d.packet(d, c)?;
        let s = &mut self.summary;
        match &p {
            Plain::Ike(_) => s.ike_decrypted += 1,
            Plain::Esp { .. } => s.esp_decrypted += 1,
            Plain::IkeFragment { .. } => {}
            Plain::Failed { proto, error, key } => {
                if *proto == "ESP" {
                    s.esp_failed += 1;
                } else {
                    s.ike_failed += 1;
                }
                if s.failures.len() < decryption::MAX_FAILURES {
                    s.failures.push(decryption::DecryptFailure {
                        frame: d.frame,
                        proto,
                        key: key.to_string(),
                        error: error.clone(),
                    });
                }
            }
        }
        Some(p)
    }

    /// Keep AM1 and the first AM2 of each Aggressive Mode exchange.
    fn aggressive_message(&mut self, d: &Datagram<'_>, m: &crate::ike::Message<'_>) {
        const AGGRESSIVE: u8 = 4;
        let h = &m.header;
        if h.version != 1 || h.exchange_type != AGGRESSIVE || h.encrypted {
            return;
        }
        let raw = flow::packet::ike_bytes(d).to_vec();
        if h.rspi == 0 {
            if !self.aggressive.iter().any(|(i, _, _)| *i == h.ispi) {
                self.aggressive.push((h.ispi, (d.frame, raw), None));
            }
        } else if let Some(e) = self
            .aggressive
            .iter_mut()
            .find(|(i, _, am2)| *i == h.ispi && am2.is_none())
        {
            e.2 = Some((d.frame, raw));
        }
    }

    fn finish(mut self) -> Decryption {
        use crate::ike::decrypt::psk::{AggressiveExchange, PskCheck};
        let mut s = self.summary;
        for ((src, dst, spi), e) in self.d.esp_summary() {
            let mut flows: Vec<_> = e.flows.iter().collect();
            flows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let other_flows = flows.len().saturating_sub(decryption::TOP_FLOWS);
            s.esp.push(decryption::EspInnerSummary {
                src,
                dst,
                spi,
                decrypted: e.decrypted,
                failed: e.failed,
                first_error: e.first_error.clone(),
                top_flows: flows
                    .into_iter()
                    .take(decryption::TOP_FLOWS)
                    .map(|(k, n)| decryption::InnerFlow {
                        src: k.0,
                        dst: k.1,
                        protocol: k.2,
                        port_or_type: k.3,
                        packets: *n,
                    })
                    .collect(),
                other_flows,
                selectors: e.selectors.as_ref().map(|(a, b)| {
                    let j = |v: &[flow::decrypted::AddrRange]| {
                        v.iter()
                            .map(|r| r.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    format!("{} → {}", j(a), j(b))
                }),
                outside_selectors: e.outside,
                first_outside: e.first_outside,
            });
        }
        s.inner_flows_dropped = self.d.flows_dropped;
        if let Some(cands) = self.psk.take() {
            for (_, am1, am2) in &self.aggressive {
                let Some(am2) = am2 else { continue };
                let Ok(x) = AggressiveExchange::from_messages(&am1.1, &am2.1) else {
                    continue;
                };
                let keys: Vec<_> = cands.iter().map(|(_, k)| k.clone()).collect();
                let matched_line = match x.check(&keys) {
                    PskCheck::Match { index } => cands.get(index).map(|(line, _)| *line),
                    PskCheck::NoMatch { .. } => None,
                };
                s.aggressive_psk.push(decryption::PskResult {
                    frames: [am1.0, am2.0],
                    matched_line,
                    candidates: cands.len(),
                });
            }
        }
        s
    }
}

impl<'h> Pipeline<'h> {
    fn new(opts: &Options, hook: Option<&'h mut dyn PacketHook>) -> Pipeline<'h> {
        Pipeline {
            opts: opts.clone(),
            decoder: net::Decoder::new(opts.net.clone()),
            tracker: Tracker::new(),
            notices: Vec::new(),
            incomplete: Vec::new(),
            net_notices: 0,
            frames: 0,
            ipsec: 0,
            filtered: 0,
            first: None,
            last: None,
            hook,
            decrypt: None,
            pending_sas: None,
        }
    }

    /// Let ESP/AH packets reach the tracker in batches: only for a run whose
    /// tracker is read at the end, without a packet hook.
    fn batch_sas(&mut self) {
        if self.hook.is_none() {
            self.pending_sas = Some(Vec::with_capacity(flow::SA_BATCH));
        }
    }

    /// Hand the waiting ESP/AH packets to the tracker.
    fn flush_sas(&mut self) {
        if let Some(p) = self.pending_sas.as_mut() {
            if !p.is_empty() {
                self.tracker.observe_sas(p);
                p.clear();
            }
        }
    }

    /// The pipeline for one capture: with the key tables given and found
    /// beside it (`-`, a pipe, has none beside it), and `--psk-file`.
    fn for_capture(
        path: &Path,
        opts: &Options,
        hook: Option<&'h mut dyn PacketHook>,
    ) -> Pipeline<'h> {
        let mut key_notices = Vec::new();
        let loaded = keys::load(path, &opts.keys, opts.auto_keys).or_else(|| {
            // `--psk-file` alone: no tables, only the Aggressive Mode check.
            opts.psk_file
                .as_ref()
                .map(|_| (Default::default(), Vec::new(), Vec::new()))
        });
        let decrypt = loaded.map(|(tables, sources, notices)| {
            key_notices = notices;
            let psk = opts
                .psk_file
                .as_ref()
                .map(|f| match std::fs::read_to_string(f) {
                    Ok(t) => crate::ike::decrypt::psk::read_candidate_lines(&t),
                    Err(e) => {
                        key_notices.push(FileNotice::warning(format!(
                            "--psk-file {}: cannot read: {e}",
                            f.display()
                        )));
                        Vec::new()
                    }
                });
            Decrypting {
                d: flow::decrypted::Decrypt::new(tables),
                summary: Decryption {
                    keys: sources,
                    ..Decryption::default()
                },
                psk,
                aggressive: Vec::new(),
            }
        });
        let mut p = Pipeline::new(opts, hook);
        p.decrypt = decrypt;
        p.notices.extend(key_notices);
        p
    }

    fn wanted(&self, d: &Datagram<'_>, c: &Content<'_>) -> bool {
        if let Some(p) = self.opts.peer {
            if d.src != p && d.dst != p {
                return false;
            }
        }
        if let Some(spi) = self.opts.spi {
            let ok = match c {
                Content::Esp { esp, .. } => esp.spi as u64 == spi,
                Content::Ah(a) => a.spi as u64 == spi,
                Content::Ike(m) => m.header.ispi == spi || m.header.rspi == spi,
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn drain_net_notices(&mut self) {
        if !self.decoder.has_notices() {
            return;
        }
        for n in self.decoder.take_notices() {
            self.net_notice(n);
        }
    }

    /// A notice from the network layer (fragment sets evicted or never
    /// completed). A flood of them is listed up to a limit and counted
    /// past it, so memory stays bounded.
    fn net_notice(&mut self, n: net::NetNotice) {
        use crate::flow::coverage::{MAX_FRAGMENT_NOTICES, MAX_INCOMPLETE_KEPT};
        let mut dropped = false;
        if let Some((a, b)) = n.peers {
            if self.incomplete.len() < MAX_INCOMPLETE_KEPT {
                self.incomplete.push((a, b, n.frames.clone()));
            } else {
                dropped = true;
            }
        }
        if self.net_notices < MAX_FRAGMENT_NOTICES {
            self.net_notices += 1;
            self.notices.push(n.into());
        } else {
            dropped = true;
        }
        if dropped {
            self.tracker.coverage_mut().fragment_notices_dropped += 1;
        }
    }
}

impl Pipeline<'_> {
    /// One frame through decoding, the filters, decryption and the tracker:
    /// what the tracker made of it, when it was an IPsec packet or an ICMP
    /// error quoting one (the same step for a batch run and `--follow`);
    /// `None` too for an ESP/AH packet left waiting for a batch.
    fn step(&mut self, frame: &Frame<'_>) -> Option<Touched> {
        let mut out = None;
        self.frames += 1;
        if self.first.is_none() {
            self.first = Some(frame.ts);
        }
        self.last = Some(frame.ts);
        // Every frame moves the clock: silence after a message counts up to
        // the capture's last frame, IPsec or not.
        self.tracker.tick(frame.ts);
        let first = self.first.unwrap_or_default();
        match self.decoder.decode(frame) {
            Decoded::Ignored | Decoded::Held => {}
            Decoded::Datagram(d) => {
                let c = flow::classify(&d);
                if !self.wanted(&d, &c) {
                    self.filtered += 1;
                } else {
                    self.ipsec += 1;
                    let plain = self.decrypt.as_mut().and_then(|x| x.packet(&d, &c));
                    if let Some(pending) = self.pending_sas.as_mut() {
                        if let Some(s) = Tracker::sa_sighting(&d, &c) {
                            pending.push(s);
                            if pending.len() >= flow::SA_BATCH {
                                self.flush_sas();
                            }
                            self.drain_net_notices();
                            return None;
                        }
                        self.flush_sas();
                    }
                    let touched = match (&plain, &c) {
                        (Some(flow::decrypted::Plain::Ike(x)), Content::Ike(_)) => {
                            match x.parse() {
                                Ok(m) => self
                                    .tracker
                                    .observe(flow::decrypted::observation(&d, &c, &m)),
                                Err(_) => self.tracker.observe_datagram(&d, &c),
                            }
                        }
                        _ => self.tracker.observe_datagram(&d, &c),
                    };
                    if let Some(h) = self.hook.as_deref_mut() {
                        if let Some(p) = &plain {
                            h.decrypted(p);
                        }
                        h.packet(&d, &c, &touched, first);
                    }
                    out = Some(touched);
                }
            }
            Decoded::Icmp(e) => {
                let wanted = self
                    .opts
                    .peer
                    .is_none_or(|p| e.quoted_src == p || e.quoted_dst == p);
                if wanted {
                    self.ipsec += 1;
                    self.flush_sas();
                    out = Some(self.tracker.observe_icmp(&e));
                    if let Some(h) = self.hook.as_deref_mut() {
                        h.icmp(&e, first);
                    }
                }
            }
            Decoded::Malformed(m) => {
                self.ipsec += 1;
                if let Some(h) = self.hook.as_deref_mut() {
                    h.malformed(&m, first);
                }
                self.notices.push(FileNotice {
                    level: capture::Level::Warning,
                    offset: None,
                    line: None,
                    frame: Some(m.frame),
                    message: format!(
                        "malformed {:?} layer at offset {}: {}",
                        m.layer, m.offset, m.reason
                    ),
                });
            }
        }
        self.drain_net_notices();
        out
    }

    /// The input ended: what the decoder still holds (fragment sets that
    /// never completed) becomes notices.
    fn end_of_input(&mut self) {
        self.flush_sas();
        for n in self.decoder.finish() {
            self.net_notice(n);
        }
    }
}

impl FrameSink for Pipeline<'_> {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.step(frame);
    }

    fn notice(&mut self, notice: Notice) {
        self.notices.push(notice.into());
    }
}

/// Analyse one capture file. With a hook, every IPsec packet is also handed
/// to it (for `ikescope packets`).
pub fn analyze(path: &Path, opts: &Options, hook: Option<&mut dyn PacketHook>) -> FileAnalysis {
    let mut read_opts = opts.read.clone();
    if read_opts.date.is_none() {
        read_opts.date = file_date(path);
    }
    let mut p = Pipeline::for_capture(path, opts, hook);
    p.batch_sas();
    let result = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(capture::CaptureError::Io(std::io::Error::other(
            "is a directory (use `ikescope scan DIR` for directories)",
        ))),
        Ok(m) if m.is_file() && m.len() == 0 => Err(capture::CaptureError::Io(
            std::io::Error::other("empty file (0 bytes)"),
        )),
        _ => capture::read_path(path, &read_opts, &mut p),
    };
    // Not a capture: a device log, or say what is read and how to make it.
    if let Err(capture::CaptureError::NotACapture) = &result {
        if logs::is_log(path) {
            return logs::analyze_logs(&[path.to_path_buf()], opts);
        }
        return FileAnalysis::unreadable(path.display().to_string(), not_read_message());
    }
    // Only when the assumed date was really used: dumps that carry their own
    // date (IOS EPC) do not need it.
    let first_day = p.first.map(|t| civil_from_days(t.secs.div_euclid(86_400)));
    if let (Ok(r), None, Some((y, m, d))) = (&result, opts.read.date, read_opts.date) {
        if r.format == capture::Format::CiscoText && first_day == Some((y, m, d)) {
            p.notices.insert(
                0,
                FileNotice::warning(format!(
                        "console time stamps carry no date: {y:04}-{m:02}-{d:02} (the file's modification date) was used; set it with --date"
                    )),
            );
        }
    }
    p.end_of_input();
    finish(path.display().to_string(), result, p)
}

/// Analyse frames already in memory (a cut or a one-direction view of a
/// capture, a test's crafted packets): the same pipeline as [`analyze`].
pub fn analyze_frames<'f>(
    name: String,
    frames: impl IntoIterator<Item = &'f Frame<'f>>,
    opts: &Options,
    hook: Option<&mut dyn PacketHook>,
) -> FileAnalysis {
    let mut p = Pipeline::new(opts, hook);
    p.batch_sas();
    for f in frames {
        p.frame(f);
    }
    p.end_of_input();
    let summary = ReadSummary {
        format: capture::Format::Pcap,
        compressed: false,
        frames: p.frames,
        bytes: 0,
        stopped: None,
    };
    finish(name, Ok(summary), p)
}

fn finish(
    path: String,
    result: Result<ReadSummary, capture::CaptureError>,
    mut p: Pipeline<'_>,
) -> FileAnalysis {
    let (read, error) = match result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    {
        let cov = p.tracker.coverage_mut();
        cov.incomplete_fragments = std::mem::take(&mut p.incomplete);
        cov.cut_short = error.is_some() || read.as_ref().is_some_and(|r| r.stopped.is_some());
    }
    let violations = p
        .decrypt
        .as_ref()
        .map(|x| x.d.violations())
        .unwrap_or_default();
    let decryption = p.decrypt.take().map(Decrypting::finish);
    logs::attach(&mut p.tracker, &p.opts.logs, p.last, &mut p.notices);
    let ctx = p.tracker.coverage().clone();
    if ctx.not_ike > 0 {
        let frames: Vec<String> = ctx.not_ike_frames.iter().map(u64::to_string).collect();
        p.notices.push(FileNotice {
            level: capture::Level::Warning,
            offset: None,
            line: None,
            frame: ctx.not_ike_frames.first().copied(),
            message: format!(
                "{} UDP 500/4500 datagram(s) too short for an ISAKMP header (or, on 4500, an ESP header; NAT keepalives are counted apart): port probes or garbage, not IKE; no tunnel made; frames {}{}",
                ctx.not_ike,
                frames.join(", "),
                if ctx.not_ike as usize > frames.len() { " (first and last)" } else { "" }
            ),
        });
    }
    let mut tracked = p.tracker.finish();
    flow::decrypted::attach_violations(&mut tracked, &violations);
    for message in crate::analysis::limit_notices(&ctx, &tracked) {
        p.notices.push(FileNotice::warning(message));
    }
    let mut tunnels: Vec<TunnelReport> = tracked
        .into_iter()
        .map(|t| TunnelReport::new(t, &ctx))
        .collect();
    let findings = crate::analysis::fold_findings(&mut tunnels);
    FileAnalysis {
        path,
        read,
        error,
        notices: p.notices,
        frames: p.frames,
        ipsec_packets: p.ipsec,
        filtered: p.filtered,
        first: p.first,
        last: p.last,
        tunnels,
        findings,
        decryption,
        logs: p.opts.logs.iter().map(logs::summary).collect(),
    }
}

/// The refusal for an input that is neither a capture nor a log: what is
/// read, and how to produce it.
pub fn not_read_message() -> String {
    format!(
        "not a capture or device log. Captures: pcap, pcapng (either gzip-compressed), Cisco console text (ASA `show capture NAME dump`, IOS EPC `show monitor capture … dump`). Logs:\n{}",
        crate::logs::formats_help().trim_end()
    )
}

/// The file's modification date (UTC), for console exports without dates.
pub fn file_date(path: &Path) -> Option<(i32, u32, u32)> {
    let m = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = m.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(civil_from_days(secs.div_euclid(86_400)))
}
