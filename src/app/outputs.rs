//! Several reports from one run: `--output FORMAT=PATH` (repeatable) for `depgate check`.
//!
//! In: the raw flag values. Out: validated `(OutputFormat, PathBuf)` pairs, and a writer that
//! renders every requested report first and only then writes each file atomically, so a failed
//! render leaves no partial output. Invalid values are usage errors (exit 2).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use thiserror::Error;

pub use crate::cli::OutputFormat;

/// Why an `--output` value was rejected.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum OutputSpecError {
    /// No `=` between format and path.
    #[error("`--output {0}`: expected FORMAT=PATH, e.g. `--output sarif=depgate.sarif`")]
    MissingEquals(String),
    /// The format is not one we write.
    #[error("`--output {value}`: unknown format `{format}` (expected one of: {expected})")]
    UnknownFormat {
        /// The whole value.
        value: String,
        /// The format part.
        format: String,
        /// The accepted formats.
        expected: String,
    },
    /// Nothing after the `=`.
    #[error("`--output {0}`: the path is empty")]
    EmptyPath(String),
    /// Two outputs name the same file.
    #[error("`--output`: `{}` is named more than once", .0.display())]
    DuplicatePath(PathBuf),
}

/// Parses one `FORMAT=PATH` value.
pub fn parse_output(value: &str) -> Result<(OutputFormat, PathBuf), OutputSpecError> {
    let (format, path) = value
        .split_once('=')
        .ok_or_else(|| OutputSpecError::MissingEquals(value.to_string()))?;
    let format =
        format
            .parse::<OutputFormat>()
            .map_err(|format| OutputSpecError::UnknownFormat {
                value: value.to_string(),
                format,
                expected: OutputFormat::ALL
                    .iter()
                    .map(OutputFormat::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
    if path.trim().is_empty() {
        return Err(OutputSpecError::EmptyPath(value.to_string()));
    }
    Ok((format, PathBuf::from(path)))
}

/// Parses every `--output` value; the same path twice is an error (one would overwrite the
/// other). The same format twice with different paths is allowed.
pub fn parse_outputs(values: &[String]) -> Result<Vec<(OutputFormat, PathBuf)>, OutputSpecError> {
    let mut seen = BTreeSet::new();
    let mut outputs = Vec::with_capacity(values.len());
    for value in values {
        let (format, path) = parse_output(value)?;
        if !seen.insert(path.clone()) {
            return Err(OutputSpecError::DuplicatePath(path));
        }
        outputs.push((format, path));
    }
    Ok(outputs)
}

/// Fails early, before a possibly long scan, when an output names a file in a directory that
/// does not exist, or a directory. (The write would fail too, and leave nothing behind;
/// this only saves the scan's time.) Every command with `-o`/`--output` calls it first.
pub(crate) fn check_output_path(output: &Path) -> anyhow::Result<()> {
    if std::fs::metadata(output).is_ok_and(|metadata| metadata.is_dir()) {
        anyhow::bail!("cannot write `{}`: it is a directory", output.display());
    }
    let directory = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !directory.is_dir() {
        anyhow::bail!(
            "cannot write `{}`: directory `{}` does not exist",
            output.display(),
            directory.display()
        );
    }
    Ok(())
}

/// Renders every output with `render`, then writes each file atomically. Nothing is written
/// when any render fails; a write failure names the file.
pub fn write_outputs(
    outputs: &[(OutputFormat, PathBuf)],
    mut render: impl FnMut(OutputFormat) -> anyhow::Result<Vec<u8>>,
) -> anyhow::Result<()> {
    let mut rendered = Vec::with_capacity(outputs.len());
    for (format, path) in outputs {
        let bytes = render(*format)
            .with_context(|| format!("cannot render {format} for `{}`", path.display()))?;
        rendered.push((path, bytes));
    }
    for (path, bytes) in rendered {
        crate::util::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// Where `-o` sends a document, for the one line a command prints about it: the file in
/// backticks, or standard output.
pub(crate) fn destination(output: Option<&Path>) -> String {
    output
        .map(|path| format!("`{}`", path.display()))
        .unwrap_or_else(|| "standard output".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repeated_outputs() {
        let values = vec![
            "sarif=out/depgate.sarif".to_string(),
            "markdown=summary.md".to_string(),
            "JSON=a=b.json".to_string(),
        ];
        assert_eq!(
            parse_outputs(&values).unwrap(),
            vec![
                (OutputFormat::Sarif, PathBuf::from("out/depgate.sarif")),
                (OutputFormat::Markdown, PathBuf::from("summary.md")),
                (OutputFormat::Json, PathBuf::from("a=b.json")),
            ]
        );
    }

    #[test]
    fn rejects_bad_values_with_clear_messages() {
        assert_eq!(
            parse_output("sarif"),
            Err(OutputSpecError::MissingEquals("sarif".into()))
        );
        let error = parse_output("xml=x.xml").unwrap_err();
        assert!(error.to_string().contains("unknown format `xml`"));
        assert!(error.to_string().contains("sarif"));
        assert_eq!(
            parse_output("json="),
            Err(OutputSpecError::EmptyPath("json=".into()))
        );
        let duplicate = parse_outputs(&["json=a".to_string(), "sarif=a".to_string()]);
        assert_eq!(
            duplicate,
            Err(OutputSpecError::DuplicatePath(PathBuf::from("a")))
        );
    }

    #[test]
    fn a_failed_render_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let outputs = vec![
            (OutputFormat::Json, dir.path().join("a.json")),
            (OutputFormat::Sarif, dir.path().join("b.sarif")),
        ];
        let result = write_outputs(&outputs, |format| match format {
            OutputFormat::Sarif => anyhow::bail!("boom"),
            _ => Ok(b"{}".to_vec()),
        });
        assert!(result.is_err());
        assert!(!dir.path().join("a.json").exists());
        write_outputs(&outputs, |format| Ok(format.as_str().as_bytes().to_vec())).unwrap();
        assert_eq!(std::fs::read(dir.path().join("b.sarif")).unwrap(), b"sarif");
    }
}
