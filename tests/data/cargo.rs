//! Every real `Cargo.lock` under `../shared/data/lockfiles` (including ripgrep's v1/v2/v3
//! history) ingests completely, with correct purls and no purl on workspace packages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::{PackageKind, Source};

fn lockfiles(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "Cargo.lock") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `[[package]]` headers plus a v1 `[root]`, counted in the raw text.
fn entries_in(text: &str) -> usize {
    text.lines()
        .filter(|l| l.trim() == "[[package]]" || l.trim() == "[root]")
        .count()
}

#[test]
fn every_real_cargo_lock_ingests_with_correct_purls() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let files = lockfiles(&data.join("lockfiles"));
    assert!(files.len() >= 8, "{files:?}");
    let history: Vec<_> = files
        .iter()
        .filter(|f| f.to_string_lossy().contains("ripgrep/history/cargo-lock-v"))
        .collect();
    assert_eq!(history.len(), 3, "{files:?}");
    // An empty cargo home: the result must not depend on what this machine downloaded.
    let home = tempfile::tempdir().unwrap();
    let options = IngestOptions {
        cargo_home: Some(home.path().to_path_buf()),
        ..IngestOptions::default()
    };
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let inventory = ingest(file, &options).unwrap_or_else(|e| panic!("{e}"));
        let name = file.display();
        assert_eq!(inventory.packages().len(), entries_in(&text), "{name}");
        let mut purls: HashMap<&str, usize> = HashMap::new();
        for package in inventory.packages() {
            assert!(package.location.line.is_some(), "{name}: {}", package.name);
            match &package.source {
                Source::Registry { default: true, .. } => {
                    // `pkg:cargo/NAME@VERSION`, the version percent-encoded (`+build` is `%2B`).
                    let purl = package.purl.as_deref().unwrap();
                    let version = package.version.replace('+', "%2B");
                    assert_eq!(
                        purl,
                        format!("pkg:cargo/{}@{version}", package.name),
                        "{name}"
                    );
                    assert_eq!(package.hashes.len(), 1, "{name}: {}", package.name);
                }
                Source::Git { .. } => {
                    let purl = package.purl.as_deref().unwrap();
                    assert!(purl.contains("?vcs_url=git%2Bhttps://"), "{name}: {purl}");
                }
                Source::Path { .. } => {
                    assert_eq!(package.purl, None, "{name}: {}", package.name);
                    assert_eq!(package.kind, PackageKind::Root, "{name}");
                }
                other => panic!("{name}: unexpected source {other:?}"),
            }
            if let Some(purl) = &package.purl {
                *purls.entry(purl).or_default() += 1;
            }
        }
        // Every registry and git package exactly once.
        assert!(purls.values().all(|n| *n == 1), "{name}: duplicate purls");
        assert!(!inventory.roots().is_empty(), "{name}");
        assert_eq!(inventory.inputs.len(), 1);
        // The lockfile alone: missing facts are said, not hidden.
        assert!(
            inventory.gaps.iter().any(|g| g.kind == "license-unknown"),
            "{name}: {:?}",
            inventory.gaps
        );
    }
}

#[test]
fn ripgrep_history_lockfiles_name_their_format() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let history = data.join("lockfiles/ripgrep/history");
    for version in 1..=3 {
        let file = history.join(format!("cargo-lock-v{version}/Cargo.lock"));
        let inventory = ingest(&file, &IngestOptions::default()).unwrap();
        assert_eq!(inventory.inputs[0].format, format!("Cargo.lock v{version}"));
        // v1 keeps checksums in `[metadata]`; they still land on the packages.
        assert!(
            inventory
                .third_party()
                .filter(|p| matches!(p.source, Source::Registry { .. }))
                .all(|p| p.hashes.len() == 1),
            "v{version}"
        );
    }
}
