//! Loading databases from disk: kind detection, OSV directory walk, OSV zip, and the index.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::index::{self, Fingerprint, Stamp};
use super::{Advisory, AdvisoryError, AdvisorySet, DbInfo, DbKind, osv, rustsec_db};
use crate::net::CacheMeta;
use crate::util::dir::{Entry, EntryKind, OpenDir};

/// How to load databases.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Where compact indexes are read and written; `None` loads from the files every time.
    pub index_dir: Option<PathBuf>,
}

/// The advisory stage's side of `db update`: a staged download is verified by loading it,
/// and the database in place is indexed for fast loads.
#[derive(Debug, Clone, Copy, Default)]
pub struct StagedDatabaseCheck;

impl crate::net::DatabaseCheck for StagedDatabaseCheck {
    fn verify(&self, path: &Path, rustsec: bool) -> Result<usize, String> {
        let (info, _) = load_database(path, &LoadOptions::default()).map_err(|error| {
            let mut reason = error.to_string();
            let mut cause = std::error::Error::source(&error);
            while let Some(inner) = cause {
                reason.push_str(": ");
                reason.push_str(&inner.to_string());
                cause = inner.source();
            }
            reason
        })?;
        if rustsec && info.kind == DbKind::OsvDirectory {
            return Err("the archive holds no RustSec `crates/` directory".to_string());
        }
        Ok(info.advisory_count)
    }

    fn index(&self, path: &Path, index_dir: &Path) {
        let _ = load_database(
            path,
            &LoadOptions {
                index_dir: Some(index_dir.to_path_buf()),
            },
        );
    }
}

/// Decides what kind of database a path holds.
pub fn detect_kind(path: &Path) -> Result<DbKind, AdvisoryError> {
    let metadata = std::fs::metadata(path).map_err(|source| AdvisoryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if metadata.is_dir() {
        if rustsec_db::is_rustsec_dir(path) {
            Ok(DbKind::RustSec)
        } else {
            Ok(DbKind::OsvDirectory)
        }
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        Ok(DbKind::OsvZip)
    } else {
        Err(AdvisoryError::NotADatabase {
            path: path.to_path_buf(),
        })
    }
}

/// Loads several databases into one set; earlier paths win when an id repeats.
pub fn load_sources(
    paths: &[PathBuf],
    options: &LoadOptions,
) -> Result<AdvisorySet, AdvisoryError> {
    let mut databases = Vec::new();
    let mut advisories = Vec::new();
    for path in paths {
        let (info, mut loaded) = load_database(path, options)?;
        let database = databases.len();
        for advisory in &mut loaded {
            advisory.database = database;
        }
        databases.push(info);
        advisories.extend(loaded);
    }
    Ok(AdvisorySet::new(databases, advisories))
}

/// Loads one database, through its index when the index is current.
pub fn load_database(
    path: &Path,
    options: &LoadOptions,
) -> Result<(DbInfo, Vec<Advisory>), AdvisoryError> {
    let kind = detect_kind(path)?;
    let index_file = options
        .index_dir
        .as_ref()
        .map(|dir| index::index_path_for(dir, path));
    // A `db update` cache: its metadata identifies the content.
    if let Some(fingerprint) = Fingerprint::of_managed(path) {
        if let Some(file) = &index_file
            && let Some(loaded) = index::read_managed(file, &fingerprint)
        {
            return Ok(loaded);
        }
        let advisories = read_advisories(path, kind)?;
        let info = describe(path, kind, &fingerprint, &advisories);
        if let Some(file) = &index_file {
            // The index is an optimisation: a read-only cache directory must not fail the run.
            let _ = index::write(file, &fingerprint, &[], &info, &advisories);
        }
        return Ok((info, advisories));
    }
    // A user-given path: the index is current while all of its stamps are.
    if let Some(file) = &index_file
        && let Some(loaded) = index::read_stamped(file)
    {
        return Ok(loaded);
    }
    // Stamped while reading, each directory before its listing and each file before its
    // content, so a change made while loading is seen by the next run.
    let (advisories, stamps) = match kind {
        DbKind::RustSec => rustsec_db::load_stamped(path, 0)?,
        DbKind::OsvDirectory => load_osv_dir_stamped(path)?,
        DbKind::OsvZip => {
            let stamps = vec![Stamp::of_path(path)?];
            (load_osv_zip(path)?, stamps)
        }
    };
    let fingerprint = Fingerprint::of_stamps(path, &stamps);
    let info = describe(path, kind, &fingerprint, &advisories);
    if let Some(file) = &index_file
        && !index::too_recent(&stamps)
    {
        let _ = index::write(file, &fingerprint, &stamps, &info, &advisories);
    }
    Ok((info, advisories))
}

/// Every advisory of a database, read from its files.
fn read_advisories(path: &Path, kind: DbKind) -> Result<Vec<Advisory>, AdvisoryError> {
    match kind {
        DbKind::RustSec => rustsec_db::load(path, 0),
        DbKind::OsvDirectory => load_osv_dir(path),
        DbKind::OsvZip => load_osv_zip(path),
    }
}

/// What a database is, from its advisories and metadata.
fn describe(
    path: &Path,
    kind: DbKind,
    fingerprint: &Fingerprint,
    advisories: &[Advisory],
) -> DbInfo {
    let meta = CacheMeta::read_for(path);
    let mut ecosystems: Vec<String> = advisories
        .iter()
        .flat_map(|a| a.affected.iter().map(|x| x.ecosystem.clone()))
        .collect();
    ecosystems.sort();
    ecosystems.dedup();
    let newest = advisories
        .iter()
        .filter_map(|a| a.date.clone())
        .filter(|d| !d.starts_with("0001"))
        .max();
    let revision = meta
        .as_ref()
        .and_then(|m| m.revision.clone().or_else(|| m.etag.clone()))
        .or_else(|| rustsec_db::git_head(path))
        .or_else(|| Some(format!("files:{}", fingerprint.short())));
    DbInfo {
        kind,
        path: path.to_path_buf(),
        source: meta
            .as_ref()
            .map(|m| m.source_url.clone())
            .unwrap_or_else(|| path.display().to_string()),
        revision,
        updated: meta
            .as_ref()
            .map(|m| m.checked_at.clone().unwrap_or_else(|| m.fetched_at.clone()))
            .and_then(|d| d.get(..10).map(str::to_string))
            .or(newest),
        advisory_count: advisories.len(),
        ecosystems,
    }
}

/// True for file names that hold OSV records.
fn osv_file_kind(name: &str) -> Option<bool> {
    if name.starts_with('.') {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(false)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(true)
    } else {
        None
    }
}

/// Every record of an OSV directory ([`load_osv_dir_stamped`] without the stamps).
fn load_osv_dir(root: &Path) -> Result<Vec<Advisory>, AdvisoryError> {
    load_osv_dir_stamped(root).map(|(advisories, _)| advisories)
}

/// An OSV record file found under a database directory.
struct OsvFile {
    /// Its directory, an index into the directories walked.
    dir: usize,
    entry: Entry,
    path: PathBuf,
    is_yaml: bool,
}

/// The files of one directory read together, through the directory opened once.
const OSV_FILES_PER_OPEN: usize = 64;

/// Every record of an OSV directory (`.json`, `.yaml`, `.yml` files at any depth, hidden
/// directories skipped), in the order of their paths, with the [`Stamp`]s of the root, every
/// directory and every file, sorted by path. One pass, as for RustSec
/// ([`rustsec_db::load_stamped`]): each directory is opened, stamped and listed once, and the
/// files are read in runs of one directory's, each run through its directory opened once, the
/// runs spread over the cores (osv.dev's Go export is one directory of 4,300 files). Links,
/// FIFOs and devices with a record's name are read too: reading them fails naming them, where
/// skipping would lose an advisory without a word.
fn load_osv_dir_stamped(root: &Path) -> Result<(Vec<Advisory>, Vec<Stamp>), AdvisoryError> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut stamps = Vec::new();
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        // Stamped when opened, before it is listed: an entry added meanwhile moves its time
        // past the stamp.
        let mut dir = OpenDir::open(&path).map_err(AdvisoryError::of_directory)?;
        stamps.push(Stamp::new(&path, dir.metadata()));
        for entry in dir.entries().map_err(AdvisoryError::of_directory)? {
            let name = entry.name.to_string_lossy();
            if entry.kind == EntryKind::Directory {
                if !name.starts_with('.') {
                    stack.push(path.join(&entry.name));
                }
            } else if let Some(is_yaml) = osv_file_kind(&name) {
                files.push(OsvFile {
                    dir: dirs.len(),
                    path: path.join(&entry.name),
                    entry,
                    is_yaml,
                });
            }
        }
        dirs.push(path);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let runs: Vec<&[OsvFile]> = files
        .chunk_by(|a, b| a.dir == b.dir)
        .flat_map(|run| run.chunks(OSV_FILES_PER_OPEN))
        .collect();
    let read = crate::util::parallel_map(&runs, 1, |run| read_osv_run(&dirs, run));
    let mut advisories = Vec::with_capacity(files.len());
    stamps.reserve(files.len());
    for run in read {
        for (stamp, parsed) in run? {
            stamps.push(stamp);
            advisories.extend(parsed);
        }
    }
    stamps.sort_by(|a, b| a.path().cmp(b.path()));
    Ok((advisories, stamps))
}

/// The stamps and records of a run of files of one directory, in order; the first file that
/// cannot be read or parsed ends it.
fn read_osv_run(
    dirs: &[PathBuf],
    run: &[OsvFile],
) -> Result<Vec<(Stamp, Option<Advisory>)>, AdvisoryError> {
    let Some(first) = run.first() else {
        return Ok(Vec::new());
    };
    let dir = OpenDir::open(&dirs[first.dir]).map_err(AdvisoryError::of_directory)?;
    run.iter()
        .map(|file| {
            let (bytes, metadata) = dir.read_file(&file.entry)?;
            let parsed = osv::parse_osv_record(&bytes, file.is_yaml, 0).map_err(|message| {
                AdvisoryError::Parse {
                    path: file.path.clone(),
                    message,
                }
            })?;
            Ok((Stamp::new(&file.path, &metadata), parsed))
        })
        .collect()
}

/// The largest single record we accept from a zip (a bomb guard; real records are < 1 MB).
const MAX_RECORD_BYTES: u64 = 32 * 1024 * 1024;

fn load_osv_zip(path: &Path) -> Result<Vec<Advisory>, AdvisoryError> {
    let file = std::fs::File::open(path).map_err(|source| AdvisoryError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|error| {
        AdvisoryError::Parse {
            path: path.to_path_buf(),
            message: format!("not a readable zip archive: {error}"),
        }
    })?;
    let mut advisories = Vec::new();
    let mut buffer = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|error| AdvisoryError::Parse {
                path: path.to_path_buf(),
                message: format!("zip entry {index}: {error}"),
            })?;
        if !entry.is_file() {
            continue;
        }
        let name = entry.name().to_string();
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let Some(is_yaml) = osv_file_kind(&base) else {
            continue;
        };
        let entry_path = PathBuf::from(format!("{}!{name}", path.display()));
        buffer.clear();
        (&mut entry)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut buffer)
            .map_err(|error| AdvisoryError::Parse {
                path: entry_path.clone(),
                message: format!("cannot decompress: {error}"),
            })?;
        if buffer.len() as u64 > MAX_RECORD_BYTES {
            return Err(AdvisoryError::Parse {
                path: entry_path,
                message: format!("record larger than {MAX_RECORD_BYTES} bytes"),
            });
        }
        let parsed =
            osv::parse_osv_record(&buffer, is_yaml, 0).map_err(|message| AdvisoryError::Parse {
                path: entry_path,
                message,
            })?;
        advisories.extend(parsed);
    }
    Ok(advisories)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_osv_file_is_named_and_withdrawn_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("PyPI/x")).unwrap();
        std::fs::write(
            dir.path().join("PyPI/x/PYSEC-1.yaml"),
            "id: PYSEC-1\naffected:\n- package: {name: x, ecosystem: PyPI}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("PyPI/x/PYSEC-2.yaml"),
            "id: PYSEC-2\nwithdrawn: 2024-01-01T00:00:00Z\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README.md"), "not a record").unwrap();
        let (info, advisories) = load_database(dir.path(), &LoadOptions::default()).unwrap();
        assert_eq!(info.kind, DbKind::OsvDirectory);
        assert_eq!(advisories.len(), 1);
        assert_eq!(info.ecosystems, vec!["PyPI".to_string()]);
        std::fs::write(dir.path().join("PyPI/x/PYSEC-3.json"), "{\"id\": ").unwrap();
        let error = load_database(dir.path(), &LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("PYSEC-3.json"), "{error}");
    }

    #[test]
    fn not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "x").unwrap();
        let error = detect_kind(&file).unwrap_err().to_string();
        assert!(error.contains("notes.txt"), "{error}");
        assert!(detect_kind(&dir.path().join("missing")).is_err());
    }
}
