//! The wire format of a policy file: serde structs that keep the span of every value, so
//! validation can point at the line and column of each mistake.
//!
//! In: one `toml::de::DeTable` section at a time (see `validate`). Out: raw, unchecked values.
//! Nothing outside `policy` sees these types.

use serde::Deserialize;
use toml::Spanned;

/// A span-carrying string.
pub(super) type Text = Spanned<String>;

/// `[policy]`: name and the default owner and rationale for every rule.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMeta {
    pub name: Option<Text>,
    pub description: Option<Text>,
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
}

/// `[licenses]` without its arrays of tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawLicenses {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    #[serde(default)]
    pub allow: Vec<Text>,
    #[serde(default)]
    pub deny: Vec<Text>,
    #[serde(default)]
    pub allow_categories: Vec<Text>,
    #[serde(default)]
    pub deny_categories: Vec<Text>,
    pub denied: Option<Text>,
    pub not_allowed: Option<Text>,
    pub unknown: Option<Text>,
    pub low_confidence: Option<Text>,
    pub clarification_stale: Option<Text>,
    pub unused_exception: Option<Text>,
    pub min_confidence: Option<Spanned<f64>>,
    pub registry_lookups: Option<Spanned<bool>>,
}

/// `[[licenses.exceptions]]`: extra licenses allowed for one package.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawException {
    pub name: Text,
    pub version: Option<Text>,
    pub allow: Vec<Text>,
    pub reason: Option<Text>,
}

/// `[[licenses.clarify]]`: the real license of a package whose metadata is wrong.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawClarification {
    pub name: Text,
    pub version: Option<Text>,
    pub expression: Text,
    #[serde(default)]
    pub files: Vec<RawClarificationFile>,
    pub reason: Option<Text>,
}

/// A license file a clarification is pinned to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawClarificationFile {
    pub path: Text,
    pub sha256: Text,
}

/// `[bans]` without its arrays of tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawBans {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    pub duplicates: Option<Text>,
    #[serde(default)]
    pub duplicate_skip: Vec<Text>,
    pub wildcards: Option<Text>,
    pub prerelease: Option<Text>,
}

/// `[[bans.deny]]`: a banned package or version range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawBan {
    pub id: Option<Text>,
    pub name: Text,
    pub version: Option<Text>,
    pub reason: Text,
    pub replacement: Option<Text>,
    pub level: Option<Text>,
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
}

/// `[[bans.minimum]]`: a required minimum version.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMinimum {
    pub id: Option<Text>,
    pub name: Text,
    pub version: Text,
    pub reason: Text,
    pub level: Option<Text>,
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
}

/// `[sources]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSources {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    #[serde(default)]
    pub allow_registries: Vec<Text>,
    #[serde(default)]
    pub allow_git: Vec<Text>,
    pub not_allowed: Option<Text>,
    pub git: Option<Text>,
    pub path: Option<Text>,
}

/// `[waivers]` without its `[[waivers.waive]]` entries.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawWaiverSettings {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    pub expiring_days: Option<Spanned<i64>>,
    pub expired: Option<Text>,
    pub unused: Option<Text>,
    pub expiring: Option<Text>,
}

/// `[[waivers.waive]]`: one waiver.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawWaiver {
    pub id: Option<Text>,
    pub rule: Option<Text>,
    pub code: Option<Text>,
    pub package: Option<Text>,
    pub version: Option<Text>,
    pub advisory: Option<Text>,
    pub reason: Option<Text>,
    pub owner: Option<Text>,
    pub expires: Option<Spanned<toml::Value>>,
}

/// `[advisories]`, per the doc comment of `AdvisoryPolicy`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawAdvisories {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    pub vulnerability: Option<Text>,
    pub unmaintained: Option<Text>,
    pub unsound: Option<Text>,
    pub notice: Option<Text>,
    pub yanked: Option<Text>,
    pub db_age: Option<Text>,
    pub severity_threshold: Option<Spanned<f64>>,
    pub unknown_severity: Option<Spanned<toml::Value>>,
    pub max_db_age: Option<Spanned<toml::Value>>,
    pub databases: Option<Vec<Text>>,
}

/// `[sbom-quality]`: what an SBOM given to `check --sbom` must carry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSbomQuality {
    pub owner: Option<Text>,
    pub rationale: Option<Text>,
    pub coverage: Option<Text>,
    pub profile: Option<Text>,
    #[serde(default)]
    pub required_fields: Vec<Text>,
    pub min_coverage: Option<Spanned<f64>>,
}

/// `[sbom]`: facts about the product that SBOMs carry (not part of any verdict).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSbom {
    pub creator: Option<Text>,
    pub supplier: Option<Text>,
}
