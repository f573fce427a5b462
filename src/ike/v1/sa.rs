//! Security Association payload, RFC 2408 §3.4, with its Proposal (§3.5) and
//! Transform (§3.6) substructures; IPsec DOI situation, RFC 2407 §4.6.1.
//!
//! Proposals and transforms carry their own generic headers (next payload 2
//! resp. 3 while more follow, 0 on the last) and are walked by length within
//! the enclosing SA resp. proposal.

use crate::bytes::Reader;
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::{Proposal, Sa, Transform};
use crate::registry::ikev1 as reg;

use super::attr::{parse_attributes, AttributeClass};
use super::{ptype, short};

/// Generic header plus the fixed proposal fields, RFC 2408 §3.5.
const PROPOSAL_HEADER: usize = 8;
/// Generic header plus the fixed transform fields, RFC 2408 §3.6.
const TRANSFORM_HEADER: usize = 8;
/// The IPsec DOI, RFC 2407 §4.2.
const DOI_IPSEC: u32 = 1;
/// Situation bits that add a labeled-domain block, RFC 2407 §4.6.1.
const SIT_SECRECY_OR_INTEGRITY: u32 = 0x06;

/// Decode an SA payload body.
pub fn parse_sa(body: &[u8]) -> Result<Sa<'_>, IkeError> {
    let mut r = Reader::new(body);
    let doi = r.u32().map_err(short("SA DOI"))?;
    let situation = r.u32().map_err(short("SA situation"))?;
    if doi == DOI_IPSEC && situation & SIT_SECRECY_OR_INTEGRITY != 0 {
        skip_labeled_domain(&mut r)?;
    }
    let base = r.pos();
    let proposals = parse_proposals(r.rest()).map_err(|e| e.add_offset(base))?;
    Ok(Sa {
        doi: Some(doi),
        situation: Some(situation),
        proposals,
    })
}

/// Skip the labeled-domain identifier and the secrecy and integrity level and
/// category fields that follow an IPsec DOI situation with SIT_SECRECY or
/// SIT_INTEGRITY set, RFC 2407 §4.6.1.
fn skip_labeled_domain(r: &mut Reader<'_>) -> Result<(), IkeError> {
    let what = "SA labeled domain";
    r.skip(4).map_err(short(what))?; // Labeled Domain Identifier
    for _ in 0..2 {
        // Level: length in octets, RESERVED, level.
        let len = usize::from(r.u16().map_err(short(what))?);
        r.skip(2).map_err(short(what))?;
        r.skip(len).map_err(short(what))?;
        // Category: length in bits, RESERVED, bitmap.
        let bits = usize::from(r.u16().map_err(short(what))?);
        r.skip(2).map_err(short(what))?;
        r.skip(bits.div_ceil(8)).map_err(short(what))?;
    }
    Ok(())
}

/// One substructure (proposal or transform) framed by its generic header.
struct Sub<'a> {
    next: u8,
    /// Bytes after the generic header, up to the substructure's length.
    body: &'a [u8],
    /// Offset of the generic header in the enclosing slice.
    offset: usize,
    len: usize,
}

/// Frame the substructure at `off` in `data`, checking its length field.
fn frame<'a>(
    data: &'a [u8],
    off: usize,
    what: &'static str,
    min: usize,
) -> Result<Sub<'a>, IkeError> {
    let rest = data.get(off..).unwrap_or(&[]);
    if rest.len() < min {
        return Err(IkeError::new(
            off,
            IkeErrorKind::Truncated {
                what,
                need: min,
                have: rest.len(),
            },
        ));
    }
    let mut r = Reader::new(rest);
    let next = r.u8().map_err(short(what))?;
    r.skip(1).map_err(short(what))?;
    let len = usize::from(r.u16().map_err(short(what))?);
    if len < min {
        return Err(IkeError::new(
            off + 2,
            IkeErrorKind::PayloadTooShort {
                what,
                declared: len,
                minimum: min,
            },
        ));
    }
    let body = rest.get(4..len).ok_or_else(|| {
        IkeError::new(
            off + 2,
            IkeErrorKind::PayloadOverrun {
                what,
                declared: len,
                available: rest.len(),
            },
        )
    })?;
    Ok(Sub {
        next,
        body,
        offset: off,
        len,
    })
}

/// Check the next-payload field of a substructure chain and say whether more
/// substructures follow. Anything but `more`/0 breaks the SA syntax.
fn chain_continues(
    sub: &Sub<'_>,
    more: u8,
    what: &'static str,
    remaining: usize,
) -> Result<bool, IkeError> {
    match sub.next {
        0 if remaining == 0 => Ok(false),
        0 => Err(IkeError::new(
            sub.offset + sub.len,
            IkeErrorKind::Invalid {
                what,
                detail: format!("{remaining} bytes after the last {what}"),
            },
        )),
        n if n == more && remaining > 0 => Ok(true),
        n if n == more => Err(IkeError::new(
            sub.offset + sub.len,
            IkeErrorKind::Truncated {
                what,
                need: 4,
                have: 0,
            },
        )),
        n => Err(IkeError::new(
            sub.offset,
            IkeErrorKind::Invalid {
                what,
                detail: format!("next payload {n}, expected {more} or 0"),
            },
        )),
    }
}

/// Decode the chain of proposals filling `data`.
fn parse_proposals(data: &[u8]) -> Result<Vec<Proposal<'_>>, IkeError> {
    let mut out = Vec::new();
    let mut off = 0;
    // Each proposal takes at least PROPOSAL_HEADER bytes: the loop is bounded.
    while off < data.len() {
        let sub = frame(data, off, "proposal", PROPOSAL_HEADER)?;
        let body_off = off + 4;
        let p = parse_proposal(sub.body).map_err(|e| e.add_offset(body_off))?;
        out.push(p);
        off += sub.len;
        if !chain_continues(&sub, ptype::PROPOSAL, "proposal", data.len() - off)? {
            break;
        }
    }
    Ok(out)
}

/// Decode one proposal's body (after its generic header).
fn parse_proposal(body: &[u8]) -> Result<Proposal<'_>, IkeError> {
    let mut r = Reader::new(body);
    let number = r.u8().map_err(short("proposal"))?;
    let protocol_id = r.u8().map_err(short("proposal"))?;
    let spi_size = usize::from(r.u8().map_err(short("proposal"))?);
    let transform_count = r.u8().map_err(short("proposal"))?;
    if spi_size > r.remaining() {
        return Err(IkeError::new(
            2,
            IkeErrorKind::PayloadOverrun {
                what: "proposal SPI",
                declared: spi_size,
                available: r.remaining(),
            },
        ));
    }
    let spi = r.take(spi_size).map_err(short("proposal SPI"))?;
    let base = r.pos();
    let class = AttributeClass::for_protocol(protocol_id);
    let transforms =
        parse_transforms(r.rest(), protocol_id, class).map_err(|e| e.add_offset(base))?;
    Ok(Proposal {
        number,
        protocol_id,
        protocol: reg::PROTOCOL_IDS.name(protocol_id.into()),
        spi,
        transform_count,
        transforms,
    })
}

/// Decode the chain of transforms filling `data`.
fn parse_transforms(
    data: &[u8],
    protocol_id: u8,
    class: AttributeClass,
) -> Result<Vec<Transform<'_>>, IkeError> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < data.len() {
        let sub = frame(data, off, "transform", TRANSFORM_HEADER)?;
        let body_off = off + 4;
        let t =
            parse_transform(sub.body, protocol_id, class).map_err(|e| e.add_offset(body_off))?;
        out.push(t);
        off += sub.len;
        if !chain_continues(&sub, ptype::TRANSFORM, "transform", data.len() - off)? {
            break;
        }
    }
    Ok(out)
}

/// Decode one transform's body: number, ID, 2 reserved bytes, attributes.
fn parse_transform(
    body: &[u8],
    protocol_id: u8,
    class: AttributeClass,
) -> Result<Transform<'_>, IkeError> {
    let mut r = Reader::new(body);
    let number = r.u8().map_err(short("transform"))?;
    let transform_id = r.u8().map_err(short("transform"))?;
    r.skip(2).map_err(short("transform"))?;
    let base = r.pos();
    let attributes = parse_attributes(r.rest(), class).map_err(|e| e.add_offset(base))?;
    Ok(Transform {
        number: Some(number),
        transform_type: None,
        transform_type_name: None,
        transform_id: transform_id.into(),
        transform: reg::transform_table(protocol_id).and_then(|t| t.name(transform_id.into())),
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SA body: DOI 1, SIT_IDENTITY_ONLY, then `proposals`.
    fn sa(proposals: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 1, 0, 0, 0, 1];
        v.extend_from_slice(proposals);
        v
    }

    /// Proposal with the given generic next, protocol, SPI and transforms.
    fn proposal(next: u8, num: u8, proto: u8, spi: &[u8], count: u8, transforms: &[u8]) -> Vec<u8> {
        let len = 8 + spi.len() + transforms.len();
        let mut v = vec![
            next,
            0,
            (len >> 8) as u8,
            len as u8,
            num,
            proto,
            spi.len() as u8,
            count,
        ];
        v.extend_from_slice(spi);
        v.extend_from_slice(transforms);
        v
    }

    fn transform(next: u8, num: u8, id: u8, attrs: &[u8]) -> Vec<u8> {
        let len = 8 + attrs.len();
        let mut v = vec![next, 0, (len >> 8) as u8, len as u8, num, id, 0, 0];
        v.extend_from_slice(attrs);
        v
    }

    const IKE_ATTRS: [u8; 20] = [
        0x80, 0x01, 0x00, 0x07, // AES-CBC
        0x80, 0x0e, 0x00, 0x80, // key length 128
        0x80, 0x02, 0x00, 0x02, // SHA
        0x80, 0x03, 0x00, 0x01, // PSK
        0x80, 0x04, 0x00, 0x02, // group 2
    ];

    #[test]
    fn phase1_sa() {
        let mut ts = transform(3, 1, 1, &IKE_ATTRS);
        ts.extend(transform(0, 2, 1, &[0x80, 0x03, 0xfd, 0xe9]));
        let body = sa(&proposal(0, 1, 1, &[], 2, &ts));
        let s = parse_sa(&body).unwrap();
        assert_eq!((s.doi, s.situation), (Some(1), Some(1)));
        assert_eq!(s.proposals.len(), 1);
        let p = &s.proposals[0];
        assert_eq!(
            (p.number, p.protocol_id, p.protocol),
            (1, 1, Some("PROTO_ISAKMP"))
        );
        assert_eq!((p.transform_count, p.transforms.len()), (2, 2));
        let t = &p.transforms[0];
        assert_eq!(
            (t.number, t.transform_id, t.transform),
            (Some(1), 1, Some("KEY_IKE"))
        );
        assert_eq!(t.attributes.len(), 5);
        assert_eq!(t.attributes[4].value_name, Some("1024-bit MODP group (2)"));
        assert_eq!(
            p.transforms[1].attributes[0].value_name,
            Some("XAUTHInitPreShared")
        );
    }

    #[test]
    fn phase2_sa_with_two_proposals() {
        let esp = transform(0, 1, 12, &[0x80, 0x04, 0x00, 0x01, 0x80, 0x06, 0x01, 0x00]);
        let ah = transform(0, 1, 3, &[0x80, 0x05, 0x00, 0x02]);
        let mut ps = proposal(2, 1, 3, &[0xde, 0xad, 0xbe, 0xef], 1, &esp);
        ps.extend(proposal(0, 1, 2, &[1, 2, 3, 4], 1, &ah));
        let b = sa(&ps);
        let s = parse_sa(&b).unwrap();
        assert_eq!(s.proposals.len(), 2);
        let p = &s.proposals[0];
        assert_eq!(p.spi, &[0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(p.transforms[0].transform, Some("ESP_AES-CBC"));
        assert_eq!(p.transforms[0].attributes[0].value_name, Some("Tunnel"));
        assert_eq!(p.transforms[0].attributes[1].name, Some("Key Length"));
        assert_eq!(s.proposals[1].transforms[0].transform, Some("AH_SHA"));
        assert_eq!(
            s.proposals[1].transforms[0].attributes[0].value_name,
            Some("HMAC-SHA")
        );
    }

    #[test]
    fn short_sa_header() {
        let e = parse_sa(&[0, 0, 0, 1, 0, 0]).unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(matches!(
            e.kind,
            IkeErrorKind::Truncated {
                need: 4,
                have: 2,
                ..
            }
        ));
    }

    #[test]
    fn proposal_length_overflows_sa() {
        let mut p = proposal(0, 1, 1, &[], 1, &transform(0, 1, 1, &IKE_ATTRS));
        p[3] += 1; // one byte more than present
        let e = parse_sa(&sa(&p)).unwrap_err();
        assert_eq!(e.offset, 8 + 2);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                what: "proposal",
                ..
            }
        ));
    }

    #[test]
    fn proposal_length_below_header() {
        let p = [0, 0, 0, 4, 1, 1, 0, 0];
        let e = parse_sa(&sa(&p)).unwrap_err();
        assert_eq!(e.offset, 10);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadTooShort {
                declared: 4,
                minimum: 8,
                ..
            }
        ));
        // Zero length would loop forever in a naive walker.
        let e = parse_sa(&sa(&[0, 0, 0, 0, 1, 1, 0, 0])).unwrap_err();
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadTooShort { declared: 0, .. }
        ));
    }

    #[test]
    fn truncated_proposal_header() {
        let e = parse_sa(&sa(&[0, 0, 0, 8, 1])).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(matches!(
            e.kind,
            IkeErrorKind::Truncated {
                need: 8,
                have: 5,
                ..
            }
        ));
    }

    #[test]
    fn spi_size_beyond_proposal() {
        // SPI size 16 but only 4 bytes in the proposal.
        let mut p = proposal(0, 1, 3, &[1, 2, 3, 4], 0, &[]);
        p[6] = 16;
        let e = parse_sa(&sa(&p)).unwrap_err();
        // SA header 8 + generic header 4 + spi size field at 2.
        assert_eq!(e.offset, 8 + 4 + 2);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                what: "proposal SPI",
                declared: 16,
                available: 4
            }
        ));
    }

    #[test]
    fn transform_length_overflows_proposal() {
        let mut t = transform(0, 1, 1, &IKE_ATTRS);
        t[3] += 4;
        let p = proposal(0, 1, 1, &[], 1, &t);
        let e = parse_sa(&sa(&p)).unwrap_err();
        // SA 8 + proposal 8 + length field at 2.
        assert_eq!(e.offset, 8 + 8 + 2);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                what: "transform",
                ..
            }
        ));
    }

    #[test]
    fn attribute_overflows_transform() {
        // A TLV attribute claiming 16 bytes inside a transform with 4 left.
        let t = transform(0, 1, 1, &[0x00, 0x0c, 0x00, 0x10, 0, 0, 0, 1]);
        let p = proposal(0, 1, 1, &[], 1, &t);
        let e = parse_sa(&sa(&p)).unwrap_err();
        // SA 8 + proposal 8 + transform 8 + attribute length field at 2.
        assert_eq!(e.offset, 8 + 8 + 8 + 2);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                what: "data attribute",
                declared: 16,
                available: 4
            }
        ));
    }

    #[test]
    fn bad_chain_next_payload() {
        let p = proposal(5, 1, 1, &[], 1, &transform(0, 1, 1, &[]));
        let e = parse_sa(&sa(&p)).unwrap_err();
        assert_eq!(e.offset, 8);
        assert!(matches!(
            e.kind,
            IkeErrorKind::Invalid {
                what: "proposal",
                ..
            }
        ));
        // "More proposals follow" with nothing after.
        let p = proposal(2, 1, 1, &[], 1, &transform(0, 1, 1, &[]));
        let e = parse_sa(&sa(&p)).unwrap_err();
        assert_eq!(e.offset, 8 + 16);
        // "Last transform" with bytes after it.
        let mut ts = transform(0, 1, 1, &[]);
        ts.extend(transform(0, 2, 1, &[]));
        let e = parse_sa(&sa(&proposal(0, 1, 1, &[], 2, &ts))).unwrap_err();
        assert_eq!(e.offset, 8 + 8 + 8);
    }

    #[test]
    fn labeled_domain_situation_is_skipped() {
        let mut body = vec![0, 0, 0, 1, 0, 0, 0, 3];
        body.extend_from_slice(&[0, 0, 0, 9]); // LDI
        body.extend_from_slice(&[0, 2, 0, 0, 7, 7]); // secrecy level, 2 bytes
        body.extend_from_slice(&[0, 9, 0, 0, 1, 2]); // 9-bit category bitmap
        body.extend_from_slice(&[0, 0, 0, 0]); // integrity level, empty
        body.extend_from_slice(&[0, 0, 0, 0]); // integrity categories, empty
        body.extend(proposal(0, 1, 1, &[], 1, &transform(0, 1, 1, &[])));
        let s = parse_sa(&body).unwrap();
        assert_eq!(s.proposals.len(), 1);
        let e = parse_sa(&body[..14]).unwrap_err();
        assert!(matches!(
            e.kind,
            IkeErrorKind::Truncated {
                what: "SA labeled domain",
                ..
            }
        ));
    }
}
