//! The HTML report (`ikescope report`): structure checked for every
//! reference capture in Rust, then the real page loaded in headless Chromium
//! (Debian's `chromium`, installed by `.ci/run`): it must render without a
//! single console message (script errors and Content-Security-Policy
//! violations land there), hold a section for every tunnel, and draw one
//! arrow per IKE message. Input text (here a hostile file name) must come
//! out as text, never as markup.
//!
//! Without Chromium the browser tests print that they skipped; under
//! `CI=true` they fail instead.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ikescope::app::{self, FileAnalysis, Options, PacketHook};
use ikescope::report::html::{self, Activity};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn captures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("captures"))
        .expect("captures/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    assert!(v.len() >= 30, "too few reference captures: {}", v.len());
    v
}

struct Hook<'a>(&'a mut Activity);

impl PacketHook for Hook<'_> {
    fn packet(
        &mut self,
        d: &ikescope::net::Datagram<'_>,
        c: &ikescope::flow::Content<'_>,
        _t: &ikescope::flow::Touched,
        first: ikescope::capture::Timestamp,
    ) {
        self.0.observe(d, c, first);
    }
    fn malformed(&mut self, _m: &ikescope::net::Malformed, _f: ikescope::capture::Timestamp) {}
}

fn analyse(p: &Path) -> (FileAnalysis, Activity) {
    let mut act = Activity::new();
    let r = app::analyze(p, &Options::default(), Some(&mut Hook(&mut act)));
    (r, act)
}

fn render(files: &[(FileAnalysis, Activity)]) -> String {
    let views: Vec<_> = files
        .iter()
        .map(|(r, a)| html::view::file(r, Some(a)))
        .collect();
    let mut out = Vec::new();
    html::write(&mut out, &views).expect("write to memory");
    String::from_utf8(out).expect("UTF-8")
}

/// The text of the tunnel section `id` (tunnel sections hold no sections).
fn section<'a>(page: &'a str, id: &str) -> Option<&'a str> {
    let start = page.find(&format!("<section class=\"tunnel\" id=\"{id}\""))?;
    let len = page[start..].find("</section>")?;
    Some(&page[start..start + len])
}

/// Arrows drawn in a piece of the page: one `<g class="msg…">` each.
fn arrows(s: &str) -> usize {
    s.matches("<g class=\"msg").count()
}

/// Check one capture's part of a page: every tunnel has its section, every
/// section one arrow per IKE message the analysis kept.
fn check_file(page: &str, fi: usize, r: &FileAnalysis) {
    for (ti, t) in r.tunnels.iter().enumerate() {
        let id = html::tunnel_id(fi, ti);
        let s = section(page, &id)
            .unwrap_or_else(|| panic!("{}: no section {id} for tunnel {}", r.path, ti + 1));
        let messages: usize = t.tunnel.ike_sas.iter().map(|sa| sa.messages.len()).sum();
        assert_eq!(
            arrows(s),
            messages,
            "{}: tunnel {} draws {} arrows for {messages} IKE messages",
            r.path,
            ti + 1,
            arrows(s)
        );
        for v in &t.verdicts {
            assert!(
                s.contains(&format!("<span class=\"code\">{}</span>", v.code)),
                "{}: tunnel {} lacks the card for {}",
                r.path,
                ti + 1,
                v.code
            );
        }
        if !t.tunnel.esp.is_empty() {
            assert!(
                s.contains("<svg class=\"chart esp\""),
                "{}: no ESP chart",
                r.path
            );
        }
    }
}

#[test]
fn every_capture_has_its_sections_and_arrows() {
    let mut total_arrows = 0;
    for p in captures() {
        let (r, act) = analyse(&p);
        assert!(r.error.is_none(), "{}: {:?}", p.display(), r.error);
        let page = render(&[(r.clone(), act)]);
        check_file(&page, 0, &r);
        total_arrows += arrows(&page);
        // Nothing is fetched: no URL anywhere in the page.
        for bad in ["http://", "https://", "src=\"", "url("] {
            assert!(!page.contains(bad), "{}: page contains {bad}", p.display());
        }
    }
    assert!(total_arrows > 200, "only {total_arrows} arrows in all");
}

#[test]
fn ladder_marks_retransmissions_with_their_interval() {
    let (r, act) = analyse(&root().join("captures/v1-psk-mismatch.pcap"));
    let page = render(&[(r, act)]);
    // MM5 sent at 0.017 s, resent at 1.017 s, 2.418 s and 4.377 s.
    assert_eq!(page.matches("<g class=\"msg retx\"").count(), 3);
    assert!(page.contains("MM5 (retx of 5, +1.0 s)"));
    assert!(page.contains("MM5 (retx of 5, +1.4 s)"));
    assert!(page.contains("class=\"end error\""));
    assert!(page.contains("ike=aes256-sha1-modp2048"));
}

#[test]
fn one_way_esp_is_called_out() {
    let (r, act) = analyse(&root().join("captures/v1-esp-one-way.pcap"));
    let page = render(&[(r, act)]);
    assert!(page.contains("no ESP or AH in this direction"));
    assert!(page.contains("<rect class=\"bar"));
}

#[test]
fn nat_t_float_is_shown() {
    let (r, act) = analyse(&root().join("captures/v1-nat.pcap"));
    let page = render(&[(r, act)]);
    assert!(
        page.contains("NAT-T: ports change from here on"),
        "no float marker"
    );
    assert!(page.contains("class=\"port float\">:4500"));
}

// ---- headless Chromium ----

/// The browser, or None after saying why (a failure under CI=true).
fn chromium() -> Option<PathBuf> {
    let p = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if p.is_file() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} not found: .ci/run installs Debian's chromium; the HTML report tests need it",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: {} not found (install Debian's `chromium`; under CI=true this fails)",
        p.display()
    );
    None
}

/// Run Chromium headless on a file with extra arguments; the stdout and
/// every console message logged while the page ran.
fn browse(chromium: &Path, page: &Path, args: &[&str]) -> (String, Vec<String>) {
    let profile = tempdir("profile");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish {} in 120 s", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dom = out_thread.join().expect("stdout thread");
    let log = err_thread.join().expect("stderr thread");
    let _ = std::fs::remove_dir_all(&profile);
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (dom, console)
}

fn tempdir(what: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ikescope-html-{what}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn chromium_renders_the_report_of_every_capture() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempdir("all");
    let out = dir.join("report.html");
    // The command as a user runs it: a directory argument is scanned.
    let status = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .arg("report")
        // The page is compared with the library's key-less analysis.
        .arg("--no-keys")
        .arg(root().join("captures"))
        .arg("-o")
        .arg(&out)
        .status()
        .expect("run ikescope report");
    assert!(matches!(status.code(), Some(0 | 1)), "exit {status:?}");
    let (dom, console) = browse(&chromium, &out, &["--dump-dom"]);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(dom.contains("</html>"), "no DOM dumped");
    // Files appear in path order; check each one's tunnels in the live DOM.
    let files = captures();
    for (fi, p) in files.iter().enumerate() {
        let (r, _) = analyse(p);
        let head = format!(
            "<section class=\"file\" id=\"{}\"><h2>{}</h2>",
            html::file_id(fi),
            p.display()
        );
        assert!(
            dom.contains(&head),
            "{}: no file section {head}",
            p.display()
        );
        let r = FileAnalysis {
            path: p.display().to_string(),
            ..r
        };
        check_file(&dom, fi, &r);
    }
    // The overview links every tunnel.
    let tunnels: usize = files.iter().map(|p| analyse(p).0.tunnels.len()).sum();
    assert_eq!(dom.matches("<tr><td class=\"path\">").count(), tunnels);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chromium_shows_hostile_file_names_as_text() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = tempdir("hostile");
    // No '/' in a file name: markup that needs none.
    let name = "<img src=x onerror=alert(1)><b>x&amp;\u{202e}gnp.pcap";
    let input = dir.join(name);
    std::fs::copy(root().join("captures/v1-main-up.pcap"), &input).expect("copy");
    let out = dir.join("report.html");
    let status = Command::new(env!("CARGO_BIN_EXE_ikescope"))
        .arg("report")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("run ikescope report");
    assert_eq!(status.code(), Some(0));
    let (dom, console) = browse(&chromium, &out, &["--dump-dom"]);
    assert!(
        console.is_empty(),
        "console messages:\n{}",
        console.join("\n")
    );
    assert!(!dom.contains("<img"), "file name became markup");
    assert!(!dom.contains("<b>x"), "file name became markup");
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;&lt;b&gt;x&amp;amp;\\u{202e}gnp.pcap"),
        "escaped name missing"
    );
    assert!(!dom.contains('\u{202e}'), "bidi override passed through");
    let _ = std::fs::remove_dir_all(&dir);
}
