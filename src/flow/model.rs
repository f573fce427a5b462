//! What the tracker keeps: tunnels (peer pairs), their IKE SAs with the
//! messages seen (each an observation plus the tracker's step, direction and
//! copy), Quick Modes, NAT findings, and packets without payload.

use std::net::IpAddr;
use std::ops::Deref;

use serde::Serialize;

use super::observation::{IkeObservation, PacketProto, PeerEvent, Source};
use super::{natd, Copy, Dir, Endpoint, EspSa, Mode, Step};
use crate::capture::{FrameNo, Timestamp};

/// IKEv1 phase 1 transform offered or chosen (codes from RFC 2409 App. A).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct V1Transform {
    /// 1 = ISAKMP (phase 1); 2 AH, 3 ESP, 4 IPCOMP (phase 2).
    pub protocol_id: u8,
    /// Phase 1: Encryption Algorithm attribute; phase 2: the transform ID.
    pub encryption: Option<u16>,
    pub key_length: Option<u16>,
    /// Phase 1: Hash Algorithm; phase 2: Authentication Algorithm.
    pub hash: Option<u16>,
    pub auth_method: Option<u16>,
    /// Phase 1: Group Description; phase 2: PFS group.
    pub group: Option<u16>,
    pub life_seconds: Option<u64>,
}

/// IKEv2 proposal offered or chosen: transform IDs per type (RFC 7296 §3.3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct V2Proposal {
    pub protocol_id: u8,
    /// (transform ID, key length)
    pub encr: Vec<(u16, Option<u16>)>,
    pub prf: Vec<u16>,
    pub integ: Vec<u16>,
    pub dh: Vec<u16>,
}

/// What an SA payload offered, in a form the report can turn into config lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Offer {
    V1(Vec<V1Transform>),
    V2(Vec<V2Proposal>),
}

/// One IKE message as tracked: what was observed, plus the step, direction
/// and copy the tracker decided. Derefs to the observation's facts.
#[derive(Debug, Clone)]
pub struct IkeMsg {
    /// Frame number, or 0 for a message known from a log line.
    pub frame: FrameNo,
    pub ts: Timestamp,
    pub source: Source,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub dir: Dir,
    pub step: Step,
    pub copy: Copy,
    /// On an encrypted original: the frame of its decrypted twin.
    pub twin: Option<FrameNo>,
    pub obs: IkeObservation,
}

impl Deref for IkeMsg {
    type Target = IkeObservation;
    fn deref(&self) -> &IkeObservation {
        &self.obs
    }
}

impl IkeMsg {
    /// A try of its own (not a capture duplicate or decrypted twin).
    pub fn is_try(&self) -> bool {
        self.copy.is_try()
    }

    /// The original frame when this is a retransmission.
    pub fn retransmit_of(&self) -> Option<FrameNo> {
        self.copy.retransmission_of()
    }

    /// The message's error notifications (RFC 2408 §3.14.1, RFC 7296 §3.10.1).
    pub fn error_notifies(&self) -> impl Iterator<Item = &super::SeenNotify> + '_ {
        let v = self.step.version();
        self.notifies
            .iter()
            .filter(move |n| crate::registry::proto::is_error_notify(v, n.notify_type))
    }
}

/// IKEv1 Quick Mode exchange (phase 2), by message ID.
#[derive(Debug, Clone, Serialize)]
pub struct QuickMode {
    pub message_id: u32,
    /// Which IKE SA role started it.
    pub initiator: Dir,
    /// Highest QM message seen: 1, 2 or 3.
    pub last: u8,
    pub frames: Vec<FrameNo>,
    /// Retransmissions (capture duplicates are not counted).
    pub retransmits: u32,
}

/// NAT-D payloads or notifies recomputed against the addresses seen.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NatInfo {
    /// NAT-D payloads/notifies were exchanged.
    pub natd_seen: bool,
    /// The initiator's address/port does not match its NAT-D hash.
    pub initiator_behind_nat: Option<bool>,
    /// The responder's address/port does not match its NAT-D hash.
    pub responder_behind_nat: Option<bool>,
    /// The SA floated to a NAT-T port.
    pub floated: bool,
    pub evidence: Vec<FrameNo>,
}

/// One IKE SA (phase 1 SA for IKEv1).
#[derive(Debug, Clone)]
pub struct IkeSa {
    pub version: u8,
    pub ispi: u64,
    pub rspi: u64,
    pub initiator: Endpoint,
    pub responder: Endpoint,
    pub mode: Mode,
    /// The first message seen opened the SA (MM1/AM1/IKE_SA_INIT request).
    pub start_seen: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    /// Messages in order: at most [`super::MAX_MESSAGES_PER_SA`], the
    /// first [`super::KEEP_FIRST_MESSAGES`] and the latest (see there).
    pub messages: Vec<IkeMsg>,
    /// Messages left out of `messages` (counted, not kept).
    pub dropped_messages: u64,
    pub quick_modes: Vec<QuickMode>,
    /// Quick Modes beyond [`super::MAX_QUICK_MODES_PER_SA`] (counted).
    pub dropped_quick_modes: u64,
    pub nat: NatInfo,
    /// Negotiated IKEv1 hash algorithm (for NAT-D), from the responder's SA.
    pub(crate) v1_hash: Option<u16>,
    pub(crate) natd_pending: Vec<natd::Pending>,
    /// Per-direction count of distinct phase-1 messages (labelling).
    pub(crate) p1_count: [u8; 2],
}

impl IkeSa {
    /// First original message of this step.
    pub fn find(&self, step: Step) -> Option<&IkeMsg> {
        self.messages
            .iter()
            .find(|m| m.step == step && m.copy == Copy::Original)
    }

    /// Every try of this step: the original and its retransmissions (not
    /// capture duplicates nor decrypted twins).
    pub fn tries(&self, step: Step) -> impl Iterator<Item = &IkeMsg> + '_ {
        self.messages
            .iter()
            .filter(move |m| m.step == step && m.is_try())
    }

    /// How many times a step was sent (original plus retransmissions).
    pub fn count(&self, step: Step) -> usize {
        self.tries(step).count()
    }

    /// Frames showing this step: its tries and decrypted twins.
    pub fn frames_of(&self, step: Step) -> Vec<FrameNo> {
        self.messages
            .iter()
            .filter(|m| m.step == step && m.copy.duplicate_of().is_none())
            .map(|m| m.frame)
            .collect()
    }

    /// Every message of this step, any copy.
    pub fn with_step(&self, step: Step) -> impl Iterator<Item = &IkeMsg> + '_ {
        self.messages.iter().filter(move |m| m.step == step)
    }
}

/// An IPsec packet known only from a console summary line: addresses,
/// protocol, length and time, no payload.
#[derive(Debug, Clone, Serialize)]
pub struct BlindPacket {
    pub frame: FrameNo,
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: PacketProto,
    /// Length on the wire.
    pub length: usize,
}

/// A device log statement kept with its tunnel.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub ts: Timestamp,
    pub source: Source,
    pub event: PeerEvent,
}

/// All traffic between two peers.
#[derive(Debug, Clone)]
pub struct Tunnel {
    /// The two peer addresses, lower first.
    pub peers: [IpAddr; 2],
    pub ike_sas: Vec<IkeSa>,
    pub esp: Vec<EspSa>,
    pub keepalives: Vec<FrameNo>,
    /// IPsec packets that were captured without payload (console summaries).
    pub payloadless: u64,
    /// Those packets, first ones kept: what addresses and timing still show.
    pub blind: Vec<BlindPacket>,
    /// ICMP errors quoting this tunnel's packets (first ones kept).
    pub icmp: Vec<crate::net::IcmpError>,
    /// Malformed IKE messages (frame, reason).
    pub malformed: Vec<(FrameNo, String)>,
    /// Device log statements about this peer pair (first ones kept).
    pub events: Vec<LoggedEvent>,
    /// IKE SAs not tracked because [`super::MAX_SAS_PER_TUNNEL`] was reached.
    pub dropped_sas: u64,
    /// ESP packets outside their SA's negotiated selectors (decrypted).
    pub selector_violations: Vec<super::decrypted::SelectorViolation>,
    pub first: Timestamp,
    pub last: Timestamp,
}

impl Tunnel {
    /// An empty tunnel between `a` and `b` first seen at `ts` (peers sorted).
    pub fn new(a: IpAddr, b: IpAddr, ts: Timestamp) -> Tunnel {
        let peers = if a <= b { [a, b] } else { [b, a] };
        Tunnel {
            peers,
            ike_sas: Vec::new(),
            esp: Vec::new(),
            keepalives: Vec::new(),
            payloadless: 0,
            blind: Vec::new(),
            icmp: Vec::new(),
            malformed: Vec::new(),
            events: Vec::new(),
            dropped_sas: 0,
            selector_violations: Vec::new(),
            first: ts,
            last: ts,
        }
    }
}
