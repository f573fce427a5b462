//! Device and daemon logs → typed [`LogEvent`]s.
//!
//! Reads, recognised by content line by line (a file may mix them):
//!
//! - Cisco ASA/FTD/PIX syslog (`%ASA-5-713119: …`): `show logging`
//!   buffers and syslog-server files, with RFC 3164 or RFC 5424 prefixes,
//!   with or without the device's own time stamp;
//! - the VPN 3000 event log (`12 02/19/2004 11:52:06.480 SEV=4 IKE/119 RPT=10 A`
//!   and the message on the next line);
//! - ASA console debug (`[IKEv1]`, `[IKEv1 DEBUG]`, `IKEv2-PROTO-n:`), whose
//!   text is the syslog text without the message number;
//! - IOS/IOS-XE `debug crypto isakmp|ipsec|ikev2` and `%CRYPTO-` syslog;
//! - `show crypto isakmp sa [detail]`, `show crypto ikev1|ikev2 sa`,
//!   `show crypto ipsec sa`, `show vpn-sessiondb l2l` (module [`show`]);
//! - strongSwan charon logs (file logger, syslog, journal) and libreswan
//!   pluto logs.
//!
//! What a line means comes from one data table, [`catalogue::CATALOGUE`],
//! each row citing its source. Lines of a known format that the catalogue
//! does not name, and lines of no known format, are counted, never errors.
//! Memory is bounded: a line longer than [`MAX_LINE`] bytes is cut (and the
//! cut is counted and said), binary lines are counted and skipped, the
//! per-negotiation context table and the event list have stated caps.
//!
//! This layer imports only `registry` and `bytes`.

pub mod catalogue;
mod fields;
mod line;
mod reader;
pub mod show;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use crate::registry::cause::Cause;

pub use reader::{looks_like_log, read_log, read_log_stream, LogReader};

/// Longest line kept, in bytes; the rest of a longer line is skipped and
/// the line counted in [`LogRead::cut_lines`].
pub const MAX_LINE: usize = 8192;
/// Longest message text kept in an event, in characters.
pub const MAX_TEXT: usize = 400;
/// Events kept per file; later events are counted in [`LogRead::dropped_events`].
pub const MAX_EVENTS: usize = 1_000_000;
/// Negotiations (charon IKE_SA numbers, pluto serials, IOS conn-ids, ASA
/// peers) tracked per file for peer addresses and phase; past this, new
/// ones are not tracked and [`LogRead::context_cap_hit`] says so.
pub const MAX_CONTEXTS: usize = 65_536;

/// Options for reading a log.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Date for time stamps that carry none (charon's `HH:MM:SS`) and year
    /// for those without a year (RFC 3164 `Mmm dd HH:MM:SS`).
    pub date: Option<(i32, u32, u32)>,
}

/// A log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    AsaSyslog,
    Vpn3000,
    AsaDebug,
    IosDebug,
    IosSyslog,
    ShowCrypto,
    Charon,
    Pluto,
}

/// What a format is called and how to produce it on the device.
#[derive(Debug)]
pub struct FormatInfo {
    pub format: Format,
    pub name: &'static str,
    pub produce: &'static str,
}

/// Every format read, in the order the refusal message lists them.
pub static FORMATS: &[FormatInfo] = &[
    FormatInfo {
        format: Format::AsaSyslog,
        name: "Cisco ASA/FTD/PIX syslog (%ASA-5-713119: …)",
        produce: "`logging buffered debugging` then `show logging`, or the syslog server's file",
    },
    FormatInfo {
        format: Format::Vpn3000,
        name: "Cisco VPN 3000 event log (SEV=4 IKE/41 RPT=8619)",
        produce: "Monitoring > Filterable Event Log > Get Log",
    },
    FormatInfo {
        format: Format::AsaDebug,
        name: "Cisco ASA console debug ([IKEv1], [IKEv1 DEBUG], IKEv2-PROTO-n)",
        produce: "`debug crypto ikev1 127` / `debug crypto ikev2 protocol 127` with `terminal monitor`",
    },
    FormatInfo {
        format: Format::IosDebug,
        name: "Cisco IOS/IOS-XE crypto debug (ISAKMP: …, IPSEC(…), IKEv2: …)",
        produce: "`debug crypto isakmp`, `debug crypto ipsec`, `debug crypto ikev2`, then `show logging`",
    },
    FormatInfo {
        format: Format::IosSyslog,
        name: "Cisco IOS %CRYPTO- syslog",
        produce: "`show logging`, or the syslog server's file",
    },
    FormatInfo {
        format: Format::ShowCrypto,
        name: "Cisco show commands (crypto isakmp/ikev1/ikev2 sa, crypto ipsec sa, vpn-sessiondb l2l)",
        produce: "`show crypto isakmp sa detail`, `show crypto ikev2 sa`, `show crypto ipsec sa`, `show vpn-sessiondb l2l`",
    },
    FormatInfo {
        format: Format::Charon,
        name: "strongSwan charon log (file logger, syslog or journal)",
        produce: "`journalctl -u strongswan` or the `filelog` of strongswan.conf (`ike = 2` or more)",
    },
    FormatInfo {
        format: Format::Pluto,
        name: "libreswan pluto log",
        produce: "`journalctl -u ipsec`, or `logfile=` in ipsec.conf",
    },
];

impl Format {
    pub fn info(self) -> &'static FormatInfo {
        FORMATS
            .iter()
            .find(|f| f.format == self)
            .expect("every Format has a row in FORMATS (checked by a test)")
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// The formats read and how to produce them, one per line, for messages
/// refusing an unknown input.
pub fn formats_help() -> String {
    let mut s = String::new();
    for f in FORMATS {
        s.push_str("  - ");
        s.push_str(f.name);
        s.push_str(": ");
        s.push_str(f.produce);
        s.push('\n');
    }
    s
}

/// How much of a time stamp the log itself gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateBasis {
    /// Full date in the line.
    Logged,
    /// Month and day in the line, the year from [`ReadOptions::date`].
    YearAssumed,
    /// Time of day only; the date from [`ReadOptions::date`].
    DateAssumed,
    /// No date known: seconds count from 1970-01-01 (time of day only).
    Unknown,
}

/// A log time stamp: seconds and nanoseconds since the Unix epoch, in the
/// device's clock (its local time unless the line gave a zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LogTime {
    pub secs: i64,
    pub nanos: u32,
    pub date: DateBasis,
    /// The line gave a UTC offset (`Z`, `+01:00`), and `secs` is UTC.
    pub utc: bool,
}

impl LogTime {
    pub fn as_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) * 1e-9
    }
}

/// Where an event was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogOrigin {
    #[serde(serialize_with = "ser_arc_str")]
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: u64,
}

fn ser_arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

impl fmt::Display for LogOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// Which way a message went, seen from the device that logged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dir {
    Sent,
    Received,
    /// Decided on this device (no message named).
    Local,
}

/// IKE phase: 1 = ISAKMP/IKE SA, 2 = IPsec/child SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    One,
    Two,
}

/// IKE exchange named by a log line (charon's `generating ID_PROT request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exchange {
    MainMode,
    Aggressive,
    QuickMode,
    InformationalV1,
    TransactionV1,
    IkeSaInit,
    IkeAuth,
    CreateChildSa,
    Informational,
}

impl Exchange {
    /// The phase whose negotiation this exchange carries (None for the
    /// Informationals, which serve both).
    pub fn phase(self) -> Option<Phase> {
        match self {
            Exchange::MainMode | Exchange::Aggressive | Exchange::IkeSaInit | Exchange::IkeAuth => {
                Some(Phase::One)
            }
            Exchange::QuickMode | Exchange::CreateChildSa => Some(Phase::Two),
            _ => None,
        }
    }
}

/// What a log line says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum EventKind {
    /// A phase-1 negotiation starts; `initiator` when the line says which
    /// role this device has.
    Phase1Start {
        initiator: Option<bool>,
    },
    /// Phase 1 moved on (proposal accepted, keys generated, peer authenticated).
    Phase1Progress,
    /// A phase-1 state named by the device (`Old State = … New State = …`).
    Phase1State,
    Phase1Completed,
    Phase2Start,
    Phase2Completed,
    /// An IPsec SA was installed (SPI known).
    SaInstalled,
    /// An IKE message was sent or received.
    Message {
        dir: Dir,
    },
    /// A retransmission: `Sent` by this device, `Received` from the peer.
    Retransmission {
        dir: Dir,
    },
    /// Proposals listed (received from the peer, or configured here), kept
    /// to tell a PFS mismatch from a transform mismatch.
    Proposals {
        received: bool,
    },
    /// NO_PROPOSAL_CHOSEN sent, received, or decided here.
    NoProposalChosen {
        phase: Option<Phase>,
        dir: Dir,
    },
    /// Authentication failed (hash / MAC mismatch, AUTHENTICATION_FAILED).
    AuthFailed {
        dir: Dir,
    },
    /// An encrypted IKEv1 message did not decrypt (a pre-shared key mismatch).
    DecryptFailed,
    /// Identities refused: INVALID_ID_INFORMATION, TS_UNACCEPTABLE, no
    /// crypto map / CHILD_SA config for the proxy identities.
    IdRefused {
        phase: Option<Phase>,
        dir: Dir,
    },
    /// ASA `QM FSM error`: phase 2 failed (the lines around it say why).
    QmFsmError,
    /// A PFS / phase-2 DH group disagreement.
    PfsHint,
    /// The DH group was refused (INVALID_KE_PAYLOAD).
    DhGroupRejected {
        dir: Dir,
    },
    /// A negotiation failed without a more specific reason.
    NegotiationFailed,
    /// The device gave up waiting for an answer.
    Timeout,
    /// A liveness check (DPD R-U-THERE) sent or received.
    Dpd {
        dir: Dir,
    },
    /// The peer stopped answering liveness checks.
    DpdTimeout,
    /// An SA was deleted.
    Delete {
        phase: Option<Phase>,
        dir: Dir,
    },
    /// A session was torn down (the reason is in `detail`).
    Teardown,
    /// An SA state from a show command (in `state`).
    SaState,
    /// IPsec SA counters from `show crypto ipsec sa` / `show vpn-sessiondb`.
    IpsecCounters,
    /// Decapsulated traffic outside the SA's selectors (ASA 402116).
    SelectorViolation,
    /// INVALID_SPI / ESP for an unknown SPI.
    InvalidSpi,
    /// INVALID_COOKIE: the peer has no phase-1 SA for our cookies.
    InvalidCookie,
    /// A malformed or undecodable IKE message.
    Malformed,
    /// An IKE message for an SA the device does not have.
    UnknownSa,
    /// NAT detected between the peers.
    NatDetected,
    /// No crypto map on the interface the IKE packet arrived on.
    NoCryptoMap,
    /// The peer's address or identity matches no configured peer.
    PeerMismatch,
    /// No pre-shared key configured for the peer.
    PskMissing,
    /// Exchange processing failed (ASA 713903 "Information Exchange processing failed").
    ExchangeFailed,
    /// ESP packets refused by the anti-replay check (repeated or too old
    /// sequence numbers).
    ReplayDetected,
}

impl EventKind {
    /// A short kebab-case name for text and tests.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Phase1Start { .. } => "phase1-start",
            EventKind::Phase1Progress => "phase1-progress",
            EventKind::Phase1State => "phase1-state",
            EventKind::Phase1Completed => "phase1-completed",
            EventKind::Phase2Start => "phase2-start",
            EventKind::Phase2Completed => "phase2-completed",
            EventKind::SaInstalled => "sa-installed",
            EventKind::Message { .. } => "message",
            EventKind::Retransmission { .. } => "retransmission",
            EventKind::Proposals { .. } => "proposals",
            EventKind::NoProposalChosen { .. } => "no-proposal-chosen",
            EventKind::AuthFailed { .. } => "auth-failed",
            EventKind::DecryptFailed => "decrypt-failed",
            EventKind::IdRefused { .. } => "id-refused",
            EventKind::QmFsmError => "qm-fsm-error",
            EventKind::PfsHint => "pfs-hint",
            EventKind::DhGroupRejected { .. } => "dh-group-rejected",
            EventKind::NegotiationFailed => "negotiation-failed",
            EventKind::Timeout => "timeout",
            EventKind::Dpd { .. } => "dpd",
            EventKind::DpdTimeout => "dpd-timeout",
            EventKind::Delete { .. } => "delete",
            EventKind::Teardown => "teardown",
            EventKind::SaState => "sa-state",
            EventKind::IpsecCounters => "ipsec-counters",
            EventKind::SelectorViolation => "selector-violation",
            EventKind::InvalidSpi => "invalid-spi",
            EventKind::InvalidCookie => "invalid-cookie",
            EventKind::Malformed => "malformed",
            EventKind::UnknownSa => "unknown-sa",
            EventKind::NatDetected => "nat-detected",
            EventKind::NoCryptoMap => "no-crypto-map",
            EventKind::PeerMismatch => "peer-mismatch",
            EventKind::PskMissing => "psk-missing",
            EventKind::ExchangeFailed => "exchange-failed",
            EventKind::ReplayDetected => "replay-detected",
        }
    }

    /// The phase the event belongs to, where the kind says.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            EventKind::Phase1Start { .. }
            | EventKind::Phase1Progress
            | EventKind::Phase1State
            | EventKind::Phase1Completed
            | EventKind::DecryptFailed
            | EventKind::InvalidCookie
            | EventKind::PskMissing
            | EventKind::DhGroupRejected { .. } => Some(Phase::One),
            EventKind::Phase2Start
            | EventKind::Phase2Completed
            | EventKind::SaInstalled
            | EventKind::QmFsmError
            | EventKind::PfsHint
            | EventKind::SelectorViolation
            | EventKind::IpsecCounters => Some(Phase::Two),
            EventKind::NoProposalChosen { phase, .. }
            | EventKind::IdRefused { phase, .. }
            | EventKind::Delete { phase, .. } => *phase,
            _ => None,
        }
    }
}

/// Proxy identities / traffic selectors as the device printed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proxies {
    pub local: String,
    pub remote: String,
}

/// IPsec SA counters (`show crypto ipsec sa`, `show vpn-sessiondb`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub encaps: Option<u64>,
    pub decaps: Option<u64>,
    pub send_errors: Option<u64>,
    pub recv_errors: Option<u64>,
    pub bytes_tx: Option<u64>,
    pub bytes_rx: Option<u64>,
}

impl Counters {
    /// Outbound and inbound packet (or byte) counts, where known.
    pub fn out_in(&self) -> (Option<u64>, Option<u64>) {
        (self.encaps.or(self.bytes_tx), self.decaps.or(self.bytes_rx))
    }

    /// Traffic in exactly one direction: `Some(true)` outbound only,
    /// `Some(false)` inbound only.
    pub fn one_way(&self) -> Option<bool> {
        match self.out_in() {
            (Some(o), Some(0)) if o > 0 => Some(true),
            (Some(0), Some(i)) if i > 0 => Some(false),
            _ => None,
        }
    }
}

/// One thing a log line says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEvent {
    pub time: Option<LogTime>,
    pub origin: LogOrigin,
    pub format: Format,
    /// Cisco syslog message number (`713119`), when the line had one.
    pub msg_number: Option<u32>,
    pub kind: EventKind,
    pub cause: Option<Cause>,
    /// The remote IKE peer.
    pub peer: Option<IpAddr>,
    /// This device's IKE address, when the line says. For IOS `show crypto
    /// isakmp sa` rows, `peer` is the `dst` column and `local` the `src`.
    pub local: Option<IpAddr>,
    pub ike_version: Option<u8>,
    /// ESP/AH SPIs the line names (inbound first where the line says).
    pub spis: Vec<u32>,
    /// IKE SPIs (IKEv1 cookies) as initiator, responder.
    pub ike_spis: Option<(u64, u64)>,
    /// IKE message ID.
    pub message_id: Option<u32>,
    /// charon's request sequence number within its IKE SA, on a timeout:
    /// the request that went unanswered (IKEv1 Main Mode: seq n is MM 2n-1).
    pub seq: Option<u32>,
    /// The daemon's tag for the negotiation: charon IKE_SA number, pluto
    /// serial (`#3`), IOS conn-id.
    pub context: Option<String>,
    pub exchange: Option<Exchange>,
    pub proxies: Option<Proxies>,
    /// SA state name (MM_ACTIVE, QM_IDLE, IKE_I_MM4, READY…).
    pub state: Option<String>,
    pub counters: Option<Counters>,
    /// Extra text: payload list, teardown reason, proposals.
    pub detail: Option<String>,
    /// The message text, cut to [`MAX_TEXT`] characters.
    pub text: String,
    /// The catalogue row's source (or the show-command parser's).
    pub source: &'static str,
}

/// The result of reading one log file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogRead {
    pub events: Vec<LogEvent>,
    /// Lines per format recognised.
    pub formats: Vec<(Format, u64)>,
    pub lines: u64,
    /// Lines of a known format that name no event.
    pub quiet_lines: u64,
    /// Lines of no known format (other daemons, prompts, comments).
    pub unknown_lines: u64,
    /// Lines longer than [`MAX_LINE`] bytes, cut.
    pub cut_lines: u64,
    /// Lines holding binary bytes, skipped.
    pub binary_lines: u64,
    /// Events past [`MAX_EVENTS`], not kept.
    pub dropped_events: u64,
    pub context_cap_hit: bool,
    /// Whether a line's time stamp lacked the date or year and
    /// [`ReadOptions::date`] (or nothing) filled it in.
    pub date_assumed: bool,
}

impl LogRead {
    /// The format with the most lines.
    pub fn main_format(&self) -> Option<Format> {
        self.formats.iter().max_by_key(|(_, n)| *n).map(|(f, _)| *f)
    }

    /// What was left out or cut, in words, one sentence per limit that bit.
    pub fn limits(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.cut_lines > 0 {
            v.push(format!(
                "{} line(s) longer than {MAX_LINE} bytes were cut",
                self.cut_lines
            ));
        }
        if self.binary_lines > 0 {
            v.push(format!(
                "{} line(s) holding binary bytes were skipped",
                self.binary_lines
            ));
        }
        if self.dropped_events > 0 {
            v.push(format!(
                "{} event(s) past the first {MAX_EVENTS} were not kept",
                self.dropped_events
            ));
        }
        if self.context_cap_hit {
            v.push(format!(
                "more than {MAX_CONTEXTS} negotiations: later ones were read without their peer context"
            ));
        }
        v
    }
}
