//! Shared helpers for the text-export tests: a collecting sink, a tiny pcap
//! record walker, and renderers that write packets the way Cisco consoles
//! print them.
#![allow(dead_code)]

pub mod packets;
pub mod render;

use ikescope::capture::{Frame, FrameSink, LinkType, Notice, Origin, Timestamp};

/// An owned copy of a delivered frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Got {
    pub number: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    pub data: Vec<u8>,
    pub orig_len: u32,
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub struct Collect {
    pub frames: Vec<Got>,
    pub notices: Vec<Notice>,
}

impl FrameSink for Collect {
    fn frame(&mut self, f: &Frame<'_>) {
        self.frames.push(Got {
            number: f.number,
            ts: f.ts,
            link: f.link,
            data: f.data.to_vec(),
            orig_len: f.orig_len,
            origin: f.origin,
        });
    }
    fn notice(&mut self, n: Notice) {
        self.notices.push(n);
    }
}

/// A packet record of a pcap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub secs: u32,
    pub micros: u32,
    pub orig_len: u32,
    pub data: Vec<u8>,
}

/// Walk a classic pcap file (either byte order, µs or ns): link type and
/// records. `None` if it is not one.
pub fn read_pcap(file: &[u8]) -> Option<(u32, Vec<Record>)> {
    let magic = file.get(..4)?;
    let (le, nanos) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (true, false),
        [0xa1, 0xb2, 0xc3, 0xd4] => (false, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (true, true),
        [0xa1, 0xb2, 0x3c, 0x4d] => (false, true),
        _ => return None,
    };
    let u32_at = |off: usize| -> Option<u32> {
        let b: [u8; 4] = file.get(off..off + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let link = u32_at(20)?;
    let mut off = 24usize;
    let mut out = Vec::new();
    while off + 16 <= file.len() {
        let secs = u32_at(off)?;
        let frac = u32_at(off + 4)?;
        let incl = u32_at(off + 8)? as usize;
        let orig = u32_at(off + 12)?;
        let data = file.get(off + 16..off + 16 + incl)?.to_vec();
        out.push(Record {
            secs,
            micros: if nanos { frac / 1000 } else { frac },
            orig_len: orig,
            data,
        });
        off += 16 + incl;
    }
    Some((link, out))
}
