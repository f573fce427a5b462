use super::*;
use crate::keys::{Encr, Ikev2Key, Integ, Secret};
use std::path::PathBuf;
use std::sync::Arc;

fn origin() -> Origin {
    Origin {
        file: PathBuf::from("t"),
        line: 1,
    }
}

/// Header with I flag, exchange IKE_AUTH (35), one SK payload.
fn v2_message(key: &Ikev2Key, inner_next: u8, inner: &[u8], iv: &[u8]) -> Vec<u8> {
    use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
    let mut pt = inner.to_vec();
    let block = key.encr.block_size();
    let pad = (block - (pt.len() + 1) % block) % block;
    pt.extend(std::iter::repeat_n(0u8, pad));
    pt.push(pad as u8);
    let n = pt.len();
    let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(key.sk_ei.bytes(), iv)
        .unwrap()
        .encrypt_padded_mut::<NoPadding>(&mut pt, n)
        .unwrap()
        .to_vec();
    let icv = key.integ.icv_len();
    let sk_len = 4 + iv.len() + ct.len() + icv;
    let total = 28 + sk_len;
    let mut m = Vec::new();
    m.extend(key.ispi.to_be_bytes());
    m.extend(key.rspi.to_be_bytes());
    m.extend([46, 0x20, 35, 0x08, 0, 0, 0, 1]);
    m.extend((total as u32).to_be_bytes());
    m.extend([inner_next, 0]);
    m.extend((sk_len as u16).to_be_bytes());
    m.extend(iv);
    m.extend(ct);
    let mac = key.integ.mac(key.sk_ai.bytes(), &m).unwrap().unwrap();
    m.extend(mac);
    m
}

fn v2_key() -> Ikev2Key {
    Ikev2Key {
        ispi: 0x1122334455667788,
        rspi: 0x99aabbccddeeff00,
        sk_ei: Secret::new(vec![7; 16]),
        sk_er: Secret::new(vec![8; 16]),
        encr: Encr::AesCbc { key_len: Some(16) },
        sk_ai: Secret::new(vec![9; 20]),
        sk_ar: Secret::new(vec![10; 20]),
        integ: Integ::HmacSha1_96,
        origin: origin(),
    }
}

/// A Notify payload AUTHENTICATION_FAILED (24), no SPI, no data.
const NOTIFY_AUTH_FAILED: [u8; 8] = [0, 0, 0, 8, 0, 0, 0, 24];

#[test]
fn ikev2_sk_round_trip_through_the_parser() {
    let key = v2_key();
    let mut tables = KeyTables::default();
    tables.ikev2.push(key.clone());
    let m = v2_message(&key, 41, &NOTIFY_AUTH_FAILED, &[3; 16]);
    let mut d = Decryptor::new(Arc::new(tables));
    let Some(Outcome::Decrypted(dec)) = d.message(&m) else {
        panic!("not decrypted");
    };
    let msg = dec.parse().unwrap();
    assert!(msg.malformed.is_none(), "{:?}", msg.malformed);
    assert!(!msg.header.encrypted);
    let n = msg.notifies().next().unwrap();
    assert_eq!(n.notify_type, 24);
    assert_eq!(msg.header.length as usize, dec.message.len());
}

#[test]
fn ikev2_wrong_key_and_truncation_are_clear_errors() {
    let key = v2_key();
    let m = v2_message(&key, 41, &NOTIFY_AUTH_FAILED, &[3; 16]);
    let mut wrong = key.clone();
    wrong.sk_ai = Secret::new(vec![1; 20]);
    let mut tables = KeyTables::default();
    tables.ikev2.push(wrong);
    let mut d = Decryptor::new(Arc::new(tables));
    match d.message(&m) {
        Some(Outcome::Failed { error, .. }) => {
            assert!(error.to_string().contains("wrong key or corrupted packet"))
        }
        other => panic!("{other:?}"),
    }
    // Every prefix of the message: never a panic.
    let mut tables = KeyTables::default();
    tables.ikev2.push(key);
    let mut d = Decryptor::new(Arc::new(tables));
    for n in 0..m.len() {
        let _ = d.message(&m[..n]);
    }
    // A flipped ciphertext bit fails the ICV.
    let mut bad = m.clone();
    bad[50] ^= 0x40;
    assert!(matches!(d.message(&bad), Some(Outcome::Failed { .. })));
}

#[test]
fn no_key_no_work() {
    let key = v2_key();
    let m = v2_message(&key, 41, &NOTIFY_AUTH_FAILED, &[3; 16]);
    let tables = KeyTables::default();
    assert_eq!(Decryptor::new(Arc::new(tables)).message(&m), None);
}

#[test]
fn psk_candidates_file() {
    let c = psk::read_candidates("# tried\nsecret\n\n0x4142\r\n");
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].bytes(), b"secret");
    assert_eq!(c[1].bytes(), b"AB");
}
