//! Cisco show commands: `show crypto isakmp sa [detail]` (ASA blocks, IOS
//! tables), `show crypto ikev1|ikev2 sa`, `show crypto ipsec sa`, `show
//! vpn-sessiondb l2l`. Line shapes from the samples in
//! `../shared/device-text` (FORMATS.md §6) and Cisco's command references.
//!
//! The parser keeps the SA being described and emits an event when its
//! state or its counters are complete; lines it knows but that carry
//! nothing needed (headers, MTUs, compression counters) are consumed
//! quietly.

use std::net::IpAddr;

use super::fields::{hex_after, ip_after, ip_token};
use super::{Counters, EventKind, Proxies};

/// An IKE SA state name: what it says about the negotiation.
#[derive(Debug)]
pub struct StateInfo {
    pub name: &'static str,
    /// Phase 1 complete in this state.
    pub phase1_up: bool,
    /// The Main/Aggressive Mode message this side waits for (`Some(2)` for
    /// MM_WAIT_MSG2), when the state names one.
    pub waiting_for: Option<u8>,
    pub meaning: &'static str,
    pub source: &'static str,
}

const ASA_STATES: &str = "Cisco ASA show crypto isakmp sa / 713136 states (FORMATS.md §6.1)";
const IOS_STATES: &str = "Cisco IOS show crypto isakmp sa states (FORMATS.md §6.2)";

/// SA states of `show crypto isakmp|ikev1|ikev2 sa`.
pub static STATES: &[StateInfo] = &[
    StateInfo {
        name: "MM_WAIT_MSG2",
        phase1_up: false,
        waiting_for: Some(2),
        meaning: "initiator sent MM1, no MM2 yet",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_WAIT_MSG3",
        phase1_up: false,
        waiting_for: Some(3),
        meaning: "responder sent MM2, no MM3 yet",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_WAIT_MSG4",
        phase1_up: false,
        waiting_for: Some(4),
        meaning: "initiator sent MM3, no MM4 yet",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_WAIT_MSG5",
        phase1_up: false,
        waiting_for: Some(5),
        meaning: "responder sent MM4, no MM5 yet",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_WAIT_MSG6",
        phase1_up: false,
        waiting_for: Some(6),
        meaning: "initiator sent MM5, no MM6 yet (authentication)",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_ACTIVE",
        phase1_up: true,
        waiting_for: None,
        meaning: "phase 1 up (Main Mode)",
        source: ASA_STATES,
    },
    StateInfo {
        name: "AM_WAIT_MSG2",
        phase1_up: false,
        waiting_for: Some(2),
        meaning: "initiator sent AM1, no AM2 yet",
        source: ASA_STATES,
    },
    StateInfo {
        name: "AM_WAIT_MSG3",
        phase1_up: false,
        waiting_for: Some(3),
        meaning: "responder sent AM2, no AM3 yet (authentication)",
        source: ASA_STATES,
    },
    StateInfo {
        name: "AM_ACTIVE",
        phase1_up: true,
        waiting_for: None,
        meaning: "phase 1 up (Aggressive Mode)",
        source: ASA_STATES,
    },
    StateInfo {
        name: "MM_NO_STATE",
        phase1_up: false,
        waiting_for: Some(2),
        meaning: "SA created, no valid MM2 yet",
        source: IOS_STATES,
    },
    StateInfo {
        name: "MM_SA_SETUP",
        phase1_up: false,
        waiting_for: Some(4),
        meaning: "proposal agreed, key exchange under way",
        source: IOS_STATES,
    },
    StateInfo {
        name: "MM_KEY_EXCH",
        phase1_up: false,
        waiting_for: Some(6),
        meaning: "keys exchanged, authentication under way",
        source: IOS_STATES,
    },
    StateInfo {
        name: "MM_KEY_AUTH",
        phase1_up: true,
        waiting_for: None,
        meaning: "authenticated",
        source: IOS_STATES,
    },
    StateInfo {
        name: "AG_NO_STATE",
        phase1_up: false,
        waiting_for: Some(2),
        meaning: "Aggressive Mode started",
        source: IOS_STATES,
    },
    StateInfo {
        name: "AG_INIT_EXCH",
        phase1_up: false,
        waiting_for: Some(3),
        meaning: "Aggressive Mode exchange under way",
        source: IOS_STATES,
    },
    StateInfo {
        name: "AG_AUTH",
        phase1_up: true,
        waiting_for: None,
        meaning: "authenticated (Aggressive Mode)",
        source: IOS_STATES,
    },
    StateInfo {
        name: "QM_IDLE",
        phase1_up: true,
        waiting_for: None,
        meaning: "phase 1 up and idle",
        source: IOS_STATES,
    },
    StateInfo {
        name: "READY",
        phase1_up: true,
        waiting_for: None,
        meaning: "IKEv2 SA up",
        source: "Cisco show crypto ikev2 sa",
    },
    StateInfo {
        name: "UP-ACTIVE",
        phase1_up: true,
        waiting_for: None,
        meaning: "IKEv2 session up",
        source: "Cisco ASA show crypto ikev2 sa",
    },
    StateInfo {
        name: "IN-NEG",
        phase1_up: false,
        waiting_for: None,
        meaning: "IKEv2 SA being negotiated",
        source: "Cisco show crypto ikev2 sa",
    },
    StateInfo {
        name: "DELETE",
        phase1_up: false,
        waiting_for: None,
        meaning: "IKEv2 SA being deleted",
        source: "Cisco show crypto ikev2 sa",
    },
];

/// The row for a state name (any case).
pub fn state_info(name: &str) -> Option<&'static StateInfo> {
    STATES.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// An event from a show command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShowEvent {
    pub line: u64,
    pub kind: EventKind,
    pub peer: Option<IpAddr>,
    pub local: Option<IpAddr>,
    pub ike_version: Option<u8>,
    pub state: Option<String>,
    pub counters: Option<Counters>,
    pub spis: Vec<u32>,
    pub proxies: Option<Proxies>,
    pub text: String,
    pub source: &'static str,
}

#[derive(Debug, Default)]
struct IpsecSa {
    line: u64,
    local: Option<IpAddr>,
    peer: Option<IpAddr>,
    local_ident: Option<String>,
    remote_ident: Option<String>,
    counters: Counters,
    have_counters: bool,
    out_spi: Option<u32>,
    in_spi: Option<u32>,
}

#[derive(Debug, Default)]
struct Session {
    line: u64,
    name: String,
    peer: Option<IpAddr>,
    version: Option<u8>,
    counters: Counters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    None,
    /// IOS `dst src state conn-id status`.
    IosIsakmp,
    /// IOS `C-id Local Remote I-VRF Status …` (detail).
    IosIsakmpDetail,
    /// `Tunnel-id Local Remote … Status [Role]`.
    Ikev2,
}

/// The show-command parser for one file.
#[derive(Debug)]
pub(crate) struct ShowParser {
    version: u8,
    asa_peer: Option<(u64, IpAddr)>,
    table: Table,
    ipsec: Option<IpsecSa>,
    ipsec_local: Option<IpAddr>,
    ipsec_peer: Option<IpAddr>,
    session: Option<Session>,
}

impl Default for ShowParser {
    fn default() -> Self {
        ShowParser {
            version: 1,
            asa_peer: None,
            table: Table::None,
            ipsec: None,
            ipsec_local: None,
            ipsec_peer: None,
            session: None,
        }
    }
}

fn after_colon<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pos = line.find(key)?;
    let rest = line.get(pos + key.len()..)?;
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    rest.split_whitespace().next()
}

fn number_after(line: &str, key: &str) -> Option<u64> {
    let w = after_colon(line, key)?;
    w.trim_end_matches(',').parse().ok()
}

impl ShowParser {
    /// Feed one line. Returns whether the line belongs to a show command,
    /// and the events it completed.
    pub(crate) fn line(&mut self, n: u64, line: &str) -> (bool, Vec<ShowEvent>) {
        let mut out = Vec::new();
        let toks: Vec<&str> = line.split_whitespace().collect();
        // Column padding varies by release ("local  ident"): match on single spaces.
        let joined = toks.join(" ");
        let t = joined.as_str();
        let first = toks.first().copied().unwrap_or("");

        // --- tables (IOS isakmp, IKEv2) ---
        if toks.len() >= 4
            && first == "dst"
            && toks.get(1) == Some(&"src")
            && toks.get(2) == Some(&"state")
        {
            self.table = Table::IosIsakmp;
            return (true, out);
        }
        if first == "C-id" && t.contains("Local") && t.contains("Remote") {
            self.table = Table::IosIsakmpDetail;
            return (true, out);
        }
        if first == "Tunnel-id"
            && t.contains("Local")
            && t.contains("Remote")
            && t.contains("Status")
        {
            self.table = Table::Ikev2;
            return (true, out);
        }
        match self.table {
            Table::IosIsakmp => {
                if let (Some(dst), Some(src), Some(state)) = (
                    toks.first().and_then(|x| ip_token(x)),
                    toks.get(1).and_then(|x| ip_token(x)),
                    toks.get(2),
                ) {
                    out.push(self.state_event(
                        n,
                        Some(dst),
                        Some(src),
                        1,
                        state,
                        t,
                        "Cisco IOS show crypto isakmp sa",
                    ));
                    return (true, out);
                }
                if !t.is_empty() {
                    self.table = Table::None;
                }
            }
            Table::IosIsakmpDetail => {
                if let (Some(true), Some(local), Some(remote)) = (
                    toks.first().map(|x| x.bytes().all(|b| b.is_ascii_digit())),
                    toks.get(1).and_then(|x| ip_token(x)),
                    toks.get(2).and_then(|x| ip_token(x)),
                ) {
                    let status = toks
                        .iter()
                        .skip(3)
                        .find(|x| {
                            x.len() > 2 && x.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
                        })
                        .copied()
                        .unwrap_or("");
                    out.push(self.state_event(
                        n,
                        Some(remote),
                        Some(local),
                        1,
                        status,
                        t,
                        "Cisco IOS show crypto isakmp sa detail",
                    ));
                    return (true, out);
                }
                if t.starts_with("Engine-id") || t.is_empty() {
                    return (true, out);
                }
                self.table = Table::None;
            }
            Table::Ikev2 => {
                let addr = |x: &&str| ip_token(x.split('/').next().unwrap_or(x));
                if let (Some(true), Some(local), Some(remote)) = (
                    toks.first().map(|x| x.bytes().all(|b| b.is_ascii_digit())),
                    toks.get(1).and_then(addr),
                    toks.get(2).and_then(addr),
                ) {
                    let status = toks
                        .iter()
                        .skip(3)
                        .find(|x| state_info(x).is_some())
                        .copied()
                        .unwrap_or("");
                    out.push(self.state_event(
                        n,
                        Some(remote),
                        Some(local),
                        2,
                        status,
                        t,
                        "Cisco show crypto ikev2 sa",
                    ));
                    return (true, out);
                }
                let cont = [
                    "Encr:",
                    "Life/Active",
                    "Child sa:",
                    "local selector",
                    "remote selector",
                    "ESP spi",
                    "Session-id:",
                    "Status Description",
                    "Description",
                    "IKEv2 SAs:",
                ];
                if t.is_empty() || cont.iter().any(|c| t.starts_with(c)) {
                    return (true, out);
                }
                self.table = Table::None;
            }
            Table::None => {}
        }

        // --- ASA isakmp / ikev1 / ikev2 SA blocks ---
        if t == "IKEv1 SAs:" || t.starts_with("IKEv1 SAs") {
            self.version = 1;
            return (true, out);
        }
        if t == "IKEv2 SAs:" {
            self.version = 2;
            return (true, out);
        }
        if t.starts_with("Session-id:") && t.contains("Status:") {
            self.version = 2;
            return (true, out);
        }
        if t.starts_with("Active SA:")
            || t.starts_with("Rekey SA:")
            || t.starts_with("Total IKE SA:")
            || t.starts_with("There are no IKEv")
            || t.starts_with("IPv4 Crypto ISAKMP SA")
            || t.starts_with("IPv6 Crypto ISAKMP SA")
            || t.starts_with("IPv4 Crypto IKEv2")
            || t.starts_with("IPv6 Crypto IKEv2")
        {
            return (true, out);
        }
        if let Some(pos) = t.find("IKE Peer:") {
            if t.get(..pos)
                .is_some_and(|p| p.trim().bytes().all(|b| b.is_ascii_digit()))
            {
                if let Some(a) = ip_after(t, "IKE Peer:") {
                    self.asa_peer = Some((n, a));
                    return (true, out);
                }
            }
        }
        if let Some((_, peer)) = self.asa_peer {
            if t.contains("State") && t.contains(':') {
                if let Some(state) = after_colon(t, "State") {
                    out.push(self.state_event(
                        n,
                        Some(peer),
                        None,
                        self.version,
                        state,
                        t,
                        "Cisco ASA show crypto isakmp sa",
                    ));
                    return (true, out);
                }
            }
            if (t.starts_with("Type")
                || t.starts_with("Encrypt")
                || t.starts_with("Auth")
                || t.starts_with("Lifetime"))
                && t.contains(':')
            {
                return (true, out);
            }
        }

        // --- show crypto ipsec sa ---
        if t.starts_with("interface:")
            || t.starts_with("Crypto map tag:")
            || t.starts_with("peer address:")
        {
            out.extend(self.flush_ipsec());
            if let Some(a) = ip_after(t, "local addr:").or_else(|| ip_after(t, "local addr ")) {
                self.ipsec_local = Some(a);
            }
            if let Some(a) = ip_after(t, "peer address:") {
                self.ipsec_peer = Some(a);
            }
            return (true, out);
        }
        if t.starts_with("local ident (addr/mask/prot/port):") {
            if self.ipsec.as_ref().is_some_and(|s| s.have_counters) {
                out.extend(self.flush_ipsec());
            }
            let sa = self.ipsec_entry(n);
            sa.local_ident = t
                .split_once("):")
                .map(|(_, r)| r.trim().trim_matches(['(', ')']).to_string());
            return (true, out);
        }
        if t.starts_with("remote ident (addr/mask/prot/port):") {
            let sa = self.ipsec_entry(n);
            sa.remote_ident = t
                .split_once("):")
                .map(|(_, r)| r.trim().trim_matches(['(', ')']).to_string());
            return (true, out);
        }
        if t.starts_with("current_peer") {
            let a = ip_after(t, "current_peer:").or_else(|| ip_after(t, "current_peer "));
            let sa = self.ipsec_entry(n);
            if a.is_some() {
                sa.peer = a;
            }
            return (true, out);
        }
        if t.starts_with("#pkts encaps") {
            let sa = self.ipsec_entry(n);
            sa.counters.encaps = number_after(t, "#pkts encaps");
            sa.have_counters = true;
            sa.line = n;
            return (true, out);
        }
        if t.starts_with("#pkts decaps") {
            let sa = self.ipsec_entry(n);
            sa.counters.decaps = number_after(t, "#pkts decaps");
            sa.have_counters = true;
            return (true, out);
        }
        if t.starts_with("#send errors") {
            let sa = self.ipsec_entry(n);
            sa.counters.send_errors = number_after(t, "#send errors");
            sa.counters.recv_errors = number_after(t, "#recv errors");
            return (true, out);
        }
        if t.starts_with("local crypto endpt.") {
            let l = ip_after(t, "local crypto endpt.:");
            let r = ip_after(t, "remote crypto endpt.:");
            let sa = self.ipsec_entry(n);
            sa.local = l.or(sa.local);
            sa.peer = r.or(sa.peer);
            return (true, out);
        }
        if t.starts_with("current outbound spi:") {
            let v = hex_after(t, "current outbound spi:").and_then(|x| u32::try_from(x).ok());
            self.ipsec_entry(n).out_spi = v;
            return (true, out);
        }
        if t.starts_with("current inbound spi") {
            let v = hex_after(t, ":").and_then(|x| u32::try_from(x).ok());
            self.ipsec_entry(n).in_spi = v;
            return (true, out);
        }
        let ipsec_quiet = [
            "#pkts",
            "#pre-frag",
            "#PMTUs",
            "#TFC",
            "#Valid ICMP",
            "#Invalid ICMP",
            "#decapsulated",
            "path mtu",
            "plaintext mtu",
            "access-list",
            "protected vrf",
            "PERMIT, flags",
            "inbound esp sas",
            "outbound esp sas",
            "inbound ah sas",
            "outbound ah sas",
            "inbound pcp sas",
            "outbound pcp sas",
            "spi: 0x",
            "transform:",
            "in use settings",
            "sa timing",
            "IV size",
            "replay detection",
            "Anti replay bitmap",
            "Status: ACTIVE",
            "conn id:",
            "local crypto endpt",
            "Crypto map tag",
        ];
        if self.ipsec.is_some() && ipsec_quiet.iter().any(|q| t.starts_with(q)) {
            return (true, out);
        }

        // --- show vpn-sessiondb l2l ---
        if t.starts_with("Session Type: LAN-to-LAN") {
            out.extend(self.flush_session());
            return (true, out);
        }
        if first == "Connection" && t.contains(':') {
            out.extend(self.flush_session());
            self.session = Some(Session {
                line: n,
                name: t
                    .split_once(':')
                    .map(|(_, r)| r.trim().to_string())
                    .unwrap_or_default(),
                ..Session::default()
            });
            return (true, out);
        }
        if let Some(s) = self.session.as_mut() {
            if t.contains("IP Addr") {
                s.peer =
                    ip_after(t, "IP Addr").or_else(|| after_colon(t, "IP Addr").and_then(ip_token));
                return (true, out);
            }
            if first == "Protocol" {
                s.version = if t.contains("IKEv2") {
                    Some(2)
                } else if t.contains("IKEv1") {
                    Some(1)
                } else {
                    None
                };
                return (true, out);
            }
            if t.contains("Bytes Tx") {
                s.counters.bytes_tx = number_after(t, "Bytes Tx");
                s.counters.bytes_rx = number_after(t, "Bytes Rx");
                s.line = n;
                return (true, out);
            }
            let quiet = [
                "Index",
                "Encryption",
                "Hashing",
                "Login Time",
                "Duration",
                "Group Policy",
                "Tunnel Group",
                "Inactivity",
                "VLAN",
                "Audt Sess ID",
                "Security Grp",
            ];
            if quiet.iter().any(|q| t.starts_with(q)) {
                return (true, out);
            }
        }
        (false, out)
    }

    /// Events still open at the end of the input (or before another format).
    pub(crate) fn finish(&mut self) -> Vec<ShowEvent> {
        let mut v = self.flush_ipsec();
        v.extend(self.flush_session());
        self.asa_peer = None;
        self.table = Table::None;
        v
    }

    #[allow(clippy::too_many_arguments)]
    fn state_event(
        &self,
        n: u64,
        peer: Option<IpAddr>,
        local: Option<IpAddr>,
        version: u8,
        state: &str,
        text: &str,
        source: &'static str,
    ) -> ShowEvent {
        ShowEvent {
            line: n,
            kind: EventKind::SaState,
            peer,
            local,
            ike_version: Some(version),
            state: Some(state.to_string()),
            counters: None,
            spis: Vec::new(),
            proxies: None,
            text: text.to_string(),
            source,
        }
    }

    fn ipsec_entry(&mut self, n: u64) -> &mut IpsecSa {
        let (local, peer) = (self.ipsec_local, self.ipsec_peer);
        self.ipsec.get_or_insert_with(|| IpsecSa {
            line: n,
            local,
            peer,
            ..IpsecSa::default()
        })
    }

    fn flush_ipsec(&mut self) -> Vec<ShowEvent> {
        let Some(sa) = self.ipsec.take() else {
            return Vec::new();
        };
        if !sa.have_counters {
            return Vec::new();
        }
        let c = sa.counters;
        let mut text = format!(
            "#pkts encaps: {}, #pkts decaps: {}",
            c.encaps.map_or("?".into(), |x| x.to_string()),
            c.decaps.map_or("?".into(), |x| x.to_string())
        );
        if let (Some(s), Some(r)) = (c.send_errors, c.recv_errors) {
            text.push_str(&format!(", #send errors: {s}, #recv errors: {r}"));
        }
        let spis = [sa.in_spi, sa.out_spi]
            .into_iter()
            .flatten()
            .filter(|x| *x != 0)
            .collect();
        let proxies = match (sa.local_ident, sa.remote_ident) {
            (Some(local), Some(remote)) => Some(Proxies { local, remote }),
            _ => None,
        };
        vec![ShowEvent {
            line: sa.line,
            kind: EventKind::IpsecCounters,
            peer: sa.peer,
            local: sa.local,
            ike_version: None,
            state: None,
            counters: Some(c),
            spis,
            proxies,
            text,
            source: "Cisco show crypto ipsec sa",
        }]
    }

    fn flush_session(&mut self) -> Vec<ShowEvent> {
        let Some(s) = self.session.take() else {
            return Vec::new();
        };
        let mut v = vec![ShowEvent {
            line: s.line,
            kind: EventKind::SaState,
            peer: s.peer,
            local: None,
            ike_version: s.version,
            state: Some("L2L session up".to_string()),
            counters: None,
            spis: Vec::new(),
            proxies: None,
            text: format!("Connection: {}", s.name),
            source: "Cisco ASA show vpn-sessiondb l2l",
        }];
        if s.counters.bytes_tx.is_some() || s.counters.bytes_rx.is_some() {
            v.push(ShowEvent {
                line: s.line,
                kind: EventKind::IpsecCounters,
                peer: s.peer,
                local: None,
                ike_version: s.version,
                state: None,
                counters: Some(s.counters),
                spis: Vec::new(),
                proxies: None,
                text: format!(
                    "Bytes Tx: {}, Bytes Rx: {}",
                    s.counters.bytes_tx.unwrap_or(0),
                    s.counters.bytes_rx.unwrap_or(0)
                ),
                source: "Cisco ASA show vpn-sessiondb l2l",
            });
        }
        v
    }
}
