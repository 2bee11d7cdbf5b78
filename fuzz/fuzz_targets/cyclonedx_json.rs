#![no_main]
//! CycloneDX JSON SBOMs, with the CycloneDX write -> read round trip.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::sbom(depgate::ingest::Format::CycloneDxJson, "bom.cdx.json", data)
});
