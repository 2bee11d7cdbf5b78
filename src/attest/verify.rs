//! Verification of an attestation: the signature (rebuilt from the JCS form) and the shape of
//! the document, with a precise statement of what failed.
//!
//! In: the bytes of an attestation file (plain CycloneDX with JSF, or a DSSE envelope) and the
//! trusted public key. Out: a [`VerifiedAttestation`] (the document and the audit inputs it
//! records) or a [`VerifyError`].
//!
//! The shape check is hand-written (the official JSON schema is not shipped in the binary):
//! it checks what `depgate` needs to trust the document (CycloneDX 1.6, the `depgate:*`
//! metadata, the policy standard, every rule mapped) and the references between declarations
//! that the JSON schema cannot check (each claim, requirement, evidence and target reference
//! points at an existing, unique `bom-ref`; scores lie in 0..=1).

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use super::document::{DbSummary, property};
use super::dsse::{self, DsseError, Envelope};
use super::jsf::{self, JsfError};

/// How the verified attestation was packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packaging {
    /// A CycloneDX document with a JSF signature.
    Jsf,
    /// A DSSE envelope around an in-toto Statement (whose predicate was also JSF-verified).
    Dsse,
}

/// What a verified attestation says about its audit (from `metadata.properties`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationSummary {
    /// depgate version that wrote it.
    pub tool_version: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// RFC 3339 evaluation time.
    pub evaluated_at: String,
    /// Policy name.
    pub policy_name: String,
    /// Policy version.
    pub policy_version: String,
    /// SHA-256 of the canonical policy.
    pub policy_digest: String,
    /// Files read: path → lowercase hex SHA-256.
    pub inputs: BTreeMap<String, String>,
    /// Advisory databases.
    pub databases: Vec<DbSummary>,
    /// Number of components attested.
    pub components: usize,
}

/// A verified attestation.
#[derive(Debug, Clone)]
pub struct VerifiedAttestation {
    /// How it was packaged.
    pub packaging: Packaging,
    /// The id of the key that signed it (see [`super::keys::key_id`]).
    pub key_id: String,
    /// The CycloneDX document.
    pub document: Value,
    /// The audit inputs it records.
    pub summary: AttestationSummary,
}

/// Why an attestation is not valid.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Not JSON at all.
    #[error("the attestation is not JSON: {0}")]
    NotJson(String),
    /// The JSF signature (top level or a signatory's) is missing, wrong or broken.
    #[error(transparent)]
    Signature(#[from] JsfError),
    /// The DSSE envelope is malformed or does not verify.
    #[error(transparent)]
    Envelope(#[from] DsseError),
    /// The document is signed correctly but is not a well-formed depgate attestation.
    #[error("the attestation is not a well-formed depgate CycloneDX 1.6 attestation:\n  - {}", .problems.join("\n  - "))]
    Shape {
        /// Every problem, each naming the JSON pointer concerned.
        problems: Vec<String>,
    },
}

/// Verifies attestation bytes against the trusted public key.
pub fn verify(bytes: &[u8], trusted: &VerifyingKey) -> Result<VerifiedAttestation, VerifyError> {
    // I-JSON (which JCS requires) forbids duplicate member names; a parser that kept the
    // first duplicate would see another document than the one whose signature we check.
    serde_json::from_slice::<NoDuplicateKeys>(bytes)
        .map_err(|e| VerifyError::NotJson(e.to_string()))?;
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| VerifyError::NotJson(e.to_string()))?;
    let (packaging, document, subjects) = if value.get("payloadType").is_some() {
        let envelope: Envelope = serde_json::from_value(value)
            .map_err(|e| DsseError::Payload(format!("malformed envelope: {e}")))?;
        let statement = dsse::verify_envelope(&envelope, trusted)?;
        (
            Packaging::Dsse,
            statement.predicate,
            Some(statement.subject),
        )
    } else {
        (Packaging::Jsf, value, None)
    };

    // A document that is not CycloneDX at all gets that answer, not "unsigned".
    if document.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(VerifyError::Shape {
            problems: vec![
                "`/bomFormat` is not `CycloneDX`: this is not a CycloneDX document".to_string(),
            ],
        });
    }
    jsf::verify_object(&document, trusted, "")?;
    if let Some(signatories) = document
        .pointer("/declarations/affirmation/signatories")
        .and_then(Value::as_array)
    {
        for (index, signatory) in signatories.iter().enumerate() {
            if signatory.get("signature").is_some() {
                let pointer = format!("/declarations/affirmation/signatories/{index}");
                jsf::verify_object(signatory, trusted, &pointer)?;
            }
        }
    }

    let mut problems = shape_problems(&document);
    let summary = summary(&document, &mut problems);
    if let Some(subjects) = subjects {
        // The envelope's subjects must be exactly the inputs the predicate records.
        let from_subjects: BTreeMap<String, String> = subjects
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.digest.get("sha256").cloned().unwrap_or_default(),
                )
            })
            .collect();
        if from_subjects != summary.inputs {
            problems.push(
                "the DSSE subjects do not match the input files recorded in the predicate's `metadata.properties`"
                    .to_string(),
            );
        }
    }
    if !problems.is_empty() {
        return Err(VerifyError::Shape { problems });
    }
    Ok(VerifiedAttestation {
        packaging,
        key_id: super::keys::key_id(trusted),
        document,
        summary,
    })
}

/// The metadata properties as (name, value) pairs.
pub(crate) fn properties(document: &Value) -> Vec<(String, String)> {
    document
        .pointer("/metadata/properties")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    Some((
                        item.get("name")?.as_str()?.to_string(),
                        item.get("value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Walks a JSON document without building it, failing on a duplicate member name.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("JSON without duplicate member names")
    }

    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_unit<E>(self) -> Result<NoDuplicateKeys, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<NoDuplicateKeys, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> Result<NoDuplicateKeys, A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate member name `{key}`"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}

/// The names of the metadata properties.
pub fn property_names(document: &Value) -> Vec<String> {
    properties(document)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Reads the audit inputs back from `metadata.properties`, noting what is missing.
pub(crate) fn summary(document: &Value, problems: &mut Vec<String>) -> AttestationSummary {
    let properties = properties(document);
    let mut required = |name: &str| -> String {
        match properties.iter().find(|(key, _)| key == name) {
            Some((_, value)) => value.clone(),
            None => {
                problems.push(format!("`/metadata/properties` has no `{name}`"));
                String::new()
            }
        }
    };
    let tool_version = required(property::VERSION);
    let verdict = required(property::VERDICT);
    let evaluated_at = required(property::EVALUATED_AT);
    let policy_name = required(property::POLICY_NAME);
    let policy_version = required(property::POLICY_VERSION);
    let policy_digest = required(property::POLICY_SHA256);
    let components = required(property::COMPONENTS);
    if !verdict.is_empty() && verdict != "pass" && verdict != "fail" {
        problems.push(format!(
            "`{}` is `{verdict}`, expected `pass` or `fail`",
            property::VERDICT
        ));
    }
    if !policy_digest.is_empty() && !is_sha256_hex(&policy_digest) {
        problems.push(format!(
            "`{}` is not a SHA-256 hex digest",
            property::POLICY_SHA256
        ));
    }
    let mut inputs = BTreeMap::new();
    let mut databases: BTreeMap<String, DbSummary> = BTreeMap::new();
    for (name, value) in &properties {
        if let Some(path) = name.strip_prefix(property::INPUT_PREFIX) {
            match value
                .strip_prefix("sha256:")
                .filter(|hex| is_sha256_hex(hex))
            {
                Some(hex) => {
                    inputs.insert(path.to_string(), hex.to_string());
                }
                None => problems.push(format!(
                    "`{name}` is `{value}`, expected `sha256:` and a hex digest"
                )),
            }
        } else if let Some(rest) = name.strip_prefix(property::DATABASE_PREFIX) {
            let Some((database, field)) = rest.rsplit_once(':') else {
                continue;
            };
            let entry = databases
                .entry(database.to_string())
                .or_insert_with(|| DbSummary {
                    name: database.to_string(),
                    revision: String::new(),
                    updated: None,
                    age_days: None,
                });
            match field {
                "revision" => entry.revision = value.clone(),
                "updated" => entry.updated = Some(value.clone()),
                "age-days" => entry.age_days = value.parse().ok(),
                _ => {}
            }
        }
    }
    let component_count = match components.parse::<usize>() {
        Ok(count) => count,
        Err(_) => {
            if !components.is_empty() {
                problems.push(format!("`{}` is not a number", property::COMPONENTS));
            }
            0
        }
    };
    let actual = super::drift::flatten_components(
        document
            .get("components")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
    )
    .len();
    if !components.is_empty() && component_count != actual {
        problems.push(format!(
            "`{}` says {component_count} components but `/components` lists {actual}",
            property::COMPONENTS
        ));
    }
    AttestationSummary {
        tool_version,
        verdict,
        evaluated_at,
        policy_name,
        policy_version,
        policy_digest,
        inputs,
        databases: databases.into_values().collect(),
        components: actual,
    }
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Collects every `bom-ref` in the document (with the pointer where it is), reporting
/// duplicates.
fn collect_refs(
    value: &Value,
    pointer: &str,
    refs: &mut BTreeMap<String, String>,
    problems: &mut Vec<String>,
) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(bom_ref)) = object.get("bom-ref")
                && let Some(first) = refs.insert(bom_ref.clone(), pointer.to_string())
            {
                problems.push(format!(
                    "`bom-ref` `{bom_ref}` is used twice (`{first}` and `{pointer}`)"
                ));
            }
            for (key, child) in object {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                collect_refs(child, &format!("{pointer}/{escaped}"), refs, problems);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{pointer}/{index}"), refs, problems);
            }
        }
        _ => {}
    }
}

fn array<'a>(document: &'a Value, pointer: &str, problems: &mut Vec<String>) -> &'a [Value] {
    match document.pointer(pointer) {
        Some(Value::Array(items)) => items,
        Some(_) => {
            problems.push(format!("`{pointer}` is not an array"));
            &[]
        }
        None => {
            problems.push(format!("`{pointer}` is missing"));
            &[]
        }
    }
}

fn check_score(value: Option<&Value>, pointer: &str, problems: &mut Vec<String>) {
    match value.and_then(Value::as_f64) {
        Some(score) if (0.0..=1.0).contains(&score) => {}
        Some(score) => problems.push(format!("`{pointer}` is {score}, outside 0..=1")),
        None => problems.push(format!("`{pointer}` is missing or not a number")),
    }
}

/// Every structural problem of a depgate attestation, each naming its JSON pointer.
pub fn shape_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if !document.is_object() {
        return vec!["the document is not a JSON object".to_string()];
    }
    if document.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        problems.push("`/bomFormat` is not `CycloneDX`".to_string());
    }
    if document.get("specVersion").and_then(Value::as_str) != Some(super::document::SPEC_VERSION) {
        problems.push("`/specVersion` is not `1.6`".to_string());
    }
    if !document
        .get("serialNumber")
        .and_then(Value::as_str)
        .is_some_and(|serial| serial.starts_with("urn:uuid:"))
    {
        problems.push("`/serialNumber` is not a `urn:uuid:` serial number".to_string());
    }
    if document
        .get("version")
        .and_then(Value::as_u64)
        .is_none_or(|v| v < 1)
    {
        problems.push("`/version` is not an integer of at least 1".to_string());
    }

    let mut refs = BTreeMap::new();
    collect_refs(document, "", &mut refs, &mut problems);

    for (index, component) in array(document, "/components", &mut problems)
        .iter()
        .enumerate()
    {
        for field in ["type", "name"] {
            if component.get(field).and_then(Value::as_str).is_none() {
                problems.push(format!("`/components/{index}` has no `{field}`"));
            }
        }
    }

    let standards = array(document, "/definitions/standards", &mut problems);
    if standards.is_empty() {
        problems.push("`/definitions/standards` is empty: the policy is not recorded".to_string());
    }
    let mut requirements = BTreeSet::new();
    for (s, standard) in standards.iter().enumerate() {
        for field in ["name", "version", "owner"] {
            if standard.get(field).and_then(Value::as_str).is_none() {
                problems.push(format!("`/definitions/standards/{s}` has no `{field}`"));
            }
        }
        let pointer = format!("/definitions/standards/{s}/requirements");
        for (r, requirement) in array(document, &pointer, &mut problems).iter().enumerate() {
            match (
                requirement.get("bom-ref").and_then(Value::as_str),
                requirement.get("identifier").and_then(Value::as_str),
            ) {
                (Some(bom_ref), Some(_)) => {
                    requirements.insert(bom_ref.to_string());
                }
                _ => problems.push(format!(
                    "`{pointer}/{r}` needs a `bom-ref` and an `identifier` (the rule id)"
                )),
            }
        }
    }

    let claims = array(document, "/declarations/claims", &mut problems);
    let evidence = array(document, "/declarations/evidence", &mut problems);
    let claim_refs: BTreeSet<&str> = claims
        .iter()
        .filter_map(|c| c.get("bom-ref").and_then(Value::as_str))
        .collect();
    let evidence_refs: BTreeSet<&str> = evidence
        .iter()
        .filter_map(|e| e.get("bom-ref").and_then(Value::as_str))
        .collect();
    for (c, claim) in claims.iter().enumerate() {
        let pointer = format!("/declarations/claims/{c}");
        if claim.get("bom-ref").and_then(Value::as_str).is_none() {
            problems.push(format!("`{pointer}` has no `bom-ref`"));
        }
        match claim.get("target").and_then(Value::as_str) {
            Some(target) if refs.contains_key(target) => {}
            Some(target) => problems.push(format!(
                "`{pointer}/target` is `{target}`, which no `bom-ref` in the document names"
            )),
            None => problems.push(format!("`{pointer}` has no `target`")),
        }
        if claim.get("predicate").and_then(Value::as_str).is_none() {
            problems.push(format!("`{pointer}` has no `predicate`"));
        }
        for (e, reference) in claim
            .get("evidence")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if !reference
                .as_str()
                .is_some_and(|r| evidence_refs.contains(r))
            {
                problems.push(format!(
                    "`{pointer}/evidence/{e}` names no evidence in `/declarations/evidence`"
                ));
            }
        }
    }

    let attestations = array(document, "/declarations/attestations", &mut problems);
    if attestations.is_empty() {
        problems.push("`/declarations/attestations` is empty".to_string());
    }
    let mut mapped = BTreeSet::new();
    for (a, attestation) in attestations.iter().enumerate() {
        let pointer = format!("/declarations/attestations/{a}");
        if !attestation
            .get("assessor")
            .and_then(Value::as_str)
            .is_some_and(|assessor| refs.contains_key(assessor))
        {
            problems.push(format!("`{pointer}/assessor` names no assessor"));
        }
        let map_pointer = format!("{pointer}/map");
        for (m, entry) in array(document, &map_pointer, &mut problems)
            .iter()
            .enumerate()
        {
            let entry_pointer = format!("{map_pointer}/{m}");
            match entry.get("requirement").and_then(Value::as_str) {
                Some(requirement) if requirements.contains(requirement) => {
                    mapped.insert(requirement.to_string());
                }
                _ => problems.push(format!(
                    "`{entry_pointer}/requirement` names no requirement of the policy standard"
                )),
            }
            for field in ["claims", "counterClaims"] {
                for (c, reference) in entry
                    .get(field)
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                {
                    if !reference.as_str().is_some_and(|r| claim_refs.contains(r)) {
                        problems.push(format!(
                            "`{entry_pointer}/{field}/{c}` names no claim in `/declarations/claims`"
                        ));
                    }
                }
            }
            check_score(
                entry.pointer("/conformance/score"),
                &format!("{entry_pointer}/conformance/score"),
                &mut problems,
            );
            check_score(
                entry.pointer("/confidence/score"),
                &format!("{entry_pointer}/confidence/score"),
                &mut problems,
            );
        }
    }
    for requirement in requirements.difference(&mapped) {
        problems.push(format!(
            "requirement `{requirement}` is not mapped by any attestation: its rule has no verdict"
        ));
    }
    if array(
        document,
        "/declarations/affirmation/signatories",
        &mut problems,
    )
    .is_empty()
    {
        problems.push("`/declarations/affirmation/signatories` is empty".to_string());
    }
    problems
}
