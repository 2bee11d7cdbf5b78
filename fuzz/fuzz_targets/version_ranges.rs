#![no_main]
//! Each ecosystem's version ordering and OSV range judgement. The first byte picks the
//! ecosystem; the lines after it are versions `a`, `b`, `c`. Comparing is reflexive,
//! antisymmetric and transitive, and `c` is in `[a, b)` exactly when `a <= c < b`.

use std::cmp::Ordering;

use depgate::enrich::advisories::{Affected, Event, Range, RangeKind, affects};
use depgate::enrich::versions::{ECOSYSTEM_PER_SCHEME, Scheme};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ecosystem = ECOSYSTEM_PER_SCHEME[usize::from(selector) % ECOSYSTEM_PER_SCHEME.len()];
    let scheme = Scheme::for_osv_ecosystem(ecosystem);
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or("");
    let (a, b, c) = (next(), next(), next());
    for version in [a, b, c] {
        if scheme.is_valid(version) {
            assert_eq!(
                scheme.compare(version, version),
                Some(Ordering::Equal),
                "`{version}` vs itself"
            );
        }
    }
    for (left, right) in [(a, b), (b, c), (a, c)] {
        assert_eq!(
            scheme.compare(left, right),
            scheme.compare(right, left).map(Ordering::reverse),
            "`{left}` vs `{right}` in {ecosystem}"
        );
    }
    let (Some(ab), Some(bc), Some(ac)) = (
        scheme.compare(a, b),
        scheme.compare(b, c),
        scheme.compare(a, c),
    ) else {
        return;
    };
    if ab != Ordering::Greater && bc != Ordering::Greater {
        assert_ne!(
            ac,
            Ordering::Greater,
            "`{a}` <= `{b}` <= `{c}` but `{a}` > `{c}` in {ecosystem}"
        );
    }
    // The range [a, b) judged at c. "0" is OSV's "from the beginning", so it is left out.
    if a == "0" || ab != Ordering::Less {
        return;
    }
    let affected = Affected {
        ecosystem: ecosystem.to_string(),
        name: "fuzzed".to_string(),
        ranges: vec![Range {
            kind: RangeKind::Ecosystem,
            events: vec![
                Event::Introduced(a.to_string()),
                Event::Fixed(b.to_string()),
            ],
        }],
        versions: Vec::new(),
        os: Vec::new(),
        arch: Vec::new(),
        functions: Vec::new(),
    };
    let expected = ac != Ordering::Greater && bc == Ordering::Greater;
    assert_eq!(
        affects(&affected, c),
        Some(expected),
        "`{c}` in [`{a}`, `{b}`) in {ecosystem}"
    );
});
