//! The daemon logs the capture generator wrote beside each scenario
//! (`captures/logs/NAME/*.charon.log`, `*.pluto.log`) read with the events
//! and causes that scenario implies: its failure named by the daemons'
//! own words, and nothing the logs do not say.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::Path;

use ikescope::logs::{read_log, EventKind, Exchange, LogEvent, Phase, ReadOptions};

struct Scenario {
    name: &'static str,
    why: &'static str,
    /// The exact set of causes in all of the scenario's logs.
    causes: &'static [&'static str],
    kinds: &'static [&'static str],
    absent: &'static [&'static str],
    /// Refusals (NO_PROPOSAL_CHOSEN, INVALID_ID, TS_UNACCEPTABLE) are all in this phase.
    refusal_phase: Option<Phase>,
    /// Timeouts wait for an answer to this exchange.
    timeout_exchange: Option<Exchange>,
}

const fn s(
    name: &'static str,
    why: &'static str,
    causes: &'static [&'static str],
    kinds: &'static [&'static str],
    absent: &'static [&'static str],
) -> Scenario {
    Scenario {
        name,
        why,
        causes,
        kinds,
        absent,
        refusal_phase: None,
        timeout_exchange: None,
    }
}

const UP: &[&str] = &["phase1-start", "phase1-completed", "phase2-completed"];
const NOT_UP: &[&str] = &["phase1-completed", "phase2-completed"];
const P2_FAILED: &[&str] = &["phase2-completed"];

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            refusal_phase: Some(Phase::One),
            ..s("lsw-v1-p1-no-proposal", "pluto: no acceptable Oakley Transform; charon receives NO_PROPOSAL_CHOSEN", &["phase1-proposal-mismatch"], &["no-proposal-chosen"], NOT_UP)
        },
        Scenario {
            refusal_phase: Some(Phase::Two),
            ..s("lsw-v1-p2-no-proposal", "pluto: no acceptable Proposal in IPsec SA (it does not say transform or PFS, so no cause)", &[], &["phase1-completed", "no-proposal-chosen"], P2_FAILED)
        },
        s("lsw-v1-psk-mismatch", "pluto: probable authentication failure (mismatch of preshared secrets?)", &["psk-mismatch"], &["auth-failed", "timeout"], NOT_UP),
        s("lsw-v2-auth-failed", "pluto: computed hash does not match; charon receives AUTHENTICATION_FAILED", &["psk-mismatch"], &["auth-failed"], NOT_UP),
        Scenario {
            refusal_phase: Some(Phase::One),
            ..s("lsw-v2-no-proposal", "pluto: no local proposal matches the IKE proposals", &["phase1-proposal-mismatch"], &["no-proposal-chosen"], NOT_UP)
        },
        s("multi-peer", "two tunnels up, the IPv6 one refused by AUTHENTICATION_FAILED (the responder's MAC check)", &["psk-mismatch"], &["phase1-completed", "phase2-completed", "auth-failed"], &[]),
        s("v1-aggressive-psk-mismatch", "the initiator's HASH check fails on AM2", &["psk-mismatch"], &["auth-failed"], NOT_UP),
        s("v1-aggressive-up", "Aggressive Mode and Quick Mode complete", &[], UP, &["timeout"]),
        s("v1-cert-ipfrag", "certificates over IP fragments, tunnel up", &[], UP, &["timeout"]),
        s("v1-dpd-rekey-delete", "up, DPD exchanged, phase 2 rekeyed, deleted", &[], &["phase2-completed", "dpd", "delete"], &["dpd-timeout"]),
        s("v1-dpd-timeout", "up, then DPD unanswered: charon's DPD check times out", &["peer-dead"], &["phase2-completed", "dpd", "dpd-timeout"], &[]),
        s("v1-esp-one-way", "up; the initiator's CHILD_SA closes with 0 bytes in and 420 out (its peer counted 420 out)", &[], &["phase2-completed", "ipsec-counters"], &[]),
        s("v1-ipv6", "IPv6 tunnel up", &[], UP, &["timeout"]),
        s("v1-main-up", "tunnel up", &[], UP, &["timeout"]),
        Scenario {
            timeout_exchange: Some(Exchange::MainMode),
            ..s("v1-mm4-lost", "MM3 retransmitted, the responder retransmits MM4, the initiator gives up; the peer did answer, so not unreachable", &[], &["retransmission", "timeout"], NOT_UP)
        },
        s("v1-nat", "tunnel up through NAT", &[], &["phase1-completed", "phase2-completed", "nat-detected"], &[]),
        Scenario {
            timeout_exchange: Some(Exchange::MainMode),
            ..s("v1-no-response", "MM1 retransmitted, nothing back: unreachable", &["peer-unreachable"], &["retransmission", "timeout"], NOT_UP)
        },
        Scenario {
            refusal_phase: Some(Phase::One),
            ..s("v1-p1-no-proposal", "the responder finds no proposal; the initiator receives NO_PROPOSAL_CHOSEN", &["phase1-proposal-mismatch"], &["no-proposal-chosen", "proposals"], NOT_UP)
        },
        Scenario {
            refusal_phase: Some(Phase::Two),
            ..s("v1-p2-no-proposal", "the responder's configured ESP proposal differs in cipher and integrity", &["transform-mismatch"], &["phase1-completed", "no-proposal-chosen"], P2_FAILED)
        },
        Scenario {
            refusal_phase: Some(Phase::Two),
            ..s("v1-pfs-mismatch", "the responder's configured ESP proposal differs only by MODP_2048: PFS", &["pfs-mismatch"], &["phase1-completed", "no-proposal-chosen"], P2_FAILED)
        },
        Scenario {
            refusal_phase: Some(Phase::Two),
            ..s("v1-proxy-id-mismatch", "no CHILD_SA config for the proposed selectors; INVALID_ID_INFORMATION received", &["proxy-id-mismatch"], &["phase1-completed", "id-refused"], P2_FAILED)
        },
        s("v1-psk-mismatch", "MM5/MM6 do not decrypt on either side", &["psk-mismatch"], &["decrypt-failed", "timeout"], NOT_UP),
        Scenario {
            timeout_exchange: Some(Exchange::QuickMode),
            ..s("v1-qm-no-response", "phase 1 up, Quick Mode retransmitted and given up", &[], &["phase1-completed", "retransmission", "timeout"], P2_FAILED)
        },
        Scenario {
            timeout_exchange: Some(Exchange::MainMode),
            ..s("v1-responder-down", "MM1 retransmitted, nothing back: unreachable", &["peer-unreachable"], &["timeout"], NOT_UP)
        },
        s("v2-auth-failed", "the responder's MAC check fails; AUTHENTICATION_FAILED received", &["psk-mismatch"], &["auth-failed"], NOT_UP),
        s("v2-cert-ikefrag", "IKE fragments reassembled, tunnel up", &[], UP, &["timeout"]),
        Scenario {
            timeout_exchange: Some(Exchange::IkeAuth),
            ..s("v2-cert-ipfrag-dropped", "IKE_AUTH retransmitted and given up (the fragments were dropped; the log cannot say why)", &[], &["retransmission", "timeout"], NOT_UP)
        },
        s("v2-dpd-rekey-delete", "up, liveness checks answered, CHILD_SA rekeyed and deleted", &[], &["phase2-completed", "dpd", "delete"], &["dpd-timeout"]),
        s("v2-dpd-timeout", "up, then the liveness check is retransmitted and given up", &["peer-dead"], &["phase2-completed", "dpd", "dpd-timeout"], &[]),
        s("v2-esp-loss", "tunnel up (ESP loss is not in the daemons' logs)", &[], UP, &[]),
        s("v2-esp-replay", "tunnel up; the responder's anti-replay check refuses the duplicates", &[], &["phase2-completed", "replay-detected"], &[]),
        s("v2-invalid-ke", "INVALID_KE_PAYLOAD: the responder wants ECP_256; the retry succeeds", &["dh-group-mismatch"], &["dh-group-rejected", "phase1-completed", "phase2-completed"], &[]),
        s("v2-ipv6", "IPv6 tunnel up", &[], UP, &["timeout"]),
        s("v2-late-capture", "the logs cover the negotiation the capture missed: up", &[], UP, &["timeout"]),
        Scenario {
            refusal_phase: Some(Phase::One),
            ..s("v2-no-proposal", "received proposals unacceptable; NO_PROPOSAL_CHOSEN in IKE_SA_INIT", &["phase1-proposal-mismatch"], &["no-proposal-chosen"], NOT_UP)
        },
        s("v2-peer-restart", "up; after the responder restarts the liveness check goes unanswered (the logs end before charon gives up)", &[], &["phase2-completed", "retransmission"], &[]),
        Scenario {
            refusal_phase: Some(Phase::Two),
            ..s("v2-ts-unacceptable", "IKE SA up, traffic selectors unacceptable, TS_UNACCEPTABLE received", &["proxy-id-mismatch"], &["phase1-completed", "id-refused"], P2_FAILED)
        },
        s("v2-up", "tunnel up", &[], UP, &["timeout"]),
    ]
}

fn read_scenario(name: &str) -> Vec<LogEvent> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/logs")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".charon.log") || n.ends_with(".pluto.log")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{name}: no daemon logs");
    let mut events = Vec::new();
    for f in files {
        let data = std::fs::read(&f).unwrap();
        assert!(
            ikescope::logs::looks_like_log(&data).is_some(),
            "{}",
            f.display()
        );
        let r = read_log(
            &f.to_string_lossy(),
            &data,
            &ReadOptions {
                date: Some((2025, 11, 27)),
            },
        );
        assert_eq!(
            r.unknown_lines,
            0,
            "{}: lines of no known format",
            f.display()
        );
        assert!(r.limits().is_empty(), "{}", f.display());
        events.extend(r.events);
    }
    events
}

#[test]
fn every_scenario_has_an_expectation() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/logs");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = scenarios().iter().map(|s| s.name.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn every_scenario_reads_with_the_events_it_implies() {
    for sc in scenarios() {
        let ev = read_scenario(sc.name);
        let ctx = format!("{} ({})", sc.name, sc.why);
        let kinds: BTreeSet<&str> = ev.iter().map(|e| e.kind.name()).collect();
        for k in sc.kinds {
            assert!(kinds.contains(k), "{ctx}: no {k} in {kinds:?}");
        }
        for k in sc.absent {
            assert!(!kinds.contains(k), "{ctx}: unexpected {k}");
        }
        let causes: BTreeSet<&str> = ev
            .iter()
            .filter_map(|e| e.cause)
            .map(|c| c.code())
            .collect();
        let want: BTreeSet<&str> = sc.causes.iter().copied().collect();
        assert_eq!(causes, want, "{ctx}");
        if let Some(ph) = sc.refusal_phase {
            let refusals: Vec<_> = ev
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EventKind::NoProposalChosen { .. } | EventKind::IdRefused { .. }
                    )
                })
                .collect();
            assert!(!refusals.is_empty(), "{ctx}");
            for e in refusals {
                assert_eq!(e.kind.phase(), Some(ph), "{ctx}: {}", e.origin);
            }
        }
        if let Some(x) = sc.timeout_exchange {
            let t: Vec<_> = ev.iter().filter(|e| e.kind == EventKind::Timeout).collect();
            assert!(!t.is_empty(), "{ctx}");
            assert!(t.iter().all(|e| e.exchange == Some(x)), "{ctx}");
        }
        // Every event with a cause knows its IKE version.
        let version = match sc.name {
            n if n.starts_with("v1-") || n.starts_with("lsw-v1-") => Some(1),
            n if n.starts_with("v2-") || n.starts_with("lsw-v2-") => Some(2),
            _ => None,
        };
        if let Some(v) = version {
            for e in ev.iter().filter(|e| e.cause.is_some()) {
                assert_eq!(e.ike_version, Some(v), "{ctx}: {} {}", e.origin, e.text);
            }
        }
        // Every event with a cause names its peer, its line and its time.
        for e in ev.iter().filter(|e| e.cause.is_some()) {
            assert!(e.time.is_some(), "{ctx}: {}", e.origin);
            if e.format == ikescope::logs::Format::Charon {
                assert!(e.peer.is_some(), "{ctx}: {} has no peer", e.origin);
            }
        }
    }
}

#[test]
fn charon_message_lines_carry_their_message_id() {
    let ev = read_scenario("v1-pfs-mismatch");
    let qm = ev
        .iter()
        .find(|e| e.exchange == Some(Exchange::QuickMode))
        .unwrap();
    assert_eq!(qm.message_id, Some(2_235_161_559));
}

#[test]
fn timeouts_name_the_request_left_unanswered() {
    // charon numbers its requests: seq 2 of Main Mode is MM3, seq 3 is MM5.
    let seq = |name: &str| {
        read_scenario(name)
            .iter()
            .find(|e| e.kind == EventKind::Timeout)
            .and_then(|e| e.seq)
    };
    assert_eq!(seq("v1-mm4-lost"), Some(2));
    assert_eq!(seq("lsw-v1-psk-mismatch"), Some(3));
    assert_eq!(seq("v1-no-response"), Some(1));
}

#[test]
fn one_way_esp_shows_in_the_byte_counts_of_both_daemons() {
    let ev = read_scenario("v1-esp-one-way");
    let closes: Vec<_> = ev
        .iter()
        .filter(|e| e.kind == EventKind::IpsecCounters)
        .collect();
    let left = closes
        .iter()
        .find(|e| e.origin.file.contains("left"))
        .unwrap();
    let right = closes
        .iter()
        .find(|e| e.origin.file.contains("right"))
        .unwrap();
    let (l, r) = (left.counters.unwrap(), right.counters.unwrap());
    assert_eq!((l.bytes_tx, l.bytes_rx), (Some(420), Some(0)));
    // The responder sent 420 bytes on the SA the initiator received nothing on.
    assert_eq!(r.bytes_tx, Some(420));
    assert_eq!(left.spis.first(), right.spis.get(1));
}

#[test]
fn peers_and_selectors_come_from_the_lines() {
    let ev = read_scenario("v1-proxy-id-mismatch");
    let refused = ev
        .iter()
        .find(|e| matches!(e.kind, EventKind::IdRefused { .. }) && e.proxies.is_some())
        .unwrap();
    assert_eq!(
        refused.peer,
        Some("198.51.100.1".parse::<IpAddr>().unwrap())
    );
    let p = refused.proxies.as_ref().unwrap();
    assert_eq!(
        (p.local.as_str(), p.remote.as_str()),
        ("192.0.2.0/25", "192.0.2.128/25")
    );
    let ev = read_scenario("multi-peer");
    let failed = ev
        .iter()
        .find(|e| matches!(e.kind, EventKind::AuthFailed { .. }))
        .unwrap();
    assert_eq!(
        failed.peer,
        Some("2001:db8:2::2".parse::<IpAddr>().unwrap())
    );
}
