//! The finding record (one problem with one package or policy entry) and the coverage summary.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::inventory::{Location, Package, PackageId};
use crate::policy::RuleMeta;
use crate::vocabulary::{FindingCode, Severity};

/// The package a finding is about, as it appears in reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageRef {
    /// Ecosystem (purl type spelling).
    pub ecosystem: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Package URL, when identity is certain.
    pub purl: Option<String>,
}

impl PackageRef {
    /// The reference for an inventory package.
    pub fn from_package(package: &Package) -> Self {
        Self {
            ecosystem: package.ecosystem.to_string(),
            name: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
        }
    }
}

/// The advisory a finding is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvisoryRef {
    /// Primary id (`RUSTSEC-…`, `GHSA-…`, `PYSEC-…`, `GO-…`).
    pub id: String,
    /// Other ids of the same advisory (CVE, GHSA, ...).
    pub aliases: Vec<String>,
    /// Severity label (`critical|high|medium|low|none|unknown`).
    pub severity: String,
    /// CVSS base score when a vector is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    /// Versions or ranges that fix it.
    pub fixed_in: Vec<String>,
    /// One-line summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Link to the advisory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The functions the advisory names as holding the vulnerable code (RustSec `[affected]
    /// functions`), each with its versions and whether the package's version is in them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected_functions: Vec<crate::enrich::advisories::MatchedFunction>,
}

/// The waiver that applied to (or should have applied to) a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRef {
    /// The waiver's id in the policy.
    pub id: String,
    /// Why it was granted.
    pub reason: String,
    /// Who owns it.
    pub owner: String,
    /// Expiry date, `YYYY-MM-DD`.
    pub expires: String,
    /// True once the expiry date has passed: the waiver no longer hides its finding.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expired: bool,
    /// The waiver's `vex-status`, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<crate::vocabulary::vex::VexStatus>,
    /// The waiver's `justification`, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<crate::vocabulary::vex::Justification>,
}

/// Whether a finding was already present in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Introduced by the change: gates.
    New,
    /// Present in the baseline: reported, does not gate.
    Existing,
}

/// One problem found by evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code.
    pub code: FindingCode,
    /// The id of the policy rule that produced it.
    pub rule: String,
    /// Severity after waivers (a waived finding becomes a note).
    pub severity: Severity,
    /// The package, when the finding is about one.
    pub package: Option<PackageRef>,
    /// The package's id in the inventory (not serialised).
    #[serde(skip)]
    pub package_id: Option<PackageId>,
    /// The advisory, for advisory findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<AdvisoryRef>,
    /// The license expression concerned, for license findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// One-line message.
    pub message: String,
    /// Dependency paths from a root, rendered `a 1.0 > b 2.0`.
    pub paths: Vec<String>,
    /// Who to ask: the rule's owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Why the rule exists (rationale or link).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// The waiver that applied, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverRef>,
    /// The VEX statement that decided an advisory finding, or one shown on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex: Option<super::vex::VexRef>,
    /// Where: the package's lockfile line, or the policy file for policy findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// New or existing, when a baseline was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// Why the package is outside the requested build (`--target`, `--features`), which made
    /// the finding a note: `not compiled for …`, or an advisory's platforms not built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outside_build: Option<String>,
}

impl Finding {
    /// A finding with the given code, rule, severity and message; everything else empty.
    pub fn new(
        code: FindingCode,
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            rule: rule.into(),
            severity,
            package: None,
            package_id: None,
            advisory: None,
            license: None,
            message: message.into(),
            paths: Vec::new(),
            owner: None,
            rationale: None,
            waiver: None,
            vex: None,
            location: None,
            baseline: None,
            outside_build: None,
        }
    }

    /// A finding of `rule` about `package`, at the rule's level (`None` when the rule is off),
    /// with the rule's owner and rationale and the package's location: the shape of every
    /// license, ban and source finding.
    pub(crate) fn for_package(
        rule: &RuleMeta,
        code: FindingCode,
        package: &Package,
        message: String,
    ) -> Option<Finding> {
        let severity = rule.level.severity()?;
        let mut finding = Finding::new(code, rule.id.clone(), severity, message);
        finding.package = Some(PackageRef::from_package(package));
        finding.package_id = Some(package.id);
        finding.owner = Some(rule.owner.clone());
        finding.rationale = Some(rule.rationale.clone());
        finding.location = Some(package.location.clone());
        Some(finding)
    }

    /// True when a waiver hides this finding (it is a note until the waiver expires). Findings
    /// about waivers themselves (`expired-waiver`, `unused-waiver`, `waiver-expiring`) and
    /// findings whose waiver expired are not waived.
    pub fn is_waived(&self) -> bool {
        self.waiver.as_ref().is_some_and(|waiver| !waiver.expired)
            && !matches!(
                self.code,
                FindingCode::ExpiredWaiver
                    | FindingCode::UnusedWaiver
                    | FindingCode::WaiverExpiring
            )
    }

    /// The stable fingerprint used by baselines and SARIF: code, package name, and the advisory
    /// id or license, never the version (so an upgrade that keeps a problem keeps its identity).
    pub fn fingerprint(&self) -> String {
        let package = self
            .package
            .as_ref()
            .map(|p| format!("{}/{}", p.ecosystem, p.name))
            .unwrap_or_default();
        let subject = self
            .advisory
            .as_ref()
            .map(|a| a.id.clone())
            .or_else(|| self.license.clone())
            .unwrap_or_default();
        format!("{}|{}|{}|{}", self.code, self.rule, package, subject)
    }

    /// Sort key giving deterministic output: severity, code, package, advisory, message.
    pub fn sort_key(&self) -> (Severity, FindingCode, String, String, String, String) {
        let (name, version) = self
            .package
            .as_ref()
            .map(|p| (p.name.clone(), p.version.clone()))
            .unwrap_or_default();
        let advisory = self
            .advisory
            .as_ref()
            .map(|a| a.id.clone())
            .unwrap_or_default();
        (
            self.severity,
            self.code,
            name,
            version,
            advisory,
            self.message.clone(),
        )
    }
}

/// Per rule kind: how many packages were evaluated and which could not be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageEntry {
    /// Packages the rule kind evaluated.
    pub evaluated: usize,
    /// Packages it could not evaluate, with the reason, e.g. `serde@1.0.0: no license metadata`.
    pub not_evaluated: Vec<String>,
}

/// What the gate looked at and what it could not see, so it never passes silently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Packages in the inventory.
    pub packages: usize,
    /// Per rule kind (`licenses`, `advisories`, `bans`, `sources`, ...).
    pub rules: BTreeMap<String, CoverageEntry>,
    /// Facts ingest could not establish (from `Inventory::gaps`), rendered as sentences.
    pub gaps: Vec<String>,
}

/// The result of evaluating a policy against an inventory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Findings, sorted.
    pub findings: Vec<Finding>,
    /// What was and was not evaluated.
    pub coverage: Coverage,
}

impl Evaluation {
    /// Sorts findings into their deterministic order.
    pub fn sort(&mut self) {
        self.findings.sort_by_key(|f| f.sort_key());
    }
}
