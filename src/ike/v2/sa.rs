//! Security Association payload, RFC 7296 §3.3: proposals (§3.3.1),
//! transforms (§3.3.2) and transform attributes (§3.3.5).

use super::{invalid, Cursor};
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::{Attribute, Proposal, Sa, Transform};
use crate::registry::ikev2::{
    transform_ids, SECURITY_PROTOCOLS, TRANSFORM_ATTRIBUTE_TYPES, TRANSFORM_TYPES,
};

/// Fixed part of a proposal substructure (before the SPI).
const PROPOSAL_HEADER: usize = 8;
/// Fixed part of a transform substructure (before the attributes).
const TRANSFORM_HEADER: usize = 8;
/// "Last Substruc" values: 0 = last, 2 = more proposals, 3 = more transforms.
const LAST: u8 = 0;
const MORE_PROPOSALS: u8 = 2;
const MORE_TRANSFORMS: u8 = 3;
/// Attribute Format bit: TV (2-byte value) rather than TLV.
const AF: u16 = 0x8000;

pub(super) fn parse(body: &[u8]) -> Result<Sa<'_>, IkeError> {
    let mut proposals = Vec::new();
    let mut off = 0;
    let mut last_seen = false;
    // Every proposal consumes at least PROPOSAL_HEADER bytes.
    while off < body.len() {
        if last_seen {
            return Err(invalid(
                off,
                "SA",
                format!("{} bytes after the last proposal", body.len() - off),
            ));
        }
        let rest = body.get(off..).unwrap_or(&[]);
        let (p, len, last) = proposal(rest, off)?;
        proposals.push(p);
        last_seen = last;
        off += len;
    }
    if !last_seen && !proposals.is_empty() {
        return Err(invalid(
            off,
            "SA",
            "last proposal is marked as followed by another".into(),
        ));
    }
    Ok(Sa {
        doi: None,
        situation: None,
        proposals,
    })
}

/// One proposal at the start of `data` (found at `base` in the SA body):
/// the proposal, its length and whether it is marked last.
fn proposal(data: &[u8], base: usize) -> Result<(Proposal<'_>, usize, bool), IkeError> {
    let mut c = Cursor::new(data, base, "proposal");
    let last = c.u8()?;
    if last != LAST && last != MORE_PROPOSALS {
        return Err(invalid(
            base,
            "proposal",
            format!("Last Substruc {last}, expected 0 or 2"),
        ));
    }
    c.u8()?; // reserved
    let len = c.u16()? as usize;
    let number = c.u8()?;
    let protocol_id = c.u8()?;
    let spi_size = c.u8()? as usize;
    let transform_count = c.u8()?;
    let minimum = PROPOSAL_HEADER + spi_size;
    if len < minimum {
        return Err(IkeError::new(
            base + 2,
            IkeErrorKind::PayloadTooShort {
                what: "proposal",
                declared: len,
                minimum,
            },
        ));
    }
    if len > data.len() {
        return Err(IkeError::new(
            base + 2,
            IkeErrorKind::PayloadOverrun {
                what: "proposal",
                declared: len,
                available: data.len(),
            },
        ));
    }
    let spi = c.take(spi_size)?;
    let inner = data.get(PROPOSAL_HEADER + spi_size..len).unwrap_or(&[]);
    let inner_base = base + PROPOSAL_HEADER + spi_size;
    let mut transforms = Vec::new();
    let mut off = 0;
    let mut last_seen = false;
    while off < inner.len() {
        if last_seen {
            return Err(invalid(
                inner_base + off,
                "proposal",
                format!("{} bytes after the last transform", inner.len() - off),
            ));
        }
        let rest = inner.get(off..).unwrap_or(&[]);
        let (t, tlen, tlast) = transform(rest, inner_base + off)?;
        transforms.push(t);
        last_seen = tlast;
        off += tlen;
    }
    if transforms.len() != usize::from(transform_count) {
        return Err(invalid(
            base + 7,
            "proposal",
            format!(
                "announces {transform_count} transforms, carries {}",
                transforms.len()
            ),
        ));
    }
    if !last_seen && !transforms.is_empty() {
        return Err(invalid(
            inner_base + off,
            "proposal",
            "last transform is marked as followed by another".into(),
        ));
    }
    Ok((
        Proposal {
            number,
            protocol_id,
            protocol: SECURITY_PROTOCOLS.name(protocol_id.into()),
            spi,
            transform_count,
            transforms,
        },
        len,
        last == LAST,
    ))
}

/// One transform at the start of `data` (at `base` in the SA body).
fn transform(data: &[u8], base: usize) -> Result<(Transform<'_>, usize, bool), IkeError> {
    let mut c = Cursor::new(data, base, "transform");
    let last = c.u8()?;
    if last != LAST && last != MORE_TRANSFORMS {
        return Err(invalid(
            base,
            "transform",
            format!("Last Substruc {last}, expected 0 or 3"),
        ));
    }
    c.u8()?; // reserved
    let len = c.u16()? as usize;
    let ttype = c.u8()?;
    c.u8()?; // reserved
    let id = c.u16()?;
    if len < TRANSFORM_HEADER {
        return Err(IkeError::new(
            base + 2,
            IkeErrorKind::PayloadTooShort {
                what: "transform",
                declared: len,
                minimum: TRANSFORM_HEADER,
            },
        ));
    }
    if len > data.len() {
        return Err(IkeError::new(
            base + 2,
            IkeErrorKind::PayloadOverrun {
                what: "transform",
                declared: len,
                available: data.len(),
            },
        ));
    }
    let attrs = data.get(TRANSFORM_HEADER..len).unwrap_or(&[]);
    let attributes = attributes(attrs, base + TRANSFORM_HEADER)?;
    Ok((
        Transform {
            number: None,
            transform_type: Some(ttype),
            transform_type_name: TRANSFORM_TYPES.name(ttype.into()),
            transform_id: id,
            transform: transform_ids(ttype).and_then(|t| t.name(id.into())),
            attributes,
        },
        len,
        last == LAST,
    ))
}

/// Transform attributes, RFC 7296 §3.3.5 (same TV/TLV format as RFC 2408 §3.3).
fn attributes(data: &[u8], base: usize) -> Result<Vec<Attribute<'_>>, IkeError> {
    let mut c = Cursor::new(data, base, "transform attribute");
    let mut out = Vec::new();
    // Every attribute consumes at least 4 bytes.
    while !c.is_empty() {
        let start = c.pos();
        let word = c.u16()?;
        let attr_type = word & !AF;
        let tv = word & AF != 0;
        let (value, bytes) = if tv {
            let v = c.take(2)?;
            (Some(u64::from(u16::from_be_bytes([v[0], v[1]]))), v)
        } else {
            let len = c.u16()? as usize;
            if len > c.remaining() {
                return Err(IkeError::new(
                    start + 2,
                    IkeErrorKind::PayloadOverrun {
                        what: "transform attribute",
                        declared: len,
                        available: c.remaining(),
                    },
                ));
            }
            let v = c.take(len)?;
            (be_number(v), v)
        };
        out.push(Attribute {
            attr_type,
            name: TRANSFORM_ATTRIBUTE_TYPES.name(attr_type.into()),
            value,
            value_name: None,
            bytes,
            tv,
        });
    }
    Ok(out)
}

/// A big-endian number of at most 8 bytes.
fn be_number(b: &[u8]) -> Option<u64> {
    if b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x)))
}
