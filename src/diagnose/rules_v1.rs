//! IKEv1 rules: Main/Aggressive Mode progress, cleartext notifications,
//! Quick Mode outcomes, dead peer detection.

use super::{frames_text, intervals, span, try_times, Basis, Code, SaOutcome, Verdict};
use crate::capture::FrameNo;
use crate::flow::coverage::{DPD_QUIET_SECS, LARGE_MESSAGE};
use crate::flow::{
    state, Coverage, Dir, IkeMsg, IkeSa, Mode, Offer, SeenNotify, Step, Tunnel, Wait,
};
use crate::registry::cause::Cause;
use crate::registry::ikev1::IKE_AUTH_METHOD;
use crate::registry::proto::{notify_label, notify_v1 as n};

const INFORMATIONAL: u8 = crate::registry::proto::ExchangeV1::Informational.number();
const QUICK: u8 = crate::registry::proto::ExchangeV1::Quick.number();

fn notifies(sa: &IkeSa) -> Vec<(&IkeMsg, &SeenNotify)> {
    sa.messages
        .iter()
        .flat_map(|m| m.notifies.iter().map(move |n| (m, n)))
        .collect()
}

fn name(n: &SeenNotify) -> String {
    label(n.notify_type)
}

/// "NO-PROPOSAL-CHOSEN (14)": the IKEv1 registry name and number.
fn label(t: u16) -> String {
    notify_label(1, t)
}

pub(super) fn check(sa: &IkeSa, t: &Tunnel, ctx: &Coverage, out: &mut Vec<Verdict>) -> SaOutcome {
    let p1 = state::phase1(sa);
    let mut o = SaOutcome {
        phase1_up: p1.complete,
        ..SaOutcome::default()
    };
    let all_notifies = notifies(sa);

    if sa.mode == Mode::Unknown {
        let f: Vec<FrameNo> = sa.messages.iter().take(1).map(|m| m.frame).collect();
        out.push(Verdict::new(
            Code::IncompleteCapture,
            f,
            format!(
                "IKE SA {:016x}: the capture starts after phase 1; only later exchanges were seen",
                sa.ispi
            ),
        ));
    }

    // Phase 1.
    if matches!(sa.mode, Mode::Main | Mode::Aggressive) && !p1.complete {
        let (first, second) = if sa.mode == Mode::Main {
            (Step::Main(1), Step::Main(2))
        } else {
            (Step::Aggressive(1), Step::Aggressive(2))
        };
        let npc = all_notifies
            .iter()
            .find(|(m, n)| n.notify_type == n::NO_PROPOSAL_CHOSEN && m.dir == Dir::R2I);
        let auth_err = all_notifies.iter().find(|(_, n)| {
            matches!(
                n.notify_type,
                n::INVALID_HASH_INFORMATION | n::AUTHENTICATION_FAILED | n::PAYLOAD_MALFORMED
            )
        });
        let answered = sa.find(second).is_some();
        // A later message from the initiator carrying the responder's cookie
        // proves the answer arrived, even when the capture does not hold it.
        let proven = sa
            .messages
            .iter()
            .any(|m| m.dir == Dir::I2R && m.rspi != 0 && m.is_try());
        if let (Some((m, _)), false) = (npc, answered) {
            let mut frames = sa.frames_of(first);
            frames.push(m.frame);
            let mut v = Verdict::new(
                Code::Phase1NoProposalChosen,
                frames,
                format!(
                    "{} answered {first} (frame {}) with {} in frame {}: isakmp policy mismatch",
                    m.src.addr,
                    sa.find(first).map_or(0, |f| f.frame),
                    label(n::NO_PROPOSAL_CHOSEN),
                    m.frame
                ),
            );
            v.offered = sa.find(first).and_then(|m| m.offer.clone());
            out.push(
                v.basis(Basis::of(m.obs.body))
                    .cause(Cause::Phase1ProposalMismatch),
            );
        } else if !answered && !proven {
            let tries: Vec<&IkeMsg> = sa.tries(first).collect();
            let sends: Vec<FrameNo> = tries.iter().map(|m| m.frame).collect();
            if let Some(&last) = tries.last() {
                let f = sa.find(first).unwrap_or(last);
                let times: Vec<_> = tries.iter().map(|m| m.ts).collect();
                let judged = try_times(&tries);
                let msg = format!(
                    "{first} sent {} time(s) from {} to {} over {}{}, no IKE answer",
                    sends.len(),
                    sa.initiator.addr,
                    sa.responder.addr,
                    span(f.ts, last.ts),
                    intervals(&times)
                );
                if let Wait::Unanswered { .. } = ctx.wait_in(t, &judged) {
                    out.push(Verdict::new(Code::NoResponse, sends.clone(), msg));
                } else {
                    out.push(Verdict::new(
                        Code::IncompleteCapture,
                        sends.clone(),
                        format!("{msg}; {}", ctx.why_unknown(t, &judged)),
                    ));
                }
                if sends.len() >= 2 && (f.length > LARGE_MESSAGE || !f.fragments.is_empty()) {
                    out.push(Verdict::new(
                        Code::FragmentationSuspected,
                        sends,
                        format!(
                            "{first} is {} bytes and was repeated without reply",
                            f.length
                        ),
                    ));
                }
            }
        } else if let Some((m, nt)) = auth_err {
            let mut frames = sa.frames_of(if sa.mode == Mode::Main {
                Step::Main(5)
            } else {
                Step::Aggressive(3)
            });
            frames.push(m.frame);
            out.push(
                Verdict::new(
                    Code::Phase1AuthFailed,
                    frames,
                    format!(
                        "{} sent {} in frame {}: phase 1 authentication failed",
                        m.src.addr,
                        name(nt),
                        m.frame
                    ),
                )
                .candidates(&["pre-shared key mismatch", "identity (ID) mismatch"])
                .basis(Basis::of(nt.visibility)),
            );
        } else if sa.mode == Mode::Main {
            main_mode_stall(sa, t, ctx, p1.last_message, out);
        } else {
            aggressive_stall(sa, t, ctx, p1.last_message, out);
        }
    }

    // The frame that completed phase 1 (MM6 / AM3, or the first Quick Mode).
    let p1_done_at = if p1.complete {
        sa.find(Step::Main(6))
            .or_else(|| sa.find(Step::Aggressive(3)))
            .or_else(|| sa.messages.iter().find(|m| m.exchange_type == QUICK))
            .map(|m| m.frame)
    } else {
        None
    };
    // Notifications read anywhere in the SA (clear, or in decrypted copies).
    for (m, nt) in &all_notifies {
        let basis = Basis::of(nt.visibility);
        match nt.notify_type {
            n::INVALID_ID_INFORMATION => {
                // Decrypted Quick Mode copies (ASA `type isakmp`) show the
                // proxy identities that were refused.
                let proposed = sa
                    .messages
                    .iter()
                    .rev()
                    .find(|q| q.exchange_type == QUICK && q.frame < m.frame && q.ids.len() >= 2)
                    .map(|q| format!("; QM1 (frame {}) proposed {} ↔ {}", q.frame, q.ids[0].value, q.ids[1].value))
                    .unwrap_or_default();
                out.push(Verdict::new(
                    Code::Phase2InvalidId,
                    vec![m.frame],
                    format!(
                        "{} sent {} in frame {}: the proxy identities (crypto ACL) do not match{proposed}",
                        m.src.addr, label(n::INVALID_ID_INFORMATION), m.frame
                    ),
                ).basis(basis).cause(Cause::ProxyIdMismatch))
            }
            n::NO_PROPOSAL_CHOSEN if p1_done_at.is_some_and(|f| m.frame < f) => {
                // A refusal during phase 1 that the peers got past.
                out.push(
                    Verdict::new(
                        Code::Phase1NoProposalChosen,
                        vec![m.frame],
                        format!(
                            "{} sent {} in frame {} during phase 1, but the negotiation recovered and completed",
                            m.src.addr, label(n::NO_PROPOSAL_CHOSEN), m.frame
                        ),
                    )
                    .severity(super::Severity::Info)
                    .basis(basis),
                )
            }
            n::NO_PROPOSAL_CHOSEN if p1.complete || m.exchange_type == QUICK || m.decrypted_copy => {
                out.push(Verdict::new(
                    Code::Phase2NoProposalChosen,
                    vec![m.frame],
                    format!(
                        "{} refused the phase 2 proposal with {} in frame {}: transform set or PFS mismatch",
                        m.src.addr, label(n::NO_PROPOSAL_CHOSEN), m.frame
                    ),
                ).basis(basis))
            }
            n::INVALID_SPI => out.push(
                Verdict::new(
                    Code::InvalidSpi,
                    vec![m.frame],
                    format!("{} reported {} in frame {}", m.src.addr, label(n::INVALID_SPI), m.frame),
                )
                .basis(basis)
                .cause(Cause::InvalidSpi),
            ),
            _ => {}
        }
    }
    let deletes: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .filter(|m| !m.deletes.is_empty())
        .collect();
    if let Some(d) = deletes.first() {
        let basis = d
            .deletes
            .first()
            .map_or(Basis::Clear, |x| Basis::of(x.visibility));
        out.push(
            Verdict::new(
                Code::Deleted,
                deletes.iter().map(|m| m.frame).collect(),
                format!("{} deleted SA(s) (frame {})", d.src.addr, d.frame),
            )
            .basis(basis),
        );
    }
    // Cleartext DPD (decrypted copies): R-U-THERE without any ACK.
    let rut_seen: Vec<&(&IkeMsg, &SeenNotify)> = all_notifies
        .iter()
        .filter(|(m, n)| n.notify_type == n::R_U_THERE && m.is_try())
        .collect();
    let rut: Vec<FrameNo> = rut_seen.iter().map(|(m, _)| m.frame).collect();
    let acked = all_notifies
        .iter()
        .any(|(_, n)| n.notify_type == n::R_U_THERE_ACK);
    if rut.len() >= 2 && !acked {
        let basis = rut_seen
            .first()
            .map_or(Basis::Clear, |(_, n)| Basis::of(n.visibility));
        out.push(
            Verdict::new(
                Code::DpdTimeout,
                rut.clone(),
                format!(
                    "{} {} without {}",
                    rut.len(),
                    label(n::R_U_THERE),
                    label(n::R_U_THERE_ACK)
                ),
            )
            .basis(basis)
            .cause(Cause::PeerDead),
        );
    }

    if p1.complete {
        quick_modes(sa, t, out, ctx, &mut o);
        dpd_by_silence(sa, t, ctx, out);
    }
    o
}

/// How phase 1 authenticates, from the transform the responder chose (MM2 /
/// AM2), else the first one offered: the IKE Authentication Method names in
/// the registry ([`IKE_AUTH_METHOD`]) say whether a pre-shared key is
/// involved (Pre-Shared Key, XAUTH…PreShared) or signatures/certificates
/// (DSS, RSA, ECDSA, Hybrid, XAUTH…RSA/DSS).
fn auth_method(sa: &IkeSa) -> Option<(u16, &'static str, bool)> {
    let of = |step: Step| {
        sa.find(step).and_then(|m| match &m.offer {
            Some(Offer::V1(t)) => t.iter().find_map(|x| x.auth_method),
            _ => None,
        })
    };
    let method = of(Step::Main(2))
        .or_else(|| of(Step::Aggressive(2)))
        .or_else(|| of(Step::Main(1)))
        .or_else(|| of(Step::Aggressive(1)))?;
    let name = IKE_AUTH_METHOD.name(u32::from(method))?;
    let psk = name.contains("Pre-Shared") || name.contains("PreShared");
    Some((method, name, psk))
}

/// The likeliest causes of an authentication that did not complete, by
/// the negotiated method.
fn auth_candidates(sa: &IkeSa) -> (String, &'static [&'static str]) {
    match auth_method(sa) {
        Some((_, name, true)) => (
            format!("authentication by {name}: most likely a pre-shared key mismatch"),
            &[
                "pre-shared key mismatch",
                "identity mismatch (the responder has no key or tunnel-group for the identity sent)",
            ],
        ),
        Some((_, name, false)) => (
            format!("authentication by {name} (certificates), not a pre-shared key"),
            &[
                "the certificate-carrying message was lost to IP fragmentation (large MM5/MM6)",
                "the peer does not trust the certificate (CA, validity, revocation check)",
                "identity mismatch (ID does not match the certificate subject or the peer's configuration)",
            ],
        ),
        None => (
            "the authentication method is not in the capture (MM1/MM2 not seen)".to_string(),
            &[
                "pre-shared key mismatch (with pre-shared keys)",
                "certificate not trusted or lost to fragmentation (with certificates)",
                "identity mismatch",
            ],
        ),
    }
}

/// Judge whether the message that ends phase 1 so far is really the end:
/// the verdict `v` stands when the sender of the last step gave up waiting
/// (retransmissions, silence long enough); otherwise the capture simply
/// stops there, which is `incomplete-capture`.
fn stall_or_cut(
    sa: &IkeSa,
    t: &Tunnel,
    ctx: &Coverage,
    step: Step,
    evidence: bool,
    v: Verdict,
    out: &mut Vec<Verdict>,
) {
    let tries: Vec<&IkeMsg> = sa.tries(step).collect();
    let times = try_times(&tries);
    if evidence || matches!(ctx.wait_in(t, &times), Wait::Unanswered { .. }) {
        out.push(v);
    } else {
        out.push(Verdict::new(
            Code::IncompleteCapture,
            v.frames,
            format!(
                "Phase 1 reached {step} and the capture shows nothing after it: {}",
                ctx.why_unknown(t, &times)
            ),
        ));
    }
}

fn main_mode_stall(
    sa: &IkeSa,
    t: &Tunnel,
    ctx: &Coverage,
    last: Option<Step>,
    out: &mut Vec<Verdict>,
) {
    let info_from = |d: Dir| -> Vec<FrameNo> {
        sa.messages
            .iter()
            .filter(|m| m.exchange_type == INFORMATIONAL && m.dir == d)
            .map(|m| m.frame)
            .collect()
    };
    match last {
        Some(Step::Main(2)) => stall_or_cut(
            sa,
            t,
            ctx,
            Step::Main(2),
            false,
            Verdict::new(
                Code::Phase1KeyExchangeStalled,
                sa.frames_of(Step::Main(2)),
                format!(
                    "{} answered MM1 but {} never sent MM3: the initiator did not accept the chosen proposal or stopped",
                    sa.responder.addr, sa.initiator.addr
                ),
            ),
            out,
        ),
        Some(Step::Main(3)) => {
            let frames = sa.frames_of(Step::Main(3));
            let v = Verdict::new(
                Code::Phase1KeyExchangeStalled,
                frames.clone(),
                format!(
                    "MM3 (key exchange) sent {} time(s), no MM4 from {}",
                    frames.len(),
                    sa.responder.addr
                ),
            );
            stall_or_cut(sa, t, ctx, Step::Main(3), false, v, out);
        }
        Some(Step::Main(4)) => {
            let (_, cands) = auth_candidates(sa);
            let v = Verdict::new(
                Code::Phase1AuthFailed,
                sa.frames_of(Step::Main(4)),
                format!(
                    "MM4 received but {} never sent MM5: the initiator could not build its authentication",
                    sa.initiator.addr
                ),
            )
            .candidates(if auth_method(sa).is_some_and(|(_, _, psk)| !psk) {
                cands
            } else {
                &[
                    "no pre-shared key configured on the initiator for this peer",
                    "certificate or identity problem on the initiator",
                ]
            });
            stall_or_cut(sa, t, ctx, Step::Main(4), false, v, out);
        }
        Some(Step::Main(5)) => {
            let mm5 = sa.frames_of(Step::Main(5));
            let replies = info_from(Dir::R2I);
            let mut frames = mm5.clone();
            frames.extend(&replies);
            let how = if !replies.is_empty() {
                format!(
                    "the responder answered with an encrypted Informational ({}) instead of MM6",
                    frames_text(&replies)
                )
            } else {
                format!("MM5 sent {} time(s) without MM6", mm5.len())
            };
            let (method, cands) = auth_candidates(sa);
            let mut v = Verdict::new(
                Code::Phase1AuthFailed,
                frames,
                format!("Stalled after MM5: {how}; {method}"),
            )
            .candidates(cands);
            if mm5.len() < 2 && replies.is_empty() {
                v = v.severity(super::Severity::Warning);
            }
            stall_or_cut(sa, t, ctx, Step::Main(5), !replies.is_empty(), v, out);
        }
        _ => {}
    }
}

fn aggressive_stall(
    sa: &IkeSa,
    t: &Tunnel,
    ctx: &Coverage,
    last: Option<Step>,
    out: &mut Vec<Verdict>,
) {
    if last == Some(Step::Aggressive(2)) {
        let mut frames = sa.frames_of(Step::Aggressive(2));
        let info: Vec<FrameNo> = sa
            .messages
            .iter()
            .filter(|m| m.exchange_type == INFORMATIONAL)
            .map(|m| m.frame)
            .collect();
        frames.extend(&info);
        let (method, cands) = auth_candidates(sa);
        let v = Verdict::new(
            Code::Phase1AuthFailed,
            frames,
            format!(
                "AM2 received but {} never sent AM3: it rejected the responder's hash; {method}",
                sa.initiator.addr
            ),
        )
        .candidates(cands);
        stall_or_cut(sa, t, ctx, Step::Aggressive(2), !info.is_empty(), v, out);
    }
}

fn quick_modes(sa: &IkeSa, t: &Tunnel, out: &mut Vec<Verdict>, ctx: &Coverage, o: &mut SaOutcome) {
    for q in &sa.quick_modes {
        if q.last >= 2 {
            o.child_up = true;
            // QM2 sent again after QM3: the QM responder did not take QM3.
            if let Some((first3, again)) = state::qm3_not_taken(sa, q.message_id) {
                {
                    let mut frames = vec![first3];
                    frames.extend(&again);
                    out.push(
                        Verdict::new(
                            Code::Phase2Unconfirmed,
                            frames,
                            format!(
                                "QM2 (message ID {:#010x}) was sent again {} time(s) after QM3 (frame {}): the Quick Mode responder did not take QM3, so it may not have installed the SAs",
                                q.message_id,
                                again.len(),
                                first3
                            ),
                        )
                        .candidates(&[
                            "QM3 lost on the way to the responder",
                            "QM3 failed the responder's HASH(3) check",
                        ]),
                    );
                }
            }
            continue;
        }
        let Some(&first) = q.frames.first() else {
            continue;
        };
        // Tries only: a capture duplicate or a decrypted twin is the same
        // QM1 seen again, not another try.
        let qm1: Vec<&IkeMsg> = sa
            .messages
            .iter()
            .filter(|m| m.exchange_type == QUICK && m.message_id == q.message_id && m.is_try())
            .collect();
        let replies: Vec<&IkeMsg> = sa
            .messages
            .iter()
            .filter(|m| m.exchange_type == INFORMATIONAL && m.dir != q.initiator && m.frame > first)
            .collect();
        let clear = replies
            .iter()
            .flat_map(|m| m.notifies.iter().map(move |n| (m, n)));
        if clear.clone().any(|(_, n)| {
            matches!(
                n.notify_type,
                n::NO_PROPOSAL_CHOSEN | n::INVALID_ID_INFORMATION
            )
        }) {
            // Reported by the cleartext-notify rule.
            continue;
        }
        // The capture opens on this Quick Mode: phase 1 is not in it, and
        // the message, sent once, is the SA's first. Encrypted, it may as
        // well be QM3 (sent once by nature) of a Quick Mode whose QM1 and
        // QM2 came before the capture: no answer is expected then.
        if !sa.start_seen && qm1.len() == 1 && sa.messages.first().is_some_and(|m| m.frame == first)
        {
            out.push(Verdict::new(
                Code::IncompleteCapture,
                vec![first],
                format!(
                    "The capture starts with a Quick Mode message (message ID {:#010x}, frame {first}) sent once, after phase 1: it may be QM3 of a Quick Mode whose QM1 and QM2 came before the capture, so the missing answer proves nothing",
                    q.message_id
                ),
            ));
            continue;
        }
        let mut frames: Vec<FrameNo> = qm1.iter().map(|m| m.frame).collect();
        if let Some(r) = replies.first() {
            frames.push(r.frame);
            out.push(
                Verdict::new(
                    Code::Phase2Rejected,
                    frames,
                    format!(
                        "Phase 1 is up, but {} answered QM1 (message ID {:#010x}, frame {first}) only with an encrypted Informational (frame {}): the phase 2 proposal was refused; the notification is encrypted",
                        r.src.addr, q.message_id, r.frame
                    ),
                )
                .candidates(&[
                    "transform set mismatch (encryption/integrity of the IPsec proposal)",
                    "PFS mismatch (one side requires a PFS group, the other offers none or another)",
                    "proxy-ID / crypto ACL mismatch",
                ]),
            );
        } else if let Wait::Unanswered { .. } = ctx.wait_in(t, &try_times(&qm1)) {
            out.push(Verdict::new(
                Code::Phase2NoResponse,
                frames,
                format!(
                    "QM1 (message ID {:#010x}) sent {} time(s){}, no QM2",
                    q.message_id,
                    qm1.len(),
                    intervals(&qm1.iter().map(|m| m.ts).collect::<Vec<_>>())
                ),
            ));
        }
    }
}

/// Messages closer together than this are one burst: an orderly teardown
/// sends a Delete for each child SA and the IKE SA within milliseconds,
/// while DPD sends one request at a time, spaced by the DPD interval.
const BURST_SECS: f64 = 0.1;

/// Encrypted Informationals (DPD R-U-THERE) from one side at the end of the
/// capture with nothing from the other side: the peer stopped answering.
///
/// Only an inference from shapes: it needs the other direction in the
/// capture (or silence proves nothing), leaves out messages that answer the
/// other side's, and counts a burst of messages (a teardown's Deletes) as
/// one try.
fn dpd_by_silence(sa: &IkeSa, t: &Tunnel, ctx: &Coverage, out: &mut Vec<Verdict>) {
    let Some(last) = sa.messages.last() else {
        return;
    };
    if last.exchange_type != INFORMATIONAL || !last.encrypted {
        return;
    }
    if Coverage::one_sided(t).is_some() {
        return;
    }
    let side = last.dir;
    let mut run: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .rev()
        .take_while(|m| m.dir == side && m.exchange_type == INFORMATIONAL)
        .filter(|m| m.is_try())
        .collect();
    run.reverse();
    // The first of the run may answer the other side's last message.
    let before = sa
        .messages
        .iter()
        .rev()
        .find(|m| m.dir != side && run.first().is_some_and(|f| m.frame < f.frame));
    if let (Some(b), Some(f)) = (before, run.first()) {
        if b.exchange_type == INFORMATIONAL && f.ts.since(b.ts) < BURST_SECS {
            run.remove(0);
        }
    }
    if run.is_empty() {
        return;
    }
    let mut bursts = 0usize;
    let mut prev: Option<&IkeMsg> = None;
    for m in &run {
        if prev.is_none_or(|p| m.ts.since(p.ts) >= BURST_SECS) {
            bursts += 1;
        }
        prev = Some(m);
    }
    // A live peer answers a liveness check within a round trip: the run's
    // first check left unanswered this long, and tried again, is a dead peer.
    let unanswered_for = run.first().map_or(0.0, |f| ctx.silence_after(f.ts));
    if bursts >= 3 || (bursts >= 2 && unanswered_for >= DPD_QUIET_SECS) {
        let frames: Vec<FrameNo> = run.iter().map(|m| m.frame).collect();
        out.push(
            Verdict::new(
                Code::DpdTimeout,
                frames,
                format!(
                    "{} sent {} encrypted Informationals (DPD R-U-THERE) in a row, and {} answered none",
                    last.src.addr,
                    run.len(),
                    last.dst.addr
                ),
            )
            .candidates(&["peer down or unreachable", "peer lost the IKE SA (rebooted)"]),
        );
    }
}
