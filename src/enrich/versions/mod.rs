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

#[cfg(test)]
mod tests {
    use super::*;

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
