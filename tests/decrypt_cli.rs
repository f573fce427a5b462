//! `--keys`, `CAPTURE.keys`, `--no-keys` and `--psk-file` through the
//! binary: what is said, and that no key ever appears in any output.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every key in a table file (hex, without 0x), at least 16 hex digits.
fn secrets(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            for (i, f) in line.split(',').enumerate() {
                let f = f.trim_matches('"').trim_start_matches("0x");
                // Cookies and SPIs (IKE: first two fields; ESP: the 4th)
                // are not secret.
                let id_field = i < 2 || (line.starts_with('"') && i < 4);
                if !id_field && f.len() >= 16 && f.chars().all(|c| c.is_ascii_hexdigit()) {
                    v.push(f.to_ascii_lowercase());
                }
            }
        }
    }
    v
}

#[test]
fn keys_beside_the_capture_are_used_and_said() {
    let (out, _) = run(&["captures/v1-psk-mismatch.pcap"]);
    assert!(
        out.contains(
            "Keys: captures/v1-psk-mismatch.keys/ikev1_decryption_table (found beside the capture)"
        ),
        "{out}"
    );
    // Prose is wrapped to the terminal's width: compare it unwrapped.
    let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("so their pre-shared keys differ"), "{out}");
    let (out, _) = run(&["--no-keys", "captures/v1-psk-mismatch.pcap"]);
    assert!(
        !out.contains("Keys:") && !out.contains("Decrypted:"),
        "{out}"
    );
    let (out, _) = run(&[
        "--no-keys",
        "--keys",
        "captures/v1-psk-mismatch.keys/ikev1_decryption_table",
        "captures/v1-psk-mismatch.pcap",
    ]);
    assert!(
        out.contains("Keys: captures/v1-psk-mismatch.keys/ikev1_decryption_table\n"),
        "{out}"
    );
}

#[test]
fn no_output_shows_a_key() {
    for name in ["v2-up", "v1-main-up", "v1-dpd-rekey-delete", "multi-peer"] {
        let keys = root().join(format!("captures/{name}.keys"));
        let secrets = secrets(&keys);
        assert!(!secrets.is_empty(), "{name}: no keys found in the tables");
        let cap = format!("captures/{name}.pcap");
        for args in [
            vec![cap.as_str()],
            vec!["--json", cap.as_str()],
            vec!["packets", "-v", "-x", cap.as_str()],
            vec!["packets", "--json", cap.as_str()],
            vec!["ladder", cap.as_str()],
        ] {
            let (out, err) = run(&args);
            let all = format!("{out}{err}").to_ascii_lowercase();
            assert!(
                all.contains("decrypted"),
                "{name} {args:?}: nothing decrypted"
            );
            for s in &secrets {
                assert!(!all.contains(s.as_str()), "{name} {args:?} prints a key");
            }
        }
    }
}

#[test]
fn packets_json_marks_decrypted_contents() {
    let (out, _) = run(&["packets", "--json", "captures/v2-auth-failed.pcap"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let dec: Vec<&serde_json::Value> = lines.iter().filter_map(|l| l.get("decrypted")).collect();
    assert!(!dec.is_empty());
    assert!(dec.iter().all(|d| d["status"] == "decrypted"));
    assert!(dec[0]["key"]
        .as_str()
        .unwrap()
        .contains("ikev2_decryption_table:"));
    // AUTHENTICATION_FAILED (24) read from the responder's IKE_AUTH answer.
    let notifies: Vec<u64> = dec
        .iter()
        .flat_map(|d| {
            d["isakmp"]["payloads"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|p| p.get("notify_type").and_then(|n| n.as_u64()))
        .collect();
    assert!(notifies.contains(&24), "{notifies:?}");
}

#[test]
fn psk_file_names_the_responders_key() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let f = dir.join("psk-candidates.txt");
    std::fs::write(&f, "# guesses\nwrong\ncisco123-shared-secret\n").unwrap();
    let (out, _) = run(&[
        "--no-keys",
        "--psk-file",
        f.to_str().unwrap(),
        "captures/v1-aggressive-up.pcap",
    ]);
    assert!(
        out.contains("the responder's key is line 3 of the --psk-file"),
        "{out}"
    );
    assert!(out.contains("offline"), "{out}");
    assert!(!out.contains("cisco123-shared-secret"));
    let (out, _) = run(&[
        "--no-keys",
        "--psk-file",
        f.to_str().unwrap(),
        "captures/v1-aggressive-psk-mismatch.pcap",
    ]);
    assert!(
        out.contains("none of the 2 candidate key(s) matched"),
        "{out}"
    );
}

#[test]
fn bad_key_lines_are_warnings_naming_file_and_line() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("badkeys");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("esp_sa");
    std::fs::write(
        &f,
        "# x\n\"IPv4\",\"*\",\"*\",\"0x1\",\"AES-CBC [RFC3602]\",\"0x00\",\"NULL\",\"\"\n",
    )
    .unwrap();
    let (out, _) = run(&[
        "--no-keys",
        "--keys",
        f.to_str().unwrap(),
        "captures/v2-up.pcap",
    ]);
    assert!(out.contains("esp_sa:2: encryption key"), "{out}");
}
