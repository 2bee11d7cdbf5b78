#![no_main]
//! `requirements.txt` (an include names a file that does not exist).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    depgate_fuzz::lockfile(
        depgate::ingest::Format::Requirements,
        "requirements.txt",
        data,
    )
});
