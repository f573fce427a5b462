//! ICMP message types, and the "destination unreachable" codes: the
//! answers a peer's stack gives when nothing takes an IKE or ESP packet.

use super::{e, Table};

/// ICMPv4 type 3 codes: RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1; IANA
/// "ICMP Type Numbers" (code fields of type 3).
pub static V4_UNREACHABLE: Table = Table {
    title: "ICMPv4 Destination Unreachable codes",
    source: "RFC 792; RFC 1122 §3.2.2.1; RFC 1812 §5.2.7.1; IANA icmp-parameters",
    entries: &[
        e(0, "net unreachable"),
        e(1, "host unreachable"),
        e(2, "protocol unreachable"),
        e(3, "port unreachable"),
        e(4, "fragmentation needed and DF set"),
        e(5, "source route failed"),
        e(6, "destination network unknown"),
        e(7, "destination host unknown"),
        e(9, "network administratively prohibited"),
        e(10, "host administratively prohibited"),
        e(13, "communication administratively prohibited"),
    ],
};

/// ICMPv6 type 1 codes: RFC 4443 §3.1; IANA "ICMPv6 Parameters".
pub static V6_UNREACHABLE: Table = Table {
    title: "ICMPv6 Destination Unreachable codes",
    source: "RFC 4443 §3.1; IANA icmpv6-parameters",
    entries: &[
        e(0, "no route to destination"),
        e(1, "communication administratively prohibited"),
        e(2, "beyond scope of source address"),
        e(3, "address unreachable"),
        e(4, "port unreachable"),
        e(5, "source address failed ingress/egress policy"),
        e(6, "reject route to destination"),
    ],
};

/// ICMPv4 message types: RFC 792, RFC 950, RFC 1256; IANA "ICMP Type
/// Numbers" (the types still assigned).
pub static V4_TYPES: Table = Table {
    title: "ICMP Type Numbers",
    source: "RFC 792; RFC 950; RFC 1256; IANA icmp-parameters",
    entries: &[
        e(0, "echo reply"),
        e(3, "destination unreachable"),
        e(5, "redirect"),
        e(8, "echo request"),
        e(9, "router advertisement"),
        e(10, "router solicitation"),
        e(11, "time exceeded"),
        e(12, "parameter problem"),
        e(13, "timestamp"),
        e(14, "timestamp reply"),
    ],
};

/// ICMPv6 message types: RFC 4443 §2.1, RFC 4861 §4; IANA "ICMPv6
/// Parameters".
pub static V6_TYPES: Table = Table {
    title: "ICMPv6 \"type\" Numbers",
    source: "RFC 4443 §2.1; RFC 4861 §4; IANA icmpv6-parameters",
    entries: &[
        e(1, "destination unreachable"),
        e(2, "packet too big"),
        e(3, "time exceeded"),
        e(4, "parameter problem"),
        e(128, "echo request"),
        e(129, "echo reply"),
        e(133, "router solicitation"),
        e(134, "router advertisement"),
        e(135, "neighbor solicitation"),
        e(136, "neighbor advertisement"),
        e(137, "redirect"),
    ],
};

/// An ICMP or ICMPv6 type as text output shows it: `echo request (8)`.
pub fn type_label(v6: bool, t: u8) -> String {
    let table = if v6 { &V6_TYPES } else { &V4_TYPES };
    table.label(t.into(), "type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_by_version() {
        assert_eq!(type_label(false, 8), "echo request (8)");
        assert_eq!(type_label(true, 128), "echo request (128)");
        assert_eq!(type_label(false, 42), "type 42");
    }
}
