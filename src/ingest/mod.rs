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

pub use discover::{Discovered, Format, detect_format, discover, unsupported_hint};
pub use purl::{PurlIdentity, parse_purl};

/// A requested feature or `--package` that no resolved Cargo workspace of the scan has: a
/// usage error, as in cargo.
fn build_request_error(path: &Path, build: &crate::inventory::Build) -> Result<(), IngestError> {
    let quoted = |set: &std::collections::BTreeSet<String>| {
        set.iter()
            .map(|item| format!("`{item}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let message = if !build.missing_packages.is_empty() {
        format!(
            "`--package` {}: no workspace member of that name",
            quoted(&build.missing_packages)
        )
    } else if !build.missing_features.is_empty() {
        format!(
            "none of the selected workspace members has the feature {}",
            quoted(&build.missing_features)
        )
    } else {
        return Ok(());
    };
    Err(IngestError::Build {
        path: path.to_path_buf(),
        message,
    })
}

/// An SBOM read where build flags (`--target`, `--features`, `--package`, ...) were given.
/// An SBOM lists packages without their manifests' `[features]` tables or `cfg(…)`
/// conditions, so no build can be resolved from it; the flags are never silently ignored:
/// accepted when the SBOM records the same build (`depgate sbom` with those flags writes
/// `depgate:build:*` properties — its packages are then that build's), a usage error
/// otherwise.
pub fn check_sbom_build(
    path: &Path,
    selection: &crate::inventory::BuildSelection,
) -> Result<(), IngestError> {
    use crate::inventory::BuildSelection;
    if !selection.is_requested() {
        return Ok(());
    }
    let recorded = BuildSelection::from_recorded(&sbom_facts::read_recorded_build(path)?);
    let reason = match recorded {
        Some(recorded) if recorded.same_build(selection) => return Ok(()),
        Some(recorded) => format!(
            "the SBOM was made for {} (its `depgate:build:*` properties), not for the requested {}",
            recorded.describe_with_packages(),
            selection.describe_with_packages()
        ),
        None => format!(
            "an SBOM cannot be resolved for the build {}: it lists packages without their `[features]` tables or `cfg(…)` conditions, and records no build",
            selection.describe_with_packages()
        ),
    };
    Err(IngestError::Build {
        path: path.to_path_buf(),
        message: format!(
            "{reason}; scan the lockfile or workspace with these flags instead, or give an SBOM made for this build (`depgate sbom PATH` with the same flags)"
        ),
    })
}

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
    /// The build to resolve for Cargo lockfiles (`--target`, `--features`); nothing is
    /// resolved when none is requested.
    pub build: crate::inventory::BuildSelection,
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
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file exists but is not a regular file, is too large, or a link to nothing.
    #[error(transparent)]
    Read(#[from] crate::util::ReadError),
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
    /// A file included by another (`-r other.txt`) could not be read.
    #[error("{}: cannot read the included file `{}`", display_location(path, Some(*line), None), included.display())]
    Include {
        /// The including file.
        path: PathBuf,
        /// The line of the include.
        line: u32,
        /// The included file.
        included: PathBuf,
        /// Why it could not be read.
        source: Box<IngestError>,
    },
    /// The path holds no supported lockfile, manifest or SBOM.
    #[error("nothing to scan in `{}`: no supported lockfile, manifest or SBOM found", path.display())]
    NothingToScan {
        /// The scanned path.
        path: PathBuf,
    },
    /// Several files of a directory scan could not be read: each one's error.
    #[error("{} inputs cannot be read:{}", errors.len(), errors.iter().map(|error| format!("\n  {}", crate::util::error_chain(error))).collect::<String>())]
    Several {
        /// One error per file, in path order.
        errors: Vec<IngestError>,
    },
    /// Every file read lists no package at all (empty, blank, or only a header).
    #[error("nothing to scan: {}{}", describe_empty(files), gaps.iter().map(|gap| format!("\n  {gap}")).collect::<String>())]
    NoPackages {
        /// The files, each of which lists no package.
        files: Vec<PathBuf>,
        /// What the files held that is not a package (unpinned requirements, ...).
        gaps: Vec<String>,
    },
    /// The requested build (`--target`, `--features`, `--package`) cannot be resolved for a
    /// Cargo workspace: an unknown feature or package.
    #[error("`{}`: {message}", path.display())]
    Build {
        /// The lockfile whose workspace was resolved.
        path: PathBuf,
        /// What is wrong with the request.
        message: String,
    },
    /// The packages read exceed the package limit ([`crate::util::Limits::max_packages`]).
    #[error("`{}` {}: more than the limit of {limit} packages; {}", path.display(), if *together { format!("makes the scan hold {count} packages") } else { format!("lists {count} packages") }, crate::util::PACKAGE_LIMIT_HINT)]
    TooManyPackages {
        /// The file that lists them, or that brought a directory scan over the limit.
        path: PathBuf,
        /// How many packages were read.
        count: usize,
        /// The limit.
        limit: usize,
        /// True when the count is of all the files read so far, not of this file alone.
        together: bool,
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
        matches!(
            self,
            IngestError::NothingToScan { .. } | IngestError::NoPackages { .. }
        )
    }
}

fn describe_empty(files: &[PathBuf]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|file| format!("`{}`", file.display()))
        .collect();
    match names.as_slice() {
        [] => "no file lists a package".to_string(),
        [one] => format!("{one} lists no packages (it is empty or holds no entries)"),
        _ => format!(
            "{} list no packages (they are empty or hold no entries)",
            names.join(", ")
        ),
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

/// Reads a file as UTF-8 without a leading byte-order mark, naming the file in any error
/// (binary junk is a parse error at its line). Only a regular file is read (see
/// [`crate::util::read_input`]).
pub fn read_text(path: &Path) -> Result<String, IngestError> {
    let bytes = crate::util::read_input(path)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(crate::util::strip_bom_owned(text)),
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let bytes = error.into_bytes();
            let (line, column) = line_column(&String::from_utf8_lossy(&bytes[..offset]), offset);
            Err(IngestError::Parse {
                path: path.to_path_buf(),
                line: Some(line),
                column: Some(column),
                message: "not UTF-8 text (binary or corrupt file)".to_string(),
            })
        }
    }
}

/// [`read_text`] for a file of `format`, which for a lockfile that its package manager
/// always ends with a newline must end with one (see [`check_complete_last_line`]).
pub fn read_format_text(path: &Path, format: Format) -> Result<String, IngestError> {
    let text = read_text(path)?;
    check_complete_last_line(path, format, &text)?;
    Ok(text)
}

/// For a lockfile that its package manager always ends with a newline: a last line without
/// one is what a file cut short looks like, and what was cut (packages, the rest of a hash)
/// would be lost without a word.
fn check_complete_last_line(path: &Path, format: Format, text: &str) -> Result<(), IngestError> {
    if format.always_ends_with_newline() && !text.trim().is_empty() && !text.ends_with('\n') {
        let line = text.lines().count() as u32;
        return Err(IngestError::parse(
            path,
            Some(line.max(1)),
            format!(
                "the file ends in the middle of a line: it is cut short (every {} written by its package manager ends with a newline); regenerate it",
                format.name()
            ),
        ));
    }
    Ok(())
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
    // An unknown target is a usage error whatever the path holds.
    if let Some(triple) = options
        .build
        .targets
        .iter()
        .find(|triple| !cargo::is_known_target(triple))
    {
        return Err(IngestError::Build {
            path: path.to_path_buf(),
            message: format!(
                "unknown target triple `{triple}` (not in rustc's built-in target list; e.g. `x86_64-unknown-linux-gnu`)"
            ),
        });
    }
    let metadata = std::fs::metadata(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut linked_directories = Vec::new();
    // An SBOM that records the requested build: its packages are that build's.
    let mut sbom_build_accepted = false;
    let files = if metadata.is_dir() {
        let discovered = discover(path, options)?;
        if discovered.files.is_empty() {
            return Err(IngestError::NothingToScan {
                path: path.to_path_buf(),
            });
        }
        linked_directories = discovered.linked_directories;
        discovered.files
    } else {
        let format = detect_format(path)?.ok_or_else(|| IngestError::Unsupported {
            path: path.to_path_buf(),
            hint: unsupported_hint(path).or_else(|| sbom::not_an_sbom_hint(path)),
        })?;
        if format.is_sbom() {
            check_sbom_build(path, &options.build)?;
            sbom_build_accepted = options.build.is_requested();
        }
        vec![(path.to_path_buf(), format)]
    };
    let mut inventory = Inventory::new();
    warn_mixed_lockfiles(&mut inventory, &files);
    for link in linked_directories {
        let target = std::fs::read_link(&link).unwrap_or_default();
        inventory.add_gap(
            "link-not-followed",
            format!(
                "`{}` is a symbolic link to the directory `{}`, which was not scanned (links are not followed); scan it directly if it holds lockfiles",
                link.display(),
                target.display()
            ),
            0,
        );
    }
    let mut empty = Vec::new();
    let mut any_listed = false;
    // Every file is read even after one fails, so a monorepo with three broken lockfiles
    // learns about all three in one run.
    let mut errors = Vec::new();
    for (file, format) in files {
        let part = match ingest_file(&file, format, options) {
            Ok(part) => part,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        check_package_limit(&file, part.packages().len(), false)?;
        check_package_limit(
            &file,
            inventory.packages().len() + part.packages().len(),
            true,
        )?;
        if lists_packages(&part, &file) {
            any_listed = true;
        } else {
            empty.push(file);
        }
        inventory.merge(part);
    }
    if errors.len() == 1 {
        return Err(errors.remove(0));
    }
    if !errors.is_empty() {
        return Err(IngestError::Several { errors });
    }
    match &inventory.build {
        Some(build) => build_request_error(path, build)?,
        // The build flags only resolve Cargo workspaces: said, so nobody takes the result for
        // a resolved build.
        None if options.build.is_requested() && !sbom_build_accepted => inventory.add_gap(
            "build-unresolved",
            format!(
                "`--target`/`--features` resolve Cargo workspaces only, and `{}` has no `Cargo.lock`: every package counts",
                path.display()
            ),
            0,
        ),
        None => {}
    }
    if !any_listed {
        // A gate never passes on nothing: an empty, blank or package-less file is "nothing
        // to scan" (exit 3), not a clean inventory.
        return Err(IngestError::NoPackages {
            files: empty,
            gaps: inventory
                .gaps
                .iter()
                .map(|gap| gap.message.clone())
                .collect(),
        });
    }
    for file in empty {
        inventory.add_gap(
            "input-empty",
            format!(
                "`{}` lists no packages: nothing in it was checked",
                file.display()
            ),
            0,
        );
    }
    inventory.finish();
    Ok(inventory)
}

/// True when `file` lists a package: a dependency, a local package, or a project it locks
/// as an entry of its own (a Cargo workspace member, an npm lockfile's root, a uv or yarn
/// workspace). A root made up from a directory name, declared by a `package.json` beside the
/// file, or named by go.mod's `module` line (which names the project, not a locked package)
/// does not count.
fn lists_packages(inventory: &Inventory, file: &Path) -> bool {
    inventory.packages().iter().any(|package| {
        package.kind != crate::inventory::PackageKind::Root
            || (package.location.line.is_some()
                && package.location.file == file
                && package.ecosystem != crate::inventory::Ecosystem::Go)
    })
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
    parse_text(path, format, &read_text(path)?, options)
}

/// Parses the text of one file of a known format, already read (UTF-8, without a byte-order
/// mark), with every check [`ingest_file`] makes; `path` names the file in errors and
/// locations, and files beside it (manifests, included requirements) are read as they would
/// be for a file there. The fuzz targets call this.
pub fn parse_text(
    path: &Path,
    format: Format,
    text: &str,
    options: &IngestOptions,
) -> Result<Inventory, IngestError> {
    check_complete_last_line(path, format, text)?;
    let parser = match format {
        Format::CargoLock => return cargo::ingest_lockfile_text(path, text, options),
        Format::CycloneDxJson => return cyclonedx::parse_json(path, text),
        Format::CycloneDxXml => return cyclonedx::parse_xml(path, text),
        Format::SpdxJson => return spdx::parse_json(path, text),
        Format::SpdxTagValue => return spdx::parse_tag_value(path, text),
        Format::NpmLock | Format::NpmShrinkwrap => return npm::parse(path, text),
        Format::YarnLock => return yarn::parse(path, text),
        Format::PnpmLock => return pnpm::parse(path, text),
        Format::PoetryLock => poetry::parse,
        Format::UvLock => uv::parse,
        Format::PipfileLock => pipfile::parse,
        Format::Requirements => requirements::parse,
        Format::GoMod => gomod::parse,
        Format::GemfileLock => gemfile::parse,
        Format::ComposerLock => composer::parse,
        Format::NugetLock => nuget::parse,
        Format::GradleLockfile => gradle::parse,
        Format::MavenPom => maven::parse,
    };
    // These parsers leave recording the input to the caller; it goes first among the inputs.
    let mut inventory = parser(path, text)?;
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
    check_package_limit(path, inventory.packages().len(), false)?;
    inventory.finish();
    Ok(inventory)
}

/// An error when `count` packages (of `file` alone, or of the scan so far when `together`)
/// are more than the package limit. Checked as each file is read, before the later stages
/// multiply what each package costs.
fn check_package_limit(file: &Path, count: usize, together: bool) -> Result<(), IngestError> {
    let limit = crate::util::limits().max_packages;
    if count > limit {
        return Err(IngestError::TooManyPackages {
            path: file.to_path_buf(),
            count,
            limit,
            together,
        });
    }
    Ok(())
}

/// [`ingest_sbom`] for a command that checks or reports on the SBOM's packages: one that
/// lists none is "nothing to scan" (exit 3), as an empty lockfile is. `build` is the
/// command's build flags (see [`check_sbom_build`]).
pub fn ingest_sbom_to_scan(
    path: &Path,
    build: &crate::inventory::BuildSelection,
) -> Result<Inventory, IngestError> {
    let inventory = ingest_sbom(path)?;
    check_sbom_build(path, build)?;
    if !lists_packages(&inventory, path) {
        return Err(IngestError::NoPackages {
            files: vec![path.to_path_buf()],
            gaps: Vec::new(),
        });
    }
    Ok(inventory)
}

/// Ingests a CycloneDX JSON document already in memory (the document inside a verified
/// attestation, which may have come out of a DSSE envelope), naming `path` as its file.
pub fn ingest_cyclonedx_text(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut inventory = cyclonedx::parse_json(path, text)?;
    inventory.finish();
    Ok(inventory)
}
