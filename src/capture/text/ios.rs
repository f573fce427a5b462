//! Cisco IOS and IOS-XE Embedded Packet Capture text.
//!
//! - Classic IOS `show monitor capture buffer NAME dump`: a header line
//!   `HH:MM:SS.mmm TZ Mon DD YYYY : IPv4 LES CEF : IFNAME None`, a blank line,
//!   then memory-address hex lines whose first line is right-aligned; a blank
//!   line ends the packet.
//! - IOS-XE 16 `show monitor capture NAME buffer dump`: a packet index alone on
//!   a line, then `  OOOO:  XXXXXXXX ...` lines; a blank line ends the packet.
//! - IOS-XE 17 `display dump` and the hex block of `buffer detailed`: tshark
//!   `-x` lines; `buffer detailed` also prints `Frame N: …` and `Epoch Time:`
//!   lines (tshark `-V`), which give the frame's lengths and time.

use super::clock::{days_from_civil, month_number, parse_time_of_day, stamp};
use crate::capture::{LinkType, Timestamp};

/// A classic IOS EPC packet header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassicHeader {
    pub ts: Timestamp,
    /// Time zone as printed (applied only when it is UTC/GMT).
    pub zone: String,
    pub interface: String,
}

/// Parse `22:45:44.700 UTC Nov 27 2021 : IPv4 LES CEF    : Fa4.320 None`.
pub fn parse_classic_header(line: &str) -> Option<ClassicHeader> {
    let (stamp_part, rest) = line.trim().split_once(" : ")?;
    let words: Vec<&str> = stamp_part.split_whitespace().collect();
    // With or without a time zone word.
    let (time, zone, mon, day, year) = match words.as_slice() {
        [t, z, m, d, y] => (*t, *z, *m, *d, *y),
        [t, m, d, y] => (*t, "", *m, *d, *y),
        _ => return None,
    };
    let tod = parse_time_of_day(time)?;
    let month = month_number(mon)?;
    let day: u32 = day.parse().ok()?;
    let year: i32 = year.parse().ok()?;
    let days = days_from_civil(year, month, day)?;
    let interface = rest
        .rsplit_once(" : ")
        .map_or(rest, |(_, i)| i)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string();
    Some(ClassicHeader {
        ts: stamp(days, tod),
        zone: zone.to_string(),
        interface,
    })
}

/// An IOS-XE 16 packet index: a line holding only a number.
pub fn parse_index(line: &str) -> Option<u64> {
    // Not indented: an indented number is a wrapped ASA decode.
    let t = line.trim_end();
    if t.is_empty() || t.len() > 10 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// tshark `-V` frame line: `Frame N: W bytes on wire (…), C bytes captured (…)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    pub number: u64,
    pub wire_len: u32,
    pub captured_len: u32,
}

pub fn parse_frame_header(line: &str) -> Option<FrameHeader> {
    let rest = line.strip_prefix("Frame ")?;
    let (num, rest) = rest.split_once(": ")?;
    let number = num.parse().ok()?;
    let (wire, rest) = rest.split_once(" bytes on wire")?;
    let wire_len = wire.trim().parse().ok()?;
    let captured_len = match rest.split_once(", ") {
        Some((_, c)) => c.split_once(" bytes captured")?.0.trim().parse().ok()?,
        None => wire_len,
    };
    Some(FrameHeader {
        number,
        wire_len,
        captured_len,
    })
}

/// tshark `-x` data-source label before a hex block when a frame has more
/// than one: `Frame (590 bytes):`, `Reassembled ISAKMP (595 bytes):`,
/// `Decrypted …`. `Some(true)` for the frame's own bytes.
pub fn parse_block_label(line: &str) -> Option<bool> {
    let t = line.trim_end();
    let body = t.strip_suffix(" bytes):")?;
    let (name, count) = body.rsplit_once(" (")?;
    if name.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) || t.starts_with(' ') {
        return None;
    }
    Some(name == "Frame")
}

/// tshark `-V` `Epoch Time: 1666180274.938988000 seconds`.
pub fn parse_epoch(line: &str) -> Option<Timestamp> {
    let v = line.trim().strip_prefix("Epoch Time:")?.trim();
    let v = v.strip_suffix("seconds").unwrap_or(v).trim();
    let (secs, frac) = v.split_once('.').unwrap_or((v, ""));
    let secs: i64 = secs.parse().ok()?;
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = if frac.is_empty() {
        0
    } else {
        let scale = 10u32.checked_pow(9 - u32::try_from(frac.len()).ok()?)?;
        frac.parse::<u32>().ok()?.checked_mul(scale)?
    };
    Some(Timestamp { secs, nanos })
}

/// tshark `-V` `Encapsulation type: Ethernet (1)` → link type, for the
/// encapsulations EPC uses (Wireshark WTAP_ENCAP numbers 1 = Ethernet,
/// 7 = raw IP, 129/130 = raw IPv4/IPv6).
pub fn parse_encapsulation(line: &str) -> Option<LinkType> {
    let v = line.trim().strip_prefix("Encapsulation type:")?;
    let code = v.rsplit_once('(')?.1.trim_end().strip_suffix(')')?;
    match code.parse::<u32>().ok()? {
        1 => Some(LinkType::ETHERNET),
        7 => Some(LinkType::RAW),
        129 => Some(LinkType::IPV4),
        130 => Some(LinkType::IPV6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_header() {
        let h =
            parse_classic_header("22:45:44.700 UTC Nov 27 2021 : IPv4 LES CEF    : Fa4.320 None")
                .unwrap_or_else(|| panic!("no header"));
        assert_eq!(h.interface, "Fa4.320");
        assert_eq!(h.zone, "UTC");
        assert_eq!(h.ts.secs, 1_638_053_144);
        assert_eq!(h.ts.nanos, 700_000_000);
        assert!(parse_classic_header("   1: 04:12:10.428093 x > y").is_none());
    }

    #[test]
    fn tshark_verbose_lines() {
        let f = parse_frame_header(
            "Frame 1: 1496 bytes on wire (11968 bits), 80 bytes captured (640 bits) on interface x, id 0",
        );
        assert_eq!(
            f,
            Some(FrameHeader {
                number: 1,
                wire_len: 1496,
                captured_len: 80
            })
        );
        assert_eq!(
            parse_epoch("    Epoch Time: 1666180274.938988000 seconds"),
            Some(Timestamp {
                secs: 1_666_180_274,
                nanos: 938_988_000
            })
        );
        assert_eq!(
            parse_encapsulation("    Encapsulation type: Ethernet (1)"),
            Some(LinkType::ETHERNET)
        );
        assert_eq!(parse_index("12"), Some(12));
        assert_eq!(parse_block_label("Frame (590 bytes):"), Some(true));
        assert_eq!(
            parse_block_label("Reassembled ISAKMP (595 bytes):"),
            Some(false)
        );
        assert_eq!(parse_block_label("Data (46 bytes)"), None);
        assert_eq!(parse_index("12 x"), None);
        assert_eq!(parse_index("    43311886"), None);
    }
}
