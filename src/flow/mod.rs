//! Per-peer exchange tracking: observations → tunnels, IKE SAs, messages
//! with their steps and copies, Quick Modes, ESP/AH SA statistics, and the
//! capture's coverage.
//!
//! A *tunnel* is an unordered pair of peer addresses. It holds the IKE SAs
//! negotiated between them (keyed by IKE version and initiator SPI/cookie, so
//! the NAT-T float from port 500 to 4500 stays in one SA), and the ESP/AH SAs
//! seen between them (keyed by source, destination and SPI). Only owned
//! summaries are kept, and per-SA message lists are capped (counted), so
//! memory grows with live state, not with capture size.
//!
//! Files: [`observation`] (the input), [`adapt`] (datagrams → observations),
//! [`tracker`] (the incremental tracker), [`model`] (what it keeps),
//! [`step`] (steps and copies), [`v1`]/[`v2`] (labelling), [`coverage`],
//! [`state`] (phase states), [`natd`], [`esp`].

pub mod adapt;
pub mod coverage;
pub mod decrypted;
mod esp;
pub mod logged;
pub mod model;
pub mod natd;
pub mod observation;
pub mod packet;
pub mod state;
pub mod step;
pub mod tracker;
mod v1;
mod v2;

use std::net::IpAddr;

use serde::Serialize;

pub use crate::net::IcmpError;
pub use coverage::{Coverage, Wait};
pub use esp::{EspSa, Proto as EspProto, SeqStats};
pub use model::{
    BlindPacket, IkeMsg, IkeSa, LoggedEvent, NatInfo, Offer, QuickMode, Tunnel, V1Transform,
    V2Proposal,
};
pub use observation::{
    EventKind, IkeObservation, LogLine, Observation, Observed, PacketProto, PeerEvent, SeenDelete,
    SeenId, SeenNotify, Source, Visibility,
};
pub use packet::{classify, payload_absent, Content};
pub use step::{Copy, Role, Step};
pub use tracker::{SaSighting, Touched, Tracker, TunnelId, SA_BATCH};

/// Most messages kept per IKE SA: the first [`KEEP_FIRST_MESSAGES`] always,
/// then the latest ones, messages with an error notify or a Delete kept
/// over plain ones; the rest are counted ([`IkeSa::dropped_messages`]).
/// So an answer after hundreds of unanswered tries, or a DPD failure after
/// hours of answered DPDs, is still in the list.
pub const MAX_MESSAGES_PER_SA: usize = 512;
/// The first messages of an SA, never dropped (how the SA started).
pub const KEEP_FIRST_MESSAGES: usize = 256;
/// Most IKE SAs tracked per tunnel ([`Tunnel::dropped_sas`] counts the rest).
pub const MAX_SAS_PER_TUNNEL: usize = 256;
/// Most tunnels (peer pairs) tracked; packets of further pairs are counted
/// ([`Coverage::untracked_packets`]), so a flood of spoofed peers keeps
/// memory bounded.
pub const MAX_TUNNELS: usize = 20_000;
/// Most IKE SAs tracked over the whole input (tunnels times SAs per tunnel
/// is no bound by itself); messages of further SAs are counted
/// ([`Coverage::untracked_ike`]).
pub const MAX_IKE_SAS: usize = 40_000;
/// Most ESP/AH SAs tracked over the whole input ([`Coverage::untracked_esp`]
/// counts packets of further SPIs).
pub const MAX_ESP_SAS: usize = 100_000;
/// Most Quick Modes (message IDs) tracked per IKE SA.
pub const MAX_QUICK_MODES_PER_SA: usize = 1024;
/// Frames kept per Quick Mode (its retransmissions are still counted).
pub const MAX_FRAMES_PER_QUICK_MODE: usize = 64;

/// A transport endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: Option<u16>,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.addr, self.port) {
            (IpAddr::V6(a), Some(p)) => write!(f, "[{a}]:{p}"),
            (a, Some(p)) => write!(f, "{a}:{p}"),
            (a, None) => write!(f, "{a}"),
        }
    }
}

/// Direction of a message within its IKE SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Dir {
    /// From the IKE SA initiator to the responder.
    #[serde(rename = "i2r")]
    I2R,
    /// From the responder to the initiator.
    #[serde(rename = "r2i")]
    R2I,
}

/// Negotiation mode of an IKE SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Main,
    Aggressive,
    Ikev2,
    /// Only later exchanges (Quick Mode, Informational...) were captured.
    Unknown,
}

impl Mode {
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Main => "main",
            Mode::Aggressive => "aggressive",
            Mode::Ikev2 => "ikev2",
            Mode::Unknown => "unknown",
        }
    }
}
