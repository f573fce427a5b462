//! Vendor ID database: known Vendor ID payload values and prefixes.
