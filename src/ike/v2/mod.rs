//! IKEv2 payload bodies: RFC 7296 §3, RFC 7383 (fragmentation).
//!
//! Each decoder takes the body after the 4-byte generic payload header and
//! returns a [`Body`], or an [`IkeError`] whose offset counts from the start
//! of that body (the chain walk in [`super`] rebases it onto the message).

mod auth;
mod cert;
mod cp;
mod delete;
mod eap;
mod id;
mod ke;
mod notify;
mod sa;
mod sk;
mod ts;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, Ipv6Addr};

use super::error::{IkeError, IkeErrorKind};
use super::repr::*;
use crate::bytes::Reader;

/// IKEv2 payload type numbers, RFC 7296 §3.2 and RFC 7383 §2.5.
pub mod ptype {
    pub const SA: u8 = 33;
    pub const KE: u8 = 34;
    pub const IDI: u8 = 35;
    pub const IDR: u8 = 36;
    pub const CERT: u8 = 37;
    pub const CERTREQ: u8 = 38;
    pub const AUTH: u8 = 39;
    pub const NONCE: u8 = 40;
    pub const NOTIFY: u8 = 41;
    pub const DELETE: u8 = 42;
    pub const VENDOR_ID: u8 = 43;
    pub const TSI: u8 = 44;
    pub const TSR: u8 = 45;
    pub const SK: u8 = 46;
    pub const CP: u8 = 47;
    pub const EAP: u8 = 48;
    pub const SKF: u8 = 53;
}

/// Decode the body (after the 4-byte generic header) of an IKEv2 payload.
/// `next` is the generic header's next-payload field (for SK/SKF it names the
/// first inner payload).
pub fn parse_body(ptype: u8, next: u8, body: &[u8]) -> Result<Body<'_>, IkeError> {
    match ptype {
        ptype::SA => sa::parse(body).map(Body::Sa),
        ptype::KE => ke::parse(body).map(Body::Ke),
        ptype::IDI | ptype::IDR => id::parse(body).map(Body::Id),
        ptype::CERT => cert::parse(body, "CERT").map(Body::Cert),
        ptype::CERTREQ => cert::parse(body, "CERTREQ").map(Body::Cert),
        ptype::AUTH => auth::parse(body).map(Body::Auth),
        ptype::NONCE => Ok(Body::Data(Data { data: body })),
        ptype::NOTIFY => notify::parse(body).map(Body::Notify),
        ptype::DELETE => delete::parse(body).map(Body::Delete),
        ptype::VENDOR_ID => Ok(Body::VendorId(VendorId {
            data: body,
            vendor: crate::registry::vendor::lookup(body),
        })),
        ptype::TSI | ptype::TSR => ts::parse(body).map(Body::Ts),
        ptype::SK => Ok(Body::Encrypted(sk::parse_sk(next, body))),
        ptype::SKF => sk::parse_skf(next, body).map(Body::Encrypted),
        ptype::CP => cp::parse(body).map(Body::Config),
        ptype::EAP => eap::parse(body).map(Body::Eap),
        _ => Ok(Body::Unknown(Data { data: body })),
    }
}

/// A checked reader whose errors name the structure being read and carry
/// offsets relative to the payload body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    r: Reader<'a>,
    /// Offset of this cursor's slice within the payload body.
    base: usize,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8], base: usize, what: &'static str) -> Self {
        Cursor {
            r: Reader::new(data),
            base,
            what,
        }
    }

    /// Offset of the next byte, from the start of the payload body.
    pub(crate) fn pos(&self) -> usize {
        self.base + self.r.pos()
    }

    pub(crate) fn remaining(&self) -> usize {
        self.r.remaining()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.r.rest()
    }

    fn err(&self, t: crate::bytes::Truncated) -> IkeError {
        IkeError::new(
            self.base + t.at,
            IkeErrorKind::Truncated {
                what: self.what,
                need: t.need,
                have: t.have,
            },
        )
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], IkeError> {
        let c = *self;
        self.r.take(n).map_err(|t| c.err(t))
    }

    pub(crate) fn u8(&mut self) -> Result<u8, IkeError> {
        let c = *self;
        self.r.u8().map_err(|t| c.err(t))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, IkeError> {
        let c = *self;
        self.r.u16().map_err(|t| c.err(t))
    }

    pub(crate) fn u24(&mut self) -> Result<u32, IkeError> {
        let c = *self;
        self.r.u24().map_err(|t| c.err(t))
    }
}

/// An `Invalid` error at `offset`.
pub(crate) fn invalid(offset: usize, what: &'static str, detail: String) -> IkeError {
    IkeError::new(offset, IkeErrorKind::Invalid { what, detail })
}

/// Format 4 or 16 bytes as an address; anything else as hex.
pub(crate) fn addr(b: &[u8]) -> String {
    if let Ok(a) = <[u8; 4]>::try_from(b) {
        Ipv4Addr::from(a).to_string()
    } else if let Ok(a) = <[u8; 16]>::try_from(b) {
        Ipv6Addr::from(a).to_string()
    } else {
        hex::encode(b)
    }
}

/// Bytes as text: UTF-8 (lossy), every character kept as it is. Text
/// output escapes control and bidirectional characters when it prints
/// (`report::term`); JSON carries them JSON-escaped.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
