//! Finding supported files: format detection by name and content, and the directory walk.

use std::path::{Path, PathBuf};

use super::{IngestError, IngestOptions};

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `Cargo.lock` (v1-v4), enriched from manifests beside it.
    CargoLock,
    /// Python `poetry.lock` (lock-version 1.x and 2.x).
    PoetryLock,
    /// Python `uv.lock`.
    UvLock,
    /// Python `Pipfile.lock`.
    PipfileLock,
    /// Python `requirements*.txt` (pinned with `==`), with `-r`/`-c` includes.
    Requirements,
    /// Go `go.mod`, with the `go.sum` beside it.
    GoMod,
    /// Ruby `Gemfile.lock` (or `gems.locked`).
    GemfileLock,
    /// PHP `composer.lock`.
    ComposerLock,
    /// .NET NuGet `packages.lock.json`.
    NugetLock,
    /// Gradle `gradle.lockfile`.
    GradleLockfile,
    /// Maven `pom.xml`.
    MavenPom,
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
            Format::PoetryLock => "poetry.lock",
            Format::UvLock => "uv.lock",
            Format::PipfileLock => "Pipfile.lock",
            Format::Requirements => "requirements.txt",
            Format::GoMod => "go.mod",
            Format::GemfileLock => "Gemfile.lock",
            Format::ComposerLock => "composer.lock",
            Format::NugetLock => "packages.lock.json",
            Format::GradleLockfile => "gradle.lockfile",
            Format::MavenPom => "pom.xml",
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
        "poetry.lock" => Some(Format::PoetryLock),
        "uv.lock" => Some(Format::UvLock),
        "Pipfile.lock" => Some(Format::PipfileLock),
        "go.mod" => Some(Format::GoMod),
        "Gemfile.lock" | "gems.locked" => Some(Format::GemfileLock),
        "composer.lock" => Some(Format::ComposerLock),
        "packages.lock.json" => Some(Format::NugetLock),
        "gradle.lockfile" => Some(Format::GradleLockfile),
        "pom.xml" => Some(Format::MavenPom),
        _ if is_requirements_file(path, name) => Some(Format::Requirements),
        _ => None,
    };
    match by_name {
        Some(format) => Ok(Some(format)),
        // SBOMs are recognised by content (`bomFormat`, `spdxVersion`, the CycloneDX namespace).
        None => super::sbom::detect_sbom(path),
    }
}

/// `requirements.txt`, `requirements-dev.txt`, `requirements_test.txt`, or any `*.txt` inside a
/// `requirements/` directory (the pip-tools layout).
fn is_requirements_file(path: &Path, name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".txt") else {
        return false;
    };
    if stem.starts_with("requirements") {
        return true;
    }
    path.parent()
        .and_then(|p| p.file_name())
        .is_some_and(|directory| directory == "requirements")
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
