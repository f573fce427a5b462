//! Typed, borrowed representation of a decoded ISAKMP/IKE message.
//!
//! The serde shape of these types *is* the `isakmp` object of the JSON output
//! (`docs/json.md`): field names are part of the schema. Byte fields borrow
//! from the datagram and serialize as lowercase hex. Names (`name`, `notify`,
//! `transform`...) come from [`crate::registry`] at parse time and are `None`
//! (JSON `null`) for values the registry does not know; the number is always
//! kept beside them.

use serde::{Serialize, Serializer};

use super::error::IkeError;

/// Serialize bytes as lowercase hex.
pub fn ser_hex<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}

/// Serialize a u64 SPI as 16 lowercase hex digits.
pub fn ser_spi64<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{v:016x}"))
}

/// ISAKMP/IKE header, RFC 2408 §3.1 and RFC 7296 §3.1 (same 28-byte layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Header {
    // Fields in wire order (RFC 2408 §3.1, RFC 7296 §3.1): JSON and the
    // `packets -v` tree list them so, as Wireshark does.
    /// Initiator cookie / IKE SA initiator SPI.
    #[serde(serialize_with = "ser_spi64")]
    pub ispi: u64,
    /// Responder cookie / IKE SA responder SPI.
    #[serde(serialize_with = "ser_spi64")]
    pub rspi: u64,
    pub next_payload: u8,
    /// Major version: 1 (ISAKMP/IKEv1) or 2 (IKEv2).
    pub version: u8,
    pub minor_version: u8,
    pub exchange_type: u8,
    /// Exchange name from the registry of this version, or `None`.
    pub exchange: Option<&'static str>,
    pub flags: u8,
    pub message_id: u32,
    pub length: u32,
    /// IKEv1 E flag set, or IKEv2 body is an SK/SKF payload.
    pub encrypted: bool,
}

/// IKEv1 header flags, RFC 2408 §3.1.
pub mod v1_flags {
    pub const ENCRYPTION: u8 = 0x01;
    pub const COMMIT: u8 = 0x02;
    pub const AUTH_ONLY: u8 = 0x04;
}

/// IKEv2 header flags, RFC 7296 §3.1.
pub mod v2_flags {
    pub const INITIATOR: u8 = 0x08;
    pub const VERSION: u8 = 0x10;
    pub const RESPONSE: u8 = 0x20;
}

impl Header {
    /// IKEv2: the sender is the original initiator of the IKE SA (I flag).
    pub fn v2_initiator(&self) -> bool {
        self.version == 2 && self.flags & v2_flags::INITIATOR != 0
    }

    /// IKEv2: this message is a response (R flag).
    pub fn v2_response(&self) -> bool {
        self.version == 2 && self.flags & v2_flags::RESPONSE != 0
    }
}

/// A decoded message: the header, every payload that parsed (in wire order),
/// and the first error that stopped the walk, if any.
#[derive(Debug, Clone, Serialize)]
pub struct Message<'a> {
    #[serde(flatten)]
    pub header: Header,
    pub payloads: Vec<Payload<'a>>,
    /// The E flag is set but the body parsed cleanly as plain payloads: a
    /// decrypted copy (as ASA `capture type isakmp` records them).
    pub decrypted_copy: bool,
    /// Why the payload walk stopped early; payloads before it are kept.
    #[serde(serialize_with = "ser_opt_err")]
    pub malformed: Option<IkeError>,
}

fn ser_opt_err<S: Serializer>(e: &Option<IkeError>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_str(&e.to_string()),
        None => s.serialize_none(),
    }
}

impl<'a> Message<'a> {
    /// Iterate over payload bodies of one kind, e.g. `msg.notifies()`.
    pub fn notifies(&self) -> impl Iterator<Item = &Notify<'a>> {
        self.payloads.iter().filter_map(|p| match &p.body {
            Body::Notify(n) => Some(n),
            _ => None,
        })
    }

    pub fn sa(&self) -> Option<&Sa<'a>> {
        self.payloads.iter().find_map(|p| match &p.body {
            Body::Sa(s) => Some(s),
            _ => None,
        })
    }

    pub fn vendor_ids(&self) -> impl Iterator<Item = &VendorId<'a>> {
        self.payloads.iter().filter_map(|p| match &p.body {
            Body::VendorId(v) => Some(v),
            _ => None,
        })
    }
}

/// One payload: its generic header and decoded body.
#[derive(Debug, Clone, Serialize)]
pub struct Payload<'a> {
    /// Payload type number (RFC 2408 §3.1 / RFC 7296 §3.2).
    #[serde(rename = "type")]
    pub ptype: u8,
    pub name: Option<&'static str>,
    /// Offset of the payload's generic header from the start of the message.
    pub offset: usize,
    /// Payload length field (generic header included).
    pub length: u16,
    /// IKEv2 critical bit.
    pub critical: bool,
    #[serde(flatten)]
    pub body: Body<'a>,
}

/// Payload bodies. Untagged: each variant's fields sit beside the generic
/// payload fields in JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Body<'a> {
    Sa(Sa<'a>),
    Ke(Ke<'a>),
    Id(Id<'a>),
    Cert(Cert<'a>),
    /// HASH (v1), SIG (v1), NONCE, NAT-D (v1 20/130): opaque data.
    Data(Data<'a>),
    Notify(Notify<'a>),
    Delete(Delete<'a>),
    VendorId(VendorId<'a>),
    NatOa(NatOa<'a>),
    /// IKEv1 Attributes payload (mode-config/XAUTH) and IKEv2 CP.
    Config(Config<'a>),
    /// IKEv1 Cisco/Microsoft fragmentation payload (132).
    Fragment(Fragment<'a>),
    Auth(Auth<'a>),
    Ts(Ts),
    /// IKEv2 SK (46) and SKF (53).
    Encrypted(Encrypted),
    Eap(Eap<'a>),
    /// A payload type we do not decode: its body as hex.
    Unknown(Data<'a>),
}

/// SA payload. v1: RFC 2408 §3.4 with DOI and situation; v2: RFC 7296 §3.3.
#[derive(Debug, Clone, Serialize)]
pub struct Sa<'a> {
    /// v1 only.
    pub doi: Option<u32>,
    /// v1 only (IPsec DOI situation bitmap, RFC 2407 §4.2).
    pub situation: Option<u32>,
    pub proposals: Vec<Proposal<'a>>,
}

/// Proposal substructure, RFC 2408 §3.5 / RFC 7296 §3.3.1.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal<'a> {
    pub number: u8,
    pub protocol_id: u8,
    pub protocol: Option<&'static str>,
    #[serde(serialize_with = "ser_hex")]
    pub spi: &'a [u8],
    /// Number of transforms the proposal header announced.
    pub transform_count: u8,
    pub transforms: Vec<Transform<'a>>,
}

/// Transform substructure, RFC 2408 §3.6 / RFC 7296 §3.3.2.
#[derive(Debug, Clone, Serialize)]
pub struct Transform<'a> {
    /// v1 transform number; `None` for v2.
    pub number: Option<u8>,
    /// v2 transform type (1 ENCR, 2 PRF, 3 INTEG, 4 DH, 5 ESN); `None` for v1.
    pub transform_type: Option<u8>,
    pub transform_type_name: Option<&'static str>,
    /// v1 transform ID (KEY_IKE, ESP_AES...) or v2 transform ID.
    pub transform_id: u16,
    pub transform: Option<&'static str>,
    pub attributes: Vec<Attribute<'a>>,
}

/// Data attribute, RFC 2408 §3.3 (TV when the AF bit is set, else TLV).
#[derive(Debug, Clone, Serialize)]
pub struct Attribute<'a> {
    /// Attribute type without the AF bit.
    pub attr_type: u16,
    pub name: Option<&'static str>,
    /// Value as a number when it fits in 8 bytes (always for TV).
    pub value: Option<u64>,
    /// Name of the value (e.g. "AES-CBC" for Encryption Algorithm 7).
    pub value_name: Option<&'static str>,
    /// Raw value bytes for TLV attributes.
    #[serde(serialize_with = "ser_hex")]
    pub bytes: &'a [u8],
    /// AF bit: fixed-length TV form.
    pub tv: bool,
}

/// Key Exchange payload, RFC 2408 §3.7 / RFC 7296 §3.4.
#[derive(Debug, Clone, Serialize)]
pub struct Ke<'a> {
    /// v2: Diffie-Hellman group number carried in the payload.
    pub group: Option<u16>,
    pub group_name: Option<&'static str>,
    /// Key exchange data length in bytes (v1: implies the group).
    pub data_length: usize,
    #[serde(skip)]
    pub data: &'a [u8],
}

/// Identification payload: v1 RFC 2407 §4.6.2, v2 RFC 7296 §3.5.
#[derive(Debug, Clone, Serialize)]
pub struct Id<'a> {
    pub id_type: u8,
    pub id_type_name: Option<&'static str>,
    /// v1: IP protocol of the proxy identity (0 = any).
    pub protocol: u8,
    /// v1: port of the proxy identity (0 = any).
    pub port: u16,
    /// Human form: address, "a.b.c.d/mask", "a-b", FQDN, DN as hex...
    pub value: String,
    #[serde(serialize_with = "ser_hex")]
    pub data: &'a [u8],
}

/// CERT / CR (v1) and CERT / CERTREQ (v2).
#[derive(Debug, Clone, Serialize)]
pub struct Cert<'a> {
    pub encoding: u8,
    pub encoding_name: Option<&'static str>,
    pub data_length: usize,
    #[serde(skip)]
    pub data: &'a [u8],
}

/// Opaque payload data.
#[derive(Debug, Clone, Serialize)]
pub struct Data<'a> {
    #[serde(serialize_with = "ser_hex")]
    pub data: &'a [u8],
}

/// Notification payload, RFC 2408 §3.14 / RFC 7296 §3.10.
#[derive(Debug, Clone, Serialize)]
pub struct Notify<'a> {
    /// v1 only.
    pub doi: Option<u32>,
    pub protocol_id: u8,
    #[serde(serialize_with = "ser_hex")]
    pub spi: &'a [u8],
    pub notify_type: u16,
    /// Name from the notify table of the message's IKE version.
    pub notify: Option<&'static str>,
    #[serde(serialize_with = "ser_hex")]
    pub data: &'a [u8],
    /// What the notification data means, for the types we decode.
    pub detail: Option<NotifyDetail<'a>>,
}

/// Decoded notification data.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyDetail<'a> {
    /// DPD R-U-THERE / R-U-THERE-ACK sequence number (RFC 3706 §5).
    DpdSequence(u32),
    /// IKEv2 INVALID_KE_PAYLOAD: the group the responder accepts (RFC 7296 §3.10.1).
    AcceptedGroup(u16),
    /// IKEv1 RESPONDER-LIFETIME attributes (RFC 2407 §4.6.3.1).
    ResponderLifetime(Vec<Attribute<'a>>),
    /// NAT_DETECTION_SOURCE_IP / DESTINATION_IP hash (RFC 7296 §2.23).
    NatHash(#[serde(serialize_with = "ser_hex")] &'a [u8]),
    /// COOKIE value (RFC 7296 §2.6).
    Cookie(#[serde(serialize_with = "ser_hex")] &'a [u8]),
    /// REKEY_SA / other: SPI being rekeyed is in `spi`.
    Rekey,
    /// SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4).
    HashAlgorithms(Vec<u16>),
}

/// Delete payload, RFC 2408 §3.15 / RFC 7296 §3.11.
#[derive(Debug, Clone, Serialize)]
pub struct Delete<'a> {
    pub doi: Option<u32>,
    pub protocol_id: u8,
    pub protocol: Option<&'static str>,
    pub spi_size: u8,
    /// Each SPI, `spi_size` bytes.
    #[serde(serialize_with = "ser_spis")]
    pub spis: Vec<&'a [u8]>,
}

fn ser_spis<S: Serializer>(v: &[&[u8]], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(hex::encode))
}

/// Vendor ID payload with the database match, if any.
#[derive(Debug, Clone, Serialize)]
pub struct VendorId<'a> {
    #[serde(serialize_with = "ser_hex")]
    pub data: &'a [u8],
    /// Vendor/product name from the vendor-ID database.
    pub vendor: Option<String>,
}

/// NAT-OA payload, RFC 3947 §5.2.
#[derive(Debug, Clone, Serialize)]
pub struct NatOa<'a> {
    pub id_type: u8,
    pub address: String,
    #[serde(serialize_with = "ser_hex")]
    pub data: &'a [u8],
}

/// Attributes payload (IKEv1 mode-config/XAUTH, draft-dukes-ike-mode-cfg) and
/// IKEv2 Configuration payload (RFC 7296 §3.15).
#[derive(Debug, Clone, Serialize)]
pub struct Config<'a> {
    pub cfg_type: u8,
    pub cfg_type_name: Option<&'static str>,
    /// v1 identifier; `None` for v2.
    pub identifier: Option<u16>,
    pub attributes: Vec<ConfigAttribute<'a>>,
}

/// One configuration attribute; secrets are masked in `value`.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigAttribute<'a> {
    pub attr_type: u16,
    pub name: Option<&'static str>,
    /// Human form (address, number, text); `"********"` for passwords.
    pub value: String,
    #[serde(skip)]
    pub bytes: &'a [u8],
}

/// Cisco/Microsoft IKEv1 fragmentation payload (type 132).
#[derive(Debug, Clone, Serialize)]
pub struct Fragment<'a> {
    pub fragment_id: u16,
    pub fragment_number: u8,
    pub last: bool,
    pub data_length: usize,
    #[serde(skip)]
    pub data: &'a [u8],
}

/// IKEv2 Authentication payload, RFC 7296 §3.8.
#[derive(Debug, Clone, Serialize)]
pub struct Auth<'a> {
    pub method: u8,
    pub method_name: Option<&'static str>,
    pub data_length: usize,
    #[serde(skip)]
    pub data: &'a [u8],
}

/// IKEv2 Traffic Selector payload, RFC 7296 §3.13.
#[derive(Debug, Clone, Serialize)]
pub struct Ts {
    pub selectors: Vec<TrafficSelector>,
}

/// One traffic selector, RFC 7296 §3.13.1.
#[derive(Debug, Clone, Serialize)]
pub struct TrafficSelector {
    pub ts_type: u8,
    pub ts_type_name: Option<&'static str>,
    pub ip_protocol: u8,
    pub start_port: u16,
    pub end_port: u16,
    pub start_addr: String,
    pub end_addr: String,
}

/// IKEv2 SK (RFC 7296 §3.14) and SKF (RFC 7383 §2.5) payloads: opaque.
#[derive(Debug, Clone, Serialize)]
pub struct Encrypted {
    /// Type of the first payload inside the encrypted data.
    pub inner_next_payload: u8,
    /// SKF only.
    pub fragment_number: Option<u16>,
    /// SKF only.
    pub total_fragments: Option<u16>,
    /// IV, ciphertext and ICV together.
    pub data_length: usize,
}

/// IKEv2 EAP payload, RFC 7296 §3.16.
#[derive(Debug, Clone, Serialize)]
pub struct Eap<'a> {
    pub code: u8,
    pub identifier: u8,
    pub eap_type: Option<u8>,
    #[serde(skip)]
    pub data: &'a [u8],
}
