//! The binary end to end on the reference captures: exit codes, output
//! forms, damaged input, directory scans and shards.

mod common;

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
    // Said once: one line, the offset and "analysed" once each.
    assert_eq!(e.lines().count(), 1, "{e}");
    assert_eq!(e.matches("0x").count(), 1, "{e}");
    assert_eq!(e.matches("analysed").count(), 1, "{e}");
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
    // Nothing matches: said, not an empty screen.
    let peer = run(&["packets", "--peer", "192.0.2.99", f.to_str().unwrap()]);
    let ps = text(&peer);
    assert!(ps.contains("No packet matches the filter"), "{ps}");
    assert_eq!(peer.status.code(), Some(0));
    let json = run(&[
        "packets",
        "--json",
        "--peer",
        "192.0.2.99",
        f.to_str().unwrap(),
    ]);
    assert!(text(&json).is_empty(), "{}", text(&json));
}

/// Several files: each one's packets under its name, since frame numbers
/// start again at 1 in every file.
#[test]
fn packet_lines_of_several_files_are_headed_by_their_file() {
    let a = cap("v1-no-response.pcap");
    let b = cap("v1-mm4-lost.pcap");
    let o = run(&["packets", a.to_str().unwrap(), b.to_str().unwrap()]);
    let s = text(&o);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.first().copied(), Some(a.to_str().unwrap()), "{s}");
    let at = lines
        .iter()
        .position(|l| *l == b.to_str().unwrap())
        .unwrap_or_else(|| panic!("no heading for the second file: {s}"));
    assert_eq!(lines[at - 1], "", "{s}");
    assert!(lines[at + 1].trim_start().starts_with("1 "), "{s}");
    // One file: no heading, as before.
    let one = text(&run(&["packets", a.to_str().unwrap()]));
    assert!(one.trim_start().starts_with("1 "), "{one}");
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
    // Prose is wrapped to the width: compare it with the line breaks undone.
    let s = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
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

// ------------------------------------------------- issue: output surface

/// Display columns of a line (wide characters count two).
fn columns(l: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(l)
}

/// No byte of the output could drive a terminal: no C0/C1 control but the
/// newline, no bidirectional control.
fn inert(s: &str) -> bool {
    !s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
    })
}

#[test]
fn options_work_before_the_subcommand() {
    let f = cap("v2-invalid-ke.pcap");
    let o = run(&["--json", "packets", f.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines = text(&o);
    assert!(lines.lines().count() >= 4);
    for l in lines.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("JSON line");
    }
    // A value-taking option before the subcommand, with its value.
    let o = run(&["--ike-port", "600", "ladder", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("IKE_SA_INIT"), "{}", text(&o));
    // An option the subcommand does not have is still refused.
    let o = run(&["--json", "convert", f.to_str().unwrap(), "-o", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn shard_zero_of_zero_explains_itself() {
    let o = run(&["scan", "--shard", "0/0", "."]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("at least 1") && e.contains("0/4"), "{e}");
}

#[test]
fn impossible_date_is_refused_before_reading() {
    let o = run(&["--date", "2024-02-30", "/nonexistent/console.txt"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("2024-02 has 29 days"), "{e}");
    assert!(!e.contains("console.txt"), "refused at parse time: {e}");
    let ok = run(&["--date", "2024-02-29", cap("v2-up.pcap").to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn convert_refuses_to_overwrite_its_input() {
    let d = tmpdir("convert-self");
    let f = d.join("console.txt");
    let body = b"1: 10:00:00.000000 192.0.2.1.500 > 198.51.100.2.500:  udp 100\n";
    fs::write(&f, body).unwrap();
    for out in [f.clone(), d.join(".").join("console.txt")] {
        let o = run(&["convert", f.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains("is the input"), "{e}");
        assert_eq!(fs::read(&f).unwrap(), body);
    }
    #[cfg(unix)]
    {
        let link = d.join("alias.txt");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        let o = run(&["convert", f.to_str().unwrap(), "-o", link.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(fs::read(&f).unwrap(), body);
    }
}

#[test]
fn ladder_for_one_peer_ignores_other_tunnels_errors() {
    let f = cap("multi-peer.pcap");
    // Tunnel 3 (2001:db8:2::2) failed; tunnel 1 (203.0.113.1) is up.
    let o = run(&["ladder", "--peer", "203.0.113.1", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["ladder", "--peer", "2001:db8:2::2", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["ladder", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

fn scan_dir(tag: &str) -> PathBuf {
    let d = tmpdir(tag);
    fs::copy(cap("v2-up.pcap"), d.join("v2-up.pcap")).unwrap();
    fs::copy(cap("v1-psk-mismatch.pcap"), d.join("v1-psk-mismatch.pcap")).unwrap();
    fs::write(d.join("readme.txt"), b"not a capture").unwrap();
    d
}

#[test]
fn scan_says_established_and_counts_skipped_files() {
    let d = scan_dir("scan-healthy");
    let o = run(&["scan", "-q", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let t = text(&o);
    let up = t.lines().find(|l| l.contains("v2-up.pcap")).unwrap();
    assert!(up.contains("✓ established"), "{t}");
    assert!(
        t.contains("1 skipped as not captures (-v lists them)"),
        "{t}"
    );
    assert!(!t.contains("readme.txt"), "{t}");
    let o = run(&["scan", "-q", "-v", d.to_str().unwrap()]);
    let t = text(&o);
    assert!(t.contains("Skipped:"), "{t}");
    assert!(t.contains("readme.txt: not a capture"), "{t}");
    let o = run(&["scan", "-q", "-v", "--json", d.to_str().unwrap()]);
    let summary: serde_json::Value =
        serde_json::from_str(text(&o).lines().last().unwrap()).unwrap();
    assert_eq!(summary["skipped"], 1);
    assert!(summary["skipped_files"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("readme.txt"));
}

#[test]
fn scan_reports_a_damaged_magic_number() {
    let d = scan_dir("scan-magic");
    let mut bytes = fs::read(cap("v2-up.pcap")).unwrap();
    bytes[0] ^= 0x01;
    fs::write(d.join("flipped.pcap"), &bytes).unwrap();
    let o = run(&["scan", "-q", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    let row = t.lines().find(|l| l.contains("flipped.pcap")).expect(&t);
    assert!(row.contains("✗ damaged"), "{t}");
    assert!(t.contains("1 unreadable or damaged"), "{t}");
    let o = run(&["scan", "-q", "--json", d.to_str().unwrap()]);
    let doc = text(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| {
            v["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("flipped.pcap"))
        })
        .expect("a document for the damaged file");
    assert_eq!(doc["input_failed"], true);
}

#[cfg(unix)]
#[test]
fn scan_reads_a_named_pipe_and_refuses_a_device() {
    let d = tmpdir("scan-fifo");
    let fifo = d.join("live.pcap");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        panic!("mkfifo failed");
    }
    let bytes = fs::read(cap("v1-psk-mismatch.pcap")).unwrap();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::write(fifo, bytes))
    };
    let o = run(&["scan", "-q", fifo.to_str().unwrap()]);
    writer.join().unwrap().unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text(&o).contains("phase1-auth-failed"), "{}", text(&o));

    let o = run(&["scan", "-q", "/dev/null"]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("a character device: not read"), "{e}");
    // Met during a walk, a pipe is listed, not opened (it could block).
    let o = run(&["scan", "-q", "-v", d.to_str().unwrap()]);
    assert!(text(&o).contains("named pipe (FIFO): not read during a directory walk"));
}

#[test]
fn scan_jobs_are_clamped_to_the_work() {
    let d = scan_dir("scan-jobs");
    let start = std::time::Instant::now();
    let o = run(&["scan", "-q", "-j", "10000", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // Starting 10,000 threads took 32 s; two files need two.
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    let o = run(&["scan", "-q", "-j", "0", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn scan_table_fits_80_columns_and_escapes_names() {
    let d = scan_dir("scan-width");
    let deep = d.join("site-frankfurt-datacenter-2/firewall-cluster-a/ipsec-captures-2024");
    fs::create_dir_all(&deep).unwrap();
    fs::copy(
        cap("multi-peer.pcap"),
        deep.join("outage-ticket-123456-primary-tunnel-after-rekey.pcap"),
    )
    .unwrap();
    let evil = "evil\u{1b}]0;pwned\u{7}\u{202e}fdp.pcap";
    fs::copy(cap("v2-up.pcap"), d.join(evil)).unwrap();
    let o = bin()
        .args(["scan", "-q", "-v", d.to_str().unwrap()])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let t = text(&o);
    for l in t.lines() {
        assert!(columns(l) <= 80, "{} columns: {l}", columns(l));
    }
    assert!(inert(&t), "{t:?}");
    // Shortened from the left, escaped before measuring.
    assert!(t.contains("pwned\\x07\\u{202e}fdp.pcap"), "{t}");
    assert!(t.contains("…imary-tunnel-after-rekey.pcap"), "{t}");
    assert!(t.contains("readme.txt: not a capture"), "{t}");
    // The per-file header of the summary and the ladder escape it too.
    let f = d.join(evil);
    for args in [&[][..], &["ladder"], &["packets", "-v"]] {
        let mut a: Vec<&str> = args.to_vec();
        a.push(f.to_str().unwrap());
        let o = run(&a);
        let t = text(&o);
        assert!(inert(&t), "{args:?}: {t:?}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(inert(&e), "{args:?}: {e:?}");
    }
    // JSON carries the real name, JSON-escaped.
    let o = run(&["--json", f.to_str().unwrap()]);
    let raw = text(&o);
    assert!(inert(&raw), "{raw:?}");
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert!(v["file"].as_str().unwrap().ends_with(evil), "{}", v["file"]);
}

/// An Aggressive Mode first message whose identity holds an escape sequence
/// and a right-to-left override.
fn hostile_identity_capture(dir: &Path) -> (PathBuf, String) {
    use common::build::{self, Chain};
    let id = "vpn\u{1b}[2J\u{202e}moc.example";
    let mut id_body = vec![2, 17, 1, 0xf4]; // ID_FQDN, UDP, port 500
    id_body.extend_from_slice(id.as_bytes());
    let sa = build::v1_sa(&[build::proposal(
        true,
        1,
        1,
        &[],
        &[build::v1_transform(
            true,
            1,
            1,
            &[
                build::attr_tv(1, 7),
                build::attr_tv(2, 2),
                build::attr_tv(4, 14),
                build::attr_tv(3, 1),
            ],
        )],
    )]);
    let msg = build::message(
        1,
        0x1122_3344_5566_7788,
        0,
        4,
        0,
        0,
        &Chain::new()
            .push(1, sa)
            .push(4, build::opaque(256, 3))
            .push(10, build::opaque(32, 4))
            .push(5, id_body),
    );
    let frame = build::eth_ipv4_udp(500, 500, &msg);
    let path = dir.join("am1.pcap");
    fs::write(&path, build::pcap(1, &[frame])).unwrap();
    (path, id.to_string())
}

#[test]
fn identities_are_escaped_in_text_and_real_in_json() {
    let d = tmpdir("hostile-id");
    let (f, id) = hostile_identity_capture(&d);
    let o = run(&["packets", "-v", f.to_str().unwrap()]);
    let t = text(&o);
    assert!(inert(&t), "{t:?}");
    assert!(t.contains("vpn\\x1b[2J\\u{202e}moc.example"), "{t}");
    let o = run(&["packets", "--json", f.to_str().unwrap()]);
    let raw = text(&o);
    assert!(inert(&raw), "{raw:?}");
    assert!(
        !raw.contains("\\\\u{1b}"),
        "Rust debug escapes in JSON: {raw}"
    );
    let v: serde_json::Value = serde_json::from_str(raw.lines().next().unwrap()).unwrap();
    // The identity is somewhere in the document, with its real characters.
    fn find(v: &serde_json::Value, s: &str) -> bool {
        match v {
            serde_json::Value::String(x) => x.contains(s),
            serde_json::Value::Array(a) => a.iter().any(|x| find(x, s)),
            serde_json::Value::Object(o) => o.values().any(|x| find(x, s)),
            _ => false,
        }
    }
    assert!(find(&v, &id), "{raw}");
}

fn all_captures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("captures"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_text_view_fits_80_columns() {
    let caps = all_captures();
    assert!(caps.len() > 20);
    let mut lines = 0;
    for f in &caps {
        for cmd in [&[][..], &["ladder"], &["scan", "-q"]] {
            let mut args: Vec<&str> = cmd.to_vec();
            args.push(f.to_str().unwrap());
            let o = bin().args(&args).env("COLUMNS", "80").output().unwrap();
            for l in text(&o).lines() {
                lines += 1;
                assert!(columns(l) <= 80, "{args:?}: {} columns: {l}", columns(l));
                assert_eq!(l, l.trim_end(), "{args:?}: trailing blanks");
            }
        }
    }
    assert!(lines > 1000, "{lines}");
    // Wider terminals get the wider layout (no needless wrapping).
    let f = cap("multi-peer.pcap");
    let o = bin().arg(&f).env("COLUMNS", "160").output().unwrap();
    assert!(text(&o).lines().any(|l| columns(l) > 80));
}

#[test]
fn ladder_shows_the_ports_of_each_message() {
    let o = run(&["ladder", cap("v1-nat.pcap").to_str().unwrap()]);
    let t = text(&o);
    let mm1 = t.lines().find(|l| l.contains(" MM1 ")).expect(&t);
    let mm5 = t.lines().find(|l| l.contains(" MM5 ")).expect(&t);
    let mm6 = t.lines().find(|l| l.contains(" MM6 ")).expect(&t);
    // The NAT-T float: MM1 to 500, MM5 on to 4500 from a translated port.
    assert!(mm1.trim_end().ends_with("40576→500"), "{mm1}");
    assert!(mm5.trim_end().ends_with("40518→4500"), "{mm5}");
    assert!(mm6.trim_end().ends_with("4500→40518"), "{mm6}");
}

#[test]
fn ladder_on_a_file_without_ipsec_says_so() {
    let d = tmpdir("ladder-empty");
    let f = d.join("dns.pcap");
    let frame = common::build::eth_ipv4_udp(53, 53, b"not ipsec at all");
    fs::write(&f, common::build::pcap(1, &[frame])).unwrap();
    let o = run(&["ladder", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        text(&o).contains("No IKE, ESP or AH traffic found"),
        "{}",
        text(&o)
    );
    let o = run(&[
        "ladder",
        "--peer",
        "192.0.2.77",
        cap("v2-up.pcap").to_str().unwrap(),
    ]);
    assert!(
        text(&o).contains("No tunnel with peer 192.0.2.77"),
        "{}",
        text(&o)
    );
}

#[test]
fn offered_proposals_are_where_the_advice_says() {
    let o = run(&[cap("v1-p1-no-proposal.pcap").to_str().unwrap()]);
    let t = text(&o);
    assert!(!t.contains("(below)"), "{t}");
    let offered = t.find("The initiator offered").expect(&t);
    let check = t.find("shown as configuration under").expect(&t);
    assert!(offered < check, "{t}");
}

#[test]
fn a_cut_capture_says_where_once() {
    let src = fs::read(cap("v1-psk-mismatch.pcap")).unwrap();
    let d = tmpdir("cut-once");
    let f = d.join("cut.pcap");
    fs::write(&f, &src[..1500]).unwrap();
    let o = run(&[f.to_str().unwrap()]);
    let t = text(&o);
    let notice = t
        .lines()
        .find(|l| l.contains("truncated record"))
        .expect(&t);
    assert!(notice.contains("0x544") || t.contains("0x544"), "{t}");
    assert_eq!(t.matches("0x544").count(), 1, "{t}");
}

/// swanctl's console output names no IKE SA (`<conn|n>`), so a received
/// NO_PROPOSAL_CHOSEN in it says nothing of the phase: it must not become
/// a phase-2 verdict ("phase 1 up") beside a capture whose phase 1 was
/// refused at MM1.
#[test]
fn a_refusal_of_unknown_phase_in_a_log_gives_no_phase_2_verdict() {
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/logs/v1-p1-no-proposal/left.swanctl.log");
    let o = run(&[
        cap("v1-p1-no-proposal.pcap").to_str().unwrap(),
        "--log",
        log.to_str().unwrap(),
    ]);
    let s = text(&o);
    assert!(s.contains("phase1-no-proposal-chosen"), "{s}");
    assert!(!s.contains("phase2-rejected"), "{s}");
    // The log alone: no verdict it cannot support.
    let o = run(&[log.to_str().unwrap()]);
    let s = text(&o);
    assert!(!s.contains("phase2-rejected"), "{s}");
}

/// The refusal of an unknown input and the notice for a log of no known
/// format list the formats read; neither prints a line break as `\n`.
#[test]
fn format_lists_print_no_escaped_line_breaks() {
    let d = tmpdir("formats");
    let g = d.join("notes.txt");
    fs::write(&g, b"this is neither a capture nor a log\n").unwrap();
    let o = run(&[g.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("strongSwan charon log"), "{err}");
    assert!(!err.contains("\\n"), "{err}");

    let o = run(&[
        cap("v1-main-up.pcap").to_str().unwrap(),
        "--log",
        g.to_str().unwrap(),
    ]);
    let s = text(&o);
    assert!(s.contains("no line of a known format"), "{s}");
    assert!(s.contains("strongSwan charon log"), "{s}");
    assert!(!s.contains("\\n"), "{s}");
}

/// A COOKIE challenge shows on the ladder: the IKE_SA_INIT request sent
/// again right after is the answer to it, not a retransmission.
#[test]
fn ladder_shows_the_cookie_round_trip() {
    let Some(c) = common::oracle::corpus("ladder COOKIE round trip") else {
        return;
    };
    let f = c.join("tcpdump/ikev2four.pcap");
    let o = run(&["ladder", f.to_str().unwrap()]);
    let s = text(&o);
    let resp = s
        .lines()
        .find(|l| l.contains("IKE_SA_INIT resp"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(resp.contains("N(COOKIE)"), "{s}");
}
