//! IKEv1 / ISAKMP registries: IANA "Internet Security Association and Key
//! Management Protocol (ISAKMP) Identifiers" (isakmp-registry) and "Internet
//! Key Exchange (IKE) Attributes" (ipsec-registry), plus the private values
//! that deployed gear sends (named after the implementations that define them).

use super::{e, r, Table};

/// ISAKMP exchange types: RFC 2408 §3.1, RFC 2409; IANA isakmp-registry.
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
    source: "RFC 2408 §3.1; RFC 3547; RFC 3947 §3; IANA isakmp-registry",
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
        e(15, "SA KEK"),
        e(16, "SA TEK"),
        e(17, "Key Download"),
        e(18, "Sequence Number"),
        e(19, "Proof of Possession"),
        e(20, "NAT-D"),
        e(21, "NAT-OA"),
        e(22, "Group Associated Policy"),
        e(130, "NAT-D (draft)"),
        e(131, "NAT-OA (draft)"),
        e(132, "Cisco-Fragmentation"),
        r(128, 255, "Private Use"),
    ],
};

/// Domains of Interpretation: RFC 2408 §3.4, RFC 2407 §4.2, RFC 3547 (GDOI).
pub static DOI: Table = Table {
    title: "ISAKMP Domain of Interpretation",
    source: "RFC 2408 §3.4; RFC 2407 §4.2; RFC 6407; IANA isakmp-registry",
    entries: &[e(0, "ISAKMP"), e(1, "IPSEC"), e(2, "GDOI")],
};

/// IPsec DOI situation bits, RFC 2407 §4.2 (a bitmap: names of single bits).
pub static SITUATION_BITS: Table = Table {
    title: "IPsec DOI Situation",
    source: "RFC 2407 §4.2",
    entries: &[
        e(0x01, "SIT_IDENTITY_ONLY"),
        e(0x02, "SIT_SECRECY"),
        e(0x04, "SIT_INTEGRITY"),
    ],
};

/// Protocol IDs used in proposals, notifies and deletes: RFC 2407 §4.4.1.
pub static PROTOCOL_IDS: Table = Table {
    title: "IPsec DOI Security Protocol Identifiers",
    source: "RFC 2407 §4.4.1; RFC 4705; IANA isakmp-registry",
    entries: &[
        e(0, "RESERVED"),
        e(1, "PROTO_ISAKMP"),
        e(2, "PROTO_IPSEC_AH"),
        e(3, "PROTO_IPSEC_ESP"),
        e(4, "PROTO_IPCOMP"),
        e(5, "PROTO_GIGABEAM_RADIO"),
        r(249, 255, "Private Use"),
    ],
};

/// Protocol ID of ISAKMP itself (phase 1 proposals).
pub const PROTO_ISAKMP: u8 = 1;
/// Protocol ID of AH.
pub const PROTO_IPSEC_AH: u8 = 2;
/// Protocol ID of ESP.
pub const PROTO_IPSEC_ESP: u8 = 3;
/// Protocol ID of IPComp.
pub const PROTO_IPCOMP: u8 = 4;

/// ISAKMP transform IDs (protocol 1), RFC 2407 §4.4.2.
pub static TRANSFORMS_ISAKMP: Table = Table {
    title: "IPsec DOI ISAKMP Transform Identifiers",
    source: "RFC 2407 §4.4.2; IANA isakmp-registry",
    entries: &[e(0, "RESERVED"), e(1, "KEY_IKE")],
};

/// AH transform IDs (protocol 2), RFC 2407 §4.4.3 and later RFCs.
pub static TRANSFORMS_AH: Table = Table {
    title: "IPsec DOI AH Transform Identifiers",
    source:
        "RFC 2407 §4.4.3; RFC 2857; RFC 3566; RFC 4359; RFC 4543; RFC 4868; IANA isakmp-registry",
    entries: &[
        e(0, "RESERVED"),
        e(1, "RESERVED"),
        e(2, "AH_MD5"),
        e(3, "AH_SHA"),
        e(4, "AH_DES"),
        e(5, "AH_SHA2-256"),
        e(6, "AH_SHA2-384"),
        e(7, "AH_SHA2-512"),
        e(8, "AH_RIPEMD"),
        e(9, "AH_AES-XCBC-MAC"),
        e(10, "AH_RSA"),
        e(11, "AH_AES-128-GMAC"),
        e(12, "AH_AES-192-GMAC"),
        e(13, "AH_AES-256-GMAC"),
        r(249, 255, "Private Use"),
    ],
};

/// ESP transform IDs (protocol 3), RFC 2407 §4.4.4 and later RFCs.
pub static TRANSFORMS_ESP: Table = Table {
    title: "IPsec DOI ESP Transform Identifiers",
    source: "RFC 2407 §4.4.4; RFC 3602; RFC 3686; RFC 4106; RFC 4309; RFC 4543; RFC 4196; RFC 4312; IANA isakmp-registry",
    entries: &[
        e(0, "RESERVED"),
        e(1, "ESP_DES_IV64"),
        e(2, "ESP_DES"),
        e(3, "ESP_3DES"),
        e(4, "ESP_RC5"),
        e(5, "ESP_IDEA"),
        e(6, "ESP_CAST"),
        e(7, "ESP_BLOWFISH"),
        e(8, "ESP_3IDEA"),
        e(9, "ESP_DES_IV32"),
        e(10, "ESP_RC4"),
        e(11, "ESP_NULL"),
        e(12, "ESP_AES-CBC"),
        e(13, "ESP_AES-CTR"),
        e(14, "ESP_AES-CCM_8"),
        e(15, "ESP_AES-CCM_12"),
        e(16, "ESP_AES-CCM_16"),
        e(18, "ESP_AES-GCM_8"),
        e(19, "ESP_AES-GCM_12"),
        e(20, "ESP_AES-GCM_16"),
        e(21, "ESP_SEED_CBC"),
        e(22, "ESP_CAMELLIA"),
        e(23, "ESP_NULL_AUTH_AES-GMAC"),
        r(249, 255, "Private Use"),
    ],
};

/// IPComp transform IDs (protocol 4), RFC 2407 §4.4.5, RFC 3051, RFC 3173.
pub static TRANSFORMS_IPCOMP: Table = Table {
    title: "IPsec DOI IPCOMP Transform Identifiers",
    source: "RFC 2407 §4.4.5; RFC 3051; RFC 2395; IANA isakmp-registry",
    entries: &[
        e(0, "RESERVED"),
        e(1, "IPCOMP_OUI"),
        e(2, "IPCOMP_DEFLATE"),
        e(3, "IPCOMP_LZS"),
        e(4, "IPCOMP_LZJH"),
        r(48, 63, "Private Use"),
    ],
};

/// The transform ID table for a proposal's protocol, if it has one.
pub fn transform_table(protocol_id: u8) -> Option<&'static Table> {
    match protocol_id {
        PROTO_ISAKMP => Some(&TRANSFORMS_ISAKMP),
        PROTO_IPSEC_AH => Some(&TRANSFORMS_AH),
        PROTO_IPSEC_ESP => Some(&TRANSFORMS_ESP),
        PROTO_IPCOMP => Some(&TRANSFORMS_IPCOMP),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// IKE attribute class (phase 1 transforms), RFC 2409 Appendix A.

/// IKE (phase 1) attribute types, RFC 2409 Appendix A; IANA ipsec-registry.
pub static IKE_ATTRIBUTES: Table = Table {
    title: "IKE Attribute Classes",
    source: "RFC 2409 Appendix A; RFC 4753; IANA ipsec-registry; 17 and 20 as decoded by Wireshark packet-isakmp.c",
    entries: &[
        e(1, "Encryption Algorithm"),
        e(2, "Hash Algorithm"),
        e(3, "Authentication Method"),
        e(4, "Group Description"),
        e(5, "Group Type"),
        e(6, "Group Prime/Irreducible Polynomial"),
        e(7, "Group Generator One"),
        e(8, "Group Generator Two"),
        e(9, "Group Curve A"),
        e(10, "Group Curve B"),
        e(11, "Life Type"),
        e(12, "Life Duration"),
        e(13, "PRF"),
        e(14, "Key Length"),
        e(15, "Field Size"),
        e(16, "Group Order"),
        e(17, "Block Size"),
        e(20, "Asymmetric Cryptographic Algorithm Type"),
        r(16384, 32767, "Private Use"),
    ],
};

/// IKE attribute 1, Encryption Algorithm, RFC 2409 Appendix A.
pub static IKE_ENCRYPTION: Table = Table {
    title: "IKE Encryption Algorithm",
    source: "RFC 2409 Appendix A; RFC 3602; RFC 4132; IANA ipsec-registry",
    entries: &[
        e(1, "DES-CBC"),
        e(2, "IDEA-CBC"),
        e(3, "Blowfish-CBC"),
        e(4, "RC5-R16-B64-CBC"),
        e(5, "3DES-CBC"),
        e(6, "CAST-CBC"),
        e(7, "AES-CBC"),
        e(8, "CAMELLIA-CBC"),
        r(65001, 65535, "Private Use"),
    ],
};

/// IKE attribute 2, Hash Algorithm, RFC 2409 Appendix A, RFC 4868.
pub static IKE_HASH: Table = Table {
    title: "IKE Hash Algorithm",
    source: "RFC 2409 Appendix A; RFC 4868; IANA ipsec-registry",
    entries: &[
        e(1, "MD5"),
        e(2, "SHA"),
        e(3, "Tiger"),
        e(4, "SHA2-256"),
        e(5, "SHA2-384"),
        e(6, "SHA2-512"),
        r(65001, 65535, "Private Use"),
    ],
};

/// IKE attribute 3, Authentication Method: RFC 2409 Appendix A, RFC 4754,
/// draft-ietf-ipsec-isakmp-hybrid-auth-05 (64221-64224) and
/// draft-beaulieu-ike-xauth-02 (65001-65010).
pub static IKE_AUTH_METHOD: Table = Table {
    title: "IKE Authentication Method",
    source: "RFC 2409 Appendix A; RFC 4754; draft-ietf-ipsec-isakmp-hybrid-auth-05; draft-beaulieu-ike-xauth-02 §7.2; IANA ipsec-registry",
    entries: &[
        e(1, "Pre-Shared Key"),
        e(2, "DSS Signatures"),
        e(3, "RSA Signatures"),
        e(4, "Encryption with RSA"),
        e(5, "Revised Encryption with RSA"),
        e(9, "ECDSA with SHA-256 on the P-256 curve"),
        e(10, "ECDSA with SHA-384 on the P-384 curve"),
        e(11, "ECDSA with SHA-512 on the P-521 curve"),
        e(64221, "HybridInitRSA"),
        e(64222, "HybridRespRSA"),
        e(64223, "HybridInitDSS"),
        e(64224, "HybridRespDSS"),
        e(65001, "XAUTHInitPreShared"),
        e(65002, "XAUTHRespPreShared"),
        e(65003, "XAUTHInitDSS"),
        e(65004, "XAUTHRespDSS"),
        e(65005, "XAUTHInitRSA"),
        e(65006, "XAUTHRespRSA"),
        e(65007, "XAUTHInitRSAEncryption"),
        e(65008, "XAUTHRespRSAEncryption"),
        e(65009, "XAUTHInitRSARevisedEncryption"),
        e(65010, "XAUTHRespRSARevisedEncryption"),
        r(65001, 65535, "Private Use"),
    ],
};

/// Group Description (IKE attribute 4, IPsec attribute 3): RFC 2409 §6,
/// RFC 3526, RFC 5903, RFC 5114, RFC 6932; IANA ipsec-registry.
pub static GROUPS: Table = Table {
    title: "IKE Group Description",
    source: "RFC 2409 §6; RFC 3526; RFC 4753; RFC 5114; RFC 5903; RFC 6932; IANA ipsec-registry",
    entries: &[
        e(1, "768-bit MODP group (1)"),
        e(2, "1024-bit MODP group (2)"),
        e(3, "EC2N group on GP[2^155] (3)"),
        e(4, "EC2N group on GP[2^185] (4)"),
        e(5, "1536-bit MODP group (5)"),
        e(6, "163-bit EC2N group (6)"),
        e(7, "163-bit EC2N group (7)"),
        e(8, "283-bit EC2N group (8)"),
        e(9, "283-bit EC2N group (9)"),
        e(10, "409-bit EC2N group (10)"),
        e(11, "409-bit EC2N group (11)"),
        e(12, "571-bit EC2N group (12)"),
        e(13, "571-bit EC2N group (13)"),
        e(14, "2048-bit MODP group (14)"),
        e(15, "3072-bit MODP group (15)"),
        e(16, "4096-bit MODP group (16)"),
        e(17, "6144-bit MODP group (17)"),
        e(18, "8192-bit MODP group (18)"),
        e(19, "256-bit random ECP group (19)"),
        e(20, "384-bit random ECP group (20)"),
        e(21, "521-bit random ECP group (21)"),
        e(
            22,
            "1024-bit MODP group with 160-bit prime order subgroup (22)",
        ),
        e(
            23,
            "2048-bit MODP group with 224-bit prime order subgroup (23)",
        ),
        e(
            24,
            "2048-bit MODP group with 256-bit prime order subgroup (24)",
        ),
        e(25, "192-bit random ECP group (25)"),
        e(26, "224-bit random ECP group (26)"),
        e(27, "224-bit Brainpool ECP group (27)"),
        e(28, "256-bit Brainpool ECP group (28)"),
        e(29, "384-bit Brainpool ECP group (29)"),
        e(30, "512-bit Brainpool ECP group (30)"),
        r(32768, 65535, "Private Use"),
    ],
};

/// IKE attribute 5, Group Type, RFC 2409 Appendix A.
pub static IKE_GROUP_TYPE: Table = Table {
    title: "IKE Group Type",
    source: "RFC 2409 Appendix A; IANA ipsec-registry",
    entries: &[
        e(1, "MODP"),
        e(2, "ECP"),
        e(3, "EC2N"),
        r(65001, 65535, "Private Use"),
    ],
};

/// Life Type (IKE attribute 11, IPsec attribute 1): RFC 2409 Appendix A,
/// RFC 2407 §4.5.
pub static LIFE_TYPE: Table = Table {
    title: "Life Type",
    source: "RFC 2409 Appendix A; RFC 2407 §4.5; IANA ipsec-registry",
    entries: &[
        e(1, "Seconds"),
        e(2, "Kilobytes"),
        r(61440, 65535, "Private Use"),
    ],
};

/// IKE attribute 20, Asymmetric Cryptographic Algorithm Type.
pub static IKE_ASYMMETRIC: Table = Table {
    title: "IKE Asymmetric Cryptographic Algorithm Type",
    source: "Wireshark packet-isakmp.c (Chinese GM/T IPsec VPN extension)",
    entries: &[e(1, "RSA"), e(2, "SM2")],
};

/// IKE attribute types whose values are names (the others are numbers).
pub fn ike_value_table(attr_type: u16) -> Option<&'static Table> {
    match attr_type {
        1 => Some(&IKE_ENCRYPTION),
        2 => Some(&IKE_HASH),
        3 => Some(&IKE_AUTH_METHOD),
        4 => Some(&GROUPS),
        5 => Some(&IKE_GROUP_TYPE),
        11 => Some(&LIFE_TYPE),
        20 => Some(&IKE_ASYMMETRIC),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// IPsec DOI attribute class (phase 2 transforms), RFC 2407 §4.5.

/// IPsec DOI (phase 2) attribute types, RFC 2407 §4.5; IANA isakmp-registry.
pub static IPSEC_ATTRIBUTES: Table = Table {
    title: "IPsec Security Association Attributes",
    source: "RFC 2407 §4.5; RFC 3168; RFC 4304; RFC 4359; RFC 6407; IANA isakmp-registry",
    entries: &[
        e(1, "SA Life Type"),
        e(2, "SA Life Duration"),
        e(3, "Group Description"),
        e(4, "Encapsulation Mode"),
        e(5, "Authentication Algorithm"),
        e(6, "Key Length"),
        e(7, "Key Rounds"),
        e(8, "Compress Dictionary Size"),
        e(9, "Compress Private Algorithm"),
        e(10, "ECN Tunnel"),
        e(11, "Extended (64-bit) Sequence Number"),
        e(12, "Authentication Key Length"),
        e(13, "Signature Encoding Algorithm"),
        e(14, "Address Preservation"),
        e(15, "SA Direction"),
        r(32001, 32767, "Private Use"),
    ],
};

/// IPsec attribute 4, Encapsulation Mode: RFC 2407 §4.5, RFC 3947 §5.1 and
/// the draft-ietf-ipsec-nat-t-ike values still sent by old gear.
pub static ENCAPSULATION_MODE: Table = Table {
    title: "IPsec Encapsulation Mode",
    source: "RFC 2407 §4.5; RFC 3947 §5.1; draft-ietf-ipsec-nat-t-ike-02..08",
    entries: &[
        e(1, "Tunnel"),
        e(2, "Transport"),
        e(3, "UDP-Encapsulated-Tunnel"),
        e(4, "UDP-Encapsulated-Transport"),
        e(61440, "Check Point IPsec UDP Encapsulation"),
        e(61443, "UDP-Encapsulated-Tunnel (draft)"),
        e(61444, "UDP-Encapsulated-Transport (draft)"),
        r(61440, 65535, "Private Use"),
    ],
};

/// IPsec attribute 5, Authentication Algorithm: RFC 2407 §4.5 and later.
pub static IPSEC_AUTH_ALGORITHM: Table = Table {
    title: "IPsec Authentication Algorithm",
    source: "RFC 2407 §4.5; RFC 2857; RFC 3566; RFC 4359; RFC 4543; RFC 4868; IANA isakmp-registry",
    entries: &[
        e(1, "HMAC-MD5"),
        e(2, "HMAC-SHA"),
        e(3, "DES-MAC"),
        e(4, "KPDK"),
        e(5, "HMAC-SHA2-256"),
        e(6, "HMAC-SHA2-384"),
        e(7, "HMAC-SHA2-512"),
        e(8, "HMAC-RIPEMD"),
        e(9, "AES-XCBC-MAC"),
        e(10, "SIG-RSA"),
        e(11, "AES-128-GMAC"),
        e(12, "AES-192-GMAC"),
        e(13, "AES-256-GMAC"),
        r(61440, 65535, "Private Use"),
    ],
};

/// IPsec attribute 10, ECN Tunnel, RFC 3168 §9.2.1.
pub static ECN_TUNNEL: Table = Table {
    title: "IPsec ECN Tunnel",
    source: "RFC 3168 §9.2.1",
    entries: &[e(1, "Allowed"), e(2, "Forbidden")],
};

/// IPsec attribute 11, Extended Sequence Number, RFC 4304 §2.
pub static EXTENDED_SEQUENCE: Table = Table {
    title: "IPsec Extended Sequence Number",
    source: "RFC 4304 §2",
    entries: &[e(1, "64-bit Sequence Number")],
};

/// IPsec attribute 13, Signature Encoding Algorithm, RFC 4359 §3.
pub static SIGNATURE_ENCODING: Table = Table {
    title: "IPsec Signature Encoding Algorithm",
    source: "RFC 4359 §3",
    entries: &[e(1, "RSASSA-PKCS1-v1_5"), e(2, "RSASSA-PSS")],
};

/// IPsec attribute 14, Address Preservation, RFC 6407 §5.3.
pub static ADDRESS_PRESERVATION: Table = Table {
    title: "IPsec Address Preservation",
    source: "RFC 6407 §5.3",
    entries: &[
        e(1, "None"),
        e(2, "Source-Only"),
        e(3, "Destination-Only"),
        e(4, "Source-and-Destination"),
    ],
};

/// IPsec attribute 15, SA Direction, RFC 6407 §5.3.
pub static SA_DIRECTION: Table = Table {
    title: "IPsec SA Direction",
    source: "RFC 6407 §5.3",
    entries: &[
        e(1, "Sender-Only"),
        e(2, "Receiver-Only"),
        e(3, "Symmetric"),
    ],
};

/// IPsec attribute types whose values are names (the others are numbers).
pub fn ipsec_value_table(attr_type: u16) -> Option<&'static Table> {
    match attr_type {
        1 => Some(&LIFE_TYPE),
        3 => Some(&GROUPS),
        4 => Some(&ENCAPSULATION_MODE),
        5 => Some(&IPSEC_AUTH_ALGORITHM),
        10 => Some(&ECN_TUNNEL),
        11 => Some(&EXTENDED_SEQUENCE),
        13 => Some(&SIGNATURE_ENCODING),
        14 => Some(&ADDRESS_PRESERVATION),
        15 => Some(&SA_DIRECTION),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Notify, ID, certificates.

/// IKEv1 notify message types: RFC 2408 §3.14.1 (errors 1-30, status 16384),
/// RFC 2407 §4.6.3 (IPsec DOI 24576-24578), RFC 3706 (DPD), and the private
/// values named by the implementations that send them (Cisco, Juniper, Check
/// Point, strongSwan, Microsoft; cf. libreswan and strongSwan
/// `notify_payload.h`). Exact rows win over the "Private Use" ranges.
pub static NOTIFY_TYPES: Table = Table {
    title: "ISAKMP Notify Message Types",
    source: "RFC 2408 §3.14.1; RFC 2407 §4.6.3; RFC 3706 §5; IANA isakmp-registry; vendor private values (libreswan, strongSwan notify_payload.h, Wireshark packet-isakmp.c, ike-scan)",
    entries: &[
        e(1, "INVALID-PAYLOAD-TYPE"),
        e(2, "DOI-NOT-SUPPORTED"),
        e(3, "SITUATION-NOT-SUPPORTED"),
        e(4, "INVALID-COOKIE"),
        e(5, "INVALID-MAJOR-VERSION"),
        e(6, "INVALID-MINOR-VERSION"),
        e(7, "INVALID-EXCHANGE-TYPE"),
        e(8, "INVALID-FLAGS"),
        e(9, "INVALID-MESSAGE-ID"),
        e(10, "INVALID-PROTOCOL-ID"),
        e(11, "INVALID-SPI"),
        e(12, "INVALID-TRANSFORM-ID"),
        e(13, "ATTRIBUTES-NOT-SUPPORTED"),
        e(14, "NO-PROPOSAL-CHOSEN"),
        e(15, "BAD-PROPOSAL-SYNTAX"),
        e(16, "PAYLOAD-MALFORMED"),
        e(17, "INVALID-KEY-INFORMATION"),
        e(18, "INVALID-ID-INFORMATION"),
        e(19, "INVALID-CERT-ENCODING"),
        e(20, "INVALID-CERTIFICATE"),
        e(21, "CERT-TYPE-UNSUPPORTED"),
        e(22, "INVALID-CERT-AUTHORITY"),
        e(23, "INVALID-HASH-INFORMATION"),
        e(24, "AUTHENTICATION-FAILED"),
        e(25, "INVALID-SIGNATURE"),
        e(26, "ADDRESS-NOTIFICATION"),
        e(27, "NOTIFY-SA-LIFETIME"),
        e(28, "CERTIFICATE-UNAVAILABLE"),
        e(29, "UNSUPPORTED-EXCHANGE-TYPE"),
        e(30, "UNEQUAL-PAYLOAD-LENGTHS"),
        r(8192, 16383, "Private Use (errors)"),
        e(9101, "CHECKPOINT-FW1-NOTIFY (4.x/NG)"),
        e(9110, "CHECKPOINT-FW1-NOTIFY (NG AI R54+)"),
        e(12345, "MS-NOTIFY-STATUS"),
        e(16384, "CONNECTED"),
        e(24576, "RESPONDER-LIFETIME"),
        e(24577, "REPLAY-STATUS"),
        e(24578, "INITIAL-CONTACT"),
        r(24579, 32767, "DOI-specific"),
        e(30000, "CISCO-HELLO"),
        e(30001, "CISCO-WWTEBR"),
        e(30002, "CISCO-SHUT-UP"),
        r(32768, 40959, "Private Use (status)"),
        e(32768, "CISCO-IOS-KEEP-ALIVE-REQ"),
        e(32769, "CISCO-IOS-KEEP-ALIVE-ACK"),
        e(36136, "R-U-THERE"),
        e(36137, "R-U-THERE-ACK"),
        e(40001, "NETSCREEN-NHTB-INFORM"),
        e(40501, "UNITY-LOAD-BALANCE"),
        e(40502, "UNITY-UNKNOWN"),
        e(40503, "UNITY-GROUP-HASH"),
        e(40961, "USE-BEET-MODE"),
        e(40962, "ME-MEDIATION"),
        e(40963, "ME-ENDPOINT"),
        e(40964, "ME-CALLBACK"),
        e(40965, "ME-CONNECTID"),
        e(40966, "ME-CONNECTKEY"),
        e(40967, "ME-CONNECTAUTH"),
        e(40968, "ME-RESPONSE"),
        e(40969, "RADIUS-ATTRIBUTE"),
    ],
};

/// Notify type numbers with decoded data.
pub const NOTIFY_RESPONDER_LIFETIME: u16 = 24576;
pub const NOTIFY_R_U_THERE: u16 = 36136;
pub const NOTIFY_R_U_THERE_ACK: u16 = 36137;

/// IKEv1 notify type name.
pub fn notify_name(t: u16) -> Option<&'static str> {
    NOTIFY_TYPES.name(t.into())
}

/// IPsec DOI identification types, RFC 2407 §4.6.2.1; IANA isakmp-registry.
pub static ID_TYPES: Table = Table {
    title: "IPsec DOI Identification Type Values",
    source: "RFC 2407 §4.6.2.1; RFC 3554; IANA isakmp-registry",
    entries: &[
        e(0, "RESERVED"),
        e(1, "ID_IPV4_ADDR"),
        e(2, "ID_FQDN"),
        e(3, "ID_USER_FQDN"),
        e(4, "ID_IPV4_ADDR_SUBNET"),
        e(5, "ID_IPV6_ADDR"),
        e(6, "ID_IPV6_ADDR_SUBNET"),
        e(7, "ID_IPV4_ADDR_RANGE"),
        e(8, "ID_IPV6_ADDR_RANGE"),
        e(9, "ID_DER_ASN1_DN"),
        e(10, "ID_DER_ASN1_GN"),
        e(11, "ID_KEY_ID"),
        e(12, "ID_LIST"),
        r(249, 255, "Private Use"),
    ],
};

/// ID type numbers used by the ID and NAT-OA decoders.
pub mod id_type {
    pub const IPV4_ADDR: u8 = 1;
    pub const FQDN: u8 = 2;
    pub const USER_FQDN: u8 = 3;
    pub const IPV4_ADDR_SUBNET: u8 = 4;
    pub const IPV6_ADDR: u8 = 5;
    pub const IPV6_ADDR_SUBNET: u8 = 6;
    pub const IPV4_ADDR_RANGE: u8 = 7;
    pub const IPV6_ADDR_RANGE: u8 = 8;
    pub const DER_ASN1_DN: u8 = 9;
    pub const DER_ASN1_GN: u8 = 10;
    pub const KEY_ID: u8 = 11;
}

/// Certificate encodings (CERT and CR payloads), RFC 2408 §3.9.
pub static CERT_ENCODINGS: Table = Table {
    title: "ISAKMP Certificate Encoding",
    source: "RFC 2408 §3.9; IANA isakmp-registry",
    entries: &[
        e(0, "NONE"),
        e(1, "PKCS #7 wrapped X.509 certificate"),
        e(2, "PGP Certificate"),
        e(3, "DNS Signed Key"),
        e(4, "X.509 Certificate - Signature"),
        e(5, "X.509 Certificate - Key Exchange"),
        e(6, "Kerberos Tokens"),
        e(7, "Certificate Revocation List (CRL)"),
        e(8, "Authority Revocation List (ARL)"),
        e(9, "SPKI Certificate"),
        e(10, "X.509 Certificate - Attribute"),
    ],
};

// ---------------------------------------------------------------------------
// Key exchange: groups implied by the KE data length.

/// MODP groups implied by an IKEv1 KE payload's data length in bytes (the
/// payload carries no group number; the length of g^x mod p is the length of
/// p). Rows are (length, group).
pub static KE_LENGTH_GROUPS: &[(usize, u16)] = &[
    (96, 1),
    (128, 2),
    (192, 5),
    (256, 14),
    (384, 15),
    (512, 16),
    (768, 17),
    (1024, 18),
];

/// The MODP group number a KE data length implies, RFC 2409 §6 / RFC 3526.
/// ECP groups (19-21: 64, 96, 132 bytes) collide with MODP lengths and are
/// not guessed.
pub fn group_for_ke_length(len: usize) -> Option<u16> {
    KE_LENGTH_GROUPS
        .iter()
        .find(|(l, _)| *l == len)
        .map(|(_, g)| *g)
}

// ---------------------------------------------------------------------------
// Mode-config / XAUTH (Attributes payload 14).

/// Attributes payload types, draft-dukes-ike-mode-cfg-02 §3.2.
pub static CFG_TYPES: Table = Table {
    title: "ISAKMP Configuration Types",
    source: "draft-dukes-ike-mode-cfg-02 §3.2",
    entries: &[
        e(1, "ISAKMP_CFG_REQUEST"),
        e(2, "ISAKMP_CFG_REPLY"),
        e(3, "ISAKMP_CFG_SET"),
        e(4, "ISAKMP_CFG_ACK"),
        r(128, 255, "Private Use"),
    ],
};

/// Mode-config and XAUTH attribute types: draft-dukes-ike-mode-cfg-02 §3.3,
/// draft-beaulieu-ike-xauth-02 §6, Cisco Unity (28672-28682) and Check Point
/// values as decoded by Wireshark.
pub static CFG_ATTRIBUTES: Table = Table {
    title: "ISAKMP Configuration Attributes",
    source: "draft-dukes-ike-mode-cfg-02 §3.3; draft-beaulieu-ike-xauth-02 §6; Cisco Unity; Wireshark packet-isakmp.c",
    entries: &[
        e(1, "INTERNAL_IP4_ADDRESS"),
        e(2, "INTERNAL_IP4_NETMASK"),
        e(3, "INTERNAL_IP4_DNS"),
        e(4, "INTERNAL_IP4_NBNS"),
        e(5, "INTERNAL_ADDRESS_EXPIRY"),
        e(6, "INTERNAL_IP4_DHCP"),
        e(7, "APPLICATION_VERSION"),
        e(8, "INTERNAL_IP6_ADDRESS"),
        e(9, "INTERNAL_IP6_NETMASK"),
        e(10, "INTERNAL_IP6_DNS"),
        e(11, "INTERNAL_IP6_NBNS"),
        e(12, "INTERNAL_IP6_DHCP"),
        e(13, "INTERNAL_IP4_SUBNET"),
        e(14, "SUPPORTED_ATTRIBUTES"),
        e(15, "INTERNAL_IP6_SUBNET"),
        r(16384, 32767, "Private Use"),
        e(16387, "CHKPT_DEF_DOMAIN"),
        e(16388, "CHKPT_MAC_ADDRESS"),
        e(16389, "CHKPT_MARCIPAN_REASON_CODE"),
        e(16520, "XAUTH-TYPE"),
        e(16521, "XAUTH-USER-NAME"),
        e(16522, "XAUTH-USER-PASSWORD"),
        e(16523, "XAUTH-PASSCODE"),
        e(16524, "XAUTH-MESSAGE"),
        e(16525, "XAUTH-CHALLENGE"),
        e(16526, "XAUTH-DOMAIN"),
        e(16527, "XAUTH-STATUS"),
        e(16528, "XAUTH-NEXT-PIN"),
        e(16529, "XAUTH-ANSWER"),
        e(28672, "UNITY_BANNER"),
        e(28673, "UNITY_SAVE_PASSWD"),
        e(28674, "UNITY_DEF_DOMAIN"),
        e(28675, "UNITY_SPLIT_DOMAIN"),
        e(28676, "UNITY_SPLIT_INCLUDE"),
        e(28677, "UNITY_NATT_PORT"),
        e(28678, "UNITY_LOCAL_LAN"),
        e(28679, "UNITY_PFS"),
        e(28680, "UNITY_FW_TYPE"),
        e(28681, "UNITY_BACKUP_SERVERS"),
        e(28682, "UNITY_DDNS_HOSTNAME"),
    ],
};

/// Attribute numbers the mode-config decoder treats specially.
pub mod cfg_attr {
    pub const INTERNAL_IP4_ADDRESS: u16 = 1;
    pub const INTERNAL_IP4_NETMASK: u16 = 2;
    pub const INTERNAL_IP4_DNS: u16 = 3;
    pub const INTERNAL_IP4_NBNS: u16 = 4;
    pub const INTERNAL_ADDRESS_EXPIRY: u16 = 5;
    pub const INTERNAL_IP4_DHCP: u16 = 6;
    pub const APPLICATION_VERSION: u16 = 7;
    pub const INTERNAL_IP6_ADDRESS: u16 = 8;
    pub const INTERNAL_IP6_NETMASK: u16 = 9;
    pub const INTERNAL_IP6_DNS: u16 = 10;
    pub const INTERNAL_IP6_NBNS: u16 = 11;
    pub const INTERNAL_IP6_DHCP: u16 = 12;
    pub const INTERNAL_IP4_SUBNET: u16 = 13;
    pub const SUPPORTED_ATTRIBUTES: u16 = 14;
    pub const INTERNAL_IP6_SUBNET: u16 = 15;
    pub const XAUTH_TYPE: u16 = 16520;
    pub const XAUTH_USER_NAME: u16 = 16521;
    pub const XAUTH_USER_PASSWORD: u16 = 16522;
    pub const XAUTH_PASSCODE: u16 = 16523;
    pub const XAUTH_MESSAGE: u16 = 16524;
    pub const XAUTH_CHALLENGE: u16 = 16525;
    pub const XAUTH_DOMAIN: u16 = 16526;
    pub const XAUTH_STATUS: u16 = 16527;
    pub const XAUTH_NEXT_PIN: u16 = 16528;
    pub const XAUTH_ANSWER: u16 = 16529;
    pub const UNITY_BANNER: u16 = 28672;
    pub const UNITY_SAVE_PASSWD: u16 = 28673;
    pub const UNITY_DEF_DOMAIN: u16 = 28674;
    pub const UNITY_SPLIT_DOMAIN: u16 = 28675;
    pub const UNITY_SPLIT_INCLUDE: u16 = 28676;
    pub const UNITY_NATT_PORT: u16 = 28677;
    pub const UNITY_LOCAL_LAN: u16 = 28678;
    pub const UNITY_PFS: u16 = 28679;
    pub const UNITY_BACKUP_SERVERS: u16 = 28681;
    pub const UNITY_DDNS_HOSTNAME: u16 = 28682;
}

/// XAUTH-TYPE values, draft-beaulieu-ike-xauth-02 §6.2.
pub static XAUTH_TYPES: Table = Table {
    title: "XAUTH Types",
    source: "draft-beaulieu-ike-xauth-02 §6.2",
    entries: &[
        e(0, "Generic"),
        e(1, "RADIUS-CHAP"),
        e(2, "OTP"),
        e(3, "S/KEY"),
        r(32768, 65535, "Private Use"),
    ],
};

/// XAUTH-STATUS values, draft-beaulieu-ike-xauth-02 §6.2.
pub static XAUTH_STATUS: Table = Table {
    title: "XAUTH Status",
    source: "draft-beaulieu-ike-xauth-02 §6.2",
    entries: &[e(0, "FAIL"), e(1, "OK")],
};

/// Every table above, for consistency tests and documentation.
pub static ALL: &[&Table] = &[
    &EXCHANGE_TYPES,
    &PAYLOAD_TYPES,
    &DOI,
    &SITUATION_BITS,
    &PROTOCOL_IDS,
    &TRANSFORMS_ISAKMP,
    &TRANSFORMS_AH,
    &TRANSFORMS_ESP,
    &TRANSFORMS_IPCOMP,
    &IKE_ATTRIBUTES,
    &IKE_ENCRYPTION,
    &IKE_HASH,
    &IKE_AUTH_METHOD,
    &GROUPS,
    &IKE_GROUP_TYPE,
    &LIFE_TYPE,
    &IKE_ASYMMETRIC,
    &IPSEC_ATTRIBUTES,
    &ENCAPSULATION_MODE,
    &IPSEC_AUTH_ALGORITHM,
    &ECN_TUNNEL,
    &EXTENDED_SEQUENCE,
    &SIGNATURE_ENCODING,
    &ADDRESS_PRESERVATION,
    &SA_DIRECTION,
    &NOTIFY_TYPES,
    &ID_TYPES,
    &CERT_ENCODINGS,
    &CFG_TYPES,
    &CFG_ATTRIBUTES,
    &XAUTH_TYPES,
    &XAUTH_STATUS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_no_duplicate_exact_values_and_valid_ranges() {
        for t in ALL {
            assert!(!t.source.is_empty(), "{} has no source", t.title);
            let mut exact: Vec<u32> = t
                .entries
                .iter()
                .filter(|e| e.first == e.last)
                .map(|e| e.first)
                .collect();
            let n = exact.len();
            exact.sort_unstable();
            exact.dedup();
            assert_eq!(n, exact.len(), "{} has a duplicate exact row", t.title);
            for e in t.entries {
                assert!(e.first <= e.last, "{}: bad range {}", t.title, e.name);
                assert!(!e.name.is_empty(), "{}: empty name", t.title);
            }
        }
    }

    #[test]
    fn exact_rows_are_sorted_within_each_table() {
        // Ranges may sit anywhere (they are fallbacks); exact rows ascend.
        for t in ALL {
            let exact: Vec<u32> = t
                .entries
                .iter()
                .filter(|e| e.first == e.last)
                .map(|e| e.first)
                .collect();
            assert!(
                exact.windows(2).all(|w| w[0] < w[1]),
                "{} exact rows are not ascending",
                t.title
            );
        }
    }

    #[test]
    fn version_specific_names() {
        assert_eq!(notify_name(16), Some("PAYLOAD-MALFORMED"));
        assert_eq!(notify_name(14), Some("NO-PROPOSAL-CHOSEN"));
        assert_eq!(notify_name(36136), Some("R-U-THERE"));
        assert_eq!(notify_name(40501), Some("UNITY-LOAD-BALANCE"));
        assert_eq!(notify_name(40000), Some("Private Use (status)"));
        assert_eq!(notify_name(31), None);
        assert_eq!(
            ENCAPSULATION_MODE.name(61443),
            Some("UDP-Encapsulated-Tunnel (draft)")
        );
        assert_eq!(ENCAPSULATION_MODE.name(61445), Some("Private Use"));
        assert_eq!(IKE_AUTH_METHOD.name(65001), Some("XAUTHInitPreShared"));
        assert_eq!(TRANSFORMS_ESP.name(12), Some("ESP_AES-CBC"));
        assert_eq!(transform_table(3).and_then(|t| t.name(3)), Some("ESP_3DES"));
        assert!(transform_table(9).is_none());
    }

    #[test]
    fn ke_lengths_imply_modp_groups() {
        assert_eq!(group_for_ke_length(128), Some(2));
        assert_eq!(group_for_ke_length(256), Some(14));
        assert_eq!(group_for_ke_length(100), None);
    }
}
