//! Every Cisco console sample in `../shared/device-text/` that holds packets
//! reads without an error, with the packets the sample shows; the samples
//! without packets (syslog, debug, `show crypto` output) are not taken for
//! capture text. Skipped where that folder is absent (the samples are
//! third-party text, read by path, not ours to ship).

mod oracle;
mod text_support;

use std::path::PathBuf;

use ikescope::capture::text::{looks_like_text, read_text};
use ikescope::capture::{Level, LinkType, Origin, ReadOptions};
use text_support::{Collect, Got};

/// Samples holding packets: file, frames expected.
const WITH_PACKETS: [(&str, usize); 10] = [
    ("asa-show-capture-asp-drop-tcp.txt", 2),
    ("asa-show-capture-detail-packet-number-dump.txt", 1),
    ("asa-show-capture-detail-udp-fragments.txt", 8),
    ("asa-show-capture-icmp-arp-pastebin.txt", 5),
    ("asa-show-capture-packet-number-dump-with-ethernet.txt", 1),
    ("asa-show-capture-tcp-tunnelsup.txt", 7),
    ("pix515-show-capture-dump.txt", 2),
    ("ios-classic-show-monitor-capture-buffer-dump.txt", 2),
    ("iosxe16-show-monitor-capture-buffer-dump.txt", 2),
    ("iosxe17-monitor-capture-display-dump.txt", 1),
];

/// Samples that describe packets without holding them whole: recognised,
/// read without error, no frame (the `buffer detailed` sample's hex block is
/// 46 of the frame's 80 captured bytes, so it is skipped with a warning).
const DESCRIBED_ONLY: [&str; 1] = ["iosxe-show-monitor-capture-buffer-detailed-frame1.txt"];

fn samples_dir() -> Option<PathBuf> {
    oracle::device_text("text_samples")
}

fn read_sample(name: &str) -> Option<Collect> {
    let dir = samples_dir()?;
    let data = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(looks_like_text(&data), "{name}: not recognised");
    let mut c = Collect::default();
    let opts = ReadOptions {
        date: Some((2024, 3, 1)),
    };
    let r = read_text(&data, &opts, &mut c);
    let summary = r.unwrap_or_else(|e| panic!("{name}: {e}"));
    let errors: Vec<_> = c
        .notices
        .iter()
        .filter(|n| n.level == Level::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    assert_eq!(summary.frames as usize, c.frames.len());
    assert!(c.notices.iter().all(|n| n.line.is_some()));
    Some(c)
}

fn frame(c: &Collect, n: usize) -> &Got {
    c.frames
        .get(n - 1)
        .unwrap_or_else(|| panic!("no frame {n}"))
}

const DAY: i64 = 1_709_251_200; // 2024-03-01

#[test]
fn every_packet_sample_reads_without_error() {
    let Some(dir) = samples_dir() else { return };
    for (name, count) in WITH_PACKETS {
        let c = read_sample(name).unwrap_or_default();
        assert_eq!(c.frames.len(), count, "{name}: {:?}", c.notices);
        for (i, f) in c.frames.iter().enumerate() {
            assert_eq!(f.number, i as u64 + 1, "{name}");
            assert!(f.orig_len as usize >= f.data.len(), "{name}");
        }
    }
    for name in DESCRIBED_ONLY {
        let c = read_sample(name).unwrap_or_default();
        assert!(c.frames.is_empty());
        assert_eq!(c.notices.len(), 1, "{:?}", c.notices);
    }
    // Everything else in the folder (syslog, debugs, show crypto, brief
    // tables, notes) is not taken for a capture export.
    let mut others = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".txt")
            || WITH_PACKETS.iter().any(|(n, _)| *n == name)
            || DESCRIBED_ONLY.contains(&name.as_str())
        {
            continue;
        }
        let data = std::fs::read(entry.path()).unwrap_or_default();
        assert!(!looks_like_text(&data), "{name} taken for a capture");
        others += 1;
    }
    assert!(others >= 15, "{others}");
}

#[test]
fn asa8_detail_dump_starts_at_ip_and_is_clipped() {
    let Some(c) = read_sample("asa-show-capture-detail-packet-number-dump.txt") else {
        return;
    };
    let f = frame(&c, 1);
    assert_eq!((f.link, f.origin), (LinkType::RAW, Origin::TextDump));
    assert_eq!(f.data.len(), 0x60);
    // IP total length 1500: the dump was clipped by the capture's packet-length
    assert_eq!(f.orig_len, 1500);
    assert_eq!(f.data.get(..4), Some(&[0x45, 0x00, 0x05, 0xdc][..]));
    assert_eq!(f.ts.secs, DAY + 13 * 3600 + 46 * 60 + 39);
    assert_eq!(f.ts.nanos, 803_120_000);
}

#[test]
fn newer_asa_dump_starts_at_ethernet() {
    let Some(c) = read_sample("asa-show-capture-packet-number-dump-with-ethernet.txt") else {
        return;
    };
    let f = frame(&c, 1);
    assert_eq!(f.link, LinkType::ETHERNET);
    assert_eq!(f.data.len(), 98);
    assert_eq!(f.data.get(12..15), Some(&[0x08, 0x00, 0x45][..]));
}

#[test]
fn pix_dump_with_hexlike_ascii_column() {
    let Some(c) = read_sample("pix515-show-capture-dump.txt") else {
        return;
    };
    for n in [1, 2] {
        let f = frame(&c, n);
        assert_eq!((f.link, f.data.len(), f.orig_len), (LinkType::RAW, 60, 60));
        assert_eq!(
            f.data.get(28..),
            Some(&b"abcdefghijklmnopqrstuvwabcdefghi"[..])
        );
    }
}

#[test]
fn detail_summaries_rebuild_ethernet_ip_udp_and_fragments() {
    let Some(c) = read_sample("asa-show-capture-detail-udp-fragments.txt") else {
        return;
    };
    let f = frame(&c, 1);
    assert_eq!(
        (f.link, f.origin, f.orig_len),
        (LinkType::ETHERNET, Origin::TextSummary, 139)
    );
    // 10.0.3.4.10000 > 10.0.3.6.2123: udp 97 (DF) (ttl 64, id 0)
    let ip = f.data.get(14..34).unwrap_or_default();
    assert_eq!(ip.get(2..4), Some(&[0, 125][..]));
    assert_eq!(ip.get(6), Some(&0x40));
    assert_eq!(ip.get(8..10), Some(&[64, 17][..]));
    assert_eq!(ip.get(12..20), Some(&[10, 0, 3, 4, 10, 0, 3, 6][..]));
    assert_eq!(f.data.get(34..38), Some(&[0x27, 0x10, 0x08, 0x4b][..]));
    // The second capture in the file starts at 11:05, earlier than 23:24:
    // taken as the next day.
    let f2 = frame(&c, 2);
    assert_eq!(f2.ts.secs, DAY + 86_400 + 11 * 3600 + 5 * 60 + 29);
    // First fragment: UDP header with the whole datagram's length (9008).
    assert_eq!(f2.data.get(38..40), Some(&[0x23, 0x30][..]));
    assert_eq!(f2.data.get(20..22), Some(&[0x20, 0x00][..]), "MF, offset 0");
    // Later fragments: protocol from the first one, offset 1480/8 = 185
    let f3 = frame(&c, 3);
    assert_eq!(f3.data.len(), 34);
    assert_eq!(f3.data.get(23), Some(&17));
    assert_eq!(f3.data.get(20..22), Some(&[0x20, 0xb9][..]));
    let last = frame(&c, 8);
    assert_eq!(last.orig_len, 162);
    assert_eq!(
        last.data.get(20..22),
        Some(&[0x04, 0x56][..]),
        "no MF, 8880/8"
    );
}

#[test]
fn summary_lines_tcp_icmp_arp() {
    if let Some(c) = read_sample("asa-show-capture-tcp-tunnelsup.txt") {
        let f = frame(&c, 4); // P 3624439038:3624439328(290) ack 285283041 win 260
        assert_eq!((f.link, f.data.len(), f.orig_len), (LinkType::RAW, 40, 330));
        assert_eq!(f.data.get(33), Some(&0x18), "PSH+ACK");
        assert_eq!(
            f.data.get(24..28),
            Some(&3_624_439_038u32.to_be_bytes()[..])
        );
    }
    if let Some(c) = read_sample("asa-show-capture-icmp-arp-pastebin.txt") {
        let f = frame(&c, 1);
        assert_eq!(f.data.get(9), Some(&1));
        assert_eq!(f.data.get(20), Some(&8), "echo request");
        let arp = frame(&c, 5); // arp reply 3.3.3.254 is-at 0:0:0:0:78:1
        assert_eq!(arp.link, LinkType::ETHERNET);
        assert_eq!(arp.data.get(12..14), Some(&[0x08, 0x06][..]));
        assert_eq!(
            arp.data.get(22..32),
            Some(&[0, 0, 0, 0, 0x78, 1, 3, 3, 3, 254][..])
        );
    }
    if let Some(c) = read_sample("asa-show-capture-asp-drop-tcp.txt") {
        // the decode wraps onto continuation lines
        let f = frame(&c, 1);
        assert_eq!(
            f.data.get(24..28),
            Some(&2_669_456_341u32.to_be_bytes()[..])
        );
        assert_eq!(f.data.get(34..36), Some(&4128u16.to_be_bytes()[..]));
    }
}

#[test]
fn ios_classic_l2_and_l3() {
    let Some(c) = read_sample("ios-classic-show-monitor-capture-buffer-dump.txt") else {
        return;
    };
    let eth = frame(&c, 1);
    assert_eq!(eth.link, LinkType::ETHERNET);
    // right-aligned first line: the frame starts with the 8 bytes shown there
    assert_eq!(
        eth.data.get(..8),
        Some(&[0xB0, 0xFA, 0xEB, 0xC7, 0xA8, 0x62, 0x00, 0x50][..])
    );
    assert_eq!(eth.data.len(), 93);
    assert_eq!(eth.ts.secs, 1_638_053_144); // 22:45:44 UTC Nov 27 2021
    assert_eq!(eth.ts.nanos, 700_000_000);
    let ip = frame(&c, 2);
    assert_eq!(ip.link, LinkType::RAW);
    assert_eq!(ip.data.get(..4), Some(&[0x45, 0xC0, 0x00, 0x4C][..]));
    assert_eq!((ip.data.len(), ip.orig_len), (69, 76));
}

#[test]
fn iosxe_dumps() {
    if let Some(c) = read_sample("iosxe16-show-monitor-capture-buffer-dump.txt") {
        for n in [1, 2] {
            let f = frame(&c, n);
            assert_eq!((f.link, f.data.len()), (LinkType::ETHERNET, 98));
            assert_eq!(f.ts.secs, DAY);
        }
    }
    if let Some(c) = read_sample("iosxe17-monitor-capture-display-dump.txt") {
        let f = frame(&c, 1);
        assert_eq!((f.link, f.data.len()), (LinkType::ETHERNET, 60));
    }
}
