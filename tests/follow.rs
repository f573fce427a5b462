//! `ikescope --follow`: lines come out while the input is still open, JSON
//! events are one object per line, a growing file is read as it grows and
//! Ctrl-C (SIGINT) prints the summary, and memory stays flat on an endless
//! stream (a generated one, bounded in time).

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
