//! Refinements that only decrypted contents allow. They run after the other
//! rules and sharpen their verdicts; none of them fires without keys.
//!
//! - IKEv1 phase 1 with pre-shared keys: the key table decrypts one side's
//!   encrypted messages and not the other's. Both sides share the DH values
//!   and nonces (they are in clear), so different keys mean different
//!   SKEYIDs, that is different pre-shared keys (RFC 2409 §5): the
//!   `phase1-auth-failed` verdict gets `basis: decrypted` and the cause
//!   `psk-mismatch`.
//! - Quick Mode refused with NO-PROPOSAL-CHOSEN: whether QM1 carried a KE
//!   payload (PFS offered, RFC 2409 §5.5) tells which of "PFS mismatch" and
//!   "transform set mismatch" to check first. The responder's own settings
//!   are not on the wire, so no cause is set; the candidates are ordered.
//!   When the refusing side's log lists its configured proposals
//!   (strongSwan `configured proposals:`), the decrypted offer is compared
//!   with them: the same transforms with another (or no) DH group is
//!   `pfs-mismatch`, no transforms in common `transform-mismatch` — the
//!   distinction Cisco's guide makes. An IKEv2 child request answered with
//!   a decrypted INVALID_KE_PAYLOAD is a PFS group mismatch.
//! - IKEv2 authentication refused: the identities sent (IDi, IDr), read
//!   from the decrypted IKE_AUTH, are named in the verdict.
//! - Identity refused: a decrypted INVALID-ID-INFORMATION in phase 1, or a
//!   device log line that names an unknown peer, with the identity sent
//!   read from MM5/AM1/IKE_AUTH: `id-mismatch`, "ID sent: X".
//! - Proxy identities / traffic selectors refused (decrypted
//!   INVALID-ID-INFORMATION or TS_UNACCEPTABLE): `proxy-id-mismatch`, and
//!   the selectors offered go with the verdict for the report to print as
//!   crypto-ACL lines.
//! - ESP whose decrypted inner addresses fall outside the selectors its
//!   IKE exchange negotiated: a `selector-violation` warning (ASA 402116).

use super::code::Code;
use super::{Basis, ProxyIds, Verdict};
use crate::flow::observation::Visibility;
use crate::flow::{Dir, IkeMsg, IkeSa, LogLine, Mode, Offer, Tunnel};
use crate::logs::EventKind as L;
use crate::registry::cause::Cause;
use crate::registry::strongswan::{DH_GROUPS, V1_ESP_AUTH, V1_ESP_ENCR, V2_ENCR, V2_INTEG};
use crate::registry::Table;

/// Notify message types with the same number in IKEv1 (RFC 2408 §3.14.1)
/// and IKEv2 (RFC 7296 §3.10.1).
const NO_PROPOSAL_CHOSEN: u16 = 14;
const INVALID_KE_PAYLOAD: u16 = 17;
const INVALID_ID_INFORMATION: u16 = 18;
/// IKEv2 only (RFC 7296 §3.10.1).
const TS_UNACCEPTABLE: u16 = 38;

/// IKEv1 authentication method "pre-shared key" (RFC 2409 Appendix A).
const AUTH_PSK: u16 = 1;
/// IKEv1 payload type KE (RFC 2408 §3.1); exchange type Quick Mode (32).
const KE: u8 = 4;
const QUICK: u8 = 32;

pub fn refine(t: &Tunnel, out: &mut Vec<Verdict>) {
    for sa in &t.ike_sas {
        if sa.version == 1 {
            psk_mismatch(sa, out);
            pfs(sa, out);
        } else {
            ikev2_ids(sa, out);
        }
        child_proposals(sa, t, out);
        id_mismatch(sa, t, out);
        proxy_ids(sa, out);
        liveness_and_deletes(sa, out);
    }
    selector_violations(t, out);
}

/// Decrypted messages among a verdict's evidence frames.
fn decrypted_in<'a>(sa: &'a IkeSa, v: &Verdict) -> impl Iterator<Item = &'a IkeMsg> + 'a {
    let frames = v.frames.clone();
    sa.messages
        .iter()
        .filter(move |m| frames.contains(&m.frame) && m.obs.body == Visibility::Decrypted)
}

fn notifies(m: &IkeMsg, t: u16) -> bool {
    m.obs
        .notifies
        .iter()
        .any(|n| n.notify_type == t && n.visibility == Visibility::Decrypted)
}

/// The decrypted child-SA request a decrypted refusal answers: IKEv2 the
/// request of the same message ID; IKEv1 the last Quick Mode message from
/// the other side before it (the refusal is an Informational of its own).
fn request_of<'a>(sa: &'a IkeSa, refusal: &IkeMsg) -> Option<&'a IkeMsg> {
    const QUICK: u8 = 32;
    sa.messages.iter().rev().find(|m| {
        m.frame < refusal.frame
            && m.dir != refusal.dir
            && m.obs.body == Visibility::Decrypted
            && if sa.version == 1 {
                m.exchange_type == QUICK
            } else {
                m.message_id == refusal.message_id && !m.obs.response
            }
    })
}

/// Unanswered requests that decrypt to empty INFORMATIONALs (IKEv2
/// liveness checks, RFC 7296 §1.4) or to R-U-THERE (IKEv1 DPD, RFC 3706)
/// are liveness checks, not something else; Deletes read from the
/// contents are orderly teardowns.
fn liveness_and_deletes(sa: &IkeSa, out: &mut [Verdict]) {
    /// IKEv1 DPD R-U-THERE (RFC 3706 §7).
    const R_U_THERE: u16 = 36136;
    let in_verdict = |v: &Verdict| {
        sa.messages
            .iter()
            .filter(|m| v.frames.contains(&m.frame) && m.obs.body == Visibility::Decrypted)
            .collect::<Vec<_>>()
    };
    for v in out.iter_mut() {
        let msgs = in_verdict(v);
        if msgs.is_empty() {
            continue;
        }
        match v.code {
            Code::DpdTimeout => {
                let empty = msgs.iter().all(|m| {
                    m.obs.payload_types.is_empty()
                        || m.obs.notifies.iter().any(|n| n.notify_type == R_U_THERE)
                });
                if empty && v.basis != Basis::Decrypted {
                    v.basis = Basis::Decrypted;
                    v.cause = Some(Cause::PeerDead);
                    v.message.push_str(
                        "; decrypted, the unanswered requests are liveness checks (empty INFORMATIONAL / R-U-THERE)",
                    );
                }
            }
            Code::Deleted => {
                let Some(d) = msgs.iter().find(|m| !m.obs.deletes.is_empty()) else {
                    continue;
                };
                if v.basis != Basis::Decrypted {
                    // The guess from the wire (an Informational after a
                    // rekey) is now read: say what it carries.
                    let spis: Vec<&str> = d
                        .obs
                        .deletes
                        .iter()
                        .flat_map(|x| x.spis.iter().map(String::as_str))
                        .collect();
                    v.message = format!(
                        "{} deleted SA(s) (SPI {}, frame {}): the Informational after the rekey decrypts to a Delete",
                        d.src.addr,
                        spis.join(", "),
                        d.frame
                    );
                }
                v.basis = Basis::Decrypted;
            }
            _ => {}
        }
    }
}

fn encrypted(m: &IkeMsg) -> bool {
    m.obs.encrypted && !m.obs.decrypted_copy
}

fn psk_mismatch(sa: &IkeSa, out: &mut [Verdict]) {
    if !matches!(sa.mode, Mode::Main | Mode::Aggressive) {
        return;
    }
    let read = |d: Dir| -> Vec<u64> {
        sa.messages
            .iter()
            .filter(|m| m.dir == d && encrypted(m) && m.obs.body == Visibility::Decrypted)
            .map(|m| m.frame)
            .collect()
    };
    let unread = |d: Dir| -> Vec<u64> {
        sa.messages
            .iter()
            .filter(|m| m.dir == d && encrypted(m) && m.obs.body == Visibility::Opaque)
            .map(|m| m.frame)
            .collect()
    };
    let (ri, rr, ui, ur) = (
        read(Dir::I2R),
        read(Dir::R2I),
        unread(Dir::I2R),
        unread(Dir::R2I),
    );
    let (readable, unreadable, side) =
        match (ri.is_empty(), rr.is_empty(), ui.is_empty(), ur.is_empty()) {
            (false, true, true, false) => (ri, ur, "the initiator's"),
            (true, false, false, true) => (rr, ui, "the responder's"),
            _ => return,
        };
    let psk = sa
        .messages
        .iter()
        .any(|m| m.obs.auth_method == Some(AUTH_PSK));
    for v in out.iter_mut().filter(|v| v.code == Code::Phase1AuthFailed) {
        if !v
            .frames
            .iter()
            .any(|f| unreadable.contains(f) || readable.contains(f))
        {
            continue;
        }
        v.basis = Basis::Decrypted;
        v.message.push_str(&format!(
            "; with the keys, {side} messages decrypt ({}) and the other side's do not ({}): the two sides derived different keys from the same DH values and nonces",
            crate::diagnose::frames_text(&readable),
            crate::diagnose::frames_text(&unreadable),
        ));
        if psk {
            v.cause = Some(Cause::PskMismatch);
            v.message.push_str(", so their pre-shared keys differ");
            v.candidates.retain(|c| c.contains("pre-shared"));
        }
    }
}

fn pfs(sa: &IkeSa, out: &mut [Verdict]) {
    for v in out
        .iter_mut()
        .filter(|v| v.code == Code::Phase2NoProposalChosen)
    {
        // QM1 of the refused exchange: the decrypted Quick Mode request
        // before the refusal, from the other side.
        let Some(refusal) = sa.messages.iter().find(|m| v.frames.contains(&m.frame)) else {
            continue;
        };
        let Some(qm1) = sa.messages.iter().rev().find(|m| {
            m.frame < refusal.frame
                && m.exchange_type == QUICK
                && m.dir != refusal.dir
                && m.obs.body == Visibility::Decrypted
        }) else {
            continue;
        };
        let ke = qm1.obs.payload_types.contains(&KE);
        let group = match &qm1.obs.offer {
            Some(Offer::V1(t)) => t.iter().find_map(|t| t.group),
            _ => None,
        };
        v.basis = Basis::Decrypted;
        let (fact, first, second) = if ke {
            (
                format!(
                    "QM1 (frame {}) offered PFS: it carries a KE payload{}",
                    qm1.frame,
                    group.map_or(String::new(), |g| format!(" (DH group {g})"))
                ),
                "PFS mismatch: the responder does not use PFS, or another group (ASA: `crypto map … set pfs`; strongSwan: the ESP proposal's DH group)",
                "transform set mismatch (ESP encryption / integrity)",
            )
        } else {
            (
                format!("QM1 (frame {}) offered no PFS: it carries no KE payload", qm1.frame),
                "PFS mismatch: the responder requires PFS (ASA: `crypto map … set pfs`; strongSwan: a DH group in esp_proposals)",
                "transform set mismatch (ESP encryption / integrity)",
            )
        };
        v.message.push_str(&format!("; {fact}"));
        v.candidates = vec![first.to_string(), second.to_string()];
    }
}

fn ikev2_ids(sa: &IkeSa, out: &mut [Verdict]) {
    // IKE_AUTH request: IDi, then the IDr the initiator wants; response: IDr.
    let mut ids: Vec<String> = Vec::new();
    for m in sa
        .messages
        .iter()
        .filter(|m| m.obs.body == Visibility::Decrypted && m.copy.duplicate_of().is_none())
    {
        for (i, id) in m.obs.ids.iter().enumerate() {
            let what = match (m.dir, i) {
                (Dir::I2R, 0) => "initiator's IDi",
                (Dir::I2R, _) => "IDr the initiator asked for",
                (Dir::R2I, _) => "responder's IDr",
            };
            let s = format!("{what} {}", id.value);
            if !ids.contains(&s) {
                ids.push(s);
            }
        }
    }
    if ids.is_empty() {
        return;
    }
    for v in out
        .iter_mut()
        .filter(|v| matches!(v.code, Code::AuthFailed | Code::IkeAuthRejected))
    {
        if !sa.messages.iter().any(|m| v.frames.contains(&m.frame)) {
            continue;
        }
        v.basis = Basis::Decrypted;
        v.message
            .push_str(&format!("; decrypted: {}", ids.join(", ")));
    }
}

/// strongSwan's name of `code` in `table`, with `_<bits>` for a key length.
fn name(table: &Table, code: u16, bits: Option<u16>) -> Option<String> {
    let n = table.name(code.into())?;
    Some(match bits {
        Some(b) if b > 0 => format!("{n}_{b}"),
        _ => n.to_string(),
    })
}

/// One phase-2 proposal, by algorithm names: any one of each list.
#[derive(Debug, Default, PartialEq, Eq)]
struct Prop {
    encr: Vec<String>,
    integ: Vec<String>,
    dh: Vec<String>,
}

/// The ESP proposals of a decrypted offer, or `None` when an algorithm has
/// no name here (then nothing is compared).
fn offered_props(o: &Offer) -> Option<Vec<Prop>> {
    const ESP: u8 = 3;
    let v: Vec<Prop> = match o {
        Offer::V1(ts) => ts
            .iter()
            .filter(|t| t.protocol_id == ESP)
            .map(|t| {
                Some(Prop {
                    encr: vec![name(&V1_ESP_ENCR, t.encryption?, t.key_length)?],
                    integ: match t.hash {
                        Some(h) => vec![name(&V1_ESP_AUTH, h, None)?],
                        None => Vec::new(),
                    },
                    dh: match t.group {
                        Some(g) => vec![name(&DH_GROUPS, g, None)?],
                        None => Vec::new(),
                    },
                })
            })
            .collect::<Option<_>>()?,
        Offer::V2(ps) => ps
            .iter()
            .filter(|p| p.protocol_id == ESP)
            .map(|p| {
                Some(Prop {
                    encr: p
                        .encr
                        .iter()
                        .map(|(c, k)| name(&V2_ENCR, *c, *k))
                        .collect::<Option<_>>()?,
                    integ: p
                        .integ
                        .iter()
                        .filter(|c| **c != 0)
                        .map(|c| name(&V2_INTEG, *c, None))
                        .collect::<Option<_>>()?,
                    dh: p
                        .dh
                        .iter()
                        .filter(|c| **c != 0)
                        .map(|c| name(&DH_GROUPS, *c, None))
                        .collect::<Option<_>>()?,
                })
            })
            .collect::<Option<_>>()?,
    };
    (!v.is_empty()).then_some(v)
}

/// strongSwan's proposal list (`ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ, …`).
fn logged_props(list: &str) -> Vec<Prop> {
    list.split(", ")
        .filter_map(|p| {
            let body = p.trim().strip_prefix("ESP:")?;
            let mut x = Prop::default();
            for tok in body.split('/') {
                if DH_GROUPS.entries.iter().any(|e| e.name == tok) {
                    x.dh.push(tok.to_string());
                } else if V2_INTEG
                    .entries
                    .iter()
                    .chain(V1_ESP_AUTH.entries)
                    .any(|e| e.name == tok)
                {
                    x.integ.push(tok.to_string());
                } else if tok.ends_with("EXT_SEQ") {
                } else {
                    x.encr.push(tok.to_string());
                }
            }
            Some(x)
        })
        .collect()
}

/// Offered versus configured: `None` when some pair would match (the
/// evidence does not explain the refusal), PFS when only the groups keep
/// them apart, else the transforms.
fn judge(offered: &[Prop], configured: &[Prop]) -> Option<Cause> {
    if configured.is_empty() {
        return None;
    }
    let meet = |a: &[String], b: &[String]| {
        (a.is_empty() && b.is_empty()) || a.iter().any(|x| b.contains(x))
    };
    let mut transforms = false;
    for o in offered {
        for c in configured {
            if meet(&o.encr, &c.encr) && meet(&o.integ, &c.integ) {
                if meet(&o.dh, &c.dh) {
                    return None;
                }
                transforms = true;
            }
        }
    }
    Some(if transforms {
        Cause::PfsMismatch
    } else {
        Cause::TransformMismatch
    })
}

/// The ESP proposals the refusing side's log lists as configured: a
/// `configured proposals:` line followed, in the same file, by its
/// NO_PROPOSAL_CHOSEN.
fn refusing_config(t: &Tunnel) -> Option<(String, LogLine)> {
    use crate::logs::Dir as D;
    let evs: Vec<_> = t
        .events
        .iter()
        .filter_map(|le| Some((le.event.log.as_deref()?, le.source.log_line()?)))
        .collect();
    evs.iter()
        .enumerate()
        .rev()
        .find(|(i, (e, l))| {
            e.kind == L::Proposals { received: false }
                && e.detail.as_deref().is_some_and(|d| d.starts_with("ESP:"))
                && evs.iter().skip(i + 1).any(|(e2, l2)| {
                    l2.file == l.file
                        && matches!(
                            e2.kind,
                            L::NoProposalChosen {
                                dir: D::Sent | D::Local,
                                ..
                            }
                        )
                })
        })
        .and_then(|(_, (e, l))| Some((e.detail.clone()?, (*l).clone())))
}

/// The first decrypted message among `v`'s frames that carries one of the
/// notify types `kinds`, with the decrypted request it refuses.
fn refused<'a>(sa: &'a IkeSa, v: &Verdict, kinds: &[u16]) -> Option<(&'a IkeMsg, &'a IkeMsg)> {
    let refusal = decrypted_in(sa, v).find(|m| kinds.iter().any(|&k| notifies(m, k)))?;
    Some((refusal, request_of(sa, refusal)?))
}

/// A child-SA request refused with a decrypted NO_PROPOSAL_CHOSEN (compared
/// with the refusing side's logged configuration) or, IKEv2, with
/// INVALID_KE_PAYLOAD (the PFS group differs).
fn child_proposals(sa: &IkeSa, t: &Tunnel, out: &mut [Verdict]) {
    for v in out.iter_mut().filter(|v| {
        v.cause.is_none()
            && matches!(
                v.code,
                Code::Phase2NoProposalChosen | Code::Phase2Rejected | Code::IkeAuthRejected
            )
    }) {
        let Some((refusal, request)) = refused(sa, v, &[NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD])
        else {
            continue;
        };
        if sa.version == 2 && notifies(refusal, INVALID_KE_PAYLOAD) {
            let wanted = refusal
                .obs
                .notifies
                .iter()
                .find(|n| n.notify_type == INVALID_KE_PAYLOAD)
                .and_then(|n| n.value);
            v.cause = Some(Cause::PfsMismatch);
            v.basis = Basis::Decrypted;
            v.candidates.clear();
            v.message.push_str(&format!(
                "; decrypted, the child SA request (frame {}) was answered with INVALID_KE_PAYLOAD (frame {}){}: the PFS groups differ",
                request.frame,
                refusal.frame,
                wanted.map_or(String::new(), |g| format!(" asking for DH group {g}"))
            ));
            continue;
        }
        let (Some(offered), Some((cfg, line))) = (
            request.obs.offer.as_ref().and_then(offered_props),
            refusing_config(t),
        ) else {
            continue;
        };
        let Some(cause) = judge(&offered, &logged_props(&cfg)) else {
            continue;
        };
        v.cause = Some(cause);
        v.basis = Basis::Decrypted;
        v.candidates.clear();
        if !v.lines.contains(&line) {
            v.lines.push(line.clone());
        }
        let why = if cause == Cause::PfsMismatch {
            "the transforms match, the DH group (PFS) does not"
        } else {
            "no transform set in common"
        };
        v.message.push_str(&format!(
            "; the decrypted request (frame {}) offered {}, the responder's log lists {cfg} as configured ({}:{}): {why}",
            request.frame,
            offered
                .iter()
                .map(|p| {
                    let mut all = p.encr.clone();
                    all.extend(p.integ.iter().cloned());
                    all.extend(p.dh.iter().cloned());
                    if p.dh.is_empty() {
                        all.push("no PFS".to_string());
                    }
                    all.join("/")
                })
                .collect::<Vec<_>>()
                .join(", "),
            line.file,
            line.line,
        ));
    }
}

/// The identity a side sent in phase 1 / IKE_AUTH, decrypted.
fn id_sent(sa: &IkeSa, dir: Dir) -> Option<(&IkeMsg, &str)> {
    sa.messages
        .iter()
        .filter(|m| m.dir == dir && m.copy.duplicate_of().is_none())
        .find_map(|m| {
            let id = m.obs.ids.first()?;
            (id.visibility == Visibility::Decrypted).then_some((m, id.value.as_str()))
        })
}

/// Phase 1 / IKE_AUTH refused for the identity: a decrypted
/// INVALID-ID-INFORMATION during phase 1, or a log line naming an unknown
/// peer (no tunnel-group, peer mismatch).
fn id_mismatch(sa: &IkeSa, t: &Tunnel, out: &mut [Verdict]) {
    const QUICK: u8 = 32;
    let logged = t.events.iter().find_map(|le| {
        let e = le.event.log.as_deref()?;
        (e.cause == Some(Cause::IdMismatch)).then_some((e, le.source.log_line()?))
    });
    for v in out.iter_mut().filter(|v| {
        v.cause.is_none()
            && matches!(
                v.code,
                Code::Phase1AuthFailed | Code::AuthFailed | Code::IkeAuthRejected
            )
    }) {
        if !sa.messages.iter().any(|m| v.frames.contains(&m.frame)) {
            continue;
        }
        let refusal = sa.messages.iter().find(|m| {
            m.obs.body == Visibility::Decrypted
                && m.exchange_type != QUICK
                && notifies(m, INVALID_ID_INFORMATION)
        });
        // The refusing side is the other one: its peer's identity was refused.
        let sender = refusal.map_or(Dir::I2R, |r| match r.dir {
            Dir::I2R => Dir::R2I,
            Dir::R2I => Dir::I2R,
        });
        let sent = id_sent(sa, sender);
        // strongSwan names the identity it required (auth_cfg.c):
        // "constraint check failed: identity 'X' required".
        let expected = logged.and_then(|(e, l)| {
            let x = e.text.split("identity '").nth(1)?.split('\'').next()?;
            Some(format!(
                "; expected: {x} (from the log, {}:{})",
                l.file, l.line
            ))
        });
        // The identity checked is the one that differs from the one required.
        let sent = match (&expected, logged) {
            (Some(_), Some((e, _))) => [Dir::I2R, Dir::R2I]
                .into_iter()
                .filter_map(|d| id_sent(sa, d))
                .find(|(_, id)| !e.text.contains(&format!("'{id}'")))
                .or(sent),
            _ => sent,
        };
        let evidence = match (refusal, logged) {
            (Some(r), _) => format!("INVALID-ID-INFORMATION, decrypted (frame {})", r.frame),
            (None, Some((e, l))) => {
                if !v.lines.contains(l) {
                    v.lines.push(l.clone());
                }
                format!("the device log: {} ({}:{})", e.text, l.file, l.line)
            }
            (None, None) => continue,
        };
        v.cause = Some(Cause::IdMismatch);
        // The cause rests on what named it: the decrypted notify or the log.
        v.basis = if refusal.is_some() {
            Basis::Decrypted
        } else {
            Basis::Logged
        };
        v.candidates.clear();
        let sent = sent.map_or(String::new(), |(m, id)| {
            format!("; ID sent: {id} (frame {}, decrypted)", m.frame)
        });
        v.message.push_str(&format!(
            "; identity refused: {evidence}{sent}{}",
            expected.unwrap_or_default()
        ));
    }
}

/// Selectors refused: the request's proxy identities / traffic selectors go
/// with the verdict.
fn proxy_ids(sa: &IkeSa, out: &mut [Verdict]) {
    for v in out.iter_mut().filter(|v| {
        v.proxy_ids.is_none()
            && matches!(
                v.code,
                Code::Phase2InvalidId | Code::Phase2Rejected | Code::IkeAuthRejected
            )
    }) {
        let Some((_, request)) = refused(sa, v, &[INVALID_ID_INFORMATION, TS_UNACCEPTABLE]) else {
            continue;
        };
        let Some(sel) = request.obs.selectors.as_deref() else {
            continue;
        };
        if v.cause.is_none() {
            v.cause = Some(Cause::ProxyIdMismatch);
            v.candidates.clear();
        }
        v.basis = Basis::Decrypted;
        v.proxy_ids = Some(ProxyIds {
            frame: request.frame,
            initiator: sa.initiator.addr,
            responder: sa.responder.addr,
            selectors: sel.clone(),
        });
    }
}

/// ESP inner packets outside their SA's negotiated selectors.
fn selector_violations(t: &Tunnel, out: &mut Vec<Verdict>) {
    let j = |v: &[crate::flow::decrypted::AddrRange]| {
        v.iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for x in &t.selector_violations {
        let (f, a, b) = x.first;
        let more = if x.outside as usize > x.frames.len() {
            format!(" (the first {})", x.frames.len())
        } else {
            String::new()
        };
        out.push(
            Verdict::new(
                Code::SelectorViolation,
                x.frames.clone(),
                format!(
                    "{} of {} decrypted ESP packets of SA {:08x} ({} → {}) carry inner packets outside the selectors negotiated for it ({} → {}); the first, frame {f}: {a} → {b}; frames listed{more}. The receiving ASA drops such packets and logs 402116",
                    x.outside,
                    x.decrypted,
                    x.spi,
                    x.src,
                    x.dst,
                    j(&x.sources),
                    j(&x.destinations),
                ),
            )
            .basis(Basis::Decrypted)
            .cause(Cause::SelectorViolation),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{V1Transform, V2Proposal};

    fn v1(enc: u16, bits: u16, auth: u16, group: Option<u16>) -> Offer {
        Offer::V1(vec![V1Transform {
            protocol_id: 3,
            encryption: Some(enc),
            key_length: Some(bits),
            hash: Some(auth),
            group,
            ..V1Transform::default()
        }])
    }

    fn judged(o: &Offer, cfg: &str) -> Option<Cause> {
        judge(&offered_props(o).unwrap(), &logged_props(cfg))
    }

    #[test]
    fn pfs_is_told_from_transform_sets() {
        let cfg_pfs = "ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ";
        let cfg_nopfs = "ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ";
        // Same transforms, PFS on one side only, or other groups.
        assert_eq!(
            judged(&v1(12, 256, 2, None), cfg_pfs),
            Some(Cause::PfsMismatch)
        );
        assert_eq!(
            judged(&v1(12, 256, 2, Some(14)), cfg_nopfs),
            Some(Cause::PfsMismatch)
        );
        assert_eq!(
            judged(
                &v1(12, 256, 2, Some(2)),
                "ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/ECP_256/NO_EXT_SEQ"
            ),
            Some(Cause::PfsMismatch)
        );
        // Other cipher or integrity: transform set, whatever the groups.
        assert_eq!(
            judged(&v1(12, 256, 2, None), "ESP:3DES_CBC/HMAC_MD5_96/NO_EXT_SEQ"),
            Some(Cause::TransformMismatch)
        );
        assert_eq!(
            judged(&v1(12, 128, 2, Some(14)), cfg_pfs),
            Some(Cause::TransformMismatch)
        );
        // An offer the configuration would accept explains nothing.
        assert_eq!(judged(&v1(12, 256, 2, Some(14)), cfg_pfs), None);
        assert_eq!(judged(&v1(12, 256, 2, None), cfg_nopfs), None);
        // IKE proposals and empty lists are not compared.
        assert_eq!(
            judged(
                &v1(12, 256, 2, None),
                "IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048"
            ),
            None
        );
        // Unknown algorithms: nothing to compare.
        assert!(offered_props(&v1(250, 256, 2, None)).is_none());
    }

    #[test]
    fn ikev2_aead_proposals_compare_without_integrity() {
        let o = Offer::V2(vec![V2Proposal {
            protocol_id: 3,
            encr: vec![(20, Some(256)), (12, Some(128))],
            prf: vec![],
            integ: vec![],
            dh: vec![],
        }]);
        assert_eq!(
            judged(&o, "ESP:AES_GCM_16_256/MODP_2048/NO_EXT_SEQ"),
            Some(Cause::PfsMismatch)
        );
        assert_eq!(
            judged(&o, "ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ"),
            Some(Cause::TransformMismatch)
        );
        assert_eq!(judged(&o, "ESP:AES_GCM_16_256/NO_EXT_SEQ"), None);
    }
}
