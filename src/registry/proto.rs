//! Protocol numbers the analysis reasons about, typed once: exchange types,
//! the notify types the rules test for, and the error/status split. Each enum
//! keeps unknown values (`Other`) so nothing read from the wire is lost; the
//! names for printing stay in the registry tables ([`super::ikev1`],
//! [`super::ikev2`]).

/// ISAKMP exchange types (RFC 2408 §4.1, RFC 2409 §5, draft-dukes-ike-mode-cfg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExchangeV1 {
    /// Identity Protection (Main Mode).
    Main,
    /// Aggressive Mode.
    Aggressive,
    Informational,
    /// Transaction (Mode-Config, XAUTH).
    Transaction,
    /// Quick Mode (phase 2).
    Quick,
    Other(u8),
}

impl ExchangeV1 {
    pub const fn from_u8(v: u8) -> ExchangeV1 {
        match v {
            2 => ExchangeV1::Main,
            4 => ExchangeV1::Aggressive,
            5 => ExchangeV1::Informational,
            6 => ExchangeV1::Transaction,
            32 => ExchangeV1::Quick,
            o => ExchangeV1::Other(o),
        }
    }

    pub const fn number(self) -> u8 {
        match self {
            ExchangeV1::Main => 2,
            ExchangeV1::Aggressive => 4,
            ExchangeV1::Informational => 5,
            ExchangeV1::Transaction => 6,
            ExchangeV1::Quick => 32,
            ExchangeV1::Other(o) => o,
        }
    }
}

/// IKEv2 exchange types (RFC 7296 §3.1; IANA ikev2-parameters-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExchangeV2 {
    IkeSaInit,
    IkeAuth,
    CreateChildSa,
    Informational,
    Other(u8),
}

impl ExchangeV2 {
    pub const fn from_u8(v: u8) -> ExchangeV2 {
        match v {
            34 => ExchangeV2::IkeSaInit,
            35 => ExchangeV2::IkeAuth,
            36 => ExchangeV2::CreateChildSa,
            37 => ExchangeV2::Informational,
            o => ExchangeV2::Other(o),
        }
    }

    pub const fn number(self) -> u8 {
        match self {
            ExchangeV2::IkeSaInit => 34,
            ExchangeV2::IkeAuth => 35,
            ExchangeV2::CreateChildSa => 36,
            ExchangeV2::Informational => 37,
            ExchangeV2::Other(o) => o,
        }
    }

    /// The IANA name, or None for an unassigned value.
    pub fn name(self) -> Option<&'static str> {
        super::ikev2::EXCHANGE_TYPES.name(self.number().into())
    }
}

/// A notify type as every text output names it, the way JSON carries it
/// (`{"number", "name"}`): `NO_PROPOSAL_CHOSEN (14)`, or `notify 40960` when
/// the version's registry has no name for it.
pub fn notify_label(version: u8, notify_type: u16) -> String {
    let table = if version == 2 {
        &super::ikev2::NOTIFY_TYPES
    } else {
        &super::ikev1::NOTIFY_TYPES
    };
    table.label(notify_type.into(), "notify")
}

/// IKEv1 notify types below this are errors (RFC 2408 §3.14.1: 1–8191).
pub const V1_FIRST_STATUS_NOTIFY: u16 = 8192;
/// IKEv2 notify types below this are errors (RFC 7296 §3.10.1).
pub const V2_FIRST_STATUS_NOTIFY: u16 = 16384;

/// True for an error notification of this IKE version.
pub const fn is_error_notify(version: u8, notify_type: u16) -> bool {
    notify_type
        < if version == 2 {
            V2_FIRST_STATUS_NOTIFY
        } else {
            V1_FIRST_STATUS_NOTIFY
        }
}

/// IKEv1 notify types the rules test for (RFC 2408 §3.14.1, RFC 2407
/// §4.6.3, RFC 3706).
pub mod notify_v1 {
    pub const INVALID_SPI: u16 = 11;
    pub const NO_PROPOSAL_CHOSEN: u16 = 14;
    pub const PAYLOAD_MALFORMED: u16 = 16;
    pub const INVALID_ID_INFORMATION: u16 = 18;
    pub const INVALID_HASH_INFORMATION: u16 = 23;
    pub const AUTHENTICATION_FAILED: u16 = 24;
    pub const R_U_THERE: u16 = 36136;
    pub const R_U_THERE_ACK: u16 = 36137;
}

/// IKEv2 notify types the rules test for (RFC 7296 §3.10.1).
pub mod notify_v2 {
    pub const INVALID_SPI: u16 = 11;
    pub const NO_PROPOSAL_CHOSEN: u16 = 14;
    pub const INVALID_KE_PAYLOAD: u16 = 17;
    pub const AUTHENTICATION_FAILED: u16 = 24;
    pub const TS_UNACCEPTABLE: u16 = 38;
}

/// ISAKMP payload types used to tell Main/Aggressive Mode messages apart
/// (RFC 2408 §3.1).
pub mod payload_v1 {
    pub const SA: u8 = 1;
    pub const KE: u8 = 4;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(ExchangeV1::from_u8(v).number(), v);
            assert_eq!(ExchangeV2::from_u8(v).number(), v);
        }
        assert_eq!(ExchangeV2::IkeAuth.name(), Some("IKE_AUTH"));
        assert!(is_error_notify(2, 24) && !is_error_notify(2, 16388));
        assert!(is_error_notify(1, 24) && !is_error_notify(1, 24578));
        assert_eq!(notify_label(1, 14), "NO-PROPOSAL-CHOSEN (14)");
        assert_eq!(notify_label(2, 14), "NO_PROPOSAL_CHOSEN (14)");
        assert_eq!(notify_label(2, 16), "notify 16");
    }
}
