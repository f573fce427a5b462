//! IKEv2 registries: IANA "Internet Key Exchange Version 2 (IKEv2)
//! Parameters" (ikev2-parameters), one table per registry, plus the private
//! values real implementations send.

use super::{e, r, Table};

/// IKEv2 exchange types, RFC 7296 §3.1; IANA ikev2-parameters-1.
pub static EXCHANGE_TYPES: Table = Table {
    title: "IKEv2 Exchange Types",
    source: "RFC 7296 §3.1; IANA ikev2-parameters-1",
    entries: &[
        e(34, "IKE_SA_INIT"),
        e(35, "IKE_AUTH"),
        e(36, "CREATE_CHILD_SA"),
        e(37, "INFORMATIONAL"),
        e(38, "IKE_SESSION_RESUME"),
        e(39, "GSA_AUTH"),
        e(40, "GSA_REGISTRATION"),
        e(41, "GSA_REKEY"),
        e(42, "GSA_INBAND_REKEY"),
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
        e(49, "Generic Secure Password Methods"),
        e(50, "Group Identification"),
        e(51, "Group Security Association"),
        e(52, "Key Download"),
        e(53, "Encrypted and Authenticated Fragment"),
        e(54, "Puzzle Solution"),
        r(128, 255, "Private Use"),
    ],
};

/// Transform types, RFC 7296 §3.3.2, RFC 9370 §2.2; IANA ikev2-parameters
/// "Transform Type Values".
pub static TRANSFORM_TYPES: Table = Table {
    title: "IKEv2 Transform Type Values",
    source: "RFC 7296 §3.3.2; RFC 9370; IANA ikev2-parameters 'Transform Type Values'",
    entries: &[
        e(1, "ENCR"),
        e(2, "PRF"),
        e(3, "INTEG"),
        e(4, "D-H"),
        e(5, "ESN"),
        e(6, "ADDKE1"),
        e(7, "ADDKE2"),
        e(8, "ADDKE3"),
        e(9, "ADDKE4"),
        e(10, "ADDKE5"),
        e(11, "ADDKE6"),
        e(12, "ADDKE7"),
        e(13, "KWA"),
        e(14, "GCAUTH"),
        r(241, 255, "Private Use"),
    ],
};

/// Transform attribute types, RFC 7296 §3.3.5; IANA ikev2-parameters
/// "IKEv2 Transform Attribute Types".
pub static TRANSFORM_ATTRIBUTE_TYPES: Table = Table {
    title: "IKEv2 Transform Attribute Types",
    source: "RFC 7296 §3.3.5; IANA ikev2-parameters 'IKEv2 Transform Attribute Types'",
    entries: &[e(14, "Key Length"), r(16384, 32767, "Private Use")],
};

/// Transform Type 1 - Encryption Algorithm Transform IDs, RFC 7296 §3.3.2;
/// IANA ikev2-parameters "Transform Type 1".
pub static ENCR_IDS: Table = Table {
    title: "IKEv2 Encryption Algorithm Transform IDs",
    source:
        "RFC 7296 §3.3.2; RFC 4106; RFC 4309; RFC 5282; RFC 7634; RFC 8750; IANA ikev2-parameters 'Transform Type 1 - Encryption Algorithm Transform IDs'",
    entries: &[
        e(1, "ENCR_DES_IV64"),
        e(2, "ENCR_DES"),
        e(3, "ENCR_3DES"),
        e(4, "ENCR_RC5"),
        e(5, "ENCR_IDEA"),
        e(6, "ENCR_CAST"),
        e(7, "ENCR_BLOWFISH"),
        e(8, "ENCR_3IDEA"),
        e(9, "ENCR_DES_IV32"),
        e(11, "ENCR_NULL"),
        e(12, "ENCR_AES_CBC"),
        e(13, "ENCR_AES_CTR"),
        e(14, "ENCR_AES_CCM_8"),
        e(15, "ENCR_AES_CCM_12"),
        e(16, "ENCR_AES_CCM_16"),
        e(18, "ENCR_AES_GCM_8"),
        e(19, "ENCR_AES_GCM_12"),
        e(20, "ENCR_AES_GCM_16"),
        e(21, "ENCR_NULL_AUTH_AES_GMAC"),
        e(23, "ENCR_CAMELLIA_CBC"),
        e(24, "ENCR_CAMELLIA_CTR"),
        e(25, "ENCR_CAMELLIA_CCM_8"),
        e(26, "ENCR_CAMELLIA_CCM_12"),
        e(27, "ENCR_CAMELLIA_CCM_16"),
        e(28, "ENCR_CHACHA20_POLY1305"),
        e(29, "ENCR_AES_CCM_8_IIV"),
        e(30, "ENCR_AES_GCM_16_IIV"),
        e(31, "ENCR_CHACHA20_POLY1305_IIV"),
        e(32, "ENCR_KUZNYECHIK_MGM_KTREE"),
        e(33, "ENCR_MAGMA_MGM_KTREE"),
        e(34, "ENCR_KUZNYECHIK_MGM_MAC_KTREE"),
        e(35, "ENCR_MAGMA_MGM_MAC_KTREE"),
        r(1024, 65535, "Private Use"),
    ],
};

/// Transform Type 2 - Pseudorandom Function Transform IDs, RFC 7296 §3.3.2;
/// IANA ikev2-parameters "Transform Type 2".
pub static PRF_IDS: Table = Table {
    title: "IKEv2 Pseudorandom Function Transform IDs",
    source: "RFC 7296 §3.3.2; RFC 4615; RFC 4868; RFC 9385; IANA ikev2-parameters 'Transform Type 2 - Pseudorandom Function Transform IDs'",
    entries: &[
        e(1, "PRF_HMAC_MD5"),
        e(2, "PRF_HMAC_SHA1"),
        e(3, "PRF_HMAC_TIGER"),
        e(4, "PRF_AES128_XCBC"),
        e(5, "PRF_HMAC_SHA2_256"),
        e(6, "PRF_HMAC_SHA2_384"),
        e(7, "PRF_HMAC_SHA2_512"),
        e(8, "PRF_AES128_CMAC"),
        e(9, "PRF_HMAC_STREEBOG_512"),
        r(1024, 65535, "Private Use"),
    ],
};

/// Transform Type 3 - Integrity Algorithm Transform IDs, RFC 7296 §3.3.2;
/// IANA ikev2-parameters "Transform Type 3".
pub static INTEG_IDS: Table = Table {
    title: "IKEv2 Integrity Algorithm Transform IDs",
    source: "RFC 7296 §3.3.2; RFC 4494; RFC 4543; RFC 4868; IANA ikev2-parameters 'Transform Type 3 - Integrity Algorithm Transform IDs'",
    entries: &[
        e(0, "NONE"),
        e(1, "AUTH_HMAC_MD5_96"),
        e(2, "AUTH_HMAC_SHA1_96"),
        e(3, "AUTH_DES_MAC"),
        e(4, "AUTH_KPDK_MD5"),
        e(5, "AUTH_AES_XCBC_96"),
        e(6, "AUTH_HMAC_MD5_128"),
        e(7, "AUTH_HMAC_SHA1_160"),
        e(8, "AUTH_AES_CMAC_96"),
        e(9, "AUTH_AES_128_GMAC"),
        e(10, "AUTH_AES_192_GMAC"),
        e(11, "AUTH_AES_256_GMAC"),
        e(12, "AUTH_HMAC_SHA2_256_128"),
        e(13, "AUTH_HMAC_SHA2_384_192"),
        e(14, "AUTH_HMAC_SHA2_512_256"),
        r(1024, 65535, "Private Use"),
    ],
};

/// Transform Type 4 - Key Exchange Method (Diffie-Hellman group) Transform
/// IDs, RFC 7296 §3.3.2 and Appendix B; IANA ikev2-parameters "Transform Type 4". Also names
/// the group in KE payloads and INVALID_KE_PAYLOAD.
pub static DH_GROUPS: Table = Table {
    title: "IKEv2 Key Exchange Method Transform IDs",
    source: "RFC 7296 App. B; RFC 3526; RFC 5114; RFC 5903; RFC 6954; RFC 8031; RFC 9385; IANA ikev2-parameters 'Transform Type 4 - Key Exchange Method Transform IDs'",
    entries: &[
        e(0, "NONE"),
        e(1, "768-bit MODP Group"),
        e(2, "1024-bit MODP Group"),
        e(5, "1536-bit MODP Group"),
        e(14, "2048-bit MODP Group"),
        e(15, "3072-bit MODP Group"),
        e(16, "4096-bit MODP Group"),
        e(17, "6144-bit MODP Group"),
        e(18, "8192-bit MODP Group"),
        e(19, "256-bit random ECP group"),
        e(20, "384-bit random ECP group"),
        e(21, "521-bit random ECP group"),
        e(22, "1024-bit MODP Group with 160-bit Prime Order Subgroup"),
        e(23, "2048-bit MODP Group with 224-bit Prime Order Subgroup"),
        e(24, "2048-bit MODP Group with 256-bit Prime Order Subgroup"),
        e(25, "192-bit Random ECP Group"),
        e(26, "224-bit Random ECP Group"),
        e(27, "brainpoolP224r1"),
        e(28, "brainpoolP256r1"),
        e(29, "brainpoolP384r1"),
        e(30, "brainpoolP512r1"),
        e(31, "Curve25519"),
        e(32, "Curve448"),
        e(33, "GOST3410_2012_256"),
        e(34, "GOST3410_2012_512"),
        e(35, "ml-kem-512"),
        e(36, "ml-kem-768"),
        e(37, "ml-kem-1024"),
        r(1024, 65535, "Private Use"),
    ],
};

/// Gateway Identity Types of the REDIRECT notify, RFC 5685 §10 (IANA
/// ikev2-parameters "Gateway Identity Types").
pub static GATEWAY_IDENTITY_TYPES: Table = Table {
    title: "IKEv2 Gateway Identity Types",
    source: "RFC 5685 §10; IANA ikev2-parameters 'Gateway Identity Types'",
    entries: &[
        e(1, "IPv4 address of the new VPN gateway"),
        e(2, "IPv6 address of the new VPN gateway"),
        e(3, "FQDN of the new VPN gateway"),
        r(240, 255, "Private Use"),
    ],
};

/// Key Exchange data length in bytes for a Transform Type 4 group: the
/// initiator's (KE in a request) and the responder's (KE in a response).
/// MODP: the prime's length (RFC 3526 §2-7, RFC 2409 §6, RFC 5114 §2.1-2.3:
/// g^x mod p padded to it, RFC 7296 §3.4); ECP: x and y concatenated (RFC
/// 5903 §7, RFC 5114 §2.4-2.5, RFC 6954 §4 for Brainpool); Curve25519/448:
/// the u-coordinate (RFC 8031 §3.1); GOST: x and y (RFC 9385 §3); ML-KEM:
/// the encapsulation key from the initiator, the ciphertext from the
/// responder (FIPS 203 Table 3, draft-ietf-ipsecme-ikev2-mlkem §2). Group
/// numbers from IANA ikev2-parameters "Transform Type 4".
pub static KE_DATA_LENGTHS: &[(u16, usize, usize)] = &[
    (1, 96, 96),
    (2, 128, 128),
    (5, 192, 192),
    (14, 256, 256),
    (15, 384, 384),
    (16, 512, 512),
    (17, 768, 768),
    (18, 1024, 1024),
    (19, 64, 64),
    (20, 96, 96),
    (21, 132, 132),
    (22, 128, 128),
    (23, 256, 256),
    (24, 256, 256),
    (25, 48, 48),
    (26, 56, 56),
    (27, 56, 56),
    (28, 64, 64),
    (29, 96, 96),
    (30, 128, 128),
    (31, 32, 32),
    (32, 56, 56),
    (33, 64, 64),
    (34, 128, 128),
    (35, 800, 768),
    (36, 1184, 1088),
    (37, 1568, 1568),
];

/// The KE data length `group` requires from the initiator (`response`
/// false) or the responder, when the group is known.
pub fn ke_data_length(group: u16, response: bool) -> Option<usize> {
    KE_DATA_LENGTHS
        .iter()
        .find(|(g, _, _)| *g == group)
        .map(|&(_, i, r)| if response { r } else { i })
}

/// Transform Type 5 - Sequence Numbers Transform IDs, RFC 7296 §3.3.2;
/// IANA ikev2-parameters "Transform Type 5".
pub static ESN_IDS: Table = Table {
    title: "IKEv2 Sequence Numbers Transform IDs",
    source:
        "RFC 7296 §3.3.2; IANA ikev2-parameters 'Transform Type 5 - Sequence Numbers Transform IDs'",
    entries: &[e(0, "No ESN"), e(1, "ESN")],
};

/// The transform-ID table for a transform type (RFC 7296 §3.3.2); the
/// additional key exchanges of RFC 9370 share the key exchange method IDs.
pub fn transform_ids(transform_type: u8) -> Option<&'static Table> {
    match transform_type {
        1 => Some(&ENCR_IDS),
        2 => Some(&PRF_IDS),
        3 => Some(&INTEG_IDS),
        4 | 6..=12 => Some(&DH_GROUPS),
        5 => Some(&ESN_IDS),
        _ => None,
    }
}

/// Identification payload ID types, RFC 7296 §3.5; IANA ikev2-parameters.
pub static ID_TYPES: Table = Table {
    title: "IKEv2 Identification Payload ID Types",
    source: "RFC 7296 §3.5; RFC 4595; RFC 7619; IANA ikev2-parameters 'IKEv2 Identification Payload ID Types'",
    entries: &[
        e(1, "ID_IPV4_ADDR"),
        e(2, "ID_FQDN"),
        e(3, "ID_RFC822_ADDR"),
        e(5, "ID_IPV6_ADDR"),
        e(9, "ID_DER_ASN1_DN"),
        e(10, "ID_DER_ASN1_GN"),
        e(11, "ID_KEY_ID"),
        e(12, "ID_FC_NAME"),
        e(13, "ID_NULL"),
        r(201, 255, "Private Use"),
    ],
};

/// Certificate encodings (CERT and CERTREQ), RFC 7296 §3.6; IANA
/// ikev2-parameters.
pub static CERT_ENCODINGS: Table = Table {
    title: "IKEv2 Certificate Encodings",
    source:
        "RFC 7296 §3.6; RFC 4806; RFC 7670; IANA ikev2-parameters 'IKEv2 Certificate Encodings'",
    entries: &[
        e(1, "PKCS #7 wrapped X.509 certificate"),
        e(2, "PGP Certificate"),
        e(3, "DNS Signed Key"),
        e(4, "X.509 Certificate - Signature"),
        e(6, "Kerberos Token"),
        e(7, "Certificate Revocation List (CRL)"),
        e(8, "Authority Revocation List (ARL)"),
        e(9, "SPKI Certificate"),
        e(10, "X.509 Certificate - Attribute"),
        e(11, "Raw RSA Key"),
        e(12, "Hash and URL of X.509 certificate"),
        e(13, "Hash and URL of X.509 bundle"),
        e(14, "OCSP Content"),
        e(15, "Raw Public Key"),
        r(201, 255, "Private Use"),
    ],
};

/// Authentication methods, RFC 7296 §3.8; IANA ikev2-parameters.
pub static AUTH_METHODS: Table = Table {
    title: "IKEv2 Authentication Method",
    source: "RFC 7296 §3.8; RFC 4754; RFC 6467; RFC 7619; RFC 7427; IANA ikev2-parameters 'IKEv2 Authentication Method'",
    entries: &[
        e(1, "RSA Digital Signature"),
        e(2, "Shared Key Message Integrity Code"),
        e(3, "DSS Digital Signature"),
        e(9, "ECDSA with SHA-256 on the P-256 curve"),
        e(10, "ECDSA with SHA-384 on the P-384 curve"),
        e(11, "ECDSA with SHA-512 on the P-521 curve"),
        e(12, "Generic Secure Password Authentication Method"),
        e(13, "NULL Authentication"),
        e(14, "Digital Signature"),
        r(201, 255, "Private Use"),
    ],
};

/// Notify message types, error and status ranges, RFC 7296 §3.10.1; IANA
/// ikev2-parameters "IKEv2 Notify Message Error Types" and "... Status Types",
/// plus private values sent by real implementations (strongSwan
/// `notify_payload.h`, libreswan, Microsoft MS-IKEE §2.2.7). IKEv2 only:
/// IKEv1 numbers mean different things.
pub static NOTIFY_TYPES: Table = Table {
    title: "IKEv2 Notify Message Types",
    source: "RFC 7296 §3.10.1; IANA ikev2-parameters 'IKEv2 Notify Message Error/Status Types'; strongSwan notify_payload.h; libreswan; MS-IKEE §2.2.7",
    entries: &[
        // Error types (0-16383).
        e(1, "UNSUPPORTED_CRITICAL_PAYLOAD"),
        e(4, "INVALID_IKE_SPI"),
        e(5, "INVALID_MAJOR_VERSION"),
        e(7, "INVALID_SYNTAX"),
        e(9, "INVALID_MESSAGE_ID"),
        e(11, "INVALID_SPI"),
        e(14, "NO_PROPOSAL_CHOSEN"),
        e(17, "INVALID_KE_PAYLOAD"),
        e(24, "AUTHENTICATION_FAILED"),
        e(34, "SINGLE_PAIR_REQUIRED"),
        e(35, "NO_ADDITIONAL_SAS"),
        e(36, "INTERNAL_ADDRESS_FAILURE"),
        e(37, "FAILED_CP_REQUIRED"),
        e(38, "TS_UNACCEPTABLE"),
        e(39, "INVALID_SELECTORS"),
        e(40, "UNACCEPTABLE_ADDRESSES"),
        e(41, "UNEXPECTED_NAT_DETECTED"),
        e(42, "USE_ASSIGNED_HoA"),
        e(43, "TEMPORARY_FAILURE"),
        e(44, "CHILD_SA_NOT_FOUND"),
        e(45, "INVALID_GROUP_ID"),
        e(46, "AUTHORIZATION_FAILED"),
        e(47, "STATE_NOT_FOUND"),
        // strongSwan IKE-ME (private error range).
        e(8192, "ME_CONNECT_FAILED"),
        // Microsoft private error, MS-IKEE §2.2.7 (0x3039).
        e(12345, "MS_NOTIFY_STATUS"),
        r(8192, 16383, "Private Use - Errors"),
        // Status types (16384-65535).
        e(16384, "INITIAL_CONTACT"),
        e(16385, "SET_WINDOW_SIZE"),
        e(16386, "ADDITIONAL_TS_POSSIBLE"),
        e(16387, "IPCOMP_SUPPORTED"),
        e(16388, "NAT_DETECTION_SOURCE_IP"),
        e(16389, "NAT_DETECTION_DESTINATION_IP"),
        e(16390, "COOKIE"),
        e(16391, "USE_TRANSPORT_MODE"),
        e(16392, "HTTP_CERT_LOOKUP_SUPPORTED"),
        e(16393, "REKEY_SA"),
        e(16394, "ESP_TFC_PADDING_NOT_SUPPORTED"),
        e(16395, "NON_FIRST_FRAGMENTS_ALSO"),
        e(16396, "MOBIKE_SUPPORTED"),
        e(16397, "ADDITIONAL_IP4_ADDRESS"),
        e(16398, "ADDITIONAL_IP6_ADDRESS"),
        e(16399, "NO_ADDITIONAL_ADDRESSES"),
        e(16400, "UPDATE_SA_ADDRESSES"),
        e(16401, "COOKIE2"),
        e(16402, "NO_NATS_ALLOWED"),
        e(16403, "AUTH_LIFETIME"),
        e(16404, "MULTIPLE_AUTH_SUPPORTED"),
        e(16405, "ANOTHER_AUTH_FOLLOWS"),
        e(16406, "REDIRECT_SUPPORTED"),
        e(16407, "REDIRECT"),
        e(16408, "REDIRECTED_FROM"),
        e(16409, "TICKET_LT_OPAQUE"),
        e(16410, "TICKET_REQUEST"),
        e(16411, "TICKET_ACK"),
        e(16412, "TICKET_NACK"),
        e(16413, "TICKET_OPAQUE"),
        e(16414, "LINK_ID"),
        e(16415, "USE_WESP_MODE"),
        e(16416, "ROHC_SUPPORTED"),
        e(16417, "EAP_ONLY_AUTHENTICATION"),
        e(16418, "CHILDLESS_IKEV2_SUPPORTED"),
        e(16419, "QUICK_CRASH_DETECTION"),
        e(16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED"),
        e(16421, "IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED"),
        e(16422, "IKEV2_MESSAGE_ID_SYNC"),
        e(16423, "IPSEC_REPLAY_COUNTER_SYNC"),
        e(16424, "SECURE_PASSWORD_METHODS"),
        e(16425, "PSK_PERSIST"),
        e(16426, "PSK_CONFIRM"),
        e(16427, "ERX_SUPPORTED"),
        e(16428, "IFOM_CAPABILITY"),
        e(16429, "SENDER_REQUEST_ID"),
        e(16430, "IKEV2_FRAGMENTATION_SUPPORTED"),
        e(16431, "SIGNATURE_HASH_ALGORITHMS"),
        e(16432, "CLONE_IKE_SA_SUPPORTED"),
        e(16433, "CLONE_IKE_SA"),
        e(16434, "PUZZLE"),
        e(16435, "USE_PPK"),
        e(16436, "PPK_IDENTITY"),
        e(16437, "NO_PPK_AUTH"),
        e(16438, "INTERMEDIATE_EXCHANGE_SUPPORTED"),
        e(16439, "IP4_ALLOWED"),
        e(16440, "IP6_ALLOWED"),
        e(16441, "ADDITIONAL_KEY_EXCHANGE"),
        e(16442, "USE_AGGFRAG"),
        // Private status values: libreswan (40960), strongSwan (40961-40969).
        e(40960, "NULL_AUTH"),
        e(40961, "USE_BEET_MODE"),
        e(40962, "ME_MEDIATION"),
        e(40963, "ME_ENDPOINT"),
        e(40964, "ME_CALLBACK"),
        e(40965, "ME_CONNECTID"),
        e(40966, "ME_CONNECTKEY"),
        e(40967, "ME_CONNECTAUTH"),
        e(40968, "ME_RESPONSE"),
        e(40969, "RADIUS_ATTRIBUTE"),
        r(40960, 65535, "Private Use - Status"),
    ],
};

/// Well-known notify numbers the decoder gives meaning to (RFC 7296 §3.10.1,
/// RFC 7427 §4).
pub mod notify {
    pub const INVALID_KE_PAYLOAD: u16 = 17;
    pub const NAT_DETECTION_SOURCE_IP: u16 = 16388;
    pub const NAT_DETECTION_DESTINATION_IP: u16 = 16389;
    pub const COOKIE: u16 = 16390;
    pub const REKEY_SA: u16 = 16393;
    pub const IKEV2_FRAGMENTATION_SUPPORTED: u16 = 16430;
    pub const SIGNATURE_HASH_ALGORITHMS: u16 = 16431;
    /// Types below this value are errors (RFC 7296 §3.10.1).
    pub const FIRST_STATUS: u16 = 16384;

    /// An error type (0-16383): in a response it means the request failed
    /// (RFC 7296 §3.10.1); status types (16384-65535) never do.
    pub fn is_error(notify_type: u16) -> bool {
        notify_type < FIRST_STATUS
    }
}

/// Security protocol identifiers (proposal, notify and delete Protocol ID),
/// RFC 7296 §3.3.1; IANA ikev2-parameters "IKEv2 Security Protocol Identifiers".
pub static SECURITY_PROTOCOLS: Table = Table {
    title: "IKEv2 Security Protocol Identifiers",
    source:
        "RFC 7296 §3.3.1; RFC 4595; IANA ikev2-parameters 'IKEv2 Security Protocol Identifiers'",
    entries: &[
        e(1, "IKE"),
        e(2, "AH"),
        e(3, "ESP"),
        e(4, "FC_ESP_HEADER"),
        e(5, "FC_CT_AUTHENTICATION"),
        r(201, 255, "Private Use"),
    ],
};

/// Traffic selector types, RFC 7296 §3.13.1; IANA ikev2-parameters-19.
pub static TS_TYPES: Table = Table {
    title: "IKEv2 Traffic Selector Types",
    source: "RFC 7296 §3.13.1; RFC 4595; RFC 9478; IANA ikev2-parameters-19",
    entries: &[
        e(7, "TS_IPV4_ADDR_RANGE"),
        e(8, "TS_IPV6_ADDR_RANGE"),
        e(9, "TS_FC_ADDR_RANGE"),
        e(10, "TS_SECLABEL"),
        r(241, 255, "Private Use"),
    ],
};

/// Configuration payload CFG types, RFC 7296 §3.15; IANA ikev2-parameters-20
/// ("IKEv2 Configuration Payload CFG Types").
pub static CFG_TYPES: Table = Table {
    title: "IKEv2 Configuration Payload CFG Types",
    source: "RFC 7296 §3.15; IANA ikev2-parameters-20",
    entries: &[
        e(1, "CFG_REQUEST"),
        e(2, "CFG_REPLY"),
        e(3, "CFG_SET"),
        e(4, "CFG_ACK"),
        r(128, 255, "Private Use"),
    ],
};

/// Configuration payload attribute types, RFC 7296 §3.15.1; IANA
/// ikev2-parameters-21; plus the Cisco Unity private values.
pub static CFG_ATTRIBUTES: Table = Table {
    title: "IKEv2 Configuration Payload Attribute Types",
    source: "RFC 7296 §3.15.1; RFC 5739; RFC 5026; RFC 7651; RFC 8598; RFC 9464; IANA ikev2-parameters-21",
    entries: &[
        e(1, "INTERNAL_IP4_ADDRESS"),
        e(2, "INTERNAL_IP4_NETMASK"),
        e(3, "INTERNAL_IP4_DNS"),
        e(4, "INTERNAL_IP4_NBNS"),
        e(6, "INTERNAL_IP4_DHCP"),
        e(7, "APPLICATION_VERSION"),
        e(8, "INTERNAL_IP6_ADDRESS"),
        e(10, "INTERNAL_IP6_DNS"),
        e(12, "INTERNAL_IP6_DHCP"),
        e(13, "INTERNAL_IP4_SUBNET"),
        e(14, "SUPPORTED_ATTRIBUTES"),
        e(15, "INTERNAL_IP6_SUBNET"),
        e(16, "MIP6_HOME_PREFIX"),
        e(17, "INTERNAL_IP6_LINK"),
        e(18, "INTERNAL_IP6_PREFIX"),
        e(19, "HOME_AGENT_ADDRESS"),
        e(20, "P_CSCF_IP4_ADDRESS"),
        e(21, "P_CSCF_IP6_ADDRESS"),
        e(22, "FTT_KAT"),
        e(23, "EXTERNAL_SOURCE_IP4_NAT_INFO"),
        e(24, "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK"),
        e(25, "INTERNAL_DNS_DOMAIN"),
        e(26, "INTERNAL_DNSSEC_TA"),
        e(27, "ENCDNS_IP4"),
        e(28, "ENCDNS_IP6"),
        e(29, "ENCDNS_DIGEST_INFO"),
        // Cisco Unity values, carried in IKEv2 CP by Cisco and NCP clients
        // (names as Wireshark gives them for the IKEv1 mode-config range).
        e(28672, "UNITY_BANNER"),
        e(28673, "UNITY_SAVE_PASSWD"),
        e(28674, "UNITY_DEF_DOMAIN"),
        e(28675, "UNITY_SPLIT_DOMAIN"),
        e(28676, "UNITY_SPLIT_INCLUDE"),
        e(28677, "UNITY_NATT_PORT"),
        e(28678, "UNITY_SPLIT_EXCLUDE"),
        e(28679, "UNITY_PFS"),
        e(28680, "UNITY_FW_TYPE"),
        e(28681, "UNITY_BACKUP_SERVERS"),
        e(28682, "UNITY_DDNS_HOSTNAME"),
        r(16384, 32767, "Private Use"),
    ],
};

/// Hash algorithms of SIGNATURE_HASH_ALGORITHMS, RFC 7427 §7; IANA
/// ikev2-parameters "IKEv2 Hash Algorithms".
pub static HASH_ALGORITHMS: Table = Table {
    title: "IKEv2 Hash Algorithms",
    source: "RFC 7427 §7; RFC 8420; RFC 9385; IANA ikev2-parameters 'IKEv2 Hash Algorithms'",
    entries: &[
        e(1, "SHA1"),
        e(2, "SHA2-256"),
        e(3, "SHA2-384"),
        e(4, "SHA2-512"),
        e(5, "Identity"),
        e(6, "STREEBOG_256"),
        e(7, "STREEBOG_512"),
        r(1024, 65535, "Private Use"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are in ascending order and never overlap, except a range that
    /// only serves as fallback behind exact rows (private-use blocks).
    #[test]
    fn tables_are_sorted_and_exact_rows_unique() {
        for t in [
            &EXCHANGE_TYPES,
            &PAYLOAD_TYPES,
            &TRANSFORM_TYPES,
            &TRANSFORM_ATTRIBUTE_TYPES,
            &ENCR_IDS,
            &PRF_IDS,
            &INTEG_IDS,
            &DH_GROUPS,
            &ESN_IDS,
            &ID_TYPES,
            &CERT_ENCODINGS,
            &AUTH_METHODS,
            &NOTIFY_TYPES,
            &SECURITY_PROTOCOLS,
            &TS_TYPES,
            &CFG_TYPES,
            &CFG_ATTRIBUTES,
            &HASH_ALGORITHMS,
        ] {
            let exact: Vec<u32> = t
                .entries
                .iter()
                .filter(|e| e.first == e.last)
                .map(|e| e.first)
                .collect();
            for w in exact.windows(2) {
                assert!(w[0] < w[1], "{}: {} then {}", t.title, w[0], w[1]);
            }
            for e in t.entries {
                assert!(e.first <= e.last, "{}: {}", t.title, e.name);
            }
        }
    }

    #[test]
    fn version_specific_names() {
        // IKEv2 16 is reserved (IKEv1 16 is PAYLOAD-MALFORMED).
        assert_eq!(NOTIFY_TYPES.name(16), None);
        assert_eq!(NOTIFY_TYPES.name(17), Some("INVALID_KE_PAYLOAD"));
        assert_eq!(NOTIFY_TYPES.name(12345), Some("MS_NOTIFY_STATUS"));
        assert_eq!(NOTIFY_TYPES.name(9000), Some("Private Use - Errors"));
        assert_eq!(NOTIFY_TYPES.name(50000), Some("Private Use - Status"));
        assert_eq!(
            transform_ids(4).and_then(|t| t.name(31)),
            Some("Curve25519")
        );
        assert_eq!(
            transform_ids(1).and_then(|t| t.name(20)),
            Some("ENCR_AES_GCM_16")
        );
        assert!(transform_ids(99).is_none());
        assert!(notify::is_error(14) && notify::is_error(12345));
        assert!(!notify::is_error(16384) && !notify::is_error(40969));
    }

    #[test]
    fn every_sized_group_is_named_and_listed_once() {
        for w in KE_DATA_LENGTHS.windows(2) {
            assert!(w[0].0 < w[1].0);
        }
        for &(g, _, _) in KE_DATA_LENGTHS {
            assert!(DH_GROUPS.name(g.into()).is_some(), "group {g}");
        }
        assert_eq!(ke_data_length(14, false), Some(256));
        assert_eq!(ke_data_length(19, true), Some(64));
        assert_eq!(ke_data_length(31, false), Some(32));
        assert_eq!(ke_data_length(36, true), Some(1088));
        assert_eq!(ke_data_length(1024, false), None);
    }
}
