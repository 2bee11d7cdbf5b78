//! Pinned `requirements.txt` (pip, pip-compile) -> packages (stage 1, ingest).
//!
//! In: the file and every file it includes with `-r`/`--requirement` (requirements) or
//! `-c`/`--constraint` (pins only), resolved relative to the including file, each read once.
//! Out: a root (the file's directory) and one package per pinned requirement (`==` or `===`),
//! with `--hash` digests. `-e` entries and local paths are local packages (no purl); VCS and
//! archive URLs are third-party with a `vcs_url`/`download_url` qualifier. A requirement that
//! is not pinned has no known version: it is reported as a gap, never silently dropped.
//! The format has no dependency graph, so there are no edges.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::python::{PythonSource, add_python_hash, python_package};
use super::support::{Builder, pep503, root_package};
use super::{IngestError, read_text};
use crate::inventory::{Ecosystem, Inventory, Package};

/// One logical line: continuation lines joined, comment removed, with its first line number.
struct LogicalLine {
    line: u32,
    text: String,
}

fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0u32;
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        if current.is_empty() {
            start = number;
        }
        // A comment starts at `#` at the line start or after whitespace (pip's rule); URLs keep
        // their `#egg=` fragments.
        let without_comment = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(index) => &raw[..index],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(continued) = without_comment.trim_end().strip_suffix('\\') {
            current.push_str(continued);
            current.push(' ');
            continue;
        }
        current.push_str(without_comment);
        let joined = std::mem::take(&mut current);
        if !joined.trim().is_empty() {
            out.push(LogicalLine {
                line: start,
                text: joined.trim().to_string(),
            });
        }
    }
    if !current.trim().is_empty() {
        out.push(LogicalLine {
            line: start,
            text: current.trim().to_string(),
        });
    }
    out
}

/// What a requirement line says.
#[derive(Debug, PartialEq)]
enum Requirement {
    /// `name==version` (or `===`), possibly with extras and markers.
    Pinned {
        name: String,
        version: String,
        hashes: Vec<String>,
    },
    /// A name with a range, a wildcard or nothing: the version is unknown.
    Unpinned { name: String, spec: String },
    /// `-e`, a local path or `file:` URL.
    Local { name: String, path: String },
    /// A VCS URL (`git+https://...@rev#egg=name`) or `name @ git+...`.
    Vcs {
        name: String,
        url: String,
        reference: Option<String>,
    },
    /// A direct archive URL.
    Archive {
        name: String,
        version: String,
        url: String,
    },
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// `#egg=name` from a URL fragment.
fn egg_name(url: &str) -> Option<String> {
    let fragment = url.split_once('#')?.1;
    fragment
        .split('&')
        .find_map(|part| part.strip_prefix("egg="))
        .map(|name| name.split('[').next().unwrap_or(name).to_string())
}

/// Name and version from a wheel or sdist file name (`name-1.0-py3-none-any.whl`, `name-1.0.tar.gz`).
fn archive_name_version(url: &str) -> (String, String) {
    let file = url
        .split(['#', '?'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or(url);
    let stem = file
        .strip_suffix(".whl")
        .or_else(|| file.strip_suffix(".tar.gz"))
        .or_else(|| file.strip_suffix(".zip"))
        .unwrap_or(file);
    let mut parts = stem.splitn(3, '-');
    let name = parts.next().unwrap_or_default().to_string();
    let version = parts.next().unwrap_or_default().to_string();
    (name, version)
}

fn is_local_path(spec: &str) -> bool {
    spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec.starts_with("file:")
        || spec == "."
}

fn url_requirement(name: Option<String>, url: &str) -> Requirement {
    if is_local_path(url) {
        let name = name.or_else(|| egg_name(url)).unwrap_or_else(|| {
            url.trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(url)
                .to_string()
        });
        return Requirement::Local {
            name,
            path: url.trim_start_matches("file://").to_string(),
        };
    }
    let vcs = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| url.starts_with(prefix));
    if vcs {
        let name = name.or_else(|| egg_name(url)).unwrap_or_default();
        let without_fragment = url.split('#').next().unwrap_or(url);
        // `git+https://host/repo.git@v1.0`: the `@` after the path is the revision.
        let scheme_end = without_fragment.find("://").map_or(0, |i| i + 3);
        let (location, reference) = match without_fragment[scheme_end..].rsplit_once('@') {
            Some((path, reference)) if path.contains('/') => (
                format!("{}{path}", &without_fragment[..scheme_end]),
                Some(reference.to_string()),
            ),
            _ => (without_fragment.to_string(), None),
        };
        return Requirement::Vcs {
            name,
            url: location,
            reference,
        };
    }
    let (file_name, version) = archive_name_version(url);
    Requirement::Archive {
        name: name.or_else(|| egg_name(url)).unwrap_or(file_name),
        version,
        url: url.to_string(),
    }
}

/// Parses one requirement specifier (not an option line).
fn parse_requirement(text: &str) -> Option<Requirement> {
    let mut hashes = Vec::new();
    let mut spec_parts = Vec::new();
    let mut parts = text.split_whitespace();
    while let Some(part) = parts.next() {
        if let Some(hash) = part.strip_prefix("--hash=") {
            hashes.push(hash.to_string());
        } else if part == "--hash" {
            // `--hash sha256:...` with a space is accepted by pip too.
            hashes.extend(parts.next().map(str::to_string));
        } else if part.starts_with("--") {
            // Per-requirement options such as `--config-settings`; not identity.
            continue;
        } else {
            spec_parts.push(part);
        }
    }
    let spec = spec_parts.join(" ");
    // Environment markers follow `;` and do not change identity.
    let spec = spec.split(';').next().unwrap_or_default().trim();
    if spec.is_empty() {
        return None;
    }
    if is_local_path(spec) {
        return Some(url_requirement(None, spec));
    }
    let name: String = spec.chars().take_while(|c| is_name_char(*c)).collect();
    let after = &spec[name.len()..];
    // `git+https://...`, `https://...`, `file:...`: a bare URL, not a name.
    if name.is_empty() || after.starts_with('+') || after.starts_with(':') {
        return Some(url_requirement(None, spec));
    }
    let mut rest = after.trim_start();
    if rest.starts_with('[') {
        // Extras change what gets installed with the package, not the package itself.
        rest = rest
            .split_once(']')
            .map_or("", |(_, after)| after)
            .trim_start();
    }
    if let Some(url) = rest.strip_prefix('@') {
        return Some(url_requirement(Some(name), url.trim()));
    }
    let clauses: Vec<&str> = rest
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if let [only] = clauses.as_slice() {
        let version = only
            .strip_prefix("===")
            .or_else(|| only.strip_prefix("=="))
            .map(str::trim);
        if let Some(version) = version.filter(|v| !v.is_empty() && !v.contains('*')) {
            return Some(Requirement::Pinned {
                name,
                version: version.to_string(),
                hashes,
            });
        }
    }
    Some(Requirement::Unpinned {
        name,
        spec: spec.to_string(),
    })
}

/// State shared across the included files of one top-level file.
struct Reader {
    builder: Builder,
    visited: BTreeSet<PathBuf>,
    /// Pins from `-c` files: PEP 503 name -> version.
    constraints: BTreeMap<String, String>,
    /// Requirements without a pin, kept until constraints have been read.
    unpinned: Vec<(PathBuf, u32, String, String)>,
    /// Files read besides the top-level one.
    included: Vec<PathBuf>,
}

impl Reader {
    fn read(&mut self, path: &Path, text: &str, constraint_only: bool) -> Result<(), IngestError> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // Cycle protection: a file that includes itself (directly or not) is read once.
        if !self.visited.insert(key) {
            return Ok(());
        }
        let directory = path.parent().unwrap_or(Path::new("."));
        for logical in logical_lines(text) {
            let line = logical.line;
            let text = logical.text.as_str();
            let (option, value) = split_option(text);
            match option {
                Some("-r" | "--requirement" | "-c" | "--constraint") => {
                    if value.is_empty() {
                        return Err(IngestError::parse(
                            path,
                            Some(line),
                            format!("`{text}` names no file"),
                        ));
                    }
                    let included = directory.join(value);
                    if !included.is_file() {
                        return Err(IngestError::parse(
                            path,
                            Some(line),
                            format!(
                                "included requirements file `{}` does not exist",
                                included.display()
                            ),
                        ));
                    }
                    let included_text = read_text(&included)?;
                    let constraint =
                        constraint_only || matches!(option, Some("-c" | "--constraint"));
                    self.included.push(included.clone());
                    self.read(&included, &included_text, constraint)?;
                }
                Some("-e" | "--editable") => {
                    if constraint_only {
                        continue;
                    }
                    let requirement = url_requirement(None, value);
                    self.add(path, line, requirement);
                }
                Some(_) => {
                    // Index and build options (`-i`, `--extra-index-url`, `--pre`, ...).
                }
                None => {
                    let Some(requirement) = parse_requirement(text) else {
                        continue;
                    };
                    if constraint_only {
                        if let Requirement::Pinned { name, version, .. } = requirement {
                            self.constraints.insert(pep503(&name), version);
                        }
                        continue;
                    }
                    self.add(path, line, requirement);
                }
            }
        }
        Ok(())
    }

    fn add(&mut self, path: &Path, line: u32, requirement: Requirement) {
        let (name, version, source, hashes) = match requirement {
            Requirement::Pinned {
                name,
                version,
                hashes,
            } => (name, version, PythonSource::Pypi, hashes),
            Requirement::Unpinned { name, spec } => {
                self.unpinned.push((path.to_path_buf(), line, name, spec));
                return;
            }
            Requirement::Local { name, path: local } => {
                (name, String::new(), PythonSource::Path(local), Vec::new())
            }
            Requirement::Vcs {
                name,
                url,
                reference,
            } => (
                name,
                String::new(),
                PythonSource::Git {
                    url,
                    commit: None,
                    reference,
                },
                Vec::new(),
            ),
            Requirement::Archive { name, version, url } => {
                (name, version, PythonSource::Url(url), Vec::new())
            }
        };
        let mut package: Package = python_package(path, Some(line), &name, &version, &source);
        if matches!(source, PythonSource::Git { .. }) && version.is_empty() {
            // No version and no resolved commit: the identity is not certain enough for a purl.
            package.purl = None;
        }
        for hash in hashes {
            add_python_hash(&mut package, &hash);
        }
        let key = format!("{}@{}@{}", package.name, version, source.key());
        self.builder.add(key, package);
    }
}

/// Splits `-r file`, `--requirement=file`, `-rfile` into (option, value).
fn split_option(text: &str) -> (Option<&str>, &str) {
    if !text.starts_with('-') {
        return (None, "");
    }
    if let Some((option, value)) = text.split_once('=')
        && option.starts_with("--")
        && !option.contains(' ')
    {
        return (Some(option), value.trim());
    }
    match text.split_once(char::is_whitespace) {
        Some((option, value)) => (Some(option), value.trim()),
        // `-rbase.txt`: a one-letter option glued to its value (`-` and the letter are ASCII
        // for every option pip has; anything else is not split).
        None if text.len() > 2 && !text.starts_with("--") && text.is_char_boundary(2) => {
            (Some(&text[..2]), text[2..].trim())
        }
        None => (Some(text), ""),
    }
}

/// Parses a requirements file and everything it includes.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut reader = Reader {
        builder: Builder::default(),
        visited: BTreeSet::new(),
        constraints: BTreeMap::new(),
        unpinned: Vec::new(),
        included: Vec::new(),
    };
    reader
        .builder
        .add_root(root_package(Ecosystem::PyPI, path, None, ""));
    reader.read(path, text, false)?;
    for (file, line, name, spec) in std::mem::take(&mut reader.unpinned) {
        let normalised = pep503(&name);
        if let Some(version) = reader.constraints.get(&normalised).cloned() {
            // A constraint file pins it: that is the version pip would install.
            let package = python_package(&file, Some(line), &name, &version, &PythonSource::Pypi);
            reader
                .builder
                .add(format!("{normalised}@{version}@"), package);
        } else {
            reader.builder.inventory.add_gap(
                "unpinned-requirement",
                format!(
                    "`{}` line {line}: `{spec}` is not pinned with `==`, so its version is unknown and it is not in the inventory",
                    file.display()
                ),
                1,
            );
        }
    }
    let mut inventory = reader.builder.inventory;
    for included in reader.included {
        if let Ok(bytes) = std::fs::read(&included) {
            inventory
                .inputs
                .push(super::input_file(&included, &bytes, "requirements.txt"));
        }
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_extras_markers_and_hashes() {
        assert_eq!(
            parse_requirement(
                "Requests[socks]==2.31.0 ; python_version >= \"3.8\" --hash=sha256:ab"
            ),
            Some(Requirement::Pinned {
                name: "Requests".into(),
                version: "2.31.0".into(),
                hashes: vec!["sha256:ab".into()],
            })
        );
        assert_eq!(
            parse_requirement("foo == 1.0 --hash sha256:cd"),
            Some(Requirement::Pinned {
                name: "foo".into(),
                version: "1.0".into(),
                hashes: vec!["sha256:cd".into()],
            })
        );
        assert!(matches!(
            parse_requirement("foo===1.0"),
            Some(Requirement::Pinned { .. })
        ));
        assert!(matches!(
            parse_requirement("foo>=1.0"),
            Some(Requirement::Unpinned { .. })
        ));
        assert!(matches!(
            parse_requirement("foo==1.*"),
            Some(Requirement::Unpinned { .. })
        ));
        assert!(matches!(
            parse_requirement("foo==1.0,!=1.1"),
            Some(Requirement::Unpinned { .. })
        ));
    }

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            parse_requirement("./libs/mylib"),
            Some(Requirement::Local {
                name: "mylib".into(),
                path: "./libs/mylib".into()
            })
        );
        assert_eq!(
            parse_requirement("pkg @ git+https://github.com/o/pkg.git@v1.2#egg=pkg"),
            Some(Requirement::Vcs {
                name: "pkg".into(),
                url: "git+https://github.com/o/pkg.git".into(),
                reference: Some("v1.2".into()),
            })
        );
        assert_eq!(
            parse_requirement("https://example.com/d/demo-1.0-py3-none-any.whl"),
            Some(Requirement::Archive {
                name: "demo".into(),
                version: "1.0".into(),
                url: "https://example.com/d/demo-1.0-py3-none-any.whl".into(),
            })
        );
    }

    #[test]
    fn continuations_and_comments() {
        let lines = logical_lines("# top\na==1 \\\n    --hash=sha256:00\n\nb==2  # pinned\n");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert!(lines[0].text.contains("--hash=sha256:00"));
        assert_eq!(lines[1].text, "b==2");
    }

    #[test]
    fn options_split() {
        assert_eq!(split_option("-r base.txt"), (Some("-r"), "base.txt"));
        assert_eq!(
            split_option("--requirement=base.txt"),
            (Some("--requirement"), "base.txt")
        );
        assert_eq!(split_option("-rbase.txt"), (Some("-r"), "base.txt"));
        assert_eq!(split_option("-e ."), (Some("-e"), "."));
        assert_eq!(split_option("-é"), (Some("-é"), ""));
    }
}
