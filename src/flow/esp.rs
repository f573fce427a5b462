//! ESP/AH SA statistics: packets, bytes, time span, and sequence analysis
//! (gaps = lost, repeats = replayed or duplicated, out-of-order), RFC 4303
//! §3.3.3 sequence numbers with a 128-packet window.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Esp,
    Ah,
}

/// Sequence-number analysis of one SA.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeqStats {
    pub first_seq: u32,
    pub highest: u32,
    /// Sequence numbers skipped and never seen (within the window).
    pub lost: u64,
    /// Sequence numbers seen more than once.
    pub replayed: u64,
    /// Packets that arrived below the highest number seen.
    pub reordered: u64,
    #[serde(skip)]
    window: u128,
    #[serde(skip)]
    started: bool,
}

impl SeqStats {
    fn observe(&mut self, seq: u32) -> bool {
        if !self.started {
            self.started = true;
            self.first_seq = seq;
            self.highest = seq;
            self.window = 1;
            return false;
        }
        if seq > self.highest {
            let step = (seq - self.highest) as u64;
            self.lost += step - 1;
            self.window = if step >= 128 {
                1
            } else {
                (self.window << step) | 1
            };
            self.highest = seq;
            false
        } else {
            let back = (self.highest - seq) as u64;
            if back < 128 {
                let bit = 1u128 << back;
                if self.window & bit != 0 {
                    self.replayed += 1;
                    return true;
                }
                self.window |= bit;
                self.lost = self.lost.saturating_sub(1);
            }
            self.reordered += 1;
            false
        }
    }
}

/// One ESP or AH SA as seen on the wire (one direction).
#[derive(Debug, Clone, Serialize)]
pub struct EspSa {
    pub src: IpAddr,
    pub dst: IpAddr,
    #[serde(serialize_with = "crate::esp::ser_spi32")]
    pub spi: u32,
    pub proto: Proto,
    /// ESP inside UDP (RFC 3948).
    pub udp: bool,
    pub packets: u64,
    pub bytes: u64,
    pub first_frame: FrameNo,
    pub last_frame: FrameNo,
    pub first: Timestamp,
    pub last: Timestamp,
    pub seq: SeqStats,
    /// First frames that repeated a sequence number (evidence).
    pub replay_frames: Vec<FrameNo>,
    /// The sender uses this SPI towards several destinations (manual SAs,
    /// multicast): one sequence space spans them, so gaps here mean nothing.
    pub shared_sequence: bool,
    /// The most recent frames of this SA, for "after frame N" counts.
    #[serde(skip)]
    recent: [FrameNo; RECENT],
}

/// How many recent frames an SA remembers.
const RECENT: usize = 4;

impl EspSa {
    /// Packets of this SA after `frame`, counted over its last 4 packets
    /// (so at most 4: enough to tell "a few" from "none").
    pub fn packets_after(&self, frame: FrameNo) -> u64 {
        self.recent.iter().filter(|&&f| f > frame).count() as u64
    }

    pub(super) fn new(
        src: IpAddr,
        dst: IpAddr,
        spi: u32,
        proto: Proto,
        udp: bool,
        frame: FrameNo,
        ts: Timestamp,
    ) -> EspSa {
        EspSa {
            src,
            dst,
            spi,
            proto,
            udp,
            packets: 0,
            bytes: 0,
            first_frame: frame,
            last_frame: frame,
            first: ts,
            last: ts,
            seq: SeqStats::default(),
            replay_frames: Vec::new(),
            shared_sequence: false,
            recent: [0; RECENT],
        }
    }

    pub(super) fn observe(&mut self, seq: u32, ip_len: u64, frame: FrameNo, ts: Timestamp) {
        self.packets += 1;
        self.bytes += ip_len;
        self.recent[(self.packets as usize) % RECENT] = frame;
        self.last_frame = frame;
        self.last = ts;
        if self.seq.observe(seq) && self.replay_frames.len() < 8 {
            self.replay_frames.push(frame);
        }
    }
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Every ESP/AH SA of a capture, found from its SPI.
///
/// A busy capture holds thousands of SAs and sends most packets through
/// this lookup, so the index is keyed by the 32-bit SPI alone (8-byte
/// entries: 10,000 SAs take ~100 KiB and stay in cache) and the full key
/// (source, destination, SPI, protocol) is checked on the SA itself, which
/// the packet updates anyway. SAs whose SPI an earlier SA already uses
/// (another pair of peers, or ESP and AH) go to a second map with the full
/// key. The SA of the previous packet is tried first: packets of one SA
/// often come in bursts.
#[derive(Debug, Default, Clone)]
pub struct SaTable {
    sas: Vec<EspSa>,
    /// The tunnel of each SA (same index as `sas`).
    tunnels: Vec<u32>,
    /// SPI → the first SA that used it.
    by_spi: FastMap<u32, u32>,
    /// Full key → SA, for SPIs used by more than one SA.
    shared: FastMap<(IpAddr, IpAddr, u32, Proto), u32>,
    last: u32,
}

impl SaTable {
    /// The SA with this key, if seen before.
    #[inline]
    pub fn find(&mut self, src: IpAddr, dst: IpAddr, spi: u32, proto: Proto) -> Option<usize> {
        let is = |sa: &EspSa| sa.spi == spi && sa.proto == proto && sa.dst == dst && sa.src == src;
        let last = self.last as usize;
        if self.sas.get(last).is_some_and(is) {
            return Some(last);
        }
        let first = *self.by_spi.get(&spi)? as usize;
        let i = if self.sas.get(first).is_some_and(is) {
            first
        } else {
            *self.shared.get(&(src, dst, spi, proto))? as usize
        };
        self.last = i as u32;
        Some(i)
    }

    /// Add a new SA belonging to `tunnel`; returns its index.
    pub fn insert(&mut self, tunnel: usize, sa: EspSa) -> usize {
        let i = self.sas.len();
        let slot = i as u32;
        let key = (sa.src, sa.dst, sa.spi, sa.proto);
        if *self.by_spi.entry(sa.spi).or_insert(slot) != slot {
            self.shared.insert(key, slot);
        }
        self.sas.push(sa);
        self.tunnels.push(tunnel as u32);
        self.last = slot;
        i
    }

    /// Count one packet on SA `i`; returns the SA's tunnel.
    #[inline]
    pub fn observe(
        &mut self,
        i: usize,
        seq: u32,
        ip_len: u64,
        frame: FrameNo,
        ts: Timestamp,
    ) -> Option<usize> {
        let sa = self.sas.get_mut(i)?;
        sa.observe(seq, ip_len, frame, ts);
        self.tunnels.get(i).map(|&t| t as usize)
    }

    /// Every SA with its tunnel, in order of first appearance.
    /// Number of SAs tracked.
    pub fn len(&self) -> usize {
        self.sas.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &EspSa)> {
        self.tunnels.iter().map(|&t| t as usize).zip(&self.sas)
    }

    /// Hand every SA over with its tunnel.
    pub fn into_sas(self) -> impl Iterator<Item = (usize, EspSa)> {
        self.tunnels.into_iter().map(|t| t as usize).zip(self.sas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(src: &str, dst: &str, spi: u32, proto: Proto) -> EspSa {
        EspSa::new(
            src.parse().unwrap(),
            dst.parse().unwrap(),
            spi,
            proto,
            false,
            1,
            Timestamp::default(),
        )
    }

    #[test]
    fn table_tells_apart_sas_sharing_an_spi() {
        let mut t = SaTable::default();
        let keys = [
            ("192.0.2.1", "192.0.2.2", 7, Proto::Esp),
            ("192.0.2.1", "192.0.2.3", 7, Proto::Esp),
            ("192.0.2.1", "192.0.2.2", 7, Proto::Ah),
            ("2001:db8::1", "192.0.2.2", 7, Proto::Esp),
            ("192.0.2.2", "192.0.2.1", 8, Proto::Esp),
        ];
        for (n, &(s, d, spi, p)) in keys.iter().enumerate() {
            let (s, d) = (s.parse().unwrap(), d.parse().unwrap());
            assert_eq!(t.find(s, d, spi, p), None);
            assert_eq!(
                t.insert(n * 10, sa(&s.to_string(), &d.to_string(), spi, p)),
                n
            );
        }
        // Found again whatever was looked up last.
        for _ in 0..2 {
            for (n, &(s, d, spi, p)) in keys.iter().enumerate().rev() {
                let (s, d) = (s.parse().unwrap(), d.parse().unwrap());
                let i = t.find(s, d, spi, p);
                assert_eq!(i, Some(n));
                assert_eq!(t.observe(n, 1, 0, 2, Timestamp::default()), Some(n * 10));
            }
        }
        let unknown = "192.0.2.9".parse().unwrap();
        assert_eq!(t.find(unknown, unknown, 7, Proto::Esp), None);
        assert!(t.iter().all(|(_, e)| e.packets == 2));
        assert_eq!(t.into_sas().count(), keys.len());
    }

    #[test]
    fn gaps_repeats_and_reorder() {
        let mut s = SeqStats::default();
        for q in [1, 2, 3, 5, 6, 6, 4, 10] {
            s.observe(q);
        }
        // 7, 8, 9 missing; 4 came late; 6 twice.
        assert_eq!((s.lost, s.replayed, s.reordered), (3, 1, 1));
        assert_eq!(s.highest, 10);
    }
}
