//! IKEv2 registries: IANA "Internet Key Exchange Version 2 (IKEv2) Parameters".

use super::{e, r, Table};

/// IKEv2 exchange types, RFC 7296 §3.1; IANA ikev2-parameters.
pub static EXCHANGE_TYPES: Table = Table {
    title: "IKEv2 Exchange Types",
    source: "RFC 7296 §3.1; IANA ikev2-parameters-1",
    entries: &[
        e(34, "IKE_SA_INIT"),
        e(35, "IKE_AUTH"),
        e(36, "CREATE_CHILD_SA"),
        e(37, "INFORMATIONAL"),
        e(38, "IKE_SESSION_RESUME"),
        e(43, "IKE_INTERMEDIATE"),
        e(44, "IKE_FOLLOWUP_KE"),
        r(240, 255, "Private Use"),
    ],
};

/// IKEv2 payload types, RFC 7296 §3.2; IANA ikev2-parameters-2.
pub static PAYLOAD_TYPES: Table = Table {
    title: "IKEv2 Payload Types",
    source: "RFC 7296 §3.2; RFC 7383; IANA ikev2-parameters-2",
    entries: &[
        e(0, "No Next Payload"),
        e(33, "Security Association"),
        e(34, "Key Exchange"),
        e(35, "Identification - Initiator"),
        e(36, "Identification - Responder"),
        e(37, "Certificate"),
        e(38, "Certificate Request"),
        e(39, "Authentication"),
        e(40, "Nonce"),
        e(41, "Notify"),
        e(42, "Delete"),
        e(43, "Vendor ID"),
        e(44, "Traffic Selector - Initiator"),
        e(45, "Traffic Selector - Responder"),
        e(46, "Encrypted and Authenticated"),
        e(47, "Configuration"),
        e(48, "Extensible Authentication"),
        e(53, "Encrypted and Authenticated Fragment"),
        r(128, 255, "Private Use"),
    ],
};
