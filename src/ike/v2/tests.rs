//! Hand-built IKEv2 payloads: every payload kind and every malformation,
//! each error checked for its kind and its byte offset in the message.

use super::parse_body;
use crate::ike::{parse_message, Body, IkeErrorKind, Message, NotifyDetail};

/// Offset of the first payload's body in a message built by [`msg`].
const BODY0: usize = 28 + 4;

/// An IKE_SA_INIT request carrying `payloads` (type, body) in order.
fn msg(payloads: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (i, (_, b)) in payloads.iter().enumerate() {
        let next = payloads.get(i + 1).map_or(0, |p| p.0);
        body.push(next);
        body.push(0);
        body.extend_from_slice(&((b.len() + 4) as u16).to_be_bytes());
        body.extend_from_slice(b);
    }
    let mut m = Vec::new();
    m.extend_from_slice(&0x0102030405060708u64.to_be_bytes());
    m.extend_from_slice(&[0; 8]);
    m.push(payloads.first().map_or(0, |p| p.0));
    m.push(0x20);
    m.push(34);
    m.push(0x08);
    m.extend_from_slice(&0u32.to_be_bytes());
    m.extend_from_slice(&((28 + body.len()) as u32).to_be_bytes());
    m.extend_from_slice(&body);
    m
}

fn parse(m: &[u8]) -> Message<'_> {
    parse_message(m).expect("header parses")
}

/// Parse a one-payload message and return the error's (offset, kind).
fn err_of(ptype: u8, body: Vec<u8>) -> (usize, IkeErrorKind) {
    let m = msg(&[(ptype, body)]);
    let e = parse(&m).malformed.expect("malformed");
    (e.offset, e.kind)
}

fn transform(last: bool, ttype: u8, id: u16, attrs: &[u8]) -> Vec<u8> {
    let mut t = vec![if last { 0 } else { 3 }, 0];
    t.extend_from_slice(&((8 + attrs.len()) as u16).to_be_bytes());
    t.extend_from_slice(&[ttype, 0]);
    t.extend_from_slice(&id.to_be_bytes());
    t.extend_from_slice(attrs);
    t
}

fn proposal(last: bool, num: u8, proto: u8, spi: &[u8], transforms: &[Vec<u8>]) -> Vec<u8> {
    let inner: Vec<u8> = transforms.concat();
    let mut p = vec![if last { 0 } else { 2 }, 0];
    p.extend_from_slice(&((8 + spi.len() + inner.len()) as u16).to_be_bytes());
    p.extend_from_slice(&[num, proto, spi.len() as u8, transforms.len() as u8]);
    p.extend_from_slice(spi);
    p.extend_from_slice(&inner);
    p
}

const KEYLEN_256: [u8; 4] = [0x80, 0x0e, 0x01, 0x00];

fn ike_proposal(last: bool) -> Vec<u8> {
    proposal(
        last,
        1,
        1,
        &[],
        &[
            transform(false, 1, 12, &KEYLEN_256),
            transform(false, 2, 5, &[]),
            transform(false, 3, 12, &[]),
            transform(true, 4, 19, &[]),
        ],
    )
}

#[test]
fn sa_proposals_transforms_attributes() {
    let esp = proposal(
        true,
        2,
        3,
        &[0xde, 0xad, 0xbe, 0xef],
        &[
            transform(false, 1, 20, &KEYLEN_256),
            transform(true, 5, 0, &[]),
        ],
    );
    let m = msg(&[(33, [ike_proposal(false), esp].concat())]);
    let m = parse(&m);
    assert!(m.malformed.is_none(), "{:?}", m.malformed);
    let sa = m.sa().expect("SA");
    assert_eq!(sa.proposals.len(), 2);
    let p = &sa.proposals[0];
    assert_eq!((p.number, p.protocol_id, p.protocol), (1, 1, Some("IKE")));
    assert_eq!(p.transform_count, 4);
    let names: Vec<_> = p
        .transforms
        .iter()
        .map(|t| (t.transform_type_name, t.transform))
        .collect();
    assert_eq!(
        names,
        vec![
            (Some("ENCR"), Some("ENCR_AES_CBC")),
            (Some("PRF"), Some("PRF_HMAC_SHA2_256")),
            (Some("INTEG"), Some("AUTH_HMAC_SHA2_256_128")),
            (Some("D-H"), Some("256-bit random ECP group")),
        ]
    );
    let a = &p.transforms[0].attributes[0];
    assert_eq!(
        (a.attr_type, a.name, a.value, a.tv),
        (14, Some("Key Length"), Some(256), true)
    );
    let q = &sa.proposals[1];
    assert_eq!(
        (q.protocol, q.spi),
        (Some("ESP"), &[0xde, 0xad, 0xbe, 0xef][..])
    );
    assert_eq!(q.transforms[0].transform, Some("ENCR_AES_GCM_16"));
    assert_eq!(q.transforms[1].transform, Some("No ESN"));
}

#[test]
fn sa_tlv_attribute() {
    // A TLV attribute (AF clear) of type 14 with a 2-byte value.
    let t = transform(true, 1, 12, &[0x00, 0x0e, 0x00, 0x02, 0x00, 0x80]);
    let m = msg(&[(33, proposal(true, 1, 1, &[], &[t]))]);
    let m = parse(&m);
    let a = &m.sa().unwrap().proposals[0].transforms[0].attributes[0];
    assert_eq!((a.tv, a.value, a.bytes), (false, Some(128), &[0, 0x80][..]));
}

#[test]
fn sa_proposal_length_beyond_sa() {
    let mut p = ike_proposal(true);
    p[2..4].copy_from_slice(&500u16.to_be_bytes());
    let (off, kind) = err_of(33, p);
    assert_eq!(off, BODY0 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadOverrun {
            what: "proposal",
            declared: 500,
            ..
        }
    ));
}

#[test]
fn sa_spi_size_beyond_proposal() {
    // Proposal length 8 but SPI size 4.
    let p = vec![0, 0, 0, 8, 1, 3, 4, 0];
    let (off, kind) = err_of(33, p);
    assert_eq!(off, BODY0 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadTooShort {
            what: "proposal",
            declared: 8,
            minimum: 12
        }
    ));
}

#[test]
fn sa_transform_length_below_8() {
    let mut t = transform(true, 1, 12, &[]);
    t[2..4].copy_from_slice(&4u16.to_be_bytes());
    let (off, kind) = err_of(33, proposal(true, 1, 1, &[], &[t]));
    // SA body, proposal header (8), transform length field (2).
    assert_eq!(off, BODY0 + 8 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadTooShort {
            what: "transform",
            declared: 4,
            minimum: 8
        }
    ));
}

#[test]
fn sa_transform_length_beyond_proposal() {
    let mut t = transform(true, 1, 12, &[]);
    t[2..4].copy_from_slice(&40u16.to_be_bytes());
    let (off, kind) = err_of(33, proposal(true, 1, 1, &[], &[t]));
    assert_eq!(off, BODY0 + 8 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadOverrun {
            what: "transform",
            declared: 40,
            available: 8
        }
    ));
}

#[test]
fn sa_attribute_overflowing_transform() {
    // TLV attribute announcing 10 value bytes with 2 present.
    let t = transform(true, 1, 12, &[0x00, 0x0e, 0x00, 0x0a, 0x00, 0x80]);
    let (off, kind) = err_of(33, proposal(true, 1, 1, &[], &[t]));
    // SA body, proposal header, transform header, attribute length field.
    assert_eq!(off, BODY0 + 8 + 8 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadOverrun {
            what: "transform attribute",
            declared: 10,
            available: 2
        }
    ));
    // A TV attribute cut short.
    let t = transform(true, 1, 12, &[0x80, 0x0e, 0x01]);
    let (off, kind) = err_of(33, proposal(true, 1, 1, &[], &[t]));
    assert_eq!(off, BODY0 + 8 + 8 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "transform attribute",
            need: 2,
            have: 1
        }
    ));
}

#[test]
fn sa_transform_count_and_last_flags() {
    let mut p = ike_proposal(true);
    p[7] = 3;
    let (off, kind) = err_of(33, p);
    assert_eq!(off, BODY0 + 7);
    assert!(matches!(
        kind,
        IkeErrorKind::Invalid {
            what: "proposal",
            ..
        }
    ));
    // Proposal marked "more follow" but the SA ends.
    let (off, _) = err_of(33, ike_proposal(false));
    assert_eq!(off, BODY0 + ike_proposal(false).len());
    // Bad Last Substruc value.
    let mut p = ike_proposal(true);
    p[0] = 7;
    let (off, kind) = err_of(33, p);
    assert_eq!(off, BODY0);
    assert!(matches!(
        kind,
        IkeErrorKind::Invalid {
            what: "proposal",
            ..
        }
    ));
    // Bytes after the proposal marked last.
    let p = [ike_proposal(true), ike_proposal(true)].concat();
    let (off, _) = err_of(33, p);
    assert_eq!(off, BODY0 + ike_proposal(true).len());
    // Truncated proposal header.
    let (off, kind) = err_of(33, vec![0, 0, 0]);
    assert_eq!(off, BODY0 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "proposal",
            need: 2,
            have: 1
        }
    ));
}

#[test]
fn ke_group_and_data() {
    let mut b = vec![0, 14, 0, 0];
    b.extend_from_slice(&[0xab; 256]);
    let m = msg(&[(34, b)]);
    let m = parse(&m);
    match &m.payloads[0].body {
        Body::Ke(k) => {
            assert_eq!(
                (k.group, k.group_name, k.data_length),
                (Some(14), Some("2048-bit MODP Group"), 256)
            );
        }
        b => panic!("{b:?}"),
    }
    let (off, kind) = err_of(34, vec![0, 19, 0]);
    assert_eq!(off, BODY0 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "KE",
            need: 2,
            have: 1
        }
    ));
}

fn id_value(body: Vec<u8>) -> (Option<&'static str>, String) {
    match parse_body(35, 0, &body).expect("ID parses") {
        Body::Id(i) => (i.id_type_name, i.value),
        b => panic!("{b:?}"),
    }
}

#[test]
fn id_types_rendered() {
    assert_eq!(
        id_value(vec![1, 0, 0, 0, 192, 0, 2, 1]),
        (Some("ID_IPV4_ADDR"), "192.0.2.1".into())
    );
    let mut v6 = vec![5, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8];
    v6.extend_from_slice(&[0; 11]);
    v6.push(1);
    assert_eq!(id_value(v6), (Some("ID_IPV6_ADDR"), "2001:db8::1".into()));
    let mut fqdn = vec![2, 0, 0, 0];
    fqdn.extend_from_slice(b"vpn.example.com\n");
    assert_eq!(
        id_value(fqdn),
        (Some("ID_FQDN"), "vpn.example.com\n".into())
    );
    let mut mail = vec![3, 0, 0, 0];
    mail.extend_from_slice(b"a@example.com");
    assert_eq!(id_value(mail).1, "a@example.com");
    assert_eq!(
        id_value(vec![11, 0, 0, 0, 0xca, 0xfe]),
        (Some("ID_KEY_ID"), "cafe".into())
    );
    let dn = [
        0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x0a, 0x13, 0x02, b'O', b'x',
    ];
    let mut d = vec![9, 0, 0, 0];
    d.extend_from_slice(&dn);
    assert_eq!(id_value(d), (Some("ID_DER_ASN1_DN"), "O=Ox".into()));
    // Not DER: shown as hex.
    assert_eq!(id_value(vec![9, 0, 0, 0, 0x30, 0x05]).1, "3005");
    // Wrong address length: hex.
    assert_eq!(id_value(vec![1, 0, 0, 0, 1, 2]).1, "0102");
    let (off, kind) = err_of(35, vec![1, 0]);
    assert_eq!(off, BODY0 + 1);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "ID",
            need: 3,
            have: 1
        }
    ));
}

#[test]
fn cert_certreq_auth_nonce() {
    let m = msg(&[
        (37, vec![4, 0x30, 0x82]),
        (38, vec![4, 1, 2, 3]),
        (39, vec![2, 0, 0, 0, 9, 9, 9]),
        (40, vec![7; 32]),
    ]);
    let m = parse(&m);
    assert!(m.malformed.is_none());
    match (
        &m.payloads[0].body,
        &m.payloads[1].body,
        &m.payloads[2].body,
        &m.payloads[3].body,
    ) {
        (Body::Cert(c), Body::Cert(r), Body::Auth(a), Body::Data(n)) => {
            assert_eq!(
                (c.encoding_name, c.data_length),
                (Some("X.509 Certificate - Signature"), 2)
            );
            assert_eq!(r.data, &[1, 2, 3]);
            assert_eq!(
                (a.method, a.method_name, a.data_length),
                (2, Some("Shared Key Message Integrity Code"), 3)
            );
            assert_eq!(n.data.len(), 32);
        }
        b => panic!("{b:?}"),
    }
    let (off, kind) = err_of(37, vec![]);
    assert_eq!(off, BODY0);
    assert!(matches!(kind, IkeErrorKind::Truncated { what: "CERT", .. }));
    let (off, kind) = err_of(39, vec![14, 0]);
    assert_eq!(off, BODY0 + 1);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "AUTH",
            need: 3,
            have: 1
        }
    ));
}

fn notify(proto: u8, spi: &[u8], ntype: u16, data: &[u8]) -> Vec<u8> {
    let mut b = vec![proto, spi.len() as u8];
    b.extend_from_slice(&ntype.to_be_bytes());
    b.extend_from_slice(spi);
    b.extend_from_slice(data);
    b
}

#[test]
fn notify_types_and_details() {
    let m = msg(&[
        (41, notify(0, &[], 17, &[0, 19])),
        (41, notify(0, &[], 16388, &[0xaa; 20])),
        (41, notify(0, &[], 16390, &[1, 2, 3, 4])),
        (41, notify(3, &[0, 0, 0, 9], 16393, &[])),
        (41, notify(0, &[], 16431, &[0, 2, 0, 3, 0, 4])),
        (41, notify(0, &[], 16430, &[])),
        (41, notify(0, &[], 16, &[])),
        (41, notify(0, &[], 40969, &[])),
    ]);
    let m = parse(&m);
    assert!(m.malformed.is_none());
    let n: Vec<_> = m.notifies().collect();
    assert_eq!(n.len(), 8);
    assert_eq!(n[0].notify, Some("INVALID_KE_PAYLOAD"));
    assert!(matches!(n[0].detail, Some(NotifyDetail::AcceptedGroup(19))));
    assert_eq!(n[1].notify, Some("NAT_DETECTION_SOURCE_IP"));
    assert!(matches!(n[1].detail, Some(NotifyDetail::NatHash(h)) if h.len() == 20));
    assert!(matches!(
        n[2].detail,
        Some(NotifyDetail::Cookie(&[1, 2, 3, 4]))
    ));
    assert_eq!(
        (n[3].notify, n[3].protocol_id, n[3].spi),
        (Some("REKEY_SA"), 3, &[0, 0, 0, 9][..])
    );
    assert!(matches!(n[3].detail, Some(NotifyDetail::Rekey)));
    assert!(matches!(&n[4].detail, Some(NotifyDetail::HashAlgorithms(v)) if v == &[2, 3, 4]));
    assert_eq!(n[5].notify, Some("IKEV2_FRAGMENTATION_SUPPORTED"));
    // IKEv2 16 is reserved: no name (IKEv1 16 is PAYLOAD-MALFORMED).
    assert_eq!((n[6].notify_type, n[6].notify), (16, None));
    assert_eq!(n[7].notify, Some("RADIUS_ATTRIBUTE"));
    // INVALID_KE_PAYLOAD with the wrong data size: kept, not decoded.
    match parse_body(41, 0, &notify(0, &[], 17, &[19])).unwrap() {
        Body::Notify(n) => assert!(n.detail.is_none()),
        b => panic!("{b:?}"),
    }
}

#[test]
fn notify_spi_size_beyond_payload() {
    let (off, kind) = err_of(41, vec![3, 4, 0x40, 0x09, 1, 2]);
    assert_eq!(off, BODY0 + 4);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "Notify",
            need: 4,
            have: 2
        }
    ));
    let (off, _) = err_of(41, vec![0, 0, 0x40]);
    assert_eq!(off, BODY0 + 2);
}

#[test]
fn delete_payload() {
    let b = vec![3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8];
    match parse_body(42, 0, &b).unwrap() {
        Body::Delete(d) => {
            assert_eq!((d.protocol, d.spi_size), (Some("ESP"), 4));
            assert_eq!(d.spis, vec![&[1, 2, 3, 4][..], &[5, 6, 7, 8][..]]);
        }
        b => panic!("{b:?}"),
    }
    match parse_body(42, 0, &[1, 0, 0, 0]).unwrap() {
        Body::Delete(d) => assert_eq!((d.protocol, d.spis.len()), (Some("IKE"), 0)),
        b => panic!("{b:?}"),
    }
    let (off, kind) = err_of(42, vec![3, 4, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(off, BODY0 + 12);
    assert!(matches!(
        kind,
        IkeErrorKind::Truncated {
            what: "Delete",
            need: 4,
            have: 0
        }
    ));
    let (off, _) = err_of(42, vec![3, 4, 0, 1, 1, 2, 3, 4, 5]);
    assert_eq!(off, BODY0 + 8);
    let (off, _) = err_of(42, vec![1, 0, 0, 1]);
    assert_eq!(off, BODY0 + 2);
}

#[test]
fn vendor_id_kept() {
    let m = msg(&[(43, b"strongSwan".to_vec())]);
    let m = parse(&m);
    let v: Vec<_> = m.vendor_ids().collect();
    assert_eq!(v[0].data, b"strongSwan");
}

fn ts4(proto: u8, ports: (u16, u16), a: [u8; 4], b: [u8; 4]) -> Vec<u8> {
    let mut s = vec![7, proto, 0, 16];
    s.extend_from_slice(&ports.0.to_be_bytes());
    s.extend_from_slice(&ports.1.to_be_bytes());
    s.extend_from_slice(&a);
    s.extend_from_slice(&b);
    s
}

#[test]
fn traffic_selectors() {
    let mut v6 = vec![8, 0, 0, 40, 0, 0, 0xff, 0xff];
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    v6.extend_from_slice(&[0; 12]);
    v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    v6.extend_from_slice(&[0xff; 12]);
    let body = [
        vec![3, 0, 0, 0],
        ts4(17, (500, 500), [192, 0, 2, 0], [192, 0, 2, 255]),
        v6,
        vec![10, 0, 0, 6, 0xab, 0xcd],
    ]
    .concat();
    let m = msg(&[(44, body)]);
    let m = parse(&m);
    assert!(m.malformed.is_none(), "{:?}", m.malformed);
    match &m.payloads[0].body {
        Body::Ts(t) => {
            let s = &t.selectors;
            assert_eq!(s.len(), 3);
            assert_eq!(
                (
                    s[0].ts_type_name,
                    s[0].ip_protocol,
                    s[0].start_port,
                    s[0].end_port
                ),
                (Some("TS_IPV4_ADDR_RANGE"), 17, 500, 500)
            );
            assert_eq!(
                (s[0].start_addr.as_str(), s[0].end_addr.as_str()),
                ("192.0.2.0", "192.0.2.255")
            );
            assert_eq!(s[1].start_addr, "2001:db8::");
            assert_eq!(s[1].end_addr, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
            assert_eq!(
                (s[2].ts_type_name, s[2].start_addr.as_str()),
                (Some("TS_SECLABEL"), "abcd")
            );
        }
        b => panic!("{b:?}"),
    }
}

#[test]
fn traffic_selector_malformations() {
    // IPv4 selector with length 20.
    let mut s = ts4(0, (0, 65535), [0; 4], [255; 4]);
    s[3] = 20;
    let (off, kind) = err_of(44, [vec![1, 0, 0, 0], s].concat());
    assert_eq!(off, BODY0 + 4 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::Invalid {
            what: "traffic selector",
            ..
        }
    ));
    // Unknown type running past the payload.
    let (off, kind) = err_of(45, vec![1, 0, 0, 0, 99, 0, 0, 40, 1, 2]);
    assert_eq!(off, BODY0 + 4 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadOverrun {
            what: "traffic selector",
            declared: 40,
            ..
        }
    ));
    // Selector length below its header (would not advance).
    let (off, kind) = err_of(45, vec![1, 0, 0, 0, 99, 0, 0, 2]);
    assert_eq!(off, BODY0 + 4 + 2);
    assert!(matches!(kind, IkeErrorKind::PayloadTooShort { .. }));
    // Count disagrees with the selectors present.
    let (off, _) = err_of(
        44,
        [vec![2, 0, 0, 0], ts4(0, (0, 0), [0; 4], [0; 4])].concat(),
    );
    assert_eq!(off, BODY0);
}

#[test]
fn sk_stops_the_chain() {
    let m = msg(&[(46, vec![0x11; 48])]);
    let mut m2 = m.clone();
    // The SK payload's next-payload names the first inner payload (IDi).
    m2[28] = 35;
    let m2 = parse(&m2);
    assert!(m2.malformed.is_none());
    assert!(m2.header.encrypted);
    match &m2.payloads[0].body {
        Body::Encrypted(e) => {
            assert_eq!(
                (e.inner_next_payload, e.fragment_number, e.data_length),
                (35, None, 48)
            );
        }
        b => panic!("{b:?}"),
    }
}

#[test]
fn skf_fragments() {
    let mut b = vec![0, 1, 0, 3];
    b.extend_from_slice(&[0; 40]);
    match parse_body(53, 35, &b).unwrap() {
        Body::Encrypted(e) => assert_eq!(
            (
                e.inner_next_payload,
                e.fragment_number,
                e.total_fragments,
                e.data_length
            ),
            (35, Some(1), Some(3), 40)
        ),
        b => panic!("{b:?}"),
    }
    let (off, kind) = err_of(53, vec![0, 4, 0, 3]);
    assert_eq!(off, BODY0);
    assert!(matches!(kind, IkeErrorKind::Invalid { what: "SKF", .. }));
    let (off, _) = err_of(53, vec![0, 0, 0, 3]);
    assert_eq!(off, BODY0);
    let (off, _) = err_of(53, vec![0, 1, 0]);
    assert_eq!(off, BODY0 + 2);
}

#[test]
fn configuration_payload() {
    let req = vec![1, 0, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 8, 0, 0];
    match parse_body(47, 0, &req).unwrap() {
        Body::Config(c) => {
            assert_eq!(c.cfg_type_name, Some("CFG_REQUEST"));
            let n: Vec<_> = c.attributes.iter().map(|a| a.name).collect();
            assert_eq!(
                n,
                vec![
                    Some("INTERNAL_IP4_ADDRESS"),
                    Some("INTERNAL_IP4_DNS"),
                    Some("INTERNAL_IP6_ADDRESS")
                ]
            );
            assert!(c.attributes.iter().all(|a| a.value.is_empty()));
        }
        b => panic!("{b:?}"),
    }
    let mut reply = vec![
        2, 0, 0, 0, 0, 1, 0, 4, 198, 51, 100, 7, 0, 13, 0, 8, 10, 0, 0, 0, 255, 0, 0, 0,
    ];
    reply.extend_from_slice(&[0, 7, 0, 3, b'a', b'b', b'c', 0x80, 14, 0, 4, 0, 1, 0, 3]);
    match parse_body(47, 0, &reply).unwrap() {
        Body::Config(c) => {
            let v: Vec<_> = c
                .attributes
                .iter()
                .map(|a| (a.attr_type, a.value.as_str()))
                .collect();
            assert_eq!(
                v,
                vec![
                    (1, "198.51.100.7"),
                    (13, "10.0.0.0/255.0.0.0"),
                    (7, "abc"),
                    (14, "1,3")
                ]
            );
        }
        b => panic!("{b:?}"),
    }
    // IPv6 address with prefix, and a Cisco Unity banner.
    let mut v6 = vec![2, 0, 0, 0, 0, 8, 0, 17, 0x20, 0x01, 0x0d, 0xb8];
    v6.extend_from_slice(&[0; 11]);
    v6.extend_from_slice(&[5, 64, 0x70, 0x00, 0, 2, b'h', b'i']);
    match parse_body(47, 0, &v6).unwrap() {
        Body::Config(c) => {
            let v: Vec<_> = c
                .attributes
                .iter()
                .map(|a| (a.name, a.value.as_str()))
                .collect();
            assert_eq!(
                v,
                vec![
                    (Some("INTERNAL_IP6_ADDRESS"), "2001:db8::5/64"),
                    (Some("UNITY_BANNER"), "hi")
                ]
            );
        }
        b => panic!("{b:?}"),
    }
    // Attribute length past the payload.
    let (off, kind) = err_of(47, vec![2, 0, 0, 0, 0, 1, 0, 4, 198, 51]);
    assert_eq!(off, BODY0 + 4 + 2);
    assert!(matches!(
        kind,
        IkeErrorKind::PayloadOverrun {
            what: "configuration attribute",
            declared: 4,
            available: 2
        }
    ));
    let (off, _) = err_of(47, vec![2, 0, 0, 0, 0]);
    assert_eq!(off, BODY0 + 4);
}

#[test]
fn eap_payload() {
    match parse_body(48, 0, &[1, 7, 0, 6, 1, b'x']).unwrap() {
        Body::Eap(e) => assert_eq!(
            (e.code, e.identifier, e.eap_type, e.data),
            (1, 7, Some(1), &b"x"[..])
        ),
        b => panic!("{b:?}"),
    }
    match parse_body(48, 0, &[3, 7, 0, 4]).unwrap() {
        Body::Eap(e) => assert_eq!((e.code, e.eap_type), (3, None)),
        b => panic!("{b:?}"),
    }
    let (off, kind) = err_of(48, vec![1, 7, 0, 9, 1]);
    assert_eq!(off, BODY0 + 2);
    assert!(matches!(kind, IkeErrorKind::Invalid { what: "EAP", .. }));
    let (off, _) = err_of(48, vec![1, 7, 0, 4]);
    assert_eq!(off, BODY0 + 4);
}

#[test]
fn unknown_and_zero_length_payloads() {
    match parse_body(200, 0, &[1, 2]).unwrap() {
        Body::Unknown(d) => assert_eq!(d.data, &[1, 2]),
        b => panic!("{b:?}"),
    }
    // A generic header whose length is 0 stops the walk at its length field.
    let mut m = msg(&[(40, vec![1; 8])]);
    m[30..32].copy_from_slice(&0u16.to_be_bytes());
    let e = parse(&m).malformed.expect("malformed");
    assert_eq!(e.offset, 30);
    assert!(matches!(
        e.kind,
        IkeErrorKind::PayloadTooShort { declared: 0, .. }
    ));
}

#[test]
fn errors_after_good_payloads_keep_them() {
    let m = msg(&[(40, vec![1; 16]), (41, vec![0, 9, 0, 1])]);
    let m = parse(&m);
    assert_eq!(m.payloads.len(), 1);
    let e = m.malformed.expect("malformed");
    // Second payload body starts after header, first payload (4+16), its header.
    assert_eq!(e.offset, 28 + 20 + 4 + 4);
}

/// No input panics: every payload type over every prefix of a set of bodies
/// and over deterministic pseudo-random bytes.
#[test]
fn no_panic_on_any_bytes() {
    let samples = [
        [ike_proposal(true), ike_proposal(true)].concat(),
        notify(3, &[1, 2, 3, 4], 17, &[0, 19]),
        [vec![2, 0, 0, 0], ts4(6, (1, 2), [1; 4], [2; 4])].concat(),
        vec![9, 0, 0, 0, 0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x31],
        vec![9, 0, 0, 0, 0x30, 0x06, 0x31, 0x04, 0x30, 0x02, 0x06, 0x00],
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut random = Vec::new();
    for _ in 0..200 {
        let len = (seed % 64) as usize;
        let mut b = Vec::with_capacity(len);
        for _ in 0..len {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            b.push((seed >> 33) as u8);
        }
        random.push(b);
    }
    for body in samples.iter().chain(random.iter()) {
        for cut in 0..=body.len() {
            for ptype in 33..=54u8 {
                let _ = parse_body(ptype, 0, &body[..cut]);
            }
        }
    }
}
