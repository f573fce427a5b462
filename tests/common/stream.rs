//! An endless IPsec stream for `--follow`: ever-new peer pairs, each
//! sending one IKEv2 IKE_SA_INIT request (never answered) and then ESP
//! packets on an SPI of its own, with capture time moving on at a fixed
//! step. Used by tests/follow.rs and by `bench/run`'s follow section
//! (examples/follow_stream.rs), so both measure the same traffic.
#![allow(dead_code)]

/// The pcap file header: little-endian, microseconds, Ethernet.
pub fn header() -> Vec<u8> {
    let mut h = Vec::with_capacity(24);
    h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    h.extend_from_slice(&2u16.to_le_bytes());
    h.extend_from_slice(&4u16.to_le_bytes());
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&65_535u32.to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h
}

/// The stream's shape.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Packets per peer pair: one IKE message, then ESP.
    pub per_tunnel: u64,
    /// Capture time between packets (µs).
    pub step_us: u64,
    /// Capture time of packet 0 (µs since 1970).
    pub start_us: u64,
    /// Every ESP packet on an SPI of its own (an SPI scan, or SAs that
    /// never carry a second packet), instead of one SPI per peer pair.
    pub spi_per_packet: bool,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            per_tunnel: 4,
            step_us: 10_000,
            start_us: 1_700_000_000 * 1_000_000,
            spi_per_packet: false,
        }
    }
}

fn checksum(b: &[u8]) -> u16 {
    let mut s: u32 = 0;
    for c in b.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        s += w as u32;
    }
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

/// Peer pair `k`: 10.x.y.z (the initiator) and 100.64.0.0/10 (the
/// responder), distinct for every k below 2^22.
fn peers(k: u64) -> ([u8; 4], [u8; 4]) {
    let a = [10, (k >> 16) as u8, (k >> 8) as u8, k as u8];
    let b = [100, 64 | ((k >> 16) as u8 & 0x3f), (k >> 8) as u8, k as u8];
    (a, b)
}

/// Packet `i` of the stream as a pcap record.
pub fn record(shape: &Shape, i: u64) -> Vec<u8> {
    let k = i / shape.per_tunnel.max(1);
    let n = i % shape.per_tunnel.max(1);
    let (src, dst) = peers(k);
    let (proto, l4): (u8, Vec<u8>) = if n == 0 {
        // UDP 500 → 500, IKEv2 IKE_SA_INIT request, no payloads.
        let mut ike = Vec::with_capacity(28);
        ike.extend_from_slice(&(k + 1).to_be_bytes()); // initiator SPI
        ike.extend_from_slice(&0u64.to_be_bytes()); // responder SPI
        ike.extend_from_slice(&[0, 0x20, 34, 0x08]); // next, version, exchange, flags (I)
        ike.extend_from_slice(&0u32.to_be_bytes()); // message ID
        ike.extend_from_slice(&28u32.to_be_bytes());
        let mut udp = Vec::with_capacity(8 + ike.len());
        udp.extend_from_slice(&500u16.to_be_bytes());
        udp.extend_from_slice(&500u16.to_be_bytes());
        udp.extend_from_slice(&((8 + ike.len()) as u16).to_be_bytes());
        udp.extend_from_slice(&0u16.to_be_bytes()); // no checksum (IPv4)
        udp.extend_from_slice(&ike);
        (17, udp)
    } else {
        // ESP: an SPI per peer pair, sequence numbers from 1, 64 bytes of
        // ciphertext.
        let mut esp = Vec::with_capacity(72);
        let spi = if shape.spi_per_packet { i } else { k };
        esp.extend_from_slice(&(0x1000_0000u32 ^ spi as u32).to_be_bytes());
        esp.extend_from_slice(&(n as u32).to_be_bytes());
        esp.extend(std::iter::repeat_n(0xa5u8, 64));
        (50, esp)
    };
    let total = 20 + l4.len();
    let mut ip = Vec::with_capacity(total);
    ip.extend_from_slice(&[0x45, 0]);
    ip.extend_from_slice(&(total as u16).to_be_bytes());
    ip.extend_from_slice(&(i as u16).to_be_bytes());
    ip.extend_from_slice(&[0, 0, 64, proto, 0, 0]);
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    ip.extend_from_slice(&l4);
    let mut frame = Vec::with_capacity(14 + ip.len());
    frame.extend_from_slice(&[0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00]);
    frame.extend_from_slice(&ip);
    let t = shape.start_us + i * shape.step_us;
    let mut r = Vec::with_capacity(16 + frame.len());
    r.extend_from_slice(&((t / 1_000_000) as u32).to_le_bytes());
    r.extend_from_slice(&((t % 1_000_000) as u32).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    r.extend_from_slice(&frame);
    r
}
