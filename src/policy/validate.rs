//! Policy validation: TOML text -> raw serde structs (with spans) -> checked values ->
//! [`ValidPolicy`], collecting *every* problem with its file, line and column.
//!
//! In: one or more `(path, text)` pairs (a directory's files are merged). Out: a `ValidPolicy`
//! or [`PolicyError::Invalid`] listing all problems. Each section and each entry of an array
//! of tables is deserialised on its own, so one mistake never hides the next.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use thiserror::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::model::*;
use super::raw::*;
use super::{AdvisoryPolicy, Level, RuleMeta};
use crate::vocabulary::FindingCode;

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` line {}, column {}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a policy could not be loaded.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// A policy file or directory could not be read.
    #[error("cannot read policy `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A policy directory holds no `*.toml` file.
    #[error("policy directory `{}` holds no `*.toml` policy file", path.display())]
    EmptyDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// The policy has problems; all of them are listed.
    #[error("invalid policy ({} problem{}):\n{}", problems.len(), if problems.len() == 1 { "" } else { "s" }, render(problems))]
    Invalid {
        /// Every problem, sorted by file, line and column.
        problems: Vec<Problem>,
    },
}

fn render(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The spelling of the built-in policy's file name in messages and origins.
pub const BUILTIN_NAME: &str = "<built-in default>";

/// A value written in one file, with where it was written.
#[derive(Debug, Clone)]
enum Setting {
    Text(String),
    Level(Level),
    Float(f64),
    Int(i64),
    Strings(Vec<String>),
    Bool(bool),
}

/// What one file contributes: scalar settings keyed `section.key`, and list entries.
#[derive(Debug, Default)]
struct Fragment {
    settings: BTreeMap<String, (Setting, Origin)>,
    allow: Vec<LicenseEntry>,
    deny: Vec<LicenseEntry>,
    allow_categories: Vec<CategoryEntry>,
    deny_categories: Vec<CategoryEntry>,
    exceptions: Vec<LicenseException>,
    clarifications: Vec<Clarification>,
    bans: Vec<(RawBanChecked, Origin)>,
    minimum: Vec<(RawMinimumChecked, Origin)>,
    duplicate_skip: Vec<PackageSelector>,
    allow_registries: Vec<String>,
    allow_git: Vec<String>,
    waivers: Vec<Waiver>,
    /// A `[sbom-quality]` section was present.
    sbom_quality: bool,
    sbom_required_fields: Vec<String>,
}

/// A ban whose values are checked but whose owner/rationale defaults are not yet applied.
#[derive(Debug)]
struct RawBanChecked {
    id: Option<String>,
    package: PackageSelector,
    reason: String,
    replacement: Option<String>,
    level: Option<Level>,
    owner: Option<String>,
    rationale: Option<String>,
}

#[derive(Debug)]
struct RawMinimumChecked {
    id: Option<String>,
    name: String,
    version: semver::Version,
    reason: String,
    level: Option<Level>,
    owner: Option<String>,
    rationale: Option<String>,
}

/// Per-file context: turns spans into origins and collects problems.
struct FileContext<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Problem>,
}

impl FileContext<'_> {
    fn origin(&self, span: Range<usize>) -> Origin {
        let (line, column) = crate::vocabulary::line_column(self.text, span.start);
        Origin {
            file: self.path.to_path_buf(),
            line,
            column,
        }
    }

    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        let origin = self.origin(span);
        self.problems.push(Problem {
            file: origin.file,
            line: origin.line,
            column: origin.column,
            message: message.into(),
        });
    }

    /// Deserialises one value into a raw struct, recording a problem instead of failing.
    fn deserialize<T: DeserializeOwned>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        what: &str,
    ) -> Option<T> {
        let span = value.span();
        let mut value = value;
        // Serde stops at the first error. To report every problem, the key that caused an
        // error is recorded, removed, and the rest deserialised again.
        loop {
            let error = match T::deserialize(ValueDeserializer::from(value.clone())) {
                Ok(parsed) => return Some(parsed),
                Err(error) => error,
            };
            let at = error.span().unwrap_or(span.clone());
            self.problem(at.clone(), format!("in {what}: {}", error.message().trim()));
            let DeValue::Table(table) = value.get_mut() else {
                return None;
            };
            let culprit = table
                .iter()
                .find(|(key, item)| {
                    at != span
                        && key.span().start <= at.start
                        && at.start < item.span().end.max(key.span().end)
                })
                .map(|(key, _)| key.clone());
            match culprit {
                Some(key) => {
                    table.remove(&key);
                }
                None => return None,
            }
        }
    }

    fn level(&mut self, text: &Option<Text>) -> Option<(Level, Origin)> {
        let text = text.as_ref()?;
        let origin = self.origin(text.span());
        match text.get_ref().as_str() {
            "deny" => Some((Level::Deny, origin)),
            "warn" => Some((Level::Warn, origin)),
            "allow" => Some((Level::Allow, origin)),
            other => {
                self.problem(
                    text.span(),
                    format!("unknown level `{other}`: expected `deny`, `warn` or `allow`"),
                );
                None
            }
        }
    }

    fn non_empty(&mut self, text: &Text, what: &str) -> Option<String> {
        let value = text.get_ref().trim();
        if value.is_empty() {
            self.problem(text.span(), format!("{what} must not be empty"));
            None
        } else {
            Some(value.to_string())
        }
    }

    fn version_req(&mut self, text: &Option<Text>) -> Result<Option<semver::VersionReq>, ()> {
        let Some(text) = text else { return Ok(None) };
        match semver::VersionReq::parse(text.get_ref()) {
            Ok(req) => Ok(Some(req)),
            Err(error) => {
                self.problem(
                    text.span(),
                    format!("invalid version range `{}`: {error}", text.get_ref()),
                );
                Err(())
            }
        }
    }

    fn license_entry(&mut self, text: &Text) -> Option<LicenseEntry> {
        let written = text.get_ref().trim();
        match spdx::Licensee::parse(written) {
            Ok(_) => Some(LicenseEntry {
                license: written.to_string(),
                origin: self.origin(text.span()),
            }),
            Err(error) => {
                let hint = crate::vocabulary::spdx::suggest_id(written)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                let message = if written.contains(" OR ") || written.contains(" AND ") {
                    "list each license separately; `OR`/`AND` expressions are not allowed here"
                        .to_string()
                } else {
                    error.reason.to_string()
                };
                self.problem(
                    text.span(),
                    format!("`{written}` is not an SPDX license id: {message}{hint}"),
                );
                None
            }
        }
    }

    fn category(&mut self, text: &Text) -> Option<CategoryEntry> {
        match LicenseCategory::parse(text.get_ref().trim()) {
            Some(category) => Some(CategoryEntry {
                category,
                origin: self.origin(text.span()),
            }),
            None => {
                let known: Vec<_> = LicenseCategory::ALL.iter().map(|c| c.as_str()).collect();
                self.problem(
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

    fn set(&mut self, fragment: &mut Fragment, key: &str, value: Setting, origin: Origin) {
        fragment.settings.insert(key.to_string(), (value, origin));
    }

    fn set_text(&mut self, fragment: &mut Fragment, key: &str, text: &Option<Text>) {
        if let Some(text) = text
            && let Some(value) = self.non_empty(text, &format!("`{key}`"))
        {
            let origin = self.origin(text.span());
            self.set(fragment, key, Setting::Text(value), origin);
        }
    }

    fn set_level(&mut self, fragment: &mut Fragment, key: &str, text: &Option<Text>) {
        if let Some((level, origin)) = self.level(text) {
            self.set(fragment, key, Setting::Level(level), origin);
        }
    }

    /// Sets a number that must lie in `range`; out of range is a problem at its span.
    fn set_float_in(
        &mut self,
        fragment: &mut Fragment,
        key: &str,
        number: &Option<Spanned<f64>>,
        range: std::ops::RangeInclusive<f64>,
        problem: &str,
    ) {
        let Some(number) = number else {
            return;
        };
        let value = *number.get_ref();
        if range.contains(&value) {
            let origin = self.origin(number.span());
            self.set(fragment, key, Setting::Float(value), origin);
        } else {
            self.problem(number.span(), format!("{problem}, not {value}"));
        }
    }
}

/// Top-level sections and the array-of-table keys inside them that are read entry by entry.
const SECTIONS: &[(&str, &[&str])] = &[
    ("policy", &[]),
    ("licenses", &["exceptions", "clarify"]),
    ("bans", &["deny", "minimum"]),
    ("sources", &[]),
    ("waivers", &["waive"]),
    ("advisories", &[]),
    ("sbom-quality", &[]),
    ("sbom", &[]),
];

/// Validates policy files (merged in the given order) into one [`ValidPolicy`].
pub fn validate(
    files: &[(PathBuf, String)],
    source: PolicySource,
) -> Result<ValidPolicy, PolicyError> {
    let mut problems = Vec::new();
    let mut fragments = Vec::new();
    for (path, text) in files {
        let mut context = FileContext {
            path,
            text,
            problems: Vec::new(),
        };
        let fragment = parse_file(&mut context);
        problems.extend(context.problems);
        fragments.push(fragment);
    }
    let first_file = files
        .first()
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| PathBuf::from(BUILTIN_NAME));
    if let Some(problem) = several_policies(&fragments) {
        problems.push(problem);
        problems.sort();
        problems.dedup();
        return Err(PolicyError::Invalid { problems });
    }
    let merged = merge(fragments, &mut problems);
    let policy = assemble(merged, &first_file, source, &mut problems);
    if problems.is_empty() {
        Ok(policy)
    } else {
        problems.sort();
        problems.dedup();
        Err(PolicyError::Invalid { problems })
    }
}

fn parse_file(context: &mut FileContext<'_>) -> Fragment {
    let mut fragment = Fragment::default();
    let text = context.text;
    let (document, errors) = DeTable::parse_recoverable(text);
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        context.problem(span, format!("TOML syntax: {}", error.message().trim()));
    }
    let document = document.into_inner();
    for (key, value) in document {
        let name = key.get_ref().to_string();
        let Some((_, nested)) = SECTIONS.iter().find(|(section, _)| *section == name) else {
            let known: Vec<_> = SECTIONS.iter().map(|(s, _)| format!("[{s}]")).collect();
            context.problem(
                key.span(),
                format!(
                    "unknown section `{name}`: expected one of {}",
                    known.join(", ")
                ),
            );
            continue;
        };
        let span = value.span();
        let DeValue::Table(mut table) = value.into_inner() else {
            context.problem(span, format!("`{name}` must be a table (`[{name}]`)"));
            continue;
        };
        // Arrays of tables are taken out and read entry by entry.
        let mut arrays: BTreeMap<&str, Vec<Spanned<DeValue<'_>>>> = BTreeMap::new();
        for array_key in *nested {
            let found = table.keys().find(|k| k.get_ref() == array_key).cloned();
            if let Some(found) = found
                && let Some(array) = table.remove(&found)
            {
                let array_span = array.span();
                match array.into_inner() {
                    DeValue::Array(items) => {
                        arrays.insert(array_key, items.into_iter().collect());
                    }
                    _ => context.problem(
                        array_span,
                        format!("`{name}.{array_key}` must be an array of tables (`[[{name}.{array_key}]]`)"),
                    ),
                }
            }
        }
        let rest = Spanned::new(span, DeValue::Table(table));
        let what = format!("[{name}]");
        match name.as_str() {
            "policy" => {
                if let Some(raw) = context.deserialize::<RawMeta>(rest, &what) {
                    policy_section(context, &mut fragment, raw);
                }
            }
            "licenses" => {
                if let Some(raw) = context.deserialize::<RawLicenses>(rest, &what) {
                    licenses_section(context, &mut fragment, raw);
                }
                for item in arrays.remove("exceptions").unwrap_or_default() {
                    if let Some(raw) = context
                        .deserialize::<Spanned<RawException>>(item, "[[licenses.exceptions]]")
                    {
                        exception_entry(context, &mut fragment, raw);
                    }
                }
                for item in arrays.remove("clarify").unwrap_or_default() {
                    if let Some(raw) = context
                        .deserialize::<Spanned<RawClarification>>(item, "[[licenses.clarify]]")
                    {
                        clarify_entry(context, &mut fragment, raw);
                    }
                }
            }
            "bans" => {
                if let Some(raw) = context.deserialize::<RawBans>(rest, &what) {
                    bans_section(context, &mut fragment, raw);
                }
                for item in arrays.remove("deny").unwrap_or_default() {
                    if let Some(raw) = context.deserialize::<Spanned<RawBan>>(item, "[[bans.deny]]")
                    {
                        ban_entry(context, &mut fragment, raw);
                    }
                }
                for item in arrays.remove("minimum").unwrap_or_default() {
                    if let Some(raw) =
                        context.deserialize::<Spanned<RawMinimum>>(item, "[[bans.minimum]]")
                    {
                        minimum_entry(context, &mut fragment, raw);
                    }
                }
            }
            "sources" => {
                if let Some(raw) = context.deserialize::<RawSources>(rest, &what) {
                    sources_section(context, &mut fragment, raw);
                }
            }
            "waivers" => {
                if let Some(raw) = context.deserialize::<RawWaiverSettings>(rest, &what) {
                    waiver_settings(context, &mut fragment, raw);
                }
                for item in arrays.remove("waive").unwrap_or_default() {
                    if let Some(raw) =
                        context.deserialize::<Spanned<RawWaiver>>(item, "[[waivers.waive]]")
                    {
                        waiver_entry(context, &mut fragment, raw);
                    }
                }
            }
            "advisories" => {
                if let Some(raw) = context.deserialize::<RawAdvisories>(rest, &what) {
                    advisories_section(context, &mut fragment, raw);
                }
            }
            "sbom-quality" => {
                if let Some(raw) = context.deserialize::<RawSbomQuality>(rest, &what) {
                    sbom_quality_section(context, &mut fragment, raw);
                }
            }
            "sbom" => {
                if let Some(raw) = context.deserialize::<RawSbom>(rest, &what) {
                    context.set_text(&mut fragment, "sbom.creator", &raw.creator);
                    context.set_text(&mut fragment, "sbom.supplier", &raw.supplier);
                }
            }
            _ => {}
        }
    }
    fragment
}

fn policy_section(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawMeta) {
    context.set_text(fragment, "policy.name", &raw.name);
    context.set_text(fragment, "policy.description", &raw.description);
    context.set_text(fragment, "policy.owner", &raw.owner);
    context.set_text(fragment, "policy.rationale", &raw.rationale);
}

fn licenses_section(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawLicenses) {
    context.set_text(fragment, "licenses.owner", &raw.owner);
    context.set_text(fragment, "licenses.rationale", &raw.rationale);
    for (key, value) in [
        ("licenses.denied", &raw.denied),
        ("licenses.not-allowed", &raw.not_allowed),
        ("licenses.unknown", &raw.unknown),
        ("licenses.low-confidence", &raw.low_confidence),
        ("licenses.clarification-stale", &raw.clarification_stale),
        ("licenses.unused-exception", &raw.unused_exception),
    ] {
        context.set_level(fragment, key, value);
    }
    context.set_float_in(
        fragment,
        "licenses.min-confidence",
        &raw.min_confidence,
        0.0..=1.0,
        "`min-confidence` must be between 0.0 and 1.0",
    );
    if let Some(lookups) = &raw.registry_lookups {
        let origin = context.origin(lookups.span());
        context.set(
            fragment,
            "licenses.registry-lookups",
            Setting::Bool(*lookups.get_ref()),
            origin,
        );
    }
    for text in &raw.allow {
        if let Some(entry) = context.license_entry(text) {
            fragment.allow.push(entry);
        }
    }
    for text in &raw.deny {
        if let Some(entry) = context.license_entry(text) {
            fragment.deny.push(entry);
        }
    }
    for text in &raw.allow_categories {
        if let Some(entry) = context.category(text) {
            fragment.allow_categories.push(entry);
        }
    }
    for text in &raw.deny_categories {
        if let Some(entry) = context.category(text) {
            fragment.deny_categories.push(entry);
        }
    }
}

fn selector(
    context: &mut FileContext<'_>,
    name: &Text,
    version: &Option<Text>,
) -> Option<PackageSelector> {
    let name = context.non_empty(name, "`name`");
    let version = context.version_req(version);
    Some(PackageSelector {
        name: name?,
        version: version.ok()?,
    })
}

fn exception_entry(
    context: &mut FileContext<'_>,
    fragment: &mut Fragment,
    raw: Spanned<RawException>,
) {
    let origin = context.origin(raw.span());
    let raw = raw.into_inner();
    let package = selector(context, &raw.name, &raw.version);
    let mut allow = Vec::new();
    let mut ok = true;
    for text in &raw.allow {
        match context.license_entry(text) {
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
        fragment.exceptions.push(LicenseException {
            package,
            allow,
            reason: raw.reason.map(|r| r.into_inner()),
            origin,
        });
    }
}

fn clarify_entry(
    context: &mut FileContext<'_>,
    fragment: &mut Fragment,
    raw: Spanned<RawClarification>,
) {
    let origin = context.origin(raw.span());
    let raw = raw.into_inner();
    let package = selector(context, &raw.name, &raw.version);
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
        fragment.clarifications.push(Clarification {
            package,
            expression,
            files,
            reason: raw.reason.map(|r| r.into_inner()),
            origin,
        });
    }
}

fn bans_section(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawBans) {
    context.set_text(fragment, "bans.owner", &raw.owner);
    context.set_text(fragment, "bans.rationale", &raw.rationale);
    context.set_level(fragment, "bans.duplicates", &raw.duplicates);
    context.set_level(fragment, "bans.wildcards", &raw.wildcards);
    context.set_level(fragment, "bans.prerelease", &raw.prerelease);
    for text in &raw.duplicate_skip {
        // `name` or `name@range`.
        let (name, version) = match text.get_ref().split_once('@') {
            Some((name, range)) => (name.trim(), Some(range.trim())),
            None => (text.get_ref().trim(), None),
        };
        let version = match version.map(semver::VersionReq::parse) {
            None => None,
            Some(Ok(req)) => Some(req),
            Some(Err(error)) => {
                context.problem(
                    text.span(),
                    format!("invalid version range in `{}`: {error}", text.get_ref()),
                );
                continue;
            }
        };
        if name.is_empty() {
            context.problem(text.span(), "a `duplicate-skip` entry needs a package name");
            continue;
        }
        fragment.duplicate_skip.push(PackageSelector {
            name: name.to_string(),
            version,
        });
    }
}

fn optional_text(context: &mut FileContext<'_>, text: &Option<Text>, what: &str) -> Option<String> {
    text.as_ref().and_then(|t| context.non_empty(t, what))
}

fn ban_entry(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: Spanned<RawBan>) {
    let origin = context.origin(raw.span());
    let raw = raw.into_inner();
    let package = selector(context, &raw.name, &raw.version);
    let reason = context.non_empty(&raw.reason, "`reason`");
    let level = context.level(&raw.level).map(|(l, _)| l);
    if raw.level.is_some() && level.is_none() {
        return;
    }
    let ban = RawBanChecked {
        id: optional_text(context, &raw.id, "`id`"),
        package: match package {
            Some(p) => p,
            None => return,
        },
        reason: match reason {
            Some(r) => r,
            None => return,
        },
        replacement: optional_text(context, &raw.replacement, "`replacement`"),
        level,
        owner: optional_text(context, &raw.owner, "`owner`"),
        rationale: optional_text(context, &raw.rationale, "`rationale`"),
    };
    fragment.bans.push((ban, origin));
}

fn minimum_entry(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: Spanned<RawMinimum>) {
    let origin = context.origin(raw.span());
    let raw = raw.into_inner();
    let name = context.non_empty(&raw.name, "`name`");
    let version = match semver::Version::parse(raw.version.get_ref().trim()) {
        Ok(v) => Some(v),
        Err(error) => {
            context.problem(
                raw.version.span(),
                format!(
                    "`{}` is not a version (`MAJOR.MINOR.PATCH`): {error}",
                    raw.version.get_ref()
                ),
            );
            None
        }
    };
    let reason = context.non_empty(&raw.reason, "`reason`");
    let level = context.level(&raw.level).map(|(l, _)| l);
    if raw.level.is_some() && level.is_none() {
        return;
    }
    let (Some(name), Some(version), Some(reason)) = (name, version, reason) else {
        return;
    };
    fragment.minimum.push((
        RawMinimumChecked {
            id: optional_text(context, &raw.id, "`id`"),
            name,
            version,
            reason,
            level,
            owner: optional_text(context, &raw.owner, "`owner`"),
            rationale: optional_text(context, &raw.rationale, "`rationale`"),
        },
        origin,
    ));
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

fn sbom_quality_section(
    context: &mut FileContext<'_>,
    fragment: &mut Fragment,
    raw: RawSbomQuality,
) {
    // The section's presence turns the rule on; every key in it is optional.
    fragment.sbom_quality = true;
    context.set_text(fragment, "sbom-quality.owner", &raw.owner);
    context.set_text(fragment, "sbom-quality.rationale", &raw.rationale);
    context.set_level(fragment, "sbom-quality.coverage", &raw.coverage);
    if let Some(text) = &raw.profile
        && let Some(value) =
            known_value(context, text, "profile", crate::vocabulary::SBOM_STANDARDS)
    {
        let origin = context.origin(text.span());
        context.set(
            fragment,
            "sbom-quality.profile",
            Setting::Text(value),
            origin,
        );
    }
    for text in &raw.required_fields {
        if let Some(value) =
            known_value(context, text, "SBOM field", crate::vocabulary::SBOM_FIELDS)
        {
            fragment.sbom_required_fields.push(value);
        }
    }
    context.set_float_in(
        fragment,
        "sbom-quality.min-coverage",
        &raw.min_coverage,
        0.0..=100.0,
        "`min-coverage` is a percentage between 0 and 100",
    );
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

fn sources_section(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawSources) {
    context.set_text(fragment, "sources.owner", &raw.owner);
    context.set_text(fragment, "sources.rationale", &raw.rationale);
    context.set_level(fragment, "sources.not-allowed", &raw.not_allowed);
    context.set_level(fragment, "sources.git", &raw.git);
    context.set_level(fragment, "sources.path", &raw.path);
    for text in &raw.allow_registries {
        if let Some(value) = context.non_empty(text, "a registry") {
            fragment.allow_registries.push(normalize_registry(&value));
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
                fragment.allow_git.push(normalized);
            }
        }
    }
}

fn waiver_settings(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawWaiverSettings) {
    context.set_text(fragment, "waivers.owner", &raw.owner);
    context.set_text(fragment, "waivers.rationale", &raw.rationale);
    context.set_level(fragment, "waivers.expired", &raw.expired);
    context.set_level(fragment, "waivers.unused", &raw.unused);
    context.set_level(fragment, "waivers.expiring", &raw.expiring);
    if let Some(days) = &raw.expiring_days {
        let value = *days.get_ref();
        if (0..=3650).contains(&value) {
            let origin = context.origin(days.span());
            context.set(
                fragment,
                "waivers.expiring-days",
                Setting::Int(value),
                origin,
            );
        } else {
            context.problem(days.span(), "`expiring-days` must be between 0 and 3650");
        }
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

fn waiver_entry(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: Spanned<RawWaiver>) {
    let span = raw.span();
    let origin = context.origin(span.clone());
    let raw = raw.into_inner();
    let mut ok = true;
    let required = |context: &mut FileContext<'_>, value: &Option<Text>, key: &str| match value {
        Some(text) => context.non_empty(text, &format!("`{key}`")),
        None => {
            context.problem(span.clone(), format!("a waiver needs `{key}`"));
            None
        }
    };
    let reason = required(context, &raw.reason, "reason");
    let owner = required(context, &raw.owner, "owner");
    let expires = match &raw.expires {
        None => {
            context.problem(
                span.clone(),
                "a waiver needs `expires` (a date, `YYYY-MM-DD`)",
            );
            None
        }
        Some(value) => {
            let text = match value.get_ref() {
                toml::Value::String(s) => Some(s.clone()),
                toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                    Some(d.to_string())
                }
                _ => None,
            };
            match text.as_deref().and_then(parse_date) {
                Some(date) => Some(date),
                None => {
                    context.problem(value.span(), "`expires` must be a date, `YYYY-MM-DD`");
                    None
                }
            }
        }
    };
    let code = match &raw.code {
        None => None,
        Some(text) => match FindingCode::parse(text.get_ref().trim()) {
            Some(code) => Some(code),
            None => {
                context.problem(
                    text.span(),
                    format!("unknown finding code `{}`", text.get_ref()),
                );
                ok = false;
                None
            }
        },
    };
    let package = match &raw.package {
        None => None,
        Some(text) => {
            let value = text.get_ref().trim();
            if value.starts_with("pkg:") {
                match value.parse::<packageurl::PackageUrl<'_>>() {
                    Ok(_) => Some(WaiverPackage::Purl(value.to_string())),
                    Err(_) => {
                        context.problem(text.span(), format!("`{value}` is not a valid purl"));
                        ok = false;
                        None
                    }
                }
            } else if value.is_empty() {
                context.problem(text.span(), "`package` must not be empty");
                ok = false;
                None
            } else {
                Some(WaiverPackage::Name(value.to_string()))
            }
        }
    };
    let version = match context.version_req(&raw.version) {
        Ok(v) => v,
        Err(()) => {
            ok = false;
            None
        }
    };
    if version.is_some() && !matches!(package, Some(WaiverPackage::Name(_))) {
        context.problem(
            raw.version
                .as_ref()
                .map(|v| v.span())
                .unwrap_or(span.clone()),
            "`version` needs `package` (a name)",
        );
        ok = false;
    }
    let rule = optional_text(context, &raw.rule, "`rule`");
    let advisory = optional_text(context, &raw.advisory, "`advisory`");
    if rule.is_none() && raw.code.is_none() && raw.package.is_none() && advisory.is_none() {
        context.problem(
            span.clone(),
            "a waiver must name at least one of `rule`, `code`, `package` or `advisory`",
        );
        ok = false;
    }
    let id = optional_text(context, &raw.id, "`id`");
    let (Some(reason), Some(owner), Some(expires_date), true) = (reason, owner, expires, ok) else {
        return;
    };
    fragment.waivers.push(Waiver {
        id: id.unwrap_or_default(),
        rule,
        code,
        package,
        version,
        advisory,
        reason,
        owner,
        expires: expires_date.to_string(),
        expires_date,
        origin,
    });
}

fn advisories_section(context: &mut FileContext<'_>, fragment: &mut Fragment, raw: RawAdvisories) {
    context.set_text(fragment, "advisories.owner", &raw.owner);
    context.set_text(fragment, "advisories.rationale", &raw.rationale);
    for (key, value) in [
        ("advisories.vulnerability", &raw.vulnerability),
        ("advisories.unmaintained", &raw.unmaintained),
        ("advisories.unsound", &raw.unsound),
        ("advisories.notice", &raw.notice),
        ("advisories.yanked", &raw.yanked),
        ("advisories.db-age", &raw.db_age),
    ] {
        context.set_level(fragment, key, value);
    }
    context.set_float_in(
        fragment,
        "advisories.severity-threshold",
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
            toml::Value::Float(f) if (0.0..=10.0).contains(f) => Some(*f),
            toml::Value::Integer(i) if (0..=10).contains(i) => Some(*i as f64),
            _ => None,
        };
        match score {
            Some(score) => {
                let origin = context.origin(value.span());
                context.set(fragment, "advisories.unknown-severity", Setting::Float(score), origin);
            }
            None => context.problem(
                value.span(),
                "`unknown-severity` must be `critical`, `high`, `medium`, `low`, `none` or a CVSS score",
            ),
        }
    }
    if let Some(value) = &raw.max_db_age {
        let days = match value.get_ref() {
            toml::Value::Integer(i) if *i >= 0 => u32::try_from(*i).ok(),
            toml::Value::String(text) => text
                .trim()
                .strip_suffix('d')
                .and_then(|d| d.trim().parse::<u32>().ok()),
            _ => None,
        };
        match days {
            Some(days) => {
                let origin = context.origin(value.span());
                context.set(
                    fragment,
                    "advisories.max-db-age",
                    Setting::Int(i64::from(days)),
                    origin,
                );
            }
            None => context.problem(
                value.span(),
                "`max-db-age` must be a number of days, like `\"7d\"` or `7`",
            ),
        }
    }
    if let Some(databases) = &raw.databases {
        let mut names = Vec::new();
        for text in databases {
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
        let origin = context.origin(0..0);
        context.set(
            fragment,
            "advisories.databases",
            Setting::Strings(names),
            origin,
        );
    }
}

/// A directory holding several complete policies (each file naming one with `[policy] name`):
/// one problem, said plainly, instead of a conflict for every setting they share.
fn several_policies(fragments: &[Fragment]) -> Option<Problem> {
    let named: Vec<&Origin> = fragments
        .iter()
        .filter_map(|fragment| fragment.settings.get("policy.name"))
        .map(|(_, origin)| origin)
        .collect();
    let [first, second, ..] = named.as_slice() else {
        return None;
    };
    let files: Vec<String> = named
        .iter()
        .map(|origin| format!("`{}`", origin.file.display()))
        .collect();
    Some(Problem {
        file: second.file.clone(),
        line: second.line,
        column: second.column,
        message: format!(
            "{} each name a policy (`[policy] name`, first at {first}): the files of a policy \
             directory are merged into one policy, so it must hold one policy split over files; \
             pass one of them with `--policy FILE`, or keep the alternatives elsewhere",
            files.join(", ")
        ),
    })
}

/// Merges fragments: lists concatenate; a setting written in two files is a problem.
fn merge(fragments: Vec<Fragment>, problems: &mut Vec<Problem>) -> Fragment {
    let mut merged = Fragment::default();
    for fragment in fragments {
        for (key, (value, origin)) in fragment.settings {
            if let Some((_, first)) = merged.settings.get(&key) {
                problems.push(Problem {
                    file: origin.file.clone(),
                    line: origin.line,
                    column: origin.column,
                    message: format!("`{key}` is already set at {first}"),
                });
                continue;
            }
            merged.settings.insert(key, (value, origin));
        }
        merged.allow.extend(fragment.allow);
        merged.deny.extend(fragment.deny);
        merged.allow_categories.extend(fragment.allow_categories);
        merged.deny_categories.extend(fragment.deny_categories);
        merged.exceptions.extend(fragment.exceptions);
        merged.clarifications.extend(fragment.clarifications);
        merged.bans.extend(fragment.bans);
        merged.minimum.extend(fragment.minimum);
        merged.duplicate_skip.extend(fragment.duplicate_skip);
        merged.allow_registries.extend(fragment.allow_registries);
        merged.allow_git.extend(fragment.allow_git);
        merged.waivers.extend(fragment.waivers);
        merged.sbom_quality |= fragment.sbom_quality;
        merged
            .sbom_required_fields
            .extend(fragment.sbom_required_fields);
    }
    merged
}

fn assemble(
    merged: Fragment,
    first_file: &Path,
    source: PolicySource,
    problems: &mut Vec<Problem>,
) -> ValidPolicy {
    let settings = &merged.settings;
    let text = |key: &str| match settings.get(key) {
        Some((Setting::Text(t), _)) => Some(t.clone()),
        _ => None,
    };
    let policy_owner = text("policy.owner");
    let policy_rationale = text("policy.rationale");
    let missing_owner = std::cell::RefCell::new(BTreeSet::new());
    let rule = |id: &str, section: &str| -> RuleMeta {
        let level = match settings.get(id) {
            Some((Setting::Level(level), _)) => *level,
            _ => crate::vocabulary::rules::section_rule(id).default_level,
        };
        let owner = text(&format!("{section}.owner"))
            .or_else(|| policy_owner.clone())
            .unwrap_or_else(|| {
                missing_owner.borrow_mut().insert(section.to_string());
                String::new()
            });
        let rationale = text(&format!("{section}.rationale"))
            .or_else(|| policy_rationale.clone())
            .unwrap_or_else(|| {
                crate::vocabulary::rules::section_rule(id)
                    .default_rationale
                    .to_string()
            });
        RuleMeta {
            id: id.to_string(),
            level,
            owner,
            rationale,
        }
    };
    let licenses = LicensePolicy {
        denied: rule("licenses.denied", "licenses"),
        not_allowed: rule("licenses.not-allowed", "licenses"),
        unknown: rule("licenses.unknown", "licenses"),
        low_confidence: rule("licenses.low-confidence", "licenses"),
        clarification_stale: rule("licenses.clarification-stale", "licenses"),
        unused_exception: rule("licenses.unused-exception", "licenses"),
        allow: merged.allow,
        deny: merged.deny,
        allow_categories: merged.allow_categories,
        deny_categories: merged.deny_categories,
        min_confidence: match settings.get("licenses.min-confidence") {
            Some((Setting::Float(value), _)) => *value,
            _ => 0.9,
        },
        registry_lookups: matches!(
            settings.get("licenses.registry-lookups"),
            Some((Setting::Bool(true), _))
        ),
        exceptions: merged.exceptions,
        clarifications: merged.clarifications,
    };
    let bans_owner = text("bans.owner").or_else(|| policy_owner.clone());
    let mut ids = BTreeMap::<String, Origin>::new();
    let mut unique = |id: &str, origin: &Origin, problems: &mut Vec<Problem>| {
        if let Some(first) = ids.get(id) {
            problems.push(Problem {
                file: origin.file.clone(),
                line: origin.line,
                column: origin.column,
                message: format!("rule id `{id}` is already used at {first}"),
            });
        } else {
            ids.insert(id.to_string(), origin.clone());
        }
    };
    let mut deny = Vec::new();
    for (ban, origin) in merged.bans {
        let id = ban
            .id
            .clone()
            .unwrap_or_else(|| format!("bans.deny.{}", ban.package.name));
        unique(&id, &origin, problems);
        let owner = ban
            .owner
            .clone()
            .or_else(|| bans_owner.clone())
            .unwrap_or_else(|| {
                missing_owner.borrow_mut().insert("bans".to_string());
                String::new()
            });
        deny.push(Ban {
            rule: RuleMeta {
                id,
                level: ban.level.unwrap_or(Level::Deny),
                owner,
                rationale: ban.rationale.clone().unwrap_or_else(|| ban.reason.clone()),
            },
            package: ban.package,
            reason: ban.reason,
            replacement: ban.replacement,
            origin,
        });
    }
    let mut minimum = Vec::new();
    for (entry, origin) in merged.minimum {
        let id = entry
            .id
            .clone()
            .unwrap_or_else(|| format!("bans.minimum.{}", entry.name));
        unique(&id, &origin, problems);
        let owner = entry
            .owner
            .clone()
            .or_else(|| bans_owner.clone())
            .unwrap_or_else(|| {
                missing_owner.borrow_mut().insert("bans".to_string());
                String::new()
            });
        minimum.push(MinimumVersion {
            rule: RuleMeta {
                id,
                level: entry.level.unwrap_or(Level::Deny),
                owner,
                rationale: entry
                    .rationale
                    .clone()
                    .unwrap_or_else(|| entry.reason.clone()),
            },
            name: entry.name,
            version: entry.version,
            reason: entry.reason,
            origin,
        });
    }
    let bans = BanPolicy {
        deny,
        minimum,
        duplicates: rule("bans.duplicates", "bans"),
        duplicate_skip: merged.duplicate_skip,
        wildcards: rule("bans.wildcards", "bans"),
        prerelease: rule("bans.prerelease", "bans"),
    };
    let sources = SourcePolicy {
        not_allowed: rule("sources.not-allowed", "sources"),
        git: rule("sources.git", "sources"),
        path: rule("sources.path", "sources"),
        allow_registries: if merged.allow_registries.is_empty() {
            vec!["crates.io".to_string()]
        } else {
            merged.allow_registries
        },
        allow_git: merged.allow_git,
    };
    let sbom_quality = merged.sbom_quality.then(|| {
        let mut required_fields = merged.sbom_required_fields.clone();
        required_fields.sort();
        required_fields.dedup();
        SbomQualityPolicy {
            rule: rule("sbom-quality.coverage", "sbom-quality"),
            profile: text("sbom-quality.profile"),
            required_fields,
            min_coverage: match settings.get("sbom-quality.min-coverage") {
                Some((Setting::Float(value), _)) => *value,
                _ => 100.0,
            },
        }
    });
    let mut waivers = merged.waivers;
    let mut waiver_ids = BTreeMap::<String, Origin>::new();
    for (index, waiver) in waivers.iter_mut().enumerate() {
        if waiver.id.is_empty() {
            waiver.id = format!("waiver-{}", index + 1);
        }
        if let Some(first) = waiver_ids.get(&waiver.id) {
            problems.push(Problem {
                file: waiver.origin.file.clone(),
                line: waiver.origin.line,
                column: waiver.origin.column,
                message: format!("waiver id `{}` is already used at {first}", waiver.id),
            });
        } else {
            waiver_ids.insert(waiver.id.clone(), waiver.origin.clone());
        }
    }
    let waiver_policy = WaiverPolicy {
        expired: rule("waivers.expired", "waivers"),
        unused: rule("waivers.unused", "waivers"),
        expiring: rule("waivers.expiring", "waivers"),
        expiring_days: match settings.get("waivers.expiring-days") {
            Some((Setting::Int(days), _)) => u32::try_from(*days).unwrap_or(14),
            _ => 14,
        },
        waivers,
    };
    let advisory_owner = text("advisories.owner")
        .or_else(|| policy_owner.clone())
        .unwrap_or_default();
    let mut advisories = AdvisoryPolicy::default_with_owner(&advisory_owner);
    if let Some(rationale) = text("advisories.rationale").or_else(|| policy_rationale.clone()) {
        for meta in [
            &mut advisories.vulnerability,
            &mut advisories.unmaintained,
            &mut advisories.unsound,
            &mut advisories.notice,
            &mut advisories.yanked,
            &mut advisories.stale_db,
        ] {
            meta.rationale = rationale.clone();
        }
    }
    for (key, meta) in [
        ("advisories.vulnerability", &mut advisories.vulnerability),
        ("advisories.unmaintained", &mut advisories.unmaintained),
        ("advisories.unsound", &mut advisories.unsound),
        ("advisories.notice", &mut advisories.notice),
        ("advisories.yanked", &mut advisories.yanked),
        ("advisories.db-age", &mut advisories.stale_db),
    ] {
        if let Some((Setting::Level(level), _)) = settings.get(key) {
            meta.level = *level;
        }
    }
    if advisory_owner.is_empty() {
        missing_owner.borrow_mut().insert("advisories".to_string());
    }
    if let Some((Setting::Float(value), _)) = settings.get("advisories.severity-threshold") {
        advisories.severity_threshold = Some(*value);
    }
    if let Some((Setting::Float(value), _)) = settings.get("advisories.unknown-severity") {
        advisories.unknown_severity_score = *value;
    }
    if let Some((Setting::Int(days), _)) = settings.get("advisories.max-db-age") {
        advisories.max_db_age_days = u32::try_from(*days).ok();
    }
    if let Some((Setting::Strings(names), _)) = settings.get("advisories.databases") {
        advisories.databases = names.clone();
    }
    let missing_owner = missing_owner.into_inner();
    if !missing_owner.is_empty() {
        let sections: Vec<_> = missing_owner
            .iter()
            .map(|s| format!("`[{s}] owner`"))
            .collect();
        problems.push(Problem {
            file: first_file.to_path_buf(),
            line: 1,
            column: 1,
            message: format!(
                "every rule needs an owner: set `[policy] owner` or {}",
                sections.join(", ")
            ),
        });
    }
    // Waivers must name rules that exist.
    let known: BTreeSet<String> = {
        let partial = ValidPolicy {
            name: String::new(),
            owner: None,
            source: PolicySource::Builtin,
            licenses: licenses.clone(),
            bans: bans.clone(),
            sources: sources.clone(),
            waivers: waiver_policy.clone(),
            advisories: advisories.clone(),
            sbom_quality: sbom_quality.clone(),
            sbom: SbomDefaults::default(),
        };
        partial.rule_ids().into_iter().collect()
    };
    for waiver in &waiver_policy.waivers {
        if let Some(rule) = &waiver.rule
            && !known.contains(rule)
        {
            problems.push(Problem {
                file: waiver.origin.file.clone(),
                line: waiver.origin.line,
                column: waiver.origin.column,
                message: format!("waiver `{}` names unknown rule `{rule}`", waiver.id),
            });
        }
    }
    let name = text("policy.name").unwrap_or_else(|| match &source {
        PolicySource::Builtin => "default".to_string(),
        PolicySource::Files { files } => files
            .first()
            .and_then(|f| f.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "policy".to_string()),
    });
    ValidPolicy {
        name,
        owner: policy_owner,
        source,
        licenses,
        bans,
        sources,
        waivers: waiver_policy,
        advisories,
        sbom_quality,
        sbom: SbomDefaults {
            creator: text("sbom.creator"),
            supplier: text("sbom.supplier"),
        },
    }
}
