//! `[advisories]`: how advisory findings count (the levels of the `advisories.*` rules, the
//! CVSS threshold below which a vulnerability only warns, the score assumed without one), the
//! maximum database age and which kinds of database to use.
//!
//! In: the `[advisories]` table of each file. Out: an [`AdvisoryPolicy`].

use serde::Deserialize;
use toml::Spanned;

use super::context::{FileContext, Setting, Text, value};
use super::model::AdvisoryPolicy;
use super::section::{Fallback, Merger, SectionHead, SectionPartial, Table};
use crate::vocabulary::Section;

/// `[advisories]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawAdvisories {
    severity_threshold: Option<Spanned<f64>>,
    unknown_severity: Option<Spanned<toml::Value>>,
    max_db_age: Option<Spanned<toml::Value>>,
    databases: Option<Spanned<Vec<Text>>>,
    vex: Option<Spanned<Vec<Text>>>,
}

/// What a file sets in `[advisories]`.
#[derive(Debug, Default)]
pub(super) struct AdvisoriesPartial {
    head: SectionHead,
    severity_threshold: Setting<f64>,
    unknown_severity_score: Setting<f64>,
    max_db_age_days: Setting<u32>,
    databases: Setting<Vec<String>>,
    vex: Setting<Vec<std::path::PathBuf>>,
}

impl SectionPartial for AdvisoriesPartial {
    const TABLE: Table = Table::Rules(Section::Advisories);
    type Raw = RawAdvisories;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawAdvisories) {
        self.severity_threshold = context.in_range(
            &raw.severity_threshold,
            0.0..=10.0,
            "`severity-threshold` must be a CVSS score, 0.0 to 10.0",
        );
        if let Some(value) = &raw.unknown_severity {
            let score = match value.get_ref() {
                toml::Value::String(label) => match label.to_ascii_lowercase().as_str() {
                    "critical" => Some(9.0),
                    "high" => Some(7.0),
                    "medium" | "moderate" => Some(4.0),
                    "low" => Some(0.1),
                    "none" => Some(0.0),
                    _ => None,
                },
                toml::Value::Float(score) if (0.0..=10.0).contains(score) => Some(*score),
                toml::Value::Integer(score) if (0..=10).contains(score) => Some(*score as f64),
                _ => None,
            };
            match score {
                Some(score) => {
                    self.unknown_severity_score = Some((score, context.origin(value.span())));
                }
                None => context.problem(
                    value.span(),
                    "`unknown-severity` must be `critical`, `high`, `medium`, `low`, `none` or a CVSS score",
                ),
            }
        }
        if let Some(value) = &raw.max_db_age {
            let days = match value.get_ref() {
                toml::Value::Integer(days) => u32::try_from(*days).ok(),
                toml::Value::String(text) => text
                    .trim()
                    .strip_suffix('d')
                    .and_then(|days| days.trim().parse::<u32>().ok()),
                _ => None,
            };
            match days {
                Some(days) => self.max_db_age_days = Some((days, context.origin(value.span()))),
                None => context.problem(
                    value.span(),
                    "`max-db-age` must be a number of days, like `\"7d\"` or `7`",
                ),
            }
        }
        if let Some(databases) = &raw.databases {
            let mut names = Vec::new();
            for text in databases.get_ref() {
                match text.get_ref().trim() {
                    name @ ("rustsec" | "osv") => names.push(name.to_string()),
                    other => context.problem(
                        text.span(),
                        format!(
                            "unknown advisory database kind `{other}`: expected `rustsec` or `osv`"
                        ),
                    ),
                }
            }
            self.databases = Some((names, context.origin(databases.span())));
        }
        if let Some(documents) = &raw.vex {
            let origin = context.origin(documents.span());
            // Relative to the policy file, so a policy and its VEX documents move together.
            let base = origin
                .file
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            let mut paths = Vec::new();
            for text in documents.get_ref() {
                match text.get_ref().trim() {
                    "" => context.problem(text.span(), "a `vex` entry must name a file"),
                    path => paths.push(base.join(path)),
                }
            }
            self.vex = Some((paths, origin));
        }
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        merger.setting(
            "advisories.severity-threshold",
            &mut self.severity_threshold,
            later.severity_threshold,
        );
        merger.setting(
            "advisories.unknown-severity",
            &mut self.unknown_severity_score,
            later.unknown_severity_score,
        );
        merger.setting(
            "advisories.max-db-age",
            &mut self.max_db_age_days,
            later.max_db_age_days,
        );
        merger.setting("advisories.databases", &mut self.databases, later.databases);
        merger.setting("advisories.vex", &mut self.vex, later.vex);
    }
}

impl AdvisoriesPartial {
    /// The validated `[advisories]`.
    pub fn finish(self, fallback: &mut Fallback) -> AdvisoryPolicy {
        let rules = fallback.rules(Section::Advisories, &self.head);
        AdvisoryPolicy {
            vulnerability: rules.rule("advisories.vulnerability"),
            unmaintained: rules.rule("advisories.unmaintained"),
            unsound: rules.rule("advisories.unsound"),
            notice: rules.rule("advisories.notice"),
            yanked: rules.rule("advisories.yanked"),
            stale_db: rules.rule("advisories.db-age"),
            severity_threshold: value(&self.severity_threshold),
            unknown_severity_score: value(&self.unknown_severity_score)
                .unwrap_or(AdvisoryPolicy::DEFAULT_UNKNOWN_SEVERITY_SCORE),
            max_db_age_days: Some(
                value(&self.max_db_age_days).unwrap_or(AdvisoryPolicy::DEFAULT_MAX_DB_AGE_DAYS),
            ),
            databases: value(&self.databases).unwrap_or_default(),
            vex: value(&self.vex).unwrap_or_default(),
        }
    }
}
