//! DSSE envelope (v1) around an in-toto Statement (v1) whose predicate is the attestation.
//!
//! In: the signed CycloneDX attestation and the digests of the attested inputs. Out: the
//! envelope `{ payloadType, payload, signatures: [{ keyid, sig }] }`, or a verified Statement.
//!
//! The signature covers the pre-authentication encoding (PAE) of the payload:
//! `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as ASCII decimal byte counts.
//! The payload is the Statement's RFC 8785 form, so the envelope is byte-reproducible.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::jcs::{JcsError, canonicalize};

/// The DSSE payload type of an in-toto Statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The in-toto Statement v1 type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type for a CycloneDX document.
pub const PREDICATE_TYPE: &str = "https://cyclonedx.org/bom";

/// An in-toto Statement v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// What is attested: the input files, by digest.
    pub subject: Vec<Subject>,
    /// Always [`PREDICATE_TYPE`] for depgate.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The CycloneDX attestation.
    pub predicate: Value,
}

/// One attested artefact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The file's path as read.
    pub name: String,
    /// Digests by algorithm (`sha256` → lowercase hex).
    pub digest: BTreeMap<String, String>,
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Standard base64 of the payload bytes.
    pub payload: String,
    /// Always [`PAYLOAD_TYPE`].
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// Signatures over the PAE.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signing key's id (see [`super::keys::key_id`]).
    #[serde(default)]
    pub keyid: String,
    /// Standard base64 of the Ed25519 signature.
    pub sig: String,
}

/// A DSSE envelope that is malformed or does not verify.
#[derive(Debug, thiserror::Error)]
pub enum DsseError {
    /// The payload type is not an in-toto Statement.
    #[error("DSSE `payloadType` is `{0}`, expected `{PAYLOAD_TYPE}`")]
    PayloadType(String),
    /// The payload is not base64 or not a Statement v1 with a CycloneDX predicate.
    #[error("DSSE payload is not an in-toto Statement v1 with a CycloneDX predicate: {0}")]
    Payload(String),
    /// No signature verifies with the trusted key.
    #[error(
        "no DSSE signature verifies with the trusted key {0}: the envelope was changed or signed with another key"
    )]
    Invalid(String),
    /// A statement with no subject.
    #[error("an in-toto Statement needs at least one subject (an attested input file)")]
    NoSubject,
    /// Canonicalisation failed.
    #[error(transparent)]
    Canonical(#[from] JcsError),
}

/// Decodes base64 in any of the alphabets DSSE verifiers must accept (standard or URL-safe,
/// padded or not: DSSE protocol, "Either standard or URL-safe base64 encodings are allowed").
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    [&STANDARD, &URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

/// The DSSE v1 pre-authentication encoding.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    bytes.extend_from_slice(payload);
    bytes
}

/// A Statement about `subjects` with the CycloneDX document as predicate.
pub fn statement(subjects: Vec<Subject>, predicate: Value) -> Statement {
    Statement {
        statement_type: STATEMENT_TYPE.to_string(),
        subject: subjects,
        predicate_type: PREDICATE_TYPE.to_string(),
        predicate,
    }
}

/// Signs a Statement into an envelope.
pub fn sign_envelope(statement: &Statement, key: &SigningKey) -> Result<Envelope, DsseError> {
    if statement.subject.is_empty() {
        return Err(DsseError::NoSubject);
    }
    let value = serde_json::to_value(statement).map_err(|e| DsseError::Payload(e.to_string()))?;
    let payload = canonicalize(&value)?;
    let signature = key.sign(&pae(PAYLOAD_TYPE, &payload));
    Ok(Envelope {
        payload: STANDARD.encode(&payload),
        payload_type: PAYLOAD_TYPE.to_string(),
        signatures: vec![EnvelopeSignature {
            keyid: super::keys::key_id(&key.verifying_key()),
            sig: STANDARD.encode(signature.to_bytes()),
        }],
    })
}

/// Verifies an envelope with the trusted key and returns its Statement. Any one signature
/// that verifies is enough (DSSE allows several signers); `keyid` is a hint, not trusted.
pub fn verify_envelope(
    envelope: &Envelope,
    trusted: &VerifyingKey,
) -> Result<Statement, DsseError> {
    if envelope.payload_type != PAYLOAD_TYPE {
        return Err(DsseError::PayloadType(envelope.payload_type.clone()));
    }
    let payload = decode_base64(&envelope.payload)
        .ok_or_else(|| DsseError::Payload("`payload` is not base64".to_string()))?;
    let message = pae(&envelope.payload_type, &payload);
    let verified = envelope.signatures.iter().any(|signature| {
        decode_base64(&signature.sig)
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .is_some_and(|signature| trusted.verify_strict(&message, &signature).is_ok())
    });
    if !verified {
        return Err(DsseError::Invalid(super::keys::key_id(trusted)));
    }
    let statement: Statement =
        serde_json::from_slice(&payload).map_err(|e| DsseError::Payload(e.to_string()))?;
    if statement.statement_type != STATEMENT_TYPE {
        return Err(DsseError::Payload(format!(
            "`_type` is `{}`, expected `{STATEMENT_TYPE}`",
            statement.statement_type
        )));
    }
    if statement.predicate_type != PREDICATE_TYPE {
        return Err(DsseError::Payload(format!(
            "`predicateType` is `{}`, expected `{PREDICATE_TYPE}`",
            statement.predicate_type
        )));
    }
    if statement.subject.is_empty() {
        return Err(DsseError::NoSubject);
    }
    Ok(statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_dsse_specification_example() {
        // The test vector of the DSSE protocol document (protocol.md, "Test Vectors").
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn envelope_round_trip_and_tamper_detection() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let subject = Subject {
            name: "Cargo.lock".to_string(),
            digest: BTreeMap::from([("sha256".to_string(), "ab".repeat(32))]),
        };
        let statement = statement(vec![subject], serde_json::json!({"bomFormat": "CycloneDX"}));
        let envelope = sign_envelope(&statement, &key).unwrap();
        assert_eq!(
            verify_envelope(&envelope, &key.verifying_key()).unwrap(),
            statement
        );

        let mut tampered = envelope.clone();
        let mut payload: Value =
            serde_json::from_slice(&STANDARD.decode(&tampered.payload).unwrap()).unwrap();
        payload["predicate"]["bomFormat"] = serde_json::json!("SPDX");
        tampered.payload = STANDARD.encode(serde_json::to_vec(&payload).unwrap());
        assert!(matches!(
            verify_envelope(&tampered, &key.verifying_key()),
            Err(DsseError::Invalid(_))
        ));
        let other = SigningKey::from_bytes(&[4; 32]);
        assert!(matches!(
            verify_envelope(&envelope, &other.verifying_key()),
            Err(DsseError::Invalid(_))
        ));
    }
}
