//! ikescope command line: parse arguments, run, set the exit status.
//! Exit 0: no error verdicts; 1: an error verdict; 2: usage or input error.
//! A closed pipe (`ikescope ... | head`) ends quietly with 0.

mod cli;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::Parser;

use cli::{Cli, Command, Common};
use ikescope::app::{self, scan, FileAnalysis, Options};
use ikescope::diagnose::Severity;
use ikescope::report::term::{self, escape, Guard, Stream};
use ikescope::report::{self, packets::PacketPrinter};

const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse_from(cli::normalize_args(std::env::args_os().collect()));
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("ikescope: {}", escape(&format!("{e:#}")));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn options(c: &Common) -> Result<Options> {
    let mut o = Options::default();
    for p in &c.ike_ports {
        if !o.net.ike_ports.contains(p) && !o.net.natt_ports.contains(p) {
            o.net.ike_ports.push(*p);
        }
    }
    o.read.date = c.date;
    o.keys = c.keys.clone();
    o.auto_keys = !c.no_keys;
    o.psk_file = c.psk_file.clone();
    let mut logs = Vec::new();
    for p in &c.logs {
        logs.push(app::logs::load(p, &o).map_err(anyhow::Error::msg)?);
    }
    o.logs = std::sync::Arc::new(logs);
    Ok(o)
}

/// `--spi`: hex, `0x` optional; at most 16 digits (an IKE SPI; ESP and AH
/// SPIs have 8).
fn parse_spi(arg: &str) -> std::result::Result<u64, String> {
    let s = arg
        .strip_prefix("0x")
        .or_else(|| arg.strip_prefix("0X"))
        .unwrap_or(arg);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "--spi {}: not a hexadecimal SPI (e.g. 0x1a2b3c4d for ESP/AH, 16 digits for an IKE SPI)",
            escape(arg)
        ));
    }
    let digits = s.trim_start_matches('0');
    if digits.len() > 16 {
        return Err(format!(
            "--spi {}: {} hex digits; an SPI has at most 16 (IKE; ESP and AH SPIs have 8)",
            escape(arg),
            digits.len()
        ));
    }
    u64::from_str_radix(s, 16).map_err(|e| format!("--spi {}: {e}", escape(arg)))
}

/// Exit code for a set of analysed files.
fn exit_code(files: &[FileAnalysis]) -> u8 {
    exit_code_for(files, None)
}

/// Exit code counting only the tunnels shown: with `peer`, those involving
/// that address (`ladder --peer X` does not fail for another tunnel).
fn exit_code_for(files: &[FileAnalysis], peer: Option<std::net::IpAddr>) -> u8 {
    let shown_error = |f: &FileAnalysis| {
        f.tunnels
            .iter()
            .filter(|t| peer.is_none_or(|p| t.tunnel.peers.contains(&p)))
            .any(|t| t.worst() >= Severity::Error)
    };
    if files.iter().any(|f| f.input_failed()) {
        EXIT_ERROR
    } else if files.iter().any(shown_error) {
        EXIT_FINDINGS
    } else {
        0
    }
}

fn report_input_errors(files: &[FileAnalysis]) {
    for f in files {
        if let Some(e) = &f.error {
            // A message of several lines (the refusal listing the formats
            // read): each line escaped, the later ones indented, as the
            // summary prints it.
            let mut lines = e.split('\n');
            eprintln!(
                "ikescope: {}: {}",
                escape(&f.path),
                escape(lines.next().unwrap_or(""))
            );
            for l in lines {
                eprintln!("  {}", escape(l));
            }
        } else if let Some(s) = f.read.as_ref().and_then(|r| r.stopped.as_ref()) {
            eprintln!(
                "ikescope: {}: {}",
                escape(&f.path),
                escape(&stop_message(&s.message, s.offset))
            );
        }
    }
}

/// Why reading stopped, said once: the offset and the fact that what came
/// before was analysed are added only when the reader's message lacks them.
fn stop_message(message: &str, offset: Option<u64>) -> String {
    let mut m = message.to_string();
    if let Some(o) = offset {
        if !m.contains(&format!("{o:#x}")) {
            m.push_str(&format!(" at byte offset {o:#x}"));
        }
    }
    // "…before any packet" has nothing before it to analyse.
    if !m.contains("analysed") && !m.contains("before any packet") {
        m.push_str("; what came before was analysed");
    }
    m
}

/// Standard output, buffered, with every byte that reaches it made inert
/// for a terminal (text) or JSON-escaped (JSON).
fn stdout_guard(json: bool) -> Guard<io::BufWriter<io::StdoutLock<'static>>> {
    Guard::new(
        io::BufWriter::new(io::stdout().lock()),
        if json { Stream::Json } else { Stream::Text },
    )
}

fn run(cli: Cli) -> Result<u8> {
    let code = match cli.command {
        None | Some(Command::Summary(_)) => {
            let a = match cli.command {
                Some(Command::Summary(a)) => a,
                _ => cli.summary,
            };
            if a.files.is_empty() {
                bail!("no capture given (try `ikescope --help`)");
            }
            let mut opts = options(&a.common)?;
            opts.peer = a.peer;
            if a.follow {
                return follow(&a, opts);
            }
            // Logs given as files: analysed together when there is no
            // capture, else read beside each capture like --log.
            let (logs, captures): (Vec<_>, Vec<_>) =
                a.files.iter().cloned().partition(|f| app::logs::is_log(f));
            let mut runs: Vec<Vec<std::path::PathBuf>> = Vec::new();
            if captures.is_empty() {
                runs.push(logs);
            } else {
                let mut extra = (*opts.logs).clone();
                for l in &logs {
                    extra.push(app::logs::load(l, &opts).map_err(anyhow::Error::msg)?);
                }
                opts.logs = std::sync::Arc::new(extra);
                runs.extend(captures.into_iter().map(|c| vec![c]));
            }
            let mut out = stdout_guard(a.json);
            let width = term::detect_width();
            let mut all = Vec::new();
            for (i, f) in runs.iter().enumerate() {
                let r = match f.as_slice() {
                    [one] => app::analyze(one, &opts, None),
                    many => app::logs::analyze_logs(many, &opts),
                };
                if a.json {
                    let detail = if a.messages {
                        report::json::Detail::Messages
                    } else {
                        report::json::Detail::Summary
                    };
                    report::json::write_file_with(&mut out, &r, true, detail)?;
                } else {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    report::table::write_file_all(&mut out, &r, width, a.all)?;
                }
                all.push(r);
            }
            out.finish()?;
            report_input_errors(&all);
            exit_code(&all)
        }
        Some(Command::Packets(a)) => {
            let mut opts = options(&a.common)?;
            opts.peer = a.peer;
            if let Some(s) = &a.spi {
                opts.spi = Some(parse_spi(s).map_err(anyhow::Error::msg)?);
            }
            let style = if a.json {
                report::packets::Style::Json
            } else if a.verbose {
                report::packets::Style::Verbose
            } else {
                report::packets::Style::Line
            };
            let mut out = stdout_guard(a.json);
            let mut all = Vec::new();
            let text = !a.json;
            for (i, f) in a.files.iter().enumerate() {
                // Several files: each one's packets under its name (frame
                // numbers start again at 1 in every file).
                if text && a.files.len() > 1 {
                    let sep = if i > 0 { "\n" } else { "" };
                    writeln!(out, "{sep}{}", escape(&f.display().to_string()))?;
                }
                let (r, written) = {
                    let mut printer = PacketPrinter::new(&mut out, style, a.hex);
                    let mut hook = Hook(&mut printer);
                    let r = app::analyze(f, &opts, Some(&mut hook));
                    if let Some(e) = printer.error.take() {
                        return Err(e.into());
                    }
                    (r, printer.written)
                };
                // Nothing listed: say so rather than print nothing.
                if text && written == 0 && r.error.is_none() {
                    if r.filtered > 0 {
                        writeln!(
                            out,
                            "  No packet matches the filter ({} IPsec packet(s) of other peers or SPIs left out).",
                            r.filtered
                        )?;
                    } else {
                        writeln!(out, "  No IKE, ESP or AH traffic found.")?;
                    }
                }
                all.push(r);
            }
            out.finish()?;
            report_input_errors(&all);
            if all.iter().any(|f| f.input_failed()) {
                EXIT_ERROR
            } else {
                0
            }
        }
        Some(Command::Ladder(a)) => {
            let opts = options(&a.common)?;
            let mut out = stdout_guard(false);
            let width = term::detect_width();
            let mut all = Vec::new();
            for f in &a.files {
                let r = app::analyze(f, &opts, None);
                report::ladder::write_file(&mut out, &r, a.peer, width)?;
                all.push(r);
            }
            out.finish()?;
            report_input_errors(&all);
            exit_code_for(&all, a.peer)
        }
        Some(Command::Scan(a)) => {
            let opts = options(&a.common)?;
            let found = scan::find(&a.paths, a.shard);
            // Unreadable and damaged inputs become rows of their own (and
            // exit 2); files that are simply not captures are counted, and
            // listed with -v.
            let skipped: Vec<report::scan::SkippedFile> = found
                .skipped
                .iter()
                .filter(|s| !s.failed)
                .map(|s| report::scan::SkippedFile {
                    path: s.path.display().to_string(),
                    reason: s.reason.clone(),
                })
                .collect();
            if a.jobs == Some(0) {
                bail!("-j 0: at least one worker thread is needed");
            }
            let jobs = scan::clamp_jobs(a.jobs, found.captures.len());
            let bar = if !a.quiet && io::stderr().is_terminal() {
                let b = indicatif::ProgressBar::new(found.bytes);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                Some(b)
            } else {
                None
            };
            let done = std::sync::atomic::AtomicU64::new(0);
            let n_files = found.captures.len() as u64;
            let progress = |bytes: u64| {
                if let Some(b) = &bar {
                    b.inc(bytes);
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    b.set_message(format!("{d}/{n_files} files"));
                }
            };
            let mut results = scan::run(&found.captures, &opts, jobs, &progress);
            // Unreadable inputs get their own row / JSON document.
            for s in found.skipped.iter().filter(|s| s.failed) {
                let reason = if s.reason.starts_with("damaged") {
                    s.reason.clone()
                } else {
                    format!("cannot read: {}", s.reason)
                };
                results.push(FileAnalysis::unreadable(
                    s.path.display().to_string(),
                    reason,
                ));
            }
            results.sort_by(|a, b| a.path.cmp(&b.path));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let mut out = stdout_guard(a.json);
            if a.json {
                report::scan::write_json(&mut out, &results, &skipped, a.only_failing, a.verbose)?;
            } else {
                report::scan::write_table(
                    &mut out,
                    &results,
                    &skipped,
                    a.only_failing,
                    a.verbose,
                    term::detect_width(),
                )?;
            }
            out.finish()?;
            report_input_errors(&results);
            exit_code(&results)
        }
        Some(Command::Convert(a)) => {
            let opts = options(&a.common)?;
            convert(&a.input, &a.output, &opts)?
        }
        Some(Command::Report(a)) => html_report(&a)?,
    };
    Ok(code)
}

struct Hook<'p, 'w>(&'p mut PacketPrinter<'w>);

impl app::PacketHook for Hook<'_, '_> {
    fn packet(
        &mut self,
        d: &ikescope::net::Datagram<'_>,
        c: &ikescope::flow::Content<'_>,
        touched: &ikescope::flow::Touched,
        first: ikescope::capture::Timestamp,
    ) {
        self.0.packet(d, c, touched, first);
    }

    fn malformed(&mut self, m: &ikescope::net::Malformed, first: ikescope::capture::Timestamp) {
        self.0.malformed(m, first);
    }

    fn icmp(&mut self, e: &ikescope::net::IcmpError, first: ikescope::capture::Timestamp) {
        self.0.icmp(e, first);
    }

    fn decrypted(&mut self, p: &ikescope::flow::decrypted::Plain) {
        self.0.decrypted = Some(p.clone());
    }
}

/// `ikescope --follow FILE|-`: live view until the input ends or Ctrl-C,
/// then the summary.
fn follow(a: &cli::SummaryArgs, opts: Options) -> Result<u8> {
    use ikescope::app::follow::{self, FollowOptions, Terminal};
    use std::sync::atomic::{AtomicBool, Ordering};
    let [input] = a.files.as_slice() else {
        bail!("--follow reads one capture (a file, or '-' for a pipe)");
    };
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || {
        // The first Ctrl-C ends the reading and prints the summary; a
        // second one leaves at once.
        if flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    })
    .context("cannot install the Ctrl-C handler")?;
    let lines = std::env::var("LINES")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&v| v >= 10)
        .unwrap_or(30);
    let mut fo = FollowOptions::new(
        opts,
        a.json,
        (!a.json && io::stdout().is_terminal()).then(|| Terminal {
            width: term::detect_width(),
            height: lines,
        }),
    );
    if let Some(e) = a.expire {
        fo.expire_secs = e;
    }
    // JSON goes through the escaping guard; text lines are made inert by
    // the live view itself, and keep the cursor movements that redraw the
    // table on a terminal.
    let live_out: Box<dyn Write> = if a.json {
        Box::new(Guard::new(io::stdout(), Stream::Json))
    } else {
        Box::new(io::stdout())
    };
    let followed = follow::run(input, &fo, live_out, stop)
        .with_context(|| escape(&input.display().to_string()).into_owned())?;
    let r = followed.analysis;
    let mut out = stdout_guard(a.json);
    if a.json {
        report::live::summary_json(&mut out, &r, &followed.counts)?;
    } else {
        writeln!(out)?;
        report::table::write_file_all(&mut out, &r, term::detect_width(), a.all)?;
        report::live::counts_text(&mut out, &followed.counts)?;
    }
    out.finish()?;
    let all = [r];
    report_input_errors(&all);
    Ok(exit_code(&all))
}

/// `ikescope report PATH... -o FILE`: analyse (directories are scanned) and
/// write one HTML file.
fn html_report(a: &cli::ReportArgs) -> Result<u8> {
    use rayon::prelude::*;
    use report::html::{self, Activity};
    let mut opts = options(&a.common)?;
    opts.peer = a.peer;
    let mut inputs: Vec<std::path::PathBuf> = Vec::new();
    let mut unreadable = Vec::new();
    for p in &a.paths {
        if p.is_dir() {
            let found = scan::find(std::slice::from_ref(p), None);
            inputs.extend(found.captures.into_iter().map(|(p, _)| p));
            unreadable.extend(found.skipped.into_iter().filter(|s| s.failed));
        } else {
            inputs.push(p.clone());
        }
    }
    if a.output != Path::new("-") && inputs.iter().any(|i| same_file(i, &a.output)) {
        bail!(
            "{}: the report would overwrite an input",
            a.output.display()
        );
    }
    let mut results: Vec<(FileAnalysis, Activity)> = inputs
        .par_iter()
        .map(|f| {
            let mut act = Activity::new();
            let mut hook = ActivityHook(&mut act);
            let r = app::analyze(f, &opts, Some(&mut hook));
            (r, act)
        })
        .collect();
    for s in unreadable {
        results.push((
            FileAnalysis::unreadable(s.path.display().to_string(), s.reason),
            Activity::new(),
        ));
    }
    let views: Vec<_> = results
        .iter()
        .map(|(r, act)| html::view::file(r, Some(act)))
        .collect();
    if a.output == Path::new("-") {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        html::write(&mut out, &views)?;
        out.flush()?;
    } else {
        let file = std::fs::File::create(&a.output).with_context(|| {
            format!("cannot create {}", escape(&a.output.display().to_string()))
        })?;
        let mut out = io::BufWriter::new(file);
        html::write(&mut out, &views)?;
        out.flush()
            .with_context(|| format!("cannot write {}", escape(&a.output.display().to_string())))?;
        eprintln!(
            "ikescope: wrote {} ({} capture(s))",
            escape(&a.output.display().to_string()),
            views.len()
        );
    }
    let all: Vec<FileAnalysis> = results.into_iter().map(|(r, _)| r).collect();
    report_input_errors(&all);
    Ok(exit_code(&all))
}

/// Feeds every ESP/AH packet to the report's activity chart.
struct ActivityHook<'a>(&'a mut report::html::Activity);

impl app::PacketHook for ActivityHook<'_> {
    fn packet(
        &mut self,
        d: &ikescope::net::Datagram<'_>,
        c: &ikescope::flow::Content<'_>,
        _touched: &ikescope::flow::Touched,
        first: ikescope::capture::Timestamp,
    ) {
        self.0.observe(d, c, first);
    }

    fn malformed(&mut self, _m: &ikescope::net::Malformed, _first: ikescope::capture::Timestamp) {}
}

/// The two paths name the same file (or the output is the input through a
/// link): writing would destroy the input.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn convert(input: &Path, output: &Path, opts: &Options) -> Result<u8> {
    use ikescope::capture::{self, writer::FrameBuffer};
    if same_file(input, output) {
        bail!(
            "convert: the output {} is the input; not overwriting it (choose another -o)",
            escape(&output.display().to_string())
        );
    }
    let mut read = opts.read.clone();
    if read.date.is_none() {
        read.date = app::file_date(input);
    }
    let mut buf = FrameBuffer::default();
    let summary = capture::read_path(input, &read, &mut buf)
        .with_context(|| format!("{}", escape(&input.display().to_string())))?;
    for n in &buf.notices {
        let at = match (n.line, n.offset) {
            (Some(l), _) => format!(" (line {l})"),
            (_, Some(o)) => format!(" (offset {o:#x})"),
            _ => String::new(),
        };
        eprintln!(
            "ikescope: {}: {}{at}",
            escape(&input.display().to_string()),
            escape(&n.message)
        );
    }
    let file = std::fs::File::create(output)
        .with_context(|| format!("cannot create {}", escape(&output.display().to_string())))?;
    let mut w = buf.write_pcap(io::BufWriter::new(file))?;
    w.flush()?;
    eprintln!(
        "ikescope: wrote {} packet(s) from {} to {}",
        buf.frames.len(),
        escape(&input.display().to_string()),
        escape(&output.display().to_string())
    );
    Ok(if summary.stopped.is_some() {
        EXIT_ERROR
    } else {
        0
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_spi, stop_message};

    #[test]
    fn a_stop_before_any_packet_does_not_claim_what_came_before() {
        let m = stop_message(
            "record claims 4294967295 captured bytes (limit 262144): corrupt record header at offset 0x18; reading stopped before any packet",
            Some(0x18),
        );
        assert!(!m.contains("what came before"), "{m}");
        let m = stop_message("corrupt record header", Some(0x40));
        assert_eq!(
            m,
            "corrupt record header at byte offset 0x40; what came before was analysed"
        );
    }

    #[test]
    fn spi_values_and_their_refusals() {
        assert_eq!(parse_spi("0x13adf2ea"), Ok(0x13ad_f2ea));
        assert_eq!(parse_spi("13ADF2EA"), Ok(0x13ad_f2ea));
        assert_eq!(parse_spi("e627b2450021615c"), Ok(0xe627_b245_0021_615c));
        assert_eq!(parse_spi("0000000000000000000001"), Ok(1));
        assert_eq!(parse_spi("0"), Ok(0));
        let long = parse_spi("ffffffffffffffffffffffffffff").unwrap_err();
        assert!(long.contains("28 hex digits"), "{long}");
        assert!(!long.contains("not hex"), "{long}");
        for bad in ["zz", "0x", "", "-1", "+1"] {
            let e = parse_spi(bad).unwrap_err();
            assert!(e.contains("not a hexadecimal SPI"), "{bad}: {e}");
        }
    }
}
