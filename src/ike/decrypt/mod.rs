//! Decryption of encrypted IKE messages with keys from [`crate::keys`].
//!
//! [`Decryptor`] is fed every IKE message of a capture in order (cleartext
//! ones too: IKEv1 needs the negotiated cipher from MM2/AM2 and the DH public
//! values for its IVs) and returns, for each encrypted message a key applies
//! to, a [`Decrypted`] message: the original header followed by the
//! plaintext payloads, owned, which [`Decrypted::parse`] reads with the same
//! zero-copy parser as any message on the wire.
//!
//! - IKEv2 ([`v2`]): SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) payloads,
//!   the ICV (or AEAD tag) checked before anything is read.
//! - IKEv1 ([`v1`]): CBC with the IVs of RFC 2409 Appendix B, Cisco-style
//!   fragments (payload 132) reassembled first. IKEv1 has no ICV: a message
//!   counts as decrypted only when its plaintext is a well-formed payload
//!   chain.
//! - [`psk`]: the Aggressive Mode pre-shared key check (RFC 2409 §5.4).
//!
//! Messages whose SPIs no key row names are left alone without a word.

pub mod psk;
pub mod v1;
pub mod v2;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::ike::{parse_message, IkeError, Message};
use crate::keys::{CryptoError, KeyTables, Origin};

/// An encrypted message made readable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The original 28-byte header (IKEv1: E flag cleared; next payload and
    /// length patched) followed by the plaintext payloads.
    pub message: Vec<u8>,
    /// The key table row used.
    pub key: Origin,
    /// IKEv2 SKF / IKEv1 fragments: how many fragments were put together.
    pub fragments: u16,
}

impl Decrypted {
    /// The plaintext through the ordinary IKE parser. The header is a copy
    /// of one that parsed, so only a payload error can come back (inside
    /// [`Message::malformed`]).
    pub fn parse(&self) -> Result<Message<'_>, IkeError> {
        parse_message(&self.message)
    }
}

/// Why an encrypted message a key applies to could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecryptError {
    /// ICV mismatch, bad padding, wrong key length...
    Crypto(CryptoError),
    /// IKEv1: no candidate IV gave a well-formed payload chain.
    NoValidPlaintext,
    /// IKEv1: the cipher or IV cannot be known (capture started after
    /// MM2/MM4, or the DH values were not seen).
    NoIv(&'static str),
    /// The encrypted payload is cut short or inconsistent.
    Malformed(String),
}

impl fmt::Display for DecryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecryptError::Crypto(e) => e.fmt(f),
            DecryptError::NoValidPlaintext => {
                f.write_str("plaintext is not a valid payload chain: wrong key or corrupted packet")
            }
            DecryptError::NoIv(why) => write!(f, "cannot decrypt: {why}"),
            DecryptError::Malformed(m) => f.write_str(m),
        }
    }
}

impl From<CryptoError> for DecryptError {
    fn from(e: CryptoError) -> Self {
        DecryptError::Crypto(e)
    }
}

/// What happened to one encrypted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Decrypted(Decrypted),
    /// A fragment was decrypted (IKEv2) or stored (IKEv1) and waits for the
    /// rest of its message.
    Fragment {
        number: u16,
        total: Option<u16>,
    },
    Failed {
        error: DecryptError,
        key: Origin,
    },
}

/// Stateful decryption over one capture's IKE messages, in capture order.
pub struct Decryptor {
    keys: Arc<KeyTables>,
    v1: HashMap<u64, v1::SaState>,
    v1_frags: HashMap<(u64, u16), v1::FragBuf>,
    v2_frags: HashMap<v2::FragKey, v2::FragBuf>,
}

/// Fragments kept per message before the oldest are dropped (RFC 7383 §2.5.3
/// allows up to 65535; real messages have a handful).
pub const MAX_FRAGMENTS: u16 = 256;

impl Decryptor {
    pub fn new(keys: Arc<KeyTables>) -> Self {
        Decryptor {
            keys,
            v1: HashMap::new(),
            v1_frags: HashMap::new(),
            v2_frags: HashMap::new(),
        }
    }

    /// Feed one IKE message (the bytes from the ISAKMP header on). Returns
    /// `None` when it is not encrypted or no key names its SPIs.
    pub fn message(&mut self, data: &[u8]) -> Option<Outcome> {
        let msg = parse_message(data).ok()?;
        match msg.header.version {
            1 => v1::message(self, data, &msg),
            2 => {
                if !msg.header.encrypted {
                    return None;
                }
                let key = self.keys.ikev2_key(msg.header.ispi, msg.header.rspi)?;
                Some(v2::message(&mut self.v2_frags, key, data, &msg))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
