//! The byte source under pcap-parser's streaming readers.
//!
//! pcap-parser's readers ([`pcap_parser::LegacyPcapReader`],
//! [`pcap_parser::PcapNGReader`]) own a bounded circular buffer and refill
//! it with one `read` call at a time. [`Feed`] is the `Read` they are given;
//! it adds what a capture analyser needs around them and that they do not
//! do themselves:
//!
//! - each `read` fills the whole space offered (or reaches the end), so a
//!   gzip decoder or a pipe that hands out a few bytes at a time still gives
//!   the readers whole blocks, and the first read holds the file header;
//! - interrupted reads are retried, and a real I/O error (a broken gzip
//!   stream, a failing disk) is kept for our message instead of becoming
//!   pcap-parser's bare `ReadError`: the bytes read before it still count,
//!   and the input ends there;
//! - blocks we never look at (name resolution, statistics, custom...) are
//!   skipped without being buffered, however long they claim to be;
//! - the bytes read are counted, for the file-header messages.
//!
//! The state the capture readers consult while pcap-parser owns the `Feed`
//! is shared through an `Rc` (one allocation per file).

use std::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::rc::Rc;

/// What the capture readers see of a [`Feed`] that pcap-parser owns.
#[derive(Debug, Default)]
pub(crate) struct FeedState {
    /// Bytes handed to the reader so far.
    delivered: Cell<u64>,
    /// Bytes still to discard before the next delivered byte.
    skip: Cell<u64>,
    /// Bytes discarded so far (offsets are `consumed + skipped`).
    skipped: Cell<u64>,
    /// The input ended (end of file, or an error).
    ended: Cell<bool>,
    /// The I/O error that ended the input early.
    error: RefCell<Option<io::Error>>,
}

impl FeedState {
    /// Bytes handed to the reader so far.
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.get()
    }

    /// Bytes skipped so far.
    pub(crate) fn skipped(&self) -> u64 {
        self.skipped.get()
    }

    /// Discard the next `n` bytes of input (the rest of a block that is not
    /// buffered).
    pub(crate) fn skip(&self, n: u64) {
        self.skip.set(self.skip.get().saturating_add(n));
    }

    /// Bytes of a requested skip that the input did not have.
    pub(crate) fn skip_left(&self) -> u64 {
        if self.ended.get() {
            self.skip.get()
        } else {
            0
        }
    }

    /// The I/O error that ended the input early, if any.
    pub(crate) fn take_error(&self) -> Option<io::Error> {
        self.error.borrow_mut().take()
    }
}

/// A `Read` that fills whole buffers, skips on request, and keeps its error.
pub(crate) struct Feed<R> {
    inner: R,
    state: Rc<FeedState>,
    /// A stream of unknown length (a pipe, standard input, a followed
    /// file): each read hands on what one read of the source delivered, so a
    /// live capture's packets are seen as they arrive. Files of known size
    /// fill whole buffers (fewer refills).
    live: bool,
}

impl<R: Read> Feed<R> {
    pub(crate) fn new(inner: R, live: bool) -> Self {
        Feed {
            inner,
            state: Rc::new(FeedState::default()),
            live,
        }
    }

    /// The shared state, for the capture reader to keep.
    pub(crate) fn state(&self) -> Rc<FeedState> {
        Rc::clone(&self.state)
    }

    /// One read of the inner source; `None` at the end of input (the error,
    /// if any, is kept).
    fn read_once(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.state.ended.get() {
            return None;
        }
        loop {
            match self.inner.read(buf) {
                Ok(0) => break,
                Ok(k) => return Some(k.min(buf.len())),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    *self.state.error.borrow_mut() = Some(e);
                    break;
                }
            }
        }
        self.state.ended.set(true);
        None
    }
}

impl<R: Read> Read for Feed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Discard what was asked to be skipped, using `buf` as scratch space.
        while self.state.skip.get() > 0 {
            let want = usize::try_from(self.state.skip.get())
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let Some(k) = self.read_once(buf.get_mut(..want).unwrap_or_default()) else {
                return Ok(0);
            };
            self.state.skip.set(self.state.skip.get() - k as u64);
            self.state.skipped.set(self.state.skipped.get() + k as u64);
        }
        let mut got = 0;
        while got < buf.len() && !(self.live && got > 0) {
            match self.read_once(buf.get_mut(got..).unwrap_or_default()) {
                Some(k) => got += k,
                None => break,
            }
        }
        self.state
            .delivered
            .set(self.state.delivered.get() + got as u64);
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most 3 bytes per call, then fails.
    struct Dribble<'a>(&'a [u8], bool);

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() && self.1 {
                return Err(io::Error::other("broken"));
            }
            let k = self.0.len().min(out.len()).min(3);
            out[..k].copy_from_slice(&self.0[..k]);
            self.0 = &self.0[k..];
            Ok(k)
        }
    }

    #[test]
    fn fills_skips_and_keeps_the_error() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut f = Feed::new(Dribble(&data, true), false);
        let st = f.state();
        let mut buf = [0u8; 10];
        assert_eq!(f.read(&mut buf).unwrap(), 10);
        assert_eq!(buf[9], 9);
        st.skip(50);
        assert_eq!(f.read(&mut buf).unwrap(), 10);
        assert_eq!(buf[0], 60);
        assert_eq!(st.skipped(), 50);
        let mut big = [0u8; 64];
        assert_eq!(f.read(&mut big).unwrap(), 30);
        assert_eq!(f.read(&mut big).unwrap(), 0);
        assert_eq!(st.delivered(), 50);
        assert_eq!(st.take_error().unwrap().to_string(), "broken");
        st.skip(5);
        assert_eq!(st.skip_left(), 5);
    }
}
