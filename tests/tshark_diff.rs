//! Differential test: `ikescope packets FILE --json` against tshark.
//!
//! For every capture under `captures/` and under `../shared/corpus/` (when
//! that folder exists), tshark runs once (`-T json --no-duplicate-keys`) and
//! our binary runs once; both outputs are reduced to the same *facts* per
//! frame (see `common/mod.rs`): which frames carry IPsec and as what
//! (`proto`), outer addresses and UDP ports, IKE header fields (version, ispi, rspi, next payload,
//! exchange type, flags, message ID, length), the payload type sequence,
//! notify types, delete SPIs, proposals (number, protocol, SPI, transform
//! count) with their transforms (number/type, ID) and attributes (type,
//! value), and ESP/AH SPI and sequence number.
//!
//! Every fact must agree. Where tshark is wrong or differs by design, an
//! entry in [`EXCEPTIONS`] (file, frame, field, reason) or a [`Rule`]
//! excuses it, and a test below shows, from tshark's own output, why.
//! The run prints a summary (files, frames, fields, agreement) and fails on
//! any mismatch that is not excused, listing file, frame, field, our value
//! and tshark's.
//!
//! Skipped with a message when tshark is absent.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::{build, oracle, Facts, TsharkFrame};

/// Why tshark and we legitimately disagree. Each kind has a test below
/// (`why_*`) that shows the reason from tshark's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// tshark's ISAKMP heuristics refuse a UDP/500 payload whose header is
    /// broken (length 0, a payload-length loop) and show it as `data`; we
    /// report it as a malformed ISAKMP message. Test: `why_tshark_skips_broken_isakmp`.
    TsharkSkipsBrokenIsakmp,
    /// tshark labels any UDP/500 payload ISAKMP, even with a major version
    /// other than 1 or 2 (0, 11...); to us such bytes are not IKE, and their
    /// "fields" are noise. Test: `why_not_ike_version`.
    NotIkeVersion,
    /// The first fragment of an IPv4 datagram that can never be
    /// reassembled (snaplen cut it, and the rest never comes): tshark
    /// dissects the fragment's payload as if it were whole; we hold it for
    /// reassembly and report the incomplete set as a notice. Test:
    /// `why_unreassembled_first_fragment`.
    UnreassembledFirstFragment,
    /// Only 4 bytes of an ESP header were captured: tshark prints the SPI,
    /// we report the ESP header as truncated (no `esp` object). Test:
    /// `why_truncated_esp_header`.
    TruncatedEspHeader,
    /// A payload whose body is broken: we keep the payloads before it and
    /// report the error with its offset in `malformed`; tshark lists the
    /// broken payload too (and its partial contents, or guesses past it).
    /// Test: `why_broken_payload_not_listed`.
    BrokenPayloadNotListed,
    /// A UDP/4500 datagram whose UDP length field is broken: tshark stops at
    /// UDP (no udpencap, no ESP), so it shows no IPsec at all. Test:
    /// `why_broken_udp_on_4500`.
    BrokenUdpOn4500,
}

/// Frame-level rules that apply to any file, decided from tshark's
/// `frame.protocols` path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rule {
    /// tshark dissects the IP header quoted inside an ICMP error (and the
    /// first bytes of its ESP/IKE payload); we analyse packets that were
    /// sent, not quotations of them. Test: `why_quoted_in_icmp`.
    QuotedInIcmp,
    /// ESP inside a GTP-U tunnel (mobile core): we do not decode GTP.
    /// Test: `why_inside_gtp`.
    InsideGtp,
}

impl Rule {
    fn reason(self) -> &'static str {
        match self {
            Rule::QuotedInIcmp => {
                "IPsec header quoted inside an ICMP error (tshark dissects quotations)"
            }
            Rule::InsideGtp => "ESP inside a GTP-U tunnel (we do not decode GTP)",
        }
    }

    /// The rule for a frame, from the tokens before the first IPsec
    /// protocol in tshark's protocol path.
    fn for_protocols(protocols: &str) -> Option<Rule> {
        for tok in protocols.split(':') {
            match tok {
                "isakmp" | "esp" | "ah" | "udpencap" => return None,
                "icmp" | "icmpv6" => return Some(Rule::QuotedInIcmp),
                "gtp" => return Some(Rule::InsideGtp),
                _ => {}
            }
        }
        None
    }
}

/// One excused disagreement. `file` is the path relative to the corpus
/// (`corpus/...`) or the repository; `frame` None means every frame;
/// `field` is a fact name, a prefix ending in `*`, or `*` (the whole frame,
/// including whether it is reported at all).
struct Exception {
    file: &'static str,
    frame: Option<u64>,
    field: &'static str,
    kind: Kind,
    reason: &'static str,
}

const EXCEPTIONS: &[Exception] = &[
    Exception {
        file: "corpus/zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::TsharkSkipsBrokenIsakmp,
        reason: "ISAKMP length field 0: tshark shows UDP data, we report a malformed message",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-pointer-loop.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::TsharkSkipsBrokenIsakmp,
        reason: "payload-length loop: tshark shows UDP data, we report a malformed message",
    },
    Exception {
        file: "corpus/openswan/isakmp-crash1.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::NotIkeVersion,
        reason: "major version 0: not IKE; tshark still prints header fields",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-delete-segfault.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::NotIkeVersion,
        reason: "major version 11: not IKE; tshark still prints header fields",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-rfc3948-oobr.pcap",
        frame: Some(23),
        field: "*",
        kind: Kind::BrokenUdpOn4500,
        reason: "UDP length field broken: tshark stops at UDP, we report a malformed packet",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-3948-oobr-2.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::BrokenUdpOn4500,
        reason: "UDP length field broken: tshark stops at UDP, we report a malformed packet",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-ikev1_n_print-oobr.pcap",
        frame: None,
        field: "*",
        kind: Kind::UnreassembledFirstFragment,
        reason: "first IPv4 fragments (MF, offset 0) cut by snaplen: never reassembled",
    },
    Exception {
        file: "corpus/tcpdump/ikev1_id_ipv6_addr_subnet-oobr.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::UnreassembledFirstFragment,
        reason: "first IPv4 fragment (MF, offset 0) cut by snaplen: never reassembled",
    },
    Exception {
        file: "corpus/tcpdump/isakmp-various-oobr.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::UnreassembledFirstFragment,
        reason: "first IPv4 fragment (MF, offset 0) cut by snaplen: never reassembled",
    },
    Exception {
        file: "corpus/tcpdump/isakmpv1-attr-oobr.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::UnreassembledFirstFragment,
        reason: "first IPv4 fragment (MF, offset 0) cut by snaplen: never reassembled",
    },
    Exception {
        file: "corpus/tcpdump/esp_truncated.pcap",
        frame: Some(1),
        field: "*",
        kind: Kind::UnreassembledFirstFragment,
        reason: "first IPv4 fragment (MF, offset 0) cut by snaplen: never reassembled",
    },
    Exception {
        file: "corpus/openswan/01-sunrise-sunset-esp-shorter.pcap",
        frame: Some(1),
        field: "esp.spi",
        kind: Kind::TruncatedEspHeader,
        reason: "4 of 8 ESP header bytes captured: tshark shows the SPI, we report truncation",
    },
    Exception {
        file: "corpus/tcpdump/ikev2-id-short.pcap",
        frame: Some(1),
        field: "isakmp.payloads",
        kind: Kind::BrokenPayloadNotListed,
        reason: "IDi body too short: tshark lists it, we stop before it (malformed at 0x21)",
    },
    Exception {
        file: "corpus/tcpdump/ikev2-id-short.pcap",
        frame: Some(1),
        field: "isakmp.p0.*",
        kind: Kind::BrokenPayloadNotListed,
        reason: "IDi body too short: tshark shows its ID type, we stop before it",
    },
    Exception {
        file: "corpus/tcpdump/ikev2pI2-segfault.pcapng",
        frame: Some(1),
        field: "isakmp.p0.*",
        kind: Kind::BrokenPayloadNotListed,
        reason: "SA with a transform whose last-substructure byte is 46: tshark shows the partial SA, we stop",
    },
    Exception {
        file: "corpus/tcpdump/ikev2pI2-segfault.pcapng",
        frame: Some(1),
        field: "isakmp.payloads",
        kind: Kind::BrokenPayloadNotListed,
        reason: "SA with a transform whose last-substructure byte is 46: tshark lists the SA, we stop before it",
    },
    Exception {
        file: "corpus/zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap",
        frame: Some(1),
        field: "isakmp.payloads",
        kind: Kind::BrokenPayloadNotListed,
        reason: "Vendor ID length 3 (< 4): tshark lists it and the next one, we stop at it",
    },
];

fn field_matches(pattern: &str, field: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => field.starts_with(prefix),
        None => pattern == field,
    }
}

/// The exception covering (file, frame, field), by index into EXCEPTIONS.
fn find_exception(file: &str, frame: u64, field: &str) -> Option<usize> {
    EXCEPTIONS.iter().position(|e| {
        e.file == file && e.frame.is_none_or(|f| f == frame) && field_matches(e.field, field)
    })
}

#[derive(Debug, Clone)]
struct Mismatch {
    file: String,
    frame: u64,
    field: String,
    ours: String,
    tshark: String,
}

#[derive(Debug, Default)]
struct FileResult {
    frames: usize,
    fields: usize,
    agreed: usize,
    unexcused: Vec<Mismatch>,
    /// (mismatch, reason)
    excused: Vec<(Mismatch, String)>,
    used_exceptions: BTreeSet<usize>,
    used_rules: BTreeMap<Rule, usize>,
    problems: Vec<String>,
}

const ABSENT: &str = "<absent>";

/// Compare one file's frames. `tshark` and `ours` are facts per frame.
fn compare(file: &str, tshark: &[TsharkFrame], ours: &BTreeMap<u64, Facts>) -> FileResult {
    let mut r = FileResult::default();
    let theirs: BTreeMap<u64, &TsharkFrame> = tshark.iter().map(|f| (f.number, f)).collect();
    let numbers: BTreeSet<u64> = theirs.keys().chain(ours.keys()).copied().collect();
    let empty = Facts::new();
    for n in numbers {
        let t = theirs.get(&n);
        let rule = t.and_then(|t| Rule::for_protocols(&t.protocols));
        let t_facts = t.map_or(&empty, |t| &t.facts);
        let o_facts = ours.get(&n);
        r.frames += 1;
        let mut diffs: Vec<Mismatch> = Vec::new();
        let mut push = |field: &str, o: Option<&String>, th: Option<&String>| {
            diffs.push(Mismatch {
                file: file.to_string(),
                frame: n,
                field: field.to_string(),
                ours: o.cloned().unwrap_or_else(|| ABSENT.into()),
                tshark: th.cloned().unwrap_or_else(|| ABSENT.into()),
            })
        };
        let mut fields = 0;
        match (t, o_facts) {
            (Some(_), Some(o)) => {
                let keys: BTreeSet<&String> = t_facts.keys().chain(o.keys()).collect();
                for k in keys {
                    fields += 1;
                    let (a, b) = (o.get(k), t_facts.get(k));
                    if a != b {
                        push(k, a, b);
                    }
                }
            }
            (Some(_), None) => {
                fields += 1;
                push("frame", None, t_facts.get("proto"));
            }
            (None, Some(o)) => {
                fields += 1;
                push("frame", o.get("proto"), None);
            }
            (None, None) => {}
        }
        r.fields += fields;
        r.agreed += fields - diffs.len();
        for d in diffs {
            if let Some(rule) = rule {
                *r.used_rules.entry(rule).or_default() += 1;
                r.excused.push((d, rule.reason().to_string()));
            } else if let Some(i) = find_exception(file, n, &d.field) {
                r.used_exceptions.insert(i);
                r.excused.push((d, EXCEPTIONS[i].reason.to_string()));
            } else {
                r.unexcused.push(d);
            }
        }
    }
    r
}

fn diff_file(path: &Path) -> FileResult {
    let name = common::display_name(path);
    let tshark = match common::run_tshark(path).and_then(|j| common::tshark_frames(&j)) {
        Ok(t) => t,
        Err(e) => {
            return FileResult {
                problems: vec![format!("{name}: tshark: {e}")],
                ..FileResult::default()
            }
        }
    };
    let ours = match common::run_ours(path) {
        Ok(o) => o,
        Err(e) => {
            return FileResult {
                problems: vec![format!("{name}: ikescope: {e}")],
                ..FileResult::default()
            }
        }
    };
    let mut r = compare(&name, &tshark, &ours.frames);
    if ours.stderr.contains("panicked") {
        r.problems.push(format!(
            "{name}: ikescope panicked: {}",
            common::truncate(&ours.stderr, 400)
        ));
    }
    if !matches!(ours.status, Some(0..=2)) {
        r.problems
            .push(format!("{name}: ikescope exit status {:?}", ours.status));
    }
    for l in &ours.bad_lines {
        r.problems.push(format!("{name}: bad JSON line: {l}"));
    }
    r
}

/// The whole differential run.
#[test]
fn differential_against_tshark() {
    if !oracle::tshark("differential_against_tshark") {
        return;
    }
    let files = common::capture_files();
    assert!(
        !files.is_empty(),
        "no captures under captures/ or ../shared/corpus/"
    );
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(PathBuf, FileResult)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = files.get(i) else { break };
                let r = diff_file(path);
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((path.clone(), r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let (mut frames, mut fields, mut agreed) = (0usize, 0usize, 0usize);
    let mut unexcused = Vec::new();
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let mut rules: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut excused = 0usize;
    for (_, r) in &results {
        frames += r.frames;
        fields += r.fields;
        agreed += r.agreed;
        unexcused.extend(r.unexcused.iter().cloned());
        problems.extend(r.problems.iter().cloned());
        used.extend(r.used_exceptions.iter().copied());
        for (k, v) in &r.used_rules {
            *rules.entry(*k).or_default() += v;
        }
        excused += r.excused.len();
    }
    let pct = if fields == 0 {
        100.0
    } else {
        agreed as f64 * 100.0 / fields as f64
    };
    let excused_pct = if fields == 0 {
        100.0
    } else {
        (agreed + excused) as f64 * 100.0 / fields as f64
    };
    eprintln!(
        "tshark diff: {} files, {frames} IPsec frames, {fields} fields compared, \
         {agreed} agree ({pct:.3}%), {excused} excused ({excused_pct:.3}% with exceptions), \
         {} unexcused mismatches, {} problems",
        results.len(),
        unexcused.len(),
        problems.len()
    );
    for (rule, n) in &rules {
        eprintln!("  rule {rule:?}: {n} differences excused");
    }
    for (i, e) in EXCEPTIONS.iter().enumerate() {
        if !used.contains(&i) {
            eprintln!(
                "  note: exception not needed any more: {} frame {:?} {} ({:?})",
                e.file, e.frame, e.field, e.kind
            );
        }
    }
    if unexcused.is_empty() && problems.is_empty() {
        return;
    }
    let mut msg = String::new();
    for p in problems.iter().take(50) {
        msg.push_str(&format!("PROBLEM {p}\n"));
    }
    msg.push_str(&format!(
        "{:<60} {:>6}  {:<40} {:<30} {:<30}\n",
        "file", "frame", "field", "ours", "tshark"
    ));
    for m in unexcused.iter().take(300) {
        msg.push_str(&format!(
            "{:<60} {:>6}  {:<40} {:<30} {:<30}\n",
            m.file,
            m.frame,
            m.field,
            common::truncate(&m.ours, 60),
            common::truncate(&m.tshark, 60)
        ));
    }
    if unexcused.len() > 300 {
        msg.push_str(&format!("... and {} more\n", unexcused.len() - 300));
    }
    // Per-file counts, so a systematic difference is easy to spot.
    let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
    for m in &unexcused {
        *per_file.entry(m.file.as_str()).or_default() += 1;
    }
    msg.push_str("unexcused mismatches per file:\n");
    for (f, n) in per_file {
        msg.push_str(&format!("  {n:>6}  {f}\n"));
    }
    panic!(
        "{} fields disagree with tshark and are not excused; {} problems\n{msg}",
        unexcused.len(),
        problems.len()
    );
}

// ---------------------------------------------------------------------
// Tests of the harness itself (they pass without our dissectors).
// ---------------------------------------------------------------------

/// A corpus file for a test that reads it with tshark; `None` (said, and a
/// failure under `CI=true`) when tshark or the file is missing.
fn corpus_file(rel: &str) -> Option<PathBuf> {
    if !oracle::tshark(rel) {
        return None;
    }
    oracle::corpus_file(rel, rel)
}

fn tshark_frame(path: &Path, n: u64) -> TsharkFrame {
    let j = common::run_tshark(path).expect("tshark runs");
    let frames = common::tshark_frames(&j).expect("tshark JSON parses");
    frames
        .into_iter()
        .find(|f| f.number == n)
        .unwrap_or_else(|| panic!("frame {n} of {} has no IPsec", path.display()))
}

fn fact<'a>(f: &'a Facts, k: &str) -> &'a str {
    f.get(k).map_or(ABSENT, String::as_str)
}

/// IKEv1 Main Mode message 1: header, payload sequence, proposal and the
/// seven IKE attributes (AES-CBC, 128-bit key, SHA1, group 2, PSK, life
/// in seconds, 86400 as a 4-byte TLV), straight from tshark.
#[test]
fn tshark_facts_ikev1_main_mode() {
    let Some(p) = corpus_file("suricata-verify/ikev1-isakmp-main-mode.pcap") else {
        return;
    };
    let f = tshark_frame(&p, 1).facts;
    assert_eq!(fact(&f, "proto"), "isakmp");
    assert_eq!(fact(&f, "isakmp.version"), "1");
    assert_eq!(fact(&f, "isakmp.ispi"), "e47a591fd057587f");
    assert_eq!(fact(&f, "isakmp.rspi"), "0000000000000000");
    assert_eq!(fact(&f, "isakmp.exchange_type"), "2");
    assert_eq!(fact(&f, "isakmp.flags"), "0");
    assert_eq!(fact(&f, "isakmp.message_id"), "0");
    assert_eq!(fact(&f, "isakmp.length"), "168");
    assert_eq!(fact(&f, "isakmp.payloads"), "1,13,13,13,13");
    assert_eq!(fact(&f, "isakmp.p0.proposals"), "1");
    assert_eq!(fact(&f, "isakmp.p0.prop0.protocol_id"), "1");
    assert_eq!(fact(&f, "isakmp.p0.prop0.transform_count"), "1");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.id"), "1");
    let attrs: Vec<(&str, &str)> = (0..7)
        .map(|m| {
            (
                fact(&f, &format!("isakmp.p0.prop0.tf0.attr{m}.type")),
                fact(&f, &format!("isakmp.p0.prop0.tf0.attr{m}.value")),
            )
        })
        .collect();
    assert_eq!(
        attrs,
        [
            ("1", "7"),
            ("14", "128"),
            ("2", "2"),
            ("4", "2"),
            ("3", "1"),
            ("11", "1"),
            ("12", "86400")
        ]
    );
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.attrs"), "7");
}

/// IKEv2 IKE_SA_INIT: flags (I), two proposals of 33 transforms, typed
/// transform IDs and key-length attributes; the INVALID_KE_PAYLOAD answer.
#[test]
fn tshark_facts_ikev2() {
    let Some(p) = corpus_file("zeek-plugin-ikev2/ikev2.pcap") else {
        return;
    };
    let f = tshark_frame(&p, 1).facts;
    assert_eq!(fact(&f, "isakmp.version"), "2");
    assert_eq!(fact(&f, "isakmp.flags"), "8");
    assert_eq!(fact(&f, "isakmp.exchange_type"), "34");
    assert_eq!(fact(&f, "isakmp.payloads"), "33,34,40,41,41,41,41,41");
    assert_eq!(fact(&f, "isakmp.p0.proposals"), "2");
    assert_eq!(fact(&f, "isakmp.p0.prop0.transforms"), "33");
    assert_eq!(fact(&f, "isakmp.p0.prop0.transform_count"), "33");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.type"), "1");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.id"), "12");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.attr0.type"), "14");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf0.attr0.value"), "128");
    assert_eq!(fact(&f, "isakmp.p0.prop0.tf2.attr0.value"), "256");
    assert_eq!(fact(&f, "isakmp.p3.notify_type"), "16388");
    let r = tshark_frame(&p, 2).facts;
    assert_eq!(fact(&r, "isakmp.flags"), "32");
    assert_eq!(fact(&r, "isakmp.payloads"), "41");
    assert_eq!(fact(&r, "isakmp.p0.notify_type"), "17");
}

/// AH+ESP bundle: the outermost protocol (AH) is the packet's; ESP-in-UDP
/// and a NAT keepalive; a Cisco IKE fragment whose reassembled inner
/// message (flags 0x01) is nested and not mistaken for the outer header.
#[test]
fn tshark_facts_esp_ah_keepalive_fragment() {
    if let Some(p) = corpus_file("arkime/ah-esp.pcap") {
        let f = tshark_frame(&p, 1).facts;
        assert_eq!(fact(&f, "proto"), "ah");
        assert_eq!(fact(&f, "ah.spi"), "8179b705");
        assert_eq!(fact(&f, "ah.seq"), "1");
        assert_eq!(fact(&f, "esp.spi"), ABSENT);
    }
    if let Some(p) = corpus_file("tcpdump/espudp1.pcap") {
        let f = tshark_frame(&p, 1).facts;
        assert_eq!(fact(&f, "proto"), "esp");
        assert_eq!(fact(&f, "esp.spi"), "12345678");
    }
    if let Some(p) = corpus_file("wireshark-wiki/test1.pcap") {
        let f = tshark_frame(&p, 34).facts;
        assert_eq!(fact(&f, "proto"), "nat-keepalive");
        assert_eq!(fact(&f, "sport"), "1472");
        assert_eq!(fact(&f, "dport"), "4500");
        assert_eq!(fact(&f, "src"), "192.168.63.105");
        assert_eq!(f.len(), 5, "proto, src, dst, sport, dport: {f:?}");
        let f = tshark_frame(&p, 28).facts;
        assert_eq!(fact(&f, "isakmp.flags"), "0");
        assert_eq!(fact(&f, "isakmp.length"), "544");
        assert_eq!(fact(&f, "isakmp.payloads"), "132");
        let f = tshark_frame(&p, 32).facts;
        assert_eq!(fact(&f, "isakmp.flags"), "1");
        assert_eq!(fact(&f, "isakmp.payloads"), "");
    }
}

/// The harness compares correctly: identical facts agree, a changed value,
/// a missing key and a frame seen by one side only are mismatches, and
/// exceptions/rules excuse exactly what they name.
#[test]
fn compare_reports_and_excuses() {
    let mk = |pairs: &[(&str, &str)]| -> Facts {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let t = vec![
        TsharkFrame {
            number: 1,
            protocols: "eth:ethertype:ip:udp:isakmp".into(),
            facts: mk(&[
                ("proto", "isakmp"),
                ("isakmp.flags", "8"),
                ("isakmp.payloads", "33,34"),
            ]),
        },
        TsharkFrame {
            number: 2,
            protocols: "eth:ethertype:ip:esp".into(),
            facts: mk(&[("proto", "esp"), ("esp.spi", "00000001")]),
        },
        TsharkFrame {
            number: 3,
            protocols: "eth:ethertype:ip:icmp:ip:esp".into(),
            facts: mk(&[("proto", "esp"), ("esp.spi", "00000002")]),
        },
    ];
    let mut ours = BTreeMap::new();
    ours.insert(1, mk(&[("proto", "isakmp"), ("isakmp.flags", "9")]));
    ours.insert(4, mk(&[("proto", "ah")]));
    let r = compare("x.pcap", &t, &ours);
    let got: Vec<(u64, &str, &str, &str)> = r
        .unexcused
        .iter()
        .map(|m| {
            (
                m.frame,
                m.field.as_str(),
                m.ours.as_str(),
                m.tshark.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "isakmp.flags", "9", "8"),
            (1, "isakmp.payloads", ABSENT, "33,34"),
            (2, "frame", ABSENT, "esp"),
            (4, "frame", "ah", ABSENT),
        ]
    );
    assert_eq!(r.excused.len(), 1);
    assert_eq!(r.used_rules.get(&Rule::QuotedInIcmp), Some(&1));
    assert_eq!(r.frames, 4);
    assert_eq!(r.fields, 3 + 1 + 1 + 1);
    assert_eq!(r.agreed, 1);

    // An exception excuses its file/frame/field only.
    let r = compare(
        "corpus/tcpdump/isakmp-pointer-loop.pcap",
        &[],
        &BTreeMap::from([
            (1, mk(&[("proto", "isakmp")])),
            (2, mk(&[("proto", "isakmp")])),
        ]),
    );
    assert_eq!(r.excused.len(), 1);
    assert_eq!(r.unexcused.len(), 1);
    assert_eq!(r.unexcused[0].frame, 2);
    assert!(field_matches("isakmp.p*", "isakmp.p0.notify_type"));
    assert!(!field_matches("isakmp.p0", "isakmp.p0.notify_type"));
}

/// Facts from our JSON shape (serialised from the real `ikescope::ike`
/// types, with bodies built by hand) equal tshark's facts for the same
/// hand-built packets, which tshark decodes from a capture we write.
#[test]
fn harness_agrees_with_tshark_on_hand_built_packets() {
    if !oracle::tshark("harness_agrees_with_tshark_on_hand_built_packets") {
        return;
    }
    let frames = build::sample_frames();
    let records: Vec<Vec<u8>> = frames.iter().map(|f| f.1.clone()).collect();
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tshark-diff-hand-built.pcap");
    std::fs::write(&path, build::pcap(1, &records)).expect("write capture");
    let j = common::run_tshark(&path).expect("tshark runs");
    let theirs: BTreeMap<u64, Facts> = common::tshark_frames(&j)
        .expect("tshark JSON parses")
        .into_iter()
        .map(|f| (f.number, f.facts))
        .collect();
    assert_eq!(
        theirs.len(),
        frames.len(),
        "tshark sees every hand-built frame as IPsec: {:?}",
        theirs.keys().collect::<Vec<_>>()
    );
    // The comparison below is not vacuous: tshark's facts carry the nested
    // values the hand-built bodies must match.
    let sa_init = frames
        .iter()
        .position(|f| f.0 == "v2-sa-init on udp/500")
        .expect("sample") as u64
        + 1;
    assert_eq!(
        fact(&theirs[&sa_init], "isakmp.p0.prop1.tf0.attr0.value"),
        "128"
    );
    assert_eq!(fact(&theirs[&sa_init], "isakmp.p6.notify_type"), "16431");
    let mut checked = 0;
    for (i, (name, _)) in frames.iter().enumerate() {
        let n = i as u64 + 1;
        let t = &theirs[&n];
        let Some(mut line) = hand_json(name, n) else {
            continue;
        };
        // Addresses and ports as `build` writes them.
        let port = if name.contains("udp/500") {
            Some(500)
        } else if name.contains("udp/4500") || name == "esp-in-udp" || name == "nat-keepalive" {
            Some(4500)
        } else {
            None
        };
        if let Some(o) = line.as_object_mut() {
            o.insert("src".into(), "192.0.2.1".into());
            o.insert("dst".into(), "198.51.100.2".into());
            o.insert("sport".into(), port.into());
            o.insert("dport".into(), port.into());
        }
        let (frame, ours) = common::our_facts(&line).expect("our JSON shape parses");
        assert_eq!(frame, n);
        // Frames whose payload bodies are not built by hand compare on the
        // header and payload sequence only.
        let base = name.split(" on udp/").next().unwrap_or(name);
        let full = HAND_BODIES.contains(&base) || !base.starts_with('v');
        let keep = |k: &String| full || !k.starts_with("isakmp.p");
        let t_cmp: Facts = t
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let ours: Facts = ours.into_iter().filter(|(k, _)| keep(k)).collect();
        assert_eq!(ours, t_cmp, "frame {n} ({name})");
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} frames checked");
}

/// Sample messages whose payload bodies `hand_json` builds.
const HAND_BODIES: &[&str] = &[
    "v1-main-mode-1",
    "v1-informational",
    "v1-quick-mode-clear",
    "v2-sa-init",
    "v2-sa-init-response",
];

/// Our JSON line for a hand-built frame: the header and payload chain come
/// from `ikescope::ike::parse_message` (real on every branch), the bodies of
/// the SA, Notify and Delete payloads are built here from the same values
/// the builder wrote.
fn hand_json(name: &str, frame: u64) -> Option<serde_json::Value> {
    use ikescope::esp::{Ah, Esp};
    use ikescope::ike::{self, Attribute, Body, Delete, Id, Ke, Notify, Proposal, Sa, Transform};
    use serde_json::json;

    let tv = |t: u16, v: u64| Attribute {
        attr_type: t,
        name: None,
        value: Some(v),
        value_name: None,
        bytes: &[],
        tv: true,
    };
    let tlv = |t: u16, b: &'static [u8]| Attribute {
        attr_type: t,
        name: None,
        value: (b.len() <= 8).then(|| b.iter().fold(0u64, |a, x| a << 8 | u64::from(*x))),
        value_name: None,
        bytes: b,
        tv: false,
    };
    let v1_tf = |n: u8, enc: u64| Transform {
        number: Some(n),
        transform_type: None,
        transform_type_name: None,
        transform_id: 1,
        transform: None,
        attributes: vec![
            tv(1, enc),
            tv(14, 256),
            tv(2, 2),
            tv(4, 14),
            tv(3, 65001),
            tv(11, 1),
            tlv(12, &[0, 1, 0x51, 0x80]),
        ],
    };
    let v2_tf = |t: u8, id: u16, attrs: Vec<Attribute<'static>>| Transform {
        number: None,
        transform_type: Some(t),
        transform_type_name: None,
        transform_id: id,
        transform: None,
        attributes: attrs,
    };
    let prop =
        |number: u8, protocol_id: u8, spi: &'static [u8], tfs: Vec<Transform<'static>>| Proposal {
            number,
            protocol_id,
            protocol: None,
            spi,
            transform_count: tfs.len() as u8,
            transforms: tfs,
        };
    let notify = |doi: Option<u32>, protocol_id: u8, spi: &'static [u8], t: u16| {
        Body::Notify(Notify {
            doi,
            protocol_id,
            spi,
            notify_type: t,
            notify: None,
            data: &[],
            detail: None,
        })
    };

    // The 16-byte SPI (cookie pair) of the IKEv1 notifies, as built.
    let cookie_pair: &'static [u8] = Box::leak(build::opaque(16, 7).into_boxed_slice());
    let id_v4 = |addr: &'static [u8]| {
        Body::Id(Id {
            id_type: 1,
            id_type_name: None,
            protocol: 17,
            port: 500,
            value: String::new(),
            data: addr,
        })
    };
    let base = name.split(" on udp/").next().unwrap_or(name);
    let proto_line = |proto: &str, key: &str, v: serde_json::Value| json!({"frame": frame, "proto": proto, key: v});
    match base {
        "esp" => {
            let e = Esp::parse(&build::esp(0x2afe_a5c7, 5, 48)).ok()?;
            return Some(proto_line("esp", "esp", serde_json::to_value(e).ok()?));
        }
        "esp-in-udp" => {
            let e = Esp::parse(&build::esp(0xc0ff_ee01, 7, 40)).ok()?;
            return Some(proto_line("esp", "esp", serde_json::to_value(e).ok()?));
        }
        "ah+esp" => {
            let a = Ah::parse(&build::ah(50, 0x8179_b705, 3, &[])).ok()?;
            return Some(proto_line("ah", "ah", serde_json::to_value(a).ok()?));
        }
        "nat-keepalive" => return Some(json!({"frame": frame, "proto": "nat-keepalive"})),
        _ => {}
    }
    let bytes = build::sample_messages()
        .into_iter()
        .find(|(n, _)| *n == base)?
        .1;
    let mut msg = ike::parse_message(&bytes).ok()?;
    let bodies: Vec<Option<Body<'static>>> = match base {
        "v1-main-mode-1" => vec![
            Some(Body::Sa(Sa {
                doi: Some(1),
                situation: Some(1),
                proposals: vec![prop(1, 1, &[], vec![v1_tf(1, 7), v1_tf(2, 5)])],
            })),
            None,
            None,
        ],
        "v1-informational" => vec![
            Some(notify(Some(1), 1, cookie_pair, 14)),
            Some(notify(Some(1), 1, cookie_pair, 36136)),
            Some(Body::Delete(Delete {
                doi: Some(1),
                protocol_id: 3,
                protocol: None,
                spi_size: 4,
                spis: vec![&[1, 2, 3, 4], &[5, 6, 7, 8]],
            })),
            Some(notify(Some(1), 3, &[0xde, 0xad, 0xbe, 0xef], 24576)),
        ],
        "v1-quick-mode-clear" => vec![
            None,
            Some(Body::Sa(Sa {
                doi: Some(1),
                situation: Some(1),
                proposals: vec![prop(
                    1,
                    3,
                    &[0xde, 0xad, 0xbe, 0xef],
                    vec![Transform {
                        number: Some(1),
                        transform_type: None,
                        transform_type_name: None,
                        transform_id: 12,
                        transform: None,
                        attributes: vec![
                            tv(1, 1),
                            tlv(2, &[0, 0, 0x0e, 0x10]),
                            tv(4, 61443),
                            tv(5, 2),
                            tv(6, 128),
                            tlv(2, &[0; 12]),
                            tlv(3, &[]),
                        ],
                    }],
                )],
            })),
            None,
            Some(id_v4(&[192, 0, 2, 0])),
            Some(id_v4(&[198, 51, 100, 0])),
        ],
        "v2-sa-init" => vec![
            Some(Body::Sa(Sa {
                doi: None,
                situation: None,
                proposals: vec![
                    prop(
                        1,
                        1,
                        &[],
                        vec![
                            v2_tf(1, 20, vec![tv(14, 256)]),
                            v2_tf(2, 7, vec![]),
                            v2_tf(3, 14, vec![]),
                            v2_tf(4, 19, vec![]),
                        ],
                    ),
                    prop(
                        2,
                        1,
                        &[],
                        vec![
                            v2_tf(1, 12, vec![tv(14, 128)]),
                            v2_tf(2, 2, vec![]),
                            v2_tf(3, 2, vec![]),
                            v2_tf(4, 14, vec![]),
                        ],
                    ),
                ],
            })),
            Some(Body::Ke(Ke {
                group: Some(19),
                group_name: None,
                data_length: 64,
                data: &[],
            })),
            None,
            Some(notify(None, 0, &[], 16388)),
            Some(notify(None, 0, &[], 16389)),
            Some(notify(None, 0, &[], 16430)),
            Some(notify(None, 0, &[], 16431)),
            None,
        ],
        "v2-sa-init-response" => vec![
            Some(notify(None, 0, &[], 17)),
            Some(notify(None, 0, &[], 16390)),
        ],
        _ => vec![],
    };
    // The lifetime of `msg` is tied to `bytes`; the hand-built bodies are
    // 'static, so they fit.
    for (p, b) in msg.payloads.iter_mut().zip(bodies) {
        if let Some(b) = b {
            p.body = b;
        }
    }
    let v = serde_json::to_value(&msg).ok()?;
    Some(json!({"frame": frame, "proto": "isakmp", "isakmp": v}))
}

// ---------------------------------------------------------------------
// Why each exception kind and rule exists, shown from tshark's output.
// ---------------------------------------------------------------------

/// Run tshark `-T fields` on one frame and return the tab-separated values.
fn tshark_fields(path: &Path, frame: u64, fields: &[&str]) -> Vec<String> {
    let mut cmd = std::process::Command::new("tshark");
    cmd.arg("-n")
        .arg("-r")
        .arg(path)
        .args(["-Y", &format!("frame.number == {frame}")])
        .args(["-T", "fields", "-E", "occurrence=f"]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or("");
    let mut v: Vec<String> = line.split('\t').map(str::to_string).collect();
    v.resize(fields.len(), String::new());
    v
}

fn udp_payload(path: &Path, frame: u64) -> Vec<u8> {
    let v = tshark_fields(path, frame, &["udp.payload"]);
    hex::decode(common::colon_hex(&v[0])).unwrap_or_default()
}

/// ISAKMP length 0 and a payload-length loop: the UDP/500 payload carries
/// an IKEv1 header, tshark shows only `data`; `parse_message` still reads
/// the header (and reports the broken length).
#[test]
fn why_tshark_skips_broken_isakmp() {
    for rel in [
        "zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap",
        "tcpdump/isakmp-pointer-loop.pcap",
    ] {
        let Some(p) = corpus_file(rel) else { continue };
        let v = tshark_fields(&p, 1, &["frame.protocols", "udp.dstport"]);
        assert!(!v[0].contains("isakmp"), "{rel}: {}", v[0]);
        assert_eq!(v[1], "500", "{rel}");
        let payload = udp_payload(&p, 1);
        let m = ikescope::ike::parse_message(&payload).expect("an ISAKMP header");
        assert_eq!(m.header.version, 1, "{rel}");
        if rel.contains("zero-length") {
            assert_eq!(m.header.length, 0);
            assert!(m.malformed.is_some());
        }
    }
}

/// tshark prints ISAKMP fields for UDP/500 bytes whose major version is 0
/// or 11; `parse_message` says they are not IKE.
#[test]
fn why_not_ike_version() {
    for (rel, version) in [
        ("openswan/isakmp-crash1.pcap", "0x00"),
        ("tcpdump/isakmp-delete-segfault.pcap", "0xbe"),
    ] {
        let Some(p) = corpus_file(rel) else { continue };
        let v = tshark_fields(&p, 1, &["frame.protocols", "isakmp.version"]);
        assert!(v[0].ends_with("isakmp"), "{rel}: {}", v[0]);
        assert_eq!(v[1], version, "{rel}");
        assert!(
            ikescope::ike::parse_message(&udp_payload(&p, 1)).is_err(),
            "{rel}"
        );
    }
}

/// First IPv4 fragments (MF set, offset 0) whose frames were cut short by
/// the snaplen: tshark dissects their payload; no later fragment ever
/// completes them.
#[test]
fn why_unreassembled_first_fragment() {
    for (rel, n) in [
        ("tcpdump/isakmp-ikev1_n_print-oobr.pcap", 1),
        ("tcpdump/isakmp-ikev1_n_print-oobr.pcap", 3),
        ("tcpdump/ikev1_id_ipv6_addr_subnet-oobr.pcap", 1),
        ("tcpdump/isakmp-various-oobr.pcap", 1),
        ("tcpdump/isakmpv1-attr-oobr.pcap", 1),
        ("tcpdump/esp_truncated.pcap", 1),
    ] {
        let Some(p) = corpus_file(rel) else { continue };
        let v = tshark_fields(
            &p,
            n,
            &[
                "frame.protocols",
                "ip.flags.mf",
                "ip.frag_offset",
                "ip.len",
                "frame.cap_len",
            ],
        );
        assert!(
            v[0].contains(":isakmp") || v[0].ends_with(":esp"),
            "{rel} {n}: {}",
            v[0]
        );
        assert_eq!(
            (v[1].as_str(), v[2].as_str()),
            ("1", "0"),
            "{rel} {n}: first fragment"
        );
        let (ip_len, cap): (u32, u32) = (v[3].parse().unwrap(), v[4].parse().unwrap());
        assert!(
            cap < 14 + ip_len,
            "{rel} {n}: captured {cap} < IP length {ip_len}"
        );
    }
}

/// 4 bytes of ESP captured: tshark shows the SPI but no sequence number;
/// `Esp::parse` needs 8.
#[test]
fn why_truncated_esp_header() {
    let Some(p) = corpus_file("openswan/01-sunrise-sunset-esp-shorter.pcap") else {
        return;
    };
    let t = tshark_frame(&p, 1);
    assert_eq!(fact(&t.facts, "esp.spi"), "12345678");
    assert_eq!(fact(&t.facts, "esp.seq"), ABSENT);
    let v = tshark_fields(&p, 1, &["ip.len", "ip.hdr_len"]);
    let esp_len = v[0].parse::<usize>().unwrap() - v[1].parse::<usize>().unwrap();
    assert_eq!(esp_len, 4);
    assert!(ikescope::esp::Esp::parse(&[0x12, 0x34, 0x56, 0x78]).is_err());
}

/// A broken payload body: `parse_message` reports the error at an offset
/// inside the first payload tshark lists beyond ours.
#[test]
fn why_broken_payload_not_listed() {
    for rel in [
        "tcpdump/ikev2-id-short.pcap",
        "tcpdump/ikev2pI2-segfault.pcapng",
        "zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap",
    ] {
        let Some(p) = corpus_file(rel) else { continue };
        let t = tshark_frame(&p, 1);
        let theirs: Vec<&str> = fact(&t.facts, "isakmp.payloads").split(',').collect();
        let payload = udp_payload(&p, 1);
        let m = ikescope::ike::parse_message(&payload).expect("IKE header");
        let err = m.malformed.as_ref().expect("malformed");
        assert!(
            m.payloads.len() < theirs.len(),
            "{rel}: tshark lists more payloads"
        );
        // Every payload we kept is one tshark lists, in order.
        for (i, p) in m.payloads.iter().enumerate() {
            assert_eq!(p.ptype.to_string(), theirs[i], "{rel}: payload {i}");
        }
        // The error lies past the payloads we kept: in the first one
        // tshark lists and we do not.
        let kept_end = m
            .payloads
            .last()
            .map_or(28, |p| p.offset + usize::from(p.length));
        assert!(
            err.offset >= kept_end,
            "{rel}: error at {:#x} before {kept_end:#x}",
            err.offset
        );
    }
}

/// UDP to/from 4500 whose UDP length is broken: tshark stops at UDP.
#[test]
fn why_broken_udp_on_4500() {
    for (rel, n) in [
        ("tcpdump/isakmp-rfc3948-oobr.pcap", 23),
        ("tcpdump/isakmp-3948-oobr-2.pcap", 1),
    ] {
        let Some(p) = corpus_file(rel) else { continue };
        let v = tshark_fields(
            &p,
            n,
            &["frame.protocols", "udp.srcport", "udp.length", "ip.len"],
        );
        assert!(v[0].ends_with(":udp"), "{rel}: {}", v[0]);
        assert_eq!(v[1], "4500");
        let (udp_len, ip_len): (u32, u32) = (v[2].parse().unwrap(), v[3].parse().unwrap());
        assert!(
            udp_len + 20 > ip_len || udp_len < 8,
            "{rel}: udp {udp_len} ip {ip_len}"
        );
    }
}

/// ICMP errors quoting ESP: tshark's path is ip:icmp:ip:esp.
#[test]
fn why_quoted_in_icmp() {
    let Some(p) = corpus_file("wireshark-wiki/ipsec_esp_capture_2__capture.pcap") else {
        return;
    };
    let t = tshark_frame(&p, 728);
    assert!(t.protocols.contains(":icmp:ip:esp"), "{}", t.protocols);
    assert_eq!(Rule::for_protocols(&t.protocols), Some(Rule::QuotedInIcmp));
    assert_eq!(Rule::for_protocols("eth:ethertype:ip:ah:icmp:data"), None);
}

/// ESP inside GTP-U inside VLAN-tagged IPv4.
#[test]
fn why_inside_gtp() {
    let Some(p) = corpus_file("ndpi/ipv6_in_gtp.pcap") else {
        return;
    };
    let t = tshark_frame(&p, 2);
    assert!(t.protocols.contains(":gtp:ipv6:esp"), "{}", t.protocols);
    assert_eq!(Rule::for_protocols(&t.protocols), Some(Rule::InsideGtp));
}
