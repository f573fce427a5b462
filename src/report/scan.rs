//! `ikescope scan` output: a row per capture and totals per verdict code, or
//! JSON Lines (one file object per line, then a summary object).
//!
//! The table is laid out for a given width (the terminal's): numbers in
//! narrow right-aligned columns, paths escaped and shortened from the left,
//! and the result column wrapped with its own hanging indent, so no line is
//! wider than asked.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::json::file_json;
use super::model::FileAnalysis;
use super::term::{self, escape, shorten_path, width_of, wrap};
use super::SCHEMA_VERSION;
use crate::diagnose::Severity;

/// A file the scan passed over because it is not a capture.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// Totals over a scan.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub schema: u32,
    pub summary: bool,
    pub files: usize,
    pub failed_inputs: usize,
    /// Files passed over as not captures (listed with `-v`).
    pub skipped: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped_files: Vec<SkippedFile>,
    pub frames: u64,
    pub ipsec_packets: u64,
    pub tunnels: usize,
    /// Tunnels per verdict code.
    pub verdicts: BTreeMap<&'static str, usize>,
    /// Files per worst severity.
    pub worst: BTreeMap<&'static str, usize>,
}

/// Totals over a scan's files.
pub fn totals(files: &[FileAnalysis]) -> Totals {
    let mut t = Totals {
        schema: SCHEMA_VERSION,
        summary: true,
        ..Default::default()
    };
    for f in files {
        t.files += 1;
        t.failed_inputs += usize::from(f.input_failed());
        t.frames += f.frames;
        t.ipsec_packets += f.ipsec_packets;
        t.tunnels += f.tunnels.len();
        let worst = if f.input_failed() {
            "damaged"
        } else {
            f.worst().as_str()
        };
        *t.worst.entry(worst).or_default() += 1;
        for tr in &f.tunnels {
            let mut codes: Vec<&'static str> =
                tr.verdicts.iter().map(|v| v.code.as_str()).collect();
            codes.sort_unstable();
            codes.dedup();
            for c in codes {
                *t.verdicts.entry(c).or_default() += 1;
            }
        }
    }
    t
}

fn failing(f: &FileAnalysis) -> bool {
    f.worst() >= Severity::Warning || f.input_failed() || !f.notices.is_empty()
}

fn mark(s: Severity) -> &'static str {
    match s {
        Severity::Ok => "✓",
        Severity::Info => "i",
        Severity::Warning => "!",
        Severity::Error => "✗",
    }
}

/// Order of codes in the result column: problems first, then what worked,
/// then notes.
fn rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Ok => 2,
        Severity::Info => 3,
    }
}

/// The result column of one capture: input damage first, then every
/// verdict code — errors, warnings, `established`, notes — with its mark
/// and the number of tunnels when more than one (a healthy capture reads
/// `✓ established`).
pub fn result_text(f: &FileAnalysis) -> String {
    result_items(f).join(", ")
}

fn result_items(f: &FileAnalysis) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    if let Some(e) = &f.error {
        if e.starts_with("damaged") || e.starts_with("cannot read") {
            parts.push(format!("✗ {e}"));
        } else {
            parts.push(format!("✗ unreadable: {e}"));
        }
    } else if let Some(stop) = f.read.as_ref().and_then(|r| r.stopped.as_ref()) {
        let at = match (stop.offset, stop.line) {
            (Some(o), _) => format!(" at byte {o:#x}"),
            (None, Some(l)) => format!(" at line {l}"),
            _ => String::new(),
        };
        parts.push(format!("✗ damaged{at}: {}", stop.message));
    }
    // code → (severity, tunnels)
    let mut codes: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
    for t in &f.tunnels {
        let mut seen: Vec<&str> = Vec::new();
        for v in &t.verdicts {
            let code = v.code.as_str();
            let e = codes.entry(code).or_insert((v.severity, 0));
            e.0 = e.0.max(v.severity);
            if !seen.contains(&code) {
                seen.push(code);
                e.1 += 1;
            }
        }
    }
    let mut codes: Vec<(&str, Severity, usize)> =
        codes.into_iter().map(|(c, (s, n))| (c, s, n)).collect();
    // Security findings follow the tunnels' own verdicts.
    let security =
        |c: &str| crate::diagnose::Code::from_text(c).is_some_and(|c| c.is_security_finding());
    codes.sort_by(|a, b| {
        security(a.0)
            .cmp(&security(b.0))
            .then(rank(a.1).cmp(&rank(b.1)))
            .then(a.0.cmp(b.0))
    });
    for (code, sev, n) in codes {
        if n > 1 {
            parts.push(format!("{} {code} ×{n}", mark(sev)));
        } else {
            parts.push(format!("{} {code}", mark(sev)));
        }
    }
    if f.error.is_none() && f.tunnels.is_empty() {
        parts.push(if f.frames == 0 {
            "no packets".to_string()
        } else {
            "no IPsec traffic".to_string()
        });
    } else if f.error.is_none() && !f.tunnels.is_empty() && parts.is_empty() {
        parts.push("no verdict (negotiation incomplete)".to_string());
    }
    let warnings = f
        .notices
        .iter()
        .filter(|n| n.level != crate::capture::Level::Error)
        .count();
    if warnings > 0 {
        parts.push(format!("({warnings} reader warning(s))"));
    }
    parts
}

/// The table of a scan, at most `width` columns wide. `skipped` lists the
/// files passed over as not captures; `verbose` prints them.
pub fn write_table(
    out: &mut dyn Write,
    files: &[FileAnalysis],
    skipped: &[SkippedFile],
    only_failing: bool,
    verbose: bool,
    width: usize,
) -> io::Result<()> {
    let shown: Vec<&FileAnalysis> = files
        .iter()
        .filter(|f| !only_failing || failing(f))
        .collect();
    let num = |f: &FileAnalysis, v: u64| {
        if f.error.is_some() {
            "-".to_string()
        } else {
            v.to_string()
        }
    };
    let rows: Vec<[String; 3]> = shown
        .iter()
        .map(|f| {
            [
                num(f, f.frames),
                num(f, f.ipsec_packets),
                num(f, f.tunnels.len() as u64),
            ]
        })
        .collect();
    let heads = ["Frames", "IPsec", "Tun"];
    let mut num_w = [0usize; 3];
    for (i, h) in heads.iter().enumerate() {
        num_w[i] = rows
            .iter()
            .map(|r| r[i].len())
            .max()
            .unwrap_or(0)
            .max(h.len());
    }
    let numbers: usize = num_w.iter().map(|w| w + 2).sum();
    // The path takes what it needs, leaving the result column at least 28.
    let path_need = shown
        .iter()
        .map(|f| width_of(&escape(&f.path)))
        .max()
        .unwrap_or(0)
        .max("Capture".len());
    let path_w = path_need
        .min(width.saturating_sub(numbers + 2 + 28))
        .max(12);
    let result_col = path_w + numbers + 2;
    let pad = |s: &str, w: usize| {
        let n = w.saturating_sub(width_of(s));
        format!("{s}{}", " ".repeat(n))
    };
    let rpad = |s: &str, w: usize| format!("{}{s}", " ".repeat(w.saturating_sub(s.len())));
    writeln!(
        out,
        "{}  {}  {}  {}  Result",
        pad("Capture", path_w),
        rpad(heads[0], num_w[0]),
        rpad(heads[1], num_w[1]),
        rpad(heads[2], num_w[2]),
    )?;
    let indent = " ".repeat(result_col);
    for (f, r) in shown.iter().zip(&rows) {
        let lead = format!(
            "{}  {}  {}  {}  ",
            pad(&shorten_path(&f.path, path_w), path_w),
            rpad(&r[0], num_w[0]),
            rpad(&r[1], num_w[1]),
            rpad(&r[2], num_w[2]),
        );
        for l in term::wrap_items(&result_items(f), ", ", width, &lead, &indent) {
            writeln!(out, "{}", l.trim_end())?;
        }
    }
    let t = totals(files);
    let mut line = format!(
        "{} capture(s), {} unreadable or damaged, {} skipped as not captures",
        t.files,
        t.failed_inputs,
        skipped.len()
    );
    if !skipped.is_empty() && !verbose {
        line.push_str(" (-v lists them)");
    }
    line.push_str(&format!(
        "; {} frames, {} IPsec packets, {} tunnel(s)",
        t.frames, t.ipsec_packets, t.tunnels
    ));
    if only_failing {
        line.push_str(&format!("; {} listed (--only-failing)", shown.len()));
    }
    for l in wrap(&line, width, "", "  ") {
        writeln!(out, "{l}")?;
    }
    let code_w = t.verdicts.keys().map(|c| c.len()).max().unwrap_or(0);
    for (code, n) in &t.verdicts {
        writeln!(out, "  {code:<code_w$}  {n} tunnel(s)")?;
    }
    if verbose && !skipped.is_empty() {
        writeln!(out, "Skipped:")?;
        for s in skipped {
            let path = shorten_path(&s.path, width.saturating_sub(8));
            let text = format!("{path}: {}", s.reason);
            for l in term::wrap(&text, width, "  ", "      ") {
                writeln!(out, "{l}")?;
            }
        }
    }
    Ok(())
}

/// JSON Lines: one object per capture, then the totals. `skipped` is
/// counted, and listed in the totals when `verbose`.
pub fn write_json(
    out: &mut dyn Write,
    files: &[FileAnalysis],
    skipped: &[SkippedFile],
    only_failing: bool,
    verbose: bool,
) -> io::Result<()> {
    for f in files {
        if only_failing && !failing(f) {
            continue;
        }
        serde_json::to_writer(&mut *out, &file_json(f))?;
        writeln!(out)?;
    }
    let mut t = totals(files);
    t.skipped = skipped.len();
    if verbose {
        t.skipped_files = skipped.to_vec();
    }
    serde_json::to_writer(&mut *out, &t)?;
    writeln!(out)
}
