#![no_main]
//! `composer.lock`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::ComposerLock, "composer.lock", data)
});
