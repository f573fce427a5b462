//! Per-peer exchange tracking: datagrams → tunnels, IKE SAs, labelled
//! messages, retransmissions, phase states, ESP/AH SA statistics.
//!
//! A *tunnel* is an unordered pair of peer addresses. It holds the IKE SAs
//! negotiated between them (keyed by IKE version and initiator SPI/cookie, so
//! the NAT-T float from port 500 to 4500 stays in one SA), and the ESP/AH SAs
//! seen between them (keyed by source, destination and SPI). Only owned
//! summaries are kept, and per-SA message lists are capped, so memory grows
//! with live state, not with capture size.

mod esp;
pub mod natd;
pub mod packet;
pub mod state;
mod v1;
mod v2;

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::capture::{FrameNo, Origin, Timestamp};
use crate::ike::{self, Body, Message};
use crate::net::Datagram;

pub use crate::net::IcmpError;
pub use esp::{EspSa, Proto as EspProto, SeqStats};
pub use packet::{classify, payload_absent, Content};

/// Most messages kept per IKE SA for the ladder; later ones only update counters.
pub const MAX_MESSAGES_PER_SA: usize = 512;
/// Most IKE SAs tracked per tunnel.
pub const MAX_SAS_PER_TUNNEL: usize = 256;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// A notification seen in clear text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeenNotify {
    pub notify_type: u16,
    pub name: Option<&'static str>,
    /// INVALID_KE_PAYLOAD accepted group, DPD sequence...
    pub value: Option<u32>,
    #[serde(skip)]
    pub data: Vec<u8>,
}

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

/// An owned summary of one IKE message, labelled by the tracker.
#[derive(Debug, Clone, Serialize)]
pub struct IkeMsg {
    pub frame: FrameNo,
    pub ts: Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub dir: Dir,
    /// MM1..MM6, AM1..AM3, QM1..QM3, INFO, CFG, IKE_SA_INIT req...
    pub label: String,
    pub exchange_type: u8,
    pub message_id: u32,
    pub flags: u8,
    pub length: u32,
    pub encrypted: bool,
    pub decrypted_copy: bool,
    /// IKEv2 R flag.
    pub response: bool,
    /// Earlier frame with the same bytes, when this is a retransmission.
    pub retransmit_of: Option<FrameNo>,
    /// Earlier frame with the same bytes less than a millisecond before: the
    /// capture saw the packet twice. Labelled "… (dup)" and left out of the
    /// rules' counts.
    pub duplicate_of: Option<FrameNo>,
    /// The encrypted original of a decrypted copy, or the copy of an
    /// encrypted message (ASA `capture type isakmp`).
    pub twin: Option<FrameNo>,
    pub notifies: Vec<SeenNotify>,
    pub payload_types: Vec<u8>,
    pub ke_group: Option<u16>,
    pub ke_length: Option<usize>,
    pub offer: Option<Offer>,
    /// IKEv1 proxy identities (IDci/IDcr) in a clear Quick Mode.
    pub ids: Vec<String>,
    /// Bytes of the SK/SKF payload (IKEv2) or of the encrypted body (IKEv1).
    pub encrypted_length: Option<usize>,
    /// Reassembled from IP fragments (frames).
    pub fragments: Vec<FrameNo>,
    /// IKEv2 SKF or IKEv1 Cisco fragment: (number, total or last).
    pub ike_fragment: Option<(u16, u16)>,
    /// IKEv1 Cisco fragmentation: the fragment ID shared by the pieces of
    /// one message.
    pub frag_id: Option<u16>,
    pub deletes: Vec<(u8, Vec<String>)>,
    pub malformed: Option<String>,
    /// Captured bytes were cut short (snaplen), or a console summary line.
    pub truncated: bool,
    pub origin: Origin,
    #[serde(skip)]
    pub bytes_hash: u64,
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
#[derive(Debug, Clone, Serialize)]
pub struct IkeSa {
    pub version: u8,
    #[serde(serialize_with = "crate::ike::ser_spi64")]
    pub ispi: u64,
    #[serde(serialize_with = "crate::ike::ser_spi64")]
    pub rspi: u64,
    pub initiator: Endpoint,
    pub responder: Endpoint,
    pub mode: Mode,
    /// The first message seen opened the SA (MM1/AM1/IKE_SA_INIT request).
    pub start_seen: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    pub messages: Vec<IkeMsg>,
    /// Messages beyond [`MAX_MESSAGES_PER_SA`] (counted, not kept).
    pub dropped_messages: u64,
    pub quick_modes: Vec<QuickMode>,
    pub nat: NatInfo,
    /// Negotiated IKEv1 hash algorithm (for NAT-D), from the responder's SA.
    #[serde(skip)]
    pub(crate) v1_hash: Option<u16>,
    #[serde(skip)]
    pub(crate) natd_pending: Vec<natd::Pending>,
    /// Per-direction count of distinct phase-1 messages (labelling).
    #[serde(skip)]
    pub(crate) p1_count: [u8; 2],
}

impl IkeSa {
    /// First message with this label that is not a retransmission.
    pub fn find(&self, label: &str) -> Option<&IkeMsg> {
        self.messages
            .iter()
            .find(|m| m.label == label && m.retransmit_of.is_none())
    }

    /// How many times a label was sent (original plus retransmissions).
    pub fn count(&self, label: &str) -> usize {
        self.messages.iter().filter(|m| m.label == label).count()
    }

    pub fn frames_of(&self, label: &str) -> Vec<FrameNo> {
        self.messages
            .iter()
            .filter(|m| m.label == label)
            .map(|m| m.frame)
            .collect()
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
    /// "isakmp", "esp" or "ah".
    pub proto: &'static str,
    /// Length on the wire.
    pub length: usize,
}

/// All traffic between two peers.
#[derive(Debug, Clone, Serialize)]
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
    pub first: Timestamp,
    pub last: Timestamp,
}

impl Tunnel {
    fn new(a: IpAddr, b: IpAddr, ts: Timestamp) -> Tunnel {
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
            first: ts,
            last: ts,
        }
    }
}

/// Builds tunnels from decoded datagrams.
#[derive(Debug, Default)]
pub struct Tracker {
    tunnels: Vec<Tunnel>,
    by_peers: FlowMap<(IpAddr, IpAddr), usize>,
    /// (version, initiator SPI) → (tunnel, SA index).
    by_spi: FlowMap<(u8, u64), (usize, usize)>,
    /// (src, dst, spi, is AH) → index in `esp_sas`.
    by_esp: FlowMap<EspKey, usize>,
    /// ESP/AH SAs with their tunnel, in one flat list while tracking (one
    /// memory access per packet); handed to their tunnels at the end.
    esp_sas: Vec<(usize, EspSa)>,
    /// The last ESP/AH SA looked up: consecutive packets of one SA skip the map.
    last_esp: Option<(EspKey, usize)>,
    /// Capture-wide facts for the report.
    pub capture_first: Option<Timestamp>,
    pub capture_last: Option<Timestamp>,
}

/// Hash maps keyed by addresses and SPIs, with a seeded fast hasher.
type FlowMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type EspKey = (IpAddr, IpAddr, u32, bool);

fn pair(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// FNV-1a over the message bytes: equal bytes ⇒ retransmission.
fn fnv64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker::default()
    }

    fn touch(&mut self, ts: Timestamp) {
        if self.capture_first.is_none() {
            self.capture_first = Some(ts);
        }
        self.capture_last = Some(ts);
    }

    fn tunnel(&mut self, a: IpAddr, b: IpAddr, ts: Timestamp) -> usize {
        let key = pair(a, b);
        let idx = *self.by_peers.entry(key).or_insert_with(|| {
            self.tunnels.push(Tunnel::new(a, b, ts));
            self.tunnels.len() - 1
        });
        let t = &mut self.tunnels[idx];
        if ts < t.first {
            t.first = ts;
        }
        if ts > t.last {
            t.last = ts;
        }
        idx
    }

    /// An IKE message (parsed from `raw`, the bytes after any non-ESP marker).
    pub fn observe_ike(&mut self, d: &Datagram<'_>, msg: &Message<'_>, raw: &[u8]) {
        self.touch(d.ts);
        let ti = self.tunnel(d.src, d.dst, d.ts);
        let src = Endpoint {
            addr: d.src,
            port: d.sport,
        };
        let dst = Endpoint {
            addr: d.dst,
            port: d.dport,
        };
        let h = &msg.header;
        let key = (h.version, h.ispi);
        let (ti, si) = match self.by_spi.get(&key) {
            Some(&v) => v,
            None => {
                let t = &mut self.tunnels[ti];
                if t.ike_sas.len() >= MAX_SAS_PER_TUNNEL {
                    return;
                }
                // Who initiated: IKEv2 says it with the I flag; IKEv1's first
                // message has a zero responder cookie, otherwise the sender of
                // the first message seen is assumed.
                let sender_is_initiator = if h.version == 2 {
                    h.v2_initiator()
                } else {
                    true
                };
                let (initiator, responder) = if sender_is_initiator {
                    (src, dst)
                } else {
                    (dst, src)
                };
                let mode = match (h.version, h.exchange_type) {
                    (2, _) => Mode::Ikev2,
                    (_, 2) => Mode::Main,
                    (_, 4) => Mode::Aggressive,
                    _ => Mode::Unknown,
                };
                let start_seen = match h.version {
                    2 => h.exchange_type == 34 && !h.v2_response(),
                    _ => (h.exchange_type == 2 || h.exchange_type == 4) && h.rspi == 0,
                };
                t.ike_sas.push(IkeSa {
                    version: h.version,
                    ispi: h.ispi,
                    rspi: h.rspi,
                    initiator,
                    responder,
                    mode,
                    start_seen,
                    first: d.ts,
                    last: d.ts,
                    messages: Vec::new(),
                    dropped_messages: 0,
                    quick_modes: Vec::new(),
                    nat: NatInfo::default(),
                    v1_hash: None,
                    natd_pending: Vec::new(),
                    p1_count: [0, 0],
                });
                let si = t.ike_sas.len() - 1;
                self.by_spi.insert(key, (ti, si));
                (ti, si)
            }
        };
        let t = &mut self.tunnels[ti];
        let sa = &mut t.ike_sas[si];
        if sa.rspi == 0 && h.rspi != 0 {
            sa.rspi = h.rspi;
        }
        sa.last = d.ts;
        if sa.mode == Mode::Unknown && h.version == 1 {
            if h.exchange_type == 2 {
                sa.mode = Mode::Main;
            } else if h.exchange_type == 4 {
                sa.mode = Mode::Aggressive;
            }
        }
        // Direction: by address (and for IKEv2 the I flag, robust to NAT).
        let dir = if h.version == 2 {
            if h.v2_initiator() {
                Dir::I2R
            } else {
                Dir::R2I
            }
        } else if d.src == sa.initiator.addr && d.dst == sa.responder.addr {
            Dir::I2R
        } else if d.src == sa.responder.addr {
            Dir::R2I
        } else {
            // Addresses rewritten (NAT on the path of a later message).
            if d.dst == sa.initiator.addr {
                Dir::R2I
            } else {
                Dir::I2R
            }
        };
        if let Some(p) = d.sport.zip(d.dport) {
            if p.0 == 4500 || p.1 == 4500 {
                sa.nat.floated = true;
            }
        }
        if let Some(m) = &msg.malformed {
            t.malformed.push((d.frame, m.to_string()));
        }
        if d.origin == Origin::TextSummary {
            t.payloadless += 1;
        }
        let summary = summarize(d, msg, raw, src, dst, dir);
        let sa = &mut t.ike_sas[si];
        let mut summary = summary;
        match h.version {
            1 => v1::label(sa, &mut summary, msg),
            _ => v2::label(sa, &mut summary),
        }
        natd::collect(sa, &summary, msg);
        if sa.messages.len() < MAX_MESSAGES_PER_SA {
            sa.messages.push(summary);
        } else {
            sa.dropped_messages += 1;
        }
    }

    /// Track one classified datagram.
    pub fn observe(&mut self, d: &Datagram<'_>, c: &Content<'_>) {
        match c {
            Content::Ike(m) => self.observe_ike(d, m, packet::ike_bytes(d)),
            Content::Esp { esp, udp } => self.observe_esp(d, esp, *udp),
            Content::Ah(a) => self.observe_ah(d, a),
            Content::Keepalive => self.observe_keepalive(d),
            _ if payload_absent(d, c) => self.observe_payloadless(d),
            Content::NotIke(e) => self.observe_malformed(d, e.to_string()),
            Content::Short { proto, have } => {
                self.observe_malformed(d, format!("{proto} header truncated: {have} bytes"))
            }
        }
    }

    /// An ICMP error quoting one of the tunnel's packets: the tunnel is the
    /// quoted packet's peer pair.
    pub fn observe_icmp(&mut self, e: &crate::net::IcmpError) {
        self.touch(e.ts);
        let ti = self.tunnel(e.quoted_src, e.quoted_dst, e.ts);
        let t = &mut self.tunnels[ti];
        if t.icmp.len() < MAX_MESSAGES_PER_SA {
            t.icmp.push(e.clone());
        }
    }

    /// An IPsec-bound datagram that could not be decoded.
    pub fn observe_malformed(&mut self, d: &Datagram<'_>, reason: String) {
        self.touch(d.ts);
        let ti = self.tunnel(d.src, d.dst, d.ts);
        let t = &mut self.tunnels[ti];
        if t.malformed.len() < MAX_MESSAGES_PER_SA {
            t.malformed.push((d.frame, reason));
        }
    }

    /// An ESP packet (`udp`: inside UDP 4500).
    pub fn observe_esp(&mut self, d: &Datagram<'_>, e: &crate::esp::Esp, udp: bool) {
        self.observe_sa(d, e.spi, e.seq, esp::Proto::Esp, udp);
    }

    /// An AH packet.
    pub fn observe_ah(&mut self, d: &Datagram<'_>, a: &crate::esp::Ah) {
        self.observe_sa(d, a.spi, a.seq, esp::Proto::Ah, false);
    }

    fn observe_sa(&mut self, d: &Datagram<'_>, spi: u32, seq: u32, proto: esp::Proto, udp: bool) {
        self.touch(d.ts);
        let key = (d.src, d.dst, spi, proto == esp::Proto::Ah);
        let idx = match self.last_esp {
            Some((k, v)) if k == key => v,
            _ => match self.by_esp.get(&key) {
                Some(&v) => v,
                None => {
                    let ti = self.tunnel(d.src, d.dst, d.ts);
                    self.esp_sas
                        .push((ti, EspSa::new(d.src, d.dst, spi, proto, udp, d.frame, d.ts)));
                    let v = self.esp_sas.len() - 1;
                    self.by_esp.insert(key, v);
                    v
                }
            },
        };
        self.last_esp = Some((key, idx));
        if let Some((_, sa)) = self.esp_sas.get_mut(idx) {
            sa.observe(seq, d.ip_length as u64, d.frame, d.ts);
        }
    }

    /// An IPsec packet without payload bytes (a console summary line), or
    /// one too short to read an SPI from.
    pub fn observe_payloadless(&mut self, d: &Datagram<'_>) {
        self.touch(d.ts);
        let ti = self.tunnel(d.src, d.dst, d.ts);
        let t = &mut self.tunnels[ti];
        t.payloadless += 1;
        if t.blind.len() < MAX_MESSAGES_PER_SA {
            t.blind.push(BlindPacket {
                frame: d.frame,
                ts: d.ts,
                src: d.src,
                dst: d.dst,
                proto: match d.payload {
                    crate::net::Payload::Ike { .. } => "isakmp",
                    crate::net::Payload::Ah(_) => "ah",
                    _ => "esp",
                },
                length: d.ip_length,
            });
        }
    }

    pub fn observe_keepalive(&mut self, d: &Datagram<'_>) {
        self.touch(d.ts);
        let ti = self.tunnel(d.src, d.dst, d.ts);
        self.tunnels[ti].keepalives.push(d.frame);
        let t = &mut self.tunnels[ti];
        if t.keepalives.len() > MAX_MESSAGES_PER_SA {
            t.keepalives.remove(0);
        }
    }

    /// The label the tracker gave the last message of the SA this header
    /// belongs to (for `ikescope packets`).
    pub fn last_label(&self, version: u8, ispi: u64) -> Option<(&str, Dir, Option<FrameNo>)> {
        let &(ti, si) = self.by_spi.get(&(version, ispi))?;
        let m = self.tunnels.get(ti)?.ike_sas.get(si)?.messages.last()?;
        Some((m.label.as_str(), m.dir, m.retransmit_of))
    }

    /// End of capture: finish NAT-D checks and hand over the tunnels, in
    /// order of first appearance.
    pub fn finish(mut self) -> Vec<Tunnel> {
        let mut senders: HashMap<(IpAddr, u32, bool), usize> = HashMap::new();
        for (_, e) in &self.esp_sas {
            *senders
                .entry((e.src, e.spi, e.proto == esp::Proto::Ah))
                .or_default() += 1;
        }
        for (_, e) in &mut self.esp_sas {
            e.shared_sequence = senders
                .get(&(e.src, e.spi, e.proto == esp::Proto::Ah))
                .is_some_and(|&n| n > 1);
        }
        for (ti, e) in std::mem::take(&mut self.esp_sas) {
            if let Some(t) = self.tunnels.get_mut(ti) {
                if e.first < t.first {
                    t.first = e.first;
                }
                if e.last > t.last {
                    t.last = e.last;
                }
                t.esp.push(e);
            }
        }
        for t in &mut self.tunnels {
            for sa in &mut t.ike_sas {
                natd::resolve(sa);
            }
        }
        self.tunnels
    }
}

/// A retransmission: the same bytes sent again in the same direction. Marks
/// `m` with the original frame and label; true when it was one.
fn mark_retransmission(sa: &IkeSa, m: &mut IkeMsg) -> bool {
    match sa
        .messages
        .iter()
        .rev()
        .find(|p| p.bytes_hash == m.bytes_hash && p.dir == m.dir)
    {
        // The same packet again in the next frame or so, within a
        // millisecond, was captured twice (two capture points, a SPAN of both
        // directions), not resent: IKE retransmission timers start at half a
        // second. Only with real, distinct time stamps: console dumps without
        // times (or files with zeroed ones) say nothing about the gap.
        Some(prev)
            if m.origin == Origin::Wire
                && m.ts > prev.ts
                && m.ts.since(prev.ts) < DUPLICATE_SECS
                && m.frame <= prev.frame + 2 =>
        {
            m.duplicate_of = Some(prev.duplicate_of.unwrap_or(prev.frame));
            m.label = format!("{} (dup)", prev.label.trim_end_matches(" (dup)"));
            true
        }
        Some(prev) => {
            let orig = sa
                .messages
                .iter()
                .find(|p| {
                    p.bytes_hash == m.bytes_hash && p.dir == m.dir && p.duplicate_of.is_none()
                })
                .unwrap_or(prev);
            m.retransmit_of = Some(orig.retransmit_of.unwrap_or(orig.frame));
            m.label = orig.label.clone();
            true
        }
        None => false,
    }
}

/// Identical packets closer than this are capture duplicates.
const DUPLICATE_SECS: f64 = 0.001;

/// Owned summary of a message; label and retransmission are filled in later.
fn summarize(
    d: &Datagram<'_>,
    msg: &Message<'_>,
    raw: &[u8],
    src: Endpoint,
    dst: Endpoint,
    dir: Dir,
) -> IkeMsg {
    let h = &msg.header;
    let mut m = IkeMsg {
        frame: d.frame,
        ts: d.ts,
        src,
        dst,
        dir,
        label: String::new(),
        exchange_type: h.exchange_type,
        message_id: h.message_id,
        flags: h.flags,
        length: h.length,
        encrypted: h.encrypted && !msg.decrypted_copy,
        decrypted_copy: msg.decrypted_copy,
        response: h.v2_response(),
        retransmit_of: None,
        duplicate_of: None,
        twin: None,
        notifies: Vec::new(),
        payload_types: msg.payloads.iter().map(|p| p.ptype).collect(),
        ke_group: None,
        ke_length: None,
        offer: None,
        ids: Vec::new(),
        encrypted_length: None,
        fragments: d.fragments.clone(),
        ike_fragment: None,
        frag_id: None,
        deletes: Vec::new(),
        malformed: msg.malformed.as_ref().map(|e| e.to_string()),
        truncated: d.truncated,
        origin: d.origin,
        bytes_hash: fnv64(raw),
    };
    if h.version == 1 && h.encrypted && !msg.decrypted_copy {
        m.encrypted_length = Some((h.length as usize).saturating_sub(ike::HEADER_LEN));
    }
    for p in &msg.payloads {
        match &p.body {
            Body::Notify(n) => m.notifies.push(SeenNotify {
                notify_type: n.notify_type,
                name: n.notify,
                value: match &n.detail {
                    Some(ike::NotifyDetail::AcceptedGroup(g)) => Some(*g as u32),
                    Some(ike::NotifyDetail::DpdSequence(s)) => Some(*s),
                    _ => None,
                },
                data: n.data.to_vec(),
            }),
            Body::Ke(k) => {
                m.ke_group = k.group;
                m.ke_length = Some(k.data_length);
            }
            Body::Sa(sa) => m.offer = Some(offer_of(h.version, sa)),
            Body::Id(id) => m.ids.push(id.value.clone()),
            Body::Encrypted(e) => {
                m.encrypted_length = Some(e.data_length);
                if let (Some(n), Some(t)) = (e.fragment_number, e.total_fragments) {
                    m.ike_fragment = Some((n, t));
                }
            }
            Body::Fragment(f) => {
                m.ike_fragment = Some((f.fragment_number as u16, u16::from(f.last)));
                m.frag_id = Some(f.fragment_id);
            }
            Body::Delete(del) => m
                .deletes
                .push((del.protocol_id, del.spis.iter().map(hex::encode).collect())),
            _ => {}
        }
    }
    m
}

/// IKEv1 attribute types (RFC 2409 App. A) used for the offer summary.
mod v1_attr {
    pub const ENCRYPTION: u16 = 1;
    pub const HASH: u16 = 2;
    pub const AUTH: u16 = 3;
    pub const GROUP: u16 = 4;
    pub const LIFE_TYPE: u16 = 11;
    pub const LIFE_DURATION: u16 = 12;
    pub const KEY_LENGTH: u16 = 14;
    /// IPsec DOI (RFC 2407 §4.5).
    pub const IPSEC_GROUP: u16 = 3;
    pub const IPSEC_AUTH: u16 = 5;
    pub const IPSEC_KEY_LENGTH: u16 = 6;
}

fn offer_of(version: u8, sa: &ike::Sa<'_>) -> Offer {
    if version == 1 {
        let mut out = Vec::new();
        for p in &sa.proposals {
            for t in &p.transforms {
                let mut v = V1Transform {
                    protocol_id: p.protocol_id,
                    ..Default::default()
                };
                let mut life_secs = false;
                for a in &t.attributes {
                    let val = a.value;
                    if p.protocol_id == 1 {
                        match a.attr_type {
                            v1_attr::ENCRYPTION => v.encryption = val.map(|x| x as u16),
                            v1_attr::HASH => v.hash = val.map(|x| x as u16),
                            v1_attr::AUTH => v.auth_method = val.map(|x| x as u16),
                            v1_attr::GROUP => v.group = val.map(|x| x as u16),
                            v1_attr::LIFE_TYPE => life_secs = val == Some(1),
                            v1_attr::LIFE_DURATION if life_secs => v.life_seconds = val,
                            v1_attr::KEY_LENGTH => v.key_length = val.map(|x| x as u16),
                            _ => {}
                        }
                    } else {
                        match a.attr_type {
                            v1_attr::IPSEC_AUTH => v.hash = val.map(|x| x as u16),
                            v1_attr::IPSEC_GROUP => v.group = val.map(|x| x as u16),
                            v1_attr::IPSEC_KEY_LENGTH => v.key_length = val.map(|x| x as u16),
                            1 => life_secs = val == Some(1),
                            2 if life_secs => v.life_seconds = val,
                            _ => {}
                        }
                    }
                }
                if p.protocol_id != 1 {
                    // Phase 2: the transform ID is the cipher (RFC 2407 §4.4).
                    v.encryption = Some(t.transform_id);
                }
                out.push(v);
            }
        }
        Offer::V1(out)
    } else {
        let mut out = Vec::new();
        for p in &sa.proposals {
            let mut v = V2Proposal {
                protocol_id: p.protocol_id,
                ..Default::default()
            };
            for t in &p.transforms {
                let id = t.transform_id;
                match t.transform_type {
                    Some(1) => {
                        let kl = t
                            .attributes
                            .iter()
                            .find(|a| a.attr_type == 14)
                            .and_then(|a| a.value)
                            .map(|x| x as u16);
                        v.encr.push((id, kl))
                    }
                    Some(2) => v.prf.push(id),
                    Some(3) => v.integ.push(id),
                    Some(4) => v.dh.push(id),
                    _ => {}
                }
            }
            out.push(v);
        }
        Offer::V2(out)
    }
}
