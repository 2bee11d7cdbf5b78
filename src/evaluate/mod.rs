//! Stage 4, evaluate: a pure function from (inventory, policy, facts, today) to findings.
//!
//! In: `&Inventory`, `&ValidPolicy` and enrichment facts. Out: [`Evaluation`] (findings and
//! coverage). No I/O and no printing happen here; one file per rule family.

pub mod advisories;
mod finding;

pub use advisories::evaluate_advisories;
pub use finding::{
    AdvisoryRef, BaselineState, Coverage, CoverageEntry, Evaluation, Finding, FindingCode,
    PackageRef, Severity, WaiverRef,
};
