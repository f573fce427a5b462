//! Capture files → timestamped frames.
//!
//! Reads pcap (both byte orders, µs/ns), pcapng (sections, interfaces with
//! their own link types and `if_tsresol`), either of them gzip-compressed
//! (detected by magic bytes), and Cisco console text exports. Frames are
//! numbered here and only here: 1-based over every packet record, exactly as
//! Wireshark's `frame.number`.
//!
//! Reading is push-based: the reader calls a [`FrameSink`] for every frame and
//! every notice, so a frame borrows the reader's buffer (a bounded circular
//! buffer over the file, a pipe or the decompressed stream) and no frame is
//! copied again. Memory does not grow with the file size. A damaged file
//! yields a notice with the byte offset, and everything before it is still
//! delivered.
//!
//! pcap and pcapng records are parsed by pcap-parser's streaming readers.
//! What remains hand-written in this layer, and why:
//!
//! - [`source::Feed`], the `Read` under those readers: whole-buffer fills,
//!   retried interrupts, the real I/O error kept, skipping without buffering
//!   (pcap-parser's readers do one `read` per refill and reduce any I/O
//!   error to `ReadError`);
//! - [`Guard`]: buffer growth up to our record limits and a stop when a
//!   reader makes no progress (pcap-parser's own loop needs the caller to do
//!   both; its documentation warns of the hang otherwise);
//! - the block-header checks and damage messages with byte offsets in
//!   [`pcap`] and [`pcapng`], the obsolete pcapng Packet Block, frame numbers
//!   for the records Wireshark counts, and `if_tsresol` beyond 10^-19;
//! - format sniffing (pcap-parser recognises pcap and pcapng, not gzip or
//!   console text) and [`TimeCheck`], which notices time stamps that go
//!   backwards or lie outside any calendar;
//! - the console-text readers in [`text`]: no crate reads Cisco console
//!   output.

pub mod gzip;
pub mod pcap;
pub mod pcapng;
mod source;
pub mod text;
pub mod writer;

use std::fmt;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use pcap_parser::traits::PcapReaderIterator;

use serde::Serialize;

/// Frame number, 1-based, as Wireshark numbers packets.
pub type FrameNo = u64;

/// Capture time: seconds and nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    pub fn as_f64(&self) -> f64 {
        self.secs as f64 + self.nanos as f64 * 1e-9
    }

    /// Seconds from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(&self, earlier: Timestamp) -> f64 {
        (self.secs - earlier.secs) as f64 + (self.nanos as f64 - earlier.nanos as f64) * 1e-9
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

/// Link-layer header type (tcpdump.org LINKTYPE_* values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: LinkType = LinkType(0);
    pub const ETHERNET: LinkType = LinkType(1);
    /// DLT_RAW as numbered on most systems.
    pub const RAW_12: LinkType = LinkType(12);
    /// DLT_RAW as numbered on OpenBSD.
    pub const RAW_14: LinkType = LinkType(14);
    pub const RAW: LinkType = LinkType(101);
    pub const LOOP: LinkType = LinkType(108);
    pub const LINUX_SLL: LinkType = LinkType(113);
    pub const IPV4: LinkType = LinkType(228);
    pub const IPV6: LinkType = LinkType(229);
    pub const LINUX_SLL2: LinkType = LinkType(276);
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 {
            0 => "NULL",
            1 => "ETHERNET",
            12 | 14 | 101 => "RAW",
            108 => "LOOP",
            113 => "LINUX_SLL",
            228 => "IPV4",
            229 => "IPV6",
            276 => "LINUX_SLL2",
            _ => return write!(f, "LINKTYPE {}", self.0),
        };
        write!(f, "{name} ({})", self.0)
    }
}

/// Where a frame's bytes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A packet record of a pcap/pcapng file.
    Wire,
    /// A hex dump in a console text export.
    TextDump,
    /// A console summary line without bytes: the headers were rebuilt from
    /// the line and the payload is absent (`data` shorter than `orig_len`).
    TextSummary,
}

/// One captured packet.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub number: FrameNo,
    pub ts: Timestamp,
    pub link: LinkType,
    /// Captured bytes, starting at the link-layer header.
    pub data: &'a [u8],
    /// Length on the wire; larger than `data.len()` when snaplen cut it.
    pub orig_len: u32,
    /// pcapng interface index (0 for pcap).
    pub interface: u32,
    pub origin: Origin,
}

impl Frame<'_> {
    /// The record holds fewer bytes than were on the wire.
    pub fn is_truncated(&self) -> bool {
        (self.data.len() as u64) < self.orig_len as u64
    }
}

/// Capture file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Pcap,
    PcapNg,
    /// Cisco ASA/PIX/FTD `show capture` or IOS EPC console text.
    CiscoText,
}

/// How bad a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// Something the reader wants the user to know: an unknown link type, a
/// truncated record, a corrupt block...
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub level: Level,
    /// Byte offset in the (decompressed) file, where it applies.
    pub offset: Option<u64>,
    /// Line number in a text export, where it applies.
    pub line: Option<u64>,
    /// Frame the notice concerns, where it applies.
    pub frame: Option<FrameNo>,
    pub message: String,
}

/// Receives frames and notices from a reader.
pub trait FrameSink {
    fn frame(&mut self, frame: &Frame<'_>);
    fn notice(&mut self, notice: Notice);
}

/// Options for reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Date (year, month, day) for text exports whose time stamps carry none.
    pub date: Option<(i32, u32, u32)>,
}

/// What a read produced.
#[derive(Debug, Clone, Serialize)]
pub struct ReadSummary {
    pub format: Format,
    pub compressed: bool,
    /// Packet records delivered.
    pub frames: u64,
    /// Bytes of the (decompressed) file consumed.
    pub bytes: u64,
    /// The read stopped early on a damaged file: why, with the offset.
    pub stopped: Option<Notice>,
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The OS error's own text (it is not repeated as a source).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("not a capture file (no pcap, pcapng, gzip or Cisco text signature)")]
    NotACapture,
    #[error("gzip-compressed, but the decompressed data is not a capture (no pcap, pcapng or Cisco text signature)")]
    NotACaptureInGzip,
    #[error("corrupt file header at offset {offset:#x}: {reason}")]
    BadHeader { offset: u64, reason: String },
}

/// Largest text export read into memory (text exports are console logs); a
/// longer one is cut here and the cut is reported as damage.
const MAX_TEXT: usize = 256 << 20;
/// Bytes read to recognise a format (and shown to [`text::looks_like_text`]).
const TEXT_SNIFF: usize = 64 << 10;
/// The pcapng Section Header Block type, the first four bytes of a pcapng
/// file (pcapng draft §4.1).
const PCAPNG_SHB_TYPE: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
/// Default capacity of a reader's buffer.
const STREAM_BUFFER: usize = 1 << 20;

/// What a record parser produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub frames: u64,
    pub stopped: Option<Notice>,
    /// Bytes of the (decompressed) input consumed.
    pub bytes: u64,
    /// The I/O error that ended the input early.
    pub read_error: Option<std::io::Error>,
}

impl Outcome {
    /// Record the reason the read stops at `offset`.
    pub(crate) fn stop(&mut self, offset: u64, message: String) {
        self.stopped = Some(stop_notice(self.frames, offset, message));
    }
}

/// The notice for a read that stops at `offset` after `frames` packets.
fn stop_notice(frames: u64, offset: u64, message: String) -> Notice {
    Notice {
        level: Level::Error,
        offset: Some(offset),
        line: None,
        frame: None,
        message: if frames == 0 {
            format!("{message} at offset {offset:#x}; reading stopped before any packet")
        } else {
            format!(
                "{message} at offset {offset:#x}; reading stopped, the {frames} packet(s) before it were analysed"
            )
        },
    }
}

/// Buffer growth and progress for pcap-parser's streaming readers.
///
/// A reader answers `Incomplete` or `BufferTooSmall` and expects its caller
/// to refill or grow its buffer and try again; on a corrupt file that loop
/// can go on for ever (a block whose declared length can never be met, an
/// `Incomplete` with the buffer already full). The guard grows the buffer
/// only up to `limit` (our largest record) and stops the read when refills
/// stop adding bytes.
pub(crate) struct Guard {
    cap: usize,
    limit: usize,
    stalls: u32,
}

/// Refills without new bytes tolerated before the buffer is grown, and before
/// the read is stopped.
const STALLS_BEFORE_GROWING: u32 = 2;
const STALLS_BEFORE_STOPPING: u32 = 6;

impl Guard {
    pub(crate) fn new(cap: usize, limit: usize) -> Self {
        Guard {
            cap,
            limit: limit.max(cap),
            stalls: 0,
        }
    }

    /// Make the buffer hold at least `need` bytes (up to the limit).
    pub(crate) fn ensure<T: PcapReaderIterator + ?Sized>(&mut self, rd: &mut T, need: usize) {
        if need > self.cap {
            let new = need
                .max(self.cap.saturating_mul(2))
                .min(self.limit)
                .max(self.cap);
            if new > self.cap && rd.grow(new) {
                self.cap = new;
            }
        }
    }

    /// Refill after `Incomplete` (or `BufferTooSmall` when `too_small`).
    pub(crate) fn refill<T: PcapReaderIterator + ?Sized>(
        &mut self,
        rd: &mut T,
        too_small: bool,
    ) -> Result<(), String> {
        if too_small {
            if self.cap >= self.limit {
                return Err(format!(
                    "a record does not fit the {}-byte read buffer",
                    self.cap
                ));
            }
            let next = self.cap.saturating_mul(2);
            self.ensure(rd, next);
        }
        let before = rd.data().len();
        if rd.refill().is_err() {
            return Err("read error".into());
        }
        if rd.data().len() > before || rd.reader_exhausted() {
            self.stalls = 0;
            return Ok(());
        }
        self.stalls += 1;
        if self.stalls >= STALLS_BEFORE_STOPPING {
            return Err(format!(
                "the capture reader made no progress after {} refills of its {}-byte buffer",
                self.stalls, self.cap
            ));
        }
        if self.stalls >= STALLS_BEFORE_GROWING {
            let next = self.cap.saturating_mul(2);
            self.ensure(rd, next);
        }
        Ok(())
    }

    /// A block was read: the reader is making progress.
    #[inline]
    pub(crate) fn progressed(&mut self) {
        self.stalls = 0;
    }
}

/// Latest time stamp that is shown as it is: 9999-12-31 23:59:59 UTC. Later
/// ones (and any before 1970) come from a damaged record or a wrong
/// resolution; they are clamped to this range and reported.
pub const MAX_SECS: i64 = 253_402_300_799;

/// Watches the time stamps of the frames going to a sink: time going
/// backwards (a merged or re-ordered capture, a clock step) and time stamps
/// outside any calendar are noticed, once each with the first frame and a
/// count.
pub struct TimeCheck<'s> {
    sink: &'s mut dyn FrameSink,
    last: Option<(FrameNo, Timestamp)>,
    /// First backwards step: (frame, previous frame, by how many seconds).
    backwards: Option<(FrameNo, FrameNo, f64)>,
    backwards_count: u64,
    absurd: Option<(FrameNo, Timestamp)>,
    absurd_count: u64,
}

impl<'s> TimeCheck<'s> {
    pub fn new(sink: &'s mut dyn FrameSink) -> Self {
        TimeCheck {
            sink,
            last: None,
            backwards: None,
            backwards_count: 0,
            absurd: None,
            absurd_count: 0,
        }
    }

    /// Hand the notices to the sink.
    pub fn finish(self) {
        if let Some((frame, prev, by)) = self.backwards {
            let more = if self.backwards_count > 1 {
                format!(
                    "; {} frame(s) in all are earlier than the frame before them",
                    self.backwards_count
                )
            } else {
                String::new()
            };
            self.sink.notice(Notice {
                level: Level::Warning,
                offset: None,
                line: None,
                frame: Some(frame),
                message: format!(
                    "time stamps go backwards: frame {frame} is {by:.6} s earlier than frame {prev}{more}; durations use the capture's order of frames"
                ),
            });
        }
        if let Some((frame, ts)) = self.absurd {
            self.sink.notice(Notice {
                level: Level::Warning,
                offset: None,
                line: None,
                frame: Some(frame),
                message: format!(
                    "frame {frame} has an impossible time stamp ({} s since 1970){}; such time stamps are shown clamped to 1970-01-01..9999-12-31",
                    ts.secs,
                    if self.absurd_count > 1 {
                        format!(", as do {} other frame(s)", self.absurd_count - 1)
                    } else {
                        String::new()
                    }
                ),
            });
        }
    }
}

impl FrameSink for TimeCheck<'_> {
    #[inline]
    fn frame(&mut self, frame: &Frame<'_>) {
        let ts = frame.ts;
        if !(0..=MAX_SECS).contains(&ts.secs) {
            return self.absurd_frame(frame);
        }
        if let Some((prev, t)) = self.last {
            // Console summary lines without a time stamp carry 0: not a step.
            if ts < t && ts != Timestamp::default() {
                self.backwards_count += 1;
                if self.backwards.is_none() {
                    self.backwards = Some((frame.number, prev, t.since(ts)));
                }
            }
        }
        if ts != Timestamp::default() {
            self.last = Some((frame.number, ts));
        }
        self.sink.frame(frame);
    }

    fn notice(&mut self, notice: Notice) {
        self.sink.notice(notice);
    }
}

impl TimeCheck<'_> {
    /// A frame whose time stamp is outside 1970..=9999: counted, clamped.
    #[cold]
    fn absurd_frame(&mut self, frame: &Frame<'_>) {
        let mut f = *frame;
        self.absurd_count += 1;
        if self.absurd.is_none() {
            self.absurd = Some((f.number, f.ts));
        }
        f.ts = if f.ts.secs < 0 {
            Timestamp::default()
        } else {
            Timestamp {
                secs: MAX_SECS,
                nanos: 0,
            }
        };
        self.sink.frame(&f);
    }
}

/// Recognise an uncompressed format.
fn sniff_plain(head: &[u8]) -> Option<Format> {
    if pcap::magic(head).is_some() {
        Some(Format::Pcap)
    } else if pcapng::is_pcapng(head) {
        Some(Format::PcapNg)
    } else if text::looks_like_text(head) {
        Some(Format::CiscoText)
    } else {
        None
    }
}

/// Recognise a capture format from the first bytes of a file. `Some((format,
/// compressed))`; for gzip only the compression is known from the magic, and
/// the inner format is reported after decompressing its first bytes.
pub fn sniff(head: &[u8]) -> Option<(Format, bool)> {
    if gzip::is_gzip(head) {
        let inner = gzip::peek(head, TEXT_SNIFF);
        return sniff_plain(&inner).map(|f| (f, true));
    }
    sniff_plain(head).map(|f| (f, false))
}

/// Read up to `max` bytes from `reader` into `out`; the error that ended the
/// read early, if any.
fn read_up_to<R: Read>(reader: &mut R, out: &mut Vec<u8>, max: usize) -> Option<std::io::Error> {
    let start = out.len();
    let mut chunk = [0u8; 8192];
    while out.len() - start < max {
        let want = (max - (out.len() - start)).min(chunk.len());
        match reader.read(chunk.get_mut(..want).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => out.extend_from_slice(chunk.get(..k).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Some(e),
        }
    }
    None
}

/// Read a capture file, calling `sink` for each frame and notice.
///
/// pcap and pcapng files are read through a bounded buffer (1 MiB, grown only
/// to fit one record), so memory does not grow with the file size.
pub fn read_path(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    // `-` is standard input: `tcpdump -w - | ikescope -`.
    if path.as_os_str() == "-" {
        return read_checked(std::io::stdin().lock(), None, opts, sink, MAX_TEXT);
    }
    let file = File::open(path)?;
    // Only a regular file's size is a size; pipes and FIFOs report 0.
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    read_checked(file, size, opts, sink, MAX_TEXT)
}

/// The length a pcapng Section Header Block declares (pcapng §4.1): bytes
/// 4..8 in the byte order its magic (bytes 8..12) gives; 0 when unknown.
fn pcapng_shb_len(head: &[u8]) -> usize {
    let (Some(len), Some(magic)) = (head.get(4..8), head.get(8..12)) else {
        return 0;
    };
    let len = [len[0], len[1], len[2], len[3]];
    let n = if magic == [0x4d, 0x3c, 0x2b, 0x1a] {
        u32::from_le_bytes(len)
    } else {
        u32::from_be_bytes(len)
    };
    usize::try_from(n).unwrap_or(0)
}

/// Read a capture from any byte stream, e.g. one that waits for more data at
/// its end (`--follow` on a growing file).
pub fn read_reader<R: Read>(
    reader: R,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    read_stream(reader, None, opts, sink, MAX_TEXT)
}

/// Read a capture held in memory.
pub fn read_bytes(
    data: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    read_checked(data, Some(data.len() as u64), opts, sink, MAX_TEXT)
}

/// [`read_stream`] with the time stamps checked on their way to `sink`.
fn read_checked<R: Read>(
    reader: R,
    size: Option<u64>,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
    max_text: usize,
) -> Result<ReadSummary, CaptureError> {
    let mut check = TimeCheck::new(sink);
    let r = read_stream(reader, size, opts, &mut check, max_text);
    check.finish();
    r
}

/// Read a capture from any byte stream (file, pipe, standard input), opened
/// once: the first bytes read to recognise the format are replayed.
fn read_stream<R: Read>(
    mut reader: R,
    size: Option<u64>,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
    max_text: usize,
) -> Result<ReadSummary, CaptureError> {
    let mut head = Vec::with_capacity(TEXT_SNIFF);
    // pcap and pcapng are known from their first bytes (pcapng's byte-order
    // magic ends at byte 12); only console text needs a long look. A live
    // stream (`tcpdump -U -w - | ikescope --follow -`) must not wait for
    // 64 KiB before its first packet is read.
    let mut error = read_up_to(&mut reader, &mut head, 12);
    let binary = pcap::magic(&head).is_some() || head.get(..4) == Some(&PCAPNG_SHB_TYPE[..]);
    if error.is_none() && !binary && head.len() == 12 {
        error = read_up_to(&mut reader, &mut head, TEXT_SNIFF - 12);
    }
    if error.is_none() && binary {
        // The whole file header (pcap: 24 bytes; pcapng: the Section Header
        // Block, whose length follows its type) is in the first read the
        // record reader makes, also on a live stream.
        let want = if pcap::magic(&head).is_some() {
            24
        } else {
            pcapng_shb_len(&head).clamp(12, TEXT_SNIFF)
        };
        let more = want.saturating_sub(head.len());
        error = read_up_to(&mut reader, &mut head, more);
    }
    if gzip::is_gzip(&head) {
        let mut dec = gzip::decoder(Cursor::new(head).chain(reader));
        let mut inner = Vec::with_capacity(TEXT_SNIFF);
        let error = read_up_to(&mut dec, &mut inner, TEXT_SNIFF);
        if let (Some(e), None) = (&error, sniff_plain(&inner)) {
            return Err(CaptureError::BadHeader {
                offset: 0,
                reason: format!("gzip: {e}"),
            });
        }
        return read_plain(inner, error, dec, None, true, opts, sink, max_text);
    }
    read_plain(head, error, reader, size, false, opts, sink, max_text)
}

/// Read an uncompressed stream whose first bytes, `head`, were read already
/// (`error` ended that read early, if set).
#[allow(clippy::too_many_arguments)]
fn read_plain<R: Read>(
    mut head: Vec<u8>,
    error: Option<std::io::Error>,
    mut rest: R,
    size: Option<u64>,
    compressed: bool,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
    max_text: usize,
) -> Result<ReadSummary, CaptureError> {
    let format = sniff_plain(&head);
    let Some(format) = format else {
        return Err(match error {
            Some(e) if head.is_empty() => CaptureError::Io(e),
            _ if compressed => CaptureError::NotACaptureInGzip,
            _ => CaptureError::NotACapture,
        });
    };
    // A small file needs no more buffer than its size (batch scans open
    // many of them); a large one, or a stream, gets the standard buffer.
    let cap = size
        .and_then(|s| usize::try_from(s.saturating_add(1)).ok())
        .map_or(STREAM_BUFFER, |s| s.min(STREAM_BUFFER));
    let (out, error) = match format {
        Format::CiscoText => {
            let mut error = error;
            if error.is_none() {
                let room = max_text.saturating_sub(head.len());
                error = read_up_to(&mut rest, &mut head, room);
            }
            // Is there more than we keep?
            let mut probe = Vec::new();
            let cut = head.len() > max_text
                || (error.is_none()
                    && head.len() == max_text
                    && (read_up_to(&mut rest, &mut probe, 1).is_some() || !probe.is_empty()));
            head.truncate(max_text);
            let mut s = text::read_text(&head, opts, sink)?;
            s.compressed = compressed;
            if cut {
                let notice = Notice {
                    level: Level::Error,
                    offset: Some(max_text as u64),
                    line: None,
                    frame: None,
                    message: format!(
                        "console text longer than {} MiB: only its first {max_text} bytes were read ({} packet(s)); split the file to read the rest",
                        max_text >> 20,
                        s.frames
                    ),
                };
                sink.notice(notice.clone());
                s.stopped = Some(notice);
            } else if let Some(e) = error {
                let notice = stop_notice(
                    s.frames,
                    head.len() as u64,
                    if compressed {
                        format!("gzip stream error ({e}) in the decompressed data")
                    } else {
                        format!("read error ({e})")
                    },
                );
                sink.notice(notice.clone());
                s.stopped = Some(notice);
            }
            return Ok(s);
        }
        Format::Pcap | Format::PcapNg => {
            let feed = source::Feed::new(Cursor::new(&head[..]).chain(rest), size.is_none());
            let mut out = if format == Format::Pcap {
                pcap::read(feed, cap, sink)?
            } else {
                pcapng::read(feed, &head, cap, sink)?
            };
            // The sniffing read's error comes after its bytes.
            let error = error.or(out.read_error.take());
            (out, error)
        }
    };
    let mut summary = ReadSummary {
        format,
        compressed,
        frames: out.frames,
        bytes: out.bytes,
        stopped: out.stopped,
    };
    if let Some(e) = error {
        summary.stopped = Some(stop_notice(
            out.frames,
            out.bytes,
            if compressed {
                format!("gzip stream error ({e}) in the decompressed data")
            } else {
                format!("read error ({e})")
            },
        ));
    }
    if let Some(n) = &summary.stopped {
        sink.notice(n.clone());
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Keep {
        frames: Vec<(FrameNo, Timestamp)>,
        notices: Vec<Notice>,
    }

    impl FrameSink for Keep {
        fn frame(&mut self, f: &Frame<'_>) {
            self.frames.push((f.number, f.ts));
        }
        fn notice(&mut self, n: Notice) {
            self.notices.push(n);
        }
    }

    #[test]
    fn console_text_past_the_limit_is_cut_and_said() {
        let line = "   1: 10:00:00.000000 192.0.2.1.500 > 192.0.2.2.500:  udp 100\n";
        let text = format!(
            "router# show cap x\n2 packets captured\n{}",
            line.repeat(100)
        );
        let mut k = Keep::default();
        let s = read_checked(
            text.as_bytes(),
            None,
            &ReadOptions {
                date: Some((2024, 1, 2)),
            },
            &mut k,
            1024,
        )
        .unwrap();
        let stop = s.stopped.expect("the cut is damage");
        assert!(
            stop.message.contains("only its first 1024 bytes"),
            "{stop:?}"
        );
        assert!(k.notices.iter().any(|n| n.message == stop.message));
        // Under the limit: read to the end, nothing said.
        let mut k = Keep::default();
        let s = read_checked(
            text.as_bytes(),
            None,
            &ReadOptions {
                date: Some((2024, 1, 2)),
            },
            &mut k,
            1 << 20,
        )
        .unwrap();
        assert!(s.stopped.is_none(), "{:?}", s.stopped);
    }

    #[test]
    fn time_going_backwards_and_absurd_time_stamps_are_noticed() {
        let mut k = Keep::default();
        let mut c = TimeCheck::new(&mut k);
        let f = |number, secs| Frame {
            number,
            ts: Timestamp { secs, nanos: 0 },
            link: LinkType::RAW,
            data: &[],
            orig_len: 0,
            interface: 0,
            origin: Origin::Wire,
        };
        for (n, t) in [(1, 100), (2, 90), (3, 95), (4, 80), (5, -1), (6, i64::MAX)] {
            c.frame(&f(n, t));
        }
        c.finish();
        assert_eq!(k.frames[4].1.secs, 0);
        assert_eq!(k.frames[5].1.secs, MAX_SECS);
        let back = &k.notices[0];
        assert_eq!(back.frame, Some(2));
        assert!(back
            .message
            .contains("frame 2 is 10.000000 s earlier than frame 1"));
        assert!(
            back.message.contains("2 frame(s) in all"),
            "{}",
            back.message
        );
        let absurd = &k.notices[1];
        assert_eq!(absurd.frame, Some(5));
        assert!(absurd.message.contains("(-1 s since 1970)"));
        assert!(absurd.message.contains("1 other frame"));
    }
}
