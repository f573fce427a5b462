//! `ikescope packets`: one line per IPsec packet, a decode tree with `-v`,
//! bytes with `-x`, or JSON Lines (schema in `docs/json.md`).

use std::io::{self, Write};

use serde::Serialize;

use crate::capture::{FrameNo, Origin, Timestamp};
use crate::esp::decrypt::Inner;
use crate::esp::{Ah, Esp};
use crate::flow::decrypted::Plain;
use crate::flow::{payload_absent, Content, Dir, Touched};
use crate::ike::{Body, Message};
use crate::net::{Datagram, Malformed, Payload};

/// How packets are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Line,
    Verbose,
    Json,
}

/// Short payload tags for the one-line summary (display only; names live in
/// the registry).
fn tag(version: u8, ptype: u8) -> String {
    let t = match (version, ptype) {
        (1, 1) | (2, 33) => "SA",
        (1, 4) | (2, 34) => "KE",
        (1, 5) => "ID",
        (2, 35) => "IDi",
        (2, 36) => "IDr",
        (1, 6) | (2, 37) => "CERT",
        (1, 7) | (2, 38) => "CR",
        (1, 8) => "HASH",
        (1, 9) => "SIG",
        (1, 10) | (2, 40) => "NONCE",
        (1, 11) | (2, 41) => "N",
        (1, 12) | (2, 42) => "D",
        (1, 13) | (2, 43) => "VID",
        (1, 14) => "ATTR",
        (1, 20) | (1, 130) => "NAT-D",
        (1, 21) | (1, 131) => "NAT-OA",
        (1, 132) => "FRAG",
        (2, 39) => "AUTH",
        (2, 44) => "TSi",
        (2, 45) => "TSr",
        (2, 46) => "SK",
        (2, 47) => "CP",
        (2, 48) => "EAP",
        (2, 53) => "SKF",
        _ => return format!("P{ptype}"),
    };
    t.to_string()
}

/// `SA(1 prop, 4 xforms) KE NONCE VID×5 N(NO-PROPOSAL-CHOSEN)`.
pub fn payload_summary(m: &Message<'_>) -> String {
    let v = m.header.version;
    let mut parts: Vec<(String, usize)> = Vec::new();
    for p in &m.payloads {
        let s = match &p.body {
            Body::Sa(sa) => {
                let x: usize = sa.proposals.iter().map(|p| p.transforms.len()).sum();
                format!("SA({} prop, {} xforms)", sa.proposals.len(), x)
            }
            Body::Notify(n) => match n.notify {
                Some(name) => format!("N({name})"),
                None => format!("N({})", n.notify_type),
            },
            Body::Ke(k) => match k.group {
                Some(g) => format!("KE(g{g})"),
                None => "KE".to_string(),
            },
            Body::Encrypted(e) => match (e.fragment_number, e.total_fragments) {
                (Some(n), Some(t)) => format!("SKF({n}/{t})"),
                _ => format!("SK({}B)", e.data_length),
            },
            Body::Fragment(f) => format!(
                "FRAG(#{}{})",
                f.fragment_number,
                if f.last { ", last" } else { "" }
            ),
            _ => tag(v, p.ptype),
        };
        match parts.last_mut() {
            Some((last, n)) if *last == s => *n += 1,
            _ => parts.push((s, 1)),
        }
    }
    parts
        .into_iter()
        .map(|(s, n)| if n > 1 { format!("{s}×{n}") } else { s })
        .collect::<Vec<_>>()
        .join(" ")
}

fn ep(addr: std::net::IpAddr, port: Option<u16>) -> String {
    match (addr, port) {
        (std::net::IpAddr::V6(a), Some(p)) => format!("[{a}]:{p}"),
        (a, Some(p)) => format!("{a}:{p}"),
        (a, None) => a.to_string(),
    }
}

/// The step text the tracker gave a message, as printed.
fn step_text(t: &Touched) -> Option<String> {
    let step = t.step?;
    Some(match t.copy.duplicate_of() {
        Some(_) => format!("{step} (dup)"),
        None => step.to_string(),
    })
}

/// One-line summary of a classified packet (`t`: what the tracker made of it).
pub fn summary(c: &Content<'_>, t: &Touched) -> String {
    match c {
        Content::Ike(m) => {
            let h = &m.header;
            let exch = h
                .exchange
                .map_or_else(|| format!("exchange {}", h.exchange_type), str::to_string);
            let label = step_text(t).zip(t.dir);
            let mut s = format!("IKEv{}", h.version);
            if label
                .as_ref()
                .is_none_or(|(l, _)| !l.starts_with(exch.as_str()))
            {
                s.push(' ');
                s.push_str(&exch);
            }
            if let Some((l, dir)) = label {
                let arrow = match dir {
                    Dir::I2R => "I→R",
                    Dir::R2I => "R→I",
                };
                s.push_str(&format!(" {l} {arrow}"));
                if let Some(f) = t.copy.retransmission_of() {
                    s.push_str(&format!(" [retransmission of {f}]"));
                }
            }
            if h.version == 2 {
                s.push_str(&format!(" MID={}", h.message_id));
            } else if h.message_id != 0 {
                s.push_str(&format!(" MID={:#010x}", h.message_id));
            }
            if h.encrypted && !m.decrypted_copy && h.version == 1 {
                s.push_str(&format!(" [encrypted {} bytes]", h.length));
            } else {
                if m.decrypted_copy {
                    s.push_str(" [decrypted copy]");
                }
                let p = payload_summary(m);
                if !p.is_empty() {
                    s.push(' ');
                    s.push_str(&p);
                }
            }
            if let Some(e) = &m.malformed {
                s.push_str(&format!(" [Malformed: {e}]"));
            }
            s
        }
        Content::NotIke(e) => format!("ISAKMP [Malformed: {e}]"),
        Content::Esp { esp, udp } => format!(
            "ESP{} spi=0x{:08x} seq={}",
            if *udp { "-in-UDP" } else { "" },
            esp.spi,
            esp.seq
        ),
        Content::Ah(a) => format!("AH spi=0x{:08x} seq={}", a.spi, a.seq),
        Content::Keepalive => "NAT-keepalive".to_string(),
        Content::Short { proto, have } => {
            format!(
                "{} [no header: {have} bytes captured]",
                proto.to_uppercase()
            )
        }
    }
}

/// JSON Lines record of one packet (docs/json.md, "packets").
#[derive(Serialize)]
struct Record<'a> {
    schema: u32,
    frame: FrameNo,
    time: Timestamp,
    src: String,
    dst: String,
    sport: Option<u16>,
    dport: Option<u16>,
    proto: &'a str,
    malformed: Option<String>,
    truncated: bool,
    fragments: &'a [FrameNo],
    origin: Origin,
    step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy: Option<super::json::CopyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    isakmp: Option<&'a Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    esp: Option<EspRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ah: Option<&'a Ah>,
    /// Present when a key applied: the decrypted contents, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    decrypted: Option<DecryptedRecord<'a>>,
}

/// The `decrypted` object of a packet record (docs/json.md).
#[derive(Serialize)]
struct DecryptedRecord<'a> {
    /// `decrypted`, `fragment` (kept until its message is whole) or `failed`.
    status: &'static str,
    /// The key table row used, `file:line` (never the key).
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The decrypted IKE message: the same shape as `isakmp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    isakmp: Option<&'a Message<'a>>,
    /// Fragments put together for this message (IKEv2 SKF, IKEv1 Cisco).
    #[serde(skip_serializing_if = "Option::is_none")]
    fragments: Option<u16>,
    /// What a decrypted ESP packet carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    esp: Option<Inner>,
}

impl<'a> DecryptedRecord<'a> {
    fn new(p: &Plain, inner: Option<&'a Message<'a>>) -> Self {
        let mut r = DecryptedRecord {
            status: "decrypted",
            key: None,
            error: None,
            isakmp: None,
            fragments: None,
            esp: None,
        };
        match p {
            Plain::Ike(x) => {
                r.key = Some(x.key.to_string());
                r.isakmp = inner;
                r.fragments = (x.fragments > 1).then_some(x.fragments);
            }
            Plain::IkeFragment { .. } => r.status = "fragment",
            Plain::Esp { inner, key } => {
                r.key = Some(key.to_string());
                r.esp = Some(*inner);
            }
            Plain::Failed { error, key, .. } => {
                r.status = "failed";
                r.key = Some(key.to_string());
                r.error = Some(error.clone());
            }
        }
        r
    }

    /// Text for the one-line summary.
    fn line(&self) -> String {
        match (self.status, self.isakmp, &self.esp) {
            ("decrypted", Some(m), _) if m.payloads.is_empty() => {
                " [decrypted: no payloads]".to_string()
            }
            ("decrypted", Some(m), _) => format!(" [decrypted: {}]", payload_summary(m)),
            ("decrypted", None, Some(i)) => format!(" [decrypted: {}]", inner_text(i)),
            ("fragment", _, _) => " [decrypted fragment]".to_string(),
            ("failed", _, _) => format!(
                " [not decrypted: {}]",
                self.error.as_deref().unwrap_or("error")
            ),
            _ => String::new(),
        }
    }
}

/// `10.1.0.1 → 10.2.0.1 ICMP echo request (8) code 0` / `UDP → :53` for an ESP inner packet.
pub fn inner_text(i: &Inner) -> String {
    let proto = crate::esp::decrypt::protocol_name(i.protocol)
        .map_or_else(|| format!("protocol {}", i.protocol), str::to_string);
    let mut s = match (i.src, i.dst) {
        (Some(a), Some(b)) => format!("{a} → {b} {proto}"),
        _ => format!("transport {proto}"),
    };
    if let Some((t, c)) = i.icmp {
        let v6 = i.protocol == crate::esp::decrypt::proto::ICMPV6;
        let t = crate::registry::icmp::type_label(v6, t);
        s.push_str(&format!(" {t} code {c}"));
    }
    if let (Some(sp), Some(dp)) = (i.sport, i.dport) {
        s.push_str(&format!(" {sp} → {dp}"));
    }
    s
}

#[derive(Serialize)]
struct EspRecord {
    #[serde(flatten)]
    esp: Esp,
    udp: bool,
}

/// Writes packets as they come.
pub struct PacketPrinter<'w> {
    pub out: &'w mut dyn Write,
    pub style: Style,
    pub hex: bool,
    /// First write error (broken pipe...), after which output stops.
    pub error: Option<io::Error>,
    /// What decryption made of the next packet (set just before it).
    pub decrypted: Option<Plain>,
    /// Packets (IPsec, malformed, ICMP errors) written so far.
    pub written: u64,
}

impl<'w> PacketPrinter<'w> {
    pub fn new(out: &'w mut dyn Write, style: Style, hex: bool) -> Self {
        PacketPrinter {
            out,
            style,
            hex,
            error: None,
            decrypted: None,
            written: 0,
        }
    }

    fn run(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        if self.error.is_none() {
            match f(self.out) {
                Ok(()) => self.written += 1,
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// Print one IPsec packet.
    pub fn packet(
        &mut self,
        d: &Datagram<'_>,
        c: &Content<'_>,
        touched: &Touched,
        first: Timestamp,
    ) {
        let style = self.style;
        let hex = self.hex;
        let plain = self.decrypted.take();
        let inner = match &plain {
            Some(Plain::Ike(x)) => x.parse().ok(),
            _ => None,
        };
        let decrypted = plain
            .as_ref()
            .map(|p| DecryptedRecord::new(p, inner.as_ref()));
        self.run(|out| match style {
            Style::Json => {
                let ike = matches!(c, Content::Ike(_));
                let rec = Record {
                    schema: super::SCHEMA_VERSION,
                    frame: d.frame,
                    time: d.ts,
                    src: d.src.to_string(),
                    dst: d.dst.to_string(),
                    sport: d.sport,
                    dport: d.dport,
                    proto: c.proto(),
                    malformed: match c {
                        _ if payload_absent(d, c) => None,
                        Content::Ike(m) => m.malformed.as_ref().map(|e| e.to_string()),
                        Content::NotIke(e) => Some(e.to_string()),
                        Content::Short { proto, have } => {
                            Some(format!("{proto} header truncated: {have} bytes at offset 0x0"))
                        }
                        _ => None,
                    },
                    truncated: d.truncated,
                    fragments: &d.fragments,
                    origin: d.origin,
                    step: touched
                        .step
                        .filter(|_| ike)
                        .map(|s| s.to_string()),
                    copy: ike.then(|| super::json::copy(touched.copy)),
                    isakmp: match c {
                        Content::Ike(m) => Some(m),
                        _ => None,
                    },
                    esp: match c {
                        Content::Esp { esp, udp } => Some(EspRecord {
                            esp: *esp,
                            udp: *udp,
                        }),
                        _ => None,
                    },
                    ah: match c {
                        Content::Ah(a) => Some(a),
                        _ => None,
                    },
                    decrypted,
                };
                serde_json::to_writer(&mut *out, &rec)?;
                writeln!(out)
            }
            Style::Line | Style::Verbose => {
                writeln!(
                    out,
                    "{:>6} {:>11.6}  {} → {}  {}{}{}",
                    d.frame,
                    d.ts.since(first),
                    ep(d.src, d.sport),
                    ep(d.dst, d.dport),
                    if payload_absent(d, c) {
                        format!(
                            "{} [payload absent: console summary line, IP length {}]",
                            c.proto().to_uppercase(),
                            d.ip_length
                        )
                    } else {
                        summary(c, touched)
                    },
                    if d.fragments.is_empty() {
                        String::new()
                    } else {
                        format!(" [reassembled from frames {}]", super::frame_list(&d.fragments))
                    },
                    decrypted.as_ref().map(|x| x.line()).unwrap_or_default()
                )?;
                if style == Style::Verbose {
                    if let Content::Ike(m) = c {
                        if let Some(v) = ordered(m) {
                            tree(out, &v, 8)?;
                        }
                    }
                    if let Content::Esp { esp, .. } = c {
                        writeln!(out, "        spi: 0x{:08x}\n        seq: {}\n        payload_length: {}", esp.spi, esp.seq, esp.payload_length)?;
                    }
                    if let Content::Ah(a) = c {
                        writeln!(out, "        next_header: {}\n        spi: 0x{:08x}\n        seq: {}\n        icv_length: {}", a.next_header, a.spi, a.seq, a.icv_length)?;
                    }
                    if let Some(x) = &decrypted {
                        writeln!(out, "        decrypted:")?;
                        if let Some(v) = ordered(x) {
                            tree(out, &v, 10)?;
                        }
                    }
                }
                if hex {
                    let bytes: &[u8] = match &d.payload {
                        Payload::Ike { data, .. } | Payload::Esp { data, .. } | Payload::Ah(data) => data,
                        Payload::NatKeepalive => &[0xff],
                    };
                    hexdump(out, bytes)?;
                }
                Ok(())
            }
        });
    }

    /// Print an ICMP error that quotes an IPsec packet.
    pub fn icmp(&mut self, e: &crate::net::IcmpError, first: Timestamp) {
        let style = self.style;
        self.run(|out| {
            let what = match (e.quoted_proto, e.quoted_sport, e.quoted_dport) {
                (50, _, _) => "ESP".to_string(),
                (51, _, _) => "AH".to_string(),
                (_, Some(sp), Some(dp)) => format!("UDP {sp} → {dp}"),
                _ => format!("IP protocol {}", e.quoted_proto),
            };
            let reason = e.reason.map_or_else(
                || format!("type {} code {}", e.icmp_type, e.code),
                str::to_string,
            );
            match style {
                Style::Json => {
                    let v = serde_json::json!({
                        "schema": super::SCHEMA_VERSION,
                        "frame": e.frame,
                        "time": e.ts,
                        "src": e.reporter.to_string(),
                        "dst": e.quoted_src.to_string(),
                        "sport": null,
                        "dport": null,
                        "proto": "icmp",
                        "malformed": null,
                        "truncated": false,
                        "fragments": [],
                        "icmp": {
                            "frame": e.frame,
                            "time": e.ts,
                            "reporter": e.reporter.to_string(),
                            "icmp_type": e.icmp_type,
                            "code": e.code,
                            "reason": e.reason,
                            "quoted_src": e.quoted_src.to_string(),
                            "quoted_dst": e.quoted_dst.to_string(),
                            "quoted_proto": e.quoted_proto,
                            "quoted_sport": e.quoted_sport,
                            "quoted_dport": e.quoted_dport,
                        },
                    });
                    serde_json::to_writer(&mut *out, &v)?;
                    writeln!(out)
                }
                _ => writeln!(
                    out,
                    "{:>6} {:>11.6}  {} → {}  ICMP {reason} (quoting {what} {} → {})",
                    e.frame,
                    e.ts.since(first),
                    e.reporter,
                    e.quoted_src,
                    e.quoted_src,
                    e.quoted_dst
                ),
            }
        });
    }

    /// Print a packet whose lower layers are broken.
    pub fn malformed(&mut self, m: &Malformed, first: Timestamp) {
        let style = self.style;
        self.run(|out| match style {
            Style::Json => {
                let v = serde_json::json!({
                    "schema": super::SCHEMA_VERSION,
                    "frame": m.frame,
                    "time": m.ts,
                    "src": m.src.map(|a| a.to_string()),
                    "dst": m.dst.map(|a| a.to_string()),
                    "sport": null,
                    "dport": null,
                    "proto": "ip",
                    "malformed": format!("{:?} {} at offset {:#x}", m.layer, m.reason, m.offset),
                    "truncated": false,
                    "fragments": [],
                });
                serde_json::to_writer(&mut *out, &v)?;
                writeln!(out)
            }
            _ => writeln!(
                out,
                "{:>6} {:>11.6}  {} → {}  [Malformed {:?}: {} at offset {:#x}]",
                m.frame,
                m.ts.since(first),
                m.src.map_or("?".into(), |a| a.to_string()),
                m.dst.map_or("?".into(), |a| a.to_string()),
                m.layer,
                m.reason,
                m.offset
            ),
        });
    }
}

/// A serialised value with its keys in the order they were written, which
/// for the IKE representation is the order of the fields on the wire
/// (`serde_json::Value` would sort them).
#[derive(Debug)]
enum Node {
    Null,
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Node::List(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some((k, x)) = a.next_entry::<String, Node>()? {
                    v.push((k, x));
                }
                Ok(Node::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Registry fields that come as a number and its name: printed as one line,
/// `name (number)`, as Wireshark does. Besides these, `K` pairs with `K_name`.
const NAMED_NUMBERS: &[(&str, &str)] = &[
    ("exchange_type", "exchange"),
    ("type", "name"),
    ("attr_type", "name"),
    ("protocol_id", "protocol"),
    ("transform_id", "transform"),
    ("notify_type", "notify"),
];

fn name_key_for<'m>(map: &'m [(String, Node)], key: &str) -> Option<&'m str> {
    let named = format!("{key}_name");
    NAMED_NUMBERS
        .iter()
        .filter(|(n, _)| *n == key)
        .map(|(_, name)| *name)
        .chain(std::iter::once(named.as_str()))
        .find_map(|name| map.iter().find(|(k, _)| k == name).map(|(k, _)| k.as_str()))
}

/// Indented tree of an ordered value (the `-v` decode tree): fields in
/// wire order, a registry number and its name on one line, empty fields
/// left out.
fn tree(out: &mut dyn Write, v: &Node, indent: usize) -> io::Result<()> {
    let pad = " ".repeat(indent);
    match v {
        Node::Map(map) => {
            // Name fields printed beside their number are not repeated.
            let absorbed: Vec<&str> = map
                .iter()
                .filter(|(_, x)| matches!(x, Node::Scalar(_)))
                .filter_map(|(k, _)| name_key_for(map, k))
                .collect();
            for (k, x) in map {
                if absorbed.contains(&k.as_str()) {
                    continue;
                }
                match x {
                    Node::Null => {}
                    Node::List(a) if a.is_empty() => {}
                    Node::Map(_) => {
                        writeln!(out, "{pad}{k}:")?;
                        tree(out, x, indent + 2)?;
                    }
                    Node::List(a) => {
                        writeln!(out, "{pad}{k}:")?;
                        for (i, item) in a.iter().enumerate() {
                            match item {
                                Node::Map(_) | Node::List(_) => {
                                    writeln!(out, "{pad}  [{i}]")?;
                                    tree(out, item, indent + 4)?;
                                }
                                other => writeln!(out, "{pad}  - {}", scalar(other))?,
                            }
                        }
                    }
                    Node::Scalar(n) => {
                        // Identities, vendor-ID text and notify data come
                        // from the packet: escaped here, not only by the
                        // stdout guard.
                        let n = &*super::term::escape(n);
                        let name = name_key_for(map, k).and_then(|nk| {
                            map.iter()
                                .find(|(k2, _)| k2 == nk)
                                .and_then(|(_, v)| match v {
                                    Node::Scalar(s) => Some(super::term::escape(s)),
                                    _ => None,
                                })
                        });
                        match name {
                            // Some registry names carry their number already.
                            Some(name) if name.ends_with(&format!("({n})")) => {
                                writeln!(out, "{pad}{k}: {name}")?
                            }
                            Some(name) => writeln!(out, "{pad}{k}: {name} ({n})")?,
                            None if n.is_empty() => {}
                            None => writeln!(out, "{pad}{k}: {n}")?,
                        }
                    }
                }
            }
        }
        other => writeln!(out, "{pad}{}", scalar(other))?,
    }
    Ok(())
}

fn scalar(v: &Node) -> String {
    match v {
        Node::Scalar(s) => super::term::escape(s).into_owned(),
        Node::Null => "-".to_string(),
        Node::List(_) | Node::Map(_) => String::new(),
    }
}

/// The `-v` tree of any serialisable value, in field order.
fn ordered<T: Serialize>(v: &T) -> Option<Node> {
    let text = serde_json::to_string(v).ok()?;
    serde_json::from_str(&text).ok()
}

/// Classic 16-bytes-a-line hex dump.
pub fn hexdump(out: &mut dyn Write, b: &[u8]) -> io::Result<()> {
    for (i, chunk) in b.chunks(16).enumerate() {
        let hexs: Vec<String> = chunk.iter().map(|x| format!("{x:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&x| {
                if (0x20..0x7f).contains(&x) {
                    x as char
                } else {
                    '.'
                }
            })
            .collect();
        writeln!(
            out,
            "        {:04x}  {:<47}  {ascii}",
            i * 16,
            hexs.join(" ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_text(json: &str) -> String {
        let node: Node = serde_json::from_str(json).unwrap();
        let mut out = Vec::new();
        tree(&mut out, &node, 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tree_keeps_field_order_and_names_numbers() {
        let t = tree_text(
            r#"{"ispi":"01","rspi":"00","next_payload":1,"version":1,
                "exchange_type":2,"exchange":"Identity Protection (Main Mode)",
                "payloads":[{"type":1,"name":"Security Association","length":60,
                  "attributes":[{"attr_type":4,"name":"Group Description",
                    "value":14,"value_name":"2048-bit MODP group (14)"},
                    {"attr_type":14,"name":"Key Length","value":256,"value_name":null}]}],
                "spi":"","malformed":null}"#,
        );
        assert_eq!(
            t,
            "ispi: 01\nrspi: 00\nnext_payload: 1\nversion: 1\n\
             exchange_type: Identity Protection (Main Mode) (2)\npayloads:\n  [0]\n    \
             type: Security Association (1)\n    length: 60\n    attributes:\n      [0]\n        \
             attr_type: Group Description (4)\n        value: 2048-bit MODP group (14)\n      \
             [1]\n        attr_type: Key Length (14)\n        value: 256\n"
        );
    }

    #[test]
    fn tree_escapes_packet_text_itself() {
        // An FQDN identity and a vendor-ID text carrying a terminal
        // escape and a bidi override, as the packet gave them.
        let t = tree_text(r#"{"id_type":2,"id_name":"vpn\u001b[2J\u202egro","ids":["a\u0007b"]}"#);
        assert!(
            !t.contains('\u{1b}') && !t.contains('\u{202e}') && !t.contains('\u{7}'),
            "{t}"
        );
        assert!(t.contains("vpn\\x1b[2J\\u{202e}gro"), "{t}");
        assert!(t.contains("a\\x07b"), "{t}");
    }

    #[test]
    fn message_header_serialises_in_wire_order() {
        let h = crate::ike::Header {
            ispi: 1,
            rspi: 2,
            next_payload: 33,
            version: 2,
            minor_version: 0,
            exchange_type: 34,
            exchange: Some("IKE_SA_INIT"),
            flags: 8,
            message_id: 0,
            length: 28,
            encrypted: false,
        };
        let Some(Node::Map(m)) = ordered(&h) else {
            panic!("not a map")
        };
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "ispi",
                "rspi",
                "next_payload",
                "version",
                "minor_version",
                "exchange_type",
                "exchange",
                "flags",
                "message_id",
                "length",
                "encrypted"
            ]
        );
    }
}
