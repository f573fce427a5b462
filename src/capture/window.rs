//! Byte windows the record parsers read from.
//!
//! A parser asks a [`Window`] to make `n` bytes available, reads a record
//! straight out of [`Window::avail`], hands the frame (borrowing those bytes)
//! to the sink, then consumes the record. [`SliceWindow`] is a whole file in
//! memory; [`StreamWindow`] refills a bounded buffer from any reader (a file
//! or a gzip decoder), so memory stays constant whatever the file size: the
//! buffer grows only when one record is larger than it, and records are
//! capped by the parsers.

use std::io::{self, Read};

/// Default size of a streaming window.
pub(crate) const STREAM_WINDOW: usize = 1 << 20;

/// A view of the input from the current position onwards.
pub(crate) trait Window {
    /// Make at least `n` bytes available. `Ok(false)` when the input ends first
    /// (whatever remains is still in [`Window::avail`]).
    fn fill(&mut self, n: usize) -> io::Result<bool>;
    /// The bytes available from the current position.
    fn avail(&self) -> &[u8];
    /// Advance past `n` available bytes (at most `avail().len()`).
    fn consume(&mut self, n: usize);
    /// Advance `n` bytes, reading past the window if needed; `Ok(false)` when
    /// the input ends first (everything is consumed then).
    fn skip(&mut self, n: u64) -> io::Result<bool>;
    /// Offset of `avail()[0]` from the start of the input.
    fn offset(&self) -> u64;
}

/// A whole input held in memory.
pub(crate) struct SliceWindow<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SliceWindow<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        SliceWindow { data, pos: 0 }
    }
}

impl Window for SliceWindow<'_> {
    #[inline]
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        Ok(self.data.len().saturating_sub(self.pos) >= n)
    }

    #[inline]
    fn avail(&self) -> &[u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n).min(self.data.len());
    }

    fn skip(&mut self, n: u64) -> io::Result<bool> {
        let left = self.data.len().saturating_sub(self.pos) as u64;
        if n > left {
            self.pos = self.data.len();
            return Ok(false);
        }
        self.pos += n as usize;
        Ok(true)
    }

    #[inline]
    fn offset(&self) -> u64 {
        self.pos as u64
    }
}

/// A bounded, refilling window over a reader.
pub(crate) struct StreamWindow<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Input offset of `buf[start]`.
    off: u64,
    eof: bool,
    /// A read error ends the input; it is kept here for the caller to report.
    error: Option<io::Error>,
}

impl<R: Read> StreamWindow<R> {
    pub(crate) fn new(reader: R, capacity: usize) -> Self {
        StreamWindow {
            reader,
            buf: vec![0; capacity.max(64)],
            start: 0,
            end: 0,
            off: 0,
            eof: false,
            error: None,
        }
    }

    /// The read error that ended the input early, if any.
    pub(crate) fn take_error(&mut self) -> Option<io::Error> {
        self.error.take()
    }

    /// Read once into the free tail of the buffer; false at end of input.
    fn read_more(&mut self) -> io::Result<bool> {
        let Some(tail) = self.buf.get_mut(self.end..) else {
            return Ok(false);
        };
        if tail.is_empty() {
            return Ok(true);
        }
        loop {
            match self.reader.read(tail) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(k) => {
                    self.end += k.min(tail.len());
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.eof = true;
                    self.error = Some(e);
                    return Ok(false);
                }
            }
        }
    }
}

impl<R: Read> Window for StreamWindow<R> {
    fn fill(&mut self, n: usize) -> io::Result<bool> {
        if self.end - self.start >= n {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        // Make room: move the live bytes to the front, grow only if one
        // request is larger than the whole buffer.
        if self.start + n > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if n > self.buf.len() {
                self.buf.resize(n, 0);
            }
        }
        while self.end - self.start < n {
            if !self.read_more()? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    #[inline]
    fn avail(&self) -> &[u8] {
        self.buf.get(self.start..self.end).unwrap_or(&[])
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.start);
        self.start += n;
        self.off += n as u64;
    }

    fn skip(&mut self, mut n: u64) -> io::Result<bool> {
        loop {
            let have = (self.end - self.start) as u64;
            if n <= have {
                self.consume(n as usize);
                return Ok(true);
            }
            self.consume(have as usize);
            n -= have;
            self.start = 0;
            self.end = 0;
            if self.eof || !self.read_more()? {
                return Ok(false);
            }
        }
    }

    #[inline]
    fn offset(&self) -> u64 {
        self.off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most 3 bytes per call.
    struct Dribble<'a>(&'a [u8]);

    impl Read for Dribble<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let k = self.0.len().min(out.len()).min(3);
            out[..k].copy_from_slice(&self.0[..k]);
            self.0 = &self.0[k..];
            Ok(k)
        }
    }

    #[test]
    fn stream_window_refills_grows_and_skips() {
        let data: Vec<u8> = (0..200u8).collect();
        let mut w = StreamWindow::new(Dribble(&data), 64);
        assert!(w.fill(10).unwrap());
        assert_eq!(&w.avail()[..3], &[0, 1, 2]);
        assert!(w.fill(60).unwrap());
        w.consume(60);
        assert_eq!(w.offset(), 60);
        // Needs a compaction and a refill.
        assert!(w.fill(30).unwrap());
        assert_eq!(w.avail()[0], 60);
        // Larger than the buffer: grows to fit.
        assert!(w.fill(100).unwrap());
        assert_eq!(w.avail()[99], 159);
        assert!(w.skip(120).unwrap());
        assert_eq!(w.offset(), 180);
        assert!(!w.fill(30).unwrap());
        assert_eq!(w.avail().len(), 20);
        assert!(!w.skip(25).unwrap());
        assert!(w.avail().is_empty());
    }

    #[test]
    fn slice_window_bounds() {
        let data = [1u8, 2, 3, 4];
        let mut w = SliceWindow::new(&data);
        assert!(w.fill(4).unwrap());
        assert!(!w.fill(5).unwrap());
        w.consume(3);
        assert_eq!(w.avail(), &[4]);
        assert!(!w.skip(2).unwrap());
        assert_eq!(w.offset(), 4);
        w.consume(9);
        assert!(w.avail().is_empty());
    }
}
