#![no_main]
//! NuGet `packages.lock.json`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(
        depgate::ingest::Format::NugetLock,
        "packages.lock.json",
        data,
    )
});
