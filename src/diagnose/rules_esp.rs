//! ESP/AH rules: one-way traffic, loss, replay, rekeys, NAT, and tunnel-wide
//! observations (malformed messages, payload-less summaries, fragments).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::{frames_text, Code, Verdict};
use crate::capture::FrameNo;
use crate::flow::{Coverage as Context, IkeMsg, PacketProto, Role, Step};
use crate::flow::{EspSa, Tunnel};
use crate::registry::proto::ExchangeV2;

/// One-way ESP needs at least this many packets to be called.
const ONE_WAY_MIN: u64 = 3;
/// Loss is reported above this share of expected packets (percent).
const LOSS_PERCENT: f64 = 1.0;
const LOSS_MIN: u64 = 3;
/// An Informational this soon after an SA's last packet may be its Delete.
const DELETE_WINDOW_SECS: f64 = 10.0;
/// An IKEv1 Informational answered by one from the peer this soon is a
/// DPD R-U-THERE and its ACK (RFC 3706 §5), not a Delete.
const DPD_ANSWER_SECS: f64 = 2.0;

/// Frames of encrypted IKEv1 Informationals that form a request and its
/// answer: the next IKE message of the tunnel is an Informational from the
/// peer within [`DPD_ANSWER_SECS`]. IKEv1 Informationals are one-way
/// (RFC 2408 §4.8), so a Delete is not answered, while a DPD R-U-THERE is
/// answered by an R-U-THERE-ACK (RFC 3706 §5); without keys the two look
/// alike, and only the unanswered ones may be a Delete.
fn v1_dpd_exchanges(t: &Tunnel) -> BTreeSet<FrameNo> {
    let mut msgs: Vec<&IkeMsg> = t
        .ike_sas
        .iter()
        .flat_map(|sa| sa.messages.iter())
        .filter(|m| m.is_try() && m.retransmit_of().is_none())
        .collect();
    msgs.sort_by_key(|m| m.frame);
    let info = |m: &IkeMsg| m.encrypted && m.step == Step::Informational;
    let mut out = BTreeSet::new();
    for w in msgs.windows(2) {
        let (a, b) = (w[0], w[1]);
        if info(a) && info(b) && a.src.addr != b.src.addr && b.ts.since(a.ts) < DPD_ANSWER_SECS {
            out.insert(a.frame);
            out.insert(b.frame);
        }
    }
    out
}

/// ESP or AH seen from each peer to the other.
pub(super) fn esp_both_ways(t: &Tunnel) -> bool {
    let fwd = t.esp.iter().any(|e| e.src == t.peers[0] && e.packets > 0);
    let back = t.esp.iter().any(|e| e.src == t.peers[1] && e.packets > 0);
    fwd && back
}

pub(super) fn check(
    t: &Tunnel,
    ctx: &Context,
    phase2_up: bool,
    negotiated: bool,
    out: &mut Vec<Verdict>,
) {
    let mut by_dir: BTreeMap<(IpAddr, IpAddr), Vec<&EspSa>> = BTreeMap::new();
    for e in &t.esp {
        by_dir.entry((e.src, e.dst)).or_default().push(e);
    }
    let total: u64 = t.esp.iter().map(|e| e.packets).sum();
    // Multicast (OSPFv3 with AH, manual SAs) never answers in kind.
    let multicast = t.peers.iter().any(|p| p.is_multicast());
    if by_dir.len() == 1 && total >= ONE_WAY_MIN && !multicast {
        if let Some(((src, dst), sas)) = by_dir.iter().next() {
            let spis: Vec<String> = sas.iter().map(|e| format!("0x{:08x}", e.spi)).collect();
            let frames: Vec<FrameNo> = sas
                .iter()
                .flat_map(|e| [e.first_frame, e.last_frame])
                .collect();
            out.push(
                Verdict::new(
                    Code::EspOneWay,
                    frames,
                    format!(
                        "ESP from {src} to {dst}: {total} packets on SPI {}; nothing from {dst} to {src}",
                        spis.join(", ")
                    ),
                )
                .candidates(&[
                    &format!("{dst} does not send into the tunnel: NAT exemption or routing for the protected subnets on {dst}'s side"),
                    &format!("{dst} cannot decrypt (SA out of sync): check decaps and errors in `show crypto ipsec sa` on {dst}"),
                    &format!("ESP from {dst} is dropped on the path (ACL, firewall, NAT)"),
                ]),
            );
            if Context::one_sided(t).is_some() {
                // Not a packet of any kind from the other peer, IKE
                // included: the capture may hold one direction only, so the
                // silence is not proof. A warning, saying so.
                if let Some(v) = out.last_mut() {
                    v.severity = super::Severity::Warning;
                    v.message.push_str(&format!(
                        "; the capture holds no packet at all from {dst} (IKE included), so it may show one direction only"
                    ));
                    v.candidates.push(format!(
                        "the capture holds one direction only (capture filter, or a capture point that sees only {src}'s outbound traffic)"
                    ));
                }
            }
        }
    }
    // One way from some point on: one side's ESP stopped while the other's
    // went on (peer restarted, return path broken mid-capture).
    if by_dir.len() == 2 {
        let last_of = |src: IpAddr| {
            t.esp
                .iter()
                .filter(|e| e.src == src && e.packets > 0)
                .map(|e| (e.last_frame, e.last))
                .max()
        };
        for (x, y) in [(t.peers[0], t.peers[1]), (t.peers[1], t.peers[0])] {
            let (Some((y_last_frame, y_last)), Some((x_last_frame, x_last))) =
                (last_of(y), last_of(x))
            else {
                continue;
            };
            // Packets from x after y fell silent, counted per SA from its
            // sequence numbers is not possible here; use frames seen later.
            let later: u64 = t
                .esp
                .iter()
                .filter(|e| e.src == x && e.last_frame > y_last_frame)
                .map(|e| e.packets_after(y_last_frame))
                .sum();
            if later >= ONE_WAY_MIN && x_last.since(y_last) >= 1.0 {
                out.push(
                    Verdict::new(
                        Code::EspOneWay,
                        vec![y_last_frame, x_last_frame],
                        format!(
                            "ESP from {y} stopped at frame {y_last_frame}; {x} went on sending ({later} packets, until frame {x_last_frame})"
                        ),
                    )
                    .candidates(&[
                        &format!("{y} lost its SAs (restart, clear) and silently drops {x}'s ESP"),
                        &format!("the path from {y} broke during the capture"),
                    ]),
                );
            }
        }
    }
    for e in &t.esp {
        let expected = e.packets + e.seq.lost;
        // One sender's sequence space may span several receivers.
        if multicast || e.shared_sequence {
            continue;
        }
        if e.seq.lost >= LOSS_MIN && (e.seq.lost as f64) * 100.0 / (expected as f64) >= LOSS_PERCENT
        {
            out.push(Verdict::new(
                Code::EspLoss,
                vec![e.first_frame, e.last_frame],
                format!(
                    "SPI 0x{:08x} ({} → {}): {} of {} sequence numbers missing ({:.1}%)",
                    e.spi,
                    e.src,
                    e.dst,
                    e.seq.lost,
                    expected,
                    e.seq.lost as f64 * 100.0 / expected as f64
                ),
            ));
        }
        if e.seq.replayed > 0 {
            out.push(Verdict::new(
                Code::EspReplay,
                e.replay_frames.clone(),
                format!(
                    "SPI 0x{:08x} ({} → {}): {} repeated sequence number(s), first at {}",
                    e.spi,
                    e.src,
                    e.dst,
                    e.seq.replayed,
                    frames_text(&e.replay_frames[..e.replay_frames.len().min(3)])
                ),
            ));
        }
    }
    // Rekeys: several SPIs in turn in one direction. An encrypted
    // Informational right after an old SA's last packet is most likely the
    // Delete of that SA (RFC 7296 §2.8, RFC 2409 §5.5): said as likely.
    let mut rekeys: Vec<String> = Vec::new();
    let mut rekey_frames: Vec<FrameNo> = Vec::new();
    let mut deleted: Vec<String> = Vec::new();
    let mut delete_frames: Vec<FrameNo> = Vec::new();
    let dpd = v1_dpd_exchanges(t);
    let infos: Vec<&IkeMsg> = t
        .ike_sas
        .iter()
        .flat_map(|sa| sa.messages.iter())
        .filter(|m| {
            m.encrypted
                && m.retransmit_of().is_none()
                && !dpd.contains(&m.frame)
                && (m.step == Step::Informational
                    || m.step == Step::V2(ExchangeV2::Informational, Role::Request))
        })
        .collect();
    // Child-SA negotiations (Quick Mode answers, CREATE_CHILD_SA answers).
    let child_negotiations: Vec<FrameNo> = t
        .ike_sas
        .iter()
        .flat_map(|sa| sa.messages.iter())
        .filter(|m| {
            m.retransmit_of().is_none()
                && (m.step == Step::Quick(2)
                    || m.step == Step::V2(ExchangeV2::CreateChildSa, Role::Response))
        })
        .map(|m| m.frame)
        .collect();
    for ((src, dst), sas) in &by_dir {
        let mut esp: Vec<&&EspSa> = sas.iter().filter(|e| e.packets > 0).collect();
        esp.sort_by_key(|e| e.first_frame);
        if esp.len() < 2 {
            continue;
        }
        // A rekey: a child SA was negotiated while the old SA was in use,
        // and the new SA took over. A second child SA negotiated before the
        // first carried traffic is not a rekey. Without the negotiation in
        // the capture, SPIs used in turn are taken as a rekey.
        let mut chain: Vec<&&EspSa> = vec![esp[0]];
        for pair in esp.windows(2) {
            let (old, new) = (pair[0], pair[1]);
            let rekey = if t.ike_sas.is_empty() {
                old.last_frame <= new.first_frame
            } else {
                child_negotiations
                    .iter()
                    .any(|&f| f > old.first_frame && f < new.first_frame)
            };
            if !rekey {
                continue;
            }
            chain.push(new);
            rekey_frames.push(new.first_frame);
            let del = infos
                .iter()
                .filter(|m| m.frame > old.last_frame && m.ts.since(old.last) < DELETE_WINDOW_SECS)
                .min_by_key(|m| m.frame);
            if let Some(m) = del {
                deleted.push(format!(
                    "0x{:08x} (Informational at frame {} from {})",
                    old.spi, m.frame, m.src.addr
                ));
                delete_frames.push(m.frame);
            }
        }
        if chain.len() >= 2 {
            rekeys.push(format!(
                "{src} → {dst}: {}",
                chain
                    .iter()
                    .map(|e| format!("0x{:08x}", e.spi))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ));
        }
    }
    if !rekeys.is_empty() {
        out.push(Verdict::new(
            Code::Rekeyed,
            rekey_frames,
            format!("New SPIs replaced the old ones: {}", rekeys.join("; ")),
        ));
    }
    // A Delete read from the contents (clear, or decrypted with keys) has
    // its own verdict already; the guess would only repeat it.
    let read = out.iter().any(|v| v.code == Code::Deleted);
    if !deleted.is_empty() && !read {
        delete_frames.sort_unstable();
        delete_frames.dedup();
        out.push(Verdict::new(
            Code::Deleted,
            delete_frames,
            format!(
                "After the rekey, an encrypted Informational followed the last packet of the old SA: most likely its Delete (the payload is encrypted): {}",
                deleted.join("; ")
            ),
        ));
    }
    if t.esp.is_empty() && phase2_up {
        out.push(Verdict::new(
            Code::NoTraffic,
            Vec::new(),
            "The tunnel was negotiated but no ESP was captured".to_string(),
        ));
    }
    if t.ike_sas.is_empty() && !t.esp.is_empty() {
        out.push(Verdict::new(
            Code::IncompleteCapture,
            vec![t.esp[0].first_frame],
            "ESP without IKE: the SAs were negotiated before the capture started".to_string(),
        ));
    }
    // NAT.
    let mut nat_frames: Vec<FrameNo> = Vec::new();
    let mut who: Vec<String> = Vec::new();
    for sa in &t.ike_sas {
        if sa.nat.initiator_behind_nat == Some(true) {
            who.push(format!("initiator {} is behind NAT", sa.initiator.addr));
        }
        if sa.nat.responder_behind_nat == Some(true) {
            who.push(format!("responder {} is behind NAT", sa.responder.addr));
        }
        if sa.nat.initiator_behind_nat == Some(true) || sa.nat.responder_behind_nat == Some(true) {
            nat_frames.extend(&sa.nat.evidence);
        }
    }
    who.sort();
    who.dedup();
    if !who.is_empty() {
        out.push(Verdict::new(
            Code::NatDetected,
            nat_frames.clone(),
            format!(
                "NAT-D hashes do not match the addresses seen: {}",
                who.join("; ")
            ),
        ));
        let plain: Vec<&EspSa> = t.esp.iter().filter(|e| !e.udp && e.packets > 0).collect();
        if !plain.is_empty() {
            out.push(Verdict::new(
                Code::EspNotEncapsulated,
                plain.iter().map(|e| e.first_frame).collect(),
                "NAT was detected but ESP is still sent as IP protocol 50".to_string(),
            ));
        }
    } else if negotiated && (!t.keepalives.is_empty() || t.esp.iter().any(|e| e.udp)) {
        // IKEv2 moves to port 4500 whether or not there is a NAT (RFC 7296
        // §2.23), so a float alone says nothing; keepalives and ESP in UDP do.
        let mut frames: Vec<FrameNo> = t.keepalives.iter().take(2).copied().collect();
        frames.extend(
            t.esp
                .iter()
                .filter(|e| e.udp)
                .take(1)
                .map(|e| e.first_frame),
        );
        let mut what = Vec::new();
        if t.esp.iter().any(|e| e.udp) {
            what.push("ESP inside UDP 4500");
        }
        if !t.keepalives.is_empty() {
            what.push("NAT keepalives");
        }
        out.push(Verdict::new(
            Code::NatDetected,
            frames,
            format!(
                "NAT-T in use ({}), though the NAT-D hashes here match: encapsulation forced, or the NAT is on the far side of the capture point",
                what.join(" and ")
            ),
        ));
    }
    if !t.malformed.is_empty() {
        let frames: Vec<FrameNo> = t.malformed.iter().map(|(f, _)| *f).collect();
        out.push(Verdict::new(
            Code::Malformed,
            frames,
            format!(
                "{} malformed IKE message(s); first: frame {}: {}",
                t.malformed.len(),
                t.malformed[0].0,
                t.malformed[0].1
            ),
        ));
    }
    blind(t, ctx, out);
    if t.payloadless > 0 {
        out.push(Verdict::new(
            Code::PayloadsAbsent,
            Vec::new(),
            format!(
                "{} packet(s) came from console summary lines without bytes: only addresses, ports, lengths and timing were analysed",
                t.payloadless
            ),
        ));
    }
    for (a, b, frames) in &ctx.incomplete_fragments {
        let mine = (t.peers[0] == *a && t.peers[1] == *b) || (t.peers[0] == *b && t.peers[1] == *a);
        if mine {
            out.push(Verdict::new(
                Code::FragmentationSuspected,
                frames.clone(),
                format!(
                    "IP fragments between {a} and {b} never completed ({})",
                    frames_text(frames)
                ),
            ));
        }
    }
}

/// What console summary lines (no payload) still show: who sent IKE to whom,
/// how often, and in which direction ESP flowed.
fn blind(t: &Tunnel, ctx: &Context, out: &mut Vec<Verdict>) {
    if t.blind.is_empty() || !t.ike_sas.is_empty() {
        return;
    }
    let ike: Vec<&crate::flow::BlindPacket> = t
        .blind
        .iter()
        .filter(|b| b.proto == PacketProto::Isakmp)
        .collect();
    if let Some(first) = ike.first() {
        let one_way = ike.iter().all(|b| b.src == first.src);
        let last = ike[ike.len() - 1];
        let quiet = ctx.silence_after(last.ts);
        if one_way && (ike.len() >= 2 || quiet >= 3.0) {
            let gaps: Vec<String> = ike
                .windows(2)
                .map(|w| format!("{:.1}", w[1].ts.since(w[0].ts)))
                .collect();
            out.push(
                Verdict::new(
                    Code::NoResponse,
                    ike.iter().map(|b| b.frame).collect(),
                    format!(
                        "{} sent {} IKE packet(s) to {} (intervals {} s) and nothing came back; payloads are absent, so this is read from addresses and timing only",
                        first.src,
                        ike.len(),
                        first.dst,
                        if gaps.is_empty() { "-".to_string() } else { gaps.join(", ") }
                    ),
                )
                .candidates(&[
                    "peer unreachable or UDP 500 filtered",
                    "peer not configured for this initiator",
                    "the capture saw one direction only",
                ]),
            );
        }
    }
    let esp: Vec<&crate::flow::BlindPacket> = t
        .blind
        .iter()
        .filter(|b| b.proto != PacketProto::Isakmp)
        .collect();
    if esp.len() as u64 >= ONE_WAY_MIN && t.esp.is_empty() {
        let src = esp[0].src;
        if esp.iter().all(|b| b.src == src) {
            let dst = esp[0].dst;
            out.push(Verdict::new(
                Code::EspOneWay,
                vec![esp[0].frame, esp[esp.len() - 1].frame],
                format!(
                    "ESP from {src} to {dst}: {} packets; nothing from {dst} to {src} (payloads absent: SPIs unknown)",
                    esp.len()
                ),
            ));
        }
    }
}
