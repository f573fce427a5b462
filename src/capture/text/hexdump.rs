//! Hex dump lines as Cisco consoles print them, and the per-packet decision
//! whether a dump starts at the IP header or at the Ethernet header.
//!
//! Four line shapes are read:
//!
//! ```text
//! 0x0010   c0a8 5033 01bb 0f80 2ef2 f37a b565 410e        ..P3.......z.eA.   ASA/PIX, old columns
//! 0x0010 0054 dc73 4000 4001 4a63 0a7c ffd4 0a7c .T.s@.@.Jc.|...|            ASA, new columns
//! 0F1A2C10: 568494FB 08004588 004EF201 40003F11  V..{..E..Nr.@.?.          IOS EPC, memory address
//!   0010:  00547549 40003F01 B582C0A8 4983C0A8   .TuI@.?.....I...          IOS-XE 16 buffer dump
//! 0010  00 28 9b 00 00 00 ff 06 0f 02 c0 a8 c8 01 c0 a8   .(..............  IOS-XE 17 (tshark -x)
//! ```
//!
//! The ASCII column may itself look like hex (`abcd`, `efgh`): the number of
//! groups on a line is the one whose bytes render to that column (printable
//! bytes as themselves, IOS also with the high bit stripped, others as `.`),
//! so the column is never mistaken for data. Without an ASCII column every
//! hex-looking group is data.

use crate::bytes::be16;
use crate::capture::LinkType;

/// Which dialect a hex line is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexKind {
    /// `0xOOOO` offset, 16-bit groups (ASA, FTD, PIX).
    Asa,
    /// 8-digit memory address and colon, 32-bit groups (classic IOS EPC).
    Address,
    /// Offset and colon, 32-bit groups (IOS-XE 16 `buffer dump`).
    Offset,
    /// Offset without colon, one byte per group (tshark `-x`, IOS-XE 17).
    Bytes,
}

impl HexKind {
    /// Most hex digits one group may have.
    fn group_digits(self) -> usize {
        match self {
            HexKind::Asa => 4,
            HexKind::Address | HexKind::Offset => 8,
            HexKind::Bytes => 2,
        }
    }

    /// Is the offset column relative to the packet start (as opposed to a
    /// memory address)?
    pub fn relative(self) -> bool {
        self != HexKind::Address
    }
}

/// One parsed hex line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexLine {
    pub kind: HexKind,
    /// Offset (or memory address) printed at the start of the line.
    pub offset: u64,
    /// The bytes on this line (at most 16).
    pub bytes: Vec<u8>,
}

/// Most bytes on one dump line.
pub const LINE_BYTES: usize = 16;

/// Parse a hex dump line; `None` if the line is not one.
pub fn parse_hex_line(line: &str) -> Option<HexLine> {
    let body = line.trim_start();
    let (kind, offset, rest) = parse_offset(body)?;
    let bytes = parse_groups(rest, kind)?;
    Some(HexLine {
        kind,
        offset,
        bytes,
    })
}

/// The offset column: returns the dialect, the value, and the text after it.
fn parse_offset(body: &str) -> Option<(HexKind, u64, &str)> {
    if let Some(after) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let digits = hex_prefix_len(after);
        if !(1..=8).contains(&digits) {
            return None;
        }
        let (num, rest) = after.split_at(digits);
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        return Some((HexKind::Asa, u64::from_str_radix(num, 16).ok()?, rest));
    }
    let digits = hex_prefix_len(body);
    if !(4..=8).contains(&digits) {
        return None;
    }
    let (num, rest) = body.split_at(digits);
    let value = u64::from_str_radix(num, 16).ok()?;
    if let Some(rest) = rest.strip_prefix(':') {
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let kind = if digits == 8 {
            HexKind::Address
        } else {
            HexKind::Offset
        };
        return Some((kind, value, rest));
    }
    if rest.starts_with([' ', '\t']) {
        return Some((HexKind::Bytes, value, rest));
    }
    None
}

fn hex_prefix_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_hexdigit).count()
}

/// A whitespace-separated token with its byte span in the line.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    end: usize,
}

/// Read the groups after the offset column, leaving the ASCII column out.
fn parse_groups(rest: &str, kind: HexKind) -> Option<Vec<u8>> {
    let max_digits = kind.group_digits();
    // Each group has at least two digits and a line at most 32: at most 16
    // groups. `ends[k]` = bytes in the first k+1 groups.
    let mut tokens = [Token { start: 0, end: 0 }; LINE_BYTES];
    let mut ends = [0usize; LINE_BYTES];
    let mut all = [0u8; LINE_BYTES];
    let mut count = 0usize;
    let mut n = 0usize;
    for tok in token_spans(rest) {
        let text = rest.get(tok.start..tok.end)?.as_bytes();
        if text.len() > max_digits || text.len() % 2 != 0 || n + text.len() / 2 > LINE_BYTES {
            break;
        }
        let Some(out) = all.get_mut(n..n + text.len() / 2) else {
            break;
        };
        if !decode_hex(text, out) {
            break;
        }
        n += text.len() / 2;
        let (Some(t), Some(e)) = (tokens.get_mut(count), ends.get_mut(count)) else {
            break;
        };
        *t = tok;
        *e = n;
        count += 1;
    }
    let tokens = tokens.get(..count)?;
    let last = tokens.last()?;
    // Prefer the longest run of groups whose bytes render to the text after it.
    for (k, tok) in tokens.iter().enumerate().rev() {
        let tail = rest.get(tok.end..)?.trim();
        if tail.is_empty() {
            continue;
        }
        let bytes = all.get(..*ends.get(k)?)?;
        if ascii_column_matches(bytes, tail) {
            return Some(bytes.to_vec());
        }
    }
    // No ASCII column matched: if the whole line is groups, they are all data;
    // otherwise the groups end at the first gap of two or more spaces.
    let tail = rest.get(last.end..)?.trim();
    let k = if tail.is_empty() {
        tokens.len()
    } else {
        tokens
            .iter()
            .position(|t| rest.get(t.end..).is_some_and(|s| s.starts_with("  ")))
            .map_or(tokens.len(), |i| i + 1)
    };
    let n = *ends.get(k.checked_sub(1)?)?;
    all.get(..n).map(<[u8]>::to_vec)
}

/// Decode hex digit pairs into `out` (same number of bytes as pairs).
fn decode_hex(text: &[u8], out: &mut [u8]) -> bool {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    text.chunks(2)
        .zip(out.iter_mut())
        .all(|(pair, o)| match pair {
            [h, l] => match (nibble(*h), nibble(*l)) {
                (Some(h), Some(l)) => {
                    *o = h << 4 | l;
                    true
                }
                _ => false,
            },
            _ => false,
        })
}

fn token_spans(s: &str) -> impl Iterator<Item = Token> + '_ {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let bytes = s.as_bytes();
        while bytes.get(pos).is_some_and(|b| b.is_ascii_whitespace()) {
            pos += 1;
        }
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        while bytes.get(pos).is_some_and(|b| !b.is_ascii_whitespace()) {
            pos += 1;
        }
        Some(Token { start, end: pos })
    })
}

/// Can byte `b` be printed as `c` in an ASCII column? Printable bytes print
/// as themselves (IOS strips the high bit first); anything may print as `.`.
fn renders_as(b: u8, c: char) -> bool {
    if c == '.' {
        return true;
    }
    let printable = |x: u8| (0x20..0x7f).contains(&x);
    (printable(b) && c == char::from(b)) || (printable(b & 0x7f) && c == char::from(b & 0x7f))
}

/// Does `column` (trimmed) render `bytes`? Bytes printed as spaces at either
/// end may have been trimmed away.
fn ascii_column_matches(bytes: &[u8], column: &str) -> bool {
    if column.is_ascii() {
        return column_matches(
            bytes,
            column.as_bytes().iter().map(|&c| char::from(c)),
            column.len(),
        );
    }
    let n = column.chars().count();
    column_matches(bytes, column.chars(), n)
}

fn column_matches(bytes: &[u8], chars: impl Iterator<Item = char> + Clone, n: usize) -> bool {
    let Some(spare) = bytes.len().checked_sub(n) else {
        return false;
    };
    (0..=spare).any(|lead| {
        let (head, body_tail) = bytes.split_at(lead);
        let (body, tail) = body_tail.split_at(n);
        head.iter().chain(tail).all(|&b| renders_as(b, ' '))
            && body
                .iter()
                .zip(chars.clone())
                .all(|(&b, c)| renders_as(b, c))
    })
}

/// Where a dump starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkGuess {
    pub link: LinkType,
    /// Length on the wire implied by the headers (at least the dump's length).
    pub orig_len: u32,
    /// Neither an IP header nor an Ethertype was recognised.
    pub unknown: bool,
}

/// Ethertypes of VLAN tags (IEEE 802.1Q, 802.1ad, and the old 0x9100).
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88a8, 0x9100];
const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// Largest IEEE 802.3 length field; larger values are Ethertypes.
const MAX_8023_LENGTH: u16 = 1500;
/// Ethernet pads frames to 60 bytes (without FCS).
const MIN_FRAME: usize = 60;
/// IPv6 next headers that make a header look real (RFC 8200 §4, IANA).
const COMMON_NEXT_HEADERS: [u8; 9] = [0, 6, 17, 43, 44, 50, 51, 58, 60];

/// Total length of the IP packet at the start of `b` (RFC 791 §3.1 total
/// length, RFC 8200 §3 payload length + 40), if `b` starts with a plausible
/// IP header.
pub fn ip_total_len(b: &[u8]) -> Option<usize> {
    let first = *b.first()?;
    match first >> 4 {
        4 => {
            let ihl = usize::from(first & 0x0f) * 4;
            let total = usize::from(be16(b, 2)?);
            (ihl >= 20 && total >= ihl).then_some(total)
        }
        6 => Some(40 + usize::from(be16(b, 4)?)),
        _ => None,
    }
}

/// How much `b` looks like an IP packet of exactly (or, truncated, at
/// least) `b.len()` bytes; 0 = not at all. Returns the implied length too.
fn ip_score(b: &[u8]) -> (u32, Option<usize>) {
    let Some(total) = ip_total_len(b) else {
        return (0, None);
    };
    let mut score = 1;
    if total == b.len() {
        score += 3;
    } else if total > b.len() {
        score += 1;
    }
    match b.first().map(|v| v >> 4) {
        Some(4) => {
            let ihl = b.first().map_or(20, |v| usize::from(v & 0x0f) * 4);
            if b.get(..ihl)
                .is_some_and(|h| ones_complement_sum(h) == 0xffff)
            {
                score += 2;
            }
        }
        _ => {
            if b.get(6).is_some_and(|nh| COMMON_NEXT_HEADERS.contains(nh)) {
                score += 1;
            }
        }
    }
    (score, Some(total))
}

/// RFC 1071 one's complement sum (0xffff over a header with a valid checksum).
fn ones_complement_sum(data: &[u8]) -> u16 {
    !super::summary::internet_checksum(data)
}

/// How much `b` looks like an Ethernet frame, and the length it implies.
fn ethernet_score(b: &[u8]) -> (u32, Option<usize>) {
    let len = b.len();
    let Some(mut ethertype) = be16(b, 12) else {
        return (0, None);
    };
    if ethertype <= MAX_8023_LENGTH {
        // IEEE 802.3 length field (LLC frames: STP, CDP...).
        let implied = 14 + usize::from(ethertype);
        let score = if implied == len || (len == MIN_FRAME && implied < MIN_FRAME) {
            3
        } else if implied > len {
            1
        } else {
            0
        };
        return (score, Some(implied));
    }
    let mut header = 14usize;
    let mut tags = 0;
    while VLAN_TAGS.contains(&ethertype) && tags < 2 {
        tags += 1;
        ethertype = match be16(b, header + 2) {
            Some(t) => t,
            None => return (1, None),
        };
        header += 4;
    }
    let inner = b.get(header..).unwrap_or(&[]);
    match ethertype {
        ETHERTYPE_IPV4 | ETHERTYPE_IPV6 => {
            let (s, total) = ip_score(inner);
            let implied = total.map(|t| t + header);
            let padded = implied.is_some_and(|n| len == MIN_FRAME && n < MIN_FRAME);
            // A padded frame is as good as an exact one.
            let s = if padded { s + 3 } else { s };
            (1 + tags + s, implied)
        }
        ETHERTYPE_ARP => {
            // RFC 826: hardware type 1 (Ethernet), protocol type IPv4.
            let arp = be16(b, header) == Some(1) && be16(b, header + 2) == Some(ETHERTYPE_IPV4);
            (if arp { 4 } else { 1 }, None)
        }
        _ if tags > 0 => (1 + tags, None),
        // Any other Ethertype: weaker than any IP reading.
        _ => (1, None),
    }
}

/// Decide per packet, from its bytes only, whether the dump starts at the IP
/// header (→ [`LinkType::RAW`]) or at an Ethernet header.
///
/// Both readings are scored: a length field that equals the dump length (or
/// says it is truncated, or is Ethernet padding), a valid IPv4 header
/// checksum, a known Ethertype or a consistent 802.3 length. The better one
/// wins; a tie goes to IP.
pub fn guess_link(b: &[u8]) -> LinkGuess {
    let len = b.len();
    let (raw, raw_len) = ip_score(b);
    let (eth, eth_len) = ethernet_score(b);
    let unknown = raw == 0 && eth == 0;
    let (link, implied) = if raw >= eth {
        (LinkType::RAW, raw_len)
    } else {
        (LinkType::ETHERNET, eth_len)
    };
    let orig = implied.unwrap_or(0).max(len);
    LinkGuess {
        link,
        orig_len: u32::try_from(orig).unwrap_or(u32::MAX),
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(line: &str) -> Vec<u8> {
        parse_hex_line(line).map(|h| h.bytes).unwrap_or_default()
    }

    #[test]
    fn asa_old_columns_with_hexlike_ascii() {
        let l = "0x0030   7576 7761 6263 6465 6667 6869                  uvwabcdefghi";
        let h = parse_hex_line(l).unwrap_or_else(|| panic!("not a hex line"));
        assert_eq!(h.kind, HexKind::Asa);
        assert_eq!(h.offset, 0x30);
        assert_eq!(h.bytes, b"uvwabcdefghi".to_vec());
        let l = "0x0020   6566 6768 696a 6b6c 6d6e 6f70 7172 7374        efghijklmnopqrst";
        assert_eq!(bytes(l), b"efghijklmnopqrst".to_vec());
    }

    #[test]
    fn asa_new_columns_and_collapsed_spaces() {
        let l = "0x0000 a453 0ef3 7fc0 74ad 98e5 0004 0800 4500 .S....t.......E.";
        assert_eq!(bytes(l).len(), 16);
        assert_eq!(
            bytes("0x0060 0000                                    .."),
            [0, 0]
        );
        // collapsed whitespace; the ASCII "ab" is hex-looking
        assert_eq!(bytes("0x0060 6162 ab"), b"ab".to_vec());
        // odd-length tail group and no ASCII column at all
        assert_eq!(bytes("0x0010 4500 01"), [0x45, 0, 1]);
    }

    #[test]
    fn ios_classic_right_aligned_and_high_bit_ascii() {
        let l = "0F1A2C00:                   B0FAEBC7 A8620050          0zkG(b.P";
        let h = parse_hex_line(l).unwrap_or_else(|| panic!("not a hex line"));
        assert_eq!(h.kind, HexKind::Address);
        assert_eq!(h.bytes, [0xB0, 0xFA, 0xEB, 0xC7, 0xA8, 0x62, 0x00, 0x50]);
        assert_eq!(
            bytes("0F1A2C60: 06000500 00                          ....."),
            [6, 0, 5, 0, 0]
        );
    }

    #[test]
    fn iosxe_dialects() {
        let h = parse_hex_line("  0060:  0000                                  ..")
            .unwrap_or_else(|| panic!("not a hex line"));
        assert_eq!(
            (h.kind, h.offset, h.bytes.len()),
            (HexKind::Offset, 0x60, 2)
        );
        let l = "0030  10 20 6a 20 00 00 00 00 00 00 00 00               . j ........";
        let h = parse_hex_line(l).unwrap_or_else(|| panic!("not a hex line"));
        assert_eq!((h.kind, h.bytes.len()), (HexKind::Bytes, 12));
    }

    #[test]
    fn rejects_other_text() {
        for l in [
            "4532 packets captured",
            "   5: 13:46:39.803120 0022.5597.25b9",
            "0x",
            "Frame 1: 1496 bytes on wire",
            "",
            "0xzz 1234",
        ] {
            assert_eq!(parse_hex_line(l), None, "{l}");
        }
    }

    #[test]
    fn link_guess() {
        let mut ip = vec![0x45, 0, 0, 28];
        ip.resize(28, 0);
        assert_eq!(guess_link(&ip).link, LinkType::RAW);
        let mut eth = vec![0u8; 12];
        eth.extend([0x08, 0x00]);
        eth.extend(&ip);
        let g = guess_link(&eth);
        assert_eq!((g.link, g.orig_len), (LinkType::ETHERNET, 42));
        eth.resize(60, 0);
        assert_eq!(guess_link(&eth).link, LinkType::ETHERNET);
        // truncated raw IP: total length 1500, 96 bytes shown
        let mut big = vec![0x45, 0, 0x05, 0xdc];
        big.resize(96, 0);
        let g = guess_link(&big);
        assert_eq!((g.link, g.orig_len), (LinkType::RAW, 1500));
        assert!(guess_link(&[1, 2, 3]).unknown);
    }
}
