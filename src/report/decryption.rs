//! The decryption lines of the text report: which keys were used (said when
//! found beside the capture), what was read and what was not, ESP inner
//! flows per SA, and the Aggressive Mode pre-shared key warning.

use std::io::{self, Write};

use super::frame_list;
use crate::analysis::decryption::Decryption;
use crate::esp::decrypt::protocol_name;

pub fn write(out: &mut dyn Write, d: &Decryption) -> io::Result<()> {
    for k in &d.keys {
        let how = if k.automatic {
            " (found beside the capture)"
        } else {
            ""
        };
        writeln!(out, "  Keys: {}{how}", k.path)?;
    }
    if !d.keys.is_empty() {
        writeln!(
            out,
            "  Decrypted: {} IKE message(s), {} ESP packet(s); not decrypted: {} IKE, {} ESP",
            d.ike_decrypted, d.esp_decrypted, d.ike_failed, d.esp_failed
        )?;
    }
    let mut by_error: Vec<(String, Vec<u64>)> = Vec::new();
    for f in &d.failures {
        let what = format!("{} with {}: {}", f.proto, f.key, f.error);
        match by_error.iter_mut().find(|(w, _)| *w == what) {
            Some((_, frames)) => frames.push(f.frame),
            None => by_error.push((what, vec![f.frame])),
        }
    }
    for (what, frames) in by_error {
        writeln!(
            out,
            "    not decrypted, frames {}: {what}",
            frame_list(&frames)
        )?;
    }
    for e in &d.esp {
        writeln!(
            out,
            "  ESP {} → {} SPI 0x{:08x}: {} decrypted{}",
            e.src,
            e.dst,
            e.spi,
            e.decrypted,
            if e.failed > 0 {
                format!(
                    ", {} not ({})",
                    e.failed,
                    e.first_error.as_deref().unwrap_or("error")
                )
            } else {
                String::new()
            }
        )?;
        for f in &e.top_flows {
            let proto = protocol_name(f.protocol)
                .map_or_else(|| format!("protocol {}", f.protocol), str::to_string);
            let ends = match (f.src, f.dst) {
                (Some(a), Some(b)) => format!("{a} → {b}"),
                _ => "transport mode".to_string(),
            };
            let port = match (f.protocol, f.port_or_type) {
                (1 | 58, Some(t)) => format!(
                    " {}",
                    crate::registry::icmp::type_label(
                        f.protocol == 58,
                        u8::try_from(t).unwrap_or(u8::MAX)
                    )
                ),
                (_, Some(p)) => format!(" port {p}"),
                _ => String::new(),
            };
            writeln!(out, "    {ends} {proto}{port}: {} packet(s)", f.packets)?;
        }
        if e.other_flows > 0 {
            writeln!(out, "    and {} other inner flow(s)", e.other_flows)?;
        }
        if let Some(s) = &e.selectors {
            writeln!(out, "    negotiated selectors: {s}")?;
        }
        if let Some((f, a, b)) = e.first_outside {
            writeln!(
                out,
                "    {} packet(s) outside the negotiated selectors (first: frame {f}, {a} → {b}): the receiving peer drops them (ASA 402116)",
                e.outside_selectors
            )?;
        }
    }
    if d.inner_flows_dropped > 0 {
        writeln!(
            out,
            "  {} ESP packet(s) of SAs with more than 1024 inner flows were not attributed to a flow",
            d.inner_flows_dropped
        )?;
    }
    for a in &d.aggressive_psk {
        let result = match a.matched_line {
            Some(l) => format!("the responder's key is line {l} of the --psk-file"),
            None => format!("none of the {} candidate key(s) matched", a.candidates),
        };
        writeln!(
            out,
            "  Aggressive Mode PSK (frames {}, {}): {result}. Warning: Aggressive Mode with a pre-shared key sends HASH_R in clear, so anyone with this capture can test guesses of the key offline (RFC 2409 §5.4); prefer Main Mode or IKEv2.",
            a.frames[0], a.frames[1]
        )?;
    }
    Ok(())
}
