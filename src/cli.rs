//! Command-line arguments (clap). Values are checked as they are parsed
//! (`--date`, `--shard`), so a bad one is a usage error before any file is
//! read; `main.rs` turns them into [`app::Options`].

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

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
  reflection, scan (warning)          security: spoofed-SPI answers to one victim; one source probing many targets
  ke-length-mismatch (error)          KE data length does not fit its DH group
  zero-responder-spi (warning)        IKE_SA_INIT response negotiating with a zero responder SPI
  redirected (info)                   IKEv2 REDIRECT to another gateway
  selector-violation (warning)        decrypted ESP outside the negotiated selectors (ASA 402116)
  aggressive-mode-psk (warning)       IKEv1 Aggressive Mode with a PSK: key open to offline guessing

Exit status: 0 no tunnel has an error verdict; 1 a tunnel has an error verdict; 2 usage error, or an input could not be read (or was damaged) — what could be read is still reported.";

/// The verdict list, then the failure causes from their table
/// (`registry::cause::CAUSES`), then the exit status.
fn after_help() -> String {
    let (verdicts, exit) = EXIT_HELP
        .split_once("\n\nExit status")
        .unwrap_or((EXIT_HELP, ""));
    let mut s = format!("{verdicts}\n\nCauses (stable codes; set when the evidence pins the reason, e.g. with --keys):\n");
    for c in ikescope::registry::cause::CAUSES {
        s.push_str(&format!("  {:<26} {}\n", c.code, c.text));
    }
    s.push_str(&format!("\nExit status{exit}"));
    s
}

/// Where and why an IPsec VPN negotiation failed, from a packet capture.
#[derive(Debug, Parser)]
#[command(name = "ikescope", version, about, after_help = after_help(), args_conflicts_with_subcommands = true)]
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
    /// One self-contained HTML report (verdicts, ladders, ESP over time) to attach to a ticket.
    Report(ReportArgs),
}

/// Options shared by every command that reads captures.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Extra UDP port carrying IKE (besides 500 and 4500); repeatable.
    #[arg(long = "ike-port", value_name = "PORT")]
    pub ike_ports: Vec<u16>,
    /// Date for console exports whose time stamps carry none (default: the file's modification date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<(i32, u32, u32)>,
    /// Decryption keys: Wireshark's ikev1_decryption_table, ikev2_decryption_table or esp_sa file (as strongSwan's save-keys writes them), or a folder holding them; repeatable. CAPTURE.keys beside a capture is used too.
    #[arg(long = "keys", value_name = "PATH")]
    pub keys: Vec<PathBuf>,
    /// Do not use CAPTURE.keys found beside a capture.
    #[arg(long = "no-keys")]
    pub no_keys: bool,
    /// Candidate pre-shared keys, one per line (0x… for hex), tested against Aggressive Mode exchanges (RFC 2409 §5.4).
    #[arg(long = "psk-file", value_name = "FILE")]
    pub psk_file: Option<PathBuf>,
    /// Device or daemon log read beside each capture (ASA/IOS syslog, debug
    /// and show output, strongSwan, libreswan); repeatable.
    #[arg(long = "log", value_name = "PATH")]
    pub logs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct SummaryArgs {
    /// Capture files (pcap, pcapng, gzip of either, Cisco console text), or
    /// device logs (read together when no capture is given).
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
    /// List every tunnel, also those folded into a security finding (reflection, scan).
    #[arg(long)]
    pub all: bool,
    /// Live: read FILE as it grows (or '-' from a pipe), print each IKE message and verdict change as it happens; Ctrl-C prints the summary. Keys (--keys, CAPTURE.keys beside FILE) decrypt as the messages come; --log files are read once at the start and joined in the final summary.
    #[arg(long)]
    pub follow: bool,
    /// With --follow: a tunnel quiet for this long leaves the live view, its final verdicts printed once (default 172800 = 2 x 24 h, the longest default IKE SA lifetime; minimum 10). At most 10,000 tunnels and 80,000 ESP/AH SAs are tracked at once; beyond, the longest quiet leave first, with a notice.
    #[arg(long, value_name = "SECS", requires = "follow")]
    pub expire: Option<f64>,
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
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
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

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Captures, and directories to scan for captures.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The HTML file to write ('-' = standard output).
    #[arg(short, long, value_name = "HTML", default_value = "-")]
    pub output: PathBuf,
    /// Only tunnels involving this peer address.
    #[arg(long)]
    pub peer: Option<IpAddr>,
    #[command(flatten)]
    pub common: Common,
}

/// `--date YYYY-MM-DD`, a real calendar day (proleptic Gregorian).
pub fn parse_date(s: &str) -> Result<(i32, u32, u32), String> {
    let bad = || format!("wants a calendar date as YYYY-MM-DD, e.g. 2024-02-29; got {s:?}");
    let mut it = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    let digits = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    if y.len() != 4 || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return Err(bad());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) {
        return Err(format!("{s}: there is no month {m}"));
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&d) {
        return Err(format!("{s}: {y:04}-{m:02} has {days} days"));
    }
    Ok((y, m, d))
}

/// `--shard I/N`: shard I (counted from 0) of N.
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    const HOW: &str = "I/N takes shard I of N, I counted from 0: \
                       four jobs run --shard 0/4, 1/4, 2/4 and 3/4";
    let Some((i, n)) = s.split_once('/') else {
        return Err(format!("{s:?} is not I/N; {HOW}"));
    };
    let (Ok(i), Ok(n)) = (i.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
        return Err(format!("{s:?}: I and N must be whole numbers; {HOW}"));
    };
    if n == 0 {
        return Err(format!(
            "{s}: N, the number of shards, must be at least 1; {HOW}"
        ));
    }
    if i >= n {
        return Err(format!(
            "{s}: shard {i} does not exist among {n} (0 to {}); {HOW}",
            n - 1
        ));
    }
    Ok((i, n))
}

/// Let options given before the subcommand (`ikescope --json packets FILE`)
/// count as if given after it: they are moved behind the subcommand's name,
/// where clap checks them against that subcommand. Which options take a
/// value comes from the clap definition itself. Anything else (no
/// subcommand, `--` first) is left as it is.
pub fn normalize_args(args: Vec<OsString>) -> Vec<OsString> {
    let cmd = Cli::command();
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string()).chain(c.get_all_aliases().map(str::to_string))
        })
        .chain(std::iter::once("help".to_string()))
        .collect();
    let mut long_value = Vec::new();
    let mut short_value = Vec::new();
    for c in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
        for a in c.get_arguments() {
            if a.is_positional() || !a.get_action().takes_values() {
                continue;
            }
            if let Some(l) = a.get_long() {
                long_value.push(format!("--{l}"));
            }
            if let Some(sh) = a.get_short() {
                short_value.push(sh);
            }
        }
    }
    let mut i = 1;
    while let Some(a) = args.get(i) {
        let Some(a) = a.to_str() else { return args };
        if a == "--" || a == "-" {
            return args;
        }
        if !a.starts_with('-') {
            if !subcommands.iter().any(|s| s == a) || i == 1 {
                return args;
            }
            let mut out = Vec::with_capacity(args.len());
            out.extend(args.iter().take(1).cloned());
            out.push(args[i].clone());
            out.extend(args.iter().take(i).skip(1).cloned());
            out.extend(args.iter().skip(i + 1).cloned());
            return out;
        }
        let takes_value = if let Some(long) = a.strip_prefix("--") {
            !long.contains('=') && long_value.iter().any(|l| l == a)
        } else {
            // A cluster such as `-vj4` or `-j`: the value follows the last
            // value-taking short option, in the same word or the next.
            let shorts: Vec<char> = a.chars().skip(1).collect();
            match shorts.iter().position(|c| short_value.contains(c)) {
                Some(p) => p + 1 == shorts.len(),
                None => false,
            }
        };
        i += if takes_value { 2 } else { 1 };
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(a: &[&str]) -> Vec<String> {
        normalize_args(a.iter().map(OsString::from).collect())
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect()
    }

    #[test]
    fn options_before_the_subcommand_move_behind_it() {
        assert_eq!(
            norm(&["ikescope", "--json", "packets", "f.pcap"]),
            ["ikescope", "packets", "--json", "f.pcap"]
        );
        assert_eq!(
            norm(&["ikescope", "--ike-port", "600", "-j", "2", "scan", "d"]),
            ["ikescope", "scan", "--ike-port", "600", "-j", "2", "d"]
        );
        assert_eq!(
            norm(&["ikescope", "--date=2024-01-02", "-j4", "scan", "d"]),
            ["ikescope", "scan", "--date=2024-01-02", "-j4", "d"]
        );
        // A value that happens to be a subcommand name stays a value.
        assert_eq!(
            norm(&["ikescope", "--ike-port", "600", "ladder", "f"]),
            ["ikescope", "ladder", "--ike-port", "600", "f"]
        );
        // No subcommand: unchanged.
        for a in [
            &["ikescope", "--json", "f.pcap"][..],
            &["ikescope", "packets", "--json", "f"],
            &["ikescope", "--", "packets"],
            &["ikescope", "f.pcap", "packets"],
        ] {
            assert_eq!(norm(a), a);
        }
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(parse_date("2024-02-29"), Ok((2024, 2, 29)));
        assert_eq!(parse_date("2000-02-29"), Ok((2000, 2, 29)));
        assert!(parse_date("2024-02-30")
            .unwrap_err()
            .contains("has 29 days"));
        assert!(parse_date("1900-02-29").is_err());
        assert!(parse_date("2023-04-31").is_err());
        assert!(parse_date("2023-13-01")
            .unwrap_err()
            .contains("no month 13"));
        for bad in [
            "2024-1",
            "24-01-01",
            "2024-01-01-01",
            "",
            "2024-+1-01",
            "2024-01-001",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_zero_of_zero_explains_itself() {
        let e = parse_shard("0/0").unwrap_err();
        assert!(e.contains("at least 1") && e.contains("0/4"), "{e}");
        assert!(parse_shard("4/4").unwrap_err().contains("0 to 3"));
        assert!(parse_shard("x").unwrap_err().contains("I/N"));
        assert_eq!(parse_shard("3/4"), Ok((3, 4)));
    }
}
