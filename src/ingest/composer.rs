//! `composer.lock` (PHP) -> packages, edges and declared licenses (stage 1, ingest).
//!
//! In: the lockfile JSON. Out: a root (the project directory), one package per entry of
//! `packages` (runtime) and `packages-dev` (dev), edges from each package's `require` (platform
//! requirements such as `php` and `ext-*` are not packages), the `license` array as a declared
//! license with origin `lockfile` (several licenses mean a choice: joined with `OR`), the dist
//! SHA-1 `shasum` and the git `source` reference. `path` repositories are local (no purl).
//! The lockfile does not say which packages the root requires: root edges come from the
//! `composer.json` beside it when there is one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::IngestError;
use super::support::{Builder, json_error, location, purl, root_package};
use crate::inventory::{
    Ecosystem, Edge, Hash, HashAlgorithm, Inventory, LicenseInfo, LicenseOrigin, Package,
    PackageKind, Scope, Source,
};
use crate::vocabulary::LineIndex;

/// Packagist, the default Composer repository.
const PACKAGIST: &str = "https://repo.packagist.org";

#[derive(Deserialize)]
struct Lockfile {
    #[serde(default)]
    packages: Vec<LockedPackage>,
    #[serde(rename = "packages-dev", default)]
    packages_dev: Vec<LockedPackage>,
}

#[derive(Deserialize, Default)]
struct Reference {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    shasum: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct LockedPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<Reference>,
    #[serde(default)]
    dist: Option<Reference>,
    #[serde(default)]
    require: BTreeMap<String, String>,
    #[serde(default)]
    license: Vec<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    homepage: Option<String>,
    #[serde(default)]
    notification_url: Option<String>,
}

/// True for `php`, `ext-*`, `lib-*`, `composer-plugin-api` and friends: provided by the
/// platform, not installed packages (every real package name is `vendor/name`).
fn is_platform_requirement(name: &str) -> bool {
    !name.contains('/')
}

/// The license array as one expression: a list in composer.lock means "any of these".
pub(crate) fn license_expression(licenses: &[String]) -> Option<String> {
    let licenses: Vec<&str> = licenses
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    crate::vocabulary::spdx::choice_of(&licenses)
}

/// Parses a `composer.lock`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let lock: Lockfile =
        serde_json::from_str(text).map_err(|e| json_error(path, &e, "invalid lockfile"))?;
    let lines = LineIndex::new(text);
    let mut builder = Builder::default();
    builder.add_root(root_package(Ecosystem::Composer, path, None, ""));
    let mut cursor = 0;
    let mut by_name: BTreeMap<String, crate::inventory::PackageId> = BTreeMap::new();
    let mut entries = Vec::new();
    for (locked, scope) in lock
        .packages
        .iter()
        .map(|p| (p, Scope::Runtime))
        .chain(lock.packages_dev.iter().map(|p| (p, Scope::Dev)))
    {
        // Entries appear in file order, so searching on from the previous one finds this one.
        let needle = format!("\"name\": \"{}\"", locked.name.replace('/', "\\/"));
        let found = lines
            .find(&format!("\"name\": \"{}\"", locked.name), cursor)
            .or_else(|| lines.find(&needle, cursor));
        let line = found.map(|offset| {
            cursor = offset + 1;
            lines.line_of(offset)
        });
        let mut package = Package::new(
            Ecosystem::Composer,
            &locked.name,
            &locked.version,
            location(path, line),
        );
        package.scope = scope;
        package.description = locked.description.clone();
        package.homepage = locked.homepage.clone();
        let dist = locked.dist.as_ref();
        let source = locked.source.as_ref();
        if dist.is_some_and(|d| d.kind == "path") || source.is_some_and(|s| s.kind == "path") {
            // A path repository: a local directory, never a purl.
            package.kind = PackageKind::Local;
            package.source = Source::Path {
                path: dist.or(source).map(|r| r.url.clone()).unwrap_or_default(),
            };
        } else {
            let (vendor, name) = locked
                .name
                .split_once('/')
                .unwrap_or(("", locked.name.as_str()));
            package.purl = purl("composer", Some(vendor), name, &locked.version, &[]);
            let from_packagist = locked
                .notification_url
                .as_deref()
                .is_some_and(|u| u.contains("packagist.org"));
            package.source = match source {
                Some(git) if git.kind == "git" && !from_packagist => Source::Git {
                    url: git.url.clone(),
                    commit: git.reference.clone(),
                    reference: None,
                },
                _ => Source::Registry {
                    url: PACKAGIST.to_string(),
                    default: true,
                },
            };
            if let Some(git) = source.filter(|s| s.kind == "git") {
                package.repository = Some(git.url.clone());
            }
        }
        if let Some(shasum) = dist
            .and_then(|d| d.shasum.as_deref())
            .filter(|s| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            package.hashes.push(Hash {
                algorithm: HashAlgorithm::Sha1,
                value: shasum.to_ascii_lowercase(),
            });
        }
        if let Some(expression) = license_expression(&locked.license) {
            package.license = Some(LicenseInfo {
                expression,
                origin: LicenseOrigin::Lockfile,
                confidence: 1.0,
                file: Some(path.to_path_buf()),
            });
        }
        let (id, _) = builder.add(format!("{}@{}", locked.name, locked.version), package);
        by_name
            .entry(locked.name.to_ascii_lowercase())
            .or_insert(id);
        entries.push((locked, id));
    }
    for (locked, from) in entries {
        for dependency in locked.require.keys() {
            if is_platform_requirement(dependency) {
                continue;
            }
            if let Some(to) = by_name.get(&dependency.to_ascii_lowercase()) {
                builder.inventory.add_edge(Edge::normal(from, *to));
            }
        }
    }
    let mut inventory = builder.inventory;
    super::manifests::composer_roots(path, &mut inventory);
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_licenses_are_a_choice() {
        assert_eq!(
            license_expression(&["MIT".into(), "Apache-2.0".into()]).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(license_expression(&["MIT".into()]).as_deref(), Some("MIT"));
        assert_eq!(license_expression(&[]), None);
    }
}
