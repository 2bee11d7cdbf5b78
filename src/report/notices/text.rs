//! Third-party notices as plain text, the form usually shipped as `THIRD-PARTY-NOTICES.txt`.
//!
//! In: a [`NoticesReport`]. Out: UTF-8 text; license and NOTICE texts reproduced exactly.

use std::fmt::Write;

use super::NoticesReport;

const RULE: &str =
    "================================================================================";
const THIN: &str =
    "--------------------------------------------------------------------------------";

/// Renders the notices as plain text.
pub fn render(report: &NoticesReport) -> Vec<u8> {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(out, "THIRD-PARTY SOFTWARE NOTICES\n");
    let _ = writeln!(
        out,
        "This product includes {} third-party packages under {} licenses. Their license texts,\n\
         copyright notices and NOTICE files follow.\n",
        summary.packages, summary.licenses
    );
    for section in &report.licenses {
        let _ = writeln!(out, "{RULE}");
        let _ = writeln!(
            out,
            "{} ({}){}",
            section.name,
            section.id,
            if section.kind == "exception" {
                " — license exception"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "{RULE}\n");
        let _ = writeln!(out, "Used by:");
        for package in &section.packages {
            let _ = writeln!(
                out,
                "  - {} {} ({}), license {}",
                package.name, package.version, package.ecosystem, package.license
            );
            for copyright in &package.copyrights {
                let _ = writeln!(out, "      {copyright}");
            }
        }
        let _ = writeln!(out, "\n{THIN}\n");
        let _ = writeln!(out, "{}", section.text.trim_end());
        out.push('\n');
    }
    if !report.notices.is_empty() {
        let _ = writeln!(out, "{RULE}\nNOTICE FILES\n{RULE}\n");
        for notice in &report.notices {
            let _ = writeln!(
                out,
                "{} {} ({}): {}\n{THIN}",
                notice.name, notice.version, notice.ecosystem, notice.file
            );
            out.push_str(&notice.text);
            if !notice.text.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(out, "{THIN}\n");
        }
    }
    let _ = writeln!(
        out,
        "{RULE}\nNEEDS ATTENTION ({})\n{RULE}\n",
        report.needs_attention.len()
    );
    if report.needs_attention.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for item in &report.needs_attention {
        let line = item.line(str::to_string, |name| name, str::to_string);
        let _ = writeln!(out, "{line}");
    }
    out.into_bytes()
}
