//! Identification payload, IPsec DOI form, RFC 2407 §4.6.2: ID type, IP
//! protocol, port, identification data; and the human rendering of ID data
//! shared with NAT-OA (RFC 3947 §5.2).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::bytes::Reader;
use crate::ike::error::IkeError;
use crate::ike::repr::Id;
use crate::registry::ikev1::{id_type, ID_TYPES};

use super::short;

/// Decode an Identification payload body.
pub fn parse_id(body: &[u8]) -> Result<Id<'_>, IkeError> {
    let mut r = Reader::new(body);
    let id_type = r.u8().map_err(short("ID"))?;
    let protocol = r.u8().map_err(short("ID"))?;
    let port = r.u16().map_err(short("ID"))?;
    let data = r.rest();
    Ok(Id {
        id_type,
        id_type_name: ID_TYPES.name(id_type.into()),
        protocol,
        port,
        value: render_id(id_type, data),
        data,
    })
}

/// Human form of IPsec DOI identification data (RFC 2407 §4.6.2.1):
/// addresses, "net/mask" subnets, "first-last" ranges, names, a DER DN as
/// "C=US, O=Example, CN=host". Data whose length does not fit its type, and
/// types with no text form, are shown as hex.
pub fn render_id(id_type: u8, data: &[u8]) -> String {
    let v4 = |b: &[u8]| <[u8; 4]>::try_from(b).ok().map(Ipv4Addr::from);
    let v6 = |b: &[u8]| <[u8; 16]>::try_from(b).ok().map(Ipv6Addr::from);
    let rendered =
        match id_type {
            id_type::IPV4_ADDR => v4(data).map(|a| a.to_string()),
            id_type::IPV6_ADDR => v6(data).map(|a| a.to_string()),
            id_type::IPV4_ADDR_SUBNET | id_type::IPV4_ADDR_RANGE if data.len() == 8 => {
                let sep = if id_type == id_type::IPV4_ADDR_RANGE {
                    '-'
                } else {
                    '/'
                };
                v4(&data[..4])
                    .zip(v4(&data[4..]))
                    .map(|(a, b)| format!("{a}{sep}{b}"))
            }
            id_type::IPV6_ADDR_SUBNET if data.len() == 32 => v6(&data[..16])
                .zip(v6(&data[16..]))
                .map(|(a, m)| match prefix_len(&data[16..]) {
                    Some(len) => format!("{a}/{len}"),
                    None => format!("{a}/{m}"),
                }),
            id_type::IPV6_ADDR_RANGE if data.len() == 32 => v6(&data[..16])
                .zip(v6(&data[16..]))
                .map(|(a, b)| format!("{a}-{b}")),
            id_type::FQDN | id_type::USER_FQDN => Some(text(data)),
            id_type::KEY_ID if is_printable(data) => Some(text(data)),
            id_type::DER_ASN1_DN => render_der_dn(data),
            _ => None,
        };
    rendered.unwrap_or_else(|| hex::encode(data))
}

/// The prefix length of a contiguous netmask, if it is one.
fn prefix_len(mask: &[u8]) -> Option<u32> {
    let ones: u32 = mask.iter().map(|b| b.count_ones()).sum();
    let contiguous = mask.iter().enumerate().all(|(i, &b)| {
        let bit_index = i as u32 * 8;
        let want = ones.saturating_sub(bit_index).min(8);
        b == (0xffu16 << (8 - want)) as u8
    });
    contiguous.then_some(ones)
}

/// Non-empty printable ASCII.
fn is_printable(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(|c| (0x20..0x7f).contains(c))
}

/// Bytes as text: UTF-8 (lossy), every character kept as it is. Text
/// output escapes control and bidirectional characters when it prints
/// (`report::term`); JSON carries them JSON-escaped.
pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Maximum nesting and element counts the DN walker accepts.
const MAX_RDNS: usize = 64;

/// A DER distinguished name (X.501 Name: SEQUENCE OF SET OF
/// AttributeTypeAndValue) as "C=US, O=Example, CN=host" in wire order.
/// `None` when the bytes are not a well-formed Name.
pub fn render_der_dn(der: &[u8]) -> Option<String> {
    let (tag, name, rest) = der_tlv(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut rdns = name;
    let mut count = 0;
    while !rdns.is_empty() {
        count += 1;
        if count > MAX_RDNS {
            return None;
        }
        let (tag, mut set, after) = der_tlv(rdns)?;
        if tag != 0x31 {
            return None;
        }
        rdns = after;
        if !out.is_empty() {
            out.push_str(", ");
        }
        let mut first = true;
        while !set.is_empty() {
            let (tag, atv, after) = der_tlv(set)?;
            if tag != 0x30 {
                return None;
            }
            set = after;
            let (otag, oid, value) = der_tlv(atv)?;
            if otag != 0x06 {
                return None;
            }
            let (vtag, v, end) = der_tlv(value)?;
            if !end.is_empty() {
                return None;
            }
            if !first {
                out.push('+');
            }
            first = false;
            match attribute_short_name(oid) {
                Some(n) => out.push_str(n),
                None => out.push_str(&oid_dotted(oid)?),
            }
            out.push('=');
            out.push_str(&der_string(vtag, v));
        }
    }
    Some(out)
}

/// One DER TLV with a single-byte tag: (tag, contents, rest).
fn der_tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let mut r = Reader::new(b);
    let tag = r.u8().ok()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags never occur in a Name
    }
    let first = r.u8().ok()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for _ in 0..n {
            len = (len << 8) | usize::from(r.u8().ok()?);
        }
        len
    };
    let contents = r.take(len).ok()?;
    Some((tag, contents, r.rest()))
}

/// Short names of the usual DN attribute types (RFC 4514 §3 and common use).
fn attribute_short_name(oid: &[u8]) -> Option<&'static str> {
    const X520: [u8; 2] = [0x55, 0x04];
    const PKCS9_EMAIL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
    const PILOT: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01];
    if oid == PKCS9_EMAIL {
        return Some("E");
    }
    if let Some(last) = oid.strip_prefix(PILOT) {
        return match last {
            [0x01] => Some("UID"),
            [0x19] => Some("DC"),
            _ => None,
        };
    }
    match oid {
        [a, b, x] if [*a, *b] == X520 => match x {
            3 => Some("CN"),
            4 => Some("SN"),
            5 => Some("serialNumber"),
            6 => Some("C"),
            7 => Some("L"),
            8 => Some("ST"),
            9 => Some("street"),
            10 => Some("O"),
            11 => Some("OU"),
            12 => Some("title"),
            42 => Some("GN"),
            43 => Some("initials"),
            46 => Some("dnQualifier"),
            _ => None,
        },
        _ => None,
    }
}

/// An OID in dotted-decimal form.
fn oid_dotted(oid: &[u8]) -> Option<String> {
    let (&first, rest) = oid.split_first()?;
    let mut out = format!("{}.{}", first / 40, first % 40);
    let mut acc: u64 = 0;
    for &b in rest {
        if acc > u64::MAX >> 8 {
            return None;
        }
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            let _ = write!(out, ".{acc}");
            acc = 0;
        }
    }
    Some(out)
}

/// A DER string value for display; non-string types as "#hex" (RFC 4514 §2.4).
fn der_string(tag: u8, v: &[u8]) -> String {
    match tag {
        // UTF8String, PrintableString, T61String, IA5String, VisibleString.
        0x0c | 0x13 | 0x14 | 0x16 | 0x1a => text(v),
        // BMPString: UTF-16BE.
        0x1e if v.len().is_multiple_of(2) => {
            let units = v.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            let s: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            text(s.as_bytes())
        }
        _ => format!("#{}", hex::encode(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(t: u8, proto: u8, port: u16, data: &[u8]) -> Vec<u8> {
        let mut v = vec![t, proto];
        v.extend_from_slice(&port.to_be_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn addresses() {
        let b = id(1, 17, 500, &[192, 0, 2, 1]);
        let i = parse_id(&b).unwrap();
        assert_eq!(
            (i.id_type_name, i.protocol, i.port),
            (Some("ID_IPV4_ADDR"), 17, 500)
        );
        assert_eq!(i.value, "192.0.2.1");
        let b = id(4, 0, 0, &[10, 1, 0, 0, 255, 255, 0, 0]);
        let i = parse_id(&b).unwrap();
        assert_eq!(i.value, "10.1.0.0/255.255.0.0");
        let b = id(7, 0, 0, &[192, 0, 2, 1, 192, 0, 2, 9]);
        let i = parse_id(&b).unwrap();
        assert_eq!(i.value, "192.0.2.1-192.0.2.9");
        let mut v6 = vec![0x20, 0x01, 0x0d, 0xb8];
        v6.extend_from_slice(&[0; 12]);
        assert_eq!(render_id(5, &v6), "2001:db8::");
        let mut net = v6.clone();
        net.extend_from_slice(&[0xff; 8]);
        net.extend_from_slice(&[0; 8]);
        assert_eq!(render_id(6, &net), "2001:db8::/64");
        // Wrong length for the type: hex.
        assert_eq!(render_id(1, &[1, 2, 3]), "010203");
    }

    #[test]
    fn names_and_keys() {
        assert_eq!(render_id(2, b"vpn.example.com"), "vpn.example.com");
        assert_eq!(render_id(3, b"user@example.com"), "user@example.com");
        assert_eq!(render_id(3, b"a\x1bb"), "a\x1bb");
        assert_eq!(render_id(11, b"groupname"), "groupname");
        assert_eq!(render_id(11, &[0x00, 0xff]), "00ff");
        assert_eq!(render_id(10, &[0x30, 0x00]), "3000");
    }

    /// DER for C=US, O=Example+OU=Lab, CN=host (one two-valued RDN).
    fn sample_dn() -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut v = vec![tag, body.len() as u8];
            v.extend_from_slice(body);
            v
        }
        fn atv(x: u8, s: &str, strtag: u8) -> Vec<u8> {
            let mut b = tlv(0x06, &[0x55, 0x04, x]);
            b.extend(tlv(strtag, s.as_bytes()));
            tlv(0x30, &b)
        }
        let mut name = tlv(0x31, &atv(6, "US", 0x13));
        let mut two = atv(10, "Example", 0x0c);
        two.extend(atv(11, "Lab", 0x0c));
        name.extend(tlv(0x31, &two));
        name.extend(tlv(0x31, &atv(3, "host", 0x0c)));
        tlv(0x30, &name)
    }

    #[test]
    fn der_dn() {
        let dn = sample_dn();
        assert_eq!(
            render_der_dn(&dn).unwrap(),
            "C=US, O=Example+OU=Lab, CN=host"
        );
        assert_eq!(render_id(9, &dn), "C=US, O=Example+OU=Lab, CN=host");
        // Truncated DER falls back to hex.
        let cut = &dn[..dn.len() - 1];
        assert_eq!(render_id(9, cut), hex::encode(cut));
        assert_eq!(
            oid_dotted(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]).unwrap(),
            "1.2.840.113549"
        );
    }

    #[test]
    fn short_id() {
        let e = parse_id(&[1, 17, 1]).unwrap_err();
        assert_eq!(e.offset, 2);
    }
}
