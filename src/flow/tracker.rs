//! The incremental tracker: observations in, tunnels out. Every
//! [`Tracker::observe`] says what it touched; any tunnel can be looked at
//! ([`Tracker::snapshot`]) while tracking goes on, and [`Tracker::tick`]
//! moves the clock so silence can be judged on a live stream.

use std::collections::HashMap;
use std::net::IpAddr;

use super::observation::{IkeObservation, Observation, Observed, SaPacket, Source};
use super::{
    adapt, coverage::Coverage, esp, model::LoggedEvent, natd, v1, v2, BlindPacket, Copy, Dir,
    Endpoint, EspSa, IkeMsg, IkeSa, Mode, NatInfo, Step, Tunnel,
};
use super::{
    packet::Content, KEEP_FIRST_MESSAGES, MAX_ESP_SAS, MAX_IKE_SAS, MAX_MESSAGES_PER_SA,
    MAX_SAS_PER_TUNNEL, MAX_TUNNELS,
};
use crate::capture::{FrameNo, Origin, Timestamp};
use crate::ike::v2_flags;
use crate::net::Datagram;
use crate::registry::proto::{ExchangeV1, ExchangeV2};

/// A tunnel's identity for as long as the tracker lives (order of first
/// appearance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TunnelId(pub usize);

/// What one observation touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Touched {
    /// None when nothing was recorded (a limit was reached: counted).
    pub tunnel: Option<TunnelId>,
    /// Index of the IKE SA within the tunnel.
    pub ike_sa: Option<usize>,
    /// The step of an IKE message, whether or not the message was kept.
    pub step: Option<Step>,
    pub dir: Option<Dir>,
    pub copy: Copy,
}

/// One ESP/AH packet, for [`Tracker::observe_sas`].
#[derive(Debug, Clone, Copy)]
pub struct SaSighting {
    ts: Timestamp,
    frame: FrameNo,
    key: esp::SaKey,
    p: SaPacket,
}

impl AsRef<esp::SaKey> for SaSighting {
    fn as_ref(&self) -> &esp::SaKey {
        &self.key
    }
}

/// How many ESP/AH packets [`Tracker::observe_sas`] looks up together.
pub const SA_BATCH: usize = 32;

/// Builds tunnels from observations.
#[derive(Debug, Default)]
pub struct Tracker {
    tunnels: Vec<Tunnel>,
    by_peers: FlowMap<(IpAddr, IpAddr), usize>,
    /// An IKE SA's identity: (peer pair, version, initiator SPI) → (tunnel,
    /// SA index). Never the initiator SPI alone: a spoofed initiator cookie
    /// answered by thousands of responders is thousands of SAs.
    by_spi: FlowMap<SaKey, (usize, usize)>,
    /// (version, initiator SPI, responder SPI) → (tunnel, SA index): both
    /// SPIs find an SA whose messages later cross other addresses (a NAT
    /// rewriting them mid-negotiation).
    by_spis: FlowMap<(u8, u64, u64), (usize, usize)>,
    /// ESP/AH SAs with their tunnel, in one flat table while tracking
    /// (indexed by SPI); handed to their tunnels in snapshots.
    esp_sas: esp::SaTable,
    coverage: Coverage,
}

/// (peer pair, version, initiator SPI).
type SaKey = ((IpAddr, IpAddr), u8, u64);

/// Hash maps keyed by addresses and SPIs, with a seeded fast hasher.
type FlowMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

fn pair(a: IpAddr, b: IpAddr) -> (IpAddr, IpAddr) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker::default()
    }

    /// What the capture (or stream) covers so far.
    pub fn coverage(&self) -> &Coverage {
        &self.coverage
    }

    /// Add capture-wide facts the tracker cannot see (fragment sets that
    /// never completed, records cut short).
    pub fn coverage_mut(&mut self) -> &mut Coverage {
        &mut self.coverage
    }

    /// The clock moved on without anything being seen (a live stream):
    /// silence up to `now` counts.
    pub fn tick(&mut self, now: Timestamp) {
        self.coverage.extend(now);
    }

    /// Number of tunnels so far; their ids are `0..len`.
    pub fn len(&self) -> usize {
        self.tunnels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tunnels.is_empty()
    }

    /// The tunnel of a peer pair, made when new; `None` past
    /// [`MAX_TUNNELS`] (the packet is counted in the coverage).
    fn tunnel(&mut self, a: IpAddr, b: IpAddr, ts: Timestamp, frame: FrameNo) -> Option<usize> {
        let key = pair(a, b);
        let idx = match self.by_peers.get(&key) {
            Some(&i) => i,
            None if self.tunnels.len() >= MAX_TUNNELS => {
                self.coverage.untracked_packets += 1;
                self.coverage.untracked_from.get_or_insert(frame);
                return None;
            }
            None => {
                self.tunnels.push(Tunnel::new(a, b, ts));
                self.by_peers.insert(key, self.tunnels.len() - 1);
                self.tunnels.len() - 1
            }
        };
        let t = &mut self.tunnels[idx];
        if ts < t.first {
            t.first = ts;
        }
        if ts > t.last {
            t.last = ts;
        }
        Some(idx)
    }

    /// Track one decoded datagram (the wire adapter).
    pub fn observe_datagram(&mut self, d: &Datagram<'_>, c: &Content<'_>) -> Touched {
        // ESP/AH are most of the packets of a busy capture: the same effect
        // as `observe(adapt::observation(d, c))`, without building the
        // observation.
        // Too short for an ISAKMP header, and not cut by the snap length:
        // a port probe or garbage on 500/4500, not IKE. Counted, no tunnel.
        // The same on 4500 where, past the keepalive (one 0xFF octet,
        // RFC 3948 §2.3) and the non-ESP marker, anything shorter than an
        // ESP header (SPI and sequence number, RFC 4303 §2) is not ESP.
        let too_short = match c {
            Content::NotIke(e) => matches!(e.kind, crate::ike::IkeErrorKind::ShortHeader { .. }),
            Content::Short { proto: "esp", .. } => {
                matches!(d.payload, crate::net::Payload::Esp { udp: true, .. })
            }
            _ => false,
        };
        if too_short && !d.truncated && d.origin == Origin::Wire {
            self.coverage.extend(d.ts);
            self.coverage.note_not_ike(d.frame);
            return Touched::default();
        }
        if let Some(p) = adapt::sa_packet(d, c) {
            self.coverage.extend(d.ts);
            let found = self.esp_sas.find(d.src, d.dst, p.spi, p.proto);
            return self.observe_sa_at(found, d.ts, d.frame, d.src, d.dst, p);
        }
        self.observe(adapt::observation(d, c))
    }

    /// The ESP/AH packet a datagram holds, when it has one: what
    /// [`Tracker::observe_datagram`] would count on an SA.
    pub fn sa_sighting(d: &Datagram<'_>, c: &Content<'_>) -> Option<SaSighting> {
        adapt::sa_packet(d, c).map(|p| SaSighting {
            ts: d.ts,
            frame: d.frame,
            key: esp::SaKey {
                src: d.src,
                dst: d.dst,
                spi: p.spi,
                proto: p.proto,
            },
            p,
        })
    }

    /// The same as [`Tracker::observe_datagram`] on each packet in turn
    /// (at most [`SA_BATCH`] at a time), with their SAs looked up first:
    /// on a capture with thousands of SAs nearly every lookup misses the
    /// cache, and independent lookups let those misses overlap. What the
    /// packets touched is not returned: for a run without a packet hook.
    pub fn observe_sas(&mut self, batch: &[SaSighting]) {
        let mut found = [None; SA_BATCH];
        let n = batch.len().min(SA_BATCH);
        self.esp_sas.find_many(&batch[..n], &mut found[..n]);
        for (k, s) in batch.iter().enumerate() {
            self.coverage.extend(s.ts);
            // Past the first SA_BATCH (never, from the pipeline) and for
            // SAs an earlier packet of the batch made, look up again.
            let f = found.get(k).copied().flatten();
            self.observe_sa_at(f, s.ts, s.frame, s.key.src, s.key.dst, s.p);
        }
    }

    /// An ICMP error quoting one of the tunnel's packets: the tunnel is the
    /// quoted packet's peer pair.
    pub fn observe_icmp(&mut self, e: &crate::net::IcmpError) -> Touched {
        self.observe(adapt::icmp_observation(e))
    }

    /// Track one observation, from any source.
    pub fn observe(&mut self, o: Observation) -> Touched {
        self.coverage.extend(o.time);
        let frame = o.source.frame();
        match o.what {
            Observed::Ike(ike) => self.observe_ike(o.time, o.source, o.src, o.dst, *ike),
            Observed::Sa(p) => {
                let found = self.esp_sas.find(o.src.addr, o.dst.addr, p.spi, p.proto);
                self.observe_sa_at(found, o.time, frame, o.src.addr, o.dst.addr, p)
            }
            Observed::Keepalive => {
                let Some(ti) = self.tunnel(o.src.addr, o.dst.addr, o.time, frame) else {
                    return Touched::default();
                };
                let t = &mut self.tunnels[ti];
                t.keepalives.push(frame);
                if t.keepalives.len() > MAX_MESSAGES_PER_SA {
                    t.keepalives.remove(0);
                }
                touched(ti)
            }
            Observed::Payloadless { proto, length } => {
                let Some(ti) = self.tunnel(o.src.addr, o.dst.addr, o.time, frame) else {
                    return Touched::default();
                };
                let t = &mut self.tunnels[ti];
                t.payloadless += 1;
                if t.blind.len() < MAX_MESSAGES_PER_SA {
                    t.blind.push(BlindPacket {
                        frame,
                        ts: o.time,
                        src: o.src.addr,
                        dst: o.dst.addr,
                        proto,
                        length,
                    });
                }
                touched(ti)
            }
            Observed::Malformed(reason) => {
                let Some(ti) = self.tunnel(o.src.addr, o.dst.addr, o.time, frame) else {
                    return Touched::default();
                };
                let t = &mut self.tunnels[ti];
                if t.malformed.len() < MAX_MESSAGES_PER_SA {
                    t.malformed.push((frame, reason));
                }
                touched(ti)
            }
            Observed::Icmp(e) => {
                let Some(ti) = self.tunnel(o.src.addr, o.dst.addr, o.time, frame) else {
                    return Touched::default();
                };
                let t = &mut self.tunnels[ti];
                if t.icmp.len() < MAX_MESSAGES_PER_SA {
                    t.icmp.push(*e);
                }
                touched(ti)
            }
            Observed::Event(ev) => {
                let Some(ti) = self.tunnel(o.src.addr, o.dst.addr, o.time, frame) else {
                    return Touched::default();
                };
                let key = pair(o.src.addr, o.dst.addr);
                let sa = ev
                    .ike_sa
                    .and_then(|(v, i)| self.by_spi.get(&(key, v, i)))
                    .filter(|(t, _)| *t == ti)
                    .map(|&(_, s)| s);
                let t = &mut self.tunnels[ti];
                if t.events.len() < MAX_MESSAGES_PER_SA {
                    t.events.push(LoggedEvent {
                        ts: o.time,
                        source: o.source,
                        event: *ev,
                    });
                }
                Touched {
                    ike_sa: sa,
                    ..touched(ti)
                }
            }
        }
    }

    fn observe_ike(
        &mut self,
        ts: Timestamp,
        source: Source,
        src: Endpoint,
        dst: Endpoint,
        obs: IkeObservation,
    ) -> Touched {
        let Some(ti) = self.tunnel(src.addr, dst.addr, ts, source.frame()) else {
            return Touched::default();
        };
        let v2_initiator = obs.version == 2 && obs.flags & v2_flags::INITIATOR != 0;
        let key = (pair(src.addr, dst.addr), obs.version, obs.ispi);
        let known = self.by_spi.get(&key).copied().or_else(|| {
            // Other addresses, both SPIs the same: one SA seen through a NAT
            // that rewrote the addresses of a later message.
            (obs.rspi != 0)
                .then(|| {
                    self.by_spis
                        .get(&(obs.version, obs.ispi, obs.rspi))
                        .copied()
                })
                .flatten()
        });
        let (ti, si) = match known {
            Some(v) => v,
            None => {
                let t = &mut self.tunnels[ti];
                if t.ike_sas.len() >= MAX_SAS_PER_TUNNEL {
                    t.dropped_sas += 1;
                    return touched(ti);
                }
                if self.by_spi.len() >= MAX_IKE_SAS {
                    self.coverage.untracked_ike += 1;
                    return touched(ti);
                }
                // Who initiated: IKEv2 says it with the I flag; IKEv1's first
                // message has a zero responder cookie, otherwise the sender of
                // the first message seen is assumed.
                // An IKEv1 Main/Aggressive Mode message in clear with the
                // responder's cookie and an SA payload is MM2/AM2 (the SA
                // with the chosen transform): its sender is the responder,
                // even when the capture starts with it.
                let v1_answer = obs.version == 1
                    && obs.rspi != 0
                    && !obs.encrypted
                    && matches!(
                        ExchangeV1::from_u8(obs.exchange_type),
                        ExchangeV1::Main | ExchangeV1::Aggressive
                    )
                    && obs
                        .payload_types
                        .contains(&crate::registry::proto::payload_v1::SA);
                let sender_is_initiator = if obs.version == 2 {
                    v2_initiator
                } else {
                    !v1_answer
                };
                let (initiator, responder) = if sender_is_initiator {
                    (src, dst)
                } else {
                    (dst, src)
                };
                let mode = match (obs.version, ExchangeV1::from_u8(obs.exchange_type)) {
                    (2, _) => Mode::Ikev2,
                    (_, ExchangeV1::Main) => Mode::Main,
                    (_, ExchangeV1::Aggressive) => Mode::Aggressive,
                    _ => Mode::Unknown,
                };
                let start_seen = match obs.version {
                    2 => {
                        ExchangeV2::from_u8(obs.exchange_type) == ExchangeV2::IkeSaInit
                            && !obs.response
                    }
                    _ => mode != Mode::Unknown && obs.rspi == 0,
                };
                t.ike_sas.push(IkeSa {
                    version: obs.version,
                    ispi: obs.ispi,
                    rspi: obs.rspi,
                    initiator,
                    responder,
                    mode,
                    start_seen,
                    first: ts,
                    last: ts,
                    messages: Vec::new(),
                    dropped_messages: 0,
                    quick_modes: Vec::new(),
                    dropped_quick_modes: 0,
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
        if sa.rspi == 0 && obs.rspi != 0 {
            sa.rspi = obs.rspi;
        }
        if obs.rspi != 0 && obs.rspi == sa.rspi {
            self.by_spis
                .entry((obs.version, obs.ispi, obs.rspi))
                .or_insert((ti, si));
        }
        sa.last = ts;
        if sa.mode == Mode::Unknown && obs.version == 1 {
            match ExchangeV1::from_u8(obs.exchange_type) {
                ExchangeV1::Main => sa.mode = Mode::Main,
                ExchangeV1::Aggressive => sa.mode = Mode::Aggressive,
                _ => {}
            }
        }
        // Direction: by address (and for IKEv2 the I flag, robust to NAT).
        let dir = if obs.version == 2 {
            if v2_initiator {
                Dir::I2R
            } else {
                Dir::R2I
            }
        } else if src.addr == sa.initiator.addr && dst.addr == sa.responder.addr {
            Dir::I2R
        } else if src.addr == sa.responder.addr {
            Dir::R2I
        } else if dst.addr == sa.initiator.addr {
            // Addresses rewritten (NAT on the path of a later message).
            Dir::R2I
        } else {
            Dir::I2R
        };
        if let (Some(a), Some(b)) = (src.port, dst.port) {
            if a == 4500 || b == 4500 {
                sa.nat.floated = true;
            }
        }
        let frame = source.frame();
        if let Some(m) = &obs.malformed {
            if t.malformed.len() < MAX_MESSAGES_PER_SA {
                t.malformed.push((frame, m.clone()));
            }
        }
        if matches!(
            source,
            Source::Frame {
                capture: Origin::TextSummary,
                ..
            }
        ) {
            t.payloadless += 1;
        }
        let version = obs.version;
        let mut m = IkeMsg {
            frame,
            ts,
            source,
            src,
            dst,
            dir,
            step: obs.step.unwrap_or(Step::V1Other(obs.exchange_type)),
            copy: Copy::Original,
            twin: None,
            obs,
        };
        let sa = &mut t.ike_sas[si];
        match version {
            1 => v1::label(sa, &mut m),
            _ => v2::label(sa, &mut m),
        }
        natd::collect(sa, &m);
        let out = Touched {
            tunnel: Some(TunnelId(ti)),
            ike_sa: Some(si),
            step: Some(m.step),
            dir: Some(m.dir),
            copy: m.copy,
        };
        keep_message(sa, m);
        out
    }

    /// Count an ESP/AH packet on its SA, `found` by an earlier lookup
    /// (`None`: looked up again, and made when new).
    fn observe_sa_at(
        &mut self,
        found: Option<usize>,
        ts: Timestamp,
        frame: FrameNo,
        src: IpAddr,
        dst: IpAddr,
        p: SaPacket,
    ) -> Touched {
        let found = found.or_else(|| self.esp_sas.find(src, dst, p.spi, p.proto));
        let idx = match found {
            Some(i) => i,
            None => {
                if self.esp_sas.len() >= MAX_ESP_SAS {
                    self.coverage.untracked_esp += 1;
                    return Touched::default();
                }
                let Some(ti) = self.tunnel(src, dst, ts, frame) else {
                    return Touched::default();
                };
                let sa = esp::NewSa {
                    src,
                    dst,
                    spi: p.spi,
                    proto: p.proto,
                    udp: p.udp,
                    frame,
                    ts,
                };
                self.esp_sas.insert(ti, sa)
            }
        };
        match self
            .esp_sas
            .observe(idx, p.seq, p.ip_length as u64, frame, ts)
        {
            Some(ti) => touched(ti),
            None => Touched::default(),
        }
    }

    /// A live stream's bound on memory: forget the tunnels `drop_tunnel`
    /// names, and in the others the ESP/AH SAs last seen at or before
    /// `sas_quiet_since`, with every index that leads to them. The remaining tunnels keep their order and
    /// are numbered `0..len` again; the result gives each old id its new one
    /// (`None`: forgotten). A batch analysis never forgets.
    pub fn forget(
        &mut self,
        drop_tunnel: impl Fn(TunnelId) -> bool,
        sas_quiet_since: Option<Timestamp>,
    ) -> Vec<Option<TunnelId>> {
        let mut next = 0;
        let map: Vec<Option<usize>> = (0..self.tunnels.len())
            .map(|i| {
                (!drop_tunnel(TunnelId(i))).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        let mut old = map.iter();
        self.tunnels
            .retain(|_| old.next().is_some_and(|m| m.is_some()));
        let renumber = |t: &mut usize| match map.get(*t).copied().flatten() {
            Some(n) => {
                *t = n;
                true
            }
            None => false,
        };
        self.by_peers.retain(|_, t| renumber(t));
        self.by_spi.retain(|_, (t, _)| renumber(t));
        self.by_spis.retain(|_, (t, _)| renumber(t));
        self.esp_sas.retain(|t, last| {
            let quiet = sas_quiet_since.is_some_and(|q| last <= q);
            map.get(t).copied().flatten().filter(|_| !quiet)
        });
        map.into_iter().map(|m| m.map(TunnelId)).collect()
    }

    /// How many ESP/AH SAs are tracked.
    pub fn esp_sa_count(&self) -> usize {
        self.esp_sas.len()
    }

    /// When each ESP/AH SA was last seen.
    pub fn esp_sa_lasts(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.esp_sas.lasts()
    }

    /// The tunnel an IKE SA between two peers belongs to, if tracked.
    pub fn tunnel_of(&self, peers: [IpAddr; 2], version: u8, ispi: u64) -> Option<TunnelId> {
        self.by_spi
            .get(&(pair(peers[0], peers[1]), version, ispi))
            .map(|&(t, _)| TunnelId(t))
    }

    /// The tunnel as it stands now, complete (ESP SAs attached, NAT-D
    /// resolved), without disturbing tracking.
    pub fn snapshot(&self, id: TunnelId) -> Option<Tunnel> {
        let mut t = self.tunnels.get(id.0)?.clone();
        assemble(&mut t, self.esp_sas.of_tunnel(id.0));
        Some(t)
    }

    /// End of input: every tunnel, complete, in order of first appearance.
    pub fn finish(mut self) -> Vec<Tunnel> {
        let mut per: Vec<Vec<EspSa>> = vec![Vec::new(); self.tunnels.len()];
        for (ti, e) in self.esp_sas.iter() {
            if let Some(v) = per.get_mut(ti) {
                v.push(e);
            }
        }
        for (t, esp) in self.tunnels.iter_mut().zip(per) {
            assemble(t, esp.into_iter());
        }
        self.tunnels
    }
}

/// Whether a kept message is evidence to keep over plain ones when the list
/// is full: it carries an error notify or a Delete.
fn weighty(m: &IkeMsg) -> bool {
    m.error_notifies().next().is_some() || !m.deletes.is_empty()
}

/// Add a message to its SA within [`MAX_MESSAGES_PER_SA`]: past it, the
/// oldest plain message after the first [`KEEP_FIRST_MESSAGES`] makes room
/// (the oldest of any kind when all are weighty), so the list always ends
/// with the latest messages. Every message left out is counted.
fn keep_message(sa: &mut IkeSa, m: IkeMsg) {
    if sa.messages.len() >= MAX_MESSAGES_PER_SA {
        let tail = KEEP_FIRST_MESSAGES.min(sa.messages.len() - 1);
        let out = sa.messages[tail..]
            .iter()
            .position(|p| !weighty(p))
            .unwrap_or(0);
        sa.messages.remove(tail + out);
        sa.dropped_messages += 1;
    }
    sa.messages.push(m);
}

fn touched(ti: usize) -> Touched {
    Touched {
        tunnel: Some(TunnelId(ti)),
        ..Touched::default()
    }
}

/// Attach a tunnel's ESP SAs and resolve its NAT-D evidence.
fn assemble(t: &mut Tunnel, esp: impl Iterator<Item = EspSa>) {
    for e in esp {
        if e.first < t.first {
            t.first = e.first;
        }
        if e.last > t.last {
            t.last = e.last;
        }
        t.esp.push(e);
    }
    for sa in &mut t.ike_sas {
        natd::resolve(sa);
    }
}

/// Whether `m` is another copy of a message already in `sa`: the same
/// bytes (or, for sources without bytes, the same exchange, message ID,
/// direction and named step) sent again. Returns the copy kind and the
/// step of the original.
pub(super) fn copy_of(sa: &IkeSa, m: &IkeMsg) -> Option<(Copy, Step)> {
    let same = |p: &IkeMsg| {
        p.dir == m.dir
            && match (p.fingerprint, m.fingerprint) {
                (Some(a), Some(b)) => a == b,
                (None, None) => {
                    m.obs.step.is_some()
                        && p.obs.step == m.obs.step
                        && p.exchange_type == m.exchange_type
                        && p.message_id == m.message_id
                        && p.response == m.response
                }
                _ => false,
            }
    };
    let prev = sa.messages.iter().rev().find(|p| same(p))?;
    // The same packet again in the next frame or so, within a millisecond,
    // was captured twice, not resent. Only with real, distinct time stamps:
    // console dumps without times (or zeroed ones) say nothing about the gap.
    let wire = matches!(
        m.source,
        Source::Frame {
            capture: Origin::Wire,
            ..
        }
    );
    if wire
        && m.ts > prev.ts
        && m.ts.since(prev.ts) < super::step::DUPLICATE_SECS
        && m.frame <= prev.frame + 2
    {
        let of = prev.copy.duplicate_of().unwrap_or(prev.frame);
        return Some((Copy::CaptureDuplicateOf(of), prev.step));
    }
    let orig = sa
        .messages
        .iter()
        .find(|p| same(p) && p.copy.duplicate_of().is_none())
        .unwrap_or(prev);
    let of = orig.retransmit_of().unwrap_or(orig.frame);
    Some((Copy::RetransmissionOf(of), orig.step))
}
