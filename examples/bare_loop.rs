//! The floor for `bench/run`: the least work that can find the IPsec packets
//! of a capture.
//!
//! ```text
//! cargo run --release --example bare_loop -- [--mode mmap|populate|read] FILE...
//! ```
//!
//! Memory-maps each file, walks the pcap records or pcapng blocks, and
//! counts packets that an IPsec tool must look at: IP protocol 50 (ESP) or 51
//! (AH), or UDP with port 500 or 4500 on either side. Link layers: Ethernet
//! (with 802.1Q/802.1ad tags) and raw IP; IPv4 (options honoured, non-first
//! fragments skipped) and IPv6 (fixed header only, no extension-header walk).
//! Nothing is decoded beyond those fixed offsets and nothing is allocated
//! per packet. The file is read once; the page cache is expected to be warm.
//! `--mode` picks how the bytes arrive: a memory map faulted in page by page
//! (default), a memory map populated up front (MAP_POPULATE), or `read()`
//! into one reused 4 MiB buffer.
//!
//! Prints one line per file:
//! `bare_loop file=F format=pcap bytes=N packets=N matches=N seconds=S gbps=G mpps=M`.

use std::fs::File;
use std::io::Read;
use std::time::Instant;

use memmap2::{Mmap, MmapOptions};

const LT_ETHERNET: u32 = 1;
const LT_RAW: [u32; 5] = [12, 14, 101, 228, 229];

#[inline]
fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

#[inline]
fn u32_at(d: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at + 4)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// Whether the IP packet at `ip` is ESP, AH or UDP 500/4500.
#[inline]
fn ip_matches(ip: &[u8]) -> bool {
    let Some(&v) = ip.first() else { return false };
    let (proto, l4) = match v >> 4 {
        4 => {
            let ihl = ((v & 0x0f) as usize) * 4;
            let Some(&proto) = ip.get(9) else {
                return false;
            };
            // Non-first fragments have no transport header.
            let frag_off = be16(ip, 6).unwrap_or(0) & 0x1fff;
            if frag_off != 0 {
                return false;
            }
            (proto, ihl)
        }
        6 => match ip.get(6) {
            Some(&nh) => (nh, 40),
            None => return false,
        },
        _ => return false,
    };
    match proto {
        50 | 51 => true,
        17 => {
            let (Some(s), Some(d)) = (be16(ip, l4), be16(ip, l4 + 2)) else {
                return false;
            };
            s == 500 || s == 4500 || d == 500 || d == 4500
        }
        _ => false,
    }
}

#[inline]
fn frame_matches(linktype: u32, f: &[u8]) -> bool {
    if linktype == LT_ETHERNET {
        let mut off = 12;
        let mut et = be16(f, off).unwrap_or(0);
        // Up to two VLAN tags (802.1Q, 802.1ad).
        for _ in 0..2 {
            if et == 0x8100 || et == 0x88a8 {
                off += 4;
                et = be16(f, off).unwrap_or(0);
            }
        }
        match et {
            0x0800 | 0x86dd => f.get(off + 2..).is_some_and(ip_matches),
            _ => false,
        }
    } else if LT_RAW.contains(&linktype) {
        ip_matches(f)
    } else {
        false
    }
}

#[derive(Default)]
struct Count {
    packets: u64,
    matches: u64,
}

/// Walks pcap records or pcapng blocks over consecutive windows of a file.
#[derive(Default)]
struct Walker {
    pcapng: bool,
    big_endian: bool,
    started: bool,
    /// pcap: the file's link type. pcapng: one per interface of the section.
    linktypes: Vec<u32>,
}

impl Walker {
    /// Count every complete record or block at the start of `d`; returns the
    /// bytes consumed (a record cut by the window's end is left for the next).
    fn feed(&mut self, d: &[u8], c: &mut Count) -> Result<usize, String> {
        if !self.started {
            if d.len() < 24 {
                return Ok(0);
            }
            self.started = true;
            if d[..4] == [0x0a, 0x0d, 0x0d, 0x0a] {
                self.pcapng = true;
            } else {
                self.big_endian = match u32_at(d, 0, false) {
                    Some(0xa1b2_c3d4 | 0xa1b2_3c4d) => false,
                    Some(0xd4c3_b2a1 | 0x4d3c_b2a1) => true,
                    _ => return Err("not a pcap or pcapng file".into()),
                };
                let lt = u32_at(d, 20, self.big_endian).unwrap_or(0) & 0x0fff_ffff;
                self.linktypes.push(lt);
                return self.feed_pcap(d, 24, c);
            }
        }
        if self.pcapng {
            self.feed_pcapng(d, c)
        } else {
            self.feed_pcap(d, 0, c)
        }
    }

    fn feed_pcap(&mut self, d: &[u8], mut off: usize, c: &mut Count) -> Result<usize, String> {
        let linktype = self.linktypes.first().copied().unwrap_or(0);
        while let Some(caplen) = u32_at(d, off + 8, self.big_endian) {
            let start = off + 16;
            let end = start + caplen as usize;
            let Some(frame) = d.get(start..end) else {
                if caplen > 1 << 24 {
                    return Err(format!("implausible record length {caplen}"));
                }
                break;
            };
            c.packets += 1;
            c.matches += frame_matches(linktype, frame) as u64;
            off = end;
        }
        Ok(off)
    }

    fn feed_pcapng(&mut self, d: &[u8], c: &mut Count) -> Result<usize, String> {
        let mut off = 0;
        while off + 12 <= d.len() {
            let ty = u32_at(d, off, self.big_endian).unwrap_or(0);
            if ty == 0x0a0d_0d0a {
                // Section header: byte order from its magic; interfaces restart.
                self.big_endian = match u32_at(d, off + 8, false) {
                    Some(0x1a2b_3c4d) => false,
                    Some(0x4d3c_2b1a) => true,
                    _ => return Err("bad section header".into()),
                };
                self.linktypes.clear();
            }
            let len = u32_at(d, off + 4, self.big_endian).unwrap_or(0) as usize;
            if len < 12 || !len.is_multiple_of(4) || len > 1 << 26 {
                return Err(format!("bad block length {len}"));
            }
            let Some(block) = d.get(off..off + len) else {
                break;
            };
            match ty {
                1 => self
                    .linktypes
                    .push(u16_at(block, 8, self.big_endian) as u32),
                6 => {
                    let iface = u32_at(block, 8, self.big_endian).unwrap_or(0) as usize;
                    let caplen = u32_at(block, 20, self.big_endian).unwrap_or(0) as usize;
                    let frame = block.get(28..28 + caplen).unwrap_or(&[]);
                    let lt = self.linktypes.get(iface).copied().unwrap_or(0);
                    c.packets += 1;
                    c.matches += frame_matches(lt, frame) as u64;
                }
                3 => {
                    // Simple packet block: interface 0, data after the original length.
                    let lt = self.linktypes.first().copied().unwrap_or(0);
                    let frame = block.get(12..len - 4).unwrap_or(&[]);
                    c.packets += 1;
                    c.matches += frame_matches(lt, frame) as u64;
                }
                _ => {}
            }
            off += len;
        }
        Ok(off)
    }
}

fn u16_at(d: &[u8], at: usize, big_endian: bool) -> u16 {
    match d.get(at..at + 2) {
        Some(b) if big_endian => u16::from_be_bytes([b[0], b[1]]),
        Some(b) => u16::from_le_bytes([b[0], b[1]]),
        None => 0,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Memory map, pages faulted in as the loop touches them.
    Mmap,
    /// Memory map with MAP_POPULATE: the whole file mapped up front.
    Populate,
    /// `read()` into one reused buffer of `READ_BUF` bytes.
    Read,
}

const READ_BUF: usize = 4 << 20;

/// Walk the file; returns (bytes, format).
fn walk(path: &str, mode: Mode, c: &mut Count) -> Result<(u64, &'static str), String> {
    let mut file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut w = Walker::default();
    let done = |pos: u64, len: u64| -> Result<(), String> {
        if pos < len {
            Err(format!(
                "stopped at offset {pos} of {len} (truncated or corrupt)"
            ))
        } else {
            Ok(())
        }
    };
    if mode == Mode::Read {
        let mut buf = vec![0u8; READ_BUF];
        let (mut have, mut pos, mut total) = (0usize, 0u64, 0u64);
        loop {
            let n = file
                .read(&mut buf[have..])
                .map_err(|e| format!("{path}: {e}"))?;
            total += n as u64;
            have += n;
            let used = w.feed(&buf[..have], c)?;
            pos += used as u64;
            buf.copy_within(used..have, 0);
            have -= used;
            if n == 0 {
                done(pos, total)?;
                break;
            }
            if have == buf.len() {
                // One record larger than the buffer.
                buf.resize(buf.len() * 2, 0);
            }
        }
        let fmt = if w.pcapng { "pcapng" } else { "pcap" };
        return Ok((total, fmt));
    }
    let mut opts = MmapOptions::new();
    if mode == Mode::Populate {
        opts.populate();
    }
    // SAFETY: the file is opened read-only and is not modified while mapped
    // (bench inputs are written once by gen_bench before any run).
    let map: Mmap = unsafe { opts.map(&file) }.map_err(|e| format!("{path}: mmap: {e}"))?;
    let used = w.feed(&map, c)?;
    done(used as u64, map.len() as u64)?;
    let fmt = if w.pcapng { "pcapng" } else { "pcap" };
    Ok((map.len() as u64, fmt))
}

fn run(path: &str, mode: Mode) {
    let t0 = Instant::now();
    let mut c = Count::default();
    let (bytes, format) = match walk(path, mode, &mut c) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bare_loop: {path}: {e} (counts cover the readable part)");
            (std::fs::metadata(path).map_or(0, |m| m.len()), "?")
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "bare_loop file={path} format={format} bytes={bytes} packets={} matches={} seconds={secs:.4} gbps={:.3} mpps={:.2}",
        c.packets,
        c.matches,
        bytes as f64 / secs / 1e9,
        c.packets as f64 / secs / 1e6
    );
}

const USAGE: &str = "usage: bare_loop [--mode mmap|populate|read] FILE...";

fn main() {
    let mut mode = Mode::Mmap;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mode" => {
                mode = match args.next().as_deref() {
                    Some("mmap") => Mode::Mmap,
                    Some("populate") => Mode::Populate,
                    Some("read") => Mode::Read,
                    _ => {
                        eprintln!("{USAGE}");
                        std::process::exit(2);
                    }
                }
            }
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return;
            }
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        eprintln!("{USAGE}");
        std::process::exit(2);
    }
    for f in &files {
        run(f, mode);
    }
}
