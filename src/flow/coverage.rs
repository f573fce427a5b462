//! What the capture (or log, or live stream) covers: when it starts and
//! ends, which directions between a tunnel's peers it holds, what it lost. Every
//! rule that concludes "no answer" asks [`Coverage::wait`] first.

use std::net::IpAddr;

use super::Tunnel;
use crate::capture::{FrameNo, Timestamp};

/// Silence after a single unanswered message longer than this means the
/// peer does not answer, not that the capture was cut short: IKE
/// implementations retransmit within a few seconds (RFC 7296 §2.1;
/// strongSwan 4 s, Cisco 2 s, libreswan 0.5 s doubling). The one value every
/// "no answer" rule uses.
pub const RETRANSMIT_SECS: f64 = 3.0;

/// Two unanswered liveness checks and this long a silence after the last
/// one make a dead peer (RFC 3706 peers retry every few seconds).
pub const DPD_QUIET_SECS: f64 = 2.0;

/// IKE messages above this size risk IP fragmentation: the IPv6 minimum
/// MTU, the size RFC 7383 §2.5.1 tells implementations to stay under.
pub const LARGE_MESSAGE: u32 = 1280;

/// Capture-wide coverage.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// First and last time seen (the clock advances with [`Coverage::extend`]).
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// IP fragment sets that never completed, per (source, destination).
    pub incomplete_fragments: Vec<(IpAddr, IpAddr, Vec<FrameNo>)>,
    /// Reading stopped before the end of the input (damage, truncation).
    pub cut_short: bool,
    /// UDP 500/4500 datagrams too short for an ISAKMP header, or on 4500
    /// for an ESP header (port probes, garbage; not the one-octet NAT
    /// keepalive): counted, not made into tunnels.
    pub not_ike: u64,
    /// Their frames: the first [`NOT_IKE_FRAMES_KEPT`] and the last.
    pub not_ike_frames: Vec<FrameNo>,
    /// IPsec packets between peer pairs beyond [`super::MAX_TUNNELS`]:
    /// counted, not tracked; and the first such frame.
    pub untracked_packets: u64,
    pub untracked_from: Option<FrameNo>,
    /// IKE messages of SAs beyond [`super::MAX_IKE_SAS`].
    pub untracked_ike: u64,
    /// ESP/AH packets of SPIs beyond [`super::MAX_ESP_SAS`].
    pub untracked_esp: u64,
    /// Fragment-reassembly notices beyond [`MAX_FRAGMENT_NOTICES`] and
    /// incomplete sets beyond [`MAX_INCOMPLETE_KEPT`]: counted only.
    pub fragment_notices_dropped: u64,
}

/// Fragment-reassembly notices listed one by one; a flood of fragments
/// that never complete makes one summary line past this.
pub const MAX_FRAGMENT_NOTICES: usize = 64;
/// Incomplete fragment sets kept as evidence for the tunnels' rules.
pub const MAX_INCOMPLETE_KEPT: usize = 1024;

/// Frames of not-IKE datagrams kept as evidence (the count is exact).
pub const NOT_IKE_FRAMES_KEPT: usize = 8;

/// Whether a message got an answer, as far as the capture can tell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wait {
    /// Tried more than once, or silent long enough after the last try.
    Unanswered { tries: usize, silence: f64 },
    /// Sent once, and the capture ends before a retransmission was due.
    TooSoon { silence: f64 },
}

impl Coverage {
    /// A UDP 500/4500 datagram that is not IKE (too short for a header).
    pub fn note_not_ike(&mut self, frame: FrameNo) {
        self.not_ike += 1;
        if self.not_ike_frames.len() > NOT_IKE_FRAMES_KEPT {
            self.not_ike_frames.pop();
        }
        self.not_ike_frames.push(frame);
    }

    /// Time moves to `t` (no effect when `t` is earlier).
    pub fn extend(&mut self, t: Timestamp) {
        if self.start.is_none_or(|s| t < s) {
            self.start = Some(t);
        }
        if self.end.is_none_or(|e| t > e) {
            self.end = Some(t);
        }
    }

    /// Which directions between the tunnel's peers the input holds:
    /// (`peers[0]` → `peers[1]`, `peers[1]` → `peers[0]`), from its IKE
    /// messages, ESP/AH SAs and payload-less packets.
    pub fn directions(t: &Tunnel) -> (bool, bool) {
        let mut fwd = false;
        let mut back = false;
        let mut see = |src: IpAddr| {
            if src == t.peers[0] {
                fwd = true;
            } else {
                back = true;
            }
        };
        for sa in &t.ike_sas {
            for m in &sa.messages {
                see(m.src.addr);
            }
        }
        for e in t.esp.iter().filter(|e| e.packets > 0) {
            see(e.src);
        }
        for b in &t.blind {
            see(b.src);
        }
        (fwd, back)
    }

    /// Seconds of capture after `t`.
    pub fn silence_after(&self, t: Timestamp) -> f64 {
        self.end.map_or(0.0, |end| end.since(t))
    }

    /// The one peer the input holds packets from, when it holds only one
    /// direction of the tunnel (a one-sided capture filter, an ASA capture
    /// on one interface, a tcpdump on one host's outbound path).
    pub fn one_sided(t: &Tunnel) -> Option<IpAddr> {
        match Self::directions(t) {
            (true, false) => Some(t.peers[0]),
            (false, true) => Some(t.peers[1]),
            _ => None,
        }
    }

    /// Judge an unanswered message from the times of its tries (the last
    /// original and its retransmissions).
    ///
    /// Three or more tries are proof by themselves. Two need silence after
    /// the second at least as long as the interval the sender itself used
    /// (capped at [`RETRANSMIT_SECS`]): the next retransmission was due and
    /// did not come, or an answer would have ended it. One needs
    /// [`RETRANSMIT_SECS`] of silence.
    pub fn wait(&self, tries: &[Timestamp]) -> Wait {
        let silence = tries.last().map_or(0.0, |&t| self.silence_after(t));
        let unanswered = match tries {
            [] => false,
            [_] => silence >= RETRANSMIT_SECS,
            [a, b] => silence >= b.since(*a).clamp(0.0, RETRANSMIT_SECS),
            _ => true,
        };
        if unanswered {
            Wait::Unanswered {
                tries: tries.len(),
                silence,
            }
        } else {
            Wait::TooSoon { silence }
        }
    }

    /// [`Coverage::wait`] for a message of tunnel `t`: when the input holds
    /// only one direction of the tunnel, silence proves nothing (the answer
    /// may be in the direction not captured); only retransmissions count.
    pub fn wait_in(&self, t: &Tunnel, tries: &[Timestamp]) -> Wait {
        let w = self.wait(tries);
        match w {
            Wait::Unanswered { silence, .. } if tries.len() < 2 && Self::one_sided(t).is_some() => {
                Wait::TooSoon { silence }
            }
            w => w,
        }
    }

    /// Why a message's answer cannot be judged, for `incomplete-capture`.
    pub fn why_unknown(&self, t: &Tunnel, tries: &[Timestamp]) -> String {
        let silence = tries.last().map_or(0.0, |&x| self.silence_after(x));
        match Self::one_sided(t) {
            Some(only) => format!(
                "the capture holds only packets sent by {only}, so an answer would not be in it"
            ),
            None => format!(
                "the capture ends {silence:.1} s later, before a retransmission was due ({RETRANSMIT_SECS:.0} s)"
            ),
        }
    }
}
