#![no_main]
//! `Pipfile.lock`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::PipfileLock, "Pipfile.lock", data)
});
