//! Shared helpers for the integration tests.

use std::path::PathBuf;

use assert_cmd::Command;

/// The `depgate` binary under test, with a clean environment for reproducible output.
pub fn depgate() -> Command {
    let mut cmd = Command::cargo_bin("depgate").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("NO_COLOR", "1");
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
