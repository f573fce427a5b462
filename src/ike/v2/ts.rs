//! Traffic Selector payloads (TSi/TSr), RFC 7296 §3.13 and §3.13.1.

use super::{addr, invalid, Cursor};
use crate::ike::error::{IkeError, IkeErrorKind};
use crate::ike::repr::{TrafficSelector, Ts};
use crate::registry::ikev2::TS_TYPES;

const TS_IPV4_ADDR_RANGE: u8 = 7;
const TS_IPV6_ADDR_RANGE: u8 = 8;
/// Type, protocol (or reserved), length: the part every selector type shares.
const SELECTOR_HEADER: usize = 4;

pub(super) fn parse(body: &[u8]) -> Result<Ts, IkeError> {
    let mut c = Cursor::new(body, 0, "TS");
    let count = c.u8()?;
    c.u24()?; // reserved
    let mut selectors = Vec::new();
    // Every selector consumes at least SELECTOR_HEADER bytes.
    while !c.is_empty() {
        let start = c.pos();
        let ts_type = c.u8()?;
        let ip_protocol = c.u8()?;
        let len = c.u16()? as usize;
        if len < SELECTOR_HEADER {
            return Err(IkeError::new(
                start + 2,
                IkeErrorKind::PayloadTooShort {
                    what: "traffic selector",
                    declared: len,
                    minimum: SELECTOR_HEADER,
                },
            ));
        }
        let want = match ts_type {
            TS_IPV4_ADDR_RANGE => Some(16),
            TS_IPV6_ADDR_RANGE => Some(40),
            _ => None,
        };
        if let Some(w) = want {
            if len != w {
                return Err(invalid(
                    start + 2,
                    "traffic selector",
                    format!("length {len} for type {ts_type}, expected {w}"),
                ));
            }
        }
        if len - SELECTOR_HEADER > c.remaining() {
            return Err(IkeError::new(
                start + 2,
                IkeErrorKind::PayloadOverrun {
                    what: "traffic selector",
                    declared: len,
                    available: c.remaining() + SELECTOR_HEADER,
                },
            ));
        }
        let rest = c.take(len - SELECTOR_HEADER)?;
        let sel = match want {
            Some(_) => {
                let mut s = Cursor::new(rest, start + SELECTOR_HEADER, "traffic selector");
                let start_port = s.u16()?;
                let end_port = s.u16()?;
                let alen = (rest.len() - 4) / 2;
                let start_addr = addr(s.take(alen)?);
                let end_addr = addr(s.take(alen)?);
                TrafficSelector {
                    ts_type,
                    ts_type_name: TS_TYPES.name(ts_type.into()),
                    ip_protocol,
                    start_port,
                    end_port,
                    start_addr,
                    end_addr,
                }
            }
            // Other selector types (FC, security label): kept opaque.
            None => TrafficSelector {
                ts_type,
                ts_type_name: TS_TYPES.name(ts_type.into()),
                ip_protocol,
                start_port: 0,
                end_port: 0,
                start_addr: hex::encode(rest),
                end_addr: String::new(),
            },
        };
        selectors.push(sel);
    }
    if selectors.len() != usize::from(count) {
        return Err(invalid(
            0,
            "TS",
            format!("announces {count} selectors, carries {}", selectors.len()),
        ));
    }
    Ok(Ts { selectors })
}
