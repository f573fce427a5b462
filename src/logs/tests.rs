//! Unit tests: time stamps, every format on synthetic lines shaped like the
//! real ones, and robustness (damage, truncation, binary input, enormous
//! lines, other daemons mixed in).

use std::net::IpAddr;

use super::*;

const DATE: ReadOptions = ReadOptions {
    date: Some((2024, 3, 1)),
};

fn read(text: &str) -> LogRead {
    read_log("t.log", text.as_bytes(), &DATE)
}

fn kinds(r: &LogRead) -> Vec<&'static str> {
    r.events
        .iter()
        .filter(|e| !matches!(e.kind, EventKind::Message { .. }))
        .map(|e| e.kind.name())
        .collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Seconds since the epoch of a UTC civil time (test oracle).
fn epoch(y: i32, mo: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
    let days = {
        let y = i64::from(y) - i64::from(mo <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(mo);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    };
    days * 86_400 + h * 3600 + mi * 60 + s
}

#[test]
fn time_stamps_with_and_without_dates() {
    // ASA with year.
    let r = read(
        "Dec 04 2014 12:37:51: %ASA-5-713119: Group = 1.2.3.4, IP = 1.2.3.4, PHASE 1 COMPLETED\n",
    );
    let t = r.events[0].time.unwrap();
    assert_eq!(t.secs, epoch(2014, 12, 4, 12, 37, 51));
    assert_eq!(t.date, DateBasis::Logged);
    assert!(!r.date_assumed);
    // RFC 3164 from a syslog server: year from the supplied date.
    let r = read("<166>Nov 27 17:18:46 fw1 : %ASA-5-713119: IP = 1.2.3.4, PHASE 1 COMPLETED\n");
    let t = r.events[0].time.unwrap();
    assert_eq!(t.secs, epoch(2024, 11, 27, 17, 18, 46));
    assert_eq!(t.date, DateBasis::YearAssumed);
    assert!(r.date_assumed);
    // RFC 5424 with a zone: UTC.
    let r = read("<165>1 2024-03-01T12:00:00.250+01:00 fw1 - - - - %FTD-5-713119: IP = 1.2.3.4, PHASE 1 COMPLETED\n");
    let t = r.events[0].time.unwrap();
    assert_eq!(t.secs, epoch(2024, 3, 1, 11, 0, 0));
    assert_eq!(t.nanos, 250_000_000);
    assert!(t.utc);
    // IOS with milliseconds and the leading '*'.
    let r = read("*Mar  1 00:42:09.431: %CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 192.1.20.2 failed its sanity check or is malformed\n");
    let t = r.events[0].time.unwrap();
    assert_eq!(t.secs, epoch(2024, 3, 1, 0, 42, 9));
    assert_eq!(t.nanos, 431_000_000);
    // charon, time of day only: the supplied date, and midnight rolls over.
    let r = read(
        "23:59:59 05[IKE] <asa|1> initiating Main Mode IKE_SA asa[1] to 203.0.113.1\n\
         00:00:01 06[IKE] <asa|1> giving up after 3 retransmits\n",
    );
    let a = r.events[0].time.unwrap();
    let b = r.events[1].time.unwrap();
    assert_eq!(a.date, DateBasis::DateAssumed);
    assert_eq!(a.secs, epoch(2024, 3, 1, 23, 59, 59));
    assert_eq!(b.secs - a.secs, 2);
    // No date supplied: marked unknown, not invented.
    let r = read_log(
        "t",
        b"17:18:46 05[IKE] <asa|1> initiating Main Mode IKE_SA asa[1] to 203.0.113.1\n",
        &ReadOptions::default(),
    );
    assert_eq!(r.events[0].time.unwrap().date, DateBasis::Unknown);
}

#[test]
fn asa_syslog_prefixes_and_tags() {
    let text = "\
Jan 19 2015 20:00:43: %ASA-4-402116: IPSEC: Received an ESP packet (SPI= 0x76F99C4C, sequence number= 0x2D) from 93.184.216.34 (user= 93.184.216.34) to 11.11.11.11.  The decapsulated inner packet doesn't match the negotiated policy in the SA.  The packet specifies its destination as 10.10.10.11, its source as 10.14.155.11, and its protocol as icmp.  The SA specifies its local proxy as 10.10.10.11/255.255.255.255/ip/0 and its remote_proxy as 192.168.60.60/255.255.255.255/ip/0.
Mar  1 2024 10:00:00 fw %PIX-3-713061: Group = 5.6.7.8, IP = 5.6.7.8, Rejecting IPSec tunnel: no matching crypto map entry for remote proxy 10.2.0.0/255.255.0.0/0/0 local proxy 10.1.0.0/255.255.0.0/0/0 on interface outside
2024-03-01T10:00:01Z fw %FTD-5-713904: IP = 5.6.7.9, Received an un-encrypted NO_PROPOSAL_CHOSEN notify message, dropping
";
    let r = read(text);
    assert_eq!(r.formats, vec![(Format::AsaSyslog, 3)]);
    let e = &r.events[0];
    assert_eq!(e.kind, EventKind::SelectorViolation);
    assert_eq!(e.cause, Some(Cause::SelectorViolation));
    assert_eq!(e.msg_number, Some(402116));
    assert_eq!(e.peer, Some(ip("93.184.216.34")));
    assert_eq!(e.local, Some(ip("11.11.11.11")));
    assert_eq!(e.spis, vec![0x76F99C4C]);
    assert_eq!(
        e.proxies.as_ref().unwrap().remote,
        "192.168.60.60/255.255.255.255/ip/0"
    );
    let e = &r.events[1];
    assert_eq!(e.cause, Some(Cause::ProxyIdMismatch));
    assert_eq!(
        e.proxies.as_ref().unwrap().local,
        "10.1.0.0/255.255.0.0/0/0"
    );
    let e = &r.events[2];
    assert_eq!(
        e.kind,
        EventKind::NoProposalChosen {
            phase: Some(Phase::One),
            dir: Dir::Received
        }
    );
    assert_eq!(e.cause, Some(Cause::Phase1ProposalMismatch));
    assert_eq!(e.origin.to_string(), "t.log:3");
}

#[test]
fn vpn3000_event_log_messages_span_lines() {
    let text = "\
1 12/06/2002 10:44:49.830 SEV=4 IKE/41 RPT=1 172.18.124.134
IKE Initiator: New Phase 1, Intf 2, IKE Peer 172.18.124.134
local Proxy Address 10.1.1.0, remote Proxy Address 10.2.2.0, SA (L2L: to_pix)

5 12/06/2002 10:44:50.100 SEV=4 IKE/119 RPT=1 172.18.124.134
Group [172.18.124.134]
PHASE 1 COMPLETED

9 12/06/2002 10:44:50.300 SEV=4 IKE/120 RPT=8619 172.18.124.134
Group [172.18.124.134]
PHASE 2 COMPLETED (msgid=4ad2c9b2)
";
    let r = read(text);
    assert_eq!(r.main_format(), Some(Format::Vpn3000));
    assert_eq!(
        kinds(&r),
        vec!["phase1-start", "phase1-completed", "phase2-completed"]
    );
    for e in &r.events {
        assert_eq!(e.peer, Some(ip("172.18.124.134")));
    }
    assert_eq!(r.events[0].origin.line, 1);
    assert_eq!(r.events[1].origin.line, 5);
    assert_eq!(
        r.events[1].time.unwrap().secs,
        epoch(2002, 12, 6, 10, 44, 50)
    );
    assert_eq!(r.events[2].message_id, Some(0x4ad2c9b2));
    assert_eq!(r.events[0].proxies.as_ref().unwrap().remote, "10.2.2.0");
}

#[test]
fn daemons_through_syslog_and_the_journal() {
    let text = "\
Mar  1 10:00:00 gw charon: 05[IKE] <to-right|3> initiating Main Mode IKE_SA to-right[3] to 203.0.113.1
Mar  1 10:00:01 gw charon[812]: 06[ENC] <to-right|3> parsed INFORMATIONAL_V1 request 1848871836 [ N(NO_PROP) ]
Mar  1 10:00:01 gw charon-systemd[900]: 06[IKE] <to-right|3> received NO_PROPOSAL_CHOSEN error notify
2024-03-01T10:00:02+0000 gw pluto[77]: \"west\" #4: no acceptable Oakley Transform
Mar  1 10:00:03 gw sshd[1]: Accepted publickey for root from 192.0.2.9 port 50000
";
    let r = read(text);
    assert_eq!(r.unknown_lines, 1, "sshd is another daemon");
    let k = kinds(&r);
    assert_eq!(
        k,
        vec!["phase1-start", "no-proposal-chosen", "no-proposal-chosen"]
    );
    let e = &r.events[2];
    assert_eq!(
        e.peer,
        Some(ip("203.0.113.1")),
        "peer from the IKE_SA's earlier line"
    );
    assert_eq!(e.cause, Some(Cause::Phase1ProposalMismatch));
    assert_eq!(r.events[3].format, Format::Pluto);
    assert!(r.events[3].time.unwrap().utc);
}

#[test]
fn pfs_mismatch_told_from_transform_mismatch_by_the_proposals() {
    let pfs = "\
17:19:08 02[IKE] <asa|1> IKE_SA asa[1] established between 203.0.113.1[203.0.113.1]...198.51.100.1[198.51.100.1]
17:19:08 08[CFG] <asa|1> received proposals: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ
17:19:08 08[CFG] <asa|1> configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ
17:19:08 08[IKE] <asa|1> no matching proposal found, sending NO_PROPOSAL_CHOSEN
";
    let r = read(pfs);
    assert_eq!(r.events.last().unwrap().cause, Some(Cause::PfsMismatch));
    let transform = pfs.replace("AES_CBC_256/HMAC_SHA1_96/MODP_2048", "3DES_CBC/HMAC_MD5_96");
    let r = read(&transform);
    assert_eq!(
        r.events.last().unwrap().cause,
        Some(Cause::TransformMismatch)
    );
    // Without the proposal lists: left open.
    let bare: String = pfs
        .lines()
        .filter(|l| !l.contains("proposals:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let r = read(&bare);
    assert_eq!(r.events.last().unwrap().cause, None);
    assert_eq!(r.events.last().unwrap().kind.phase(), Some(Phase::Two));
}

#[test]
fn timeouts_are_told_apart_by_what_was_waited_for() {
    // No answer to the first message: unreachable.
    let r = read(
        "17:19:23 15[IKE] <asa|1> initiating Main Mode IKE_SA asa[1] to 203.0.113.1\n\
         17:19:23 15[ENC] <asa|1> generating ID_PROT request 0 [ SA V V V V V ]\n\
         17:19:30 12[IKE] <asa|1> giving up after 3 retransmits\n",
    );
    assert_eq!(r.events.last().unwrap().cause, Some(Cause::PeerUnreachable));
    // Liveness check unanswered once up: dead peer.
    let r = read(
        "17:21:52 15[IKE] <asa|1> IKE_SA asa[1] established between 198.51.100.1[198.51.100.1]...203.0.113.1[203.0.113.1]\n\
         17:21:55 13[ENC] <asa|1> generating INFORMATIONAL request 2 [ ]\n\
         17:22:02 12[IKE] <asa|1> giving up after 3 retransmits\n",
    );
    let e = r.events.last().unwrap();
    assert_eq!(e.kind, EventKind::DpdTimeout);
    assert_eq!(e.cause, Some(Cause::PeerDead));
    // Quick Mode unanswered: a timeout, cause open, exchange named.
    let r = read(
        "17:22:29 14[IKE] <asa|1> IKE_SA asa[1] established between 198.51.100.1[198.51.100.1]...203.0.113.1[203.0.113.1]\n\
         17:22:29 14[ENC] <asa|1> generating QUICK_MODE request 991772099 [ HASH SA No ID ID ]\n\
         17:22:36 01[IKE] <asa|1> giving up after 3 retransmits\n",
    );
    let e = r.events.last().unwrap();
    assert_eq!(e.kind, EventKind::Timeout);
    assert_eq!(e.cause, None);
    assert_eq!(e.exchange, Some(Exchange::QuickMode));
    // ASA: the state in brackets.
    let r = read("Mar 01 2024 10:00:00: %ASA-5-713136: IP = 5.6.7.8, IKE session establishment timed out [MM_WAIT_MSG2], aborting!\n");
    let e = &r.events[0];
    assert_eq!(e.state.as_deref(), Some("MM_WAIT_MSG2"));
    assert_eq!(e.cause, Some(Cause::PeerUnreachable));
}

#[test]
fn show_commands_ios_ikev2_ipsec_and_sessiondb() {
    let text = "\
router#show crypto ikev2 sa
 IPv4 Crypto IKEv2  SA

Tunnel-id Local                 Remote                fvrf/ivrf            Status
1         10.0.0.1/500          10.0.0.2/500          none/none            READY
      Encr: AES-CBC, keysize: 128, PRF: SHA1, Hash: SHA96, DH Grp:5, Auth sign: PSK, Auth verify: PSK
      Life/Active Time: 86400/10 sec

router#show crypto ipsec sa
interface: GigabitEthernet1
    Crypto map tag: CMAP, local addr 10.0.0.1

   protected vrf: (none)
   local  ident (addr/mask/prot/port): (192.168.1.0/255.255.255.0/0/0)
   remote ident (addr/mask/prot/port): (192.168.2.0/255.255.255.0/0/0)
   current_peer 10.0.0.2 port 500
     PERMIT, flags={origin_is_acl,}
    #pkts encaps: 42, #pkts encrypt: 42, #pkts digest: 42
    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
    #send errors 0, #recv errors 0

     local crypto endpt.: 10.0.0.1, remote crypto endpt.: 10.0.0.2
     current outbound spi: 0x3DB3ED4A(1035201866)

asa# show vpn-sessiondb l2l

Session Type: LAN-to-LAN

Connection   : 198.51.100.7
Index        : 1                      IP Addr      : 198.51.100.7
Protocol     : IKEv1 IPsec
Bytes Tx     : 0                      Bytes Rx     : 2048
";
    let r = read(text);
    assert_eq!(r.main_format(), Some(Format::ShowCrypto));
    let st = &r.events[0];
    assert_eq!(st.kind, EventKind::SaState);
    assert_eq!(st.state.as_deref(), Some("READY"));
    assert_eq!(st.peer, Some(ip("10.0.0.2")));
    assert_eq!(st.local, Some(ip("10.0.0.1")));
    assert_eq!(st.ike_version, Some(2));
    let c = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::IpsecCounters)
        .unwrap();
    assert_eq!(c.peer, Some(ip("10.0.0.2")));
    assert_eq!(c.counters.unwrap().encaps, Some(42));
    assert_eq!(c.counters.unwrap().one_way(), Some(true));
    assert_eq!(c.cause, Some(Cause::OneWayTraffic));
    assert_eq!(c.spis, vec![0x3DB3ED4A]);
    assert_eq!(
        c.proxies.as_ref().unwrap().remote,
        "192.168.2.0/255.255.255.0/0/0"
    );
    let s: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.peer == Some(ip("198.51.100.7")))
        .collect();
    assert_eq!(s.len(), 2);
    assert_eq!(s[1].counters.unwrap().one_way(), Some(false));
}

#[test]
fn stream_reading_equals_reading_in_memory() {
    let text = "\
17:19:08 02[IKE] <asa|1> IKE_SA asa[1] established between 203.0.113.1[203.0.113.1]...198.51.100.1[198.51.100.1]\r
Mar  1 10:00:00 gw charon: 05[IKE] <to-right|3> initiating Main Mode IKE_SA to-right[3] to 203.0.113.1\r
no newline at the end 17:00:00 00[IKE] <asa|9> giving up after 3 retransmits";
    let a = read(text);
    let b = read_log_stream("t.log", std::io::Cursor::new(text.as_bytes()), &DATE).unwrap();
    assert_eq!(a.events, b.events);
    assert_eq!(a.lines, 3);
    assert_eq!(b.lines, 3);
}

/// A deterministic xorshift generator for the damage tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const MIXED: &str = "\
Dec 04 2014 12:37:51: %ASA-5-713119: Group = 77.88.99.100, IP = 77.88.99.100, PHASE 1 COMPLETED
Dec 04 2014 12:37:51: %ASA-3-713061: Group = 77.88.99.100, IP = 77.88.99.100, Rejecting IPSec tunnel: no matching crypto map entry for remote proxy 0.0.0.0/0.0.0.0/0/0 local proxy 0.0.0.0/0.0.0.0/0/0 on interface OUTSIDE
*Oct 25 20:37:02.888: ISAKMP-ERROR: (1003):phase 2 SA policy not acceptable! (local 203.0.113.1 remote 203.0.113.30)
*Oct 25 20:37:02.888: ISAKMP: (1003):Sending NOTIFY PROPOSAL_NOT_CHOSEN protocol 3
17:19:08 08[IKE] <asa|1> no matching proposal found, sending NO_PROPOSAL_CHOSEN
Nov 27 17:18:24.379719: \"asa\" #1: authentication failed: computed hash does not match hash received from peer ID_IPV4_ADDR '198.51.100.1'
1   IKE Peer: 192.168.255.11
    Type    : L2L             Role    : initiator
    Rekey   : no              State   : MM_WAIT_MSG4
    #pkts encaps: 10, #pkts encrypt: 10, #pkts digest: 10
    #pkts decaps: 0, #pkts decrypt: 0, #pkts verify: 0
";

#[test]
fn damage_truncation_and_binary_never_panic() {
    let base = MIXED.as_bytes();
    // Truncated at every byte.
    for cut in 0..base.len() {
        let r = read_log("t", base.get(..cut).unwrap(), &DATE);
        assert!(r.lines as usize <= MIXED.lines().count());
    }
    // Random damage: flipped, deleted and inserted bytes.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..500 {
        let mut d = base.to_vec();
        for _ in 0..(rng.next() % 16 + 1) {
            let at = (rng.next() as usize) % d.len().max(1);
            match rng.next() % 3 {
                0 => d[at] = rng.next() as u8,
                1 => {
                    d.remove(at);
                }
                _ => d.insert(at, rng.next() as u8),
            }
        }
        let r = read_log("t", &d, &DATE);
        for e in &r.events {
            assert!(e.text.chars().count() <= MAX_TEXT + 1);
        }
        let _ = looks_like_log(&d);
    }
    // Binary input: counted, skipped, not taken for a log.
    let bin: Vec<u8> = (0..100_000).map(|_| rng.next() as u8).collect();
    let r = read_log("t", &bin, &DATE);
    assert!(r.binary_lines > 0);
    assert!(r.events.is_empty());
    assert_eq!(looks_like_log(&bin), None);
    assert!(r.limits().iter().any(|l| l.contains("binary")));
}

#[test]
fn enormous_lines_are_cut_and_said() {
    let mut big = String::from("Dec 04 2014 12:37:51: %ASA-5-713119: Group = 77.88.99.100, IP = 77.88.99.100, PHASE 1 COMPLETED ");
    big.push_str(&"x".repeat(5_000_000));
    big.push('\n');
    big.push_str(MIXED);
    let r = read(&big);
    assert_eq!(r.cut_lines, 1);
    assert!(r.limits().iter().any(|l| l.contains("cut")));
    assert_eq!(r.events[0].kind, EventKind::Phase1Completed);
    assert!(r.events[0].text.chars().count() <= MAX_TEXT + 1);
    let s = read_log_stream("t.log", std::io::Cursor::new(big.as_bytes()), &DATE).unwrap();
    assert_eq!(s.cut_lines, 1);
    assert_eq!(s.events, r.events);
}

#[test]
fn other_daemons_mixed_in_change_nothing() {
    let clean = read(MIXED);
    let mut noisy = String::new();
    let noise = [
        "Mar  1 10:00:03 gw sshd[1]: Accepted publickey for root from 192.0.2.9 port 50000",
        "Mar  1 10:00:03 gw kernel: [12345.678] eth0: link up",
        "Mar  1 10:00:04 gw systemd[1]: Started Session 4 of user root.",
        "Mar  1 10:00:05 gw CRON[99]: (root) CMD (run-parts /etc/cron.hourly)",
    ];
    for (i, l) in MIXED.lines().enumerate() {
        noisy.push_str(noise[i % noise.len()]);
        noisy.push('\n');
        noisy.push_str(l);
        noisy.push('\n');
    }
    let r = read(&noisy);
    let a: Vec<_> = clean
        .events
        .iter()
        .map(|e| (e.kind, e.cause, e.peer))
        .collect();
    let b: Vec<_> = r.events.iter().map(|e| (e.kind, e.cause, e.peer)).collect();
    assert_eq!(a, b);
    assert_eq!(r.unknown_lines, MIXED.lines().count() as u64);
}

#[test]
fn sniffing_recognises_logs_and_refuses_prose() {
    assert_eq!(
        looks_like_log(MIXED.as_bytes()),
        Some(Format::ShowCrypto).or(looks_like_log(MIXED.as_bytes()))
    );
    assert!(looks_like_log(MIXED.as_bytes()).is_some());
    assert_eq!(
        looks_like_log(b"Dear diary, today the VPN was down.\nIt was sad.\n"),
        None
    );
    assert_eq!(looks_like_log(b""), None);
    assert!(formats_help().contains("show crypto ipsec sa"));
    for f in FORMATS {
        assert_eq!(f.format.info().name, f.name);
    }
}
