//! Wireshark's UAT line format: comma-separated fields, each either bare or
//! in double quotes with `\xNN` and `\"` escapes (Wireshark `epan/uat_load.l`).
//! Hex-bytes fields are bare hex; `esp_sa` keys are strings that are hex
//! after `0x`, otherwise the key's ASCII bytes (`packet-esp.c`).

use std::net::IpAddr;

use super::crypto::{Encr, Integ};
use super::{names, AddrMatch, EspSa, Family, Ikev1Key, Ikev2Key, Origin, Secret, TableKind};

/// Split one line into its fields, unquoting and unescaping.
pub fn split(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut field = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => match chars.next() {
                        Some('x') => {
                            let h: String = chars.by_ref().take(2).collect();
                            let b = u8::from_str_radix(&h, 16)
                                .map_err(|_| format!("bad escape \\x{h}"))?;
                            field.push(char::from(b));
                        }
                        Some(c) => field.push(c),
                        None => return Err("line ends inside an escape".into()),
                    },
                    c => field.push(c),
                }
            }
            if !closed {
                return Err("unterminated quoted field".into());
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                field.push(c);
                chars.next();
            }
            field = field.trim().to_string();
        }
        out.push(field);
        match chars.next() {
            Some(',') => continue,
            None => break,
            Some(c) => return Err(format!("unexpected '{c}' after a quoted field")),
        }
    }
    Ok(out)
}

/// A file of unknown name: IKEv1 rows have 2 fields, ESP rows start with a
/// quoted "IPv4"/"IPv6"/"Any", IKEv2 rows have 8 fields.
pub fn guess_kind(line: &str, fields: usize) -> Option<TableKind> {
    let l = line.to_ascii_lowercase();
    match fields {
        2 => Some(TableKind::Ikev1),
        n if n >= 8 && (l.starts_with("\"ipv") || l.starts_with("\"any")) => Some(TableKind::Esp),
        8 => Some(TableKind::Ikev2),
        _ => None,
    }
}

fn hex_bytes(field: &str, what: &str) -> Result<Vec<u8>, String> {
    let h = field
        .strip_prefix("0x")
        .or_else(|| field.strip_prefix("0X"))
        .unwrap_or(field);
    let h: String = h.chars().filter(|c| *c != ':' && *c != ' ').collect();
    hex::decode(&h).map_err(|_| format!("{what} is not hex ({} characters)", h.len()))
}

fn spi64(field: &str, what: &str) -> Result<u64, String> {
    let b = hex_bytes(field, what)?;
    let arr: [u8; 8] = b
        .try_into()
        .map_err(|b: Vec<u8>| format!("{what} has {} bytes, needs 8", b.len()))?;
    Ok(u64::from_be_bytes(arr))
}

fn need(fields: &[String], n: usize, table: &str) -> Result<(), String> {
    if fields.len() < n {
        Err(format!("{} fields, {table} rows have {n}", fields.len()))
    } else {
        Ok(())
    }
}

pub fn ikev1(f: &[String], origin: Origin) -> Result<Ikev1Key, String> {
    need(f, 2, "ikev1_decryption_table")?;
    let icookie = spi64(&f[0], "initiator cookie")?;
    let key = hex_bytes(&f[1], "encryption key")?;
    if key.is_empty() {
        return Err("empty encryption key".into());
    }
    Ok(Ikev1Key {
        icookie,
        key: Secret::new(key),
        origin,
    })
}

pub fn ikev2(f: &[String], origin: Origin) -> Result<Ikev2Key, String> {
    need(f, 8, "ikev2_decryption_table")?;
    let encr = names::find(names::IKEV2_ENCR, &f[4])?;
    let integ = names::find(names::IKEV2_INTEG, &f[7])?;
    let sk_ei = hex_bytes(&f[2], "SK_ei")?;
    let sk_er = hex_bytes(&f[3], "SK_er")?;
    for (k, what) in [(&sk_ei, "SK_ei"), (&sk_er, "SK_er")] {
        encr.check_key(k).map_err(|e| format!("{what}: {e}"))?;
    }
    let sk_ai = hex_bytes(&f[5], "SK_ai")?;
    let sk_ar = hex_bytes(&f[6], "SK_ar")?;
    if integ != Integ::None && (sk_ai.is_empty() || sk_ar.is_empty()) {
        return Err(format!("{} needs SK_ai and SK_ar", integ.name()));
    }
    if encr.aead_icv().is_none() && integ == Integ::None && encr != Encr::Null {
        return Err(format!("{} needs an integrity algorithm", encr.name()));
    }
    Ok(Ikev2Key {
        ispi: spi64(&f[0], "initiator SPI")?,
        rspi: spi64(&f[1], "responder SPI")?,
        sk_ei: Secret::new(sk_ei),
        sk_er: Secret::new(sk_er),
        encr,
        sk_ai: Secret::new(sk_ai),
        sk_ar: Secret::new(sk_ar),
        integ,
        origin,
    })
}

fn addr(field: &str, family: Family) -> Result<AddrMatch, String> {
    let f = field.trim();
    if f.is_empty() || f == "*" {
        return Ok(AddrMatch::Any);
    }
    let (a, len) = match f.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (f, None),
    };
    let ip: IpAddr = a
        .parse()
        .map_err(|_| format!("\"{field}\" is not an address, prefix or *"))?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let len = match len {
        Some(l) => l
            .parse::<u8>()
            .ok()
            .filter(|l| *l <= max)
            .ok_or_else(|| format!("bad prefix length in \"{field}\""))?,
        None => max,
    };
    match (family, ip) {
        (Family::V4, IpAddr::V6(_)) | (Family::V6, IpAddr::V4(_)) => {
            Err(format!("address \"{field}\" is not of the row's protocol"))
        }
        _ => Ok(AddrMatch::Prefix(ip, len)),
    }
}

/// `esp_sa` keys: `0x` then hex, otherwise the string's own bytes.
fn esp_key(field: &str) -> Result<Vec<u8>, String> {
    if field.starts_with("0x") || field.starts_with("0X") {
        hex_bytes(field, "key")
    } else {
        Ok(field.as_bytes().to_vec())
    }
}

pub fn esp(f: &[String], origin: Origin) -> Result<EspSa, String> {
    need(f, 8, "esp_sa")?;
    let family = match f[0].to_ascii_lowercase().as_str() {
        "ipv4" => Family::V4,
        "ipv6" => Family::V6,
        "any" | "*" => Family::Any,
        other => return Err(format!("protocol \"{other}\" is not IPv4, IPv6 or Any")),
    };
    let spi = match f[3].trim() {
        "*" | "" => None,
        s => Some(
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(h) => u32::from_str_radix(h, 16),
                None => s.parse::<u32>(),
            }
            .map_err(|_| format!("SPI \"{s}\" is not a 32-bit number or *"))?,
        ),
    };
    let encr = names::find(names::ESP_ENCR, &f[4])?;
    let enc_key = esp_key(&f[5])?;
    encr.check_key(&enc_key)
        .map_err(|e| format!("encryption key: {e}"))?;
    let integ = names::find(names::ESP_INTEG, &f[6])?;
    let auth_key = esp_key(&f[7])?;
    if integ.mac(&auth_key, b"").is_err() {
        return Err(format!("authentication key does not fit {}", integ.name()));
    }
    Ok(EspSa {
        family,
        src: addr(&f[1], family)?,
        dst: addr(&f[2], family)?,
        spi,
        encr,
        enc_key: Secret::new(enc_key),
        integ,
        auth_key: Secret::new(auth_key),
        origin,
    })
}
