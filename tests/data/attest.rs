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
