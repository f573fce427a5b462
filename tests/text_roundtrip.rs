//! Packets written as Cisco console text read back byte for byte.
//!
//! A renderer (`text_support::render`) prints packets as ASA `show capture
//! … [detail] dump` in each layout (old and new hex columns, padded or
//! unpadded indexes, one or seven spaces after the time, old and new
//! `detail` headers, dump from the IP or from the Ethernet header, pager
//! prompts plain or erased, CLI prompts with other commands' output, CRLF,
//! `packet-number N` listings) and as IOS classic, IOS-XE 16 and IOS-XE 17
//! dumps. The reader must give back the same bytes, link type, time stamps
//! and numbering. Inputs: hand-built packets, the project's `captures/`
//! and the public captures in `../shared/corpus/` where present (classic
//! pcap files with Ethernet or raw IP frames).

mod oracle;
mod text_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ikescope::capture::text::{looks_like_text, read_text};
use ikescope::capture::writer::FrameBuffer;
use ikescope::capture::{Level, LinkType, Origin, ReadOptions};
use text_support::packets::hand_built;
use text_support::render::{self, AsaLayout, Packet};
use text_support::{read_pcap, Collect};

// ---------------------------------------------------------------- checks

fn read(text: &str, date: (i32, u32, u32)) -> Collect {
    assert!(
        looks_like_text(text.as_bytes()),
        "not recognised:\n{}",
        &text[..text.len().min(400)]
    );
    let mut c = Collect::default();
    let opts = ReadOptions { date: Some(date) };
    let r = read_text(text.as_bytes(), &opts, &mut c);
    let s = r.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.frames as usize, c.frames.len());
    c
}

fn date_of(secs: i64) -> (i32, u32, u32) {
    let (y, m, d) = render::civil_from_days(secs.div_euclid(86_400));
    (y as i32, m, d)
}

/// What the reader should give for `p` when the dump does (`keep_l2`) or
/// does not keep the Ethernet header.
fn expected(p: &Packet, keep_l2: bool) -> (LinkType, Vec<u8>) {
    if !p.ethernet {
        return (LinkType::RAW, p.data.clone());
    }
    let et = u16::from_be_bytes([p.data[12], p.data[13]]);
    if !keep_l2 && (et == 0x0800 || et == 0x86dd) {
        (LinkType::RAW, p.data[14..].to_vec())
    } else {
        (LinkType::ETHERNET, p.data.clone())
    }
}

/// Time stamps can be compared when they fit the date-less text: in order
/// and within half a day.
fn times_comparable(packets: &[Packet]) -> bool {
    packets
        .windows(2)
        .all(|w| (w[1].secs, w[1].micros) >= (w[0].secs, w[0].micros))
        && packets
            .last()
            .is_none_or(|l| l.secs - packets[0].secs < 43_000)
}

fn check_asa(what: &str, packets: &[Packet]) {
    if packets.is_empty() {
        return;
    }
    let date = date_of(packets[0].secs);
    let with_times = times_comparable(packets);
    for (name, layout) in AsaLayout::all() {
        let text = render::asa(packets, &layout);
        let c = read(&text, date);
        let errors: Vec<_> = c
            .notices
            .iter()
            .filter(|n| n.level == Level::Error)
            .collect();
        assert!(errors.is_empty(), "{what} {name}: {errors:?}");
        assert!(
            c.notices
                .iter()
                .all(|n| !n.message.contains("unrecognised")),
            "{what} {name}: {:?}",
            c.notices
        );
        assert_eq!(c.frames.len(), packets.len(), "{what} {name}");
        for (i, (p, f)) in packets.iter().zip(&c.frames).enumerate() {
            let (link, data) = expected(p, layout.dump_ethernet);
            assert_eq!(f.number, i as u64 + 1);
            assert_eq!(f.origin, Origin::TextDump);
            assert_eq!(f.data, data, "{what} {name} packet {}", i + 1);
            assert_eq!(f.link, link, "{what} {name} packet {}", i + 1);
            if with_times {
                assert_eq!(
                    (f.ts.secs, f.ts.nanos),
                    (p.secs, p.micros * 1000),
                    "{what} {name} packet {}",
                    i + 1
                );
            }
        }
    }
}

fn check_ios(what: &str, packets: &[Packet]) {
    if packets.is_empty() {
        return;
    }
    let renders = [
        ("ios-classic", render::ios_classic(packets)),
        ("iosxe16", render::iosxe16(packets)),
        ("iosxe17", render::iosxe17(packets)),
    ];
    for (name, text) in renders {
        let c = read(&text, date_of(packets[0].secs));
        let errors: Vec<_> = c
            .notices
            .iter()
            .filter(|n| n.level == Level::Error)
            .collect();
        assert!(errors.is_empty(), "{what} {name}: {errors:?}");
        assert_eq!(c.frames.len(), packets.len(), "{what} {name}");
        for (i, (p, f)) in packets.iter().zip(&c.frames).enumerate() {
            let (link, data) = expected(p, true);
            assert_eq!(f.data, data, "{what} {name} packet {}", i + 1);
            assert_eq!(f.link, link, "{what} {name} packet {}", i + 1);
            if name == "ios-classic" {
                // millisecond time stamps with their own date
                assert_eq!(
                    (f.ts.secs, f.ts.nanos),
                    (p.secs, p.micros / 1000 * 1_000_000)
                );
            }
        }
    }
}

#[test]
fn hand_built_packets_read_back_in_every_layout() {
    let packets = hand_built();
    check_asa("hand-built", &packets);
    check_ios("hand-built", &packets);
}

#[test]
fn truncated_dump_gets_its_length_from_the_ip_header() {
    let mut packets = hand_built();
    packets.truncate(1);
    let full = packets[0].data.len();
    packets[0].data.truncate(100); // `capture … packet-length 100`
    let layout = AsaLayout::all()[0].1;
    let c = read(&render::asa(&packets, &layout), date_of(packets[0].secs));
    let f = &c.frames[0];
    assert_eq!((f.data.len(), f.orig_len as usize), (86, full - 14));
}

#[test]
fn summary_lines_rebuild_headers_with_full_lengths() {
    let packets = hand_built();
    for detail in [false, true] {
        let layout = AsaLayout {
            dump: false,
            detail,
            ..AsaLayout::all()[0].1
        };
        let c = read(&render::asa(&packets, &layout), date_of(packets[0].secs));
        assert_eq!(
            c.frames.len(),
            packets.len() - 1,
            "the 802.1Q frame has no summary: {:?}",
            c.notices
        );
        let mut frames = c.frames.iter();
        for p in &packets {
            let (_, ip) = expected(p, false);
            if p.ethernet && u16::from_be_bytes([p.data[12], p.data[13]]) == 0x8100 {
                continue;
            }
            let f = frames.next().unwrap_or_else(|| panic!("too few frames"));
            assert_eq!(f.origin, Origin::TextSummary);
            if ip[0] >> 4 != 4 && ip[0] >> 4 != 6 {
                assert_eq!(f.link, LinkType::ETHERNET, "ARP");
                continue;
            }
            let (l2, got) = if detail && p.ethernet {
                assert_eq!(f.link, LinkType::ETHERNET);
                assert_eq!(f.data[..14], p.data[..14], "MACs and Ethertype");
                assert_eq!(f.orig_len as usize, p.data.len(), "detail frame length");
                (14, &f.data[14..])
            } else {
                assert_eq!(f.link, LinkType::RAW);
                (0, &f.data[..])
            };
            let _ = l2;
            let v6 = ip[0] >> 4 == 6;
            let (hl, total) = if v6 {
                (40, 40 + usize::from(u16::from_be_bytes([ip[4], ip[5]])))
            } else {
                (20, usize::from(u16::from_be_bytes([ip[2], ip[3]])))
            };
            if !(detail && p.ethernet) {
                assert_eq!(f.orig_len as usize, total, "orig_len = IP total length");
            }
            // addresses and protocol
            if v6 {
                assert_eq!(got[6], ip[6]);
                assert_eq!(got[8..40], ip[8..40]);
            } else {
                assert_eq!(got[9], ip[9]);
                assert_eq!(got[12..20], ip[12..20]);
                assert_eq!(got[2..4], ip[2..4], "total length");
            }
            let proto = if v6 { ip[6] } else { ip[9] };
            if proto == 17 {
                assert_eq!(got[hl..hl + 6], ip[hl..hl + 6], "ports and UDP length");
                assert_eq!(got.len(), hl + 8);
            } else {
                assert_eq!(got.len(), hl);
            }
        }
    }
}

#[test]
fn damaged_dump_is_reported_with_its_line_and_reading_goes_on() {
    let packets = hand_built();
    let layout = AsaLayout::all()[0].1;
    let text = render::asa(&packets[..3], &layout);
    // Drop the second hex line of the first packet.
    let mut lines: Vec<&str> = text.lines().collect();
    let first_hex = lines
        .iter()
        .position(|l| l.starts_with("0x0000"))
        .unwrap_or(0);
    lines.remove(first_hex + 1);
    lines.insert(
        first_hex + 3,
        "%ASA-6-302015: Built outbound UDP connection",
    );
    let damaged = lines.join("\n");
    let c = read(&damaged, date_of(packets[0].secs));
    assert_eq!(c.frames.len(), 3);
    assert_eq!(c.frames[0].data.len(), 16, "kept truncated at the break");
    assert_eq!(c.frames[0].orig_len as usize, packets[0].data.len() - 14);
    assert_eq!(c.frames[1].data, packets[1].data[14..]);
    let err: Vec<_> = c
        .notices
        .iter()
        .filter(|n| n.level == Level::Error)
        .collect();
    assert_eq!(err.len(), 1, "{:?}", c.notices);
    assert_eq!(err[0].line, Some(first_hex as u64 + 2));
    assert_eq!(err[0].frame, Some(1));
}

#[test]
fn missing_date_is_1970_and_said() {
    let packets = hand_built();
    let text = render::asa(&packets[..2], &AsaLayout::all()[1].1);
    let mut c = Collect::default();
    read_text(text.as_bytes(), &ReadOptions::default(), &mut c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.frames[0].ts.secs, packets[0].secs.rem_euclid(86_400));
    assert!(c
        .notices
        .iter()
        .any(|n| n.message.contains("1970-01-01") && n.line.is_some()));
}

#[test]
fn binary_input_is_refused_quickly() {
    let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    pcap.extend([0u8; 200]);
    assert!(!looks_like_text(&pcap));
    let mut c = Collect::default();
    assert!(read_text(&pcap, &ReadOptions::default(), &mut c).is_err());
    assert!(read_text(
        b"just some notes\nnothing else\n",
        &ReadOptions::default(),
        &mut c
    )
    .is_err());
}

// ---------------------------------------------------------------- corpus

/// The project's own captures (`captures/`) and the public ones in
/// `../shared/corpus/`, where present.
fn corpus_pcaps() -> Vec<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut dirs = vec![here.join("captures")];
    dirs.extend(oracle::corpus("text_roundtrip (captures/ only)"));
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "pcap" || x == "cap") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Packets of a classic pcap with Ethernet or raw IP frames.
fn corpus_packets(path: &Path, limit: usize) -> Option<Vec<Packet>> {
    let file = std::fs::read(path).ok()?;
    let (link, records) = read_pcap(&file)?;
    let ethernet = match link {
        1 => true,
        12 | 14 | 101 | 228 | 229 => false,
        _ => return None,
    };
    Some(
        records
            .into_iter()
            .filter(|r| !r.data.is_empty() && (ethernet || matches!(r.data[0] >> 4, 4 | 6)))
            .filter(|r| !ethernet || r.data.len() >= 14)
            .take(limit)
            .map(|r| Packet {
                secs: i64::from(r.secs),
                micros: r.micros,
                ethernet,
                data: r.data,
            })
            .collect(),
    )
}

#[test]
fn corpus_captures_read_back_in_every_layout() {
    let mut files = 0;
    let mut packets_seen = 0;
    for path in corpus_pcaps() {
        let Some(packets) = corpus_packets(&path, 120) else {
            continue;
        };
        let what = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        check_asa(&what, &packets);
        check_ios(&what, &packets);
        files += 1;
        packets_seen += packets.len();
    }
    eprintln!("corpus: {files} pcaps, {packets_seen} packets, each in 9 text layouts");
}

// ---------------------------------------------------------------- pcap out

fn tshark() -> Option<()> {
    Command::new("tshark")
        .arg("-v")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| ())
}

fn tshark_fields(path: &Path) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "separator=|"])
        .args([
            "-e",
            "frame.len",
            "-e",
            "ip.src",
            "-e",
            "ip.dst",
            "-e",
            "ipv6.src",
            "-e",
            "udp.srcport",
            "-e",
            "udp.dstport",
            "-e",
            "isakmp.ispi",
            "-e",
            "isakmp.exchangetype",
            "-e",
            "esp.spi",
            "-e",
            "esp.sequence",
        ])
        .output()
        .unwrap_or_else(|e| panic!("tshark: {e}"));
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn converted_pcap_opens_in_tshark_with_the_same_decode() {
    if tshark().is_none() {
        oracle::skip(
            "converted_pcap_opens_in_tshark_with_the_same_decode",
            "tshark is not installed",
        );
        return;
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let mut inputs: Vec<(String, Vec<Packet>, Option<PathBuf>)> =
        vec![("hand-built".into(), hand_built(), None)];
    for path in corpus_pcaps() {
        if let Some(p) = corpus_packets(&path, 100_000) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // tshark starts slowly: a handful of files is enough.
            if file_is_plain(&path, p.len()) && inputs.len() < 7 {
                inputs.push((name, p, Some(path)));
            }
        }
    }
    // Summary lines only: rebuilt headers, payload absent.
    let packets = hand_built();
    let layout = AsaLayout {
        dump: false,
        ..AsaLayout::all()[0].1
    };
    let mut buf = FrameBuffer::default();
    let text = render::asa(&packets, &layout);
    read_text(
        text.as_bytes(),
        &ReadOptions {
            date: Some(date_of(packets[0].secs)),
        },
        &mut buf,
    )
    .unwrap_or_else(|e| panic!("summary: {e}"));
    let out = tmp.join("text-convert-summary.pcap");
    let file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{e}"));
    buf.write_pcap(std::io::BufWriter::new(file))
        .unwrap_or_else(|e| panic!("summary: {e}"));
    let got = tshark_fields(&out);
    assert_eq!(got.len(), buf.frames.len(), "summary: frame count");
    assert!(got.iter().any(|l| l.contains("|500|500|")), "{got:?}");
    for (name, packets, original) in inputs {
        // Newer ASA layout: dumps keep the Ethernet header, so the pcap
        // matches the original frame for frame.
        let layout = AsaLayout::all()[2].1;
        let text = render::asa(&packets, &layout);
        let mut buf = FrameBuffer::default();
        read_text(
            text.as_bytes(),
            &ReadOptions {
                date: Some(date_of(packets[0].secs)),
            },
            &mut buf,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = tmp.join(format!("text-convert-{name}.pcap"));
        let file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{e}"));
        buf.write_pcap(std::io::BufWriter::new(file))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = tshark_fields(&out);
        assert_eq!(got.len(), packets.len(), "{name}: frame count");
        if let Some(orig) = original {
            assert_eq!(got, tshark_fields(&orig), "{name}: decode differs");
        }
        // Also an IP-only dump (raw IP frames): its pcap opens too.
        let text = render::asa(&packets, &AsaLayout::all()[0].1);
        let mut buf = FrameBuffer::default();
        read_text(
            text.as_bytes(),
            &ReadOptions {
                date: Some(date_of(packets[0].secs)),
            },
            &mut buf,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = tmp.join(format!("text-convert-ip-{name}.pcap"));
        let file = std::fs::File::create(&out).unwrap_or_else(|e| panic!("{e}"));
        buf.write_pcap(std::io::BufWriter::new(file))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            tshark_fields(&out).len(),
            packets.len(),
            "{name}: frame count (IP dump)"
        );
    }
}

/// The original can be compared field for field when every record is an
/// Ethernet frame the walker kept (no filtered records) and not truncated.
fn file_is_plain(path: &Path, kept: usize) -> bool {
    let Some((link, records)) = std::fs::read(path).ok().and_then(|f| read_pcap(&f)) else {
        return false;
    };
    link == 1
        && records.len() == kept
        && records
            .iter()
            .all(|r| r.data.len() as u32 == r.orig_len && r.data.len() >= 14)
}
