//! The monitoring loop's read model: what `depgate dashboard` shows, gathered from the store.
//!
//! In: the store's current releases, their monitor runs and findings (filled by
//! `store`). Out: one plain, serialisable value that `report::dashboard` renders to HTML and
//! that `depgate dashboard --format json` writes as is. No I/O here.

use serde::{Deserialize, Serialize};

use crate::store::Deployment;

/// Everything the dashboard shows, as of one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the snapshot was taken (RFC 3339; `SOURCE_DATE_EPOCH` honoured).
    pub generated_at: String,
    /// The date waivers and ages are measured against (`YYYY-MM-DD`).
    pub today: String,
    /// One entry per project and environment: its current (latest recorded) release.
    pub deployments: Vec<DeploymentView>,
    /// Findings of the current releases grouped by the owner of the rule they violate.
    pub owners: Vec<OwnerView>,
    /// Waivers in current releases that expire within the window (or have expired), soonest
    /// first.
    pub expiring_waivers: Vec<WaiverView>,
    /// Advisories that affect a current release and have no applied fix, oldest first.
    pub open_advisories: Vec<AdvisoryExposure>,
    /// The monitor runs the store holds, oldest first.
    pub runs: Vec<RunView>,
}

/// One project in one environment, at its current release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeploymentView {
    /// Project, environment, release, commit and times, as recorded.
    #[serde(flatten)]
    pub deployment: Deployment,
    /// `pass` or `fail` from the latest monitor run; `None` when never monitored.
    pub verdict: Option<String>,
    /// Finding counts from the latest monitor run.
    pub counts: SeverityCounts,
    /// Packages in the recorded inventory.
    pub packages: usize,
    /// A sort key: higher is riskier (errors weigh most, then open critical/high advisories,
    /// then expired waivers, then warnings).
    pub risk: u64,
    /// The attested approval, when the release was recorded from an attestation.
    pub approval: Option<Approval>,
    /// The release's findings over the monitor runs, oldest first.
    pub timeline: Vec<TimelinePoint>,
}

/// Finding counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
    pub warnings: usize,
    /// Findings of severity `note`.
    pub notes: usize,
    /// Findings hidden by a waiver that applies.
    pub waived: usize,
}

/// What an attestation approved, against what is recorded now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    /// The attested verdict (`pass` or `fail`).
    pub verdict: String,
    /// The attested policy digest (SHA-256, hex).
    pub policy_digest: String,
    /// When the attestation was made (RFC 3339).
    pub attested_at: String,
    /// Components in the attested inventory.
    pub components: usize,
    /// Differences between the attested inventory and the recorded one, one line each
    /// (empty when what is deployed is what was approved).
    pub drift: Vec<String>,
}

/// One monitor run's counts for one release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// When the run happened (RFC 3339).
    pub run_at: String,
    /// The counts in that run.
    pub counts: SeverityCounts,
}

/// The findings one owner is responsible for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnerView {
    /// The rule owner (team or person) as written in the policy.
    pub owner: String,
    /// The rule ids this owner owns that have findings.
    pub rules: Vec<String>,
    /// The findings, most severe first.
    pub findings: Vec<OwnedFinding>,
}

/// One finding in one current release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnedFinding {
    /// Project name.
    pub project: String,
    /// Environment.
    pub environment: String,
    /// Release.
    pub release: String,
    /// Stable finding code (`advisory-vulnerable`, ...).
    pub code: String,
    /// Rule id.
    pub rule: String,
    /// `error`, `warning` or `note`.
    pub severity: String,
    /// Package name (empty for findings about the policy itself).
    pub package: String,
    /// Package version.
    pub version: String,
    /// The finding's message.
    pub message: String,
}

/// A waiver that expires soon (or has expired) in a current release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaiverView {
    /// Project name.
    pub project: String,
    /// Environment.
    pub environment: String,
    /// The waiver's id in the policy.
    pub id: String,
    /// The package it waives for, when about one.
    pub package: String,
    /// Its owner.
    pub owner: String,
    /// Why it was granted.
    pub reason: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// Days from `today` to the expiry (negative once expired).
    pub days_left: i64,
}

/// An advisory affecting one or more current releases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryExposure {
    /// Advisory id.
    pub id: String,
    /// Other ids (CVE, GHSA, ...).
    pub aliases: Vec<String>,
    /// Severity label.
    pub severity: String,
    /// The package affected.
    pub package: String,
    /// Its version.
    pub version: String,
    /// Versions that fix it.
    pub fixed_in: Vec<String>,
    /// When the advisory was published (`YYYY-MM-DD`), when known.
    pub published: Option<String>,
    /// Days since publication, when known.
    pub days_open: Option<i64>,
    /// `project/environment` of every current release it affects.
    pub deployments: Vec<String>,
}

/// One monitor run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunView {
    /// When it ran (RFC 3339).
    pub run_at: String,
    /// Releases evaluated.
    pub releases: usize,
    /// Releases with new violations in that run.
    pub new_violations: usize,
    /// Advisory database revisions used, `kind@revision`.
    pub databases: Vec<String>,
}
