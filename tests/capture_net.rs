//! Capture reader and network layer against the public corpus, with tshark
//! as the oracle: frame count, time stamps, and the frames where IKE, ESP,
//! AH or a NAT-T keepalive is found.
//!
//! Skipped (with a message) when `../shared/corpus` or tshark is absent.

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
    #[allow(dead_code)]
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

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

fn have_tshark() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
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

/// "1234.000001000" → Timestamp, exactly.
fn parse_epoch(s: &str) -> Timestamp {
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
    let Some(root) = corpus() else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    if !have_tshark() {
        eprintln!("skipped: tshark is not installed");
        return;
    }
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    let (mut n_frames, mut n_ipsec, mut n_exc) = (0usize, 0usize, 0usize);
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut c = Collect {
            dec: Decoder::new(NetOptions::default()),
            frames: Vec::new(),
            ipsec: BTreeSet::new(),
            notices: Vec::new(),
        };
        if let Err(e) = capture::read_path(path, &ReadOptions::default(), &mut c) {
            problems.push(format!("{rel}: read error {e}"));
            continue;
        }
        let o = tshark(path);
        n_frames += o.frames.len();
        if c.frames.len() != o.frames.len() {
            problems.push(format!(
                "{rel}: {} frames, tshark {}",
                c.frames.len(),
                o.frames.len()
            ));
        }
        for (a, b) in c.frames.iter().zip(&o.frames) {
            if a != b {
                problems.push(format!("{rel}: frame/time {a:?} vs tshark {b:?}"));
                break;
            }
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
                        problems.push(format!(
                            "{rel}: {} ICMP-quoted IPsec frames, {count} listed",
                            q.len()
                        ));
                    }
                    q
                }
            };
            for f in frames {
                if other.contains(&f) || !set.remove(&f) {
                    problems.push(format!("{rel}: exception for frame {f} no longer applies"));
                }
                n_exc += 1;
            }
        }
        n_ipsec += theirs.len();
        let only_us: Vec<_> = ours.difference(&theirs).collect();
        let only_them: Vec<_> = theirs.difference(&ours).collect();
        if !only_us.is_empty() || !only_them.is_empty() {
            problems.push(format!(
                "{rel}: only ours {only_us:?}, only tshark {only_them:?}"
            ));
        }
    }
    eprintln!(
        "{} files, {n_frames} frames, {n_ipsec} IPsec frames agreed, {n_exc} listed exceptions",
        files.len()
    );
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
