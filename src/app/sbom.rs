//! `depgate sbom`: ingest a path (or, with `--from`, an existing SBOM) and write an SBOM.
//!
//! In: [`SbomArgs`]. Out: a CycloneDX (1.5/1.6 JSON, 1.5 XML), SPDX 2.3 JSON or SPDX 3.0.1
//! JSON-LD document on standard output, or written atomically to `-o FILE`. With
//! `--profile bsi-tr-03183-2`, the product's facts (creator, supplier, `--artifact`) go in, the
//! SHA-512 of cached artefacts is computed, and every required field depgate cannot fill is
//! named on standard error with the number of components lacking it.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{ProductArgs, SbomArgs, SbomCommand, SbomFormat, SbomProfile, SpecVersion};
use crate::inventory::Inventory;
use crate::report::cyclonedx::{self, Cdx16Extensions};
use crate::report::{Artifact, DocumentInfo, DocumentOrigin, Party, Profile};

use super::Outcome;
use crate::util::count;

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
    /// SPDX 3.0.1 JSON-LD.
    Spdx3Json,
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
            (SbomFormat::Spdx3Json, None) => Ok(SbomKind::Spdx3Json),
            (SbomFormat::SpdxJson | SbomFormat::Spdx3Json, Some(_)) => Err(UsageError(
                "`--spec-version` selects a CycloneDX version; SPDX is written as 2.3 \
                 (`spdx-json`) or 3.0.1 (`spdx3-json`)"
                    .to_string(),
            )),
        }
    }

    /// Checks that a profile can be written in this format: BSI TR-03183-2 v2.1.0 accepts
    /// CycloneDX 1.6 or later and SPDX 3.0.1 or later.
    pub fn check_profile(self, profile: Option<SbomProfile>) -> Result<(), UsageError> {
        match (profile, self) {
            (None, _)
            | (Some(SbomProfile::BsiTr031832), SbomKind::CycloneDxJson16 | SbomKind::Spdx3Json) => {
                Ok(())
            }
            (Some(SbomProfile::BsiTr031832), _) => Err(UsageError(
                "`--profile bsi-tr-03183-2` needs CycloneDX 1.6 or SPDX 3.0.1 (BSI TR-03183-2 \
                 v2.1.0 accepts nothing older): use `--format cyclonedx-json` (1.6) or \
                 `--format spdx3-json`; CycloneDX XML is written as 1.5 only"
                    .to_string(),
            )),
        }
    }
}

/// The document facts that come from the command line: the product's creator, supplier and
/// artefact, and the profile. Reads (and hashes) `--artifact`.
///
/// The creator and supplier the flags leave out come from the policy's `[sbom]` section: the
/// `--policy` given, or with `--profile` the one found in `scan_root` (a plain SBOM reads no
/// policy, as before).
pub(crate) fn product_info(
    name: String,
    product: &ProductArgs,
    origin: DocumentOrigin,
    scan_root: &Path,
) -> anyhow::Result<DocumentInfo> {
    let timestamp = crate::util::timestamp().map_err(anyhow::Error::msg)?;
    let mut info = DocumentInfo::new(name, timestamp);
    info.origin = origin;
    info.profile = product.profile.map(|profile| match profile {
        SbomProfile::BsiTr031832 => Profile::BsiTr031832,
    });
    let flags_incomplete = product.creator.is_none() || product.supplier.is_none();
    let defaults = if flags_incomplete && (product.policy.is_some() || product.profile.is_some()) {
        crate::policy::load(product.policy.as_deref(), scan_root)?.sbom
    } else {
        crate::policy::SbomDefaults::default()
    };
    let creator = product.creator.as_ref().or(defaults.creator.as_ref());
    let supplier = product.supplier.as_ref().or(defaults.supplier.as_ref());
    info.creator = creator.and_then(|text| Party::parse(text));
    info.supplier = supplier.and_then(|text| Party::parse(text));
    if let Some(path) = &product.artifact {
        let bytes = fs_err::read(path).context("cannot read `--artifact`")?;
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        info.artifact = Some(Artifact::from_bytes(filename, &bytes));
    }
    Ok(info)
}

/// With a profile: adds what enrichment can still find (SHA-512 of cached artefacts), then
/// warns, per required field depgate cannot fill, how many components lack it.
pub(crate) fn apply_profile(inventory: &mut Inventory, info: &DocumentInfo) {
    if info.profile != Some(Profile::BsiTr031832) {
        return;
    }
    let cargo_home = crate::enrich::advisories::cargo_home();
    crate::enrich::artifacts::add_cached_sha512(inventory, cargo_home.as_deref());
    for missing in crate::report::bsi::missing_fields(inventory, info) {
        eprintln!(
            "warning: BSI TR-03183-2: {} missing for {} ({})",
            missing.field,
            count(missing.components, "component"),
            missing.reason
        );
    }
}

/// Runs `depgate sbom`.
pub fn run(args: SbomArgs) -> anyhow::Result<Outcome> {
    match args.command {
        Some(SbomCommand::Score(score)) => return super::sbom_score::run(score),
        Some(SbomCommand::Merge(merge)) => return super::sbom_merge::run(merge),
        None => {}
    }
    // Flags first: a usage error should not wait for a scan.
    let kind = SbomKind::from_flags(args.format, args.spec_version)?;
    kind.check_profile(args.product.profile)?;
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let origin = match args.from {
        Some(_) => DocumentOrigin::Converted,
        None => DocumentOrigin::Scanned,
    };
    let info = product_info(
        subject_name(&args.scan.path),
        &args.product,
        origin,
        &args.scan.path,
    )?;
    let mut inventory = match &args.from {
        // `--from FILE`: convert an existing SBOM as it is, adding no facts of our own.
        Some(file) => {
            crate::ingest::ingest_sbom_to_scan(file, &super::build_selection(&args.scan.build))?
        }
        None => {
            let mut inventory = super::build_view(super::load_inventory_for_verdict(&args.scan)?);
            // An SBOM carries no verdict, so no policy is read: `--online` alone allows lookups.
            super::enrich_licenses(&mut inventory, &args.scan, false);
            inventory
        }
    };
    super::warn_gaps(&inventory);
    apply_profile(&mut inventory, &info);
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
        SbomKind::Spdx3Json => {
            crate::report::spdx3::to_json(inventory, info).context("cannot write SPDX 3 JSON-LD")?
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
    fn bsi_profile_needs_cyclonedx_1_6_or_spdx_3() {
        let profile = Some(SbomProfile::BsiTr031832);
        assert!(SbomKind::CycloneDxJson16.check_profile(profile).is_ok());
        assert!(SbomKind::Spdx3Json.check_profile(profile).is_ok());
        for kind in [
            SbomKind::CycloneDxJson15,
            SbomKind::CycloneDxXml15,
            SbomKind::SpdxJson23,
        ] {
            assert!(kind.check_profile(profile).is_err(), "{kind:?}");
            assert!(kind.check_profile(None).is_ok());
        }
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
