//! Stage 3, enrich: adds facts (licenses, advisories, version ordering), never verdicts.
//!
//! In: an `Inventory` and local data (registry sources, advisory databases). Out: the same
//! inventory with more facts, plus advisory matches and VEX statements for `evaluate`.

pub mod advisories;
pub mod artifacts;
mod license_bigrams;
pub mod license_conflicts;
pub mod license_text;
pub mod licenses;
pub mod manifests;
pub mod notices;
pub mod sources;
pub mod versions;
pub mod vex;
