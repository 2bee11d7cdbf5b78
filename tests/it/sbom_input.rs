//! SBOM input: one fixture per case under `tests/fixtures/sbom/<scenario>/`, read through the
//! library (what was read) and through the binary (exit codes and messages).

use depgate::ingest::{Format, detect_format, ingest_sbom};
use depgate::inventory::{DepKind, Ecosystem, Inventory, Package, PackageKind, Scope};

use crate::common::{depgate, fixture};

/// Runs `depgate` and returns its exit code and standard error.
fn run(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let out = depgate().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(relative: &str) -> Inventory {
    ingest_sbom(&fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn package<'a>(inventory: &'a Inventory, name: &str) -> &'a Package {
    inventory
        .packages()
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no package `{name}`"))
}

fn gap(inventory: &Inventory, kind: &str) -> usize {
    inventory
        .gaps
        .iter()
        .filter(|g| g.kind == kind)
        .map(|g| g.packages)
        .sum()
}

#[test]
fn formats_are_detected_by_content_and_name() {
    let cases = [
        (
            "sbom/cyclonedx-1.2-json/bom.json",
            Some(Format::CycloneDxJson),
        ),
        ("sbom/cyclonedx-1.4-xml/bom.xml", Some(Format::CycloneDxXml)),
        ("sbom/spdx-2.2-json/sbom.spdx.json", Some(Format::SpdxJson)),
        (
            "sbom/spdx-2.3-tag-value/sbom.spdx",
            Some(Format::SpdxTagValue),
        ),
        // By name: the content is broken, but the name says CycloneDX, so the error has a line.
        (
            "sbom/malformed-json/bom.cdx.json",
            Some(Format::CycloneDxJson),
        ),
        ("sbom/not-an-sbom/sbom.json", None),
    ];
    for (relative, expected) in cases {
        assert_eq!(
            detect_format(&fixture(relative)).unwrap(),
            expected,
            "{relative}"
        );
    }
}

#[test]
fn cyclonedx_1_2_json_with_dependency_graph() {
    let inventory = read("sbom/cyclonedx-1.2-json/bom.json");
    assert_eq!(inventory.inputs[0].format, "CycloneDX 1.2 JSON");
    assert_eq!(inventory.packages().len(), 3);
    let root = package(&inventory, "org.example:shop");
    assert_eq!(root.kind, PackageKind::Root);
    assert_eq!(inventory.roots(), &[root.id]);
    let guava = package(&inventory, "com.google.guava:guava");
    assert_eq!(guava.ecosystem, Ecosystem::Maven);
    assert_eq!(guava.version, "24.1.1-jre");
    assert_eq!(guava.location.line, Some(18));
    assert!(guava.direct);
    let checker = package(&inventory, "org.checkerframework:checker-compat-qual");
    assert!(!checker.direct);
    // Read from an SBOM, a package knows its roots as one read from a lockfile does.
    assert_eq!(checker.roots, vec![root.id]);
    assert_eq!(root.roots, vec![root.id]);
    // Two license entries: both apply.
    assert_eq!(
        checker.license_expression(),
        Some("GPL-2.0-with-classpath-exception AND MIT")
    );
    assert_eq!(
        inventory.paths_to_display(checker.id, 5),
        vec!["shop 1.0.0 > com.google.guava:guava 24.1.1-jre > org.checkerframework:checker-compat-qual 2.0.0"
            .replace("shop", "org.example:shop")]
    );
}

#[test]
fn cyclonedx_1_4_xml_licenses_hashes_scope() {
    let inventory = read("sbom/cyclonedx-1.4-xml/bom.xml");
    assert_eq!(inventory.inputs[0].format, "CycloneDX 1.4 XML");
    assert_eq!(inventory.packages().len(), 3);
    let requests = package(&inventory, "requests");
    assert_eq!(requests.ecosystem, Ecosystem::PyPI);
    assert_eq!(requests.license_expression(), Some("Apache-2.0"));
    assert_eq!(requests.location.line, Some(11));
    let widget = package(&inventory, "example-widget");
    assert_eq!(
        widget.purl.as_deref(),
        Some("pkg:pypi/example-widget@0.1.0")
    );
    assert_eq!(
        widget.license_expression(),
        Some("Example Corp Proprietary & Confidential")
    );
    assert_eq!(widget.hashes.len(), 1);
    assert_eq!(
        widget.hashes[0].value,
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    );
    assert_eq!(widget.scope, Scope::Optional);
    assert!(
        inventory
            .edges()
            .iter()
            .any(|e| e.to == widget.id && e.optional)
    );
}

#[test]
fn cyclonedx_1_5_nested_components_are_flattened() {
    let inventory = read("sbom/cyclonedx-1.5-nested/bom.cdx.json");
    assert_eq!(inventory.packages().len(), 5);
    // A part nested in the subject is the project's own code.
    assert_eq!(
        package(&inventory, "example.com/tool/internal/cli").kind,
        PackageKind::Local
    );
    let deepest = package(&inventory, "github.com/spf13/cobra/doc/internal");
    assert_eq!(deepest.kind, PackageKind::ThirdParty);
    assert_eq!(deepest.location.line, Some(36));
    // Nesting is containment: the path runs through the parents.
    assert_eq!(
        inventory.paths_to_display(deepest.id, 5),
        vec![
            "example.com/tool v1.2.0 > github.com/spf13/cobra v1.7.0 > github.com/spf13/cobra/doc v1.7.0 > github.com/spf13/cobra/doc/internal v1.7.0"
        ]
    );
}

#[test]
fn cyclonedx_1_6_json_scope_excluded_is_dev() {
    let inventory = read("sbom/cyclonedx-1.6-json/bom.cdx.json");
    assert_eq!(inventory.inputs[0].format, "CycloneDX 1.6 JSON");
    let serde = package(&inventory, "serde");
    assert_eq!(serde.ecosystem, Ecosystem::Cargo);
    assert_eq!(serde.license_expression(), Some("MIT OR Apache-2.0"));
    assert_eq!(serde.scope, Scope::Runtime);
    let insta = package(&inventory, "insta");
    assert_eq!(insta.scope, Scope::Dev);
    assert!(
        inventory
            .edges()
            .iter()
            .any(|e| e.to == insta.id && e.kind == DepKind::Dev)
    );
}

#[test]
fn cyclonedx_licenses_as_id_name_expression_and_missing() {
    let inventory = read("sbom/cyclonedx-licenses/bom.cdx.json");
    assert_eq!(
        package(&inventory, "lodash").license_expression(),
        Some("MIT")
    );
    assert_eq!(
        package(&inventory, "jszip").license_expression(),
        Some("(MIT OR GPL-3.0-or-later)")
    );
    assert_eq!(
        package(&inventory, "legacy-widget").license_expression(),
        Some("The Widget License, Version 1")
    );
    let helper = package(&inventory, "unlicensed-helper");
    assert!(helper.license.is_none());
    assert_eq!(gap(&inventory, "license-unknown"), 1);
    let origin = package(&inventory, "lodash")
        .license
        .as_ref()
        .unwrap()
        .origin;
    assert_eq!(origin, depgate::inventory::LicenseOrigin::Sbom);
}

#[test]
fn components_without_purl_are_kept_and_counted() {
    let inventory = read("sbom/cyclonedx-no-purl/bom.cdx.json");
    assert_eq!(inventory.packages().len(), 2);
    let zlib = package(&inventory, "zlib");
    assert!(zlib.purl.is_none());
    assert_eq!(zlib.ecosystem, Ecosystem::Other("unknown".to_string()));
    assert_eq!(zlib.license_expression(), Some("Zlib"));
    assert_eq!(gap(&inventory, "purl-missing"), 1);
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "purl-missing" && g.message.contains("1 component without a purl"))
    );
}

#[test]
fn spdx_2_2_json_packages_checksums_relationships() {
    let inventory = read("sbom/spdx-2.2-json/sbom.spdx.json");
    assert_eq!(inventory.inputs[0].format, "SPDX 2.2 JSON");
    assert_eq!(inventory.packages().len(), 3);
    assert_eq!(
        package(&inventory, "payments-worker").kind,
        PackageKind::Root
    );
    let newtonsoft = package(&inventory, "Newtonsoft.Json");
    assert_eq!(newtonsoft.ecosystem, Ecosystem::NuGet);
    assert_eq!(newtonsoft.license_expression(), Some("MIT"));
    assert_eq!(newtonsoft.hashes[0].algorithm.as_str(), "SHA-256");
    assert_eq!(newtonsoft.location.line, Some(19));
    assert!(newtonsoft.direct);
    // Declared NOASSERTION, concluded Apache-2.0: the conclusion is used.
    let xunit = package(&inventory, "xunit");
    assert_eq!(xunit.license_expression(), Some("Apache-2.0"));
    assert_eq!(xunit.scope, Scope::Dev);
    assert_eq!(gap(&inventory, "purl-missing"), 1);
}

#[test]
fn spdx_2_3_tag_value_noassertion_and_none() {
    let inventory = read("sbom/spdx-2.3-tag-value/sbom.spdx");
    assert_eq!(inventory.inputs[0].format, "SPDX 2.3 tag-value");
    assert_eq!(inventory.packages().len(), 3);
    let net = package(&inventory, "golang.org/x/net");
    assert_eq!(net.ecosystem, Ecosystem::Go);
    assert!(net.license.is_none());
    assert_eq!(net.location.line, Some(22));
    let tool = package(&inventory, "github.com/example/internal-tool");
    assert!(tool.license.is_none());
    assert_eq!(tool.scope, Scope::Build);
    // NOASSERTION is unknown; NONE is a statement that no license is declared.
    assert_eq!(gap(&inventory, "license-unknown"), 1);
    assert_eq!(gap(&inventory, "license-none"), 1);
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "license-none" && g.message.contains("`NONE`"))
    );
}

#[test]
fn explicit_json_that_is_not_an_sbom_exits_2() {
    let path = fixture("sbom/not-an-sbom/sbom.json");
    let (code, stderr) = run(&["explain".as_ref(), "x".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("sbom.json"), "{stderr}");
    assert!(stderr.contains("bomFormat"), "{stderr}");
    let (code, stderr) = run(&["sbom".as_ref(), "--from".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("neither a CycloneDX SBOM"), "{stderr}");
}

#[test]
fn malformed_json_exits_2_with_line() {
    let path = fixture("sbom/malformed-json/bom.cdx.json");
    let (code, stderr) = run(&["sbom".as_ref(), "--from".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("bom.cdx.json` line 9, column 7"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid JSON"), "{stderr}");
}

#[test]
fn malformed_xml_exits_2_with_line() {
    let path = fixture("sbom/malformed-xml/bom.xml");
    let (code, stderr) = run(&["sbom".as_ref(), "--from".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("bom.xml` line 6"), "{stderr}");
    assert!(stderr.contains("`</version>`"), "{stderr}");
}

#[test]
fn from_rejects_a_lockfile_and_conflicts_with_path() {
    let dir = tempfile::tempdir().unwrap();
    let lockfile = dir.path().join("Cargo.lock");
    std::fs::write(&lockfile, "version = 3\n").unwrap();
    let (code, stderr) = run(&["sbom".as_ref(), "--from".as_ref(), lockfile.as_os_str()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("expected a CycloneDX"), "{stderr}");
    let sbom = fixture("sbom/cyclonedx-1.2-json/bom.json");
    let (code, stderr) = run(&[
        "sbom".as_ref(),
        ".".as_ref(),
        "--from".as_ref(),
        sbom.as_os_str(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn sbom_samples_all_ingest() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sbom-samples");
    let mut count = 0;
    for entry in std::fs::read_dir(&samples).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let inventory = ingest_sbom(&path).unwrap_or_else(|e| panic!("`{}`: {e}", path.display()));
        assert!(!inventory.packages().is_empty(), "{}", path.display());
        assert_eq!(inventory.roots().len(), 1, "{}", path.display());
        count += 1;
    }
    assert!(count >= 2);
}
