//! What the HTML report shows, gathered from the analysis into plain values.
//! The renderer reads only these types, so the gathering below is the one
//! place that knows the analysis model.

use super::activity::{Activity, SaKey, BINS};
use crate::capture::{self, Timestamp};
use crate::diagnose::{advice, Offered, Severity};
use crate::flow::{self, Dir, EspProto, IkeMsg, IkeSa, Mode, Offer, Source, Tunnel, Visibility};
use crate::registry;
use crate::report::model::{FileAnalysis, SaState, TunnelReport};
use crate::report::table::{phase1_text, phase2_text};
use crate::report::{config, frame_list, wireshark_filter};

/// One capture file.
#[derive(Debug, Clone)]
pub struct FileView {
    pub path: String,
    /// "pcap", "pcapng, gzip", "cisco text"…
    pub format: String,
    pub frames: u64,
    pub ipsec_packets: u64,
    pub filtered: u64,
    /// Capture start, UTC, as text.
    pub start: Option<String>,
    /// Seconds from the first to the last frame.
    pub span: f64,
    pub error: Option<String>,
    pub notices: Vec<NoticeView>,
    pub tunnels: Vec<TunnelView>,
    /// ESP/AH packets of SAs beyond the chart's limit.
    pub uncharted_packets: u64,
}

#[derive(Debug, Clone)]
pub struct NoticeView {
    pub level: &'static str,
    pub text: String,
}

/// One tunnel (a pair of peers).
#[derive(Debug, Clone)]
pub struct TunnelView {
    pub peers: [String; 2],
    pub ike: String,
    pub phase1: Vec<String>,
    pub phase2: Vec<String>,
    pub worst: Severity,
    pub verdicts: Vec<VerdictView>,
    pub ladders: Vec<LadderView>,
    pub esp: EspChart,
    pub proposals: Vec<ProposalView>,
    pub filter: String,
    /// Further facts: ICMP errors, console lines without payload, malformed.
    pub notes: Vec<String>,
}

/// A verdict card.
#[derive(Debug, Clone)]
pub struct VerdictView {
    pub code: String,
    pub severity: Severity,
    pub meaning: Option<String>,
    pub seen: String,
    /// Frames and log lines that prove it.
    pub frames: String,
    /// What the verdict rests on: decrypted, logged, clear or inferred.
    pub basis: String,
    /// The failure cause, when the evidence pins it down.
    pub cause: Option<String>,
    pub candidates: Vec<String>,
    pub offered: Vec<String>,
    /// Refused proxy IDs as crypto-ACL lines (`report::acl`).
    pub proxy_ids: Vec<String>,
    pub checks: Vec<String>,
    pub repeats: usize,
}

/// Proposals as configuration lines.
#[derive(Debug, Clone)]
pub struct ProposalView {
    pub title: String,
    pub lines: Vec<String>,
}

/// The sequence diagram of one IKE SA.
#[derive(Debug, Clone)]
pub struct LadderView {
    pub title: String,
    pub left: String,
    pub right: String,
    pub left_port: Option<u16>,
    pub right_port: Option<u16>,
    pub messages: Vec<MsgView>,
    /// Messages past the tracker's per-SA limit, not drawn.
    pub dropped: u64,
    pub state: String,
    /// NAT-D result and NAT-T float, when seen.
    pub nat: Option<String>,
    /// The verdict the ladder ends on (worst of the tunnel), when not ok.
    pub end: Option<(Severity, String)>,
}

/// How a message relates to earlier ones.
#[derive(Debug, Clone, PartialEq)]
pub enum Copy {
    Original,
    /// Resent: the first frame, and seconds since the previous try.
    Retransmission {
        of: u64,
        after: f64,
    },
    /// The same packet captured twice.
    Duplicate {
        of: u64,
    },
}

/// One arrow of the ladder.
#[derive(Debug, Clone)]
pub struct MsgView {
    pub frame: u64,
    /// Seconds since the capture's first frame.
    pub t: f64,
    pub to_right: bool,
    pub label: String,
    pub src_port: Option<u16>,
    pub dst_port: Option<u16>,
    pub copy: Copy,
    /// Notifications: (name, is an error type).
    pub notifies: Vec<(String, bool)>,
    /// Contents worth a second line: payloads, identities, KE group,
    /// deletes; decrypted contents when the message was decrypted.
    pub details: Vec<String>,
    pub encrypted: bool,
    /// A decrypted copy of an encrypted frame (ASA `capture type isakmp`).
    pub decrypted_of: Option<u64>,
}

/// ESP/AH packets over time, per SA direction.
#[derive(Debug, Clone, Default)]
pub struct EspChart {
    /// Seconds covered by the axis (the capture's span).
    pub span: f64,
    /// Width of one bin, seconds.
    pub bin: f64,
    pub rows: Vec<EspRow>,
    /// IKE events to mark on the time axis: (seconds, label).
    pub marks: Vec<(f64, String)>,
}

#[derive(Debug, Clone)]
pub struct EspRow {
    /// From the first peer to the second.
    pub forward: bool,
    pub label: String,
    pub packets: u64,
    pub lost: u64,
    pub replayed: u64,
    pub first: f64,
    pub last: f64,
    pub frames: String,
    /// Packets per bin (empty when the SA was beyond the chart's limit).
    pub bins: Vec<u32>,
    pub gaps: Vec<u32>,
}

fn bracket(a: std::net::IpAddr) -> String {
    if a.is_ipv6() {
        format!("[{a}]")
    } else {
        a.to_string()
    }
}

fn format_text(f: &FileAnalysis) -> String {
    match &f.read {
        Some(r) => {
            let name = match r.format {
                capture::Format::Pcap => "pcap",
                capture::Format::PcapNg => "pcapng",
                capture::Format::CiscoText => "Cisco console text",
            };
            if r.compressed {
                format!("{name}, gzip")
            } else {
                name.to_string()
            }
        }
        None => "unreadable".to_string(),
    }
}

fn utc(t: Timestamp) -> String {
    let (y, m, d) = capture::text::clock::civil_from_days(t.secs.div_euclid(86_400));
    let s = t.secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Gather one file.
pub fn file(f: &FileAnalysis, act: Option<&Activity>) -> FileView {
    let zero = f.first.unwrap_or_default();
    let span = match (f.first, f.last) {
        (Some(a), Some(b)) => b.since(a).max(0.0),
        _ => 0.0,
    };
    let mut notices: Vec<NoticeView> = f
        .notices
        .iter()
        .map(|n| {
            let at = match (n.offset, n.line, n.frame) {
                (_, Some(l), _) => format!(" (line {l})"),
                (Some(o), _, _) => format!(" (offset {o:#x})"),
                (_, _, Some(fr)) => format!(" (frame {fr})"),
                _ => String::new(),
            };
            NoticeView {
                level: match n.level {
                    capture::Level::Error => "error",
                    capture::Level::Warning => "warning",
                },
                text: format!("{}{at}", n.message),
            }
        })
        .collect();
    if let Some(s) = f.read.as_ref().and_then(|r| r.stopped.as_ref()) {
        let at = s
            .offset
            .map_or(String::new(), |o| format!(" at byte offset {o:#x}"));
        notices.insert(
            0,
            NoticeView {
                level: "error",
                text: format!("{}{at}; what came before was analysed", s.message),
            },
        );
    }
    if f.filtered > 0 {
        notices.push(NoticeView {
            level: "info",
            text: format!(
                "{} IPsec packet(s) of other peers or SPIs were left out by the filter",
                f.filtered
            ),
        });
    }
    FileView {
        path: f.path.clone(),
        format: format_text(f),
        frames: f.frames,
        ipsec_packets: f.ipsec_packets,
        filtered: f.filtered,
        start: f.first.map(utc),
        span,
        error: f.error.clone(),
        notices,
        tunnels: f
            .tunnels
            .iter()
            .map(|t| tunnel(t, zero, span, act))
            .collect(),
        uncharted_packets: act.map_or(0, |a| a.uncharted_packets),
    }
}

fn mode_text(sa: &IkeSa) -> String {
    match sa.mode {
        Mode::Main => "IKEv1 Main Mode".to_string(),
        Mode::Aggressive => "IKEv1 Aggressive Mode".to_string(),
        Mode::Ikev2 => "IKEv2".to_string(),
        Mode::Unknown => format!("IKEv{}", sa.version),
    }
}

fn tunnel(tr: &TunnelReport, zero: Timestamp, span: f64, act: Option<&Activity>) -> TunnelView {
    let t = &tr.tunnel;
    let worst = tr.worst();
    let end = tr
        .verdicts
        .iter()
        .find(|v| v.severity >= Severity::Warning && !v.code.is_security_finding())
        .map(|v| (v.severity, format!("{} — {}", v.code, v.message)));
    let mut ikes: Vec<String> = t.ike_sas.iter().map(mode_text).collect();
    ikes.dedup();
    TunnelView {
        peers: [
            crate::report::peer_text(t.peers[0]),
            crate::report::peer_text(t.peers[1]),
        ],
        ike: if ikes.is_empty() {
            "-".to_string()
        } else {
            ikes.join(", ")
        },
        phase1: t
            .ike_sas
            .iter()
            .zip(&tr.sas)
            .map(|(sa, st)| phase1_text(sa, st))
            .collect(),
        phase2: t
            .ike_sas
            .iter()
            .zip(&tr.sas)
            .map(|(sa, st)| phase2_text(sa, st))
            .collect(),
        worst,
        verdicts: tr.verdicts.iter().map(verdict).collect(),
        ladders: t
            .ike_sas
            .iter()
            .zip(&tr.sas)
            .map(|(sa, st)| ladder(sa, st, zero, end.clone()))
            .collect(),
        esp: esp_chart(t, zero, span, act),
        proposals: t.ike_sas.iter().filter_map(proposal).collect(),
        filter: wireshark_filter(t),
        notes: notes(t, zero),
    }
}

fn offered_lines(o: &Offered) -> Vec<String> {
    match o {
        Offer::V1(t) => config::v1_phase1(t),
        Offer::V2(p) => config::v2_ike(p),
    }
}

fn verdict(v: &crate::diagnose::Verdict) -> VerdictView {
    let info = advice::info(v.code);
    let mut evidence = frame_list(&v.frames);
    if !v.lines.is_empty() {
        let lines: Vec<String> = v
            .lines
            .iter()
            .map(|l| format!("{}:{}", l.file, l.line))
            .collect();
        if !evidence.is_empty() {
            evidence.push_str("; ");
        }
        evidence.push_str(&format!("log lines {}", lines.join(", ")));
    }
    VerdictView {
        code: v.code.to_string(),
        severity: v.severity,
        meaning: Some(info.meaning.to_string()),
        seen: v.message.clone(),
        frames: evidence,
        basis: v.basis.as_str().to_string(),
        cause: v.cause.map(|c| format!("{} ({})", c.text(), c.code())),
        candidates: v.candidates.clone(),
        offered: v.offered.as_ref().map(offered_lines).unwrap_or_default(),
        proxy_ids: v
            .proxy_ids
            .as_ref()
            .map(crate::report::acl::lines)
            .unwrap_or_default(),
        checks: info.checks.iter().map(|c| c.to_string()).collect(),
        repeats: v.repeats,
    }
}

/// The initiator's first offer of an IKE SA as configuration lines.
fn proposal(sa: &IkeSa) -> Option<ProposalView> {
    let m = sa.messages.iter().find(|m| m.offer.is_some())?;
    let lines = offered_lines(m.offer.as_ref()?);
    if lines.is_empty() {
        return None;
    }
    Some(ProposalView {
        title: format!(
            "{} offered by {} (frame {})",
            if sa.version == 1 {
                "Phase 1 proposals"
            } else {
                "IKE SA proposals"
            },
            bracket(m.src.addr),
            m.frame
        ),
        lines,
    })
}

fn is_error_notify(version: u8, t: u16) -> bool {
    if version == 2 {
        registry::ikev2::notify::is_error(t)
    } else {
        // RFC 2408 §3.14.1: types 1-8191 are errors, 16384 and up status.
        t < 8192
    }
}

fn payload_names(version: u8, types: &[u8]) -> String {
    let table = if version == 2 {
        &registry::ikev2::PAYLOAD_TYPES
    } else {
        &registry::ikev1::PAYLOAD_TYPES
    };
    // Runs of one type as "Vendor ID ×5".
    let mut runs: Vec<(u8, usize)> = Vec::new();
    for &p in types {
        match runs.last_mut() {
            Some((q, n)) if *q == p => *n += 1,
            _ => runs.push((p, 1)),
        }
    }
    runs.iter()
        .map(|&(p, n)| {
            let name = table.name(p as u32).map_or(p.to_string(), str::to_string);
            if n > 1 {
                format!("{name} ×{n}")
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn msg(sa: &IkeSa, m: &IkeMsg, zero: Timestamp) -> MsgView {
    let copy = match m.copy {
        flow::Copy::CaptureDuplicateOf(of) => Copy::Duplicate { of },
        flow::Copy::RetransmissionOf(of) => {
            // Interval since the previous try of the same message.
            let prev = sa
                .messages
                .iter()
                .filter(|o| {
                    o.frame < m.frame
                        && (o.frame == of || o.retransmit_of() == Some(of))
                        && o.is_try()
                })
                .map(|o| o.ts)
                .next_back();
            Copy::Retransmission {
                of,
                after: prev.map_or(0.0, |p| m.ts.since(p)),
            }
        }
        flow::Copy::DecryptedTwinOf(_) | flow::Copy::Original => Copy::Original,
    };
    let mut details = Vec::new();
    let visible = m.body != Visibility::Opaque;
    if visible && !m.payload_types.is_empty() {
        details.push(format!(
            "payloads: {}",
            payload_names(sa.version, &m.payload_types)
        ));
    }
    if let Some(g) = m.ke_group {
        details.push(format!(
            "KE group {g} ({})",
            registry::ikev2::DH_GROUPS.name_or_number(g as u32)
        ));
    }
    if !m.ids.is_empty() {
        let ids: Vec<&str> = m.ids.iter().map(|i| i.value.as_str()).collect();
        details.push(format!("IDs: {}", ids.join(" ⇄ ")));
    }
    for d in &m.deletes {
        details.push(format!(
            "Delete protocol {}: {}",
            d.protocol_id,
            if d.spis.is_empty() {
                "(no SPIs)".to_string()
            } else {
                d.spis.join(", ")
            }
        ));
    }
    if m.body == Visibility::Decrypted {
        details.push("contents decrypted".to_string());
    }
    if let Source::Log(l) = &m.source {
        details.push(format!("from the log, {}:{}", l.file, l.line));
    }
    if m.body == Visibility::Opaque && m.encrypted {
        if let Some(l) = m.encrypted_length {
            details.push(format!("encrypted, {l} bytes"));
        }
    }
    if !m.fragments.is_empty() {
        details.push(format!(
            "reassembled from IP fragments {}",
            frame_list(&m.fragments)
        ));
    }
    if let Some(r) = &m.malformed {
        details.push(format!("malformed: {r}"));
    }
    if m.truncated {
        details.push("cut short in the capture".to_string());
    }
    let mut label = m.step.to_string();
    match (m.ike_fragment, m.frag_id) {
        (Some((n, last)), Some(_)) => label.push_str(&format!(
            " frag {n}{}",
            if last == 1 { " (last)" } else { "" }
        )),
        (Some((n, total)), None) => label.push_str(&format!(" frag {n}/{total}")),
        _ => {}
    }
    MsgView {
        frame: m.frame,
        t: m.ts.since(zero),
        to_right: m.dir == Dir::I2R,
        label,
        src_port: m.src.port,
        dst_port: m.dst.port,
        copy,
        notifies: m
            .notifies
            .iter()
            .map(|n| {
                (
                    n.name.map_or(n.notify_type.to_string(), str::to_string),
                    is_error_notify(sa.version, n.notify_type),
                )
            })
            .collect(),
        details,
        encrypted: m.body == Visibility::Opaque && m.encrypted,
        decrypted_of: match m.copy {
            flow::Copy::DecryptedTwinOf(f) => Some(f),
            _ => None,
        },
    }
}

fn ladder(
    sa: &IkeSa,
    st: &SaState,
    zero: Timestamp,
    end: Option<(Severity, String)>,
) -> LadderView {
    LadderView {
        title: format!("{} SA {:016x}/{:016x}", mode_text(sa), sa.ispi, sa.rspi),
        left: bracket(sa.initiator.addr),
        right: bracket(sa.responder.addr),
        left_port: sa.initiator.port,
        right_port: sa.responder.port,
        messages: sa.messages.iter().map(|m| msg(sa, m, zero)).collect(),
        dropped: sa.dropped_messages,
        state: format!(
            "Phase 1: {}   Phase 2: {}",
            phase1_text(sa, st),
            phase2_text(sa, st)
        ),
        nat: nat_text(sa),
        end,
    }
}

fn nat_text(sa: &IkeSa) -> Option<String> {
    let n = &sa.nat;
    if !n.natd_seen && !n.floated {
        return None;
    }
    let side = |b: Option<bool>, who: &str| match b {
        Some(true) => format!("{who} behind NAT"),
        Some(false) => format!("{who} not behind NAT"),
        None => format!("{who}: NAT unknown"),
    };
    let mut parts = Vec::new();
    if n.natd_seen {
        parts.push(side(n.initiator_behind_nat, "initiator"));
        parts.push(side(n.responder_behind_nat, "responder"));
    }
    if n.floated {
        parts.push("floated to UDP 4500 (NAT-T)".to_string());
    }
    if !n.evidence.is_empty() {
        parts.push(format!("frames {}", frame_list(&n.evidence)));
    }
    Some(format!("NAT: {}", parts.join("; ")))
}

fn esp_chart(t: &Tunnel, zero: Timestamp, span: f64, act: Option<&Activity>) -> EspChart {
    let mut rows: Vec<EspRow> = t
        .esp
        .iter()
        .map(|e| {
            let key = SaKey {
                src: e.src,
                dst: e.dst,
                spi: e.spi,
                ah: e.proto == EspProto::Ah,
            };
            let series = act.and_then(|a| a.series(&key));
            EspRow {
                forward: e.src == t.peers[0],
                label: format!(
                    "{} 0x{:08x}{}",
                    if e.proto == EspProto::Ah { "AH" } else { "ESP" },
                    e.spi,
                    if e.udp { " in UDP" } else { "" }
                ),
                packets: e.packets,
                lost: e.seq.lost,
                replayed: e.seq.replayed,
                first: e.first.since(zero),
                last: e.last.since(zero),
                frames: format!("{}-{}", e.first_frame, e.last_frame),
                bins: series.map_or(Vec::new(), |s| s.packets.to_vec()),
                gaps: series.map_or(Vec::new(), |s| s.gaps.to_vec()),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.forward.cmp(&a.forward).then(a.first.total_cmp(&b.first)));
    let mut marks = Vec::new();
    for sa in &t.ike_sas {
        for m in &sa.messages {
            if !m.deletes.is_empty() {
                marks.push((m.ts.since(zero), format!("Delete (frame {})", m.frame)));
            }
            if m.copy == flow::Copy::Original
                && matches!(
                    m.step,
                    flow::Step::Quick(1)
                        | flow::Step::V2(
                            crate::registry::proto::ExchangeV2::CreateChildSa,
                            flow::Role::Request
                        )
                )
            {
                marks.push((m.ts.since(zero), format!("{} (frame {})", m.step, m.frame)));
            }
        }
    }
    EspChart {
        span,
        bin: act.map_or(0.0, |a| a.bin_seconds()),
        rows,
        marks,
    }
}

fn notes(t: &Tunnel, zero: Timestamp) -> Vec<String> {
    let mut out = Vec::new();
    for e in &t.icmp {
        out.push(format!(
            "frame {} at {:.3} s: {} sent ICMP type {} code {}{} about {} → {}",
            e.frame,
            e.ts.since(zero),
            e.reporter,
            e.icmp_type,
            e.code,
            e.reason.map_or(String::new(), |r| format!(" ({r})")),
            e.quoted_src,
            e.quoted_dst
        ));
    }
    if t.payloadless > 0 {
        out.push(format!(
            "{} IPsec packet(s) came from console summary lines without payload: addresses and timing only",
            t.payloadless
        ));
    }
    for (f, reason) in &t.malformed {
        out.push(format!("frame {f}: malformed IKE message: {reason}"));
    }
    for e in &t.events {
        let at = match &e.source {
            Source::Log(l) => format!("{}:{}", l.file, l.line),
            Source::Frame { number, .. } => format!("frame {number}"),
        };
        out.push(format!(
            "{at} at {:.3} s (device log): {}{}",
            e.ts.since(zero),
            e.event.text,
            e.event
                .cause
                .map_or(String::new(), |c| format!(" — cause: {}", c.text()))
        ));
    }
    if !t.keepalives.is_empty() {
        out.push(format!(
            "{} NAT-T keepalive(s), frames {}",
            t.keepalives.len(),
            frame_list(&t.keepalives)
        ));
    }
    out
}

/// Number of bins the chart draws.
pub const CHART_BINS: usize = BINS;
