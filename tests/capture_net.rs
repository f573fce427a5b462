//! Capture reader and network layer against the public corpus, with tshark
//! as the oracle: frame count, time stamps, and the frames where IKE, ESP,
//! AH or a NAT-T keepalive is found.
//!
//! When `../shared/corpus` or tshark is absent the checks that need them
//! are skipped with a message, and fail under `CI=true` (tests/oracle).

mod oracle;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use ikescope::capture::{self, Frame, FrameSink, Notice, ReadOptions, Timestamp};
use ikescope::net::{Decoded, Decoder, NetOptions};

/// Which frames an exception covers.
enum Frames {
    /// These frames.
    List(&'static [u64]),
    /// This many frames, each an ICMP/ICMPv6 error whose quoted packet is
    /// where tshark finds IPsec (checked against tshark's protocol chain).
    IcmpQuotes(usize),
}

/// Frames where tshark and ikescope legitimately disagree.
struct Exception {
    /// File, relative to the corpus.
    file: &'static str,
    frames: Frames,
    /// true: only tshark finds IPsec there; false: only ikescope.
    only_tshark: bool,
    reason: &'static str,
}

const ICMP_QUOTE: &str = "an ICMP error quoting an IPsec packet: tshark dissects the quoted \
    header; ikescope reports only IPsec packets as sent (a quoted copy would repeat \
    an SPI and sequence number that already went by)";
const BROKEN_ISAKMP: &str = "UDP 500 payload with a broken ISAKMP header: tshark shows it as \
    plain data; ikescope hands every UDP 500 payload to the IKE parser, which reports \
    the malformation";

const EXCEPTIONS: &[Exception] = &[
    Exception {
        file: "ndpi/ipv6_in_gtp.pcap",
        frames: Frames::List(&[2]),
        only_tshark: true,
        reason: "ESP inside a GTP-U tunnel (UDP 2152): tshark dissects the tunnelled \
            packet; ikescope analyses the outer IP packet only",
    },
    Exception {
        file: "tcpdump/isakmp-pointer-loop.pcap",
        frames: Frames::List(&[1]),
        only_tshark: false,
        reason: BROKEN_ISAKMP,
    },
    Exception {
        file: "zeek-spicy-ipsec/ipsec-ikev1-zero-length.pcap",
        frames: Frames::List(&[1]),
        only_tshark: false,
        reason: BROKEN_ISAKMP,
    },
    Exception {
        file: "wireshark-wiki/ipsec_esp_capture_2__capture.pcap",
        frames: Frames::IcmpQuotes(312),
        only_tshark: true,
        reason: ICMP_QUOTE,
    },
    Exception {
        file: "zeek/ipv6_zero_len_ah.pcap",
        frames: Frames::IcmpQuotes(1),
        only_tshark: true,
        reason: ICMP_QUOTE,
    },
];

struct Collect {
    dec: Decoder,
    frames: Vec<(u64, Timestamp)>,
    ipsec: BTreeSet<u64>,
    notices: Vec<Notice>,
}

impl FrameSink for Collect {
    fn frame(&mut self, f: &Frame<'_>) {
        self.frames.push((f.number, f.ts));
        if let Decoded::Datagram(d) = self.dec.decode(f) {
            self.ipsec.insert(d.frame);
        }
    }
    fn notice(&mut self, n: Notice) {
        self.notices.push(n);
    }
}

fn corpus(test: &str) -> Option<PathBuf> {
    oracle::corpus(test)
}

/// tshark is there; when it is not, the test says so (and fails under CI).
fn have_tshark(test: &str) -> bool {
    oracle::tshark(test)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("pcap" | "pcapng" | "cap")
        ) {
            out.push(p);
        }
    }
}

/// "1234.000001000" → Timestamp, exactly (records without a time stamp,
/// such as pcapng custom blocks, print nothing: zero).
fn parse_epoch(s: &str) -> Timestamp {
    if s.is_empty() {
        return Timestamp::default();
    }
    let (secs, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut digits: String = frac.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    Timestamp {
        secs: secs.parse().unwrap(),
        nanos: digits.parse().unwrap(),
    }
}

struct Oracle {
    frames: Vec<(u64, Timestamp)>,
    ipsec: BTreeSet<u64>,
    /// Frames where IPsec appears only inside an ICMP/ICMPv6 error.
    icmp_quoted: BTreeSet<u64>,
}

fn tshark(path: &Path) -> Oracle {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.protocols",
        ])
        .output()
        .expect("tshark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut o = Oracle {
        frames: Vec::new(),
        ipsec: BTreeSet::new(),
        icmp_quoted: BTreeSet::new(),
    };
    for line in text.lines() {
        let mut it = line.split('\t');
        let (Some(n), Some(t), protos) = (it.next(), it.next(), it.next().unwrap_or("")) else {
            continue;
        };
        let n: u64 = n.parse().unwrap();
        o.frames.push((n, parse_epoch(t)));
        let layers: Vec<&str> = protos.split(':').collect();
        let is_ipsec = |p: &&str| matches!(*p, "isakmp" | "esp" | "ah" | "udpencap");
        if let Some(first) = layers.iter().position(is_ipsec) {
            o.ipsec.insert(n);
            if layers[..first]
                .iter()
                .any(|p| matches!(*p, "icmp" | "icmpv6"))
            {
                o.icmp_quoted.insert(n);
            }
        }
    }
    o
}

#[test]
fn corpus_agrees_with_tshark() {
    let Some(root) = corpus("corpus_agrees_with_tshark") else {
        return;
    };
    if !have_tshark("corpus_agrees_with_tshark") {
        return;
    }
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    assert!(!files.is_empty());
    // tshark dominates the run time: two workers.
    let results: Vec<FileCheck> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (root, files) = (&root, &files);
                s.spawn(move || {
                    files
                        .iter()
                        .skip(w)
                        .step_by(2)
                        .map(|p| check_file(root, p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    let problems: Vec<String> = results.iter().flat_map(|r| r.problems.clone()).collect();
    let frames: usize = results.iter().map(|r| r.frames).sum();
    let ipsec: usize = results.iter().map(|r| r.ipsec).sum();
    let exceptions: usize = results.iter().map(|r| r.exceptions).sum();
    eprintln!(
        "{} files, {frames} frames, {ipsec} IPsec frames agreed, {exceptions} listed exceptions",
        files.len()
    );
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// One corpus file checked against tshark.
struct FileCheck {
    problems: Vec<String>,
    frames: usize,
    ipsec: usize,
    exceptions: usize,
}

fn check_file(root: &Path, path: &Path) -> FileCheck {
    let rel = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut r = FileCheck {
        problems: Vec::new(),
        frames: 0,
        ipsec: 0,
        exceptions: 0,
    };
    let mut c = Collect {
        dec: Decoder::new(NetOptions::default()),
        frames: Vec::new(),
        ipsec: BTreeSet::new(),
        notices: Vec::new(),
    };
    if let Err(e) = capture::read_path(path, &ReadOptions::default(), &mut c) {
        r.problems.push(format!("{rel}: read error {e}"));
        return r;
    }
    // The same file gzip-compressed reads the same.
    let mut z = Collect {
        dec: Decoder::new(NetOptions::default()),
        frames: Vec::new(),
        ipsec: BTreeSet::new(),
        notices: Vec::new(),
    };
    let raw = std::fs::read(path).unwrap();
    match capture::read_bytes(&gz(&raw), &ReadOptions::default(), &mut z) {
        Ok(s) if s.compressed && z.frames == c.frames && z.ipsec == c.ipsec => {}
        other => r
            .problems
            .push(format!("{rel}: differs when gzipped: {other:?}")),
    }
    if std::env::var_os("IKESCOPE_SHOW_NOTICES").is_some() {
        for n in &c.notices {
            eprintln!("{rel}: capture notice: {}", n.message);
        }
        for n in c.dec.finish() {
            eprintln!("{rel}: net notice: {n:?}");
        }
    }
    let o = tshark(path);
    r.frames = o.frames.len();
    if c.frames.len() != o.frames.len() {
        r.problems.push(format!(
            "{rel}: {} frames, tshark {}",
            c.frames.len(),
            o.frames.len()
        ));
    }
    if let Some((a, b)) = c.frames.iter().zip(&o.frames).find(|(a, b)| a != b) {
        r.problems
            .push(format!("{rel}: frame/time {a:?} vs tshark {b:?}"));
    }
    let mut ours = c.ipsec.clone();
    let mut theirs = o.ipsec.clone();
    for e in EXCEPTIONS.iter().filter(|e| e.file == rel) {
        let (set, other) = if e.only_tshark {
            (&mut theirs, &ours)
        } else {
            (&mut ours, &theirs)
        };
        let frames: Vec<u64> = match e.frames {
            Frames::List(l) => l.to_vec(),
            Frames::IcmpQuotes(count) => {
                let q: Vec<u64> = o.icmp_quoted.difference(other).copied().collect();
                if q.len() != count {
                    r.problems.push(format!(
                        "{rel}: {} ICMP-quoted IPsec frames, {count} listed",
                        q.len()
                    ));
                }
                q
            }
        };
        for f in frames {
            if other.contains(&f) || !set.remove(&f) {
                r.problems.push(format!(
                    "{rel}: exception for frame {f} ({}) no longer applies",
                    e.reason
                ));
            }
            r.exceptions += 1;
        }
    }
    r.ipsec = theirs.len();
    let only_us: Vec<_> = ours.difference(&theirs).collect();
    let only_them: Vec<_> = theirs.difference(&ours).collect();
    if !only_us.is_empty() || !only_them.is_empty() {
        r.problems.push(format!(
            "{rel}: only ours {only_us:?}, only tshark {only_them:?}"
        ));
    }
    r
}

// ---------------------------------------------------------------------------
// Hand-built captures and packets.
// ---------------------------------------------------------------------------

use std::borrow::Cow;
use std::net::IpAddr;

use ikescope::capture::{CaptureError, Format, LinkType, Origin, ReadSummary};
use ikescope::net::{Datagram, Layer, NetNotice, Payload};

/// A frame as delivered, owned.
#[derive(Debug, Clone, PartialEq)]
struct Got {
    number: u64,
    ts: Timestamp,
    link: LinkType,
    data: Vec<u8>,
    orig_len: u32,
    interface: u32,
}

#[derive(Default)]
struct Keep {
    frames: Vec<Got>,
    notices: Vec<Notice>,
}

impl FrameSink for Keep {
    fn frame(&mut self, f: &Frame<'_>) {
        assert_eq!(f.origin, Origin::Wire);
        self.frames.push(Got {
            number: f.number,
            ts: f.ts,
            link: f.link,
            data: f.data.to_vec(),
            orig_len: f.orig_len,
            interface: f.interface,
        });
    }
    fn notice(&mut self, n: Notice) {
        self.notices.push(n);
    }
}

fn read(bytes: &[u8]) -> (Result<ReadSummary, CaptureError>, Keep) {
    let mut k = Keep::default();
    let r = capture::read_bytes(bytes, &ReadOptions::default(), &mut k);
    (r, k)
}

fn ts(secs: i64, nanos: u32) -> Timestamp {
    Timestamp { secs, nanos }
}

// --- pcap -----------------------------------------------------------------

struct Rec<'a> {
    secs: u32,
    frac: u32,
    data: &'a [u8],
    orig_len: u32,
}

fn pcap(big: bool, ns: bool, link: u32, recs: &[Rec<'_>]) -> Vec<u8> {
    let w32 = |v: &mut Vec<u8>, x: u32| {
        v.extend_from_slice(&if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        })
    };
    let w16 = |v: &mut Vec<u8>, x: u16| {
        v.extend_from_slice(&if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        })
    };
    let mut v = Vec::new();
    w32(&mut v, if ns { 0xa1b2_3c4d } else { 0xa1b2_c3d4 });
    w16(&mut v, 2);
    w16(&mut v, 4);
    w32(&mut v, 0);
    w32(&mut v, 0);
    w32(&mut v, 65535);
    w32(&mut v, link);
    for r in recs {
        w32(&mut v, r.secs);
        w32(&mut v, r.frac);
        w32(&mut v, r.data.len() as u32);
        w32(&mut v, r.orig_len);
        v.extend_from_slice(r.data);
    }
    v
}

fn rec(secs: u32, frac: u32, data: &[u8]) -> Rec<'_> {
    Rec {
        secs,
        frac,
        data,
        orig_len: data.len() as u32,
    }
}

#[test]
fn pcap_both_byte_orders_and_resolutions() {
    let a = [1u8, 2, 3, 4, 5];
    let b = [9u8; 60];
    for big in [false, true] {
        for ns in [false, true] {
            let f = pcap(
                big,
                ns,
                1,
                &[rec(1_700_000_000, 123_456, &a), rec(1_700_000_001, 999, &b)],
            );
            assert_eq!(capture::sniff(&f), Some((Format::Pcap, false)));
            let (r, k) = read(&f);
            let s = r.unwrap();
            assert_eq!(
                (s.format, s.compressed, s.frames, s.bytes),
                (Format::Pcap, false, 2, f.len() as u64)
            );
            assert!(s.stopped.is_none() && k.notices.is_empty());
            let mul = if ns { 1 } else { 1000 };
            assert_eq!(k.frames[0].ts, ts(1_700_000_000, 123_456 * mul));
            assert_eq!(k.frames[1].ts, ts(1_700_000_001, 999 * mul));
            assert_eq!(k.frames[0].data, a);
            assert_eq!(k.frames[1].data, b);
            assert_eq!((k.frames[0].number, k.frames[1].number), (1, 2));
            assert_eq!(k.frames[1].link, LinkType::ETHERNET);
        }
    }
}

#[test]
fn pcap_snaplen_truncated_record_is_delivered() {
    let d = [7u8; 40];
    let f = pcap(
        false,
        false,
        1,
        &[Rec {
            secs: 1,
            frac: 0,
            data: &d,
            orig_len: 1500,
        }],
    );
    let (r, k) = read(&f);
    assert_eq!(r.unwrap().frames, 1);
    assert_eq!(k.frames[0].data.len(), 40);
    assert_eq!(k.frames[0].orig_len, 1500);
}

#[test]
fn pcap_corrupt_record_header_stops_with_offset() {
    let d = [7u8; 20];
    let mut f = pcap(
        false,
        false,
        1,
        &[rec(1, 0, &d), rec(2, 0, &d), rec(3, 0, &d)],
    );
    // Third record header: captured length 0x7fffffff.
    let third = 24 + 2 * (16 + 20);
    f[third + 8..third + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let (r, k) = read(&f);
    let s = r.unwrap();
    assert_eq!(s.frames, 2);
    assert_eq!(k.frames.len(), 2);
    let n = s.stopped.expect("stopped");
    assert_eq!(n.offset, Some(third as u64));
    assert!(
        n.message.contains("0x") && n.message.contains("2147483647"),
        "{}",
        n.message
    );
    assert_eq!(k.notices, vec![n]);
}

#[test]
fn pcap_cut_mid_record_keeps_the_rest() {
    let d = [7u8; 20];
    let f = pcap(true, false, 1, &[rec(1, 0, &d), rec(2, 0, &d)]);
    for cut in [f.len() - 1, f.len() - 21, f.len() - 30] {
        let (r, k) = read(&f[..cut]);
        let s = r.unwrap();
        assert_eq!(s.frames, 1, "cut at {cut}");
        assert_eq!(k.frames.len(), 1);
        assert_eq!(s.stopped.unwrap().offset, Some(24 + 36));
    }
    // Cut exactly at a record boundary: a clean end.
    let (r, _) = read(&f[..24 + 36]);
    let s = r.unwrap();
    assert!(s.stopped.is_none() && s.frames == 1);
}

#[test]
fn bad_file_headers() {
    let f = pcap(false, false, 1, &[]);
    assert!(matches!(
        read(&f[..20]).0,
        Err(CaptureError::BadHeader { offset: 0, .. })
    ));
    assert!(matches!(
        read(b"hello world, not a capture").0,
        Err(CaptureError::NotACapture)
    ));
    assert!(matches!(read(&[]).0, Err(CaptureError::NotACapture)));
    // pcapng with a bad byte-order magic.
    let mut g = shb(false);
    g[8..12].copy_from_slice(&[1, 2, 3, 4]);
    assert!(matches!(read(&g).0, Err(CaptureError::BadHeader { .. })));
    assert_eq!(capture::sniff(&[0xd4, 0xc3]), None);
}

// --- pcapng ---------------------------------------------------------------

fn block(big: bool, btype: u32, body: &[u8]) -> Vec<u8> {
    let w = |x: u32| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut body = body.to_vec();
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    let len = 12 + body.len() as u32;
    let mut v = Vec::new();
    v.extend_from_slice(&w(btype));
    v.extend_from_slice(&w(len));
    v.extend_from_slice(&body);
    v.extend_from_slice(&w(len));
    v
}

fn shb(big: bool) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&if big {
        0x1a2b_3c4du32.to_be_bytes()
    } else {
        0x1a2b_3c4du32.to_le_bytes()
    });
    body.extend_from_slice(&if big { [0, 1, 0, 0] } else { [1, 0, 0, 0] });
    body.extend_from_slice(&[0xff; 8]);
    block(big, 0x0a0d_0d0a, &body)
}

fn opt(big: bool, code: u16, value: &[u8]) -> Vec<u8> {
    let w16 = |x: u16| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut v = Vec::new();
    v.extend_from_slice(&w16(code));
    v.extend_from_slice(&w16(value.len() as u16));
    v.extend_from_slice(value);
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
    v
}

fn idb(big: bool, link: u16, snaplen: u32, tsresol: Option<u8>, tsoffset: Option<i64>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&if big {
        link.to_be_bytes()
    } else {
        link.to_le_bytes()
    });
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&if big {
        snaplen.to_be_bytes()
    } else {
        snaplen.to_le_bytes()
    });
    // An unrelated option first (if_name), to exercise option walking.
    body.extend_from_slice(&opt(big, 2, b"eth0"));
    if let Some(r) = tsresol {
        body.extend_from_slice(&opt(big, 9, &[r]));
    }
    if let Some(o) = tsoffset {
        body.extend_from_slice(&opt(
            big,
            14,
            &if big {
                o.to_be_bytes()
            } else {
                o.to_le_bytes()
            },
        ));
    }
    body.extend_from_slice(&opt(big, 0, &[]));
    block(big, 1, &body)
}

fn epb(big: bool, iface: u32, raw: u64, data: &[u8], orig: u32) -> Vec<u8> {
    let w = |x: u32| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut body = Vec::new();
    body.extend_from_slice(&w(iface));
    body.extend_from_slice(&w((raw >> 32) as u32));
    body.extend_from_slice(&w(raw as u32));
    body.extend_from_slice(&w(data.len() as u32));
    body.extend_from_slice(&w(orig));
    body.extend_from_slice(data);
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
    body.extend_from_slice(&opt(big, 1, b"a comment"));
    body.extend_from_slice(&opt(big, 0, &[]));
    block(big, 6, &body)
}

fn pb(big: bool, iface: u16, raw: u64, data: &[u8], orig: u32) -> Vec<u8> {
    let w = |x: u32| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut body = Vec::new();
    body.extend_from_slice(&if big {
        iface.to_be_bytes()
    } else {
        iface.to_le_bytes()
    });
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&w((raw >> 32) as u32));
    body.extend_from_slice(&w(raw as u32));
    body.extend_from_slice(&w(data.len() as u32));
    body.extend_from_slice(&w(orig));
    body.extend_from_slice(data);
    block(big, 2, &body)
}

fn spb(big: bool, data: &[u8], orig: u32) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&if big {
        orig.to_be_bytes()
    } else {
        orig.to_le_bytes()
    });
    body.extend_from_slice(data);
    block(big, 3, &body)
}

/// Two sections of opposite byte order, interfaces with their own link types,
/// resolutions and offsets, every packet block kind, and blocks to skip.
fn multi_section() -> Vec<u8> {
    let mut f = Vec::new();
    // Section 1, little-endian.
    f.extend(shb(false));
    f.extend(idb(false, 1, 0, None, None)); // Ethernet, µs
    f.extend(idb(false, 101, 0, Some(9), Some(100))); // raw IP, ns, +100 s
    f.extend(block(false, 4, &[0u8; 12])); // NRB: skipped
    f.extend(epb(false, 0, 1_700_000_000_123_456, &[0xaa; 30], 30));
    f.extend(epb(false, 1, 5_000_000_007, &[0x45; 21], 100)); // truncated
    f.extend(block(false, 5, &[0u8; 20])); // ISB: skipped
    f.extend(block(false, 0x0000_0bad, &[1, 2, 3, 4, 5])); // custom: numbered, not delivered
    f.extend(pb(false, 0, 2_000_000, &[0xbb; 17], 17));
    // Section 2, big-endian: interfaces start again.
    f.extend(shb(true));
    f.extend(idb(true, 113, 50, Some(0x80 | 10), None)); // SLL, 2^-10 s, snaplen 50
                                                         // An SPB holds min(original length, snaplen) bytes.
    f.extend(spb(true, &[0xcc; 50], 64));
    f.extend(epb(true, 0, 3 * 1024 + 256, &[0xdd; 10], 10));
    f.extend(block(true, 0x4000_0bad, &[0, 0, 0, 0])); // numbered, not delivered
    f
}

#[test]
fn pcapng_sections_interfaces_and_blocks() {
    let f = multi_section();
    assert_eq!(capture::sniff(&f), Some((Format::PcapNg, false)));
    let (r, k) = read(&f);
    let s = r.unwrap();
    assert!(s.stopped.is_none(), "{:?}", s.stopped);
    assert_eq!(s.frames, 5);
    assert_eq!(s.bytes, f.len() as u64);
    let nums: Vec<u64> = k.frames.iter().map(|g| g.number).collect();
    assert_eq!(nums, vec![1, 2, 4, 5, 6]);
    let g = &k.frames;
    assert_eq!(
        (g[0].link, g[0].interface, g[0].ts),
        (LinkType::ETHERNET, 0, ts(1_700_000_000, 123_456_000))
    );
    assert_eq!(
        (g[1].link, g[1].interface, g[1].ts),
        (LinkType::RAW, 1, ts(105, 7))
    );
    assert_eq!((g[1].data.len(), g[1].orig_len), (21, 100));
    assert_eq!(
        (g[2].link, g[2].ts, g[2].data.len()),
        (LinkType::ETHERNET, ts(2, 0), 17)
    );
    // SPB: interface 0 of section 2, captured length cut to the snaplen.
    assert_eq!((g[3].link, g[3].interface), (LinkType::LINUX_SLL, 0));
    assert_eq!((g[3].data.len(), g[3].orig_len), (50, 64));
    assert_eq!(g[4].ts, ts(3, 250_000_000));
    assert_eq!(g[4].data, vec![0xdd; 10]);
    // tshark agrees on numbers and time stamps.
    if have_tshark("pcapng_sections_interfaces_and_blocks") {
        let dir = std::env::temp_dir().join(format!("ikescope-multi-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("multi.pcapng");
        std::fs::write(&path, &f).unwrap();
        let o = tshark(&path);
        assert_eq!(o.frames.len(), 7);
        for g in &k.frames {
            assert!(
                o.frames.contains(&(g.number, g.ts)),
                "{} {:?}",
                g.number,
                g.ts
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn pcapng_damage_stops_with_offset() {
    let f = multi_section();
    // Undeclared interface.
    let mut g = shb(false);
    g.extend(idb(false, 1, 0, None, None));
    g.extend(epb(false, 0, 1, &[1; 8], 8));
    let at = g.len() as u64;
    g.extend(epb(false, 3, 1, &[1; 8], 8));
    g.extend(epb(false, 0, 1, &[1; 8], 8));
    let (r, k) = read(&g);
    let s = r.unwrap();
    assert_eq!((s.frames, k.frames.len()), (1, 1));
    let n = s.stopped.unwrap();
    assert_eq!(n.offset, Some(at));
    assert!(n.message.contains("interface 3"), "{}", n.message);
    // A block length that is not a multiple of 4.
    let mut h = f.clone();
    let second_block = shb(false).len();
    h[second_block + 4] = 0x1d;
    let (r, _) = read(&h);
    let s = r.unwrap();
    assert_eq!(s.frames, 0);
    assert_eq!(s.stopped.unwrap().offset, Some(second_block as u64));
    // Cut in the middle of any block: earlier packets kept, never a hang.
    for cut in (1..f.len()).step_by(7) {
        match read(&f[..cut]).0 {
            Ok(s) => assert!(s.frames <= 5),
            Err(e) => assert!(cut < 28, "{cut}: {e}"),
        }
    }
    // A huge claimed block.
    let mut j = shb(true);
    j.extend(idb(true, 1, 0, None, None));
    j.extend(&6u32.to_be_bytes());
    j.extend(&0x7fff_fff0u32.to_be_bytes());
    j.extend(&[0u8; 64]);
    let s = read(&j).0.unwrap();
    assert!(s.stopped.unwrap().message.contains("limit"));
}

// --- gzip -----------------------------------------------------------------

fn gz(data: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_detected_by_magic_and_streamed() {
    // Enough records to cross several 1 MiB windows, with records straddling
    // window boundaries.
    let payloads: Vec<Vec<u8>> = (0..6000u32)
        .map(|i| vec![(i % 251) as u8; 100 + (i as usize * 37) % 1400])
        .collect();
    let recs: Vec<Rec<'_>> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| rec(i as u32, 0, p))
        .collect();
    let plain = pcap(false, true, 1, &recs);
    let packed = gz(&plain);
    assert_eq!(capture::sniff(&packed), Some((Format::Pcap, true)));
    let (r, k) = read(&packed);
    let s = r.unwrap();
    assert_eq!(
        (s.format, s.compressed, s.frames),
        (Format::Pcap, true, 6000)
    );
    assert_eq!(s.bytes, plain.len() as u64);
    for (g, p) in k.frames.iter().zip(&payloads) {
        assert_eq!(&g.data, p);
    }
    // From a file whose name says nothing about compression.
    let dir = std::env::temp_dir().join(format!("ikescope-capnet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("capture.dat");
    std::fs::write(&path, &packed).unwrap();
    let mut k2 = Keep::default();
    let s2 = capture::read_path(&path, &ReadOptions::default(), &mut k2).unwrap();
    assert_eq!((s2.frames, s2.compressed), (6000, true));
    assert_eq!(k2.frames, k.frames);
    // The same, uncompressed, through the streaming file reader.
    std::fs::write(&path, &plain).unwrap();
    let mut k3 = Keep::default();
    let s3 = capture::read_path(&path, &ReadOptions::default(), &mut k3).unwrap();
    assert_eq!((s3.frames, s3.compressed), (6000, false));
    assert_eq!(k3.frames, k.frames);
    // pcapng inside gzip.
    let ng = gz(&multi_section());
    assert_eq!(capture::sniff(&ng), Some((Format::PcapNg, true)));
    let (r, k4) = read(&ng);
    assert_eq!(r.unwrap().frames, 5);
    assert_eq!(k4.frames, read(&multi_section()).1.frames);
    // A gzip stream cut short: the frames before the cut, and a notice.
    let (r, k5) = read(&packed[..packed.len() / 2]);
    let s5 = r.unwrap();
    assert!(s5.frames > 100 && s5.frames < 6000);
    assert_eq!(k5.frames.len() as u64, s5.frames);
    assert!(s5.stopped.is_some());
    std::fs::remove_dir_all(&dir).ok();
}

// --- packets ----------------------------------------------------------------

const A4: [u8; 4] = [192, 0, 2, 1];
const B4: [u8; 4] = [198, 51, 100, 2];
const A6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const B6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/// A minimal ISAKMP-looking payload (28-byte header), for identity checks.
fn ike_msg(len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len).map(|i| (i * 13 % 256) as u8).collect();
    if len >= 4 {
        v[0] = 0x11; // never a zero "marker"
    }
    v
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&sport.to_be_bytes());
    v.extend_from_slice(&dport.to_be_bytes());
    v.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(payload);
    v
}

struct V4 {
    proto: u8,
    id: u16,
    frag_off: usize,
    more: bool,
    options: Vec<u8>,
}

fn v4(proto: u8) -> V4 {
    V4 {
        proto,
        id: 0x1234,
        frag_off: 0,
        more: false,
        options: Vec::new(),
    }
}

fn ipv4(h: &V4, payload: &[u8]) -> Vec<u8> {
    let ihl = 20 + h.options.len();
    assert!(ihl.is_multiple_of(4));
    let total = ihl + payload.len();
    let ff = ((h.frag_off / 8) as u16) | if h.more { 0x2000 } else { 0 };
    let mut v = vec![0x40 | (ihl / 4) as u8, 0];
    v.extend_from_slice(&(total as u16).to_be_bytes());
    v.extend_from_slice(&h.id.to_be_bytes());
    v.extend_from_slice(&ff.to_be_bytes());
    v.extend_from_slice(&[64, h.proto, 0, 0]);
    v.extend_from_slice(&A4);
    v.extend_from_slice(&B4);
    v.extend_from_slice(&h.options);
    v.extend_from_slice(payload);
    v
}

/// IPv6 with `exts` = (header type, bytes incl. its next-header byte slot).
fn ipv6(nh_chain: &[(u8, Vec<u8>)], upper: u8, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    let first = nh_chain.first().map_or(upper, |(t, _)| *t);
    for (i, (_, bytes)) in nh_chain.iter().enumerate() {
        let next = nh_chain.get(i + 1).map_or(upper, |(t, _)| *t);
        let mut b = bytes.clone();
        b[0] = next;
        body.extend_from_slice(&b);
    }
    body.extend_from_slice(payload);
    let mut v = vec![0x60, 0, 0, 0];
    v.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v.extend_from_slice(&[first, 64]);
    v.extend_from_slice(&A6);
    v.extend_from_slice(&B6);
    v.extend_from_slice(&body);
    v
}

fn eth(ethertype: u16, tags: &[u16], l3: &[u8]) -> Vec<u8> {
    let mut v = vec![0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
    for t in tags {
        v.extend_from_slice(&t.to_be_bytes());
        v.extend_from_slice(&[0x00, 0x64]);
    }
    v.extend_from_slice(&ethertype.to_be_bytes());
    v.extend_from_slice(l3);
    v
}

fn frame(number: u64, link: LinkType, data: &[u8]) -> Frame<'_> {
    Frame {
        number,
        ts: ts(1000 + number as i64, 0),
        link,
        data,
        orig_len: data.len() as u32,
        interface: 0,
        origin: Origin::Wire,
    }
}

fn decoder() -> Decoder {
    Decoder::new(NetOptions::default())
}

fn datagram<'a>(d: Decoded<'a>) -> Datagram<'a> {
    match d {
        Decoded::Datagram(d) => d,
        other => panic!("expected a datagram, got {other:?}"),
    }
}

fn ike_data<'a, 'b>(d: &'b Datagram<'a>) -> (&'b [u8], bool) {
    match &d.payload {
        Payload::Ike { data, marker } => (data.as_ref(), *marker),
        p => panic!("expected IKE, got {p:?}"),
    }
}

#[test]
fn every_link_type_carries_ike() {
    let msg = ike_msg(60);
    let p4 = ipv4(&v4(17), &udp(500, 500, &msg));
    let p6 = ipv6(&[], 17, &udp(500, 500, &msg));
    let mut sll = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00];
    sll.extend_from_slice(&p4);
    let mut sll2 = vec![
        0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    sll2.extend_from_slice(&p6);
    let with = |head: &[u8], l3: &[u8]| [head, l3].concat();
    let cases: Vec<(LinkType, Vec<u8>, bool)> = vec![
        (LinkType::ETHERNET, eth(0x0800, &[], &p4), false),
        (LinkType::ETHERNET, eth(0x86dd, &[], &p6), true),
        (LinkType::ETHERNET, eth(0x0800, &[0x8100], &p4), false),
        (
            LinkType::ETHERNET,
            eth(0x86dd, &[0x88a8, 0x8100], &p6),
            true,
        ),
        (
            LinkType::ETHERNET,
            eth(0x0800, &[0x9100, 0x8100], &p4),
            false,
        ),
        (LinkType::RAW, p4.clone(), false),
        (LinkType::RAW, p6.clone(), true),
        (LinkType::RAW_12, p4.clone(), false),
        (LinkType::RAW_14, p6.clone(), true),
        (LinkType::IPV4, p4.clone(), false),
        (LinkType::IPV6, p6.clone(), true),
        (LinkType::LINUX_SLL, sll, false),
        (LinkType::LINUX_SLL2, sll2, true),
        (LinkType::NULL, with(&[2, 0, 0, 0], &p4), false),
        (LinkType::NULL, with(&[0, 0, 0, 2], &p4), false),
        (LinkType::NULL, with(&[24, 0, 0, 0], &p6), true),
        (LinkType::NULL, with(&[0, 0, 0, 30], &p6), true),
        (LinkType::LOOP, with(&[0, 0, 0, 2], &p4), false),
        (LinkType::LOOP, with(&[0, 0, 0, 28], &p6), true),
    ];
    let mut dec = decoder();
    for (i, (link, data, six)) in cases.iter().enumerate() {
        let d = datagram(dec.decode(&frame(i as u64 + 1, *link, data)));
        assert_eq!(ike_data(&d), (&msg[..], false), "case {i} {link}");
        assert_eq!(
            (d.sport, d.dport, d.truncated),
            (Some(500), Some(500), false)
        );
        assert_eq!(d.frame, i as u64 + 1);
        let (src, dst): (IpAddr, IpAddr) = if *six {
            (A6.into(), B6.into())
        } else {
            (A4.into(), B4.into())
        };
        assert_eq!((d.src, d.dst), (src, dst), "case {i}");
        assert_eq!(d.ip_length, if *six { 40 + 8 + 60 } else { 20 + 8 + 60 });
        assert!(d.fragments.is_empty());
    }
    assert!(dec.finish().is_empty());
}

#[test]
fn unknown_link_type_warns_once_and_others_still_decode() {
    // pcapng: interface 0 is an unknown link type, interface 1 Ethernet.
    let p = eth(0x0800, &[], &ipv4(&v4(50), &[0, 0, 0, 9, 0, 0, 0, 1, 0xaa]));
    let mut f = shb(false);
    f.extend(idb(false, 147, 0, None, None));
    f.extend(idb(false, 1, 0, None, None));
    f.extend(idb(false, 148, 0, None, None));
    for i in 0..3u64 {
        f.extend(epb(false, 0, i, &p, p.len() as u32));
        f.extend(epb(false, 1, i, &p, p.len() as u32));
        f.extend(epb(false, 2, i, &p, p.len() as u32));
    }
    struct Both {
        dec: Decoder,
        found: Vec<u64>,
        notes: Vec<NetNotice>,
    }
    impl FrameSink for Both {
        fn frame(&mut self, f: &Frame<'_>) {
            if let Decoded::Datagram(d) = self.dec.decode(f) {
                self.found.push(d.frame);
            }
            self.notes.extend(self.dec.take_notices());
        }
        fn notice(&mut self, _: Notice) {}
    }
    let mut b = Both {
        dec: decoder(),
        found: Vec::new(),
        notes: Vec::new(),
    };
    capture::read_bytes(&f, &ReadOptions::default(), &mut b).unwrap();
    assert_eq!(b.found, vec![2, 5, 8]);
    assert_eq!(b.notes.len(), 2, "{:?}", b.notes);
    assert_eq!(b.notes[0].frame, Some(1));
    assert!(b.notes[0].message.contains("147"));
    assert_eq!(b.notes[1].frame, Some(3));
    assert!(b.notes[1].message.contains("148"));
}

#[test]
fn ipv4_options_and_ethernet_padding() {
    let esp = [0x2a, 0xfe, 0xa5, 0xc7, 0, 0, 0, 5, 1, 2, 3, 4];
    let mut h = v4(50);
    h.options = vec![0x94, 0x04, 0, 0, 1, 1, 1, 0]; // router alert + NOPs + EOL
    let mut f = eth(0x0800, &[], &ipv4(&h, &esp));
    f.extend_from_slice(&[0u8; 12]); // padding up to the Ethernet minimum
    let d = datagram(decoder().decode(&frame(1, LinkType::ETHERNET, &f)));
    match &d.payload {
        Payload::Esp { data, udp: false } => assert_eq!(data.as_ref(), &esp),
        p => panic!("{p:?}"),
    }
    assert_eq!(
        (d.sport, d.dport, d.ip_length, d.truncated),
        (None, None, 28 + 12, false)
    );
    // AH over IPv4.
    let ah = [
        17u8, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ];
    let f = eth(0x0800, &[], &ipv4(&v4(51), &ah));
    let d = datagram(decoder().decode(&frame(1, LinkType::ETHERNET, &f)));
    assert!(matches!(&d.payload, Payload::Ah(Cow::Borrowed(b)) if *b == &ah[..]));
}

#[test]
fn ipv6_extension_headers() {
    let msg = ike_msg(40);
    let hbh = vec![0u8, 0, 5, 2, 0, 0, 1, 0]; // 8 bytes
    let mut routing = vec![0u8, 2, 0, 0, 0, 0, 0, 0];
    routing.extend_from_slice(&[0u8; 16]); // 24 bytes (hdr ext len 2)
    let dst = vec![0u8, 0, 1, 4, 0, 0, 0, 0];
    let p = ipv6(
        &[(0, hbh.clone()), (43, routing), (60, dst)],
        17,
        &udp(4500, 4500, &[[0u8; 4].as_slice(), &msg].concat()),
    );
    let d = datagram(decoder().decode(&frame(1, LinkType::RAW, &p)));
    assert_eq!(ike_data(&d), (&msg[..], true));
    // AH after hop-by-hop is a result in itself.
    let ah = [
        59u8, 4, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    let p = ipv6(&[(0, hbh.clone())], 51, &ah);
    let d = datagram(decoder().decode(&frame(1, LinkType::RAW, &p)));
    assert!(matches!(&d.payload, Payload::Ah(b) if b.as_ref() == &ah[..]));
    let p = ipv6(&[(60, vec![0u8; 8])], 50, &[0, 0, 1, 0, 0, 0, 0, 1]);
    let d = datagram(decoder().decode(&frame(1, LinkType::RAW, &p)));
    assert!(matches!(&d.payload, Payload::Esp { udp: false, data } if data.len() == 8));
    // An atomic fragment (offset 0, M clear) is a whole datagram.
    let frag = vec![0u8, 0, 0, 0, 0, 0, 0, 42];
    let p = ipv6(&[(44, frag)], 17, &udp(500, 500, &msg));
    let d = datagram(decoder().decode(&frame(1, LinkType::RAW, &p)));
    assert_eq!(ike_data(&d), (&msg[..], false));
    // Not IPsec behind extension headers.
    let p = ipv6(&[(0, hbh)], 6, &[0u8; 20]);
    assert!(matches!(
        decoder().decode(&frame(1, LinkType::RAW, &p)),
        Decoded::Ignored
    ));
}

#[test]
fn natt_marker_keepalive_esp_in_udp_and_extra_ports() {
    let msg = ike_msg(36);
    let mut dec = decoder();
    let ka = ipv4(&v4(17), &udp(4500, 4500, &[0xff]));
    assert!(matches!(
        datagram(dec.decode(&frame(1, LinkType::RAW, &ka))).payload,
        Payload::NatKeepalive
    ));
    let ike = ipv4(
        &v4(17),
        &udp(4500, 4500, &[[0u8; 4].as_slice(), &msg].concat()),
    );
    let d = datagram(dec.decode(&frame(2, LinkType::RAW, &ike)));
    assert_eq!(ike_data(&d), (&msg[..], true));
    let esp = [0x00, 0x00, 0x10, 0x01, 0, 0, 0, 1, 7, 7, 7, 7];
    let p = ipv4(&v4(17), &udp(61000, 4500, &esp));
    let d = datagram(dec.decode(&frame(3, LinkType::RAW, &p)));
    assert!(matches!(&d.payload, Payload::Esp { udp: true, data } if data.as_ref() == &esp[..]));
    assert_eq!((d.sport, d.dport), (Some(61000), Some(4500)));
    // Port 500 never strips a marker.
    let p = ipv4(
        &v4(17),
        &udp(500, 500, &[[0u8; 4].as_slice(), &msg].concat()),
    );
    assert_eq!(
        ike_data(&datagram(dec.decode(&frame(4, LinkType::RAW, &p))))
            .0
            .len(),
        40
    );
    // An extra IKE port, and a port that is not IPsec.
    let mut opts = NetOptions::default();
    opts.ike_ports.push(7500);
    let mut dec2 = Decoder::new(opts);
    let p = ipv4(&v4(17), &udp(7500, 40000, &msg));
    assert_eq!(
        ike_data(&datagram(dec2.decode(&frame(5, LinkType::RAW, &p)))),
        (&msg[..], false)
    );
    assert!(matches!(
        dec.decode(&frame(5, LinkType::RAW, &p)),
        Decoded::Ignored
    ));
}

#[test]
fn snaplen_truncated_datagram() {
    let msg = ike_msg(300);
    let full = eth(0x0800, &[], &ipv4(&v4(17), &udp(500, 500, &msg)));
    let cut = &full[..14 + 20 + 8 + 50];
    let f = Frame {
        orig_len: full.len() as u32,
        ..frame(1, LinkType::ETHERNET, cut)
    };
    let d = datagram(decoder().decode(&f));
    assert!(d.truncated);
    assert_eq!(ike_data(&d).0, &msg[..50]);
    assert_eq!(d.ip_length, 328);
}

fn malformed(d: Decoded<'_>) -> ikescope::net::Malformed {
    match d {
        Decoded::Malformed(m) => m,
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn malformed_lower_layers_of_ipsec_packets() {
    let mut dec = decoder();
    // IPv4 header length 60 in a frame that holds 28 bytes of IP.
    let mut p = ipv4(&v4(50), &[0, 0, 0, 1, 0, 0, 0, 1]);
    p[0] = 0x4f;
    let m = malformed(dec.decode(&frame(1, LinkType::ETHERNET, &eth(0x0800, &[], &p))));
    assert_eq!((m.layer, m.offset), (Layer::Ipv4, 14));
    assert!(m.reason.contains("60"), "{}", m.reason);
    assert_eq!(m.src, Some(IpAddr::from(A4)));
    // Header length below 20.
    let mut p = ipv4(&v4(17), &udp(500, 500, &ike_msg(30)));
    p[0] = 0x44;
    assert_eq!(
        malformed(dec.decode(&frame(2, LinkType::RAW, &p))).layer,
        Layer::Ipv4
    );
    // Total length below the header length.
    let mut p = ipv4(&v4(51), &[0u8; 24]);
    p[2..4].copy_from_slice(&10u16.to_be_bytes());
    let m = malformed(dec.decode(&frame(3, LinkType::RAW, &p)));
    assert_eq!((m.layer, m.offset), (Layer::Ipv4, 2));
    // UDP length 4 on port 500.
    let mut p = ipv4(&v4(17), &udp(500, 500, &ike_msg(30)));
    p[24..26].copy_from_slice(&4u16.to_be_bytes());
    let m = malformed(dec.decode(&frame(4, LinkType::RAW, &p)));
    assert_eq!((m.layer, m.offset, m.frame), (Layer::Udp, 24, 4));
    // The same damage on a port that is not IPsec is just ignored.
    let mut p = ipv4(&v4(17), &udp(53, 53, &ike_msg(30)));
    p[24..26].copy_from_slice(&4u16.to_be_bytes());
    assert!(matches!(
        dec.decode(&frame(5, LinkType::RAW, &p)),
        Decoded::Ignored
    ));
    let mut p = ipv4(&v4(6), &[0u8; 20]);
    p[0] = 0x4f;
    assert!(matches!(
        dec.decode(&frame(6, LinkType::RAW, &p)),
        Decoded::Ignored
    ));
    // Garbage and non-IP.
    for junk in [&[][..], &[0x45][..], &[0x60, 0, 0][..], &[0x10; 64][..]] {
        assert!(matches!(
            dec.decode(&frame(7, LinkType::RAW, junk)),
            Decoded::Ignored
        ));
    }
    assert!(matches!(
        dec.decode(&frame(8, LinkType::ETHERNET, &eth(0x0806, &[], &[0; 28]))),
        Decoded::Ignored
    ));
    assert!(dec.finish().is_empty());
}

// --- fragments --------------------------------------------------------------

/// Split an IPv4 datagram's payload into fragments of `size` bytes.
fn v4_fragments(proto: u8, id: u16, payload: &[u8], size: usize) -> Vec<Vec<u8>> {
    let chunks: Vec<&[u8]> = payload.chunks(size).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let h = V4 {
                proto,
                id,
                frag_off: i * size,
                more: i + 1 < chunks.len(),
                options: Vec::new(),
            };
            ipv4(&h, c)
        })
        .collect()
}

fn v6_fragments(id: u32, next: u8, payload: &[u8], size: usize) -> Vec<Vec<u8>> {
    let chunks: Vec<&[u8]> = payload.chunks(size).collect();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let off = (i * size) as u16 | u16::from(i + 1 < chunks.len());
            let mut fh = vec![0u8, 0];
            fh.extend_from_slice(&off.to_be_bytes());
            fh.extend_from_slice(&id.to_be_bytes());
            ipv6(&[(44, fh)], next, c)
        })
        .collect()
}

#[test]
fn ipv4_fragments_in_and_out_of_order() {
    let msg = ike_msg(2000);
    let seg = udp(500, 500, &msg);
    let frags = v4_fragments(17, 77, &seg, 608);
    assert_eq!(frags.len(), 4);
    for order in [[0usize, 1, 2, 3], [3, 1, 0, 2], [2, 3, 1, 0]] {
        let mut dec = decoder();
        let mut done = None;
        for (n, &i) in order.iter().enumerate() {
            let f = eth(0x0800, &[], &frags[i]);
            match dec.decode(&frame(n as u64 + 1, LinkType::ETHERNET, &f)) {
                Decoded::Held => assert!(n < 3),
                Decoded::Datagram(d) => {
                    assert_eq!(n, 3);
                    done = Some((
                        ike_data(&d).0.to_vec(),
                        d.fragments.clone(),
                        d.frame,
                        d.ip_length,
                    ));
                }
                other => panic!("{other:?}"),
            }
        }
        let (data, fragments, at, ip_length) = done.expect("reassembled");
        assert_eq!(data, msg);
        assert_eq!(fragments, vec![1, 2, 3, 4]);
        assert_eq!(at, 4);
        assert_eq!(ip_length, 20 + 2008);
        assert!(dec.finish().is_empty());
    }
    // ESP in fragments, with a duplicate and an overlapping piece: where
    // pieces overlap, the one with the lower offset wins.
    let esp: Vec<u8> = (0..1000u32).map(|i| (i % 256) as u8).collect();
    let frags = v4_fragments(50, 5, &esp, 400);
    let over = V4 {
        proto: 50,
        id: 5,
        frag_off: 200,
        more: true,
        options: Vec::new(),
    };
    let overlap = ipv4(&over, &[0xee; 400]);
    let mut expect = esp.clone();
    expect[400..600].fill(0xee);
    let mut dec = decoder();
    let seq: Vec<&Vec<u8>> = vec![&frags[0], &frags[0], &overlap, &frags[2], &frags[1]];
    let mut last = None;
    for (n, p) in seq.iter().enumerate() {
        last = Some(dec.decode(&frame(n as u64 + 10, LinkType::RAW, p)));
    }
    let d = datagram(last.unwrap());
    assert!(
        matches!(&d.payload, Payload::Esp { udp: false, data } if data.as_ref() == &expect[..])
    );
    assert_eq!(d.fragments, vec![10, 11, 12, 13, 14]);
}

#[test]
fn ipv6_fragments() {
    let msg = ike_msg(1500);
    let seg = udp(4500, 4500, &[[0u8; 4].as_slice(), &msg].concat());
    let frags = v6_fragments(0xdead_beef, 17, &seg, 512);
    let mut dec = decoder();
    assert!(matches!(
        dec.decode(&frame(1, LinkType::IPV6, &frags[2])),
        Decoded::Held
    ));
    assert!(matches!(
        dec.decode(&frame(2, LinkType::IPV6, &frags[0])),
        Decoded::Held
    ));
    let d = datagram(dec.decode(&frame(3, LinkType::IPV6, &frags[1])));
    assert_eq!(ike_data(&d), (&msg[..], true));
    assert_eq!(d.fragments, vec![1, 2, 3]);
    assert_eq!((d.src, d.dst), (IpAddr::from(A6), IpAddr::from(B6)));
    assert!(dec.finish().is_empty());
}

#[test]
fn fragments_of_other_traffic_are_not_held() {
    let seg = udp(53, 5353, &[0x42; 3000]);
    let frags = v4_fragments(17, 9, &seg, 1480);
    let mut dec = decoder();
    for (n, f) in frags.iter().enumerate() {
        assert!(matches!(
            dec.decode(&frame(n as u64 + 1, LinkType::RAW, f)),
            Decoded::Ignored
        ));
    }
    // TCP fragments are never held.
    let frags = v4_fragments(6, 10, &[0x42; 3000], 1480);
    for f in &frags {
        assert!(matches!(
            dec.decode(&frame(9, LinkType::RAW, f)),
            Decoded::Ignored
        ));
    }
    let frags6 = v6_fragments(3, 17, &udp(53, 53, &[1; 2000]), 1024);
    for f in &frags6 {
        assert!(matches!(
            dec.decode(&frame(10, LinkType::RAW, f)),
            Decoded::Ignored
        ));
    }
    assert!(dec.finish().is_empty());
}

#[test]
fn fragment_caps_expiry_and_incomplete_sets() {
    let seg = udp(500, 500, &ike_msg(3000));
    let a = v4_fragments(17, 1, &seg, 1480);
    let b = v4_fragments(17, 2, &seg, 1480);
    let c = v4_fragments(17, 3, &seg, 1480);
    // At most two open sets: the third evicts the oldest.
    let opts = NetOptions {
        defrag_max_datagrams: 2,
        defrag_timeout_secs: 5.0,
        ..NetOptions::default()
    };
    let mut dec = Decoder::new(opts.clone());
    dec.decode(&frame(1, LinkType::RAW, &a[0]));
    dec.decode(&frame(2, LinkType::RAW, &b[0]));
    assert!(dec.take_notices().is_empty());
    dec.decode(&frame(3, LinkType::RAW, &c[0]));
    let n = dec.take_notices();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].frame, Some(1));
    assert!(n[0].message.contains("evicted"), "{}", n[0].message);
    // Frames are 1 s apart (see `frame`): set b (frame 2) expires at frame 8.
    let other = ipv4(&v4(6), &[0; 20]);
    dec.decode(&frame(7, LinkType::RAW, &other));
    assert!(dec.take_notices().is_empty());
    assert!(matches!(
        dec.decode(&frame(8, LinkType::RAW, &c[2])),
        Decoded::Held
    ));
    let n = dec.take_notices();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].frame, Some(2));
    assert!(n[0].message.contains("expired"));
    // Whatever is still open is reported at the end, with its frames.
    let n = dec.finish();
    assert_eq!(n.len(), 1);
    assert!(n[0].message.contains("frames 3, 8"), "{}", n[0].message);
    assert!(n[0].message.contains("never completed"));
    // A byte cap smaller than two fragments.
    let mut dec = Decoder::new(NetOptions {
        defrag_max_bytes: 2000,
        ..NetOptions::default()
    });
    dec.decode(&frame(1, LinkType::RAW, &a[0]));
    dec.decode(&frame(2, LinkType::RAW, &b[0]));
    let n = dec.take_notices();
    assert_eq!(n.len(), 1);
    assert!(n[0].message.contains("memory cap"));
    // A fragment reaching past 64 KiB is malformed.
    let h = V4 {
        proto: 17,
        id: 4,
        frag_off: 65_000,
        more: true,
        options: Vec::new(),
    };
    let m = malformed(dec.decode(&frame(3, LinkType::RAW, &ipv4(&h, &[0; 1000]))));
    assert_eq!(m.layer, Layer::Fragment);
}

#[test]
fn truncated_first_fragment_is_shown_not_reassembled() {
    let seg = udp(500, 500, &ike_msg(3000));
    let frags = v4_fragments(17, 1, &seg, 1480);
    let cut = &frags[0][..20 + 8 + 100];
    let f = Frame {
        orig_len: frags[0].len() as u32,
        ..frame(1, LinkType::RAW, cut)
    };
    let mut dec = decoder();
    let d = datagram(dec.decode(&f));
    assert!(d.truncated && d.fragments.is_empty());
    assert_eq!(ike_data(&d).0.len(), 100);
    let g = Frame {
        orig_len: frags[1].len() as u32,
        ..frame(2, LinkType::RAW, &frags[1][..60])
    };
    assert!(matches!(dec.decode(&g), Decoded::Ignored));
}

// --- robustness -------------------------------------------------------------

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_frames_and_files_never_panic() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let msg = ike_msg(200);
    let seeds: Vec<Vec<u8>> = vec![
        eth(0x0800, &[0x8100], &ipv4(&v4(17), &udp(500, 4500, &msg))),
        eth(
            0x86dd,
            &[],
            &ipv6(
                &[(0, vec![0; 8]), (44, vec![0, 0, 0, 1, 0, 0, 0, 9])],
                17,
                &udp(4500, 500, &msg),
            ),
        ),
        eth(0x0800, &[], &v4_fragments(50, 3, &msg, 64)[1]),
        eth(0x8847, &[], &[0, 0, 0x11, 0xff, 0x45]),
    ];
    let links = [0u32, 1, 12, 101, 108, 113, 228, 229, 276, 9999];
    let mut dec = Decoder::new(NetOptions {
        defrag_max_bytes: 64 << 10,
        defrag_max_datagrams: 16,
        ..NetOptions::default()
    });
    for n in 0..20_000u64 {
        let mut p = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            match rng.below(3) {
                0 if !p.is_empty() => {
                    let i = rng.below(p.len());
                    p[i] ^= 1 << rng.below(8);
                }
                1 => p.truncate(rng.below(p.len() + 1)),
                _ if p.len() > 2 => {
                    let i = rng.below(p.len() - 1);
                    p[i] = rng.next() as u8;
                    p[i + 1] = rng.next() as u8;
                }
                _ => {}
            }
        }
        let f = Frame {
            orig_len: (p.len() + rng.below(3)) as u32,
            ..frame(n, LinkType(links[rng.below(links.len())]), &p)
        };
        let _ = dec.decode(&f);
    }
    let _ = dec.finish();
    // Files: bit flips, truncations and length changes.
    let files = [
        pcap(
            false,
            false,
            1,
            &[rec(1, 0, &seeds[0]), rec(2, 0, &seeds[1])],
        ),
        multi_section(),
        gz(&multi_section()),
    ];
    for _ in 0..3000 {
        let mut f = files[rng.below(files.len())].clone();
        for _ in 0..1 + rng.below(3) {
            let i = rng.below(f.len());
            match rng.below(3) {
                0 => f[i] ^= 1 << rng.below(8),
                1 => f.truncate(i),
                _ => f[i] = [0, 0xff, 0x7f, 0x80][rng.below(4)],
            }
            if f.is_empty() {
                break;
            }
        }
        let (r, k) = read(&f);
        if let Ok(s) = r {
            assert_eq!(s.frames as usize, k.frames.len());
        }
    }
}

// --- throughput -------------------------------------------------------------

/// CPU time of this thread, from the scheduler's accounting.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns * 1e-9)
}

/// Release-mode throughput of reading + network decoding, on a synthetic
/// capture where ~3% of packets are IPsec. Run with
/// `cargo test --release --test capture_net throughput -- --ignored --nocapture`
/// (IKESCOPE_BENCH_MB sets the size, default 512).
#[test]
#[ignore]
fn throughput() {
    let mb: usize = std::env::var("IKESCOPE_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    let mut rng = Rng(42);
    let msg = ike_msg(400);
    let mut file = pcap(false, false, 1, &[]);
    let mut packets = 0u64;
    let mut expect_ipsec = 0u64;
    while file.len() < mb << 20 {
        let size = [60usize, 90, 576, 1000, 1400, 1514][rng.below(6)];
        let l3 = if rng.below(100) < 3 {
            expect_ipsec += 1;
            match rng.below(3) {
                0 => ipv4(&v4(50), &vec![0x11; size.saturating_sub(34)]),
                1 => ipv4(
                    &v4(17),
                    &udp(4500, 4500, &vec![0x22; size.saturating_sub(42)]),
                ),
                _ => ipv4(&v4(17), &udp(500, 500, &msg)),
            }
        } else {
            match rng.below(4) {
                0 => ipv4(&v4(17), &udp(53, 40000, &vec![0; size.saturating_sub(42)])),
                1 => ipv6(&[], 6, &vec![0; size.saturating_sub(54)]),
                _ => ipv4(&v4(6), &vec![0; size.saturating_sub(34)]),
            }
        };
        let f = if rng.below(10) == 0 {
            eth(0x0800, &[0x8100], &l3)
        } else if l3[0] >> 4 == 6 {
            eth(0x86dd, &[], &l3)
        } else {
            eth(0x0800, &[], &l3)
        };
        let n = f.len() as u32;
        file.extend_from_slice(&(packets as u32).to_le_bytes());
        file.extend_from_slice(&0u32.to_le_bytes());
        file.extend_from_slice(&n.to_le_bytes());
        file.extend_from_slice(&n.to_le_bytes());
        file.extend_from_slice(&f);
        packets += 1;
    }
    let dir = std::env::temp_dir().join(format!("ikescope-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bench.pcap");
    std::fs::write(&path, &file).unwrap();
    let bytes = file.len();
    drop(file);
    struct Count {
        dec: Decoder,
        ipsec: u64,
    }
    impl FrameSink for Count {
        fn frame(&mut self, f: &Frame<'_>) {
            if let Decoded::Datagram(_) = self.dec.decode(f) {
                self.ipsec += 1;
            }
        }
        fn notice(&mut self, _: Notice) {}
    }
    for round in 0..3 {
        let mut c = Count {
            dec: decoder(),
            ipsec: 0,
        };
        let cpu0 = thread_cpu_secs();
        let t0 = std::time::Instant::now();
        let s = capture::read_path(&path, &ReadOptions::default(), &mut c).unwrap();
        let wall = t0.elapsed().as_secs_f64();
        let cpu = thread_cpu_secs().zip(cpu0).map(|(b, a)| b - a);
        assert_eq!((s.frames, c.ipsec), (packets, expect_ipsec));
        let gb = bytes as f64 / 1e9;
        eprintln!(
            "round {round}: {:.0} MB, {packets} packets, {expect_ipsec} IPsec: wall {wall:.3} s = {:.2} GB/s; thread CPU {} ",
            bytes as f64 / 1e6,
            gb / wall,
            cpu.map_or("n/a".to_string(), |c| format!("{c:.3} s = {:.2} GB/s", gb / c)),
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn read_path_errors_and_small_files() {
    let mut k = Keep::default();
    let missing = Path::new("/nonexistent/ikescope/capture.pcap");
    assert!(matches!(
        capture::read_path(missing, &ReadOptions::default(), &mut k),
        Err(CaptureError::Io(_))
    ));
    let dir = std::env::temp_dir().join(format!("ikescope-small-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tiny");
    // Empty, too short, not a capture, and a small valid file.
    for (bytes, ok) in [
        (vec![], false),
        (vec![0x1f], false),
        (b"just some text".to_vec(), false),
        (pcap(false, false, 1, &[rec(1, 0, &[1, 2, 3])]), true),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        let mut k = Keep::default();
        let r = capture::read_path(&path, &ReadOptions::default(), &mut k);
        assert_eq!(r.is_ok(), ok, "{bytes:?}: {r:?}");
        if ok {
            assert_eq!(k.frames[0].data, vec![1, 2, 3]);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn pcapng_records_that_take_a_frame_number() {
    let p = ipv4(&v4(17), &udp(500, 500, &ike_msg(30)));
    let mut f = shb(false);
    f.extend(idb(false, 101, 0, None, None));
    f.extend(epb(false, 0, 1, &p, p.len() as u32));
    let mut cb = 32473u32.to_le_bytes().to_vec();
    cb.extend_from_slice(b"custom data");
    f.extend(block(false, 0x0000_0bad, &cb));
    f.extend(block(false, 0x4000_0bad, &cb));
    f.extend(block(false, 5, &[0u8; 12])); // ISB: no number
    f.extend(block(false, 4, &[0u8; 4])); // NRB: no number
    f.extend(epb(false, 0, 2, &p, p.len() as u32));
    f.extend(block(
        false,
        9,
        b"__REALTIME_TIMESTAMP=1000000\nMESSAGE=hi\n",
    ));
    f.extend(epb(false, 0, 3, &p, p.len() as u32));
    f.extend(block(false, 0x204, &[0u8; 24])); // sysdig events: numbered
    f.extend(block(false, 0x216, &[0u8; 28]));
    f.extend(block(false, 0x221, &[0u8; 32]));
    f.extend(block(false, 0x208, &[0u8; 32])); // not numbered
    f.extend(epb(false, 0, 4, &p, p.len() as u32));
    let (r, k) = read(&f);
    let s = r.unwrap();
    assert!(s.stopped.is_none());
    assert_eq!(s.frames, 4);
    let nums: Vec<u64> = k.frames.iter().map(|g| g.number).collect();
    assert_eq!(nums, vec![1, 4, 6, 10]);
    // A custom block too short to hold its PEN ends the read, as in Wireshark.
    let mut g = f.clone();
    g.extend(block(false, 0x0000_0bad, &[]));
    g.extend(epb(false, 0, 4, &p, p.len() as u32));
    let s = read(&g).0.unwrap();
    assert_eq!(s.frames, 4);
    assert_eq!(s.stopped.unwrap().offset, Some(f.len() as u64));
    // tshark numbers the same way.
    if have_tshark("pcapng_records_that_take_a_frame_number") {
        let dir = std::env::temp_dir().join(format!("ikescope-records-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.pcapng");
        std::fs::write(&path, &f).unwrap();
        let o = tshark(&path);
        let theirs: Vec<u64> = o.ipsec.iter().copied().collect();
        assert_eq!(theirs, nums);
        assert_eq!(o.frames.len(), 10);
        std::fs::remove_dir_all(&dir).ok();
    }
}

// --- time stamps, messages, reader guards (issues 13 and 14) -----------------

/// A pcapng section with one interface (`tsresol`) and one EPB of raw time `raw`.
fn one_packet_ng(tsresol: Option<u8>, raw: u64) -> Vec<u8> {
    let mut f = shb(false);
    f.extend(idb(false, 101, 0, tsresol, None));
    f.extend(epb(false, 0, raw, &[0x45; 20], 20));
    f
}

#[test]
fn unsupported_tsresol_is_reported_not_silently_microseconds() {
    // 10^-127 s per unit: no integer type holds that many units per second.
    let (r, k) = read(&one_packet_ng(Some(0x7f), 5_000_000));
    let s = r.unwrap();
    assert_eq!(s.frames, 1);
    let n = k
        .notices
        .iter()
        .find(|n| n.message.contains("if_tsresol"))
        .expect("a notice about if_tsresol");
    assert!(n.message.contains("0x7f"), "{}", n.message);
    assert!(n.message.contains("interface 0"), "{}", n.message);
    // 10^-20 s per unit is finer than pcap-parser converts, and is converted.
    let (r, k) = read(&one_packet_ng(Some(20), 15 * 10u64.pow(18)));
    assert_eq!(r.unwrap().frames, 1);
    assert!(k.notices.iter().all(|n| !n.message.contains("if_tsresol")));
    assert_eq!(k.frames[0].ts, ts(0, 150_000_000));
    // Big-endian sections: if_tsoffset in the section's byte order.
    let mut f = shb(true);
    f.extend(idb(true, 101, 0, None, Some(1000)));
    f.extend(epb(true, 0, 2_000_000, &[0x45; 20], 20));
    let (r, k) = read(&f);
    assert_eq!(r.unwrap().frames, 1);
    assert_eq!(k.frames[0].ts, ts(1002, 0));
}

#[test]
fn time_going_backwards_is_noticed_with_its_frame() {
    let a = [1u8; 20];
    let f = pcap(
        false,
        false,
        101,
        &[
            rec(100, 0, &a),
            rec(90, 500_000, &a),
            rec(200, 0, &a),
            rec(150, 0, &a),
        ],
    );
    let (r, k) = read(&f);
    assert_eq!(r.unwrap().frames, 4);
    let n = k
        .notices
        .iter()
        .find(|n| n.message.contains("backwards"))
        .expect("a notice about time going backwards");
    assert_eq!(n.frame, Some(2));
    assert!(
        n.message.contains("9.500000 s earlier than frame 1"),
        "{}",
        n.message
    );
    assert!(n.message.contains("2 frame(s) in all"), "{}", n.message);
    // In order: nothing said.
    let f = pcap(
        false,
        false,
        101,
        &[rec(1, 0, &a), rec(1, 0, &a), rec(2, 0, &a)],
    );
    assert!(read(&f).1.notices.is_empty());
}

#[test]
fn absurd_time_stamps_are_never_negative() {
    // One unit per second and the largest raw value: 1.8e19 s after 1970.
    let (r, k) = read(&one_packet_ng(Some(0), u64::MAX));
    assert_eq!(r.unwrap().frames, 1);
    let t = k.frames[0].ts;
    assert!(t.secs >= 0 && t.as_f64() > 0.0, "{t:?}");
    assert_eq!(t.secs, capture::MAX_SECS);
    let n = k
        .notices
        .iter()
        .find(|n| n.message.contains("impossible time stamp"))
        .expect("a notice about the time stamp");
    assert_eq!(n.frame, Some(1));
}

#[test]
fn gzip_error_after_packets_counts_them() {
    let payloads: Vec<Vec<u8>> = (0..3000u32).map(|i| vec![(i % 7) as u8; 400]).collect();
    let recs: Vec<Rec<'_>> = payloads.iter().map(|p| rec(1, 0, p)).collect();
    let packed = gz(&pcap(false, false, 1, &recs));
    let (r, k) = read(&packed[..packed.len() * 2 / 3]);
    let s = r.unwrap();
    assert!(s.frames > 0);
    let stop = s.stopped.expect("the cut is reported");
    assert!(stop.message.contains("gzip"), "{}", stop.message);
    assert!(
        stop.message.contains(&format!(
            "the {} packet(s) before it were analysed",
            s.frames
        )),
        "{}",
        stop.message
    );
    assert!(
        !stop.message.contains("before any packet"),
        "{}",
        stop.message
    );
    assert!(k.notices.iter().any(|n| n.message == stop.message));
}

#[test]
fn gzip_of_something_else_is_not_told_it_lacks_a_gzip_signature() {
    let e = read(&gz(b"just some notes, not a capture at all\n"))
        .0
        .unwrap_err();
    assert!(matches!(e, CaptureError::NotACaptureInGzip), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains("gzip-compressed"), "{msg}");
    assert!(!msg.contains("gzip or"), "{msg}");
    // Uncompressed, the message still lists every signature.
    let e = read(b"just some notes, not a capture at all\n")
        .0
        .unwrap_err();
    assert!(e.to_string().contains("gzip"), "{e}");
}

#[test]
fn open_errors_say_the_os_error_once() {
    let path = std::env::temp_dir().join("ikescope-no-such-dir/none.pcap");
    let e = capture::read_path(&path, &ReadOptions::default(), &mut Keep::default()).unwrap_err();
    // As main prints errors: the whole anyhow chain.
    let shown = format!(
        "{:#}",
        anyhow::Error::new(e).context(path.display().to_string())
    );
    assert_eq!(shown.matches("os error 2").count(), 1, "{shown}");
}

/// Damaged files that make a plain pcap-parser read loop wait for bytes that
/// never come, or grow its buffer without end: each must end promptly, with
/// our message and the frames before the damage.
#[test]
fn reader_guards_against_pcap_parser_stalls() {
    let good = epb(false, 0, 1, &[7; 16], 16);
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    // An EPB whose captured length runs past its own block: pcap-parser's
    // block parser answers Incomplete on the whole block.
    let mut f = one_packet_ng(None, 1);
    let mut bad = good.clone();
    bad[20..24].copy_from_slice(&1000u32.to_le_bytes());
    f.extend(&bad);
    f.extend(&good);
    cases.push(("caplen past the block", f, "overruns"));
    // A block claiming 1 GiB: no buffer growth to that size.
    let mut f = one_packet_ng(None, 1);
    f.extend(6u32.to_le_bytes());
    f.extend((1u32 << 30).to_le_bytes());
    f.extend([0u8; 100]);
    cases.push(("huge block", f, "limit"));
    // A block length under the 12-byte minimum (a parser loop with
    // consume(0) would spin here).
    let mut f = one_packet_ng(None, 1);
    f.extend(6u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend([0u8; 40]);
    cases.push(("zero block length", f, "bad block length 0"));
    // pcap: a record claiming more than the limit, then a cut record.
    let a = [1u8; 30];
    let mut f = pcap(false, false, 1, &[rec(1, 0, &a)]);
    f.extend(1u32.to_le_bytes());
    f.extend(0u32.to_le_bytes());
    f.extend(0x0fff_ffffu32.to_le_bytes());
    f.extend(0x0fff_ffffu32.to_le_bytes());
    cases.push(("pcap huge record", f, "limit"));
    let mut f = pcap(false, false, 1, &[rec(1, 0, &a), rec(2, 0, &a)]);
    f.truncate(f.len() - 5);
    cases.push(("pcap cut record", f, "truncated record"));
    for (name, data, want) in cases {
        let start = std::time::Instant::now();
        for input in [data.clone(), gz(&data)] {
            let (r, k) = read(&input);
            let s = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            let stop = s
                .stopped
                .unwrap_or_else(|| panic!("{name}: no stop notice"));
            assert!(stop.message.contains(want), "{name}: {}", stop.message);
            assert_eq!(s.frames, 1, "{name}");
            assert_eq!(k.frames.len(), 1, "{name}");
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(5),
            "{name} took {:?}",
            start.elapsed()
        );
    }
}

/// Found by the net_decode fuzz target: an ICMP datagram whose header
/// length (IHL 7, 28 bytes) runs past the 25 bytes captured made the body
/// slice's bounds cross (a panic); it is now an ICMP packet with no body.
#[test]
fn icmp_header_longer_than_the_capture_does_not_panic() {
    let mut ip = vec![
        0x47, 0x00, 0x00, 0x40, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 192, 0, 2, 1, 198,
        51, 100, 1,
    ];
    ip.extend_from_slice(&[0x01, 0x01, 0x00, 0x00, 0x03]);
    assert_eq!(ip.len(), 25);
    let mut d = decoder();
    let f = frame(1, LinkType::RAW, &ip);
    let _ = d.decode(&f);
    let _ = d.finish();
}
