//! The advisory cache: layout, lock, atomic replacement and metadata.
//!
//! ```text
//! <cache>/rustsec/                  the advisory-db tree + .depgate-meta.json
//! <cache>/osv/<Ecosystem>/all.zip   osv.dev export         + .depgate-meta.json
//! <cache>/index/                    compact indexes (see enrich::advisories)
//! <cache>/.lock                     held during `db update`
//! ```
//! A database is built in a temporary directory inside the cache, verified to load, and then
//! renamed into place; the old copy is removed only after the new one is in place, so a
//! failed or killed update leaves the previous database intact.

use std::path::{Path, PathBuf};

use super::NetError;
use super::archive::{ArchiveLimits, check_zip, extract_tar_gz};
use super::http::{Fetched, HttpOptions, fetch_to_file};
use serde::{Deserialize, Serialize};

/// The GitHub archive of rustsec/advisory-db.
pub const DEFAULT_RUSTSEC_URL: &str =
    "https://github.com/rustsec/advisory-db/archive/refs/heads/main.tar.gz";
/// osv.dev's bucket of per-ecosystem exports (`<base>/<Ecosystem>/all.zip`).
pub const DEFAULT_OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The name of the metadata file `db update` writes into each cached database.
pub const META_FILE: &str = ".depgate-meta.json";

/// What `db update` records about a downloaded database (also read back by `db status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheMeta {
    /// The URL it was downloaded from.
    pub source_url: String,
    /// The server's `ETag`, if any.
    pub etag: Option<String>,
    /// The server's `Last-Modified`, if any.
    pub last_modified: Option<String>,
    /// When it was fetched (RFC 3339).
    pub fetched_at: String,
    /// When the server last confirmed it current (RFC 3339; a 304 updates this).
    #[serde(default)]
    pub checked_at: Option<String>,
    /// The git commit (RustSec tarball) or the ETag.
    pub revision: Option<String>,
    /// Advisories it held when fetched.
    pub advisory_count: usize,
}

impl CacheMeta {
    /// Reads the metadata beside a database (inside a directory, or in a file's directory).
    pub fn read_for(path: &Path) -> Option<CacheMeta> {
        let dir = if path.is_dir() { path } else { path.parent()? };
        let text = std::fs::read(dir.join(META_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }
}

/// What `update` asks of the advisory stage, so that `net` moves bytes and never parses an
/// advisory itself: check a staged download before it replaces anything, and index it once
/// it is in place.
pub trait DatabaseCheck {
    /// Loads the staged database at `path` (a RustSec directory when `rustsec`, else an OSV
    /// `all.zip`) and returns how many advisories it holds, or why it is not a usable database.
    fn verify(&self, path: &Path, rustsec: bool) -> Result<usize, String>;
    /// Builds the fast-load index of the database now at `path` into `index_dir`; a failure
    /// only costs speed on the next run.
    fn index(&self, path: &Path, index_dir: &Path);
}

/// `DEPGATE_CACHE`, else the platform cache directory + `depgate`.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("DEPGATE_CACHE") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|dir| dir.join("depgate")),
    }
}

/// What to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// The RustSec archive URL; `None` skips RustSec.
    pub rustsec_url: Option<String>,
    /// Base URL of the OSV exports.
    pub osv_base_url: String,
    /// OSV ecosystems to fetch (`crates.io`, `PyPI`, `Go`, ...).
    pub ecosystems: Vec<String>,
    /// HTTP behaviour.
    pub http: HttpOptions,
    /// Archive limits.
    pub limits: ArchiveLimits,
}

/// The outcome for one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateReport {
    /// `rustsec` or `osv:<Ecosystem>`.
    pub name: String,
    /// True when the server said 304.
    pub not_modified: bool,
    /// Advisories now cached.
    pub advisory_count: usize,
    /// Revision (commit or ETag).
    pub revision: Option<String>,
}

/// A database present in the cache.
#[derive(Debug, Clone)]
pub struct CachedDb {
    /// `rustsec` or `osv:<Ecosystem>`.
    pub name: String,
    /// The path to load (`rustsec/` or `osv/<E>/all.zip`).
    pub path: PathBuf,
    /// Its metadata, if readable.
    pub meta: Option<CacheMeta>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> NetError + '_ {
    move |source| NetError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The databases in a cache directory, RustSec first, then OSV ecosystems by name.
pub fn cached_databases(cache: &Path) -> Vec<CachedDb> {
    recover(cache);
    let mut out = Vec::new();
    let rustsec = cache.join("rustsec");
    if rustsec.is_dir() {
        out.push(CachedDb {
            name: "rustsec".to_string(),
            meta: CacheMeta::read_for(&rustsec),
            path: rustsec,
        });
    }
    if let Ok(entries) = std::fs::read_dir(cache.join("osv")) {
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().join("all.zip").is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        for name in names {
            let path = cache.join("osv").join(&name).join("all.zip");
            out.push(CachedDb {
                name: format!("osv:{name}"),
                meta: CacheMeta::read_for(&path),
                path,
            });
        }
    }
    out
}

/// Puts back a database whose swap was interrupted between its two renames.
fn recover(cache: &Path) {
    let mut targets = vec![cache.join("rustsec")];
    if let Ok(entries) = std::fs::read_dir(cache.join("osv")) {
        targets.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| !p.to_string_lossy().ends_with(".old")),
        );
    }
    for target in targets {
        let old = old_path(&target);
        if !target.exists() && old.is_dir() {
            let _ = std::fs::rename(&old, &target);
        }
    }
}

fn old_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".old");
    target.with_file_name(name)
}

/// Replaces `target` by `staged`: the old copy is moved aside, the new one renamed in, and
/// the old one removed.
fn swap_into_place(staged: &Path, target: &Path) -> Result<(), NetError> {
    let old = old_path(target);
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_error(&old))?;
    }
    if target.exists() {
        std::fs::rename(target, &old).map_err(io_error(target))?;
    }
    if let Err(error) = std::fs::rename(staged, target) {
        // Put the previous database back before reporting.
        let _ = std::fs::rename(&old, target);
        return Err(io_error(target)(error));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Updates the cache under an exclusive lock. Each database is independent: the first
/// failure is returned, and databases already updated stay updated.
pub fn update(
    cache: &Path,
    options: &UpdateOptions,
    check: &dyn DatabaseCheck,
) -> Result<Vec<UpdateReport>, NetError> {
    std::fs::create_dir_all(cache).map_err(io_error(cache))?;
    let lock_path = cache.join(".lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(io_error(&lock_path))?;
    fs4::FileExt::lock(&lock).map_err(io_error(&lock_path))?;
    recover(cache);
    // Staging directories left by a killed run (we hold the lock, so none is in use).
    if let Ok(entries) = std::fs::read_dir(cache) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(".staging-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let mut reports = Vec::new();
    if let Some(url) = &options.rustsec_url {
        reports.push(update_one(
            cache,
            "rustsec",
            url,
            &cache.join("rustsec"),
            options,
            check,
            true,
        )?);
    }
    for ecosystem in &options.ecosystems {
        let url = format!(
            "{}/{}/all.zip",
            options.osv_base_url.trim_end_matches('/'),
            ecosystem
        );
        let target = cache.join("osv").join(ecosystem);
        reports.push(update_one(
            cache,
            &format!("osv:{ecosystem}"),
            &url,
            &target,
            options,
            check,
            false,
        )?);
    }
    // Dropping the file releases the lock.
    drop(lock);
    Ok(reports)
}

fn update_one(
    cache: &Path,
    name: &str,
    url: &str,
    target: &Path,
    options: &UpdateOptions,
    check: &dyn DatabaseCheck,
    is_tarball: bool,
) -> Result<UpdateReport, NetError> {
    let previous = CacheMeta::read_for(target).filter(|m| m.source_url == url);
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(cache)
        .map_err(io_error(cache))?;
    let download = staging.path().join(if is_tarball {
        "archive.tar.gz"
    } else {
        "all.zip"
    });
    let fetched = fetch_to_file(
        url,
        &download,
        previous.as_ref().and_then(|m| m.etag.as_deref()),
        previous.as_ref().and_then(|m| m.last_modified.as_deref()),
        &options.http,
    )?;
    let now = crate::util::rfc3339(time::OffsetDateTime::now_utc());
    let (etag, last_modified) = match fetched {
        Fetched::NotModified => {
            let mut meta = previous.unwrap_or_default();
            meta.checked_at = Some(now);
            let meta_path = target.join(META_FILE);
            let bytes = serde_json::to_vec_pretty(&meta).unwrap_or_default();
            crate::util::write_atomic(&meta_path, &bytes).map_err(io_error(&meta_path))?;
            return Ok(UpdateReport {
                name: name.to_string(),
                not_modified: true,
                advisory_count: meta.advisory_count,
                revision: meta.revision,
            });
        }
        Fetched::Downloaded {
            etag,
            last_modified,
            ..
        } => (etag, last_modified),
    };
    let database_dir = staging.path().join("db");
    std::fs::create_dir_all(&database_dir).map_err(io_error(&database_dir))?;
    let (load_path, commit) = if is_tarball {
        let commit = extract_tar_gz(&download, &database_dir, &options.limits)?;
        (database_dir.clone(), commit)
    } else {
        check_zip(&download, &options.limits)?;
        let zip_path = database_dir.join("all.zip");
        std::fs::rename(&download, &zip_path).map_err(io_error(&zip_path))?;
        (zip_path, None)
    };
    // Verify it loads before it replaces anything.
    let advisory_count =
        check
            .verify(&load_path, is_tarball)
            .map_err(|reason| NetError::Invalid {
                url: url.to_string(),
                reason,
            })?;
    let meta = CacheMeta {
        source_url: url.to_string(),
        etag: etag.clone(),
        last_modified,
        fetched_at: now.clone(),
        checked_at: Some(now),
        revision: commit.or(etag),
        advisory_count,
    };
    let meta_path = database_dir.join(META_FILE);
    let bytes = serde_json::to_vec_pretty(&meta).unwrap_or_default();
    crate::util::write_atomic(&meta_path, &bytes).map_err(io_error(&meta_path))?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    swap_into_place(&database_dir, target)?;
    // Build the index now so the next run loads fast (failures only cost speed).
    let final_path = if is_tarball {
        target.to_path_buf()
    } else {
        target.join("all.zip")
    };
    check.index(&final_path, &cache.join("index"));
    Ok(UpdateReport {
        name: name.to_string(),
        not_modified: false,
        advisory_count: meta.advisory_count,
        revision: meta.revision,
    })
}
