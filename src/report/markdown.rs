//! The Markdown report, for a CI job summary or a pull-request comment.
//!
//! In: a [`FindingsReport`]. Out: GitHub-flavoured Markdown.

use std::fmt::Write;

use super::FindingsReport;
use crate::evaluate::Severity;

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Renders the report as Markdown.
pub fn render(report: &FindingsReport) -> Vec<u8> {
    let mut out = String::new();
    let summary = &report.summary;
    let icon = if summary.passed() { "✅" } else { "❌" };
    let _ = writeln!(
        out,
        "## depgate check: {icon} {}\n",
        summary.result.as_str().to_uppercase()
    );
    let _ = writeln!(
        out,
        "{} errors, {} warnings, {} notes ({} waived); failing on `{}`.\n",
        summary.errors, summary.warnings, summary.notes, summary.waived, summary.fail_on
    );
    let _ = writeln!(out, "{}\n", report.policy_line());
    for (severity, title) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Note, "Notes"),
    ] {
        // With `--baseline`, findings already in the baseline are listed but never gate.
        let (group, existing) = report.group(severity);
        if group.is_empty() {
            continue;
        }
        if existing > 0 {
            let _ = writeln!(
                out,
                "### {title} ({}, of which {existing} existing in the baseline)\n",
                group.len()
            );
        } else {
            let _ = writeln!(out, "### {title} ({})\n", group.len());
        }
        let _ = writeln!(out, "| code | package | message | rule | owner | path |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for finding in group {
            let package = finding
                .package
                .as_ref()
                .map(|p| format!("`{}` {}", p.name, p.version))
                .unwrap_or_default();
            let message = super::finding_message(finding);
            let marker = if finding.baseline == Some(crate::evaluate::BaselineState::Existing) {
                " (existing)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}`{marker} | {} | {} | `{}` | {} | {} |",
                finding.code,
                cell(&package),
                cell(&message),
                finding.rule,
                cell(finding.owner.as_deref().unwrap_or("")),
                cell(finding.paths.first().map(String::as_str).unwrap_or(""))
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(out, "### Coverage\n");
    let _ = writeln!(
        out,
        "{} packages in the inventory.\n",
        report.coverage.packages
    );
    let _ = writeln!(out, "| rule kind | evaluated | not evaluated |");
    let _ = writeln!(out, "|---|---|---|");
    for (kind, entry) in &report.coverage.rules {
        let _ = writeln!(
            out,
            "| {kind} | {} | {} |",
            entry.evaluated,
            entry.not_evaluated.len()
        );
    }
    let not_evaluated: Vec<_> = report
        .coverage
        .rules
        .iter()
        .flat_map(|(kind, e)| e.not_evaluated.iter().map(move |n| format!("{kind}: {n}")))
        .collect();
    if !not_evaluated.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Not evaluated ({})</summary>\n",
            not_evaluated.len()
        );
        for line in not_evaluated {
            let _ = writeln!(out, "- {}", line);
        }
        let _ = writeln!(out, "\n</details>");
    }
    for gap in &report.coverage.gaps {
        let _ = writeln!(out, "\n> gap: {gap}");
    }
    out.into_bytes()
}
