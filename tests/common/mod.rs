//! Helpers shared by the differential test (`tshark_diff.rs`) and the
//! mutation test (`mutation.rs`): capture discovery, the tshark runner, the
//! two "fact" extractors (tshark JSON and our `packets --json` lines), a
//! fixed-seed PRNG, and builders for hand-made IKE messages, frames and
//! capture files.
//!
//! A *fact* is one comparable field of one IPsec packet, normalised to a
//! string: `src`/`dst` (outer IP addresses), `sport`/`dport` (UDP ports),
//! per-payload fields listed in `SIMPLE` (notify protocol/SPI, KE group and
//! length, VID bytes, ID type, AUTH method, CERT encodings, fragment
//! numbers), `isakmp.ispi` → 16 lowercase hex digits, numbers in decimal,
//! `isakmp.payloads` → the payload type sequence joined by commas, and
//! indexed paths such as `isakmp.p2.prop0.tf1.attr0.value` for the nested
//! SA structure. Both extractors produce the same keys for the same packet,
//! so comparing two packets is comparing two maps.
#![allow(dead_code)]

pub mod build;
pub mod extract;
#[path = "../oracle/mod.rs"]
pub mod oracle;
pub mod prng;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Comparable fields of one packet.
pub type Facts = BTreeMap<String, String>;

/// One IPsec packet as tshark shows it.
#[derive(Debug, Clone)]
pub struct TsharkFrame {
    pub number: u64,
    /// `frame.protocols`, e.g. `eth:ethertype:ip:udp:isakmp`.
    pub protocols: String,
    pub facts: Facts,
}

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared public corpus, when it exists next to the repository.
pub fn corpus_dir() -> Option<PathBuf> {
    let p = repo_root().join("../shared/corpus");
    p.is_dir().then_some(p)
}

fn is_capture_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap")
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > 6 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let p = entry.path();
        if p.is_dir() {
            walk(&p, depth + 1, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_capture_name)
        {
            out.push(p);
        }
    }
}

/// Every capture under `captures/` and under the shared corpus, sorted for
/// a stable order. Without the corpus only `captures/` is taken, which is
/// said (and fails under `CI=true`, see `oracle`).
pub fn capture_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&repo_root().join("captures"), 0, &mut out);
    if let Some(c) = oracle::corpus("corpus part of the capture list (captures/ only)") {
        walk(&c, 0, &mut out);
    }
    out.sort();
    out
}

/// Path relative to the corpus or repository, for messages and exceptions.
pub fn display_name(path: &Path) -> String {
    if let Some(c) = corpus_dir() {
        if let Ok(r) = path.strip_prefix(&c) {
            return format!("corpus/{}", r.display());
        }
    }
    if let Ok(r) = path.strip_prefix(repo_root()) {
        return r.display().to_string();
    }
    path.display().to_string()
}

/// tshark is installed and runs.
pub fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// An empty Wireshark configuration directory, so personal preferences
/// cannot change what tshark decodes.
fn empty_config_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wireshark-empty-config");
    let _ = std::fs::create_dir_all(&d);
    d
}

/// Run tshark once on `path` and return its JSON for every frame.
///
/// No display filter: `-Y isakmp` does not match a frame whose ISAKMP layer
/// is present but empty (snaplen-truncated header), while
/// `frame.protocols` still names it; `tshark_frames` picks the IPsec frames.
/// `--no-duplicate-keys` turns repeated fields into arrays, so nothing is
/// lost in a JSON object; tshark exits non-zero on a cut-short file but
/// still prints every packet before the cut, so only unparseable output is
/// an error.
pub fn run_tshark(path: &Path) -> Result<Value, String> {
    let out = Command::new("tshark")
        .env("WIRESHARK_CONFIG_DIR", empty_config_dir())
        .arg("-n")
        .arg("-r")
        .arg(path)
        .args(["-T", "json", "--no-duplicate-keys"])
        // ipv6: tshark nests an AH extension header inside the ipv6 layer.
        .args(["-J", "frame ip ipv6 udp isakmp esp ah udpencap"])
        .output()
        .map_err(|e| format!("cannot run tshark: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        return Ok(Value::Array(Vec::new()));
    }
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "tshark output for {} is not JSON ({e}); stderr: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A JSON value that tshark prints once as a scalar/object and several
/// times as an array, as a list.
pub fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

fn s(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// tshark's `aa:bb:cc` byte notation as lowercase hex without colons.
pub fn colon_hex(v: &str) -> String {
    v.chars()
        .filter(|c| *c != ':')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Parse `123` or `0x7b` as a number.
pub fn parse_num(v: &str) -> Option<u64> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A tshark numeric field in decimal (hex fields such as `isakmp.flags`
/// print as `0x..`); unparseable values are kept verbatim so they show up in
/// a diff instead of vanishing.
fn num_field(v: Option<&Value>) -> Option<String> {
    let v = s(v)?;
    Some(parse_num(v).map_or_else(|| v.to_string(), |n| n.to_string()))
}

/// An attribute value as both sides print it: the number when the value is
/// 1..=8 bytes long, the hex bytes otherwise (empty for a zero-length TLV).
pub fn attr_value_from_bytes(hex_bytes: &str) -> String {
    if hex_bytes.is_empty() || hex_bytes.len() > 16 || !hex_bytes.len().is_multiple_of(2) {
        return hex_bytes.to_string();
    }
    u64::from_str_radix(hex_bytes, 16).map_or_else(|_| hex_bytes.to_string(), |n| n.to_string())
}

/// The IPsec protocol tshark found outermost in a frame, and whether it sits
/// inside an ICMP error or a GTP tunnel (see the exception rules).
pub fn tshark_outer_proto(protocols: &str, layers: &Value) -> Option<&'static str> {
    for tok in protocols.split(':') {
        match tok {
            "isakmp" => return Some("isakmp"),
            "esp" => return Some("esp"),
            "ah" => return Some("ah"),
            "udpencap"
                if layers
                    .get("udpencap")
                    .and_then(|u| u.get("udpencap.nat_keepalive"))
                    .is_some() =>
            {
                return Some("nat-keepalive");
            }
            _ => {}
        }
    }
    None
}

/// Facts of every IPsec frame in tshark's JSON output.
pub fn tshark_frames(json: &Value) -> Result<Vec<TsharkFrame>, String> {
    let packets = json.as_array().ok_or("tshark JSON is not an array")?;
    let mut out = Vec::with_capacity(packets.len());
    for p in packets {
        let layers = p
            .pointer("/_source/layers")
            .ok_or("packet without _source.layers")?;
        let frame = layers.get("frame").ok_or("packet without frame layer")?;
        let number = s(frame.get("frame.number"))
            .and_then(parse_num)
            .ok_or("frame without frame.number")?;
        let protocols = s(frame.get("frame.protocols")).unwrap_or("").to_string();
        let Some(proto) = tshark_outer_proto(&protocols, layers) else {
            continue;
        };
        let mut facts = Facts::new();
        facts.insert("proto".into(), proto.into());
        tshark_addr_facts(&protocols, layers, &mut facts);
        match proto {
            "isakmp" => {
                // Only one isakmp layer per frame in tshark's output: an
                // IKE-reassembled inner message is nested inside the
                // fragment payload's tree, which `tshark_ike_facts` does
                // not descend into (we report the fragment as seen on the
                // wire, and so does tshark at top level).
                if let Some(l) = as_list(layers.get("isakmp")).first() {
                    tshark_ike_facts(l, &mut facts);
                }
            }
            "esp" | "ah" => {
                let nested = if proto == "ah" && layers.get("ah").is_none() {
                    layers.get("ipv6").and_then(|v| find_key(v, "ah", 8))
                } else {
                    None
                };
                if let Some(l) = as_list(layers.get(proto)).first().copied().or(nested) {
                    let spi = s(l.get(format!("{proto}.spi")))
                        .and_then(parse_num)
                        .map(|n| format!("{n:08x}"));
                    if let Some(spi) = spi {
                        facts.insert(format!("{proto}.spi"), spi);
                    }
                    if let Some(seq) = num_field(l.get(format!("{proto}.sequence"))) {
                        facts.insert(format!("{proto}.seq"), seq);
                    }
                }
            }
            _ => {}
        }
        out.push(TsharkFrame {
            number,
            protocols,
            facts,
        });
    }
    Ok(out)
}

/// Outer addresses (the first IP layer in the protocol path) and the first
/// UDP header's ports.
fn tshark_addr_facts(protocols: &str, layers: &Value, f: &mut Facts) {
    let first_ip = protocols.split(':').find(|t| *t == "ip" || *t == "ipv6");
    let (layer, src, dst) = match first_ip {
        Some("ip") => ("ip", "ip.src", "ip.dst"),
        Some(_) => ("ipv6", "ipv6.src", "ipv6.dst"),
        None => return,
    };
    if let Some(l) = as_list(layers.get(layer)).first() {
        for (k, field) in [("src", src), ("dst", dst)] {
            if let Some(v) = s(l.get(field)) {
                f.insert(k.into(), v.to_string());
            }
        }
    }
    if let Some(u) = as_list(layers.get("udp")).first() {
        for (k, field) in [("sport", "udp.srcport"), ("dport", "udp.dstport")] {
            if let Some(v) = num_field(u.get(field)) {
                f.insert(k.into(), v);
            }
        }
    }
}

/// The first value under `key` anywhere in `v` (depth-bounded).
fn find_key<'a>(v: &'a Value, key: &str, depth: usize) -> Option<&'a Value> {
    if depth == 0 {
        return None;
    }
    match v {
        Value::Object(o) => o
            .get(key)
            .or_else(|| o.values().find_map(|c| find_key(c, key, depth - 1))),
        Value::Array(a) => a.iter().find_map(|c| find_key(c, key, depth - 1)),
        _ => None,
    }
}

/// SA payload type per IKE version, and the notify and delete types.
fn sa_type(version: &str) -> u64 {
    if version == "2" {
        33
    } else {
        1
    }
}
fn notify_type(version: &str) -> u64 {
    if version == "2" {
        41
    } else {
        11
    }
}
fn delete_type(version: &str) -> u64 {
    if version == "2" {
        42
    } else {
        12
    }
}

/// How a simple payload field is normalised.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Norm {
    /// A number (tshark may print hex `0x..`).
    Num,
    /// Bytes as lowercase hex; omitted when empty.
    Hex,
    /// tshark's bytes vs our byte count; omitted when zero.
    Len,
    /// tshark `0`/`1` vs our bool.
    Bool,
}

/// Simple payload fields compared on both sides: (IKE version, payload
/// type, fact name, tshark field, our JSON key, normalisation).
const SIMPLE: &[(&str, u64, &str, &str, &str, Norm)] = &[
    (
        "1",
        11,
        "notify.protocol_id",
        "isakmp.notify.protoid",
        "protocol_id",
        Norm::Num,
    ),
    (
        "2",
        41,
        "notify.protocol_id",
        "isakmp.notify.protoid",
        "protocol_id",
        Norm::Num,
    ),
    ("1", 11, "notify.spi", "isakmp.spi", "spi", Norm::Hex),
    ("2", 41, "notify.spi", "isakmp.spi", "spi", Norm::Hex),
    (
        "2",
        34,
        "ke.group",
        "isakmp.key_exchange.dh_group",
        "group",
        Norm::Num,
    ),
    (
        "1",
        4,
        "ke.data_length",
        "isakmp.key_exchange.data",
        "data_length",
        Norm::Len,
    ),
    (
        "2",
        34,
        "ke.data_length",
        "isakmp.key_exchange.data",
        "data_length",
        Norm::Len,
    ),
    ("1", 13, "vid.data", "isakmp.vid_bytes", "data", Norm::Hex),
    ("2", 43, "vid.data", "isakmp.vid_bytes", "data", Norm::Hex),
    ("1", 5, "id.type", "isakmp.id.type", "id_type", Norm::Num),
    (
        "1",
        5,
        "id.protocol",
        "isakmp.id.protoid",
        "protocol",
        Norm::Num,
    ),
    ("1", 5, "id.port", "isakmp.id.port", "port", Norm::Num),
    ("2", 35, "id.type", "isakmp.id.type", "id_type", Norm::Num),
    ("2", 36, "id.type", "isakmp.id.type", "id_type", Norm::Num),
    (
        "2",
        39,
        "auth.method",
        "isakmp.auth.method",
        "method",
        Norm::Num,
    ),
    (
        "1",
        6,
        "cert.encoding",
        "isakmp.cert.encoding",
        "encoding",
        Norm::Num,
    ),
    (
        "2",
        37,
        "cert.encoding",
        "isakmp.cert.encoding",
        "encoding",
        Norm::Num,
    ),
    (
        "1",
        7,
        "certreq.encoding",
        "isakmp.certreq.type",
        "encoding",
        Norm::Num,
    ),
    (
        "2",
        38,
        "certreq.encoding",
        "isakmp.certreq.type",
        "encoding",
        Norm::Num,
    ),
    (
        "2",
        53,
        "skf.number",
        "isakmp.frag.number",
        "fragment_number",
        Norm::Num,
    ),
    (
        "2",
        53,
        "skf.total",
        "isakmp.frag.total",
        "total_fragments",
        Norm::Num,
    ),
    (
        "1",
        132,
        "frag.id",
        "isakmp.frag.packetid",
        "fragment_id",
        Norm::Num,
    ),
    (
        "1",
        132,
        "frag.number",
        "isakmp.frag.seq",
        "fragment_number",
        Norm::Num,
    ),
    (
        "1",
        132,
        "frag.last",
        "isakmp.frag.last",
        "last",
        Norm::Bool,
    ),
];

fn simple_tshark(version: &str, ty: u64, tree: &Value, pre: &str, f: &mut Facts) {
    for &(v, t, name, field, _, norm) in SIMPLE {
        if v != version || t != ty {
            continue;
        }
        let raw = tree.get(field);
        let val = match norm {
            Norm::Num | Norm::Bool => num_field(raw),
            Norm::Hex => s(raw).map(colon_hex).filter(|h| !h.is_empty()),
            Norm::Len => s(raw)
                .map(|h| colon_hex(h).len() / 2)
                .filter(|n| *n > 0)
                .map(|n| n.to_string()),
        };
        if let Some(val) = val {
            f.insert(format!("{pre}.{name}"), val);
        }
    }
}

fn simple_ours(version: &str, ty: u64, p: &Value, pre: &str, f: &mut Facts) {
    for &(v, t, name, _, key, norm) in SIMPLE {
        if v != version || t != ty {
            continue;
        }
        let raw = p.get(key);
        let val = match norm {
            Norm::Num => jnum(raw),
            Norm::Bool => raw
                .and_then(Value::as_bool)
                .map(|b| u8::from(b).to_string()),
            Norm::Hex => raw
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .filter(|h| !h.is_empty()),
            Norm::Len => raw
                .and_then(Value::as_u64)
                .filter(|n| *n > 0)
                .map(|n| n.to_string()),
        };
        if let Some(val) = val {
            f.insert(format!("{pre}.{name}"), val);
        }
    }
}

/// Header and payload facts from one tshark `isakmp` layer object.
pub fn tshark_ike_facts(l: &Value, f: &mut Facts) {
    let version = s(l.get("isakmp.version"))
        .and_then(parse_num)
        .map(|v| (v >> 4).to_string());
    if let Some(v) = &version {
        f.insert("isakmp.version".into(), v.clone());
    }
    for (ours, theirs) in [("ispi", "isakmp.ispi"), ("rspi", "isakmp.rspi")] {
        if let Some(v) = s(l.get(theirs)) {
            f.insert(format!("isakmp.{ours}"), colon_hex(v));
        }
    }
    for (ours, theirs) in [
        ("next_payload", "isakmp.nextpayload"),
        ("exchange_type", "isakmp.exchangetype"),
        ("flags", "isakmp.flags"),
        ("message_id", "isakmp.messageid"),
        ("length", "isakmp.length"),
    ] {
        if let Some(v) = num_field(l.get(theirs)) {
            f.insert(format!("isakmp.{ours}"), v);
        }
    }
    let version = version.unwrap_or_default();
    let types: Vec<String> = as_list(l.get("isakmp.typepayload"))
        .into_iter()
        .map(|v| num_field(Some(v)).unwrap_or_default())
        .collect();
    let trees = as_list(l.get("isakmp.typepayload_tree"));
    if version == "1" || version == "2" {
        f.insert("isakmp.payloads".into(), types.join(","));
    }
    for (i, ty) in types.iter().enumerate() {
        let Some(tree) = trees.get(i) else {
            f.insert(format!("isakmp.p{i}"), "<tshark: no subtree>".into());
            continue;
        };
        let ty: u64 = ty.parse().unwrap_or(u64::MAX);
        let pre = format!("isakmp.p{i}");
        simple_tshark(&version, ty, tree, &pre, f);
        if ty == sa_type(&version) {
            tshark_sa_facts(&version, tree, &pre, f);
        } else if ty == notify_type(&version) {
            if let Some(v) = num_field(tree.get("isakmp.notify.msgtype")) {
                f.insert(format!("{pre}.notify_type"), v);
            }
        } else if ty == delete_type(&version) {
            if let Some(v) = num_field(tree.get("isakmp.delete.protoid")) {
                f.insert(format!("{pre}.delete.protocol_id"), v);
            }
            let spis: Vec<String> = as_list(tree.get("isakmp.delete.spi"))
                .into_iter()
                .filter_map(Value::as_str)
                .map(colon_hex)
                .collect();
            f.insert(format!("{pre}.delete.spis"), spis.join(","));
        }
    }
}

fn tshark_sa_facts(version: &str, sa: &Value, pre: &str, f: &mut Facts) {
    let props = as_list(sa.get("isakmp.typepayload_tree"));
    f.insert(format!("{pre}.proposals"), props.len().to_string());
    for (j, p) in props.iter().enumerate() {
        let pp = format!("{pre}.prop{j}");
        if let Some(v) = num_field(p.get("isakmp.prop.number")) {
            f.insert(format!("{pp}.number"), v);
        }
        if let Some(v) = num_field(p.get("isakmp.prop.protoid")) {
            f.insert(format!("{pp}.protocol_id"), v);
        }
        if let Some(v) = num_field(p.get("isakmp.prop.transforms")) {
            f.insert(format!("{pp}.transform_count"), v);
        }
        if let Some(v) = s(p.get("isakmp.spi")).map(colon_hex) {
            if !v.is_empty() {
                f.insert(format!("{pp}.spi"), v);
            }
        }
        let tfs = as_list(p.get("isakmp.typepayload_tree"));
        f.insert(format!("{pp}.transforms"), tfs.len().to_string());
        for (k, t) in tfs.iter().enumerate() {
            let tp = format!("{pp}.tf{k}");
            let attrs = if version == "2" {
                if let Some(v) = num_field(t.get("isakmp.tf.type")) {
                    f.insert(format!("{tp}.type"), v);
                }
                // The transform ID field is named after the type
                // (isakmp.tf.id.encr, .prf, .integ, .dh, .esn) or is the
                // bare isakmp.tf.id for unknown types.
                let id = t.as_object().and_then(|o| {
                    o.iter()
                        .find(|(k, _)| {
                            k.as_str() == "isakmp.tf.id" || k.starts_with("isakmp.tf.id.")
                        })
                        .map(|(_, v)| v)
                });
                if let Some(v) = num_field(id) {
                    f.insert(format!("{tp}.id"), v);
                }
                as_list(t.get("isakmp.ike2.attr"))
            } else {
                if let Some(v) = num_field(t.get("isakmp.trans.number")) {
                    f.insert(format!("{tp}.number"), v);
                }
                if let Some(v) = num_field(t.get("isakmp.trans.id")) {
                    f.insert(format!("{tp}.id"), v);
                }
                let mut a = as_list(t.get("isakmp.ike.attr"));
                a.extend(as_list(t.get("isakmp.ipsec.attr")));
                a
            };
            f.insert(format!("{tp}.attrs"), attrs.len().to_string());
            for (m, a) in attrs.iter().enumerate() {
                let Some(o) = a.as_object() else { continue };
                let field = |suffix: &str| {
                    o.iter()
                        .find(|(k, _)| k.ends_with(suffix) && k.matches('.').count() == 3)
                        .map(|(_, v)| v)
                };
                if let Some(v) = num_field(field(".attr.type")) {
                    f.insert(format!("{tp}.attr{m}.type"), v);
                }
                let bytes = field(".attr.value")
                    .and_then(Value::as_str)
                    .map(colon_hex)
                    .unwrap_or_default();
                f.insert(format!("{tp}.attr{m}.value"), attr_value_from_bytes(&bytes));
            }
        }
    }
}

/// Facts of one line of `ikescope packets --json`.
pub fn our_facts(line: &Value) -> Result<(u64, Facts), String> {
    let frame = line
        .get("frame")
        .and_then(Value::as_u64)
        .ok_or("record without a numeric `frame`")?;
    let proto = line
        .get("proto")
        .and_then(Value::as_str)
        .ok_or("record without a string `proto`")?;
    let mut f = Facts::new();
    f.insert("proto".into(), proto.into());
    for k in ["src", "dst"] {
        if let Some(v) = line.get(k).and_then(Value::as_str) {
            f.insert(k.into(), v.to_string());
        }
    }
    for k in ["sport", "dport"] {
        if let Some(v) = jnum(line.get(k)) {
            f.insert(k.into(), v);
        }
    }
    match proto {
        "isakmp" => {
            if let Some(m) = line.get("isakmp").filter(|v| v.is_object()) {
                our_ike_facts(m, &mut f);
            }
        }
        "esp" | "ah" => {
            if let Some(o) = line.get(proto).filter(|v| v.is_object()) {
                if let Some(v) = o.get("spi").and_then(Value::as_str) {
                    f.insert(format!("{proto}.spi"), v.to_ascii_lowercase());
                }
                if let Some(v) = o.get("seq").and_then(Value::as_u64) {
                    f.insert(format!("{proto}.seq"), v.to_string());
                }
            }
        }
        _ => {}
    }
    Ok((frame, f))
}

fn jnum(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_u64).map(|n| n.to_string())
}

/// Header and payload facts from our `isakmp` object (the serde shape of
/// `ikescope::ike::Message`).
pub fn our_ike_facts(m: &Value, f: &mut Facts) {
    let version = jnum(m.get("version")).unwrap_or_default();
    if !version.is_empty() {
        f.insert("isakmp.version".into(), version.clone());
    }
    for k in ["ispi", "rspi"] {
        if let Some(v) = m.get(k).and_then(Value::as_str) {
            f.insert(format!("isakmp.{k}"), v.to_ascii_lowercase());
        }
    }
    for k in [
        "next_payload",
        "exchange_type",
        "flags",
        "message_id",
        "length",
    ] {
        if let Some(v) = jnum(m.get(k)) {
            f.insert(format!("isakmp.{k}"), v);
        }
    }
    // An IKEv1 message with the E flag whose body happened to parse as
    // plain payloads (ASA decrypted copies) lists them; on the wire it is
    // ciphertext, and tshark shows no payload chain.
    let payloads = m
        .get("payloads")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let types: Vec<String> = payloads
        .iter()
        .map(|p| jnum(p.get("type")).unwrap_or_default())
        .collect();
    if version == "1" || version == "2" {
        f.insert("isakmp.payloads".into(), types.join(","));
    }
    for (i, p) in payloads.iter().enumerate() {
        let ty = p.get("type").and_then(Value::as_u64).unwrap_or(u64::MAX);
        let pre = format!("isakmp.p{i}");
        simple_ours(&version, ty, p, &pre, f);
        if ty == sa_type(&version) {
            let props = p
                .get("proposals")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            f.insert(format!("{pre}.proposals"), props.len().to_string());
            for (j, pr) in props.iter().enumerate() {
                let pp = format!("{pre}.prop{j}");
                for (k, ours) in [
                    ("number", "number"),
                    ("protocol_id", "protocol_id"),
                    ("transform_count", "transform_count"),
                ] {
                    if let Some(v) = jnum(pr.get(ours)) {
                        f.insert(format!("{pp}.{k}"), v);
                    }
                }
                if let Some(v) = pr.get("spi").and_then(Value::as_str) {
                    if !v.is_empty() {
                        f.insert(format!("{pp}.spi"), v.to_ascii_lowercase());
                    }
                }
                let tfs = pr
                    .get("transforms")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                f.insert(format!("{pp}.transforms"), tfs.len().to_string());
                for (k, t) in tfs.iter().enumerate() {
                    let tp = format!("{pp}.tf{k}");
                    if version == "2" {
                        if let Some(v) = jnum(t.get("transform_type")) {
                            f.insert(format!("{tp}.type"), v);
                        }
                    } else if let Some(v) = jnum(t.get("number")) {
                        f.insert(format!("{tp}.number"), v);
                    }
                    if let Some(v) = jnum(t.get("transform_id")) {
                        f.insert(format!("{tp}.id"), v);
                    }
                    let attrs = t
                        .get("attributes")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    f.insert(format!("{tp}.attrs"), attrs.len().to_string());
                    for (a_i, a) in attrs.iter().enumerate() {
                        if let Some(v) = jnum(a.get("attr_type")) {
                            f.insert(format!("{tp}.attr{a_i}.type"), v);
                        }
                        let tv = a.get("tv").and_then(Value::as_bool).unwrap_or(false);
                        let bytes = a
                            .get("bytes")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_ascii_lowercase();
                        let value = match jnum(a.get("value")) {
                            // A zero-length TLV has no value bytes at all.
                            Some(_) if !tv && bytes.is_empty() => String::new(),
                            Some(n) => n,
                            None => bytes,
                        };
                        f.insert(format!("{tp}.attr{a_i}.value"), value);
                    }
                }
            }
        } else if ty == notify_type(&version) {
            if let Some(v) = jnum(p.get("notify_type")) {
                f.insert(format!("{pre}.notify_type"), v);
            }
        } else if ty == delete_type(&version) {
            if let Some(v) = jnum(p.get("protocol_id")) {
                f.insert(format!("{pre}.delete.protocol_id"), v);
            }
            let spis: Vec<String> = p
                .get("spis")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase)
                        .collect()
                })
                .unwrap_or_default();
            f.insert(format!("{pre}.delete.spis"), spis.join(","));
        }
    }
}

/// Output of one run of our binary.
pub struct OurRun {
    pub status: Option<i32>,
    pub stderr: String,
    /// Facts per frame; a frame reported twice gets a `duplicate_records`
    /// fact so the diff shows it.
    pub frames: BTreeMap<u64, Facts>,
    /// Lines of stdout that are not valid records.
    pub bad_lines: Vec<String>,
}

/// Run `ikescope packets FILE --json` and collect facts per frame.
pub fn run_ours(path: &Path) -> Result<OurRun, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .arg("packets")
        .arg(path)
        .arg("--json")
        .output()
        .map_err(|e| format!("cannot run ikescope: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut frames: BTreeMap<u64, Facts> = BTreeMap::new();
    let mut bad_lines = Vec::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let parsed = serde_json::from_str::<Value>(line)
            .map_err(|e| e.to_string())
            .and_then(|v| our_facts(&v));
        match parsed {
            Ok((n, facts)) => match frames.get_mut(&n) {
                Some(existing) => {
                    let c = existing
                        .get("duplicate_records")
                        .and_then(|c| c.parse::<u64>().ok())
                        .unwrap_or(1);
                    existing.insert("duplicate_records".into(), (c + 1).to_string());
                }
                None => {
                    frames.insert(n, facts);
                }
            },
            Err(e) => bad_lines.push(format!("{e}: {}", truncate(line, 200))),
        }
    }
    Ok(OurRun {
        status: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        frames,
        bad_lines,
    })
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
