//! Values inside message text: addresses, SPIs, message IDs, proxy
//! identities. Every function takes the text and returns `None` when the
//! value is not there; nothing here fails on odd input.

use std::net::IpAddr;

use super::Proxies;

/// An address token: `192.0.2.1`, `192.0.2.1[500]`, `192.0.2.1:500`,
/// `[2001:db8::1]:500`, `2001:db8::1[500]`, with surrounding punctuation.
pub(crate) fn ip_token(tok: &str) -> Option<IpAddr> {
    let t = tok.trim_matches(|c: char| {
        matches!(
            c,
            ',' | ';' | '(' | ')' | '\'' | '"' | '!' | '.' | '<' | '>' | '{' | '}'
        )
    });
    let t = t.strip_prefix('[').unwrap_or(t);
    let t = t.split('[').next().unwrap_or(t);
    let t = t.split(']').next().unwrap_or(t);
    if t.contains('/') {
        return None;
    }
    if let Ok(a) = t.parse::<IpAddr>() {
        return Some(a);
    }
    // v4 with a port: a.b.c.d:p
    if let Some((a, p)) = t.rsplit_once(':') {
        if p.bytes().all(|b| b.is_ascii_digit()) && a.contains('.') {
            return a.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4);
        }
    }
    None
}

/// The address in the first token after `key`.
pub(crate) fn ip_after(text: &str, key: &str) -> Option<IpAddr> {
    let pos = text.find(key)?;
    let rest = text.get(pos + key.len()..)?;
    let tok = rest.split_whitespace().next()?;
    ip_token(tok).or_else(|| {
        // "from 192.0.2.1:500/To" (IKEv2-PROTO) or "A...B" (charon)
        let t = tok.split(['/', '…']).next()?;
        ip_token(t.split("...").next()?)
    })
}

/// Every address token in `text`, in order.
pub(crate) fn ips(text: &str) -> Vec<IpAddr> {
    text.split(|c: char| c.is_whitespace() || c == '=')
        .flat_map(|t| t.split("..."))
        .filter_map(ip_token)
        .collect()
}

/// A hex number after `key` (`0x` optional): `SPI= 0x76F99C4C`.
pub(crate) fn hex_after(text: &str, key: &str) -> Option<u64> {
    let pos = text.find(key)?;
    let rest = text.get(pos + key.len()..)?.trim_start();
    let rest = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))
        .unwrap_or(rest);
    let digits: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(&digits, 16).ok()
}

/// A decimal number after `key`.
pub(crate) fn dec_after(text: &str, key: &str) -> Option<u64> {
    let pos = text.find(key)?;
    let rest = text.get(pos + key.len()..)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// ESP/AH SPIs the line names, inbound first where it says.
pub(crate) fn spis(text: &str) -> Vec<u32> {
    let mut v = Vec::new();
    let mut push = |x: Option<u64>| {
        if let Some(x) = x.and_then(|x| u32::try_from(x).ok()) {
            if x != 0 && !v.contains(&x) {
                v.push(x);
            }
        }
    };
    // ASA 713049: "Inbound SPI = 0x…, Outbound SPI = 0x…"
    push(hex_after(text, "Inbound SPI = "));
    push(hex_after(text, "Outbound SPI = "));
    // ASA 602303/402116: "SPI= 0x…"; 715006 "SPI = 0x…"
    push(hex_after(text, "SPI= "));
    push(hex_after(text, "SPI = "));
    // charon: "with SPIs 38799039_i 7a8c896e_o", "with SPI c3db896c"
    if let Some(pos) = text.find("with SPIs ") {
        // "X_i Y_o", or with byte counts "X_i (N bytes) Y_o (M bytes)".
        let rest = text.get(pos + 10..).unwrap_or("");
        for tok in rest.split_whitespace().take(6) {
            if let Some(h) = tok.strip_suffix("_i").or_else(|| tok.strip_suffix("_o")) {
                push(u64::from_str_radix(h, 16).ok());
            }
        }
    }
    if !text.contains("with SPIs ") {
        push(hex_after(text, "with SPI "));
    }
    v
}

/// IKE message ID: ASA `msgid=6abd3691` / `mess id 0x…` / `msg id = …`
/// (hex), charon `message ID 991772099` / `request 2235161559`, IOS
/// `M-ID of 570535495` / `message ID = 1148084868` (decimal).
pub(crate) fn message_id(text: &str) -> Option<u32> {
    let v = hex_after(text, "msgid=")
        .or_else(|| hex_after(text, "mess id "))
        .or_else(|| hex_after(text, "msg id = "))
        .or_else(|| dec_after(text, "message ID = "))
        .or_else(|| dec_after(text, "message ID "))
        .or_else(|| dec_after(text, "with ID "))
        .or_else(|| dec_after(text, "M-ID of "))
        .or_else(|| dec_after(text, "Message id: "))?;
    u32::try_from(v).ok()
}

/// Proxy identities / traffic selectors the line names.
pub(crate) fn proxies(text: &str) -> Option<Proxies> {
    // ASA 402116: "local proxy as A and its remote_proxy as B."
    if let (Some(l), Some(r)) = (
        word_after(text, "local proxy as "),
        word_after(text, "remote_proxy as "),
    ) {
        return Some(Proxies {
            local: l,
            remote: r,
        });
    }
    // ASA 713061 (9.x): "remote proxy R local proxy L on interface"
    if let (Some(r), Some(l)) = (
        word_after(text, "remote proxy "),
        word_after(text, "local proxy "),
    ) {
        return Some(Proxies {
            local: l,
            remote: r,
        });
    }
    // ASA 713041: "local Proxy Address A, remote Proxy Address B,"
    if let (Some(l), Some(r)) = (
        word_after(text, "local Proxy Address "),
        word_after(text, "remote Proxy Address "),
    ) {
        return Some(Proxies {
            local: l,
            remote: r,
        });
    }
    // charon: "… for A === B", "TS A === B", "traffic selectors A === B unacceptable"
    if let Some(pos) = text.find(" === ") {
        let l = text.get(..pos)?.split_whitespace().last()?.to_string();
        let r = text.get(pos + 5..)?.split_whitespace().next()?.to_string();
        return Some(Proxies {
            local: l,
            remote: r,
        });
    }
    None
}

fn word_after(text: &str, key: &str) -> Option<String> {
    let pos = text.find(key)?;
    let w = text.get(pos + key.len()..)?.split_whitespace().next()?;
    let w = w.trim_end_matches([',', '.']);
    (!w.is_empty()).then(|| w.to_string())
}

/// ASA/IOS IKEv2 debug: `Initiator SPI : 201FAEA82205C336 - Responder SPI : 0000000000000000`.
pub(crate) fn ike_spis(text: &str) -> Option<(u64, u64)> {
    Some((
        hex_after(text, "Initiator SPI : ")?,
        hex_after(text, "Responder SPI : ")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_their_many_spellings() {
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for t in [
            "192.0.2.1",
            "192.0.2.1[500]",
            "192.0.2.1:500",
            "(192.0.2.1)",
            "192.0.2.1,",
            "'192.0.2.1'",
        ] {
            assert_eq!(ip_token(t), Some(a), "{t}");
        }
        let b: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(ip_token("2001:db8::1[500]"), Some(b));
        assert_eq!(ip_token("[2001:db8::1]"), Some(b));
        assert_eq!(ip_token("192.0.2.0/25"), None);
        assert_eq!(ip_token("17:18:46"), None);
        assert_eq!(
            ips("from 198.51.100.1[500] to 203.0.113.1[500]"),
            vec![
                "198.51.100.1".parse::<IpAddr>().unwrap(),
                "203.0.113.1".parse().unwrap()
            ]
        );
        assert_eq!(ips("between 1.1.1.1[1.1.1.1]...2.2.2.2[2.2.2.2]").len(), 2);
    }

    #[test]
    fn spis_and_ids() {
        assert_eq!(
            spis("Security negotiation complete for LAN-to-LAN Group (x)  Responder, Inbound SPI = 0x2b4a1133, Outbound SPI = 0xce8c73ac"),
            vec![0x2b4a1133, 0xce8c73ac]
        );
        assert_eq!(
            spis("CHILD_SA asa{1} established with SPIs 38799039_i 7a8c896e_o and TS"),
            vec![0x38799039, 0x7a8c896e]
        );
        assert_eq!(
            spis("(SPI= 0x76F99C4C, sequence number= 0x2D)"),
            vec![0x76F99C4C]
        );
        assert_eq!(
            message_id("IKE_DECODE SENDING Message (msgid=6abd3691) with"),
            Some(0x6abd3691)
        );
        assert_eq!(
            message_id("QM FSM error (P2 struct &0xcc19ed48, mess id 0xfc16eec2)!"),
            Some(0xfc16eec2)
        );
        assert_eq!(
            message_id("sending retransmit 1 of request message ID 991772099, seq 4"),
            Some(991772099)
        );
        assert_eq!(spis("garbage SPI= zz"), Vec::<u32>::new());
        assert_eq!(
            spis("closing CHILD_SA asa{1} with SPIs e0cdb9ad_i (0 bytes) 1ac75467_o (420 bytes) and TS"),
            vec![0xe0cdb9ad, 0x1ac75467]
        );
    }

    #[test]
    fn proxies_from_asa_and_charon() {
        let p = proxies("Rejecting IPSec tunnel: no matching crypto map entry for remote proxy 100.120.5.0/255.255.255.0/0/0 local proxy 10.0.16.0/255.255.255.0/0/0 on interface outside").unwrap();
        assert_eq!(p.remote, "100.120.5.0/255.255.255.0/0/0");
        assert_eq!(p.local, "10.0.16.0/255.255.255.0/0/0");
        let p = proxies("no matching CHILD_SA config found for 192.0.2.0/25 === 192.0.2.128/25")
            .unwrap();
        assert_eq!(
            (p.local.as_str(), p.remote.as_str()),
            ("192.0.2.0/25", "192.0.2.128/25")
        );
    }
}
