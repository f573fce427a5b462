//! `ikescope scan` output: a row per capture and totals per verdict code, or
//! JSON Lines (one file object per line, then a summary object).

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::{presets, ContentArrangement, Table};
use serde::Serialize;

use super::json::file_json;
use super::model::FileAnalysis;
use super::SCHEMA_VERSION;
use crate::diagnose::Severity;

/// Totals over a scan.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub schema: u32,
    pub summary: bool,
    pub files: usize,
    pub failed_inputs: usize,
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

/// The table of a scan.
pub fn write_table(
    out: &mut dyn Write,
    files: &[FileAnalysis],
    only_failing: bool,
) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(vec![
            "Capture", "Packets", "IPsec", "Tunnels", "Worst", "Verdicts",
        ]);
    for f in files {
        if only_failing && !failing(f) {
            continue;
        }
        let mut codes: Vec<&str> = f
            .tunnels
            .iter()
            .flat_map(|t| {
                t.verdicts
                    .iter()
                    .filter(|v| v.severity >= Severity::Warning)
                    .map(|v| v.code.as_str())
            })
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let mut worst = f.worst().as_str().to_string();
        if let Some(e) = &f.error {
            worst = format!("unreadable: {e}");
        } else if let Some(stop) = f.read.as_ref().and_then(|r| r.stopped.as_ref()) {
            let at = match (stop.offset, stop.line) {
                (Some(o), _) => format!(" at byte {o:#x}"),
                (None, Some(l)) => format!(" at line {l}"),
                _ => String::new(),
            };
            let mut why = stop.message.clone();
            if why.chars().count() > 60 {
                why = why.chars().take(57).collect::<String>() + "...";
            }
            worst = format!("DAMAGED{at} ({why}); {worst}");
        } else if !f.notices.is_empty() {
            worst = format!("{worst}; {} warning(s)", f.notices.len());
        }
        table.add_row(vec![
            f.path.clone(),
            f.frames.to_string(),
            f.ipsec_packets.to_string(),
            f.tunnels.len().to_string(),
            worst,
            codes.join(" "),
        ]);
    }
    writeln!(out, "{table}")?;
    let t = totals(files);
    writeln!(
        out,
        "{} capture(s), {} unreadable or damaged, {} frames, {} IPsec packets, {} tunnel(s)",
        t.files, t.failed_inputs, t.frames, t.ipsec_packets, t.tunnels
    )?;
    for (code, n) in &t.verdicts {
        writeln!(out, "  {code:<28} {n} tunnel(s)")?;
    }
    Ok(())
}

/// JSON Lines: one object per capture, then the totals.
pub fn write_json(
    out: &mut dyn Write,
    files: &[FileAnalysis],
    only_failing: bool,
) -> io::Result<()> {
    for f in files {
        if only_failing && !failing(f) {
            continue;
        }
        serde_json::to_writer(&mut *out, &file_json(f))?;
        writeln!(out)?;
    }
    serde_json::to_writer(&mut *out, &totals(files))?;
    writeln!(out)
}
