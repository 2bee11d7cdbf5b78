//! `uv.lock` -> packages and edges (stage 1, ingest).
//!
//! In: the lockfile text. Out: an inventory whose roots are the workspace members (sources
//! `editable = "."` / `virtual = "."`, or every editable/virtual member when a workspace has
//! several), with normal edges from `dependencies`, optional edges from
//! `optional-dependencies` and dev edges from `dev-dependencies`. Path, directory, editable and
//! virtual packages are local and get no purl; `sdist` and `wheels` hashes are kept.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::python::{PythonSource, add_python_hash, python_package};
use super::support::{Builder, pep503, root_package, toml_error};
use crate::inventory::{DepKind, Ecosystem, Edge, Inventory, PackageId, PackageKind};
use crate::vocabulary::LineIndex;

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct UvSource {
    registry: Option<String>,
    git: Option<String>,
    path: Option<String>,
    directory: Option<String>,
    editable: Option<String>,
    #[serde(rename = "virtual")]
    virtual_path: Option<String>,
    url: Option<String>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct Artifact {
    #[serde(default)]
    hash: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct LockedPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    /// uv writes a `source` for every package (right after `version`): an entry without one
    /// is a file cut short inside it, and an error.
    source: UvSource,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<Dependency>>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Vec<Dependency>>,
    #[serde(default)]
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
}

/// Splits uv's `git = "URL?rev=X#COMMIT"` into (url, reference, commit).
fn split_git(spec: &str) -> (String, Option<String>, Option<String>) {
    let (rest, commit) = match spec.split_once('#') {
        Some((rest, commit)) => (rest, Some(commit.to_string())),
        None => (spec, None),
    };
    let (url, reference) = match rest.split_once('?') {
        Some((url, query)) => (
            url,
            query
                .split('&')
                .find_map(|pair| pair.split_once('=').map(|(_, v)| v.to_string())),
        ),
        None => (rest, None),
    };
    (url.to_string(), reference, commit)
}

/// uv writes a workspace member's `dependencies` right after its `source`. A file whose last
/// entry is a member that stops at its `source` line is either a member without dependencies
/// or a file cut there, which lost every dependency: only the member's `pyproject.toml`
/// beside the lockfile can tell, and without one declaring no dependencies it is an error.
fn check_bare_tail(path: &Path, text: &str, lock: &Lockfile) -> Result<(), IngestError> {
    let Some(last) = lock.package.last() else {
        return Ok(());
    };
    let member = last.source.editable.is_some() || last.source.virtual_path.is_some();
    let tail: Vec<&str> = text
        .rsplit_once("[[package]]")
        .map(|(_, tail)| tail)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let bare = tail
        .last()
        .is_some_and(|line| line.starts_with("source = "));
    if !member || !bare {
        return Ok(());
    }
    let manifest = path
        .parent()
        .unwrap_or(Path::new("."))
        .join("pyproject.toml");
    let declares_none = crate::util::read_input_text(&manifest)
        .ok()
        .and_then(|text| toml::from_str::<toml::Value>(&text).ok())
        .is_some_and(|manifest| {
            manifest
                .get("project")
                .and_then(|project| project.get("dependencies"))
                .and_then(toml::Value::as_array)
                .is_none_or(Vec::is_empty)
        });
    if declares_none {
        return Ok(());
    }
    Err(IngestError::parse(
        path,
        Some(text.lines().count().max(1) as u32),
        format!(
            "the lockfile ends right after the `source` of workspace member `{}`, and no `pyproject.toml` beside it says the member has no dependencies: the lockfile is taken as cut short; run `uv lock`",
            last.name
        ),
    ))
}

/// Parses a `uv.lock`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let lock: Lockfile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    let lines = LineIndex::new(text);
    let headers = lines.header_offsets("[[package]]");
    let mut builder = Builder::default();
    let mut by_name: BTreeMap<String, Vec<(String, PackageId)>> = BTreeMap::new();
    let mut ids = Vec::with_capacity(lock.package.len());
    for (index, locked) in lock.package.iter().enumerate() {
        let line = headers.get(index).map(|o| lines.line_of(*o));
        let source = &locked.source;
        let local = source
            .editable
            .as_ref()
            .or(source.virtual_path.as_ref())
            .or(source.path.as_ref())
            .or(source.directory.as_ref());
        let python_source = if let Some(local) = local {
            PythonSource::Path(local.clone())
        } else if let Some(git) = &source.git {
            let (url, reference, commit) = split_git(git);
            PythonSource::Git {
                url,
                commit,
                reference,
            }
        } else if let Some(url) = &source.url {
            PythonSource::Url(url.clone())
        } else if let Some(registry) = &source.registry {
            PythonSource::Registry(registry.clone())
        } else {
            PythonSource::Pypi
        };
        let version = locked.version.clone().unwrap_or_default();
        let mut package = python_package(path, line, &locked.name, &version, &python_source);
        // The project itself (and workspace members) are editable or virtual installs.
        let is_member = source.editable.is_some() || source.virtual_path.is_some();
        for artifact in locked.sdist.iter().chain(&locked.wheels) {
            if let Some(hash) = &artifact.hash {
                add_python_hash(&mut package, hash);
            }
        }
        let name = package.name.clone();
        let id = if is_member {
            package.kind = PackageKind::Root;
            builder.add_root(package)
        } else {
            builder
                .add(format!("{name}@{version}@{}", python_source.key()), package)
                .0
        };
        by_name.entry(name).or_default().push((version, id));
        ids.push(id);
    }
    check_bare_tail(path, text, &lock)?;
    if builder.inventory.roots().is_empty() {
        builder.add_root(root_package(Ecosystem::PyPI, path, None, ""));
    }
    let resolve = |dependency: &Dependency| -> Vec<PackageId> {
        by_name
            .get(&pep503(&dependency.name))
            .into_iter()
            .flatten()
            .filter(|(version, _)| dependency.version.as_ref().is_none_or(|v| v == version))
            .map(|(_, id)| *id)
            .collect()
    };
    let mut edges = Vec::new();
    for (index, (locked, from)) in lock.package.iter().zip(&ids).enumerate() {
        let groups = [
            (
                locked.dependencies.iter().collect::<Vec<_>>(),
                DepKind::Normal,
                false,
            ),
            (
                locked.optional_dependencies.values().flatten().collect(),
                DepKind::Normal,
                true,
            ),
            (
                locked.dev_dependencies.values().flatten().collect(),
                DepKind::Dev,
                false,
            ),
        ];
        for (dependencies, kind, optional) in groups {
            for dependency in dependencies {
                let targets = resolve(dependency);
                // uv locks for every platform and extra at once: each dependency it names
                // has a `[[package]]`. One without means the file is incomplete.
                if targets.is_empty() {
                    let line = headers.get(index).map(|o| lines.line_of(*o));
                    let reference = match &dependency.version {
                        Some(version) => format!("{} {version}", dependency.name),
                        None => dependency.name.clone(),
                    };
                    return Err(IngestError::parse(
                        path,
                        line,
                        format!(
                            "`{}` depends on `{reference}`, which has no `[[package]]` in the lockfile: the lockfile is incomplete (cut short or edited by hand); regenerate it with `uv lock`",
                            locked.name
                        ),
                    ));
                }
                for to in targets {
                    if to != *from {
                        edges.push(Edge {
                            from: *from,
                            to,
                            kind,
                            optional,
                        });
                    }
                }
            }
        }
    }
    for edge in edges {
        builder.inventory.add_edge(edge);
    }
    Ok(builder.inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_spec_splits_into_url_reference_and_commit() {
        let (url, reference, commit) = split_git("https://github.com/a/b?rev=abc#0123456789abcdef");
        assert_eq!(url, "https://github.com/a/b");
        assert_eq!(reference.as_deref(), Some("abc"));
        assert_eq!(commit.as_deref(), Some("0123456789abcdef"));
    }
}
