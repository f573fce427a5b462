//! Authentication payload, RFC 7296 §3.8.

use super::Cursor;
use crate::ike::error::IkeError;
use crate::ike::repr::Auth;
use crate::registry::ikev2::AUTH_METHODS;

pub(super) fn parse(body: &[u8]) -> Result<Auth<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "AUTH");
    let method = c.u8()?;
    c.u24()?; // reserved
    let data = c.rest();
    Ok(Auth {
        method,
        method_name: AUTH_METHODS.name(method.into()),
        data_length: data.len(),
        data,
    })
}
