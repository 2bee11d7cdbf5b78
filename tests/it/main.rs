//! The one integration-test binary: runs the built `depgate` and checks exit codes and output.
#![allow(clippy::unwrap_used, missing_docs)]

mod action;
mod attest;
mod attest_fixture;
mod comment;
mod common;
mod diff;
mod explain;
