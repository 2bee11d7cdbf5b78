//! `depgate sbom merge`: components deduplicated by purl across formats, hashes merged,
//! conflicting licenses reported, each input's subject under one synthetic root, every output
//! format, byte-reproducible output, and usage and input errors.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::common::{depgate, fixture};

const EPOCH: &str = "1700000000";

fn merge(format: &str, out: &std::path::Path) -> std::process::Output {
    depgate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["sbom", "merge", "--format", format])
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg(fixture("sbom-merge/api.spdx.json"))
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn shared_components_are_merged_and_both_graphs_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("product.cdx.json");
    let output = merge("cyclonedx-json", &out);
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout.is_empty(), "the SBOM goes to -o only");
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let root = &document["metadata"]["component"];
    assert_eq!(root["name"], "product");
    assert_eq!(
        root["description"],
        "Merged from web.cdx.json, api.spdx.json"
    );
    let components: BTreeMap<String, &Value> = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c))
        .collect();
    assert_eq!(
        components.keys().collect::<Vec<_>>(),
        ["api", "lodash", "react", "web"]
    );
    // SHA-1 from both inputs (once), SHA-512 from the SPDX input.
    let algorithms: Vec<&str> = components["lodash"]["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["SHA-1", "SHA-512"]);
    let dependencies: BTreeMap<&str, Vec<&str>> = document["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let to = d["dependsOn"]
                .as_array()
                .map(|l| l.iter().map(|r| r.as_str().unwrap()).collect())
                .unwrap_or_default();
            (d["ref"].as_str().unwrap(), to)
        })
        .collect();
    let root_ref = root["bom-ref"].as_str().unwrap();
    assert_eq!(dependencies[root_ref].len(), 2, "{dependencies:?}");
    let web_ref = components["web"]["bom-ref"].as_str().unwrap();
    assert!(dependencies[web_ref].contains(&"pkg:npm/lodash@4.17.21"));
    let api_ref = components["api"]["bom-ref"].as_str().unwrap();
    assert_eq!(dependencies[api_ref], ["pkg:npm/lodash@4.17.21"]);
    // The licenses disagree: the first input's is kept, and the conflict is said.
    assert_eq!(components["lodash"]["licenses"][0]["license"]["id"], "MIT");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "merge: `pkg:npm/lodash@4.17.21` has license `MIT` in `web.cdx.json` but \
             `MIT OR CC0-1.0` in `api.spdx.json`; kept the first"
        ),
        "{stderr}"
    );
}

#[test]
fn every_output_format_and_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [
        ("cyclonedx-json", "a.cdx.json"),
        ("cyclonedx-xml", "a.cdx.xml"),
        ("spdx-json", "a.spdx.json"),
        ("spdx3-json", "a.spdx3.json"),
    ] {
        // The same file name in two directories: the merged root is named after it.
        for run in ["first", "second"] {
            std::fs::create_dir_all(dir.path().join(run)).unwrap();
        }
        let first = dir.path().join("first").join(name);
        let second = dir.path().join("second").join(name);
        assert!(merge(format, &first).status.success(), "{format}");
        assert!(merge(format, &second).status.success(), "{format}");
        let (first, second) = (
            std::fs::read(first).unwrap(),
            std::fs::read(second).unwrap(),
        );
        assert!(first == second, "{format}: not byte-reproducible");
        let text = String::from_utf8(first).unwrap();
        assert!(text.contains("lodash"), "{format}");
    }
    // SPDX 3: one package per distinct purl, both subjects as roots of a product package.
    let spdx3: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("first/a.spdx3.json")).unwrap())
            .unwrap();
    let packages: Vec<&Value> = spdx3["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "software_Package")
        .collect();
    assert_eq!(packages.iter().filter(|p| p["name"] == "lodash").count(), 1);
}

#[test]
fn a_lockfile_and_an_sbom_merge_and_the_profile_applies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mixed.spdx3.json");
    let output = depgate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("CARGO_HOME", dir.path().join("no-cargo-home"))
        .args(["sbom", "merge", "--offline", "--format", "spdx3-json"])
        .args(["--profile", "bsi-tr-03183-2", "--name", "suite"])
        .arg(fixture("cargo/sbom-small/Cargo.lock"))
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let graph = document["@graph"].as_array().unwrap();
    let product = graph
        .iter()
        .find(|e| e["type"] == "software_Package" && e["name"] == "suite");
    assert!(
        product.is_none(),
        "no artifact or supplier: the subjects are the roots"
    );
    let sbom = graph.iter().find(|e| e["type"] == "software_Sbom").unwrap();
    assert_eq!(sbom["rootElement"].as_array().unwrap().len(), 2);
    // A converted SBOM is among the inputs: completeness is not claimed.
    let completeness: Vec<&Value> = graph
        .iter()
        .filter(|e| e["relationshipType"] == "dependsOn")
        .map(|e| &e["completeness"])
        .collect();
    assert!(
        completeness.iter().all(|c| *c == "noAssertion"),
        "{completeness:?}"
    );
    assert!(sbom.get("software_sbomType").is_none());
}

#[test]
fn usage_and_input_errors_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let one_input = depgate()
        .args(["sbom", "merge"])
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(one_input.status.code(), Some(2));
    let no_output = depgate()
        .args(["sbom", "merge"])
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg(fixture("sbom-merge/api.spdx.json"))
        .output()
        .unwrap();
    assert_eq!(no_output.status.code(), Some(2));
    let missing = depgate()
        .args(["sbom", "merge"])
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg("/nonexistent/other.cdx.json")
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/other.cdx.json"));
    let broken = dir.path().join("broken.cdx.json");
    std::fs::write(&broken, "{\"bomFormat\": \"CycloneDX\", ").unwrap();
    let malformed = depgate()
        .args(["sbom", "merge"])
        .arg(fixture("sbom-merge/web.cdx.json"))
        .arg(&broken)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(malformed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&malformed.stderr).contains("broken.cdx.json"));
    assert!(!out.exists());
}
