//! Cisco ASA / FTD / PIX `show capture` records.
//!
//! A record is a head line, `IDX: HH:MM:SS.ffffff DECODE` (index right-aligned
//! or not, one or several spaces after the time), continuation lines indented
//! below it (wrapped decode, `Drop-reason:`, the decode line of newer
//! `detail` output), and with `dump` hex lines (see [`super::hexdump`]).
//! `detail` puts `SRCMAC DSTMAC 0xETYPE LEN:` or `... Length: LEN` first
//! (source first, as tcpdump `-e` prints them; no public sample settles the
//! order).
//!
//! The decode follows tcpdump's: `A.p > B.q: udp N` (N = UDP payload
//! length), `A > B: ip-proto-50 N` or `ip-proto-50, length N` (N = IP payload
//! length), `A.p > B.q: S seq:end(len) ack N win W`, `A > B: icmp: echo
//! request`, `arp who-has A tell B`, `(frag ID:LEN@OFF+)`, `(ttl T, id I)`,
//! `(DF)`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::clock::parse_time_of_day;
use super::summary::{proto, ArpSummary, Fragment, IpSummary, L2Summary, Transport};

/// Words skipped before the addresses when looking for them (VLAN info).
const MAX_PREFIX_WORDS: usize = 3;

/// A head line split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head<'a> {
    /// The ASA's packet number (informational).
    pub index: u64,
    /// Nanoseconds since midnight.
    pub time_of_day: u64,
    /// Everything after the time.
    pub decode: &'a str,
}

/// Parse `IDX: HH:MM:SS.ffffff DECODE`.
pub fn parse_head(line: &str) -> Option<Head<'_>> {
    let s = line.trim_start();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 10 {
        return None;
    }
    let (idx, rest) = s.split_at(digits);
    let rest = rest.strip_prefix(':')?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest.find([' ', '\t']).unwrap_or(rest.len());
    let (time, decode) = rest.split_at(end);
    let time_of_day = parse_time_of_day(time)?;
    Some(Head {
        index: idx.parse().ok()?,
        time_of_day,
        decode: decode.trim(),
    })
}

/// `N packets captured` / `N packet shown` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Captured(u64),
    Shown(u64),
}

pub fn parse_count(line: &str) -> Option<Count> {
    let mut words = line.split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    let unit = words.next()?;
    if unit != "packet" && unit != "packets" {
        return None;
    }
    let what = words.next()?;
    if words.next().is_some() {
        return None;
    }
    match what {
        "captured" => Some(Count::Captured(n)),
        "shown" => Some(Count::Shown(n)),
        _ => None,
    }
}

/// What a decode describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Described {
    Ip(IpSummary),
    Arp(ArpSummary),
}

/// A decode: optional `detail` Ethernet fields and the packet description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decode {
    pub l2: Option<L2Summary>,
    pub packet: Option<Described>,
}

/// Parse a Cisco dotted MAC `0050.568d.992b`.
fn parse_cisco_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split('.');
    for pair in out.chunks_mut(2) {
        let p = parts.next()?;
        if p.len() != 4 {
            return None;
        }
        let v = u16::from_str_radix(p, 16).ok()?;
        pair.copy_from_slice(&v.to_be_bytes());
    }
    parts.next().is_none().then_some(out)
}

/// Parse a tcpdump-style MAC `0:0:0:0:78:1`.
fn parse_colon_mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Split off the `detail` prefix: `SRCMAC DSTMAC 0xETYPE (LEN: | Length: LEN)`.
fn parse_l2(decode: &str) -> (Option<L2Summary>, &str) {
    let mut it = decode.split_whitespace();
    let (Some(a), Some(b), Some(t)) = (it.next(), it.next(), it.next()) else {
        return (None, decode);
    };
    let (Some(src), Some(dst)) = (parse_cisco_mac(a), parse_cisco_mac(b)) else {
        return (None, decode);
    };
    let Some(ethertype) = t
        .strip_prefix("0x")
        .and_then(|h| u16::from_str_radix(h, 16).ok())
    else {
        return (None, decode);
    };
    // Rest of the text after the ethertype token.
    let Some(pos) = decode.find(t).map(|p| p + t.len()) else {
        return (None, decode);
    };
    let mut rest = decode.get(pos..).unwrap_or("").trim_start();
    let mut frame_len = None;
    if let Some(after) = rest.strip_prefix("Length:") {
        let after = after.trim_start();
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        frame_len = after.get(..n).and_then(|d| d.parse().ok());
        rest = after.get(n..).unwrap_or("");
        rest = rest.strip_prefix(':').unwrap_or(rest);
    } else {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n > 0 && rest.get(n..).is_some_and(|r| r.starts_with(':')) {
            frame_len = rest.get(..n).and_then(|d| d.parse().ok());
            rest = rest.get(n + 1..).unwrap_or("");
        }
    }
    let l2 = L2Summary {
        src,
        dst,
        ethertype,
        frame_len,
    };
    (Some(l2), rest.trim_start())
}

/// An address, with a port when written `addr.port`.
fn parse_endpoint(tok: &str) -> Option<(IpAddr, Option<u16>)> {
    let tok = tok.trim_end_matches(',');
    let candidates = [tok, tok.strip_suffix(':').unwrap_or(tok)];
    for t in candidates {
        if let Ok(a) = t.parse::<Ipv4Addr>() {
            return Some((IpAddr::V4(a), None));
        }
        if let Ok(a) = t.parse::<Ipv6Addr>() {
            return Some((IpAddr::V6(a), None));
        }
        if let Some((addr, port)) = t.rsplit_once('.') {
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            if let Ok(a) = addr.parse::<Ipv4Addr>() {
                return Some((IpAddr::V4(a), Some(port)));
            }
            if let Ok(a) = addr.parse::<Ipv6Addr>() {
                return Some((IpAddr::V6(a), Some(port)));
            }
        }
    }
    None
}

/// Parse `(frag ID:LEN@OFF[+])`.
fn parse_frag(text: &str) -> Option<Fragment> {
    let start = text.find("(frag ")? + "(frag ".len();
    let body = text.get(start..)?;
    let end = body.find(')')?;
    let body = body.get(..end)?;
    let (id, rest) = body.split_once(':')?;
    let (len, off) = rest.split_once('@')?;
    let (off, more) = match off.strip_suffix('+') {
        Some(o) => (o, true),
        None => (off, false),
    };
    Some(Fragment {
        id: id.trim().parse().ok()?,
        len: len.trim().parse().ok()?,
        offset: off.trim().parse().ok()?,
        more,
    })
}

/// The number right after `key ` in `text`.
fn number_after<T: std::str::FromStr>(text: &str, key: &str) -> Option<T> {
    let mut search = 0usize;
    while let Some(pos) = text.get(search..)?.find(key) {
        let at = search + pos;
        // only at a word boundary
        let boundary = at == 0
            || text
                .get(..at)
                .and_then(|s| s.chars().last())
                .is_some_and(|c| !c.is_ascii_alphanumeric() && c != '-');
        let after = text.get(at + key.len()..)?;
        if boundary {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            if n > 0 {
                if let Some(v) = after.get(..n).and_then(|d| d.parse().ok()) {
                    return Some(v);
                }
            }
        }
        search = at + key.len();
    }
    None
}

/// The hex number right after `key` (case-insensitive key).
fn hex_after(text: &str, key: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find(key)? + key.len();
    let digits = lower.get(at..)?;
    let n = digits.bytes().take_while(u8::is_ascii_hexdigit).count();
    u32::from_str_radix(digits.get(..n)?, 16).ok()
}

/// ICMP type and code from tcpdump's wording (RFC 792 type numbers).
fn icmp_kind(text: &str, v6: bool) -> Option<(u8, u8)> {
    const V4: [(&str, u8, u8); 9] = [
        ("echo request", 8, 0),
        ("echo reply", 0, 0),
        ("net unreachable", 3, 0),
        ("host unreachable", 3, 1),
        ("protocol unreachable", 3, 2),
        ("port unreachable", 3, 3),
        ("need to frag", 3, 4),
        ("time exceeded", 11, 0),
        ("source quench", 4, 0),
    ];
    // RFC 4443 §2.1 type numbers.
    const V6: [(&str, u8, u8); 4] = [
        ("echo request", 128, 0),
        ("echo reply", 129, 0),
        ("unreachable", 1, 0),
        ("time exceeded", 3, 0),
    ];
    let table: &[(&str, u8, u8)] = if v6 { &V6 } else { &V4 };
    table
        .iter()
        .find(|(name, _, _)| text.contains(name))
        .map(|&(_, t, c)| (t, c))
}

/// TCP flag letters as tcpdump prints them (RFC 9293 §3.1 control bits).
fn tcp_flags(tok: &str) -> Option<u8> {
    if tok.is_empty() {
        return None;
    }
    let mut flags = 0u8;
    for c in tok.chars() {
        flags |= match c {
            'F' => 0x01,
            'S' => 0x02,
            'R' => 0x04,
            'P' => 0x08,
            'U' => 0x20,
            'E' => 0x40,
            'W' => 0x80,
            '.' => 0,
            _ => return None,
        };
    }
    Some(flags)
}

/// `seq:end(len)` → (seq, len).
fn tcp_seq(tok: &str) -> Option<(u32, u32)> {
    let (range, rest) = tok.split_once('(')?;
    let len = rest.strip_suffix(')')?.parse().ok()?;
    let (seq, _end) = range.split_once(':')?;
    Some((seq.parse().ok()?, len))
}

fn parse_arp(text: &str) -> Option<ArpSummary> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        ["arp", "who-has", target, "tell", sender, ..] => Some(ArpSummary {
            op: 1,
            sender_ip: sender.parse::<Ipv4Addr>().ok()?.octets(),
            sender_mac: None,
            target_ip: target.parse::<Ipv4Addr>().ok()?.octets(),
        }),
        ["arp", "reply", sender, "is-at", mac, ..] => Some(ArpSummary {
            op: 2,
            sender_ip: sender.parse::<Ipv4Addr>().ok()?.octets(),
            sender_mac: Some(parse_colon_mac(mac).or_else(|| parse_cisco_mac(mac))?),
            target_ip: [0; 4],
        }),
        _ => None,
    }
}

fn parse_ip(text: &str) -> Option<IpSummary> {
    let mut words = text.split_whitespace();
    let (src, sport) = parse_endpoint(words.next()?)?;
    if words.next()? != ">" {
        return None;
    }
    let dst_tok = words.next()?;
    let (dst, dport) = parse_endpoint(dst_tok)?;
    let v6 = src.is_ipv6();
    let after_dst = text
        .find(dst_tok)
        .and_then(|p| text.get(p + dst_tok.len()..))
        .unwrap_or("");
    // Drop bracketed checksum notes: `[bad udp cksum d16b!]`, `[tcp sum ok]`.
    let mut rest = String::with_capacity(after_dst.len());
    let mut depth = 0u32;
    for c in after_dst.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => rest.push(c),
            _ => {}
        }
    }
    let rest = rest.trim_start_matches(':').trim();
    let fragment = parse_frag(rest);
    let toks: Vec<&str> = rest.split_whitespace().collect();
    let first = toks.first().copied().unwrap_or("");
    let transport = if let Some(len) = number_after::<u32>(rest, "udp ") {
        Transport::Udp {
            sport: sport?,
            dport: dport?,
            len,
        }
    } else if first.starts_with("icmp") || first.starts_with("icmp6") {
        let (icmp_type, code) = icmp_kind(rest, v6)?;
        Transport::Icmp { icmp_type, code }
    } else if let Some(p) = first
        .strip_prefix("ip-proto-")
        .map(|p| p.trim_end_matches([',', ':']))
    {
        let proto: u8 = p.parse().ok()?;
        let len = number_after::<u32>(rest, "length ").or_else(|| {
            toks.get(1)
                .and_then(|t| t.trim_end_matches(',').parse().ok())
        });
        Transport::Other { proto, len }
    } else if first.to_ascii_lowercase().starts_with("esp") {
        let len = number_after(rest, "length ");
        match (hex_after(rest, "spi=0x"), hex_after(rest, "seq=0x")) {
            (Some(spi), Some(seq)) => Transport::Esp { spi, seq, len },
            _ => Transport::Other {
                proto: proto::ESP,
                len,
            },
        }
    } else if first.to_ascii_lowercase().starts_with("ah") {
        Transport::Other {
            proto: proto::AH,
            len: number_after(rest, "length "),
        }
    } else if let (Some(sp), Some(dp), Some(flags)) = (sport, dport, tcp_flags(first)) {
        let (seq, len) = toks.get(1).and_then(|t| tcp_seq(t)).unwrap_or((0, 0));
        Transport::Tcp {
            sport: sp,
            dport: dp,
            flags,
            seq,
            ack: number_after(rest, "ack "),
            window: number_after(rest, "win ").unwrap_or(0),
            len,
        }
    } else if let Some(f) = fragment {
        // A non-first fragment names no protocol; the caller may know it
        // from the first fragment.
        Transport::Other {
            proto: proto::UNKNOWN,
            len: Some(f.len),
        }
    } else {
        return None;
    };
    Some(IpSummary {
        src,
        dst,
        transport,
        ttl: number_after(rest, "ttl "),
        id: number_after(rest, "id "),
        dont_fragment: rest.contains("(DF)"),
        fragment,
    })
}

/// Parse a whole decode (head text plus continuation lines joined by spaces).
pub fn parse_decode(text: &str) -> Decode {
    let (l2, rest) = parse_l2(text);
    let packet = if rest.starts_with("arp ") {
        parse_arp(rest).map(Described::Arp)
    } else {
        // A prefix such as `802.1Q vlan#10 P0` may come before the addresses.
        let mut text = rest;
        let mut found = parse_ip(text);
        for _ in 0..MAX_PREFIX_WORDS {
            if found.is_some() {
                break;
            }
            let Some((_, after)) = text.trim_start().split_once(char::is_whitespace) else {
                break;
            };
            text = after;
            found = parse_ip(text);
        }
        found.map(Described::Ip)
    };
    Decode { l2, packet }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpSummary {
        match parse_decode(text).packet {
            Some(Described::Ip(s)) => s,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn head_lines() {
        let h = parse_head("   1: 04:12:10.428093       192.168.10.10.34327 > 10.94.0.51.15868: S")
            .unwrap_or_else(|| panic!("no head"));
        assert_eq!(h.index, 1);
        assert_eq!(h.time_of_day, 15_130_428_093_000);
        assert!(h.decode.starts_with("192.168.10.10.34327"));
        assert!(parse_head("1: 15:01:45.052762 1.1.1.1.12869 > 2.2.2.2.80: S").is_some());
        assert!(parse_head("0x0000   4500 003c").is_none());
        assert!(parse_head("1: not a time").is_none());
    }

    #[test]
    fn counts() {
        assert_eq!(
            parse_count(" 4599 packets captured"),
            Some(Count::Captured(4599))
        );
        assert_eq!(parse_count("1 packet shown"), Some(Count::Shown(1)));
        assert_eq!(parse_count("1 packet dropped"), None);
    }

    #[test]
    fn udp_ike_line() {
        let s = ip("192.0.2.1.500 > 198.51.100.2.500: udp 184");
        assert_eq!(
            s.transport,
            Transport::Udp {
                sport: 500,
                dport: 500,
                len: 184
            }
        );
        let s = ip("2001:db8::1.4500 > 2001:db8::2.4500:  [udp sum ok] udp 92");
        assert!(s.src.is_ipv6());
        assert!(matches!(s.transport, Transport::Udp { dport: 4500, .. }));
    }

    #[test]
    fn esp_lines() {
        for t in [
            "192.0.2.1 > 198.51.100.2: ip-proto-50 132",
            "192.0.2.1 > 198.51.100.2: ip-proto-50, length 132",
            "192.0.2.1 > 198.51.100.2: esp, length 132",
        ] {
            assert_eq!(
                ip(t).transport,
                Transport::Other {
                    proto: 50,
                    len: Some(132)
                },
                "{t}"
            );
        }
    }

    #[test]
    fn esp_with_spi() {
        assert_eq!(
            ip("192.0.2.1 > 198.51.100.2: ESP(spi=0xC0FFEE01,seq=0x2a), length 132").transport,
            Transport::Esp {
                spi: 0xc0ff_ee01,
                seq: 42,
                len: Some(132)
            }
        );
    }

    #[test]
    fn detail_and_fragments() {
        let d = parse_decode(
            "0050.568d.992b 0050.568d.c0e2 0x0800 Length: 1514 192.168.1.38.1027 > 4.2.2.2.8000:  [bad udp cksum 5b10!] udp 9000 (frag 218:1480@0+) (ttl 64)",
        );
        let l2 = d.l2.unwrap_or_else(|| panic!("no l2"));
        assert_eq!(l2.frame_len, Some(1514));
        let Some(Described::Ip(s)) = d.packet else {
            panic!("no ip")
        };
        assert_eq!(s.ttl, Some(64));
        assert_eq!(
            s.fragment,
            Some(Fragment {
                id: 218,
                len: 1480,
                offset: 0,
                more: true
            })
        );
        let s = ip("192.168.1.38 > 4.2.2.2  (frag 218:128@8880) (ttl 64)");
        assert_eq!(s.fragment.map(|f| f.offset), Some(8880));
        let d = parse_decode("0022.5597.25b9 0014.3815.89fb 0x0800 1514: 192.168.81.52.443 > 192.168.80.51.3968: P [tcp sum ok] 787673978:787675438(1460) ack 30 43311886 win 8192 (ttl 255, id 54032)");
        assert_eq!(d.l2.and_then(|l| l.frame_len), Some(1514));
        let Some(Described::Ip(s)) = d.packet else {
            panic!("no ip")
        };
        assert_eq!((s.ttl, s.id), (Some(255), Some(54032)));
        assert!(matches!(s.transport, Transport::Tcp { len: 1460, .. }));
    }

    #[test]
    fn vlan_prefix() {
        let s = ip("802.1Q vlan#10 P0 192.0.2.1.500 > 198.51.100.2.500:  udp 184");
        assert!(matches!(s.transport, Transport::Udp { len: 184, .. }));
    }

    #[test]
    fn arp_and_icmp() {
        assert!(matches!(
            parse_decode("arp reply 3.3.3.254 is-at 0:0:0:0:78:1").packet,
            Some(Described::Arp(ArpSummary { op: 2, .. }))
        ));
        assert_eq!(
            ip("10.124.255.212 > 10.124.255.5 icmp: echo request").transport,
            Transport::Icmp {
                icmp_type: 8,
                code: 0
            }
        );
        assert!(parse_decode("VLAN-info something").packet.is_none());
    }
}
