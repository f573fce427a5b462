//! Configuration payload, RFC 7296 §3.15 and its attributes (§3.15.1).

use super::{addr, text, Cursor};
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::{Config, ConfigAttribute};
use crate::registry::ikev2::{CFG_ATTRIBUTES, CFG_TYPES};

pub(super) fn parse(body: &[u8]) -> Result<Config<'_>, IkeError> {
    let mut c = Cursor::new(body, 0, "CP");
    let cfg_type = c.u8()?;
    c.u24()?; // reserved
    let mut attributes = Vec::new();
    // Every attribute consumes at least 4 bytes.
    while !c.is_empty() {
        let start = c.pos();
        let mut a = Cursor::new(c.rest(), start, "configuration attribute");
        let attr_type = a.u16()? & 0x7fff; // top bit reserved
        let len = a.u16()? as usize;
        if len > a.remaining() {
            return Err(IkeError::new(
                start + 2,
                IkeErrorKind::PayloadOverrun {
                    what: "configuration attribute",
                    declared: len,
                    available: a.remaining(),
                },
            ));
        }
        let bytes = a.take(len)?;
        c.take(4 + len)?;
        attributes.push(ConfigAttribute {
            attr_type,
            name: CFG_ATTRIBUTES.name(attr_type.into()),
            value: value(attr_type, bytes),
            bytes,
        });
    }
    Ok(Config {
        cfg_type,
        cfg_type_name: CFG_TYPES.name(cfg_type.into()),
        identifier: None,
        attributes,
    })
}

/// Human form of an attribute value per RFC 7296 §3.15.1 (empty in requests).
fn value(attr_type: u16, b: &[u8]) -> String {
    match (attr_type, b.len()) {
        (_, 0) => String::new(),
        // IPv4 address, netmask, DNS, NBNS, DHCP, P-CSCF.
        (1 | 2 | 3 | 4 | 6 | 20, 4) => addr(b),
        // IPv4 subnet: address and netmask.
        (13, 8) => format!("{}/{}", addr(&b[..4]), addr(&b[4..])),
        // IPv6 address or subnet with prefix length.
        (8 | 15, 17) => format!("{}/{}", addr(&b[..16]), b[16]),
        // IPv6 DNS, DHCP, P-CSCF.
        (10 | 12 | 21, 16) => addr(b),
        // Application version, DNS domain.
        (7 | 25, _) => text(b),
        // Supported attributes: a list of 2-byte types.
        (14, n) if n.is_multiple_of(2) => b
            .chunks_exact(2)
            .map(|w| (u16::from_be_bytes([w[0], w[1]]) & 0x7fff).to_string())
            .collect::<Vec<_>>()
            .join(","),
        _ => hex::encode(b),
    }
}
