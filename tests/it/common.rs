//! Shared helpers for the integration tests.

use std::path::PathBuf;

use assert_cmd::Command;

/// The `depgate` binary under test, with a clean environment for reproducible output.
pub fn depgate() -> Command {
    let mut cmd = Command::cargo_bin("depgate").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1")
        // An empty advisory cache: tests never see the developer's own databases.
        .env(
            "DEPGATE_CACHE",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-depgate-cache"),
        )
        // No facts derived by an earlier run: a fixture edited since (its made-up checksum
        // unchanged) is read as it is now. The cache tests remove this.
        .env("DEPGATE_NO_CACHE", "1");
    cmd
}

#[allow(dead_code)]
/// A fixture path under `tests/fixtures`.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(relative)
}

#[allow(dead_code)]
/// Ingests a fixture with the library, panicking with the error if it fails.
pub fn load(relative: &str) -> depgate::inventory::Inventory {
    let path = fixture(relative);
    depgate::ingest::ingest(&path, &depgate::ingest::IngestOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[allow(dead_code)]
/// The one package named `name` (any version), panicking if there is not exactly one.
pub fn only<'a>(
    inventory: &'a depgate::inventory::Inventory,
    name: &str,
) -> &'a depgate::inventory::Package {
    let found: Vec<_> = inventory
        .packages()
        .iter()
        .filter(|p| p.name == name)
        .collect();
    assert_eq!(found.len(), 1, "packages named `{name}`: {found:?}");
    found[0]
}

#[allow(dead_code)]
/// Runs `depgate explain x FILE` on a malformed fixture and returns (exit code, stderr).
pub fn explain_error(relative: &str) -> (Option<i32>, String) {
    let out = depgate()
        .args(["explain", "anything"])
        .arg(fixture(relative))
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "no output on bad input");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[allow(dead_code)]
/// Names of the direct dependencies of `from` (sorted).
pub fn dependencies_of(inventory: &depgate::inventory::Inventory, from: &str) -> Vec<String> {
    let from = only(inventory, from).id;
    let mut names: Vec<String> = inventory
        .dependencies_of(from)
        .map(|e| inventory.package(e.to).name.clone())
        .collect();
    names.sort();
    names
}

#[allow(dead_code)]
/// Compares `actual` with the golden file at `path`, or rewrites it with `DEPGATE_BLESS=1`
/// (then review the diff).
pub fn golden_file(path: &std::path::Path, actual: &str) {
    if std::env::var("DEPGATE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with DEPGATE_BLESS=1",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map(|i| i + 1);
        panic!(
            "{} differs from the output (first differing line: {line:?}); run with DEPGATE_BLESS=1 and review the diff\n--- actual ---\n{actual}",
            path.display()
        );
    }
}

#[allow(dead_code)]
/// The standard output of a run that must succeed, as JSON; a failure shows its stderr.
pub fn json_of_success(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[allow(dead_code)]
/// The one component named `name` of a CycloneDX document.
pub fn component<'a>(bom: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|component| component["name"] == name)
        .unwrap_or_else(|| panic!("no component `{name}`"))
}

#[allow(dead_code)]
/// A RustSec database under `dir` with one advisory, about a crate no test locks: enough for
/// `check` to run its advisory and yanked checks. Returns its path.
pub fn unrelated_advisory_db(dir: &std::path::Path) -> PathBuf {
    let root = dir.join("advisory-db");
    let crate_dir = root.join("crates/other");
    std::fs::create_dir_all(&crate_dir).unwrap();
    std::fs::write(
        crate_dir.join("RUSTSEC-2024-0001.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2024-0001\"\npackage = \"other\"\ndate = \"2024-01-01\"\nurl = \"https://example.invalid\"\n\n[versions]\npatched = [\">= 1.0.0\"]\n```\n\n# Title\n\nDescription.\n",
    )
    .unwrap();
    root
}

#[allow(dead_code)]
/// The findings of `depgate check --format json --allow-stale-db --advisory-db DATABASE
/// TARGET` run by `command` (which holds the environment and global flags).
pub fn check_findings(
    command: &mut Command,
    database: &std::path::Path,
    target: &std::path::Path,
) -> Vec<serde_json::Value> {
    let out = command
        .args([
            "check",
            "--format",
            "json",
            "--allow-stale-db",
            "--advisory-db",
        ])
        .arg(database)
        .arg(target)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    report["findings"].as_array().unwrap().clone()
}
