//! Build-exact resolution: which crates of a `Cargo.lock` are compiled for a target triple and
//! a feature selection, and with which features — cargo's feature resolver, without cargo.
//!
//! In: the parsed lockfile (every package of every platform and feature, with its locked
//! dependencies), the build facts of each package's manifest ([`BuildManifest`]), the
//! workspace's root manifest and the [`BuildSelection`]. Out: a [`Build`] (per package: the
//! targets it is compiled for, its features for the target and for the host, the chain that
//! pulls it in; the edges the build uses) and gaps for what could not be resolved.
//!
//! The rules are cargo's (`cargo tree -e normal,build` shows the same set):
//! - Features: `[features]` tables, `dep:x`, `x/feature`, weak `x?/feature`, the implicit
//!   feature of an optional dependency (only when no `dep:x` names it), `default` unless
//!   `default-features = false`, features enabled by dependents.
//! - Platforms: a `[target.'cfg(…)']` or `[target.TRIPLE]` dependency is used only when its
//!   platform matches: the target for normal dependencies, the host for build dependencies
//!   and everything below a build script or proc-macro.
//! - Resolver "2" (edition 2021 and later, or `resolver = "2"`): features of build
//!   dependencies and proc-macros are resolved apart from the target's, inactive platforms
//!   and dev-dependencies enable no feature. Resolver "1": one set of features per crate,
//!   unified across platforms and including the members' dev-dependencies.
//! - Dev-dependencies are never part of the build.
//! - Several targets (`--target A --target B`): one feature resolution for all of them (a
//!   normal dependency counts when its platform is any requested target), then one walk per
//!   target for the crates compiled for it — what `cargo tree --target A --target B` shows.
//!
//! A package whose manifest was not found cannot be resolved: all its locked dependencies
//! are counted as compiled (never dropped) and a `build-unresolved` gap says so.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use cfg_expr::targets::TargetInfo;
use cfg_expr::{Expression, Predicate};

use super::build_manifest::{BuildDependency, BuildManifest, DeclaredSource};
use super::lockfile::{LockedPackage, ParsedLockfile};
use super::manifests::{Table, Value, field};
use super::{Collected, PackageFacts};
use crate::ingest::IngestError;
use crate::inventory::{
    Build, BuildPackage, BuildSelection, BuildStep, CompiledUnits, DepKind, Gap, PackageId,
};

/// Whether `triple` is a target rustc knows (from the `cfg-expr` crate's built-in list).
pub fn is_known_target(triple: &str) -> bool {
    cfg_expr::targets::get_builtin_target_by_triple(triple).is_some()
}

/// The triple of the machine depgate runs on: build scripts and proc-macros are compiled
/// for it (cargo's host). Found in the built-in list by this binary's architecture, OS and
/// environment.
pub fn host_triple() -> String {
    let env = if cfg!(target_env = "gnu") {
        Some("gnu")
    } else if cfg!(target_env = "musl") {
        Some("musl")
    } else if cfg!(target_env = "msvc") {
        Some("msvc")
    } else {
        None
    };
    let arch = std::env::consts::ARCH;
    let os = std::env::consts::OS;
    let candidates: Vec<&TargetInfo> = cfg_expr::targets::ALL_BUILTINS
        .iter()
        .filter(|target| {
            target.arch.as_str() == arch
                && target.os.as_ref().map(|o| o.as_str()) == Some(os)
                && target.env.as_ref().map(|e| e.as_str()) == env
        })
        .collect();
    // Prefer the plain vendor (`unknown`, `pc`, `apple`) without a special ABI.
    let plain = |target: &&&TargetInfo| {
        ["unknown", "pc", "apple"].contains(&target.vendor.as_ref().map_or("", |v| v.as_str()))
            && target.abi.is_none()
    };
    candidates
        .iter()
        .find(plain)
        .or(candidates.first())
        .map_or_else(
            || format!("{arch}-unknown-{os}"),
            |target| target.triple.as_str().to_string(),
        )
}

/// Where a dependency's `[target.…]` platform is evaluated.
#[derive(Debug, Clone, Copy)]
enum Platform {
    /// No `--target`: every platform counts.
    Every,
    /// One target.
    Target(&'static TargetInfo),
}

/// Target features rustc enables by default (`rustc --print cfg`), for
/// `cfg(target_feature = "…")`; anything else counts as off.
fn default_target_feature(target: &TargetInfo, feature: &str) -> bool {
    let features: &[&str] = match target.arch.as_str() {
        "x86_64" => &["fxsr", "sse", "sse2", "x87"],
        "x86" => &["fxsr", "sse", "sse2", "x87"],
        "aarch64"
            if target
                .vendor
                .as_ref()
                .is_some_and(|v| v.as_str() == "apple") =>
        {
            &[
                "aes", "crc", "dit", "dotprod", "dpb", "dpb2", "fcma", "fhm", "flagm", "fp16",
                "frintts", "jsconv", "lor", "lse", "neon", "paca", "pacg", "pan", "pmuv3", "ras",
                "rcpc", "rcpc2", "rdm", "sb", "sha2", "sha3", "ssbs", "v8.1a", "v8.2a", "v8.3a",
                "v8.4a", "vh",
            ]
        }
        "aarch64" => &["neon"],
        _ => &[],
    };
    features.contains(&feature)
}

/// Evaluates `[target.X]` keys against one platform, parsing each expression once.
struct PlatformCache {
    parsed: HashMap<String, Option<Expression>>,
}

impl PlatformCache {
    fn matches(&mut self, spec: &str, platform: Platform) -> bool {
        let Platform::Target(target) = platform else {
            return true;
        };
        if !spec.starts_with("cfg(") {
            return spec == target.triple.as_str();
        }
        // Looked up before inserting: a key is allocated once per distinct expression, not
        // once per dependency edge.
        if !self.parsed.contains_key(spec) {
            self.parsed
                .insert(spec.to_string(), Expression::parse(spec).ok());
        }
        let expression = self.parsed.get(spec).and_then(Option::as_ref);
        // An expression rustc would not parse: counted as active, never dropped.
        let Some(expression) = expression else {
            return true;
        };
        expression.eval(|predicate| match predicate {
            Predicate::Target(target_predicate) => target_predicate.matches(target),
            Predicate::TargetFeature(feature) => default_target_feature(target, feature),
            // `rustc --print cfg` without `-O` prints `debug_assertions`.
            Predicate::DebugAssertions => true,
            _ => false,
        })
    }
}

/// A compilation of a package: for the target (`false`) or for the host (`true`).
type Unit = (usize, bool);

/// What enabled a feature, for `explain`.
#[derive(Debug, Clone)]
enum Cause {
    /// The command line or the member's default features.
    Requested,
    /// Another feature of a package.
    Feature(Unit, String),
    /// A dependent's declaration (`features = […]` or its default features).
    Dependent(Unit),
}

/// How a unit was first reached, for `explain`.
#[derive(Debug, Clone)]
struct Reached {
    from: Unit,
    /// The dependency's name in the dependent's manifest.
    name: String,
    kind: DepKind,
    /// The feature of the dependent that enabled it, when optional.
    feature: Option<String>,
}

/// The per-package inputs of a resolution.
struct Graph<'a> {
    packages: &'a [LockedPackage],
    /// The build facts, when the manifest was read.
    manifests: Vec<Option<&'a BuildManifest>>,
    /// Each package's features, with the implicit ones of optional dependencies, computed
    /// when the resolver first reaches the package.
    feature_maps: Vec<OnceCell<BTreeMap<String, Vec<String>>>>,
    /// Each package's declarations matched to locked packages (dev-dependencies only for
    /// members); `None` when its manifest is missing.
    dependencies: Vec<Option<Vec<(usize, &'a BuildDependency)>>>,
    resolver2: bool,
}

impl<'a> Graph<'a> {
    fn new(
        parsed: &'a ParsedLockfile,
        facts: &'a [Option<PackageFacts>],
        members: &[bool],
        resolver2: bool,
    ) -> (Self, Vec<String>) {
        let packages = &parsed.packages;
        let manifests: Vec<Option<&BuildManifest>> = facts
            .iter()
            .map(|f| f.as_ref().and_then(|f| f.build.as_ref()))
            .collect();
        let mut unmatched = Vec::new();
        let mut dependencies = Vec::with_capacity(packages.len());
        for (index, package) in packages.iter().enumerate() {
            let Some(manifest) = manifests[index] else {
                dependencies.push(None);
                continue;
            };
            let mut matched = Vec::new();
            let mut used = vec![false; package.dependencies.len()];
            for declaration in &manifest.dependencies {
                if declaration.kind == DepKind::Dev && !members[index] {
                    continue;
                }
                if let Some(position) = pick(packages, &package.dependencies, declaration) {
                    used[position] = true;
                    matched.push((package.dependencies[position], declaration));
                }
            }
            // A locked dependency no declaration names (a manifest that does not match the
            // lockfile): kept as unconditional, never dropped.
            for (position, &target) in package.dependencies.iter().enumerate() {
                if !used[position] {
                    unmatched.push(format!(
                        "`{} {}` > `{} {}`",
                        package.name,
                        package.version,
                        packages[target].name,
                        packages[target].version
                    ));
                }
            }
            dependencies.push(Some(matched));
        }
        let feature_maps = (0..packages.len()).map(|_| OnceCell::new()).collect();
        (
            Graph {
                packages,
                manifests,
                feature_maps,
                dependencies,
                resolver2,
            },
            unmatched,
        )
    }

    /// The features of package `index` (see [`feature_map`]).
    fn features(&self, index: usize) -> &BTreeMap<String, Vec<String>> {
        self.feature_maps[index]
            .get_or_init(|| self.manifests[index].map(feature_map).unwrap_or_default())
    }

    fn is_proc_macro(&self, index: usize) -> bool {
        self.manifests[index].is_some_and(|m| m.proc_macro)
    }
}

/// The position in `locked` (a package's locked dependencies) of the package a declaration
/// resolved to: same name, then same kind of source, then the requirement the version meets
/// (the highest when several do).
fn pick(
    packages: &[LockedPackage],
    locked: &[usize],
    declaration: &BuildDependency,
) -> Option<usize> {
    let named: Vec<usize> = (0..locked.len())
        .filter(|&position| packages[locked[position]].name == declaration.package)
        .collect();
    if named.len() <= 1 {
        return named.first().copied();
    }
    let source_matches = |position: &usize| {
        let source = packages[locked[*position]].source.as_ref();
        match declaration.source {
            DeclaredSource::Path => source.is_none(),
            DeclaredSource::Git => source.is_some_and(|s| s.is_git()),
            DeclaredSource::Registry => source.is_some_and(|s| s.is_registry()),
        }
    };
    let requirement = declaration
        .requirement
        .as_deref()
        .and_then(|r| semver::VersionReq::parse(r).ok());
    let version =
        |position: usize| semver::Version::parse(&packages[locked[position]].version).ok();
    named
        .iter()
        .copied()
        .filter(source_matches)
        .filter(|&position| match (&requirement, version(position)) {
            (Some(requirement), Some(version)) => requirement.matches(&version),
            _ => true,
        })
        .max_by(|&a, &b| version(a).cmp(&version(b)))
}

/// `[features]` plus the implicit feature `x = ["dep:x"]` of each optional dependency that
/// no `dep:x` names.
fn feature_map(manifest: &BuildManifest) -> BTreeMap<String, Vec<String>> {
    let mut map = manifest.feature_table();
    let hidden: HashSet<String> = map
        .values()
        .flatten()
        .filter_map(|value| value.strip_prefix("dep:"))
        .map(str::to_string)
        .collect();
    for dependency in &manifest.dependencies {
        if dependency.optional && !hidden.contains(dependency.name.as_str()) {
            map.entry(dependency.name.clone())
                .or_insert_with(|| vec![format!("dep:{}", dependency.name)]);
        }
    }
    map
}

/// One feature value, as cargo reads `"x"`, `"dep:x"`, `"x/f"` and `"x?/f"`.
enum FeatureValue<'v> {
    Feature(&'v str),
    Dep(&'v str),
    DepFeature {
        dependency: &'v str,
        feature: &'v str,
        weak: bool,
    },
}

impl<'v> FeatureValue<'v> {
    fn parse(value: &'v str) -> Self {
        if let Some((dependency, feature)) = value.split_once('/') {
            match dependency.strip_suffix('?') {
                Some(dependency) => FeatureValue::DepFeature {
                    dependency,
                    feature,
                    weak: true,
                },
                None => FeatureValue::DepFeature {
                    dependency,
                    feature,
                    weak: false,
                },
            }
        } else if let Some(dependency) = value.strip_prefix("dep:") {
            FeatureValue::Dep(dependency)
        } else {
            FeatureValue::Feature(value)
        }
    }
}

/// A dependency of a unit: the locked package, its declaration and the unit it is built as.
type UnitDependency<'a> = (usize, DependencyRef<'a>, Unit);

/// The feature resolver's state for the requested targets together (cargo's
/// `FeatureResolver`): a normal dependency is followed when its platform is any requested
/// target, so features are unified across them, as `cargo build --target A --target B` does.
struct Resolver<'g, 'a> {
    graph: &'g Graph<'a>,
    targets: &'g [Platform],
    host: Platform,
    platforms: PlatformCache,
    features: HashMap<Unit, BTreeSet<String>>,
    activated_dependencies: HashMap<Unit, HashSet<String>>,
    processed: HashSet<Unit>,
    deferred_weak: HashMap<(Unit, String), BTreeSet<String>>,
    feature_causes: FeatureCauses,
    dependency_cache: HashMap<Unit, Rc<[UnitDependency<'a>]>>,
}

impl<'g, 'a> Resolver<'g, 'a> {
    /// Resolver 1 keeps one set of features per package.
    fn key(&self, unit: Unit) -> Unit {
        (unit.0, unit.1 && self.graph.resolver2)
    }

    /// The declarations of `unit` the feature resolver follows, with each dependency's unit;
    /// computed once per unit (features of a crate like `windows-sys` ask hundreds of times).
    fn dependencies(&mut self, unit: Unit) -> Rc<[UnitDependency<'a>]> {
        if let Some(known) = self.dependency_cache.get(&unit) {
            return Rc::clone(known);
        }
        let list: Rc<[UnitDependency<'a>]> = self.compute_dependencies(unit).into();
        self.dependency_cache.insert(unit, Rc::clone(&list));
        list
    }

    fn compute_dependencies(&mut self, unit: Unit) -> Vec<UnitDependency<'a>> {
        let (index, for_host) = unit;
        let graph = self.graph;
        let Some(declarations) = &graph.dependencies[index] else {
            return graph.packages[index]
                .dependencies
                .iter()
                .map(|&target| (target, DependencyRef::Assumed, (target, for_host)))
                .collect();
        };
        let mut out = Vec::new();
        for &(target, declaration) in declarations {
            if graph.resolver2 {
                if declaration.kind == DepKind::Dev {
                    continue;
                }
                if let Some(spec) = &declaration.platform {
                    let on_host = for_host || declaration.kind == DepKind::Build;
                    let active = if on_host {
                        self.platforms.matches(spec, self.host)
                    } else {
                        self.targets
                            .iter()
                            .any(|&target| self.platforms.matches(spec, target))
                    };
                    if !active {
                        continue;
                    }
                }
            }
            let child_host = for_host
                || (graph.resolver2
                    && (declaration.kind == DepKind::Build || graph.is_proc_macro(target)));
            out.push((
                target,
                DependencyRef::Declared(declaration),
                (target, child_host),
            ));
        }
        out
    }

    fn activate_package(&mut self, unit: Unit, values: &[String], cause: &Cause) {
        let key = self.key(unit);
        self.features.entry(key).or_default();
        for value in values {
            self.activate_value(unit, value, cause);
        }
        if !self.processed.insert(key) {
            return;
        }
        for &(target, dependency, child) in self.dependencies(unit).iter() {
            if dependency.optional() {
                continue;
            }
            let values = self.values_from_dependency(target, dependency);
            self.activate_package(child, &values, &Cause::Dependent(unit));
        }
    }

    fn activate_value(&mut self, unit: Unit, value: &str, cause: &Cause) {
        match FeatureValue::parse(value) {
            FeatureValue::Feature(feature) => self.activate_feature(unit, feature, cause),
            FeatureValue::Dep(dependency) => self.activate_dependency(unit, dependency, cause),
            FeatureValue::DepFeature {
                dependency,
                feature,
                weak,
            } => self.activate_dependency_feature(unit, dependency, feature, weak, cause),
        }
    }

    fn activate_feature(&mut self, unit: Unit, feature: &str, cause: &Cause) {
        let key = self.key(unit);
        if !self
            .features
            .entry(key)
            .or_default()
            .insert(feature.to_string())
        {
            return;
        }
        self.feature_causes
            .insert((key, feature.to_string()), cause.clone());
        let Some(values) = self.graph.features(unit.0).get(feature) else {
            return;
        };
        let next = Cause::Feature(unit, feature.to_string());
        for value in values {
            self.activate_value(unit, value, &next);
        }
    }

    fn activate_dependency(&mut self, unit: Unit, name: &str, cause: &Cause) {
        let key = self.key(unit);
        self.activated_dependencies
            .entry(key)
            .or_default()
            .insert(name.to_string());
        let deferred = self.deferred_weak.remove(&(unit, name.to_string()));
        for &(target, dependency, child) in self.dependencies(unit).iter() {
            if dependency.name() != Some(name) {
                continue;
            }
            for feature in deferred.iter().flatten() {
                self.activate_value(child, feature, cause);
            }
            let values = self.values_from_dependency(target, dependency);
            self.activate_package(child, &values, &Cause::Dependent(unit));
        }
    }

    fn activate_dependency_feature(
        &mut self,
        unit: Unit,
        name: &str,
        feature: &str,
        weak: bool,
        cause: &Cause,
    ) {
        for &(_, dependency, child) in self.dependencies(unit).iter() {
            if dependency.name() != Some(name) {
                continue;
            }
            if dependency.optional() {
                let key = self.key(unit);
                let active = self
                    .activated_dependencies
                    .get(&key)
                    .is_some_and(|names| names.contains(name));
                if weak && !active {
                    // `x?/f`: only once something else enables `x`.
                    self.deferred_weak
                        .entry((unit, name.to_string()))
                        .or_default()
                        .insert(feature.to_string());
                    continue;
                }
                self.activate_dependency(unit, name, cause);
                // `x/f` also enables a feature named `x`, when there is one (not when a
                // `dep:x` hid the implicit feature).
                if !weak && self.graph.features(unit.0).contains_key(name) {
                    self.activate_feature(unit, name, cause);
                }
            }
            self.activate_value(child, feature, cause);
        }
    }

    /// The features a declaration enables on its dependency: its `features` and `default`.
    fn values_from_dependency(&self, target: usize, dependency: DependencyRef<'_>) -> Vec<String> {
        let DependencyRef::Declared(declaration) = dependency else {
            return Vec::new();
        };
        let mut values = declaration.features.clone();
        if declaration.default_features && self.graph.features(target).contains_key("default") {
            values.push("default".to_string());
        }
        values
    }
}

/// A declaration, or a locked dependency of a package whose manifest is missing.
#[derive(Debug, Clone, Copy)]
enum DependencyRef<'a> {
    Declared(&'a BuildDependency),
    Assumed,
}

impl DependencyRef<'_> {
    fn optional(&self) -> bool {
        matches!(self, DependencyRef::Declared(d) if d.optional)
    }

    fn name(&self) -> Option<&str> {
        match self {
            DependencyRef::Declared(d) => Some(d.name.as_str()),
            DependencyRef::Assumed => None,
        }
    }

    fn kind(&self) -> DepKind {
        match self {
            DependencyRef::Declared(d) => d.kind,
            DependencyRef::Assumed => DepKind::Normal,
        }
    }
}

/// What one target's walk found (the features are those resolved for every requested
/// target together).
struct TargetBuild {
    /// Each unit compiled, with its features.
    units: BTreeMap<Unit, BTreeSet<String>>,
    /// Package edges used.
    edges: BTreeSet<(usize, usize)>,
    /// How each unit was first reached.
    reached: HashMap<Unit, Reached>,
}

/// What enabled each feature of each unit (the resolver's, shared by every target's walk).
type FeatureCauses = HashMap<(Unit, String), Cause>;

/// Each selected member with the feature values requested on it, and the requested features
/// none of them has.
type MemberRequests = (Vec<(usize, Vec<String>)>, BTreeSet<String>);

/// The requested features of each member, as cargo applies `--features` to the selected
/// members: `f` to those that have a feature (or optional dependency) `f`, `member/f` to that
/// member, `dep/f` to those with a dependency `dep`. The requested features no member has are
/// returned too (an error, as in cargo, unless another workspace of the scan has them).
fn member_requests(
    graph: &Graph<'_>,
    selected: &[usize],
    selection: &BuildSelection,
) -> Result<MemberRequests, String> {
    let requested: Vec<&str> = selection
        .features
        .iter()
        .flat_map(|list| list.split([',', ' ']))
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let mut found: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for &member in selected {
        let map = graph.features(member);
        let manifest = graph.manifests[member];
        let has_dependency =
            |name: &str| manifest.is_some_and(|m| m.dependencies.iter().any(|d| d.name == name));
        let has_feature = |name: &str| {
            map.contains_key(name)
                || manifest
                    .is_some_and(|m| m.dependencies.iter().any(|d| d.optional && d.name == name))
        };
        let mut values = Vec::new();
        for &feature in &requested {
            match FeatureValue::parse(feature) {
                FeatureValue::Feature(name) if has_feature(name) => {
                    values.push(name.to_string());
                    found.insert(feature);
                }
                FeatureValue::DepFeature {
                    dependency,
                    feature: inner,
                    ..
                } => {
                    if has_dependency(dependency) {
                        values.push(feature.to_string());
                        found.insert(feature);
                    } else if dependency == graph.packages[member].name && has_feature(inner) {
                        values.push(inner.to_string());
                        found.insert(feature);
                    }
                }
                FeatureValue::Dep(_) => {
                    return Err(format!(
                        "feature `{feature}` is not allowed: `dep:` names a dependency inside a manifest, not on the command line"
                    ));
                }
                FeatureValue::Feature(_) => {}
            }
        }
        if !selection.no_default_features && map.contains_key("default") {
            values.push("default".to_string());
        }
        if selection.all_features {
            values.extend(map.keys().cloned());
        }
        out.push((member, values));
    }
    let missing = requested
        .iter()
        .filter(|f| !found.contains(**f))
        .map(|f| f.to_string())
        .collect();
    Ok((out, missing))
}

/// Resolves the features of every unit for the requested targets together: cargo's feature
/// resolver takes a normal dependency whose platform is any of them, so a crate's features
/// are one set for all requested targets (and one for the host, under resolver "2").
fn resolve_features<'g, 'a>(
    graph: &'g Graph<'a>,
    requests: &[(usize, Vec<String>)],
    targets: &'g [Platform],
    host: Platform,
) -> Resolver<'g, 'a> {
    let mut resolver = Resolver {
        graph,
        targets,
        host,
        platforms: PlatformCache {
            parsed: HashMap::new(),
        },
        features: HashMap::new(),
        activated_dependencies: HashMap::new(),
        processed: HashSet::new(),
        deferred_weak: HashMap::new(),
        feature_causes: HashMap::new(),
        dependency_cache: HashMap::new(),
    };
    for (member, values) in requests {
        resolver.activate_package(start(graph, *member), values, &Cause::Requested);
    }
    resolver
}

/// A member's unit: a member that is a proc-macro is compiled for the host, as cargo does.
fn start(graph: &Graph<'_>, member: usize) -> Unit {
    (member, graph.is_proc_macro(member))
}

/// The units compiled for one target: a walk from the members like `cargo tree -e
/// normal,build --target T`, through the platforms active for `target` (the host below build
/// scripts and proc-macros) and the optional dependencies the resolver enabled, never through
/// dev-dependencies. A crate reached only through another target's platform is not compiled
/// for this one, though its features are shared.
fn walk_target(
    resolver: &mut Resolver<'_, '_>,
    requests: &[(usize, Vec<String>)],
    target: Platform,
) -> TargetBuild {
    let graph = resolver.graph;
    let host = resolver.host;
    let mut build = TargetBuild {
        units: BTreeMap::new(),
        edges: BTreeSet::new(),
        reached: HashMap::new(),
    };
    let mut stack: Vec<Unit> = requests.iter().map(|(m, _)| start(graph, *m)).collect();
    while let Some(unit) = stack.pop() {
        if build.units.contains_key(&unit) {
            continue;
        }
        let key = resolver.key(unit);
        let features = resolver.features.get(&key).cloned().unwrap_or_default();
        build.units.insert(unit, features);
        let (index, for_host) = unit;
        let declarations: Vec<(usize, DependencyRef<'_>)> = match &graph.dependencies[index] {
            Some(list) => list
                .iter()
                .map(|&(t, d)| (t, DependencyRef::Declared(d)))
                .collect(),
            None => graph.packages[index]
                .dependencies
                .iter()
                .map(|&t| (t, DependencyRef::Assumed))
                .collect(),
        };
        for (target_index, dependency) in declarations {
            let kind = dependency.kind();
            if kind == DepKind::Dev {
                continue;
            }
            let on_host = for_host || kind == DepKind::Build;
            if let DependencyRef::Declared(declaration) = dependency {
                if let Some(spec) = &declaration.platform {
                    let platform = if on_host { host } else { target };
                    if !resolver.platforms.matches(spec, platform) {
                        continue;
                    }
                }
                if declaration.optional
                    && !resolver
                        .activated_dependencies
                        .get(&key)
                        .is_some_and(|names| names.contains(&declaration.name))
                {
                    continue;
                }
            }
            let child = (target_index, on_host || graph.is_proc_macro(target_index));
            build.edges.insert((index, target_index));
            if !build.units.contains_key(&child) && !build.reached.contains_key(&child) {
                let name = dependency
                    .name()
                    .unwrap_or(graph.packages[target_index].name.as_str());
                let feature = match dependency {
                    DependencyRef::Declared(d) if d.optional => Some(d.name.clone()),
                    _ => None,
                };
                build.reached.insert(
                    child,
                    Reached {
                        from: unit,
                        name: name.to_string(),
                        kind,
                        feature,
                    },
                );
            }
            stack.push(child);
        }
    }
    build
}

/// The root manifest's facts the resolution needs: the resolver version and the members'
/// `exclude` list.
struct Workspace {
    dir: PathBuf,
    resolver2: bool,
    exclude: Vec<PathBuf>,
}

fn read_workspace(lockfile: &Path) -> Result<Workspace, String> {
    let dir = match lockfile.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let manifest_path = dir.join("Cargo.toml");
    let text = crate::util::read_input_text(&manifest_path)
        .map_err(|error| crate::util::error_chain(&error))?;
    let table = Table::parse(&text)
        .map_err(|error| format!("`{}`: {}", manifest_path.display(), error.message()))?;
    let table = table.get_ref();
    let workspace = field(table, "workspace").and_then(Value::as_table);
    let package = field(table, "package").and_then(Value::as_table);
    let resolver = workspace
        .and_then(|w| field(w, "resolver"))
        .or_else(|| package.and_then(|p| field(p, "resolver")))
        .and_then(Value::as_str)
        .map(str::to_string);
    // `edition` may be inherited (`edition.workspace = true`).
    let edition = package
        .and_then(|p| field(p, "edition"))
        .and_then(|value| match value {
            Value::String(s) => Some(s.to_string()),
            _ => workspace
                .and_then(|w| field(w, "package"))
                .and_then(Value::as_table)
                .and_then(|p| field(p, "edition"))
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    let resolver2 = match resolver.as_deref() {
        Some("1") => false,
        Some(_) => true,
        // A virtual workspace without `resolver` uses "1"; a package's edition decides.
        None => edition.is_some_and(|e| e.as_str() >= "2021"),
    };
    let exclude = workspace
        .and_then(|w| field(w, "exclude"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|item| item.get_ref().as_str())
                .map(|path| crate::util::normalize_path(&dir.join(path)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Workspace {
        dir,
        resolver2,
        exclude,
    })
}

/// Resolves the requested build of a lockfile. `ids[i]` is lockfile package `i`'s inventory
/// id. Errors are usage errors (an unknown feature or package); what cannot be resolved is
/// returned as gap messages.
/// [`resolve`] through the derived-facts cache (`build/` under `DEPGATE_CACHE`): the build is a
/// function of the lockfile, the workspace's manifests and the selection, and most changes to
/// a repository touch none of them, so a resolution made before is taken again while its
/// inputs are the same. One file per lockfile and selection holds the last resolution with a
/// digest of its inputs: the lockfile's text (registry and git crates are fixed by their
/// checksums and commits in it), the root manifest's bytes, for each package whether its
/// manifest was found and, for local ones, what their manifests say for the build and where
/// they are, and the package ids. Anything else (no cache, another digest, a damaged file) is
/// a resolution made now.
///
/// `complete` adds what the resolution needs beyond the digest's inputs (the registry crates'
/// build facts), called only when the build is resolved now.
pub(crate) fn resolve_cached(
    path: &Path,
    text: &str,
    parsed: &ParsedLockfile,
    collected: &mut Collected,
    ids: &[PackageId],
    selection: &BuildSelection,
    complete: impl FnOnce(&mut Collected),
) -> Result<(Build, Vec<Gap>), IngestError> {
    /// Bumped whenever the resolution or what [`Build`] records changes.
    const FORMAT: u32 = 2;
    type Cached = (String, Build, Vec<Gap>);
    if crate::util::derived_cache().is_none() {
        complete(collected);
        return resolve(path, parsed, collected, ids, selection);
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let scope = format!(
        "{}\n{}\n{}\n{selection:?}",
        env!("CARGO_PKG_VERSION"),
        absolute.display(),
        host_triple()
    );
    let digest = inputs_digest(path, text, parsed, collected, ids);
    if let Some((recorded, build, gaps)) =
        crate::util::read_derived::<Cached>("build", FORMAT, &scope)
        && recorded == digest
    {
        return Ok((build, gaps));
    }
    complete(collected);
    let (build, gaps) = resolve(path, parsed, collected, ids, selection)?;
    let cached: Cached = (digest, build, gaps);
    crate::util::write_derived("build", FORMAT, &scope, &cached);
    let (_, build, gaps) = cached;
    Ok((build, gaps))
}

/// The digest of what a resolution reads (see [`resolve_cached`]).
fn inputs_digest(
    path: &Path,
    text: &str,
    parsed: &ParsedLockfile,
    collected: &Collected,
    ids: &[PackageId],
) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(text.as_bytes());
    let root = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("Cargo.toml");
    match crate::util::read_input(&root) {
        Ok(bytes) => field(&bytes),
        Err(error) => field(format!("unreadable: {error}").as_bytes()),
    }
    for ((package, facts), id) in parsed.packages.iter().zip(&collected.facts).zip(ids) {
        field(&id.0.to_le_bytes());
        match facts {
            None => field(b"no facts"),
            Some(facts) if package.source.is_none() => {
                field(
                    facts
                        .local_dir
                        .as_deref()
                        .unwrap_or(Path::new(""))
                        .as_os_str()
                        .as_encoded_bytes(),
                );
                field(&postcard::to_stdvec(&facts.build).unwrap_or_default());
            }
            // A registry or git crate is fixed by the lockfile: only whether it was found.
            Some(_) => field(b"facts"),
        }
    }
    hex::encode(hasher.finalize())
}

pub(crate) fn resolve(
    path: &Path,
    parsed: &ParsedLockfile,
    collected: &Collected,
    ids: &[PackageId],
    selection: &BuildSelection,
) -> Result<(Build, Vec<Gap>), IngestError> {
    let error = |message: String| IngestError::Build {
        path: path.to_path_buf(),
        message,
    };
    let mut gaps: Vec<Gap> = Vec::new();
    let host_name = host_triple();
    let host = match cfg_expr::targets::get_builtin_target_by_triple(&host_name) {
        Some(info) => Platform::Target(info),
        None => Platform::Every,
    };
    let mut targets: Vec<(String, Platform)> = Vec::new();
    for triple in &selection.targets {
        let info = cfg_expr::targets::get_builtin_target_by_triple(triple)
            .ok_or_else(|| error(format!("unknown target triple `{triple}`")))?;
        targets.push((triple.clone(), Platform::Target(info)));
    }
    if targets.is_empty() {
        targets.push((
            crate::inventory::EVERY_PLATFORM.to_string(),
            Platform::Every,
        ));
    }
    let (workspace, workspace_note) = match read_workspace(path) {
        Ok(workspace) => (Some(workspace), None),
        Err(message) => (None, Some(message)),
    };
    // Members: the lockfile's sourceless packages inside the workspace directory that no
    // `exclude` names (cargo makes path dependencies inside the workspace members too).
    let members: Vec<bool> = parsed
        .packages
        .iter()
        .zip(&collected.facts)
        .map(|(package, facts)| {
            let (Some(workspace), Some(dir)) = (
                &workspace,
                facts.as_ref().and_then(|f| f.local_dir.as_deref()),
            ) else {
                return false;
            };
            let dir = crate::util::normalize_path(dir);
            package.source.is_none()
                && dir.starts_with(crate::util::normalize_path(&workspace.dir))
                && !workspace.exclude.iter().any(|e| dir.starts_with(e))
        })
        .collect();
    let resolver2 = workspace.as_ref().is_none_or(|w| w.resolver2);
    let (graph, unmatched) = Graph::new(parsed, &collected.facts, &members, resolver2);

    let mut selected: Vec<usize> = (0..parsed.packages.len()).filter(|&i| members[i]).collect();
    let missing_packages = selection
        .packages
        .iter()
        .filter(|name| !selected.iter().any(|&i| parsed.packages[i].name == **name))
        .cloned()
        .collect();
    if !selection.packages.is_empty() {
        selected.retain(|&i| selection.packages.contains(&parsed.packages[i].name));
    }
    let (requests, missing_features) =
        member_requests(&graph, &selected, selection).map_err(error)?;

    let mut build = Build {
        selection: selection.clone(),
        host: host_name,
        missing_features,
        missing_packages,
        ..Build::default()
    };
    for &id in ids {
        build.packages.insert(id, BuildPackage::default());
    }
    if let Some(message) = workspace_note {
        // Without the root manifest no member is known: every package stays in.
        gaps.push(Gap {
            kind: "build-unresolved".to_string(),
            message:             format!(
                "the build of `{}` cannot be resolved without its workspace manifest, so every package counts as compiled: {message}",
                path.display()
            ),
            packages: parsed.packages.len(),
        });
        for package in build.packages.values_mut() {
            package.assumed = true;
            for (name, _) in &targets {
                package
                    .targets
                    .insert(name.clone(), CompiledUnits::default());
            }
        }
        return Ok((build, gaps));
    }
    let platforms: Vec<Platform> = targets.iter().map(|(_, platform)| *platform).collect();
    let mut resolver = resolve_features(&graph, &requests, &platforms, host);
    for (name, platform) in &targets {
        let target_build = walk_target(&mut resolver, &requests, *platform);
        let mut worded = HashMap::new();
        for (&(index, for_host), features) in &target_build.units {
            let package = build.packages.entry(ids[index]).or_default();
            let units = package.targets.entry(name.clone()).or_default();
            let slot = if for_host {
                &mut units.host
            } else {
                &mut units.target
            };
            slot.get_or_insert_with(BTreeSet::new)
                .extend(features.iter().cloned());
            if !package.why.contains_key(name) {
                let unit = if target_build.units.contains_key(&(index, false)) {
                    (index, false)
                } else {
                    (index, true)
                };
                let steps = chain(
                    &graph,
                    &target_build,
                    &resolver.feature_causes,
                    unit,
                    ids,
                    &mut worded,
                );
                package.why.insert(name.clone(), steps);
            }
        }
        for &(from, to) in &target_build.edges {
            build.edges.insert((ids[from], ids[to]));
        }
    }
    let assumed: Vec<usize> = (0..parsed.packages.len())
        .filter(|&i| graph.dependencies[i].is_none() && build.packages[&ids[i]].is_compiled())
        .collect();
    for &index in &assumed {
        if let Some(package) = build.packages.get_mut(&ids[index]) {
            package.assumed = true;
        }
    }
    if !assumed.is_empty() {
        gaps.push(Gap {
            kind: "build-unresolved".to_string(),
            message:             format!(
                "the features and target-specific dependencies of {} packages of `{}` are unknown (their manifests were not read; run `cargo fetch`), so all their dependencies count as compiled: {}",
                assumed.len(),
                path.display(),
                super::some_names(assumed.iter().map(|&i| &parsed.packages[i]))
            ),
            packages: assumed.len(),
        });
    }
    if !unmatched.is_empty() {
        gaps.push(Gap {
            kind: "build-unresolved".to_string(),
            message:             format!(
                "{} dependencies of `{}` are locked but declared by no manifest read, so they count as unconditional: {}",
                unmatched.len(),
                path.display(),
                unmatched.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ),
            packages: unmatched.len(),
        });
    }
    Ok((build, gaps))
}

/// The chain from a member to `unit`, as steps `from` --how--> next. Each unit's step is
/// worded once (`steps` keeps them): a thousand crates share the top of their chains.
fn chain(
    graph: &Graph<'_>,
    build: &TargetBuild,
    causes: &FeatureCauses,
    unit: Unit,
    ids: &[PackageId],
    steps: &mut HashMap<Unit, BuildStep>,
) -> Vec<BuildStep> {
    let mut chain = Vec::new();
    let mut current = unit;
    let mut seen = HashSet::new();
    while let Some(reached) = build.reached.get(&current) {
        if !seen.insert(current) {
            break;
        }
        let step = steps
            .entry(current)
            .or_insert_with(|| step(graph, causes, current, reached, ids));
        chain.push(step.clone());
        current = reached.from;
    }
    chain.reverse();
    chain
}

/// How `reached.from` pulls in `unit`: `dependency `x``, with the features that enabled an
/// optional one.
fn step(
    graph: &Graph<'_>,
    causes: &FeatureCauses,
    unit: Unit,
    reached: &Reached,
    ids: &[PackageId],
) -> BuildStep {
    let kind = match reached.kind {
        DepKind::Build => "build-dependency",
        _ => "dependency",
    };
    let mut how = format!("{kind} `{}`", reached.name);
    if let Some(feature) = &reached.feature {
        how.push_str(", optional, enabled by ");
        how.push_str(&feature_chain(graph, causes, reached.from, feature));
    }
    if unit.1 && !reached.from.1 && reached.kind != DepKind::Build {
        how.push_str(" (a proc-macro, compiled for the host)");
    }
    BuildStep {
        from: ids[reached.from.0],
        how,
    }
}

/// `feature `tls` of `a`, enabled by `default`` — why the optional dependency named
/// `dependency` of `unit` is enabled, following feature causes back to a request.
fn feature_chain(
    graph: &Graph<'_>,
    causes: &FeatureCauses,
    unit: Unit,
    dependency: &str,
) -> String {
    // The feature that activated it: the implicit feature of the same name, or the first
    // feature whose values name it.
    let key_unit = (unit.0, unit.1 && graph.resolver2);
    let enabled_by = graph
        .features(unit.0)
        .iter()
        .filter(|(feature, _)| causes.contains_key(&(key_unit, (*feature).clone())))
        .find(|(_, values)| {
            values.iter().any(|value| {
                value.strip_prefix("dep:") == Some(dependency)
                    || value.split_once('/').is_some_and(|(d, _)| d == dependency)
            })
        })
        .map(|(feature, _)| feature.clone());
    let Some(mut feature) = enabled_by else {
        return format!(
            "a dependent of `{}` (`{dependency}/…`)",
            graph.packages[unit.0].name
        );
    };
    let mut parts = vec![format!(
        "feature `{feature}` of `{}`",
        graph.packages[unit.0].name
    )];
    let mut current = key_unit;
    let mut seen = HashSet::new();
    while let Some(cause) = causes.get(&(current, feature.clone())) {
        if !seen.insert((current, feature.clone())) || parts.len() > 8 {
            break;
        }
        match cause {
            Cause::Requested => {
                parts.push(if feature == "default" {
                    "the default features".to_string()
                } else {
                    "the command line".to_string()
                });
                break;
            }
            Cause::Dependent(from) => {
                parts.push(format!(
                    "`{}`'s dependency on it",
                    graph.packages[from.0].name
                ));
                break;
            }
            Cause::Feature(from, next) => {
                parts.push(format!(
                    "feature `{next}` of `{}`",
                    graph.packages[from.0].name
                ));
                current = (from.0, from.1 && graph.resolver2);
                feature = next.clone();
            }
        }
    }
    parts.join(", enabled by ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_values_parse_like_cargo() {
        assert!(matches!(
            FeatureValue::parse("tls"),
            FeatureValue::Feature("tls")
        ));
        assert!(matches!(
            FeatureValue::parse("dep:rustls"),
            FeatureValue::Dep("rustls")
        ));
        assert!(matches!(
            FeatureValue::parse("serde?/std"),
            FeatureValue::DepFeature {
                dependency: "serde",
                feature: "std",
                weak: true
            }
        ));
        assert!(matches!(
            FeatureValue::parse("serde/std"),
            FeatureValue::DepFeature { weak: false, .. }
        ));
    }

    #[test]
    fn cfg_expressions_per_target() {
        let mut cache = PlatformCache {
            parsed: HashMap::new(),
        };
        let linux = Platform::Target(
            cfg_expr::targets::get_builtin_target_by_triple("x86_64-unknown-linux-gnu").unwrap(),
        );
        let windows = Platform::Target(
            cfg_expr::targets::get_builtin_target_by_triple("x86_64-pc-windows-msvc").unwrap(),
        );
        assert!(cache.matches("cfg(unix)", linux));
        assert!(!cache.matches("cfg(unix)", windows));
        assert!(cache.matches("cfg(all(windows, target_env = \"msvc\"))", windows));
        assert!(cache.matches("x86_64-pc-windows-msvc", windows));
        assert!(!cache.matches("x86_64-pc-windows-msvc", linux));
        assert!(cache.matches("cfg(target_feature = \"sse2\")", linux));
        assert!(!cache.matches("cfg(test)", linux));
        assert!(cache.matches("cfg(windows)", Platform::Every));
        assert!(is_known_target("aarch64-apple-darwin"));
        assert!(!is_known_target("x86_64-unknown-nowhere"));
    }
}
