//! `depgate sbom --from`: a CycloneDX → SPDX → CycloneDX round trip keeps the set of packages,
//! their purls and their licenses, and converting a converted SBOM gives the same bytes.
//!
//! The documents are compared here with a plain `serde_json` walk, independent of depgate's
//! readers and writers: a package is identified by its purl (or `name@version` when it has
//! none), and its licenses are the SPDX ids named in its license entries or expression.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::common::{depgate, fixture};

type Licenses = BTreeMap<String, BTreeSet<String>>;

/// The SPDX license ids (and `LicenseRef-`s) named in an expression or license name.
fn license_ids(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|token| {
            !token.is_empty()
                && !matches!(token.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH")
        })
        .map(str::to_string)
        .collect()
}

/// Packages of a CycloneDX JSON document (subject and components, nested ones included):
/// identity -> license ids.
fn cyclonedx_packages(document: &Value) -> Licenses {
    fn walk(component: &Value, out: &mut Licenses) {
        let identity = match component.get("purl").and_then(Value::as_str) {
            Some(purl) => purl.to_string(),
            None => format!(
                "{}@{}",
                component["name"].as_str().unwrap_or_default(),
                component["version"].as_str().unwrap_or_default()
            ),
        };
        let mut licenses = BTreeSet::new();
        for choice in component["licenses"].as_array().into_iter().flatten() {
            if let Some(expression) = choice["expression"].as_str() {
                licenses.extend(license_ids(expression));
            }
            for key in ["id", "name"] {
                if let Some(value) = choice["license"][key].as_str() {
                    licenses.extend(license_ids(value));
                }
            }
        }
        out.insert(identity, licenses);
        for child in component["components"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut out = Licenses::new();
    if let Some(subject) = document.pointer("/metadata/component") {
        walk(subject, &mut out);
    }
    for component in document["components"].as_array().into_iter().flatten() {
        walk(component, &mut out);
    }
    out
}

/// Packages of an SPDX JSON document: identity -> license ids (declared, else concluded).
fn spdx_packages(document: &Value) -> Licenses {
    let mut out = Licenses::new();
    for package in document["packages"].as_array().into_iter().flatten() {
        let purl = package["externalRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["referenceType"] == "purl")
            .and_then(|r| r["referenceLocator"].as_str());
        let identity = match purl {
            Some(purl) => purl.to_string(),
            None => format!(
                "{}@{}",
                package["name"].as_str().unwrap_or_default(),
                package["versionInfo"].as_str().unwrap_or_default()
            ),
        };
        let license = [&package["licenseDeclared"], &package["licenseConcluded"]]
            .into_iter()
            .filter_map(Value::as_str)
            .find(|l| !matches!(*l, "NOASSERTION" | "NONE"))
            .map(license_ids)
            .unwrap_or_default();
        out.insert(identity, license);
    }
    out
}

fn convert(from: &Path, format: &str, to: &Path) {
    let out = depgate()
        // A fixed creation time, so that two conversions can be compared byte for byte.
        .env("SOURCE_DATE_EPOCH", "0")
        .args(["sbom", "--from"])
        .arg(from)
        .args(["--format", format, "-o"])
        .arg(to)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "converting `{}` to {format}: {}",
        from.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn cyclonedx_to_spdx_to_cyclonedx_keeps_packages_purls_and_licenses() {
    let original_path = fixture("sbom/roundtrip/bom.cdx.json");
    let dir = tempfile::tempdir().unwrap();
    let spdx_path = dir.path().join("converted.spdx.json");
    let back_path = dir.path().join("back.cdx.json");

    convert(&original_path, "spdx-json", &spdx_path);
    convert(&spdx_path, "cyclonedx-json", &back_path);

    let original = cyclonedx_packages(&read_json(&original_path));
    assert_eq!(
        original.len(),
        6,
        "the fixture has a subject and five components"
    );
    let spdx = spdx_packages(&read_json(&spdx_path));
    let back = cyclonedx_packages(&read_json(&back_path));

    assert_eq!(spdx, original, "CycloneDX -> SPDX");
    assert_eq!(back, original, "CycloneDX -> SPDX -> CycloneDX");
    let purls: BTreeSet<_> = back.keys().filter(|k| k.starts_with("pkg:")).collect();
    assert_eq!(purls.len(), 5);
}

#[test]
fn converting_a_converted_sbom_with_copies_of_one_package_gives_the_same_bytes() {
    // Eleven copies of one purl (their references `|10` and `|11` sort before `|2` as text)
    // and two copies each of two purls whose SPDXIDs are the same after sanitising: each
    // writer lists the copies in its own order, and reading a document back must number the
    // copies as they were numbered when it was written.
    let original = fixture("sbom/spdx-copies-of-one-package/sbom.spdx");
    for (format, extension) in [
        ("cyclonedx-json", "cdx.json"),
        ("cyclonedx-xml", "cdx.xml"),
        ("spdx-json", "spdx.json"),
        ("spdx3-json", "spdx3.json"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = (1..=3)
            .map(|step| dir.path().join(format!("step{step}.{extension}")))
            .collect();
        convert(&original, format, &paths[0]);
        convert(&paths[0], format, &paths[1]);
        convert(&paths[1], format, &paths[2]);
        let (converted, again) = (
            std::fs::read_to_string(&paths[1]).unwrap(),
            std::fs::read_to_string(&paths[2]).unwrap(),
        );
        assert!(
            converted == again,
            "{format}: converting the converted SBOM changed it:\n{converted}\n----\n{again}"
        );
    }
}
