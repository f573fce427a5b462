//! `ikescope FILE`: one row per tunnel, then every warning and error verdict
//! with its evidence, likely causes, offered proposals and what to check.

use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};

use super::model::{FileAnalysis, SaState, TunnelReport};
use super::{config, frame_list, wireshark_filter};
use crate::diagnose::{advice, Offered, Severity};
use crate::flow::{IkeSa, Mode, Role, Step, Tunnel};
use crate::registry::proto::ExchangeV2;

fn mode_text(sa: &IkeSa) -> String {
    match sa.mode {
        Mode::Main => "IKEv1 Main".to_string(),
        Mode::Aggressive => "IKEv1 Aggressive".to_string(),
        Mode::Ikev2 => "IKEv2".to_string(),
        Mode::Unknown => format!("IKEv{}", sa.version),
    }
}

/// Phase 1 column: last message and the Cisco state of the waiting side.
pub fn phase1_text(sa: &IkeSa, st: &SaState) -> String {
    let p = &st.phase1;
    let last = p
        .last_message
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    if sa.version == 1 {
        format!("{last} ({} / {})", p.asa, p.ios)
    } else {
        format!(
            "{last} ({})",
            if p.complete { "established" } else { p.asa }
        )
    }
}

/// Phase 2 column.
pub fn phase2_text(sa: &IkeSa, st: &SaState) -> String {
    let done = st.children.iter().filter(|c| c.answered).count();
    if sa.version == 1 {
        if st.children.is_empty() {
            return "-".to_string();
        }
        let stuck: Vec<String> = st
            .children
            .iter()
            .filter(|c| !c.answered)
            .map(|c| format!("{} ×{}", c.last, c.frames.len()))
            .collect();
        let mut s = format!("{done} of {} QM done", st.children.len());
        if !stuck.is_empty() {
            s.push_str(&format!("; stalled: {}", stuck.join(", ")));
        }
        s
    } else {
        let auth = |answered: bool| {
            st.children.iter().any(|c| {
                c.answered == answered && c.last == Step::V2(ExchangeV2::IkeAuth, Role::Response)
            })
        };
        let children = st
            .children
            .iter()
            .filter(|c| c.answered && c.last == Step::V2(ExchangeV2::CreateChildSa, Role::Response))
            .count();
        match (auth(true), auth(false), children) {
            (false, false, 0) => "-".to_string(),
            (true, _, 0) => "IKE_AUTH answered".to_string(),
            (false, true, 0) => "IKE_AUTH refused".to_string(),
            (a, _, n) => format!("{}{n} CREATE_CHILD_SA", if a { "IKE_AUTH + " } else { "" }),
        }
    }
}

fn esp_text(t: &Tunnel) -> String {
    if t.esp.is_empty() {
        return "-".to_string();
    }
    t.esp
        .iter()
        .map(|e| {
            let arrow = if e.src == t.peers[0] { "→" } else { "←" };
            format!(
                "{arrow} {}{:08x} {} pkts{}",
                if e.proto == crate::flow::EspProto::Ah {
                    "AH "
                } else {
                    ""
                },
                e.spi,
                e.packets,
                if e.seq.lost > 0 {
                    format!(", {} lost", e.seq.lost)
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn dash(lines: Vec<String>) -> String {
    if lines.is_empty() {
        "-".to_string()
    } else {
        lines.join("\n")
    }
}

/// A peer address; the unspecified address stands for a device whose own
/// address its log never names.
fn peer_text(a: std::net::IpAddr) -> String {
    if a.is_unspecified() {
        "(this device)".to_string()
    } else {
        a.to_string()
    }
}

fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "✓",
        Severity::Info => "i",
        Severity::Warning => "!",
        Severity::Error => "✗",
    }
}

/// Write the summary of one file.
pub fn write_file(out: &mut dyn Write, f: &FileAnalysis) -> io::Result<()> {
    let fmt = f
        .read
        .as_ref()
        .map(|r| {
            format!(
                "{}{}",
                super::json::format_name(r.format),
                if r.compressed { ", gzip" } else { "" }
            )
        })
        .unwrap_or_else(|| {
            if f.error.is_none() && !f.logs.is_empty() {
                "device log(s)".to_string()
            } else {
                "unreadable".to_string()
            }
        });
    if f.read.is_none() && f.error.is_none() && !f.logs.is_empty() {
        writeln!(out, "{} — {fmt}, {} tunnel(s)", f.path, f.tunnels.len())?;
    } else {
        writeln!(
            out,
            "{} — {fmt}, {} frames, {} IPsec packets, {} tunnel(s)",
            f.path,
            f.frames,
            f.ipsec_packets,
            f.tunnels.len()
        )?;
    }
    if let Some(e) = &f.error {
        writeln!(
            out,
            "  error: {}",
            super::escape::escape(e).replace("\\u{a}", "\n    ")
        )?;
        return Ok(());
    }
    for l in &f.logs {
        writeln!(out, "  log {}", super::escape::escape(l))?;
    }
    for n in &f.notices {
        let at = match (n.offset, n.line, n.frame) {
            (_, Some(l), _) => format!(" (line {l})"),
            (Some(o), _, _) => format!(" (offset {o:#x})"),
            (_, _, Some(fr)) => format!(" (frame {fr})"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {:?}: {}{at}",
            n.level,
            super::escape::escape(&n.message).replace("\\u{a}", "\n    ")
        )?;
    }
    if let Some(d) = &f.decryption {
        super::decryption::write(out, d)?;
    }
    if f.tunnels.is_empty() {
        if f.filtered > 0 {
            writeln!(
                out,
                "  No IKE, ESP or AH traffic matches the filter ({} IPsec packet(s) of other peers or SPIs left out).",
                f.filtered
            )?;
            return Ok(());
        }
        writeln!(out, "  No IKE, ESP or AH traffic found.")?;
        return Ok(());
    }
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(vec![
            "#",
            "Peers",
            "IKE",
            "Initiator",
            "Phase 1",
            "Phase 2",
            "ESP/AH",
            "Verdicts",
        ]);
    for (i, tr) in f.tunnels.iter().enumerate() {
        let t = &tr.tunnel;
        let sa = t.ike_sas.first();
        let verdicts: Vec<String> = tr
            .verdicts
            .iter()
            .map(|v| format!("{} {}", mark(v.severity), v.code))
            .collect();
        // A tunnel known only from device logs: the phases as logged.
        let logged = |x: Option<bool>| match x {
            Some(true) => "up (logged)".to_string(),
            Some(false) => "failed (logged)".to_string(),
            None => "-".to_string(),
        };
        let from_log = sa.is_none();
        table.add_row(vec![
            (i + 1).to_string(),
            format!("{}\n{}", peer_text(t.peers[0]), peer_text(t.peers[1])),
            match (sa, tr.logged.version) {
                (Some(s), _) => mode_text(s),
                (None, Some(v)) => format!("IKEv{v} (logged)"),
                (None, None) => "-".to_string(),
            },
            sa.map_or("-".to_string(), |s| s.initiator.addr.to_string()),
            if from_log {
                logged(tr.logged.phase1)
            } else {
                dash(
                    t.ike_sas
                        .iter()
                        .zip(&tr.sas)
                        .map(|(sa, st)| phase1_text(sa, st))
                        .collect(),
                )
            },
            if from_log {
                logged(tr.logged.phase2)
            } else {
                dash(
                    t.ike_sas
                        .iter()
                        .zip(&tr.sas)
                        .map(|(sa, st)| phase2_text(sa, st))
                        .collect(),
                )
            },
            esp_text(t),
            verdicts.join("\n"),
        ]);
    }
    writeln!(out, "{table}")?;
    for (i, tr) in f.tunnels.iter().enumerate() {
        write_details(out, i + 1, tr)?;
    }
    Ok(())
}

fn write_details(out: &mut dyn Write, n: usize, tr: &TunnelReport) -> io::Result<()> {
    let t = &tr.tunnel;
    let serious: Vec<_> = tr
        .verdicts
        .iter()
        .filter(|v| v.severity >= Severity::Warning)
        .collect();
    if serious.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Tunnel {n}: {} ⇄ {}", t.peers[0], t.peers[1])?;
    for v in serious {
        writeln!(
            out,
            "  {} {} [{}]",
            mark(v.severity),
            v.code,
            v.severity.as_str()
        )?;
        writeln!(out, "    {}", advice::info(v.code).meaning)?;
        writeln!(out, "    Seen: {}", super::escape::escape(&v.message))?;
        if !v.frames.is_empty() {
            writeln!(out, "    Frames: {}", frame_list(&v.frames))?;
        }
        if !v.lines.is_empty() {
            let lines: Vec<String> = v
                .lines
                .iter()
                .take(8)
                .map(|l| super::escape::escape(&format!("{}:{}", l.file, l.line)))
                .collect();
            let more = v.lines.len().saturating_sub(lines.len());
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            writeln!(out, "    Log lines: {}{tail}", lines.join(", "))?;
        }
        // The cause a device log names (JSON carries every verdict's cause).
        if let (Some(c), crate::diagnose::Basis::Logged) = (v.cause, v.basis) {
            writeln!(out, "    Cause (logged): {} [{}]", c.text(), c.code())?;
        }
        if !v.candidates.is_empty() {
            writeln!(out, "    Likeliest causes:")?;
            for (i, c) in v.candidates.iter().enumerate() {
                writeln!(out, "      {}. {c}", i + 1)?;
            }
        }
        if let Some(o) = &v.offered {
            writeln!(out, "    The initiator offered (as configuration):")?;
            let lines = match o {
                Offered::V1(t) => config::v1_phase1(t),
                Offered::V2(p) => config::v2_ike(p),
            };
            for l in lines {
                writeln!(out, "      {l}")?;
            }
        }
        let info = advice::info(v.code);
        if !info.checks.is_empty() {
            writeln!(out, "    Check:")?;
            for c in info.checks {
                writeln!(out, "      - {c}")?;
            }
        }
    }
    writeln!(out, "  Wireshark filter: {}", wireshark_filter(t))?;
    Ok(())
}
