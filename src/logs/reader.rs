//! The per-file reader: lines in, events out.
//!
//! Each line is classified ([`super::line::classify`]), looked up in the
//! catalogue, and completed from the negotiation it belongs to (charon's
//! IKE_SA number, pluto's serial, IOS's conn-id, the ASA peer address): the
//! peer address, whether phase 1 was already up (so a NO_PROPOSAL_CHOSEN
//! or INVALID_ID is placed in the right phase), which request was last sent
//! (so a timeout is a silent peer, a lost Quick Mode or a dead peer), and
//! the proposals listed (so a phase-2 refusal is a PFS or a transform
//! mismatch). Lines that are not a log of any known format go to the show
//! command parser, then count as unknown.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::net::IpAddr;
use std::sync::Arc;

use super::catalogue::{self, Dialect};
use super::fields::{self, ip_after, ip_token, ips};
use super::line::{classify, Parsed, Stamp};
use super::show::{state_info, ShowEvent, ShowParser};
use super::{
    DateBasis, Dir, EventKind, Exchange, Format, LogEvent, LogOrigin, LogRead, LogTime, Phase,
    ReadOptions, MAX_CONTEXTS, MAX_EVENTS, MAX_LINE, MAX_TEXT,
};
use crate::civil::days_from_civil;
use crate::registry::cause::Cause;

/// How much of the start of an input [`looks_like_log`] reads.
const SNIFF_BYTES: usize = 64 * 1024;
/// Lines a VPN 3000 message may continue on.
const VPN3000_CONTINUATION: u8 = 4;

/// What a negotiation's earlier lines said.
#[derive(Debug, Default, Clone)]
struct Ctx {
    peer: Option<IpAddr>,
    local: Option<IpAddr>,
    phase1_up: bool,
    received_any: bool,
    last_request: Option<Exchange>,
    /// charon's sequence number of the request last retransmitted.
    last_seq: Option<u32>,
    /// IKE version, once a line of the negotiation told it.
    version: Option<u8>,
    proposals_received: Option<String>,
    proposals_configured: Option<String>,
}

#[derive(Debug)]
struct PendingVpn {
    line: u64,
    stamp: Option<Stamp>,
    addr: Option<IpAddr>,
    text: String,
    lines: u8,
}

/// A streaming log reader: feed lines, then [`LogReader::finish`].
#[derive(Debug)]
pub struct LogReader {
    file: Arc<str>,
    opts: ReadOptions,
    out: LogRead,
    show: ShowParser,
    contexts: HashMap<String, Ctx>,
    line: u64,
    last_tod: Option<u64>,
    day_offset: i64,
    vpn: Option<PendingVpn>,
    /// Events whose IKE version was not known yet, with their negotiation:
    /// filled in at the end from what later lines told.
    unversioned: Vec<(usize, String)>,
}

impl LogReader {
    pub fn new(file: &str, opts: ReadOptions) -> LogReader {
        LogReader {
            file: Arc::from(file),
            opts,
            out: LogRead::default(),
            show: ShowParser::default(),
            contexts: HashMap::new(),
            line: 0,
            last_tod: None,
            day_offset: 0,
            vpn: None,
            unversioned: Vec::new(),
        }
    }

    /// One line, without its line ending. `cut`: the line was longer than
    /// [`MAX_LINE`] and this is its start.
    pub fn push_line(&mut self, raw: &[u8], cut: bool) {
        self.line += 1;
        self.out.lines += 1;
        if cut {
            self.out.cut_lines += 1;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let raw = raw.get(..MAX_LINE).unwrap_or(raw);
        let controls = raw
            .iter()
            .filter(|&&b| b == 0 || (b < 0x20 && b != b'\t') || b == 0x7f)
            .count();
        if controls > 0 && (raw.contains(&0) || controls * 8 > raw.len()) {
            self.out.binary_lines += 1;
            self.end_vpn();
            return;
        }
        let text = String::from_utf8_lossy(raw);
        self.text_line(&text);
    }

    fn text_line(&mut self, line: &str) {
        let n = self.line;
        let parsed = classify(line);
        if let Some(v) = self.vpn.as_mut() {
            if parsed.is_none() && !line.trim().is_empty() && v.lines < VPN3000_CONTINUATION {
                if !v.text.is_empty() {
                    v.text.push(' ');
                }
                v.text.push_str(line.trim());
                v.lines += 1;
                self.count(Format::Vpn3000);
                return;
            }
            self.end_vpn();
        }
        match parsed {
            Some(p) => {
                let events = self.show.finish();
                self.push_show(events);
                if let Some(addr) = p.vpn3000 {
                    self.count(Format::Vpn3000);
                    self.vpn = Some(PendingVpn {
                        line: n,
                        stamp: p.stamp,
                        addr,
                        text: String::new(),
                        lines: 0,
                    });
                    return;
                }
                self.count(p.format);
                self.handle(&p, n, None);
            }
            None => {
                if line.trim().is_empty() {
                    return;
                }
                let (mine, events) = self.show.line(n, line);
                if mine {
                    self.count(Format::ShowCrypto);
                    if events.is_empty() {
                        self.out.quiet_lines += 1;
                    }
                    self.push_show(events);
                } else {
                    self.out.unknown_lines += 1;
                }
            }
        }
    }

    fn end_vpn(&mut self) {
        let Some(v) = self.vpn.take() else {
            return;
        };
        let p = Parsed {
            format: Format::Vpn3000,
            dialect: Dialect::Asa,
            stamp: v.stamp,
            number: None,
            mnemonic: None,
            context: None,
            conn: None,
            ike_version: None,
            text: &v.text,
            vpn3000: None,
        };
        self.handle(&p, v.line, v.addr);
    }

    fn count(&mut self, f: Format) {
        match self.out.formats.iter_mut().find(|(g, _)| *g == f) {
            Some((_, n)) => *n += 1,
            None => self.out.formats.push((f, 1)),
        }
    }

    fn resolve(&mut self, s: Stamp) -> LogTime {
        let (date, basis) = match (s.year, s.month_day, self.opts.date) {
            (Some(y), Some((m, d)), _) => ((y, m, d), DateBasis::Logged),
            (None, Some((m, d)), Some((y, _, _))) => ((y, m, d), DateBasis::YearAssumed),
            (None, Some((m, d)), None) => ((1970, m, d), DateBasis::Unknown),
            (_, None, Some(ymd)) => (ymd, DateBasis::DateAssumed),
            (_, None, None) => ((1970, 1, 1), DateBasis::Unknown),
        };
        if basis != DateBasis::Logged {
            self.out.date_assumed = true;
        }
        if s.month_day.is_none() {
            // Time of day only: a step back of more than 12 h is midnight.
            if let Some(last) = self.last_tod {
                if s.nanos_of_day + 43_200_000_000_000 < last {
                    self.day_offset += 1;
                }
            }
            self.last_tod = Some(s.nanos_of_day);
        }
        let days = days_from_civil(date.0, date.1, date.2).unwrap_or(0)
            + if s.month_day.is_none() {
                self.day_offset
            } else {
                0
            };
        let mut secs = days * 86_400 + (s.nanos_of_day / 1_000_000_000) as i64;
        if let Some(off) = s.offset {
            secs -= off;
        }
        LogTime {
            secs,
            nanos: (s.nanos_of_day % 1_000_000_000) as u32,
            date: basis,
            utc: s.offset.is_some(),
        }
    }

    fn ctx_key(&self, p: &Parsed<'_>, peer: Option<IpAddr>) -> Option<String> {
        match p.dialect {
            Dialect::Charon => p.context.map(|c| format!("c{c}")),
            Dialect::Pluto => p
                .context
                .map(|c| format!("p{c}"))
                .or_else(|| p.conn.map(|c| format!("n{c}"))),
            Dialect::Ios => p
                .context
                .map(|c| format!("i{c}"))
                .or_else(|| peer.map(|a| format!("a{a}"))),
            Dialect::Asa => peer.map(|a| format!("a{a}")),
        }
    }

    fn ctx_mut(&mut self, key: &str) -> Option<&mut Ctx> {
        if !self.contexts.contains_key(key) {
            if self.contexts.len() >= MAX_CONTEXTS {
                self.out.context_cap_hit = true;
                return None;
            }
            self.contexts.insert(key.to_string(), Ctx::default());
        }
        self.contexts.get_mut(key)
    }

    fn handle(&mut self, p: &Parsed<'_>, n: u64, peer_hint: Option<IpAddr>) {
        let text = p.text;
        let (mut peer, mut local) = addresses(p, text);
        if peer.is_none() {
            peer = peer_hint;
        }
        let key = self.ctx_key(p, peer);
        // pluto: the connection name remembers the peer for later serials.
        let conn_key = p.conn.map(|c| format!("n{c}"));
        if let Some(k) = key.as_deref() {
            if let Some(c) = self.ctx_mut(k) {
                if peer.is_some() {
                    c.peer = peer;
                }
                if local.is_some() {
                    c.local = local;
                }
                peer = peer.or(c.peer);
                local = local.or(c.local);
            }
        }
        if let Some(k) = conn_key.as_deref() {
            if let Some(c) = self.ctx_mut(k) {
                if peer.is_some() && c.peer.is_none() {
                    c.peer = peer;
                }
                peer = peer.or(c.peer);
            }
        }

        let row = catalogue::lookup(p.dialect, p.number, p.mnemonic, text);
        let Some(row) = row else {
            // charon's ESP errors name the packet on the next line:
            // "src 198.51.100.1, dst 203.0.113.1, SPI 0a119c1e [seq 1]".
            if p.dialect == Dialect::Charon && text.starts_with("src ") {
                if let Some(last) = self.out.events.last_mut() {
                    if last.origin.line + 1 == n && last.kind == EventKind::ReplayDetected {
                        last.peer = ip_after(text, "src ");
                        last.local = ip_after(text, "dst ");
                        last.spis = fields::hex_after(text, "SPI ")
                            .and_then(|x| u32::try_from(x).ok())
                            .into_iter()
                            .collect();
                        last.detail = Some(text.to_string());
                    }
                }
            }
            // IKEv2 debug: the SPIs line follows the packet line it belongs to.
            if let Some(spis) = fields::ike_spis(text) {
                if let Some(last) = self.out.events.last_mut() {
                    if last.origin.line + 1 == n && matches!(last.kind, EventKind::Message { .. }) {
                        last.ike_spis = Some(spis);
                        last.message_id = last.message_id.or(fields::message_id(text));
                    }
                }
            }
            self.out.quiet_lines += 1;
            return;
        };
        let mut kind = row.kind;
        let mut cause = row.cause;
        let mut state = None;
        let mut detail = None;
        let mut exchange = None;
        let mut ike_version = p.ike_version;
        let mut seq = None;
        let mut message_id = fields::message_id(text);

        match kind {
            EventKind::Phase1State => {
                // IOS "Old State = X  New State = Y".
                let old = text
                    .split("Old State = ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next());
                let new = text
                    .split("New State = ")
                    .nth(1)
                    .and_then(|r| r.split_whitespace().next())
                    .map(|s| s.trim_end_matches('.'));
                match (old, new) {
                    (Some(o), Some(nw)) if o != nw => {
                        if nw == "IKE_P1_COMPLETE" {
                            kind = EventKind::Phase1Completed;
                        } else if nw == "IKE_QM_PHASE2_COMPLETE" {
                            kind = EventKind::Phase2Completed;
                        } else if nw.starts_with("IKE_QM") {
                            self.out.quiet_lines += 1;
                            return;
                        }
                        state = Some(nw.to_string());
                    }
                    _ => {
                        self.out.quiet_lines += 1;
                        return;
                    }
                }
            }
            EventKind::Message { dir } => {
                if p.dialect == Dialect::Charon {
                    // "generating ID_PROT request 0 [ SA V V ]"
                    let mut toks = text.split_whitespace().skip(1);
                    exchange = toks.next().and_then(catalogue::exchange);
                    if let Some(pos) = text.find('[') {
                        detail = Some(text.get(pos..).unwrap_or("").to_string());
                    }
                    let is_request = text.split_whitespace().nth(2) == Some("request");
                    // "generating QUICK_MODE request 2235161559 [ … ]": the message ID.
                    message_id = text
                        .split_whitespace()
                        .nth(3)
                        .and_then(|t| t.parse::<u32>().ok())
                        .or(message_id);
                    ike_version = exchange.map(|e| match e {
                        Exchange::IkeSaInit
                        | Exchange::IkeAuth
                        | Exchange::CreateChildSa
                        | Exchange::Informational => 2,
                        _ => 1,
                    });
                    let informational = matches!(
                        exchange,
                        Some(Exchange::Informational | Exchange::InformationalV1)
                    );
                    let d = detail.as_deref().unwrap_or("");
                    let ctx_up = key
                        .as_deref()
                        .and_then(|k| self.contexts.get(k))
                        .is_some_and(|c| c.phase1_up);
                    if informational && (d.contains("N(DPD") || (d.trim() == "[ ]" && ctx_up)) {
                        kind = EventKind::Dpd { dir };
                    }
                    if let Some(k) = key.as_deref() {
                        if let Some(c) = self.ctx_mut(k) {
                            if dir == Dir::Sent && is_request {
                                c.last_request = exchange;
                            }
                            if dir == Dir::Received {
                                c.received_any = true;
                            }
                        }
                    }
                } else {
                    if let Some(pos) = text.find("payloads : ") {
                        detail = Some(text.get(pos + 11..).unwrap_or("").to_string());
                    }
                    if p.dialect == Dialect::Ios {
                        state = text
                            .split(')')
                            .next_back()
                            .map(|s| s.trim().to_string())
                            .filter(|s| {
                                !s.is_empty()
                                    && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
                            });
                    }
                    // IOS sends and receives Quick Mode and Informationals in QM_IDLE: phase 1 is up.
                    let qm_idle = state.as_deref() == Some("QM_IDLE");
                    if let Some(c) = key.as_deref().and_then(|k| self.ctx_mut(k)) {
                        if dir == Dir::Received {
                            c.received_any = true;
                        }
                        if qm_idle {
                            c.phase1_up = true;
                        }
                    }
                }
            }
            EventKind::Proposals { received } => {
                let list = text
                    .split_once(':')
                    .map(|(_, r)| r.trim().to_string())
                    .unwrap_or_default();
                if let Some(c) = key.as_deref().and_then(|k| self.ctx_mut(k)) {
                    if received {
                        c.proposals_received = Some(list.clone());
                    } else {
                        c.proposals_configured = Some(list.clone());
                    }
                }
                detail = Some(list);
            }
            EventKind::Timeout | EventKind::NegotiationFailed => {
                // ASA 713136 "[MM_WAIT_MSG2]"; 715065 "…-->AM_WAIT_MSG2, EV_TIMEOUT…"
                if let Some(s) = text.split('[').nth(1).and_then(|r| r.split(']').next()) {
                    if state_info(s).is_some() {
                        state = Some(s.to_string());
                    }
                }
                if let Some(pos) = text.find(", EV_TIMEOUT") {
                    let before = text.get(..pos).unwrap_or("");
                    let s = before.rsplit("-->").next().unwrap_or("").trim();
                    if state_info(s).is_some() {
                        state = Some(s.to_string());
                        kind = EventKind::Timeout;
                    }
                }
            }
            EventKind::Retransmission { dir: Dir::Sent } if p.dialect == Dialect::Charon => {
                // "sending retransmit 2 of request message ID 0, seq 2"
                let seq = fields::dec_after(text, "seq ").and_then(|x| u32::try_from(x).ok());
                if let Some(c) = key.as_deref().and_then(|k| self.ctx_mut(k)) {
                    c.last_seq = seq.or(c.last_seq);
                }
            }
            EventKind::Teardown => {
                detail = text.split("Reason: ").nth(1).map(|r| r.trim().to_string());
            }
            _ => {}
        }

        // IKE version: the line's own, else the negotiation's, else what
        // the dialect's wording implies.
        ike_version = ike_version.or_else(|| version_from_text(p, text));
        if let Some(v) = ike_version {
            if let Some(c) = key.as_deref().and_then(|k| self.ctx_mut(k)) {
                c.version = Some(v);
            }
        } else {
            ike_version = key
                .as_deref()
                .and_then(|k| self.contexts.get(k))
                .and_then(|c| c.version);
        }

        let mut ctx = key.as_deref().and_then(|k| self.contexts.get(k)).cloned();
        // pluto: a child serial inherits what its connection knows.
        if let Some(conn) = conn_key.as_deref().and_then(|k| self.contexts.get(k)) {
            let c = ctx.get_or_insert_with(Ctx::default);
            c.phase1_up |= conn.phase1_up;
            c.received_any |= conn.received_any;
        }
        settle(&mut kind, &mut cause, ctx.as_ref(), text, state.as_deref());
        if kind == EventKind::Timeout || kind == EventKind::DpdTimeout {
            exchange = exchange.or(ctx.as_ref().and_then(|c| c.last_request));
            seq = ctx.as_ref().and_then(|c| c.last_seq);
        }

        let up = matches!(
            kind,
            EventKind::Phase1Completed
                | EventKind::Phase2Completed
                | EventKind::SaInstalled
                | EventKind::Phase2Start
        );
        if up {
            for k in [key.as_deref(), conn_key.as_deref()].into_iter().flatten() {
                if let Some(c) = self.ctx_mut(k) {
                    c.phase1_up = true;
                    c.received_any = true;
                }
            }
        }

        // charon's byte counts when it closes a CHILD_SA.
        let counters = (kind == EventKind::IpsecCounters).then(|| super::Counters {
            bytes_rx: bytes_before(text, "_i ("),
            bytes_tx: bytes_before(text, "_o ("),
            ..super::Counters::default()
        });

        let time = p.stamp.map(|s| self.resolve(s));
        let event = LogEvent {
            time,
            origin: LogOrigin {
                file: self.file.clone(),
                line: n,
            },
            format: p.format,
            msg_number: p.number,
            kind,
            cause,
            peer,
            local,
            ike_version,
            spis: fields::spis(text),
            ike_spis: fields::ike_spis(text),
            message_id,
            seq,
            context: p.context.map(str::to_string),
            exchange,
            proxies: fields::proxies(text),
            state,
            counters,
            detail,
            text: cut_text(text),
            source: row.source,
        };
        if event.ike_version.is_none() {
            if let Some(k) = key {
                if self.out.events.len() < MAX_EVENTS {
                    self.unversioned.push((self.out.events.len(), k));
                }
            }
        }
        self.push(event);
    }

    fn push(&mut self, e: LogEvent) {
        if self.out.events.len() >= MAX_EVENTS {
            self.out.dropped_events += 1;
        } else {
            self.out.events.push(e);
        }
    }

    fn push_show(&mut self, events: Vec<ShowEvent>) {
        for s in events {
            let cause = match (s.kind, s.counters.and_then(|c| c.one_way())) {
                (EventKind::IpsecCounters, Some(_)) => Some(Cause::OneWayTraffic),
                _ => None,
            };
            let e = LogEvent {
                time: None,
                origin: LogOrigin {
                    file: self.file.clone(),
                    line: s.line,
                },
                format: Format::ShowCrypto,
                msg_number: None,
                kind: s.kind,
                cause,
                peer: s.peer,
                local: s.local,
                ike_version: s.ike_version,
                spis: s.spis,
                ike_spis: None,
                message_id: None,
                seq: None,
                context: None,
                exchange: None,
                proxies: s.proxies,
                state: s.state,
                counters: s.counters,
                detail: None,
                text: cut_text(&s.text),
                source: s.source,
            };
            self.push(e);
        }
    }

    /// The events, in line order, and the counts.
    pub fn finish(mut self) -> LogRead {
        self.end_vpn();
        for (i, k) in std::mem::take(&mut self.unversioned) {
            let v = self.contexts.get(&k).and_then(|c| c.version);
            if let Some(e) = self.out.events.get_mut(i) {
                e.ike_version = e.ike_version.or(v);
            }
        }
        let events = self.show.finish();
        self.push_show(events);
        self.out.events.sort_by_key(|e| e.origin.line);
        self.out
    }
}

/// `N` in "…_i (N bytes)".
fn bytes_before(text: &str, key: &str) -> Option<u64> {
    fields::dec_after(text, key)
}

/// Cut to [`MAX_TEXT`] characters.
fn cut_text(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

/// Peer and local address a line names, by dialect.
fn addresses(p: &Parsed<'_>, text: &str) -> (Option<IpAddr>, Option<IpAddr>) {
    match p.dialect {
        Dialect::Asa => {
            if let Some(pos) = text.find(" between ") {
                let v = ips(text.get(pos..).unwrap_or(""));
                if let [l, r, ..] = v.as_slice() {
                    return (Some(*r), Some(*l));
                }
            }
            if text.contains("Received an ESP packet") || text.contains("Received an AH packet") {
                return (
                    ip_after(text, ") from "),
                    ip_after(text, ") to ").or_else(|| ip_after(text, " to ")),
                );
            }
            if let Some(a) = ip_after(text, "[From ") {
                return (Some(a), ip_after(text, "/To "));
            }
            if let Some(a) = ip_after(text, "[To ") {
                return (Some(a), ip_after(text, "/From "));
            }
            if let Some(a) = ip_after(text, "Remote:") {
                return (Some(a), ip_after(text, "Local:"));
            }
            (
                ip_after(text, "IP = ").or_else(|| ip_after(text, "IKE Peer ")),
                None,
            )
        }
        Dialect::Ios => {
            if let Some(a) = ip_after(text, "(local ") {
                return (ip_after(text, " remote "), Some(a));
            }
            let peer = ip_after(text, "sending packet to ")
                .or_else(|| ip_after(text, "received packet from "))
                .or_else(|| ip_after(text, "peer struct for "))
                .or_else(|| ip_after(text, "message from "))
                .or_else(|| ip_after(text, "pre-shared key with "))
                .or_else(|| ip_after(text, "key matching "))
                .or_else(|| ip_after(text, "remote "))
                .or_else(|| ip_after(text, "peer "));
            (
                peer,
                ip_after(text, "(local ").or_else(|| ip_after(text, "local ")),
            )
        }
        Dialect::Charon => {
            if text.starts_with("sending packet: from ") {
                return (ip_after(text, " to "), ip_after(text, "from "));
            }
            if text.starts_with("received packet: from ") {
                return (ip_after(text, "from "), ip_after(text, " to "));
            }
            for key in [" between ", " matching "] {
                if let Some(pos) = text.find(key) {
                    let v = ips(text.get(pos..).unwrap_or(""));
                    if let [l, r, ..] = v.as_slice() {
                        return (Some(*r), Some(*l));
                    }
                }
            }
            if text.starts_with("initiating ") {
                return (ip_after(text, " to "), None);
            }
            if text.contains(" is initiating ") {
                return (text.split_whitespace().next().and_then(ip_token), None);
            }
            (None, None)
        }
        Dialect::Pluto => {
            let peer = ip_after(text, "packet from ")
                .or_else(|| ip_after(text, " from "))
                .or_else(|| ip_after(text, "notification NO_PROPOSAL_CHOSEN to "))
                .or_else(|| {
                    // "Peer ID is ID_IPV4_ADDR: '198.51.100.1'": with PSK the
                    // identity is the address.
                    text.contains("Peer ID is ID_IPV")
                        .then(|| text.rsplit(' ').next().and_then(ip_token))
                        .flatten()
                });
            (peer, None)
        }
    }
}

/// The IKE version a line's wording implies: ASA message numbers 71xxxx
/// are IKEv1, 75xxxx IKEv2; charon and pluto name their modes and
/// exchanges; IOS `ISAKMP` debug and `IKMP_` syslog are IKEv1.
fn version_from_text(p: &Parsed<'_>, text: &str) -> Option<u8> {
    if let Some(n) = p.number {
        return match n / 1000 {
            713..=715 => Some(1),
            750..=752 => Some(2),
            _ => None,
        };
    }
    if p.mnemonic.is_some_and(|m| m.starts_with("IKMP_")) {
        return Some(1);
    }
    const V2: [&str; 5] = [
        "IKE_SA_INIT",
        "IKE_AUTH",
        "CREATE_CHILD_SA",
        "STATE_V2_",
        "initiating IKE_SA",
    ];
    const V1: [&str; 7] = [
        "Main Mode",
        "Aggressive Mode",
        "Quick Mode",
        "QUICK_MODE",
        "STATE_MAIN",
        "STATE_QUICK",
        "INFORMATIONAL_V1",
    ];
    if V2.iter().any(|m| text.contains(m)) || text.contains("is initiating an IKE_SA") {
        return Some(2);
    }
    if V1.iter().any(|m| text.contains(m)) || text.contains("Oakley") {
        return Some(1);
    }
    // pluto sends notifications this way only in IKEv1 (ikev1_send.c);
    // IKEv2 says "responding to … with (un)encrypted notification".
    if p.dialect == Dialect::Pluto
        && (text.contains("sending notification")
            || text.contains("sending encrypted notification"))
    {
        return Some(1);
    }
    None
}

/// Settle what a row left open from the negotiation's earlier lines. The
/// rules, in order:
/// - a NO_PROPOSAL_CHOSEN or INVALID_ID without a phase is in the phase its
///   proposal list names (`IKE:` / `ESP:`), else phase 2 once phase 1 is up
///   in that negotiation, else phase 1;
/// - NO_PROPOSAL_CHOSEN in phase 1 is a phase-1 proposal mismatch; in phase
///   2, refused here with both proposal lists known, a PFS mismatch when the
///   lists differ only in DH groups, else a transform mismatch (received
///   from the peer, it is left open: transform set or PFS);
/// - INVALID_ID / TS_UNACCEPTABLE is a proxy-identity mismatch in phase 2
///   and an identity mismatch in phase 1;
/// - a timeout while the liveness check was the last request is a dead
///   peer; while the first phase-1 message was unanswered (no message ever
///   received, or the state waits for message 2), an unreachable peer.
fn settle(
    kind: &mut EventKind,
    cause: &mut Option<Cause>,
    ctx: Option<&Ctx>,
    text: &str,
    state: Option<&str>,
) {
    let phase_from = |ctx: Option<&Ctx>| -> Option<Phase> {
        if text.contains("IKE:") || text.contains("IKE=") {
            return Some(Phase::One);
        }
        if text.contains("ESP:") || text.contains("ESP=") || text.contains("AH:") {
            return Some(Phase::Two);
        }
        // IOS "NOTIFY PROPOSAL_NOT_CHOSEN protocol 3": the notify's protocol
        // ID (RFC 2408 §3.14: 1 ISAKMP, 2 AH, 3 ESP, 4 IPCOMP).
        if let Some(p) = text
            .split("protocol ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
        {
            match p {
                "1" => return Some(Phase::One),
                "2" | "3" | "4" => return Some(Phase::Two),
                _ => {}
            }
        }
        ctx.map(|c| if c.phase1_up { Phase::Two } else { Phase::One })
    };
    match kind {
        EventKind::NoProposalChosen { phase, dir } => {
            if phase.is_none() {
                *phase = phase_from(ctx);
            }
            if cause.is_none() {
                *cause = match (*phase, *dir) {
                    (Some(Phase::One), _) => Some(Cause::Phase1ProposalMismatch),
                    (Some(Phase::Two), Dir::Sent | Dir::Local) => ctx.and_then(|c| {
                        let (r, cfg) = (
                            c.proposals_received.as_deref()?,
                            c.proposals_configured.as_deref()?,
                        );
                        Some(if differ_only_in_dh(r, cfg) {
                            Cause::PfsMismatch
                        } else {
                            Cause::TransformMismatch
                        })
                    }),
                    _ => None,
                };
            }
        }
        EventKind::IdRefused { phase, .. } => {
            if phase.is_none() {
                *phase = phase_from(ctx);
            }
            if cause.is_none() {
                *cause = match phase {
                    Some(Phase::Two) => Some(Cause::ProxyIdMismatch),
                    Some(Phase::One) => Some(Cause::IdMismatch),
                    None => None,
                };
            }
        }
        EventKind::Timeout => {
            if cause.is_some() {
                return;
            }
            if let Some(s) = state.and_then(state_info) {
                if s.waiting_for == Some(2) {
                    *cause = Some(Cause::PeerUnreachable);
                }
                return;
            }
            let Some(c) = ctx else {
                return;
            };
            match c.last_request {
                Some(Exchange::Informational | Exchange::InformationalV1) if c.phase1_up => {
                    *kind = EventKind::DpdTimeout;
                    *cause = Some(Cause::PeerDead);
                }
                Some(Exchange::MainMode | Exchange::Aggressive | Exchange::IkeSaInit) | None
                    if !c.received_any && !c.phase1_up =>
                {
                    *cause = Some(Cause::PeerUnreachable);
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Whether two proposal lists (`ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ, …`)
/// would match but for their DH groups.
fn differ_only_in_dh(a: &str, b: &str) -> bool {
    let strip = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|t| !is_dh(t))
            .map(str::to_string)
            .collect()
    };
    let dh = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|t| is_dh(t))
            .map(str::to_string)
            .collect()
    };
    for x in a.split(", ") {
        for y in b.split(", ") {
            if strip(x) == strip(y) && dh(x) != dh(y) {
                return true;
            }
        }
    }
    false
}

fn is_dh(t: &str) -> bool {
    [
        "MODP_", "ECP_", "CURVE_", "ECP", "NTRU_", "NEWHOPE_", "MODP",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// Read a whole log held in memory.
pub fn read_log(file: &str, data: &[u8], opts: &ReadOptions) -> LogRead {
    let mut r = LogReader::new(file, *opts);
    for line in data.split(|&b| b == b'\n') {
        let cut = line.len() > MAX_LINE;
        r.push_line(line, cut);
    }
    // A final newline ends the last line; it does not start an empty one.
    if data.ends_with(b"\n") {
        r.line -= 1;
        r.out.lines -= 1;
    }
    r.finish()
}

/// Read a log from a stream, holding at most [`MAX_LINE`] bytes of a line.
pub fn read_log_stream<R: Read>(file: &str, input: R, opts: &ReadOptions) -> io::Result<LogRead> {
    let mut r = LogReader::new(file, *opts);
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let mut cut = false;
    let mut pending = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let (chunk, used, end) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (buf.get(..i).unwrap_or(&[]), i + 1, true),
            None => (buf, buf.len(), false),
        };
        let room = MAX_LINE.saturating_sub(line.len());
        if chunk.len() > room {
            cut = true;
        }
        line.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or(&[]));
        pending = true;
        input.consume(used);
        if end {
            r.push_line(&line, cut);
            line.clear();
            cut = false;
            pending = false;
        }
    }
    if pending {
        r.push_line(&line, cut);
    }
    Ok(r.finish())
}

/// Whether `data` (its start) reads as a log or show output of a known
/// format; the format with the most lines.
pub fn looks_like_log(data: &[u8]) -> Option<Format> {
    let head = data.get(..SNIFF_BYTES).unwrap_or(data);
    // Drop a partial last line.
    let head = match (
        data.len() > SNIFF_BYTES,
        head.iter().rposition(|&b| b == b'\n'),
    ) {
        (true, Some(i)) => head.get(..i).unwrap_or(head),
        _ => head,
    };
    let r = read_log("", head, &ReadOptions::default());
    let known: u64 = r.formats.iter().map(|(_, n)| n).sum();
    let text_lines = r.lines.saturating_sub(r.binary_lines);
    if known == 0 || r.binary_lines * 2 > r.lines {
        return None;
    }
    if r.events.is_empty() && known * 10 < text_lines {
        return None;
    }
    r.main_format()
}
