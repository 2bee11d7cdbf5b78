//! New-only gating (`depgate check --baseline OLD`) on the real ripgrep lockfile history:
//! head = today's `Cargo.lock`, base = the 2021 Cargo.lock v2, judged with the real RustSec
//! database and the built-in policy.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::data_dir;

/// Runs `depgate check` on `lockfile` (with `--baseline` when given) and returns the exit
/// code and the JSON report.
fn check(data: &Path, cache: &Path, lockfile: &Path, baseline: Option<&Path>) -> (i32, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_depgate"));
    command
        .arg("check")
        .arg(lockfile)
        .arg("--advisory-db")
        .arg(data.join("advisory-db"))
        .args(["--allow-stale-db", "--offline", "--format", "json"])
        // Waivers are judged against a fixed day, so the report cannot change with the date.
        .args(["--today", "2026-06-01"])
        .env("DEPGATE_CACHE", cache)
        // An empty cargo home: the findings must not depend on which crates this machine has
        // fetched (with ripgrep's crates present, head and base shared no finding).
        .env("CARGO_HOME", cache.join("empty-cargo-home"))
        .env_remove("GITHUB_STEP_SUMMARY");
    if let Some(base) = baseline {
        command.arg("--baseline").arg(base);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (code, report)
}

/// The identity `--baseline` matches on: code, rule, package name, advisory id or license
/// (never the version).
fn identity(finding: &Value) -> String {
    let subject = finding["advisory"]["id"]
        .as_str()
        .or(finding["license"].as_str())
        .unwrap_or_default();
    format!(
        "{}|{}|{}|{}",
        finding["code"].as_str().unwrap(),
        finding["rule"].as_str().unwrap(),
        finding["package"]["name"].as_str().unwrap_or_default(),
        subject
    )
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

#[test]
fn ripgrep_history_findings_in_both_states_are_existing_and_only_new_ones_gate() {
    let Some(data) = data_dir() else { return };
    let cache = tempfile::tempdir().unwrap();
    let head = data.join("lockfiles/ripgrep/Cargo.lock");
    let base = data.join("lockfiles/ripgrep/history/cargo-lock-v2/Cargo.lock");

    let (_, head_alone) = check(&data, cache.path(), &head, None);
    let (_, base_alone) = check(&data, cache.path(), &base, None);
    let in_base: BTreeSet<String> = findings(&base_alone).iter().map(identity).collect();
    // The pair is only a test if the states share findings.
    let head_identities: BTreeSet<String> = findings(&head_alone).iter().map(identity).collect();
    assert!(
        head_identities.intersection(&in_base).count() > 0,
        "no finding in both states"
    );
    // The base's vulnerabilities (regex 1.5.4, thread_local 1.1.3) were fixed by upgrades.
    assert!(
        findings(&base_alone)
            .iter()
            .any(|f| f["code"] == "advisory-vulnerable"),
        "the 2021 lockfile has known vulnerabilities"
    );

    let (code, gated) = check(&data, cache.path(), &head, Some(&base));
    assert_eq!(
        findings(&gated).len(),
        findings(&head_alone).len(),
        "a baseline never hides a finding"
    );
    let mut new_failing = 0;
    for finding in findings(&gated) {
        let want = if in_base.contains(&identity(finding)) {
            "existing"
        } else {
            "new"
        };
        assert_eq!(finding["baseline"], want, "{finding}");
        if want == "new" && finding["severity"] == "error" {
            new_failing += 1;
        }
    }
    assert_eq!(
        code,
        i32::from(new_failing > 0),
        "the exit code follows the new errors only ({new_failing})"
    );
    // The same head against itself: everything is existing, and the gate passes.
    let (code, itself) = check(&data, cache.path(), &head, Some(&head));
    assert!(
        findings(&itself)
            .iter()
            .all(|f| f["baseline"] == "existing")
    );
    assert_eq!(code, 0);
}
