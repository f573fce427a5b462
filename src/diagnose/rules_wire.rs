//! Rules on what a message carries in clear that its RFC forbids: Key
//! Exchange data whose length does not fit its Diffie-Hellman group (RFC
//! 7296 §3.4, RFC 2409 §5), and an IKE_SA_INIT response that negotiates
//! with a zero responder SPI (RFC 7296 §3.1). Both are facts read from the
//! message, so their basis is the clear (or decrypted) contents.

use super::{frames_text, Basis, Code, Severity, Verdict};
use crate::capture::FrameNo;
use crate::flow::{Dir, IkeMsg, IkeSa, Offer, Role, Step, Visibility};
use crate::ike::v2_flags;
use crate::registry::ikev2::{ke_data_length, DH_GROUPS};
use crate::registry::proto::payload_v2;
use crate::registry::proto::ExchangeV2;

/// The IKEv1 phase-1 group: the responder's chosen transform, else the one
/// group every offered transform names.
fn v1_group(sa: &IkeSa) -> Option<u16> {
    let groups = |dir: Dir| -> Vec<u16> {
        let mut v: Vec<u16> = sa
            .messages
            .iter()
            .filter(|m| m.dir == dir && matches!(m.step, Step::Main(_) | Step::Aggressive(_)))
            .filter_map(|m| match &m.offer {
                Some(Offer::V1(ts)) => Some(ts.iter().filter(|t| t.protocol_id == 1)),
                _ => None,
            })
            .flatten()
            .filter_map(|t| t.group)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    match groups(Dir::R2I).as_slice() {
        [g] => Some(*g),
        [] => match groups(Dir::I2R).as_slice() {
            [g] => Some(*g),
            _ => None,
        },
        _ => None,
    }
}

/// Groups whose IKEv1 KE data has the same size as in IKEv2 (MODP and
/// ECP, RFC 2409, RFC 3526, RFC 5114, RFC 5903 §8); IKEv1's EC2N groups 3
/// and 4 are not in the size table.
const V1_SIZED_UP_TO: u16 = 30;

/// KE data of the wrong length for its group.
pub(super) fn ke_length(sa: &IkeSa, phase1_up: bool, out: &mut Vec<Verdict>) {
    let v1 = (sa.version == 1).then(|| v1_group(sa)).flatten();
    // (group, length, expected) → frames.
    let mut bad: Vec<(u16, usize, usize, Vec<FrameNo>, Basis)> = Vec::new();
    for m in sa
        .messages
        .iter()
        .filter(|m| m.copy.duplicate_of().is_none())
    {
        let Some(len) = m.ke_length else { continue };
        let (group, response) = if sa.version == 2 {
            match m.ke_group {
                Some(g) => (g, m.response),
                None => continue,
            }
        } else {
            match (v1, m.step) {
                (Some(g), Step::Main(_) | Step::Aggressive(_)) if g <= V1_SIZED_UP_TO => {
                    (g, m.dir == Dir::R2I)
                }
                _ => continue,
            }
        };
        let Some(want) = ke_data_length(group, response) else {
            continue;
        };
        if len == want {
            continue;
        }
        let basis = if m.body == Visibility::Decrypted {
            Basis::Decrypted
        } else {
            Basis::Clear
        };
        match bad
            .iter_mut()
            .find(|b| b.0 == group && b.1 == len && b.2 == want)
        {
            Some(b) => b.3.push(m.frame),
            None => bad.push((group, len, want, vec![m.frame], basis)),
        }
    }
    for (group, len, want, frames, basis) in bad {
        let name = DH_GROUPS
            .name(group.into())
            .map_or_else(String::new, |n| format!(" ({n})"));
        let mut msg = format!(
            "KE length {len} does not match group {group}{name} (expects {want}) in {}",
            frames_text(&frames)
        );
        if sa.version == 1 {
            msg.push_str("; the group is the one the SA payload negotiated (IKEv1 KE names none)");
        }
        let mut v = Verdict::new(Code::KeLengthMismatch, frames, msg).basis(basis);
        if phase1_up {
            // The peers went on regardless: a quirk worth knowing, not
            // the failure.
            v.severity = Severity::Warning;
            v.message.push_str(", yet the negotiation went on");
        }
        out.push(v);
    }
}

/// An IKE_SA_INIT response from the responder (R set, I clear) with SA or
/// KE (a negotiating answer) and a zero responder SPI. Notify-only answers (COOKIE, INVALID_KE_PAYLOAD,
/// NO_PROPOSAL_CHOSEN) may leave it zero (RFC 7296 §2.6, §1.2).
pub(super) fn zero_responder_spi(sa: &IkeSa, out: &mut Vec<Verdict>) {
    if sa.version != 2 {
        return;
    }
    let bad: Vec<&IkeMsg> = sa
        .messages
        .iter()
        .filter(|m| {
            m.step == Step::V2(ExchangeV2::IkeSaInit, Role::Response)
                && m.is_try()
                && m.rspi == 0
                // From the original responder (I flag clear): a message
                // that claims both roles is malformed in other ways.
                && m.flags & v2_flags::INITIATOR == 0
                && m.payload_types
                    .iter()
                    .any(|&p| p == payload_v2::SA || p == payload_v2::KE)
        })
        .collect();
    if bad.is_empty() {
        return;
    }
    let frames: Vec<FrameNo> = bad.iter().map(|m| m.frame).collect();
    out.push(
        Verdict::new(
            Code::ZeroResponderSpi,
            frames.clone(),
            format!(
                "IKE_SA_INIT response from {} negotiates (SA/KE) with a zero responder SPI ({}); the initiator cannot address the SA",
                bad[0].src,
                frames_text(&frames)
            ),
        )
        .basis(Basis::Clear),
    );
}

/// The new gateway a REDIRECT notify names (RFC 5685 §8: Gateway Identity
/// Type, length, identity, then an optional nonce).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gateway {
    Addr(std::net::IpAddr),
    Fqdn(String),
    /// A type the registry has no decoding for: its number.
    Other(u8),
}

impl std::fmt::Display for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gateway::Addr(a) => write!(f, "{a}"),
            Gateway::Fqdn(n) => f.write_str(n),
            Gateway::Other(t) => write!(f, "a gateway of identity type {t}"),
        }
    }
}

/// Decode REDIRECT notification data; `None` when it is too short for
/// what its type and length say.
pub fn redirect_gateway(data: &[u8]) -> Option<Gateway> {
    let (&kind, rest) = data.split_first()?;
    let (&len, rest) = rest.split_first()?;
    let id = rest.get(..usize::from(len))?;
    Some(match (kind, id.len()) {
        (1, 4) => Gateway::Addr(std::net::IpAddr::from(<[u8; 4]>::try_from(id).ok()?)),
        (2, 16) => Gateway::Addr(std::net::IpAddr::from(<[u8; 16]>::try_from(id).ok()?)),
        (1 | 2, _) => return None,
        (3, _) => Gateway::Fqdn(
            // Shown as text; non-printable bytes escaped by the report.
            String::from_utf8_lossy(id).into_owned(),
        ),
        (t, _) => Gateway::Other(t),
    })
}

/// IKEv2 REDIRECT (RFC 5685): the gateway sends the initiator to another
/// gateway. Info: the attempt goes on there (linked by the analysis).
pub(super) fn redirect(sa: &IkeSa, out: &mut Vec<Verdict>) {
    if sa.version != 2 {
        return;
    }
    let found = sa.messages.iter().filter(|m| m.is_try()).find_map(|m| {
        m.notifies
            .iter()
            .find(|n| n.notify_type == crate::registry::proto::notify_v2::REDIRECT)
            .map(|n| (m, n))
    });
    let Some((m, n)) = found else {
        return;
    };
    let basis = if n.visibility == Visibility::Decrypted {
        Basis::Decrypted
    } else {
        Basis::Clear
    };
    let msg = match redirect_gateway(&n.data) {
        Some(g) => format!(
            "{} redirected {} to {g} ({}, frame {})",
            m.src.addr, m.dst.addr, m.step, m.frame
        ),
        None => format!(
            "{} sent a REDIRECT whose gateway identity could not be read ({}, frame {})",
            m.src.addr, m.step, m.frame
        ),
    };
    out.push(Verdict::new(Code::Redirected, vec![m.frame], msg).basis(basis));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_gateways_decode_by_type() {
        assert_eq!(
            redirect_gateway(&[1, 4, 192, 0, 2, 7]),
            Some(Gateway::Addr("192.0.2.7".parse().unwrap()))
        );
        let mut v6 = vec![2, 16];
        v6.extend(
            "2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets(),
        );
        v6.extend([9; 8]); // the nonce that may follow
        assert_eq!(
            redirect_gateway(&v6),
            Some(Gateway::Addr("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            redirect_gateway(b"\x03\x0bvpn.example"),
            Some(Gateway::Fqdn("vpn.example".into()))
        );
        assert_eq!(redirect_gateway(&[1, 4, 192, 0]), None);
        assert_eq!(redirect_gateway(&[1, 3, 1, 2, 3]), None);
        assert_eq!(redirect_gateway(&[]), None);
    }
}
