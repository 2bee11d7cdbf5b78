//! What `monitor` and `history` print: one serialisable report value each, rendered as a
//! table, Markdown or JSON (SARIF and GitHub annotations reuse the findings renderers).
//!
//! In: a [`MonitorReport`] or history entries. Out: bytes. Pure.

use std::fmt::Write as _;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use super::changes::Change;
use crate::evaluate::Finding;
use crate::store::{Counts, HistoryEntry, RunDatabase};

/// The versioned schema of `monitor --format json`.
pub const MONITOR_SCHEMA: &str = "depgate.monitor/v1";
/// The versioned schema of the webhook's body.
pub const CHANGES_SCHEMA: &str = "depgate.monitor.changes/v1";
/// The versioned schema of `history --format json`.
pub const HISTORY_SCHEMA: &str = "depgate.history/v1";

/// The run's inputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunInfo {
    /// The run's id in the store.
    pub id: i64,
    /// When it finished (RFC 3339).
    pub run_at: String,
    /// The date waivers and database ages were judged against.
    pub today: String,
    /// The store (path or redacted URL).
    pub store: String,
    /// Advisory databases used.
    pub databases: Vec<RunDatabase>,
    /// `--policy` when it replaced every release's recorded policy.
    pub policy_override: Option<String>,
}

/// Totals over all releases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Releases evaluated.
    pub releases: usize,
    /// Releases whose verdict is `fail`.
    pub failing: usize,
    /// Releases with new violations.
    pub releases_with_new_violations: usize,
    /// New violations over all releases.
    pub new_violations: usize,
    /// Changes per kind (`new-advisory`, `waiver-expired`, ...).
    pub changes: std::collections::BTreeMap<String, usize>,
}

/// One release's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseOutcome {
    /// Project.
    pub project: String,
    /// Environment.
    pub environment: String,
    /// Release.
    pub release: String,
    /// The digest of the policy it was judged with.
    pub policy_digest: String,
    /// `pass` or `fail` (any unwaived finding at or above the gate).
    pub verdict: String,
    /// Counts.
    pub counts: Counts,
    /// Violations new since the previous run.
    pub new_violations: usize,
    /// What changed since the previous run.
    pub changes: Vec<Change>,
    /// Differences from the attested approval (empty when none, or not attested).
    pub drift: Vec<String>,
    /// Every current finding (not in the webhook body).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonitorReport {
    /// [`MONITOR_SCHEMA`] (or [`CHANGES_SCHEMA`] for the webhook).
    pub schema: String,
    /// Inputs.
    pub run: RunInfo,
    /// Totals.
    pub summary: Summary,
    /// Per release, riskiest (new violations, then failing) first.
    pub releases: Vec<ReleaseOutcome>,
}

impl MonitorReport {
    /// The webhook's body: the summary and the releases that changed, without findings.
    pub fn change_summary(&self) -> MonitorReport {
        MonitorReport {
            schema: CHANGES_SCHEMA.to_string(),
            run: self.run.clone(),
            summary: self.summary.clone(),
            releases: self
                .releases
                .iter()
                .filter(|release| !release.changes.is_empty())
                .map(|release| ReleaseOutcome {
                    findings: Vec::new(),
                    ..release.clone()
                })
                .collect(),
        }
    }
}

fn json(value: &impl Serialize) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `monitor --format json`.
pub fn render_json(report: &MonitorReport) -> Vec<u8> {
    json(report)
}

fn change_label(change: &Change) -> String {
    let subject = match (&change.package, &change.advisory) {
        (Some(package), Some(advisory)) => format!("{advisory} in {package}: "),
        (Some(package), None) => format!("{package}: "),
        _ => String::new(),
    };
    format!("{}{}", subject, change.message)
}

fn totals_line(report: &MonitorReport) -> String {
    let summary = &report.summary;
    let changes = if summary.changes.is_empty() {
        "no changes".to_string()
    } else {
        summary
            .changes
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "monitor run {} ({}): {} releases, {} failing, {} with new violations ({} new violations); {changes}",
        report.run.id,
        report.run.today,
        summary.releases,
        summary.failing,
        summary.releases_with_new_violations,
        summary.new_violations,
    )
}

/// A plain (uncoloured) terminal table with this header.
fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// `monitor --format table`: one row per release, then each release's changes.
pub fn render_table(report: &MonitorReport) -> Vec<u8> {
    let mut table = new_table(&[
        "project", "env", "release", "verdict", "errors", "warnings", "waived", "new", "changes",
    ]);
    for release in &report.releases {
        table.add_row([
            release.project.clone(),
            release.environment.clone(),
            release.release.clone(),
            release.verdict.clone(),
            release.counts.errors.to_string(),
            release.counts.warnings.to_string(),
            release.counts.waived.to_string(),
            release.new_violations.to_string(),
            release.changes.len().to_string(),
        ]);
    }
    let mut text = format!("{table}\n");
    for release in report.releases.iter().filter(|r| !r.changes.is_empty()) {
        let _ = writeln!(
            text,
            "\n{}/{} {}:",
            release.project, release.environment, release.release
        );
        for change in &release.changes {
            let marker = if change.violation { "!" } else { " " };
            let _ = writeln!(
                text,
                " {marker} {:<15} {}",
                change.kind.as_str(),
                change_label(change)
            );
        }
    }
    let _ = writeln!(text, "\n{}", totals_line(report));
    text.into_bytes()
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `monitor --format markdown`: a job summary.
pub fn render_markdown(report: &MonitorReport) -> Vec<u8> {
    let mut text = String::from("## depgate monitor\n\n");
    let _ = writeln!(text, "{}\n", totals_line(report));
    text.push_str(
        "| project | env | release | verdict | errors | warnings | new violations | changes |\n",
    );
    text.push_str("|---|---|---|---|---:|---:|---:|---:|\n");
    for release in &report.releases {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            markdown_cell(&release.project),
            markdown_cell(&release.environment),
            markdown_cell(&release.release),
            release.verdict,
            release.counts.errors,
            release.counts.warnings,
            release.new_violations,
            release.changes.len()
        );
    }
    for release in report.releases.iter().filter(|r| !r.changes.is_empty()) {
        let _ = writeln!(
            text,
            "\n### {}/{} {}\n",
            markdown_cell(&release.project),
            markdown_cell(&release.environment),
            markdown_cell(&release.release)
        );
        for change in &release.changes {
            let violation = if change.violation {
                " **(new violation)**"
            } else {
                ""
            };
            let _ = writeln!(
                text,
                "- `{}`{violation}: {}",
                change.kind.as_str(),
                markdown_cell(&change_label(change))
            );
        }
    }
    text.into_bytes()
}

/// Counts changes per kind.
pub fn count_changes<'a>(
    changes: impl Iterator<Item = &'a Change>,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for change in changes {
        *counts.entry(change.kind.as_str().to_string()).or_insert(0) += 1;
    }
    counts
}

/// `history --format json`.
#[derive(Debug, Clone, Serialize)]
struct HistoryDocument<'a> {
    schema: &'static str,
    project: &'a str,
    environment: Option<&'a str>,
    releases: &'a [HistoryEntry],
}

/// `history --format json`.
pub fn render_history_json(
    project: &str,
    environment: Option<&str>,
    entries: &[HistoryEntry],
) -> Vec<u8> {
    json(&HistoryDocument {
        schema: HISTORY_SCHEMA,
        project,
        environment,
        releases: entries,
    })
}

fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}

/// `history --format table`: one row per event (recorded, attested, each monitor verdict),
/// oldest first, with the policy digest and database revisions it was judged with.
pub fn render_history_table(entries: &[HistoryEntry]) -> Vec<u8> {
    let mut table = new_table(&[
        "when",
        "env",
        "release",
        "event",
        "verdict",
        "errors",
        "warnings",
        "policy",
        "databases",
    ]);
    let mut rows: Vec<(String, [String; 9])> = Vec::new();
    for entry in entries {
        let current = if entry.current { " (current)" } else { "" };
        let release = format!("{}{current}", entry.release);
        let mut event = |at: &str,
                         event: String,
                         verdict: &str,
                         counts: Option<&Counts>,
                         policy: &str,
                         databases: String| {
            let (errors, warnings) = counts
                .map(|counts| (counts.errors.to_string(), counts.warnings.to_string()))
                .unwrap_or_default();
            rows.push((
                at.to_string(),
                [
                    at.to_string(),
                    entry.environment.clone(),
                    release.clone(),
                    event,
                    verdict.to_string(),
                    errors,
                    warnings,
                    short(policy).to_string(),
                    databases,
                ],
            ));
        };
        event(
            &entry.recorded_at,
            format!("recorded from {}", entry.recorded_from),
            "",
            None,
            &entry.policy_digest,
            String::new(),
        );
        if let Some(approval) = &entry.approval {
            event(
                &approval.attested_at,
                format!("attested (key {})", approval.key_id),
                &approval.verdict,
                None,
                &approval.policy_digest,
                approval.databases.join(", "),
            );
        }
        for run in &entry.runs {
            let databases = run
                .databases
                .iter()
                .map(|database| format!("{}@{}", database.name, short(&database.revision)))
                .collect::<Vec<_>>()
                .join(", ");
            event(
                &run.at,
                format!("monitor run {}", run.run),
                &run.verdict,
                Some(&run.counts),
                &run.policy_digest,
                databases,
            );
        }
    }
    // Stable: events at the same second keep their order (recorded, attested, runs).
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, row) in rows {
        table.add_row(row);
    }
    format!("{table}\n").into_bytes()
}
