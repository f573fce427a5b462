//! IPv4 and IPv6 headers (RFC 791 §3.1, RFC 8200 §3 and §4), sliced by
//! etherparse. Ours: the fixed-offset fallback for an IPv4 header that
//! etherparse declines (header length under 20, options cut by the
//! capture), so that an IPsec-bound packet with a broken header is still
//! reported as malformed with its addresses; and the extension-header walk,
//! which stops at a fragment header (reassembly is ours, see
//! [`super::defrag`]) and at ESP/AH (the IPsec payloads we report). Nothing
//! here allocates.

use std::net::Ipv4Addr;

use etherparse::{Ipv4HeaderSlice, Ipv6RawExtHeaderSlice};

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
pub mod proto {
    pub const HOPOPT: u8 = 0;
    pub const UDP: u8 = 17;
    pub const ROUTING: u8 = 43;
    pub const FRAGMENT: u8 = 44;
    pub const ESP: u8 = 50;
    pub const AH: u8 = 51;
    pub const DSTOPTS: u8 = 60;
}

/// The IPv4 fixed header, read at fixed offsets (RFC 791 §3.1).
pub struct V4Head {
    pub ihl: usize,
    pub total: usize,
    pub id: u16,
    pub frag_off: usize,
    pub more: bool,
    pub proto: u8,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
}

impl V4Head {
    #[inline]
    /// The fixed header at the start of `ip`, if it is IPv4.
    pub fn parse(ip: &[u8]) -> Option<V4Head> {
        if let Ok(h) = Ipv4HeaderSlice::from_slice(ip) {
            return Some(V4Head {
                ihl: usize::from(h.ihl()) * 4,
                total: usize::from(h.total_len()),
                id: h.identification(),
                frag_off: usize::from(h.fragments_offset().value()) * 8,
                more: h.more_fragments(),
                proto: h.protocol().0,
                src: h.source_addr(),
                dst: h.destination_addr(),
            });
        }
        // Declined by etherparse: read the fixed header as it stands.
        let h: &[u8; 20] = ip.get(..20)?.try_into().ok()?;
        if h[0] >> 4 != 4 {
            return None;
        }
        let ff = u16::from_be_bytes([h[6], h[7]]);
        Some(V4Head {
            ihl: usize::from(h[0] & 0x0f) * 4,
            total: usize::from(u16::from_be_bytes([h[2], h[3]])),
            id: u16::from_be_bytes([h[4], h[5]]),
            frag_off: usize::from(ff & 0x1fff) * 8,
            more: ff & 0x2000 != 0,
            proto: h[9],
            src: Ipv4Addr::new(h[12], h[13], h[14], h[15]),
            dst: Ipv4Addr::new(h[16], h[17], h[18], h[19]),
        })
    }
}

/// Where an IPv6 extension-header walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum V6Walk {
    /// An upper-layer (or IPsec) header `proto` at `pos`.
    Upper { proto: u8, pos: usize },
    /// A fragment header at `pos` (8 bytes).
    Fragment { pos: usize },
    /// An extension header runs past the captured bytes.
    Cut,
}

/// Most IPv6 extension headers walked.
const MAX_EXT: usize = 16;

/// Walk IPv6 extension headers (RFC 8200 §4) from `nh` at `pos`: hop-by-hop,
/// routing and destination options are skipped; a fragment header, ESP, AH
/// or any other header ends the walk.
pub fn walk_v6(buf: &[u8], mut pos: usize, mut nh: u8) -> V6Walk {
    for _ in 0..MAX_EXT {
        match nh {
            proto::HOPOPT | proto::ROUTING | proto::DSTOPTS => {
                let Some(ext) = buf
                    .get(pos..)
                    .and_then(|rest| Ipv6RawExtHeaderSlice::from_slice(rest).ok())
                else {
                    return V6Walk::Cut;
                };
                nh = ext.next_header().0;
                pos += ext.slice().len();
            }
            proto::FRAGMENT => return V6Walk::Fragment { pos },
            _ => return V6Walk::Upper { proto: nh, pos },
        }
    }
    V6Walk::Upper { proto: nh, pos }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v6_walk() {
        // HBH (8 bytes) → DSTOPTS (16 bytes) → UDP
        let mut b = vec![proto::DSTOPTS, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&[proto::UDP, 1]);
        b.extend_from_slice(&[0; 14]);
        assert_eq!(
            walk_v6(&b, 0, proto::HOPOPT),
            V6Walk::Upper {
                proto: proto::UDP,
                pos: 24
            }
        );
        assert_eq!(walk_v6(&b, 0, proto::FRAGMENT), V6Walk::Fragment { pos: 0 });
        assert_eq!(walk_v6(&b[..5], 8, proto::DSTOPTS), V6Walk::Cut);
        // A loop of headers pointing to themselves ends.
        let lp = vec![0u8; 8 * 20];
        assert!(matches!(walk_v6(&lp, 0, 0), V6Walk::Upper { .. }));
    }

    #[test]
    fn v4_head() {
        let mut h = [0u8; 20];
        h[0] = 0x46;
        h[2..4].copy_from_slice(&300u16.to_be_bytes());
        h[6..8].copy_from_slice(&0x2003u16.to_be_bytes());
        h[9] = 17;
        h[12..16].copy_from_slice(&[192, 0, 2, 1]);
        let v = V4Head::parse(&h).unwrap();
        assert_eq!(
            (v.ihl, v.total, v.frag_off, v.more, v.proto),
            (24, 300, 24, true, 17)
        );
        assert_eq!(v.src, Ipv4Addr::new(192, 0, 2, 1));
        assert!(V4Head::parse(&h[..19]).is_none());
        h[0] = 0x65;
        assert!(V4Head::parse(&h).is_none());
    }
}
