//! Decryption with key tables, between the wire and the tracker.
//!
//! [`Decrypt`] holds the keys and the per-SA decryption state of one
//! capture. For each IKE datagram it returns what decryption made of it
//! ([`Plain`]); an encrypted message that was read becomes one observation
//! whose payloads have [`Visibility::Decrypted`] ([`observation`]), so the
//! tracker sees one message per frame, with its contents. ESP packets are
//! decrypted for their inner traffic, which is summarised per SA
//! ([`Decrypt::esp_summary`]). Nothing here runs when no keys are given:
//! the pipeline holds no `Decrypt` then.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;

use super::adapt;
use super::observation::{Observation, Observed, Visibility};
use super::packet::{ike_bytes, Content};
use crate::esp::decrypt::{self as espd, Inner};
use crate::ike::decrypt::{Decrypted, Decryptor, Outcome};
use crate::ike::Message;
use crate::keys::{KeyTables, Origin};
use crate::net::{Datagram, Payload};

/// What decryption made of one packet.
#[derive(Debug, Clone)]
pub enum Plain {
    /// An encrypted IKE message, read.
    Ike(Decrypted),
    /// An IKE fragment, decrypted or kept until its message is whole.
    IkeFragment { number: u16, total: Option<u16> },
    /// An ESP packet, read: what it carries.
    Esp { inner: Inner, key: Origin },
    /// A key applies but the packet could not be read.
    Failed {
        proto: &'static str,
        error: String,
        key: Origin,
    },
}

/// Inner flows of one ESP SA: (src, dst, protocol, destination port or
/// ICMP type) → packets.
pub type InnerFlows = BTreeMap<(Option<IpAddr>, Option<IpAddr>, u8, Option<u16>), u64>;

/// ESP decryption counts for one SA (by outer addresses and SPI).
#[derive(Debug, Clone, Default)]
pub struct EspInner {
    pub decrypted: u64,
    pub failed: u64,
    pub first_error: Option<String>,
    pub flows: InnerFlows,
    /// The selectors negotiated for this SPI, when the decrypted IKE
    /// exchange that created it was seen: (inner sources, inner destinations).
    pub selectors: Option<(Vec<AddrRange>, Vec<AddrRange>)>,
    /// Tunnel-mode packets whose inner addresses fall outside them, and
    /// the first one (frame, source, destination).
    pub outside: u64,
    pub first_outside: Option<(u64, IpAddr, IpAddr)>,
    /// Frames of the first [`MAX_OUTSIDE_FRAMES`] of them.
    pub outside_frames: Vec<u64>,
}

/// Frames kept per SA of packets outside the negotiated selectors.
pub const MAX_OUTSIDE_FRAMES: usize = 8;

/// ESP packets of one SA whose decrypted inner addresses fall outside the
/// selectors its IKE exchange negotiated (what an ASA drops with syslog
/// 402116), for the tunnel between `src` and `dst`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectorViolation {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub spi: u32,
    /// Packets outside, of `decrypted` read.
    pub outside: u64,
    pub decrypted: u64,
    /// The first one: inner source and destination.
    pub first: (u64, IpAddr, IpAddr),
    /// The first [`MAX_OUTSIDE_FRAMES`] frames (`outside` counts them all).
    pub frames: Vec<u64>,
    /// The negotiated selectors: inner sources, inner destinations.
    pub sources: Vec<AddrRange>,
    pub destinations: Vec<AddrRange>,
}

/// Hand each tunnel the selector violations of its ESP SAs.
pub fn attach_violations(tunnels: &mut [super::Tunnel], v: &[SelectorViolation]) {
    for t in tunnels {
        t.selector_violations.extend(
            v.iter()
                .filter(|x| t.peers.contains(&x.src) && t.peers.contains(&x.dst))
                .cloned(),
        );
    }
}

/// An inclusive address range from a proxy identity or traffic selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AddrRange {
    pub start: IpAddr,
    pub end: IpAddr,
}

fn wide(a: IpAddr) -> (bool, u128) {
    match a {
        IpAddr::V4(v) => (false, u128::from(u32::from(v))),
        IpAddr::V6(v) => (true, u128::from(v)),
    }
}

impl AddrRange {
    pub fn contains(&self, a: IpAddr) -> bool {
        let ((f1, s), (f2, e), (f3, x)) = (wide(self.start), wide(self.end), wide(a));
        f1 == f3 && f2 == f3 && s <= x && x <= e
    }
}

impl std::fmt::Display for AddrRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// IKEv1 proxy identity (RFC 2407 §4.6.2) as an address range.
fn v1_range(id: &crate::ike::Id<'_>) -> Option<AddrRange> {
    use crate::registry::ikev1::id_type as t;
    let d = id.data;
    let v4 = |b: &[u8]| -> Option<u32> { Some(u32::from_be_bytes(b.get(..4)?.try_into().ok()?)) };
    let v6 =
        |b: &[u8]| -> Option<u128> { Some(u128::from_be_bytes(b.get(..16)?.try_into().ok()?)) };
    let r4 = |s: u32, e: u32| AddrRange {
        start: IpAddr::V4(s.into()),
        end: IpAddr::V4(e.into()),
    };
    let r6 = |s: u128, e: u128| AddrRange {
        start: IpAddr::V6(s.into()),
        end: IpAddr::V6(e.into()),
    };
    Some(match id.id_type {
        t::IPV4_ADDR => r4(v4(d)?, v4(d)?),
        t::IPV4_ADDR_SUBNET => {
            let (a, m) = (v4(d)?, v4(d.get(4..)?)?);
            r4(a & m, (a & m) | !m)
        }
        t::IPV4_ADDR_RANGE => r4(v4(d)?, v4(d.get(4..)?)?),
        t::IPV6_ADDR => r6(v6(d)?, v6(d)?),
        t::IPV6_ADDR_SUBNET => {
            let (a, m) = (v6(d)?, v6(d.get(16..)?)?);
            r6(a & m, (a & m) | !m)
        }
        t::IPV6_ADDR_RANGE => r6(v6(d)?, v6(d.get(16..)?)?),
        _ => return None,
    })
}

/// One proxy identity / traffic selector, as a crypto-ACL line needs it:
/// addresses, IP protocol (0 = any) and port range (0-65535 = any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Selector {
    pub start: IpAddr,
    pub end: IpAddr,
    pub protocol: u8,
    pub ports: (u16, u16),
}

/// The selectors of a child-SA message: the initiator's side (IKEv1 IDci,
/// IKEv2 TSi) and the responder's (IDcr, TSr), RFC 2409 §5.5 / RFC 7296
/// §3.13. Quick Mode without IDci/IDcr stands for the peers' own
/// addresses; then nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Selectors {
    pub initiator: Vec<Selector>,
    pub responder: Vec<Selector>,
}

impl Selector {
    pub fn range(&self) -> AddrRange {
        AddrRange {
            start: self.start,
            end: self.end,
        }
    }
}

/// The selectors a decrypted child-SA message carries (IKEv1 Quick Mode
/// IDci/IDcr, IKEv2 TSi/TSr), with protocol and ports.
pub fn message_selectors(m: &Message<'_>) -> Option<Selectors> {
    use crate::ike::Body;
    if m.header.version == 1 {
        let ids: Vec<Selector> = m
            .payloads
            .iter()
            .filter_map(|p| match &p.body {
                Body::Id(id) => {
                    let r = v1_range(id)?;
                    let ports = if id.port == 0 {
                        (0, u16::MAX)
                    } else {
                        (id.port, id.port)
                    };
                    Some(Selector {
                        start: r.start,
                        end: r.end,
                        protocol: id.protocol,
                        ports,
                    })
                }
                _ => None,
            })
            .collect();
        return match ids.as_slice() {
            [i, r] => Some(Selectors {
                initiator: vec![*i],
                responder: vec![*r],
            }),
            _ => None,
        };
    }
    let mut ts = m.payloads.iter().filter_map(|p| match &p.body {
        Body::Ts(t) => Some(
            t.selectors
                .iter()
                .filter_map(|s| {
                    Some(Selector {
                        start: s.start_addr.parse().ok()?,
                        end: s.end_addr.parse().ok()?,
                        protocol: s.ip_protocol,
                        ports: (s.start_port, s.end_port),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        _ => None,
    });
    Some(Selectors {
        initiator: ts.next()?,
        responder: ts.next()?,
    })
}

/// The ESP SPI a decrypted child-SA message proposes (4 bytes, protocol 3).
fn esp_spi(m: &Message<'_>) -> Option<u32> {
    const ESP: u8 = 3;
    let p = m.sa()?.proposals.iter().find(|p| p.protocol_id == ESP)?;
    Some(u32::from_be_bytes(p.spi.try_into().ok()?))
}

/// (initiator side, responder side) address ranges of a child-SA message.
fn selectors_of(m: &Message<'_>) -> Option<(Vec<AddrRange>, Vec<AddrRange>)> {
    let s = message_selectors(m)?;
    let r = |v: &[Selector]| v.iter().map(Selector::range).collect::<Vec<_>>();
    Some((r(&s.initiator), r(&s.responder)))
}

/// What a child-SA request left to pair with its response.
#[derive(Debug, Clone)]
struct ChildRequest {
    spi: Option<u32>,
    selectors: Option<(Vec<AddrRange>, Vec<AddrRange>)>,
}

/// Inner flows kept per SA (the busiest are shown; the rest are counted).
pub const MAX_INNER_FLOWS: usize = 1024;

/// Decryption state for one capture.
pub struct Decrypt {
    keys: Arc<KeyTables>,
    ike: Decryptor,
    esp: HashMap<(IpAddr, IpAddr, u32), EspInner>,
    /// Inner flows not kept because an SA already had [`MAX_INNER_FLOWS`].
    pub flows_dropped: u64,
    /// Child-SA requests by (IKE SA, message ID), and the selectors each
    /// ESP SPI was negotiated with: (inner sources, inner destinations).
    requests: HashMap<(u64, u32), ChildRequest>,
    selectors: HashMap<u32, (Vec<AddrRange>, Vec<AddrRange>)>,
}

impl Decrypt {
    pub fn new(keys: Arc<KeyTables>) -> Self {
        Decrypt {
            ike: Decryptor::new(Arc::clone(&keys)),
            keys,
            esp: HashMap::new(),
            flows_dropped: 0,
            requests: HashMap::new(),
            selectors: HashMap::new(),
        }
    }

    /// Learn the SPIs and selectors of child SAs from a decrypted Quick
    /// Mode / IKE_AUTH / CREATE_CHILD_SA message: the first message of an
    /// exchange is the request, the next one with an SA its response. The
    /// response's selectors (narrowed) apply; ESP to the responder uses the
    /// responder's SPI (sources in the initiator's selector), ESP to the
    /// requester the requester's SPI.
    fn learn(&mut self, m: &Message<'_>) {
        const QUICK: u8 = 32;
        let h = &m.header;
        let child = if h.version == 1 {
            h.exchange_type == QUICK
        } else {
            m.sa().is_some()
        };
        if !child || self.selectors.len() >= MAX_INNER_FLOWS {
            return;
        }
        let key = (h.ispi, h.message_id);
        let spi = esp_spi(m);
        let sel = selectors_of(m);
        let is_response = if h.version == 2 {
            h.v2_response()
        } else {
            self.requests.contains_key(&key)
        };
        if !is_response {
            self.requests.insert(
                key,
                ChildRequest {
                    spi,
                    selectors: sel,
                },
            );
            return;
        }
        let Some(req) = self.requests.get(&key).cloned() else {
            return;
        };
        let Some((i, r)) = sel.or(req.selectors) else {
            return;
        };
        if let Some(s) = spi {
            self.selectors.insert(s, (i.clone(), r.clone()));
        }
        if let Some(s) = req.spi {
            self.selectors.insert(s, (r, i));
        }
    }

    pub fn keys(&self) -> &KeyTables {
        &self.keys
    }

    /// Decrypt the packet if a key applies to it.
    pub fn packet(&mut self, d: &Datagram<'_>, c: &Content<'_>) -> Option<Plain> {
        match c {
            Content::Ike(_) => Some(match self.ike.message(ike_bytes(d))? {
                Outcome::Decrypted(x) => {
                    if let Ok(m) = x.parse() {
                        self.learn(&m);
                    }
                    Plain::Ike(x)
                }
                Outcome::Fragment { number, total } => Plain::IkeFragment { number, total },
                Outcome::Failed { error, key } => Plain::Failed {
                    proto: "IKE",
                    error: error.to_string(),
                    key,
                },
            }),
            Content::Esp { esp, .. } => {
                let Payload::Esp { data, .. } = &d.payload else {
                    return None;
                };
                let sa = self.keys.esp_sa(d.src, d.dst, esp.spi)?;
                let key = sa.origin.clone();
                let stats = self.esp.entry((d.src, d.dst, esp.spi)).or_default();
                if stats.selectors.is_none() {
                    stats.selectors = self.selectors.get(&esp.spi).cloned();
                }
                Some(match espd::decrypt(sa, data) {
                    Ok(p) => {
                        let inner = espd::inner(&p);
                        stats.decrypted += 1;
                        if let (Some((srcs, dsts)), Some(a), Some(b)) =
                            (&stats.selectors, inner.src, inner.dst)
                        {
                            let inside = srcs.iter().any(|r| r.contains(a))
                                && dsts.iter().any(|r| r.contains(b));
                            if !inside {
                                stats.outside += 1;
                                stats.first_outside.get_or_insert((d.frame, a, b));
                                if stats.outside_frames.len() < MAX_OUTSIDE_FRAMES {
                                    stats.outside_frames.push(d.frame);
                                }
                            }
                        }
                        let port = inner.dport.or(inner.icmp.map(|(t, _)| u16::from(t)));
                        let k = (inner.src, inner.dst, inner.protocol, port);
                        if stats.flows.len() < MAX_INNER_FLOWS || stats.flows.contains_key(&k) {
                            *stats.flows.entry(k).or_default() += 1;
                        } else {
                            self.flows_dropped += 1;
                        }
                        Plain::Esp { inner, key }
                    }
                    Err(e) => {
                        stats.failed += 1;
                        stats.first_error.get_or_insert_with(|| e.to_string());
                        Plain::Failed {
                            proto: "ESP",
                            error: e.to_string(),
                            key,
                        }
                    }
                })
            }
            _ => None,
        }
    }

    /// ESP SAs with packets outside their negotiated selectors.
    pub fn violations(&self) -> Vec<SelectorViolation> {
        self.esp_summary()
            .into_iter()
            .filter_map(|((src, dst, spi), e)| {
                let (sources, destinations) = e.selectors.clone()?;
                Some(SelectorViolation {
                    src,
                    dst,
                    spi,
                    outside: e.outside,
                    decrypted: e.decrypted,
                    first: e.first_outside?,
                    frames: e.outside_frames.clone(),
                    sources,
                    destinations,
                })
            })
            .collect()
    }

    /// Per ESP SA (outer source, destination, SPI), in order.
    pub fn esp_summary(&self) -> Vec<((IpAddr, IpAddr, u32), &EspInner)> {
        let mut v: Vec<_> = self.esp.iter().map(|(k, s)| (*k, s)).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }
}

/// The observation of an encrypted IKE message read with keys: the wire
/// observation (header, size, fingerprint of the ciphertext, so copies are
/// still told apart) with the decrypted contents, each marked decrypted.
pub fn observation(d: &Datagram<'_>, c: &Content<'_>, plain: &Message<'_>) -> Observation {
    let mut obs = adapt::observation(d, c);
    if let Observed::Ike(ike) = &mut obs.what {
        let inner = adapt::ike_observation(d, plain, ike_bytes(d));
        ike.body = Visibility::Decrypted;
        ike.payload_types = inner.payload_types;
        ike.notifies = inner.notifies;
        ike.deletes = inner.deletes;
        ike.ids = inner.ids;
        ike.selectors = message_selectors(plain).map(Box::new);
        for n in &mut ike.notifies {
            n.visibility = Visibility::Decrypted;
        }
        for x in &mut ike.deletes {
            x.visibility = Visibility::Decrypted;
        }
        for x in &mut ike.ids {
            x.visibility = Visibility::Decrypted;
        }
        if inner.offer.is_some() {
            ike.offer = inner.offer;
        }
        ike.ke_group = ike.ke_group.or(inner.ke_group);
        ike.ke_length = ike.ke_length.or(inner.ke_length);
        ike.auth_method = ike.auth_method.or(inner.auth_method);
        if ike.nat_detection.is_none() {
            ike.nat_detection = inner.nat_detection;
        }
    }
    obs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_from_proxy_identities() {
        use crate::ike::Id;
        let id = |t, data: &'static [u8]| Id {
            id_type: t,
            id_type_name: None,
            protocol: 0,
            port: 0,
            value: String::new(),
            data,
        };
        let r = v1_range(&id(4, &[192, 0, 2, 130, 255, 255, 255, 128])).unwrap();
        assert_eq!(r.to_string(), "192.0.2.128-192.0.2.255");
        assert!(r.contains("192.0.2.200".parse().unwrap()));
        assert!(!r.contains("192.0.2.1".parse().unwrap()));
        assert!(!r.contains("::1".parse().unwrap()));
        let one = v1_range(&id(1, &[10, 0, 0, 1])).unwrap();
        assert_eq!(one.to_string(), "10.0.0.1");
        assert!(v1_range(&id(2, b"vpn.example")).is_none());
        assert!(v1_range(&id(4, &[10, 0])).is_none());
    }
}
