//! The exchange ladder as an SVG sequence diagram: one lifeline per peer,
//! one arrow per IKE message (retransmissions dashed with their interval,
//! capture duplicates faint, decrypted copies coloured), ports at both ends
//! of every arrow (a NAT-T float is highlighted), error notifications in
//! red, and the verdict the exchange ends on.

use std::fmt::Write as _;

use super::escape::esc;
use super::view::{Copy, LadderView, MsgView};
use crate::diagnose::Severity;

const W: f64 = 960.0;
const XL: f64 = 190.0;
const XR: f64 = 900.0;
const TOP: f64 = 52.0;
/// Longest details line before it wraps.
const WRAP: usize = 110;
/// Longest line of the closing verdict (bold, from the left lifeline).
const END_WRAP: usize = 100;

fn wrap(s: &str) -> Vec<String> {
    wrap_at(s, WRAP)
}

fn wrap_at(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn details(m: &MsgView) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(f) = m.decrypted_of {
        lines.push(format!("decrypted contents of frame {f}"));
    }
    // Status notifications below the arrow; error ones are on it.
    let status: Vec<&str> = m
        .notifies
        .iter()
        .filter(|(_, err)| !err)
        .map(|(n, _)| n.as_str())
        .collect();
    if !status.is_empty() {
        lines.extend(wrap(&format!("notify: {}", status.join(", "))));
    }
    for d in &m.details {
        lines.extend(wrap(d));
    }
    lines
}

fn port(p: Option<u16>) -> String {
    p.map_or(String::new(), |p| format!(":{p}"))
}

/// Write one ladder. `end` is drawn after the last message.
pub fn write(out: &mut String, l: &LadderView, end: Option<&(Severity, String)>) {
    let rows: Vec<(f64, Vec<String>)> = l
        .messages
        .iter()
        .map(|m| {
            let d = details(m);
            (34.0 + 13.0 * d.len() as f64, d)
        })
        .collect();
    let floats = l.messages.iter().any(|m| float(l, m));
    let mut h = TOP + rows.iter().map(|r| r.0).sum::<f64>() + 16.0;
    if floats {
        h += 16.0;
    }
    if l.dropped > 0 {
        h += 20.0;
    }
    if let Some((_, text)) = end {
        h += 12.0 + 15.0 * end_lines(text).len() as f64;
    }
    let _ = write!(
        out,
        "<svg class=\"chart ladder\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"IKE exchange between {} and {}\">",
        esc(&l.left),
        esc(&l.right)
    );
    let _ = write!(
        out,
        "<text x=\"8\" y=\"16\" class=\"small\">frame</text><text x=\"118\" y=\"16\" class=\"small\" text-anchor=\"end\">time (s)</text>"
    );
    for (x, addr, p, role) in [
        (XL, &l.left, l.left_port, "initiator"),
        (XR, &l.right, l.right_port, "responder"),
    ] {
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"16\" text-anchor=\"middle\" class=\"mono\">{}{}</text><text x=\"{x}\" y=\"30\" text-anchor=\"middle\" class=\"small\">({role})</text>",
            esc(addr),
            port(p)
        );
    }
    let _ = write!(
        out,
        "<line class=\"life\" x1=\"{XL}\" y1=\"38\" x2=\"{XL}\" y2=\"{h}\"/><line class=\"life\" x1=\"{XR}\" y1=\"38\" x2=\"{XR}\" y2=\"{h}\"/>"
    );
    let mut y = TOP;
    let mut floated = false;
    let mut prev_t: Option<f64> = None;
    for (m, (rh, lines)) in l.messages.iter().zip(&rows) {
        if !floated && float(l, m) {
            floated = true;
            let _ = write!(
                out,
                "<line class=\"float-line\" x1=\"{XL}\" y1=\"{y}\" x2=\"{XR}\" y2=\"{y}\"/><text class=\"float-lbl\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">NAT-T: ports change from here on</text>",
                (XL + XR) / 2.0,
                y + 11.0
            );
            y += 16.0;
        }
        write_msg(out, l, m, y, lines, prev_t);
        prev_t = Some(m.t);
        y += rh;
    }
    if l.dropped > 0 {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">… {} later message(s) not drawn: the analysis keeps the first {} messages of an IKE SA</text>",
            (XL + XR) / 2.0,
            y + 12.0,
            l.dropped,
            l.messages.len()
        );
        y += 20.0;
    }
    if let Some((sev, text)) = end {
        let mark = if *sev >= Severity::Error { "✗" } else { "!" };
        for (i, line) in end_lines(&format!("{mark} {text}")).iter().enumerate() {
            let _ = write!(
                out,
                "<text x=\"{XL}\" y=\"{}\" class=\"end {}\">{}</text>",
                y + 18.0 + 15.0 * i as f64,
                sev.as_str(),
                esc(line)
            );
        }
    }
    out.push_str("</svg>");
}

/// The closing verdict line, wrapped to the width between the lifelines.
fn end_lines(text: &str) -> Vec<String> {
    wrap_at(text, END_WRAP)
}

/// The message uses other ports than the SA's first message (NAT-T float).
fn float(l: &LadderView, m: &MsgView) -> bool {
    let (a, b) = if m.to_right {
        (m.src_port, m.dst_port)
    } else {
        (m.dst_port, m.src_port)
    };
    (a.is_some() && a != l.left_port) || (b.is_some() && b != l.right_port)
}

fn write_msg(
    out: &mut String,
    l: &LadderView,
    m: &MsgView,
    y: f64,
    lines: &[String],
    prev_t: Option<f64>,
) {
    let mut class = String::from("msg");
    let mut label = m.label.clone();
    match &m.copy {
        Copy::Original => {}
        Copy::Retransmission { of, after } => {
            class.push_str(" retx");
            label.push_str(&format!(" (retx of {of}, +{after:.1} s)"));
        }
        Copy::Duplicate { of } => {
            class.push_str(" dup");
            label.push_str(&format!(" (capture duplicate of {of})"));
        }
    }
    if m.decrypted_of.is_some() {
        class.push_str(" dec");
    }
    if m.encrypted && !label.contains("[enc]") {
        label.push_str(" [enc]");
    }
    let ly = y + 13.0;
    let ay = y + 20.0;
    let _ = write!(
        out,
        "<g class=\"{class}\" data-frame=\"{}\"><title>frame {}: {}</title>",
        m.frame,
        m.frame,
        esc(&label)
    );
    let _ = write!(
        out,
        "<text x=\"44\" y=\"{ay}\" text-anchor=\"end\" class=\"mono\">{}</text><text x=\"118\" y=\"{ay}\" text-anchor=\"end\" class=\"mono\">{:.3}</text>",
        m.frame, m.t
    );
    if let Some(p) = prev_t {
        let _ = write!(
            out,
            "<text x=\"118\" y=\"{}\" text-anchor=\"end\" class=\"small\">+{:.3}</text>",
            ay + 12.0,
            (m.t - p).max(0.0)
        );
    }
    // Label with error notifies in red.
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{ly}\" text-anchor=\"middle\"><tspan class=\"lbl\">{}</tspan>",
        (XL + XR) / 2.0,
        esc(&label)
    );
    for (name, _) in m.notifies.iter().filter(|(_, err)| *err) {
        let _ = write!(out, "<tspan class=\"err\"> N({})</tspan>", esc(name));
    }
    out.push_str("</text>");
    let (x1, x2) = if m.to_right { (XL, XR) } else { (XR, XL) };
    let tip = if m.to_right { x2 - 9.0 } else { x2 + 9.0 };
    let _ = write!(
        out,
        "<line x1=\"{x1}\" y1=\"{ay}\" x2=\"{tip}\" y2=\"{ay}\"/><polygon points=\"{x2},{ay} {tip},{} {tip},{}\"/>",
        ay - 4.5,
        ay + 4.5
    );
    // Ports at both ends, highlighted when they differ from the SA's start.
    let (lp, rp) = if m.to_right {
        (m.src_port, m.dst_port)
    } else {
        (m.dst_port, m.src_port)
    };
    for (x, p, base, anchor) in [
        (XL + 4.0, lp, l.left_port, "start"),
        (XR - 4.0, rp, l.right_port, "end"),
    ] {
        if p.is_some() {
            let cls = if p != base { "port float" } else { "port" };
            let _ = write!(
                out,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"{cls}\">{}</text>",
                ay - 4.0,
                port(p)
            );
        }
    }
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{}</text>",
            (XL + XR) / 2.0,
            ay + 14.0 + 13.0 * i as f64,
            esc(line)
        );
    }
    out.push_str("</g>");
}
