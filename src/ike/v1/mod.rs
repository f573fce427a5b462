//! IKEv1 / ISAKMP payload bodies: RFC 2408 §3, RFC 2407 §4 (IPsec DOI),
//! RFC 2409, RFC 3947 (NAT-T), RFC 3706 (DPD), mode-config/XAUTH drafts.

use super::error::IkeError;
use super::repr::*;

/// Decode the body (after the 4-byte generic header) of an IKEv1 payload.
pub fn parse_body(ptype: u8, body: &[u8]) -> Result<Body<'_>, IkeError> {
    let _ = ptype;
    Ok(Body::Unknown(Data { data: body }))
}
