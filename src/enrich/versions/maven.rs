//! Maven version ordering: the rules of Maven's `ComparableVersion` (Maven 3.x).
//!
//! A version is split into items at `.`, `-` and digit/letter transitions; `-` and
//! transitions open a sub-list. Numbers compare numerically; qualifiers rank
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp`, and
//! unknown qualifiers sort after `sp`, alphabetically. Trailing "null" items (`0`, `ga`,
//! `final`, `release`, empty) are dropped, so `1.0` = `1` = `1-ga`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Number(Vec<u8>),
    Text(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// The sortable form of a qualifier: its rank, or `7-<name>` for unknown ones.
fn comparable_qualifier(qualifier: &str) -> String {
    let qualifier = match qualifier {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    match QUALIFIERS.iter().position(|q| *q == qualifier) {
        Some(index) => index.to_string(),
        None => format!("{}-{qualifier}", QUALIFIERS.len()),
    }
}

/// The rank of the empty (release) qualifier, used when comparing against a missing item.
fn release_rank() -> String {
    comparable_qualifier("")
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Number(digits) => digits.is_empty(),
            Item::Text(text) => comparable_qualifier(text) == release_rank(),
            Item::List(items) => items.is_empty(),
        }
    }

    fn text(value: &str, followed_by_digit: bool) -> Item {
        let value = if followed_by_digit && value.len() == 1 {
            match value {
                "a" => "alpha",
                "b" => "beta",
                "m" => "milestone",
                other => other,
            }
        } else {
            value
        };
        Item::Text(value.to_string())
    }

    fn number(value: &str) -> Item {
        // Leading zeros do not change the value; kept as digits to allow any size.
        let trimmed = value.trim_start_matches('0');
        Item::Number(trimmed.as_bytes().to_vec())
    }

    /// Compares with another item, or with "nothing" (`None`) when the other list is shorter.
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Number(digits), None) => {
                if digits.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Number(a), Some(Item::Number(b))) => {
                a.len().cmp(&b.len()).then_with(|| a.cmp(b))
            }
            (Item::Number(_), Some(_)) => Ordering::Greater,
            (Item::Text(text), None) => comparable_qualifier(text).cmp(&release_rank()),
            (Item::Text(_), Some(Item::Number(_))) => Ordering::Less,
            (Item::Text(a), Some(Item::Text(b))) => {
                comparable_qualifier(a).cmp(&comparable_qualifier(b))
            }
            (Item::Text(_), Some(Item::List(_))) => Ordering::Less,
            (Item::List(items), None) => match items.first() {
                None => Ordering::Equal,
                Some(first) => first.compare(None),
            },
            (Item::List(_), Some(Item::Number(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Text(_))) => Ordering::Greater,
            (Item::List(left), Some(Item::List(right))) => compare_lists(left, right),
        }
    }
}

fn compare_lists(left: &[Item], right: &[Item]) -> Ordering {
    let length = left.len().max(right.len());
    for index in 0..length {
        let order = match (left.get(index), right.get(index)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => r.compare(None).reverse(),
            (Some(l), r) => l.compare(r),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items from a list (Maven's `ListItem.normalize`).
fn normalize(items: &mut Vec<Item>) {
    while let Some(last) = items.last() {
        if last.is_null() {
            items.pop();
        } else {
            break;
        }
    }
    // Maven also drops null items that sit just before a trailing sub-list (`1.0-alpha` is
    // `1-alpha`): walk back over lists, removing nulls until a non-null, non-list item.
    let mut index = items.len();
    while index > 0 {
        index -= 1;
        if items[index].is_null() {
            items.remove(index);
        } else if !matches!(items[index], Item::List(_)) {
            break;
        }
    }
}

fn parse(version: &str) -> Item {
    let version = version.trim().to_lowercase();
    // A stack of open lists; the last one receives items.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let chars: Vec<char> = version.chars().collect();
    let mut start = 0;
    let mut is_digit = false;

    fn push(stack: &mut [Vec<Item>], item: Item) {
        if let Some(list) = stack.last_mut() {
            list.push(item);
        }
    }
    fn close_all(stack: &mut Vec<Vec<Item>>) -> Vec<Item> {
        while stack.len() > 1 {
            let mut list = stack.pop().unwrap_or_default();
            normalize(&mut list);
            push(stack, Item::List(list));
        }
        let mut root = stack.pop().unwrap_or_default();
        normalize(&mut root);
        root
    }
    let slice = |from: usize, to: usize| chars[from..to].iter().collect::<String>();

    for (index, &c) in chars.iter().enumerate() {
        if c == '.' || c == '-' {
            if index == start {
                push(&mut stack, Item::Number(Vec::new()));
            } else {
                let text = slice(start, index);
                let item = if is_digit {
                    Item::number(&text)
                } else {
                    Item::text(&text, false)
                };
                push(&mut stack, item);
            }
            start = index + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && index > start {
                // A letter run followed by a digit: `a1` means alpha-1.
                let text = slice(start, index);
                push(&mut stack, Item::text(&text, true));
                start = index;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && index > start {
                let text = slice(start, index);
                push(&mut stack, Item::number(&text));
                start = index;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if chars.len() > start {
        let text = slice(start, chars.len());
        let item = if is_digit {
            Item::number(&text)
        } else {
            Item::text(&text, false)
        };
        push(&mut stack, item);
    }
    Item::List(close_all(&mut stack))
}

/// Compares two Maven versions (every string is a valid Maven version).
pub fn compare(left: &str, right: &str) -> Ordering {
    match (parse(left), parse(right)) {
        (Item::List(l), Item::List(r)) => compare_lists(&l, &r),
        _ => Ordering::Equal,
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
}
