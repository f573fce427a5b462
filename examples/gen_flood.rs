//! Flood captures for the memory benchmark (bench/run, flood section):
//! deterministic pcaps of hostile traffic whose size scales with `--scale`,
//! so peak memory can be compared at 1x and 4x.
//!
//! cargo run --release --example gen_flood -- OUTDIR [--scale N]
//!
//! Files (each `N × base` packets):
//! - `peers.pcap`: MM1s from 150,000 × N spoofed sources to one gateway
//!   (more peer pairs than the tunnel limit).
//! - `spis.pcap`: 100,000 × N IKE_SA_INIT requests between one pair, each
//!   with a new initiator SPI (more IKE SAs than the per-tunnel limit).
//! - `messages.pcap`: one IKE SA retransmitting its first message
//!   200,000 × N times (more messages than the per-SA limit).
//! - `fragments.pcap`: 150,000 × N IPv4 first fragments of UDP 500
//!   datagrams that never complete.
//!
//! Addresses: 192.0.2.0/24 (RFC 5737) and 198.18.0.0/15 (RFC 2544).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Ethernet + IPv4 (id, flags/offset) + `payload`.
fn ipv4(src: [u8; 4], dst: [u8; 4], id: u16, frag: u16, payload: &[u8], total: usize) -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00];
    let mut ip = vec![0x45, 0];
    ip.extend(((20 + total) as u16).to_be_bytes());
    ip.extend(id.to_be_bytes());
    ip.extend(frag.to_be_bytes());
    ip.extend([64, 17, 0, 0]);
    ip.extend(src);
    ip.extend(dst);
    let c = checksum(&ip);
    ip[10..12].copy_from_slice(&c.to_be_bytes());
    f.extend(ip);
    f.extend_from_slice(payload);
    f
}

fn udp500(src: [u8; 4], dst: [u8; 4], ike: &[u8]) -> Vec<u8> {
    let mut u = 500u16.to_be_bytes().to_vec();
    u.extend(500u16.to_be_bytes());
    u.extend(((8 + ike.len()) as u16).to_be_bytes());
    u.extend([0, 0]);
    u.extend_from_slice(ike);
    ipv4(src, dst, 0, 0, &u, u.len())
}

/// ISAKMP header + one payload of `body` (type `first`).
fn ike(version: u8, ispi: u64, exchange: u8, flags: u8, first: u8, body: &[u8]) -> Vec<u8> {
    let mut v = ispi.to_be_bytes().to_vec();
    v.extend(0u64.to_be_bytes());
    v.extend([first, version << 4, exchange, flags]);
    v.extend(0u32.to_be_bytes());
    v.extend(((28 + 4 + body.len()) as u32).to_be_bytes());
    v.extend([0, 0]);
    v.extend(((4 + body.len()) as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// An MM1 with a one-transform SA payload (RFC 2408 §3.4-3.6).
fn mm1(ispi: u64) -> Vec<u8> {
    let attrs: [u16; 10] = [0x8001, 7, 0x800e, 256, 0x8002, 2, 0x8004, 14, 0x8003, 1];
    let mut tf = vec![0, 0, 0, 0, 1, 1, 0, 0];
    for a in attrs {
        tf.extend(a.to_be_bytes());
    }
    let tl = tf.len() as u16;
    tf[2..4].copy_from_slice(&tl.to_be_bytes());
    let mut prop = vec![0, 0, 0, 0, 1, 1, 0, 1];
    prop.extend(&tf);
    let pl = prop.len() as u16;
    prop[2..4].copy_from_slice(&pl.to_be_bytes());
    let mut sa = vec![0, 0, 0, 1, 0, 0, 0, 1];
    sa.extend(prop);
    ike(1, ispi, 2, 0, 1, &sa)
}

fn addr(n: usize) -> [u8; 4] {
    let n = n + 1;
    [198, 18 + ((n >> 16) & 1) as u8, (n >> 8) as u8, n as u8]
}

struct Pcap(BufWriter<File>, u64);

impl Pcap {
    fn create(path: &Path) -> io::Result<Pcap> {
        let mut w = BufWriter::new(File::create(path)?);
        w.write_all(&0xa1b2_c3d4u32.to_le_bytes())?;
        w.write_all(&2u16.to_le_bytes())?;
        w.write_all(&4u16.to_le_bytes())?;
        w.write_all(&[0; 8])?;
        w.write_all(&65535u32.to_le_bytes())?;
        w.write_all(&1u32.to_le_bytes())?;
        Ok(Pcap(w, 0))
    }

    /// One record, 1 ms after the previous.
    fn put(&mut self, frame: &[u8]) -> io::Result<()> {
        let t = self.1;
        self.1 += 1;
        self.0
            .write_all(&(1_700_000_000 + (t / 1000) as u32).to_le_bytes())?;
        self.0
            .write_all(&(((t % 1000) * 1000) as u32).to_le_bytes())?;
        self.0.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.0.write_all(&(frame.len() as u32).to_le_bytes())?;
        self.0.write_all(frame)
    }
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| {
        eprintln!("usage: gen_flood OUTDIR [--scale N]");
        std::process::exit(2)
    });
    let mut scale = 1usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => scale = args.next().and_then(|v| v.parse().ok()).unwrap_or(1),
            _ => {
                eprintln!("gen_flood: unknown argument {a}");
                std::process::exit(2)
            }
        }
    }
    let dir = Path::new(&out);
    std::fs::create_dir_all(dir)?;
    let gw = [192, 0, 2, 1];
    let host = [192, 0, 2, 2];

    let mut p = Pcap::create(&dir.join("peers.pcap"))?;
    for k in 0..150_000 * scale {
        // Past 2^17 addresses the pairs repeat: still far beyond the limit.
        p.put(&udp500(addr(k % 131_000), gw, &mm1(k as u64 + 1)))?;
    }
    p.0.flush()?;

    let mut p = Pcap::create(&dir.join("spis.pcap"))?;
    for k in 0..100_000 * scale {
        p.put(&udp500(
            host,
            gw,
            &ike(2, k as u64 + 1, 34, 0x08, 40, &[7; 32]),
        ))?;
    }
    p.0.flush()?;

    let mut p = Pcap::create(&dir.join("messages.pcap"))?;
    let m = mm1(0x4242);
    for _ in 0..200_000 * scale {
        p.put(&udp500(host, gw, &m))?;
    }
    p.0.flush()?;

    let mut p = Pcap::create(&dir.join("fragments.pcap"))?;
    for k in 0..150_000 * scale {
        let m = mm1(k as u64 + 1);
        let mut u = 500u16.to_be_bytes().to_vec();
        u.extend(500u16.to_be_bytes());
        u.extend(((8 + m.len() + 400) as u16).to_be_bytes());
        u.extend([0, 0]);
        u.extend_from_slice(&m[..48]);
        // MF set, offset 0: a first fragment whose rest never comes.
        p.put(&ipv4(addr(k % 131_000), gw, k as u16, 0x2000, &u, u.len()))?;
    }
    p.0.flush()
}
