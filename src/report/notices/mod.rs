//! Third-party notices (`depgate notices`): for each license, its full SPDX text and the
//! packages under it with their copyright lines; every `NOTICE` file verbatim; and the
//! packages that need attention (no license text or no copyright holder found).
//!
//! In: `&Inventory`, optionally the policy (for clarifications), and the [`NoticeFacts`] that
//! `enrich::notices` read for each package. Out: one [`NoticesReport`] (schema
//! `depgate.notices/v1`) rendered as `text`, `markdown`, `html` or `json`. Sorted and
//! deterministic.

pub mod html;
pub mod markdown;
pub mod text;

use std::collections::BTreeMap;

use serde::Serialize;
use spdx::LicenseItem;

use super::Tool;
use super::licenses::expression_category;
use crate::enrich::notices::NoticeFacts;
use crate::evaluate::licenses::concluded_license;
use crate::inventory::{Inventory, PackageId};
use crate::policy::{LicenseCategory, ValidPolicy};
use crate::vocabulary::spdx::normalize;

/// The versioned schema name of the JSON notices.
pub const NOTICES_SCHEMA: &str = "depgate.notices/v1";

/// The notices document: the one value every `notices` format renders.
#[derive(Debug, Clone, Serialize)]
pub struct NoticesReport {
    /// Always [`NOTICES_SCHEMA`].
    pub schema: String,
    /// The tool.
    pub tool: Tool,
    /// Counts.
    pub summary: NoticesSummary,
    /// One section per license or exception, sorted by id.
    pub licenses: Vec<NoticeLicense>,
    /// Every `NOTICE` file, verbatim, sorted by package.
    pub notices: Vec<NoticeFile>,
    /// Packages whose license text or copyright holder could not be found.
    pub needs_attention: Vec<Attention>,
}

/// Counts on top of the notices.
#[derive(Debug, Clone, Serialize)]
pub struct NoticesSummary {
    /// Third-party packages covered.
    pub packages: usize,
    /// License and exception sections.
    pub licenses: usize,
    /// `NOTICE` files reproduced.
    pub notice_files: usize,
    /// Packages that need attention.
    pub needs_attention: usize,
}

/// One license (or `WITH` exception) and the packages under it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeLicense {
    /// The SPDX id.
    pub id: String,
    /// The full name from the SPDX list.
    pub name: String,
    /// `license`, `exception`, or `license-ref` (a `LicenseRef-…` whose text is the
    /// package's own license file; its id is then `LicenseRef-… (name@version)`).
    pub kind: String,
    /// The full text from the SPDX license list.
    pub text: String,
    /// The packages under it, sorted.
    pub packages: Vec<NoticePackage>,
}

/// A package under a license.
#[derive(Debug, Clone, Serialize)]
pub struct NoticePackage {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Ecosystem (purl type).
    pub ecosystem: String,
    /// The package's whole concluded expression (it may list several licenses).
    pub license: String,
    /// Copyright lines from its license files and source headers.
    pub copyrights: Vec<String>,
}

/// A `NOTICE` file reproduced verbatim.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeFile {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// Ecosystem (purl type).
    pub ecosystem: String,
    /// The file, relative to the package's sources.
    pub file: String,
    /// The exact content.
    pub text: String,
}

/// A package that needs a human.
#[derive(Debug, Clone, Serialize)]
pub struct Attention {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Ecosystem (purl type).
    pub ecosystem: String,
    /// The license as concluded (or written), when there is one.
    pub license: Option<String>,
    /// What is missing.
    pub reasons: Vec<String>,
}

impl Attention {
    /// `- NAME VERSION (ECOSYSTEM), license L: REASONS`, each part passed through `text`
    /// (Markdown escaping, or none) and the name and license through `name` and `license`
    /// (emphasis, code spans), as the text formats list items needing attention.
    pub fn line(
        &self,
        text: impl Fn(&str) -> String,
        name: impl Fn(String) -> String,
        license: impl Fn(&str) -> String,
    ) -> String {
        format!(
            "- {} {} ({}){}: {}",
            name(text(&self.name)),
            text(&self.version),
            self.ecosystem,
            self.license
                .as_ref()
                .map(|l| format!(", license {}", license(l)))
                .unwrap_or_default(),
            text(&self.reasons.join("; "))
        )
    }
}

impl NoticesReport {
    /// Builds the notices for the third-party packages of `inventory`; `facts` holds what was
    /// read from each package's sources (a package missing from it had none available).
    pub fn new(
        inventory: &Inventory,
        policy: Option<&ValidPolicy>,
        facts: &BTreeMap<PackageId, NoticeFacts>,
    ) -> Self {
        let empty = NoticeFacts::default();
        let mut licenses: BTreeMap<String, NoticeLicense> = BTreeMap::new();
        let mut notices = Vec::new();
        let mut attention = Vec::new();
        let mut packages = 0;
        for package in inventory.third_party() {
            packages += 1;
            let facts = facts.get(&package.id).unwrap_or(&empty);
            let license = match policy {
                Some(policy) => concluded_license(inventory, &policy.licenses, package),
                None => package.license.clone(),
            };
            let mut reasons = Vec::new();
            for (file, text) in &facts.notice_files {
                notices.push(NoticeFile {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    ecosystem: package.ecosystem.purl_type().to_string(),
                    file: file.clone(),
                    text: text.clone(),
                });
            }
            let written = license
                .as_ref()
                .map(|l| l.expression.trim().to_string())
                .filter(|t| !t.is_empty());
            let mut concluded = written.clone();
            let mut public_domain = false;
            match written.as_deref().map(normalize) {
                None => reasons.push("no license metadata and none detected".to_string()),
                Some(Err(reason)) => {
                    reasons.push(format!("license is not a valid SPDX expression ({reason})"))
                }
                Some(Ok(normalized)) => {
                    public_domain = expression_category(&normalized.expression)
                        == LicenseCategory::PublicDomain;
                    concluded = Some(normalized.normalized.clone());
                    for node in normalized.expression.requirements() {
                        let mut sections = Vec::new();
                        match &node.req.license {
                            LicenseItem::Spdx { id, .. } => sections.push((
                                id.name.to_string(),
                                id.full_name.to_string(),
                                "license",
                                id.text().to_string(),
                            )),
                            // A `LicenseRef-…` has no SPDX text: the package's own license
                            // files are its text, so they are reproduced under its name.
                            LicenseItem::Other(_) if !facts.license_texts.is_empty() => {
                                let id = node.req.license.to_string();
                                let files: Vec<&str> =
                                    facts.license_texts.iter().map(|(f, _)| f.as_str()).collect();
                                let text: Vec<&str> =
                                    facts.license_texts.iter().map(|(_, t)| t.as_str()).collect();
                                sections.push((
                                    format!("{id} ({})", package.name_version()),
                                    format!(
                                        "{id}, as written in {} {} {}",
                                        package.name,
                                        package.version,
                                        files.join(", ")
                                    ),
                                    "license-ref",
                                    text.join("\n"),
                                ));
                            }
                            LicenseItem::Other(_) => reasons.push(format!(
                                "no license text for `{}` (not in the SPDX list, and no license file found)",
                                node.req
                            )),
                        }
                        if let Some(addition) = &node.req.addition {
                            match addition {
                                spdx::AdditionItem::Spdx(exception) => sections.push((
                                    exception.name.to_string(),
                                    exception.name.to_string(),
                                    "exception",
                                    exception.text().to_string(),
                                )),
                                spdx::AdditionItem::Other(_) => reasons.push(format!(
                                    "no text for the exception `{addition}` (not in the SPDX list)"
                                )),
                            }
                        }
                        for (id, name, kind, text) in sections {
                            let section =
                                licenses.entry(id.clone()).or_insert_with(|| NoticeLicense {
                                    id,
                                    name,
                                    kind: kind.to_string(),
                                    text,
                                    packages: Vec::new(),
                                });
                            if !section
                                .packages
                                .iter()
                                .any(|p| p.name == package.name && p.version == package.version)
                            {
                                section.packages.push(NoticePackage {
                                    name: package.name.clone(),
                                    version: package.version.clone(),
                                    ecosystem: package.ecosystem.purl_type().to_string(),
                                    license: normalized.normalized.clone(),
                                    copyrights: facts.copyrights.clone(),
                                });
                            }
                        }
                    }
                }
            }
            // Public-domain dedications name no holder to credit; every other license needs one.
            if facts.copyrights.is_empty() && !public_domain {
                reasons.push(if facts.sources_available {
                    "no copyright line found in its license files or source headers".to_string()
                } else {
                    "its sources are not on this machine, so no copyright holder was found"
                        .to_string()
                });
            }
            if !reasons.is_empty() {
                attention.push(Attention {
                    name: package.name.clone(),
                    version: package.version.clone(),
                    ecosystem: package.ecosystem.purl_type().to_string(),
                    license: concluded,
                    reasons,
                });
            }
        }
        let mut licenses: Vec<NoticeLicense> = licenses.into_values().collect();
        for section in &mut licenses {
            section.packages.sort_by(|a, b| {
                (&a.name, &a.version, &a.ecosystem).cmp(&(&b.name, &b.version, &b.ecosystem))
            });
        }
        notices.sort_by(|a, b| {
            (&a.name, &a.version, &a.ecosystem, &a.file).cmp(&(
                &b.name,
                &b.version,
                &b.ecosystem,
                &b.file,
            ))
        });
        attention.sort_by(|a, b| {
            (&a.name, &a.version, &a.ecosystem).cmp(&(&b.name, &b.version, &b.ecosystem))
        });
        NoticesReport {
            schema: NOTICES_SCHEMA.to_string(),
            tool: Tool::depgate(),
            summary: NoticesSummary {
                packages,
                licenses: licenses.len(),
                notice_files: notices.len(),
                needs_attention: attention.len(),
            },
            licenses,
            notices,
            needs_attention: attention,
        }
    }
}

/// Renders the notices as pretty JSON (schema [`NOTICES_SCHEMA`]) with a final newline.
pub fn render_json(report: &NoticesReport) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text.into_bytes()
}
