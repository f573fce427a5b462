//! IKEv1 message steps: Main Mode MM1–MM6, Aggressive Mode AM1–AM3
//! (RFC 2409 §5), Quick Mode QM1–QM3 per message ID (RFC 2409 §5.5),
//! Informational and Transaction (Mode-Config) exchanges.

use super::{tracker::copy_of, Copy, Dir, IkeMsg, IkeSa, Offer, QuickMode, Step};
use crate::registry::proto::{payload_v1, ExchangeV1};

fn dir_index(d: Dir) -> usize {
    match d {
        Dir::I2R => 0,
        Dir::R2I => 1,
    }
}

/// Decide the step and copy of `m`, and update the SA's Quick Mode records.
pub(super) fn label(sa: &mut IkeSa, m: &mut IkeMsg) {
    let exchange = ExchangeV1::from_u8(m.exchange_type);
    if let Some((copy, step)) = copy_of(sa, m) {
        m.copy = copy;
        m.step = step;
        if exchange == ExchangeV1::Quick {
            if let Some(q) = sa
                .quick_modes
                .iter_mut()
                .find(|q| q.message_id == m.message_id)
            {
                if copy.retransmission_of().is_some() {
                    q.retransmits += 1;
                }
                if q.frames.len() < super::MAX_FRAMES_PER_QUICK_MODE {
                    q.frames.push(m.frame);
                }
            }
        }
        return;
    }
    // Another piece of a message split by IKE fragmentation (payload 132):
    // same step as the first piece seen.
    if let Some(id) = m.frag_id {
        if let Some(prev) = sa
            .messages
            .iter()
            .find(|p| p.frag_id == Some(id) && p.dir == m.dir && p.exchange_type == m.exchange_type)
        {
            m.step = prev.step;
            return;
        }
    }
    // A decrypted copy beside its encrypted twin (ASA `type isakmp`).
    if let Some(prev) = sa.messages.iter_mut().rev().take(4).find(|p| {
        p.dir == m.dir
            && p.exchange_type == m.exchange_type
            && p.message_id == m.message_id
            && p.decrypted_copy != m.decrypted_copy
            && p.twin.is_none()
            && p.copy.twin_of().is_none()
    }) {
        m.step = prev.step;
        m.copy = Copy::DecryptedTwinOf(prev.frame);
        prev.twin = Some(m.frame);
        return;
    }
    if let Some(step) = m.obs.step {
        // The source named the step (a log line): trust it, and keep the
        // counters in line.
        m.step = step;
        match step {
            Step::Main(_) | Step::Aggressive(_) => {
                let i = dir_index(m.dir);
                sa.p1_count[i] = sa.p1_count[i].saturating_add(1);
            }
            Step::Quick(n) => quick_mode(sa, m, Some(n)),
            _ => {}
        }
        return;
    }
    m.step = match exchange {
        ExchangeV1::Main | ExchangeV1::Aggressive => {
            let i = dir_index(m.dir);
            sa.p1_count[i] = sa.p1_count[i].saturating_add(1);
            let n = sa.p1_count[i];
            let counted = match m.dir {
                Dir::I2R => (2 * n).saturating_sub(1),
                Dir::R2I => 2u8.saturating_mul(n),
            };
            // The payloads say which message this is (RFC 2409 §5): SA in
            // MM1/MM2 and AM1/AM2, KE in MM3/MM4, ciphertext in MM5/MM6, a
            // HASH without SA in AM3. Counting is the fallback, so a message
            // lost from the capture does not shift the steps after it.
            let has = |t: u8| m.payload_types.contains(&t);
            let by_content = if exchange == ExchangeV1::Main {
                match (m.dir, m.encrypted, has(payload_v1::SA), has(payload_v1::KE)) {
                    (Dir::I2R, true, _, _) => Some(5),
                    (Dir::R2I, true, _, _) => Some(6),
                    (Dir::I2R, false, true, _) => Some(1),
                    (Dir::R2I, false, true, _) => Some(2),
                    (Dir::I2R, false, false, true) => Some(3),
                    (Dir::R2I, false, false, true) => Some(4),
                    _ => None,
                }
            } else {
                match (m.dir, has(payload_v1::SA)) {
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
            if exchange == ExchangeV1::Main {
                Step::Main(num)
            } else {
                Step::Aggressive(num)
            }
        }
        ExchangeV1::Quick => {
            quick_mode(sa, m, None);
            return;
        }
        ExchangeV1::Informational => Step::Informational,
        ExchangeV1::Transaction => Step::ModeConfig,
        ExchangeV1::Other(x) => Step::V1Other(x),
    };
}

/// Number a Quick Mode message within its exchange (by message ID).
fn quick_mode(sa: &mut IkeSa, m: &mut IkeMsg, given: Option<u8>) {
    let i = match sa
        .quick_modes
        .iter()
        .position(|q| q.message_id == m.message_id)
    {
        Some(i) => i,
        None if sa.quick_modes.len() >= super::MAX_QUICK_MODES_PER_SA => {
            // Counted, not tracked: labelled as the opening message.
            sa.dropped_quick_modes += 1;
            m.step = Step::Quick(given.unwrap_or(1));
            return;
        }
        None => {
            sa.quick_modes.push(QuickMode {
                message_id: m.message_id,
                initiator: m.dir,
                last: 0,
                frames: Vec::new(),
                retransmits: 0,
            });
            sa.quick_modes.len() - 1
        }
    };
    let q = &mut sa.quick_modes[i];
    // QM1 from the Quick Mode initiator, QM2 back, QM3 again; a fourth
    // (commit bit acknowledgement) is QM4.
    // A second message from the Quick Mode initiator with other bytes than
    // QM1 (a retransmission would have matched QM1's) is QM3: QM2 came,
    // whether or not the capture holds it.
    let other_bytes = m.obs.fingerprint.is_some();
    let n = given.unwrap_or(match (q.last, m.dir == q.initiator) {
        (0, _) => 1,
        (1, false) => 2,
        (1, true) if other_bytes => 3,
        (1, true) => 1,
        (2, true) => 3,
        (l, _) => l.saturating_add(1),
    });
    q.last = q.last.max(n);
    if q.frames.len() < super::MAX_FRAMES_PER_QUICK_MODE {
        q.frames.push(m.frame);
    }
    m.step = Step::Quick(n);
}
