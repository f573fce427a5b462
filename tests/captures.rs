//! The project's reference captures (`captures/`, made by real IKE daemons
//! with `captures/generate`) against their expectation files: every capture
//! is dissected without a malformed packet, every tunnel is found with its
//! version, mode, initiator, progress, cleartext notifies and ESP counts, and
//! every expected verdict is produced, with no warning or error verdict on
//! the healthy ones.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ikescope::app::{self, FileAnalysis, Options};
use ikescope::diagnose::Severity;
use ikescope::flow::{IkeSa, Tunnel};
use serde_json::Value;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

fn expectations() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(captures_dir()) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.to_string_lossy().ends_with(".expect.json") {
            let v: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            out.push((p, v));
        }
    }
    out
}

/// How far an exchange got, as a rank: later messages rank higher.
fn rank(label: &str) -> Option<u32> {
    let num = |p: &str| label.strip_prefix(p).and_then(|n| n.parse::<u32>().ok());
    if let Some(n) = num("MM").or_else(|| num("AM")) {
        return Some(n);
    }
    if let Some(n) = num("QM") {
        return Some(10 + n);
    }
    Some(match label {
        "IKE_SA_INIT req" => 1,
        "IKE_SA_INIT resp" => 2,
        "IKE_AUTH req" => 3,
        "IKE_AUTH resp" => 4,
        "CREATE_CHILD_SA req" => 5,
        "CREATE_CHILD_SA resp" => 6,
        _ => return None,
    })
}

fn last_message(t: &Tunnel) -> Option<String> {
    let all: Vec<&IkeSa> = t.ike_sas.iter().collect();
    all.iter()
        .flat_map(|sa| sa.messages.iter())
        .map(|m| m.step.to_string())
        .filter_map(|l| rank(&l).map(|r| (r, l)))
        .max_by_key(|(r, _)| *r)
        .map(|(_, l)| l)
}

fn check_file(path: &Path, exp: &Value, a: &FileAnalysis, errors: &mut Vec<String>) {
    let name = path.display();
    let mut err = |s: String| errors.push(format!("{name}: {s}"));
    if a.input_failed() {
        err(format!(
            "input failed: {:?} {:?}",
            a.error,
            a.read.as_ref().and_then(|r| r.stopped.as_ref())
        ));
    }
    for t in &a.tunnels {
        if let Some((f, why)) = t.tunnel.malformed.first() {
            err(format!("malformed frame {f}: {why}"));
        }
    }
    let Some(tunnels) = exp["tunnels"].as_array() else {
        err("no tunnels array".into());
        return;
    };
    for et in tunnels {
        let peers: BTreeSet<String> = et["peers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let Some(tr) = a.tunnels.iter().find(|t| {
            let ours: BTreeSet<String> = t.tunnel.peers.iter().map(|p| p.to_string()).collect();
            ours == peers
        }) else {
            err(format!("tunnel {peers:?} not found"));
            continue;
        };
        let t = &tr.tunnel;
        let sa = t.ike_sas.first();
        if let Some(v) = et["ike_version"].as_u64() {
            if sa.map(|s| s.version as u64) != Some(v) {
                err(format!(
                    "{peers:?}: ike_version {v} expected, got {:?}",
                    sa.map(|s| s.version)
                ));
            }
        }
        if let Some(m) = et["mode"].as_str() {
            if sa.map(|s| s.mode.as_str()) != Some(m) {
                err(format!(
                    "{peers:?}: mode {m} expected, got {:?}",
                    sa.map(|s| s.mode.as_str())
                ));
            }
        }
        if let Some(i) = et["initiator"].as_str() {
            let got = sa.map(|s| s.initiator.addr.to_string());
            if got.as_deref() != Some(i) {
                err(format!("{peers:?}: initiator {i} expected, got {got:?}"));
            }
        }
        if let Some(l) = et["last_message"].as_str() {
            let l = &l.replace(" request", " req").replace(" response", " resp");
            let got = last_message(t);
            if got.as_deref() != Some(l) {
                err(format!("{peers:?}: last message {l} expected, got {got:?}"));
            }
        }
        if let Some(n) = et["notify_types"].as_array() {
            let want: BTreeSet<u64> = n.iter().filter_map(Value::as_u64).collect();
            let got: BTreeSet<u64> = t
                .ike_sas
                .iter()
                .flat_map(|s| s.messages.iter())
                .flat_map(|m| m.notifies.iter().map(|x| x.notify_type as u64))
                .collect();
            if want != got {
                err(format!(
                    "{peers:?}: notify types {want:?} expected, got {got:?}"
                ));
            }
        }
        if let Some(esp) = et["esp"].as_array() {
            for e in esp {
                let spi = e["spi"].as_str().unwrap_or("");
                let found = t.esp.iter().find(|x| {
                    format!("{:08x}", x.spi) == spi.trim_start_matches("0x")
                        && Some(x.src.to_string().as_str()) == e["src"].as_str()
                        && Some(x.dst.to_string().as_str()) == e["dst"].as_str()
                });
                match found {
                    None => err(format!("{peers:?}: ESP SPI {spi} not found")),
                    Some(x) => {
                        if let Some(p) = e["packets"].as_u64() {
                            if x.packets != p {
                                err(format!(
                                    "{peers:?}: ESP SPI {spi}: {p} packets expected, got {}",
                                    x.packets
                                ));
                            }
                        }
                    }
                }
            }
        }
        let codes: BTreeSet<&str> = tr.verdicts.iter().map(|v| v.code.as_str()).collect();
        let want: Vec<&str> = et["verdicts"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for w in &want {
            if !codes.contains(w) {
                err(format!("{peers:?}: verdict {w} expected, got {codes:?}"));
            }
        }
        let healthy = want.iter().all(|w| {
            ikescope::diagnose::Code::from_text(w).is_some_and(|c| c.severity() <= Severity::Info)
        });
        if healthy {
            for v in &tr.verdicts {
                if v.severity >= Severity::Warning {
                    err(format!(
                        "{peers:?}: healthy tunnel got {} ({})",
                        v.code, v.message
                    ));
                }
            }
        }
    }
}

#[test]
fn reference_captures_meet_their_expectations() {
    let exps = expectations();
    assert!(!exps.is_empty(), "no expectation files under captures/");
    let mut errors = Vec::new();
    let mut checked = 0;
    for (path, exp) in &exps {
        let cap = captures_dir().join(exp["capture"].as_str().unwrap_or(""));
        let a = app::analyze(&cap, &Options::default(), None);
        check_file(path, exp, &a, &mut errors);
        checked += 1;
    }
    eprintln!("{checked} captures checked against their expectations");
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

/// With the key tables beside each capture (`NAME.keys/`): the healthy
/// verdicts the expectation file lists (established, nat-detected,
/// rekeyed) are still given, and the failure verdicts are exactly these, with this basis
/// and cause. Keys may turn an inferred verdict into a precise one (the
/// expectation files' `phase2-rejected` becomes the refusal the decrypted
/// notify names).
/// (code, basis, cause) of one verdict.
type Want = (&'static str, &'static str, Option<&'static str>);

const WITH_KEYS: &[(&str, &[Want])] = &[
    (
        "lsw-v1-p2-no-proposal",
        &[("phase2-no-proposal-chosen", "decrypted", None)],
    ),
    // libreswan answers a bad MM5 by repeating MM4: nothing encrypted comes
    // back, so the keys add no evidence.
    (
        "lsw-v1-psk-mismatch",
        &[("phase1-auth-failed", "inferred", None)],
    ),
    ("lsw-v2-auth-failed", &[("auth-failed", "decrypted", None)]),
    ("multi-peer", &[("auth-failed", "decrypted", None)]),
    (
        "v1-aggressive-psk-mismatch",
        &[
            ("phase1-auth-failed", "decrypted", None),
            ("aggressive-mode-psk", "clear", None),
        ],
    ),
    (
        "v1-aggressive-up",
        &[("aggressive-mode-psk", "clear", None)],
    ),
    ("v1-cert-ipfrag", &[]),
    ("v1-dpd-rekey-delete", &[("deleted", "decrypted", None)]),
    (
        "v1-dpd-timeout",
        &[("dpd-timeout", "decrypted", Some("peer-dead"))],
    ),
    ("v1-esp-one-way", &[("esp-one-way", "inferred", None)]),
    ("v1-ipv6", &[]),
    ("v1-main-up", &[]),
    ("v1-nat", &[]),
    (
        "v1-p2-no-proposal",
        &[("phase2-no-proposal-chosen", "decrypted", None)],
    ),
    (
        "v1-pfs-mismatch",
        &[("phase2-no-proposal-chosen", "decrypted", None)],
    ),
    (
        "v1-proxy-id-mismatch",
        &[("phase2-invalid-id", "decrypted", Some("proxy-id-mismatch"))],
    ),
    (
        "v1-psk-mismatch",
        &[("phase1-auth-failed", "decrypted", Some("psk-mismatch"))],
    ),
    (
        "v1-qm-no-response",
        &[("phase2-no-response", "inferred", None)],
    ),
    ("v2-auth-failed", &[("auth-failed", "decrypted", None)]),
    ("v2-cert-ikefrag", &[]),
    (
        "v2-cert-ipfrag-dropped",
        &[
            ("ike-auth-no-response", "inferred", None),
            ("fragmentation-suspected", "inferred", None),
        ],
    ),
    ("v2-dpd-rekey-delete", &[("deleted", "decrypted", None)]),
    (
        "v2-dpd-timeout",
        &[("dpd-timeout", "decrypted", Some("peer-dead"))],
    ),
    ("v2-esp-loss", &[("esp-loss", "inferred", None)]),
    ("v2-esp-replay", &[("esp-replay", "inferred", None)]),
    (
        "v2-invalid-ke",
        &[("phase1-invalid-ke", "clear", Some("dh-group-mismatch"))],
    ),
    ("v2-ipv6", &[]),
    (
        "v2-late-capture",
        &[("incomplete-capture", "inferred", None)],
    ),
    (
        "v2-peer-restart",
        &[
            ("esp-one-way", "inferred", None),
            ("dpd-timeout", "decrypted", Some("peer-dead")),
        ],
    ),
    (
        "v2-ts-unacceptable",
        &[("phase2-invalid-id", "decrypted", Some("proxy-id-mismatch"))],
    ),
    ("v2-up", &[]),
];

#[test]
fn reference_captures_with_their_keys() {
    let healthy = ["established", "nat-detected", "rekeyed"];
    let exps = expectations();
    let mut errors = Vec::new();
    let mut with_keys = 0;
    for (path, exp) in &exps {
        let name = exp["capture"].as_str().unwrap_or("");
        let cap = captures_dir().join(name);
        let stem = name.trim_end_matches(".pcap");
        let keyed = cap.with_extension("keys").is_dir();
        let want = WITH_KEYS.iter().find(|(n, _)| *n == stem);
        match (keyed, want) {
            (false, None) => continue,
            (true, None) => {
                errors.push(format!("{stem}: has keys but no WITH_KEYS row"));
                continue;
            }
            (false, Some(_)) => {
                errors.push(format!("{stem}: WITH_KEYS row but no {stem}.keys"));
                continue;
            }
            (true, Some(_)) => {}
        }
        let opts = Options {
            auto_keys: true,
            ..Options::default()
        };
        let a = app::analyze(&cap, &opts, None);
        with_keys += 1;
        if a.input_failed() {
            errors.push(format!("{}: input failed", path.display()));
        }
        // The same healthy verdicts as without keys...
        let mut want_healthy: Vec<String> = exp["tunnels"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["verdicts"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(String::from))
            .filter(|v| healthy.contains(&v.as_str()))
            .collect();
        let mut got_healthy: Vec<String> = a
            .tunnels
            .iter()
            .flat_map(|t| t.verdicts.iter())
            .map(|v| v.code.to_string())
            .filter(|c| healthy.contains(&c.as_str()))
            .collect();
        want_healthy.sort();
        got_healthy.sort();
        if want_healthy.iter().any(|w| !got_healthy.contains(w)) {
            errors.push(format!(
                "{stem}: healthy verdicts {got_healthy:?}, want {want_healthy:?}"
            ));
        }
        // ...every key file used, every packet a key applies to read,
        // except where the scenario itself makes that impossible.
        let d = a
            .decryption
            .as_ref()
            .expect("keys beside the capture are used");
        if d.keys.is_empty() || !d.keys.iter().all(|k| k.automatic) {
            errors.push(format!(
                "{stem}: keys not reported as found beside the capture"
            ));
        }
        let one_sided = ["v1-psk-mismatch", "multi-peer"].contains(&stem);
        if (d.ike_failed > 0 || d.esp_failed > 0) && !one_sided {
            errors.push(format!("{stem}: decryption failures {:?}", d.failures));
        }
        // ...and each failure verdict with this basis and cause.
        let got: Vec<(String, String, Option<String>)> = a
            .tunnels
            .iter()
            .flat_map(|t| t.verdicts.iter())
            .filter(|v| !healthy.contains(&v.code.to_string().as_str()))
            .map(|v| {
                (
                    v.code.to_string(),
                    v.basis.as_str().to_string(),
                    v.cause.map(|c| c.code().to_string()),
                )
            })
            .collect();
        let expected: Vec<(String, String, Option<String>)> = want
            .unwrap()
            .1
            .iter()
            .map(|(c, b, k)| (c.to_string(), b.to_string(), k.map(str::to_string)))
            .collect();
        if got != expected {
            errors.push(format!("{stem}: with keys got {got:?}, want {expected:?}"));
        }
    }
    eprintln!("{with_keys} captures checked with their keys");
    assert!(with_keys >= 30, "too few captures with keys: {with_keys}");
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
