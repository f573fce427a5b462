//! Deterministic mutation test: no panic, no hang, no unbounded allocation.
//!
//! Seeds are real IKE/ESP/AH packets pulled from `captures/` and the shared
//! corpus (by a small independent pcap walker, `common/extract.rs`) plus the
//! hand-built messages of `common/build.rs`, so the test also runs without
//! any capture. A fixed-seed SplitMix64 drives the mutations, so every run
//! feeds exactly the same cases:
//!
//! * IKE messages → `ike::parse_message`: truncation at every length (with
//!   and without fixing the ISAKMP length), bit flips, every length field
//!   (ISAKMP length, payload, proposal, transform and attribute lengths) and
//!   count field (SPI sizes, transform counts, number of SPIs) set to edge
//!   values, next-payload types changed, chunks deleted/duplicated, two
//!   messages spliced.
//! * Frames → `net::Decoder::decode`: the mutated IKE messages inside
//!   Ethernet/IPv4/UDP 500 and 4500 (non-ESP marker), real frames truncated
//!   at every length and with IP/UDP header fields changed, and streams of
//!   overlapping, duplicated, out-of-order and never-completed IPv4/IPv6
//!   fragments through one long-lived decoder.
//! * Whole capture files → `capture::read_bytes`: pcap and pcapng (built
//!   and real), gzip-wrapped, truncated at every length, header bytes
//!   flipped, record and block lengths set to edge values.
//! * A few mutated files through `ikescope packets --json`: exit status 0, 1
//!   or 2 and no "panicked" on stderr, within a time limit.
//!
//! Assertions: no panic (a panic fails the test and names the case, with
//! its bytes in hex); each family finishes under a watchdog and no single
//! case takes over 5 s; results are bounded by the input (payload
//! count ≤ len/4, JSON array elements ≤ len + 16, serialized JSON ≤ 200 ×
//! len + 8 KiB, frames delivered ≤ records in the file, frame bytes ≤ file
//! bytes, reassembled datagrams ≤ the defragmentation cap).

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::build;
use common::extract::{self, Seed, SeedKind};
use common::prng::Prng;
use ikescope::capture::{self, Frame, FrameSink, LinkType, Notice, Origin, ReadOptions, Timestamp};
use ikescope::ike;
use ikescope::net::{Datagram, Decoded, Decoder, NetOptions, Payload};

// ---------------------------------------------------------------------
// Harness: watchdog, per-case timing, current-case report on panic.
// ---------------------------------------------------------------------

/// What is running now, for the failure message.
#[derive(Default)]
struct Current {
    label: String,
    bytes: Vec<u8>,
}

struct Runner {
    current: Arc<Mutex<Current>>,
    cases: Arc<AtomicU64>,
    slowest: Duration,
    slowest_label: String,
}

impl Runner {
    /// Run one case: record it, time it.
    fn case(&mut self, label: impl FnOnce() -> String, bytes: &[u8], f: impl FnOnce()) {
        {
            let mut c = self.current.lock().unwrap_or_else(|e| e.into_inner());
            c.label.clear();
            c.label.push_str(&label());
            c.bytes.clear();
            c.bytes.extend_from_slice(bytes);
        }
        let t = Instant::now();
        f();
        let d = t.elapsed();
        if d > self.slowest {
            self.slowest = d;
            self.slowest_label = self
                .current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .label
                .clone();
        }
        self.cases.fetch_add(1, Ordering::Relaxed);
    }
}

/// Longest a single case may take (debug build, shared CPU): far above
/// any linear-time parse of these inputs, far below a hang.
const CASE_LIMIT: Duration = Duration::from_secs(5);

/// Run a family of cases in a thread under a watchdog. Fails on a panic
/// (naming the case and its bytes), on a family running over `limit`, or on
/// one case taking longer than `CASE_LIMIT`.
fn family(name: &str, limit: Duration, body: impl FnOnce(&mut Runner) + Send + 'static) -> u64 {
    let current = Arc::new(Mutex::new(Current::default()));
    let cases = Arc::new(AtomicU64::new(0));
    let (tx, rx) = std::sync::mpsc::channel();
    let (c2, n2) = (current.clone(), cases.clone());
    let handle = std::thread::Builder::new()
        .name(name.to_string())
        .stack_size(64 << 20)
        .spawn(move || {
            let mut r = Runner {
                current: c2,
                cases: n2,
                slowest: Duration::ZERO,
                slowest_label: String::new(),
            };
            body(&mut r);
            let _ = tx.send((r.slowest, r.slowest_label));
        })
        .expect("spawn");
    let describe = |cur: &Arc<Mutex<Current>>| {
        let c = cur.lock().unwrap_or_else(|e| e.into_inner());
        format!(
            "case `{}`, {} bytes: {}",
            c.label,
            c.bytes.len(),
            common::truncate(&hex::encode(&c.bytes), 4000)
        )
    };
    match rx.recv_timeout(limit) {
        Ok((slowest, label)) => {
            let _ = handle.join();
            let n = cases.load(Ordering::Relaxed);
            eprintln!("{name}: {n} cases, slowest {slowest:?} ({label})");
            assert!(
                slowest < CASE_LIMIT,
                "{name}: case `{label}` took {slowest:?}"
            );
            n
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The thread ended without reporting: it panicked.
            let _ = handle.join();
            panic!("{name}: panic on {}", describe(&current));
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!(
                "{name}: no progress within {limit:?} after {} cases; stuck on {}",
                cases.load(Ordering::Relaxed),
                describe(&current)
            );
        }
    }
}

// ---------------------------------------------------------------------
// Seeds.
// ---------------------------------------------------------------------

fn hash(b: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

/// Real packets from the captures, deduplicated, at most `max` per kind,
/// spread over all files.
fn real_seeds(max_ike: usize, max_other: usize) -> Vec<Seed> {
    let mut seen = std::collections::HashSet::new();
    let mut per_file: Vec<Vec<Seed>> = Vec::new();
    for path in common::capture_files() {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let mut v = Vec::new();
        for s in extract::seeds(&bytes) {
            if seen.insert(hash(&s.payload)) {
                v.push(s);
            }
        }
        per_file.push(v);
    }
    // Round-robin over files, so big files do not crowd out small ones.
    let (mut ike_n, mut other_n) = (0, 0);
    let mut out = Vec::new();
    for round in 0..10_000 {
        let mut any = false;
        for f in &per_file {
            let Some(s) = f.get(round) else { continue };
            any = true;
            match s.kind {
                SeedKind::Ike if ike_n < max_ike => {
                    ike_n += 1;
                    out.push(s.clone());
                }
                SeedKind::Esp | SeedKind::Ah if other_n < max_other => {
                    other_n += 1;
                    out.push(s.clone());
                }
                _ => {}
            }
        }
        if !any {
            break;
        }
    }
    out
}

/// IKE messages to mutate: the hand-built ones, then real ones.
fn ike_seeds() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = build::sample_messages()
        .into_iter()
        .map(|(n, b)| (n.to_string(), b))
        .collect();
    for (i, s) in real_seeds(160, 0)
        .into_iter()
        .filter(|s| s.kind == SeedKind::Ike)
        .enumerate()
    {
        v.push((format!("real#{i}"), s.payload));
    }
    v
}

// ---------------------------------------------------------------------
// IKE structure: where the length, count and type fields are.
// ---------------------------------------------------------------------

#[derive(Debug, Default)]
struct Fields {
    /// Offsets of 16-bit big-endian length (or count) fields.
    len16: Vec<usize>,
    /// Offsets of 8-bit size/count fields (SPI size, transform count).
    small: Vec<usize>,
    /// Offsets of next-payload / type bytes.
    types: Vec<usize>,
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

/// Walk a well-formed message (independently of the code under test) and
/// list its length, count and type fields (RFC 2408 §3.2-3.6, 3.14, 3.15;
/// RFC 7296 §3.2-3.3, 3.10, 3.11). Stops at the first inconsistency.
fn ike_fields(m: &[u8]) -> Fields {
    let mut f = Fields::default();
    f.types.push(16);
    let (Some(&next0), Some(&ver)) = (m.get(16), m.get(17)) else {
        return f;
    };
    let v2 = ver >> 4 == 2;
    let mut next = next0;
    let mut off = 28;
    for _ in 0..256 {
        if next == 0 || off + 4 > m.len() {
            break;
        }
        let Some(plen) = be16(m, off + 2) else { break };
        if plen < 4 || off + plen > m.len() {
            break;
        }
        f.types.push(off);
        f.len16.push(off + 2);
        let body = off + 4;
        let end = off + plen;
        let (sa, notify, delete) = if v2 { (33, 41, 42) } else { (1, 11, 12) };
        if next == sa {
            let mut p = body + if v2 { 0 } else { 8 };
            for _ in 0..64 {
                let Some(pl) = be16(m, p + 2) else { break };
                if pl < 8 || p + pl > end {
                    break;
                }
                f.types.push(p);
                f.len16.push(p + 2);
                f.small.push(p + 6);
                f.small.push(p + 7);
                let spi = usize::from(*m.get(p + 6).unwrap_or(&0));
                let mut t = p + 8 + spi;
                for _ in 0..256 {
                    let Some(tl) = be16(m, t + 2) else { break };
                    if tl < 8 || t + tl > p + pl {
                        break;
                    }
                    f.types.push(t);
                    f.len16.push(t + 2);
                    let mut a = t + 8;
                    for _ in 0..256 {
                        if a + 4 > t + tl {
                            break;
                        }
                        if m[a] & 0x80 == 0 {
                            f.len16.push(a + 2);
                            a += 4 + be16(m, a + 2).unwrap_or(0);
                        } else {
                            a += 4;
                        }
                    }
                    t += tl;
                }
                p += pl;
            }
        } else if next == notify {
            f.small.push(body + if v2 { 1 } else { 5 });
        } else if next == delete {
            let at = body + if v2 { 1 } else { 5 };
            f.small.push(at);
            f.len16.push(at + 1);
        }
        let this = next;
        next = m[off];
        off += plen;
        if v2 && (this == 46 || this == 53) {
            break;
        }
    }
    f
}

// ---------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------

/// Count every array element in a JSON value.
fn array_elements(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Array(a) => a.len() + a.iter().map(array_elements).sum::<usize>(),
        serde_json::Value::Object(o) => o.values().map(array_elements).sum(),
        _ => 0,
    }
}

/// Parse a (mutated) IKE message and check the result is bounded.
fn check_ike(b: &[u8], serialize: bool) {
    match ike::parse_message(b) {
        Err(_) => {
            // Only "no header at all" is an error (see `parse_message`).
            let version = b.get(17).map(|v| v >> 4);
            assert!(
                b.len() < 28 || !matches!(version, Some(1 | 2)),
                "parse_message failed on a {}-byte message with version {version:?}",
                b.len()
            );
        }
        Ok(m) => {
            assert!(
                m.payloads.len() <= b.len() / 4,
                "{} payloads from {} bytes",
                m.payloads.len(),
                b.len()
            );
            for p in &m.payloads {
                assert!(p.offset + usize::from(p.length) <= b.len());
            }
            if serialize {
                let v = serde_json::to_value(&m).expect("Message serializes");
                let elems = array_elements(&v);
                assert!(
                    elems <= b.len() + 16,
                    "{elems} JSON array elements from {} bytes",
                    b.len()
                );
                let s = v.to_string();
                assert!(
                    s.len() <= 200 * b.len() + 8192,
                    "{} bytes of JSON from {} bytes",
                    s.len(),
                    b.len()
                );
            }
        }
    }
}

fn frame_of<'a>(n: u64, link: u32, data: &'a [u8]) -> Frame<'a> {
    Frame {
        number: n,
        ts: Timestamp {
            secs: 1_700_000_000 + n as i64,
            nanos: 0,
        },
        link: LinkType(link),
        data,
        orig_len: data.len() as u32,
        interface: 0,
        origin: Origin::Wire,
    }
}

/// Decode one frame and check the result; IKE/ESP/AH payloads go on to
/// their parsers, as the binary would do.
fn check_net(dec: &mut Decoder, n: u64, link: u32, data: &[u8]) {
    let f = frame_of(n, link, data);
    let cap = NetOptions::default().defrag_max_bytes;
    match dec.decode(&f) {
        Decoded::Datagram(Datagram {
            payload,
            fragments,
            frame,
            ..
        }) => {
            assert_eq!(frame, n);
            assert!(fragments.len() <= 65536 / 8 + 1);
            match payload {
                Payload::Ike { data, .. } => {
                    assert!(data.len() <= cap + 65536);
                    check_ike(&data, false);
                }
                Payload::Esp { data, .. } => {
                    assert!(data.len() <= cap + 65536);
                    let _ = ikescope::esp::Esp::parse(&data);
                }
                Payload::Ah(data) => {
                    assert!(data.len() <= cap + 65536);
                    let _ = ikescope::esp::Ah::parse(&data);
                }
                Payload::NatKeepalive => {}
            }
        }
        Decoded::Malformed(m) => {
            assert_eq!(m.frame, n);
            assert!(
                m.offset <= data.len(),
                "offset {} > {}",
                m.offset,
                data.len()
            );
        }
        Decoded::Icmp(e) => assert_eq!(e.frame, n),
        Decoded::Held | Decoded::Ignored => {}
    }
    assert!(dec.take_notices().len() <= 64);
}

// ---------------------------------------------------------------------
// IKE mutations.
// ---------------------------------------------------------------------

fn set16(b: &mut [u8], at: usize, v: usize) {
    if let Some(s) = b.get_mut(at..at + 2) {
        s.copy_from_slice(&(v as u16).to_be_bytes());
    }
}

/// Every mutated message of one seed, with a label. `full` enables the
/// exhaustive type sweep (hand-built seeds); real seeds get a sample.
fn ike_mutations(seed: &[u8], full: bool, rng: &mut Prng, out: &mut Vec<(String, Vec<u8>)>) {
    let len = seed.len();
    // Truncation at every length, with the header length left alone (it
    // then overruns the data) and fixed to the cut (payloads overrun).
    for cut in 0..=len {
        out.push((format!("truncate {cut}"), seed[..cut].to_vec()));
        if cut >= 28 {
            let mut m = seed[..cut].to_vec();
            m[24..28].copy_from_slice(&(cut as u32).to_be_bytes());
            out.push((format!("truncate+fix {cut}"), m));
        }
    }
    // Bit flips: 1 to 4 bits, anywhere; and concentrated on the header.
    for i in 0..48 {
        let mut m = seed.to_vec();
        if m.is_empty() {
            break;
        }
        for _ in 0..1 + rng.below(4) {
            let at = if i % 3 == 0 {
                rng.below(m.len().min(32))
            } else {
                rng.below(m.len())
            };
            m[at] ^= 1 << rng.below(8);
        }
        out.push((format!("bitflip {i}"), m));
    }
    let fields = ike_fields(seed);
    // The ISAKMP length (u32 at 24).
    for v in [
        0u32,
        1,
        4,
        27,
        28,
        29,
        len as u32 - 1,
        len as u32 + 1,
        0x8000_0000,
        u32::MAX,
    ] {
        let mut m = seed.to_vec();
        if m.len() >= 28 {
            m[24..28].copy_from_slice(&v.to_be_bytes());
            out.push((format!("isakmp length {v}"), m));
        }
    }
    // 16-bit length/count fields.
    for &at in &fields.len16 {
        let orig = be16(seed, at).unwrap_or(0);
        let remaining = len.saturating_sub(at);
        let r = rng.below(65536);
        for v in [
            0,
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            orig.saturating_sub(1),
            orig + 1,
            orig * 2,
            remaining,
            remaining + 1,
            0x7fff,
            0x8000,
            0xffff,
            r,
        ] {
            let mut m = seed.to_vec();
            set16(&mut m, at, v);
            out.push((format!("len16@{at}={v}"), m));
        }
    }
    // 8-bit SPI sizes and counts.
    for &at in &fields.small {
        let orig = usize::from(*seed.get(at).unwrap_or(&0));
        for v in [
            0,
            1,
            2,
            3,
            4,
            8,
            16,
            17,
            32,
            255,
            orig.saturating_sub(1),
            orig + 1,
        ] {
            let mut m = seed.to_vec();
            if let Some(b) = m.get_mut(at) {
                *b = v as u8;
                out.push((format!("u8@{at}={v}"), m));
            }
        }
    }
    // Next-payload / type bytes.
    let types: Vec<u8> = (0..=55).chain(128..=135).chain([200, 254, 255]).collect();
    for &at in &fields.types {
        let picks: Vec<u8> = if full {
            types.clone()
        } else {
            (0..6).map(|_| types[rng.below(types.len())]).collect()
        };
        for t in picks {
            let mut m = seed.to_vec();
            if let Some(b) = m.get_mut(at) {
                *b = t;
                out.push((format!("type@{at}={t}"), m));
            }
        }
    }
    // Version byte and exchange type.
    for v in [0x00, 0x10, 0x1f, 0x20, 0x2f, 0x30, 0xff] {
        let mut m = seed.to_vec();
        if let Some(b) = m.get_mut(17) {
            *b = v;
            out.push((format!("version {v:#x}"), m));
        }
    }
    // Delete a chunk, duplicate a chunk, overwrite with random bytes.
    for i in 0..12 {
        if len < 2 {
            break;
        }
        let a = rng.below(len);
        let b = (a + 1 + rng.below(64)).min(len);
        let mut m = seed.to_vec();
        match i % 3 {
            0 => {
                m.drain(a..b);
            }
            1 => {
                let chunk = seed[a..b].to_vec();
                m.splice(b..b, chunk);
            }
            _ => m[a..b].iter_mut().for_each(|x| *x = rng.byte()),
        }
        out.push((format!("chunk op {i} {a}..{b}"), m));
    }
}

/// IKE messages through the parser: every mutation of every seed.
#[test]
fn mutate_ike_messages() {
    let seeds = ike_seeds();
    let n = family("ike", Duration::from_secs(600), move |r| {
        let mut rng = Prng::new(0x1ce5_c0de);
        let hand = build::sample_messages().len();
        let mut cases = Vec::new();
        for (i, (name, seed)) in seeds.iter().enumerate() {
            cases.clear();
            ike_mutations(seed, i < hand, &mut rng, &mut cases);
            // Splice with the next seed: a message followed by another.
            if let Some((_, other)) = seeds.get(i + 1) {
                let mut m = seed.clone();
                m.extend_from_slice(other);
                cases.push(("splice".into(), m));
            }
            for (k, (label, m)) in cases.iter().enumerate() {
                // Serialize a sample (all non-truncation cases, every 8th
                // truncation): serde is the slow part.
                let ser = !label.starts_with("truncate") || k % 8 == 0;
                r.case(|| format!("{name}: {label}"), m, || check_ike(m, ser));
            }
        }
    });
    assert!(n >= 5000, "only {n} IKE cases");
}

// ---------------------------------------------------------------------
// Network layer.
// ---------------------------------------------------------------------

/// Set an IPv4 header field and fix the header checksum, so the change is
/// not simply rejected for a bad checksum.
fn ipv4_edit(frame: &mut [u8], ip: usize, at: usize, bytes: &[u8]) {
    if let Some(s) = frame.get_mut(ip + at..ip + at + bytes.len()) {
        s.copy_from_slice(bytes);
    }
    let ihl = usize::from(frame.get(ip).map_or(5, |b| b & 0x0f)) * 4;
    if let Some(h) = frame.get_mut(ip..ip + ihl.max(20)) {
        if h.len() >= 12 {
            h[10] = 0;
            h[11] = 0;
            let c = build::inet_checksum(h);
            h[10..12].copy_from_slice(&c.to_be_bytes());
        }
    }
}

/// IPv4 fragments of `payload` (an IP payload of protocol `proto`), 8-byte
/// aligned pieces of `piece` bytes each.
fn ipv4_fragments(id: u16, proto: u8, payload: &[u8], piece: usize) -> Vec<Vec<u8>> {
    let piece = piece.max(8) & !7;
    let mut out = Vec::new();
    let mut off = 0;
    while off < payload.len() {
        let end = (off + piece).min(payload.len());
        let mut f = build::eth_ipv4([192, 0, 2, 1], [198, 51, 100, 2], proto, &payload[off..end]);
        let mf = if end < payload.len() { 0x2000 } else { 0 };
        let fo = ((off / 8) as u16) | mf;
        ipv4_edit(&mut f, 14, 4, &id.to_be_bytes());
        ipv4_edit(&mut f, 14, 6, &fo.to_be_bytes());
        out.push(f);
        off = end;
    }
    out
}

/// IPv6 frame with a Fragment extension header (RFC 8200 §4.5).
fn ipv6_fragment(id: u32, next: u8, offset: usize, more: bool, data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd];
    f.extend([0x60, 0, 0, 0]);
    f.extend(((8 + data.len()) as u16).to_be_bytes());
    f.extend([44, 64]);
    f.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    f.extend([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    f.extend([next, 0]);
    f.extend((((offset / 8) as u16) << 3 | u16::from(more)).to_be_bytes());
    f.extend(id.to_be_bytes());
    f.extend_from_slice(data);
    f
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = sport.to_be_bytes().to_vec();
    u.extend(dport.to_be_bytes());
    u.extend(((8 + payload.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend_from_slice(payload);
    u
}

/// Mutated IKE messages inside frames, and mutated real frames.
#[test]
fn mutate_frames_through_net() {
    let seeds = ike_seeds();
    let real = real_seeds(120, 60);
    let n = family("net", Duration::from_secs(600), move |r| {
        let mut rng = Prng::new(0x0e7_5eed);
        let mut dec = Decoder::new(NetOptions::default());
        let mut n = 0u64;
        let mut cases = Vec::new();
        // 1. Mutated IKE inside UDP 500 / 4500 with marker.
        for (i, (name, seed)) in seeds.iter().enumerate().take(60) {
            cases.clear();
            ike_mutations(seed, false, &mut rng, &mut cases);
            for (k, (label, m)) in cases.iter().enumerate() {
                if k % 3 != 0 {
                    continue;
                }
                let f = if (i + k) % 2 == 0 {
                    build::eth_ipv4_udp(500, 500, m)
                } else {
                    build::eth_ike_natt(m)
                };
                n += 1;
                r.case(
                    || format!("{name}: {label} in udp"),
                    &f,
                    || check_net(&mut dec, n, 1, &f),
                );
            }
        }
        // 2. Real and built frames: truncation at every length, header
        // bytes flipped, IPv4 fields edited.
        let mut frames: Vec<(String, u32, Vec<u8>)> = real
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("real frame #{i}"), s.link, s.frame.clone()))
            .collect();
        for (name, f) in build::sample_frames() {
            frames.push((name, 1, f));
        }
        for (name, link, f) in &frames {
            let cut_step = if f.len() > 600 { f.len() / 300 } else { 1 };
            for cut in (0..=f.len()).step_by(cut_step.max(1)) {
                let g = &f[..cut];
                n += 1;
                r.case(
                    || format!("{name}: truncate {cut}"),
                    g,
                    || check_net(&mut dec, n, *link, g),
                );
            }
            for i in 0..24 {
                let mut g = f.clone();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(g.len().clamp(1, 64));
                    if let Some(b) = g.get_mut(at) {
                        *b ^= 1 << rng.below(8);
                    }
                }
                n += 1;
                r.case(
                    || format!("{name}: header bitflip {i}"),
                    &g,
                    || check_net(&mut dec, n, *link, &g),
                );
            }
            // IPv4 fields, for Ethernet/IPv4 frames.
            if *link == 1 && f.get(12..14) == Some(&[0x08, 0x00]) && f.len() > 34 {
                let edits: Vec<(usize, Vec<u8>)> = vec![
                    (0, vec![0x40]),
                    (0, vec![0x44]),
                    (0, vec![0x46]),
                    (0, vec![0x4f]),
                    (0, vec![0x60]),
                    (2, vec![0, 0]),
                    (2, vec![0, 19]),
                    (2, vec![0, 20]),
                    (2, vec![0, 28]),
                    (2, vec![0xff, 0xff]),
                    (6, vec![0x20, 0]),
                    (6, vec![0x20, 0x01]),
                    (6, vec![0x1f, 0xff]),
                    (6, vec![0x00, 0x01]),
                    (6, vec![0x40, 0x00]),
                    (9, vec![17]),
                    (9, vec![50]),
                    (9, vec![51]),
                    (9, vec![0]),
                    // UDP length (IHL 5): 0, 7, 8, huge.
                    (24, vec![0, 0]),
                    (24, vec![0, 7]),
                    (24, vec![0, 8]),
                    (24, vec![0xff, 0xff]),
                    // UDP ports 500/4500.
                    (22, vec![0x01, 0xf4]),
                    (22, vec![0x11, 0x94]),
                ];
                for (at, bytes) in edits {
                    let mut g = f.clone();
                    ipv4_edit(&mut g, 14, at, &bytes);
                    n += 1;
                    r.case(
                        || format!("{name}: ipv4[{at}]={bytes:02x?}"),
                        &g,
                        || check_net(&mut dec, n, 1, &g),
                    );
                }
            }
            // The same frame under other link types.
            for link2 in [0u32, 101, 113, 276, 228, 229, 12, 14, 108, 9999] {
                n += 1;
                r.case(
                    || format!("{name}: as link {link2}"),
                    f,
                    || check_net(&mut dec, n, link2, f),
                );
            }
        }
        let _ = dec.finish();
    });
    assert!(n >= 5000, "only {n} frame cases");
}

/// Streams of IPv4 and IPv6 fragments: overlapping, duplicated,
/// out-of-order, never completed, absurd offsets, through one decoder
/// whose memory must stay within its caps.
#[test]
fn mutate_fragment_streams() {
    let seeds = ike_seeds();
    let n = family("fragments", Duration::from_secs(300), move |r| {
        let mut rng = Prng::new(0xf4a6_3e47);
        let opts = NetOptions {
            defrag_max_bytes: 64 << 10,
            defrag_max_datagrams: 16,
            ..NetOptions::default()
        };
        let cap = opts.defrag_max_bytes;
        let mut dec = Decoder::new(opts);
        let mut n = 0u64;
        for round in 0..400 {
            let (_, ike) = &seeds[round % seeds.len()];
            let mut ike = ike.clone();
            // Some big messages, as certificates make them.
            if round % 5 == 0 {
                let extra = ike.clone();
                for _ in 0..rng.below(20) {
                    ike.extend_from_slice(&extra);
                }
            }
            let port = if round % 2 == 0 { 500 } else { 4500 };
            let payload = if port == 4500 {
                let mut p = vec![0, 0, 0, 0];
                p.extend_from_slice(&ike);
                udp(port, port, &p)
            } else {
                udp(port, port, &ike)
            };
            let id = (rng.below(8)) as u16; // few IDs: collisions on purpose
            let mut frags: Vec<Vec<u8>> = if round % 3 == 2 {
                // IPv6.
                let piece = 8 * (1 + rng.below(64));
                let mut v = Vec::new();
                let mut off = 0;
                while off < payload.len() {
                    let end = (off + piece).min(payload.len());
                    v.push(ipv6_fragment(
                        id.into(),
                        17,
                        off,
                        end < payload.len(),
                        &payload[off..end],
                    ));
                    off = end;
                }
                v
            } else {
                ipv4_fragments(id, 17, &payload, 8 * (1 + rng.below(64)))
            };
            // Disorder: shuffle, duplicate, drop, overlap-by-rewrite.
            match rng.below(6) {
                0 => frags.reverse(),
                1 => {
                    for i in (1..frags.len()).rev() {
                        let j = rng.below(i + 1);
                        frags.swap(i, j);
                    }
                }
                2 if !frags.is_empty() => {
                    let d = frags[rng.below(frags.len())].clone();
                    frags.push(d);
                }
                3 if frags.len() > 1 => {
                    frags.remove(rng.below(frags.len() - 1));
                }
                4 if !frags.is_empty() => {
                    // Absurd offset on one IPv4 fragment.
                    let i = rng.below(frags.len());
                    if frags[i].get(12..14) == Some(&[0x08, 0x00]) {
                        ipv4_edit(&mut frags[i], 14, 6, &[0x3f, 0xff]);
                    }
                }
                _ => {}
            }
            for f in &frags {
                n += 1;
                let ts = n;
                r.case(
                    || format!("fragment round {round}"),
                    f,
                    || {
                        let fr = frame_of(ts, 1, f);
                        if let Decoded::Datagram(d) = dec.decode(&fr) {
                            let len = match &d.payload {
                                Payload::Ike { data, .. } | Payload::Esp { data, .. } => data.len(),
                                Payload::Ah(data) => data.len(),
                                Payload::NatKeepalive => 1,
                            };
                            assert!(len <= cap + 65536, "reassembled {len} bytes over cap {cap}");
                            if let Payload::Ike { data, .. } = &d.payload {
                                check_ike(data, false);
                            }
                        }
                        assert!(dec.take_notices().len() <= 64);
                    },
                );
            }
        }
        let _ = dec.finish();
    });
    assert!(n >= 1000, "only {n} fragment cases");
}

// ---------------------------------------------------------------------
// Capture reader.
// ---------------------------------------------------------------------

#[derive(Default)]
struct CountingSink {
    frames: u64,
    bytes: usize,
    last: u64,
    notices: u64,
    max_frame: usize,
}

impl FrameSink for CountingSink {
    fn frame(&mut self, frame: &Frame<'_>) {
        assert!(
            frame.number > self.last,
            "frame numbers go {} → {}",
            self.last,
            frame.number
        );
        self.last = frame.number;
        self.frames += 1;
        self.bytes += frame.data.len();
        self.max_frame = self.max_frame.max(frame.data.len());
    }
    fn notice(&mut self, _notice: Notice) {
        self.notices += 1;
    }
}

fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1f, 0x8b])
}

/// Read a (mutated) capture from memory and check the result is bounded.
fn check_capture(b: &[u8]) {
    let mut sink = CountingSink::default();
    let res = capture::read_bytes(b, &ReadOptions::default(), &mut sink);
    if let Ok(sum) = &res {
        assert_eq!(sum.frames, sink.frames, "summary frames vs delivered");
    }
    assert!(sink.notices <= sink.frames + 64, "{} notices", sink.notices);
    if !is_gzip(b) {
        // Each pcap record has a 16-byte header, each pcapng packet block
        // at least 16 bytes: frames cannot outnumber len / 16.
        assert!(sink.frames as usize <= b.len() / 16 + 1);
        assert!(
            sink.bytes <= b.len(),
            "{} frame bytes from {}",
            sink.bytes,
            b.len()
        );
        if let Ok(sum) = &res {
            assert!(sum.bytes as usize <= b.len());
        }
    } else {
        // A gzip stream inflates by at most 1032:1.
        assert!(sink.bytes <= b.len() * 1032 + 65536);
    }
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(b);
    e.finish().unwrap_or_default()
}

/// Byte offsets of pcap record headers (incl_len at +8, orig_len at +12).
fn pcap_record_offsets(b: &[u8]) -> Vec<usize> {
    let le = b.get(0..4) == Some(&[0xd4, 0xc3, 0xb2, 0xa1])
        || b.get(0..4) == Some(&[0x4d, 0x3c, 0xb2, 0xa1]);
    let mut out = Vec::new();
    let mut off = 24;
    for _ in 0..100_000 {
        let Some(s) = b.get(off + 8..off + 12) else {
            break;
        };
        let s: [u8; 4] = s.try_into().unwrap_or([0; 4]);
        let incl = if le {
            u32::from_le_bytes(s)
        } else {
            u32::from_be_bytes(s)
        } as usize;
        out.push(off);
        off += 16 + incl;
        if off > b.len() {
            break;
        }
    }
    out
}

/// Byte offsets of pcapng blocks (little-endian files).
fn pcapng_block_offsets(b: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut off = 0;
    for _ in 0..100_000 {
        let Some(s) = b.get(off + 4..off + 8) else {
            break;
        };
        let len = u32::from_le_bytes(s.try_into().unwrap_or([0; 4])) as usize;
        if len < 12 {
            break;
        }
        out.push(off);
        off += len;
        if off > b.len() {
            break;
        }
    }
    out
}

fn put32(b: &mut [u8], at: usize, v: u32, le: bool) {
    if let Some(s) = b.get_mut(at..at + 4) {
        s.copy_from_slice(&if le { v.to_le_bytes() } else { v.to_be_bytes() });
    }
}

/// Capture files to mutate: built pcap (LE µs, BE ns), pcapng, gzip, and
/// small real files.
fn capture_seeds() -> Vec<(String, Vec<u8>)> {
    let records: Vec<Vec<u8>> = build::sample_frames().into_iter().map(|f| f.1).collect();
    let pcap = build::pcap(1, &records);
    // Big-endian, nanosecond variant of the same file.
    let mut be = Vec::new();
    be.extend(0xa1b2_3c4du32.to_be_bytes());
    be.extend(2u16.to_be_bytes());
    be.extend(4u16.to_be_bytes());
    be.extend([0u8; 8]);
    be.extend(65535u32.to_be_bytes());
    be.extend(1u32.to_be_bytes());
    for (i, r) in records.iter().enumerate() {
        be.extend((1_700_000_000u32 + i as u32).to_be_bytes());
        be.extend((i as u32 * 1000).to_be_bytes());
        be.extend((r.len() as u32).to_be_bytes());
        be.extend((r.len() as u32 + 100).to_be_bytes());
        be.extend_from_slice(r);
    }
    let ng = build::pcapng(1, &records);
    let mut v = vec![
        ("built.pcap".to_string(), pcap.clone()),
        ("built-be-ns.pcap".to_string(), be),
        ("built.pcapng".to_string(), ng.clone()),
        ("built.pcap.gz".to_string(), gzip(&pcap)),
        ("built.pcapng.gz".to_string(), gzip(&ng)),
    ];
    let mut real = 0;
    for path in common::capture_files() {
        let Ok(b) = std::fs::read(&path) else {
            continue;
        };
        if b.len() <= 8192 && real < 16 {
            real += 1;
            v.push((common::display_name(&path), b));
        }
    }
    v
}

/// Whole capture files through the reader.
#[test]
fn mutate_capture_files() {
    let seeds = capture_seeds();
    let n = family("capture", Duration::from_secs(600), move |r| {
        let mut rng = Prng::new(0xcafe_f00d);
        for (name, file) in &seeds {
            let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
            let step = if file.len() > 3000 {
                file.len() / 1500
            } else {
                1
            };
            for cut in (0..=file.len()).step_by(step.max(1)) {
                cases.push((format!("truncate {cut}"), file[..cut].to_vec()));
            }
            for i in 0..150 {
                let mut m = file.clone();
                for _ in 0..1 + rng.below(3) {
                    let at = if i % 2 == 0 {
                        rng.below(m.len().clamp(1, 48))
                    } else {
                        rng.below(m.len().max(1))
                    };
                    if let Some(b) = m.get_mut(at) {
                        *b ^= 1 << rng.below(8);
                    }
                }
                cases.push((format!("bitflip {i}"), m));
            }
            let values = |orig: u32| {
                [
                    0u32,
                    1,
                    3,
                    11,
                    12,
                    15,
                    16,
                    orig.wrapping_sub(1),
                    orig.wrapping_add(1),
                    orig.wrapping_add(4),
                    0xffff,
                    262_144,
                    0x7fff_ffff,
                    0xffff_ffff,
                ]
            };
            if file.starts_with(&[0xd4, 0xc3, 0xb2, 0xa1])
                || file.starts_with(&[0xa1, 0xb2, 0x3c, 0x4d])
                || file.starts_with(&[0xa1, 0xb2, 0xc3, 0xd4])
                || file.starts_with(&[0x4d, 0x3c, 0xb2, 0xa1])
            {
                let le = file[0] == 0xd4 || file[0] == 0x4d;
                // File header: version, snaplen, link type.
                for (at, v) in [
                    (4, 0u32),
                    (4, 0xffff_ffff),
                    (16, 0),
                    (16, 1),
                    (16, u32::MAX),
                    (20, 0),
                    (20, 9999),
                    (20, 0x0400_0001),
                ] {
                    let mut m = file.clone();
                    put32(&mut m, at, v, le);
                    cases.push((format!("header[{at}]={v}"), m));
                }
                for (k, off) in pcap_record_offsets(file).into_iter().take(40).enumerate() {
                    for field in [8usize, 12] {
                        let orig = file
                            .get(off + field..off + field + 4)
                            .map(|s| {
                                let s: [u8; 4] = s.try_into().unwrap_or([0; 4]);
                                if le {
                                    u32::from_le_bytes(s)
                                } else {
                                    u32::from_be_bytes(s)
                                }
                            })
                            .unwrap_or(0);
                        for v in values(orig) {
                            let mut m = file.clone();
                            put32(&mut m, off + field, v, le);
                            cases.push((format!("record {k} +{field}={v}"), m));
                        }
                    }
                    // Timestamp fraction beyond one second.
                    let mut m = file.clone();
                    put32(&mut m, off + 4, 0xffff_ffff, le);
                    cases.push((format!("record {k} usec max"), m));
                }
            } else if file.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a])
                && file.get(8..12) == Some(&[0x4d, 0x3c, 0x2b, 0x1a])
            {
                for (k, off) in pcapng_block_offsets(file).into_iter().take(40).enumerate() {
                    let len = file
                        .get(off + 4..off + 8)
                        .map(|s| u32::from_le_bytes(s.try_into().unwrap_or([0; 4])))
                        .unwrap_or(0);
                    for v in values(len) {
                        // Leading length, trailing length, both.
                        for which in 0..3 {
                            let mut m = file.clone();
                            if which != 1 {
                                put32(&mut m, off + 4, v, true);
                            }
                            if which != 0 {
                                put32(&mut m, off + len as usize - 4, v, true);
                            }
                            cases.push((format!("block {k} len={v} ({which})"), m));
                        }
                    }
                    let btype = file
                        .get(off..off + 4)
                        .map(|s| u32::from_le_bytes(s.try_into().unwrap_or([0; 4])))
                        .unwrap_or(0);
                    if btype == 6 {
                        // EPB captured and original length, interface id.
                        for (field, what) in [(20usize, "caplen"), (24, "origlen"), (8, "iface")] {
                            for v in values(0) {
                                let mut m = file.clone();
                                put32(&mut m, off + field, v, true);
                                cases.push((format!("epb {k} {what}={v}"), m));
                            }
                        }
                    }
                    if btype == 1 {
                        for v in [0u32, 9999, 0xffff] {
                            let mut m = file.clone();
                            put32(&mut m, off + 8, v, true);
                            cases.push((format!("idb {k} link={v}"), m));
                        }
                    }
                    for bt in [1u32, 2, 3, 5, 6, 0x0a0d_0d0a, 0xdead_beef] {
                        let mut m = file.clone();
                        put32(&mut m, off, bt, true);
                        cases.push((format!("block {k} type={bt:#x}"), m));
                    }
                }
                // An IDB with if_tsresol options (10^-0, 2^-63, 10^-255).
                for res in [0u8, 0x80 | 63, 255] {
                    let mut m = file.clone();
                    if let Some(idb) = pcapng_block_offsets(file).get(1).copied() {
                        if file.get(idb..idb + 4) == Some(&[1, 0, 0, 0]) {
                            let opt = [9u8, 0, 1, 0, res, 0, 0, 0, 0, 0, 0, 0];
                            let blen = u32::from_le_bytes(
                                file[idb + 4..idb + 8].try_into().unwrap_or([0; 4]),
                            ) as usize;
                            let new_len = (blen + opt.len()) as u32;
                            m.splice(idb + blen - 4..idb + blen - 4, opt);
                            put32(&mut m, idb + 4, new_len, true);
                            put32(&mut m, idb + new_len as usize - 4, new_len, true);
                            cases.push((format!("if_tsresol {res:#x}"), m));
                        }
                    }
                }
            }
            // Append garbage, and the file twice (a second pcapng section).
            let mut m = file.clone();
            m.extend((0..64).map(|_| rng.byte()));
            cases.push(("garbage tail".into(), m));
            let mut m = file.clone();
            m.extend_from_slice(file);
            cases.push(("doubled".into(), m));
            for (label, m) in &cases {
                r.case(|| format!("{name}: {label}"), m, || check_capture(m));
            }
        }
    });
    assert!(n >= 3000, "only {n} capture cases");
}

/// A few mutated captures through the binary: exit status 0, 1 or 2, no
/// panic message, within 30 s each.
#[test]
fn mutated_files_through_binary() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mutation-bin");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let mut rng = Prng::new(0xb1a_0001);
    let seeds = capture_seeds();
    let mut files = Vec::new();
    for (i, (name, file)) in seeds.iter().enumerate().take(10) {
        let mut m = file.clone();
        match i % 4 {
            0 => m.truncate(m.len() * 2 / 3),
            1 => {
                for _ in 0..8 {
                    let at = rng.below(m.len().max(1));
                    if let Some(b) = m.get_mut(at) {
                        *b ^= 1 << rng.below(8);
                    }
                }
            }
            2 => {
                // Break a record length in the middle of the file.
                let at = (m.len() / 2).min(m.len().saturating_sub(4));
                if let Some(s) = m.get_mut(at..at + 4) {
                    s.copy_from_slice(&[0xff, 0xff, 0xff, 0x7f]);
                }
            }
            _ => m.extend((0..100).map(|_| rng.byte())),
        }
        let p = dir.join(format!("mutated-{i}.pcap"));
        std::fs::write(&p, &m).expect("write");
        files.push((name.clone(), p));
    }
    for (name, p) in &files {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ikescope"))
            .arg("packets")
            .arg(p)
            .arg("--json")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run ikescope");
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("ikescope hung on mutated {name} ({})", p.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
        }
        assert!(
            matches!(status.code(), Some(0..=2)),
            "mutated {name}: exit {status:?}; stderr {stderr}"
        );
        assert!(!stderr.contains("panicked"), "mutated {name}: {stderr}");
    }
}

/// The PRNG and the structure walker are what they claim: a fixed seed
/// gives a fixed stream, and the walker finds the fields of a hand-built
/// message (so the length-field mutations really hit length fields).
#[test]
fn harness_is_deterministic_and_finds_fields() {
    let mut a = Prng::new(7);
    let mut b = Prng::new(7);
    let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
    assert_eq!(xs, (0..4).map(|_| b.next_u64()).collect::<Vec<_>>());
    assert_ne!(xs[0], xs[1]);

    let msgs = build::sample_messages();
    let (_, mm1) = &msgs[0];
    let f = ike_fields(mm1);
    // SA, VID, VID generic headers; 1 proposal; 2 transforms; one TLV
    // attribute (life duration) per transform.
    assert_eq!(f.types.len(), 1 + 3 + 1 + 2);
    assert_eq!(f.len16.len(), 3 + 1 + 2 + 2);
    assert_eq!(f.small.len(), 2);
    // The first payload length field is at 30 and holds the SA length.
    assert_eq!(f.len16[0], 30);
    let sa_len = be16(mm1, 30).unwrap();
    assert_eq!(be16(mm1, 28 + sa_len + 2), Some(20));

    let (_, info) = msgs.iter().find(|m| m.0 == "v1-informational").unwrap();
    let f = ike_fields(info);
    // 3 notifies (SPI size) + 1 delete (SPI size) small fields; delete's
    // number of SPIs is a 16-bit field.
    assert_eq!(f.small.len(), 4);
    assert_eq!(f.len16.len(), 4 + 1);

    // The extractor finds seeds in a built capture.
    let records: Vec<Vec<u8>> = build::sample_frames().into_iter().map(|f| f.1).collect();
    let seeds = extract::seeds(&build::pcap(1, &records));
    assert_eq!(seeds.len(), records.len() - 1, "all but the keepalive");
    let seeds_ng = extract::seeds(&build::pcapng(1, &records));
    assert_eq!(seeds_ng.len(), seeds.len());
    assert_eq!(seeds[0].payload, msgs[0].1);
}

/// The harness itself: a panicking case and a stuck case both fail the
/// family and name the case.
#[test]
fn harness_reports_panics_and_hangs() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panicked = std::panic::catch_unwind(|| {
        family("selftest-panic", Duration::from_secs(10), |r| {
            r.case(|| "fine".into(), &[1], || {});
            r.case(|| "boom".into(), &[0xab, 0xcd], || panic!("injected"));
        })
    });
    let stuck = std::panic::catch_unwind(|| {
        family("selftest-hang", Duration::from_millis(200), |r| {
            r.case(
                || "sleeper".into(),
                &[0xee],
                || std::thread::sleep(Duration::from_secs(2)),
            );
        })
    });
    std::panic::set_hook(prev);
    let msg =
        |e: Box<dyn std::any::Any + Send>| e.downcast_ref::<String>().cloned().unwrap_or_default();
    let p = msg(panicked.expect_err("a panicking case fails the family"));
    assert!(p.contains("case `boom`, 2 bytes: abcd"), "{p}");
    let h = msg(stuck.expect_err("a stuck case fails the family"));
    assert!(h.contains("no progress") && h.contains("sleeper"), "{h}");
}

/// Not a test: writes the cargo-fuzz seed corpora (`fuzz/seed.sh` runs
/// it). Every real IKE message, ESP/AH packet and frame found in
/// `captures/` and the corpus, plus the hand-built ones, and the small
/// capture files themselves, into `fuzz/corpus/<target>/` (gitignored).
#[test]
#[ignore = "writes fuzz/corpus; run through fuzz/seed.sh"]
fn write_fuzz_seeds() {
    let root = common::repo_root().join("fuzz/corpus");
    let dirs = ["ike_parse", "net_decode", "capture_reader"].map(|t| root.join(t));
    for d in &dirs {
        std::fs::create_dir_all(d).expect("create corpus dir");
    }
    let write = |dir: &std::path::Path, bytes: &[u8]| {
        let p = dir.join(format!("{:016x}", hash(bytes)));
        std::fs::write(p, bytes).expect("write seed");
    };
    // net_decode input format: [link selector][u16 BE length][frame]...
    const LINKS: [u32; 11] = [1, 0, 108, 101, 12, 14, 228, 229, 113, 276, 147];
    let net_input = |link: u32, frame: &[u8]| {
        let sel = LINKS.iter().position(|l| *l == link).unwrap_or(0) as u8;
        let mut v = vec![sel];
        v.extend((frame.len().min(65535) as u16).to_be_bytes());
        v.extend_from_slice(&frame[..frame.len().min(65535)]);
        v
    };
    let (mut ike, mut net, mut cap) = (0, 0, 0);
    for (_, m) in build::sample_messages() {
        write(&dirs[0], &m);
        ike += 1;
    }
    for (_, f) in build::sample_frames() {
        write(&dirs[1], &net_input(1, &f));
        net += 1;
    }
    for s in real_seeds(usize::MAX, 400) {
        // The ike_parse target also runs the ESP and AH header parsers.
        write(&dirs[0], &s.payload);
        ike += 1;
        write(&dirs[1], &net_input(s.link, &s.frame));
        net += 1;
    }
    for (_, file) in capture_seeds() {
        write(&dirs[2], &file);
        cap += 1;
    }
    for path in common::capture_files() {
        if let Ok(b) = std::fs::read(&path) {
            if b.len() <= 64 << 10 {
                write(&dirs[2], &b);
                cap += 1;
            }
        }
    }
    eprintln!("fuzz seeds: {ike} ike_parse, {net} net_decode, {cap} capture_reader");
}
