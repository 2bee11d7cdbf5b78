//! Every real-world SBOM in `../shared/data/sboms` and every official CycloneDX test BOM.
//!
//! For each SBOM the expected package count and purls are computed here, independently of the
//! reader, by a simpler walk of the document:
//! - CycloneDX JSON: every object in `components` and `metadata.component`, recursing into
//!   their `components` arrays (the flattened component count); a subject whose `bom-ref` is
//!   also listed in `components` counts once. Purls: every `purl` of those objects.
//! - CycloneDX XML: the number of `<component ` / `<component>` start tags in the text (the real
//!   files have no `pedigree` components). Purls: the text of every `<purl>` element.
//! - SPDX JSON: the length of `packages`. Purls: per package the first `externalRefs` entry
//!   whose `referenceType` is `purl` and whose locator starts with `pkg:` (one Microsoft SBOM
//!   puts a GitHub URL there; that is not a purl and is reported as `purl-invalid`).
//! - SPDX tag-value: the number of `PackageName:` lines. Purls: the locator of each
//!   `ExternalRef: <category> purl <locator>` line.
//!
//! Purls are compared as sorted lists (so duplicates count), exactly as written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use depgate::ingest::{Format, detect_format, ingest_sbom};
use depgate::inventory::Inventory;
use serde_json::Value;

use super::data_dir;

/// The SBOMs: files under `sboms/` whose names carry `.cdx` or `.spdx`. The inputs beside them
/// (`*.Cargo.lock`, `*.poetry.lock`, manifests) and the non-SBOM sample are left out by name.
fn sbom_files(data: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in ["cyclonedx", "spdx"] {
        for entry in std::fs::read_dir(data.join("sboms").join(folder)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.contains(".cdx") || name.contains(".spdx") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

struct Expected {
    count: usize,
    purls: Vec<String>,
}

fn expected_cyclonedx_json(text: &str) -> Expected {
    let document: Value = serde_json::from_str(text).unwrap();
    fn walk(component: &Value, refs: &mut Vec<Option<String>>, purls: &mut Vec<String>) {
        refs.push(
            component
                .get("bom-ref")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
        if let Some(purl) = component.get("purl").and_then(Value::as_str) {
            purls.push(purl.to_string());
        }
        for child in component
            .get("components")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(child, refs, purls);
        }
    }
    let mut listed_refs = Vec::new();
    let mut purls = Vec::new();
    for component in document["components"].as_array().into_iter().flatten() {
        walk(component, &mut listed_refs, &mut purls);
    }
    let mut count = listed_refs.len();
    if let Some(subject) = document.pointer("/metadata/component") {
        let subject_ref = subject.get("bom-ref").and_then(Value::as_str);
        let listed: HashSet<_> = listed_refs.iter().flatten().map(String::as_str).collect();
        let mut subject_refs = Vec::new();
        let mut subject_purls = Vec::new();
        walk(subject, &mut subject_refs, &mut subject_purls);
        if subject_ref.is_some_and(|r| listed.contains(r)) {
            // The subject is listed: it counts once, as the listed component.
            count += subject_refs.len() - 1;
            subject_purls.remove(0);
        } else {
            count += subject_refs.len();
        }
        purls.extend(subject_purls);
    }
    Expected { count, purls }
}

fn expected_cyclonedx_xml(text: &str) -> Expected {
    let count = text.matches("<component ").count() + text.matches("<component>").count();
    let mut purls = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<purl>") {
        let after = &rest[start + "<purl>".len()..];
        let end = after.find("</purl>").unwrap();
        let raw = after[..end].trim();
        let raw = raw
            .strip_prefix("<![CDATA[")
            .and_then(|r| r.strip_suffix("]]>"))
            .map(str::to_string)
            .unwrap_or_else(|| raw.replace("&amp;", "&"));
        purls.push(raw);
        rest = &after[end..];
    }
    Expected { count, purls }
}

fn expected_spdx_json(text: &str) -> Expected {
    let document: Value = serde_json::from_str(text).unwrap();
    let packages = document["packages"].as_array().cloned().unwrap_or_default();
    let purls = packages
        .iter()
        .filter_map(|package| {
            package["externalRefs"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["referenceType"] == "purl")
                .and_then(|r| r["referenceLocator"].as_str())
                .filter(|locator| locator.starts_with("pkg:"))
                .map(str::to_string)
        })
        .collect();
    Expected {
        count: packages.len(),
        purls,
    }
}

fn expected_spdx_tag_value(text: &str) -> Expected {
    let count = text
        .lines()
        .filter(|l| l.starts_with("PackageName:"))
        .count();
    let purls = text
        .lines()
        .filter_map(|l| l.strip_prefix("ExternalRef:"))
        .filter_map(|rest| {
            let parts: Vec<_> = rest.split_whitespace().collect();
            (parts.len() == 3 && parts[1] == "purl").then(|| parts[2].to_string())
        })
        .collect();
    Expected { count, purls }
}

fn inventory_purls(inventory: &Inventory) -> Vec<String> {
    let mut purls: Vec<String> = inventory
        .packages()
        .iter()
        .filter_map(|p| p.purl.clone())
        .collect();
    purls.sort();
    purls
}

#[test]
fn every_real_sbom_is_read_with_its_own_package_count_and_purls() {
    let Some(data) = data_dir() else { return };
    let files = sbom_files(&data);
    assert!(
        files.len() >= 36,
        "expected at least 36 SBOMs under sboms/, found {}",
        files.len()
    );
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = detect_format(&path)
            .unwrap()
            .unwrap_or_else(|| panic!("`{}` not detected as an SBOM", path.display()));
        let expected = match format {
            Format::CycloneDxJson => expected_cyclonedx_json(&text),
            Format::CycloneDxXml => expected_cyclonedx_xml(&text),
            Format::SpdxJson => expected_spdx_json(&text),
            Format::SpdxTagValue => expected_spdx_tag_value(&text),
            other => panic!("`{}` detected as {other:?}", path.display()),
        };
        let inventory = ingest_sbom(&path)
            .unwrap_or_else(|e| panic!("`{}` failed to ingest: {e}", path.display()));
        assert_eq!(
            inventory.packages().len(),
            expected.count,
            "package count of `{}`",
            path.display()
        );
        let mut expected_purls = expected.purls;
        expected_purls.sort();
        assert_eq!(
            inventory_purls(&inventory),
            expected_purls,
            "purls of `{}`",
            path.display()
        );
        assert!(
            inventory
                .packages()
                .iter()
                .all(|p| p.location.line.is_some()),
            "every package of `{}` has a line",
            path.display()
        );
        assert_eq!(inventory.inputs.len(), 1);
        assert_eq!(
            inventory.inputs[0].sha256,
            depgate::util::sha256_hex(text.as_bytes())
        );
    }
}

#[test]
fn spot_checks_on_real_sboms() {
    let Some(data) = data_dir() else { return };
    let sboms = data.join("sboms");
    // Nested components: 156 top-level components hold 705 in all (counted by the walk above);
    // the subject carries 109 Go packages of its own.
    let harp = ingest_sbom(
        &sboms.join("cyclonedx/elastic-harp-0.2.10_cyclonedx-gomod-1.2.0.cdx-1.4.json"),
    )
    .unwrap();
    assert_eq!(harp.packages().len(), 1 + 109 + 705);
    assert_eq!(harp.roots().len(), 1);
    assert_eq!(harp.inputs[0].format, "CycloneDX 1.4 JSON");

    // The same BOM as 1.2 JSON and 1.2 XML gives the same packages.
    let json =
        ingest_sbom(&sboms.join("cyclonedx/dropwizard-1.3.15_cyclonedx-maven-2.0.2.cdx-1.2.json"))
            .unwrap();
    let xml =
        ingest_sbom(&sboms.join("cyclonedx/dropwizard-1.3.15_cyclonedx-maven-2.0.2.cdx-1.2.xml"))
            .unwrap();
    let identities = |inventory: &Inventory| {
        let mut list: Vec<_> = inventory
            .packages()
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.purl.clone()))
            .collect();
        list.sort();
        list
    };
    assert_eq!(identities(&json), identities(&xml));
    assert!(
        json.packages()
            .iter()
            .any(|p| p.name == "com.fasterxml.jackson.core:jackson-databind")
    );
    assert_eq!(xml.inputs[0].format, "CycloneDX 1.2 XML");

    // The same SPDX document as JSON and as tag-value.
    let spdx_json = ingest_sbom(&sboms.join("spdx/flux-0.26.3_syft-0.33.0.spdx-2.2.json")).unwrap();
    let spdx_tv = ingest_sbom(&sboms.join("spdx/flux-0.26.3_syft-0.33.0.spdx")).unwrap();
    assert_eq!(identities(&spdx_json), identities(&spdx_tv));
    // syft wrote `NONE` for every package: no license, and the gap says so.
    assert!(spdx_json.packages().iter().all(|p| p.license.is_none()));
    assert!(
        spdx_json
            .gaps
            .iter()
            .any(|g| g.kind == "license-none" && g.packages == 244)
    );

    // Julia's hand-written SBOM: typed relationships become typed edges.
    let julia = ingest_sbom(&sboms.join("spdx/julia_manual.spdx-2.2.json")).unwrap();
    assert_eq!(julia.roots().len(), 1);
    assert!(
        julia
            .edges()
            .iter()
            .any(|e| e.kind == depgate::inventory::DepKind::Build)
    );
    assert!(julia.gaps.iter().any(|g| g.kind == "purl-missing"));

    // Trivy's `DESCRIBE` (sic) still names the root.
    let trivy = ingest_sbom(
        &sboms.join("spdx/container-atlassian_pipelines-auth-proxy_sha256-b856033_trivy.spdx.json"),
    )
    .unwrap();
    assert_eq!(trivy.roots().len(), 1);

    // A GitHub URL filed as a purl is not a purl.
    let azure =
        ingest_sbom(&sboms.join("spdx/azure-missionlz_ms-sbom-tool-2.1.18.spdx-2.2.json")).unwrap();
    assert!(azure.gaps.iter().any(|g| g.kind == "purl-invalid"));
}

#[test]
fn the_documented_non_sbom_sample_is_rejected_cleanly() {
    let Some(data) = data_dir() else { return };
    let path = data.join("sboms/cyclonedx/epicyon_scanoss-raw.not-cyclonedx.json");
    assert_eq!(detect_format(&path).unwrap(), None);
    let error = ingest_sbom(&path).unwrap_err().to_string();
    assert!(error.contains("bomFormat"), "{error}");
    let error = depgate::ingest::ingest(&path, &Default::default()).unwrap_err();
    assert!(!error.is_nothing_to_scan());
    assert!(error.to_string().contains("not a supported"), "{error}");
}

/// The official test BOMs: every `valid-*` of spec 1.4-1.7 (JSON, and XML where upstream has
/// it) must ingest; every `invalid-*` may be refused but must not panic.
#[test]
fn official_cyclonedx_test_boms() {
    let Some(data) = data_dir() else { return };
    let root = data.join("cyclonedx-schema/test-boms");
    let mut valid = 0;
    let mut invalid = 0;
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(version))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let format = if name.ends_with(".json") {
                Format::CycloneDxJson
            } else if name.ends_with(".xml") {
                Format::CycloneDxXml
            } else {
                continue;
            };
            let result = depgate::ingest::ingest_file(&path, format, &Default::default());
            if name.starts_with("valid-") {
                valid += 1;
                let inventory =
                    result.unwrap_or_else(|e| panic!("`{}` failed: {e}", path.display()));
                assert!(
                    inventory.inputs[0].format.contains(version),
                    "`{}` read as {}",
                    path.display(),
                    inventory.inputs[0].format
                );
            } else {
                invalid += 1;
            }
        }
    }
    // 29 + 36 + 45 JSON + 47 XML + 61 valid; 22 + 22 + 52 + 29 invalid.
    assert!(valid >= 200, "only {valid} valid test BOMs found");
    assert!(invalid >= 100, "only {invalid} invalid test BOMs found");
}

/// The official SPDX examples: every SPDX 2.x JSON or tag-value document ingests with its own
/// package count (the length of `packages`, or the number of `PackageName:` lines); every SPDX 3
/// JSON-LD document ingests with one package per package element of its `@graph`.
#[test]
fn official_spdx_examples() {
    let Some(data) = data_dir() else { return };
    let mut stack = vec![data.join("spdx/examples")];
    let mut read = 0;
    let mut spdx3 = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if !(name.ends_with(".json") || name.ends_with(".spdx")) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("\"@context\"") && text.contains("spdx.org/rdf/3") {
                let document: serde_json::Value = serde_json::from_str(&text).unwrap();
                let packages = document["@graph"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|element| {
                        let kind = element["type"].as_str().unwrap_or_default();
                        ["software_Package", "ai_AIPackage", "dataset_DatasetPackage"]
                            .contains(&kind)
                    })
                    .count();
                let inventory = ingest_sbom(&path)
                    .unwrap_or_else(|e| panic!("`{}` failed to ingest: {e}", path.display()));
                assert_eq!(inventory.packages().len(), packages, "`{}`", path.display());
                spdx3 += 1;
                continue;
            }
            let expected = if name.ends_with(".spdx") {
                expected_spdx_tag_value(&text)
            } else {
                expected_spdx_json(&text)
            };
            let inventory = ingest_sbom(&path)
                .unwrap_or_else(|e| panic!("`{}` failed to ingest: {e}", path.display()));
            assert_eq!(
                inventory.packages().len(),
                expected.count,
                "package count of `{}`",
                path.display()
            );
            read += 1;
        }
    }
    assert!(read >= 30, "only {read} SPDX 2.x examples read");
    assert!(spdx3 >= 20, "only {spdx3} SPDX 3 examples read");
}
