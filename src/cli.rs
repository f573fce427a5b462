//! Command-line arguments (clap). Validation into [`app::Options`] happens in
//! `main.rs`; no logic here.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_HELP: &str = "\
Verdicts (stable codes; severity):
  established (ok)                    phase 1 and 2 complete, ESP both ways
  no-response (error)                 first message repeated, nothing back
  phase1-no-proposal-chosen (error)   isakmp/IKE policy mismatch; the offer is shown as config
  phase1-key-exchange-stalled (error) MM3 sent, no MM4
  phase1-auth-failed (error)          MM5 without MM6 / AM2 without AM3: PSK or ID mismatch
  phase1-invalid-ke (info|error)      IKEv2 INVALID_KE_PAYLOAD, and whether the retry worked
  phase2-no-proposal-chosen (error)   transform set or PFS mismatch (clear notify)
  phase2-invalid-id (error)           crypto ACL / proxy-ID mismatch (INVALID-ID / TS_UNACCEPTABLE)
  phase2-no-response (error)          QM1 / CREATE_CHILD_SA repeated without answer
  phase2-rejected (error)             QM1 answered only by an encrypted Informational
  phase2-unconfirmed (warning)        QM2 repeated after QM3: the responder did not take QM3
  auth-failed (error)                 IKEv2 AUTHENTICATION_FAILED or a too small IKE_AUTH answer
  ike-auth-rejected (error)           IKE_AUTH answered, no child SA and no ESP
  ike-auth-no-response (error)        IKE_AUTH repeated without answer
  esp-one-way (error)                 ESP in one direction only
  esp-loss, esp-replay (warning)      sequence gaps, repeated sequence numbers
  invalid-spi, dpd-timeout (error)    INVALID-SPI notifies; liveness checks unanswered
  esp-not-encapsulated (warning)      NAT detected but ESP on IP protocol 50
  fragmentation-suspected (warning)   large messages unanswered, fragments never completed
  icmp-unreachable (warning)          IKE/ESP answered by ICMP destination unreachable
  deleted, rekeyed, nat-detected, incomplete-capture, no-traffic, payloads-absent (info)
  malformed (warning)                 malformed IKE messages

Exit status: 0 no tunnel has an error verdict; 1 a tunnel has an error verdict; 2 usage error, or an input could not be read (or was damaged) — what could be read is still reported.";

/// Where and why an IPsec VPN negotiation failed, from a packet capture.
#[derive(Debug, Parser)]
#[command(name = "ikescope", version, about, after_help = EXIT_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub summary: SummaryArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tunnel inspector: one row per tunnel, how far it got and why it stalled (default).
    Summary(SummaryArgs),
    /// One line per IPsec packet (IKE, ESP, AH, NAT keepalive).
    Packets(PacketsArgs),
    /// A sequence diagram per tunnel, ending at the stall point.
    Ladder(LadderArgs),
    /// Analyse every capture under directories, in parallel.
    Scan(ScanArgs),
    /// Convert a Cisco console capture export to pcap.
    Convert(ConvertArgs),
}

/// Options shared by every command that reads captures.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Extra UDP port carrying IKE (besides 500 and 4500); repeatable.
    #[arg(long = "ike-port", value_name = "PORT")]
    pub ike_ports: Vec<u16>,
    /// Date for console exports whose time stamps carry none (default: the file's modification date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SummaryArgs {
    /// Capture files (pcap, pcapng, gzip of either, Cisco console text).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One JSON document per file (schema: docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// With --json: every IKE message of every SA too (the default JSON
    /// has per-SA message counts).
    #[arg(long, requires = "json")]
    pub messages: bool,
    /// Only tunnels involving this peer address.
    #[arg(long)]
    pub peer: Option<IpAddr>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Args)]
pub struct PacketsArgs {
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// JSON Lines, one object per packet (schema: docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// Full decode tree of each packet.
    #[arg(short, long)]
    pub verbose: bool,
    /// Bytes too (hex dump of the IKE/ESP/AH payload).
    #[arg(short = 'x', long)]
    pub hex: bool,
    /// Only packets to or from this address.
    #[arg(long)]
    pub peer: Option<IpAddr>,
    /// Only packets with this SPI (ESP/AH SPI, or IKE initiator/responder SPI), hex.
    #[arg(long, value_name = "HEX")]
    pub spi: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Args)]
pub struct LadderArgs {
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Only tunnels with this peer.
    #[arg(long)]
    pub peer: Option<IpAddr>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Directories (walked recursively) and files.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// JSON Lines: one object per capture, then a summary object.
    #[arg(long)]
    pub json: bool,
    /// List only captures with warning or error verdicts, damaged input, or reader warnings.
    #[arg(long)]
    pub only_failing: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also list files that were skipped, and why.
    #[arg(short, long)]
    pub verbose: bool,
    /// Take only shard I of N (stable by path hash), e.g. 0/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Args)]
pub struct ConvertArgs {
    /// Console text export (ASA `show capture ... dump`, IOS EPC dump).
    #[arg(value_name = "TEXT")]
    pub input: PathBuf,
    /// Output pcap file.
    #[arg(short, long, value_name = "PCAP")]
    pub output: PathBuf,
    #[command(flatten)]
    pub common: Common,
}
