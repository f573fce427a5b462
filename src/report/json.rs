//! JSON output of the tunnel inspector (one document per file) and of
//! `scan` (one line per file plus a summary line). Schema: `docs/json.md`.
//!
//! These are view structs over [`crate::analysis`]: they compute nothing,
//! and they speak one vocabulary — endpoints are `{addr, port}`, times are
//! `time`, registry values are `{number, name}`, states are the words the
//! text output prints.

use std::io::{self, Write};

use serde::Serialize;

use super::model::{FileAnalysis, FileNotice, SaState};
use super::table::{phase1_text, phase2_text};
use super::{config, wireshark_filter, SCHEMA_VERSION};
use crate::capture::{FrameNo, Timestamp};
use crate::diagnose::{advice, Basis, Code, Offered, Severity, Verdict};
use crate::flow::state::ChildExchange;
use crate::flow::{
    Copy, Dir, Endpoint, IkeMsg, IkeSa, LogLine, NatInfo, Offer, Source, Tunnel, Visibility,
};
use crate::registry::{ikev1, ikev2, Table};

/// A registry value: its number and, when the registry names it, its name.
#[derive(Serialize)]
pub struct Named {
    pub number: u32,
    pub name: Option<&'static str>,
}

fn named(table: &Table, v: impl Into<u32>) -> Named {
    let number = v.into();
    Named {
        number,
        name: table.name(number),
    }
}

#[derive(Serialize)]
pub struct FileJson<'a> {
    pub schema: u32,
    pub file: &'a str,
    /// `pcap`, `pcapng` or `cisco-text`.
    pub format: Option<&'static str>,
    pub compressed: bool,
    pub frames: u64,
    pub ipsec_packets: u64,
    pub filtered: u64,
    pub error: Option<&'a str>,
    pub input_failed: bool,
    pub notices: &'a [FileNotice],
    /// Device logs read with the capture (or alone): one account each.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub logs: &'a [String],
    pub worst: Severity,
    pub tunnels: Vec<TunnelJson<'a>>,
    /// Present when key tables were given (`--keys`) or found beside the
    /// capture, or with `--psk-file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decryption: Option<&'a crate::analysis::decryption::Decryption>,
}

#[derive(Serialize)]
pub struct TunnelJson<'a> {
    pub peers: [String; 2],
    pub initiator: Option<Endpoint>,
    pub responder: Option<Endpoint>,
    pub ike_version: Option<u8>,
    pub mode: Option<&'static str>,
    /// The first IKE SA's phase 1 (every SA has its own in `ike_sas`).
    pub phase1: Option<Phase1Json>,
    /// Child-SA exchanges of every IKE SA.
    pub phase2: Vec<Phase2Json>,
    pub ike_sas: Vec<SaJson<'a>>,
    pub esp: Vec<EspJson>,
    /// The `esp` entries added up.
    pub esp_totals: EspTotalsJson,
    pub keepalives: usize,
    /// IKE SAs beyond the per-tunnel limit: counted, not tracked.
    pub dropped_ike_sas: u64,
    pub verdicts: Vec<VerdictJson<'a>>,
    pub worst: Severity,
    pub wireshark_filter: String,
}

#[derive(Serialize)]
pub struct Phase1Json {
    pub last_message: Option<String>,
    /// As the summary table prints it, e.g. `MM5 (MM_WAIT_MSG6 / MM_KEY_EXCH)`.
    pub text: String,
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
    pub initiator: Endpoint,
    pub responder: Endpoint,
    pub mode: &'static str,
    pub phase1: Phase1Json,
    /// As the summary table prints it.
    pub phase2_text: String,
    pub phase2: Vec<Phase2Json>,
    /// Messages kept for this SA (`dropped_messages` more were counted).
    pub message_count: usize,
    /// Every message: only with [`Detail::Messages`] (`--json --messages`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<MessageJson<'a>>>,
    /// Messages beyond the per-SA limit: counted, not kept.
    pub dropped_messages: u64,
    pub nat: &'a NatInfo,
}

/// How a message relates to earlier ones.
#[derive(Serialize)]
pub struct CopyJson {
    /// `original`, `retransmission`, `capture-duplicate` or `decrypted-twin`.
    pub kind: &'static str,
    /// The frame it is a copy of.
    pub of: Option<FrameNo>,
}

#[derive(Serialize)]
pub struct NotifyJson {
    #[serde(rename = "type")]
    pub notify_type: Named,
    pub value: Option<u32>,
    pub visibility: Visibility,
}

#[derive(Serialize)]
pub struct DeleteJson<'a> {
    pub protocol: Named,
    pub spis: &'a [String],
    pub visibility: Visibility,
}

#[derive(Serialize)]
pub struct IdJson<'a> {
    pub value: &'a str,
    pub visibility: Visibility,
}

/// One IKE message as the JSON shows it; header fields first, in wire order.
#[derive(Serialize)]
pub struct MessageJson<'a> {
    pub frame: FrameNo,
    pub time: Timestamp,
    pub source: &'a Source,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub dir: Dir,
    /// As the ladder prints it: `MM5`, `QM1`, `IKE_AUTH resp`…
    pub step: String,
    pub copy: CopyJson,
    /// On an encrypted original: the frame of its decrypted twin.
    pub twin: Option<FrameNo>,
    pub exchange: Named,
    pub flags: u8,
    pub message_id: u32,
    pub length: u32,
    pub encrypted: bool,
    pub decrypted_copy: bool,
    pub response: bool,
    /// How the payloads below are known.
    pub body: Visibility,
    pub payloads: Vec<Named>,
    pub notifies: Vec<NotifyJson>,
    pub ke_group: Option<Named>,
    pub ke_length: Option<usize>,
    pub offer: Option<OfferJson>,
    pub ids: Vec<IdJson<'a>>,
    pub encrypted_length: Option<usize>,
    pub ike_fragment: Option<(u16, u16)>,
    pub frag_id: Option<u16>,
    pub deletes: Vec<DeleteJson<'a>>,
    pub fragments: &'a [FrameNo],
    pub malformed: Option<&'a str>,
    pub truncated: bool,
}

/// An offered or chosen SA payload, every algorithm as `{number, name}`.
#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OfferJson {
    V1(Vec<V1TransformJson>),
    V2(Vec<V2ProposalJson>),
}

#[derive(Serialize)]
pub struct V1TransformJson {
    pub protocol: Named,
    pub encryption: Option<Named>,
    pub key_length: Option<u16>,
    pub hash: Option<Named>,
    pub auth_method: Option<Named>,
    pub group: Option<Named>,
    pub life_seconds: Option<u64>,
}

#[derive(Serialize)]
pub struct EncrJson {
    pub number: u32,
    pub name: Option<&'static str>,
    pub key_length: Option<u16>,
}

#[derive(Serialize)]
pub struct V2ProposalJson {
    pub protocol: Named,
    pub encr: Vec<EncrJson>,
    pub prf: Vec<Named>,
    pub integ: Vec<Named>,
    pub dh: Vec<Named>,
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

/// Per-tunnel ESP/AH totals over every SA.
#[derive(Serialize, Default)]
pub struct EspTotalsJson {
    pub sas: usize,
    pub packets: u64,
    pub bytes: u64,
    pub lost: u64,
    pub replayed: u64,
    pub reordered: u64,
}

/// How much of each tunnel the per-file JSON holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Detail {
    /// Per-SA states, ESP statistics, verdicts and message counts
    /// (`ikescope FILE --json`).
    #[default]
    Summary,
    /// The summary plus every IKE message of every SA
    /// (`ikescope FILE --json --messages`).
    Messages,
}

#[derive(Serialize)]
pub struct CauseJson {
    pub code: &'static str,
    pub text: &'static str,
}

#[derive(Serialize)]
pub struct VerdictJson<'a> {
    pub code: Code,
    pub severity: Severity,
    /// `decrypted`, `logged`, `clear` or `inferred`.
    pub basis: Basis,
    pub cause: Option<CauseJson>,
    pub frames: &'a [FrameNo],
    pub lines: &'a [LogLine],
    pub message: &'a str,
    pub candidates: &'a [String],
    pub offered: Vec<String>,
    pub checks: &'static [&'static str],
    pub repeats: usize,
    /// Refused proxy identities / traffic selectors, read decrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_ids: Option<Box<ProxyIdsJson<'a>>>,
}

/// A refused child-SA request's selectors, and the same as configuration
/// lines (ASA crypto ACL both ways, strongSwan `local_ts`/`remote_ts`).
#[derive(Serialize)]
pub struct ProxyIdsJson<'a> {
    pub frame: FrameNo,
    pub initiator: std::net::IpAddr,
    pub responder: std::net::IpAddr,
    pub selectors: &'a crate::flow::decrypted::Selectors,
    pub config: Vec<String>,
}

fn offer(o: &Offer) -> OfferJson {
    let opt = |t: &Table, v: Option<u16>| v.map(|v| named(t, v));
    match o {
        Offer::V1(ts) => OfferJson::V1(
            ts.iter()
                .map(|t| {
                    let phase1 = t.protocol_id == 1;
                    let (enc, hash) = if phase1 {
                        (&ikev1::IKE_ENCRYPTION, &ikev1::IKE_HASH)
                    } else if t.protocol_id == 2 {
                        (&ikev1::TRANSFORMS_AH, &ikev1::IPSEC_AUTH_ALGORITHM)
                    } else {
                        (&ikev1::TRANSFORMS_ESP, &ikev1::IPSEC_AUTH_ALGORITHM)
                    };
                    V1TransformJson {
                        protocol: named(&ikev1::PROTOCOL_IDS, t.protocol_id),
                        encryption: opt(enc, t.encryption),
                        key_length: t.key_length,
                        hash: opt(hash, t.hash),
                        auth_method: opt(&ikev1::IKE_AUTH_METHOD, t.auth_method),
                        group: opt(&ikev1::GROUPS, t.group),
                        life_seconds: t.life_seconds,
                    }
                })
                .collect(),
        ),
        Offer::V2(ps) => OfferJson::V2(
            ps.iter()
                .map(|p| V2ProposalJson {
                    protocol: named(&ikev2::SECURITY_PROTOCOLS, p.protocol_id),
                    encr: p
                        .encr
                        .iter()
                        .map(|&(id, key_length)| EncrJson {
                            number: id.into(),
                            name: ikev2::ENCR_IDS.name(id.into()),
                            key_length,
                        })
                        .collect(),
                    prf: p.prf.iter().map(|&x| named(&ikev2::PRF_IDS, x)).collect(),
                    integ: p
                        .integ
                        .iter()
                        .map(|&x| named(&ikev2::INTEG_IDS, x))
                        .collect(),
                    dh: p.dh.iter().map(|&x| named(&ikev2::DH_GROUPS, x)).collect(),
                })
                .collect(),
        ),
    }
}

/// How a message relates to earlier ones, as JSON.
pub fn copy(c: Copy) -> CopyJson {
    let (kind, of) = match c {
        Copy::Original => ("original", None),
        Copy::RetransmissionOf(f) => ("retransmission", Some(f)),
        Copy::CaptureDuplicateOf(f) => ("capture-duplicate", Some(f)),
        Copy::DecryptedTwinOf(f) => ("decrypted-twin", Some(f)),
    };
    CopyJson { kind, of }
}

pub fn message(m: &IkeMsg) -> MessageJson<'_> {
    let v2 = m.version == 2;
    let (exchanges, payloads, notifies, groups, protocols) = if v2 {
        (
            &ikev2::EXCHANGE_TYPES,
            &ikev2::PAYLOAD_TYPES,
            &ikev2::NOTIFY_TYPES,
            &ikev2::DH_GROUPS,
            &ikev2::SECURITY_PROTOCOLS,
        )
    } else {
        (
            &ikev1::EXCHANGE_TYPES,
            &ikev1::PAYLOAD_TYPES,
            &ikev1::NOTIFY_TYPES,
            &ikev1::GROUPS,
            &ikev1::PROTOCOL_IDS,
        )
    };
    MessageJson {
        frame: m.frame,
        time: m.ts,
        source: &m.source,
        src: m.src,
        dst: m.dst,
        dir: m.dir,
        step: m.step.to_string(),
        copy: copy(m.copy),
        twin: m.twin,
        exchange: named(exchanges, m.exchange_type),
        flags: m.flags,
        message_id: m.message_id,
        length: m.length,
        encrypted: m.encrypted,
        decrypted_copy: m.decrypted_copy,
        response: m.response,
        body: m.obs.body,
        payloads: m
            .payload_types
            .iter()
            .map(|&p| named(payloads, p))
            .collect(),
        notifies: m
            .notifies
            .iter()
            .map(|n| NotifyJson {
                notify_type: Named {
                    number: n.notify_type.into(),
                    name: n.name.or_else(|| notifies.name(n.notify_type.into())),
                },
                value: n.value,
                visibility: n.visibility,
            })
            .collect(),
        ke_group: m.ke_group.map(|g| named(groups, g)),
        ke_length: m.ke_length,
        offer: m.offer.as_ref().map(offer),
        ids: m
            .ids
            .iter()
            .map(|i| IdJson {
                value: &i.value,
                visibility: i.visibility,
            })
            .collect(),
        encrypted_length: m.encrypted_length,
        ike_fragment: m.ike_fragment,
        frag_id: m.frag_id,
        deletes: m
            .deletes
            .iter()
            .map(|d| DeleteJson {
                protocol: named(protocols, d.protocol_id),
                spis: &d.spis,
                visibility: d.visibility,
            })
            .collect(),
        fragments: &m.fragments,
        malformed: m.malformed.as_deref(),
        truncated: m.truncated,
    }
}

fn phase1(sa: &IkeSa, st: &SaState) -> Phase1Json {
    let p = &st.phase1;
    Phase1Json {
        last_message: p.last_message.map(|s| s.to_string()),
        text: phase1_text(sa, st),
        state_ios: p.ios,
        state_asa: p.asa,
        complete: p.complete,
        ispi: format!("{:016x}", sa.ispi),
        rspi: format!("{:016x}", sa.rspi),
    }
}

fn phase2(c: &ChildExchange) -> Phase2Json {
    Phase2Json {
        message_id: c.message_id,
        last_message: c.last.to_string(),
        complete: c.answered,
        frames: c.frames.clone(),
        retransmits: c.retransmits,
    }
}

pub fn verdict(v: &Verdict) -> VerdictJson<'_> {
    VerdictJson {
        code: v.code,
        severity: v.severity,
        basis: v.basis,
        cause: v.cause.map(|c| CauseJson {
            code: c.code(),
            text: c.text(),
        }),
        frames: &v.frames,
        lines: &v.lines,
        message: &v.message,
        candidates: &v.candidates,
        offered: match &v.offered {
            Some(Offered::V1(t)) => config::v1_phase1(t),
            Some(Offered::V2(p)) => config::v2_ike(p),
            None => Vec::new(),
        },
        checks: advice::info(v.code).checks,
        repeats: v.repeats,
        proxy_ids: v.proxy_ids.as_ref().map(|p| {
            Box::new(ProxyIdsJson {
                frame: p.frame,
                initiator: p.initiator,
                responder: p.responder,
                selectors: &p.selectors,
                config: super::acl::lines(p),
            })
        }),
    }
}

fn esp_totals(t: &Tunnel) -> EspTotalsJson {
    t.esp.iter().fold(
        EspTotalsJson {
            sas: t.esp.len(),
            ..EspTotalsJson::default()
        },
        |mut a, e| {
            a.packets += e.packets;
            a.bytes += e.bytes;
            a.lost += e.seq.lost;
            a.replayed += e.seq.replayed;
            a.reordered += e.seq.reordered;
            a
        },
    )
}

fn esp(t: &Tunnel) -> Vec<EspJson> {
    t.esp
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
        .collect()
}

/// The JSON `format` value.
pub fn format_name(f: crate::capture::Format) -> &'static str {
    match f {
        crate::capture::Format::Pcap => "pcap",
        crate::capture::Format::PcapNg => "pcapng",
        crate::capture::Format::CiscoText => "cisco-text",
    }
}

/// Build the JSON summary of one file (no message lists).
pub fn file_json(f: &FileAnalysis) -> FileJson<'_> {
    file_json_with(f, Detail::Summary)
}

/// Build the JSON view of one file with the given detail.
pub fn file_json_with(f: &FileAnalysis, detail: Detail) -> FileJson<'_> {
    let tunnels = f
        .tunnels
        .iter()
        .map(|tr| {
            let t = &tr.tunnel;
            let first = t.ike_sas.first().zip(tr.sas.first());
            TunnelJson {
                peers: [t.peers[0].to_string(), t.peers[1].to_string()],
                initiator: first.map(|(s, _)| s.initiator),
                responder: first.map(|(s, _)| s.responder),
                ike_version: first.map(|(s, _)| s.version),
                mode: first.map(|(s, _)| s.mode.as_str()),
                phase1: first.map(|(s, st)| phase1(s, st)),
                phase2: tr
                    .sas
                    .iter()
                    .flat_map(|st| st.children.iter().map(phase2))
                    .collect(),
                ike_sas: t
                    .ike_sas
                    .iter()
                    .zip(&tr.sas)
                    .map(|(s, st)| SaJson {
                        ike_version: s.version,
                        ispi: format!("{:016x}", s.ispi),
                        rspi: format!("{:016x}", s.rspi),
                        initiator: s.initiator,
                        responder: s.responder,
                        mode: s.mode.as_str(),
                        phase1: phase1(s, st),
                        phase2_text: phase2_text(s, st),
                        phase2: st.children.iter().map(phase2).collect(),
                        message_count: s.messages.len(),
                        messages: (detail == Detail::Messages)
                            .then(|| s.messages.iter().map(message).collect()),
                        dropped_messages: s.dropped_messages,
                        nat: &s.nat,
                    })
                    .collect(),
                esp: esp(t),
                esp_totals: esp_totals(t),
                keepalives: t.keepalives.len(),
                dropped_ike_sas: t.dropped_sas,
                verdicts: tr.verdicts.iter().map(verdict).collect(),
                worst: tr.worst(),
                wireshark_filter: wireshark_filter(t),
            }
        })
        .collect();
    FileJson {
        schema: SCHEMA_VERSION,
        file: &f.path,
        format: f.read.as_ref().map(|r| format_name(r.format)),
        compressed: f.read.as_ref().is_some_and(|r| r.compressed),
        frames: f.frames,
        ipsec_packets: f.ipsec_packets,
        filtered: f.filtered,
        error: f.error.as_deref(),
        input_failed: f.input_failed(),
        notices: &f.notices,
        logs: &f.logs,
        worst: f.worst(),
        tunnels,
        decryption: f.decryption.as_ref(),
    }
}

/// Write one file's analysis as a JSON document: the summary.
pub fn write_file(out: &mut dyn Write, f: &FileAnalysis, pretty: bool) -> io::Result<()> {
    write_file_with(out, f, pretty, Detail::Summary)
}

/// Write one file's analysis as a JSON document with the given detail.
pub fn write_file_with(
    out: &mut dyn Write,
    f: &FileAnalysis,
    pretty: bool,
    detail: Detail,
) -> io::Result<()> {
    let j = file_json_with(f, detail);
    if pretty {
        serde_json::to_writer_pretty(&mut *out, &j)?;
    } else {
        serde_json::to_writer(&mut *out, &j)?;
    }
    writeln!(out)
}
