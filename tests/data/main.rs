//! Tests against the real-world data in `../shared/data` (lockfiles, SBOMs, schemas).
//!
//! Without that folder they print a loud `SKIPPED` and pass, unless `DEPGATE_REQUIRE_DATA=1`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};

mod cargo;

/// The shared data folder, or `None` (after a loud message) when it is absent.
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
