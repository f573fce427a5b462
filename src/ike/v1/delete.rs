//! Delete payload, RFC 2408 §3.15: DOI, protocol, SPI size, number of SPIs,
//! then the SPIs (16-byte cookie pairs for ISAKMP SAs, 4 bytes for ESP/AH).

use crate::bytes::Reader;
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::Delete;
use crate::registry::ikev1 as reg;

use super::short;

/// Offset of the number-of-SPIs field in the delete body.
const COUNT_FIELD: usize = 6;

/// Decode a Delete payload body.
pub fn parse_delete(body: &[u8]) -> Result<Delete<'_>, IkeError> {
    let mut r = Reader::new(body);
    let doi = r.u32().map_err(short("delete"))?;
    let protocol_id = r.u8().map_err(short("delete"))?;
    let spi_size = r.u8().map_err(short("delete"))?;
    let count = usize::from(r.u16().map_err(short("delete"))?);
    let need = usize::from(spi_size) * count;
    if need > r.remaining() {
        return Err(IkeError::new(
            COUNT_FIELD,
            IkeErrorKind::PayloadOverrun {
                what: "delete SPIs",
                declared: need,
                available: r.remaining(),
            },
        ));
    }
    if need < r.remaining() {
        return Err(IkeError::new(
            r.pos() + need,
            IkeErrorKind::Invalid {
                what: "delete",
                detail: format!(
                    "{} bytes after {count} SPIs of {spi_size} bytes",
                    r.remaining() - need
                ),
            },
        ));
    }
    // `need` bytes are present, so every chunk is a whole SPI; zero-size SPIs
    // carry nothing and are not listed.
    let spis = match spi_size {
        0 => Vec::new(),
        n => r.rest().chunks_exact(usize::from(n)).collect(),
    };
    Ok(Delete {
        doi: Some(doi),
        protocol_id,
        protocol: reg::PROTOCOL_IDS.name(protocol_id.into()),
        spi_size,
        spis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esp_delete_two_spis() {
        let b = [0, 0, 0, 1, 3, 4, 0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4];
        let d = parse_delete(&b).unwrap();
        assert_eq!(
            (d.doi, d.protocol_id, d.protocol),
            (Some(1), 3, Some("PROTO_IPSEC_ESP"))
        );
        assert_eq!(
            d.spis,
            vec![&[0xaa, 0xbb, 0xcc, 0xdd][..], &[1, 2, 3, 4][..]]
        );
    }

    #[test]
    fn isakmp_delete_cookie_pair() {
        let mut b = vec![0, 0, 0, 1, 1, 16, 0, 1];
        b.extend_from_slice(&[7; 16]);
        let d = parse_delete(&b).unwrap();
        assert_eq!((d.spi_size, d.spis.len()), (16, 1));
    }

    #[test]
    fn spis_beyond_payload() {
        let b = [0, 0, 0, 1, 3, 4, 0, 3, 0xaa, 0xbb, 0xcc, 0xdd];
        let e = parse_delete(&b).unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                declared: 12,
                available: 4,
                ..
            }
        ));
    }

    #[test]
    fn bytes_after_spis() {
        let b = [0, 0, 0, 1, 3, 4, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0];
        let e = parse_delete(&b).unwrap_err();
        assert_eq!(e.offset, 12);
    }

    #[test]
    fn short_delete() {
        let e = parse_delete(&[0, 0, 0, 1, 3]).unwrap_err();
        assert_eq!(e.offset, 5);
    }
}
