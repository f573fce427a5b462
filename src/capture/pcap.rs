//! Legacy pcap files (tcpdump.org "pcap" format, draft-ietf-opsawg-pcap).
//!
//! A 24-byte file header (magic, version, snaplen, link type) then records of
//! a 16-byte header (seconds, µs or ns, captured length, original length) and
//! the captured bytes. The magic gives both the byte order and the time
//! resolution.
//!
//! Records are read by pcap-parser's streaming [`LegacyPcapReader`] over a
//! [`Feed`]. Around it, ours: the record-length limit (checked on the record
//! header before pcap-parser buffers the record), the damage messages with
//! their byte offsets, and the guard against a reader that stops making
//! progress (see [`super::Guard`]).

use std::io::Read;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapBlock, LegacyPcapReader, PcapBlockOwned, PcapError};

use super::source::Feed;
use super::{CaptureError, Frame, FrameSink, Guard, LinkType, Origin, Outcome, Timestamp};

/// Microsecond magic as it reads in the file's own byte order.
pub const MAGIC_US: u32 = 0xa1b2_c3d4;
/// Nanosecond magic.
pub const MAGIC_NS: u32 = 0xa1b2_3c4d;
/// Kuznetzov's "modified" pcap (µs; records carry 8 more header bytes),
/// which pcap-parser reads too.
pub const MAGIC_MODIFIED: u32 = 0xa1b2_cd34;
/// File header length.
pub const FILE_HEADER_LEN: usize = 24;
/// Record header length.
pub const RECORD_HEADER_LEN: usize = 16;
/// Largest captured length accepted for one record: Wireshark's
/// `WTAP_MAX_PACKET_SIZE_STANDARD`. Anything larger means the file is corrupt.
pub const MAX_RECORD: u32 = 256 * 1024;

/// Byte order and resolution from the first four bytes, if they are a pcap magic.
/// Returns `(big_endian, nanoseconds)`.
pub fn magic(head: &[u8]) -> Option<(bool, bool)> {
    let b: [u8; 4] = head.get(..4)?.try_into().ok()?;
    match (u32::from_le_bytes(b), u32::from_be_bytes(b)) {
        (MAGIC_US | MAGIC_MODIFIED, _) => Some((false, false)),
        (MAGIC_NS, _) => Some((false, true)),
        (_, MAGIC_US | MAGIC_MODIFIED) => Some((true, false)),
        (_, MAGIC_NS) => Some((true, true)),
        _ => None,
    }
}

#[inline]
fn word(b: &[u8], at: usize, big: bool) -> u32 {
    let mut a = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        a.copy_from_slice(s);
    }
    if big {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

/// Read a pcap file from `feed` (positioned at the file header) through a
/// reader buffer of `capacity` bytes.
/// Hand one record to the sink as frame `number`.
#[inline]
fn deliver(
    b: &LegacyPcapBlock<'_>,
    number: u64,
    nanos: bool,
    link: LinkType,
    sink: &mut dyn FrameSink,
) {
    let ts = if nanos {
        Timestamp {
            secs: i64::from(b.ts_sec) + i64::from(b.ts_usec / 1_000_000_000),
            nanos: b.ts_usec % 1_000_000_000,
        }
    } else {
        Timestamp {
            secs: i64::from(b.ts_sec) + i64::from(b.ts_usec / 1_000_000),
            nanos: (b.ts_usec % 1_000_000) * 1000,
        }
    };
    sink.frame(&Frame {
        number,
        ts,
        link,
        data: b.data,
        orig_len: b.origlen.max(b.caplen),
        interface: 0,
        origin: Origin::Wire,
    });
}

/// Deliver the whole records (standard format) at the front of `data`,
/// parsed by pcap-parser, up to the first that is cut, over the
/// [`MAX_RECORD`] limit or refused. Returns the bytes consumed.
fn record_run(
    data: &[u8],
    big: bool,
    nanos: bool,
    link: LinkType,
    frames: &mut u64,
    sink: &mut dyn FrameSink,
) -> usize {
    use pcap_parser::pcap::{parse_pcap_frame, parse_pcap_frame_be};
    let mut used = 0;
    while let Some(rest) = data.get(used..) {
        if rest.len() < RECORD_HEADER_LEN {
            break;
        }
        let caplen = word(rest, 8, big);
        if caplen > MAX_RECORD {
            break;
        }
        let Some(record) = rest.get(..RECORD_HEADER_LEN + caplen as usize) else {
            break;
        };
        let parsed = if big {
            parse_pcap_frame_be(record)
        } else {
            parse_pcap_frame(record)
        };
        let Ok((_, b)) = parsed else { break };
        *frames += 1;
        used += record.len();
        deliver(&b, *frames, nanos, link, sink);
    }
    used
}

pub(crate) fn read<R: Read>(
    feed: Feed<R>,
    capacity: usize,
    sink: &mut dyn FrameSink,
) -> Result<Outcome, CaptureError> {
    let state = feed.state();
    let mut rd = match LegacyPcapReader::new(capacity.max(FILE_HEADER_LEN + 1), feed) {
        Ok(r) => r,
        Err(PcapError::ReadError) => {
            return Err(match state.take_error() {
                Some(e) => CaptureError::Io(e),
                None => CaptureError::BadHeader {
                    offset: 0,
                    reason: "unreadable pcap file header".into(),
                },
            })
        }
        Err(PcapError::Incomplete(_) | PcapError::UnexpectedEof) => {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: format!(
                    "pcap file header needs {FILE_HEADER_LEN} bytes, file has {}",
                    state.delivered()
                ),
            })
        }
        Err(_) => {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: "no pcap magic".into(),
            })
        }
    };
    let (big, nanos, modified, link, header_len) = match rd.next() {
        Ok((n, PcapBlockOwned::LegacyHeader(h))) => (
            h.is_bigendian(),
            h.is_nanosecond_precision(),
            h.is_modified_format(),
            // The upper bits of the link-type field carry FCS information
            // (draft-ietf-opsawg-pcap §4); the link type is the low 16 bits.
            LinkType(h.network.0 as u32 & 0xffff),
            n,
        ),
        _ => {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: "no pcap file header".into(),
            })
        }
    };
    rd.consume_noshift(header_len);
    // Record header length: 16, or 24 in the modified format.
    let rec_head = if modified {
        RECORD_HEADER_LEN + 8
    } else {
        RECORD_HEADER_LEN
    };
    let mut out = Outcome::default();
    let mut guard = Guard::new(
        capacity.max(FILE_HEADER_LEN + 1),
        rec_head + MAX_RECORD as usize + 1,
    );
    loop {
        let offset = rd.consumed() as u64;
        // Our limit, on the record header, before pcap-parser buffers it.
        let head = rd.data();
        if head.len() >= rec_head {
            let caplen = word(head, 8, big);
            if caplen > MAX_RECORD {
                out.stop(
                    offset,
                    format!("record claims {caplen} captured bytes (limit {MAX_RECORD}): corrupt record header"),
                );
                break;
            }
        }
        // The run of whole records at the front of the buffer goes straight
        // to pcap-parser's record parser, one buffer step per run; a record
        // it refuses, a cut one and the modified format take the general
        // path below (and its messages).
        if !modified {
            let run = record_run(rd.data(), big, nanos, link, &mut out.frames, sink);
            if run > 0 {
                rd.consume_noshift(run);
                guard.progressed();
                continue;
            }
        }
        match rd.next() {
            Ok((n, PcapBlockOwned::Legacy(b))) => {
                if n == 0 {
                    out.stop(offset, "pcap-parser made no progress".into());
                    break;
                }
                out.frames += 1;
                deliver(&b, out.frames, nanos, link, sink);
                rd.consume_noshift(n);
                guard.progressed();
            }
            Ok(_) => {
                // pcap-parser returns the file header only first.
                out.stop(offset, "unexpected pcap file header".into());
                break;
            }
            Err(PcapError::Eof) => break,
            Err(e @ (PcapError::Incomplete(_) | PcapError::BufferTooSmall)) => {
                let too_small = matches!(e, PcapError::BufferTooSmall);
                if let Err(why) = guard.refill(&mut rd, too_small) {
                    out.stop(offset, why);
                    break;
                }
            }
            Err(PcapError::UnexpectedEof) => {
                let left = rd.data();
                if left.is_empty() {
                    break;
                }
                if left.len() < rec_head {
                    out.stop(
                        offset,
                        format!(
                            "truncated record header: {} of {rec_head} bytes",
                            left.len()
                        ),
                    );
                } else {
                    let caplen = word(left, 8, big);
                    out.stop(
                        offset,
                        format!(
                            "truncated record: {caplen} captured bytes announced, {} in the file",
                            left.len() - rec_head
                        ),
                    );
                }
                break;
            }
            Err(e) => {
                out.stop(offset, format!("unreadable record ({e})"));
                break;
            }
        }
    }
    out.bytes = rd.consumed() as u64 + state.skipped();
    out.read_error = state.take_error();
    Ok(out)
}
