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
}

impl Decrypt {
    pub fn new(keys: Arc<KeyTables>) -> Self {
        Decrypt {
            ike: Decryptor::new(Arc::clone(&keys)),
            keys,
            esp: HashMap::new(),
            flows_dropped: 0,
        }
    }

    pub fn keys(&self) -> &KeyTables {
        &self.keys
    }

    /// Decrypt the packet if a key applies to it.
    pub fn packet(&mut self, d: &Datagram<'_>, c: &Content<'_>) -> Option<Plain> {
        match c {
            Content::Ike(_) => Some(match self.ike.message(ike_bytes(d))? {
                Outcome::Decrypted(x) => Plain::Ike(x),
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
                Some(match espd::decrypt(sa, data) {
                    Ok(p) => {
                        let inner = espd::inner(&p);
                        stats.decrypted += 1;
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
