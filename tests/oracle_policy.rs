//! The skip policy of tests that need an outside oracle (tests/oracle):
//! under `CI=true` a missing oracle fails the test; elsewhere the skip is
//! printed where `cargo test` shows it even for a passing test.

mod oracle;

use std::process::Command;

/// Runs only as a child of the test below: a test whose oracle is missing.
#[test]
fn child_with_a_missing_oracle() {
    if std::env::var_os("IKESCOPE_ORACLE_CHILD").is_some() {
        oracle::skip("child_with_a_missing_oracle", "the oracle is absent");
    }
}

fn run_child(ci: Option<&str>) -> std::process::Output {
    let exe = std::env::current_exe().expect("test binary path");
    let mut c = Command::new(exe);
    c.args(["--exact", "child_with_a_missing_oracle", "--test-threads=1"])
        .env("IKESCOPE_ORACLE_CHILD", "1")
        .env_remove("CI");
    if let Some(v) = ci {
        c.env("CI", v);
    }
    c.output().expect("run the test binary")
}

#[test]
fn ci_true_turns_a_skip_into_a_failure() {
    let o = run_child(Some("true"));
    assert!(
        !o.status.success(),
        "a missing oracle under CI=true must fail"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("CI=true"), "{out}");
}

#[test]
fn outside_ci_the_skip_is_printed_although_output_is_captured() {
    for ci in [None, Some("false")] {
        let o = run_child(ci);
        assert!(o.status.success(), "{ci:?}");
        // Without --nocapture: the message must get past the capture.
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("SKIPPED child_with_a_missing_oracle: the oracle is absent"),
            "{ci:?}: {err}"
        );
    }
}
