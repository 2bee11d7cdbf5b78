//! Stage 5, report: turns the inventory and findings into bytes. Nothing imports `report`.
//!
//! In: `&Inventory`, `&Evaluation` and run metadata, gathered into one [`FindingsReport`].
//! Out: bytes in one format per file here. Every format renders the same report value.

pub mod bsi;
pub mod cyclonedx;
pub mod dashboard;
pub mod diff;
pub mod github;
pub mod html;
pub mod json;
pub mod licenses;
pub mod markdown;
pub mod notices;
pub mod sarif;
mod sbom_common;
pub mod sbom_score;
pub mod spdx;
pub mod spdx3;
pub mod table;
pub mod vex;

pub use sbom_common::{
    Artifact, ArtifactKind, DocumentInfo, DocumentOrigin, Party, Profile, clean,
};

use serde::Serialize;

use crate::evaluate::{Coverage, Evaluation, FailOn, Finding, Verdict};
use crate::inventory::Inventory;
use crate::policy::ValidPolicy;

/// The versioned schema name of the JSON findings report.
pub const FINDINGS_SCHEMA: &str = "depgate.findings/v1";

/// The tool that wrote a report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `depgate`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Tool {
    /// This build of depgate.
    pub fn depgate() -> Tool {
        Tool {
            name: "depgate".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    /// Path as found.
    pub path: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// The format it was read as.
    pub format: String,
}

impl InputRef {
    /// Every file the inventory was read from, in reading order.
    pub fn all_of(inventory: &Inventory) -> Vec<InputRef> {
        inventory
            .inputs
            .iter()
            .map(|input| InputRef {
                path: input.path.display().to_string(),
                sha256: input.sha256.clone(),
                format: input.format.clone(),
            })
            .collect()
    }
}

/// An advisory database used for the run.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseRef {
    /// Kind (`rustsec`, `osv`).
    pub kind: String,
    /// Where it was read from.
    pub path: String,
    /// Revision (commit) when known.
    pub revision: Option<String>,
    /// Age in days when known.
    pub age_days: Option<u32>,
}

/// The policy that was checked.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRef {
    /// Its name.
    pub name: String,
    /// `builtin`, or the files it was read from.
    pub source: String,
    /// The files (empty for the built-in policy).
    pub files: Vec<String>,
    /// SHA-256 of the canonical policy.
    pub digest: String,
}

impl PolicyRef {
    /// The policy as reports name it: built in, or read from files (listed in order).
    pub fn of(policy: &ValidPolicy) -> PolicyRef {
        let files: Vec<String> = match &policy.source {
            crate::policy::PolicySource::Builtin => Vec::new(),
            crate::policy::PolicySource::Files { files } => {
                files.iter().map(|f| f.display().to_string()).collect()
            }
        };
        PolicyRef {
            name: policy.name.clone(),
            source: if files.is_empty() {
                "builtin".to_string()
            } else {
                "files".to_string()
            },
            files,
            digest: policy.digest(),
        }
    }
}

/// What the run read.
#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    /// Lockfiles, manifests and SBOMs.
    pub files: Vec<InputRef>,
    /// Advisory databases (empty when none were used).
    pub advisory_databases: Vec<DatabaseRef>,
    /// The policy.
    pub policy: PolicyRef,
}

/// A finding's message followed, each on a line of its own, by the waiver that applied or
/// expired (id, reason, owner, expiry) and the VEX statement that decided it.
pub fn finding_message(finding: &Finding) -> String {
    let mut message = finding.message.clone();
    if let Some(waiver) = &finding.waiver {
        message.push_str(&format!(
            "\nwaiver `{}`: {} (owner {}, {} {})",
            waiver.id,
            waiver.reason,
            waiver.owner,
            if waiver.expired { "expired" } else { "expires" },
            waiver.expires
        ));
    }
    if let Some(vex) = &finding.vex {
        message.push('\n');
        message.push_str(&vex.summary());
    }
    message
}

/// The findings report: the one value every findings format renders.
#[derive(Debug, Clone, Serialize)]
pub struct FindingsReport {
    /// Always [`FINDINGS_SCHEMA`].
    pub schema: String,
    /// The tool.
    pub tool: Tool,
    /// What was read.
    pub inputs: Inputs,
    /// The verdict and counts, computed once by `evaluate` (the exit code reads the same value).
    pub summary: Verdict,
    /// What was and was not evaluated.
    pub coverage: Coverage,
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// Every rule of the policy, with level, owner and rationale (SARIF's rule metadata; not
    /// part of the JSON report, whose findings name their rules).
    #[serde(skip)]
    pub rules: Vec<crate::policy::RuleMeta>,
}

impl FindingsReport {
    /// Gathers a report from an evaluation.
    pub fn new(
        inventory: &Inventory,
        policy: &ValidPolicy,
        evaluation: &Evaluation,
        fail_on: FailOn,
    ) -> Self {
        Self::with_findings(
            inventory,
            policy,
            evaluation,
            fail_on,
            evaluation.findings.clone(),
        )
    }

    /// [`Self::new`] taking the evaluation's findings instead of copying them: a million
    /// findings are a gigabyte.
    pub fn from_evaluation(
        inventory: &Inventory,
        policy: &ValidPolicy,
        mut evaluation: Evaluation,
        fail_on: FailOn,
    ) -> Self {
        let findings = std::mem::take(&mut evaluation.findings);
        Self::with_findings(inventory, policy, &evaluation, fail_on, findings)
    }

    fn with_findings(
        inventory: &Inventory,
        policy: &ValidPolicy,
        evaluation: &Evaluation,
        fail_on: FailOn,
        findings: Vec<Finding>,
    ) -> Self {
        FindingsReport {
            schema: FINDINGS_SCHEMA.to_string(),
            tool: Tool::depgate(),
            inputs: Inputs {
                files: InputRef::all_of(inventory),
                advisory_databases: Vec::new(),
                policy: PolicyRef::of(policy),
            },
            summary: Verdict::of_findings(&findings, fail_on),
            coverage: evaluation.coverage.clone(),
            findings,
            rules: policy.rules(),
        }
    }

    /// A one-line description of the policy, saying when the built-in default was used.
    pub fn policy_line(&self) -> String {
        let policy = &self.inputs.policy;
        if policy.files.is_empty() {
            format!(
                "policy: built-in default `{}` (no `depgate.toml` or `rules/` found; same as `rules/default.toml`), digest {}",
                policy.name,
                &policy.digest[..12]
            )
        } else {
            format!(
                "policy: `{}` from {}, digest {}",
                policy.name,
                policy
                    .files
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                &policy.digest[..12]
            )
        }
    }

    /// The findings of one severity, in report order, with how many of them are `existing`
    /// in the baseline (listed, never failing): the groups the text formats print.
    pub fn group(&self, severity: crate::evaluate::Severity) -> (Vec<&Finding>, usize) {
        let group: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        let existing = group
            .iter()
            .filter(|f| f.baseline == Some(crate::evaluate::BaselineState::Existing))
            .count();
        (group, existing)
    }

    /// Coverage lines shared by the text formats.
    pub fn coverage_lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "{} packages in the inventory",
            self.coverage.packages
        )];
        for (kind, entry) in &self.coverage.rules {
            lines.push(format!(
                "{kind}: {} evaluated, {} not evaluated",
                entry.evaluated,
                entry.not_evaluated.len()
            ));
        }
        lines
    }
}
