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

/// Attribute types whose values have a known form (RFC 7296 §3.15.1 and
/// the Cisco Unity private values).
mod attr {
    pub const IP4_ADDRESS: u16 = 1;
    pub const IP4_NETMASK: u16 = 2;
    pub const IP4_DNS: u16 = 3;
    pub const IP4_NBNS: u16 = 4;
    pub const IP4_DHCP: u16 = 6;
    pub const APPLICATION_VERSION: u16 = 7;
    pub const IP6_ADDRESS: u16 = 8;
    pub const IP6_DNS: u16 = 10;
    pub const IP6_DHCP: u16 = 12;
    pub const IP4_SUBNET: u16 = 13;
    pub const SUPPORTED_ATTRIBUTES: u16 = 14;
    pub const IP6_SUBNET: u16 = 15;
    pub const P_CSCF_IP4: u16 = 20;
    pub const P_CSCF_IP6: u16 = 21;
    pub const DNS_DOMAIN: u16 = 25;
    pub const UNITY_BANNER: u16 = 28672;
    pub const UNITY_DEF_DOMAIN: u16 = 28674;
    pub const UNITY_SPLIT_DOMAIN: u16 = 28675;
    pub const UNITY_BACKUP_SERVERS: u16 = 28681;
    pub const UNITY_DDNS_HOSTNAME: u16 = 28682;
}

/// Human form of an attribute value per RFC 7296 §3.15.1 (empty in requests).
fn value(attr_type: u16, b: &[u8]) -> String {
    use attr::*;
    match (attr_type, b.len()) {
        (_, 0) => String::new(),
        (IP4_ADDRESS | IP4_NETMASK | IP4_DNS | IP4_NBNS | IP4_DHCP | P_CSCF_IP4, 4) => addr(b),
        // Address and netmask.
        (IP4_SUBNET, 8) => {
            let (a, m) = b.split_at(4);
            format!("{}/{}", addr(a), addr(m))
        }
        // Address and prefix length.
        (IP6_ADDRESS | IP6_SUBNET, 17) => {
            let (a, p) = b.split_at(16);
            let prefix = p.first().copied().unwrap_or(0);
            format!("{}/{prefix}", addr(a))
        }
        (IP6_DNS | IP6_DHCP | P_CSCF_IP6, 16) => addr(b),
        (
            APPLICATION_VERSION | DNS_DOMAIN | UNITY_BANNER | UNITY_DEF_DOMAIN | UNITY_SPLIT_DOMAIN
            | UNITY_BACKUP_SERVERS | UNITY_DDNS_HOSTNAME,
            _,
        ) => text(b),
        // A list of 2-byte attribute types.
        (SUPPORTED_ATTRIBUTES, n) if n.is_multiple_of(2) => b
            .chunks_exact(2)
            .map(|w| (u16::from_be_bytes([w[0], w[1]]) & 0x7fff).to_string())
            .collect::<Vec<_>>()
            .join(","),
        _ => hex::encode(b),
    }
}
