//! Aggressive Mode pre-shared key check, RFC 2409 §5.4 and §5.
//!
//! In Aggressive Mode with pre-shared keys the responder's AM2 carries, in
//! clear, everything HASH_R is computed from except the key:
//!
//! ```text
//! SKEYID = prf(PSK, Ni_b | Nr_b)
//! HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
//! ```
//!
//! so candidate keys can be tested offline, with no DH secret. That is also
//! why such an exchange exposes the key to guessing.

use crate::ike::{parse_message, Body, Message, PAYLOAD_HEADER_LEN};
use crate::keys::{Hash, Secret};

/// IKEv1 payload types (RFC 2408 §3.1) and SA attributes (RFC 2409 App. A).
const SA: u8 = 1;
const ID: u8 = 5;
const EXCHANGE_AGGRESSIVE: u8 = 4;
const ATTR_HASH: u16 = 2;
const ATTR_AUTH: u16 = 3;
const AUTH_PSK: u64 = 1;

/// The result of testing candidate keys against one AM1/AM2 pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PskCheck {
    /// Candidate `index` (0-based, in the order given) reproduces HASH_R.
    Match { index: usize },
    /// None of the `tried` candidates does.
    NoMatch { tried: usize },
}

/// Why the check cannot be made on these messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable(pub &'static str);

impl std::fmt::Display for NotApplicable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// The parts of AM1 and AM2 that HASH_R covers.
#[derive(Debug, Clone)]
pub struct AggressiveExchange {
    hash: Hash,
    ni: Vec<u8>,
    nr: Vec<u8>,
    gxi: Vec<u8>,
    gxr: Vec<u8>,
    cky_i: [u8; 8],
    cky_r: [u8; 8],
    sai_b: Vec<u8>,
    idir_b: Vec<u8>,
    hash_r: Vec<u8>,
}

fn body_of<'a>(data: &'a [u8], msg: &Message<'_>, ptype: u8) -> Option<&'a [u8]> {
    let p = msg.payloads.iter().find(|p| p.ptype == ptype)?;
    data.get(p.offset + PAYLOAD_HEADER_LEN..p.offset + p.length as usize)
}

impl AggressiveExchange {
    /// Gather the inputs from AM1 (`am1`, initiator) and AM2 (`am2`).
    pub fn from_messages(am1: &[u8], am2: &[u8]) -> Result<Self, NotApplicable> {
        let m1 = parse_message(am1).map_err(|_| NotApplicable("AM1 is not an IKE message"))?;
        let m2 = parse_message(am2).map_err(|_| NotApplicable("AM2 is not an IKE message"))?;
        for m in [&m1, &m2] {
            if m.header.version != 1 || m.header.exchange_type != EXCHANGE_AGGRESSIVE {
                return Err(NotApplicable("not an IKEv1 Aggressive Mode exchange"));
            }
        }
        if m2.header.encrypted {
            return Err(NotApplicable("AM2 is encrypted"));
        }
        let t = m2
            .sa()
            .and_then(|s| s.proposals.first())
            .and_then(|p| p.transforms.first())
            .ok_or(NotApplicable("AM2 holds no SA with the chosen transform"))?;
        let val = |ty| {
            t.attributes
                .iter()
                .find(|a| a.attr_type == ty)
                .and_then(|a| a.value)
        };
        if val(ATTR_AUTH) != Some(AUTH_PSK) {
            return Err(NotApplicable(
                "the chosen authentication method is not a pre-shared key",
            ));
        }
        let hash = match val(ATTR_HASH) {
            Some(1) => Hash::Md5,
            Some(2) => Hash::Sha1,
            Some(4) => Hash::Sha256,
            Some(5) => Hash::Sha384,
            Some(6) => Hash::Sha512,
            _ => return Err(NotApplicable("the chosen hash algorithm is not supported")),
        };
        let nonce = |m: &Message<'_>| {
            m.payloads.iter().find_map(|p| match &p.body {
                Body::Data(d) if p.ptype == 10 => Some(d.data.to_vec()),
                _ => None,
            })
        };
        let ke = |m: &Message<'_>| {
            m.payloads.iter().find_map(|p| match &p.body {
                Body::Ke(k) => Some(k.data.to_vec()),
                _ => None,
            })
        };
        let hash_r = m2.payloads.iter().find_map(|p| match &p.body {
            Body::Data(d) if p.ptype == 8 => Some(d.data.to_vec()),
            _ => None,
        });
        Ok(AggressiveExchange {
            hash,
            ni: nonce(&m1).ok_or(NotApplicable("AM1 has no nonce"))?,
            nr: nonce(&m2).ok_or(NotApplicable("AM2 has no nonce"))?,
            gxi: ke(&m1).ok_or(NotApplicable("AM1 has no KE payload"))?,
            gxr: ke(&m2).ok_or(NotApplicable("AM2 has no KE payload"))?,
            cky_i: m1.header.ispi.to_be_bytes(),
            cky_r: m2.header.rspi.to_be_bytes(),
            sai_b: body_of(am1, &m1, SA)
                .ok_or(NotApplicable("AM1 has no SA payload"))?
                .to_vec(),
            idir_b: body_of(am2, &m2, ID)
                .ok_or(NotApplicable("AM2 has no ID payload"))?
                .to_vec(),
            hash_r: hash_r.ok_or(NotApplicable("AM2 has no HASH_R"))?,
        })
    }

    /// HASH_R for one candidate key.
    pub fn hash_r_for(&self, psk: &[u8]) -> Vec<u8> {
        let skeyid = self.hash.prf(psk, &[&self.ni, &self.nr]);
        self.hash.prf(
            &skeyid,
            &[
                &self.gxr,
                &self.gxi,
                &self.cky_r,
                &self.cky_i,
                &self.sai_b,
                &self.idir_b,
            ],
        )
    }

    /// Test each candidate; the first that reproduces HASH_R wins.
    pub fn check(&self, candidates: &[Secret]) -> PskCheck {
        match candidates
            .iter()
            .position(|c| self.hash_r_for(c.bytes()) == self.hash_r)
        {
            Some(index) => PskCheck::Match { index },
            None => PskCheck::NoMatch {
                tried: candidates.len(),
            },
        }
    }
}

/// Candidate keys from a `--psk-file`: one per line, as written (a line
/// `0x…` is hex); blank lines and lines starting with `#` are skipped.
pub fn read_candidates(text: &str) -> Vec<Secret> {
    read_candidate_lines(text)
        .into_iter()
        .map(|(_, s)| s)
        .collect()
}

/// [`read_candidates`] with each key's 1-based line number.
pub fn read_candidate_lines(text: &str) -> Vec<(usize, Secret)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| match l.strip_prefix("0x").map(hex::decode) {
            Some(Ok(b)) => (i, Secret::new(b)),
            _ => (i, Secret::new(l.as_bytes().to_vec())),
        })
        .collect()
}
