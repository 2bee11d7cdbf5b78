#![no_main]
//! `yarn.lock`, v1 and Berry (one parser, told apart by content).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(depgate::ingest::Format::YarnLock, "yarn.lock", data)
});
