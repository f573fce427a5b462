//! IKEv2 rules (RFC 7296): IKE_SA_INIT and IKE_AUTH outcomes, cleartext
//! notifications, INVALID_KE_PAYLOAD retries, liveness checks.

use super::{frames_text, intervals, span, try_times, Basis, Code, SaOutcome, Severity, Verdict};
use crate::capture::FrameNo;
use crate::flow::coverage::{LARGE_MESSAGE, RETRANSMIT_SECS};
use crate::flow::state::MIN_AUTH_ANSWER;
use crate::flow::{state, Coverage, Dir, IkeMsg, IkeSa, Role, Step, Tunnel, Wait};
use crate::registry::cause::Cause;
use crate::registry::ikev2::DH_GROUPS;
use crate::registry::proto::{notify_label, notify_v2 as n};

/// "NO_PROPOSAL_CHOSEN (14)": the IKEv2 registry name and number.
fn label(t: u16) -> String {
    notify_label(2, t)
}
use crate::registry::proto::ExchangeV2::{self, CreateChildSa, IkeAuth, IkeSaInit, Informational};

const fn request(e: ExchangeV2) -> Step {
    Step::V2(e, Role::Request)
}

const fn response(e: ExchangeV2) -> Step {
    Step::V2(e, Role::Response)
}

/// Messages of a step, capture duplicates left out.
fn with_step(sa: &IkeSa, step: Step) -> impl Iterator<Item = &IkeMsg> + '_ {
    sa.with_step(step)
        .filter(|m| m.copy.duplicate_of().is_none())
}

fn has_error(m: &IkeMsg) -> Option<u16> {
    m.error_notifies().map(|n| n.notify_type).next()
}

pub(super) fn check(sa: &IkeSa, t: &Tunnel, ctx: &Coverage, out: &mut Vec<Verdict>) -> SaOutcome {
    let p1 = state::phase1(sa);
    let mut o = SaOutcome {
        phase1_up: p1.complete,
        ..SaOutcome::default()
    };
    let init_req: Vec<&IkeMsg> = with_step(sa, request(IkeSaInit)).collect();
    let init_resp: Vec<&IkeMsg> = with_step(sa, response(IkeSaInit)).collect();

    if !sa.start_seen && init_req.is_empty() {
        let f: Vec<FrameNo> = sa.messages.iter().take(1).map(|m| m.frame).collect();
        out.push(Verdict::new(
            Code::IncompleteCapture,
            f,
            format!(
                "IKE SA {:016x}: the capture starts after IKE_SA_INIT; only later exchanges were seen",
                sa.ispi
            ),
        ));
    }

    // IKE_SA_INIT.
    let mut init_ok = false;
    if !init_req.is_empty() {
        let npc = init_resp.iter().find(|m| {
            m.notifies
                .iter()
                .any(|x| x.notify_type == n::NO_PROPOSAL_CHOSEN)
        });
        let ike = init_resp.iter().find_map(|m| {
            m.notifies
                .iter()
                .find(|x| x.notify_type == n::INVALID_KE_PAYLOAD)
                .map(|x| (*m, x.value))
        });
        init_ok = init_resp.iter().any(|m| has_error(m).is_none());
        if let Some((m, group)) = ike {
            // The retry may reuse the SPI or start a new IKE SA (a new SPI):
            // look in every IKE SA of the tunnel from the same initiator.
            let retry = group.and_then(|g| {
                t.ike_sas
                    .iter()
                    .flat_map(|s| s.messages.iter())
                    .filter(|r| {
                        r.step == request(IkeSaInit)
                            && r.frame > m.frame
                            && r.src.addr == sa.initiator.addr
                            && r.ke_group == Some(g as u16)
                    })
                    .min_by_key(|r| r.frame)
            });
            let worked = retry.is_some_and(|r| {
                t.ike_sas.iter().any(|s| {
                    s.messages.iter().any(|x| x.frame == r.frame)
                        && s.messages.iter().any(|x| {
                            x.step == response(IkeSaInit)
                                && x.frame > r.frame
                                && has_error(x).is_none()
                        })
                })
            });
            // Not worked: is that seen, or did the capture end first? A
            // retry answered (with an error) is seen; a retry unanswered is
            // judged as any request is (its retransmissions, the silence
            // after); no retry at all needs the time a retry was due.
            let retry_answered = retry.is_some_and(|r| {
                t.ike_sas.iter().any(|s| {
                    s.messages.iter().any(|x| x.frame == r.frame)
                        && s.messages
                            .iter()
                            .any(|x| x.step == response(IkeSaInit) && x.frame > r.frame)
                })
            });
            let unseen = !worked
                && match retry {
                    Some(r) if !retry_answered => {
                        let tries: Vec<_> = t
                            .ike_sas
                            .iter()
                            .flat_map(|s| s.messages.iter())
                            .filter(|x| {
                                x.step == request(IkeSaInit)
                                    && x.frame >= r.frame
                                    && x.src.addr == r.src.addr
                                    && x.ke_group == r.ke_group
                            })
                            .map(|x| x.ts)
                            .collect();
                        matches!(ctx.wait_in(t, &tries), Wait::TooSoon { .. })
                    }
                    Some(_) => false,
                    None => {
                        ctx.silence_after(m.ts) < RETRANSMIT_SECS
                            || Coverage::one_sided(t).is_some()
                    }
                };
            let offered_group = init_req.first().and_then(|r| r.ke_group);
            let mut frames = vec![m.frame];
            if let Some(r) = retry {
                frames.push(r.frame);
            }
            let g = |x: Option<u32>| x.map_or("?".to_string(), |v| DH_GROUPS.label(v, "group"));
            let msg = format!(
                "{} answered {} in frame {}: it wants DH {} instead of {}; {}",
                m.src.addr,
                label(n::INVALID_KE_PAYLOAD),
                m.frame,
                g(group),
                g(offered_group.map(u32::from)),
                match (retry, worked) {
                    (Some(r), true) => format!("the retry (frame {}) succeeded", r.frame),
                    (Some(r), false) if unseen => format!(
                        "the retry (frame {}) is not answered in the capture, which {}: whether it worked is not in the capture",
                        r.frame,
                        ctx.why_unknown(t, &[r.ts]).trim_start_matches("the capture ")
                    ),
                    (Some(r), false) => format!("the retry (frame {}) got no good answer", r.frame),
                    (None, _) if unseen => match Coverage::one_sided(t) {
                        Some(only) => format!(
                            "no retry with that group is in the capture, which holds only packets sent by {only}: whether the initiator retried is not in it"
                        ),
                        None => format!(
                            "no retry with that group is in the capture, which ends {:.1} s after the refusal: whether the initiator retried is not in it",
                            ctx.silence_after(m.ts)
                        ),
                    },
                    (None, _) => "no retry with that group was seen".to_string(),
                }
            );
            let sev = if worked || unseen {
                Severity::Info
            } else {
                Severity::Error
            };
            out.push(
                Verdict::new(Code::Phase1InvalidKe, frames, msg)
                    .severity(sev)
                    .basis(Basis::Clear)
                    .cause(Cause::DhGroupMismatch),
            );
        }
        if let (Some(m), false) = (npc, init_ok) {
            let mut frames: Vec<FrameNo> = init_req.iter().map(|r| r.frame).collect();
            frames.push(m.frame);
            let mut v =
                Verdict::new(
                    Code::Phase1NoProposalChosen,
                    frames,
                    format!(
                    "{} answered IKE_SA_INIT with {} in frame {}: IKEv2 policy/proposal mismatch",
                    m.src.addr, label(n::NO_PROPOSAL_CHOSEN), m.frame
                ),
                );
            v.offered = init_req.first().and_then(|r| r.offer.clone());
            out.push(v.basis(Basis::Clear).cause(Cause::Phase1ProposalMismatch));
        } else if init_resp.is_empty() {
            let frames: Vec<FrameNo> = init_req.iter().map(|r| r.frame).collect();
            let (f, l) = (init_req[0], init_req[init_req.len() - 1]);
            let msg = format!(
                "IKE_SA_INIT sent {} time(s) from {} to {} over {}{}, no IKE answer",
                frames.len(),
                sa.initiator.addr,
                sa.responder.addr,
                span(f.ts, l.ts),
                intervals(&init_req.iter().map(|m| m.ts).collect::<Vec<_>>())
            );
            let _ = l;
            let tries = try_times(&init_req);
            // A later request carrying the responder's SPI (IKE_AUTH after
            // an unseen IKE_SA_INIT answer) proves the answer came.
            let proof = sa
                .messages
                .iter()
                .find(|m| m.dir == Dir::I2R && m.rspi != 0 && m.is_try());
            if let Some(p) = proof {
                out.push(Verdict::new(
                    Code::IncompleteCapture,
                    frames,
                    format!(
                        "{msg} in the capture, yet {} (frame {}) carries the responder's SPI: the answer came and the capture misses the direction from {}",
                        p.step, p.frame, sa.responder.addr
                    ),
                ));
            } else if let Wait::Unanswered { .. } = ctx.wait_in(t, &tries) {
                out.push(Verdict::new(Code::NoResponse, frames, msg));
            } else {
                out.push(Verdict::new(
                    Code::IncompleteCapture,
                    frames,
                    format!("{msg}; {}", ctx.why_unknown(t, &tries)),
                ));
            }
        }
    }

    // IKE_AUTH.
    let auth_req: Vec<&IkeMsg> = with_step(sa, request(IkeAuth)).collect();
    let auth_resp: Vec<&IkeMsg> = with_step(sa, response(IkeAuth)).collect();
    if (init_ok || !sa.start_seen) && !auth_req.is_empty() {
        if auth_resp.is_empty() {
            let frames: Vec<FrameNo> = auth_req.iter().map(|m| m.frame).collect();
            // Tries of the whole message: fragments 2..n of an SKF-split
            // request are pieces, not tries.
            let whole: Vec<&IkeMsg> = auth_req
                .iter()
                .copied()
                .filter(|m| m.ike_fragment.is_none_or(|(n, _)| n <= 1))
                .collect();
            let tries = try_times(&whole);
            if let Wait::Unanswered { .. } = ctx.wait_in(t, &tries) {
                out.push(Verdict::new(
                    Code::IkeAuthNoResponse,
                    frames.clone(),
                    format!(
                        "IKE_AUTH sent {} time(s){}, no answer from {}",
                        whole.len(),
                        intervals(&whole.iter().map(|m| m.ts).collect::<Vec<_>>()),
                        sa.responder.addr
                    ),
                ));
                let big = auth_req
                    .iter()
                    .any(|m| m.length > LARGE_MESSAGE || !m.fragments.is_empty());
                if big {
                    out.push(Verdict::new(
                        Code::FragmentationSuspected,
                        frames,
                        "IKE_AUTH is large (IP-fragmented or above 1280 bytes) and went unanswered"
                            .to_string(),
                    ));
                }
            } else {
                out.push(Verdict::new(
                    Code::IncompleteCapture,
                    frames,
                    format!(
                        "IKE_AUTH sent {} time(s), no answer in the capture: {}",
                        whole.len(),
                        ctx.why_unknown(t, &tries)
                    ),
                ));
            }
        } else {
            auth_outcome(ctx, sa, t, &auth_req, &auth_resp, out, &mut o);
        }
    }

    // CREATE_CHILD_SA.
    if with_step(sa, response(CreateChildSa)).any(|m| has_error(m).is_none()) {
        o.child_up = true;
    }
    let ccs_req: Vec<&IkeMsg> = with_step(sa, request(CreateChildSa)).collect();
    if !ccs_req.is_empty() && with_step(sa, response(CreateChildSa)).next().is_none() {
        let tries = try_times(&ccs_req);
        // A retransmission proves the first try went unanswered; a single
        // try needs the coverage's silence.
        let retransmitted = ccs_req.iter().any(|m| m.retransmit_of().is_some());
        if retransmitted && matches!(ctx.wait_in(t, &tries), Wait::Unanswered { .. }) {
            out.push(Verdict::new(
                Code::Phase2NoResponse,
                ccs_req.iter().map(|m| m.frame).collect(),
                format!(
                    "CREATE_CHILD_SA sent {} time(s) without an answer",
                    ccs_req.len()
                ),
            ));
        }
    }

    // Cleartext notifications outside IKE_SA_INIT.
    for m in &sa.messages {
        for x in &m.notifies {
            let basis = Basis::of(x.visibility);
            match x.notify_type {
                n::INVALID_SPI => out.push(
                    Verdict::new(
                        Code::InvalidSpi,
                        vec![m.frame],
                        format!("{} reported {} in frame {}", m.src.addr, label(n::INVALID_SPI), m.frame),
                    )
                    .basis(basis)
                    .cause(Cause::InvalidSpi),
                ),
                n::TS_UNACCEPTABLE => out.push(
                    Verdict::new(
                        Code::Phase2InvalidId,
                        vec![m.frame],
                        format!(
                            "{} answered {} in frame {}: traffic selectors (crypto ACL) do not match",
                            m.src.addr, label(n::TS_UNACCEPTABLE), m.frame
                        ),
                    )
                    .basis(basis)
                    .cause(Cause::ProxyIdMismatch),
                ),
                n::AUTHENTICATION_FAILED => out.push(
                    Verdict::new(
                        Code::AuthFailed,
                        vec![m.frame],
                        format!("{} sent {} in frame {}", m.src.addr, label(n::AUTHENTICATION_FAILED), m.frame),
                    )
                    .basis(basis),
                ),
                _ => {}
            }
        }
    }

    liveness(sa, out);
    o
}

/// An encrypted IKE_AUTH answer at least this share of the request's size
/// has room for IDr, AUTH, SA and traffic selectors (a size guess, used
/// only while the contents are opaque).
const FULL_ANSWER_RATIO: f64 = 0.6;

fn enc_len(m: &IkeMsg) -> usize {
    m.encrypted_length
        .unwrap_or((m.length as usize).saturating_sub(28))
}

fn auth_outcome(
    ctx: &Coverage,
    sa: &IkeSa,
    t: &Tunnel,
    req: &[&IkeMsg],
    resp: &[&IkeMsg],
    out: &mut Vec<Verdict>,
    o: &mut SaOutcome,
) {
    // EAP and multiple authentication (RFC 7296 §2.16, RFC 4739) take
    // several IKE_AUTH rounds, each with its own message ID; the early
    // rounds' answers are small by nature. The last round decides.
    let round = resp.iter().map(|m| m.message_id).max().unwrap_or(0);
    let resp: Vec<&IkeMsg> = resp
        .iter()
        .copied()
        .filter(|m| m.message_id == round)
        .collect();
    let req: Vec<&IkeMsg> = {
        let same: Vec<&IkeMsg> = req
            .iter()
            .copied()
            .filter(|m| m.message_id == round)
            .collect();
        if same.is_empty() {
            req.to_vec()
        } else {
            same
        }
    };
    let Some(&r) = resp.first() else {
        return;
    };
    if has_error(r).is_some() {
        // Cleartext errors are reported by the notification rule.
        return;
    }
    // Evidence before size: ESP or a child SA after the answer means it
    // was accepted, whatever its size.
    if t.esp.iter().any(|e| e.first_frame > r.frame)
        || sa
            .messages
            .iter()
            .any(|m| m.step == response(CreateChildSa) && has_error(m).is_none())
    {
        o.child_up = true;
        return;
    }
    // Fragmented answers (SKF): add up the distinct fragments.
    let answer: usize = resp
        .iter()
        .filter(|m| m.retransmit_of().is_none())
        .map(|m| enc_len(m))
        .sum();
    let asked: usize = req
        .iter()
        .filter(|m| m.retransmit_of().is_none())
        .map(|m| enc_len(m))
        .sum();
    // An answer split by IKE fragmentation (RFC 7383) with pieces missing
    // from the capture cannot be judged by its size.
    let pieces: std::collections::BTreeSet<u16> = resp
        .iter()
        .filter_map(|m| m.ike_fragment.map(|(n, _)| n))
        .collect();
    let total = resp
        .iter()
        .filter_map(|m| m.ike_fragment.map(|(_, t)| t))
        .max();
    let esp_after = t.esp.iter().any(|e| e.first_frame > r.frame);
    let child_later = sa
        .messages
        .iter()
        .any(|m| m.step == response(CreateChildSa) && has_error(m).is_none());
    let mut frames: Vec<FrameNo> = req.iter().chain(resp.iter()).map(|m| m.frame).collect();
    frames.sort_unstable();
    frames.dedup();
    let missing_pieces = total.is_some_and(|n| usize::from(n) > pieces.len());
    if missing_pieces && !(esp_after || child_later || t.esp.iter().any(|e| e.packets > 0)) {
        out.push(Verdict::new(
            Code::IncompleteCapture,
            frames,
            format!(
                "The IKE_AUTH answer (frame {}) is split into {} fragments and the capture holds {}: its size says nothing",
                r.frame,
                total.unwrap_or(0),
                pieces.len()
            ),
        ));
        return;
    }
    if answer < MIN_AUTH_ANSWER {
        o.auth_refused = true;
        o.phase1_up = false;
        out.push(
            Verdict::new(
                Code::AuthFailed,
                frames,
                format!(
                    "The IKE_AUTH answer (frame {}) carries only {answer} encrypted bytes: too small for IDr and AUTH, so {} refused the authentication",
                    r.frame, r.src.addr
                ),
            )
            .candidates(&["pre-shared key mismatch", "identity mismatch", "certificate not trusted"]),
        );
        return;
    }
    if esp_after || child_later || t.esp.iter().any(|e| e.packets > 0) {
        o.child_up = true;
        return;
    }
    // Answered, but nothing follows: look at what came next.
    let info_after: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .filter(|m| m.frame > r.frame && m.step == request(Informational))
        .collect();
    let initiator_deleted = info_after.first().is_some_and(|m| m.dir == Dir::I2R);
    let ratio = answer as f64 / asked.max(1) as f64;
    // The capture ends right after the answer: nothing can be said of what
    // would have followed.
    let quiet = ctx.end.map_or(f64::MAX, |e| e.since(r.ts));
    if quiet < RETRANSMIT_SECS && info_after.is_empty() && ratio >= FULL_ANSWER_RATIO {
        out.push(Verdict::new(
            Code::IncompleteCapture,
            frames,
            format!(
                "IKE_AUTH was answered (frame {}) {quiet:.1} s before the capture ends: whether a child SA and ESP followed is not in the capture",
                r.frame
            ),
        ));
        return;
    }
    if ratio >= FULL_ANSWER_RATIO && !initiator_deleted {
        // As large as a full answer and nothing says otherwise: the size
        // points to success; only the child SA's traffic is missing, which
        // a capture filtered to IKE (udp port 500/4500 without ESP) or cut
        // short also gives. Not a failure the capture can support.
        out.push(Verdict::new(
            Code::IncompleteCapture,
            frames,
            format!(
                "IKE_AUTH was answered (frame {}) with {answer} encrypted bytes ({:.0}% of the request), as large as a full answer; no ESP and no later exchange of this SA are in the capture, so whether the child SA came up is not shown (the contents are encrypted)",
                r.frame,
                ratio * 100.0
            ),
        ));
        return;
    }
    let (why, cands, severity): (String, &[&str], Severity) = if ratio >= FULL_ANSWER_RATIO {
        (
            format!(
                "the answer ({answer} encrypted bytes, {:.0}% of the request) is as large as a full one, and {} closed the SA right after ({})",
                ratio * 100.0,
                sa.initiator.addr,
                frames_text(&info_after.iter().take(1).map(|m| m.frame).collect::<Vec<_>>())
            ),
            &[
                "the initiator rejected the responder's authentication (AUTH or certificate)",
                "traffic selector (crypto ACL) or child SA proposal mismatch",
                "EAP or multiple authentication rounds not completed",
            ],
            Severity::Warning,
        )
    } else {
        (
            format!(
                "the answer ({answer} encrypted bytes, {:.0}% of the request) has room for IDr and AUTH but not for the SA and traffic selectors",
                ratio * 100.0
            ),
            &[
                "traffic selector (crypto ACL / proxy-ID) mismatch: TS_UNACCEPTABLE",
                "child SA proposal (transform set / PFS) mismatch: NO_PROPOSAL_CHOSEN",
                "the initiator rejected the responder's authentication",
            ],
            Code::IkeAuthRejected.severity(),
        )
    };
    frames.extend(info_after.iter().take(2).map(|m| m.frame));
    o.auth_refused = true;
    out.push(
        Verdict::new(
            Code::IkeAuthRejected,
            frames,
            format!(
                "IKE_AUTH was answered (frame {}) but no child SA and no ESP followed: {why}; the reason is encrypted",
                r.frame
            ),
        )
        .candidates(cands)
        .severity(severity),
    );
}

/// INFORMATIONAL requests (liveness checks) repeated without a response.
fn liveness(sa: &IkeSa, out: &mut Vec<Verdict>) {
    let reqs: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .filter(|m| m.step == request(Informational) && m.is_try())
        .collect();
    let Some(last) = reqs.last() else {
        return;
    };
    let answered = sa.messages.iter().any(|m| {
        m.step == response(Informational) && m.message_id == last.message_id && m.dir != last.dir
    });
    let tries: Vec<FrameNo> = reqs
        .iter()
        .filter(|m| m.message_id == last.message_id && m.dir == last.dir)
        .map(|m| m.frame)
        .collect();
    if !answered && tries.len() >= 3 {
        out.push(
            Verdict::new(
                Code::DpdTimeout,
                tries.clone(),
                format!(
                    "{} sent an INFORMATIONAL request (message ID {}) {} times without a response",
                    last.src.addr,
                    last.message_id,
                    tries.len()
                ),
            )
            .candidates(&[
                "peer down or unreachable",
                "peer lost the IKE SA (rebooted)",
            ]),
        );
    }
}
