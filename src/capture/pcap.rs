//! Legacy pcap files (tcpdump.org "pcap" format, draft-ietf-opsawg-pcap).
//!
//! A 24-byte file header (magic, version, snaplen, link type) then records of
//! a 16-byte header (seconds, µs or ns, captured length, original length) and
//! the captured bytes. The magic gives both the byte order and the time
//! resolution.

use super::window::Window;
use super::{CaptureError, Frame, FrameSink, LinkType, Origin, Outcome, Timestamp};

/// Microsecond magic as it reads in the file's own byte order.
pub const MAGIC_US: u32 = 0xa1b2_c3d4;
/// Nanosecond magic.
pub const MAGIC_NS: u32 = 0xa1b2_3c4d;
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
        (MAGIC_US, _) => Some((false, false)),
        (MAGIC_NS, _) => Some((false, true)),
        (_, MAGIC_US) => Some((true, false)),
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

/// Read a pcap file from `w` (positioned at the file header).
pub(crate) fn read<W: Window>(
    w: &mut W,
    sink: &mut dyn FrameSink,
) -> Result<Outcome, CaptureError> {
    if !w.fill(FILE_HEADER_LEN)? {
        return Err(CaptureError::BadHeader {
            offset: 0,
            reason: format!(
                "pcap file header needs {FILE_HEADER_LEN} bytes, file has {}",
                w.avail().len()
            ),
        });
    }
    let head = w.avail();
    let Some((big, nanos)) = magic(head) else {
        return Err(CaptureError::BadHeader {
            offset: 0,
            reason: "no pcap magic".into(),
        });
    };
    // The upper bits of the link-type field carry FCS information
    // (draft-ietf-opsawg-pcap §4); the link type is the low 16 bits.
    let link = LinkType(word(head, 20, big) & 0xffff);
    w.consume(FILE_HEADER_LEN);

    let mut out = Outcome::default();
    loop {
        let offset = w.offset();
        if !w.fill(RECORD_HEADER_LEN)? {
            let left = w.avail().len();
            if left > 0 {
                out.stop(
                    offset,
                    format!("truncated record header: {left} of {RECORD_HEADER_LEN} bytes"),
                );
            }
            break;
        }
        let (ts_sec, ts_frac, caplen, len) = {
            let h = w.avail();
            (
                word(h, 0, big),
                word(h, 4, big),
                word(h, 8, big),
                word(h, 12, big),
            )
        };
        if caplen > MAX_RECORD {
            out.stop(
                offset,
                format!("record claims {caplen} captured bytes (limit {MAX_RECORD}): corrupt record header"),
            );
            break;
        }
        let total = RECORD_HEADER_LEN + caplen as usize;
        if !w.fill(total)? {
            let left = w.avail().len().saturating_sub(RECORD_HEADER_LEN);
            out.stop(
                offset,
                format!("truncated record: {caplen} captured bytes announced, {left} in the file"),
            );
            break;
        }
        let ts = if nanos {
            Timestamp {
                secs: i64::from(ts_sec) + i64::from(ts_frac / 1_000_000_000),
                nanos: ts_frac % 1_000_000_000,
            }
        } else {
            Timestamp {
                secs: i64::from(ts_sec) + i64::from(ts_frac / 1_000_000),
                nanos: (ts_frac % 1_000_000) * 1000,
            }
        };
        out.frames += 1;
        if let Some(data) = w.avail().get(RECORD_HEADER_LEN..total) {
            sink.frame(&Frame {
                number: out.frames,
                ts,
                link,
                data,
                orig_len: len.max(caplen),
                interface: 0,
                origin: Origin::Wire,
            });
        }
        w.consume(total);
    }
    Ok(out)
}
