#![no_main]
//! `package-lock.json` v1-v3.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::NpmLock, "package-lock.json", data)
});
