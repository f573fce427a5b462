//! ESP (RFC 4303 §2) and AH (RFC 4302 §2) headers: SPI and sequence number.
//!
//! The payload is encrypted; only the clear header fields are decoded.

pub mod decrypt;

use serde::Serialize;

use crate::bytes::Truncated;

/// ESP header, RFC 4303 §2: SPI (4 bytes), sequence number (4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Esp {
    #[serde(serialize_with = "ser_spi32")]
    pub spi: u32,
    pub seq: u32,
    /// Bytes after the 8-byte header (IV, ciphertext, padding, ICV).
    pub payload_length: usize,
}

/// AH header, RFC 4302 §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ah {
    pub next_header: u8,
    /// Payload Length field: AH length in 32-bit words minus 2.
    pub payload_len: u8,
    #[serde(serialize_with = "ser_spi32")]
    pub spi: u32,
    pub seq: u32,
    /// ICV length in bytes implied by the length field.
    pub icv_length: usize,
}

/// Serialize a 32-bit SPI as 8 lowercase hex digits.
pub fn ser_spi32<S: serde::Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:08x}"))
}

mod field {
    use std::ops::Range;
    pub const SPI: Range<usize> = 0..4;
    pub const SEQ: Range<usize> = 4..8;
    pub const AH_NEXT: usize = 0;
    pub const AH_LEN: usize = 1;
    pub const AH_SPI: Range<usize> = 4..8;
    pub const AH_SEQ: Range<usize> = 8..12;
    pub const AH_ICV: usize = 12;
}

fn be32(b: &[u8], r: std::ops::Range<usize>) -> Option<u32> {
    let s = b.get(r)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

impl Esp {
    /// Parse an ESP header from the start of `data`.
    pub fn parse(data: &[u8]) -> Result<Esp, Truncated> {
        match (be32(data, field::SPI), be32(data, field::SEQ)) {
            (Some(spi), Some(seq)) => Ok(Esp {
                spi,
                seq,
                payload_length: data.len() - 8,
            }),
            _ => Err(Truncated {
                at: 0,
                need: 8,
                have: data.len(),
            }),
        }
    }
}

impl Ah {
    /// Parse an AH header from the start of `data`.
    pub fn parse(data: &[u8]) -> Result<Ah, Truncated> {
        let trunc = Truncated {
            at: 0,
            need: field::AH_ICV,
            have: data.len(),
        };
        let next_header = *data.get(field::AH_NEXT).ok_or(trunc)?;
        let payload_len = *data.get(field::AH_LEN).ok_or(trunc)?;
        let spi = be32(data, field::AH_SPI).ok_or(trunc)?;
        let seq = be32(data, field::AH_SEQ).ok_or(trunc)?;
        // RFC 4302 §2.2: length in 32-bit words, minus 2.
        let total = (payload_len as usize + 2) * 4;
        Ok(Ah {
            next_header,
            payload_len,
            spi,
            seq,
            icv_length: total.saturating_sub(field::AH_ICV),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esp_header() {
        let b = [0x2a, 0xfe, 0xa5, 0xc7, 0, 0, 0, 5, 1, 2, 3];
        let e = Esp::parse(&b).unwrap();
        assert_eq!((e.spi, e.seq, e.payload_length), (0x2afea5c7, 5, 3));
        assert!(Esp::parse(&b[..7]).is_err());
    }

    #[test]
    fn ah_header() {
        // next header 4 (IPv4), length 4 (= 24 bytes: 12 header + 12 ICV).
        let mut b = vec![4, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 9];
        b.extend([0u8; 12]);
        let a = Ah::parse(&b).unwrap();
        assert_eq!(
            (a.next_header, a.spi, a.seq, a.icv_length),
            (4, 0x1001, 9, 12)
        );
        assert!(Ah::parse(&b[..11]).is_err());
    }
}
