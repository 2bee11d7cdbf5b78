//! The shared vocabulary at the bottom of the pipeline: the words every stage uses and no stage
//! owns.
//!
//! In: nothing (this module imports no other module of the crate). Out: the rule table (every
//! rule id with its section, finding codes, default level and rationale, and a one-line
//! description per code), [`Severity`] and [`Level`], the SPDX license helpers, and the one
//! line indexer that turns byte offsets into lines and columns. `ingest`, `enrich`, `policy`,
//! `evaluate` and `report` all read these; none of them has to import another stage for them.

pub mod lines;
pub mod rules;
pub mod spdx;
pub mod vex;

pub use lines::{LineIndex, line_column};
pub use rules::{
    FindingCode, Level, RULES, RuleSpec, SBOM_FIELDS, SBOM_STANDARDS, Section, Severity,
};
