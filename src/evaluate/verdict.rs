//! Evaluate stage, the verdict: pass or fail, the counts, and which findings gate, computed
//! once from an [`Evaluation`] and read by every report, the exit code and the attestation,
//! so they can never disagree.
//!
//! In: an evaluation (waivers applied, baseline states marked when a baseline was given) and
//! the `--fail-on` threshold. Out: one [`Verdict`]. Pure.

use serde::{Deserialize, Serialize};

use super::{BaselineState, Evaluation, Finding, Severity};

/// The severity at which findings fail the gate (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Only errors (from `deny` rules) fail.
    #[default]
    Deny,
    /// Errors and warnings fail.
    Warn,
}

impl FailOn {
    /// Whether a finding of this severity fails the gate.
    pub fn fails(&self, severity: Severity) -> bool {
        severity <= self.threshold()
    }

    /// The lowest severity that fails.
    pub fn threshold(&self) -> Severity {
        match self {
            FailOn::Deny => Severity::Error,
            FailOn::Warn => Severity::Warning,
        }
    }
}

/// Pass or fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictResult {
    /// No finding gates.
    Pass,
    /// At least one finding gates.
    Fail,
}

impl VerdictResult {
    /// `pass` or `fail`.
    pub fn as_str(&self) -> &'static str {
        match self {
            VerdictResult::Pass => "pass",
            VerdictResult::Fail => "fail",
        }
    }
}

impl std::fmt::Display for VerdictResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of one evaluation: serialised as the JSON report's `summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// `pass` or `fail`.
    pub result: VerdictResult,
    /// The lowest failing severity (`error` or `warning`).
    pub fail_on: Severity,
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
    pub warnings: usize,
    /// Findings of severity `note` (waived findings among them).
    pub notes: usize,
    /// Findings hidden by a waiver that applies (not expired); the waiver findings themselves
    /// (`expired-waiver`, `unused-waiver`, `waiver-expiring`) are never counted here.
    pub waived: usize,
    /// Findings that fail the gate: at or above `fail_on` and not `existing` in a baseline.
    pub gating: usize,
}

impl Verdict {
    /// Computes the verdict of `evaluation` at `fail_on`.
    pub fn new(evaluation: &Evaluation, fail_on: FailOn) -> Self {
        Self::of_findings(&evaluation.findings, fail_on)
    }

    /// The verdict of a set of findings (one release's, in a monitor run) at `fail_on`.
    pub fn of_findings(findings: &[Finding], fail_on: FailOn) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
        let gating = gating(findings, fail_on).count();
        Verdict {
            result: if gating == 0 {
                VerdictResult::Pass
            } else {
                VerdictResult::Fail
            },
            fail_on: fail_on.threshold(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            waived: findings.iter().filter(|f| f.is_waived()).count(),
            gating,
        }
    }

    /// True when no finding gates.
    pub fn passed(&self) -> bool {
        self.result == VerdictResult::Pass
    }
}

/// The findings that fail the gate: at or above `fail_on`, and not `existing` in a baseline.
/// Without a baseline (no finding marked), every finding at or above `fail_on` gates.
pub fn gating_findings(evaluation: &Evaluation, fail_on: FailOn) -> impl Iterator<Item = &Finding> {
    gating(&evaluation.findings, fail_on)
}

fn gating(findings: &[Finding], fail_on: FailOn) -> impl Iterator<Item = &Finding> {
    findings
        .iter()
        .filter(move |f| fail_on.fails(f.severity) && f.baseline != Some(BaselineState::Existing))
}
