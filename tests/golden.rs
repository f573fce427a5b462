//! Golden files: the summary table, the ladder and the JSON document of every
//! reference capture are fixed in `tests/golden/`. After a deliberate change,
//! regenerate with `UPDATE_GOLDEN=1 cargo test --test golden` and review the
//! diff.

use std::fs;
use std::path::{Path, PathBuf};

use ikescope::app::{self, Options};
use ikescope::report;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn captures() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(root().join("captures"))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.ends_with(".pcap").then_some(n)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The text layouts are fixed at 80 columns, the narrowest common terminal.
const WIDTH: usize = 80;

fn render(name: &str) -> [(String, Vec<u8>); 3] {
    // Relative path, so the goldens do not depend on where the repo lives.
    std::env::set_current_dir(root()).unwrap();
    let rel = Path::new("captures").join(name);
    let a = app::analyze(&rel, &Options::default(), None);
    let mut summary = Vec::new();
    report::table::write_file(&mut summary, &a, WIDTH).unwrap();
    let mut ladder = Vec::new();
    report::ladder::write_file(&mut ladder, &a, None, WIDTH).unwrap();
    let mut json = Vec::new();
    report::json::write_file(&mut json, &a, true).unwrap();
    let stem = name.trim_end_matches(".pcap");
    [
        (format!("{stem}.summary.txt"), summary),
        (format!("{stem}.ladder.txt"), ladder),
        (format!("{stem}.json"), json),
    ]
}

#[test]
fn outputs_match_golden_files() {
    let caps = captures();
    assert!(!caps.is_empty(), "no captures under captures/");
    let dir = root().join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    if update {
        fs::create_dir_all(&dir).unwrap();
    }
    let mut diffs = Vec::new();
    let mut compared = 0;
    for c in &caps {
        for (file, got) in render(c) {
            let path = dir.join(&file);
            if update {
                fs::write(&path, &got).unwrap();
                continue;
            }
            let want = fs::read(&path).unwrap_or_default();
            compared += 1;
            if want != got {
                let w = String::from_utf8_lossy(&want);
                let g = String::from_utf8_lossy(&got);
                let first = w
                    .lines()
                    .zip(g.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(w.lines().count().min(g.lines().count()));
                diffs.push(format!(
                    "{file}: first difference at line {}:\n  golden: {}\n  now:    {}",
                    first + 1,
                    w.lines().nth(first).unwrap_or("<end>"),
                    g.lines().nth(first).unwrap_or("<end>")
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "{} of {compared} outputs differ from tests/golden (UPDATE_GOLDEN=1 to accept):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
