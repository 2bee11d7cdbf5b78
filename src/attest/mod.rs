//! Attestations (report stage): a signed CycloneDX 1.6 document of a policy verdict, and its
//! verification.
//!
//! In: the policy summary, the inventory as CycloneDX 1.6 JSON, the [`Evaluation`], the input
//! files and advisory databases, and an Ed25519 key. Out: the signed attestation bytes (plain
//! CycloneDX with a JSF signature, or an in-toto Statement in a DSSE envelope); and, for
//! `verify`, a [`VerifiedAttestation`] or a precise [`VerifyError`], plus a [`Drift`] between
//! the attested inventory and a current one.
//!
//! - [`jcs`]: RFC 8785 canonical JSON, the bytes that are signed.
//! - [`keys`]: Ed25519 key generation and PEM files.
//! - [`jsf`]: JSON Signature Format signatures (what CycloneDX uses).
//! - [`dsse`]: DSSE envelope and in-toto Statement v1.
//! - [`document`]: the CycloneDX 1.6 attestation builder.
//! - [`verify`]: signature and shape verification.
//! - [`drift`]: attested versus current inventory.
//!
//! [`Evaluation`]: crate::evaluate::Evaluation

pub mod document;
pub mod drift;
pub mod dsse;
pub mod jcs;
pub mod jsf;
pub mod keys;
pub mod verify;

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use serde_json::Value;

pub use document::{
    AttestationInput, BuildError, DbSummary, PolicySummary, RuleSummary, build_attestation,
};
pub use drift::{ComponentChange, ComponentId, Drift, compare};
pub use verify::{AttestationSummary, Packaging, VerifiedAttestation, VerifyError, verify};

/// How the signed attestation is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeFormat {
    /// The CycloneDX document itself, with a JSF signature at its top level.
    Jsf,
    /// An in-toto Statement v1 (predicate: the JSF-signed CycloneDX document) in a DSSE
    /// envelope signed with the same key.
    Dsse,
}

/// An attestation could not be built or signed.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// Building the document failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Signing failed.
    #[error(transparent)]
    Signature(#[from] jsf::JsfError),
    /// Wrapping in DSSE failed.
    #[error(transparent)]
    Envelope(#[from] dsse::DsseError),
}

/// Signs an attestation document in place: first each affirmation signatory (a JSF signature
/// over the signatory object), then the whole document (a JSF signature at the top level,
/// covering everything including the signatories' signatures).
pub fn sign_attestation(document: &mut Value, key: &SigningKey) -> Result<(), jsf::JsfError> {
    if let Some(signatories) = document
        .pointer_mut("/declarations/affirmation/signatories")
        .and_then(Value::as_array_mut)
    {
        for (index, signatory) in signatories.iter_mut().enumerate() {
            let pointer = format!("/declarations/affirmation/signatories/{index}");
            jsf::sign_object(signatory, key, &pointer)?;
        }
    }
    jsf::sign_object(document, key, "")
}

/// Builds, signs and serialises an attestation: pretty JSON with a final newline. With
/// `SOURCE_DATE_EPOCH` (via `input.evaluated_at`) and the same key, the bytes are identical
/// from run to run, as Ed25519 signatures are deterministic.
pub fn render_attestation(
    input: &AttestationInput<'_>,
    key: &SigningKey,
    format: EnvelopeFormat,
) -> Result<Vec<u8>, AttestError> {
    let mut document = build_attestation(input)?;
    sign_attestation(&mut document, key)?;
    let value = match format {
        EnvelopeFormat::Jsf => document,
        EnvelopeFormat::Dsse => {
            let mut files: Vec<_> = input.inputs.iter().collect();
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let subjects = files
                .into_iter()
                .map(|file| dsse::Subject {
                    name: file.path.display().to_string(),
                    digest: BTreeMap::from([("sha256".to_string(), file.sha256.clone())]),
                })
                .collect();
            let statement = dsse::statement(subjects, document);
            let envelope = dsse::sign_envelope(&statement, key)?;
            serde_json::to_value(envelope).map_err(|e| dsse::DsseError::Payload(e.to_string()))?
        }
    };
    let mut bytes =
        serde_json::to_vec_pretty(&value).map_err(|e| dsse::DsseError::Payload(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}
