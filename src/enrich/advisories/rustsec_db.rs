//! The RustSec advisory-db (a directory of Markdown advisories with TOML front matter), read
//! with the `rustsec` crate and turned into [`Advisory`] records with SemVer ranges.

use std::path::Path;

use super::{Advisory, AdvisoryError, AdvisoryKind, Affected, Event, Range, RangeKind};

/// True when `path` looks like a RustSec advisory-db checkout or archive (`crates/*/*.md`).
///
/// RustSec's OSV export also has a `crates/` folder, but of JSON files, not directories.
pub fn is_rustsec_dir(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(path.join("crates")) else {
        return false;
    };
    entries
        .flatten()
        .any(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
}

/// Loads every advisory in the `crates/` collection; withdrawn ones are skipped.
///
/// The `rust/` collection (advisories against the standard library) is not matched against
/// dependencies, as `cargo audit` does not either.
pub fn load(path: &Path, database: usize) -> Result<Vec<Advisory>, AdvisoryError> {
    let db = rustsec::Database::open(path).map_err(|error| AdvisoryError::Parse {
        path: path.to_path_buf(),
        message: format!("RustSec database: {error}"),
    })?;
    let mut out = Vec::new();
    for advisory in db.iter() {
        let metadata = &advisory.metadata;
        if metadata.withdrawn.is_some() || metadata.collection != Some(rustsec::Collection::Crates)
        {
            continue;
        }
        let kind = match &metadata.informational {
            None => AdvisoryKind::Vulnerability,
            Some(info) if info.is_unmaintained() => AdvisoryKind::Unmaintained,
            Some(info) if info.is_unsound() => AdvisoryKind::Unsound,
            Some(_) => AdvisoryKind::Notice,
        };
        // rustsec computes OSV-style [introduced, fixed) intervals from `patched` and
        // `unaffected`; the same function decides `cargo audit`'s verdicts.
        let ranges = rustsec::osv::ranges_for_advisory(&advisory.versions)
            .into_iter()
            .map(|range| {
                let mut events = vec![Event::Introduced(
                    range
                        .introduced
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "0".to_string()),
                )];
                if let Some(fixed) = range.fixed {
                    events.push(Event::Fixed(fixed.to_string()));
                }
                Range {
                    kind: RangeKind::Semver,
                    events,
                }
            })
            .collect();
        let url = metadata
            .url
            .as_ref()
            .map(|u| u.to_string())
            .unwrap_or_else(|| format!("https://rustsec.org/advisories/{}", metadata.id));
        out.push(Advisory {
            id: metadata.id.to_string(),
            aliases: metadata.aliases.iter().map(|a| a.to_string()).collect(),
            kind,
            title: Some(metadata.title.clone()),
            url: Some(url),
            date: Some(metadata.date.to_string()),
            cvss: metadata.cvss.iter().map(|c| c.to_string()).collect(),
            severity_text: None,
            affected: vec![Affected {
                ecosystem: "crates.io".to_string(),
                name: metadata.package.to_string(),
                ranges,
                versions: Vec::new(),
            }],
            database,
        });
    }
    Ok(out)
}

/// The commit of a git checkout, read from `.git/HEAD` without running git.
pub fn git_head(path: &Path) -> Option<String> {
    let head = std::fs::read_to_string(path.join(".git/HEAD")).ok()?;
    let head = head.trim();
    match head.strip_prefix("ref: ") {
        Some(reference) => std::fs::read_to_string(path.join(".git").join(reference))
            .ok()
            .map(|s| s.trim().to_string()),
        None => Some(head.to_string()),
    }
}
