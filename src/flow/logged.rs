//! Device log events ([`crate::logs`]) → observations, and the device
//! clock's offset from the capture's.
//!
//! Every event becomes an [`Observed::Event`] carrying the typed log event,
//! never an IKE message: with a capture the wire already holds the messages
//! (a message would otherwise count twice), and alone the lines say what
//! happened better than a reconstructed exchange would. The tunnel is the
//! pair (device, peer): the device's own address comes from the log lines
//! that name it (charon's `from A to B`, ASA 602303 `between A and B`),
//! else from the capture (the one tunnel that peer has there), else it is
//! the unspecified address and the report says "this device".

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::observation::{endpoint, EventKind, LogLine, Observation, Observed, PeerEvent, Source};
use super::{Coverage, Tracker, Tunnel};
use crate::capture::Timestamp;
use crate::logs::{self, EventKind as L, LogEvent, LogRead, Phase};

/// Log times more than this far from any packet of the peer do not vote
/// for the clock offset.
pub const MATCH_WINDOW_SECS: f64 = 1.0;
/// Anchors per peer used to estimate the offset (the earliest ones).
const MAX_ANCHORS: usize = 400;

/// The device clock's offset: capture time = log time + `secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockOffset {
    pub secs: f64,
    /// Log events that fell within [`MATCH_WINDOW_SECS`] of a packet of
    /// their peer after the shift.
    pub matched: usize,
    /// Log events that could vote (timed, with a peer in the capture).
    pub anchors: usize,
}

/// What could not be placed on a tunnel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unplaced {
    /// Events naming no peer in a file that names several.
    pub no_peer: u64,
}

/// Whether an event is worth a place beside the packets: message lines and
/// received proposal lists are the wire's business; the proposals a device
/// has configured are not on the wire (the refusal's reason is in them).
fn kept(e: &LogEvent) -> bool {
    !matches!(
        e.kind,
        L::Message { .. } | L::Proposals { received: true } | L::Phase1Progress
    )
}

/// The event's phase: what the kind says, else the exchange it waited for.
pub fn phase_of(e: &LogEvent) -> Option<Phase> {
    e.kind
        .phase()
        .or_else(|| e.exchange.and_then(|x| x.phase()))
}

/// The analysis core's event kind for a log event.
pub fn core_kind(e: &LogEvent) -> EventKind {
    let failed = |e: &LogEvent| match phase_of(e) {
        Some(Phase::Two) => EventKind::Phase2Failed,
        _ => EventKind::Phase1Failed,
    };
    match e.kind {
        L::Phase1Completed => EventKind::Phase1Up,
        L::Phase2Completed | L::SaInstalled => EventKind::Phase2Up,
        L::DpdTimeout => EventKind::PeerDead,
        L::Delete { .. } | L::Teardown => EventKind::Deleted,
        L::SaState => EventKind::State(e.state.clone().unwrap_or_default()),
        L::IpsecCounters => match e.counters.map(|c| c.out_in()) {
            Some((Some(o), Some(i))) if e.format == logs::Format::ShowCrypto => {
                EventKind::Counters {
                    encaps: o,
                    decaps: i,
                }
            }
            _ => EventKind::Note,
        },
        L::NoProposalChosen { .. }
        | L::AuthFailed { .. }
        | L::DecryptFailed
        | L::IdRefused { .. }
        | L::PskMissing
        | L::PeerMismatch
        | L::NegotiationFailed
        | L::Timeout
        | L::InvalidCookie
        | L::QmFsmError
        | L::DhGroupRejected { .. } => failed(e),
        _ => EventKind::Note,
    }
}

fn unspecified(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// The device's own address for each peer, from the lines that name it.
fn locals(read: &LogRead) -> (HashMap<IpAddr, IpAddr>, Option<IpAddr>) {
    let mut per_peer = HashMap::new();
    let mut all: Vec<IpAddr> = Vec::new();
    for e in &read.events {
        if let (Some(p), Some(l)) = (e.peer, e.local) {
            per_peer.entry(p).or_insert(l);
            if !all.contains(&l) {
                all.push(l);
            }
        }
    }
    let only = match all.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    (per_peer, only)
}

/// Observations for a log's events. `offset` shifts log time onto the
/// capture's clock; `untimed` is the time given to lines without one (show
/// commands: a snapshot, taken at the end); `local_for` names the device's
/// address for a peer when the log does not (from the capture).
/// `lone_pair` is (device, peer) for a log that names no peer at all,
/// when the other evidence (another log, the capture) knows only one pair.
pub fn observations(
    read: &LogRead,
    offset: f64,
    untimed: Timestamp,
    local_for: &dyn Fn(IpAddr) -> Option<IpAddr>,
    lone_pair: Option<(IpAddr, IpAddr)>,
) -> (Vec<Observation>, Unplaced) {
    let (per_peer, only_local) = locals(read);
    let mut peers: Vec<IpAddr> = read.events.iter().filter_map(|e| e.peer).collect();
    peers.sort();
    peers.dedup();
    let only_peer = match peers.as_slice() {
        [one] => Some(*one),
        [] => lone_pair.map(|(_, p)| p),
        _ => None,
    };
    let lone_local = match peers.as_slice() {
        [] => lone_pair.map(|(l, _)| l),
        _ => None,
    };
    let mut unplaced = Unplaced::default();
    let mut out = Vec::new();
    let mut file: Option<Arc<str>> = None;
    for e in read.events.iter().filter(|e| kept(e)) {
        let Some(peer) = e.peer.or(only_peer) else {
            unplaced.no_peer += 1;
            continue;
        };
        let local = local_for(peer)
            .or(lone_local)
            .or(e.local)
            .or_else(|| per_peer.get(&peer).copied())
            .or(only_local)
            .unwrap_or_else(|| unspecified(peer));
        let time = e.time.map_or(untimed, |t| shift(t, offset));
        // One Arc per file, shared by its lines.
        let f = match &file {
            Some(f) if **f == *e.origin.file => f.clone(),
            _ => {
                let f = e.origin.file.clone();
                file = Some(f.clone());
                f
            }
        };
        let (src, dst) = match e.kind {
            L::Message {
                dir: logs::Dir::Received,
            }
            | L::Retransmission {
                dir: logs::Dir::Received,
            }
            | L::NoProposalChosen {
                dir: logs::Dir::Received,
                ..
            }
            | L::AuthFailed {
                dir: logs::Dir::Received,
            }
            | L::IdRefused {
                dir: logs::Dir::Received,
                ..
            }
            | L::Dpd {
                dir: logs::Dir::Received,
            }
            | L::Delete {
                dir: logs::Dir::Received,
                ..
            } => (peer, local),
            _ => (local, peer),
        };
        out.push(Observation {
            time,
            source: Source::Log(LogLine {
                file: f,
                line: e.origin.line,
                clock_unverified: false,
            }),
            src: endpoint(src),
            dst: endpoint(dst),
            what: Observed::Event(Box::new(PeerEvent {
                ike_sa: e.ike_spis.map(|(i, _)| (e.ike_version.unwrap_or(2), i)),
                kind: core_kind(e),
                cause: e.cause,
                text: e.text.clone(),
                log: Some(Box::new(e.clone())),
            })),
        });
    }
    (out, unplaced)
}

/// Log time + offset as a capture time stamp.
pub fn shift(t: logs::LogTime, offset: f64) -> Timestamp {
    let whole = offset.floor();
    let frac = offset - whole;
    let mut secs = t.secs + whole as i64;
    let mut nanos = i64::from(t.nanos) + (frac * 1e9).round() as i64;
    if nanos >= 1_000_000_000 {
        secs += 1;
        nanos -= 1_000_000_000;
    }
    Timestamp {
        secs,
        nanos: nanos.clamp(0, 999_999_999) as u32,
    }
}

/// Logs read together, without a capture: their tunnels. Devices that do
/// not name their own address get it from another log naming the pair.
pub fn track(reads: &[LogRead]) -> (Vec<Tunnel>, Coverage, Unplaced) {
    let all: Vec<(IpAddr, IpAddr)> = reads.iter().flat_map(pairs).collect();
    let mut distinct = all.clone();
    for p in &mut distinct {
        if p.1 < p.0 {
            *p = (p.1, p.0);
        }
    }
    distinct.sort();
    distinct.dedup();
    let lone = match distinct.as_slice() {
        [(a, b)] => Some((*a, *b)),
        _ => None,
    };
    let mut tracker = Tracker::new();
    let mut unplaced = Unplaced::default();
    for r in reads {
        // A log naming no peer joins the only pair the others name (which
        // end it is stays unknown; tunnels are unordered pairs).
        let (obs, u) = observations(r, 0.0, Timestamp::default(), &|p| partner(&all, p), lone);
        unplaced.no_peer += u.no_peer;
        for o in obs {
            tracker.observe(o);
        }
    }
    let coverage = tracker.coverage().clone();
    (tracker.finish(), coverage, unplaced)
}

/// The (device, peer) pairs a log names outright.
pub fn pairs(read: &LogRead) -> Vec<(IpAddr, IpAddr)> {
    let mut v: Vec<(IpAddr, IpAddr)> = read
        .events
        .iter()
        .filter_map(|e| Some((e.local?, e.peer?)))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// For logs read together: the device's address for `peer` in a log that
/// does not name it, when another log shows `peer` talking to exactly one
/// address (the two ends of one tunnel, each logging).
pub fn partner(pairs: &[(IpAddr, IpAddr)], peer: IpAddr) -> Option<IpAddr> {
    let mut found: Option<IpAddr> = None;
    for &(l, p) in pairs {
        let other = if l == peer {
            p
        } else if p == peer {
            l
        } else {
            continue;
        };
        match found {
            None => found = Some(other),
            Some(f) if f == other => {}
            Some(_) => return None,
        }
    }
    found
}

/// Timed log events with a peer: the times an offset is estimated from.
pub fn log_anchors(read: &LogRead) -> Vec<(IpAddr, f64)> {
    let mut per: HashMap<IpAddr, usize> = HashMap::new();
    let mut v = Vec::new();
    for e in &read.events {
        if let (Some(p), Some(t)) = (e.peer, e.time) {
            let n = per.entry(p).or_insert(0);
            if *n < MAX_ANCHORS {
                *n += 1;
                v.push((p, t.as_f64()));
            }
        }
    }
    v
}

/// The capture's IKE message times, per tunnel.
pub fn capture_anchors(tunnels: &[Tunnel]) -> Vec<([IpAddr; 2], f64)> {
    let mut v = Vec::new();
    for t in tunnels {
        let mut n = 0;
        for sa in &t.ike_sas {
            for m in &sa.messages {
                if n < MAX_ANCHORS {
                    v.push((t.peers, m.ts.as_f64()));
                    n += 1;
                }
            }
        }
    }
    v
}

/// The shift that puts the most log events within [`MATCH_WINDOW_SECS`]
/// of a packet exchanged with their peer (ties: the smallest shift). `None`
/// when no log event has a peer the capture saw.
pub fn estimate_offset(log: &[(IpAddr, f64)], cap: &[([IpAddr; 2], f64)]) -> Option<ClockOffset> {
    let mut cands: Vec<f64> = Vec::new();
    let mut anchors = 0;
    for (p, tl) in log {
        let mut any = false;
        for (peers, tc) in cap {
            if peers.contains(p) {
                cands.push(tc - tl);
                any = true;
            }
        }
        anchors += usize::from(any);
    }
    if cands.is_empty() {
        return None;
    }
    cands.sort_by(f64::total_cmp);
    // Densest window of width 2 × MATCH_WINDOW_SECS over the candidates.
    let (mut best_i, mut best_n, mut j) = (0, 0, 0);
    for i in 0..cands.len() {
        while j < cands.len() && cands[j] - cands[i] <= 2.0 * MATCH_WINDOW_SECS {
            j += 1;
        }
        let abs = |k: usize| cands[k].abs();
        let better = j - i > best_n || (j - i == best_n && abs(i) < abs(best_i));
        if better {
            best_n = j - i;
            best_i = i;
        }
    }
    let window = &cands[best_i..best_i + best_n];
    let secs = window[window.len() / 2];
    let matched = log
        .iter()
        .filter(|(p, tl)| {
            cap.iter()
                .any(|(peers, tc)| peers.contains(p) && (tc - tl - secs).abs() <= MATCH_WINDOW_SECS)
        })
        .count();
    Some(ClockOffset {
        secs,
        matched,
        anchors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn offset_found_from_matching_events() {
        let p = a("203.0.113.1");
        let q = a("198.51.100.1");
        // Packets at 100, 101, 103; the device logs them 3600.2 s earlier.
        let cap = vec![([q, p], 100.0), ([q, p], 101.0), ([q, p], 103.0)];
        let log = vec![
            (p, 100.0 - 3600.2),
            (p, 101.0 - 3600.2),
            (p, 103.0 - 3600.2),
        ];
        let o = estimate_offset(&log, &cap).unwrap();
        assert!((o.secs - 3600.2).abs() < 1e-6, "{o:?}");
        assert_eq!((o.matched, o.anchors), (3, 3));
        // A peer the capture never saw gives nothing.
        assert_eq!(estimate_offset(&[(a("192.0.2.9"), 1.0)], &cap), None);
    }

    #[test]
    fn shifting_keeps_nanoseconds_in_range() {
        let t = logs::LogTime {
            secs: 10,
            nanos: 900_000_000,
            date: logs::DateBasis::Logged,
            utc: false,
        };
        let s = shift(t, 0.2);
        assert_eq!((s.secs, s.nanos), (11, 100_000_000));
        let s = shift(t, -0.95);
        assert_eq!((s.secs, s.nanos), (9, 950_000_000));
    }
}
