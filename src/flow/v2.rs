//! IKEv2 message steps: exchange plus request/response (RFC 7296 §1, §3.1:
//! R flag), with copies told apart by [`super::tracker::copy_of`].

use super::{tracker::copy_of, IkeMsg, IkeSa, Role, Step};
use crate::registry::proto::ExchangeV2;

/// Decide the step and copy of `m`.
pub(super) fn label(sa: &mut IkeSa, m: &mut IkeMsg) {
    if let Some((copy, step)) = copy_of(sa, m) {
        m.copy = copy;
        m.step = step;
        return;
    }
    let role = if m.response {
        Role::Response
    } else {
        Role::Request
    };
    m.step = m
        .obs
        .step
        .unwrap_or(Step::V2(ExchangeV2::from_u8(m.exchange_type), role));
}
