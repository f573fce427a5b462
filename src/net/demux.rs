//! The IPsec demultiplexer: which UDP ports and IP protocols carry IKE, ESP
//! and AH, and what a NAT-T datagram holds (RFC 3948 §2).
//!
//! Works on byte ranges of the buffer it is given, so the same code serves a
//! frame (borrowed) and a reassembled datagram (owned).

use std::ops::Range;

use etherparse::UdpHeaderSlice;

use super::ip::proto;
use super::Layer;
use crate::bytes::be16;

/// A UDP port's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortRole {
    Ike,
    NatT,
}

/// Port sets as bitmaps, so the per-packet check is two loads.
#[derive(Clone)]
pub struct Ports {
    ike: Box<[u64; 1024]>,
    natt: Box<[u64; 1024]>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ports")
    }
}

#[inline]
fn has(set: &[u64; 1024], p: u16) -> bool {
    set.get(usize::from(p >> 6))
        .is_some_and(|w| w & (1u64 << (p & 63)) != 0)
}

fn set(bits: &mut [u64; 1024], p: u16) {
    if let Some(w) = bits.get_mut(usize::from(p >> 6)) {
        *w |= 1u64 << (p & 63);
    }
}

impl Ports {
    pub fn new(ike: &[u16], natt: &[u16]) -> Self {
        let mut p = Ports {
            ike: Box::new([0; 1024]),
            natt: Box::new([0; 1024]),
        };
        for &x in ike {
            set(&mut p.ike, x);
        }
        for &x in natt {
            set(&mut p.natt, x);
        }
        p
    }

    #[inline]
    fn role(&self, p: u16) -> Option<PortRole> {
        if has(&self.ike, p) {
            Some(PortRole::Ike)
        } else if has(&self.natt, p) {
            Some(PortRole::NatT)
        } else {
            None
        }
    }

    /// The role of a UDP datagram by its ports. Like Wireshark, the lower port
    /// is tried first, so both directions of a conversation agree.
    #[inline]
    pub fn classify(&self, sport: u16, dport: u16) -> Option<PortRole> {
        let (lo, hi) = if sport <= dport {
            (sport, dport)
        } else {
            (dport, sport)
        };
        self.role(lo).or_else(|| self.role(hi))
    }
}

/// What an IPsec datagram holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ike { marker: bool },
    Esp { udp: bool },
    Ah,
    Keepalive,
}

/// An IPsec payload found at `range` of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    pub range: Range<usize>,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub truncated: bool,
}

/// Outcome of looking at a transport header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    NotIpsec,
    Hit(Hit),
    /// IPsec-bound but broken: layer, offset in the buffer, reason.
    Malformed(Layer, usize, String),
}

/// Look at the transport header at `start` of `buf`. `buf` holds the IP
/// packet as captured; `declared_end` is where the IP packet ends by its
/// length field and the wire length (more than `buf.len()` when the capture
/// cut it).
pub fn transport(
    buf: &[u8],
    start: usize,
    proto: u8,
    declared_end: usize,
    ports: &Ports,
) -> Transport {
    let end = buf.len();
    let truncated = declared_end > end;
    match proto {
        proto::ESP => Transport::Hit(Hit {
            kind: Kind::Esp { udp: false },
            range: start.min(end)..end,
            sport: None,
            dport: None,
            truncated,
        }),
        proto::AH => Transport::Hit(Hit {
            kind: Kind::Ah,
            range: start.min(end)..end,
            sport: None,
            dport: None,
            truncated,
        }),
        proto::UDP => udp(buf, start, declared_end, ports),
        _ => Transport::NotIpsec,
    }
}

/// UDP (RFC 768) on an IKE or NAT-T port. The header is sliced by
/// etherparse; a header cut by the capture still shows its ports (read
/// here), so the packet is reported as malformed IPsec rather than ignored.
fn udp(buf: &[u8], start: usize, declared_end: usize, ports: &Ports) -> Transport {
    let header = buf
        .get(start..)
        .and_then(|rest| UdpHeaderSlice::from_slice(rest).ok());
    let (sport, dport) = match &header {
        Some(h) => (h.source_port(), h.destination_port()),
        None => match (be16(buf, start), be16(buf, start + 2)) {
            (Some(sport), Some(dport)) => (sport, dport),
            _ => return Transport::NotIpsec,
        },
    };
    let Some(role) = ports.classify(sport, dport) else {
        return Transport::NotIpsec;
    };
    let avail = buf.len().saturating_sub(start);
    let Some(header) = header else {
        return Transport::Malformed(
            Layer::Udp,
            start,
            format!("UDP header cut short: {avail} of 8 bytes"),
        );
    };
    let ulen = usize::from(header.length());
    if ulen < 8 {
        return Transport::Malformed(
            Layer::Udp,
            start + 4,
            format!("UDP length {ulen} is less than the 8-byte header"),
        );
    }
    let ip_payload = declared_end.saturating_sub(start);
    // A UDP length beyond the IP payload is wrong, but like Wireshark we
    // still show what was captured (flagged truncated); only when nothing
    // follows the header is there nothing to show.
    if ulen > ip_payload && avail <= 8 {
        return Transport::Malformed(
            Layer::Udp,
            start + 4,
            format!("UDP length {ulen} exceeds the {ip_payload}-byte IP payload"),
        );
    }
    let (end, truncated) = if ulen <= avail {
        (start + ulen, false)
    } else {
        (buf.len(), true)
    };
    let body = start + 8;
    let kind_range = match role {
        PortRole::Ike => (Kind::Ike { marker: false }, body..end),
        PortRole::NatT => {
            let payload = buf.get(body..end).unwrap_or(&[]);
            match payload {
                // RFC 3948 §2.3: a single 0xFF octet.
                [0xff] => (Kind::Keepalive, body..end),
                // RFC 3948 §2.2: four zero octets where the ESP SPI would be.
                [0, 0, 0, 0, ..] => (Kind::Ike { marker: true }, body + 4..end),
                _ => (Kind::Esp { udp: true }, body..end),
            }
        }
    };
    Transport::Hit(Hit {
        kind: kind_range.0,
        range: kind_range.1,
        sport: Some(sport),
        dport: Some(dport),
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn udp_seg(sport: u16, dport: u16, ulen: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&sport.to_be_bytes());
        v.extend_from_slice(&dport.to_be_bytes());
        v.extend_from_slice(&ulen.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn port_roles_lower_first() {
        let p = Ports::new(&[500, 7000], &[4500]);
        assert_eq!(p.classify(500, 500), Some(PortRole::Ike));
        assert_eq!(p.classify(40000, 4500), Some(PortRole::NatT));
        assert_eq!(p.classify(4500, 500), Some(PortRole::Ike));
        assert_eq!(p.classify(7000, 4500), Some(PortRole::NatT));
        assert_eq!(p.classify(7000, 9), Some(PortRole::Ike));
        assert_eq!(p.classify(53, 1234), None);
        assert_eq!(p.classify(65535, 0), None);
    }

    #[test]
    fn natt_payloads() {
        let p = Ports::new(&[500], &[4500]);
        let ka = udp_seg(4500, 4500, 9, &[0xff]);
        match transport(&ka, 0, proto::UDP, ka.len(), &p) {
            Transport::Hit(h) => assert_eq!((h.kind, h.range), (Kind::Keepalive, 8..9)),
            t => panic!("{t:?}"),
        }
        let ike = udp_seg(4500, 4500, 14, &[0, 0, 0, 0, 1, 2]);
        match transport(&ike, 0, proto::UDP, ike.len(), &p) {
            Transport::Hit(h) => {
                assert_eq!((h.kind, h.range), (Kind::Ike { marker: true }, 12..14))
            }
            t => panic!("{t:?}"),
        }
        let esp = udp_seg(4500, 1025, 16, &[0, 0, 0, 1, 0, 0, 0, 2]);
        match transport(&esp, 0, proto::UDP, esp.len(), &p) {
            Transport::Hit(h) => assert_eq!((h.kind, h.range), (Kind::Esp { udp: true }, 8..16)),
            t => panic!("{t:?}"),
        }
        // Plain IKE port: no marker handling.
        let v1 = udp_seg(500, 500, 12, &[0, 0, 0, 0]);
        match transport(&v1, 0, proto::UDP, v1.len(), &p) {
            Transport::Hit(h) => {
                assert_eq!((h.kind, h.range), (Kind::Ike { marker: false }, 8..12))
            }
            t => panic!("{t:?}"),
        }
    }

    #[test]
    fn udp_lengths() {
        let p = Ports::new(&[500], &[4500]);
        let short = udp_seg(500, 500, 7, &[]);
        assert!(matches!(
            transport(&short, 0, proto::UDP, 8, &p),
            Transport::Malformed(Layer::Udp, 4, _)
        ));
        // UDP length beyond what the IP header declares: what is there is
        // shown, flagged truncated; with nothing after the header, malformed.
        let long = udp_seg(500, 500, 100, &[1, 2, 3]);
        match transport(&long, 0, proto::UDP, long.len(), &p) {
            Transport::Hit(h) => assert!(h.truncated && h.range == (8..11)),
            t => panic!("{t:?}"),
        }
        let empty = udp_seg(4500, 4500, 100, &[]);
        assert!(matches!(
            transport(&empty, 0, proto::UDP, empty.len(), &p),
            Transport::Malformed(Layer::Udp, 4, _)
        ));
        // Within the declared IP payload but cut by snaplen: truncated.
        match transport(&long, 0, proto::UDP, 100, &p) {
            Transport::Hit(h) => assert!(h.truncated && h.range == (8..11)),
            t => panic!("{t:?}"),
        }
        let cut = udp_seg(500, 500, 100, &[]);
        assert!(matches!(
            transport(&cut[..6], 0, proto::UDP, 100, &p),
            Transport::Malformed(Layer::Udp, 0, _)
        ));
        // Trailing bytes beyond the UDP length are not payload.
        let pad = udp_seg(500, 500, 9, &[7, 0, 0]);
        match transport(&pad, 0, proto::UDP, pad.len(), &p) {
            Transport::Hit(h) => assert_eq!(h.range, 8..9),
            t => panic!("{t:?}"),
        }
        let other = udp_seg(53, 53, 9, &[7]);
        assert_eq!(transport(&other, 0, proto::UDP, 9, &p), Transport::NotIpsec);
        assert_eq!(
            transport(&[1, 2, 3], 0, proto::UDP, 3, &p),
            Transport::NotIpsec
        );
        assert_eq!(transport(&[], 0, 6, 0, &p), Transport::NotIpsec);
        match transport(&[0, 0, 0, 1], 0, proto::ESP, 10, &p) {
            Transport::Hit(h) => assert!(h.truncated && h.kind == Kind::Esp { udp: false }),
            t => panic!("{t:?}"),
        }
    }
}
