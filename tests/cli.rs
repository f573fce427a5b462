//! The binary end to end on the reference captures: exit codes, output
//! forms, damaged input, directory scans and shards.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ikescope"))
}

fn cap(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run ikescope")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ikescope-cli-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn exit_status_follows_the_worst_verdict() {
    let bad = run(&[cap("v1-psk-mismatch.pcap").to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let s = text(&bad);
    assert!(s.contains("phase1-auth-failed"), "{s}");
    assert!(s.contains("pre-shared key"), "{s}");
    assert!(s.contains("Wireshark filter: "), "{s}");

    let good = run(&[cap("v1-main-up.pcap").to_str().unwrap()]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good));
    assert!(text(&good).contains("established"));
}

#[test]
fn unreadable_and_non_capture_inputs_exit_2() {
    let o = run(&["/nonexistent/file.pcap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/file.pcap"));

    let d = tmpdir("garbage");
    let g = d.join("notes.txt");
    fs::write(&g, b"this is not a capture\n").unwrap();
    let o = run(&[g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn truncated_file_still_reports_what_came_before() {
    let src = fs::read(cap("v1-psk-mismatch.pcap")).unwrap();
    let d = tmpdir("trunc");
    let f = d.join("cut.pcap");
    // Cut in the middle of the last record.
    fs::write(&f, &src[..src.len() - 10]).unwrap();
    let o = run(&[f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let s = text(&o);
    assert!(s.contains("phase1-auth-failed"), "{s}");
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("offset"), "{e}");
}

#[test]
fn packets_json_lines_carry_the_documented_keys() {
    let o = run(&[
        "packets",
        "--json",
        cap("v2-invalid-ke.pcap").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let mut isakmp = 0;
    for line in text(&o).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for k in [
            "frame",
            "time",
            "src",
            "dst",
            "sport",
            "dport",
            "proto",
            "malformed",
        ] {
            assert!(v.get(k).is_some(), "{k} missing in {line}");
        }
        if v["proto"] == "isakmp" {
            isakmp += 1;
            let i = &v["isakmp"];
            assert_eq!(i["version"], 2);
            assert_eq!(i["ispi"].as_str().unwrap().len(), 16);
            for k in [
                "rspi",
                "exchange_type",
                "exchange",
                "flags",
                "message_id",
                "length",
                "encrypted",
                "payloads",
            ] {
                assert!(i.get(k).is_some(), "isakmp.{k} missing");
            }
        }
        if v["proto"] == "esp" {
            assert_eq!(v["esp"]["spi"].as_str().unwrap().len(), 8);
            assert!(v["esp"]["seq"].is_u64());
        }
    }
    assert!(isakmp >= 4);
    // The INVALID_KE_PAYLOAD notify names the group the responder wants.
    assert!(text(&o).contains("\"notify\":\"INVALID_KE_PAYLOAD\""));
}

#[test]
fn packet_lines_verbose_and_filters() {
    let f = cap("v1-main-up.pcap");
    let o = run(&["packets", f.to_str().unwrap()]);
    let s = text(&o);
    assert!(s.contains("MM1 I→R"), "{s}");
    assert!(s.contains("QM3"), "{s}");
    let v = run(&["packets", "-v", "-x", f.to_str().unwrap()]);
    let vs = text(&v);
    assert!(vs.contains("transform_id"), "verbose tree missing");
    assert!(vs.contains("0000  "), "hex dump missing");
    let peer = run(&["packets", "--peer", "192.0.2.99", f.to_str().unwrap()]);
    assert!(text(&peer).is_empty());
}

/// Issue 9: `ladder --peer X` exits by the tunnels it shows, not by another
/// tunnel's error (multi-peer.pcap: tunnel 1 is up, tunnel 3 fails).
#[test]
fn ladder_for_one_peer_exits_by_that_peer() {
    let f = cap("multi-peer.pcap");
    let f = f.to_str().unwrap();
    let good = run(&["ladder", "--peer", "203.0.113.1", f]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good));
    let bad = run(&["ladder", "--peer", "2001:db8:2::2", f]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
}

#[test]
fn ladder_marks_the_stall() {
    let o = run(&["ladder", cap("v1-psk-mismatch.pcap").to_str().unwrap()]);
    let s = text(&o);
    assert!(s.contains("MM5"), "{s}");
    assert!(s.contains("retx of"), "{s}");
    assert!(s.contains("STALLED: phase1-auth-failed"), "{s}");
}

#[test]
fn summary_json_document() {
    let o = run(&["--json", cap("v1-p1-no-proposal.pcap").to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&text(&o)).unwrap();
    assert_eq!(v["schema"], 3);
    let t = &v["tunnels"][0];
    assert_eq!(t["ike_version"], 1);
    assert_eq!(t["mode"], "main");
    assert_eq!(t["phase1"]["last_message"], "MM1");
    let verdict = &t["verdicts"][0];
    assert_eq!(verdict["code"], "phase1-no-proposal-chosen");
    assert_eq!(verdict["severity"], "error");
    assert!(verdict["offered"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().starts_with("ASA:  crypto ikev1 policy")));
}

#[test]
fn scan_is_sorted_sharded_and_survives_bad_files() {
    let d = tmpdir("scan");
    for n in [
        "v1-main-up.pcap",
        "v1-psk-mismatch.pcap",
        "v2-up.pcap",
        "v2-no-proposal.pcap",
    ] {
        fs::copy(cap(n), d.join(n)).unwrap();
    }
    fs::create_dir_all(d.join("sub")).unwrap();
    let src = fs::read(cap("v2-auth-failed.pcap")).unwrap();
    fs::write(d.join("sub/cut.bin"), &src[..src.len() / 2]).unwrap();
    fs::write(d.join("sub/readme.txt"), b"hello").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&d, d.join("sub/loop")).unwrap();

    let o = run(&["scan", "--json", "-q", "-j", "2", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "a damaged capture makes exit 2");
    let lines: Vec<serde_json::Value> = text(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files: Vec<String> = lines
        .iter()
        .filter_map(|v| v["file"].as_str().map(String::from))
        .collect();
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert_eq!(files.len(), 5, "{files:?}");
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    assert_eq!(summary["files"], 5);
    assert_eq!(summary["failed_inputs"], 1);

    let mut union = Vec::new();
    for i in 0..3 {
        let o = run(&[
            "scan",
            "--json",
            "-q",
            "--shard",
            &format!("{i}/3"),
            d.to_str().unwrap(),
        ]);
        for l in text(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(f) = v["file"].as_str() {
                union.push(f.to_string());
            }
        }
    }
    union.sort();
    assert_eq!(union, sorted, "shards must partition the files");

    let table = run(&["scan", "-q", "--only-failing", d.to_str().unwrap()]);
    let t = text(&table);
    assert!(t.contains("v1-psk-mismatch.pcap"));
    assert!(!t.contains("v1-main-up.pcap"), "{t}");
}

#[test]
fn icmp_port_unreachable_names_the_cause() {
    let o = run(&[cap("v1-responder-down.pcap").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let s = text(&o);
    assert!(
        s.contains("answered by ICMP port unreachable from 203.0.113.1 (frames 2, 4, 6, 8)"),
        "{s}"
    );
    assert!(s.contains("IKE daemon is not running"), "{s}");
    let p = run(&["packets", cap("v1-responder-down.pcap").to_str().unwrap()]);
    assert!(text(&p).contains("ICMP port unreachable (quoting UDP 500 → 500"));
}

#[test]
fn scan_reports_unreadable_inputs_in_its_json() {
    let d = tmpdir("unreadable");
    fs::copy(cap("v2-up.pcap"), d.join("v2-up.pcap")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(d.join("gone.pcap"), d.join("dangling.pcap")).unwrap();
    let o = run(&["scan", "--json", "-q", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = text(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let bad = lines
        .iter()
        .find(|v| {
            v["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("dangling.pcap"))
        })
        .expect("a document for the unreadable input");
    assert_eq!(bad["input_failed"], true);
    assert!(bad["error"].as_str().is_some());
    assert_eq!(lines.last().unwrap()["failed_inputs"], 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read"));
}

#[test]
fn pipes_and_standard_input_are_read() {
    let bytes = fs::read(cap("v1-psk-mismatch.pcap")).unwrap();
    let mut child = bin()
        .args(["--json", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child.stdin.take().unwrap().write_all(&bytes).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["frames"], 12);
    assert_eq!(v["tunnels"][0]["verdicts"][0]["code"], "phase1-auth-failed");
}
