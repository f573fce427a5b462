//! Algorithm names as they appear in the key tables.
//!
//! Source: Wireshark 4.0 `epan/dissectors/packet-isakmp.c` (`ikev2_encr_algs`,
//! `ikev2_integ_algs`, the UAT value lists of `ikev2_decryption_table`) and
//! `epan/dissectors/packet-esp.c` (`esp_encryption_type_vals`,
//! `esp_authentication_type_vals`), which strongSwan's `save-keys` plugin
//! (`save_keys_listener.c`) writes. Later Wireshark releases added the
//! ChaCha20-Poly1305 and AES-XCBC rows at the end. A name matches without
//! regard to case, `_` versus `-`, or the bracketed reference.

use super::crypto::{Encr, Integ};

const fn gcm(key_len: Option<usize>, icv: usize) -> Encr {
    Encr::AesGcm { key_len, icv }
}

/// `ikev2_decryption_table` column 5.
pub const IKEV2_ENCR: &[(&str, Encr)] = &[
    ("NONE [RFC4306]", Encr::Null),
    ("NULL [RFC2410]", Encr::Null),
    ("3DES [RFC2451]", Encr::TripleDes),
    ("AES-CBC-128 [RFC3602]", Encr::AesCbc { key_len: Some(16) }),
    ("AES-CBC-192 [RFC3602]", Encr::AesCbc { key_len: Some(24) }),
    ("AES-CBC-256 [RFC3602]", Encr::AesCbc { key_len: Some(32) }),
    ("AES-CTR-128 [RFC5930]", Encr::AesCtr { key_len: Some(16) }),
    ("AES-CTR-192 [RFC5930]", Encr::AesCtr { key_len: Some(24) }),
    ("AES-CTR-256 [RFC5930]", Encr::AesCtr { key_len: Some(32) }),
    ("AES-GCM-128 with 8 octet ICV [RFC5282]", gcm(Some(16), 8)),
    ("AES-GCM-192 with 8 octet ICV [RFC5282]", gcm(Some(24), 8)),
    ("AES-GCM-256 with 8 octet ICV [RFC5282]", gcm(Some(32), 8)),
    ("AES-GCM-128 with 12 octet ICV [RFC5282]", gcm(Some(16), 12)),
    ("AES-GCM-192 with 12 octet ICV [RFC5282]", gcm(Some(24), 12)),
    ("AES-GCM-256 with 12 octet ICV [RFC5282]", gcm(Some(32), 12)),
    ("AES-GCM-128 with 16 octet ICV [RFC5282]", gcm(Some(16), 16)),
    ("AES-GCM-192 with 16 octet ICV [RFC5282]", gcm(Some(24), 16)),
    ("AES-GCM-256 with 16 octet ICV [RFC5282]", gcm(Some(32), 16)),
    ("ChaCha20-Poly1305 [RFC7634]", Encr::ChaCha20Poly1305),
];

/// `ikev2_decryption_table` column 8.
pub const IKEV2_INTEG: &[(&str, Integ)] = &[
    ("NONE [RFC4306]", Integ::None),
    ("HMAC_MD5_96 [RFC2403]", Integ::HmacMd5_96),
    ("HMAC_SHA1_96 [RFC2404]", Integ::HmacSha1_96),
    (
        "HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]",
        Integ::HmacSha256_96,
    ),
    ("HMAC_SHA2_256_128 [RFC4868]", Integ::HmacSha256_128),
    ("HMAC_SHA2_384_192 [RFC4868]", Integ::HmacSha384_192),
    ("HMAC_SHA2_512_256 [RFC4868]", Integ::HmacSha512_256),
    ("AES-XCBC-96 [RFC3566]", Integ::AesXcbc96),
    ("AUTH_AES_XCBC_96", Integ::AesXcbc96),
];

/// `esp_sa` column 5.
pub const ESP_ENCR: &[(&str, Encr)] = &[
    ("NULL", Encr::Null),
    ("TripleDES-CBC [RFC2451]", Encr::TripleDes),
    ("AES-CBC [RFC3602]", Encr::AesCbc { key_len: None }),
    ("AES-CTR [RFC3686]", Encr::AesCtr { key_len: None }),
    ("DES-CBC [RFC2405]", Encr::Des),
    ("AES-GCM with 8 octet ICV [RFC4106]", gcm(None, 8)),
    ("AES-GCM with 12 octet ICV [RFC4106]", gcm(None, 12)),
    ("AES-GCM with 16 octet ICV [RFC4106]", gcm(None, 16)),
    ("ChaCha20 with Poly1305 [RFC7634]", Encr::ChaCha20Poly1305),
];

/// `esp_sa` column 7.
pub const ESP_INTEG: &[(&str, Integ)] = &[
    ("NULL", Integ::None),
    ("HMAC-SHA-1-96 [RFC2404]", Integ::HmacSha1_96),
    (
        "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]",
        Integ::HmacSha256_96,
    ),
    ("HMAC-SHA-256-128 [RFC4868]", Integ::HmacSha256_128),
    ("HMAC-SHA-384-192 [RFC4868]", Integ::HmacSha384_192),
    ("HMAC-SHA-512-256 [RFC4868]", Integ::HmacSha512_256),
    ("HMAC-MD5-96 [RFC2403]", Integ::HmacMd5_96),
    ("AES-XCBC-MAC-96 [RFC3566]", Integ::AesXcbc96),
    (
        "ANY 64 bit authentication [no checking]",
        Integ::Unchecked(8),
    ),
    (
        "ANY 96 bit authentication [no checking]",
        Integ::Unchecked(12),
    ),
    (
        "ANY 128 bit authentication [no checking]",
        Integ::Unchecked(16),
    ),
    (
        "ANY 192 bit authentication [no checking]",
        Integ::Unchecked(24),
    ),
    (
        "ANY 256 bit authentication [no checking]",
        Integ::Unchecked(32),
    ),
];

/// Wireshark names this table knows but ikescope cannot decrypt.
pub const UNSUPPORTED: &[&str] = &[
    "CAST5-CBC",
    "BLOWFISH-CBC",
    "TWOFISH-CBC",
    "AES-CCM",
    "MAC-RIPEMD-160-96",
    "HMAC_MD5_128",
    "HMAC_SHA1_160",
    "NULL Encryption with AES-GMAC",
];

fn normal(name: &str) -> String {
    let base = name.split(" [").next().unwrap_or(name);
    base.trim().to_ascii_uppercase().replace('_', "-")
}

/// Look `name` up in `table` (case, `_`/`-` and the reference ignored).
pub fn find<T: Copy>(table: &[(&str, T)], name: &str) -> Result<T, String> {
    let want = normal(name);
    if let Some(&(_, v)) = table.iter().find(|(n, _)| normal(n) == want) {
        return Ok(v);
    }
    if UNSUPPORTED.iter().any(|u| want.starts_with(&normal(u))) {
        return Err(format!(
            "algorithm \"{name}\" is not supported for decryption"
        ));
    }
    Err(format!("unknown algorithm \"{name}\""))
}
