//! Whole-message tests: hand-built IKEv1 messages through
//! [`crate::ike::parse_message`] (error offsets are message offsets), and the
//! IKEv1 messages of public captures compared with tshark.

use std::path::Path;
use std::process::Command;

use crate::ike::oracle;

use crate::ike::{parse_message, Body, IkeErrorKind, Message};

/// An IKEv1 header (28 bytes) for `body`, first payload `np`, exchange `x`.
fn message(np: u8, x: u8, flags: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![
        1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, np, 0x10, x, flags, 0, 0, 0, 0,
    ];
    m.extend_from_slice(&((28 + body.len()) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// A payload with generic header.
fn payload(next: u8, body: &[u8]) -> Vec<u8> {
    let len = (4 + body.len()) as u16;
    let mut p = vec![next, 0];
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(body);
    p
}

fn main_mode_1() -> Vec<u8> {
    // SA: DOI 1, situation 1, one proposal with one IKE transform.
    let attrs = [
        0x80, 0x01, 0x00, 0x05, 0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01, 0x80, 0x04, 0x00,
        0x02,
    ];
    let mut t = vec![0, 0, 0, 8 + attrs.len() as u8, 1, 1, 0, 0];
    t.extend_from_slice(&attrs);
    let mut p = vec![0, 0, 0, 8 + t.len() as u8, 1, 1, 0, 1];
    p.extend_from_slice(&t);
    let mut sa = vec![0, 0, 0, 1, 0, 0, 0, 1];
    sa.extend_from_slice(&p);
    let mut body = payload(13, &sa);
    body.extend(payload(
        13,
        &hex::decode("afcad71368a1f1c96b8696fc77570100").unwrap(),
    ));
    body.extend(payload(
        0,
        &hex::decode("4a131c81070358455c5728f20e95452f").unwrap(),
    ));
    message(1, 2, 0, &body)
}

#[test]
fn main_mode_first_message() {
    let m = main_mode_1();
    let msg = parse_message(&m).unwrap();
    assert!(msg.malformed.is_none(), "{:?}", msg.malformed);
    assert_eq!(msg.payloads.len(), 3);
    let sa = msg.sa().unwrap();
    assert_eq!(
        sa.proposals[0].transforms[0].attributes[0].value_name,
        Some("3DES-CBC")
    );
    let vids: Vec<_> = msg.vendor_ids().filter_map(|v| v.vendor.clone()).collect();
    assert_eq!(
        vids,
        ["RFC 3706 DPD (Dead Peer Detection) 1.0", "RFC 3947 NAT-T"]
    );
}

#[test]
fn every_payload_kind_decodes() {
    let mut body = Vec::new();
    let kinds: [(u8, Vec<u8>); 12] = [
        (4, vec![0xab; 128]),                           // KE
        (5, vec![1, 17, 1, 244, 192, 0, 2, 1]),         // ID
        (6, vec![4, 0x30, 0x00]),                       // CERT
        (7, vec![4]),                                   // CR
        (8, vec![0x11; 20]),                            // HASH
        (9, vec![0x22; 8]),                             // SIG
        (10, vec![0x33; 16]),                           // NONCE
        (12, vec![0, 0, 0, 1, 3, 4, 0, 1, 1, 2, 3, 4]), // Delete
        (20, vec![0x44; 20]),                           // NAT-D
        (21, vec![1, 0, 0, 0, 10, 0, 0, 1]),            // NAT-OA
        (132, vec![0, 7, 1, 0, 0xee]),                  // Cisco fragment
        (200, vec![0x55]),                              // unknown
    ];
    let first = kinds[0].0;
    for (i, (_, b)) in kinds.iter().enumerate() {
        let next = kinds.get(i + 1).map_or(0, |k| k.0);
        body.extend(payload(next, b));
    }
    let m = message(first, 5, 0, &body);
    let msg = parse_message(&m).unwrap();
    assert!(msg.malformed.is_none(), "{:?}", msg.malformed);
    let bodies: Vec<&Body> = msg.payloads.iter().map(|p| &p.body).collect();
    assert!(
        matches!(bodies[0], Body::Ke(k) if k.group_name == Some("1024-bit MODP group (2)") && k.data_length == 128)
    );
    assert!(matches!(bodies[1], Body::Id(i) if i.value == "192.0.2.1" && i.port == 500));
    assert!(matches!(bodies[2], Body::Cert(c) if c.encoding == 4 && c.data_length == 2));
    assert!(matches!(bodies[3], Body::Cert(c) if c.data_length == 0));
    assert!(matches!(bodies[4], Body::Data(d) if d.data.len() == 20));
    assert!(matches!(bodies[5], Body::Data(_)));
    assert!(matches!(bodies[6], Body::Data(_)));
    assert!(matches!(bodies[7], Body::Delete(d) if d.spis.len() == 1));
    assert!(matches!(bodies[8], Body::Data(_)));
    assert!(matches!(bodies[9], Body::NatOa(n) if n.address == "10.0.0.1"));
    assert!(matches!(bodies[10], Body::Fragment(f) if f.fragment_id == 7 && !f.last));
    assert!(matches!(bodies[11], Body::Unknown(d) if d.data == [0x55]));
    assert_eq!(msg.payloads[1].name, Some("Identification"));
}

#[test]
fn notify_length_beyond_message() {
    // Notify payload claiming 300 bytes in a 40-byte message.
    let mut n = payload(0, &[0, 0, 0, 1, 1, 0, 0, 14]);
    n[2..4].copy_from_slice(&300u16.to_be_bytes());
    let m = message(11, 5, 0, &n);
    let msg = parse_message(&m).unwrap();
    let e = msg.malformed.unwrap();
    assert_eq!(e.offset, 28 + 2);
    assert!(matches!(
        e.kind,
        IkeErrorKind::PayloadOverrun {
            declared: 300,
            available: 12,
            ..
        }
    ));
    assert!(e.to_string().contains("Notification length 300"), "{e}");
}

#[test]
fn zero_length_payload_stops_the_walk() {
    let mut v = payload(13, &[1, 2, 3, 4]);
    v.extend_from_slice(&[0, 0, 0, 0]);
    let m = message(13, 2, 0, &v);
    let msg = parse_message(&m).unwrap();
    assert_eq!(msg.payloads.len(), 1);
    let e = msg.malformed.unwrap();
    assert_eq!(e.offset, 28 + 8 + 2);
    assert!(matches!(
        e.kind,
        IkeErrorKind::PayloadTooShort { declared: 0, .. }
    ));
}

#[test]
fn nested_error_offsets_are_message_offsets() {
    // The main-mode SA with its first attribute turned into an overlong TLV.
    let mut m = main_mode_1();
    // header 28 + SA generic 4 + DOI/sit 8 + proposal 8 + transform 8 = 56.
    m[56] = 0x00; // clear AF: TLV
    m[58] = 0x00;
    m[59] = 0x40; // length 64
    let msg = parse_message(&m).unwrap();
    let e = msg.malformed.unwrap();
    assert_eq!(e.offset, 56 + 2);
    assert!(matches!(
        e.kind,
        IkeErrorKind::PayloadOverrun {
            what: "data attribute",
            ..
        }
    ));
    assert!(msg.payloads.is_empty());
}

#[test]
fn spi_size_beyond_notify_payload_offset() {
    let n = payload(0, &[0, 0, 0, 1, 3, 8, 0x60, 0x00, 1, 2, 3, 4]);
    let m = message(11, 5, 0, &n);
    let e = parse_message(&m).unwrap().malformed.unwrap();
    assert_eq!(e.offset, 28 + 4 + 5);
}

#[test]
fn encrypted_body_is_not_guessed() {
    let m = message(8, 5, 1, &[0x9a; 32]);
    let msg = parse_message(&m).unwrap();
    assert!(msg.header.encrypted && msg.payloads.is_empty() && msg.malformed.is_none());
}

/// A message with every payload kind, mode-config included.
fn kitchen_sink() -> Vec<u8> {
    let mut sa_and_more = main_mode_1()[28..].to_vec();
    // Re-chain: the last VID now points to a Notify, then the rest.
    let last_vid = 28 + 4 + 40 + 20 - 28;
    sa_and_more[last_vid] = 11;
    sa_and_more.extend(payload(
        12,
        &[0, 0, 0, 1, 3, 4, 0x60, 0x00, 1, 2, 3, 4, 0x80, 0x01, 0, 1],
    ));
    sa_and_more.extend(payload(5, &[0, 0, 0, 1, 3, 4, 0, 1, 1, 2, 3, 4]));
    sa_and_more.extend(payload(14, &[4, 17, 0, 0, 192, 0, 2, 0, 255, 255, 255, 0]));
    let mut cfg = vec![
        2, 0, 0, 1, 0x40, 0x89, 0, 3, b'b', b'o', b'b', 0x40, 0x8a, 0, 2, b'p', b'w',
    ];
    cfg.extend_from_slice(&[0, 14, 0, 4, 0, 1, 0, 2]);
    sa_and_more.extend(payload(21, &cfg));
    sa_and_more.extend(payload(132, &[1, 0, 0, 0, 0, 0, 0, 1]));
    sa_and_more.extend(payload(0, &[0, 1, 1, 1, 0xaa]));
    message(1, 2, 0, &sa_and_more)
}

#[test]
fn kitchen_sink_decodes_cleanly() {
    let m = kitchen_sink();
    let msg = parse_message(&m).unwrap();
    assert!(msg.malformed.is_none(), "{:?}", msg.malformed);
    let types: Vec<u8> = msg.payloads.iter().map(|p| p.ptype).collect();
    assert_eq!(types, [1, 13, 13, 11, 12, 5, 14, 21, 132]);
    let Body::Config(c) = &msg.payloads[6].body else {
        panic!("no config payload");
    };
    let values: Vec<&str> = c.attributes.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(
        values,
        [
            "bob",
            "********",
            "INTERNAL_IP4_ADDRESS, INTERNAL_IP4_NETMASK"
        ]
    );
}

/// Deterministic mutations of a valid message: every truncation, and every
/// byte replaced by 0x00, 0xff and itself + 1. Nothing may panic, and every
/// error offset must lie within the bytes given.
#[test]
fn mutations_never_panic_and_offsets_stay_inside() {
    let base = kitchen_sink();
    let mut cases = 0;
    let mut check = |m: &[u8]| {
        cases += 1;
        if let Ok(msg) = parse_message(m) {
            if let Some(e) = msg.malformed {
                assert!(
                    e.offset <= m.len(),
                    "offset {} beyond {} bytes: {e}",
                    e.offset,
                    m.len()
                );
            }
        }
    };
    for len in 0..base.len() {
        check(&base[..len]);
    }
    for i in 0..base.len() {
        for f in [|_: u8| 0x00, |_: u8| 0xff, |b: u8| b.wrapping_add(1)] {
            let mut m = base.clone();
            m[i] = f(m[i]);
            check(&m);
        }
    }
    assert_eq!(cases, base.len() * 4);
}

/// Deterministic pseudo-random bodies (xorshift) for every payload decoder,
/// biased toward small numbers so length and size fields often look
/// plausible. No panic, and every error offset lies within the body.
#[test]
fn random_bodies_never_panic() {
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let types = [1u8, 4, 5, 6, 7, 8, 11, 12, 13, 14, 21, 131, 132, 200];
    for _ in 0..50_000 {
        let len = (next() % 80) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        for byte in b.iter_mut() {
            if next() % 4 == 0 {
                *byte = (next() % 12) as u8;
            }
        }
        let ptype = types[(next() % types.len() as u64) as usize];
        if let Err(e) = super::parse_body(ptype, &b) {
            assert!(e.offset <= b.len(), "type {ptype} {}: {e}", hex::encode(&b));
        }
    }
}

// ---------------------------------------------------------------------------
// Public captures, compared with tshark.

const CORPUS: &str = "../shared/corpus";

/// Captures with IKEv1 messages; `true` when some messages are malformed on
/// purpose (fuzzer/out-of-bounds regression captures).
const CAPTURES: &[(&str, bool)] = &[
    ("arkime/IKEv1.pcap", false),
    ("arkime/ike-cert_synthetic.pcap", false),
    ("libreswan/weirdike-eastwest.pcap-ike.pcap", false),
    ("openswan/01-isakmp-broadcast.pcap", false),
    ("openswan/02-isakmp-vid-first.pcap", false),
    ("openswan/ikeinit-japan-sunrise.pcap", false),
    ("openswan/lp104-v1rwnatM2__v1rwnatN1.pcap", false),
    ("openswan/lp109-v1rwnatQR1__v1rwnatM1.pcap", false),
    ("openswan/lp109-v1rwnatQR1__v1rwnatM2.pcap", false),
    ("openswan/lp109-v1rwnatQR1__v1rwnatM3.pcap", false),
    ("openswan/lp109-v1rwnatQR1__v1rwnatQI1.pcap", false),
    ("openswan/lp187-v1certN3__v1certM3.pcap", false),
    (
        "suricata-verify/ikev1-duplicate-proposals__generated.pcap",
        false,
    ),
    ("suricata-verify/ikev1-isakmp-main-mode.pcap", false),
    ("tcpdump/ikev1_id_ipv6_addr_subnet-oobr.pcap", true),
    ("tcpdump/isakmp-identification-segfault.pcap", true),
    ("tcpdump/isakmp-ikev1_n_print-oobr.pcap", true),
    ("tcpdump/isakmp-no-none-np.pcapng", true),
    ("tcpdump/isakmp-various-oobr.pcap", true),
    ("tcpdump/isakmp4500.pcap", false),
    ("tcpdump/isakmpv1-attr-oobr.pcap", true),
    ("wireshark-wiki/attachment_ikev1_main_mode.pcap", false),
    ("wireshark-wiki/test1.pcap", false),
    ("zeek-spicy-ipsec/ikev1-certs.pcap", false),
    (
        "zeek-spicy-ipsec/ipsec-ikev1-isakmp-aggressive-mode.pcap",
        false,
    ),
    ("zeek-spicy-ipsec/ipsec-ikev1-payload-bad-length.pcap", true),
    ("zeek-spicy-ipsec/ipsec.cap", false),
];

/// tshark fields read per IKEv1 message.
const FIELDS: &[&str] = &[
    "frame.number",
    "udp.srcport",
    "udp.dstport",
    "udp.payload",
    "isakmp.flags",
    "isakmp.typepayload",
    "isakmp.prop.number",
    "isakmp.trans.id",
    "isakmp.notify.msgtype",
    "isakmp.ike.attr.type",
    "isakmp.ipsec.attr.type",
    "isakmp.id.type",
    "isakmp.ike.attr.value",
    "isakmp.ipsec.attr.value",
    "isakmp.vid_bytes",
    "isakmp.vid_string",
    "isakmp.delete.spi",
    "_ws.malformed",
];

/// One tshark row: the fields above, in order.
struct Row(Vec<String>);

impl Row {
    fn get(&self, name: &str) -> &str {
        let i = FIELDS.iter().position(|f| *f == name).unwrap_or(usize::MAX);
        self.0.get(i).map(String::as_str).unwrap_or("")
    }
}

/// IKEv1 rows of a capture, or `None` when the capture or tshark is missing.
fn tshark_rows(path: &Path) -> Option<Vec<Row>> {
    if !path.exists() {
        return None;
    }
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(path)
        .args(["-Y", "isakmp.version == 0x10", "-T", "fields"]);
    cmd.args(["-E", "occurrence=a", "-E", "aggregator=|"]);
    for f in FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .map(|l| Row(l.split('\t').map(str::to_string).collect()))
            .collect(),
    )
}

/// The ISAKMP bytes of a UDP payload (without the RFC 3948 non-ESP marker).
fn isakmp_bytes(row: &Row) -> Option<Vec<u8>> {
    let payload = hex::decode(row.get("udp.payload").split('|').next()?).ok()?;
    let nat_t =
        row.get("udp.srcport").starts_with("4500") || row.get("udp.dstport").starts_with("4500");
    if nat_t && payload.starts_with(&[0, 0, 0, 0]) {
        return Some(payload[4..].to_vec());
    }
    Some(payload)
}

/// Payload types in Wireshark's order: each SA followed by its proposals
/// and their transforms.
fn type_sequence(msg: &Message) -> Vec<u32> {
    let mut out = Vec::new();
    for p in &msg.payloads {
        out.push(u32::from(p.ptype));
        if let Body::Sa(sa) = &p.body {
            for prop in &sa.proposals {
                out.push(2);
                out.extend(prop.transforms.iter().map(|_| 3));
            }
        }
    }
    out
}

/// A tshark multi-occurrence field as its parts.
fn parts(field: &str) -> Vec<&str> {
    field.split('|').filter(|s| !s.is_empty()).collect()
}

fn numbers(field: &str) -> Vec<u32> {
    field
        .split('|')
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => s.parse().ok(),
            }
        })
        .collect()
}

#[test]
fn corpus_ikev1_matches_tshark() {
    if oracle::corpus("corpus_ikev1_matches_tshark").is_none()
        || !oracle::tshark("corpus_ikev1_matches_tshark")
    {
        return;
    }
    let mut files = 0;
    let mut messages = 0;
    let mut compared = 0;
    for (name, broken_on_purpose) in CAPTURES {
        let path = Path::new(CORPUS).join(name);
        let Some(rows) = tshark_rows(&path) else {
            continue;
        };
        files += 1;
        for row in rows {
            let frame = row.get("frame.number");
            let Some(bytes) = isakmp_bytes(&row) else {
                continue;
            };
            let Ok(msg) = parse_message(&bytes) else {
                assert!(broken_on_purpose, "{name} frame {frame}: no ISAKMP header");
                continue;
            };
            messages += 1;
            let ws_malformed = !row.get("_ws.malformed").is_empty();
            if !broken_on_purpose {
                assert!(
                    msg.malformed.is_none(),
                    "{name} frame {frame}: {}",
                    msg.malformed
                        .as_ref()
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                );
            }
            if msg.malformed.is_some() || ws_malformed || msg.header.encrypted {
                continue;
            }
            compared += 1;
            let ctx = format!("{name} frame {frame}");
            assert_eq!(
                type_sequence(&msg),
                numbers(row.get("isakmp.typepayload")),
                "{ctx}: payload types"
            );
            let props: Vec<u32> = msg
                .sa()
                .map(|s| s.proposals.iter().map(|p| u32::from(p.number)).collect())
                .unwrap_or_default();
            assert_eq!(
                props,
                numbers(row.get("isakmp.prop.number")),
                "{ctx}: proposals"
            );
            let sa_transforms = || {
                msg.sa()
                    .into_iter()
                    .flat_map(|s| &s.proposals)
                    .flat_map(|p| &p.transforms)
            };
            let tids: Vec<u32> = sa_transforms().map(|t| u32::from(t.transform_id)).collect();
            assert_eq!(
                tids,
                numbers(row.get("isakmp.trans.id")),
                "{ctx}: transform IDs"
            );
            let notifies: Vec<u32> = msg.notifies().map(|n| u32::from(n.notify_type)).collect();
            assert_eq!(
                notifies,
                numbers(row.get("isakmp.notify.msgtype")),
                "{ctx}: notify types"
            );
            let mut ike_attrs = Vec::new();
            let mut ipsec_attrs = Vec::new();
            for p in msg.sa().into_iter().flat_map(|s| &s.proposals) {
                let dst = if p.protocol_id == 1 {
                    &mut ike_attrs
                } else {
                    &mut ipsec_attrs
                };
                dst.extend(
                    p.transforms
                        .iter()
                        .flat_map(|t| &t.attributes)
                        .map(|a| u32::from(a.attr_type)),
                );
            }
            for n in msg.notifies() {
                if let Some(crate::ike::NotifyDetail::ResponderLifetime(a)) = &n.detail {
                    ipsec_attrs.extend(a.iter().map(|a| u32::from(a.attr_type)));
                }
            }
            assert_eq!(
                ike_attrs,
                numbers(row.get("isakmp.ike.attr.type")),
                "{ctx}: IKE attributes"
            );
            assert_eq!(
                ipsec_attrs,
                numbers(row.get("isakmp.ipsec.attr.type")),
                "{ctx}: IPsec attributes"
            );
            let ids: Vec<u32> = msg
                .payloads
                .iter()
                .filter_map(|p| match &p.body {
                    Body::Id(i) => Some(u32::from(i.id_type)),
                    _ => None,
                })
                .collect();
            assert_eq!(ids, numbers(row.get("isakmp.id.type")), "{ctx}: ID types");
            // Attribute values, byte for byte, in wire order.
            let mut ike_values = Vec::new();
            let mut ipsec_values = Vec::new();
            for p in msg.sa().into_iter().flat_map(|s| &s.proposals) {
                let dst = if p.protocol_id == 1 {
                    &mut ike_values
                } else {
                    &mut ipsec_values
                };
                dst.extend(
                    p.transforms
                        .iter()
                        .flat_map(|t| &t.attributes)
                        .map(|a| hex::encode(a.bytes)),
                );
            }
            for n in msg.notifies() {
                if let Some(crate::ike::NotifyDetail::ResponderLifetime(a)) = &n.detail {
                    ipsec_values.extend(a.iter().map(|a| hex::encode(a.bytes)));
                }
            }
            assert_eq!(
                ike_values,
                parts(row.get("isakmp.ike.attr.value")),
                "{ctx}: IKE values"
            );
            assert_eq!(
                ipsec_values,
                parts(row.get("isakmp.ipsec.attr.value")),
                "{ctx}: IPsec values"
            );
            // Vendor IDs: same bytes; every VID Wireshark names, we name too.
            let vids: Vec<_> = msg.vendor_ids().collect();
            let ws_vids = parts(row.get("isakmp.vid_bytes"));
            let ws_names = parts(row.get("isakmp.vid_string"));
            assert_eq!(
                vids.iter().map(|v| hex::encode(v.data)).collect::<Vec<_>>(),
                ws_vids,
                "{ctx}: VIDs"
            );
            for (v, ws) in vids.iter().zip(&ws_names) {
                if *ws != "Unknown Vendor ID" {
                    assert!(
                        v.vendor.is_some(),
                        "{ctx}: VID {} ({ws}) unnamed",
                        hex::encode(v.data)
                    );
                }
            }
            let spis: Vec<String> = msg
                .payloads
                .iter()
                .filter_map(|p| match &p.body {
                    Body::Delete(d) => Some(d.spis.iter().map(hex::encode).collect::<Vec<_>>()),
                    _ => None,
                })
                .flatten()
                .collect();
            assert_eq!(
                spis,
                parts(row.get("isakmp.delete.spi")),
                "{ctx}: deleted SPIs"
            );
        }
    }
    assert!(
        files > 0,
        "no capture of the list could be read with tshark"
    );
    eprintln!("{files} captures, {messages} IKEv1 messages, {compared} compared with tshark");
    assert!(
        messages > 50 && compared > 30,
        "{messages} messages, {compared} compared"
    );
}
