//! `depgate sbom`: ingest a path (or, with `--from`, an existing SBOM) and write an SBOM.
//!
//! In: [`SbomArgs`]. Out: a CycloneDX (1.5/1.6 JSON, 1.5 XML) or SPDX 2.3 JSON document on
//! standard output, or written atomically to `-o FILE`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{SbomArgs, SbomFormat, SpecVersion};
use crate::inventory::Inventory;
use crate::report::DocumentInfo;
use crate::report::cyclonedx::{self, Cdx16Extensions};

use super::Outcome;

/// A validated SBOM request: the format and spec version together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SbomKind {
    /// CycloneDX 1.5 JSON.
    CycloneDxJson15,
    /// CycloneDX 1.6 JSON.
    CycloneDxJson16,
    /// CycloneDX 1.5 XML.
    CycloneDxXml15,
    /// SPDX 2.3 JSON.
    SpdxJson23,
}

/// A request the command line allows but depgate cannot honour (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl SbomKind {
    /// Validates `--format` with `--spec-version`. The default spec version is 1.6 for
    /// CycloneDX JSON and 1.5 for CycloneDX XML; SPDX is always 2.3.
    pub fn from_flags(
        format: SbomFormat,
        spec_version: Option<SpecVersion>,
    ) -> Result<Self, UsageError> {
        match (format, spec_version) {
            (SbomFormat::CyclonedxJson, None | Some(SpecVersion::V1_6)) => {
                Ok(SbomKind::CycloneDxJson16)
            }
            (SbomFormat::CyclonedxJson, Some(SpecVersion::V1_5)) => Ok(SbomKind::CycloneDxJson15),
            (SbomFormat::CyclonedxXml, None | Some(SpecVersion::V1_5)) => {
                Ok(SbomKind::CycloneDxXml15)
            }
            (SbomFormat::CyclonedxXml, Some(SpecVersion::V1_6)) => Err(UsageError(
                "CycloneDX XML is written as spec version 1.5 only; use `--spec-version 1.5` \
                 with `--format cyclonedx-xml`, or `--format cyclonedx-json` for 1.6"
                    .to_string(),
            )),
            (SbomFormat::SpdxJson, None) => Ok(SbomKind::SpdxJson23),
            (SbomFormat::SpdxJson, Some(_)) => Err(UsageError(
                "`--spec-version` selects a CycloneDX version; SPDX is always written as 2.3"
                    .to_string(),
            )),
        }
    }
}

/// Runs `depgate sbom`.
pub fn run(args: SbomArgs) -> anyhow::Result<Outcome> {
    // Flags first: a usage error should not wait for a scan.
    let kind = SbomKind::from_flags(args.format, args.spec_version)?;
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let inventory = match &args.from {
        // `--from FILE`: convert an existing SBOM as it is, adding no facts of our own.
        Some(file) => crate::ingest::ingest_sbom_to_scan(file)?,
        None => {
            let mut inventory = super::load_inventory_for_verdict(&args.scan)?;
            // An SBOM carries no verdict, so no policy is read: `--online` alone allows lookups.
            super::enrich_licenses(&mut inventory, &args.scan, false);
            inventory
        }
    };
    super::warn_gaps(&inventory);
    let timestamp = crate::util::timestamp().map_err(anyhow::Error::msg)?;
    let info = DocumentInfo::new(subject_name(&args.scan.path), timestamp);
    let bytes = render(&inventory, &info, kind)?;
    super::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}

/// Renders an inventory as the requested SBOM.
pub fn render(
    inventory: &Inventory,
    info: &DocumentInfo,
    kind: SbomKind,
) -> anyhow::Result<Vec<u8>> {
    let bytes = match kind {
        SbomKind::CycloneDxJson15 => cyclonedx::to_json_1_5(inventory, info)?,
        SbomKind::CycloneDxJson16 => {
            cyclonedx::to_json_1_6(inventory, info, &Cdx16Extensions::default())?
        }
        SbomKind::CycloneDxXml15 => cyclonedx::to_xml_1_5(inventory, info)?,
        SbomKind::SpdxJson23 => {
            crate::report::spdx::to_json(inventory, info).context("cannot write SPDX JSON")?
        }
    };
    Ok(bytes)
}

/// The subject's name: the scanned directory's name (for a single file, its directory's).
pub fn subject_name(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    let directory = if absolute.is_file() {
        absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
    } else {
        absolute
    };
    directory
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "project".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_spec_versions() {
        assert_eq!(
            SbomKind::from_flags(SbomFormat::CyclonedxJson, None).unwrap(),
            SbomKind::CycloneDxJson16
        );
        assert_eq!(
            SbomKind::from_flags(SbomFormat::CyclonedxXml, None).unwrap(),
            SbomKind::CycloneDxXml15
        );
        assert_eq!(
            SbomKind::from_flags(SbomFormat::CyclonedxJson, Some(SpecVersion::V1_5)).unwrap(),
            SbomKind::CycloneDxJson15
        );
    }

    #[test]
    fn xml_1_6_is_a_usage_error() {
        let error =
            SbomKind::from_flags(SbomFormat::CyclonedxXml, Some(SpecVersion::V1_6)).unwrap_err();
        assert!(error.0.contains("1.5 only"), "{error}");
    }

    #[test]
    fn subject_name_of_a_file_is_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("my-project");
        std::fs::create_dir(&project).unwrap();
        std::fs::write(project.join("Cargo.lock"), "").unwrap();
        assert_eq!(subject_name(&project), "my-project");
        assert_eq!(subject_name(&project.join("Cargo.lock")), "my-project");
    }
}
