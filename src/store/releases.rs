//! Releases: `record` writes one deployed state; `monitor` and the dashboard read the current
//! ones back.
//!
//! In: a [`NewRelease`] (the inventory, the policy in force, the attested approval). Out: the
//! release in the store, its packages deduplicated by identity, the release current for its
//! project and environment. Reading: [`StoredRelease`]s and their inventories rebuilt.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::codec::{self, PackageFacts, ReleaseGraph, ReleasePackage};
use super::sql::Value;
use super::{Store, StoreError, count, for_each_in, ids_by_key, int, optional_text, text};
use crate::inventory::{Inventory, Package};

/// One policy file as stored: its path when recorded and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFile {
    /// The path it was read from.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// The policy a release was recorded with (its files, so it can be evaluated again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    /// SHA-256 of the validated policy (`ValidPolicy::digest`).
    pub digest: String,
    /// Its name.
    pub name: String,
    /// True for the built-in default policy.
    pub builtin: bool,
    /// Its files (the built-in text for the default policy).
    pub files: Vec<PolicyFile>,
}

/// What a verified attestation approved, stored with the release.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// `pass` or `fail`.
    pub verdict: String,
    /// The attested policy's name.
    pub policy_name: String,
    /// The attested policy digest.
    pub policy_digest: String,
    /// When the attestation was made (RFC 3339).
    pub attested_at: String,
    /// The id of the key that signed it.
    pub key_id: String,
    /// Components attested.
    pub components: usize,
    /// Advisory databases of the verdict, `name@revision`.
    pub databases: Vec<String>,
    /// Fingerprints of the unwaived violations the attestation recorded.
    pub violations: Vec<String>,
    /// Differences between the attested inventory and the recorded one, one line each.
    pub drift: Vec<String>,
}

/// One release to record.
#[derive(Debug, Clone)]
pub struct NewRelease<'a> {
    /// Project name.
    pub project: &'a str,
    /// Environment.
    pub environment: &'a str,
    /// Release (version) name.
    pub release: &'a str,
    /// Commit, when given.
    pub commit: Option<&'a str>,
    /// When it was deployed (RFC 3339), when given.
    pub deployed_at: Option<&'a str>,
    /// When it is recorded (RFC 3339).
    pub recorded_at: &'a str,
    /// `path`, `sbom` or `attestation`.
    pub source_kind: &'a str,
    /// The path or file it was read from.
    pub source_name: &'a str,
    /// What is deployed.
    pub inventory: &'a Inventory,
    /// The policy in force at record time.
    pub policy: &'a PolicyRecord,
    /// The attested approval, when recorded from an attestation.
    pub approval: Option<&'a ApprovalRecord>,
}

/// What `record` stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The new release's id.
    pub release_id: i64,
    /// Packages in it.
    pub packages: usize,
    /// Distinct packages the store had not seen before.
    pub new_packages: usize,
    /// The release it replaced as current in its project and environment.
    pub replaced: Option<String>,
}

/// The distinct `(package id, kind)` pairs of some releases, and each package's facts.
pub type DistinctPackages = (Vec<(i64, i64)>, HashMap<i64, PackageFacts>);

/// Which release runs where: the part of a recorded release every view of it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Project name.
    pub project: String,
    /// Environment (`prod`, `staging`, ...).
    pub environment: String,
    /// Release name.
    pub release: String,
    /// The commit, when recorded.
    pub commit: Option<String>,
    /// When it was deployed (RFC 3339), when recorded.
    pub deployed_at: Option<String>,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
}

/// A recorded release, without its inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredRelease {
    /// Its id.
    pub id: i64,
    /// Project, environment, release name, commit and times.
    pub deployment: Deployment,
    /// The policy recorded with it.
    pub policy_id: i64,
    /// Packages in its inventory.
    pub packages: usize,
    /// `path`, `sbom` or `attestation`.
    pub source_kind: String,
    /// What it was read from.
    pub source_name: String,
}

const RELEASE_COLUMNS: &str = "r.id, r.project, r.environment, r.release, r.commit_sha, r.deployed_at, r.recorded_at, r.policy_id, r.package_count, r.source_kind, r.source_name";

fn release_from_row(row: &mut [Value]) -> StoredRelease {
    StoredRelease {
        id: int(row, 0),
        deployment: Deployment {
            project: text(row, 1),
            environment: text(row, 2),
            release: text(row, 3),
            commit: optional_text(row, 4),
            deployed_at: optional_text(row, 5),
            recorded_at: text(row, 6),
        },
        policy_id: int(row, 7),
        packages: count(row, 8),
        source_kind: text(row, 9),
        source_name: text(row, 10),
    }
}

fn line_value(line: Option<u32>) -> Value {
    line.map_or(Value::Null, |line| Value::Int(i64::from(line)))
}

impl Store {
    /// Records a release in one transaction and makes it current for its project and
    /// environment (the previous one stays as history).
    pub fn record(&mut self, release: &NewRelease<'_>) -> Result<Recorded, StoreError> {
        let parts = codec::decompose(release.inventory);
        let graph = serde_json::to_string(&parts.graph)
            .map_err(|e| self.data_error(format!("cannot encode the release graph: {e}")))?;
        let policy_files = serde_json::to_string(&release.policy.files)
            .map_err(|e| self.data_error(format!("cannot encode the policy files: {e}")))?;
        // Each distinct package once, in identity order so concurrent writers take row locks
        // in the same order (no deadlock between two `record`s sharing packages).
        let encoded: Vec<(String, String)> = parts
            .packages
            .iter()
            .map(|(facts, _)| facts.encode())
            .collect();
        let mut distinct: BTreeMap<&str, (&PackageFacts, &str)> = BTreeMap::new();
        for ((facts, _), (json, identity)) in parts.packages.iter().zip(&encoded) {
            distinct.entry(identity).or_insert((facts, json));
        }
        let mut package_rows = Vec::with_capacity(distinct.len() * 8);
        for (identity, (facts, json)) in &distinct {
            package_rows.extend([
                Value::from(*identity),
                Value::from(facts.ecosystem.purl_type()),
                Value::from(facts.name.as_str()),
                Value::from(facts.version.as_str()),
                Value::from(facts.reference()),
                Value::from(facts.purl.clone()),
                Value::from(facts.license.as_ref().map(|l| l.expression.clone())),
                Value::from(*json),
            ]);
        }
        let identities: Vec<String> = distinct.keys().map(|key| key.to_string()).collect();
        let display = self.display.clone();

        self.connection.transaction(|connection| {
            connection.execute(
                "INSERT INTO policies (digest, name, builtin, files) VALUES ($1, $2, $3, $4) ON CONFLICT (digest) DO NOTHING",
                &[
                    Value::from(release.policy.digest.as_str()),
                    Value::from(release.policy.name.as_str()),
                    Value::from(release.policy.builtin),
                    Value::from(policy_files.as_str()),
                ],
            )?;
            let policy_id = connection
                .query(
                    "SELECT id FROM policies WHERE digest = $1",
                    &[Value::from(release.policy.digest.as_str())],
                )?
                .first()
                .map(|row| int(row, 0))
                .unwrap_or_default();
            let new_packages = connection.insert_rows(
                "INSERT INTO packages (identity, ecosystem, name, version, reference, purl, license, facts)",
                "ON CONFLICT (identity) DO NOTHING",
                8,
                &package_rows,
            )?;
            let ids = ids_by_key(
                connection,
                "SELECT id, identity FROM packages WHERE identity IN ({keys})",
                &identities,
            )?;
            let release_id = connection
                .query(
                    "INSERT INTO releases (project, environment, release, commit_sha, deployed_at, recorded_at, source_kind, source_name, policy_id, package_count, graph) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                    &[
                        Value::from(release.project),
                        Value::from(release.environment),
                        Value::from(release.release),
                        Value::from(release.commit),
                        Value::from(release.deployed_at),
                        Value::from(release.recorded_at),
                        Value::from(release.source_kind),
                        Value::from(release.source_name),
                        Value::Int(policy_id),
                        Value::from(parts.packages.len()),
                        Value::from(graph.as_str()),
                    ],
                )?
                .first()
                .map(|row| int(row, 0))
                .unwrap_or_default();
            let mut rows = Vec::with_capacity(parts.packages.len() * 9);
            for (position, ((_, view), (_, identity))) in
                parts.packages.iter().zip(&encoded).enumerate()
            {
                let package_id = ids.get(identity).copied().ok_or_else(|| StoreError::Data {
                    store: display.clone(),
                    message: format!("package `{identity}` vanished while recording"),
                })?;
                rows.extend([
                    Value::Int(release_id),
                    Value::from(position),
                    Value::Int(package_id),
                    Value::Int(codec::kind_code(view.kind)),
                    Value::Int(codec::scope_code(view.scope)),
                    Value::from(view.direct),
                    Value::from(view.file),
                    line_value(view.line),
                    Value::from(view.local_dir.as_ref().map(|d| d.display().to_string())),
                ]);
            }
            connection.insert_rows(
                "INSERT INTO release_packages (release_id, position, package_id, kind, scope, direct, file, line, local_dir)",
                "",
                9,
                &rows,
            )?;
            if let Some(approval) = release.approval {
                let json = |value: &Vec<String>| serde_json::to_string(value).unwrap_or_default();
                connection.execute(
                    "INSERT INTO approvals (release_id, verdict, policy_name, policy_digest, attested_at, key_id, components, databases, violations, drift) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    &[
                        Value::Int(release_id),
                        Value::from(approval.verdict.as_str()),
                        Value::from(approval.policy_name.as_str()),
                        Value::from(approval.policy_digest.as_str()),
                        Value::from(approval.attested_at.as_str()),
                        Value::from(approval.key_id.as_str()),
                        Value::from(approval.components),
                        Value::from(json(&approval.databases)),
                        Value::from(json(&approval.violations)),
                        Value::from(json(&approval.drift)),
                    ],
                )?;
            }
            let replaced = connection
                .query(
                    "SELECT r.release FROM deployments d JOIN releases r ON r.id = d.release_id WHERE d.project = $1 AND d.environment = $2",
                    &[Value::from(release.project), Value::from(release.environment)],
                )?
                .first_mut()
                .map(|row| text(row, 0));
            // Of two releases recorded at once, the later one (higher id) stays current.
            connection.execute(
                "INSERT INTO deployments (project, environment, release_id) VALUES ($1, $2, $3) ON CONFLICT (project, environment) DO UPDATE SET release_id = excluded.release_id WHERE deployments.release_id < excluded.release_id",
                &[
                    Value::from(release.project),
                    Value::from(release.environment),
                    Value::Int(release_id),
                ],
            )?;
            Ok(Recorded {
                release_id,
                packages: parts.packages.len(),
                new_packages: usize::try_from(new_packages).unwrap_or_default(),
                replaced,
            })
        })
    }

    /// The current release of every project and environment, by project then environment.
    pub fn current_releases(&mut self) -> Result<Vec<StoredRelease>, StoreError> {
        let sql = format!(
            "SELECT {RELEASE_COLUMNS} FROM deployments d JOIN releases r ON r.id = d.release_id ORDER BY r.project, r.environment"
        );
        let mut releases = Vec::new();
        self.connection.each_row(&sql, &[], &mut |row| {
            releases.push(release_from_row(row));
            Ok(())
        })?;
        Ok(releases)
    }

    /// Every release of `project` (in `environment` when given), oldest first.
    pub fn project_releases(
        &mut self,
        project: &str,
        environment: Option<&str>,
    ) -> Result<Vec<StoredRelease>, StoreError> {
        let mut releases = Vec::new();
        let mut each = |row: &mut [Value]| {
            releases.push(release_from_row(row));
            Ok(())
        };
        match environment {
            Some(environment) => self.connection.each_row(
                &format!("SELECT {RELEASE_COLUMNS} FROM releases r WHERE r.project = $1 AND r.environment = $2 ORDER BY r.id"),
                &[Value::from(project), Value::from(environment)],
                &mut each,
            )?,
            None => self.connection.each_row(
                &format!("SELECT {RELEASE_COLUMNS} FROM releases r WHERE r.project = $1 ORDER BY r.id"),
                &[Value::from(project)],
                &mut each,
            )?,
        }
        Ok(releases)
    }

    /// The distinct `(package id, kind)` pairs of these releases and the facts of each
    /// package: what advisory matching needs, once, whatever the number of releases.
    pub fn distinct_packages(
        &mut self,
        releases: &[StoredRelease],
    ) -> Result<DistinctPackages, StoreError> {
        let ids: Vec<i64> = releases.iter().map(|release| release.id).collect();
        let mut pairs = std::collections::BTreeSet::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT DISTINCT package_id, kind FROM release_packages WHERE release_id IN ({ids})",
            &ids,
            &mut |row| {
                pairs.insert((int(row, 0), int(row, 1)));
                Ok(())
            },
        )?;
        let mut package_ids: Vec<i64> = pairs.iter().map(|(id, _)| *id).collect();
        package_ids.dedup();
        let facts = self.json_by_id(
            "SELECT id, facts FROM packages WHERE id IN ({ids})",
            &package_ids,
            "package",
        )?;
        Ok((pairs.into_iter().collect(), facts))
    }

    /// The inventories of `releases`, rebuilt from their rows (packages from `facts`, which
    /// [`Self::distinct_packages`] returned), with each position's package id.
    pub fn inventories(
        &mut self,
        releases: &[StoredRelease],
        facts: &HashMap<i64, PackageFacts>,
    ) -> Result<Vec<(Inventory, Vec<i64>)>, StoreError> {
        let ids: Vec<i64> = releases.iter().map(|release| release.id).collect();
        let mut graphs: HashMap<i64, ReleaseGraph> = self.json_by_id(
            "SELECT id, graph FROM releases WHERE id IN ({ids})",
            &ids,
            "release",
        )?;
        let mut bad = None;
        let mut packages: HashMap<i64, (Vec<Package>, Vec<i64>)> = HashMap::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT release_id, package_id, kind, scope, direct, file, line, local_dir FROM release_packages WHERE release_id IN ({ids}) ORDER BY release_id, position",
            &ids,
            &mut |row| {
                let release_id = int(row, 0);
                let package_id = int(row, 1);
                let Some(package_facts) = facts.get(&package_id) else {
                    bad = Some(format!(
                        "release {release_id} names unknown package {package_id}"
                    ));
                    return Ok(());
                };
                let view = ReleasePackage {
                    kind: codec::kind_of(int(row, 2)),
                    scope: codec::scope_of(int(row, 3)),
                    direct: int(row, 4) != 0,
                    file: count(row, 5),
                    line: row[6].int().and_then(|line| u32::try_from(line).ok()),
                    local_dir: optional_text(row, 7).map(PathBuf::from),
                };
                let file = graphs
                    .get(&release_id)
                    .and_then(|graph| graph.files.get(view.file))
                    .cloned()
                    .unwrap_or_default();
                let entry = packages.entry(release_id).or_default();
                entry.0.push(package_facts.to_package(&view, file));
                entry.1.push(package_id);
                Ok(())
            },
        )?;
        if let Some(message) = bad {
            return Err(self.data_error(message));
        }
        Ok(releases
            .iter()
            .map(|release| {
                let (rows, package_ids) = packages.remove(&release.id).unwrap_or_default();
                let graph = graphs.remove(&release.id).unwrap_or_default();
                (codec::assemble(rows, &graph), package_ids)
            })
            .collect())
    }

    /// The stored policies with these ids.
    pub fn policies(&mut self, ids: &[i64]) -> Result<HashMap<i64, PolicyRecord>, StoreError> {
        let mut policies = HashMap::new();
        let mut bad = None;
        for_each_in(
            self.connection.as_mut(),
            "SELECT id, digest, name, builtin, files FROM policies WHERE id IN ({ids})",
            ids,
            &mut |row| {
                let id = int(row, 0);
                match serde_json::from_str::<Vec<PolicyFile>>(row[4].text().unwrap_or_default()) {
                    Ok(files) => {
                        policies.insert(
                            id,
                            PolicyRecord {
                                digest: text(row, 1),
                                name: text(row, 2),
                                builtin: int(row, 3) != 0,
                                files,
                            },
                        );
                    }
                    Err(error) => bad = Some(format!("policy {id} does not decode: {error}")),
                }
                Ok(())
            },
        )?;
        if let Some(message) = bad {
            return Err(self.data_error(message));
        }
        Ok(policies)
    }

    /// The approvals of these releases (those recorded from an attestation).
    pub fn approvals(&mut self, ids: &[i64]) -> Result<HashMap<i64, ApprovalRecord>, StoreError> {
        let mut approvals = HashMap::new();
        for_each_in(
            self.connection.as_mut(),
            "SELECT release_id, verdict, policy_name, policy_digest, attested_at, key_id, components, databases, violations, drift FROM approvals WHERE release_id IN ({ids})",
            ids,
            &mut |row| {
                let list = |value: &Value| {
                    serde_json::from_str::<Vec<String>>(value.text().unwrap_or("[]"))
                        .unwrap_or_default()
                };
                approvals.insert(
                    int(row, 0),
                    ApprovalRecord {
                        verdict: text(row, 1),
                        policy_name: text(row, 2),
                        policy_digest: text(row, 3),
                        attested_at: text(row, 4),
                        key_id: text(row, 5),
                        components: count(row, 6),
                        databases: list(&row[7]),
                        violations: list(&row[8]),
                        drift: list(&row[9]),
                    },
                );
                Ok(())
            },
        )?;
        Ok(approvals)
    }
}
