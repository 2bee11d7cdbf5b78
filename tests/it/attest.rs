//! Attestations: signing (JSF over RFC 8785), independent verification, tamper detection per
//! section, DSSE, determinism, drift, and the `key generate` / `verify` commands.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use depgate::attest::jsf::JsfError;
use depgate::attest::{
    EnvelopeFormat, VerifyError, build_attestation, compare, jcs, keys, render_attestation,
    sign_attestation, verify,
};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;

use crate::attest_fixture::*;
use crate::common::depgate;

fn signed(evaluation: &depgate::evaluate::Evaluation) -> Vec<u8> {
    let inputs = inputs();
    let input = input(evaluation, &inputs, bom(&default_components()));
    render_attestation(&input, &key(), EnvelopeFormat::Jsf).unwrap()
}

/// A second, deliberately simple RFC 8785 canonicaliser, sharing no code with the signing
/// path: keys sorted by UTF-16 code units, the RFC's string escapes, and numbers in the range
/// where Rust's shortest round-trip `Display` equals the ECMAScript form (integers below
/// 2^53, plain decimals in [1e-6, 1e21)). Anything else fails the test rather than guessing.
fn independent_jcs(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                assert!(integer.unsigned_abs() < (1 << 53), "integer out of range");
                out.push_str(&integer.to_string());
            } else {
                let float = number.as_f64().unwrap();
                assert!(
                    float == 0.0 || (1e-6..1e21).contains(&float.abs()),
                    "number {float} needs exponent notation"
                );
                out.push_str(&format!("{float}"));
            }
        }
        Value::String(text) => {
            out.push('"');
            for ch in text.chars() {
                match ch {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                independent_jcs(item, out);
            }
            out.push(']');
        }
        Value::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort_by_key(|key| key.encode_utf16().collect::<Vec<u16>>());
            out.push('{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                independent_jcs(&Value::String((*key).clone()), out);
                out.push(':');
                independent_jcs(&object[*key], out);
            }
            out.push('}');
        }
    }
}

#[test]
fn signature_verifies_with_independently_built_jcs_bytes() {
    let bytes = signed(&failing_evaluation());
    let mut document: Value = serde_json::from_slice(&bytes).unwrap();
    let signature = document["signature"].clone();
    assert_eq!(signature["algorithm"], "Ed25519");
    assert_eq!(signature["publicKey"]["kty"], "OKP");
    assert_eq!(signature["publicKey"]["crv"], "Ed25519");
    let value = URL_SAFE_NO_PAD
        .decode(signature["value"].as_str().unwrap())
        .unwrap();
    let signature = Signature::from_slice(&value).unwrap();

    document["signature"]
        .as_object_mut()
        .unwrap()
        .remove("value");
    let mut canonical = String::new();
    independent_jcs(&document, &mut canonical);
    // The public key comes from the fixed seed, not from the document.
    let public: VerifyingKey = key().verifying_key();
    public
        .verify_strict(canonical.as_bytes(), &signature)
        .expect("signature verifies over independently canonicalised bytes");
    // And both canonicalisers agree byte for byte.
    assert_eq!(
        jcs::canonicalize(&document).unwrap(),
        canonical.into_bytes()
    );
}

#[test]
fn library_verify_accepts_and_summarises() {
    let bytes = signed(&failing_evaluation());
    let verified = verify(&bytes, &key().verifying_key()).unwrap();
    let summary = &verified.summary;
    assert_eq!(summary.verdict, "fail");
    assert_eq!(summary.policy_name, "example-policy");
    assert_eq!(summary.policy_digest, "a".repeat(64));
    assert_eq!(summary.components, 3);
    assert_eq!(summary.inputs.get("Cargo.lock"), Some(&"b".repeat(64)));
    assert_eq!(summary.databases[0].revision, "0123abcd");
    assert_eq!(summary.evaluated_at, "2023-11-14T22:13:20Z");

    let passing = verify(&signed(&passing_evaluation()), &key().verifying_key()).unwrap();
    assert_eq!(passing.summary.verdict, "pass");
}

#[test]
fn attestation_records_rules_claims_evidence_and_waivers() {
    let evaluation = failing_evaluation();
    let inputs = inputs();
    let document =
        build_attestation(&input(&evaluation, &inputs, bom(&default_components()))).unwrap();
    let requirements = document["definitions"]["standards"][0]["requirements"]
        .as_array()
        .unwrap();
    assert_eq!(requirements.len(), 3);
    assert_eq!(requirements[1]["identifier"], "advisories.vulnerability");
    assert_eq!(
        requirements[1]["text"],
        "Known vulnerabilities must not ship"
    );

    let map = document["declarations"]["attestations"][0]["map"]
        .as_array()
        .unwrap();
    let advisories = &map[1];
    assert_eq!(
        advisories["requirement"],
        "depgate:requirement:advisories.vulnerability"
    );
    // One of the two evaluated packages fails; the third could not be evaluated.
    assert_eq!(advisories["conformance"]["score"], 0.5);
    assert_eq!(advisories["confidence"]["score"], 0.6667);
    let counter = advisories["counterClaims"][0].as_str().unwrap();
    let claims = document["declarations"]["claims"].as_array().unwrap();
    let counter_claim = claims.iter().find(|c| c["bom-ref"] == counter).unwrap();
    assert_eq!(counter_claim["target"], "pkg:cargo/openssl@0.10.0");
    assert!(
        counter_claim["reasoning"]
            .as_str()
            .unwrap()
            .contains("RUSTSEC-2023-0001")
    );

    // The waived license finding is conformant by waiver: no counter-claim, evidence kept.
    let licenses = &map[0];
    assert!(licenses.get("counterClaims").is_none());
    assert_eq!(licenses["conformance"]["score"], 1.0);
    let evidence = document["declarations"]["evidence"].as_array().unwrap();
    let waiver = evidence
        .iter()
        .find(|e| e["bom-ref"] == "depgate:evidence:waiver:left-pad-wtfpl")
        .unwrap();
    assert_eq!(waiver["expires"], "2024-06-30T23:59:59Z");
    assert!(
        waiver["description"]
            .as_str()
            .unwrap()
            .contains("legal@example.com")
    );

    let properties = document["metadata"]["properties"].as_array().unwrap();
    let property = |name: &str| {
        properties
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(property("depgate:verdict").as_deref(), Some("fail"));
    assert_eq!(property("depgate:policy:sha256"), Some("a".repeat(64)));
    assert_eq!(
        property("depgate:input:Cargo.lock"),
        Some(format!("sha256:{}", "b".repeat(64)))
    );
    assert_eq!(
        property("depgate:advisory-db:rustsec:revision").as_deref(),
        Some("0123abcd")
    );
    assert_eq!(
        property("depgate:advisory-db:rustsec:age-days").as_deref(),
        Some("1")
    );
    assert_eq!(property("depgate:example").as_deref(), Some("kept"));
    // The inventory's graph is carried over.
    assert_eq!(document["dependencies"].as_array().unwrap().len(), 4);
}

#[test]
fn two_builds_with_the_same_key_and_time_are_byte_identical() {
    for format in [EnvelopeFormat::Jsf, EnvelopeFormat::Dsse] {
        let evaluation = failing_evaluation();
        let inputs = inputs();
        let first = render_attestation(
            &input(&evaluation, &inputs, bom(&default_components())),
            &key(),
            format,
        )
        .unwrap();
        let second = render_attestation(
            &input(&evaluation, &inputs, bom(&default_components())),
            &key(),
            format,
        )
        .unwrap();
        assert_eq!(first, second, "{format:?}");
    }
}

/// Changes one value at `pointer` in a signed document and expects the signature to fail.
fn assert_tamper_detected(pointer: &str, change: impl FnOnce(&mut Value)) {
    let bytes = signed(&failing_evaluation());
    let mut document: Value = serde_json::from_slice(&bytes).unwrap();
    let target = document
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}"));
    let before = target.clone();
    change(target);
    assert_ne!(
        &before,
        document.pointer(pointer).unwrap(),
        "the test changed nothing"
    );
    let tampered = serde_json::to_vec_pretty(&document).unwrap();
    match verify(&tampered, &key().verifying_key()) {
        Err(VerifyError::Signature(JsfError::Invalid { pointer })) => assert_eq!(pointer, ""),
        other => panic!("changing `{pointer}` was not caught: {other:?}"),
    }
}

#[test]
fn changing_a_component_breaks_the_signature() {
    assert_tamper_detected("/components/1/version", |v| *v = "0.10.55".into());
}

#[test]
fn changing_a_claim_breaks_the_signature() {
    assert_tamper_detected("/declarations/claims/0/target", |v| {
        *v = "pkg:cargo/serde@1.0.200".into()
    });
}

#[test]
fn changing_evidence_breaks_the_signature() {
    assert_tamper_detected("/declarations/evidence/0/description", |v| {
        *v = format!("{} (edited)", v.as_str().unwrap()).into()
    });
}

#[test]
fn changing_a_conformance_score_breaks_the_signature() {
    assert_tamper_detected(
        "/declarations/attestations/0/map/1/conformance/score",
        |v| *v = 1.into(),
    );
}

#[test]
fn changing_metadata_breaks_the_signature() {
    let bytes = signed(&failing_evaluation());
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    let index = document["metadata"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["name"] == "depgate:policy:sha256")
        .unwrap();
    assert_tamper_detected(&format!("/metadata/properties/{index}/value"), |v| {
        *v = "c".repeat(64).into()
    });
}

#[test]
fn wrong_key_unsigned_and_non_cyclonedx_documents_are_named() {
    let bytes = signed(&passing_evaluation());
    let error = verify(&bytes, &other_key().verifying_key()).unwrap_err();
    assert!(
        matches!(error, VerifyError::Signature(JsfError::KeyMismatch { .. })),
        "{error}"
    );
    assert!(
        error.to_string().contains("not with the trusted key"),
        "{error}"
    );

    let mut document: Value = serde_json::from_slice(&bytes).unwrap();
    document.as_object_mut().unwrap().remove("signature");
    let error = verify(
        &serde_json::to_vec(&document).unwrap(),
        &key().verifying_key(),
    )
    .unwrap_err();
    assert!(
        matches!(error, VerifyError::Signature(JsfError::Missing { .. })),
        "{error}"
    );

    let error = verify(b"{\"spdxVersion\": \"SPDX-2.3\"}", &key().verifying_key()).unwrap_err();
    assert!(
        error.to_string().contains("not a CycloneDX document"),
        "{error}"
    );
    let error = verify(b"{ not json", &key().verifying_key()).unwrap_err();
    assert!(matches!(error, VerifyError::NotJson(_)), "{error}");

    // A duplicate member name could make another parser read another document.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let duplicated = text.replacen("\"bomFormat\"", "\"version\": 2,\n  \"bomFormat\"", 1);
    let error = verify(duplicated.as_bytes(), &key().verifying_key()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("duplicate member name `version`"),
        "{error}"
    );
}

#[test]
fn a_correctly_signed_but_malformed_document_reports_each_problem() {
    let evaluation = failing_evaluation();
    let inputs = inputs();
    let mut document =
        build_attestation(&input(&evaluation, &inputs, bom(&default_components()))).unwrap();
    document["declarations"]["claims"][0]["target"] = "pkg:cargo/nowhere@1.0.0".into();
    document["declarations"]["attestations"][0]["map"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    sign_attestation(&mut document, &key()).unwrap();
    let error = verify(
        &serde_json::to_vec(&document).unwrap(),
        &key().verifying_key(),
    )
    .unwrap_err();
    let VerifyError::Shape { problems } = &error else {
        panic!("expected a shape error, got {error}");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.contains("/declarations/claims/0/target") && p.contains("nowhere")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("depgate:requirement:bans.duplicates") && p.contains("not mapped")),
        "{problems:?}"
    );
}

#[test]
fn dsse_envelope_verifies_and_detects_tampering() {
    let evaluation = failing_evaluation();
    let inputs = inputs();
    let bytes = render_attestation(
        &input(&evaluation, &inputs, bom(&default_components())),
        &key(),
        EnvelopeFormat::Dsse,
    )
    .unwrap();
    let envelope: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://cyclonedx.org/bom");
    assert_eq!(statement["subject"][0]["name"], "Cargo.lock");
    assert_eq!(statement["subject"][0]["digest"]["sha256"], "b".repeat(64));

    // Independent check of the envelope signature: PAE built by hand.
    let payload_type = "application/vnd.in-toto+json";
    let mut pae = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    pae.extend_from_slice(&payload);
    let sig = base64::engine::general_purpose::STANDARD
        .decode(envelope["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    key()
        .verifying_key()
        .verify_strict(&pae, &Signature::from_slice(&sig).unwrap())
        .unwrap();

    let verified = verify(&bytes, &key().verifying_key()).unwrap();
    assert_eq!(verified.packaging, depgate::attest::Packaging::Dsse);
    assert_eq!(verified.summary.verdict, "fail");

    let mut tampered_statement = statement.clone();
    tampered_statement["subject"][0]["digest"]["sha256"] = "c".repeat(64).into();
    let mut tampered = envelope.clone();
    tampered["payload"] = base64::engine::general_purpose::STANDARD
        .encode(serde_json::to_vec(&tampered_statement).unwrap())
        .into();
    let error = verify(
        &serde_json::to_vec(&tampered).unwrap(),
        &key().verifying_key(),
    )
    .unwrap_err();
    assert!(matches!(error, VerifyError::Envelope(_)), "{error}");
}

fn attested_and_current(
    current_components: &[(&str, &str)],
    change: impl FnOnce(&mut depgate::attest::AttestationInput<'_>),
    current_evaluation: &depgate::evaluate::Evaluation,
) -> depgate::attest::Drift {
    let evaluation = passing_evaluation();
    let inputs = inputs();
    let attested =
        build_attestation(&input(&evaluation, &inputs, bom(&default_components()))).unwrap();
    let mut current_input = input(current_evaluation, &inputs, bom(current_components));
    change(&mut current_input);
    let current = build_attestation(&current_input).unwrap();
    compare(&attested, &current)
}

#[test]
fn drift_none_when_nothing_changed() {
    let drift = attested_and_current(&default_components(), |_| {}, &passing_evaluation());
    assert!(drift.is_empty(), "{drift:?}");
}

#[test]
fn drift_reports_an_added_package() {
    let mut components = default_components();
    components.push(("rand", "0.9.0"));
    let drift = attested_and_current(&components, |_| {}, &passing_evaluation());
    assert_eq!(drift.added.len(), 1);
    assert_eq!(drift.added[0].name, "rand");
    assert!(drift.removed.is_empty() && drift.changed.is_empty());
}

#[test]
fn drift_reports_a_removed_package() {
    let components = vec![("serde", "1.0.200"), ("openssl", "0.10.0")];
    let drift = attested_and_current(&components, |_| {}, &passing_evaluation());
    assert_eq!(drift.removed.len(), 1);
    assert_eq!(drift.removed[0].name, "left-pad");
    assert!(drift.added.is_empty() && drift.changed.is_empty());
}

#[test]
fn drift_reports_a_changed_version() {
    let components = vec![
        ("serde", "1.0.200"),
        ("openssl", "0.10.55"),
        ("left-pad", "1.3.0"),
    ];
    let drift = attested_and_current(&components, |_| {}, &passing_evaluation());
    assert_eq!(drift.changed.len(), 1);
    assert_eq!(drift.changed[0].name, "openssl");
    assert_eq!(drift.changed[0].from, "0.10.0");
    assert_eq!(drift.changed[0].to, "0.10.55");
    assert!(drift.added.is_empty() && drift.removed.is_empty());
}

#[test]
fn drift_reports_a_changed_policy() {
    let drift = attested_and_current(
        &default_components(),
        |input| input.policy.digest = "d".repeat(64),
        &passing_evaluation(),
    );
    let policy = drift.policy.clone().expect("policy change reported");
    assert_eq!(policy.attested, Some("a".repeat(64)));
    assert_eq!(policy.current, Some("d".repeat(64)));
    assert!(!drift.inventory_changed());
}

#[test]
fn drift_reports_a_newer_database_and_the_new_advisory() {
    let mut evaluation = passing_evaluation();
    evaluation
        .findings
        .push(advisory_finding("RUSTSEC-2024-0099"));
    let drift = attested_and_current(
        &default_components(),
        |input| input.databases = databases("fedcba98"),
        &evaluation,
    );
    assert_eq!(drift.databases.len(), 1);
    assert_eq!(drift.databases[0].attested.as_deref(), Some("0123abcd"));
    assert_eq!(drift.databases[0].current.as_deref(), Some("fedcba98"));
    assert_eq!(drift.new_violations.len(), 1);
    assert!(
        drift.new_violations[0]
            .message
            .contains("RUSTSEC-2024-0099")
    );
    assert!(!drift.inventory_changed());
}

#[test]
fn key_generate_then_verify_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("ci");
    depgate()
        .args(["key", "generate", "--out"])
        .arg(&prefix)
        .assert()
        .success();
    let private = dir.path().join("ci.key");
    let public = dir.path().join("ci.pub");
    // A second run must not replace the key silently.
    depgate()
        .args(["key", "generate", "--out"])
        .arg(&prefix)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("already exists"));

    let signing = keys::read_signing_key(&private).unwrap();
    let evaluation = passing_evaluation();
    let inputs = inputs();
    let bytes = render_attestation(
        &input(&evaluation, &inputs, bom(&default_components())),
        &signing,
        EnvelopeFormat::Jsf,
    )
    .unwrap();
    let attestation = dir.path().join("attestation.cdx.json");
    std::fs::write(&attestation, &bytes).unwrap();
    depgate()
        .arg("verify")
        .arg(&attestation)
        .arg("--key")
        .arg(&public)
        .assert()
        .success()
        .stdout(predicates::str::contains("valid:"))
        .stdout(predicates::str::contains("verdict:    PASS"));

    // One changed byte of content: exit 2 and a precise message.
    let text = String::from_utf8(bytes)
        .unwrap()
        .replace("1.0.200", "1.0.201");
    let tampered = dir.path().join("tampered.cdx.json");
    std::fs::write(&tampered, text).unwrap();
    depgate()
        .arg("verify")
        .arg(&tampered)
        .arg("--key")
        .arg(&public)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("tampered.cdx.json"))
        .stderr(predicates::str::contains("changed after signing"));

    // Another key: exit 2, naming both keys.
    let other = dir.path().join("other");
    depgate()
        .args(["key", "generate", "--out"])
        .arg(&other)
        .assert()
        .success();
    depgate()
        .arg("verify")
        .arg(&attestation)
        .arg("--key")
        .arg(dir.path().join("other.pub"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not with the trusted key"));

    // A private key where the public key belongs is a usage error naming the file.
    depgate()
        .arg("verify")
        .arg(&attestation)
        .arg("--key")
        .arg(&private)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ci.key"));
}
