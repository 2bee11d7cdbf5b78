//! The license report (`depgate licenses`): the inventory grouped by concluded license, with
//! each license's category, OSI/FSF flags, provenance and, with a policy, its verdict.
//!
//! In: `&Inventory`, optionally the `ValidPolicy` and its `Evaluation`, and the declared vs
//! detected conflicts that `enrich::license_conflicts` found. Out: one [`LicenseReport`] value (schema
//! `depgate.licenses/v1`) that every format here renders: `table`, `markdown`, `json`, `csv`,
//! `html`. Sorted and deterministic: no timestamps, no absolute paths of package sources.

pub mod csv;
pub mod html;
pub mod markdown;
pub mod table;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use spdx::expression::{ExprNode, Operator};
use spdx::{LicenseItem, LicenseReq};

use super::{InputRef, PolicyRef, Tool};
use crate::enrich::license_conflicts::LicenseConflict;
use crate::evaluate::licenses::concluded_license;
use crate::evaluate::{Evaluation, FindingCode, Severity, WaiverRef};
use crate::inventory::{Inventory, LicenseInfo, LicenseOrigin, Package, PackageId, Scope};
use crate::policy::{LicenseCategory, ValidPolicy};
use crate::vocabulary::spdx::{category_of_item, normalize};

/// The versioned schema name of the JSON license report.
pub const LICENSES_SCHEMA: &str = "depgate.licenses/v1";

/// The category name for packages whose license is missing or not valid SPDX.
pub const UNKNOWN_CATEGORY: &str = "unknown";

/// Every category name in report order (most open first), `unknown` last.
pub const CATEGORY_ORDER: &[&str] = &[
    "public-domain",
    "permissive",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "proprietary",
    UNKNOWN_CATEGORY,
];

/// The license report: the one value every `licenses` format renders.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseReport {
    /// Always [`LICENSES_SCHEMA`].
    pub schema: String,
    /// The tool.
    pub tool: Tool,
    /// The lockfiles, manifests and SBOMs read.
    pub inputs: Vec<InputRef>,
    /// The policy whose verdicts are shown, or `None` when no policy was used.
    pub policy: Option<PolicyRef>,
    /// Counts, unknown licenses and conflicts.
    pub summary: LicenseSummary,
    /// One group per concluded license expression, sorted.
    pub groups: Vec<LicenseGroup>,
}

/// The summary on top of the report.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseSummary {
    /// Third-party packages in the report.
    pub packages: usize,
    /// License groups.
    pub groups: usize,
    /// Packages per category (every category listed, `unknown` included).
    pub categories: BTreeMap<String, usize>,
    /// Packages per verdict (`allowed`, `denied`, ...), with a policy only.
    pub verdicts: Option<BTreeMap<String, usize>>,
    /// Packages with no license, or one that is not a valid SPDX expression.
    pub unknown: Vec<UnknownLicense>,
    /// Packages whose license files say something else than their declared license.
    pub conflicts: Vec<Conflict>,
}

/// A package whose license is not known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownLicense {
    /// The package.
    pub package: PackageKey,
    /// The license as written, when there is one.
    pub license: Option<String>,
    /// Why it is unknown.
    pub reason: String,
}

/// The identity of a package in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageKey {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Ecosystem (purl type).
    pub ecosystem: String,
}

impl PackageKey {
    fn of(package: &Package) -> Self {
        PackageKey {
            name: package.name.clone(),
            version: package.version.clone(),
            ecosystem: package.ecosystem.purl_type().to_string(),
        }
    }
}

/// Declared metadata that disagrees with a license file's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The package.
    pub package: PackageKey,
    /// The declared license expression.
    pub declared: String,
    /// The license the file's text matches.
    pub detected: String,
    /// The detection score in 0..=1.
    pub score: f32,
    /// The license file, relative to the package's source directory when it is inside it.
    pub file: String,
}

/// One SPDX license (or exception) that a group's expression contains.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseTerm {
    /// The SPDX id (`MIT`), or the `LicenseRef-…` as written.
    pub id: String,
    /// The full name from the SPDX license list (empty for a `LicenseRef-…`).
    pub name: String,
    /// Its category.
    pub category: String,
    /// OSI approved.
    pub osi_approved: bool,
    /// FSF free/libre.
    pub fsf_libre: bool,
    /// Deprecated in the SPDX license list.
    pub deprecated: bool,
    /// The `WITH` exception, when the term has one.
    pub exception: Option<String>,
}

/// How a group's expression was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupStatus {
    /// A valid SPDX expression (possibly normalised from messy metadata).
    Spdx,
    /// Written, but not a valid SPDX expression.
    Invalid,
    /// No license at all.
    None,
}

/// Packages sharing one concluded license expression.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseGroup {
    /// The canonical SPDX expression; the text as written for an invalid one; empty for none.
    pub expression: String,
    /// How the expression was read.
    pub status: GroupStatus,
    /// The expression's category: the most open choice of an `OR`, the most restrictive part
    /// of an `AND`; `unknown` when the expression is not valid.
    pub category: String,
    /// True when the expression can be satisfied with OSI-approved licenses only.
    pub osi_approved: bool,
    /// True when the expression can be satisfied with FSF free/libre licenses only.
    pub fsf_libre: bool,
    /// The licenses the expression contains, in order of appearance, without duplicates.
    pub licenses: Vec<LicenseTerm>,
    /// The group's verdict under the policy (the worst of its packages'), with a policy only.
    pub verdict: Option<String>,
    /// The packages, sorted by name, version and ecosystem.
    pub packages: Vec<PackageEntry>,
}

impl LicenseGroup {
    /// The group's licenses as SPDX terms (`Apache-2.0 WITH LLVM-exception`), in order.
    pub fn license_ids(&self) -> Vec<String> {
        self.licenses
            .iter()
            .map(|t| match &t.exception {
                Some(exception) => format!("{} WITH {exception}", t.id),
                None => t.id.clone(),
            })
            .collect()
    }
}

/// One package in a group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageEntry {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Ecosystem (purl type).
    pub ecosystem: String,
    /// The purl, when identity is certain.
    pub purl: Option<String>,
    /// `direct` or `transitive`.
    pub dependency: String,
    /// `runtime`, `build`, `dev` or `optional`.
    pub scope: String,
    /// The license as the source wrote it (before normalisation or clarification).
    pub declared: Option<String>,
    /// Where the concluded license came from (`lockfile`, `manifest`, `cargo-metadata`,
    /// `sbom`, `detected`, `registry`, `clarified`); `None` when there is no license.
    pub origin: Option<LicenseOrigin>,
    /// Provenance in words: `declared metadata (cargo metadata)`, `detected from
    /// LICENSE-MIT (score 0.98)`, `clarified by policy`, ...
    pub provenance: String,
    /// Detection confidence in 0..=1 (1 for declared metadata and clarifications).
    pub confidence: Option<f32>,
    /// The file the license was read or detected from, relative to the package's sources.
    pub file: Option<String>,
    /// The package's verdict under the policy, with a policy only.
    pub verdict: Option<PackageVerdict>,
}

impl PackageEntry {
    /// True when the two entries say the same of a package: equal, but for the lockfile
    /// named as `file` when both licenses were read from lockfiles (two lockfiles of a
    /// monorepo stating one license are one statement; the first is named).
    fn says_the_same(&self, other: &PackageEntry) -> bool {
        let from_lockfiles = self.origin == Some(LicenseOrigin::Lockfile)
            && other.origin == Some(LicenseOrigin::Lockfile);
        if from_lockfiles && self.file != other.file {
            let file = self.file.clone();
            *self
                == PackageEntry {
                    file,
                    ..other.clone()
                }
        } else {
            self == other
        }
    }
}

/// A package's license verdict: `allowed`, or the license finding the policy gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackageVerdict {
    /// `allowed`, `denied`, `not-allowed`, `unknown`, `low-confidence`, `clarification-stale`,
    /// or `waived` (a waiver applies to its license finding).
    pub result: String,
    /// The finding's severity (`error`, `warning`, `note`), when there is a finding.
    pub severity: Option<Severity>,
    /// The rule id, when there is a finding.
    pub rule: Option<String>,
    /// The finding's message, when there is a finding.
    pub message: Option<String>,
    /// The waiver (id, reason, owner, expiry) that applies, or that expired.
    pub waiver: Option<WaiverRef>,
}

impl PackageVerdict {
    /// The verdict for the text formats: `waived (LEGAL-7, owner alice@…, expires …)`.
    pub fn display(&self) -> String {
        match &self.waiver {
            Some(waiver) => format!(
                "{} (waiver {}, owner {}, expires {})",
                self.result, waiver.id, waiver.owner, waiver.expires
            ),
            None => self.result.clone(),
        }
    }
}

/// Severity order of verdict results, worst first (for a group's verdict).
const VERDICT_ORDER: &[&str] = &[
    "denied",
    "not-allowed",
    "unknown",
    "low-confidence",
    "clarification-stale",
    "waived",
    "allowed",
];

fn category_rank(category: LicenseCategory) -> usize {
    match category {
        LicenseCategory::PublicDomain => 0,
        LicenseCategory::Permissive => 1,
        LicenseCategory::WeakCopyleft => 2,
        LicenseCategory::StrongCopyleft => 3,
        LicenseCategory::NetworkCopyleft => 4,
        LicenseCategory::Proprietary => 5,
    }
}

/// The category of an expression: `OR` takes its most open branch, `AND` its most
/// restrictive part (the expression is stored in postfix order).
pub fn expression_category(expression: &spdx::Expression) -> LicenseCategory {
    let mut stack: Vec<LicenseCategory> = Vec::new();
    for node in expression.iter() {
        match node {
            ExprNode::Req(req) => stack.push(category_of_item(&req.req.license)),
            ExprNode::Op(operator) => {
                let (Some(right), Some(left)) = (stack.pop(), stack.pop()) else {
                    return LicenseCategory::Proprietary;
                };
                let pick = match operator {
                    Operator::Or => category_rank(left) <= category_rank(right),
                    Operator::And => category_rank(left) >= category_rank(right),
                };
                stack.push(if pick { left } else { right });
            }
        }
    }
    stack.pop().unwrap_or(LicenseCategory::Proprietary)
}

fn term(req: &LicenseReq) -> LicenseTerm {
    let exception = req.addition.as_ref().map(|a| a.to_string());
    match &req.license {
        LicenseItem::Spdx { id, or_later } => LicenseTerm {
            id: if *or_later {
                format!("{}+", id.name)
            } else {
                id.name.to_string()
            },
            name: id.full_name.to_string(),
            category: crate::vocabulary::spdx::category_of(*id)
                .as_str()
                .to_string(),
            osi_approved: id.is_osi_approved(),
            fsf_libre: id.is_fsf_free_libre(),
            deprecated: id.is_deprecated(),
            exception,
        },
        other @ LicenseItem::Other(_) => LicenseTerm {
            id: LicenseReq {
                license: other.clone(),
                addition: None,
            }
            .to_string(),
            name: String::new(),
            category: LicenseCategory::Proprietary.as_str().to_string(),
            osi_approved: false,
            fsf_libre: false,
            deprecated: false,
            exception,
        },
    }
}

/// Shows a path relative to the package's sources when it is inside them (so reports do not
/// carry the machine's home directory), else as given.
pub fn relative_file(package: &Package, file: &Path) -> String {
    package
        .local_dir
        .as_ref()
        .and_then(|dir| file.strip_prefix(dir).ok())
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Provenance in words for a license fact.
pub fn provenance(package: &Package, license: &LicenseInfo) -> String {
    let file = license
        .file
        .as_ref()
        .map(|f| format!(" `{}`", relative_file(package, f)))
        .unwrap_or_default();
    match license.origin {
        LicenseOrigin::Lockfile => "declared metadata (lockfile)".to_string(),
        LicenseOrigin::Manifest => format!("declared metadata (manifest{file})"),
        LicenseOrigin::CargoMetadata => "declared metadata (cargo metadata)".to_string(),
        LicenseOrigin::Sbom => "SBOM".to_string(),
        LicenseOrigin::Detected => format!(
            "detected from{} (score {:.2})",
            if file.is_empty() {
                " license text".to_string()
            } else {
                file
            },
            license.confidence
        ),
        LicenseOrigin::Registry => "registry metadata".to_string(),
        LicenseOrigin::Clarified => "clarified by policy".to_string(),
    }
}

/// Each package's license verdict, from the license findings of an evaluation (waivers
/// applied). A package with no license finding is `allowed`.
pub fn package_verdicts(evaluation: &Evaluation) -> BTreeMap<PackageId, PackageVerdict> {
    let mut verdicts: BTreeMap<PackageId, PackageVerdict> = BTreeMap::new();
    for finding in &evaluation.findings {
        let Some(id) = finding.package_id else {
            continue;
        };
        let result = match finding.code {
            FindingCode::LicenseDenied => "denied",
            FindingCode::LicenseNotAllowed => "not-allowed",
            FindingCode::LicenseUnknown => "unknown",
            FindingCode::LicenseLowConfidence => "low-confidence",
            FindingCode::ClarificationStale => "clarification-stale",
            _ => continue,
        };
        // A waiver that applies turns the finding into a note; an expired one leaves it
        // failing, with the waiver attached, like `check` shows it.
        let result = if finding.waiver.is_some() && finding.severity == Severity::Note {
            "waived"
        } else {
            result
        };
        let verdict = PackageVerdict {
            result: result.to_string(),
            severity: Some(finding.severity),
            rule: Some(finding.rule.clone()),
            message: Some(finding.message.clone()),
            waiver: finding.waiver.clone(),
        };
        // Keep the worst finding when a package has several (a stale clarification and a
        // denied license, say).
        let replace = verdicts
            .get(&id)
            .is_none_or(|old| verdict_rank(&verdict.result) < verdict_rank(&old.result));
        if replace {
            verdicts.insert(id, verdict);
        }
    }
    verdicts
}

fn verdict_rank(result: &str) -> usize {
    VERDICT_ORDER
        .iter()
        .position(|r| *r == result)
        .unwrap_or(VERDICT_ORDER.len())
}

/// What the report needs from a policy besides the evaluation.
pub struct PolicyContext<'a> {
    /// The policy (for clarifications and its reference).
    pub policy: &'a ValidPolicy,
    /// The evaluation of that policy over the inventory.
    pub evaluation: &'a Evaluation,
}

struct Concluded {
    key: String,
    status: GroupStatus,
    expression: Option<spdx::Expression>,
    reason: Option<String>,
}

fn conclude(license: Option<&LicenseInfo>) -> Concluded {
    match license.filter(|l| !l.expression.trim().is_empty()) {
        None => Concluded {
            key: String::new(),
            status: GroupStatus::None,
            expression: None,
            reason: Some("no license metadata and none detected".to_string()),
        },
        Some(license) => match normalize(&license.expression) {
            Ok(normalized) => Concluded {
                key: normalized.normalized,
                status: GroupStatus::Spdx,
                expression: Some(normalized.expression),
                reason: None,
            },
            Err(reason) => Concluded {
                key: license.expression.trim().to_string(),
                status: GroupStatus::Invalid,
                expression: None,
                reason: Some(format!("not a valid SPDX expression ({reason})")),
            },
        },
    }
}

impl LicenseReport {
    /// Builds the report for the third-party packages of `inventory`; `policy` adds
    /// clarifications and verdicts; `conflicts` come from
    /// [`crate::enrich::license_conflicts::find_conflicts`].
    pub fn new(
        inventory: &Inventory,
        policy: Option<&PolicyContext<'_>>,
        conflicts: &[LicenseConflict],
    ) -> Self {
        let conflicts = conflicts
            .iter()
            .map(|c| {
                let package = inventory.package(c.package);
                Conflict {
                    package: PackageKey::of(package),
                    declared: c.declared.clone(),
                    detected: c.detected.clone(),
                    score: c.score,
                    file: relative_file(package, &c.file),
                }
            })
            .collect();
        let verdicts = policy.map(|p| package_verdicts(p.evaluation));
        let mut groups: BTreeMap<(GroupStatus, String), LicenseGroup> = BTreeMap::new();
        let mut unknown = Vec::new();
        for package in inventory.third_party() {
            let license = match policy {
                Some(context) => concluded_license(inventory, &context.policy.licenses, package),
                None => package.license.clone(),
            };
            let concluded = conclude(license.as_ref());
            if let Some(reason) = &concluded.reason {
                unknown.push(UnknownLicense {
                    package: PackageKey::of(package),
                    license: license.as_ref().map(|l| l.expression.clone()),
                    reason: reason.clone(),
                });
            }
            let group = groups
                .entry((concluded.status, concluded.key.clone()))
                .or_insert_with(|| new_group(&concluded));
            group.packages.push(PackageEntry {
                name: package.name.clone(),
                version: package.version.clone(),
                ecosystem: package.ecosystem.purl_type().to_string(),
                purl: package.purl.clone(),
                dependency: package.dependency().to_string(),
                scope: scope_name(package.scope).to_string(),
                declared: package.license.as_ref().map(|l| l.expression.clone()),
                origin: license.as_ref().map(|l| l.origin),
                provenance: license
                    .as_ref()
                    .map(|l| {
                        let mut text = provenance(package, l);
                        // Show what the metadata said when it was read differently.
                        let declared = package.license.as_ref().map(|d| d.expression.trim());
                        if l.origin == LicenseOrigin::Clarified {
                            if let Some(declared) = declared.filter(|d| !d.is_empty()) {
                                text.push_str(&format!(", declared `{declared}`"));
                            }
                        } else if concluded.status == GroupStatus::Spdx
                            && l.expression.trim() != concluded.key
                        {
                            text.push_str(&format!(", written `{}`", l.expression.trim()));
                        }
                        text
                    })
                    .unwrap_or_else(|| "none".to_string()),
                confidence: license.as_ref().map(|l| l.confidence),
                file: license
                    .as_ref()
                    .and_then(|l| l.file.as_ref())
                    .map(|f| relative_file(package, f)),
                verdict: verdicts.as_ref().map(|v| {
                    v.get(&package.id).cloned().unwrap_or(PackageVerdict {
                        result: "allowed".to_string(),
                        severity: None,
                        rule: None,
                        message: None,
                        waiver: None,
                    })
                }),
            });
        }
        let mut groups: Vec<LicenseGroup> = groups.into_values().collect();
        let mut categories: BTreeMap<String, usize> =
            CATEGORY_ORDER.iter().map(|c| (c.to_string(), 0)).collect();
        let mut verdict_counts: BTreeMap<String, usize> = BTreeMap::new();
        for group in &mut groups {
            group.packages.sort_by(|a, b| {
                (&a.name, &a.version, &a.ecosystem).cmp(&(&b.name, &b.version, &b.ecosystem))
            });
            // A package locked by two lockfiles of a monorepo is two packages of the
            // inventory; the report lists it once where everything it says of them is the
            // same (a difference, such as dev in one and runtime in the other, keeps both).
            group.packages = without_repeats(
                std::mem::take(&mut group.packages),
                |a, b| (&a.name, &a.version, &a.ecosystem) == (&b.name, &b.version, &b.ecosystem),
                PackageEntry::says_the_same,
            );
            *categories.entry(group.category.clone()).or_default() += group.packages.len();
            if verdicts.is_some() {
                for package in &group.packages {
                    if let Some(verdict) = &package.verdict {
                        *verdict_counts.entry(verdict.result.clone()).or_default() += 1;
                    }
                }
                group.verdict = group
                    .packages
                    .iter()
                    .filter_map(|p| p.verdict.as_ref())
                    .map(|v| v.result.clone())
                    .min_by_key(|r| verdict_rank(r));
            }
        }
        // Valid expressions first (case-insensitive), then invalid ones, then "no license".
        groups.sort_by(|a, b| {
            (a.status, a.expression.to_lowercase(), &a.expression).cmp(&(
                b.status,
                b.expression.to_lowercase(),
                &b.expression,
            ))
        });
        unknown.sort_by(|a, b| a.package.cmp(&b.package));
        let unknown = without_repeats(unknown, |a, b| a.package == b.package, PartialEq::eq);
        // Few, in the order they were found: compared with every earlier one.
        let conflicts = without_repeats(conflicts, |_, _| true, PartialEq::eq);
        LicenseReport {
            schema: LICENSES_SCHEMA.to_string(),
            tool: Tool::depgate(),
            inputs: InputRef::all_of(inventory),
            policy: policy.map(|p| PolicyRef::of(p.policy)),
            summary: LicenseSummary {
                packages: groups.iter().map(|g| g.packages.len()).sum(),
                groups: groups.len(),
                categories,
                verdicts: verdicts.map(|_| verdict_counts),
                unknown,
                conflicts,
            },
            groups,
        }
    }

    /// The category counts in report order, for the text formats.
    pub fn category_counts(&self) -> Vec<(String, usize)> {
        CATEGORY_ORDER
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    self.summary.categories.get(*c).copied().unwrap_or(0),
                )
            })
            .collect()
    }
}

/// `items` without the items that `repeat` an earlier one, in order; only the run of earlier
/// items of the same key (adjacent when `items` are sorted by it) is compared.
fn without_repeats<T>(
    items: Vec<T>,
    same_key: impl Fn(&T, &T) -> bool,
    repeat: impl Fn(&T, &T) -> bool,
) -> Vec<T> {
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        let repeated = kept
            .iter()
            .rev()
            .take_while(|earlier| same_key(earlier, &item))
            .any(|earlier| repeat(earlier, &item));
        if !repeated {
            kept.push(item);
        }
    }
    kept
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Runtime => "runtime",
        Scope::Build => "build",
        Scope::Dev => "dev",
        Scope::Optional => "optional",
    }
}

fn new_group(concluded: &Concluded) -> LicenseGroup {
    let (category, osi, fsf, licenses) = match &concluded.expression {
        Some(expression) => {
            let mut licenses: Vec<LicenseTerm> = Vec::new();
            for node in expression.requirements() {
                let term = term(&node.req);
                if !licenses
                    .iter()
                    .any(|t| t.id == term.id && t.exception == term.exception)
                {
                    licenses.push(term);
                }
            }
            let osi = expression.evaluate(
                |req| matches!(&req.license, LicenseItem::Spdx { id, .. } if id.is_osi_approved()),
            );
            let fsf = expression.evaluate(|req| {
                matches!(&req.license, LicenseItem::Spdx { id, .. } if id.is_fsf_free_libre())
            });
            (
                expression_category(expression).as_str().to_string(),
                osi,
                fsf,
                licenses,
            )
        }
        None => (UNKNOWN_CATEGORY.to_string(), false, false, Vec::new()),
    };
    LicenseGroup {
        expression: concluded.key.clone(),
        status: concluded.status,
        category,
        osi_approved: osi,
        fsf_libre: fsf,
        licenses,
        verdict: None,
        packages: Vec::new(),
    }
}

/// The display form of a group's expression: `(no license)` for none.
pub fn group_title(group: &LicenseGroup) -> String {
    match group.status {
        GroupStatus::Spdx => group.expression.clone(),
        GroupStatus::Invalid => format!("{} (not valid SPDX)", group.expression),
        GroupStatus::None => "(no license)".to_string(),
    }
}

/// `yes`/`no` for the text formats.
pub fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// Renders the report as pretty JSON (schema [`LICENSES_SCHEMA`]) with a final newline.
pub fn render_json(report: &LicenseReport) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(text: &str) -> &'static str {
        expression_category(&spdx::Expression::parse(text).unwrap()).as_str()
    }

    #[test]
    fn expression_category_takes_open_choice_and_strict_conjunction() {
        assert_eq!(category("MIT OR Apache-2.0"), "permissive");
        assert_eq!(category("MIT OR GPL-3.0-only"), "permissive");
        assert_eq!(category("MIT AND GPL-3.0-only"), "strong-copyleft");
        assert_eq!(
            category("(MIT AND MPL-2.0) OR AGPL-3.0-only"),
            "weak-copyleft"
        );
        assert_eq!(category("CC0-1.0"), "public-domain");
        assert_eq!(category("LicenseRef-Proprietary"), "proprietary");
    }
}
