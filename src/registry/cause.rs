//! Failure causes: the stable `cause` codes a verdict carries when the
//! evidence pins the reason down (decrypted contents, device logs, or a
//! cleartext notify). One vocabulary for every kind of evidence, so a cause
//! read from a decrypted notify and one read from an ASA syslog line are the
//! same value.
//!
//! The names and their wording follow Cisco's "IPsec Troubleshooting:
//! Understanding and Using debug Commands" and "Most Common L2L and Remote
//! Access IPsec VPN Troubleshooting Solutions" guides, which our users work
//! from, with the RFC that defines the failing check.

use std::fmt;

/// A failure cause. Codes are kebab-case and never change once published
/// (they appear in JSON and in `--help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// Phase-1 proposals (encryption, hash, DH group, authentication method,
    /// lifetime) have nothing in common.
    Phase1ProposalMismatch,
    /// The peers use different pre-shared keys.
    PskMismatch,
    /// The identity sent is not the one the peer expects (no tunnel-group /
    /// keyring / connection matches it).
    IdMismatch,
    /// Certificate or signature authentication failed (untrusted CA,
    /// expired or revoked certificate, wrong identity in the certificate).
    CertificateRejected,
    /// EAP or XAUTH user authentication failed.
    UserAuthFailed,
    /// The DH group offered is not the one the responder wants (IKEv2
    /// INVALID_KE_PAYLOAD, or a phase-1 group mismatch seen in logs).
    DhGroupMismatch,
    /// Phase-2 transform sets (ESP cipher / integrity) have nothing in common.
    TransformMismatch,
    /// One side requires PFS (a KE in Quick Mode / CREATE_CHILD_SA) and the
    /// other does not, or the PFS groups differ.
    PfsMismatch,
    /// Proxy identities / traffic selectors (crypto ACLs) do not mirror each
    /// other.
    ProxyIdMismatch,
    /// Decapsulated traffic does not match the negotiated selectors (ASA
    /// 402116).
    SelectorViolation,
    /// The peer does not answer IKE at all (no route, filtered, no IKE
    /// service on that address).
    PeerUnreachable,
    /// Large IKE messages (certificates) are lost because IP fragments are
    /// dropped on the path.
    FragmentsDropped,
    /// The peer has no SA for the SPI used (after a reboot or a missed
    /// delete).
    InvalidSpi,
    /// The peer stopped answering liveness checks (DPD / keepalives).
    PeerDead,
    /// ESP leaves in one direction only: routing, NAT exemption or a filter
    /// on the return path.
    OneWayTraffic,
    /// A message was malformed or failed its integrity check on receipt.
    MalformedMessage,
}

/// One row of the cause table.
#[derive(Debug)]
pub struct CauseInfo {
    pub cause: Cause,
    /// The stable code printed in text and JSON.
    pub code: &'static str,
    /// The cause in the words of the troubleshooting guides.
    pub text: &'static str,
    /// Where the check that fails is defined.
    pub source: &'static str,
}

/// Every cause, in the order `--help` lists them.
pub static CAUSES: &[CauseInfo] = &[
    CauseInfo {
        cause: Cause::Phase1ProposalMismatch,
        code: "phase1-proposal-mismatch",
        text: "phase 1 policy mismatch (encryption, hash, DH group, authentication method or lifetime)",
        source: "RFC 2409 §5; RFC 7296 §2.7; Cisco L2L troubleshooting: 'no proposal chosen'",
    },
    CauseInfo {
        cause: Cause::PskMismatch,
        code: "psk-mismatch",
        text: "pre-shared key mismatch",
        source: "RFC 2409 §5.4; RFC 7296 §2.15; Cisco: 'stalled after MM5'",
    },
    CauseInfo {
        cause: Cause::IdMismatch,
        code: "id-mismatch",
        text: "identity mismatch (no tunnel-group, keyring or connection matches the identity sent)",
        source: "RFC 2407 §4.6.2; RFC 7296 §3.5",
    },
    CauseInfo {
        cause: Cause::CertificateRejected,
        code: "certificate-rejected",
        text: "certificate or signature authentication failed (trust anchor, validity, revocation or identity)",
        source: "RFC 2409 §5.1; RFC 7296 §2.15, §3.6",
    },
    CauseInfo {
        cause: Cause::UserAuthFailed,
        code: "user-auth-failed",
        text: "EAP or XAUTH user authentication failed",
        source: "RFC 7296 §2.16; draft-ietf-ipsec-isakmp-xauth-06",
    },
    CauseInfo {
        cause: Cause::DhGroupMismatch,
        code: "dh-group-mismatch",
        text: "Diffie-Hellman group mismatch",
        source: "RFC 7296 §1.2, §3.10.1 (INVALID_KE_PAYLOAD)",
    },
    CauseInfo {
        cause: Cause::TransformMismatch,
        code: "transform-mismatch",
        text: "phase 2 transform set mismatch (ESP encryption or integrity)",
        source: "RFC 2409 §5.5; RFC 7296 §1.3; Cisco: 'QM proposal not chosen'",
    },
    CauseInfo {
        cause: Cause::PfsMismatch,
        code: "pfs-mismatch",
        text: "PFS mismatch (one side requires a DH exchange in phase 2, or the PFS groups differ)",
        source: "RFC 2409 §5.5; RFC 7296 §1.3.1; Cisco: 'QM FSM error'",
    },
    CauseInfo {
        cause: Cause::ProxyIdMismatch,
        code: "proxy-id-mismatch",
        text: "crypto ACL / proxy identity / traffic selector mismatch",
        source: "RFC 2409 §5.5 (IDci/IDcr); RFC 7296 §2.9; Cisco: 'Invalid ID info'",
    },
    CauseInfo {
        cause: Cause::SelectorViolation,
        code: "selector-violation",
        text: "decapsulated traffic does not match the negotiated proxy identities",
        source: "RFC 4301 §5.2; Cisco ASA syslog 402116",
    },
    CauseInfo {
        cause: Cause::PeerUnreachable,
        code: "peer-unreachable",
        text: "the peer does not answer IKE (routing, a filter on UDP 500/4500, or no IKE service on that address)",
        source: "RFC 7296 §2.1; Cisco: 'MM_WAIT_MSG2'",
    },
    CauseInfo {
        cause: Cause::FragmentsDropped,
        code: "fragments-dropped",
        text: "IP fragments of large IKE messages are dropped on the path",
        source: "RFC 7383 §1; RFC 2409 (no IKEv1 fragmentation standard)",
    },
    CauseInfo {
        cause: Cause::InvalidSpi,
        code: "invalid-spi",
        text: "the peer has no SA for the SPI in use (reboot or missed delete)",
        source: "RFC 2408 §3.14.1 (INVALID-SPI); RFC 7296 §3.10.1",
    },
    CauseInfo {
        cause: Cause::PeerDead,
        code: "peer-dead",
        text: "the peer stopped answering liveness checks (DPD)",
        source: "RFC 3706; RFC 7296 §2.4",
    },
    CauseInfo {
        cause: Cause::OneWayTraffic,
        code: "one-way-traffic",
        text: "ESP flows in one direction only (routing, NAT exemption or a filter on the return path)",
        source: "Cisco: 'encaps without decaps'",
    },
    CauseInfo {
        cause: Cause::MalformedMessage,
        code: "malformed-message",
        text: "a message was malformed or failed its integrity check",
        source: "RFC 2408 §3.14.1 (PAYLOAD-MALFORMED); RFC 7296 §3.10.1 (INVALID_SYNTAX)",
    },
];

impl Cause {
    /// The table row for this cause.
    pub fn info(self) -> &'static CauseInfo {
        CAUSES
            .iter()
            .find(|c| c.cause == self)
            .expect("every Cause has a row in CAUSES (checked by a test)")
    }

    /// The stable kebab-case code.
    pub fn code(self) -> &'static str {
        self.info().code
    }

    /// The cause in words.
    pub fn text(self) -> &'static str {
        self.info().text
    }

    /// The cause with this code.
    pub fn from_code(code: &str) -> Option<Cause> {
        CAUSES.iter().find(|c| c.code == code).map(|c| c.cause)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Cause {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cause_has_one_row_and_a_unique_code() {
        let mut codes: Vec<&str> = CAUSES.iter().map(|c| c.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CAUSES.len(), "duplicate cause code");
        for row in CAUSES {
            assert_eq!(Cause::from_code(row.code), Some(row.cause));
            assert_eq!(row.cause.info().code, row.code);
            assert!(!row.source.is_empty());
        }
    }
}
