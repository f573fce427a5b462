//! The analysis results the reports print: per file, per tunnel.

use serde::Serialize;

use crate::capture::{self, Notice, ReadSummary, Timestamp};
use crate::diagnose::{Severity, Verdict};
use crate::flow::Tunnel;
use crate::net;

/// A notice from any layer, as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FileNotice {
    pub level: capture::Level,
    pub offset: Option<u64>,
    pub line: Option<u64>,
    pub frame: Option<u64>,
    pub message: String,
}

impl From<Notice> for FileNotice {
    fn from(n: Notice) -> Self {
        FileNotice {
            level: n.level,
            offset: n.offset,
            line: n.line,
            frame: n.frame,
            message: n.message,
        }
    }
}

impl From<net::NetNotice> for FileNotice {
    fn from(n: net::NetNotice) -> Self {
        FileNotice {
            level: capture::Level::Warning,
            offset: None,
            line: None,
            frame: n.frame,
            message: n.message,
        }
    }
}

/// A tunnel with its verdicts.
#[derive(Debug, Clone)]
pub struct TunnelReport {
    pub tunnel: Tunnel,
    pub verdicts: Vec<Verdict>,
}

impl TunnelReport {
    pub fn worst(&self) -> Severity {
        self.verdicts
            .iter()
            .map(|v| v.severity)
            .max()
            .unwrap_or(Severity::Ok)
    }
}

/// The analysis of one capture file.
#[derive(Debug, Clone)]
pub struct FileAnalysis {
    pub path: String,
    pub read: Option<ReadSummary>,
    /// The file could not be read at all.
    pub error: Option<String>,
    pub notices: Vec<FileNotice>,
    pub frames: u64,
    pub ipsec_packets: u64,
    /// IPsec packets left out by `--peer` / `--spi`.
    pub filtered: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub tunnels: Vec<TunnelReport>,
}

impl FileAnalysis {
    /// Worst verdict severity over all tunnels.
    pub fn worst(&self) -> Severity {
        self.tunnels
            .iter()
            .map(|t| t.worst())
            .max()
            .unwrap_or(Severity::Ok)
    }

    /// Reading stopped early or failed, or the reader found damage (a
    /// broken hex dump in a console export).
    pub fn input_failed(&self) -> bool {
        self.error.is_some()
            || self.read.as_ref().is_some_and(|r| r.stopped.is_some())
            || self
                .notices
                .iter()
                .any(|n| n.level == capture::Level::Error)
    }

    /// An input that could not be opened at all.
    pub fn unreadable(path: String, reason: String) -> FileAnalysis {
        FileAnalysis {
            path,
            read: None,
            error: Some(reason),
            notices: Vec::new(),
            frames: 0,
            ipsec_packets: 0,
            filtered: 0,
            first: None,
            last: None,
            tunnels: Vec::new(),
        }
    }
}
