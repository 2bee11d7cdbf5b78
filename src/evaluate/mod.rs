//! Stage 4, evaluate: a pure function from (inventory, policy, today) to findings.
//!
//! In: `&Inventory`, `&ValidPolicy` and today's date. Out: [`Evaluation`] (findings and
//! coverage). No I/O and no printing happen here; one file per rule family. Advisory findings
//! are produced by the advisory stage and go through [`waivers::apply`] like every other.

pub mod advisories;
mod bans;
pub mod baseline;
mod finding;
pub mod licenses;
mod sources;
pub mod waivers;

pub use advisories::evaluate_advisories;
pub use finding::{
    AdvisoryRef, BaselineState, Coverage, CoverageEntry, Evaluation, Finding, FindingCode,
    PackageRef, Severity, WaiverRef,
};

use crate::inventory::Inventory;
use crate::policy::ValidPolicy;

/// How many dependency paths each finding shows.
pub const PATHS_PER_FINDING: usize = 3;

/// Evaluates every license, version and source rule, then applies waivers as of `today`.
pub fn evaluate(inventory: &Inventory, policy: &ValidPolicy, today: time::Date) -> Evaluation {
    let mut evaluation = evaluate_rules(inventory, policy);
    waivers::apply(&mut evaluation.findings, &policy.waivers, today);
    evaluation.sort();
    evaluation
}

/// The rule families without waivers (so other finding sources can be added before
/// [`waivers::apply`] runs once over all of them).
pub fn evaluate_rules(inventory: &Inventory, policy: &ValidPolicy) -> Evaluation {
    let mut findings = Vec::new();
    let mut coverage = Coverage {
        packages: inventory.packages().len(),
        ..Coverage::default()
    };
    licenses::evaluate(inventory, &policy.licenses, &mut findings, &mut coverage);
    bans::evaluate(inventory, &policy.bans, &mut findings, &mut coverage);
    sources::evaluate(inventory, &policy.sources, &mut findings, &mut coverage);
    for finding in &mut findings {
        if let Some(id) = finding.package_id {
            finding.paths = inventory.paths_to_display(id, PATHS_PER_FINDING);
        }
    }
    coverage.gaps = inventory.gaps.iter().map(|g| g.message.clone()).collect();
    Evaluation { findings, coverage }
}

/// True when the evaluation fails the gate at this threshold.
pub fn fails(evaluation: &Evaluation, fail_on: Severity) -> bool {
    evaluation.findings.iter().any(|f| f.severity <= fail_on)
}
