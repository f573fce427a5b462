//! IOS-XE 16/17 show captures through an embedded tshark: `buffer detailed`
//! is tshark `-V -x` and `display dump` is tshark `-x`. Real tshark output
//! for the public captures in `../shared/corpus/` must read back to the
//! same frames (bytes, and with `-V` also the epoch time stamps and the
//! link type), including frames whose hex is followed by a reassembled or
//! decrypted data source. Skipped without tshark or the corpus.

mod oracle;
mod text_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ikescope::capture::text::{looks_like_text, read_text};
use ikescope::capture::{Level, LinkType, ReadOptions};
use text_support::{read_pcap, Collect};

/// Files known to print several data sources per frame, then a few others.
const FILES: [&str; 7] = [
    "wireshark-wiki/test1.pcap",
    "openswan/espfrags1.pcap",
    "zeek-spicy-ipsec/ipsec_client.pcap",
    "wireshark-wiki/attachment_ikev1_main_mode.pcap",
    "wireshark-wiki/ipsec_esp_capture_3__capture.pcap",
    "arkime/IKEv2.pcap",
    "zeek/ip6_esp.pcap",
];

fn tshark(args: &[&str], file: &Path) -> Option<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn corpus(name: &str) -> Option<PathBuf> {
    oracle::corpus_file("tshark_text_reads_back_to_the_capture", name)
}

fn read(text: &str) -> Collect {
    assert!(looks_like_text(text.as_bytes()));
    let mut c = Collect::default();
    read_text(
        text.as_bytes(),
        &ReadOptions {
            date: Some((2024, 3, 1)),
        },
        &mut c,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<_> = c
        .notices
        .iter()
        .filter(|n| n.level == Level::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    c
}

#[test]
fn tshark_text_reads_back_to_the_capture() {
    if !oracle::tshark("tshark_text_reads_back_to_the_capture") {
        return;
    }
    let mut checked = 0;
    for name in FILES {
        let Some(path) = corpus(name) else { continue };
        let detailed =
            tshark(&["-V", "-x"], &path).unwrap_or_else(|| panic!("{name}: tshark -V -x failed"));
        let dump = tshark(&["-x"], &path).unwrap_or_else(|| panic!("{name}: tshark -x failed"));
        let file = std::fs::read(&path).unwrap_or_default();
        let (link, records) = read_pcap(&file).unwrap_or_else(|| panic!("{name}: not a pcap"));
        let link = match link {
            1 => LinkType::ETHERNET,
            _ => LinkType::RAW,
        };
        let c = read(&detailed);
        assert_eq!(c.frames.len(), records.len(), "{name} -V -x");
        for (i, (r, f)) in records.iter().zip(&c.frames).enumerate() {
            assert_eq!(f.data, r.data, "{name} -V -x frame {}", i + 1);
            assert_eq!(f.orig_len, r.orig_len, "{name} -V -x frame {}", i + 1);
            assert_eq!(f.link, link, "{name} -V -x frame {}", i + 1);
            assert_eq!(
                (f.ts.secs, f.ts.nanos),
                (i64::from(r.secs), r.micros * 1000),
                "{name} -V -x frame {}",
                i + 1
            );
        }
        let c = read(&dump);
        assert_eq!(c.frames.len(), records.len(), "{name} -x");
        for (i, (r, f)) in records.iter().zip(&c.frames).enumerate() {
            assert_eq!(f.data, r.data, "{name} -x frame {}", i + 1);
        }
        checked += 1;
    }
    eprintln!("{checked} captures checked through tshark -V -x and -x");
}
