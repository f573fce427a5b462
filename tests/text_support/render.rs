//! Renders packets as Cisco consoles print them, for read-back tests.
//!
//! Layouts follow the samples in `../shared/device-text/` (see FORMATS.md
//! there): ASA/PIX `show capture NAME [detail] dump` in the old (3/8 space)
//! and new (single space, padded) hex columns, right-aligned or unpadded
//! indexes, one or seven spaces after the time, old one-line and new
//! two-line `detail` headers, with or without the Ethernet header in the
//! dump, pager prompts, CLI prompts and other commands' output, CRLF; and
//! IOS classic EPC, IOS-XE 16 and IOS-XE 17 dumps.

use std::fmt::Write as _;

/// A packet to render: time (seconds + µs since the epoch), the bytes
/// starting at the Ethernet header (`ethernet`) or at the IP header.
#[derive(Debug, Clone)]
pub struct Packet {
    pub secs: i64,
    pub micros: u32,
    pub ethernet: bool,
    pub data: Vec<u8>,
}

/// How to print an ASA capture.
#[derive(Debug, Clone, Copy)]
pub struct AsaLayout {
    /// `   1:` (8.x/9.x) instead of `1:`.
    pub pad_index: bool,
    /// Spaces after the time stamp (1 on PIX/old, 7 on newer).
    pub time_gap: usize,
    /// Old hex columns (3 spaces after the offset, 8 before the ASCII)
    /// instead of the new ones (1 and 1, padded).
    pub old_columns: bool,
    /// `detail`: MACs, Ethertype and length on the head line.
    pub detail: bool,
    /// Newer `detail`: `Length: N` and the decode on its own line.
    pub detail_two_lines: bool,
    /// Keep the Ethernet header in the dump (newer ASA) or start at IP.
    pub dump_ethernet: bool,
    /// Print the hex dump at all (else summary lines only).
    pub dump: bool,
    /// A `<--- More --->` prompt every this many lines.
    pub pager_every: Option<usize>,
    /// The pager prompt erased with carriage returns (terminal log) instead
    /// of standing on its own line.
    pub pager_erased: bool,
    /// CLI prompts and another command's output around the capture.
    pub prompts: bool,
    /// `packet-number N detail dump` per packet instead of one listing.
    pub per_packet: bool,
    pub crlf: bool,
}

impl AsaLayout {
    /// The named layouts the round-trip tests run.
    pub fn all() -> Vec<(&'static str, AsaLayout)> {
        let base = AsaLayout {
            pad_index: true,
            time_gap: 1,
            old_columns: true,
            detail: true,
            detail_two_lines: false,
            dump_ethernet: false,
            dump: true,
            pager_every: None,
            pager_erased: false,
            prompts: false,
            per_packet: false,
            crlf: false,
        };
        vec![
            ("asa8-detail-dump-ip", base),
            (
                "pix-dump-ip-unpadded",
                AsaLayout {
                    pad_index: false,
                    detail: false,
                    ..base
                },
            ),
            (
                "asa9-detail-dump-ethernet-new-columns",
                AsaLayout {
                    time_gap: 7,
                    old_columns: false,
                    detail_two_lines: true,
                    dump_ethernet: true,
                    ..base
                },
            ),
            (
                "asa9-dump-ethernet-pager-prompts-crlf",
                AsaLayout {
                    time_gap: 7,
                    old_columns: false,
                    detail: false,
                    dump_ethernet: true,
                    pager_every: Some(23),
                    prompts: true,
                    crlf: true,
                    ..base
                },
            ),
            (
                "asa8-detail-dump-ip-pager-erased",
                AsaLayout {
                    pager_every: Some(17),
                    pager_erased: true,
                    prompts: true,
                    ..base
                },
            ),
            (
                "asa-packet-number-detail-dump-ethernet",
                AsaLayout {
                    time_gap: 7,
                    old_columns: false,
                    dump_ethernet: true,
                    per_packet: true,
                    prompts: true,
                    ..base
                },
            ),
        ]
    }
}

fn ascii(bytes: &[u8], strip_high_bit: bool) -> String {
    bytes
        .iter()
        .map(|&b| {
            let b = if strip_high_bit { b & 0x7f } else { b };
            if (0x20..0x7f).contains(&b) {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect()
}

fn time_of_day(secs: i64, micros: u32) -> String {
    let tod = secs.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        tod / 3600,
        tod / 60 % 60,
        tod % 60,
        micros
    )
}

fn ethertype(p: &Packet) -> Option<u16> {
    if !p.ethernet {
        return None;
    }
    Some(u16::from_be_bytes([*p.data.get(12)?, *p.data.get(13)?]))
}

/// The IP part of a packet.
fn ip_part(p: &Packet) -> Option<&[u8]> {
    if !p.ethernet {
        return Some(&p.data);
    }
    match ethertype(p)? {
        0x0800 | 0x86dd => p.data.get(14..),
        _ => None,
    }
}

fn addr(b: &[u8], v6: bool) -> String {
    if v6 {
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        std::net::Ipv6Addr::from(a).to_string()
    } else {
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        std::net::Ipv4Addr::from(a).to_string()
    }
}

/// A tcpdump-style decode of the packet, as the ASA prints after the time.
pub fn decode(p: &Packet) -> String {
    let Some(ip) = ip_part(p) else {
        if ethertype(p) == Some(0x0806) && p.data.len() >= 42 {
            let a = &p.data[14..];
            let sender = addr(&a[14..18], false);
            let target = addr(&a[24..28], false);
            return if a[7] == 1 {
                format!("arp who-has {target} tell {sender}")
            } else {
                let m: Vec<String> = a[8..14].iter().map(|b| format!("{b:x}")).collect();
                format!("arp reply {sender} is-at {}", m.join(":"))
            };
        }
        return format!("{:04x}: hex-dump", ethertype(p).unwrap_or(0));
    };
    let Some(&first) = ip.first() else {
        return "empty".to_string();
    };
    let (v6, hl, proto, src, dst, total) = match first >> 4 {
        4 if ip.len() >= 20 => {
            let hl = usize::from(first & 0x0f) * 4;
            (
                false,
                hl,
                ip[9],
                addr(&ip[12..16], false),
                addr(&ip[16..20], false),
                usize::from(u16::from_be_bytes([ip[2], ip[3]])),
            )
        }
        6 if ip.len() >= 40 => (
            true,
            40,
            ip[6],
            addr(&ip[8..24], true),
            addr(&ip[24..40], true),
            40 + usize::from(u16::from_be_bytes([ip[4], ip[5]])),
        ),
        _ => return "truncated ip".to_string(),
    };
    let frag = !v6 && (u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff) != 0;
    let l4 = ip.get(hl..).unwrap_or(&[]);
    let port = |o: usize| l4.get(o..o + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    match (proto, port(0), port(2)) {
        (17, Some(sp), Some(dp)) if !frag => {
            let ulen = l4
                .get(4..6)
                .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
                .unwrap_or(8);
            format!("{src}.{sp} > {dst}.{dp}:  udp {}", ulen.saturating_sub(8))
        }
        (6, Some(sp), Some(dp)) if !frag => {
            format!("{src}.{sp} > {dst}.{dp}: . ack 1 win 8192")
        }
        _ => format!(
            "{src} > {dst}: ip-proto-{proto} {}",
            total.saturating_sub(hl)
        ),
    }
}

fn mac(b: &[u8]) -> String {
    format!(
        "{:02x}{:02x}.{:02x}{:02x}.{:02x}{:02x}",
        b[0], b[1], b[2], b[3], b[4], b[5]
    )
}

/// ASA hex dump lines for `bytes`.
fn asa_hex(bytes: &[u8], old_columns: bool, out: &mut Vec<String>) {
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let groups: Vec<String> = chunk.chunks(2).map(hex::encode).collect();
        let field = groups.join(" ");
        let line = if old_columns {
            format!(
                "0x{:04x}   {:<39}        {}",
                i * 16,
                field,
                ascii(chunk, false)
            )
        } else {
            format!("0x{:04x} {:<39} {}", i * 16, field, ascii(chunk, false))
        };
        out.push(line);
    }
}

/// Render packets as an ASA console session.
pub fn asa(packets: &[Packet], l: &AsaLayout) -> String {
    let mut lines: Vec<String> = Vec::new();
    let total = packets.len();
    if l.prompts {
        lines.push("ciscoasa# show version | include Version".into());
        lines.push("Cisco Adaptive Security Appliance Software Version 9.18(3) ".into());
        lines.push("Device Manager Version 7.18(1)".into());
        lines.push(String::new());
    }
    let cmd = format!(
        "show capture CAP{}{}",
        if l.detail { " detail" } else { "" },
        if l.dump { " dump" } else { "" }
    );
    if !l.per_packet {
        if l.prompts {
            lines.push(format!("ciscoasa# {cmd}"));
        }
        lines.push(format!("{total} packets captured"));
        lines.push(String::new());
    }
    for (i, p) in packets.iter().enumerate() {
        let idx = i + 1;
        if l.per_packet {
            if l.prompts {
                lines.push(format!(
                    "ciscoasa# show capture CAP{} packet-number {idx} dump",
                    if l.detail { " detail" } else { "" }
                ));
            }
            lines.push(format!("{total} packets captured"));
            lines.push(String::new());
        }
        let index = if l.pad_index {
            format!("{idx:>4}:")
        } else {
            format!("{idx}:")
        };
        let time = time_of_day(p.secs, p.micros);
        let gap = " ".repeat(l.time_gap);
        let dec = decode(p);
        let eth = p.ethernet && p.data.len() >= 14;
        if l.detail && eth {
            let src = mac(&p.data[6..12]);
            let dst = mac(&p.data[0..6]);
            let et = ethertype(p).unwrap_or(0);
            if l.detail_two_lines {
                lines.push(format!(
                    "{index} {time}{gap}{src} {dst} 0x{et:04x} Length: {}",
                    p.data.len()
                ));
                lines.push(format!("      {dec} "));
            } else {
                lines.push(format!(
                    "{index} {time}{gap}{src} {dst} 0x{et:04x} {}: {dec}",
                    p.data.len()
                ));
            }
        } else {
            lines.push(format!("{index} {time}{gap}{dec}"));
        }
        if l.dump {
            let bytes = match (l.dump_ethernet, ip_part(p)) {
                (false, Some(ip)) if p.ethernet => ip,
                _ => &p.data,
            };
            if l.per_packet || l.detail {
                lines.push(String::new());
            }
            asa_hex(bytes, l.old_columns, &mut lines);
            if l.detail && !l.per_packet {
                lines.push(String::new());
            }
        }
        if l.per_packet {
            lines.push("1 packet shown".into());
        }
    }
    if !l.per_packet {
        lines.push(format!("{total} packets shown"));
    }
    if l.prompts {
        lines.push("ciscoasa# show clock".into());
        lines.push("10:11:12.123 UTC Fri Mar 1 2024".into());
        lines.push("ciscoasa# ".into());
    }
    join(lines, l.pager_every, l.pager_erased, l.crlf)
}

fn join(lines: Vec<String>, pager: Option<usize>, erased: bool, crlf: bool) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for (i, line) in lines.into_iter().enumerate() {
        if let Some(every) = pager {
            if i > 0 && i % every == 0 {
                if erased {
                    out.push_str("<--- More --->\r              \r");
                } else {
                    out.push_str("<--- More --->");
                    out.push_str(end);
                }
            }
        }
        out.push_str(&line);
        out.push_str(end);
    }
    out
}

/// Render packets as classic IOS `show monitor capture buffer B dump`:
/// millisecond times with date, memory addresses, a right-aligned first line.
pub fn ios_classic(packets: &[Packet]) -> String {
    let mut out = String::new();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    for (i, p) in packets.iter().enumerate() {
        let days = p.secs.div_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let tod = time_of_day(p.secs, p.micros);
        let ms = &tod[..12];
        let ifname = if p.ethernet { "Gi0/0" } else { "Tu1" };
        let _ = writeln!(
            out,
            "{ms} UTC {} {d} {y} : IPv4 LES CEF    : {ifname} None",
            months[(m - 1) as usize]
        );
        out.push('\n');
        // The packet starts somewhere inside a 16-byte line of memory.
        let start = (i * 4) % 16;
        let base: u64 = 0x0F1A_2C00 + (i as u64) * 0x1000;
        let mut padded = vec![None; start];
        padded.extend(p.data.iter().copied().map(Some));
        for (li, chunk) in padded.chunks(16).enumerate() {
            let mut field = String::new();
            for (gi, group) in chunk.chunks(4).enumerate() {
                if gi > 0 {
                    field.push(' ');
                }
                for b in group {
                    match b {
                        Some(b) => {
                            let _ = write!(field, "{b:02X}");
                        }
                        None => field.push_str("  "),
                    }
                }
            }
            let bytes: Vec<u8> = chunk.iter().flatten().copied().collect();
            let asc = ascii(&bytes, true);
            let asc = format!("{asc:>width$}", width = chunk.len());
            let _ = writeln!(out, "{:08X}: {field:<35}  {asc}", base + li as u64 * 16);
        }
        out.push('\n');
    }
    out
}

/// Render packets as IOS-XE 16 `show monitor capture CAP buffer dump`.
pub fn iosxe16(packets: &[Packet]) -> String {
    let mut out =
        String::from("Starting the packet display ........ Press Ctrl + Shift + 6 to exit\n\n");
    for (i, p) in packets.iter().enumerate() {
        let _ = writeln!(out, "{i}");
        for (li, chunk) in p.data.chunks(16).enumerate() {
            let groups: Vec<String> = chunk.chunks(4).map(hex::encode_upper).collect();
            let _ = writeln!(
                out,
                "  {:04X}:  {:<35}   {}",
                li * 16,
                groups.join(" "),
                ascii(chunk, false)
            );
        }
        out.push('\n');
    }
    out
}

/// Render packets as IOS-XE 17 `display dump` (tshark -x).
pub fn iosxe17(packets: &[Packet]) -> String {
    let mut out = String::new();
    for p in packets {
        for (li, chunk) in p.data.chunks(16).enumerate() {
            let groups: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(
                out,
                "{:04x}  {:<47}   {}",
                li * 16,
                groups.join(" "),
                ascii(chunk, false)
            );
        }
        out.push('\n');
    }
    out.push_str("Started capture point : CAP\n");
    out
}

/// (year, month, day) of a day count since 1970-01-01 (H. Hinnant).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
