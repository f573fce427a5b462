//! Differential test against tshark on the public capture corpus: every
//! IKEv2 message tshark finds is decoded here and its fields compared.
//! Skipped when tshark or `../shared/corpus` is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ike::{parse_message, Body, Message};

const FIELDS: &[&str] = &[
    "frame.number",
    "udp.srcport",
    "udp.dstport",
    "udp.payload",
    "isakmp.version",
    "isakmp.exchangetype",
    "isakmp.messageid",
    "isakmp.typepayload",
    "isakmp.notify.msgtype",
    "isakmp.tf.type",
    "isakmp.tf.id.encr",
    "isakmp.tf.id.prf",
    "isakmp.tf.id.integ",
    "isakmp.tf.id.dh",
    "isakmp.tf.id.esn",
    "isakmp.ike2.attr.key_length",
    "isakmp.key_exchange.dh_group",
    "isakmp.ts.type",
    "isakmp.ts.start_port",
    "isakmp.id.type",
    "isakmp.auth.method",
    "isakmp.frag.number",
    "isakmp.frag.total",
    "_ws.malformed",
];

fn col(name: &str) -> usize {
    FIELDS.iter().position(|f| *f == name).unwrap_or(usize::MAX)
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

fn tshark(file: &Path) -> Option<String> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(file)
        .args(["-Y", "isakmp.version == 0x20", "-T", "fields"])
        .args([
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
            "-E",
            "separator=/t",
        ]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn nums(s: &str) -> Vec<u64> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .filter_map(|x| match x.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => x.parse().ok(),
        })
        .collect()
}

/// Our values for each compared tshark field, in wire order.
fn ours(m: &Message<'_>, field: &str) -> Vec<u64> {
    let transforms = || {
        m.payloads.iter().flat_map(|p| match &p.body {
            Body::Sa(sa) => sa
                .proposals
                .iter()
                .flat_map(|pr| pr.transforms.iter())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let of_type = |t: u8| -> Vec<u64> {
        transforms()
            .filter(|x| x.transform_type == Some(t))
            .map(|x| u64::from(x.transform_id))
            .collect()
    };
    let bodies = m.payloads.iter().map(|p| &p.body);
    match field {
        "isakmp.exchangetype" => vec![m.header.exchange_type.into()],
        "isakmp.messageid" => vec![m.header.message_id.into()],
        "isakmp.typepayload" => m.payloads.iter().map(|p| u64::from(p.ptype)).collect(),
        "isakmp.notify.msgtype" => m.notifies().map(|n| u64::from(n.notify_type)).collect(),
        "isakmp.tf.type" => transforms()
            .filter_map(|t| t.transform_type.map(u64::from))
            .collect(),
        "isakmp.tf.id.encr" => of_type(1),
        "isakmp.tf.id.prf" => of_type(2),
        "isakmp.tf.id.integ" => of_type(3),
        "isakmp.tf.id.dh" => of_type(4),
        "isakmp.tf.id.esn" => of_type(5),
        "isakmp.ike2.attr.key_length" => transforms()
            .flat_map(|t| t.attributes.iter())
            .filter(|a| a.attr_type == 14)
            .filter_map(|a| a.value)
            .collect(),
        "isakmp.key_exchange.dh_group" => bodies
            .filter_map(|b| match b {
                Body::Ke(k) => k.group.map(u64::from),
                _ => None,
            })
            .collect(),
        "isakmp.ts.type" => bodies
            .flat_map(|b| match b {
                Body::Ts(t) => t.selectors.iter().map(|s| u64::from(s.ts_type)).collect(),
                _ => Vec::new(),
            })
            .collect(),
        "isakmp.ts.start_port" => bodies
            .flat_map(|b| match b {
                Body::Ts(t) => t
                    .selectors
                    .iter()
                    .filter(|s| s.ts_type == 7 || s.ts_type == 8)
                    .map(|s| u64::from(s.start_port))
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        "isakmp.id.type" => bodies
            .filter_map(|b| match b {
                Body::Id(i) => Some(u64::from(i.id_type)),
                _ => None,
            })
            .collect(),
        "isakmp.auth.method" => bodies
            .filter_map(|b| match b {
                Body::Auth(a) => Some(u64::from(a.method)),
                _ => None,
            })
            .collect(),
        "isakmp.frag.number" => bodies
            .filter_map(|b| match b {
                Body::Encrypted(e) => e.fragment_number.map(u64::from),
                _ => None,
            })
            .collect(),
        "isakmp.frag.total" => bodies
            .filter_map(|b| match b {
                Body::Encrypted(e) => e.total_fragments.map(u64::from),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

const COMPARED: &[&str] = &[
    "isakmp.exchangetype",
    "isakmp.messageid",
    "isakmp.typepayload",
    "isakmp.notify.msgtype",
    "isakmp.tf.type",
    "isakmp.tf.id.encr",
    "isakmp.tf.id.prf",
    "isakmp.tf.id.integ",
    "isakmp.tf.id.dh",
    "isakmp.tf.id.esn",
    "isakmp.ike2.attr.key_length",
    "isakmp.key_exchange.dh_group",
    "isakmp.ts.type",
    "isakmp.ts.start_port",
    "isakmp.id.type",
    "isakmp.auth.method",
    "isakmp.frag.number",
    "isakmp.frag.total",
];

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

#[test]
fn agrees_with_tshark_on_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !root.is_dir() || Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("skipped: no corpus or no tshark");
        return;
    }
    let mut files = Vec::new();
    captures(&root, &mut files);
    let (mut messages, mut compared, mut skipped) = (0usize, 0usize, 0usize);
    let (mut expected, mut both_malformed) = (0usize, 0usize);
    let mut failures = Vec::new();
    for file in &files {
        if !may_hold_ikev2(file) {
            continue;
        }
        let Some(out) = tshark(file) else { continue };
        for line in out.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let get = |name: &str| cols.get(col(name)).copied().unwrap_or("");
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
                .any(|(f, n, _)| file.ends_with(f) && *n == frame);
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
            for f in COMPARED {
                let mut theirs = nums(get(f));
                if *f == "isakmp.typepayload" {
                    // tshark also lists proposal (2) and transform (3) substructures.
                    theirs.retain(|&t| t != 2 && t != 3);
                }
                let mine = ours(&m, f);
                compared += 1;
                if mine != theirs {
                    failures.push(format!("{where_}: {f} ours={mine:?} tshark={theirs:?}"));
                }
            }
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
    assert!(messages > 0, "corpus present but no IKEv2 message found");
    assert!(
        failures.is_empty(),
        "{} disagreements with tshark",
        failures.len()
    );
}

/// Our registry tables name the same assigned values as tshark's IKEv2
/// value strings (`tshark -G values`), where tshark 4.0 is current.
#[test]
fn registry_values_match_tshark() {
    use crate::registry::ikev2::{
        DH_GROUPS, ENCR_IDS, ESN_IDS, EXCHANGE_TYPES, INTEG_IDS, PRF_IDS, SECURITY_PROTOCOLS,
    };
    use crate::registry::Table;
    let Ok(out) = Command::new("tshark").args(["-G", "values"]).output() else {
        eprintln!("skipped: no tshark");
        return;
    };
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
