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
//! Each frame goes through the batch run's pipeline ([`Pipeline`]): the
//! same decoding, filters, key tables (`--keys`, and `CAPTURE.keys` beside
//! a followed file) and tracker, so decrypted messages show their contents
//! and the summary at the end is what `ikescope FILE` says of the same
//! bytes. Device logs (`--log`) are read once at the start and joined to
//! the capture's tunnels in that summary (their clock offset is estimated
//! from the whole capture).
//!
//! Memory stays flat on an endless stream: a tunnel quiet for longer than
//! `--expire` (default [`DEFAULT_EXPIRE_SECS`]) leaves the live state with
//! its final verdicts printed once; beyond [`MAX_LIVE_TUNNELS`] tunnels or
//! [`MAX_LIVE_SAS`] ESP/AH SAs the longest quiet ones leave first, said by a
//! notice. Within a tunnel the tracker's own limits hold (messages per IKE
//! SA, IKE SAs per tunnel, kept events); notices are kept up to
//! [`MAX_KEPT`] and counted beyond. Nothing here keeps packets.

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

use super::{FileAnalysis, FileNotice, Options, Pipeline, TunnelReport};
use crate::capture::{self, Frame, FrameSink, Notice, Timestamp};
use crate::diagnose::{Code, Severity};
use crate::flow::{self, Touched, TunnelId};
use crate::report::live::{self, Change, LiveCounts, Shown};

/// The longest IKE SA lifetime assumed: 86,400 s, the default of Cisco
/// ASA and IOS (`crypto ikev1|ikev2 policy … lifetime`, `crypto isakmp
/// policy … lifetime`); strongSwan's and the IPsec SAs' defaults are
/// shorter. A tunnel that is up rekeys, sends DPD or carries traffic
/// within it.
pub const LONGEST_LIFETIME_SECS: f64 = 86_400.0;
/// A tunnel quiet for twice the longest lifetime is gone: it leaves the
/// live state (`--expire` sets another bound).
pub const DEFAULT_EXPIRE_SECS: f64 = 2.0 * LONGEST_LIFETIME_SECS;
/// `--expire` below this is raised to it: a verdict must have time to
/// hold ([`SETTLE_SECS`]) and a retransmission (seconds apart) to come.
pub const MIN_EXPIRE_SECS: f64 = 10.0;
/// Tunnels tracked at once; beyond, the longest quiet leave (a notice says
/// so). A tunnel with its IKE SAs and the tracker's per-SA limits is a few
/// KiB to a few hundred KiB; most carry a handful of messages.
pub const MAX_LIVE_TUNNELS: usize = 10_000;
/// ESP/AH SAs tracked at once (about 200 bytes each); beyond, the longest
/// quiet are forgotten (a notice says so). Kept below the tracker's own
/// bound ([`crate::flow::MAX_ESP_SAS`]) by more than the SAs that can arrive
/// between two sweeps, so on a live stream the quietest SAs leave rather
/// than new ones being refused.
pub const MAX_LIVE_SAS: usize = 80_000;
/// Notices (and fragment sets that never completed) kept on a live stream.
pub const MAX_KEPT: usize = 1_000;
/// How often (seconds of capture time) the live state is swept for
/// tunnels to expire and SAs over the cap, …
const SWEEP_SECS: f64 = 1.0;
/// … and at least every so many frames (so the SA cap is exceeded by at
/// most this many SAs between sweeps).
const SWEEP_FRAMES: u64 = 10_000;
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

#[derive(Debug, Clone)]
pub struct FollowOptions {
    pub opts: Options,
    pub json: bool,
    /// Redraw a tunnel table (stdout is a terminal).
    pub terminal: Option<Terminal>,
    /// A tunnel quiet for longer leaves the live state (seconds).
    pub expire_secs: f64,
    /// Caps on the live state ([`MAX_LIVE_TUNNELS`], [`MAX_LIVE_SAS`]).
    pub max_tunnels: usize,
    pub max_sas: usize,
}

impl FollowOptions {
    /// The defaults: expiry after [`DEFAULT_EXPIRE_SECS`], the caps above.
    pub fn new(opts: Options, json: bool, terminal: Option<Terminal>) -> FollowOptions {
        FollowOptions {
            opts,
            json,
            terminal,
            expire_secs: DEFAULT_EXPIRE_SECS,
            max_tunnels: MAX_LIVE_TUNNELS,
            max_sas: MAX_LIVE_SAS,
        }
    }
}

/// What a followed input came to: the analysis of the tunnels still
/// tracked, and how the live state was bounded.
#[derive(Debug)]
pub struct Followed {
    pub analysis: FileAnalysis,
    pub counts: LiveCounts,
}

/// Follow `input` (`-` = standard input) until it ends or `stop` is set.
pub fn run(
    input: &Path,
    fo: &FollowOptions,
    out: Box<dyn Write>,
    stop: Arc<AtomicBool>,
) -> io::Result<Followed> {
    let rx = spawn_source(input, stop.clone())?;
    let live = Rc::new(RefCell::new(Live::new(input, fo, out, stop.clone())));
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
        self.0.borrow_mut().p.notices.push(notice.into());
    }
}

/// Why a tunnel left the live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leave {
    /// Quiet for longer than `--expire`.
    Idle,
    /// The live tunnel cap was reached and it was among the longest quiet.
    Cap,
}

/// The live analysis and what has been printed of it.
struct Live<'w> {
    /// The batch run's pipeline: decoding, filters, keys, tracker.
    p: Pipeline<'static>,
    json: bool,
    terminal: Option<Terminal>,
    out: Box<dyn Write + 'w>,
    stop: Arc<AtomicBool>,
    /// Wall time of the last frame, to advance the clock while quiet.
    arrival: Instant,
    expire_secs: f64,
    max_tunnels: usize,
    max_sas: usize,
    /// The number each tracked tunnel is shown with (from 1, in order of
    /// first appearance, never reused), by tracker id. Increasing, so a
    /// number's tracker id is found by binary search.
    numbers: Vec<usize>,
    next_number: usize,
    /// Verdicts last printed, per tunnel number.
    shown: HashMap<usize, BTreeMap<Code, Severity>>,
    /// Changes not printed yet: (tunnel, code) → (severity it goes to,
    /// None = cleared; since when it has held).
    pending: HashMap<(usize, Code), (Option<Severity>, Timestamp)>,
    /// Tunnels that carried ESP/AH since they were last judged.
    dirty: BTreeSet<usize>,
    /// When each tunnel last carried anything.
    active: HashMap<usize, Timestamp>,
    last_esp_eval: Option<Timestamp>,
    last_sweep: Option<Timestamp>,
    /// Frames read at the last sweep.
    swept_at: u64,
    /// The latest judgement of each tunnel, for the terminal table.
    reports: BTreeMap<usize, TunnelReport>,
    /// Lines of the table currently on screen.
    drawn: usize,
    last_idle_eval: Instant,
    counts: LiveCounts,
    /// Notices and fragment reports beyond [`MAX_KEPT`], not kept.
    notices_dropped: u64,
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
    fn new(
        input: &Path,
        fo: &FollowOptions,
        out: Box<dyn Write + 'w>,
        stop: Arc<AtomicBool>,
    ) -> Live<'w> {
        let p = Pipeline::for_capture(input, &fo.opts, None);
        Live {
            p,
            json: fo.json,
            terminal: if fo.json { None } else { fo.terminal },
            out,
            stop,
            arrival: Instant::now(),
            expire_secs: fo.expire_secs.max(MIN_EXPIRE_SECS),
            max_tunnels: fo.max_tunnels.max(1),
            max_sas: fo.max_sas.max(1),
            numbers: Vec::new(),
            next_number: 1,
            shown: HashMap::new(),
            pending: HashMap::new(),
            dirty: BTreeSet::new(),
            active: HashMap::new(),
            last_esp_eval: None,
            last_sweep: None,
            swept_at: 0,
            reports: BTreeMap::new(),
            drawn: 0,
            last_idle_eval: Instant::now(),
            counts: LiveCounts {
                expire_secs: fo.expire_secs.max(MIN_EXPIRE_SECS),
                max_tunnels: fo.max_tunnels.max(1),
                max_sas: fo.max_sas.max(1),
                ..LiveCounts::default()
            },
            notices_dropped: 0,
        }
    }

    /// The tracker id of tunnel number `n`.
    fn id(&self, n: usize) -> Option<TunnelId> {
        self.numbers.binary_search(&n).ok().map(TunnelId)
    }

    fn number(&self, id: TunnelId) -> Option<usize> {
        self.numbers.get(id.0).copied()
    }

    fn frame(&mut self, frame: &Frame<'_>) {
        self.arrival = Instant::now();
        let touched = self.p.step(frame);
        while self.numbers.len() < self.p.tracker.len() {
            self.numbers.push(self.next_number);
            self.next_number += 1;
        }
        self.counts.peak_tunnels = self.counts.peak_tunnels.max(self.numbers.len());
        self.bound_notices();
        if let Some(t) = touched {
            self.touched(t, frame.number, frame.ts);
        }
        let due = self
            .last_esp_eval
            .is_none_or(|l| frame.ts.since(l) >= ESP_EVERY_SECS);
        if due && !self.dirty.is_empty() {
            self.last_esp_eval = Some(frame.ts);
            for n in std::mem::take(&mut self.dirty) {
                self.judge(n, frame.ts);
            }
        }
        let sweep = self
            .last_sweep
            .is_none_or(|l| frame.ts.since(l) >= SWEEP_SECS)
            || self.p.frames >= self.swept_at + SWEEP_FRAMES;
        if sweep || self.numbers.len() > self.max_tunnels {
            self.last_sweep = Some(frame.ts);
            self.swept_at = self.p.frames;
            self.sweep(frame.ts);
        }
    }

    /// Notices (malformed packets, fragment sets that never completed) are
    /// kept up to [`MAX_KEPT`] on an endless stream; the rest are counted.
    fn bound_notices(&mut self) {
        for v in [self.p.notices.len(), self.p.incomplete.len()] {
            if v > MAX_KEPT {
                self.notices_dropped += (v - MAX_KEPT) as u64;
            }
        }
        self.p.notices.truncate(MAX_KEPT);
        self.p.incomplete.truncate(MAX_KEPT);
    }

    /// After an observation: print an IKE message, re-judge its tunnel.
    fn touched(&mut self, touched: Touched, frame: u64, ts: Timestamp) {
        let Some(tid) = touched.tunnel else {
            return;
        };
        let Some(n) = self.number(tid) else {
            return;
        };
        self.active.insert(n, ts);
        if touched.step.is_none() {
            self.dirty.insert(n);
            return;
        }
        let Some(t) = self.p.tracker.snapshot(tid) else {
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
                    live::message_json(out, n, peers, &m)
                } else {
                    live::message_text(out, n, &m)
                }
            });
        }
        let tr = TunnelReport::new(t, self.p.tracker.coverage());
        self.judge_report(n, tr, ts, false);
    }

    fn judge(&mut self, n: usize, at: Timestamp) {
        let Some(tid) = self.id(n) else {
            return;
        };
        if let Some(t) = self.p.tracker.snapshot(tid) {
            let tr = TunnelReport::new(t, self.p.tracker.coverage());
            self.judge_report(n, tr, at, false);
        }
    }

    /// Print what changed in tunnel `n`'s verdicts since they were last
    /// printed and has held for [`SETTLE_SECS`] (or at once with `force`,
    /// when the tunnel leaves): a verdict judged the instant after a
    /// request ("no answer yet") must not be printed before the answer had
    /// time to come.
    fn judge_report(&mut self, n: usize, tr: TunnelReport, at: Timestamp, force: bool) {
        self.dirty.remove(&n);
        let mut shown = self.shown.remove(&n).unwrap_or_default();
        let peers = tr.tunnel.peers;
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
            .retain(|(t, c), _| *t != n || target.contains_key(c));
        for (code, to) in target {
            let since = match self.pending.get(&(n, code)) {
                Some(&(p, since)) if p == to => since,
                _ => {
                    self.pending.insert((n, code), (to, at));
                    at
                }
            };
            if !force && at.since(since) < SETTLE_SECS {
                continue;
            }
            self.pending.remove(&(n, code));
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
        self.shown.insert(n, shown);
        if self.terminal.is_some() {
            self.reports.insert(n, tr);
        }
    }

    /// Bound the live state at `now`: tunnels quiet for longer than the
    /// expiry leave, then the longest quiet ones while more than the cap are
    /// tracked, each with its final verdicts printed; ESP/AH SAs beyond
    /// their cap are forgotten, the longest quiet first, with a notice.
    fn sweep(&mut self, now: Timestamp) {
        // Changes that have had time to hold are printed even when their
        // tunnel carries nothing more on a busy stream.
        let held: BTreeSet<usize> = self
            .pending
            .iter()
            .filter(|(_, (_, since))| now.since(*since) >= SETTLE_SECS)
            .map(|((n, _), _)| *n)
            .collect();
        for n in held {
            self.judge(n, now);
        }
        let mut leave: BTreeMap<usize, Leave> = self
            .active
            .iter()
            .filter(|(_, at)| now.since(**at) > self.expire_secs)
            .map(|(n, _)| (*n, Leave::Idle))
            .collect();
        let staying = self.numbers.len().saturating_sub(leave.len());
        if staying > self.max_tunnels {
            // Down to nine tenths of the cap, so the cap is not met again
            // at the next new tunnel.
            let excess = staying - self.max_tunnels * 9 / 10;
            let mut quiet: Vec<(Timestamp, usize)> = self
                .numbers
                .iter()
                .filter(|n| !leave.contains_key(n))
                .map(|n| (self.active.get(n).copied().unwrap_or_default(), *n))
                .collect();
            quiet.sort_unstable();
            for (_, n) in quiet.into_iter().take(excess) {
                leave.insert(n, Leave::Cap);
            }
            if self.counts.capped == 0 {
                let msg = format!(
                    "more than {} tunnels tracked at once: the longest quiet ones leave the live view (their final verdicts are printed as they leave)",
                    self.max_tunnels
                );
                self.live_notice(now, &msg);
            }
        }
        let sas = self.p.tracker.esp_sa_count();
        let sa_cutoff = (sas > self.max_sas).then(|| {
            let mut lasts: Vec<Timestamp> = self.p.tracker.esp_sa_lasts().collect();
            let k = sas - self.max_sas * 9 / 10;
            lasts.sort_unstable();
            lasts.get(k.saturating_sub(1)).copied().unwrap_or_default()
        });
        if leave.is_empty() && sa_cutoff.is_none() {
            return;
        }
        for (&n, &why) in &leave {
            self.leave(n, why, now);
        }
        let numbers = &self.numbers;
        let map = self.p.tracker.forget(
            |id| numbers.get(id.0).is_some_and(|n| leave.contains_key(n)),
            sa_cutoff,
        );
        let mut kept = Vec::with_capacity(self.numbers.len());
        for (n, m) in self.numbers.iter().zip(&map) {
            if m.is_some() {
                kept.push(*n);
            }
        }
        self.numbers = kept;
        if sa_cutoff.is_some() {
            let forgotten = sas.saturating_sub(self.p.tracker.esp_sa_count());
            if self.counts.sas_forgotten == 0 {
                let msg = format!(
                    "more than {} ESP/AH SAs tracked at once: the longest quiet ones are forgotten, and the verdicts of their tunnels no longer count them",
                    self.max_sas
                );
                self.live_notice(now, &msg);
            }
            self.counts.sas_forgotten += forgotten as u64;
        }
    }

    /// Tunnel `n` leaves the live state: its verdicts are printed as they
    /// stand (whether or not they have held), then one line says it left.
    fn leave(&mut self, n: usize, why: Leave, now: Timestamp) {
        let Some(tid) = self.id(n) else {
            return;
        };
        let Some(t) = self.p.tracker.snapshot(tid) else {
            return;
        };
        let idle = self.active.get(&n).map_or(0.0, |a| now.since(*a));
        let tr = TunnelReport::new(t, self.p.tracker.coverage());
        let peers = tr.tunnel.peers;
        let verdicts = tr.verdicts.clone();
        self.judge_report(n, tr, now, true);
        let json = self.json;
        let reason = match why {
            Leave::Idle => {
                self.counts.expired += 1;
                live::LeaveReason::Idle
            }
            Leave::Cap => {
                self.counts.capped += 1;
                live::LeaveReason::Cap
            }
        };
        let e = live::Left {
            at: now,
            tunnel: n,
            peers,
            reason,
            idle_secs: idle,
            verdicts: &verdicts,
        };
        self.emit(|out| {
            if json {
                live::left_json(out, &e)
            } else {
                live::left_text(out, &e)
            }
        });
        self.shown.remove(&n);
        self.pending.retain(|(t, _), _| *t != n);
        self.dirty.remove(&n);
        self.active.remove(&n);
        self.reports.remove(&n);
    }

    /// A limit that bit, said on the live output at once and in the summary.
    fn live_notice(&mut self, at: Timestamp, message: &str) {
        let json = self.json;
        self.emit(|out| {
            if json {
                live::notice_json(out, at, message)
            } else {
                live::notice_text(out, at, message)
            }
        });
        self.p
            .notices
            .push(FileNotice::warning(message.to_string()));
    }

    /// Nothing arrived for a while: the clock moves on by wall time, and
    /// every tunnel is judged again (silence may now be an answer).
    fn idle(&mut self) {
        if self.last_idle_eval.elapsed() < IDLE {
            return;
        }
        self.last_idle_eval = Instant::now();
        let Some(last) = self.p.last else {
            return;
        };
        let now = add(last, self.arrival.elapsed());
        self.p.tracker.tick(now);
        // Silence changes the verdicts of tunnels that were active lately,
        // or that have a change waiting to hold; long-quiet ones are settled.
        let waiting: BTreeSet<usize> = self.pending.keys().map(|(t, _)| *t).collect();
        let recent: Vec<usize> = self
            .active
            .iter()
            .filter(|(t, at)| now.since(**at) < QUIET_SECS || waiting.contains(t))
            .map(|(t, _)| *t)
            .collect();
        for n in recent {
            self.judge(n, now);
        }
        self.sweep(now);
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
                    .map(|(n, r)| {
                        let mut shown: Vec<(Code, Severity)> = self
                            .shown
                            .get(n)
                            .map(|m| m.iter().map(|(c, s)| (*c, *s)).collect())
                            .unwrap_or_default();
                        shown.sort_by_key(|x| std::cmp::Reverse(x.1));
                        (*n, r, shown)
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

    /// The end: erase the table, and hand back the whole analysis of what
    /// is still tracked, as a batch run would make it.
    fn finish(
        mut self,
        input: &Path,
        mut result: Result<capture::ReadSummary, capture::CaptureError>,
        stopped: bool,
    ) -> io::Result<Followed> {
        if self.drawn > 0 {
            write!(self.out, "\x1b[{}F\x1b[J", self.drawn)?;
            self.drawn = 0;
        }
        self.out.flush()?;
        self.p.end_of_input();
        // A record cut short because the user stopped us is not damage.
        if stopped {
            if let Some(s) = result.as_mut().ok().and_then(|r| r.stopped.take()) {
                self.p.notices.push(FileNotice {
                    level: capture::Level::Warning,
                    offset: s.offset,
                    line: None,
                    frame: None,
                    message: format!("stopped by the user: {}", s.message),
                });
            }
        }
        let left = self.counts.expired + self.counts.capped;
        if left > 0 {
            self.p.notices.push(FileNotice::warning(format!(
                    "live view: {} tunnel(s) left after {} s quiet and {} at the cap of {} tunnels; their final verdicts were printed as they left, and this summary covers the {} still tracked",
                    self.counts.expired,
                    self.expire_secs,
                    self.counts.capped,
                    self.max_tunnels,
                    self.numbers.len()
                )));
        }
        if self.notices_dropped > 0 {
            self.p.notices.push(FileNotice::warning(format!(
                "live view: {} notice(s) beyond the first {MAX_KEPT} were not kept",
                self.notices_dropped
            )));
        }
        self.counts.tunnels = self.numbers.len();
        let name = if input.as_os_str() == "-" {
            "(standard input)".to_string()
        } else {
            input.display().to_string()
        };
        let counts = self.counts;
        Ok(Followed {
            analysis: super::finish(name, result, self.p),
            counts,
        })
    }
}
