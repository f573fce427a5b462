//! Key tables for a capture: the `--keys` paths, plus `CAPTURE.keys` (a file
//! or a folder) found beside the capture unless `--no-keys`, which is said
//! in the output.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::decryption::KeySource;
use crate::analysis::FileNotice;
use crate::keys::KeyTables;

/// `NAME.keys` beside `NAME.pcap`, or `NAME.pcap.keys`.
pub fn beside(capture: &Path) -> Option<PathBuf> {
    let mut candidates = vec![capture.with_extension("keys")];
    let mut appended = capture.as_os_str().to_owned();
    appended.push(".keys");
    candidates.push(PathBuf::from(appended));
    candidates.into_iter().find(|p| p != capture && p.exists())
}

/// Load the explicit key paths and the one beside `capture`. `None` when no
/// path was given or found (then nothing is decrypted, at no cost).
pub fn load(
    capture: &Path,
    explicit: &[PathBuf],
    auto: bool,
) -> Option<(Arc<KeyTables>, Vec<KeySource>, Vec<FileNotice>)> {
    let auto = if !auto || capture.as_os_str() == "-" {
        None
    } else {
        beside(capture)
    };
    if explicit.is_empty() && auto.is_none() {
        return None;
    }
    let mut t = KeyTables::default();
    let mut sources = Vec::new();
    for (p, automatic) in explicit
        .iter()
        .map(|p| (p, false))
        .chain(auto.iter().map(|p| (p, true)))
    {
        let before = t.sources.len();
        t.add_path(p);
        for s in &t.sources[before..] {
            sources.push(KeySource {
                path: s.display().to_string(),
                automatic,
            });
        }
    }
    let notices = t
        .errors
        .iter()
        .map(|e| FileNotice::warning(format!("key table {e}")))
        .collect();
    Some((Arc::new(t), sources, notices))
}
