//! IKEv2 message labelling: exchange name plus request/response (RFC 7296
//! §1, §3.1: R flag), with retransmissions by identical bytes.

use super::{IkeMsg, IkeSa};
use crate::registry::ikev2::EXCHANGE_TYPES;

pub(super) fn label(sa: &mut IkeSa, m: &mut IkeMsg) {
    if super::mark_retransmission(sa, m) {
        return;
    }
    let name = match EXCHANGE_TYPES.name(m.exchange_type.into()) {
        Some(n) => n.to_string(),
        None => format!("EXCH{}", m.exchange_type),
    };
    let kind = if m.response { "resp" } else { "req" };
    m.label = format!("{name} {kind}");
}
