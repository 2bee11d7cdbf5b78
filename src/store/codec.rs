//! How an inventory is laid into rows and read back: package facts shared between releases
//! (stored once, by identity), each release's own view of them (kind, scope, location), and
//! its graph (edges, roots, input files, gaps) as one JSON column.
//!
//! In: an [`Inventory`]. Out: [`PackageFacts`] and [`ReleasePackage`] rows plus a
//! [`ReleaseGraph`]; and the same back into an [`Inventory`] that evaluates exactly as the
//! recorded one did (paths from roots, scopes, declared requirements, pinned license files).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::inventory::{
    DeclaredRequirement, DepKind, Ecosystem, Edge, Hash, InputFile, Inventory, LicenseInfo,
    Location, Package, PackageId, PackageKind, Scope, Source,
};

/// What identifies a package across releases and machines: everything the evaluation reads
/// that does not depend on the release it is in. A license's file path is left out: it names
/// a directory of the machine that recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Package URL, when identity is certain.
    pub purl: Option<String>,
    /// Where the code comes from.
    pub source: Source,
    /// Declared or concluded license.
    pub license: Option<LicenseInfo>,
    /// Archive hashes.
    pub hashes: Vec<Hash>,
}

impl PackageFacts {
    /// The facts of an inventory package.
    pub fn of(package: &Package) -> Self {
        Self {
            ecosystem: package.ecosystem.clone(),
            name: package.name.clone(),
            version: package.version.clone(),
            purl: package.purl.clone(),
            source: package.source.clone(),
            license: package.license.clone().map(|license| LicenseInfo {
                file: None,
                ..license
            }),
            hashes: package.hashes.clone(),
        }
    }

    /// The facts as stored (JSON) and their identity (SHA-256 of that JSON).
    pub fn encode(&self) -> (String, String) {
        let json = serde_json::to_string(self).unwrap_or_default();
        let identity = crate::util::sha256_hex(json.as_bytes());
        (json, identity)
    }

    /// `purl`, else `local:type/name@version`, as reports name a package.
    pub fn reference(&self) -> String {
        self.purl.clone().unwrap_or_else(|| {
            format!(
                "local:{}/{}@{}",
                self.ecosystem.purl_type(),
                self.name,
                self.version
            )
        })
    }

    /// A package of an inventory with these facts and a release's view of it.
    pub fn to_package(&self, row: &ReleasePackage, file: PathBuf) -> Package {
        let mut package = Package::new(
            self.ecosystem.clone(),
            self.name.clone(),
            self.version.clone(),
            Location {
                file,
                line: row.line,
            },
        );
        package.purl = self.purl.clone();
        package.source = self.source.clone();
        package.license = self.license.clone();
        package.hashes = self.hashes.clone();
        package.kind = row.kind;
        package.scope = row.scope;
        package.direct = row.direct;
        package.local_dir = row.local_dir.clone();
        package
    }
}

/// One package as one release has it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasePackage {
    /// Root, local or third-party.
    pub kind: PackageKind,
    /// How it is used.
    pub scope: Scope,
    /// A root depends on it directly.
    pub direct: bool,
    /// Index into [`ReleaseGraph::files`].
    pub file: usize,
    /// 1-based line in that file.
    pub line: Option<u32>,
    /// Its sources on the recording machine (for license files pinned by hash).
    pub local_dir: Option<PathBuf>,
}

/// Stored integer for a package kind.
pub fn kind_code(kind: PackageKind) -> i64 {
    match kind {
        PackageKind::Root => 0,
        PackageKind::Local => 1,
        PackageKind::ThirdParty => 2,
    }
}

/// The package kind of a stored integer (unknown values read as third-party, the kind that
/// is checked most).
pub fn kind_of(code: i64) -> PackageKind {
    match code {
        0 => PackageKind::Root,
        1 => PackageKind::Local,
        _ => PackageKind::ThirdParty,
    }
}

/// Stored integer for a scope.
pub fn scope_code(scope: Scope) -> i64 {
    match scope {
        Scope::Runtime => 0,
        Scope::Build => 1,
        Scope::Dev => 2,
        Scope::Optional => 3,
    }
}

/// The scope of a stored integer (unknown values read as runtime, the strictest).
pub fn scope_of(code: i64) -> Scope {
    match code {
        1 => Scope::Build,
        2 => Scope::Dev,
        3 => Scope::Optional,
        _ => Scope::Runtime,
    }
}

/// A dependency edge by positions: `(from, to, kind, optional)`.
pub type StoredEdge = (usize, usize, DepKind, bool);

/// An input file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredInput {
    /// Path as found.
    pub path: PathBuf,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Format it was read as.
    pub format: String,
}

/// A gap as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredGap {
    /// Kind.
    pub kind: String,
    /// Message.
    pub message: String,
    /// Packages affected.
    pub packages: usize,
}

/// A declared requirement as stored (`from` is a position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRequirement {
    /// Position of the declaring root.
    pub from: usize,
    /// Dependency name.
    pub name: String,
    /// Requirement as written.
    pub requirement: String,
    /// Dependency table.
    pub table: String,
    /// Manifest.
    pub file: PathBuf,
    /// Line.
    pub line: Option<u32>,
}

/// Everything of a release that is not one package: one JSON value per release.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReleaseGraph {
    /// The distinct files packages were found in (rows point here by index).
    pub files: Vec<PathBuf>,
    /// Dependency edges.
    pub edges: Vec<StoredEdge>,
    /// Root positions.
    pub roots: Vec<usize>,
    /// Files read.
    pub inputs: Vec<StoredInput>,
    /// Facts ingest could not establish.
    pub gaps: Vec<StoredGap>,
    /// Requirements declared in root manifests.
    pub requirements: Vec<StoredRequirement>,
    /// SHA-256 of license files read, by path.
    pub file_hashes: BTreeMap<PathBuf, String>,
}

/// An inventory taken apart for storage.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposed {
    /// Per package, in inventory order: its shared facts and the release's view.
    pub packages: Vec<(PackageFacts, ReleasePackage)>,
    /// The rest.
    pub graph: ReleaseGraph,
}

/// Takes an inventory apart into shared facts, per-release rows and the graph.
pub fn decompose(inventory: &Inventory) -> Decomposed {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut file_index: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let packages = inventory
        .packages()
        .iter()
        .map(|package| {
            let file = *file_index
                .entry(package.location.file.clone())
                .or_insert_with(|| {
                    files.push(package.location.file.clone());
                    files.len() - 1
                });
            (
                PackageFacts::of(package),
                ReleasePackage {
                    kind: package.kind,
                    scope: package.scope,
                    direct: package.direct,
                    file,
                    line: package.location.line,
                    local_dir: package.local_dir.clone(),
                },
            )
        })
        .collect();
    let graph = ReleaseGraph {
        files,
        edges: inventory
            .edges()
            .iter()
            .map(|edge| (edge.from.0, edge.to.0, edge.kind, edge.optional))
            .collect(),
        roots: inventory.roots().iter().map(|root| root.0).collect(),
        inputs: inventory
            .inputs
            .iter()
            .map(|input| StoredInput {
                path: input.path.clone(),
                sha256: input.sha256.clone(),
                format: input.format.clone(),
            })
            .collect(),
        gaps: inventory
            .gaps
            .iter()
            .map(|gap| StoredGap {
                kind: gap.kind.clone(),
                message: gap.message.clone(),
                packages: gap.packages,
            })
            .collect(),
        requirements: inventory
            .declared_requirements
            .iter()
            .map(|requirement| StoredRequirement {
                from: requirement.from.0,
                name: requirement.name.clone(),
                requirement: requirement.requirement.clone(),
                table: requirement.table.clone(),
                file: requirement.location.file.clone(),
                line: requirement.location.line,
            })
            .collect(),
        file_hashes: inventory.file_hashes.clone(),
    };
    Decomposed { packages, graph }
}

/// Puts an inventory back together from its packages (in position order) and its graph.
/// Positions that point past the packages (a damaged row) are dropped, never followed.
pub fn assemble(packages: Vec<Package>, graph: &ReleaseGraph) -> Inventory {
    let count = packages.len();
    let mut inventory = Inventory::new();
    for package in packages {
        inventory.add_package(package);
    }
    for &(from, to, kind, optional) in &graph.edges {
        if from < count && to < count {
            inventory.add_edge(Edge {
                from: PackageId(from),
                to: PackageId(to),
                kind,
                optional,
            });
        }
    }
    for &root in graph.roots.iter().filter(|root| **root < count) {
        inventory.add_root(PackageId(root));
    }
    inventory.inputs = graph
        .inputs
        .iter()
        .map(|input| InputFile {
            path: input.path.clone(),
            sha256: input.sha256.clone(),
            format: input.format.clone(),
        })
        .collect();
    for gap in &graph.gaps {
        inventory.add_gap(&gap.kind, gap.message.clone(), gap.packages);
    }
    inventory.declared_requirements = graph
        .requirements
        .iter()
        .filter(|requirement| requirement.from < count)
        .map(|requirement| DeclaredRequirement {
            from: PackageId(requirement.from),
            name: requirement.name.clone(),
            requirement: requirement.requirement.clone(),
            table: requirement.table.clone(),
            location: Location {
                file: requirement.file.clone(),
                line: requirement.line,
            },
        })
        .collect();
    inventory.file_hashes = graph.file_hashes.clone();
    inventory.compute_roots();
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::LicenseOrigin;

    #[test]
    fn an_inventory_survives_decompose_and_assemble() {
        let location = Location {
            file: "Cargo.lock".into(),
            line: Some(3),
        };
        let mut inventory = Inventory::new();
        let mut root = Package::new(Ecosystem::Cargo, "app", "0.1.0", location.clone());
        root.kind = PackageKind::Root;
        root.source = Source::Path { path: ".".into() };
        let root = inventory.add_package(root);
        inventory.add_root(root);
        let mut dependency = Package::new(Ecosystem::Cargo, "log", "0.4.0", location.clone());
        dependency.purl = Some("pkg:cargo/log@0.4.0".into());
        dependency.scope = Scope::Dev;
        dependency.license = Some(LicenseInfo {
            expression: "MIT".into(),
            origin: LicenseOrigin::Manifest,
            confidence: 1.0,
            file: Some("/home/me/.cargo/log/Cargo.toml".into()),
        });
        let dependency = inventory.add_package(dependency);
        inventory.add_edge(Edge::normal(root, dependency));
        inventory.add_gap("scope-unknown", "lockfile only".into(), 1);

        let parts = decompose(&inventory);
        assert_eq!(parts.graph.files, vec![PathBuf::from("Cargo.lock")]);
        let packages: Vec<Package> = parts
            .packages
            .iter()
            .map(|(facts, row)| facts.to_package(row, parts.graph.files[row.file].clone()))
            .collect();
        let back = assemble(packages, &parts.graph);
        assert_eq!(back.packages().len(), 2);
        assert_eq!(back.package(dependency).scope, Scope::Dev);
        assert_eq!(back.package(dependency).location.line, Some(3));
        // The machine-specific license file is not part of the stored facts.
        assert_eq!(
            back.package(dependency).license.as_ref().unwrap().file,
            None
        );
        assert_eq!(
            back.paths_to_display(dependency, 3),
            vec!["app 0.1.0 > log 0.4.0"]
        );
        assert_eq!(back.gaps.len(), 1);
        assert_eq!(back.package(dependency).roots, vec![root]);
    }

    #[test]
    fn identity_depends_on_facts_not_on_the_machine() {
        let location = Location {
            file: "a/Cargo.lock".into(),
            line: Some(1),
        };
        let mut first = Package::new(Ecosystem::Cargo, "log", "0.4.0", location);
        first.local_dir = Some("/home/a".into());
        let mut second = first.clone();
        second.location.line = Some(90);
        second.local_dir = Some("/home/b".into());
        assert_eq!(
            PackageFacts::of(&first).encode().1,
            PackageFacts::of(&second).encode().1
        );
        second.version = "0.4.1".into();
        assert_ne!(
            PackageFacts::of(&first).encode().1,
            PackageFacts::of(&second).encode().1
        );
    }
}
