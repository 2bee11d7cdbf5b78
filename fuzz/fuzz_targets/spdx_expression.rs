#![no_main]
//! License metadata read as SPDX expressions: normalising is idempotent (what comes out of
//! the normaliser reads back as itself).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(normalized) = depgate::vocabulary::spdx::normalize(text) else {
        return;
    };
    let again =
        depgate::vocabulary::spdx::normalize(&normalized.normalized).unwrap_or_else(|error| {
            panic!(
                "`{}` (normalised from `{text}`) does not read back: {error}",
                normalized.normalized
            )
        });
    assert_eq!(
        again.normalized, normalized.normalized,
        "normalising is not idempotent"
    );
});
