//! ikescope: where and why an IPsec VPN negotiation failed, from a packet capture.
//!
//! Data flows one way, and a module imports only the ones before it:
//!
//! ```text
//! capture → net → {ike, esp} → flow → diagnose → analysis → report
//!  (frames)  (datagrams) (messages)  (tunnels) (verdicts) (results) (table, ladder, JSON)
//! ```
//!
//! Device and daemon logs (`logs`) enter beside `capture`: log lines become
//! events, and (in `flow`) observations like packets.
//!
//! See `docs/architecture.md` for the core types.
//!
//! `registry` (IANA and vendor tables), `bytes` (checked readers) and `civil`
//! (dates and times of day as devices write them) are leaves
//! that any layer may use. `app` wires the layers for the command line.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod app;
pub mod bytes;
pub mod capture;
pub mod civil;
pub mod diagnose;
pub mod esp;
pub mod flow;
pub mod ike;
pub mod keys;
pub mod logs;
pub mod net;
pub mod registry;
pub mod report;
