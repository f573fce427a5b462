//! IKEv2 payload bodies: RFC 7296 §3, RFC 7383 (fragmentation).

use super::error::IkeError;
use super::repr::*;

/// Decode the body (after the 4-byte generic header) of an IKEv2 payload.
/// `next` is the generic header's next-payload field (for SK/SKF it names the
/// first inner payload).
pub fn parse_body(ptype: u8, next: u8, body: &[u8]) -> Result<Body<'_>, IkeError> {
    let _ = (ptype, next);
    Ok(Body::Unknown(Data { data: body }))
}
