//! Builders for hand-made IKE messages, link-layer frames and capture files
//! (RFC 2408 §3, RFC 7296 §3, RFC 4303 §2, RFC 4302 §2, RFC 3948 §2;
//! pcap and pcapng per draft-ietf-opsawg-pcap / -pcapng). Documentation
//! addresses only.

/// A payload chain under construction: (type, body) in wire order.
#[derive(Debug, Clone, Default)]
pub struct Chain(pub Vec<(u8, Vec<u8>)>);

impl Chain {
    pub fn new() -> Self {
        Chain(Vec::new())
    }

    pub fn push(mut self, ptype: u8, body: Vec<u8>) -> Self {
        self.0.push((ptype, body));
        self
    }

    pub fn first_type(&self) -> u8 {
        self.0.first().map_or(0, |p| p.0)
    }

    /// Generic payload headers chained by next-payload; `critical` sets the
    /// IKEv2 critical bit on every payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (_, body)) in self.0.iter().enumerate() {
            let next = self.0.get(i + 1).map_or(0, |p| p.0);
            out.extend(generic(next, body));
        }
        out
    }
}

/// Generic payload header + body (RFC 2408 §3.2, RFC 7296 §3.2).
pub fn generic(next: u8, body: &[u8]) -> Vec<u8> {
    let len = (body.len() + 4) as u16;
    let mut v = vec![next, 0];
    v.extend(len.to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// An ISAKMP/IKE message: 28-byte header (RFC 2408 §3.1) + chain.
pub fn message(
    version: u8,
    ispi: u64,
    rspi: u64,
    exchange: u8,
    flags: u8,
    message_id: u32,
    chain: &Chain,
) -> Vec<u8> {
    let body = chain.encode();
    message_raw(
        version,
        ispi,
        rspi,
        chain.first_type(),
        exchange,
        flags,
        message_id,
        &body,
    )
}

#[allow(clippy::too_many_arguments)]
pub fn message_raw(
    version: u8,
    ispi: u64,
    rspi: u64,
    next: u8,
    exchange: u8,
    flags: u8,
    message_id: u32,
    body: &[u8],
) -> Vec<u8> {
    let mut v = Vec::with_capacity(28 + body.len());
    v.extend(ispi.to_be_bytes());
    v.extend(rspi.to_be_bytes());
    v.push(next);
    v.push(version << 4);
    v.push(exchange);
    v.push(flags);
    v.extend(message_id.to_be_bytes());
    v.extend(((28 + body.len()) as u32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// Data attribute (RFC 2408 §3.3): TV when `tlv` is None.
pub fn attr_tv(ty: u16, value: u16) -> Vec<u8> {
    let mut v = (ty | 0x8000).to_be_bytes().to_vec();
    v.extend(value.to_be_bytes());
    v
}

pub fn attr_tlv(ty: u16, value: &[u8]) -> Vec<u8> {
    let mut v = (ty & 0x7fff).to_be_bytes().to_vec();
    v.extend((value.len() as u16).to_be_bytes());
    v.extend_from_slice(value);
    v
}

/// IKEv1 transform (RFC 2408 §3.6); `last` ends the chain.
pub fn v1_transform(last: bool, number: u8, id: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![number, id, 0, 0];
    for a in attrs {
        body.extend(a);
    }
    generic(if last { 0 } else { 3 }, &body)
}

/// IKEv2 transform (RFC 7296 §3.3.2).
pub fn v2_transform(last: bool, ttype: u8, id: u16, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![ttype, 0];
    body.extend(id.to_be_bytes());
    for a in attrs {
        body.extend(a);
    }
    generic(if last { 0 } else { 3 }, &body)
}

/// Proposal (RFC 2408 §3.5 / RFC 7296 §3.3.1) holding encoded transforms.
pub fn proposal(
    last: bool,
    number: u8,
    protocol: u8,
    spi: &[u8],
    transforms: &[Vec<u8>],
) -> Vec<u8> {
    let mut body = vec![number, protocol, spi.len() as u8, transforms.len() as u8];
    body.extend_from_slice(spi);
    for t in transforms {
        body.extend(t);
    }
    generic(if last { 0 } else { 2 }, &body)
}

/// IKEv1 SA body: DOI 1 (IPsec), situation SIT_IDENTITY_ONLY, proposals.
pub fn v1_sa(proposals: &[Vec<u8>]) -> Vec<u8> {
    let mut v = 1u32.to_be_bytes().to_vec();
    v.extend(1u32.to_be_bytes());
    for p in proposals {
        v.extend(p);
    }
    v
}

/// IKEv2 SA body: just the proposals.
pub fn v2_sa(proposals: &[Vec<u8>]) -> Vec<u8> {
    proposals.concat()
}

/// IKEv1 Notify body (RFC 2408 §3.14).
pub fn v1_notify(protocol: u8, spi: &[u8], ntype: u16, data: &[u8]) -> Vec<u8> {
    let mut v = 1u32.to_be_bytes().to_vec();
    v.push(protocol);
    v.push(spi.len() as u8);
    v.extend(ntype.to_be_bytes());
    v.extend_from_slice(spi);
    v.extend_from_slice(data);
    v
}

/// IKEv2 Notify body (RFC 7296 §3.10).
pub fn v2_notify(protocol: u8, spi: &[u8], ntype: u16, data: &[u8]) -> Vec<u8> {
    let mut v = vec![protocol, spi.len() as u8];
    v.extend(ntype.to_be_bytes());
    v.extend_from_slice(spi);
    v.extend_from_slice(data);
    v
}

/// IKEv1 Delete body (RFC 2408 §3.15).
pub fn v1_delete(protocol: u8, spis: &[&[u8]]) -> Vec<u8> {
    let size = spis.first().map_or(0, |s| s.len());
    let mut v = 1u32.to_be_bytes().to_vec();
    v.push(protocol);
    v.push(size as u8);
    v.extend((spis.len() as u16).to_be_bytes());
    for s in spis {
        v.extend_from_slice(s);
    }
    v
}

/// IKEv2 Delete body (RFC 7296 §3.11).
pub fn v2_delete(protocol: u8, spis: &[&[u8]]) -> Vec<u8> {
    let size = spis.first().map_or(0, |s| s.len());
    let mut v = vec![protocol, size as u8];
    v.extend((spis.len() as u16).to_be_bytes());
    for s in spis {
        v.extend_from_slice(s);
    }
    v
}

/// IKEv2 KE body (RFC 7296 §3.4).
pub fn v2_ke(group: u16, data_len: usize) -> Vec<u8> {
    let mut v = group.to_be_bytes().to_vec();
    v.extend([0, 0]);
    v.extend((0..data_len).map(|i| (i * 7 + 3) as u8));
    v
}

/// ID body: v1 (RFC 2407 §4.6.2) and v2 (RFC 7296 §3.5) share the layout.
pub fn id_ipv4(addr: [u8; 4]) -> Vec<u8> {
    let mut v = vec![1, 17, 1, 0xf4];
    v.extend(addr);
    v
}

/// IKEv2 TS body with one IPv4 range selector (RFC 7296 §3.13).
pub fn v2_ts(start: [u8; 4], end: [u8; 4]) -> Vec<u8> {
    let mut v = vec![1, 0, 0, 0];
    v.extend([7, 0, 0, 16, 0, 0, 0xff, 0xff]);
    v.extend(start);
    v.extend(end);
    v
}

/// IKEv2 SK body: IV, ciphertext, ICV (opaque).
pub fn opaque(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// IKEv2 SKF body: fragment number, total, then opaque data (RFC 7383 §2.5).
pub fn v2_skf(number: u16, total: u16, len: usize) -> Vec<u8> {
    let mut v = number.to_be_bytes().to_vec();
    v.extend(total.to_be_bytes());
    v.extend(opaque(len, 9));
    v
}

/// Cisco IKEv1 fragmentation payload body (type 132): id, number, flags.
pub fn v1_fragment(id: u16, number: u8, last: bool, data: &[u8]) -> Vec<u8> {
    let mut v = id.to_be_bytes().to_vec();
    v.push(number);
    v.push(u8::from(last));
    v.extend_from_slice(data);
    v
}

/// Hand-built IKE messages covering every payload kind the parsers decode,
/// for seeding the mutation test and the fuzzers. (name, bytes).
pub fn sample_messages() -> Vec<(&'static str, Vec<u8>)> {
    let ispi = 0x1122_3344_5566_7788;
    let rspi = 0x99aa_bbcc_ddee_ff00;
    let v1_ike_tf = |last, n, enc: u16| {
        v1_transform(
            last,
            n,
            1,
            &[
                attr_tv(1, enc),
                attr_tv(14, 256),
                attr_tv(2, 2),
                attr_tv(4, 14),
                attr_tv(3, 65001),
                attr_tv(11, 1),
                attr_tlv(12, &[0, 1, 0x51, 0x80]),
            ],
        )
    };
    let v1_mm1 = message(
        1,
        ispi,
        0,
        2,
        0,
        0,
        &Chain::new()
            .push(
                1,
                v1_sa(&[proposal(
                    true,
                    1,
                    1,
                    &[],
                    &[v1_ike_tf(false, 1, 7), v1_ike_tf(true, 2, 5)],
                )]),
            )
            .push(
                13,
                vec![
                    0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e,
                    0x95, 0x45, 0x2f,
                ],
            )
            .push(
                13,
                vec![
                    0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77,
                    0x57, 0x01, 0x00,
                ],
            ),
    );
    let v1_mm3 = message(
        1,
        ispi,
        rspi,
        2,
        0,
        0,
        &Chain::new()
            .push(4, opaque(128, 1))
            .push(10, opaque(16, 2))
            .push(20, opaque(20, 3))
            .push(20, opaque(20, 4)),
    );
    let v1_qm = message(
        1,
        ispi,
        rspi,
        32,
        0,
        0x0102_0304,
        &Chain::new()
            .push(8, opaque(20, 5))
            .push(
                1,
                v1_sa(&[proposal(
                    true,
                    1,
                    3,
                    &[0xde, 0xad, 0xbe, 0xef],
                    &[v1_transform(
                        true,
                        1,
                        12,
                        &[
                            attr_tv(1, 1),
                            attr_tlv(2, &[0, 0, 0x0e, 0x10]),
                            attr_tv(4, 61443),
                            attr_tv(5, 2),
                            attr_tv(6, 128),
                            attr_tlv(2, &[0; 12]),
                            attr_tlv(3, &[]),
                        ],
                    )],
                )]),
            )
            .push(10, opaque(16, 6))
            .push(5, id_ipv4([192, 0, 2, 0]))
            .push(5, id_ipv4([198, 51, 100, 0])),
    );
    let v1_info = message(
        1,
        ispi,
        rspi,
        5,
        0,
        0x0a0b_0c0d,
        &Chain::new()
            .push(11, v1_notify(1, &opaque(16, 7), 14, &[]))
            .push(11, v1_notify(1, &opaque(16, 7), 36136, &[0, 0, 0, 9]))
            .push(12, v1_delete(3, &[&[1, 2, 3, 4], &[5, 6, 7, 8]]))
            .push(
                11,
                v1_notify(
                    3,
                    &[0xde, 0xad, 0xbe, 0xef],
                    24576,
                    &[0x80, 11, 0, 1, 0, 2, 0, 4, 0, 0, 0x0e, 0x10],
                ),
            ),
    );
    let v1_encrypted = message_raw(1, ispi, rspi, 8, 5, 1, 0x1234_5678, &opaque(52, 8));
    let v1_frag = message(
        1,
        ispi,
        rspi,
        2,
        0,
        0,
        &Chain::new().push(132, v1_fragment(1, 1, false, &opaque(40, 9))),
    );
    let v1_cfg = message(
        1,
        ispi,
        rspi,
        6,
        0,
        0x5555_0001,
        &Chain::new().push(8, opaque(20, 10)).push(14, {
            let mut v = vec![1, 0, 0, 7];
            v.extend(attr_tlv(16520, b"alice"));
            v.extend(attr_tlv(16521, b"secret"));
            v.extend(attr_tv(16527, 1));
            v.extend(attr_tlv(1, &[192, 0, 2, 10]));
            v
        }),
    );
    let v2_init = message(
        2,
        ispi,
        0,
        34,
        0x08,
        0,
        &Chain::new()
            .push(
                33,
                v2_sa(&[
                    proposal(
                        false,
                        1,
                        1,
                        &[],
                        &[
                            v2_transform(false, 1, 20, &[attr_tv(14, 256)]),
                            v2_transform(false, 2, 7, &[]),
                            v2_transform(false, 3, 14, &[]),
                            v2_transform(true, 4, 19, &[]),
                        ],
                    ),
                    proposal(
                        true,
                        2,
                        1,
                        &[],
                        &[
                            v2_transform(false, 1, 12, &[attr_tv(14, 128)]),
                            v2_transform(false, 2, 2, &[]),
                            v2_transform(false, 3, 2, &[]),
                            v2_transform(true, 4, 14, &[]),
                        ],
                    ),
                ]),
            )
            .push(34, v2_ke(19, 64))
            .push(40, opaque(32, 11))
            .push(41, v2_notify(0, &[], 16388, &opaque(20, 12)))
            .push(41, v2_notify(0, &[], 16389, &opaque(20, 13)))
            .push(41, v2_notify(0, &[], 16430, &[]))
            .push(41, v2_notify(0, &[], 16431, &[0, 2, 0, 3, 0, 4]))
            .push(43, opaque(16, 14)),
    );
    let v2_init_resp = message(
        2,
        ispi,
        rspi,
        34,
        0x20,
        0,
        &Chain::new()
            .push(41, v2_notify(0, &[], 17, &[0, 14]))
            .push(41, v2_notify(0, &[], 16390, &opaque(16, 15))),
    );
    let v2_clear_auth = message(
        2,
        ispi,
        rspi,
        35,
        0x08,
        1,
        &Chain::new()
            .push(35, id_ipv4([192, 0, 2, 1]))
            .push(39, {
                let mut v = vec![2, 0, 0, 0];
                v.extend(opaque(32, 16));
                v
            })
            .push(47, {
                let mut v = vec![1, 0, 0, 0];
                v.extend(attr_tlv(1, &[]));
                v.extend(attr_tlv(3, &[]));
                v
            })
            .push(
                33,
                v2_sa(&[proposal(
                    true,
                    1,
                    3,
                    &[0xc0, 0xff, 0xee, 0x01],
                    &[
                        v2_transform(false, 1, 20, &[attr_tv(14, 128)]),
                        v2_transform(true, 5, 0, &[]),
                    ],
                )]),
            )
            .push(44, v2_ts([192, 0, 2, 0], [192, 0, 2, 255]))
            .push(45, v2_ts([198, 51, 100, 0], [198, 51, 100, 255]))
            .push(42, v2_delete(3, &[&[1, 2, 3, 4]]))
            .push(38, {
                let mut v = vec![4];
                v.extend(opaque(20, 17));
                v
            })
            .push(48, vec![1, 7, 0, 9, 1, b'a', b'l', b'i', b'c', b'e']),
    );
    let v2_sk = message(
        2,
        ispi,
        rspi,
        35,
        0x08,
        1,
        &Chain::new().push(46, opaque(96, 18)),
    );
    // The SK payload's next-payload names the first inner payload (35 IDi).
    let mut v2_sk = v2_sk;
    if let Some(b) = v2_sk.get_mut(28) {
        *b = 35;
    }
    let v2_skf = message(
        2,
        ispi,
        rspi,
        35,
        0x20,
        1,
        &Chain::new().push(53, v2_skf(1, 3, 64)),
    );
    vec![
        ("v1-main-mode-1", v1_mm1),
        ("v1-main-mode-3", v1_mm3),
        ("v1-quick-mode-clear", v1_qm),
        ("v1-informational", v1_info),
        ("v1-encrypted", v1_encrypted),
        ("v1-fragment", v1_frag),
        ("v1-config-mode-clear", v1_cfg),
        ("v2-sa-init", v2_init),
        ("v2-sa-init-response", v2_init_resp),
        ("v2-auth-clear", v2_clear_auth),
        ("v2-auth-sk", v2_sk),
        ("v2-auth-skf", v2_skf),
    ]
}

/// Internet checksum (RFC 1071).
pub fn inet_checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        sum += u32::from(w);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet II + IPv4 header (no options) around `payload` of IP protocol
/// `proto`.
pub fn eth_ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let total = (20 + payload.len()) as u16;
    let mut ip = vec![0x45, 0];
    ip.extend(total.to_be_bytes());
    ip.extend([0x12, 0x34, 0, 0, 64, proto, 0, 0]);
    ip.extend(src);
    ip.extend(dst);
    let c = inet_checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend(ip);
    f.extend_from_slice(payload);
    f
}

/// Ethernet/IPv4/UDP frame (UDP checksum 0: not computed, RFC 768).
pub fn eth_ipv4_udp(sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut udp = sport.to_be_bytes().to_vec();
    udp.extend(dport.to_be_bytes());
    udp.extend(((8 + payload.len()) as u16).to_be_bytes());
    udp.extend([0, 0]);
    udp.extend_from_slice(payload);
    eth_ipv4([192, 0, 2, 1], [198, 51, 100, 2], 17, &udp)
}

/// IKE on UDP 4500 behind the 4-byte non-ESP marker (RFC 3948 §2.2).
pub fn eth_ike_natt(ike: &[u8]) -> Vec<u8> {
    let mut p = vec![0, 0, 0, 0];
    p.extend_from_slice(ike);
    eth_ipv4_udp(4500, 4500, &p)
}

/// ESP header + opaque payload (RFC 4303 §2).
pub fn esp(spi: u32, seq: u32, payload_len: usize) -> Vec<u8> {
    let mut v = spi.to_be_bytes().to_vec();
    v.extend(seq.to_be_bytes());
    v.extend(opaque(payload_len, 19));
    v
}

/// AH header with a 12-byte ICV (RFC 4302 §2), followed by `inner`.
pub fn ah(next: u8, spi: u32, seq: u32, inner: &[u8]) -> Vec<u8> {
    let mut v = vec![next, 4, 0, 0];
    v.extend(spi.to_be_bytes());
    v.extend(seq.to_be_bytes());
    v.extend(opaque(12, 20));
    v.extend_from_slice(inner);
    v
}

/// Classic pcap (microsecond, little-endian) with one link type.
pub fn pcap(linktype: u32, records: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend(0xa1b2_c3d4u32.to_le_bytes());
    v.extend(2u16.to_le_bytes());
    v.extend(4u16.to_le_bytes());
    v.extend(0i32.to_le_bytes());
    v.extend(0u32.to_le_bytes());
    v.extend(65535u32.to_le_bytes());
    v.extend(linktype.to_le_bytes());
    for (i, r) in records.iter().enumerate() {
        v.extend((1_700_000_000u32 + i as u32).to_le_bytes());
        v.extend((i as u32 * 1000).to_le_bytes());
        v.extend((r.len() as u32).to_le_bytes());
        v.extend((r.len() as u32).to_le_bytes());
        v.extend_from_slice(r);
    }
    v
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// pcapng: one section, one interface of `linktype`, Enhanced Packet Blocks.
pub fn pcapng(linktype: u16, records: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    // Section Header Block.
    v.extend(0x0a0d_0d0au32.to_le_bytes());
    v.extend(28u32.to_le_bytes());
    v.extend(0x1a2b_3c4du32.to_le_bytes());
    v.extend(1u16.to_le_bytes());
    v.extend(0u16.to_le_bytes());
    v.extend((-1i64).to_le_bytes());
    v.extend(28u32.to_le_bytes());
    // Interface Description Block.
    v.extend(1u32.to_le_bytes());
    v.extend(20u32.to_le_bytes());
    v.extend(linktype.to_le_bytes());
    v.extend(0u16.to_le_bytes());
    v.extend(0u32.to_le_bytes());
    v.extend(20u32.to_le_bytes());
    for (i, r) in records.iter().enumerate() {
        let mut b = Vec::new();
        b.extend(0u32.to_le_bytes());
        let ts: u64 = 1_700_000_000_000_000 + i as u64 * 1000;
        b.extend(((ts >> 32) as u32).to_le_bytes());
        b.extend((ts as u32).to_le_bytes());
        b.extend((r.len() as u32).to_le_bytes());
        b.extend((r.len() as u32).to_le_bytes());
        b.extend_from_slice(r);
        pad4(&mut b);
        let total = (b.len() + 12) as u32;
        v.extend(6u32.to_le_bytes());
        v.extend(total.to_le_bytes());
        v.extend(b);
        v.extend(total.to_le_bytes());
    }
    v
}

/// A capture of every sample message on UDP 500 and 4500, plus ESP, AH,
/// ESP-in-UDP and a NAT keepalive: (pcap bytes, frame descriptions).
pub fn sample_frames() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, m) in sample_messages() {
        out.push((format!("{name} on udp/500"), eth_ipv4_udp(500, 500, &m)));
    }
    for (name, m) in sample_messages().into_iter().take(3) {
        out.push((format!("{name} on udp/4500"), eth_ike_natt(&m)));
    }
    out.push((
        "esp".into(),
        eth_ipv4(
            [192, 0, 2, 1],
            [198, 51, 100, 2],
            50,
            &esp(0x2afe_a5c7, 5, 48),
        ),
    ));
    out.push((
        "esp-in-udp".into(),
        eth_ipv4_udp(4500, 4500, &esp(0xc0ff_ee01, 7, 40)),
    ));
    out.push((
        "ah+esp".into(),
        eth_ipv4(
            [192, 0, 2, 1],
            [198, 51, 100, 2],
            51,
            &ah(50, 0x8179_b705, 3, &esp(0x48da_c2e4, 3, 32)),
        ),
    ));
    out.push(("nat-keepalive".into(), eth_ipv4_udp(4500, 4500, &[0xff])));
    out
}
