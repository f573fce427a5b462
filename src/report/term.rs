//! Text for a terminal: input bytes made inert, and lines that fit.
//!
//! Everything ikescope prints as text passes through here. Strings that come
//! from the input (file names, console lines, IKE identities, vendor IDs,
//! notify data) may hold control bytes or Unicode bidirectional controls;
//! printed raw, an escape sequence can recolour, retitle or clear the
//! terminal, and U+202E can make `evil<U+202E>fdp.pcap` read as `evilpcap.pdf`
//! (CVE-2021-42574, "Trojan Source"). [`escape`] spells them out instead;
//! [`Guard`] applies the same rule to a whole output stream, so a string
//! that missed [`escape`] still reaches the terminal inert.
//!
//! JSON is not escaped here: it carries the real characters, and JSON's own
//! string escaping (`\u001b`) makes them safe for any consumer.
//!
//! Layout helpers measure display columns (East Asian wide characters count
//! two, combining marks zero) with `unicode-width`.

use std::borrow::Cow;
use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Width used when standard output is not a terminal and `COLUMNS` is unset.
pub const DEFAULT_WIDTH: usize = 100;
/// Narrowest layout attempted; a narrower terminal gets this and wraps.
pub const MIN_WIDTH: usize = 40;

/// Unicode bidirectional formatting characters (Unicode Standard Annex #9,
/// §2 "Directional Formatting Characters"): embeddings and overrides
/// U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E/U+200F and the
/// Arabic letter mark U+061C. Also the line and paragraph separators
/// U+2028/U+2029, which some terminals take as a line break.
fn is_bidi_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// A character that must not reach a terminal as itself: C0 controls, DEL,
/// C1 controls (Unicode general category Cc), bidirectional controls and
/// line separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_or_separator(c)
}

/// Append the visible escape of an unsafe character (`\x1b`, `\u{202e}`).
pub fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

/// `s` with every control byte and bidirectional control spelled out
/// (`\x1b`, `\t`, `\u{202e}`), on one line. Borrowed when nothing needed
/// escaping.
pub fn escape(s: &str) -> Cow<'_, str> {
    if is_safe(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Bytes of unknown encoding as text: UTF-8 where valid, every invalid byte
/// as `\xNN`, and unsafe characters escaped as [`escape`] does.
pub fn escape_bytes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len());
    for chunk in b.utf8_chunks() {
        out.push_str(&escape(chunk.valid()));
        for x in chunk.invalid() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\x{x:02x}");
        }
    }
    out
}

/// Display columns taken by `s` (after escaping, which the caller does).
pub fn width_of(s: &str) -> usize {
    // Printable ASCII, nearly all output: one column a byte.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    UnicodeWidthStr::width(s)
}

/// Whether `s` may hold an [`is_unsafe`] character other than those in
/// `allowed`, judged from its UTF-8 bytes: controls are bytes below 0x20
/// and 0x7f; C1 controls start with 0xc2, U+061C with 0xd8, and the
/// bidirectional controls and separators (U+200E–U+2069) with 0xe2 0x80 or
/// 0xe2 0x81. Most text (ASCII, arrows, box drawing) is cleared here
/// without decoding a character.
fn may_be_unsafe(s: &str, allowed: &[u8]) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        (c < 0x20 && !allowed.contains(&c))
            || c == 0x7f
            || c == 0xc2
            || c == 0xd8
            || (c == 0xe2 && matches!(b.get(i + 1), Some(0x80 | 0x81)))
    })
}

/// True when `s` holds nothing [`escape`] would change.
fn is_safe(s: &str) -> bool {
    !may_be_unsafe(s, &[]) || !s.chars().any(is_unsafe)
}

/// The width to lay text out for: the terminal's when standard output is a
/// terminal, else `COLUMNS` when it holds a positive number, else
/// [`DEFAULT_WIDTH`]. Never below [`MIN_WIDTH`].
pub fn detect_width() -> usize {
    let tty = console::Term::stdout()
        .size_checked()
        .map(|(_, cols)| cols as usize)
        .filter(|&c| c > 0);
    let env = std::env::var("COLUMNS").ok();
    choose_width(tty, env.as_deref())
}

/// [`detect_width`] without the environment, for tests.
pub fn choose_width(tty: Option<usize>, columns: Option<&str>) -> usize {
    let w = tty
        .or_else(|| {
            columns
                .and_then(|c| c.trim().parse::<usize>().ok())
                .filter(|&c| c > 0)
        })
        .unwrap_or(DEFAULT_WIDTH);
    w.max(MIN_WIDTH)
}

/// Word-wrap `text` to `width` columns. The first line starts with `first`,
/// the others with `rest` (a hanging indent); words longer than a line are
/// cut. `text` is escaped first, so input cannot break the layout.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let text = escape(text);
    // Text that fits as it is, with single spaces between words: one line.
    if !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && width_of(first) + width_of(&text) <= width
    {
        let mut line = String::with_capacity(first.len() + text.len());
        line.push_str(first);
        line.push_str(&text);
        return vec![line];
    }
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut col = width_of(first);
    let mut empty = true;
    let rest_w = width_of(rest);
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let ww = width_of(word);
        if !empty && col + 1 + ww > width {
            lines.push(std::mem::take(&mut line));
            line = rest.to_string();
            col = rest_w;
            empty = true;
        }
        if !empty {
            line.push(' ');
            col += 1;
        }
        if col + ww <= width || ww == 0 {
            line.push_str(word);
            col += ww;
        } else {
            // A word wider than a whole line: cut it at the margin.
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if col + cw > width && col > rest_w {
                    lines.push(std::mem::take(&mut line));
                    line = rest.to_string();
                    col = rest_w;
                }
                line.push(c);
                col += cw;
            }
        }
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lay out `items` joined by `sep` in lines of `width` columns, the first
/// starting with `first` and the others with `rest`. An item is moved whole
/// to the next line rather than split, unless it is wider than a line on
/// its own, when it is word-wrapped. Items are escaped.
pub fn wrap_items(
    items: &[String],
    sep: &str,
    width: usize,
    first: &str,
    rest: &str,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    let sep_w = width_of(sep);
    let rest_w = width_of(rest);
    for (i, item) in items.iter().enumerate() {
        let item = escape(item);
        let last = i + 1 == items.len();
        // The separator stays with the item before it.
        let piece = if last {
            item.into_owned()
        } else {
            format!("{item}{}", sep.trim_end())
        };
        let w = width_of(&piece);
        let col = width_of(&line);
        let gap = if empty {
            0
        } else {
            sep_w - width_of(sep.trim_end())
        };
        if col + gap + w <= width {
            if !empty {
                line.push_str(&" ".repeat(gap));
            }
            line.push_str(&piece);
            empty = false;
            continue;
        }
        if !empty && rest_w + w <= width {
            lines.push(std::mem::take(&mut line));
            line = format!("{rest}{piece}");
            continue;
        }
        // Too wide for a line of its own: word-wrap it from here.
        let lead = if empty {
            std::mem::take(&mut line)
        } else {
            format!("{}{}", std::mem::take(&mut line), " ".repeat(gap))
        };
        let mut wrapped = wrap(&piece, width, &lead, rest);
        line = wrapped.pop().unwrap_or_default();
        lines.extend(wrapped);
        empty = false;
    }
    lines.push(line);
    lines
}

/// A column of a [`grid`]: its heading and whether numbers align right.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// Heading; `\n` splits it over lines.
    pub head: &'a str,
    pub right: bool,
    /// Never cut a word of this column (addresses): the column narrows
    /// only down to its longest word.
    pub whole_words: bool,
}

/// Gap between grid columns.
const GAP: usize = 2;

fn longest_word(s: &str) -> usize {
    s.split([' ', '\n']).map(width_of).max().unwrap_or(0)
}

/// Lay out `rows` (cells may hold several lines) under `columns` in at most
/// `width` columns, each line starting with `indent`. Columns take their
/// natural width when everything fits; otherwise the columns with the most
/// room to give are narrowed, first down to their longest word, then
/// further (words cut), and their cells wrap. Cells are escaped.
pub fn grid(
    columns: &[Column<'_>],
    rows: &[Vec<String>],
    width: usize,
    indent: &str,
) -> Vec<String> {
    let n = columns.len();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            (0..n)
                .map(|i| {
                    let cell = r.get(i).map_or("", String::as_str);
                    if !may_be_unsafe(cell, b"\n") {
                        cell.to_string()
                    } else {
                        cell.split('\n').map(escape).collect::<Vec<_>>().join("\n")
                    }
                })
                .collect()
        })
        .collect();
    let line_w = |s: &str| s.split('\n').map(width_of).max().unwrap_or(0);
    let natural: Vec<usize> = (0..n)
        .map(|i| {
            cells
                .iter()
                .map(|r| line_w(&r[i]))
                .max()
                .unwrap_or(0)
                .max(line_w(columns[i].head))
        })
        .collect();
    let floor: Vec<usize> = (0..n)
        .map(|i| {
            let word = cells.iter().map(|r| longest_word(&r[i])).max().unwrap_or(0);
            let word = if columns[i].whole_words {
                word
            } else {
                word.min(16)
            };
            natural[i].min(word.max(longest_word(columns[i].head)))
        })
        .collect();
    let avail = width.saturating_sub(width_of(indent) + GAP * n.saturating_sub(1));
    let mut w = natural.clone();
    let total = |w: &[usize]| w.iter().sum::<usize>();
    while total(&w) > avail {
        // Narrow the column with the most room above its floor; below the
        // floors, the widest one (never under 4).
        let pick = (0..n)
            .filter(|&i| w[i] > floor[i])
            .max_by_key(|&i| (w[i] - floor[i], w[i]))
            .or_else(|| {
                (0..n)
                    .filter(|&i| w[i] > 4 && !columns[i].whole_words)
                    .max_by_key(|&i| w[i])
            })
            // Narrower than every floor: cut even whole-word columns, so
            // the width is never exceeded.
            .or_else(|| (0..n).filter(|&i| w[i] > 1).max_by_key(|&i| w[i]));
        match pick {
            Some(i) => w[i] -= 1,
            None => break,
        }
    }
    let rule = total(&w) + GAP * n.saturating_sub(1);
    let mut out = Vec::new();
    let render = |out: &mut Vec<String>, row: &[String]| {
        let wrapped: Vec<Vec<String>> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.split('\n')
                    .flat_map(|l| wrap(l, w[i], "", ""))
                    .collect::<Vec<String>>()
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        let spaces = |line: &mut String, k: usize| line.extend(std::iter::repeat_n(' ', k));
        for k in 0..height {
            let mut line = String::with_capacity(indent.len() + rule + 8);
            line.push_str(indent);
            for (i, col) in wrapped.iter().enumerate() {
                let text = col.get(k).map_or("", String::as_str);
                let pad = w[i].saturating_sub(width_of(text));
                if i > 0 {
                    spaces(&mut line, GAP);
                }
                if columns[i].right {
                    spaces(&mut line, pad);
                    line.push_str(text);
                } else {
                    line.push_str(text);
                    spaces(&mut line, pad);
                }
            }
            line.truncate(line.trim_end().len());
            out.push(line);
        }
    };
    let heads: Vec<String> = columns.iter().map(|c| c.head.to_string()).collect();
    render(&mut out, &heads);
    out.push(format!("{indent}{}", "─".repeat(rule)));
    for r in &cells {
        render(&mut out, r);
    }
    out
}

/// `s` cut to at most `max` columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width_of(s) <= max {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut col = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if col + cw + 1 > max {
            break;
        }
        out.push(c);
        col += cw;
    }
    out.push('…');
    Cow::Owned(out)
}

/// A path escaped and, when wider than `max` columns, shortened from the
/// left, where its least telling part is: `…/corpus/site/fail.pcap`. Cuts
/// at a `/` when one leaves the file name whole; a file name wider than
/// `max` keeps its end.
pub fn shorten_path(path: &str, max: usize) -> String {
    let p = escape(path);
    if width_of(&p) <= max {
        return p.into_owned();
    }
    let max = max.max(2);
    // Keep the longest tail that fits after "…".
    let chars: Vec<char> = p.chars().collect();
    let mut col = 1; // the ellipsis
    let mut start = chars.len();
    while start > 0 {
        let cw = chars[start - 1].width().unwrap_or(0);
        if col + cw > max {
            break;
        }
        col += cw;
        start -= 1;
    }
    // Prefer to cut just after a separator, if that keeps the file name.
    let tail: String = chars[start..].iter().collect();
    let name_start = chars.iter().rposition(|&c| c == '/').map_or(0, |i| i + 1);
    if start <= name_start {
        if let Some(i) = tail.find('/') {
            if i > 0 {
                return format!("…{}", &tail[i..]);
            }
        }
    }
    format!("…{tail}")
}

/// What a [`Guard`] protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Text: unsafe characters spelled out as [`escape`] does.
    Text,
    /// JSON (documents or JSON Lines): serde_json escapes only C0 controls,
    /// so DEL, C1 controls and bidirectional controls are written as JSON
    /// `\uXXXX` escapes, which decode to the same characters. They can only
    /// occur inside JSON strings, where the escape is equivalent.
    Json,
}

/// A writer that lets newlines through and escapes every other unsafe
/// character: the last line of defence for everything written to standard
/// output. Bytes that are not UTF-8 come out as `\xNN` (text) or U+FFFD
/// (JSON). Call [`Guard::finish`] at the end so a cut UTF-8 sequence is not
/// lost.
pub struct Guard<W: Write> {
    inner: W,
    stream: Stream,
    /// An incomplete UTF-8 sequence held over from the last write.
    pending: Vec<u8>,
}

impl<W: Write> Guard<W> {
    pub fn new(inner: W, stream: Stream) -> Self {
        Guard {
            inner,
            stream,
            pending: Vec::new(),
        }
    }

    fn escape_invalid(&self, b: &[u8]) -> String {
        match self.stream {
            Stream::Text => escape_bytes(b),
            Stream::Json => "\\ufffd".to_string(),
        }
    }

    /// Write out anything held back and return the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_pending()?;
        self.inner.flush()?;
        Ok(self.inner)
    }

    fn flush_pending(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            let s = self.escape_invalid(&bytes);
            self.inner.write_all(s.as_bytes())?;
        }
        Ok(())
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut rest = bytes;
        while !rest.is_empty() {
            match std::str::from_utf8(rest) {
                Ok(s) => return self.emit_str(s),
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    // Valid by construction: `valid_up_to`.
                    self.emit_str(std::str::from_utf8(good).unwrap_or_default())?;
                    match e.error_len() {
                        Some(n) => {
                            let s = self.escape_invalid(&bad[..n]);
                            self.inner.write_all(s.as_bytes())?;
                            rest = &bad[n..];
                        }
                        None => {
                            // Cut mid-character: keep it for the next write.
                            self.pending.extend_from_slice(bad);
                            return Ok(());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn emit_str(&mut self, s: &str) -> io::Result<()> {
        if !may_be_unsafe(s, b"\n") || !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
            return self.inner.write_all(s.as_bytes());
        }
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            if c == '\n' || !is_unsafe(c) {
                out.push(c);
            } else if self.stream == Stream::Json {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            } else {
                push_escaped(&mut out, c);
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.emit(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.emit(&joined)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_prefilter_never_clears_an_unsafe_character() {
        // Every code point the escaper refuses is caught by the byte scan.
        for u in 0..=0x2_ffffu32 {
            let Some(c) = char::from_u32(u) else { continue };
            if is_unsafe(c) {
                let s = format!("a{c}b");
                assert!(may_be_unsafe(&s, &[]), "U+{u:04X}");
                assert!(!escape(&s).contains(c), "U+{u:04X}");
            }
        }
        assert!(!may_be_unsafe("→ 33 pkts ─ ✓ ⇄ é", &[]));
        assert!(!may_be_unsafe("a\nb", b"\n"));
    }

    #[test]
    fn escapes_c0_c1_del_and_bidi() {
        assert_eq!(escape("plain é ✓"), "plain é ✓");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\x1b[31mb"), "a\\x1b[31mb");
        assert_eq!(escape("t\tn\nr\r"), "t\\tn\\nr\\r");
        assert_eq!(escape("\u{7f}\u{85}\u{9b}"), "\\x7f\\x85\\x9b");
        assert_eq!(escape("evil\u{202e}fdp.pcap"), "evil\\u{202e}fdp.pcap");
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{2028}', '\u{2029}',
        ] {
            let e = escape(&c.to_string()).into_owned();
            assert!(e.starts_with("\\u{"), "{c:?} → {e}");
            assert!(!e.chars().any(is_unsafe));
        }
    }

    #[test]
    fn escapes_invalid_utf8_bytes() {
        assert_eq!(
            escape_bytes(b"ok\xff\x1b\xe2\x80"),
            "ok\\xff\\x1b\\xe2\\x80"
        );
        assert_eq!(escape_bytes("ü".as_bytes()), "ü");
    }

    #[test]
    fn width_prefers_terminal_then_columns_then_default() {
        assert_eq!(choose_width(Some(132), Some("80")), 132);
        assert_eq!(choose_width(None, Some("80")), 80);
        assert_eq!(choose_width(None, Some(" 90 ")), 90);
        assert_eq!(choose_width(None, Some("wide")), DEFAULT_WIDTH);
        assert_eq!(choose_width(None, Some("0")), DEFAULT_WIDTH);
        assert_eq!(choose_width(None, None), DEFAULT_WIDTH);
        assert_eq!(choose_width(None, Some("10")), MIN_WIDTH);
    }

    #[test]
    fn wraps_with_hanging_indent() {
        let text = "Phase 1 authentication failed: most likely a pre-shared key mismatch, or an identity mismatch";
        let lines = wrap(text, 40, "  ✗ ", "    ");
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines[0].starts_with("  ✗ Phase"));
        for l in &lines {
            assert!(width_of(l) <= 40, "{l:?}");
        }
        for l in &lines[1..] {
            assert!(l.starts_with("    ") && !l.starts_with("     "), "{l:?}");
        }
        let joined: Vec<&str> = lines.iter().flat_map(|l| l.split_whitespace()).collect();
        let expect: Vec<&str> = ["✗"].into_iter().chain(text.split_whitespace()).collect();
        assert_eq!(joined, expect);
    }

    #[test]
    fn wrap_cuts_words_longer_than_a_line_and_escapes() {
        let lines = wrap(&"x".repeat(50), 20, "", "  ");
        assert!(lines.iter().all(|l| width_of(l) <= 20), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', "").len(), 50);
        assert_eq!(wrap("a\x1bb", 20, "", ""), vec!["a\\x1bb".to_string()]);
        assert_eq!(wrap("", 20, "> ", ""), vec!["> ".to_string()]);
    }

    #[test]
    fn shortens_paths_from_the_left() {
        assert_eq!(shorten_path("a/b.pcap", 20), "a/b.pcap");
        let p = "corpus/strongswan/site-a/ikev2/auth-failed.pcap";
        let s = shorten_path(p, 30);
        assert!(width_of(&s) <= 30, "{s}");
        assert_eq!(s, "…/ikev2/auth-failed.pcap");
        // The file name alone is too wide: keep its end.
        let s = shorten_path("dir/a-very-long-capture-file-name.pcap", 12);
        assert_eq!(s, "…e-name.pcap");
        assert_eq!(width_of(&s), 12);
        // Escaped before measuring.
        let s = shorten_path("d/evil\u{202e}fdp.pcap", 60);
        assert_eq!(s, "d/evil\\u{202e}fdp.pcap");
    }

    #[test]
    fn wraps_items_whole() {
        let items: Vec<String> = ["✗ phase1-auth-failed", "✓ established", "i nat-detected"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let lines = wrap_items(&items, ", ", 30, "row ", "    ");
        assert_eq!(
            lines,
            [
                "row ✗ phase1-auth-failed,",
                "    ✓ established,",
                "    i nat-detected"
            ]
        );
        let lines = wrap_items(&items, ", ", 80, "", "");
        assert_eq!(
            lines,
            ["✗ phase1-auth-failed, ✓ established, i nat-detected"]
        );
        // An item wider than a line is word-wrapped.
        let long = vec!["a b c d e f g h i j k l m n o p".to_string()];
        let lines = wrap_items(&long, ", ", 12, "> ", "  ");
        assert!(
            lines.len() > 1 && lines.iter().all(|l| width_of(l) <= 12),
            "{lines:?}"
        );
        assert_eq!(wrap_items(&[], ", ", 10, "x", ""), ["x"]);
    }

    #[test]
    fn grid_keeps_natural_widths_when_they_fit_and_narrows_otherwise() {
        let cols = [
            Column {
                head: "#",
                right: true,
                whole_words: false,
            },
            Column {
                head: "Peers",
                right: false,
                whole_words: true,
            },
            Column {
                head: "Phase 1",
                right: false,
                whole_words: false,
            },
        ];
        let rows = vec![vec![
            "1".to_string(),
            "198.51.100.1\n203.0.113.1".to_string(),
            "MM5 (MM_WAIT_MSG6 / MM_KEY_EXCH)".to_string(),
        ]];
        let wide = grid(&cols, &rows, 100, "");
        assert_eq!(
            wide,
            [
                "#  Peers         Phase 1",
                "─────────────────────────────────────────────────",
                "1  198.51.100.1  MM5 (MM_WAIT_MSG6 / MM_KEY_EXCH)",
                "   203.0.113.1",
            ]
        );
        let narrow = grid(&cols, &rows, 36, "");
        assert!(narrow.iter().all(|l| width_of(l) <= 36), "{narrow:#?}");
        assert_eq!(narrow[2], "1  198.51.100.1  MM5 (MM_WAIT_MSG6 /");
        assert_eq!(narrow[3], "   203.0.113.1   MM_KEY_EXCH)");
        // Narrower than the words: cut, still within the width.
        let tiny = grid(&cols, &rows, 20, "  ");
        assert!(tiny.iter().all(|l| width_of(l) <= 20), "{tiny:#?}");
        // Input cannot break the layout.
        let evil = vec![vec!["1".into(), "a\x1b[2J".into(), "b\u{202e}".into()]];
        let g = grid(&cols, &evil, 80, "");
        assert!(g.iter().all(|l| !l.chars().any(is_unsafe)), "{g:?}");
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("a longer sentence", 8), "a longe…");
        assert_eq!(width_of(&truncate("一二三四五", 5)), 5);
    }

    #[test]
    fn guard_escapes_a_stream_written_in_pieces() {
        let mut g = Guard::new(Vec::new(), Stream::Text);
        let text = "line one\x1b]0;title\x07\nevil\u{202e}x ü\n";
        let bytes = text.as_bytes();
        // Byte by byte, so multi-byte characters arrive cut.
        for b in bytes {
            g.write_all(std::slice::from_ref(b)).unwrap();
        }
        g.write_all(b"bad\xff\n").unwrap();
        let out = String::from_utf8(g.finish().unwrap()).unwrap();
        assert_eq!(
            out,
            "line one\\x1b]0;title\\x07\nevil\\u{202e}x ü\nbad\\xff\n"
        );
    }

    #[test]
    fn guard_keeps_a_cut_sequence_at_the_end() {
        let mut g = Guard::new(Vec::new(), Stream::Text);
        g.write_all(b"x\xe2\x80").unwrap();
        let out = String::from_utf8(g.finish().unwrap()).unwrap();
        assert_eq!(out, "x\\xe2\\x80");
    }

    #[test]
    fn json_guard_writes_json_escapes_that_decode_to_the_same_text() {
        let id = "evil\u{202e}cod.exe \u{85}\u{7f}\x1b";
        let doc = serde_json::json!({ "id": id }).to_string();
        // serde_json leaves U+202E, NEL and DEL raw.
        assert!(doc.contains('\u{202e}'));
        let mut g = Guard::new(Vec::new(), Stream::Json);
        g.write_all(doc.as_bytes()).unwrap();
        g.write_all(b"\n").unwrap();
        let out = String::from_utf8(g.finish().unwrap()).unwrap();
        assert!(!out.trim_end().chars().any(is_unsafe), "{out}");
        assert!(out.contains("\\u202e") && out.contains("\\u0085"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["id"], id);
    }
}
