//! Package URLs (purl), built with the `packageurl` crate so percent-encoding follows the spec.
//!
//! In: a package's identity (type, name, version, qualifiers). Out: the purl string. Callers
//! decide *whether* a purl is warranted (never for path or workspace packages); this module
//! only spells it correctly.

/// Builds `pkg:TYPE/[NAMESPACE/]NAME@VERSION?QUALIFIERS`, qualifiers sorted and encoded.
///
/// Returns `None` when `packageurl` rejects the parts (an empty name, an invalid type or
/// qualifier key), so a malformed identity never turns into a malformed purl.
pub fn build(
    purl_type: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let mut purl = packageurl::PackageUrl::new(purl_type, name).ok()?;
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace);
    }
    if !version.is_empty() {
        purl.with_version(version);
    }
    for (key, value) in qualifiers {
        if !value.is_empty() {
            purl.add_qualifier(*key, *value).ok()?;
        }
    }
    Some(purl.to_string())
}

/// The `vcs_url` qualifier value for a git checkout: `git+URL@COMMIT` (the purl spec's form).
pub fn git_vcs_url(url: &str, commit: Option<&str>) -> String {
    let url = url.strip_prefix("git+").unwrap_or(url);
    match commit {
        Some(commit) if !commit.is_empty() => format!("git+{url}@{commit}"),
        _ => format!("git+{url}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn empty_name_gives_no_purl() {
        assert_eq!(build("cargo", None, "", "1.0.0", &[]), None);
    }
}
