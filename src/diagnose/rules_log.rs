//! Verdicts from device log lines, and what they do to the capture's.
//!
//! A log line the catalogue maps to a failure gives the verdict the capture
//! would give for it (so logs alone and logs with a capture speak alike),
//! with `basis: logged`, the line as evidence and the cause the line pins
//! down. With a capture, a verdict of the same code is upgraded (basis,
//! cause, lines) instead of repeated, and a log that contradicts the
//! capture is said to.
//!
//! The mapping follows what the same failure looks like on the wire:
//! - NO_PROPOSAL_CHOSEN in phase 1 → `phase1-no-proposal-chosen`;
//! - an authentication failure (hash/MAC mismatch, undecryptable MM5/MM6,
//!   missing pre-shared key, no tunnel-group) → `phase1-auth-failed`
//!   (IKEv1) or `auth-failed` (IKEv2);
//! - a phase-2 refusal (NO_PROPOSAL_CHOSEN, INVALID_ID, no crypto map, QM
//!   FSM error) → `phase2-rejected` (IKEv1: encrypted on the wire) or
//!   `ike-auth-rejected` (IKEv2, refused in IKE_AUTH);
//! - a timeout → `no-response` while the first message went unanswered,
//!   `phase1-key-exchange-stalled` / `phase1-auth-failed` for an
//!   unanswered MM3 / MM5, `ike-auth-no-response`, `phase2-no-response`;
//! - DPD giving up → `dpd-timeout`; INVALID_KE → `phase1-invalid-ke`;
//!   anti-replay refusals → `esp-replay`; NAT found → `nat-detected`;
//! - ESP one way: `show crypto ipsec sa` / `show vpn-sessiondb` counters
//!   (one direction zero), or two daemons' byte counts for one SPI (sent
//!   by one side, 0 bytes received by the other) → `esp-one-way`;
//! - phase 2 completed with no failure, logs alone → `established`.

use super::{Basis, Code, Severity, Verdict};
use crate::flow::{logged::phase_of, LogLine, LoggedEvent, Tunnel};
use crate::logs::{EventKind as L, Exchange, LogEvent, Phase};
use crate::registry::cause::Cause;

/// A log event with where it was read.
struct Ev<'a> {
    e: &'a LogEvent,
    line: LogLine,
}

fn events(t: &Tunnel) -> Vec<Ev<'_>> {
    t.events
        .iter()
        .filter_map(|le: &LoggedEvent| {
            let e = le.event.log.as_deref()?;
            let line = le.source.log_line()?.clone();
            Some(Ev { e, line })
        })
        .collect()
}

fn v2(e: &LogEvent) -> bool {
    e.ike_version == Some(2)
}

/// The verdict code a failure line stands for.
fn code_of(e: &LogEvent) -> Option<Code> {
    let phase = phase_of(e);
    Some(match e.kind {
        L::NoProposalChosen { .. } | L::IdRefused { .. } if phase == Some(Phase::One) => {
            if matches!(e.kind, L::IdRefused { .. }) {
                auth_code(e)
            } else {
                Code::Phase1NoProposalChosen
            }
        }
        // A refusal whose phase neither the line nor its negotiation tells
        // (swanctl's console output, a charon log without `<conn|n>`): no
        // verdict rather than a guessed phase; the line stays an event.
        L::NoProposalChosen { .. } | L::IdRefused { .. } if phase.is_none() => return None,
        L::NoProposalChosen { .. } | L::IdRefused { .. } | L::QmFsmError => refused_code(e),
        L::Teardown if e.cause.is_some() => refused_code(e),
        L::AuthFailed { .. } | L::DecryptFailed | L::PskMissing | L::PeerMismatch => auth_code(e),
        L::Timeout => timeout_code(e)?,
        L::DpdTimeout => Code::DpdTimeout,
        L::DhGroupRejected { .. } => Code::Phase1InvalidKe,
        L::InvalidSpi => Code::InvalidSpi,
        L::ReplayDetected => Code::EspReplay,
        L::NatDetected => Code::NatDetected,
        _ => return None,
    })
}

fn auth_code(e: &LogEvent) -> Code {
    if v2(e) {
        Code::AuthFailed
    } else {
        Code::Phase1AuthFailed
    }
}

fn refused_code(e: &LogEvent) -> Code {
    if v2(e) && e.exchange != Some(Exchange::CreateChildSa) {
        Code::IkeAuthRejected
    } else {
        Code::Phase2Rejected
    }
}

fn timeout_code(e: &LogEvent) -> Option<Code> {
    if e.cause == Some(Cause::PeerUnreachable) {
        return Some(Code::NoResponse);
    }
    if let Some(s) = e.state.as_deref().and_then(crate::logs::show::state_info) {
        return match s.waiting_for {
            Some(2) => Some(Code::NoResponse),
            Some(4) => Some(Code::Phase1KeyExchangeStalled),
            Some(6) | Some(3) => Some(Code::Phase1AuthFailed),
            _ => None,
        };
    }
    match e.exchange? {
        // charon numbers its requests: Main Mode seq n is MM 2n-1.
        Exchange::MainMode => match e.seq {
            Some(2) => Some(Code::Phase1KeyExchangeStalled),
            Some(3) => Some(Code::Phase1AuthFailed),
            _ => Some(Code::NoResponse),
        },
        Exchange::Aggressive => Some(Code::NoResponse),
        Exchange::IkeSaInit => Some(Code::NoResponse),
        Exchange::IkeAuth => Some(Code::IkeAuthNoResponse),
        Exchange::QuickMode | Exchange::CreateChildSa => Some(Code::Phase2NoResponse),
        _ => None,
    }
}

/// ESP in one direction: show-command counters, or one daemon's bytes out
/// on an SPI the other daemon received 0 bytes on.
fn one_way<'a>(evs: &[Ev<'a>]) -> Vec<(&'a LogEvent, LogLine, Option<&'a LogEvent>)> {
    let mut out = Vec::new();
    for x in evs.iter().filter(|x| x.e.kind == L::IpsecCounters) {
        let Some(c) = x.e.counters else { continue };
        if x.e.format == crate::logs::Format::ShowCrypto {
            if c.one_way().is_some() {
                out.push((x.e, x.line.clone(), None));
            }
            continue;
        }
        // charon: "X_i (0 bytes)" here, "X_o (N bytes)" on the other side.
        let (Some(0), Some(spi_in)) = (c.bytes_rx, x.e.spis.first()) else {
            continue;
        };
        let sender = evs.iter().find(|y| {
            y.e.kind == L::IpsecCounters
                && y.line.file != x.line.file
                && y.e.spis.get(1) == Some(spi_in)
                && y.e.counters.and_then(|c| c.bytes_tx).is_some_and(|n| n > 0)
        });
        if let Some(s) = sender {
            out.push((x.e, x.line.clone(), Some(s.e)));
        }
    }
    out
}

/// Which stage of a negotiation a code is about: 1 phase 1 / IKE SA
/// (including IKE_AUTH), 2 phase 2 / child SA, 3 the data plane, 0 other.
fn stage(c: Code) -> u8 {
    match c {
        Code::NoResponse
        | Code::Phase1NoProposalChosen
        | Code::Phase1KeyExchangeStalled
        | Code::Phase1AuthFailed
        | Code::Phase1InvalidKe
        | Code::AuthFailed
        | Code::IkeAuthNoResponse
        | Code::FragmentationSuspected
        | Code::IcmpUnreachable => 1,
        Code::Phase2NoProposalChosen
        | Code::Phase2InvalidId
        | Code::Phase2NoResponse
        | Code::Phase2Unconfirmed
        | Code::Phase2Rejected
        | Code::IkeAuthRejected => 2,
        Code::EspOneWay
        | Code::EspLoss
        | Code::EspReplay
        | Code::InvalidSpi
        | Code::DpdTimeout
        | Code::EspNotEncapsulated => 3,
        _ => 0,
    }
}

fn cite(line: &LogLine) -> String {
    format!("{}:{}", line.file, line.line)
}

/// Log verdicts for the tunnel, merged into the capture's (`out`). `capture`:
/// whether the tunnel has wire evidence (IKE SAs or ESP).
pub(crate) fn check(t: &Tunnel, out: &mut Vec<Verdict>) {
    let evs = events(t);
    if evs.is_empty() {
        return;
    }
    let capture = !t.ike_sas.is_empty() || !t.esp.is_empty();
    let mut found: Vec<Verdict> = Vec::new();
    let add =
        |found: &mut Vec<Verdict>, code: Code, cause: Option<Cause>, line: &LogLine, text: &str| {
            match found.iter_mut().find(|v| v.code == code) {
                Some(v) => {
                    if v.cause.is_none() {
                        v.cause = cause;
                    }
                    if !v.lines.contains(line) {
                        v.lines.push(line.clone());
                    }
                }
                None => {
                    let mut v = Verdict::new(
                        code,
                        Vec::new(),
                        format!("The device log says: {} ({})", text, cite(line)),
                    )
                    .basis(Basis::Logged);
                    v.cause = cause;
                    v.lines.push(line.clone());
                    found.push(v);
                }
            }
        };
    for x in &evs {
        if let Some(code) = code_of(x.e) {
            add(&mut found, code, x.e.cause, &x.line, &x.e.text);
        }
    }
    // ASA 713236 "IKE_DECODE RESENDING" names the payloads of the Main Mode
    // message resent: KE = MM3 (no MM4 came), ID + HASH = MM5 (no MM6).
    let phase1_up = evs.iter().any(|x| {
        matches!(
            x.e.kind,
            L::Phase1Completed | L::Phase2Completed | L::SaInstalled | L::Phase2Start
        )
    });
    if !phase1_up {
        for x in evs.iter().filter(|x| {
            x.e.kind
                == L::Retransmission {
                    dir: crate::logs::Dir::Sent,
                }
        }) {
            let d = x.e.text.as_str();
            let code = if d.contains("KE (4)") && d.contains("NONCE (10)") {
                Code::Phase1KeyExchangeStalled
            } else if d.contains("ID (5)") && d.contains("HASH (8)") {
                Code::Phase1AuthFailed
            } else {
                continue;
            };
            add(&mut found, code, None, &x.line, &x.e.text);
        }
    }
    let violation = evs.iter().find(|x| x.e.kind == L::SelectorViolation);
    for (e, line, sender) in one_way(&evs) {
        let cause = if violation.is_some() {
            Cause::SelectorViolation
        } else {
            Cause::OneWayTraffic
        };
        let text = match sender {
            Some(s) => format!("{} — while the peer logged: {}", e.text, s.text),
            None => e.text.clone(),
        };
        add(&mut found, Code::EspOneWay, Some(cause), &line, &text);
        if let Some(v) = violation {
            add(&mut found, Code::EspOneWay, None, &v.line, &v.e.text);
        }
    }
    // A phase-2 refusal whose own line names no cause takes the cause of a
    // line beside it (ASA: QM FSM error, then the teardown reason).
    let phase2_cause = evs
        .iter()
        .filter(|x| phase_of(x.e) == Some(Phase::Two) || x.e.kind == L::Teardown)
        .find_map(|x| x.e.cause);
    for v in &mut found {
        if v.cause.is_none() && matches!(v.code, Code::Phase2Rejected | Code::IkeAuthRejected) {
            v.cause = phase2_cause;
        }
        if v.cause.is_none() && v.code == Code::Phase2Rejected {
            v.candidates = vec![
                "transform set mismatch".to_string(),
                "PFS mismatch".to_string(),
                "crypto ACL / proxy identity mismatch".to_string(),
            ];
        }
    }
    // Failures before a later success are history.
    let up_lines: Vec<&LogLine> = evs
        .iter()
        .filter(|x| matches!(x.e.kind, L::Phase2Completed | L::SaInstalled))
        .map(|x| &x.line)
        .collect();
    let last_up = t
        .events
        .iter()
        .filter(|le| {
            le.event
                .log
                .as_deref()
                .is_some_and(|e| matches!(e.kind, L::Phase2Completed | L::SaInstalled))
        })
        .map(|le| le.ts)
        .max();
    if let Some(up) = last_up {
        for v in &mut found {
            let before = t.events.iter().any(|le| {
                le.ts < up
                    && le
                        .source
                        .log_line()
                        .is_some_and(|l| v.lines.first() == Some(l))
            });
            if before && v.severity > Severity::Info && v.code != Code::EspOneWay {
                v.severity = Severity::Info;
                v.message.push_str("; a later negotiation completed");
            }
        }
    }
    // A phase-2 delete followed by a newer phase 2: the SA was replaced and
    // deleted (rekeying), as the capture would show it.
    let replaced = evs.iter().find(|x| {
        matches!(
            x.e.kind,
            L::Delete {
                phase: Some(Phase::Two),
                ..
            }
        ) && evs.iter().any(|y| {
            y.line.file == x.line.file
                && y.line.line > x.line.line
                && y.e.kind == L::Phase2Completed
        })
    });
    if let Some(x) = replaced {
        add(&mut found, Code::Deleted, None, &x.line, &x.e.text);
    }
    if !capture {
        // Up unless a negotiation failed (a peer that later stopped
        // answering DPD was up before).
        let failing = found
            .iter()
            .any(|v| v.severity == Severity::Error && v.code != Code::DpdTimeout);
        if let (false, Some(first)) = (failing, up_lines.first()) {
            let mut v = Verdict::new(
                Code::Established,
                Vec::new(),
                format!("The device logged phase 2 complete ({})", cite(first)),
            )
            .basis(Basis::Logged);
            v.lines = up_lines.iter().map(|l| (*l).clone()).collect();
            found.insert(0, v);
        }
        out.extend(found);
        return;
    }
    merge(out, found, &evs);
}

/// A logged phase-2 refusal (`phase2-rejected` / `ike-auth-rejected`: the
/// log cannot see the wire) is the same finding as the capture's refusal
/// when decrypted contents named it (`phase2-no-proposal-chosen`,
/// `phase2-invalid-id`) and the log's cause fits that name.
fn names_refusal(capture: Code, logged: Code, cause: Option<Cause>) -> bool {
    if !matches!(logged, Code::Phase2Rejected | Code::IkeAuthRejected) {
        return false;
    }
    match capture {
        Code::Phase2NoProposalChosen => matches!(
            cause,
            None | Some(Cause::PfsMismatch | Cause::TransformMismatch)
        ),
        Code::Phase2InvalidId => matches!(cause, None | Some(Cause::ProxyIdMismatch)),
        _ => false,
    }
}

/// With a capture: upgrade verdicts the log confirms, add what only the
/// log shows, and say where they disagree.
fn merge(out: &mut Vec<Verdict>, found: Vec<Verdict>, evs: &[Ev<'_>]) {
    let capture_errors: Vec<Code> = out
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| v.code)
        .collect();
    for f in found {
        // A log aligned with the capture on one event alone may describe
        // another attempt: shown as what it says, never as confirmation,
        // and never an error the capture does not show.
        if f.lines.iter().any(|l| l.clock_unverified) {
            let mut f = f;
            if f.severity == Severity::Error {
                f.severity = Severity::Warning;
            }
            f.message.push_str(
                " (this log's clock was aligned with the capture on one event alone, so it may describe another attempt; not taken as confirming the capture)",
            );
            out.push(f);
            continue;
        }
        if let Some(v) = out
            .iter_mut()
            .find(|v| v.code == f.code || names_refusal(v.code, f.code, f.cause))
        {
            if matches!(v.basis, Basis::Inferred | Basis::Clear) {
                v.basis = Basis::Logged;
            }
            if v.cause.is_none() {
                v.cause = f.cause;
                if f.cause.is_some() {
                    v.candidates.clear();
                }
            }
            for l in &f.lines {
                if !v.lines.contains(l) {
                    v.lines.push(l.clone());
                }
            }
            v.message.push_str(&format!(
                "; confirmed by the device log ({})",
                cite(&f.lines[0])
            ));
            continue;
        }
        // A capture finding of the same phase that the log's line explains
        // without naming another cause: the line joins it as evidence.
        if f.cause.is_none() && f.severity >= Severity::Warning {
            if let Some(v) = out
                .iter_mut()
                .find(|v| v.severity >= Severity::Warning && stage(v.code) == stage(f.code))
            {
                for l in &f.lines {
                    if !v.lines.contains(l) {
                        v.lines.push(l.clone());
                    }
                }
                v.message.push_str(&format!(
                    "; {} ({})",
                    f.message
                        .trim_start_matches("The device log says: ")
                        .split(" (")
                        .next()
                        .unwrap_or(""),
                    cite(&f.lines[0])
                ));
                continue;
            }
        }
        let mut f = f;
        if f.severity == Severity::Error && !capture_errors.is_empty() {
            let names: Vec<&str> = capture_errors.iter().map(|c| c.as_str()).collect();
            f.message = format!(
                "{} — the capture shows {} instead",
                f.message,
                names.join(", ")
            );
        } else if f.severity >= Severity::Warning {
            f.message.push_str(" (not visible in the capture)");
        }
        out.push(f);
    }
    // The log says phase 2 came up where the capture says it failed.
    let up = evs.iter().find(|x| {
        !x.line.clock_unverified && matches!(x.e.kind, L::Phase2Completed | L::SaInstalled)
    });
    if let Some(up) = up {
        for v in out.iter_mut().filter(|v| {
            v.severity == Severity::Error
                && matches!(
                    v.code,
                    Code::Phase2Rejected
                        | Code::Phase2NoResponse
                        | Code::Phase2NoProposalChosen
                        | Code::Phase2InvalidId
                        | Code::IkeAuthRejected
                )
                && v.basis != Basis::Logged
        }) {
            v.message.push_str(&format!(
                "; but the device log says phase 2 completed ({})",
                cite(&up.line)
            ));
        }
    }
}
