//! `[sbom-quality]` (what an SBOM given to `check --sbom` must carry: a standard's required
//! fields and/or named ones, on a share of its components; the level of
//! `sbom-quality.coverage`) and `[sbom]` (who makes the SBOMs and who supplies the product,
//! for `depgate sbom --profile`; no verdict depends on it).
//!
//! In: those tables of each file. Out: [`SbomQualityPolicy`] (only when some file has the
//! section: its presence turns the rule on) and [`SbomDefaults`].

use serde::Deserialize;
use toml::Spanned;

use super::context::{FileContext, Setting, Text, value};
use super::model::{SbomDefaults, SbomQualityPolicy};
use super::section::{Fallback, Merger, SectionHead, SectionPartial, Table};
use crate::vocabulary::Section;
use crate::vocabulary::rules::{SBOM_FIELDS, SBOM_STANDARDS};

/// `[sbom-quality]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSbomQuality {
    profile: Option<Text>,
    #[serde(default)]
    required_fields: Vec<Text>,
    min_coverage: Option<Spanned<f64>>,
}

/// What a file sets in `[sbom-quality]`.
#[derive(Debug, Default)]
pub(super) struct SbomQualityPartial {
    head: SectionHead,
    /// A file has the section (every key in it is optional).
    present: bool,
    profile: Setting<String>,
    required_fields: Vec<String>,
    min_coverage: Setting<f64>,
}

/// `text` when it is one of `known`; otherwise a problem at its span listing them.
fn known_value(
    context: &mut FileContext<'_>,
    text: &Text,
    what: &str,
    known: &[&str],
) -> Option<String> {
    let value = context.non_empty(text, &format!("a {what}"))?;
    if known.contains(&value.as_str()) {
        return Some(value);
    }
    context.problem(
        text.span(),
        format!(
            "unknown {what} `{value}`: expected one of {}",
            known.join(", ")
        ),
    );
    None
}

impl SectionPartial for SbomQualityPartial {
    const TABLE: Table = Table::Rules(Section::SbomQuality);
    type Raw = RawSbomQuality;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    // Called for every `[sbom-quality]` table, even one that only sets a level or an owner.
    fn read(&mut self, context: &mut FileContext<'_>, raw: RawSbomQuality) {
        self.present = true;
        if let Some(text) = &raw.profile
            && let Some(profile) = known_value(context, text, "profile", SBOM_STANDARDS)
        {
            self.profile = Some((profile, context.origin(text.span())));
        }
        for text in &raw.required_fields {
            if let Some(field) = known_value(context, text, "SBOM field", SBOM_FIELDS) {
                self.required_fields.push(field);
            }
        }
        self.min_coverage = context.in_range(
            &raw.min_coverage,
            0.0..=100.0,
            "`min-coverage` is a percentage between 0 and 100",
        );
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        self.present |= later.present;
        merger.setting("sbom-quality.profile", &mut self.profile, later.profile);
        merger.setting(
            "sbom-quality.min-coverage",
            &mut self.min_coverage,
            later.min_coverage,
        );
        self.required_fields.extend(later.required_fields);
    }
}

impl SbomQualityPartial {
    /// The validated `[sbom-quality]`, or `None` when no file has the section.
    pub fn finish(self, fallback: &mut Fallback) -> Option<SbomQualityPolicy> {
        if !self.present {
            return None;
        }
        let rules = fallback.rules(Section::SbomQuality, &self.head);
        let mut required_fields = self.required_fields;
        required_fields.sort();
        required_fields.dedup();
        Some(SbomQualityPolicy {
            rule: rules.rule("sbom-quality.coverage"),
            profile: value(&self.profile),
            required_fields,
            min_coverage: value(&self.min_coverage).unwrap_or(100.0),
        })
    }
}

/// `[sbom]`'s keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSbom {
    creator: Option<Text>,
    supplier: Option<Text>,
}

/// What a file sets in `[sbom]`.
#[derive(Debug, Default)]
pub(super) struct SbomPartial {
    head: SectionHead,
    creator: Setting<String>,
    supplier: Setting<String>,
}

impl SectionPartial for SbomPartial {
    const TABLE: Table = Table::Sbom;
    type Raw = RawSbom;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawSbom) {
        self.creator = context.text_setting(&raw.creator, "`sbom.creator`");
        self.supplier = context.text_setting(&raw.supplier, "`sbom.supplier`");
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        merger.setting("sbom.creator", &mut self.creator, later.creator);
        merger.setting("sbom.supplier", &mut self.supplier, later.supplier);
    }
}

impl SbomPartial {
    /// The validated `[sbom]`.
    pub fn finish(self) -> SbomDefaults {
        SbomDefaults {
            creator: value(&self.creator),
            supplier: value(&self.supplier),
        }
    }
}
