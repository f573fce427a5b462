//! Cisco/Microsoft IKEv1 fragmentation payload (type 132): fragment ID (2),
//! fragment number (1), flags (1; bit 0 = last fragment), then a piece of the
//! original message. Layout as sent by Cisco IOS/ASA and decoded by Wireshark
//! and strongSwan (`fragment_payload.c`).

use crate::bytes::Reader;
use crate::ike::error::IkeError;
use crate::ike::repr::Fragment;

use super::short;

/// Flags bit: this is the last fragment.
const LAST: u8 = 0x01;

/// Decode a fragmentation payload body.
pub fn parse_fragment(body: &[u8]) -> Result<Fragment<'_>, IkeError> {
    let mut r = Reader::new(body);
    let fragment_id = r.u16().map_err(short("fragment"))?;
    let fragment_number = r.u8().map_err(short("fragment"))?;
    let flags = r.u8().map_err(short("fragment"))?;
    let data = r.rest();
    Ok(Fragment {
        fragment_id,
        fragment_number,
        last: flags & LAST != 0,
        data_length: data.len(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_fields() {
        let f = parse_fragment(&[0x00, 0x2a, 3, 1, 0xde, 0xad]).unwrap();
        assert_eq!((f.fragment_id, f.fragment_number, f.last), (42, 3, true));
        assert_eq!(f.data, &[0xde, 0xad]);
        let f = parse_fragment(&[0, 1, 1, 0]).unwrap();
        assert!(!f.last && f.data.is_empty());
    }

    #[test]
    fn short_fragment_header() {
        let e = parse_fragment(&[0, 1, 1]).unwrap_err();
        assert_eq!(e.offset, 3);
    }
}
