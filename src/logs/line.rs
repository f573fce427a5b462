//! One physical line → its format, time stamp, message number and text.
//!
//! Markers are looked for anywhere in the line, so prompts, pasted line
//! numbers and syslog-server prefixes (RFC 3164 `<134>Nov 27 17:18:46 host`,
//! RFC 5424 `<165>1 2024-03-01T12:00:00Z host app - - -`) in front of them
//! do not matter; the time stamp is the first one found before the marker.

use std::net::IpAddr;

use super::catalogue::Dialect;
use super::fields::ip_token;
use super::Format;
use crate::civil::{month_number, parse_time_of_day};

/// A time stamp as printed: date parts where given, time of day, zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub year: Option<i32>,
    pub month_day: Option<(u32, u32)>,
    pub nanos_of_day: u64,
    /// UTC offset in seconds, when the stamp had one.
    pub offset: Option<i64>,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub format: Format,
    pub dialect: Dialect,
    pub stamp: Option<Stamp>,
    pub number: Option<u32>,
    pub mnemonic: Option<&'a str>,
    /// Negotiation the daemon tags the line with: charon IKE_SA number,
    /// pluto serial, IOS conn-id.
    pub context: Option<&'a str>,
    /// pluto connection name.
    pub conn: Option<&'a str>,
    pub ike_version: Option<u8>,
    pub text: &'a str,
    /// VPN 3000: the message is on the lines that follow; the address the
    /// header line ends with.
    pub vpn3000: Option<Option<IpAddr>>,
}

impl<'a> Parsed<'a> {
    fn new(format: Format, dialect: Dialect, prefix: &str, text: &'a str) -> Parsed<'a> {
        Parsed {
            format,
            dialect,
            stamp: scan_time(prefix),
            number: None,
            mnemonic: None,
            context: None,
            conn: None,
            ike_version: None,
            text: text.trim(),
            vpn3000: None,
        }
    }
}

/// Recognise a line. `None`: no known log format.
pub(crate) fn classify(line: &str) -> Option<Parsed<'_>> {
    asa_syslog(line)
        .or_else(|| ios_syslog(line))
        .or_else(|| vpn3000(line))
        .or_else(|| charon(line))
        .or_else(|| pluto(line))
        .or_else(|| asa_debug(line))
        .or_else(|| ios_debug(line))
}

fn asa_syslog(line: &str) -> Option<Parsed<'_>> {
    let pos = ["%ASA-", "%FTD-", "%PIX-"]
        .iter()
        .filter_map(|m| line.find(m))
        .min()?;
    let rest = line.get(pos + 5..)?;
    // S-NNNNNN: text
    let (sev, rest) = rest.split_once('-')?;
    if sev.len() != 1 || !sev.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (num, text) = rest.split_once(':')?;
    let number: u32 = num.trim().parse().ok()?;
    let mut p = Parsed::new(Format::AsaSyslog, Dialect::Asa, line.get(..pos)?, text);
    p.number = Some(number);
    Some(p)
}

fn ios_syslog(line: &str) -> Option<Parsed<'_>> {
    let pos = line.find("%CRYPTO-")?;
    let rest = line.get(pos + 8..)?;
    let (sev, rest) = rest.split_once('-')?;
    if sev.len() != 1 || !sev.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (mnemonic, text) = rest.split_once(':')?;
    if mnemonic.is_empty()
        || !mnemonic
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut p = Parsed::new(Format::IosSyslog, Dialect::Ios, line.get(..pos)?, text);
    p.mnemonic = Some(mnemonic);
    Some(p)
}

/// `SEQ MM/DD/YYYY HH:MM:SS.mmm SEV=N CLASS/NUM RPT=N [ADDR]`.
fn vpn3000(line: &str) -> Option<Parsed<'_>> {
    let pos = line.find(" SEV=")?;
    let rest = line.get(pos + 5..)?;
    let mut toks = rest.split_whitespace();
    let sev = toks.next()?;
    let class = toks.next()?;
    let rpt = toks.next()?;
    if !sev.bytes().all(|b| b.is_ascii_digit()) || !rpt.starts_with("RPT=") || !class.contains('/')
    {
        return None;
    }
    let (cls, num) = class.split_once('/')?;
    if !cls.bytes().all(|b| b.is_ascii_uppercase()) || num.parse::<u32>().is_err() {
        return None;
    }
    let addr = toks.next().and_then(ip_token);
    let mut p = Parsed::new(Format::Vpn3000, Dialect::Asa, line.get(..pos)?, "");
    p.stamp?;
    p.vpn3000 = Some(addr);
    Some(p)
}

/// `NN[ABC] [<conn|N>] text` (file logger, syslog, journal) or `[ABC] text`
/// (swanctl's copy of the log).
fn charon(line: &str) -> Option<Parsed<'_>> {
    let b = line.as_bytes();
    let mut found = None;
    let mut i = 0;
    while let Some(off) = line.get(i..).and_then(|s| s.find('[')) {
        let at = i + off;
        let group = b.get(at + 1..at + 4)?;
        let close = b.get(at + 4) == Some(&b']') && b.get(at + 5) == Some(&b' ');
        if close && group.iter().all(|c| c.is_ascii_uppercase()) {
            // Two-digit thread number before, or the line starts here.
            let thread = at >= 2
                && b.get(at - 2..at)
                    .is_some_and(|t| t.iter().all(u8::is_ascii_digit))
                && (at == 2 || b.get(at - 3) == Some(&b' '));
            let start = line.get(..at).is_some_and(|p| p.trim().is_empty());
            if thread || start {
                found = Some((if thread { at - 2 } else { at }, at + 6));
                break;
            }
        }
        i = at + 1;
    }
    let (head, body) = found?;
    let mut text = line.get(body..)?;
    let mut context = None;
    if let Some(r) = text.strip_prefix('<') {
        if let Some((ctx, rest)) = r.split_once("> ") {
            let num = ctx.rsplit('|').next().unwrap_or(ctx);
            if num.bytes().all(|c| c.is_ascii_digit()) && !num.is_empty() {
                context = Some(num);
            }
            text = rest;
        }
    }
    let mut p = Parsed::new(Format::Charon, Dialect::Charon, line.get(..head)?, text);
    p.context = context;
    Some(p)
}

/// pluto's own log file (`Mmm dd HH:MM:SS.ffffff: text`) or its syslog
/// lines (`pluto[123]: text`).
fn pluto(line: &str) -> Option<Parsed<'_>> {
    let (prefix, text) = if let Some(pos) = line.find("pluto[") {
        let rest = line.get(pos..)?;
        let colon = rest.find("]: ")?;
        (line.get(..pos)?, rest.get(colon + 3..)?)
    } else {
        // "Nov 27 17:18:07.379287: "
        let mut toks = line.splitn(4, ' ');
        let mon = toks.next()?;
        month_number(mon)?;
        let mut rest = line.get(mon.len()..)?.trim_start();
        let day = rest.split(' ').next()?;
        day.parse::<u32>().ok()?;
        rest = rest.get(day.len()..)?.trim_start();
        let time = rest.split(' ').next()?;
        let t = time.strip_suffix(':')?;
        let (_, frac) = t.split_once('.')?;
        if frac.len() != 6 {
            return None;
        }
        parse_time_of_day(t)?;
        let head = line.len() - rest.len() + time.len();
        (line.get(..head)?, line.get(head..)?)
    };
    let text = text.trim_start();
    let mut p = Parsed::new(Format::Pluto, Dialect::Pluto, prefix, text);
    // "asa" #3: …   "asa": …   "asa"[1] 192.0.2.1 #3: …
    if let Some(r) = text.strip_prefix('"') {
        if let Some((name, rest)) = r.split_once('"') {
            p.conn = Some(name);
            if let Some(h) = rest.find(" #") {
                let serial: &str = rest
                    .get(h + 1..)
                    .and_then(|s| s.split(':').next())
                    .unwrap_or("");
                if serial.len() > 1 && serial.bytes().skip(1).all(|c| c.is_ascii_digit()) {
                    p.context = Some(serial);
                }
            }
            if let Some(c) = rest.find(": ") {
                p.text = rest.get(c + 2..).unwrap_or("").trim();
            }
        }
    }
    Some(p)
}

fn asa_debug(line: &str) -> Option<Parsed<'_>> {
    for (tag, version) in [("[IKEv1", 1u8), ("[IKEv2", 2u8)] {
        if let Some(pos) = line.find(tag) {
            let rest = line.get(pos..)?;
            let close = rest.find(']')?;
            let text = rest.get(close + 1..)?;
            let text = text.strip_prefix(':').unwrap_or(text);
            let mut p = Parsed::new(Format::AsaDebug, Dialect::Asa, line.get(..pos)?, text);
            p.ike_version = Some(version);
            return Some(p);
        }
    }
    if let Some(pos) = line.find("IKEv2-PROTO-") {
        let rest = line.get(pos..)?;
        let colon = rest.find(": ")?;
        let mut p = Parsed::new(
            Format::AsaDebug,
            Dialect::Asa,
            line.get(..pos)?,
            rest.get(colon + 2..)?,
        );
        p.ike_version = Some(2);
        return Some(p);
    }
    // IKEv2 debug continuation: "Initiator SPI : … - Responder SPI : … Message id: 0".
    if line.contains("Initiator SPI : ") && line.contains("Responder SPI : ") {
        let pos = line.find("Initiator SPI : ")?;
        let mut p = Parsed::new(
            Format::AsaDebug,
            Dialect::Asa,
            line.get(..pos)?,
            line.get(pos..)?,
        );
        p.ike_version = Some(2);
        return Some(p);
    }
    // ASA debug lines pasted without their tag: "Group = G, IP = A, text".
    for m in ["Group = ", "IP = "] {
        if let Some(pos) = line.find(m) {
            let prefix = line.get(..pos)?;
            if prefix.trim().is_empty() || scan_time(prefix).is_some() {
                return Some(Parsed::new(
                    Format::AsaDebug,
                    Dialect::Asa,
                    prefix,
                    line.get(pos..)?,
                ));
            }
        }
    }
    None
}

/// `ISAKMP: (1001):text`, `ISAKMP-PAK: (0):…`, `ISAKMP-ERROR: …`,
/// `ISAKMP (0:2): …`, `ISAKMP:(0):…`, `IPSEC(fn): …`, `IKEv2:(…):…`.
fn ios_debug(line: &str) -> Option<Parsed<'_>> {
    let (pos, version) = [
        "ISAKMP",
        "IPSEC(",
        "IKEv2:",
        "IKEv2-ERROR:",
        "IKEv2-INTERNAL:",
    ]
    .iter()
    .filter_map(|m| {
        line.find(m)
            .map(|p| (p, if m.starts_with("IKEv2") { 2 } else { 1 }))
    })
    .min()?;
    let prefix = line.get(..pos)?;
    // The marker opens the message: nothing but a time stamp before it.
    if !(prefix.trim().trim_start_matches('*').is_empty() || scan_time(prefix).is_some()) {
        return None;
    }
    let rest = line.get(pos..)?;
    let (tag, mut text) = if rest.starts_with("IPSEC(") {
        let close = rest.find(')')?;
        (rest.get(..close + 1)?, rest.get(close + 1..)?)
    } else {
        let end = rest.find([':', ' ', '(']).unwrap_or(rest.len());
        (rest.get(..end)?, rest.get(end..)?)
    };
    if !(tag.starts_with("ISAKMP") || tag.starts_with("IPSEC(") || tag.starts_with("IKEv2")) {
        return None;
    }
    text = text.trim_start_matches(':').trim_start();
    let mut context = None;
    if let Some(r) = text.strip_prefix('(') {
        if let Some((ctx, after)) = r.split_once(')') {
            context = Some(ctx);
            text = after.trim_start_matches(':').trim_start();
        }
    }
    let mut p = Parsed::new(Format::IosDebug, Dialect::Ios, prefix, text);
    p.context = context;
    p.ike_version = Some(version);
    Some(p)
}

/// `YYYY-MM-DD`.
fn parse_ymd(s: &str) -> Option<(i32, u32, u32)> {
    let mut p = s.split('-');
    let y = p.next()?;
    let m = p.next()?;
    let d = p.next()?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 || p.next().is_some() {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// `HH:MM:SS[.f][Z|±HH:MM|±HHMM]` → (nanos of day, offset seconds).
fn parse_time_zone(s: &str) -> Option<(u64, Option<i64>)> {
    if let Some(t) = s.strip_suffix('Z') {
        return Some((parse_time_of_day(t)?, Some(0)));
    }
    if let Some(i) = s.rfind(['+', '-']) {
        let (t, z) = s.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let digits: String = z.get(1..)?.chars().filter(|c| *c != ':').collect();
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let h: i64 = digits.get(..2)?.parse().ok()?;
            let m: i64 = digits.get(2..)?.parse().ok()?;
            return Some((parse_time_of_day(t)?, Some(sign * (h * 3600 + m * 60))));
        }
        return None;
    }
    Some((parse_time_of_day(s)?, None))
}

fn clean(tok: &str) -> &str {
    let mut t = tok.trim_start_matches('*');
    if let Some(r) = t.strip_prefix('<') {
        if let Some((pri, after)) = r.split_once('>') {
            if pri.bytes().all(|b| b.is_ascii_digit()) {
                t = after;
            }
        }
    }
    t.trim_end_matches([':', ',', ']'])
}

/// The first time stamp in `prefix`.
pub(crate) fn scan_time(prefix: &str) -> Option<Stamp> {
    let toks: Vec<&str> = prefix.split_whitespace().take(16).map(clean).collect();
    for i in 0..toks.len() {
        let t = toks.get(i).copied().unwrap_or("");
        let next = toks.get(i + 1).copied().unwrap_or("");
        // ISO 8601 / RFC 5424 / journalctl -o short-iso.
        if let Some((d, tm)) = t.split_once('T') {
            if let (Some((y, m, dd)), Some((nanos, offset))) = (parse_ymd(d), parse_time_zone(tm)) {
                return Some(Stamp {
                    year: Some(y),
                    month_day: Some((m, dd)),
                    nanos_of_day: nanos,
                    offset,
                });
            }
        }
        if let Some((y, m, dd)) = parse_ymd(t) {
            if let Some((nanos, offset)) = parse_time_zone(next) {
                return Some(Stamp {
                    year: Some(y),
                    month_day: Some((m, dd)),
                    nanos_of_day: nanos,
                    offset,
                });
            }
        }
        // MM/DD/YYYY (VPN 3000).
        let slash: Vec<&str> = t.split('/').collect();
        if let [m, d, y] = slash.as_slice() {
            if let (Ok(m), Ok(d), Ok(y), Some(nanos)) = (
                m.parse::<u32>(),
                d.parse::<u32>(),
                y.parse::<i32>(),
                parse_time_of_day(next),
            ) {
                if y >= 1970 {
                    return Some(Stamp {
                        year: Some(y),
                        month_day: Some((m, d)),
                        nanos_of_day: nanos,
                        offset: None,
                    });
                }
            }
        }
        if let Some(m) = month_number(t) {
            let Ok(day) = next.parse::<u32>() else {
                continue;
            };
            let mut j = i + 2;
            let mut year = None;
            if let Some(y) = toks
                .get(j)
                .and_then(|y| (y.len() == 4).then(|| y.parse::<i32>().ok()).flatten())
            {
                year = Some(y);
                j += 1;
            }
            if let Some((nanos, offset)) = toks.get(j).and_then(|t| parse_time_zone(t)) {
                return Some(Stamp {
                    year,
                    month_day: Some((m, day)),
                    nanos_of_day: nanos,
                    offset,
                });
            }
        }
        if let Some(nanos) = parse_time_of_day(t) {
            return Some(Stamp {
                year: None,
                month_day: None,
                nanos_of_day: nanos,
                offset: None,
            });
        }
    }
    None
}
