//! `--follow`: what the live view prints. One line per IKE message (the
//! ladder line) and per verdict change, as text or as one JSON event per
//! line, and the tunnel table a terminal redraws in place. Nothing here
//! analyses: the follow loop (`app::follow`) hands in tracked messages and
//! diagnosed tunnels.
//!
//! JSON events (`schema` as in docs/json.md):
//! `{"event":"message","tunnel":N,"peers":[a,b],"message":{…}}` with the
//! message object of the file document; `{"event":"verdict","tunnel":N,
//! "peers":[a,b],"change":"new"|"changed"|"cleared","was":SEVERITY|null,
//! "verdict":{…}}` (a cleared verdict carries only `code` and `severity`);
//! `{"event":"left","tunnel":N,"peers":[a,b],"reason":"idle"|"cap",
//! "idle_secs":S,"verdicts":[…]}` when a tunnel leaves the live state with
//! its final verdicts; `{"event":"notice","message":…}` when a limit of
//! the live state bites; and at the end `{"event":"summary","file":{…},
//! "live":{…}}` with the file document and the live state's counts.

use std::io::{self, Write};
use std::net::IpAddr;

use serde::Serialize;

use super::json;
use super::model::{FileAnalysis, TunnelReport};
use super::table::{phase1_text, phase2_text};
use super::term::escape;
use super::SCHEMA_VERSION;
use crate::capture::Timestamp;
use crate::diagnose::{Code, Severity, Verdict};
use crate::flow::{Copy, IkeMsg, Mode};

/// How a verdict moved since it was last printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    New,
    /// Its severity changed from this one.
    Changed(Severity),
    /// It no longer holds (later traffic answered what was missing).
    Cleared,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Changed(_) => "changed",
            Change::Cleared => "cleared",
        }
    }
}

/// Time of day (UTC) with milliseconds: live lines carry wall-clock time.
pub fn clock(t: Timestamp) -> String {
    let s = t.secs.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        t.nanos / 1_000_000
    )
}

fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "✓",
        Severity::Info => "i",
        Severity::Warning => "!",
        Severity::Error => "✗",
    }
}

/// The ladder label of a message: step, copy, fragment, error notifies.
pub fn label(m: &IkeMsg) -> String {
    let mut label = m.step.to_string();
    match (m.ike_fragment, m.frag_id) {
        (Some((n, last)), Some(_)) => label.push_str(&format!(
            " frag {n}{}",
            if last == 1 { " (last)" } else { "" }
        )),
        (Some((n, total)), None) => label.push_str(&format!(" frag {n}/{total}")),
        _ => {}
    }
    match m.copy {
        Copy::Original => {}
        Copy::RetransmissionOf(f) => label.push_str(&format!(" (retx of {f})")),
        Copy::CaptureDuplicateOf(f) => label.push_str(&format!(" (dup of {f})")),
        Copy::DecryptedTwinOf(f) => label.push_str(&format!(" (decrypted {f})")),
    }
    for n in m.error_notifies() {
        label.push_str(&format!(
            " N({})",
            n.name.map_or(n.notify_type.to_string(), str::to_string)
        ));
    }
    match m.body {
        crate::flow::Visibility::Opaque if m.encrypted => label.push_str(" [enc]"),
        crate::flow::Visibility::Decrypted => label.push_str(" [decrypted]"),
        _ => {}
    }
    label
}

/// One IKE message as a line.
pub fn message_text(out: &mut dyn Write, tunnel: usize, m: &IkeMsg) -> io::Result<()> {
    writeln!(
        out,
        "{}  #{tunnel:<3} {} → {}  {}  (frame {})",
        clock(m.ts),
        m.src,
        m.dst,
        escape(&label(m)),
        m.frame
    )
}

#[derive(Serialize)]
struct MessageEvent<'a> {
    schema: u32,
    event: &'static str,
    tunnel: usize,
    peers: [IpAddr; 2],
    message: json::MessageJson<'a>,
}

/// One IKE message as a JSON event line.
pub fn message_json(
    out: &mut dyn Write,
    tunnel: usize,
    peers: [IpAddr; 2],
    m: &IkeMsg,
) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &MessageEvent {
            schema: SCHEMA_VERSION,
            event: "message",
            tunnel,
            peers,
            message: json::message(m),
        },
    )?;
    writeln!(out)
}

/// A verdict that changed: the verdict now, or for a cleared one its code
/// and last severity.
pub enum Shown<'a> {
    Now(&'a Verdict),
    Gone(Code, Severity),
}

/// A verdict change as a line.
pub fn verdict_text(
    out: &mut dyn Write,
    at: Timestamp,
    tunnel: usize,
    peers: [IpAddr; 2],
    change: Change,
    v: Shown<'_>,
) -> io::Result<()> {
    match v {
        Shown::Now(v) => {
            let how = match change {
                Change::Changed(was) => format!("{}, was {}", v.severity.as_str(), was.as_str()),
                _ => format!("{}, {}", v.severity.as_str(), change.as_str()),
            };
            writeln!(
                out,
                "{}  #{tunnel:<3} {} {} ({how}) {} ⇄ {}: {}",
                clock(at),
                mark(v.severity),
                v.code,
                peers[0],
                peers[1],
                escape(&v.message)
            )
        }
        Shown::Gone(code, was) => writeln!(
            out,
            "{}  #{tunnel:<3} {code} cleared (was {}) {} ⇄ {}",
            clock(at),
            was.as_str(),
            peers[0],
            peers[1]
        ),
    }
}

#[derive(Serialize)]
struct GoneJson {
    code: Code,
    severity: Severity,
}

#[derive(Serialize)]
#[serde(untagged)]
enum VerdictOrGone<'a> {
    Now(json::VerdictJson<'a>),
    Gone(GoneJson),
}

#[derive(Serialize)]
struct VerdictEvent<'a> {
    schema: u32,
    event: &'static str,
    time: Timestamp,
    tunnel: usize,
    peers: [IpAddr; 2],
    change: &'static str,
    was: Option<Severity>,
    verdict: VerdictOrGone<'a>,
}

/// A verdict change as a JSON event line.
pub fn verdict_json(
    out: &mut dyn Write,
    at: Timestamp,
    tunnel: usize,
    peers: [IpAddr; 2],
    change: Change,
    v: Shown<'_>,
) -> io::Result<()> {
    let was = match (change, &v) {
        (Change::Changed(w), _) => Some(w),
        (Change::Cleared, Shown::Gone(_, w)) => Some(*w),
        _ => None,
    };
    let verdict = match v {
        Shown::Now(v) => VerdictOrGone::Now(json::verdict(v)),
        Shown::Gone(code, severity) => VerdictOrGone::Gone(GoneJson { code, severity }),
    };
    serde_json::to_writer(
        &mut *out,
        &VerdictEvent {
            schema: SCHEMA_VERSION,
            event: "verdict",
            time: at,
            tunnel,
            peers,
            change: change.as_str(),
            was,
            verdict,
        },
    )?;
    writeln!(out)
}

/// How the live state was bounded over a `--follow` run.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LiveCounts {
    /// Tunnels still tracked at the end (those the summary covers).
    pub tunnels: usize,
    /// The most tunnels tracked at once.
    pub peak_tunnels: usize,
    /// Tunnels that left after `expire_secs` quiet.
    pub expired: u64,
    /// Tunnels that left because `max_tunnels` were tracked.
    pub capped: u64,
    /// ESP/AH SAs forgotten because `max_sas` were tracked.
    pub sas_forgotten: u64,
    pub expire_secs: f64,
    pub max_tunnels: usize,
    pub max_sas: usize,
}

/// Why a tunnel left the live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LeaveReason {
    /// Quiet for longer than the expiry.
    Idle,
    /// The cap on tunnels tracked at once was reached.
    Cap,
}

/// A tunnel leaving the live state, with its final verdicts.
pub struct Left<'a> {
    pub at: Timestamp,
    pub tunnel: usize,
    pub peers: [IpAddr; 2],
    pub reason: LeaveReason,
    /// Seconds since it last carried anything.
    pub idle_secs: f64,
    pub verdicts: &'a [Verdict],
}

/// A tunnel leaving, as a line: its final verdicts, worst first.
pub fn left_text(out: &mut dyn Write, e: &Left<'_>) -> io::Result<()> {
    let mut v: Vec<&Verdict> = e.verdicts.iter().collect();
    v.sort_by_key(|v| std::cmp::Reverse(v.severity));
    let verdicts: Vec<String> = v
        .iter()
        .map(|v| format!("{} {}", mark(v.severity), v.code))
        .collect();
    writeln!(
        out,
        "{}  #{:<3} expired ({}, quiet {:.0} s) {} ⇄ {}: final {}",
        clock(e.at),
        e.tunnel,
        match e.reason {
            LeaveReason::Idle => "idle",
            LeaveReason::Cap => "live tunnel cap",
        },
        e.idle_secs,
        e.peers[0],
        e.peers[1],
        if verdicts.is_empty() {
            "no verdict".to_string()
        } else {
            verdicts.join(", ")
        }
    )
}

#[derive(Serialize)]
struct LeftEvent<'a> {
    schema: u32,
    event: &'static str,
    time: Timestamp,
    tunnel: usize,
    peers: [IpAddr; 2],
    reason: LeaveReason,
    idle_secs: f64,
    verdicts: Vec<json::VerdictJson<'a>>,
}

/// A tunnel leaving, as a JSON event line.
pub fn left_json(out: &mut dyn Write, e: &Left<'_>) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &LeftEvent {
            schema: SCHEMA_VERSION,
            event: "left",
            time: e.at,
            tunnel: e.tunnel,
            peers: e.peers,
            reason: e.reason,
            idle_secs: e.idle_secs,
            verdicts: e.verdicts.iter().map(json::verdict).collect(),
        },
    )?;
    writeln!(out)
}

/// A limit of the live state that bit, as a line.
pub fn notice_text(out: &mut dyn Write, at: Timestamp, message: &str) -> io::Result<()> {
    writeln!(out, "{}  notice: {}", clock(at), escape(message))
}

#[derive(Serialize)]
struct NoticeEvent<'a> {
    schema: u32,
    event: &'static str,
    time: Timestamp,
    message: &'a str,
}

/// A limit of the live state that bit, as a JSON event line.
pub fn notice_json(out: &mut dyn Write, at: Timestamp, message: &str) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &NoticeEvent {
            schema: SCHEMA_VERSION,
            event: "notice",
            time: at,
            message,
        },
    )?;
    writeln!(out)
}

#[derive(Serialize)]
struct SummaryEvent<'a> {
    schema: u32,
    event: &'static str,
    file: json::FileJson<'a>,
    live: &'a LiveCounts,
}

/// The final analysis as a JSON event line.
pub fn summary_json(out: &mut dyn Write, f: &FileAnalysis, live: &LiveCounts) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &SummaryEvent {
            schema: SCHEMA_VERSION,
            event: "summary",
            file: json::file_json(f),
            live,
        },
    )?;
    writeln!(out)
}

/// The live state's counts under the text summary.
pub fn counts_text(out: &mut dyn Write, c: &LiveCounts) -> io::Result<()> {
    writeln!(
        out,
        "live: {} tunnel(s) tracked at the end, at most {} at once; {} expired after {:.0} s quiet, {} left at the cap of {}; {} ESP/AH SA(s) forgotten at the cap of {}",
        c.tunnels, c.peak_tunnels, c.expired, c.expire_secs, c.capped, c.max_tunnels, c.sas_forgotten, c.max_sas
    )
}

/// Cut a cell to `w` characters (an ellipsis says it was cut).
fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        format!("{s:<w$}")
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// One row of the live table: tunnel number, its latest state, and the
/// verdicts printed so far (those that have held).
pub type Row<'a> = (usize, &'a TunnelReport, Vec<(Code, Severity)>);

/// The live tunnel table: a header and one line per tunnel (the first
/// `max_rows`; a last line counts the others), each at most `width` wide.
pub fn table(rows: &[Row<'_>], width: usize, max_rows: usize) -> Vec<String> {
    let mut out = Vec::new();
    let head = format!(
        "{:<4} {:<33} {:<10} {:<30} {:<18} {}",
        "#", "peers", "IKE", "phase 1", "phase 2", "verdicts"
    );
    out.push(fit(&head, width).trim_end().to_string());
    for (n, tr, shown) in rows.iter().take(max_rows) {
        let t = &tr.tunnel;
        let sa = t.ike_sas.last();
        let st = tr.sas.last();
        let ike = sa.map_or("-".to_string(), |s| match s.mode {
            Mode::Main => "v1 Main".to_string(),
            Mode::Aggressive => "v1 Aggr".to_string(),
            Mode::Ikev2 => "IKEv2".to_string(),
            Mode::Unknown => format!("IKEv{}", s.version),
        });
        let (p1, p2) = match (sa, st) {
            (Some(sa), Some(st)) => (phase1_text(sa, st), phase2_text(sa, st)),
            _ => ("-".to_string(), "-".to_string()),
        };
        let verdicts: Vec<String> = shown
            .iter()
            .map(|(code, sev)| format!("{} {code}", mark(*sev)))
            .collect();
        let line = format!(
            "{:<4} {} {} {} {} {}",
            n,
            fit(&format!("{} ⇄ {}", t.peers[0], t.peers[1]), 33),
            fit(&ike, 10),
            fit(&p1, 30),
            fit(&p2, 18),
            if verdicts.is_empty() {
                "-".to_string()
            } else {
                verdicts.join(", ")
            }
        );
        out.push(fit(&line, width).trim_end().to_string());
    }
    if rows.len() > max_rows {
        out.push(format!(
            "… {} more tunnel(s) not shown (terminal height)",
            rows.len() - max_rows
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_and_fit() {
        let t = Timestamp {
            secs: 86_400 * 3 + 3_723,
            nanos: 45_000_000,
        };
        assert_eq!(clock(t), "01:02:03.045");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab  ");
    }
}
