//! IKEv1 rules: Main/Aggressive Mode progress, cleartext notifications,
//! Quick Mode outcomes, dead peer detection.

use super::{frames_text, intervals, span, Basis, Code, SaOutcome, Verdict};
use crate::capture::FrameNo;
use crate::flow::coverage::{DPD_QUIET_SECS, LARGE_MESSAGE, RETRANSMIT_SECS};
use crate::flow::{state, Coverage, Dir, IkeMsg, IkeSa, Mode, SeenNotify, Step, Tunnel, Wait};
use crate::registry::cause::Cause;
use crate::registry::proto::notify_v1 as n;

const INFORMATIONAL: u8 = crate::registry::proto::ExchangeV1::Informational.number();
const QUICK: u8 = crate::registry::proto::ExchangeV1::Quick.number();

fn notifies(sa: &IkeSa) -> Vec<(&IkeMsg, &SeenNotify)> {
    sa.messages
        .iter()
        .flat_map(|m| m.notifies.iter().map(move |n| (m, n)))
        .collect()
}

fn name(n: &SeenNotify) -> String {
    n.name
        .map(str::to_string)
        .unwrap_or_else(|| format!("notify {}", n.notify_type))
}

pub(super) fn check(sa: &IkeSa, _t: &Tunnel, ctx: &Coverage, out: &mut Vec<Verdict>) -> SaOutcome {
    let p1 = state::phase1(sa);
    let mut o = SaOutcome {
        phase1_up: p1.complete,
        ..SaOutcome::default()
    };
    let all_notifies = notifies(sa);
    let silent_for = |last: &IkeMsg| ctx.silence_after(last.ts);

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
        if let (Some((m, _)), false) = (npc, answered) {
            let mut frames = sa.frames_of(first);
            frames.push(m.frame);
            let mut v = Verdict::new(
                Code::Phase1NoProposalChosen,
                frames,
                format!(
                    "{} answered {first} (frame {}) with NO-PROPOSAL-CHOSEN (frame {}): isakmp policy mismatch",
                    m.src.addr,
                    sa.find(first).map_or(0, |f| f.frame),
                    m.frame
                ),
            );
            v.offered = sa.find(first).and_then(|m| m.offer.clone());
            out.push(
                v.basis(Basis::of(m.obs.body))
                    .cause(Cause::Phase1ProposalMismatch),
            );
        } else if !answered {
            let tries: Vec<&IkeMsg> = sa.tries(first).collect();
            let sends: Vec<FrameNo> = tries.iter().map(|m| m.frame).collect();
            if let Some(&last) = tries.last() {
                let f = sa.find(first).unwrap_or(last);
                let times: Vec<_> = tries.iter().map(|m| m.ts).collect();
                let msg = format!(
                    "{first} sent {} time(s) from {} to {} over {}{}, no IKE answer",
                    sends.len(),
                    sa.initiator.addr,
                    sa.responder.addr,
                    span(f.ts, last.ts),
                    intervals(&times)
                );
                if let Wait::Unanswered { .. } = ctx.wait(&times) {
                    out.push(Verdict::new(Code::NoResponse, sends.clone(), msg));
                } else {
                    out.push(Verdict::new(
                        Code::IncompleteCapture,
                        sends.clone(),
                        format!("{msg}; the capture ends {:.1} s later", silent_for(last)),
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
                        "{} sent {} (frame {}): phase 1 authentication failed",
                        m.src.addr,
                        name(nt),
                        m.frame
                    ),
                )
                .candidates(&["pre-shared key mismatch", "identity (ID) mismatch"])
                .basis(Basis::of(nt.visibility)),
            );
        } else if sa.mode == Mode::Main {
            main_mode_stall(sa, p1.last_message, out, &silent_for);
        } else {
            aggressive_stall(sa, p1.last_message, out);
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
                        "{} sent INVALID-ID-INFORMATION (frame {}): the proxy identities (crypto ACL) do not match{proposed}",
                        m.src.addr, m.frame
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
                            "{} sent NO-PROPOSAL-CHOSEN (frame {}) during phase 1, but the negotiation recovered and completed",
                            m.src.addr, m.frame
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
                        "{} refused the phase 2 proposal with NO-PROPOSAL-CHOSEN (frame {}): transform set or PFS mismatch",
                        m.src.addr, m.frame
                    ),
                ).basis(basis))
            }
            n::INVALID_SPI => out.push(
                Verdict::new(
                    Code::InvalidSpi,
                    vec![m.frame],
                    format!("{} reported INVALID-SPI (frame {})", m.src.addr, m.frame),
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
                format!("{} R-U-THERE without R-U-THERE-ACK", rut.len()),
            )
            .basis(basis)
            .cause(Cause::PeerDead),
        );
    }

    if p1.complete {
        quick_modes(sa, out, ctx, &mut o);
        dpd_by_silence(sa, ctx, out);
    }
    o
}

fn main_mode_stall(
    sa: &IkeSa,
    last: Option<Step>,
    out: &mut Vec<Verdict>,
    silent_for: &dyn Fn(&IkeMsg) -> f64,
) {
    let info_from = |d: Dir| -> Vec<FrameNo> {
        sa.messages
            .iter()
            .filter(|m| m.exchange_type == INFORMATIONAL && m.dir == d)
            .map(|m| m.frame)
            .collect()
    };
    match last {
        Some(Step::Main(2)) => out.push(Verdict::new(
            Code::Phase1KeyExchangeStalled,
            sa.frames_of(Step::Main(2)),
            format!(
                "{} answered MM1 but {} never sent MM3: the initiator did not accept the chosen proposal or stopped",
                sa.responder.addr, sa.initiator.addr
            ),
        )),
        Some(Step::Main(3)) => {
            let frames = sa.frames_of(Step::Main(3));
            let m = sa.find(Step::Main(3));
            let mut v = Verdict::new(
                Code::Phase1KeyExchangeStalled,
                frames.clone(),
                format!(
                    "MM3 (key exchange) sent {} time(s), no MM4 from {}",
                    frames.len(),
                    sa.responder.addr
                ),
            );
            if m.is_some_and(|m| silent_for(m) < RETRANSMIT_SECS && frames.len() < 2) {
                v = v.severity(super::Severity::Warning);
            }
            out.push(v);
        }
        Some(Step::Main(4)) => out.push(
            Verdict::new(
                Code::Phase1AuthFailed,
                sa.frames_of(Step::Main(4)),
                format!(
                    "MM4 received but {} never sent MM5: the initiator could not build its authentication",
                    sa.initiator.addr
                ),
            )
            .candidates(&[
                "no pre-shared key configured on the initiator for this peer",
                "certificate or identity problem on the initiator",
            ]),
        ),
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
            let mut v = Verdict::new(
                Code::Phase1AuthFailed,
                frames,
                format!("Stalled after MM5: {how}; most likely a pre-shared key mismatch"),
            )
            .candidates(&[
                "pre-shared key mismatch",
                "identity mismatch (the responder has no key or tunnel-group for the identity sent)",
            ]);
            if mm5.len() < 2 && replies.is_empty() {
                v = v.severity(super::Severity::Warning);
            }
            out.push(v);
        }
        _ => {}
    }
}

fn aggressive_stall(sa: &IkeSa, last: Option<Step>, out: &mut Vec<Verdict>) {
    if last == Some(Step::Aggressive(2)) {
        let mut frames = sa.frames_of(Step::Aggressive(2));
        frames.extend(
            sa.messages
                .iter()
                .filter(|m| m.exchange_type == INFORMATIONAL)
                .map(|m| m.frame),
        );
        out.push(
            Verdict::new(
                Code::Phase1AuthFailed,
                frames,
                format!(
                    "AM2 received but {} never sent AM3: it rejected the responder's hash; most likely a pre-shared key mismatch",
                    sa.initiator.addr
                ),
            )
            .candidates(&["pre-shared key mismatch", "identity mismatch"]),
        );
    }
}

fn quick_modes(sa: &IkeSa, out: &mut Vec<Verdict>, ctx: &Coverage, o: &mut SaOutcome) {
    for q in &sa.quick_modes {
        if q.last >= 2 {
            o.child_up = true;
            // QM2 sent again after QM3: the QM responder did not take QM3.
            let of_q = |l: Step| -> Vec<&IkeMsg> {
                sa.messages
                    .iter()
                    .filter(|m| m.message_id == q.message_id && m.step == l && m.is_try())
                    .collect()
            };
            let qm3 = of_q(Step::Quick(3));
            if let Some(first3) = qm3.first() {
                let again: Vec<FrameNo> = of_q(Step::Quick(2))
                    .iter()
                    .filter(|m| m.frame > first3.frame)
                    .map(|m| m.frame)
                    .collect();
                if !again.is_empty() {
                    let mut frames = vec![first3.frame];
                    frames.extend(&again);
                    out.push(
                        Verdict::new(
                            Code::Phase2Unconfirmed,
                            frames,
                            format!(
                                "QM2 (message ID {:#010x}) was sent again {} time(s) after QM3 (frame {}): the Quick Mode responder did not take QM3, so it may not have installed the SAs",
                                q.message_id,
                                again.len(),
                                first3.frame
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
        } else if let Wait::Unanswered { .. } =
            ctx.wait(&qm1.iter().map(|m| m.ts).collect::<Vec<_>>())
        {
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

/// Encrypted Informationals (DPD R-U-THERE) from one side at the end of the
/// capture with nothing from the other side: the peer stopped answering.
fn dpd_by_silence(sa: &IkeSa, ctx: &Coverage, out: &mut Vec<Verdict>) {
    let Some(last) = sa.messages.last() else {
        return;
    };
    if last.exchange_type != INFORMATIONAL || !last.encrypted {
        return;
    }
    let side = last.dir;
    let run: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .rev()
        .take_while(|m| m.dir == side && m.exchange_type == INFORMATIONAL)
        .collect();
    let unanswered_for = ctx.silence_after(run[run.len() - 1].ts);
    if run.len() >= 3 || (run.len() >= 2 && unanswered_for >= DPD_QUIET_SECS) {
        let mut frames: Vec<FrameNo> = run.iter().map(|m| m.frame).collect();
        frames.reverse();
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
