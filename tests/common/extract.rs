//! A deliberately small, independent pcap/pcapng walker used to pull seed
//! packets out of real captures for the mutation test and the fuzz seeds.
//! It is not the code under test: it handles only the common cases
//! (unfragmented IPv4/IPv6, Ethernet with 802.1Q, NULL/loopback, raw IP,
//! SLL) and skips everything else.

/// A packet found in a capture.
#[derive(Debug, Clone)]
pub struct Seed {
    /// pcap link type of `frame`.
    pub link: u32,
    /// The whole captured frame.
    pub frame: Vec<u8>,
    /// What the IPsec payload is.
    pub kind: SeedKind,
    /// The IKE message (after any non-ESP marker), ESP or AH bytes.
    pub payload: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedKind {
    Ike,
    Esp,
    Ah,
}

fn u16be(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u32_at(b: &[u8], at: usize, le: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if le {
        u32::from_le_bytes(s)
    } else {
        u32::from_be_bytes(s)
    })
}

fn u16_at(b: &[u8], at: usize, le: bool) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if le {
        u16::from_le_bytes(s)
    } else {
        u16::from_be_bytes(s)
    })
}

/// (link type, frame bytes) of every record of a pcap or pcapng file.
/// Stops quietly at the first inconsistency.
pub fn records(file: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let mut out = Vec::new();
    let Some(magic) = u32_at(file, 0, true) else {
        return out;
    };
    match magic {
        0xa1b2_c3d4 | 0xa1b2_3c4d | 0xd4c3_b2a1 | 0x4d3c_b2a1 => {
            let le = magic == 0xa1b2_c3d4 || magic == 0xa1b2_3c4d;
            let link = u32_at(file, 20, le).unwrap_or(1) & 0x0fff_ffff;
            let mut off = 24;
            for _ in 0..1_000_000 {
                let Some(incl) = u32_at(file, off + 8, le) else {
                    break;
                };
                let start = off + 16;
                let Some(data) = file.get(start..start + incl as usize) else {
                    break;
                };
                out.push((link, data.to_vec()));
                off = start + incl as usize;
            }
        }
        0x0a0d_0d0a => {
            let mut off = 0;
            let mut le = true;
            let mut links: Vec<u32> = Vec::new();
            for _ in 0..1_000_000 {
                let Some(btype) = u32_at(file, off, le) else {
                    break;
                };
                if btype == 0x0a0d_0d0a {
                    le = u32_at(file, off + 8, true) == Some(0x1a2b_3c4d);
                    links.clear();
                }
                let Some(len) = u32_at(file, off + 4, le) else {
                    break;
                };
                let len = len as usize;
                if len < 12 || off + len > file.len() {
                    break;
                }
                let block = &file[off..off + len];
                match btype {
                    1 => links.push(u16_at(block, 8, le).unwrap_or(1).into()),
                    6 => {
                        let iface = u32_at(block, 8, le).unwrap_or(0) as usize;
                        let cap = u32_at(block, 20, le).unwrap_or(0) as usize;
                        if let Some(d) = block.get(28..28 + cap) {
                            out.push((*links.get(iface).unwrap_or(&1), d.to_vec()));
                        }
                    }
                    3 => {
                        if let Some(d) = block.get(12..len - 4) {
                            out.push((*links.first().unwrap_or(&1), d.to_vec()));
                        }
                    }
                    _ => {}
                }
                off += len;
            }
        }
        _ => {}
    }
    out
}

/// The IP packet inside a frame of link type `link`.
fn ip_of(link: u32, f: &[u8]) -> Option<&[u8]> {
    match link {
        1 => {
            let mut off = 12;
            let mut et = u16be(f, off)?;
            while et == 0x8100 || et == 0x88a8 {
                off += 4;
                et = u16be(f, off)?;
            }
            matches!(et, 0x0800 | 0x86dd).then(|| f.get(off + 2..))?
        }
        0 | 108 => f.get(4..),
        12 | 14 | 101 | 228 | 229 => Some(f),
        113 => f.get(16..),
        276 => f.get(20..),
        _ => None,
    }
}

/// The IPsec payload of one frame, when it is the simple kind.
pub fn classify(link: u32, frame: &[u8]) -> Option<(SeedKind, Vec<u8>)> {
    let ip = ip_of(link, frame)?;
    let (proto, l4) = match ip.first()? >> 4 {
        4 => {
            let ihl = usize::from(ip.first()? & 0x0f) * 4;
            let total = usize::from(u16be(ip, 2)?);
            let frag = u16be(ip, 6)?;
            if frag & 0x3fff != 0 || total < ihl {
                return None;
            }
            (*ip.get(9)?, ip.get(ihl..total.min(ip.len()))?)
        }
        6 => {
            let plen = usize::from(u16be(ip, 4)?);
            (*ip.get(6)?, ip.get(40..(40 + plen).min(ip.len()))?)
        }
        _ => return None,
    };
    match proto {
        50 => Some((SeedKind::Esp, l4.to_vec())),
        51 => Some((SeedKind::Ah, l4.to_vec())),
        17 => {
            let (sp, dp) = (u16be(l4, 0)?, u16be(l4, 2)?);
            let ulen = usize::from(u16be(l4, 4)?);
            let data = l4.get(8..ulen.clamp(8, l4.len()))?;
            if sp == 500 || dp == 500 {
                Some((SeedKind::Ike, data.to_vec()))
            } else if sp == 4500 || dp == 4500 {
                match data {
                    [0xff] => None,
                    [0, 0, 0, 0, rest @ ..] => Some((SeedKind::Ike, rest.to_vec())),
                    d if d.len() >= 8 => Some((SeedKind::Esp, d.to_vec())),
                    _ => None,
                }
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Every simple IPsec packet of a capture file.
pub fn seeds(file: &[u8]) -> Vec<Seed> {
    records(file)
        .into_iter()
        .filter_map(|(link, frame)| {
            let (kind, payload) = classify(link, &frame)?;
            Some(Seed {
                link,
                frame,
                kind,
                payload,
            })
        })
        .collect()
}
