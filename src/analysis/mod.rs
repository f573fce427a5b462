//! The analysis result: per file, per tunnel, per IKE SA — everything the
//! views (table, ladder, JSON, and later HTML and live events) print,
//! computed once here. Phase labels and `complete` flags come from the same
//! per-SA outcomes as the verdicts, so they cannot disagree.

pub mod decryption;

use serde::Serialize;

use crate::capture::{self, Notice, ReadSummary, Timestamp};
use crate::diagnose::hostile::{self, Finding};
use crate::diagnose::{self, SaOutcome, Severity, Verdict};
use crate::flow::state::{self, ChildExchange, Phase1State};
use crate::flow::{Coverage, IkeSa, Tunnel};
use crate::net;

/// A notice from any layer, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FileNotice {
    pub level: capture::Level,
    pub offset: Option<u64>,
    pub line: Option<u64>,
    pub frame: Option<u64>,
    pub message: String,
}

impl FileNotice {
    /// A warning about the input as a whole (no offset, line or frame).
    pub fn warning(message: String) -> FileNotice {
        FileNotice {
            level: capture::Level::Warning,
            offset: None,
            line: None,
            frame: None,
            message,
        }
    }
}

impl From<Notice> for FileNotice {
    fn from(n: Notice) -> Self {
        FileNotice {
            level: n.level,
            offset: n.offset,
            line: n.line,
            frame: n.frame,
            message: n.message,
        }
    }
}

impl From<net::NetNotice> for FileNotice {
    fn from(n: net::NetNotice) -> Self {
        FileNotice {
            level: capture::Level::Warning,
            offset: None,
            line: None,
            frame: n.frame,
            message: n.message,
        }
    }
}

/// One IKE SA's state as every view shows it.
#[derive(Debug, Clone)]
pub struct SaState {
    pub phase1: Phase1State,
    /// Child-SA exchanges; `answered` is withdrawn when a verdict says the
    /// answer was a refusal.
    pub children: Vec<ChildExchange>,
    pub outcome: SaOutcome,
}

impl SaState {
    fn new(sa: &IkeSa, outcome: SaOutcome) -> SaState {
        let mut phase1 = state::phase1(sa);
        let mut children = state::children(sa);
        if outcome.auth_refused {
            // The IKE_AUTH answer was a refusal: neither the IKE SA nor the
            // child SA it carries is up, whatever the answer's shape.
            phase1.complete = false;
            phase1.ios = "DELETE";
            phase1.asa = "DELETE";
            for c in &mut children {
                if c.last
                    .v2()
                    .is_some_and(|(e, _)| e == crate::registry::proto::ExchangeV2::IkeAuth)
                {
                    c.answered = false;
                }
            }
        }
        SaState {
            phase1,
            children,
            outcome,
        }
    }
}

/// A tunnel with its verdicts and per-SA states.
#[derive(Debug, Clone)]
pub struct TunnelReport {
    pub tunnel: Tunnel,
    /// Index of the security finding (in [`FileAnalysis::findings`]) this
    /// tunnel is folded into: its row is the finding's, not its own.
    pub folded: Option<usize>,
    pub verdicts: Vec<Verdict>,
    /// One per IKE SA of `tunnel`, in order.
    pub sas: Vec<SaState>,
    /// What the device logs say of the phases (for tunnels known only from logs).
    pub logged: LoggedPhases,
}

/// The phases as device log lines state them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoggedPhases {
    pub version: Option<u8>,
    /// `Some(true)` up, `Some(false)` failed, `None` not logged.
    pub phase1: Option<bool>,
    pub phase2: Option<bool>,
}

impl LoggedPhases {
    fn of(t: &Tunnel) -> LoggedPhases {
        use crate::flow::EventKind as E;
        let mut p = LoggedPhases::default();
        for le in &t.events {
            if let Some(v) = le.event.log.as_deref().and_then(|e| e.ike_version) {
                p.version.get_or_insert(v);
            }
            match le.event.kind {
                E::Phase1Up => p.phase1 = Some(true),
                E::Phase2Up => {
                    p.phase1 = Some(true);
                    p.phase2 = Some(true);
                }
                E::Phase1Failed if p.phase1.is_none() => p.phase1 = Some(false),
                E::Phase2Failed if p.phase2 != Some(true) => p.phase2 = Some(false),
                _ => {}
            }
        }
        p
    }
}

impl TunnelReport {
    /// Diagnose a tunnel against what the capture covers.
    pub fn new(tunnel: Tunnel, coverage: &Coverage) -> TunnelReport {
        let d = diagnose::diagnose_tunnel(&tunnel, coverage);
        let sas = tunnel
            .ike_sas
            .iter()
            .zip(
                d.sas
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(SaOutcome::default())),
            )
            .map(|(sa, o)| SaState::new(sa, o))
            .collect();
        TunnelReport {
            logged: LoggedPhases::of(&tunnel),
            folded: None,
            tunnel,
            verdicts: d.verdicts,
            sas,
        }
    }

    pub fn worst(&self) -> Severity {
        self.verdicts
            .iter()
            .map(|v| v.severity)
            .max()
            .unwrap_or(Severity::Ok)
    }
}

/// The analysis of one capture file.
#[derive(Debug, Clone)]
pub struct FileAnalysis {
    pub path: String,
    pub read: Option<ReadSummary>,
    /// The file could not be read at all.
    pub error: Option<String>,
    pub notices: Vec<FileNotice>,
    pub frames: u64,
    pub ipsec_packets: u64,
    /// IPsec packets left out by `--peer` / `--spi`.
    pub filtered: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub tunnels: Vec<TunnelReport>,
    /// Security findings over several tunnels (reflection, scan); their
    /// member tunnels are folded into them ([`TunnelReport::folded`]).
    pub findings: Vec<Finding>,
    /// Set when key tables were given or found beside the capture.
    pub decryption: Option<decryption::Decryption>,
    /// Device logs read with (or instead of) the capture: one account each
    /// (path, formats, lines, events).
    pub logs: Vec<String>,
}

impl FileAnalysis {
    /// Worst verdict severity over all tunnels.
    pub fn worst(&self) -> Severity {
        self.tunnels
            .iter()
            .map(|t| t.worst())
            .max()
            .unwrap_or(Severity::Ok)
    }

    /// Reading stopped early or failed, or the reader found damage (a
    /// broken hex dump in a console export).
    pub fn input_failed(&self) -> bool {
        self.error.is_some()
            || self.read.as_ref().is_some_and(|r| r.stopped.is_some())
            || self
                .notices
                .iter()
                .any(|n| n.level == capture::Level::Error)
    }

    /// An input that could not be opened at all.
    pub fn unreadable(path: String, reason: String) -> FileAnalysis {
        FileAnalysis {
            path,
            read: None,
            error: Some(reason),
            notices: Vec::new(),
            frames: 0,
            ipsec_packets: 0,
            filtered: 0,
            first: None,
            last: None,
            tunnels: Vec::new(),
            findings: Vec::new(),
            decryption: None,
            logs: Vec::new(),
        }
    }
}

/// Find the security findings over a file's tunnels and fold their member
/// tunnels into them: each member's own verdicts (a scanned target's
/// `no-response`, a reflector's lone answer) give way to the finding's, as
/// they say nothing about a VPN between those two addresses.
///
/// Also links each IKEv2 REDIRECT to the new gateway's tunnel (see
/// [`link_redirects`]): both are facts across tunnels.
pub fn fold_findings(tunnels: &mut [TunnelReport]) -> Vec<Finding> {
    link_redirects(tunnels);
    let found = {
        let list: Vec<&Tunnel> = tunnels.iter().map(|t| &t.tunnel).collect();
        hostile::findings(&list)
    };
    for (fi, f) in found.iter().enumerate() {
        for &ti in &f.tunnels {
            let Some(tr) = tunnels.get_mut(ti) else {
                continue;
            };
            tr.folded = Some(fi);
            tr.verdicts = vec![Verdict::new(
                f.code,
                tr.tunnel
                    .ike_sas
                    .iter()
                    .filter_map(|sa| sa.messages.first().map(|m| m.frame))
                    .collect(),
                format!(
                    "one of {} tunnels of this finding: {}",
                    hostile::count(f.tunnels.len()),
                    f.message
                ),
            )
            .basis(diagnose::Basis::Clear)];
        }
    }
    found
}

/// One line per limit that bit while tracking: what was counted and not
/// kept, with counts (no silent caps). Empty when none did.
pub fn limit_notices(cov: &Coverage, tunnels: &[Tunnel]) -> Vec<String> {
    use crate::flow::{
        KEEP_FIRST_MESSAGES, MAX_ESP_SAS, MAX_IKE_SAS, MAX_MESSAGES_PER_SA, MAX_QUICK_MODES_PER_SA,
        MAX_SAS_PER_TUNNEL, MAX_TUNNELS,
    };
    let mut out = Vec::new();
    if cov.untracked_packets > 0 {
        out.push(format!(
            "tunnel limit ({MAX_TUNNELS} peer pairs) reached at frame {}: {} IPsec packet(s) of further peer pairs were counted, not analysed",
            cov.untracked_from.unwrap_or(0),
            cov.untracked_packets
        ));
    }
    if cov.untracked_ike > 0 {
        out.push(format!(
            "IKE SA limit ({MAX_IKE_SAS} SAs) reached: {} IKE message(s) of further SAs were counted, not analysed",
            cov.untracked_ike
        ));
    }
    if cov.untracked_esp > 0 {
        out.push(format!(
            "ESP/AH SA limit ({MAX_ESP_SAS} SPIs) reached: {} packet(s) of further SPIs were counted, not analysed",
            cov.untracked_esp
        ));
    }
    if cov.fragment_notices_dropped > 0 {
        out.push(format!(
            "{} more IP fragment notice(s) (sets evicted or never completed) not listed",
            cov.fragment_notices_dropped
        ));
    }
    let (mut msgs, mut sas_cut, mut sas, mut qms) = (0u64, 0usize, 0u64, 0u64);
    for t in tunnels {
        sas += t.dropped_sas;
        for sa in &t.ike_sas {
            msgs += sa.dropped_messages;
            sas_cut += usize::from(sa.dropped_messages > 0);
            qms += sa.dropped_quick_modes;
        }
    }
    if msgs > 0 {
        out.push(format!(
            "{msgs} IKE message(s) in {sas_cut} IKE SA(s) beyond {MAX_MESSAGES_PER_SA} per SA were counted, not kept: the first {KEEP_FIRST_MESSAGES}, the latest, and those with error notifies or Deletes are kept"
        ));
    }
    if sas > 0 {
        out.push(format!(
            "{sas} IKE message(s) of IKE SAs beyond {MAX_SAS_PER_TUNNEL} per tunnel were counted, not analysed"
        ));
    }
    if qms > 0 {
        out.push(format!(
            "{qms} Quick Mode message(s) beyond {MAX_QUICK_MODES_PER_SA} message IDs per IKE SA were counted, not tracked"
        ));
    }
    out
}

/// A `redirected` verdict names the tunnel where the redirected initiator
/// went on with the new gateway (RFC 5685), or says the capture holds none.
pub fn link_redirects(tunnels: &mut [TunnelReport]) {
    use crate::diagnose::rules_wire::{redirect_gateway, Gateway};
    use crate::registry::proto::notify_v2::REDIRECT;
    let mut links: Vec<(usize, String)> = Vec::new();
    for (i, tr) in tunnels.iter().enumerate() {
        if !tr
            .verdicts
            .iter()
            .any(|v| v.code == diagnose::Code::Redirected)
        {
            continue;
        }
        let target = tr.tunnel.ike_sas.iter().find_map(|sa| {
            sa.messages.iter().find_map(|m| {
                m.notifies
                    .iter()
                    .find(|n| n.notify_type == REDIRECT)
                    .and_then(|n| redirect_gateway(&n.data))
                    .map(|g| (m.dst.addr, g))
            })
        });
        let Some((initiator, Gateway::Addr(gw))) = target else {
            continue;
        };
        let text = match tunnels
            .iter()
            .position(|t| t.tunnel.peers.contains(&initiator) && t.tunnel.peers.contains(&gw))
        {
            Some(k) => format!(
                "; the attempt goes on in tunnel {} ({initiator} ⇄ {gw})",
                k + 1
            ),
            None => format!("; the capture holds no traffic between {initiator} and {gw}"),
        };
        links.push((i, text));
    }
    for (i, text) in links {
        for v in &mut tunnels[i].verdicts {
            if v.code == diagnose::Code::Redirected {
                v.message.push_str(&text);
            }
        }
    }
}
