//! Stage 5, report: VEX out. What depgate decided about every vulnerability advisory that
//! matched the inventory, as an OpenVEX 0.2.0, CycloneDX 1.6 or CSAF 2.0 VEX document.
//!
//! In: the [`Decision`]s from `evaluate::vex::decisions` and the document's facts
//! ([`VexInfo`]). Out: pretty JSON bytes ending in a newline. Reproducible: decisions arrive
//! sorted, ids are derived from the content, and the time comes from the caller
//! (`SOURCE_DATE_EPOCH` honoured), so the same input gives the same bytes.

mod csaf;
pub mod cyclonedx;
mod openvex;

use thiserror::Error;

use crate::evaluate::vex::Decision;

/// The VEX formats written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexOutputFormat {
    /// OpenVEX 0.2.0.
    OpenVex,
    /// CycloneDX 1.6 JSON (`vulnerabilities` with `analysis`).
    CycloneDx,
    /// CSAF 2.0 with the VEX profile.
    Csaf,
}

impl VexOutputFormat {
    /// The name used in messages.
    pub fn name(&self) -> &'static str {
        match self {
            VexOutputFormat::OpenVex => "OpenVEX",
            VexOutputFormat::CycloneDx => "CycloneDX",
            VexOutputFormat::Csaf => "CSAF",
        }
    }
}

/// Facts about the document that do not come from the decisions.
#[derive(Debug, Clone)]
pub struct VexInfo {
    /// What was evaluated (the scanned directory's or file's name), for titles.
    pub subject: String,
    /// Who issues the statements (OpenVEX `author`, CSAF `publisher.name`, CycloneDX
    /// `metadata.authors`).
    pub author: String,
    /// The author's namespace, a URI (CSAF `publisher.namespace`).
    pub namespace: String,
    /// The document's time; pass [`crate::util::timestamp`] so `SOURCE_DATE_EPOCH` is honoured.
    pub timestamp: time::OffsetDateTime,
}

/// A VEX document could not be written.
#[derive(Debug, Error)]
pub enum VexWriteError {
    /// OpenVEX and CSAF VEX documents must hold at least one statement.
    #[error(
        "no vulnerability advisory matched the inventory, so there is nothing to state; an \
         {0} document needs at least one statement (CycloneDX allows an empty list: \
         `--format cyclonedx`)"
    )]
    NothingToState(&'static str),
}

/// Renders `decisions` in `format`.
pub fn render(
    format: VexOutputFormat,
    decisions: &[Decision],
    info: &VexInfo,
) -> Result<Vec<u8>, VexWriteError> {
    if decisions.is_empty() && format != VexOutputFormat::CycloneDx {
        return Err(VexWriteError::NothingToState(format.name()));
    }
    let document = match format {
        VexOutputFormat::OpenVex => openvex::document(decisions, info),
        VexOutputFormat::CycloneDx => cyclonedx::document(decisions, info),
        VexOutputFormat::Csaf => csaf::document(decisions, info),
    };
    let mut bytes = serde_json::to_vec_pretty(&document).unwrap_or_default();
    bytes.push(b'\n');
    Ok(bytes)
}

/// A UUID derived from `content`, as `urn:uuid:…`.
fn content_urn(content: &serde_json::Value) -> String {
    let bytes = serde_json::to_vec(content).unwrap_or_default();
    format!("urn:uuid:{}", super::sbom_common::content_uuid(&bytes))
}

/// Where an id is published: `(source name, URL)` by its prefix.
fn id_source(id: &str) -> (&'static str, String) {
    let upper = id.to_ascii_uppercase();
    if upper.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else if upper.starts_with("GHSA-") {
        (
            "GitHub Advisories",
            format!("https://github.com/advisories/{id}"),
        )
    } else if upper.starts_with("RUSTSEC-") {
        (
            "RustSec",
            format!("https://rustsec.org/advisories/{id}.html"),
        )
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{id}"))
    }
}

/// The text that says why a `not_affected` decision holds: the impact statement, else the
/// status notes (every writer needs one of them or a justification).
fn impact_text(decision: &Decision) -> Option<String> {
    decision
        .impact_statement
        .clone()
        .or_else(|| decision.status_notes.clone())
}
