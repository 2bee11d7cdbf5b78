//! Tests against the real-world data in `../shared/data` (a separate test target, run in CI).
//!
//! Without that folder each test prints a loud `SKIPPED` and passes, unless
//! `DEPGATE_REQUIRE_DATA=1` is set, in which case a missing folder fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod sboms;

use std::path::{Path, PathBuf};

/// The shared data folder, or `None` (with a loud message) when it is not on this machine.
pub fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("DEPGATE_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        panic!(
            "../shared/data not found at `{}` and DEPGATE_REQUIRE_DATA=1",
            dir.display()
        );
    }
    eprintln!("SKIPPED: ../shared/data not found");
    None
}
