//! Stage 1, ingest: finds supported files under a path and parses each into an [`Inventory`].
//!
//! In: a file or directory path and [`IngestOptions`]. Out: one merged [`Inventory`] whose
//! packages and edges carry the file and line they came from. One module per format; each
//! parser returns packages *and* edges. Nothing from the scanned repository is executed.

pub mod cargo;
mod composer;
mod cyclonedx;
mod discover;
mod gemfile;
mod gomod;
mod gradle;
mod js;
mod manifests;
mod maven;
pub mod npm;
mod nuget;
mod pipfile;
pub mod pnpm;
mod poetry;
mod purl;
mod python;
mod requirements;
mod sbom;
pub mod sbom_facts;
mod spdx;
mod spdx3;
mod support;
mod uv;
pub mod yarn;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::inventory::{InputFile, Inventory};

pub use discover::{Format, detect_format, discover, unsupported_hint};
pub use purl::{PurlIdentity, parse_purl};

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
    /// Whose license files to list from the crate sources (a directory listing each).
    pub license_files: LicenseFiles,
}

/// Which packages' license files ingest lists from their unpacked sources.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LicenseFiles {
    /// Every package's: the license and notice reports show and read them.
    #[default]
    All,
    /// Only those of packages that declare no license, which are read to detect one: all an
    /// SBOM or a verdict uses (a large lockfile's crates then cost no directory listing).
    Undeclared,
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
    /// An `--exclude` glob is not a valid glob.
    #[error("invalid `--exclude` glob `{glob}`: {message}")]
    InvalidExclude {
        /// The glob as given.
        glob: String,
        /// What is wrong with it.
        message: String,
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

pub(crate) use crate::vocabulary::line_column;

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
            hint: unsupported_hint(path).or_else(|| sbom::not_an_sbom_hint(path)),
        })?;
        vec![(path.to_path_buf(), format)]
    };
    let mut inventory = Inventory::new();
    warn_mixed_lockfiles(&mut inventory, &files);
    for (file, format) in files {
        let part = ingest_file(&file, format, options)?;
        inventory.merge(part);
    }
    inventory.finish();
    Ok(inventory)
}

/// Two package managers' lockfiles in one directory usually means one is stale: both are read
/// (nothing is silently dropped) and the inventory says so.
fn warn_mixed_lockfiles(inventory: &mut Inventory, files: &[(PathBuf, Format)]) {
    let mut by_dir: std::collections::BTreeMap<&Path, Vec<&Path>> = Default::default();
    for (file, format) in files {
        if format.is_javascript_lockfile()
            && let Some(dir) = file.parent()
        {
            by_dir.entry(dir).or_default().push(file);
        }
    }
    for (dir, lockfiles) in by_dir {
        if lockfiles.len() > 1 {
            let names: Vec<String> = lockfiles
                .iter()
                .filter_map(|f| f.file_name())
                .map(|n| format!("`{}`", n.to_string_lossy()))
                .collect();
            inventory.add_gap(
                "multiple-lockfiles",
                format!(
                    "`{}` holds more than one JavaScript lockfile ({}); all were read, and their packages may overlap or be stale",
                    dir.display(),
                    names.join(", ")
                ),
                0,
            );
        }
    }
}

/// Parses one file of a known format.
pub fn ingest_file(
    path: &Path,
    format: Format,
    options: &IngestOptions,
) -> Result<Inventory, IngestError> {
    match format {
        Format::CargoLock => cargo::ingest_lockfile(path, options),
        Format::PoetryLock => parse_text_file(path, format, poetry::parse),
        Format::UvLock => parse_text_file(path, format, uv::parse),
        Format::PipfileLock => parse_text_file(path, format, pipfile::parse),
        Format::Requirements => parse_text_file(path, format, requirements::parse),
        Format::GoMod => parse_text_file(path, format, gomod::parse),
        Format::GemfileLock => parse_text_file(path, format, gemfile::parse),
        Format::ComposerLock => parse_text_file(path, format, composer::parse),
        Format::NugetLock => parse_text_file(path, format, nuget::parse),
        Format::GradleLockfile => parse_text_file(path, format, gradle::parse),
        Format::MavenPom => parse_text_file(path, format, maven::parse),
        Format::CycloneDxJson => cyclonedx::parse_json(path, &read_text(path)?),
        Format::CycloneDxXml => cyclonedx::parse_xml(path, &read_text(path)?),
        Format::SpdxJson => spdx::parse_json(path, &read_text(path)?),
        Format::SpdxTagValue => spdx::parse_tag_value(path, &read_text(path)?),
        Format::NpmLock | Format::NpmShrinkwrap => npm::parse(path, &read_text(path)?),
        Format::YarnLock => yarn::parse(path, &read_text(path)?),
        Format::PnpmLock => pnpm::parse(path, &read_text(path)?),
    }
}

/// Reads a text file, parses it with `parser` and records it (first) among the inputs.
fn parse_text_file(
    path: &Path,
    format: Format,
    parser: fn(&Path, &str) -> Result<Inventory, IngestError>,
) -> Result<Inventory, IngestError> {
    let text = read_text(path)?;
    let mut inventory = parser(path, &text)?;
    inventory
        .inputs
        .insert(0, input_file(path, text.as_bytes(), format.name()));
    Ok(inventory)
}

/// True when `path` is a file depgate reads as an SBOM (by content, else by its conventional
/// name), as opposed to a lockfile or manifest.
pub fn is_sbom_file(path: &Path) -> Result<bool, IngestError> {
    Ok(detect_format(path)?.is_some_and(|format| format.is_sbom()))
}

/// Ingests one existing SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value), for `depgate sbom
/// --from FILE` and `depgate check --sbom FILE`.
///
/// The file must be an SBOM: a lockfile or any other file is an error naming it (exit 2).
pub fn ingest_sbom(path: &Path) -> Result<Inventory, IngestError> {
    let format = detect_format(path)?
        .filter(Format::is_sbom)
        .ok_or_else(|| IngestError::Unsupported {
            path: path.to_path_buf(),
            hint: Some(sbom::not_an_sbom_hint(path).unwrap_or_else(|| {
                "expected a CycloneDX (JSON or XML) or SPDX (JSON or tag-value) SBOM".to_string()
            })),
        })?;
    let mut inventory = ingest_file(path, format, &IngestOptions::default())?;
    inventory.finish();
    Ok(inventory)
}
