//! Rules that turn tracked exchanges into verdicts with evidence.
//!
//! Each verdict has a stable code (see [`advice::CODES`]), a severity, the
//! frames that prove it, a one-line explanation specific to the capture, and
//! the checks to make on the boxes. When the evidence is ambiguous the
//! candidates are listed, likeliest first; a verdict never claims more than
//! the capture shows. Healthy tunnels get no warning or error.

pub mod advice;
pub mod code;
mod rules_aggressive;
mod rules_decrypted;
mod rules_esp;
mod rules_log;
mod rules_v1;
mod rules_v2;

use serde::Serialize;

use crate::capture::{FrameNo, Timestamp};
use crate::flow::{Coverage, LogLine, Tunnel, Visibility};
use crate::registry::cause::Cause;

pub use code::Code;

/// How bad a verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a verdict rests on, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Contents read after decryption.
    Decrypted,
    /// A device log says so.
    Logged,
    /// Contents read in clear text (a cleartext notify, an SA payload).
    Clear,
    /// Inferred from shapes: sizes, timing, what did not happen.
    Inferred,
}

impl Basis {
    /// The basis a fact seen with this visibility gives.
    pub fn of(v: Visibility) -> Basis {
        match v {
            Visibility::Clear => Basis::Clear,
            Visibility::Decrypted => Basis::Decrypted,
            Visibility::Logged => Basis::Logged,
            Visibility::Opaque => Basis::Inferred,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Decrypted => "decrypted",
            Basis::Logged => "logged",
            Basis::Clear => "clear",
            Basis::Inferred => "inferred",
        }
    }
}

/// A verdict's stable identity within a file or stream: the tunnel's peers
/// and the code (verdicts of one code are merged per tunnel), so a live
/// view can say "changed" rather than "new".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VerdictId {
    pub peers: [std::net::IpAddr; 2],
    pub code: Code,
}

/// A finding about a tunnel.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub code: Code,
    pub severity: Severity,
    /// What the verdict rests on.
    pub basis: Basis,
    /// The failure cause, when the evidence pins it down.
    pub cause: Option<Cause>,
    /// Frames that prove it (Wireshark frame numbers).
    pub frames: Vec<FrameNo>,
    /// Device log lines that prove it.
    pub lines: Vec<LogLine>,
    /// One line about this capture.
    pub message: String,
    /// Possible causes, likeliest first, when the capture cannot tell.
    pub candidates: Vec<String>,
    /// What was offered, when a proposal was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered: Option<Offered>,
    /// Further findings of the same kind (other IKE SAs) merged into this one.
    pub repeats: usize,
    /// The proxy identities / traffic selectors of a refused child-SA
    /// request, read from its decrypted contents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_ids: Option<ProxyIds>,
}

/// Proxy identities (IKEv1 IDci/IDcr) or traffic selectors (IKEv2
/// TSi/TSr) one child-SA request offered, with the peers that sent and
/// received it; the report prints them as both sides' crypto-ACL lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProxyIds {
    /// The request that carried them (QM1, IKE_AUTH, CREATE_CHILD_SA).
    pub frame: FrameNo,
    /// The IKE SA's initiator and responder addresses.
    pub initiator: std::net::IpAddr,
    pub responder: std::net::IpAddr,
    pub selectors: crate::flow::decrypted::Selectors,
}

/// Proposals an initiator offered, to be shown as configuration lines: the
/// tracker's summary of the SA payload, as it is.
pub use crate::flow::Offer as Offered;

impl Verdict {
    /// A verdict inferred from shapes; say otherwise with [`Verdict::basis`].
    pub fn new(code: Code, frames: Vec<FrameNo>, message: String) -> Verdict {
        Verdict {
            code,
            severity: code.severity(),
            basis: Basis::Inferred,
            cause: None,
            frames,
            lines: Vec::new(),
            message,
            candidates: Vec::new(),
            offered: None,
            repeats: 0,
            proxy_ids: None,
        }
    }

    pub fn basis(mut self, b: Basis) -> Verdict {
        self.basis = b;
        self
    }

    pub fn cause(mut self, c: Cause) -> Verdict {
        self.cause = Some(c);
        self
    }

    /// The verdict's identity within its tunnel.
    pub fn id(&self, t: &Tunnel) -> VerdictId {
        VerdictId {
            peers: t.peers,
            code: self.code,
        }
    }

    pub fn severity(mut self, s: Severity) -> Verdict {
        self.severity = s;
        self
    }

    pub fn candidates(mut self, c: &[&str]) -> Verdict {
        self.candidates = c.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// All verdicts for one tunnel, worst first, then by first evidence frame.
/// `ctx` says what the capture covers; every "no answer" rule consults it.
pub fn diagnose(t: &Tunnel, ctx: &Coverage) -> Vec<Verdict> {
    diagnose_tunnel(t, ctx).verdicts
}

/// Verdicts and the per-IKE-SA outcomes they were drawn from.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub verdicts: Vec<Verdict>,
    /// One per IKE SA of the tunnel, in order.
    pub sas: Vec<SaOutcome>,
}

/// Diagnose a tunnel, keeping the per-SA outcomes for the phase labels.
pub fn diagnose_tunnel(t: &Tunnel, ctx: &Coverage) -> Diagnosis {
    let mut outcomes = Vec::with_capacity(t.ike_sas.len());
    let mut out = Vec::new();
    let mut phase2_up = false;
    let mut negotiated = false;
    let mut per_sa: Vec<(FrameNo, Vec<Verdict>, SaOutcome)> = Vec::new();
    for sa in &t.ike_sas {
        let mut v = Vec::new();
        let r = match sa.version {
            1 => rules_v1::check(sa, t, ctx, &mut v),
            _ => rules_v2::check(sa, t, ctx, &mut v),
        };
        rules_aggressive::check(sa, &mut v);
        phase2_up |= r.child_up;
        negotiated |= r.phase1_up;
        outcomes.push(r);
        let first = sa.messages.first().map_or(0, |m| m.frame);
        per_sa.push((first, v, r));
    }
    // A failed attempt followed by a successful negotiation between the same
    // peers is history, not the tunnel's state: say so, as info.
    let up_starts: Vec<FrameNo> = per_sa
        .iter()
        .filter(|(_, _, r)| r.child_up)
        .map(|(f, _, _)| *f)
        .collect();
    let success_at: Option<FrameNo> = per_sa
        .iter()
        .filter(|(_, _, r)| r.child_up)
        .map(|(f, _, _)| *f)
        .max();
    for (first, v, r) in per_sa {
        for mut x in v {
            if let Some(s) = success_at {
                if !r.child_up
                    && first < s
                    && x.severity > Severity::Info
                    && !x.code.is_security_finding()
                {
                    x.severity = Severity::Info;
                    x.message
                        .push_str(&format!("; a later negotiation (from frame {s}) succeeded"));
                }
            }
            out.push(x);
        }
    }
    rules_esp::check(t, ctx, phase2_up, negotiated, &mut out);
    // Established: negotiation complete and ESP both ways, whatever the
    // data-plane warnings (loss, replay) say about it.
    {
        let both_ways = rules_esp::esp_both_ways(t);
        if both_ways && phase2_up {
            // Evidence: the first frame of each IKE SA that set up a child SA.
            let mut frames: Vec<FrameNo> = up_starts.clone();
            frames.extend(t.esp.iter().take(2).map(|e| e.first_frame));
            out.insert(
                0,
                Verdict::new(
                    Code::Established,
                    frames,
                    "Negotiation complete and ESP flows both ways".to_string(),
                ),
            );
        }
    }
    icmp_answers(t, &mut out);
    rules_decrypted::refine(t, &mut out);
    // Device log lines: their own verdicts, and what they confirm.
    rules_log::check(t, &mut out);
    // Many IKE SAs failing the same way make one verdict, not a screenful.
    let mut merged: Vec<Verdict> = Vec::new();
    for v in out {
        match merged
            .iter_mut()
            .find(|m| m.code == v.code && m.severity == v.severity && v.code != Code::Established)
        {
            Some(m) => {
                m.frames.extend(v.frames);
                m.repeats += 1;
            }
            None => merged.push(v),
        }
    }
    for m in &mut merged {
        if m.repeats > 0 {
            m.message
                .push_str(&format!(" (and {} more alike)", m.repeats));
        }
        m.frames.sort_unstable();
        m.frames.dedup();
    }
    let mut out = merged;
    out.sort_by(|a, b| {
        let sec = |v: &Verdict| v.code.is_security_finding();
        sec(a)
            .cmp(&sec(b))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.frames.first().cmp(&b.frames.first()))
    });
    Diagnosis {
        verdicts: out,
        sas: outcomes,
    }
}

/// Outcome of checking one IKE SA: what the verdicts concluded, for the
/// phase labels and `complete` flags (so they cannot disagree).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaOutcome {
    pub phase1_up: bool,
    pub child_up: bool,
    /// A verdict says the IKE_AUTH answer was a refusal (too small to
    /// authenticate, or rejected: no child SA and no ESP followed).
    pub auth_refused: bool,
}

/// The tries that a "no answer" judgement rests on: the last original of
/// a step and its retransmissions (an earlier original with other bytes was
/// answered somehow, or the sender would have resent it unchanged). Of a
/// message split by IKE fragmentation only the first fragment counts.
pub(crate) fn last_tries<'a>(ms: &[&'a crate::flow::IkeMsg]) -> Vec<&'a crate::flow::IkeMsg> {
    let whole: Vec<&crate::flow::IkeMsg> = ms
        .iter()
        .copied()
        .filter(|m| m.is_try() && m.ike_fragment.is_none_or(|(n, _)| n <= 1))
        .collect();
    let Some(last) = whole
        .iter()
        .rev()
        .find(|m| m.copy == crate::flow::Copy::Original)
    else {
        return whole;
    };
    let of = last.frame;
    whole
        .into_iter()
        .filter(|m| m.frame == of || m.retransmit_of() == Some(of))
        .collect()
}

/// The times of [`last_tries`].
pub(crate) fn try_times(ms: &[&crate::flow::IkeMsg]) -> Vec<Timestamp> {
    last_tries(ms).iter().map(|m| m.ts).collect()
}

/// Format a frame list for messages: "frames 1, 3, 5".
pub(crate) fn frames_text(f: &[FrameNo]) -> String {
    let v: Vec<String> = f.iter().map(|n| n.to_string()).collect();
    match v.len() {
        0 => String::new(),
        1 => format!("frame {}", v[0]),
        _ => format!("frames {}", v.join(", ")),
    }
}

/// Gaps between successive sends, e.g. "after 1.0, 1.4, 2.0 s" (the
/// retransmission back-off), or nothing for a single send.
pub(crate) fn intervals(times: &[Timestamp]) -> String {
    if times.len() < 2 {
        return String::new();
    }
    let gaps: Vec<String> = times
        .windows(2)
        .map(|w| format!("{:.1}", w[1].since(w[0]).max(0.0)))
        .collect();
    format!(" (retransmitted after {} s)", gaps.join(", "))
}

/// Seconds between two frames' times, for messages.
pub(crate) fn span(a: Timestamp, b: Timestamp) -> String {
    format!("{:.1} s", b.since(a).max(0.0))
}

/// ICMP errors quoting the tunnel's packets explain silence: attach them to
/// the verdict they explain, or report them on their own.
fn icmp_answers(t: &Tunnel, out: &mut Vec<Verdict>) {
    if t.icmp.is_empty() {
        return;
    }
    let ike: Vec<&crate::flow::IcmpError> =
        t.icmp.iter().filter(|e| e.quoted_sport.is_some()).collect();
    let esp: Vec<&crate::flow::IcmpError> =
        t.icmp.iter().filter(|e| e.quoted_sport.is_none()).collect();
    let describe = |list: &[&crate::flow::IcmpError]| -> String {
        let first = list[0];
        let reason = first.reason.map_or_else(
            || {
                format!(
                    "ICMP {} code {}",
                    crate::registry::icmp::type_label(first.reporter.is_ipv6(), first.icmp_type),
                    first.code
                )
            },
            |r| format!("ICMP {r}"),
        );
        let frames: Vec<FrameNo> = list.iter().map(|e| e.frame).collect();
        format!(
            "answered by {reason} from {} ({})",
            first.reporter,
            frames_text(&frames)
        )
    };
    let cause = |e: &crate::flow::IcmpError, what: &str| -> String {
        match (e.icmp_type, e.code) {
            (3, 3) | (1, 4) => format!(
                "nothing takes {what} at {}: the IKE daemon is not running, or IKE is not enabled on that interface (ASA: `crypto ikev1|ikev2 enable outside`)",
                e.reporter
            ),
            (3, 2) => format!("{} does not accept {what} (no IPsec SA or IPsec not enabled there)", e.reporter),
            (3, 9) | (3, 10) | (3, 13) | (1, 1) => {
                format!("a filter at {} rejects {what} (ACL / firewall policy)", e.reporter)
            }
            _ => format!("{} cannot deliver {what} (routing)", e.reporter),
        }
    };
    let mut used_ike = ike.is_empty();
    let mut used_esp = esp.is_empty();
    for v in out.iter_mut() {
        let is_ike = matches!(
            v.code,
            Code::NoResponse | Code::IkeAuthNoResponse | Code::Phase2NoResponse | Code::DpdTimeout
        );
        let is_esp = v.code == Code::EspOneWay;
        if is_ike && !ike.is_empty() {
            v.message.push_str(&format!("; {}", describe(&ike)));
            v.frames.extend(ike.iter().map(|e| e.frame));
            v.candidates.insert(0, cause(ike[0], "IKE"));
            used_ike = true;
        } else if is_esp && !esp.is_empty() {
            v.message.push_str(&format!("; {}", describe(&esp)));
            v.frames.extend(esp.iter().map(|e| e.frame));
            v.candidates.insert(0, cause(esp[0], "ESP"));
            used_esp = true;
        }
    }
    for (used, list, what) in [(used_ike, &ike, "IKE"), (used_esp, &esp, "ESP/AH")] {
        if !used {
            out.push(
                Verdict::new(
                    Code::IcmpUnreachable,
                    list.iter().map(|e| e.frame).collect(),
                    format!("{what} packets were {}", describe(list)),
                )
                .candidates(&[&cause(list[0], what)]),
            );
        }
    }
}
