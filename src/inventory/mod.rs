//! Stage 2, the model: every dependency as a [`Package`] plus the dependency graph.
//!
//! In: nothing (ingest builds it, enrich adds facts to it). Out: an [`Inventory`] that every
//! later stage reads. The model is ecosystem-neutral; format quirks stay in `ingest`.

mod build;
pub mod combine;
pub mod diff;
mod graph;
mod package;
pub mod purl;
pub mod sbom_facts;
mod selector;

pub use build::{Build, BuildPackage, BuildSelection, BuildStep, CompiledUnits, EVERY_PLATFORM};
pub use graph::{DepKind, Edge};
pub use package::{
    Ecosystem, Hash, HashAlgorithm, LicenseInfo, LicenseOrigin, Location, Package, PackageId,
    PackageKind, Scope, Source,
};
pub use selector::PackageSelector;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The most packages a displayed dependency path names; longer ones are shortened in the
/// middle (see [`Inventory::display_path`]).
pub const SHOWN_PATH_STEPS: usize = 64;

/// One file that was read to build the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputFile {
    /// Path as given or found (relative to the scanned root where possible).
    pub path: PathBuf,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The format it was parsed as, e.g. `Cargo.lock v3`.
    pub format: String,
}

impl InputFile {
    /// Whether it was read as an SBOM (CycloneDX or SPDX, whose ingests name their formats
    /// `CycloneDX <spec> <syntax>` and `SPDX <version> <syntax>`) rather than a lockfile.
    pub fn is_sbom(&self) -> bool {
        self.format.starts_with("CycloneDX ") || self.format.starts_with("SPDX ")
    }
}

/// A fact that ingest could not establish, said out loud instead of silently skipped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Gap {
    /// Stable kebab-case kind, e.g. `license-unknown`, `scope-unknown`.
    pub kind: String,
    /// Human-readable explanation, naming files in backticks.
    pub message: String,
    /// How many packages the gap affects.
    pub packages: usize,
}

/// The dependency inventory: packages, edges between them, and the roots they hang from.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    packages: Vec<Package>,
    edges: Vec<Edge>,
    /// Mirrors `edges` so duplicate checks stay O(1) on large graphs.
    edge_set: HashSet<Edge>,
    /// Adjacency lists built on first path query and dropped on any graph change, so
    /// "why is this here" for every finding costs one graph walk each, not one rebuild each.
    adjacency: std::sync::OnceLock<graph::Adjacency>,
    roots: Vec<PackageId>,
    /// Files read to build this inventory.
    pub inputs: Vec<InputFile>,
    /// Facts that could not be established (reported in coverage sections).
    pub gaps: Vec<Gap>,
    /// Version requirements declared in root manifests (for the wildcard rule).
    pub declared_requirements: Vec<DeclaredRequirement>,
    /// SHA-256 of license files read on this machine, by absolute path (for clarifications
    /// pinned to a license file's hash).
    pub file_hashes: BTreeMap<PathBuf, String>,
    /// The build-exact view (`--target`, `--features`): which packages are compiled, with
    /// which features. `None` when no build was requested.
    pub build: Option<Build>,
}

/// A dependency requirement as a root's manifest declares it (`serde = "1"`, `foo = "*"`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DeclaredRequirement {
    /// The root that declares it.
    pub from: PackageId,
    /// The dependency's name.
    pub name: String,
    /// The requirement as written (`*`, `1.2`, `>=0.3, <0.5`; empty for path/git without one).
    pub requirement: String,
    /// The dependency table it is in (`dependencies`, `dev-dependencies`, ...).
    pub table: String,
    /// The manifest and line.
    pub location: Location,
}

impl Inventory {
    /// An empty inventory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a package and returns its id. Ids are indexes and stay valid for the inventory's life.
    pub fn add_package(&mut self, mut package: Package) -> PackageId {
        let id = PackageId(self.packages.len());
        package.id = id;
        self.packages.push(package);
        self.adjacency = std::sync::OnceLock::new();
        id
    }

    /// Room for `additional` more packages, so that adding a large lockfile's packages does
    /// not move them again as the list grows.
    pub fn reserve_packages(&mut self, additional: usize) {
        self.packages.reserve(additional);
    }

    /// Whether nothing was added yet.
    fn is_blank(&self) -> bool {
        self.packages.is_empty()
            && self.edges.is_empty()
            && self.roots.is_empty()
            && self.inputs.is_empty()
            && self.gaps.is_empty()
            && self.declared_requirements.is_empty()
            && self.file_hashes.is_empty()
            && self.build.is_none()
    }

    /// Adds an edge `from -> to`; duplicate edges of the same kind are ignored.
    pub fn add_edge(&mut self, edge: Edge) {
        if self.edge_set.insert(edge.clone()) {
            self.edges.push(edge);
            self.adjacency = std::sync::OnceLock::new();
        }
    }

    /// Marks a package as a root (a workspace member, a project, the subject of an SBOM).
    pub fn add_root(&mut self, id: PackageId) {
        if !self.roots.contains(&id) {
            self.roots.push(id);
        }
    }

    /// All packages, in insertion order.
    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    /// Mutable access to the packages, for enrichment. Ids must not be changed.
    pub fn packages_mut(&mut self) -> &mut [Package] {
        &mut self.packages
    }

    /// The package with this id.
    pub fn package(&self, id: PackageId) -> &Package {
        &self.packages[id.0]
    }

    /// The package with this id, mutably.
    pub fn package_mut(&mut self, id: PackageId) -> &mut Package {
        &mut self.packages[id.0]
    }

    /// All edges.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The roots.
    pub fn roots(&self) -> &[PackageId] {
        &self.roots
    }

    /// What the inventory describes: the roots, or when it has none (a lockfile of a virtual
    /// workspace read without members, say), every package nothing depends on.
    pub fn subjects(&self) -> Vec<PackageId> {
        if !self.roots.is_empty() {
            return self.roots.clone();
        }
        let mut depended_on = vec![false; self.packages.len()];
        for edge in &self.edges {
            if edge.from != edge.to {
                depended_on[edge.to.0] = true;
            }
        }
        self.packages
            .iter()
            .filter(|p| !depended_on[p.id.0])
            .map(|p| p.id)
            .collect()
    }

    /// Packages that are dependencies (everything that is not a root or a local workspace package).
    pub fn third_party(&self) -> impl Iterator<Item = &Package> {
        self.packages
            .iter()
            .filter(|p| p.kind == PackageKind::ThirdParty)
    }

    /// Edges leaving `id`.
    pub fn dependencies_of(&self, id: PackageId) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from == id)
    }

    /// Records a gap, merging with an existing gap of the same kind and message.
    pub fn add_gap(&mut self, kind: &str, message: String, packages: usize) {
        if let Some(gap) = self
            .gaps
            .iter_mut()
            .find(|g| g.kind == kind && g.message == message)
        {
            gap.packages += packages;
        } else {
            self.gaps.push(Gap {
                kind: kind.to_string(),
                message,
                packages,
            });
        }
    }

    /// Appends another inventory (e.g. a second lockfile of a monorepo), remapping its ids.
    pub fn merge(&mut self, other: Inventory) {
        // Into nothing (a scan of one file): the other inventory as it is, without moving a
        // million packages one by one.
        if self.is_blank() {
            *self = other;
            return;
        }
        let offset = self.packages.len();
        let remap = |id: PackageId| PackageId(id.0 + offset);
        if let Some(build) = other.build {
            self.build
                .get_or_insert_with(Build::default)
                .merge(build, offset);
        }
        for mut package in other.packages {
            for root in &mut package.roots {
                *root = remap(*root);
            }
            self.add_package(package);
        }
        for edge in other.edges {
            self.add_edge(Edge {
                from: remap(edge.from),
                to: remap(edge.to),
                ..edge
            });
        }
        for root in other.roots {
            self.add_root(remap(root));
        }
        self.inputs.extend(other.inputs);
        for requirement in other.declared_requirements {
            self.declared_requirements.push(DeclaredRequirement {
                from: remap(requirement.from),
                ..requirement
            });
        }
        self.file_hashes.extend(other.file_hashes);
        for gap in other.gaps {
            self.add_gap(&gap.kind, gap.message, gap.packages);
        }
    }

    /// Derives what follows from the graph once every file is read: each package's scope,
    /// directness ([`Self::compute_scopes`]) and roots ([`Self::compute_roots`]). Every ingest
    /// path (files, directories, SBOMs) ends with it.
    pub fn finish(&mut self) {
        self.compute_scopes();
        self.compute_roots();
    }

    /// Derives each package's `scope` and `direct` flag from the graph.
    ///
    /// A package is `Runtime` when some path from a root reaches it through normal edges only,
    /// else `Build` when a path avoids dev edges, else `Dev`. Unreachable packages keep the scope
    /// ingest gave them. `direct` means a root depends on it directly.
    pub fn compute_scopes(&mut self) {
        let reach = graph::scope_reach(self);
        for (index, package) in self.packages.iter_mut().enumerate() {
            if package.kind != PackageKind::ThirdParty {
                continue;
            }
            if let Some(scope) = reach.scope[index] {
                package.scope = scope;
            }
            package.direct = reach.direct[index];
        }
    }

    /// Fills each package's `roots`: the roots it is reachable from (a root includes itself).
    ///
    /// One breadth-first walk per root over all edges, so a package shared by two workspace
    /// members of a monorepo lists both.
    pub fn compute_roots(&mut self) {
        let mut adjacency = vec![Vec::new(); self.packages.len()];
        for edge in &self.edges {
            adjacency[edge.from.0].push(edge.to.0);
        }
        for package in &mut self.packages {
            package.roots.clear();
        }
        let mut seen = vec![usize::MAX; self.packages.len()];
        for (order, root) in self.roots.iter().enumerate() {
            let mut queue = std::collections::VecDeque::from([root.0]);
            seen[root.0] = order;
            while let Some(node) = queue.pop_front() {
                self.packages[node].roots.push(*root);
                for &next in &adjacency[node] {
                    if seen[next] != order {
                        seen[next] = order;
                        queue.push_back(next);
                    }
                }
            }
        }
    }

    /// Paths from a root to `target` ("why is this here"): shortest first, at most `limit`.
    ///
    /// Each path starts at a root and ends at `target`. A root itself has the one path `[root]`.
    pub fn paths_to(&self, target: PackageId, limit: usize) -> Vec<Vec<PackageId>> {
        graph::paths_to(self, target, limit)
    }

    /// Every package reachable from `from` (included), as a mask indexed by package id.
    pub fn reachable_from(&self, from: &[PackageId]) -> Vec<bool> {
        graph::reachable_from(self, from)
    }

    /// A shortest path from a root to `target` that passes through none of `avoid`, or `None`
    /// when each path from a root goes through one of them: whether a statement about the
    /// packages in `avoid` covers every way `target` is reached.
    pub fn path_avoiding(&self, target: PackageId, avoid: &[PackageId]) -> Option<Vec<PackageId>> {
        graph::path_avoiding(self, target, avoid)
    }

    /// Paths rendered as `a 1.0 > b 2.0 > target 3.0`, for reports.
    pub fn paths_to_display(&self, target: PackageId, limit: usize) -> Vec<String> {
        self.paths_to(target, limit)
            .into_iter()
            .map(|path| self.display_path(&path))
            .collect()
    }

    /// One path rendered as `a 1.0 > b 2.0 > target 3.0`. A path of more than
    /// [`SHOWN_PATH_STEPS`] packages keeps its first and last ones around
    /// `… N more packages …`: real dependency graphs are a few dozen deep, and a hostile chain
    /// of thousands would otherwise make every finding's text as long as the chain.
    pub fn display_path(&self, path: &[PackageId]) -> String {
        let step = |id: &PackageId| {
            let p = self.package(*id);
            format!("{} {}", p.name, p.version)
        };
        if path.len() <= SHOWN_PATH_STEPS {
            return path.iter().map(step).collect::<Vec<_>>().join(" > ");
        }
        let head = SHOWN_PATH_STEPS / 2;
        let tail = SHOWN_PATH_STEPS - head - 1;
        let hidden = path.len() - head - tail;
        let mut steps: Vec<String> = path[..head].iter().map(step).collect();
        steps.push(format!("… {hidden} more packages …"));
        steps.extend(path[path.len() - tail..].iter().map(step));
        steps.join(" > ")
    }
}
