//! Stage 1, ingest: `yarn.lock`, classic v1 (yarn's own format) and Berry (v2+, YAML with
//! `__metadata`).
//!
//! In: the lockfile's text, plus the `package.json` files beside it and in its workspaces
//! (v1 lockfiles do not list the project itself; Berry lists workspaces but not which of their
//! dependencies are dev-only). Out: an [`Inventory`] with one package per identity, workspaces
//! as roots, `link:`/`portal:`/`file:` entries as local packages (no purl), `patch:` entries
//! folded into the package they patch, aliases (`npm:`) under their real name, and edges.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::IngestError;
use super::js::{self, JsBuilder, ThirdParty};
use crate::inventory::{DepKind, Inventory, PackageId, PackageKind, Scope, Source};

/// Parses a `yarn.lock` already read as `text`; v1 or Berry is decided by the content.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let is_berry = text.lines().any(|line| line.starts_with("__metadata:"));
    if is_berry {
        parse_berry(path, text)
    } else {
        parse_v1(path, text)
    }
}

/// One entry of a v1 lockfile.
#[derive(Debug, Default)]
struct V1Entry {
    descriptors: Vec<String>,
    line: u32,
    fields: BTreeMap<String, String>,
    dependencies: Vec<(String, String)>,
    optional_dependencies: Vec<(String, String)>,
}

/// Splits a v1 header (`"a@^1", a@^1.2:`) into descriptors, honouring quotes.
fn v1_descriptors(header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in header.chars() {
        match character {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(current.trim().to_string());
                current.clear();
            }
            other => current.push(other),
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// Splits a v1 `key value` line (either may be quoted).
fn v1_pair(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let split = if let Some(rest) = line.strip_prefix('"') {
        let mut escaped = false;
        let mut end = None;
        for (index, character) in rest.char_indices() {
            if escaped {
                escaped = false;
            } else if character == '\\' {
                escaped = true;
            } else if character == '"' {
                end = Some(index + 2);
                break;
            }
        }
        end?
    } else {
        line.find(char::is_whitespace)?
    };
    let (key, value) = line.split_at(split);
    Some((js::unquote(key), js::unquote(value.trim())))
}

fn parse_v1_entries(path: &Path, text: &str) -> Result<Vec<V1Entry>, IngestError> {
    let mut entries: Vec<V1Entry> = Vec::new();
    let mut section: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let error = |message: &str| IngestError::parse(path, Some(number), message.to_string());
        match indent {
            0 => {
                let Some(header) = line.strip_suffix(':') else {
                    return Err(error("expected a yarn lockfile entry header ending in `:`"));
                };
                let descriptors = v1_descriptors(header);
                if descriptors.is_empty() {
                    return Err(error("empty yarn lockfile entry header"));
                }
                entries.push(V1Entry {
                    descriptors,
                    line: number,
                    ..V1Entry::default()
                });
                section = None;
            }
            2 => {
                let Some(entry) = entries.last_mut() else {
                    return Err(error("indented line before the first yarn lockfile entry"));
                };
                let trimmed = line.trim();
                if let Some(name) = trimmed.strip_suffix(':') {
                    section = Some(js::unquote(name));
                    continue;
                }
                section = None;
                let Some((key, value)) = v1_pair(trimmed) else {
                    return Err(error("expected `key value` in yarn lockfile entry"));
                };
                entry.fields.insert(key, value);
            }
            4 => {
                let (Some(entry), Some(section)) = (entries.last_mut(), section.as_deref()) else {
                    return Err(error("unexpected indentation in yarn lockfile"));
                };
                let Some(pair) = v1_pair(line) else {
                    return Err(error(
                        "expected `name range` in yarn lockfile dependency list",
                    ));
                };
                match section {
                    "dependencies" => entry.dependencies.push(pair),
                    "optionalDependencies" => entry.optional_dependencies.push(pair),
                    // `peerDependencies`, `dependenciesMeta`, ... do not create edges in v1.
                    _ => {}
                }
            }
            _ => return Err(error("unexpected indentation in yarn lockfile")),
        }
    }
    Ok(entries)
}

/// yarn writes an entry's fields in a fixed order (`version`, `resolved`, `integrity`, then
/// the dependency lists). When every other registry entry has `resolved` and `integrity` and
/// the file's last entry stops before them, the file was cut inside that entry (a whole
/// line, so the newline check cannot see it) and its hash is gone.
fn check_last_entry(path: &Path, entries: &[V1Entry]) -> Result<(), IngestError> {
    let Some((last, others)) = entries.split_last() else {
        return Ok(());
    };
    for field in ["resolved", "integrity"] {
        let everywhere = !others.is_empty()
            && others.iter().all(|entry| {
                entry.fields.contains_key(field) || !entry.fields.contains_key("resolved")
            })
            && others.iter().any(|entry| entry.fields.contains_key(field));
        let local = last.descriptors.iter().any(|descriptor| {
            ["@file:", "@link:", "@portal:"]
                .iter()
                .any(|protocol| descriptor.contains(protocol))
        });
        if everywhere && !local && !last.fields.contains_key(field) {
            return Err(IngestError::parse(
                path,
                Some(last.line),
                format!(
                    "the last entry `{}` has no `{field}`, which every other entry has: the lockfile is cut short; run `yarn install`",
                    last.descriptors[0]
                ),
            ));
        }
    }
    Ok(())
}

fn parse_v1(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let entries = parse_v1_entries(path, text)?;
    check_last_entry(path, &entries)?;
    let mut builder = JsBuilder::new(path);
    let mut by_descriptor: HashMap<&str, PackageId> = HashMap::new();
    let mut ids = Vec::with_capacity(entries.len());
    for entry in &entries {
        let first = &entry.descriptors[0];
        let Some((installed, range)) = js::split_descriptor(first) else {
            return Err(IngestError::parse(
                path,
                Some(entry.line),
                format!("yarn lockfile entry `{first}` is not `name@range`"),
            ));
        };
        let Some(version) = entry.fields.get("version") else {
            return Err(IngestError::parse(
                path,
                Some(entry.line),
                format!("yarn lockfile entry `{first}` has no `version`"),
            ));
        };
        // `alias@npm:real@^1` installs `real` under the name `alias`.
        let name = range
            .strip_prefix("npm:")
            .and_then(|rest| js::split_descriptor(rest).map(|(real, _)| real))
            .filter(|real| !real.is_empty())
            .unwrap_or(installed);
        let resolved = entry.fields.get("resolved").map(String::as_str);
        let local = ["file:", "link:", "portal:"]
            .iter()
            .find_map(|protocol| range.strip_prefix(protocol));
        let id = if let Some(local_path) = local {
            builder.local(
                name,
                version,
                local_path,
                PackageKind::Local,
                Some(entry.line),
            )
        } else {
            let source = match resolved {
                Some(resolved) => js::source_from_resolved(resolved),
                None if js::is_git_reference(range) => js::git_source(range),
                None => Source::Unknown,
            };
            let source = match source {
                // `resolved "file:..."`: a local tarball.
                Source::Path { path: local_path } => {
                    let id = builder.local(
                        name,
                        version,
                        &local_path,
                        PackageKind::Local,
                        Some(entry.line),
                    );
                    ids.push(id);
                    for descriptor in &entry.descriptors {
                        by_descriptor.insert(descriptor, id);
                    }
                    continue;
                }
                other => other,
            };
            builder.third_party(ThirdParty {
                name: name.to_string(),
                version: version.clone(),
                source,
                line: Some(entry.line),
                hashes: js::entry_hashes(
                    path,
                    Some(entry.line),
                    entry.fields.get("integrity").map(String::as_str),
                )?,
                license: None,
                scope: Scope::Runtime,
            })
        };
        ids.push(id);
        for descriptor in &entry.descriptors {
            by_descriptor.insert(descriptor, id);
        }
    }
    for (entry, &from) in entries.iter().zip(&ids) {
        let lists = [
            (&entry.dependencies, false),
            (&entry.optional_dependencies, true),
        ];
        for (list, optional) in lists {
            for (name, range) in list {
                match by_descriptor.get(format!("{name}@{range}").as_str()) {
                    Some(&to) => builder.edge(from, to, DepKind::Normal, optional),
                    None if optional => {}
                    None => {
                        return Err(js::missing_entry(
                            path,
                            Some(entry.line),
                            &entry.descriptors[0],
                            &format!("{name}@{range}"),
                        ));
                    }
                }
            }
        }
    }
    // v1 does not list the project: its roots come from package.json and its workspaces.
    let lockfile_dir = path.parent().unwrap_or(Path::new("."));
    match js::read_manifest(lockfile_dir)? {
        Some((_, manifest)) => {
            let members = js::expand_workspaces(lockfile_dir, &manifest.workspace_patterns());
            let mut projects = vec![(".".to_string(), manifest)];
            for member in members {
                if let Some((_, member_manifest)) = js::read_manifest(&lockfile_dir.join(&member))?
                {
                    projects.push((member, member_manifest));
                }
            }
            let mut project_ids = Vec::new();
            for (dir, manifest) in &projects {
                let name = manifest
                    .name
                    .clone()
                    .unwrap_or_else(|| js::directory_name(&lockfile_dir.join(dir)));
                let id = builder.local(
                    &name,
                    manifest.version.as_deref().unwrap_or("0.0.0"),
                    dir,
                    PackageKind::Root,
                    None,
                );
                // The project is declared by its package.json, not by the lockfile.
                builder.inventory.package_mut(id).location = crate::inventory::Location {
                    file: if dir == "." {
                        lockfile_dir.join("package.json")
                    } else {
                        lockfile_dir.join(dir).join("package.json")
                    },
                    line: Some(1),
                };
                project_ids.push((name, id));
            }
            for ((dir, manifest), &(_, from)) in projects.iter().zip(&project_ids) {
                for (name, range, kind, optional) in manifest.declared() {
                    if let Some(&to) = by_descriptor.get(format!("{name}@{range}").as_str()) {
                        builder.edge(from, to, kind, optional);
                    } else if let Some((_, to)) = project_ids.iter().find(|(n, _)| *n == name) {
                        // A workspace depending on a sibling workspace: not in the lockfile.
                        builder.edge(from, *to, kind, optional);
                    } else if !optional {
                        // `yarn install --frozen-lockfile` refuses this too: the lockfile is
                        // cut short or out of date, and what it lacks cannot be checked.
                        let manifest = if dir == "." {
                            lockfile_dir.join("package.json")
                        } else {
                            lockfile_dir.join(dir).join("package.json")
                        };
                        return Err(IngestError::parse(
                            path,
                            None,
                            format!(
                                "`{}` declares `{name}@{range}`, which has no entry in the lockfile: the lockfile is cut short or out of date; run `yarn install`",
                                manifest.display()
                            ),
                        ));
                    }
                }
            }
            let declared_members = !projects[0].1.workspace_patterns().is_empty();
            if declared_members && projects.len() == 1 {
                let message = format!(
                    "`{}`: the workspaces named in `package.json` were not found on disk, so their direct dependencies and dev scope are unknown",
                    path.display()
                );
                builder.inventory.add_gap("roots-incomplete", message, 0);
            }
        }
        None => {
            let message = format!(
                "`{}`: no `package.json` beside this yarn v1 lockfile, so roots, direct dependencies and dev scope are unknown",
                path.display()
            );
            let count = builder.inventory.packages().len();
            builder.inventory.add_gap("roots-unknown", message, count);
        }
    }
    Ok(builder.finish(text.as_bytes(), "yarn.lock v1".to_string()))
}

/// What a Berry `resolution` locator names.
enum Locator {
    Registry { name: String },
    Workspace { name: String, path: String },
    Local { name: String, path: String },
    Git { name: String, reference: String },
    Url { name: String, url: String },
}

fn berry_locator(resolution: &str) -> Option<Locator> {
    let (name, reference) = js::split_descriptor(resolution)?;
    let name = name.to_string();
    // `::locator=...` and other `::` parameters qualify local references.
    let (reference_body, _) = reference.split_once("::").unwrap_or((reference, ""));
    if reference.starts_with("npm:") {
        return Some(Locator::Registry { name });
    }
    if let Some(path) = reference_body.strip_prefix("workspace:") {
        return Some(Locator::Workspace {
            name,
            path: path.to_string(),
        });
    }
    if let Some(inner) = reference.strip_prefix("patch:") {
        // `patch:name@npm%3A1.2.3#patchfile::version=1.2.3&hash=...`: the patched package.
        let inner = js::percent_decode(inner.split('#').next().unwrap_or(inner));
        return match js::split_descriptor(&inner) {
            Some((inner_name, inner_reference)) => {
                let resolution = format!("{inner_name}@{inner_reference}");
                berry_locator(&resolution)
            }
            None => None,
        };
    }
    for protocol in ["link:", "portal:", "file:", "exec:"] {
        if let Some(path) = reference_body.strip_prefix(protocol) {
            return Some(Locator::Local {
                name,
                path: path.to_string(),
            });
        }
    }
    if js::is_git_reference(reference) {
        return Some(Locator::Git {
            name,
            reference: reference.to_string(),
        });
    }
    if reference.starts_with("http://") || reference.starts_with("https://") {
        return Some(Locator::Url {
            name,
            url: reference.to_string(),
        });
    }
    None
}

/// One Berry entry, kept for the second pass that adds its edges.
struct BerryEntry<'a> {
    id: PackageId,
    value: &'a serde_yaml_ng::Value,
    resolution: String,
    workspace_path: Option<String>,
    line: Option<u32>,
}

fn parse_berry(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let document = js::yaml_document(path, text, "yarn Berry lockfile")?;
    let Some(mapping) = document.as_mapping() else {
        return Err(IngestError::parse(
            path,
            Some(1),
            "yarn Berry lockfile must be a YAML mapping",
        ));
    };
    let metadata_version = mapping
        .get("__metadata")
        .and_then(|m| js::yaml_get(m, "version"))
        .and_then(js::yaml_text)
        .unwrap_or_else(|| "?".to_string());
    let lines = js::yaml_key_lines(text);
    js::reject_empty_keys(path, &document, &lines, "yarn")?;
    let lockfile_dir = path.parent().unwrap_or(Path::new("."));
    let yarnrc = read_yarnrc(lockfile_dir)?;
    // Berry records no registry per package: `npmRegistryServer` applies to all of them.
    let registry = match yarnrc.registry.as_deref().map(|r| r.trim_end_matches('/')) {
        Some(url)
            if !url.ends_with("//registry.npmjs.org")
                && !url.ends_with("//registry.yarnpkg.com") =>
        {
            Source::Registry {
                url: url.to_string(),
                default: false,
            }
        }
        _ => Source::Registry {
            url: js::NPM_REGISTRY.to_string(),
            default: true,
        },
    };
    let mut builder = JsBuilder::new(path);
    let mut by_descriptor: HashMap<String, PackageId> = HashMap::new();
    let mut entries: Vec<BerryEntry> = Vec::new();
    for (key, value) in mapping {
        let Some(key) = js::yaml_text(key) else {
            continue;
        };
        if key == "__metadata" {
            continue;
        }
        let line = lines.get(&(String::new(), key.clone())).copied();
        let field = |name: &str| js::yaml_get(value, name).and_then(js::yaml_text);
        let Some(resolution) = field("resolution") else {
            return Err(IngestError::parse(
                path,
                line,
                format!("yarn lockfile entry `{key}` has no `resolution`"),
            ));
        };
        // yarn writes `languageName` and `linkType` last in every entry: an entry without
        // `linkType` was cut short at a line boundary, with whatever followed it lost.
        if field("linkType").is_none() {
            return Err(IngestError::parse(
                path,
                line,
                format!(
                    "yarn lockfile entry `{key}` has no `linkType`, which yarn writes last in every entry: the lockfile is cut short; run `yarn install`"
                ),
            ));
        }
        let version = field("version").unwrap_or_else(|| "0.0.0".to_string());
        let Some(locator) = berry_locator(&resolution) else {
            return Err(IngestError::parse(
                path,
                line,
                format!(
                    "yarn lockfile entry `{key}` has an unrecognised resolution `{resolution}`"
                ),
            ));
        };
        let mut workspace_path = None;
        let id = match locator {
            Locator::Registry { name } => builder.third_party(ThirdParty {
                name,
                version,
                source: registry.clone(),
                line,
                hashes: Vec::new(),
                license: None,
                scope: Scope::Runtime,
            }),
            Locator::Workspace { name, path: dir } => {
                let dir = if dir.is_empty() { ".".to_string() } else { dir };
                workspace_path = Some(dir.clone());
                builder.local(&name, &version, &dir, PackageKind::Root, line)
            }
            Locator::Local { name, path: local } => {
                let local = js::percent_decode(&local);
                // The path is relative to the workspace named by `::locator=`.
                let base = resolution
                    .split_once("::locator=")
                    .map(|(_, locator)| {
                        js::percent_decode(locator.split('&').next().unwrap_or(locator))
                    })
                    .and_then(|locator| {
                        let (_, reference) = js::split_descriptor(&locator)?;
                        reference.strip_prefix("workspace:").map(str::to_string)
                    })
                    .unwrap_or_else(|| ".".to_string());
                let local = js::join_relative(&base, &local);
                builder.local(&name, &version, &local, PackageKind::Local, line)
            }
            Locator::Git { name, reference } => builder.third_party(ThirdParty {
                name,
                version,
                source: js::git_source(&reference),
                line,
                hashes: Vec::new(),
                license: None,
                scope: Scope::Runtime,
            }),
            Locator::Url { name, url } => builder.third_party(ThirdParty {
                name,
                version,
                source: js::source_from_resolved(&url),
                line,
                hashes: Vec::new(),
                license: None,
                scope: Scope::Runtime,
            }),
        };
        for descriptor in key.split(", ") {
            let descriptor = descriptor.trim().to_string();
            // Local descriptors carry the depending workspace as `::locator=`; dependency
            // lists do not, so index the bare descriptor too when it is unambiguous.
            if let Some((bare, _)) = descriptor.split_once("::") {
                by_descriptor.entry(bare.to_string()).or_insert(id);
            }
            by_descriptor.insert(descriptor, id);
        }
        entries.push(BerryEntry {
            id,
            value,
            resolution,
            workspace_path,
            line,
        });
    }
    // `resolutions` in the root package.json force versions the dependency lists do not show.
    let root_manifest = js::read_manifest(lockfile_dir)?.map(|(_, manifest)| manifest);
    // `catalog:` ranges are defined in `.yarnrc.yml`.
    let catalogs = &yarnrc.catalogs;
    // Berry merges dev and normal dependencies of a workspace; its package.json tells them apart.
    let mut unknown_scope_workspaces = 0;
    let mut unresolved = 0;
    let mut example = String::new();
    for BerryEntry {
        id: from,
        value,
        resolution,
        workspace_path,
        line,
    } in &entries
    {
        let dev_names: Option<Vec<String>> = match workspace_path {
            Some(dir) => match js::read_manifest(&lockfile_dir.join(dir))? {
                Some((_, manifest)) => Some(
                    manifest
                        .declared()
                        .into_iter()
                        .filter(|(_, _, kind, _)| *kind == DepKind::Dev)
                        .map(|(name, ..)| name)
                        .collect(),
                ),
                None => {
                    unknown_scope_workspaces += 1;
                    None
                }
            },
            None => None,
        };
        let meta = js::yaml_get(value, "dependenciesMeta");
        let locator_suffix = format!("::locator={}", encode_locator(resolution));
        for (name, range) in js::yaml_string_map(js::yaml_get(value, "dependencies")) {
            let descriptor = format!("{name}@{range}");
            let target = by_descriptor
                .get(&format!("{descriptor}{locator_suffix}"))
                .or_else(|| by_descriptor.get(&descriptor))
                // Berry before lockfile v6 wrote dependency ranges without `npm:`.
                .or_else(|| by_descriptor.get(&format!("{name}@npm:{range}")))
                .or_else(|| {
                    let catalog = range.strip_prefix("catalog:")?;
                    let range = catalogs.get(&(catalog.to_string(), name.clone()))?;
                    by_descriptor
                        .get(&format!("{name}@npm:{range}"))
                        .or_else(|| by_descriptor.get(&format!("{name}@{range}")))
                })
                .or_else(|| {
                    let forced = root_manifest.as_ref()?.resolution_for(&name, &range)?;
                    by_descriptor
                        .get(&format!("{name}@{forced}"))
                        .or_else(|| by_descriptor.get(&format!("{name}@npm:{forced}")))
                });
            let optional = meta
                .and_then(|m| js::yaml_get(m, &name))
                .and_then(|m| js::yaml_get(m, "optional"))
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            let kind = match (&workspace_path, &dev_names) {
                (Some(_), Some(dev)) if dev.contains(&name) => DepKind::Dev,
                (Some(_), Some(_)) => DepKind::Normal,
                (Some(_), None) => DepKind::Unknown,
                (None, _) => DepKind::Normal,
            };
            match target {
                Some(&to) => builder.edge(*from, to, kind, optional),
                None if optional => {}
                // Without `package.json` (its `resolutions`) or `.yarnrc.yml` (its catalogs)
                // a complete lockfile can hold references that cannot be followed: a gap.
                None if root_manifest.is_none() || range.starts_with("catalog:") => {
                    unresolved += 1;
                    if example.is_empty() {
                        example = format!("{resolution} -> {descriptor}");
                    }
                }
                None => return Err(js::missing_entry(path, *line, resolution, &descriptor)),
            }
        }
    }
    if unknown_scope_workspaces > 0 {
        let message = format!(
            "`{}`: {unknown_scope_workspaces} workspace(s) have no `package.json` on disk, so their dev dependencies cannot be told from runtime ones",
            path.display()
        );
        builder
            .inventory
            .add_gap("scope-unknown", message, unknown_scope_workspaces);
    }
    builder.unresolved(unresolved, &example);
    Ok(builder.finish(
        text.as_bytes(),
        format!("yarn.lock berry (metadata v{metadata_version})"),
    ))
}

/// What Berry needs from `.yarnrc.yml`: catalogs and the registry.
#[derive(Default)]
struct Yarnrc {
    /// (catalog, package) → range; the default `catalog` is named `""`.
    catalogs: HashMap<(String, String), String>,
    /// `npmRegistryServer`, when set.
    registry: Option<String>,
}

/// Reads `.yarnrc.yml` beside the lockfile. A missing file gives the defaults (`catalog:`
/// references then stay unresolved and are reported as such). One that is there but cannot
/// be read or parsed is an error naming it, as yarn itself stops on it: its
/// `npmRegistryServer` is every package's source, and taking the public registry instead
/// could pass a source rule that the real registry fails.
fn read_yarnrc(dir: &Path) -> Result<Yarnrc, IngestError> {
    let path = dir.join(".yarnrc.yml");
    let text = match crate::util::read_input_text(&path) {
        Ok(text) => text,
        Err(crate::util::ReadError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            return Ok(Yarnrc::default());
        }
        Err(error) => return Err(error.into()),
    };
    let document = js::yaml_document(&path, &text, ".yarnrc.yml")?;
    Ok(Yarnrc {
        catalogs: read_catalogs(&document),
        registry: js::yaml_get(&document, "npmRegistryServer").and_then(js::yaml_text),
    })
}

fn read_catalogs(document: &serde_yaml_ng::Value) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for (name, range) in js::yaml_string_map(js::yaml_get(document, "catalog")) {
        out.insert((String::new(), name), range);
    }
    for (catalog, entries) in js::yaml_get(document, "catalogs")
        .and_then(|c| c.as_mapping())
        .into_iter()
        .flatten()
    {
        if let Some(catalog) = js::yaml_text(catalog) {
            for (name, range) in js::yaml_string_map(Some(entries)) {
                out.insert((catalog.clone(), name), range);
            }
        }
    }
    out
}

/// Encodes a locator the way Berry writes it after `::locator=` (`@` → `%40`, `:` → `%3A`).
fn encode_locator(locator: &str) -> String {
    let mut out = String::with_capacity(locator.len());
    for character in locator.chars() {
        match character {
            '@' => out.push_str("%40"),
            ':' => out.push_str("%3A"),
            '/' => out.push_str("%2F"),
            '#' => out.push_str("%23"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_headers_and_pairs() {
        assert_eq!(
            v1_descriptors(r#""@a/b@^1", "@a/b@^1.2""#),
            vec!["@a/b@^1", "@a/b@^1.2"]
        );
        assert_eq!(v1_descriptors("left-pad@^1.0.0"), vec!["left-pad@^1.0.0"]);
        assert_eq!(
            v1_pair(r#""@a/b" "^1.0.0""#),
            Some(("@a/b".to_string(), "^1.0.0".to_string()))
        );
        assert_eq!(
            v1_pair(r#"version "1.0.0""#),
            Some(("version".to_string(), "1.0.0".to_string()))
        );
    }

    #[test]
    fn berry_locators() {
        assert!(matches!(
            berry_locator("a@npm:1.0.0"),
            Some(Locator::Registry { name }) if name == "a"
        ));
        assert!(matches!(
            berry_locator("resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"),
            Some(Locator::Registry { name }) if name == "resolve"
        ));
        assert!(matches!(
            berry_locator("@x/y@workspace:packages/y"),
            Some(Locator::Workspace { name, path }) if name == "@x/y" && path == "packages/y"
        ));
        assert!(matches!(
            berry_locator("z@portal:../z::locator=root%40workspace%3A."),
            Some(Locator::Local { path, .. }) if path == "../z"
        ));
        assert_eq!(
            encode_locator("@b/c@workspace:."),
            "%40b%2Fc%40workspace%3A."
        );
    }
}
