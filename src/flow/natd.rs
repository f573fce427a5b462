//! NAT detection by recomputing NAT-D hashes from the addresses the capture
//! shows.
//!
//! IKEv1 (RFC 3947 §3.2): `HASH(CKY-I | CKY-R | IP | Port)` with the
//! negotiated hash; the first NAT-D payload hashes the remote end, the others
//! the sender's own addresses. IKEv2 (RFC 7296 §2.23): `SHA-1(SPIi | SPIr |
//! IP | Port)` in NAT_DETECTION_SOURCE_IP / _DESTINATION_IP notifies.
//!
//! A sender whose own address does not match its hash was translated between
//! it and the capture point; a destination that does not match was translated
//! between the capture point and the receiver.

use std::net::IpAddr;

use md5::Md5;
use sha1::{Digest, Sha1};
use sha2::{Sha256, Sha384, Sha512};

use super::{Dir, Endpoint, IkeMsg, IkeSa};
use crate::capture::FrameNo;
use crate::ike::{Body, Message};

/// IKEv1 NAT-D payload types: RFC 3947 (20) and the drafts (130).
const V1_NATD: [u8; 2] = [20, 130];
/// IKEv2 notify types (RFC 7296 §3.10.1).
const V2_NAT_SRC: u16 = 16388;
const V2_NAT_DST: u16 = 16389;

/// RFC 2409 App. A hash algorithm codes.
fn v1_digest(alg: u16, input: &[u8]) -> Option<Vec<u8>> {
    Some(match alg {
        1 => Md5::digest(input).to_vec(),
        2 => Sha1::digest(input).to_vec(),
        4 => Sha256::digest(input).to_vec(),
        5 => Sha384::digest(input).to_vec(),
        6 => Sha512::digest(input).to_vec(),
        _ => return None,
    })
}

fn material(ispi: u64, rspi: u64, ep: &Endpoint) -> Vec<u8> {
    let mut v = Vec::with_capacity(34);
    v.extend_from_slice(&ispi.to_be_bytes());
    v.extend_from_slice(&rspi.to_be_bytes());
    match ep.addr {
        IpAddr::V4(a) => v.extend_from_slice(&a.octets()),
        IpAddr::V6(a) => v.extend_from_slice(&a.octets()),
    }
    v.extend_from_slice(&ep.port.unwrap_or(0).to_be_bytes());
    v
}

/// NAT-D evidence waiting for the negotiated hash: direction, frame,
/// `[ispi, rspi, destination hash, source hashes...]`, source, destination.
pub(crate) type Pending = (Dir, FrameNo, Vec<Vec<u8>>, Endpoint, Endpoint);

/// The NAT-D material of one message, as the adapter read it: `[ispi,
/// rspi, destination hash, source hashes...]` (IKEv1 NAT-D payloads, IKEv2
/// NAT_DETECTION_* notifies), or None when it carries none.
pub(crate) fn material_of(msg: &Message<'_>) -> Option<Vec<Vec<u8>>> {
    let h = &msg.header;
    // Keep the cookies of this message with the hashes: HASH input uses the
    // header's cookies as sent.
    let mut tagged = vec![h.ispi.to_be_bytes().to_vec(), h.rspi.to_be_bytes().to_vec()];
    if h.version == 1 {
        let mut hashes: Vec<Vec<u8>> = Vec::new();
        for p in &msg.payloads {
            if V1_NATD.contains(&p.ptype) {
                if let Body::Data(d) | Body::Unknown(d) = &p.body {
                    hashes.push(d.data.to_vec());
                }
            }
        }
        if hashes.is_empty() {
            return None;
        }
        tagged.extend(hashes);
    } else {
        let mut src = None;
        let mut dst = None;
        for n in msg.notifies() {
            match n.notify_type {
                V2_NAT_SRC => src = Some(n.data.to_vec()),
                V2_NAT_DST => dst = Some(n.data.to_vec()),
                _ => {}
            }
        }
        if src.is_none() && dst.is_none() {
            return None;
        }
        tagged.push(dst.unwrap_or_default());
        tagged.push(src.unwrap_or_default());
    }
    Some(tagged)
}

/// Record the NAT-D evidence of one tracked message (once per message: a
/// retransmission or a second capture of a packet adds nothing).
pub(super) fn collect(sa: &mut IkeSa, m: &IkeMsg) {
    if m.copy.retransmission_of().is_some() || !m.is_try() {
        return;
    }
    let Some(tagged) = &m.nat_detection else {
        return;
    };
    sa.nat.natd_seen = true;
    sa.nat.evidence.push(m.frame);
    sa.natd_pending
        .push((m.dir, m.frame, tagged.clone(), m.src, m.dst));
}

fn be64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    if b.len() == 8 {
        a.copy_from_slice(b);
    }
    u64::from_be_bytes(a)
}

/// Compare every recorded hash with the addresses seen; set who is behind NAT.
pub(super) fn resolve(sa: &mut IkeSa) {
    let pending = std::mem::take(&mut sa.natd_pending);
    for (dir, _frame, tagged, src, dst) in pending {
        let (Some(ispi), Some(rspi)) = (tagged.first(), tagged.get(1)) else {
            continue;
        };
        let (ispi, rspi) = (be64(ispi), be64(rspi));
        let digest = |ep: &Endpoint| -> Option<Vec<u8>> {
            let input = material(ispi, rspi, ep);
            if sa.version == 2 {
                Some(Sha1::digest(&input).to_vec())
            } else {
                v1_digest(sa.v1_hash?, &input)
            }
        };
        let (Some(want_dst), Some(want_src)) = (digest(&dst), digest(&src)) else {
            continue;
        };
        let dst_hash = tagged.get(2);
        let src_hashes = tagged.get(3..).unwrap_or(&[]);
        let dst_ok = dst_hash.map(|h| h.is_empty() || *h == want_dst);
        let src_ok = if src_hashes.iter().all(|h| h.is_empty()) {
            None
        } else {
            Some(src_hashes.contains(&want_src))
        };
        // Sender behind NAT if its own hash does not match; receiver behind
        // NAT if the destination hash does not match.
        let (sender_nat, receiver_nat) = (src_ok.map(|ok| !ok), dst_ok.map(|ok| !ok));
        let (init, resp) = match dir {
            Dir::I2R => (sender_nat, receiver_nat),
            Dir::R2I => (receiver_nat, sender_nat),
        };
        merge(&mut sa.nat.initiator_behind_nat, init);
        merge(&mut sa.nat.responder_behind_nat, resp);
    }
}

fn merge(slot: &mut Option<bool>, v: Option<bool>) {
    if let Some(v) = v {
        *slot = Some(slot.unwrap_or(false) || v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_hash_matches_rfc_layout() {
        // SHA-1 over SPIi | SPIr | IPv4 | port, RFC 7296 §2.23.
        let ep = Endpoint {
            addr: "192.0.2.1".parse().unwrap(),
            port: Some(500),
        };
        let m = material(1, 0, &ep);
        assert_eq!(m.len(), 8 + 8 + 4 + 2);
        assert_eq!(&m[16..20], &[192, 0, 2, 1]);
        assert_eq!(&m[20..], &[1, 0xf4]);
        assert_eq!(Sha1::digest(&m).len(), 20);
    }
}
