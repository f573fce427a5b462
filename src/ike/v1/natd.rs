//! NAT-OA payload, RFC 3947 §5.2 (also the draft payload number 131): ID
//! type (1 = IPv4, 5 = IPv6), 3 reserved bytes, the original address. NAT-D
//! (20/130) is an opaque hash and decoded as plain data.

use crate::bytes::Reader;
use crate::ike::error::IkeError;
use crate::ike::repr::NatOa;

use super::id::render_id;
use super::short;

/// Decode a NAT-OA payload body.
pub fn parse_nat_oa(body: &[u8]) -> Result<NatOa<'_>, IkeError> {
    let mut r = Reader::new(body);
    let id_type = r.u8().map_err(short("NAT-OA"))?;
    r.skip(3).map_err(short("NAT-OA"))?;
    let data = r.rest();
    Ok(NatOa {
        id_type,
        address: render_id(id_type, data),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_original_address() {
        let n = parse_nat_oa(&[1, 0, 0, 0, 198, 51, 100, 7]).unwrap();
        assert_eq!((n.id_type, n.address.as_str()), (1, "198.51.100.7"));
    }

    #[test]
    fn short_nat_oa() {
        let e = parse_nat_oa(&[1, 0]).unwrap_err();
        assert_eq!(e.offset, 1);
    }
}
