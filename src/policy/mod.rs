//! Policy as code: `rules/` TOML files, read with spans, validated into a `ValidPolicy`.
//!
//! In: policy files. Out: validated rule sets that `evaluate` applies. Errors carry file, line
//! and column. The types below are the validated forms shared by every rule family.

mod load;
mod model;
mod raw;
mod validate;

use serde::{Deserialize, Serialize};

pub use crate::vocabulary::Level;

pub use load::{BUILTIN_DEFAULT, builtin, load, policy_files};
pub use model::{
    Ban, BanPolicy, CategoryEntry, Clarification, LicenseCategory, LicenseEntry, LicenseException,
    LicensePolicy, MinimumVersion, Origin, PackageSelector, PinnedFile, PolicySource, SbomDefaults,
    SbomQualityPolicy, SourcePolicy, ValidPolicy, Waiver, WaiverPackage, WaiverPolicy,
};
pub use validate::{
    BUILTIN_NAME, PolicyError, Problem, normalize_git, normalize_registry, parse_date, validate,
};

/// What every rule carries: an id, a level, who owns it and why it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable id, unique in the policy (e.g. `licenses.allowed`, `advisories.vulnerability`).
    pub id: String,
    /// What happens on a match.
    pub level: Level,
    /// Who to ask (a team, a person, an email).
    pub owner: String,
    /// Why the rule exists, or a link to the reasoning.
    pub rationale: String,
}

/// Validated advisory rules (`[advisories]` in a policy file).
///
/// ```toml
/// [advisories]
/// owner = "security@example.com"
/// rationale = "Known vulnerabilities must not ship"
/// vulnerability = "deny"        # level for advisory-vulnerable
/// unmaintained = "warn"         # level for advisory-unmaintained
/// unsound = "warn"              # level for advisory-unsound
/// notice = "warn"               # level for advisory-notice
/// yanked = "warn"               # level for advisory-yanked
/// severity-threshold = 7.0      # vulnerabilities with a CVSS base score below this are `warn`
/// unknown-severity = "high"     # how to treat advisories with no severity
/// max-db-age = "7d"             # fail closed when a database is older (days)
/// databases = ["rustsec", "osv"]
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdvisoryPolicy {
    /// Rule for known vulnerabilities (`advisories.vulnerability`).
    pub vulnerability: RuleMeta,
    /// Rule for unmaintained packages (`advisories.unmaintained`).
    pub unmaintained: RuleMeta,
    /// Rule for unsound packages (`advisories.unsound`).
    pub unsound: RuleMeta,
    /// Rule for RustSec notices (`advisories.notice`).
    pub notice: RuleMeta,
    /// Rule for yanked versions (`advisories.yanked`).
    pub yanked: RuleMeta,
    /// Rule for stale databases (`advisories.db-age`).
    pub stale_db: RuleMeta,
    /// CVSS base score below which a vulnerability is only a warning; `None` = all deny.
    pub severity_threshold: Option<f64>,
    /// The CVSS score assumed for advisories without a severity (default 7.0, "high").
    pub unknown_severity_score: f64,
    /// Maximum database age in days; `None` = no limit.
    pub max_db_age_days: Option<u32>,
    /// Which database kinds to use (`rustsec`, `osv`); empty = all available.
    pub databases: Vec<String>,
}

impl AdvisoryPolicy {
    /// The built-in defaults (the same as `rules/default.toml`'s `[advisories]`).
    pub fn default_with_owner(owner: &str) -> Self {
        let rule = |id: &str| {
            let spec = crate::vocabulary::rules::section_rule(id);
            RuleMeta {
                id: spec.id.to_string(),
                level: spec.default_level,
                owner: owner.to_string(),
                rationale: spec.default_rationale.to_string(),
            }
        };
        Self {
            vulnerability: rule("advisories.vulnerability"),
            unmaintained: rule("advisories.unmaintained"),
            unsound: rule("advisories.unsound"),
            notice: rule("advisories.notice"),
            yanked: rule("advisories.yanked"),
            stale_db: rule("advisories.db-age"),
            severity_threshold: None,
            unknown_severity_score: 7.0,
            max_db_age_days: Some(7),
            databases: Vec::new(),
        }
    }
}
