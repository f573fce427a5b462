//! An endless IPsec stream on standard output, for `bench/run`'s follow
//! section: ever-new peer pairs, each with one unanswered IKEv2
//! IKE_SA_INIT request and then ESP on an SPI of its own
//! (tests/common/stream.rs, shared with tests/follow.rs).
//!
//! ```text
//! cargo run --release --example follow_stream -- --packets N [--per-tunnel N] [--step-us N]
//! ```

#[path = "../tests/common/stream.rs"]
mod stream;

use std::io::{self, Write};

fn main() -> io::Result<()> {
    let mut shape = stream::Shape::default();
    let mut packets: u64 = 100_000;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other(format!("{a}: a number must follow")))?;
        match a.as_str() {
            "--packets" => packets = v,
            "--per-tunnel" => shape.per_tunnel = v.max(1),
            "--step-us" => shape.step_us = v,
            _ => return Err(io::Error::other(format!("unknown argument {a}"))),
        }
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    out.write_all(&stream::header())?;
    for i in 0..packets {
        out.write_all(&stream::record(&shape, i))?;
    }
    out.flush()
}
