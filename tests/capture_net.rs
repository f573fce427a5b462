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

/// Frames where tshark and ikescope legitimately disagree, with the reason.
/// `(file relative to the corpus, frame, only_tshark, reason)`.
const EXCEPTIONS: &[(&str, u64, bool, &str)] = &[];

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
    };
    for line in text.lines() {
        let mut it = line.split('\t');
        let (Some(n), Some(t), protos) = (it.next(), it.next(), it.next().unwrap_or("")) else {
            continue;
        };
        let n: u64 = n.parse().unwrap();
        o.frames.push((n, parse_epoch(t)));
        if protos
            .split(':')
            .any(|p| matches!(p, "isakmp" | "esp" | "ah" | "udpencap"))
        {
            o.ipsec.insert(n);
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
        for &(file, frame, only_tshark, _) in EXCEPTIONS {
            if file == rel {
                let set = if only_tshark { &mut theirs } else { &mut ours };
                assert!(
                    set.remove(&frame),
                    "{rel}: exception for frame {frame} no longer applies"
                );
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
