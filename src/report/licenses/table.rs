//! The terminal license report: the summary, then one comfy-table table per license group.
//!
//! In: a [`LicenseReport`]. Out: UTF-8 text (no colour, so files and pipes stay clean).

use std::fmt::Write;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL};

use super::{LicenseReport, group_title, yes_no};

fn new_table() -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty();
    table
}

/// Renders the report as terminal tables.
pub fn render(report: &LicenseReport) -> Vec<u8> {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(
        out,
        "License report: {} packages in {} license groups",
        summary.packages, summary.groups
    );
    if let Some(policy) = &report.policy {
        let _ = writeln!(
            out,
            "policy: `{}` ({}), digest {}",
            policy.name,
            if policy.files.is_empty() {
                "built-in".to_string()
            } else {
                policy.files.join(", ")
            },
            policy.digest.get(..12).unwrap_or(&policy.digest)
        );
    }
    let mut table = new_table();
    table.set_header(vec!["category", "packages"]);
    for (category, count) in report.category_counts() {
        table.add_row(vec![category, count.to_string()]);
    }
    let _ = writeln!(out, "\n{table}");
    if let Some(verdicts) = &summary.verdicts {
        let line: Vec<String> = verdicts.iter().map(|(v, n)| format!("{v} {n}")).collect();
        let _ = writeln!(out, "verdicts: {}", line.join(", "));
    }
    let _ = writeln!(out, "\nUnknown licenses: {}", summary.unknown.len());
    for unknown in &summary.unknown {
        let _ = writeln!(
            out,
            "  {} {} ({}): {}",
            unknown.package.name,
            unknown.package.version,
            unknown.package.ecosystem,
            unknown.reason
        );
    }
    let _ = writeln!(
        out,
        "\nDeclared vs detected conflicts: {}",
        summary.conflicts.len()
    );
    for conflict in &summary.conflicts {
        let _ = writeln!(
            out,
            "  {} {} ({}): declares `{}`, `{}` reads as `{}` (score {:.2})",
            conflict.package.name,
            conflict.package.version,
            conflict.package.ecosystem,
            conflict.declared,
            conflict.file,
            conflict.detected,
            conflict.score
        );
    }
    for group in &report.groups {
        let ids = group.license_ids();
        let _ = writeln!(
            out,
            "\n{} — {}, {} package{}{}",
            group_title(group),
            group.category,
            group.packages.len(),
            if group.packages.len() == 1 { "" } else { "s" },
            group
                .verdict
                .as_ref()
                .map(|v| format!(", verdict {v}"))
                .unwrap_or_default()
        );
        if !ids.is_empty() {
            let _ = writeln!(
                out,
                "licenses: {}; OSI approved: {}; FSF libre: {}",
                ids.join(", "),
                yes_no(group.osi_approved),
                yes_no(group.fsf_libre)
            );
        }
        let mut table = new_table();
        let mut header = vec![
            "package",
            "version",
            "ecosystem",
            "dependency",
            "scope",
            "provenance",
        ];
        if report.policy.is_some() {
            header.push("verdict");
        }
        table.set_header(header);
        for package in &group.packages {
            let mut row = vec![
                package.name.clone(),
                package.version.clone(),
                package.ecosystem.clone(),
                package.dependency.clone(),
                package.scope.clone(),
                package.provenance.clone(),
            ];
            if let Some(verdict) = &package.verdict {
                row.push(verdict.display());
            }
            table.add_row(row);
        }
        let _ = writeln!(out, "{table}");
    }
    out.into_bytes()
}
