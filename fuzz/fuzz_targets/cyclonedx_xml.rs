#![no_main]
//! CycloneDX XML SBOMs, with the CycloneDX write -> read round trip.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::sbom(depgate::ingest::Format::CycloneDxXml, "bom.cdx.xml", data)
});
