//! ESP decryption (RFC 4303 §2) with an `esp_sa` row, and the inner packet
//! decoded far enough to say what it carries.
//!
//! Layout after the SPI and sequence number: IV, ciphertext (payload,
//! padding, pad length, next header), ICV. The ICV is checked before the
//! ciphertext is touched: HMAC/XCBC over SPI..ciphertext (§3.4.4), or the
//! AEAD tag with SPI and sequence number as associated data (RFC 4106 §5,
//! RFC 7634 §2.1; 32-bit sequence numbers).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

use crate::keys::crypto::aead_open;
use crate::keys::{CryptoError, EspSa};

/// ESP header length: SPI and sequence number.
const HEADER: usize = 8;

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
pub mod proto {
    pub const ICMP: u8 = 1;
    pub const IPV4: u8 = 4;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const IPV6: u8 = 41;
    pub const ICMPV6: u8 = 58;
    /// RFC 4303 §2.6: a dummy packet (traffic flow confidentiality).
    pub const NO_NEXT: u8 = 59;
    pub const SCTP: u8 = 132;
}

/// The name of IP protocol `p`, when the registry has it.
pub fn protocol_name(p: u8) -> Option<&'static str> {
    crate::registry::ip::PROTOCOLS.name(p.into())
}

/// The decrypted ESP payload: the next-header value and the bytes before the
/// padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EspPlain {
    pub next_header: u8,
    pub payload: Vec<u8>,
}

/// Check the ICV and decrypt one ESP packet (`data` starts at the SPI).
pub fn decrypt(sa: &EspSa, data: &[u8]) -> Result<EspPlain, CryptoError> {
    let iv_len = sa.encr.iv_len();
    let icv_len = sa.encr.aead_icv().unwrap_or(sa.integ.icv_len());
    let need = HEADER + iv_len + icv_len + 2;
    if data.len() < need {
        return Err(CryptoError::TooShort {
            need,
            have: data.len(),
        });
    }
    let icv_at = data.len() - icv_len;
    let iv = &data[HEADER..HEADER + iv_len];
    let mut plain = if sa.encr.aead_icv().is_some() {
        aead_open(
            sa.encr,
            sa.enc_key.bytes(),
            iv,
            &data[..HEADER],
            &data[HEADER + iv_len..],
        )?
    } else {
        sa.integ
            .verify(sa.auth_key.bytes(), &data[..icv_at], &data[icv_at..])?;
        sa.encr
            .decrypt(sa.enc_key.bytes(), iv, &data[HEADER + iv_len..icv_at])?
    };
    let n = plain.len();
    let (pad, next_header) = match plain.get(n.wrapping_sub(2)..) {
        Some(&[p, nh]) => (usize::from(p), nh),
        _ => return Err(CryptoError::TooShort { need: 2, have: n }),
    };
    let keep = n
        .checked_sub(2 + pad)
        .ok_or(CryptoError::BadPadding { pad, have: n })?;
    plain.truncate(keep);
    Ok(EspPlain {
        next_header,
        payload: plain,
    })
}

/// Tunnel mode carries a whole IP packet; transport mode an upper layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Tunnel,
    Transport,
}

/// What a decrypted ESP packet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Inner {
    pub mode: Mode,
    /// Inner addresses in tunnel mode; `None` in transport mode (the outer
    /// addresses are the endpoints).
    pub src: Option<IpAddr>,
    pub dst: Option<IpAddr>,
    /// Upper-layer protocol (TCP 6, UDP 17, ICMP 1...); 59 for a dummy packet.
    pub protocol: u8,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    /// ICMP / ICMPv6 type and code.
    pub icmp: Option<(u8, u8)>,
    /// Bytes of the inner packet.
    pub length: usize,
}

/// Decode the inner packet. A header cut short leaves later fields `None`.
pub fn inner(p: &EspPlain) -> Inner {
    let b = &p.payload[..];
    let mut out = Inner {
        mode: Mode::Transport,
        src: None,
        dst: None,
        protocol: p.next_header,
        sport: None,
        dport: None,
        icmp: None,
        length: b.len(),
    };
    let l4 = match p.next_header {
        proto::IPV4 => {
            out.mode = Mode::Tunnel;
            let Some(h) = b.get(..20) else { return out };
            let ihl = usize::from(h[0] & 0x0f) * 4;
            out.protocol = h[9];
            out.src = Some(IpAddr::V4(Ipv4Addr::new(h[12], h[13], h[14], h[15])));
            out.dst = Some(IpAddr::V4(Ipv4Addr::new(h[16], h[17], h[18], h[19])));
            let frag_offset = u16::from_be_bytes([h[6], h[7]]) & 0x1fff;
            if frag_offset != 0 {
                return out;
            }
            b.get(ihl.max(20)..)
        }
        proto::IPV6 => {
            out.mode = Mode::Tunnel;
            let Some(h) = b.get(..40) else { return out };
            let addr = |s: &[u8]| {
                let mut a = [0u8; 16];
                a.copy_from_slice(s);
                IpAddr::V6(Ipv6Addr::from(a))
            };
            out.src = Some(addr(&h[8..24]));
            out.dst = Some(addr(&h[24..40]));
            // Walk hop-by-hop (0), routing (43) and destination options (60).
            let (mut next, mut off) = (h[6], 40usize);
            while matches!(next, 0 | 43 | 60) {
                let Some(e) = b.get(off..off + 2) else {
                    out.protocol = next;
                    return out;
                };
                next = e[0];
                off += (usize::from(e[1]) + 1) * 8;
            }
            out.protocol = next;
            b.get(off..)
        }
        _ => Some(b),
    };
    let Some(l4) = l4 else { return out };
    match out.protocol {
        proto::TCP | proto::UDP | proto::SCTP => {
            if let Some(p) = l4.get(..4) {
                out.sport = Some(u16::from_be_bytes([p[0], p[1]]));
                out.dport = Some(u16::from_be_bytes([p[2], p[3]]));
            }
        }
        proto::ICMP | proto::ICMPV6 => {
            if let Some(p) = l4.get(..2) {
                out.icmp = Some((p[0], p[1]));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{AddrMatch, Encr, Family, Integ, Origin, Secret};
    use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};

    fn sa(integ: Integ) -> EspSa {
        EspSa {
            family: Family::V4,
            src: AddrMatch::Any,
            dst: AddrMatch::Any,
            spi: Some(0x1001),
            encr: Encr::AesCbc { key_len: None },
            enc_key: Secret::new(vec![5; 16]),
            integ,
            auth_key: Secret::new(vec![6; 32]),
            origin: Origin {
                file: "esp_sa".into(),
                line: 1,
            },
        }
    }

    /// ESP in tunnel mode around an IPv4 ICMP echo request.
    fn packet(sa: &EspSa) -> Vec<u8> {
        let mut inner = vec![
            0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0, 10, 1, 0, 1, 10, 2, 0, 1,
        ];
        inner.extend([8, 0, 0, 0, 0, 1, 0, 1]);
        let mut pt = inner.clone();
        let pad = (16 - (pt.len() + 2) % 16) % 16;
        pt.extend((1..=pad as u8).collect::<Vec<_>>());
        pt.extend([pad as u8, proto::IPV4]);
        let iv = [9u8; 16];
        let n = pt.len();
        let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(sa.enc_key.bytes(), &iv)
            .unwrap()
            .encrypt_padded_mut::<NoPadding>(&mut pt, n)
            .unwrap()
            .to_vec();
        let mut m = vec![0, 0, 0x10, 0x01, 0, 0, 0, 7];
        m.extend(iv);
        m.extend(ct);
        let icv = sa.integ.mac(sa.auth_key.bytes(), &m).unwrap().unwrap();
        m.extend(icv);
        m
    }

    #[test]
    fn tunnel_mode_icmp_inside() {
        let sa = sa(Integ::HmacSha256_128);
        let p = decrypt(&sa, &packet(&sa)).unwrap();
        let i = inner(&p);
        assert_eq!(i.mode, Mode::Tunnel);
        assert_eq!(i.src, Some("10.1.0.1".parse().unwrap()));
        assert_eq!(i.dst, Some("10.2.0.1".parse().unwrap()));
        assert_eq!((i.protocol, i.icmp), (proto::ICMP, Some((8, 0))));
    }

    #[test]
    fn bad_icv_and_short_packets() {
        let good = sa(Integ::HmacSha256_128);
        let mut m = packet(&good);
        let mut wrong = good.clone();
        wrong.auth_key = Secret::new(vec![1; 32]);
        assert_eq!(decrypt(&wrong, &m), Err(CryptoError::IcvMismatch));
        for n in 0..m.len() {
            let _ = decrypt(&good, &m[..n]);
        }
        m[20] ^= 1;
        assert!(decrypt(&good, &m)
            .unwrap_err()
            .to_string()
            .contains("wrong key"));
    }

    #[test]
    fn transport_mode_udp_ports() {
        let p = EspPlain {
            next_header: proto::UDP,
            payload: vec![0x01, 0xf4, 0x11, 0x94, 0, 8, 0, 0],
        };
        let i = inner(&p);
        assert_eq!(i.mode, Mode::Transport);
        assert_eq!((i.sport, i.dport), (Some(500), Some(4500)));
        assert_eq!(i.src, None);
    }
}
