//! Evaluate stage, new-only gating: marks each finding of the head state as `new` or
//! `existing` relative to a baseline evaluation.
//!
//! In: the head [`Evaluation`] and the baseline's. Out: the head's findings with
//! [`Finding::baseline`] set; [`super::Verdict`] then counts only `new` findings as gating. Matching is by
//! [`Finding::fingerprint`] (code, rule, package name, advisory id or license, never the
//! version), so an upgrade that keeps a vulnerable or denied package keeps the finding
//! "existing". Pure: no I/O.

use std::collections::BTreeSet;

use super::{BaselineState, Evaluation, Finding};

/// Sets `baseline` on every head finding: `Existing` when the baseline has a finding with the
/// same fingerprint, else `New`.
pub fn mark_baseline(head: &mut Evaluation, base: &Evaluation) {
    let known: BTreeSet<String> = base.findings.iter().map(Finding::fingerprint).collect();
    for finding in &mut head.findings {
        finding.baseline = Some(if known.contains(&finding.fingerprint()) {
            BaselineState::Existing
        } else {
            BaselineState::New
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{
        AdvisoryRef, FailOn, FindingCode, PackageRef, Severity, gating_findings,
    };

    fn package(name: &str, version: &str) -> PackageRef {
        PackageRef {
            ecosystem: "cargo".into(),
            name: name.into(),
            version: version.into(),
            purl: None,
        }
    }

    fn vulnerable(name: &str, version: &str, advisory: &str) -> Finding {
        let mut finding = Finding::new(
            FindingCode::AdvisoryVulnerable,
            "advisories.vulnerability",
            Severity::Error,
            format!("`{name}` {version} is affected by {advisory}"),
        );
        finding.package = Some(package(name, version));
        finding.advisory = Some(AdvisoryRef {
            id: advisory.into(),
            aliases: Vec::new(),
            severity: "high".into(),
            cvss_score: None,
            fixed_in: Vec::new(),
            title: None,
            url: None,
            affected_functions: Vec::new(),
        });
        finding
    }

    fn denied(name: &str, version: &str, license: &str) -> Finding {
        let mut finding = Finding::new(
            FindingCode::LicenseDenied,
            "licenses.deny",
            Severity::Error,
            format!("`{name}` {version} is {license}"),
        );
        finding.package = Some(package(name, version));
        finding.license = Some(license.into());
        finding
    }

    fn evaluation(findings: Vec<Finding>) -> Evaluation {
        Evaluation {
            findings,
            ..Evaluation::default()
        }
    }

    #[test]
    fn head_equal_to_base_has_nothing_gating() {
        let base = evaluation(vec![
            vulnerable("smallvec", "1.6.0", "RUSTSEC-2021-0003"),
            denied("gpl-thing", "0.1.0", "GPL-3.0-only"),
        ]);
        let mut head = base.clone();
        mark_baseline(&mut head, &base);
        assert!(
            head.findings
                .iter()
                .all(|f| f.baseline == Some(BaselineState::Existing))
        );
        assert!(gating_findings(&head, FailOn::Deny).next().is_none());
        assert_eq!(head.findings.len(), 2, "existing findings are still listed");
    }

    #[test]
    fn added_vulnerable_crate_and_denied_license_are_exactly_the_new_findings() {
        let base = evaluation(vec![denied("old", "1.0.0", "AGPL-3.0-only")]);
        let mut head = evaluation(vec![
            denied("old", "1.0.0", "AGPL-3.0-only"),
            vulnerable("time", "0.1.40", "RUSTSEC-2020-0071"),
            denied("new-gpl", "2.0.0", "GPL-3.0-only"),
        ]);
        mark_baseline(&mut head, &base);
        let gating: Vec<String> = gating_findings(&head, FailOn::Deny)
            .map(|f| f.package.as_ref().unwrap().name.clone())
            .collect();
        assert_eq!(gating, ["time", "new-gpl"]);
    }

    #[test]
    fn upgrade_that_keeps_the_vulnerability_stays_existing() {
        let base = evaluation(vec![vulnerable("smallvec", "1.6.0", "RUSTSEC-2021-0003")]);
        let mut head = evaluation(vec![vulnerable("smallvec", "1.6.0", "RUSTSEC-2021-0003")]);
        head.findings[0].package = Some(package("smallvec", "1.6.0+patched"));
        mark_baseline(&mut head, &base);
        assert_eq!(head.findings[0].baseline, Some(BaselineState::Existing));
        // A different advisory on the same package is new.
        let mut other = evaluation(vec![vulnerable("smallvec", "1.6.0", "RUSTSEC-2099-0001")]);
        mark_baseline(&mut other, &base);
        assert_eq!(other.findings[0].baseline, Some(BaselineState::New));
    }

    #[test]
    fn fail_on_warn_includes_new_warnings_only() {
        let mut warning = vulnerable("a", "1.0.0", "RUSTSEC-2000-0001");
        warning.severity = Severity::Warning;
        let mut head = evaluation(vec![warning.clone()]);
        assert!(gating_findings(&head, FailOn::Deny).next().is_none());
        assert_eq!(gating_findings(&head, FailOn::Warn).count(), 1);
        mark_baseline(&mut head, &evaluation(vec![warning]));
        assert!(gating_findings(&head, FailOn::Warn).next().is_none());
    }
}
