//! Every SBOM depgate writes validates against the official schemas: CycloneDX 1.5 and 1.6 JSON
//! Schema, the CycloneDX 1.5 XSD (with `xmllint`, offline through the schema folder's XML
//! catalog) and the SPDX 2.3 JSON Schema — for hand-made inventories and for every `Cargo.lock`
//! under `../shared/data/lockfiles`. The validators are shown to reject broken documents.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use depgate::ingest::{IngestError, IngestOptions};
use depgate::inventory::Inventory;
use depgate::report::DocumentInfo;
use depgate::report::cyclonedx::{self, Cdx16Extensions};
use serde_json::{Value, json};

use crate::data_dir;
#[path = "../support/sample_inventory.rs"]
pub(crate) mod sample_inventory;

/// Resolves `$ref`s between schemas from one local folder by file name; never the network.
/// (The CycloneDX schemas' `$id`s are `http://cyclonedx.org/schema/…` and they refer to
/// `spdx.schema.json` and `jsf-0.82.schema.json` relative to that.)
pub(crate) struct LocalSchemas {
    dir: PathBuf,
}

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let path = self.dir.join(&name);
        if name.is_empty() || !path.is_file() {
            return Err(format!("schema `{uri}` is not in `{}`", self.dir.display()).into());
        }
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }
}

/// The official validators.
pub(crate) struct Validators {
    cyclonedx_dir: PathBuf,
    cdx15: jsonschema::Validator,
    cdx16: jsonschema::Validator,
    spdx23: jsonschema::Validator,
}

/// A validator for `schema` whose `$ref`s resolve from `dir` by file name, never the network.
pub(crate) fn json_validator(schema: &Path, dir: &Path) -> jsonschema::Validator {
    let contents: Value = serde_json::from_slice(&std::fs::read(schema).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(LocalSchemas {
            dir: dir.to_path_buf(),
        })
        .build(&contents)
        .unwrap_or_else(|e| panic!("cannot compile `{}`: {e}", schema.display()))
}

impl Validators {
    pub(crate) fn load(data: &Path) -> Self {
        let cyclonedx_dir = data.join("cyclonedx-schema/schema");
        let spdx_dir = data.join("spdx/schemas");
        Validators {
            cdx15: json_validator(&cyclonedx_dir.join("bom-1.5.schema.json"), &cyclonedx_dir),
            cdx16: json_validator(&cyclonedx_dir.join("bom-1.6.schema.json"), &cyclonedx_dir),
            spdx23: json_validator(&spdx_dir.join("spdx-schema-2.3.json"), &spdx_dir),
            cyclonedx_dir,
        }
    }

    /// Validates a JSON document; `Err` lists every schema error.
    pub(crate) fn json(validator: &jsonschema::Validator, bytes: &[u8]) -> Result<(), String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    fn cyclonedx_1_5(&self, bytes: &[u8]) -> Result<(), String> {
        Self::json(&self.cdx15, bytes)?;
        cyclonedx_references(bytes)
    }

    pub(crate) fn cyclonedx_1_6(&self, bytes: &[u8]) -> Result<(), String> {
        Self::json(&self.cdx16, bytes)?;
        cyclonedx_references(bytes)
    }

    fn spdx_2_3(&self, bytes: &[u8]) -> Result<(), String> {
        Self::json(&self.spdx23, bytes)?;
        spdx_consistency(bytes)
    }

    /// Validates CycloneDX 1.5 XML against `bom-1.5.xsd` with `xmllint --nonet`; the XSD
    /// imports `http://cyclonedx.org/schema/spdx`, which the folder's `xmlcatalog.xml` maps to
    /// the local `spdx.xsd`.
    fn cyclonedx_xml_1_5(&self, bytes: &[u8]) -> Result<(), String> {
        let mut file = tempfile::Builder::new().suffix(".xml").tempfile().unwrap();
        file.write_all(bytes).unwrap();
        let output = Command::new("xmllint")
            .env(
                "XML_CATALOG_FILES",
                self.cyclonedx_dir.join("xmlcatalog.xml"),
            )
            .args(["--noout", "--nonet", "--schema"])
            .arg(self.cyclonedx_dir.join("bom-1.5.xsd"))
            .arg(file.path())
            .output();
        let output = match output {
            Ok(output) => output,
            // CI (`DEPGATE_REQUIRE_DATA=1`) installs xmllint and must run this check; a developer
            // machine without it is told loudly that the XSD check was skipped.
            Err(e) if std::env::var("DEPGATE_REQUIRE_DATA").as_deref() != Ok("1") => {
                eprintln!(
                    "SKIPPED: XSD validation: cannot run `xmllint` ({e}); install libxml2-utils"
                );
                return Ok(());
            }
            Err(e) => {
                panic!("cannot run `xmllint` ({e}): install it (Debian/Ubuntu: libxml2-utils)")
            }
        };
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        // A schema that failed to load (an unresolved import) must not pass as "valid".
        if output.status.success() && !stderr.contains("failed to load") {
            Ok(())
        } else {
            Err(stderr)
        }
    }
}

/// What JSON Schema cannot check in CycloneDX: bom-refs are unique, every dependency ref names
/// a component (or the subject), and every component has a dependency entry.
fn cyclonedx_references(bytes: &[u8]) -> Result<(), String> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let mut refs = BTreeSet::new();
    let subject = document["metadata"]["component"]["bom-ref"]
        .as_str()
        .ok_or("no metadata.component bom-ref")?;
    refs.insert(subject.to_string());
    for component in document["components"].as_array().ok_or("no components")? {
        let bom_ref = component["bom-ref"]
            .as_str()
            .ok_or("component without bom-ref")?;
        if !refs.insert(bom_ref.to_string()) {
            return Err(format!("duplicate bom-ref `{bom_ref}`"));
        }
    }
    let mut described = BTreeSet::new();
    for dependency in document["dependencies"]
        .as_array()
        .ok_or("no dependencies")?
    {
        let from = dependency["ref"].as_str().ok_or("dependency without ref")?;
        if !refs.contains(from) || !described.insert(from.to_string()) {
            return Err(format!("dependency ref `{from}` unknown or repeated"));
        }
        let depends_on: Vec<&str> = dependency["dependsOn"]
            .as_array()
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if depends_on.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err(format!("dependsOn of `{from}` is not sorted and unique"));
        }
        if let Some(missing) = depends_on.iter().find(|to| !refs.contains(**to)) {
            return Err(format!("`{from}` depends on unknown `{missing}`"));
        }
    }
    if described != refs {
        return Err("not every component has a dependencies entry".to_string());
    }
    Ok(())
}

/// What the (loose) SPDX 2.3 JSON Schema does not check: SPDXID syntax and uniqueness,
/// relationships between existing elements, licenseDeclared a valid SPDX expression (or
/// NOASSERTION) whose `LicenseRef-`s are all defined, and a namespace without `#`.
fn spdx_consistency(bytes: &[u8]) -> Result<(), String> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let namespace = document["documentNamespace"]
        .as_str()
        .ok_or("no namespace")?;
    if namespace.contains('#') || !namespace.starts_with("https://") {
        return Err(format!("bad documentNamespace `{namespace}`"));
    }
    let defined: BTreeSet<&str> = document["hasExtractedLicensingInfos"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|l| l["licenseId"].as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut ids = BTreeSet::from(["SPDXRef-DOCUMENT".to_string()]);
    for package in document["packages"].as_array().ok_or("no packages")? {
        let id = package["SPDXID"].as_str().ok_or("package without SPDXID")?;
        let valid = id.strip_prefix("SPDXRef-").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        });
        if !valid || !ids.insert(id.to_string()) {
            return Err(format!("bad or duplicate SPDXID `{id}`"));
        }
        let declared = package["licenseDeclared"]
            .as_str()
            .ok_or("no licenseDeclared")?;
        if declared != "NOASSERTION" {
            let expression = spdx::Expression::parse(declared)
                .map_err(|e| format!("`{id}` licenseDeclared `{declared}`: {e}"))?;
            for requirement in expression.requirements() {
                if let spdx::LicenseItem::Other(reference) = &requirement.req.license {
                    let license_ref = format!("LicenseRef-{}", reference.lic_ref);
                    if reference.doc_ref.is_some() || !defined.contains(license_ref.as_str()) {
                        return Err(format!("`{id}` uses undefined `{license_ref}`"));
                    }
                }
            }
        }
    }
    let mut describes = 0;
    for relationship in document["relationships"]
        .as_array()
        .ok_or("no relationships")?
    {
        let subject = relationship["spdxElementId"].as_str().unwrap_or_default();
        let object = relationship["relatedSpdxElement"]
            .as_str()
            .unwrap_or_default();
        if !ids.contains(subject) || !ids.contains(object) {
            return Err(format!(
                "relationship `{subject}` -> `{object}` names unknown elements"
            ));
        }
        if relationship["relationshipType"] == "DESCRIBES" {
            describes += 1;
        }
    }
    if describes == 0 && ids.len() > 1 {
        return Err("the document has packages but DESCRIBES none".to_string());
    }
    Ok(())
}

fn info(name: &str) -> DocumentInfo {
    DocumentInfo::new(
        name,
        time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
    )
}

/// Renders all four documents of an inventory and validates each; `what` names the input.
pub(crate) fn validate_all(validators: &Validators, inventory: &Inventory, what: &str) {
    let info = info("validation");
    let cdx15 = cyclonedx::to_json_1_5(inventory, &info).unwrap();
    validators
        .cyclonedx_1_5(&cdx15)
        .unwrap_or_else(|e| panic!("{what}: CycloneDX 1.5 JSON invalid:\n{e}"));
    let cdx16 = cyclonedx::to_json_1_6(inventory, &info, &Cdx16Extensions::default()).unwrap();
    validators
        .cyclonedx_1_6(&cdx16)
        .unwrap_or_else(|e| panic!("{what}: CycloneDX 1.6 JSON invalid:\n{e}"));
    let xml = cyclonedx::to_xml_1_5(inventory, &info).unwrap();
    validators
        .cyclonedx_xml_1_5(&xml)
        .unwrap_or_else(|e| panic!("{what}: CycloneDX 1.5 XML invalid:\n{e}"));
    let spdx = depgate::report::spdx::to_json(inventory, &info).unwrap();
    validators
        .spdx_2_3(&spdx)
        .unwrap_or_else(|e| panic!("{what}: SPDX 2.3 JSON invalid:\n{e}"));
}

#[test]
fn hand_made_inventories_give_valid_sboms() {
    let Some(data) = data_dir() else { return };
    let validators = Validators::load(&data);
    validate_all(&validators, &sample_inventory::sample().inventory, "sample");
    validate_all(&validators, &sample_inventory::two_roots(), "two roots");
    validate_all(&validators, &Inventory::new(), "empty inventory");
    validate_all(&validators, &sample_inventory::odd_strings(), "odd strings");
}

/// Every license id the spdx crate knows, declared alone by one package each: the CycloneDX
/// documents must stay schema-valid although the crate's license list is newer than the
/// schemas' `license.id` enum.
#[test]
fn every_known_license_id_gives_valid_sboms() {
    use depgate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Location, Package};
    let Some(data) = data_dir() else { return };
    let validators = Validators::load(&data);
    let mut inventory = Inventory::new();
    let root = inventory.add_package(Package::new(
        Ecosystem::Cargo,
        "licenses",
        "1.0.0",
        Location {
            file: "Cargo.lock".into(),
            line: None,
        },
    ));
    inventory.add_root(root);
    for license in spdx::identifiers::LICENSES {
        let mut package = Package::new(
            Ecosystem::Cargo,
            format!("uses-{}", license.name),
            "1.0.0",
            Location {
                file: "Cargo.lock".into(),
                line: None,
            },
        );
        package.purl = Some(format!("pkg:cargo/uses-{}@1.0.0", license.name));
        package.license = Some(LicenseInfo {
            expression: license.name.to_string(),
            origin: LicenseOrigin::Manifest,
            confidence: 1.0,
            file: None,
        });
        let id = inventory.add_package(package);
        inventory.add_edge(depgate::inventory::Edge::normal(root, id));
    }
    validate_all(&validators, &inventory, "every SPDX license id");
}

/// A named way to break a valid document.
type Breakage = (&'static str, fn(&mut Value));

#[test]
fn validators_reject_broken_documents() {
    let Some(data) = data_dir() else { return };
    let validators = Validators::load(&data);
    let inventory = sample_inventory::sample().inventory;
    let info = info("broken");

    let cdx15: Value =
        serde_json::from_slice(&cyclonedx::to_json_1_5(&inventory, &info).unwrap()).unwrap();
    let cdx16: Value = serde_json::from_slice(
        &cyclonedx::to_json_1_6(&inventory, &info, &Cdx16Extensions::default()).unwrap(),
    )
    .unwrap();
    let breakages: [Breakage; 4] = [
        ("unknown scope", |d| {
            d["components"][0]["scope"] = json!("sometimes")
        }),
        ("short hash", |d| {
            d["components"][1]["hashes"] = json!([{"alg": "SHA-256", "content": "abc"}])
        }),
        ("no bomFormat", |d| {
            d.as_object_mut().unwrap().remove("bomFormat");
        }),
        ("random serial", |d| d["serialNumber"] = json!("not-a-uuid")),
    ];
    for (what, breakage) in breakages {
        for (version, document) in [("1.5", &cdx15), ("1.6", &cdx16)] {
            let mut broken = document.clone();
            breakage(&mut broken);
            let bytes = serde_json::to_vec(&broken).unwrap();
            let result = if version == "1.5" {
                validators.cyclonedx_1_5(&bytes)
            } else {
                validators.cyclonedx_1_6(&bytes)
            };
            assert!(result.is_err(), "CycloneDX {version} with {what} passed");
        }
    }
    // A dependency on a component that is not there: valid JSON Schema, caught by our checks.
    let mut dangling = cdx16.clone();
    dangling["dependencies"][0]["dependsOn"] = json!(["pkg:cargo/ghost@1.0.0"]);
    assert!(
        validators
            .cyclonedx_1_6(&serde_json::to_vec(&dangling).unwrap())
            .is_err()
    );

    let xml = String::from_utf8(cyclonedx::to_xml_1_5(&inventory, &info).unwrap()).unwrap();
    assert!(validators.cyclonedx_xml_1_5(xml.as_bytes()).is_ok());
    let broken_xml = xml.replacen("<scope>required</scope>", "<scope>sometimes</scope>", 1);
    assert_ne!(broken_xml, xml);
    assert!(validators.cyclonedx_xml_1_5(broken_xml.as_bytes()).is_err());
    let unknown_id = xml.replacen("<id>MIT</id>", "<id>Not-A-License</id>", 1);
    assert_ne!(unknown_id, xml);
    assert!(validators.cyclonedx_xml_1_5(unknown_id.as_bytes()).is_err());

    let spdx: Value =
        serde_json::from_slice(&depgate::report::spdx::to_json(&inventory, &info).unwrap())
            .unwrap();
    let spdx_breakages: [Breakage; 4] = [
        ("no spdxVersion", |d| {
            d.as_object_mut().unwrap().remove("spdxVersion");
        }),
        ("unknown checksum algorithm", |d| {
            let package = d["packages"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|p| p.get("checksums").is_some())
                .unwrap();
            package["checksums"][0]["algorithm"] = json!("SHA-256");
        }),
        ("invalid SPDXID", |d| {
            d["packages"][0]["SPDXID"] = json!("SPDXRef-a/b")
        }),
        ("messy licenseDeclared", |d| {
            d["packages"][0]["licenseDeclared"] = json!("MIT/Apache-2.0")
        }),
    ];
    for (what, breakage) in spdx_breakages {
        let mut broken = spdx.clone();
        breakage(&mut broken);
        let bytes = serde_json::to_vec(&broken).unwrap();
        assert!(
            validators.spdx_2_3(&bytes).is_err(),
            "SPDX with {what} passed"
        );
    }
}

pub(crate) fn cargo_lockfiles(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            cargo_lockfiles(&path, found);
        } else if path.file_name().is_some_and(|name| name == "Cargo.lock") {
            found.push(path);
        }
    }
}

#[test]
fn every_cargo_lockfile_gives_valid_sboms() {
    let Some(data) = data_dir() else { return };
    let validators = Validators::load(&data);
    let mut lockfiles = Vec::new();
    cargo_lockfiles(&data.join("lockfiles"), &mut lockfiles);
    assert!(
        lockfiles.len() >= 8,
        "expected the Cargo.lock files incl. ripgrep history, found {lockfiles:?}"
    );
    let options = IngestOptions {
        offline: true,
        ..IngestOptions::default()
    };
    let mut validated = 0;
    for lockfile in &lockfiles {
        let inventory = match depgate::ingest::ingest(lockfile, &options) {
            Ok(inventory) => inventory,
            // Cargo.lock ingest is built on another branch; until it lands, say so loudly.
            Err(IngestError::Unsupported {
                hint: Some(hint), ..
            }) if hint.contains("being built") => {
                eprintln!(
                    "SKIPPED: `{}`: Cargo.lock ingest is not in this build yet",
                    lockfile.display()
                );
                continue;
            }
            Err(error) => panic!("`{}`: {error}", lockfile.display()),
        };
        let what = lockfile.display().to_string();
        validate_all(&validators, &inventory, &what);
        // Every package with a purl is a component exactly once, under that purl.
        let document: Value =
            serde_json::from_slice(&cyclonedx::to_json_1_5(&inventory, &info("count")).unwrap())
                .unwrap();
        let mut purls: BTreeMap<String, usize> = BTreeMap::new();
        for component in document["components"].as_array().unwrap() {
            if let Some(purl) = component["purl"].as_str() {
                *purls.entry(purl.to_string()).or_default() += 1;
            }
        }
        for package in inventory.packages() {
            if let Some(purl) = &package.purl {
                assert_eq!(purls.get(purl), Some(&1), "{what}: `{purl}`");
            }
        }
        validated += 1;
    }
    eprintln!(
        "validated the SBOMs of {validated} of {} lockfiles",
        lockfiles.len()
    );
}
