//! depgate: a supply-chain dependency compliance scanner.
//!
//! The pipeline, one module per stage, data flowing one way:
//! `ingest -> inventory -> enrich -> evaluate -> report`. `app` runs the stages for each
//! command; `cli` holds the command-line surface; `main.rs` maps outcomes to exit codes.

pub mod app;
pub mod attest;
pub mod cli;
pub mod enrich;
pub mod evaluate;
pub mod ingest;
pub mod inventory;
pub mod monitor;
pub mod net;
pub mod policy;
pub mod report;
pub mod store;
pub mod util;
pub mod vocabulary;
