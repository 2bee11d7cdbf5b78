#![no_main]
//! Attestations (JSF-signed CycloneDX 1.6 JSON): the bytes as given are verified, and, when
//! they are a JSON object, the object signed with a fixed key is verified too, so the shape
//! and summary checks behind the signature are fuzzed as well. A document signed a moment
//! ago never fails as "signature does not verify".

use depgate::attest::{VerifyError, sign_attestation, verify};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = depgate_fuzz::signing_key();
    let trusted = key.verifying_key();
    let _ = verify(data, &trusted);
    let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if !document.is_object() || sign_attestation(&mut document, &key).is_err() {
        return;
    }
    let Ok(signed) = serde_json::to_vec(&document) else {
        return;
    };
    if let Err(error) = verify(&signed, &trusted) {
        assert!(
            !matches!(error, VerifyError::Signature(_)),
            "a document signed with the trusted key does not verify: {error}"
        );
    }
});
