//! PEP 440 ordering for PyPI versions, via the `pep440_rs` crate.

use std::cmp::Ordering;
use std::str::FromStr;

/// Parses a PEP 440 version (normalising spellings such as `1.0RC1` or `v1.0`).
pub fn parse(text: &str) -> Option<pep440_rs::Version> {
    pep440_rs::Version::from_str(text.trim()).ok()
}

/// Compares two PEP 440 versions; `None` if either is invalid.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    Some(parse(left)?.cmp(&parse(right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep440_chain() {
        // The ordering example from PEP 440's "Summary of permitted suffixes and relative ordering".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.1.dev1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
    }

    #[test]
    fn epochs_and_normalisation() {
        assert_eq!(compare("1!1.0", "2.0"), Some(Ordering::Greater));
        assert_eq!(compare("1.0", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.0RC1", "1.0rc1"), Some(Ordering::Equal));
        assert_eq!(compare("v2.0", "2.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.0-post1", "1.0.post1"), Some(Ordering::Equal));
        assert_eq!(compare("not a version", "1.0"), None);
    }
}
