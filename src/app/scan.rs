//! `ikescope scan`: find captures under directories (by magic bytes, not
//! names), analyse them in parallel, and report in path order.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{analyze, FileAnalysis, Options};
use crate::capture;

/// A file passed over, and why (shown with `-v`).
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
    /// It could not be read (missing, no permission): an input failure, not
    /// a file that is simply not a capture.
    pub failed: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// Captures found, with their size on disk.
    pub captures: Vec<(PathBuf, u64)>,
    pub skipped: Vec<Skipped>,
    /// Total size of the captures, for progress.
    pub bytes: u64,
}

/// Select files for shard `index` of `count` by a stable hash of the path,
/// so N jobs split a corpus without coordination.
pub fn in_shard(path: &Path, shard: Option<(u32, u32)>) -> bool {
    let Some((index, count)) = shard else {
        return true;
    };
    let mut h: u64 = 0xcbf29ce484222325;
    for b in path.to_string_lossy().as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    (h % count as u64) as u32 == index
}

/// File name endings that promise a capture (Wireshark's own save formats
/// and their gzip forms).
const CAPTURE_ENDINGS: &[&str] = &[
    ".pcap",
    ".pcapng",
    ".cap",
    ".ntar",
    ".pcap.gz",
    ".pcapng.gz",
    ".cap.gz",
];

fn named_like_capture(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    CAPTURE_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// What the first bytes of a regular file say.
enum Sniffed {
    Capture,
    /// Not a capture by content, with the first bytes for the message.
    Other(Vec<u8>),
}

fn sniff_file(path: &Path) -> Result<Sniffed, String> {
    let mut f = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut head = [0u8; 512];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let head = &head[..n];
    Ok(if capture::sniff(head).is_some() {
        Sniffed::Capture
    } else {
        Sniffed::Other(head.iter().take(8).copied().collect())
    })
}

/// The kind of a file that is neither a regular file nor a directory.
fn special_kind(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        } else if t.is_char_device() {
            return "a character device";
        } else if t.is_block_device() {
            return "a block device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a regular file"
}

#[cfg(unix)]
fn is_fifo(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_meta: &fs::Metadata) -> bool {
    false
}

/// Walk `roots` recursively (files are taken as given), following symlinks
/// but never the same directory twice.
///
/// A named pipe given on the command line is read as a capture (its first
/// bytes cannot be looked at twice, so it is not sniffed); devices and
/// sockets are refused with a message. Met during a walk, none of them is
/// read (a pipe could block the scan forever); they are listed as skipped.
/// A file named like a capture (`.pcap`, …) whose first bytes are no
/// capture's is reported as damaged, not passed over.
pub fn find(roots: &[PathBuf], shard: Option<(u32, u32)>) -> Found {
    let mut found = Found::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stack: Vec<(PathBuf, bool)> = roots.iter().rev().map(|r| (r.clone(), true)).collect();
    // Bounded: every directory is entered once (by canonical path).
    while let Some((p, given)) = stack.pop() {
        let meta = match fs::metadata(&p) {
            Ok(m) => m,
            Err(e) => {
                found.skipped.push(Skipped {
                    path: p,
                    reason: e.to_string(),
                    failed: true,
                });
                continue;
            }
        };
        if meta.is_dir() {
            let canon = fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if !seen.insert(canon) {
                found.skipped.push(Skipped {
                    path: p,
                    reason: "directory already visited (symlink loop)".to_string(),
                    failed: false,
                });
                continue;
            }
            let mut entries: Vec<PathBuf> = match fs::read_dir(&p) {
                Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
                Err(e) => {
                    found.skipped.push(Skipped {
                        path: p,
                        reason: e.to_string(),
                        failed: true,
                    });
                    continue;
                }
            };
            entries.sort();
            stack.extend(entries.into_iter().rev().map(|e| (e, false)));
        } else if meta.is_file() {
            if !in_shard(&p, shard) {
                continue;
            }
            match sniff_file(&p) {
                Ok(Sniffed::Capture) => found.captures.push((p, meta.len())),
                Ok(Sniffed::Other(head)) if named_like_capture(&p) => {
                    let reason = if head.is_empty() {
                        "damaged: named like a capture but empty (0 bytes)".to_string()
                    } else {
                        format!(
                            "damaged: named like a capture but no pcap, pcapng or gzip \
                             magic number (starts {})",
                            hex::encode(&head)
                        )
                    };
                    found.skipped.push(Skipped {
                        path: p,
                        reason,
                        failed: true,
                    });
                }
                Ok(Sniffed::Other(_)) => found.skipped.push(Skipped {
                    path: p,
                    reason: "not a capture (no pcap, pcapng, gzip or Cisco text signature)"
                        .to_string(),
                    failed: false,
                }),
                Err(e) => found.skipped.push(Skipped {
                    path: p,
                    reason: e,
                    failed: true,
                }),
            }
        } else if given && is_fifo(&meta) {
            // Read as given; progress cannot know its size.
            found.captures.push((p, 0));
        } else {
            let kind = special_kind(&meta);
            found.skipped.push(Skipped {
                reason: if given {
                    format!("{kind}: not read (only files, directories and named pipes are)")
                } else {
                    format!("{kind}: not read during a directory walk (name a pipe on the command line to read it)")
                },
                path: p,
                failed: given,
            });
        }
    }
    found.captures.sort();
    found.captures.dedup();
    found.bytes = found.captures.iter().map(|(_, n)| n).sum();
    found
}

/// Worker threads for `files` captures: what was asked (else one per core),
/// but never more than there are files, nor more than 8 per core — threads
/// beyond that only cost their start-up (`-j 10000` spent 32 s starting
/// threads). At least one.
pub fn clamp_jobs(asked: Option<usize>, files: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    asked.unwrap_or(cores).min(files).min(cores * 8).max(1)
}

/// Analyse every capture, `jobs` at a time; results come back in path order.
/// `progress` is called after each file with its size.
pub fn run(
    files: &[(PathBuf, u64)],
    opts: &Options,
    jobs: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<FileAnalysis> {
    let work = || {
        files
            .par_iter()
            .map(|(p, size)| {
                let a = analyze(p, opts, None);
                progress(*size);
                a
            })
            .collect()
    };
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(work),
        Err(_) => files.iter().map(|(p, _)| analyze(p, opts, None)).collect(),
    }
}
