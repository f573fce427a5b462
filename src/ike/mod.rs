//! ISAKMP/IKEv1 and IKEv2 message decoding.
//!
//! [`parse_message`] never fails: it returns the header, every payload that
//! decoded, and the first error (with its byte offset) in
//! [`Message::malformed`]. The generic payload chain (RFC 2408 §3.2, RFC 7296
//! §3.2) is walked here; each payload body is decoded by [`v1`] or [`v2`].
//! This module is a pure `&[u8]` parser: it knows nothing of IP or UDP.

pub mod decrypt;
pub mod error;
pub mod header;
pub mod repr;
pub mod v1;
pub mod v2;

/// The test oracles' skip policy (tshark, ../shared/corpus), shared with the
/// integration tests.
#[cfg(test)]
#[path = "../../tests/oracle/mod.rs"]
pub(crate) mod oracle;

pub use error::{IkeError, IkeErrorKind};
pub use repr::*;

/// Length of the ISAKMP/IKE header.
pub const HEADER_LEN: usize = 28;
/// Length of the generic payload header.
pub const PAYLOAD_HEADER_LEN: usize = 4;

/// IKEv2 payload types that carry encrypted payloads (SK 46, SKF 53).
const V2_SK: u8 = 46;
const V2_SKF: u8 = 53;

/// Decode a message, keeping whatever decodes before the first error.
///
/// Returns `Err` only when there is no header at all (fewer than 28 bytes, or
/// a major version other than 1 or 2): such bytes are not IKE.
pub fn parse_message(data: &[u8]) -> Result<Message<'_>, IkeError> {
    let header = header::parse(data)?;
    let mut msg = Message {
        header,
        payloads: Vec::new(),
        decrypted_copy: false,
        malformed: None,
    };
    // The message ends at its length field, or at the end of what was captured.
    let declared = header.length as usize;
    let end = if declared < HEADER_LEN || declared > data.len() {
        msg.malformed = Some(IkeError::new(
            24,
            IkeErrorKind::BadMessageLength {
                declared: header.length,
                have: data.len(),
            },
        ));
        data.len()
    } else {
        declared
    };
    let body = data.get(..end).unwrap_or(data);

    if header.version == 1 && header.encrypted {
        // The body is ciphertext, unless it is a decrypted copy whose payload
        // chain parses cleanly end to end (ASA `type isakmp` captures).
        if msg.malformed.is_none() {
            let mut trial = Vec::new();
            if walk(header, body, &mut trial).is_ok() && !trial.is_empty() {
                msg.payloads = trial;
                msg.decrypted_copy = true;
            }
        }
        return Ok(msg);
    }
    if let Err(e) = walk(header, body, &mut msg.payloads) {
        if msg.malformed.is_none() {
            msg.malformed = Some(e);
        }
    }
    if header.version == 2 {
        msg.header.encrypted = msg
            .payloads
            .iter()
            .any(|p| p.ptype == V2_SK || p.ptype == V2_SKF);
    }
    Ok(msg)
}

/// Walk the payload chain of `msg` (header included) into `out`.
fn walk<'a>(header: Header, msg: &'a [u8], out: &mut Vec<Payload<'a>>) -> Result<(), IkeError> {
    let mut next = header.next_payload;
    let mut off = HEADER_LEN;
    // Every payload is at least 4 bytes long, so this bounds the loop.
    while next != 0 {
        let rest = msg.get(off..).unwrap_or(&[]);
        if rest.len() < PAYLOAD_HEADER_LEN {
            return Err(IkeError::new(
                off,
                IkeErrorKind::Truncated {
                    what: "payload header",
                    need: PAYLOAD_HEADER_LEN,
                    have: rest.len(),
                },
            ));
        }
        let this = next;
        let what = payload_name(header.version, this).unwrap_or("payload");
        let following = rest[0];
        let critical = header.version == 2 && rest[1] & 0x80 != 0;
        let length = u16::from_be_bytes([rest[2], rest[3]]);
        let len = length as usize;
        if len < PAYLOAD_HEADER_LEN {
            return Err(IkeError::new(
                off + 2,
                IkeErrorKind::PayloadTooShort {
                    what,
                    declared: len,
                    minimum: PAYLOAD_HEADER_LEN,
                },
            ));
        }
        if len > rest.len() {
            return Err(IkeError::new(
                off + 2,
                IkeErrorKind::PayloadOverrun {
                    what,
                    declared: len,
                    available: rest.len(),
                },
            ));
        }
        let body_bytes = &rest[PAYLOAD_HEADER_LEN..len];
        let body_off = off + PAYLOAD_HEADER_LEN;
        let body = match header.version {
            1 => v1::parse_body(this, body_bytes),
            _ => v2::parse_body(this, following, body_bytes),
        }
        .map_err(|e| e.add_offset(body_off))?;
        out.push(Payload {
            ptype: this,
            name: payload_name(header.version, this),
            offset: off,
            length,
            critical,
            body,
        });
        off += len;
        if header.version == 2 && (this == V2_SK || this == V2_SKF) {
            // The SK payload's next-payload field names the first inner
            // payload; the encrypted payload is always last (RFC 7296 §3.14).
            next = 0;
        } else {
            next = following;
        }
    }
    if off < msg.len() {
        return Err(IkeError::new(
            off,
            IkeErrorKind::TrailingBytes {
                count: msg.len() - off,
            },
        ));
    }
    Ok(())
}

/// Payload type name for the message's IKE version.
pub fn payload_name(version: u8, ptype: u8) -> Option<&'static str> {
    match version {
        1 => crate::registry::ikev1::PAYLOAD_TYPES.name(ptype.into()),
        _ => crate::registry::ikev2::PAYLOAD_TYPES.name(ptype.into()),
    }
}
