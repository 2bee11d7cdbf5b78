//! Enrich: VEX documents, the statements suppliers and auditors make about whether a
//! vulnerability affects a product, read into one model. Facts only: which finding a statement
//! applies to, and what that does to it, is decided in `evaluate::vex`.
//!
//! In: the path of an OpenVEX (0.0.1 or 0.2.0), CSAF 2.0 VEX-profile, or CycloneDX VEX (JSON
//! or XML, 1.4 to 1.6) document; the format is detected from the content. Out: a
//! [`VexDocument`] whose statements name their vulnerability (with aliases), their products as
//! purls (CSAF product trees and CycloneDX `bom-ref`s resolved), status, justification and
//! statements, and the time they were made.
//!
//! Documents are validated structurally while they are read: every field depgate reads must
//! have its schema's type and, for enumerations, one of its schema's values; fields a schema
//! requires must be there. The first problem is an error naming the file, the JSON path (and
//! line where known). Full JSON Schema validation at run time would need the schemas embedded
//! (CycloneDX's alone are three versions plus SPDX and JSF) and a validator crate in the
//! binary, and still says nothing about XML; the tests instead check that this reader and the
//! official schemas agree on the official examples and on broken documents.

mod csaf;
mod cyclonedx;
mod openvex;

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The format a document was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX, with its version (`0.0.1` or `0.2.0`).
    OpenVex(&'static str),
    /// CSAF 2.0 with the VEX profile (`document.category` = `csaf_vex`).
    Csaf,
    /// CycloneDX JSON, with its spec version.
    CycloneDxJson(String),
    /// CycloneDX XML, with its spec version.
    CycloneDxXml(String),
}

impl fmt::Display for VexFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VexFormat::OpenVex(version) => write!(f, "OpenVEX {version}"),
            VexFormat::Csaf => f.write_str("CSAF 2.0 VEX"),
            VexFormat::CycloneDxJson(version) => write!(f, "CycloneDX {version} JSON"),
            VexFormat::CycloneDxXml(version) => write!(f, "CycloneDX {version} XML"),
        }
    }
}

pub use crate::vocabulary::vex::{Justification, VexStatus};

/// A product or subcomponent a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// How the document identifies it (an IRI, a purl, a CSAF product id, a `bom-ref`), for
    /// messages.
    pub label: String,
    /// Its purl, when the document gives or resolves to one; without it, it matches nothing.
    pub purl: Option<String>,
}

/// A product a statement is about, optionally narrowed to subcomponents of it (OpenVEX
/// `subcomponents`, CSAF relationships).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The product.
    pub component: Component,
    /// The components inside it the statement is about; empty: the product itself.
    pub subcomponents: Vec<Component>,
}

/// One statement: a vulnerability, the products it is about, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// The vulnerability's main id (`CVE-…`, `GHSA-…`, `RUSTSEC-…`).
    pub vulnerability: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// The products.
    pub products: Vec<Product>,
    /// The status.
    pub status: VexStatus,
    /// Why not affected.
    pub justification: Option<Justification>,
    /// How the product is (not) affected, in words.
    pub impact_statement: Option<String>,
    /// What to do about it (for `affected`).
    pub action_statement: Option<String>,
    /// Notes on how the status was determined.
    pub status_notes: Option<String>,
    /// When the statement was made (statement, else document time); later statements about
    /// the same product and vulnerability win.
    pub timestamp: Option<time::OffsetDateTime>,
    /// Where in the document: a JSON path (`$.statements[2]`) or an XML path.
    pub pointer: String,
}

impl VexStatement {
    /// Every id the statement names: the main one and its aliases.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.vulnerability.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// One VEX document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDocument {
    /// Where it was read from.
    pub path: PathBuf,
    /// The format it was read as.
    pub format: VexFormat,
    /// Its id (`@id`, `tracking.id`, `serialNumber`), when it has one.
    pub id: Option<String>,
    /// Who issued it (OpenVEX `author`, CSAF `publisher.name`, CycloneDX `metadata.authors`).
    pub author: Option<String>,
    /// When it was issued or last updated.
    pub timestamp: Option<time::OffsetDateTime>,
    /// The statements, in document order.
    pub statements: Vec<VexStatement>,
}

/// A VEX document could not be read.
#[derive(Debug, Error)]
pub enum VexError {
    /// The file could not be read.
    #[error("cannot read the VEX document `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why it could not be read (not a regular file, too large, not UTF-8, ...).
        #[source]
        source: crate::util::ReadError,
    },
    /// The content is not JSON or XML of a VEX format.
    #[error("`{}`{}: not a VEX document: {reason}", path.display(), at_line(*line))]
    NotVex {
        /// The file.
        path: PathBuf,
        /// The line, when known.
        line: Option<u32>,
        /// Why.
        reason: String,
    },
    /// The document does not fit its format's schema.
    #[error("`{}`{}: invalid {format} document at `{pointer}`: {message}", path.display(), at_line(*line))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The format it was read as.
        format: String,
        /// A JSON path (`$.statements[2].status`) or XML path of the first problem.
        pointer: String,
        /// The line, when known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
}

fn at_line(line: Option<u32>) -> String {
    line.map(|line| format!(" line {line}")).unwrap_or_default()
}

/// Reads every document, in order; the first one that cannot be read is the error.
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<VexDocument>, VexError> {
    paths.iter().map(|path| read(path)).collect()
}

/// Reads one document from a file.
pub fn read(path: &Path) -> Result<VexDocument, VexError> {
    // The one reader of user-given files: a FIFO or a device is an error, never a hang.
    let text = crate::util::read_input_text(path).map_err(|source| VexError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Reads one document from its text; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<VexDocument, VexError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return cyclonedx::parse_xml(path, text);
    }
    let value: serde_json::Value =
        serde_json::from_str(trimmed).map_err(|error| VexError::NotVex {
            path: path.to_path_buf(),
            line: Some(error.line() as u32),
            reason: format!("neither XML nor valid JSON ({})", strip_position(&error)),
        })?;
    let not_vex = |reason: &str| VexError::NotVex {
        path: path.to_path_buf(),
        line: None,
        reason: reason.to_string(),
    };
    let Some(object) = value.as_object() else {
        return Err(not_vex("the JSON document is not an object"));
    };
    if let Some(context) = object.get("@context").and_then(|c| c.as_str()) {
        openvex::parse(path, trimmed, context)
    } else if object.contains_key("document") {
        csaf::parse(path, trimmed)
    } else if object.contains_key("bomFormat") {
        cyclonedx::parse_json(path, trimmed)
    } else {
        Err(not_vex(
            "expected OpenVEX (`@context`), CSAF (`document`) or CycloneDX (`bomFormat`)",
        ))
    }
}

/// A serde_json error's message without its ` at line L column C` suffix (the line is
/// reported separately).
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// Deserialises `text` as `T`, turning the first error into [`VexError::Invalid`] with its
/// JSON path and line.
fn deserialize<T: serde::de::DeserializeOwned>(
    path: &Path,
    format: &str,
    text: &str,
) -> Result<T, VexError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let pointer = json_path(&error.path().to_string());
        let inner = error.into_inner();
        VexError::Invalid {
            path: path.to_path_buf(),
            format: format.to_string(),
            pointer,
            line: Some(inner.line() as u32),
            message: strip_position(&inner),
        }
    })
}

/// `statements[2].status` -> `$.statements[2].status`; the root (`.`) -> `$`.
fn json_path(path: &str) -> String {
    if path == "." || path.is_empty() {
        "$".to_string()
    } else {
        format!("$.{path}")
    }
}

/// Builds [`VexError::Invalid`] errors for one document (checks after deserialisation).
struct Problems<'a> {
    path: &'a Path,
    format: String,
}

impl Problems<'_> {
    fn invalid(&self, pointer: impl Into<String>, message: impl Into<String>) -> VexError {
        self.invalid_at(pointer, None, message)
    }

    fn invalid_at(
        &self,
        pointer: impl Into<String>,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> VexError {
        VexError::Invalid {
            path: self.path.to_path_buf(),
            format: self.format.clone(),
            pointer: pointer.into(),
            line,
            message: message.into(),
        }
    }

    /// Parses an RFC 3339 date-time (the schemas' `date-time` format).
    fn timestamp(
        &self,
        pointer: &str,
        text: Option<&str>,
    ) -> Result<Option<time::OffsetDateTime>, VexError> {
        let Some(text) = text else {
            return Ok(None);
        };
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map(Some)
            .map_err(|_| self.invalid(pointer, format!("`{text}` is not an RFC 3339 date-time")))
    }

    /// Checks that `value` is one of `allowed`.
    fn one_of(&self, pointer: &str, value: &str, allowed: &[&str]) -> Result<(), VexError> {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(self.invalid(pointer, unknown_value(value, allowed)))
        }
    }
}

/// "`x` is not one of `a`, `b`".
fn unknown_value(value: &str, allowed: &[&str]) -> String {
    format!(
        "`{value}` is not one of {}",
        allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The status spellings, for messages and checks.
fn status_names() -> Vec<&'static str> {
    VexStatus::ALL.iter().map(VexStatus::as_str).collect()
}

/// The justification spellings, for messages and checks.
fn justification_names() -> Vec<&'static str> {
    Justification::ALL
        .iter()
        .map(Justification::as_str)
        .collect()
}

/// A component identified by `label`, whose purl is the label itself when it is one.
fn component_from_label(label: &str, purl: Option<&str>) -> Component {
    let purl = purl
        .map(str::to_string)
        .or_else(|| label.starts_with("pkg:").then(|| label.to_string()));
    Component {
        label: label.to_string(),
        purl,
    }
}

/// Text that is absent when empty or blank.
fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for status in VexStatus::ALL {
            assert_eq!(VexStatus::parse(status.as_str()), Some(*status));
            assert_eq!(
                VexStatus::from_cyclonedx_state(status.cyclonedx_state()),
                Some(*status)
            );
        }
        for justification in Justification::ALL {
            assert_eq!(
                Justification::parse(justification.as_str()),
                Some(*justification)
            );
            assert!(Justification::from_cyclonedx(justification.cyclonedx()).is_some());
        }
        assert_eq!(
            Justification::from_cyclonedx("protected_at_runtime"),
            Some(Justification::InlineMitigationsAlreadyExist)
        );
        assert_eq!(VexStatus::from_cyclonedx_state("exploited"), None);
    }

    #[test]
    fn unknown_content_is_not_vex() {
        let path = Path::new("x.json");
        for text in ["[]", "{\"a\": 1}", "{ nope"] {
            let error = parse(path, text).unwrap_err();
            assert!(matches!(error, VexError::NotVex { .. }), "{text}: {error}");
            assert!(error.to_string().contains("`x.json`"), "{error}");
        }
    }

    #[test]
    fn json_paths_start_at_the_root() {
        assert_eq!(json_path("."), "$");
        assert_eq!(json_path("statements[2].status"), "$.statements[2].status");
    }
}
