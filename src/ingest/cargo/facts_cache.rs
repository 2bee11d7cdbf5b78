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
//! neither reads nor writes it ([`crate::util::use_derived_cache`]).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::PackageFacts;
use super::lockfile::LockedPackage;

/// Bumped whenever [`PackageFacts`] or what the manifest reader puts in it changes, so that
/// facts read by an older depgate are read again.
const FORMAT: u32 = 1;

/// The cache's directory under `DEPGATE_CACHE`.
const KIND: &str = "facts";

/// At most this many crates are kept; a cache grown past it is started afresh with the crates
/// of the current scan (a cargo home that held every crate ever fetched would otherwise make
/// each run decode facts it never uses).
const MAX_ENTRIES: usize = 20_000;

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

/// The cache of one cargo home and reading mode, loaded.
pub(crate) struct FactsCache {
    scope: String,
    entries: HashMap<Key, PackageFacts>,
    added: usize,
}

impl FactsCache {
    /// The cache for crates of `cargo_home` read in `mode` (the reading options that change
    /// the facts, e.g. whether build facts and every license file are read); `None` when no
    /// cache is in use.
    pub(crate) fn open(cargo_home: &Path, mode: &str) -> Option<FactsCache> {
        crate::util::derived_cache()?;
        let home = std::path::absolute(cargo_home).unwrap_or_else(|_| cargo_home.to_path_buf());
        let scope = format!("{}\n{mode}", home.display());
        let entries: Vec<(Key, PackageFacts)> =
            crate::util::read_derived(KIND, FORMAT, &scope).unwrap_or_default();
        Some(FactsCache {
            scope,
            entries: entries.into_iter().collect(),
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

    /// Writes the cache when facts were added; `current` (this scan's packages) is what is
    /// kept when the cache has grown past [`MAX_ENTRIES`].
    pub(crate) fn save(mut self, current: &[LockedPackage]) {
        if self.added == 0 {
            return;
        }
        if self.entries.len() > MAX_ENTRIES {
            let keep: std::collections::HashSet<Key> = current.iter().filter_map(key).collect();
            self.entries.retain(|key, _| keep.contains(key));
        }
        let entries: Vec<(Key, PackageFacts)> = self.entries.into_iter().collect();
        crate::util::write_derived(KIND, FORMAT, &self.scope, &entries);
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
