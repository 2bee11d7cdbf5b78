//! The monitoring loop on real data: ripgrep's lockfile history recorded as successive
//! releases, monitored against the real RustSec database and every OSV database in
//! `../shared/data`. The monitor must judge a stored release exactly as `check` judges the
//! lockfile (same pipeline), and an upgrade must resolve what it fixed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::data_dir;

const TODAY: &str = "2026-06-01";

fn depgate(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_depgate"));
    command
        .env("DEPGATE_CACHE", cache)
        .env("DEPGATE_TODAY", TODAY)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("DEPGATE_STORE");
    command
}

fn databases(data: &Path) -> Vec<String> {
    let mut args = vec![
        "--advisory-db".to_string(),
        data.join("advisory-db").display().to_string(),
    ];
    for name in ["rust", "Go", "PyPI"] {
        args.push("--advisory-db".to_string());
        args.push(data.join("osv").join(name).display().to_string());
    }
    args
}

/// (code, rule, package, version, advisory or license) of each error and warning.
fn identities(findings: &Value) -> BTreeSet<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "note")
        .map(|f| {
            format!(
                "{} {} {}@{} {}",
                f["code"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["package"]["name"].as_str().unwrap_or(""),
                f["package"]["version"].as_str().unwrap_or(""),
                f["advisory"]["id"]
                    .as_str()
                    .or(f["license"].as_str())
                    .unwrap_or("")
            )
        })
        .collect()
}

fn run_json(command: &mut Command) -> (i32, Value) {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    (code, json)
}

#[test]
fn monitor_judges_stored_releases_as_check_judges_lockfiles() {
    let Some(data) = data_dir() else { return };
    let scratch = tempfile::tempdir().unwrap();
    let cache = scratch.path().join("cache");
    let store = scratch.path().join("store.sqlite");
    let old = data.join("lockfiles/ripgrep/history/cargo-lock-v2/Cargo.lock");
    let new = data.join("lockfiles/ripgrep/Cargo.lock");
    let dbs = databases(&data);

    let record = |lockfile: &Path, release: &str| {
        let output = depgate(&cache)
            .arg("record")
            .arg(lockfile)
            .args(["--project", "ripgrep", "--release", release, "--offline"])
            .arg("--store")
            .arg(&store)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let monitor = || {
        run_json(
            depgate(&cache)
                .args(["monitor", "--allow-stale-db", "--format", "json", "--store"])
                .arg(&store)
                .args(&dbs),
        )
    };
    let check = |lockfile: &Path| {
        run_json(
            depgate(&cache)
                .arg("check")
                .arg(lockfile)
                .args(["--allow-stale-db", "--offline", "--format", "json"])
                .args(&dbs),
        )
    };

    record(&old, "13.0.0");
    let (_, first) = monitor();
    let (_, checked) = check(&old);
    let release = &first["releases"][0];
    assert_eq!(release["release"], "13.0.0");
    assert_eq!(
        identities(&release["findings"]),
        identities(&checked["findings"]),
        "monitor and check disagree on the 2021 lockfile"
    );
    let old_advisories: BTreeSet<String> = identities(&release["findings"])
        .into_iter()
        .filter(|f| f.starts_with("advisory-vulnerable"))
        .collect();
    assert!(
        !old_advisories.is_empty(),
        "the 2021 lockfile has known vulnerabilities"
    );

    // The upgrade: a new current release, judged like `check` judges today's lockfile.
    record(&new, "14.1.1");
    let (_, second) = monitor();
    let (_, checked) = check(&new);
    assert_eq!(second["summary"]["releases"], 1);
    let release = &second["releases"][0];
    assert_eq!(release["release"], "14.1.1");
    assert_eq!(
        identities(&release["findings"]),
        identities(&checked["findings"])
    );

    let history = run_json(
        depgate(&cache)
            .args(["history", "ripgrep", "--format", "json", "--store"])
            .arg(&store),
    )
    .1;
    let releases = history["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 2);
    assert_eq!(releases[0]["current"], false);
    let databases = releases[0]["runs"][0]["databases"].as_array().unwrap();
    assert_eq!(databases.len(), 4, "{databases:?}");
}
