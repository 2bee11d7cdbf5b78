//! Stage 1, ingest for Cargo: `Cargo.lock` plus the facts in the manifests around it.
//!
//! In: a `Cargo.lock` path and [`IngestOptions`]. Out: an [`Inventory`] with every lockfile
//! entry (source, checksum, purl, file and line), the dependency edges, workspace members as
//! roots, and — from the manifests (fast path) or `cargo metadata` (`--cargo-metadata`) —
//! declared licenses, license files, descriptions, repositories and dependency kinds. Facts
//! that cannot be found become [`crate::inventory::Gap`]s, never silence.

mod build_manifest;
mod facts_cache;
mod lockfile;
mod manifests;
mod metadata;
mod resolve;
mod sections;

use std::path::{Path, PathBuf};

use cargo_lock::SourceId;

pub use resolve::{host_triple, is_known_target};

use super::{IngestError, IngestOptions, input_file};
use crate::inventory::{
    DepKind, Ecosystem, Edge, Hash, HashAlgorithm, Inventory, LicenseInfo, LicenseOrigin, Location,
    Package, PackageId, PackageKind, Source, purl,
};

/// Which reader produced the facts, for license origins and gap messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SourceOfFacts {
    /// `Cargo.toml` files read directly.
    Manifests,
    /// `cargo metadata` output.
    CargoMetadata,
}

/// One dependency as a manifest declares it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct DeclaredDependency {
    /// The real package name (after `package = "…"` renames).
    pub package: String,
    /// Normal, build or dev.
    pub kind: DepKind,
    /// Enabled only by a feature.
    pub optional: bool,
    /// The version requirement, to tell two versions of one crate apart.
    pub requirement: Option<String>,
}

/// What a package's manifest says.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct PackageFacts {
    /// `license`, as written.
    pub license: Option<String>,
    /// `license-file`, as written.
    pub license_file_declared: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `repository`.
    pub repository: Option<String>,
    /// `homepage`.
    pub homepage: Option<String>,
    /// `authors`.
    pub authors: Vec<String>,
    /// The manifest the facts came from.
    pub manifest: PathBuf,
    /// The crate's directory on disk, when unpacked.
    pub local_dir: Option<PathBuf>,
    /// License files (absolute; inside a `.crate` archive for packed sources).
    pub license_files: Vec<PathBuf>,
    /// Declared dependencies of every kind.
    pub dependencies: Vec<DeclaredDependency>,
    /// Features, proc-macro and dependency details, when a build was requested.
    pub build: Option<build_manifest::BuildManifest>,
}

/// Facts for each lockfile package (by index), plus problems met on the way.
#[derive(Debug)]
pub(crate) struct Collected {
    /// `facts[i]` for lockfile package `i`, when its manifest was found.
    pub facts: Vec<Option<PackageFacts>>,
    /// Manifests that could not be read, as messages naming the file.
    pub notes: Vec<String>,
    /// Which reader produced them.
    pub source: SourceOfFacts,
}

impl Collected {
    fn new(packages: usize, source: SourceOfFacts) -> Self {
        Self {
            facts: vec![None; packages],
            notes: Vec::new(),
            source,
        }
    }
}

/// Ingests a `Cargo.lock` and the manifests around it.
pub fn ingest_lockfile(path: &Path, options: &IngestOptions) -> Result<Inventory, IngestError> {
    ingest_lockfile_text(
        path,
        &super::read_format_text(path, super::Format::CargoLock)?,
        options,
    )
}

/// [`ingest_lockfile`] of a lockfile already read; the manifests around `path` are read.
pub(crate) fn ingest_lockfile_text(
    path: &Path,
    text: &str,
    options: &IngestOptions,
) -> Result<Inventory, IngestError> {
    let parsed = lockfile::parse(path, text)?;
    let mut inventory = Inventory::new();
    inventory.inputs.push(input_file(
        path,
        text.as_bytes(),
        format!("Cargo.lock v{}", parsed.version),
    ));

    // With a build requested, what the registry crates' manifests say for the build is read
    // only when the build has to be resolved (a build resolved before needs none of it).
    let mut deferred = options.build.is_requested();
    let mut collected = if options.cargo_metadata {
        match metadata::collect(path, &parsed, options) {
            Ok(collected) => {
                deferred = false;
                collected
            }
            Err(message) => {
                inventory.add_gap(
                    "cargo-metadata-failed",
                    format!(
                        "`cargo metadata` failed for `{}`, read the manifests directly instead: {message}",
                        path.display()
                    ),
                    0,
                );
                manifests::collect(path, &parsed, options, !deferred)
            }
        }
    } else {
        manifests::collect(path, &parsed, options, !deferred)
    };

    if let Some(index) = parsed.bare_tail
        && collected.facts[index].is_none()
    {
        let package = &parsed.packages[index];
        return Err(IngestError::parse(
            path,
            package.line,
            format!(
                "the lockfile ends right after the `version` of `{} {}`, which has no `source` and no `Cargo.toml` beside the lockfile: a registry package cut short before its `source` line looks the same, so the file is taken as cut short; regenerate it with `cargo generate-lockfile` (or scan the workspace with its manifests)",
                package.name, package.version
            ),
        ));
    }
    inventory.reserve_packages(parsed.packages.len());
    let ids: Vec<PackageId> = parsed
        .packages
        .iter()
        .zip(&collected.facts)
        .map(|(locked, facts)| {
            inventory.add_package(to_package(path, locked, facts.as_ref(), collected.source))
        })
        .collect();
    for (index, locked) in parsed.packages.iter().enumerate() {
        if locked.source.is_none() {
            inventory.add_root(ids[index]);
        }
    }

    let mut unknown_kinds: Vec<usize> = Vec::new();
    let mut edges = Vec::new();
    for (index, locked) in parsed.packages.iter().enumerate() {
        let facts = collected.facts[index].as_ref();
        let mut any_unknown = false;
        for &target in &locked.dependencies {
            let (kind, optional) = match facts {
                Some(facts) => edge_kind(facts, &parsed.packages[target]),
                None => (DepKind::Unknown, false),
            };
            any_unknown |= kind == DepKind::Unknown;
            edges.push(Edge {
                from: ids[index],
                to: ids[target],
                kind,
                optional,
            });
        }
        if any_unknown {
            unknown_kinds.push(index);
        }
    }
    for edge in edges {
        inventory.add_edge(edge);
    }
    if options.build.is_requested() {
        let read_registry_build = |collected: &mut Collected| {
            if deferred {
                manifests::collect_registry_build(&parsed, options, collected);
            }
        };
        let (build, gaps) = resolve::resolve_cached(
            path,
            text,
            &parsed,
            &mut collected,
            &ids,
            &options.build,
            read_registry_build,
        )?;
        for gap in gaps {
            inventory.add_gap(&gap.kind, gap.message, gap.packages);
        }
        inventory.build = Some(build);
    }
    add_gaps(
        &mut inventory,
        path,
        &parsed,
        &collected,
        &unknown_kinds,
        options,
    );
    Ok(inventory)
}

/// The lockfile entry as a [`Package`], with the manifest's facts when there are any.
fn to_package(
    path: &Path,
    locked: &lockfile::LockedPackage,
    facts: Option<&PackageFacts>,
    reader: SourceOfFacts,
) -> Package {
    let mut package = Package::new(
        Ecosystem::Cargo,
        &locked.name,
        &locked.version,
        Location {
            file: path.to_path_buf(),
            line: locked.line,
        },
    );
    let (source, kind) = convert_source(path, locked.source.as_ref(), facts);
    package.purl = cargo_purl(&locked.name, &locked.version, &source);
    package.source = source;
    package.kind = kind;
    if let Some(checksum) = &locked.checksum {
        package.hashes.push(Hash {
            algorithm: HashAlgorithm::Sha256,
            value: checksum.clone(),
        });
    }
    if let Some(facts) = facts {
        package.license = facts.license.as_ref().map(|expression| LicenseInfo {
            expression: expression.clone(),
            origin: match reader {
                SourceOfFacts::Manifests => LicenseOrigin::Manifest,
                SourceOfFacts::CargoMetadata => LicenseOrigin::CargoMetadata,
            },
            confidence: 1.0,
            file: Some(facts.manifest.clone()),
        });
        package.license_files = facts.license_files.clone();
        package.description = facts.description.clone();
        package.repository = facts.repository.clone();
        package.homepage = facts.homepage.clone();
        package.authors = facts.authors.clone();
        package.local_dir = facts.local_dir.clone();
    }
    package
}

/// The inventory's [`Source`] and [`PackageKind`] for a lockfile source.
fn convert_source(
    lockfile_path: &Path,
    source: Option<&SourceId>,
    facts: Option<&PackageFacts>,
) -> (Source, PackageKind) {
    let Some(source) = source else {
        // No source: a workspace member (or a path dependency, which the lockfile cannot tell
        // apart). Its path is its directory relative to the lockfile's, when the manifest was found.
        let base = lockfile_path.parent().unwrap_or(Path::new(""));
        let path = facts
            .and_then(|f| f.local_dir.as_deref())
            .map(|dir| {
                let relative = dir.strip_prefix(base).unwrap_or(dir);
                if relative.as_os_str().is_empty() {
                    ".".to_string()
                } else {
                    relative.display().to_string()
                }
            })
            .unwrap_or_else(|| ".".to_string());
        return (Source::Path { path }, PackageKind::Root);
    };
    if source.is_git() {
        let reference = source
            .git_reference()
            .and_then(|r| r.pretty_ref(false).map(|p| p.to_string()));
        return (
            Source::Git {
                url: source.url().to_string(),
                commit: source.precise().map(str::to_string),
                reference,
            },
            PackageKind::ThirdParty,
        );
    }
    match source.kind() {
        cargo_lock::package::SourceKind::Registry => (
            Source::Registry {
                url: source.url().to_string(),
                default: source.is_default_registry(),
            },
            PackageKind::ThirdParty,
        ),
        // Sparse registries are named with their protocol, as cargo writes them.
        cargo_lock::package::SourceKind::SparseRegistry => (
            Source::Registry {
                url: format!("sparse+{}", source.url()),
                default: source.is_default_registry(),
            },
            PackageKind::ThirdParty,
        ),
        // `path+`, `directory+` and `local-registry+` sources are on this machine: no purl.
        _ => (
            Source::Path {
                path: source.url().to_string(),
            },
            PackageKind::Local,
        ),
    }
}

/// `pkg:cargo/NAME@VERSION` for crates.io, with `repository_url` for other registries and
/// `vcs_url` for git; `None` for local packages, which must never match a registry advisory.
pub fn cargo_purl(name: &str, version: &str, source: &Source) -> Option<String> {
    match source {
        Source::Registry { default: true, .. } => purl::build("cargo", None, name, version, &[]),
        Source::Registry { url, .. } => {
            purl::build("cargo", None, name, version, &[("repository_url", url)])
        }
        Source::Git { url, commit, .. } => {
            let vcs_url = purl::git_vcs_url(url, commit.as_deref());
            purl::build("cargo", None, name, version, &[("vcs_url", &vcs_url)])
        }
        Source::Path { .. } | Source::Unknown => None,
    }
}

/// The kind of the edge to `target`, from the depending package's declarations: the
/// strongest kind among its declarations (normal > build > dev), optional only when every
/// declaration of that kind is.
fn edge_kind(facts: &PackageFacts, target: &lockfile::LockedPackage) -> (DepKind, bool) {
    let named: Vec<&DeclaredDependency> = facts
        .dependencies
        .iter()
        .filter(|d| d.package == target.name)
        .collect();
    // Two versions of one crate (through a rename): keep the declarations whose requirement
    // the locked version satisfies, when that leaves any.
    let version = semver::Version::parse(&target.version).ok();
    let matching: Vec<&DeclaredDependency> = match &version {
        Some(version) if named.len() > 1 => {
            let matching: Vec<_> = named
                .iter()
                .copied()
                .filter(|d| {
                    d.requirement
                        .as_deref()
                        .and_then(|r| semver::VersionReq::parse(r).ok())
                        .is_none_or(|r| r.matches(version))
                })
                .collect();
            if matching.is_empty() { named } else { matching }
        }
        _ => named,
    };
    for kind in [DepKind::Normal, DepKind::Build, DepKind::Dev] {
        let of_kind: Vec<_> = matching.iter().filter(|d| d.kind == kind).collect();
        if !of_kind.is_empty() {
            return (kind, of_kind.iter().all(|d| d.optional));
        }
    }
    (DepKind::Unknown, false)
}

/// At most five `name version` items, then "and N more".
fn some_names<'a>(names: impl Iterator<Item = &'a lockfile::LockedPackage>) -> String {
    let all: Vec<String> = names
        .map(|p| format!("`{} {}`", p.name, p.version))
        .collect();
    let shown = all.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if all.len() > 5 {
        format!("{shown} and {} more", all.len() - 5)
    } else {
        shown
    }
}

fn add_gaps(
    inventory: &mut Inventory,
    path: &Path,
    parsed: &lockfile::ParsedLockfile,
    collected: &Collected,
    unknown_kinds: &[usize],
    options: &IngestOptions,
) {
    let file = path.display();
    let packages = &parsed.packages;
    let missing = |filter: &dyn Fn(&lockfile::LockedPackage) -> bool| -> Vec<usize> {
        (0..packages.len())
            .filter(|&i| collected.facts[i].is_none() && filter(&packages[i]))
            .collect()
    };
    let home = manifests::cargo_home(options)
        .map(|h| h.display().to_string())
        .unwrap_or_else(|| "~/.cargo".to_string());
    let where_from = |place: &str| match collected.source {
        SourceOfFacts::Manifests => format!("crate sources not found in `{home}/{place}`"),
        SourceOfFacts::CargoMetadata => "not in `cargo metadata` output".to_string(),
    };

    let registry = missing(&|p| p.source.as_ref().is_some_and(SourceId::is_registry));
    if !registry.is_empty() {
        inventory.add_gap(
            "license-unknown",
            format!(
                "licenses unknown for {} packages of `{file}`: {} (run `cargo fetch`): {}",
                registry.len(),
                where_from("registry"),
                some_names(registry.iter().map(|&i| &packages[i]))
            ),
            registry.len(),
        );
    }
    let git = missing(&|p| p.source.as_ref().is_some_and(SourceId::is_git));
    if !git.is_empty() {
        inventory.add_gap(
            "license-unknown",
            format!(
                "licenses unknown for {} git packages of `{file}`: {} (run `cargo fetch`): {}",
                git.len(),
                where_from("git/checkouts"),
                some_names(git.iter().map(|&i| &packages[i]))
            ),
            git.len(),
        );
    }
    let members = missing(&|p| p.source.is_none());
    if !members.is_empty() {
        inventory.add_gap(
            "manifest-missing",
            format!(
                "{} workspace packages of `{file}` have no matching `Cargo.toml` beside the lockfile: {}",
                members.len(),
                some_names(members.iter().map(|&i| &packages[i]))
            ),
            members.len(),
        );
    }
    let undeclared: Vec<usize> = (0..packages.len())
        .filter(|&i| {
            packages[i].source.is_some()
                && collected.facts[i]
                    .as_ref()
                    .is_some_and(|f| f.license.is_none())
        })
        .collect();
    if !undeclared.is_empty() {
        inventory.add_gap(
            "license-undeclared",
            format!(
                "{} packages of `{file}` declare no `license` in their `Cargo.toml` (at most a `license-file`): {}",
                undeclared.len(),
                some_names(undeclared.iter().map(|&i| &packages[i]))
            ),
            undeclared.len(),
        );
    }
    if !unknown_kinds.is_empty() {
        inventory.add_gap(
            "scope-unknown",
            format!(
                "dependency kinds (normal, build, dev) unknown for the dependencies of {} packages of `{file}`, whose manifests were not read; those dependencies count as runtime: {}",
                unknown_kinds.len(),
                some_names(unknown_kinds.iter().map(|&i| &packages[i]))
            ),
            unknown_kinds.len(),
        );
    }
    for note in &collected.notes {
        inventory.add_gap("manifest-unreadable", note.clone(), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_per_source() {
        let crates_io = Source::Registry {
            url: "https://github.com/rust-lang/crates.io-index".into(),
            default: true,
        };
        assert_eq!(
            cargo_purl("serde", "1.0.0", &crates_io).as_deref(),
            Some("pkg:cargo/serde@1.0.0")
        );
        let git = Source::Git {
            url: "https://github.com/a/b".into(),
            commit: Some("0123456789abcdef".into()),
            reference: Some("branch=main".into()),
        };
        assert_eq!(
            cargo_purl("b", "0.1.0", &git).as_deref(),
            Some("pkg:cargo/b@0.1.0?vcs_url=git%2Bhttps://github.com/a/b%400123456789abcdef")
        );
        assert_eq!(
            cargo_purl("app", "0.1.0", &Source::Path { path: ".".into() }),
            None
        );
    }

    #[test]
    fn strongest_kind_wins_and_renames_split_versions() {
        let facts = PackageFacts {
            dependencies: vec![
                DeclaredDependency {
                    package: "rand".into(),
                    kind: DepKind::Dev,
                    optional: false,
                    requirement: Some("0.8".into()),
                },
                DeclaredDependency {
                    package: "rand".into(),
                    kind: DepKind::Normal,
                    optional: true,
                    requirement: Some("0.7".into()),
                },
                DeclaredDependency {
                    package: "cc".into(),
                    kind: DepKind::Build,
                    optional: false,
                    requirement: None,
                },
                DeclaredDependency {
                    package: "cc".into(),
                    kind: DepKind::Dev,
                    optional: false,
                    requirement: None,
                },
            ],
            ..PackageFacts::default()
        };
        let locked = |name: &str, version: &str| lockfile::LockedPackage {
            name: name.into(),
            version: version.into(),
            source: None,
            checksum: None,
            dependencies: Vec::new(),
            line: None,
        };
        assert_eq!(
            edge_kind(&facts, &locked("rand", "0.8.5")),
            (DepKind::Dev, false)
        );
        assert_eq!(
            edge_kind(&facts, &locked("rand", "0.7.3")),
            (DepKind::Normal, true)
        );
        assert_eq!(
            edge_kind(&facts, &locked("cc", "1.0.0")),
            (DepKind::Build, false)
        );
        assert_eq!(
            edge_kind(&facts, &locked("libc", "0.2.0")),
            (DepKind::Unknown, false)
        );
    }
}
