//! Go module version ordering: SemVer with a `v` prefix, `+incompatible`, pseudo-versions.
//!
//! Go sorts by SemVer precedence; pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//! `v1.2.4-0.20191109021931-daa7c04131f5`) are pre-releases, so they already sort before the
//! release they precede. `+incompatible` is build metadata and does not take part.

use std::cmp::Ordering;

use super::semantic;

/// Parses a Go module version (`v1.2.3`, `1.2.3` as in OSV, `v2.0.0+incompatible`).
pub fn parse(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    // Go requires the full major.minor.patch form; no padding.
    semver::Version::parse(text).ok()
}

/// Compares two Go module versions; `None` if either is invalid.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    Some(semantic::precedence(&parse(left)?, &parse(right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_incompatible_and_pseudo_versions() {
        assert_eq!(compare("v1.2.3", "1.2.3"), Some(Ordering::Equal));
        assert_eq!(
            compare("v2.0.0+incompatible", "2.0.0"),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare("v2.0.0+incompatible", "v1.9.9"),
            Some(Ordering::Greater)
        );
        // A pseudo-version based on no tag sorts before v0.0.1 and by timestamp among itself.
        assert_eq!(
            compare("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare(
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa"
            ),
            Some(Ordering::Less)
        );
        // vX.Y.(Z+1)-0.timestamp-hash comes after vX.Y.Z and before vX.Y.(Z+1).
        let pseudo = "v1.2.4-0.20191109021931-daa7c04131f5";
        assert_eq!(compare(pseudo, "v1.2.3"), Some(Ordering::Greater));
        assert_eq!(compare(pseudo, "v1.2.4"), Some(Ordering::Less));
        assert_eq!(compare("v1.2", "v1.2.0"), None);
    }
}
