//! A security finding that needs no keys: an IKEv1 Aggressive Mode exchange
//! authenticated with a pre-shared key. The responder's AM2 carries HASH_R,
//! a pseudo-random function keyed with the pre-shared key over values that
//! all travel in clear (RFC 2409 §5.4), so whoever holds the capture can
//! test candidate keys offline (CVE-2002-1623; `ike-scan` / `psk-crack`).
//!
//! The verdict is a warning about the configuration, never an error, and it
//! sorts after the tunnel's own verdicts so it does not take the place of
//! the negotiation's outcome.

use super::code::Code;
use super::{Basis, Verdict};
use crate::flow::{Dir, IkeSa, Mode};

/// IKEv1 exchange type Aggressive (RFC 2408 §4.8).
const AGGRESSIVE: u8 = 4;

/// Authentication methods keyed with a pre-shared key: RFC 2409 Appendix A
/// (1 = pre-shared key) and the XAUTH variants of
/// draft-beaulieu-ike-xauth-02 §7.2 (65001 XAUTHInitPreShared, 65002
/// XAUTHRespPreShared), where the group key plays the same role.
const PSK_METHODS: &[u16] = &[1, 65001, 65002];

pub fn check(sa: &IkeSa, out: &mut Vec<Verdict>) {
    if sa.version != 1 || sa.mode != Mode::Aggressive {
        return;
    }
    let am = |d: Dir| {
        sa.messages
            .iter()
            .find(|m| m.dir == d && m.exchange_type == AGGRESSIVE && m.is_try() && !m.encrypted)
    };
    // HASH_R is in AM2: without it nothing keyed with the PSK was exposed.
    let (Some(am1), Some(am2)) = (am(Dir::I2R), am(Dir::R2I)) else {
        return;
    };
    let method = am2.auth_method.or(am1.auth_method);
    if !method.is_some_and(|m| PSK_METHODS.contains(&m)) {
        return;
    }
    out.push(
        Verdict::new(
            Code::AggressiveModePsk,
            vec![am1.frame, am2.frame],
            format!(
                "Aggressive Mode authenticated with a pre-shared key (AM1 frame {}, AM2 frame {}): AM2 carries HASH_R, keyed with the pre-shared key over values sent in clear, so anyone holding this capture can test candidate keys offline (RFC 2409 §5.4 / CVE-2002-1623)",
                am1.frame, am2.frame
            ),
        )
        .basis(Basis::Clear),
    );
}
