//! Encrypted (SK, RFC 7296 §3.14) and Encrypted Fragment (SKF, RFC 7383
//! §2.5) payloads: opaque without keys.

use super::{invalid, Cursor};
use crate::ike::error::IkeError;
use crate::ike::repr::Encrypted;

pub(super) fn parse_sk(next: u8, body: &[u8]) -> Encrypted {
    Encrypted {
        inner_next_payload: next,
        fragment_number: None,
        total_fragments: None,
        data_length: body.len(),
    }
}

/// SKF: fragment number and total (both from 1, number ≤ total), then the
/// encrypted data. Only the first fragment names an inner payload (§2.5).
pub(super) fn parse_skf(next: u8, body: &[u8]) -> Result<Encrypted, IkeError> {
    let mut c = Cursor::new(body, 0, "SKF");
    let number = c.u16()?;
    let total = c.u16()?;
    if number == 0 || number > total {
        return Err(invalid(
            0,
            "SKF",
            format!("fragment number {number} of total {total}"),
        ));
    }
    Ok(Encrypted {
        inner_next_payload: next,
        fragment_number: Some(number),
        total_fragments: Some(total),
        data_length: c.remaining(),
    })
}
