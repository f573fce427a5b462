//! ESP/AH activity as an SVG chart: one row per SA direction, packets per
//! time bin as bars (square-root scale), sequence gaps as red ticks, the
//! direction that carried nothing called out, and phase 2 negotiations and
//! deletes marked on the time axis. One-way traffic, loss, rekeys (a new
//! SPI taking over) and teardown (bars stopping) show at a glance.

use std::fmt::Write as _;

use super::escape::esc;
use super::view::{EspChart, EspRow};

const W: f64 = 960.0;
const X0: f64 = 320.0;
const X1: f64 = 945.0;
const ROW: f64 = 30.0;
const BAR: f64 = 22.0;

/// Axis ticks: 1, 2 or 5 × 10^k seconds, about six of them.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 6.0).max(1e-6);
    let p = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= raw {
            return m * p;
        }
    }
    10.0 * p
}

fn x_of(t: f64, span: f64) -> f64 {
    X0 + (t / span).clamp(0.0, 1.0) * (X1 - X0)
}

/// Write the chart of one tunnel; `peers` names the two directions.
pub fn write(out: &mut String, c: &EspChart, peers: &[String; 2]) {
    let span = if c.span > 0.0 { c.span } else { 1.0 };
    let fwd: Vec<&EspRow> = c.rows.iter().filter(|r| r.forward).collect();
    let rev: Vec<&EspRow> = c.rows.iter().filter(|r| !r.forward).collect();
    let n_rows = fwd.len().max(1) + rev.len().max(1);
    let h = 24.0 + 2.0 * 20.0 + n_rows as f64 * ROW + 34.0;
    let max = c
        .rows
        .iter()
        .flat_map(|r| r.bins.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let _ = write!(
        out,
        "<svg class=\"chart esp\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"ESP and AH packets over time\">"
    );
    let _ = write!(
        out,
        "<text x=\"{X0}\" y=\"14\" class=\"small\">packets per {} (bar height: square root of the count, tallest = {})</text>",
        bin_text(c.bin),
        max as u64
    );
    let mut y = 24.0;
    for (dir, rows, (a, b)) in [
        (0, &fwd, (&peers[0], &peers[1])),
        (1, &rev, (&peers[1], &peers[0])),
    ] {
        let _ = write!(
            out,
            "<text x=\"8\" y=\"{}\" class=\"mono\">{} → {}</text>",
            y + 14.0,
            esc(a),
            esc(b)
        );
        y += 20.0;
        if rows.is_empty() {
            let _ = write!(
                out,
                "<text x=\"20\" y=\"{}\" class=\"none\">no ESP or AH in this direction</text>",
                y + 18.0
            );
            y += ROW;
            continue;
        }
        for r in rows.iter() {
            write_row(out, r, y, span, c.bin, max, dir == 1);
            y += ROW;
        }
    }
    // Axis and marks.
    let top = 24.0;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"{X0}\" y1=\"{y}\" x2=\"{X1}\" y2=\"{y}\"/>"
    );
    let step = tick_step(span);
    let mut t = 0.0;
    let mut i = 0;
    while t <= span + 1e-9 && i < 50 {
        let x = x_of(t, span);
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{}\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>",
            y + 4.0,
            y + 16.0,
            trim(t)
        );
        i += 1;
        t = step * i as f64;
    }
    let _ = write!(
        out,
        "<text x=\"{X1}\" y=\"{}\" text-anchor=\"end\" class=\"small\">seconds since the capture's first frame</text>",
        y + 30.0
    );
    for (t, label) in &c.marks {
        let x = x_of(*t, span);
        let _ = write!(
            out,
            "<line class=\"mark\" x1=\"{x}\" y1=\"{top}\" x2=\"{x}\" y2=\"{y}\"><title>{} at {:.3} s</title></line>",
            esc(label),
            t
        );
    }
    out.push_str("</svg>");
}

fn trim(t: f64) -> String {
    let s = format!("{t:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn bin_text(bin: f64) -> String {
    if bin <= 0.0 {
        "time bin".to_string()
    } else if bin < 1.0 {
        format!("{} ms", trim(bin * 1000.0))
    } else {
        format!("{} s", trim(bin))
    }
}

fn write_row(out: &mut String, r: &EspRow, y: f64, span: f64, bin: f64, max: f64, rev: bool) {
    let mut stats = format!("{} pkts", r.packets);
    if r.lost > 0 {
        stats.push_str(&format!(", {} lost", r.lost));
    }
    if r.replayed > 0 {
        stats.push_str(&format!(", {} replayed", r.replayed));
    }
    let _ = write!(
        out,
        "<g class=\"sa\"><title>{}: {}, {:.3}-{:.3} s, frames {}</title><text x=\"20\" y=\"{}\" class=\"mono\">{}</text><text x=\"200\" y=\"{}\" class=\"small\">{}</text>",
        esc(&r.label),
        esc(&stats),
        r.first,
        r.last,
        esc(&r.frames),
        y + 18.0,
        esc(&r.label),
        y + 18.0,
        esc(&stats)
    );
    let base = y + ROW - 4.0;
    // The SA's lifetime as a faint band, then the bars over it.
    let (a, b) = (x_of(r.first, span), x_of(r.last, span));
    let _ = write!(
        out,
        "<rect class=\"span\" x=\"{a}\" y=\"{}\" width=\"{}\" height=\"{BAR}\"/>",
        base - BAR,
        (b - a).max(1.5)
    );
    if bin > 0.0 && !r.bins.is_empty() {
        let w = ((bin / span) * (X1 - X0)).max(1.0);
        for (i, (&p, &g)) in r.bins.iter().zip(&r.gaps).enumerate() {
            let t0 = i as f64 * bin;
            if t0 > span {
                break;
            }
            let x = x_of(t0, span);
            let w = w.min(X1 - x).max(0.5);
            if p > 0 {
                let bh = ((p as f64 / max).sqrt() * BAR).max(2.0);
                let _ = write!(
                    out,
                    "<rect class=\"bar{}\" x=\"{x:.2}\" y=\"{:.2}\" width=\"{w:.2}\" height=\"{bh:.2}\"/>",
                    if rev { " rev" } else { "" },
                    base - bh
                );
            }
            if g > 0 {
                let xm = x + w / 2.0;
                let _ = write!(
                    out,
                    "<line class=\"gap\" x1=\"{xm:.2}\" y1=\"{}\" x2=\"{xm:.2}\" y2=\"{}\"><title>{g} sequence number(s) skipped here</title></line>",
                    base - BAR - 3.0,
                    base - BAR + 4.0
                );
            }
        }
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        assert_eq!(tick_step(60.0), 10.0);
        assert_eq!(tick_step(0.05), 0.01);
        assert_eq!(tick_step(7.0), 2.0);
    }
}
