//! IKEv1 decryption: CBC with the IVs of RFC 2409 Appendix B, as Wireshark's
//! `packet-isakmp.c` does it.
//!
//! - Phase 1 (message ID 0): the first IV is `hash(g^xi | g^xr)` cut to the
//!   block size; each later message's IV is the last ciphertext block of the
//!   message before it.
//! - Phase 2 and Informational exchanges (each message ID): the first IV is
//!   `hash(last phase-1 ciphertext block | M-ID)`, then CBC chaining again.
//! - The cipher, key length and hash come from the responder's SA (MM2/AM2);
//!   the key row holds the encryption key itself.
//!
//! IKEv1 has no ICV. A message counts as decrypted only when its plaintext
//! is a payload chain of known payload types with zero reserved bytes that
//! ends inside the plaintext; a retransmission is tried with the IV its
//! first copy used.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::{DecryptError, Decrypted, Decryptor, Outcome, MAX_FRAGMENTS};
use crate::ike::{Body, Message, HEADER_LEN, PAYLOAD_HEADER_LEN};
use crate::keys::{Encr, Hash, KeyTables};

/// IKEv1 SA attribute types and values, RFC 2409 Appendix A.
mod attr {
    pub const ENCRYPTION: u16 = 1;
    pub const HASH: u16 = 2;
    pub const KEY_LENGTH: u16 = 14;
    pub const ENCR_DES: u64 = 1;
    pub const ENCR_3DES: u64 = 5;
    pub const ENCR_AES: u64 = 7;
    pub const HASH_MD5: u64 = 1;
    pub const HASH_SHA1: u64 = 2;
    /// RFC 4868 §2.3 / IANA "IPsec Hash Algorithm" values.
    pub const HASH_SHA256: u64 = 4;
    pub const HASH_SHA384: u64 = 5;
    pub const HASH_SHA512: u64 = 6;
}

/// Header E flag (RFC 2408 §3.1) and the header fields patched in copies.
const FLAG_E: u8 = 0x01;
const FLAGS_AT: usize = 19;
const LENGTH_AT: usize = 24;
/// KE (4), SA (1) and the fragmentation payload (132, Cisco).
const KE: u8 = 4;

/// What is known about one IKEv1 SA (by initiator cookie).
#[derive(Debug, Default)]
pub struct SaState {
    encr: Option<Encr>,
    key_len: Option<usize>,
    hash: Option<Hash>,
    /// Distinct KE data in the order seen: initiator's, then responder's.
    ke: Vec<Vec<u8>>,
    /// Phase-1 IV for the next message, and the one the last message used.
    p1: Option<Chain>,
    /// Per phase-2 / Informational message ID.
    p2: HashMap<u32, Chain>,
}

#[derive(Debug, Clone)]
struct Chain {
    next: Vec<u8>,
    prev: Option<Vec<u8>>,
}

/// Pieces of one fragmented message (payload 132), by fragment number.
#[derive(Debug, Default)]
pub struct FragBuf {
    last: Option<u8>,
    parts: BTreeMap<u8, Vec<u8>>,
}

pub(super) fn message(d: &mut Decryptor, data: &[u8], msg: &Message<'_>) -> Option<Outcome> {
    let h = msg.header;
    let keys: Arc<KeyTables> = Arc::clone(&d.keys);
    let key = keys.ikev1_key(h.ispi)?;
    if let Some(out) = fragment(d, msg) {
        return Some(out);
    }
    let state = d.v1.entry(h.ispi).or_default();
    if !h.encrypted || msg.decrypted_copy {
        learn(state, msg);
        return None;
    }
    let origin = key.origin.clone();
    let fail = |error| {
        Some(Outcome::Failed {
            error,
            key: origin.clone(),
        })
    };
    let (Some(encr), Some(hash)) = (state.encr, state.hash) else {
        return fail(DecryptError::NoIv(
            "the capture does not hold the responder's SA (MM2/AM2) that names the cipher",
        ));
    };
    let block = encr.block_size();
    let k = key.key.bytes();
    let k = match state.key_len {
        Some(n) if k.len() > n => &k[..n],
        _ => k,
    };
    let end = (h.length as usize).min(data.len());
    let Some(body) = data.get(HEADER_LEN..end) else {
        return fail(DecryptError::Malformed(
            "message shorter than its header".into(),
        ));
    };
    if body.is_empty() || !body.len().is_multiple_of(block) {
        return fail(DecryptError::Malformed(format!(
            "encrypted body of {} bytes is not a multiple of the {block}-byte block",
            body.len()
        )));
    }
    let last_block = body[body.len() - block..].to_vec();
    if state.p1.is_none() && state.ke.len() == 2 {
        let iv = hash.digest(&[&state.ke[0], &state.ke[1]]);
        state.p1 = Some(Chain {
            next: iv.get(..block).unwrap_or(&iv).to_vec(),
            prev: None,
        });
    }
    let Some(p1) = state.p1.clone() else {
        return fail(DecryptError::NoIv(
            "the DH public values (MM3/MM4 or AM1/AM2) were not captured",
        ));
    };
    let mid = h.message_id;
    let mut candidates = Vec::new();
    if mid == 0 {
        candidates.push(p1.next.clone());
        candidates.extend(p1.prev.clone());
    } else {
        if let Some(c) = state.p2.get(&mid) {
            candidates.push(c.next.clone());
            candidates.extend(c.prev.clone());
        }
        let fresh = hash.digest(&[&p1.next, &mid.to_be_bytes()]);
        candidates.push(fresh.get(..block).unwrap_or(&fresh).to_vec());
    }
    let mut result = Err(DecryptError::NoValidPlaintext);
    let mut used = candidates.first().cloned().unwrap_or_default();
    for iv in &candidates {
        match encr.decrypt(k, iv, body) {
            Ok(plain) => {
                if let Some(chain_end) = chain_end(h.next_payload, &plain) {
                    used = iv.clone();
                    result = Ok(rebuild(data, &plain[..chain_end]));
                    break;
                }
            }
            Err(e) => {
                result = Err(e.into());
                break;
            }
        }
    }
    // CBC chains on ciphertext: the next IV is this message's last block
    // whether or not the key fitted.
    let chain = Chain {
        next: last_block,
        prev: Some(used),
    };
    if mid == 0 {
        state.p1 = Some(chain);
    } else {
        state.p2.insert(mid, chain);
    }
    Some(match result {
        Ok(message) => Outcome::Decrypted(Decrypted {
            message,
            key: origin,
            fragments: 1,
        }),
        Err(error) => Outcome::Failed { error, key: origin },
    })
}

/// Remember the negotiated transform and the DH values from cleartext
/// messages.
fn learn(state: &mut SaState, msg: &Message<'_>) {
    for p in &msg.payloads {
        match &p.body {
            // The responder's SA (non-zero responder cookie) holds the one
            // chosen transform.
            Body::Sa(sa) if msg.header.rspi != 0 => {
                let Some(t) = sa.proposals.first().and_then(|p| p.transforms.first()) else {
                    continue;
                };
                let val = |ty| {
                    t.attributes
                        .iter()
                        .find(|a| a.attr_type == ty)
                        .and_then(|a| a.value)
                };
                let key_bits = val(attr::KEY_LENGTH);
                state.key_len = key_bits.map(|b| (b / 8) as usize);
                state.encr = match val(attr::ENCRYPTION) {
                    Some(attr::ENCR_DES) => Some(Encr::Des),
                    Some(attr::ENCR_3DES) => Some(Encr::TripleDes),
                    Some(attr::ENCR_AES) => Some(Encr::AesCbc {
                        key_len: state.key_len,
                    }),
                    _ => None,
                };
                state.hash = match val(attr::HASH) {
                    Some(attr::HASH_MD5) => Some(Hash::Md5),
                    Some(attr::HASH_SHA1) => Some(Hash::Sha1),
                    Some(attr::HASH_SHA256) => Some(Hash::Sha256),
                    Some(attr::HASH_SHA384) => Some(Hash::Sha384),
                    Some(attr::HASH_SHA512) => Some(Hash::Sha512),
                    _ => None,
                };
            }
            Body::Ke(ke)
                if p.ptype == KE
                    && state.ke.len() < 2
                    && !state.ke.iter().any(|k| k == ke.data) =>
            {
                state.ke.push(ke.data.to_vec());
            }
            _ => {}
        }
    }
}

/// Cisco-style fragments: keep the pieces; when the last one and all before
/// it are in, decrypt the reassembled message.
fn fragment(d: &mut Decryptor, msg: &Message<'_>) -> Option<Outcome> {
    let f = msg.payloads.iter().find_map(|p| match &p.body {
        Body::Fragment(f) => Some(f),
        _ => None,
    })?;
    let id = (msg.header.ispi, f.fragment_id);
    let buf = d.v1_frags.entry(id).or_default();
    if buf.parts.len() < MAX_FRAGMENTS as usize || buf.parts.contains_key(&f.fragment_number) {
        buf.parts.insert(f.fragment_number, f.data.to_vec());
    }
    if f.last {
        buf.last = Some(f.fragment_number);
    }
    let waiting = Some(Outcome::Fragment {
        number: u16::from(f.fragment_number),
        total: buf.last.map(u16::from),
    });
    let last = buf.last?;
    if (1..=last).any(|n| !buf.parts.contains_key(&n)) {
        return waiting;
    }
    let buf = d.v1_frags.remove(&id)?;
    let whole: Vec<u8> = buf.parts.into_values().flatten().collect();
    match d.message(&whole) {
        Some(Outcome::Decrypted(mut dec)) => {
            dec.fragments = u16::from(last);
            Some(Outcome::Decrypted(dec))
        }
        other => other.or(waiting),
    }
}

/// Where a well-formed IKEv1 payload chain starting with `first` ends in
/// `plain`, or `None` when it is not one.
fn chain_end(first: u8, plain: &[u8]) -> Option<usize> {
    let mut next = first;
    let mut off = 0usize;
    let mut count = 0;
    while next != 0 {
        if !matches!(next, 1 | 4..=22 | 130..=132) {
            return None;
        }
        let h = plain.get(off..off + PAYLOAD_HEADER_LEN)?;
        if h[1] != 0 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([h[2], h[3]]));
        if len < PAYLOAD_HEADER_LEN || off + len > plain.len() {
            return None;
        }
        next = h[0];
        off += len;
        count += 1;
    }
    // The rest is padding: less than 256 bytes (RFC 2409 Appendix B).
    (count > 0 && plain.len() - off < 256).then_some(off)
}

/// Header (E flag off, length patched) then the plaintext payloads.
fn rebuild(data: &[u8], payloads: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payloads.len());
    out.extend_from_slice(data.get(..HEADER_LEN).unwrap_or(data));
    out.extend_from_slice(payloads);
    if let Some(f) = out.get_mut(FLAGS_AT) {
        *f &= !FLAG_E;
    }
    let len = u32::try_from(out.len()).unwrap_or(u32::MAX).to_be_bytes();
    if let Some(l) = out.get_mut(LENGTH_AT..HEADER_LEN) {
        l.copy_from_slice(&len);
    }
    out
}
