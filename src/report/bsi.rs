//! Stage 5, report: the facts BSI TR-03183-2 v2.1.0 asks of every component, derived from the
//! inventory for the `bsi-tr-03183-2` profile — and what cannot be derived, counted.
//!
//! In: `&Inventory` and [`DocumentInfo`]. Out: per package a [`ComponentFacts`] (creator
//! contact, file name of the downloaded artefact, SHA-512, executable/archive/structured), the
//! graph's completeness, and the list of fields some components lack ([`missing_fields`]). Pure:
//! the SHA-512 of a cached artefact is added by `enrich::artifacts` before this runs.

use crate::inventory::{Ecosystem, HashAlgorithm, Inventory, Package, Source};

use super::sbom_common::{
    ArtifactKind, DocumentInfo, DocumentOrigin, Party, absolute_url, is_valid_hash,
};

/// What depgate knows of one component for the BSI profile. `None` means "not known", never a
/// guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentFacts {
    /// Who made the component, with an e-mail address or URL.
    pub creator: Option<Party>,
    /// The downloaded artefact's file name (`serde-1.0.0.crate`).
    pub filename: Option<String>,
    /// Lowercase hex SHA-512 of that artefact.
    pub sha512: Option<String>,
    /// Executable, archive, structured.
    pub kind: Option<ArtifactKind>,
}

/// How complete a component's list of dependencies is (CycloneDX `compositions.aggregate`,
/// SPDX 3 `completeness`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Every dependency is listed: depgate read the package's whole entry in a lockfile.
    Complete,
    /// Some dependency could not be resolved.
    Incomplete,
    /// Converted from another SBOM: depgate cannot vouch for it.
    Unknown,
}

/// Registry packages are distributed as compressed archives of their sources: structured, not
/// executable as they are.
const SOURCE_ARCHIVE: ArtifactKind = ArtifactKind {
    executable: false,
    archive: true,
    structured: true,
};

/// The file name a registry serves the package's artefact as, where the ecosystem fixes it
/// (from name and version alone). PyPI (wheel or sdist, tags), Maven (packaging) and
/// Composer (dist URLs) do not, so they get none.
pub fn artefact_filename(package: &Package) -> Option<String> {
    if !matches!(package.source, Source::Registry { .. }) || package.version.is_empty() {
        return None;
    }
    let (name, version) = (&package.name, &package.version);
    match package.ecosystem {
        Ecosystem::Cargo => Some(format!("{name}-{version}.crate")),
        // A scoped package's tarball drops the scope: `@babel/core` -> `core-7.0.0.tgz`.
        Ecosystem::Npm => {
            let base = name.rsplit('/').next().unwrap_or(name);
            Some(format!("{base}-{version}.tgz"))
        }
        Ecosystem::RubyGems => Some(format!("{name}-{version}.gem")),
        Ecosystem::NuGet => Some(format!(
            "{}.{}.nupkg",
            name.to_lowercase(),
            version.to_lowercase()
        )),
        // The module proxy serves `<module>/@v/<version>.zip`.
        Ecosystem::Go => Some(format!("{version}.zip")),
        Ecosystem::PyPI | Ecosystem::Maven | Ecosystem::Composer | Ecosystem::Other(_) => None,
    }
}

/// The component's creator: the first author with an e-mail address, else the repository
/// URL, else the homepage — the manifest's own words, nothing looked up or made up.
pub fn creator(package: &Package) -> Option<Party> {
    if let Some(author) = package
        .authors
        .iter()
        .filter_map(|author| Party::parse(author))
        .find(Party::has_contact)
    {
        return Some(author);
    }
    [&package.repository, &package.homepage]
        .into_iter()
        .flatten()
        .filter_map(|url| absolute_url(url))
        .find(|url| url.starts_with("https://") || url.starts_with("http://"))
        .map(|url| Party {
            name: url.to_string(),
            email: None,
            url: Some(url.to_string()),
        })
}

/// The valid SHA-512 among the package's hashes, lowercase.
pub fn sha512(package: &Package) -> Option<String> {
    package
        .hashes
        .iter()
        .find(|hash| {
            hash.algorithm == HashAlgorithm::Sha512 && is_valid_hash(hash.algorithm, &hash.value)
        })
        .map(|hash| hash.value.to_ascii_lowercase())
}

/// Everything the profile says of one package.
pub fn component_facts(package: &Package) -> ComponentFacts {
    let filename = artefact_filename(package);
    ComponentFacts {
        creator: creator(package),
        kind: filename.as_ref().map(|_| SOURCE_ARCHIVE),
        filename,
        sha512: sha512(package),
    }
}

/// The completeness of every component's dependency list in this document.
pub fn completeness(inventory: &Inventory, info: &DocumentInfo) -> Completeness {
    match info.origin {
        DocumentOrigin::Converted => Completeness::Unknown,
        DocumentOrigin::Scanned
            if inventory
                .gaps
                .iter()
                .any(|gap| gap.kind == "edge-unresolved") =>
        {
            Completeness::Incomplete
        }
        DocumentOrigin::Scanned => Completeness::Complete,
    }
}

/// A required field some components lack: what BSI calls it and how many lack it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingField {
    /// The field, in BSI TR-03183-2's words.
    pub field: &'static str,
    /// Components without it.
    pub components: usize,
    /// Why depgate cannot fill it.
    pub reason: &'static str,
}

/// The required fields depgate could not fill, with the number of components lacking each
/// (the product's own root, described by `--artifact`, is counted only when no artifact was
/// given). Also the document-level creator contact when none was given.
pub fn missing_fields(inventory: &Inventory, info: &DocumentInfo) -> Vec<MissingField> {
    let mut missing = Vec::new();
    let mut count = |field: &'static str, components: usize, reason: &'static str| {
        if components > 0 {
            missing.push(MissingField {
                field,
                components,
                reason,
            });
        }
    };
    if !info.creator.as_ref().is_some_and(Party::has_contact) {
        count(
            "SBOM creator (e-mail or URL)",
            1,
            "give `--creator \"Name <email>\"` or `[sbom] creator` in the policy",
        );
    }
    let dependencies: Vec<&Package> = inventory
        .packages()
        .iter()
        .filter(|package| !super::sbom_common::is_root_like(inventory, package.id))
        .collect();
    let facts: Vec<ComponentFacts> = dependencies.iter().map(|p| component_facts(p)).collect();
    count(
        "component creator (e-mail or URL)",
        facts.iter().filter(|f| f.creator.is_none()).count(),
        "no author e-mail, repository or homepage URL in the lockfile or manifest",
    );
    count(
        "filename",
        facts.iter().filter(|f| f.filename.is_none()).count(),
        "the ecosystem does not fix the artefact's file name, or the package is not from a registry",
    );
    count(
        "hash (SHA-512) of the deployable component",
        facts.iter().filter(|f| f.sha512.is_none()).count(),
        "neither the lockfile nor the registry gives one and the artefact is not cached on this machine",
    );
    count(
        "executable, archive and structured properties",
        facts.iter().filter(|f| f.kind.is_none()).count(),
        "the artefact's form is not known",
    );
    count(
        "distribution licences",
        dependencies.iter().filter(|p| p.license.is_none()).count(),
        "no license declared or detected",
    );
    if info.artifact.is_none() {
        count(
            "hash (SHA-512) of the product",
            1,
            "give `--artifact FILE` (the deployable product) to hash it",
        );
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Location;

    fn registry_package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
        let location = Location {
            file: "lockfile".into(),
            line: None,
        };
        let mut package = Package::new(ecosystem, name, version, location);
        package.source = Source::Registry {
            url: "https://example.org/".into(),
            default: true,
        };
        package
    }

    #[test]
    fn filenames_follow_each_registry() {
        let names = [
            (
                Ecosystem::Cargo,
                "serde",
                "1.0.0",
                Some("serde-1.0.0.crate"),
            ),
            (
                Ecosystem::Npm,
                "lodash",
                "4.17.21",
                Some("lodash-4.17.21.tgz"),
            ),
            (
                Ecosystem::Npm,
                "@babel/core",
                "7.0.0",
                Some("core-7.0.0.tgz"),
            ),
            (
                Ecosystem::NuGet,
                "Newtonsoft.Json",
                "13.0.1",
                Some("newtonsoft.json.13.0.1.nupkg"),
            ),
            (Ecosystem::PyPI, "requests", "2.0.0", None),
        ];
        for (ecosystem, name, version, expected) in names {
            let package = registry_package(ecosystem, name, version);
            assert_eq!(artefact_filename(&package).as_deref(), expected, "{name}");
        }
        let mut local = registry_package(Ecosystem::Cargo, "app", "0.1.0");
        local.source = Source::Path { path: ".".into() };
        assert_eq!(artefact_filename(&local), None);
    }

    #[test]
    fn creator_prefers_an_author_email_then_the_repository() {
        let mut package = registry_package(Ecosystem::Cargo, "serde", "1.0.0");
        assert_eq!(creator(&package), None);
        package.repository = Some("https://github.com/serde-rs/serde".into());
        package.authors = vec!["Erick Tryzelaar".into()];
        assert_eq!(
            creator(&package).and_then(|p| p.url).as_deref(),
            Some("https://github.com/serde-rs/serde")
        );
        package
            .authors
            .push("David Tolnay <dtolnay@gmail.com>".into());
        let found = creator(&package).unwrap();
        assert_eq!(found.name, "David Tolnay");
        assert_eq!(found.email.as_deref(), Some("dtolnay@gmail.com"));
    }
}
