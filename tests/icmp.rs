//! ICMP / ICMPv6 destination-unreachable errors that quote IKE or ESP
//! packets (RFC 792, RFC 4443 §3.1) are decoded; other ICMP is ignored.

use ikescope::capture::{Frame, LinkType, Origin, Timestamp};
use ikescope::net::{Decoded, Decoder, NetOptions};

fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x45, 0, 0, 0, 0, 1, 0, 0, 64, proto, 0, 0];
    let total = (20 + payload.len()) as u16;
    h[2..4].copy_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

fn ipv6(src: [u8; 16], dst: [u8; 16], next: u8, payload: &[u8]) -> Vec<u8> {
    let mut h = vec![0x60, 0, 0, 0];
    h.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    h.push(next);
    h.push(64);
    h.extend_from_slice(&src);
    h.extend_from_slice(&dst);
    h.extend_from_slice(payload);
    h
}

fn udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut u = sport.to_be_bytes().to_vec();
    u.extend_from_slice(&dport.to_be_bytes());
    u.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    u.extend_from_slice(&[0, 0]);
    u.extend_from_slice(payload);
    u
}

fn icmp(ty: u8, code: u8, quoted: &[u8]) -> Vec<u8> {
    let mut i = vec![ty, code, 0, 0, 0, 0, 0, 0];
    // An ICMP error quotes the IP header and at least 8 bytes after it.
    i.extend_from_slice(&quoted[..quoted.len().min(28 + 40)]);
    i
}

fn decode(link: LinkType, data: &[u8]) -> Decoded<'_> {
    let f = Frame {
        number: 7,
        ts: Timestamp { secs: 1, nanos: 0 },
        link,
        data,
        orig_len: data.len() as u32,
        interface: 0,
        origin: Origin::Wire,
    };
    let mut d = Decoder::new(NetOptions::default());
    match d.decode(&f) {
        Decoded::Datagram(_) => panic!("an ICMP error is not the quoted datagram"),
        other => other,
    }
}

const A: [u8; 4] = [198, 51, 100, 1];
const B: [u8; 4] = [203, 0, 113, 1];

#[test]
fn port_unreachable_quoting_ike() {
    let ike = ipv4(A, B, 17, &udp(500, 500, &[0u8; 40]));
    let pkt = ipv4(B, A, 1, &icmp(3, 3, &ike));
    let Decoded::Icmp(e) = decode(LinkType::RAW, &pkt) else {
        panic!("expected an ICMP error");
    };
    assert_eq!(e.frame, 7);
    assert_eq!(e.reporter.to_string(), "203.0.113.1");
    assert_eq!((e.icmp_type, e.code), (3, 3));
    assert_eq!(e.reason, Some("port unreachable"));
    assert_eq!(e.quoted_src.to_string(), "198.51.100.1");
    assert_eq!(e.quoted_dst.to_string(), "203.0.113.1");
    assert_eq!(
        (e.quoted_proto, e.quoted_sport, e.quoted_dport),
        (17, Some(500), Some(500))
    );
}

#[test]
fn protocol_unreachable_quoting_esp() {
    let esp = ipv4(A, B, 50, &[0xc0, 0xff, 0xee, 1, 0, 0, 0, 1, 9, 9, 9, 9]);
    let pkt = ipv4(B, A, 1, &icmp(3, 2, &esp));
    let Decoded::Icmp(e) = decode(LinkType::RAW, &pkt) else {
        panic!("expected an ICMP error");
    };
    assert_eq!(e.reason, Some("protocol unreachable"));
    assert_eq!((e.quoted_proto, e.quoted_sport), (50, None));
}

#[test]
fn icmpv6_port_unreachable_quoting_ike() {
    let mut a = [0u8; 16];
    a[..4].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
    a[15] = 1;
    let mut b = a;
    b[15] = 2;
    let ike = ipv6(a, b, 17, &udp(4500, 4500, &[0u8; 40]));
    let pkt = ipv6(b, a, 58, &icmp(1, 4, &ike));
    let Decoded::Icmp(e) = decode(LinkType::RAW, &pkt) else {
        panic!("expected an ICMPv6 error");
    };
    assert_eq!(e.reason, Some("port unreachable"));
    assert_eq!(e.quoted_src.to_string(), "2001:db8::1");
    assert_eq!(e.quoted_dport, Some(4500));
}

#[test]
fn other_icmp_is_ignored() {
    // Unreachable quoting TCP, and an echo request.
    let tcp = ipv4(A, B, 6, &[0u8; 20]);
    let pkt = ipv4(B, A, 1, &icmp(3, 3, &tcp));
    assert!(matches!(decode(LinkType::RAW, &pkt), Decoded::Ignored));
    let ping = ipv4(A, B, 1, &[8, 0, 0, 0, 0, 1, 0, 1]);
    assert!(matches!(decode(LinkType::RAW, &ping), Decoded::Ignored));
    // Truncated quote: no panic, ignored.
    let short = ipv4(B, A, 1, &[3, 3, 0, 0, 0, 0, 0, 0, 0x45]);
    assert!(matches!(decode(LinkType::RAW, &short), Decoded::Ignored));
}
