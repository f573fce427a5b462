//! `ikescope ladder`: a sequence diagram per IKE SA in the style of the Cisco
//! troubleshooting guides, ending with the stall point.

use crate::flow::LoggedEvent;
use std::io::{self, Write};

use super::model::{FileAnalysis, SaState};
use super::table::{phase1_text, phase2_text};
use crate::capture::Timestamp;
use crate::diagnose::Severity;
use crate::flow::{Dir, IkeMsg, IkeSa};

const WIDTH: usize = 44;

/// Arrow width: the standard one, or wider for the longest label of the SA.
fn width(sa: &IkeSa) -> usize {
    sa.messages
        .iter()
        .map(|m| label(m).chars().count() + 8)
        .max()
        .unwrap_or(0)
        .max(WIDTH)
}

fn arrow(m: &IkeMsg, width: usize) -> String {
    let label = label(m);
    let body = format!(" {label} ");
    let dashes = width.saturating_sub(body.chars().count() + 2);
    let left = dashes / 2;
    let right = dashes - left;
    match m.dir {
        Dir::I2R => format!("|{}{body}{}>|", "-".repeat(left), "-".repeat(right)),
        Dir::R2I => format!("|<{}{body}{}|", "-".repeat(left), "-".repeat(right)),
    }
}

fn label(m: &IkeMsg) -> String {
    let mut label = m.step.to_string();
    if m.copy.duplicate_of().is_some() {
        label.push_str(" (dup)");
    }
    match (m.ike_fragment, m.frag_id) {
        // IKEv1 Cisco fragment: number and last flag.
        (Some((n, last)), Some(_)) => label.push_str(&format!(
            " frag {n}{}",
            if last == 1 { " (last)" } else { "" }
        )),
        // IKEv2 SKF (RFC 7383): number of total.
        (Some((n, total)), None) => label.push_str(&format!(" frag {n}/{total}")),
        _ => {}
    }
    if let Some(f) = m.retransmit_of() {
        label.push_str(&format!(" (retx of {f})"));
    }
    // Error notifications only: status ones (NAT-D, fragmentation support...)
    // would crowd the arrow.
    for n in m.error_notifies() {
        label.push_str(&format!(
            " N({})",
            n.name.map_or(n.notify_type.to_string(), str::to_string)
        ));
    }
    let decrypted = m.obs.body == crate::flow::observation::Visibility::Decrypted;
    if decrypted {
        for d in &m.obs.deletes {
            label.push_str(&format!(" D({})", d.spis.join(",")));
        }
    }
    if m.encrypted && decrypted && !m.decrypted_copy {
        // Read with keys (`--keys`).
        label.push_str(" [decrypted]");
    } else if m.encrypted && m.step == crate::flow::Step::Informational {
        label.push_str(" [enc]");
    }
    label
}

/// A device log line beside the packets: where it was read and what it says.
fn event_line(e: &LoggedEvent, zero: Timestamp) -> String {
    let at = e
        .source
        .log_line()
        .map_or(String::new(), |l| format!("{}:{}", short(&l.file), l.line));
    format!(
        "  {:>6} {:>9.3}  log {at}: {}",
        "",
        e.ts.since(zero),
        super::escape::escape(&e.event.text)
    )
}

/// A log file's name without its directories (the ladder is narrow).
fn short(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn write_sa(
    out: &mut dyn Write,
    sa: &IkeSa,
    st: &SaState,
    zero: Timestamp,
    events: &[&LoggedEvent],
) -> io::Result<()> {
    writeln!(
        out,
        "  IKEv{} SA {:016x}/{:016x}",
        sa.version, sa.ispi, sa.rspi
    )?;
    let w = width(sa);
    let (half, rest) = (w / 2, w - w / 2);
    writeln!(
        out,
        "  {:>6} {:>9}  {:<half$}{:>rest$}",
        "frame",
        "time",
        sa.initiator.to_string(),
        sa.responder.to_string()
    )?;
    writeln!(
        out,
        "  {:>6} {:>9}  {:<half$}{:>rest$}",
        "", "", "(initiator)", "(responder)"
    )?;
    let mut ev = events.iter().peekable();
    for m in &sa.messages {
        while let Some(e) = ev.next_if(|e| e.ts <= m.ts) {
            writeln!(out, "{}", event_line(e, zero))?;
        }
        writeln!(
            out,
            "  {:>6} {:>9.3}  {}",
            m.frame,
            m.ts.since(zero),
            arrow(m, w)
        )?;
    }
    for e in ev {
        writeln!(out, "{}", event_line(e, zero))?;
    }
    if sa.dropped_messages > 0 {
        writeln!(
            out,
            "  ... {} later messages not shown",
            sa.dropped_messages
        )?;
    }
    writeln!(
        out,
        "  Phase 1: {}   Phase 2: {}",
        phase1_text(sa, st),
        phase2_text(sa, st)
    )?;
    Ok(())
}

/// Write the ladder of every tunnel in a file (optionally one peer only).
pub fn write_file(
    out: &mut dyn Write,
    f: &FileAnalysis,
    peer: Option<std::net::IpAddr>,
) -> io::Result<()> {
    writeln!(out, "{}", f.path)?;
    let zero = f.first.unwrap_or_default();
    for (i, tr) in f.tunnels.iter().enumerate() {
        let t = &tr.tunnel;
        if peer.is_some_and(|p| !t.peers.contains(&p)) {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "Tunnel {}: {} ⇄ {}", i + 1, t.peers[0], t.peers[1])?;
        // Device log lines go with the IKE SA whose time span holds them
        // (before the second SA's start: the first; after: the last).
        let mut events: Vec<&LoggedEvent> = t.events.iter().collect();
        events.sort_by_key(|e| e.ts);
        for (i, (sa, st)) in t.ike_sas.iter().zip(&tr.sas).enumerate() {
            let next = t.ike_sas.get(i + 1).map(|n| n.first);
            let mine: Vec<&LoggedEvent> = events
                .iter()
                .copied()
                .filter(|e| (i == 0 || e.ts >= sa.first) && next.is_none_or(|n| e.ts < n))
                .collect();
            write_sa(out, sa, st, zero, &mine)?;
        }
        if t.ike_sas.is_empty() {
            for e in &events {
                writeln!(out, "{}", event_line(e, zero))?;
            }
        }
        if t.dropped_sas > 0 {
            writeln!(
                out,
                "  ... {} more IKE SAs between these peers were counted, not tracked (limit {})",
                t.dropped_sas,
                crate::flow::MAX_SAS_PER_TUNNEL
            )?;
        }
        for e in &t.esp {
            writeln!(
                out,
                "  ESP 0x{:08x} {} → {}: {} packets, frames {}-{} ({:.3}-{:.3} s)",
                e.spi,
                e.src,
                e.dst,
                e.packets,
                e.first_frame,
                e.last_frame,
                e.first.since(zero),
                e.last.since(zero)
            )?;
        }
        match tr.verdicts.iter().find(|v| v.severity >= Severity::Warning) {
            Some(v) => writeln!(
                out,
                "  ==> STALLED: {} — {} ({})",
                v.code,
                super::escape::escape(&v.message),
                if v.frames.is_empty() {
                    format!("{} log line(s)", v.lines.len())
                } else {
                    format!("frames {}", super::frame_list(&v.frames))
                }
            )?,
            None => {
                let codes: Vec<&str> = tr.verdicts.iter().map(|v| v.code.as_str()).collect();
                writeln!(
                    out,
                    "  ==> {}",
                    if codes.is_empty() {
                        "no verdict".to_string()
                    } else {
                        codes.join(", ")
                    }
                )?
            }
        }
    }
    Ok(())
}
