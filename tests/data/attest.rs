//! Attestations validate against the official CycloneDX 1.6 JSON schema, for a passing and a
//! failing verdict, as plain JSF-signed documents and as the predicate of a DSSE envelope.

use std::path::{Path, PathBuf};

use base64::Engine;
use depgate::attest::{EnvelopeFormat, render_attestation};
use serde_json::Value;

#[path = "../it/attest_fixture.rs"]
mod attest_fixture;

use attest_fixture::*;

/// Resolves the schema's `$ref`s to `spdx.schema.json` and `jsf-0.82.schema.json` from the
/// local copies; anything else is an error (tests never touch the network).
struct LocalSchemas {
    dir: PathBuf,
}

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        match name {
            "spdx.schema.json" | "jsf-0.82.schema.json" => {
                let text = std::fs::read_to_string(self.dir.join(name))?;
                Ok(serde_json::from_str(&text)?)
            }
            _ => Err(format!("no local copy of `{uri}`").into()),
        }
    }
}

fn validator(schema_dir: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(schema_dir.join("bom-1.6.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .with_retriever(LocalSchemas {
            dir: schema_dir.to_path_buf(),
        })
        .build(&schema)
        .unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|error| format!("{} at `{}`", error, error.instance_path))
        .collect()
}

#[test]
fn attestations_validate_against_the_cyclonedx_1_6_schema() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let validator = validator(&data.join("cyclonedx-schema/schema"));

    // The validator is not vacuous: the official valid test document passes and a broken
    // copy of it fails.
    let official: Value = serde_json::from_str(
        &std::fs::read_to_string(
            data.join("cyclonedx-schema/test-boms/1.6/valid-attestation-1.6.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(schema_errors(&validator, &official), Vec::<String>::new());

    for (label, evaluation) in [
        ("passing", passing_evaluation()),
        ("failing", failing_evaluation()),
    ] {
        let inputs = inputs();
        let fixture = input(&evaluation, &inputs, bom(&default_components()));
        let bytes = render_attestation(&fixture, &key(), EnvelopeFormat::Jsf).unwrap();
        let document: Value = serde_json::from_slice(&bytes).unwrap();
        let errors = schema_errors(&validator, &document);
        assert!(errors.is_empty(), "{label} attestation: {errors:#?}");

        let mut broken = document.clone();
        broken["declarations"]["attestations"][0]["map"][0]["conformance"]["score"] = 2.into();
        assert!(
            !schema_errors(&validator, &broken).is_empty(),
            "{label}: a score of 2 must not validate"
        );
        let mut broken = document.clone();
        broken["signature"]["algorithm"] = "not an algorithm".into();
        assert!(
            !schema_errors(&validator, &broken).is_empty(),
            "{label}: an unknown JSF algorithm must not validate"
        );

        // The predicate of the DSSE form is the same schema-valid document.
        let bytes = render_attestation(&fixture, &key(), EnvelopeFormat::Dsse).unwrap();
        let envelope: Value = serde_json::from_slice(&bytes).unwrap();
        let payload = base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap();
        let statement: Value = serde_json::from_slice(&payload).unwrap();
        // The payload is in RFC 8785 form (1.0 is written `1`), so compare canonical bytes.
        assert_eq!(
            depgate::attest::jcs::canonicalize(&statement["predicate"]).unwrap(),
            depgate::attest::jcs::canonicalize(&document).unwrap(),
            "{label}"
        );
        assert!(
            schema_errors(&validator, &statement["predicate"]).is_empty(),
            "{label}"
        );
    }
}

/// Runs `depgate attest` on a copy of `tests/fixtures/attest/<scenario>` with the attestation
/// test policy and advisory database; returns the exit code and the document.
fn attest_with_the_binary(scenario: &str) -> (Option<i32>, Value) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(
        fixtures.join(format!("attest/{scenario}/Cargo.lock")),
        project.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::copy(
        fixtures.join("attest/policy/depgate.toml"),
        project.join("depgate.toml"),
    )
    .unwrap();
    let key = dir.path().join("ci.key");
    std::fs::write(
        &key,
        depgate::attest::keys::private_key_pem(&ed25519_dalek::SigningKey::from_bytes(&[9; 32]))
            .unwrap(),
    )
    .unwrap();
    let out = dir.path().join("attestation.cdx.json");
    let output = assert_cmd::Command::cargo_bin("depgate")
        .unwrap()
        .arg("attest")
        .arg(&project)
        .arg("--key")
        .arg(&key)
        .arg("-o")
        .arg(&out)
        .arg("--advisory-db")
        .arg(fixtures.join("advisories/attest"))
        .arg("--allow-stale-db")
        .env("DEPGATE_CACHE", dir.path().join("cache"))
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(
        out.exists(),
        "{scenario}: no attestation written; stderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    (output.status.code(), document)
}

#[test]
fn cli_attestations_validate_against_the_cyclonedx_1_6_schema() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let validator = validator(&data.join("cyclonedx-schema/schema"));
    for (scenario, code, verdict) in [("passing", 0, "pass"), ("failing", 1, "fail")] {
        let (exit, document) = attest_with_the_binary(scenario);
        assert_eq!(exit, Some(code), "{scenario}: exit code");
        let recorded = document["metadata"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "depgate:verdict")
            .map(|p| p["value"].clone());
        assert_eq!(recorded, Some(Value::from(verdict)), "{scenario}");
        let errors = schema_errors(&validator, &document);
        assert!(errors.is_empty(), "{scenario} attestation: {errors:#?}");
        // The document is a real attestation, not an SBOM that happens to validate.
        assert!(
            document["declarations"]["attestations"][0]["map"]
                .as_array()
                .is_some_and(|map| !map.is_empty()),
            "{scenario}"
        );
    }
}
