//! The one integration-test binary: runs the built `depgate` and checks exit codes and output.
#![allow(clippy::unwrap_used, missing_docs)]

mod attest;
mod attest_fixture;
mod check;
mod common;
mod discover;
mod evaluate;
mod explain;
mod ingest_js;
mod licenses;
mod notices;
mod policy;
mod sbom;
mod sbom_input;
mod sbom_roundtrip;
