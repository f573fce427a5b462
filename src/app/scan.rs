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

fn is_capture(path: &Path) -> Result<bool, String> {
    let mut f = fs::File::open(path).map_err(|e| e.to_string())?;
    let mut head = [0u8; 512];
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(capture::sniff(&head[..n]).is_some())
}

/// Walk `roots` recursively (files are taken as given), following symlinks
/// but never the same directory twice.
pub fn find(roots: &[PathBuf], shard: Option<(u32, u32)>) -> Found {
    let mut found = Found::default();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut stack: Vec<PathBuf> = roots.iter().rev().cloned().collect();
    // Bounded: every directory is entered once (by canonical path).
    while let Some(p) = stack.pop() {
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
            stack.extend(entries.into_iter().rev());
        } else if meta.is_file() {
            if !in_shard(&p, shard) {
                continue;
            }
            match is_capture(&p) {
                Ok(true) => found.captures.push((p, meta.len())),
                Ok(false) => found.skipped.push(Skipped {
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
        }
    }
    found.captures.sort();
    found.captures.dedup();
    found.bytes = found.captures.iter().map(|(_, n)| n).sum();
    found
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
