//! The 28-byte ISAKMP/IKE header, RFC 2408 §3.1 and RFC 7296 §3.1.

use super::error::{IkeError, IkeErrorKind};
use super::repr::{v1_flags, Header};
use super::HEADER_LEN;
use crate::registry::{ikev1, ikev2};

/// Byte ranges of the header fields.
mod field {
    use std::ops::Range;
    pub const ISPI: Range<usize> = 0..8;
    pub const RSPI: Range<usize> = 8..16;
    pub const NEXT_PAYLOAD: usize = 16;
    pub const VERSION: usize = 17;
    pub const EXCHANGE_TYPE: usize = 18;
    pub const FLAGS: usize = 19;
    pub const MESSAGE_ID: Range<usize> = 20..24;
    pub const LENGTH: Range<usize> = 24..28;
}

/// Parse the header. Fails when fewer than 28 bytes are present or the major
/// version is neither 1 nor 2.
pub fn parse(data: &[u8]) -> Result<Header, IkeError> {
    let h = data.get(..HEADER_LEN).ok_or(IkeError::new(
        0,
        IkeErrorKind::ShortHeader { have: data.len() },
    ))?;
    let be64 = |r: std::ops::Range<usize>| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&h[r]);
        u64::from_be_bytes(a)
    };
    let be32 = |r: std::ops::Range<usize>| {
        let mut a = [0u8; 4];
        a.copy_from_slice(&h[r]);
        u32::from_be_bytes(a)
    };
    let version = h[field::VERSION] >> 4;
    if version != 1 && version != 2 {
        return Err(IkeError::new(
            field::VERSION,
            IkeErrorKind::BadVersion(version),
        ));
    }
    let exchange_type = h[field::EXCHANGE_TYPE];
    let flags = h[field::FLAGS];
    let exchange = match version {
        1 => ikev1::EXCHANGE_TYPES.name(exchange_type.into()),
        _ => ikev2::EXCHANGE_TYPES.name(exchange_type.into()),
    };
    Ok(Header {
        version,
        minor_version: h[field::VERSION] & 0x0f,
        ispi: be64(field::ISPI),
        rspi: be64(field::RSPI),
        next_payload: h[field::NEXT_PAYLOAD],
        exchange_type,
        exchange,
        flags,
        message_id: be32(field::MESSAGE_ID),
        length: be32(field::LENGTH),
        encrypted: version == 1 && flags & v1_flags::ENCRYPTION != 0,
    })
}
