//! Phase states in the terms of Cisco's `show crypto isakmp sa` (IOS) and
//! ASA (`MM_WAIT_MSGn`), and the IKEv2 equivalents.

use serde::Serialize;

use super::{IkeSa, Mode};

/// An encrypted IKE_AUTH answer below this many bytes cannot hold IDr and
/// AUTH (an IDr of at least 8 bytes, an AUTH of 8 + 20 or more, IV, ICV): the
/// responder sent only an error notification (RFC 7296 §3.5, §3.8, §3.14).
pub const MIN_AUTH_ANSWER: usize = 64;

/// How far phase 1 (or IKE_SA_INIT/IKE_AUTH) got.
#[derive(Debug, Clone, Serialize)]
pub struct Phase1State {
    /// Last distinct message that got through, e.g. "MM4".
    pub last_message: Option<String>,
    /// IOS `show crypto isakmp sa` state (MM_NO_STATE, MM_SA_SETUP,
    /// MM_KEY_EXCH, MM_KEY_AUTH, QM_IDLE; AG_* for Aggressive Mode).
    pub ios: &'static str,
    /// ASA state of the waiting side (MM_WAIT_MSG2..6, MM_ACTIVE, AM_*).
    pub asa: &'static str,
    pub complete: bool,
}

fn last_distinct(sa: &IkeSa, prefix: &str) -> Option<u32> {
    sa.messages
        .iter()
        .filter(|m| m.retransmit_of.is_none())
        .filter_map(|m| m.label.strip_prefix(prefix)?.parse::<u32>().ok())
        .max()
}

/// The phase 1 state of an IKE SA.
pub fn phase1(sa: &IkeSa) -> Phase1State {
    match sa.mode {
        Mode::Main => {
            let n = last_distinct(sa, "MM");
            let has_qm = !sa.quick_modes.is_empty();
            let complete = n.is_some_and(|n| n >= 6) || (n == Some(5) && has_qm);
            let (ios, asa) = match n {
                _ if complete => ("QM_IDLE", "MM_ACTIVE"),
                Some(1) => ("MM_NO_STATE", "MM_WAIT_MSG2"),
                Some(2) => ("MM_SA_SETUP", "MM_WAIT_MSG3"),
                Some(3) => ("MM_SA_SETUP", "MM_WAIT_MSG4"),
                Some(4) => ("MM_KEY_EXCH", "MM_WAIT_MSG5"),
                Some(5) => ("MM_KEY_EXCH", "MM_WAIT_MSG6"),
                _ => ("MM_NO_STATE", "MM_NO_STATE"),
            };
            Phase1State {
                last_message: n.map(|n| format!("MM{n}")),
                ios,
                asa,
                complete,
            }
        }
        Mode::Aggressive => {
            let n = last_distinct(sa, "AM");
            let complete = n == Some(3) || (n == Some(2) && !sa.quick_modes.is_empty());
            let (ios, asa) = match n {
                _ if complete => ("QM_IDLE", "AM_ACTIVE"),
                Some(1) => ("AG_NO_STATE", "AM_WAIT_MSG2"),
                Some(2) => ("AG_INIT_EXCH", "AM_WAIT_MSG3"),
                _ => ("AG_NO_STATE", "AM_NO_STATE"),
            };
            Phase1State {
                last_message: n.map(|n| format!("AM{n}")),
                ios,
                asa,
                complete,
            }
        }
        Mode::Ikev2 => {
            let has = |l: &str| sa.find(l).is_some();
            let auth_ok = has("IKE_AUTH resp")
                && !sa.messages.iter().any(|m| {
                    m.label == "IKE_AUTH resp"
                        && (m.notifies.iter().any(|n| n.notify_type < 16384)
                            || (m.ike_fragment.is_none()
                                && m.encrypted_length.is_some_and(|l| l < MIN_AUTH_ANSWER)))
                });
            let (last, ios, asa, complete) = if auth_ok {
                ("IKE_AUTH resp", "READY", "READY", true)
            } else if has("IKE_AUTH resp") {
                ("IKE_AUTH resp", "DELETE", "DELETE", false)
            } else if has("IKE_AUTH req") {
                ("IKE_AUTH req", "IN-NEG", "AUTH_WAIT", false)
            } else if has("IKE_SA_INIT resp") {
                ("IKE_SA_INIT resp", "IN-NEG", "INIT_DONE", false)
            } else if has("IKE_SA_INIT req") {
                ("IKE_SA_INIT req", "IN-NEG", "INIT_WAIT", false)
            } else {
                let last = sa
                    .messages
                    .iter()
                    .rev()
                    .find(|m| m.retransmit_of.is_none())
                    .map(|m| m.label.clone());
                return Phase1State {
                    last_message: last,
                    ios: "READY",
                    asa: "READY",
                    // Only later exchanges were captured: the SA was up.
                    complete: true,
                };
            };
            Phase1State {
                last_message: Some(last.to_string()),
                ios,
                asa,
                complete,
            }
        }
        // Quick Mode without phase 1: it was up before the capture started.
        Mode::Unknown if !sa.quick_modes.is_empty() => Phase1State {
            last_message: None,
            ios: "QM_IDLE",
            asa: "MM_ACTIVE",
            complete: true,
        },
        // Only Informational (or unknown) exchanges: nothing says how far
        // phase 1 got.
        Mode::Unknown => Phase1State {
            last_message: None,
            ios: "-",
            asa: "-",
            complete: false,
        },
    }
}
