#![no_main]
//! `gradle.lockfile`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(
        depgate::ingest::Format::GradleLockfile,
        "gradle.lockfile",
        data,
    )
});
