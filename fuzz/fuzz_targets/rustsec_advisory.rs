#![no_main]
//! RustSec advisory files (Markdown with TOML front matter), and the version judgements of
//! what parses.

libfuzzer_sys::fuzz_target!(|data: &[u8]| depgate_fuzz::rustsec(data));
