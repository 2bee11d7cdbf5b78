#![no_main]
//! `go.mod`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::GoMod, "go.mod", data)
});
