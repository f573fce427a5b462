//! What an initiator offered, written as the configuration lines an engineer
//! would type: Cisco ASA `crypto ikev1 policy` / `crypto ikev2 policy`, IOS
//! `crypto isakmp policy`, and strongSwan proposal strings.
//!
//! The keyword tables map IANA codes (RFC 2409 App. A; IANA IKEv2 Transform
//! IDs) to each product's CLI words: Cisco ASA command reference (`crypto
//! ikev1 policy`, `crypto ikev2 policy`) and strongSwan's IKEv1/IKEv2 cipher
//! suite list.

use crate::flow::{V1Transform, V2Proposal};

/// (code, ASA/IOS keyword, strongSwan keyword) rows.
type Words = &'static [(u16, &'static str, &'static str)];

/// IKEv1 encryption algorithm (RFC 2409 App. A class 1); AES takes the key length.
static V1_ENCR: Words = &[(1, "des", "des"), (5, "3des", "3des"), (7, "aes", "aes")];

/// IKEv1 hash algorithm (class 2).
static V1_HASH: Words = &[
    (1, "md5", "md5"),
    (2, "sha", "sha1"),
    (4, "sha256", "sha256"),
    (5, "sha384", "sha384"),
    (6, "sha512", "sha512"),
];

/// IKEv1 authentication method (class 3).
static V1_AUTH: Words = &[
    (1, "pre-share", "psk"),
    (3, "rsa-sig", "pubkey"),
    (65001, "pre-share (XAUTH)", "xauthpsk"),
    (65005, "rsa-sig (XAUTH)", "xauthrsasig"),
];

/// Diffie-Hellman groups: IKEv1 class 4 and IKEv2 transform type 4 share numbers.
static DH: Words = &[
    (1, "1", "modp768"),
    (2, "2", "modp1024"),
    (5, "5", "modp1536"),
    (14, "14", "modp2048"),
    (15, "15", "modp3072"),
    (16, "16", "modp4096"),
    (17, "17", "modp6144"),
    (18, "18", "modp8192"),
    (19, "19", "ecp256"),
    (20, "20", "ecp384"),
    (21, "21", "ecp521"),
    (24, "24", "modp2048s256"),
    (31, "31", "curve25519"),
    (32, "32", "curve448"),
];

/// IKEv2 encryption transform IDs (IANA "Transform Type 1").
static V2_ENCR: Words = &[
    (3, "3des", "3des"),
    (12, "aes", "aes"),
    (13, "aes-ctr", "aesctr"),
    (18, "aes-gcm-64", "aesgcm8"),
    (19, "aes-gcm-96", "aesgcm12"),
    (20, "aes-gcm", "aesgcm16"),
    (28, "chacha20-poly1305", "chacha20poly1305"),
];

/// IKEv2 PRF transform IDs (Transform Type 2).
static V2_PRF: Words = &[
    (1, "md5", "prfmd5"),
    (2, "sha", "prfsha1"),
    (5, "sha256", "prfsha256"),
    (6, "sha384", "prfsha384"),
    (7, "sha512", "prfsha512"),
];

/// IKEv2 integrity transform IDs (Transform Type 3).
static V2_INTEG: Words = &[
    (1, "md5", "md5"),
    (2, "sha", "sha1"),
    (12, "sha256", "sha256"),
    (13, "sha384", "sha384"),
    (14, "sha512", "sha512"),
];

fn cisco(t: Words, v: Option<u16>) -> String {
    match v {
        Some(v) => t
            .iter()
            .find(|r| r.0 == v)
            .map_or(format!("<{v}>"), |r| r.1.to_string()),
        None => "<default>".to_string(),
    }
}

fn swan(t: Words, v: u16) -> String {
    t.iter()
        .find(|r| r.0 == v)
        .map_or(format!("<{v}>"), |r| r.2.to_string())
}

fn aes_len(word: &str, kl: Option<u16>, sep: &str) -> String {
    match kl {
        Some(k) if word.starts_with("aes") => format!("{word}{sep}{k}"),
        _ => word.to_string(),
    }
}

/// Configuration lines for an IKEv1 phase 1 offer: ASA, IOS, strongSwan.
pub fn v1_phase1(offer: &[V1Transform]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in offer.iter().filter(|t| t.protocol_id == 1).enumerate() {
        let prio = (i + 1) * 10;
        let enc = cisco(V1_ENCR, t.encryption);
        let asa_enc = aes_len(&enc, t.key_length, "-");
        out.push(format!(
            "ASA:  crypto ikev1 policy {prio} / authentication {} / encryption {asa_enc} / hash {} / group {}{}",
            cisco(V1_AUTH, t.auth_method),
            cisco(V1_HASH, t.hash),
            cisco(DH, t.group),
            t.life_seconds.map_or(String::new(), |l| format!(" / lifetime {l}")),
        ));
        out.push(format!(
            "IOS:  crypto isakmp policy {prio} / encr {} / hash {} / authentication {} / group {}{}",
            aes_len(&enc, t.key_length, " "),
            cisco(V1_HASH, t.hash),
            cisco(V1_AUTH, t.auth_method),
            cisco(DH, t.group),
            t.life_seconds.map_or(String::new(), |l| format!(" / lifetime {l}")),
        ));
        let s_enc = t.encryption.map_or("?".into(), |e| swan(V1_ENCR, e));
        out.push(format!(
            "strongSwan:  ike={}-{}-{}",
            aes_len(&s_enc, t.key_length, ""),
            t.hash.map_or("?".into(), |h| swan(V1_HASH, h)),
            t.group.map_or("?".into(), |g| swan(DH, g)),
        ));
    }
    out
}

/// Configuration lines for an IKEv2 IKE_SA_INIT offer.
pub fn v2_ike(offer: &[V2Proposal]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, p) in offer.iter().enumerate() {
        let prio = (i + 1) * 10;
        let encs: Vec<String> = p
            .encr
            .iter()
            .map(|(e, kl)| aes_len(&cisco(V2_ENCR, Some(*e)), *kl, "-"))
            .collect();
        let join = |t: Words, v: &[u16]| -> String {
            v.iter()
                .map(|x| cisco(t, Some(*x)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        out.push(format!(
            "ASA:  crypto ikev2 policy {prio} / encryption {} / integrity {} / group {} / prf {}",
            encs.join(" "),
            if p.integ.is_empty() {
                "null".to_string()
            } else {
                join(V2_INTEG, &p.integ)
            },
            join(DH, &p.dh),
            join(V2_PRF, &p.prf),
        ));
        let mut words: Vec<String> = p
            .encr
            .iter()
            .map(|(e, kl)| {
                let w = swan(V2_ENCR, *e);
                match (w.strip_prefix("aesgcm"), kl) {
                    (Some(icv), Some(k)) => format!("aes{k}gcm{icv}"),
                    _ => aes_len(&w, *kl, ""),
                }
            })
            .collect();
        words.extend(p.integ.iter().map(|x| swan(V2_INTEG, *x)));
        words.extend(p.prf.iter().map(|x| swan(V2_PRF, *x)));
        words.extend(p.dh.iter().map(|x| swan(DH, *x)));
        out.push(format!("strongSwan:  proposals = {}", words.join("-")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_lines() {
        let t = V1Transform {
            protocol_id: 1,
            encryption: Some(7),
            key_length: Some(256),
            hash: Some(2),
            auth_method: Some(1),
            group: Some(14),
            life_seconds: Some(86400),
        };
        let l = v1_phase1(&[t]);
        assert!(l[0].contains("encryption aes-256 / hash sha / group 14 / lifetime 86400"));
        assert!(l[1].contains("encr aes 256"));
        assert_eq!(l[2], "strongSwan:  ike=aes256-sha1-modp2048");
    }

    #[test]
    fn v2_lines() {
        let p = V2Proposal {
            protocol_id: 1,
            encr: vec![(20, Some(256))],
            prf: vec![5],
            integ: vec![],
            dh: vec![19],
        };
        let l = v2_ike(&[p]);
        assert!(l[0].contains("encryption aes-gcm-256 / integrity null / group 19 / prf sha256"));
        assert_eq!(
            l[1],
            "strongSwan:  proposals = aes256gcm16-prfsha256-ecp256"
        );
    }
}
