//! The reference path (`--cargo-metadata`): facts from `cargo metadata --locked`.
//!
//! In: the lockfile's path, its parsed packages and [`IngestOptions`] (`--offline` is passed
//! on). Out: [`Collected`], the same facts the fast path reads from manifests. `cargo
//! metadata` runs no build scripts and nothing else from the scanned repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cargo_lock::SourceId;
use cargo_metadata::{DependencyKind, MetadataCommand};

use super::lockfile::ParsedLockfile;
use super::manifests::license_files_in;
use super::{Collected, DeclaredDependency, PackageFacts, SourceOfFacts};
use crate::ingest::IngestOptions;
use crate::inventory::DepKind;

/// Runs `cargo metadata` on the workspace beside the lockfile; an error message when cargo
/// is missing, the workspace has no `Cargo.toml`, or cargo fails.
pub(crate) fn collect(
    lockfile_path: &Path,
    parsed: &ParsedLockfile,
    options: &IngestOptions,
) -> Result<Collected, String> {
    let dir = match lockfile_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(format!("no `{}`", manifest.display()));
    }
    let mut arguments = vec!["--locked".to_string()];
    if options.offline {
        arguments.push("--offline".to_string());
    }
    let metadata = MetadataCommand::new()
        .manifest_path(&manifest)
        .other_options(arguments)
        .exec()
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_string())?;

    let mut by_identity: HashMap<(&str, String), Vec<usize>> = HashMap::new();
    for (index, package) in parsed.packages.iter().enumerate() {
        by_identity
            .entry((package.name.as_str(), package.version.clone()))
            .or_default()
            .push(index);
    }
    let mut collected = Collected::new(parsed.packages.len(), SourceOfFacts::CargoMetadata);
    for package in &metadata.packages {
        let Some(candidates) =
            by_identity.get(&(package.name.as_str(), package.version.to_string()))
        else {
            continue;
        };
        let source = package
            .source
            .as_ref()
            .and_then(|s| SourceId::from_url(&s.repr).ok());
        let index = candidates.iter().copied().find(|&i| {
            candidates.len() == 1
                || match (&parsed.packages[i].source, &source) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
        });
        let Some(index) = index else {
            continue;
        };
        let manifest_path = PathBuf::from(package.manifest_path.as_std_path());
        let local_dir = manifest_path.parent().map(Path::to_path_buf);
        let license_files = local_dir
            .as_deref()
            .map(|dir| license_files_in(dir, package.license_file.as_ref().map(|f| f.as_str())))
            .unwrap_or_default();
        collected.facts[index] = Some(PackageFacts {
            license: package.license.clone(),
            license_file_declared: package.license_file.as_ref().map(|f| f.to_string()),
            description: package.description.clone(),
            repository: package.repository.clone(),
            homepage: package.homepage.clone(),
            authors: package.authors.clone(),
            manifest: manifest_path,
            local_dir,
            license_files,
            dependencies: package
                .dependencies
                .iter()
                .map(|d| DeclaredDependency {
                    package: d.name.clone(),
                    kind: dependency_kind(d.kind),
                    optional: d.optional,
                    requirement: Some(d.req.to_string()),
                })
                .collect(),
            build: options
                .build
                .is_requested()
                .then(|| build_manifest(package)),
        });
    }
    Ok(collected)
}

/// cargo's dependency kind as the inventory's.
fn dependency_kind(kind: DependencyKind) -> DepKind {
    match kind {
        DependencyKind::Normal => DepKind::Normal,
        DependencyKind::Build => DepKind::Build,
        DependencyKind::Development => DepKind::Dev,
        _ => DepKind::Unknown,
    }
}

/// The build facts of a package as `cargo metadata` reports them (already inherited).
fn build_manifest(package: &cargo_metadata::Package) -> super::build_manifest::BuildManifest {
    use super::build_manifest::{BuildDependency, BuildManifest, DeclaredSource};
    BuildManifest {
        features: package
            .features
            .iter()
            .map(|(name, values)| (name.clone(), values.clone()))
            .collect(),
        unparsed_features: None,
        proc_macro: package
            .targets
            .iter()
            .any(|target| target.kind.contains(&cargo_metadata::TargetKind::ProcMacro)),
        dependencies: package
            .dependencies
            .iter()
            .map(|d| BuildDependency {
                name: d.rename.clone().unwrap_or_else(|| d.name.clone()),
                package: d.name.clone(),
                kind: dependency_kind(d.kind),
                platform: d.target.as_ref().map(ToString::to_string),
                optional: d.optional,
                default_features: d.uses_default_features,
                features: d.features.clone(),
                requirement: Some(d.req.to_string()),
                source: if d.path.is_some() {
                    DeclaredSource::Path
                } else if d
                    .source
                    .as_ref()
                    .is_some_and(|s| s.repr.starts_with("git+"))
                {
                    DeclaredSource::Git
                } else {
                    DeclaredSource::Registry
                },
            })
            .collect(),
    }
}
