//! Every real log and show sample in `../shared/device-text/` reads with the
//! events a careful engineer draws from it (one expectation per sample, with
//! the reason), and the samples that hold packets are not taken for logs.
//! The samples are third-party text read by path: where the folder is
//! missing the test fails under `CI=true` and otherwise says it skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ikescope::logs::{looks_like_log, read_log, EventKind, LogRead, ReadOptions};

fn samples_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/device-text");
    if d.is_dir() {
        return Some(d);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing (CI=true)", d.display());
    }
    eprintln!("skipped: {} is missing", d.display());
    None
}

struct Expect {
    file: &'static str,
    why: &'static str,
    /// Event kinds that must be there.
    kinds: &'static [&'static str],
    /// The exact set of causes the events carry.
    causes: &'static [&'static str],
    /// The exact set of peers named.
    peers: &'static [&'static str],
    /// Kinds that must not be there.
    absent: &'static [&'static str],
}

const EXPECT: &[Expect] = &[
    Expect {
        file: "asa-console-debug-crypto-ikev1-200-excerpt.txt",
        why: "ASA initiates phase 1 to 193.164.94.47, MM1 out, MM2 back, Oakley proposal acceptable; the excerpt ends there",
        kinds: &["phase1-start", "message", "phase1-progress"],
        causes: &[],
        peers: &["193.164.94.47"],
        absent: &["phase1-completed"],
    },
    Expect {
        file: "asa-console-debug-ikev1-8x-notes.txt",
        why: "notes of two failures with 206.54.167.110: 'All SA proposals found unacceptable' (phase 1 policy) and no crypto map for the proxies (crypto ACL)",
        kinds: &["no-crypto-map", "no-proposal-chosen", "id-refused", "teardown"],
        causes: &["phase1-proposal-mismatch", "proxy-id-mismatch"],
        peers: &["206.54.167.110"],
        absent: &[],
    },
    Expect {
        file: "asa-console-debug-ikev1-qm-fsm-error.txt",
        why: "phase 2 with 172.16.0.2 fails every 5 s with QM FSM error, torn down as 'crypto map policy not found': the crypto ACLs do not mirror",
        kinds: &["qm-fsm-error", "teardown"],
        causes: &["proxy-id-mismatch"],
        peers: &["172.16.0.2"],
        absent: &["phase2-completed"],
    },
    Expect {
        file: "asa-debug-crypto-ikev2-protocol-excerpt.txt",
        why: "an IKE_SA_INIT request received (peer address redacted in the paste); nothing decided yet",
        kinds: &["message"],
        causes: &[],
        peers: &[],
        absent: &["phase1-completed"],
    },
    Expect {
        file: "asa-show-crypto-isakmp-sa.txt",
        why: "three L2L SAs in MM_ACTIVE: phase 1 up with each peer",
        kinds: &["sa-state"],
        causes: &[],
        peers: &["192.168.255.11", "214.5.14.61", "78.110.205.13"],
        absent: &[],
    },
    Expect {
        file: "asa-syslog-402116-and-show-crypto-ipsec-sa.txt",
        why: "105 packets decapsulated, 0 encapsulated, 105 receive errors; 402116: the peer sends traffic outside the SA's proxies (its ACL or NAT is wrong)",
        kinds: &["ipsec-counters", "selector-violation"],
        causes: &["one-way-traffic", "selector-violation"],
        peers: &["93.184.216.34"],
        absent: &[],
    },
    Expect {
        file: "asa-syslog-debug-l2l-success-initiator.txt",
        why: "a complete initiator negotiation with 22.22.22.22: phase 1 and phase 2 completed, SAs 0x850a79e0 / 0x2cc7158d created",
        kinds: &["phase1-start", "phase1-completed", "phase2-start", "sa-installed", "phase2-completed"],
        causes: &[],
        peers: &["22.22.22.22"],
        absent: &["timeout", "no-proposal-chosen"],
    },
    Expect {
        file: "asa-syslog-debug-mm-wait-msg4-failure.txt",
        why: "initiator stuck at MM_WAIT_MSG4: MM3 resent, answered by an unencrypted INVALID_COOKIE (the responder has no SA or no config for us)",
        kinds: &["phase1-start", "retransmission", "invalid-cookie", "exchange-failed"],
        causes: &[],
        peers: &["233.22.22.233"],
        absent: &["phase1-completed"],
    },
    Expect {
        file: "asa-syslog-qm-fsm-error-crypto-map-not-found.txt",
        why: "phase 1 up with 77.88.99.100, phase 2 rejected: no crypto map entry for the proxies 0.0.0.0/0 (AWS), QM FSM error, torn down",
        kinds: &["phase1-completed", "id-refused", "qm-fsm-error", "teardown"],
        causes: &["proxy-id-mismatch"],
        peers: &["77.88.99.100"],
        absent: &["phase2-completed"],
    },
    Expect {
        file: "asa-syslog-ukfast-l2l-responder-success.txt",
        why: "responder: phase 1 and 2 completed with 46.37.188.24, SPIs 0x2b4a1133 in / 0xce8c73ac out",
        kinds: &["phase1-completed", "sa-installed", "phase2-completed"],
        causes: &[],
        peers: &["46.37.188.24"],
        absent: &[],
    },
    Expect {
        file: "ios-crypto-syslog-ikmp-bad-message.txt",
        why: "IKMP_BAD_MESSAGE from 192.1.20.2 (a PSK mismatch: MM5/6 decrypt to garbage) and IKMP_NO_SA from 203.0.113.10",
        kinds: &["decrypt-failed", "unknown-sa"],
        causes: &["psk-mismatch"],
        peers: &["192.1.20.2", "203.0.113.10"],
        absent: &[],
    },
    Expect {
        file: "ios-show-crypto-isakmp-sa.txt",
        why: "two IKE SAs in QM_IDLE (phase 1 up)",
        kinds: &["sa-state"],
        causes: &[],
        peers: &["203.0.113.1", "203.0.113.10"],
        absent: &[],
    },
    Expect {
        file: "iosxe-debug-crypto-isakmp-mm-qm-initiator-success.txt",
        why: "IOS-XE initiator: MM1..MM6 to 203.0.113.1, IKE_P1_COMPLETE, Quick Mode to IKE_QM_PHASE2_COMPLETE",
        kinds: &["phase1-start", "phase1-state", "phase1-completed", "phase2-start", "phase2-completed"],
        causes: &[],
        peers: &["203.0.113.1"],
        absent: &["no-proposal-chosen", "timeout"],
    },
    Expect {
        file: "iosxe-debug-crypto-isakmp-no-psk.txt",
        why: "'No pre-shared key with 203.0.113.1!': Main Mode cannot even start, the keyring lacks the peer",
        kinds: &["psk-missing"],
        causes: &["psk-mismatch"],
        peers: &["203.0.113.1"],
        absent: &["message"],
    },
    Expect {
        file: "iosxe-debug-crypto-isakmp-qm-proposal-not-chosen.txt",
        why: "both sides of a phase-2 refusal: the hub's IPsec policy refuses the proposal and sends PROPOSAL_NOT_CHOSEN (protocol 3 = ESP); the spoke receives it",
        kinds: &["phase2-start", "no-proposal-chosen"],
        causes: &[],
        peers: &["203.0.113.1", "203.0.113.30"],
        absent: &["phase2-completed"],
    },
    Expect {
        file: "pix-715065-fsm-error-history.txt",
        why: "PIX Aggressive Mode initiator timed out in AM_WAIT_MSG2: 78.187.139.180 never answered AM1",
        kinds: &["timeout"],
        causes: &["peer-unreachable"],
        peers: &["78.187.139.180"],
        absent: &[],
    },
];

fn read(dir: &Path, name: &str) -> LogRead {
    let data = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        looks_like_log(&data).is_some(),
        "{name}: not recognised as a log"
    );
    read_log(
        name,
        &data,
        &ReadOptions {
            date: Some((2024, 3, 1)),
        },
    )
}

#[test]
fn every_log_sample_reads_as_an_engineer_reads_it() {
    let Some(dir) = samples_dir() else { return };
    for x in EXPECT {
        let r = read(&dir, x.file);
        let ctx = format!("{} ({})", x.file, x.why);
        let kinds: BTreeSet<&str> = r.events.iter().map(|e| e.kind.name()).collect();
        for k in x.kinds {
            assert!(kinds.contains(k), "{ctx}: no {k} in {kinds:?}");
        }
        for k in x.absent {
            assert!(!kinds.contains(k), "{ctx}: unexpected {k}");
        }
        let causes: BTreeSet<&str> = r
            .events
            .iter()
            .filter_map(|e| e.cause)
            .map(|c| c.code())
            .collect();
        let want: BTreeSet<&str> = x.causes.iter().copied().collect();
        assert_eq!(causes, want, "{ctx}");
        let peers: BTreeSet<String> = r
            .events
            .iter()
            .filter_map(|e| e.peer)
            .map(|p| p.to_string())
            .collect();
        let want: BTreeSet<String> = x.peers.iter().map(|p| p.to_string()).collect();
        assert_eq!(peers, want, "{ctx}");
        assert!(
            r.events
                .iter()
                .all(|e| e.origin.line >= 1 && e.origin.line <= r.lines),
            "{ctx}"
        );
    }
}

#[test]
fn samples_with_details_an_engineer_would_quote() {
    let Some(dir) = samples_dir() else { return };
    // 402116: the SPI of the violating packet is the SA's inbound SPI.
    let r = read(&dir, "asa-syslog-402116-and-show-crypto-ipsec-sa.txt");
    let counters = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::IpsecCounters)
        .unwrap();
    let c = counters.counters.unwrap();
    assert_eq!(
        (c.encaps, c.decaps, c.recv_errors),
        (Some(0), Some(105), Some(105))
    );
    assert_eq!(c.one_way(), Some(false), "inbound only");
    let v = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::SelectorViolation)
        .unwrap();
    assert_eq!(v.spis, vec![0x76F9_9C4C]);
    assert!(counters.spis.contains(&0x76F9_9C4C));
    assert_eq!(v.time.unwrap().date, ikescope::logs::DateBasis::Logged);
    // The success: SPIs to tie ESP in a capture to the SA.
    let r = read(&dir, "asa-syslog-ukfast-l2l-responder-success.txt");
    let spis: BTreeSet<u32> = r
        .events
        .iter()
        .flat_map(|e| e.spis.iter().copied())
        .collect();
    assert_eq!(spis, BTreeSet::from([0x2b4a_1133, 0xce8c_73ac]));
    // AWS proxy IDs quoted from 713061.
    let r = read(&dir, "asa-syslog-qm-fsm-error-crypto-map-not-found.txt");
    let p = r.events.iter().find_map(|e| e.proxies.clone()).unwrap();
    assert_eq!(p.remote, "0.0.0.0/0.0.0.0/0/0");
    // IKEv2 SPIs attached to the packet line.
    let r = read(&dir, "asa-debug-crypto-ikev2-protocol-excerpt.txt");
    assert_eq!(r.events[0].ike_spis, Some((0x201F_AEA8_2205_C336, 0)));
    // The state a PIX timed out in.
    let r = read(&dir, "pix-715065-fsm-error-history.txt");
    assert_eq!(r.events[0].state.as_deref(), Some("AM_WAIT_MSG2"));
}

#[test]
fn every_sample_is_either_a_capture_or_a_log() {
    let Some(dir) = samples_dir() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    let logs: BTreeSet<&str> = EXPECT.iter().map(|x| x.file).collect();
    let mut seen = 0;
    for n in &names {
        let data = std::fs::read(dir.join(n)).unwrap();
        let is_log = looks_like_log(&data).is_some();
        let is_capture = ikescope::capture::text::looks_like_text(&data);
        if logs.contains(n.as_str()) {
            seen += 1;
            assert!(is_log, "{n}: a log sample not recognised");
            assert!(!is_capture, "{n}: a log sample taken for capture text");
        } else {
            assert!(!is_log, "{n}: a capture sample taken for a log");
        }
    }
    assert_eq!(
        seen,
        EXPECT.len(),
        "an expected sample is missing from the folder"
    );
}

/// The verdicts (code:cause, over all tunnels) each log sample gives read
/// alone through the command line, with the reason an engineer would give.
const VERDICTS: &[(&str, &[&str], &str)] = &[
    ("asa-console-debug-crypto-ikev1-200-excerpt.txt", &[], "an excerpt of a negotiation under way: nothing failed yet"),
    ("asa-console-debug-ikev1-8x-notes.txt", &["phase1-no-proposal-chosen:phase1-proposal-mismatch", "phase2-rejected:proxy-id-mismatch"], "'All SA proposals found unacceptable'; no crypto map entry for the proxies"),
    ("asa-console-debug-ikev1-qm-fsm-error.txt", &["phase2-rejected:proxy-id-mismatch"], "QM FSM error, torn down for 'crypto map policy not found'"),
    ("asa-debug-crypto-ikev2-protocol-excerpt.txt", &[], "the peer's address is redacted in the paste: no tunnel to place the packet on"),
    ("asa-show-crypto-isakmp-sa.txt", &[], "three SAs in MM_ACTIVE: nothing wrong"),
    ("asa-syslog-402116-and-show-crypto-ipsec-sa.txt", &["esp-one-way:selector-violation"], "decaps only, every packet a receive error: 402116 says the peer's traffic is outside the SA"),
    ("asa-syslog-debug-l2l-success-initiator.txt", &["established"], "phase 1 and 2 completed"),
    ("asa-syslog-debug-mm-wait-msg4-failure.txt", &["phase1-key-exchange-stalled"], "MM3 (KE, NONCE) resent, no MM4; the peer answers INVALID_COOKIE"),
    ("asa-syslog-qm-fsm-error-crypto-map-not-found.txt", &["phase2-rejected:proxy-id-mismatch"], "no matching crypto map entry for the proxies"),
    ("asa-syslog-ukfast-l2l-responder-success.txt", &["established"], "phase 1 and 2 completed"),
    ("ios-crypto-syslog-ikmp-bad-message.txt", &["phase1-auth-failed:psk-mismatch"], "IKMP_BAD_MESSAGE: a PSK mismatch; IKMP_NO_SA alone decides nothing"),
    ("ios-show-crypto-isakmp-sa.txt", &[], "two SAs in QM_IDLE: nothing wrong"),
    ("iosxe-debug-crypto-isakmp-mm-qm-initiator-success.txt", &["established"], "IKE_P1_COMPLETE then IKE_QM_PHASE2_COMPLETE"),
    ("iosxe-debug-crypto-isakmp-no-psk.txt", &["phase1-auth-failed:psk-mismatch"], "no pre-shared key for the peer"),
    ("iosxe-debug-crypto-isakmp-qm-proposal-not-chosen.txt", &["phase2-rejected"], "PROPOSAL_NOT_CHOSEN for ESP; the debug does not say transform, PFS or ACL"),
    ("pix-715065-fsm-error-history.txt", &["no-response:peer-unreachable"], "timed out in AM_WAIT_MSG2"),
];

#[test]
fn every_log_sample_gives_the_verdict_an_engineer_gives() {
    let Some(dir) = samples_dir() else { return };
    assert_eq!(VERDICTS.len(), EXPECT.len());
    for (file, want, why) in VERDICTS {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_ikescope"))
            .args(["--json", "--date", "2024-03-01"])
            .arg(dir.join(file))
            .output()
            .unwrap();
        let j: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{file}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        let got: BTreeSet<String> = j["tunnels"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t["verdicts"].as_array().unwrap().iter())
            .map(|v| match v["cause"]["code"].as_str() {
                Some(c) => format!("{}:{c}", v["code"].as_str().unwrap()),
                None => v["code"].as_str().unwrap().to_string(),
            })
            .collect();
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{file}: {why}");
        assert_eq!(
            out.status.code(),
            Some(i32::from(j["worst"] == "error")),
            "{file}"
        );
    }
}
