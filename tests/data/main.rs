//! Tests against the real-world data in `../shared/data` (lockfiles, official schemas).
//!
//! On a machine without that folder every test says `SKIPPED` loudly and passes, unless
//! `DEPGATE_REQUIRE_DATA=1` is set (CI), in which case a missing folder fails the run.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

mod advisories;
mod attest;
mod build_exact;
mod cargo;
mod diff;
mod eco;
mod gating;
mod js;
mod licenses;
mod monitor;
mod sarif;
mod sbom;
mod sbom_score;
mod sboms;
mod spdx3;
mod truncation;
mod vex;

/// The shared data folder, or `None` (after a loud message) when it is absent.
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
