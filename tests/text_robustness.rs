//! The text reader never panics and keeps its promises on damaged input:
//! rendered exports and the device-text samples with random byte and line
//! damage, truncated at every length, and binary data. Frames stay numbered
//! 1, 2, …; every notice (but the final count of ignored lines) names its
//! line; `orig_len` is never below the bytes held.

mod oracle;
mod text_support;

use std::time::Instant;

use ikescope::capture::text::{looks_like_text, read_text};
use ikescope::capture::ReadOptions;
use text_support::packets::hand_built;
use text_support::render::{self, AsaLayout};
use text_support::Collect;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn check(data: &[u8]) {
    let _ = looks_like_text(data);
    let mut c = Collect::default();
    let opts = ReadOptions {
        date: Some((2024, 2, 29)),
    };
    if let Ok(s) = read_text(data, &opts, &mut c) {
        assert_eq!(s.frames as usize, c.frames.len());
        assert!(s.bytes as usize <= data.len());
    }
    for (i, f) in c.frames.iter().enumerate() {
        assert_eq!(f.number, i as u64 + 1);
        assert!(f.orig_len as usize >= f.data.len());
    }
    for n in &c.notices {
        assert!(n.line.is_some(), "{n:?}");
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let packets = hand_built();
    let mut out: Vec<Vec<u8>> = AsaLayout::all()
        .into_iter()
        .map(|(_, l)| render::asa(&packets, &l).into_bytes())
        .collect();
    out.push(render::ios_classic(&packets).into_bytes());
    out.push(render::iosxe16(&packets).into_bytes());
    out.push(render::iosxe17(&packets).into_bytes());
    let dir = oracle::device_text("text_robustness").unwrap_or_default();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Ok(d) = std::fs::read(e.path()) {
            out.push(d);
        }
    }
    out
}

#[test]
fn random_damage_never_panics() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let seeds = seeds();
    let alphabet: &[u8] = b"0123456789abcdefABCDEF x:.>-#\r\n\t\x08\xc3\xa9\x00\xff";
    for seed in &seeds {
        for _ in 0..60 {
            let mut d = seed.clone();
            let edits = 1 + rng.below(12);
            for _ in 0..edits {
                if d.is_empty() {
                    break;
                }
                let at = rng.below(d.len());
                match rng.below(5) {
                    0 => {
                        d.remove(at);
                    }
                    1 => d.insert(at, alphabet[rng.below(alphabet.len())]),
                    2 => d[at] = alphabet[rng.below(alphabet.len())],
                    3 => {
                        // duplicate a chunk (repeated lines, offsets out of order)
                        let len = rng.below(200).min(d.len() - at);
                        let chunk: Vec<u8> = d[at..at + len].to_vec();
                        let to = rng.below(d.len());
                        d.splice(to..to, chunk);
                    }
                    _ => d.truncate(at),
                }
            }
            check(&d);
        }
    }
}

#[test]
fn every_truncation_of_a_dump_reads() {
    let packets = hand_built();
    let text = render::asa(&packets[..3], &AsaLayout::all()[2].1);
    for end in 0..text.len() {
        check(&text.as_bytes()[..end]);
    }
}

#[test]
fn binary_input_is_cheap_and_refused() {
    let mut rng = Rng(99);
    let blob: Vec<u8> = (0..4 << 20).map(|_| rng.next() as u8).collect();
    let t = Instant::now();
    assert!(!looks_like_text(&blob));
    let mut c = Collect::default();
    let r = read_text(&blob, &ReadOptions::default(), &mut c);
    assert!(r.is_err() || r.is_ok_and(|s| s.stopped.is_some()));
    assert!(c.frames.is_empty());
    assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
}
