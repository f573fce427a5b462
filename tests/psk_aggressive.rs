//! Aggressive Mode PSK check (RFC 2409 §5.4) on the reference captures,
//! whose pre-shared keys are in `captures/configs/NAME/*.swanctl.conf`.

use std::path::{Path, PathBuf};

use ikescope::capture::{self, Frame, FrameSink, Notice, ReadOptions};
use ikescope::ike::decrypt::psk::{read_candidates, AggressiveExchange, PskCheck};
use ikescope::ike::parse_message;
use ikescope::net::{Decoded, Decoder, NetOptions, Payload};

struct Am {
    dec: Decoder,
    msgs: Vec<Vec<u8>>,
}

impl FrameSink for Am {
    fn frame(&mut self, f: &Frame<'_>) {
        if let Decoded::Datagram(d) = self.dec.decode(f) {
            if let Payload::Ike { data, .. } = d.payload {
                if parse_message(&data).is_ok_and(|m| m.header.exchange_type == 4) {
                    self.msgs.push(data.to_vec());
                }
            }
        }
    }
    fn notice(&mut self, _: Notice) {}
}

fn exchange(name: &str) -> AggressiveExchange {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name);
    let mut am = Am {
        dec: Decoder::new(NetOptions::default()),
        msgs: Vec::new(),
    };
    capture::read_path(&p, &ReadOptions::default(), &mut am).unwrap();
    AggressiveExchange::from_messages(&am.msgs[0], &am.msgs[1]).unwrap()
}

#[test]
fn finds_the_key_the_responder_used() {
    let keys = read_candidates("guess\ncisco123-shared-secret\n");
    assert_eq!(
        exchange("v1-aggressive-up.pcap").check(&keys),
        PskCheck::Match { index: 1 }
    );
    // The responder (right, 203.0.113.1) was configured "a-different-key".
    let x = exchange("v1-aggressive-psk-mismatch.pcap");
    assert_eq!(x.check(&keys), PskCheck::NoMatch { tried: 2 });
    let keys = read_candidates("cisco123-shared-secret\na-different-key\n");
    assert_eq!(x.check(&keys), PskCheck::Match { index: 1 });
}

#[test]
fn main_mode_is_not_applicable() {
    let m = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(AggressiveExchange::from_messages(&m, &m).is_err());
}
