//! Key Exchange payload, RFC 7296 §3.4.

use super::Cursor;
use crate::ike::error::IkeError;
use crate::ike::repr::Ke;
use crate::registry::ikev2::DH_GROUPS;

pub(super) fn parse(body: &[u8]) -> Result<Ke<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "KE");
    let group = c.u16()?;
    c.u16()?; // reserved
    let data = c.rest();
    Ok(Ke {
        group: Some(group),
        group_name: DH_GROUPS.name(group.into()),
        data_length: data.len(),
        data,
    })
}
