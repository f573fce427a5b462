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
use ikescope::report::{self, packets::PacketPrinter};

const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("ikescope: {e:#}");
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

fn parse_date(s: &str) -> Result<(i32, u32, u32)> {
    let parts: Vec<&str> = s.split('-').collect();
    if let [y, m, d] = parts[..] {
        let (y, m, d): (i32, u32, u32) = (y.parse()?, m.parse()?, d.parse()?);
        if (1..=12).contains(&m) && (1..=31).contains(&d) {
            return Ok((y, m, d));
        }
    }
    bail!("--date wants YYYY-MM-DD, got {s:?}")
}

fn options(c: &Common) -> Result<Options> {
    let mut o = Options::default();
    for p in &c.ike_ports {
        if !o.net.ike_ports.contains(p) && !o.net.natt_ports.contains(p) {
            o.net.ike_ports.push(*p);
        }
    }
    if let Some(d) = &c.date {
        o.read.date = Some(parse_date(d)?);
    }
    Ok(o)
}

/// Exit code for a set of analysed files.
fn exit_code(files: &[FileAnalysis]) -> u8 {
    if files.iter().any(|f| f.input_failed()) {
        EXIT_ERROR
    } else if files.iter().any(|f| f.worst() >= Severity::Error) {
        EXIT_FINDINGS
    } else {
        0
    }
}

fn report_input_errors(files: &[FileAnalysis]) {
    for f in files {
        if let Some(e) = &f.error {
            eprintln!("ikescope: {}: {e}", f.path);
        } else if let Some(s) = f.read.as_ref().and_then(|r| r.stopped.as_ref()) {
            let at = s
                .offset
                .map_or(String::new(), |o| format!(" at byte offset {o:#x}"));
            eprintln!(
                "ikescope: {}: {}{at}; what came before was analysed",
                f.path, s.message
            );
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
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
            let mut all = Vec::new();
            for (i, f) in a.files.iter().enumerate() {
                let r = app::analyze(f, &opts, None);
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
                    report::table::write_file(&mut out, &r)?;
                }
                all.push(r);
            }
            out.flush()?;
            report_input_errors(&all);
            exit_code(&all)
        }
        Some(Command::Packets(a)) => {
            let mut opts = options(&a.common)?;
            opts.peer = a.peer;
            if let Some(s) = &a.spi {
                let s = s.trim_start_matches("0x");
                opts.spi = Some(
                    u64::from_str_radix(s, 16)
                        .with_context(|| format!("--spi {s:?} is not hex"))?,
                );
            }
            let style = if a.json {
                report::packets::Style::Json
            } else if a.verbose {
                report::packets::Style::Verbose
            } else {
                report::packets::Style::Line
            };
            let mut all = Vec::new();
            for f in &a.files {
                let mut printer = PacketPrinter::new(&mut out, style, a.hex);
                let mut hook = Hook(&mut printer);
                let r = app::analyze(f, &opts, Some(&mut hook));
                if let Some(e) = printer.error.take() {
                    return Err(e.into());
                }
                all.push(r);
            }
            out.flush()?;
            report_input_errors(&all);
            if all.iter().any(|f| f.input_failed()) {
                EXIT_ERROR
            } else {
                0
            }
        }
        Some(Command::Ladder(a)) => {
            let opts = options(&a.common)?;
            let mut all = Vec::new();
            for f in &a.files {
                let r = app::analyze(f, &opts, None);
                report::ladder::write_file(&mut out, &r, a.peer)?;
                all.push(r);
            }
            out.flush()?;
            report_input_errors(&all);
            // Only the tunnels shown decide the exit code.
            if let Some(p) = a.peer {
                for f in &mut all {
                    f.tunnels.retain(|t| t.tunnel.peers.contains(&p));
                }
            }
            exit_code(&all)
        }
        Some(Command::Scan(a)) => {
            let opts = options(&a.common)?;
            let shard = match &a.shard {
                Some(s) => {
                    let (i, n) = s.split_once('/').context("--shard wants I/N, e.g. 0/4")?;
                    let (i, n): (u32, u32) = (i.parse()?, n.parse()?);
                    if n == 0 || i >= n {
                        bail!("--shard {s}: I must be below N");
                    }
                    Some((i, n))
                }
                None => None,
            };
            let found = scan::find(&a.paths, shard);
            // Unreadable inputs are always said (and make exit 2); files that
            // are simply not captures only with -v.
            for s in &found.skipped {
                if s.failed || a.verbose {
                    eprintln!(
                        "ikescope: {} {}: {}",
                        if s.failed { "cannot read" } else { "skipped" },
                        s.path.display(),
                        s.reason
                    );
                }
            }
            let jobs = a
                .jobs
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
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
            let mut results = scan::run(&found.captures, &opts, jobs.max(1), &progress);
            // Unreadable inputs get their own row / JSON document.
            for s in found.skipped.iter().filter(|s| s.failed) {
                results.push(FileAnalysis::unreadable(
                    s.path.display().to_string(),
                    s.reason.clone(),
                ));
            }
            results.sort_by(|a, b| a.path.cmp(&b.path));
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            if a.json {
                report::scan::write_json(&mut out, &results, a.only_failing)?;
            } else {
                report::scan::write_table(&mut out, &results, a.only_failing)?;
            }
            out.flush()?;
            report_input_errors(&results);
            exit_code(&results)
        }
        Some(Command::Convert(a)) => {
            let opts = options(&a.common)?;
            convert(&a.input, &a.output, &opts)?
        }
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
}

fn convert(input: &Path, output: &Path, opts: &Options) -> Result<u8> {
    use ikescope::capture::{self, writer::FrameBuffer};
    let mut read = opts.read.clone();
    if read.date.is_none() {
        read.date = app::file_date(input);
    }
    let mut buf = FrameBuffer::default();
    let summary = capture::read_path(input, &read, &mut buf)
        .with_context(|| format!("{}", input.display()))?;
    for n in &buf.notices {
        let at = match (n.line, n.offset) {
            (Some(l), _) => format!(" (line {l})"),
            (_, Some(o)) => format!(" (offset {o:#x})"),
            _ => String::new(),
        };
        eprintln!("ikescope: {}: {}{at}", input.display(), n.message);
    }
    let file = std::fs::File::create(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let mut w = buf.write_pcap(io::BufWriter::new(file))?;
    w.flush()?;
    eprintln!(
        "ikescope: wrote {} packet(s) from {} to {}",
        buf.frames.len(),
        input.display(),
        output.display()
    );
    Ok(if summary.stopped.is_some() {
        EXIT_ERROR
    } else {
        0
    })
}
