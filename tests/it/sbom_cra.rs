//! `depgate sbom` for the Cyber Resilience Act: SPDX 3.0.1 JSON-LD output and the
//! `bsi-tr-03183-2` profile (product facts from flags, SHA-512 of cached artefacts, BSI
//! properties, completeness, a warning with a count per field depgate cannot fill).

use std::path::Path;

use serde_json::Value;
use sha2::Digest;

use crate::common::{depgate, fixture};

const EPOCH: &str = "1700000000";

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The elements of an SPDX 3 document of one `type`.
fn of_type<'a>(document: &'a Value, kind: &str) -> Vec<&'a Value> {
    document["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|element| element["type"] == kind)
        .collect()
}

/// A project whose one dependency's `.crate` archive sits in a cargo home's download cache,
/// with the lockfile's checksum matching it. Returns (project dir, cargo home, archive bytes).
fn cached_crate(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let archive = b"not really a gzip, but bytes to hash".to_vec();
    let checksum = hex::encode(sha2::Sha256::digest(&archive));
    let home = dir.join("cargo-home");
    let cache = home.join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("leaf-1.2.3.crate"), &archive).unwrap();
    let project = dir.join("product");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("Cargo.lock"),
        format!(
            "version = 3\n\n[[package]]\nname = \"leaf\"\nversion = \"1.2.3\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n\
             checksum = \"{checksum}\"\n\n[[package]]\nname = \"product\"\n\
             version = \"0.1.0\"\ndependencies = [\n \"leaf\",\n]\n"
        ),
    )
    .unwrap();
    (project, home, archive)
}

#[test]
fn spdx3_has_packages_licenses_purls_hashes_and_dependencies() {
    let output = depgate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["sbom", "--format", "spdx3-json", "--offline"])
        .arg(fixture("cargo/sbom-small/Cargo.lock"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document = parse(&output.stdout);
    assert_eq!(
        document["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    let creation = &document["@graph"][0];
    assert_eq!(creation["type"], "CreationInfo");
    assert_eq!(creation["created"], "2023-11-14T22:13:20Z");
    let packages = of_type(&document, "software_Package");
    let names: Vec<&str> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let hex = packages.iter().find(|p| p["name"] == "hex").unwrap();
    assert_eq!(hex["software_packageUrl"], "pkg:cargo/hex@0.4.3");
    assert_eq!(
        hex["externalIdentifier"][0]["externalIdentifierType"],
        "packageUrl"
    );
    assert_eq!(hex["verifiedUsing"][0]["algorithm"], "sha256");
    assert_eq!(hex["software_primaryPurpose"], "library");
    let root = packages.iter().find(|p| p["name"] == "sbom-small").unwrap();
    let sbom = of_type(&document, "software_Sbom");
    assert_eq!(sbom[0]["rootElement"], serde_json::json!([root["spdxId"]]));
    let depends: Vec<&Value> = of_type(&document, "Relationship")
        .into_iter()
        .filter(|r| r["relationshipType"] == "dependsOn")
        .collect();
    assert_eq!(depends.len(), 1);
    assert_eq!(depends[0]["from"], root["spdxId"]);
    assert_eq!(depends[0]["to"].as_array().unwrap().len(), 2);
    // A plain SBOM makes no completeness claim and names no creator of components.
    assert!(depends[0].get("completeness").is_none());
    assert!(hex.get("originatedBy").is_none());
}

#[test]
fn spdx3_is_reproducible_and_its_namespace_follows_content() {
    let run = |lockfile: &str| {
        depgate()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args(["sbom", "--format", "spdx3-json", "--offline"])
            .arg(fixture(lockfile))
            .output()
            .unwrap()
            .stdout
    };
    let first = run("cargo/sbom-small/Cargo.lock");
    assert_eq!(first, run("cargo/sbom-small/Cargo.lock"));
    let other = run("cargo/v3/Cargo.lock");
    let namespace = |bytes: &[u8]| {
        let document = parse(bytes);
        let id = document["@graph"][0]["createdBy"][0]
            .as_str()
            .unwrap()
            .to_string();
        id.split('#').next().unwrap().to_string()
    };
    assert_ne!(namespace(&first), namespace(&other));
}

#[test]
fn bsi_profile_fills_what_it_can_and_counts_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let (project, home, archive) = cached_crate(dir.path());
    let artifact = dir.path().join("product.tar.gz");
    std::fs::write(&artifact, [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    let output = depgate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("CARGO_HOME", &home)
        .args(["sbom", "--offline", "--profile", "bsi-tr-03183-2"])
        .args(["--creator", "Release Team <release@example.org>"])
        .args(["--supplier", "ACME <https://acme.example>"])
        .arg("--artifact")
        .arg(&artifact)
        .arg(&project)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document = parse(&output.stdout);
    assert_eq!(document["specVersion"], "1.6");
    let metadata = &document["metadata"];
    assert_eq!(metadata["authors"][0]["email"], "release@example.org");
    assert_eq!(
        metadata["manufacturer"]["contact"][0]["email"],
        "release@example.org"
    );
    assert_eq!(metadata["supplier"]["url"][0], "https://acme.example");
    let product = &metadata["component"];
    let property = |component: &Value, name: &str| -> Option<String> {
        component["properties"]
            .as_array()?
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(
        property(product, "bsi:component:filename").as_deref(),
        Some("product.tar.gz")
    );
    assert_eq!(
        property(product, "bsi:component:archive").as_deref(),
        Some("archive")
    );
    assert!(
        product["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["alg"] == "SHA-512")
    );
    let leaf = &document["components"][0];
    assert_eq!(leaf["name"], "leaf");
    assert_eq!(
        property(leaf, "bsi:component:filename").as_deref(),
        Some("leaf-1.2.3.crate")
    );
    assert_eq!(
        property(leaf, "bsi:component:executable").as_deref(),
        Some("non-executable")
    );
    assert_eq!(
        property(leaf, "bsi:component:structured").as_deref(),
        Some("structured")
    );
    let sha512 = hex::encode(sha2::Sha512::digest(&archive));
    assert!(
        leaf["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["alg"] == "SHA-512" && h["content"] == sha512.as_str()),
        "{leaf}"
    );
    assert_eq!(document["compositions"][0]["aggregate"], "complete");
    // No manifest on this machine names leaf's creator or license: said, with a count.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("BSI TR-03183-2: component creator (e-mail or URL) missing for 1 component"),
        "{stderr}"
    );
    assert!(
        stderr.contains("distribution licences missing for 1 component"),
        "{stderr}"
    );
    assert!(!stderr.contains("SBOM creator"), "{stderr}");
    assert!(!stderr.contains("filename missing"), "{stderr}");
}

#[test]
fn bsi_profile_in_spdx3_links_artefacts_and_states_completeness() {
    let dir = tempfile::tempdir().unwrap();
    let (project, home, _) = cached_crate(dir.path());
    let output = depgate()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("CARGO_HOME", &home)
        .args([
            "sbom",
            "--offline",
            "--format",
            "spdx3-json",
            "--profile",
            "bsi-tr-03183-2",
        ])
        .arg(&project)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document = parse(&output.stdout);
    let files = of_type(&document, "software_File");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "leaf-1.2.3.crate");
    assert_eq!(files[0]["verifiedUsing"][0]["algorithm"], "sha512");
    assert_eq!(
        files[0]["software_additionalPurpose"],
        serde_json::json!(["archive", "container"])
    );
    let relationships = of_type(&document, "Relationship");
    assert!(
        relationships
            .iter()
            .any(|r| r["relationshipType"] == "hasDistributionArtifact"
                && r["to"][0] == files[0]["spdxId"])
    );
    for depends in relationships
        .iter()
        .filter(|r| r["relationshipType"] == "dependsOn")
    {
        assert_eq!(depends["completeness"], "complete", "{depends}");
    }
    // Without `--creator`, the document's creator is the tool, and the warning says so.
    assert_eq!(of_type(&document, "SoftwareAgent").len(), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("SBOM creator (e-mail or URL) missing"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hash (SHA-512) of the product missing"),
        "{stderr}"
    );
}

#[test]
fn bsi_profile_needs_a_format_that_carries_it() {
    for format in ["spdx-json", "cyclonedx-xml"] {
        let output = depgate()
            .args(["sbom", "--format", format, "--profile", "bsi-tr-03183-2"])
            .arg(fixture("cargo/sbom-small/Cargo.lock"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("CycloneDX 1.6 or SPDX 3.0.1"), "{stderr}");
    }
    let output = depgate()
        .args([
            "sbom",
            "--profile",
            "bsi-tr-03183-2",
            "--spec-version",
            "1.5",
        ])
        .arg(fixture("cargo/sbom-small/Cargo.lock"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_missing_artifact_is_an_input_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sbom.json");
    let output = depgate()
        .args(["sbom", "--artifact", "/nonexistent/product.bin", "-o"])
        .arg(&out)
        .arg(fixture("cargo/sbom-small/Cargo.lock"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/product.bin"), "{stderr}");
    assert!(!out.exists());
}

/// Purls, licenses and `name -> name` dependency pairs of an SPDX 2.3 document (optional ones
/// included: SPDX 3 has no optional-dependency marker, so depgate writes them as `dependsOn`
/// with a comment, and they read back as plain dependencies).
type Pairs = Vec<(String, String)>;

fn spdx2_content(bytes: &[u8]) -> (Pairs, Pairs) {
    let document = parse(bytes);
    let mut names = std::collections::BTreeMap::new();
    let mut packages = Vec::new();
    for package in document["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        names.insert(
            package["SPDXID"].as_str().unwrap().to_string(),
            name.clone(),
        );
        let purl = package["externalRefs"][0]["referenceLocator"]
            .as_str()
            .unwrap_or("-");
        let license = package["licenseDeclared"].as_str().unwrap();
        packages.push((format!("{name} {purl}"), license.to_string()));
    }
    let mut edges: Vec<(String, String)> = document["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let name = |key: &str| names[r[key].as_str().unwrap()].clone();
            match r["relationshipType"].as_str().unwrap() {
                "DEPENDS_ON" => Some((name("spdxElementId"), name("relatedSpdxElement"))),
                "OPTIONAL_DEPENDENCY_OF" => {
                    Some((name("relatedSpdxElement"), name("spdxElementId")))
                }
                _ => None,
            }
        })
        .collect();
    packages.sort();
    edges.sort();
    (packages, edges)
}

#[test]
fn spdx3_output_reads_back_with_the_same_packages_licenses_and_graph() {
    let dir = tempfile::tempdir().unwrap();
    for lockfile in ["cargo/v3/Cargo.lock", "npm/lock-v3/package-lock.json"] {
        let spdx3 = dir.path().join("out.spdx3.json");
        let written = depgate()
            .args(["sbom", "--offline", "--format", "spdx3-json", "-o"])
            .arg(&spdx3)
            .arg(fixture(lockfile))
            .output()
            .unwrap();
        assert!(written.status.success(), "{written:?}");
        let direct = depgate()
            .args(["sbom", "--offline", "--format", "spdx-json"])
            .arg(fixture(lockfile))
            .output()
            .unwrap();
        let converted = depgate()
            .args(["sbom", "--format", "spdx-json", "--from"])
            .arg(&spdx3)
            .output()
            .unwrap();
        assert!(converted.status.success(), "{converted:?}");
        assert_eq!(
            spdx2_content(&direct.stdout),
            spdx2_content(&converted.stdout),
            "{lockfile}"
        );
    }
}

#[test]
fn broken_spdx3_is_an_input_error_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.spdx3.json");
    std::fs::write(
        &broken,
        "{\n  \"@context\": \"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\n  \"@graph\": [\n    {,\n  ]\n}\n",
    )
    .unwrap();
    let output = depgate()
        .args(["sbom", "--from"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.spdx3.json") && stderr.contains("line 4"),
        "{stderr}"
    );
}

#[test]
fn the_policy_sbom_section_names_creator_and_supplier() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("cargo/sbom-small/Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("depgate.toml"),
        "[policy]\nowner = \"c\"\n\n[sbom]\ncreator = \"Release Team <release@example.org>\"\n\
         supplier = \"ACME <https://acme.example>\"\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let output = depgate()
            .args(["sbom", "--offline", "--profile", "bsi-tr-03183-2"])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        parse(&output.stdout)
    };
    let document = run(&[]);
    assert_eq!(
        document["metadata"]["authors"][0]["email"],
        "release@example.org"
    );
    assert_eq!(document["metadata"]["supplier"]["name"], "ACME");
    // A flag wins over the policy.
    let document = run(&["--creator", "https://ci.example/job/1"]);
    assert_eq!(
        document["metadata"]["manufacturer"]["url"][0],
        "https://ci.example/job/1"
    );
    assert_eq!(document["metadata"]["supplier"]["name"], "ACME");
    // A broken policy stops the profile (exit 2), but a plain SBOM never reads the policy.
    std::fs::write(dir.path().join("depgate.toml"), "[sbom]\ncreator = 1\n").unwrap();
    let broken = depgate()
        .args(["sbom", "--offline", "--profile", "bsi-tr-03183-2"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("depgate.toml"));
    let plain = depgate()
        .args(["sbom", "--offline"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(plain.status.success(), "{plain:?}");
}

#[test]
fn bsi_profile_marks_a_declared_licence_as_original_and_distribution_licence() {
    let output = depgate()
        .args(["sbom", "--offline", "--profile", "bsi-tr-03183-2"])
        .arg(fixture("npm/lock-v3/package-lock.json"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document = parse(&output.stdout);
    let a = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "a")
        .unwrap();
    assert_eq!(
        a["licenses"],
        serde_json::json!([
            {"license": {"id": "MIT", "acknowledgement": "declared"}},
            {"license": {"id": "MIT", "acknowledgement": "concluded"}}
        ])
    );
    // npm's `integrity` is the SHA-512 BSI asks for, and the tarball's name is fixed.
    let property = |name: &str| {
        a["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].clone())
    };
    assert_eq!(
        property("bsi:component:filename"),
        Some("a-1.0.0.tgz".into())
    );
}
