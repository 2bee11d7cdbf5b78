//! PHP input: composer.lock.

use depgate::inventory::{HashAlgorithm, LicenseOrigin, PackageKind, Scope};

use crate::common::{dependencies_of, explain_error, load, only};

#[test]
fn packages_dev_licenses_edges_and_hashes() {
    let inventory = load("php/composer/composer.lock");
    let monolog = only(&inventory, "monolog/monolog");
    assert_eq!(
        monolog.purl.as_deref(),
        Some("pkg:composer/monolog/monolog@3.5.0")
    );
    assert_eq!(monolog.scope, Scope::Runtime);
    assert_eq!(monolog.location.line, Some(6));
    let license = monolog.license.as_ref().unwrap();
    assert_eq!(license.expression, "MIT");
    assert_eq!(license.origin, LicenseOrigin::Lockfile);
    assert_eq!(license.confidence, 1.0);
    // `shasum` is SHA-1; the git source reference is kept as the repository.
    assert_eq!(monolog.hashes[0].algorithm, HashAlgorithm::Sha1);
    assert_eq!(
        monolog.repository.as_deref(),
        Some("https://github.com/Seldaek/monolog.git")
    );
    // Platform requirements (`php`, `ext-json`) are not packages.
    assert_eq!(
        dependencies_of(&inventory, "monolog/monolog"),
        vec!["psr/log"]
    );
    // Several licenses are a choice.
    assert_eq!(
        only(&inventory, "psr/log").license_expression(),
        Some("MIT OR Apache-2.0")
    );
    // An empty shasum is no hash.
    assert!(only(&inventory, "psr/log").hashes.is_empty());
    assert_eq!(only(&inventory, "phpunit/phpunit").scope, Scope::Dev);
    let internal = only(&inventory, "acme/internal");
    assert_eq!(internal.kind, PackageKind::Local);
    assert_eq!(internal.purl, None);
}

#[test]
fn malformed_composer_lock_exits_2_with_line() {
    let (code, stderr) = explain_error("php/composer-malformed/composer.lock");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("composer.lock` line 4"), "{stderr}");
}

#[test]
fn composer_json_beside_the_lockfile_gives_root_edges() {
    let inventory = load("php/composer-manifest/composer.lock");
    let root = inventory.package(inventory.roots()[0]).name.clone();
    assert_eq!(
        dependencies_of(&inventory, &root),
        vec!["acme/internal", "monolog/monolog", "phpunit/phpunit"]
    );
    assert!(only(&inventory, "monolog/monolog").direct);
    assert!(!only(&inventory, "psr/log").direct);
    assert_eq!(only(&inventory, "psr/log").scope, Scope::Runtime);
    assert_eq!(only(&inventory, "phpunit/phpunit").scope, Scope::Dev);
}

#[test]
fn an_unreadable_composer_json_is_a_gap_not_a_failure() {
    let inventory = load("php/composer-manifest-malformed/composer.lock");
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "manifest-unreadable")
        .unwrap();
    assert!(gap.message.contains("composer.json"), "{}", gap.message);
    assert_eq!(inventory.third_party().count(), 3);
}
