//! Lenient OSV record types (JSON or YAML) and their conversion to [`Advisory`].
//!
//! Ecosystems and type names are plain strings and every field is optional, so a record
//! with a new ecosystem, severity type or extra field still loads (the `osv` crate's closed
//! enums would reject the whole record).

use serde::{Deserialize, Deserializer};

use super::{Advisory, AdvisoryKind, Affected, AffectedFunction, Event, Range, RangeKind};
use crate::enrich::versions::normalize_name;

/// Accepts a string, a number or a boolean (YAML writes `introduced: 0` unquoted).
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Integer(i64),
        Float(f64),
        Bool(bool),
    }
    Ok(match Scalar::deserialize(deserializer)? {
        Scalar::Text(text) => text,
        Scalar::Integer(number) => number.to_string(),
        Scalar::Float(number) => number.to_string(),
        Scalar::Bool(value) => value.to_string(),
    })
}

/// A string or a number (YAML writes a numeric name unquoted); `true`/`false` is a corrupt
/// value, never a name or an ecosystem.
fn name_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Name {
        Text(String),
        Integer(i64),
        Float(f64),
    }
    Ok(
        match Name::deserialize(deserializer)
            .map_err(|_| serde::de::Error::custom("expected a string (a name or an ecosystem)"))?
        {
            Name::Text(text) => text,
            Name::Integer(number) => number.to_string(),
            Name::Float(number) => number.to_string(),
        },
    )
}

fn lenient_optional_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "lenient_string")] String);
    Ok(Option::<Wrapper>::deserialize(deserializer)?.map(|w| w.0))
}

fn lenient_strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapper(#[serde(deserialize_with = "lenient_string")] String);
    Ok(Option::<Vec<Wrapper>>::deserialize(deserializer)?
        .unwrap_or_default()
        .into_iter()
        .map(|w| w.0)
        .collect())
}

/// An OSV record, as much of it as matching needs.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvRecord {
    /// The id.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub id: Option<String>,
    /// Other ids.
    #[serde(deserialize_with = "lenient_strings")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub summary: Option<String>,
    /// Long description.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub details: Option<String>,
    /// Withdrawal time, if withdrawn.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub withdrawn: Option<String>,
    /// Publication time.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub published: Option<String>,
    /// Modification time.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub modified: Option<String>,
    /// Severity vectors.
    pub severity: Option<Vec<OsvSeverity>>,
    /// Affected packages.
    pub affected: Option<Vec<OsvAffected>>,
    /// References.
    pub references: Option<Vec<OsvReference>>,
    /// Database-specific data (RustSec `informational`, GHSA `severity`, Go `url`).
    pub database_specific: Option<serde_json::Value>,
}

/// `severity[]`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvSeverity {
    /// `CVSS_V3`, `CVSS_V4`, ...
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    pub kind: String,
    /// The vector.
    #[serde(deserialize_with = "lenient_string")]
    pub score: String,
}

/// `affected[]`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvAffected {
    /// The package.
    pub package: Option<OsvPackage>,
    /// Ranges.
    pub ranges: Option<Vec<OsvRange>>,
    /// Explicit versions.
    #[serde(deserialize_with = "lenient_strings")]
    pub versions: Vec<String>,
    /// Per-package severity (OSV 1.5+).
    pub severity: Option<Vec<OsvSeverity>>,
    /// Per-package database data (RustSec's OSV export puts `informational` here).
    pub database_specific: Option<serde_json::Value>,
    /// Per-package ecosystem data (RustSec's OSV export puts `affects.os`, `affects.arch` and
    /// `affects.functions` here).
    pub ecosystem_specific: Option<serde_json::Value>,
}

/// `affected[].package`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvPackage {
    /// Ecosystem name.
    #[serde(deserialize_with = "name_string")]
    pub ecosystem: String,
    /// Package name.
    #[serde(deserialize_with = "name_string")]
    pub name: String,
}

/// `affected[].ranges[]`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvRange {
    /// `SEMVER`, `ECOSYSTEM`, `GIT`.
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    pub kind: String,
    /// Events.
    pub events: Vec<OsvEvent>,
}

/// One event: exactly one of the fields is set. The schema allows no other key, and a
/// misspelt one (`intro:uced`) would leave the range without its start, matching nothing:
/// an unknown key is an error.
#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OsvEvent {
    /// `introduced`.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub introduced: Option<String>,
    /// `fixed`.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub fixed: Option<String>,
    /// `last_affected`.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub last_affected: Option<String>,
    /// `limit`.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub limit: Option<String>,
}

/// `references[]`.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct OsvReference {
    /// `ADVISORY`, `WEB`, ...
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    pub kind: String,
    /// The URL.
    #[serde(deserialize_with = "lenient_string")]
    pub url: String,
}

/// Parses one OSV record from JSON (`is_yaml == false`) or YAML text.
///
/// Returns `Ok(None)` for a document that is not an advisory (no `id`, e.g. a schema file)
/// and for withdrawn advisories; `Err` with a message for malformed text.
pub fn parse_osv_record(
    text: &[u8],
    is_yaml: bool,
    database: usize,
) -> Result<Option<Advisory>, String> {
    let record: OsvRecord = if is_yaml {
        if let Some((line, column)) = crate::util::yaml_flow_too_deep(text) {
            return Err(format!(
                "collections nested deeper than {} levels at line {line} column {column}",
                crate::util::MAX_YAML_FLOW_DEPTH
            ));
        }
        serde_yaml_ng::from_slice(text).map_err(|e| e.to_string())?
    } else {
        serde_json::from_slice(text).map_err(|e| e.to_string())?
    };
    convert(record, database)
}

/// What in a record would make it match nothing without a word, or `None` when it is sound.
/// Each affected package needs an ecosystem and a name, and each range an `introduced`
/// event: matching starts from it, so a range without one never matches.
fn problem(record: &OsvRecord) -> Option<String> {
    for (index, entry) in record.affected.iter().flatten().enumerate() {
        let Some(package) = &entry.package else {
            continue;
        };
        if package.ecosystem.trim().is_empty() || package.name.trim().is_empty() {
            return Some(format!(
                "`affected[{index}].package` has no ecosystem or no name"
            ));
        }
        for (range_index, range) in entry.ranges.iter().flatten().enumerate() {
            if range.kind == "GIT" {
                continue;
            }
            if !range.events.iter().any(|event| event.introduced.is_some()) {
                return Some(format!(
                    "`affected[{index}].ranges[{range_index}]` has no `introduced` event"
                ));
            }
            if let Some(event) = range.events.iter().find(|event| {
                event.introduced.is_none()
                    && event.fixed.is_none()
                    && event.last_affected.is_none()
                    && event.limit.is_none()
            }) {
                return Some(format!(
                    "`affected[{index}].ranges[{range_index}]` has an empty event `{event:?}`"
                ));
            }
        }
    }
    None
}

fn convert(record: OsvRecord, database: usize) -> Result<Option<Advisory>, String> {
    let Some(id) = record.id.clone() else {
        return Ok(None);
    };
    if record.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
        return Ok(None);
    }
    if let Some(problem) = problem(&record) {
        return Err(format!("advisory `{id}`: {problem}"));
    }
    let database_specific = record.database_specific.unwrap_or_default();
    let informational = database_specific
        .get("informational")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            record.affected.iter().flatten().find_map(|entry| {
                entry
                    .database_specific
                    .as_ref()?
                    .get("informational")?
                    .as_str()
                    .map(str::to_string)
            })
        });
    let kind = match informational.as_deref() {
        Some("unmaintained") => AdvisoryKind::Unmaintained,
        Some("unsound") => AdvisoryKind::Unsound,
        Some(_) => AdvisoryKind::Notice,
        None => AdvisoryKind::Vulnerability,
    };
    let mut cvss: Vec<String> = Vec::new();
    let mut severity_sources: Vec<OsvSeverity> = record.severity.unwrap_or_default();
    let mut affected = Vec::new();
    for entry in record.affected.unwrap_or_default() {
        severity_sources.extend(entry.severity.unwrap_or_default());
        let Some(package) = entry.package else {
            continue;
        };
        if package.name.is_empty() {
            continue;
        }
        let ranges = entry
            .ranges
            .unwrap_or_default()
            .into_iter()
            .map(|range| Range {
                kind: match range.kind.as_str() {
                    "SEMVER" => RangeKind::Semver,
                    "GIT" => RangeKind::Git,
                    _ => RangeKind::Ecosystem,
                },
                events: range
                    .events
                    .into_iter()
                    .filter_map(|event| {
                        if let Some(version) = event.introduced {
                            Some(Event::Introduced(version))
                        } else if let Some(version) = event.fixed {
                            Some(Event::Fixed(version))
                        } else if let Some(version) = event.last_affected {
                            Some(Event::LastAffected(version))
                        } else {
                            event.limit.map(Event::Limit)
                        }
                    })
                    .collect(),
            })
            .filter(|range| range.kind != RangeKind::Git)
            .collect();
        // RustSec's `[affected]` as its OSV export writes it: the functions without their
        // own versions (they are affected wherever the entry is).
        let affects = |key: &str| -> Vec<String> {
            entry
                .ecosystem_specific
                .as_ref()
                .and_then(|specific| specific.get("affects"))
                .and_then(|affects| affects.get(key))
                .and_then(|list| list.as_array())
                .map(|list| {
                    list.iter()
                        .filter_map(|item| item.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        affected.push(Affected {
            name: normalize_name(&package.ecosystem, &package.name),
            os: affects("os"),
            arch: affects("arch"),
            functions: affects("functions")
                .into_iter()
                .map(|path| AffectedFunction {
                    path,
                    versions: Vec::new(),
                })
                .collect(),
            ecosystem: package.ecosystem,
            ranges,
            versions: entry.versions,
        });
    }
    for severity in severity_sources {
        if severity.kind.starts_with("CVSS") && !cvss.contains(&severity.score) {
            cvss.push(severity.score);
        }
    }
    let severity_text = database_specific
        .get("severity")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let url = database_specific
        .get("url")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            let references = record.references.as_deref().unwrap_or_default();
            references
                .iter()
                .find(|r| r.kind == "ADVISORY")
                .or_else(|| references.first())
                .map(|r| r.url.clone())
        });
    let title = record.summary.filter(|s| !s.trim().is_empty()).or_else(|| {
        record.details.as_deref().and_then(|details| {
            let first = details.lines().find(|l| !l.trim().is_empty())?.trim();
            Some(truncate(first, 120))
        })
    });
    let date = record
        .published
        .or(record.modified)
        .and_then(|d| d.get(..10).map(str::to_string));
    Ok(Some(Advisory {
        id,
        aliases: record.aliases,
        kind,
        title,
        url,
        date,
        cvss,
        severity_text,
        affected,
        database,
    }))
}

fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_with_unquoted_numbers_and_unknown_fields() {
        let yaml = br#"
id: PYSEC-0000-1
details: Something bad.
affected:
- package: {name: Foo.Bar, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: 0
    - fixed: 1.5
  versions: [1.0, "1.4"]
aliases: [CVE-0000-1]
modified: 2021-09-26T23:32:08.989778Z
some_new_field: {x: 1}
"#;
        let advisory = parse_osv_record(yaml, true, 0).unwrap().unwrap();
        assert_eq!(advisory.id, "PYSEC-0000-1");
        assert_eq!(advisory.affected[0].name, "foo-bar");
        assert_eq!(
            advisory.affected[0].ranges[0].events,
            vec![Event::Introduced("0".into()), Event::Fixed("1.5".into())]
        );
        assert_eq!(advisory.title.as_deref(), Some("Something bad."));
        assert_eq!(advisory.date.as_deref(), Some("2021-09-26"));
    }

    #[test]
    fn withdrawn_and_non_records_are_skipped_and_junk_is_an_error() {
        let withdrawn = br#"{"id":"GO-1","withdrawn":"2024-01-01T00:00:00Z","affected":[]}"#;
        assert!(parse_osv_record(withdrawn, false, 0).unwrap().is_none());
        let schema = br#"{"$schema":"x","type":"object"}"#;
        assert!(parse_osv_record(schema, false, 0).unwrap().is_none());
        assert!(parse_osv_record(b"{not json", false, 0).is_err());
    }

    #[test]
    fn unknown_ecosystem_and_severity_type_load() {
        let json = br#"{"id":"X-1","severity":[{"type":"CVSS_V5","score":"CVSS:5.0/zz"},{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
          "affected":[{"package":{"ecosystem":"SomeNewEcosystem","name":"p"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"2"}]}]}],
          "database_specific":{"informational":"unmaintained"}}"#;
        let advisory = parse_osv_record(json, false, 0).unwrap().unwrap();
        assert_eq!(advisory.kind, AdvisoryKind::Unmaintained);
        assert_eq!(advisory.cvss.len(), 2);
        assert_eq!(advisory.affected[0].ecosystem, "SomeNewEcosystem");
    }

    #[test]
    fn rustsec_affects_of_the_osv_export_are_read() {
        let json = br#"{"id":"RUSTSEC-2099-1","affected":[{"package":{"ecosystem":"crates.io","name":"p"},
          "ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"},{"fixed":"1.0.0"}]}],
          "ecosystem_specific":{"affects":{"os":["windows"],"arch":[],"functions":["p::Thing::get"]},"affected_functions":null}}]}"#;
        let advisory = parse_osv_record(json, false, 0).unwrap().unwrap();
        let affected = &advisory.affected[0];
        assert_eq!(affected.os, ["windows"]);
        assert!(affected.arch.is_empty());
        assert_eq!(
            affected.functions,
            [AffectedFunction {
                path: "p::Thing::get".into(),
                versions: Vec::new()
            }]
        );
    }
}
