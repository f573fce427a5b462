//! IKEv2 rules (RFC 7296): IKE_SA_INIT and IKE_AUTH outcomes, cleartext
//! notifications, INVALID_KE_PAYLOAD retries, liveness checks.

use super::{frames_text, intervals, span, Context, SaOutcome, Severity, Verdict};
use crate::capture::FrameNo;
use crate::flow::{state, Dir, IkeMsg, IkeSa, Tunnel};

/// IKEv2 notify types (RFC 7296 §3.10.1).
mod n {
    pub const INVALID_SPI: u16 = 11;
    pub const NO_PROPOSAL_CHOSEN: u16 = 14;
    pub const INVALID_KE_PAYLOAD: u16 = 17;
    pub const AUTHENTICATION_FAILED: u16 = 24;
    pub const TS_UNACCEPTABLE: u16 = 38;
    /// Error types are below this value; status types at or above.
    pub const FIRST_STATUS: u16 = 16384;
}

const SILENCE_SECS: f64 = 3.0;
const LARGE_MESSAGE: u32 = 1280;
use crate::flow::state::MIN_AUTH_ANSWER;

fn with_label<'a>(sa: &'a IkeSa, label: &'a str) -> impl Iterator<Item = &'a IkeMsg> + 'a {
    sa.messages.iter().filter(move |m| m.label == label)
}

fn has_error(m: &IkeMsg) -> Option<u16> {
    m.notifies
        .iter()
        .map(|n| n.notify_type)
        .find(|&t| t < n::FIRST_STATUS)
}

pub(super) fn check(sa: &IkeSa, t: &Tunnel, ctx: &Context, out: &mut Vec<Verdict>) -> SaOutcome {
    let p1 = state::phase1(sa);
    let mut o = SaOutcome {
        phase1_up: p1.complete,
        child_up: false,
    };
    let silent_for = |m: &IkeMsg| ctx.capture_end.map_or(0.0, |end| end.since(m.ts));
    let init_req: Vec<&IkeMsg> = with_label(sa, "IKE_SA_INIT req").collect();
    let init_resp: Vec<&IkeMsg> = with_label(sa, "IKE_SA_INIT resp").collect();

    if !sa.start_seen && init_req.is_empty() {
        let f: Vec<FrameNo> = sa.messages.iter().take(1).map(|m| m.frame).collect();
        out.push(Verdict::new(
            "incomplete-capture",
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
                        r.label == "IKE_SA_INIT req"
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
                            x.label == "IKE_SA_INIT resp"
                                && x.frame > r.frame
                                && has_error(x).is_none()
                        })
                })
            });
            let offered_group = init_req.first().and_then(|r| r.ke_group);
            let mut frames = vec![m.frame];
            if let Some(r) = retry {
                frames.push(r.frame);
            }
            let g = |x: Option<u32>| x.map_or("?".to_string(), |v| v.to_string());
            let msg = format!(
                "{} answered INVALID_KE_PAYLOAD (frame {}): it wants DH group {} instead of {}; {}",
                m.src.addr,
                m.frame,
                g(group),
                g(offered_group.map(u32::from)),
                match (retry, worked) {
                    (Some(r), true) => format!(
                        "the retry with group {} (frame {}) succeeded",
                        g(group),
                        r.frame
                    ),
                    (Some(r), false) => format!(
                        "the retry with group {} (frame {}) got no good answer",
                        g(group),
                        r.frame
                    ),
                    (None, _) => "no retry with that group was seen".to_string(),
                }
            );
            let sev = if worked {
                Severity::Info
            } else {
                Severity::Error
            };
            out.push(Verdict::new("phase1-invalid-ke", frames, msg).severity(sev));
        }
        if let (Some(m), false) = (npc, init_ok) {
            let mut frames: Vec<FrameNo> = init_req.iter().map(|r| r.frame).collect();
            frames.push(m.frame);
            let mut v = Verdict::new(
                "phase1-no-proposal-chosen",
                frames,
                format!(
                    "{} answered IKE_SA_INIT with NO_PROPOSAL_CHOSEN (frame {}): IKEv2 policy/proposal mismatch",
                    m.src.addr, m.frame
                ),
            );
            v.offered = init_req.first().and_then(|r| r.offer.clone());
            out.push(v);
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
            if frames.len() >= 2 || silent_for(l) >= SILENCE_SECS {
                out.push(Verdict::new("no-response", frames, msg));
            } else {
                out.push(Verdict::new("incomplete-capture", frames, msg));
            }
        }
    }

    // IKE_AUTH.
    let auth_req: Vec<&IkeMsg> = with_label(sa, "IKE_AUTH req").collect();
    let auth_resp: Vec<&IkeMsg> = with_label(sa, "IKE_AUTH resp").collect();
    if (init_ok || !sa.start_seen) && !auth_req.is_empty() {
        if auth_resp.is_empty() {
            let frames: Vec<FrameNo> = auth_req.iter().map(|m| m.frame).collect();
            let distinct = auth_req
                .iter()
                .filter(|m| m.retransmit_of.is_none())
                .count();
            let l = auth_req[auth_req.len() - 1];
            let repeated = auth_req.len() > distinct;
            if repeated || silent_for(l) >= SILENCE_SECS {
                out.push(Verdict::new(
                    "ike-auth-no-response",
                    frames.clone(),
                    format!(
                        "IKE_AUTH sent {} time(s){}, no answer from {}",
                        auth_req.len(),
                        intervals(&auth_req.iter().map(|m| m.ts).collect::<Vec<_>>()),
                        sa.responder.addr
                    ),
                ));
                let big = auth_req
                    .iter()
                    .any(|m| m.length > LARGE_MESSAGE || !m.fragments.is_empty());
                if big {
                    out.push(Verdict::new(
                        "fragmentation-suspected",
                        frames,
                        "IKE_AUTH is large (IP-fragmented or above 1280 bytes) and went unanswered"
                            .to_string(),
                    ));
                }
            } else {
                out.push(Verdict::new(
                    "incomplete-capture",
                    frames,
                    "IKE_AUTH sent just before the capture ends".to_string(),
                ));
            }
        } else {
            auth_outcome(ctx.capture_end, sa, t, &auth_req, &auth_resp, out, &mut o);
        }
    }

    // CREATE_CHILD_SA.
    if with_label(sa, "CREATE_CHILD_SA resp").any(|m| has_error(m).is_none()) {
        o.child_up = true;
    }
    let ccs_req: Vec<&IkeMsg> = with_label(sa, "CREATE_CHILD_SA req").collect();
    if !ccs_req.is_empty() && with_label(sa, "CREATE_CHILD_SA resp").next().is_none() {
        let distinct = ccs_req.iter().filter(|m| m.retransmit_of.is_none()).count();
        if ccs_req.len() > distinct {
            out.push(Verdict::new(
                "phase2-no-response",
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
            match x.notify_type {
                n::INVALID_SPI => out.push(Verdict::new(
                    "invalid-spi",
                    vec![m.frame],
                    format!("{} reported INVALID_SPI (frame {})", m.src.addr, m.frame),
                )),
                n::TS_UNACCEPTABLE => out.push(Verdict::new(
                    "phase2-invalid-id",
                    vec![m.frame],
                    format!(
                        "{} answered TS_UNACCEPTABLE (frame {}): traffic selectors (crypto ACL) do not match",
                        m.src.addr, m.frame
                    ),
                )),
                n::AUTHENTICATION_FAILED => out.push(Verdict::new(
                    "auth-failed",
                    vec![m.frame],
                    format!("{} sent AUTHENTICATION_FAILED (frame {})", m.src.addr, m.frame),
                )),
                _ => {}
            }
        }
    }

    liveness(sa, out);
    o
}

fn enc_len(m: &IkeMsg) -> usize {
    m.encrypted_length
        .unwrap_or((m.length as usize).saturating_sub(28))
}

fn auth_outcome(
    ctx_end: Option<crate::capture::Timestamp>,
    sa: &IkeSa,
    t: &Tunnel,
    req: &[&IkeMsg],
    resp: &[&IkeMsg],
    out: &mut Vec<Verdict>,
    o: &mut SaOutcome,
) {
    let r = resp[0];
    if has_error(r).is_some() {
        // Cleartext errors are reported by the notification rule.
        return;
    }
    // Fragmented answers (SKF): add up the distinct fragments.
    let answer: usize = resp
        .iter()
        .filter(|m| m.retransmit_of.is_none())
        .map(|m| enc_len(m))
        .sum();
    let asked: usize = req
        .iter()
        .filter(|m| m.retransmit_of.is_none())
        .map(|m| enc_len(m))
        .sum();
    let esp_after = t.esp.iter().any(|e| e.first_frame > r.frame);
    let child_later = sa
        .messages
        .iter()
        .any(|m| m.label == "CREATE_CHILD_SA resp" && has_error(m).is_none());
    let mut frames: Vec<FrameNo> = req.iter().chain(resp.iter()).map(|m| m.frame).collect();
    frames.sort_unstable();
    frames.dedup();
    if answer < MIN_AUTH_ANSWER {
        out.push(
            Verdict::new(
                "auth-failed",
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
        .filter(|m| m.frame > r.frame && m.label == "INFORMATIONAL req")
        .collect();
    let initiator_deleted = info_after.first().is_some_and(|m| m.dir == Dir::I2R);
    let ratio = answer as f64 / asked.max(1) as f64;
    // The capture ends right after the answer: nothing can be said of what
    // would have followed.
    let quiet = ctx_end.map_or(f64::MAX, |e| e.since(r.ts));
    if quiet < 3.0 && info_after.is_empty() && ratio >= 0.6 {
        out.push(Verdict::new(
            "incomplete-capture",
            frames,
            format!(
                "IKE_AUTH was answered (frame {}) {quiet:.1} s before the capture ends: whether a child SA and ESP followed is not in the capture",
                r.frame
            ),
        ));
        return;
    }
    let (why, cands): (String, &[&str]) = if ratio >= 0.6 {
        (
            format!(
                "the answer ({answer} encrypted bytes, {:.0}% of the request) is as large as a full one{}",
                ratio * 100.0,
                if initiator_deleted {
                    format!(
                        ", and {} closed the SA right after ({})",
                        sa.initiator.addr,
                        frames_text(&info_after.iter().take(1).map(|m| m.frame).collect::<Vec<_>>())
                    )
                } else {
                    String::new()
                }
            ),
            &[
                "the initiator rejected the responder's authentication (AUTH or certificate)",
                "traffic selector (crypto ACL) or child SA proposal mismatch",
                "EAP or multiple authentication rounds not completed",
            ],
        )
    } else if initiator_deleted && ratio >= 0.6 {
        (
            format!(
                "the answer ({answer} encrypted bytes) is as large as a full one, and {} closed the SA right after ({})",
                sa.initiator.addr,
                frames_text(&info_after.iter().take(1).map(|m| m.frame).collect::<Vec<_>>())
            ),
            &[
                "the initiator rejected the responder's authentication (AUTH or certificate)",
                "traffic selector (crypto ACL) or child SA proposal mismatch",
            ],
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
        )
    };
    frames.extend(info_after.iter().take(2).map(|m| m.frame));
    out.push(
        Verdict::new(
            "ike-auth-rejected",
            frames,
            format!(
                "IKE_AUTH was answered (frame {}) but no child SA and no ESP followed: {why}; the reason is encrypted",
                r.frame
            ),
        )
        .candidates(cands),
    );
}

/// INFORMATIONAL requests (liveness checks) repeated without a response.
fn liveness(sa: &IkeSa, out: &mut Vec<Verdict>) {
    let reqs: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .filter(|m| m.label == "INFORMATIONAL req")
        .collect();
    let Some(last) = reqs.last() else {
        return;
    };
    let answered = sa.messages.iter().any(|m| {
        m.label == "INFORMATIONAL resp" && m.message_id == last.message_id && m.dir != last.dir
    });
    let tries: Vec<FrameNo> = reqs
        .iter()
        .filter(|m| m.message_id == last.message_id && m.dir == last.dir)
        .map(|m| m.frame)
        .collect();
    if !answered && tries.len() >= 3 {
        out.push(
            Verdict::new(
                "dpd-timeout",
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
