//! Finding and reading policy files: `--policy FILE|DIR`, else `depgate.toml` or `rules/` at
//! the scanned root, else the built-in default (the text of `rules/default.toml`).
//!
//! In: paths. Out: a [`ValidPolicy`] or a [`PolicyError`] naming the file.

use std::path::{Path, PathBuf};

use super::model::{PolicySource, ValidPolicy};
use super::validate::{BUILTIN_NAME, PolicyError, validate};

/// The built-in default policy: `rules/default.toml`, embedded at build time.
pub const BUILTIN_DEFAULT: &str = include_str!("../../rules/default.toml");

/// The built-in default policy, validated.
pub fn builtin() -> Result<ValidPolicy, PolicyError> {
    validate(
        &[(PathBuf::from(BUILTIN_NAME), BUILTIN_DEFAULT.to_string())],
        PolicySource::Builtin,
    )
}

/// True for files beside the rules that hold policy tests, not policy.
fn is_test_file(name: &str) -> bool {
    name.ends_with(".tests.toml") || name.ends_with(".test.toml")
}

/// The policy files a `--policy` path names: the file itself, or every `*.toml` in a directory
/// (sorted, test files left out).
///
/// Every `*.toml` entry of a directory is returned whatever it is: one that is a dangling
/// link, a directory or a FIFO must fail when read, not be skipped (a skipped rules file is a
/// silently weaker gate).
pub fn policy_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let io = |source: std::io::Error| PolicyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        // A dangling link is said as such by the reader.
        Err(_) => return Ok(vec![path.to_path_buf()]),
    };
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".toml") && !is_test_file(&name) {
            files.push(entry.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(PolicyError::EmptyDirectory {
            path: path.to_path_buf(),
        });
    }
    Ok(files)
}

/// Reads and validates the given files as one merged policy. Only regular files are read (a
/// link is followed); anything else is an error naming it.
pub fn read_files(files: Vec<PathBuf>) -> Result<ValidPolicy, PolicyError> {
    let mut texts = Vec::new();
    for file in &files {
        let text = crate::util::read_input_text(file).map_err(PolicyError::Read)?;
        texts.push((file.clone(), text));
    }
    validate(&texts, PolicySource::Files { files })
}

/// True when something (a file, a directory, a FIFO, even a dangling link) is at `path`.
/// Only "nothing there" is false: an entry that cannot even be looked at is an error, so a
/// policy that exists is never replaced by the built-in default.
fn present(path: &Path) -> Result<bool, PolicyError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(false)
        }
        Err(source) => Err(PolicyError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Loads the policy: `explicit` when given, else `depgate.toml` or `rules/` in `scan_root`
/// (a file's directory when it is a file), else the built-in default.
///
/// A `depgate.toml` or `rules` that exists in any form is the policy: when it cannot be read
/// (a dangling link, a directory, a FIFO, a device) that is an error, never a fall-back to the
/// default, which would let a gate pass that the repository's own policy fails.
pub fn load(explicit: Option<&Path>, scan_root: &Path) -> Result<ValidPolicy, PolicyError> {
    if let Some(path) = explicit {
        return read_files(policy_files(path)?);
    }
    let root = if std::fs::metadata(scan_root).is_ok_and(|m| !m.is_dir()) {
        scan_root.parent().unwrap_or(Path::new("."))
    } else {
        scan_root
    };
    let single = root.join("depgate.toml");
    if present(&single)? {
        return read_files(vec![single]);
    }
    let rules = root.join("rules");
    if present(&rules)? {
        if !std::fs::metadata(&rules).is_ok_and(|m| m.is_dir()) {
            return Err(PolicyError::NotADirectory { path: rules });
        }
        return read_files(policy_files(&rules)?);
    }
    builtin()
}
