//! A batch run hands ESP/AH packets to the tracker in groups (their SA
//! lookups overlap); a run with a packet hook hands over each packet at
//! once. Both must give the same analysis, byte for byte of the JSON with
//! every message: on every capture in `captures/` and the public corpus
//! (`common::capture_files`: without the corpus that is said, and fails
//! under `CI=true`), and on a crafted stream built to stress the batches
//! (thousands of SAs, SPIs shared between peer pairs and between ESP and
//! AH, sequence gaps, repeats, reordering, new SAs in mid-batch, and
//! non-ESP packets between them that force a batch out early).

use std::net::Ipv4Addr;
use std::path::Path;

use ikescope::app::{self, Options, PacketHook};
use ikescope::capture::{Frame, LinkType, Origin, Timestamp};
use ikescope::flow::{Content, Touched};
use ikescope::net::{self, Datagram};
use ikescope::report::json::{self, Detail};

mod common;

use common::prng::Prng;

/// A hook that does nothing: its presence alone turns batching off.
struct Nothing;

impl PacketHook for Nothing {
    fn packet(&mut self, _: &Datagram<'_>, _: &Content<'_>, _: &Touched, _: Timestamp) {}
    fn malformed(&mut self, _: &net::Malformed, _: Timestamp) {}
}

fn json_of(a: &app::FileAnalysis) -> String {
    let mut out = Vec::new();
    json::write_file_with(&mut out, a, true, Detail::Messages).unwrap();
    String::from_utf8(out).unwrap()
}

fn same_both_ways(path: &Path) {
    let opts = Options::default();
    let batched = json_of(&app::analyze(path, &opts, None));
    let each = json_of(&app::analyze(path, &opts, Some(&mut Nothing)));
    assert!(
        batched == each,
        "{}: batched and per-packet analyses differ",
        path.display()
    );
}

#[test]
fn captures_and_corpus_are_the_same_batched_or_not() {
    let files = common::capture_files();
    let ours = files
        .iter()
        .filter(|f| f.starts_with(common::repo_root().join("captures")))
        .count();
    assert!(ours > 30, "captures/ has {ours} files");
    for f in files {
        same_both_ways(&f);
    }
}

/// An IPv4 packet (raw IP link) carrying `proto` with `body`.
fn ipv4(src: Ipv4Addr, dst: Ipv4Addr, proto: u8, body: &[u8]) -> Vec<u8> {
    let len = 20 + body.len();
    let mut p = vec![
        0x45,
        0,
        (len >> 8) as u8,
        len as u8,
        0,
        0,
        0,
        0,
        64,
        proto,
        0,
        0,
    ];
    p.extend_from_slice(&src.octets());
    p.extend_from_slice(&dst.octets());
    p.extend_from_slice(body);
    p
}

#[test]
fn crafted_esp_stream_is_the_same_batched_or_not() {
    let mut rng = Prng::new(0x1e5c_09e0);
    // 600 SAs over 150 peer pairs; SPIs drawn from a small set so that
    // many pairs share one, and some SAs are AH with an ESP SPI.
    struct Sa {
        src: Ipv4Addr,
        dst: Ipv4Addr,
        spi: u32,
        ah: bool,
        udp: bool,
        seq: u32,
    }
    let mut sas: Vec<Sa> = (0..600u32)
        .map(|i| {
            let pair = i % 150;
            let a = Ipv4Addr::new(192, 0, 2, (pair % 250) as u8 + 1);
            let b = Ipv4Addr::new(198, 51, 100, (pair / 2) as u8 + 1);
            let (src, dst) = if i % 2 == 0 { (a, b) } else { (b, a) };
            Sa {
                src,
                dst,
                spi: 0x100 + rng.below(200) as u32,
                ah: rng.chance(10),
                udp: rng.chance(20),
                seq: 1,
            }
        })
        .collect();
    let mut owned: Vec<Vec<u8>> = Vec::new();
    for _ in 0..40_000 {
        let r = rng.below(100);
        if r < 3 {
            // A short UDP/500 datagram: not IKE, handled at once.
            let udp = [0x01, 0xf4, 0x01, 0xf4, 0, 10, 0, 0, 0xde, 0xad];
            let s = &sas[rng.below(sas.len())];
            owned.push(ipv4(s.src, s.dst, 17, &udp));
            continue;
        }
        // Mostly a few SAs in bursts, else any of them.
        let i = if rng.chance(50) {
            rng.below(8)
        } else {
            rng.below(sas.len())
        };
        let s = &mut sas[i];
        let seq = match rng.below(100) {
            0..=84 => {
                s.seq += 1;
                s.seq
            }
            85..=89 => {
                s.seq += 2 + rng.below(300) as u32;
                s.seq
            }
            90..=94 => s.seq.saturating_sub(rng.below(200) as u32),
            _ => s.seq,
        };
        let mut hdr = Vec::new();
        if s.ah {
            // AH (RFC 4302 §2): next header, length, reserved, SPI, seq, ICV.
            hdr.extend_from_slice(&[4, 4, 0, 0]);
            hdr.extend_from_slice(&s.spi.to_be_bytes());
            hdr.extend_from_slice(&seq.to_be_bytes());
            hdr.extend_from_slice(&[0; 12]);
            hdr.extend_from_slice(&[0; 20]);
            owned.push(ipv4(s.src, s.dst, 51, &hdr));
        } else {
            hdr.extend_from_slice(&s.spi.to_be_bytes());
            hdr.extend_from_slice(&seq.to_be_bytes());
            hdr.extend_from_slice(&[0x5a; 40]);
            if s.udp {
                let len = 8 + hdr.len();
                let mut u = vec![0x11, 0x94, 0x11, 0x94, (len >> 8) as u8, len as u8, 0, 0];
                u.extend_from_slice(&hdr);
                owned.push(ipv4(s.src, s.dst, 17, &u));
            } else {
                owned.push(ipv4(s.src, s.dst, 50, &hdr));
            }
        }
    }
    let frames: Vec<Frame<'_>> = owned
        .iter()
        .enumerate()
        .map(|(n, data)| Frame {
            number: n as u64 + 1,
            ts: Timestamp {
                secs: 1_700_000_000 + (n / 1000) as i64,
                nanos: (n % 1000) as u32 * 1_000_000,
            },
            link: LinkType::RAW,
            data,
            orig_len: data.len() as u32,
            interface: 0,
            origin: Origin::Wire,
        })
        .collect();
    let opts = Options::default();
    let batched = app::analyze_frames("crafted".into(), &frames, &opts, None);
    let each = app::analyze_frames("crafted".into(), &frames, &opts, Some(&mut Nothing));
    let (b, e) = (json_of(&batched), json_of(&each));
    // The stream did what it was built for.
    for needle in [
        "\"proto\": \"ah\"",
        "\"udp\": true",
        "\"replayed\": 1",
        "\"reordered\": 1",
    ] {
        assert!(b.contains(needle), "crafted stream has no {needle}");
    }
    assert!(b == e, "batched and per-packet analyses differ");
}
