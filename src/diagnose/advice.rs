//! Verdict vocabulary: every code with its severity, a one-line meaning and
//! what to check on the boxes (Cisco ASA/IOS commands and the strongSwan /
//! libreswan equivalents). Codes are stable: add, never rename.

use super::{Code, Severity};

/// One verdict code.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    pub severity: Severity,
    /// What the verdict means, in the engineer's words.
    pub meaning: &'static str,
    /// What to look at on the gateways.
    pub checks: &'static [&'static str],
}

use Severity::*;

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: Code::Established,
        severity: Ok,
        meaning: "Phase 1 and phase 2 complete, ESP flowing both ways",
        checks: &[],
    },
    CodeInfo {
        code: Code::NoResponse,
        severity: Error,
        meaning: "The first message was sent and repeated, nothing came back: peer unreachable, UDP 500 filtered, or the peer is not configured for us",
        checks: &[
            "Reachability of the peer address and a route to it (ping / traceroute from the outside interface)",
            "UDP 500 and 4500 allowed on every firewall and ACL on the path (ASA: `packet-tracer input outside udp <peer> 500 <self> 500`)",
            "The peer has IKE enabled on the interface facing us (ASA: `crypto ikev1 enable outside` / `crypto ikev2 enable outside`; IOS: crypto map applied to the interface)",
            "The peer has a tunnel-group / crypto map entry / connection for our address (ASA: `show run tunnel-group`; strongSwan: `swanctl --list-conns`; libreswan: `ipsec status`)",
        ],
    },
    CodeInfo {
        code: Code::Phase1NoProposalChosen,
        severity: Error,
        meaning: "No Proposal Chosen to the first message = isakmp/IKE policy mismatch: the responder accepts none of the offered encryption/hash/group/authentication/lifetime combinations",
        checks: &[
            "Compare the proposals the initiator offered (shown as configuration under \"The initiator offered\") with the responder's policies (ASA: `show run crypto ikev1` / `show run crypto ikev2`; IOS: `show crypto isakmp policy`)",
            "Encryption, hash/PRF, DH group and authentication method must match one policy exactly; IKEv1 lifetimes may need to match too",
            "Responder-side debug shows which attribute failed (ASA: `debug crypto ikev1 127` / `debug crypto ikev2 protocol 64`; strongSwan: `charon.filelog` with `ike = 2`, look for 'no acceptable proposal')",
        ],
    },
    CodeInfo {
        code: Code::Phase1KeyExchangeStalled,
        severity: Error,
        meaning: "Main Mode message 3 (key exchange) sent, no message 4: the responder cannot compute or will not answer the Diffie-Hellman exchange, or the packets are lost on the way",
        checks: &[
            "Responder debug for errors after MM3 (ASA: `debug crypto ikev1 127`; IOS: `debug crypto isakmp`)",
            "NAT or a firewall dropping the larger MM3/MM4 packets (fragments), or inspecting UDP 500",
            "Crypto hardware / DH group support on the responder",
        ],
    },
    CodeInfo {
        code: Code::Phase1AuthFailed,
        severity: Error,
        meaning: "Phase 1 authentication failed (message 5 repeated without message 6, or an authentication error): most likely a pre-shared key mismatch, or an identity mismatch",
        checks: &[
            "The pre-shared key on both sides (ASA: `more system:running-config | include pre-shared-key` under the tunnel-group; IOS: `show run | include crypto isakmp key`; strongSwan: `secrets` in swanctl.conf)",
            "The identities each side sends and expects (ASA: `crypto isakmp identity address`; strongSwan: `local.id` / `remote.id`)",
            "Certificates and their trust chain when authenticating with signatures",
            "Responder debug names the failure (ASA: 'Hash verification failed' / 'Received an un-encrypted INVALID_HASH_INFO'; strongSwan: 'integrity check failed' / 'no shared key found')",
        ],
    },
    CodeInfo {
        code: Code::Phase1InvalidKe,
        severity: Info,
        meaning: "The responder answered INVALID_KE_PAYLOAD: it wants another Diffie-Hellman group than the one the initiator guessed",
        checks: &[
            "Order the initiator's groups so the preferred one is first (ASA: `crypto ikev2 policy` group order; strongSwan: first DH group of `proposals`)",
        ],
    },
    CodeInfo {
        code: Code::Phase2NoProposalChosen,
        severity: Error,
        meaning: "Phase 2 proposal refused: transform set or PFS mismatch",
        checks: &[
            "Transform sets / IPsec proposals on both sides (ASA: `show run crypto ipsec`; IOS: `show crypto ipsec transform-set`; strongSwan: `esp_proposals`)",
            "PFS: both sides must agree whether to use it and on the group (ASA: `crypto map <name> <seq> set pfs group14`; strongSwan: a DH group in `esp_proposals`)",
            "The Cisco guide tells them apart: a transform set mismatch is logged as 'All IPSec SA proposals found unacceptable' (ASA 713257 'Phase 2 failure: Mismatched attribute types'; strongSwan 'no matching proposal found' with received and configured ESP proposals differing in cipher or integrity); a PFS mismatch as 'Mismatch: Overriding phase 2 DH Group' (ASA 713133) or, on the ASA side, 'QM FSM error' (proposals equal but for the DH group)",
        ],
    },
    CodeInfo {
        code: Code::Phase2InvalidId,
        severity: Error,
        meaning: "Invalid ID information / TS_UNACCEPTABLE: crypto ACL / proxy-ID (traffic selector) mismatch",
        checks: &[
            "The crypto ACLs must be mirror images on both sides (ASA: `show run access-list <crypto-acl>`; `show crypto ipsec sa` shows the proxy identities)",
            "strongSwan `local_ts` / `remote_ts`, libreswan `leftsubnet` / `rightsubnet`",
            "ASA responder log: 'QM FSM error' / 'crypto map ... not found' (713061, 713902)",
        ],
    },
    CodeInfo {
        code: Code::Phase2NoResponse,
        severity: Error,
        meaning: "Quick Mode message 1 repeated without message 2: the peer silently drops the phase 2 request",
        checks: &[
            "Responder debug for the Quick Mode (ASA: `debug crypto ikev1 127`; IOS: `debug crypto ipsec`)",
            "Phase 1 may be up on one side only (`show crypto isakmp sa` on both)",
        ],
    },
    CodeInfo {
        code: Code::Phase2Unconfirmed,
        severity: Warning,
        meaning: "The Quick Mode responder repeated QM2 after QM3: it did not take QM3, so its side of the SA may be missing",
        checks: &[
            "`show crypto ipsec sa` on the responder: is the SA there, with decaps counting?",
            "Responder debug for a HASH(3) failure (ASA: `debug crypto ikev1 127`)",
        ],
    },
    CodeInfo {
        code: Code::Phase2Rejected,
        severity: Error,
        meaning: "Phase 1 up, but phase 2 was answered only by an encrypted Informational: transform set, PFS or proxy-ID mismatch. The notification is encrypted, so the capture cannot tell which",
        checks: &[
            "Responder logs name the reason (ASA: `debug crypto ikev1 127`, syslog 713061/713902; strongSwan: 'no acceptable proposal found' or 'no matching CHILD_SA config')",
            "Compare transform sets and PFS (ASA: `show run crypto ipsec`, `show run crypto map`)",
            "Compare crypto ACLs / proxy IDs (they must mirror each other)",
            "To read the notification: decrypt with the IKE keys (Wireshark ISAKMP decryption table; strongSwan save-keys plugin)",
        ],
    },
    CodeInfo {
        code: Code::AuthFailed,
        severity: Error,
        meaning: "IKEv2 authentication failed: AUTHENTICATION_FAILED, or an IKE_AUTH answer too small to carry IDr and AUTH",
        checks: &[
            "Pre-shared keys on both sides (ASA: `tunnel-group <peer> ipsec-attributes` / `ikev2 remote-authentication pre-shared-key`; IOS FlexVPN: keyring; strongSwan: `secrets`)",
            "Local and remote identities (ASA: `crypto isakmp identity`; strongSwan: `local.id`, `remote.id`)",
            "Certificates and trustpoints when using signatures (ASA: `show crypto ca certificates`)",
        ],
    },
    CodeInfo {
        code: Code::IkeAuthRejected,
        severity: Error,
        meaning: "IKE_AUTH was answered, but no child SA and no ESP followed; the reason is encrypted",
        checks: &[
            "Traffic selectors / crypto ACLs (ASA: `show run access-list`; strongSwan: `local_ts` / `remote_ts`)",
            "Child SA proposals (ASA: `crypto ipsec ikev2 ipsec-proposal`; strongSwan: `esp_proposals`)",
            "Authentication settings, if the answer was the initiator rejecting the responder",
            "Responder debug (ASA: `debug crypto ikev2 protocol 64`; strongSwan: `swanctl --log`)",
        ],
    },
    CodeInfo {
        code: Code::IkeAuthNoResponse,
        severity: Error,
        meaning: "IKE_AUTH sent and repeated without an answer after a successful IKE_SA_INIT",
        checks: &[
            "Large IKE_AUTH messages (certificates) being fragmented and the fragments dropped: enable IKEv2 fragmentation (ASA: `crypto ikev2 fragmentation`; strongSwan: `fragmentation = yes`)",
            "A NAT or firewall dropping UDP 4500 after the float",
            "Responder debug (ASA: `debug crypto ikev2 protocol 64`)",
        ],
    },
    CodeInfo {
        code: Code::EspOneWay,
        severity: Error,
        meaning: "ESP seen in one direction only",
        checks: &[
            "`show crypto ipsec sa` on both sides: encaps increasing and decaps not (or the reverse) shows who does not receive",
            "NAT exemption (no-NAT / identity NAT) for the protected subnets on the silent side",
            "Routing of the return traffic into the tunnel on the silent side, and ACLs dropping ESP (IP protocol 50) or UDP 4500 on the path",
        ],
    },
    CodeInfo {
        code: Code::EspLoss,
        severity: Warning,
        meaning: "Gaps in ESP sequence numbers: packets lost before the capture point",
        checks: &[
            "Interface errors and drops on the path (`show interface`, ASA `show asp drop`)",
            "Capture buffer overruns (the capture may itself have dropped packets)",
        ],
    },
    CodeInfo {
        code: Code::EspReplay,
        severity: Warning,
        meaning: "ESP sequence numbers repeated: duplicated or replayed packets, which the receiver drops",
        checks: &[
            "ASA `show crypto ipsec sa` replay errors, syslog 402123; IOS `%CRYPTO-4-PKT_REPLAY_ERR`",
            "Duplicate paths (span/capture on two interfaces) or QoS reordering",
        ],
    },
    CodeInfo {
        code: Code::InvalidSpi,
        severity: Error,
        meaning: "INVALID-SPI: a peer receives ESP for an SA it does not have (out-of-sync SAs after a reboot or a delete)",
        checks: &[
            "Clear the SAs on both sides (ASA: `clear crypto ipsec sa peer <ip>`)",
            "Enable invalid-SPI recovery (IOS: `crypto isakmp invalid-spi-recovery`) and DPD",
        ],
    },
    CodeInfo {
        code: Code::DpdTimeout,
        severity: Error,
        meaning: "Dead peer detection went unanswered: the peer stopped answering on an established SA",
        checks: &[
            "Peer reachability and whether the peer still has the IKE SA (`show crypto isakmp sa`)",
            "DPD settings (ASA: `isakmp keepalive threshold`; strongSwan: `dpd_delay`)",
        ],
    },
    CodeInfo {
        code: Code::Deleted,
        severity: Info,
        meaning: "An SA was torn down by a Delete",
        checks: &["Logs of the deleting side for the reason (idle timeout, lifetime, administrative clear)"],
    },
    CodeInfo {
        code: Code::NatDetected,
        severity: Info,
        meaning: "NAT-T in use: a NAT was detected between the peers",
        checks: &[
            "NAT-T enabled on both sides (ASA: `crypto isakmp nat-traversal`)",
            "UDP 4500 allowed end to end",
        ],
    },
    CodeInfo {
        code: Code::EspNotEncapsulated,
        severity: Warning,
        meaning: "NAT was detected but ESP still travels as IP protocol 50: a NAT will not translate it",
        checks: &["NAT-T negotiation on both sides; force encapsulation (strongSwan `encap = yes`; ASA `crypto isakmp nat-traversal`)"],
    },
    CodeInfo {
        code: Code::FragmentationSuspected,
        severity: Warning,
        meaning: "Large IKE messages repeated without reply, or IP fragments that never completed: fragments are being dropped",
        checks: &[
            "IKE fragmentation (IKEv1: ASA `crypto ikev1 fragmentation`, strongSwan `fragmentation = yes`; IKEv2 RFC 7383: ASA `crypto ikev2 fragmentation`)",
            "Path MTU and firewalls dropping IP fragments",
            "Smaller certificates / chains",
        ],
    },
    CodeInfo {
        code: Code::IncompleteCapture,
        severity: Info,
        meaning: "The capture starts mid-exchange or shows one direction only: conclusions are limited to what was captured",
        checks: &["Capture on the outside interface in both directions from before the tunnel is initiated (ASA: `capture CAP type isakmp interface outside`)"],
    },
    CodeInfo {
        code: Code::Rekeyed,
        severity: Info,
        meaning: "The SAs were rekeyed: new SPIs replaced the old ones",
        checks: &[],
    },
    CodeInfo {
        code: Code::NoTraffic,
        severity: Info,
        meaning: "The tunnel was negotiated but no ESP was captured",
        checks: &["Interesting traffic matching the crypto ACL / traffic selectors", "A capture filter that left ESP out"],
    },
    CodeInfo {
        code: Code::PayloadsAbsent,
        severity: Info,
        meaning: "The capture is a console summary without packet bytes: only addresses, ports, lengths and timing were analysed",
        checks: &["Capture with `show capture NAME dump` or export a pcap (`copy /pcap capture:NAME`)"],
    },
    CodeInfo {
        code: Code::IcmpUnreachable,
        severity: Warning,
        meaning: "IPsec packets were answered by ICMP destination unreachable: the peer or a device on the path refuses them",
        checks: &[
            "Port unreachable: the IKE service at that address (ASA: `show run crypto ikev1` / `crypto ikev1 enable outside`; strongSwan: is charon running?)",
            "Administratively prohibited: ACLs / firewall policy at the reporting device",
            "Protocol unreachable for ESP: the receiver has no IPsec for it",
        ],
    },
    CodeInfo {
        code: Code::Malformed,
        severity: Warning,
        meaning: "Malformed IKE messages in the capture",
        checks: &["The frames named: a broken implementation, a middlebox rewriting UDP 500, or capture truncation (snaplen)"],
    },
    CodeInfo {
        code: Code::SelectorViolation,
        severity: Warning,
        meaning: "Decrypted ESP carries inner packets outside the selectors negotiated for its SA: the receiver drops them (ASA syslog 402116 'decapsulated inner packet doesn't match the negotiated policy')",
        checks: &[
            "The sender's crypto ACL / traffic selectors versus the SA's (ASA: `show crypto ipsec sa` local/remote ident; strongSwan: `swanctl --list-sas`)",
            "Routing on the sender: traffic for other subnets routed into the tunnel (route-based VPN with a narrower policy, overlapping crypto map entries)",
            "NAT before encryption changing the inner source (ASA: `nat (inside,outside) source static … destination static …` exemption)",
        ],
    },
    CodeInfo {
        code: Code::AggressiveModePsk,
        severity: Warning,
        meaning: "Aggressive Mode with a pre-shared key exposes a hash of the key to offline guessing (RFC 2409 §5.4 / CVE-2002-1623): anyone who captures the exchange can test candidate keys",
        checks: &[
            "Use Main Mode or IKEv2 for site-to-site tunnels (ASA: `crypto ikev1 am-disable`; IOS: `crypto isakmp aggressive-mode disable`; strongSwan: `aggressive = no`)",
            "If Aggressive Mode must stay (remote access with group names), use certificates or a long random pre-shared key, and change the key that was exposed",
        ],
    },
];

/// Look up a code's description.
pub fn info(code: Code) -> &'static CodeInfo {
    CODES
        .iter()
        .find(|c| c.code == code)
        .expect("every Code has a row in CODES (checked by a test)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_exactly_one_row() {
        for &c in Code::ALL {
            assert_eq!(CODES.iter().filter(|r| r.code == c).count(), 1, "{c}");
            assert_eq!(Code::from_text(c.as_str()), Some(c));
        }
        assert_eq!(CODES.len(), Code::ALL.len());
    }
}
