//! One IPsec datagram classified into what it carries: a decoded IKE
//! message, an ESP or AH header, a NAT keepalive, or why it could not be read.

use crate::capture::Origin;
use crate::esp::{Ah, Esp};
use crate::ike::{self, IkeError, Message};
use crate::net::{Datagram, Payload};

/// What a datagram carries, decoded.
#[derive(Debug, Clone)]
pub enum Content<'d> {
    Ike(Message<'d>),
    /// UDP 500/4500 bytes that are not an ISAKMP header (too short, bad version).
    NotIke(IkeError),
    Esp {
        esp: Esp,
        udp: bool,
    },
    Ah(Ah),
    Keepalive,
    /// ESP/AH too short to hold its header (e.g. a console summary line).
    Short {
        proto: &'static str,
        have: usize,
    },
}

impl Content<'_> {
    /// The JSON `proto` value.
    pub fn proto(&self) -> &'static str {
        match self {
            Content::Ike(_) | Content::NotIke(_) => "isakmp",
            Content::Esp { .. } => "esp",
            Content::Ah(_) => "ah",
            Content::Keepalive => "nat-keepalive",
            Content::Short { proto, .. } => proto,
        }
    }
}

/// A console summary line gave this packet's headers but not its bytes, so
/// it could not be decoded: not malformed, just absent.
pub fn payload_absent(d: &Datagram<'_>, c: &Content<'_>) -> bool {
    d.origin == Origin::TextSummary && matches!(c, Content::NotIke(_) | Content::Short { .. })
}

/// Decode what a datagram carries.
pub fn classify<'d>(d: &'d Datagram<'_>) -> Content<'d> {
    match &d.payload {
        Payload::Ike { data, .. } => match ike::parse_message(data) {
            Ok(m) => Content::Ike(m),
            Err(e) => Content::NotIke(e),
        },
        Payload::Esp { data, udp } => match Esp::parse(data) {
            Ok(esp) => Content::Esp { esp, udp: *udp },
            Err(_) => Content::Short {
                proto: "esp",
                have: data.len(),
            },
        },
        Payload::Ah(data) => match Ah::parse(data) {
            Ok(a) => Content::Ah(a),
            Err(_) => Content::Short {
                proto: "ah",
                have: data.len(),
            },
        },
        Payload::NatKeepalive => Content::Keepalive,
    }
}

/// The raw bytes of an IKE payload datagram (after any non-ESP marker).
pub fn ike_bytes<'d>(d: &'d Datagram<'_>) -> &'d [u8] {
    match &d.payload {
        Payload::Ike { data, .. } => data,
        _ => &[],
    }
}
