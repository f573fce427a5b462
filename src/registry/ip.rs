//! IP protocol numbers (the next-header values an ESP payload carries).

use super::{e, Table};

/// IANA "Assigned Internet Protocol Numbers": the protocols a decrypted ESP
/// payload usually carries; RFC 4303 §2.6 for 59 (a dummy packet).
pub static PROTOCOLS: Table = Table {
    title: "Assigned Internet Protocol Numbers",
    source: "IANA protocol-numbers; RFC 4303 §2.6",
    entries: &[
        e(1, "ICMP"),
        e(4, "IPv4"),
        e(6, "TCP"),
        e(17, "UDP"),
        e(41, "IPv6"),
        e(47, "GRE"),
        e(50, "ESP"),
        e(51, "AH"),
        e(58, "ICMPv6"),
        e(59, "no next header (dummy)"),
        e(89, "OSPF"),
        e(132, "SCTP"),
    ],
};
