//! The terminal report: findings grouped by severity in comfy-table tables, then coverage and
//! the verdict. Coloured only when asked (the caller checks `NO_COLOR` and the terminal).
//!
//! In: a [`FindingsReport`]. Out: UTF-8 text.

use std::fmt::Write;

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets::UTF8_FULL};

use super::FindingsReport;
use crate::evaluate::Severity;

fn heading(severity: Severity) -> (&'static str, Color) {
    match severity {
        Severity::Error => ("Errors (fail the gate)", Color::Red),
        Severity::Warning => ("Warnings", Color::Yellow),
        Severity::Note => ("Notes (waived or informational)", Color::Blue),
    }
}

/// Whether `--baseline` marked the finding as already present in the baseline.
fn is_existing(finding: &crate::evaluate::Finding) -> bool {
    finding.baseline == Some(crate::evaluate::BaselineState::Existing)
}

fn new_table(color: bool) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !color {
        table.force_no_tty();
    } else {
        table.enforce_styling();
    }
    table
}

/// Renders the report as tables; `color` adds ANSI colours.
pub fn render(report: &FindingsReport, color: bool) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(out, "{}", report.policy_line());
    for severity in [Severity::Error, Severity::Warning, Severity::Note] {
        // With `--baseline`, findings already in the baseline are listed but never gate, so the
        // heading must not count them as failing without saying so.
        let (group, existing) = report.group(severity);
        if group.is_empty() {
            continue;
        }
        let (title, colour) = heading(severity);
        if existing > 0 {
            let _ = writeln!(
                out,
                "\n{title}: {}, of which {existing} existing in the baseline (not failing)",
                group.len()
            );
        } else {
            let _ = writeln!(out, "\n{title}: {}", group.len());
        }
        let mut table = new_table(color);
        table.set_header(vec!["code", "package", "message", "rule / owner", "path"]);
        for finding in group {
            let package = finding
                .package
                .as_ref()
                .map(|p| format!("{} {}", p.name, p.version))
                .unwrap_or_default();
            let message = super::finding_message(finding);
            let owner = finding
                .owner
                .as_ref()
                .map(|o| format!("\n{o}"))
                .unwrap_or_default();
            let mut code = Cell::new(if is_existing(finding) {
                format!("{}\n(existing)", finding.code.as_str())
            } else {
                finding.code.as_str().to_string()
            });
            if color {
                code = code.fg(colour).add_attribute(Attribute::Bold);
            }
            table.add_row(vec![
                code,
                Cell::new(package),
                Cell::new(message),
                Cell::new(format!("{}{owner}", finding.rule)),
                Cell::new(finding.paths.first().cloned().unwrap_or_default()),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    let _ = writeln!(out, "\nCoverage:");
    let mut table = new_table(color);
    table.set_header(vec!["rule kind", "evaluated", "not evaluated"]);
    for (kind, entry) in &report.coverage.rules {
        let mut missing = entry
            .not_evaluated
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>();
        if entry.not_evaluated.len() > 10 {
            missing.push(format!("… and {} more", entry.not_evaluated.len() - 10));
        }
        table.add_row(vec![
            Cell::new(kind),
            Cell::new(entry.evaluated),
            Cell::new(if missing.is_empty() {
                "0".to_string()
            } else {
                format!("{}: {}", entry.not_evaluated.len(), missing.join("\n"))
            }),
        ]);
    }
    let _ = writeln!(out, "{table}");
    let _ = writeln!(
        out,
        "{} packages in the inventory",
        report.coverage.packages
    );
    for gap in &report.coverage.gaps {
        let _ = writeln!(out, "gap: {gap}");
    }
    let summary = &report.summary;
    let _ = writeln!(
        out,
        "\nResult: {} ({} errors, {} warnings, {} notes, {} waived; failing on {})",
        summary.result.as_str().to_uppercase(),
        summary.errors,
        summary.warnings,
        summary.notes,
        summary.waived,
        summary.fail_on
    );
    out.into_bytes()
}
