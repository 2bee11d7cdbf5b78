#![no_main]
//! Policy files (`depgate.toml`, `rules/*.toml`): what validates has a stable digest.

use depgate::policy::{PolicySource, validate};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(text) = depgate_fuzz::text(data) else {
        return;
    };
    let path = depgate_fuzz::path("depgate.toml");
    let files = vec![(path.clone(), text.to_string())];
    let source = || PolicySource::Files {
        files: vec![path.clone()],
    };
    let Ok(policy) = validate(&files, source()) else {
        return;
    };
    let again = validate(&files, source()).expect("a policy that validated validates again");
    assert_eq!(
        policy.digest(),
        again.digest(),
        "the policy digest is not stable"
    );
});
