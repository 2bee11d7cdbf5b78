//! Third-party notices as Markdown: one section per license with its packages and copyright
//! lines, the license text in a fenced block, NOTICE files verbatim, then "needs attention".
//!
//! In: a [`NoticesReport`]. Out: GitHub-flavoured Markdown.

use std::fmt::Write;

use super::NoticesReport;
use crate::report::licenses::markdown::escape;

/// A code fence longer than any run of backticks in `text`, so the text cannot close it.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat(longest.max(2) + 1)
}

fn block(out: &mut String, text: &str) {
    let fence = fence(text);
    let _ = writeln!(out, "{fence}text");
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}\n");
}

/// Renders the notices as Markdown.
pub fn render(report: &NoticesReport) -> Vec<u8> {
    let mut out = String::new();
    let summary = &report.summary;
    let _ = writeln!(out, "# Third-party software notices\n");
    let _ = writeln!(
        out,
        "This product includes {} third-party packages under {} licenses; {} NOTICE files; {} packages need attention.\n",
        summary.packages, summary.licenses, summary.notice_files, summary.needs_attention
    );
    for section in &report.licenses {
        let _ = writeln!(
            out,
            "## {} (`{}`){}\n",
            escape(&section.name),
            section.id,
            if section.kind == "exception" {
                " — license exception"
            } else {
                ""
            }
        );
        let _ = writeln!(out, "Used by:\n");
        for package in &section.packages {
            let _ = writeln!(
                out,
                "- **{}** {} ({}), license `{}`",
                escape(&package.name),
                escape(&package.version),
                package.ecosystem,
                package.license
            );
            for copyright in &package.copyrights {
                let _ = writeln!(out, "  - {}", escape(copyright));
            }
        }
        out.push('\n');
        block(&mut out, &section.text);
    }
    if !report.notices.is_empty() {
        let _ = writeln!(out, "## NOTICE files\n");
        for notice in &report.notices {
            let _ = writeln!(
                out,
                "### {} {} ({}): `{}`\n",
                escape(&notice.name),
                escape(&notice.version),
                notice.ecosystem,
                notice.file
            );
            block(&mut out, &notice.text);
        }
    }
    let _ = writeln!(
        out,
        "## Needs attention ({})\n",
        report.needs_attention.len()
    );
    if report.needs_attention.is_empty() {
        let _ = writeln!(out, "None.");
    }
    for item in &report.needs_attention {
        let line = item.line(escape, |name| format!("**{name}**"), |l| format!("`{l}`"));
        let _ = writeln!(out, "{line}");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_outgrows_backticks_in_the_text() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
