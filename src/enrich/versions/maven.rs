//! Maven version ordering: the rules of Maven's `ComparableVersion` (Maven 3.x), made a total
//! order.
//!
//! A version is split into items at `.`, `-` and digit/letter transitions; `-` and
//! transitions open a sub-list. Numbers compare numerically; qualifiers rank
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp`, and
//! unknown qualifiers sort after `sp`, alphabetically. Trailing "null" items (`0`, `ga`,
//! `final`, `release`, empty) are dropped, so `1.0` = `1` = `1-ga`.
//!
//! Maven compares two items of different kinds by kind alone (qualifier < sub-list < number),
//! but an item against a missing one by value, and the two disagree: `1-snapshot < 1 < 1.a`,
//! yet `1.a < 1-snapshot` because a qualifier sorts before a sub-list. An order that is not
//! transitive makes a sort give an arbitrary order (recent Rust panics) and lets a range check
//! answer both ways. So here, at the first position where two versions differ, the rest of
//! each is first placed against "nothing more" (below, equal or above, which is Maven's own
//! verdict against a missing item, taken over the whole rest); only rests on the same side
//! compare by kind and then by value, as Maven does. Maven's answer is kept wherever it is
//! consistent, and every string is ordered.

use std::cmp::Ordering;

/// Known qualifiers in rank order; `ga`, `final` and `release` are the empty one, `cr` is `rc`.
const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The rank of the release (empty) qualifier: the rank of "nothing more".
const RELEASE_RANK: usize = 5;
const _: () = assert!(QUALIFIERS[RELEASE_RANK].is_empty());

/// A qualifier in sortable form: its rank, then, for an unknown one (ranked after `sp`), its
/// name, so unknown qualifiers sort alphabetically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Qualifier {
    rank: usize,
    unknown: String,
}

impl Qualifier {
    fn new(text: &str, followed_by_digit: bool) -> Qualifier {
        // `a1`, `b1` and `m1` are alpha-1, beta-1 and milestone-1; a lone `a` is unknown.
        let text = match text {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            other => other,
        };
        match QUALIFIERS.iter().position(|known| *known == text) {
            Some(rank) => Qualifier {
                rank,
                unknown: String::new(),
            },
            None => Qualifier {
                rank: QUALIFIERS.len(),
                unknown: text.to_string(),
            },
        }
    }
}

/// An item of a level other than its sub-list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scalar {
    /// Digits without leading zeros (none for zero), so numbers of any size compare by length
    /// and then digit by digit.
    Number(Vec<u8>),
    Qualifier(Qualifier),
}

impl Scalar {
    fn number(digits: &str) -> Scalar {
        Scalar::Number(digits.trim_start_matches('0').as_bytes().to_vec())
    }

    fn run(text: &str, is_digit: bool) -> Scalar {
        if is_digit {
            Scalar::number(text)
        } else {
            Scalar::Qualifier(Qualifier::new(text, false))
        }
    }

    /// Where the item stands against a missing one: `Equal` for the "null" items that
    /// normalising drops (zero, the release qualifiers).
    fn side(&self) -> Ordering {
        match self {
            Scalar::Number(digits) if digits.is_empty() => Ordering::Equal,
            Scalar::Number(_) => Ordering::Greater,
            Scalar::Qualifier(qualifier) => qualifier.rank.cmp(&RELEASE_RANK),
        }
    }
}

/// One position of a level as the comparison sees it.
enum Slot<'a> {
    Scalar(&'a Scalar),
    /// The sub-list that ends the level.
    SubList,
}

impl Slot<'_> {
    /// Maven's order of kinds: qualifier < sub-list < number.
    fn kind_rank(&self) -> u8 {
        match self {
            Slot::Scalar(Scalar::Qualifier(_)) => 0,
            Slot::SubList => 1,
            Slot::Scalar(Scalar::Number(_)) => 2,
        }
    }
}

/// A parsed version. Every sub-list runs to the end of the version (nothing after it can
/// return to the enclosing list), so the nested lists of Maven's model form a chain: level
/// `k + 1` is the sub-list that ends level `k`. Kept flat, neither comparing nor dropping a
/// version of a hundred thousand `-` recurses.
struct Version {
    levels: Vec<Vec<Scalar>>,
}

impl Version {
    fn parse(text: &str) -> Version {
        let text = text.trim().to_lowercase();
        let mut levels: Vec<Vec<Scalar>> = vec![Vec::new()];
        let push = |levels: &mut Vec<Vec<Scalar>>, item: Scalar, open_sub_list: bool| {
            if let Some(level) = levels.last_mut() {
                level.push(item);
            }
            if open_sub_list {
                levels.push(Vec::new());
            }
        };
        let mut start = 0;
        let mut is_digit = false;
        // `start` and `index` are byte offsets; every separator is one ASCII byte, so each run
        // starts and ends on a character boundary.
        for (index, c) in text.char_indices() {
            if c == '.' || c == '-' {
                let item = if index == start {
                    Scalar::Number(Vec::new())
                } else {
                    Scalar::run(&text[start..index], is_digit)
                };
                push(&mut levels, item, c == '-');
                start = index + 1;
            } else if c.is_ascii_digit() {
                if !is_digit && index > start {
                    // A letter run followed by a digit: `a1` means alpha-1.
                    let item = Scalar::Qualifier(Qualifier::new(&text[start..index], true));
                    push(&mut levels, item, true);
                    start = index;
                }
                is_digit = true;
            } else {
                if is_digit && index > start {
                    push(&mut levels, Scalar::number(&text[start..index]), true);
                    start = index;
                }
                is_digit = false;
            }
        }
        if text.len() > start {
            push(&mut levels, Scalar::run(&text[start..], is_digit), false);
        }
        normalize(&mut levels);
        Version { levels }
    }

    /// For each level `k`, where the version from level `k` on stands against nothing more
    /// (its first item that is not null decides); one more entry, `Equal`, for past the end.
    fn level_sides(&self) -> Vec<Ordering> {
        let mut sides = vec![Ordering::Equal; self.levels.len() + 1];
        for (index, level) in self.levels.iter().enumerate().rev() {
            sides[index] = rest_sides(level, sides[index + 1])[0];
        }
        sides
    }

    /// The item at `position` of level `level`, or `None` past its end.
    fn slot(&self, level: usize, position: usize) -> Option<Slot<'_>> {
        let items = self.levels.get(level)?;
        match items.get(position) {
            Some(item) => Some(Slot::Scalar(item)),
            None if position == items.len() && level + 1 < self.levels.len() => Some(Slot::SubList),
            None => None,
        }
    }
}

/// Where each rest of a level stands against nothing more: entry `i` for `items[i..]` and
/// what follows them, whose side is `after`. The side of a rest is that of its first item
/// that is not null; the last entry, for no items, is `after`.
fn rest_sides(items: &[Scalar], after: Ordering) -> Vec<Ordering> {
    let mut sides = vec![after; items.len() + 1];
    for (index, item) in items.iter().enumerate().rev() {
        let side = item.side();
        sides[index] = if side.is_ne() { side } else { sides[index + 1] };
    }
    sides
}

/// Drops the null items at the end of each level, innermost first, and a level left empty
/// (Maven's `ListItem.normalize`: `1.0` is `1`, `1-ga` is `1`, and the null items just before
/// a sub-list go too, so `1.0-alpha` is `1-alpha`).
fn normalize(levels: &mut Vec<Vec<Scalar>>) {
    for index in (0..levels.len()).rev() {
        let has_sub_list = index + 1 < levels.len();
        let level = &mut levels[index];
        while level.last().is_some_and(|item| item.side().is_eq()) {
            level.pop();
        }
        if level.is_empty() && !has_sub_list {
            levels.truncate(index);
        }
    }
}

/// Compares two items on the same side of "nothing more": by kind, then by value.
fn compare_slots(left: &Slot<'_>, right: &Slot<'_>) -> Ordering {
    match (left, right) {
        (Slot::Scalar(Scalar::Number(a)), Slot::Scalar(Scalar::Number(b))) => {
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        (Slot::Scalar(Scalar::Qualifier(a)), Slot::Scalar(Scalar::Qualifier(b))) => a.cmp(b),
        _ => left.kind_rank().cmp(&right.kind_rank()),
    }
}

/// Compares two Maven versions (every string is a valid Maven version).
pub fn compare(left: &str, right: &str) -> Ordering {
    let (left, right) = (Version::parse(left), Version::parse(right));
    let (left_sides, right_sides) = (left.level_sides(), right.level_sides());
    let mut level = 0;
    'levels: loop {
        let no_items: &[Scalar] = &[];
        let left_items = left.levels.get(level).map_or(no_items, Vec::as_slice);
        let right_items = right.levels.get(level).map_or(no_items, Vec::as_slice);
        let after = |sides: &[Ordering]| sides.get(level + 1).copied().unwrap_or(Ordering::Equal);
        let left_rests = rest_sides(left_items, after(&left_sides));
        let right_rests = rest_sides(right_items, after(&right_sides));
        for position in 0..=left_items.len().max(right_items.len()) {
            // Where the rest of each version, from this position on, stands against nothing.
            let rest = |sides: &[Ordering]| sides.get(position).copied().unwrap_or(Ordering::Equal);
            let (left_rest, right_rest) = (rest(&left_rests), rest(&right_rests));
            if left_rest != right_rest {
                return left_rest.cmp(&right_rest);
            }
            // Both rests hold no item that is not null: nothing more on either side.
            let (Some(left_slot), Some(right_slot)) =
                (left.slot(level, position), right.slot(level, position))
            else {
                return Ordering::Equal;
            };
            match (&left_slot, &right_slot) {
                (Slot::SubList, Slot::SubList) => {
                    // A sub-list ends its level, so the versions compare as their sub-lists do.
                    level += 1;
                    continue 'levels;
                }
                _ => {
                    let order = compare_slots(&left_slot, &right_slot);
                    if order.is_ne() {
                        return order;
                    }
                }
            }
        }
        return Ordering::Equal;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_chain(chain: &[&str]) {
        for pair in chain.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
            assert_eq!(compare(pair[1], pair[0]), Ordering::Greater, "{pair:?}");
        }
    }

    #[test]
    fn maven_ordering_from_comparable_version_tests() {
        // From Maven's ComparableVersionTest.VERSIONS_QUALIFIER.
        check_chain(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        // VERSIONS_NUMBER.
        check_chain(&[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ]);
    }

    #[test]
    fn maven_equalities() {
        for (a, b) in [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1-final", "1"),
            ("1-release", "1"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1-cr1", "1-rc1"),
            ("1X", "1x"),
            ("1.0.0-01", "1.0.0-1"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        }
    }

    #[test]
    fn the_fuzzed_versions_with_control_characters_are_ordered_consistently() {
        // Found by the `version_ranges` fuzz target: `\u{1}` (an unknown qualifier) sorted
        // before `-. \u{1}` (a qualifier sorts before a sub-list), which equalled "" (a sub-list
        // was weighed against nothing by its first item, a null `0`), yet `\u{1}` > "".
        let (unknown, sub_list, empty) = ("\u{1}", "-. \u{1}", "");
        assert_eq!(compare(unknown, empty), Ordering::Greater);
        assert_eq!(compare(sub_list, empty), Ordering::Greater);
        assert_eq!(compare(unknown, sub_list), Ordering::Less);
    }

    #[test]
    fn a_qualifier_after_a_dot_sorts_after_the_release_and_its_snapshot() {
        // Maven itself has `1.a < 1-snapshot` (a qualifier before a sub-list) beside
        // `1-snapshot < 1 < 1.a`: a cycle. The side of the release decides here.
        check_chain(&["1-snapshot", "1", "1.a"]);
        check_chain(&["9.4.0-SNAPSHOT", "9.4.0", "9.4.0.v20161208"]);
    }

    #[test]
    fn a_sub_list_is_weighed_whole_against_nothing() {
        // `1-0.a` is `1` followed by the sub-list `0.a`, which is above the release because of
        // its `a`, not equal to it because of its `0`.
        check_chain(&["1", "1-0.a", "1-0.b"]);
        check_chain(&["2.0.2", "2.0.2-0.20190802080134-634605d06e73"]);
    }

    #[test]
    fn a_hundred_thousand_dashes_compare_without_recursing() {
        // Each `-` opens a sub-list; nested lists compared or dropped recursively overflowed
        // the stack.
        let dashes = "-".repeat(100_000);
        let (a, b) = (format!("{dashes}a"), format!("{dashes}b"));
        assert_eq!(compare(&a, &b), Ordering::Less);
        assert_eq!(compare(&dashes, ""), Ordering::Equal);
    }
}
