//! Policy as code: `rules/` TOML files, read with spans, validated into a `ValidPolicy`.
//!
//! In: policy files. Out: validated rule sets that `evaluate` applies. Errors carry file, line
//! and column. One file per section (`licenses`, `bans`, `sources`, `advisories`, `waivers`,
//! and `meta` for `[policy]`) reads that section's raw keys into a typed partial, merges the
//! partials of a directory's files and finishes them into the section's model type; `section`
//! holds what they share, `validate` runs them, `model` is what `evaluate` reads.

mod advisories;
mod bans;
mod context;
mod licenses;
mod load;
mod meta;
mod model;
mod sbom;
mod section;
mod sources;
mod validate;
mod waivers;

pub use crate::vocabulary::Level;

pub use load::{BUILTIN_DEFAULT, builtin, load, policy_files};
pub use model::{
    AdvisoryPolicy, Ban, BanPolicy, CategoryEntry, Clarification, LicenseCategory, LicenseEntry,
    LicenseException, LicensePolicy, MinimumVersion, Origin, PackageSelector, PinnedFile,
    PolicySource, RuleMeta, SbomDefaults, SbomQualityPolicy, SourcePolicy, ValidPolicy, Waiver,
    WaiverPackage, WaiverPolicy,
};
pub use sources::{normalize_git, normalize_registry};
pub use validate::{BUILTIN_NAME, PolicyError, Problem, validate};
pub use waivers::parse_date;
