//! Matching: inventory packages × advisories → [`AdvisoryMatch`]es, plus remediation.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::cvss_score::{SeverityLabel, score_vector};
use super::{Advisory, AdvisoryKind, AdvisorySet, Affected, Event, RangeKind};
use crate::enrich::versions::{Scheme, normalize_name};
use crate::inventory::{Ecosystem, Inventory, Package, PackageId, PackageKind, Source};

/// One advisory that applies to one inventory package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryMatch {
    /// The package in the inventory.
    pub package: PackageId,
    /// The advisory's primary id.
    pub advisory_id: String,
    /// Its aliases (merged from every database that reported it).
    pub aliases: Vec<String>,
    /// What kind of advisory it is.
    pub kind: AdvisoryKind,
    /// The highest CVSS base score among its vectors.
    pub cvss_score: Option<f64>,
    /// The vector that gave the score.
    pub cvss_vector: Option<String>,
    /// Severity label from the score, else from the database's text, else `unknown`.
    pub severity: SeverityLabel,
    /// Patched ranges (`>= 1.2.3`, `>= 0.4.16, < 0.5.0`).
    pub patched: Vec<String>,
    /// The smallest version fixing every vulnerability of this package (same for all its
    /// matches), when the advisories name one.
    pub package_fix: Option<String>,
    /// One-line summary.
    pub title: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// Index of the database in [`AdvisorySet::databases`].
    pub database: usize,
    /// The operating systems the advisory is limited to; empty for all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub os: Vec<String>,
    /// The CPU architectures it is limited to; empty for all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arch: Vec<String>,
    /// The functions the advisory names as holding the vulnerable code (RustSec `[affected]
    /// functions`), each with whether the package's version is in its ranges.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<MatchedFunction>,
}

/// One function an advisory names, against the version of the package it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedFunction {
    /// Its path, `crate::module::Type::method`.
    pub path: String,
    /// The versions it is affected in, as the advisory gives them (`<= 0.1.1`).
    pub versions: Vec<String>,
    /// Whether the package's version is in those versions (`false` also when the version
    /// or a requirement cannot be read as semver: the reader is told to check, not assured).
    pub version_in_range: bool,
}

impl MatchedFunction {
    /// `path` with its versions: `` `anon_vec::AnonVec::get_ref` (<=0.1.1) ``.
    pub fn describe(&self) -> String {
        if self.versions.is_empty() {
            format!("`{}`", self.path)
        } else {
            format!("`{}` ({})", self.path, self.versions.join("; "))
        }
    }
}

/// The advisory's functions against `version`: a function is in range when its version
/// requirements match the version (semver, as RustSec's own `versions` are read); a function
/// without requirements is affected wherever the advisory is.
fn matched_functions(advisory: &Advisory, name: &str, version: &str) -> Vec<MatchedFunction> {
    let parsed = semver::Version::parse(version).ok();
    let mut out: Vec<MatchedFunction> = advisory
        .affected
        .iter()
        .filter(|affected| affected.name == name)
        .flat_map(|affected| &affected.functions)
        .map(|function| MatchedFunction {
            path: function.path.clone(),
            versions: function.versions.clone(),
            version_in_range: function.versions.is_empty()
                || function.versions.iter().any(|requirement| {
                    let requirement = semver::VersionReq::parse(requirement).ok();
                    matches!((&requirement, &parsed), (Some(r), Some(v)) if r.matches(v))
                }),
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup();
    out
}

/// The remediation for one vulnerable package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    /// The package.
    pub package: PackageId,
    /// Vulnerability ids that apply.
    pub advisories: Vec<String>,
    /// Patched ranges of all of them.
    pub patched: Vec<String>,
    /// The smallest version fixing all of them, if the advisories name one.
    pub fixed_in: Option<String>,
}

/// Whether a package's identity is certain enough to match registry advisories.
fn eligible(package: &Package) -> bool {
    if package.kind != PackageKind::ThirdParty {
        return false;
    }
    match &package.source {
        Source::Path { .. } | Source::Git { .. } => false,
        // Like `cargo audit`, only crates from crates.io match RustSec/crates.io advisories.
        Source::Registry { default, .. } => *default || package.ecosystem != Ecosystem::Cargo,
        Source::Unknown => true,
    }
}

/// The version ordering of a range in an affected entry.
fn range_scheme(kind: RangeKind, ecosystem: &str) -> Scheme {
    match kind {
        RangeKind::Semver => {
            // Go's SEMVER ranges omit the `v`; its scheme strips it from the package version.
            if ecosystem == "Go" {
                Scheme::Go
            } else {
                Scheme::Semver
            }
        }
        _ => Scheme::for_osv_ecosystem(ecosystem),
    }
}

fn event_version(event: &Event) -> &str {
    match event {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// Events sorted by version (`introduced: 0` first), unparsable versions dropped.
fn sorted_events(events: &[Event], scheme: Scheme) -> Vec<&Event> {
    let mut sorted: Vec<&Event> = events
        .iter()
        .filter(|e| {
            let v = event_version(e);
            (matches!(e, Event::Introduced(_)) && v == "0") || scheme.is_valid(v)
        })
        .collect();
    sorted.sort_by(|a, b| {
        let (va, vb) = (event_version(a), event_version(b));
        match (
            va == "0" && matches!(a, Event::Introduced(_)),
            vb == "0" && matches!(b, Event::Introduced(_)),
        ) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => scheme.compare(va, vb).unwrap_or(Ordering::Equal),
        }
    });
    sorted
}

/// Whether `version` is affected by an entry: `Some(true/false)`, or `None` when the version
/// cannot be ordered in the entry's scheme and is not listed explicitly.
pub fn affects(affected: &Affected, version: &str) -> Option<bool> {
    let ecosystem_scheme = Scheme::for_osv_ecosystem(&affected.ecosystem);
    if affected
        .versions
        .iter()
        .any(|listed| ecosystem_scheme.equal(listed, version))
    {
        return Some(true);
    }
    let mut undecided = false;
    for range in &affected.ranges {
        let scheme = range_scheme(range.kind, &affected.ecosystem);
        if !scheme.is_valid(version) {
            undecided = true;
            continue;
        }
        let limits: Vec<&str> = range
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Limit(v) if v != "*" => Some(v.as_str()),
                _ => None,
            })
            .collect();
        if !limits.is_empty()
            && !limits
                .iter()
                .any(|limit| scheme.compare(version, limit) == Some(Ordering::Less))
        {
            continue;
        }
        let mut affected_now = false;
        for event in sorted_events(&range.events, scheme) {
            match event {
                Event::Introduced(v) => {
                    if v == "0" || scheme.compare(v, version) != Some(Ordering::Greater) {
                        affected_now = true;
                    }
                }
                Event::Fixed(v) => {
                    if scheme.compare(v, version) != Some(Ordering::Greater) {
                        affected_now = false;
                    }
                }
                Event::LastAffected(v) => {
                    if scheme.compare(v, version) == Some(Ordering::Less) {
                        affected_now = false;
                    }
                }
                Event::Limit(_) => {}
            }
        }
        if affected_now {
            return Some(true);
        }
    }
    if undecided && affected.versions.is_empty() {
        None
    } else {
        Some(false)
    }
}

/// Patched ranges of an entry: for each `fixed`, up to the next `introduced`.
fn patched_ranges(affected: &Affected) -> Vec<String> {
    let mut out = Vec::new();
    for range in &affected.ranges {
        let scheme = range_scheme(range.kind, &affected.ecosystem);
        let events = sorted_events(&range.events, scheme);
        for (position, event) in events.iter().enumerate() {
            let text = match event {
                Event::Fixed(fixed) => {
                    let next = events[position + 1..].iter().find_map(|e| match e {
                        Event::Introduced(v) if v != "0" => Some(v),
                        _ => None,
                    });
                    match next {
                        Some(next) => format!(">= {fixed}, < {next}"),
                        None => format!(">= {fixed}"),
                    }
                }
                Event::LastAffected(last) => format!("> {last}"),
                _ => continue,
            };
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

fn fixed_versions(affected: &Affected) -> Vec<String> {
    affected
        .ranges
        .iter()
        .flat_map(|r| r.events.iter())
        .filter_map(|e| match e {
            Event::Fixed(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn severity_of(advisory: &Advisory) -> (Option<f64>, Option<String>, SeverityLabel) {
    let best = advisory
        .cvss
        .iter()
        .filter_map(|vector| score_vector(vector).map(|score| (score, vector)))
        .max_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
    match best {
        Some((score, vector)) => (
            Some(score),
            Some(vector.clone()),
            SeverityLabel::from_score(score),
        ),
        None => (
            None,
            None,
            advisory
                .severity_text
                .as_deref()
                .map(SeverityLabel::from_text)
                .unwrap_or(SeverityLabel::Unknown),
        ),
    }
}

/// Matches every eligible package against the set. Output is sorted by package, then
/// advisory id. Advisories that name each other by id or alias are reported once per package
/// (the first database's record, with the aliases of all of them).
///
/// Packages whose version cannot be ordered in their ecosystem's scheme, and that some
/// advisory names, produce a [`AdvisoryKind::NotEvaluated`] match saying so.
pub fn match_inventory(inventory: &Inventory, set: &AdvisorySet) -> Vec<AdvisoryMatch> {
    let mut out = Vec::new();
    for package in inventory.packages() {
        if !eligible(package) {
            continue;
        }
        let ecosystem = package.ecosystem.osv_name();
        let name = normalize_name(ecosystem, &package.name);
        let mut kept: Vec<(AdvisoryMatch, &Advisory)> = Vec::new();
        let mut undecided = false;
        for advisory in set.for_package(ecosystem, &name) {
            let mut hit = false;
            let mut patched = Vec::new();
            for affected in advisory
                .affected
                .iter()
                .filter(|a| a.ecosystem == ecosystem && a.name == name)
            {
                match affects(affected, &package.version) {
                    Some(true) => hit = true,
                    Some(false) => {}
                    None => undecided = true,
                }
                patched.extend(patched_ranges(affected));
            }
            if !hit {
                continue;
            }
            // Same advisory from another database (linked by id or alias): merge aliases.
            if let Some((existing, _)) = kept.iter_mut().find(|(m, _)| {
                m.advisory_id == advisory.id
                    || m.aliases.contains(&advisory.id)
                    || advisory.aliases.contains(&m.advisory_id)
            }) {
                for alias in std::iter::once(&advisory.id).chain(&advisory.aliases) {
                    if *alias != existing.advisory_id && !existing.aliases.contains(alias) {
                        existing.aliases.push(alias.clone());
                    }
                }
                continue;
            }
            let (cvss_score, cvss_vector, severity) = severity_of(advisory);
            kept.push((
                AdvisoryMatch {
                    package: package.id,
                    advisory_id: advisory.id.clone(),
                    aliases: advisory.aliases.clone(),
                    kind: advisory.kind,
                    cvss_score,
                    cvss_vector,
                    severity,
                    patched,
                    package_fix: None,
                    title: advisory.title.clone(),
                    url: advisory.url.clone(),
                    database: advisory.database,
                    os: limits(advisory, |a| &a.os),
                    arch: limits(advisory, |a| &a.arch),
                    functions: matched_functions(advisory, &name, &package.version),
                },
                advisory,
            ));
        }
        let fix = smallest_fix(package, ecosystem, &name, &kept);
        for (mut found, _) in kept {
            if found.kind == AdvisoryKind::Vulnerability {
                found.package_fix = fix.clone();
            }
            out.push(found);
        }
        if undecided {
            out.push(AdvisoryMatch {
                package: package.id,
                advisory_id: "version-order".to_string(),
                aliases: Vec::new(),
                kind: AdvisoryKind::NotEvaluated,
                cvss_score: None,
                cvss_vector: None,
                severity: SeverityLabel::Unknown,
                patched: Vec::new(),
                package_fix: None,
                title: Some(format!(
                    "version `{}` cannot be ordered as a {ecosystem} version; some advisory ranges were not evaluated",
                    package.version
                )),
                url: None,
                database: 0,
                os: Vec::new(),
                arch: Vec::new(),
                functions: Vec::new(),
            });
        }
    }
    out.sort_by(|a, b| (a.package, &a.advisory_id).cmp(&(b.package, &b.advisory_id)));
    out
}

/// The platform limits (`os` or `arch`) of an advisory's affected entries, merged.
fn limits(advisory: &Advisory, field: impl Fn(&Affected) -> &Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = advisory
        .affected
        .iter()
        .flat_map(|a| field(a).clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The smallest fixed version above the current one that no vulnerability affects.
fn smallest_fix(
    package: &Package,
    ecosystem: &str,
    name: &str,
    kept: &[(AdvisoryMatch, &Advisory)],
) -> Option<String> {
    let vulnerabilities: Vec<&Advisory> = kept
        .iter()
        .filter(|(m, _)| m.kind == AdvisoryKind::Vulnerability)
        .map(|(_, a)| *a)
        .collect();
    if vulnerabilities.is_empty() {
        return None;
    }
    let entries: Vec<&Affected> = vulnerabilities
        .iter()
        .flat_map(|a| a.affected.iter())
        .filter(|a| a.ecosystem == ecosystem && a.name == name)
        .collect();
    let scheme = Scheme::for_osv_ecosystem(ecosystem);
    let mut candidates: Vec<String> = entries
        .iter()
        .flat_map(|a| fixed_versions(a))
        .filter(|v| scheme.compare(v, &package.version) == Some(Ordering::Greater))
        .collect();
    candidates.sort_by(|a, b| scheme.compare(a, b).unwrap_or(Ordering::Equal));
    candidates.dedup();
    candidates.into_iter().find(|candidate| {
        entries
            .iter()
            .all(|entry| affects(entry, candidate) == Some(false))
    })
}

/// Remediation per vulnerable package, from the matches (sorted by package).
pub fn remediation(matches: &[AdvisoryMatch]) -> Vec<Remediation> {
    let mut out: Vec<Remediation> = Vec::new();
    for found in matches
        .iter()
        .filter(|m| m.kind == AdvisoryKind::Vulnerability)
    {
        match out.iter_mut().find(|r| r.package == found.package) {
            Some(entry) => {
                entry.advisories.push(found.advisory_id.clone());
                for range in &found.patched {
                    if !entry.patched.contains(range) {
                        entry.patched.push(range.clone());
                    }
                }
            }
            None => out.push(Remediation {
                package: found.package,
                advisories: vec![found.advisory_id.clone()],
                patched: found.patched.clone(),
                fixed_in: found.package_fix.clone(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::advisories::Range;

    fn entry(ecosystem: &str, kind: RangeKind, events: Vec<Event>, versions: &[&str]) -> Affected {
        Affected {
            ecosystem: ecosystem.into(),
            name: "p".into(),
            ranges: vec![Range { kind, events }],
            versions: versions.iter().map(|v| v.to_string()).collect(),
            os: Vec::new(),
            arch: Vec::new(),
            functions: Vec::new(),
        }
    }

    #[test]
    fn introduced_fixed_multi_branch() {
        let e = entry(
            "crates.io",
            RangeKind::Semver,
            vec![
                Event::Introduced("0".into()),
                Event::Fixed("0.4.16".into()),
                Event::Introduced("0.5.0".into()),
                Event::Fixed("0.5.3".into()),
            ],
            &[],
        );
        assert_eq!(affects(&e, "0.4.15"), Some(true));
        assert_eq!(affects(&e, "0.4.16"), Some(false));
        assert_eq!(affects(&e, "0.4.99"), Some(false));
        assert_eq!(affects(&e, "0.5.0"), Some(true));
        assert_eq!(affects(&e, "0.5.3-rc.1"), Some(true));
        assert_eq!(affects(&e, "0.5.3"), Some(false));
        assert_eq!(patched_ranges(&e), vec![">= 0.4.16, < 0.5.0", ">= 0.5.3"]);
    }

    #[test]
    fn last_affected_limit_and_versions_list() {
        let e = entry(
            "PyPI",
            RangeKind::Ecosystem,
            vec![
                Event::Introduced("1.0".into()),
                Event::LastAffected("1.4".into()),
            ],
            &[],
        );
        assert_eq!(affects(&e, "0.9"), Some(false));
        assert_eq!(affects(&e, "1.4.0"), Some(true));
        assert_eq!(affects(&e, "1.4.post1"), Some(false));
        let limited = entry(
            "Go",
            RangeKind::Semver,
            vec![Event::Introduced("0".into()), Event::Limit("2.0.0".into())],
            &[],
        );
        assert_eq!(affects(&limited, "v1.9.0"), Some(true));
        assert_eq!(affects(&limited, "v2.0.0"), Some(false));
        let listed = entry("PyPI", RangeKind::Git, vec![], &["1.0", "1.1"]);
        assert_eq!(affects(&listed, "1.0.0"), Some(true));
        assert_eq!(affects(&listed, "1.2"), Some(false));
    }

    #[test]
    fn unorderable_version_is_undecided() {
        let e = entry(
            "PyPI",
            RangeKind::Ecosystem,
            vec![Event::Introduced("0".into()), Event::Fixed("2.0".into())],
            &[],
        );
        assert_eq!(affects(&e, "not a version!"), None);
    }

    #[test]
    fn a_range_holds_exactly_the_tricky_versions_between_its_ends() {
        // `[a, b)` holds `c` exactly when `a <= c < b`, in every scheme; events are sorted
        // with the scheme's order, so this needs that order to be total.
        for (ecosystem, scheme, valid) in crate::enrich::versions::tricky_versions_per_scheme() {
            // Every spelling is judged, but the ends are one spelling per version, which keeps
            // the cubic loop to seconds.
            let mut ends: Vec<&str> = Vec::new();
            for &version in &valid {
                if !ends.iter().any(|end| scheme.equal(end, version)) {
                    ends.push(version);
                }
            }
            for &introduced in &ends {
                // "0" is OSV's "from the beginning", not a version.
                if introduced == "0" {
                    continue;
                }
                for &fixed in &ends {
                    if scheme.compare(introduced, fixed) != Some(Ordering::Less) {
                        continue;
                    }
                    let range = entry(
                        ecosystem,
                        RangeKind::Ecosystem,
                        vec![
                            Event::Introduced(introduced.into()),
                            Event::Fixed(fixed.into()),
                        ],
                        &[],
                    );
                    for &version in &valid {
                        let expected = scheme.compare(introduced, version)
                            != Some(Ordering::Greater)
                            && scheme.compare(version, fixed) == Some(Ordering::Less);
                        assert_eq!(
                            affects(&range, version),
                            Some(expected),
                            "`{version:?}` in [`{introduced:?}`, `{fixed:?}`) in {ecosystem}"
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod set_tests {
    use super::*;
    use crate::enrich::advisories::{DbInfo, DbKind, Range};
    use crate::inventory::{Location, Package};

    fn advisory(id: &str, aliases: &[&str], database: usize, fixed: &str) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            kind: AdvisoryKind::Vulnerability,
            title: Some(id.into()),
            url: None,
            date: None,
            cvss: vec!["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()],
            severity_text: None,
            affected: vec![Affected {
                ecosystem: "PyPI".into(),
                name: "foo-bar".into(),
                ranges: vec![Range {
                    kind: RangeKind::Ecosystem,
                    events: vec![Event::Introduced("0".into()), Event::Fixed(fixed.into())],
                }],
                versions: vec![],
                os: vec![],
                arch: vec![],
                functions: vec![],
            }],
            database,
        }
    }

    fn db() -> DbInfo {
        DbInfo {
            kind: DbKind::OsvDirectory,
            path: "x".into(),
            source: "x".into(),
            revision: None,
            updated: None,
            advisory_count: 0,
            ecosystems: vec![],
        }
    }

    #[test]
    fn aliases_merge_across_databases_and_fix_covers_all() {
        let set = AdvisorySet::new(
            vec![db(), db()],
            vec![
                advisory("PYSEC-1", &["CVE-1", "GHSA-1"], 0, "1.5"),
                advisory("GHSA-1", &["CVE-1"], 1, "1.5"),
                advisory("PYSEC-2", &["CVE-2"], 0, "2.0"),
                // A different advisory sharing only a CVE stays separate.
                advisory("PYSEC-3", &["CVE-2"], 0, "1.2"),
            ],
        );
        let mut inventory = Inventory::new();
        let mut package = Package::new(
            Ecosystem::PyPI,
            "Foo_Bar",
            "1.0",
            Location {
                file: "requirements.txt".into(),
                line: Some(3),
            },
        );
        package.source = Source::Unknown;
        inventory.add_package(package);
        let matches = match_inventory(&inventory, &set);
        let ids: Vec<&str> = matches.iter().map(|m| m.advisory_id.as_str()).collect();
        assert_eq!(ids, vec!["PYSEC-1", "PYSEC-2", "PYSEC-3"]);
        assert_eq!(matches[0].aliases, vec!["CVE-1", "GHSA-1"]);
        assert_eq!(matches[0].severity, SeverityLabel::Critical);
        assert!(
            matches
                .iter()
                .all(|m| m.package_fix.as_deref() == Some("2.0"))
        );
        let fixes = remediation(&matches);
        assert_eq!(fixes.len(), 1);
        assert_eq!(fixes[0].fixed_in.as_deref(), Some("2.0"));
    }

    #[test]
    fn local_and_git_packages_never_match() {
        let set = AdvisorySet::new(vec![db()], vec![advisory("PYSEC-1", &[], 0, "1.5")]);
        let mut inventory = Inventory::new();
        for source in [
            Source::Path { path: ".".into() },
            Source::Git {
                url: "https://example.com/x".into(),
                commit: None,
                reference: None,
            },
        ] {
            let mut package = Package::new(
                Ecosystem::PyPI,
                "foo-bar",
                "1.0",
                Location {
                    file: "x".into(),
                    line: None,
                },
            );
            package.source = source;
            inventory.add_package(package);
        }
        assert!(match_inventory(&inventory, &set).is_empty());
    }
}
