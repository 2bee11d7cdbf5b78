#![no_main]
//! DSSE envelopes: the bytes as given are verified as an attestation, and the bytes as the
//! payload of an envelope signed with a fixed key, so the in-toto Statement inside and the
//! CycloneDX document in its predicate are fuzzed behind a valid signature.

use base64::Engine as _;
use depgate::attest::dsse::{Envelope, EnvelopeSignature, PAYLOAD_TYPE, pae};
use ed25519_dalek::Signer as _;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let key = depgate_fuzz::signing_key();
    let trusted = key.verifying_key();
    let _ = depgate::attest::verify(data, &trusted);
    let engine = base64::engine::general_purpose::STANDARD;
    let signature = key.sign(&pae(PAYLOAD_TYPE, data));
    let envelope = Envelope {
        payload: engine.encode(data),
        payload_type: PAYLOAD_TYPE.to_string(),
        signatures: vec![EnvelopeSignature {
            keyid: String::new(),
            sig: engine.encode(signature.to_bytes()),
        }],
    };
    let bytes = serde_json::to_vec(&envelope).expect("an envelope serialises");
    let _ = depgate::attest::verify(&bytes, &trusted);
});
