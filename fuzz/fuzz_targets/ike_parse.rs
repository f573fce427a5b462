//! Fuzz the IKE parser: `ike::parse_message` on arbitrary bytes, then the
//! JSON serialization of whatever it returns (the `packets --json` path).
//! Invariants: no panic; payloads lie inside the input; output bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(msg) = ikescope::ike::parse_message(data) {
        assert!(msg.payloads.len() <= data.len() / 4);
        for p in &msg.payloads {
            assert!(p.offset + usize::from(p.length) <= data.len());
        }
        let json = serde_json::to_string(&msg).expect("Message serializes");
        assert!(json.len() <= 200 * data.len() + 8192);
    }
    let _ = ikescope::esp::Esp::parse(data);
    let _ = ikescope::esp::Ah::parse(data);
});
