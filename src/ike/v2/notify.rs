//! Notify payload, RFC 7296 §3.10, with the data of the types that carry a
//! value decoded (§3.10.1, §2.6, §2.23, RFC 7427 §4).

use super::Cursor;
use crate::ike::error::IkeError;
use crate::ike::repr::{Notify, NotifyDetail};
use crate::registry::ikev2::{notify as n, NOTIFY_TYPES};

pub(super) fn parse(body: &[u8]) -> Result<Notify<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "Notify");
    let protocol_id = c.u8()?;
    let spi_size = c.u8()? as usize;
    let notify_type = c.u16()?;
    let spi = c.take(spi_size)?;
    let data = c.rest();
    Ok(Notify {
        doi: None,
        protocol_id,
        spi,
        notify_type,
        notify: NOTIFY_TYPES.name(notify_type.into()),
        data,
        detail: detail(notify_type, data),
    })
}

/// The decoded meaning of the notification data; `None` when the type has
/// no decoded form or the data does not have the size the RFC gives it.
fn detail(notify_type: u16, data: &[u8]) -> Option<NotifyDetail<'_>> {
    match notify_type {
        n::INVALID_KE_PAYLOAD => match *data {
            [a, b] => Some(NotifyDetail::AcceptedGroup(u16::from_be_bytes([a, b]))),
            _ => None,
        },
        n::NAT_DETECTION_SOURCE_IP | n::NAT_DETECTION_DESTINATION_IP => {
            Some(NotifyDetail::NatHash(data))
        }
        n::COOKIE => Some(NotifyDetail::Cookie(data)),
        n::REKEY_SA => Some(NotifyDetail::Rekey),
        n::SIGNATURE_HASH_ALGORITHMS if data.len().is_multiple_of(2) => {
            Some(NotifyDetail::HashAlgorithms(
                data.chunks_exact(2)
                    .map(|w| u16::from_be_bytes([w[0], w[1]]))
                    .collect(),
            ))
        }
        _ => None,
    }
}
