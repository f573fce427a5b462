//! ICMP "destination unreachable" codes: the answers a peer's stack gives
//! when nothing takes an IKE or ESP packet.

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
