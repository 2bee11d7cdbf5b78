//! License-text detection (`enrich::license_text`) on license files as crates ship them.

use depgate::enrich::license_text::{detect_file, detect_missing_licenses};
use depgate::inventory::{Ecosystem, Inventory, LicenseOrigin, Location, Package};

use crate::common::fixture;

#[test]
fn apache_without_appendix_is_apache_not_pixar() {
    let path = fixture("licenses/apache-without-appendix/LICENSE-APACHE");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.trim_end().ends_with("END OF TERMS AND CONDITIONS"));
    let started = std::time::Instant::now();
    let detection = detect_file(&path).unwrap().unwrap();
    eprintln!("store build + first detection: {:?}", started.elapsed());
    assert_eq!(detection.license, "Apache-2.0", "{detection:?}");
    assert!(detection.score > 0.95, "{detection:?}");
    assert_eq!(detection.file, path);
}

#[test]
fn mit_file_is_detected() {
    let path = fixture("licenses/mit/LICENSE-MIT");
    let detection = detect_file(&path).unwrap().unwrap();
    assert_eq!(detection.license, "MIT");
    assert!(detection.score > 0.9, "{detection:?}");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let error = detect_file(&fixture("licenses/none/LICENSE")).unwrap_err();
    assert!(
        error.to_string().contains("licenses/none/LICENSE"),
        "{error}"
    );
}

#[test]
fn undeclared_licenses_are_detected_and_declared_ones_kept() {
    let mut inventory = Inventory::new();
    let location = Location {
        file: "Cargo.lock".into(),
        line: None,
    };
    let mut both = Package::new(Ecosystem::Cargo, "both", "1.0.0", location.clone());
    both.license_files = vec![
        fixture("licenses/apache-without-appendix/LICENSE-APACHE"),
        fixture("licenses/mit/LICENSE-MIT"),
    ];
    let both = inventory.add_package(both);
    let mut declared = Package::new(Ecosystem::Cargo, "declared", "1.0.0", location.clone());
    declared.license = Some(depgate::inventory::LicenseInfo {
        expression: "ISC".into(),
        origin: LicenseOrigin::Manifest,
        confidence: 1.0,
        file: None,
    });
    declared.license_files = vec![fixture("licenses/mit/LICENSE-MIT")];
    let declared = inventory.add_package(declared);
    let mut broken = Package::new(Ecosystem::Cargo, "broken", "1.0.0", location);
    broken.license_files = vec![fixture("licenses/none/LICENSE")];
    let broken = inventory.add_package(broken);

    detect_missing_licenses(&mut inventory);

    let license = inventory.package(both).license.clone().unwrap();
    assert_eq!(license.expression, "Apache-2.0 AND MIT");
    assert_eq!(license.origin, LicenseOrigin::Detected);
    assert!(license.confidence > 0.9 && license.confidence <= 1.0);
    assert_eq!(
        inventory.package(declared).license_expression(),
        Some("ISC")
    );
    assert!(inventory.package(broken).license.is_none());
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "license-file-unreadable" && g.message.contains("licenses/none")),
        "{:?}",
        inventory.gaps
    );
}
