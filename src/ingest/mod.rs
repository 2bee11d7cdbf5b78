//! Stage 1, ingest: finds supported files under a path and parses each into an [`Inventory`].
//!
//! In: a file or directory path and [`IngestOptions`]. Out: one merged [`Inventory`] whose
//! packages and edges carry the file and line they came from. One module per format; each
//! parser returns packages *and* edges. Nothing from the scanned repository is executed.

pub mod cargo;
mod discover;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::inventory::{InputFile, Inventory};

pub use discover::{Format, detect_format, discover};

/// Options that change how inputs are read.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Never touch the network (passed to `cargo metadata --offline` when it is used).
    pub offline: bool,
    /// Use `cargo metadata` instead of reading manifests directly (slower; the reference path).
    pub cargo_metadata: bool,
    /// Glob patterns (relative to the scanned directory) to leave out of discovery.
    pub exclude: Vec<String>,
    /// Also walk `node_modules`, `target`, `vendor` and ignored files.
    pub include_vendored: bool,
    /// Where cargo keeps downloaded crate sources; `None` means `$CARGO_HOME`, else `~/.cargo`.
    pub cargo_home: Option<PathBuf>,
}

/// Why an input could not be read. Every variant names the file.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The file or directory could not be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file was read but is not valid for its format.
    #[error("{}: {message}", display_location(path, *line, *column))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, where known.
        line: Option<u32>,
        /// 1-based column, where known.
        column: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// The path holds no supported lockfile, manifest or SBOM.
    #[error("nothing to scan in `{}`: no supported lockfile, manifest or SBOM found", path.display())]
    NothingToScan {
        /// The scanned path.
        path: PathBuf,
    },
    /// The file is not of a supported format.
    #[error("`{}` is not a supported lockfile, manifest or SBOM{}", path.display(), hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What it looked like, if anything.
        hint: Option<String>,
    },
}

impl IngestError {
    /// A parse error at a line (and column) of a file.
    pub fn parse(path: &Path, line: Option<u32>, message: impl Into<String>) -> Self {
        IngestError::Parse {
            path: path.to_path_buf(),
            line,
            column: None,
            message: message.into(),
        }
    }

    /// True when the error means "nothing to scan" (exit code 3).
    pub fn is_nothing_to_scan(&self) -> bool {
        matches!(self, IngestError::NothingToScan { .. })
    }
}

fn display_location(path: &Path, line: Option<u32>, column: Option<u32>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!("`{}` line {line}, column {column}", path.display()),
        (Some(line), None) => format!("`{}` line {line}", path.display()),
        _ => format!("`{}`", path.display()),
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column).
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = offset
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line as u32, column as u32)
}

/// Reads a file as UTF-8, naming the file in any error (binary junk is a parse error).
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    let bytes = fs_err::read(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(source.kind(), source.to_string()),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
        let (line, column) = line_column(&text, offset);
        IngestError::Parse {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message: "not UTF-8 text (binary or corrupt file)".to_string(),
        }
    })
}

/// Describes a file that was read, with its SHA-256.
pub fn input_file(path: &Path, bytes: &[u8], format: impl Into<String>) -> InputFile {
    InputFile {
        path: path.to_path_buf(),
        sha256: crate::util::sha256_hex(bytes),
        format: format.into(),
    }
}

/// Ingests a path: a single supported file, or a directory searched for every supported file.
pub fn ingest(path: &Path, options: &IngestOptions) -> Result<Inventory, IngestError> {
    let metadata = fs_err::metadata(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::new(source.kind(), source.to_string()),
    })?;
    let files = if metadata.is_dir() {
        let files = discover(path, options)?;
        if files.is_empty() {
            return Err(IngestError::NothingToScan {
                path: path.to_path_buf(),
            });
        }
        files
    } else {
        let format = detect_format(path)?.ok_or_else(|| IngestError::Unsupported {
            path: path.to_path_buf(),
            hint: None,
        })?;
        vec![(path.to_path_buf(), format)]
    };
    let mut inventory = Inventory::new();
    for (file, format) in files {
        let part = ingest_file(&file, format, options)?;
        inventory.merge(part);
    }
    inventory.compute_scopes();
    Ok(inventory)
}

/// Parses one file of a known format.
pub fn ingest_file(
    path: &Path,
    format: Format,
    options: &IngestOptions,
) -> Result<Inventory, IngestError> {
    match format {
        Format::CargoLock => cargo::ingest_lockfile(path, options),
    }
}
