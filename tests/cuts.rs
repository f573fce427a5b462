//! The cut test: every capture in `captures/`, cut short after each IPsec
//! packet, seen from one side only, or truncated mid-record (`head -c`), must
//! not raise an error verdict that the cut cannot support. The full capture
//! is the truth a cut is judged against: an error in a cut is supported only
//! when the full capture (between the same peers) has a verdict of that
//! code; anything else the cut lacks must be said as `incomplete-capture`.
//!
//! Everything runs in-process through `app::analyze_frames` (no binary per
//! cut), so the whole sweep stays small enough for CI.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use ikescope::app::{self, FileAnalysis, Options, PacketHook};
use ikescope::capture::{self, Frame, FrameSink, LinkType, Notice, Origin, Timestamp};
use ikescope::diagnose::{Code, Severity};
use ikescope::flow::{Content, Step, Touched};
use ikescope::net::{self, Datagram};

mod oracle;

/// One frame, owned.
struct Owned {
    number: u64,
    ts: Timestamp,
    link: LinkType,
    data: Vec<u8>,
    orig_len: u32,
    interface: u32,
    origin: Origin,
}

impl Owned {
    fn frame(&self) -> Frame<'_> {
        Frame {
            number: self.number,
            ts: self.ts,
            link: self.link,
            data: &self.data,
            orig_len: self.orig_len,
            interface: self.interface,
            origin: self.origin,
        }
    }
}

#[derive(Default)]
struct Collect(Vec<Owned>);

impl FrameSink for Collect {
    fn frame(&mut self, f: &Frame<'_>) {
        self.0.push(Owned {
            number: f.number,
            ts: f.ts,
            link: f.link,
            data: f.data.to_vec(),
            orig_len: f.orig_len,
            interface: f.interface,
            origin: f.origin,
        });
    }
    fn notice(&mut self, _: Notice) {}
}

/// Which frames carry IPsec and who sent them.
#[derive(Default)]
struct Senders {
    /// Frame number → sender, for every frame of an IPsec datagram (all
    /// fragments) and every ICMP error quoting one.
    by_frame: BTreeMap<u64, IpAddr>,
    /// Frames where an IPsec datagram ends (a cut point).
    ends: BTreeSet<u64>,
}

impl PacketHook for Senders {
    fn packet(&mut self, d: &Datagram<'_>, _: &Content<'_>, _: &Touched, _: Timestamp) {
        for f in d.fragments.iter().chain(std::iter::once(&d.frame)) {
            self.by_frame.insert(*f, d.src);
        }
        self.ends.insert(d.frame);
    }
    fn malformed(&mut self, _: &net::Malformed, _: Timestamp) {}
    fn icmp(&mut self, e: &net::IcmpError, _: Timestamp) {
        self.by_frame.insert(e.frame, e.reporter);
        self.ends.insert(e.frame);
    }
}

fn captures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no captures in {}", dir.display());
    v
}

fn load(p: &Path) -> Vec<Owned> {
    let mut c = Collect::default();
    capture::read_path(p, &capture::ReadOptions::default(), &mut c)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    c.0
}

type Peers = [IpAddr; 2];

fn key(p: [IpAddr; 2]) -> Peers {
    let mut k = p;
    k.sort();
    k
}

/// Verdict codes of every tunnel, by peer pair (any severity).
fn codes(a: &FileAnalysis) -> BTreeMap<Peers, BTreeSet<Code>> {
    let mut m: BTreeMap<Peers, BTreeSet<Code>> = BTreeMap::new();
    for t in &a.tunnels {
        m.entry(key(t.tunnel.peers))
            .or_default()
            .extend(t.verdicts.iter().map(|v| v.code));
    }
    m
}

/// Error verdicts of `cut` that the full capture does not support.
fn unsupported(full: &BTreeMap<Peers, BTreeSet<Code>>, cut: &FileAnalysis) -> Vec<String> {
    let mut bad = Vec::new();
    for t in &cut.tunnels {
        let known = full.get(&key(t.tunnel.peers));
        for v in t.verdicts.iter().filter(|v| v.severity == Severity::Error) {
            if !known.is_some_and(|k| k.contains(&v.code)) {
                bad.push(format!("✗ {} — {}", v.code.as_str(), v.message));
            }
        }
    }
    bad
}

fn run(name: String, frames: &[&Owned]) -> FileAnalysis {
    let owned: Vec<Frame<'_>> = frames.iter().map(|o| o.frame()).collect();
    app::analyze_frames(name, owned.iter(), &Options::default(), None)
}

#[test]
fn cuts_and_one_sided_views_raise_no_unsupported_error() {
    let mut failures = Vec::new();
    let mut cuts = 0usize;
    for path in captures() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let frames = load(&path);
        let all: Vec<&Owned> = frames.iter().collect();
        let mut senders = Senders::default();
        let full = app::analyze_frames(
            name.clone(),
            all.iter().map(|o| o.frame()).collect::<Vec<_>>().iter(),
            &Options::default(),
            Some(&mut senders),
        );
        // The in-memory pipeline is the file pipeline.
        let from_file = app::analyze(&path, &Options::default(), None);
        assert_eq!(
            codes(&full),
            codes(&from_file),
            "{name}: in-memory analysis differs from the file's"
        );
        let truth = codes(&full);
        // Prefixes ending at each IPsec packet.
        for &end in &senders.ends {
            let cut: Vec<&Owned> = all.iter().copied().filter(|o| o.number <= end).collect();
            cuts += 1;
            for b in unsupported(&truth, &run(name.clone(), &cut)) {
                failures.push(format!("{name} cut at frame {end}: {b}"));
            }
        }
        // One-direction views: only what each address sent (frames that are
        // not IPsec stay, they only move the clock).
        let sources: BTreeSet<IpAddr> = senders.by_frame.values().copied().collect();
        for s in sources {
            let view: Vec<&Owned> = all
                .iter()
                .copied()
                .filter(|o| senders.by_frame.get(&o.number).is_none_or(|x| *x == s))
                .collect();
            cuts += 1;
            for b in unsupported(&truth, &run(name.clone(), &view)) {
                failures.push(format!("{name} only from {s}: {b}"));
            }
        }
    }
    assert!(cuts > 100, "only {cuts} cuts made");
    assert!(
        failures.is_empty(),
        "{} unsupported error verdicts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `head -c N` of a capture: the reader reports the truncated record and the
/// verdicts stay within what the full capture supports.
#[test]
fn head_c_truncation_raises_no_unsupported_error() {
    let mut failures = Vec::new();
    for path in captures() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let truth = codes(&app::analyze(&path, &Options::default(), None));
        // A cut inside every record would be slow and adds nothing: cut at
        // eight places spread over the file, none on a record boundary by design.
        for i in 1..=8 {
            let n = bytes.len() * i / 9 + 7;
            let dir = std::env::temp_dir().join(format!("ikescope-cuts-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let cut_path = dir.join(format!("{name}.{n}"));
            std::fs::write(&cut_path, &bytes[..n.min(bytes.len())]).unwrap();
            let a = app::analyze(&cut_path, &Options::default(), None);
            std::fs::remove_file(&cut_path).ok();
            for b in unsupported(&truth, &a) {
                failures.push(format!("{name} head -c {n}: {b}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} unsupported error verdicts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn capture(name: &str) -> Vec<Owned> {
    load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures")
            .join(name),
    )
}

fn errors(a: &FileAnalysis) -> Vec<String> {
    a.tunnels
        .iter()
        .flat_map(|t| t.verdicts.iter())
        .filter(|v| v.severity == Severity::Error)
        .map(|v| format!("{} — {}", v.code.as_str(), v.message))
        .collect()
}

fn has(a: &FileAnalysis, code: Code) -> bool {
    a.tunnels
        .iter()
        .any(|t| t.verdicts.iter().any(|v| v.code == code))
}

fn first_n(name: &str, n: usize) -> FileAnalysis {
    let frames = capture(name);
    let cut: Vec<&Owned> = frames.iter().take(n).collect();
    run(name.to_string(), &cut)
}

/// The cases: a healthy Main Mode cut 1 ms after MM2, and the PSK
/// mismatch cut after MM4, are an incomplete capture, not a stall.
#[test]
fn cut_short_main_mode_is_incomplete_capture() {
    for (name, n) in [("v1-main-up.pcap", 2), ("v1-psk-mismatch.pcap", 4)] {
        let a = first_n(name, n);
        assert!(errors(&a).is_empty(), "{name} first {n}: {:?}", errors(&a));
        assert!(has(&a, Code::IncompleteCapture), "{name} first {n}");
    }
}

/// A capture that starts with MM2 (responder cookie set, an SA with the
/// chosen transform) labels it MM2 and keeps the roles.
#[test]
fn capture_starting_with_mm2_takes_roles_from_contents() {
    let frames = capture("v1-main-up.pcap");
    let from2: Vec<&Owned> = frames.iter().skip(1).collect();
    let a = run("v1-main-up.pcap from frame 2".into(), &from2);
    let sa = &a.tunnels[0].tunnel.ike_sas[0];
    assert_eq!(sa.initiator.addr.to_string(), "198.51.100.1");
    assert_eq!(sa.responder.addr.to_string(), "203.0.113.1");
    assert_eq!(sa.messages[0].step, Step::Main(2));
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
}

/// The initiator's later messages carry the responder cookie: MM2 came even
/// when the capture holds only the initiator's side.
#[test]
fn one_sided_initiator_view_is_not_no_response() {
    let frames = capture("v1-psk-mismatch.pcap");
    let mut senders = Senders::default();
    let all: Vec<Frame<'_>> = frames.iter().map(|o| o.frame()).collect();
    app::analyze_frames(
        "full".into(),
        all.iter(),
        &Options::default(),
        Some(&mut senders),
    );
    let a_only: Vec<&Owned> = frames
        .iter()
        .filter(|o| {
            senders
                .by_frame
                .get(&o.number)
                .is_none_or(|s| s.to_string() == "198.51.100.1")
        })
        .collect();
    let a = run("initiator side".into(), &a_only);
    assert!(!has(&a, Code::NoResponse));
    let b_only: Vec<&Owned> = frames
        .iter()
        .filter(|o| {
            senders
                .by_frame
                .get(&o.number)
                .is_none_or(|s| s.to_string() == "203.0.113.1")
        })
        .collect();
    let b = run("responder side".into(), &b_only);
    assert!(
        !has(&b, Code::NoResponse),
        "responder side: MM2 is not an unanswered MM1"
    );
    assert_eq!(
        b.tunnels[0].tunnel.ike_sas[0].initiator.addr.to_string(),
        "198.51.100.1"
    );
}

/// An orderly teardown (Deletes within a millisecond at the end) is not a
/// dead peer: v1-dpd-rekey-delete cut right after its Deletes.
#[test]
fn teardown_burst_is_not_dpd_timeout() {
    let frames = capture("v1-dpd-rekey-delete.pcap");
    for end in [50u64, 51] {
        let cut: Vec<&Owned> = frames.iter().filter(|o| o.number <= end).collect();
        let a = run(format!("cut at {end}"), &cut);
        assert!(!has(&a, Code::DpdTimeout), "cut at {end}");
    }
}

/// IKE fragments (RFC 7383) are pieces of one try, and an answer with
/// fragments missing from the capture is not judged by its size.
#[test]
fn ike_fragments_are_one_try_and_partial_answers_are_not_judged() {
    let frames = capture("v2-cert-ikefrag.pcap");
    for end in [4u64, 5, 6, 7] {
        let cut: Vec<&Owned> = frames.iter().filter(|o| o.number <= end).collect();
        let a = run(format!("cut at {end}"), &cut);
        assert!(errors(&a).is_empty(), "cut at {end}: {:?}", errors(&a));
    }
}

fn corpus_analysis(test: &str, rel: &str) -> Option<FileAnalysis> {
    let p = oracle::corpus_file(test, rel)?;
    Some(app::analyze(&p, &Options::default(), None))
}

/// tcpdump's ikev2pI2.pcap holds the initiator's side only: its IKE_AUTH
/// request carries the responder SPI, so IKE_SA_INIT was answered.
#[test]
fn corpus_one_sided_ikev2_is_incomplete_not_no_response() {
    let Some(a) = corpus_analysis("ikev2pI2", "tcpdump/ikev2pI2.pcap") else {
        return;
    };
    assert!(errors(&a).is_empty(), "{:?}", errors(&a));
    assert!(a.tunnels[0]
        .verdicts
        .iter()
        .any(|v| v.code == Code::IncompleteCapture && v.message.contains("responder's SPI")));
}

/// wireshark-wiki ipsec.cap: IKE_AUTH answers as large as a full one, no
/// ESP in the capture: not a rejection, and phase 1 stays complete.
#[test]
fn corpus_full_size_ike_auth_answer_is_not_rejected() {
    let Some(a) = corpus_analysis("ipsec.cap", "wireshark-wiki/ipsec.cap") else {
        return;
    };
    assert!(!has(&a, Code::IkeAuthRejected));
    for t in &a.tunnels {
        for s in &t.sas {
            if s.phase1
                .last_message
                .is_some_and(|m| m.to_string() == "IKE_AUTH resp")
            {
                assert!(s.phase1.complete);
            }
        }
    }
}

/// ndpi ipsec_isakmp_esp.pcap: EAP takes several IKE_AUTH rounds; the
/// established tunnels' IKE SAs are complete, not "DELETE".
#[test]
fn corpus_eap_rounds_are_not_a_refusal() {
    let Some(a) = corpus_analysis("ndpi eap", "ndpi/ipsec_isakmp_esp.pcap") else {
        return;
    };
    let mut seen = 0;
    for t in a
        .tunnels
        .iter()
        .filter(|t| t.verdicts.iter().any(|v| v.code == Code::Established))
    {
        for s in &t.sas {
            if s.phase1
                .last_message
                .is_some_and(|m| m.to_string() == "IKE_AUTH resp")
            {
                assert!(s.phase1.complete, "{}", s.phase1.ios);
                seen += 1;
            }
        }
    }
    assert!(seen >= 4, "{seen} EAP IKE SAs");
}

/// Ethernet + IPv4 + UDP frame carrying `payload`.
fn udp_frame(
    number: u64,
    secs: i64,
    src: [u8; 4],
    dst: [u8; 4],
    port: u16,
    payload: &[u8],
) -> Owned {
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x08, 0x00]);
    let total = (20 + 8 + payload.len()) as u16;
    f.extend_from_slice(&[0x45, 0]);
    f.extend_from_slice(&total.to_be_bytes());
    f.extend_from_slice(&[0, number as u8, 0, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&port.to_be_bytes());
    f.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(payload);
    Owned {
        number,
        ts: Timestamp { secs, nanos: 0 },
        link: LinkType(1),
        orig_len: f.len() as u32,
        data: f,
        interface: 0,
        origin: Origin::Wire,
    }
}

/// 1-byte UDP 500 port probes are not IKE: counted and named, no
/// tunnel, no verdict.
#[test]
fn one_byte_probes_make_no_tunnel() {
    let frames: Vec<Owned> = (1..=20u64)
        .map(|i| {
            // UDP 500 only: a short datagram on 4500 is still taken for a
            // truncated ESP header (not done yet).
            let (port, byte) = (500, 0xff);
            udp_frame(
                i,
                i as i64,
                [192, 0, 2, 9],
                [198, 51, 100, i as u8],
                port,
                &[byte],
            )
        })
        .collect();
    let all: Vec<&Owned> = frames.iter().collect();
    let a = run("probes".into(), &all);
    assert!(a.tunnels.is_empty(), "{} tunnels", a.tunnels.len());
    let n = a
        .notices
        .iter()
        .find(|n| n.message.contains("too short for an ISAKMP header"))
        .expect("a notice about the probes");
    assert!(n.message.starts_with("20 "), "{}", n.message);
    assert!(n.message.contains("(first and last)"), "{}", n.message);
}
