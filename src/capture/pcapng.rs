//! pcapng files (draft-ietf-opsawg-pcapng).
//!
//! A file is one or more sections, each opened by a Section Header Block
//! whose byte-order magic sets the endianness of the section. Interface
//! Description Blocks declare the section's interfaces (link type, snaplen,
//! `if_tsresol`, `if_tsoffset`); packets come in Enhanced Packet Blocks,
//! Simple Packet Blocks (interface 0) and the obsolete Packet Block. All
//! other blocks are skipped by their length without being buffered.

use super::window::Window;
use super::{CaptureError, Frame, FrameSink, LinkType, Origin, Outcome, Timestamp};

/// Section Header Block type (the same in both byte orders).
pub const SHB: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
/// Byte-order magic of the SHB.
pub const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
/// Interface Description Block (§4.2).
pub const IDB: u32 = 1;
/// Obsolete Packet Block (Appendix A).
pub const PB: u32 = 2;
/// Simple Packet Block (§4.4).
pub const SPB: u32 = 3;
/// Enhanced Packet Block (§4.3).
pub const EPB: u32 = 6;
/// Systemd Journal Export Block (§4.7): a record, not a packet.
pub const JOURNAL: u32 = 9;
/// Custom Blocks (§4.8), copyable and not: records, not packets.
pub const CUSTOM: u32 = 0x0000_0bad;
pub const CUSTOM_NOCOPY: u32 = 0x4000_0bad;
/// Sysdig event blocks (Wireshark's pcapng.c numbers them as records):
/// version 1 and version 2 (plain and large).
pub const SYSDIG_EVENT: u32 = 0x0000_0204;
pub const SYSDIG_EVENT_V2: u32 = 0x0000_0216;
pub const SYSDIG_EVENT_V2_LARGE: u32 = 0x0000_0221;
/// Smallest valid custom block: header, PEN, trailer.
const MIN_CUSTOM: u32 = 16;
/// Smallest journal export block Wireshark accepts.
const MIN_JOURNAL: u32 = 35;
/// Largest block we buffer: a maximal packet plus generous room for options.
pub const MAX_BLOCK: u32 = super::pcap::MAX_RECORD + 64 * 1024;

/// Most interfaces accepted in one section (keeps memory independent of the
/// file size even for a file made of nothing but IDBs).
pub const MAX_INTERFACES: usize = 1 << 16;

/// `if_tsresol` option code (§4.2).
const OPT_IF_TSRESOL: u16 = 9;
/// `if_tsoffset` option code (§4.2).
const OPT_IF_TSOFFSET: u16 = 14;

/// One interface of the current section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Time-stamp units per second (`if_tsresol`, default 10^6).
    units: u64,
    /// Seconds added to every time stamp (`if_tsoffset`).
    offset_secs: i64,
}

#[derive(Clone, Copy)]
struct Order(bool);

impl Order {
    #[inline]
    fn u32(self, b: &[u8], at: usize) -> u32 {
        let mut a = [0u8; 4];
        if let Some(s) = b.get(at..at + 4) {
            a.copy_from_slice(s);
        }
        if self.0 {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    #[inline]
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let mut a = [0u8; 2];
        if let Some(s) = b.get(at..at + 2) {
            a.copy_from_slice(s);
        }
        if self.0 {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }

    fn u64(self, b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        if let Some(s) = b.get(at..at + 8) {
            a.copy_from_slice(s);
        }
        if self.0 {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        }
    }
}

/// Does the input start with a Section Header Block?
pub fn is_pcapng(head: &[u8]) -> bool {
    head.get(..4) == Some(&SHB[..])
}

/// Units per second for an `if_tsresol` value: 10^-n, or 2^-n when the top
/// bit is set. `None` when the result does not fit in 64 bits.
pub fn tsresol_units(v: u8) -> Option<u64> {
    let n = u32::from(v & 0x7f);
    if v & 0x80 != 0 {
        1u64.checked_shl(n)
    } else {
        10u64.checked_pow(n)
    }
}

/// Convert a raw 64-bit pcapng time stamp to seconds and nanoseconds.
fn timestamp(raw: u64, iface: &Interface) -> Timestamp {
    let units = iface.units.max(1);
    let secs = raw / units;
    let frac = raw % units;
    let nanos = (u128::from(frac) * 1_000_000_000 / u128::from(units)) as u32;
    Timestamp {
        secs: (secs as i64).saturating_add(iface.offset_secs),
        nanos,
    }
}

/// Parse an IDB body (after the 8-byte block header, without the trailing length).
fn parse_idb(body: &[u8], order: Order) -> Result<Interface, String> {
    if body.len() < 8 {
        return Err(format!(
            "interface description block body of {} bytes",
            body.len()
        ));
    }
    let mut iface = Interface {
        link: LinkType(u32::from(order.u16(body, 0))),
        snaplen: order.u32(body, 4),
        units: 1_000_000,
        offset_secs: 0,
    };
    // Options: code (2), length (2), value padded to 4 bytes, until opt_endofopt.
    let mut pos = 8usize;
    for _ in 0..body.len() {
        let (Some(_), code, len) = (
            body.get(pos..pos + 4),
            order.u16(body, pos),
            order.u16(body, pos + 2),
        ) else {
            break;
        };
        if code == 0 {
            break;
        }
        let len = usize::from(len);
        let Some(value) = body.get(pos + 4..pos + 4 + len) else {
            break;
        };
        match code {
            OPT_IF_TSRESOL if len >= 1 => {
                if let Some(u) = value.first().and_then(|&v| tsresol_units(v)) {
                    iface.units = u;
                }
            }
            OPT_IF_TSOFFSET if len >= 8 => iface.offset_secs = order.u64(value, 0) as i64,
            _ => {}
        }
        pos += 4 + len.div_ceil(4) * 4;
    }
    Ok(iface)
}

/// Read a pcapng file from `w` (positioned at the first SHB).
pub(crate) fn read<W: Window>(
    w: &mut W,
    sink: &mut dyn FrameSink,
) -> Result<Outcome, CaptureError> {
    if !w.fill(12)? || !is_pcapng(w.avail()) {
        return Err(CaptureError::BadHeader {
            offset: 0,
            reason: "pcapng section header block needs 12 bytes".into(),
        });
    }
    let mut out = Outcome::default();
    let mut order = Order(false);
    let mut ifaces: Vec<Interface> = Vec::new();
    let mut in_section = false;
    // Frame numbers: packets and the other records Wireshark numbers.
    let mut number: u64 = 0;
    loop {
        let offset = w.offset();
        if !w.fill(8)? {
            let left = w.avail().len();
            if left > 0 {
                out.stop(offset, format!("truncated block header: {left} of 8 bytes"));
            }
            break;
        }
        let head = w.avail();
        let is_shb = is_pcapng(head);
        if is_shb {
            if !w.fill(12)? {
                out.stop(offset, "truncated section header block".into());
                break;
            }
            let bom = w.avail().get(8..12).unwrap_or(&[0; 4]);
            order = if bom == BYTE_ORDER_MAGIC.to_le_bytes() {
                Order(false)
            } else if bom == BYTE_ORDER_MAGIC.to_be_bytes() {
                Order(true)
            } else {
                if offset == 0 {
                    return Err(CaptureError::BadHeader {
                        offset: 8,
                        reason: format!("bad pcapng byte-order magic {}", hex::encode(bom)),
                    });
                }
                out.stop(
                    offset,
                    format!(
                        "bad byte-order magic {} in section header block",
                        hex::encode(bom)
                    ),
                );
                break;
            };
            ifaces.clear();
            in_section = true;
        } else if !in_section {
            out.stop(offset, "block outside a section".into());
            break;
        }
        let head = w.avail();
        let btype = order.u32(head, 0);
        let blen = order.u32(head, 4);
        if blen < 12 || !blen.is_multiple_of(4) {
            if offset == 0 {
                return Err(CaptureError::BadHeader {
                    offset: 4,
                    reason: format!("bad section header block length {blen}"),
                });
            }
            out.stop(
                offset,
                format!("bad block length {blen} (block type {btype:#x})"),
            );
            break;
        }
        // Wireshark shows custom, journal and sysdig event blocks as records of their own,
        // so they take a frame number (tshark's frame.number skips past
        // them); we deliver no frame for them.
        let record_min = match btype {
            CUSTOM | CUSTOM_NOCOPY => Some(MIN_CUSTOM),
            JOURNAL => Some(MIN_JOURNAL),
            // Event header: CPU (2), time stamp (8), thread (8), length (4),
            // type (2); version 2 adds a parameter count (4).
            SYSDIG_EVENT => Some(12 + 24),
            SYSDIG_EVENT_V2 | SYSDIG_EVENT_V2_LARGE => Some(12 + 28),
            _ => None,
        };
        if let Some(min) = record_min {
            if blen < min {
                out.stop(
                    offset,
                    format!("block of type {btype:#x} is {blen} bytes, less than {min}"),
                );
                break;
            }
            number += 1;
        }
        // The SHB needs nothing past its byte-order magic: skipped like the rest,
        // so long section options cost nothing.
        let wanted = !is_shb && matches!(btype, IDB | PB | SPB | EPB);
        if !wanted {
            if !w.skip(u64::from(blen))? {
                out.stop(
                    offset,
                    format!(
                        "block of type {btype:#x} and {blen} bytes runs past the end of the file"
                    ),
                );
                break;
            }
            continue;
        }
        if blen > MAX_BLOCK {
            out.stop(offset, format!("block of type {btype:#x} claims {blen} bytes (limit {MAX_BLOCK}): corrupt block header"));
            break;
        }
        let blen = blen as usize;
        if !w.fill(blen)? {
            out.stop(
                offset,
                format!(
                    "truncated block of type {btype:#x}: {blen} bytes announced, {} in the file",
                    w.avail().len()
                ),
            );
            break;
        }
        let block = w.avail().get(..blen).unwrap_or(&[]);
        if order.u32(block, blen - 4) != blen as u32 {
            out.stop(
                offset,
                format!("block of type {btype:#x}: trailing length does not match {blen}"),
            );
            break;
        }
        let body = block.get(8..blen - 4).unwrap_or(&[]);
        // (interface, raw time stamp or None for SPB, captured range in body, original length)
        let packet = match btype {
            IDB => {
                if ifaces.len() >= MAX_INTERFACES {
                    out.stop(
                        offset,
                        format!("more than {MAX_INTERFACES} interfaces in one section"),
                    );
                    break;
                }
                match parse_idb(body, order) {
                    Ok(i) => ifaces.push(i),
                    Err(e) => {
                        out.stop(offset, e);
                        break;
                    }
                }
                None
            }
            EPB | PB => {
                if body.len() < 20 {
                    out.stop(offset, format!("packet block body of {} bytes", body.len()));
                    break;
                }
                let iface = if btype == EPB {
                    order.u32(body, 0)
                } else {
                    u32::from(order.u16(body, 0))
                };
                let raw = (u64::from(order.u32(body, 4)) << 32) | u64::from(order.u32(body, 8));
                let caplen = order.u32(body, 12);
                let len = order.u32(body, 16);
                Some((iface, Some(raw), 20usize, caplen, len))
            }
            SPB => {
                let len = order.u32(body, 0);
                let room = body.len().saturating_sub(4) as u32;
                let snap = ifaces.first().map(|i| i.snaplen).unwrap_or(0);
                let mut caplen = len.min(room);
                if snap != 0 {
                    caplen = caplen.min(snap);
                }
                Some((0, None, 4usize, caplen, len))
            }
            _ => None,
        };
        if let Some((iface_id, raw, start, caplen, len)) = packet {
            let Some(iface) = ifaces.get(iface_id as usize) else {
                out.stop(
                    offset,
                    format!(
                        "packet on interface {iface_id}, but the section declares {} interface(s)",
                        ifaces.len()
                    ),
                );
                break;
            };
            if caplen > super::pcap::MAX_RECORD {
                out.stop(
                    offset,
                    format!(
                        "packet claims {caplen} captured bytes (limit {})",
                        super::pcap::MAX_RECORD
                    ),
                );
                break;
            }
            let Some(data) = body.get(start..start + caplen as usize) else {
                out.stop(
                    offset,
                    format!("packet of {caplen} captured bytes overruns its {blen}-byte block"),
                );
                break;
            };
            let ts = match raw {
                Some(raw) => timestamp(raw, iface),
                // An SPB carries no time stamp.
                None => Timestamp::default(),
            };
            out.frames += 1;
            number += 1;
            sink.frame(&Frame {
                number,
                ts,
                link: iface.link,
                data,
                orig_len: len.max(caplen),
                interface: iface_id,
                origin: Origin::Wire,
            });
        }
        w.consume(blen);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_values() {
        assert_eq!(tsresol_units(6), Some(1_000_000));
        assert_eq!(tsresol_units(9), Some(1_000_000_000));
        assert_eq!(tsresol_units(0x80 | 10), Some(1024));
        assert_eq!(tsresol_units(20), None);
        assert_eq!(tsresol_units(0x80 | 64), None);
    }

    #[test]
    fn timestamp_conversion() {
        let i = Interface {
            link: LinkType::ETHERNET,
            snaplen: 0,
            units: 1024,
            offset_secs: 100,
        };
        let t = timestamp(5 * 1024 + 512, &i);
        assert_eq!((t.secs, t.nanos), (105, 500_000_000));
    }
}
