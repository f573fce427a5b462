//! The message catalogue: which log lines mean what. One table, one row per
//! message (or message variant), each citing where the text comes from.
//!
//! Matching (see [`lookup`]): a Cisco line carrying a message number
//! (`%ASA-5-713119`) matches the rows with that number whose `text` (if
//! any) it contains, then the number-less rows of its dialect; a line
//! without a number (ASA console debug, VPN 3000, daemons) matches by
//! `text` only, since ASA debug prints the syslog text without the number
//! (FORMATS.md §5.1). The first matching row wins, so specific rows come
//! before general ones. Text is matched case-sensitively, as printed.
//!
//! Causes here are what the line itself establishes. Where the meaning
//! depends on the negotiation (a NO_PROPOSAL_CHOSEN in phase 1 or 2, a
//! timeout waiting for the first answer or a later one), the row leaves the
//! phase or cause open and the reader settles it from the lines before
//! (`reader::settle`).
//!
//! Sources:
//! - Cisco ASA Series Syslog Messages guide (message numbers, templates);
//!   real wording from the samples in `../shared/device-text` (FORMATS.md).
//! - Cisco IOS System Message Guide (`%CRYPTO-` mnemonics) and Cisco's "IPsec
//!   Troubleshooting: Understanding and Using debug Commands" (IOS debug).
//! - strongSwan 5.9 `src/libcharon` (file named per row), as logged by the
//!   daemons that made `captures/`.
//! - libreswan 4.10 `programs/pluto` (file named per row).

use super::{Dir, EventKind, Exchange, Phase};
use crate::registry::cause::Cause;

/// Which family of log text a row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// ASA/FTD/PIX syslog, ASA console debug, VPN 3000 event log.
    Asa,
    /// IOS/IOS-XE debug and `%CRYPTO-` syslog.
    Ios,
    /// strongSwan charon.
    Charon,
    /// libreswan pluto.
    Pluto,
}

/// One catalogue row.
#[derive(Debug)]
pub struct Row {
    pub dialect: Dialect,
    /// Cisco syslog message number.
    pub number: Option<u32>,
    /// IOS syslog mnemonic (`IKMP_BAD_MESSAGE`).
    pub mnemonic: Option<&'static str>,
    /// Text the message must contain.
    pub text: Option<&'static str>,
    pub kind: EventKind,
    pub cause: Option<Cause>,
    pub source: &'static str,
}

const fn asa(
    number: u32,
    text: Option<&'static str>,
    kind: EventKind,
    cause: Option<Cause>,
    source: &'static str,
) -> Row {
    Row {
        dialect: Dialect::Asa,
        number: Some(number),
        mnemonic: None,
        text,
        kind,
        cause,
        source,
    }
}

const fn asa_text(
    text: &'static str,
    kind: EventKind,
    cause: Option<Cause>,
    source: &'static str,
) -> Row {
    Row {
        dialect: Dialect::Asa,
        number: None,
        mnemonic: None,
        text: Some(text),
        kind,
        cause,
        source,
    }
}

const fn ios(
    mnemonic: Option<&'static str>,
    text: Option<&'static str>,
    kind: EventKind,
    cause: Option<Cause>,
    source: &'static str,
) -> Row {
    Row {
        dialect: Dialect::Ios,
        number: None,
        mnemonic,
        text,
        kind,
        cause,
        source,
    }
}

const fn charon(
    text: &'static str,
    kind: EventKind,
    cause: Option<Cause>,
    source: &'static str,
) -> Row {
    Row {
        dialect: Dialect::Charon,
        number: None,
        mnemonic: None,
        text: Some(text),
        kind,
        cause,
        source,
    }
}

const fn pluto(
    text: &'static str,
    kind: EventKind,
    cause: Option<Cause>,
    source: &'static str,
) -> Row {
    Row {
        dialect: Dialect::Pluto,
        number: None,
        mnemonic: None,
        text: Some(text),
        kind,
        cause,
        source,
    }
}

use Dir::{Local, Received, Sent};
use EventKind as K;

/// The catalogue.
pub static CATALOGUE: &[Row] = &[
    // ---- Cisco ASA / FTD / PIX (and VPN 3000, ASA debug: same text) ----
    asa(713041, Some("New Phase 1"), K::Phase1Start { initiator: Some(true) }, None, "ASA syslog 713041 (IKE Initiator: new Phase 1)"),
    asa(713041, Some("Phase 2"), K::Phase2Start, None, "ASA syslog 713041 (IKE Initiator: new Phase 2)"),
    asa(713041, None, K::Phase1Start { initiator: Some(true) }, None, "ASA syslog 713041"),
    asa_text("IKE Initiator: New Phase 1", K::Phase1Start { initiator: Some(true) }, None, "ASA syslog 713041 text (console debug, VPN 3000 IKE/41)"),
    asa_text("IKE Initiator: New Phase 2", K::Phase2Start, None, "ASA syslog 713041 text"),
    asa(713236, Some("IKE_DECODE RESENDING"), K::Retransmission { dir: Sent }, None, "ASA syslog 713236 (IKE_DECODE RESENDING)"),
    asa(713236, Some("IKE_DECODE SENDING"), K::Message { dir: Sent }, None, "ASA syslog 713236 (IKE_DECODE SENDING)"),
    asa(713236, Some("IKE_DECODE RECEIVED"), K::Message { dir: Received }, None, "ASA syslog 713236 (IKE_DECODE RECEIVED)"),
    asa_text("IKE_DECODE RESENDING", K::Retransmission { dir: Sent }, None, "ASA syslog 713236 text"),
    asa_text("IKE_DECODE SENDING", K::Message { dir: Sent }, None, "ASA syslog 713236 text"),
    asa_text("IKE_DECODE RECEIVED", K::Message { dir: Received }, None, "ASA syslog 713236 text"),
    asa_text("Oakley proposal is acceptable", K::Phase1Progress, None, "ASA syslog 713906 (descriptive)"),
    asa(713119, None, K::Phase1Completed, None, "ASA syslog 713119 PHASE 1 COMPLETED"),
    asa_text("PHASE 1 COMPLETED", K::Phase1Completed, None, "ASA syslog 713119 text (VPN 3000 IKE/119)"),
    asa(713120, None, K::Phase2Completed, None, "ASA syslog 713120 PHASE 2 COMPLETED"),
    asa_text("PHASE 2 COMPLETED", K::Phase2Completed, None, "ASA syslog 713120 text (VPN 3000 IKE/120)"),
    asa(713049, None, K::SaInstalled, None, "ASA syslog 713049 (Security negotiation complete … Inbound SPI, Outbound SPI)"),
    asa_text("Security negotiation complete for", K::SaInstalled, None, "ASA syslog 713049 text"),
    asa(602303, None, K::SaInstalled, None, "ASA syslog 602303 (IPSEC: An inbound|outbound SA … has been created)"),
    asa(602304, None, K::Delete { phase: Some(Phase::Two), dir: Local }, None, "ASA syslog 602304 (IPSEC: … SA … has been deleted)"),
    asa(714002, None, K::Phase2Start, None, "ASA syslog 714002 (IKE Initiator starting QM)"),
    asa(714003, None, K::Phase2Start, None, "ASA syslog 714003 (IKE Responder starting QM)"),
    asa_text("IKE Initiator starting QM", K::Phase2Start, None, "ASA syslog 714002 text"),
    asa_text("IKE Responder starting QM", K::Phase2Start, None, "ASA syslog 714003 text"),
    asa(713061, None, K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "ASA syslog 713061 (Tunnel rejected: Crypto Map Policy not found / no matching crypto map entry)"),
    asa_text("no matching crypto map entry for remote proxy", K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "ASA syslog 713061 text (9.x wording)"),
    asa_text("Crypto Map Policy not found for", K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "ASA syslog 713061 text (guide wording)"),
    asa_text("QM FSM error", K::QmFsmError, None, "ASA syslog 713902 (descriptive: QM FSM error)"),
    asa_text("pre-shared key", K::AuthFailed { dir: Local }, Some(Cause::PskMismatch), "ASA syslog 713902/713903 (descriptive: '… mismatched pre-shared key' / 'could indicate a pre-shared key mismatch'); Cisco L2L troubleshooting guide"),
    asa_text("un-encrypted INVALID_COOKIE", K::InvalidCookie, None, "ASA syslog 713904 (Received an un-encrypted INVALID_COOKIE notify message)"),
    asa_text("un-encrypted NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: Some(Phase::One), dir: Received }, Some(Cause::Phase1ProposalMismatch), "ASA syslog 713904 (un-encrypted NO_PROPOSAL_CHOSEN: no phase-1 SA yet)"),
    asa_text("un-encrypted PAYLOAD_MALFORMED", K::Malformed, None, "ASA syslog 713904 (un-encrypted PAYLOAD_MALFORMED)"),
    asa_text("un-encrypted INVALID_ID_INFO", K::IdRefused { phase: Some(Phase::One), dir: Received }, Some(Cause::IdMismatch), "ASA syslog 713904 (un-encrypted INVALID_ID_INFO: phase 1)"),
    asa_text("Received non-routine Notify message: No proposal chosen", K::NoProposalChosen { phase: None, dir: Received }, None, "ASA syslog 713068 (Received non-routine Notify message)"),
    asa_text("Received non-routine Notify message: Invalid ID info", K::IdRefused { phase: None, dir: Received }, None, "ASA syslog 713068"),
    asa_text("Received encrypted packet with no matching SA", K::UnknownSa, None, "ASA syslog 713904 (descriptive)"),
    asa_text("Information Exchange processing failed", K::ExchangeFailed, None, "ASA syslog 713903 (descriptive)"),
    asa_text("All IPSec SA proposals found unacceptable", K::NoProposalChosen { phase: Some(Phase::Two), dir: Local }, Some(Cause::TransformMismatch), "ASA debug (IKEv1): 'All IPSec SA proposals found unacceptable'"),
    asa_text("All SA proposals found unacceptable", K::NoProposalChosen { phase: Some(Phase::One), dir: Local }, Some(Cause::Phase1ProposalMismatch), "ASA debug (IKEv1): 'All SA proposals found unacceptable'"),
    asa(713257, Some("Phase 1 failure"), K::NoProposalChosen { phase: Some(Phase::One), dir: Local }, Some(Cause::Phase1ProposalMismatch), "ASA syslog 713257 (Phase 1 failure: Mismatched attribute types)"),
    asa(713257, Some("Phase 2 failure"), K::NoProposalChosen { phase: Some(Phase::Two), dir: Local }, Some(Cause::TransformMismatch), "ASA syslog 713257 (Phase 2 failure: Mismatched attribute types)"),
    asa_text("failure: Mismatched attribute types for class", K::NoProposalChosen { phase: None, dir: Local }, None, "ASA syslog 713257 text"),
    asa(713136, None, K::Timeout, None, "ASA syslog 713136 (IKE session establishment timed out [state], aborting!)"),
    asa_text("IKE session establishment timed out", K::Timeout, None, "ASA syslog 713136 text"),
    asa(715065, None, K::NegotiationFailed, None, "ASA syslog 715065 (IKE FSM error history: newest state/event first)"),
    asa_text("FSM error history", K::NegotiationFailed, None, "ASA/PIX syslog 715065 text"),
    asa(713123, None, K::DpdTimeout, Some(Cause::PeerDead), "ASA syslog 713123 (IKE lost contact with remote peer, keepalive type DPD)"),
    asa_text("IKE lost contact with remote peer", K::DpdTimeout, Some(Cause::PeerDead), "ASA syslog 713123 text"),
    asa_text("Received Invalid SPI notify", K::InvalidSpi, Some(Cause::InvalidSpi), "ASA syslog 713117"),
    asa(402114, None, K::InvalidSpi, Some(Cause::InvalidSpi), "ASA syslog 402114 (ESP packet with an invalid SPI)"),
    asa(402116, None, K::SelectorViolation, Some(Cause::SelectorViolation), "ASA syslog 402116 (decapsulated inner packet doesn't match the negotiated policy)"),
    asa(402120, None, K::Malformed, Some(Cause::MalformedMessage), "ASA syslog 402120 (ESP packet failed authentication)"),
    asa_text("IS behind a NAT device", K::NatDetected, None, "ASA syslog 713172 (Automatic NAT Detection Status)"),
    asa(713138, None, K::PeerMismatch, Some(Cause::IdMismatch), "ASA syslog 713138 (Group not found and BASE GROUP default preshared key not configured)"),
    asa_text("not found and BASE GROUP default preshared key not configured", K::PeerMismatch, Some(Cause::IdMismatch), "ASA syslog 713138 text"),
    asa_text("IKE peer does not match remote peer as defined in L2L policy", K::PeerMismatch, Some(Cause::IdMismatch), "ASA syslog 713187"),
    asa_text("Can't find a valid tunnel group", K::PeerMismatch, Some(Cause::IdMismatch), "ASA syslog 713903 (descriptive)"),
    asa_text("Sending IKE Delete", K::Delete { phase: Some(Phase::One), dir: Sent }, None, "ASA syslog 713194 (Sending IKE Delete With Reason)"),
    asa_text("Sending IPsec Delete", K::Delete { phase: Some(Phase::Two), dir: Sent }, None, "ASA syslog 713194 (Sending IPsec Delete With Reason)"),
    asa_text("Reason: crypto map policy not found", K::Teardown, Some(Cause::ProxyIdMismatch), "ASA syslog 713259 / 113019 (teardown reason: crypto map policy not found)"),
    asa(713259, Some("crypto map policy not found"), K::Teardown, Some(Cause::ProxyIdMismatch), "ASA syslog 713259 (Reason: crypto map policy not found)"),
    asa(113019, Some("crypto map policy not found"), K::Teardown, Some(Cause::ProxyIdMismatch), "ASA syslog 113019 (Reason: crypto map policy not found)"),
    asa(713259, None, K::Teardown, None, "ASA syslog 713259 (Session is being torn down. Reason: …)"),
    asa(113019, None, K::Teardown, None, "ASA syslog 113019 (Session disconnected … Reason: …)"),
    asa_text("Session is being torn down", K::Teardown, None, "ASA syslog 713259 text"),
    asa_text("Mismatch: Overriding phase 2 DH Group", K::PfsHint, None, "ASA syslog 713133 (phase-2 DH group overridden: PFS settings differ)"),
    asa_text("Detected invalid Diffie-Helmann group_descriptor", K::DhGroupRejected { dir: Local }, Some(Cause::DhGroupMismatch), "ASA syslog 713118"),
    asa_text("Duplicate Phase 1 packet detected", K::Retransmission { dir: Received }, None, "ASA syslog 713201"),
    asa_text("Duplicate Phase 2 packet detected", K::Retransmission { dir: Received }, None, "ASA syslog 713201"),
    asa_text("No crypto map bound to interface", K::NoCryptoMap, None, "ASA debug (IKEv1): 'No crypto map bound to interface... dropping pkt'"),
    asa(750006, None, K::Phase1Completed, None, "ASA syslog 750006 (IKEv2 SA UP)"),
    asa(750007, None, K::Delete { phase: Some(Phase::One), dir: Local }, None, "ASA syslog 750007 (IKEv2 SA DOWN)"),
    asa(750003, Some("Failed to find a matching policy"), K::NoProposalChosen { phase: Some(Phase::One), dir: Local }, Some(Cause::Phase1ProposalMismatch), "ASA syslog 750003 (IKEv2 negotiation aborted: no matching policy)"),
    asa(750003, None, K::NegotiationFailed, None, "ASA syslog 750003 (IKEv2 negotiation aborted due to ERROR)"),
    asa_text("Received Packet [From ", K::Message { dir: Received }, None, "ASA/IOS debug crypto ikev2 protocol: IKEv2-PROTO Received Packet"),
    asa_text("Sending Packet [To ", K::Message { dir: Sent }, None, "ASA/IOS debug crypto ikev2 protocol: IKEv2-PROTO Sending Packet"),
    // ---- Cisco IOS / IOS-XE ----
    ios(Some("IKMP_BAD_MESSAGE"), None, K::DecryptFailed, Some(Cause::PskMismatch), "IOS %CRYPTO-4-IKMP_BAD_MESSAGE (failed its sanity check or is malformed: decrypted with a different key)"),
    ios(Some("IKMP_NO_SA"), None, K::UnknownSa, None, "IOS %CRYPTO-4-IKMP_NO_SA"),
    ios(Some("RECVD_PKT_INV_SPI"), None, K::InvalidSpi, Some(Cause::InvalidSpi), "IOS %CRYPTO-4-RECVD_PKT_INV_SPI"),
    ios(Some("IKMP_MODE_FAILURE"), None, K::NegotiationFailed, None, "IOS %CRYPTO-6-IKMP_MODE_FAILURE"),
    ios(None, Some("beginning Main Mode exchange"), K::Phase1Start { initiator: Some(true) }, None, "IOS debug crypto isakmp"),
    ios(None, Some("beginning Aggressive Mode exchange"), K::Phase1Start { initiator: Some(true) }, None, "IOS debug crypto isakmp"),
    ios(None, Some("beginning Quick Mode exchange"), K::Phase2Start, None, "IOS debug crypto isakmp"),
    ios(None, Some("retransmitting phase 1"), K::Retransmission { dir: Sent }, None, "IOS debug crypto isakmp (retransmitting phase 1 MM_…)"),
    ios(None, Some("retransmitting phase 2"), K::Retransmission { dir: Sent }, None, "IOS debug crypto isakmp"),
    ios(None, Some("sending packet to"), K::Message { dir: Sent }, None, "IOS debug crypto isakmp (ISAKMP-PAK sending packet to A … (I|R) state)"),
    ios(None, Some("received packet from"), K::Message { dir: Received }, None, "IOS debug crypto isakmp (ISAKMP-PAK received packet from A …)"),
    ios(None, Some("Old State = "), K::Phase1State, None, "IOS debug crypto isakmp (Old State = X  New State = Y)"),
    ios(None, Some("phase 1 SA policy not acceptable"), K::NoProposalChosen { phase: Some(Phase::One), dir: Local }, Some(Cause::Phase1ProposalMismatch), "IOS debug crypto isakmp; Cisco IPsec debug guide"),
    ios(None, Some("phase 2 SA policy not acceptable"), K::NoProposalChosen { phase: Some(Phase::Two), dir: Local }, None, "IOS debug crypto isakmp (transform set, PFS or crypto ACL: see the lines before)"),
    ios(None, Some("proxy identities not supported"), K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "IOS debug crypto ipsec (IPSEC(validate_proposal_request): proxy identities not supported)"),
    ios(None, Some("transform proposal not supported for identity"), K::NoProposalChosen { phase: Some(Phase::Two), dir: Local }, Some(Cause::TransformMismatch), "IOS debug crypto ipsec"),
    ios(None, Some("Sending NOTIFY PROPOSAL_NOT_CHOSEN"), K::NoProposalChosen { phase: None, dir: Sent }, None, "IOS debug crypto isakmp"),
    ios(None, Some("processing NOTIFY PROPOSAL_NOT_CHOSEN"), K::NoProposalChosen { phase: None, dir: Received }, None, "IOS debug crypto isakmp"),
    ios(None, Some("Sending NOTIFY INVALID_ID_INFO"), K::IdRefused { phase: None, dir: Sent }, None, "IOS debug crypto isakmp"),
    ios(None, Some("processing NOTIFY INVALID_ID_INFO"), K::IdRefused { phase: None, dir: Received }, None, "IOS debug crypto isakmp"),
    ios(None, Some("No pre-shared key with"), K::PskMissing, Some(Cause::PskMismatch), "IOS debug crypto isakmp (ISAKMP-ERROR: No pre-shared key with A!)"),
    ios(None, Some("SA has been authenticated with"), K::Phase1Progress, None, "IOS debug crypto isakmp"),
    ios(None, Some("DPD/R_U_THERE received"), K::Dpd { dir: Received }, None, "IOS debug crypto isakmp"),
    ios(None, Some("Sending R-U-THERE"), K::Dpd { dir: Sent }, None, "IOS debug crypto isakmp"),
    ios(None, Some("peer not responding"), K::DpdTimeout, Some(Cause::PeerDead), "IOS debug crypto isakmp (DPD: peer not responding)"),
    // ---- strongSwan charon 5.9 ----
    charon("initiating Main Mode IKE_SA", K::Phase1Start { initiator: Some(true) }, None, "strongSwan sa/ikev1/tasks/main_mode.c"),
    charon("initiating Aggressive Mode IKE_SA", K::Phase1Start { initiator: Some(true) }, None, "strongSwan sa/ikev1/tasks/aggressive_mode.c"),
    charon("initiating IKE_SA", K::Phase1Start { initiator: Some(true) }, None, "strongSwan sa/ikev2/tasks/ike_init.c"),
    charon(" is initiating a", K::Phase1Start { initiator: Some(false) }, None, "strongSwan sa/ikev1/tasks/main_mode.c, sa/ikev2/tasks/ike_init.c ('%H is initiating a Main Mode IKE_SA')"),
    charon("selected proposal: IKE:", K::Phase1Progress, None, "strongSwan sa/ikev1/tasks/main_mode.c, sa/ikev2/tasks/ike_init.c"),
    charon("with pre-shared key successful", K::Phase1Progress, None, "strongSwan sa/ikev2/authenticators/psk_authenticator.c"),
    charon(" established between ", K::Phase1Completed, None, "strongSwan sa/ike_sa.c ('IKE_SA %s[%d] established between')"),
    charon(" established with SPIs ", K::Phase2Completed, None, "strongSwan sa/ikev1/tasks/quick_mode.c, sa/ikev2/tasks/child_create.c ('CHILD_SA %s{%d} established with SPIs')"),
    charon("received proposals:", K::Proposals { received: true }, None, "strongSwan config/child_cfg.c / ike_cfg.c (proposal selection, log level 1)"),
    charon("configured proposals:", K::Proposals { received: false }, None, "strongSwan config/child_cfg.c / ike_cfg.c"),
    charon("no matching proposal found, sending NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: Some(Phase::Two), dir: Sent }, None, "strongSwan sa/ikev1/tasks/quick_mode.c"),
    charon("no proposal found", K::NoProposalChosen { phase: Some(Phase::One), dir: Sent }, Some(Cause::Phase1ProposalMismatch), "strongSwan sa/ikev1/tasks/main_mode.c, aggressive_mode.c"),
    charon("received proposals unacceptable", K::NoProposalChosen { phase: None, dir: Sent }, None, "strongSwan sa/ikev2/tasks/ike_init.c, child_create.c"),
    charon("received NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: None, dir: Received }, None, "strongSwan sa/ikev1/tasks/informational.c, sa/ikev2/tasks/ike_init.c ('received %N notify error')"),
    charon("received AUTHENTICATION_FAILED", K::AuthFailed { dir: Received }, None, "strongSwan sa/ikev1/tasks/informational.c, sa/ikev2/tasks/ike_auth.c"),
    charon("no matching peer config found", K::PeerMismatch, Some(Cause::IdMismatch), "strongSwan sa/ikev2/tasks/ike_auth.c (select_and_check_peer_cfg: no connection matches the identities received)"),
    charon("constraint check failed: identity", K::PeerMismatch, Some(Cause::IdMismatch), "strongSwan config/auth_cfg.c (complies: 'constraint check failed: identity '%Y' required')"),
    charon("but MAC mismatched", K::AuthFailed { dir: Local }, Some(Cause::PskMismatch), "strongSwan sa/ikev2/authenticators/psk_authenticator.c ('tried %d shared key%s for … but MAC mismatched')"),
    charon("calculated HASH does not match HASH payload", K::AuthFailed { dir: Local }, Some(Cause::PskMismatch), "strongSwan sa/ikev1/authenticators/psk_v1_authenticator.c via hasher"),
    charon("payload length, decryption failed?", K::DecryptFailed, Some(Cause::PskMismatch), "strongSwan encoding/message.c ('invalid %N payload length, decryption failed?': the IKEv1 key comes from the pre-shared key)"),
    charon("received INVALID_ID_INFORMATION", K::IdRefused { phase: None, dir: Received }, None, "strongSwan sa/ikev1/tasks/informational.c"),
    charon("no matching CHILD_SA config found for", K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "strongSwan sa/ikev1/tasks/quick_mode.c"),
    charon("received TS_UNACCEPTABLE notify", K::IdRefused { phase: Some(Phase::Two), dir: Received }, Some(Cause::ProxyIdMismatch), "strongSwan sa/ikev2/tasks/child_create.c"),
    charon("peer didn't accept DH group", K::DhGroupRejected { dir: Received }, Some(Cause::DhGroupMismatch), "strongSwan sa/ikev2/tasks/ike_init.c"),
    charon("unacceptable, requesting ", K::DhGroupRejected { dir: Sent }, Some(Cause::DhGroupMismatch), "strongSwan sa/ikev2/tasks/ike_init.c ('DH group %N unacceptable, requesting %N')"),
    charon("traffic selectors ", K::IdRefused { phase: Some(Phase::Two), dir: Local }, Some(Cause::ProxyIdMismatch), "strongSwan sa/ikev2/tasks/child_create.c ('traffic selectors %#R === %#R unacceptable')"),
    charon("received retransmit of ", K::Retransmission { dir: Received }, None, "strongSwan sa/ikev1/task_manager_v1.c, sa/ikev2/task_manager_v2.c"),
    charon("sending retransmit", K::Retransmission { dir: Sent }, None, "strongSwan sa/ikev1/task_manager_v1.c"),
    charon("retransmit ", K::Retransmission { dir: Sent }, None, "strongSwan sa/ikev2/task_manager_v2.c ('retransmit %d of request with message ID %d')"),
    charon("giving up after", K::Timeout, None, "strongSwan sa/ikev1/task_manager_v1.c, sa/ikev2/task_manager_v2.c"),
    charon("DPD check timed out", K::DpdTimeout, Some(Cause::PeerDead), "strongSwan sa/ikev1/tasks/isakmp_dpd.c / processing/jobs/dpd_timeout_job.c"),
    charon("sending DELETE for IKE_SA", K::Delete { phase: Some(Phase::One), dir: Sent }, None, "strongSwan sa/ikev1/tasks/isakmp_delete.c, sa/ikev2/tasks/ike_delete.c"),
    charon("received DELETE for IKE_SA", K::Delete { phase: Some(Phase::One), dir: Received }, None, "strongSwan sa/ikev1/tasks/isakmp_delete.c, sa/ikev2/tasks/ike_delete.c"),
    charon("sending DELETE for ESP CHILD_SA", K::Delete { phase: Some(Phase::Two), dir: Sent }, None, "strongSwan sa/ikev1/tasks/quick_delete.c, sa/ikev2/tasks/child_delete.c"),
    charon("received DELETE for ESP CHILD_SA", K::Delete { phase: Some(Phase::Two), dir: Received }, None, "strongSwan sa/ikev1/tasks/quick_delete.c, sa/ikev2/tasks/child_delete.c"),
    charon("host is behind NAT", K::NatDetected, None, "strongSwan sa/ikev1/tasks/isakmp_natd.c, sa/ikev2/tasks/ike_natd.c"),
    charon("closing CHILD_SA", K::IpsecCounters, None, "strongSwan sa/ikev2/tasks/child_delete.c, sa/ikev1/tasks/quick_delete.c ('closing CHILD_SA %s{%d} with SPIs %.8x_i (%llu bytes) %.8x_o (%llu bytes)')"),
    charon("ESP sequence number verification failed", K::ReplayDetected, None, "strongSwan libipsec/ipsec_processor.c (anti-replay check; the next line names src, dst, SPI, seq)"),
    charon("received INVALID_SPI", K::InvalidSpi, Some(Cause::InvalidSpi), "strongSwan sa/ikev1/tasks/informational.c ('received %N error notify')"),
    // Message lines last: the lines above are more specific.
    charon("generating ", K::Message { dir: Sent }, None, "strongSwan encoding/message.c ('generating %s %N %s %u %s': exchange, request/response, message ID, payloads)"),
    charon("parsed ", K::Message { dir: Received }, None, "strongSwan encoding/message.c ('parsed %s …')"),
    // ---- libreswan pluto 4.10 ----
    pluto("initiating Main Mode", K::Phase1Start { initiator: Some(true) }, None, "libreswan programs/pluto/ikev1_main.c"),
    pluto("responding to Main Mode", K::Phase1Start { initiator: Some(false) }, None, "libreswan programs/pluto/ikev1_main.c"),
    pluto("responding to Aggressive Mode", K::Phase1Start { initiator: Some(false) }, None, "libreswan programs/pluto/ikev1_aggr.c"),
    pluto("sent IKE_SA_INIT reply", K::Phase1Start { initiator: Some(false) }, None, "libreswan programs/pluto/ikev2_ike_sa_init.c"),
    pluto("IKE SA established", K::Phase1Completed, None, "libreswan programs/pluto/ikev1_main.c, ikev2_ike_auth.c"),
    pluto("ISAKMP SA established", K::Phase1Completed, None, "libreswan programs/pluto (older wording)"),
    pluto("IPsec SA established", K::Phase2Completed, None, "libreswan programs/pluto/ikev1_quick.c, ikev2_child.c"),
    pluto("no acceptable Oakley Transform", K::NoProposalChosen { phase: Some(Phase::One), dir: Local }, Some(Cause::Phase1ProposalMismatch), "libreswan programs/pluto/ikev1_spdb_struct.c"),
    pluto("no acceptable Proposal in IPsec SA", K::NoProposalChosen { phase: Some(Phase::Two), dir: Local }, None, "libreswan programs/pluto/ikev1_spdb_struct.c (transform set or PFS)"),
    pluto("no local proposal matches remote proposals", K::NoProposalChosen { phase: None, dir: Local }, None, "libreswan programs/pluto/ikev2_proposals.c"),
    pluto("with unencrypted notification NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: Some(Phase::One), dir: Sent }, Some(Cause::Phase1ProposalMismatch), "libreswan programs/pluto/ikev2_send.c"),
    pluto("sending notification NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: Some(Phase::One), dir: Sent }, Some(Cause::Phase1ProposalMismatch), "libreswan programs/pluto/ikev1_send.c (unencrypted: no phase-1 SA yet)"),
    pluto("sending encrypted notification NO_PROPOSAL_CHOSEN", K::NoProposalChosen { phase: None, dir: Sent }, None, "libreswan programs/pluto/ikev1_send.c"),
    pluto("mismatch of preshared secrets", K::AuthFailed { dir: Local }, Some(Cause::PskMismatch), "libreswan programs/pluto/ikev1.c ('probable authentication failure (mismatch of preshared secrets?)')"),
    pluto("computed hash does not match hash received from peer", K::AuthFailed { dir: Local }, Some(Cause::PskMismatch), "libreswan programs/pluto/ikev2_psk.c / ikev1_main.c"),
    pluto("encrypted notification AUTHENTICATION_FAILED", K::AuthFailed { dir: Sent }, None, "libreswan programs/pluto/ikev2_send.c"),
    pluto("INVALID_ID_INFORMATION", K::IdRefused { phase: None, dir: Sent }, None, "libreswan programs/pluto/ikev1_send.c"),
    pluto("TS_UNACCEPTABLE", K::IdRefused { phase: Some(Phase::Two), dir: Sent }, Some(Cause::ProxyIdMismatch), "libreswan programs/pluto/ikev2_child.c"),
    pluto(": retransmission; will wait", K::Retransmission { dir: Sent }, None, "libreswan programs/pluto/retransmit.c"),
    pluto("received Delete SA payload", K::Delete { phase: None, dir: Received }, None, "libreswan programs/pluto/ikev1.c"),
    pluto("max number of retransmissions", K::Timeout, None, "libreswan programs/pluto/retransmit.c"),
    pluto("DPD: No response from peer", K::DpdTimeout, Some(Cause::PeerDead), "libreswan programs/pluto/ikev1_dpd.c"),
];

/// strongSwan's exchange names (`exchange_type_names` in
/// `libstrongswan`/`encoding/payloads/ike_header.c`).
pub static EXCHANGES: &[(&str, Exchange)] = &[
    ("ID_PROT", Exchange::MainMode),
    ("AGGRESSIVE", Exchange::Aggressive),
    ("QUICK_MODE", Exchange::QuickMode),
    ("INFORMATIONAL_V1", Exchange::InformationalV1),
    ("TRANSACTION", Exchange::TransactionV1),
    ("IKE_SA_INIT", Exchange::IkeSaInit),
    ("IKE_AUTH", Exchange::IkeAuth),
    ("CREATE_CHILD_SA", Exchange::CreateChildSa),
    ("INFORMATIONAL", Exchange::Informational),
];

/// The exchange a strongSwan name stands for.
pub fn exchange(name: &str) -> Option<Exchange> {
    EXCHANGES.iter().find(|(n, _)| *n == name).map(|(_, e)| *e)
}

/// The row a line matches. `number` and `mnemonic` are the Cisco message
/// number / IOS mnemonic when the line had one.
pub fn lookup(
    dialect: Dialect,
    number: Option<u32>,
    mnemonic: Option<&str>,
    text: &str,
) -> Option<&'static Row> {
    let finders = finders();
    let hay = text.as_bytes();
    let text_ok = |i: usize| {
        finders
            .get(i)
            .and_then(Option::as_ref)
            .is_none_or(|f| f.find(hay).is_some())
    };
    let rows = || {
        CATALOGUE
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.dialect == dialect)
    };
    if let Some(n) = number {
        if let Some((_, r)) = rows().find(|(i, r)| r.number == Some(n) && text_ok(*i)) {
            return Some(r);
        }
    }
    if let Some(m) = mnemonic {
        if let Some((_, r)) = rows().find(|(i, r)| r.mnemonic == Some(m) && text_ok(*i)) {
            return Some(r);
        }
    }
    rows()
        .find(|(i, r)| {
            r.number.is_none() && r.mnemonic.is_none() && r.text.is_some() && text_ok(*i)
        })
        .map(|(_, r)| r)
}

/// One prebuilt substring searcher per row (most lines match no row, so
/// every line is searched for every row of its dialect).
fn finders() -> &'static [Option<memchr::memmem::Finder<'static>>] {
    static FINDERS: std::sync::OnceLock<Vec<Option<memchr::memmem::Finder<'static>>>> =
        std::sync::OnceLock::new();
    FINDERS.get_or_init(|| {
        CATALOGUE
            .iter()
            .map(|r| r.text.map(|t| memchr::memmem::Finder::new(t.as_bytes())))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_source_and_a_key() {
        for r in CATALOGUE {
            assert!(!r.source.is_empty());
            assert!(
                r.number.is_some() || r.mnemonic.is_some() || r.text.is_some(),
                "{r:?}"
            );
            if r.dialect != Dialect::Asa {
                assert!(r.number.is_none(), "{r:?}");
            }
        }
    }

    #[test]
    fn numbered_rows_win_and_text_rows_serve_debug() {
        let r = lookup(
            Dialect::Asa,
            Some(713119),
            None,
            "Group = a, PHASE 1 COMPLETED",
        )
        .unwrap();
        assert_eq!(r.number, Some(713119));
        let r = lookup(Dialect::Asa, None, None, "Group = a, PHASE 1 COMPLETED").unwrap();
        assert_eq!(r.kind, EventKind::Phase1Completed);
        // A specific row before the general one of the same number.
        let r = lookup(
            Dialect::Asa,
            Some(713259),
            None,
            "Session is being torn down. Reason: crypto map policy not found",
        )
        .unwrap();
        assert_eq!(r.cause, Some(Cause::ProxyIdMismatch));
        let r = lookup(Dialect::Asa, Some(713259), None, "Reason: Idle Timeout").unwrap();
        assert_eq!(r.cause, None);
        assert!(lookup(Dialect::Asa, Some(999999), None, "nothing").is_none());
        let r = lookup(
            Dialect::Ios,
            None,
            Some("IKMP_BAD_MESSAGE"),
            "IKE message from a",
        )
        .unwrap();
        assert_eq!(r.cause, Some(Cause::PskMismatch));
    }
}
