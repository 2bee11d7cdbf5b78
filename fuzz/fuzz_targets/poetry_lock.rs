#![no_main]
//! `poetry.lock`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::PoetryLock, "poetry.lock", data)
});
