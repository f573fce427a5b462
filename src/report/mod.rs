//! Output: the per-packet listing, the tunnel table with verdict details, the
//! ladder diagram, and JSON. Every function writes to a `&mut dyn Write`, so
//! tests capture it. Nothing here parses bytes.

pub mod acl;
pub mod config;
pub mod decryption;
pub mod html;
pub mod json;
pub mod ladder;
pub mod live;
pub mod model;
pub mod packets;
pub mod scan;
pub mod table;
pub mod term;

use std::fmt::Write as _;

use crate::capture::FrameNo;
use crate::flow::Tunnel;

/// JSON schema version of every JSON document and line we write.
pub const SCHEMA_VERSION: u32 = 3;

/// A peer address as every view prints it; the unspecified address stands
/// for a device whose own address its log never names.
pub fn peer_text(a: std::net::IpAddr) -> String {
    if a.is_unspecified() {
        "(this device)".to_string()
    } else {
        a.to_string()
    }
}

/// A Wireshark display filter selecting exactly this tunnel's IPsec packets.
pub fn wireshark_filter(t: &Tunnel) -> String {
    let mut parts: Vec<String> = Vec::new();
    for sa in &t.ike_sas {
        parts.push(format!("isakmp.ispi == {}", colon_hex(sa.ispi)));
    }
    let mut spis: Vec<u32> = t.esp.iter().map(|e| e.spi).collect();
    spis.sort_unstable();
    spis.dedup();
    for spi in spis {
        parts.push(format!("esp.spi == 0x{spi:08x}"));
    }
    if !t.icmp.is_empty() {
        parts.push(if t.peers[0].is_ipv4() {
            "icmp.type == 3".to_string()
        } else {
            "icmpv6.type == 1".to_string()
        });
    }
    // The unspecified address stands for a device whose log never names
    // its own address: no packet carries it, so it selects nothing.
    let base = t
        .peers
        .iter()
        .filter(|a| !a.is_unspecified())
        .map(|a| format!("{}.addr == {a}", ip_kw(*a)))
        .collect::<Vec<_>>()
        .join(" && ");
    if parts.is_empty() {
        base
    } else if parts.len() > 6 {
        // Too many SPIs for a readable filter: all IPsec between the peers.
        format!("{base} && (isakmp || esp || ah || udpencap)")
    } else {
        format!("{base} && ({})", parts.join(" || "))
    }
}

fn ip_kw(a: std::net::IpAddr) -> &'static str {
    if a.is_ipv4() {
        "ip"
    } else {
        "ipv6"
    }
}

fn colon_hex(v: u64) -> String {
    let b = v.to_be_bytes();
    let mut s = String::new();
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// "frames 1, 2, 5–9" with runs collapsed.
pub fn frame_list(frames: &[FrameNo]) -> String {
    let mut f: Vec<FrameNo> = frames.to_vec();
    f.sort_unstable();
    f.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < f.len() {
        let start = f[i];
        let mut j = i;
        while j + 1 < f.len() && f[j + 1] == f[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{start}-{}", f[j]));
        } else {
            for x in &f[i..=j] {
                out.push(x.to_string());
            }
        }
        i = j + 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::wireshark_filter;
    use crate::flow::Tunnel;

    #[test]
    fn an_unnamed_device_address_is_printed_as_this_device() {
        let ip = |s: &str| s.parse().unwrap();
        assert_eq!(super::peer_text(ip("0.0.0.0")), "(this device)");
        assert_eq!(super::peer_text(ip("::")), "(this device)");
        assert_eq!(super::peer_text(ip("203.0.113.1")), "203.0.113.1");
    }

    #[test]
    fn the_filter_leaves_out_an_unnamed_device_address() {
        let ip = |s: &str| s.parse().unwrap();
        let t = Tunnel::new(ip("0.0.0.0"), ip("206.54.167.110"), Default::default());
        assert_eq!(wireshark_filter(&t), "ip.addr == 206.54.167.110");
        let t = Tunnel::new(ip("198.51.100.1"), ip("203.0.113.1"), Default::default());
        assert_eq!(
            wireshark_filter(&t),
            "ip.addr == 198.51.100.1 && ip.addr == 203.0.113.1"
        );
    }
}
