//! Policy validation: TOML text -> each section's typed partial (read with spans, one file per
//! section) -> the partials of a directory's files merged -> [`ValidPolicy`], collecting
//! *every* problem with its file, line and column.
//!
//! In: one or more `(path, text)` pairs (a directory's files are merged). Out: a `ValidPolicy`
//! or [`PolicyError::Invalid`] listing all problems, sorted. Each section and each entry of an
//! array of tables is read on its own, so one mistake never hides the next.

use std::path::{Path, PathBuf};

use thiserror::Error;
use toml::de::DeTable;

use super::advisories::AdvisoriesPartial;
use super::bans::BansPartial;
use super::context::FileContext;
use super::licenses::LicensesPartial;
use super::meta::{MetaPartial, several_policies};
use super::model::{Origin, PolicySource, ValidPolicy};
use super::sbom::{SbomPartial, SbomQualityPartial};
use super::section::{Fallback, Merger, Table, read_section};
use super::sources::SourcesPartial;
use super::waivers::{WaiversPartial, unknown_rules};
use crate::vocabulary::Section;

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

impl Problem {
    /// A problem at `origin`.
    pub(super) fn at(origin: &Origin, message: impl Into<String>) -> Self {
        Self {
            file: origin.file.clone(),
            line: origin.line,
            column: origin.column,
            message: message.into(),
        }
    }
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
    /// A policy directory could not be listed, or a policy path looked at.
    #[error("cannot read policy `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A policy file exists but cannot be read as one (a dangling link, a directory, a FIFO).
    #[error("cannot read policy file `{}`", .0.path().display())]
    Read(#[source] crate::util::ReadError),
    /// `rules` at the scanned root exists but is not a directory of policy files.
    #[error("`{}` exists but is not a directory: policy must be in `rules/*.toml` or `depgate.toml`", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
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

/// What one file (or, merged, a directory) sets, section by section.
#[derive(Debug, Default)]
struct PolicyPartial {
    meta: MetaPartial,
    licenses: LicensesPartial,
    bans: BansPartial,
    sources: SourcesPartial,
    advisories: AdvisoriesPartial,
    waivers: WaiversPartial,
    sbom_quality: SbomQualityPartial,
    sbom: SbomPartial,
}

/// Validates policy files (merged in the given order) into one [`ValidPolicy`].
pub fn validate(
    files: &[(PathBuf, String)],
    source: PolicySource,
) -> Result<ValidPolicy, PolicyError> {
    let mut problems = Vec::new();
    let mut partials = Vec::new();
    for (path, text) in files {
        let mut context = FileContext::new(path, text);
        let partial = parse_file(&mut context);
        problems.extend(context.problems);
        partials.push(partial);
    }
    let first_file = files
        .first()
        .map(|(path, _)| path.clone())
        .unwrap_or_else(|| PathBuf::from(BUILTIN_NAME));
    let policy = match several_policies(partials.iter().map(|partial| &partial.meta)) {
        Some(problem) => {
            problems.push(problem);
            None
        }
        None => {
            let merged = merge(partials, &mut problems);
            Some(finish(merged, &first_file, source, &mut problems))
        }
    };
    match policy {
        Some(policy) if problems.is_empty() => Ok(policy),
        _ => {
            problems.sort();
            problems.dedup();
            Err(PolicyError::Invalid { problems })
        }
    }
}

/// Reads one file's sections into a partial.
fn parse_file(context: &mut FileContext<'_>) -> PolicyPartial {
    let mut partial = PolicyPartial::default();
    let (document, errors) = DeTable::parse_recoverable(context.text());
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        context.problem(span, format!("TOML syntax: {}", error.message().trim()));
    }
    for (key, value) in document.into_inner() {
        let name: &str = key.get_ref();
        match Table::find(name) {
            Some(Table::Policy) => read_section(&mut partial.meta, context, value),
            Some(Table::Rules(Section::Licenses)) => {
                read_section(&mut partial.licenses, context, value);
            }
            Some(Table::Rules(Section::Bans)) => read_section(&mut partial.bans, context, value),
            Some(Table::Rules(Section::Sources)) => {
                read_section(&mut partial.sources, context, value);
            }
            Some(Table::Rules(Section::Advisories)) => {
                read_section(&mut partial.advisories, context, value);
            }
            Some(Table::Rules(Section::Waivers)) => {
                read_section(&mut partial.waivers, context, value);
            }
            Some(Table::Rules(Section::SbomQuality)) => {
                read_section(&mut partial.sbom_quality, context, value);
            }
            Some(Table::Sbom) => read_section(&mut partial.sbom, context, value),
            None => {
                let known: Vec<_> = Table::all()
                    .map(|table| format!("[{}]", table.name()))
                    .collect();
                context.problem(
                    key.span(),
                    format!(
                        "unknown section `{name}`: expected one of {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    partial
}

/// Merges the files' partials in order: lists concatenate; a setting written in two files is
/// a problem.
fn merge(partials: Vec<PolicyPartial>, problems: &mut Vec<Problem>) -> PolicyPartial {
    let mut merger = Merger::new(problems);
    let mut merged = PolicyPartial::default();
    for partial in partials {
        merger.section(&mut merged.meta, partial.meta);
        merger.section(&mut merged.licenses, partial.licenses);
        merger.section(&mut merged.bans, partial.bans);
        merger.section(&mut merged.sources, partial.sources);
        merger.section(&mut merged.advisories, partial.advisories);
        merger.section(&mut merged.waivers, partial.waivers);
        merger.section(&mut merged.sbom_quality, partial.sbom_quality);
        merger.section(&mut merged.sbom, partial.sbom);
    }
    merged
}

/// Applies the defaults (the rule table's, then each section's) and the checks that need the
/// whole policy: every section has an owner, every waiver names a rule that exists.
fn finish(
    merged: PolicyPartial,
    first_file: &Path,
    source: PolicySource,
    problems: &mut Vec<Problem>,
) -> ValidPolicy {
    let mut fallback = Fallback::new(&merged.meta.head);
    let licenses = merged.licenses.finish(&mut fallback);
    let bans = merged.bans.finish(&mut fallback, problems);
    let sources = merged.sources.finish(&mut fallback);
    let waivers = merged.waivers.finish(&mut fallback, problems);
    let advisories = merged.advisories.finish(&mut fallback);
    let sbom_quality = merged.sbom_quality.finish(&mut fallback);
    let owner = fallback.owner();
    problems.extend(fallback.unowned(first_file));
    let policy = ValidPolicy {
        name: merged.meta.name(&source),
        owner,
        source,
        licenses,
        bans,
        sources,
        waivers,
        advisories,
        sbom_quality,
        sbom: merged.sbom.finish(),
    };
    problems.extend(unknown_rules(&policy));
    policy
}
