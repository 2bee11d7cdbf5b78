//! States to compare or gate against: a path on disk, or a git revision read with `git show`.
//!
//! In: a state spec as typed by the user (`PATH`, `git:REV`, `git:REV:PATH`) and, for
//! `--baseline git:REV`, the scan path. Out: a directory or file on disk holding that state's
//! supported files (a temporary directory for git revisions, kept alive by [`Materialized`]),
//! ready for ingest. Only `git` itself runs: blobs are read with `git show --no-textconv`, no
//! filter, hook, textconv or anything else from the repository is executed, and nothing is
//! checked out.

use std::path::{Component, Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::ingest::{IngestError, IngestOptions};
use crate::inventory::Inventory;

/// Where a state comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateSpec {
    /// A directory, lockfile or SBOM on disk.
    Path(PathBuf),
    /// A git revision of the repository at `repository`.
    Git {
        /// The revision (`HEAD~1`, `origin/main`, a tag or a commit id).
        revision: String,
        /// A file or directory in that revision, relative to the repository root; `None` is
        /// the whole tree.
        path: Option<String>,
        /// The directory git runs in (any directory inside the repository).
        repository: PathBuf,
    },
}

impl StateSpec {
    /// Parses `git:REV`, `git:REV:PATH`, or anything else as a path. Git runs in the current
    /// directory.
    pub fn parse(spec: &str) -> anyhow::Result<StateSpec> {
        let Some(rest) = spec.strip_prefix("git:") else {
            return Ok(StateSpec::Path(PathBuf::from(spec)));
        };
        // Ref names cannot contain `:`, so the first one separates the revision from the path.
        let (revision, path) = match rest.split_once(':') {
            Some((revision, path)) => (revision, Some(path.trim_matches('/').to_string())),
            None => (rest, None),
        };
        if revision.is_empty() {
            bail!("`{spec}`: expected `git:REV` or `git:REV:PATH`, the revision is empty");
        }
        if revision.starts_with('-') {
            bail!("`{spec}`: a revision cannot start with `-`");
        }
        Ok(StateSpec::Git {
            revision: revision.to_string(),
            path: path.filter(|p| !p.is_empty()),
            repository: PathBuf::from("."),
        })
    }

    /// How the state is named in reports.
    pub fn label(&self) -> String {
        match self {
            StateSpec::Path(path) => path.display().to_string(),
            StateSpec::Git { revision, path, .. } => match path {
                Some(path) => format!("git:{revision}:{path}"),
                None => format!("git:{revision}"),
            },
        }
    }
}

/// A state on disk; for a git revision, the temporary copy lives as long as this value.
#[derive(Debug)]
pub struct Materialized {
    /// The file or directory to ingest.
    pub path: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

/// Directories never copied out of a revision (the same ones discovery skips).
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target", "vendor", ".venv", "venv"];

fn git(repository: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("--no-pager")
        .arg("-C")
        .arg(repository)
        // Nothing the repository configures may run: no fsmonitor hook, no credential prompts.
        .args(["-c", "core.fsmonitor=false"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_EXTERNAL_DIFF");
    command
}

/// Runs git and returns its standard output; a failure names the command and git's message.
fn run_git(repository: &Path, args: &[&str]) -> anyhow::Result<Vec<u8>> {
    let output = git(repository)
        .args(args)
        .output()
        .with_context(|| "cannot run `git` (is it installed and on PATH?)")?;
    if !output.status.success() {
        bail!(
            "`git {}` failed in `{}`: {}",
            args.join(" "),
            repository.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(output.stdout)
}

/// Whether a file name (without reading it) may be a supported input: a known lockfile or
/// manifest name, or a name SBOM tools use.
fn is_candidate(relative: &str) -> bool {
    let path = Path::new(relative);
    if path.components().any(|c| match c {
        Component::Normal(name) => SKIPPED_DIRS.iter().any(|skip| name == *skip),
        _ => true,
    }) {
        return false;
    }
    if matches!(crate::ingest::detect_format(path), Ok(Some(_))) {
        return true;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [
        ".cdx.json",
        ".cdx.xml",
        ".spdx.json",
        ".spdx",
        "bom.json",
        "bom.xml",
    ]
    .iter()
    .any(|suffix| name.ends_with(suffix))
        || name.contains("sbom")
}

/// A repository path that is safe to recreate under a temporary directory.
fn safe_relative(relative: &str) -> Option<PathBuf> {
    let path = Path::new(relative);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

/// Puts the state on disk: a path is used as is; a git revision's supported files are copied
/// (with `git show`) into a temporary directory that keeps their names and relative paths.
pub fn materialize(spec: &StateSpec) -> anyhow::Result<Materialized> {
    let (revision, path, repository) = match spec {
        StateSpec::Path(path) => {
            return Ok(Materialized {
                path: path.clone(),
                _temporary: None,
            });
        }
        StateSpec::Git {
            revision,
            path,
            repository,
        } => (revision, path, repository),
    };
    let label = spec.label();
    let commit_out = run_git(
        repository,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{revision}^{{commit}}"),
        ],
    )
    .with_context(|| format!("`{label}`: unknown git revision `{revision}`"))?;
    let commit = String::from_utf8_lossy(&commit_out).trim().to_string();
    let temporary = tempfile::Builder::new()
        .prefix("depgate-rev-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let prefix = path.clone().unwrap_or_default();
    let kind = if prefix.is_empty() {
        "tree".to_string()
    } else {
        let kind = run_git(
            repository,
            &["cat-file", "-t", &format!("{commit}:{prefix}")],
        )
        .with_context(|| format!("`{label}`: `{prefix}` does not exist in `{revision}`"))?;
        String::from_utf8_lossy(&kind).trim().to_string()
    };
    let show = |file: &str| -> anyhow::Result<Vec<u8>> {
        run_git(
            repository,
            &["show", "--no-textconv", &format!("{commit}:{file}")],
        )
    };
    if kind == "blob" {
        let name = Path::new(&prefix)
            .file_name()
            .map(PathBuf::from)
            .with_context(|| format!("`{label}`: no file name in `{prefix}`"))?;
        let target = temporary.path().join(name);
        let bytes = show(&prefix)?;
        fs_err::write(&target, bytes)?;
        return Ok(Materialized {
            path: target,
            _temporary: Some(temporary),
        });
    }
    let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", "--name-only", &commit];
    let pathspec = format!("{prefix}/");
    if !prefix.is_empty() {
        args.extend(["--", &pathspec]);
    }
    let listing = run_git(repository, &args)?;
    let mut copied = 0;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let file = String::from_utf8_lossy(entry).into_owned();
        let within = if prefix.is_empty() {
            file.as_str()
        } else {
            match file.strip_prefix(&pathspec) {
                Some(rest) => rest,
                None => continue,
            }
        };
        if !is_candidate(within) {
            continue;
        }
        let Some(relative) = safe_relative(within) else {
            continue;
        };
        let target = temporary.path().join(relative);
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&target, show(&file)?)?;
        copied += 1;
    }
    if copied == 0 {
        return Err(IngestError::NothingToScan {
            path: PathBuf::from(label),
        }
        .into());
    }
    Ok(Materialized {
        path: temporary.path().to_path_buf(),
        _temporary: Some(temporary),
    })
}

/// Ingests a state (a path, or a git revision copied out first).
pub fn load_state(spec: &StateSpec, options: &IngestOptions) -> anyhow::Result<Inventory> {
    let materialized = materialize(spec)?;
    let inventory = crate::ingest::ingest(&materialized.path, options)
        .with_context(|| format!("cannot read `{}`", spec.label()))?;
    Ok(inventory)
}

/// Resolves `--baseline`: a path is used as is; `git:REV` without a path means the scan path
/// as it was at `REV` (`--baseline git:origin/main` on `depgate check sub/dir` reads
/// `sub/dir` of `origin/main`), with git run in the scan path's repository.
pub fn resolve_baseline(spec: &str, scan_path: &Path) -> anyhow::Result<StateSpec> {
    let parsed = StateSpec::parse(spec)?;
    let StateSpec::Git { revision, path, .. } = parsed else {
        return Ok(parsed);
    };
    let absolute = fs_err::canonicalize(scan_path)
        .with_context(|| format!("cannot resolve `{}`", scan_path.display()))?;
    let directory = if absolute.is_dir() {
        absolute.clone()
    } else {
        absolute
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| absolute.clone())
    };
    let top = run_git(&directory, &["rev-parse", "--show-toplevel"]).with_context(|| {
        format!(
            "`{spec}`: `{}` is not in a git repository",
            scan_path.display()
        )
    })?;
    let top = fs_err::canonicalize(String::from_utf8_lossy(&top).trim())?;
    let path = match path {
        Some(path) => Some(path),
        None => {
            let relative = absolute.strip_prefix(&top).unwrap_or(Path::new(""));
            let text = relative.to_string_lossy().replace('\\', "/");
            (!text.is_empty()).then_some(text)
        }
    };
    Ok(StateSpec::Git {
        revision,
        path,
        repository: top,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(
            StateSpec::parse("Cargo.lock").unwrap(),
            StateSpec::Path(PathBuf::from("Cargo.lock"))
        );
        let spec = StateSpec::parse("git:origin/main:app/Cargo.lock").unwrap();
        assert_eq!(spec.label(), "git:origin/main:app/Cargo.lock");
        assert_eq!(
            StateSpec::parse("git:HEAD~1").unwrap().label(),
            "git:HEAD~1"
        );
        assert!(StateSpec::parse("git:").is_err());
        assert!(StateSpec::parse("git:--output=x").is_err());
    }

    #[test]
    fn candidates_skip_vendored_trees() {
        assert!(is_candidate("Cargo.lock"));
        assert!(is_candidate("sub/app.cdx.json"));
        assert!(!is_candidate("node_modules/x/Cargo.lock"));
        assert!(!is_candidate("src/main.rs"));
        assert!(safe_relative("a/../b").is_none());
    }
}
