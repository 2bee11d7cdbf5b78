//! Composer (Packagist) ordering: versions normalised the way Composer's `VersionParser`
//! does (`v` prefix dropped, four numbers, a stability suffix), then compared like PHP's
//! `version_compare`: `dev < alpha < beta < RC < stable < patch`.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ComposerVersion {
    numbers: [u64; 4],
    stability: u8,
    stability_number: u64,
}

fn stability_rank(word: &str) -> Option<u8> {
    Some(match word {
        "dev" => 0,
        "alpha" | "a" => 1,
        "beta" | "b" => 2,
        "rc" => 3,
        "stable" => 4,
        "patch" | "pl" | "p" => 5,
        _ => return None,
    })
}

fn parse(text: &str) -> Option<ComposerVersion> {
    let text = text.trim().to_ascii_lowercase();
    let text = text.strip_prefix('v').unwrap_or(&text);
    // Branch names (`dev-main`) have no order.
    if text.starts_with("dev-") {
        return None;
    }
    let text = text.split('+').next().unwrap_or(text);
    let core_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (core, suffix) = text.split_at(core_end);
    let core = core.trim_end_matches('.');
    let parts: Vec<&str> = core.split('.').collect();
    if core.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = [0u64; 4];
    for (index, part) in parts.iter().enumerate() {
        numbers[index] = part.parse().ok()?;
    }
    let suffix = suffix.trim_start_matches(['-', '_', '.']);
    if suffix.is_empty() {
        return Some(ComposerVersion {
            numbers,
            stability: 4,
            stability_number: 0,
        });
    }
    let word_end = suffix
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(suffix.len());
    let (word, rest) = suffix.split_at(word_end);
    let stability = stability_rank(word)?;
    let rest = rest.trim_start_matches(['-', '_', '.']);
    let stability_number = if rest.is_empty() {
        0
    } else {
        rest.parse().ok()?
    };
    Some(ComposerVersion {
        numbers,
        stability,
        stability_number,
    })
}

/// Compares two Composer versions; `None` if either is a branch or malformed.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    Some(parse(left)?.cmp(&parse(right)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composer_ordering() {
        let chain = [
            "1.0.0-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.1",
            "v1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
        assert_eq!(compare("v2.0", "2.0.0.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.0.0-b2", "1.0.0-beta2"), Some(Ordering::Equal));
        assert_eq!(compare("dev-main", "1.0"), None);
    }
}
