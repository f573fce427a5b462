//! Bounded IP fragment reassembly (RFC 791 §3.2 for IPv4, RFC 8200 §4.5 for
//! IPv6), only for datagrams that are or may be IPsec-bound.
//!
//! Memory is capped by bytes held and by open sets; a set expires when the
//! capture clock moves `timeout` seconds past its first fragment. Overlaps
//! and duplicates are tolerated: where fragments overlap, the bytes of the
//! fragment with the lower offset (then the earlier one) win. A set whose
//! first fragment shows it is not IPsec is dropped and its key remembered
//! for a while, so its later fragments are not held either.
//!
//! Hand-written rather than etherparse's `IpDefragPool`: that pool holds any
//! number of sets and bytes (no caps, no eviction), expires nothing by
//! itself (its `retain` needs the caller's bookkeeping), keeps no record of
//! the frames a set came from, and lets a later overlapping fragment
//! overwrite earlier bytes (this pool keeps the lower offset's bytes, then
//! the earlier fragment's). The notices about incomplete and evicted sets
//! name the frames and the reason, which needs all of that.

use std::fmt::Write as _;
use std::net::IpAddr;

use super::NetNotice;
use crate::capture::{FrameNo, Timestamp};

/// Largest reassembled IP payload (the 16-bit length fields' limit).
pub const MAX_DATAGRAM: usize = 65_535;
/// How many rejected (non-IPsec) keys are remembered.
const REJECTED: usize = 64;

/// Identifies the fragments of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FragKey {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub id: u32,
    /// IPv4 protocol; for IPv6 the fragment header's next header is not part
    /// of the key (RFC 8200 §4.5), so 0.
    pub proto: u8,
}

/// One fragment handed to the pool.
#[derive(Debug, Clone, Copy)]
pub struct FragIn<'a> {
    pub key: FragKey,
    pub ts: Timestamp,
    pub frame: FrameNo,
    /// Offset of `data` in the reassembled payload, in bytes.
    pub offset: usize,
    /// More fragments follow (MF / M flag).
    pub more: bool,
    /// The fragment's captured bytes.
    pub data: &'a [u8],
    /// Its length as the IP header states (more than `data.len()` when cut).
    pub declared: usize,
    /// Length of the IP header(s) in front of the fragmentable part.
    pub header_len: usize,
}

/// A completed datagram.
#[derive(Debug, Clone)]
pub struct Reassembled {
    pub key: FragKey,
    /// The reassembled payload (what followed the IP header / fragment header).
    pub data: Vec<u8>,
    /// Frames of all fragments, in frame order.
    pub frames: Vec<FrameNo>,
    pub header_len: usize,
}

/// What adding a fragment did.
#[derive(Debug)]
pub enum Added {
    Held,
    Complete(Reassembled),
    /// The fragment cannot be part of a valid datagram.
    Invalid(String),
}

#[derive(Debug)]
struct Frag {
    offset: usize,
    data: Vec<u8>,
}

#[derive(Debug)]
struct Set {
    key: FragKey,
    first_ts: Timestamp,
    frags: Vec<Frag>,
    frames: Vec<FrameNo>,
    bytes: usize,
    total: Option<usize>,
    header_len: usize,
}

/// The reassembly pool.
#[derive(Debug)]
pub struct Pool {
    sets: Vec<Set>,
    bytes: usize,
    oldest: Option<Timestamp>,
    rejected: Vec<FragKey>,
    rejected_next: usize,
    max_bytes: usize,
    max_sets: usize,
    timeout: f64,
}

fn describe(set: &Set) -> String {
    let mut s = format!(
        "IP fragments of datagram id {:#x} {} → {} (frame",
        set.key.id, set.key.src, set.key.dst
    );
    if set.frames.len() > 1 {
        s.push('s');
    }
    for (i, f) in set.frames.iter().enumerate() {
        let _ = write!(s, "{}{f}", if i == 0 { " " } else { ", " });
    }
    let have: usize = set.frags.iter().map(|f| f.data.len()).sum();
    let _ = match set.total {
        Some(t) => write!(s, "; {have} of {t} bytes"),
        None => write!(s, "; {have} bytes, last fragment not seen"),
    };
    if set.frags.first().is_none_or(|f| f.offset != 0) {
        s.push_str(", first fragment not seen");
    }
    s.push(')');
    s
}

impl Pool {
    pub fn new(max_bytes: usize, max_sets: usize, timeout: f64) -> Self {
        Pool {
            sets: Vec::new(),
            bytes: 0,
            oldest: None,
            rejected: Vec::new(),
            rejected_next: 0,
            max_bytes,
            max_sets: max_sets.max(1),
            timeout,
        }
    }

    /// Bytes currently held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Open sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    fn recompute_oldest(&mut self) {
        self.oldest = self.sets.iter().map(|s| s.first_ts).min();
    }

    fn remove(&mut self, i: usize) -> Set {
        let set = self.sets.remove(i);
        self.bytes = self.bytes.saturating_sub(set.bytes);
        self.recompute_oldest();
        set
    }

    /// Forget a datagram known not to be IPsec, and remember its key.
    pub fn reject(&mut self, key: FragKey) {
        if let Some(i) = self.sets.iter().position(|s| s.key == key) {
            self.remove(i);
        }
        if self.is_rejected(&key) {
            return;
        }
        if self.rejected.len() < REJECTED {
            self.rejected.push(key);
        } else if let Some(slot) = self.rejected.get_mut(self.rejected_next) {
            *slot = key;
        }
        self.rejected_next = (self.rejected_next + 1) % REJECTED;
    }

    pub fn is_rejected(&self, key: &FragKey) -> bool {
        self.rejected.contains(key)
    }

    /// Expire sets older than the timeout at capture time `now`.
    #[inline]
    pub fn expire(&mut self, now: Timestamp, notices: &mut Vec<NetNotice>) {
        let Some(oldest) = self.oldest else { return };
        if now.since(oldest) <= self.timeout {
            return;
        }
        let timeout = self.timeout;
        let mut i = 0;
        while i < self.sets.len() {
            if self
                .sets
                .get(i)
                .is_some_and(|s| now.since(s.first_ts) > timeout)
            {
                let set = self.remove(i);
                notices.push(NetNotice {
                    peers: Some((set.key.src, set.key.dst)),
                    frames: set.frames.clone(),
                    frame: set.frames.first().copied(),
                    message: format!(
                        "{} expired after {timeout} s without completing",
                        describe(&set)
                    ),
                });
            } else {
                i += 1;
            }
        }
    }

    /// Report every open set (end of capture).
    pub fn drain(&mut self, notices: &mut Vec<NetNotice>) {
        for set in std::mem::take(&mut self.sets) {
            notices.push(NetNotice {
                peers: Some((set.key.src, set.key.dst)),
                frames: set.frames.clone(),
                frame: set.frames.first().copied(),
                message: format!("{} never completed", describe(&set)),
            });
        }
        self.bytes = 0;
        self.oldest = None;
    }

    /// Evict the oldest set other than `keep`; false if there is none.
    fn evict_oldest(
        &mut self,
        keep: Option<FragKey>,
        why: &str,
        notices: &mut Vec<NetNotice>,
    ) -> bool {
        let victim = self
            .sets
            .iter()
            .enumerate()
            .filter(|(_, s)| Some(s.key) != keep)
            .min_by_key(|(_, s)| s.first_ts)
            .map(|(i, _)| i);
        let Some(i) = victim else { return false };
        let set = self.remove(i);
        notices.push(NetNotice {
            peers: Some((set.key.src, set.key.dst)),
            frames: set.frames.clone(),
            frame: set.frames.first().copied(),
            message: format!("{} evicted: {why}", describe(&set)),
        });
        true
    }

    /// Add a fragment.
    pub fn add(&mut self, f: FragIn<'_>, notices: &mut Vec<NetNotice>) -> Added {
        let end = f.offset.saturating_add(f.declared);
        if end > MAX_DATAGRAM {
            return Added::Invalid(format!(
                "fragment at offset {} of {} bytes ends beyond {MAX_DATAGRAM} bytes",
                f.offset, f.declared
            ));
        }
        let len = f.data.len().min(f.declared);
        if len > self.max_bytes {
            return Added::Invalid(format!(
                "fragment of {len} bytes exceeds the reassembly memory cap of {} bytes",
                self.max_bytes
            ));
        }
        let idx = match self.sets.iter().position(|s| s.key == f.key) {
            Some(i) => i,
            None => {
                while self.sets.len() >= self.max_sets {
                    let why = format!("{} open datagrams (cap)", self.max_sets);
                    if !self.evict_oldest(None, &why, notices) {
                        break;
                    }
                }
                self.sets.push(Set {
                    key: f.key,
                    first_ts: f.ts,
                    frags: Vec::new(),
                    frames: Vec::new(),
                    bytes: 0,
                    total: None,
                    header_len: f.header_len,
                });
                self.recompute_oldest();
                self.sets.len() - 1
            }
        };
        while self.bytes + len > self.max_bytes {
            let why = format!("fragment memory cap of {} bytes", self.max_bytes);
            if !self.evict_oldest(Some(f.key), &why, notices) {
                break;
            }
        }
        // Evictions shift indices: find the set again.
        let idx = match self.sets.get(idx) {
            Some(s) if s.key == f.key => idx,
            _ => match self.sets.iter().position(|s| s.key == f.key) {
                Some(i) => i,
                None => return Added::Held,
            },
        };
        if self.bytes + len > self.max_bytes {
            // This set alone is over the cap.
            let set = self.remove(idx);
            notices.push(NetNotice {
                peers: Some((set.key.src, set.key.dst)),
                frames: set.frames.clone(),
                frame: set.frames.first().copied().or(Some(f.frame)),
                message: format!(
                    "{} dropped: fragment memory cap of {} bytes",
                    describe(&set),
                    self.max_bytes
                ),
            });
            return Added::Held;
        }
        let Some(set) = self.sets.get_mut(idx) else {
            return Added::Held;
        };
        if !set.frames.contains(&f.frame) {
            set.frames.push(f.frame);
        }
        let duplicate = set
            .frags
            .iter()
            .any(|g| g.offset == f.offset && g.data.len() >= len);
        if !duplicate {
            let at = set.frags.partition_point(|g| g.offset <= f.offset);
            set.frags.insert(
                at,
                Frag {
                    offset: f.offset,
                    data: f.data.get(..len).unwrap_or(&[]).to_vec(),
                },
            );
            set.bytes += len;
            self.bytes += len;
        }
        if f.offset == 0 {
            set.header_len = f.header_len;
        }
        if !f.more && set.total.is_none() {
            set.total = Some(end);
        }
        let Some(total) = set.total else {
            return Added::Held;
        };
        // Complete when the fragments cover 0..total without a gap.
        let mut covered = 0usize;
        for g in &set.frags {
            if g.offset > covered {
                return Added::Held;
            }
            covered = covered.max(g.offset + g.data.len());
        }
        if covered < total {
            return Added::Held;
        }
        let set = self.remove(idx);
        let mut data = vec![0u8; total];
        let mut filled = 0usize;
        for g in &set.frags {
            let g_end = (g.offset + g.data.len()).min(total);
            if g_end > filled {
                let from = filled.max(g.offset);
                if let (Some(dst), Some(src)) = (
                    data.get_mut(from..g_end),
                    g.data.get(from - g.offset..g_end - g.offset),
                ) {
                    dst.copy_from_slice(src);
                }
                filled = g_end;
            }
        }
        let mut frames = set.frames;
        frames.sort_unstable();
        Added::Complete(Reassembled {
            key: set.key,
            data,
            frames,
            header_len: set.header_len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn key(id: u32) -> FragKey {
        FragKey {
            src: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            dst: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)),
            id,
            proto: 17,
        }
    }

    fn frag(id: u32, frame: u64, secs: i64, offset: usize, more: bool, data: &[u8]) -> FragIn<'_> {
        FragIn {
            key: key(id),
            ts: Timestamp { secs, nanos: 0 },
            frame,
            offset,
            more,
            data,
            declared: data.len(),
            header_len: 20,
        }
    }

    #[test]
    fn in_order_out_of_order_overlap() {
        let mut p = Pool::new(1 << 20, 8, 30.0);
        let mut n = Vec::new();
        let a = [1u8; 8];
        let b = [2u8; 8];
        let c = [3u8; 4];
        assert!(matches!(
            p.add(frag(1, 3, 0, 16, false, &c), &mut n),
            Added::Held
        ));
        assert!(matches!(
            p.add(frag(1, 4, 0, 0, true, &a), &mut n),
            Added::Held
        ));
        // Overlapping piece (first-by-offset wins), then the gap filler.
        let ov = [9u8; 8];
        assert!(matches!(
            p.add(frag(1, 5, 0, 4, true, &ov), &mut n),
            Added::Held
        ));
        match p.add(frag(1, 6, 0, 8, true, &b), &mut n) {
            Added::Complete(r) => {
                assert_eq!(r.frames, vec![3, 4, 5, 6]);
                assert_eq!(&r.data[..8], &a);
                assert_eq!(&r.data[8..12], &[9, 9, 9, 9]);
                assert_eq!(&r.data[12..16], &[2, 2, 2, 2]);
                assert_eq!(&r.data[16..], &c);
            }
            x => panic!("{x:?}"),
        }
        assert!(p.is_empty() && p.bytes() == 0 && n.is_empty());
    }

    #[test]
    fn duplicates_and_expiry() {
        let mut p = Pool::new(1 << 20, 8, 30.0);
        let mut n = Vec::new();
        let a = [1u8; 8];
        assert!(matches!(
            p.add(frag(2, 1, 0, 0, true, &a), &mut n),
            Added::Held
        ));
        assert!(matches!(
            p.add(frag(2, 2, 1, 0, true, &a), &mut n),
            Added::Held
        ));
        assert_eq!(p.bytes(), 8);
        p.expire(Timestamp { secs: 20, nanos: 0 }, &mut n);
        assert_eq!(p.len(), 1);
        p.expire(Timestamp { secs: 31, nanos: 0 }, &mut n);
        assert!(p.is_empty());
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].frame, Some(1));
        assert!(n[0].message.contains("frames 1, 2"), "{}", n[0].message);
        assert!(n[0].message.contains("expired"));
    }

    #[test]
    fn caps_evict_oldest() {
        let mut p = Pool::new(20, 2, 30.0);
        let mut n = Vec::new();
        let a = [1u8; 8];
        p.add(frag(1, 1, 0, 0, true, &a), &mut n);
        p.add(frag(2, 2, 1, 0, true, &a), &mut n);
        p.add(frag(3, 3, 2, 0, true, &a), &mut n);
        assert_eq!(p.len(), 2);
        assert_eq!(n.len(), 1);
        assert!(n[0].message.contains("open datagrams"));
        // Bytes: 16 held, 8 more would exceed 20: the oldest other set goes.
        p.add(frag(3, 4, 3, 8, true, &a), &mut n);
        assert_eq!(n.len(), 2);
        assert!(n[1].message.contains("memory cap"));
        assert_eq!(p.len(), 1);
        assert!(p.bytes() <= 20);
        // A set alone over the cap is dropped.
        p.add(frag(3, 5, 3, 16, true, &a), &mut n);
        assert!(p.is_empty() && p.bytes() == 0);
        assert_eq!(n.len(), 3);
        let big = [0u8; 32];
        assert!(matches!(
            p.add(frag(4, 6, 3, 0, true, &big), &mut n),
            Added::Invalid(_)
        ));
        assert!(matches!(
            p.add(frag(4, 6, 3, 65_530, true, &a), &mut n),
            Added::Invalid(_)
        ));
    }

    #[test]
    fn rejected_keys_and_drain() {
        let mut p = Pool::new(1 << 20, 8, 30.0);
        let mut n = Vec::new();
        let a = [1u8; 8];
        p.add(frag(7, 1, 0, 8, true, &a), &mut n);
        p.reject(key(7));
        assert!(p.is_empty() && p.is_rejected(&key(7)));
        for id in 100..200 {
            p.reject(key(id));
        }
        assert!(!p.is_rejected(&key(7)));
        p.add(frag(8, 2, 0, 8, false, &a), &mut n);
        p.drain(&mut n);
        assert_eq!(n.len(), 1);
        assert!(n[0].message.contains("first fragment not seen"));
        assert!(n[0].message.contains("never completed"));
    }
}
