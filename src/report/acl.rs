//! Proxy identities / traffic selectors written as both sides' crypto-ACL
//! lines: the Cisco ASA `access-list … extended permit` line the initiator's
//! offer stands for, the mirrored line its peer needs, and strongSwan's
//! `local_ts` / `remote_ts` for each side. The one formatter every view
//! uses (text summary, JSON, HTML).
//!
//! Syntax: Cisco ASA command reference, `access-list extended` (`host`,
//! `any4`/`any6`, address and netmask for IPv4, prefix for IPv6, `eq` /
//! `range` for ports); strongSwan swanctl.conf `local_ts`/`remote_ts`
//! (CIDR or `a-b` ranges, `[proto/port]`). An address range that is not a
//! prefix becomes the prefixes covering it exactly (one ACL line each).

use std::net::IpAddr;

use crate::diagnose::ProxyIds;
use crate::flow::decrypted::Selector;

/// Prefixes per range before the range is written as `a-b` instead.
const MAX_PREFIXES: usize = 8;

/// IP protocol keywords (IANA protocol numbers) the ASA accepts by name.
static PROTOCOLS: &[(u8, &str)] = &[
    (0, "ip"),
    (1, "icmp"),
    (6, "tcp"),
    (17, "udp"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (58, "icmp6"),
    (132, "sctp"),
];

fn proto_word(p: u8) -> String {
    PROTOCOLS
        .iter()
        .find(|(n, _)| *n == p)
        .map_or_else(|| p.to_string(), |(_, w)| (*w).to_string())
}

fn bits(a: IpAddr) -> (u32, u128) {
    match a {
        IpAddr::V4(v) => (32, u128::from(u32::from(v))),
        IpAddr::V6(v) => (128, u128::from(v)),
    }
}

fn addr(width: u32, x: u128) -> IpAddr {
    if width == 32 {
        IpAddr::V4(std::net::Ipv4Addr::from(x as u32))
    } else {
        IpAddr::V6(std::net::Ipv6Addr::from(x))
    }
}

/// The prefixes (address, length) covering `start..=end` exactly, or
/// `None` past [`MAX_PREFIXES`] or for mixed families.
fn prefixes(start: IpAddr, end: IpAddr) -> Option<Vec<(IpAddr, u32)>> {
    let ((w, mut s), (w2, e)) = (bits(start), bits(end));
    if w != w2 || s > e {
        return None;
    }
    let mut out = Vec::new();
    loop {
        // The largest block aligned at `s` that does not pass `e`.
        let mut len = w;
        while len > 0 {
            let size_bits = w - (len - 1);
            let mask = if size_bits >= 128 {
                u128::MAX
            } else {
                (1u128 << size_bits) - 1
            };
            if s & mask != 0 || s.checked_add(mask).is_none_or(|last| last > e) {
                break;
            }
            len -= 1;
        }
        out.push((addr(w, s), len));
        if out.len() > MAX_PREFIXES {
            return None;
        }
        let size_bits = w - len;
        let block = if size_bits >= 128 {
            return Some(out);
        } else {
            1u128 << size_bits
        };
        match s.checked_add(block) {
            Some(n) if n <= e && (w == 128 || n <= u128::from(u32::MAX)) => s = n,
            _ => return Some(out),
        }
    }
}

fn netmask(len: u32) -> std::net::Ipv4Addr {
    let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    std::net::Ipv4Addr::from(m)
}

/// ASA address operands for a range: `host a`, `any4`, `a mask`, `p/len`.
fn asa_addrs(s: &Selector) -> Vec<String> {
    let v4 = s.start.is_ipv4();
    match prefixes(s.start, s.end) {
        Some(ps) => ps
            .into_iter()
            .map(|(a, len)| match (v4, len) {
                (true, 0) => "any4".to_string(),
                (false, 0) => "any6".to_string(),
                (true, 32) | (false, 128) => format!("host {a}"),
                (true, _) => format!("{a} {}", netmask(len)),
                (false, _) => format!("{a}/{len}"),
            })
            .collect(),
        None => vec![format!(
            "range {}-{} (use an object network … range)",
            s.start, s.end
        )],
    }
}

/// ASA port operand: nothing for any port, `eq N`, `range a b`.
fn asa_port(s: &Selector) -> String {
    match s.ports {
        (0, u16::MAX) => String::new(),
        (a, b) if a == b => format!(" eq {a}"),
        (a, b) => format!(" range {a} {b}"),
    }
}

/// The ASA `access-list` lines for traffic from `src` selectors to `dst`
/// selectors (the protocol is the source selector's, as in IKEv1 where
/// both IDs carry the same one).
fn asa_lines(src: &[Selector], dst: &[Selector]) -> Vec<String> {
    let mut out = Vec::new();
    for a in src {
        for b in dst {
            let proto = if a.protocol != 0 {
                a.protocol
            } else {
                b.protocol
            };
            for sa in asa_addrs(a) {
                for da in asa_addrs(b) {
                    out.push(format!(
                        "access-list VPN extended permit {} {sa}{} {da}{}",
                        proto_word(proto),
                        asa_port(a),
                        asa_port(b)
                    ));
                }
            }
        }
    }
    out
}

/// strongSwan traffic selector: `192.0.2.0/25`, `a-b`, `[tcp/443]`.
fn swan_ts(s: &Selector) -> String {
    let net = match prefixes(s.start, s.end).as_deref() {
        Some([(a, len)]) => format!("{a}/{len}"),
        _ => format!("{}-{}", s.start, s.end),
    };
    let port = match s.ports {
        (0, u16::MAX) => String::new(),
        (a, b) if a == b => a.to_string(),
        (a, b) => format!("{a}-{b}"),
    };
    match (s.protocol, port.is_empty()) {
        (0, true) => net,
        (p, _) => format!("{net}[{}/{port}]", proto_word(p)),
    }
}

fn swan_list(v: &[Selector]) -> String {
    v.iter().map(swan_ts).collect::<Vec<_>>().join(",")
}

/// The configuration lines for a refused offer: the initiator's crypto
/// ACL, the mirror its peer needs, and both strongSwan sides.
pub fn lines(p: &ProxyIds) -> Vec<String> {
    let (i, r) = (&p.selectors.initiator, &p.selectors.responder);
    let mut out = Vec::new();
    for l in asa_lines(i, r) {
        out.push(format!("{} (initiator), ASA: {l}", p.initiator));
    }
    for l in asa_lines(r, i) {
        out.push(format!(
            "{} (responder, the mirror it needs), ASA: {l}",
            p.responder
        ));
    }
    out.push(format!(
        "{} (initiator), strongSwan: local_ts = {}; remote_ts = {}",
        p.initiator,
        swan_list(i),
        swan_list(r)
    ));
    out.push(format!(
        "{} (responder), strongSwan: local_ts = {}; remote_ts = {}",
        p.responder,
        swan_list(r),
        swan_list(i)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::decrypted::Selectors;

    fn sel(a: &str, b: &str, protocol: u8, ports: (u16, u16)) -> Selector {
        Selector {
            start: a.parse().unwrap(),
            end: b.parse().unwrap(),
            protocol,
            ports,
        }
    }

    #[test]
    fn subnets_become_mirrored_acl_lines() {
        let p = ProxyIds {
            frame: 7,
            initiator: "198.51.100.1".parse().unwrap(),
            responder: "203.0.113.1".parse().unwrap(),
            selectors: Selectors {
                initiator: vec![sel("192.0.2.0", "192.0.2.127", 0, (0, 65535))],
                responder: vec![sel("192.0.2.128", "192.0.2.255", 0, (0, 65535))],
            },
        };
        let l = lines(&p);
        assert_eq!(
            l[0],
            "198.51.100.1 (initiator), ASA: access-list VPN extended permit ip 192.0.2.0 255.255.255.128 192.0.2.128 255.255.255.128"
        );
        assert_eq!(
            l[1],
            "203.0.113.1 (responder, the mirror it needs), ASA: access-list VPN extended permit ip 192.0.2.128 255.255.255.128 192.0.2.0 255.255.255.128"
        );
        assert_eq!(
            l[2],
            "198.51.100.1 (initiator), strongSwan: local_ts = 192.0.2.0/25; remote_ts = 192.0.2.128/25"
        );
        assert_eq!(
            l[3],
            "203.0.113.1 (responder), strongSwan: local_ts = 192.0.2.128/25; remote_ts = 192.0.2.0/25"
        );
    }

    #[test]
    fn hosts_ports_ranges_and_ipv6() {
        let h = sel("10.0.0.1", "10.0.0.1", 6, (443, 443));
        let any = sel("0.0.0.0", "255.255.255.255", 0, (0, 65535));
        assert_eq!(
            asa_lines(&[h], &[any]),
            vec!["access-list VPN extended permit tcp host 10.0.0.1 eq 443 any4"]
        );
        assert_eq!(swan_ts(&h), "10.0.0.1/32[tcp/443]");
        // 10.0.0.1-10.0.0.6 = .1/32, .2/31, .4/31, .6/32
        let r = sel("10.0.0.1", "10.0.0.6", 0, (0, 65535));
        assert_eq!(asa_addrs(&r).len(), 4);
        assert_eq!(swan_ts(&r), "10.0.0.1-10.0.0.6");
        let v6 = sel(
            "2001:db8:a::",
            "2001:db8:a::ffff:ffff:ffff:ffff",
            0,
            (0, 65535),
        );
        assert_eq!(asa_addrs(&v6), vec!["2001:db8:a::/64"]);
        let all6 = sel(
            "::",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            0,
            (0, 65535),
        );
        assert_eq!(asa_addrs(&all6), vec!["any6"]);
        let wide = sel("10.0.0.1", "10.0.255.254", 17, (500, 4500));
        assert!(asa_addrs(&wide)[0].starts_with("range 10.0.0.1-10.0.255.254"));
        assert_eq!(asa_port(&wide), " range 500 4500");
    }
}
