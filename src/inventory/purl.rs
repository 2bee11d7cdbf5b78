//! Package URLs (purl), built with the `packageurl` crate so percent-encoding follows the spec.
//!
//! In: a package's identity (type, name, version, qualifiers). Out: the purl string. Callers
//! decide *whether* a purl is warranted (never for path or workspace packages); this module
//! only spells it correctly, and says whether a purl pattern (from a waiver or a VEX
//! statement) names a package's purl.

/// What a qualifier value percent-encodes: the `packageurl` crate's set, plus `&`, which
/// separates qualifiers (packageurl 0.4 leaves it as is, so a `repository_url` holding a
/// query string read back cut short).
const QUALIFIER_VALUE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b';')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Builds `pkg:TYPE/[NAMESPACE/]NAME@VERSION?QUALIFIERS`, qualifiers sorted and encoded.
///
/// Returns `None` when `packageurl` rejects the parts (an empty name, an invalid type or
/// qualifier key), so a malformed identity never turns into a malformed purl. An empty
/// namespace, version or qualifier value is left out.
pub fn build(
    purl_type: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    // A name holding `/` would be written unencoded by packageurl and read back as a
    // namespace and a shorter name (another package) or not at all: no purl rather than a
    // wrong one (found by fuzzing). Go modules and scoped npm names pass their slashes in the
    // namespace.
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let mut purl = packageurl::PackageUrl::new(purl_type, name).ok()?;
    if let Some(namespace) = namespace.filter(|namespace| !namespace.is_empty()) {
        purl.with_namespace(namespace);
    }
    if !version.is_empty() {
        purl.with_version(version);
    }
    let mut text = purl.to_string();
    // Keys as packageurl validates and lowercases them (added to `purl` after its text was
    // taken, only to be checked); values encoded here (see [`QUALIFIER_VALUE`]); a later value
    // of the same key wins, as in packageurl.
    let mut sorted = std::collections::BTreeMap::new();
    for (key, value) in qualifiers {
        if !value.is_empty() {
            purl.add_qualifier(*key, "").ok()?;
            sorted.insert(key.to_lowercase(), *value);
        }
    }
    for (index, (key, value)) in sorted.iter().enumerate() {
        text.push(if index == 0 { '?' } else { '&' });
        text.push_str(key);
        text.push('=');
        text.extend(percent_encoding::utf8_percent_encode(
            value,
            QUALIFIER_VALUE,
        ));
    }
    Some(text)
}

/// The `vcs_url` qualifier value for a git checkout: `git+URL@COMMIT` (the purl spec's form).
pub fn git_vcs_url(url: &str, commit: Option<&str>) -> String {
    let url = url.strip_prefix("git+").unwrap_or(url);
    match commit {
        Some(commit) if !commit.is_empty() => format!("git+{url}@{commit}"),
        _ => format!("git+{url}"),
    }
}

/// How [`matches`] treats the pattern's qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifiers {
    /// Every qualifier the pattern gives must be on the purl with the same value (VEX: a
    /// statement about `?arch=x86_64` says nothing about another architecture).
    Respect,
    /// Qualifiers are not compared (waivers name a package, not a build of it).
    Ignore,
}

/// True when the purl `pattern` names `purl`: same type, namespace and name; the same version
/// when the pattern has one (a pattern without a version names every version); the same
/// subpath when the pattern has one; and qualifiers as `qualifiers` says. Either side failing
/// to parse matches nothing.
pub fn matches(pattern: &str, purl: &str, qualifiers: Qualifiers) -> bool {
    let (Ok(pattern), Ok(purl)) = (
        pattern.parse::<packageurl::PackageUrl<'_>>(),
        purl.parse::<packageurl::PackageUrl<'_>>(),
    ) else {
        return false;
    };
    pattern.ty().eq_ignore_ascii_case(purl.ty())
        && pattern.namespace() == purl.namespace()
        && normalized_name(pattern.ty(), pattern.name()) == normalized_name(purl.ty(), purl.name())
        && pattern.version().is_none_or(|v| Some(v) == purl.version())
        && pattern.subpath().is_none_or(|s| Some(s) == purl.subpath())
        && (qualifiers == Qualifiers::Ignore
            || pattern
                .qualifiers()
                .iter()
                .all(|(key, value)| purl.qualifiers().get(key) == Some(value)))
}

/// A name as the purl spec compares it: PyPI names are case-insensitive and treat `_` as `-`.
fn normalized_name(purl_type: &str, name: &str) -> String {
    if purl_type.eq_ignore_ascii_case("pypi") {
        name.to_ascii_lowercase().replace('_', "-")
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ampersand_in_a_qualifier_value_reads_back_whole() {
        let url = "https://example.com/simple?a=1&b=2";
        let purl = build(
            "pypi",
            None,
            "requests",
            "2.0.0",
            &[("repository_url", url), ("Arch", "x86_64")],
        )
        .unwrap();
        assert_eq!(
            purl,
            "pkg:pypi/requests@2.0.0?arch=x86_64&repository_url=https://example.com/simple%3Fa%3D1%26b%3D2"
        );
        let parsed: packageurl::PackageUrl<'_> = purl.parse().unwrap();
        let qualifiers: std::collections::BTreeMap<_, _> = parsed
            .qualifiers()
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        assert_eq!(qualifiers["repository_url"], url);
        assert_eq!(qualifiers["arch"], "x86_64");
    }

    #[test]
    fn plain_cargo_purl() {
        assert_eq!(
            build("cargo", None, "serde", "1.0.200", &[]).as_deref(),
            Some("pkg:cargo/serde@1.0.200")
        );
    }

    #[test]
    fn registry_qualifier_is_encoded() {
        assert_eq!(
            build(
                "cargo",
                None,
                "foo",
                "0.1.0",
                &[("repository_url", "sparse+https://my.registry/index/")]
            )
            .as_deref(),
            Some("pkg:cargo/foo@0.1.0?repository_url=sparse%2Bhttps://my.registry/index/")
        );
    }

    #[test]
    fn vcs_url_encodes_plus_and_at() {
        let vcs = git_vcs_url("https://github.com/nushell/reedline", Some("e4fe8ed"));
        assert_eq!(vcs, "git+https://github.com/nushell/reedline@e4fe8ed");
        assert_eq!(
            build("cargo", None, "reedline", "0.40.0", &[("vcs_url", &vcs)]).as_deref(),
            Some(
                "pkg:cargo/reedline@0.40.0?vcs_url=git%2Bhttps://github.com/nushell/reedline%40e4fe8ed"
            )
        );
    }

    #[test]
    fn patterns_respect_version_qualifiers_and_subpath() {
        let respect = Qualifiers::Respect;
        let purl = "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64&distro=wolfi";
        assert!(matches("pkg:apk/wolfi/git", purl, respect));
        assert!(matches("pkg:apk/wolfi/git@2.39.0-r1", purl, respect));
        assert!(matches(
            "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64",
            purl,
            respect
        ));
        assert!(!matches(
            "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
            purl,
            respect
        ));
        assert!(matches(
            "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7",
            purl,
            Qualifiers::Ignore
        ));
        assert!(!matches("pkg:apk/wolfi/git@2.40.0", purl, respect));
        assert!(!matches("pkg:apk/alpine/git", purl, respect));
        assert!(!matches("pkg:apk/wolfi/git#sub", purl, respect));
        assert!(matches(
            "pkg:pypi/Django_Rest@1.0",
            "pkg:pypi/django-rest@1.0",
            respect
        ));
        assert!(!matches("not a purl", purl, respect));
    }

    #[test]
    fn a_name_with_a_slash_gives_no_purl() {
        // The fuzz input `-\n\n//`: type `-`, name `//` was written `pkg:-///`.
        assert_eq!(build("-", None, "//", "", &[]), None);
        assert_eq!(build("generic", None, "a/b", "1.0", &[]), None);
        assert_eq!(
            build("generic", Some("a"), "b", "1.0", &[]).as_deref(),
            Some("pkg:generic/a/b@1.0")
        );
    }

    #[test]
    fn empty_name_gives_no_purl() {
        assert_eq!(build("cargo", None, "", "1.0.0", &[]), None);
    }
}
