//! The source-neutral input of the tracker: one [`Observation`] per thing
//! seen, whether a packet on the wire, the decrypted contents of one, a
//! console summary line without bytes, or a device log line. Adapters build
//! them ([`super::adapt`] for datagrams); [`super::Tracker::observe`]
//! consumes them all the same way.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use super::{Endpoint, Offer, Step};
use crate::capture::{FrameNo, Timestamp};
use crate::registry::cause::Cause;

/// How a fact became known, weakest last for inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Read in clear text on the wire.
    #[default]
    Clear,
    /// Read after decryption with keys (or from a decrypted copy the
    /// device exported).
    Decrypted,
    /// Stated by a device log line.
    Logged,
    /// Present but unreadable (encrypted without keys, or a console summary
    /// line without bytes): only its size and timing are known.
    Opaque,
}

/// A line of a device log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LogLine {
    /// The log file, as given on the command line (shared by its lines).
    #[serde(serialize_with = "ser_arc_str")]
    pub file: Arc<str>,
    /// 1-based line number.
    pub line: u64,
    /// The log's clock was aligned with the capture on one event alone (one
    /// event fits some packet at some shift), so its lines may describe
    /// another attempt between the same peers: they are shown, never taken
    /// as confirming the capture.
    #[serde(skip)]
    pub clock_unverified: bool,
}

fn ser_arc_str<S: serde::Serializer>(v: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

/// Where an observation came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Source {
    /// A captured frame (Wireshark numbering) and how its bytes were read.
    Frame {
        number: FrameNo,
        capture: crate::capture::Origin,
    },
    /// A device log line.
    Log(LogLine),
}

impl Source {
    /// The frame number, or 0 for a log line (frames count from 1).
    pub fn frame(&self) -> FrameNo {
        match self {
            Source::Frame { number, .. } => *number,
            Source::Log(_) => 0,
        }
    }

    pub fn log_line(&self) -> Option<&LogLine> {
        match self {
            Source::Log(l) => Some(l),
            Source::Frame { .. } => None,
        }
    }
}

/// One thing seen between two peers.
#[derive(Debug, Clone)]
pub struct Observation {
    pub time: Timestamp,
    pub source: Source,
    /// Sender and receiver. A log line that names only the peer gives the
    /// device's own address when known, and `port: None`.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub what: Observed,
}

/// What was seen.
#[derive(Debug, Clone)]
pub enum Observed {
    /// An IKE message (clear, decrypted, logged or opaque).
    Ike(Box<IkeObservation>),
    /// An ESP or AH packet.
    Sa(SaPacket),
    /// A NAT-T keepalive (RFC 3948 §2.3).
    Keepalive,
    /// An IPsec packet whose bytes are absent (console summary line) or
    /// too short to hold an SPI.
    Payloadless { proto: PacketProto, length: usize },
    /// An IPsec-bound packet that could not be decoded, and why.
    Malformed(String),
    /// An ICMP error quoting one of the peers' packets (src/dst are the
    /// quoted packet's).
    Icmp(Box<crate::net::IcmpError>),
    /// A statement from a device log that is not one IKE message: a state,
    /// a completed or failed phase, a counter.
    Event(Box<PeerEvent>),
}

/// Which IPsec protocol a packet used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PacketProto {
    Isakmp,
    Esp,
    Ah,
}

impl PacketProto {
    pub fn as_str(self) -> &'static str {
        match self {
            PacketProto::Isakmp => "isakmp",
            PacketProto::Esp => "esp",
            PacketProto::Ah => "ah",
        }
    }
}

/// An ESP or AH packet header.
#[derive(Debug, Clone, Copy)]
pub struct SaPacket {
    pub spi: u32,
    pub seq: u32,
    pub proto: super::EspProto,
    /// ESP inside UDP 4500 (RFC 3948).
    pub udp: bool,
    /// IP length on the wire.
    pub ip_length: usize,
}

/// A notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenNotify {
    pub notify_type: u16,
    pub name: Option<&'static str>,
    /// INVALID_KE_PAYLOAD accepted group, DPD sequence...
    pub value: Option<u32>,
    pub visibility: Visibility,
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// A Delete payload: protocol and SPIs (hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenDelete {
    pub protocol_id: u8,
    pub spis: Vec<String>,
    pub visibility: Visibility,
}

/// An identification payload (IKEv1 IDii/IDir/IDci/IDcr, IKEv2 IDi/IDr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenId {
    pub value: String,
    pub visibility: Visibility,
}

/// One IKE message as a source saw it. Everything the tracker decides
/// (step when not given, direction, copy) is added by the tracker.
#[derive(Debug, Clone, Default)]
pub struct IkeObservation {
    pub version: u8,
    pub ispi: u64,
    pub rspi: u64,
    pub exchange_type: u8,
    pub message_id: u32,
    /// Header flags (IKEv2 I and R, IKEv1 E/C/A).
    pub flags: u8,
    pub length: u32,
    /// The body is encrypted on the wire.
    pub encrypted: bool,
    /// A decrypted copy the device exported (ASA `capture type isakmp`).
    pub decrypted_copy: bool,
    /// IKEv2 R flag.
    pub response: bool,
    /// The step, when the source names it (a log line "sending MM5").
    /// Otherwise the tracker labels the message from its contents.
    pub step: Option<Step>,
    /// How the payloads below are known: `Opaque` when the body could not
    /// be read (encrypted without keys, console summary line).
    pub body: Visibility,
    pub notifies: Vec<SeenNotify>,
    pub payload_types: Vec<u8>,
    pub ke_group: Option<u16>,
    pub ke_length: Option<usize>,
    pub offer: Option<Offer>,
    pub ids: Vec<SeenId>,
    /// Proxy identities / traffic selectors, read from a decrypted
    /// Quick Mode or IKEv2 child-SA message.
    pub selectors: Option<Box<super::decrypted::Selectors>>,
    /// IKEv1/IKEv2 authentication method when read (MM1 SA, IKEv2 AUTH).
    pub auth_method: Option<u16>,
    /// Bytes of the SK/SKF payload (IKEv2) or of the encrypted body (IKEv1).
    pub encrypted_length: Option<usize>,
    /// Reassembled from IP fragments (frames).
    pub fragments: Vec<FrameNo>,
    /// IKEv2 SKF or IKEv1 Cisco fragment: (number, total or last).
    pub ike_fragment: Option<(u16, u16)>,
    /// IKEv1 Cisco fragmentation: the fragment ID shared by the pieces.
    pub frag_id: Option<u16>,
    pub deletes: Vec<SeenDelete>,
    pub malformed: Option<String>,
    /// Captured bytes were cut short (snaplen), or a console summary line.
    pub truncated: bool,
    /// Hash of the message bytes when the source has them: equal
    /// fingerprints in one direction are copies of one message. Sources
    /// without bytes (logs) leave it `None`; copies are then told by
    /// exchange, message ID, direction and step.
    pub fingerprint: Option<u64>,
    /// NAT-D material: `[ispi, rspi, destination hash, source hashes...]`
    /// (IKEv1 NAT-D payloads, IKEv2 NAT_DETECTION_* notifies).
    pub nat_detection: Option<Vec<Vec<u8>>>,
}

/// What a device log says happened, beyond single messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerEvent {
    /// The IKE SA it concerns, when the line names its SPIs.
    pub ike_sa: Option<(u8, u64)>,
    pub kind: EventKind,
    /// The failure cause the line pins down, if any.
    pub cause: Option<Cause>,
    /// The log text, unescaped (reports escape it).
    pub text: String,
    /// The typed log event, for rules that need more than the kind
    /// (phase, exchange, proxies, counters).
    pub log: Option<Box<crate::logs::LogEvent>>,
}

/// The kinds of log statements the analysis uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    Phase1Up,
    Phase1Failed,
    Phase2Up,
    Phase2Failed,
    /// An SA was deleted (orderly teardown).
    Deleted,
    /// Dead peer detection declared the peer dead.
    PeerDead,
    /// `show crypto isakmp sa` state, e.g. "MM_WAIT_MSG6".
    State(String),
    /// `show crypto ipsec sa` counters for one SA pair.
    Counters {
        encaps: u64,
        decaps: u64,
    },
    /// Anything else worth showing beside the packets.
    Note,
}

/// The address a log line names as the peer, for building endpoints.
pub fn endpoint(addr: IpAddr) -> Endpoint {
    Endpoint { addr, port: None }
}
