//! Helpers shared by the Python, Go, Ruby, PHP, .NET and JVM parsers (stage 1, ingest).
//!
//! In: raw text and parse errors of one file. Out: 1-based lines for entries, purls built with
//! the `packageurl` crate, `IngestError`s that name the file and line, PEP 503 names, hex digests,
//! and a small builder that de-duplicates packages by identity while the inventory is filled.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;

use super::{IngestError, line_column};
use crate::inventory::{Ecosystem, Inventory, Location, Package, PackageId, PackageKind, Source};

/// A TOML syntax or shape error at its line.
pub(crate) fn toml_error(path: &Path, text: &str, error: &toml::de::Error) -> IngestError {
    let line = error.span().map(|span| line_column(text, span.start).0);
    IngestError::parse(
        path,
        line,
        format!("invalid lockfile: {}", error.message().trim()),
    )
}

/// A JSON syntax or shape error at its line and column, prefixed with `what` (`invalid
/// lockfile`). The position is said once, in the location, not again in serde's message.
pub(crate) fn json_error(path: &Path, error: &serde_json::Error, what: &str) -> IngestError {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&position).unwrap_or(&message);
    IngestError::Parse {
        path: path.to_path_buf(),
        line: (error.line() > 0).then_some(error.line() as u32),
        column: (error.column() > 0).then_some(error.column() as u32),
        message: format!("{what}: {message}"),
    }
}

/// Builds a purl; `None` when the parts cannot form one (the package then has no purl).
pub(crate) use crate::inventory::purl::build as purl;

/// PEP 503 normalisation: lowercase, and every run of `-`, `_` and `.` becomes one `-`.
pub(crate) fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

/// Decodes standard base64 into lowercase hex; `None` when it is not base64.
pub(crate) fn base64_to_hex(value: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .map(hex::encode)
}

/// A `Location` in `path` at `line`.
pub(crate) fn location(path: &Path, line: Option<u32>) -> Location {
    Location {
        file: path.to_path_buf(),
        line,
    }
}

/// The project a lockfile belongs to: a root package named after its directory (or a given name).
pub(crate) fn root_package(
    ecosystem: Ecosystem,
    path: &Path,
    name: Option<&str>,
    version: &str,
) -> Package {
    let directory_name = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            std::fs::canonicalize(path).ok().and_then(|p| {
                p.parent()?
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
        })
        .unwrap_or_else(|| "project".to_string());
    let mut root = Package::new(
        ecosystem,
        name.map_or(directory_name, str::to_string),
        version,
        location(path, None),
    );
    root.kind = PackageKind::Root;
    root.source = Source::Path {
        path: ".".to_string(),
    };
    root
}

/// Fills an inventory while de-duplicating packages by an identity key.
#[derive(Default)]
pub(crate) struct Builder {
    /// The inventory being built.
    pub inventory: Inventory,
    by_key: HashMap<String, PackageId>,
}

impl Builder {
    /// Adds `package` under `key` unless a package with that key exists; returns its id and
    /// whether it is new.
    pub(crate) fn add(&mut self, key: String, package: Package) -> (PackageId, bool) {
        if let Some(id) = self.by_key.get(&key) {
            return (*id, false);
        }
        let id = self.inventory.add_package(package);
        self.by_key.insert(key, id);
        (id, true)
    }

    /// Adds a root package and marks it as a root.
    pub(crate) fn add_root(&mut self, package: Package) -> PackageId {
        let id = self.inventory.add_package(package);
        self.inventory.add_root(id);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_collapses_runs_and_lowercases() {
        assert_eq!(pep503("Typing_Extensions"), "typing-extensions");
        assert_eq!(pep503("zope.interface"), "zope-interface");
        assert_eq!(pep503("a-_.b"), "a-b");
        assert_eq!(pep503("Django"), "django");
    }

    #[test]
    fn golang_purl_keeps_slashes_in_namespace() {
        assert_eq!(
            purl("golang", Some("github.com/spf13"), "cobra", "v1.10.2", &[]).as_deref(),
            Some("pkg:golang/github.com/spf13/cobra@v1.10.2")
        );
    }

    #[test]
    fn base64_digest_becomes_hex() {
        assert_eq!(base64_to_hex("AAEC").as_deref(), Some("000102"));
        assert_eq!(base64_to_hex("not base64!"), None);
    }
}
