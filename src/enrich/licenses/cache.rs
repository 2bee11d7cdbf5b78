//! The on-disk cache of license answers, shared by every provider (stage 3, enrich).
//!
//! In: a provider name, a package identity and an answer (a license, or "this provider does
//! not know"). Out: the same answer on the next run without asking the provider again. One
//! small JSON file per answer under `<dir>/<provider>/<sha256 of key>.json`, written
//! atomically so a crash never leaves a half-written entry; entries older than `max_age` are
//! ignored. [`Cached`] wraps any provider with it (the registry providers use this so a second
//! run makes no request).

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{LicenseProvider, ProviderError};
use crate::inventory::{LicenseInfo, Package};

/// A directory of cached license answers.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
    max_age: Option<Duration>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
    /// Seconds since the Unix epoch when the answer was stored.
    stored_at: u64,
    license: Option<LicenseInfo>,
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl DiskCache {
    /// A cache in `dir` (created on first write) whose entries never expire.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            max_age: None,
        }
    }

    /// Entries older than `max_age` are treated as absent.
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The cache key of a package: `ecosystem/name@version`.
    pub fn key(package: &Package) -> String {
        format!("{}/{}@{}", package.ecosystem, package.name, package.version)
    }

    fn path(&self, provider: &str, key: &str) -> PathBuf {
        self.dir
            .join(provider)
            .join(format!("{}.json", crate::util::sha256_hex(key.as_bytes())))
    }

    /// A stored answer: `Some(Some(license))`, `Some(None)` for a remembered "unknown", or
    /// `None` when nothing fresh is stored. A corrupt entry counts as absent.
    pub fn get(&self, provider: &str, key: &str) -> Option<Option<LicenseInfo>> {
        let bytes = std::fs::read(self.path(provider, key)).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        if entry.key != key {
            return None;
        }
        if let Some(max_age) = self.max_age
            && now_seconds().saturating_sub(entry.stored_at) > max_age.as_secs()
        {
            return None;
        }
        Some(entry.license)
    }

    /// Stores an answer atomically.
    pub fn put(
        &self,
        provider: &str,
        key: &str,
        license: Option<&LicenseInfo>,
    ) -> Result<(), ProviderError> {
        let path = self.path(provider, key);
        let io_error = |source: std::io::Error, path: &PathBuf| ProviderError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(e, &parent.to_path_buf()))?;
        }
        let entry = Entry {
            key: key.to_string(),
            stored_at: now_seconds(),
            license: license.cloned(),
        };
        let bytes = serde_json::to_vec_pretty(&entry).map_err(|e| ProviderError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        crate::util::write_cache_entry(&path, &bytes).map_err(|e| io_error(e, &path))
    }
}

/// Any provider with a disk cache in front: answers (including "unknown") are stored, and a
/// stored answer is returned without asking the provider. Errors are not cached.
pub struct Cached<P> {
    inner: P,
    cache: DiskCache,
}

impl<P: LicenseProvider> Cached<P> {
    /// Wraps `inner` with `cache`.
    pub fn new(inner: P, cache: DiskCache) -> Self {
        Self { inner, cache }
    }
}

impl<P: LicenseProvider> LicenseProvider for Cached<P> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        if !self.inner.handles(package) {
            return Ok(None);
        }
        let key = DiskCache::key(package);
        if let Some(answer) = self.cache.get(self.inner.name(), &key) {
            return Ok(answer);
        }
        let answer = self.inner.lookup(package)?;
        // A cache that cannot be written (read-only, full disk) costs a repeated request on
        // the next run; it must not turn an answer we have into "unknown".
        let _ = self.cache.put(self.inner.name(), &key, answer.as_ref());
        Ok(answer)
    }

    fn needs_network(&self) -> bool {
        self.inner.needs_network()
    }

    fn handles(&self, package: &Package) -> bool {
        self.inner.handles(package)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::inventory::{Ecosystem, LicenseOrigin, Location};

    struct Counting {
        calls: Cell<usize>,
    }

    impl LicenseProvider for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
            self.calls.set(self.calls.get() + 1);
            Ok((package.name == "known").then(|| LicenseInfo {
                expression: "MIT".into(),
                origin: LicenseOrigin::Registry,
                confidence: 1.0,
                file: None,
            }))
        }
    }

    fn package(name: &str) -> Package {
        Package::new(
            Ecosystem::Npm,
            name,
            "1.0.0",
            Location {
                file: "package-lock.json".into(),
                line: None,
            },
        )
    }

    #[test]
    fn second_lookup_is_served_from_disk() -> Result<(), ProviderError> {
        let dir = tempfile::tempdir().map_err(|e| ProviderError::Io {
            path: PathBuf::from("tempdir"),
            source: e,
        })?;
        let cached = Cached::new(
            Counting {
                calls: Cell::new(0),
            },
            DiskCache::new(dir.path()),
        );
        let first = cached.lookup(&package("known"))?;
        let second = cached.lookup(&package("known"))?;
        assert_eq!(first, second);
        assert_eq!(first.map(|l| l.expression).as_deref(), Some("MIT"));
        // A remembered miss is not asked again either.
        assert_eq!(cached.lookup(&package("unknown"))?, None);
        assert_eq!(cached.lookup(&package("unknown"))?, None);
        assert_eq!(cached.inner.calls.get(), 2);
        // A fresh cache object over the same directory (a second run) still hits.
        let again = Cached::new(
            Counting {
                calls: Cell::new(0),
            },
            DiskCache::new(dir.path()),
        );
        again.lookup(&package("known"))?;
        assert_eq!(again.inner.calls.get(), 0);
        Ok(())
    }

    #[test]
    fn expired_entries_are_ignored() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { return };
        let cache = DiskCache::new(dir.path()).with_max_age(Duration::from_secs(0));
        let path = cache.path("p", "k");
        let _ = std::fs::create_dir_all(path.parent().unwrap_or(dir.path()));
        let old = serde_json::json!({"key": "k", "stored_at": 0, "license": null});
        let _ = std::fs::write(&path, old.to_string());
        assert_eq!(cache.get("p", "k"), None);
        assert_eq!(DiskCache::new(dir.path()).get("p", "k"), Some(None));
    }
}
