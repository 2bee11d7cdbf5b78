//! NuGet `packages.lock.json` -> packages and edges (stage 1, ingest).
//!
//! In: the lockfile JSON, which lists the resolved packages once per target framework. Out: a
//! root (the project, named after its directory), one package per distinct name and resolved
//! version across all frameworks, root edges to `Direct` entries and to `Project` references,
//! edges from each entry's `dependencies` to the package of that name resolved for the same
//! framework, and `contentHash` (base64 SHA-512) as a hex hash. `Transitive` and
//! `CentralTransitive` entries are reachable only through other packages. `Project` entries
//! are other projects of the same solution: local, with no purl.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::support::{Builder, base64_to_hex, json_error, location, purl, root_package};
use crate::inventory::{
    Ecosystem, Edge, Hash, HashAlgorithm, Inventory, Package, PackageId, PackageKind, Source,
};
use crate::vocabulary::LineIndex;

/// nuget.org's v3 service index, the default feed.
const NUGET_ORG: &str = "https://api.nuget.org/v3/index.json";

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    version: Option<u32>,
    /// Framework -> package name -> entry; file order kept (serde_json `preserve_order`).
    dependencies: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(rename = "contentHash", default)]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

/// Parses a `packages.lock.json`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let lock: Lockfile =
        serde_json::from_str(text).map_err(|e| json_error(path, &e, "invalid lockfile"))?;
    if let Some(version) = lock.version
        && version > 2
    {
        return Err(IngestError::parse(
            path,
            None,
            format!("unsupported lockfile version {version} (1 and 2 are known)"),
        ));
    }
    let lines = LineIndex::new(text);
    let mut builder = Builder::default();
    let root = builder.add_root(root_package(Ecosystem::NuGet, path, None, ""));
    for (framework, packages) in &lock.dependencies {
        let framework_start = lines.find(&format!("\"{framework}\""), 0).unwrap_or(0);
        let serde_json::Value::Object(packages) = packages else {
            return Err(IngestError::parse(
                path,
                lines
                    .find(&format!("\"{framework}\""), 0)
                    .map(|o| lines.line_of(o)),
                format!("target framework `{framework}` is not an object"),
            ));
        };
        // Name (lowercase: NuGet ids are case-insensitive) -> package, within this framework.
        let mut resolved: BTreeMap<String, PackageId> = BTreeMap::new();
        let mut entries = Vec::new();
        // Entries keep file order (`preserve_order`), so each search starts after the last hit.
        let mut cursor = framework_start;
        for (name, value) in packages {
            let needle = format!("\"{name}\": {{");
            let found = lines
                .find(&needle, cursor)
                .or_else(|| lines.find(&needle, framework_start));
            if let Some(offset) = found {
                cursor = offset + 1;
            }
            let line = found.map(|o| lines.line_of(o));
            let entry: Entry = serde_json::from_value(value.clone()).map_err(|e| {
                IngestError::parse(path, line, format!("invalid lockfile entry `{name}`: {e}"))
            })?;
            let id = match entry.kind.as_str() {
                "Project" => {
                    let mut package =
                        Package::new(Ecosystem::NuGet, name, "", location(path, line));
                    // Another project of the solution: local code, never a purl.
                    package.kind = PackageKind::Local;
                    package.source = Source::Path { path: name.clone() };
                    builder
                        .add(format!("project:{}", name.to_ascii_lowercase()), package)
                        .0
                }
                "Direct" | "Transitive" | "CentralTransitive" => {
                    let Some(version) = entry.resolved.as_deref() else {
                        return Err(IngestError::parse(
                            path,
                            line,
                            format!("lockfile entry `{name}` has no `resolved` version"),
                        ));
                    };
                    let mut package =
                        Package::new(Ecosystem::NuGet, name, version, location(path, line));
                    package.purl = purl("nuget", None, name, version, &[]);
                    package.source = Source::Registry {
                        url: NUGET_ORG.to_string(),
                        default: true,
                    };
                    if let Some(hex) = entry.content_hash.as_deref().and_then(base64_to_hex) {
                        package.hashes.push(Hash {
                            algorithm: HashAlgorithm::Sha512,
                            value: hex,
                        });
                    }
                    builder
                        .add(format!("{}@{version}", name.to_ascii_lowercase()), package)
                        .0
                }
                other => {
                    return Err(IngestError::parse(
                        path,
                        line,
                        format!("lockfile entry `{name}` has unknown type `{other}`"),
                    ));
                }
            };
            if matches!(entry.kind.as_str(), "Direct" | "Project") {
                builder.inventory.add_edge(Edge::normal(root, id));
            }
            resolved.insert(name.to_ascii_lowercase(), id);
            entries.push((id, entry));
        }
        for (from, entry) in entries {
            for dependency in entry.dependencies.keys() {
                if let Some(to) = resolved.get(&dependency.to_ascii_lowercase()) {
                    builder.inventory.add_edge(Edge::normal(from, *to));
                }
            }
        }
    }
    Ok(builder.inventory)
}
