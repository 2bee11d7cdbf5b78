#![no_main]
//! SPDX 2.x and SPDX 3 JSON SBOMs, with the CycloneDX write -> read round trip.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::sbom(depgate::ingest::Format::SpdxJson, "bom.spdx.json", data)
});
