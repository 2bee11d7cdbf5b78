//! Finding supported files: format detection by name and content, and the directory walk.
//!
//! In: a path and [`IngestOptions`]. Out: the supported files below it with their [`Format`],
//! sorted by path. The walk uses the `ignore` crate (ripgrep's walker): the `.gitignore`
//! and `.ignore` files inside the scanned path (not above it) and `.git/info/exclude` are
//! honoured, vendored trees are skipped, and
//! `--exclude` globs leave out more. Detection is one function, [`detect_format`], over the
//! file name and (where the name is not enough) a sniff of the content; add new formats there.

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
    /// `package-lock.json` v1-v3.
    NpmLock,
    /// `npm-shrinkwrap.json` (the same format as `package-lock.json`, published with a package).
    NpmShrinkwrap,
    /// `yarn.lock`, v1 or Berry (v2+, `__metadata`); the parser tells them apart.
    YarnLock,
    /// `pnpm-lock.yaml`, lockfile versions 5.x, 6.x and 9.x.
    PnpmLock,
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
            Format::NpmLock => "package-lock.json",
            Format::NpmShrinkwrap => "npm-shrinkwrap.json",
            Format::YarnLock => "yarn.lock",
            Format::PnpmLock => "pnpm-lock.yaml",
        }
    }

    /// True for SBOM formats (the inputs `depgate sbom --from` and `check --sbom` accept).
    pub fn is_sbom(&self) -> bool {
        matches!(
            self,
            Format::CycloneDxJson | Format::CycloneDxXml | Format::SpdxJson | Format::SpdxTagValue
        )
    }

    /// True for lockfiles that their package manager always writes ending with a newline
    /// (hand-edited files such as `go.mod` and `requirements.txt` are not; JSON formats end
    /// in a closing brace the parser checks).
    pub fn always_ends_with_newline(&self) -> bool {
        matches!(
            self,
            Format::CargoLock
                | Format::PoetryLock
                | Format::UvLock
                | Format::YarnLock
                | Format::PnpmLock
                | Format::GemfileLock
                | Format::GradleLockfile
        )
    }

    /// True for JavaScript lockfiles (used to warn about two package managers in one directory).
    pub fn is_javascript_lockfile(&self) -> bool {
        matches!(
            self,
            Format::NpmLock | Format::NpmShrinkwrap | Format::YarnLock | Format::PnpmLock
        )
    }
}

/// Detects the format of a file from its name and, where the name is not enough, its content.
///
/// This is the one place that decides what a file is: the walk calls it for every file and
/// a single named file goes through it too. The JavaScript lockfiles have fixed names; the
/// yarn v1 / Berry split is made by content inside the yarn parser. A format that needs
/// content sniffing (SBOMs with free names) adds a branch here, reading only the head of
/// files whose name could match, so the walk stays cheap.
pub fn detect_format(path: &Path) -> Result<Option<Format>, IngestError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match detect_by_name(path, name) {
        Some(format) => Ok(Some(format)),
        // A `*.txt` named explicitly is a requirements file when its content is one.
        None if name.ends_with(".txt") => {
            let text = super::read_text(path)?;
            Ok(super::requirements::looks_like_requirements(&text).then_some(Format::Requirements))
        }
        // SBOMs are recognised by content (`bomFormat`, `spdxVersion`, the CycloneDX namespace).
        None => super::sbom::detect_sbom(path),
    }
}

/// The lockfile formats that have fixed file names.
fn detect_by_name(path: &Path, name: &str) -> Option<Format> {
    match name {
        "Cargo.lock" => Some(Format::CargoLock),
        "package-lock.json" => Some(Format::NpmLock),
        "npm-shrinkwrap.json" => Some(Format::NpmShrinkwrap),
        // `.package-lock.json` is npm's hidden copy inside node_modules: never an input.
        "yarn.lock" => Some(Format::YarnLock),
        "pnpm-lock.yaml" => Some(Format::PnpmLock),
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
    }
}

/// Why a file that is not an input was given, for the "not supported" message: a manifest
/// or a package manager's private file whose lockfile lives elsewhere.
pub fn unsupported_hint(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    Some(match name {
        "package.json" => "a manifest: depgate reads the `package-lock.json`, `yarn.lock` or `pnpm-lock.yaml` beside it".to_string(),
        ".package-lock.json" => "npm's private copy inside `node_modules`: scan the project's `package-lock.json`".to_string(),
        "bun.lockb" | "bun.lock" => "bun lockfiles are not supported yet".to_string(),
        _ => return None,
    })
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
    // The directory as the file system sees it: `lint.txt` given inside `requirements/` has
    // no parent in its own spelling.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|directory| directory == "requirements")
}

/// Directory names never descended into unless `include_vendored` is set.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "vendor",
    ".venv",
    "venv",
    "bower_components",
    ".yarn",
    ".pnpm-store",
];

/// What a directory walk found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Supported files with their format, sorted by path. A lockfile name held by a link,
    /// a FIFO or a device is listed too: reading it then fails naming it, instead of the file
    /// being skipped without a word.
    pub files: Vec<(PathBuf, Format)>,
    /// Symbolic links to directories, which are not followed (a link may lead out of the
    /// repository or into a cycle): the report says their contents were not scanned.
    pub linked_directories: Vec<PathBuf>,
}

/// Walks `root` for supported files, sorted by path for deterministic output.
///
/// `.gitignore` files are honoured even outside a git checkout (a scanned tarball still
/// means what its ignore files say). With `include_vendored`, ignore files and the skipped
/// directories are not applied (but `.git` is still skipped). `exclude` globs are matched
/// like `.gitignore` lines, relative to `root`.
pub fn discover(root: &Path, options: &IngestOptions) -> Result<Discovered, IngestError> {
    let mut overrides = ignore::overrides::OverrideBuilder::new(root);
    for glob in &options.exclude {
        // In an override set a `!` glob ignores; plain globs would whitelist.
        overrides
            .add(&format!("!{glob}"))
            .map_err(|error| IngestError::InvalidExclude {
                glob: glob.clone(),
                message: error.to_string(),
            })?;
    }
    let overrides = overrides
        .build()
        .map_err(|error| IngestError::InvalidExclude {
            glob: options.exclude.join(", "),
            message: error.to_string(),
        })?;
    let include_vendored = options.include_vendored;
    // The walker reads the ignore files of each directory it enters: a FIFO there would hang
    // the scan and a device would never end. Directories holding one are not entered, and
    // the walk then fails naming it.
    let unreadable: std::sync::Arc<std::sync::Mutex<Vec<IngestError>>> = Default::default();
    check_ignore_files(root)?;
    check_regular_if_present(&root.join(".git/info/exclude"))?;
    let seen = std::sync::Arc::clone(&unreadable);
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(false)
        .parents(false)
        .require_git(false)
        .git_ignore(!include_vendored)
        .git_exclude(!include_vendored)
        .git_global(false)
        .ignore(!include_vendored)
        .overrides(overrides)
        // `.depgateignore` files (gitignore syntax) leave out what only depgate should skip,
        // such as deliberately malformed test fixtures.
        .add_custom_ignore_filename(".depgateignore")
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            if name == ".git" {
                return false;
            }
            let entered = include_vendored || !SKIPPED_DIRS.contains(&name.as_ref());
            if entered && let Err(error) = check_ignore_files(entry.path()) {
                locked(&seen).push(error);
                return false;
            }
            entered
        });
    // Walked on every core (the walk reads every directory and its ignore files: a tenth of
    // a first run on a 40-member workspace); the results are sorted below, and of several
    // errors the one at the smallest path is reported, as a walk in order would.
    let found = std::sync::Mutex::new(Discovered::default());
    let failed: std::sync::Mutex<Vec<IngestError>> = Default::default();
    builder
        .threads(crate::util::cores())
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => match visit(entry, include_vendored) {
                        Some(Visited::File(path, format)) => {
                            locked(&found).files.push((path, format));
                        }
                        Some(Visited::LinkedDirectory(path)) => {
                            locked(&found).linked_directories.push(path);
                        }
                        None => {}
                    },
                    Err(error) => locked(&failed).push(walk_error(root, error)),
                }
                ignore::WalkState::Continue
            })
        });
    // A walk error first, then a directory not entered for an unreadable ignore file.
    for errors in [&failed, &*unreadable] {
        let errors = std::mem::take(&mut *locked(errors));
        if let Some(error) = errors
            .into_iter()
            .min_by(|a, b| error_path(a).cmp(&error_path(b)))
        {
            return Err(error);
        }
    }
    let mut found = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    found.files.sort();
    found.linked_directories.sort();
    Ok(found)
}

/// What the walk keeps of one entry.
enum Visited {
    /// A supported file by its name.
    File(PathBuf, Format),
    /// A symbolic link to a directory, not followed.
    LinkedDirectory(PathBuf),
}

/// One entry of the walk: kept or not.
fn visit(entry: ignore::DirEntry, include_vendored: bool) -> Option<Visited> {
    let file_type = entry.file_type()?;
    if file_type.is_dir() {
        return None;
    }
    if file_type.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|target| target.is_dir())
    {
        let name = entry.file_name().to_string_lossy();
        return (include_vendored || !SKIPPED_DIRS.contains(&name.as_ref()))
            .then(|| Visited::LinkedDirectory(entry.into_path()));
    }
    // The walk takes lockfiles by name only. SBOMs found in a tree are left out: they
    // usually describe the same dependencies as the lockfiles beside them (counting them
    // twice) and sniffing every JSON file would slow the walk. Name an SBOM explicitly
    // (`PATH` or `--sbom FILE`) to read it.
    let name = entry.file_name().to_string_lossy();
    let format = detect_by_name(entry.path(), &name)?;
    Some(Visited::File(entry.into_path(), format))
}

/// A lock shared by the walk's threads; a thread that panicked while holding it makes the walk
/// panic anyway, so what it left is still good to read.
fn locked<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The path an error of the walk names, to report the first of several.
fn error_path(error: &IngestError) -> Option<&Path> {
    match error {
        IngestError::Io { path, .. } | IngestError::Parse { path, .. } => Some(path),
        IngestError::Read(read) => Some(read.path()),
        _ => None,
    }
}

/// The ignore files the walker reads in each directory.
const IGNORE_FILES: &[&str] = &[".gitignore", ".ignore", ".depgateignore"];

/// An error when an ignore file of `directory` exists but is not a regular file.
fn check_ignore_files(directory: &Path) -> Result<(), IngestError> {
    IGNORE_FILES
        .iter()
        .try_for_each(|name| check_regular_if_present(&directory.join(name)))
}

/// An error when something that is not a regular file (a FIFO, a device, a dangling link)
/// is at `path`; nothing there is fine.
fn check_regular_if_present(path: &Path) -> Result<(), IngestError> {
    let Ok(entry) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(metadata) => Err(IngestError::Read(crate::util::ReadError::NotRegular {
            path: path.to_path_buf(),
            kind: crate::util::file_kind(metadata.file_type()),
        })),
        Err(_) if entry.file_type().is_symlink() => {
            Err(IngestError::Read(crate::util::ReadError::DanglingLink {
                path: path.to_path_buf(),
                target: std::fs::read_link(path).unwrap_or_default(),
            }))
        }
        Err(source) => Err(IngestError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn walk_error(root: &Path, error: ignore::Error) -> IngestError {
    let path = match &error {
        ignore::Error::WithPath { path, .. } => path.clone(),
        _ => root.to_path_buf(),
    };
    match error.into_io_error() {
        Some(source) => IngestError::Io { path, source },
        None => IngestError::Parse {
            path,
            line: None,
            column: None,
            message: "cannot walk directory".to_string(),
        },
    }
}
