//! Enrich helper: version ordering and package-name normalisation per ecosystem.
//!
//! In: two version strings (or a name) and the ecosystem's scheme. Out: their order (or the
//! canonical name). Every scheme answers `None` for a version it cannot parse, so a caller can
//! report "not evaluated" instead of guessing. Used by advisory range matching.

mod composer;
mod go;
mod maven;
mod nuget;
mod pep440;
mod rubygems;
mod semantic;

use std::cmp::Ordering;

pub use semantic::parse_lenient as parse_semver_lenient;

/// A version-ordering scheme: one per ecosystem family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// SemVer 2.0 (Cargo, npm, and OSV `SEMVER` ranges): pre-releases sort before releases,
    /// build metadata is ignored.
    Semver,
    /// PEP 440 (PyPI): epochs, pre/post/dev releases, local versions.
    Pep440,
    /// Go module versions: `v` prefix, `+incompatible`, pseudo-versions.
    Go,
    /// Maven `ComparableVersion` rules.
    Maven,
    /// RubyGems `Gem::Version` rules.
    RubyGems,
    /// NuGet (SemVer 2 with a fourth number, case-insensitive labels).
    NuGet,
    /// Composer / Packagist (PHP `version_compare` stabilities).
    Composer,
    /// Dotted numbers with text segments (Hackage, CRAN, anything unknown).
    Generic,
}

impl Scheme {
    /// The scheme for an OSV ecosystem name (`crates.io`, `PyPI`, `Go`, `Maven`, ...).
    ///
    /// OSV ecosystems may carry a suffix (`Debian:12`, `Maven:https://…`); only the part before
    /// the first `:` decides.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Scheme {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem);
        match base {
            "crates.io" | "npm" => Scheme::Semver,
            "PyPI" => Scheme::Pep440,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            _ => Scheme::Generic,
        }
    }

    /// Compares two versions; `None` when either cannot be parsed in this scheme.
    pub fn compare(&self, left: &str, right: &str) -> Option<Ordering> {
        match self {
            Scheme::Semver => semantic::compare(left, right),
            Scheme::Pep440 => pep440::compare(left, right),
            Scheme::Go => go::compare(left, right),
            Scheme::Maven => Some(maven::compare(left, right)),
            Scheme::RubyGems => rubygems::compare(left, right),
            Scheme::NuGet => nuget::compare(left, right),
            Scheme::Composer => composer::compare(left, right),
            Scheme::Generic => Some(generic_compare(left, right)),
        }
    }

    /// True when the version is valid in this scheme.
    pub fn is_valid(&self, version: &str) -> bool {
        self.compare(version, version).is_some()
    }

    /// True when two spellings name the same version (`1.0` and `1.0.0` in PEP 440).
    pub fn equal(&self, left: &str, right: &str) -> bool {
        match self.compare(left, right) {
            Some(order) => order == Ordering::Equal,
            None => left == right,
        }
    }
}

/// The canonical form of a package name, so names from lockfiles and advisories compare equal.
///
/// PyPI: PEP 503 (lowercase, runs of `-`, `_`, `.` become one `-`). npm, NuGet, Composer and
/// Maven names are case-insensitive in their registries, so they are lowercased. Go module
/// paths and crates.io names are kept as written: Go paths are case-sensitive (the proxy
/// escapes capitals), and crates.io advisories use the crate's published spelling.
pub fn normalize_name(osv_ecosystem: &str, name: &str) -> String {
    let base = osv_ecosystem.split(':').next().unwrap_or(osv_ecosystem);
    match base {
        "PyPI" => pep503(name),
        "npm" | "NuGet" | "Packagist" | "Maven" | "RubyGems" | "Hackage" | "CRAN" => {
            if base == "RubyGems" || base == "Hackage" || base == "CRAN" {
                // Gem, Hackage and CRAN names are case-sensitive.
                name.to_string()
            } else {
                name.to_ascii_lowercase()
            }
        }
        _ => name.to_string(),
    }
}

/// PEP 503 name normalisation: lowercase, and every run of `-`, `_` or `.` becomes `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator = false;
        }
    }
    out
}

/// A segment of a generic version: a number or a run of other characters.
#[derive(Debug, PartialEq, Eq)]
enum Segment<'a> {
    Number(u128),
    Text(&'a str),
}

/// The maximal runs of digits and of other characters in `part`, each with whether it is
/// digits: `12rc3` -> `(true, "12")`, `(false, "rc")`, `(true, "3")`.
pub(super) fn digit_runs(part: &str) -> impl Iterator<Item = (bool, &str)> {
    let bytes = part.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let digit = bytes[start].is_ascii_digit();
        let mut end = start;
        while end < bytes.len() && bytes[end].is_ascii_digit() == digit {
            end += 1;
        }
        let run = &part[start..end];
        start = end;
        Some((digit, run))
    })
}

fn generic_segments(version: &str) -> Vec<Segment<'_>> {
    version
        .split(['.', '-', '_', '+', '~'])
        .flat_map(digit_runs)
        .map(|(digit, text)| match text.parse::<u128>() {
            Ok(number) if digit => Segment::Number(number),
            _ => Segment::Text(text),
        })
        .collect()
}

/// Dotted-number ordering with text segments (numbers sort after text; missing parts are 0).
pub fn generic_compare(left: &str, right: &str) -> Ordering {
    let left = generic_segments(left);
    let right = generic_segments(right);
    let length = left.len().max(right.len());
    for index in 0..length {
        let a = left.get(index).unwrap_or(&Segment::Number(0));
        let b = right.get(index).unwrap_or(&Segment::Number(0));
        let order = match (a, b) {
            (Segment::Number(x), Segment::Number(y)) => x.cmp(y),
            (Segment::Number(_), Segment::Text(_)) => Ordering::Greater,
            (Segment::Text(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Text(x), Segment::Text(y)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    Ordering::Equal
}

/// Versions that stress every scheme's parser and ordering: empty, blank, control
/// characters, lone separators, null items, prefixes, pre-releases, post-releases and
/// sub-lists. Tests check orderings over every pair and triple of them.
#[cfg(test)]
const TRICKY_VERSIONS: &[&str] = &[
    "",
    " ",
    "\t",
    "\r",
    "\u{0}",
    "\u{1}",
    "\u{1}1",
    "1\u{1}",
    "1-\u{1}",
    "-. \u{1}",
    " 1",
    "1 ",
    "-",
    ".",
    "..",
    "--",
    "+",
    "_",
    "~",
    "-a",
    ".a",
    "a",
    "a1",
    "1a",
    "sp",
    "ga",
    "final",
    "release",
    "snapshot",
    "0",
    "00",
    "01",
    "1",
    "1-",
    "1.",
    "1-0",
    "1.0",
    "1-a",
    "1.a",
    "1-sp",
    "1-ga",
    "1-snapshot",
    "1--1",
    "1..1",
    "1-.a",
    "1-0.a",
    "1-0.b",
    "1-1",
    "1.1",
    "1.0-alpha",
    "1.0.0",
    "1.0.0.0",
    "1.0.0-0",
    "1.0.0-rc.1",
    "1.0.0-beta",
    "1.0.0-Beta",
    "1.0.0+build",
    "v1.0.0",
    "v1.0",
    "1.0rc1",
    "1.0.post1",
    "1.0.dev1",
    "1!1.0",
    "2",
    "2-1",
    "2.0.1",
    "2.0.0.rc1",
    "2.0.0-0.20190802080134-634605d06e73",
    "dev-main",
    "1.0.0-p1",
    "1.2.3.4.5",
    "\u{663}",
    "1e",
];

/// One OSV ecosystem for each scheme the advisory matcher uses (Hackage for the generic one):
/// what the ordering tests and the `version_ranges` fuzz target run every scheme through.
pub const ECOSYSTEM_PER_SCHEME: [&str; 9] = [
    "crates.io",
    "npm",
    "PyPI",
    "Go",
    "Maven",
    "RubyGems",
    "NuGet",
    "Packagist",
    "Hackage",
];

/// For each of [`ECOSYSTEM_PER_SCHEME`]: the ecosystem, its scheme, and the `TRICKY_VERSIONS` that
/// scheme accepts.
#[cfg(test)]
pub(crate) fn tricky_versions_per_scheme() -> Vec<(&'static str, Scheme, Vec<&'static str>)> {
    ECOSYSTEM_PER_SCHEME
        .iter()
        .map(|&ecosystem| {
            let scheme = Scheme::for_osv_ecosystem(ecosystem);
            let valid = TRICKY_VERSIONS
                .iter()
                .copied()
                .filter(|version| scheme.is_valid(version))
                .collect();
            (ecosystem, scheme, valid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_orders_tricky_versions_totally() {
        // A sort needs a total order on the versions a scheme accepts: reflexive,
        // antisymmetric and transitive. Each pair is compared once, then every triple checked.
        for (ecosystem, scheme, valid) in tricky_versions_per_scheme() {
            let order: Vec<Vec<Option<Ordering>>> = valid
                .iter()
                .map(|left| {
                    valid
                        .iter()
                        .map(|right| scheme.compare(left, right))
                        .collect()
                })
                .collect();
            for (a, left) in valid.iter().enumerate() {
                assert_eq!(
                    order[a][a],
                    Some(Ordering::Equal),
                    "`{left:?}` in {ecosystem}"
                );
                for (b, middle) in valid.iter().enumerate() {
                    let (Some(ab), Some(ba)) = (order[a][b], order[b][a]) else {
                        panic!("`{left:?}` vs `{middle:?}` unordered in {ecosystem}");
                    };
                    assert_eq!(
                        ab,
                        ba.reverse(),
                        "`{left:?}` vs `{middle:?}` in {ecosystem}"
                    );
                    for (c, right) in valid.iter().enumerate() {
                        if ab.is_le() && order[b][c].is_some_and(Ordering::is_le) {
                            assert!(
                                order[a][c].is_some_and(Ordering::is_le),
                                "`{left:?}` <= `{middle:?}` <= `{right:?}` but not \
                                 `{left:?}` <= `{right:?}` in {ecosystem}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn scheme_per_ecosystem() {
        assert_eq!(Scheme::for_osv_ecosystem("crates.io"), Scheme::Semver);
        assert_eq!(Scheme::for_osv_ecosystem("PyPI"), Scheme::Pep440);
        assert_eq!(Scheme::for_osv_ecosystem("Go"), Scheme::Go);
        assert_eq!(Scheme::for_osv_ecosystem("Maven"), Scheme::Maven);
        assert_eq!(Scheme::for_osv_ecosystem("Debian:12"), Scheme::Generic);
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(normalize_name("PyPI", "PyYAML"), "pyyaml");
        assert_eq!(
            normalize_name("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(normalize_name("npm", "JSONStream"), "jsonstream");
    }

    #[test]
    fn generic_ordering() {
        assert_eq!(generic_compare("1.2.10", "1.2.9"), Ordering::Greater);
        assert_eq!(generic_compare("1.2", "1.2.0"), Ordering::Equal);
        assert_eq!(generic_compare("1.2-3", "1.2-10"), Ordering::Less);
        assert_eq!(generic_compare("1.0a", "1.0"), Ordering::Less);
    }
}
