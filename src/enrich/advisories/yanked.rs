//! Yanked crate versions, read offline from cargo's sparse-index cache
//! (`$CARGO_HOME/registry/index/<registry>/.cache/<prefix>/<name>`).
//!
//! Cache file format: a version byte, a `u32` index version, a NUL-terminated header, then
//! NUL-separated (version, JSON line) pairs; each JSON line carries `"yanked": bool`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::{AdvisoryKind, AdvisoryMatch, SeverityLabel};
use crate::inventory::{Ecosystem, Inventory, Package, PackageId, PackageKind, Source};

/// The yanked status of the inventory's crates.io packages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YankedFacts {
    /// Packages whose version is yanked.
    pub yanked: Vec<PackageId>,
    /// Packages whose status is unknown offline, with the reason.
    pub not_evaluated: Vec<(PackageId, String)>,
}

/// `$CARGO_HOME`, or `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".cargo")))
}

/// The sparse-index path of a crate name (`se/rd/serde`, `3/s/syn`, `1/a`).
fn prefix_path(name: &str) -> PathBuf {
    let lower = name.to_ascii_lowercase();
    match lower.len() {
        1 => PathBuf::from("1").join(&lower),
        2 => PathBuf::from("2").join(&lower),
        3 => PathBuf::from("3").join(&lower[..1]).join(&lower),
        _ => PathBuf::from(&lower[..2]).join(&lower[2..4]).join(&lower),
    }
}

/// The `yanked` flag of `version` in one cache file; `None` if the version is not in it.
fn yanked_in(bytes: &[u8], version: &str) -> Option<bool> {
    // Skip the version byte and the u32, then the header string.
    let rest = bytes.get(5..)?;
    let header_end = memchr::memchr(0, rest)?;
    entry_json(&rest[header_end..], version).and_then(yanked_flag)
}

/// The JSON line of `version` in a run of cache entries (`\0VERSION\0{JSON}\0`), searched
/// from the end. JSON lines hold no NUL and versions do not start with `{`, so the needle only
/// matches at an entry boundary, even when `entries` starts in the middle of an entry.
fn entry_json<'a>(entries: &'a [u8], version: &str) -> Option<&'a [u8]> {
    let mut needle = Vec::with_capacity(version.len() + 3);
    needle.push(0);
    needle.extend_from_slice(version.as_bytes());
    needle.extend_from_slice(b"\0{");
    let json_start = memchr::memmem::rfind(entries, &needle)? + needle.len() - 1;
    let json_end =
        memchr::memchr(0, &entries[json_start..]).map_or(entries.len(), |end| json_start + end);
    Some(&entries[json_start..json_end])
}

/// The `yanked` field of an index entry. Only that field is decoded: the rest (dependencies,
/// features: 100 KB for some crates) is skipped without building values.
fn yanked_flag(json: &[u8]) -> Option<bool> {
    #[derive(serde::Deserialize)]
    struct Entry {
        yanked: Option<bool>,
    }
    serde_json::from_slice::<Entry>(json).ok()?.yanked
}

/// [`yanked_in`] for a cache file, read from its end: cargo appends versions as they are
/// published, so a locked (usually recent) version sits near the end, and popular crates'
/// files are large (`web-sys` is 5 MB; a big lockfile's files add up to 40 MB). The tail read
/// starts at a few entries and grows eightfold until the entry is found or the whole file has
/// been searched.
fn yanked_in_file(path: &Path, version: &str) -> Option<bool> {
    use std::io::{Read, Seek, SeekFrom};
    const FIRST_TAIL: u64 = 4 * 1024;
    // Few system calls (this runs for every crate): open, a seek for the length, then a seek
    // and one read per tail, close.
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.seek(SeekFrom::End(0)).ok()?;
    let mut tail = FIRST_TAIL;
    loop {
        let start = len.saturating_sub(tail);
        let mut bytes = vec![0; usize::try_from(len - start).ok()?];
        file.seek(SeekFrom::Start(start)).ok()?;
        file.read_exact(&mut bytes).ok()?;
        if start == 0 {
            return yanked_in(&bytes, version);
        }
        if let Some(json) = entry_json(&bytes, version) {
            return yanked_flag(json);
        }
        tail = tail.saturating_mul(8);
    }
}

/// Looks up every crates.io package in cargo's local index cache under `cargo_home`.
pub fn yanked_facts(inventory: &Inventory, cargo_home: Option<&Path>) -> YankedFacts {
    let mut facts = YankedFacts::default();
    let cache_dirs: Vec<PathBuf> = cargo_home
        .map(|home| home.join("registry/index"))
        .and_then(|index| std::fs::read_dir(index).ok())
        .map(|entries| {
            let mut dirs: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                // Only crates.io's sparse index (`index.crates.io-<hash>`).
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("index.crates.io-"))
                })
                .map(|p| p.join(".cache"))
                .filter(|p| p.is_dir())
                .collect();
            dirs.sort();
            dirs
        })
        .unwrap_or_default();
    let crates_io: Vec<&Package> = inventory
        .packages()
        .iter()
        .filter(|package| {
            package.ecosystem == Ecosystem::Cargo
                && package.kind == PackageKind::ThirdParty
                && matches!(package.source, Source::Registry { default: true, .. })
        })
        .collect();
    let cache = YankedCache::open(&cache_dirs);
    let listed = crowded_prefixes_listed(&crates_io, &cache_dirs);
    let lookup = |package: &Package| {
        let relative = prefix_path(&package.name);
        let listing = relative.parent().and_then(|prefix| listed.get(prefix));
        let file_name = relative.file_name().unwrap_or_default();
        let mut learned = None;
        let status = cache_dirs.iter().enumerate().find_map(|(position, dir)| {
            if listing.is_some_and(|names| !names[position].contains(file_name)) {
                return None;
            }
            let file = dir.join(&relative);
            let stamp = FileStamp::of(&file)?;
            if let Some(known) = cache
                .as_ref()
                .and_then(|c| c.get(&file, &stamp, &package.version))
            {
                return Some(known);
            }
            let found = yanked_in_file(&file, &package.version)?;
            learned = Some((file, stamp, found));
            Some(found)
        });
        (status, learned)
    };
    // One file per crate, a thousand for a large lockfile: spread over the cores.
    let results = crate::util::parallel_map(&crates_io, 64, |package| lookup(package));
    let mut learned = Vec::new();
    for (package, (status, new)) in crates_io.iter().zip(results) {
        if let Some((file, stamp, yanked)) = new {
            learned.push((file, stamp, package.version.clone(), yanked));
        }
        match status {
            Some(true) => facts.yanked.push(package.id),
            Some(false) => {}
            None => facts.not_evaluated.push((
                package.id,
                "not in cargo's local index cache (yanked status needs the network)".to_string(),
            )),
        }
    }
    if let Some(cache) = cache {
        cache.save(learned);
    }
    facts
}

/// The names in each cache directory's prefix directory (`se/rd/`), for the prefixes that at
/// least [`LIST_PREFIX_FROM`] of the crates share: one listing each, so that crates not in the
/// index cache cost no failed lookup each.
fn crowded_prefixes_listed(
    crates_io: &[&Package],
    cache_dirs: &[PathBuf],
) -> HashMap<PathBuf, Vec<HashSet<std::ffi::OsString>>> {
    let mut per_prefix: HashMap<PathBuf, usize> = HashMap::new();
    for package in crates_io {
        if let Some(parent) = prefix_path(&package.name).parent() {
            *per_prefix.entry(parent.to_path_buf()).or_default() += 1;
        }
    }
    per_prefix
        .into_iter()
        .filter(|(_, count)| *count >= LIST_PREFIX_FROM)
        .map(|(prefix, _)| {
            let names = cache_dirs
                .iter()
                .map(|dir| crate::util::entry_names(&dir.join(&prefix)))
                .collect();
            (prefix, names)
        })
        .collect()
}

/// From this many crates in one prefix directory of the index cache, it is listed once
/// instead of looked up per crate.
const LIST_PREFIX_FROM: usize = 8;

/// The size and modification time of an index cache file: cargo rewrites the file whenever it
/// refreshes the crate's entry (a version yanked since changes its bytes), so an unchanged
/// stamp means unchanged flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct FileStamp {
    len: u64,
    modified_nanos: u128,
}

impl FileStamp {
    fn of(file: &Path) -> Option<FileStamp> {
        let metadata = std::fs::metadata(file).ok()?;
        Some(FileStamp {
            len: metadata.len(),
            modified_nanos: crate::util::modified_nanos(&metadata),
        })
    }
}

/// Yanked flags read before, by index cache file and its stamp, in `yanked/` under depgate's
/// cache directory: a warm run `stat`s each crate's file instead of reading its tail (a
/// thousand files, some of megabytes when the locked version is old). A file whose stamp
/// changed is read again; a damaged or foreign cache file is ignored and written afresh;
/// `--no-cache` neither reads nor writes it.
struct YankedCache {
    scope: String,
    files: HashMap<PathBuf, (FileStamp, Vec<(String, bool)>)>,
}

/// One index cache file as recorded: its path, its stamp and the flags read from it (version,
/// yanked).
type RecordedFile = (PathBuf, FileStamp, Vec<(String, bool)>);

/// Bumped when what [`YankedCache`] records changes.
const YANKED_CACHE_FORMAT: u32 = 1;

impl YankedCache {
    /// The cache of these index cache directories; `None` when no cache is in use.
    fn open(cache_dirs: &[PathBuf]) -> Option<YankedCache> {
        crate::util::derived_cache()?;
        let scope = cache_dirs
            .iter()
            .map(|dir| dir.to_string_lossy())
            .collect::<Vec<_>>()
            .join("\n");
        let entries: Vec<RecordedFile> =
            crate::util::read_derived("yanked", YANKED_CACHE_FORMAT, &scope).unwrap_or_default();
        let files = entries
            .into_iter()
            .map(|(file, stamp, versions)| (file, (stamp, versions)))
            .collect();
        Some(YankedCache { scope, files })
    }

    /// The flag of `version` in `file`, when recorded for the file as it is now.
    fn get(&self, file: &Path, stamp: &FileStamp, version: &str) -> Option<bool> {
        let (recorded, versions) = self.files.get(file)?;
        if recorded != stamp {
            return None;
        }
        versions
            .iter()
            .find(|(known, _)| known == version)
            .map(|(_, yanked)| *yanked)
    }

    /// Adds what this run read (file, its stamp, version, flag) and writes the cache when
    /// anything was added.
    fn save(mut self, learned: Vec<(PathBuf, FileStamp, String, bool)>) {
        let mut added = false;
        for (file, stamp, version, yanked) in learned {
            if crate::util::changed_just_now(stamp.modified_nanos) {
                continue;
            }
            let entry = self
                .files
                .entry(file)
                .or_insert_with(|| (stamp, Vec::new()));
            if entry.0 != stamp {
                *entry = (stamp, Vec::new());
            }
            entry.1.push((version, yanked));
            added = true;
        }
        if added {
            let entries: Vec<RecordedFile> = self
                .files
                .into_iter()
                .map(|(file, (stamp, versions))| (file, stamp, versions))
                .collect();
            crate::util::write_derived("yanked", YANKED_CACHE_FORMAT, &self.scope, &entries);
        }
    }
}

/// The yanked facts as matches (`Yanked` and `NotEvaluated` kinds) for `evaluate`.
pub fn yanked_matches(facts: &YankedFacts) -> Vec<AdvisoryMatch> {
    let base = |package: PackageId, kind: AdvisoryKind, title: String| AdvisoryMatch {
        package,
        advisory_id: "yanked".to_string(),
        aliases: Vec::new(),
        kind,
        cvss_score: None,
        cvss_vector: None,
        severity: SeverityLabel::Unknown,
        patched: Vec::new(),
        package_fix: None,
        title: Some(title),
        url: None,
        database: 0,
        os: Vec::new(),
        arch: Vec::new(),
        functions: Vec::new(),
    };
    let mut out: Vec<AdvisoryMatch> = facts
        .yanked
        .iter()
        .map(|id| {
            base(
                *id,
                AdvisoryKind::Yanked,
                "version yanked from crates.io".to_string(),
            )
        })
        .collect();
    out.extend(
        facts
            .not_evaluated
            .iter()
            .map(|(id, reason)| base(*id, AdvisoryKind::NotEvaluated, format!("yanked: {reason}"))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(prefix_path("a"), PathBuf::from("1/a"));
        assert_eq!(prefix_path("ab"), PathBuf::from("2/ab"));
        assert_eq!(prefix_path("syn"), PathBuf::from("3/s/syn"));
        assert_eq!(prefix_path("Serde"), PathBuf::from("se/rd/serde"));
    }

    #[test]
    fn cache_file_format() {
        let mut bytes = vec![3u8, 2, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        bytes.extend_from_slice(b"1.0.0\0{\"vers\":\"1.0.0\",\"yanked\":false}\0");
        bytes.extend_from_slice(b"1.0.1\0{\"vers\":\"1.0.1\",\"yanked\":true}\0");
        assert_eq!(yanked_in(&bytes, "1.0.0"), Some(false));
        assert_eq!(yanked_in(&bytes, "1.0.1"), Some(true));
        assert_eq!(yanked_in(&bytes, "2.0.0"), None);
        assert_eq!(yanked_in(&[1, 2], "1.0.0"), None);
        // `1.0.0` is not found inside `11.0.0` or `1.0.0-rc.1`.
        let mut bytes = vec![3u8, 2, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        bytes.extend_from_slice(b"11.0.0\0{\"yanked\":true}\0");
        bytes.extend_from_slice(b"1.0.0-rc.1\0{\"yanked\":true}\0");
        assert_eq!(yanked_in(&bytes, "1.0.0"), None);
        assert_eq!(yanked_in(&bytes, "1.0.0-rc.1"), Some(true));
    }

    /// Files larger than the first tail read: entries at the start, in the middle (across a
    /// tail boundary) and at the end are all found; an absent version reads the whole file.
    #[test]
    fn large_cache_files_are_read_from_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        let mut bytes = vec![3u8, 2, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        let padding = "x".repeat(1000);
        for minor in 0..1000 {
            let yanked = minor % 7 == 0;
            bytes.extend_from_slice(
                format!("0.{minor}.0\0{{\"pad\":\"{padding}\",\"yanked\":{yanked}}}\0").as_bytes(),
            );
        }
        assert!(bytes.len() > 900_000);
        std::fs::write(&path, &bytes).unwrap();
        for minor in [0, 1, 7, 500, 930, 936, 999] {
            let expected = Some(minor % 7 == 0);
            let version = format!("0.{minor}.0");
            assert_eq!(yanked_in_file(&path, &version), expected, "{version}");
            assert_eq!(yanked_in(&bytes, &version), expected, "{version}");
        }
        assert_eq!(yanked_in_file(&path, "9.9.9"), None);
        assert_eq!(yanked_in_file(&dir.path().join("missing"), "0.1.0"), None);
    }
}

#[cfg(test)]
mod home_tests {
    use super::*;
    use crate::inventory::Location;

    #[test]
    fn facts_from_a_cargo_home() {
        let home = tempfile::tempdir().unwrap();
        let cache = home
            .path()
            .join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache/de/mo");
        std::fs::create_dir_all(&cache).unwrap();
        let mut bytes = vec![3u8, 2, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        bytes.extend_from_slice(b"1.0.0\0{\"yanked\":true}\0");
        bytes.extend_from_slice(b"1.0.1\0{\"yanked\":false}\0");
        std::fs::write(cache.join("demo"), bytes).unwrap();
        let mut inventory = Inventory::new();
        let mut add = |name: &str, version: &str| {
            let mut package = Package::new(
                Ecosystem::Cargo,
                name,
                version,
                Location {
                    file: "Cargo.lock".into(),
                    line: None,
                },
            );
            package.source = Source::Registry {
                url: "https://github.com/rust-lang/crates.io-index".into(),
                default: true,
            };
            inventory.add_package(package)
        };
        let yanked = add("demo", "1.0.0");
        add("demo", "1.0.1");
        let unknown = add("other", "2.0.0");
        let facts = yanked_facts(&inventory, Some(home.path()));
        assert_eq!(facts.yanked, vec![yanked]);
        assert_eq!(facts.not_evaluated.len(), 1);
        assert_eq!(facts.not_evaluated[0].0, unknown);
        let matches = yanked_matches(&facts);
        assert_eq!(matches.len(), 2);
        assert_eq!(matches[0].kind, AdvisoryKind::Yanked);
    }
}
