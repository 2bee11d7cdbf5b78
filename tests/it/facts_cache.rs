//! The cache of published crates' manifest facts (`DEPGATE_CACHE/facts/`): facts are read once
//! per crate and checksum, a crate with another checksum is read afresh, `--no-cache` reads
//! everything, and a damaged cache file is ignored and written again.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{component, depgate, fixture, json_of_success};

/// A copy of the Cargo workspace fixture and its cargo home, which the test may change.
struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    cache: PathBuf,
}

fn workspace() -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("workspace");
    copy_tree(&fixture("cargo/workspace"), &root);
    let home = root.join("cargo-home");
    let cache = dir.path().join("cache");
    Workspace {
        _dir: dir,
        root,
        home,
        cache,
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Workspace {
    /// The license the SBOM gives `json-thing`, with or without `--no-cache`.
    fn json_thing_license(&self, no_cache: bool) -> String {
        let mut command = depgate();
        command
            .env("CARGO_HOME", &self.home)
            .env_remove("DEPGATE_NO_CACHE")
            .env("DEPGATE_CACHE", &self.cache);
        if no_cache {
            command.arg("--no-cache");
        }
        let out = command
            .args(["sbom", "--format", "cyclonedx-json"])
            .arg(&self.root)
            .output()
            .unwrap();
        let bom = json_of_success(&out);
        let licenses = component(&bom, "json-thing")["licenses"].to_string();
        ["MIT OR Apache-2.0", "ISC"]
            .into_iter()
            .find(|license| licenses.contains(license))
            .unwrap_or_else(|| panic!("no license of json-thing in {licenses}"))
            .to_string()
    }

    fn cache_files(&self) -> Vec<PathBuf> {
        fs::read_dir(self.cache.join("facts"))
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    /// The published manifest of `json-thing` in the cargo home says ISC now (again).
    fn relicense_in_cargo_home(&self) {
        let manifest = self
            .home
            .join("registry/src/index.crates.io-0000000000000000/json-thing-1.2.0/Cargo.toml");
        let text = fs::read_to_string(&manifest).unwrap();
        fs::write(&manifest, text.replace("MIT OR Apache-2.0", "ISC")).unwrap();
    }
}

#[test]
fn published_crates_are_read_once_per_checksum() {
    let workspace = workspace();
    assert_eq!(workspace.json_thing_license(false), "MIT OR Apache-2.0");
    let files = workspace.cache_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let written = fs::read(&files[0]).unwrap();

    // A published crate never changes: its facts now come from the cache, not the manifest.
    workspace.relicense_in_cargo_home();
    assert_eq!(workspace.json_thing_license(false), "MIT OR Apache-2.0");
    assert_eq!(
        fs::read(&files[0]).unwrap(),
        written,
        "nothing new to write"
    );

    // `--no-cache` reads the manifest, and leaves the cache alone.
    assert_eq!(workspace.json_thing_license(true), "ISC");
    assert_eq!(fs::read(&files[0]).unwrap(), written);

    // Another checksum is another crate: read afresh.
    let lockfile = workspace.root.join("Cargo.lock");
    let text = fs::read_to_string(&lockfile).unwrap();
    fs::write(
        &lockfile,
        text.replace(
            "38181669bbfbba9f9bfc450861bf4a8980fc8804aed7dc1af0b22606525cf4b0",
            "0000000000000000000000000000000000000000000000000000000000000001",
        ),
    )
    .unwrap();
    assert_eq!(workspace.json_thing_license(false), "ISC");
}

#[test]
fn a_damaged_cache_file_is_ignored_and_written_again() {
    let workspace = workspace();
    assert_eq!(workspace.json_thing_license(false), "MIT OR Apache-2.0");
    let files = workspace.cache_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let written = fs::read(&files[0]).unwrap();
    for damage in [
        Vec::new(),
        b"\xff\xff\xff\xff garbage".to_vec(),
        written[..written.len() / 2].to_vec(),
    ] {
        fs::write(&files[0], &damage).unwrap();
        workspace.relicense_in_cargo_home();
        assert_eq!(workspace.json_thing_license(false), "ISC");
        assert_ne!(fs::read(&files[0]).unwrap(), damage, "written again");
    }
}

/// A cargo home whose sparse-index cache holds `demo` with version 1.0.0 `yanked`, written
/// with a modification time `seconds` after a fixed past instant.
fn index_cache_entry(home: &Path, yanked: bool, seconds: u64) {
    let dir = home.join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache/de/mo");
    fs::create_dir_all(&dir).unwrap();
    let mut bytes = vec![3u8, 2, 0, 0, 0];
    bytes.extend_from_slice(b"etag\0");
    // `true` and `false` padded to the same length: only the stamp tells the files apart.
    let flag = if yanked { "true " } else { "false" };
    bytes.extend_from_slice(format!("1.0.0\0{{\"yanked\":{flag}}}\0").as_bytes());
    let file = dir.join("demo");
    fs::write(&file, bytes).unwrap();
    let at =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000 + seconds);
    fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(at)
        .unwrap();
}

#[test]
fn yanked_flags_are_read_again_when_the_index_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let lockfile = dir.path().join("Cargo.lock");
    fs::write(
        &lockfile,
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"demo\"]\n\n[[package]]\nname = \"demo\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000002\"\n",
    )
    .unwrap();
    let database = crate::common::unrelated_advisory_db(dir.path());
    let home = dir.path().join("cargo-home");
    let cache = dir.path().join("cache");
    let yanked = |no_cache: bool| {
        let mut command = depgate();
        command
            .env("CARGO_HOME", &home)
            .env_remove("DEPGATE_NO_CACHE")
            .env("DEPGATE_CACHE", &cache);
        if no_cache {
            command.arg("--no-cache");
        }
        crate::common::check_findings(&mut command, &database, &lockfile)
            .iter()
            .any(|finding| finding["rule"] == "advisories.yanked")
    };
    index_cache_entry(&home, true, 1);
    assert!(yanked(false));
    assert_eq!(fs::read_dir(cache.join("yanked")).unwrap().count(), 1);

    // Same size, same time: the recorded flag answers, the file is not read.
    index_cache_entry(&home, false, 1);
    assert!(yanked(false));
    // `--no-cache` reads it.
    assert!(!yanked(true));
    // A new time (cargo refreshed the entry): read again.
    index_cache_entry(&home, false, 2);
    assert!(!yanked(false));
}

/// A resolved build is taken again while the lockfile and the workspace's manifests are
/// the same, and made again when a member's manifest changes.
#[test]
fn a_resolved_build_is_reused_until_a_manifest_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("app");
    copy_tree(&fixture("cargo/build-exact/vulnerable-optional"), &root);
    let cache = dir.path().join("cache");
    let components = || {
        let out = depgate()
            .env_remove("DEPGATE_NO_CACHE")
            .env("DEPGATE_CACHE", &cache)
            .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
            .args(["sbom", "--offline", "--target", "x86_64-unknown-linux-gnu"])
            .arg(&root)
            .output()
            .unwrap();
        let bom = json_of_success(&out);
        let mut names: Vec<String> = bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|component| component["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    let cached = || -> Vec<u8> {
        let files: Vec<PathBuf> = fs::read_dir(cache.join("build"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        fs::read(&files[0]).unwrap()
    };
    let without = components();
    assert!(!without.contains(&"weakcrypto".to_string()), "{without:?}");
    let written = cached();
    assert_eq!(components(), without);
    assert_eq!(cached(), written, "taken from the cache, not written again");

    let manifest = root.join("Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace("[features]\n", "[features]\ndefault = [\"legacy\"]\n"),
    )
    .unwrap();
    let with = components();
    assert!(with.contains(&"weakcrypto".to_string()), "{with:?}");
    assert_ne!(cached(), written);
}
