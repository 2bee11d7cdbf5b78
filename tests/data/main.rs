//! Tests against the real-world data in `../shared/data` (skipped loudly when it is missing).
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};

mod eco;

/// The shared data folder, or `None` (with a loud message) when it is not on this machine.
/// With `DEPGATE_REQUIRE_DATA=1` a missing folder fails the test instead.
pub fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("DEPGATE_REQUIRE_DATA").is_ok_and(|v| v == "1") {
        panic!("../shared/data not found and DEPGATE_REQUIRE_DATA=1");
    }
    eprintln!("SKIPPED: ../shared/data not found");
    None
}
