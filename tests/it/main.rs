//! The one integration-test binary: runs the built `depgate` and checks exit codes and output.
#![allow(clippy::unwrap_used, missing_docs)]

mod attest;
mod attest_fixture;
mod check;
mod common;
mod evaluate;
mod explain;
mod policy;
mod sbom;
