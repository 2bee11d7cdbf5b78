//! Tests against the real-world data in `../shared/data` (skipped loudly when it is absent).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod advisories;

use std::path::{Path, PathBuf};

/// The shared data folder, or `None` (after a loud message) when it is missing. With
/// `DEPGATE_REQUIRE_DATA=1` a missing folder is a failure instead.
pub fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("DEPGATE_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("../shared/data not found and DEPGATE_REQUIRE_DATA=1");
    }
    eprintln!("SKIPPED: ../shared/data not found");
    None
}
