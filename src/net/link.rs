//! Link layers: where the IP header starts in a frame.
//!
//! Ethernet II, its 802.1Q / 802.1ad / pre-standard QinQ tags and Linux
//! cooked capture (SLL) are sliced by etherparse. Hand-written adapters
//! remain where etherparse has no slicer: Linux SLL2, BSD NULL/LOOP (the
//! address family), raw-IP link types (the version nibble), MPLS label
//! stacks and PPPoE sessions inside Ethernet. Nothing here allocates.
//! Values follow the tcpdump.org LINKTYPE_* list.

use etherparse::{
    EtherType, Ethernet2HeaderSlice, LinuxSllHeaderSlice, LinuxSllProtocolType,
    SingleVlanHeaderSlice,
};

use crate::bytes::{be16, be32};
use crate::capture::LinkType;

/// Where the network layer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L3 {
    /// IPv4 header at this frame offset.
    V4(usize),
    /// IPv6 header at this frame offset.
    V6(usize),
    /// A known link layer carrying something other than IP.
    Other,
    /// A link type this decoder does not know.
    Unknown,
}

/// EtherTypes (IEEE 802 numbers registry).
pub mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86dd;
    /// IEEE 802.1Q customer VLAN tag.
    pub const VLAN: u16 = 0x8100;
    /// IEEE 802.1ad service VLAN tag.
    pub const QINQ: u16 = 0x88a8;
    /// Pre-standard QinQ tag used by some switches.
    pub const QINQ_OLD: u16 = 0x9100;
    /// MPLS unicast (RFC 3032).
    pub const MPLS: u16 = 0x8847;
    /// PPPoE session stage (RFC 2516).
    pub const PPPOE: u16 = 0x8864;
}

/// Most VLAN tags / MPLS labels walked before giving up.
const MAX_TAGS: usize = 8;

/// The IP version of the header at `off`, if it is 4 or 6.
#[inline]
fn by_version(data: &[u8], off: usize) -> L3 {
    match data.get(off).map(|b| b >> 4) {
        Some(4) => L3::V4(off),
        Some(6) => L3::V6(off),
        _ => L3::Other,
    }
}

/// Follow an EtherType `et` whose payload starts at `next`: VLAN tags
/// (etherparse), MPLS labels and a PPPoE session header (ours).
#[inline]
fn by_ethertype(data: &[u8], mut et: u16, mut next: usize) -> L3 {
    for _ in 0..MAX_TAGS {
        match et {
            ethertype::IPV4 => return L3::V4(next),
            ethertype::IPV6 => return L3::V6(next),
            // Tag Control Information (2 bytes) then the inner EtherType.
            ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD => {
                let Some(tag) = data
                    .get(next..)
                    .and_then(|rest| SingleVlanHeaderSlice::from_slice(rest).ok())
                else {
                    return L3::Other;
                };
                et = tag.ether_type().0;
                next += tag.slice().len();
            }
            ethertype::MPLS => {
                // Label stack entries of 4 bytes until the bottom-of-stack bit.
                let mut off = next;
                for _ in 0..MAX_TAGS {
                    let Some(entry) = be32(data, off) else {
                        return L3::Other;
                    };
                    off += 4;
                    if entry & 0x100 != 0 {
                        return by_version(data, off);
                    }
                }
                return L3::Other;
            }
            ethertype::PPPOE => {
                // 6-byte PPPoE header, then the 2-byte PPP protocol (RFC 1661).
                return match be16(data, next + 6) {
                    Some(0x0021) => L3::V4(next + 8),
                    Some(0x0057) => L3::V6(next + 8),
                    _ => L3::Other,
                };
            }
            _ => return L3::Other,
        }
    }
    L3::Other
}

/// Ethernet II (etherparse), then [`by_ethertype`].
#[inline]
fn ethernet(data: &[u8]) -> L3 {
    match Ethernet2HeaderSlice::from_slice(data) {
        Ok(eth) => by_ethertype(data, eth.ether_type().0, eth.slice().len()),
        Err(_) => L3::Other,
    }
}

/// Linux cooked capture v1 (etherparse): 16-byte header, protocol at 14.
fn linux_sll(data: &[u8]) -> L3 {
    const SLL_LEN: usize = 16;
    let et = match LinuxSllHeaderSlice::from_slice(data) {
        Ok(sll) => match sll.protocol_type() {
            LinuxSllProtocolType::EtherType(EtherType(et))
            // GRE tunnels and "ignored" types still carry an EtherType-like
            // protocol number; Wireshark reads it as one too.
            | LinuxSllProtocolType::Ignored(et)
            | LinuxSllProtocolType::GenericRoutingEncapsulationProtocolType(et) => et,
            _ => return L3::Other,
        },
        // etherparse refuses packet types above 4 (outgoing, loopback...
        // are 0-4) and hardware types it does not know; the protocol field
        // is still where it always is.
        Err(_) => match be16(data, 14) {
            Some(et) if data.len() >= SLL_LEN => et,
            _ => return L3::Other,
        },
    };
    by_ethertype(data, et, SLL_LEN)
}

/// BSD loopback address families: AF_INET, and AF_INET6 as NetBSD/OpenBSD
/// (24), FreeBSD (28) and Darwin (30) number it. (23 is AF_IPX there.)
#[inline]
fn by_family(family: u32) -> L3 {
    match family {
        2 => L3::V4(4),
        24 | 28 | 30 => L3::V6(4),
        _ => L3::Other,
    }
}

/// Locate the IP header of a frame.
#[inline]
pub fn locate(link: LinkType, data: &[u8]) -> L3 {
    match link.0 {
        1 => ethernet(data),
        12 | 14 | 101 => by_version(data, 0),
        228 => L3::V4(0),
        229 => L3::V6(0),
        113 => linux_sll(data),
        // Linux cooked capture v2: 20-byte header, protocol at 0.
        276 => match be16(data, 0) {
            Some(ethertype::IPV4) => L3::V4(20),
            Some(ethertype::IPV6) => L3::V6(20),
            Some(et @ (ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD)) => {
                by_ethertype(data, et, 20)
            }
            _ => L3::Other,
        },
        // NULL: the family in the capturing host's byte order, which the file
        // does not record; a family fits in 16 bits, so the order whose upper
        // half is zero is the right one.
        0 => match data.get(..4) {
            Some(&[a, b, c, d]) => {
                let le = u32::from_le_bytes([a, b, c, d]);
                let family = if le & 0xffff_0000 == 0 {
                    le
                } else {
                    u32::from_be_bytes([a, b, c, d])
                };
                by_family(family)
            }
            _ => L3::Other,
        },
        // LOOP: the family in network byte order.
        108 => be32(data, 0).map_or(L3::Other, by_family),
        _ => L3::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eth(types: &[u16]) -> Vec<u8> {
        let mut v = vec![0u8; 12];
        for (i, t) in types.iter().enumerate() {
            v.extend_from_slice(&t.to_be_bytes());
            if i + 1 < types.len() {
                v.extend_from_slice(&[0x00, 0x05]);
            }
        }
        v.push(0x45);
        v
    }

    #[test]
    fn ethernet_and_tags() {
        assert_eq!(locate(LinkType::ETHERNET, &eth(&[0x0800])), L3::V4(14));
        assert_eq!(
            locate(LinkType::ETHERNET, &eth(&[0x8100, 0x86dd])),
            L3::V6(18)
        );
        assert_eq!(
            locate(LinkType::ETHERNET, &eth(&[0x88a8, 0x8100, 0x0800])),
            L3::V4(22)
        );
        assert_eq!(
            locate(LinkType::ETHERNET, &eth(&[0x9100, 0x8100, 0x0800])),
            L3::V4(22)
        );
        assert_eq!(locate(LinkType::ETHERNET, &eth(&[0x0806])), L3::Other);
        assert_eq!(locate(LinkType::ETHERNET, &[0u8; 13]), L3::Other);
        // Nine stacked tags: given up on, not looped on.
        assert_eq!(locate(LinkType::ETHERNET, &eth(&[0x8100; 10])), L3::Other);
    }

    #[test]
    fn mpls_and_pppoe() {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0x47, 0, 0, 0x10, 0xff, 0, 0, 0x21, 0xff, 0x45]);
        assert_eq!(locate(LinkType::ETHERNET, &f), L3::V4(22));
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x88, 0x64, 0x11, 0, 0, 1, 0, 40, 0x00, 0x57, 0x60]);
        assert_eq!(locate(LinkType::ETHERNET, &f), L3::V6(22));
    }

    #[test]
    fn raw_sll_null_loop() {
        assert_eq!(locate(LinkType::RAW, &[0x45]), L3::V4(0));
        assert_eq!(locate(LinkType::RAW_12, &[0x60]), L3::V6(0));
        assert_eq!(locate(LinkType::RAW_14, &[0x20]), L3::Other);
        assert_eq!(locate(LinkType::IPV4, &[]), L3::V4(0));
        assert_eq!(locate(LinkType::IPV6, &[]), L3::V6(0));
        let mut sll = vec![0u8; 14];
        sll.extend_from_slice(&[0x08, 0x00]);
        assert_eq!(locate(LinkType::LINUX_SLL, &sll), L3::V4(16));
        let mut sll2 = vec![0x86, 0xdd];
        sll2.extend_from_slice(&[0u8; 18]);
        assert_eq!(locate(LinkType::LINUX_SLL2, &sll2), L3::V6(20));
        assert_eq!(locate(LinkType::NULL, &[2, 0, 0, 0]), L3::V4(4));
        assert_eq!(locate(LinkType::NULL, &[0, 0, 0, 2]), L3::V4(4));
        assert_eq!(locate(LinkType::NULL, &[30, 0, 0, 0]), L3::V6(4));
        assert_eq!(locate(LinkType::NULL, &[0, 0, 0, 24]), L3::V6(4));
        assert_eq!(locate(LinkType::LOOP, &[0, 0, 0, 28]), L3::V6(4));
        assert_eq!(locate(LinkType::LOOP, &[2, 0, 0, 0]), L3::Other);
        assert_eq!(locate(LinkType::NULL, &[23, 0, 0, 0]), L3::Other);
        assert_eq!(locate(LinkType(147), &[0x45]), L3::Unknown);
    }
}
