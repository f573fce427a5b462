//! Names for protocol numbers: one table per IANA (or vendor) registry.
//!
//! Every table is data: rows of `(first, last, name)` with the registry or RFC it
//! comes from. A lookup of an unknown value returns `None`, and callers keep and
//! print the number. This module imports nothing from the rest of the crate.

pub mod cause;
pub mod icmp;
pub mod ikev1;
pub mod ikev2;
pub mod ip;
pub mod proto;
pub mod strongswan;
pub mod vendor;

/// One row: the values `first..=last` carry `name`.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub first: u32,
    pub last: u32,
    pub name: &'static str,
}

/// A shorthand for a row naming a single value.
pub const fn e(value: u32, name: &'static str) -> Entry {
    Entry {
        first: value,
        last: value,
        name,
    }
}

/// A shorthand for a row naming a range (private use, reserved...).
pub const fn r(first: u32, last: u32, name: &'static str) -> Entry {
    Entry { first, last, name }
}

/// A registry table.
#[derive(Debug)]
pub struct Table {
    /// What the table names, e.g. "IKEv2 Notify Message Types".
    pub title: &'static str,
    /// Where the values come from: RFC section or IANA registry.
    pub source: &'static str,
    pub entries: &'static [Entry],
}

impl Table {
    /// The name of `value`, if the table has one. Exact rows win over ranges.
    pub fn name(&self, value: u32) -> Option<&'static str> {
        let mut range = None;
        for e in self.entries {
            if e.first == value && e.last == value {
                return Some(e.name);
            }
            if range.is_none() && e.first <= value && value <= e.last {
                range = Some(e.name);
            }
        }
        range
    }

    /// "name (number)", as the text output shows a registry value; `what
    /// number` when the table has no name for it.
    pub fn label(&self, value: u32, what: &str) -> String {
        match self.name(value) {
            Some(n) => format!("{n} ({value})"),
            None => format!("{what} {value}"),
        }
    }

    /// The name, or the number in decimal when the table has none.
    pub fn name_or_number(&self, value: u32) -> String {
        match self.name(value) {
            Some(n) => n.to_string(),
            None => format!("Unknown ({value})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static T: Table = Table {
        title: "test",
        source: "none",
        entries: &[r(10, 20, "range"), e(15, "exact")],
    };

    #[test]
    fn exact_beats_range() {
        assert_eq!(T.name(15), Some("exact"));
        assert_eq!(T.name(11), Some("range"));
        assert_eq!(T.name(9), None);
        assert_eq!(T.name_or_number(9), "Unknown (9)");
    }
}
