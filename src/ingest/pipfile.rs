//! `Pipfile.lock` -> packages (stage 1, ingest).
//!
//! In: the lockfile JSON. Out: an inventory with a root (the project directory) and one
//! package per entry of `default` (runtime) and `develop` (dev). The lockfile is flat: it does
//! not record which package requires which, so the only edges are root edges from the
//! `Pipfile` beside it (when present), and scope comes from the section. `index` names a source from `_meta.sources`; `git`, `path`/`file` and `editable`
//! entries are git or local packages (local ones get no purl).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::python::{PythonSource, add_python_hash, python_package};
use super::support::{Builder, json_error, root_package};
use crate::inventory::{Ecosystem, Inventory, Scope};
use crate::vocabulary::LineIndex;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(rename = "_meta", default)]
    meta: Meta,
    #[serde(default)]
    default: BTreeMap<String, Entry>,
    #[serde(default)]
    develop: BTreeMap<String, Entry>,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    sources: Vec<IndexSource>,
}

#[derive(Deserialize)]
struct IndexSource {
    name: String,
    url: String,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    git: Option<String>,
    #[serde(rename = "ref", default)]
    reference: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    editable: bool,
}

/// Parses a `Pipfile.lock`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let lock: Lockfile =
        serde_json::from_str(text).map_err(|e| json_error(path, &e, "invalid lockfile"))?;
    let lines = LineIndex::new(text);
    let mut builder = Builder::default();
    builder.add_root(root_package(Ecosystem::PyPI, path, None, ""));
    for (section, entries, scope) in [
        ("\"default\"", &lock.default, Scope::Runtime),
        ("\"develop\"", &lock.develop, Scope::Dev),
    ] {
        let section_start = lines.find(section, 0).unwrap_or(0);
        // pipenv writes keys sorted, as the map iterates them, so each search usually starts
        // after the previous hit; a miss falls back to the section start.
        let mut cursor = section_start;
        for (name, entry) in entries {
            let needle = format!("\"{name}\": {{");
            let found = lines
                .find(&needle, cursor)
                .or_else(|| lines.find(&needle, section_start));
            if let Some(offset) = found {
                cursor = offset + 1;
            }
            let line = found.map(|offset| lines.line_of(offset));
            // Pinned entries spell the version `==1.2.3`; git and path entries have none.
            let version = entry
                .version
                .as_deref()
                .map(|v| v.trim_start_matches("===").trim_start_matches("=="))
                .unwrap_or_default()
                .to_string();
            let source = if let Some(local) = entry.path.as_ref().or(entry.file.as_ref()) {
                PythonSource::Path(local.clone())
            } else if let Some(git) = &entry.git {
                PythonSource::Git {
                    url: git.clone(),
                    // Pipenv writes the resolved commit into `ref`.
                    commit: entry.reference.clone(),
                    reference: entry.reference.clone(),
                }
            } else if let Some(index) = &entry.index {
                match lock.meta.sources.iter().find(|s| &s.name == index) {
                    Some(source) => PythonSource::Registry(source.url.clone()),
                    None => PythonSource::Pypi,
                }
            } else {
                PythonSource::Pypi
            };
            let mut package = python_package(path, line, name, &version, &source);
            if entry.editable && !matches!(source, PythonSource::Path(_)) {
                // An editable checkout is a working copy on this machine, not a release.
                package.purl = None;
            }
            package.scope = scope;
            for hash in &entry.hashes {
                add_python_hash(&mut package, hash);
            }
            let key = format!("{}@{}@{}", package.name, version, source.key());
            // `default` is read first, so a package in both sections stays runtime.
            builder.add(key, package);
        }
    }
    let mut inventory = builder.inventory;
    super::manifests::pipfile_roots(path, &mut inventory);
    Ok(inventory)
}
