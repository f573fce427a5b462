//! A classic pcap writer (the libpcap file format: 24-byte global header,
//! 16-byte record headers, microsecond time stamps, native magic
//! `0xa1b2c3d4` written little-endian), serialised by pcap-parser
//! ([`pcap_parser::ToVec`]). Ours: the choice of one link type for the
//! file, the made-up Ethernet header, and the range checks.
//!
//! A pcap file has one link type. Text exports can mix frames that start at
//! the IP header ([`LinkType::RAW`]) with Ethernet frames; [`common_link`]
//! picks the file's link type and [`PcapWriter::write_frame`] gives raw IP
//! frames a made-up Ethernet header (zero MAC addresses, Ethertype from the
//! IP version) when the file is Ethernet.
//!
//! Converting any capture (a console text export included) to pcap:
//!
//! ```no_run
//! use ikescope::capture::{read_path, ReadOptions, writer::FrameBuffer};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut frames = FrameBuffer::default();
//! let opts = ReadOptions { date: Some((2024, 3, 1)) };
//! read_path("asa.txt".as_ref(), &opts, &mut frames)?;
//! frames.write_pcap(std::io::BufWriter::new(std::fs::File::create("out.pcap")?))?;
//! # Ok(()) }
//! ```

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::io::{self, Write};

use pcap_parser::{LegacyPcapBlock, Linktype, PcapHeader, ToVec};

use super::{Frame, FrameSink, LinkType, Notice, Origin, Timestamp};

/// pcap magic for microsecond time stamps.
const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
const VERSION_MAJOR: u16 = 2;
const VERSION_MINOR: u16 = 4;
/// Snapshot length written in the header (the largest any record here has).
pub const SNAPLEN: u32 = 262_144;
const ETHERNET_HEADER: usize = 14;

/// Link types that carry a bare IP packet.
fn is_raw_ip(link: LinkType) -> bool {
    matches!(
        link,
        LinkType::RAW | LinkType::RAW_12 | LinkType::RAW_14 | LinkType::IPV4 | LinkType::IPV6
    )
}

/// The link type a pcap holding frames of `links` should have: their common
/// link type, or Ethernet when raw IP and Ethernet frames are mixed. `None`
/// for other mixes (those cannot share one pcap file).
pub fn common_link(links: impl IntoIterator<Item = LinkType>) -> Option<LinkType> {
    let mut chosen: Option<LinkType> = None;
    for l in links {
        chosen = match chosen {
            None => Some(l),
            Some(c) if c == l => Some(c),
            Some(c) if is_raw_ip(c) && is_raw_ip(l) => Some(LinkType::RAW),
            Some(c)
                if (is_raw_ip(c) || c == LinkType::ETHERNET)
                    && (is_raw_ip(l) || l == LinkType::ETHERNET) =>
            {
                Some(LinkType::ETHERNET)
            }
            Some(_) => return None,
        };
    }
    chosen
}

/// Writes a pcap file: the global header on creation, then one record per
/// frame.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    link: LinkType,
    records: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Write the global header for `link`.
    pub fn new(mut out: W, link: LinkType) -> io::Result<Self> {
        let header = PcapHeader {
            magic_number: MAGIC_MICROS,
            version_major: VERSION_MAJOR,
            version_minor: VERSION_MINOR,
            thiszone: 0,
            sigfigs: 0,
            snaplen: SNAPLEN,
            network: Linktype(link.0 as i32),
        };
        out.write_all(&header.to_vec_raw().map_err(gen_error)?)?;
        Ok(PcapWriter {
            out,
            link,
            records: 0,
        })
    }

    pub fn link(&self) -> LinkType {
        self.link
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Write one record. A raw IP frame in an Ethernet file gets a made-up
    /// Ethernet header; any other link type mismatch is an `InvalidInput`
    /// error.
    pub fn write_frame(&mut self, frame: &Frame<'_>) -> io::Result<()> {
        self.write_record(frame.ts, frame.link, frame.data, frame.orig_len)
    }

    /// Write one record from its parts (see [`PcapWriter::write_frame`]).
    pub fn write_record(
        &mut self,
        ts: Timestamp,
        link: LinkType,
        data: &[u8],
        orig_len: u32,
    ) -> io::Result<()> {
        let same = link == self.link || (is_raw_ip(link) && is_raw_ip(self.link));
        let header: Option<[u8; ETHERNET_HEADER]> = if same {
            None
        } else if self.link == LinkType::ETHERNET && is_raw_ip(link) {
            let ethertype: u16 = match data.first().map(|b| b >> 4) {
                Some(6) => 0x86dd,
                _ => 0x0800,
            };
            let mut h = [0u8; ETHERNET_HEADER];
            if let Some(t) = h.get_mut(12..14) {
                t.copy_from_slice(&ethertype.to_be_bytes());
            }
            Some(h)
        } else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a {link} frame cannot go into a {} pcap", self.link),
            ));
        };
        let extra = header.map_or(0, |h| h.len());
        let incl = data.len().saturating_add(extra);
        let incl32 = u32::try_from(incl)
            .ok()
            .filter(|&n| n <= SNAPLEN)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
        let orig = orig_len
            .saturating_add(u32::try_from(extra).unwrap_or(0))
            .max(incl32);
        let secs = u32::try_from(ts.secs).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "time stamp outside the pcap range (1970..2106)",
            )
        })?;
        let data: Cow<'_, [u8]> = match header {
            Some(h) => Cow::Owned([&h[..], data].concat()),
            None => Cow::Borrowed(data),
        };
        let record = LegacyPcapBlock {
            ts_sec: secs,
            ts_usec: ts.nanos.min(999_999_999) / 1000,
            caplen: incl32,
            origlen: orig,
            data: &data,
        };
        self.out
            .write_all(&record.to_vec_raw().map_err(gen_error)?)?;
        self.records += 1;
        Ok(())
    }

    /// Flush and hand back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// pcap-parser's serialisation error as an I/O error.
fn gen_error(e: impl std::fmt::Debug) -> io::Error {
    io::Error::other(format!("pcap serialisation: {e:?}"))
}

/// An owned frame, for holding frames until the file's link type is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedFrame {
    pub number: u64,
    pub ts: Timestamp,
    pub link: LinkType,
    pub data: Vec<u8>,
    pub orig_len: u32,
    pub interface: u32,
    pub origin: Origin,
}

impl OwnedFrame {
    pub fn as_frame(&self) -> Frame<'_> {
        Frame {
            number: self.number,
            ts: self.ts,
            link: self.link,
            data: &self.data,
            orig_len: self.orig_len,
            interface: self.interface,
            origin: self.origin,
        }
    }
}

/// A [`FrameSink`] that keeps every frame and notice.
#[derive(Debug, Default)]
pub struct FrameBuffer {
    pub frames: Vec<OwnedFrame>,
    pub notices: Vec<Notice>,
}

impl FrameSink for FrameBuffer {
    fn frame(&mut self, f: &Frame<'_>) {
        self.frames.push(OwnedFrame {
            number: f.number,
            ts: f.ts,
            link: f.link,
            data: f.data.to_vec(),
            orig_len: f.orig_len,
            interface: f.interface,
            origin: f.origin,
        });
    }

    fn notice(&mut self, n: Notice) {
        self.notices.push(n);
    }
}

impl FrameBuffer {
    /// Write the kept frames as one pcap file (link type from
    /// [`common_link`]; Ethernet when there are no frames).
    pub fn write_pcap<W: Write>(&self, out: W) -> io::Result<W> {
        let link = common_link(self.frames.iter().map(|f| f.link)).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "frames of several link types cannot share one pcap file",
            )
        })?;
        let link = if self.frames.is_empty() {
            LinkType::ETHERNET
        } else {
            link
        };
        let mut w = PcapWriter::new(out, link)?;
        for f in &self.frames {
            w.write_frame(&f.as_frame())?;
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_record_layout() {
        let mut w =
            PcapWriter::new(Vec::new(), LinkType::ETHERNET).unwrap_or_else(|e| panic!("{e}"));
        let ip = [
            0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
        ];
        w.write_record(
            Timestamp {
                secs: 1_700_000_000,
                nanos: 123_456_789,
            },
            LinkType::RAW,
            &ip,
            20,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let out = w.finish().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.get(..4), Some(&[0xd4, 0xc3, 0xb2, 0xa1][..]));
        assert_eq!(out.get(20..24), Some(&[1, 0, 0, 0][..]));
        // record header: µs, incl 34, orig 34; made-up Ethernet header
        assert_eq!(out.get(28..32), Some(&123_456u32.to_le_bytes()[..]));
        assert_eq!(out.get(32..36), Some(&34u32.to_le_bytes()[..]));
        assert_eq!(out.get(36..40), Some(&34u32.to_le_bytes()[..]));
        assert_eq!(out.get(40 + 12..40 + 14), Some(&[0x08, 0x00][..]));
        assert_eq!(out.len(), 24 + 16 + 34);
    }

    #[test]
    fn link_choice() {
        assert_eq!(
            common_link([LinkType::RAW, LinkType::ETHERNET]),
            Some(LinkType::ETHERNET)
        );
        assert_eq!(common_link([LinkType::RAW]), Some(LinkType::RAW));
        assert_eq!(common_link([LinkType::LINUX_SLL, LinkType::RAW]), None);
        let mut w = PcapWriter::new(Vec::new(), LinkType::RAW).unwrap_or_else(|e| panic!("{e}"));
        assert!(w
            .write_record(Timestamp::default(), LinkType::ETHERNET, &[0; 14], 14)
            .is_err());
    }
}
