//! Identification payloads (IDi/IDr), RFC 7296 §3.5, with a best-effort
//! rendering of DER distinguished names (RFC 5280 §4.1.2.4).

use super::{addr, text, Cursor};
use crate::ike::error::IkeError;
use crate::ike::repr::Id;
use crate::registry::ikev2::ID_TYPES;

const ID_IPV4_ADDR: u8 = 1;
const ID_FQDN: u8 = 2;
const ID_RFC822_ADDR: u8 = 3;
const ID_IPV6_ADDR: u8 = 5;
const ID_DER_ASN1_DN: u8 = 9;

pub(super) fn parse(body: &[u8]) -> Result<Id<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "ID");
    let id_type = c.u8()?;
    c.u24()?; // reserved
    let data = c.rest();
    let value = match (id_type, data.len()) {
        (ID_IPV4_ADDR, 4) | (ID_IPV6_ADDR, 16) => addr(data),
        (ID_FQDN | ID_RFC822_ADDR, _) => text(data),
        (ID_DER_ASN1_DN, _) => dn(data).unwrap_or_else(|| hex::encode(data)),
        _ => hex::encode(data),
    };
    Ok(Id {
        id_type,
        id_type_name: ID_TYPES.name(id_type.into()),
        protocol: 0,
        port: 0,
        value,
        data,
    })
}

/// X.500 attribute types by DER-encoded OID body (RFC 4519 §2, RFC 2985,
/// RFC 4524 §2.4), with their customary short names.
const DN_ATTRIBUTES: &[(&[u8], &str)] = &[
    (&[0x55, 0x04, 0x03], "CN"),
    (&[0x55, 0x04, 0x04], "SN"),
    (&[0x55, 0x04, 0x05], "serialNumber"),
    (&[0x55, 0x04, 0x06], "C"),
    (&[0x55, 0x04, 0x07], "L"),
    (&[0x55, 0x04, 0x08], "ST"),
    (&[0x55, 0x04, 0x09], "street"),
    (&[0x55, 0x04, 0x0a], "O"),
    (&[0x55, 0x04, 0x0b], "OU"),
    (&[0x55, 0x04, 0x0c], "title"),
    (&[0x55, 0x04, 0x2a], "GN"),
    (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], "E"),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19],
        "DC",
    ),
    (
        &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01],
        "UID",
    ),
];

/// DER tags used by a Name (X.690 §8).
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;

/// One DER TLV at the start of `b`: (tag, value, rest). Definite lengths of
/// up to 4 bytes only, as DER requires.
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, b) = b.split_first()?;
    let (&l0, mut b) = b.split_first()?;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (lb, rest) = (b.get(..n)?, b.get(n..)?);
        b = rest;
        lb.iter().fold(0usize, |a, &x| (a << 8) | usize::from(x))
    };
    Some((tag, b.get(..len)?, b.get(len..)?))
}

/// Render a DER Name as "C=.., O=.., CN=..", or `None` if it is not one.
fn dn(der: &[u8]) -> Option<String> {
    let (tag, mut rdns, rest) = tlv(der)?;
    if tag != SEQUENCE || !rest.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    // Each iteration consumes at least one 2-byte TLV.
    while !rdns.is_empty() {
        let (tag, mut set, next) = tlv(rdns)?;
        if tag != SET {
            return None;
        }
        rdns = next;
        while !set.is_empty() {
            let (tag, atv, next) = tlv(set)?;
            if tag != SEQUENCE {
                return None;
            }
            set = next;
            let (tag, oid, val) = tlv(atv)?;
            if tag != OID {
                return None;
            }
            let (_, v, _) = tlv(val)?;
            let name = DN_ATTRIBUTES
                .iter()
                .find(|(o, _)| *o == oid)
                .map(|(_, n)| (*n).to_string())
                .unwrap_or_else(|| oid_dotted(oid));
            parts.push(format!("{name}={}", text(v)));
        }
    }
    Some(parts.join(", "))
}

/// An OID body in dotted-decimal form (X.690 §8.19).
fn oid_dotted(b: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for &x in b {
        acc = (acc << 7) | u64::from(x & 0x7f);
        if x & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
        if acc > u64::MAX >> 8 {
            break;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_dn() {
        // SEQUENCE { SET { SEQ { 2.5.4.6, PrintableString "CH" } },
        //            SET { SEQ { 2.5.4.3, UTF8String "moon" } } }
        let der = [
            0x30, 0x1b, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x06, 0x13, 0x02, b'C',
            b'H', 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x03, b'm', b'o',
            b'o',
        ];
        assert_eq!(dn(&der).as_deref(), Some("C=CH, CN=moo"));
        assert_eq!(dn(&der[..10]), None);
        assert_eq!(oid_dotted(&[0x2a, 0x86, 0x48]), "1.2.840");
    }
}
