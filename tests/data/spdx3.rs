//! SPDX 3.0.1 JSON-LD output validates against the official 3.0.1 JSON schema (and the graph
//! is consistent: unique ids, every reference resolves), plain and with the BSI TR-03183-2
//! profile, for hand-made inventories and every `Cargo.lock` under `../shared/data/lockfiles`;
//! the validator is shown to reject broken documents. The CycloneDX 1.6 output with the profile
//! validates against the 1.6 schema.

use std::collections::BTreeSet;
use std::path::Path;

use depgate::ingest::IngestOptions;
use depgate::inventory::Inventory;
use depgate::report::cyclonedx::{self, Cdx16Extensions};
use depgate::report::{Artifact, DocumentInfo, DocumentOrigin, Party, Profile};
use serde_json::Value;

use crate::data_dir;
use crate::sbom::{Validators, cargo_lockfiles, json_validator, sample_inventory};

pub(crate) fn spdx3_validator(data: &Path) -> jsonschema::Validator {
    let dir = data.join("spdx/schemas");
    json_validator(&dir.join("tools-java-spdx-schema-v3.0.1.json"), &dir)
}

fn info(profile: bool) -> DocumentInfo {
    let mut info = DocumentInfo::new(
        "validation",
        time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
    );
    if profile {
        info.profile = Some(Profile::BsiTr031832);
        info.creator = Party::parse("Release Team <release@example.org>");
        info.supplier = Party::parse("ACME <https://acme.example>");
        info.artifact = Some(Artifact::from_bytes("app.tar.gz", &[0x1f, 0x8b, 8, 0]));
        info.origin = DocumentOrigin::Scanned;
    }
    info
}

/// What the schema cannot check: `spdxId`s are unique, and every reference to an element
/// (`from`, `to`, `rootElement`, `createdBy`, `createdUsing`, `dataLicense`, `originatedBy`,
/// `suppliedBy`, a `customIdToUri` value) names one in the graph.
fn consistency(document: &Value) -> Result<(), String> {
    let graph = document["@graph"].as_array().ok_or("no @graph")?;
    let mut ids = BTreeSet::new();
    for element in graph {
        if let Some(id) = element["spdxId"]
            .as_str()
            .filter(|id| !ids.insert(id.to_string()))
        {
            return Err(format!("duplicate spdxId `{id}`"));
        }
    }
    let none = "https://spdx.org/rdf/3.0.1/terms/Core/NoneElement";
    let check = |reference: &Value, what: &str| -> Result<(), String> {
        let references: Vec<&Value> = match reference {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        for reference in references {
            let id = reference.as_str().ok_or(format!("{what}: not a string"))?;
            if id != none && !ids.contains(id) {
                return Err(format!("{what} names unknown `{id}`"));
            }
        }
        Ok(())
    };
    for element in graph {
        for key in [
            "from",
            "to",
            "rootElement",
            "createdBy",
            "createdUsing",
            "dataLicense",
            "originatedBy",
            "suppliedBy",
        ] {
            check(&element[key], key)?;
        }
        for entry in element["simplelicensing_customIdToUri"]
            .as_array()
            .into_iter()
            .flatten()
        {
            check(&entry["value"], "customIdToUri")?;
        }
    }
    Ok(())
}

pub(crate) fn validate(validator: &jsonschema::Validator, inventory: &Inventory, what: &str) {
    for profile in [false, true] {
        let bytes = depgate::report::spdx3::to_json(inventory, &info(profile)).unwrap();
        Validators::json(validator, &bytes)
            .unwrap_or_else(|e| panic!("{what} (profile {profile}): SPDX 3 invalid:\n{e}"));
        let document: Value = serde_json::from_slice(&bytes).unwrap();
        consistency(&document)
            .unwrap_or_else(|e| panic!("{what} (profile {profile}): SPDX 3 inconsistent: {e}"));
    }
}

#[test]
fn hand_made_inventories_give_valid_spdx3() {
    let Some(data) = data_dir() else { return };
    let validator = spdx3_validator(&data);
    validate(&validator, &sample_inventory::sample().inventory, "sample");
    validate(&validator, &sample_inventory::two_roots(), "two roots");
    validate(&validator, &Inventory::new(), "empty inventory");
    validate(&validator, &sample_inventory::odd_strings(), "odd strings");
}

#[test]
fn every_cargo_lockfile_gives_valid_spdx3_and_bsi_cyclonedx() {
    let Some(data) = data_dir() else { return };
    let validator = spdx3_validator(&data);
    let validators = Validators::load(&data);
    let mut lockfiles = Vec::new();
    cargo_lockfiles(&data.join("lockfiles"), &mut lockfiles);
    assert!(lockfiles.len() >= 8, "found {lockfiles:?}");
    let options = IngestOptions {
        offline: true,
        ..IngestOptions::default()
    };
    for lockfile in &lockfiles {
        let inventory = depgate::ingest::ingest(lockfile, &options)
            .unwrap_or_else(|e| panic!("`{}`: {e}", lockfile.display()));
        let what = lockfile.display().to_string();
        validate(&validator, &inventory, &what);
        let bsi =
            cyclonedx::to_json_1_6(&inventory, &info(true), &Cdx16Extensions::default()).unwrap();
        validators
            .cyclonedx_1_6(&bsi)
            .unwrap_or_else(|e| panic!("{what}: CycloneDX 1.6 with the profile invalid:\n{e}"));
    }
}

#[test]
fn validator_rejects_broken_spdx3() {
    let Some(data) = data_dir() else { return };
    let validator = spdx3_validator(&data);
    let inventory = sample_inventory::sample().inventory;
    let bytes = depgate::report::spdx3::to_json(&inventory, &info(true)).unwrap();
    let good: Value = serde_json::from_slice(&bytes).unwrap();
    type Breakage = fn(&mut Value);
    let breakages: [(&str, Breakage); 4] = [
        ("wrong context", |d| {
            d["@context"] = "https://spdx.org/rdf/3.0/x".into()
        }),
        ("unknown property on a package", |d| {
            let graph = d["@graph"].as_array_mut().unwrap();
            let package = graph
                .iter_mut()
                .find(|e| e["type"] == "software_Package")
                .unwrap();
            package["packageVersion"] = "1".into();
        }),
        ("hash algorithm not in the vocabulary", |d| {
            let graph = d["@graph"].as_array_mut().unwrap();
            let hashed = graph
                .iter_mut()
                .find(|e| e.get("verifiedUsing").is_some())
                .unwrap();
            hashed["verifiedUsing"][0]["algorithm"] = "sha-256".into();
        }),
        ("relationship type not in the vocabulary", |d| {
            let graph = d["@graph"].as_array_mut().unwrap();
            let relationship = graph
                .iter_mut()
                .find(|e| e["type"] == "Relationship")
                .unwrap();
            relationship["relationshipType"] = "depends_on".into();
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        let bytes = serde_json::to_vec(&broken).unwrap();
        assert!(
            Validators::json(&validator, &bytes).is_err(),
            "the SPDX 3 schema accepted a document with {what}"
        );
    }
    // A dangling reference passes the schema; the consistency check catches it.
    let mut dangling = good.clone();
    let graph = dangling["@graph"].as_array_mut().unwrap();
    let relationship = graph
        .iter_mut()
        .find(|e| e["type"] == "Relationship")
        .unwrap();
    relationship["to"] = serde_json::json!(["https://example.org/nothing#here"]);
    assert!(consistency(&dangling).is_err());
}

#[test]
fn merged_real_sboms_give_valid_documents() {
    let Some(data) = data_dir() else { return };
    let validator = spdx3_validator(&data);
    let validators = Validators::load(&data);
    let inputs: Vec<(String, Inventory)> = [
        "sboms/spdx/kubectl-image_syft-0.90.0.spdx-2.3.json",
        "sboms/cyclonedx/alpine-latest_syft-0.58.0.cdx-1.4.json",
        "sboms/cyclonedx/juice-shop-11.1.2_cyclonedx-npm-1.9.2_flat.cdx-1.4.json",
    ]
    .iter()
    .map(|file| {
        let inventory = depgate::ingest::ingest_sbom(&data.join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        (file.to_string(), inventory)
    })
    .collect();
    let sizes: usize = inputs.iter().map(|(_, i)| i.packages().len()).sum();
    let (merged, _) = depgate::inventory::combine::combine(inputs);
    assert!(merged.packages().len() <= sizes);
    assert_eq!(merged.roots().len(), 3);
    let mut info = info(true);
    info.origin = DocumentOrigin::Converted;
    let bytes = depgate::report::spdx3::to_json(&merged, &info).unwrap();
    Validators::json(&validator, &bytes).unwrap_or_else(|e| panic!("merged SPDX 3:\n{e}"));
    consistency(&serde_json::from_slice(&bytes).unwrap()).unwrap();
    let cdx = cyclonedx::to_json_1_6(&merged, &info, &Cdx16Extensions::default()).unwrap();
    validators
        .cyclonedx_1_6(&cdx)
        .unwrap_or_else(|e| panic!("merged CycloneDX 1.6:\n{e}"));
}
