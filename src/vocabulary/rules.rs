//! The rule table: every rule depgate knows, with its section, the finding codes it produces,
//! its default level and rationale, and a one-line description of every finding code (what
//! SARIF's rule metadata and the docs show). Policy validation, evaluation and every report
//! read this one table; a rule id is spelled here and nowhere else.
//!
//! In: nothing. Out: [`RULES`], [`FindingCode`], [`Severity`], [`Level`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is. `Error` fails the gate; `Warning` reports; `Note` informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// From a `deny` rule: fails the gate.
    Error,
    /// From a `warn` rule: reported, fails only with `--fail-on warn`.
    Warning,
    /// Informational.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// Stable, kebab-case finding codes. Part of the interface: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    /// A license (or every branch of an `OR`) is on a deny list or in a denied category.
    LicenseDenied,
    /// A license is not on the allow list.
    LicenseNotAllowed,
    /// No license is declared or detectable, or it could not be parsed.
    LicenseUnknown,
    /// Detected license text scored below the policy's minimum confidence.
    LicenseLowConfidence,
    /// A clarification's pinned license-file hash no longer matches the file.
    ClarificationStale,
    /// A license exception or clarification that matched no package.
    UnusedException,
    /// An allow-list entry that matched no package.
    UnusedAllow,
    /// The package (or version range) is banned.
    PackageBanned,
    /// The package is older than the required minimum version.
    VersionBelowMinimum,
    /// Several versions of the same package are present.
    DuplicateVersions,
    /// A workspace manifest uses a wildcard (`*`) version requirement.
    WildcardRequirement,
    /// A pre-release version is used where the policy forbids it.
    PrereleaseVersion,
    /// The package comes from a registry or git host that is not allowed.
    SourceNotAllowed,
    /// A git dependency, reported per policy.
    GitSource,
    /// A local path dependency, reported per policy.
    PathSource,
    /// The package version has a known vulnerability.
    AdvisoryVulnerable,
    /// The package is unmaintained (RustSec informational).
    AdvisoryUnmaintained,
    /// The package is unsound (RustSec informational).
    AdvisoryUnsound,
    /// A RustSec notice.
    AdvisoryNotice,
    /// The package version was yanked from its registry.
    AdvisoryYanked,
    /// An advisory database is older than the policy's `max-db-age`.
    AdvisoryDbStale,
    /// A VEX statement whose products match no package in the inventory.
    VexUnmatched,
    /// A waiver whose expiry date has passed: its finding is back.
    ExpiredWaiver,
    /// A waiver that matched no finding.
    UnusedWaiver,
    /// A waiver that expires within the warning window.
    WaiverExpiring,
    /// Something could not be evaluated (fail closed).
    NotEvaluated,
    /// An SBOM given to `check --sbom` lacks fields the policy's `[sbom-quality]` requires.
    SbomQualityInsufficient,
}

impl FindingCode {
    /// Every code, for documentation and the contract test.
    pub const ALL: &'static [FindingCode] = &[
        FindingCode::LicenseDenied,
        FindingCode::LicenseNotAllowed,
        FindingCode::LicenseUnknown,
        FindingCode::LicenseLowConfidence,
        FindingCode::ClarificationStale,
        FindingCode::UnusedException,
        FindingCode::UnusedAllow,
        FindingCode::PackageBanned,
        FindingCode::VersionBelowMinimum,
        FindingCode::DuplicateVersions,
        FindingCode::WildcardRequirement,
        FindingCode::PrereleaseVersion,
        FindingCode::SourceNotAllowed,
        FindingCode::GitSource,
        FindingCode::PathSource,
        FindingCode::AdvisoryVulnerable,
        FindingCode::AdvisoryUnmaintained,
        FindingCode::AdvisoryUnsound,
        FindingCode::AdvisoryNotice,
        FindingCode::AdvisoryYanked,
        FindingCode::AdvisoryDbStale,
        FindingCode::VexUnmatched,
        FindingCode::ExpiredWaiver,
        FindingCode::UnusedWaiver,
        FindingCode::WaiverExpiring,
        FindingCode::NotEvaluated,
        FindingCode::SbomQualityInsufficient,
    ];

    /// The kebab-case spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            FindingCode::LicenseDenied => "license-denied",
            FindingCode::LicenseNotAllowed => "license-not-allowed",
            FindingCode::LicenseUnknown => "license-unknown",
            FindingCode::LicenseLowConfidence => "license-low-confidence",
            FindingCode::ClarificationStale => "clarification-stale",
            FindingCode::UnusedException => "unused-exception",
            FindingCode::UnusedAllow => "unused-allow",
            FindingCode::PackageBanned => "package-banned",
            FindingCode::VersionBelowMinimum => "version-below-minimum",
            FindingCode::DuplicateVersions => "duplicate-versions",
            FindingCode::WildcardRequirement => "wildcard-requirement",
            FindingCode::PrereleaseVersion => "prerelease-version",
            FindingCode::SourceNotAllowed => "source-not-allowed",
            FindingCode::GitSource => "git-source",
            FindingCode::PathSource => "path-source",
            FindingCode::AdvisoryVulnerable => "advisory-vulnerable",
            FindingCode::AdvisoryUnmaintained => "advisory-unmaintained",
            FindingCode::AdvisoryUnsound => "advisory-unsound",
            FindingCode::AdvisoryNotice => "advisory-notice",
            FindingCode::AdvisoryYanked => "advisory-yanked",
            FindingCode::AdvisoryDbStale => "advisory-db-stale",
            FindingCode::VexUnmatched => "vex-unmatched",
            FindingCode::ExpiredWaiver => "expired-waiver",
            FindingCode::UnusedWaiver => "unused-waiver",
            FindingCode::WaiverExpiring => "waiver-expiring",
            FindingCode::NotEvaluated => "not-evaluated",
            FindingCode::SbomQualityInsufficient => "sbom-quality-insufficient",
        }
    }

    /// Parses the kebab-case spelling.
    pub fn parse(code: &str) -> Option<FindingCode> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
    }
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FindingCode {
    /// One line saying what the code means (SARIF `shortDescription`, the docs).
    pub fn description(&self) -> &'static str {
        match self {
            FindingCode::LicenseDenied => {
                "The license, or every branch of an `OR`, is denied by name or category"
            }
            FindingCode::LicenseNotAllowed => "The license is not on the allow list",
            FindingCode::LicenseUnknown => {
                "No license is declared or detectable, or it cannot be parsed as SPDX"
            }
            FindingCode::LicenseLowConfidence => {
                "The license was detected from text below the policy's minimum confidence"
            }
            FindingCode::ClarificationStale => {
                "A license clarification's pinned file is missing or changed"
            }
            FindingCode::UnusedException => {
                "A license exception or clarification matches no package"
            }
            FindingCode::UnusedAllow => "A license allow-list entry matches no package",
            FindingCode::PackageBanned => "The package, or this version range of it, is banned",
            FindingCode::VersionBelowMinimum => {
                "The package is older than the policy's minimum version"
            }
            FindingCode::DuplicateVersions => "Several versions of the same package are present",
            FindingCode::WildcardRequirement => "A manifest uses a wildcard (`*`) requirement",
            FindingCode::PrereleaseVersion => "A pre-release version is used",
            FindingCode::SourceNotAllowed => {
                "The package comes from a registry or git host that is not allowed"
            }
            FindingCode::GitSource => "The package comes from a git repository",
            FindingCode::PathSource => "The package comes from a local path",
            FindingCode::AdvisoryVulnerable => "The version has a known vulnerability",
            FindingCode::AdvisoryUnmaintained => "The package is unmaintained",
            FindingCode::AdvisoryUnsound => "The package has unsound code",
            FindingCode::AdvisoryNotice => "An advisory notice concerns the package",
            FindingCode::AdvisoryYanked => "The version was yanked from its registry",
            FindingCode::AdvisoryDbStale => {
                "An advisory database is older than the policy's `max-db-age`"
            }
            FindingCode::VexUnmatched => {
                "A VEX statement's products match no package in the inventory"
            }
            FindingCode::ExpiredWaiver => "A waiver has expired: the finding it hid is back",
            FindingCode::UnusedWaiver => "A waiver matches no finding",
            FindingCode::WaiverExpiring => "A waiver expires within the warning window",
            FindingCode::NotEvaluated => {
                "Something could not be evaluated, so the gate fails closed"
            }
            FindingCode::SbomQualityInsufficient => {
                "The SBOM lacks a field the policy requires, on too many components"
            }
        }
    }
}

/// What a rule does when it matches: `deny` fails the gate, `warn` reports, `allow` passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the gate (severity `error`).
    Deny,
    /// Reported, does not fail unless `--fail-on warn` (severity `warning`).
    Warn,
    /// Passes; nothing is reported.
    Allow,
}

impl Level {
    /// The finding severity for this level, or `None` for `allow`.
    pub fn severity(&self) -> Option<Severity> {
        match self {
            Level::Deny => Some(Severity::Error),
            Level::Warn => Some(Severity::Warning),
            Level::Allow => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        })
    }
}

/// The policy section a rule is configured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// `[licenses]`.
    Licenses,
    /// `[bans]`.
    Bans,
    /// `[sources]`.
    Sources,
    /// `[advisories]`.
    Advisories,
    /// `[waivers]` (settings) and `[[waivers]]` entries.
    Waivers,
    /// `[sbom-quality]`: what an SBOM given to `check --sbom` must carry.
    SbomQuality,
}

impl Section {
    /// Every section, in the order the docs and reports list them.
    pub const ALL: &'static [Section] = &[
        Section::Licenses,
        Section::Bans,
        Section::Sources,
        Section::Advisories,
        Section::Waivers,
        Section::SbomQuality,
    ];

    /// The table name in a policy file.
    pub fn as_str(&self) -> &'static str {
        match self {
            Section::Licenses => "licenses",
            Section::Bans => "bans",
            Section::Sources => "sources",
            Section::Advisories => "advisories",
            Section::Waivers => "waivers",
            Section::SbomQuality => "sbom-quality",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpec {
    /// The rule id, `section.key` (for per-entry rules such as `bans.deny.<package>`, the
    /// family's prefix `bans.deny`).
    pub id: &'static str,
    /// The section it is configured in.
    pub section: Section,
    /// The key inside the section that sets its level (`None` for per-entry rules, whose
    /// level is set on each entry).
    pub key: Option<&'static str>,
    /// The finding codes it produces.
    pub codes: &'static [FindingCode],
    /// Its level when the policy does not set one.
    pub default_level: Level,
    /// Its rationale when the policy gives none for its section.
    pub default_rationale: &'static str,
}

impl RuleSpec {
    /// True for a family of per-entry rules (`bans.deny.<package>`, `bans.minimum.<package>`).
    pub fn is_per_entry(&self) -> bool {
        self.key.is_none()
    }
}

const fn rule(
    id: &'static str,
    section: Section,
    key: &'static str,
    codes: &'static [FindingCode],
    default_level: Level,
    default_rationale: &'static str,
) -> RuleSpec {
    RuleSpec {
        id,
        section,
        key: Some(key),
        codes,
        default_level,
        default_rationale,
    }
}

/// Every rule, in section order. `RULES` is the single source of rule ids.
pub const RULES: &[RuleSpec] = &[
    rule(
        "licenses.denied",
        Section::Licenses,
        "denied",
        &[FindingCode::LicenseDenied],
        Level::Deny,
        "These licenses are incompatible with how we distribute software",
    ),
    rule(
        "licenses.not-allowed",
        Section::Licenses,
        "not-allowed",
        &[FindingCode::LicenseNotAllowed],
        Level::Deny,
        "Only licenses reviewed and allowed by the owner may ship",
    ),
    rule(
        "licenses.unknown",
        Section::Licenses,
        "unknown",
        &[FindingCode::LicenseUnknown],
        Level::Deny,
        "A dependency without a known license cannot be used legally",
    ),
    rule(
        "licenses.low-confidence",
        Section::Licenses,
        "low-confidence",
        &[FindingCode::LicenseLowConfidence],
        Level::Deny,
        "A license guessed from text with low confidence needs a human to confirm it",
    ),
    rule(
        "licenses.clarification-stale",
        Section::Licenses,
        "clarification-stale",
        &[FindingCode::ClarificationStale],
        Level::Deny,
        "The license file changed since the clarification was written",
    ),
    rule(
        "licenses.unused-exception",
        Section::Licenses,
        "unused-exception",
        &[FindingCode::UnusedException],
        Level::Warn,
        "Exceptions that match nothing hide future mistakes",
    ),
    RuleSpec {
        id: "bans.deny",
        section: Section::Bans,
        key: None,
        codes: &[FindingCode::PackageBanned],
        default_level: Level::Deny,
        default_rationale: "The ban's reason",
    },
    RuleSpec {
        id: "bans.minimum",
        section: Section::Bans,
        key: None,
        codes: &[FindingCode::VersionBelowMinimum],
        default_level: Level::Deny,
        default_rationale: "The minimum version's reason",
    },
    rule(
        "bans.duplicates",
        Section::Bans,
        "duplicates",
        &[FindingCode::DuplicateVersions],
        Level::Warn,
        "Several versions of one package bloat builds and split fixes",
    ),
    rule(
        "bans.wildcards",
        Section::Bans,
        "wildcards",
        &[FindingCode::WildcardRequirement],
        Level::Deny,
        "A `*` requirement accepts any future version, including breaking ones",
    ),
    rule(
        "bans.prerelease",
        Section::Bans,
        "prerelease",
        &[FindingCode::PrereleaseVersion],
        Level::Allow,
        "Pre-release versions carry no stability promise",
    ),
    rule(
        "sources.not-allowed",
        Section::Sources,
        "not-allowed",
        &[FindingCode::SourceNotAllowed],
        Level::Deny,
        "Code must come from registries and hosts we trust",
    ),
    rule(
        "sources.git",
        Section::Sources,
        "git",
        &[FindingCode::GitSource],
        Level::Warn,
        "Git dependencies bypass registry review and immutability",
    ),
    rule(
        "sources.path",
        Section::Sources,
        "path",
        &[FindingCode::PathSource],
        Level::Allow,
        "Path dependencies outside the workspace are not reproducible",
    ),
    rule(
        "advisories.vulnerability",
        Section::Advisories,
        "vulnerability",
        &[FindingCode::AdvisoryVulnerable],
        Level::Deny,
        "Known vulnerabilities must not ship",
    ),
    rule(
        "advisories.unmaintained",
        Section::Advisories,
        "unmaintained",
        &[FindingCode::AdvisoryUnmaintained],
        Level::Warn,
        "Unmaintained packages get no security fixes",
    ),
    rule(
        "advisories.unsound",
        Section::Advisories,
        "unsound",
        &[FindingCode::AdvisoryUnsound],
        Level::Warn,
        "Unsound code can cause undefined behaviour",
    ),
    rule(
        "advisories.notice",
        Section::Advisories,
        "notice",
        &[FindingCode::AdvisoryNotice],
        Level::Warn,
        "Advisory notices need a look",
    ),
    rule(
        "advisories.yanked",
        Section::Advisories,
        "yanked",
        &[FindingCode::AdvisoryYanked],
        Level::Warn,
        "Yanked versions were withdrawn by their authors",
    ),
    rule(
        "advisories.db-age",
        Section::Advisories,
        "db-age",
        &[FindingCode::AdvisoryDbStale, FindingCode::NotEvaluated],
        Level::Deny,
        "A stale advisory database hides new vulnerabilities",
    ),
    // The VEX documents given with `--vex`: a per-document family (no policy key sets its
    // level yet; the default applies), so the policy model does not list it as a section rule.
    RuleSpec {
        id: "advisories.vex",
        section: Section::Advisories,
        key: None,
        codes: &[FindingCode::VexUnmatched],
        default_level: Level::Warn,
        default_rationale: "A VEX statement that names no package in the inventory applies to \
                            nothing: its product identifiers are probably wrong",
    },
    rule(
        "waivers.expired",
        Section::Waivers,
        "expired",
        &[FindingCode::ExpiredWaiver],
        Level::Deny,
        "An expired waiver must be renewed or its finding fixed",
    ),
    rule(
        "waivers.unused",
        Section::Waivers,
        "unused",
        &[FindingCode::UnusedWaiver],
        Level::Warn,
        "Waivers that match nothing should be removed",
    ),
    rule(
        "waivers.expiring",
        Section::Waivers,
        "expiring",
        &[FindingCode::WaiverExpiring],
        Level::Warn,
        "A waiver is about to expire",
    ),
    rule(
        "sbom-quality.coverage",
        Section::SbomQuality,
        "coverage",
        &[FindingCode::SbomQualityInsufficient],
        Level::Deny,
        "A vendor's SBOM we cannot act on (no supplier, no hashes, no licenses) is no evidence",
    ),
];

/// The field ids `depgate sbom score` reports and `[sbom-quality] required-fields` names.
pub const SBOM_FIELDS: &[&str] = &[
    "author",
    "creator-contact",
    "timestamp",
    "sbom-uri",
    "dependencies",
    "completeness",
    "format-version",
    "name",
    "version",
    "supplier",
    "identifier",
    "component-creator",
    "filename",
    "distribution-licences",
    "sha512",
    "executable",
    "archive",
    "structured",
    "external-identifier",
    "original-licences",
    "hash",
];

/// The standards an SBOM is scored against (`[sbom-quality] profile`, `--require`).
pub const SBOM_STANDARDS: &[&str] = &["ntia", "bsi-tr-03183-2"];

/// The table entry of a rule id: exact for section rules, by prefix for per-entry families
/// (`bans.deny.openssl` -> `bans.deny`). A custom id given to a ban entry has no entry.
pub fn spec(id: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|spec| {
        spec.id == id
            || (spec.is_per_entry()
                && id
                    .strip_prefix(spec.id)
                    .is_some_and(|rest| rest.starts_with('.')))
    })
}

/// The section rule with this id (never a per-entry family). Panics on an id missing from
/// [`RULES`]: every caller names a literal id, and the table test covers each of them.
pub fn section_rule(id: &str) -> &'static RuleSpec {
    match RULES
        .iter()
        .find(|spec| spec.id == id && !spec.is_per_entry())
    {
        Some(spec) => spec,
        None => unreachable!("rule `{id}` is not in the rule table"),
    }
}

/// The section rules of `section`, in table order.
pub fn section_rules(section: Section) -> impl Iterator<Item = &'static RuleSpec> {
    RULES
        .iter()
        .filter(move |spec| spec.section == section && !spec.is_per_entry())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_code_round_trips_and_is_kebab_case() {
        for code in FindingCode::ALL {
            let text = code.as_str();
            assert_eq!(FindingCode::parse(text), Some(*code));
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            let json = serde_json::to_string(code).expect("a code serialises");
            assert_eq!(json, format!("\"{text}\""));
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn rule_ids_are_unique_and_spelled_section_dot_key() {
        let mut seen = BTreeSet::new();
        for spec in RULES {
            assert!(seen.insert(spec.id), "duplicate rule id `{}`", spec.id);
            let (section, key) = spec.id.split_once('.').expect("section.key");
            assert_eq!(section, spec.section.as_str());
            if let Some(written) = spec.key {
                assert_eq!(key, written);
            }
            assert!(!spec.codes.is_empty());
        }
    }

    #[test]
    fn every_code_but_the_lint_only_one_belongs_to_exactly_one_rule() {
        for code in FindingCode::ALL {
            let owners = RULES.iter().filter(|s| s.codes.contains(code)).count();
            // `unused-allow` is reported by `depgate policy lint`, not by a gate rule.
            let expected = usize::from(*code != FindingCode::UnusedAllow);
            assert_eq!(owners, expected, "`{code}` belongs to {owners} rules");
        }
    }

    #[test]
    fn per_entry_ids_resolve_to_their_family() {
        assert_eq!(spec("bans.deny.openssl").map(|s| s.id), Some("bans.deny"));
        assert_eq!(
            spec("bans.minimum.time").map(|s| s.id),
            Some("bans.minimum")
        );
        assert_eq!(spec("bans.denylist"), None);
        assert_eq!(
            spec("licenses.denied").map(|s| s.id),
            Some("licenses.denied")
        );
        assert_eq!(section_rules(Section::Waivers).count(), 3);
    }
}
