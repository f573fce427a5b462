//! Capture files → timestamped frames.
//!
//! Reads pcap (both byte orders, µs/ns), pcapng (sections, interfaces with
//! their own link types and `if_tsresol`), either of them gzip-compressed
//! (detected by magic bytes), and Cisco console text exports. Frames are
//! numbered here and only here: 1-based over every packet record, exactly as
//! Wireshark's `frame.number`.
//!
//! Reading is push-based: the reader calls a [`FrameSink`] for every frame and
//! every notice, so a frame can borrow the reader's buffer (a bounded window
//! over the file or over the decompressed stream) and no frame is copied.
//! Memory does not grow with the file size. A damaged file yields a notice
//! with the byte offset, and everything before it is still delivered.

pub mod gzip;
pub mod pcap;
pub mod pcapng;
pub mod text;
mod window;
pub mod writer;

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use window::{SliceWindow, StreamWindow, Window};

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
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("not a capture file (no pcap, pcapng, gzip or Cisco text signature)")]
    NotACapture,
    #[error("corrupt file header at offset {offset:#x}: {reason}")]
    BadHeader { offset: u64, reason: String },
}

/// Largest text export read into memory (text exports are console logs).
const MAX_TEXT: usize = 256 << 20;
/// Bytes of a text file shown to [`text::looks_like_text`].
const TEXT_SNIFF: usize = 64 << 10;
/// The pcapng Section Header Block type, the first four bytes of a pcapng
/// file (pcapng draft §4.1).
const PCAPNG_SHB_TYPE: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// What a record parser produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub frames: u64,
    pub stopped: Option<Notice>,
}

impl Outcome {
    /// Record the reason the read stops at `offset`.
    pub(crate) fn stop(&mut self, offset: u64, message: String) {
        self.stopped = Some(Notice {
            level: Level::Error,
            offset: Some(offset),
            line: None,
            frame: None,
            message: if self.frames == 0 {
                format!("{message} at offset {offset:#x}; reading stopped before any packet")
            } else {
                format!(
                    "{message} at offset {offset:#x}; reading stopped, the {} packet(s) before it were analysed",
                    self.frames
                )
            },
        });
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

/// Read pcap or pcapng from a window; text is handled by the callers.
fn read_window<W: Window>(
    w: &mut W,
    format: Format,
    compressed: bool,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    let out = match format {
        Format::Pcap => pcap::read(w, sink)?,
        Format::PcapNg => pcapng::read(w, sink)?,
        Format::CiscoText => return Err(CaptureError::NotACapture),
    };
    Ok(ReadSummary {
        format,
        compressed,
        frames: out.frames,
        bytes: w.offset(),
        stopped: out.stopped,
    })
}

/// Hand the stop notice to the sink as well.
fn finish(summary: ReadSummary, sink: &mut dyn FrameSink) -> ReadSummary {
    if let Some(n) = &summary.stopped {
        sink.notice(n.clone());
    }
    summary
}

/// Read everything from a stream window into memory, up to `limit` bytes.
fn slurp<W: Window>(w: &mut W, limit: usize) -> Vec<u8> {
    let mut want = TEXT_SNIFF;
    while w.fill(want).unwrap_or(false) && want < limit {
        want = want.saturating_mul(2).min(limit);
    }
    w.avail().get(..limit).unwrap_or(w.avail()).to_vec()
}

/// Read a decompressed stream: sniff the inner format, then parse it.
fn read_gzip<R: Read>(
    reader: R,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    let mut w = StreamWindow::new(gzip::decoder(reader), window::STREAM_WINDOW);
    w.fill(TEXT_SNIFF.min(window::STREAM_WINDOW)).ok();
    let format = sniff_plain(w.avail());
    let mut summary = match format {
        Some(Format::CiscoText) => {
            let all = slurp(&mut w, MAX_TEXT);
            let mut s = text::read_text(&all, opts, sink)?;
            s.compressed = true;
            return Ok(s);
        }
        Some(f) => read_window(&mut w, f, true, sink)?,
        None => {
            return Err(match w.take_error() {
                Some(e) => CaptureError::BadHeader {
                    offset: 0,
                    reason: format!("gzip: {e}"),
                },
                None => CaptureError::NotACapture,
            })
        }
    };
    if let Some(e) = w.take_error() {
        let offset = summary.bytes;
        let mut out = Outcome::default();
        out.stop(
            offset,
            format!("gzip stream error ({e}) in the decompressed data"),
        );
        summary.stopped = out.stopped;
    }
    Ok(finish(summary, sink))
}

/// Read a capture file, calling `sink` for each frame and notice.
///
/// pcap and pcapng files are read through a bounded window (1 MiB, grown only
/// to fit one record), so memory does not grow with the file size.
pub fn read_path(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    // `-` is standard input: `tcpdump -w - | ikescope -`.
    if path.as_os_str() == "-" {
        return read_stream(std::io::stdin().lock(), None, opts, sink);
    }
    let file = File::open(path)?;
    // Only a regular file's size is a size; pipes and FIFOs report 0.
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    read_stream(file, size, opts, sink)
}

/// Read a capture from any byte stream (file, pipe, standard input), opened
/// once: the first bytes read to recognise the format are replayed.
fn read_stream<R: Read>(
    mut reader: R,
    size: Option<u64>,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        match reader.read(head.get_mut(got..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        }
    }
    let head = head.get(..got).unwrap_or(&[]).to_vec();
    let is_gzip = gzip::is_gzip(&head);
    let look = if pcap::magic(&head).is_some() {
        head.len()
    } else if head.as_slice() == PCAPNG_SHB_TYPE {
        12
    } else {
        TEXT_SNIFF
    };
    let reader = std::io::Cursor::new(head).chain(reader);
    if is_gzip {
        return read_gzip(BufReader::with_capacity(256 << 10, reader), opts, sink);
    }
    // A small file needs no more window than its size (batch scans open
    // many of them); a large one, or a stream, gets the standard window.
    let cap = size
        .and_then(|s| usize::try_from(s.saturating_add(1)).ok())
        .map_or(window::STREAM_WINDOW, |s| s.min(window::STREAM_WINDOW));
    let mut w = StreamWindow::new(reader, cap);
    // pcap and pcapng are known from their first bytes (pcapng's byte-order
    // magic ends at byte 12); only console text needs a long look. A live
    // stream (`tcpdump -U -w - | ikescope --follow -`) must not wait for
    // 64 KiB before its first packet is read.
    w.fill(look).ok();
    let summary = match sniff_plain(w.avail()) {
        Some(Format::CiscoText) => {
            let all = slurp(&mut w, MAX_TEXT);
            return text::read_text(&all, opts, sink);
        }
        Some(f) => read_window(&mut w, f, false, sink)?,
        None => {
            return Err(match w.take_error() {
                Some(e) => CaptureError::Io(e),
                None => CaptureError::NotACapture,
            })
        }
    };
    let mut summary = summary;
    if let Some(e) = w.take_error() {
        let mut out = Outcome::default();
        out.stop(summary.bytes, format!("read error ({e})"));
        summary.stopped = out.stopped;
    }
    Ok(finish(summary, sink))
}

/// Read a capture from any byte stream, e.g. one that waits for more data at
/// its end (`--follow` on a growing file).
pub fn read_reader<R: Read>(
    reader: R,
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    read_stream(reader, None, opts, sink)
}

/// Read a capture held in memory.
pub fn read_bytes(
    data: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    if gzip::is_gzip(data) {
        return read_gzip(data, opts, sink);
    }
    match sniff_plain(data.get(..TEXT_SNIFF).unwrap_or(data)) {
        Some(Format::CiscoText) => text::read_text(data, opts, sink),
        Some(f) => {
            let s = read_window(&mut SliceWindow::new(data), f, false, sink)?;
            Ok(finish(s, sink))
        }
        None => Err(CaptureError::NotACapture),
    }
}
