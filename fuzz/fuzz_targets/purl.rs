#![no_main]
//! Package URLs: any text is parsed without a panic, and a purl depgate builds from parts
//! (type, namespace, name, version, one qualifier; lines of the input) parses back with the
//! same version and `repository_url`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = depgate::ingest::parse_purl(text);
    let mut parts = text.split('\n');
    let mut next = || parts.next().unwrap_or("");
    let (purl_type, namespace, name, version, repository) =
        (next(), next(), next(), next(), next());
    let namespace = Some(namespace).filter(|namespace| !namespace.is_empty());
    let qualifiers = [("repository_url", repository)];
    let Some(built) =
        depgate::inventory::purl::build(purl_type, namespace, name, version, &qualifiers)
    else {
        return;
    };
    let parsed = depgate::ingest::parse_purl(&built)
        .unwrap_or_else(|error| panic!("the purl `{built}` depgate built does not parse: {error}"));
    let expected_version = Some(version).filter(|version| !version.is_empty());
    assert_eq!(
        parsed.version.as_deref(),
        expected_version,
        "the version of `{built}`"
    );
    let expected_repository = Some(repository).filter(|repository| !repository.is_empty());
    assert_eq!(
        parsed.repository_url.as_deref(),
        expected_repository,
        "the repository of `{built}`"
    );
});
