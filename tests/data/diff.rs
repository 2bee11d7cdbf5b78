//! `depgate diff` on real data: the ripgrep Cargo.lock history (v1 → v2 → v3 → v4), checked
//! against an independent reading of the lockfiles with the `cargo-lock` crate, the same diff
//! read from git revisions, and a pair of CycloneDX SBOMs (a real one and a copy with known
//! edits).
//!
//! These need the Cargo.lock and SBOM parsers. Where this build's ingest does not support the
//! format yet (`IngestError::Unsupported`), the test says `SKIPPED` loudly and returns.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use depgate::ingest::{IngestError, IngestOptions, ingest};
use depgate::inventory::Inventory;
use depgate::inventory::diff::{DiffOptions, InventoryDiff, diff_inventories};
use serde_json::Value;

fn ingest_or_skip(path: &Path) -> Option<Inventory> {
    match ingest(path, &IngestOptions::default()) {
        Ok(inventory) => Some(inventory),
        Err(error @ IngestError::Unsupported { .. }) => {
            eprintln!(
                "SKIPPED: this build cannot ingest `{}`: {error}",
                path.display()
            );
            None
        }
        Err(error) => panic!("cannot ingest `{}`: {error}", path.display()),
    }
}

fn history(data: &Path) -> Vec<PathBuf> {
    let ripgrep = data.join("lockfiles/ripgrep");
    vec![
        ripgrep.join("history/cargo-lock-v1/Cargo.lock"),
        ripgrep.join("history/cargo-lock-v2/Cargo.lock"),
        ripgrep.join("history/cargo-lock-v3/Cargo.lock"),
        ripgrep.join("Cargo.lock"),
    ]
}

/// Registry packages of a lockfile by name, read independently of depgate with `cargo-lock`.
fn registry_versions(path: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let lockfile = cargo_lock::Lockfile::load(path).unwrap();
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for package in lockfile.packages {
        if package.source.as_ref().is_some_and(|s| s.is_registry()) {
            versions
                .entry(package.name.as_str().to_string())
                .or_default()
                .insert(package.version.to_string());
        }
    }
    versions
}

/// Per name, the counts (paired version changes, added, removed) the diff must report.
fn expected_counts(
    old: &BTreeMap<String, BTreeSet<String>>,
    new: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, (usize, usize, usize)> {
    let empty = BTreeSet::new();
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut counts = BTreeMap::new();
    for name in names {
        let before = old.get(name).unwrap_or(&empty);
        let after = new.get(name).unwrap_or(&empty);
        let only_old = before.difference(after).count();
        let only_new = after.difference(before).count();
        if only_old + only_new == 0 {
            continue;
        }
        let paired = only_old.min(only_new);
        counts.insert(name.clone(), (paired, only_new - paired, only_old - paired));
    }
    counts
}

fn actual_counts(
    diff: &InventoryDiff,
    registry: &BTreeSet<String>,
) -> BTreeMap<String, (usize, usize, usize)> {
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for change in diff
        .upgraded
        .iter()
        .chain(&diff.downgraded)
        .chain(&diff.changed)
    {
        counts.entry(change.name.clone()).or_default().0 += 1;
    }
    for package in &diff.added {
        counts.entry(package.name.clone()).or_default().1 += 1;
    }
    for package in &diff.removed {
        counts.entry(package.name.clone()).or_default().2 += 1;
    }
    // Workspace members (path packages) are not in the registry oracle.
    counts.retain(|name, _| registry.contains(name));
    counts
}

#[test]
fn ripgrep_lockfile_history_matches_an_independent_reading() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let files = history(&data);
    let Some(mut previous) = ingest_or_skip(&files[0]) else {
        return;
    };
    for pair in files.windows(2) {
        let current = ingest_or_skip(&pair[1]).unwrap();
        let diff = diff_inventories(&previous, &current, &DiffOptions::default());
        let (old, new) = (registry_versions(&pair[0]), registry_versions(&pair[1]));
        let registry: BTreeSet<String> = old.keys().chain(new.keys()).cloned().collect();
        assert_eq!(
            actual_counts(&diff, &registry),
            expected_counts(&old, &new),
            "{} -> {}",
            pair[0].display(),
            pair[1].display()
        );
        // Cargo versions are SemVer: every pairing is ordered, none is merely "changed".
        assert!(diff.changed.is_empty(), "{:?}", diff.changed);
        previous = current;
    }
    // Spot checks on v3 -> v4 (2025-02 -> later).
    let v3 = ingest_or_skip(&files[2]).unwrap();
    let v4 = ingest_or_skip(&files[3]).unwrap();
    let diff = diff_inventories(&v3, &v4, &DiffOptions::default());
    let upgraded: BTreeMap<&str, (&str, &str)> = diff
        .upgraded
        .iter()
        .map(|c| (c.name.as_str(), (c.from.as_str(), c.to.as_str())))
        .collect();
    assert_eq!(upgraded.get("memchr"), Some(&("2.7.4", "2.8.3")));
    assert_eq!(upgraded.get("regex"), Some(&("1.10.6", "1.13.1")));
    assert_eq!(upgraded.get("libc"), Some(&("0.2.158", "0.2.189")));
    assert!(diff.downgraded.is_empty());
}

fn git(repository: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn diff_of_git_revisions_equals_diff_of_files() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let files = history(&data);
    if ingest_or_skip(&files[2]).is_none() {
        return;
    }
    let repository = tempfile::tempdir().unwrap();
    git(repository.path(), &["init", "-q"]);
    for file in &files[2..] {
        std::fs::copy(file, repository.path().join("Cargo.lock")).unwrap();
        git(repository.path(), &["add", "Cargo.lock"]);
        git(repository.path(), &["commit", "-q", "-m", "lock"]);
    }
    let run = |old: &str, new: &str| -> Value {
        let output = assert_cmd::Command::cargo_bin("depgate")
            .unwrap()
            .current_dir(repository.path())
            .args(["diff", old, new, "--format", "json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let from_git = run("git:HEAD~1", "git:HEAD:Cargo.lock");
    let from_files = run(files[2].to_str().unwrap(), files[3].to_str().unwrap());
    assert_eq!(from_git["old"], "git:HEAD~1");
    for key in [
        "summary",
        "added",
        "removed",
        "upgraded",
        "downgraded",
        "license_changes",
    ] {
        assert_eq!(from_git[key], from_files[key], "{key}");
    }
    assert!(from_git["summary"]["upgraded"].as_u64().unwrap() > 10);
}

#[test]
fn pair_of_cyclonedx_sboms() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let original = data.join("sboms/cyclonedx/cargo-binary-example_cargo-sbom.cdx.json");
    let Some(old) = ingest_or_skip(&original) else {
        return;
    };
    // The "new" SBOM: the real one with known edits.
    let mut document: Value =
        serde_json::from_str(&std::fs::read_to_string(&original).unwrap()).unwrap();
    let components = document["components"].as_array_mut().unwrap();
    let position = |components: &Vec<Value>, name: &str| {
        components.iter().position(|c| c["name"] == name).unwrap()
    };
    let strsim = position(components, "strsim");
    let old_version = components[strsim]["version"].as_str().unwrap().to_string();
    components[strsim]["version"] = Value::from("0.99.0");
    components[strsim]["purl"] = Value::from("pkg:cargo/strsim@0.99.0");
    let errno = position(components, "errno");
    components[errno]["licenses"] = serde_json::json!([{"expression": "GPL-3.0-only"}]);
    let anstream = position(components, "anstream");
    let removed = components.remove(anstream);
    components.push(serde_json::json!({
        "type": "library", "bom-ref": "pkg:cargo/left-pad@1.0.0", "name": "left-pad",
        "version": "1.0.0", "purl": "pkg:cargo/left-pad@1.0.0"
    }));
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("app.cdx.json");
    std::fs::write(&edited, serde_json::to_vec_pretty(&document).unwrap()).unwrap();
    let new = ingest_or_skip(&edited).unwrap();

    let diff = diff_inventories(&old, &new, &DiffOptions::default());
    assert_eq!(
        diff.added
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["left-pad"]
    );
    assert_eq!(
        diff.removed
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        [removed["name"].as_str().unwrap()]
    );
    assert_eq!(diff.upgraded.len(), 1);
    assert_eq!(diff.upgraded[0].name, "strsim");
    assert_eq!(diff.upgraded[0].from, old_version);
    assert_eq!(diff.license_changes.len(), 1);
    assert_eq!(diff.license_changes[0].name, "errno");
    assert_eq!(diff.license_changes[0].to.as_deref(), Some("GPL-3.0-only"));
    assert!(diff.downgraded.is_empty() && diff.source_changes.is_empty());
}

/// `depgate diff` with the real RustSec database: the advisories a ripgrep upgrade resolved,
/// and the same pair reversed (a downgrade brings them back as new). The expected ids are those
/// of `lockfiles/EXPECTED-rustsec.md` for each lockfile.
#[test]
fn ripgrep_history_advisories_resolved_and_new() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let ripgrep = data.join("lockfiles/ripgrep");
    let v3 = ripgrep.join("history/cargo-lock-v3/Cargo.lock");
    let v4 = ripgrep.join("Cargo.lock");
    let cache = tempfile::tempdir().unwrap();
    let ids = |old: &Path, new: &Path, key: &str| -> BTreeSet<String> {
        let output = assert_cmd::Command::cargo_bin("depgate")
            .unwrap()
            .env("DEPGATE_CACHE", cache.path())
            .args(["diff", "--format", "json", "--offline", "--advisory-db"])
            .arg(data.join("advisory-db"))
            .arg(old)
            .arg(new)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report[key]
            .as_array()
            .unwrap_or_else(|| panic!("no `{key}` in {report}"))
            .iter()
            .map(|hit| format!("{} {} {}", hit["id"], hit["name"], hit["version"]).replace('"', ""))
            .collect()
    };
    let expected: BTreeSet<String> = [
        "RUSTSEC-2025-0024 crossbeam-channel 0.5.13",
        "RUSTSEC-2026-0204 crossbeam-epoch 0.9.18",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(ids(&v3, &v4, "advisories_resolved"), expected);
    assert!(ids(&v3, &v4, "advisories_new").is_empty());
    assert_eq!(ids(&v4, &v3, "advisories_new"), expected);
}
