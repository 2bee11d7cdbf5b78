//! Enrich: advisory databases (RustSec, OSV) loaded into one de-duplicated set and matched
//! against the inventory.
//!
//! In: database paths (a RustSec directory, an OSV directory of JSON/YAML records, an OSV
//! `all.zip`) and an [`Inventory`](crate::inventory::Inventory). Out: an [`AdvisorySet`] with a
//! [`DbInfo`] per database, and [`AdvisoryMatch`]es (facts, never verdicts: `evaluate` decides).
//! Loading goes through a compact on-disk index keyed by the database revision or a
//! fingerprint of its files, so the full data set loads in milliseconds.

mod cvss_score;
mod index;
mod load;
mod matching;
mod osv;
mod rustsec_db;
mod yanked;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use crate::net::{CacheMeta, META_FILE};
pub use cvss_score::{SeverityLabel, score_vector};
pub use index::{INDEX_FORMAT, index_path_for};
pub use load::{LoadOptions, StagedDatabaseCheck, detect_kind, load_database, load_sources};
pub use matching::{
    AdvisoryMatch, MatchedFunction, Remediation, affects, match_inventory, remediation,
};
pub use osv::parse_osv_record;
pub use rustsec_db::parse_advisory as parse_rustsec_advisory;
pub use yanked::{YankedFacts, cargo_home, yanked_facts, yanked_matches};

/// Why advisory data could not be loaded. Every variant names the file or directory.
#[derive(Debug, Error)]
pub enum AdvisoryError {
    /// A file or directory could not be read.
    #[error("cannot read advisory database `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// An advisory file exists but is not a regular file, is too large, or a dangling link.
    #[error(transparent)]
    Read(#[from] crate::util::ReadError),
    /// An advisory file is malformed.
    #[error("advisory database file `{}`: {message}", path.display())]
    Parse {
        /// The file (for a zip, `archive.zip!entry`).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The path is neither a RustSec directory, an OSV directory nor an OSV zip.
    #[error("`{}` is not an advisory database (expected a RustSec directory, a directory of OSV JSON/YAML files or an OSV `.zip`)", path.display())]
    NotADatabase {
        /// The path.
        path: PathBuf,
    },
}

impl AdvisoryError {
    /// A directory of a database that cannot be opened or listed is the database's error.
    pub(crate) fn of_directory(error: crate::util::ReadError) -> AdvisoryError {
        match error {
            crate::util::ReadError::Io { path, source } => AdvisoryError::Io { path, source },
            other => AdvisoryError::Read(other),
        }
    }
}

/// What an advisory says about a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AdvisoryKind {
    /// A security vulnerability.
    Vulnerability,
    /// The package is unmaintained (RustSec informational).
    Unmaintained,
    /// The package is unsound (RustSec informational).
    Unsound,
    /// A notice, or any other informational advisory.
    Notice,
    /// The package version was yanked from its registry (not an advisory, but reported with them).
    Yanked,
    /// A check could not be made for this package (e.g. yanked status unknown offline); the
    /// match's title says why. `evaluate` turns it into a coverage "not evaluated" line.
    NotEvaluated,
}

impl AdvisoryKind {
    /// Lowercase name (`vulnerability`, `unmaintained`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            AdvisoryKind::Vulnerability => "vulnerability",
            AdvisoryKind::Unmaintained => "unmaintained",
            AdvisoryKind::Unsound => "unsound",
            AdvisoryKind::Notice => "notice",
            AdvisoryKind::Yanked => "yanked",
            AdvisoryKind::NotEvaluated => "not-evaluated",
        }
    }
}

/// The kind of an OSV range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeKind {
    /// SemVer 2.0 ordering, whatever the ecosystem.
    Semver,
    /// The ecosystem's own ordering.
    Ecosystem,
    /// Git commits: cannot be evaluated against a version (the `versions` list covers it).
    Git,
}

/// One event of an OSV range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Versions from here on are affected (`"0"` = from the start).
    Introduced(String),
    /// This version and later are not affected.
    Fixed(String),
    /// The last affected version (inclusive).
    LastAffected(String),
    /// Versions from here on are outside the range (exclusive upper limit).
    Limit(String),
}

/// An OSV range: a kind and its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// How the events' versions are ordered.
    pub kind: RangeKind,
    /// The events, as given.
    pub events: Vec<Event>,
}

/// One affected package of an advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// OSV ecosystem name (`crates.io`, `PyPI`, `Go`, ...).
    pub ecosystem: String,
    /// The package name, normalised for its ecosystem (see `versions::normalize_name`).
    pub name: String,
    /// Affected ranges.
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// The operating systems (`target_os` names) the advisory is limited to; empty for all
    /// (RustSec `[affected] os`).
    #[serde(default)]
    pub os: Vec<String>,
    /// The CPU architectures (`target_arch` names) it is limited to; empty for all
    /// (RustSec `[affected] arch`).
    #[serde(default)]
    pub arch: Vec<String>,
    /// The functions (or types) holding the vulnerable code, each with the versions it is
    /// affected in (RustSec `[affected] functions`); empty when the advisory names none.
    #[serde(default)]
    pub functions: Vec<AffectedFunction>,
}

/// A function or type an advisory names as holding the vulnerable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedFunction {
    /// Its path, `crate::module::Type::method`.
    pub path: String,
    /// Version requirements (`< 0.5.2`, `>= 0.3.0, <= 0.3.3`): a version matching any of
    /// them is affected.
    pub versions: Vec<String>,
}

/// One advisory, from any database, in one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// Primary id (`RUSTSEC-…`, `GHSA-…`, `PYSEC-…`, `GO-…`).
    pub id: String,
    /// Other ids of the same advisory (CVE, GHSA, RUSTSEC, ...).
    pub aliases: Vec<String>,
    /// What kind of advisory it is.
    pub kind: AdvisoryKind,
    /// One-line summary.
    pub title: Option<String>,
    /// Link to the advisory.
    pub url: Option<String>,
    /// Publication or advisory date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// CVSS vectors (`CVSS:3.1/…`, `CVSS:4.0/…`).
    pub cvss: Vec<String>,
    /// A textual severity from the database (`HIGH`, `MODERATE`, ...) when no vector is given.
    pub severity_text: Option<String>,
    /// Affected packages.
    pub affected: Vec<Affected>,
    /// Index of the database it came from in [`AdvisorySet::databases`].
    pub database: usize,
}

/// The kind of an advisory database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DbKind {
    /// The RustSec advisory-db (Markdown + TOML front matter).
    RustSec,
    /// A directory of OSV JSON/YAML records.
    OsvDirectory,
    /// An osv.dev `all.zip`.
    OsvZip,
}

impl DbKind {
    /// Lowercase name (`rustsec`, `osv`).
    pub fn family(&self) -> &'static str {
        match self {
            DbKind::RustSec => "rustsec",
            DbKind::OsvDirectory | DbKind::OsvZip => "osv",
        }
    }
}

/// What a verdict came from: one loaded database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInfo {
    /// Kind of database.
    pub kind: DbKind,
    /// Where it was loaded from.
    pub path: PathBuf,
    /// Where it was downloaded from (URL), or the path for a local database.
    pub source: String,
    /// Revision: a git commit, an ETag, or a content fingerprint for a local directory.
    pub revision: Option<String>,
    /// The date the data is from (`YYYY-MM-DD`): the fetch date for a downloaded database,
    /// else the newest advisory date or modification date found in it.
    pub updated: Option<String>,
    /// Number of advisories loaded (withdrawn ones excluded).
    pub advisory_count: usize,
    /// OSV ecosystems it covers.
    pub ecosystems: Vec<String>,
}

impl DbInfo {
    /// The `updated` date parsed, if any.
    pub fn updated_date(&self) -> Option<time::Date> {
        let text = self.updated.as_deref()?;
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text.get(..10)?, &format).ok()
    }

    /// Age in whole days on `today`, when the date is known.
    pub fn age_days(&self, today: time::Date) -> Option<i64> {
        Some((today - self.updated_date()?).whole_days())
    }
}

/// Every loaded advisory, de-duplicated, with a lookup by package.
#[derive(Debug, Clone, Default)]
pub struct AdvisorySet {
    /// The databases, in load order (earlier ones win de-duplication).
    pub databases: Vec<DbInfo>,
    /// The advisories (withdrawn ones are never loaded).
    pub advisories: Vec<Advisory>,
    by_package: HashMap<(String, String), Vec<usize>>,
}

impl AdvisorySet {
    /// Builds a set from databases and their advisories. An advisory whose id was already
    /// loaded (the same RustSec advisory from the advisory-db and from its OSV export) is
    /// dropped; advisories linked by aliases are merged per package at match time.
    pub fn new(databases: Vec<DbInfo>, advisories: Vec<Advisory>) -> Self {
        let mut set = AdvisorySet {
            databases,
            advisories: Vec::with_capacity(advisories.len()),
            by_package: HashMap::new(),
        };
        let mut seen_ids = std::collections::HashSet::new();
        for advisory in advisories {
            if !seen_ids.insert(advisory.id.clone()) {
                continue;
            }
            let index = set.advisories.len();
            for affected in &advisory.affected {
                let entry = set
                    .by_package
                    .entry((affected.ecosystem.clone(), affected.name.clone()))
                    .or_default();
                if !entry.contains(&index) {
                    entry.push(index);
                }
            }
            set.advisories.push(advisory);
        }
        set
    }

    /// Advisories that name this (ecosystem, normalised name).
    pub fn for_package(&self, ecosystem: &str, name: &str) -> impl Iterator<Item = &Advisory> {
        self.by_package
            .get(&(ecosystem.to_string(), name.to_string()))
            .into_iter()
            .flatten()
            .map(|index| &self.advisories[*index])
    }

    /// The number of advisories.
    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    /// True when no advisory is loaded.
    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }
}
