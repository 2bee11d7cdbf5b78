//! `depgate vex`: evaluates like `check` and writes what was decided about each
//! vulnerability advisory as a VEX document.
//!
//! In: [`VexArgs`]. Out: an OpenVEX, CycloneDX or CSAF document written atomically to
//! `-o FILE` or to standard output, a one-line summary on standard error, and
//! [`Outcome::Pass`]: the document is the product, not a verdict. With no advisory database
//! there is nothing to decide from, which is an error (exit 2), never an empty document.

use anyhow::{Context, bail};

use super::Outcome;
use super::check;
use crate::cli::{VexArgs, VexFormat};
use crate::enrich::vex::VexStatus;
use crate::evaluate::vex::Decisions;
use crate::report::vex::{VexInfo, VexOutputFormat};

/// Runs `depgate vex`.
pub fn run(args: VexArgs) -> anyhow::Result<Outcome> {
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let (timestamp, _, state) = check::evaluate_at_document_time(&args.scan, &args.evaluation)?;
    if state.advisories.databases.is_empty() {
        bail!(
            "no advisory database is available, so there is nothing to state: run `depgate db \
             update` or pass `--advisory-db PATH`"
        );
    }
    let Decisions {
        decisions,
        without_purl,
    } = crate::evaluate::vex::decisions(&state.evaluation);
    if without_purl > 0 {
        eprintln!(
            "warning: {without_purl} vulnerability finding(s) concern packages without a purl \
             (local or path packages), which a VEX document cannot name; they are left out"
        );
    }
    let author = args
        .author
        .clone()
        .unwrap_or_else(|| super::attest::policy_summary(&state.policy).owner);
    let subject = args.evaluation.sbom.as_deref().unwrap_or(&args.scan.path);
    let info = VexInfo {
        subject: super::sbom::subject_name(subject),
        namespace: args
            .namespace
            .clone()
            .unwrap_or_else(|| default_namespace(&author)),
        author,
        timestamp,
    };
    let format = match args.format {
        VexFormat::Openvex => VexOutputFormat::OpenVex,
        VexFormat::Cyclonedx => VexOutputFormat::CycloneDx,
        VexFormat::Csaf => VexOutputFormat::Csaf,
    };
    let bytes = crate::report::vex::render(format, &decisions, &info)
        .context("cannot write the VEX document")?;
    super::emit(args.output.as_deref(), &bytes)?;
    let count = |status: VexStatus| decisions.iter().filter(|d| d.status == status).count();
    let destination = super::outputs::destination(args.output.as_deref());
    eprintln!(
        "{} {} statements ({} not affected, {} fixed, {} affected, {} under investigation) — \
         written to {destination}",
        decisions.len(),
        format.name(),
        count(VexStatus::NotAffected),
        count(VexStatus::Fixed),
        count(VexStatus::Affected),
        count(VexStatus::UnderInvestigation),
    );
    Ok(Outcome::Pass)
}

/// A namespace URI for an author given only by name: `mailto:` of an e-mail address in it,
/// the author itself when it is a URL, else `urn:depgate:author:<name>`.
fn default_namespace(author: &str) -> String {
    if author.starts_with("https://") || author.starts_with("http://") {
        return author.to_string();
    }
    let email = author
        .split(|c: char| c.is_whitespace() || c == '<' || c == '>')
        .find(|word| {
            word.split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
        });
    if let Some(email) = email {
        return format!("mailto:{email}");
    }
    let name: String = author
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("urn:depgate:author:{}", name.trim_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_come_from_the_author() {
        assert_eq!(
            default_namespace("Security Team <sec@example.com>"),
            "mailto:sec@example.com"
        );
        assert_eq!(
            default_namespace("sec@example.com"),
            "mailto:sec@example.com"
        );
        assert_eq!(
            default_namespace("https://psirt.example.com"),
            "https://psirt.example.com"
        );
        assert_eq!(
            default_namespace("ACME Platform"),
            "urn:depgate:author:acme-platform"
        );
    }
}
