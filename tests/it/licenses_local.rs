//! Local license metadata providers, each against a fixture directory (never the machine's).

use std::path::PathBuf;

use depgate::enrich::licenses::{LocalPaths, ProviderOptions, enrich_licenses};
use depgate::inventory::{Ecosystem, Inventory, LicenseOrigin, Location, Package};

use crate::common::fixture;

fn inventory_of(packages: &[(Ecosystem, &str, &str)]) -> Inventory {
    let mut inventory = Inventory::new();
    for (ecosystem, name, version) in packages {
        inventory.add_package(Package::new(
            ecosystem.clone(),
            *name,
            *version,
            Location {
                file: PathBuf::from("lockfile"),
                line: None,
            },
        ));
    }
    inventory
}

fn license_of<'a>(
    inventory: &'a Inventory,
    name: &str,
) -> Option<&'a depgate::inventory::LicenseInfo> {
    inventory
        .packages()
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.license.as_ref())
}

/// Paths as `LocalPaths::discover` finds them for the fixture project, with a fake environment.
fn fixture_paths() -> LocalPaths {
    let project = fixture("licenses/project");
    let go = fixture("licenses/gomodcache");
    let m2 = fixture("licenses/m2");
    LocalPaths::discover(&project, |name| match name {
        "GOMODCACHE" => Some(go.to_string_lossy().into_owned()),
        "DEPGATE_MAVEN_REPOSITORY" => Some(m2.to_string_lossy().into_owned()),
        // No HOME: nothing from the real machine may leak in.
        _ => None,
    })
}

#[test]
fn discover_finds_every_fixture_location() {
    let paths = fixture_paths();
    assert_eq!(paths.site_packages.len(), 1);
    assert!(paths.site_packages[0].ends_with(".venv/lib/python3.12/site-packages"));
    assert_eq!(paths.node_modules.len(), 1);
    assert!(paths.go_mod_cache.is_some());
    assert!(paths.maven_repository.is_some());
    assert_eq!(paths.providers().len(), 4);
}

#[test]
fn python_metadata_expression_classifiers_and_license_field() {
    let mut inventory = inventory_of(&[
        (Ecosystem::PyPI, "requests", "2.31.0"),
        (Ecosystem::PyPI, "typing-extensions", "4.13.2"),
        (Ecosystem::PyPI, "zope-interface", "6.1"),
        (Ecosystem::PyPI, "mystery", "1.0"),
        (Ecosystem::PyPI, "requests", "9.9.9"),
    ]);
    let summary = enrich_licenses(
        &mut inventory,
        &fixture_paths().providers(),
        &ProviderOptions::default(),
    );
    let typing = license_of(&inventory, "typing-extensions").unwrap();
    assert_eq!(typing.expression, "PSF-2.0");
    assert_eq!(typing.confidence, 1.0);
    assert_eq!(typing.origin, LicenseOrigin::Manifest);
    assert!(
        typing
            .file
            .as_ref()
            .unwrap()
            .ends_with("typing_extensions-4.13.2.dist-info/METADATA")
    );
    // Classifier "Apache Software License" names no version: a lower confidence.
    let requests = license_of(&inventory, "requests").unwrap();
    assert_eq!(requests.expression, "Apache-2.0");
    assert!(requests.confidence < 1.0);
    assert_eq!(
        license_of(&inventory, "zope-interface").unwrap().expression,
        "ZPL-2.1"
    );
    // A license text pasted into `License:` is not a name: unknown, and said so.
    assert!(license_of(&inventory, "mystery").is_none());
    assert_eq!(summary.found, 3);
    assert_eq!(summary.unknown, 2);
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "license-unknown")
        .unwrap();
    assert_eq!(gap.packages, 2);
}

#[test]
fn node_modules_license_field_object_and_legacy_array() {
    let mut inventory = inventory_of(&[
        (Ecosystem::Npm, "left-pad", "1.3.0"),
        (Ecosystem::Npm, "@scope/pkg", "2.0.0"),
        (Ecosystem::Npm, "legacy", "0.1.0"),
        (Ecosystem::Npm, "other-version", "1.0.0"),
    ]);
    enrich_licenses(
        &mut inventory,
        &fixture_paths().providers(),
        &ProviderOptions::default(),
    );
    assert_eq!(
        license_of(&inventory, "left-pad").unwrap().expression,
        "WTFPL"
    );
    assert_eq!(
        license_of(&inventory, "@scope/pkg").unwrap().expression,
        "ISC"
    );
    assert_eq!(
        license_of(&inventory, "legacy").unwrap().expression,
        "MIT OR Apache-2.0"
    );
    // The installed copy is another version: it says nothing about this one.
    assert!(license_of(&inventory, "other-version").is_none());
}

#[test]
fn go_module_cache_license_files_are_detected() {
    let mut inventory = inventory_of(&[
        (Ecosystem::Go, "github.com/BurntSushi/toml", "v1.6.0"),
        (Ecosystem::Go, "golang.org/x/text", "v0.14.0"),
        (Ecosystem::Go, "example.com/readme-only", "v1.0.0"),
        (Ecosystem::Go, "example.com/not-downloaded", "v1.0.0"),
    ]);
    enrich_licenses(
        &mut inventory,
        &fixture_paths().providers(),
        &ProviderOptions::default(),
    );
    // Found through the cache's case escaping (`!burnt!sushi`), from a `COPYING` file.
    let toml = license_of(&inventory, "github.com/BurntSushi/toml").unwrap();
    assert_eq!(toml.expression, "MIT");
    assert_eq!(toml.origin, LicenseOrigin::Detected);
    assert!(
        toml.confidence >= 0.9 && toml.confidence <= 1.0,
        "{}",
        toml.confidence
    );
    assert!(toml.file.as_ref().unwrap().ends_with("COPYING"));
    assert_eq!(
        license_of(&inventory, "golang.org/x/text")
            .unwrap()
            .expression,
        "BSD-3-Clause"
    );
    assert!(license_of(&inventory, "example.com/readme-only").is_none());
    assert!(license_of(&inventory, "example.com/not-downloaded").is_none());
}

#[test]
fn maven_repository_pom_licenses() {
    let mut inventory = inventory_of(&[
        (Ecosystem::Maven, "org.example:lib", "1.0"),
        (Ecosystem::Maven, "com.acme:weird", "2.0"),
        (Ecosystem::Maven, "org.example:lib", "2.0"),
        (Ecosystem::Maven, "org.example:snap", "1.1-SNAPSHOT"),
    ]);
    enrich_licenses(
        &mut inventory,
        &fixture_paths().providers(),
        &ProviderOptions::default(),
    );
    let lib = license_of(&inventory, "org.example:lib").unwrap();
    assert_eq!(lib.expression, "Apache-2.0 OR MIT");
    assert_eq!(lib.confidence, 0.9);
    assert!(lib.file.as_ref().unwrap().ends_with("lib-1.0.pom"));
    // An unknown name is kept as written, with a low confidence a policy can act on.
    // A snapshot's POM has a timestamped name.
    assert_eq!(
        license_of(&inventory, "org.example:snap")
            .unwrap()
            .expression,
        "EPL-2.0"
    );
    let weird = license_of(&inventory, "com.acme:weird").unwrap();
    assert_eq!(weird.expression, "Acme Community Terms");
    assert!(weird.confidence < 0.5);
}

#[test]
fn lockfile_licenses_are_kept() {
    // composer.lock carries licenses; providers must not overwrite them.
    let mut inventory = crate::common::load("php/composer/composer.lock");
    let summary = enrich_licenses(
        &mut inventory,
        &fixture_paths().providers(),
        &ProviderOptions { offline: true },
    );
    assert_eq!(summary.found, 0);
    let monolog = license_of(&inventory, "monolog/monolog").unwrap();
    assert_eq!(monolog.origin, LicenseOrigin::Lockfile);
}
