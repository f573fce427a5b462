//! `ikescope --follow`: lines come out while the input is still open, JSON
//! events are one object per line, a growing file is read as it grows and
//! Ctrl-C (SIGINT) prints the summary; keys and logs give the batch run's
//! verdicts; and memory stays flat on an endless stream (a generated one,
//! bounded in time): tunnels expire, the live tunnel cap holds.

#[path = "common/stream.rs"]
mod stream;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A little-endian microsecond pcap split into its file header and records
/// (header and data each).
fn records(name: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
    let data = std::fs::read(root().join("captures").join(name)).expect("capture");
    assert_eq!(data[..4], [0xd4, 0xc3, 0xb2, 0xa1], "{name}: LE µs pcap");
    let mut out = Vec::new();
    let mut off = 24;
    while off + 16 <= data.len() {
        let incl = u32::from_le_bytes(data[off + 8..off + 12].try_into().unwrap()) as usize;
        out.push(data[off..off + 16 + incl].to_vec());
        off += 16 + incl;
    }
    (data[..24].to_vec(), out)
}

/// Lines of the child's stdout, as they come.
fn lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait for a line containing `what`; all lines read so far.
fn wait_for(rx: &mpsc::Receiver<String>, what: &str, seen: &mut Vec<String>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(100)) {
            let hit = l.contains(what);
            seen.push(l);
            if hit {
                return true;
            }
        }
    }
    false
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ikescope")
}

fn wait_exit(child: &mut Child, secs: u64) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(s) = child.try_wait().expect("wait") {
            return s.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ikescope --follow did not end within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn messages_are_printed_while_the_pipe_is_open() {
    let (head, recs) = records("v1-psk-mismatch.pcap");
    let mut child = spawn(&["--follow", "-"]);
    let mut stdin = child.stdin.take().unwrap();
    let rx = lines(child.stdout.take().unwrap());
    // Only the file header and MM1: far less than any read-ahead buffer.
    stdin.write_all(&head).unwrap();
    stdin.write_all(&recs[0]).unwrap();
    stdin.flush().unwrap();
    let mut seen = Vec::new();
    assert!(
        wait_for(&rx, "MM1", &mut seen),
        "no MM1 line while the pipe is open: {seen:?}"
    );
    for r in &recs[1..] {
        stdin.write_all(r).unwrap();
    }
    drop(stdin);
    assert_eq!(wait_exit(&mut child, 20), Some(1), "error verdict: exit 1");
    seen.extend(rx.iter());
    let all = seen.join("\n");
    assert!(all.contains("MM5 (retx of 5) [enc]"), "{all}");
    // The summary at the end names the verdict.
    assert!(all.contains("✗ phase1-auth-failed"), "{all}");
    // No verdict is printed before it had time to hold: MM2 just arrived
    // cannot mean "the initiator never sent MM3".
    assert!(!all.contains("phase1-key-exchange-stalled"), "{all}");
}

#[test]
fn json_follow_writes_one_event_per_line() {
    let data = std::fs::read(root().join("captures/v1-esp-one-way.pcap")).unwrap();
    let mut child = spawn(&["--json", "--follow", "-"]);
    let mut stdin = child.stdin.take().unwrap();
    let rx = lines(child.stdout.take().unwrap());
    stdin.write_all(&data).unwrap();
    drop(stdin);
    assert_eq!(wait_exit(&mut child, 20), Some(1));
    let events: Vec<serde_json::Value> = rx
        .iter()
        .map(|l| serde_json::from_str(&l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "message").count(), 9);
    assert_eq!(kinds.last(), Some(&"summary"));
    let summary = &events.last().unwrap()["file"];
    assert_eq!(summary["tunnels"][0]["verdicts"][0]["code"], "esp-one-way");
    for e in &events {
        assert_eq!(e["schema"], summary["schema"]);
    }
}

#[test]
fn growing_file_is_followed_until_ctrl_c() {
    let (head, recs) = records("v1-psk-mismatch.pcap");
    let dir = std::env::temp_dir().join(format!("ikescope-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("growing.pcap");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&head).unwrap();
    for r in &recs[..4] {
        f.write_all(r).unwrap();
    }
    f.flush().unwrap();
    let mut child = spawn(&["--follow", path.to_str().unwrap()]);
    let rx = lines(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    assert!(wait_for(&rx, "MM4", &mut seen), "{seen:?}");
    // The capture grows: the new messages show up.
    for r in &recs[4..] {
        f.write_all(r).unwrap();
    }
    f.flush().unwrap();
    assert!(wait_for(&rx, "(frame 12)", &mut seen), "{seen:?}");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    assert_eq!(wait_exit(&mut child, 10), Some(1));
    seen.extend(rx.iter());
    let all = seen.join("\n");
    assert!(all.contains("12 frames"), "summary after Ctrl-C: {all}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn rss_kib(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// An endless stream: a tunnel that comes up, rekeys, deletes and carries
/// ESP, replayed over and over with time moving on, at a few thousand
/// packets a second. Resident memory after a third of the run and at its
/// end must be about the same.
#[test]
fn memory_stays_flat_on_an_endless_stream() {
    if !Path::new("/proc/self/status").exists() {
        eprintln!("SKIPPED: no /proc to read resident memory from");
        return;
    }
    let (head, recs) = records("v1-dpd-rekey-delete.pcap");
    let mut child = spawn(&["--json", "--follow", "-"]);
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let rx = lines(child.stdout.take().unwrap());
    let drain = std::thread::spawn(move || rx.iter().count());
    let run = Duration::from_secs(9);
    let start = Instant::now();
    stdin.write_all(&head).unwrap();
    let (mut sent, mut t) = (0u64, 1_700_000_000u64 * 1_000_000);
    let mut samples = Vec::new();
    'outer: loop {
        for r in &recs {
            let mut r = r.clone();
            t += 400; // 0.4 ms of capture time per packet
            r[..4].copy_from_slice(&((t / 1_000_000) as u32).to_le_bytes());
            r[4..8].copy_from_slice(&((t % 1_000_000) as u32).to_le_bytes());
            if stdin.write_all(&r).is_err() {
                break 'outer;
            }
            sent += 1;
            if sent % 500 == 0 {
                // About 5,000 packets a second.
                std::thread::sleep(Duration::from_millis(100));
                let el = start.elapsed();
                if samples.is_empty() && el >= run / 3 {
                    samples.push(rss_kib(pid));
                }
                if el >= run {
                    samples.push(rss_kib(pid));
                    break 'outer;
                }
            }
        }
    }
    drop(stdin);
    wait_exit(&mut child, 30);
    let events = drain.join().unwrap();
    let (mid, end) = (samples[0], samples[1]);
    eprintln!(
        "follow: {sent} packets, {events} events; RSS {mid} KiB at a third, {end} KiB at the end"
    );
    assert!(sent > 20_000, "too few packets sent: {sent}");
    assert!(mid > 0 && end > 0, "no RSS read");
    assert!(
        end <= mid + 2048,
        "memory grew from {mid} KiB to {end} KiB over {sent} packets"
    );
}

/// Run ikescope with `stdin` piped in; (exit code, stdout, stderr).
fn run_with(args: &[std::ffi::OsString], stdin: &[u8]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ikescope");
    let mut w = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = w.write_all(&data);
    });
    let out = child.wait_with_output().expect("ikescope output");
    feeder.join().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Per tunnel (by peers): the verdicts as (code, severity, basis, cause).
fn verdicts(doc: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = doc["tunnels"]
        .as_array()
        .unwrap_or_else(|| panic!("no tunnels in {doc}"))
        .iter()
        .map(|t| {
            let mut v: Vec<String> = t["verdicts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    format!(
                        "{} {} {} {}",
                        v["code"], v["severity"], v["basis"], v["cause"]["code"]
                    )
                })
                .collect();
            v.sort();
            (t["peers"].to_string(), v)
        })
        .collect();
    out.sort();
    out
}

/// The summary event's file document of a `--json --follow` run.
fn summary(stdout: &str) -> serde_json::Value {
    let last = stdout.lines().last().unwrap_or_default();
    let e: serde_json::Value = serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(e["event"], "summary", "{last}");
    e
}

/// Captures with keys beside them, and the logs of each capture.
fn keyed_captures() -> Vec<(PathBuf, Option<PathBuf>, Vec<PathBuf>)> {
    let dir = root().join("captures");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "pcap") {
            continue;
        }
        let keys = Some(p.with_extension("keys")).filter(|k| k.exists());
        let stem = p.file_stem().unwrap().to_owned();
        let mut logs: Vec<PathBuf> = std::fs::read_dir(dir.join("logs").join(&stem))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        logs.sort();
        out.push((p, keys, logs));
    }
    out.sort();
    out
}

/// With the capture's keys (and again with its device logs), following
/// the capture through a pipe ends with the verdicts of the batch run on
/// the file (code, severity, basis, cause), and the live lines show the
/// decrypted messages.
#[test]
fn follow_with_keys_and_logs_gives_the_batch_verdicts() {
    let all = keyed_captures();
    assert!(
        all.iter().filter(|c| c.1.is_some()).count() >= 20,
        "{all:?}"
    );
    let mut compared = (0, 0);
    for (pcap, keys, logs) in &all {
        let Some(keys) = keys else { continue };
        let data = std::fs::read(pcap).unwrap();
        let name = pcap.file_name().unwrap().to_string_lossy().into_owned();
        for with_logs in [false, true] {
            if with_logs && logs.is_empty() {
                continue;
            }
            let mut extra: Vec<std::ffi::OsString> = Vec::new();
            if with_logs {
                for l in logs {
                    extra.push("--log".into());
                    extra.push(l.into());
                }
            }
            let mut batch: Vec<std::ffi::OsString> = vec!["--json".into(), pcap.into()];
            batch.extend(extra.iter().cloned());
            let (_, b, err) = run_with(&batch, &[]);
            let b: serde_json::Value =
                serde_json::from_str(&b).unwrap_or_else(|e| panic!("{name}: {e}: {err}"));
            let mut live: Vec<std::ffi::OsString> = vec![
                "--json".into(),
                "--follow".into(),
                "-".into(),
                "--keys".into(),
                keys.into(),
            ];
            live.extend(extra.iter().cloned());
            let (_, f, err) = run_with(&live, &data);
            let s = summary(&f);
            assert_eq!(
                verdicts(&s["file"]),
                verdicts(&b),
                "{name} (logs: {with_logs}): follow and batch differ: {err}"
            );
            assert_eq!(
                s["file"]["decryption"]["ike_decrypted"], b["decryption"]["ike_decrypted"],
                "{name}"
            );
            if with_logs {
                assert_eq!(s["file"]["logs"], b["logs"], "{name}");
                compared.1 += 1;
            } else {
                compared.0 += 1;
            }
            // Decrypted messages are shown as such while they come.
            if b["decryption"]["ike_decrypted"].as_u64().unwrap_or(0) > 0 {
                assert!(
                    f.lines().any(|l| l.contains(r#""event":"message""#)
                        && l.contains(r#""body":"decrypted""#)),
                    "{name}: no decrypted message event"
                );
            }
        }
    }
    eprintln!(
        "compared {} captures with keys, {} with keys and logs",
        compared.0, compared.1
    );
    assert!(compared.1 >= 10, "{compared:?}");
}

/// `--follow FILE` uses `FILE.keys` beside it, as the batch run does: the
/// verdict line printed live already rests on the decrypted messages.
#[test]
fn followed_file_uses_the_keys_beside_it() {
    let pcap = root().join("captures/v2-auth-failed.pcap");
    assert!(pcap.with_extension("keys").exists());
    let mut child = spawn(&["--follow", pcap.to_str().unwrap()]);
    let rx = lines(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    assert!(
        wait_for(&rx, "auth-failed (error, new)", &mut seen),
        "{seen:?}"
    );
    let all = seen.join("\n");
    assert!(
        all.contains("N(AUTHENTICATION_FAILED) [decrypted]"),
        "{all}"
    );
    assert!(all.contains("decrypted: initiator's IDi"), "{all}");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    assert_eq!(wait_exit(&mut child, 10), Some(1));
    let rest: Vec<String> = rx.iter().collect();
    // The summary wraps to the width, at a place that depends on the path.
    let rest = rest
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(rest.contains("found beside the capture"), "{rest}");
}

/// The generated stream, `packets` long, through `--json --follow -`:
/// the event kinds counted, and the summary's live counts.
fn follow_stream(
    shape: &stream::Shape,
    packets: u64,
    args: &[&str],
) -> (BTreeMap, serde_json::Value) {
    let mut data = stream::header();
    for i in 0..packets {
        data.extend_from_slice(&stream::record(shape, i));
    }
    let mut a: Vec<std::ffi::OsString> = vec!["--json".into(), "--follow".into(), "-".into()];
    a.extend(args.iter().map(Into::into));
    let (_, out, err) = run_with(&a, &data);
    let mut kinds = BTreeMap::new();
    for l in out.lines() {
        let e: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        *kinds
            .entry(e["event"].as_str().unwrap().to_string())
            .or_insert(0u64) += 1;
    }
    let s = summary(&out);
    assert!(s["live"].is_object(), "{err}");
    (kinds, s)
}

type BTreeMap = std::collections::BTreeMap<String, u64>;

/// Ever-new peer pairs and SPIs, 25 new tunnels a second of capture time
/// for 400 s, with `--expire 20`: no more than about 20 s worth of tunnels
/// is ever tracked, every other tunnel left with its final verdicts, and
/// the summary covers only those still tracked. Without expiry all 10,000
/// would be tracked at the end.
#[test]
fn quiet_tunnels_expire_on_an_endless_stream() {
    let shape = stream::Shape::default(); // 4 packets per tunnel, 10 ms apart
    let (kinds, s) = follow_stream(&shape, 40_000, &["--expire", "20"]);
    let live = &s["live"];
    let n = |k: &str| live[k].as_u64().unwrap_or_else(|| panic!("{k}: {live}"));
    eprintln!("expiry: {live}; events {kinds:?}");
    // 20 s of quiet, swept once a second: at most 22 s of new tunnels.
    assert!(n("peak_tunnels") <= 22 * 25, "{live}");
    assert!(n("tunnels") <= 22 * 25, "{live}");
    assert_eq!(n("expired") + n("tunnels"), 10_000, "{live}");
    assert_eq!(n("capped"), 0, "{live}");
    assert_eq!(kinds.get("left").copied(), Some(n("expired")), "{kinds:?}");
    assert_eq!(
        s["file"]["tunnels"].as_array().unwrap().len() as u64,
        n("tunnels")
    );
    assert!(
        s["file"]["notices"]
            .to_string()
            .contains("tunnel(s) left after 20 s quiet"),
        "{}",
        s["file"]["notices"]
    );
}

/// More peers at once than the live tunnel cap (10,000) and no expiry: the
/// longest quiet tunnels leave with a notice, and no more than the cap is
/// tracked.
#[test]
fn live_tunnel_cap_holds_with_a_notice() {
    let shape = stream::Shape {
        per_tunnel: 1,
        ..stream::Shape::default()
    };
    let (kinds, s) = follow_stream(&shape, 10_500, &[]);
    let live = &s["live"];
    let n = |k: &str| live[k].as_u64().unwrap_or_else(|| panic!("{k}: {live}"));
    eprintln!("cap: {live}; events {kinds:?}");
    // The tunnel that goes over the cap is counted before the sweep.
    assert!(n("peak_tunnels") <= n("max_tunnels") + 1, "{live}");
    assert!(n("capped") > 0, "{live}");
    assert_eq!(n("capped") + n("tunnels"), 10_500, "{live}");
    assert_eq!(kinds.get("notice").copied(), Some(1), "{kinds:?}");
    assert_eq!(kinds.get("left").copied(), Some(n("capped")), "{kinds:?}");
}

/// ESP on ever-new SPIs between one pair of peers, more SAs than the live
/// SA cap (80,000): the longest quiet SAs are forgotten, with a notice.
#[test]
fn live_sa_cap_holds_with_a_notice() {
    let shape = stream::Shape {
        per_tunnel: 1_000_000,
        step_us: 10,
        spi_per_packet: true,
        ..stream::Shape::default()
    };
    let (kinds, s) = follow_stream(&shape, 110_001, &[]);
    let live = &s["live"];
    let n = |k: &str| live[k].as_u64().unwrap_or_else(|| panic!("{k}: {live}"));
    eprintln!("SA cap: {live}; events {kinds:?}");
    assert!(n("sas_forgotten") >= 10_000, "{live}");
    assert_eq!(kinds.get("notice").copied(), Some(1), "{kinds:?}");
    let kept: usize = s["file"]["tunnels"][0]["esp"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(kept as u64 <= n("max_sas"), "{kept} SAs kept");
    assert_eq!(kept as u64 + n("sas_forgotten"), 110_000, "{live}");
}
