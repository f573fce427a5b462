//! Vendor ID payload, RFC 2408 §3.16: opaque bytes, named from the vendor-ID
//! database in [`crate::registry::vendor`].

use crate::ike::repr::VendorId;
use crate::registry::vendor;

/// Decode a Vendor ID payload body (any length is valid).
pub fn parse_vendor_id(body: &[u8]) -> VendorId<'_> {
    VendorId {
        data: body,
        vendor: vendor::lookup(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_known_vids() {
        let dpd = hex::decode("afcad71368a1f1c96b8696fc77570100").unwrap();
        let v = parse_vendor_id(&dpd);
        assert!(v.vendor.unwrap().contains("DPD"));
        assert!(parse_vendor_id(&[0x01, 0x02]).vendor.is_none());
    }
}
