//! The RustSec advisory-db (a directory of Markdown advisories with TOML front matter), read
//! with the `rustsec` crate and turned into [`Advisory`] records with SemVer ranges.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use super::index::Stamp;
use super::{
    Advisory, AdvisoryError, AdvisoryKind, Affected, AffectedFunction, Event, Range, RangeKind,
};
use crate::util::dir::{Entry, EntryKind, OpenDir};

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
/// dependencies, as `cargo audit` does not either, and is not read.
pub fn load(path: &Path, database: usize) -> Result<Vec<Advisory>, AdvisoryError> {
    load_stamped(path, database).map(|(advisories, _)| advisories)
}

/// [`load`], with the [`Stamp`]s of what it read (the root, `crates/`, every package
/// directory and every file in one), sorted by path, for the index of a user-given database.
///
/// One pass: each directory is opened, stamped and listed once and each file opened once
/// relative to it (stamped from the open file, then read and parsed), the package directories
/// spread over the cores. A first run reads the whole database, so this is most of its time:
/// the `rustsec` crate's own loader walks the tree again and reads every file through a path
/// once more. The checks it makes are made here too: every entry of a package directory is a
/// `.md` advisory named after its id (drafts `RUSTSEC-0000-0000.*` excepted), in the directory
/// of its package, of the collection it says, with no id twice; placeholders are parsed and
/// left out.
pub fn load_stamped(
    path: &Path,
    database: usize,
) -> Result<(Vec<Advisory>, Vec<Stamp>), AdvisoryError> {
    let root = OpenDir::open(path).map_err(AdvisoryError::of_directory)?;
    let mut crates = root
        .open_child(OsStr::new("crates"))
        .map_err(AdvisoryError::of_directory)?;
    let mut stamps = vec![
        Stamp::new(path, root.metadata()),
        Stamp::new(crates.path(), crates.metadata()),
    ];
    let mut package_dirs: Vec<OsString> = crates
        .entries()
        .map_err(AdvisoryError::of_directory)?
        .into_iter()
        .filter(|entry| entry.kind == EntryKind::Directory)
        .map(|entry| entry.name)
        .collect();
    package_dirs.sort();
    let reads = crate::util::parallel_map(&package_dirs, 32, |name| {
        read_package_dir(&crates, name, database)
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    // Sized once: growing by doubling would hold up to twice the database at its peak.
    let files: usize = reads.iter().map(|read| read.advisories.len()).sum();
    let mut advisories = Vec::with_capacity(files);
    stamps.reserve(files + reads.len());
    let mut ids: HashMap<String, PathBuf> = HashMap::with_capacity(files);
    for read in reads {
        stamps.extend(read.stamps);
        for (file, advisory) in read.advisories {
            if let Some(first) = ids.insert(advisory.id.clone(), file.clone()) {
                return Err(AdvisoryError::Parse {
                    path: file,
                    message: format!(
                        "RustSec advisory: the id `{}` is also the id of `{}`",
                        advisory.id,
                        first.display()
                    ),
                });
            }
            advisories.extend(advisory.converted);
        }
    }
    stamps.sort_by(|a, b| a.path().cmp(b.path()));
    Ok((advisories, stamps))
}

/// What one package directory holds.
struct PackageDir {
    stamps: Vec<Stamp>,
    /// Per file: its path, its id and the advisory in our model (`None` when withdrawn).
    advisories: Vec<(PathBuf, ReadAdvisory)>,
}

struct ReadAdvisory {
    id: String,
    converted: Option<Advisory>,
}

fn read_package_dir(
    crates: &OpenDir,
    name: &OsStr,
    database: usize,
) -> Result<PackageDir, AdvisoryError> {
    // Stamped when opened, before it is listed: a file added meanwhile moves its time past
    // the stamp.
    let mut dir = crates
        .open_child(name)
        .map_err(AdvisoryError::of_directory)?;
    let mut stamps = vec![Stamp::new(dir.path(), dir.metadata())];
    let mut entries = dir.entries().map_err(AdvisoryError::of_directory)?;
    entries.retain(|entry| !entry.name.as_encoded_bytes().starts_with(b"."));
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let mut advisories = Vec::new();
    for entry in entries {
        let file = dir.path().join(&entry.name);
        let (text, stamp) = read_advisory_file(&dir, &entry, &file)?;
        stamps.push(stamp);
        let parse_error = |message: String| AdvisoryError::Parse {
            path: file.clone(),
            message: format!("RustSec advisory: {message}"),
        };
        if file.extension().is_none_or(|extension| extension != "md") {
            return Err(parse_error(
                "not a `.md` file: a package directory holds advisories only".to_string(),
            ));
        }
        let mut advisory = parse_raw(&text).map_err(parse_error)?;
        check_place(&file, &mut advisory).map_err(parse_error)?;
        if advisory.metadata.id.is_placeholder() {
            continue;
        }
        let read = ReadAdvisory {
            id: advisory.metadata.id.to_string(),
            converted: convert(&advisory, database),
        };
        advisories.push((file, read));
    }
    Ok(PackageDir { stamps, advisories })
}

/// An advisory file's text and stamp: a regular file (a FIFO would hang the load, a device
/// never end) within the input size limit, UTF-8.
fn read_advisory_file(
    dir: &OpenDir,
    entry: &Entry,
    file: &Path,
) -> Result<(String, Stamp), AdvisoryError> {
    let (bytes, metadata) = dir.read_file(entry)?;
    let text = String::from_utf8(bytes).map_err(|error| AdvisoryError::Parse {
        path: file.to_path_buf(),
        message: format!(
            "RustSec advisory: {}",
            crate::util::invalid_utf8_message(error.as_bytes(), error.utf8_error().valid_up_to())
        ),
    })?;
    Ok((text, Stamp::new(file, &metadata)))
}

/// Where an advisory file must be, as the RustSec database's own loader requires: named after
/// its id (or a draft), in the directory of its package, in `crates/`.
fn check_place(file: &Path, advisory: &mut rustsec::Advisory) -> Result<(), String> {
    let metadata = &mut advisory.metadata;
    let expected = format!("{}.md", metadata.id);
    if file.file_name() != Some(std::ffi::OsStr::new(&expected))
        && !rustsec::Advisory::is_draft(file)
    {
        return Err(format!(
            "the advisory `{}` must be named `{expected}`",
            metadata.id
        ));
    }
    let package_dir = file.parent().and_then(Path::file_name);
    if package_dir != Some(std::ffi::OsStr::new(metadata.package.as_str())) {
        return Err(format!(
            "the advisory is about `{}` but is not in its directory `crates/{}`",
            metadata.package, metadata.package
        ));
    }
    match metadata.collection {
        None => metadata.collection = Some(rustsec::Collection::Crates),
        Some(rustsec::Collection::Crates) => {}
        Some(other) => {
            return Err(format!(
                "the advisory says it is in the `{other}` collection but is in `crates/`"
            ));
        }
    }
    Ok(())
}

/// Parses the text of one RustSec advisory file (Markdown with a TOML front matter, V3 or
/// V4) into our model: `Ok(None)` for one that is withdrawn or not about a crate, as in
/// [`load`]; `Err` says the line and the reason. The fuzz targets call this.
pub fn parse_advisory(text: &str, database: usize) -> Result<Option<Advisory>, String> {
    parse_raw(text).map(|advisory| convert(&advisory, database))
}

/// The `rustsec` crate's parse of an advisory's text, its error said with the line.
fn parse_raw(text: &str) -> Result<rustsec::Advisory, String> {
    if !text.starts_with(FENCE) {
        return Err(NO_FENCE.to_string());
    }
    text.parse::<rustsec::Advisory>().map_err(|error| {
        front_matter_error(text).unwrap_or_else(|| crate::util::error_chain(&error))
    })
}

/// How a Markdown advisory starts: its TOML front matter's fence.
const FENCE: &str = "```toml";

/// Said of a Markdown advisory that does not start with [`FENCE`]; checked before the
/// `rustsec` crate parses it, which panics quoting the start of such a file when a
/// multi-byte character straddles its 20th byte.
const NO_FENCE: &str = "the file does not start with its ```toml front matter";

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
