//! What changed for one release between two monitor runs, and how far what is deployed has
//! moved from what was approved.
//!
//! In: the release's findings now, its baseline (the previous run's findings, else the
//! attested approval's violations, else nothing) and its approval. Out: [`Change`]s, the
//! number of new violations, and drift lines. Pure.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::evaluate::{FailOn, Finding, FindingCode, Severity};
use crate::store::ApprovalRecord;

/// The kind of a change since the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// An advisory (vulnerability, unmaintained, unsound, notice, yanked) newly affects the
    /// release: a new database revision knows it, or the policy now reports it.
    NewAdvisory,
    /// A waiver expired: the findings it hid are back.
    WaiverExpired,
    /// A waiver now expires within the policy's `expiring-days`.
    WaiverExpiring,
    /// Any other finding that is new (a changed policy, a stale database, ...).
    NewFinding,
    /// What is deployed moved further from the attested approval.
    Drift,
    /// A finding of the previous run is gone.
    Resolved,
}

impl ChangeKind {
    /// The kebab-case spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::NewAdvisory => "new-advisory",
            ChangeKind::WaiverExpired => "waiver-expired",
            ChangeKind::WaiverExpiring => "waiver-expiring",
            ChangeKind::NewFinding => "new-finding",
            ChangeKind::Drift => "drift",
            ChangeKind::Resolved => "resolved",
        }
    }
}

/// One change for one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// True when the change is a new violation (it fails the run).
    pub violation: bool,
    /// The finding code (`drift` for drift lines).
    pub code: String,
    /// The rule, when about a finding.
    pub rule: String,
    /// The finding's severity now (`error|warning|note`), or before for `resolved`.
    pub severity: String,
    /// `name@version`, when about a package.
    pub package: Option<String>,
    /// The advisory id, when about one.
    pub advisory: Option<String>,
    /// The finding's message, or the drift line.
    pub message: String,
}

/// What a release's findings are compared with.
#[derive(Debug, Clone, Copy)]
pub enum Baseline<'a> {
    /// The release's previous monitor run.
    PreviousRun(&'a [Finding]),
    /// Never monitored, but attested: the violations the attestation recorded (fingerprints).
    Approval(&'a [String]),
    /// Never monitored nor attested: everything is new.
    Nothing,
}

/// The changes for one release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseChanges {
    /// Every change, new violations first.
    pub changes: Vec<Change>,
    /// Violations (findings at or above the gate) that the baseline did not have.
    pub new_violations: usize,
}

/// True when a finding fails the gate: unwaived (a waived finding is a note) and at least as
/// severe as `gate` (the gate's own rule, [`FailOn::fails`]).
pub fn gates(finding: &Finding, gate: FailOn) -> bool {
    gate.fails(finding.severity)
}

/// A finding's identity within one release: its fingerprint, the package version (a release
/// may hold two versions of one package) and the waiver it names (waiver findings carry no
/// package, so two waivers would otherwise look the same). Never the message, which may say
/// "3 days left" today and "2 days left" tomorrow.
pub fn finding_key(finding: &Finding) -> String {
    let version = finding
        .package
        .as_ref()
        .map(|package| package.version.as_str())
        .unwrap_or_default();
    let waiver = finding
        .waiver
        .as_ref()
        .map(|waiver| waiver.id.as_str())
        .unwrap_or_default();
    format!("{}|{version}|{waiver}", finding.fingerprint())
}

fn change(kind: ChangeKind, violation: bool, finding: &Finding) -> Change {
    Change {
        kind,
        violation,
        code: finding.code.as_str().to_string(),
        rule: finding.rule.clone(),
        severity: finding.severity.to_string(),
        package: finding
            .package
            .as_ref()
            .map(|package| format!("{}@{}", package.name, package.version)),
        advisory: finding
            .advisory
            .as_ref()
            .map(|advisory| advisory.id.clone()),
        message: finding.message.clone(),
    }
}

fn new_kind(finding: &Finding) -> ChangeKind {
    match finding.code {
        FindingCode::AdvisoryVulnerable
        | FindingCode::AdvisoryUnmaintained
        | FindingCode::AdvisoryUnsound
        | FindingCode::AdvisoryNotice
        | FindingCode::AdvisoryYanked => ChangeKind::NewAdvisory,
        FindingCode::ExpiredWaiver => ChangeKind::WaiverExpired,
        FindingCode::WaiverExpiring => ChangeKind::WaiverExpiring,
        _ => ChangeKind::NewFinding,
    }
}

/// Finding keys (see [`finding_key`]) or fingerprints.
type Keys = HashSet<String>;

/// Compares a release's findings now with its baseline.
pub fn compare(baseline: Baseline<'_>, current: &[Finding], gate: FailOn) -> ReleaseChanges {
    // Keys known before, and those that were violations then.
    let (known, known_violations, identity): (Keys, Keys, fn(&Finding) -> String) = match baseline {
        Baseline::PreviousRun(previous) => (
            previous.iter().map(finding_key).collect(),
            previous
                .iter()
                .filter(|finding| gates(finding, gate))
                .map(finding_key)
                .collect(),
            finding_key,
        ),
        // An attestation records fingerprints, and only of its violations.
        Baseline::Approval(violations) => {
            let set: HashSet<String> = violations.iter().cloned().collect();
            (set.clone(), set, |finding: &Finding| finding.fingerprint())
        }
        Baseline::Nothing => (HashSet::new(), HashSet::new(), finding_key),
    };
    let mut result = ReleaseChanges::default();
    let mut seen = HashSet::new();
    for finding in current {
        let key = identity(finding);
        if !seen.insert(key.clone()) {
            continue;
        }
        let violation = gates(finding, gate) && !known_violations.contains(&key);
        if violation {
            result.new_violations += 1;
        }
        if !known.contains(&key) {
            result
                .changes
                .push(change(new_kind(finding), violation, finding));
        } else if violation {
            // Known before but not failing: its waiver expired (or its rule got stricter).
            let kind = if finding.waiver.is_some() {
                ChangeKind::WaiverExpired
            } else {
                ChangeKind::NewFinding
            };
            result.changes.push(change(kind, true, finding));
        }
    }
    if let Baseline::PreviousRun(previous) = baseline {
        let now: HashSet<String> = current.iter().map(finding_key).collect();
        let mut gone = HashSet::new();
        for finding in previous {
            let key = finding_key(finding);
            if finding.severity != Severity::Note && !now.contains(&key) && gone.insert(key) {
                result
                    .changes
                    .push(change(ChangeKind::Resolved, false, finding));
            }
        }
    }
    result.changes.sort_by(|a, b| {
        (!a.violation, a.kind, &a.package, &a.message).cmp(&(
            !b.violation,
            b.kind,
            &b.package,
            &b.message,
        ))
    });
    result
}

/// How far the release is from its attested approval now: the inventory differences found at
/// record time, a policy digest other than the attested one, and violations the attestation
/// did not record.
pub fn approval_drift(
    approval: &ApprovalRecord,
    policy_digest: &str,
    current: &[Finding],
    gate: FailOn,
) -> Vec<String> {
    let mut lines = approval.drift.clone();
    if !approval.policy_digest.is_empty() && approval.policy_digest != policy_digest {
        lines.push(format!(
            "policy: attested with digest {}, evaluated now with {policy_digest}",
            approval.policy_digest
        ));
    }
    let attested: HashSet<&str> = approval.violations.iter().map(String::as_str).collect();
    let mut new: BTreeSet<String> = BTreeSet::new();
    for finding in current.iter().filter(|finding| gates(finding, gate)) {
        if !attested.contains(finding.fingerprint().as_str()) {
            new.insert(format!(
                "new violation since the approval: {} [{}] {}",
                finding.code, finding.rule, finding.message
            ));
        }
    }
    lines.extend(new);
    lines
}

/// Drift lines that the previous run did not have, as changes.
pub fn drift_changes(previous: &[String], now: &[String]) -> Vec<Change> {
    let before: HashSet<&String> = previous.iter().collect();
    now.iter()
        .filter(|line| !before.contains(line))
        .map(|line| Change {
            kind: ChangeKind::Drift,
            violation: false,
            code: "drift".to_string(),
            rule: String::new(),
            severity: "warning".to_string(),
            package: None,
            advisory: None,
            message: line.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{AdvisoryRef, PackageRef, WaiverRef};

    fn advisory(id: &str, severity: Severity) -> Finding {
        let mut finding = Finding::new(
            FindingCode::AdvisoryVulnerable,
            "advisories.vulnerability",
            severity,
            format!("{id} affects log 0.4.0"),
        );
        finding.package = Some(PackageRef {
            ecosystem: "cargo".into(),
            name: "log".into(),
            version: "0.4.0".into(),
            purl: None,
        });
        finding.advisory = Some(AdvisoryRef {
            id: id.into(),
            aliases: vec![],
            severity: "high".into(),
            cvss_score: None,
            fixed_in: vec![],
            title: None,
            url: None,
            affected_functions: Vec::new(),
        });
        finding
    }

    fn waiver(id: &str) -> WaiverRef {
        WaiverRef {
            id: id.into(),
            reason: "r".into(),
            owner: "o".into(),
            expires: "2025-01-01".into(),
            expired: false,
            vex_status: None,
            justification: None,
        }
    }

    #[test]
    fn a_new_advisory_is_a_new_violation_and_a_gone_one_is_resolved() {
        let before = vec![advisory("A-1", Severity::Error)];
        let now = vec![advisory("A-2", Severity::Error)];
        let result = compare(Baseline::PreviousRun(&before), &now, FailOn::Deny);
        assert_eq!(result.new_violations, 1);
        let kinds: Vec<ChangeKind> = result.changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ChangeKind::NewAdvisory, ChangeKind::Resolved]);
        assert_eq!(result.changes[0].advisory.as_deref(), Some("A-2"));
        // Unchanged findings are no change at all.
        let again = compare(Baseline::PreviousRun(&now), &now, FailOn::Deny);
        assert_eq!(again, ReleaseChanges::default());
    }

    #[test]
    fn an_expired_waiver_brings_its_finding_back_as_a_violation() {
        let mut waived = advisory("A-1", Severity::Note);
        waived.waiver = Some(waiver("w1"));
        let mut expired = advisory("A-1", Severity::Error);
        expired.waiver = Some(waiver("w1"));
        let result = compare(Baseline::PreviousRun(&[waived]), &[expired], FailOn::Deny);
        assert_eq!(result.new_violations, 1);
        assert_eq!(result.changes[0].kind, ChangeKind::WaiverExpired);
        assert!(result.changes[0].violation);
    }

    #[test]
    fn warnings_gate_only_when_asked() {
        let now = vec![advisory("A-1", Severity::Warning)];
        assert_eq!(
            compare(Baseline::Nothing, &now, FailOn::Deny).new_violations,
            0
        );
        assert_eq!(
            compare(Baseline::Nothing, &now, FailOn::Warn).new_violations,
            1
        );
    }

    #[test]
    fn attested_violations_are_not_new() {
        let now = vec![advisory("A-1", Severity::Error)];
        let attested = vec![now[0].fingerprint()];
        let result = compare(Baseline::Approval(&attested), &now, FailOn::Deny);
        assert_eq!(result.new_violations, 0);
        assert!(result.changes.is_empty());
    }

    #[test]
    fn drift_names_policy_changes_and_unattested_violations() {
        let approval = ApprovalRecord {
            policy_digest: "aaa".into(),
            drift: vec!["added: x@1".into()],
            ..ApprovalRecord::default()
        };
        let now = vec![advisory("A-1", Severity::Error)];
        let lines = approval_drift(&approval, "bbb", &now, FailOn::Deny);
        assert_eq!(lines.len(), 3);
        assert!(lines[1].contains("aaa") && lines[1].contains("bbb"));
        assert!(lines[2].contains("A-1"));
        let changes = drift_changes(&lines[..1], &lines);
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.kind == ChangeKind::Drift));
    }
}
