//! Fuzz the capture reader: `capture::read_bytes` on arbitrary bytes
//! (pcap, pcapng, gzip, Cisco text are all sniffed from the content).
//! Invariants: no panic; frame numbers increase; for uncompressed input the
//! frames delivered fit in the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

use ikescope::capture::{self, Frame, FrameSink, Notice, ReadOptions};

#[derive(Default)]
struct Sink {
    last: u64,
    frames: u64,
    bytes: usize,
}

impl FrameSink for Sink {
    fn frame(&mut self, frame: &Frame<'_>) {
        assert!(frame.number > self.last);
        self.last = frame.number;
        self.frames += 1;
        self.bytes += frame.data.len();
    }
    fn notice(&mut self, _notice: Notice) {}
}

fuzz_target!(|data: &[u8]| {
    let mut sink = Sink::default();
    let res = capture::read_bytes(data, &ReadOptions::default(), &mut sink);
    if let Ok(summary) = res {
        assert_eq!(summary.frames, sink.frames);
    }
    if !data.starts_with(&[0x1f, 0x8b]) {
        assert!(sink.bytes <= data.len());
    }
});
