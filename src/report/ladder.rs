//! `ikescope ladder`: a sequence diagram per IKE SA in the style of the Cisco
//! troubleshooting guides, ending with the stall point.

use crate::flow::LoggedEvent;
use std::io::{self, Write};

use super::model::{FileAnalysis, SaState};
use super::table::{phase1_text, phase2_text};
use super::term;
use crate::capture::Timestamp;
use crate::diagnose::Severity;
use crate::flow::{Dir, IkeMsg, IkeSa};

/// The arrow's usual width; wider for long labels when the line allows.
const ARROW: usize = 44;
/// Columns before the arrow: indent, frame, time and their gaps.
const LEAD: usize = 2 + 6 + 1 + 9 + 2;

/// Arrow width for an SA: the usual one, or wider for its longest label,
/// within what `width` leaves after the ports column.
fn arrow_width(sa: &IkeSa, width: usize, ports_w: usize) -> usize {
    let want = sa
        .messages
        .iter()
        .map(|m| term::width_of(&label(m)) + 8)
        .max()
        .unwrap_or(0)
        .max(ARROW);
    let room = width.saturating_sub(LEAD + 2 + ports_w);
    want.min(room).max(16)
}

/// The ports a message went from and to (`500→4500` shows the NAT-T float).
fn ports(m: &IkeMsg) -> String {
    let p = |e: &crate::flow::Endpoint| e.port.map_or("-".to_string(), |p| p.to_string());
    format!("{}→{}", p(&m.src), p(&m.dst))
}

/// The arrow of a message, and the rest of its label when it does not fit
/// inside (printed on the lines below).
fn arrow(m: &IkeMsg, width: usize) -> (String, Vec<String>) {
    let label = term::escape(&label(m)).into_owned();
    // The label's first line fits the arrow with at least two dashes a side.
    let inner = width.saturating_sub(8).max(4);
    let mut parts = term::wrap(&label, inner, "", "").into_iter();
    let head = parts.next().unwrap_or_default();
    let rest: Vec<String> = parts.collect();
    let body = format!(" {head} ");
    // "|" and ">|" (or "|<" and "|") take three columns.
    let dashes = width.saturating_sub(term::width_of(&body) + 3);
    let left = dashes / 2;
    let right = dashes - left;
    let a = match m.dir {
        Dir::I2R => format!("|{}{body}{}>|", "-".repeat(left), "-".repeat(right)),
        Dir::R2I => format!("|<{}{body}{}|", "-".repeat(left), "-".repeat(right)),
    };
    (a, rest)
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
    // Error notifications, and the status ones that change the course of
    // the exchange (COOKIE: the initiator must ask again with it; REDIRECT:
    // it must go elsewhere). Others (NAT-D, fragmentation support...) would
    // crowd the arrow.
    let steers = |t: u16| {
        m.step.version() == 2
            && matches!(
                t,
                crate::registry::ikev2::notify::COOKIE
                    | crate::registry::proto::notify_v2::REDIRECT
            )
    };
    for n in m
        .error_notifies()
        .chain(m.notifies.iter().filter(|n| steers(n.notify_type)))
    {
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

fn put(out: &mut dyn Write, lines: Vec<String>) -> io::Result<()> {
    for l in lines {
        writeln!(out, "{}", l.trim_end())?;
    }
    Ok(())
}

/// A device log line beside the packets: where it was read and what it
/// says, wrapped to `width` under the arrows.
fn event_line(e: &LoggedEvent, zero: Timestamp, width: usize) -> Vec<String> {
    let at = e
        .source
        .log_line()
        .map_or(String::new(), |l| format!("{}:{}", short(&l.file), l.line));
    let lead = format!("  {:>6} {:>9.3}  ", "", e.ts.since(zero));
    let body = format!("log {at}: {}", e.event.text);
    term::wrap(&body, width, &lead, &" ".repeat(LEAD + 4))
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
    width: usize,
    events: &[&LoggedEvent],
) -> io::Result<()> {
    writeln!(
        out,
        "  IKEv{} SA {:016x}/{:016x}",
        sa.version, sa.ispi, sa.rspi
    )?;
    let ports_w = sa
        .messages
        .iter()
        .map(|m| term::width_of(&ports(m)))
        .max()
        .unwrap_or(0)
        .max("ports".len());
    let w = arrow_width(sa, width, ports_w);
    let (init, resp) = (sa.initiator.to_string(), sa.responder.to_string());
    let blank = " ".repeat(LEAD - 2);
    if term::width_of(&init) + 1 + term::width_of(&resp) <= w {
        let gap = w - term::width_of(&init) - term::width_of(&resp);
        writeln!(
            out,
            "  {:>6} {:>9}  {init}{}{resp}  ports",
            "frame",
            "time",
            " ".repeat(gap),
        )?;
    } else {
        // Long (IPv6) endpoints: one per line.
        writeln!(out, "  {:>6} {:>9}  {init}", "frame", "time")?;
        writeln!(out, "  {blank}{resp:>w$}  ports")?;
    }
    let (i_tag, r_tag) = ("(initiator)", "(responder)");
    writeln!(
        out,
        "  {blank}{i_tag}{}{r_tag}",
        " ".repeat(w.saturating_sub(i_tag.len() + r_tag.len()))
    )?;
    let mut ev = events.iter().peekable();
    for m in &sa.messages {
        while let Some(e) = ev.next_if(|e| e.ts <= m.ts) {
            put(out, event_line(e, zero, width))?;
        }
        let (a, rest) = arrow(m, w);
        writeln!(
            out,
            "  {:>6} {:>9.3}  {a}  {}",
            m.frame,
            m.ts.since(zero),
            ports(m)
        )?;
        for r in rest {
            writeln!(out, "  {blank}  {r}")?;
        }
    }
    for e in ev {
        put(out, event_line(e, zero, width))?;
    }
    if sa.dropped_messages > 0 {
        writeln!(
            out,
            "  ... {} later messages not shown",
            sa.dropped_messages
        )?;
    }
    put(
        out,
        term::wrap(
            &format!(
                "Phase 1: {}; Phase 2: {}",
                phase1_text(sa, st),
                phase2_text(sa, st)
            ),
            width,
            "  ",
            "    ",
        ),
    )?;
    Ok(())
}

/// Write the ladder of every tunnel in a file (optionally one peer only),
/// every line at most `width` columns.
pub fn write_file(
    out: &mut dyn Write,
    f: &FileAnalysis,
    peer: Option<std::net::IpAddr>,
    width: usize,
) -> io::Result<()> {
    put(out, term::wrap(&f.path, width, "", "  "))?;
    if let Some(e) = &f.error {
        put(out, term::wrap(e, width, "  error: ", "    "))?;
        return Ok(());
    }
    let zero = f.first.unwrap_or_default();
    let shown: Vec<(usize, &super::model::TunnelReport)> = f
        .tunnels
        .iter()
        .enumerate()
        .filter(|(_, tr)| peer.is_none_or(|p| tr.tunnel.peers.contains(&p)))
        .collect();
    if shown.is_empty() {
        let text = match peer {
            _ if f.tunnels.is_empty() && f.filtered == 0 => {
                "No IKE, ESP or AH traffic found: nothing to draw.".to_string()
            }
            Some(p) => format!(
                "No tunnel with peer {p} ({} other tunnel(s) in the file).",
                f.tunnels.len()
            ),
            None => "No IKE, ESP or AH traffic matches the filter.".to_string(),
        };
        put(out, term::wrap(&text, width, "  ", "  "))?;
        return Ok(());
    }
    for (i, tr) in shown {
        let t = &tr.tunnel;
        writeln!(out)?;
        put(
            out,
            term::wrap(
                &format!(
                    "Tunnel {}: {} ⇄ {}",
                    i + 1,
                    super::peer_text(t.peers[0]),
                    super::peer_text(t.peers[1])
                ),
                width,
                "",
                "  ",
            ),
        )?;
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
            write_sa(out, sa, st, zero, width, &mine)?;
        }
        if t.ike_sas.is_empty() {
            for e in &events {
                put(out, event_line(e, zero, width))?;
            }
        }
        if t.dropped_sas > 0 {
            put(
                out,
                term::wrap(
                    &format!(
                        "... {} more IKE SAs between these peers were counted, not tracked (limit {})",
                        t.dropped_sas,
                        crate::flow::MAX_SAS_PER_TUNNEL
                    ),
                    width,
                    "  ",
                    "    ",
                ),
            )?;
        }
        for e in &t.esp {
            let line = format!(
                "ESP 0x{:08x} {} → {}: {} packets, frames {}-{} ({:.3}-{:.3} s)",
                e.spi,
                e.src,
                e.dst,
                e.packets,
                e.first_frame,
                e.last_frame,
                e.first.since(zero),
                e.last.since(zero)
            );
            put(out, term::wrap(&line, width, "  ", "    "))?;
        }
        let end = match tr
            .verdicts
            .iter()
            .find(|v| v.severity >= Severity::Warning && !v.code.is_security_finding())
        {
            Some(v) => format!(
                "==> STALLED: {} — {} ({})",
                v.code,
                v.message,
                if v.frames.is_empty() {
                    format!("{} log line(s)", v.lines.len())
                } else {
                    format!("frames {}", super::frame_list(&v.frames))
                }
            ),
            None => {
                let codes: Vec<&str> = tr.verdicts.iter().map(|v| v.code.as_str()).collect();
                format!(
                    "==> {}",
                    if codes.is_empty() {
                        "no verdict".to_string()
                    } else {
                        codes.join(", ")
                    }
                )
            }
        };
        put(out, term::wrap(&end, width, "  ", "      "))?;
    }
    Ok(())
}
