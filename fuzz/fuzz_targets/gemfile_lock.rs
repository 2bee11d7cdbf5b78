#![no_main]
//! `Gemfile.lock`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::GemfileLock, "Gemfile.lock", data)
});
