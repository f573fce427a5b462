//! Fuzz the network layer: the input is a sequence of frames, each
//! `[link type selector: 1 byte][length: 2 bytes BE][frame bytes]`, fed to
//! one stateful `net::Decoder` (so IP reassembly state is exercised), with
//! IKE/ESP/AH payloads passed on to their parsers as the binary does.
#![no_main]

use libfuzzer_sys::fuzz_target;

use ikescope::capture::{Frame, LinkType, Origin, Timestamp};
use ikescope::net::{Decoded, Decoder, NetOptions, Payload};

/// Link types the net layer knows, plus an unknown one.
const LINKS: [u32; 11] = [1, 0, 108, 101, 12, 14, 228, 229, 113, 276, 147];

fuzz_target!(|data: &[u8]| {
    let opts = NetOptions {
        defrag_max_bytes: 256 << 10,
        defrag_max_datagrams: 8,
        ..NetOptions::default()
    };
    let mut dec = Decoder::new(opts);
    let mut rest = data;
    let mut n = 0u64;
    while let [sel, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (frame, after) = tail.split_at(len);
        rest = after;
        n += 1;
        let f = Frame {
            number: n,
            ts: Timestamp {
                secs: n as i64,
                nanos: 0,
            },
            link: LinkType(LINKS[usize::from(*sel) % LINKS.len()]),
            data: frame,
            orig_len: frame.len() as u32,
            interface: 0,
            origin: Origin::Wire,
        };
        if let Decoded::Datagram(d) = dec.decode(&f) {
            match &d.payload {
                Payload::Ike { data, .. } => {
                    let _ = ikescope::ike::parse_message(data);
                }
                Payload::Esp { data, .. } => {
                    let _ = ikescope::esp::Esp::parse(data);
                }
                Payload::Ah(data) => {
                    let _ = ikescope::esp::Ah::parse(data);
                }
                Payload::NatKeepalive => {}
            }
        }
        let _ = dec.take_notices();
    }
    let _ = dec.finish();
});
