//! IKEv2 SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) decryption.
//!
//! Layout of the payload body: [fragment number, total (SKF only)] IV,
//! ciphertext (inner payloads, padding, pad length), ICV. The ICV covers the
//! whole message up to itself (§3.14); AEAD ciphers take the IKE header and
//! the SK/SKF header (with the fragment fields) as associated data (RFC 5282
//! §5.1, RFC 7383 §2.5). The plaintext is read only after the check passes.

use std::collections::{BTreeMap, HashMap};

use super::{DecryptError, Decrypted, Outcome, MAX_FRAGMENTS};
use crate::ike::{Body, Message, HEADER_LEN, PAYLOAD_HEADER_LEN};
use crate::keys::crypto::aead_open;
use crate::keys::{CryptoError, Ikev2Key};

const SK: u8 = 46;
const SKF: u8 = 53;
/// Offsets in the ISAKMP header.
const NEXT_PAYLOAD_AT: usize = 16;
const LENGTH_AT: usize = 24;

/// Fragments belong together by IKE SA, message ID and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragKey {
    ispi: u64,
    rspi: u64,
    message_id: u32,
    response: bool,
    initiator: bool,
}

#[derive(Debug, Default)]
pub struct FragBuf {
    total: u16,
    inner_next: Option<u8>,
    parts: BTreeMap<u16, Vec<u8>>,
}

/// Decrypt the SK or SKF payload of `msg` (whose bytes are `data`).
pub(super) fn message(
    frags: &mut HashMap<FragKey, FragBuf>,
    key: &Ikev2Key,
    data: &[u8],
    msg: &Message<'_>,
) -> Outcome {
    let fail = |error| Outcome::Failed {
        error,
        key: key.origin.clone(),
    };
    let Some((idx, sk)) = msg
        .payloads
        .iter()
        .enumerate()
        .find(|(_, p)| p.ptype == SK || p.ptype == SKF)
    else {
        return fail(DecryptError::Malformed(
            "encrypted payload did not parse".into(),
        ));
    };
    let Body::Encrypted(enc) = &sk.body else {
        return fail(DecryptError::Malformed(
            "encrypted payload did not parse".into(),
        ));
    };
    let start = sk.offset;
    let end = start + sk.length as usize;
    let Some(whole) = data.get(..end) else {
        return fail(DecryptError::Malformed(
            "encrypted payload cut short".into(),
        ));
    };
    let pre = if sk.ptype == SKF { 4 } else { 0 };
    let plain = match open(
        key,
        msg.header.v2_initiator(),
        whole,
        start + PAYLOAD_HEADER_LEN + pre,
    ) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let prefix_next_at = if idx == 0 {
        NEXT_PAYLOAD_AT
    } else {
        msg.payloads[idx - 1].offset
    };
    if sk.ptype == SK {
        return Outcome::Decrypted(Decrypted {
            message: rebuild(data, start, prefix_next_at, enc.inner_next_payload, &plain),
            key: key.origin.clone(),
            fragments: 1,
        });
    }
    // SKF: keep the plaintext until every fragment is in.
    let number = enc.fragment_number.unwrap_or(1);
    let total = enc.total_fragments.unwrap_or(1);
    let fk = FragKey {
        ispi: msg.header.ispi,
        rspi: msg.header.rspi,
        message_id: msg.header.message_id,
        response: msg.header.v2_response(),
        initiator: msg.header.v2_initiator(),
    };
    let buf = frags.entry(fk).or_default();
    if buf.total != total {
        // A different total means the sender re-fragmented (§2.5.3): start over.
        *buf = FragBuf {
            total,
            ..FragBuf::default()
        };
    }
    if number == 1 {
        buf.inner_next = Some(enc.inner_next_payload);
    }
    if buf.parts.len() < MAX_FRAGMENTS as usize || buf.parts.contains_key(&number) {
        buf.parts.insert(number, plain);
    }
    let complete = buf.parts.len() == total as usize && buf.inner_next.is_some();
    if !complete {
        return Outcome::Fragment {
            number,
            total: Some(total),
        };
    }
    let Some(buf) = frags.remove(&fk) else {
        return Outcome::Fragment {
            number,
            total: Some(total),
        };
    };
    let all: Vec<u8> = buf.parts.into_values().flatten().collect();
    Outcome::Decrypted(Decrypted {
        message: rebuild(
            data,
            start,
            prefix_next_at,
            buf.inner_next.unwrap_or(0),
            &all,
        ),
        key: key.origin.clone(),
        fragments: total,
    })
}

/// Check the ICV and decrypt; `body_at` is where the IV starts in `whole`
/// (the message up to the end of the encrypted payload).
fn open(
    key: &Ikev2Key,
    from_initiator: bool,
    whole: &[u8],
    body_at: usize,
) -> Result<Vec<u8>, DecryptError> {
    let (ek, ak) = if from_initiator {
        (&key.sk_ei, &key.sk_ai)
    } else {
        (&key.sk_er, &key.sk_ar)
    };
    let iv_len = key.encr.iv_len();
    let icv_len = key.encr.aead_icv().unwrap_or(key.integ.icv_len());
    let need = body_at + iv_len + icv_len + 1;
    if whole.len() < need {
        return Err(CryptoError::TooShort {
            need: need.saturating_sub(body_at),
            have: whole.len().saturating_sub(body_at),
        }
        .into());
    }
    let iv = &whole[body_at..body_at + iv_len];
    let mut plain = if key.encr.aead_icv().is_some() {
        let aad = &whole[..body_at];
        aead_open(key.encr, ek.bytes(), iv, aad, &whole[body_at + iv_len..])?
    } else {
        let icv_at = whole.len() - icv_len;
        key.integ
            .verify(ak.bytes(), &whole[..icv_at], &whole[icv_at..])?;
        key.encr
            .decrypt(ek.bytes(), iv, &whole[body_at + iv_len..icv_at])?
    };
    // Padding then the pad length byte (RFC 7296 §3.14).
    let pad = usize::from(*plain.last().unwrap_or(&0));
    let keep = plain
        .len()
        .checked_sub(pad + 1)
        .ok_or(CryptoError::BadPadding {
            pad,
            have: plain.len(),
        })?;
    plain.truncate(keep);
    Ok(plain)
}

/// The message as if it had been sent in clear: everything before the
/// encrypted payload, with the next-payload field that named SK/SKF now
/// naming the first inner payload, then the inner payloads.
fn rebuild(data: &[u8], sk_at: usize, next_at: usize, inner: u8, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(sk_at + plain.len());
    out.extend_from_slice(data.get(..sk_at).unwrap_or(data));
    out.extend_from_slice(plain);
    if let Some(b) = out.get_mut(next_at) {
        *b = inner;
    }
    let len = u32::try_from(out.len()).unwrap_or(u32::MAX).to_be_bytes();
    if let Some(l) = out.get_mut(LENGTH_AT..HEADER_LEN) {
        l.copy_from_slice(&len);
    }
    out
}
