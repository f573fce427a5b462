//! Exact causes from decrypted contents (and the responder's log where the
//! wire cannot say): PFS versus transform set, identity refused, refused
//! proxy IDs as crypto-ACL lines, ESP outside its selectors, and the
//! Aggressive Mode pre-shared key warning. Through the binary, on the
//! reference captures and their key tables.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .current_dir(root())
        .env("COLUMNS", "100")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn verdicts(args: &[&str]) -> Vec<Value> {
    let mut a = args.to_vec();
    a.push("--json");
    let doc: Value = serde_json::from_str(&run(&a)).unwrap();
    doc["tunnels"][0]["verdicts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn find<'a>(vs: &'a [Value], code: &str) -> &'a Value {
    vs.iter()
        .find(|v| v["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {vs:#?}"))
}

fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn pfs_and_transform_mismatch_need_the_responders_configuration() {
    // Keys alone: the refusal and the offer are read, but the responder's
    // settings are not on the wire: no cause, candidates ordered.
    for name in ["v1-pfs-mismatch", "v1-p2-no-proposal"] {
        let vs = verdicts(&[&format!("captures/{name}.pcap")]);
        let v = find(&vs, "phase2-no-proposal-chosen");
        assert_eq!(v["basis"], "decrypted", "{name}");
        assert!(v["cause"].is_null(), "{name}: {v:#}");
        assert_eq!(v["candidates"].as_array().unwrap().len(), 2, "{name}");
    }
    // With the responder's log listing its configured proposals: the same
    // transforms without PFS against a DH group is a PFS mismatch...
    let vs = verdicts(&[
        "captures/v1-pfs-mismatch.pcap",
        "--log",
        "captures/logs/v1-pfs-mismatch/right.charon.log",
    ]);
    assert_eq!(vs.len(), 1, "one refusal, not a logged twin: {vs:#?}");
    let v = find(&vs, "phase2-no-proposal-chosen");
    assert_eq!(v["basis"], "decrypted");
    assert_eq!(v["cause"]["code"], "pfs-mismatch");
    let m = v["message"].as_str().unwrap();
    assert!(m.contains("offered AES_CBC_256/HMAC_SHA1_96/no PFS"), "{m}");
    assert!(
        m.contains("ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ"),
        "{m}"
    );
    assert!(
        m.contains("the transforms match, the DH group (PFS) does not"),
        "{m}"
    );
    assert!(v["candidates"].as_array().unwrap().is_empty());
    // ...and other ciphers are a transform set mismatch.
    let vs = verdicts(&[
        "captures/v1-p2-no-proposal.pcap",
        "--log",
        "captures/logs/v1-p2-no-proposal/right.charon.log",
    ]);
    let v = find(&vs, "phase2-no-proposal-chosen");
    assert_eq!(v["cause"]["code"], "transform-mismatch");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("no transform set in common"));
    // The text summary states the cause and what it rests on.
    let out = flat(&run(&[
        "captures/v1-pfs-mismatch.pcap",
        "--log",
        "captures/logs/v1-pfs-mismatch/right.charon.log",
    ]));
    assert!(
        out.contains("Cause (decrypted): PFS mismatch (one side requires a DH exchange in phase 2, or the PFS groups differ) [pfs-mismatch]"),
        "{out}"
    );
}

#[test]
fn refused_proxy_ids_are_printed_as_both_sides_acl_lines() {
    for name in ["v1-proxy-id-mismatch", "v2-ts-unacceptable"] {
        let vs = verdicts(&[&format!("captures/{name}.pcap")]);
        let v = find(&vs, "phase2-invalid-id");
        assert_eq!(v["cause"]["code"], "proxy-id-mismatch", "{name}");
        let p = &v["proxy_ids"];
        assert_eq!(p["initiator"], "198.51.100.1", "{name}");
        assert_eq!(
            p["selectors"]["initiator"][0]["start"], "192.0.2.0",
            "{name}"
        );
        assert_eq!(
            p["selectors"]["responder"][0]["end"], "192.0.2.255",
            "{name}"
        );
        let config: Vec<&str> = p["config"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            config,
            [
                "198.51.100.1 (initiator), ASA: access-list VPN extended permit ip 192.0.2.0 255.255.255.128 192.0.2.128 255.255.255.128",
                "203.0.113.1 (responder, the mirror it needs), ASA: access-list VPN extended permit ip 192.0.2.128 255.255.255.128 192.0.2.0 255.255.255.128",
                "198.51.100.1 (initiator), strongSwan: local_ts = 192.0.2.0/25; remote_ts = 192.0.2.128/25",
                "203.0.113.1 (responder), strongSwan: local_ts = 192.0.2.128/25; remote_ts = 192.0.2.0/25",
            ],
            "{name}"
        );
        let out = flat(&run(&[&format!("captures/{name}.pcap")]));
        assert!(out.contains("Proxy IDs offered (frame"), "{out}");
        assert!(
            out.contains("access-list VPN extended permit ip 192.0.2.128 255.255.255.128 192.0.2.0 255.255.255.128"),
            "{out}"
        );
        // Without keys nothing is read, so nothing is printed.
        let vs = verdicts(&["--no-keys", &format!("captures/{name}.pcap")]);
        assert!(vs.iter().all(|v| v.get("proxy_ids").is_none()), "{name}");
    }
}

#[test]
fn aggressive_mode_psk_is_a_warning_that_displaces_nothing() {
    for keys in [true, false] {
        let mut args = vec!["captures/v1-aggressive-psk-mismatch.pcap"];
        if !keys {
            args.insert(0, "--no-keys");
        }
        let vs = verdicts(&args);
        let codes: Vec<&str> = vs.iter().filter_map(|v| v["code"].as_str()).collect();
        assert_eq!(
            codes,
            ["phase1-auth-failed", "aggressive-mode-psk"],
            "{keys}"
        );
        let w = find(&vs, "aggressive-mode-psk");
        assert_eq!(w["severity"], "warning");
        assert_eq!(w["basis"], "clear");
        assert!(w["message"]
            .as_str()
            .unwrap()
            .contains("(RFC 2409 §5.4 / CVE-2002-1623)"));
        assert_eq!(find(&vs, "phase1-auth-failed")["severity"], "error");
    }
    // A tunnel that came up keeps its verdicts first; the warning follows.
    let vs = verdicts(&["--no-keys", "captures/v1-aggressive-up.pcap"]);
    let codes: Vec<&str> = vs.iter().filter_map(|v| v["code"].as_str()).collect();
    assert_eq!(codes.last(), Some(&"aggressive-mode-psk"), "{codes:?}");
    assert!(codes.contains(&"established"), "{codes:?}");
    // The scan row of the healthy tunnel still starts with its state.
    let scan = flat(&run(&["scan", "captures"]));
    let row = scan
        .split("captures/v1-aggressive-up.pcap")
        .nth(1)
        .and_then(|r| r.split("captures/").next())
        .unwrap_or_else(|| panic!("{scan}"));
    let est = row.find("✓ established").expect(row);
    assert!(est < row.find("! aggressive-mode-psk").expect(row), "{row}");
    // Main Mode never gets it.
    let vs = verdicts(&["--no-keys", "captures/v1-main-up.pcap"]);
    assert!(vs.iter().all(|v| v["code"] != "aggressive-mode-psk"));
}

#[test]
fn identity_refused_in_a_log_is_id_mismatch_with_the_id_sent() {
    // libreswan's log for a wrong PSK names no identity: the capture's
    // decrypted MM5 identity is only stated when a line pins the cause on
    // the identity. An ASA line that does (713138: no tunnel-group for the
    // peer) is given beside the capture.
    let dir = std::env::temp_dir().join(format!("iks-idm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("asa.log");
    std::fs::write(
        &log,
        "%ASA-3-713138: Group = 198.51.100.1, IP = 198.51.100.1, Group 198.51.100.1 not found and BASE GROUP default preshared key not configured\n",
    )
    .unwrap();
    let vs = verdicts(&[
        "captures/lsw-v1-psk-mismatch.pcap",
        "--log",
        log.to_str().unwrap(),
        "--date",
        "2026-11-27",
    ]);
    let v = find(&vs, "phase1-auth-failed");
    assert_eq!(v["cause"]["code"], "id-mismatch", "{v:#}");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.contains("ID sent: 198.51.100.1 (frame 5, decrypted)"),
        "{m}"
    );
    assert!(m.contains("not found and BASE GROUP"), "{m}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn esp_outside_its_selectors_is_a_selector_violation_warning() {
    use ikescope::flow::decrypted::{AddrRange, SelectorViolation};
    use ikescope::flow::{Coverage, Tunnel};
    let ip = |s: &str| -> std::net::IpAddr { s.parse().unwrap() };
    let range = |a: &str, b: &str| AddrRange {
        start: ip(a),
        end: ip(b),
    };
    let mut t = Tunnel::new(ip("198.51.100.1"), ip("203.0.113.1"), Default::default());
    t.selector_violations = vec![SelectorViolation {
        src: ip("203.0.113.1"),
        dst: ip("198.51.100.1"),
        spi: 0xc1a2b3c4,
        outside: 12,
        decrypted: 40,
        first: (17, ip("10.9.9.9"), ip("192.0.2.1")),
        frames: vec![17, 19, 21, 23, 25, 27, 29, 31],
        sources: vec![range("192.0.2.128", "192.0.2.255")],
        destinations: vec![range("192.0.2.0", "192.0.2.127")],
    }];
    let vs = ikescope::diagnose::diagnose(&t, &Coverage::default());
    let v = vs
        .iter()
        .find(|v| v.code.as_str() == "selector-violation")
        .expect("a selector-violation verdict");
    assert_eq!(v.severity.as_str(), "warning");
    assert_eq!(v.basis.as_str(), "decrypted");
    assert_eq!(v.cause.map(|c| c.code()), Some("selector-violation"));
    assert_eq!(v.frames, [17, 19, 21, 23, 25, 27, 29, 31]);
    assert!(v
        .message
        .contains("12 of 40 decrypted ESP packets of SA c1a2b3c4"));
    assert!(v
        .message
        .contains("(192.0.2.128-192.0.2.255 → 192.0.2.0-192.0.2.127)"));
    assert!(v.message.contains("frame 17: 10.9.9.9 → 192.0.2.1"));
    assert!(v.message.contains("(the first 8)"));
    assert!(v.message.contains("402116"));
}

#[test]
fn healthy_reference_captures_have_no_selector_violation() {
    // Every ESP packet of the reference tunnels stays inside its selectors.
    for name in ["v1-main-up", "v2-up", "v1-ipv6", "v2-ipv6", "multi-peer"] {
        let out = run(&["--json", &format!("captures/{name}.pcap")]);
        let doc: Value = serde_json::from_str(&out).unwrap();
        let esp = doc["decryption"]["esp"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!esp.is_empty(), "{name}: no ESP decrypted");
        assert!(
            esp.iter().all(|e| e["outside_selectors"] == 0),
            "{name}: {esp:#?}"
        );
        assert!(!out.contains("selector-violation"), "{name}");
    }
}

#[test]
fn ikev2_identity_refused_in_the_log_names_the_id_sent_and_expected() {
    // The reference IKE_AUTH refusal (v2-auth-failed) with the responder's
    // log changed the way strongSwan words an identity refusal.
    let log = std::fs::read_to_string(root().join("captures/logs/v2-auth-failed/right.charon.log"))
        .unwrap();
    let dir = std::env::temp_dir().join(format!("iks-idm2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edit = |from: &str, to: &str, name: &str| {
        assert!(log.contains(from));
        let p = dir.join(name);
        std::fs::write(&p, log.replace(from, to)).unwrap();
        p
    };
    let mac =
        "13[IKE] <asa|1> tried 1 shared key for '203.0.113.1' - '198.51.100.1', but MAC mismatched";
    let required = edit(
        mac,
        "13[CFG] <asa|1> constraint check failed: identity 'gw-left.example' required",
        "required.log",
    );
    let vs = verdicts(&[
        "captures/v2-auth-failed.pcap",
        "--log",
        required.to_str().unwrap(),
    ]);
    let v = find(&vs, "auth-failed");
    assert_eq!(v["cause"]["code"], "id-mismatch", "{v:#}");
    assert_eq!(v["basis"], "logged");
    let m = v["message"].as_str().unwrap();
    assert!(
        m.contains("ID sent: 198.51.100.1 (frame 3, decrypted)"),
        "{m}"
    );
    assert!(m.contains("expected: gw-left.example (from the log"), "{m}");
    let none = edit(
        mac,
        "13[CFG] <asa|1> no matching peer config found",
        "none.log",
    );
    let vs = verdicts(&[
        "captures/v2-auth-failed.pcap",
        "--log",
        none.to_str().unwrap(),
    ]);
    let v = find(&vs, "auth-failed");
    assert_eq!(v["cause"]["code"], "id-mismatch", "{v:#}");
    assert!(!v["message"].as_str().unwrap().contains("expected:"));
    // The unchanged log (a MAC mismatch) pins no identity.
    let vs = verdicts(&[
        "captures/v2-auth-failed.pcap",
        "--log",
        "captures/logs/v2-auth-failed/right.charon.log",
    ]);
    assert_ne!(find(&vs, "auth-failed")["cause"]["code"], "id-mismatch");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_delete_read_with_keys_replaces_the_guess_from_the_wire() {
    // Rekeys with DPD between them: without keys an Informational after the
    // old SA's last packet is guessed to be its Delete; with the key
    // tables the Delete is read, said once, and the guess is gone.
    for name in ["v1-dpd-rekey-delete", "v2-dpd-rekey-delete"] {
        let cap = format!("captures/{name}.pcap");
        let guessed = verdicts(&["--no-keys", &cap]);
        let g = find(&guessed, "deleted");
        assert_eq!(g["basis"], "inferred", "{name}: {g:#}");
        assert!(
            g["message"].as_str().unwrap().contains("most likely"),
            "{name}: {g:#}"
        );
        let read = verdicts(&[&cap]);
        let all: Vec<&Value> = read.iter().filter(|v| v["code"] == "deleted").collect();
        assert_eq!(all.len(), 1, "{name}: {read:#?}");
        let d = all[0];
        assert_eq!(d["basis"], "decrypted", "{name}: {d:#}");
        let m = d["message"].as_str().unwrap();
        assert!(m.contains("deleted SA(s)"), "{name}: {m}");
        assert!(
            !m.contains("most likely") && !m.contains("encrypted") && !m.contains("more alike"),
            "{name}: {m}"
        );
        // The guess and the read Delete name the same first frame.
        assert_eq!(d["frames"][0], g["frames"][0], "{name}: {d:#} / {g:#}");
    }
}
