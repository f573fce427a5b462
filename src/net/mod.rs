//! Frames → IPsec datagrams.
//!
//! Link layer (Ethernet with 802.1Q/802.1ad tags, raw IP, SLL/SLL2,
//! null/loopback), IPv4 (with options) and IPv6 (with extension headers),
//! bounded IP fragment reassembly, then the IPsec demultiplexer: UDP 500 and
//! 4500 (plus `--ike-port`), the RFC 3948 non-ESP marker and NAT keepalive on
//! NAT-T ports, IP protocols 50 (ESP) and 51 (AH). Everything else is
//! [`Decoded::Ignored`] after a cheap check, without allocating.
//!
//! Headers are sliced by etherparse: Ethernet II, VLAN tags and Linux SLL
//! ([`link`]), the IPv4 and IPv6 headers and IPv6 extension headers
//! ([`ip`]), UDP ([`demux`]). What remains hand-written here, and why:
//!
//! - link adapters where etherparse has no slicer: Linux SLL2, BSD
//!   NULL/LOOP, raw-IP link types, MPLS and PPPoE inside Ethernet;
//! - the reading of damaged headers etherparse declines (an IPv4 header
//!   length under 20, options or a UDP header cut by the capture), so that
//!   an IPsec-bound packet whose lower layers are broken is reported as
//!   [`Decoded::Malformed`] with the offset, not dropped;
//! - the IPsec demultiplexer ([`demux`]): ports 500/4500, the RFC 3948
//!   non-ESP marker and keepalive, ESP and AH taken as payloads (etherparse
//!   walks past AH as an extension header);
//! - fragment reassembly ([`defrag`]): etherparse's `IpDefragPool` has no
//!   cap on the bytes or sets it holds, no expiry by capture time, and does
//!   not tell which frames an incomplete set held; the notices about
//!   incomplete and evicted sets need all three;
//! - ICMP "unreachable" errors quoting IPsec packets.

pub mod defrag;
pub mod demux;
pub mod ip;
pub mod link;

use std::borrow::Cow;
use std::net::IpAddr;
use std::ops::Range;

use serde::Serialize;

use etherparse::Ipv6HeaderSlice;

use crate::bytes::{be16, be32};
use crate::capture::{Frame, FrameNo, LinkType, Origin, Timestamp};
use defrag::{Added, FragIn, FragKey, Pool};
use demux::{Hit, Kind, Ports, Transport};
use ip::{proto, V4Head, V6Walk};
use link::L3;

/// What an IPsec datagram carries.
#[derive(Debug, Clone)]
pub enum Payload<'a> {
    /// An ISAKMP/IKE message (after the non-ESP marker, if `marker`).
    Ike { data: Cow<'a, [u8]>, marker: bool },
    /// ESP, on IP protocol 50 or inside UDP (RFC 3948) when `udp`.
    Esp { data: Cow<'a, [u8]>, udp: bool },
    /// AH (IP protocol 51 / IPv6 next header 51), starting at the AH header.
    Ah(Cow<'a, [u8]>),
    /// A one-byte 0xFF NAT-T keepalive (RFC 3948 §2.3).
    NatKeepalive,
}

/// An IPsec datagram found in a frame (or completed by it, after reassembly).
#[derive(Debug, Clone)]
pub struct Datagram<'a> {
    pub frame: FrameNo,
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub payload: Payload<'a>,
    /// Captured bytes end before the IP/UDP lengths say (snaplen).
    pub truncated: bool,
    /// Frames of all fragments when this datagram was reassembled (the last
    /// one is `frame`); empty otherwise.
    pub fragments: Vec<FrameNo>,
    pub origin: Origin,
    /// Outer IP total length (header included), as the IP header states.
    pub ip_length: usize,
}

/// The layer where a malformation was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Link,
    Ipv4,
    Ipv6,
    Udp,
    Fragment,
}

/// An IPsec-bound packet whose lower layers are broken.
#[derive(Debug, Clone, Serialize)]
pub struct Malformed {
    pub frame: FrameNo,
    pub ts: Timestamp,
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub layer: Layer,
    /// Offset from the start of the frame.
    pub offset: usize,
    pub reason: String,
}

/// Result of decoding one frame.
#[derive(Debug, Clone)]
pub enum Decoded<'a> {
    /// Not IPsec.
    Ignored,
    /// A fragment of an IPsec-bound datagram, held for reassembly.
    Held,
    Datagram(Datagram<'a>),
    Malformed(Malformed),
    /// An ICMP error quoting an IPsec packet (port/protocol unreachable...).
    Icmp(IcmpError),
}

/// An ICMP or ICMPv6 "destination unreachable" that quotes an IKE, ESP or
/// AH packet (RFC 792, RFC 4443 §3.1): the peer's answer when nothing takes
/// the packet.
#[derive(Debug, Clone, Serialize)]
pub struct IcmpError {
    pub frame: FrameNo,
    pub ts: Timestamp,
    /// Who sent the ICMP error.
    pub reporter: IpAddr,
    /// ICMP type and code.
    pub icmp_type: u8,
    pub code: u8,
    /// The code's name from the registry.
    pub reason: Option<&'static str>,
    /// The quoted packet's addresses, IP protocol and UDP ports.
    pub quoted_src: IpAddr,
    pub quoted_dst: IpAddr,
    pub quoted_proto: u8,
    pub quoted_sport: Option<u16>,
    pub quoted_dport: Option<u16>,
}

/// A warning from the network layer: an unknown link type (once per link
/// type), a fragment set that never completed or was evicted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetNotice {
    pub frame: Option<FrameNo>,
    pub message: String,
    /// For fragment sets: the datagram's source and destination.
    pub peers: Option<(IpAddr, IpAddr)>,
    /// For fragment sets: the frames of the fragments held.
    pub frames: Vec<FrameNo>,
}

/// IP protocol numbers of ICMP and ICMPv6.
const ICMP: u8 = 1;
const ICMPV6: u8 = 58;

/// Network-layer options.
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// Ports carrying plain IKE (500 and any `--ike-port`).
    pub ike_ports: Vec<u16>,
    /// NAT-T ports (4500): non-ESP marker, keepalive, ESP-in-UDP.
    pub natt_ports: Vec<u16>,
    /// Most bytes held across all incomplete fragment sets.
    pub defrag_max_bytes: usize,
    /// Most incomplete fragment sets held at once.
    pub defrag_max_datagrams: usize,
    /// A fragment set not completed within this many capture seconds expires.
    pub defrag_timeout_secs: f64,
}

impl Default for NetOptions {
    fn default() -> Self {
        NetOptions {
            ike_ports: vec![500],
            natt_ports: vec![4500],
            defrag_max_bytes: 4 << 20,
            defrag_max_datagrams: 256,
            defrag_timeout_secs: 30.0,
        }
    }
}

/// Stateful decoder (reassembly and one-time warnings live here).
#[derive(Debug)]
pub struct Decoder {
    opts: NetOptions,
    notices: Vec<NetNotice>,
    ports: Ports,
    pool: Pool,
    /// Unknown link types already warned about.
    unknown_links: Vec<u32>,
}

/// Facts about the frame a datagram comes from.
struct Ctx {
    frame: FrameNo,
    ts: Timestamp,
    origin: Origin,
    src: IpAddr,
    dst: IpAddr,
}

impl Ctx {
    fn malformed<'a>(&self, layer: Layer, offset: usize, reason: String) -> Decoded<'a> {
        Decoded::Malformed(Malformed {
            frame: self.frame,
            ts: self.ts,
            src: Some(self.src),
            dst: Some(self.dst),
            layer,
            offset,
            reason,
        })
    }

    fn datagram<'a>(
        &self,
        hit: Hit,
        data: Cow<'a, [u8]>,
        ip_length: usize,
        fragments: Vec<FrameNo>,
    ) -> Decoded<'a> {
        let payload = match hit.kind {
            Kind::Ike { marker } => Payload::Ike { data, marker },
            Kind::Esp { udp } => Payload::Esp { data, udp },
            Kind::Ah => Payload::Ah(data),
            Kind::Keepalive => Payload::NatKeepalive,
        };
        Decoded::Datagram(Datagram {
            frame: self.frame,
            ts: self.ts,
            src: self.src,
            dst: self.dst,
            sport: hit.sport,
            dport: hit.dport,
            payload,
            truncated: hit.truncated,
            fragments,
            origin: self.origin,
            ip_length,
        })
    }
}

/// Borrow `range` of a frame's bytes.
#[inline]
fn borrow(buf: &[u8], range: Range<usize>) -> Cow<'_, [u8]> {
    Cow::Borrowed(buf.get(range).unwrap_or(&[]))
}

/// Keep only `range` of an owned buffer.
fn own(mut v: Vec<u8>, range: Range<usize>) -> Cow<'static, [u8]> {
    v.truncate(range.end);
    v.drain(..range.start.min(v.len()));
    Cow::Owned(v)
}

impl Decoder {
    pub fn new(opts: NetOptions) -> Self {
        Decoder {
            ports: Ports::new(&opts.ike_ports, &opts.natt_ports),
            pool: Pool::new(
                opts.defrag_max_bytes,
                opts.defrag_max_datagrams,
                opts.defrag_timeout_secs,
            ),
            opts,
            notices: Vec::new(),
            unknown_links: Vec::new(),
        }
    }

    /// The options this decoder was built with.
    pub fn options(&self) -> &NetOptions {
        &self.opts
    }

    /// Decode one frame.
    ///
    /// Non-IPsec frames are recognised from fixed-offset reads (link type,
    /// IP version, protocol, UDP ports) and return [`Decoded::Ignored`]
    /// without allocating.
    pub fn decode<'a>(&mut self, frame: &Frame<'a>) -> Decoded<'a> {
        self.pool.expire(frame.ts, &mut self.notices);
        match link::locate(frame.link, frame.data) {
            L3::V4(off) => self.ipv4(frame, off),
            L3::V6(off) => self.ipv6(frame, off),
            L3::Other => Decoded::Ignored,
            L3::Unknown => {
                self.unknown_link(frame.link, frame.number);
                Decoded::Ignored
            }
        }
    }

    #[cold]
    fn unknown_link(&mut self, link: LinkType, frame: FrameNo) {
        if self.unknown_links.contains(&link.0) {
            return;
        }
        self.unknown_links.push(link.0);
        self.notices.push(NetNotice {
            frame: Some(frame),
            message: format!(
                "unsupported link type {link}: its frames are not analysed (first at frame {frame})"
            ),
            peers: None,
            frames: Vec::new(),
        });
    }

    fn ipv4<'a>(&mut self, frame: &Frame<'a>, off: usize) -> Decoded<'a> {
        let data = frame.data;
        let Some(ip) = data.get(off..) else {
            return Decoded::Ignored;
        };
        let Some(h) = V4Head::parse(ip) else {
            return Decoded::Ignored;
        };
        if h.proto == ICMP && h.frag_off == 0 && !h.more {
            // A header longer than the bytes captured leaves no body (and
            // `ihl` beyond the end must not meet `clamp`'s min ≤ max).
            let start = h.ihl.max(20);
            let end = h.total.min(ip.len()).max(start);
            let body = ip.get(start..end).unwrap_or(&[]);
            return self.icmp(frame, IpAddr::V4(h.src), body, false);
        }
        if !matches!(h.proto, proto::UDP | proto::ESP | proto::AH) {
            return Decoded::Ignored;
        }
        let key = FragKey {
            src: IpAddr::V4(h.src),
            dst: IpAddr::V4(h.dst),
            id: u32::from(h.id),
            proto: h.proto,
        };
        let fragmented = h.more || h.frag_off != 0;
        // Cheap port check before anything else (first fragment or whole
        // datagram: the UDP header is here).
        if h.proto == proto::UDP {
            if h.frag_off == 0 {
                let at = h.ihl.max(20);
                let (Some(sp), Some(dp)) = (be16(ip, at), be16(ip, at + 2)) else {
                    return Decoded::Ignored;
                };
                if self.ports.classify(sp, dp).is_none() {
                    if h.more {
                        self.pool.reject(key);
                    }
                    return Decoded::Ignored;
                }
            } else if self.pool.is_rejected(&key) {
                return Decoded::Ignored;
            }
        }
        let cx = Ctx {
            frame: frame.number,
            ts: frame.ts,
            origin: frame.origin,
            src: IpAddr::V4(h.src),
            dst: IpAddr::V4(h.dst),
        };
        if h.ihl < 20 {
            return cx.malformed(
                Layer::Ipv4,
                off,
                format!("IPv4 header length {} is less than 20", h.ihl),
            );
        }
        if h.ihl > ip.len() {
            return cx.malformed(
                Layer::Ipv4,
                off,
                format!(
                    "IPv4 header length {} runs past the {} captured bytes",
                    h.ihl,
                    ip.len()
                ),
            );
        }
        // Total length 0 is what TCP segmentation offload leaves: use the frame.
        let total = if h.total == 0 { ip.len() } else { h.total };
        if total < h.ihl {
            return cx.malformed(
                Layer::Ipv4,
                off + 2,
                format!(
                    "IPv4 total length {total} is less than the header length {}",
                    h.ihl
                ),
            );
        }
        // The IP packet ends at its total length, or where the wire frame
        // ended if that is earlier; the capture may have cut it sooner.
        let reported = (frame.orig_len as usize).saturating_sub(off).max(ip.len());
        let declared_end = total.min(reported);
        let buf = ip.get(..total.min(ip.len())).unwrap_or(ip);
        if fragmented {
            let Some(part) = buf.get(h.ihl..) else {
                return Decoded::Ignored;
            };
            if part.len() < total - h.ihl {
                // Not captured whole, so it cannot be reassembled (Wireshark
                // does not try either); a first fragment still shows its
                // headers, and its UDP length is that of the whole datagram.
                if h.frag_off != 0 {
                    return Decoded::Ignored;
                }
                return self.whole(&cx, buf, off, h.ihl, h.proto, usize::MAX, total);
            }
            let f = FragIn {
                key,
                ts: frame.ts,
                frame: frame.number,
                offset: h.frag_off,
                more: h.more,
                data: part,
                declared: total - h.ihl,
                header_len: h.ihl,
            };
            return self.fragment(&cx, f, off + 6, h.proto, false);
        }
        self.whole(&cx, buf, off, h.ihl, h.proto, declared_end, total)
    }

    /// An unfragmented datagram (or a first fragment shown for what it
    /// holds): `buf` is the IP packet as captured, `off` its frame offset.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn whole<'a>(
        &self,
        cx: &Ctx,
        buf: &'a [u8],
        off: usize,
        start: usize,
        proto: u8,
        declared_end: usize,
        ip_length: usize,
    ) -> Decoded<'a> {
        match demux::transport(buf, start, proto, declared_end, &self.ports) {
            Transport::NotIpsec => Decoded::Ignored,
            Transport::Hit(hit) => {
                let data = borrow(buf, hit.range.clone());
                cx.datagram(hit, data, ip_length, Vec::new())
            }
            Transport::Malformed(layer, at, reason) => cx.malformed(layer, off + at, reason),
        }
    }

    /// An ICMP(v6) message: a destination-unreachable error that quotes an
    /// IPsec packet is kept; everything else is ignored.
    fn icmp<'a>(&self, frame: &Frame<'a>, reporter: IpAddr, icmp: &[u8], v6: bool) -> Decoded<'a> {
        let (Some(&ty), Some(&code)) = (icmp.first(), icmp.get(1)) else {
            return Decoded::Ignored;
        };
        let unreachable = if v6 { ty == 1 } else { ty == 3 };
        if !unreachable {
            return Decoded::Ignored;
        }
        let q = icmp.get(8..).unwrap_or(&[]);
        // The quoted packet: its IP header and the first bytes after it.
        let (qsrc, qdst, qproto, l4) = match q.first().map(|b| b >> 4) {
            Some(4) => {
                let Some(qh) = V4Head::parse(q) else {
                    return Decoded::Ignored;
                };
                (
                    IpAddr::V4(qh.src),
                    IpAddr::V4(qh.dst),
                    qh.proto,
                    q.get(qh.ihl.max(20)..).unwrap_or(&[]),
                )
            }
            Some(6) => {
                let Ok(qh) = Ipv6HeaderSlice::from_slice(q) else {
                    return Decoded::Ignored;
                };
                (
                    IpAddr::V6(qh.source_addr()),
                    IpAddr::V6(qh.destination_addr()),
                    qh.next_header().0,
                    q.get(40..).unwrap_or(&[]),
                )
            }
            _ => return Decoded::Ignored,
        };
        let (sport, dport) = match qproto {
            proto::UDP => match (be16(l4, 0), be16(l4, 2)) {
                (Some(sp), Some(dp)) if self.ports.classify(sp, dp).is_some() => {
                    (Some(sp), Some(dp))
                }
                _ => return Decoded::Ignored,
            },
            proto::ESP | proto::AH => (None, None),
            _ => return Decoded::Ignored,
        };
        let table = if v6 {
            &crate::registry::icmp::V6_UNREACHABLE
        } else {
            &crate::registry::icmp::V4_UNREACHABLE
        };
        Decoded::Icmp(IcmpError {
            frame: frame.number,
            ts: frame.ts,
            reporter,
            icmp_type: ty,
            code,
            reason: table.name(code.into()),
            quoted_src: qsrc,
            quoted_dst: qdst,
            quoted_proto: qproto,
            quoted_sport: sport,
            quoted_dport: dport,
        })
    }

    fn ipv6<'a>(&mut self, frame: &Frame<'a>, off: usize) -> Decoded<'a> {
        let data = frame.data;
        let Some(ip) = data.get(off..) else {
            return Decoded::Ignored;
        };
        let Ok(h) = Ipv6HeaderSlice::from_slice(ip) else {
            return Decoded::Ignored;
        };
        let nh = h.next_header().0;
        if nh == ICMPV6 {
            let body = ip.get(40..).unwrap_or(&[]);
            return self.icmp(frame, IpAddr::V6(h.source_addr()), body, true);
        }
        match nh {
            proto::UDP => {
                let (Some(sp), Some(dp)) = (be16(ip, 40), be16(ip, 42)) else {
                    return Decoded::Ignored;
                };
                if self.ports.classify(sp, dp).is_none() {
                    return Decoded::Ignored;
                }
            }
            proto::ESP
            | proto::AH
            | proto::HOPOPT
            | proto::ROUTING
            | proto::DSTOPTS
            | proto::FRAGMENT => {}
            _ => return Decoded::Ignored,
        }
        let plen = usize::from(h.payload_length());
        let cx = Ctx {
            frame: frame.number,
            ts: frame.ts,
            origin: frame.origin,
            src: IpAddr::V6(h.source_addr()),
            dst: IpAddr::V6(h.destination_addr()),
        };
        // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675).
        let total = if plen == 0 && nh == proto::HOPOPT {
            ip.len()
        } else {
            40 + plen
        };
        let reported = (frame.orig_len as usize).saturating_sub(off).max(ip.len());
        let declared_end = total.min(reported);
        let buf = ip.get(..total.min(ip.len())).unwrap_or(ip);
        let mut walk = ip::walk_v6(buf, 40, nh);
        if let V6Walk::Fragment { pos } = walk {
            let (Some(&next), Some(offflags), Some(id)) =
                (buf.get(pos), be16(buf, pos + 2), be32(buf, pos + 4))
            else {
                return Decoded::Ignored;
            };
            let frag_off = usize::from(offflags & 0xfff8);
            let more = offflags & 1 != 0;
            if frag_off == 0 && !more {
                // An atomic fragment (RFC 6946): the datagram is whole.
                walk = ip::walk_v6(buf, pos + 8, next);
            } else {
                let key = FragKey {
                    src: cx.src,
                    dst: cx.dst,
                    id,
                    proto: 0,
                };
                let Some(part) = buf.get(pos + 8..) else {
                    return Decoded::Ignored;
                };
                if frag_off == 0 {
                    // The first fragment shows what the datagram carries.
                    let ipsec = match ip::walk_v6(part, 0, next) {
                        V6Walk::Upper {
                            proto: proto::UDP,
                            pos,
                        } => match (be16(part, pos), be16(part, pos + 2)) {
                            (Some(sp), Some(dp)) => self.ports.classify(sp, dp).is_some(),
                            _ => false,
                        },
                        V6Walk::Upper {
                            proto: proto::ESP | proto::AH,
                            ..
                        } => true,
                        _ => false,
                    };
                    if !ipsec {
                        self.pool.reject(key);
                        return Decoded::Ignored;
                    }
                } else if self.pool.is_rejected(&key)
                    || !matches!(
                        next,
                        proto::UDP
                            | proto::ESP
                            | proto::AH
                            | proto::HOPOPT
                            | proto::ROUTING
                            | proto::DSTOPTS
                    )
                {
                    return Decoded::Ignored;
                }
                let declared = total.saturating_sub(pos + 8);
                if part.len() < declared {
                    // Not captured whole: shown, not reassembled (as for IPv4).
                    return match ip::walk_v6(part, 0, next) {
                        V6Walk::Upper { proto, pos: at } if frag_off == 0 => {
                            self.whole(&cx, buf, off, pos + 8 + at, proto, usize::MAX, total)
                        }
                        _ => Decoded::Ignored,
                    };
                }
                let f = FragIn {
                    key,
                    ts: frame.ts,
                    frame: frame.number,
                    offset: frag_off,
                    more,
                    data: part,
                    declared,
                    header_len: pos + 8,
                };
                return self.fragment(&cx, f, off + pos, next, true);
            }
        }
        match walk {
            V6Walk::Upper { proto, pos } => {
                self.whole(&cx, buf, off, pos, proto, declared_end, total)
            }
            V6Walk::Fragment { .. } | V6Walk::Cut => Decoded::Ignored,
        }
    }

    /// Hold a fragment; on completion decode the reassembled datagram.
    /// `frag_at` is the frame offset of the fragment information (for
    /// errors), `next` the protocol of the reassembled payload.
    fn fragment<'a>(
        &mut self,
        cx: &Ctx,
        f: FragIn<'_>,
        frag_at: usize,
        next: u8,
        v6: bool,
    ) -> Decoded<'a> {
        let r = match self.pool.add(f, &mut self.notices) {
            Added::Held => return Decoded::Held,
            Added::Invalid(reason) => return cx.malformed(Layer::Fragment, frag_at, reason),
            Added::Complete(r) => r,
        };
        let (proto, start) = if v6 {
            match ip::walk_v6(&r.data, 0, next) {
                V6Walk::Upper { proto, pos } => (proto, pos),
                _ => return Decoded::Ignored,
            }
        } else {
            (next, 0)
        };
        let ip_length = r.header_len + r.data.len();
        match demux::transport(&r.data, start, proto, r.data.len(), &self.ports) {
            Transport::NotIpsec => Decoded::Ignored,
            Transport::Hit(hit) => {
                let data = own(r.data, hit.range.clone());
                cx.datagram(hit, data, ip_length, r.frames)
            }
            Transport::Malformed(layer, at, reason) => cx.malformed(
                layer,
                at,
                format!(
                    "{reason} (in the datagram reassembled from frames {:?})",
                    r.frames
                ),
            ),
        }
    }

    /// Notices raised since the last call.
    /// Whether [`Decoder::take_notices`] has anything to give.
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    pub fn take_notices(&mut self) -> Vec<NetNotice> {
        std::mem::take(&mut self.notices)
    }

    /// End of capture: report fragment sets that never completed.
    pub fn finish(&mut self) -> Vec<NetNotice> {
        self.pool.drain(&mut self.notices);
        self.take_notices()
    }
}
