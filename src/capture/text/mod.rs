//! Cisco console text exports: ASA/PIX/FTD `show capture` (summary, detail,
//! dump) and IOS / IOS-XE Embedded Packet Capture dumps.

use super::{CaptureError, FrameSink, ReadOptions, ReadSummary};

/// Does this text look like a Cisco capture export?
pub fn looks_like_text(head: &[u8]) -> bool {
    let _ = head;
    false
}

/// Read a Cisco console text export, calling `sink` per packet.
pub fn read_text(
    data: &[u8],
    opts: &ReadOptions,
    sink: &mut dyn FrameSink,
) -> Result<ReadSummary, CaptureError> {
    let _ = (data, opts, sink);
    Err(CaptureError::NotACapture)
}
