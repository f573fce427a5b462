//! Where a message stands in its negotiation ([`Step`]) and whether it is a
//! new message or another copy of one ([`Copy`]). The tracker decides both;
//! text is made only when printing ([`std::fmt::Display`]).

use std::fmt;

use serde::Serialize;

use crate::capture::FrameNo;
use crate::registry::proto::ExchangeV2;

/// Request or response (IKEv2 R flag, RFC 7296 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Request,
    Response,
}

/// One step of a negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// IKEv1 Main Mode message 1–6 (RFC 2409 §5).
    Main(u8),
    /// IKEv1 Aggressive Mode message 1–3 (RFC 2409 §5).
    Aggressive(u8),
    /// IKEv1 Quick Mode message 1–3 (4 for a commit acknowledgement),
    /// counted per message ID (RFC 2409 §5.5).
    Quick(u8),
    /// IKEv1 Informational exchange (RFC 2408 §4.8).
    Informational,
    /// IKEv1 Transaction exchange: Mode-Config / XAUTH.
    ModeConfig,
    /// Another IKEv1 exchange type.
    V1Other(u8),
    /// An IKEv2 exchange, request or response.
    V2(ExchangeV2, Role),
}

impl Step {
    /// Main Mode or Aggressive Mode message number, for phase-1 progress.
    pub fn phase1_number(self) -> Option<u8> {
        match self {
            Step::Main(n) | Step::Aggressive(n) => Some(n),
            _ => None,
        }
    }

    /// IKEv2 exchange and role.
    pub fn v2(self) -> Option<(ExchangeV2, Role)> {
        match self {
            Step::V2(e, r) => Some((e, r)),
            _ => None,
        }
    }

    pub fn is_v2(self, e: ExchangeV2, r: Role) -> bool {
        self == Step::V2(e, r)
    }

    /// The IKE version the step belongs to.
    pub fn version(self) -> u8 {
        match self {
            Step::V2(..) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Main(n) => write!(f, "MM{n}"),
            Step::Aggressive(n) => write!(f, "AM{n}"),
            Step::Quick(n) => write!(f, "QM{n}"),
            Step::Informational => f.write_str("INFO"),
            Step::ModeConfig => f.write_str("CFG"),
            Step::V1Other(x) => write!(f, "EXCH{x}"),
            Step::V2(e, r) => {
                match e.name() {
                    Some(n) => f.write_str(n)?,
                    None => write!(f, "EXCH{}", e.number())?,
                }
                f.write_str(match r {
                    Role::Request => " req",
                    Role::Response => " resp",
                })
            }
        }
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Whether a message is new, or another copy of one already seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Copy {
    /// A message seen for the first time.
    #[default]
    Original,
    /// The same message sent again by the same side (a retransmission
    /// timer fired): counts as another try.
    RetransmissionOf(FrameNo),
    /// The same packet captured twice (two capture points, a SPAN of both
    /// directions) within [`DUPLICATE_SECS`]: not another try.
    CaptureDuplicateOf(FrameNo),
    /// The decrypted copy of an encrypted message the capture also holds
    /// (ASA `capture type isakmp`): the same message, seen inside.
    DecryptedTwinOf(FrameNo),
}

/// Identical packets closer than this are capture duplicates, not resends:
/// IKE retransmission timers start at half a second (RFC 7296 §2.1).
pub const DUPLICATE_SECS: f64 = 0.001;

impl Copy {
    /// A try of its own: the original or a retransmission (capture
    /// duplicates and decrypted twins are the same try seen again).
    pub fn is_try(self) -> bool {
        matches!(self, Copy::Original | Copy::RetransmissionOf(_))
    }

    pub fn retransmission_of(self) -> Option<FrameNo> {
        match self {
            Copy::RetransmissionOf(f) => Some(f),
            _ => None,
        }
    }

    pub fn duplicate_of(self) -> Option<FrameNo> {
        match self {
            Copy::CaptureDuplicateOf(f) => Some(f),
            _ => None,
        }
    }

    pub fn twin_of(self) -> Option<FrameNo> {
        match self {
            Copy::DecryptedTwinOf(f) => Some(f),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_print_as_the_guides_name_them() {
        assert_eq!(Step::Main(5).to_string(), "MM5");
        assert_eq!(Step::Quick(1).to_string(), "QM1");
        assert_eq!(
            Step::V2(ExchangeV2::IkeAuth, Role::Response).to_string(),
            "IKE_AUTH resp"
        );
        assert_eq!(
            Step::V2(ExchangeV2::Other(99), Role::Request).to_string(),
            "EXCH99 req"
        );
        assert!(Copy::RetransmissionOf(3).is_try());
        assert!(!Copy::CaptureDuplicateOf(3).is_try());
    }
}
