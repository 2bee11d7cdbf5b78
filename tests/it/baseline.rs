//! `depgate check --baseline OLD`: new-only gating on real lockfile pairs, through the binary.
//!
//! The fixtures under `tests/fixtures/baseline/` are Cargo.lock files of one small project at
//! several states; `tests/fixtures/advisories/baseline/` is a RustSec-format database with one
//! advisory per fixture crate; the policy gives each crate its license by clarification, so
//! every verdict is deterministic. The base already has a vulnerable crate (`leaky-parser`
//! 1.0.0, RUSTSEC-2099-0001) and a denied license (`copyleft-widget`, GPL-3.0-only).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{depgate, fixture};

/// One finding as the gate sees it: code, package name, advisory id or license, `baseline`.
type Seen = (String, String, String, String);

/// Runs `depgate check HEAD --baseline BASE` with the fixture policy and database; returns the
/// exit code and the findings of severity error or warning.
fn check(head: &Path, baseline: &str, current_dir: Option<&Path>) -> (i32, BTreeSet<Seen>) {
    let mut command = depgate();
    command
        .arg("check")
        .arg(head)
        .arg("--baseline")
        .arg(baseline)
        .arg("--policy")
        .arg(fixture("baseline/policy.toml"))
        .arg("--advisory-db")
        .arg(fixture("advisories/baseline"))
        .args(["--allow-stale-db", "--offline", "--format", "json"]);
    if let Some(dir) = current_dir {
        command.current_dir(dir);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" || f["severity"] == "warning")
        .map(|f| {
            let subject = f["advisory"]["id"]
                .as_str()
                .or(f["license"].as_str())
                .unwrap_or_default();
            (
                f["code"].as_str().unwrap().to_string(),
                f["package"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                subject.to_string(),
                f["baseline"].as_str().unwrap_or("unmarked").to_string(),
            )
        })
        .collect();
    (code, findings)
}

fn seen(code: &str, package: &str, subject: &str, state: &str) -> Seen {
    (
        code.to_string(),
        package.to_string(),
        subject.to_string(),
        state.to_string(),
    )
}

/// The base's own violations, as they appear in a head that still has them.
fn base_violations() -> BTreeSet<Seen> {
    BTreeSet::from([
        seen(
            "advisory-vulnerable",
            "leaky-parser",
            "RUSTSEC-2099-0001",
            "existing",
        ),
        seen(
            "license-denied",
            "copyleft-widget",
            "GPL-3.0-only",
            "existing",
        ),
    ])
}

#[test]
fn the_base_alone_violates_the_policy() {
    // Without a baseline the same base fails: the later tests pass because of the baseline,
    // not because the fixtures are clean.
    let output = depgate()
        .arg("check")
        .arg(fixture("baseline/base/Cargo.lock"))
        .arg("--policy")
        .arg(fixture("baseline/policy.toml"))
        .arg("--advisory-db")
        .arg(fixture("advisories/baseline"))
        .args(["--allow-stale-db", "--offline", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let errors: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            assert!(f.get("baseline").is_none(), "no baseline, no marking: {f}");
            (
                f["code"].as_str().unwrap().to_string(),
                f["package"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        BTreeSet::from([
            (
                "advisory-vulnerable".to_string(),
                "leaky-parser".to_string()
            ),
            ("license-denied".to_string(), "copyleft-widget".to_string()),
        ])
    );
}

#[test]
fn a_head_adding_a_vulnerable_crate_and_a_denied_license_fails_on_exactly_those_two() {
    let base = fixture("baseline/base/Cargo.lock");
    let (code, findings) = check(
        &fixture("baseline/adds-vulnerable-and-denied/Cargo.lock"),
        base.to_str().unwrap(),
        None,
    );
    assert_eq!(code, 1, "{findings:?}");
    let new: BTreeSet<&Seen> = findings.iter().filter(|f| f.3 == "new").collect();
    assert_eq!(
        new,
        BTreeSet::from([
            &seen(
                "advisory-vulnerable",
                "unsafe-decoder",
                "RUSTSEC-2099-0002",
                "new"
            ),
            &seen("license-denied", "agpl-server", "AGPL-3.0-only", "new"),
        ])
    );
    let existing: BTreeSet<Seen> = findings.iter().filter(|f| f.3 != "new").cloned().collect();
    assert_eq!(existing, base_violations());
}

#[test]
fn a_head_equal_to_the_base_passes_although_the_base_has_violations() {
    let base = fixture("baseline/base/Cargo.lock");
    let (code, findings) = check(
        &fixture("baseline/unchanged/Cargo.lock"),
        base.to_str().unwrap(),
        None,
    );
    assert_eq!(findings, base_violations(), "still listed, marked existing");
    assert_eq!(code, 0);
}

#[test]
fn an_upgrade_that_stays_in_the_affected_range_is_existing() {
    // leaky-parser 1.0.0 -> 1.4.0; RUSTSEC-2099-0001 is patched only in >= 2.0.0.
    let base = fixture("baseline/base/Cargo.lock");
    let (code, findings) = check(
        &fixture("baseline/upgrade-still-vulnerable/Cargo.lock"),
        base.to_str().unwrap(),
        None,
    );
    assert_eq!(findings, base_violations());
    assert_eq!(code, 0);
}

fn git(repository: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn baseline_from_a_git_revision() {
    let repository = tempfile::tempdir().unwrap();
    let root = repository.path();
    git(root, &["init", "-q"]);
    let lockfile = root.join("Cargo.lock");
    std::fs::copy(fixture("baseline/base/Cargo.lock"), &lockfile).unwrap();
    git(root, &["add", "Cargo.lock"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base_commit = git(root, &["rev-parse", "HEAD"]);
    // The working tree now holds the change; it is not committed, like a pull request's
    // checkout compared with its target.
    std::fs::copy(
        fixture("baseline/adds-vulnerable-and-denied/Cargo.lock"),
        &lockfile,
    )
    .unwrap();

    let (code, findings) = check(root, &format!("git:{base_commit}"), Some(root));
    assert_eq!(code, 1, "{findings:?}");
    let new: BTreeSet<(&str, &str)> = findings
        .iter()
        .filter(|f| f.3 == "new")
        .map(|f| (f.0.as_str(), f.1.as_str()))
        .collect();
    assert_eq!(
        new,
        BTreeSet::from([
            ("advisory-vulnerable", "unsafe-decoder"),
            ("license-denied", "agpl-server"),
        ])
    );
    let existing: BTreeSet<Seen> = findings.iter().filter(|f| f.3 != "new").cloned().collect();
    assert_eq!(existing, base_violations());

    // Committed, the change is its own baseline: nothing new, the gate passes.
    git(root, &["commit", "-q", "-am", "head"]);
    let (code, findings) = check(root, "git:HEAD", Some(root));
    assert!(findings.iter().all(|f| f.3 == "existing"), "{findings:?}");
    assert_eq!(findings.len(), 4);
    assert_eq!(code, 0);
}

#[test]
fn table_and_markdown_mark_existing_findings() {
    let run = |format: &str| {
        let output = depgate()
            .arg("check")
            .arg(fixture("baseline/adds-vulnerable-and-denied/Cargo.lock"))
            .arg("--baseline")
            .arg(fixture("baseline/base/Cargo.lock"))
            .arg("--policy")
            .arg(fixture("baseline/policy.toml"))
            .arg("--advisory-db")
            .arg(fixture("advisories/baseline"))
            .args(["--allow-stale-db", "--offline", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    let table = run("table");
    assert!(
        table.contains(
            "Errors (fail the gate): 4, of which 2 existing in the baseline (not failing)"
        ),
        "{table}"
    );
    assert_eq!(table.matches("(existing)").count(), 2, "{table}");

    let markdown = run("markdown");
    assert!(
        markdown.contains("### Errors (4, of which 2 existing in the baseline)"),
        "{markdown}"
    );
    let row = |package: &str| {
        markdown
            .lines()
            .find(|line| line.contains(&format!("`{package}`")))
            .unwrap_or_else(|| panic!("no row for {package}: {markdown}"))
            .to_string()
    };
    assert!(row("leaky-parser").starts_with("| `advisory-vulnerable` (existing) |"));
    assert!(row("copyleft-widget").starts_with("| `license-denied` (existing) |"));
    assert!(row("unsafe-decoder").starts_with("| `advisory-vulnerable` |"));
    assert!(row("agpl-server").starts_with("| `license-denied` |"));
}
