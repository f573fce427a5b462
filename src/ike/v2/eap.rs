//! EAP payload, RFC 7296 §3.16 carrying an EAP message (RFC 3748 §4).

use super::{invalid, Cursor};
use crate::ike::error::IkeError;
use crate::ike::repr::Eap;

/// EAP codes that carry a Type field (RFC 3748 §4): Request, Response.
const REQUEST: u8 = 1;
const RESPONSE: u8 = 2;

pub(super) fn parse(body: &[u8]) -> Result<Eap<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "EAP");
    let code = c.u8()?;
    let identifier = c.u8()?;
    let len = c.u16()? as usize;
    if len != body.len() {
        return Err(invalid(
            2,
            "EAP",
            format!("EAP length {len}, payload carries {}", body.len()),
        ));
    }
    let eap_type = match code {
        REQUEST | RESPONSE => Some(c.u8()?),
        _ => None,
    };
    Ok(Eap {
        code,
        identifier,
        eap_type,
        data: c.rest(),
    })
}
