//! Inventory stage, drift: what changed between two inventories (a pure comparison).
//!
//! In: the old and new [`Inventory`], a version ordering and, optionally, the advisories that
//! affect each side. Out: an [`InventoryDiff`]: packages added, removed, upgraded, downgraded
//! (or changed, when the ordering cannot tell), license changes, source changes, and
//! advisories newly affecting or no longer affecting. Packages are matched by ecosystem and
//! name; project roots (workspace members, an SBOM's subject) are left out, since their own
//! version bumps are not dependency drift. No I/O.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Ecosystem, Inventory, Package, PackageKind};

/// Compares two versions of a package in an ecosystem; `None` when they cannot be ordered.
///
/// This is the hook for per-ecosystem ordering (PEP 440, Go, Maven, RubyGems ...): pass a
/// better function in [`DiffOptions::version_order`] when one exists.
pub type VersionOrder = fn(&Ecosystem, &str, &str) -> Option<Ordering>;

/// An advisory that affects a package version on one side (input to the advisory comparison).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AdvisoryHit {
    /// Ecosystem (purl type spelling).
    pub ecosystem: String,
    /// Package name.
    pub name: String,
    /// The affected version.
    pub version: String,
    /// Advisory id (`RUSTSEC-…`, `GHSA-…`).
    pub id: String,
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Version ordering; [`compare_versions`] by default.
    pub version_order: VersionOrder,
    /// Advisories affecting the old side, when advisory matching ran.
    pub old_advisories: Option<Vec<AdvisoryHit>>,
    /// Advisories affecting the new side, when advisory matching ran.
    pub new_advisories: Option<Vec<AdvisoryHit>>,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            version_order: compare_versions,
            old_advisories: None,
            new_advisories: None,
        }
    }
}

/// A package on one side.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageEntry {
    /// Ecosystem (purl type spelling).
    pub ecosystem: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Declared license expression, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// A package whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VersionChange {
    /// Ecosystem (purl type spelling).
    pub ecosystem: String,
    /// Name.
    pub name: String,
    /// Old version.
    pub from: String,
    /// New version.
    pub to: String,
}

/// A value that changed for a package present on both sides (license or source).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FieldChange {
    /// Ecosystem (purl type spelling).
    pub ecosystem: String,
    /// Name.
    pub name: String,
    /// The new version (equal to the old one unless it was also upgraded or downgraded).
    pub version: String,
    /// Old value (`None`: not known on the old side).
    pub from: Option<String>,
    /// New value.
    pub to: Option<String>,
}

/// Everything that changed between two inventories, each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InventoryDiff {
    /// Packages only on the new side.
    pub added: Vec<PackageEntry>,
    /// Packages only on the old side.
    pub removed: Vec<PackageEntry>,
    /// Version went up.
    pub upgraded: Vec<VersionChange>,
    /// Version went down.
    pub downgraded: Vec<VersionChange>,
    /// Version changed but the two versions cannot be ordered.
    pub changed: Vec<VersionChange>,
    /// Declared license changed.
    pub license_changes: Vec<FieldChange>,
    /// Source (registry, git, path) changed.
    pub source_changes: Vec<FieldChange>,
    /// Advisories affecting the new side but not the old one (`None`: not compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisories_new: Option<Vec<AdvisoryHit>>,
    /// Advisories affecting the old side but no longer the new one (`None`: not compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisories_resolved: Option<Vec<AdvisoryHit>>,
    /// Packages compared on each side (old, new), after leaving out roots and duplicates
    /// (reported in the JSON `summary`).
    #[serde(skip)]
    pub counts: (usize, usize),
}

impl InventoryDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
            && self.changed.is_empty()
            && self.license_changes.is_empty()
            && self.source_changes.is_empty()
            && self.advisories_new.as_ref().is_none_or(Vec::is_empty)
            && self.advisories_resolved.as_ref().is_none_or(Vec::is_empty)
    }
}

type Versions<'a> = BTreeMap<String, &'a Package>;

/// Packages grouped by (ecosystem, name), one entry per distinct version.
fn group(inventory: &Inventory) -> BTreeMap<(Ecosystem, String), Versions<'_>> {
    let mut groups: BTreeMap<(Ecosystem, String), Versions<'_>> = BTreeMap::new();
    for package in inventory.packages() {
        if package.kind == PackageKind::Root {
            continue;
        }
        groups
            .entry((package.ecosystem.clone(), package.name.clone()))
            .or_default()
            // The first occurrence wins (monorepos list a package once per lockfile).
            .entry(package.version.clone())
            .or_insert(package);
    }
    groups
}

fn entry(package: &Package) -> PackageEntry {
    PackageEntry {
        ecosystem: package.ecosystem.to_string(),
        name: package.name.clone(),
        version: package.version.clone(),
        license: package.license_expression().map(str::to_string),
    }
}

/// Compares two inventories.
pub fn diff_inventories(old: &Inventory, new: &Inventory, options: &DiffOptions) -> InventoryDiff {
    let old_groups = group(old);
    let new_groups = group(new);
    let mut diff = InventoryDiff {
        counts: (
            old_groups.values().map(BTreeMap::len).sum(),
            new_groups.values().map(BTreeMap::len).sum(),
        ),
        ..InventoryDiff::default()
    };
    let empty = Versions::new();
    let keys: BTreeSet<&(Ecosystem, String)> = old_groups.keys().chain(new_groups.keys()).collect();
    for key in keys {
        let (ecosystem, name) = key;
        let before = old_groups.get(key).unwrap_or(&empty);
        let after = new_groups.get(key).unwrap_or(&empty);
        let order =
            |a: &str, b: &str| (options.version_order)(ecosystem, a, b).unwrap_or_else(|| a.cmp(b));
        let mut only_old: Vec<&Package> = before
            .iter()
            .filter(|(version, _)| !after.contains_key(*version))
            .map(|(_, package)| *package)
            .collect();
        let mut only_new: Vec<&Package> = after
            .iter()
            .filter(|(version, _)| !before.contains_key(*version))
            .map(|(_, package)| *package)
            .collect();
        only_old.sort_by(|a, b| order(&a.version, &b.version));
        only_new.sort_by(|a, b| order(&a.version, &b.version));

        // Pairs of the same package on both sides: same version, then the version-changed ones
        // matched in version order (old 0.1.5, 0.2.3 and new 0.1.6, 0.2.4 give two upgrades).
        let mut pairs: Vec<(&Package, &Package)> = before
            .iter()
            .filter_map(|(version, package)| after.get(version).map(|other| (*package, *other)))
            .collect();
        // Pair each changed old version with the new version sharing the longest prefix of
        // dot-separated parts (`0.8.4` goes to `0.8.5` rather than to a new `0.9.0` that sits
        // beside it); what stays unpaired was added or removed.
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for (old_index, from) in only_old.iter().enumerate() {
            for (new_index, to) in only_new.iter().enumerate() {
                candidates.push((
                    common_prefix(&from.version, &to.version),
                    old_index,
                    new_index,
                ));
            }
        }
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        let mut old_taken = vec![false; only_old.len()];
        let mut new_taken = vec![false; only_new.len()];
        for (_, old_index, new_index) in candidates {
            if old_taken[old_index] || new_taken[new_index] {
                continue;
            }
            old_taken[old_index] = true;
            new_taken[new_index] = true;
            let (from, to) = (only_old[old_index], only_new[new_index]);
            let change = VersionChange {
                ecosystem: ecosystem.to_string(),
                name: name.clone(),
                from: from.version.clone(),
                to: to.version.clone(),
            };
            match (options.version_order)(ecosystem, &from.version, &to.version) {
                Some(Ordering::Less) => diff.upgraded.push(change),
                Some(Ordering::Greater) => diff.downgraded.push(change),
                _ => diff.changed.push(change),
            }
            pairs.push((from, to));
        }
        diff.removed.extend(
            only_old
                .iter()
                .zip(&old_taken)
                .filter(|(_, taken)| !**taken)
                .map(|(p, _)| entry(p)),
        );
        diff.added.extend(
            only_new
                .iter()
                .zip(&new_taken)
                .filter(|(_, taken)| !**taken)
                .map(|(p, _)| entry(p)),
        );

        for (from, to) in pairs {
            let license = (from.license_expression(), to.license_expression());
            if license.0 != license.1 {
                diff.license_changes.push(FieldChange {
                    ecosystem: ecosystem.to_string(),
                    name: name.clone(),
                    version: to.version.clone(),
                    from: license.0.map(str::to_string),
                    to: license.1.map(str::to_string),
                });
            }
            // Only a source both sides state counts: an SBOM that does not say where a
            // package came from is not a source change.
            let known = |package: &Package| {
                (package.source != super::Source::Unknown).then(|| package.source.display())
            };
            if let (Some(old_source), Some(new_source)) = (known(from), known(to))
                && old_source != new_source
            {
                diff.source_changes.push(FieldChange {
                    ecosystem: ecosystem.to_string(),
                    name: name.clone(),
                    version: to.version.clone(),
                    from: Some(old_source),
                    to: Some(new_source),
                });
            }
        }
    }

    if let (Some(old_hits), Some(new_hits)) = (&options.old_advisories, &options.new_advisories) {
        // An advisory is identified per package name, not version: an upgrade that is still
        // affected is not "new".
        let identity =
            |hit: &AdvisoryHit| (hit.ecosystem.clone(), hit.name.clone(), hit.id.clone());
        let old_ids: BTreeSet<_> = old_hits.iter().map(identity).collect();
        let new_ids: BTreeSet<_> = new_hits.iter().map(identity).collect();
        let mut fresh: Vec<AdvisoryHit> = new_hits
            .iter()
            .filter(|hit| !old_ids.contains(&identity(hit)))
            .cloned()
            .collect();
        let mut resolved: Vec<AdvisoryHit> = old_hits
            .iter()
            .filter(|hit| !new_ids.contains(&identity(hit)))
            .cloned()
            .collect();
        fresh.sort();
        fresh.dedup();
        resolved.sort();
        resolved.dedup();
        diff.advisories_new = Some(fresh);
        diff.advisories_resolved = Some(resolved);
    }

    diff.added.sort();
    diff.removed.sort();
    diff.upgraded.sort();
    diff.downgraded.sort();
    diff.changed.sort();
    diff.license_changes.sort();
    diff.source_changes.sort();
    diff
}

/// How many leading dot-separated parts two versions share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.split(['.', '-', '+'])
        .zip(b.split(['.', '-', '+']))
        .take_while(|(x, y)| x == y)
        .count()
}

/// The default version ordering: SemVer for Cargo and npm (a leading `v` or `=` tolerated),
/// and [`generic_version_order`] for every other ecosystem or an unparsable version.
pub fn compare_versions(ecosystem: &Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    if matches!(ecosystem, Ecosystem::Cargo | Ecosystem::Npm) {
        let parse = |v: &str| semver::Version::parse(v.trim().trim_start_matches(['v', '=']));
        if let (Ok(a), Ok(b)) = (parse(a), parse(b)) {
            // SemVer ignores build metadata for precedence; fall back to it only to break ties.
            return Some(a.cmp_precedence(&b).then_with(|| a.build.cmp(&b.build)));
        }
    }
    generic_version_order(a, b)
}

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Number(u128),
    Word(&'a str),
}

fn tokens(version: &str) -> Vec<Token<'_>> {
    let version = version.trim().trim_start_matches(['v', 'V']);
    let mut tokens = Vec::new();
    let bytes = version.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_alphanumeric() {
            start += 1;
            continue;
        }
        let digit = bytes[start].is_ascii_digit();
        let mut end = start;
        while end < bytes.len()
            && bytes[end].is_ascii_alphanumeric()
            && bytes[end].is_ascii_digit() == digit
        {
            end += 1;
        }
        let text = &version[start..end];
        tokens.push(if digit {
            // Absurdly long numbers compare as words rather than overflow.
            text.parse().map_or(Token::Word(text), Token::Number)
        } else {
            Token::Word(text)
        });
        start = end;
    }
    tokens
}

/// A generic ordering for versions of unknown scheme: numeric runs compare as numbers, letter
/// runs as (case-insensitive) text, separators are ignored, and a trailing letter run after a
/// common prefix marks a pre-release (`1.0rc1 < 1.0 < 1.0.1`). Equal token lists are `Equal`.
pub fn generic_version_order(a: &str, b: &str) -> Option<Ordering> {
    let (left, right) = (tokens(a), tokens(b));
    for index in 0..left.len().max(right.len()) {
        let ordering = match (left.get(index), right.get(index)) {
            (Some(Token::Number(x)), Some(Token::Number(y))) => x.cmp(y),
            (Some(Token::Word(x)), Some(Token::Word(y))) => {
                x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase())
            }
            // A number after the common prefix sorts above a word (`1.0.1` > `1.0rc1`).
            (Some(Token::Number(_)), Some(Token::Word(_))) => Ordering::Greater,
            (Some(Token::Word(_)), Some(Token::Number(_))) => Ordering::Less,
            // The longer one is newer if it continues with a number, older with a word.
            (Some(Token::Number(_)), None) => Ordering::Greater,
            (Some(Token::Word(_)), None) => Ordering::Less,
            (None, Some(Token::Number(_))) => Ordering::Less,
            (None, Some(Token::Word(_))) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if ordering != Ordering::Equal {
            return Some(ordering);
        }
    }
    Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::inventory::{LicenseInfo, LicenseOrigin, Location, Source};

    fn package(ecosystem: Ecosystem, name: &str, version: &str, license: Option<&str>) -> Package {
        let mut package = Package::new(
            ecosystem,
            name,
            version,
            Location {
                file: PathBuf::from("Cargo.lock"),
                line: None,
            },
        );
        package.source = Source::Registry {
            url: "https://github.com/rust-lang/crates.io-index".into(),
            default: true,
        };
        package.license = license.map(|expression| LicenseInfo {
            expression: expression.into(),
            origin: LicenseOrigin::Manifest,
            confidence: 1.0,
            file: None,
        });
        package
    }

    fn inventory(packages: Vec<Package>) -> Inventory {
        let mut inventory = Inventory::new();
        let mut root = package(Ecosystem::Cargo, "app", "1.0.0", None);
        root.kind = PackageKind::Root;
        inventory.add_package(root);
        for package in packages {
            inventory.add_package(package);
        }
        inventory
    }

    #[test]
    fn added_removed_upgraded_downgraded() {
        let old = inventory(vec![
            package(
                Ecosystem::Cargo,
                "serde",
                "1.0.100",
                Some("MIT OR Apache-2.0"),
            ),
            package(
                Ecosystem::Cargo,
                "memchr",
                "2.5.0",
                Some("Unlicense OR MIT"),
            ),
            package(Ecosystem::Cargo, "gone", "0.1.0", None),
            package(Ecosystem::Npm, "left-pad", "1.3.0", Some("WTFPL")),
        ]);
        let mut new_root_bump = inventory(vec![
            package(
                Ecosystem::Cargo,
                "serde",
                "1.0.200",
                Some("MIT OR Apache-2.0"),
            ),
            package(
                Ecosystem::Cargo,
                "memchr",
                "2.4.1",
                Some("Unlicense OR MIT"),
            ),
            package(Ecosystem::Cargo, "fresh", "0.3.0", Some("MIT")),
            package(Ecosystem::Npm, "left-pad", "1.3.0", Some("MIT")),
        ]);
        new_root_bump
            .package_mut(crate::inventory::PackageId(0))
            .version = "2.0.0".into();
        let diff = diff_inventories(&old, &new_root_bump, &DiffOptions::default());
        assert_eq!(
            diff.added
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["fresh"]
        );
        assert_eq!(
            diff.removed
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["gone"]
        );
        assert_eq!(diff.upgraded.len(), 1);
        assert_eq!(
            (diff.upgraded[0].from.as_str(), diff.upgraded[0].to.as_str()),
            ("1.0.100", "1.0.200")
        );
        assert_eq!(diff.downgraded[0].name, "memchr");
        assert_eq!(diff.license_changes.len(), 1);
        assert_eq!(diff.license_changes[0].name, "left-pad");
        assert_eq!(diff.license_changes[0].from.as_deref(), Some("WTFPL"));
        assert!(diff.changed.is_empty(), "the root's bump is not drift");
        assert_eq!(diff.counts, (4, 4));
        assert!(diff.advisories_new.is_none());
    }

    #[test]
    fn several_versions_pair_in_order() {
        let old = inventory(vec![
            package(Ecosystem::Cargo, "rand", "0.7.3", None),
            package(Ecosystem::Cargo, "rand", "0.8.4", None),
        ]);
        let new = inventory(vec![
            package(Ecosystem::Cargo, "rand", "0.7.3", None),
            package(Ecosystem::Cargo, "rand", "0.8.5", None),
            package(Ecosystem::Cargo, "rand", "0.9.0", None),
        ]);
        let diff = diff_inventories(&old, &new, &DiffOptions::default());
        assert_eq!(diff.upgraded.len(), 1);
        assert_eq!(diff.upgraded[0].from, "0.8.4");
        assert_eq!(diff.upgraded[0].to, "0.8.5");
        assert_eq!(diff.added[0].version, "0.9.0");
        assert!(diff.removed.is_empty());
    }

    #[test]
    fn source_change_and_identical_inventories() {
        let old = inventory(vec![package(Ecosystem::Cargo, "foo", "1.0.0", None)]);
        let mut moved = package(Ecosystem::Cargo, "foo", "1.0.0", None);
        moved.source = Source::Git {
            url: "https://github.com/someone/foo".into(),
            commit: Some("abc".into()),
            reference: None,
        };
        let new = inventory(vec![moved]);
        let diff = diff_inventories(&old, &new, &DiffOptions::default());
        assert_eq!(diff.source_changes.len(), 1);
        assert!(
            diff.source_changes[0]
                .to
                .as_deref()
                .unwrap()
                .starts_with("git+")
        );
        assert!(diff_inventories(&old, &old, &DiffOptions::default()).is_empty());
    }

    #[test]
    fn advisories_new_and_resolved_ignore_version() {
        let hit = |name: &str, version: &str, id: &str| AdvisoryHit {
            ecosystem: "cargo".into(),
            name: name.into(),
            version: version.into(),
            id: id.into(),
        };
        let options = DiffOptions {
            old_advisories: Some(vec![
                hit("smallvec", "1.6.0", "RUSTSEC-2021-0003"),
                hit("time", "0.1.40", "RUSTSEC-2020-0071"),
            ]),
            new_advisories: Some(vec![
                hit("smallvec", "1.6.0-fork", "RUSTSEC-2021-0003"),
                hit("openssl", "0.10.0", "RUSTSEC-2023-0044"),
            ]),
            ..DiffOptions::default()
        };
        let empty = inventory(Vec::new());
        let diff = diff_inventories(&empty, &empty, &options);
        assert_eq!(
            diff.advisories_new.unwrap(),
            [hit("openssl", "0.10.0", "RUSTSEC-2023-0044")]
        );
        assert_eq!(
            diff.advisories_resolved.unwrap(),
            [hit("time", "0.1.40", "RUSTSEC-2020-0071")]
        );
    }

    #[test]
    fn version_orderings() {
        let cargo = Ecosystem::Cargo;
        assert_eq!(
            compare_versions(&cargo, "1.0.0-alpha", "1.0.0"),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_versions(&cargo, "0.10.0", "0.9.9"),
            Some(Ordering::Greater)
        );
        let go = Ecosystem::Go;
        assert_eq!(
            compare_versions(&go, "v1.10.0", "v1.9.3"),
            Some(Ordering::Greater)
        );
        assert_eq!(generic_version_order("1.0rc1", "1.0"), Some(Ordering::Less));
        assert_eq!(generic_version_order("1.0", "1.0.1"), Some(Ordering::Less));
        assert_eq!(
            generic_version_order("2.0.0.Final", "2.0.0.final"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            generic_version_order("1.2-b", "1.2-a"),
            Some(Ordering::Greater)
        );
    }
}
