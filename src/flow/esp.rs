//! ESP/AH SA statistics: packets, bytes, time span, and sequence analysis
//! (gaps = lost, repeats = replayed or duplicated, out-of-order), RFC 4303
//! §3.3.3 sequence numbers with a 128-packet window.

use std::net::IpAddr;

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
