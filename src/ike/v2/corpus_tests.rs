//! Differential test against tshark on the public capture corpus: every
//! IKEv2 message tshark finds is decoded here and its fields compared.
//! Skipped when tshark or `../shared/corpus` is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ike::oracle;

use crate::ike::{parse_message, Body, Message, NotifyDetail};

/// tshark fields that locate and frame the message.
const FRAMING: &[&str] = &[
    "frame.number",
    "udp.srcport",
    "udp.dstport",
    "udp.payload",
    "isakmp.version",
    "_ws.malformed",
];

/// Compared fields, each with how to read it from our decode. Multi-valued
/// fields list every occurrence in wire order.
const COMPARED: &[&str] = &[
    "isakmp.exchangetype",
    "isakmp.messageid",
    "isakmp.typepayload",
    "isakmp.prop.number",
    "isakmp.prop.protoid",
    "isakmp.prop.transforms",
    "isakmp.tf.type",
    "isakmp.tf.id.encr",
    "isakmp.tf.id.prf",
    "isakmp.tf.id.integ",
    "isakmp.tf.id.dh",
    "isakmp.tf.id.esn",
    "isakmp.ike2.attr.key_length",
    "isakmp.key_exchange.dh_group",
    "isakmp.id.type",
    "isakmp.id.data.ipv4_addr",
    "isakmp.id.data.ipv6_addr",
    "isakmp.cert.encoding",
    "isakmp.certreq.type",
    "isakmp.auth.method",
    "isakmp.nonce",
    "isakmp.notify.protoid",
    "isakmp.notify.msgtype",
    "isakmp.notify.data.accepted_dh_group",
    "isakmp.notify.data.signature_hash_algorithms",
    "isakmp.delete.protoid",
    "isakmp.delete.spi",
    "isakmp.vid_bytes",
    "isakmp.ts.type",
    "isakmp.ts.protoid",
    "isakmp.ts.start_port",
    "isakmp.ts.end_port",
    "isakmp.ts.start_ipv4",
    "isakmp.ts.end_ipv4",
    "isakmp.ts.start_ipv6",
    "isakmp.ts.end_ipv6",
    "isakmp.cfg.type",
    "isakmp.cfg.attr.type",
    "isakmp.frag.number",
    "isakmp.frag.total",
];

fn col(name: &str) -> usize {
    FRAMING
        .iter()
        .chain(COMPARED.iter())
        .position(|f| *f == name)
        .unwrap_or(usize::MAX)
}

fn captures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            captures(&p, out);
        } else {
            let name = p.to_string_lossy();
            if [".pcap", ".pcapng", ".cap"]
                .iter()
                .any(|x| name.ends_with(x))
            {
                out.push(p);
            }
        }
    }
}

fn tshark(file: &Path, extra: &[String]) -> Option<String> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(file)
        .args(extra)
        .args(["-Y", "isakmp.version == 0x20", "-T", "fields"])
        .args([
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
            "-E",
            "separator=/t",
        ]);
    for f in FRAMING.iter().chain(COMPARED.iter()) {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// tshark's values, with "0x.." numbers in decimal like ours.
fn theirs(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(
            |x| match x.strip_prefix("0x").map(|h| u64::from_str_radix(h, 16)) {
                Some(Ok(n)) => n.to_string(),
                _ => x.to_string(),
            },
        )
        .collect()
}

/// Our values for a compared tshark field, in wire order.
fn ours(m: &Message<'_>, field: &str) -> Vec<String> {
    fn s<T: ToString>(v: T) -> String {
        v.to_string()
    }
    let bodies = || m.payloads.iter().map(|p| &p.body);
    let proposals = || {
        bodies().flat_map(|b| match b {
            Body::Sa(sa) => sa.proposals.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let transforms = || proposals().flat_map(|p| p.transforms.iter());
    let of_type = |t: u8| -> Vec<String> {
        transforms()
            .filter(|x| x.transform_type == Some(t))
            .map(|x| s(x.transform_id))
            .collect()
    };
    let notifies = || m.notifies();
    let selectors = || {
        bodies().flat_map(|b| match b {
            Body::Ts(t) => t.selectors.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let ranges = |ts_type: u8| selectors().filter(move |x| x.ts_type == ts_type);
    let ids = |id_type: u8| -> Vec<String> {
        bodies()
            .filter_map(|b| match b {
                Body::Id(i) if i.id_type == id_type => Some(i.value.clone()),
                _ => None,
            })
            .collect()
    };
    // CERT and CERTREQ share a body type; tell them apart by payload type.
    let certs = |ptype: u8| -> Vec<String> {
        m.payloads
            .iter()
            .filter(|p| p.ptype == ptype)
            .filter_map(|p| match &p.body {
                Body::Cert(c) => Some(s(c.encoding)),
                _ => None,
            })
            .collect()
    };
    match field {
        "isakmp.exchangetype" => vec![s(m.header.exchange_type)],
        "isakmp.messageid" => vec![s(m.header.message_id)],
        "isakmp.typepayload" => m.payloads.iter().map(|p| s(p.ptype)).collect(),
        "isakmp.prop.number" => proposals().map(|p| s(p.number)).collect(),
        "isakmp.prop.protoid" => proposals().map(|p| s(p.protocol_id)).collect(),
        "isakmp.prop.transforms" => proposals().map(|p| s(p.transform_count)).collect(),
        "isakmp.tf.type" => transforms()
            .filter_map(|t| t.transform_type.map(s))
            .collect(),
        "isakmp.tf.id.encr" => of_type(1),
        "isakmp.tf.id.prf" => of_type(2),
        "isakmp.tf.id.integ" => of_type(3),
        "isakmp.tf.id.dh" => of_type(4),
        "isakmp.tf.id.esn" => of_type(5),
        "isakmp.ike2.attr.key_length" => transforms()
            .flat_map(|t| t.attributes.iter())
            .filter(|a| a.attr_type == 14)
            .filter_map(|a| a.value.map(s))
            .collect(),
        "isakmp.key_exchange.dh_group" => bodies()
            .filter_map(|b| match b {
                Body::Ke(k) => k.group.map(s),
                _ => None,
            })
            .collect(),
        "isakmp.id.type" => bodies()
            .filter_map(|b| match b {
                Body::Id(i) => Some(s(i.id_type)),
                _ => None,
            })
            .collect(),
        "isakmp.id.data.ipv4_addr" => ids(1),
        "isakmp.id.data.ipv6_addr" => ids(5),
        "isakmp.cert.encoding" => certs(37),
        "isakmp.certreq.type" => certs(38),
        "isakmp.auth.method" => bodies()
            .filter_map(|b| match b {
                Body::Auth(a) => Some(s(a.method)),
                _ => None,
            })
            .collect(),
        "isakmp.nonce" => m
            .payloads
            .iter()
            .filter(|p| p.ptype == 40)
            .filter_map(|p| match &p.body {
                Body::Data(d) => Some(hex::encode(d.data)),
                _ => None,
            })
            .collect(),
        "isakmp.notify.protoid" => notifies().map(|n| s(n.protocol_id)).collect(),
        "isakmp.notify.msgtype" => notifies().map(|n| s(n.notify_type)).collect(),
        "isakmp.notify.data.accepted_dh_group" => notifies()
            .filter_map(|n| match n.detail {
                Some(NotifyDetail::AcceptedGroup(g)) => Some(s(g)),
                _ => None,
            })
            .collect(),
        "isakmp.notify.data.signature_hash_algorithms" => notifies()
            .flat_map(|n| match &n.detail {
                Some(NotifyDetail::HashAlgorithms(h)) => h.iter().map(|&x| s(x)).collect(),
                _ => Vec::new(),
            })
            .collect(),
        "isakmp.delete.protoid" => bodies()
            .filter_map(|b| match b {
                Body::Delete(d) => Some(s(d.protocol_id)),
                _ => None,
            })
            .collect(),
        "isakmp.delete.spi" => bodies()
            .flat_map(|b| match b {
                Body::Delete(d) => d.spis.iter().map(hex::encode).collect(),
                _ => Vec::new(),
            })
            .collect(),
        "isakmp.vid_bytes" => m.vendor_ids().map(|v| hex::encode(v.data)).collect(),
        "isakmp.ts.type" => selectors().map(|x| s(x.ts_type)).collect(),
        "isakmp.ts.protoid" => selectors().map(|x| s(x.ip_protocol)).collect(),
        "isakmp.ts.start_port" => selectors()
            .filter(|x| x.ts_type == 7 || x.ts_type == 8)
            .map(|x| s(x.start_port))
            .collect(),
        "isakmp.ts.end_port" => selectors()
            .filter(|x| x.ts_type == 7 || x.ts_type == 8)
            .map(|x| s(x.end_port))
            .collect(),
        "isakmp.ts.start_ipv4" => ranges(7).map(|x| x.start_addr.clone()).collect(),
        "isakmp.ts.end_ipv4" => ranges(7).map(|x| x.end_addr.clone()).collect(),
        "isakmp.ts.start_ipv6" => ranges(8).map(|x| x.start_addr.clone()).collect(),
        "isakmp.ts.end_ipv6" => ranges(8).map(|x| x.end_addr.clone()).collect(),
        "isakmp.cfg.type" => bodies()
            .filter_map(|b| match b {
                Body::Config(c) => Some(s(c.cfg_type)),
                _ => None,
            })
            .collect(),
        "isakmp.cfg.attr.type" => bodies()
            .flat_map(|b| match b {
                Body::Config(c) => c.attributes.iter().map(|a| s(a.attr_type)).collect(),
                _ => Vec::new(),
            })
            .collect(),
        "isakmp.frag.number" => bodies()
            .filter_map(|b| match b {
                Body::Encrypted(e) => e.fragment_number.map(s),
                _ => None,
            })
            .collect(),
        "isakmp.frag.total" => bodies()
            .filter_map(|b| match b {
                Body::Encrypted(e) => e.total_fragments.map(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Frames where we and tshark disagree on purpose: (file suffix, frame,
/// why). Each is a real malformation tshark 4.0 does not flag, or the reverse.
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "ndpi/ipsec_isakmp_esp.pcap",
        "192",
        "the last payload's next-payload names IDi (35) but the message ends: \
         tshark stops at the message length silently",
    ),
    (
        "openswan/lp08-parentR1__parentR1notify.pcap",
        "1",
        "message length 40 but the payloads end at 38: tshark ignores trailing bytes",
    ),
    (
        "openswan/lp08-parentR1__parentR1notify.pcap",
        "2",
        "INVALID_KE_PAYLOAD without its 2-byte group: tshark calls the packet \
         malformed; we keep the notify (its type is what matters) with no detail",
    ),
    (
        "tcpdump/ikev2-id-normal.pcap",
        "1",
        "39 bytes after the last payload (IDi, next payload 0): tshark ignores them",
    ),
    (
        "tcpdump/ikev2-id-short.pcap",
        "1",
        "IDi body of 1 byte lacks the 3 reserved bytes of RFC 7296 §3.5: \
         tshark shows the ID type and says nothing",
    ),
];

/// Skip captures whose tshark summary (MANIFEST.md) shows no IKEv2 message.
fn may_hold_ikev2(file: &Path) -> bool {
    let mut summary = file.as_os_str().to_owned();
    summary.push(".summary.txt");
    match std::fs::read_to_string(&summary) {
        Ok(s) => s.contains("0x20"),
        Err(_) => true,
    }
}

/// Compare every field of `COMPARED`; returns how many were compared.
fn compare(
    m: &Message<'_>,
    get: &dyn Fn(&str) -> String,
    where_: &str,
    seen: &mut [usize],
    failures: &mut Vec<String>,
) -> usize {
    for (slot, f) in COMPARED.iter().enumerate() {
        let mut theirs = theirs(&get(f));
        if *f == "isakmp.typepayload" {
            // tshark also lists proposal (2) and transform (3) substructures.
            theirs.retain(|t| t != "2" && t != "3");
        }
        let mine = ours(m, f);
        if let Some(n) = seen.get_mut(slot) {
            *n += theirs.len();
        }
        if mine != theirs {
            failures.push(format!("{where_}: {f} ours={mine:?} tshark={theirs:?}"));
        }
    }
    COMPARED.len()
}

#[test]
fn agrees_with_tshark_on_corpus() {
    let Some(root) = oracle::corpus("agrees_with_tshark_on_corpus") else {
        return;
    };
    if !oracle::tshark("agrees_with_tshark_on_corpus") {
        return;
    }
    let mut files = Vec::new();
    captures(&root, &mut files);
    let (mut messages, mut compared, mut skipped) = (0usize, 0usize, 0usize);
    let (mut expected, mut both_malformed) = (0usize, 0usize);
    // Values tshark showed per compared field: agreement on nothing proves nothing.
    let mut seen = vec![0usize; COMPARED.len()];
    let mut failures = Vec::new();
    for file in &files {
        if !may_hold_ikev2(file) {
            continue;
        }
        let Some(out) = tshark(file, &[]) else {
            continue;
        };
        for line in out.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let get = |name: &str| cols.get(col(name)).copied().unwrap_or("").to_string();
            // Nested ISAKMP layers (ICMP quotes, tunnels): not one message.
            if get("isakmp.version").contains(',') || get("udp.payload").is_empty() {
                skipped += 1;
                continue;
            }
            let Ok(mut payload) = hex::decode(get("udp.payload")) else {
                skipped += 1;
                continue;
            };
            let on_4500 = get("udp.srcport") == "4500" || get("udp.dstport") == "4500";
            if on_4500 && payload.starts_with(&[0, 0, 0, 0]) {
                payload.drain(..4);
            }
            messages += 1;
            let where_ = format!("{}#{}", file.display(), get("frame.number"));
            let m = match parse_message(&payload) {
                Ok(m) => m,
                Err(e) => {
                    failures.push(format!("{where_}: no header: {e}"));
                    continue;
                }
            };
            let frame = get("frame.number");
            let known = KNOWN
                .iter()
                .any(|(f, n, _)| file.ends_with(f) && *n == frame.as_str());
            let tshark_malformed = !get("_ws.malformed").is_empty();
            if known {
                // The entry must still describe a real disagreement.
                if m.malformed.is_some() == tshark_malformed {
                    failures.push(format!("{where_}: listed in KNOWN but now agrees"));
                }
                expected += 1;
                continue;
            }
            if m.malformed.is_some() != tshark_malformed {
                failures.push(format!(
                    "{where_}: malformed ours={:?} tshark={tshark_malformed}",
                    m.malformed.as_ref().map(|e| e.to_string())
                ));
            }
            if tshark_malformed {
                // Both stop somewhere in a broken message; where differs.
                both_malformed += 1;
                continue;
            }
            compared += compare(&m, &get, &where_, &mut seen, &mut failures);
        }
    }
    eprintln!(
        "IKEv2 vs tshark: {} files, {messages} messages, {compared} field comparisons, \
         {} disagreements, {expected} known differences, {both_malformed} malformed for both, \
         {skipped} skipped",
        files.len(),
        failures.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    for (f, n) in COMPARED.iter().zip(&seen) {
        eprintln!("  {f}: {n} values");
    }
    assert!(messages > 0, "corpus present but no IKEv2 message found");
    // Fields every IKEv2 corpus exercises in cleartext.
    for f in [
        "isakmp.tf.id.encr",
        "isakmp.key_exchange.dh_group",
        "isakmp.notify.msgtype",
        "isakmp.nonce",
        "isakmp.vid_bytes",
        "isakmp.frag.number",
    ] {
        let n = COMPARED
            .iter()
            .position(|c| *c == f)
            .and_then(|i| seen.get(i))
            .copied()
            .unwrap_or(0);
        assert!(n > 0, "no {f} value in the corpus: field name wrong?");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements with tshark",
        failures.len()
    );
}

/// Find the first value under `key` anywhere in a tshark JSON tree.
fn find_key<'j>(v: &'j serde_json::Value, key: &str) -> Option<&'j serde_json::Value> {
    match v {
        serde_json::Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|c| find_key(c, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|c| find_key(c, key)),
        _ => None,
    }
}

/// The payloads inside SK, decrypted by tshark with the published keys of
/// the Wireshark wiki IKEv2 sample (IDi/IDr, CERT, AUTH, CP, SA with ESP
/// proposals, TSi/TSr, Delete), decoded by us and compared field by field.
#[test]
fn decrypted_inner_payloads_agree_with_tshark() {
    const TEST: &str = "decrypted_inner_payloads_agree_with_tshark";
    if !oracle::tshark(TEST) {
        return;
    }
    let (Some(file), Some(keys)) = (
        oracle::corpus_file(
            TEST,
            "wireshark-wiki/ipsec_ikev2+esp_aes-gcm_aes-ctr_aes-cbc__capture.pcapng",
        ),
        oracle::corpus_file(
            TEST,
            "wireshark-wiki/ipsec_ikev2+esp_aes-gcm_aes-ctr_aes-cbc__ikev2_decryption_table",
        ),
    ) else {
        return;
    };
    let table =
        std::fs::read_to_string(&keys).unwrap_or_else(|e| panic!("{}: {e}", keys.display()));
    let extra: Vec<String> = table
        .lines()
        .filter(|l| !l.trim().is_empty())
        .flat_map(|l| ["-o".to_string(), format!("uat:ikev2_decryption_table:{l}")])
        .collect();
    let json = Command::new("tshark")
        .arg("-r")
        .arg(&file)
        .args(&extra)
        .args(["-Y", "isakmp.enc.contained", "-T", "json", "-x"])
        .output()
        .expect("tshark runs");
    let packets: serde_json::Value = serde_json::from_slice(&json.stdout).expect("tshark JSON");
    let mut inner = std::collections::HashMap::new();
    for p in packets.as_array().into_iter().flatten() {
        let frame = find_key(p, "frame.number").and_then(|v| v.as_str());
        let raw = find_key(p, "isakmp.enc.contained_raw")
            .and_then(|v| v.get(0))
            .and_then(|v| v.as_str());
        if let (Some(f), Some(r)) = (frame, raw) {
            inner.insert(f.to_string(), hex::decode(r).expect("hex"));
        }
    }
    assert!(
        !inner.is_empty(),
        "tshark decrypted nothing: key table not applied?"
    );
    let out = tshark(&file, &extra).expect("tshark runs");
    let (mut messages, mut compared) = (0usize, 0usize);
    let mut seen = vec![0usize; COMPARED.len()];
    let mut failures = Vec::new();
    for line in out.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let raw = |name: &str| cols.get(col(name)).copied().unwrap_or("").to_string();
        let frame = raw("frame.number");
        let Some(chain) = inner.get(&frame) else {
            continue;
        };
        let mut outer = hex::decode(raw("udp.payload")).expect("hex");
        if outer.starts_with(&[0, 0, 0, 0]) {
            outer.drain(..4);
        }
        let first = parse_message(&outer)
            .ok()
            .and_then(|m| {
                m.payloads.iter().find_map(|p| match &p.body {
                    Body::Encrypted(e) => Some(e.inner_next_payload),
                    _ => None,
                })
            })
            .expect("outer message with SK");
        // The outer header with the inner chain as its body.
        let mut msg = outer.get(..28).expect("header").to_vec();
        msg[16] = first;
        msg[24..28].copy_from_slice(&((28 + chain.len()) as u32).to_be_bytes());
        msg.extend_from_slice(chain);
        let m = parse_message(&msg).expect("header parses");
        let where_ = format!("{}#{frame} (decrypted)", file.display());
        messages += 1;
        if let Some(e) = &m.malformed {
            failures.push(format!("{where_}: malformed {e}"));
        }
        // tshark lists the outer SK payload (46) before the inner ones.
        let get = |name: &str| {
            let v = raw(name);
            match name {
                "isakmp.typepayload" => v.strip_prefix("46,").unwrap_or(&v).to_string(),
                _ => v,
            }
        };
        compared += compare(&m, &get, &where_, &mut seen, &mut failures);
    }
    eprintln!(
        "decrypted IKEv2 vs tshark: {messages} messages, {compared} field comparisons, {} disagreements",
        failures.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    for (f, n) in COMPARED.iter().zip(&seen) {
        if *n > 0 {
            eprintln!("  {f}: {n} values");
        }
    }
    for f in [
        "isakmp.id.type",
        "isakmp.auth.method",
        "isakmp.ts.start_ipv4",
        "isakmp.cfg.attr.type",
        "isakmp.delete.protoid",
        "isakmp.tf.id.esn",
    ] {
        let n = COMPARED
            .iter()
            .position(|c| *c == f)
            .and_then(|i| seen.get(i))
            .copied()
            .unwrap_or(0);
        assert!(n > 0, "no {f} value decrypted: field name wrong?");
    }
    assert!(failures.is_empty(), "{} disagreements", failures.len());
}

/// Our registry tables name the same assigned values as tshark's IKEv2
/// value strings (`tshark -G values`), where tshark 4.0 is current.
#[test]
fn registry_values_match_tshark() {
    use crate::registry::ikev2::{
        DH_GROUPS, ENCR_IDS, ESN_IDS, EXCHANGE_TYPES, INTEG_IDS, PRF_IDS, SECURITY_PROTOCOLS,
    };
    use crate::registry::Table;
    if !oracle::tshark("registry_values_match_tshark") {
        return;
    }
    let out = Command::new("tshark")
        .args(["-G", "values"])
        .output()
        .expect("tshark -G values runs");
    let out = String::from_utf8_lossy(&out.stdout);
    // (tshark field, our table, values to leave out: IKEv1-only rows tshark
    // shares with IKEv2, or values assigned after tshark 4.0).
    let checks: &[(&str, &Table, &[u32])] = &[
        ("isakmp.tf.id.encr", &ENCR_IDS, &[]),
        ("isakmp.tf.id.prf", &PRF_IDS, &[]),
        ("isakmp.tf.id.integ", &INTEG_IDS, &[]),
        ("isakmp.tf.id.esn", &ESN_IDS, &[]),
        // 0: NONE since RFC 9370, after tshark 4.0. 3, 4, 6-13: IKEv1 EC2N
        // groups, reserved/unassigned in IKEv2.
        (
            "isakmp.tf.id.dh",
            &DH_GROUPS,
            &[0, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13],
        ),
    ];
    let unassigned = |n: &str| {
        let n = n.to_ascii_uppercase();
        n.starts_with("RESERVED") || n.starts_with("UNASSIGNED") || n.starts_with("UNDEFINED")
    };
    let mut compared = 0;
    for (field, table, skip) in checks {
        let prefix = format!("V\t{field}\t");
        let theirs: Vec<(u32, &str)> = out
            .lines()
            .filter_map(|l| l.strip_prefix(prefix.as_str()))
            .filter_map(|l| {
                let (v, n) = l.split_once('\t')?;
                Some((v.parse().ok()?, n))
            })
            .filter(|(v, _)| !skip.contains(v))
            .collect();
        assert!(!theirs.is_empty(), "tshark has no values for {field}");
        let max = theirs.iter().map(|t| t.0).max().unwrap_or(0);
        for (v, n) in &theirs {
            compared += 1;
            assert_eq!(
                table.name(*v).is_some(),
                !unassigned(n),
                "{field} {v}: ours {:?}, tshark {n:?}",
                table.name(*v)
            );
        }
        for e in table.entries.iter().filter(|e| e.first == e.last) {
            if e.first <= max && !skip.contains(&e.first) {
                assert!(
                    theirs.iter().any(|(v, n)| *v == e.first && !unassigned(n)),
                    "{field} {}: we name {:?}, tshark does not",
                    e.first,
                    e.name
                );
            }
        }
    }
    // IKEv2 exchange types and protocol IDs, where tshark mixes in IKEv1 rows.
    for v in 34..=38 {
        assert!(EXCHANGE_TYPES.name(v).is_some());
        assert!(out.contains(&format!(
            "V\tisakmp.exchangetype\t{v}\t{}\n",
            EXCHANGE_TYPES.name(v).unwrap_or("?")
        )));
    }
    for v in 1..=5 {
        let name = SECURITY_PROTOCOLS.name(v).unwrap_or("?");
        assert!(
            out.contains(&format!("V\tisakmp.prop.protoid\t{v}\t{name}\n")),
            "{v} {name}"
        );
    }
    eprintln!("registry vs tshark: {compared} values compared");
}

/// Deterministic mutations of real IKEv2 messages (every truncation, a bit
/// flip in every byte, every 16-bit field set to 0, 1, 0xffff and ±4): the
/// decoder never panics, and every error offset lies inside the message.
#[test]
fn mutated_corpus_messages_never_panic() {
    const TEST: &str = "mutated_corpus_messages_never_panic";
    let Some(root) = oracle::corpus(TEST) else {
        return;
    };
    if !oracle::tshark(TEST) {
        return;
    }
    let files = [
        "zeek-plugin-ikev2/ikev2.pcap",
        "arkime/IKEv2.pcap",
        "tcpdump/ikev2four.pcap",
        "openswan/lp08-parentR1__parentR1notify.pcap",
    ];
    let mut messages = Vec::new();
    for f in files {
        let path = root.join(f);
        if !path.is_file() {
            continue;
        }
        let Some(out) = tshark(&path, &[]) else {
            continue;
        };
        for line in out.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let get = |name: &str| cols.get(col(name)).copied().unwrap_or("");
            if let Ok(mut p) = hex::decode(get("udp.payload")) {
                if p.starts_with(&[0, 0, 0, 0]) {
                    p.drain(..4);
                }
                if p.len() >= 28 && !messages.contains(&p) {
                    messages.push(p);
                }
            }
        }
    }
    assert!(
        !messages.is_empty(),
        "no IKEv2 message read from the corpus through tshark"
    );
    let check = |m: &[u8]| {
        if let Ok(msg) = parse_message(m) {
            if let Some(e) = &msg.malformed {
                assert!(
                    e.offset <= m.len(),
                    "offset {} beyond {} bytes",
                    e.offset,
                    m.len()
                );
            }
            for p in &msg.payloads {
                assert!(p.offset + usize::from(p.length) <= m.len());
            }
        }
    };
    let mut cases = 0usize;
    for orig in &messages {
        for cut in 0..orig.len() {
            check(&orig[..cut]);
            cases += 1;
        }
        let mut m = orig.clone();
        for i in 0..m.len() {
            let bit = 1u8 << (i % 8);
            m[i] ^= bit;
            check(&m);
            m[i] ^= bit;
            cases += 1;
        }
        for i in 0..m.len().saturating_sub(1) {
            let old = [m[i], m[i + 1]];
            let v = u16::from_be_bytes(old);
            for new in [0, 1, 0xffff, v.wrapping_add(4), v.wrapping_sub(4)] {
                m[i..i + 2].copy_from_slice(&new.to_be_bytes());
                check(&m);
                cases += 1;
            }
            m[i..i + 2].copy_from_slice(&old);
        }
    }
    eprintln!("{} messages, {cases} mutations", messages.len());
    assert!(cases > 10_000);
}
