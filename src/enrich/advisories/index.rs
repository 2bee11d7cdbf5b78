//! The compact advisory index: one postcard file per database, keyed by a fingerprint of the
//! database's files (paths, sizes, modification times) and the index format version.
//!
//! Parsing 8,000 Markdown/JSON/YAML records takes about a second; decoding the index takes a
//! few milliseconds. A stale or unreadable index is ignored and rebuilt.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::load::{META_FILE, osv_files};
use super::{Advisory, AdvisoryError, DbInfo, DbKind};

/// Bumped whenever the indexed model changes, so old indexes are rebuilt.
pub const INDEX_FORMAT: u32 = 1;

/// A digest of a database's files; equal fingerprints mean the index is current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Fingerprints a database path of the given kind.
    pub fn of(path: &Path, kind: DbKind) -> Result<Fingerprint, AdvisoryError> {
        let meta = if path.is_dir() {
            Some(path.join(META_FILE))
        } else {
            path.parent().map(|p| p.join(META_FILE))
        };
        // A database `db update` manages is replaced as a whole, metadata included, so the
        // metadata (fetch time, ETag, revision) identifies its content: no need to stat every
        // file on each run.
        if let Some(meta) = &meta
            && let Ok(bytes) = std::fs::read(meta)
            && let Ok(mut parsed) = serde_json::from_slice::<super::load::CacheMeta>(&bytes)
        {
            // `checked_at` changes on a 304 without the content changing.
            parsed.checked_at = None;
            let mut hasher = Sha256::new();
            hasher.update(INDEX_FORMAT.to_le_bytes());
            hasher.update(path.as_os_str().as_encoded_bytes());
            hasher.update(serde_json::to_vec(&parsed).unwrap_or_default());
            return Ok(Fingerprint(format!(
                "meta:{}",
                hex::encode(hasher.finalize())
            )));
        }
        let files = match kind {
            DbKind::OsvZip => vec![path.to_path_buf()],
            DbKind::OsvDirectory => osv_files(path)?,
            DbKind::RustSec => rustsec_files(path)?,
        };
        let mut hasher = Sha256::new();
        hasher.update(INDEX_FORMAT.to_le_bytes());
        hasher.update(path.as_os_str().as_encoded_bytes());
        for file in &files {
            let metadata = std::fs::metadata(file).map_err(|source| AdvisoryError::Io {
                path: file.clone(),
                source,
            })?;
            let modified = metadata
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            hasher.update(file.as_os_str().as_encoded_bytes());
            hasher.update([0]);
            hasher.update(metadata.len().to_le_bytes());
            hasher.update(modified.to_le_bytes());
        }
        Ok(Fingerprint(hex::encode(hasher.finalize())))
    }

    /// The first 12 hex digits, for display.
    pub fn short(&self) -> &str {
        self.0.get(..12).unwrap_or(&self.0)
    }
}

fn rustsec_files(root: &Path) -> Result<Vec<PathBuf>, AdvisoryError> {
    let mut files = Vec::new();
    for collection in ["crates", "rust"] {
        let dir = root.join(collection);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let inner = std::fs::read_dir(entry.path()).map_err(|source| AdvisoryError::Io {
                path: entry.path(),
                source,
            })?;
            files.extend(inner.flatten().map(|e| e.path()));
        }
    }
    files.sort();
    Ok(files)
}

#[derive(Serialize, Deserialize)]
struct IndexFile {
    format: u32,
    fingerprint: Fingerprint,
    info: DbInfo,
    advisories: Vec<Advisory>,
}

/// Where the index of the database at `database` lives under `index_dir`.
pub fn index_path_for(index_dir: &Path, database: &Path) -> PathBuf {
    let absolute = std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf());
    let digest = crate::util::sha256_hex(absolute.as_os_str().as_encoded_bytes());
    index_dir.join(format!("{}.idx", &digest[..24]))
}

/// Reads an index if it exists and matches the fingerprint.
pub fn read(file: &Path, fingerprint: &Fingerprint) -> Option<(DbInfo, Vec<Advisory>)> {
    let bytes = std::fs::read(file).ok()?;
    let index: IndexFile = postcard::from_bytes(&bytes).ok()?;
    if index.format != INDEX_FORMAT || &index.fingerprint != fingerprint {
        return None;
    }
    Some((index.info, index.advisories))
}

/// Writes an index atomically.
pub fn write(
    file: &Path,
    fingerprint: &Fingerprint,
    info: &DbInfo,
    advisories: &[Advisory],
) -> std::io::Result<()> {
    let index = IndexFile {
        format: INDEX_FORMAT,
        fingerprint: fingerprint.clone(),
        info: info.clone(),
        advisories: advisories.to_vec(),
    };
    let bytes = postcard::to_stdvec(&index)
        .map_err(|e| std::io::Error::other(format!("`{}`: {e}", file.display())))?;
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::util::write_atomic(file, &bytes)
}
