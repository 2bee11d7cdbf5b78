//! Stage 4, evaluate (SBOM quality): scores what an SBOM states against the NTIA minimum
//! elements (2021) and BSI TR-03183-2 v2.1.0, and judges it against a policy's
//! `[sbom-quality]`. Pure.
//!
//! In: [`SbomFacts`] (and a [`SbomQualityPolicy`]). Out: a [`Score`]: per field, how many
//! components carry it (or whether the document does), which components lack it, and a verdict
//! per standard (conformant when every required field is present everywhere); and the
//! `sbom-quality-insufficient` findings of a policy.

use serde::Serialize;

use super::Finding;
use crate::inventory::Location;
use crate::inventory::sbom_facts::{ComponentField, DocumentField, SbomFacts};
use crate::policy::SbomQualityPolicy;
use crate::vocabulary::FindingCode;

/// A standard SBOMs are scored against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Standard {
    /// NTIA, "The Minimum Elements For a Software Bill of Materials" (2021).
    #[serde(rename = "ntia")]
    Ntia,
    /// BSI TR-03183-2 v2.1.0 (2025-08-20), §5.2.
    #[serde(rename = "bsi-tr-03183-2")]
    BsiTr031832,
}

impl Standard {
    /// Both, in report order.
    pub const ALL: [Standard; 2] = [Standard::Ntia, Standard::BsiTr031832];

    /// The id used in reports and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Standard::Ntia => "ntia",
            Standard::BsiTr031832 => "bsi-tr-03183-2",
        }
    }

    /// A name for humans.
    pub fn title(self) -> &'static str {
        match self {
            Standard::Ntia => "NTIA minimum elements",
            Standard::BsiTr031832 => "BSI TR-03183-2 v2.1.0",
        }
    }
}

/// How a standard asks for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Must be present (NTIA minimum element; BSI "required" field, §5.2.1–5.2.2).
    Required,
    /// Must be present *if it exists* (BSI "additional" field, §5.2.3–5.2.4): reported, not
    /// part of the verdict.
    Additional,
}

/// Whether a field belongs to the document or to each component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Document(DocumentField),
    Component(ComponentField),
}

/// One row of the rule table.
struct Rule {
    id: &'static str,
    name: &'static str,
    subject: Subject,
    ntia: Option<Level>,
    bsi: Option<Level>,
}

const fn rule(
    id: &'static str,
    name: &'static str,
    subject: Subject,
    ntia: Option<Level>,
    bsi: Option<Level>,
) -> Rule {
    Rule {
        id,
        name,
        subject,
        ntia,
        bsi,
    }
}

use DocumentField as D;
use Level::{Additional, Required};
use Subject::{Component as C, Document as Doc};

/// Every field scored, in report order: the document's, then each component's.
const RULES: &[Rule] = &[
    rule(
        "author",
        "SBOM author",
        Doc(D::Author),
        Some(Required),
        None,
    ),
    rule(
        "creator-contact",
        "SBOM creator (e-mail or URL)",
        Doc(D::CreatorContact),
        None,
        Some(Required),
    ),
    rule(
        "timestamp",
        "Timestamp",
        Doc(D::Timestamp),
        Some(Required),
        Some(Required),
    ),
    rule("sbom-uri", "SBOM-URI", Doc(D::Uri), None, Some(Additional)),
    rule(
        "dependencies",
        "Dependency relationships",
        Doc(D::Dependencies),
        Some(Required),
        Some(Required),
    ),
    rule(
        "completeness",
        "Dependency completeness",
        Doc(D::Completeness),
        None,
        Some(Required),
    ),
    rule(
        "format-version",
        "CycloneDX 1.6+ or SPDX 3.0.1+",
        Doc(D::FormatVersion),
        None,
        Some(Required),
    ),
    rule(
        "name",
        "Component name",
        C(ComponentField::Name),
        Some(Required),
        Some(Required),
    ),
    rule(
        "version",
        "Component version",
        C(ComponentField::Version),
        Some(Required),
        Some(Required),
    ),
    rule(
        "supplier",
        "Supplier name",
        C(ComponentField::Supplier),
        Some(Required),
        None,
    ),
    rule(
        "identifier",
        "Unique identifier",
        C(ComponentField::Identifier),
        Some(Required),
        None,
    ),
    rule(
        "component-creator",
        "Component creator (e-mail or URL)",
        C(ComponentField::CreatorContact),
        None,
        Some(Required),
    ),
    rule(
        "filename",
        "Filename",
        C(ComponentField::Filename),
        None,
        Some(Required),
    ),
    rule(
        "distribution-licences",
        "Distribution licences",
        C(ComponentField::DistributionLicence),
        None,
        Some(Required),
    ),
    rule(
        "sha512",
        "Hash (SHA-512)",
        C(ComponentField::Sha512),
        None,
        Some(Required),
    ),
    rule(
        "executable",
        "Executable property",
        C(ComponentField::Executable),
        None,
        Some(Required),
    ),
    rule(
        "archive",
        "Archive property",
        C(ComponentField::Archive),
        None,
        Some(Required),
    ),
    rule(
        "structured",
        "Structured property",
        C(ComponentField::Structured),
        None,
        Some(Required),
    ),
    rule(
        "external-identifier",
        "purl, CPE or SWID",
        C(ComponentField::ExternalIdentifier),
        None,
        Some(Additional),
    ),
    rule(
        "original-licences",
        "Original licences",
        C(ComponentField::OriginalLicence),
        None,
        Some(Additional),
    ),
    rule("hash", "Any hash", C(ComponentField::Hash), None, None),
];

/// At most this many components are named per missing field (the count says the rest).
pub const MISSING_EXAMPLES: usize = 5;

/// The score of one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldScore {
    /// Stable kebab-case id (`supplier`, `sha512`).
    pub id: &'static str,
    /// A name for humans.
    pub name: &'static str,
    /// `document` or `component`.
    pub scope: &'static str,
    /// How NTIA asks for it, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ntia: Option<Level>,
    /// How BSI TR-03183-2 asks for it, if it does.
    #[serde(rename = "bsi-tr-03183-2", skip_serializing_if = "Option::is_none")]
    pub bsi: Option<Level>,
    /// Components carrying it (for a document field: 1 or 0).
    pub present: usize,
    /// Components scored (for a document field: 1).
    pub total: usize,
    /// The first components lacking it (at most [`MISSING_EXAMPLES`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl FieldScore {
    /// True when every component (or the document) carries it. With no components, a
    /// component field is not met: an SBOM of nothing is no evidence.
    pub fn complete(&self) -> bool {
        self.total > 0 && self.present == self.total
    }

    /// Coverage in percent, rounded down (99.9% is not 100%).
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            return 0;
        }
        ((self.present as u128 * 100) / self.total as u128) as u32
    }

    /// How `standard` asks for this field.
    pub fn level(&self, standard: Standard) -> Option<Level> {
        match standard {
            Standard::Ntia => self.ntia,
            Standard::BsiTr031832 => self.bsi,
        }
    }
}

/// The verdict for one standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardVerdict {
    /// Which standard.
    pub standard: Standard,
    /// True when every required field is present everywhere.
    pub conformant: bool,
    /// The ids of the required fields that are not.
    pub failing: Vec<&'static str>,
}

/// The score of one SBOM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// The file, as given.
    pub file: String,
    /// Its format, e.g. `SPDX-2.3 JSON`.
    pub format: String,
    /// How many components it lists.
    pub components: usize,
    /// Every field, in report order.
    pub fields: Vec<FieldScore>,
    /// One verdict per standard.
    pub verdicts: Vec<StandardVerdict>,
}

impl Score {
    /// The verdict for `standard`.
    pub fn verdict(&self, standard: Standard) -> Option<&StandardVerdict> {
        self.verdicts.iter().find(|v| v.standard == standard)
    }
}

/// Scores one SBOM's facts.
pub fn score(facts: &SbomFacts) -> Score {
    let fields: Vec<FieldScore> = RULES
        .iter()
        .map(|rule| {
            let (scope, present, total, missing) = match rule.subject {
                Subject::Document(field) => {
                    let present = usize::from(facts.document.contains(&field));
                    ("document", present, 1, Vec::new())
                }
                Subject::Component(field) => {
                    let lacking = facts
                        .components
                        .iter()
                        .filter(|component| !component.fields.contains(&field));
                    let missing: Vec<String> = lacking
                        .clone()
                        .take(MISSING_EXAMPLES)
                        .map(|component| component.label.clone())
                        .collect();
                    let total = facts.components.len();
                    ("component", total - lacking.count(), total, missing)
                }
            };
            FieldScore {
                id: rule.id,
                name: rule.name,
                scope,
                ntia: rule.ntia,
                bsi: rule.bsi,
                present,
                total,
                missing,
            }
        })
        .collect();
    let verdicts = Standard::ALL
        .iter()
        .map(|&standard| {
            let failing: Vec<&'static str> = fields
                .iter()
                .filter(|field| field.level(standard) == Some(Level::Required) && !field.complete())
                .map(|field| field.id)
                .collect();
            StandardVerdict {
                standard,
                conformant: failing.is_empty(),
                failing,
            }
        })
        .collect();
    Score {
        file: facts.file.display().to_string(),
        format: facts.format.clone(),
        components: facts.components.len(),
        fields,
        verdicts,
    }
}

/// The ids of every scored field (for `[sbom-quality] required-fields` and docs).
pub fn field_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.id)
}

/// The findings of a policy's `[sbom-quality]` for one scored SBOM: one per required field
/// (the profile's required fields and `required-fields`) that the document lacks, or that
/// fewer than `min-coverage` percent of its components carry. None when the rule is `allow`.
pub fn policy_findings(score: &Score, policy: &SbomQualityPolicy) -> Vec<Finding> {
    let Some(severity) = policy.rule.level.severity() else {
        return Vec::new();
    };
    let profile = policy
        .profile
        .as_deref()
        .and_then(|id| Standard::ALL.into_iter().find(|s| s.id() == id));
    let mut findings = Vec::new();
    for field in &score.fields {
        let by_profile = profile.filter(|&s| field.level(s) == Some(Level::Required));
        let listed = policy.required_fields.iter().any(|id| id == field.id);
        if by_profile.is_none() && !listed {
            continue;
        }
        let why = match by_profile {
            Some(standard) => format!("required by {}", standard.title()),
            None => "required by the policy".to_string(),
        };
        let message = if field.scope == "document" {
            if field.complete() {
                continue;
            }
            format!("the SBOM `{}` has no {} ({why})", score.file, field.name)
        } else {
            // Compare in integers: `present / total >= min / 100`.
            let needed = policy.min_coverage.clamp(0.0, 100.0);
            let enough =
                field.total > 0 && (field.present as f64) * 100.0 >= needed * field.total as f64;
            if enough {
                continue;
            }
            let mut message = format!(
                "the SBOM `{}`: {} on {} of {} components ({}%), below {needed}% ({why})",
                score.file,
                field.name,
                field.present,
                field.total,
                field.percent()
            );
            if !field.missing.is_empty() {
                message.push_str(&format!("; missing in {}", field.missing.join(", ")));
            }
            message
        };
        let mut finding = Finding::new(
            FindingCode::SbomQualityInsufficient,
            policy.rule.id.clone(),
            severity,
            message,
        );
        finding.owner = Some(policy.rule.owner.clone());
        finding.rationale = Some(policy.rule.rationale.clone());
        finding.location = Some(Location {
            file: score.file.clone().into(),
            line: None,
        });
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::inventory::sbom_facts::ComponentFacts;

    fn facts(document: &[DocumentField], components: &[&[ComponentField]]) -> SbomFacts {
        SbomFacts {
            file: "bom.json".into(),
            format: "CycloneDX 1.6 JSON".into(),
            document: document.iter().copied().collect(),
            components: components
                .iter()
                .enumerate()
                .map(|(index, fields)| ComponentFacts {
                    label: format!("c{index}"),
                    fields: fields.iter().copied().collect::<BTreeSet<_>>(),
                })
                .collect(),
        }
    }

    const NTIA_COMPONENT: &[ComponentField] = &[
        ComponentField::Name,
        ComponentField::Version,
        ComponentField::Supplier,
        ComponentField::Identifier,
    ];

    #[test]
    fn ntia_needs_every_minimum_element_everywhere() {
        let document = [D::Author, D::Timestamp, D::Dependencies];
        let good = score(&facts(&document, &[NTIA_COMPONENT, NTIA_COMPONENT]));
        assert!(good.verdict(Standard::Ntia).unwrap().conformant);
        assert!(!good.verdict(Standard::BsiTr031832).unwrap().conformant);

        let one_without_supplier = &[
            ComponentField::Name,
            ComponentField::Version,
            ComponentField::Identifier,
        ][..];
        let bad = score(&facts(&document, &[NTIA_COMPONENT, one_without_supplier]));
        let verdict = bad.verdict(Standard::Ntia).unwrap();
        assert_eq!(verdict.failing, ["supplier"]);
        let supplier = bad.fields.iter().find(|f| f.id == "supplier").unwrap();
        assert_eq!(
            (supplier.present, supplier.total, supplier.percent()),
            (1, 2, 50)
        );
        assert_eq!(supplier.missing, ["c1"]);
    }

    #[test]
    fn no_components_is_not_conformant_and_additional_fields_do_not_count() {
        let empty = score(&facts(&[D::Author, D::Timestamp, D::Dependencies], &[]));
        assert!(!empty.verdict(Standard::Ntia).unwrap().conformant);
        let every_document_field = [
            D::Author,
            D::CreatorContact,
            D::Timestamp,
            D::Dependencies,
            D::Completeness,
            D::FormatVersion,
        ];
        let bsi_component = &[
            ComponentField::Name,
            ComponentField::Version,
            ComponentField::CreatorContact,
            ComponentField::Filename,
            ComponentField::DistributionLicence,
            ComponentField::Sha512,
            ComponentField::Executable,
            ComponentField::Archive,
            ComponentField::Structured,
        ][..];
        // No SBOM-URI, no purl, no original licence: additional fields only.
        let bsi = score(&facts(&every_document_field, &[bsi_component]));
        assert!(bsi.verdict(Standard::BsiTr031832).unwrap().conformant);
    }

    #[test]
    fn policy_findings_follow_profile_fields_and_coverage() {
        let policy = |profile: Option<&str>, fields: &[&str], min: f64| SbomQualityPolicy {
            rule: crate::policy::RuleMeta {
                id: "sbom-quality.coverage".into(),
                level: crate::vocabulary::Level::Deny,
                owner: "compliance".into(),
                rationale: "why".into(),
            },
            profile: profile.map(str::to_string),
            required_fields: fields.iter().map(|f| f.to_string()).collect(),
            min_coverage: min,
        };
        let one_without_supplier = &[ComponentField::Name, ComponentField::Version][..];
        let scored = score(&facts(
            &[D::Author, D::Timestamp, D::Dependencies],
            &[
                NTIA_COMPONENT,
                NTIA_COMPONENT,
                NTIA_COMPONENT,
                one_without_supplier,
            ],
        ));
        let ntia = policy_findings(&scored, &policy(Some("ntia"), &[], 100.0));
        let rules: Vec<&str> = ntia.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(ntia.len(), 2, "{rules:?}");
        assert!(
            ntia[0]
                .message
                .contains("Supplier name on 3 of 4 components (75%)")
        );
        assert!(ntia[1].message.contains("Unique identifier"));
        assert_eq!(ntia[0].owner.as_deref(), Some("compliance"));
        // 75% meets a 75% minimum; an unlisted field is not judged.
        assert!(policy_findings(&scored, &policy(None, &["supplier"], 75.0)).is_empty());
        let sha = policy_findings(&scored, &policy(None, &["sha512", "completeness"], 0.0));
        assert_eq!(
            sha.len(),
            1,
            "0% of components is enough, a document field is not"
        );
        assert!(sha[0].message.contains("has no Dependency completeness"));
    }

    #[test]
    fn field_ids_match_the_vocabulary() {
        let ids: Vec<&str> = field_ids().collect();
        assert_eq!(ids, crate::vocabulary::SBOM_FIELDS);
        let standards: Vec<&str> = Standard::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(standards, crate::vocabulary::SBOM_STANDARDS);
    }

    #[test]
    fn field_ids_are_unique_kebab_case() {
        let ids: Vec<&str> = field_ids().collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len());
        assert!(ids.iter().all(|id| {
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        }));
    }
}
