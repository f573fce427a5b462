//! JSON output of the tunnel inspector (one document per file) and of
//! `scan` (one line per file plus a summary line). Schema: `docs/json.md`.

use std::io::{self, Write};

use serde::Serialize;

use super::model::{FileAnalysis, FileNotice};
use super::{config, wireshark_filter, SCHEMA_VERSION};
use crate::capture::FrameNo;
use crate::diagnose::{advice, Offered, Severity, Verdict};
use crate::flow::{state, Endpoint, IkeMsg, Offer, QuickMode, Role};
use crate::registry::proto::ExchangeV2;

#[derive(Serialize)]
pub struct FileJson<'a> {
    pub schema: u32,
    pub file: &'a str,
    pub format: Option<String>,
    pub compressed: bool,
    pub frames: u64,
    pub ipsec_packets: u64,
    pub filtered: u64,
    pub error: Option<&'a str>,
    pub input_failed: bool,
    pub notices: &'a [FileNotice],
    pub worst: Severity,
    pub tunnels: Vec<TunnelJson<'a>>,
}

#[derive(Serialize)]
pub struct TunnelJson<'a> {
    pub peers: [String; 2],
    pub initiator: Option<String>,
    pub responder: Option<String>,
    pub ike_version: Option<u8>,
    pub mode: Option<&'static str>,
    pub phase1: Option<Phase1Json>,
    pub phase2: Vec<Phase2Json>,
    pub ike_sas: Vec<SaJson<'a>>,
    pub esp: Vec<EspJson>,
    pub keepalives: usize,
    pub verdicts: Vec<VerdictJson<'a>>,
    pub worst: Severity,
    pub wireshark_filter: String,
}

#[derive(Serialize)]
pub struct Phase1Json {
    pub last_message: Option<String>,
    pub state_ios: &'static str,
    pub state_asa: &'static str,
    pub complete: bool,
    pub ispi: String,
    pub rspi: String,
}

#[derive(Serialize)]
pub struct Phase2Json {
    pub message_id: u32,
    pub last_message: String,
    pub complete: bool,
    pub frames: Vec<FrameNo>,
    pub retransmits: u32,
}

#[derive(Serialize)]
pub struct SaJson<'a> {
    pub ike_version: u8,
    pub ispi: String,
    pub rspi: String,
    pub initiator: String,
    pub responder: String,
    pub mode: &'static str,
    pub messages: Vec<MessageJson<'a>>,
    pub nat: &'a crate::flow::NatInfo,
}

/// One IKE message as the JSON shows it.
#[derive(Serialize)]
pub struct MessageJson<'a> {
    pub frame: FrameNo,
    pub ts: crate::capture::Timestamp,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub dir: crate::flow::Dir,
    pub label: String,
    pub exchange_type: u8,
    pub message_id: u32,
    pub flags: u8,
    pub length: u32,
    pub encrypted: bool,
    pub decrypted_copy: bool,
    pub response: bool,
    pub retransmit_of: Option<FrameNo>,
    pub duplicate_of: Option<FrameNo>,
    pub twin: Option<FrameNo>,
    pub notifies: &'a [crate::flow::SeenNotify],
    pub payload_types: &'a [u8],
    pub ke_group: Option<u16>,
    pub ke_length: Option<usize>,
    pub offer: &'a Option<Offer>,
    pub ids: Vec<&'a str>,
    pub encrypted_length: Option<usize>,
    pub fragments: &'a [FrameNo],
    pub ike_fragment: Option<(u16, u16)>,
    pub frag_id: Option<u16>,
    pub deletes: Vec<(u8, &'a [String])>,
    pub malformed: Option<&'a str>,
    pub truncated: bool,
    pub origin: crate::capture::Origin,
}

fn message(m: &IkeMsg) -> MessageJson<'_> {
    MessageJson {
        frame: m.frame,
        ts: m.ts,
        src: m.src,
        dst: m.dst,
        dir: m.dir,
        label: match m.copy.duplicate_of() {
            Some(_) => format!("{} (dup)", m.step),
            None => m.step.to_string(),
        },
        exchange_type: m.exchange_type,
        message_id: m.message_id,
        flags: m.flags,
        length: m.length,
        encrypted: m.encrypted,
        decrypted_copy: m.decrypted_copy,
        response: m.response,
        retransmit_of: m.retransmit_of(),
        duplicate_of: m.copy.duplicate_of(),
        twin: m.twin.or(m.copy.twin_of()),
        notifies: &m.notifies,
        payload_types: &m.payload_types,
        ke_group: m.ke_group,
        ke_length: m.ke_length,
        offer: &m.offer,
        ids: m.ids.iter().map(|i| i.value.as_str()).collect(),
        encrypted_length: m.encrypted_length,
        fragments: &m.fragments,
        ike_fragment: m.ike_fragment,
        frag_id: m.frag_id,
        deletes: m
            .deletes
            .iter()
            .map(|d| (d.protocol_id, d.spis.as_slice()))
            .collect(),
        malformed: m.malformed.as_deref(),
        truncated: m.truncated,
        origin: match &m.source {
            crate::flow::Source::Frame { capture, .. } => *capture,
            crate::flow::Source::Log(_) => crate::capture::Origin::TextSummary,
        },
    }
}

#[derive(Serialize)]
pub struct EspJson {
    pub src: String,
    pub dst: String,
    pub spi: String,
    pub proto: &'static str,
    pub udp: bool,
    pub packets: u64,
    pub bytes: u64,
    pub lost: u64,
    pub replayed: u64,
    pub reordered: u64,
    pub first_frame: FrameNo,
    pub last_frame: FrameNo,
}

#[derive(Serialize)]
pub struct VerdictJson<'a> {
    pub code: crate::diagnose::Code,
    pub severity: Severity,
    pub frames: &'a [FrameNo],
    pub message: &'a str,
    pub candidates: &'a [String],
    pub offered: Vec<String>,
    pub checks: &'static [&'static str],
    pub repeats: usize,
}

fn qm(q: &QuickMode) -> Phase2Json {
    Phase2Json {
        message_id: q.message_id,
        last_message: format!("QM{}", q.last),
        complete: q.last >= 2,
        frames: q.frames.clone(),
        retransmits: q.retransmits,
    }
}

/// IKEv2 child-SA exchanges (IKE_AUTH, CREATE_CHILD_SA) as phase 2 entries,
/// by message ID.
fn v2_children(sa: &crate::flow::IkeSa) -> Vec<Phase2Json> {
    let mut out: Vec<Phase2Json> = Vec::new();
    for m in &sa.messages {
        if !matches!(
            m.step.v2(),
            Some((ExchangeV2::IkeAuth | ExchangeV2::CreateChildSa, _))
        ) || m.copy.duplicate_of().is_some()
        {
            continue;
        }
        let i = match out.iter().position(|p| p.message_id == m.message_id) {
            Some(i) => i,
            None => {
                out.push(Phase2Json {
                    message_id: m.message_id,
                    last_message: String::new(),
                    complete: false,
                    frames: Vec::new(),
                    retransmits: 0,
                });
                out.len() - 1
            }
        };
        let p = &mut out[i];
        p.frames.push(m.frame);
        if m.retransmit_of().is_some() {
            p.retransmits += 1;
        }
        p.last_message = m.step.to_string();
        if m.step.v2().is_some_and(|(_, r)| r == Role::Response)
            && m.error_notifies().next().is_none()
        {
            p.complete = true;
        }
    }
    out
}

fn verdict(v: &Verdict) -> VerdictJson<'_> {
    VerdictJson {
        code: v.code,
        severity: v.severity,
        frames: &v.frames,
        message: &v.message,
        candidates: &v.candidates,
        offered: match &v.offered {
            Some(Offered::V1(t)) => config::v1_phase1(t),
            Some(Offered::V2(p)) => config::v2_ike(p),
            None => Vec::new(),
        },
        checks: advice::info(v.code).checks,
        repeats: v.repeats,
    }
}

/// Build the JSON view of one file.
pub fn file_json(f: &FileAnalysis) -> FileJson<'_> {
    let tunnels = f
        .tunnels
        .iter()
        .map(|tr| {
            let t = &tr.tunnel;
            let sa = t.ike_sas.first();
            let phase2 = t
                .ike_sas
                .iter()
                .flat_map(|s| {
                    if s.version == 1 {
                        s.quick_modes.iter().map(qm).collect::<Vec<_>>()
                    } else {
                        v2_children(s)
                    }
                })
                .collect();
            TunnelJson {
                peers: [t.peers[0].to_string(), t.peers[1].to_string()],
                initiator: sa.map(|s| s.initiator.addr.to_string()),
                responder: sa.map(|s| s.responder.addr.to_string()),
                ike_version: sa.map(|s| s.version),
                mode: sa.map(|s| s.mode.as_str()),
                phase1: sa.map(|s| {
                    let p = state::phase1(s);
                    Phase1Json {
                        last_message: p.last_message.map(|s| s.to_string()),
                        state_ios: p.ios,
                        state_asa: p.asa,
                        complete: p.complete,
                        ispi: format!("{:016x}", s.ispi),
                        rspi: format!("{:016x}", s.rspi),
                    }
                }),
                phase2,
                ike_sas: t
                    .ike_sas
                    .iter()
                    .map(|s| SaJson {
                        ike_version: s.version,
                        ispi: format!("{:016x}", s.ispi),
                        rspi: format!("{:016x}", s.rspi),
                        initiator: s.initiator.to_string(),
                        responder: s.responder.to_string(),
                        mode: s.mode.as_str(),
                        messages: s.messages.iter().map(message).collect(),
                        nat: &s.nat,
                    })
                    .collect(),
                esp: t
                    .esp
                    .iter()
                    .map(|e| EspJson {
                        src: e.src.to_string(),
                        dst: e.dst.to_string(),
                        spi: format!("{:08x}", e.spi),
                        proto: match e.proto {
                            crate::flow::EspProto::Esp => "esp",
                            crate::flow::EspProto::Ah => "ah",
                        },
                        udp: e.udp,
                        packets: e.packets,
                        bytes: e.bytes,
                        lost: e.seq.lost,
                        replayed: e.seq.replayed,
                        reordered: e.seq.reordered,
                        first_frame: e.first_frame,
                        last_frame: e.last_frame,
                    })
                    .collect(),
                keepalives: t.keepalives.len(),
                verdicts: tr.verdicts.iter().map(verdict).collect(),
                worst: tr.worst(),
                wireshark_filter: wireshark_filter(t),
            }
        })
        .collect();
    FileJson {
        schema: SCHEMA_VERSION,
        file: &f.path,
        format: f
            .read
            .as_ref()
            .map(|r| format!("{:?}", r.format).to_lowercase()),
        compressed: f.read.as_ref().is_some_and(|r| r.compressed),
        frames: f.frames,
        ipsec_packets: f.ipsec_packets,
        filtered: f.filtered,
        error: f.error.as_deref(),
        input_failed: f.input_failed(),
        notices: &f.notices,
        worst: f.worst(),
        tunnels,
    }
}

/// Write one file's analysis as a pretty JSON document.
pub fn write_file(out: &mut dyn Write, f: &FileAnalysis, pretty: bool) -> io::Result<()> {
    let j = file_json(f);
    if pretty {
        serde_json::to_writer_pretty(&mut *out, &j)?;
    } else {
        serde_json::to_writer(&mut *out, &j)?;
    }
    writeln!(out)
}
