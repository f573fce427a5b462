//! Data attributes, RFC 2408 §3.3: TV (AF bit set, 2-byte value) or TLV
//! (2-byte length, then the value). The attribute class, and so the names,
//! depend on where the attributes sit: IKE class (RFC 2409 Appendix A) in
//! phase 1 transforms, IPsec DOI class (RFC 2407 §4.5) in phase 2 transforms
//! and in the RESPONDER-LIFETIME notify.

use crate::bytes::Reader;
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::Attribute;
use crate::registry::ikev1 as reg;
use crate::registry::Table;

use super::short;

/// AF bit: the attribute is in the fixed-length TV form.
const AF: u16 = 0x8000;

/// Which attribute registry names the attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeClass {
    /// RFC 2409 Appendix A (protocol PROTO_ISAKMP).
    Ike,
    /// RFC 2407 §4.5 (AH, ESP, IPCOMP).
    Ipsec,
    /// A protocol with no known attribute registry: numbers only.
    Unnamed,
}

impl AttributeClass {
    /// The class of a transform's attributes, from its proposal's protocol.
    pub fn for_protocol(protocol_id: u8) -> Self {
        match protocol_id {
            reg::PROTO_ISAKMP => AttributeClass::Ike,
            reg::PROTO_IPSEC_AH | reg::PROTO_IPSEC_ESP | reg::PROTO_IPCOMP => AttributeClass::Ipsec,
            _ => AttributeClass::Unnamed,
        }
    }

    fn types(self) -> Option<&'static Table> {
        match self {
            AttributeClass::Ike => Some(&reg::IKE_ATTRIBUTES),
            AttributeClass::Ipsec => Some(&reg::IPSEC_ATTRIBUTES),
            AttributeClass::Unnamed => None,
        }
    }

    fn values(self, attr_type: u16) -> Option<&'static Table> {
        match self {
            AttributeClass::Ike => reg::ike_value_table(attr_type),
            AttributeClass::Ipsec => reg::ipsec_value_table(attr_type),
            AttributeClass::Unnamed => None,
        }
    }
}

/// Decode every attribute in `data` (which they must fill exactly).
///
/// Offsets in errors are relative to `data`: a TLV whose length runs past the
/// end is reported at its length field.
pub fn parse_attributes(
    data: &[u8],
    class: AttributeClass,
) -> Result<Vec<Attribute<'_>>, IkeError> {
    let mut out = Vec::new();
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let start = r.pos();
        let raw_type = r.u16().map_err(short("data attribute"))?;
        let tv = raw_type & AF != 0;
        let attr_type = raw_type & !AF;
        let (bytes, value) = if tv {
            let v = r.take(2).map_err(short("data attribute"))?;
            (v, Some(u64::from(u16::from_be_bytes([v[0], v[1]]))))
        } else {
            let len = usize::from(r.u16().map_err(short("data attribute"))?);
            if len > r.remaining() {
                return Err(IkeError::new(
                    start + 2,
                    IkeErrorKind::PayloadOverrun {
                        what: "data attribute",
                        declared: len,
                        available: r.remaining(),
                    },
                ));
            }
            let v = r.take(len).map_err(short("data attribute"))?;
            (v, be_uint(v))
        };
        let value_name = value
            .and_then(|v| u32::try_from(v).ok())
            .and_then(|v| class.values(attr_type).and_then(|t| t.name(v)));
        out.push(Attribute {
            attr_type,
            name: class.types().and_then(|t| t.name(attr_type.into())),
            value,
            value_name,
            bytes,
            tv,
        });
    }
    Ok(out)
}

/// A big-endian unsigned number of 1 to 8 bytes.
pub(crate) fn be_uint(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_and_tlv_forms() {
        // Encryption Algorithm = AES-CBC (TV), Life Duration = 86400 (TLV, 4 bytes),
        // Key Length = 256 (TV).
        let data = [
            0x80, 0x01, 0x00, 0x07, //
            0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x51, 0x80, //
            0x80, 0x0e, 0x01, 0x00,
        ];
        let a = parse_attributes(&data, AttributeClass::Ike).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!((a[0].attr_type, a[0].tv, a[0].value), (1, true, Some(7)));
        assert_eq!(a[0].name, Some("Encryption Algorithm"));
        assert_eq!(a[0].value_name, Some("AES-CBC"));
        assert_eq!(
            (a[1].attr_type, a[1].tv, a[1].value),
            (12, false, Some(86400))
        );
        assert_eq!(a[1].name, Some("Life Duration"));
        assert_eq!(a[1].bytes, &[0x00, 0x01, 0x51, 0x80]);
        assert_eq!(a[2].value, Some(256));
        assert_eq!(a[2].value_name, None);
    }

    #[test]
    fn ipsec_class_names() {
        let data = [0x80, 0x04, 0xf0, 0x03, 0x80, 0x05, 0x00, 0x02];
        let a = parse_attributes(&data, AttributeClass::Ipsec).unwrap();
        assert_eq!(a[0].name, Some("Encapsulation Mode"));
        assert_eq!(a[0].value_name, Some("UDP-Encapsulated-Tunnel (draft)"));
        assert_eq!(a[1].value_name, Some("HMAC-SHA"));
        // The same bytes in the IKE class mean Group Description / Group Type.
        let a = parse_attributes(&data, AttributeClass::Ike).unwrap();
        assert_eq!(a[0].name, Some("Group Description"));
    }

    #[test]
    fn long_tlv_has_no_number() {
        let mut data = vec![0x00, 0x06, 0x00, 0x09];
        data.extend_from_slice(&[1; 9]);
        let a = parse_attributes(&data, AttributeClass::Ike).unwrap();
        assert_eq!(a[0].value, None);
        assert_eq!(a[0].bytes.len(), 9);
        let a = parse_attributes(&[0x00, 0x0c, 0x00, 0x00], AttributeClass::Ike).unwrap();
        assert_eq!((a[0].value, a[0].bytes.len()), (None, 0));
    }

    #[test]
    fn tlv_overrun_reports_length_field() {
        // Second attribute: TLV length 8 with only 2 bytes left.
        let data = [0x80, 0x01, 0x00, 0x05, 0x00, 0x0c, 0x00, 0x08, 0x00, 0x01];
        let e = parse_attributes(&data, AttributeClass::Ike).unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                declared: 8,
                available: 2,
                ..
            }
        ));
    }

    #[test]
    fn short_attribute_header() {
        let e = parse_attributes(&[0x80, 0x01, 0x00, 0x05, 0x80], AttributeClass::Ike).unwrap_err();
        assert_eq!(e.offset, 4);
        let e = parse_attributes(&[0x80, 0x01, 0x00], AttributeClass::Ike).unwrap_err();
        assert_eq!(e.offset, 2);
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
