//! Finding supported files: format detection by name and content, and the directory walk.

use std::path::{Path, PathBuf};

use super::{IngestError, IngestOptions};

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `Cargo.lock` (v1-v4), enriched from manifests beside it.
    CargoLock,
    /// A CycloneDX SBOM in JSON (spec 1.2-1.7).
    CycloneDxJson,
    /// A CycloneDX SBOM in XML (namespace `http://cyclonedx.org/schema/bom/1.x`).
    CycloneDxXml,
    /// An SPDX 2.x SBOM in JSON.
    SpdxJson,
    /// An SPDX 2.x SBOM in tag-value form (`.spdx`).
    SpdxTagValue,
}

impl Format {
    /// A short name for messages and `InputFile::format`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
            Format::CycloneDxJson => "CycloneDX JSON",
            Format::CycloneDxXml => "CycloneDX XML",
            Format::SpdxJson => "SPDX JSON",
            Format::SpdxTagValue => "SPDX tag-value",
        }
    }

    /// True for SBOM formats (the inputs `depgate sbom --from` and `check --sbom` accept).
    pub fn is_sbom(&self) -> bool {
        matches!(
            self,
            Format::CycloneDxJson | Format::CycloneDxXml | Format::SpdxJson | Format::SpdxTagValue
        )
    }
}

/// Detects the format of a file from its name (and, for SBOMs, its content).
pub fn detect_format(path: &Path) -> Result<Option<Format>, IngestError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let by_name = match name {
        "Cargo.lock" => Some(Format::CargoLock),
        _ => None,
    };
    match by_name {
        Some(format) => Ok(Some(format)),
        // SBOMs are recognised by content (`bomFormat`, `spdxVersion`, the CycloneDX namespace).
        None => super::sbom::detect_sbom(path),
    }
}

/// Directory names never descended into unless `include_vendored` is set.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", "vendor", ".venv", "venv"];

/// Walks `root` for supported files, sorted by path for deterministic output.
pub fn discover(
    root: &Path,
    options: &IngestOptions,
) -> Result<Vec<(PathBuf, Format)>, IngestError> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs_err::read_dir(&dir).map_err(|source| IngestError::Io {
            path: dir.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let file_type = match entry.file_type() {
                Ok(t) => t,
                Err(_) => continue,
            };
            if file_type.is_dir() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if !options.include_vendored && SKIPPED_DIRS.contains(&name.as_ref()) {
                    continue;
                }
                stack.push(path);
            } else if file_type.is_file()
                && let Some(format) = detect_format(&path)?
            {
                found.push((path, format));
            }
        }
    }
    found.sort();
    Ok(found)
}
