//! `Gemfile.lock` (Bundler) -> packages and edges (stage 1, ingest).
//!
//! In: the lockfile text. Out: a root (the project directory) with edges to every gem under
//! `DEPENDENCIES`; one package per spec under `GEM` (a remote registry), `GIT` (a repository
//! at a `revision`) and `PATH` (a local directory: no purl); edges from each spec's dependency
//! lines; `sha256` digests from `CHECKSUMS`. A platform-specific version such as
//! `nokogiri (1.15.0-x86_64-linux)` becomes version `1.15.0` with a `platform` purl qualifier.
//! `PLATFORMS`, `RUBY VERSION` and `BUNDLED WITH` describe the bundle, not dependencies.

use std::collections::BTreeMap;
use std::path::Path;

use super::IngestError;
use super::support::{Builder, location, purl, root_package};
use crate::inventory::{
    Ecosystem, Edge, Hash, HashAlgorithm, Inventory, PackageId, PackageKind, Source,
};

/// The default gem server.
const RUBYGEMS: &str = "https://rubygems.org/";

/// The source block a spec belongs to.
#[derive(Default, Clone)]
struct Block {
    kind: String,
    remote: String,
    revision: Option<String>,
    reference: Option<String>,
}

/// `name (version)` -> (name, Some(version)); `name` -> (name, None).
fn name_and_paren(text: &str) -> Option<(&str, Option<&str>)> {
    let text = text.trim();
    match text.split_once(" (") {
        Some((name, rest)) => Some((name, Some(rest.strip_suffix(')')?))),
        None if !text.contains(' ') => Some((text, None)),
        None => None,
    }
}

/// Splits `1.15.0-x86_64-linux` into version and platform (RubyGems versions have no `-`).
fn split_platform(version: &str) -> (&str, Option<&str>) {
    match version.split_once('-') {
        Some((version, platform)) => (version, Some(platform)),
        None => (version, None),
    }
}

/// The sections Bundler writes, each starting at column 0.
const SECTIONS: &[&str] = &[
    "GEM",
    "GIT",
    "PATH",
    "PLUGIN SOURCE",
    "PLATFORMS",
    "DEPENDENCIES",
    "RUBY VERSION",
    "CHECKSUMS",
    "BUNDLED WITH",
];

/// Bundler writes its sources (`GEM`, `GIT`, `PATH`) first, then `PLATFORMS` and
/// `DEPENDENCIES`: sources without the sections that follow them mean the file was cut short
/// inside or after the specs, where later specs may be missing.
fn check_complete(path: &Path, text: &str, sections: &[String]) -> Result<(), IngestError> {
    let has_sources = sections
        .iter()
        .any(|s| matches!(s.as_str(), "GEM" | "GIT" | "PATH"));
    if has_sources && !sections.iter().any(|s| s == "DEPENDENCIES") {
        return Err(IngestError::parse(
            path,
            Some(text.lines().count().max(1) as u32),
            "the lockfile has no `DEPENDENCIES` section, which Bundler always writes after the specs: it is cut short; regenerate it with `bundle lock`",
        ));
    }
    Ok(())
}

/// Parses a `Gemfile.lock`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut builder = Builder::default();
    let root = builder.add_root(root_package(Ecosystem::RubyGems, path, None, ""));
    let mut section = String::new();
    let mut block = Block::default();
    let mut in_specs = false;
    let mut current: Option<PackageId> = None;
    let mut by_name: BTreeMap<String, Vec<PackageId>> = BTreeMap::new();
    let mut pending_edges: Vec<(PackageId, String, u32)> = Vec::new();
    let mut direct: Vec<String> = Vec::new();
    let mut checksums: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut spelled: Vec<(PackageId, String, String)> = Vec::new();
    let mut sections_seen: Vec<String> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        if indent == 0 {
            // Any other line at column 0 (junk, a NUL, a conflict marker) would end the
            // section before it and drop what follows it without a word.
            if !SECTIONS.contains(&line) {
                return Err(IngestError::parse(
                    path,
                    Some(number),
                    format!(
                        "`{}` is not a Gemfile.lock section (expected one of: {})",
                        line.escape_debug(),
                        SECTIONS.join(", ")
                    ),
                ));
            }
            section = line.to_string();
            sections_seen.push(section.clone());
            in_specs = false;
            current = None;
            if matches!(line, "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE") {
                block = Block {
                    kind: line.to_string(),
                    ..Block::default()
                };
            }
            continue;
        }
        let bad = |what: &str| {
            IngestError::parse(
                path,
                Some(number),
                format!("invalid lockfile `{section}` entry: {what}"),
            )
        };
        match section.as_str() {
            "GEM" | "GIT" | "PATH" | "PLUGIN SOURCE" => {
                if indent == 2 {
                    in_specs = line == "specs:";
                    if let Some((key, value)) = line.split_once(": ") {
                        match key {
                            "remote" => block.remote = value.trim().to_string(),
                            "revision" => block.revision = Some(value.trim().to_string()),
                            "ref" | "branch" | "tag" => {
                                block.reference = Some(value.trim().to_string())
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                if !in_specs {
                    continue;
                }
                if indent == 4 {
                    let Some((name, Some(full_version))) = name_and_paren(line) else {
                        return Err(bad(&format!("`{line}` is not `NAME (VERSION)`")));
                    };
                    let (version, platform) = split_platform(full_version);
                    let mut package = crate::inventory::Package::new(
                        Ecosystem::RubyGems,
                        name,
                        version,
                        location(path, Some(number)),
                    );
                    let platform = platform.unwrap_or_default();
                    match block.kind.as_str() {
                        "PATH" => {
                            // A local gem: never a purl, so it cannot match a registry advisory.
                            package.kind = PackageKind::Local;
                            package.source = Source::Path {
                                path: block.remote.clone(),
                            };
                        }
                        "GIT" => {
                            let vcs = match &block.revision {
                                Some(revision) => format!("git+{}@{revision}", block.remote),
                                None => format!("git+{}", block.remote),
                            };
                            package.purl = purl(
                                "gem",
                                None,
                                name,
                                version,
                                &[("platform", platform), ("vcs_url", &vcs)],
                            );
                            package.source = Source::Git {
                                url: block.remote.clone(),
                                commit: block.revision.clone(),
                                reference: block.reference.clone(),
                            };
                        }
                        _ => {
                            let default = block.remote.trim_end_matches('/')
                                == RUBYGEMS.trim_end_matches('/');
                            let repository = if default { "" } else { block.remote.as_str() };
                            package.purl = purl(
                                "gem",
                                None,
                                name,
                                version,
                                &[("platform", platform), ("repository_url", repository)],
                            );
                            package.source = Source::Registry {
                                url: block.remote.clone(),
                                default,
                            };
                        }
                    }
                    let key = format!("{name}@{full_version}@{}", block.remote);
                    let (id, new) = builder.add(key, package);
                    if new {
                        by_name.entry(name.to_string()).or_default().push(id);
                        spelled.push((id, name.to_string(), full_version.to_string()));
                    }
                    current = Some(id);
                } else if indent == 6 {
                    let Some((name, _)) = name_and_paren(line) else {
                        return Err(bad(&format!("`{line}` is not `NAME (REQUIREMENT)`")));
                    };
                    let Some(from) = current else {
                        return Err(bad("a dependency line before any spec"));
                    };
                    pending_edges.push((from, name.to_string(), number));
                } else {
                    return Err(bad(&format!("unexpected indentation of `{line}`")));
                }
            }
            "DEPENDENCIES" => {
                // A trailing `!` (`name!`, `name (~> 1.0)!`) means a GIT, PATH or non-default
                // GEM source pins the gem.
                let Some((name, _)) = name_and_paren(line.trim_end_matches('!')) else {
                    return Err(bad(&format!("`{line}` is not `NAME (REQUIREMENT)`")));
                };
                direct.push(name.trim_end_matches('!').to_string());
            }
            "CHECKSUMS" => {
                let Some((spec, digest)) = line.rsplit_once(' ') else {
                    continue;
                };
                if let (Some((name, Some(version))), Some(hex)) =
                    (name_and_paren(spec), digest.strip_prefix("sha256="))
                {
                    checksums.insert((name.to_string(), version.to_string()), hex.to_string());
                }
            }
            // PLATFORMS, RUBY VERSION, BUNDLED WITH: facts about the bundle, not packages.
            _ => {}
        }
    }
    check_complete(path, text, &sections_seen)?;
    for (from, name, line) in pending_edges {
        let Some(targets) = by_name.get(&name) else {
            // Bundler writes a spec for every gem a spec depends on (bundler itself aside).
            if name == "bundler" {
                continue;
            }
            let from = builder.inventory.package(from).name_version();
            return Err(IngestError::parse(
                path,
                Some(line),
                format!(
                    "`{from}` depends on `{name}`, which has no spec in the lockfile: the lockfile is incomplete (cut short or edited by hand); regenerate it with `bundle lock`"
                ),
            ));
        };
        for to in targets {
            builder.inventory.add_edge(Edge::normal(from, *to));
        }
    }
    for name in direct {
        for to in by_name.get(&name).into_iter().flatten() {
            builder.inventory.add_edge(Edge::normal(root, *to));
        }
    }
    let mut inventory = builder.inventory;
    // CHECKSUMS spell the version with its platform, as the spec line does.
    for (id, name, full_version) in spelled {
        if let Some(hex) = checksums.get(&(name, full_version)) {
            inventory.package_mut(id).hashes.push(Hash {
                algorithm: HashAlgorithm::Sha256,
                value: hex.clone(),
            });
        }
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_versions_split() {
        assert_eq!(
            split_platform("1.15.0-x86_64-linux"),
            ("1.15.0", Some("x86_64-linux"))
        );
        assert_eq!(split_platform("9.4.3.0-java"), ("9.4.3.0", Some("java")));
        assert_eq!(split_platform("2.4.3"), ("2.4.3", None));
    }

    #[test]
    fn spec_lines() {
        assert_eq!(
            name_and_paren("rack (3.0.8)"),
            Some(("rack", Some("3.0.8")))
        );
        assert_eq!(
            name_and_paren("rack (>= 2, < 4)"),
            Some(("rack", Some(">= 2, < 4")))
        );
        assert_eq!(name_and_paren("racc"), Some(("racc", None)));
        assert_eq!(name_and_paren("not a spec"), None);
    }
}
