//! Source rules: allowed registries and git hosts/organisations, and git and path dependencies
//! reported per policy.
//!
//! In: `&Inventory` and a `&SourcePolicy`. Out: findings and the `sources` coverage entry. Pure.

use super::{Coverage, CoverageEntry, Finding, FindingCode};
use crate::inventory::{Inventory, PackageKind, Source};
use crate::policy::{SourcePolicy, normalize_git, normalize_registry};

/// True when `url` is under an allowed git prefix: `github.com` allows every repository on
/// the host, `github.com/org` every repository of the organisation (whole path segments).
pub fn git_allowed(allowed: &[String], url: &str) -> bool {
    let normalized = normalize_git(url);
    allowed.iter().any(|prefix| {
        normalized == *prefix
            || normalized
                .strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// True when a registry is allowed; `default` allows each ecosystem's default public registry.
pub fn registry_allowed(allowed: &[String], url: &str, default: bool) -> bool {
    let normalized = normalize_registry(url);
    allowed
        .iter()
        .any(|entry| entry == &normalized || (entry == "default" && default))
}

/// Evaluates the source rules for every package that is not a root.
pub(super) fn evaluate(
    inventory: &Inventory,
    policy: &SourcePolicy,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
) {
    let mut entry = CoverageEntry::default();
    for package in inventory.packages() {
        if package.kind == PackageKind::Root {
            continue;
        }
        match &package.source {
            Source::Registry { url, default } => {
                entry.evaluated += 1;
                if !registry_allowed(&policy.allow_registries, url, *default) {
                    findings.extend(Finding::for_package(
                        &policy.not_allowed,
                        FindingCode::SourceNotAllowed,
                        package,
                        format!(
                            "{} comes from registry `{url}`, which is not in `allow-registries`",
                            package.name_version()
                        ),
                    ));
                }
            }
            Source::Git { url, commit, .. } => {
                entry.evaluated += 1;
                let at = commit
                    .as_ref()
                    .map(|c| format!(" at `{}`", c.chars().take(12).collect::<String>()))
                    .unwrap_or_default();
                if !git_allowed(&policy.allow_git, url) {
                    findings.extend(Finding::for_package(
                        &policy.not_allowed,
                        FindingCode::SourceNotAllowed,
                        package,
                        format!(
                            "{} comes from git `{url}`{at}, whose host or organisation is not in `allow-git`",
                            package.name_version()
                        ),
                    ));
                }
                findings.extend(Finding::for_package(
                    &policy.git,
                    FindingCode::GitSource,
                    package,
                    format!(
                        "{} is a git dependency (`{url}`{at})",
                        package.name_version()
                    ),
                ));
            }
            Source::Path { path } => {
                entry.evaluated += 1;
                findings.extend(Finding::for_package(
                    &policy.path,
                    FindingCode::PathSource,
                    package,
                    format!(
                        "{} is a local path dependency (`{path}`)",
                        package.name_version()
                    ),
                ));
            }
            Source::Unknown => entry
                .not_evaluated
                .push(format!("{}: no source information", package.name_version())),
        }
    }
    coverage.rules.insert("sources".to_string(), entry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_prefixes_match_whole_segments() {
        let allowed = vec![
            "github.com/myorg".to_string(),
            "gitlab.example.com".to_string(),
        ];
        assert!(git_allowed(&allowed, "https://github.com/myorg/repo.git"));
        assert!(git_allowed(&allowed, "ssh://git@github.com/MyOrg/repo"));
        assert!(git_allowed(
            &allowed,
            "git@gitlab.example.com:any/thing.git"
        ));
        assert!(!git_allowed(&allowed, "https://github.com/myorg-evil/repo"));
        assert!(!git_allowed(&allowed, "https://github.com/other/repo"));
    }

    #[test]
    fn crates_io_spellings_are_one_registry() {
        let allowed = vec!["crates.io".to_string()];
        assert!(registry_allowed(
            &allowed,
            "https://github.com/rust-lang/crates.io-index",
            true
        ));
        assert!(registry_allowed(
            &allowed,
            "sparse+https://index.crates.io/",
            true
        ));
        assert!(!registry_allowed(
            &allowed,
            "https://my-registry.example.com/index",
            false
        ));
        assert!(registry_allowed(
            &["default".to_string()],
            "https://registry.npmjs.org",
            true
        ));
    }
}
