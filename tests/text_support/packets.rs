//! Hand-built packets for the text tests: IKE over UDP 500 and 4500, ESP,
//! IPv6, ARP, padded and 802.1Q frames, a raw IP packet, payload bytes that
//! print as hex-looking ASCII, times that cross midnight.

use super::render::Packet;

pub fn checksum(b: &[u8]) -> u16 {
    let mut sum: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

pub fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, id: u16, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let mut h = vec![0x45, 0];
    h.extend(total.to_be_bytes());
    h.extend(id.to_be_bytes());
    h.extend([0x40, 0, 64, proto, 0, 0]);
    h.extend(src);
    h.extend(dst);
    let c = checksum(&h);
    h[10..12].copy_from_slice(&c.to_be_bytes());
    h.extend(payload);
    h
}

pub fn ipv6(src: [u8; 16], dst: [u8; 16], next: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x60, 0, 0, 0];
    h.extend((payload.len() as u16).to_be_bytes());
    h.extend([next, 64]);
    h.extend(src);
    h.extend(dst);
    h.extend(payload);
    h
}

pub fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend(sport.to_be_bytes());
    h.extend(dport.to_be_bytes());
    h.extend(((8 + payload.len()) as u16).to_be_bytes());
    h.extend([0, 0]);
    h.extend(payload);
    h
}

pub fn ether(ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![
        0x00, 0x50, 0x56, 0x8d, 0xc0, 0xe2, 0x00, 0x22, 0x55, 0x97, 0x25, 0xb9,
    ];
    f.extend(ethertype.to_be_bytes());
    f.extend(payload);
    f
}

/// An ISAKMP-looking message whose bytes print as hex-looking ASCII.
pub fn ike(len: usize) -> Vec<u8> {
    let mut m = b"abcdef0123456789".to_vec(); // cookies that look like hex
    m.extend([0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0]);
    m.extend((len as u32).to_be_bytes());
    while m.len() < len {
        m.push(b"0123456789abcdef "[m.len() % 17]);
    }
    m.truncate(len);
    m
}

pub const A: [u8; 4] = [192, 0, 2, 1];
pub const B: [u8; 4] = [198, 51, 100, 2];
pub const A6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
pub const B6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
/// 2024-03-01 23:59:58 UTC: the packets cross midnight.
pub const START: i64 = 1_709_337_598;

pub fn hand_built() -> Vec<Packet> {
    let mut frames: Vec<(bool, Vec<u8>)> = vec![
        (
            true,
            ether(0x0800, &ipv4(A, B, 17, 1, &udp(500, 500, &ike(184)))),
        ),
        (
            true,
            ether(0x0800, &ipv4(B, A, 17, 2, &udp(500, 500, &ike(172)))),
        ),
        // NAT-T: non-ESP marker then IKE
        (
            true,
            ether(
                0x0800,
                &ipv4(
                    A,
                    B,
                    17,
                    3,
                    &udp(4500, 4500, &[vec![0; 4], ike(76)].concat()),
                ),
            ),
        ),
        // ESP: SPI, sequence, "ciphertext"
        (
            true,
            ether(
                0x0800,
                &ipv4(
                    A,
                    B,
                    50,
                    4,
                    &[vec![0xc0, 0xff, 0xee, 0x01, 0, 0, 0, 1], vec![0xab; 45]].concat(),
                ),
            ),
        ),
        // IPv6 IKE
        (
            true,
            ether(0x86dd, &ipv6(A6, B6, 17, &udp(500, 500, &ike(100)))),
        ),
        // ARP request, padded to 60 bytes
        (true, {
            let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
            arp.extend([
                0x00, 0x22, 0x55, 0x97, 0x25, 0xb9, 192, 0, 2, 1, 0, 0, 0, 0, 0, 0, 192, 0, 2, 254,
            ]);
            let mut f = ether(0x0806, &arp);
            f.resize(60, 0);
            f
        }),
        // small IPv4 packet in a padded 60-byte frame
        (true, {
            let mut f = ether(0x0800, &ipv4(A, B, 17, 7, &udp(500, 500, &[0xff])));
            f.resize(60, 0);
            f
        }),
        // 802.1Q tagged IKE
        (true, {
            let mut inner = vec![0x00, 0x64, 0x08, 0x00];
            inner.extend(ipv4(A, B, 17, 8, &udp(500, 500, &ike(60))));
            ether(0x8100, &inner)
        }),
        // raw IP (no Ethernet at all), one byte past a line boundary
        (false, ipv4(B, A, 50, 9, &[0x11; 13])),
        // a big message spanning many lines
        (
            true,
            ether(
                0x0800,
                &ipv4(
                    A,
                    B,
                    17,
                    10,
                    &udp(4500, 4500, &[vec![0; 4], ike(1200)].concat()),
                ),
            ),
        ),
    ];
    // Address bytes that look like an IPv4 header at the start of a frame.
    frames.push((true, {
        let mut f = ether(0x0800, &ipv4(A, B, 17, 11, &udp(500, 500, &ike(40))));
        f[0] = 0x45;
        f
    }));
    frames
        .into_iter()
        .enumerate()
        .map(|(i, (ethernet, data))| {
            let t = START * 1_000_000 + 250_000 + i as i64 * 400_123;
            Packet {
                secs: t.div_euclid(1_000_000),
                micros: t.rem_euclid(1_000_000) as u32,
                ethernet,
                data,
            }
        })
        .collect()
}
