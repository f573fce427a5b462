//! Adapters from decoded datagrams to [`Observation`]s: a parsed IKE message
//! (clear, or a decrypted copy the device exported), an ESP/AH header, a
//! NAT-T keepalive, a console summary line without bytes, or an undecodable
//! packet.

use super::observation::{
    IkeObservation, Observation, Observed, PacketProto, SaPacket, SeenDelete, SeenId, SeenNotify,
    Source, Visibility,
};
use super::packet::{ike_bytes, payload_absent, Content};
use super::{natd, Endpoint, EspProto, Offer, V1Transform, V2Proposal};
use crate::ike::{self, Body, Message};
use crate::net::{Datagram, Payload};

/// FNV-1a over the message bytes: equal bytes ⇒ the same message.
fn fnv64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn endpoints(d: &Datagram<'_>) -> (Endpoint, Endpoint) {
    (
        Endpoint {
            addr: d.src,
            port: d.sport,
        },
        Endpoint {
            addr: d.dst,
            port: d.dport,
        },
    )
}

/// The ESP/AH header a datagram carries, if any.
pub fn sa_packet(d: &Datagram<'_>, c: &Content<'_>) -> Option<SaPacket> {
    match c {
        Content::Esp { esp, udp } => Some(SaPacket {
            spi: esp.spi,
            seq: esp.seq,
            proto: EspProto::Esp,
            udp: *udp,
            ip_length: d.ip_length,
        }),
        Content::Ah(a) => Some(SaPacket {
            spi: a.spi,
            seq: a.seq,
            proto: EspProto::Ah,
            udp: false,
            ip_length: d.ip_length,
        }),
        _ => None,
    }
}

/// The observation a classified datagram makes.
pub fn observation(d: &Datagram<'_>, c: &Content<'_>) -> Observation {
    let (src, dst) = endpoints(d);
    let what = match c {
        Content::Ike(m) => Observed::Ike(Box::new(ike_observation(d, m, ike_bytes(d)))),
        Content::Esp { .. } | Content::Ah(_) => match sa_packet(d, c) {
            Some(p) => Observed::Sa(p),
            None => Observed::Malformed("no ESP/AH header".to_string()),
        },
        Content::Keepalive => Observed::Keepalive,
        _ if payload_absent(d, c) => Observed::Payloadless {
            proto: match d.payload {
                Payload::Ike { .. } => PacketProto::Isakmp,
                Payload::Ah(_) => PacketProto::Ah,
                _ => PacketProto::Esp,
            },
            length: d.ip_length,
        },
        Content::NotIke(e) => Observed::Malformed(e.to_string()),
        Content::Short { proto, have } => {
            Observed::Malformed(format!("{proto} header truncated: {have} bytes"))
        }
    };
    Observation {
        time: d.ts,
        source: Source::Frame {
            number: d.frame,
            capture: d.origin,
        },
        src,
        dst,
        what,
    }
}

/// The observation an ICMP error quoting an IPsec packet makes.
pub fn icmp_observation(e: &crate::net::IcmpError) -> Observation {
    Observation {
        time: e.ts,
        source: Source::Frame {
            number: e.frame,
            capture: crate::capture::Origin::Wire,
        },
        src: Endpoint {
            addr: e.quoted_src,
            port: e.quoted_sport,
        },
        dst: Endpoint {
            addr: e.quoted_dst,
            port: e.quoted_dport,
        },
        what: Observed::Icmp(Box::new(e.clone())),
    }
}

/// The observation of a parsed IKE message (`raw`: its bytes, after any
/// non-ESP marker).
pub fn ike_observation(d: &Datagram<'_>, msg: &Message<'_>, raw: &[u8]) -> IkeObservation {
    let h = &msg.header;
    let encrypted = h.encrypted && !msg.decrypted_copy;
    // What the payload list shows: a decrypted copy shows the inside; an
    // encrypted IKEv1 body shows nothing; IKEv2 shows its clear payloads
    // and an opaque SK payload.
    let seen = if msg.decrypted_copy {
        Visibility::Decrypted
    } else if h.encrypted && h.version == 1 {
        Visibility::Opaque
    } else {
        Visibility::Clear
    };
    let mut m = IkeObservation {
        version: h.version,
        ispi: h.ispi,
        rspi: h.rspi,
        exchange_type: h.exchange_type,
        message_id: h.message_id,
        flags: h.flags,
        length: h.length,
        encrypted,
        decrypted_copy: msg.decrypted_copy,
        response: h.v2_response(),
        step: None,
        body: seen,
        payload_types: msg.payloads.iter().map(|p| p.ptype).collect(),
        fragments: d.fragments.clone(),
        malformed: msg.malformed.as_ref().map(|e| e.to_string()),
        truncated: d.truncated,
        fingerprint: Some(fnv64(raw)),
        nat_detection: natd::material_of(msg),
        ..Default::default()
    };
    if h.version == 1 && encrypted {
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
                visibility: seen,
                data: n.data.to_vec(),
            }),
            Body::Ke(k) => {
                m.ke_group = k.group;
                m.ke_length = Some(k.data_length);
            }
            Body::Sa(sa) => {
                let offer = offer_of(h.version, sa);
                if let Offer::V1(t) = &offer {
                    m.auth_method = t.iter().find_map(|t| t.auth_method);
                }
                m.offer = Some(offer);
            }
            Body::Id(id) => m.ids.push(SeenId {
                value: id.value.clone(),
                visibility: seen,
            }),
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
            Body::Delete(del) => m.deletes.push(SeenDelete {
                protocol_id: del.protocol_id,
                spis: del.spis.iter().map(hex::encode).collect(),
                visibility: seen,
            }),
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
    pub const IPSEC_LIFE_TYPE: u16 = 1;
    pub const IPSEC_LIFE_DURATION: u16 = 2;
    pub const IPSEC_GROUP: u16 = 3;
    pub const IPSEC_AUTH: u16 = 5;
    pub const IPSEC_KEY_LENGTH: u16 = 6;
}

/// IKEv2 transform types (RFC 7296 §3.3.2) and the Key Length attribute.
mod v2_transform {
    pub const ENCR: u8 = 1;
    pub const PRF: u8 = 2;
    pub const INTEG: u8 = 3;
    pub const DH: u8 = 4;
    pub const KEY_LENGTH_ATTR: u16 = 14;
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
                            v1_attr::IPSEC_LIFE_TYPE => life_secs = val == Some(1),
                            v1_attr::IPSEC_LIFE_DURATION if life_secs => v.life_seconds = val,
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
                    Some(v2_transform::ENCR) => {
                        let kl = t
                            .attributes
                            .iter()
                            .find(|a| a.attr_type == v2_transform::KEY_LENGTH_ATTR)
                            .and_then(|a| a.value)
                            .map(|x| x as u16);
                        v.encr.push((id, kl))
                    }
                    Some(v2_transform::PRF) => v.prf.push(id),
                    Some(v2_transform::INTEG) => v.integ.push(id),
                    Some(v2_transform::DH) => v.dh.push(id),
                    _ => {}
                }
            }
            out.push(v);
        }
        Offer::V2(out)
    }
}
