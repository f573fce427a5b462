//! strongSwan's algorithm names, as its `received proposals:` /
//! `configured proposals:` log lines print them (libstrongswan enum names),
//! for comparing a decrypted offer with a daemon's logged configuration. A
//! key length is appended as `_<bits>` by the caller.

use super::{e, Table};

/// strongSwan names of IKEv1 IPsec ESP transform IDs.
pub static V1_ESP_ENCR: Table = Table {
    title: "strongSwan names of IKEv1 IPsec ESP transform IDs",
    source: "RFC 2407 §4.4.4; libstrongswan crypto/crypters/crypter.c",
    entries: &[
        e(2, "DES_CBC"),
        e(3, "3DES_CBC"),
        e(11, "NULL"),
        e(12, "AES_CBC"),
        e(13, "AES_CTR"),
        e(18, "AES_GCM_8"),
        e(19, "AES_GCM_12"),
        e(20, "AES_GCM_16"),
    ],
};

/// strongSwan names of IKEv1 IPsec authentication algorithms.
pub static V1_ESP_AUTH: Table = Table {
    title: "strongSwan names of IKEv1 IPsec authentication algorithms",
    source: "RFC 2407 §4.5; libstrongswan crypto/signers/signer.c",
    entries: &[
        e(1, "HMAC_MD5_96"),
        e(2, "HMAC_SHA1_96"),
        e(5, "HMAC_SHA2_256_128"),
        e(6, "HMAC_SHA2_384_192"),
        e(7, "HMAC_SHA2_512_256"),
        e(9, "AES_XCBC_96"),
    ],
};

/// strongSwan names of IKEv2 Transform Type 1 IDs.
pub static V2_ENCR: Table = Table {
    title: "strongSwan names of IKEv2 Transform Type 1 IDs",
    source: "IANA ikev2-parameters Transform Type 1; libstrongswan crypto/crypters/crypter.c",
    entries: &[
        e(2, "DES_CBC"),
        e(3, "3DES_CBC"),
        e(11, "NULL"),
        e(12, "AES_CBC"),
        e(13, "AES_CTR"),
        e(18, "AES_GCM_8"),
        e(19, "AES_GCM_12"),
        e(20, "AES_GCM_16"),
        e(28, "CHACHA20_POLY1305"),
    ],
};

/// strongSwan names of IKEv2 Transform Type 3 IDs.
pub static V2_INTEG: Table = Table {
    title: "strongSwan names of IKEv2 Transform Type 3 IDs",
    source: "IANA ikev2-parameters Transform Type 3; libstrongswan crypto/signers/signer.c",
    entries: &[
        e(1, "HMAC_MD5_96"),
        e(2, "HMAC_SHA1_96"),
        e(5, "AES_XCBC_96"),
        e(12, "HMAC_SHA2_256_128"),
        e(13, "HMAC_SHA2_384_192"),
        e(14, "HMAC_SHA2_512_256"),
    ],
};

/// strongSwan names of Diffie-Hellman groups.
pub static DH_GROUPS: Table = Table {
    title: "strongSwan names of Diffie-Hellman groups",
    source: "IANA ikev2-parameters Transform Type 4; libstrongswan crypto/diffie_hellman.c",
    entries: &[
        e(1, "MODP_768"),
        e(2, "MODP_1024"),
        e(5, "MODP_1536"),
        e(14, "MODP_2048"),
        e(15, "MODP_3072"),
        e(16, "MODP_4096"),
        e(17, "MODP_6144"),
        e(18, "MODP_8192"),
        e(19, "ECP_256"),
        e(20, "ECP_384"),
        e(21, "ECP_521"),
        e(22, "MODP_1024_160"),
        e(23, "MODP_2048_224"),
        e(24, "MODP_2048_256"),
        e(25, "ECP_192"),
        e(26, "ECP_224"),
        e(31, "CURVE_25519"),
        e(32, "CURVE_448"),
    ],
};
