//! The one integration-test binary: runs the built `depgate` and checks exit codes and output.
#![allow(clippy::unwrap_used, missing_docs)]

mod attest;
mod attest_fixture;
mod common;
mod explain;
mod ingest_cargo;
mod license_text;
