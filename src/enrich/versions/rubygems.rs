//! RubyGems ordering: the rules of `Gem::Version#<=>`.
//!
//! A version is split into numeric and letter segments (`1.0.b1` → 1, 0, "b", 1); `-` means
//! `.pre.`; any letter makes it a pre-release. Trailing zeros before the pre-release part do
//! not count (`1.0` = `1`); letters sort before numbers (`1.0.a` < `1.0`).

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Number(u128),
    Text(String),
}

fn valid(version: &str) -> bool {
    // Gem::Version::PATTERN: [0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?
    let mut chars = version.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !version.contains("..")
        && !version.ends_with('.')
}

fn segments(version: &str) -> Option<Vec<Segment>> {
    let version = version.trim();
    let version = if version.is_empty() { "0" } else { version };
    if !valid(version) {
        return None;
    }
    let version = version.replace('-', ".pre.");
    let mut out = Vec::new();
    for (digit, text) in version.split('.').flat_map(super::digit_runs) {
        out.push(if digit {
            Segment::Number(text.parse().ok()?)
        } else {
            Segment::Text(text.to_string())
        });
    }
    Some(canonical(out))
}

/// `Gem::Version#canonical_segments`: drop trailing zeros of the release part and of the
/// pre-release part.
fn canonical(segments: Vec<Segment>) -> Vec<Segment> {
    let split = segments
        .iter()
        .position(|s| matches!(s, Segment::Text(_)))
        .unwrap_or(segments.len());
    let (release, pre) = segments.split_at(split);
    let mut release = release.to_vec();
    while release.len() > 1 && release.last() == Some(&Segment::Number(0)) {
        release.pop();
    }
    let mut pre = pre.to_vec();
    while pre.last() == Some(&Segment::Number(0)) {
        pre.pop();
    }
    release.extend(pre);
    release
}

/// Compares two gem versions; `None` if either is malformed.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    let left = segments(left)?;
    let right = segments(right)?;
    let length = left.len().max(right.len());
    for index in 0..length {
        let a = left.get(index).cloned().unwrap_or(Segment::Number(0));
        let b = right.get(index).cloned().unwrap_or(Segment::Number(0));
        let order = match (&a, &b) {
            (Segment::Number(x), Segment::Number(y)) => x.cmp(y),
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return Some(order);
        }
    }
    Some(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_version_ordering() {
        let chain = [
            "1.0.a", "1.0.a.1", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.1.a", "1.1", "1.10",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
        assert_eq!(compare("1.0", "1"), Some(Ordering::Equal));
        assert_eq!(compare("1.0.0", "1"), Some(Ordering::Equal));
        assert_eq!(compare("1.0-beta", "1.0.pre.beta"), Some(Ordering::Equal));
        assert_eq!(compare("1.0-beta", "1.0"), Some(Ordering::Less));
        assert_eq!(compare("junk!", "1.0"), None);
    }
}
