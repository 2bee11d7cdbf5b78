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
