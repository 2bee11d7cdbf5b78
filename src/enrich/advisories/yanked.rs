//! Yanked crate versions, read offline from cargo's sparse-index cache
//! (`$CARGO_HOME/registry/index/<registry>/.cache/<prefix>/<name>`).
//!
//! Cache file format: a version byte, a `u32` index version, a NUL-terminated header, then
//! NUL-separated (version, JSON line) pairs; each JSON line carries `"yanked": bool`.

use std::path::{Path, PathBuf};

use super::{AdvisoryKind, AdvisoryMatch, SeverityLabel};
use crate::inventory::{Ecosystem, Inventory, PackageId, PackageKind, Source};

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
    // Skip the version byte and the u32, then the header string; then find the entry for
    // this version directly (`\0VERSION\0JSON\0`): popular crates' cache files hold hundreds
    // of versions, and splitting them all costs more than one substring search.
    let rest = bytes.get(5..)?;
    let header_end = memchr::memchr(0, rest)?;
    let entries = &rest[header_end..];
    let mut needle = Vec::with_capacity(version.len() + 2);
    needle.push(0);
    needle.extend_from_slice(version.as_bytes());
    needle.push(0);
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&entries[from..], &needle) {
        let start = from + found;
        // An entry boundary: the NUL before the version must end a JSON line (or the header),
        // so a version string appearing inside some JSON is not mistaken for an entry.
        let json_start = start + needle.len();
        let json_end =
            memchr::memchr(0, &entries[json_start..]).map_or(entries.len(), |end| json_start + end);
        let json = &entries[json_start..json_end];
        if json.first() == Some(&b'{') {
            let value: serde_json::Value = serde_json::from_slice(json).ok()?;
            return value.get("yanked").and_then(|y| y.as_bool());
        }
        from = start + 1;
    }
    None
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
    for package in inventory.packages() {
        let is_crates_io = package.ecosystem == Ecosystem::Cargo
            && package.kind == PackageKind::ThirdParty
            && matches!(package.source, Source::Registry { default: true, .. });
        if !is_crates_io {
            continue;
        }
        let relative = prefix_path(&package.name);
        let status = cache_dirs.iter().find_map(|dir| {
            let bytes = std::fs::read(dir.join(&relative)).ok()?;
            yanked_in(&bytes, &package.version)
        });
        match status {
            Some(true) => facts.yanked.push(package.id),
            Some(false) => {}
            None => facts.not_evaluated.push((
                package.id,
                "not in cargo's local index cache (yanked status needs the network)".to_string(),
            )),
        }
    }
    facts
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
    }
}

#[cfg(test)]
mod home_tests {
    use super::*;
    use crate::inventory::{Location, Package};

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
