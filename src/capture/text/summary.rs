//! Headers rebuilt from a console summary line that came without a dump.
//!
//! The line gives addresses, ports, protocol and a length; the rebuilt frame
//! holds only the headers (IPv4 per RFC 791 §3.1 with a valid header
//! checksum, IPv6 per RFC 8200 §3, UDP per RFC 768, TCP per RFC 9293 §3.1,
//! ICMP per RFC 792, ARP per RFC 826 over Ethernet) and its `orig_len` is the
//! full length the line implies, so the payload shows as absent.

use std::net::IpAddr;

/// IP protocol numbers used here (IANA "Assigned Internet Protocol Numbers").
pub mod proto {
    pub const ICMP: u8 = 1;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const ESP: u8 = 50;
    pub const AH: u8 = 51;
    pub const ICMPV6: u8 = 58;
    /// Reserved (RFC 3692); used when a non-first fragment's protocol is unknown.
    pub const UNKNOWN: u8 = 255;
}

/// Hop limit written into rebuilt headers when the line gives none.
pub const DEFAULT_TTL: u8 = 64;

/// The layer-4 part of a summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// `udp N`: N is the UDP payload length.
    Udp {
        sport: u16,
        dport: u16,
        len: u32,
    },
    /// TCP flags letters, sequence numbers, window, payload length.
    Tcp {
        sport: u16,
        dport: u16,
        flags: u8,
        seq: u32,
        ack: Option<u32>,
        window: u16,
        len: u32,
    },
    Icmp {
        icmp_type: u8,
        code: u8,
    },
    /// ESP with its SPI and sequence number (RFC 4303 §2) as tcpdump prints
    /// `ESP(spi=0x…,seq=0x…)`; `len` is the IP payload length.
    Esp {
        spi: u32,
        seq: u32,
        len: Option<u32>,
    },
    /// Any other protocol; `len` is the IP payload length when the line gave one.
    Other {
        proto: u8,
        len: Option<u32>,
    },
}

impl Transport {
    pub fn proto(&self, v6: bool) -> u8 {
        match self {
            Transport::Udp { .. } => proto::UDP,
            Transport::Tcp { .. } => proto::TCP,
            Transport::Icmp { .. } if v6 => proto::ICMPV6,
            Transport::Icmp { .. } => proto::ICMP,
            Transport::Esp { .. } => proto::ESP,
            Transport::Other { proto, .. } => *proto,
        }
    }
}

/// An IPv4 fragment as printed `(frag ID:LEN@OFFSET[+])`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    pub id: u16,
    /// Bytes of IP payload in this fragment.
    pub len: u32,
    /// Offset in bytes of this fragment's payload.
    pub offset: u32,
    pub more: bool,
}

/// An IP packet as described by a summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpSummary {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub transport: Transport,
    pub ttl: Option<u8>,
    pub id: Option<u16>,
    pub dont_fragment: bool,
    pub fragment: Option<Fragment>,
}

/// An ARP line: `arp who-has T tell S` or `arp reply S is-at M`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArpSummary {
    /// 1 = request, 2 = reply (RFC 826).
    pub op: u16,
    pub sender_ip: [u8; 4],
    pub sender_mac: Option<[u8; 6]>,
    pub target_ip: [u8; 4],
}

/// Ethernet header fields from an ASA `detail` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Summary {
    pub src: [u8; 6],
    pub dst: [u8; 6],
    pub ethertype: u16,
    /// Frame length printed on the line.
    pub frame_len: Option<u32>,
}

/// A rebuilt frame: header bytes and the length the line implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    pub data: Vec<u8>,
    pub orig_len: u32,
    pub ethernet: bool,
}

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IPV6: u16 = 0x86dd;

fn push16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_be_bytes());
}

fn push32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_be_bytes());
}

/// RFC 1071 Internet checksum.
pub fn internet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| match c {
            [a, b] => u32::from(u16::from_be_bytes([*a, *b])),
            [a] => u32::from(*a) << 8,
            _ => 0,
        })
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(u16::try_from(sum).unwrap_or(0xffff))
}

/// Rebuild the headers of an IP packet; `protocol` overrides the transport's
/// own number (used for non-first fragments of a known datagram).
pub fn rebuild_ip(s: &IpSummary, l2: Option<&L2Summary>) -> Option<Rebuilt> {
    let v6 = s.src.is_ipv6();
    if s.dst.is_ipv6() != v6 {
        return None;
    }
    let first_fragment = s.fragment.is_none_or(|f| f.offset == 0);
    let mut l4 = Vec::with_capacity(20);
    let l4_total: u64 = match &s.transport {
        Transport::Udp { sport, dport, len } => {
            let udp_len = u64::from(*len) + 8;
            push16(&mut l4, *sport);
            push16(&mut l4, *dport);
            push16(&mut l4, u16::try_from(udp_len).unwrap_or(0xffff));
            push16(&mut l4, 0);
            udp_len
        }
        Transport::Tcp {
            sport,
            dport,
            flags,
            seq,
            ack,
            window,
            len,
        } => {
            push16(&mut l4, *sport);
            push16(&mut l4, *dport);
            push32(&mut l4, *seq);
            push32(&mut l4, ack.unwrap_or(0));
            l4.push(5 << 4);
            l4.push(*flags | if ack.is_some() { 0x10 } else { 0 });
            push16(&mut l4, *window);
            push16(&mut l4, 0);
            push16(&mut l4, 0);
            20 + u64::from(*len)
        }
        Transport::Icmp { icmp_type, code } => {
            l4.extend_from_slice(&[*icmp_type, *code, 0, 0, 0, 0, 0, 0]);
            8
        }
        Transport::Esp { spi, seq, len } => {
            push32(&mut l4, *spi);
            push32(&mut l4, *seq);
            u64::from(len.unwrap_or(8)).max(8)
        }
        Transport::Other { len, .. } => u64::from(len.unwrap_or(0)),
    };
    let payload_len = match s.fragment {
        Some(f) => u64::from(f.len),
        None => l4_total,
    };
    if !first_fragment {
        l4.clear();
    }
    let protocol = s.transport.proto(v6);
    let ttl = s.ttl.unwrap_or(DEFAULT_TTL);
    let mut ip = Vec::with_capacity(40);
    let total = match (s.src, s.dst) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => {
            let total = payload_len + 20;
            let mut flags_frag: u16 = 0;
            if s.dont_fragment {
                flags_frag |= 0x4000;
            }
            let mut id = s.id.unwrap_or(0);
            if let Some(f) = s.fragment {
                id = f.id;
                if f.more {
                    flags_frag |= 0x2000;
                }
                flags_frag |= u16::try_from(f.offset / 8).unwrap_or(0) & 0x1fff;
            }
            ip.push(0x45);
            ip.push(0);
            push16(&mut ip, u16::try_from(total).unwrap_or(0xffff));
            push16(&mut ip, id);
            push16(&mut ip, flags_frag);
            ip.push(ttl);
            ip.push(protocol);
            push16(&mut ip, 0);
            ip.extend_from_slice(&src.octets());
            ip.extend_from_slice(&dst.octets());
            let sum = internet_checksum(&ip);
            if let Some(slot) = ip.get_mut(10..12) {
                slot.copy_from_slice(&sum.to_be_bytes());
            }
            total
        }
        (IpAddr::V6(src), IpAddr::V6(dst)) => {
            ip.extend_from_slice(&[0x60, 0, 0, 0]);
            push16(&mut ip, u16::try_from(payload_len).unwrap_or(0xffff));
            ip.push(protocol);
            ip.push(ttl);
            ip.extend_from_slice(&src.octets());
            ip.extend_from_slice(&dst.octets());
            payload_len + 40
        }
        _ => return None,
    };
    let mut data = Vec::with_capacity(14 + ip.len() + l4.len());
    let mut orig = total;
    if let Some(l2) = l2 {
        data.extend_from_slice(&l2.dst);
        data.extend_from_slice(&l2.src);
        push16(&mut data, if v6 { ETHERTYPE_IPV6 } else { ETHERTYPE_IPV4 });
        orig = l2.frame_len.map_or(total + 14, u64::from);
    }
    data.extend_from_slice(&ip);
    data.extend_from_slice(&l4);
    let orig = orig.max(data.len() as u64);
    Some(Rebuilt {
        orig_len: u32::try_from(orig).unwrap_or(u32::MAX),
        data,
        ethernet: l2.is_some(),
    })
}

/// Rebuild an ARP packet inside an Ethernet header.
pub fn rebuild_arp(a: &ArpSummary, l2: Option<&L2Summary>) -> Rebuilt {
    let sender_mac = a.sender_mac.or(l2.map(|l| l.src)).unwrap_or([0; 6]);
    let dst = match (l2, a.op) {
        (Some(l), _) => l.dst,
        (None, 1) => [0xff; 6],
        (None, _) => [0; 6],
    };
    let mut data = Vec::with_capacity(42);
    data.extend_from_slice(&dst);
    data.extend_from_slice(&sender_mac);
    push16(&mut data, ETHERTYPE_ARP);
    push16(&mut data, 1); // hardware type Ethernet
    push16(&mut data, ETHERTYPE_IPV4);
    data.push(6);
    data.push(4);
    push16(&mut data, a.op);
    data.extend_from_slice(&sender_mac);
    data.extend_from_slice(&a.sender_ip);
    data.extend_from_slice(&[0; 6]);
    data.extend_from_slice(&a.target_ip);
    let orig = l2
        .and_then(|l| l.frame_len)
        .unwrap_or(42)
        .max(u32::try_from(data.len()).unwrap_or(42));
    Rebuilt {
        data,
        orig_len: orig,
        ethernet: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_summary_headers() {
        let s = IpSummary {
            src: "192.0.2.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            dst: "198.51.100.2".parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            transport: Transport::Udp {
                sport: 500,
                dport: 500,
                len: 184,
            },
            ttl: None,
            id: None,
            dont_fragment: false,
            fragment: None,
        };
        let r = rebuild_ip(&s, None).unwrap_or_else(|| panic!("no rebuild"));
        assert_eq!(r.data.len(), 28);
        assert_eq!(r.orig_len, 20 + 8 + 184);
        assert_eq!(r.data.get(2..4), Some(&[0, 212][..]));
        assert_eq!(r.data.get(9), Some(&17));
        // a header with its checksum in place sums to zero
        assert_eq!(internet_checksum(r.data.get(..20).unwrap_or(&[])), 0);
        assert_eq!(r.data.get(24..26), Some(&[0, 192][..]));
    }

    #[test]
    fn checksum_rfc1071_example() {
        // RFC 1071 §3 example bytes: sum 0xddf2, checksum 0x220d
        assert_eq!(
            internet_checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0x220d
        );
    }
}
