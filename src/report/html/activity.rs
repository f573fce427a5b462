//! ESP/AH packets over time, per SA and direction, for the report's activity
//! chart. The tracker keeps totals per SA; the chart needs *when*, so this
//! collector sees every ESP/AH packet and counts it into a fixed number of
//! time bins. When a packet falls past the last bin, neighbouring bins are
//! merged and the bin width doubles: memory is `BINS` counters per SA
//! whatever the capture's length, and at most `MAX_SAS` SAs are charted (the
//! report says how many were left out).

use std::collections::HashMap;
use std::net::IpAddr;

use crate::capture::Timestamp;
use crate::flow::Content;
use crate::net::Datagram;

/// Time bins per SA.
pub const BINS: usize = 120;
/// SAs charted per capture; packets of further SAs are counted, not charted.
pub const MAX_SAS: usize = 4096;
/// The first bin width, in nanoseconds (1 ms).
const FIRST_WIDTH_NS: u64 = 1_000_000;

/// One direction of one ESP or AH SA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SaKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub spi: u32,
    pub ah: bool,
}

/// Packets per time bin, and sequence-number gaps opening in each bin.
#[derive(Debug, Clone)]
pub struct Series {
    pub packets: [u32; BINS],
    /// Sequence numbers skipped by a packet in this bin (a gap, not yet
    /// proof of loss: a late packet may fill it).
    pub gaps: [u32; BINS],
    highest: Option<u32>,
}

impl Series {
    fn new() -> Series {
        Series {
            packets: [0; BINS],
            gaps: [0; BINS],
            highest: None,
        }
    }

    fn halve(&mut self) {
        for i in 0..BINS / 2 {
            self.packets[i] = self.packets[2 * i].saturating_add(self.packets[2 * i + 1]);
            self.gaps[i] = self.gaps[2 * i].saturating_add(self.gaps[2 * i + 1]);
        }
        for i in BINS / 2..BINS {
            self.packets[i] = 0;
            self.gaps[i] = 0;
        }
    }
}

/// ESP/AH activity of one capture.
#[derive(Debug, Clone)]
pub struct Activity {
    start: Option<Timestamp>,
    width_ns: u64,
    series: HashMap<SaKey, Series>,
    /// Packets of SAs beyond [`MAX_SAS`], not charted.
    pub uncharted_packets: u64,
}

impl Default for Activity {
    fn default() -> Self {
        Activity::new()
    }
}

impl Activity {
    pub fn new() -> Activity {
        Activity {
            start: None,
            width_ns: FIRST_WIDTH_NS,
            series: HashMap::new(),
            uncharted_packets: 0,
        }
    }

    /// Count one datagram if it is ESP or AH. `first` is the capture's first
    /// time stamp: bins start there.
    pub fn observe(&mut self, d: &Datagram<'_>, c: &Content<'_>, first: Timestamp) {
        let (spi, seq, ah) = match c {
            Content::Esp { esp, .. } => (esp.spi, esp.seq, false),
            Content::Ah(a) => (a.spi, a.seq, true),
            _ => return,
        };
        let key = SaKey {
            src: d.src,
            dst: d.dst,
            spi,
            ah,
        };
        self.packet(key, d.ts, first, seq);
    }

    /// Count one ESP/AH packet.
    pub fn packet(&mut self, key: SaKey, ts: Timestamp, first: Timestamp, seq: u32) {
        let start = *self.start.get_or_insert(first);
        let off = ts.since(start).max(0.0);
        let off_ns = if off >= 9.0e18 * 1e-9 {
            u64::MAX
        } else {
            (off * 1e9) as u64
        };
        while off_ns / self.width_ns >= BINS as u64 && self.width_ns < u64::MAX / 4 {
            self.width_ns *= 2;
            for s in self.series.values_mut() {
                s.halve();
            }
        }
        let bin = ((off_ns / self.width_ns) as usize).min(BINS - 1);
        if !self.series.contains_key(&key) {
            if self.series.len() >= MAX_SAS {
                self.uncharted_packets += 1;
                return;
            }
            self.series.insert(key, Series::new());
        }
        if let Some(s) = self.series.get_mut(&key) {
            s.packets[bin] = s.packets[bin].saturating_add(1);
            match s.highest {
                Some(h) if seq > h => {
                    s.gaps[bin] = s.gaps[bin].saturating_add(seq - h - 1);
                    s.highest = Some(seq);
                }
                Some(_) => {}
                None => s.highest = Some(seq),
            }
        }
    }

    /// Width of one bin in seconds.
    pub fn bin_seconds(&self) -> f64 {
        self.width_ns as f64 * 1e-9
    }

    pub fn series(&self, key: &SaKey) -> Option<&Series> {
        self.series.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: f64) -> Timestamp {
        Timestamp {
            secs: s.floor() as i64,
            nanos: ((s - s.floor()) * 1e9) as u32,
        }
    }

    #[test]
    fn bins_widen_and_keep_totals() {
        let mut a = Activity::new();
        let k = SaKey {
            src: "10.0.0.1".parse().unwrap(),
            dst: "10.0.0.2".parse().unwrap(),
            spi: 7,
            ah: false,
        };
        let zero = ts(100.0);
        for i in 0..1000u32 {
            // One packet every 10 ms, with sequence 500 missing.
            if i != 500 {
                a.packet(k, ts(100.0 + i as f64 * 0.01), zero, i + 1);
            }
        }
        let s = a.series(&k).unwrap();
        assert_eq!(s.packets.iter().map(|&p| p as u64).sum::<u64>(), 999);
        assert_eq!(s.gaps.iter().map(|&p| p as u64).sum::<u64>(), 1);
        // 10 s over 120 bins: the width doubled from 1 ms to 128 ms.
        assert!((a.bin_seconds() - 0.128).abs() < 1e-9);
    }

    #[test]
    fn sa_cap_is_counted() {
        let mut a = Activity::new();
        let zero = ts(0.0);
        for spi in 0..(MAX_SAS as u32 + 3) {
            let k = SaKey {
                src: "10.0.0.1".parse().unwrap(),
                dst: "10.0.0.2".parse().unwrap(),
                spi,
                ah: false,
            };
            a.packet(k, ts(1.0), zero, 1);
        }
        assert_eq!(a.uncharted_packets, 3);
    }
}
