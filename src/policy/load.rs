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
pub fn policy_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let io = |source: std::io::Error| PolicyError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let file = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if file.is_file() && name.ends_with(".toml") && !is_test_file(&name) {
            files.push(file);
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

/// Reads and validates the given files as one merged policy.
pub fn read_files(files: Vec<PathBuf>) -> Result<ValidPolicy, PolicyError> {
    let mut texts = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| PolicyError::Io {
            path: file.clone(),
            source,
        })?;
        texts.push((file.clone(), text));
    }
    validate(&texts, PolicySource::Files { files })
}

/// Loads the policy: `explicit` when given, else `depgate.toml` or `rules/` in `scan_root`
/// (a file's directory when it is a file), else the built-in default.
pub fn load(explicit: Option<&Path>, scan_root: &Path) -> Result<ValidPolicy, PolicyError> {
    if let Some(path) = explicit {
        return read_files(policy_files(path)?);
    }
    let root = if scan_root.is_file() {
        scan_root.parent().unwrap_or(Path::new("."))
    } else {
        scan_root
    };
    let single = root.join("depgate.toml");
    if single.is_file() {
        return read_files(vec![single]);
    }
    let rules = root.join("rules");
    if rules.is_dir() {
        return read_files(policy_files(&rules)?);
    }
    builtin()
}
