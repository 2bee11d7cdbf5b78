//! Stage 1, ingest (helper): reads a package URL (purl) into an ecosystem, a name and a version.
//!
//! In: a purl string as an SBOM wrote it. Out: a [`PurlIdentity`] whose name is spelled the way
//! the ecosystem spells it (npm `@scope/name`, Maven `group:artifact`, Go the module path).
//! Parsing and percent-decoding are done by the `packageurl` crate; only the per-type naming
//! rules live here.

use crate::inventory::Ecosystem;

/// What a purl says about a package's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurlIdentity {
    /// The ecosystem named by the purl type.
    pub ecosystem: Ecosystem,
    /// The package name as the ecosystem spells it (namespace joined per type).
    pub name: String,
    /// The version, percent-decoded, when the purl has one.
    pub version: Option<String>,
    /// The `repository_url` qualifier: a registry other than the ecosystem's default.
    pub repository_url: Option<String>,
}

/// Purl types whose namespace names a vendor or distribution, not part of the package name
/// (`pkg:deb/debian/openssl` is the package `openssl` as Debian ships it).
const VENDOR_NAMESPACE_TYPES: &[&str] = &["alpm", "apk", "conda", "deb", "hex", "qpkg", "rpm"];

/// Parses a purl. The error is the `packageurl` crate's explanation, for messages.
pub fn parse_purl(purl: &str) -> Result<PurlIdentity, String> {
    let parsed: packageurl::PackageUrl<'static> = purl
        .trim()
        .parse()
        .map_err(|e: packageurl::Error| e.to_string())?;
    let kind = parsed.ty().to_ascii_lowercase();
    let name = parsed.name();
    let name = match parsed.namespace().filter(|n| !n.is_empty()) {
        None => name.to_string(),
        Some(namespace) => match kind.as_str() {
            "maven" => format!("{namespace}:{name}"),
            kind if VENDOR_NAMESPACE_TYPES.contains(&kind) => name.to_string(),
            _ => format!("{namespace}/{name}"),
        },
    };
    Ok(PurlIdentity {
        ecosystem: Ecosystem::from_purl_type(&kind),
        name,
        version: parsed.version().map(str::to_string),
        repository_url: parsed
            .qualifiers()
            .get("repository_url")
            .map(|url| url.to_string()),
    })
}

/// Chooses the name to record: the SBOM's own spelling when it names the same package as the
/// purl, because `packageurl` lowercases npm and PyPI names and legacy npm names such as
/// `JSONStream` keep their capitals in the registry.
pub fn preferred_name(purl_name: &str, declared: Option<&str>) -> String {
    match declared {
        Some(declared)
            if declared.eq_ignore_ascii_case(purl_name)
                || normalise_python(declared) == normalise_python(purl_name) =>
        {
            declared.to_string()
        }
        _ => purl_name.to_string(),
    }
}

/// PEP 503 normalisation: case-insensitive, with runs of `-`, `_` and `.` equal.
fn normalise_python(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            if !last_separator {
                out.push('-');
            }
            last_separator = true;
        } else {
            out.push(character.to_ascii_lowercase());
            last_separator = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_scoped_name_keeps_the_scope() {
        let identity = parse_purl("pkg:npm/%40babel/core@7.22.5").unwrap();
        assert_eq!(identity.ecosystem, Ecosystem::Npm);
        assert_eq!(identity.name, "@babel/core");
        assert_eq!(identity.version.as_deref(), Some("7.22.5"));
    }

    #[test]
    fn maven_name_is_group_colon_artifact() {
        let identity =
            parse_purl("pkg:maven/io.dropwizard/dropwizard-core@1.3.15?type=jar").unwrap();
        assert_eq!(identity.ecosystem, Ecosystem::Maven);
        assert_eq!(identity.name, "io.dropwizard:dropwizard-core");
    }

    #[test]
    fn golang_name_is_the_module_path() {
        let identity = parse_purl("pkg:golang/github.com/google/go-cmp@v0.5.6").unwrap();
        assert_eq!(identity.ecosystem, Ecosystem::Go);
        assert_eq!(identity.name, "github.com/google/go-cmp");
        assert_eq!(identity.version.as_deref(), Some("v0.5.6"));
    }

    #[test]
    fn distribution_namespace_is_not_part_of_the_name() {
        let identity =
            parse_purl("pkg:deb/debian/libssl1.1@1.1.1n-0+deb11u3?arch=amd64&distro=debian-11")
                .unwrap();
        assert_eq!(identity.ecosystem, Ecosystem::Other("deb".to_string()));
        assert_eq!(identity.name, "libssl1.1");
        assert_eq!(identity.version.as_deref(), Some("1.1.1n-0+deb11u3"));
    }

    #[test]
    fn repository_url_qualifier_is_kept() {
        let identity =
            parse_purl("pkg:npm/left-pad@1.3.0?repository_url=https://npm.example.com").unwrap();
        assert_eq!(
            identity.repository_url.as_deref(),
            Some("https://npm.example.com")
        );
    }

    #[test]
    fn invalid_purl_is_an_error_not_a_panic() {
        assert!(parse_purl("not a purl").is_err());
        assert!(parse_purl("pkg:").is_err());
        assert!(parse_purl("").is_err());
    }

    #[test]
    fn declared_spelling_wins_when_it_names_the_same_package() {
        assert_eq!(preferred_name("nodegoat", Some("NodeGoat")), "NodeGoat");
        assert_eq!(
            preferred_name("typing-extensions", Some("typing_extensions")),
            "typing_extensions"
        );
        assert_eq!(preferred_name("lodash", Some("underscore")), "lodash");
        assert_eq!(preferred_name("lodash", None), "lodash");
    }
}
