#![no_main]
//! OSV records in YAML (PyPI's and CRAN's databases), and the version judgements of what parses.

libfuzzer_sys::fuzz_target!(|data: &[u8]| depgate_fuzz::osv(data, true));
