//! The compact advisory index: one postcard file per database, and how to tell that it is
//! still current.
//!
//! Parsing 8,000 Markdown/JSON/YAML records takes about a second; decoding the index takes a
//! few milliseconds. A stale or unreadable index is ignored and rebuilt. Two kinds of database:
//!
//! - one `db update` manages is replaced as a whole, metadata included, so the metadata (fetch
//!   time, ETag, revision) identifies its content: one small file read per run;
//! - a directory or zip the user names (`--advisory-db PATH`) is checked against the
//!   [`Stamp`]s recorded when the index was built: the size and modification time of every
//!   file, and the modification time of every directory. Editing a file changes its stamp;
//!   adding, removing or renaming one changes its directory's. Checking them is a `stat` per
//!   stamp, with no directory listings (a RustSec checkout has 900 directories).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Advisory, AdvisoryError, DbInfo};
use crate::net::{CacheMeta, META_FILE};

/// Bumped whenever the indexed model changes, so old indexes are rebuilt.
pub const INDEX_FORMAT: u32 = 4;

/// A digest identifying a database's content: of its metadata for a `db update` cache, of its
/// [`Stamp`]s otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of a database `db update` manages (it has a metadata file), or `None`
    /// for a user-given path.
    pub fn of_managed(path: &Path) -> Option<Fingerprint> {
        let meta = if path.is_dir() {
            path.join(META_FILE)
        } else {
            path.parent()?.join(META_FILE)
        };
        let bytes = std::fs::read(meta).ok()?;
        let mut parsed = serde_json::from_slice::<CacheMeta>(&bytes).ok()?;
        // `checked_at` changes on a 304 without the content changing.
        parsed.checked_at = None;
        let mut hasher = Sha256::new();
        hasher.update(INDEX_FORMAT.to_le_bytes());
        hasher.update(path.as_os_str().as_encoded_bytes());
        hasher.update(serde_json::to_vec(&parsed).unwrap_or_default());
        Some(Fingerprint(format!(
            "meta:{}",
            hex::encode(hasher.finalize())
        )))
    }

    /// The fingerprint of a user-given database from its stamps.
    pub fn of_stamps(path: &Path, stamps: &[Stamp]) -> Fingerprint {
        let mut hasher = Sha256::new();
        hasher.update(INDEX_FORMAT.to_le_bytes());
        hasher.update(path.as_os_str().as_encoded_bytes());
        for stamp in stamps {
            hasher.update(stamp.path.as_bytes());
            hasher.update([0]);
            hasher.update(stamp.len.to_le_bytes());
            hasher.update(stamp.modified_nanos.to_le_bytes());
        }
        Fingerprint(hex::encode(hasher.finalize()))
    }

    /// The first 12 hex digits, for display.
    pub fn short(&self) -> &str {
        self.0.get(..12).unwrap_or(&self.0)
    }
}

/// What the index records of one file or directory of a user-given database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The path. One that is not UTF-8 is kept lossily, never matches on disk, and so makes
    /// the index stale: such a database is parsed on every run rather than failing.
    path: String,
    /// Size in bytes.
    len: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 when unknown).
    modified_nanos: u128,
}

impl Stamp {
    /// The stamp of a file or directory from its metadata.
    pub(super) fn new(path: &Path, metadata: &std::fs::Metadata) -> Stamp {
        Stamp {
            path: path.to_string_lossy().into_owned(),
            len: metadata.len(),
            modified_nanos: crate::util::modified_nanos(metadata),
        }
    }

    /// The stamp of a path (a link is followed).
    pub(super) fn of_path(path: &Path) -> Result<Stamp, AdvisoryError> {
        let metadata = std::fs::metadata(path).map_err(|source| AdvisoryError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Stamp::new(path, &metadata))
    }

    /// The path it stamps.
    pub(super) fn path(&self) -> &str {
        &self.path
    }

    /// Whether the file or directory is unchanged.
    fn is_current(&self) -> bool {
        Stamp::of_path(Path::new(&self.path)).is_ok_and(|now| now == *self)
    }
}

/// Whether any stamp is too recent to trust: a file changed within this long before the index
/// is built could change again without its modification time moving (timestamps are coarse),
/// so such an index is not written and the next run reads the files again ("racy" entries, as
/// git calls them).
pub fn too_recent(stamps: &[Stamp]) -> bool {
    stamps
        .iter()
        .any(|stamp| crate::util::changed_just_now(stamp.modified_nanos))
}

/// An index as read back.
#[derive(Deserialize)]
struct IndexFile {
    format: u32,
    fingerprint: Fingerprint,
    /// Empty for a `db update` cache (its fingerprint is the check).
    stamps: Vec<Stamp>,
    info: DbInfo,
    advisories: Vec<Advisory>,
}

/// An index as written: [`IndexFile`] borrowed, field for field (postcard writes a slice as
/// it writes a vector), so writing does not copy every advisory of the database first.
#[derive(Serialize)]
struct IndexFileRef<'a> {
    format: u32,
    fingerprint: &'a Fingerprint,
    stamps: &'a [Stamp],
    info: &'a DbInfo,
    advisories: &'a [Advisory],
}

/// Where the index of the database at `database` lives under `index_dir`.
pub fn index_path_for(index_dir: &Path, database: &Path) -> PathBuf {
    let absolute = std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf());
    let digest = crate::util::sha256_hex(absolute.as_os_str().as_encoded_bytes());
    index_dir.join(format!("{}.idx", &digest[..24]))
}

fn read_index(file: &Path) -> Option<IndexFile> {
    let bytes = std::fs::read(file).ok()?;
    let index: IndexFile = postcard::from_bytes(&bytes).ok()?;
    (index.format == INDEX_FORMAT).then_some(index)
}

/// Reads the index of a `db update` cache if it exists and has this fingerprint.
pub fn read_managed(file: &Path, fingerprint: &Fingerprint) -> Option<(DbInfo, Vec<Advisory>)> {
    let index = read_index(file)?;
    (&index.fingerprint == fingerprint).then_some((index.info, index.advisories))
}

/// Reads the index of a user-given database if it exists and every one of its stamps is
/// current.
pub fn read_stamped(file: &Path) -> Option<(DbInfo, Vec<Advisory>)> {
    let index = read_index(file)?;
    // Thousands of `stat`s for the OSV data set: spread over the cores.
    let current = !index.stamps.is_empty()
        && crate::util::parallel_map(&index.stamps, 1024, Stamp::is_current)
            .into_iter()
            .all(|current| current);
    current.then_some((index.info, index.advisories))
}

/// Writes an index atomically (`stamps` empty for a `db update` cache).
pub fn write(
    file: &Path,
    fingerprint: &Fingerprint,
    stamps: &[Stamp],
    info: &DbInfo,
    advisories: &[Advisory],
) -> std::io::Result<()> {
    let index = IndexFileRef {
        format: INDEX_FORMAT,
        fingerprint,
        stamps,
        info,
        advisories,
    };
    let error = |e: postcard::Error| std::io::Error::other(format!("`{}`: {e}", file.display()));
    // Sized first (a pass that only counts): growing the buffer by doubling would touch up to
    // twice the index's size in fresh pages on a first run, as much as the rest of its peak.
    let size = postcard::experimental::serialized_size(&index).map_err(error)?;
    let bytes = postcard::to_extend(&index, Vec::with_capacity(size)).map_err(error)?;
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::util::write_cache_entry(file, &bytes)
}
