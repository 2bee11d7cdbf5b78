//! The dashboard's data: the store's current releases, latest findings and runs turned into a
//! [`Snapshot`].
//!
//! In: [`DashboardData`] read from the store, today's date and the generation time. Out: a
//! [`Snapshot`], deterministic for the same data. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::snapshot::{
    AdvisoryExposure, Approval, DeploymentView, OwnedFinding, OwnerView, RunView, SeverityCounts,
    Snapshot, TimelinePoint, WaiverView,
};
use crate::evaluate::{Finding, FindingCode, Severity};
use crate::store::{Counts, CurrentRelease, DashboardData};

fn severity_counts(counts: &Counts) -> SeverityCounts {
    SeverityCounts {
        errors: counts.errors,
        warnings: counts.warnings,
        notes: counts.notes,
        waived: counts.waived,
    }
}

/// True for an unwaived vulnerability rated critical or high.
fn open_critical(finding: &Finding) -> bool {
    finding.code == FindingCode::AdvisoryVulnerable
        && finding.severity != Severity::Note
        && finding
            .advisory
            .as_ref()
            .is_some_and(|advisory| matches!(advisory.severity.as_str(), "critical" | "high"))
}

/// The risk sort key: errors weigh most, then open critical or high advisories, then expired
/// waivers, then warnings; each part saturates at 65535 so no part spills into the next.
pub fn risk(counts: &Counts, findings: &[Finding]) -> u64 {
    let part = |value: usize| u64::try_from(value).unwrap_or(u64::MAX).min(0xFFFF);
    let critical = findings.iter().filter(|f| open_critical(f)).count();
    let expired = findings
        .iter()
        .filter(|f| f.code == FindingCode::ExpiredWaiver)
        .count();
    (part(counts.errors) << 48)
        | (part(critical) << 32)
        | (part(expired) << 16)
        | part(counts.warnings)
}

/// Days from `from` (`YYYY-MM-DD`, or a longer RFC 3339 text) to `to`.
fn days_between(from: &str, to: time::Date) -> Option<i64> {
    let date = crate::policy::parse_date(from.get(..10)?)?;
    Some((to - date).whole_days())
}

fn deployment(current: &CurrentRelease) -> DeploymentView {
    let release = &current.release;
    let findings = current
        .latest
        .as_ref()
        .map(|latest| latest.findings.as_slice())
        .unwrap_or_default();
    let counts = current
        .latest
        .as_ref()
        .map(|latest| latest.counts)
        .unwrap_or_default();
    DeploymentView {
        deployment: release.deployment.clone(),
        verdict: current.latest.as_ref().map(|latest| latest.verdict.clone()),
        counts: severity_counts(&counts),
        packages: release.packages,
        risk: risk(&counts, findings),
        approval: current.approval.as_ref().map(|approval| Approval {
            verdict: approval.verdict.clone(),
            policy_digest: approval.policy_digest.clone(),
            attested_at: approval.attested_at.clone(),
            components: approval.components,
            // The latest run's view when monitored (policy and violations included), else
            // what was found when it was recorded.
            drift: current
                .latest
                .as_ref()
                .map(|latest| latest.drift.clone())
                .unwrap_or_else(|| approval.drift.clone()),
        }),
        timeline: current
            .timeline
            .iter()
            .map(|(_, run_at, counts)| TimelinePoint {
                run_at: run_at.clone(),
                counts: severity_counts(counts),
            })
            .collect(),
    }
}

/// Builds the snapshot.
pub fn build(data: &DashboardData, today: time::Date, generated_at: String) -> Snapshot {
    let mut deployments: Vec<DeploymentView> = data.current.iter().map(deployment).collect();
    deployments.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.risk),
            &a.deployment.project,
            &a.deployment.environment,
        )
            .cmp(&(
                std::cmp::Reverse(b.risk),
                &b.deployment.project,
                &b.deployment.environment,
            ))
    });

    let mut owners: BTreeMap<String, Vec<OwnedFinding>> = BTreeMap::new();
    let mut waivers: Vec<WaiverView> = Vec::new();
    let mut exposures: BTreeMap<(String, String, String), AdvisoryExposure> = BTreeMap::new();
    for current in &data.current {
        let Some(latest) = &current.latest else {
            continue;
        };
        let release = &current.release;
        let deployment = format!(
            "{}/{}",
            release.deployment.project, release.deployment.environment
        );
        for finding in &latest.findings {
            let (package, version) = finding
                .package
                .as_ref()
                .map(|p| (p.name.clone(), p.version.clone()))
                .unwrap_or_default();
            let waived = finding.waiver.is_some() && finding.severity == Severity::Note;
            if !waived {
                owners
                    .entry(
                        finding
                            .owner
                            .clone()
                            .unwrap_or_else(|| "unowned".to_string()),
                    )
                    .or_default()
                    .push(OwnedFinding {
                        project: release.deployment.project.clone(),
                        environment: release.deployment.environment.clone(),
                        release: release.deployment.release.clone(),
                        code: finding.code.as_str().to_string(),
                        rule: finding.rule.clone(),
                        severity: finding.severity.to_string(),
                        package: package.clone(),
                        version: version.clone(),
                        message: finding.message.clone(),
                    });
            }
            if matches!(
                finding.code,
                FindingCode::WaiverExpiring | FindingCode::ExpiredWaiver
            ) && let Some(waiver) = &finding.waiver
            {
                // The packages it waives: those of the findings carrying the same waiver.
                let packages: BTreeSet<String> = latest
                    .findings
                    .iter()
                    .filter(|other| {
                        other.waiver.as_ref().is_some_and(|w| w.id == waiver.id)
                            && other.package.is_some()
                    })
                    .filter_map(|other| other.package.as_ref().map(|p| p.name.clone()))
                    .collect();
                waivers.push(WaiverView {
                    project: release.deployment.project.clone(),
                    environment: release.deployment.environment.clone(),
                    id: waiver.id.clone(),
                    package: packages.into_iter().collect::<Vec<_>>().join(", "),
                    owner: waiver.owner.clone(),
                    reason: waiver.reason.clone(),
                    expires: waiver.expires.clone(),
                    days_left: days_between(&waiver.expires, today)
                        .map(|days| -days)
                        .unwrap_or_default(),
                });
            }
            if finding.code == FindingCode::AdvisoryVulnerable
                && let Some(advisory) = &finding.advisory
            {
                let published = data.published.get(&advisory.id).cloned().flatten();
                let exposure = exposures
                    .entry((advisory.id.clone(), package.clone(), version.clone()))
                    .or_insert_with(|| AdvisoryExposure {
                        id: advisory.id.clone(),
                        aliases: advisory.aliases.clone(),
                        severity: advisory.severity.clone(),
                        package: package.clone(),
                        version: version.clone(),
                        fixed_in: advisory.fixed_in.clone(),
                        days_open: published
                            .as_deref()
                            .and_then(|date| days_between(date, today)),
                        published,
                        deployments: Vec::new(),
                    });
                if !exposure.deployments.contains(&deployment) {
                    exposure.deployments.push(deployment.clone());
                }
            }
        }
    }

    let owners = owners
        .into_iter()
        .map(|(owner, mut findings)| {
            findings.sort_by(|a, b| {
                (
                    severity_rank(&a.severity),
                    &a.project,
                    &a.environment,
                    &a.package,
                    &a.message,
                )
                    .cmp(&(
                        severity_rank(&b.severity),
                        &b.project,
                        &b.environment,
                        &b.package,
                        &b.message,
                    ))
            });
            let rules: BTreeSet<String> = findings.iter().map(|f| f.rule.clone()).collect();
            OwnerView {
                owner,
                rules: rules.into_iter().collect(),
                findings,
            }
        })
        .collect();
    waivers.sort_by(|a, b| {
        (a.days_left, &a.project, &a.environment, &a.id).cmp(&(
            b.days_left,
            &b.project,
            &b.environment,
            &b.id,
        ))
    });
    let mut open_advisories: Vec<AdvisoryExposure> = exposures.into_values().collect();
    for exposure in &mut open_advisories {
        exposure.deployments.sort();
    }
    // Oldest first; advisories without a publication date last.
    open_advisories.sort_by(|a, b| {
        (a.published.is_none(), &a.published, &a.id, &a.package).cmp(&(
            b.published.is_none(),
            &b.published,
            &b.id,
            &b.package,
        ))
    });
    let runs = data
        .runs
        .iter()
        .map(|run| RunView {
            run_at: run.finished_at.clone(),
            releases: run.releases,
            new_violations: run.new_violations,
            databases: run
                .databases
                .iter()
                .map(|database| format!("{}@{}", database.name, database.revision))
                .collect(),
        })
        .collect();
    Snapshot {
        generated_at,
        today: today.to_string(),
        deployments,
        owners,
        expiring_waivers: waivers,
        open_advisories,
        runs,
    }
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{AdvisoryRef, PackageRef, WaiverRef};
    use crate::store::{Deployment, PreviousRun, StoredRelease};

    fn vulnerable(id: &str, severity: Severity, package: &str) -> Finding {
        let mut finding = Finding::new(
            FindingCode::AdvisoryVulnerable,
            "advisories.vulnerability",
            severity,
            format!("{id} in {package}"),
        );
        finding.owner = Some("security".into());
        finding.package = Some(PackageRef {
            ecosystem: "cargo".into(),
            name: package.into(),
            version: "1.0.0".into(),
            purl: None,
        });
        finding.advisory = Some(AdvisoryRef {
            id: id.into(),
            aliases: vec![],
            severity: "critical".into(),
            cvss_score: None,
            fixed_in: vec!["1.0.1".into()],
            title: None,
            url: None,
            affected_functions: Vec::new(),
        });
        finding
    }

    fn release(project: &str, findings: Vec<Finding>, errors: usize) -> CurrentRelease {
        CurrentRelease {
            release: StoredRelease {
                deployment: Deployment {
                    project: project.into(),
                    environment: "prod".into(),
                    release: "1".into(),
                    ..Deployment::default()
                },
                ..StoredRelease::default()
            },
            approval: None,
            latest: Some(PreviousRun {
                verdict: if errors > 0 { "fail" } else { "pass" }.into(),
                counts: Counts {
                    errors,
                    ..Counts::default()
                },
                findings,
                ..PreviousRun::default()
            }),
            timeline: vec![(1, "2025-01-01T00:00:00Z".into(), Counts::default())],
        }
    }

    #[test]
    fn riskiest_first_and_exposures_grouped_by_advisory() {
        let mut waiver_finding = Finding::new(
            FindingCode::WaiverExpiring,
            "waivers.expiring",
            Severity::Warning,
            "expires soon",
        );
        waiver_finding.waiver = Some(WaiverRef {
            id: "w1".into(),
            reason: "vendor fix pending".into(),
            owner: "ops".into(),
            expires: "2025-01-10".into(),
            expired: false,
            vex_status: None,
            justification: None,
        });
        let mut waived = vulnerable("A-2", Severity::Note, "zlib");
        waived.waiver = waiver_finding.waiver.clone();
        let data = DashboardData {
            current: vec![
                release("calm", vec![waiver_finding, waived], 0),
                release("hot", vec![vulnerable("A-1", Severity::Error, "log")], 1),
                release("warm", vec![vulnerable("A-1", Severity::Error, "log")], 1),
            ],
            runs: vec![],
            published: [("A-1".to_string(), Some("2024-12-01".to_string()))].into(),
        };
        let today = time::macros::date!(2025 - 01 - 01);
        let snapshot = build(&data, today, "2025-01-01T00:00:00Z".into());
        let order: Vec<&str> = snapshot
            .deployments
            .iter()
            .map(|d| d.deployment.project.as_str())
            .collect();
        assert_eq!(order, ["hot", "warm", "calm"]);
        let exposure = &snapshot.open_advisories[0];
        assert_eq!(exposure.id, "A-1");
        assert_eq!(exposure.deployments, ["hot/prod", "warm/prod"]);
        assert_eq!(exposure.days_open, Some(31));
        // The waived vulnerability is still open in production, with no known date.
        assert_eq!(snapshot.open_advisories[1].id, "A-2");
        assert_eq!(snapshot.open_advisories[1].days_open, None);
        assert_eq!(snapshot.expiring_waivers[0].days_left, 9);
        assert_eq!(snapshot.expiring_waivers[0].package, "zlib");
        // Waived findings are not an owner's open work.
        let security = snapshot
            .owners
            .iter()
            .find(|o| o.owner == "security")
            .unwrap();
        assert_eq!(security.findings.len(), 2);
        assert_eq!(snapshot.deployments[0].timeline.len(), 1);
    }
}
