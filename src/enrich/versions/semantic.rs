//! SemVer 2.0 ordering (Cargo, npm, OSV `SEMVER` ranges) on top of the `semver` crate.

use std::cmp::Ordering;

/// Parses a SemVer version leniently: a leading `v` or `=` is dropped and a missing minor or
/// patch number is taken as 0 (OSV data and npm lockfiles contain `1.2` now and then).
pub fn parse_lenient(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    let text = text.strip_prefix('=').unwrap_or(text).trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    if let Ok(version) = semver::Version::parse(text) {
        return Some(version);
    }
    // Split off pre-release/build, pad the numeric core to three parts, and retry.
    let core_end = text.find(['-', '+']).unwrap_or(text.len());
    let (core, rest) = text.split_at(core_end);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut padded = parts.join(".");
    for _ in parts.len()..3 {
        padded.push_str(".0");
    }
    padded.push_str(rest);
    semver::Version::parse(&padded).ok()
}

/// SemVer precedence: build metadata does not take part (the `semver` crate's `Ord` would
/// compare it, which SemVer 2.0 §10 forbids).
pub fn precedence(left: &semver::Version, right: &semver::Version) -> Ordering {
    (left.major, left.minor, left.patch)
        .cmp(&(right.major, right.minor, right.patch))
        .then_with(|| left.pre.cmp(&right.pre))
}

/// Compares two SemVer versions; `None` if either is not SemVer.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    Some(precedence(&parse_lenient(left)?, &parse_lenient(right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prerelease_rules() {
        // SemVer 2.0 §11 example chain.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn build_metadata_is_ignored_and_short_forms_pad() {
        assert_eq!(
            compare("1.0.0+build.1", "1.0.0+build.2"),
            Some(Ordering::Equal)
        );
        assert_eq!(compare("1.2", "1.2.0"), Some(Ordering::Equal));
        assert_eq!(compare("v1.2.3", "1.2.3"), Some(Ordering::Equal));
        assert_eq!(compare("1.10.0", "1.9.0"), Some(Ordering::Greater));
        assert_eq!(compare("not-a-version", "1.0.0"), None);
        assert_eq!(compare("1.2.3.4", "1.0.0"), None);
    }
}
