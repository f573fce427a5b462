//! IKEv1 / ISAKMP payload bodies: RFC 2408 §3, RFC 2407 §4 (IPsec DOI),
//! RFC 2409, RFC 3947 (NAT-T), RFC 3706 (DPD), mode-config/XAUTH drafts.
//!
//! [`parse_body`] decodes the bytes after a payload's 4-byte generic header.
//! Errors carry offsets relative to that body (the chain walk in
//! [`crate::ike`] rebases them onto the message). An offset names the field
//! that could not be honoured: a length or size field whose value overruns
//! the bytes that enclose it, or the first byte of a field that is missing.

mod attr;
mod cfg;
mod delete;
mod frag;
mod id;
mod natd;
mod notify;
mod sa;
mod vendor;

#[cfg(test)]
mod tests;

pub use attr::{parse_attributes, AttributeClass};
pub use id::{render_der_dn, render_id};

use super::error::{IkeError, IkeErrorKind};
use super::repr::*;
use crate::bytes::Truncated;
use crate::registry::ikev1 as reg;

/// IKEv1 payload type numbers, RFC 2408 §3.1, RFC 3947 §3, draft NAT-T.
pub mod ptype {
    pub const SA: u8 = 1;
    pub const PROPOSAL: u8 = 2;
    pub const TRANSFORM: u8 = 3;
    pub const KE: u8 = 4;
    pub const ID: u8 = 5;
    pub const CERT: u8 = 6;
    pub const CR: u8 = 7;
    pub const HASH: u8 = 8;
    pub const SIG: u8 = 9;
    pub const NONCE: u8 = 10;
    pub const NOTIFY: u8 = 11;
    pub const DELETE: u8 = 12;
    pub const VENDOR_ID: u8 = 13;
    pub const ATTRIBUTES: u8 = 14;
    pub const NAT_D: u8 = 20;
    pub const NAT_OA: u8 = 21;
    pub const NAT_D_DRAFT: u8 = 130;
    pub const NAT_OA_DRAFT: u8 = 131;
    pub const CISCO_FRAG: u8 = 132;
}

/// Decode the body (after the 4-byte generic header) of an IKEv1 payload.
pub fn parse_body(ptype: u8, body: &[u8]) -> Result<Body<'_>, IkeError> {
    match ptype {
        ptype::SA => sa::parse_sa(body).map(Body::Sa),
        ptype::KE => Ok(Body::Ke(parse_ke(body))),
        ptype::ID => id::parse_id(body).map(Body::Id),
        ptype::CERT | ptype::CR => parse_cert(body).map(Body::Cert),
        ptype::HASH | ptype::SIG | ptype::NONCE | ptype::NAT_D | ptype::NAT_D_DRAFT => {
            Ok(Body::Data(Data { data: body }))
        }
        ptype::NOTIFY => notify::parse_notify(body).map(Body::Notify),
        ptype::DELETE => delete::parse_delete(body).map(Body::Delete),
        ptype::VENDOR_ID => Ok(Body::VendorId(vendor::parse_vendor_id(body))),
        ptype::ATTRIBUTES => cfg::parse_cfg(body).map(Body::Config),
        ptype::NAT_OA | ptype::NAT_OA_DRAFT => natd::parse_nat_oa(body).map(Body::NatOa),
        ptype::CISCO_FRAG => frag::parse_fragment(body).map(Body::Fragment),
        _ => Ok(Body::Unknown(Data { data: body })),
    }
}

/// Key Exchange payload, RFC 2408 §3.7: the data alone. IKEv1 carries no
/// group number; the MODP group a data length implies is named.
fn parse_ke(body: &[u8]) -> Ke<'_> {
    let group = reg::group_for_ke_length(body.len());
    Ke {
        group: None,
        group_name: group.and_then(|g| reg::GROUPS.name(g.into())),
        data_length: body.len(),
        data: body,
    }
}

/// Certificate and Certificate Request payloads, RFC 2408 §3.9 and §3.10:
/// a 1-byte encoding, then the certificate or CA data.
fn parse_cert(body: &[u8]) -> Result<Cert<'_>, IkeError> {
    let (&encoding, data) = body.split_first().ok_or_else(|| {
        truncated(
            "certificate encoding",
            Truncated {
                at: 0,
                need: 1,
                have: 0,
            },
        )
    })?;
    Ok(Cert {
        encoding,
        encoding_name: reg::CERT_ENCODINGS.name(encoding.into()),
        data_length: data.len(),
        data,
    })
}

/// A checked read that came up short, as an [`IkeError`] at the read offset.
pub(crate) fn truncated(what: &'static str, t: Truncated) -> IkeError {
    IkeError::new(
        t.at,
        IkeErrorKind::Truncated {
            what,
            need: t.need,
            have: t.have,
        },
    )
}

/// Map a [`Truncated`] from a reader to an [`IkeError`] naming `what`.
pub(crate) fn short(what: &'static str) -> impl Fn(Truncated) -> IkeError {
    move |t| truncated(what, t)
}
