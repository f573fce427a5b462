//! `ikescope FILE`: one row per tunnel, then every warning and error verdict
//! with its evidence, likely causes, offered proposals and what to check.

use std::io::{self, Write};

use super::model::{FileAnalysis, SaState, TunnelReport};
use super::term::{self, Column};
use super::{config, frame_list, peer_text, wireshark_filter};
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
            .filter(|c| !c.answered && !c.unconfirmed)
            .map(|c| format!("{} ×{}", c.last, c.frames.len()))
            .collect();
        let unconfirmed = st.children.iter().filter(|c| c.unconfirmed).count();
        let mut s = format!("{done} of {} QM done", st.children.len());
        if unconfirmed > 0 {
            s.push_str(&format!(
                "; {unconfirmed} unconfirmed (QM2 resent after QM3)"
            ));
        }
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

/// ESP/AH column: packets each way (initiator side first in the peers
/// column, so → is from the first peer), loss when any; SPIs are in the
/// ladder and JSON.
fn esp_text(t: &Tunnel) -> String {
    if t.esp.is_empty() {
        return "-".to_string();
    }
    let first = t
        .ike_sas
        .first()
        .map(|sa| sa.initiator.addr)
        .filter(|a| t.peers.contains(a))
        .unwrap_or(t.peers[0]);
    let mut lines = Vec::new();
    for (arrow, out) in [("→", true), ("←", false)] {
        let sas: Vec<_> = t.esp.iter().filter(|e| (e.src == first) == out).collect();
        if sas.is_empty() {
            continue;
        }
        let packets: u64 = sas.iter().map(|e| e.packets).sum();
        let lost: u64 = sas.iter().map(|e| e.seq.lost).sum();
        let ah = if sas.iter().all(|e| e.proto == crate::flow::EspProto::Ah) {
            "AH "
        } else {
            ""
        };
        let mut l = format!("{arrow} {ah}{packets}\u{a0}pkts");
        if sas.len() > 1 {
            l.push_str(&format!(" {}\u{a0}SAs", sas.len()));
        }
        if lost > 0 {
            l.push_str(&format!(" {lost}\u{a0}lost"));
        }
        lines.push(l);
    }
    lines.join("\n")
}

fn dash(lines: Vec<String>) -> String {
    if lines.is_empty() {
        "-".to_string()
    } else {
        lines.join("\n")
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

/// A notice's position, unless its message already names it (said once).
fn notice_at(n: &super::model::FileNotice) -> String {
    let at = match (n.offset, n.line, n.frame) {
        (_, Some(l), _) => format!("line {l}"),
        (Some(o), _, _) => format!("offset {o:#x}"),
        (_, _, Some(fr)) => format!("frame {fr}"),
        _ => return String::new(),
    };
    let bare = at.split_once(' ').map_or(at.as_str(), |(_, v)| v);
    if n.message.contains(bare) {
        String::new()
    } else {
        format!(" ({at})")
    }
}

fn put(out: &mut dyn Write, lines: Vec<String>) -> io::Result<()> {
    for l in lines {
        writeln!(out, "{}", l.trim_end())?;
    }
    Ok(())
}

/// The initiator first when the first IKE SA names it.
fn peers_text(t: &Tunnel) -> String {
    match t.ike_sas.first().map(|sa| sa.initiator.addr) {
        Some(i) if t.peers.contains(&i) => {
            let r = if t.peers[0] == i {
                t.peers[1]
            } else {
                t.peers[0]
            };
            format!("{}\n{}", peer_text(i), peer_text(r))
        }
        _ => format!("{}\n{}", peer_text(t.peers[0]), peer_text(t.peers[1])),
    }
}

/// A verdict mark and code kept together on one line (no-break space).
fn verdict_text(v: &crate::diagnose::Verdict) -> String {
    format!("{}\u{a0}{}", mark(v.severity), v.code)
}

/// Write the summary of one file, every line at most `width` columns
/// (see [`term::detect_width`]); tunnels folded into a security finding
/// are left out (see [`write_file_all`]).
pub fn write_file(out: &mut dyn Write, f: &FileAnalysis, width: usize) -> io::Result<()> {
    write_file_all(out, f, width, false)
}

/// One row per security finding (reflection, scan) with its counts, then
/// how many tunnel rows it stands for.
fn write_findings(
    out: &mut dyn Write,
    f: &FileAnalysis,
    width: usize,
    all: bool,
) -> io::Result<()> {
    for x in &f.findings {
        let frames = match x.frames.as_slice() {
            [a, b] => format!("frames {a}–{b}"),
            [a] => format!("frame {a}"),
            _ => String::new(),
        };
        let text = format!(
            "{}\u{a0}{}: {} ({frames})",
            mark(x.severity),
            x.code,
            x.message,
        );
        put(out, term::wrap(&text, width, "  ", "    "))?;
        let n = crate::diagnose::hostile::count(x.tunnels.len());
        let fold = if all {
            format!("{n} tunnel(s) of this finding are listed below")
        } else {
            format!("{n} tunnel(s) folded into this finding; --all to list them")
        };
        put(out, term::wrap(&fold, width, "    ", "    "))?;
    }
    Ok(())
}

/// [`write_file`], choosing whether tunnels folded into a security finding
/// get their own rows (`--all`).
pub fn write_file_all(
    out: &mut dyn Write,
    f: &FileAnalysis,
    width: usize,
    all: bool,
) -> io::Result<()> {
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
    let head = if f.read.is_none() && f.error.is_none() && !f.logs.is_empty() {
        format!("{} — {fmt}, {} tunnel(s)", f.path, f.tunnels.len())
    } else {
        format!(
            "{} — {fmt}, {} frames, {} IPsec packets, {} tunnel(s)",
            f.path,
            f.frames,
            f.ipsec_packets,
            f.tunnels.len()
        )
    };
    put(out, term::wrap(&head, width, "", "  "))?;
    if let Some(e) = &f.error {
        for (i, part) in e.split('\n').enumerate() {
            let first = if i == 0 { "  error: " } else { "    " };
            put(out, term::wrap(part, width, first, "    "))?;
        }
        return Ok(());
    }
    for l in &f.logs {
        put(out, term::wrap(&format!("log {l}"), width, "  ", "    "))?;
    }
    for n in &f.notices {
        let text = format!("{:?}: {}{}", n.level, n.message, notice_at(n));
        put(out, term::wrap(&text, width, "  ", "    "))?;
    }
    if let Some(d) = &f.decryption {
        // Written in full, then each line wrapped under its own indent.
        let mut buf = Vec::new();
        super::decryption::write(&mut buf, d)?;
        for line in String::from_utf8_lossy(&buf).lines() {
            let text = line.trim_start();
            let lead = &line[..line.len() - text.len()];
            put(out, term::wrap(text, width, lead, &format!("{lead}    ")))?;
        }
    }
    write_findings(out, f, width, all)?;
    if f.tunnels.is_empty() {
        let text = if f.filtered > 0 {
            format!(
                "No IKE, ESP or AH traffic matches the filter ({} IPsec packet(s) of other peers or SPIs left out).",
                f.filtered
            )
        } else {
            "No IKE, ESP or AH traffic found.".to_string()
        };
        put(out, term::wrap(&text, width, "  ", "  "))?;
        return Ok(());
    }
    let col = |head, whole_words| Column {
        head,
        right: false,
        whole_words,
    };
    let columns = [
        Column {
            head: "#",
            right: true,
            whole_words: true,
        },
        col("Initiator\nResponder", true),
        col("IKE\nPhase 1", false),
        col("Phase 2\nESP/AH", false),
        col("Verdicts", true),
    ];
    let shown = |tr: &TunnelReport| all || tr.folded.is_none();
    let rows: Vec<Vec<String>> = f
        .tunnels
        .iter()
        .enumerate()
        .filter(|(_, tr)| shown(tr))
        .map(|(i, tr)| {
            let t = &tr.tunnel;
            let sa = t.ike_sas.first();
            let verdicts: Vec<String> = tr.verdicts.iter().map(verdict_text).collect();
            // A tunnel known only from device logs: the phases as logged.
            let logged = |x: Option<bool>| match x {
                Some(true) => "up (logged)".to_string(),
                Some(false) => "failed (logged)".to_string(),
                None => "-".to_string(),
            };
            let from_log = sa.is_none();
            vec![
                (i + 1).to_string(),
                peers_text(t),
                format!(
                    "{}\n{}",
                    match (sa, tr.logged.version) {
                        (Some(s), _) => mode_text(s),
                        (None, Some(v)) => format!("IKEv{v} (logged)"),
                        (None, None) => "-".to_string(),
                    },
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
                    }
                ),
                format!(
                    "{}\n{}",
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
                    esp_text(t)
                ),
                verdicts.join("\n"),
            ]
        })
        .collect();
    if !rows.is_empty() {
        put(out, term::grid(&columns, &rows, width, ""))?;
    }
    for (i, tr) in f.tunnels.iter().enumerate().filter(|(_, tr)| shown(tr)) {
        write_details(out, i + 1, tr, width)?;
    }
    Ok(())
}

fn write_details(out: &mut dyn Write, n: usize, tr: &TunnelReport, width: usize) -> io::Result<()> {
    let t = &tr.tunnel;
    let serious: Vec<_> = tr
        .verdicts
        .iter()
        .filter(|v| v.severity >= Severity::Warning)
        .collect();
    if serious.is_empty() {
        return Ok(());
    }
    let w = |text: &str, first: &str, rest: &str| term::wrap(text, width, first, rest);
    writeln!(out)?;
    put(
        out,
        w(
            &format!(
                "Tunnel {n}: {} ⇄ {}",
                peer_text(t.peers[0]),
                peer_text(t.peers[1])
            ),
            "",
            "  ",
        ),
    )?;
    for v in serious {
        put(
            out,
            w(
                &format!("{} {} [{}]", mark(v.severity), v.code, v.severity.as_str()),
                "  ",
                "    ",
            ),
        )?;
        put(out, w(advice::info(v.code).meaning, "    ", "    "))?;
        put(out, w(&v.message, "    Seen: ", "          "))?;
        if !v.frames.is_empty() {
            put(
                out,
                w(&frame_list(&v.frames), "    Frames: ", "            "),
            )?;
        }
        if !v.lines.is_empty() {
            let lines: Vec<String> = v
                .lines
                .iter()
                .take(8)
                .map(|l| super::term::escape(&format!("{}:{}", l.file, l.line)).into_owned())
                .collect();
            let more = v.lines.len().saturating_sub(lines.len());
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            put(
                out,
                w(
                    &format!("{}{tail}", lines.join(", ")),
                    "    Log lines: ",
                    "               ",
                ),
            )?;
        }
        // The cause the evidence pins, and what it rests on.
        if let Some(c) = v.cause {
            put(
                out,
                w(
                    &format!("{} [{}]", c.text(), c.code()),
                    &format!("    Cause ({}): ", v.basis.as_str()),
                    "      ",
                ),
            )?;
        }
        if !v.candidates.is_empty() {
            writeln!(out, "    Likeliest causes:")?;
            for (i, c) in v.candidates.iter().enumerate() {
                let num = format!("      {}. ", i + 1);
                let hang = " ".repeat(term::width_of(&num));
                put(out, w(c, &num, &hang))?;
            }
        }
        if let Some(o) = &v.offered {
            writeln!(out, "    The initiator offered (as configuration):")?;
            let lines = match o {
                Offered::V1(t) => config::v1_phase1(t),
                Offered::V2(p) => config::v2_ike(p),
            };
            for l in lines {
                put(out, w(&l, "      ", "          "))?;
            }
        }
        if let Some(p) = &v.proxy_ids {
            writeln!(
                out,
                "    Proxy IDs offered (frame {}, refused), as configuration:",
                p.frame
            )?;
            for l in super::acl::lines(p) {
                put(out, w(&l, "      ", "          "))?;
            }
        }
        let info = advice::info(v.code);
        if !info.checks.is_empty() {
            writeln!(out, "    Check:")?;
            for c in info.checks {
                put(out, w(c, "      - ", "        "))?;
            }
        }
    }
    put(out, w(&wireshark_filter(t), "  Wireshark filter: ", "    "))?;
    Ok(())
}
