#![no_main]
//! SPDX tag-value SBOMs, with the CycloneDX write -> read round trip.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::sbom(depgate::ingest::Format::SpdxTagValue, "bom.spdx", data)
});
