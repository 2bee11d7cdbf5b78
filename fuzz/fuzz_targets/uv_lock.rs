#![no_main]
//! `uv.lock`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::UvLock, "uv.lock", data)
});
