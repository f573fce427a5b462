//! The project's own captures, rendered as ASA `show capture … detail dump`
//! text (several layouts) and as IOS EPC dumps, give the same inspector
//! verdicts as the pcap they came from.

mod text_support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ikescope::app::{self, FileAnalysis, Options};
use text_support::read_pcap;
use text_support::render::{self, AsaLayout, Packet};

fn captures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    v.sort();
    v
}

/// Per tunnel: peers, verdict codes, last phase-1 message.
fn outcome(a: &FileAnalysis) -> BTreeSet<(String, Vec<&'static str>, Option<String>)> {
    a.tunnels
        .iter()
        .map(|t| {
            let mut codes: Vec<&'static str> = t.verdicts.iter().map(|v| v.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            let last = t
                .tunnel
                .ike_sas
                .first()
                .and_then(|sa| ikescope::flow::state::phase1(sa).last_message)
                .map(|s| s.to_string());
            (
                format!("{} {}", t.tunnel.peers[0], t.tunnel.peers[1]),
                codes,
                last,
            )
        })
        .collect()
}

#[test]
fn console_renderings_give_the_pcap_verdicts() {
    let caps = captures();
    assert!(!caps.is_empty(), "no captures under captures/");
    let tmp = std::env::temp_dir().join(format!("ikescope-textverdicts-{}", std::process::id()));
    fs::create_dir_all(&tmp).unwrap();
    let layouts: Vec<(&str, AsaLayout)> = AsaLayout::all()
        .into_iter()
        .filter(|(_, l)| l.dump && !l.per_packet)
        .take(3)
        .collect();
    assert!(!layouts.is_empty());
    let mut failures = Vec::new();
    let mut compared = 0;
    for cap in &caps {
        let bytes = fs::read(cap).unwrap();
        let Some((link, records)) = read_pcap(&bytes) else {
            continue;
        };
        let ethernet = link == 1;
        let packets: Vec<Packet> = records
            .into_iter()
            .map(|r| Packet {
                secs: i64::from(r.secs),
                micros: r.micros,
                ethernet,
                data: r.data,
            })
            .collect();
        let Some(first) = packets.first() else {
            continue;
        };
        let (y, m, d) = render::civil_from_days(first.secs.div_euclid(86_400));
        let mut opts = Options::default();
        opts.read.date = Some((y as i32, m, d));
        let want = outcome(&app::analyze(cap, &opts, None));
        let mut texts: Vec<(String, String)> = layouts
            .iter()
            .map(|(name, l)| (format!("asa-{name}"), render::asa(&packets, l)))
            .collect();
        texts.push(("ios-classic".into(), render::ios_classic(&packets)));
        for (name, text) in texts {
            let f = tmp.join(format!(
                "{}.{name}.txt",
                cap.file_stem().unwrap().to_string_lossy()
            ));
            fs::write(&f, text).unwrap();
            let a = app::analyze(&f, &opts, None);
            let got = outcome(&a);
            compared += 1;
            // IOS classic keeps milliseconds only: timing-based verdicts
            // still agree, but retransmission intervals may round.
            if got != want {
                failures.push(format!(
                    "{} as {name}:\n  pcap: {want:?}\n  text: {got:?}",
                    cap.display()
                ));
            }
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    eprintln!("{compared} console renderings compared with their pcaps");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
