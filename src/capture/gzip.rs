//! gzip-compressed captures (RFC 1952), recognised by their magic bytes
//! whatever the file is called, and decompressed as a stream under the
//! pcap/pcapng readers' bounded buffer (see [`super::source::Feed`]).

use std::io::Read;

use flate2::read::MultiGzDecoder;

/// The gzip member magic (RFC 1952 §2.3.1: ID1, ID2).
pub const MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Does the input start with a gzip member?
pub fn is_gzip(head: &[u8]) -> bool {
    head.get(..2) == Some(&MAGIC[..])
}

/// A decoder for one or more concatenated gzip members.
pub fn decoder<R: Read>(inner: R) -> MultiGzDecoder<R> {
    MultiGzDecoder::new(inner)
}

/// Decompress up to `max` bytes from the start of a (possibly partial) gzip
/// stream held in `head`; stops quietly where the stream is cut.
pub fn peek(head: &[u8], max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dec = decoder(head).take(max as u64);
    let mut buf = [0u8; 512];
    // Each successful read makes progress; `take` bounds the total.
    while let Ok(k @ 1..) = dec.read(&mut buf) {
        out.extend_from_slice(buf.get(..k).unwrap_or(&[]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    #[test]
    fn peeks_into_a_cut_stream() {
        let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&data).unwrap();
        let gz = enc.finish().unwrap();
        assert!(is_gzip(&gz));
        assert_eq!(peek(&gz, 100), &data[..100]);
        let cut = &gz[..gz.len() / 2];
        let got = peek(cut, 10_000);
        assert!(!got.is_empty() && got.len() < data.len());
        assert_eq!(got[..], data[..got.len()]);
        assert!(peek(&[0x1f, 0x8b, 0, 0], 10).is_empty());
    }
}
