//! The one integration-test binary: runs the built `depgate` and checks exit codes and output.
#![allow(clippy::unwrap_used, missing_docs)]

mod action;
mod attest;
mod attest_fixture;
mod check;
mod comment;
mod common;
mod diff;
mod discover;
mod evaluate;
mod explain;
mod ingest_cargo;
mod ingest_dotnet;
mod ingest_go;
mod ingest_js;
mod ingest_jvm;
mod ingest_php;
mod ingest_python;
mod ingest_robustness;
mod ingest_ruby;
mod license_text;
mod licenses_local;
mod policy;
mod sbom;
mod sbom_input;
mod sbom_roundtrip;
