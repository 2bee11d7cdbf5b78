//! Stage 5, report: turns the inventory and findings into bytes. Nothing imports `report`.
//!
//! In: `&Inventory`, `&Evaluation` and run metadata. Out: bytes in one format per file here.

pub mod cyclonedx;
mod sbom_common;
pub mod spdx;

pub use sbom_common::DocumentInfo;
