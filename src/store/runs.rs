//! Monitor runs: each run's inputs (database revisions, policy digests) and, per release, its
//! verdict, counts, changes and findings.
//!
//! In: a [`NewRun`]. Out: the run stored in one transaction, or nothing. Findings are stored
//! once by content, and a release's findings as a set shared by every run (and release) in
//! which they are the same, so a daily run over unchanged releases adds one row per release.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::sql::Value;
use super::{Store, StoreError, for_each_in, ids_by_key, int, text};
use crate::evaluate::Finding;

/// An advisory database a run used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDatabase {
    /// Stable name (`rustsec`, `osv-PyPI`, ...).
    pub name: String,
    /// Revision (commit, ETag or content fingerprint).
    pub revision: String,
    /// The date its data is from, when known.
    pub updated: Option<String>,
}

/// Counts of one release's findings in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Unwaived errors.
    pub errors: usize,
    /// Unwaived warnings.
    pub warnings: usize,
    /// Notes (waived findings among them), as `check` counts them.
    pub notes: usize,
    /// Findings a waiver that applies hides (the waiver findings themselves not counted).
    pub waived: usize,
}

/// One release's result in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRelease {
    /// The release.
    pub release_id: i64,
    /// The digest of the policy it was evaluated with.
    pub policy_digest: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// Finding counts.
    pub counts: Counts,
    /// Violations new since the previous run.
    pub new_violations: usize,
    /// Its findings (stored without paths and location: they follow from its inventory).
    pub findings: Vec<Finding>,
    /// How many changes of each kind since the previous run (a JSON object; the changes
    /// themselves follow from this run's finding set and the previous run's).
    pub changes: String,
    /// Differences from the attested approval, one line each.
    pub drift: Vec<String>,
}

/// One monitor run to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// When it started (RFC 3339).
    pub started_at: String,
    /// When it finished (RFC 3339).
    pub finished_at: String,
    /// The date it judged against (`YYYY-MM-DD`).
    pub today: String,
    /// The databases it used.
    pub databases: Vec<RunDatabase>,
    /// The `--policy` that replaced every release's own, when given.
    pub policy_override: Option<String>,
    /// Per release.
    pub releases: Vec<RunRelease>,
    /// Advisories that affect a release, with their publication date.
    pub advisories: Vec<(String, Option<String>)>,
}

/// A release's result in its latest stored run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreviousRun {
    /// The run.
    pub run_id: i64,
    /// When it finished.
    pub finished_at: String,
    /// Its verdict for the release.
    pub verdict: String,
    /// Its counts.
    pub counts: Counts,
    /// The policy digest used.
    pub policy_digest: String,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// Its drift lines.
    pub drift: Vec<String>,
}

/// The stored form of a finding and its content digest. Paths and location are left out:
/// they name the release's own files and lines (they follow from its stored inventory), and
/// without them the same finding in many releases is stored once.
fn finding_body(finding: &Finding) -> (String, String) {
    let mut stored = finding.clone();
    stored.paths.clear();
    stored.location = None;
    stored.baseline = None;
    let body = serde_json::to_string(&stored).unwrap_or_default();
    let digest = crate::util::sha256_hex(body.as_bytes());
    (body, digest)
}

impl Store {
    /// Stores a run in one transaction. `before_commit` runs last inside it (a test hook
    /// that can stop the process there; see `monitor`).
    pub fn save_run(&mut self, run: &NewRun, before_commit: &dyn Fn()) -> Result<i64, StoreError> {
        // Findings by content digest; each release's set by the digest of its members.
        let mut bodies: HashMap<String, (String, &Finding)> = HashMap::new();
        let mut sets: Vec<(String, Vec<String>)> = Vec::with_capacity(run.releases.len());
        for release in &run.releases {
            let mut members: Vec<String> = release
                .findings
                .iter()
                .map(|finding| {
                    let (body, digest) = finding_body(finding);
                    bodies.entry(digest.clone()).or_insert((body, finding));
                    digest
                })
                .collect();
            members.sort();
            members.dedup();
            let set_digest = crate::util::sha256_hex(members.join(",").as_bytes());
            sets.push((set_digest, members));
        }
        let databases = serde_json::to_string(&run.databases).unwrap_or_default();
        self.connection.transaction(|connection| {
            let run_id = connection
                .query(
                    "INSERT INTO runs (started_at, finished_at, today, databases, policy_override, releases, new_violations) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[
                        Value::from(run.started_at.as_str()),
                        Value::from(run.finished_at.as_str()),
                        Value::from(run.today.as_str()),
                        Value::from(databases.as_str()),
                        Value::from(run.policy_override.clone()),
                        Value::from(run.releases.len()),
                        Value::from(run.releases.iter().filter(|r| r.new_violations > 0).count()),
                    ],
                )?
                .first()
                .map(|row| int(row, 0))
                .unwrap_or_default();

            let set_digests: Vec<String> = sets
                .iter()
                .map(|(digest, _)| digest.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let existing_sets = ids_by_key(
                connection,
                "SELECT id, digest FROM finding_sets WHERE digest IN ({keys})",
                &set_digests,
            )?;
            // Only the findings of sets not stored yet need writing.
            let missing: Vec<&(String, Vec<String>)> = {
                let mut seen = BTreeSet::new();
                sets.iter()
                    .filter(|(digest, _)| !existing_sets.contains_key(digest) && seen.insert(digest))
                    .collect()
            };
            let needed: Vec<String> = missing
                .iter()
                .flat_map(|(_, members)| members.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut finding_rows = Vec::with_capacity(needed.len() * 6);
            for digest in &needed {
                if let Some((body, finding)) = bodies.get(digest) {
                    finding_rows.extend([
                        Value::from(digest.as_str()),
                        Value::from(finding.fingerprint()),
                        Value::from(finding.code.as_str()),
                        Value::from(finding.rule.as_str()),
                        Value::from(finding.severity.to_string()),
                        Value::from(body.as_str()),
                    ]);
                }
            }
            connection.insert_rows(
                "INSERT INTO findings (digest, fingerprint, code, rule, severity, body)",
                "ON CONFLICT (digest) DO NOTHING",
                6,
                &finding_rows,
            )?;
            let finding_ids = ids_by_key(
                connection,
                "SELECT id, digest FROM findings WHERE digest IN ({keys})",
                &needed,
            )?;
            let new_set_rows: Vec<Value> = missing
                .iter()
                .map(|(digest, _)| Value::from(digest.as_str()))
                .collect();
            connection.insert_rows(
                "INSERT INTO finding_sets (digest)",
                "ON CONFLICT (digest) DO NOTHING",
                1,
                &new_set_rows,
            )?;
            let set_ids = ids_by_key(
                connection,
                "SELECT id, digest FROM finding_sets WHERE digest IN ({keys})",
                &set_digests,
            )?;
            let mut member_rows = Vec::new();
            for (digest, members) in &missing {
                let Some(set_id) = set_ids.get(digest) else {
                    continue;
                };
                for member in members {
                    if let Some(finding_id) = finding_ids.get(member) {
                        member_rows.extend([Value::Int(*set_id), Value::Int(*finding_id)]);
                    }
                }
            }
            // Another run may have written the same set meanwhile: its members are the same.
            connection.insert_rows(
                "INSERT INTO finding_set_members (set_id, finding_id)",
                "ON CONFLICT DO NOTHING",
                2,
                &member_rows,
            )?;

            let mut release_rows = Vec::with_capacity(run.releases.len() * 12);
            for (release, (set_digest, _)) in run.releases.iter().zip(&sets) {
                release_rows.extend([
                    Value::Int(run_id),
                    Value::Int(release.release_id),
                    Value::from(release.policy_digest.as_str()),
                    Value::from(release.verdict.as_str()),
                    Value::from(release.counts.errors),
                    Value::from(release.counts.warnings),
                    Value::from(release.counts.notes),
                    Value::from(release.counts.waived),
                    Value::from(release.new_violations),
                    Value::Int(set_ids.get(set_digest).copied().unwrap_or_default()),
                    Value::from(release.changes.as_str()),
                    Value::from(serde_json::to_string(&release.drift).unwrap_or_default()),
                ]);
            }
            connection.insert_rows(
                "INSERT INTO run_releases (run_id, release_id, policy_digest, verdict, errors, warnings, notes, waived, new_violations, finding_set, changes, drift)",
                "",
                12,
                &release_rows,
            )?;

            let mut advisory_rows = Vec::with_capacity(run.advisories.len() * 3);
            for (id, published) in &run.advisories {
                advisory_rows.extend([
                    Value::from(id.as_str()),
                    Value::from(published.clone()),
                    Value::from(run.finished_at.as_str()),
                ]);
            }
            connection.insert_rows(
                "INSERT INTO advisories (id, published, first_seen)",
                "ON CONFLICT (id) DO UPDATE SET published = excluded.published",
                3,
                &advisory_rows,
            )?;
            before_commit();
            Ok(run_id)
        })
    }

    /// Each release's latest stored run (releases never monitored are absent).
    pub fn previous_runs(
        &mut self,
        release_ids: &[i64],
    ) -> Result<HashMap<i64, PreviousRun>, StoreError> {
        let mut previous: HashMap<i64, PreviousRun> = HashMap::new();
        let mut set_of: HashMap<i64, i64> = HashMap::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT rr.release_id, rr.run_id, ru.finished_at, rr.verdict, rr.errors, rr.warnings, rr.notes, rr.waived, rr.policy_digest, rr.finding_set, rr.drift FROM run_releases rr JOIN runs ru ON ru.id = rr.run_id WHERE rr.release_id IN ({ids}) AND rr.run_id = (SELECT max(x.run_id) FROM run_releases x WHERE x.release_id = rr.release_id)",
            release_ids,
            &mut |row| {
                let release_id = int(row, 0);
                set_of.insert(release_id, int(row, 9));
                previous.insert(
                    release_id,
                    PreviousRun {
                        run_id: int(row, 1),
                        finished_at: text(row, 2),
                        verdict: text(row, 3),
                        counts: Counts {
                            errors: super::count(row, 4),
                            warnings: super::count(row, 5),
                            notes: super::count(row, 6),
                            waived: super::count(row, 7),
                        },
                        policy_digest: text(row, 8),
                        findings: Vec::new(),
                        drift: serde_json::from_str(row[10].text().unwrap_or("[]"))
                            .unwrap_or_default(),
                    },
                );
                Ok(())
            },
        )?;
        let findings = self.finding_sets(&set_of.values().copied().collect::<Vec<_>>())?;
        for (release_id, set_id) in set_of {
            if let (Some(entry), Some(members)) =
                (previous.get_mut(&release_id), findings.get(&set_id))
            {
                entry.findings = members.clone();
            }
        }
        Ok(previous)
    }

    /// The findings of these sets.
    pub(crate) fn finding_sets(
        &mut self,
        set_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Finding>>, StoreError> {
        let mut unique: Vec<i64> = set_ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut sets: HashMap<i64, Vec<Finding>> = HashMap::new();
        let mut bad = None;
        for_each_in(
            self.connection.as_mut(),
            "SELECT m.set_id, f.id, f.body FROM finding_set_members m JOIN findings f ON f.id = m.finding_id WHERE m.set_id IN ({ids})",
            &unique,
            &mut |row| {
                match serde_json::from_str::<Finding>(row[2].text().unwrap_or_default()) {
                    Ok(finding) => sets.entry(int(row, 0)).or_default().push(finding),
                    Err(error) => {
                        bad = Some(format!("finding {} does not decode: {error}", int(row, 1)))
                    }
                }
                Ok(())
            },
        )?;
        if let Some(message) = bad {
            return Err(self.data_error(message));
        }
        for findings in sets.values_mut() {
            findings.sort_by_key(Finding::sort_key);
        }
        Ok(sets)
    }
}
