//! Device logs in the pipeline: logs alone (`ikescope LOG...`) and logs
//! beside a capture (`--log PATH`, repeatable).
//!
//! Logs alone: every log given is read, the events of all of them go into
//! one tracker (so both ends of a tunnel, each logging, make one tunnel),
//! and the verdicts rest on the lines. With a capture: each log's clock
//! offset is estimated from its events that match the capture's packets
//! (same peer, within a second after the shift), stated, and its events
//! join the capture's tunnels; the capture's coverage (start, end,
//! directions) stays the capture's, so log lines never make a silence look
//! longer than the capture saw it.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::{file_date, FileAnalysis, FileNotice, Options, TunnelReport};
use crate::capture::{self, Timestamp};
use crate::flow::{logged, Source, Tracker, Tunnel, TunnelId};
use crate::logs::{self, LogRead, ReadOptions};

/// A log read from a file.
#[derive(Debug, Clone)]
pub struct LoadedLog {
    /// The path as given.
    pub path: String,
    pub read: LogRead,
    /// The date used for time stamps without one, and whether it came from
    /// `--date` (else the file's modification date).
    pub date: Option<(i32, u32, u32)>,
    pub date_given: bool,
}

/// Bytes of a file's start read to tell a log from a capture.
const SNIFF: usize = 64 * 1024;

/// Whether the file is a device log or show output (and not a capture).
pub fn is_log(path: &Path) -> bool {
    let mut head = Vec::with_capacity(SNIFF);
    let Ok(f) = File::open(path) else {
        return false;
    };
    if f.take(SNIFF as u64).read_to_end(&mut head).is_err() {
        return false;
    }
    capture::sniff(&head).is_none() && logs::looks_like_log(&head).is_some()
}

/// Read one log.
pub fn load(path: &Path, opts: &Options) -> Result<LoadedLog, String> {
    let date = opts.read.date.or_else(|| file_date(path));
    let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let label = path.display().to_string();
    let read = logs::read_log_stream(&label, f, &ReadOptions { date })
        .map_err(|e| format!("{label}: {e}"))?;
    Ok(LoadedLog {
        path: label,
        read,
        date,
        date_given: opts.read.date.is_some(),
    })
}

/// What a log was read as, and what it left out: one notice per fact.
fn describe(l: &LoadedLog, notices: &mut Vec<FileNotice>) {
    let r = &l.read;
    let formats: Vec<&str> = r.formats.iter().map(|(f, _)| f.name()).collect();
    if formats.is_empty() {
        notices.push(FileNotice::warning(format!(
            "log {}: no line of a known format; the formats read are: {}",
            l.path,
            // One line: a notice is one paragraph (its text is escaped, so a
            // line break would print as `\n`).
            logs::formats_help()
                .lines()
                .map(|f| f.trim_start().trim_start_matches("- "))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    if r.date_assumed {
        if let (Some((y, m, d)), false) = (l.date, l.date_given) {
            notices.push(FileNotice::warning(format!(
                "log {}: time stamps carry no date or year: {y:04}-{m:02}-{d:02} (the file's modification date) was used; set it with --date",
                l.path
            )));
        }
    }
    for s in r.limits() {
        notices.push(FileNotice::warning(format!("log {}: {s}", l.path)));
    }
}

/// A one-line account of a log: its formats, lines, events.
pub fn summary(l: &LoadedLog) -> String {
    let r = &l.read;
    let formats: Vec<&str> = r.formats.iter().map(|(f, _)| f.name()).collect();
    format!(
        "{}: {}; {} lines, {} events, {} lines of no known format",
        l.path,
        if formats.is_empty() {
            "no known format".to_string()
        } else {
            formats.join(" + ")
        },
        r.lines,
        r.events.len(),
        r.unknown_lines
    )
}

/// IKEv1 message IDs (random, so telling) and ESP/AH SPIs in the capture.
fn capture_ids(tunnels: &[Tunnel]) -> (HashSet<u32>, HashSet<u32>) {
    let mut ids = HashSet::new();
    let mut spis = HashSet::new();
    for t in tunnels {
        for sa in t.ike_sas.iter().filter(|sa| sa.version == 1) {
            for m in &sa.messages {
                if m.message_id != 0 {
                    ids.insert(m.message_id);
                }
            }
        }
        for e in &t.esp {
            spis.insert(e.spi);
        }
    }
    (ids, spis)
}

/// The same in a log's events.
fn log_ids(r: &LogRead) -> (HashSet<u32>, HashSet<u32>) {
    let mut ids = HashSet::new();
    let mut spis = HashSet::new();
    for e in &r.events {
        if let (Some(1), Some(id)) = (e.ike_version, e.message_id) {
            if id != 0 {
                ids.insert(id);
            }
        }
        spis.extend(e.spis.iter().copied());
    }
    (ids, spis)
}

/// A length of time in words: `3600.200 s (1 h 0 min 0.200 s)`.
fn duration(secs: f64) -> String {
    let a = secs.abs();
    if a < 60.0 {
        return format!("{secs:.3} s");
    }
    let whole = a.floor() as u64;
    let (d, h, m) = (whole / 86_400, whole % 86_400 / 3600, whole % 3600 / 60);
    let s = a - (whole - whole % 60) as f64;
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 || d > 0 {
        parts.push(format!("{h} h"));
    }
    parts.push(format!("{m} min {s:.3} s"));
    format!("{secs:.3} s ({})", parts.join(" "))
}

/// How far the device's clock is from the capture's, `secs` being capture
/// time minus log time: "N behind" when positive, "N ahead of" when
/// negative (never a negative amount behind).
fn clock_offset(secs: f64) -> String {
    if secs < 0.0 {
        format!("{} ahead of", duration(-secs))
    } else {
        format!("{} behind", duration(secs))
    }
}

/// Logs alone: one analysis for all of them.
pub fn analyze_logs(paths: &[PathBuf], opts: &Options) -> FileAnalysis {
    let name = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" + ");
    let mut loaded = Vec::new();
    let mut notices = Vec::new();
    for p in paths {
        match load(p, opts) {
            Ok(l) => loaded.push(l),
            Err(e) => return FileAnalysis::unreadable(name, e),
        }
    }
    for l in &loaded {
        describe(l, &mut notices);
    }
    let reads: Vec<LogRead> = loaded.iter().map(|l| l.read.clone()).collect();
    let (tunnels, coverage, unplaced) = logged::track(&reads);
    if unplaced.no_peer > 0 {
        notices.push(FileNotice::warning(format!(
            "{} log event(s) name no peer and could not be placed on a tunnel",
            unplaced.no_peer
        )));
    }
    let tunnels: Vec<TunnelReport> = tunnels
        .into_iter()
        .filter(|t| opts.peer.is_none_or(|p| t.peers.contains(&p)))
        .map(|t| TunnelReport::new(t, &coverage))
        .collect();
    let first = tunnels.iter().map(|t| t.tunnel.first).min();
    let last = tunnels.iter().map(|t| t.tunnel.last).max();
    FileAnalysis {
        path: name,
        read: None,
        error: None,
        notices,
        frames: 0,
        ipsec_packets: 0,
        filtered: 0,
        first,
        last,
        tunnels,
        findings: Vec::new(),
        logs: loaded.iter().map(summary).collect(),
        decryption: None,
    }
}

/// Logs beside a capture: estimate each log's clock offset, state it, and
/// add its events to the capture's tunnels.
pub(crate) fn attach(
    tracker: &mut Tracker,
    logs: &[LoadedLog],
    capture_last: Option<Timestamp>,
    notices: &mut Vec<FileNotice>,
) {
    if logs.is_empty() {
        return;
    }
    let snaps: Vec<Tunnel> = (0..tracker.len())
        .filter_map(|i| tracker.snapshot(TunnelId(i)))
        .collect();
    let cap = logged::capture_anchors(&snaps);
    // The device's own address for a peer: the other end of the one
    // capture tunnel that peer has.
    let local_for = |peer: IpAddr| -> Option<IpAddr> {
        let mut it = snaps.iter().filter(|t| t.peers.contains(&peer));
        let t = it.next()?;
        if it.next().is_some() {
            return None;
        }
        t.peers.iter().copied().find(|a| *a != peer)
    };
    let lone = match snaps.as_slice() {
        [t] => Some((t.peers[0], t.peers[1])),
        _ => None,
    };
    let untimed = capture_last.unwrap_or_default();
    let coverage = tracker.coverage().clone();
    let (cap_ids, cap_spis) = capture_ids(&snaps);
    for l in logs {
        describe(l, notices);
        // A log naming IKEv1 message IDs or ESP SPIs must share one with the
        // capture, or it describes other negotiations (same peers, another
        // day) and is not used.
        let (log_ids, log_spis) = log_ids(&l.read);
        let named = log_ids.len() + log_spis.len();
        let shared = log_ids.iter().filter(|i| cap_ids.contains(i)).count()
            + log_spis.iter().filter(|s| cap_spis.contains(s)).count();
        if named > 0 && shared == 0 {
            notices.push(FileNotice::warning(format!(
                "log {}: none of the {named} IKEv1 message IDs and ESP SPIs it names is in the capture: it describes other negotiations, and was not used",
                l.path
            )));
            continue;
        }
        let offset = logged::estimate_offset(&logged::log_anchors(&l.read), &cap);
        // One event fits some packet of its peer at some shift: a shift
        // resting on it alone proves nothing unless the clocks already agree.
        let mut unverified = false;
        let secs = match offset {
            Some(o) if o.matched > 0 => {
                unverified = o.matched < 2 && o.secs.abs() > logged::MATCH_WINDOW_SECS;
                notices.push(FileNotice::warning(format!(
                    "log {}: device clock {} the capture's (estimated from {} of {} events matching packets of their peer within 1 s); its events are shown on the capture's clock{}",
                    l.path,
                    clock_offset(o.secs),
                    o.matched,
                    o.anchors,
                    if unverified {
                        "; one event fits any shift, so this alignment is unverified: the log's lines may describe another attempt and are not taken as confirming the capture"
                    } else {
                        ""
                    }
                )));
                o.secs
            }
            _ => {
                notices.push(FileNotice::warning(format!(
                    "log {}: no event matched a packet of the capture (no common peer, or no time stamps); its times are taken as logged",
                    l.path
                )));
                0.0
            }
        };
        let (obs, unplaced) = logged::observations(&l.read, secs, untimed, &local_for, lone);
        if unplaced.no_peer > 0 {
            notices.push(FileNotice::warning(format!(
                "log {}: {} event(s) name no peer and could not be placed on a tunnel",
                l.path, unplaced.no_peer
            )));
        }
        for mut o in obs {
            if let Source::Log(line) = &mut o.source {
                line.clock_unverified = unverified;
            }
            tracker.observe(o);
        }
    }
    // The capture's coverage stays the capture's.
    *tracker.coverage_mut() = coverage;
}

#[cfg(test)]
mod clock_tests {
    use super::clock_offset;

    #[test]
    fn a_log_clock_later_than_the_capture_is_ahead_not_negative_behind() {
        assert_eq!(
            clock_offset(-431_999.6),
            "431999.600 s (4 d 23 h 59 min 59.600 s) ahead of"
        );
        assert_eq!(clock_offset(2.5), "2.500 s behind");
        assert_eq!(clock_offset(0.0), "0.000 s behind");
    }
}
