//! Verdict codes: typed, one per finding, with their stable kebab-case
//! text. Severity, meaning and checks live in one table
//! ([`super::advice::CODES`]); a code that is not in it does not compile.

use std::fmt;

/// A verdict code. The text ([`Code::as_str`]) is stable: add, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// `established`
    Established,
    /// `no-response`
    NoResponse,
    /// `phase1-no-proposal-chosen`
    Phase1NoProposalChosen,
    /// `phase1-key-exchange-stalled`
    Phase1KeyExchangeStalled,
    /// `phase1-auth-failed`
    Phase1AuthFailed,
    /// `phase1-invalid-ke`
    Phase1InvalidKe,
    /// `phase2-no-proposal-chosen`
    Phase2NoProposalChosen,
    /// `phase2-invalid-id`
    Phase2InvalidId,
    /// `phase2-no-response`
    Phase2NoResponse,
    /// `phase2-unconfirmed`
    Phase2Unconfirmed,
    /// `phase2-rejected`
    Phase2Rejected,
    /// `auth-failed`
    AuthFailed,
    /// `ike-auth-rejected`
    IkeAuthRejected,
    /// `ike-auth-no-response`
    IkeAuthNoResponse,
    /// `esp-one-way`
    EspOneWay,
    /// `esp-loss`
    EspLoss,
    /// `esp-replay`
    EspReplay,
    /// `invalid-spi`
    InvalidSpi,
    /// `dpd-timeout`
    DpdTimeout,
    /// `deleted`
    Deleted,
    /// `nat-detected`
    NatDetected,
    /// `esp-not-encapsulated`
    EspNotEncapsulated,
    /// `fragmentation-suspected`
    FragmentationSuspected,
    /// `incomplete-capture`
    IncompleteCapture,
    /// `rekeyed`
    Rekeyed,
    /// `no-traffic`
    NoTraffic,
    /// `payloads-absent`
    PayloadsAbsent,
    /// `icmp-unreachable`
    IcmpUnreachable,
    /// `malformed`
    Malformed,
    /// `selector-violation`
    SelectorViolation,
    /// `aggressive-mode-psk`
    AggressiveModePsk,
}

impl Code {
    /// Every code, in table order.
    pub const ALL: &'static [Code] = &[
        Code::Established,
        Code::NoResponse,
        Code::Phase1NoProposalChosen,
        Code::Phase1KeyExchangeStalled,
        Code::Phase1AuthFailed,
        Code::Phase1InvalidKe,
        Code::Phase2NoProposalChosen,
        Code::Phase2InvalidId,
        Code::Phase2NoResponse,
        Code::Phase2Unconfirmed,
        Code::Phase2Rejected,
        Code::AuthFailed,
        Code::IkeAuthRejected,
        Code::IkeAuthNoResponse,
        Code::EspOneWay,
        Code::EspLoss,
        Code::EspReplay,
        Code::InvalidSpi,
        Code::DpdTimeout,
        Code::Deleted,
        Code::NatDetected,
        Code::EspNotEncapsulated,
        Code::FragmentationSuspected,
        Code::IncompleteCapture,
        Code::Rekeyed,
        Code::NoTraffic,
        Code::PayloadsAbsent,
        Code::IcmpUnreachable,
        Code::Malformed,
        Code::SelectorViolation,
        Code::AggressiveModePsk,
    ];

    /// The stable text printed in tables and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::Established => "established",
            Code::NoResponse => "no-response",
            Code::Phase1NoProposalChosen => "phase1-no-proposal-chosen",
            Code::Phase1KeyExchangeStalled => "phase1-key-exchange-stalled",
            Code::Phase1AuthFailed => "phase1-auth-failed",
            Code::Phase1InvalidKe => "phase1-invalid-ke",
            Code::Phase2NoProposalChosen => "phase2-no-proposal-chosen",
            Code::Phase2InvalidId => "phase2-invalid-id",
            Code::Phase2NoResponse => "phase2-no-response",
            Code::Phase2Unconfirmed => "phase2-unconfirmed",
            Code::Phase2Rejected => "phase2-rejected",
            Code::AuthFailed => "auth-failed",
            Code::IkeAuthRejected => "ike-auth-rejected",
            Code::IkeAuthNoResponse => "ike-auth-no-response",
            Code::EspOneWay => "esp-one-way",
            Code::EspLoss => "esp-loss",
            Code::EspReplay => "esp-replay",
            Code::InvalidSpi => "invalid-spi",
            Code::DpdTimeout => "dpd-timeout",
            Code::Deleted => "deleted",
            Code::NatDetected => "nat-detected",
            Code::EspNotEncapsulated => "esp-not-encapsulated",
            Code::FragmentationSuspected => "fragmentation-suspected",
            Code::IncompleteCapture => "incomplete-capture",
            Code::Rekeyed => "rekeyed",
            Code::NoTraffic => "no-traffic",
            Code::PayloadsAbsent => "payloads-absent",
            Code::IcmpUnreachable => "icmp-unreachable",
            Code::Malformed => "malformed",
            Code::SelectorViolation => "selector-violation",
            Code::AggressiveModePsk => "aggressive-mode-psk",
        }
    }

    /// The code with this text.
    pub fn from_text(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// A finding about the configuration's security, not the negotiation's
    /// outcome: listed after the tunnel's own verdicts, never its end state.
    pub fn is_security_finding(self) -> bool {
        matches!(self, Code::AggressiveModePsk)
    }

    /// The code's row in the advice table.
    pub fn info(self) -> &'static super::advice::CodeInfo {
        super::advice::info(self)
    }

    /// Severity from the table.
    pub fn severity(self) -> super::Severity {
        self.info().severity
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
