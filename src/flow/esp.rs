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
}

/// What one packet did to an SA's sequence space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeqEvent {
    /// The SA's first packet.
    First,
    /// In order; `gap` numbers were skipped.
    Ahead { gap: u64 },
    /// Below the highest number seen and not seen before; `filled` when it
    /// was within the window (so one skipped number turned up late).
    Late { filled: bool },
    /// A number already seen within the window.
    Repeat,
}

impl SeqStats {
    /// Count one event; true for a repeated number.
    #[inline]
    fn count(&mut self, seq: u32, event: SeqEvent) -> bool {
        match event {
            SeqEvent::First => self.first_seq = seq,
            SeqEvent::Ahead { gap } => self.lost += gap,
            SeqEvent::Late { filled } => {
                if filled {
                    self.lost = self.lost.saturating_sub(1);
                }
                self.reordered += 1;
            }
            SeqEvent::Repeat => {
                self.replayed += 1;
                return true;
            }
        }
        false
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

/// How many repeating frames an SA keeps as evidence.
const REPLAY_FRAMES: usize = 8;

impl EspSa {
    /// Packets of this SA after `frame`, counted over its last 4 packets
    /// (so at most 4: enough to tell "a few" from "none").
    pub fn packets_after(&self, frame: FrameNo) -> u64 {
        self.recent.iter().filter(|&&f| f > frame).count() as u64
    }
}

/// The fields every packet of an SA reads or writes, in two 64-byte cache
/// lines: the lookup key and counters in the first, the window, the last
/// time and the recent frames in the second. A capture with thousands of
/// SAs takes a cache miss on the SA for nearly every packet, so the fewer
/// lines a packet touches the faster the ESP path (everything else about
/// the SA is in [`Cold`], touched on its first packet and on anomalies).
#[repr(C, align(64))]
#[derive(Debug, Clone)]
struct Hot {
    spi: u32,
    last_nanos: u32,
    /// The highest sequence number seen.
    highest: u32,
    proto: Proto,
    src: IpAddr,
    dst: IpAddr,
    packets: u64,
    bytes: u64,
    /// RFC 4303 §3.4.3's sliding window over 128 sequence numbers: bit `n`
    /// set when `highest - n` was seen.
    window: u128,
    last_secs: i64,
    last_frame: FrameNo,
    /// The three frames before `last_frame`, oldest first (0: none).
    earlier: [FrameNo; RECENT - 1],
    /// The tunnel the SA belongs to (an index into the tracker's).
    tunnel: u32,
}

const _: () = assert!(std::mem::size_of::<Hot>() == 128);

impl Hot {
    fn last(&self) -> Timestamp {
        Timestamp {
            secs: self.last_secs,
            nanos: self.last_nanos,
        }
    }

    /// Move the window over `seq`, the SA's `first` packet or a later one.
    #[inline]
    fn sequence(&mut self, seq: u32, first: bool) -> SeqEvent {
        if first {
            self.highest = seq;
            self.window = 1;
            return SeqEvent::First;
        }
        if seq > self.highest {
            let step = seq - self.highest;
            self.window = if step >= 128 {
                1
            } else {
                (self.window << step) | 1
            };
            self.highest = seq;
            return SeqEvent::Ahead {
                gap: u64::from(step) - 1,
            };
        }
        let back = self.highest - seq;
        if back >= 128 {
            return SeqEvent::Late { filled: false };
        }
        let bit = 1u128 << back;
        if self.window & bit != 0 {
            return SeqEvent::Repeat;
        }
        self.window |= bit;
        SeqEvent::Late { filled: true }
    }
}

/// What an SA keeps beside [`Hot`].
#[derive(Debug, Clone)]
struct Cold {
    udp: bool,
    first_frame: FrameNo,
    first: Timestamp,
    seq: SeqStats,
    replay_frames: Vec<FrameNo>,
}

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Every ESP/AH SA of a capture, found from its SPI.
///
/// A busy capture holds thousands of SAs and sends most packets through
/// this lookup, so the index is keyed by the 32-bit SPI alone (8-byte
/// entries: 10,000 SAs take ~100 KiB and stay in cache) and the full key
/// (source, destination, SPI, protocol) is checked on the SA's [`Hot`]
/// record, which the packet updates anyway. SAs whose SPI an earlier SA
/// already uses (another pair of peers, or ESP and AH) go to a second map
/// with the full key. The SA of the previous packet is tried first: packets
/// of one SA often come in bursts.
#[derive(Debug, Default, Clone)]
pub struct SaTable {
    hot: Vec<Hot>,
    cold: Vec<Cold>,
    /// SPI → the first SA that used it.
    by_spi: FastMap<u32, u32>,
    /// Full key → SA, for SPIs used by more than one SA.
    shared: FastMap<(IpAddr, IpAddr, u32, Proto), u32>,
    /// (source, SPI, protocol) → how many SAs (destinations) use it: more
    /// than one is a shared sequence space ([`EspSa::shared_sequence`]).
    senders: FastMap<(IpAddr, u32, Proto), u32>,
    /// Tunnel → its SAs, in order of first appearance (a live view takes a
    /// tunnel's snapshot after each of its packets).
    by_tunnel: Vec<Vec<u32>>,
    last: u32,
}

/// What tells one SA from another.
#[derive(Debug, Clone, Copy)]
pub struct SaKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub spi: u32,
    pub proto: Proto,
}

impl SaKey {
    #[inline]
    fn is(&self, h: &Hot) -> bool {
        h.spi == self.spi && h.proto == self.proto && h.dst == self.dst && h.src == self.src
    }
}

/// A new SA's first sighting.
#[derive(Debug, Clone, Copy)]
pub struct NewSa {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub spi: u32,
    pub proto: Proto,
    pub udp: bool,
    pub frame: FrameNo,
    pub ts: Timestamp,
}

impl SaTable {
    /// The SA with this key, if seen before.
    #[inline]
    pub fn find(&mut self, src: IpAddr, dst: IpAddr, spi: u32, proto: Proto) -> Option<usize> {
        let key = SaKey {
            src,
            dst,
            spi,
            proto,
        };
        let is = |h: &Hot| key.is(h);
        let last = self.last as usize;
        if self.hot.get(last).is_some_and(is) {
            return Some(last);
        }
        let first = *self.by_spi.get(&spi)? as usize;
        let i = if self.hot.get(first).is_some_and(is) {
            first
        } else {
            *self.shared.get(&(src, dst, spi, proto))? as usize
        };
        self.last = i as u32;
        Some(i)
    }

    /// [`SaTable::find`] for several packets at once, into `found`: the
    /// index lookups first, then a load of each candidate SA's two cache
    /// lines, then the key checks. On a capture with thousands of SAs each
    /// packet's SA misses the cache; loads that do not wait on one another
    /// let those misses overlap instead of being paid one after another.
    /// (Safe code has no prefetch instruction; a load whose value goes
    /// nowhere does the same.)
    pub fn find_many<K: AsRef<SaKey>>(&mut self, keys: &[K], found: &mut [Option<usize>]) {
        let keys = keys.iter().map(AsRef::as_ref);
        for (f, k) in found.iter_mut().zip(keys.clone()) {
            *f = self.by_spi.get(&k.spi).map(|&i| i as usize);
        }
        for f in found.iter().take(keys.len()) {
            if let Some(h) = f.and_then(|i| self.hot.get(i)) {
                std::hint::black_box((h.spi, h.last_frame));
            }
        }
        for (f, k) in found.iter_mut().zip(keys) {
            let first = f.and_then(|i| self.hot.get(i));
            if !first.is_some_and(|h| k.is(h)) {
                *f = self.find(k.src, k.dst, k.spi, k.proto);
            }
        }
    }

    /// Add a new SA, with no packets yet, belonging to `tunnel`; returns its
    /// index.
    pub fn insert(&mut self, tunnel: usize, sa: NewSa) -> usize {
        let hot = Hot {
            spi: sa.spi,
            last_nanos: sa.ts.nanos,
            proto: sa.proto,
            src: sa.src,
            dst: sa.dst,
            highest: 0,
            packets: 0,
            bytes: 0,
            window: 0,
            last_secs: sa.ts.secs,
            last_frame: sa.frame,
            earlier: [0; RECENT - 1],
            tunnel: tunnel as u32,
        };
        let cold = Cold {
            udp: sa.udp,
            first_frame: sa.frame,
            first: sa.ts,
            seq: SeqStats::default(),
            replay_frames: Vec::new(),
        };
        let i = self.push(hot, cold);
        self.last = i as u32;
        i
    }

    /// Append an SA and enter it in every index; returns its index.
    fn push(&mut self, h: Hot, c: Cold) -> usize {
        let i = self.hot.len();
        let slot = i as u32;
        if *self.by_spi.entry(h.spi).or_insert(slot) != slot {
            self.shared.insert((h.src, h.dst, h.spi, h.proto), slot);
        }
        *self.senders.entry((h.src, h.spi, h.proto)).or_default() += 1;
        let tunnel = h.tunnel as usize;
        if self.by_tunnel.len() <= tunnel {
            self.by_tunnel.resize_with(tunnel + 1, Vec::new);
        }
        if let Some(v) = self.by_tunnel.get_mut(tunnel) {
            v.push(slot);
        }
        self.hot.push(h);
        self.cold.push(c);
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
        let h = self.hot.get_mut(i)?;
        let first = h.packets == 0;
        if !first {
            h.earlier = [h.earlier[1], h.earlier[2], h.last_frame];
        }
        h.packets += 1;
        h.bytes += ip_len;
        h.last_frame = frame;
        h.last_secs = ts.secs;
        h.last_nanos = ts.nanos;
        let event = h.sequence(seq, first);
        if event != (SeqEvent::Ahead { gap: 0 }) {
            if let Some(c) = self.cold.get_mut(i) {
                if c.seq.count(seq, event) && c.replay_frames.len() < REPLAY_FRAMES {
                    c.replay_frames.push(frame);
                }
            }
        }
        Some(h.tunnel as usize)
    }

    /// Number of SAs tracked.
    pub fn len(&self) -> usize {
        self.hot.len()
    }

    /// An SA as a whole.
    fn whole(&self, h: &Hot, c: &Cold) -> EspSa {
        let mut recent = [0; RECENT];
        if h.packets > 0 {
            recent[..RECENT - 1].copy_from_slice(&h.earlier);
            recent[RECENT - 1] = h.last_frame;
        }
        let mut seq = c.seq.clone();
        seq.highest = h.highest;
        EspSa {
            src: h.src,
            dst: h.dst,
            spi: h.spi,
            proto: h.proto,
            udp: c.udp,
            packets: h.packets,
            bytes: h.bytes,
            first_frame: c.first_frame,
            last_frame: h.last_frame,
            first: c.first,
            last: h.last(),
            seq,
            replay_frames: c.replay_frames.clone(),
            shared_sequence: self
                .senders
                .get(&(h.src, h.spi, h.proto))
                .is_some_and(|&n| n > 1),
            recent,
        }
    }

    /// Every SA with its tunnel, in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = (usize, EspSa)> + '_ {
        self.hot
            .iter()
            .zip(&self.cold)
            .map(|(h, c)| (h.tunnel as usize, self.whole(h, c)))
    }

    /// Every SA of one tunnel, in order of first appearance.
    pub fn of_tunnel(&self, tunnel: usize) -> impl Iterator<Item = EspSa> + '_ {
        self.by_tunnel
            .get(tunnel)
            .into_iter()
            .flatten()
            .filter_map(|&i| {
                Some(self.whole(self.hot.get(i as usize)?, self.cold.get(i as usize)?))
            })
    }

    /// When each SA was last seen, in order of first appearance.
    pub fn lasts(&self) -> impl Iterator<Item = Timestamp> + '_ {
        self.hot.iter().map(Hot::last)
    }

    /// Keep only the SAs `keep` accepts, given each one's tunnel and when
    /// it was last seen, under the new tunnel it returns (`None` drops the
    /// SA); the rest keep their order.
    pub fn retain(&mut self, mut keep: impl FnMut(usize, Timestamp) -> Option<usize>) {
        let old = std::mem::take(self);
        for (mut h, c) in old.hot.into_iter().zip(old.cold) {
            if let Some(n) = keep(h.tunnel as usize, h.last()) {
                h.tunnel = n as u32;
                self.push(h, c);
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    fn sa(src: &str, dst: &str, spi: u32, proto: Proto) -> NewSa {
        NewSa {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            spi,
            proto,
            udp: false,
            frame: 1,
            ts: Timestamp::default(),
        }
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
        assert_eq!(t.iter().count(), keys.len());
        // Dropping one SA and moving the others keeps every key findable.
        t.retain(|tunnel, _| (tunnel != 10).then_some(tunnel + 1));
        assert_eq!(t.len(), keys.len() - 1);
        assert_eq!(t.of_tunnel(11).count(), 0);
        for n in [0, 2, 3, 4] {
            let e: Vec<EspSa> = t.of_tunnel(n * 10 + 1).collect();
            assert_eq!(e.len(), 1, "tunnel {}", n * 10 + 1);
            assert_eq!(e[0].dst, keys[n].1.parse::<IpAddr>().unwrap());
        }
        for (n, &(s, d, spi, p)) in keys.iter().enumerate() {
            let (s, d): (IpAddr, IpAddr) = (s.parse().unwrap(), d.parse().unwrap());
            let i = t.find(s, d, spi, p);
            assert_eq!(i.is_some(), n != 1, "{s} {d}");
            if let Some(i) = i {
                assert_eq!(
                    t.observe(i, 2, 0, 3, Timestamp::default()),
                    Some(n * 10 + 1)
                );
            }
        }
    }

    #[test]
    fn one_spi_towards_several_destinations_is_a_shared_sequence() {
        let mut t = SaTable::default();
        t.insert(0, sa("192.0.2.1", "192.0.2.2", 7, Proto::Esp));
        t.insert(1, sa("192.0.2.1", "192.0.2.3", 7, Proto::Esp));
        t.insert(2, sa("192.0.2.1", "192.0.2.3", 7, Proto::Ah));
        t.insert(3, sa("192.0.2.9", "192.0.2.2", 7, Proto::Esp));
        let shared: Vec<bool> = t.iter().map(|(_, e)| e.shared_sequence).collect();
        assert_eq!(shared, [true, true, false, false]);
        assert!(t.of_tunnel(1).all(|e| e.shared_sequence));
        // Forgetting one of the two leaves the other alone in its space.
        t.retain(|tunnel, _| (tunnel != 0).then_some(tunnel));
        assert!(t.iter().all(|(_, e)| !e.shared_sequence));
    }

    /// Sequence numbers through one SA; returns its statistics.
    fn run(seqs: &[u32]) -> EspSa {
        let mut t = SaTable::default();
        let new = sa("192.0.2.1", "192.0.2.2", 9, Proto::Esp);
        let i = t.insert(0, new);
        for (n, &q) in seqs.iter().enumerate() {
            t.observe(i, q, 100, n as u64 + 10, Timestamp::default());
        }
        let e = t.iter().next().unwrap().1;
        e
    }

    #[test]
    fn gaps_repeats_and_reorder() {
        let e = run(&[1, 2, 3, 5, 6, 6, 4, 10]);
        // 7, 8, 9 missing; 4 came late; 6 twice (in frame 15).
        let s = &e.seq;
        assert_eq!((s.lost, s.replayed, s.reordered), (3, 1, 1));
        assert_eq!((s.first_seq, s.highest), (1, 10));
        assert_eq!(e.replay_frames, vec![15]);
        assert_eq!((e.packets, e.bytes), (8, 800));
        assert_eq!((e.first_frame, e.last_frame), (1, 17));
    }

    #[test]
    fn window_edges() {
        // 128 back is outside the window: late, but not a repeat or a fill.
        let s = run(&[200, 72, 72, 73]).seq;
        assert_eq!((s.lost, s.replayed, s.reordered), (0, 0, 3));
        // 127 back is inside: the first late copy fills a gap, the second
        // repeats it.
        let s = run(&[200, 73, 73]).seq;
        assert_eq!((s.lost, s.replayed, s.reordered), (0, 1, 1));
        // A jump of 128 or more clears the window.
        let s = run(&[1, 300, 1]).seq;
        assert_eq!((s.lost, s.replayed, s.reordered), (298, 0, 1));
    }

    #[test]
    fn recent_frames_count_packets_after() {
        let e = run(&[1, 2, 3, 4, 5, 6]);
        // Frames 10..=15; the last four are 12..=15.
        assert_eq!(e.packets_after(9), 4);
        assert_eq!(e.packets_after(13), 2);
        assert_eq!(e.packets_after(15), 0);
        let one = run(&[1]);
        assert_eq!(one.packets_after(9), 1);
        assert_eq!(one.packets_after(10), 0);
        let none = run(&[]);
        assert_eq!(none.packets_after(0), 0);
    }
}
