//! `ikescope --follow`: analyse a capture while it is being written —
//! `tcpdump -U -w - … | ikescope --follow -`, or a file another program is
//! still appending to. Every IKE message is printed as it is tracked, and
//! every verdict change as soon as the tunnel's verdicts are re-judged:
//! after each IKE message, at most once a second of capture time for
//! tunnels that only carried ESP, and when the input is quiet (the clock is
//! advanced by wall time then, so silence after a request counts). Output
//! is flushed line by line; on a terminal a tunnel table is redrawn below
//! the lines. The reading stops at the end of a pipe or when `stop` is set
//! (Ctrl-C); the caller prints the final summary.
//!
//! Memory is bounded by the tracker's limits (messages per IKE SA, IKE SAs
//! per tunnel, kept events), as in a batch run: nothing here keeps packets.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{FileAnalysis, FileNotice, Options, TunnelReport};
use crate::capture::{self, Frame, FrameSink, Notice, Timestamp};
use crate::diagnose::{Code, Severity};
use crate::flow::{self, Content, Touched, Tracker, TunnelId};
use crate::net::{self, Datagram, Decoded};
use crate::report::live::{self, Change, Shown};

/// How often a quiet input re-judges the tunnels.
const IDLE: Duration = Duration::from_millis(500);
/// Tunnels that only carried ESP/AH are re-judged at most this often
/// (seconds of capture time).
const ESP_EVERY_SECS: f64 = 1.0;
/// A verdict change is printed once it has held this long (seconds of
/// capture time): the retransmission interval, after which silence is an
/// answer (`flow::coverage::RETRANSMIT_SECS`).
const SETTLE_SECS: f64 = flow::coverage::RETRANSMIT_SECS;
/// Tunnels quiet for longer than this are not judged again while the input
/// is quiet: every "no answer" rule has decided long before (seconds).
const QUIET_SECS: f64 = 60.0;
/// A growing file is polled this often at its end.
const POLL: Duration = Duration::from_millis(200);
/// Read size of the source thread.
const CHUNK: usize = 64 << 10;

/// A terminal to redraw the tunnel table on.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub width: usize,
    pub height: usize,
}

#[derive(Debug, Clone, Default)]
pub struct FollowOptions {
    pub opts: Options,
    pub json: bool,
    /// Redraw a tunnel table (stdout is a terminal).
    pub terminal: Option<Terminal>,
}

/// Follow `input` (`-` = standard input) until it ends or `stop` is set.
pub fn run(
    input: &Path,
    fo: &FollowOptions,
    out: Box<dyn Write>,
    stop: Arc<AtomicBool>,
) -> io::Result<FileAnalysis> {
    let rx = spawn_source(input, stop.clone())?;
    let live = Rc::new(RefCell::new(Live::new(fo, out, stop.clone())));
    let reader = ChannelReader {
        rx,
        chunk: Vec::new(),
        pos: 0,
        live: live.clone(),
        stop: stop.clone(),
    };
    let mut sink = Sink(live.clone());
    let result = capture::read_reader(reader, &fo.opts.read, &mut sink);
    drop(sink);
    let live = Rc::try_unwrap(live)
        .map_err(|_| io::Error::other("follow: reader still holds the state"))?
        .into_inner();
    live.finish(input, result, stop.load(Ordering::Relaxed))
}

/// Read the input on a thread of its own, so a quiet input still lets the
/// clock move (see [`ChannelReader`]).
fn spawn_source(
    input: &Path,
    stop: Arc<AtomicBool>,
) -> io::Result<mpsc::Receiver<io::Result<Vec<u8>>>> {
    let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(16);
    let stdin = input.as_os_str() == "-";
    let mut file = if stdin {
        None
    } else {
        Some(File::open(input)?)
    };
    std::thread::spawn(move || {
        let mut stdin_handle = io::stdin();
        loop {
            let mut buf = vec![0u8; CHUNK];
            let r = match file.as_mut() {
                Some(f) => f.read(&mut buf),
                None => stdin_handle.read(&mut buf),
            };
            match r {
                // A pipe ended; a file may still grow: poll its end.
                Ok(0) if file.is_none() => break,
                Ok(0) => {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(POLL);
                }
                Ok(n) => {
                    buf.truncate(n);
                    if tx.send(Ok(buf)).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        }
    });
    Ok(rx)
}

/// The capture reader's byte stream. While no bytes arrive it lets the
/// live state judge silence; Ctrl-C ends the stream.
struct ChannelReader<'w> {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    live: Rc<RefCell<Live<'w>>>,
    stop: Arc<AtomicBool>,
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let have = self.chunk.get(self.pos..).unwrap_or(&[]);
            if !have.is_empty() {
                let n = have.len().min(buf.len());
                buf.get_mut(..n)
                    .unwrap_or(&mut [])
                    .copy_from_slice(have.get(..n).unwrap_or(&[]));
                self.pos += n;
                return Ok(n);
            }
            if self.stop.load(Ordering::Relaxed) {
                return Ok(0);
            }
            match self.rx.recv_timeout(IDLE) {
                Ok(Ok(c)) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) => self.live.borrow_mut().idle(),
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
    }
}

struct Sink<'w>(Rc<RefCell<Live<'w>>>);

impl FrameSink for Sink<'_> {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.0.borrow_mut().frame(frame);
    }

    fn notice(&mut self, notice: Notice) {
        self.0.borrow_mut().notices.push(notice.into());
    }
}

/// The live analysis and what has been printed of it.
struct Live<'w> {
    opts: Options,
    json: bool,
    terminal: Option<Terminal>,
    out: Box<dyn Write + 'w>,
    stop: Arc<AtomicBool>,
    decoder: net::Decoder,
    tracker: Tracker,
    notices: Vec<FileNotice>,
    incomplete: Vec<(std::net::IpAddr, std::net::IpAddr, Vec<u64>)>,
    frames: u64,
    ipsec: u64,
    filtered: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// Wall time of the last frame, to advance the clock while quiet.
    arrival: Instant,
    /// Verdicts last printed, per tunnel.
    shown: HashMap<usize, BTreeMap<Code, Severity>>,
    /// Changes not printed yet: (tunnel, code) → (severity it goes to,
    /// None = cleared; since when it has held).
    pending: HashMap<(usize, Code), (Option<Severity>, Timestamp)>,
    /// Tunnels that carried ESP/AH since they were last judged.
    dirty: BTreeSet<usize>,
    /// When each tunnel last carried anything.
    active: HashMap<usize, Timestamp>,
    last_esp_eval: Option<Timestamp>,
    /// The latest judgement of each tunnel, for the terminal table.
    reports: BTreeMap<usize, TunnelReport>,
    /// Lines of the table currently on screen.
    drawn: usize,
    last_idle_eval: Instant,
}

fn add(t: Timestamp, d: Duration) -> Timestamp {
    let nanos = t.nanos as u64 + d.subsec_nanos() as u64;
    Timestamp {
        secs: t
            .secs
            .saturating_add(d.as_secs() as i64)
            .saturating_add((nanos / 1_000_000_000) as i64),
        nanos: (nanos % 1_000_000_000) as u32,
    }
}

impl<'w> Live<'w> {
    fn new(fo: &FollowOptions, out: Box<dyn Write + 'w>, stop: Arc<AtomicBool>) -> Live<'w> {
        Live {
            opts: fo.opts.clone(),
            json: fo.json,
            terminal: if fo.json { None } else { fo.terminal },
            out,
            stop,
            decoder: net::Decoder::new(fo.opts.net.clone()),
            tracker: Tracker::new(),
            notices: Vec::new(),
            incomplete: Vec::new(),
            frames: 0,
            ipsec: 0,
            filtered: 0,
            first: None,
            last: None,
            arrival: Instant::now(),
            shown: HashMap::new(),
            pending: HashMap::new(),
            dirty: BTreeSet::new(),
            active: HashMap::new(),
            last_esp_eval: None,
            reports: BTreeMap::new(),
            drawn: 0,
            last_idle_eval: Instant::now(),
        }
    }

    fn wanted(&self, d: &Datagram<'_>, c: &Content<'_>) -> bool {
        if let Some(p) = self.opts.peer {
            if d.src != p && d.dst != p {
                return false;
            }
        }
        if let Some(spi) = self.opts.spi {
            return match c {
                Content::Esp { esp, .. } => esp.spi as u64 == spi,
                Content::Ah(a) => a.spi as u64 == spi,
                Content::Ike(m) => m.header.ispi == spi || m.header.rspi == spi,
                _ => false,
            };
        }
        true
    }

    fn frame(&mut self, frame: &Frame<'_>) {
        self.frames += 1;
        if self.first.is_none() {
            self.first = Some(frame.ts);
        }
        self.last = Some(frame.ts);
        self.arrival = Instant::now();
        self.tracker.tick(frame.ts);
        match self.decoder.decode(frame) {
            Decoded::Ignored | Decoded::Held => {}
            Decoded::Datagram(d) => {
                let c = flow::classify(&d);
                if !self.wanted(&d, &c) {
                    self.filtered += 1;
                } else {
                    self.ipsec += 1;
                    let touched = self.tracker.observe_datagram(&d, &c);
                    self.touched(touched, frame.number, frame.ts);
                }
            }
            Decoded::Icmp(e) => {
                if self
                    .opts
                    .peer
                    .is_none_or(|p| e.quoted_src == p || e.quoted_dst == p)
                {
                    self.ipsec += 1;
                    let touched = self.tracker.observe_icmp(&e);
                    if let Some(t) = touched.tunnel {
                        self.active.insert(t.0, frame.ts);
                        self.judge(t, frame.ts);
                    }
                }
            }
            Decoded::Malformed(m) => {
                self.ipsec += 1;
                self.notices.push(FileNotice {
                    level: capture::Level::Warning,
                    offset: None,
                    line: None,
                    frame: Some(m.frame),
                    message: format!(
                        "malformed {:?} layer at offset {}: {}",
                        m.layer, m.offset, m.reason
                    ),
                });
            }
        }
        for n in self.decoder.take_notices() {
            if let Some((a, b)) = n.peers {
                self.incomplete.push((a, b, n.frames.clone()));
            }
            self.notices.push(n.into());
        }
        let due = self
            .last_esp_eval
            .is_none_or(|l| frame.ts.since(l) >= ESP_EVERY_SECS);
        if due && !self.dirty.is_empty() {
            self.last_esp_eval = Some(frame.ts);
            for t in std::mem::take(&mut self.dirty) {
                self.judge(TunnelId(t), frame.ts);
            }
        }
    }

    /// After an observation: print an IKE message, re-judge its tunnel.
    fn touched(&mut self, touched: Touched, frame: u64, ts: Timestamp) {
        let Some(tid) = touched.tunnel else {
            return;
        };
        self.active.insert(tid.0, ts);
        if touched.step.is_none() {
            self.dirty.insert(tid.0);
            return;
        }
        let Some(t) = self.tracker.snapshot(tid) else {
            return;
        };
        let msg = touched
            .ike_sa
            .and_then(|i| t.ike_sas.get(i))
            .and_then(|sa| sa.messages.last())
            .filter(|m| m.frame == frame)
            .cloned();
        let peers = t.peers;
        if let Some(m) = msg {
            let json = self.json;
            self.emit(|out| {
                if json {
                    live::message_json(out, tid.0 + 1, peers, &m)
                } else {
                    live::message_text(out, tid.0 + 1, &m)
                }
            });
        }
        self.judge_tunnel(tid, t, ts);
    }

    fn judge(&mut self, tid: TunnelId, at: Timestamp) {
        if let Some(t) = self.tracker.snapshot(tid) {
            self.judge_tunnel(tid, t, at);
        }
    }

    /// Diagnose a tunnel and print what changed since it was last printed
    /// and has held for [`SETTLE_SECS`]: a verdict judged the instant after
    /// a request ("no answer yet") must not be printed before the answer
    /// had time to come.
    fn judge_tunnel(&mut self, tid: TunnelId, t: flow::Tunnel, at: Timestamp) {
        self.dirty.remove(&tid.0);
        let tr = TunnelReport::new(t, self.tracker.coverage());
        let mut shown = self.shown.remove(&tid.0).unwrap_or_default();
        let peers = tr.tunnel.peers;
        let n = tid.0 + 1;
        let json = self.json;
        let mut target: BTreeMap<Code, Option<Severity>> = BTreeMap::new();
        for v in &tr.verdicts {
            if shown.get(&v.code) != Some(&v.severity) {
                target.insert(v.code, Some(v.severity));
            }
        }
        for code in shown.keys() {
            if !tr.verdicts.iter().any(|v| v.code == *code) {
                target.insert(*code, None);
            }
        }
        // Changes that no longer differ from what is shown are void.
        self.pending
            .retain(|(t, c), _| *t != tid.0 || target.contains_key(c));
        for (code, to) in target {
            let since = match self.pending.get(&(tid.0, code)) {
                Some(&(p, since)) if p == to => since,
                _ => {
                    self.pending.insert((tid.0, code), (to, at));
                    at
                }
            };
            if at.since(since) < SETTLE_SECS {
                continue;
            }
            self.pending.remove(&(tid.0, code));
            let was = shown.get(&code).copied();
            match (to, was) {
                (Some(sev), _) => {
                    let change = was.map_or(Change::New, Change::Changed);
                    shown.insert(code, sev);
                    if let Some(v) = tr.verdicts.iter().find(|v| v.code == code) {
                        self.emit(|out| {
                            if json {
                                live::verdict_json(out, at, n, peers, change, Shown::Now(v))
                            } else {
                                live::verdict_text(out, at, n, peers, change, Shown::Now(v))
                            }
                        });
                    }
                }
                (None, Some(sev)) => {
                    shown.remove(&code);
                    let gone = Shown::Gone(code, sev);
                    self.emit(|out| {
                        if json {
                            live::verdict_json(out, at, n, peers, Change::Cleared, gone)
                        } else {
                            live::verdict_text(out, at, n, peers, Change::Cleared, gone)
                        }
                    });
                }
                (None, None) => {}
            }
        }
        self.shown.insert(tid.0, shown);
        if self.terminal.is_some() {
            self.reports.insert(tid.0, tr);
        }
    }

    /// Nothing arrived for a while: the clock moves on by wall time, and
    /// every tunnel is judged again (silence may now be an answer).
    fn idle(&mut self) {
        if self.last_idle_eval.elapsed() < IDLE {
            return;
        }
        self.last_idle_eval = Instant::now();
        let Some(last) = self.last else {
            return;
        };
        let now = add(last, self.arrival.elapsed());
        self.tracker.tick(now);
        // Silence changes the verdicts of tunnels that were active lately,
        // or that have a change waiting to hold; long-quiet ones are settled.
        let waiting: BTreeSet<usize> = self.pending.keys().map(|(t, _)| *t).collect();
        let recent: Vec<usize> = self
            .active
            .iter()
            .filter(|(t, at)| now.since(**at) < QUIET_SECS || waiting.contains(t))
            .map(|(t, _)| *t)
            .collect();
        for i in recent {
            self.judge(TunnelId(i), now);
        }
        if self.terminal.is_some() {
            self.emit(|_| Ok(()));
        }
    }

    /// Print through `f`: the table comes off the screen first and is
    /// redrawn after. A write error (a closed pipe) ends the run.
    fn emit(&mut self, f: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
        let r = (|| {
            if self.drawn > 0 {
                write!(self.out, "\x1b[{}F\x1b[J", self.drawn)?;
                self.drawn = 0;
            }
            f(&mut *self.out)?;
            if let Some(term) = self.terminal {
                let rows: Vec<live::Row<'_>> = self
                    .reports
                    .iter()
                    .map(|(i, r)| {
                        let mut shown: Vec<(Code, Severity)> = self
                            .shown
                            .get(i)
                            .map(|m| m.iter().map(|(c, s)| (*c, *s)).collect())
                            .unwrap_or_default();
                        shown.sort_by_key(|x| std::cmp::Reverse(x.1));
                        (i + 1, r, shown)
                    })
                    .collect();
                let lines = live::table(&rows, term.width, term.height.saturating_sub(6).max(3));
                writeln!(self.out, "{}", "─".repeat(term.width.min(120)))?;
                for l in &lines {
                    writeln!(self.out, "{l}")?;
                }
                self.drawn = lines.len() + 1;
            }
            self.out.flush()
        })();
        if r.is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
    }

    /// The end: erase the table, and hand back the whole analysis.
    fn finish(
        mut self,
        input: &Path,
        result: Result<capture::ReadSummary, capture::CaptureError>,
        stopped: bool,
    ) -> io::Result<FileAnalysis> {
        if self.drawn > 0 {
            write!(self.out, "\x1b[{}F\x1b[J", self.drawn)?;
            self.drawn = 0;
        }
        self.out.flush()?;
        for n in self.decoder.finish() {
            if let Some((a, b)) = n.peers {
                self.incomplete.push((a, b, n.frames.clone()));
            }
            self.notices.push(n.into());
        }
        let (mut read, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e.to_string())),
        };
        // A record cut short because the user stopped us is not damage.
        if stopped {
            if let Some(s) = read.as_mut().and_then(|r| r.stopped.take()) {
                self.notices.push(FileNotice {
                    level: capture::Level::Warning,
                    offset: s.offset,
                    line: None,
                    frame: None,
                    message: format!("stopped by the user: {}", s.message),
                });
            }
        }
        {
            let cov = self.tracker.coverage_mut();
            cov.incomplete_fragments = std::mem::take(&mut self.incomplete);
            cov.cut_short = error.is_some() || read.as_ref().is_some_and(|r| r.stopped.is_some());
        }
        let coverage = self.tracker.coverage().clone();
        let mut tunnels: Vec<TunnelReport> = self
            .tracker
            .finish()
            .into_iter()
            .map(|t| TunnelReport::new(t, &coverage))
            .collect();
        let findings = crate::analysis::fold_findings(&mut tunnels);
        Ok(FileAnalysis {
            path: if input.as_os_str() == "-" {
                "(standard input)".to_string()
            } else {
                input.display().to_string()
            },
            read,
            error,
            notices: self.notices,
            frames: self.frames,
            ipsec_packets: self.ipsec,
            filtered: self.filtered,
            first: self.first,
            last: self.last,
            tunnels,
            findings,
            logs: Vec::new(),
            decryption: None,
        })
    }
}
