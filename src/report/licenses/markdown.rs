//! The Markdown license report: summary, unknown licenses, conflicts, then one table per
//! license group. For job summaries, pull-request comments and compliance archives.
//!
//! In: a [`LicenseReport`]. Out: GitHub-flavoured Markdown.

use std::fmt::Write;

use super::{LicenseReport, group_title, yes_no};

/// Escapes text for a Markdown table cell or line: pipes, markup characters and newlines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '\\' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the report as Markdown.
pub fn render(report: &LicenseReport) -> Vec<u8> {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(out, "# License report\n");
    let _ = writeln!(
        out,
        "{} packages in {} license groups.",
        summary.packages, summary.groups
    );
    if let Some(policy) = &report.policy {
        let _ = writeln!(
            out,
            "Policy: {} (digest `{}`).",
            escape(&policy.name),
            policy.digest.get(..12).unwrap_or(&policy.digest)
        );
    }
    let _ = writeln!(out, "\n## Summary\n");
    let _ = writeln!(out, "| category | packages |\n|---|---:|");
    for (category, count) in report.category_counts() {
        let _ = writeln!(out, "| {category} | {count} |");
    }
    if let Some(verdicts) = &summary.verdicts {
        let _ = writeln!(out, "\n| verdict | packages |\n|---|---:|");
        for (verdict, count) in verdicts {
            let _ = writeln!(out, "| {verdict} | {count} |");
        }
    }
    let _ = writeln!(out, "\n## Unknown licenses ({})\n", summary.unknown.len());
    if summary.unknown.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for unknown in &summary.unknown {
        let _ = writeln!(
            out,
            "- {} {} ({}): {}",
            escape(&unknown.package.name),
            escape(&unknown.package.version),
            unknown.package.ecosystem,
            escape(&unknown.reason)
        );
    }
    let _ = writeln!(
        out,
        "\n## Declared vs detected conflicts ({})\n",
        summary.conflicts.len()
    );
    if summary.conflicts.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for conflict in &summary.conflicts {
        let _ = writeln!(
            out,
            "- {} {} ({}): declares {}, {} reads as {} (score {:.2})",
            escape(&conflict.package.name),
            escape(&conflict.package.version),
            conflict.package.ecosystem,
            escape(&conflict.declared),
            escape(&conflict.file),
            escape(&conflict.detected),
            conflict.score
        );
    }
    let _ = writeln!(out, "\n## Licenses");
    for group in &report.groups {
        let _ = writeln!(
            out,
            "\n### {} ({} package{})\n",
            escape(&group_title(group)),
            group.packages.len(),
            if group.packages.len() == 1 { "" } else { "s" }
        );
        let _ = write!(out, "Category: {}", group.category);
        if !group.licenses.is_empty() {
            let ids: Vec<String> = group
                .licenses
                .iter()
                .map(|t| match &t.exception {
                    Some(exception) => escape(&format!("{} WITH {exception}", t.id)),
                    None => escape(&t.id),
                })
                .collect();
            let _ = write!(
                out,
                ". Licenses: {}. OSI approved: {}. FSF libre: {}",
                ids.join(", "),
                yes_no(group.osi_approved),
                yes_no(group.fsf_libre)
            );
        }
        if let Some(verdict) = &group.verdict {
            let _ = write!(out, ". Verdict: **{verdict}**");
        }
        let _ = writeln!(out, ".\n");
        if report.policy.is_some() {
            let _ = writeln!(
                out,
                "| package | version | ecosystem | dependency | scope | provenance | verdict |\n|---|---|---|---|---|---|---|"
            );
        } else {
            let _ = writeln!(
                out,
                "| package | version | ecosystem | dependency | scope | provenance |\n|---|---|---|---|---|---|"
            );
        }
        for package in &group.packages {
            let _ = write!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                escape(&package.name),
                escape(&package.version),
                package.ecosystem,
                package.dependency,
                package.scope,
                escape(&package.provenance)
            );
            if let Some(verdict) = &package.verdict {
                let _ = write!(out, " {} |", escape(&verdict.display()));
            }
            out.push('\n');
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_breaking_characters_are_escaped() {
        assert_eq!(escape("a|b\nc"), "a\\|b c");
        assert_eq!(escape("<script>"), "\\<script\\>");
    }
}
