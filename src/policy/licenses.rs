//! `[licenses]`: allow and deny lists of SPDX ids and categories, per-package exceptions
//! (`[[licenses.exceptions]]`), clarifications (`[[licenses.clarify]]`), the minimum detection
//! confidence, and the levels of the `licenses.*` rules.
//!
//! In: the `[licenses]` table of each file. Out: a [`LicensePolicy`].

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

use super::context::{FileContext, Setting, Text, value};
use super::model::{
    CategoryEntry, Clarification, LicenseCategory, LicenseEntry, LicenseException, LicensePolicy,
    PinnedFile,
};
use super::section::{EntryReader, Fallback, Merger, SectionHead, SectionPartial, Table};
use crate::vocabulary::Section;

/// The minimum detection confidence when the policy sets none.
const DEFAULT_MIN_CONFIDENCE: f64 = 0.9;

/// `[licenses]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawLicenses {
    #[serde(default)]
    allow: Vec<Text>,
    #[serde(default)]
    deny: Vec<Text>,
    #[serde(default)]
    allow_categories: Vec<Text>,
    #[serde(default)]
    deny_categories: Vec<Text>,
    min_confidence: Option<Spanned<f64>>,
    registry_lookups: Option<Spanned<bool>>,
}

/// `[[licenses.exceptions]]`: extra licenses allowed for one package.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawException {
    name: Text,
    version: Option<Text>,
    allow: Vec<Text>,
    reason: Option<Text>,
}

/// `[[licenses.clarify]]`: the real license of a package whose metadata is wrong.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClarification {
    name: Text,
    version: Option<Text>,
    expression: Text,
    #[serde(default)]
    files: Vec<RawClarificationFile>,
    reason: Option<Text>,
}

/// A license file a clarification is pinned to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawClarificationFile {
    path: Text,
    sha256: Text,
}

/// What a file sets in `[licenses]`.
#[derive(Debug, Default)]
pub(super) struct LicensesPartial {
    head: SectionHead,
    min_confidence: Setting<f64>,
    registry_lookups: Setting<bool>,
    allow: Vec<LicenseEntry>,
    deny: Vec<LicenseEntry>,
    allow_categories: Vec<CategoryEntry>,
    deny_categories: Vec<CategoryEntry>,
    exceptions: Vec<LicenseException>,
    clarifications: Vec<Clarification>,
}

impl SectionPartial for LicensesPartial {
    const TABLE: Table = Table::Rules(Section::Licenses);
    const ENTRIES: &'static [(&'static str, EntryReader<Self>)] = &[
        ("exceptions", LicensesPartial::exception),
        ("clarify", LicensesPartial::clarification),
    ];
    type Raw = RawLicenses;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawLicenses) {
        self.min_confidence = context.in_range(
            &raw.min_confidence,
            0.0..=1.0,
            "`min-confidence` must be between 0.0 and 1.0",
        );
        self.registry_lookups = raw
            .registry_lookups
            .map(|lookups| (*lookups.get_ref(), context.origin(lookups.span())));
        self.allow = context.each(&raw.allow, license_entry);
        self.deny = context.each(&raw.deny, license_entry);
        self.allow_categories = context.each(&raw.allow_categories, category);
        self.deny_categories = context.each(&raw.deny_categories, category);
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        merger.setting(
            "licenses.min-confidence",
            &mut self.min_confidence,
            later.min_confidence,
        );
        merger.setting(
            "licenses.registry-lookups",
            &mut self.registry_lookups,
            later.registry_lookups,
        );
        self.allow.extend(later.allow);
        self.deny.extend(later.deny);
        self.allow_categories.extend(later.allow_categories);
        self.deny_categories.extend(later.deny_categories);
        self.exceptions.extend(later.exceptions);
        self.clarifications.extend(later.clarifications);
    }
}

impl LicensesPartial {
    fn exception(
        &mut self,
        context: &mut FileContext<'_>,
        entry: Spanned<DeValue<'_>>,
        what: &str,
    ) {
        let Some((raw, origin)) = context.entry::<RawException>(entry, what) else {
            return;
        };
        let package = context.selector(&raw.name, &raw.version);
        let mut allow = Vec::new();
        let mut ok = true;
        for text in &raw.allow {
            match license_entry(context, text) {
                Some(entry) => allow.push(entry),
                None => ok = false,
            }
        }
        if raw.allow.is_empty() {
            context.problem(
                raw.name.span(),
                "an exception must `allow` at least one license",
            );
            ok = false;
        }
        if let (Some(package), true) = (package, ok) {
            self.exceptions.push(LicenseException {
                package,
                allow,
                reason: raw.reason.map(Spanned::into_inner),
                origin,
            });
        }
    }

    fn clarification(
        &mut self,
        context: &mut FileContext<'_>,
        entry: Spanned<DeValue<'_>>,
        what: &str,
    ) {
        let Some((raw, origin)) = context.entry::<RawClarification>(entry, what) else {
            return;
        };
        let package = context.selector(&raw.name, &raw.version);
        let expression = match spdx::Expression::parse(raw.expression.get_ref()) {
            Ok(expression) => Some(expression.to_string()),
            Err(error) => {
                context.problem(
                    raw.expression.span(),
                    format!(
                        "`{}` is not a valid SPDX expression: {}",
                        raw.expression.get_ref(),
                        error.reason
                    ),
                );
                None
            }
        };
        let mut files = Vec::new();
        let mut ok = true;
        for file in &raw.files {
            let hash = file.sha256.get_ref().trim().to_ascii_lowercase();
            if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
                context.problem(file.sha256.span(), "`sha256` must be 64 hexadecimal digits");
                ok = false;
            }
            let path = PathBuf::from(file.path.get_ref());
            if path.is_absolute() || path.components().any(|c| c.as_os_str() == "..") {
                context.problem(
                    file.path.span(),
                    "`path` must be relative to the package's directory, without `..`",
                );
                ok = false;
                continue;
            }
            files.push(PinnedFile { path, sha256: hash });
        }
        if let (Some(package), Some(expression), true) = (package, expression, ok) {
            self.clarifications.push(Clarification {
                package,
                expression,
                files,
                reason: raw.reason.map(Spanned::into_inner),
                origin,
            });
        }
    }

    /// The validated `[licenses]`.
    pub fn finish(self, fallback: &mut Fallback) -> LicensePolicy {
        let rules = fallback.rules(Section::Licenses, &self.head);
        LicensePolicy {
            denied: rules.rule("licenses.denied"),
            not_allowed: rules.rule("licenses.not-allowed"),
            unknown: rules.rule("licenses.unknown"),
            low_confidence: rules.rule("licenses.low-confidence"),
            clarification_stale: rules.rule("licenses.clarification-stale"),
            unused_exception: rules.rule("licenses.unused-exception"),
            allow: self.allow,
            deny: self.deny,
            allow_categories: self.allow_categories,
            deny_categories: self.deny_categories,
            min_confidence: value(&self.min_confidence).unwrap_or(DEFAULT_MIN_CONFIDENCE),
            registry_lookups: value(&self.registry_lookups).unwrap_or(false),
            exceptions: self.exceptions,
            clarifications: self.clarifications,
        }
    }
}

/// One license of an allow or deny list: an SPDX id (optionally `WITH` an exception) or a
/// `LicenseRef-…`, never an expression.
fn license_entry(context: &mut FileContext<'_>, text: &Text) -> Option<LicenseEntry> {
    let written = text.get_ref().trim();
    match spdx::Licensee::parse(written) {
        Ok(_) => Some(LicenseEntry {
            license: written.to_string(),
            origin: context.origin(text.span()),
        }),
        Err(error) => {
            let hint = crate::vocabulary::spdx::suggest_id(written)
                .map(|suggestion| format!(" (did you mean `{suggestion}`?)"))
                .unwrap_or_default();
            let message = if written.contains(" OR ") || written.contains(" AND ") {
                "list each license separately; `OR`/`AND` expressions are not allowed here"
                    .to_string()
            } else {
                error.reason.to_string()
            };
            context.problem(
                text.span(),
                format!("`{written}` is not an SPDX license id: {message}{hint}"),
            );
            None
        }
    }
}

/// One category of an allow or deny list.
fn category(context: &mut FileContext<'_>, text: &Text) -> Option<CategoryEntry> {
    match LicenseCategory::parse(text.get_ref().trim()) {
        Some(category) => Some(CategoryEntry {
            category,
            origin: context.origin(text.span()),
        }),
        None => {
            let known: Vec<_> = LicenseCategory::ALL.iter().map(|c| c.as_str()).collect();
            context.problem(
                text.span(),
                format!(
                    "unknown license category `{}`: expected one of {}",
                    text.get_ref(),
                    known.join(", ")
                ),
            );
            None
        }
    }
}
