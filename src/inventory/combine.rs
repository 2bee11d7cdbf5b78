//! Several inventories as one, for `depgate sbom merge`: packages with the same purl become
//! one package (hashes and licenses merged, conflicts reported), every input's graph is kept,
//! and each input's subject stays a root.
//!
//! In: inventories with a label each (the input's file name), in the order given. Out: one
//! [`Inventory`] whose roots are the inputs' subjects, plus the [`Conflict`]s met. Pure and
//! deterministic: the same inputs in the same order give the same inventory.

use std::collections::{BTreeMap, HashMap};

use super::{Edge, Inventory, Package, PackageId, PackageKind};

/// Two inputs that disagree about one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The package's purl.
    pub purl: String,
    /// What they disagree about: `license`, `SHA-256`, ...
    pub field: String,
    /// The value kept, and the input it came from.
    pub kept: (String, String),
    /// The value dropped, and the input it came from.
    pub dropped: (String, String),
}

/// Combines `inputs` (label, inventory) into one.
///
/// A package with a purl is added once, the first time its purl is met; later copies add the
/// facts the first lacks (a hash of another algorithm, a license, a description) and report
/// a [`Conflict`] where both state a different value (the first input's is kept). Packages
/// without a purl (local projects, unidentified components) are never merged. Each input's
/// subject is a root of the result: its roots, or when it has none its top-level packages.
pub fn combine(inputs: Vec<(String, Inventory)>) -> (Inventory, Vec<Conflict>) {
    let mut combined = Inventory::new();
    let mut by_purl: HashMap<String, (PackageId, String)> = HashMap::new();
    let mut conflicts = Vec::new();
    for (label, inventory) in inputs {
        let subjects = inventory.subjects();
        let mut map: Vec<PackageId> = Vec::with_capacity(inventory.packages().len());
        for package in inventory.packages() {
            let mut package = package.clone();
            package.roots.clear();
            let existing = package
                .purl
                .as_ref()
                .filter(|_| package.kind == PackageKind::ThirdParty)
                .and_then(|purl| by_purl.get(purl).cloned());
            let id = match existing {
                Some((id, first_label)) => {
                    absorb(
                        combined.package_mut(id),
                        package,
                        &first_label,
                        &label,
                        &mut conflicts,
                    );
                    id
                }
                None => {
                    let purl = package
                        .purl
                        .clone()
                        .filter(|_| package.kind == PackageKind::ThirdParty);
                    let id = combined.add_package(package);
                    if let Some(purl) = purl {
                        by_purl.insert(purl, (id, label.clone()));
                    }
                    id
                }
            };
            map.push(id);
        }
        for edge in inventory.edges() {
            combined.add_edge(Edge {
                from: map[edge.from.0],
                to: map[edge.to.0],
                ..edge.clone()
            });
        }
        for subject in subjects {
            combined.add_root(map[subject.0]);
        }
        for gap in &inventory.gaps {
            combined.add_gap(&gap.kind, gap.message.clone(), gap.packages);
        }
        combined.inputs.extend(inventory.inputs.iter().cloned());
    }
    combined.finish();
    (combined, conflicts)
}

/// Adds what `other` knows and `kept` does not; records where they disagree.
fn absorb(
    kept: &mut Package,
    other: Package,
    kept_label: &str,
    other_label: &str,
    conflicts: &mut Vec<Conflict>,
) {
    let purl = kept.purl.clone().unwrap_or_default();
    let mut conflict = |field: &str, kept_value: &str, dropped_value: &str| {
        conflicts.push(Conflict {
            purl: purl.clone(),
            field: field.to_string(),
            kept: (kept_value.to_string(), kept_label.to_string()),
            dropped: (dropped_value.to_string(), other_label.to_string()),
        });
    };
    let known: BTreeMap<_, String> = kept
        .hashes
        .iter()
        .map(|hash| (hash.algorithm, hash.value.to_ascii_lowercase()))
        .collect();
    for hash in other.hashes {
        match known.get(&hash.algorithm) {
            None => kept.hashes.push(hash),
            Some(value) if *value == hash.value.to_ascii_lowercase() => {}
            Some(value) => conflict(hash.algorithm.as_str(), value, &hash.value),
        }
    }
    match (&kept.license, other.license) {
        (None, license) => kept.license = license,
        (Some(mine), Some(theirs)) if mine.expression.trim() != theirs.expression.trim() => {
            let mine = mine.expression.clone();
            conflict("license", &mine, &theirs.expression);
        }
        _ => {}
    }
    if kept.description.is_none() {
        kept.description = other.description;
    }
    if kept.repository.is_none() {
        kept.repository = other.repository;
    }
    if kept.homepage.is_none() {
        kept.homepage = other.homepage;
    }
    if kept.authors.is_empty() {
        kept.authors = other.authors;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{
        DepKind, Ecosystem, Hash, HashAlgorithm, LicenseInfo, LicenseOrigin, Location,
    };

    fn package(name: &str, purl: Option<&str>, kind: PackageKind) -> Package {
        let location = Location {
            file: "bom.json".into(),
            line: None,
        };
        let mut package = Package::new(Ecosystem::Npm, name, "1.0.0", location);
        package.purl = purl.map(str::to_string);
        package.kind = kind;
        package
    }

    fn input(root: &str, dependency: Package) -> Inventory {
        let mut inventory = Inventory::new();
        let root = inventory.add_package(package(root, None, PackageKind::Root));
        let dependency = inventory.add_package(dependency);
        inventory.add_root(root);
        inventory.add_edge(Edge {
            from: root,
            to: dependency,
            kind: DepKind::Normal,
            optional: false,
        });
        inventory
    }

    fn hash(algorithm: HashAlgorithm, value: &str) -> Hash {
        Hash {
            algorithm,
            value: value.to_string(),
        }
    }

    #[test]
    fn same_purl_is_one_package_with_both_graphs_kept() {
        let purl = "pkg:npm/left-pad@1.0.0";
        let mut first = package("left-pad", Some(purl), PackageKind::ThirdParty);
        first.hashes = vec![hash(HashAlgorithm::Sha1, "aa")];
        let mut second = package("left-pad", Some(purl), PackageKind::ThirdParty);
        second.hashes = vec![
            hash(HashAlgorithm::Sha1, "AA"),
            hash(HashAlgorithm::Sha512, "bb"),
        ];
        second.license = Some(LicenseInfo {
            expression: "WTFPL".into(),
            origin: LicenseOrigin::Sbom,
            confidence: 1.0,
            file: None,
        });
        let (combined, conflicts) = combine(vec![
            ("a.json".into(), input("web", first)),
            ("b.json".into(), input("api", second)),
        ]);
        assert!(conflicts.is_empty(), "{conflicts:?}");
        assert_eq!(combined.packages().len(), 3);
        assert_eq!(combined.roots().len(), 2);
        let shared = combined
            .packages()
            .iter()
            .find(|p| p.name == "left-pad")
            .unwrap();
        assert_eq!(shared.hashes.len(), 2);
        assert_eq!(shared.license_expression(), Some("WTFPL"));
        assert_eq!(shared.roots.len(), 2, "reached from both subjects");
        assert_eq!(combined.edges().len(), 2);
    }

    #[test]
    fn disagreements_are_conflicts_and_the_first_input_wins() {
        let purl = "pkg:npm/x@1.0.0";
        let mut first = package("x", Some(purl), PackageKind::ThirdParty);
        first.hashes = vec![hash(HashAlgorithm::Sha256, "11")];
        let mut second = package("x", Some(purl), PackageKind::ThirdParty);
        second.hashes = vec![hash(HashAlgorithm::Sha256, "22")];
        let (combined, conflicts) = combine(vec![
            ("a.json".into(), input("web", first)),
            ("b.json".into(), input("api", second)),
        ]);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].field, "SHA-256");
        assert_eq!(conflicts[0].kept, ("11".to_string(), "a.json".to_string()));
        let x = combined.packages().iter().find(|p| p.name == "x").unwrap();
        assert_eq!(x.hashes, vec![hash(HashAlgorithm::Sha256, "11")]);
    }

    #[test]
    fn packages_without_purl_and_roots_are_never_merged() {
        let (combined, _) = combine(vec![
            (
                "a.json".into(),
                input("app", package("lib", None, PackageKind::ThirdParty)),
            ),
            (
                "b.json".into(),
                input("app", package("lib", None, PackageKind::ThirdParty)),
            ),
        ]);
        assert_eq!(combined.packages().len(), 4);
        assert_eq!(combined.roots().len(), 2);
    }
}
