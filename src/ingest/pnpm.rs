//! Stage 1, ingest: `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
//!
//! In: the lockfile's text. Out: an [`Inventory`] whose roots are the importers (the
//! workspace projects), with one package per identity: the peer variants pnpm keeps apart
//! (`(react@18.2.0)` in v6/v9, `_react@18.2.0` in 5.x) and v9's `snapshots` fold into the
//! package they instantiate, while their dependency edges are all kept. `link:` versions
//! point at other importers or local directories (no purl).

use std::collections::HashMap;
use std::path::Path;

use serde_yaml_ng::Value;

use super::IngestError;
use super::js::{self, JsBuilder, ThirdParty};
use crate::inventory::{DepKind, Inventory, PackageId, PackageKind, Scope, Source};

/// The key syntax generation of a lockfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// 5.x: `/name/1.0.0_peer@1.0.0`.
    V5,
    /// 6.x: `/name@1.0.0(peer@1.0.0)`.
    V6,
    /// 9.x: `name@1.0.0(peer@1.0.0)`, with `snapshots`.
    V9,
}

/// Parses a `pnpm-lock.yaml` already read as `text`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let document: Value = js::yaml_document(path, text, "pnpm lockfile")?;
    if !document.is_mapping() {
        return Err(IngestError::parse(
            path,
            Some(1),
            "pnpm lockfile must be a YAML mapping",
        ));
    }
    let lines = js::yaml_key_lines(text);
    js::reject_empty_keys(path, &document, &lines, "pnpm")?;
    let top_line = |key: &str| lines.get(&(String::new(), key.to_string())).copied();
    let version = js::yaml_get(&document, "lockfileVersion")
        .and_then(js::yaml_text)
        .ok_or_else(|| {
            IngestError::parse(path, Some(1), "pnpm lockfile has no `lockfileVersion`")
        })?;
    let major: u32 = version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| {
            IngestError::parse(
                path,
                top_line("lockfileVersion"),
                format!("pnpm lockfile has an unreadable `lockfileVersion` `{version}`"),
            )
        })?;
    let generation = match major {
        5 => Generation::V5,
        6..=8 => Generation::V6,
        9.. => Generation::V9,
        _ => {
            return Err(IngestError::parse(
                path,
                top_line("lockfileVersion"),
                format!(
                    "pnpm lockfile version `{version}` is not supported (5.x, 6.x and 9.x are)"
                ),
            ));
        }
    };
    let mut builder = JsBuilder::new(path);
    let empty = Value::Mapping(Default::default());
    let packages = js::yaml_get(&document, "packages").unwrap_or(&empty);
    let snapshots = js::yaml_get(&document, "snapshots").unwrap_or(&empty);
    for section in ["importers", "packages", "snapshots"] {
        let Some(value) = js::yaml_get(&document, section) else {
            continue;
        };
        if !value.is_mapping() {
            return Err(IngestError::parse(
                path,
                top_line(section),
                format!("pnpm lockfile `{section}` must be a mapping"),
            ));
        }
    }

    // Packages: one per identity; every key (and v9 snapshot key) maps to it.
    let mut ids: HashMap<String, PackageId> = HashMap::new();
    for (key, entry) in packages.as_mapping().into_iter().flatten() {
        let Some(key) = js::yaml_text(key) else {
            continue;
        };
        let line = lines.get(&("packages".to_string(), key.clone())).copied();
        let id = add_package(&mut builder, path, generation, &key, entry, line)?;
        ids.insert(key, id);
    }
    let mut instantiated: std::collections::HashSet<String> = Default::default();
    for (key, _) in snapshots.as_mapping().into_iter().flatten() {
        let Some(key) = js::yaml_text(key) else {
            continue;
        };
        let base = strip_peers(&key);
        instantiated.insert(base.to_string());
        if ids.contains_key(&key) {
            continue;
        }
        let id = match ids.get(base) {
            Some(&id) => id,
            None => {
                let line = lines.get(&("snapshots".to_string(), key.clone())).copied();
                add_package(&mut builder, path, generation, base, &empty, line)?
            }
        };
        ids.insert(key, id);
    }
    // pnpm 9 writes each package twice: its metadata under `packages` and at least one
    // instance under `snapshots` (after `packages` in the file). A package without a
    // snapshot means the file ends early: what would have followed is lost.
    if generation == Generation::V9 {
        for (key, _) in packages.as_mapping().into_iter().flatten() {
            let Some(key) = js::yaml_text(key) else {
                continue;
            };
            if !instantiated.contains(key.as_str()) {
                let line = lines.get(&("packages".to_string(), key.clone())).copied();
                return Err(IngestError::parse(
                    path,
                    line,
                    format!(
                        "package `{key}` has no entry under `snapshots`: the lockfile is incomplete (cut short or edited by hand); regenerate it with `pnpm install`"
                    ),
                ));
            }
        }
    }

    // Importers: the projects. A single-project lockfile (5.x/6.x) keeps them at the top.
    let mut importers: Vec<(String, &Value, Option<u32>)> = Vec::new();
    match js::yaml_get(&document, "importers").and_then(Value::as_mapping) {
        Some(mapping) => {
            for (key, value) in mapping {
                if let Some(key) = js::yaml_text(key) {
                    let line = lines.get(&("importers".to_string(), key.clone())).copied();
                    importers.push((key, value, line));
                }
            }
        }
        None => {
            // The project counts as listed only when the file says something about it; a
            // file cut after `lockfileVersion` does not.
            let described = ["specifiers", "dependencies", "devDependencies"]
                .iter()
                .any(|key| js::yaml_get(&document, key).is_some());
            importers.push((".".to_string(), &document, described.then_some(1)));
        }
    }
    let lockfile_dir = path.parent().unwrap_or(Path::new("."));
    let mut importer_ids: HashMap<String, PackageId> = HashMap::new();
    for (dir, _, line) in &importers {
        let dir = js::join_relative(".", dir);
        // The lockfile holds no importer names; package.json does, when it is on disk.
        let manifest = js::read_manifest(&lockfile_dir.join(&dir)).ok().flatten();
        let name = manifest
            .as_ref()
            .and_then(|(_, m)| m.name.clone())
            .unwrap_or_else(|| {
                if dir == "." {
                    js::directory_name(lockfile_dir)
                } else {
                    dir.clone()
                }
            });
        let version = manifest
            .as_ref()
            .and_then(|(_, m)| m.version.clone())
            .unwrap_or_else(|| "0.0.0".to_string());
        let id = builder.local(&name, &version, &dir, PackageKind::Root, *line);
        importer_ids.insert(dir, id);
    }

    for (dir, importer, importer_line) in &importers {
        check_importer(path, dir, importer, *importer_line)?;
        let dir = js::join_relative(".", dir);
        let from = importer_ids[&dir];
        for (section, kind, optional) in [
            ("dependencies", DepKind::Normal, false),
            ("devDependencies", DepKind::Dev, false),
            ("optionalDependencies", DepKind::Normal, true),
        ] {
            for (name, reference) in importer_dependencies(js::yaml_get(importer, section)) {
                let target = resolve(
                    &mut builder,
                    generation,
                    &ids,
                    &importer_ids,
                    &dir,
                    &name,
                    &reference,
                );
                match target {
                    Some(to) => builder.edge(from, to, kind, optional),
                    // Optional dependencies for other platforms are legitimately absent.
                    None if optional => {}
                    None => {
                        return Err(js::missing_entry(
                            path,
                            *importer_line,
                            &format!("importers: {dir}"),
                            &format!("{name}@{reference}"),
                        ));
                    }
                }
            }
        }
    }
    // Package edges: from `snapshots` in v9, from `packages` before.
    let edge_source = if generation == Generation::V9 {
        snapshots
    } else {
        packages
    };
    for (key, entry) in edge_source.as_mapping().into_iter().flatten() {
        let Some(key) = js::yaml_text(key) else {
            continue;
        };
        let Some(&from) = ids.get(&key) else {
            continue;
        };
        for (section, optional) in [("dependencies", false), ("optionalDependencies", true)] {
            for (name, reference) in js::yaml_string_map(js::yaml_get(entry, section)) {
                let target = resolve(
                    &mut builder,
                    generation,
                    &ids,
                    &importer_ids,
                    ".",
                    &name,
                    &reference,
                );
                match target {
                    Some(to) => builder.edge(from, to, DepKind::Normal, optional),
                    None if optional => {}
                    None => {
                        let section = if generation == Generation::V9 {
                            "snapshots"
                        } else {
                            "packages"
                        };
                        let line = lines.get(&(section.to_string(), key.clone())).copied();
                        return Err(js::missing_entry(
                            path,
                            line,
                            &key,
                            &format!("{name}@{reference}"),
                        ));
                    }
                }
            }
        }
    }
    Ok(builder.finish(text.as_bytes(), format!("pnpm-lock.yaml v{version}")))
}

/// The dependency sections of an importer.
const IMPORTER_SECTIONS: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];

/// An importer is whole when every dependency has a resolved version: in 5.x every
/// `specifiers` name appears in a dependency section (written after `specifiers`), and in
/// 6.x/9.x every entry has its `version` (written after its `specifier`). A file cut between
/// the two would otherwise lose those dependencies without a word.
fn check_importer(
    path: &Path,
    dir: &str,
    importer: &Value,
    line: Option<u32>,
) -> Result<(), IngestError> {
    let resolved: Vec<String> = IMPORTER_SECTIONS
        .iter()
        .flat_map(|section| importer_dependencies(js::yaml_get(importer, section)))
        .map(|(name, _)| name)
        .collect();
    let specified = js::yaml_get(importer, "specifiers")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| js::yaml_text(name));
    let unversioned = IMPORTER_SECTIONS
        .iter()
        .filter_map(|section| js::yaml_get(importer, section)?.as_mapping())
        .flatten()
        .filter(|(_, entry)| entry.is_mapping())
        .filter_map(|(name, _)| js::yaml_text(name));
    for name in specified.chain(unversioned) {
        if !resolved.contains(&name) {
            return Err(IngestError::parse(
                path,
                line,
                format!(
                    "importer `{dir}` specifies `{name}` but the lockfile records no version for it: the lockfile is cut short; run `pnpm install`"
                ),
            ));
        }
    }
    Ok(())
}

/// An importer's dependency list: `name: version` (5.x) or `name: {specifier, version}`.
fn importer_dependencies(value: Option<&Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, entry) in value.and_then(Value::as_mapping).into_iter().flatten() {
        let Some(name) = js::yaml_text(name) else {
            continue;
        };
        let version = match entry {
            Value::Mapping(_) => js::yaml_get(entry, "version").and_then(js::yaml_text),
            other => js::yaml_text(other),
        };
        if let Some(version) = version {
            out.push((name, version));
        }
    }
    out
}

/// Removes a peer suffix: `(react@18.2.0)...` in v6/v9 keys.
fn strip_peers(key: &str) -> &str {
    match key.find('(') {
        Some(index) => &key[..index],
        None => key,
    }
}

/// (name, version) of a package key, without peer suffix; `None` for non-registry keys.
fn key_identity(generation: Generation, key: &str) -> Option<(String, String)> {
    match generation {
        Generation::V9 => {
            let (name, version) = js::split_descriptor(strip_peers(key))?;
            Some((name.to_string(), version.to_string()))
        }
        // Packages from a non-default registry are keyed `registry.example.com/name...`.
        Generation::V6 | Generation::V5 if !key.starts_with('/') => {
            let slash = key.find('/')?;
            key_identity(generation, &key[slash..])
        }
        Generation::V6 => {
            let body = key.strip_prefix('/')?;
            let (name, version) = js::split_descriptor(strip_peers(body))?;
            Some((name.to_string(), version.to_string()))
        }
        Generation::V5 => {
            let body = key.strip_prefix('/')?;
            let segments: Vec<&str> = body.split('/').collect();
            let (name, rest) = if body.starts_with('@') {
                if segments.len() < 3 {
                    return None;
                }
                (format!("{}/{}", segments[0], segments[1]), &segments[2..])
            } else {
                if segments.len() < 2 {
                    return None;
                }
                (segments[0].to_string(), &segments[1..])
            };
            // Versions never contain `_`; what follows the first one is the peer suffix.
            let version = rest.join("/");
            let version = version.split('_').next().unwrap_or_default().to_string();
            strip_peers(&version)
                .chars()
                .next()
                .filter(char::is_ascii_digit)?;
            Some((name, strip_peers(&version).to_string()))
        }
    }
}

fn add_package(
    builder: &mut JsBuilder,
    path: &Path,
    generation: Generation,
    key: &str,
    entry: &Value,
    line: Option<u32>,
) -> Result<PackageId, IngestError> {
    let field = |name: &str| js::yaml_get(entry, name).and_then(js::yaml_text);
    // Git, tarball and directory packages carry `name` and `version` fields.
    let identity = match (field("name"), field("version")) {
        (Some(name), Some(version)) => Some((name, version)),
        _ => key_identity(generation, key),
    };
    let Some((name, version)) = identity else {
        return Err(IngestError::parse(
            path,
            line,
            format!("pnpm lockfile package `{key}` has no readable name and version"),
        ));
    };
    let resolution = js::yaml_get(entry, "resolution");
    let resolution_field = |name: &str| {
        resolution
            .and_then(|r| js::yaml_get(r, name))
            .and_then(js::yaml_text)
    };
    if let Some(directory) = resolution_field("directory") {
        return Ok(builder.local(&name, &version, &directory, PackageKind::Local, line));
    }
    let source = if let Some(commit) = resolution_field("commit") {
        Source::Git {
            url: resolution_field("repo").unwrap_or_default(),
            commit: Some(commit),
            reference: None,
        }
    } else if let Some(tarball) = resolution_field("tarball") {
        if let Some(local) = tarball.strip_prefix("file:") {
            return Ok(builder.local(&name, &version, local, PackageKind::Local, line));
        }
        js::source_from_resolved(&tarball)
    } else if generation != Generation::V9 && !key.starts_with('/') && key.contains('/') {
        // 5.x/6.x key packages from another registry by its host.
        let host = key.split('/').next().unwrap_or_default();
        Source::Registry {
            url: format!("https://{host}"),
            default: false,
        }
    } else {
        // pnpm records no registry URL for default-registry packages (only `integrity`).
        Source::Registry {
            url: js::NPM_REGISTRY.to_string(),
            default: true,
        }
    };
    let flag = |name: &str| js::yaml_get(entry, name).and_then(Value::as_bool) == Some(true);
    let scope = if flag("dev") {
        Scope::Dev
    } else if flag("optional") {
        Scope::Optional
    } else {
        Scope::Runtime
    };
    Ok(builder.third_party(ThirdParty {
        name,
        version,
        source,
        line,
        hashes: js::entry_hashes(path, line, resolution_field("integrity").as_deref())?,
        license: None,
        scope,
    }))
}

/// The package a dependency reference points to. `link:` references become importers or
/// local directories; others become package keys in the lockfile's generation's syntax.
fn resolve(
    builder: &mut JsBuilder,
    generation: Generation,
    ids: &HashMap<String, PackageId>,
    importer_ids: &HashMap<String, PackageId>,
    from_dir: &str,
    name: &str,
    reference: &str,
) -> Option<PackageId> {
    if let Some(target) = reference.strip_prefix("link:") {
        let target = js::join_relative(from_dir, target);
        if let Some(&id) = importer_ids.get(&target) {
            return Some(id);
        }
        if let Some(id) = builder.local_at(&target) {
            return Some(id);
        }
        return Some(builder.local(name, "0.0.0", &target, PackageKind::Local, None));
    }
    let starts_with_digit = reference.chars().next().is_some_and(|c| c.is_ascii_digit());
    let candidates: Vec<String> = match generation {
        Generation::V9 => {
            if starts_with_digit {
                vec![format!("{name}@{reference}")]
            } else {
                // An alias (`real@1.0.0`) or a non-registry key.
                vec![reference.to_string(), format!("{name}@{reference}")]
            }
        }
        Generation::V6 => {
            if reference.starts_with('/') || !starts_with_digit {
                vec![reference.to_string(), format!("/{name}@{reference}")]
            } else {
                vec![format!("/{name}@{reference}")]
            }
        }
        Generation::V5 => {
            if reference.starts_with('/') || !starts_with_digit {
                vec![reference.to_string(), format!("/{name}/{reference}")]
            } else {
                vec![format!("/{name}/{reference}")]
            }
        }
    };
    for candidate in &candidates {
        if let Some(&id) = ids.get(candidate) {
            return Some(id);
        }
        if let Some(&id) = ids.get(strip_peers(candidate)) {
            return Some(id);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_identities() {
        let v5 = |k| key_identity(Generation::V5, k);
        assert_eq!(
            v5("/@babel/core/7.0.0_react@18.2.0"),
            Some(("@babel/core".to_string(), "7.0.0".to_string()))
        );
        assert_eq!(
            v5("/left-pad/1.3.0"),
            Some(("left-pad".to_string(), "1.3.0".to_string()))
        );
        assert_eq!(
            key_identity(Generation::V6, "/@a/b@1.0.0(react@18.2.0)"),
            Some(("@a/b".to_string(), "1.0.0".to_string()))
        );
        assert_eq!(
            key_identity(Generation::V6, "npm.example.com/@a/b@1.0.0"),
            Some(("@a/b".to_string(), "1.0.0".to_string()))
        );
        assert_eq!(
            v5("npm.example.com/c/2.0.0"),
            Some(("c".to_string(), "2.0.0".to_string()))
        );
        assert_eq!(
            key_identity(Generation::V9, "b@2.0.0(react@18.2.0)(x@1.0.0)"),
            Some(("b".to_string(), "2.0.0".to_string()))
        );
    }
}
