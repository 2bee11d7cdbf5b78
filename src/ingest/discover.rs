//! Finding supported files: format detection by name and content, and the directory walk.

use std::path::{Path, PathBuf};

use super::{IngestError, IngestOptions};

/// A supported input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `Cargo.lock` (v1-v4), enriched from manifests beside it.
    CargoLock,
}

impl Format {
    /// A short name for messages and `InputFile::format`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::CargoLock => "Cargo.lock",
        }
    }
}

/// Detects the format of a file from its name (and, for SBOMs, its content).
pub fn detect_format(path: &Path) -> Result<Option<Format>, IngestError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    Ok(match name {
        "Cargo.lock" => Some(Format::CargoLock),
        _ => None,
    })
}

/// Directory names never descended into unless `include_vendored` is set. `fixtures` holds
/// test inputs (deliberately malformed lockfiles among them), not the project's dependencies.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "venv",
    "fixtures",
];

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
