//! Security findings across tunnels: traffic that is not a VPN negotiation
//! at all, told from the shape of many tunnels together.
//!
//! - **Reflection**: many responders each answer (MM2/AM2/IKE_SA_INIT
//!   response) one address with the same initiator SPI, and that address
//!   sends nothing to any of them. An initiator picks a fresh random SPI for
//!   every SA (RFC 7296 §2.6, RFC 2408 §2.5.3), so one SPI answered by
//!   several responders was spoofed: someone sent first messages in the
//!   victim's name and the answers flood it.
//! - **Scan**: one source sends first messages only (MM1/AM1/IKE_SA_INIT
//!   request) to many targets, at a sweeping rate, and few or none answer
//!   (ike-scan and the like).
//!
//! Each finding names the tunnels it covers, so views can fold them into one
//! row instead of thousands.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use super::{Code, Severity};
use crate::capture::{FrameNo, Timestamp};
use crate::flow::{Dir, IkeSa, Role, Step, Tunnel};
use crate::registry::proto::ExchangeV2;

/// Responders answering one initiator SPI that make a reflection: a
/// legitimate initiator never reuses an SPI across peers, so a few are
/// already proof.
pub const REFLECTION_MIN_RESPONDERS: usize = 3;
/// Targets of one source, first messages only, that make a scan.
pub const SCAN_MIN_TARGETS: usize = 32;
/// A scan sweeps: at least this many new targets per second on average
/// (a gateway retrying its own peers does not open dozens a second).
pub const SCAN_MIN_RATE: f64 = 1.0;
/// At most this share of a scan's targets answered.
pub const SCAN_MAX_ANSWERED: f64 = 0.25;

/// One security finding over several tunnels.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The reflection's victim, or the scan's source.
    pub address: IpAddr,
    /// The spoofed initiator SPI (reflection), hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ispi: Option<String>,
    pub version: u8,
    /// Distinct responders (reflection) or targets (scan).
    pub peers: usize,
    /// Targets that answered (scan); every member answered (reflection).
    pub answered: usize,
    /// IKE messages in the member tunnels.
    pub messages: u64,
    /// Indices of the member tunnels in the file's tunnel list.
    pub tunnels: Vec<usize>,
    /// First and last member messages (frames).
    pub frames: Vec<FrameNo>,
    /// Seconds from the first to the last member message.
    pub seconds: f64,
    pub message: String,
}

/// A first request (MM1, AM1, IKE_SA_INIT request).
fn first_request(s: Step) -> bool {
    matches!(s, Step::Main(1) | Step::Aggressive(1))
        || s == Step::V2(ExchangeV2::IkeSaInit, Role::Request)
}

/// A first answer (MM2, AM2, IKE_SA_INIT response).
fn first_answer(s: Step) -> bool {
    matches!(s, Step::Main(2) | Step::Aggressive(2))
        || s == Step::V2(ExchangeV2::IkeSaInit, Role::Response)
}

/// An SA made only of first answers, nothing from the initiator.
fn answers_only(sa: &IkeSa) -> bool {
    !sa.messages.is_empty()
        && sa
            .messages
            .iter()
            .all(|m| m.dir == Dir::R2I && first_answer(m.step))
}

/// An SA made only of first requests and at most first answers.
fn probe_only(sa: &IkeSa) -> Option<bool> {
    let mut asked = false;
    let mut answered = false;
    for m in &sa.messages {
        match m.dir {
            Dir::I2R if first_request(m.step) => asked = true,
            Dir::R2I if first_answer(m.step) => answered = true,
            _ => return None,
        }
    }
    asked.then_some(answered)
}

/// A tunnel with IKE only: no ESP, no log lines, no ICMP (evidence of a
/// real peer relationship or of something worth its own row).
fn ike_only(t: &Tunnel) -> bool {
    !t.ike_sas.is_empty()
        && t.esp.is_empty()
        && t.events.is_empty()
        && t.icmp.is_empty()
        && t.dropped_sas == 0
}

fn frame_span(t: &Tunnel) -> (FrameNo, FrameNo, Timestamp, Timestamp, u64) {
    let mut lo = FrameNo::MAX;
    let mut hi = 0;
    let mut n = 0u64;
    for sa in &t.ike_sas {
        for m in &sa.messages {
            lo = lo.min(m.frame);
            hi = hi.max(m.frame);
        }
        n += sa.messages.len() as u64 + sa.dropped_messages;
    }
    (lo, hi, t.first, t.last, n)
}

struct Group {
    members: Vec<usize>,
    answered: usize,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    lo: FrameNo,
    hi: FrameNo,
    messages: u64,
}

impl Group {
    fn new() -> Group {
        Group {
            members: Vec::new(),
            answered: 0,
            first: None,
            last: None,
            lo: FrameNo::MAX,
            hi: 0,
            messages: 0,
        }
    }

    fn add(&mut self, i: usize, t: &Tunnel) {
        let (lo, hi, first, last, n) = frame_span(t);
        self.members.push(i);
        self.lo = self.lo.min(lo);
        self.hi = self.hi.max(hi);
        self.messages += n;
        if self.first.is_none_or(|f| first < f) {
            self.first = Some(first);
        }
        if self.last.is_none_or(|l| last > l) {
            self.last = Some(last);
        }
    }

    fn seconds(&self) -> f64 {
        match (self.first, self.last) {
            (Some(a), Some(b)) => b.since(a).max(0.0),
            _ => 0.0,
        }
    }

    fn frames(&self) -> Vec<FrameNo> {
        if self.lo == FrameNo::MAX {
            Vec::new()
        } else if self.lo == self.hi {
            vec![self.lo]
        } else {
            vec![self.lo, self.hi]
        }
    }
}

/// Thousands separators for counts in messages.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The findings over a file's tunnels (in `tunnels` order), each naming
/// its member tunnels; a tunnel belongs to at most one finding.
pub fn findings(tunnels: &[&Tunnel]) -> Vec<Finding> {
    let mut out = Vec::new();
    // Reflection: (victim, version, initiator SPI) → responders.
    let mut refl: BTreeMap<(IpAddr, u8, u64), Group> = BTreeMap::new();
    // Scan: (source, version) → targets.
    let mut scan: BTreeMap<(IpAddr, u8), Group> = BTreeMap::new();
    for (i, t) in tunnels.iter().enumerate() {
        if !ike_only(t) {
            continue;
        }
        let first = &t.ike_sas[0];
        if t.ike_sas.iter().all(|sa| {
            answers_only(sa) && sa.ispi == first.ispi && sa.initiator.addr == first.initiator.addr
        }) {
            refl.entry((first.initiator.addr, first.version, first.ispi))
                .or_insert_with(Group::new)
                .add(i, t);
            continue;
        }
        let probes: Option<Vec<bool>> = t.ike_sas.iter().map(probe_only).collect();
        if let Some(p) = probes {
            if t.ike_sas
                .iter()
                .all(|sa| sa.initiator.addr == first.initiator.addr)
            {
                let g = scan
                    .entry((first.initiator.addr, first.version))
                    .or_insert_with(Group::new);
                g.add(i, t);
                if p.iter().any(|&a| a) {
                    g.answered += 1;
                }
            }
        }
    }
    for ((victim, version, ispi), g) in refl {
        if g.members.len() < REFLECTION_MIN_RESPONDERS {
            continue;
        }
        let n = g.members.len();
        let message = format!(
            "{} responders answered a spoofed initiator SPI 0x{ispi:016x} towards {victim}, which sent nothing to any of them (IKEv{version}, {} messages over {:.1} s)",
            count(n),
            count(g.messages as usize),
            g.seconds()
        );
        out.push(Finding {
            code: Code::Reflection,
            severity: Code::Reflection.severity(),
            address: victim,
            ispi: Some(format!("0x{ispi:016x}")),
            version,
            peers: n,
            answered: n,
            messages: g.messages,
            frames: g.frames(),
            seconds: g.seconds(),
            tunnels: g.members,
            message,
        });
    }
    for ((source, version), g) in scan {
        let n = g.members.len();
        let secs = g.seconds();
        if n < SCAN_MIN_TARGETS
            || (g.answered as f64) > SCAN_MAX_ANSWERED * n as f64
            || (n as f64) < SCAN_MIN_RATE * secs
        {
            continue;
        }
        let message = format!(
            "{source} sent IKEv{version} first messages only to {} targets in {secs:.1} s; {} answered, none went further",
            count(n),
            count(g.answered),
        );
        out.push(Finding {
            code: Code::Scan,
            severity: Code::Scan.severity(),
            address: source,
            ispi: None,
            version,
            peers: n,
            answered: g.answered,
            messages: g.messages,
            frames: g.frames(),
            seconds: secs,
            tunnels: g.members,
            message,
        });
    }
    out.sort_by_key(|f| f.tunnels.first().copied());
    out
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(7), "7");
        assert_eq!(count(2913), "2,913");
        assert_eq!(count(1_000_000), "1,000,000");
    }
}
