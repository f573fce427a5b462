use std::path::Path;

use super::crypto::*;
use super::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

// ---- cipher vectors -------------------------------------------------------

#[test]
fn aes_cbc_rfc3602_case1_and_2() {
    let e = Encr::AesCbc { key_len: None };
    let pt = e
        .decrypt(
            &h("06a9214036b8a15b512e03d534120006"),
            &h("3dafba429d9eb430b422da802c9fac41"),
            &h("e353779c1079aeb82708942dbe77181a"),
        )
        .unwrap();
    assert_eq!(pt, b"Single block msg");
    let pt = e
        .decrypt(
            &h("c286696d887c9aa0611bbb3e2025a45a"),
            &h("562e17996d093d28ddb3ba695a2e6f58"),
            &h("d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1"),
        )
        .unwrap();
    assert_eq!(
        pt,
        h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    );
}

#[test]
fn aes_ctr_rfc3686_vectors_1_and_2() {
    let e = Encr::AesCtr { key_len: None };
    let mut key = h("ae6852f8121067cc4bf7a5765577f39e");
    key.extend(h("00000030"));
    let pt = e
        .decrypt(
            &key,
            &h("0000000000000000"),
            &h("e4095d4fb7a7b3792d6175a3261311b8"),
        )
        .unwrap();
    assert_eq!(pt, b"Single block msg");
    let mut key = h("7e24067817fae0d743d6ce1f32539163");
    key.extend(h("006cb6db"));
    let pt = e
        .decrypt(
            &key,
            &h("c0543b59da48d90b"),
            &h("5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28"),
        )
        .unwrap();
    assert_eq!(
        pt,
        h("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    );
}

#[test]
fn des_and_3des_cbc() {
    // FIPS 81 CBC example ("Now is the time for all ").
    let ct = h("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
    let iv = h("1234567890abcdef");
    let pt = Encr::Des.decrypt(&h("0123456789abcdef"), &iv, &ct).unwrap();
    assert_eq!(pt, b"Now is the time for all ");
    // 3DES-EDE with K1 = K2 = K3 is single DES.
    let k3 = h("0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_eq!(Encr::TripleDes.decrypt(&k3, &iv, &ct).unwrap(), pt);
}

#[test]
fn aes_gcm_test_case_4_with_each_icv_length() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 4;
    // the RFC 4106 nonce is salt (4) | explicit IV (8).
    let mut key = h("feffe9928665731c6d6a8f9467308308");
    key.extend(h("cafebabe"));
    let iv = h("facedbaddecaf888");
    let aad = h("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let ct = h("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091");
    let tag = h("5bc94fbc3221a5db94fae95ae7121a47");
    let pt = h("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    for icv in [8, 12, 16] {
        let e = Encr::AesGcm { key_len: None, icv };
        let mut input = ct.clone();
        input.extend(&tag[..icv]);
        assert_eq!(
            aead_open(e, &key, &iv, &aad, &input).unwrap(),
            pt,
            "ICV {icv}"
        );
        let last = input.len() - 1;
        input[last] ^= 1;
        assert_eq!(
            aead_open(e, &key, &iv, &aad, &input),
            Err(CryptoError::IcvMismatch)
        );
    }
}

#[test]
fn chacha20_poly1305_rfc7539_2_8_2() {
    let mut key = h("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    key.extend(h("07000000"));
    let iv = h("4041424344454647");
    let aad = h("50515253c0c1c2c3c4c5c6c7");
    let mut input = h("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116");
    input.extend(h("1ae10b594f09e26a7e902ecbd0600691"));
    let pt = aead_open(Encr::ChaCha20Poly1305, &key, &iv, &aad, &input).unwrap();
    assert!(pt.starts_with(b"Ladies and Gentlemen of the class of '99"));
    assert_eq!(
        aead_open(Encr::ChaCha20Poly1305, &key, &iv, b"", &input),
        Err(CryptoError::IcvMismatch)
    );
}

#[test]
fn hmac_rfc2202_and_rfc4231_case_2() {
    let (k, d) = (
        b"Jefe".as_slice(),
        b"what do ya want for nothing?".as_slice(),
    );
    let mac = |i: Integ| hex::encode(i.mac(k, d).unwrap().unwrap());
    assert_eq!(mac(Integ::HmacMd5_96), "750c783e6ab0b503eaa86e31");
    assert_eq!(mac(Integ::HmacSha1_96), "effcdf6ae5eb2fa2d27416d5");
    assert_eq!(
        mac(Integ::HmacSha256_128),
        "5bdcc146bf60754e6a042426089575c7"
    );
    assert_eq!(
        mac(Integ::HmacSha384_192),
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47"
    );
    assert_eq!(
        mac(Integ::HmacSha512_256),
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
    );
    assert!(Integ::HmacSha1_96
        .verify(k, d, &h("effcdf6ae5eb2fa2d27416d5"))
        .is_ok());
    assert_eq!(
        Integ::HmacSha1_96.verify(k, d, &h("effcdf6ae5eb2fa2d27416d6")),
        Err(CryptoError::IcvMismatch)
    );
}

#[test]
fn aes_xcbc_rfc3566_cases() {
    let k = h("000102030405060708090a0b0c0d0e0f");
    let cases = [
        ("", "75f0251d528ac01c4573dfd584d79f29"),
        ("000102", "5b376580ae2f19afe7219ceef172756f"),
        (
            "000102030405060708090a0b0c0d0e0f",
            "d2a246fa349b68a79998a4394ff7a263",
        ),
        (
            "000102030405060708090a0b0c0d0e0f10111213",
            "47f51b4564966215b8985c63055ed308",
        ),
        (
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "f54f0ec8d2b9f3d36807734bd5283fd4",
        ),
    ];
    for (m, want) in cases {
        assert_eq!(
            hex::encode(aes_xcbc_mac(&k, &h(m)).unwrap()),
            want,
            "msg {m}"
        );
    }
    assert_eq!(
        hex::encode(Integ::AesXcbc96.mac(&k, &h("000102")).unwrap().unwrap()),
        "5b376580ae2f19afe7219cee"
    );
}

#[test]
fn wrong_lengths_are_errors_not_panics() {
    let e = Encr::AesCbc { key_len: Some(32) };
    assert!(matches!(
        e.decrypt(&[0; 16], &[0; 16], &[0; 16]),
        Err(CryptoError::KeyLength { .. })
    ));
    assert!(matches!(
        Encr::AesCbc { key_len: None }.decrypt(&[0; 16], &[0; 16], &[0; 15]),
        Err(CryptoError::NotBlockAligned { len: 15, block: 16 })
    ));
    assert!(Encr::AesCbc { key_len: None }
        .decrypt(&[0; 16], &[0; 3], &[0; 16])
        .is_err());
    let gcm = Encr::AesGcm {
        key_len: None,
        icv: 16,
    };
    assert!(aead_open(gcm, &[0; 20], &[0; 8], b"", &[0; 5]).is_err());
    assert!(aead_open(gcm, &[0; 7], &[0; 8], b"", &[0; 40]).is_err());
    assert!(aes_xcbc_mac(&[0; 5], b"x").is_err());
    assert!(CryptoError::IcvMismatch
        .to_string()
        .contains("wrong key or corrupted packet"));
}

// ---- tables ---------------------------------------------------------------

#[test]
fn reads_strongswan_save_keys_rows() {
    let mut t = KeyTables::default();
    t.add_text(
        Path::new("ikev2_decryption_table"),
        "# This file is automatically generated, DO NOT MODIFY.\n\
         b0aee5276deb3c6b,91da74a92de3b83c,96854469548bb6e526b2bacb2a04f924936d3d8be7ba34d05916777855f763b5,1655fd6146e8bc7c673754d1fce715487e7cd69756d779e8724408f52c8070db,\"AES-CBC-256 [RFC3602]\",564932a65ee60354f2bb241114f2ee8952463649c57c89dfc1ad7109f8219486,123758ff9eeef10aad43137c322e062ccde3b82d7780a94d2159634a76cf969c,\"HMAC_SHA2_256_128 [RFC4868]\"\n\
         89922c915f35570e,98d56d32e2a04742,f49c0d53899c8aef4435e2850619825dacc1c8b4bfd636f7175032cfbe4c57db8b7b260f,42e53af4eabccaabf10ad37da3b980edc5af5a4c742fd47a29b4341f7847caf92ccacf3d,\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"\n",
        None,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.ikev2.len(), 2);
    let k = t.ikev2_key(0xb0aee5276deb3c6b, 0x91da74a92de3b83c).unwrap();
    assert_eq!(k.encr, Encr::AesCbc { key_len: Some(32) });
    assert_eq!(k.integ, Integ::HmacSha256_128);
    assert_eq!(k.origin.line, 2);
    assert_eq!(
        t.ikev2[1].encr,
        Encr::AesGcm {
            key_len: Some(32),
            icv: 16
        }
    );

    t.add_text(
        Path::new("esp_sa"),
        "\"IPv4\",\"203.0.113.1\",\"198.51.100.1\",\"0x59716843\",\"AES-CBC [RFC3602]\",\"0x247f14670ca007989b5e79df54f8fb2d2ef512f5db20fbca649eb699adc271f1\",\"HMAC-SHA-1-96 [RFC2404]\",\"0xcea824acfa3fccacded96f4ea0bec737a4afa4e7\"\n\
         \"IPv6\",\"3ffe::1\",\"*\",\"10\",\"DES-CBC [RFC2405]\",\"descbcte\",\"NULL\",\"\"\n",
        None,
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    let a = |s: &str| s.parse::<IpAddr>().unwrap();
    let sa = t
        .esp_sa(a("203.0.113.1"), a("198.51.100.1"), 0x59716843)
        .unwrap();
    assert_eq!(
        (sa.encr, sa.integ),
        (Encr::AesCbc { key_len: None }, Integ::HmacSha1_96)
    );
    assert!(t
        .esp_sa(a("198.51.100.1"), a("203.0.113.1"), 0x59716843)
        .is_none());
    let des = t.esp_sa(a("3ffe::1"), a("3ffe::99"), 10).unwrap();
    assert_eq!(des.enc_key.bytes(), b"descbcte");

    t.add_text(
        Path::new("ikev1_decryption_table"),
        "6662eac918d867e6,267000c9a71177bf25294832b168b102ec1853b6a0824ca01df0190028e0fdde\n",
        None,
    );
    assert_eq!(t.ikev1_key(0x6662eac918d867e6).unwrap().key.len(), 32);
}

#[test]
fn bad_lines_name_file_and_line_and_keys_stay_hidden() {
    let mut t = KeyTables::default();
    t.add_text(
        Path::new("/k/esp_sa"),
        "\n# comment\n\"IPv4\",\"1.2.3.4\",\"*\",\"0x1\",\"BLOWFISH-CBC [RFC2451]\",\"k\",\"NULL\",\"\"\n\
         \"IPv4\",\"1.2.3.4\",\"*\",\"zz\",\"NULL\",\"\",\"NULL\",\"\"\n\
         \"IPv4\",\"1.2.3.4\",\"*\",\"1\",\"AES-CBC [RFC3602]\",\"0x0011\",\"NULL\",\"\"\n\
         \"IPv4\",\"1.2.3.4\n",
        Some(TableKind::Esp),
    );
    let msgs: Vec<String> = t.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(msgs[0].starts_with("/k/esp_sa:3: ") && msgs[0].contains("not supported"));
    assert!(msgs[1].starts_with("/k/esp_sa:4: ") && msgs[1].contains("SPI"));
    assert!(msgs[2].starts_with("/k/esp_sa:5: ") && msgs[2].contains("key is 2 bytes"));
    assert!(msgs[3].contains("unterminated"));
    t.add_text(Path::new("x"), "abc,00\n", Some(TableKind::Ikev1));
    assert!(t
        .errors
        .last()
        .unwrap()
        .to_string()
        .contains("initiator cookie"));

    let k = Secret::new(vec![0xde, 0xad, 0xbe, 0xef]);
    let shown = format!("{k:?}");
    assert!(!shown.contains("de") && shown.contains("4 bytes redacted"));
    t.add_text(
        Path::new("ikev1_decryption_table"),
        "6662eac918d867e6,deadbeefdeadbeef\n",
        None,
    );
    let all = format!("{t:?}");
    assert!(
        !all.contains("deadbeef") && !all.contains("222, 173"),
        "{all}"
    );
}

#[test]
fn unknown_file_names_are_recognised_by_their_rows() {
    let mut t = KeyTables::default();
    t.add_text(Path::new("mykeys.txt"), "0011223344556677,00112233445566778899aabbccddeeff\n\"Any\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"ANY 96 bit authentication [no checking]\",\"\"\n", None);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!((t.ikev1.len(), t.esp.len()), (1, 1));
    assert_eq!(t.esp[0].integ, Integ::Unchecked(12));
}

#[test]
fn prefixes_match_like_wildcards() {
    let p = AddrMatch::Prefix("10.1.0.0".parse().unwrap(), 16);
    assert!(p.matches("10.1.200.3".parse().unwrap()));
    assert!(!p.matches("10.2.0.1".parse().unwrap()));
    assert!(!p.matches("::1".parse().unwrap()));
    assert!(AddrMatch::Prefix("::".parse().unwrap(), 0).matches("3ffe::1".parse().unwrap()));
}

#[test]
fn loads_a_reference_capture_key_folder() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/multi-peer.keys");
    let t = KeyTables::load(&dir);
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert!(!t.ikev1.is_empty() && !t.ikev2.is_empty() && !t.esp.is_empty());
    assert_eq!(t.sources.len(), 3);
    let missing = KeyTables::load(Path::new("/nonexistent/keys"));
    assert_eq!(missing.errors.len(), 1);
    assert!(missing.errors[0].to_string().contains("cannot read"));
}
