//! pcapng files (draft-ietf-opsawg-pcapng).
//!
//! A file is one or more sections, each opened by a Section Header Block
//! whose byte-order magic sets the endianness of the section. Interface
//! Description Blocks declare the section's interfaces (link type, snaplen,
//! `if_tsresol`, `if_tsoffset`); packets come in Enhanced Packet Blocks,
//! Simple Packet Blocks (interface 0) and the obsolete Packet Block.
//!
//! pcap-parser's streaming [`PcapNGReader`] parses the blocks we use (SHB,
//! IDB, EPB, SPB) over a [`Feed`]. Ours, around it:
//!
//! - each block header (type, length) is checked before the block is
//!   buffered, so a corrupt length is reported with its byte offset instead
//!   of making the reader grow its buffer or wait for bytes that never come;
//! - blocks we do not use (name resolution, statistics, journal, custom...)
//!   are skipped by their length without being buffered or parsed, so one
//!   damaged statistics block does not end the read;
//! - the obsolete Packet Block (type 2), which pcap-parser returns as an
//!   unknown block, is read from that block's body here;
//! - the frame numbering of records Wireshark counts but that carry no
//!   packet, the `if_tsresol` values pcap-parser does not convert (beyond
//!   10^-19 / 2^-63), and the damage messages.

use std::io::Read;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Block, PcapBlockOwned, PcapError, PcapNGReader};

use super::source::Feed;
use super::{
    CaptureError, Frame, FrameSink, Guard, Level, LinkType, Notice, Origin, Outcome, Timestamp,
};

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

/// `if_tsoffset` option code (§4.2).
const OPT_IF_TSOFFSET: u16 = 14;

/// One interface of the current section.
#[derive(Debug, Clone, Copy)]
struct Interface {
    link: LinkType,
    snaplen: u32,
    /// Time-stamp units per second (`if_tsresol`, default 10^6).
    units: u128,
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
/// bit is set. `None` when the result does not fit in 128 bits (10^-39 and
/// finer, 2^-128 and finer): such a resolution cannot be converted.
pub fn tsresol_units(v: u8) -> Option<u128> {
    let n = u32::from(v & 0x7f);
    if v & 0x80 != 0 {
        1u128.checked_shl(n)
    } else {
        10u128.checked_pow(n)
    }
}

/// Convert a raw 64-bit pcapng time stamp to seconds and nanoseconds.
fn timestamp(raw: u64, iface: &Interface) -> Timestamp {
    // Microseconds and nanoseconds, nearly every file: 64-bit arithmetic.
    let per_nano = match iface.units {
        1_000_000 => Some(1_000),
        1_000_000_000 => Some(1),
        _ => None,
    };
    if let Some(per_nano) = per_nano {
        let units = iface.units as u64;
        return Timestamp {
            secs: i64::try_from(raw / units)
                .unwrap_or(i64::MAX)
                .saturating_add(iface.offset_secs),
            nanos: ((raw % units) * per_nano) as u32,
        };
    }
    let units = iface.units.max(1);
    let raw = u128::from(raw);
    let secs = raw / units;
    let frac = raw % units;
    // frac < units ≤ 2^127: scale down first when the product could overflow.
    let nanos = if units <= u128::from(u64::MAX) {
        frac * 1_000_000_000 / units
    } else {
        frac / (units / 1_000_000_000)
    };
    Timestamp {
        secs: i64::try_from(secs)
            .unwrap_or(i64::MAX)
            .saturating_add(iface.offset_secs),
        nanos: u32::try_from(nanos).unwrap_or(999_999_999).min(999_999_999),
    }
}

/// What one block header says, checked before the block is buffered.
enum Head {
    /// Read the block (pcap-parser and us) once it is whole in the buffer.
    Read { btype: u32, blen: usize },
    /// Skip `blen` bytes without buffering them.
    Skip { btype: u32, blen: u64 },
    /// The file ends or is damaged here.
    Stop(Option<String>),
    /// More bytes are needed to decide.
    More,
}

/// Check the block header at the start of `d`.
fn check_head(
    d: &[u8],
    ended: bool,
    order: &mut Order,
    in_section: bool,
    number: &mut u64,
) -> Head {
    if d.len() < 12 && !ended {
        return Head::More;
    }
    if d.len() < 8 {
        return Head::Stop(
            (!d.is_empty()).then(|| format!("truncated block header: {} of 8 bytes", d.len())),
        );
    }
    let is_shb = is_pcapng(d);
    if is_shb {
        let Some(bom) = d.get(8..12) else {
            return Head::Stop(Some("truncated section header block".into()));
        };
        *order = if bom == BYTE_ORDER_MAGIC.to_le_bytes() {
            Order(false)
        } else if bom == BYTE_ORDER_MAGIC.to_be_bytes() {
            Order(true)
        } else {
            return Head::Stop(Some(format!(
                "bad byte-order magic {} in section header block",
                hex::encode(bom)
            )));
        };
    } else if !in_section {
        return Head::Stop(Some("block outside a section".into()));
    }
    let btype = order.u32(d, 0);
    let blen = order.u32(d, 4);
    if blen < 12 || !blen.is_multiple_of(4) {
        return Head::Stop(Some(format!(
            "bad block length {blen} (block type {btype:#x})"
        )));
    }
    // Wireshark shows custom, journal and sysdig event blocks as records of
    // their own, so they take a frame number (tshark's frame.number skips
    // past them); we deliver no frame for them.
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
            return Head::Stop(Some(format!(
                "block of type {btype:#x} is {blen} bytes, less than {min}"
            )));
        }
        *number += 1;
    }
    if !is_shb && !matches!(btype, IDB | PB | SPB | EPB) {
        return Head::Skip {
            btype,
            blen: u64::from(blen),
        };
    }
    if blen > MAX_BLOCK {
        return Head::Stop(Some(format!(
            "block of type {btype:#x} claims {blen} bytes (limit {MAX_BLOCK}): corrupt block header"
        )));
    }
    Head::Read {
        btype: if is_shb {
            u32::from_le_bytes(SHB)
        } else {
            btype
        },
        blen: blen as usize,
    }
}

/// Our checks on a whole block before pcap-parser parses it: what it would
/// reject (or wait for more bytes on) gets a message of ours.
fn check_block(block: &[u8], btype: u32, blen: usize, order: Order) -> Result<(), String> {
    if order.u32(block, blen - 4) != blen as u32 {
        return Err(format!(
            "block of type {btype:#x}: trailing length does not match {blen}"
        ));
    }
    let body = block.get(8..blen - 4).unwrap_or(&[]);
    match btype {
        EPB | PB => {
            if body.len() < 20 {
                return Err(format!("packet block body of {} bytes", body.len()));
            }
            let caplen = order.u32(body, 12);
            if caplen > super::pcap::MAX_RECORD {
                return Err(format!(
                    "packet claims {caplen} captured bytes (limit {})",
                    super::pcap::MAX_RECORD
                ));
            }
            if caplen as usize > body.len() - 20 {
                return Err(format!(
                    "packet of {caplen} captured bytes overruns its {blen}-byte block"
                ));
            }
        }
        IDB if body.len() < 8 => {
            return Err(format!(
                "interface description block body of {} bytes",
                body.len()
            ))
        }
        SPB if body.len() < 4 => {
            return Err(format!("simple packet block body of {} bytes", body.len()))
        }
        _ if btype == u32::from_le_bytes(SHB) && body.len() < 16 => {
            return Err(format!("section header block body of {} bytes", body.len()))
        }
        _ => {}
    }
    Ok(())
}

/// What [`epb_run`] read.
struct Run {
    bytes: usize,
    frames: u64,
}

/// Deliver the whole Enhanced Packet Blocks at the front of `data`, up to
/// the first block that is not one, is not whole, or that pcap-parser
/// refuses (left for the general path, which reports it). `Err` for a
/// packet that names an undeclared interface or claims more than
/// [`super::pcap::MAX_RECORD`] bytes.
fn epb_run(
    data: &[u8],
    order: Order,
    ifaces: &[Interface],
    number: &mut u64,
    sink: &mut dyn FrameSink,
) -> Result<Run, String> {
    use pcap_parser::pcapng::{parse_enhancedpacketblock_be, parse_enhancedpacketblock_le};
    let mut run = Run {
        bytes: 0,
        frames: 0,
    };
    while let Some(rest) = data.get(run.bytes..) {
        if rest.len() < 12 || order.u32(rest, 0) != EPB {
            break;
        }
        let blen = order.u32(rest, 4) as usize;
        let Some(block) = rest.get(..blen) else { break };
        let parsed = if order.0 {
            parse_enhancedpacketblock_be(block)
        } else {
            parse_enhancedpacketblock_le(block)
        };
        let Ok((_, epb)) = parsed else { break };
        if epb.caplen > super::pcap::MAX_RECORD {
            if run.bytes == 0 {
                return Err(format!(
                    "packet claims {} captured bytes (limit {})",
                    epb.caplen,
                    super::pcap::MAX_RECORD
                ));
            }
            break;
        }
        let Some(iface) = ifaces.get(epb.if_id as usize) else {
            if run.bytes == 0 {
                return Err(format!(
                    "packet on interface {}, but the section declares {} interface(s)",
                    epb.if_id,
                    ifaces.len()
                ));
            }
            break;
        };
        *number += 1;
        run.frames += 1;
        run.bytes += blen;
        sink.frame(&Frame {
            number: *number,
            ts: timestamp(
                (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low),
                iface,
            ),
            link: iface.link,
            data: epb.data.get(..epb.caplen as usize).unwrap_or(epb.data),
            orig_len: epb.origlen.max(epb.caplen),
            interface: epb.if_id,
            origin: Origin::Wire,
        });
    }
    Ok(run)
}

/// Read a pcapng file from `feed` (positioned at the first SHB) through a
/// reader buffer of `capacity` bytes. `head` is the start of the input
/// (for the first section header's messages).
pub(crate) fn read<R: Read>(
    feed: Feed<R>,
    head: &[u8],
    capacity: usize,
    sink: &mut dyn FrameSink,
) -> Result<Outcome, CaptureError> {
    // The first section header, checked by us before pcap-parser reads it.
    let mut order = Order(false);
    let mut number: u64 = 0;
    let first_len = match check_head(head, true, &mut order, false, &mut number) {
        Head::Read { blen, .. } => blen,
        Head::Stop(Some(why)) if why.starts_with("bad byte-order") => {
            return Err(CaptureError::BadHeader {
                offset: 8,
                reason: format!(
                    "bad pcapng byte-order magic {}",
                    hex::encode(head.get(8..12).unwrap_or(&[]))
                ),
            })
        }
        Head::Stop(Some(why)) if why.starts_with("bad block length") => {
            return Err(CaptureError::BadHeader {
                offset: 4,
                reason: format!("bad section header block length {}", order.u32(head, 4)),
            })
        }
        Head::Stop(Some(why)) => {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: why,
            })
        }
        _ => {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: "pcapng section header block needs 12 bytes".into(),
            })
        }
    };
    if let Some(block) = head.get(..first_len) {
        if let Err(why) = check_block(block, u32::from_le_bytes(SHB), first_len, order) {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: why,
            });
        }
    }
    let state = feed.state();
    // The buffer holds at least the first section header (pcap-parser reads
    // it whole on creation).
    let capacity = capacity.max(first_len + 1);
    let mut rd = match PcapNGReader::new(capacity, feed) {
        Ok(r) => r,
        Err(e) => {
            if let Some(e) = state.take_error() {
                return Err(CaptureError::Io(e));
            }
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: match e {
                    PcapError::Incomplete(_) | PcapError::UnexpectedEof => format!(
                        "truncated section header block: {first_len} bytes announced, {} in the file",
                        state.delivered()
                    ),
                    e => format!("section header block not readable ({e})"),
                },
            });
        }
    };
    let mut guard = Guard::new(capacity, MAX_BLOCK as usize + 1);
    let mut out = Outcome::default();
    let mut ifaces: Vec<Interface> = Vec::new();
    let mut in_section = false;
    // Frame numbers: packets and the other records Wireshark numbers.
    let mut iface_notices = 0usize;
    loop {
        let offset = rd.consumed() as u64 + state.skipped();
        let ended = rd.reader_exhausted();
        let (btype, blen) = match check_head(rd.data(), ended, &mut order, in_section, &mut number)
        {
            Head::Read { btype, blen } => (btype, blen),
            Head::Skip { btype, blen } => {
                let have = rd.data().len() as u64;
                if blen <= have {
                    rd.consume_noshift(blen as usize);
                    continue;
                }
                rd.consume_noshift(have as usize);
                state.skip(blen - have);
                if let Err(why) = guard.refill(&mut rd, false) {
                    out.stop(offset, why);
                    break;
                }
                if state.skip_left() > 0 {
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
            Head::Stop(None) => break,
            Head::Stop(Some(why)) => {
                out.stop(offset, why);
                break;
            }
            Head::More => {
                if let Err(why) = guard.refill(&mut rd, false) {
                    out.stop(offset, why);
                    break;
                }
                continue;
            }
        };
        let have = rd.data().len();
        if have < blen {
            if ended {
                out.stop(
                    offset,
                    format!(
                        "truncated block of type {btype:#x}: {blen} bytes announced, {have} in the file"
                    ),
                );
                break;
            }
            guard.ensure(&mut rd, blen + 1);
            if let Err(why) = guard.refill(&mut rd, false) {
                out.stop(offset, why);
                break;
            }
            continue;
        }
        // Enhanced packet blocks, nearly all of a file, are checked by
        // pcap-parser (lengths, the trailing length) and by us only when it
        // refuses one; the other kinds it checks less, so we check them first.
        if btype == EPB {
            // The run of whole EPBs at the front of the buffer goes straight
            // to pcap-parser's EPB parser: no block-type dispatch and one
            // buffer step per run. Anything else, or a block it refuses,
            // goes through the general path below (and its messages).
            match epb_run(rd.data(), order, &ifaces, &mut number, sink) {
                Ok(run) if run.bytes > 0 => {
                    out.frames += run.frames;
                    rd.consume_noshift(run.bytes);
                    guard.progressed();
                    continue;
                }
                Ok(_) => {}
                Err(why) => {
                    out.stop(offset, why);
                    break;
                }
            }
        } else {
            if let Err(why) = check_block(rd.data().get(..blen).unwrap_or(&[]), btype, blen, order)
            {
                out.stop(offset, why);
                break;
            }
        }
        // (interface, raw time stamp or None for SPB, captured bytes, original length)
        let mut notice = None;
        let step = match rd.next() {
            Ok((n, PcapBlockOwned::NG(block))) => {
                let packet = match block {
                    Block::SectionHeader(shb) => {
                        order = Order(shb.big_endian());
                        ifaces.clear();
                        in_section = true;
                        None
                    }
                    Block::InterfaceDescription(idb) => {
                        if ifaces.len() >= MAX_INTERFACES {
                            out.stop(
                                offset,
                                format!("more than {MAX_INTERFACES} interfaces in one section"),
                            );
                            break;
                        }
                        let units = match tsresol_units(idb.if_tsresol) {
                            Some(u) => u,
                            None => {
                                iface_notices += 1;
                                notice = Some(Notice {
                                    level: Level::Warning,
                                    offset: Some(offset),
                                    line: None,
                                    frame: None,
                                    message: format!(
                                        "interface {} declares if_tsresol {:#04x} ({}^-{} s), a resolution too fine to convert: its time stamps are read as microseconds and are likely wrong",
                                        ifaces.len(),
                                        idb.if_tsresol,
                                        if idb.if_tsresol & 0x80 != 0 { 2 } else { 10 },
                                        idb.if_tsresol & 0x7f
                                    ),
                                });
                                1_000_000
                            }
                        };
                        // pcap-parser 0.17 decodes if_tsoffset as little-endian
                        // whatever the section's byte order: read it here.
                        let offset_secs = idb
                            .options
                            .iter()
                            .rfind(|o| o.code.0 == OPT_IF_TSOFFSET && o.value.len() >= 8)
                            .map_or(0, |o| order.u64(&o.value, 0) as i64);
                        ifaces.push(Interface {
                            link: LinkType(u32::from(idb.linktype.0 as u16)),
                            snaplen: idb.snaplen,
                            units,
                            offset_secs,
                        });
                        None
                    }
                    Block::EnhancedPacket(epb) if epb.caplen > super::pcap::MAX_RECORD => {
                        out.stop(
                            offset,
                            format!(
                                "packet claims {} captured bytes (limit {})",
                                epb.caplen,
                                super::pcap::MAX_RECORD
                            ),
                        );
                        break;
                    }
                    Block::EnhancedPacket(epb) => Some((
                        epb.if_id,
                        Some((u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low)),
                        epb.data.get(..epb.caplen as usize).unwrap_or(epb.data),
                        epb.caplen,
                        epb.origlen,
                    )),
                    Block::SimplePacket(spb) => {
                        let snap = ifaces.first().map(|i| i.snaplen).unwrap_or(0);
                        let mut caplen = spb.origlen.min(spb.data.len() as u32);
                        if snap != 0 {
                            caplen = caplen.min(snap);
                        }
                        Some((
                            0,
                            None,
                            spb.data.get(..caplen as usize).unwrap_or(&[]),
                            caplen,
                            spb.origlen,
                        ))
                    }
                    // pcap-parser has no type for the obsolete Packet Block
                    // (Appendix A): interface (2), drops (2), time stamp (8),
                    // captured and original lengths (4 + 4), the packet.
                    Block::Unknown(ub)
                        if ub.block_type == PB || ub.block_type.swap_bytes() == PB =>
                    {
                        let body = ub.data;
                        let caplen = order.u32(body, 12);
                        let raw =
                            (u64::from(order.u32(body, 4)) << 32) | u64::from(order.u32(body, 8));
                        Some((
                            u32::from(order.u16(body, 0)),
                            Some(raw),
                            body.get(20..20 + caplen as usize).unwrap_or(&[]),
                            caplen,
                            order.u32(body, 16),
                        ))
                    }
                    _ => None,
                };
                if let Some((iface_id, raw, data, caplen, len)) = packet {
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
                n
            }
            Ok((n, _)) => n,
            // The whole block is in the buffer: any refusal (an Incomplete
            // included, which a plain read loop would wait on) is damage.
            Err(e) => {
                let e = e.to_string();
                let why = check_block(rd.data().get(..blen).unwrap_or(&[]), btype, blen, order)
                    .err()
                    .unwrap_or_else(|| format!("block of type {btype:#x} not readable ({e})"));
                out.stop(offset, why);
                break;
            }
        };
        if let Some(n) = notice.take() {
            if iface_notices <= 16 {
                sink.notice(n);
            }
        }
        // Without shifting: the reader's buffer is compacted once per refill
        // (the tail of one block), not each time half of it is consumed.
        if step == 0 {
            out.stop(
                offset,
                format!("block of type {btype:#x}: the reader made no progress"),
            );
            break;
        }
        rd.consume_noshift(step);
        guard.progressed();
    }
    if iface_notices > 16 {
        sink.notice(Notice {
            level: Level::Warning,
            offset: None,
            line: None,
            frame: None,
            message: format!(
                "{iface_notices} interfaces declare an if_tsresol too fine to convert (16 listed)"
            ),
        });
    }
    out.bytes = rd.consumed() as u64 + state.skipped();
    out.read_error = state.take_error();
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
        assert_eq!(tsresol_units(20), Some(10u128.pow(20)));
        assert_eq!(tsresol_units(39), None);
        assert_eq!(tsresol_units(0x80 | 127), Some(1u128 << 127));
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
        // 10^-20 s: u64::MAX units are 0.18 s.
        let fine = Interface {
            units: 10u128.pow(20),
            ..i
        };
        let t = timestamp(u64::MAX, &fine);
        assert_eq!((t.secs, t.nanos), (100, 184_467_440));
        // One unit per second, the largest raw value: not negative.
        let coarse = Interface {
            units: 1,
            offset_secs: 0,
            ..i
        };
        assert_eq!(timestamp(u64::MAX, &coarse).secs, i64::MAX);
        // The 64-bit paths for µs and ns agree with the general one.
        for units in [1_000_000u128, 1_000_000_000] {
            let fast = Interface { units, ..i };
            for raw in [0, 999, 1_700_000_000_123_456_789, u64::MAX] {
                let t = timestamp(raw, &fast);
                let secs = u128::from(raw) / units;
                let nanos = (u128::from(raw) % units) * 1_000_000_000 / units;
                assert_eq!(
                    (t.secs, u128::from(t.nanos)),
                    (secs as i64 + 100, nanos),
                    "{units} {raw}"
                );
            }
        }
    }
}
