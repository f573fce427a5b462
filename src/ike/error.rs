//! IKE parse errors, each with the byte offset (from the start of the ISAKMP
//! header) where decoding stopped.

use std::fmt;

/// What went wrong while decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IkeErrorKind {
    /// Fewer than 28 bytes: no ISAKMP header.
    ShortHeader { have: usize },
    /// A major version other than 1 or 2.
    BadVersion(u8),
    /// The header's length field is below 28 or above the datagram.
    BadMessageLength { declared: u32, have: usize },
    /// A payload's length field runs past the end of the message.
    PayloadOverrun {
        what: &'static str,
        declared: usize,
        available: usize,
    },
    /// A payload length below its fixed minimum (e.g. 0, which would loop).
    PayloadTooShort {
        what: &'static str,
        declared: usize,
        minimum: usize,
    },
    /// Bytes inside a payload are shorter than a field needs.
    Truncated {
        what: &'static str,
        need: usize,
        have: usize,
    },
    /// Data left after the last payload.
    TrailingBytes { count: usize },
    /// Anything else that breaks the wire format.
    Invalid { what: &'static str, detail: String },
}

/// A parse error at `offset` bytes from the start of the ISAKMP header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IkeError {
    pub offset: usize,
    pub kind: IkeErrorKind,
}

impl IkeError {
    pub fn new(offset: usize, kind: IkeErrorKind) -> Self {
        IkeError { offset, kind }
    }

    /// Rebase an error found inside a sub-slice that starts at `base`.
    pub fn add_offset(mut self, base: usize) -> Self {
        self.offset = self.offset.saturating_add(base);
        self
    }
}

impl fmt::Display for IkeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use IkeErrorKind::*;
        match &self.kind {
            ShortHeader { have } => write!(f, "ISAKMP header needs 28 bytes, only {have}")?,
            BadVersion(v) => write!(f, "unknown IKE major version {v}")?,
            BadMessageLength { declared, have } => write!(
                f,
                "message length {declared} does not fit the {have} bytes captured"
            )?,
            PayloadOverrun {
                what,
                declared,
                available,
            } => write!(
                f,
                "{what} length {declared} exceeds message ({available} bytes left)"
            )?,
            PayloadTooShort {
                what,
                declared,
                minimum,
            } => write!(f, "{what} length {declared} is below its minimum {minimum}")?,
            Truncated { what, need, have } => {
                write!(f, "{what} truncated: needs {need} bytes, has {have}")?
            }
            TrailingBytes { count } => write!(f, "{count} bytes after the last payload")?,
            Invalid { what, detail } => write!(f, "{what}: {detail}")?,
        }
        write!(f, " at offset {:#x}", self.offset)
    }
}

impl std::error::Error for IkeError {}
