//! NuGet ordering: SemVer 2.0 with an optional fourth number (`1.2.3.4`), missing numbers
//! taken as 0, labels compared case-insensitively, build metadata ignored.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq)]
struct NuGetVersion {
    numbers: [u64; 4],
    labels: Vec<String>,
}

fn parse(text: &str) -> Option<NuGetVersion> {
    let text = text.trim();
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.split('+').next().unwrap_or(text);
    let (core, pre) = match text.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (text, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut numbers = [0u64; 4];
    for (index, part) in parts.iter().enumerate() {
        numbers[index] = part.parse().ok()?;
    }
    let labels = match pre {
        Some(pre) => {
            let labels: Vec<String> = pre.split('.').map(|l| l.to_ascii_lowercase()).collect();
            if labels.iter().any(|l| l.is_empty()) {
                return None;
            }
            labels
        }
        None => Vec::new(),
    };
    Some(NuGetVersion { numbers, labels })
}

fn compare_labels(left: &[String], right: &[String]) -> Ordering {
    match (left.is_empty(), right.is_empty()) {
        (true, true) => return Ordering::Equal,
        // A release sorts after any pre-release.
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    for (a, b) in left.iter().zip(right) {
        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => a.cmp(b),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    left.len().cmp(&right.len())
}

/// Compares two NuGet versions; `None` if either is malformed.
pub fn compare(left: &str, right: &str) -> Option<Ordering> {
    let left = parse(left)?;
    let right = parse(right)?;
    Some(
        left.numbers
            .cmp(&right.numbers)
            .then_with(|| compare_labels(&left.labels, &right.labels)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuget_ordering() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-Alpha.2",
            "1.0.0-beta",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.1",
        ];
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Some(Ordering::Less), "{pair:?}");
        }
        assert_eq!(compare("1.0", "1.0.0.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.0.0-RC", "1.0.0-rc"), Some(Ordering::Equal));
        assert_eq!(compare("1.0.0+abc", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(compare("1.2.3.4.5", "1.0"), None);
    }
}
