//! The analysis result the views print lives in [`crate::analysis`]; these
//! names stay here for callers that reach them through `report`.

pub use crate::analysis::{FileAnalysis, FileNotice, SaState, TunnelReport};
