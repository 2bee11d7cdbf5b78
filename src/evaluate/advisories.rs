//! Evaluate: advisory matches → findings (`advisory-*` codes) and the advisories coverage.
//!
//! In: the inventory, the [`AdvisoryMatch`]es from enrich, the [`AdvisoryPolicy`], the
//! databases used and today's date. Out: findings and a [`CoverageEntry`]. Pure: no I/O.

use crate::enrich::advisories::{
    AdvisoryKind, AdvisoryMatch, DbInfo, MatchedFunction, SeverityLabel,
};
use crate::evaluate::{AdvisoryRef, CoverageEntry, Finding, FindingCode, PackageRef, Severity};
use crate::inventory::Inventory;
use crate::policy::{AdvisoryPolicy, RuleMeta};

/// Turns advisory matches into findings under the policy.
///
/// - vulnerabilities use `policy.vulnerability`; below `severity_threshold` (by CVSS score,
///   or `unknown_severity_score` when there is none) a `deny` becomes a warning;
/// - unmaintained / unsound / notice / yanked use their own rules;
/// - a database older than `max_db_age_days` (or of unknown age) gives `advisory-db-stale`
///   under `policy.stale_db` (fail closed);
/// - `NotEvaluated` matches become coverage lines, never findings.
pub fn evaluate_advisories(
    inventory: &Inventory,
    matches: &[AdvisoryMatch],
    policy: &AdvisoryPolicy,
    databases: &[DbInfo],
    today: time::Date,
) -> (Vec<Finding>, CoverageEntry) {
    let mut findings = Vec::new();
    let mut coverage = CoverageEntry {
        evaluated: inventory.packages().len(),
        not_evaluated: Vec::new(),
    };
    if databases.is_empty() {
        coverage.evaluated = 0;
        coverage
            .not_evaluated
            .push("all packages: no advisory database loaded".to_string());
    }
    for database in databases {
        if let Some(max_age) = policy.max_db_age_days {
            let age = database.age_days(today);
            let stale = age.is_none_or(|days| days > i64::from(max_age));
            if stale && let Some(severity) = policy.stale_db.level.severity() {
                let age_text = match age {
                    Some(days) => format!("{days} days old"),
                    None => "of unknown age".to_string(),
                };
                let mut finding = Finding::new(
                    FindingCode::AdvisoryDbStale,
                    policy.stale_db.id.clone(),
                    severity,
                    format!(
                        "advisory database `{}` is {age_text} (revision {}); the policy allows {max_age} days: run `depgate db update`",
                        database.source,
                        database.revision.as_deref().unwrap_or("unknown"),
                    ),
                );
                attach_rule(&mut finding, &policy.stale_db);
                findings.push(finding);
            }
        }
    }
    for found in matches {
        let package = inventory.package(found.package);
        let rule = match found.kind {
            AdvisoryKind::Vulnerability => &policy.vulnerability,
            AdvisoryKind::Unmaintained => &policy.unmaintained,
            AdvisoryKind::Unsound => &policy.unsound,
            AdvisoryKind::Notice => &policy.notice,
            AdvisoryKind::Yanked => &policy.yanked,
            AdvisoryKind::NotEvaluated => {
                coverage.not_evaluated.push(format!(
                    "{}: {}",
                    package.name_version(),
                    found.title.as_deref().unwrap_or("not evaluated")
                ));
                continue;
            }
        };
        let Some(mut severity) = rule.level.severity() else {
            continue;
        };
        let code = match found.kind {
            AdvisoryKind::Vulnerability => FindingCode::AdvisoryVulnerable,
            AdvisoryKind::Unmaintained => FindingCode::AdvisoryUnmaintained,
            AdvisoryKind::Unsound => FindingCode::AdvisoryUnsound,
            AdvisoryKind::Notice => FindingCode::AdvisoryNotice,
            _ => FindingCode::AdvisoryYanked,
        };
        let mut label = found.severity;
        if found.kind == AdvisoryKind::Vulnerability {
            // A textual severity stands in for a score at its band's floor.
            let score = found.cvss_score.unwrap_or(match found.severity {
                SeverityLabel::Critical => 9.0,
                SeverityLabel::High => 7.0,
                SeverityLabel::Medium => 4.0,
                SeverityLabel::Low => 0.1,
                SeverityLabel::None => 0.0,
                SeverityLabel::Unknown => policy.unknown_severity_score,
            });
            if label == SeverityLabel::Unknown {
                label = SeverityLabel::from_score(policy.unknown_severity_score);
            }
            if let Some(threshold) = policy.severity_threshold
                && score < threshold
                && severity == Severity::Error
            {
                severity = Severity::Warning;
            }
        }
        let message = match found.kind {
            AdvisoryKind::Vulnerability => {
                let fix = match &found.package_fix {
                    Some(version) => format!("upgrade to >= {version}"),
                    None if found.patched.is_empty() => "no fixed version is known".to_string(),
                    None => format!("patched: {}", found.patched.join("; ")),
                };
                format!(
                    "`{}` {} is affected by {} ({}{}): {}; {fix}",
                    package.name,
                    package.version,
                    found.advisory_id,
                    label,
                    found
                        .cvss_score
                        .map(|s| format!(" {s:.1}"))
                        .unwrap_or_default(),
                    found.title.as_deref().unwrap_or("no title"),
                )
            }
            AdvisoryKind::Yanked => format!(
                "`{}` {} was yanked from its registry",
                package.name, package.version
            ),
            kind => format!(
                "`{}` {} is {} ({}): {}",
                package.name,
                package.version,
                kind.as_str(),
                found.advisory_id,
                found.title.as_deref().unwrap_or("no title"),
            ),
        };
        let message = match functions_sentence(&found.functions, &package.version) {
            Some(sentence) => format!("{message}; {sentence}"),
            None => message,
        };
        let mut finding = Finding::new(code, rule.id.clone(), severity, message);
        finding.package = Some(PackageRef::from_package(package));
        finding.package_id = Some(package.id);
        finding.location = Some(package.location.clone());
        finding.paths = inventory.paths_to_display(package.id, super::PATHS_PER_FINDING);
        if found.kind != AdvisoryKind::Yanked {
            finding.advisory = Some(AdvisoryRef {
                id: found.advisory_id.clone(),
                aliases: found.aliases.clone(),
                severity: label.as_str().to_string(),
                cvss_score: found.cvss_score,
                fixed_in: found.patched.clone(),
                title: found.title.clone(),
                url: found.url.clone(),
                affected_functions: found.functions.clone(),
            });
        }
        attach_rule(&mut finding, rule);
        findings.push(finding);
    }
    coverage.not_evaluated.sort();
    coverage.not_evaluated.dedup();
    findings.sort_by_key(|f| f.sort_key());
    (findings, coverage)
}

/// How many functions a message names before `and N more` (the JSON lists all).
const FUNCTIONS_IN_MESSAGE: usize = 4;

/// What the advisory's `[affected] functions` say about this version, for the message: the
/// functions to look for, or — when the version is in the advisory's range but in no
/// function's — that precisely. The finding keeps its severity either way: the function lists
/// of the database are often written at report time (`<= 0.1.1` for the last release, no
/// fix), so a later version outside them is not known to be free of the flaw.
fn functions_sentence(functions: &[MatchedFunction], version: &str) -> Option<String> {
    if functions.is_empty() {
        return None;
    }
    // With some in range, those are the ones to look for; with none, all of them with their
    // versions, so the reader sees why.
    let any_in_range = functions.iter().any(|f| f.version_in_range);
    let listed: Vec<String> = functions
        .iter()
        .filter(|function| function.version_in_range || !any_in_range)
        .map(|function| {
            if any_in_range {
                format!("`{}`", function.path)
            } else {
                function.describe()
            }
        })
        .collect();
    let mut names: Vec<String> = listed.iter().take(FUNCTIONS_IN_MESSAGE).cloned().collect();
    if listed.len() > FUNCTIONS_IN_MESSAGE {
        names.push(format!("and {} more", listed.len() - FUNCTIONS_IN_MESSAGE));
    }
    let names = names.join(", ");
    Some(if any_in_range {
        format!("affected functions: {names}")
    } else {
        format!(
            "{version} is outside the versions of every function the advisory names ({names}) but inside its affected range: still reported; check whether this version has the flaw"
        )
    })
}

fn attach_rule(finding: &mut Finding, rule: &RuleMeta) {
    finding.owner = Some(rule.owner.clone()).filter(|o| !o.is_empty());
    finding.rationale = Some(rule.rationale.clone()).filter(|r| !r.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::advisories::DbKind;
    use crate::inventory::{Ecosystem, Location, Package};
    use crate::policy::Level;

    fn setup() -> (Inventory, AdvisoryMatch) {
        let mut inventory = Inventory::new();
        let id = inventory.add_package(Package::new(
            Ecosystem::Cargo,
            "h2",
            "0.3.13",
            Location {
                file: "Cargo.lock".into(),
                line: Some(10),
            },
        ));
        let found = AdvisoryMatch {
            package: id,
            advisory_id: "RUSTSEC-2024-0003".into(),
            aliases: vec!["GHSA-8r5v-vm4m-4g25".into()],
            kind: AdvisoryKind::Vulnerability,
            cvss_score: Some(5.3),
            cvss_vector: None,
            severity: SeverityLabel::Medium,
            patched: vec![">= 0.3.24, < 0.4.0".into(), ">= 0.4.2".into()],
            package_fix: Some("0.3.26".into()),
            title: Some("Resource exhaustion".into()),
            url: None,
            database: 0,
            os: Vec::new(),
            arch: Vec::new(),
            functions: Vec::new(),
        };
        (inventory, found)
    }

    fn database(updated: &str) -> DbInfo {
        DbInfo {
            kind: DbKind::RustSec,
            path: "db".into(),
            source: "db".into(),
            revision: Some("abc".into()),
            updated: Some(updated.into()),
            advisory_count: 1,
            ecosystems: vec!["crates.io".into()],
        }
    }

    #[test]
    fn vulnerability_denies_with_fix_and_threshold_downgrades() {
        let (inventory, found) = setup();
        let mut policy = AdvisoryPolicy::default_with_owner("sec");
        let today = time::macros::date!(2026 - 01 - 05);
        let dbs = [database("2026-01-04")];
        let (findings, coverage) = evaluate_advisories(
            &inventory,
            std::slice::from_ref(&found),
            &policy,
            &dbs,
            today,
        );
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        assert_eq!(finding.code, FindingCode::AdvisoryVulnerable);
        assert_eq!(finding.severity, Severity::Error);
        assert!(
            finding.message.contains("upgrade to >= 0.3.26"),
            "{}",
            finding.message
        );
        assert_eq!(finding.advisory.as_ref().unwrap().severity, "medium");
        assert_eq!(finding.owner.as_deref(), Some("sec"));
        assert!(coverage.not_evaluated.is_empty());
        policy.severity_threshold = Some(7.0);
        let (findings, _) = evaluate_advisories(&inventory, &[found], &policy, &dbs, today);
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn unknown_severity_counts_as_high_unless_policy_says_otherwise() {
        let (inventory, mut found) = setup();
        found.cvss_score = None;
        found.severity = SeverityLabel::Unknown;
        let mut policy = AdvisoryPolicy::default_with_owner("sec");
        policy.severity_threshold = Some(7.0);
        let today = time::macros::date!(2026 - 01 - 05);
        let dbs = [database("2026-01-04")];
        let (findings, _) = evaluate_advisories(
            &inventory,
            std::slice::from_ref(&found),
            &policy,
            &dbs,
            today,
        );
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(findings[0].advisory.as_ref().unwrap().severity, "high");
        policy.unknown_severity_score = 5.0;
        let (findings, _) = evaluate_advisories(&inventory, &[found], &policy, &dbs, today);
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn stale_database_fails_closed_and_informational_use_their_rules() {
        let (inventory, mut found) = setup();
        found.kind = AdvisoryKind::Unmaintained;
        let mut policy = AdvisoryPolicy::default_with_owner("sec");
        let today = time::macros::date!(2026 - 01 - 30);
        let mut unknown_age = database("x");
        unknown_age.updated = None;
        let dbs = [database("2026-01-01"), unknown_age];
        let (findings, _) = evaluate_advisories(&inventory, &[found.clone()], &policy, &dbs, today);
        let stale: Vec<_> = findings
            .iter()
            .filter(|f| f.code == FindingCode::AdvisoryDbStale)
            .collect();
        assert_eq!(stale.len(), 2);
        assert!(stale.iter().all(|f| f.severity == Severity::Error));
        let unmaintained = findings
            .iter()
            .find(|f| f.code == FindingCode::AdvisoryUnmaintained)
            .unwrap();
        assert_eq!(unmaintained.severity, Severity::Warning);
        policy.unmaintained.level = Level::Allow;
        policy.max_db_age_days = None;
        let (findings, _) = evaluate_advisories(&inventory, &[found], &policy, &dbs, today);
        assert!(findings.is_empty());
    }

    #[test]
    fn not_evaluated_goes_to_coverage() {
        let (inventory, mut found) = setup();
        found.kind = AdvisoryKind::NotEvaluated;
        found.title = Some("yanked: not in cargo's local index cache".into());
        let policy = AdvisoryPolicy::default_with_owner("sec");
        let today = time::macros::date!(2026 - 01 - 05);
        let (findings, coverage) = evaluate_advisories(
            &inventory,
            &[found],
            &policy,
            &[database("2026-01-04")],
            today,
        );
        assert!(findings.is_empty());
        assert_eq!(
            coverage.not_evaluated,
            vec!["h2@0.3.13: yanked: not in cargo's local index cache".to_string()]
        );
    }
}
