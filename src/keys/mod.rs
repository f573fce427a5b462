//! Key tables for decrypting IKE and ESP: Wireshark's `ikev1_decryption_table`,
//! `ikev2_decryption_table` and `esp_sa` files, read exactly as Wireshark's
//! UAT reader reads them and as strongSwan's `save-keys` plugin writes them,
//! so a user can point ikescope at the folder Wireshark already uses.
//!
//! A leaf module: it knows nothing of captures or packets. Key material lives
//! in [`Secret`], whose `Debug` prints only its length; no output path of
//! ikescope prints a key.

pub mod crypto;
mod names;
mod uat;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub use crypto::{CryptoError, Encr, Hash, Integ};

/// Key bytes. `Debug` and `Display` never show them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

/// Where a key came from: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One `ikev1_decryption_table` row: initiator cookie and the phase-1
/// encryption key (already cut or expanded to the cipher's key length).
#[derive(Debug, Clone)]
pub struct Ikev1Key {
    pub icookie: u64,
    pub key: Secret,
    pub origin: Origin,
}

/// One `ikev2_decryption_table` row.
#[derive(Debug, Clone)]
pub struct Ikev2Key {
    pub ispi: u64,
    pub rspi: u64,
    pub sk_ei: Secret,
    pub sk_er: Secret,
    pub encr: Encr,
    pub sk_ai: Secret,
    pub sk_ar: Secret,
    pub integ: Integ,
    pub origin: Origin,
}

/// Address family column of `esp_sa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
    Any,
}

/// An address column of `esp_sa`: `*`, an address, or a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrMatch {
    Any,
    Prefix(IpAddr, u8),
}

impl AddrMatch {
    pub fn matches(&self, a: IpAddr) -> bool {
        match *self {
            AddrMatch::Any => true,
            AddrMatch::Prefix(p, len) => match (p, a) {
                (IpAddr::V4(p), IpAddr::V4(a)) => {
                    let m = u32::MAX
                        .checked_shl(32 - u32::from(len.min(32)))
                        .unwrap_or(0);
                    u32::from(p) & m == u32::from(a) & m
                }
                (IpAddr::V6(p), IpAddr::V6(a)) => {
                    let m = u128::MAX
                        .checked_shl(128 - u32::from(len.min(128)))
                        .unwrap_or(0);
                    u128::from(p) & m == u128::from(a) & m
                }
                _ => false,
            },
        }
    }
}

/// One `esp_sa` row (Wireshark's ESP SA table).
#[derive(Debug, Clone)]
pub struct EspSa {
    pub family: Family,
    pub src: AddrMatch,
    pub dst: AddrMatch,
    /// `None` for `*`.
    pub spi: Option<u32>,
    pub encr: Encr,
    pub enc_key: Secret,
    pub integ: Integ,
    pub auth_key: Secret,
    pub origin: Origin,
}

impl EspSa {
    pub fn matches(&self, src: IpAddr, dst: IpAddr, spi: u32) -> bool {
        let fam = match self.family {
            Family::Any => true,
            Family::V4 => src.is_ipv4(),
            Family::V6 => src.is_ipv6(),
        };
        fam && self.spi.is_none_or(|s| s == spi) && self.src.matches(src) && self.dst.matches(dst)
    }
}

/// A line that could not be used, or a file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub file: PathBuf,
    /// 1-based; 0 when the whole file is meant.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// Which table a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Ikev1,
    Ikev2,
    Esp,
}

impl TableKind {
    /// Wireshark's file names for its UAT tables (in its profile folder).
    pub const FILES: [(&'static str, TableKind); 3] = [
        ("ikev1_decryption_table", TableKind::Ikev1),
        ("ikev2_decryption_table", TableKind::Ikev2),
        ("esp_sa", TableKind::Esp),
    ];

    pub fn from_file_name(name: &str) -> Option<TableKind> {
        Self::FILES
            .iter()
            .find(|(n, _)| name == *n || name.ends_with(&format!("_{n}")))
            .map(|&(_, k)| k)
    }
}

/// Every key loaded from one or more `--keys` paths, and the lines that were
/// not usable.
#[derive(Debug, Clone, Default)]
pub struct KeyTables {
    pub ikev1: Vec<Ikev1Key>,
    pub ikev2: Vec<Ikev2Key>,
    pub esp: Vec<EspSa>,
    /// Files that contributed at least one row.
    pub sources: Vec<PathBuf>,
    pub errors: Vec<KeyError>,
}

impl KeyTables {
    /// Load a table file or a directory holding Wireshark's table files.
    ///
    /// A file is recognised by its name (`esp_sa`, `ikev2_decryption_table`,
    /// `ikev1_decryption_table`, also with any prefix ending in `_`), or else
    /// by its column count (2 → IKEv1, 8 quoted first column → ESP, 8 → IKEv2).
    /// A directory is searched one level deep for the three names. Unreadable
    /// paths and bad lines land in [`KeyTables::errors`].
    pub fn load(path: &Path) -> KeyTables {
        let mut t = KeyTables::default();
        t.add_path(path);
        t
    }

    pub fn add_path(&mut self, path: &Path) {
        if path.is_dir() {
            let mut found = false;
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for p in entries {
                let kind = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(TableKind::from_file_name);
                if let (Some(kind), true) = (kind, p.is_file()) {
                    found = true;
                    self.add_file(&p, Some(kind));
                }
            }
            if !found {
                self.errors.push(KeyError {
                    file: path.to_path_buf(),
                    line: 0,
                    message: "no ikev1_decryption_table, ikev2_decryption_table or esp_sa file in this folder".into(),
                });
            }
        } else {
            let kind = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(TableKind::from_file_name);
            self.add_file(path, kind);
        }
    }

    fn add_file(&mut self, path: &Path, kind: Option<TableKind>) {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let before = self.ikev1.len() + self.ikev2.len() + self.esp.len();
                self.add_text(path, &text, kind);
                if self.ikev1.len() + self.ikev2.len() + self.esp.len() > before {
                    self.sources.push(path.to_path_buf());
                }
            }
            Err(e) => self.errors.push(KeyError {
                file: path.to_path_buf(),
                line: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }

    /// Parse table text as if read from `path` (errors name it).
    pub fn add_text(&mut self, path: &Path, text: &str, kind: Option<TableKind>) {
        for (i, line) in text.lines().enumerate() {
            let origin = Origin {
                file: path.to_path_buf(),
                line: i + 1,
            };
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let err = |message: String| KeyError {
                file: path.to_path_buf(),
                line: i + 1,
                message,
            };
            let fields = match uat::split(trimmed) {
                Ok(f) => f,
                Err(m) => {
                    self.errors.push(err(m));
                    continue;
                }
            };
            let kind = kind.or_else(|| uat::guess_kind(trimmed, fields.len()));
            let result = match kind {
                Some(TableKind::Ikev1) => uat::ikev1(&fields, origin).map(|k| self.ikev1.push(k)),
                Some(TableKind::Ikev2) => uat::ikev2(&fields, origin).map(|k| self.ikev2.push(k)),
                Some(TableKind::Esp) => uat::esp(&fields, origin).map(|k| self.esp.push(k)),
                None => Err(format!(
                    "{} fields: not an ikev1_decryption_table (2), ikev2_decryption_table or esp_sa (8) row",
                    fields.len()
                )),
            };
            if let Err(m) = result {
                self.errors.push(err(m));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ikev1.is_empty() && self.ikev2.is_empty() && self.esp.is_empty()
    }

    pub fn ikev1_key(&self, icookie: u64) -> Option<&Ikev1Key> {
        self.ikev1.iter().find(|k| k.icookie == icookie)
    }

    pub fn ikev2_key(&self, ispi: u64, rspi: u64) -> Option<&Ikev2Key> {
        self.ikev2.iter().find(|k| k.ispi == ispi && k.rspi == rspi)
    }

    /// The first `esp_sa` row that matches, as Wireshark takes it.
    pub fn esp_sa(&self, src: IpAddr, dst: IpAddr, spi: u32) -> Option<&EspSa> {
        self.esp.iter().find(|s| s.matches(src, dst, spi))
    }
}

#[cfg(test)]
mod tests;
