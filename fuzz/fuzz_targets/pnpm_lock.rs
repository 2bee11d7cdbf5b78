#![no_main]
//! `pnpm-lock.yaml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::PnpmLock, "pnpm-lock.yaml", data)
});
