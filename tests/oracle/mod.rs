//! The outside oracles some tests compare against: tshark, the public
//! captures in `../shared/corpus/` and the console samples in
//! `../shared/device-text/`. When one is missing the test cannot check
//! anything, so it must not pass quietly:
//!
//! - under `CI=true` a missing oracle is a failure (CI installs tshark and
//!   has the shared directory);
//! - elsewhere the test returns early and says so on standard error,
//!   written past the test harness's output capture so that the skip shows
//!   in `cargo test`'s output even though the test passed.
//!
//! Included with `mod oracle;` by integration tests and with
//! `#[path = "../../tests/oracle/mod.rs"]` by unit tests in `src/`.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// `CI` is set to `true` (GitHub Actions, GitLab, `.ci/run`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Give up on a test because `what` is missing: fail under CI, else say
/// it where the harness does not swallow it.
#[track_caller]
pub fn skip(test: &str, what: &str) {
    if in_ci() {
        panic!("{test}: {what}, and CI=true: the test cannot check anything without it");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what}");
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tshark is installed and runs; otherwise [`skip`]s `test`.
#[track_caller]
pub fn tshark(test: &str) -> bool {
    let ok = Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip(test, "tshark is not installed");
    }
    ok
}

fn shared(test: &str, dir: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(dir);
    if p.is_dir() {
        Some(p)
    } else {
        skip(test, &format!("{} is absent", p.display()));
        None
    }
}

/// `../shared/corpus`, or [`skip`]s `test`.
#[track_caller]
pub fn corpus(test: &str) -> Option<PathBuf> {
    shared(test, "corpus")
}

/// `../shared/device-text`, or [`skip`]s `test`.
#[track_caller]
pub fn device_text(test: &str) -> Option<PathBuf> {
    shared(test, "device-text")
}

/// A file of the shared corpus, or [`skip`]s `test`.
#[track_caller]
pub fn corpus_file(test: &str, rel: &str) -> Option<PathBuf> {
    let p = corpus(test)?.join(rel);
    if p.is_file() {
        Some(p)
    } else {
        skip(test, &format!("{} is absent", p.display()));
        None
    }
}
