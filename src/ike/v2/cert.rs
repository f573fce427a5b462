//! Certificate (RFC 7296 §3.6) and Certificate Request (§3.7) payloads.

use super::Cursor;
use crate::ike::error::IkeError;
use crate::ike::repr::Cert;
use crate::registry::ikev2::CERT_ENCODINGS;

pub(super) fn parse<'a>(body: &'a [u8], what: &'static str) -> Result<Cert<'a>, IkeError> {
    let mut c = Cursor::new(body, 0, what);
    let encoding = c.u8()?;
    let data = c.rest();
    Ok(Cert {
        encoding,
        encoding_name: CERT_ENCODINGS.name(encoding.into()),
        data_length: data.len(),
        data,
    })
}
