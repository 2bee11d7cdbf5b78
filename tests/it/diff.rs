//! Reading past states with git (`git:REV`, `git:REV:PATH`) for `depgate diff` and
//! `--baseline`: the right files come out, vendored trees and other files stay in, nothing
//! from the repository runs, and bad revisions are clear errors (exit 2).

use std::path::Path;
use std::process::Command;

use depgate::app::revision::{StateSpec, materialize, resolve_baseline};

use crate::common::depgate;

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

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository with two commits; the first has `app/Cargo.lock` = "one", the second "two".
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "app/Cargo.lock", "one\n");
    write(root, "app/src/main.rs", "fn main() {}\n");
    write(root, "node_modules/x/Cargo.lock", "vendored\n");
    write(root, "sbom/app.cdx.json", "{}\n");
    // A filter that would run a program if git applied it: it must never run.
    write(root, ".gitattributes", "*.lock filter=evil\n");
    git(
        root,
        &["config", "filter.evil.smudge", "touch pwned && cat"],
    );
    git(root, &["config", "filter.evil.clean", "cat"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "one"]);
    write(root, "app/Cargo.lock", "two\n");
    git(root, &["commit", "-q", "-am", "two"]);
    dir
}

fn at(spec: &str, root: &Path) -> StateSpec {
    match StateSpec::parse(spec).unwrap() {
        StateSpec::Git { revision, path, .. } => StateSpec::Git {
            revision,
            path,
            repository: root.to_path_buf(),
        },
        other => other,
    }
}

#[test]
fn a_file_at_a_revision_keeps_its_name() {
    let repo = repository();
    let state = materialize(&at("git:HEAD~1:app/Cargo.lock", repo.path())).unwrap();
    assert_eq!(state.path.file_name().unwrap(), "Cargo.lock");
    assert_eq!(std::fs::read_to_string(&state.path).unwrap(), "one\n");
    let state = materialize(&at("git:HEAD:app/Cargo.lock", repo.path())).unwrap();
    assert_eq!(std::fs::read_to_string(&state.path).unwrap(), "two\n");
    assert!(
        !repo.path().join("pwned").exists(),
        "a repository filter ran"
    );
    assert!(!state.path.parent().unwrap().join("pwned").exists());
}

#[test]
fn a_tree_at_a_revision_copies_only_supported_files() {
    let repo = repository();
    let state = materialize(&at("git:HEAD~1", repo.path())).unwrap();
    let temporary = state.path.clone();
    assert_eq!(
        std::fs::read_to_string(temporary.join("app/Cargo.lock")).unwrap(),
        "one\n"
    );
    assert!(temporary.join("sbom/app.cdx.json").is_file());
    assert!(!temporary.join("app/src/main.rs").exists());
    assert!(!temporary.join("node_modules").exists());
    // A subdirectory: paths inside it become relative to it.
    let sub = materialize(&at("git:HEAD:app", repo.path())).unwrap();
    assert_eq!(
        std::fs::read_to_string(sub.path.join("Cargo.lock")).unwrap(),
        "two\n"
    );
    drop(state);
    assert!(!temporary.exists(), "the temporary copy is removed");
}

#[test]
fn baseline_shorthand_reads_the_scan_path_at_the_revision() {
    let repo = repository();
    let spec = resolve_baseline("git:HEAD~1", &repo.path().join("app")).unwrap();
    assert_eq!(spec.label(), "git:HEAD~1:app");
    let state = materialize(&spec).unwrap();
    assert_eq!(
        std::fs::read_to_string(state.path.join("Cargo.lock")).unwrap(),
        "one\n"
    );
    let file = resolve_baseline("git:HEAD~1", &repo.path().join("app/Cargo.lock")).unwrap();
    assert_eq!(file.label(), "git:HEAD~1:app/Cargo.lock");
    assert!(matches!(
        resolve_baseline("old/Cargo.lock", repo.path()).unwrap(),
        StateSpec::Path(_)
    ));
}

#[test]
fn bad_revisions_and_paths_are_clear_errors() {
    let repo = repository();
    let error = materialize(&at("git:no-such-branch", repo.path())).unwrap_err();
    assert!(format!("{error:#}").contains("unknown git revision `no-such-branch`"));
    let error = materialize(&at("git:HEAD:missing/Cargo.lock", repo.path())).unwrap_err();
    assert!(format!("{error:#}").contains("`missing/Cargo.lock` does not exist in `HEAD`"));
    depgate()
        .current_dir(repo.path())
        .args(["diff", "git:nope", "git:HEAD"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown git revision `nope`"));
    // A revision with no supported file at all: nothing to scan (exit 3).
    depgate()
        .current_dir(repo.path())
        .args(["diff", "git:HEAD:app/src", "git:HEAD"])
        .assert()
        .code(3);
}
