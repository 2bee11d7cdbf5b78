//! Stage 2, the model of a build: which packages are compiled for the requested targets and
//! features, with the features each is compiled with and why it is there.
//!
//! In: what ingest's Cargo resolver found (see `ingest::cargo::resolve`). Out: [`Build`] on
//! the [`Inventory`], read by evaluate (findings on packages not compiled become notes), by the
//! SBOM writers ([`Inventory::build_view`]: only the build's packages and edges) and by
//! `explain` (the chain of dependencies and features that pulls a package in). Packages of
//! other ecosystems, and every package when no build was requested, have no entry: they count
//! as compiled.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Edge, Inventory, PackageId};

/// What `--target`, `--features`, `--all-features`, `--no-default-features` and `--package`
/// asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildSelection {
    /// Target triples; empty means every platform (every `cfg(...)` is taken as true).
    pub targets: Vec<String>,
    /// Requested features, `feature` or `member/feature`.
    pub features: Vec<String>,
    /// Every feature of the selected members.
    pub all_features: bool,
    /// The members' `default` feature is not enabled.
    pub no_default_features: bool,
    /// The workspace members the features apply to and the build starts from; empty means
    /// every member (`cargo tree --workspace`).
    pub packages: Vec<String>,
}

impl BuildSelection {
    /// Whether any build flag was given (without one, nothing is resolved: every package of
    /// every platform and feature counts, as before).
    pub fn is_requested(&self) -> bool {
        !self.targets.is_empty()
            || !self.features.is_empty()
            || self.all_features
            || self.no_default_features
            || !self.packages.is_empty()
    }

    /// The targets resolved, by name: the triples, or `every platform`.
    pub fn target_names(&self) -> Vec<String> {
        if self.targets.is_empty() {
            vec![EVERY_PLATFORM.to_string()]
        } else {
            self.targets.clone()
        }
    }

    /// The features in words: `the default features`, `no default features and `a``, ...
    pub fn describe_features(&self) -> String {
        let listed = self
            .features
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let base = if self.all_features {
            "all features"
        } else if self.no_default_features {
            "no default features"
        } else {
            "the default features"
        };
        if listed.is_empty() || self.all_features {
            base.to_string()
        } else {
            format!("{base} and {listed}")
        }
    }

    /// The targets in words: `x86_64-unknown-linux-gnu`, `a or b`, or `any platform`.
    pub fn describe_targets(&self) -> String {
        if self.targets.is_empty() {
            "any platform".to_string()
        } else {
            self.targets.join(" or ")
        }
    }

    /// `x86_64-unknown-linux-gnu with the default features`, for messages.
    pub fn describe(&self) -> String {
        format!(
            "{} with {}",
            self.describe_targets(),
            self.describe_features()
        )
    }

    /// The selection an SBOM records in its `depgate:build:*` properties (`target`,
    /// `features`, `packages`; see [`Self::describe_features`] for the words read back), or
    /// `None` when it records no build.
    pub fn from_recorded(properties: &[(String, String)]) -> Option<BuildSelection> {
        fn value<'p>(
            properties: &'p [(String, String)],
            name: &'static str,
        ) -> impl Iterator<Item = &'p str> {
            properties
                .iter()
                .filter(move |(key, _)| key.strip_prefix("depgate:build:") == Some(name))
                .map(|(_, value)| value.as_str())
        }
        let value = |name: &'static str| value(properties, name);
        let features = value("features").next();
        if features.is_none() && value("target").next().is_none() {
            return None;
        }
        let features = features.unwrap_or("the default features");
        Some(BuildSelection {
            targets: value("target")
                .filter(|target| *target != EVERY_PLATFORM)
                .map(str::to_string)
                .collect(),
            // The listed features are the words between backticks.
            features: features
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect(),
            all_features: features.starts_with("all features"),
            no_default_features: features.starts_with("no default features"),
            packages: value("packages")
                .flat_map(|list| list.split(','))
                .map(str::to_string)
                .collect(),
        })
    }

    /// Whether `other` asks for the same build: the same targets, features and members,
    /// whatever their order, repetition or separators (`a,b` and `b a` are the same).
    pub fn same_build(&self, other: &BuildSelection) -> bool {
        fn set(lists: &[String]) -> BTreeSet<&str> {
            lists
                .iter()
                .flat_map(|list| list.split([',', ' ']))
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .collect()
        }
        let features_agree = if self.all_features || other.all_features {
            // `--all-features` makes the rest moot, as its description says.
            self.all_features == other.all_features
        } else {
            self.no_default_features == other.no_default_features
                && set(&self.features) == set(&other.features)
        };
        features_agree
            && set(&self.targets) == set(&other.targets)
            && set(&self.packages) == set(&other.packages)
    }

    /// [`Self::describe`], with the members the build starts from when some were named.
    pub fn describe_with_packages(&self) -> String {
        if self.packages.is_empty() {
            return self.describe();
        }
        format!(
            "{} from {}",
            self.describe(),
            self.packages
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The name of the pseudo-target used when no `--target` is given.
pub const EVERY_PLATFORM: &str = "every platform";

/// A package's features in one target's build: as compiled for the target, and as compiled
/// for the host (build scripts and proc-macros; resolver 2 keeps the two apart).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledUnits {
    /// Features when compiled for the target, when it is.
    pub target: Option<BTreeSet<String>>,
    /// Features when compiled for the host, when it is.
    pub host: Option<BTreeSet<String>>,
}

/// One step of the chain that pulls a package into a build, from a workspace member down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildStep {
    /// The package that depends on the next one (the first step's is a member).
    pub from: PackageId,
    /// How: `dependency `x``, `build-dependency `x``, with the features that enabled an
    /// optional one (`feature `tls` (enabled by default)`).
    pub how: String,
}

/// What the build says about one package of a resolved lockfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildPackage {
    /// Per target name (see [`BuildSelection::target_names`]) it is compiled for, its units.
    pub targets: BTreeMap<String, CompiledUnits>,
    /// Per target name, the chain from a workspace member (empty for a member itself).
    pub why: BTreeMap<String, Vec<BuildStep>>,
    /// Counted as compiled only because a manifest needed to resolve it was missing.
    pub assumed: bool,
}

impl BuildPackage {
    /// Whether it is compiled for at least one requested target.
    pub fn is_compiled(&self) -> bool {
        !self.targets.is_empty()
    }

    /// Every feature it is compiled with, for any target or the host.
    pub fn all_features(&self) -> BTreeSet<String> {
        self.targets
            .values()
            .flat_map(|units| units.target.iter().chain(units.host.iter()))
            .flatten()
            .cloned()
            .collect()
    }
}

/// The resolved build of the inventory's Cargo lockfiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    /// What was asked for.
    pub selection: BuildSelection,
    /// The platform build scripts and proc-macros are compiled for (the machine depgate runs
    /// on, as cargo does).
    pub host: String,
    /// Every package of every resolved lockfile.
    pub packages: BTreeMap<PackageId, BuildPackage>,
    /// The dependency edges the build uses, for some requested target.
    pub edges: BTreeSet<(PackageId, PackageId)>,
    /// Requested features no selected member of any resolved workspace has (a usage error
    /// once every lockfile of the scan is read: a monorepo's feature may be in one workspace).
    pub missing_features: BTreeSet<String>,
    /// Requested `--package` names that are no member of any resolved workspace.
    pub missing_packages: BTreeSet<String>,
}

impl Build {
    /// Appends another lockfile's build (its ids shifted by `offset`), for monorepos.
    pub fn merge(&mut self, other: Build, offset: usize) {
        let shift = |id: PackageId| PackageId(id.0 + offset);
        if self.host.is_empty() {
            self.host = other.host;
            self.selection = other.selection;
            self.missing_features = other.missing_features;
            self.missing_packages = other.missing_packages;
        } else {
            // Missing only when no workspace has it.
            self.missing_features
                .retain(|feature| other.missing_features.contains(feature));
            self.missing_packages
                .retain(|package| other.missing_packages.contains(package));
        }
        for (id, mut package) in other.packages {
            for steps in package.why.values_mut() {
                for step in steps {
                    step.from = shift(step.from);
                }
            }
            self.packages.insert(shift(id), package);
        }
        self.edges
            .extend(other.edges.into_iter().map(|(a, b)| (shift(a), shift(b))));
    }
}

impl Inventory {
    /// The build's facts about a package: `None` when nothing was resolved for it (no build
    /// requested, or not a Cargo package), so it counts as compiled.
    pub fn build_package(&self, id: PackageId) -> Option<&BuildPackage> {
        self.build.as_ref()?.packages.get(&id)
    }

    /// Whether the package is part of the requested build (always true without one).
    pub fn is_compiled(&self, id: PackageId) -> bool {
        self.build_package(id).is_none_or(BuildPackage::is_compiled)
    }

    /// The inventory of the build alone: the packages compiled for some requested target and
    /// the edges the build uses (packages no build was resolved for, e.g. of other
    /// ecosystems, stay with all their edges). The inventory itself without a build.
    pub fn build_view(&self) -> Inventory {
        let Some(build) = &self.build else {
            return self.clone();
        };
        let kept: Vec<bool> = self
            .packages
            .iter()
            .map(|package| self.is_compiled(package.id))
            .collect();
        let mut view = Inventory::new();
        let mut new_ids = vec![None; self.packages.len()];
        for package in &self.packages {
            if kept[package.id.0] {
                new_ids[package.id.0] = Some(view.add_package(package.clone()));
            }
        }
        let resolved = |id: PackageId| build.packages.contains_key(&id);
        for edge in &self.edges {
            let (Some(from), Some(to)) = (new_ids[edge.from.0], new_ids[edge.to.0]) else {
                continue;
            };
            if resolved(edge.from) && !build.edges.contains(&(edge.from, edge.to)) {
                continue;
            }
            view.add_edge(Edge {
                from,
                to,
                ..edge.clone()
            });
        }
        for root in &self.roots {
            if let Some(id) = new_ids[root.0] {
                view.add_root(id);
            }
        }
        view.inputs = self.inputs.clone();
        view.gaps = self.gaps.clone();
        view.file_hashes = self.file_hashes.clone();
        view.declared_requirements = self
            .declared_requirements
            .iter()
            .filter_map(|requirement| {
                Some(super::DeclaredRequirement {
                    from: new_ids[requirement.from.0]?,
                    ..requirement.clone()
                })
            })
            .collect();
        let mut view_build = Build {
            selection: build.selection.clone(),
            host: build.host.clone(),
            ..Build::default()
        };
        for (id, package) in &build.packages {
            if let Some(new_id) = new_ids[id.0] {
                let mut package = package.clone();
                for steps in package.why.values_mut() {
                    steps.retain_mut(|step| match new_ids[step.from.0] {
                        Some(from) => {
                            step.from = from;
                            true
                        }
                        None => false,
                    });
                }
                view_build.packages.insert(new_id, package);
            }
        }
        for (from, to) in &build.edges {
            if let (Some(from), Some(to)) = (new_ids[from.0], new_ids[to.0]) {
                view_build.edges.insert((from, to));
            }
        }
        view.build = Some(view_build);
        view.finish();
        view
    }

    /// [`Self::build_view`], taking the inventory (no copy without a build).
    pub fn into_build_view(self) -> Inventory {
        if self.build.is_none() {
            return self;
        }
        self.build_view()
    }

    /// How many resolved packages are not compiled for any requested target.
    pub fn not_compiled_count(&self) -> usize {
        self.build.as_ref().map_or(0, |build| {
            build.packages.values().filter(|p| !p.is_compiled()).count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_in_words() {
        let mut selection = BuildSelection {
            targets: vec!["x86_64-unknown-linux-gnu".into()],
            ..BuildSelection::default()
        };
        assert_eq!(
            selection.describe(),
            "x86_64-unknown-linux-gnu with the default features"
        );
        selection.no_default_features = true;
        selection.features = vec!["tls".into()];
        assert_eq!(
            selection.describe_features(),
            "no default features and `tls`"
        );
        selection.all_features = true;
        assert_eq!(selection.describe_features(), "all features");
        assert!(selection.is_requested());
        assert!(!BuildSelection::default().is_requested());
        assert_eq!(
            BuildSelection::default().target_names(),
            vec![EVERY_PLATFORM.to_string()]
        );
    }

    /// The properties `depgate sbom` writes for a selection read back as the same build.
    #[test]
    fn recorded_builds_read_back() {
        let recorded = |selection: &BuildSelection| {
            let mut properties: Vec<(String, String)> = selection
                .target_names()
                .into_iter()
                .map(|t| ("depgate:build:target".to_string(), t))
                .collect();
            properties.push((
                "depgate:build:features".to_string(),
                selection.describe_features(),
            ));
            if !selection.packages.is_empty() {
                properties.push((
                    "depgate:build:packages".to_string(),
                    selection.packages.join(","),
                ));
            }
            BuildSelection::from_recorded(&properties).unwrap()
        };
        let selections = [
            BuildSelection {
                targets: vec![
                    "x86_64-unknown-linux-gnu".into(),
                    "aarch64-apple-darwin".into(),
                ],
                ..BuildSelection::default()
            },
            BuildSelection {
                features: vec!["tls,json".into(), "cli/extra".into()],
                no_default_features: true,
                packages: vec!["cli".into()],
                ..BuildSelection::default()
            },
            BuildSelection {
                all_features: true,
                ..BuildSelection::default()
            },
        ];
        for selection in &selections {
            assert!(recorded(selection).same_build(selection), "{selection:?}");
        }
        // Order and separators do not matter; anything else does.
        let reordered = BuildSelection {
            features: vec!["cli/extra json".into(), "tls".into()],
            no_default_features: true,
            packages: vec!["cli".into()],
            ..BuildSelection::default()
        };
        assert!(reordered.same_build(&selections[1]));
        assert!(!selections[0].same_build(&selections[1]));
        let with_default = BuildSelection {
            no_default_features: false,
            ..reordered.clone()
        };
        assert!(!with_default.same_build(&selections[1]));
        let one_target = BuildSelection {
            targets: vec!["x86_64-unknown-linux-gnu".into()],
            ..BuildSelection::default()
        };
        assert!(!one_target.same_build(&selections[0]));
        assert!(BuildSelection::from_recorded(&[("other".into(), "x".into())]).is_none());
    }
}
