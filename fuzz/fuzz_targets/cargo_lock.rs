#![no_main]
//! `Cargo.lock` (v1-v4) through the lockfile reader; no manifests are read.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::CargoLock, "Cargo.lock", data)
});
