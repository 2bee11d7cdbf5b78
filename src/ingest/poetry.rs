//! `poetry.lock` (lock-version 1.x and 2.x) -> packages and edges (stage 1, ingest).
//!
//! In: the lockfile text. Out: an inventory with one root (the project directory) and one
//! package per `[[package]]`, with edges from `[package.dependencies]`. v1 marks dev packages
//! with `category = "dev"` and keeps hashes in `[metadata.files]`; v2 uses `groups` and a
//! `files` array per package. The lockfile does not say which packages the project requires
//! directly: root edges come from the `pyproject.toml` beside it when there is one
//! (`manifests`); the scope comes from category/groups and, where reachable, from those edges.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::python::{PythonSource, add_python_hash, python_package};
use super::support::{Builder, root_package, toml_error};
use crate::inventory::{DepKind, Ecosystem, Edge, Inventory, Scope};
use crate::vocabulary::LineIndex;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedPackage>,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Metadata {
    /// Poetry writes `[metadata]` (with the manifest's content hash) last: without it the
    /// file was cut short and packages after the cut are missing.
    #[serde(default)]
    content_hash: Option<String>,
    /// v1 only: file name and hash per package name.
    #[serde(default)]
    files: BTreeMap<String, Vec<FileHash>>,
}

#[derive(Deserialize)]
struct FileHash {
    #[serde(default)]
    hash: String,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    files: Vec<FileHash>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    source: Option<PoetrySource>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(default)]
    url: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    resolved_reference: Option<String>,
}

/// Parses a `poetry.lock`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let lock: Lockfile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    if !lock.package.is_empty() && lock.metadata.content_hash.is_none() {
        return Err(IngestError::parse(
            path,
            Some(text.lines().count().max(1) as u32),
            "the lockfile has no `[metadata]` table with a `content-hash`, which Poetry always writes last: it is cut short; regenerate it with `poetry lock`",
        ));
    }
    let lines = LineIndex::new(text);
    let headers = lines.header_offsets("[[package]]");
    let mut builder = Builder::default();
    builder.add_root(root_package(Ecosystem::PyPI, path, None, ""));
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut ids = Vec::with_capacity(lock.package.len());
    for (index, locked) in lock.package.iter().enumerate() {
        let line = headers.get(index).map(|o| lines.line_of(*o));
        let source = match &locked.source {
            Some(s) => match s.kind.as_str() {
                "git" => PythonSource::Git {
                    url: s.url.clone(),
                    commit: s.resolved_reference.clone(),
                    reference: s.reference.clone(),
                },
                "directory" | "file" => PythonSource::Path(s.url.clone()),
                "url" => PythonSource::Url(s.url.clone()),
                _ => PythonSource::Registry(s.url.clone()),
            },
            None => PythonSource::Pypi,
        };
        let mut package = python_package(path, line, &locked.name, &locked.version, &source);
        // v1: `category = "dev"`; v2: `groups` without "main" means only dev groups use it.
        let dev = match (&locked.category, &locked.groups) {
            (Some(category), _) => category == "dev",
            (None, Some(groups)) => !groups.is_empty() && !groups.iter().any(|g| g == "main"),
            (None, None) => false,
        };
        package.scope = if dev {
            Scope::Dev
        } else if locked.optional {
            Scope::Optional
        } else {
            Scope::Runtime
        };
        let v1_files = lock.metadata.files.get(&locked.name);
        for file in locked.files.iter().chain(v1_files.into_iter().flatten()) {
            add_python_hash(&mut package, &file.hash);
        }
        let name = package.name.clone();
        let (id, _) = builder.add(
            format!("{}@{}@{}", name, locked.version, source.key()),
            package,
        );
        by_name.entry(name).or_default().push(id.0);
        ids.push(id);
    }
    for (locked, from) in lock.package.iter().zip(ids) {
        for (dependency, spec) in &locked.dependencies {
            let optional = spec
                .get("optional")
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            let key = super::support::pep503(dependency);
            for to in by_name.get(&key).into_iter().flatten() {
                builder.inventory.add_edge(Edge {
                    from,
                    to: crate::inventory::PackageId(*to),
                    kind: DepKind::Normal,
                    optional,
                });
            }
        }
    }
    let mut inventory = builder.inventory;
    super::manifests::poetry_roots(path, &mut inventory);
    Ok(inventory)
}
