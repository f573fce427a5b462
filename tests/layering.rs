//! The data flows one way: capture → net → {ike, esp} → flow → diagnose →
//! analysis → report, with `registry` and `bytes` as leaves and `app` on top. This test
//! reads every source file and fails when a module reaches for a layer that
//! comes after it.

use std::fs;
use std::path::Path;

/// Module → the crate modules it may use.
const ALLOWED: &[(&str, &[&str])] = &[
    ("bytes", &[]),
    ("registry", &[]),
    // Dates and times of day as devices write them: a leaf.
    ("civil", &[]),
    // Key tables and the crypto primitives over RustCrypto: a leaf.
    ("keys", &["registry", "bytes", "civil"]),
    ("capture", &["bytes", "civil", "registry"]),
    // Device and daemon logs: read beside captures, only leaves below.
    ("logs", &["bytes", "civil", "registry"]),
    ("net", &["capture", "bytes", "civil", "registry"]),
    ("ike", &["registry", "bytes", "civil", "keys"]),
    ("esp", &["registry", "bytes", "civil", "keys"]),
    (
        "flow",
        &[
            "capture", "logs", "net", "ike", "esp", "registry", "bytes", "civil", "keys",
        ],
    ),
    (
        "diagnose",
        &[
            "flow", "capture", "logs", "ike", "esp", "registry", "bytes", "civil",
        ],
    ),
    // The analysis result: verdicts plus the states derived from the same
    // outcomes; computed once, printed by every view.
    (
        "analysis",
        &[
            "diagnose", "flow", "capture", "logs", "net", "ike", "esp", "registry", "bytes",
            "civil",
        ],
    ),
    // Reports print decoded values; they never parse bytes themselves.
    (
        "report",
        &[
            "analysis", "diagnose", "flow", "capture", "logs", "net", "ike", "esp", "registry",
            "bytes", "civil",
        ],
    ),
];

const MODULES: &[&str] = &[
    "analysis", "app", "bytes", "civil", "capture", "civil", "diagnose", "esp", "flow", "ike",
    "keys", "logs", "net", "registry", "report",
];

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
}

#[test]
fn layers_only_import_earlier_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bad = Vec::new();
    let mut checked = 0;
    for (module, allowed) in ALLOWED {
        let mut list = Vec::new();
        let base = src.join(module);
        if base.is_dir() {
            files(&base, &mut list);
        } else {
            list.push(src.join(format!("{module}.rs")));
        }
        for f in list {
            let text = fs::read_to_string(&f).unwrap_or_default();
            checked += 1;
            for (n, line) in text.lines().enumerate() {
                for m in MODULES {
                    if m == module || allowed.contains(m) {
                        continue;
                    }
                    if line.contains(&format!("crate::{m}::"))
                        || line.contains(&format!("crate::{m};"))
                        || line.contains(&format!("crate::{m}::{{"))
                        || line.contains(&format!("crate::{{{m}"))
                    {
                        bad.push(format!(
                            "{}:{}: {module} uses {m}: {}",
                            f.display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 10, "too few source files read: {checked}");
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}
