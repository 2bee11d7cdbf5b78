//! The facts of published crates, cached: what a registry crate's `Cargo.toml` says never
//! changes once the crate is published, so a scan reads and parses each manifest once and
//! later scans take the facts from one file.
//!
//! In: the lockfile's registry packages (source, name, version, checksum) and the facts the
//! manifest reader found for those not cached yet. Out: facts by package. The cache lives in
//! `facts/` under depgate's cache directory (`DEPGATE_CACHE`), one file per cargo home and
//! reading mode, keyed by the `.crate` archive's SHA-256 from the lockfile: a crate whose
//! checksum differs is another crate, and a package without one (a lockfile of format 1 without
//! its `[metadata]`, an unpublished registry) is never cached. It is a cache: a file that does
//! not decode, is of another format or is missing is ignored and written afresh, a failed write
//! only costs the next run the reading, and concurrent runs each replace the file atomically
//! (the later one wins; entries it did not have are read again next time). `--no-cache`
//! neither reads nor writes it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::PackageFacts;
use super::lockfile::LockedPackage;

/// Bumped whenever [`PackageFacts`] or what the manifest reader puts in it changes, so that
/// facts read by an older depgate are read again.
const FORMAT: u32 = 1;

/// At most this many crates are kept; a cache grown past it is started afresh with the crates
/// of the current scan (a cargo home that held every crate ever fetched would otherwise make
/// each run decode facts it never uses).
const MAX_ENTRIES: usize = 20_000;

static CACHE_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Keeps the facts of published crates under `dir`, or nowhere with `None` (`--no-cache`).
/// Set once per process, before the first scan; later calls are ignored. Without a call,
/// nothing is cached (library users and tests opt in).
pub fn use_facts_cache(dir: Option<PathBuf>) {
    let _ = CACHE_DIR.set(dir);
}

/// What identifies one crate's facts: the crate and the way they were read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Key {
    /// The registry's source URL.
    source: String,
    name: String,
    version: String,
    /// SHA-256 of the `.crate` archive.
    checksum: String,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    /// The cargo home and reading mode the facts were read with (a digest of them names the
    /// file; kept to tell a foreign file from ours).
    scope: String,
    entries: Vec<(Key, PackageFacts)>,
}

/// The cache of one cargo home and reading mode, loaded.
pub(crate) struct FactsCache {
    file: PathBuf,
    scope: String,
    entries: HashMap<Key, PackageFacts>,
    added: usize,
}

impl FactsCache {
    /// The cache for crates of `cargo_home` read in `mode` (the reading options that change
    /// the facts, e.g. whether build facts and every license file are read); `None` when no
    /// cache is in use.
    pub(crate) fn open(cargo_home: &Path, mode: &str) -> Option<FactsCache> {
        let dir = CACHE_DIR.get()?.as_ref()?;
        let home = std::path::absolute(cargo_home).unwrap_or_else(|_| cargo_home.to_path_buf());
        let scope = format!("{}\n{mode}", home.display());
        let digest = crate::util::sha256_hex(scope.as_bytes());
        let file = dir.join("facts").join(format!("{}.bin", &digest[..24]));
        let entries = std::fs::read(&file)
            .ok()
            .and_then(|bytes| postcard::from_bytes::<CacheFile>(&bytes).ok())
            .filter(|cached| cached.format == FORMAT && cached.scope == scope)
            .map(|cached| cached.entries.into_iter().collect())
            .unwrap_or_default();
        Some(FactsCache {
            file,
            scope,
            entries,
            added: 0,
        })
    }

    /// The cached facts of a lockfile package, if any.
    pub(crate) fn get(&self, package: &LockedPackage) -> Option<&PackageFacts> {
        self.entries.get(&key(package)?)
    }

    /// Records facts read from a package's manifest (a package without a checksum is not
    /// kept).
    pub(crate) fn insert(&mut self, package: &LockedPackage, facts: &PackageFacts) {
        if let Some(key) = key(package) {
            self.entries.insert(key, facts.clone());
            self.added += 1;
        }
    }

    /// Writes the cache when facts were added; `current` (the keys of this scan's packages)
    /// is what is kept when the cache has grown past [`MAX_ENTRIES`].
    pub(crate) fn save(mut self, current: &[LockedPackage]) {
        if self.added == 0 {
            return;
        }
        if self.entries.len() > MAX_ENTRIES {
            let keep: std::collections::HashSet<Key> = current.iter().filter_map(key).collect();
            self.entries.retain(|key, _| keep.contains(key));
        }
        let file = CacheFile {
            format: FORMAT,
            scope: self.scope,
            entries: self.entries.into_iter().collect(),
        };
        let Ok(bytes) = postcard::to_stdvec(&file) else {
            return;
        };
        if let Some(parent) = self.file.parent()
            && std::fs::create_dir_all(parent).is_ok()
        {
            // A read-only or full cache directory must not fail the scan.
            let _ = crate::util::write_atomic(&self.file, &bytes);
        }
    }
}

fn key(package: &LockedPackage) -> Option<Key> {
    let source = package.source.as_ref().filter(|s| s.is_registry())?;
    Some(Key {
        source: source.url().to_string(),
        name: package.name.clone(),
        version: package.version.clone(),
        checksum: package.checksum.clone()?,
    })
}
