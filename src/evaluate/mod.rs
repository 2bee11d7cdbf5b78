//! Stage 4, evaluate: a pure function from (inventory, policy, today) to findings.
//!
//! In: `&Inventory`, `&ValidPolicy` and today's date. Out: [`Evaluation`] (findings and
//! coverage). No I/O and no printing happen here; one file per rule family. Advisory findings
//! are produced by the advisory stage and go through [`waivers::apply`] like every other.

pub mod advisories;
mod bans;
pub mod baseline;
pub mod build;
mod finding;
pub mod licenses;
pub mod policy_tests;
pub mod sbom_quality;
mod sources;
mod verdict;
pub mod vex;
pub mod waivers;

pub use verdict::{FailOn, Verdict, VerdictResult, gating_findings};

pub use crate::vocabulary::{FindingCode, Severity};
pub use advisories::evaluate_advisories;
pub use finding::{
    AdvisoryRef, BaselineState, Coverage, CoverageEntry, Evaluation, Finding, PackageRef, WaiverRef,
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

/// Advisory facts for one evaluation: the matches and the databases they came from.
#[derive(Debug, Clone, Copy)]
pub struct AdvisoryFacts<'a> {
    /// Matches of the inventory against the databases (vulnerabilities, informational,
    /// yanked, and "not evaluated" entries).
    pub matches: &'a [crate::enrich::advisories::AdvisoryMatch],
    /// The databases loaded (empty when none was available).
    pub databases: &'a [crate::enrich::advisories::DbInfo],
    /// `--allow-stale-db`: a stale or missing database is reported as a note, not a failure.
    pub allow_stale: bool,
    /// VEX documents (`--vex`) whose statements apply to the advisory findings.
    pub vex: &'a [crate::enrich::vex::VexDocument],
}

/// Evaluates every rule family including advisories, applies VEX statements to the advisory
/// findings, then applies waivers. Pure.
///
/// With no advisory database the gate fails closed: a `not-evaluated` finding at the
/// `advisories.db-age` rule's level says so (a note with `allow_stale`).
pub fn evaluate_with_advisories(
    inventory: &Inventory,
    policy: &ValidPolicy,
    advisories: &AdvisoryFacts<'_>,
    today: time::Date,
) -> Evaluation {
    evaluate_checked(inventory, policy, advisories, None, today)
}

/// [`evaluate_with_advisories`], plus the policy's `[sbom-quality]` findings for the scored
/// SBOM `check --sbom` was given (before waivers, so they can be waived like any other).
pub fn evaluate_checked(
    inventory: &Inventory,
    policy: &ValidPolicy,
    advisories: &AdvisoryFacts<'_>,
    sbom: Option<&sbom_quality::Score>,
    today: time::Date,
) -> Evaluation {
    let mut evaluation = evaluate_rules(inventory, policy);
    if let (Some(score), Some(quality)) = (sbom, &policy.sbom_quality) {
        evaluation
            .findings
            .extend(sbom_quality::policy_findings(score, quality));
    }
    let (mut findings, coverage) = evaluate_advisories(
        inventory,
        advisories.matches,
        &policy.advisories,
        advisories.databases,
        today,
    );
    let stale_rule = &policy.advisories.stale_db;
    if advisories.databases.is_empty()
        && let Some(severity) = stale_rule.level.severity()
    {
        let mut finding = Finding::new(
            FindingCode::NotEvaluated,
            stale_rule.id.clone(),
            severity,
            "no advisory database is available, so no package was checked for advisories: \
             run `depgate db update` or pass `--advisory-db PATH`",
        );
        finding.owner = Some(stale_rule.owner.clone());
        finding.rationale = Some(stale_rule.rationale.clone());
        findings.push(finding);
    }
    if advisories.allow_stale {
        for finding in &mut findings {
            if finding.rule == stale_rule.id {
                finding.severity = Severity::Note;
                finding.message.push_str(" (allowed by `--allow-stale-db`)");
            }
        }
    }
    for finding in &mut findings {
        if let Some(id) = finding.package_id {
            finding.paths = inventory.paths_to_display(id, PATHS_PER_FINDING);
        }
    }
    build::apply(inventory, &mut findings, advisories.matches);
    let unmatched = vex::apply(inventory, &mut findings, advisories.vex);
    evaluation.findings.extend(findings);
    evaluation.findings.extend(unmatched);
    evaluation
        .coverage
        .rules
        .insert("advisories".to_string(), coverage);
    if let Some(entry) = build::coverage(inventory, &evaluation.findings) {
        evaluation.coverage.rules.insert("build".to_string(), entry);
    }
    waivers::apply(&mut evaluation.findings, &policy.waivers, today);
    evaluation.sort();
    evaluation
}

/// The license, version and source rules without waivers (so other finding sources can be
/// added before [`waivers::apply`] runs once over all of them).
pub fn evaluate_rules(inventory: &Inventory, policy: &ValidPolicy) -> Evaluation {
    let mut findings = Vec::new();
    let mut coverage = Coverage {
        packages: inventory.packages().len(),
        ..Coverage::default()
    };
    licenses::evaluate(inventory, &policy.licenses, &mut findings, &mut coverage);
    bans::evaluate(inventory, &policy.bans, &mut findings, &mut coverage);
    sources::evaluate(inventory, &policy.sources, &mut findings, &mut coverage);
    build::apply(inventory, &mut findings, &[]);
    if let Some(entry) = build::coverage(inventory, &findings) {
        coverage.rules.insert("build".to_string(), entry);
    }
    for finding in &mut findings {
        if let Some(id) = finding.package_id {
            finding.paths = inventory.paths_to_display(id, PATHS_PER_FINDING);
        }
    }
    coverage.gaps = inventory.gaps.iter().map(|g| g.message.clone()).collect();
    Evaluation { findings, coverage }
}
