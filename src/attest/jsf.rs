//! JSON Signature Format (JSF 0.82), the enveloped signature CycloneDX uses, with Ed25519.
//!
//! In: a JSON object and a key. Out: the object with a `signature` member
//! `{ "algorithm": "Ed25519", "publicKey": { "kty": "OKP", "crv": "Ed25519", "x": … },
//! "value": … }`, or a verdict on an existing one.
//!
//! Per JSF (sections 6 and 7): the signer adds the `signature` object *without* `value`,
//! canonicalises the whole object with RFC 8785 (JCS), signs those bytes and adds `value`
//! (base64url, no padding). The verifier removes `value`, canonicalises again and verifies.
//! "Ed25519" is one of the algorithm names the CycloneDX `jsf-0.82.schema.json` enum allows
//! (JSF spells out Ed25519 instead of JOSE's "EdDSA"), and `OKP`/`Ed25519` its key type/curve.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value, json};

use super::jcs::{JcsError, canonicalize};

/// The JSF algorithm name for Ed25519.
pub const ALGORITHM: &str = "Ed25519";

/// A JSF signature is missing, malformed, made with another key, or does not verify.
#[derive(Debug, thiserror::Error)]
pub enum JsfError {
    /// The signed value is not a JSON object.
    #[error("`{pointer}` is not a JSON object, so it cannot carry a JSF signature")]
    NotAnObject {
        /// JSON pointer of the value.
        pointer: String,
    },
    /// There is no `signature` member.
    #[error("`{pointer}` has no `signature`: the document is not signed")]
    Missing {
        /// JSON pointer of the signed object.
        pointer: String,
    },
    /// The signature object is malformed.
    #[error("`{pointer}/signature` is malformed: {message}")]
    Malformed {
        /// JSON pointer of the signed object.
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// An algorithm other than Ed25519.
    #[error("`{pointer}/signature/algorithm` is `{algorithm}`; depgate verifies only `Ed25519`")]
    UnsupportedAlgorithm {
        /// JSON pointer of the signed object.
        pointer: String,
        /// The algorithm found.
        algorithm: String,
    },
    /// The embedded public key is not the one the verifier trusts.
    #[error(
        "`{pointer}` was signed with key {found}, not with the trusted key {expected} given by `--key`"
    )]
    KeyMismatch {
        /// JSON pointer of the signed object.
        pointer: String,
        /// Key id of the embedded key.
        found: String,
        /// Key id of the trusted key.
        expected: String,
    },
    /// The signature does not verify: the content changed after signing.
    #[error("the signature of `{pointer}` does not verify: the content was changed after signing")]
    Invalid {
        /// JSON pointer of the signed object.
        pointer: String,
    },
    /// Canonicalisation failed.
    #[error(transparent)]
    Canonical(#[from] JcsError),
}

/// The JWK (RFC 8037 `OKP`) form of an Ed25519 public key, as JSF's `publicKey`.
pub fn public_key_jwk(key: &VerifyingKey) -> Value {
    json!({ "kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(key.as_bytes()) })
}

/// The bytes JSF signs for `object`: its JCS form with `signature.value` removed.
pub fn signing_input(object: &Map<String, Value>) -> Result<Vec<u8>, JcsError> {
    let mut copy = object.clone();
    if let Some(Value::Object(signature)) = copy.get_mut("signature") {
        signature.remove("value");
    }
    canonicalize(&Value::Object(copy))
}

/// Signs `value` (a JSON object) in place: replaces any `signature` member with a fresh JSF
/// Ed25519 signature. `pointer` names the object in errors.
pub fn sign_object(value: &mut Value, key: &SigningKey, pointer: &str) -> Result<(), JsfError> {
    let Value::Object(object) = value else {
        return Err(JsfError::NotAnObject {
            pointer: pointer.to_string(),
        });
    };
    object.insert(
        "signature".to_string(),
        json!({ "algorithm": ALGORITHM, "publicKey": public_key_jwk(&key.verifying_key()) }),
    );
    let bytes = signing_input(object)?;
    let signature = key.sign(&bytes);
    if let Some(Value::Object(signature_object)) = object.get_mut("signature") {
        signature_object.insert(
            "value".to_string(),
            Value::String(URL_SAFE_NO_PAD.encode(signature.to_bytes())),
        );
    }
    Ok(())
}

/// Verifies the JSF signature of `value` against the trusted key. The embedded `publicKey`,
/// when present, must be that key; it is never trusted on its own.
pub fn verify_object(value: &Value, trusted: &VerifyingKey, pointer: &str) -> Result<(), JsfError> {
    let Value::Object(object) = value else {
        return Err(JsfError::NotAnObject {
            pointer: pointer.to_string(),
        });
    };
    let malformed = |message: &str| JsfError::Malformed {
        pointer: pointer.to_string(),
        message: message.to_string(),
    };
    let signature = match object.get("signature") {
        None => {
            return Err(JsfError::Missing {
                pointer: pointer.to_string(),
            });
        }
        Some(Value::Object(signature)) => signature,
        Some(_) => return Err(malformed("not an object")),
    };
    if signature.contains_key("signers") || signature.contains_key("chain") {
        return Err(malformed(
            "multiple signatures and signature chains are not supported",
        ));
    }
    // `excludes` would leave named properties unsigned; an attestation must be signed whole.
    if signature.contains_key("excludes") {
        return Err(malformed(
            "`excludes` (unsigned properties) is not accepted",
        ));
    }
    let algorithm = signature
        .get("algorithm")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no `algorithm`"))?;
    if algorithm != ALGORITHM {
        return Err(JsfError::UnsupportedAlgorithm {
            pointer: pointer.to_string(),
            algorithm: algorithm.to_string(),
        });
    }
    if let Some(public_key) = signature.get("publicKey") {
        let embedded = embedded_key(public_key).map_err(|message| malformed(&message))?;
        if embedded != *trusted {
            return Err(JsfError::KeyMismatch {
                pointer: pointer.to_string(),
                found: super::keys::key_id(&embedded),
                expected: super::keys::key_id(trusted),
            });
        }
    }
    let encoded = signature
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no `value`"))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|e| malformed(&format!("`value` is not base64url: {e}")))?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| malformed("`value` is not a 64-byte Ed25519 signature"))?;
    let message = signing_input(object)?;
    trusted
        .verify_strict(&message, &signature)
        .map_err(|_| JsfError::Invalid {
            pointer: pointer.to_string(),
        })
}

/// Parses a JSF `publicKey` (OKP / Ed25519 JWK).
fn embedded_key(public_key: &Value) -> Result<VerifyingKey, String> {
    let field = |name: &str| public_key.get(name).and_then(Value::as_str);
    if field("kty") != Some("OKP") || field("crv") != Some("Ed25519") {
        return Err("`publicKey` is not an OKP Ed25519 key".to_string());
    }
    let x = field("x").ok_or("`publicKey` has no `x`")?;
    let bytes = URL_SAFE_NO_PAD
        .decode(x)
        .map_err(|e| format!("`publicKey.x` is not base64url: {e}"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "`publicKey.x` is not 32 bytes".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| format!("`publicKey.x` is not a valid key: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn sign_then_verify_and_detect_changes() {
        let mut document = json!({ "now": "2019-02-10T11:23:06Z", "name": "Joe", "id": 2200063 });
        sign_object(&mut document, &key(7), "").unwrap();
        verify_object(&document, &key(7).verifying_key(), "").unwrap();

        let mut changed = document.clone();
        changed["name"] = json!("Jane");
        assert!(matches!(
            verify_object(&changed, &key(7).verifying_key(), ""),
            Err(JsfError::Invalid { .. })
        ));
        assert!(matches!(
            verify_object(&document, &key(8).verifying_key(), ""),
            Err(JsfError::KeyMismatch { .. })
        ));
        let mut no_key = document.clone();
        no_key["signature"]
            .as_object_mut()
            .unwrap()
            .remove("publicKey");
        // Removing the public key changes the signed bytes too.
        assert!(matches!(
            verify_object(&no_key, &key(7).verifying_key(), ""),
            Err(JsfError::Invalid { .. })
        ));
        let mut other_algorithm = document.clone();
        other_algorithm["signature"]["algorithm"] = json!("ES256");
        assert!(matches!(
            verify_object(&other_algorithm, &key(7).verifying_key(), ""),
            Err(JsfError::UnsupportedAlgorithm { .. })
        ));
        let mut unsigned = document.clone();
        unsigned.as_object_mut().unwrap().remove("signature");
        assert!(matches!(
            verify_object(&unsigned, &key(7).verifying_key(), ""),
            Err(JsfError::Missing { .. })
        ));
    }

    #[test]
    fn member_order_and_whitespace_do_not_matter() {
        let mut document = json!({ "b": 1, "a": [1.5, "x"] });
        sign_object(&mut document, &key(1), "").unwrap();
        let pretty = serde_json::to_string_pretty(&document).unwrap();
        let reordered: Value = serde_json::from_str(&pretty.replace("\"b\": 1,\n", "")).unwrap();
        let mut reordered = reordered;
        reordered["b"] = json!(1);
        verify_object(&reordered, &key(1).verifying_key(), "").unwrap();
    }
}
