//! Delete payload, RFC 7296 §3.11.

use super::{invalid, Cursor};
use crate::ike::error::IkeError;
use crate::ike::repr::Delete;
use crate::registry::ikev2::SECURITY_PROTOCOLS;

pub(super) fn parse(body: &[u8]) -> Result<Delete<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "Delete");
    let protocol_id = c.u8()?;
    let spi_size = c.u8()?;
    let count = c.u16()?;
    let size = usize::from(spi_size);
    let mut spis = Vec::new();
    if size == 0 {
        if count != 0 || !c.is_empty() {
            return Err(invalid(
                2,
                "Delete",
                format!("SPI size 0 with {count} SPIs and {} bytes", c.remaining()),
            ));
        }
    } else {
        // Bounded by the payload: each SPI consumes `size` > 0 bytes.
        for _ in 0..count {
            spis.push(c.take(size)?);
        }
        if !c.is_empty() {
            return Err(invalid(
                c.pos(),
                "Delete",
                format!("{} bytes after {count} SPIs", c.remaining()),
            ));
        }
    }
    Ok(Delete {
        doi: None,
        protocol_id,
        protocol: SECURITY_PROTOCOLS.name(protocol_id.into()),
        spi_size,
        spis,
    })
}
