//! Notification payload, RFC 2408 §3.14: DOI, protocol, SPI size, notify
//! type, SPI, data. Data decoded for DPD (RFC 3706 §5) and
//! RESPONDER-LIFETIME (RFC 2407 §4.6.3.1).

use crate::bytes::Reader;
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::{Notify, NotifyDetail};
use crate::registry::ikev1 as reg;

use super::attr::{parse_attributes, AttributeClass};
use super::short;

/// Offset of the SPI size field in the notify body.
const SPI_SIZE_FIELD: usize = 5;

/// Decode a Notification payload body.
pub fn parse_notify(body: &[u8]) -> Result<Notify<'_>, IkeError> {
    let mut r = Reader::new(body);
    let doi = r.u32().map_err(short("notify"))?;
    let protocol_id = r.u8().map_err(short("notify"))?;
    let spi_size = usize::from(r.u8().map_err(short("notify"))?);
    let notify_type = r.u16().map_err(short("notify"))?;
    if spi_size > r.remaining() {
        return Err(IkeError::new(
            SPI_SIZE_FIELD,
            IkeErrorKind::PayloadOverrun {
                what: "notify SPI",
                declared: spi_size,
                available: r.remaining(),
            },
        ));
    }
    let spi = r.take(spi_size).map_err(short("notify SPI"))?;
    let data_off = r.pos();
    let data = r.rest();
    let detail = detail(notify_type, protocol_id, data).map_err(|e| e.add_offset(data_off))?;
    Ok(Notify {
        doi: Some(doi),
        protocol_id,
        spi,
        notify_type,
        notify: reg::notify_name(notify_type),
        data,
        detail,
    })
}

/// Decode the notification data of the types whose data we understand.
fn detail(
    notify_type: u16,
    protocol_id: u8,
    data: &[u8],
) -> Result<Option<NotifyDetail<'_>>, IkeError> {
    Ok(match notify_type {
        reg::NOTIFY_R_U_THERE | reg::NOTIFY_R_U_THERE_ACK => {
            // RFC 3706 §5: the data is a 32-bit sequence number.
            match <[u8; 4]>::try_from(data) {
                Ok(b) => Some(NotifyDetail::DpdSequence(u32::from_be_bytes(b))),
                Err(_) => None,
            }
        }
        reg::NOTIFY_RESPONDER_LIFETIME => {
            // RFC 2407 §4.6.3.1: an attribute list of the SA's protocol.
            let class = match AttributeClass::for_protocol(protocol_id) {
                AttributeClass::Unnamed => AttributeClass::Ipsec,
                c => c,
            };
            Some(NotifyDetail::ResponderLifetime(parse_attributes(
                data, class,
            )?))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notify(proto: u8, spi: &[u8], ntype: u16, data: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 1, proto, spi.len() as u8];
        v.extend_from_slice(&ntype.to_be_bytes());
        v.extend_from_slice(spi);
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn error_notify_with_cookies() {
        let spi = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        let b = notify(1, &spi, 14, &[]);
        let n = parse_notify(&b).unwrap();
        assert_eq!((n.doi, n.protocol_id, n.notify_type), (Some(1), 1, 14));
        assert_eq!(n.notify, Some("NO-PROPOSAL-CHOSEN"));
        assert_eq!(n.spi, &spi);
        assert!(n.data.is_empty() && n.detail.is_none());
    }

    #[test]
    fn dpd_sequence() {
        let b = notify(1, &[0; 16], 36136, &[0, 0, 0x12, 0x34]);
        let n = parse_notify(&b).unwrap();
        assert_eq!(n.notify, Some("R-U-THERE"));
        assert!(matches!(n.detail, Some(NotifyDetail::DpdSequence(0x1234))));
        let b = notify(1, &[0; 16], 36137, &[0, 0, 1]);
        let n = parse_notify(&b).unwrap();
        assert_eq!(n.notify, Some("R-U-THERE-ACK"));
        assert!(n.detail.is_none());
    }

    #[test]
    fn responder_lifetime() {
        // SA Life Type = seconds, SA Life Duration = 3600 (TLV 4 bytes).
        let data = [
            0x80, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x04, 0, 0, 0x0e, 0x10,
        ];
        let b = notify(3, &[9, 9, 9, 9], 24576, &data);
        let n = parse_notify(&b).unwrap();
        assert_eq!(n.notify, Some("RESPONDER-LIFETIME"));
        let Some(NotifyDetail::ResponderLifetime(a)) = n.detail else {
            panic!("no lifetime detail");
        };
        assert_eq!(a[0].value_name, Some("Seconds"));
        assert_eq!(
            (a[1].name, a[1].value),
            (Some("SA Life Duration"), Some(3600))
        );
    }

    #[test]
    fn responder_lifetime_bad_attribute_offset() {
        let data = [0x00, 0x02, 0x00, 0x08, 0, 0];
        let e = parse_notify(&notify(3, &[9, 9, 9, 9], 24576, &data)).unwrap_err();
        // 8 fixed bytes + 4 SPI + attribute length field at 2.
        assert_eq!(e.offset, 14);
    }

    #[test]
    fn private_and_unknown_types() {
        let b = notify(1, &[], 40501, &[192, 0, 2, 1]);
        let n = parse_notify(&b).unwrap();
        assert_eq!(n.notify, Some("UNITY-LOAD-BALANCE"));
        let b = notify(1, &[], 31, &[]);
        let n = parse_notify(&b).unwrap();
        assert_eq!((n.notify_type, n.notify), (31, None));
    }

    #[test]
    fn spi_size_beyond_payload() {
        let mut b = notify(1, &[1, 2, 3, 4], 24578, &[]);
        b[5] = 16;
        let e = parse_notify(&b).unwrap_err();
        assert_eq!(e.offset, 5);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                declared: 16,
                available: 4,
                ..
            }
        ));
    }

    #[test]
    fn short_notify() {
        let e = parse_notify(&[0, 0, 0, 1, 1, 0, 0]).unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(matches!(
            e.kind,
            IkeErrorKind::Truncated {
                need: 2,
                have: 1,
                ..
            }
        ));
    }
}
