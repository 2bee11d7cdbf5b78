//! Stage 5, report: turns the inventory and findings into bytes. Nothing imports `report`.
//!
//! In: `&Inventory`, `&Evaluation` and run metadata. Out: bytes in one format per file here.

pub mod diff;
pub mod github;
pub mod sarif;
