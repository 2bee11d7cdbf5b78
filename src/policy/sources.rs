//! `[sources]`: the registries and git hosts (or `host/org` prefixes) packages may come from,
//! and the levels of the `sources.*` rules. Registries and git URLs are normalised here, once,
//! for the policy and for `evaluate` alike.
//!
//! In: the `[sources]` table of each file. Out: a [`SourcePolicy`].

use serde::Deserialize;

use super::context::{FileContext, Text};
use super::model::SourcePolicy;
use super::section::{Fallback, Merger, SectionHead, SectionPartial, Table};
use crate::vocabulary::Section;

/// `[sources]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSources {
    #[serde(default)]
    allow_registries: Vec<Text>,
    #[serde(default)]
    allow_git: Vec<Text>,
}

/// What a file sets in `[sources]`.
#[derive(Debug, Default)]
pub(super) struct SourcesPartial {
    head: SectionHead,
    allow_registries: Vec<String>,
    allow_git: Vec<String>,
}

impl SectionPartial for SourcesPartial {
    const TABLE: Table = Table::Rules(Section::Sources);
    type Raw = RawSources;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawSources) {
        for text in &raw.allow_registries {
            if let Some(value) = context.non_empty(text, "a registry") {
                self.allow_registries.push(normalize_registry(&value));
            }
        }
        for text in &raw.allow_git {
            if let Some(value) = context.non_empty(text, "a git host") {
                let normalized = normalize_git(&value);
                if normalized.is_empty() || normalized.starts_with('/') {
                    context.problem(
                        text.span(),
                        format!("`{value}` is not a git host or `host/org`"),
                    );
                } else {
                    self.allow_git.push(normalized);
                }
            }
        }
    }

    fn merge(&mut self, later: Self, _merger: &mut Merger<'_>) {
        self.allow_registries.extend(later.allow_registries);
        self.allow_git.extend(later.allow_git);
    }
}

impl SourcesPartial {
    /// The validated `[sources]`; without `allow-registries`, only crates.io is allowed.
    pub fn finish(self, fallback: &mut Fallback) -> SourcePolicy {
        let rules = fallback.rules(Section::Sources, &self.head);
        SourcePolicy {
            not_allowed: rules.rule("sources.not-allowed"),
            git: rules.rule("sources.git"),
            path: rules.rule("sources.path"),
            allow_registries: if self.allow_registries.is_empty() {
                vec!["crates.io".to_string()]
            } else {
                self.allow_registries
            },
            allow_git: self.allow_git,
        }
    }
}

/// Normalises a registry spelling: `crates.io` and both crates.io index URLs are one registry.
pub fn normalize_registry(url: &str) -> String {
    let trimmed = url
        .trim()
        .trim_start_matches("registry+")
        .trim_start_matches("sparse+")
        .trim_end_matches('/');
    match trimmed {
        "crates.io"
        | "https://github.com/rust-lang/crates.io-index"
        | "https://index.crates.io" => "crates.io".to_string(),
        other => other.to_string(),
    }
}

/// Normalises a git URL or allow-list entry to `host/path` (no scheme, user, `.git` or `/`).
pub fn normalize_git(url: &str) -> String {
    let mut text = url.trim().trim_start_matches("git+");
    if let Some((_, rest)) = text.split_once("://") {
        text = rest;
    }
    if let Some((_, rest)) = text.split_once('@') {
        // `git@github.com:org/repo` (scp-like) and `user@host/...`.
        text = rest;
    }
    let text = text.replacen(':', "/", 1);
    let text = text.split(['?', '#']).next().unwrap_or_default();
    text.trim_end_matches('/')
        .trim_end_matches(".git")
        .to_ascii_lowercase()
}
