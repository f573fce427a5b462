//! Cisco console text exports: ASA/PIX/FTD `show capture` (summary, detail,
//! dump) and IOS / IOS-XE Embedded Packet Capture dumps.
//!
//! The text is read line by line; each line is recognised on its own (an ASA
//! head line, a hex line of one of four dialects, an IOS EPC header, a count,
//! a prompt, a pager line...) so that several outputs pasted together, other
//! commands' output, CRLF ends, `<--- More --->` pagers (also as a terminal
//! log records them, erased with carriage returns or backspaces) and quoted
//! pastes (`- `, `> `, `#` before every line) all read. Lines that are not
//! understood inside capture output give a warning naming the line, and
//! reading goes on.
//!
//! - Packets with a hex dump become [`Origin::TextDump`] frames. Whether the
//!   dump starts at the IP or the Ethernet header is decided per packet from
//!   its bytes (`hexdump::guess_link`): [`LinkType::RAW`] or
//!   [`LinkType::ETHERNET`]. Offsets that do not follow each other are an
//!   error for that packet: it is kept, truncated where the break is (or
//!   skipped when its very first line is already out of place).
//! - ASA summary lines without a dump become [`Origin::TextSummary`] frames
//!   whose headers are rebuilt from the line (module `summary`).
//! - ASA time stamps carry no date: [`ReadOptions::date`] supplies it (else
//!   1970-01-01, said in a notice); a time more than half a day earlier than
//!   the previous one moves to the next day.
//! - Frames are numbered 1, 2, … in text order; the ASA's own packet index is
//!   only informational.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod asa;
pub mod clock;
mod hexdump;
mod ios;
mod summary;

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

use super::{
    CaptureError, Format, Frame, FrameNo, FrameSink, Level, LinkType, Notice, Origin, ReadOptions,
    ReadSummary, Timestamp,
};
use asa::{Count, Described};
use hexdump::{HexKind, HexLine, LINE_BYTES};
use summary::{proto, Transport};

/// How much of a file [`looks_like_text`] needs to see: a paste may carry
/// other commands' output before the capture (`show version`…).
pub const SNIFF_LEN: usize = 64 * 1024;
/// Lines examined by [`looks_like_text`].
const SNIFF_LINES: usize = 400;
/// Bytes checked for binary content by [`looks_like_text`].
const SNIFF_BINARY_BYTES: usize = 4096;
/// Unrecognised-line warnings given one by one; the rest are counted.
const MAX_UNKNOWN_NOTICES: u64 = 20;
/// Largest packet assembled from a dump (the pcap writer's snapshot length).
const MAX_PACKET: usize = super::writer::SNAPLEN as usize;
/// Longest decode text kept for one packet (head plus continuation lines).
const MAX_DECODE: usize = 4096;
/// Fragment-protocol memory bound (entries).
const MAX_FRAGMENT_KEYS: usize = 4096;

/// Does this text look like a Cisco capture export?
///
/// Returns `false` at once on binary data (NUL bytes or many control
/// characters in the first 4 KiB). Otherwise looks for a line only a capture
/// export has: an ASA head line or `N packets captured`, a hex dump line at
/// offset 0 (or an IOS memory-address line), an IOS EPC packet header, or a
/// tshark `Frame N:` line. Looks at most at the first [`SNIFF_LEN`] bytes;
/// give it that much of the file when there is that much.
pub fn looks_like_text(head: &[u8]) -> bool {
    let head = head.get(..SNIFF_LEN.min(head.len())).unwrap_or(head);
    let probe = head
        .get(..SNIFF_BINARY_BYTES.min(head.len()))
        .unwrap_or(head);
    if probe.is_empty() || !is_texty(probe) {
        return false;
    }
    head.split(|&b| b == b'\n')
        .take(SNIFF_LINES)
        .any(|raw| match clean_line(raw) {
            Cleaned::Text(s) => is_signature(&s) || strip_quote(&s).is_some_and(is_signature),
            Cleaned::Pager | Cleaned::Binary => false,
        })
}

fn is_texty(b: &[u8]) -> bool {
    if b.contains(&0) {
        return false;
    }
    let controls = b
        .iter()
        .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x08 | 0x0c | 0x1b))
        .count();
    controls * 100 <= b.len()
}

fn is_signature(s: &str) -> bool {
    if let Some(h) = hexdump::parse_hex_line(s) {
        return match h.kind {
            HexKind::Address => h.bytes.len() >= 4,
            HexKind::Bytes => h.offset == 0 && h.bytes.len() >= 8,
            HexKind::Asa | HexKind::Offset => h.offset == 0,
        };
    }
    asa::parse_head(s).is_some_and(|h| !h.decode.is_empty())
        || matches!(asa::parse_count(s), Some(Count::Captured(_)))
        || ios::parse_classic_header(s).is_some()
        || ios::parse_frame_header(s).is_some()
}

/// A line after terminal clean-up.
enum Cleaned<'a> {
    Text(Cow<'a, str>),
    /// A pager prompt and nothing else.
    Pager,
    /// NUL bytes: not text.
    Binary,
}

const PAGERS: [&str; 2] = ["<--- More --->", "--More--"];

/// Strip the line end, replay carriage returns and backspaces as a terminal
/// would (pager prompts are erased that way in session logs), and remove
/// pager prompts.
fn clean_line(raw: &[u8]) -> Cleaned<'_> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    if raw.contains(&0) {
        return Cleaned::Binary;
    }
    let mut text: Cow<'_, str> = if raw.contains(&b'\r') || raw.contains(&0x08) {
        let mut screen: Vec<u8> = Vec::with_capacity(raw.len());
        let mut col = 0usize;
        for &b in raw {
            match b {
                b'\r' => col = 0,
                0x08 => col = col.saturating_sub(1),
                _ => {
                    if let Some(slot) = screen.get_mut(col) {
                        *slot = b;
                    } else {
                        screen.push(b);
                    }
                    col += 1;
                }
            }
        }
        Cow::Owned(String::from_utf8_lossy(&screen).into_owned())
    } else {
        String::from_utf8_lossy(raw)
    };
    // Web copies: no-break spaces and HTML entities.
    if text.contains('\u{a0}') || text.contains("&gt;") || text.contains("&lt;") {
        text = Cow::Owned(
            text.replace('\u{a0}', " ")
                .replace("&gt;", ">")
                .replace("&lt;", "<")
                .replace("&amp;", "&"),
        );
    }
    if PAGERS.iter().any(|p| text.contains(p)) {
        let mut s = text.into_owned();
        for p in PAGERS {
            s = s.replace(p, "");
        }
        if s.trim().is_empty() {
            return Cleaned::Pager;
        }
        text = Cow::Owned(s);
    }
    Cleaned::Text(text)
}

/// A line quoted by a web page or a mail (`- `, `> `, `#`): the rest of it.
fn strip_quote(s: &str) -> Option<&str> {
    let t = s.trim_start();
    for q in ["- ", "> ", "#", ">"] {
        if let Some(rest) = t.strip_prefix(q) {
            return Some(rest);
        }
    }
    None
}

/// `host#`, `host(config)#`, `host/pri/act>` followed by a command or nothing.
fn is_prompt(s: &str) -> bool {
    let t = s.trim_start();
    let Some(end) = t.find(['#', '>']) else {
        return false;
    };
    let (host, after) = t.split_at(end);
    let after = after.get(1..).unwrap_or("");
    host.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./():@".contains(c))
        && (after.is_empty() || after.starts_with(' '))
}

/// `packet-tracer` lines that `show capture NAME trace` prints after a
/// packet: `Phase: 1`, `Type: ACCESS-LIST`, `Result: ALLOW`, …
fn is_trace_line(s: &str) -> bool {
    const KEYS: [&str; 12] = [
        "Phase:",
        "Type:",
        "Subtype:",
        "Result:",
        "Config:",
        "Additional Information:",
        "input-interface:",
        "input-status:",
        "input-line-status:",
        "output-interface:",
        "output-status:",
        "Action:",
    ];
    let t = s.trim_start();
    KEYS.iter().any(|k| t.starts_with(k))
        || t.starts_with("Elapsed time:")
        || t.starts_with("Time Taken:")
}

/// Where the packet being assembled came from.
#[derive(Debug, Clone)]
enum Source {
    /// An ASA head line: its index and decode (with continuation lines).
    Asa { index: u64, decode: String },
    /// A classic IOS EPC header.
    Classic,
    /// An IOS-XE 16 packet index line.
    XeIndex,
    /// A tshark `-V` frame (IOS-XE `buffer detailed`).
    Verbose {
        header: ios::FrameHeader,
        link: Option<LinkType>,
    },
    /// Hex lines with no header before them.
    Bare,
}

#[derive(Debug)]
struct Pending {
    source: Source,
    /// Line the packet starts on.
    line: u64,
    ts: Timestamp,
    bytes: Vec<u8>,
    kind: Option<HexKind>,
    /// Next expected memory address (classic IOS).
    next_address: u64,
    /// A line shorter than 16 bytes was seen: the dump must end there.
    short_line: Option<u64>,
    /// Offsets broke: later hex lines of this packet are ignored.
    broken: bool,
    /// Nothing to deliver (the dump was unusable from its first line).
    skip: bool,
}

impl Pending {
    fn new(source: Source, line: u64, ts: Timestamp) -> Self {
        Pending {
            source,
            line,
            ts,
            bytes: Vec::new(),
            kind: None,
            next_address: 0,
            short_line: None,
            broken: false,
            skip: false,
        }
    }
}

/// tshark `-V` frame information waiting for its hex block.
#[derive(Debug, Clone, Copy)]
struct Verbose {
    header: ios::FrameHeader,
    ts: Option<Timestamp>,
    link: Option<LinkType>,
}

struct TextReader<'s> {
    sink: &'s mut dyn FrameSink,
    day: i64,
    date_given: bool,
    date_noted: bool,
    undated_noted: bool,
    zone_noted: bool,
    clock: clock::DayClock,
    frames: u64,
    pending: Option<Pending>,
    verbose: Option<Verbose>,
    /// Inside `show capture` / dump output (unknown lines are reported).
    capture_mode: bool,
    /// Inside tshark `-V` output (its tree lines are not reported).
    verbose_mode: bool,
    unknown: u64,
    /// Inside a tshark hex block of a secondary data source.
    skip_block: bool,
    last_unknown: u64,
    /// Something a capture export has was seen.
    recognised: bool,
    /// ASA head lines since the last `packets captured` / `shown` line.
    records_listed: u64,
    last_ts: Timestamp,
    fragment_protocols: HashMap<(IpAddr, IpAddr, u16), u8>,
    buf: Vec<u8>,
}

/// Read a Cisco console text export, calling `sink` per packet.
pub fn read_text(
    data: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    let (day, date_given) = match opts.date {
        Some((y, m, d)) => match clock::days_from_civil(y, m, d) {
            Some(day) => (day, true),
            None => {
                sink.notice(Notice {
                    level: Level::Error,
                    offset: None,
                    line: None,
                    frame: None,
                    message: format!("invalid date {y:04}-{m:02}-{d:02}: using 1970-01-01"),
                });
                (0, false)
            }
        },
        None => (0, false),
    };
    let mut r = TextReader {
        sink,
        day,
        date_given,
        date_noted: false,
        undated_noted: false,
        zone_noted: false,
        clock: clock::DayClock::new(day),
        frames: 0,
        pending: None,
        verbose: None,
        capture_mode: false,
        verbose_mode: false,
        unknown: 0,
        skip_block: false,
        last_unknown: 0,
        recognised: false,
        records_listed: 0,
        last_ts: clock::stamp(day, 0),
        fragment_protocols: HashMap::new(),
        buf: Vec::new(),
    };
    let mut stopped = None;
    let mut consumed = 0u64;
    let mut line_no = 0u64;
    for raw in data.split(|&b| b == b'\n') {
        line_no += 1;
        match clean_line(raw) {
            Cleaned::Pager => {}
            Cleaned::Binary => {
                let n = Notice {
                    level: Level::Error,
                    offset: Some(consumed),
                    line: Some(line_no),
                    frame: None,
                    message: "binary data in a text export: reading stopped".to_string(),
                };
                r.sink.notice(n.clone());
                stopped = Some(n);
                break;
            }
            Cleaned::Text(s) => r.line(line_no, &s),
        }
        consumed += raw.len() as u64 + 1;
    }
    r.flush();
    if r.unknown > MAX_UNKNOWN_NOTICES {
        let more = r.unknown - MAX_UNKNOWN_NOTICES;
        let last = r.last_unknown;
        r.notice(
            Level::Warning,
            Some(last),
            None,
            format!("{more} more unrecognised lines in capture output ignored (the last on line {last})"),
        );
    }
    if !r.recognised && r.frames == 0 {
        return Err(CaptureError::NotACapture);
    }
    Ok(ReadSummary {
        format: Format::CiscoText,
        compressed: false,
        frames: r.frames,
        bytes: consumed.min(data.len() as u64),
        stopped,
    })
}

impl TextReader<'_> {
    fn notice(&mut self, level: Level, line: Option<u64>, frame: Option<FrameNo>, message: String) {
        self.sink.notice(Notice {
            level,
            offset: None,
            line,
            frame,
            message,
        });
    }

    fn line(&mut self, n: u64, s: &str) {
        if self.handle(n, s) {
            return;
        }
        if let Some(q) = strip_quote(s) {
            if self.handle(n, q) {
                return;
            }
        }
        self.unknown_line(n, s);
    }

    fn unknown_line(&mut self, n: u64, s: &str) {
        let inside = self.pending.as_ref().is_some_and(|p| !p.bytes.is_empty());
        // `#` and `!` start comments in pasted configs and notes.
        let comment = s.trim_start().starts_with(['#', '!']);
        if (self.capture_mode || inside) && !self.verbose_mode && !comment {
            self.unknown += 1;
            self.last_unknown = n;
            if self.unknown <= MAX_UNKNOWN_NOTICES {
                let shown: String = s.trim().chars().take(60).collect();
                self.notice(
                    Level::Warning,
                    Some(n),
                    None,
                    format!("unrecognised line in capture output ignored: `{shown}`"),
                );
            }
        }
    }

    /// Handle a recognised line; `false` if the line is not recognised.
    fn handle(&mut self, n: u64, s: &str) -> bool {
        if s.trim().is_empty() {
            self.blank();
            return true;
        }
        if let Some(h) = hexdump::parse_hex_line(s) {
            if !self.skip_block {
                self.hex(n, h);
            }
            return true;
        }
        if let Some(own) = ios::parse_block_label(s) {
            // The frame's own bytes start a packet; other data sources
            // (reassembled, decrypted) are not packets.
            self.flush();
            self.skip_block = !own;
            return true;
        }
        if let Some(h) = asa::parse_head(s) {
            self.flush();
            self.records_listed += 1;
            self.recognised = true;
            self.capture_mode = true;
            self.verbose_mode = false;
            let ts = self.asa_time(n, h.time_of_day);
            self.pending = Some(Pending::new(
                Source::Asa {
                    index: h.index,
                    decode: h.decode.to_string(),
                },
                n,
                ts,
            ));
            return true;
        }
        if let Some(c) = asa::parse_count(s) {
            self.flush();
            self.verbose_mode = false;
            match c {
                Count::Captured(_) => {
                    self.recognised = true;
                    self.capture_mode = true;
                }
                Count::Shown(shown) => {
                    if self.records_listed != shown && self.records_listed > 0 {
                        let read = self.records_listed;
                        self.notice(
                            Level::Warning,
                            Some(n),
                            None,
                            format!("the listing says {shown} packets shown but {read} are in the text: some lines are missing"),
                        );
                    }
                }
            }
            self.records_listed = 0;
            return true;
        }
        if let Some(h) = ios::parse_classic_header(s) {
            self.flush();
            self.recognised = true;
            self.capture_mode = true;
            self.verbose_mode = false;
            let zone = h.zone.to_ascii_uppercase();
            if !self.zone_noted && !zone.is_empty() && zone != "UTC" && zone != "GMT" {
                self.zone_noted = true;
                self.notice(
                    Level::Warning,
                    Some(n),
                    None,
                    format!("time zone {} is not applied: times are read as UTC", h.zone),
                );
            }
            self.pending = Some(Pending::new(Source::Classic, n, h.ts));
            return true;
        }
        if let Some(header) = ios::parse_frame_header(s) {
            self.flush();
            self.recognised = true;
            self.capture_mode = false;
            self.verbose_mode = true;
            self.verbose = Some(Verbose {
                header,
                ts: None,
                link: None,
            });
            return true;
        }
        if self.verbose_mode {
            if let Some(ts) = ios::parse_epoch(s) {
                if let Some(v) = self.verbose.as_mut() {
                    v.ts = Some(ts);
                }
                return true;
            }
            if let Some(link) = ios::parse_encapsulation(s) {
                if let Some(v) = self.verbose.as_mut() {
                    v.link = Some(link);
                }
                return true;
            }
        }
        if let Some(_index) = ios::parse_index(s) {
            self.flush();
            self.verbose_mode = false;
            let ts = self.undated_time(n);
            self.pending = Some(Pending::new(Source::XeIndex, n, ts));
            return true;
        }
        if s.starts_with([' ', '\t']) {
            if let Some(Pending {
                source: Source::Asa { decode, .. },
                bytes,
                ..
            }) = self.pending.as_mut()
            {
                if bytes.is_empty() {
                    if decode.len() < MAX_DECODE {
                        decode.push(' ');
                        decode.push_str(s.trim());
                    }
                    return true;
                }
            }
        }
        if self.capture_mode && is_trace_line(s) {
            return true;
        }
        if is_prompt(s) {
            self.flush();
            self.capture_mode = false;
            self.verbose_mode = false;
            return true;
        }
        false
    }

    fn blank(&mut self) {
        self.skip_block = false;
        let ends = self
            .pending
            .as_ref()
            .is_some_and(|p| !p.bytes.is_empty() && p.kind.is_some_and(|k| k != HexKind::Asa));
        if ends {
            self.flush();
        }
    }

    /// Time stamp of an ASA head line.
    fn asa_time(&mut self, n: u64, tod: u64) -> Timestamp {
        if !self.date_given && !self.date_noted {
            self.date_noted = true;
            self.notice(
                Level::Warning,
                Some(n),
                None,
                "time stamps carry no date and none was given: frames are dated 1970-01-01"
                    .to_string(),
            );
        }
        let (ts, rolled) = self.clock.stamp(tod);
        if rolled {
            self.notice(
                Level::Warning,
                Some(n),
                None,
                "time of day went back: taken as the next day".to_string(),
            );
        }
        self.last_ts = ts;
        ts
    }

    /// Time stamp for dumps that print none (IOS-XE 16/17 dumps).
    fn undated_time(&mut self, n: u64) -> Timestamp {
        if !self.undated_noted {
            self.undated_noted = true;
            let date = if self.date_given {
                "the given date"
            } else {
                "1970-01-01"
            };
            self.notice(
                Level::Warning,
                Some(n),
                None,
                format!("this dump has no time stamps: frames are all dated {date} 00:00:00"),
            );
        }
        clock::stamp(self.day, 0)
    }

    fn hex(&mut self, n: u64, h: HexLine) {
        self.recognised = true;
        let starts_packet = match &self.pending {
            None => true,
            Some(p) if p.kind.is_none() => false,
            Some(p) => {
                (h.kind.relative() && h.offset == 0)
                    || p.kind != Some(h.kind)
                    || (h.kind == HexKind::Address && p.skip)
            }
        };
        if starts_packet {
            self.flush();
            let (source, ts) = match self.verbose.take() {
                Some(v) => {
                    let ts = v.ts.unwrap_or(self.last_ts);
                    (
                        Source::Verbose {
                            header: v.header,
                            link: v.link,
                        },
                        ts,
                    )
                }
                None if h.kind == HexKind::Asa => (Source::Bare, self.last_ts),
                None => (Source::Bare, self.undated_time(n)),
            };
            if h.kind == HexKind::Asa {
                self.capture_mode = true;
            }
            self.pending = Some(Pending::new(source, n, ts));
        }
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        if p.broken {
            return;
        }
        let mut problem: Option<(String, bool)> = None;
        if p.kind.is_none() {
            p.kind = Some(h.kind);
            if h.kind.relative() && h.offset != 0 {
                problem = Some((
                    format!(
                        "hex dump starts at offset {:#06x}, not 0: packet skipped",
                        h.offset
                    ),
                    true,
                ));
            } else {
                // A classic IOS first line is right-aligned: it ends at the
                // next line's address.
                p.next_address = h.offset.saturating_add(LINE_BYTES as u64);
                p.bytes.extend_from_slice(&h.bytes);
                if h.bytes.len() < LINE_BYTES && h.kind.relative() {
                    p.short_line = Some(n);
                }
            }
        } else {
            let expected = if h.kind.relative() {
                p.bytes.len() as u64
            } else {
                p.next_address
            };
            if h.offset != expected || p.short_line.is_some() {
                let why = match p.short_line {
                    Some(l) if h.offset == expected => {
                        format!("line {l} was short but more followed")
                    }
                    _ => format!(
                        "offset {:#06x} where {expected:#06x} was expected",
                        h.offset
                    ),
                };
                problem = Some((
                    format!(
                        "hex dump broken ({why}): packet kept truncated at {} bytes",
                        p.bytes.len()
                    ),
                    false,
                ));
            } else if p.bytes.len() + h.bytes.len() > MAX_PACKET {
                problem = Some((
                    format!(
                        "hex dump longer than {MAX_PACKET} bytes: packet kept truncated at {} bytes",
                        p.bytes.len()
                    ),
                    false,
                ));
            } else {
                p.bytes.extend_from_slice(&h.bytes);
                p.next_address = h.offset.saturating_add(LINE_BYTES as u64);
                if h.bytes.len() < LINE_BYTES {
                    p.short_line = Some(n);
                }
            }
        }
        if let Some((message, skip)) = problem {
            p.broken = true;
            p.skip = skip;
            self.notice(Level::Error, Some(n), Some(self.frames + 1), message);
        }
    }

    fn flush(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        if p.skip {
            return;
        }
        if !p.bytes.is_empty() {
            self.deliver_dump(p);
            return;
        }
        match &p.source {
            Source::Asa { index, decode } => self.deliver_summary(&p, *index, decode),
            Source::Classic | Source::XeIndex => {
                self.notice(
                    Level::Warning,
                    Some(p.line),
                    None,
                    "packet header without a hex dump: skipped".to_string(),
                );
            }
            Source::Verbose { .. } | Source::Bare => {}
        }
    }

    fn deliver_dump(&mut self, p: Pending) {
        let guess = hexdump::guess_link(&p.bytes);
        let (link, orig_len) = match &p.source {
            Source::Verbose { header, link } => {
                if p.bytes.len() as u64 != u64::from(header.captured_len) {
                    self.notice(
                        Level::Warning,
                        Some(p.line),
                        None,
                        format!(
                            "hex block holds {} bytes but frame {} has {} captured: it is not the whole frame, skipped",
                            p.bytes.len(),
                            header.number,
                            header.captured_len
                        ),
                    );
                    return;
                }
                (
                    link.unwrap_or(guess.link),
                    header.wire_len.max(guess.orig_len),
                )
            }
            Source::Asa { decode, .. } => {
                let mut orig = guess.orig_len;
                if guess.link == LinkType::ETHERNET {
                    if let Some(len) = asa::parse_decode(decode).l2.and_then(|l| l.frame_len) {
                        orig = orig.max(len);
                    }
                }
                (guess.link, orig)
            }
            _ => (guess.link, guess.orig_len),
        };
        let number = self.frames + 1;
        if guess.unknown && !matches!(p.source, Source::Verbose { link: Some(_), .. }) {
            self.notice(
                Level::Warning,
                Some(p.line),
                Some(number),
                "dump starts with neither an IP header nor an Ethernet header: written as raw IP"
                    .to_string(),
            );
        }
        self.emit(p.ts, link, &p.bytes, orig_len, Origin::TextDump);
    }

    fn deliver_summary(&mut self, p: &Pending, index: u64, decode: &str) {
        let d = asa::parse_decode(decode);
        let rebuilt = match d.packet {
            Some(Described::Ip(mut s)) => {
                if let Some(f) = s.fragment {
                    let key = (s.src, s.dst, f.id);
                    if f.offset == 0 {
                        if self.fragment_protocols.len() >= MAX_FRAGMENT_KEYS {
                            self.fragment_protocols.clear();
                        }
                        self.fragment_protocols
                            .insert(key, s.transport.proto(s.src.is_ipv6()));
                    } else if let Transport::Other {
                        proto: p @ proto::UNKNOWN,
                        ..
                    } = &mut s.transport
                    {
                        if let Some(known) = self.fragment_protocols.get(&key) {
                            *p = *known;
                        }
                    }
                }
                summary::rebuild_ip(&s, d.l2.as_ref())
            }
            Some(Described::Arp(a)) => Some(summary::rebuild_arp(&a, d.l2.as_ref())),
            None => None,
        };
        match rebuilt {
            Some(r) => {
                let link = if r.ethernet {
                    LinkType::ETHERNET
                } else {
                    LinkType::RAW
                };
                self.emit(p.ts, link, &r.data, r.orig_len, Origin::TextSummary);
            }
            None => {
                let shown: String = decode.chars().take(60).collect();
                self.notice(
                    Level::Warning,
                    Some(p.line),
                    None,
                    format!("packet {index}: no dump and its summary `{shown}` cannot be rebuilt: skipped"),
                );
            }
        }
    }

    fn emit(&mut self, ts: Timestamp, link: LinkType, data: &[u8], orig_len: u32, origin: Origin) {
        self.frames += 1;
        self.buf.clear();
        self.buf.extend_from_slice(data);
        let frame = Frame {
            number: self.frames,
            ts,
            link,
            data: &self.buf,
            orig_len: orig_len.max(u32::try_from(data.len()).unwrap_or(u32::MAX)),
            interface: 0,
            origin,
        };
        self.sink.frame(&frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        frames: Vec<(u64, Timestamp, LinkType, Vec<u8>, u32, Origin)>,
        notices: Vec<Notice>,
    }

    impl FrameSink for Collect {
        fn frame(&mut self, f: &Frame<'_>) {
            self.frames.push((
                f.number,
                f.ts,
                f.link,
                f.data.to_vec(),
                f.orig_len,
                f.origin,
            ));
        }
        fn notice(&mut self, n: Notice) {
            self.notices.push(n);
        }
    }

    fn read(text: &str) -> Collect {
        let mut c = Collect::default();
        let opts = ReadOptions {
            date: Some((2024, 3, 1)),
        };
        let r = read_text(text.as_bytes(), &opts, &mut c);
        assert!(r.is_ok(), "{r:?}");
        c
    }

    #[test]
    fn binary_is_not_text() {
        assert!(!looks_like_text(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]));
        assert!(!looks_like_text(b""));
        assert!(!looks_like_text(b"hello world\nnothing here\n"));
        assert!(looks_like_text(b"router# show cap x\n2 packets captured\n"));
    }

    #[test]
    fn pager_erased_by_carriage_return() {
        let text = "1 packet captured\r\n   1: 10:00:00.000001 192.0.2.1.500 > 192.0.2.2.500: udp 4\r\n0x0000 4500 0020 0000 0000 4011 0000 c000 0201 E.. ....@.......\r\n<--- More --->\r              \r0x0010 c000 0202 01f4 01f4 000c 0000 0102 0304 ................\r\n1 packet shown\r\n";
        let c = read(text);
        assert_eq!(c.frames.len(), 1, "{:?}", c.notices);
        assert_eq!(c.frames.first().map(|f| f.3.len()), Some(32));
        assert!(c.notices.iter().all(|n| n.level == Level::Warning));
    }

    #[test]
    fn broken_offsets_keep_truncated_packet() {
        let text = "   1: 10:00:00.000001 192.0.2.1 > 192.0.2.2: ip-proto-50 12\n0x0000   4500 0020 0000 0000 4032 0000 c000 0201        E.. ....@2......\n0x0020   c000 0202 0000 0001 0000 0001 0000 0000        ................\n   2: 10:00:01.000001 192.0.2.1 > 192.0.2.2: ip-proto-50 12\n";
        let c = read(text);
        assert_eq!(c.frames.len(), 2);
        let first = c.frames.first().cloned().unwrap_or_else(|| panic!("none"));
        assert_eq!((first.3.len(), first.4), (16, 32));
        let err = c
            .notices
            .iter()
            .find(|n| n.level == Level::Error)
            .unwrap_or_else(|| panic!("no error"));
        assert_eq!((err.line, err.frame), (Some(3), Some(1)));
        let second = c.frames.get(1).cloned().unwrap_or_else(|| panic!("none"));
        assert_eq!((second.4, second.5), (32, Origin::TextSummary));
    }

    #[test]
    fn overlong_dump_is_cut() {
        let mut text =
            String::from("   1: 10:00:00.000001 192.0.2.1 > 192.0.2.2: ip-proto-50 12\n");
        for i in 0..=MAX_PACKET / 16 {
            text.push_str(&format!(
                "0x{:05x} 0000 0000 0000 0000 0000 0000 0000 0000 ................\n",
                i * 16
            ));
        }
        let c = read(&text);
        assert_eq!(c.frames.first().map(|f| f.3.len()), Some(MAX_PACKET));
        assert_eq!(
            c.notices.iter().filter(|n| n.level == Level::Error).count(),
            1
        );
    }

    #[test]
    fn missing_records_and_trace_lines() {
        let text = "3 packets captured\n   1: 10:00:00.000001 192.0.2.1.500 > 192.0.2.2.500: udp 100\nPhase: 1\nType: CAPTURE\nResult: ALLOW\nAction: allow\n   3: 10:00:02.000001 192.0.2.2.500 > 192.0.2.1.500: udp 80\n3 packets shown\n";
        let c = read(text);
        assert_eq!(c.frames.len(), 2);
        assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
        let n = c
            .notices
            .first()
            .map(|n| (n.line, n.message.contains("3 packets shown")));
        assert_eq!(n, Some((Some(8), true)));
    }

    #[test]
    fn prompts_quotes_and_other_output() {
        let text = "- ciscoasa# sh cap ci\n- 2 packets captured\n- 1: 01:05:27.509128 1.1.1.1 > 4.4.4.4: icmp: echo request\n- 2: 01:05:32.497029 arp who-has 3.3.3.254 tell 3.3.3.3\n- 2 packets shown\nciscoasa# show version\nCisco Adaptive Security Appliance Software Version 9.8(4)\n";
        let c = read(text);
        assert_eq!(c.frames.len(), 2, "{:?}", c.notices);
        assert_eq!(c.frames.get(1).map(|f| f.2), Some(LinkType::ETHERNET));
        assert!(c.notices.is_empty(), "{:?}", c.notices);
    }
}
