//! Deterministic benchmark captures for `bench/run`.
//!
//! ```text
//! cargo run --release --example gen_bench -- OUTDIR [--size-mb N] [--esp-mb N]
//!     [--dir-files N] [--only mixed,esp,dir] [--seed N]
//! ```
//!
//! Writes into OUTDIR:
//! - `mixed.pcap` and `mixed.pcapng` (the same traffic; the pcapng has an
//!   Ethernet and a raw-IP interface): TCP, UDP (DNS, NTP, syslog, bulk),
//!   ICMP, IPv6, 802.1Q and ARP, with ~3% IPsec packets (IKEv1 Main,
//!   Aggressive and Quick Mode, IKEv2 IKE_SA_INIT/IKE_AUTH/INFORMATIONAL,
//!   ESP on protocol 50 and in UDP 4500, NAT keepalives, AH), including failed
//!   negotiations, retransmissions and IP-fragmented IKE.
//! - `esp.pcap`: 5,000 ESP SA pairs between hubs and many spokes, 100-200 byte
//!   frames, per-SPI sequence numbers with occasional gaps.
//! - `dir/`: many small captures (pcap LE/BE/ns, pcapng, some gzip, a few
//!   corrupt or truncated ones, some non-capture files, a symlink loop), each
//!   with one to three IKE scenarios among background traffic.
//! - `manifest.tsv` and `dir-manifest.tsv`: what each file holds, including
//!   `tshark_ipsec`, the number of frames tshark's `isakmp || esp || ah`
//!   filter should match.
//!
//! The PRNG is an inline xorshift64* with a fixed seed: the same arguments
//! give byte-identical files, and a smaller `--size-mb` gives a prefix of the
//! larger file's packets. See bench/README.md for the traffic model.

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path as FsPath, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

// ---------------------------------------------------------------------------
// PRNG

/// xorshift64* (Vigna 2014): small, fast, deterministic, good enough here.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..4 {
            r.next();
        }
        r
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        self.fill(&mut v);
        v
    }
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        self.fill(&mut a);
        a
    }
    /// Pick an index by integer weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }
}

/// A block of random bytes that payloads are sliced from, so that bulk
/// traffic costs a copy rather than PRNG calls per byte.
struct Pool(Vec<u8>);

const POOL_LEN: usize = 1 << 16;

impl Pool {
    fn new(rng: &mut Rng) -> Pool {
        Pool(rng.bytes(POOL_LEN + 8192))
    }
    fn slice(&self, rng: &mut Rng, len: usize) -> &[u8] {
        let len = len.min(8192);
        let off = rng.below(POOL_LEN as u64) as usize;
        &self.0[off..off + len]
    }
}

// ---------------------------------------------------------------------------
// Capture writers

/// Where a capture's bytes go.
enum Sink {
    File(BufWriter<File>),
    Mem(Vec<u8>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Mem(v) => v.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::File(f) => f.write_all(buf),
            Sink::Mem(v) => {
                v.extend_from_slice(buf);
                Ok(())
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Mem(_) => Ok(()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Format {
    Pcap,
    PcapNg,
}

const LINKTYPE_ETHERNET: u16 = 1;
const LINKTYPE_RAW: u16 = 101;

/// Writes pcap (libpcap format, either byte order, µs or ns) or pcapng
/// (SHB, one IDB per interface, EPBs; µs time stamps) records.
struct CapWriter {
    out: Sink,
    format: Format,
    big_endian: bool,
    nanos: bool,
    /// pcapng only: interface 1 is raw IP, so frames flagged `raw` may go there.
    raw_iface: bool,
    bytes: u64,
    packets: u64,
    scratch: Vec<u8>,
}

impl CapWriter {
    fn pcap(out: Sink, big_endian: bool, nanos: bool) -> io::Result<CapWriter> {
        let mut w = CapWriter {
            out,
            format: Format::Pcap,
            big_endian,
            nanos,
            raw_iface: false,
            bytes: 0,
            packets: 0,
            scratch: Vec::with_capacity(2048),
        };
        let magic: u32 = if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 };
        let mut h = Vec::new();
        w.put32(&mut h, magic);
        w.put16(&mut h, 2);
        w.put16(&mut h, 4);
        w.put32(&mut h, 0); // thiszone
        w.put32(&mut h, 0); // sigfigs
        w.put32(&mut h, 262_144); // snaplen
        w.put32(&mut h, LINKTYPE_ETHERNET as u32);
        w.emit(&h)?;
        Ok(w)
    }

    /// `raw_iface`: add interface 1 with LINKTYPE_RAW next to Ethernet.
    fn pcapng(out: Sink, big_endian: bool, raw_iface: bool) -> io::Result<CapWriter> {
        let mut w = CapWriter {
            out,
            format: Format::PcapNg,
            big_endian,
            nanos: false,
            raw_iface,
            bytes: 0,
            packets: 0,
            scratch: Vec::with_capacity(2048),
        };
        // Section Header Block with a shb_userappl option.
        let mut opts = Vec::new();
        w.option(&mut opts, 4, b"ikescope gen_bench");
        w.option(&mut opts, 0, b"");
        let mut body = Vec::new();
        w.put32(&mut body, 0x1a2b_3c4d);
        w.put16(&mut body, 1);
        w.put16(&mut body, 0);
        body.extend_from_slice(&[0xff; 8]); // section length unknown
        body.extend_from_slice(&opts);
        w.block(0x0a0d_0d0a, &body)?;
        let mut ifaces = vec![(LINKTYPE_ETHERNET, &b"eth0"[..])];
        if raw_iface {
            ifaces.push((LINKTYPE_RAW, &b"ipsec0"[..]));
        }
        for (lt, name) in ifaces {
            let mut body = Vec::new();
            w.put16(&mut body, lt);
            w.put16(&mut body, 0);
            w.put32(&mut body, 262_144);
            w.option(&mut body, 2, name); // if_name
            w.option(&mut body, 0, b"");
            w.block(1, &body)?;
        }
        Ok(w)
    }

    fn put16(&self, v: &mut Vec<u8>, x: u16) {
        if self.big_endian {
            v.extend_from_slice(&x.to_be_bytes())
        } else {
            v.extend_from_slice(&x.to_le_bytes())
        }
    }
    fn put32(&self, v: &mut Vec<u8>, x: u32) {
        if self.big_endian {
            v.extend_from_slice(&x.to_be_bytes())
        } else {
            v.extend_from_slice(&x.to_le_bytes())
        }
    }
    fn option(&self, v: &mut Vec<u8>, code: u16, value: &[u8]) {
        self.put16(v, code);
        self.put16(v, value.len() as u16);
        v.extend_from_slice(value);
        v.resize(v.len() + (4 - value.len() % 4) % 4, 0);
    }
    fn block(&mut self, ty: u32, body: &[u8]) -> io::Result<()> {
        let total = 12 + body.len() as u32;
        let mut b = Vec::with_capacity(total as usize);
        self.put32(&mut b, ty);
        self.put32(&mut b, total);
        b.extend_from_slice(body);
        self.put32(&mut b, total);
        self.emit(&b)
    }
    fn emit(&mut self, b: &[u8]) -> io::Result<()> {
        self.bytes += b.len() as u64;
        self.out.write_all(b)
    }

    /// Write one frame. `frame` starts at the Ethernet header; `l3` is the
    /// offset of the IP header when the frame may go on the raw-IP interface.
    fn write(&mut self, ts_ns: u64, frame: &[u8], l3: Option<usize>) -> io::Result<()> {
        self.packets += 1;
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        match self.format {
            Format::Pcap => {
                let sub = if self.nanos {
                    ts_ns % 1_000_000_000
                } else {
                    (ts_ns % 1_000_000_000) / 1000
                };
                self.put32(&mut s, (ts_ns / 1_000_000_000) as u32);
                self.put32(&mut s, sub as u32);
                self.put32(&mut s, frame.len() as u32);
                self.put32(&mut s, frame.len() as u32);
                s.extend_from_slice(frame);
            }
            Format::PcapNg => {
                let (iface, data) = match l3 {
                    Some(off) if self.raw_iface => (1, &frame[off..]),
                    _ => (0, frame),
                };
                let pad = (4 - data.len() % 4) % 4;
                let total = (32 + data.len() + pad) as u32;
                let us = ts_ns / 1000;
                self.put32(&mut s, 6);
                self.put32(&mut s, total);
                self.put32(&mut s, iface);
                self.put32(&mut s, (us >> 32) as u32);
                self.put32(&mut s, us as u32);
                self.put32(&mut s, data.len() as u32);
                self.put32(&mut s, data.len() as u32);
                s.extend_from_slice(data);
                s.resize(s.len() + pad, 0);
                self.put32(&mut s, total);
            }
        }
        let r = self.emit(&s);
        self.scratch = s;
        r
    }

    fn finish(mut self) -> io::Result<Sink> {
        self.out.flush()?;
        Ok(self.out)
    }
}

// ---------------------------------------------------------------------------
// Addresses and frames

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ip {
    V4([u8; 4]),
    V6([u8; 16]),
}

#[derive(Clone, Copy, Debug)]
struct Host {
    mac: [u8; 6],
    ip: Ip,
}

impl Host {
    fn v4(a: [u8; 4]) -> Host {
        Host {
            mac: [0x02, 0x00, a[0], a[1], a[2], a[3]],
            ip: Ip::V4(a),
        }
    }
    fn v6(a: [u8; 16]) -> Host {
        Host {
            mac: [0x02, 0x06, a[12], a[13], a[14], a[15]],
            ip: Ip::V6(a),
        }
    }
}

/// Documentation prefix 2001:db8::/32 with a subnet and host number.
fn v6addr(subnet: u16, host: u32) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a[4..6].copy_from_slice(&subnet.to_be_bytes());
    a[12..16].copy_from_slice(&host.to_be_bytes());
    a
}

/// A one-way path: who sends to whom, how it is framed.
#[derive(Clone, Copy, Debug)]
struct Path {
    src: Host,
    dst: Host,
    vlan: Option<u16>,
    /// In pcapng, frames of this path go on the raw-IP interface.
    raw: bool,
}

impl Path {
    fn rev(&self) -> Path {
        Path {
            src: self.dst,
            dst: self.src,
            ..*self
        }
    }
    fn is_v6(&self) -> bool {
        matches!(self.src.ip, Ip::V6(_))
    }
}

const PROTO_ICMP: u8 = 1;
const PROTO_IPIP: u8 = 4;
const PROTO_TCP: u8 = 6;
const PROTO_UDP: u8 = 17;
const PROTO_ESP: u8 = 50;
const PROTO_AH: u8 = 51;
const PROTO_ICMPV6: u8 = 58;

fn csum_add(mut sum: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        sum += u16::from_be_bytes([c[0], c[1]]) as u32;
    }
    if let [b] = chunks.remainder() {
        sum += (*b as u32) << 8;
    }
    sum
}

fn csum_fold(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Transport checksum over the pseudo-header (RFC 768, RFC 8200 §8.1).
fn l4_checksum(p: &Path, proto: u8, seg: &[u8]) -> u16 {
    let mut sum = 0u32;
    match (p.src.ip, p.dst.ip) {
        (Ip::V4(s), Ip::V4(d)) => {
            sum = csum_add(sum, &s);
            sum = csum_add(sum, &d);
        }
        (Ip::V6(s), Ip::V6(d)) => {
            sum = csum_add(sum, &s);
            sum = csum_add(sum, &d);
        }
        _ => {}
    }
    sum += proto as u32 + seg.len() as u32;
    sum = csum_add(sum, seg);
    let c = csum_fold(sum);
    if c == 0 && proto == PROTO_UDP {
        0xffff
    } else {
        c
    }
}

fn udp_seg(seg: &mut Vec<u8>, p: &Path, sport: u16, dport: u16, payload: &[u8]) {
    seg.clear();
    seg.extend_from_slice(&sport.to_be_bytes());
    seg.extend_from_slice(&dport.to_be_bytes());
    seg.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    seg.extend_from_slice(&[0, 0]);
    seg.extend_from_slice(payload);
    let c = l4_checksum(p, PROTO_UDP, seg);
    seg[6..8].copy_from_slice(&c.to_be_bytes());
}

#[allow(clippy::too_many_arguments)]
fn tcp_seg(
    seg: &mut Vec<u8>,
    p: &Path,
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u8,
    payload: &[u8],
) {
    seg.clear();
    seg.extend_from_slice(&sport.to_be_bytes());
    seg.extend_from_slice(&dport.to_be_bytes());
    seg.extend_from_slice(&seq.to_be_bytes());
    seg.extend_from_slice(&ack.to_be_bytes());
    let syn = flags & 0x02 != 0;
    seg.push(if syn { 6 << 4 } else { 5 << 4 });
    seg.push(flags);
    seg.extend_from_slice(&64240u16.to_be_bytes());
    seg.extend_from_slice(&[0, 0, 0, 0]);
    if syn {
        // MSS 1460.
        seg.extend_from_slice(&[2, 4, 0x05, 0xb4]);
    }
    seg.extend_from_slice(payload);
    let c = l4_checksum(p, PROTO_TCP, seg);
    seg[16..18].copy_from_slice(&c.to_be_bytes());
}

/// ICMP (v4, no pseudo-header) or ICMPv6 echo request/reply.
fn icmp_echo(seg: &mut Vec<u8>, p: &Path, reply: bool, id: u16, seq: u16, payload: &[u8]) {
    seg.clear();
    let v6 = p.is_v6();
    let ty = match (v6, reply) {
        (false, false) => 8,
        (false, true) => 0,
        (true, false) => 128,
        (true, true) => 129,
    };
    seg.extend_from_slice(&[ty, 0, 0, 0]);
    seg.extend_from_slice(&id.to_be_bytes());
    seg.extend_from_slice(&seq.to_be_bytes());
    seg.extend_from_slice(payload);
    let c = if v6 {
        l4_checksum(p, PROTO_ICMPV6, seg)
    } else {
        csum_fold(csum_add(0, seg))
    };
    seg[2..4].copy_from_slice(&c.to_be_bytes());
}

fn push_eth(f: &mut Vec<u8>, p: &Path, ethertype: u16) {
    f.extend_from_slice(&p.dst.mac);
    f.extend_from_slice(&p.src.mac);
    if let Some(v) = p.vlan {
        f.extend_from_slice(&0x8100u16.to_be_bytes());
        f.extend_from_slice(&(v & 0x0fff).to_be_bytes());
    }
    f.extend_from_slice(&ethertype.to_be_bytes());
}

/// IPv4 header (RFC 791) with checksum; `frag` is the flags+offset word.
fn push_ipv4(f: &mut Vec<u8>, s: [u8; 4], d: [u8; 4], proto: u8, len: usize, id: u16, frag: u16) {
    let start = f.len();
    f.push(0x45);
    f.push(0);
    f.extend_from_slice(&((20 + len) as u16).to_be_bytes());
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&frag.to_be_bytes());
    f.push(64);
    f.push(proto);
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&s);
    f.extend_from_slice(&d);
    let c = csum_fold(csum_add(0, &f[start..start + 20]));
    f[start + 10..start + 12].copy_from_slice(&c.to_be_bytes());
}

fn push_ipv6(f: &mut Vec<u8>, s: [u8; 16], d: [u8; 16], proto: u8, len: usize) {
    f.extend_from_slice(&[0x60, 0, 0, 0]);
    f.extend_from_slice(&(len as u16).to_be_bytes());
    f.push(proto);
    f.push(64);
    f.extend_from_slice(&s);
    f.extend_from_slice(&d);
}

/// What tshark's `isakmp || esp || ah` sees in a frame, for the manifest.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Other,
    /// A complete IKE message, or the fragment that completes one.
    Ike,
    /// An IP fragment of an IKE message that does not complete it.
    IkeFragment,
    Esp,
    Ah,
    Keepalive,
}

#[derive(Default, Clone, Debug)]
struct Stats {
    frames: u64,
    ike: u64,
    ike_fragments: u64,
    esp: u64,
    ah: u64,
    keepalives: u64,
    arp: u64,
    vlan: u64,
    ipv6: u64,
    tunnels: u64,
}

impl Stats {
    fn tshark_ipsec(&self) -> u64 {
        self.ike + self.esp + self.ah
    }
    fn add(&mut self, o: &Stats) {
        self.frames += o.frames;
        self.ike += o.ike;
        self.ike_fragments += o.ike_fragments;
        self.esp += o.esp;
        self.ah += o.ah;
        self.keepalives += o.keepalives;
        self.arp += o.arp;
        self.vlan += o.vlan;
        self.ipv6 += o.ipv6;
        self.tunnels += o.tunnels;
    }
}

/// A flushed writer: bytes and packets written, and where they went.
type Finished = (u64, u64, Sink);

/// Builds frames and hands them to every attached writer, keeping the clock
/// and the per-class counts.
struct Emitter {
    outs: Vec<CapWriter>,
    now: u64,
    frame: Vec<u8>,
    ip_id: u16,
    stats: Stats,
}

const MIN_FRAME: usize = 60;

impl Emitter {
    fn new(outs: Vec<CapWriter>, start_ns: u64) -> Emitter {
        Emitter {
            outs,
            now: start_ns,
            frame: Vec::with_capacity(4096),
            ip_id: 1,
            stats: Stats::default(),
        }
    }

    /// Bytes written to the first writer (the size target refers to it).
    fn bytes(&self) -> u64 {
        self.outs.first().map_or(0, |w| w.bytes)
    }

    fn flush_frame(
        &mut self,
        l3: Option<usize>,
        class: Class,
        v6: bool,
        vlan: bool,
    ) -> io::Result<()> {
        if self.frame.len() < MIN_FRAME {
            self.frame.resize(MIN_FRAME, 0);
        }
        let frame = std::mem::take(&mut self.frame);
        for w in &mut self.outs {
            w.write(self.now, &frame, l3)?;
        }
        self.frame = frame;
        let s = &mut self.stats;
        s.frames += 1;
        s.vlan += vlan as u64;
        s.ipv6 += v6 as u64;
        match class {
            Class::Other => {}
            Class::Ike => s.ike += 1,
            Class::IkeFragment => s.ike_fragments += 1,
            Class::Esp => s.esp += 1,
            Class::Ah => s.ah += 1,
            Class::Keepalive => s.keepalives += 1,
        }
        Ok(())
    }

    /// Send one IP packet carrying `seg` (a transport segment or ESP/AH).
    fn send(&mut self, p: &Path, proto: u8, seg: &[u8], class: Class) -> io::Result<()> {
        self.frame.clear();
        let id = self.next_id();
        match (p.src.ip, p.dst.ip) {
            (Ip::V6(s), Ip::V6(d)) => {
                push_eth(&mut self.frame, p, 0x86dd);
                push_ipv6(&mut self.frame, s, d, proto, seg.len());
            }
            (Ip::V4(s), Ip::V4(d)) => {
                push_eth(&mut self.frame, p, 0x0800);
                push_ipv4(&mut self.frame, s, d, proto, seg.len(), id, 0x4000);
            }
            _ => unreachable!("mixed address families in one path"),
        }
        let l3 = if p.vlan.is_none() && p.raw {
            Some(14)
        } else {
            None
        };
        self.frame.extend_from_slice(seg);
        self.flush_frame(l3, class, p.is_v6(), p.vlan.is_some())
    }

    /// Send an IPv4 packet as fragments of at most `mtu` bytes; only the
    /// first `keep` fragments are written (the rest were lost upstream).
    fn send_fragmented(
        &mut self,
        p: &Path,
        proto: u8,
        seg: &[u8],
        mtu: usize,
        keep: usize,
    ) -> io::Result<()> {
        let (Ip::V4(s), Ip::V4(d)) = (p.src.ip, p.dst.ip) else {
            return self.send(p, proto, seg, Class::Ike);
        };
        let chunk = (mtu - 20) / 8 * 8;
        let id = self.next_id();
        let n = seg.len().div_ceil(chunk);
        for (i, part) in seg.chunks(chunk).enumerate().take(keep) {
            let last = i + 1 == n;
            let frag = ((i * chunk / 8) as u16) | if last { 0 } else { 0x2000 };
            self.frame.clear();
            push_eth(&mut self.frame, p, 0x0800);
            push_ipv4(&mut self.frame, s, d, proto, part.len(), id, frag);
            self.frame.extend_from_slice(part);
            let class = if last { Class::Ike } else { Class::IkeFragment };
            let l3 = if p.vlan.is_none() && p.raw {
                Some(14)
            } else {
                None
            };
            self.flush_frame(l3, class, false, p.vlan.is_some())?;
        }
        Ok(())
    }

    fn send_arp(
        &mut self,
        asker: &Host,
        target: [u8; 4],
        reply_from: Option<&Host>,
    ) -> io::Result<()> {
        let Ip::V4(asker_ip) = asker.ip else {
            return Ok(());
        };
        self.frame.clear();
        let (dst_mac, op, sha, spa, tha, tpa) = match reply_from {
            None => ([0xff; 6], 1u16, asker.mac, asker_ip, [0u8; 6], target),
            Some(r) => (asker.mac, 2, r.mac, target, asker.mac, asker_ip),
        };
        self.frame.extend_from_slice(&dst_mac);
        self.frame.extend_from_slice(&sha);
        self.frame.extend_from_slice(&0x0806u16.to_be_bytes());
        self.frame.extend_from_slice(&[0, 1, 0x08, 0x00, 6, 4]);
        self.frame.extend_from_slice(&op.to_be_bytes());
        self.frame.extend_from_slice(&sha);
        self.frame.extend_from_slice(&spa);
        self.frame.extend_from_slice(&tha);
        self.frame.extend_from_slice(&tpa);
        self.stats.arp += 1;
        self.flush_frame(None, Class::Other, false, false)
    }

    fn next_id(&mut self) -> u16 {
        self.ip_id = self.ip_id.wrapping_add(1);
        self.ip_id
    }

    /// Flush every writer: (bytes, packets, sink) for each, and the counts.
    fn finish(self) -> io::Result<(Vec<Finished>, Stats)> {
        let mut v = Vec::new();
        for w in self.outs {
            let (b, p) = (w.bytes, w.packets);
            v.push((b, p, w.finish()?));
        }
        Ok((v, self.stats))
    }
}

// ---------------------------------------------------------------------------
// IKE messages (RFC 2408/2409 for IKEv1, RFC 7296 for IKEv2)

/// One payload of a chain: its type, its body, and, for the IKEv2 SK/SKF
/// payloads, the type of the first payload inside (RFC 7296 §3.14).
struct Pl {
    ty: u8,
    body: Vec<u8>,
    inner: Option<u8>,
}

fn pl(ty: u8, body: Vec<u8>) -> Pl {
    Pl {
        ty,
        body,
        inner: None,
    }
}

// IKEv1 payload types (RFC 2408 §3.1, RFC 3947 §3).
const V1_SA: u8 = 1;
const V1_KE: u8 = 4;
const V1_ID: u8 = 5;
const V1_HASH: u8 = 8;
const V1_NONCE: u8 = 10;
const V1_N: u8 = 11;
const V1_VID: u8 = 13;
const V1_NATD: u8 = 20;
// IKEv1 exchange types.
const V1_MAIN: u8 = 2;
const V1_AGGRESSIVE: u8 = 4;
const V1_INFO: u8 = 5;
const V1_QUICK: u8 = 32;

// IKEv2 payload types (RFC 7296 §3.2, RFC 7383 §2.5).
const V2_SA: u8 = 33;
const V2_KE: u8 = 34;
const V2_IDI: u8 = 35;
const V2_CERTREQ: u8 = 38;
const V2_NONCE: u8 = 40;
const V2_N: u8 = 41;
const V2_D: u8 = 42;
const V2_VID: u8 = 43;
const V2_SK: u8 = 46;
const V2_SKF: u8 = 53;
// IKEv2 exchange types.
const V2_SA_INIT: u8 = 34;
const V2_AUTH: u8 = 35;
const V2_CHILD: u8 = 36;
const V2_INFO: u8 = 37;

// Vendor IDs (RFC 3947, RFC 3706, draft-ietf-ipsec-nat-t-ike-02, Cisco).
const VID_NATT_RFC3947: [u8; 16] = [
    0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
];
const VID_NATT_DRAFT02: [u8; 16] = [
    0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f,
];
const VID_DPD: [u8; 16] = [
    0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
];
const VID_FRAGMENTATION: [u8; 16] = [
    0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3,
];
const VID_XAUTH: [u8; 8] = [0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12];

struct IkeHdr {
    ispi: [u8; 8],
    rspi: [u8; 8],
    version: u8,
    exchange: u8,
    flags: u8,
    mid: u32,
}

/// Serialise header and payload chain, filling in every Next Payload and
/// length field.
fn ike_msg(h: &IkeHdr, pls: &[Pl]) -> Vec<u8> {
    let body: usize = pls.iter().map(|p| 4 + p.body.len()).sum();
    let mut m = Vec::with_capacity(28 + body);
    m.extend_from_slice(&h.ispi);
    m.extend_from_slice(&h.rspi);
    m.push(pls.first().map_or(0, |p| p.ty));
    m.push(h.version);
    m.push(h.exchange);
    m.push(h.flags);
    m.extend_from_slice(&h.mid.to_be_bytes());
    m.extend_from_slice(&((28 + body) as u32).to_be_bytes());
    for (i, p) in pls.iter().enumerate() {
        let np = match p.inner {
            Some(inner) => inner,
            None => pls.get(i + 1).map_or(0, |n| n.ty),
        };
        m.push(np);
        m.push(0);
        m.extend_from_slice(&((4 + p.body.len()) as u16).to_be_bytes());
        m.extend_from_slice(&p.body);
    }
    m
}

/// An IKEv1 message with the Encryption flag: header, then ciphertext whose
/// first (hidden) payload is `first`; `ct` is a multiple of the block size.
fn v1_encrypted(h: &IkeHdr, first: u8, ct: usize, rng: &mut Rng) -> Vec<u8> {
    let mut m = ike_msg(h, &[]);
    m[16] = first;
    m[19] |= 0x01;
    m.extend_from_slice(&rng.bytes(ct));
    let len = m.len() as u32;
    m[24..28].copy_from_slice(&len.to_be_bytes());
    m
}

/// IKEv1 data attribute (RFC 2408 §3.3): TV when it fits 16 bits, else TLV.
fn v1_attr(v: &mut Vec<u8>, ty: u16, val: u32) {
    if val <= 0xffff {
        v.extend_from_slice(&(0x8000 | ty).to_be_bytes());
        v.extend_from_slice(&(val as u16).to_be_bytes());
    } else {
        v.extend_from_slice(&ty.to_be_bytes());
        v.extend_from_slice(&4u16.to_be_bytes());
        v.extend_from_slice(&val.to_be_bytes());
    }
}

/// A phase 1 transform: (encryption, key bits, hash, auth method, group).
type P1 = (u16, u16, u16, u16, u16);

const P1_CHOICES: &[P1] = &[
    (7, 256, 4, 1, 14),     // AES-256, SHA2-256, PSK, MODP-2048
    (7, 128, 2, 1, 14),     // AES-128, SHA1, PSK, MODP-2048
    (7, 256, 2, 3, 5),      // AES-256, SHA1, RSA sig, MODP-1536
    (5, 0, 2, 1, 2),        // 3DES, SHA1, PSK, MODP-1024
    (1, 0, 1, 1, 1),        // DES, MD5, PSK, MODP-768
    (7, 256, 4, 65001, 14), // AES-256, SHA2-256, XAUTH+PSK, MODP-2048
];

/// IKEv1 SA payload body (RFC 2407 §4.6.1, RFC 2408 §3.5-3.6): one ISAKMP
/// proposal with the given KEY_IKE transforms.
fn v1_sa_body(transforms: &[P1], lifetime: u32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&1u32.to_be_bytes()); // DOI IPsec
    b.extend_from_slice(&1u32.to_be_bytes()); // SIT_IDENTITY_ONLY
    let mut tfs = Vec::new();
    for (i, &(enc, bits, hash, auth, group)) in transforms.iter().enumerate() {
        let mut attrs = Vec::new();
        v1_attr(&mut attrs, 1, enc as u32);
        if bits != 0 {
            v1_attr(&mut attrs, 14, bits as u32);
        }
        v1_attr(&mut attrs, 2, hash as u32);
        v1_attr(&mut attrs, 3, auth as u32);
        v1_attr(&mut attrs, 4, group as u32);
        v1_attr(&mut attrs, 11, 1); // life type: seconds
        v1_attr(&mut attrs, 12, lifetime);
        let last = i + 1 == transforms.len();
        tfs.push(if last { 0 } else { 3 });
        tfs.push(0);
        tfs.extend_from_slice(&((8 + attrs.len()) as u16).to_be_bytes());
        tfs.push(i as u8 + 1); // transform number
        tfs.push(1); // KEY_IKE
        tfs.extend_from_slice(&[0, 0]);
        tfs.extend_from_slice(&attrs);
    }
    b.push(0); // last proposal
    b.push(0);
    b.extend_from_slice(&((8 + tfs.len()) as u16).to_be_bytes());
    b.push(1); // proposal number
    b.push(1); // PROTO_ISAKMP
    b.push(0); // SPI size
    b.push(transforms.len() as u8);
    b.extend_from_slice(&tfs);
    b
}

fn v1_id_body(ip: Ip) -> Vec<u8> {
    match ip {
        Ip::V4(a) => {
            let mut b = vec![1, 17, 0x01, 0xf4]; // ID_IPV4_ADDR, UDP, 500
            b.extend_from_slice(&a);
            b
        }
        Ip::V6(a) => {
            let mut b = vec![5, 17, 0x01, 0xf4]; // ID_IPV6_ADDR
            b.extend_from_slice(&a);
            b
        }
    }
}

fn dh_len(group: u16) -> usize {
    match group {
        1 => 96,
        2 => 128,
        5 => 192,
        14 => 256,
        15 => 384,
        19 => 64,
        20 => 96,
        21 => 132,
        _ => 256,
    }
}

/// IKEv1 Notification payload body (RFC 2408 §3.14) with the cookies as SPI.
fn v1_notify_body(ty: u16, ispi: &[u8; 8], rspi: &[u8; 8]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&1u32.to_be_bytes()); // DOI
    b.push(1); // PROTO_ISAKMP
    b.push(16);
    b.extend_from_slice(&ty.to_be_bytes());
    b.extend_from_slice(ispi);
    b.extend_from_slice(rspi);
    b
}

/// IKEv2 transform list entry: (type, id, key length or 0).
type Tf = (u8, u16, u16);

/// IKEv2 SA payload body (RFC 7296 §3.3) with one proposal per entry.
fn v2_sa_body(proposals: &[(u8, &[u8], &[Tf])]) -> Vec<u8> {
    let mut b = Vec::new();
    for (pi, (proto, spi, tfs)) in proposals.iter().enumerate() {
        let mut t = Vec::new();
        for (i, &(ty, id, bits)) in tfs.iter().enumerate() {
            let len = if bits != 0 { 12 } else { 8 };
            t.push(if i + 1 == tfs.len() { 0 } else { 3 });
            t.push(0);
            t.extend_from_slice(&(len as u16).to_be_bytes());
            t.push(ty);
            t.push(0);
            t.extend_from_slice(&id.to_be_bytes());
            if bits != 0 {
                t.extend_from_slice(&(0x8000u16 | 14).to_be_bytes());
                t.extend_from_slice(&bits.to_be_bytes());
            }
        }
        b.push(if pi + 1 == proposals.len() { 0 } else { 2 });
        b.push(0);
        b.extend_from_slice(&((8 + spi.len() + t.len()) as u16).to_be_bytes());
        b.push(pi as u8 + 1);
        b.push(*proto);
        b.push(spi.len() as u8);
        b.push(tfs.len() as u8);
        b.extend_from_slice(spi);
        b.extend_from_slice(&t);
    }
    b
}

// (transform type, id, key bits): ENCR=1, PRF=2, INTEG=3, DH=4.
const V2_IKE_AES256: &[Tf] = &[(1, 12, 256), (2, 5, 0), (3, 12, 0), (4, 14, 0)];
const V2_IKE_AES128_ECP: &[Tf] = &[(1, 12, 128), (2, 2, 0), (3, 2, 0), (4, 19, 0)];
const V2_IKE_GCM: &[Tf] = &[(1, 20, 256), (2, 5, 0), (4, 19, 0)];
const V2_IKE_3DES: &[Tf] = &[(1, 3, 0), (2, 2, 0), (3, 2, 0), (4, 2, 0)];

fn v2_ke_body(group: u16, rng: &mut Rng) -> Vec<u8> {
    let mut b = group.to_be_bytes().to_vec();
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(&rng.bytes(dh_len(group)));
    b
}

/// IKEv2 Notify payload body (RFC 7296 §3.10), protocol 0, no SPI.
fn v2_notify_body(ty: u16, data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0];
    b.extend_from_slice(&ty.to_be_bytes());
    b.extend_from_slice(data);
    b
}

const N_NO_PROPOSAL_CHOSEN: u16 = 14;
const N_INVALID_KE_PAYLOAD: u16 = 17;
const N_NAT_SRC: u16 = 16388;
const N_NAT_DST: u16 = 16389;
const N_COOKIE: u16 = 16390;
const N_FRAG_SUPPORTED: u16 = 16430;
const N_SIG_HASH: u16 = 16431;

/// SK payload (RFC 7296 §3.14): 16-byte IV, ciphertext, 16-byte ICV.
fn v2_sk(first: u8, ct: usize, rng: &mut Rng) -> Pl {
    Pl {
        ty: V2_SK,
        body: rng.bytes(16 + ct + 16),
        inner: Some(first),
    }
}

/// SKF payload (RFC 7383 §2.5): fragment number and total, then as SK.
fn v2_skf(no: u16, total: u16, first: u8, ct: usize, rng: &mut Rng) -> Pl {
    let mut body = no.to_be_bytes().to_vec();
    body.extend_from_slice(&total.to_be_bytes());
    body.extend_from_slice(&rng.bytes(16 + ct + 16));
    Pl {
        ty: V2_SKF,
        body,
        inner: Some(if no == 1 { first } else { 0 }),
    }
}

// ---------------------------------------------------------------------------
// Tunnels and scenarios

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scenario {
    V1MainOk,
    V1AggressiveOk,
    V1NoProposal,
    V1NoResponse,
    V1PskMismatch,
    V1QuickModeFail,
    V1AhOk,
    V2Ok,
    V2NoProposal,
    V2InvalidKe,
    V2Cookie,
    V2AuthFail,
    V2IpFragOk,
    V2IpFragLost,
    V2SkfOk,
    V2NoResponse,
    V2EspOneWay,
}

const ALL_SCENARIOS: &[Scenario] = &[
    Scenario::V1MainOk,
    Scenario::V1AggressiveOk,
    Scenario::V1NoProposal,
    Scenario::V1NoResponse,
    Scenario::V1PskMismatch,
    Scenario::V1QuickModeFail,
    Scenario::V1AhOk,
    Scenario::V2Ok,
    Scenario::V2NoProposal,
    Scenario::V2InvalidKe,
    Scenario::V2Cookie,
    Scenario::V2AuthFail,
    Scenario::V2IpFragOk,
    Scenario::V2IpFragLost,
    Scenario::V2SkfOk,
    Scenario::V2NoResponse,
    Scenario::V2EspOneWay,
];

/// Weights for the mixed capture: mostly working tunnels.
const MIXED_WEIGHTS: &[u32] = &[20, 6, 2, 2, 2, 2, 4, 30, 2, 3, 2, 2, 4, 2, 3, 2, 2];

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::V1MainOk => "v1-main-ok",
            Scenario::V1AggressiveOk => "v1-aggressive-ok",
            Scenario::V1NoProposal => "v1-no-proposal-chosen",
            Scenario::V1NoResponse => "v1-no-response",
            Scenario::V1PskMismatch => "v1-psk-mismatch",
            Scenario::V1QuickModeFail => "v1-quick-mode-fail",
            Scenario::V1AhOk => "v1-ah-ok",
            Scenario::V2Ok => "v2-ok",
            Scenario::V2NoProposal => "v2-no-proposal-chosen",
            Scenario::V2InvalidKe => "v2-invalid-ke-retry",
            Scenario::V2Cookie => "v2-cookie",
            Scenario::V2AuthFail => "v2-auth-failed",
            Scenario::V2IpFragOk => "v2-ip-fragmented-auth",
            Scenario::V2IpFragLost => "v2-ip-fragments-lost",
            Scenario::V2SkfOk => "v2-ikev2-fragmentation",
            Scenario::V2NoResponse => "v2-no-response",
            Scenario::V2EspOneWay => "v2-esp-one-way",
        }
    }
    fn is_v2(self) -> bool {
        !matches!(
            self,
            Scenario::V1MainOk
                | Scenario::V1AggressiveOk
                | Scenario::V1NoProposal
                | Scenario::V1NoResponse
                | Scenario::V1PskMismatch
                | Scenario::V1QuickModeFail
                | Scenario::V1AhOk
        )
    }
}

#[derive(Clone, Copy)]
enum Frag {
    None,
    /// IPv4 fragments of at most this many bytes, all present.
    Ip(usize),
    /// IPv4 fragments, only the first one captured.
    IpFirstOnly(usize),
}

struct Step {
    from_init: bool,
    /// After NAT detection: UDP 4500 with the non-ESP marker (RFC 3948 §2.2).
    nat_port: bool,
    delay_ms: u64,
    msg: Vec<u8>,
    frag: Frag,
}

/// One IPsec peer pair going through a scenario, then carrying ESP/AH.
struct Tunnel {
    scenario: Scenario,
    path: Path,
    natt: bool,
    /// Initiator's source ports for 500 and 4500 as seen on the wire (NAT
    /// rewrites them when `natt`).
    port500: u16,
    port4500: u16,
    ispi: [u8; 8],
    rspi: [u8; 8],
    /// SPI of the SA carrying initiator→responder traffic, and the reverse.
    spi_out: u32,
    spi_in: u32,
    seq_out: u32,
    seq_in: u32,
    ah: bool,
    icv: usize,
    one_way: bool,
    queue: VecDeque<Step>,
    next_ns: u64,
    esp_left: u32,
    v2_mid: u32,
    ending: bool,
}

impl Tunnel {
    /// A new tunnel; `esp_packets` bounds its ESP phase.
    fn new(scenario: Scenario, rng: &mut Rng, now: u64, esp_packets: (u64, u64)) -> Tunnel {
        // IKEv2 over IPv6 too, except where the scenario is about IPv4 fragments.
        let v6 = scenario.is_v2()
            && !matches!(scenario, Scenario::V2IpFragOk | Scenario::V2IpFragLost)
            && rng.chance(0.15);
        let (init, resp) = if v6 {
            (
                Host::v6(v6addr(
                    0x100 + rng.below(16) as u16,
                    rng.range(1, 4000) as u32,
                )),
                Host::v6(v6addr(0xffff, rng.range(1, 8) as u32)),
            )
        } else {
            let net = *rng.pick(&[[198, 51, 100], [192, 0, 2]]);
            (
                Host::v4([net[0], net[1], net[2], rng.range(1, 254) as u8]),
                Host::v4([203, 0, 113, rng.range(1, 16) as u8]),
            )
        };
        let vlan = if rng.chance(0.1) {
            Some(rng.range(2, 40) as u16 * 10)
        } else {
            None
        };
        let path = Path {
            src: init,
            dst: resp,
            vlan,
            raw: vlan.is_none() && rng.chance(0.2),
        };
        let natt = !v6 && rng.chance(0.35);
        let (port500, port4500) = if natt {
            (rng.range(1024, 65000) as u16, rng.range(1024, 65000) as u16)
        } else {
            (500, 4500)
        };
        let mut ispi: [u8; 8] = rng.array();
        ispi[0] |= 0x10;
        let mut rspi: [u8; 8] = rng.array();
        rspi[0] |= 0x10;
        let mut t = Tunnel {
            scenario,
            path,
            natt,
            port500,
            port4500,
            ispi,
            rspi,
            spi_out: rng.range(0x1000, 0xffff_fff0) as u32,
            spi_in: rng.range(0x1000, 0xffff_fff0) as u32,
            seq_out: 0,
            seq_in: 0,
            ah: scenario == Scenario::V1AhOk,
            icv: *rng.pick(&[12usize, 16]),
            one_way: scenario == Scenario::V2EspOneWay,
            queue: VecDeque::new(),
            next_ns: now,
            esp_left: rng.range(esp_packets.0, esp_packets.1) as u32,
            v2_mid: 0,
            ending: false,
        };
        t.script(rng);
        t
    }

    fn push(&mut self, from_init: bool, nat_port: bool, delay_ms: u64, msg: Vec<u8>) {
        self.queue.push_back(Step {
            from_init,
            nat_port: nat_port && self.natt,
            delay_ms,
            msg,
            frag: Frag::None,
        });
    }

    fn hdr(&self, version: u8, exchange: u8, flags: u8, mid: u32, rspi_known: bool) -> IkeHdr {
        IkeHdr {
            ispi: self.ispi,
            rspi: if rspi_known { self.rspi } else { [0; 8] },
            version,
            exchange,
            flags,
            mid,
        }
    }

    fn natd(&self, rng: &mut Rng) -> [Vec<u8>; 2] {
        [rng.bytes(20), rng.bytes(20)]
    }

    /// Build the IKE messages of the scenario.
    fn script(&mut self, rng: &mut Rng) {
        use Scenario::*;
        match self.scenario {
            V1MainOk | V1NoProposal | V1NoResponse | V1PskMismatch | V1QuickModeFail | V1AhOk => {
                self.script_v1_main(rng)
            }
            V1AggressiveOk => self.script_v1_aggressive(rng),
            _ => self.script_v2(rng),
        }
    }

    fn v1_vids(&self, rng: &mut Rng) -> Vec<Pl> {
        let mut v = vec![
            pl(V1_VID, VID_NATT_RFC3947.to_vec()),
            pl(V1_VID, VID_DPD.to_vec()),
        ];
        if rng.chance(0.5) {
            v.push(pl(V1_VID, VID_NATT_DRAFT02.to_vec()));
        }
        if rng.chance(0.3) {
            v.push(pl(V1_VID, VID_FRAGMENTATION.to_vec()));
        }
        if rng.chance(0.3) {
            v.push(pl(V1_VID, VID_XAUTH.to_vec()));
        }
        v
    }

    fn script_v1_main(&mut self, rng: &mut Rng) {
        let sc = self.scenario;
        let n = rng.range(1, 4) as usize;
        let offered: Vec<P1> = (0..n).map(|_| *rng.pick(P1_CHOICES)).collect();
        let chosen = offered[0];
        let life = *rng.pick(&[28_800u32, 86_400, 3_600]);
        // MM1: SA with the offered transforms, vendor IDs.
        let mut pls = vec![pl(V1_SA, v1_sa_body(&offered, life))];
        pls.extend(self.v1_vids(rng));
        let mm1 = ike_msg(&self.hdr(0x10, V1_MAIN, 0, 0, false), &pls);
        self.push(true, false, 0, mm1.clone());
        match sc {
            Scenario::V1NoResponse => {
                for d in [4_000, 8_000, 16_000, 32_000] {
                    self.push(true, false, d, mm1.clone());
                }
                return;
            }
            Scenario::V1NoProposal => {
                let n = ike_msg(
                    &self.hdr(0x10, V1_INFO, 0, 0, true),
                    &[pl(V1_N, v1_notify_body(14, &self.ispi, &self.rspi))],
                );
                self.push(false, false, 3, n.clone());
                self.push(true, false, 10_000, mm1);
                self.push(false, false, 3, n);
                return;
            }
            _ => {}
        }
        // MM2: the chosen transform.
        let mut pls = vec![pl(V1_SA, v1_sa_body(&[chosen], life))];
        pls.extend(self.v1_vids(rng));
        self.push(
            false,
            false,
            4,
            ike_msg(&self.hdr(0x10, V1_MAIN, 0, 0, true), &pls),
        );
        // MM3/MM4: KE, Nonce, NAT-D.
        for from_init in [true, false] {
            let [d1, d2] = self.natd(rng);
            let pls = vec![
                pl(V1_KE, rng.bytes(dh_len(chosen.4))),
                pl(V1_NONCE, {
                    let n = rng.range(16, 32) as usize;
                    rng.bytes(n)
                }),
                pl(V1_NATD, d1),
                pl(V1_NATD, d2),
            ];
            let delay = if from_init { 2 } else { 25 };
            self.push(
                from_init,
                false,
                delay,
                ike_msg(&self.hdr(0x10, V1_MAIN, 0, 0, true), &pls),
            );
        }
        // MM5/MM6, encrypted: ID, HASH (or CERT, SIG).
        let ct = if chosen.3 == 3 { 1200 } else { 64 };
        let mm5 = v1_encrypted(&self.hdr(0x10, V1_MAIN, 0, 0, true), V1_ID, ct, rng);
        self.push(true, true, 3, mm5.clone());
        if sc == Scenario::V1PskMismatch {
            for d in [5_000, 5_000, 5_000] {
                self.push(true, true, d, mm5.clone());
            }
            return;
        }
        let mm6 = v1_encrypted(&self.hdr(0x10, V1_MAIN, 0, 0, true), V1_ID, ct, rng);
        self.push(false, true, 4, mm6);
        self.script_v1_quick(rng);
    }

    fn script_v1_aggressive(&mut self, rng: &mut Rng) {
        let chosen = *rng.pick(&P1_CHOICES[..2]);
        let mut pls = vec![
            pl(V1_SA, v1_sa_body(&[chosen], 86_400)),
            pl(V1_KE, rng.bytes(dh_len(chosen.4))),
            pl(V1_NONCE, rng.bytes(20)),
            pl(V1_ID, v1_id_body(self.path.src.ip)),
        ];
        pls.extend(self.v1_vids(rng));
        self.push(
            true,
            false,
            0,
            ike_msg(&self.hdr(0x10, V1_AGGRESSIVE, 0, 0, false), &pls),
        );
        let [d1, d2] = self.natd(rng);
        let mut pls = vec![
            pl(V1_SA, v1_sa_body(&[chosen], 86_400)),
            pl(V1_KE, rng.bytes(dh_len(chosen.4))),
            pl(V1_NONCE, rng.bytes(20)),
            pl(V1_ID, v1_id_body(self.path.dst.ip)),
            pl(V1_HASH, rng.bytes(20)),
        ];
        pls.extend(self.v1_vids(rng));
        pls.push(pl(V1_NATD, d1));
        pls.push(pl(V1_NATD, d2));
        self.push(
            false,
            false,
            30,
            ike_msg(&self.hdr(0x10, V1_AGGRESSIVE, 0, 0, true), &pls),
        );
        let am3 = v1_encrypted(&self.hdr(0x10, V1_AGGRESSIVE, 0, 0, true), V1_HASH, 32, rng);
        self.push(true, true, 2, am3);
        self.script_v1_quick(rng);
    }

    fn script_v1_quick(&mut self, rng: &mut Rng) {
        let mid = rng.range(1, u32::MAX as u64) as u32;
        let h = self.hdr(0x10, V1_QUICK, 0, mid, true);
        let qm1 = v1_encrypted(&h, V1_HASH, rng.range(18, 26) as usize * 16, rng);
        self.push(true, true, 2, qm1.clone());
        if self.scenario == Scenario::V1QuickModeFail {
            self.push(true, true, 5_000, qm1.clone());
            self.push(true, true, 5_000, qm1);
            let mid = rng.range(1, u32::MAX as u64) as u32;
            let info = v1_encrypted(&self.hdr(0x10, V1_INFO, 0, mid, true), V1_HASH, 80, rng);
            self.push(false, true, 20, info);
            return;
        }
        let qm2 = v1_encrypted(&h, V1_HASH, rng.range(18, 26) as usize * 16, rng);
        self.push(false, true, 8, qm2);
        self.push(true, true, 1, v1_encrypted(&h, V1_HASH, 48, rng));
    }

    fn v2_init_req(&self, group: u16, cookie: Option<&[u8]>, frag: bool, rng: &mut Rng) -> Vec<u8> {
        let mut pls = Vec::new();
        if let Some(c) = cookie {
            pls.push(pl(V2_N, v2_notify_body(N_COOKIE, c)));
        }
        let first: &[Tf] = if group == 19 {
            V2_IKE_AES128_ECP
        } else {
            V2_IKE_AES256
        };
        pls.push(pl(
            V2_SA,
            v2_sa_body(&[(1, &[], first), (1, &[], V2_IKE_GCM), (1, &[], V2_IKE_3DES)]),
        ));
        pls.push(pl(V2_KE, v2_ke_body(group, rng)));
        pls.push(pl(V2_NONCE, rng.bytes(32)));
        pls.push(pl(V2_N, v2_notify_body(N_NAT_SRC, &rng.bytes(20))));
        pls.push(pl(V2_N, v2_notify_body(N_NAT_DST, &rng.bytes(20))));
        if frag {
            pls.push(pl(V2_N, v2_notify_body(N_FRAG_SUPPORTED, &[])));
        }
        pls.push(pl(V2_N, v2_notify_body(N_SIG_HASH, &[0, 2, 0, 3, 0, 4])));
        if rng.chance(0.5) {
            pls.push(pl(V2_VID, rng.bytes(16)));
        }
        ike_msg(&self.hdr(0x20, V2_SA_INIT, 0x08, 0, false), &pls)
    }

    fn v2_init_resp(&self, group: u16, frag: bool, rng: &mut Rng) -> Vec<u8> {
        let chosen: &[Tf] = if group == 19 {
            V2_IKE_AES128_ECP
        } else {
            V2_IKE_AES256
        };
        let mut pls = vec![
            pl(V2_SA, v2_sa_body(&[(1, &[], chosen)])),
            pl(V2_KE, v2_ke_body(group, rng)),
            pl(V2_NONCE, rng.bytes(32)),
            pl(V2_N, v2_notify_body(N_NAT_SRC, &rng.bytes(20))),
            pl(V2_N, v2_notify_body(N_NAT_DST, &rng.bytes(20))),
        ];
        if frag {
            pls.push(pl(V2_N, v2_notify_body(N_FRAG_SUPPORTED, &[])));
        }
        let mut certreq = vec![4u8]; // X.509 signature
        certreq.extend_from_slice(&rng.bytes(20));
        pls.push(pl(V2_CERTREQ, certreq));
        ike_msg(&self.hdr(0x20, V2_SA_INIT, 0x20, 0, true), &pls)
    }

    fn v2_init_notify(&self, ty: u16, data: &[u8]) -> Vec<u8> {
        ike_msg(
            &self.hdr(0x20, V2_SA_INIT, 0x20, 0, false),
            &[pl(V2_N, v2_notify_body(ty, data))],
        )
    }

    /// An SK-protected exchange message.
    #[allow(clippy::too_many_arguments)]
    fn v2_sk_msg(
        &self,
        exchange: u8,
        from_init: bool,
        response: bool,
        mid: u32,
        first: u8,
        ct: usize,
        rng: &mut Rng,
    ) -> Vec<u8> {
        let flags = if from_init { 0x08 } else { 0 } | if response { 0x20 } else { 0 };
        ike_msg(
            &self.hdr(0x20, exchange, flags, mid, true),
            &[v2_sk(first, ct, rng)],
        )
    }

    fn script_v2(&mut self, rng: &mut Rng) {
        use Scenario::*;
        let sc = self.scenario;
        let frag = sc == V2SkfOk;
        let group = if sc == V2InvalidKe {
            19
        } else {
            *rng.pick(&[14u16, 19, 19])
        };
        let req = self.v2_init_req(group, None, frag, rng);
        self.push(true, false, 0, req.clone());
        match sc {
            V2NoResponse => {
                for d in [1_000, 2_000, 4_000, 8_000, 16_000] {
                    self.push(true, false, d, req.clone());
                }
                return;
            }
            V2NoProposal => {
                self.push(
                    false,
                    false,
                    2,
                    self.v2_init_notify(N_NO_PROPOSAL_CHOSEN, &[]),
                );
                return;
            }
            V2InvalidKe => {
                self.push(
                    false,
                    false,
                    2,
                    self.v2_init_notify(N_INVALID_KE_PAYLOAD, &14u16.to_be_bytes()),
                );
                let retry = self.v2_init_req(14, None, false, rng);
                self.push(true, false, 5, retry);
            }
            V2Cookie => {
                let cookie = rng.bytes(32);
                self.push(false, false, 1, self.v2_init_notify(N_COOKIE, &cookie));
                let retry = self.v2_init_req(group, Some(&cookie), false, rng);
                self.push(true, false, 3, retry);
            }
            _ => {}
        }
        let g = if sc == V2InvalidKe { 14 } else { group };
        self.push(false, false, 20, self.v2_init_resp(g, frag, rng));
        // IKE_AUTH.
        self.v2_mid = 1;
        match sc {
            V2IpFragOk | V2IpFragLost => {
                let auth = self.v2_sk_msg(
                    V2_AUTH,
                    true,
                    false,
                    1,
                    V2_IDI,
                    2800 + rng.below(8) as usize * 16,
                    rng,
                );
                let f = if sc == V2IpFragOk {
                    Frag::Ip(1500)
                } else {
                    Frag::IpFirstOnly(1500)
                };
                let delays: &[u64] = if sc == V2IpFragOk {
                    &[3]
                } else {
                    &[3, 2_000, 4_000, 8_000]
                };
                for &d in delays {
                    self.queue.push_back(Step {
                        from_init: true,
                        nat_port: self.natt,
                        delay_ms: d,
                        msg: auth.clone(),
                        frag: f,
                    });
                }
                if sc == V2IpFragLost {
                    return;
                }
                let resp = self.v2_sk_msg(V2_AUTH, false, true, 1, 36, 2400, rng);
                self.queue.push_back(Step {
                    from_init: false,
                    nat_port: self.natt,
                    delay_ms: 15,
                    msg: resp,
                    frag: Frag::Ip(1500),
                });
            }
            V2SkfOk => {
                for (from_init, total, delay) in [(true, 3u16, 3u64), (false, 2, 15)] {
                    let flags = if from_init { 0x08 } else { 0x20 };
                    for no in 1..=total {
                        let m = ike_msg(
                            &self.hdr(0x20, V2_AUTH, flags, 1, true),
                            &[v2_skf(
                                no,
                                total,
                                if from_init { V2_IDI } else { 36 },
                                1152,
                                rng,
                            )],
                        );
                        self.push(from_init, true, if no == 1 { delay } else { 0 }, m);
                    }
                }
            }
            _ => {
                let req = self.v2_sk_msg(
                    V2_AUTH,
                    true,
                    false,
                    1,
                    V2_IDI,
                    rng.range(20, 40) as usize * 16,
                    rng,
                );
                self.push(true, true, 3, req);
                let ct = if sc == V2AuthFail {
                    16
                } else {
                    rng.range(16, 32) as usize * 16
                };
                let resp = self.v2_sk_msg(
                    V2_AUTH,
                    false,
                    true,
                    1,
                    if sc == V2AuthFail { V2_N } else { 36 },
                    ct,
                    rng,
                );
                self.push(false, true, 12, resp);
            }
        }
    }

    /// Queue an INFORMATIONAL/DPD or CREATE_CHILD_SA exchange during the ESP phase.
    fn queue_keepalive_exchange(&mut self, rng: &mut Rng) {
        if self.scenario.is_v2() {
            self.v2_mid += 1;
            let (exch, first, ct) = if rng.chance(0.2) {
                (V2_CHILD, V2_SA, 256)
            } else {
                (V2_INFO, 0, 0)
            };
            let req = self.v2_sk_msg(exch, true, false, self.v2_mid, first, ct, rng);
            let resp = self.v2_sk_msg(exch, false, true, self.v2_mid, first, ct, rng);
            self.push(true, true, 1, req);
            self.push(false, true, 5, resp);
        } else {
            for (from_init, delay) in [(true, 1), (false, 5)] {
                let mid = rng.range(1, u32::MAX as u64) as u32;
                let m = v1_encrypted(&self.hdr(0x10, V1_INFO, 0, mid, true), V1_HASH, 80, rng);
                self.push(from_init, true, delay, m);
            }
        }
    }

    fn queue_delete(&mut self, rng: &mut Rng) {
        if self.scenario.is_v2() {
            self.v2_mid += 1;
            let req = self.v2_sk_msg(V2_INFO, true, false, self.v2_mid, V2_D, 16, rng);
            let resp = self.v2_sk_msg(V2_INFO, false, true, self.v2_mid, 0, 0, rng);
            self.push(true, true, 1, req);
            self.push(false, true, 4, resp);
        } else {
            let mid = rng.range(1, u32::MAX as u64) as u32;
            let m = v1_encrypted(&self.hdr(0x10, V1_INFO, 0, mid, true), V1_HASH, 64, rng);
            self.push(true, true, 1, m);
        }
    }

    /// Whether the scenario ends with an established tunnel carrying traffic.
    fn carries_traffic(&self) -> bool {
        use Scenario::*;
        matches!(
            self.scenario,
            V1MainOk
                | V1AggressiveOk
                | V1AhOk
                | V2Ok
                | V2InvalidKe
                | V2Cookie
                | V2IpFragOk
                | V2SkfOk
                | V2EspOneWay
        )
    }

    /// Emit the tunnel's next packet. Returns false once the tunnel is over.
    fn step(
        &mut self,
        em: &mut Emitter,
        rng: &mut Rng,
        pool: &Pool,
        seg: &mut Vec<u8>,
        payload: &mut Vec<u8>,
    ) -> io::Result<bool> {
        if let Some(st) = self.queue.pop_front() {
            let p = if st.from_init {
                self.path
            } else {
                self.path.rev()
            };
            let (sport, dport) = match (st.nat_port, st.from_init) {
                (false, true) => (self.port500, 500),
                (false, false) => (500, self.port500),
                (true, true) => (self.port4500, 4500),
                (true, false) => (4500, self.port4500),
            };
            payload.clear();
            if st.nat_port {
                payload.extend_from_slice(&[0, 0, 0, 0]);
            }
            payload.extend_from_slice(&st.msg);
            udp_seg(seg, &p, sport, dport, payload);
            match st.frag {
                Frag::None => em.send(&p, PROTO_UDP, seg, Class::Ike)?,
                Frag::Ip(mtu) => em.send_fragmented(&p, PROTO_UDP, seg, mtu, usize::MAX)?,
                Frag::IpFirstOnly(mtu) => em.send_fragmented(&p, PROTO_UDP, seg, mtu, 1)?,
            }
            if let Some(next) = self.queue.front() {
                self.next_ns = em.now + next.delay_ms * 1_000_000 + rng.below(500_000);
            } else {
                self.next_ns = em.now + rng.range(100_000, 3_000_000);
            }
            return Ok(true);
        }
        if self.ending || !self.carries_traffic() {
            return Ok(false);
        }
        if self.esp_left == 0 {
            self.ending = true;
            self.queue_delete(rng);
            self.next_ns = em.now + 1_000_000;
            return Ok(true);
        }
        self.esp_left -= 1;
        self.next_ns = em.now + rng.below(2_000_000);
        if self.natt && rng.chance(0.03) {
            // NAT keepalive (RFC 3948 §2.3) from the initiator behind the NAT.
            udp_seg(seg, &self.path, self.port4500, 4500, &[0xff]);
            return em
                .send(&self.path, PROTO_UDP, seg, Class::Keepalive)
                .map(|_| true);
        }
        if rng.chance(0.004) {
            self.queue_keepalive_exchange(rng);
        }
        let outbound = self.one_way || rng.chance(0.5);
        let p = if outbound { self.path } else { self.path.rev() };
        let (spi, seq) = if outbound {
            self.seq_out += 1;
            (self.spi_out, self.seq_out)
        } else {
            self.seq_in += 1;
            (self.spi_in, self.seq_in)
        };
        if self.ah {
            return send_ah(em, &p, spi, seq, rng, pool, seg, payload).map(|_| true);
        }
        // ESP (RFC 4303 §2): SPI, sequence, IV, ciphertext, ICV.
        let ct = match rng.below(10) {
            0..=3 => rng.range(3, 6) as usize * 16,
            4..=7 => 1408,
            _ => rng.range(8, 60) as usize * 16,
        };
        let ct = if p.is_v6() || self.natt {
            ct.min(1392)
        } else {
            ct
        };
        payload.clear();
        payload.extend_from_slice(&spi.to_be_bytes());
        payload.extend_from_slice(&seq.to_be_bytes());
        payload.extend_from_slice(pool.slice(rng, 16 + ct + self.icv));
        if self.natt {
            let (s, d) = if outbound {
                (self.port4500, 4500)
            } else {
                (4500, self.port4500)
            };
            udp_seg(seg, &p, s, d, payload);
            em.send(&p, PROTO_UDP, seg, Class::Esp)?;
        } else {
            em.send(&p, PROTO_ESP, payload, Class::Esp)?;
        }
        Ok(true)
    }
}

/// AH (RFC 4302 §2) in tunnel mode around an IPv4 ICMP echo.
#[allow(clippy::too_many_arguments)]
fn send_ah(
    em: &mut Emitter,
    p: &Path,
    spi: u32,
    seq: u32,
    rng: &mut Rng,
    pool: &Pool,
    seg: &mut Vec<u8>,
    payload: &mut Vec<u8>,
) -> io::Result<()> {
    let inner_path = Path {
        src: Host::v4([10, 8, rng.below(4) as u8, rng.range(1, 254) as u8]),
        dst: Host::v4([10, 9, 0, rng.range(1, 254) as u8]),
        vlan: None,
        raw: false,
    };
    let data_len = *rng.pick(&[56usize, 56, 120, 1000]);
    icmp_echo(
        seg,
        &inner_path,
        rng.chance(0.5),
        0x4242,
        seq as u16,
        pool.slice(rng, data_len),
    );
    payload.clear();
    payload.extend_from_slice(&[PROTO_IPIP, 4, 0, 0]); // next header, length (24/4 - 2)
    payload.extend_from_slice(&spi.to_be_bytes());
    payload.extend_from_slice(&seq.to_be_bytes());
    payload.extend_from_slice(pool.slice(rng, 12)); // HMAC-SHA1-96 ICV
    let (Ip::V4(s), Ip::V4(d)) = (inner_path.src.ip, inner_path.dst.ip) else {
        return Ok(());
    };
    push_ipv4(payload, s, d, PROTO_ICMP, seg.len(), seq as u16, 0);
    payload.extend_from_slice(seg);
    em.send(p, PROTO_AH, payload, Class::Ah)
}

// ---------------------------------------------------------------------------
// Background traffic

struct TcpConn {
    path: Path,
    sport: u16,
    dport: u16,
    cseq: u32,
    sseq: u32,
    stage: u8,
    left: u32,
}

const DNS_NAMES: &[&str] = &[
    "www.example.com",
    "vpn.example.net",
    "mail.example.org",
    "api.example.com",
    "cdn.example.net",
    "time.example.org",
    "gw1.vpn.example.com",
    "intranet.example.org",
];

/// Everything that is not IPsec.
struct Background {
    tcp: Vec<TcpConn>,
    dns_id: u16,
    icmp_seq: u16,
}

fn lan_host(rng: &mut Rng) -> Host {
    Host::v4([
        10,
        rng.range(1, 20) as u8,
        rng.below(256) as u8,
        rng.range(1, 254) as u8,
    ])
}

fn remote_host(rng: &mut Rng) -> Host {
    let net = *rng.pick(&[[198u8, 51, 100], [203, 0, 113], [192, 0, 2]]);
    Host::v4([net[0], net[1], net[2], rng.range(1, 254) as u8])
}

fn pick_vlan(rng: &mut Rng) -> Option<u16> {
    if rng.chance(0.12) {
        Some(*rng.pick(&[10u16, 20, 100, 200, 300, 1001]))
    } else {
        None
    }
}

fn new_path(rng: &mut Rng, v6: bool) -> Path {
    let (src, dst) = if v6 {
        (
            Host::v6(v6addr(rng.range(1, 8) as u16, rng.range(1, 5000) as u32)),
            Host::v6(v6addr(
                0xff00 + rng.below(16) as u16,
                rng.range(1, 200) as u32,
            )),
        )
    } else {
        (lan_host(rng), remote_host(rng))
    };
    let vlan = pick_vlan(rng);
    Path {
        src,
        dst,
        vlan,
        raw: vlan.is_none() && rng.chance(0.1),
    }
}

impl Background {
    fn new(rng: &mut Rng, conns: usize) -> Background {
        Background {
            tcp: (0..conns).map(|_| Background::new_conn(rng)).collect(),
            dns_id: 1,
            icmp_seq: 1,
        }
    }

    fn new_conn(rng: &mut Rng) -> TcpConn {
        let v6 = rng.chance(0.12);
        TcpConn {
            path: new_path(rng, v6),
            sport: rng.range(32768, 60999) as u16,
            dport: *rng.pick(&[443u16, 443, 443, 993]),
            cseq: rng.next() as u32,
            sseq: rng.next() as u32,
            stage: 0,
            left: rng.range(20, 2000) as u32,
        }
    }

    fn step(
        &mut self,
        em: &mut Emitter,
        rng: &mut Rng,
        pool: &Pool,
        seg: &mut Vec<u8>,
        payload: &mut Vec<u8>,
    ) -> io::Result<()> {
        match rng.below(1000) {
            0..=809 => self.tcp_step(em, rng, pool, seg),
            810..=869 => self.dns(em, rng, seg, payload),
            870..=879 => {
                // NTP (RFC 5905) client request and server reply, 48 bytes each.
                let v6 = rng.chance(0.1);
                let p = new_path(rng, v6);
                for (i, mode) in [(0, 3u8), (1, 4u8)] {
                    let mut m = [0u8; 48];
                    m[0] = (4 << 3) | mode;
                    m[1] = if i == 0 { 0 } else { 2 };
                    m[2] = 6;
                    m[3] = 0xe9;
                    rng.fill(&mut m[24..48]);
                    let pp = if i == 0 { p } else { p.rev() };
                    udp_seg(seg, &pp, 123, 123, &m);
                    em.send(&pp, PROTO_UDP, seg, Class::Other)?;
                }
                Ok(())
            }
            880..=899 => {
                // Syslog (RFC 5424) to a LAN collector.
                let mut p = new_path(rng, false);
                p.dst = Host::v4([10, 0, 0, 2]);
                payload.clear();
                let _ = write!(
                    payload,
                    "<134>1 2026-01-15T09:00:00Z fw{} ipsec - - - SA lifetime check peer 198.51.100.{} ok",
                    rng.below(9),
                    rng.range(1, 254)
                );
                udp_seg(seg, &p, 514, 514, payload);
                em.send(&p, PROTO_UDP, seg, Class::Other)
            }
            900..=969 => {
                // Bulk UDP between unregistered high ports.
                let v6 = rng.chance(0.15);
                let p = new_path(rng, v6);
                let len = *rng.pick(&[160usize, 172, 200, 1200, 1300]);
                let p = if rng.chance(0.5) { p } else { p.rev() };
                // A fixed ASCII tag up front keeps Wireshark's UDP heuristics
                // (RTP, RTCP, GOOSE...) from claiming the random bytes.
                payload.clear();
                payload.extend_from_slice(b"bulk-xfer\0");
                payload.extend_from_slice(pool.slice(rng, len));
                udp_seg(
                    seg,
                    &p,
                    38000 + rng.below(100) as u16,
                    39000 + rng.below(100) as u16,
                    payload,
                );
                em.send(&p, PROTO_UDP, seg, Class::Other)
            }
            970..=984 => {
                let v6 = rng.chance(0.3);
                let p = new_path(rng, v6);
                self.icmp_seq = self.icmp_seq.wrapping_add(1);
                let data = pool.slice(rng, 56).to_vec();
                let proto = if v6 { PROTO_ICMPV6 } else { PROTO_ICMP };
                icmp_echo(seg, &p, false, 0x1234, self.icmp_seq, &data);
                em.send(&p, proto, seg, Class::Other)?;
                icmp_echo(seg, &p.rev(), true, 0x1234, self.icmp_seq, &data);
                em.send(&p.rev(), proto, seg, Class::Other)
            }
            _ => {
                // ARP who-has and reply on the LAN.
                let asker = Host::v4([10, 1, 0, rng.range(1, 254) as u8]);
                let target = [10, 1, 0, rng.range(1, 254) as u8];
                em.send_arp(&asker, target, None)?;
                if rng.chance(0.7) {
                    let t = Host::v4(target);
                    em.send_arp(&asker, target, Some(&t))?;
                }
                Ok(())
            }
        }
    }

    fn tcp_step(
        &mut self,
        em: &mut Emitter,
        rng: &mut Rng,
        pool: &Pool,
        seg: &mut Vec<u8>,
    ) -> io::Result<()> {
        let i = rng.below(self.tcp.len() as u64) as usize;
        let c = &mut self.tcp[i];
        let (to_server, flags, len) = match c.stage {
            0 => (true, 0x02, 0),
            1 => (false, 0x12, 0),
            2 => (true, 0x10, 0),
            3 => {
                c.left = c.left.saturating_sub(1);
                if c.left == 0 {
                    c.stage = 4;
                }
                match rng.below(10) {
                    0..=4 => (false, 0x10, 1460),
                    5 => (false, 0x18, rng.range(1, 1460) as usize),
                    6 => (true, 0x18, rng.range(60, 700) as usize),
                    _ => (true, 0x10, 0),
                }
            }
            4 => (true, 0x11, 0),
            5 => (false, 0x11, 0),
            _ => (true, 0x10, 0),
        };
        // MSS 1440 over IPv6 keeps frames within 1514 bytes.
        let len = if c.path.is_v6() { len.min(1440) } else { len };
        let p = if to_server { c.path } else { c.path.rev() };
        let (sport, dport) = if to_server {
            (c.sport, c.dport)
        } else {
            (c.dport, c.sport)
        };
        let (seq, ack) = if to_server {
            (c.cseq, c.sseq)
        } else {
            (c.sseq, c.cseq)
        };
        let ack_flag = flags & 0x10 != 0;
        tcp_seg(
            seg,
            &p,
            sport,
            dport,
            seq,
            if ack_flag { ack } else { 0 },
            flags,
            pool.slice(rng, len),
        );
        let advance = len as u32 + (flags & 0x03 != 0) as u32;
        if to_server {
            c.cseq = c.cseq.wrapping_add(advance);
        } else {
            c.sseq = c.sseq.wrapping_add(advance);
        }
        if c.stage < 3 || c.stage >= 4 {
            c.stage += 1;
        }
        let path = p;
        em.send(&path, PROTO_TCP, seg, Class::Other)?;
        if self.tcp[i].stage > 6 {
            self.tcp[i] = Background::new_conn(rng);
        }
        Ok(())
    }

    /// DNS (RFC 1035) query and answer.
    fn dns(
        &mut self,
        em: &mut Emitter,
        rng: &mut Rng,
        seg: &mut Vec<u8>,
        payload: &mut Vec<u8>,
    ) -> io::Result<()> {
        let v6 = rng.chance(0.2);
        let mut p = new_path(rng, v6);
        p.dst = if v6 {
            Host::v6(v6addr(0x53, 0x53))
        } else {
            Host::v4([198, 51, 100, 53])
        };
        let name = *rng.pick(DNS_NAMES);
        let aaaa = rng.chance(0.3);
        self.dns_id = self.dns_id.wrapping_add(0x3b1);
        let sport = rng.range(32768, 60999) as u16;
        for answer in [false, true] {
            payload.clear();
            payload.extend_from_slice(&self.dns_id.to_be_bytes());
            payload.extend_from_slice(if answer { &[0x81, 0x80] } else { &[0x01, 0x00] });
            payload.extend_from_slice(&[0, 1, 0, answer as u8, 0, 0, 0, 0]);
            for label in name.split('.') {
                payload.push(label.len() as u8);
                payload.extend_from_slice(label.as_bytes());
            }
            payload.push(0);
            let qtype: u16 = if aaaa { 28 } else { 1 };
            payload.extend_from_slice(&qtype.to_be_bytes());
            payload.extend_from_slice(&[0, 1]);
            if answer {
                payload.extend_from_slice(&[0xc0, 0x0c]);
                payload.extend_from_slice(&qtype.to_be_bytes());
                payload.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10]);
                if aaaa {
                    payload.extend_from_slice(&16u16.to_be_bytes());
                    payload.extend_from_slice(&v6addr(0xcafe, rng.below(1000) as u32));
                } else {
                    payload.extend_from_slice(&4u16.to_be_bytes());
                    payload.extend_from_slice(&[203, 0, 113, rng.range(1, 254) as u8]);
                }
            }
            let pp = if answer { p.rev() } else { p };
            let (s, d) = if answer { (53, sport) } else { (sport, 53) };
            udp_seg(seg, &pp, s, d, payload);
            em.send(&pp, PROTO_UDP, seg, Class::Other)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Traffic mixes

/// 2026-01-15 09:00:00 UTC.
const START_NS: u64 = 1_768_467_600 * 1_000_000_000;

struct MixParams {
    target_bytes: u64,
    /// IPsec steps per 10,000 steps.
    ipsec_per_10k: u64,
    /// Live tunnels; `respawn` replaces finished ones.
    tunnels: usize,
    respawn: bool,
    scenarios: Vec<Scenario>,
    weights: Vec<u32>,
    esp_packets: (u64, u64),
    mean_gap_ns: u64,
    tcp_conns: usize,
}

/// Background traffic with IPsec tunnels mixed in, until the first writer
/// holds `target_bytes` (and, without respawn, every tunnel has finished).
fn gen_mix(em: &mut Emitter, rng: &mut Rng, mp: &MixParams) -> io::Result<Vec<Scenario>> {
    let pool = Pool::new(rng);
    let mut bg = Background::new(rng, mp.tcp_conns);
    let mut seg = Vec::with_capacity(4096);
    let mut payload = Vec::with_capacity(4096);
    let mut used = Vec::new();
    let spawn = |rng: &mut Rng, now: u64, used: &mut Vec<Scenario>| {
        let sc = mp.scenarios[rng.weighted(&mp.weights)];
        used.push(sc);
        Tunnel::new(sc, rng, now, mp.esp_packets)
    };
    let mut tunnels: Vec<Option<Tunnel>> = (0..mp.tunnels)
        .map(|_| {
            let mut t = spawn(rng, em.now, &mut used);
            t.next_ns = em.now + rng.below(50_000_000);
            Some(t)
        })
        .collect();
    em.stats.tunnels += tunnels.len() as u64;
    let max_frames = mp.target_bytes / 30 + 10_000;
    loop {
        let live = tunnels.iter().any(|t| t.is_some());
        if em.bytes() >= mp.target_bytes && (mp.respawn || !live) {
            break;
        }
        if em.stats.frames > max_frames {
            break;
        }
        // Past the size target, only the open negotiations are finished.
        let finishing = em.bytes() >= mp.target_bytes;
        em.now += rng.below(2 * mp.mean_gap_ns + 1);
        if live && (finishing || rng.below(10_000) < mp.ipsec_per_10k) {
            // The tunnel due first; wait for it if none is due yet.
            let mut best = None;
            for (i, t) in tunnels.iter().enumerate() {
                if let Some(t) = t {
                    if best.is_none_or(|(_, n)| t.next_ns < n) {
                        best = Some((i, t.next_ns));
                    }
                }
            }
            if let Some((i, due)) = best {
                if due > em.now {
                    em.now = due;
                }
                let alive = match tunnels[i].as_mut() {
                    Some(t) => t.step(em, rng, &pool, &mut seg, &mut payload)?,
                    None => false,
                };
                if !alive {
                    tunnels[i] = if mp.respawn {
                        em.stats.tunnels += 1;
                        let t = spawn(rng, em.now, &mut used);
                        Some(t)
                    } else {
                        None
                    };
                }
                continue;
            }
        }
        bg.step(em, rng, &pool, &mut seg, &mut payload)?;
    }
    Ok(used)
}

/// ESP-heavy traffic: `pairs` SA pairs between hubs and many spokes.
fn gen_esp(em: &mut Emitter, rng: &mut Rng, target_bytes: u64, pairs: usize) -> io::Result<()> {
    struct Sa {
        path: Path,
        nat: Option<u16>,
        spi_out: u32,
        spi_in: u32,
        seq_out: u32,
        seq_in: u32,
        icv: usize,
    }
    let pool = Pool::new(rng);
    let mut sas: Vec<Sa> = (0..pairs)
        .map(|k| {
            let spoke = k / 5;
            let v6 = spoke % 7 == 3;
            let (src, dst) = if v6 {
                (
                    Host::v6(v6addr(0x200, spoke as u32)),
                    Host::v6(v6addr(0xffff, (k % 8) as u32 + 1)),
                )
            } else {
                let net = [[198u8, 51, 100], [192, 0, 2]][spoke % 2];
                (
                    Host::v4([net[0], net[1], net[2], (spoke / 2 % 254) as u8 + 1]),
                    Host::v4([203, 0, 113, (k % 8) as u8 + 1]),
                )
            };
            let vlan = if spoke % 11 == 5 {
                Some(100 + (spoke % 4) as u16)
            } else {
                None
            };
            let nat = if !v6 && spoke % 5 < 2 {
                Some(1024 + ((spoke * 7919) % 60000) as u16)
            } else {
                None
            };
            Sa {
                path: Path {
                    src,
                    dst,
                    vlan,
                    raw: false,
                },
                nat,
                spi_out: 0x0100_0000 + (k as u32) * 2 + (rng.below(1 << 16) as u32) * 0x100,
                spi_in: 0xc000_0000 + (k as u32) * 2 + (rng.below(1 << 16) as u32) * 0x100,
                seq_out: 0,
                seq_in: 0,
                icv: if k % 3 == 0 { 16 } else { 12 },
            }
        })
        .collect();
    let mut seg = Vec::with_capacity(512);
    let mut payload = Vec::with_capacity(512);
    let busy = (pairs / 20).max(1);
    while em.bytes() < target_bytes {
        em.now += rng.below(8_000);
        // Half of the packets go to the busiest 5% of the SAs.
        let k = if rng.chance(0.5) {
            rng.below(busy as u64)
        } else {
            rng.below(pairs as u64)
        } as usize;
        let sa = &mut sas[k];
        if let Some(port) = sa.nat {
            if rng.chance(0.002) {
                udp_seg(&mut seg, &sa.path, port, 4500, &[0xff]);
                em.send(&sa.path, PROTO_UDP, &seg, Class::Keepalive)?;
                continue;
            }
        }
        let outbound = rng.chance(0.5);
        let gap = if rng.chance(0.001) {
            rng.range(1, 5) as u32
        } else {
            0
        };
        let (p, spi, seq) = if outbound {
            sa.seq_out += 1 + gap;
            (sa.path, sa.spi_out, sa.seq_out)
        } else {
            sa.seq_in += 1 + gap;
            (sa.path.rev(), sa.spi_in, sa.seq_in)
        };
        let ct = rng.range(2, 8) as usize * 16;
        payload.clear();
        payload.extend_from_slice(&spi.to_be_bytes());
        payload.extend_from_slice(&seq.to_be_bytes());
        payload.extend_from_slice(pool.slice(rng, 16 + ct + sa.icv));
        match sa.nat {
            Some(port) => {
                let (s, d) = if outbound { (port, 4500) } else { (4500, port) };
                udp_seg(&mut seg, &p, s, d, &payload);
                em.send(&p, PROTO_UDP, &seg, Class::Esp)?;
            }
            None => em.send(&p, PROTO_ESP, &payload, Class::Esp)?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Output files

fn file_sink(path: &FsPath) -> io::Result<Sink> {
    Ok(Sink::File(BufWriter::with_capacity(
        1 << 20,
        File::create(path)?,
    )))
}

fn manifest_header() -> &'static str {
    "file\tformat\tbytes\tframes\ttshark_ipsec\tike\tike_fragments\tesp\tah\tkeepalives\tarp\tvlan\tipv6\ttunnels\tnote\n"
}

fn manifest_row(name: &str, format: &str, bytes: u64, s: &Stats, note: &str) -> String {
    format!(
        "{name}\t{format}\t{bytes}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{note}\n",
        s.frames,
        s.tshark_ipsec(),
        s.ike,
        s.ike_fragments,
        s.esp,
        s.ah,
        s.keepalives,
        s.arp,
        s.vlan,
        s.ipv6,
        s.tunnels
    )
}

fn write_mixed(out: &FsPath, seed: u64, size_mb: u64) -> io::Result<String> {
    let pcap = CapWriter::pcap(file_sink(&out.join("mixed.pcap"))?, false, false)?;
    let ng = CapWriter::pcapng(file_sink(&out.join("mixed.pcapng"))?, false, true)?;
    let mut em = Emitter::new(vec![pcap, ng], START_NS);
    let mut rng = Rng::new(seed);
    let mp = MixParams {
        target_bytes: size_mb << 20,
        ipsec_per_10k: 330,
        tunnels: 24,
        respawn: true,
        scenarios: ALL_SCENARIOS.to_vec(),
        weights: MIXED_WEIGHTS.to_vec(),
        esp_packets: (20, 400),
        mean_gap_ns: 100_000,
        tcp_conns: 64,
    };
    gen_mix(&mut em, &mut rng, &mp)?;
    let (outs, stats) = em.finish()?;
    let mut m = String::new();
    for ((bytes, _, _), (name, fmt)) in outs
        .iter()
        .zip([("mixed.pcap", "pcap"), ("mixed.pcapng", "pcapng")])
    {
        m.push_str(&manifest_row(
            name,
            fmt,
            *bytes,
            &stats,
            "mixed traffic, ~3% IPsec",
        ));
    }
    Ok(m)
}

fn write_esp(out: &FsPath, seed: u64, size_mb: u64) -> io::Result<String> {
    let pcap = CapWriter::pcap(file_sink(&out.join("esp.pcap"))?, false, false)?;
    let mut em = Emitter::new(vec![pcap], START_NS);
    let mut rng = Rng::new(seed ^ 0xe5);
    gen_esp(&mut em, &mut rng, size_mb << 20, 5_000)?;
    em.stats.tunnels = 5_000;
    let (outs, stats) = em.finish()?;
    Ok(manifest_row(
        "esp.pcap",
        "pcap",
        outs[0].0,
        &stats,
        "5000 ESP SA pairs",
    ))
}

fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data)?;
    gz.finish()
}

/// Make an intact capture image corrupt in one of several ways.
/// Offsets of the packet records (pcap) or of the blocks after the first
/// (pcapng) of an intact capture image.
fn record_starts(data: &[u8], format: Format, big_endian: bool) -> Vec<usize> {
    let rd = |at: usize| -> Option<usize> {
        let b: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        } as usize)
    };
    let mut v = Vec::new();
    let (mut off, len_at, extra) = match format {
        Format::Pcap => (24, 8, 16),
        Format::PcapNg => (rd(4).unwrap_or(data.len()), 4, 0),
    };
    while let Some(n) = rd(off + len_at) {
        if n == 0 && format == Format::PcapNg {
            break;
        }
        v.push(off);
        off += n + extra;
    }
    v
}

fn corrupt(data: &mut Vec<u8>, format: Format, big_endian: bool, rng: &mut Rng) -> String {
    let hdr = if format == Format::Pcap { 24 } else { 64 };
    if data.len() < hdr + 64 {
        let at = data.len() / 2;
        data.truncate(at);
        return format!("truncated at offset {at}");
    }
    match rng.below(3) {
        0 => {
            let at = rng.range(hdr as u64 + 1, data.len() as u64 - 1) as usize;
            data.truncate(at);
            format!("truncated mid-record at offset {at}")
        }
        1 => {
            // A record (pcap) or block (pcapng) in the middle gets 0xff over
            // its length fields.
            let starts = record_starts(data, format, big_endian);
            let Some(&at) = starts.get(starts.len() / 2) else {
                let at = data.len() / 2;
                data.truncate(at);
                return format!("truncated at offset {at}");
            };
            let field = if format == Format::Pcap {
                at + 8..at + 16
            } else {
                at + 4..at + 8
            };
            for b in &mut data[field] {
                *b = 0xff;
            }
            format!("garbage in the record header at offset {at}")
        }
        _ => {
            // A valid-looking start followed by zeros.
            let at = data.len() / 3;
            for b in &mut data[at..] {
                *b = 0;
            }
            format!("zero-filled from offset {at}")
        }
    }
}

fn write_dir(out: &FsPath, seed: u64, files: usize) -> io::Result<String> {
    let root = out.join("dir");
    fs::create_dir_all(&root)?;
    let mut manifest = String::from(
        "path\tformat\tcompressed\tbytes_on_disk\tframes\ttshark_ipsec\tscenarios\tnote\n",
    );
    let mut total = Stats::default();
    let mut rng = Rng::new(seed ^ 0xd1);
    for i in 0..files {
        let mut r = Rng::new(seed.wrapping_add(0x1000 + i as u64));
        let site = format!("site-{:02}", i % 20);
        let mut dir = root.join(&site);
        if i % 7 == 3 {
            dir = dir.join(format!("2026-01-{:02}", 1 + i % 28));
        }
        fs::create_dir_all(&dir)?;
        // Some entries are not captures at all.
        if r.chance(0.03) {
            let (name, body): (String, Vec<u8>) = match r.below(5) {
                0 => (
                    format!("ticket-{i:04}-notes.txt"),
                    b"Customer reports tunnel to 203.0.113.7 flapping since Monday.\n".to_vec(),
                ),
                1 => (
                    format!("ticket-{i:04}.json"),
                    b"{\"ticket\": 1, \"peer\": \"198.51.100.9\"}\n".to_vec(),
                ),
                2 => (
                    format!("ticket-{i:04}.pcap"),
                    b"this is not a capture, it only has the name of one\n".to_vec(),
                ),
                3 => {
                    let n = r.range(100, 20_000) as usize;
                    (format!("ticket-{i:04}.bin"), r.bytes(n))
                }
                _ => (format!("ticket-{i:04}-empty.pcap"), Vec::new()),
            };
            let p = dir.join(&name);
            fs::write(&p, &body)?;
            let rel = p.strip_prefix(out).unwrap_or(&p).display().to_string();
            manifest.push_str(&format!(
                "{rel}\tnone\tno\t{}\t0\t0\t-\tnot a capture\n",
                body.len()
            ));
            continue;
        }
        let format = if r.chance(0.4) {
            Format::PcapNg
        } else {
            Format::Pcap
        };
        let big_endian = r.chance(0.08);
        let nanos = format == Format::Pcap && r.chance(0.15);
        let compressed = r.chance(0.15);
        // Log-uniform size, 4 KiB to 1 MiB, a few up to 4 MiB.
        let max_log = if r.chance(0.03) { 22.0 } else { 20.0 };
        let size = 2f64.powf(12.0 + (max_log - 12.0) * (r.below(1 << 20) as f64 / (1 << 20) as f64))
            as u64;
        let writer = match format {
            Format::Pcap => CapWriter::pcap(Sink::Mem(Vec::new()), big_endian, nanos)?,
            Format::PcapNg => CapWriter::pcapng(Sink::Mem(Vec::new()), big_endian, r.chance(0.5))?,
        };
        let mut em = Emitter::new(vec![writer], START_NS + i as u64 * 3_600_000_000_000);
        let n = r.range(1, 3) as usize;
        let filtered = r.chance(0.2);
        let mp = MixParams {
            target_bytes: size,
            ipsec_per_10k: if filtered { 10_000 } else { r.range(500, 4000) },
            tunnels: n,
            respawn: false,
            scenarios: ALL_SCENARIOS.to_vec(),
            weights: vec![1; ALL_SCENARIOS.len()],
            esp_packets: (10, 300),
            mean_gap_ns: 200_000,
            tcp_conns: 8,
        };
        let used = gen_mix(&mut em, &mut r, &mp)?;
        let (mut outs, stats) = em.finish()?;
        let Some((_, _, Sink::Mem(mut data))) = outs.pop() else {
            continue;
        };
        let mut note = String::new();
        if r.chance(0.02) {
            note = corrupt(&mut data, format, big_endian, &mut r);
        }
        let ext = match (format, r.below(20)) {
            (_, 0) => "cap",
            (_, 1) => "dmp",
            (_, 2) => "",
            (Format::Pcap, _) => "pcap",
            (Format::PcapNg, _) => "pcapng",
        };
        let mut name = format!("ticket-{i:04}");
        if !ext.is_empty() {
            name.push('.');
            name.push_str(ext);
        }
        if compressed {
            data = gzip(&data)?;
            if rng.chance(0.05) {
                let keep = data.len() * 2 / 3;
                data.truncate(keep);
                note = format!("gzip stream truncated at compressed offset {keep}");
            }
            name.push_str(".gz");
        }
        let p = dir.join(&name);
        fs::write(&p, &data)?;
        let rel = p.strip_prefix(out).unwrap_or(&p).display().to_string();
        let names: Vec<&str> = used.iter().map(|s| s.name()).collect();
        let fmt = match (format, big_endian, nanos) {
            (Format::Pcap, false, false) => "pcap",
            (Format::Pcap, true, false) => "pcap-be",
            (Format::Pcap, false, true) => "pcap-ns",
            (Format::Pcap, true, true) => "pcap-be-ns",
            (Format::PcapNg, false, _) => "pcapng",
            (Format::PcapNg, true, _) => "pcapng-be",
        };
        manifest.push_str(&format!(
            "{rel}\t{fmt}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            if compressed { "gzip" } else { "no" },
            data.len(),
            stats.frames,
            stats.tshark_ipsec(),
            names.join(","),
            if note.is_empty() { "-" } else { &note }
        ));
        total.add(&stats);
    }
    // A symlink loop: a scanner must not follow it forever.
    #[cfg(unix)]
    {
        let link = root.join("site-00").join("loop");
        if fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink("..", &link)?;
        }
    }
    fs::write(out.join("dir-manifest.tsv"), manifest)?;
    Ok(manifest_row(
        "dir/",
        "mixed",
        0,
        &total,
        &format!("{files} entries"),
    ))
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_bench OUTDIR [--size-mb N] [--esp-mb N] [--dir-files N] [--only mixed,esp,dir] [--seed N]\n\
         \n  --size-mb N    size of mixed.pcap in MiB (default 1024)\
         \n  --esp-mb N     size of esp.pcap in MiB (default 2048)\
         \n  --dir-files N  entries in dir/ (default 2000)\
         \n  --only LIST    generate only these parts (default mixed,esp,dir)\
         \n  --seed N       PRNG seed (default 1)"
    );
    std::process::exit(2)
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut size_mb = 1024u64;
    let mut esp_mb = 2048u64;
    let mut dir_files = 2000usize;
    let mut only = String::from("mixed,esp,dir");
    let mut seed = 1u64;
    while let Some(a) = args.next() {
        let mut val = |name: &str| {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value");
                usage()
            })
        };
        let num = |s: String| s.parse::<u64>().unwrap_or_else(|_| usage());
        match a.as_str() {
            "--size-mb" => size_mb = num(val("--size-mb")),
            "--esp-mb" => esp_mb = num(val("--esp-mb")),
            "--dir-files" => dir_files = num(val("--dir-files")) as usize,
            "--only" => only = val("--only"),
            "--seed" => seed = num(val("--seed")),
            "-h" | "--help" => usage(),
            _ if a.starts_with('-') => usage(),
            _ => out = Some(PathBuf::from(a)),
        }
    }
    let Some(out) = out else { usage() };
    fs::create_dir_all(&out)?;
    let parts: Vec<&str> = only.split(',').collect();
    let mut manifest = String::from(manifest_header());
    let t0 = std::time::Instant::now();
    if parts.contains(&"mixed") {
        manifest.push_str(&write_mixed(&out, seed, size_mb)?);
        eprintln!(
            "gen_bench: mixed.pcap/.pcapng done ({:.1}s)",
            t0.elapsed().as_secs_f64()
        );
    }
    if parts.contains(&"esp") {
        manifest.push_str(&write_esp(&out, seed, esp_mb)?);
        eprintln!(
            "gen_bench: esp.pcap done ({:.1}s)",
            t0.elapsed().as_secs_f64()
        );
    }
    if parts.contains(&"dir") {
        manifest.push_str(&write_dir(&out, seed, dir_files)?);
        eprintln!("gen_bench: dir/ done ({:.1}s)", t0.elapsed().as_secs_f64());
    }
    fs::write(out.join("manifest.tsv"), &manifest)?;
    print!("{manifest}");
    Ok(())
}
