//! What decryption with key tables did for one capture: which key files
//! were used (and whether found beside the capture), how many IKE and ESP
//! packets were read or refused, ESP inner traffic per SA, and the
//! Aggressive Mode pre-shared key check. Keys themselves never get here.

use std::net::IpAddr;

use serde::Serialize;

/// One key file that contributed rows.
#[derive(Debug, Clone, Serialize)]
pub struct KeySource {
    pub path: String,
    /// Found beside the capture (`CAPTURE.keys`) rather than given.
    pub automatic: bool,
}

/// A packet a key applied to but that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct DecryptFailure {
    pub frame: u64,
    /// `IKE` or `ESP`.
    pub proto: &'static str,
    /// The key row used, as `file:line`.
    pub key: String,
    pub error: String,
}

/// One inner flow of an ESP SA.
#[derive(Debug, Clone, Serialize)]
pub struct InnerFlow {
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    pub protocol: u8,
    /// Destination port (TCP/UDP/SCTP) or ICMP type.
    pub port_or_type: Option<u16>,
    pub packets: u64,
}

/// Inner traffic of one ESP SA.
#[derive(Debug, Clone, Serialize)]
pub struct EspInnerSummary {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub spi: u32,
    pub decrypted: u64,
    pub failed: u64,
    pub first_error: Option<String>,
    /// Busiest first; at most [`TOP_FLOWS`].
    pub top_flows: Vec<InnerFlow>,
    /// Flows beyond the top ones.
    pub other_flows: usize,
    /// The selectors the decrypted IKE exchange negotiated for this SPI,
    /// as text (`inner sources → inner destinations`), when seen.
    pub selectors: Option<String>,
    /// Tunnel-mode packets whose inner addresses fall outside them (what
    /// an ASA logs as 402116), and the first: `[frame, "src", "dst"]`.
    pub outside_selectors: u64,
    pub first_outside: Option<(u64, IpAddr, IpAddr)>,
}

/// Flows listed per SA.
pub const TOP_FLOWS: usize = 5;

/// The Aggressive Mode PSK check for one exchange.
#[derive(Debug, Clone, Serialize)]
pub struct PskResult {
    /// Frames of AM1 and AM2.
    pub frames: [u64; 2],
    /// 1-based line of the `--psk-file` candidate the responder used, or
    /// `None` when none matched (or no candidates were given).
    pub matched_line: Option<usize>,
    pub candidates: usize,
}

/// Decryption results of one capture.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Decryption {
    pub keys: Vec<KeySource>,
    pub ike_decrypted: u64,
    pub ike_failed: u64,
    pub esp_decrypted: u64,
    pub esp_failed: u64,
    /// The first failures (at most [`MAX_FAILURES`]); the counts above are complete.
    pub failures: Vec<DecryptFailure>,
    pub esp: Vec<EspInnerSummary>,
    /// ESP inner flows not kept because an SA had too many.
    pub inner_flows_dropped: u64,
    /// Aggressive Mode exchanges with pre-shared keys (a security warning
    /// either way) and the result of `--psk-file`.
    pub aggressive_psk: Vec<PskResult>,
}

/// Failures listed one by one.
pub const MAX_FAILURES: usize = 20;
