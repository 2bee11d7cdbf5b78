//! Reading the store for people: a project's history (what was recorded and every verdict,
//! with its inputs) and the data behind the dashboard.
//!
//! In: a project (and environment) or nothing. Out: [`HistoryEntry`]s, [`DashboardData`].

use std::collections::HashMap;

use serde::Serialize;

use super::releases::{ApprovalRecord, StoredRelease};
use super::runs::{Counts, RunDatabase};
use super::sql::Value;
use super::{Store, StoreError, count, for_each_in, int, text};

/// One monitor run's verdict for one release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryRun {
    /// The run's id.
    pub run: i64,
    /// When it finished (RFC 3339).
    pub at: String,
    /// The date waivers and database ages were judged against.
    pub today: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// Finding counts.
    pub counts: Counts,
    /// Violations new in that run.
    pub new_violations: usize,
    /// The policy digest it was judged with.
    pub policy_digest: String,
    /// The advisory databases it used.
    pub databases: Vec<RunDatabase>,
}

/// A release of a project with every verdict about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// Environment.
    pub environment: String,
    /// Release.
    pub release: String,
    /// Commit.
    pub commit: Option<String>,
    /// When deployed.
    pub deployed_at: Option<String>,
    /// When recorded.
    pub recorded_at: String,
    /// What it was recorded from (`path`, `sbom`, `attestation`).
    pub recorded_from: String,
    /// The digest of the policy recorded with it.
    pub policy_digest: String,
    /// True while it is the current release of its environment.
    pub current: bool,
    /// The attested approval, when recorded from an attestation.
    pub approval: Option<ApprovalRecord>,
    /// The monitor runs' verdicts, oldest first.
    pub runs: Vec<HistoryRun>,
}

/// A run as the dashboard lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Id.
    pub id: i64,
    /// When it finished.
    pub finished_at: String,
    /// Releases evaluated.
    pub releases: usize,
    /// Releases with new violations.
    pub new_violations: usize,
    /// Databases used.
    pub databases: Vec<RunDatabase>,
}

/// A current release with what the dashboard shows about it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurrentRelease {
    /// The release.
    pub release: StoredRelease,
    /// Its attested approval.
    pub approval: Option<ApprovalRecord>,
    /// Its latest run's verdict, counts, findings and drift lines (`None`: never monitored).
    pub latest: Option<super::PreviousRun>,
    /// Its counts per run, oldest first: (run id, when, counts).
    pub timeline: Vec<(i64, String, Counts)>,
}

/// Everything the dashboard is built from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardData {
    /// The current releases.
    pub current: Vec<CurrentRelease>,
    /// Every run, oldest first.
    pub runs: Vec<RunSummary>,
    /// Advisory publication dates by id.
    pub published: HashMap<String, Option<String>>,
}

fn databases(value: &Value) -> Vec<RunDatabase> {
    serde_json::from_str(value.text().unwrap_or("[]")).unwrap_or_default()
}

impl Store {
    /// A project's releases (in one environment when given), oldest first, each with every
    /// monitor verdict and its inputs. An unknown project gives an empty list.
    pub fn history(
        &mut self,
        project: &str,
        environment: Option<&str>,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let releases = self.project_releases(project, environment)?;
        let ids: Vec<i64> = releases.iter().map(|release| release.id).collect();
        let policy_ids: Vec<i64> = releases.iter().map(|release| release.policy_id).collect();
        let policies = self.policies(&policy_ids)?;
        let mut approvals = self.approvals(&ids)?;
        let mut current = std::collections::HashSet::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT release_id FROM deployments WHERE release_id IN ({ids})",
            &ids,
            &mut |row| {
                current.insert(int(row, 0));
                Ok(())
            },
        )?;
        let mut runs: HashMap<i64, Vec<HistoryRun>> = HashMap::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT rr.release_id, ru.id, ru.finished_at, ru.today, rr.verdict, rr.errors, rr.warnings, rr.notes, rr.waived, rr.new_violations, rr.policy_digest, ru.databases FROM run_releases rr JOIN runs ru ON ru.id = rr.run_id WHERE rr.release_id IN ({ids}) ORDER BY ru.id",
            &ids,
            &mut |row| {
                runs.entry(int(row, 0)).or_default().push(HistoryRun {
                    run: int(row, 1),
                    at: text(row, 2),
                    today: text(row, 3),
                    verdict: text(row, 4),
                    counts: Counts {
                        errors: count(row, 5),
                        warnings: count(row, 6),
                        notes: count(row, 7),
                        waived: count(row, 8),
                    },
                    new_violations: count(row, 9),
                    policy_digest: text(row, 10),
                    databases: databases(&row[11]),
                });
                Ok(())
            },
        )?;
        Ok(releases
            .into_iter()
            .map(|release| {
                let mut release_runs = runs.remove(&release.id).unwrap_or_default();
                release_runs.sort_by_key(|run| run.run);
                HistoryEntry {
                    policy_digest: policies
                        .get(&release.policy_id)
                        .map(|policy| policy.digest.clone())
                        .unwrap_or_default(),
                    current: current.contains(&release.id),
                    approval: approvals.remove(&release.id),
                    runs: release_runs,
                    environment: release.deployment.environment,
                    release: release.deployment.release,
                    commit: release.deployment.commit,
                    deployed_at: release.deployment.deployed_at,
                    recorded_at: release.deployment.recorded_at,
                    recorded_from: release.source_kind,
                }
            })
            .collect())
    }

    /// Every current release with its approval, latest findings and timeline; every run; and
    /// the advisories' publication dates.
    pub fn dashboard_data(&mut self) -> Result<DashboardData, StoreError> {
        let releases = self.current_releases()?;
        let ids: Vec<i64> = releases.iter().map(|release| release.id).collect();
        let mut approvals = self.approvals(&ids)?;
        let mut latest = self.previous_runs(&ids)?;
        let mut timelines: HashMap<i64, Vec<(i64, String, Counts)>> = HashMap::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT rr.release_id, ru.id, ru.finished_at, rr.errors, rr.warnings, rr.notes, rr.waived FROM run_releases rr JOIN runs ru ON ru.id = rr.run_id WHERE rr.release_id IN ({ids}) ORDER BY ru.id",
            &ids,
            &mut |row| {
                timelines.entry(int(row, 0)).or_default().push((
                    int(row, 1),
                    text(row, 2),
                    Counts {
                        errors: count(row, 3),
                        warnings: count(row, 4),
                        notes: count(row, 5),
                        waived: count(row, 6),
                    },
                ));
                Ok(())
            },
        )?;
        let mut runs = Vec::new();
        self.connection.each_row(
            "SELECT id, finished_at, releases, new_violations, databases FROM runs ORDER BY id",
            &[],
            &mut |row| {
                runs.push(RunSummary {
                    id: int(row, 0),
                    finished_at: text(row, 1),
                    releases: count(row, 2),
                    new_violations: count(row, 3),
                    databases: databases(&row[4]),
                });
                Ok(())
            },
        )?;
        let mut published = HashMap::new();
        self.connection
            .each_row("SELECT id, published FROM advisories", &[], &mut |row| {
                published.insert(text(row, 0), super::optional_text(row, 1));
                Ok(())
            })?;
        let current = releases
            .into_iter()
            .map(|release| CurrentRelease {
                approval: approvals.remove(&release.id),
                latest: latest.remove(&release.id),
                timeline: timelines.remove(&release.id).unwrap_or_default(),
                release,
            })
            .collect();
        Ok(DashboardData {
            current,
            runs,
            published,
        })
    }
}
