//! IKEv1 / ISAKMP registries.

use super::{e, r, Table};

/// ISAKMP exchange types: RFC 2408 §3.1, RFC 2409 §5; IANA "Internet Key
/// Exchange (IKE) Attributes" / "ISAKMP Exchange Types".
pub static EXCHANGE_TYPES: Table = Table {
    title: "ISAKMP Exchange Types",
    source: "RFC 2408 §3.1; RFC 2409; IANA isakmp-registry",
    entries: &[
        e(0, "NONE"),
        e(1, "Base"),
        e(2, "Identity Protection (Main Mode)"),
        e(3, "Authentication Only"),
        e(4, "Aggressive"),
        e(5, "Informational"),
        e(6, "Transaction (Config Mode)"),
        e(32, "Quick Mode"),
        e(33, "New Group Mode"),
        r(240, 255, "Private Use"),
    ],
};

/// ISAKMP payload types: RFC 2408 §3.1, RFC 3947, IANA isakmp-registry.
pub static PAYLOAD_TYPES: Table = Table {
    title: "ISAKMP Next Payload Types",
    source: "RFC 2408 §3.1; RFC 3947 §3; IANA isakmp-registry",
    entries: &[
        e(0, "NONE"),
        e(1, "Security Association"),
        e(2, "Proposal"),
        e(3, "Transform"),
        e(4, "Key Exchange"),
        e(5, "Identification"),
        e(6, "Certificate"),
        e(7, "Certificate Request"),
        e(8, "Hash"),
        e(9, "Signature"),
        e(10, "Nonce"),
        e(11, "Notification"),
        e(12, "Delete"),
        e(13, "Vendor ID"),
        e(14, "Attributes"),
        e(20, "NAT-D"),
        e(21, "NAT-OA"),
        e(130, "NAT-D (draft)"),
        e(131, "NAT-OA (draft)"),
        e(132, "Cisco-Fragmentation"),
        r(128, 255, "Private Use"),
    ],
};
