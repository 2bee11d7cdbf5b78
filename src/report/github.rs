//! Report stage, GitHub Actions: workflow-command annotations and the job summary.
//!
//! In: the [`super::FindingsReport`] (and, for the summary, an already rendered Markdown report). Out:
//! `::error file=…,line=…,title=…::message` lines that GitHub shows on the pull request's diff,
//! and Markdown appended to the file named by `GITHUB_STEP_SUMMARY`. Escaping follows the
//! runner's rules (`@actions/core` `escapeData` / `escapeProperty`): `%`, CR and LF everywhere,
//! plus `:` and `,` inside properties, so a message can never end a command early or inject
//! another one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::evaluate::{BaselineState, Finding, Severity};

/// Escapes a command's message (the part after `::`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`, ...): data escaping plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// A path as the runner expects in `file=`: relative to the workspace root, with `/`.
fn annotation_path(path: &Path, root: Option<&Path>) -> String {
    let relative = root
        .and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

fn annotation(finding: &Finding, root: Option<&Path>) -> String {
    let mut properties = Vec::new();
    if let Some(location) = &finding.location {
        properties.push(format!(
            "file={}",
            escape_property(&annotation_path(&location.file, root))
        ));
        if let Some(line) = location.line.filter(|l| *l > 0) {
            properties.push(format!("line={line}"));
        }
    }
    let subject = finding
        .package
        .as_ref()
        .map(|p| format!(" {}@{}", p.name, p.version))
        .unwrap_or_default();
    let existing = match finding.baseline {
        Some(BaselineState::Existing) => " (existing)",
        _ => "",
    };
    properties.push(format!(
        "title={}",
        escape_property(&format!("depgate {}{subject}{existing}", finding.code))
    ));
    let mut message = format!("{} [rule `{}`", finding.message, finding.rule);
    if let Some(owner) = &finding.owner {
        message.push_str(&format!(", owner {owner}"));
    }
    message.push(']');
    if let Some(path) = finding.paths.first() {
        message.push_str(&format!("\nDependency path: {path}"));
    }
    format!(
        "::{} {}::{}",
        command_name(finding.severity),
        properties.join(","),
        escape_data(&message)
    )
}

/// Renders every finding as one workflow command per line, in the deterministic finding order.
/// Errors become `::error`, warnings `::warning`, notes (waived findings) `::notice`.
pub fn render(report: &super::FindingsReport, root: Option<&Path>) -> Vec<u8> {
    render_findings(&report.findings, root)
}

/// Renders findings as annotations (what [`render`] takes from the report).
pub fn render_findings(findings: &[Finding], root: Option<&Path>) -> Vec<u8> {
    let mut findings: Vec<&Finding> = findings.iter().collect();
    findings.sort_by_cached_key(|f| f.sort_key());
    let mut text = String::new();
    for finding in findings {
        text.push_str(&annotation(finding, root));
        text.push('\n');
    }
    text.into_bytes()
}

/// Appends `markdown` to the file named by `GITHUB_STEP_SUMMARY`, when that variable is set and
/// not empty. Returns the file written, or `None` outside GitHub Actions.
pub fn append_step_summary(markdown: &str) -> std::io::Result<Option<PathBuf>> {
    match std::env::var_os("GITHUB_STEP_SUMMARY") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            append_summary_to(&path, markdown)?;
            Ok(Some(path))
        }
        _ => Ok(None),
    }
}

/// Appends `markdown` to a job-summary file, separated from what is already there by a blank
/// line. The summary is append-only by design (several steps share it), so this is not atomic.
pub fn append_summary_to(path: &Path, markdown: &str) -> std::io::Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut text = String::with_capacity(markdown.len() + 2);
    if file.metadata()?.len() > 0 {
        text.push('\n');
    }
    text.push_str(markdown);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    file.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{FindingCode, PackageRef};
    use crate::inventory::Location;

    #[test]
    fn escaping_follows_the_runner_rules() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotation_has_file_line_title_and_escaped_message() {
        let mut finding = Finding::new(
            FindingCode::LicenseDenied,
            "licenses.deny",
            Severity::Error,
            "GPL-3.0-only is denied: 100% copyleft\n::error::injected",
        );
        finding.package = Some(PackageRef {
            ecosystem: "cargo".into(),
            name: "foo".into(),
            version: "1.0.0".into(),
            purl: None,
        });
        finding.owner = Some("legal@example.com".into());
        finding.location = Some(Location {
            file: PathBuf::from("/ws/app,one/Cargo.lock"),
            line: Some(12),
        });
        let text = String::from_utf8(render_findings(&[finding], Some(Path::new("/ws")))).unwrap();
        assert_eq!(
            text,
            "::error file=app%2Cone/Cargo.lock,line=12,title=depgate license-denied foo@1.0.0::\
             GPL-3.0-only is denied: 100%25 copyleft%0A::error::injected \
             [rule `licenses.deny`, owner legal@example.com]\n"
        );
        assert_eq!(text.lines().count(), 1);
    }

    #[test]
    fn summary_is_appended_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        std::fs::write(&path, "# Earlier step\n").unwrap();
        append_summary_to(&path, "## depgate\nok").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# Earlier step\n\n## depgate\nok\n"
        );
    }
}
