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
//! - IKEv2 authentication refused: the identities sent (IDi, IDr), read
//!   from the decrypted IKE_AUTH, are named in the verdict.

use super::code::Code;
use super::{Basis, Verdict};
use crate::flow::observation::Visibility;
use crate::flow::{Dir, IkeMsg, IkeSa, Mode, Offer, Tunnel};
use crate::registry::cause::Cause;

/// IKEv1 authentication method "pre-shared key" (RFC 2409 Appendix A).
const AUTH_PSK: u16 = 1;
/// IKEv1 payload type KE (RFC 2408 §3.1); exchange type Quick Mode (32).
const KE: u8 = 4;
const QUICK: u8 = 32;

pub fn refine(t: &Tunnel, out: &mut [Verdict]) {
    for sa in &t.ike_sas {
        if sa.version == 1 {
            psk_mismatch(sa, out);
            pfs(sa, out);
        } else {
            ikev2_ids(sa, out);
        }
        liveness_and_deletes(sa, out);
    }
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
            Code::Deleted if msgs.iter().any(|m| !m.obs.deletes.is_empty()) => {
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
