//! Every real lockfile in `../shared/data/lockfiles`, cut short at pseudo-random points: the
//! result is an error or the same package set, never a silently smaller one (a gate must not
//! pass on a file that lost half its packages).
//!
//! Machine-written formats are also cut at the line boundary before each point, where no
//! syntax breaks and only cross-checks (references between entries, sections the tool always
//! writes last) can tell. `requirements.txt` and `go.mod`, which people write by hand, are cut
//! at the byte points only: a hand-written file cut after a complete line is a valid, smaller
//! file (see `docs/inputs-and-errors.md`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use depgate::ingest::{IngestOptions, ingest};

use crate::data_dir;

/// Cuts per file (each also at its line boundary for machine-written formats).
const CUTS: usize = 8;

/// Files beside a lockfile that its parser reads, copied with it.
const BESIDE: &[&str] = &[
    "package.json",
    ".yarnrc.yml",
    "pyproject.toml",
    "go.sum",
    "Cargo.toml",
];

const LOCKFILE_NAMES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "go.mod",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
    "gradle.lockfile",
];

fn lockfiles(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if LOCKFILE_NAMES.contains(&name.as_str())
                || (name.ends_with(".txt") && dir.ends_with("requirements"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn package_set(path: &Path) -> Option<BTreeSet<String>> {
    let options = IngestOptions {
        cargo_home: Some(PathBuf::from("/nonexistent-cargo-home")),
        ..IngestOptions::default()
    };
    let inventory = ingest(path, &options).ok()?;
    Some(inventory.third_party().map(|p| p.name_version()).collect())
}

/// A small deterministic generator (64-bit LCG): the same cuts on every run.
struct Cuts(u64);

impl Cuts {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

#[test]
fn cut_lockfiles_are_errors_or_whole() {
    let Some(data) = data_dir() else { return };
    let mut checked = 0;
    let mut rejected = 0;
    for original in lockfiles(&data.join("lockfiles")) {
        let name = original.file_name().unwrap().to_string_lossy().into_owned();
        let scratch = tempfile::tempdir().unwrap();
        // `requirements/*.txt` is recognised by its directory.
        let directory = if name.ends_with(".txt") {
            scratch.path().join("requirements")
        } else {
            scratch.path().to_path_buf()
        };
        std::fs::create_dir_all(&directory).unwrap();
        for beside in BESIDE {
            let source = original.with_file_name(beside);
            if source.is_file() && *beside != name {
                std::fs::copy(&source, directory.join(beside)).unwrap();
            }
        }
        let path = directory.join(&name);
        let whole = std::fs::read(&original).unwrap();
        std::fs::write(&path, &whole).unwrap();
        let expected = package_set(&path)
            .unwrap_or_else(|| panic!("{} does not ingest whole", original.display()));
        let hand_written = name == "go.mod" || name.ends_with(".txt");
        let mut cuts = Cuts(whole.len() as u64);
        for _ in 0..CUTS {
            let at = cuts.next(whole.len());
            let line_start = whole[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |p| p + 1);
            let points: &[usize] = if hand_written {
                &[at]
            } else {
                &[at, line_start]
            };
            for &cut in points {
                std::fs::write(&path, &whole[..cut]).unwrap();
                checked += 1;
                match package_set(&path) {
                    None => rejected += 1,
                    Some(found) => assert!(
                        found == expected,
                        "{} cut at byte {cut} of {}: {} of {} packages and no error",
                        original.display(),
                        whole.len(),
                        found.len(),
                        expected.len()
                    ),
                }
            }
        }
    }
    eprintln!("{checked} cuts checked, {rejected} rejected, the rest whole");
    assert!(checked > 0);
}
