//! The RustSec advisory-db (a directory of Markdown advisories with TOML front matter), read
//! with the `rustsec` crate and turned into [`Advisory`] records with SemVer ranges.

use std::path::{Path, PathBuf};

use super::{
    Advisory, AdvisoryError, AdvisoryKind, Affected, AffectedFunction, Event, Range, RangeKind,
};

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
    check_advisory_files(path)?;
    let db = rustsec::Database::open(path).map_err(|error| explain(path, &error))?;
    Ok(db
        .iter()
        .filter_map(|advisory| convert(advisory, database))
        .collect())
}

/// Parses the text of one RustSec advisory file (Markdown with a TOML front matter, V3 or
/// V4) into our model: `Ok(None)` for one that is withdrawn or not about a crate, as in
/// [`load`]; `Err` says the line and the reason. The fuzz targets call this.
pub fn parse_advisory(text: &str, database: usize) -> Result<Option<Advisory>, String> {
    if !text.starts_with(FENCE) {
        return Err(NO_FENCE.to_string());
    }
    match text.parse::<rustsec::Advisory>() {
        Ok(advisory) => Ok(convert(&advisory, database)),
        Err(error) => {
            Err(front_matter_error(text).unwrap_or_else(|| crate::util::error_chain(&error)))
        }
    }
}

/// How a Markdown advisory starts: its TOML front matter's fence.
const FENCE: &str = "```toml";

/// Said of a Markdown advisory that does not start with [`FENCE`]; checked before the
/// `rustsec` crate parses it, which panics quoting the start of such a file when a
/// multi-byte character straddles its 20th byte.
const NO_FENCE: &str = "RustSec advisory: the file does not start with its ```toml front matter";

/// One advisory of the `crates/` collection in our model; `None` for a withdrawn one or one
/// of another collection.
fn convert(advisory: &rustsec::Advisory, database: usize) -> Option<Advisory> {
    let metadata = &advisory.metadata;
    if metadata.withdrawn.is_some() || metadata.collection != Some(rustsec::Collection::Crates) {
        return None;
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
    Some(Advisory {
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
            // Limits the build-exact view honours: an advisory for Windows only is a
            // note for a Linux build.
            os: advisory
                .affected
                .as_ref()
                .map(|a| a.os.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            arch: advisory
                .affected
                .as_ref()
                .map(|a| a.arch.iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            // Shown on the finding, so a reviewer knows which code to look for.
            functions: advisory
                .affected
                .as_ref()
                .map(|affected| {
                    affected
                        .functions
                        .iter()
                        .map(|(path, requirements)| AffectedFunction {
                            path: path.to_string(),
                            versions: requirements.iter().map(ToString::to_string).collect(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }],
        database,
    })
}

/// The `rustsec` crate's error said usefully: its message names the file (`error parsing
/// PATH`, `couldn't open PATH`) and hides the reason in its cause; the file is read again
/// here to name the line and the reason (a TOML error, or the first byte that is not UTF-8).
fn explain(database: &Path, error: &rustsec::Error) -> AdvisoryError {
    let chain = crate::util::error_chain(error);
    let file = ["error parsing ", "couldn't open "]
        .iter()
        .find_map(|prefix| {
            let rest = error.to_string();
            rest.find(prefix)
                .map(|index| PathBuf::from(rest[index + prefix.len()..].trim()))
        });
    let Some(file) = file.filter(|file| file.is_file()) else {
        return AdvisoryError::Parse {
            path: database.to_path_buf(),
            message: format!("RustSec database: {chain}"),
        };
    };
    let message = match crate::util::read_input_text(&file) {
        // The path is in front already: only the reason.
        Err(crate::util::ReadError::Io { source, .. }) => source.to_string(),
        Err(error) => error.to_string(),
        Ok(text) => front_matter_error(&text).unwrap_or(chain),
    };
    AdvisoryError::Parse {
        path: file,
        message: format!("RustSec advisory: {message}"),
    }
}

/// "line N: reason" for an advisory whose TOML front matter does not parse, with N a line of
/// the file (the front matter starts after the ```` ```toml ```` fence).
fn front_matter_error(text: &str) -> Option<String> {
    let fence = text.find("```toml\n")?;
    let start = fence + "```toml\n".len();
    let end = text[start..]
        .find("\n```")
        .map_or(text.len(), |i| start + i + 1);
    let front = &text[start..end];
    let first_line = text[..start].matches('\n').count() as u32 + 1;
    // V4 advisories omit the `[advisory]` header, which rustsec adds before parsing.
    let (front, added) = if front.starts_with("[advisory]") {
        (front.to_string(), 0)
    } else {
        (format!("[advisory]\n{front}"), 1)
    };
    let error = toml::from_str::<rustsec::Advisory>(&front).err()?;
    let line = error
        .span()
        .map(|span| front[..span.start].matches('\n').count() as u32 + first_line - added);
    let reason = error.message().trim().to_string();
    Some(match line {
        Some(line) => format!("line {line}: {reason}"),
        None => reason,
    })
}

/// The commit of a git checkout, read from `.git/HEAD` without running git.
pub fn git_head(path: &Path) -> Option<String> {
    let head = crate::util::read_input_text(&path.join(".git/HEAD")).ok()?;
    let head = head.trim();
    match head.strip_prefix("ref: ") {
        Some(reference) => crate::util::read_input_text(&path.join(".git").join(reference))
            .ok()
            .map(|s| s.trim().to_string()),
        None => Some(head.to_string()),
    }
}

/// The `rustsec` crate reads every advisory file itself: one that is a FIFO would hang the
/// load and one that is a device would never end, so each is checked to be a regular file
/// first (opened without blocking, and closed).
fn check_advisory_files(path: &Path) -> Result<(), AdvisoryError> {
    let mut stack = vec![path.join("crates"), path.join("rust")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let entry_path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry_path);
            } else if entry_path
                .extension()
                .is_some_and(|extension| extension == "md" || extension == "toml")
            {
                let (file, _) =
                    crate::util::open_input(&entry_path, crate::util::limits().max_input_bytes)?;
                if entry_path
                    .extension()
                    .is_some_and(|extension| extension == "md")
                {
                    use std::io::Read as _;
                    let mut head = Vec::with_capacity(FENCE.len());
                    std::io::Read::take(file, FENCE.len() as u64)
                        .read_to_end(&mut head)
                        .map_err(|source| crate::util::ReadError::Io {
                            path: entry_path.clone(),
                            source,
                        })?;
                    if head != FENCE.as_bytes() {
                        return Err(AdvisoryError::Parse {
                            path: entry_path,
                            message: NO_FENCE.to_string(),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}
