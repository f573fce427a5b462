//! Attributes payload (mode-config and XAUTH), draft-dukes-ike-mode-cfg-02
//! §3.2 and draft-beaulieu-ike-xauth-02: type, reserved, identifier, then
//! data attributes in the RFC 2408 §3.3 TV/TLV form. Values get a human form;
//! XAUTH passwords, passcodes, PINs and answers are masked.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::bytes::Reader;
use crate::ike::error::IkeError;
use crate::ike::repr::{Config, ConfigAttribute};
use crate::registry::ikev1::{cfg_attr as a, CFG_ATTRIBUTES, CFG_TYPES, XAUTH_STATUS, XAUTH_TYPES};

use super::attr::{be_uint, parse_attributes, AttributeClass};
use super::id::text;
use super::short;

/// What a masked secret shows.
pub const MASK: &str = "********";

/// Decode an Attributes payload body.
pub fn parse_cfg(body: &[u8]) -> Result<Config<'_>, IkeError> {
    let mut r = Reader::new(body);
    let cfg_type = r.u8().map_err(short("attributes payload"))?;
    r.skip(1).map_err(short("attributes payload"))?;
    let identifier = r.u16().map_err(short("attributes payload"))?;
    let base = r.pos();
    let attributes = parse_attributes(r.rest(), AttributeClass::Unnamed)
        .map_err(|e| e.add_offset(base))?
        .into_iter()
        .map(|a| ConfigAttribute {
            attr_type: a.attr_type,
            name: CFG_ATTRIBUTES.name(a.attr_type.into()),
            value: render(a.attr_type, a.tv, a.bytes),
            bytes: a.bytes,
        })
        .collect();
    Ok(Config {
        cfg_type,
        cfg_type_name: CFG_TYPES.name(cfg_type.into()),
        identifier: Some(identifier),
        attributes,
    })
}

/// The human form of one attribute value. Empty values (requests) stay "".
fn render(t: u16, tv: bool, b: &[u8]) -> String {
    if b.is_empty() {
        return String::new();
    }
    let v4 = |b: &[u8]| <[u8; 4]>::try_from(b).ok().map(Ipv4Addr::from);
    let v6 = |b: &[u8]| <[u8; 16]>::try_from(b).ok().map(Ipv6Addr::from);
    let number = || be_uint(b).map(|n| n.to_string());
    let named = |table: &crate::registry::Table| {
        be_uint(b)
            .and_then(|n| u32::try_from(n).ok())
            .map(|n| table.name_or_number(n))
    };
    let out = match t {
        a::XAUTH_USER_PASSWORD | a::XAUTH_PASSCODE | a::XAUTH_NEXT_PIN | a::XAUTH_ANSWER => {
            Some(MASK.to_string())
        }
        a::INTERNAL_IP4_ADDRESS
        | a::INTERNAL_IP4_NETMASK
        | a::INTERNAL_IP4_DNS
        | a::INTERNAL_IP4_NBNS
        | a::INTERNAL_IP4_DHCP => v4(b).map(|x| x.to_string()),
        a::INTERNAL_IP4_SUBNET if b.len() == 8 => v4(&b[..4])
            .zip(v4(&b[4..]))
            .map(|(n, m)| format!("{n}/{m}")),
        a::INTERNAL_IP6_ADDRESS | a::INTERNAL_IP6_SUBNET if b.len() == 17 => {
            v6(&b[..16]).map(|x| format!("{x}/{}", b[16]))
        }
        a::INTERNAL_IP6_ADDRESS
        | a::INTERNAL_IP6_NETMASK
        | a::INTERNAL_IP6_DNS
        | a::INTERNAL_IP6_NBNS
        | a::INTERNAL_IP6_DHCP => v6(b).map(|x| x.to_string()),
        a::SUPPORTED_ATTRIBUTES if b.len().is_multiple_of(2) => Some(
            b.chunks_exact(2)
                .map(|c| CFG_ATTRIBUTES.name_or_number(u16::from_be_bytes([c[0], c[1]]).into()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        a::XAUTH_TYPE => named(&XAUTH_TYPES),
        a::XAUTH_STATUS => named(&XAUTH_STATUS),
        a::UNITY_SPLIT_INCLUDE | a::UNITY_LOCAL_LAN if b.len().is_multiple_of(14) => Some(
            // Cisco Unity split-tunnel entries: address, mask, protocol,
            // source port, destination port (14 bytes each).
            b.chunks_exact(14)
                .filter_map(|c| v4(&c[..4]).zip(v4(&c[4..8])))
                .map(|(n, m)| format!("{n}/{m}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        a::APPLICATION_VERSION
        | a::XAUTH_USER_NAME
        | a::XAUTH_MESSAGE
        | a::XAUTH_CHALLENGE
        | a::XAUTH_DOMAIN
        | a::UNITY_BANNER
        | a::UNITY_DEF_DOMAIN
        | a::UNITY_SPLIT_DOMAIN
        | a::UNITY_BACKUP_SERVERS
        | a::UNITY_DDNS_HOSTNAME => Some(text(b)),
        a::INTERNAL_ADDRESS_EXPIRY | a::UNITY_SAVE_PASSWD | a::UNITY_NATT_PORT | a::UNITY_PFS => {
            number()
        }
        _ if tv => number(),
        _ => None,
    };
    out.unwrap_or_else(|| hex::encode(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(t: u16, v: &[u8]) -> Vec<u8> {
        let mut out = t.to_be_bytes().to_vec();
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(v);
        out
    }

    #[test]
    fn xauth_reply_masks_password() {
        let mut b = vec![2, 0, 0x12, 0x34];
        b.extend(tlv(16521, b"alice"));
        b.extend(tlv(16522, b"s3cret"));
        b.extend_from_slice(&[0xc0, 0x88, 0x00, 0x00]); // XAUTH-TYPE (TV) Generic
        let c = parse_cfg(&b).unwrap();
        assert_eq!(
            (c.cfg_type_name, c.identifier),
            (Some("ISAKMP_CFG_REPLY"), Some(0x1234))
        );
        assert_eq!(c.attributes[0].name, Some("XAUTH-USER-NAME"));
        assert_eq!(c.attributes[0].value, "alice");
        assert_eq!(c.attributes[1].value, MASK);
        assert_eq!(c.attributes[1].bytes, b"s3cret");
        assert_eq!(
            (c.attributes[2].name, c.attributes[2].value.as_str()),
            (Some("XAUTH-TYPE"), "Generic")
        );
    }

    #[test]
    fn mode_config_reply() {
        let mut b = vec![2, 0, 0, 1];
        b.extend(tlv(1, &[10, 0, 0, 5]));
        b.extend(tlv(28672, b"Welcome\n"));
        b.extend(tlv(14, &[0, 1, 0x70, 0x00]));
        b.extend(tlv(28676, &[10, 1, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]));
        b.extend(tlv(16527, &[0, 1]));
        b.extend(tlv(16520, &[])); // request form, empty
        let c = parse_cfg(&b).unwrap();
        let v: Vec<_> = c.attributes.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(
            v,
            [
                "10.0.0.5",
                // Kept as sent; text output escapes it (report::term).
                "Welcome\n",
                "INTERNAL_IP4_ADDRESS, UNITY_BANNER",
                "10.1.0.0/255.255.0.0",
                "OK",
                ""
            ]
        );
    }

    #[test]
    fn attribute_overrun() {
        use crate::ike::error::IkeErrorKind;
        let mut b = vec![1, 0, 0, 1];
        b.extend_from_slice(&[0x40, 0x89, 0x00, 0x10, 1, 2]);
        let e = parse_cfg(&b).unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(matches!(
            e.kind,
            IkeErrorKind::PayloadOverrun {
                declared: 16,
                available: 2,
                ..
            }
        ));
    }

    #[test]
    fn short_cfg_header() {
        let e = parse_cfg(&[1, 0, 0]).unwrap_err();
        assert_eq!(e.offset, 2);
    }
}
