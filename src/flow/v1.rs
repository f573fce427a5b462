//! IKEv1 message labelling: Main Mode MM1–MM6, Aggressive Mode AM1–AM3
//! (RFC 2409 §5), Quick Mode QM1–QM3 per message ID (RFC 2409 §5.5),
//! Informational and Transaction exchanges.

use super::{Dir, IkeMsg, IkeSa, Offer, QuickMode};
use crate::ike::Message;

/// ISAKMP exchange types (RFC 2408 §4, RFC 2409 §5).
pub(crate) mod exch {
    pub const MAIN: u8 = 2;
    pub const AGGRESSIVE: u8 = 4;
    pub const INFORMATIONAL: u8 = 5;
    pub const TRANSACTION: u8 = 6;
    pub const QUICK: u8 = 32;
}

fn dir_index(d: Dir) -> usize {
    match d {
        Dir::I2R => 0,
        Dir::R2I => 1,
    }
}

pub(super) fn label(sa: &mut IkeSa, m: &mut IkeMsg, _msg: &Message<'_>) {
    if super::mark_retransmission(sa, m) {
        if m.exchange_type == exch::QUICK {
            if let Some(q) = sa
                .quick_modes
                .iter_mut()
                .find(|q| q.message_id == m.message_id)
            {
                q.retransmits += 1;
                q.frames.push(m.frame);
            }
        }
        return;
    }
    // Another piece of a message split by IKE fragmentation (payload 132):
    // same label as the first piece seen.
    if let Some(id) = m.frag_id {
        if let Some(prev) = sa
            .messages
            .iter()
            .find(|p| p.frag_id == Some(id) && p.dir == m.dir && p.exchange_type == m.exchange_type)
        {
            m.label = prev.label.clone();
            return;
        }
    }
    // A decrypted copy beside its encrypted twin (ASA `type isakmp`).
    if let Some(prev) = sa.messages.iter().rev().take(4).find(|p| {
        p.dir == m.dir
            && p.exchange_type == m.exchange_type
            && p.message_id == m.message_id
            && p.decrypted_copy != m.decrypted_copy
            && p.twin.is_none()
    }) {
        m.label = prev.label.clone();
        m.twin = Some(prev.frame);
        let frame = m.frame;
        let prev_frame = prev.frame;
        if let Some(p) = sa.messages.iter_mut().find(|p| p.frame == prev_frame) {
            p.twin = Some(frame);
        }
        return;
    }
    m.label = match m.exchange_type {
        exch::MAIN | exch::AGGRESSIVE => {
            let i = dir_index(m.dir);
            sa.p1_count[i] = sa.p1_count[i].saturating_add(1);
            let n = sa.p1_count[i] as u32;
            let counted = match m.dir {
                Dir::I2R => 2 * n - 1,
                Dir::R2I => 2 * n,
            };
            // The payloads say which message this is (RFC 2409 §5): SA in
            // MM1/MM2 and AM1/AM2, KE in MM3/MM4, ciphertext in MM5/MM6, a
            // HASH without SA in AM3. Counting is the fallback, so a message
            // lost from the capture does not shift the labels after it.
            let has = |t: u8| m.payload_types.contains(&t);
            let (sa_p, ke_p) = (1u8, 4u8);
            let by_content = if m.exchange_type == exch::MAIN {
                match (m.dir, m.encrypted, has(sa_p), has(ke_p)) {
                    (Dir::I2R, true, _, _) => Some(5),
                    (Dir::R2I, true, _, _) => Some(6),
                    (Dir::I2R, false, true, _) => Some(1),
                    (Dir::R2I, false, true, _) => Some(2),
                    (Dir::I2R, false, false, true) => Some(3),
                    (Dir::R2I, false, false, true) => Some(4),
                    _ => None,
                }
            } else {
                match (m.dir, has(sa_p)) {
                    (Dir::I2R, true) => Some(1),
                    (Dir::R2I, _) => Some(2),
                    (Dir::I2R, false) => Some(3),
                }
            };
            // A truncated or malformed message may not show its payloads.
            let num = if m.malformed.is_some() || m.truncated {
                counted
            } else {
                by_content.unwrap_or(counted)
            };
            // The responder's SA payload names the chosen transform: keep its
            // hash algorithm for NAT-D (RFC 3947 §3.2).
            if m.dir == Dir::R2I {
                if let Some(Offer::V1(t)) = &m.offer {
                    if let Some(first) = t.first() {
                        sa.v1_hash = first.hash;
                    }
                }
            }
            let prefix = if m.exchange_type == exch::MAIN {
                "MM"
            } else {
                "AM"
            };
            format!("{prefix}{num}")
        }
        exch::QUICK => {
            let q = match sa
                .quick_modes
                .iter_mut()
                .position(|q| q.message_id == m.message_id)
            {
                Some(i) => &mut sa.quick_modes[i],
                None => {
                    sa.quick_modes.push(QuickMode {
                        message_id: m.message_id,
                        initiator: m.dir,
                        last: 0,
                        frames: Vec::new(),
                        retransmits: 0,
                    });
                    let i = sa.quick_modes.len() - 1;
                    &mut sa.quick_modes[i]
                }
            };
            // QM1 from the Quick Mode initiator, QM2 back, QM3 again; a
            // fourth (commit bit acknowledgement) is QM4.
            let n = match (q.last, m.dir == q.initiator) {
                (0, _) => 1,
                (1, false) => 2,
                (1, true) => 1,
                (2, true) => 3,
                (l, _) => l.saturating_add(1),
            };
            q.last = q.last.max(n);
            q.frames.push(m.frame);
            format!("QM{n}")
        }
        exch::INFORMATIONAL => "INFO".to_string(),
        exch::TRANSACTION => "CFG".to_string(),
        other => format!("EXCH{other}"),
    };
}
