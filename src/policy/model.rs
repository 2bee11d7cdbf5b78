//! The validated policy: every value checked, every default applied, every rule complete with
//! id, level, owner and rationale. `evaluate` reads only these types.
//!
//! `Serialize` gives the canonical form whose SHA-256 is the policy digest in reports; the
//! places entries came from (`Origin`) are left out of it, so moving a line keeps the digest.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::inventory::PackageSelector;
use crate::vocabulary::rules;
pub use crate::vocabulary::spdx::LicenseCategory;
use crate::vocabulary::{FindingCode, Level};

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
    /// VEX documents always read with this policy (`vex = [...]`), resolved against the
    /// directory of the policy file that names them; `--vex` adds to them.
    pub vex: Vec<std::path::PathBuf>,
}

impl AdvisoryPolicy {
    /// The CVSS score assumed for an advisory without a severity when the policy sets none
    /// ("high").
    pub const DEFAULT_UNKNOWN_SEVERITY_SCORE: f64 = 7.0;

    /// The maximum database age in days when the policy sets none.
    pub const DEFAULT_MAX_DB_AGE_DAYS: u32 = 7;

    /// The built-in defaults (the same as `rules/default.toml`'s `[advisories]`).
    pub fn default_with_owner(owner: &str) -> Self {
        let rule = |id: &str| {
            let spec = rules::section_rule(id);
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
            unknown_severity_score: Self::DEFAULT_UNKNOWN_SEVERITY_SCORE,
            max_db_age_days: Some(Self::DEFAULT_MAX_DB_AGE_DAYS),
            databases: Vec::new(),
            vex: Vec::new(),
        }
    }
}

/// Where a policy entry was written: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Origin {
    /// The policy file (`<built-in default>` for the embedded policy).
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` line {}, column {}",
            self.file.display(),
            self.line,
            self.column
        )
    }
}

/// Where the policy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PolicySource {
    /// The built-in default (the same text as `rules/default.toml`).
    Builtin,
    /// One or more files (a `--policy DIR` or `rules/` merges every `*.toml` in it).
    Files {
        /// The files, sorted.
        files: Vec<PathBuf>,
    },
}

/// One license on an allow or deny list: an SPDX id, optionally `WITH` an exception, or a
/// `LicenseRef-…`. Checked to parse as an `spdx::Licensee` during validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseEntry {
    /// The license as written (canonical SPDX spelling).
    pub license: String,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// A category on an allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryEntry {
    /// The category.
    pub category: LicenseCategory,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// Extra licenses allowed for one package (`[[licenses.exceptions]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenseException {
    /// Which package.
    pub package: PackageSelector,
    /// Licenses allowed for it in addition to the global allow list.
    pub allow: Vec<LicenseEntry>,
    /// Why.
    pub reason: Option<String>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// A license file a clarification depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinnedFile {
    /// Path relative to the package's source directory.
    pub path: PathBuf,
    /// Expected lowercase hex SHA-256 of the file.
    pub sha256: String,
}

/// The real license of a package whose metadata is wrong (`[[licenses.clarify]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clarification {
    /// Which package.
    pub package: PackageSelector,
    /// The SPDX expression to use instead of the metadata.
    pub expression: String,
    /// License files the clarification was written against; if any no longer matches, the
    /// clarification is reported stale and not applied.
    pub files: Vec<PinnedFile>,
    /// Why.
    pub reason: Option<String>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// Validated `[licenses]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicensePolicy {
    /// A license on the deny list or in a denied category (`licenses.denied`).
    pub denied: RuleMeta,
    /// A license neither allowed nor denied (`licenses.not-allowed`).
    pub not_allowed: RuleMeta,
    /// No license, or one that cannot be parsed (`licenses.unknown`).
    pub unknown: RuleMeta,
    /// A detected license below `min-confidence` (`licenses.low-confidence`).
    pub low_confidence: RuleMeta,
    /// A clarification whose pinned file changed (`licenses.clarification-stale`).
    pub clarification_stale: RuleMeta,
    /// An exception or clarification that matched no package (`licenses.unused-exception`).
    pub unused_exception: RuleMeta,
    /// Allowed licenses.
    pub allow: Vec<LicenseEntry>,
    /// Denied licenses.
    pub deny: Vec<LicenseEntry>,
    /// Allowed categories.
    pub allow_categories: Vec<CategoryEntry>,
    /// Denied categories.
    pub deny_categories: Vec<CategoryEntry>,
    /// Minimum text-detection confidence (0..=1) for a detected license to count.
    pub min_confidence: f64,
    /// `registry-lookups = true`: license metadata may be fetched from package registries for
    /// packages whose inputs carry none, as `--online` does (`--offline` still wins).
    pub registry_lookups: bool,
    /// Per-package exceptions.
    pub exceptions: Vec<LicenseException>,
    /// Clarifications.
    pub clarifications: Vec<Clarification>,
}

impl LicensePolicy {
    /// Whether any rule judges a package's license (`denied`, `not-allowed`, `unknown` or
    /// `low-confidence` is not `allow`): otherwise no license can make a finding.
    pub fn judges_licenses(&self) -> bool {
        [
            &self.denied,
            &self.not_allowed,
            &self.unknown,
            &self.low_confidence,
        ]
        .iter()
        .any(|rule| rule.level != crate::vocabulary::rules::Level::Allow)
    }

    /// Every license file a clarification pins, with the selector of the packages it is read
    /// from (what `enrich` hashes so `evaluate` can tell a stale clarification).
    pub fn pinned_files(&self) -> Vec<(&PackageSelector, &std::path::Path)> {
        self.clarifications
            .iter()
            .flat_map(|c| c.files.iter().map(move |f| (&c.package, f.path.as_path())))
            .collect()
    }
}

/// A banned package or version range (`[[bans.deny]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ban {
    /// The rule (id defaults to `bans.deny.<name>`).
    pub rule: RuleMeta,
    /// What is banned.
    pub package: PackageSelector,
    /// Why.
    pub reason: String,
    /// What to use instead.
    pub replacement: Option<String>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// A required minimum version (`[[bans.minimum]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimumVersion {
    /// The rule (id defaults to `bans.minimum.<name>`).
    pub rule: RuleMeta,
    /// The package name.
    pub name: String,
    /// The lowest acceptable version.
    pub version: semver::Version,
    /// Why.
    pub reason: String,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// Validated `[bans]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BanPolicy {
    /// Banned packages.
    pub deny: Vec<Ban>,
    /// Minimum versions.
    pub minimum: Vec<MinimumVersion>,
    /// Several versions of one package (`bans.duplicates`).
    pub duplicates: RuleMeta,
    /// Packages (optionally a version range) exempt from the duplicate rule.
    pub duplicate_skip: Vec<PackageSelector>,
    /// `*` requirements in workspace manifests (`bans.wildcards`).
    pub wildcards: RuleMeta,
    /// Pre-release versions (`bans.prerelease`).
    pub prerelease: RuleMeta,
}

/// Validated `[sources]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcePolicy {
    /// A registry or git host that is not allowed (`sources.not-allowed`).
    pub not_allowed: RuleMeta,
    /// Every git dependency (`sources.git`).
    pub git: RuleMeta,
    /// Every path dependency that is not a workspace member (`sources.path`).
    pub path: RuleMeta,
    /// Allowed registries, normalised (`crates.io` and the index URLs are one registry).
    pub allow_registries: Vec<String>,
    /// Allowed git hosts or `host/org` prefixes, normalised (no scheme, no `.git`).
    pub allow_git: Vec<String>,
}

/// How a waiver names a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverPackage {
    /// By name.
    Name(String),
    /// By purl (`pkg:cargo/openssl@0.10.1`; without a version, every version).
    Purl(String),
}

/// One waiver (`[[waivers.waive]]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waiver {
    /// Its id (defaults to `waiver-<n>` in file order).
    pub id: String,
    /// Rule id it applies to.
    pub rule: Option<String>,
    /// Finding code it applies to.
    pub code: Option<FindingCode>,
    /// Package it applies to.
    pub package: Option<WaiverPackage>,
    /// Version range of that package.
    pub version: Option<semver::VersionReq>,
    /// Advisory id (matched against the advisory's id and aliases).
    pub advisory: Option<String>,
    /// Why it was granted.
    pub reason: String,
    /// Who owns it.
    pub owner: String,
    /// Last day it applies, `YYYY-MM-DD`.
    pub expires: String,
    /// The expiry date.
    #[serde(skip)]
    pub expires_date: time::Date,
    /// What `depgate vex` states for the findings it hides (`vex-status`; default
    /// `not_affected`). Left out of the digest when not set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex_status: Option<crate::vocabulary::vex::VexStatus>,
    /// Why the product is not affected (`justification`, with `not_affected` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<crate::vocabulary::vex::Justification>,
    /// Where it was written.
    #[serde(skip)]
    pub origin: Origin,
}

/// Validated `[waivers]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaiverPolicy {
    /// An expired waiver (`waivers.expired`).
    pub expired: RuleMeta,
    /// A waiver that matched nothing (`waivers.unused`).
    pub unused: RuleMeta,
    /// A waiver expiring soon (`waivers.expiring`).
    pub expiring: RuleMeta,
    /// How many days ahead to warn.
    pub expiring_days: u32,
    /// The waivers, in file order.
    pub waivers: Vec<Waiver>,
}

/// A complete, validated policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidPolicy {
    /// Name (`[policy] name`, else the file stem, else `default`).
    pub name: String,
    /// The organisation that owns the policy (`[policy] owner`), when set; every rule's
    /// default owner, and the attestation's assessor and signatory. Not part of the digest
    /// by itself: the rule owners it defaults are, and digests stay what they were.
    #[serde(skip)]
    pub owner: Option<String>,
    /// Where it came from (not part of the digest).
    #[serde(skip)]
    pub source: PolicySource,
    /// License rules.
    pub licenses: LicensePolicy,
    /// Version rules.
    pub bans: BanPolicy,
    /// Source rules.
    pub sources: SourcePolicy,
    /// Waivers.
    pub waivers: WaiverPolicy,
    /// Advisory rules (evaluated by the advisory stage).
    #[serde(skip)]
    pub advisories: AdvisoryPolicy,
    /// `[sbom-quality]`, when the policy has one (absent from the digest when not, so the
    /// digests of policies without it stay what they were).
    #[serde(rename = "sbom-quality", skip_serializing_if = "Option::is_none")]
    pub sbom_quality: Option<SbomQualityPolicy>,
    /// `[sbom]`: the creator and supplier SBOMs name (no verdict depends on them, so they
    /// are not part of the digest).
    #[serde(skip)]
    pub sbom: SbomDefaults,
}

/// Validated `[sbom]`: who made the SBOMs and who supplies the product, as `Name <email>`,
/// `Name <https://url>`, an e-mail address or a URL; used when `--creator` / `--supplier`
/// are not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SbomDefaults {
    /// `creator`.
    pub creator: Option<String>,
    /// `supplier`.
    pub supplier: Option<String>,
}

/// Validated `[sbom-quality]`: what an SBOM given to `check --sbom` must carry.
///
/// ```toml
/// [sbom-quality]
/// profile = "ntia"                       # or "bsi-tr-03183-2": every field it requires
/// required-fields = ["sha512", "distribution-licences"]
/// min-coverage = 95                      # percent of components (default 100)
/// coverage = "deny"                      # the rule's level
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SbomQualityPolicy {
    /// The rule `sbom-quality.coverage`.
    pub rule: RuleMeta,
    /// A standard whose required fields are all required (`ntia`, `bsi-tr-03183-2`).
    pub profile: Option<String>,
    /// Further field ids (as `depgate sbom score` names them) that are required.
    pub required_fields: Vec<String>,
    /// The share of components, in percent, that must carry each required component field.
    pub min_coverage: f64,
}

impl ValidPolicy {
    /// SHA-256 of the canonical JSON form of the policy (values and defaults, not layout).
    pub fn digest(&self) -> String {
        let mut canonical = serde_json::to_value(self).unwrap_or_default();
        if let serde_json::Value::Object(map) = &mut canonical {
            map.insert(
                "advisories".to_string(),
                advisory_canonical(&self.advisories),
            );
        }
        crate::util::sha256_hex(canonical.to_string().as_bytes())
    }

    /// A one-line description of where the policy came from, for reports.
    pub fn source_description(&self) -> String {
        match &self.source {
            PolicySource::Builtin => {
                "built-in default policy (same as `rules/default.toml`)".to_string()
            }
            PolicySource::Files { files } => files
                .iter()
                .map(|f| format!("`{}`", f.display()))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The policy files read (empty for the built-in default).
    pub fn source_files(&self) -> Vec<PathBuf> {
        match &self.source {
            PolicySource::Builtin => Vec::new(),
            PolicySource::Files { files } => files.clone(),
        }
    }

    /// Every rule id the policy defines (for waiver validation and lint).
    pub fn rule_ids(&self) -> Vec<String> {
        self.rules().into_iter().map(|rule| rule.id).collect()
    }

    /// Every rule the policy defines, with level, owner and rationale (for SARIF rules and
    /// attestation requirements).
    pub fn rules(&self) -> Vec<RuleMeta> {
        let mut rules: Vec<RuleMeta> = [
            &self.licenses.denied,
            &self.licenses.not_allowed,
            &self.licenses.unknown,
            &self.licenses.low_confidence,
            &self.licenses.clarification_stale,
            &self.licenses.unused_exception,
            &self.bans.duplicates,
            &self.bans.wildcards,
            &self.bans.prerelease,
            &self.sources.not_allowed,
            &self.sources.git,
            &self.sources.path,
            &self.waivers.expired,
            &self.waivers.unused,
            &self.waivers.expiring,
            &self.advisories.vulnerability,
            &self.advisories.unmaintained,
            &self.advisories.unsound,
            &self.advisories.notice,
            &self.advisories.yanked,
            &self.advisories.stale_db,
        ]
        .iter()
        .map(|rule| (*rule).clone())
        .collect();
        rules.extend(self.bans.deny.iter().map(|b| b.rule.clone()));
        rules.extend(self.bans.minimum.iter().map(|m| m.rule.clone()));
        rules.extend(self.sbom_quality.iter().map(|q| q.rule.clone()));
        rules
    }
}

fn advisory_canonical(policy: &AdvisoryPolicy) -> serde_json::Value {
    let mut canonical = serde_json::json!({
        "rules": [
            &policy.vulnerability, &policy.unmaintained, &policy.unsound,
            &policy.notice, &policy.yanked, &policy.stale_db,
        ],
        "severity_threshold": policy.severity_threshold,
        "unknown_severity_score": policy.unknown_severity_score,
        "max_db_age_days": policy.max_db_age_days,
        "databases": policy.databases,
    });
    // Only when set, so policies without VEX documents keep the digest they always had.
    if !policy.vex.is_empty() {
        canonical["vex"] = serde_json::json!(policy.vex);
    }
    canonical
}
