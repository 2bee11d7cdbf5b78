#![no_main]
//! `pom.xml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::MavenPom, "pom.xml", data)
});
