//! The generator's daemon logs alone (no capture) give each scenario's
//! verdict and cause: the same codes the capture gives (captures/*.expect.json),
//! with the cause the daemons name. Where logs cannot see what the capture
//! sees, or see more, the difference is listed with its reason.

use std::collections::BTreeSet;
use std::path::Path;

use ikescope::diagnose::{diagnose, Basis};
use ikescope::flow::logged;
use ikescope::logs::{read_log, ReadOptions};

mod oracle;

/// Scenario → (verdict codes with causes for its first tunnel, why they
/// differ from the capture's where they do).
const EXPECT: &[(&str, &[&str], &str)] = &[
    ("lsw-v1-p1-no-proposal", &["phase1-no-proposal-chosen:phase1-proposal-mismatch"], ""),
    ("lsw-v1-p2-no-proposal", &["phase2-rejected"], "pluto does not say transform set or PFS: no cause"),
    ("lsw-v1-psk-mismatch", &["phase1-auth-failed:psk-mismatch"], ""),
    ("lsw-v2-auth-failed", &["auth-failed:psk-mismatch"], ""),
    ("lsw-v2-no-proposal", &["phase1-no-proposal-chosen:phase1-proposal-mismatch"], ""),
    ("multi-peer", &["established", "nat-detected"], ""),
    ("v1-aggressive-psk-mismatch", &["phase1-auth-failed:psk-mismatch"], ""),
    ("v1-aggressive-up", &["established", "nat-detected"], ""),
    ("v1-cert-ipfrag", &["established", "nat-detected"], ""),
    ("v1-dpd-rekey-delete", &["established", "deleted", "nat-detected"], ""),
    ("v1-dpd-timeout", &["established", "dpd-timeout:peer-dead", "nat-detected"], ""),
    ("v1-esp-one-way", &["esp-one-way:one-way-traffic", "nat-detected"], ""),
    ("v1-ipv6", &["established", "nat-detected"], ""),
    ("v1-main-up", &["established", "nat-detected"], ""),
    ("v1-mm4-lost", &["phase1-key-exchange-stalled"], ""),
    ("v1-nat", &["established", "nat-detected"], ""),
    ("v1-no-response", &["no-response:peer-unreachable"], ""),
    ("v1-p1-no-proposal", &["phase1-no-proposal-chosen:phase1-proposal-mismatch"], ""),
    ("v1-p2-no-proposal", &["phase2-rejected:transform-mismatch"], ""),
    ("v1-pfs-mismatch", &["phase2-rejected:pfs-mismatch"], ""),
    ("v1-proxy-id-mismatch", &["phase2-rejected:proxy-id-mismatch"], ""),
    ("v1-psk-mismatch", &["phase1-auth-failed:psk-mismatch"], ""),
    ("v1-qm-no-response", &["phase2-no-response"], ""),
    ("v1-responder-down", &["no-response:peer-unreachable"], ""),
    ("v2-auth-failed", &["auth-failed:psk-mismatch"], ""),
    ("v2-cert-ikefrag", &["established", "nat-detected"], ""),
    ("v2-cert-ipfrag-dropped", &["ike-auth-no-response"], "charon retransmits IKE_AUTH and gives up; only the capture shows the lost IP fragments"),
    ("v2-dpd-rekey-delete", &["established", "deleted", "nat-detected"], ""),
    ("v2-dpd-timeout", &["established", "dpd-timeout:peer-dead", "nat-detected"], ""),
    ("v2-esp-loss", &["established", "nat-detected"], "ESP sequence gaps are not logged"),
    ("v2-esp-replay", &["established", "esp-replay", "nat-detected"], ""),
    ("v2-invalid-ke", &["phase1-invalid-ke:dh-group-mismatch", "established", "nat-detected"], ""),
    ("v2-ipv6", &["established", "nat-detected"], ""),
    ("v2-late-capture", &["established", "nat-detected"], "the logs hold the negotiation the capture missed"),
    ("v2-no-proposal", &["phase1-no-proposal-chosen:phase1-proposal-mismatch"], ""),
    ("v2-peer-restart", &["established", "nat-detected"], "the logs end before charon gives up on the restarted peer; ESP one way shows only in the capture"),
    ("v2-ts-unacceptable", &["ike-auth-rejected:proxy-id-mismatch"], ""),
    ("v2-up", &["established", "nat-detected"], ""),
];

fn verdicts_from_logs(
    name: &str,
) -> Vec<(
    String,
    [std::net::IpAddr; 2],
    Vec<ikescope::diagnose::Verdict>,
)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/logs")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".charon.log") || n.ends_with(".pluto.log")
        })
        .collect();
    files.sort();
    let reads: Vec<_> = files
        .iter()
        .map(|f| {
            let label = f.file_name().unwrap().to_string_lossy().into_owned();
            read_log(
                &label,
                &std::fs::read(f).unwrap(),
                &ReadOptions {
                    date: Some((2025, 11, 27)),
                },
            )
        })
        .collect();
    let (tunnels, coverage, _) = logged::track(&reads);
    tunnels
        .into_iter()
        .map(|t| {
            let v = diagnose(&t, &coverage);
            (name.to_string(), t.peers, v)
        })
        .collect()
}

fn expected_capture_codes(name: &str) -> BTreeSet<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("captures/{name}.expect.json"));
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    j["tunnels"][0]["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        // Security findings read from the wire (Aggressive Mode's AM2 in
        // clear) are not the logs' business.
        .filter(|c| {
            !ikescope::diagnose::Code::from_text(c).is_some_and(|c| c.is_security_finding())
        })
        .collect()
}

#[test]
fn logs_alone_give_each_scenarios_verdict_and_cause() {
    for (name, want, why) in EXPECT {
        let all = verdicts_from_logs(name);
        let (_, peers, v) = all
            .iter()
            .find(|(_, p, _)| {
                p.contains(&"198.51.100.1".parse().unwrap())
                    || p.contains(&"2001:db8:1::1".parse().unwrap())
            })
            .unwrap_or_else(|| panic!("{name}: no tunnel from the left gateway"));
        let got: BTreeSet<String> = v
            .iter()
            .map(|v| match v.cause {
                Some(c) => format!("{}:{}", v.code.as_str(), c.code()),
                None => v.code.as_str().to_string(),
            })
            .collect();
        let want_set: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want_set, "{name} {peers:?}");
        // Every verdict rests on log lines.
        for x in v {
            assert_eq!(x.basis, Basis::Logged, "{name}: {}", x.code.as_str());
            assert!(
                !x.lines.is_empty(),
                "{name}: {} cites no line",
                x.code.as_str()
            );
            assert!(x.frames.is_empty());
        }
        // The codes are the capture's, unless the reason says otherwise.
        let codes: BTreeSet<String> = got
            .iter()
            .map(|s| s.split(':').next().unwrap().to_string())
            .collect();
        if why.is_empty() {
            assert_eq!(
                codes,
                expected_capture_codes(name),
                "{name}: logs and capture differ"
            );
        }
    }
    assert_eq!(
        EXPECT.len(),
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/logs"))
            .unwrap()
            .count()
    );
}

fn daemon_logs(name: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/logs")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".charon.log") || n.ends_with(".pluto.log")
        })
        .collect();
    files.sort();
    files
}

fn run(args: &[std::ffi::OsString]) -> (i32, serde_json::Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The left gateway's tunnel (the first one when the capture, taken
/// behind a NAT, shows the gateway under the NAT's address).
fn left_tunnel(j: &serde_json::Value) -> &serde_json::Value {
    let all = j["tunnels"].as_array().expect("tunnels");
    all.iter()
        .find(|t| {
            let p = t["peers"].to_string();
            p.contains("\"198.51.100.1\"") || p.contains("\"2001:db8:1::1\"")
        })
        .or(all.first())
        .expect("a tunnel")
}

fn verdict_set(t: &serde_json::Value) -> BTreeSet<String> {
    t["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| match v["cause"]["code"].as_str() {
            Some(c) => format!("{}:{c}", v["code"].as_str().unwrap()),
            None => v["code"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn the_command_line_reads_logs_alone_and_beside_captures() {
    for (name, want, _) in EXPECT {
        // Logs alone, given as files: one analysis for both gateways' logs.
        let mut args: Vec<std::ffi::OsString> =
            vec!["--json".into(), "--date".into(), "2025-11-27".into()];
        args.extend(daemon_logs(name).into_iter().map(Into::into));
        let (code, j, err) = run(&args);
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            verdict_set(left_tunnel(&j)),
            want,
            "{name} (logs alone): {err}"
        );
        assert_eq!(
            code,
            i32::from(j["worst"] == "error"),
            "{name}: exit status"
        );
        assert!(
            j["logs"].as_array().is_some_and(|l| !l.is_empty()),
            "{name}"
        );

        // The capture with --log: the capture's verdicts stay, the logs'
        // causes are added with basis logged, the clock offset is stated.
        let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("captures/{name}.pcap"));
        // expect.json describes the capture without decryption.
        let mut args: Vec<std::ffi::OsString> =
            vec!["--json".into(), "--no-keys".into(), pcap.into()];
        for l in daemon_logs(name) {
            args.push("--log".into());
            args.push(l.into());
        }
        let (_, j, err) = run(&args);
        let t = left_tunnel(&j);
        let got = verdict_set(t);
        let codes: BTreeSet<String> = got
            .iter()
            .map(|s| s.split(':').next().unwrap().to_string())
            .collect();
        for c in expected_capture_codes(name) {
            assert!(
                codes.contains(&c),
                "{name} (capture + logs): {c} missing from {got:?}: {err}"
            );
        }
        for w in want.iter().filter(|w| w.contains(':')) {
            let cause = w.split(':').nth(1).unwrap();
            let v = t["verdicts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["cause"]["code"].as_str() == Some(cause))
                .unwrap_or_else(|| {
                    panic!("{name} (capture + logs): no verdict with cause {cause} in {got:?}")
                });
            assert_eq!(v["basis"], "logged", "{name}");
            assert!(!v["lines"].as_array().unwrap().is_empty(), "{name}");
        }
        let notices = j["notices"].to_string();
        assert!(
            notices.contains("device clock"),
            "{name}: offset not stated: {notices}"
        );
    }
}

#[test]
fn unknown_text_is_refused_with_the_formats_read() {
    let dir = std::env::temp_dir().join(format!("ikescope-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("notes.txt");
    std::fs::write(&f, "Dear diary,\nthe VPN was down again today.\n").unwrap();
    let (code, _, err) = run(&[f.clone().into()]);
    assert_eq!(code, 2, "{err}");
    for want in [
        "not a capture or device log",
        "strongSwan",
        "show crypto ipsec sa",
        "debug crypto",
    ] {
        assert!(err.contains(want), "{want} missing from: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_log_of_other_negotiations_is_not_used() {
    // Same peers, another scenario: the log's Quick Mode message IDs are not
    // in this capture, so its phase-2 refusal must not become a verdict here.
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/v1-psk-mismatch.pcap");
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/logs/v1-pfs-mismatch/right.charon.log");
    let (_, j, err) = run(&["--json".into(), pcap.into(), "--log".into(), log.into()]);
    let got = verdict_set(left_tunnel(&j));
    assert!(
        !got.iter().any(|v| v.starts_with("phase2-rejected")),
        "{got:?} {err}"
    );
    assert!(
        j["notices"].to_string().contains("was not used"),
        "{}",
        j["notices"]
    );
}

#[test]
fn a_log_aligned_on_one_event_confirms_nothing() {
    // A real IOS debug from another day: "No pre-shared key with
    // 203.0.113.1 ... Can not start Main mode". Its one event fits some
    // packet of that peer at a shift of 32 days, which proves nothing: the
    // capture's error stays the capture's, not "confirmed by the device
    // log", and the log's own finding is a warning that says why.
    let Some(log) = oracle::device_text("a_log_aligned_on_one_event_confirms_nothing")
        .map(|d| d.join("iosxe-debug-crypto-isakmp-no-psk.txt"))
    else {
        return;
    };
    let pcap = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/v1-psk-mismatch.pcap");
    for keys in [true, false] {
        let mut args: Vec<std::ffi::OsString> = vec!["--json".into(), pcap.clone().into()];
        if !keys {
            args.push("--no-keys".into());
        }
        args.extend(["--log".into(), log.clone().into()]);
        let (_, j, err) = run(&args);
        let t = left_tunnel(&j);
        let vs = t["verdicts"].as_array().unwrap();
        let capture = vs
            .iter()
            .find(|v| v["code"] == "phase1-auth-failed" && v["severity"] == "error")
            .unwrap_or_else(|| panic!("no capture verdict: {t} {err}"));
        assert_ne!(capture["basis"], "logged", "{capture}");
        assert!(
            !capture["message"].as_str().unwrap().contains("confirmed"),
            "{capture}"
        );
        assert!(
            !capture["lines"].to_string().contains("no-psk"),
            "{capture}"
        );
        let from_log = vs
            .iter()
            .find(|v| v["lines"].to_string().contains("no-psk"))
            .unwrap_or_else(|| panic!("the log's line is not shown: {t}"));
        assert_eq!(from_log["severity"], "warning", "{from_log}");
        assert!(
            from_log["message"]
                .as_str()
                .unwrap()
                .contains("one event alone"),
            "{from_log}"
        );
        assert!(
            j["notices"].to_string().contains("alignment is unverified"),
            "{}",
            j["notices"]
        );
    }
}
