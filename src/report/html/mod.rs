//! `ikescope report`: one self-contained HTML file to attach to a ticket.
//!
//! Everything is inline: the style sheet, the SVG diagrams and a small
//! script for sorting the overview table and the filter's copy button. The
//! page loads nothing: a Content-Security-Policy with the hashes of our own
//! style and script forbids every other source, so even if input text were
//! to slip past escaping it could neither run nor fetch. Every string that
//! comes from input (file names, identities, notify names, console lines)
//! goes through [`escape::esc`].
//!
//! The page is light or dark after `prefers-color-scheme`, and prints on A4.
//! [`view`] gathers what is shown from the analysis; the rest of this module
//! reads only the view.

pub mod activity;
pub mod escape;
mod esp_svg;
mod ladder_svg;
pub mod view;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::diagnose::Severity;
use escape::esc;
use view::{FileView, TunnelView, VerdictView};

pub use activity::Activity;

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// `'sha256-…'` source expression for an inline element's text.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn sev_rank(s: Severity) -> u8 {
    match s {
        Severity::Ok => 0,
        Severity::Info => 1,
        Severity::Warning => 2,
        Severity::Error => 3,
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

/// The anchor of a file's section.
pub fn file_id(i: usize) -> String {
    format!("f{}", i + 1)
}

/// The anchor of a tunnel's section.
pub fn tunnel_id(fi: usize, ti: usize) -> String {
    format!("f{}-t{}", fi + 1, ti + 1)
}

/// Write the whole report.
pub fn write(out: &mut dyn Write, files: &[FileView]) -> io::Result<()> {
    let mut s = String::with_capacity(64 * 1024);
    page(&mut s, files);
    out.write_all(s.as_bytes())
}

fn page(s: &mut String, files: &[FileView]) {
    let n_tunnels: usize = files.iter().map(|f| f.tunnels.len()).sum();
    let title = match files {
        [one] => format!("ikescope: {}", one.path),
        _ => format!("ikescope: {} captures", files.len()),
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'\">\
<meta name=\"color-scheme\" content=\"light dark\">\
<meta name=\"generator\" content=\"ikescope {}\">\
<title>{}</title><style>{CSS}</style></head>\n<body>\n",
        csp_hash(CSS),
        csp_hash(JS),
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );
    let _ = writeln!(
        s,
        "<header><h1>IPsec negotiation report</h1><p class=\"meta\">{} capture(s), {} tunnel(s). Frame numbers are Wireshark's; times are seconds since each capture's first frame.</p></header>",
        files.len(),
        n_tunnels
    );
    if files.len() > 1 || n_tunnels > 1 {
        overview(s, files);
    }
    s.push_str("<main>\n");
    for (fi, f) in files.iter().enumerate() {
        file_section(s, fi, f);
    }
    let _ = write!(
        s,
        "</main>\n<footer>Made by ikescope {} from the captures alone: what a capture cannot show (encrypted contents, the other side's view) is said as such.</footer>\n<script>{JS}</script>\n</body></html>\n",
        env!("CARGO_PKG_VERSION")
    );
}

/// Verdict counts and the sortable table of every tunnel.
fn overview(s: &mut String, files: &[FileView]) {
    let mut counts: BTreeMap<(u8, &str), usize> = BTreeMap::new();
    for f in files {
        for t in &f.tunnels {
            for v in &t.verdicts {
                *counts
                    .entry((3 - sev_rank(v.severity), v.code.as_str()))
                    .or_default() += 1;
            }
        }
    }
    s.push_str("<nav class=\"overview\"><h2>Overview</h2>");
    if !counts.is_empty() {
        s.push_str("<ul class=\"counts\" aria-label=\"verdicts over all tunnels\">");
        for ((rank, code), n) in &counts {
            let sev = match 3 - rank {
                0 => Severity::Ok,
                1 => Severity::Info,
                2 => Severity::Warning,
                _ => Severity::Error,
            };
            let _ = write!(
                s,
                "<li><span class=\"sev {}\">{}</span> {}<b>×{n}</b></li>",
                sev.as_str(),
                mark(sev),
                esc(code)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("<table class=\"sortable\" id=\"tunnels\"><thead><tr><th>Capture</th><th data-type=\"num\">#</th><th>Peers</th><th>IKE</th><th>Phase 1</th><th>Phase 2</th><th data-type=\"num\">Worst</th><th>Verdicts</th></tr></thead><tbody>");
    for (fi, f) in files.iter().enumerate() {
        if f.tunnels.is_empty() {
            let what = if f.error.is_some() {
                "unreadable"
            } else {
                "no IKE, ESP or AH traffic"
            };
            let _ = write!(
                s,
                "<tr><td class=\"path\"><a href=\"#{}\">{}</a></td><td data-sort=\"0\">-</td><td colspan=\"4\">{what}</td><td data-sort=\"{}\">-</td><td></td></tr>",
                file_id(fi),
                esc(&f.path),
                if f.error.is_some() { 4 } else { -1 }
            );
            continue;
        }
        for (ti, t) in f.tunnels.iter().enumerate() {
            let codes: Vec<String> = t
                .verdicts
                .iter()
                .map(|v| {
                    format!(
                        "<span class=\"sev {}\">{}</span> {}",
                        v.severity.as_str(),
                        mark(v.severity),
                        esc(&v.code)
                    )
                })
                .collect();
            let _ = write!(
                s,
                "<tr><td class=\"path\">{}</td><td data-sort=\"{}\"><a href=\"#{}\">{}</a></td><td class=\"mono\">{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td data-sort=\"{}\"><span class=\"sev {}\">{}</span></td><td>{}</td></tr>",
                esc(&f.path),
                ti + 1,
                tunnel_id(fi, ti),
                ti + 1,
                esc(&t.peers[0]),
                esc(&t.peers[1]),
                esc(&t.ike),
                esc(&t.phase1.join("; ")),
                esc(&t.phase2.join("; ")),
                sev_rank(t.worst),
                t.worst.as_str(),
                t.worst.as_str(),
                codes.join("<br>")
            );
        }
    }
    s.push_str("</tbody></table></nav>\n");
}

fn file_section(s: &mut String, fi: usize, f: &FileView) {
    let _ = write!(
        s,
        "<section class=\"file\" id=\"{}\"><h2>{}</h2>",
        file_id(fi),
        esc(&f.path)
    );
    let _ = write!(
        s,
        "<p class=\"meta\">{}, {} frame(s), {} IPsec packet(s), {} tunnel(s){}{}</p>",
        esc(&f.format),
        f.frames,
        f.ipsec_packets,
        f.tunnels.len(),
        f.start
            .as_ref()
            .map_or(String::new(), |t| format!(", first frame {}", esc(t))),
        if f.frames > 0 {
            format!(", {:.3} s long", f.span)
        } else {
            String::new()
        }
    );
    if let Some(e) = &f.error {
        let _ = writeln!(
            s,
            "<ul class=\"notices\"><li class=\"error\">cannot read: {}</li></ul></section>",
            esc(e)
        );
        return;
    }
    let mut notices: Vec<(String, String)> = f
        .notices
        .iter()
        .map(|n| (n.level.to_string(), n.text.clone()))
        .collect();
    if f.uncharted_packets > 0 {
        notices.push((
            "info".to_string(),
            format!(
                "{} ESP/AH packet(s) of SAs beyond the first {} are counted but not charted",
                f.uncharted_packets,
                activity::MAX_SAS
            ),
        ));
    }
    if !notices.is_empty() {
        s.push_str("<ul class=\"notices\">");
        for (level, text) in &notices {
            let _ = write!(
                s,
                "<li class=\"{}\">{}: {}</li>",
                esc(level),
                esc(level),
                esc(text)
            );
        }
        s.push_str("</ul>");
    }
    if f.tunnels.is_empty() {
        s.push_str("<p>No IKE, ESP or AH traffic found.</p>");
    }
    for (ti, t) in f.tunnels.iter().enumerate() {
        tunnel_section(s, fi, ti, t);
    }
    s.push_str("</section>\n");
}

fn tunnel_section(s: &mut String, fi: usize, ti: usize, t: &TunnelView) {
    let id = tunnel_id(fi, ti);
    let _ = write!(
        s,
        "<section class=\"tunnel\" id=\"{id}\" data-worst=\"{}\"><h3>Tunnel {}: <span class=\"mono\">{} ⇄ {}</span> <span class=\"sev {}\">{}</span></h3>",
        t.worst.as_str(),
        ti + 1,
        esc(&t.peers[0]),
        esc(&t.peers[1]),
        t.worst.as_str(),
        t.worst.as_str()
    );
    let _ = write!(
        s,
        "<dl class=\"facts\"><dt>IKE</dt><dd>{}</dd><dt>Phase 1</dt><dd>{}</dd><dt>Phase 2</dt><dd>{}</dd></dl>",
        esc(&t.ike),
        lines_or_dash(&t.phase1),
        lines_or_dash(&t.phase2)
    );
    s.push_str("<h4>Verdicts</h4>");
    if t.verdicts.is_empty() {
        s.push_str("<p>No verdict: nothing to judge from this traffic.</p>");
    }
    for v in &t.verdicts {
        card(s, v);
    }
    let _ = write!(
        s,
        "<div class=\"filter\"><span class=\"label\">Wireshark filter</span><code id=\"flt-{id}\">{}</code><button type=\"button\" class=\"copy\" data-target=\"flt-{id}\">Copy</button></div>",
        esc(&t.filter)
    );
    if !t.ladders.is_empty() {
        s.push_str("<h4>Exchange</h4>");
        let last = t.ladders.len() - 1;
        for (i, l) in t.ladders.iter().enumerate() {
            let _ = write!(
                s,
                "<figure class=\"ladder\" id=\"{id}-sa{}\"><figcaption class=\"mono\">{}</figcaption>",
                i + 1,
                esc(&l.title)
            );
            let end = if i == last { l.end.as_ref() } else { None };
            ladder_svg::write(s, l, end);
            let _ = write!(s, "<figcaption>{}", esc(&l.state));
            if let Some(n) = &l.nat {
                let _ = write!(s, "<br>{}", esc(n));
            }
            s.push_str("</figcaption></figure>");
        }
    }
    s.push_str("<h4>ESP and AH over time</h4>");
    if t.esp.rows.is_empty() {
        s.push_str("<p>No ESP or AH packets between these peers in the capture.</p>");
    } else {
        s.push_str("<figure>");
        esp_svg::write(s, &t.esp, &t.peers);
        s.push_str("</figure>");
    }
    if !t.proposals.is_empty() {
        s.push_str("<h4>Proposals as configuration</h4>");
        for p in &t.proposals {
            let _ = write!(
                s,
                "<p class=\"meta\">{}</p><pre>{}</pre>",
                esc(&p.title),
                esc(&p.lines.join("\n"))
            );
        }
    }
    if !t.notes.is_empty() {
        s.push_str("<h4>Also seen</h4><ul class=\"notes\">");
        for n in &t.notes {
            let _ = write!(s, "<li>{}</li>", esc(n));
        }
        s.push_str("</ul>");
    }
    s.push_str("</section>\n");
}

fn lines_or_dash(l: &[String]) -> String {
    if l.is_empty() {
        "-".to_string()
    } else {
        l.iter().map(|x| esc(x)).collect::<Vec<_>>().join("<br>")
    }
}

/// The verdict's basis in words.
fn basis_text(b: &str) -> String {
    match b {
        "decrypted" => "decrypted contents".to_string(),
        "logged" => "device log".to_string(),
        "clear" => "cleartext contents".to_string(),
        "inferred" => "inferred from sizes and timing (contents not visible)".to_string(),
        other => other.to_string(),
    }
}

fn card(s: &mut String, v: &VerdictView) {
    let sev = v.severity.as_str();
    if v.severity < Severity::Warning {
        // ok / info: one line.
        let _ = write!(
            s,
            "<div class=\"card compact {sev}\"><span class=\"sev {sev}\">{}</span> <span class=\"code\">{}</span> — {}{}</div>",
            mark(v.severity),
            esc(&v.code),
            esc(&v.seen),
            if v.frames.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"label\">(frames {})</span>", esc(&v.frames))
            }
        );
        return;
    }
    let _ = write!(
        s,
        "<div class=\"card {sev}\"><p><span class=\"sev {sev}\">{} {sev}</span> <span class=\"code\">{}</span>{}</p>",
        mark(v.severity),
        esc(&v.code),
        if v.repeats > 0 {
            format!(" <span class=\"label\">(and {} more like it)</span>", v.repeats)
        } else {
            String::new()
        }
    );
    if let Some(m) = &v.meaning {
        let _ = write!(s, "<p>{}</p>", esc(m));
    }
    let _ = write!(
        s,
        "<p><span class=\"label\">Seen:</span> {}</p>",
        esc(&v.seen)
    );
    let _ = write!(
        s,
        "<p><span class=\"label\">Basis:</span> {}{}</p>",
        esc(&basis_text(&v.basis)),
        v.cause.as_ref().map_or(String::new(), |c| format!(
            " <span class=\"label\">Cause:</span> {}",
            esc(c)
        ))
    );
    if !v.frames.is_empty() {
        let _ = write!(
            s,
            "<p><span class=\"label\">Evidence frames:</span> <span class=\"mono\">{}</span></p>",
            esc(&v.frames)
        );
    }
    if !v.candidates.is_empty() {
        s.push_str("<p class=\"label\">Likeliest causes:</p><ol>");
        for c in &v.candidates {
            let _ = write!(s, "<li>{}</li>", esc(c));
        }
        s.push_str("</ol>");
    }
    if !v.offered.is_empty() {
        let _ = write!(
            s,
            "<p class=\"label\">The initiator offered (as configuration):</p><pre>{}</pre>",
            esc(&v.offered.join("\n"))
        );
    }
    if !v.proxy_ids.is_empty() {
        let _ = write!(
            s,
            "<p class=\"label\">Proxy IDs offered (refused), as configuration:</p><pre>{}</pre>",
            esc(&v.proxy_ids.join("\n"))
        );
    }
    if !v.checks.is_empty() {
        s.push_str("<p class=\"label\">Check:</p><ul>");
        for c in &v.checks {
            let _ = write!(s, "<li>{}</li>", esc(c));
        }
        s.push_str("</ul>");
    }
    s.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_hash_is_base64_sha256() {
        // echo -n 'abc' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            csp_hash("abc"),
            "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='"
        );
    }
}
