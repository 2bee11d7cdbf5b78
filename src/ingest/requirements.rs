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

/// The logical lines of a file; an error when the file ends inside a `\\` continuation (a file
/// cut short in the middle of a requirement's hashes).
fn logical_lines(path: &Path, text: &str) -> Result<Vec<LogicalLine>, IngestError> {
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
    if !current.is_empty() {
        return Err(IngestError::parse(
            path,
            Some(start),
            "the file ends inside a requirement continued with `\\`: it is cut short",
        ));
    }
    Ok(out)
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

/// Parses one requirement specifier (not an option line): `None` for nothing, an error
/// message for a line that is no requirement at all (junk must not become a package).
fn parse_requirement(text: &str) -> Result<Option<Requirement>, String> {
    let mut hashes = Vec::new();
    let mut spec_parts = Vec::new();
    let mut parts = text.split_whitespace();
    while let Some(part) = parts.next() {
        let hash = match part.strip_prefix("--hash=") {
            Some(hash) => Some(hash),
            // `--hash sha256:...` with a space is accepted by pip too.
            None if part == "--hash" => Some(parts.next().unwrap_or_default()),
            None => None,
        };
        if let Some(hash) = hash {
            if let Some(problem) = super::python::hash_problem(hash) {
                return Err(problem);
            }
            hashes.push(hash.to_string());
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
        return Ok(None);
    }
    if is_local_path(spec) {
        return Ok(Some(url_requirement(None, spec)));
    }
    let name: String = spec.chars().take_while(|c| is_name_char(*c)).collect();
    let after = &spec[name.len()..];
    // `git+https://...`, `https://...`, `file:...`: a bare URL, not a name.
    if !name.is_empty() && (after.starts_with('+') || after.starts_with(':')) {
        if !spec.contains("://") && !spec.starts_with("file:") {
            return Err(format!("`{spec}` is neither a requirement nor a URL"));
        }
        return Ok(Some(url_requirement(None, spec)));
    }
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "`{}` is not a requirement (expected `NAME==VERSION`, a URL or an option)",
            spec.escape_debug()
        ));
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
        return Ok(Some(url_requirement(Some(name), url.trim())));
    }
    // After the name only a version clause may follow (PEP 508); anything else is junk that
    // a lenient reading would turn into a package with a made-up name.
    if !rest.is_empty() && !rest.starts_with(['=', '<', '>', '!', '~', '(']) {
        return Err(format!(
            "`{}` is not a requirement: `{}` after the name `{name}` is not a version clause",
            spec.escape_debug(),
            rest.escape_debug()
        ));
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
            if !version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '!' | '-' | '_'))
            {
                return Err(format!("`{spec}` pins an invalid version `{version}`"));
            }
            return Ok(Some(Requirement::Pinned {
                name,
                version: version.to_string(),
                hashes,
            }));
        }
    }
    Ok(Some(Requirement::Unpinned {
        name,
        spec: spec.to_string(),
    }))
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
        check_generated(path, text)?;
        for logical in logical_lines(path, text)? {
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
                    let included_text =
                        read_text(&included).map_err(|source| IngestError::Include {
                            path: path.to_path_buf(),
                            line,
                            included: included.clone(),
                            source: Box::new(source),
                        })?;
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
                Some("--hash") => {
                    // pip refuses a per-requirement option on a line of its own: here it is a
                    // requirement's hashes whose requirement line is gone (cut, or turned into
                    // a comment), which would otherwise lose that package without a word.
                    return Err(IngestError::parse(
                        path,
                        Some(line),
                        "`--hash` belongs to no requirement (the requirement line before it is missing or commented out)",
                    ));
                }
                Some(_) => {
                    // Index and build options (`-i`, `--extra-index-url`, `--pre`, ...).
                }
                None => {
                    let requirement = parse_requirement(text)
                        .map_err(|message| IngestError::parse(path, Some(line), message))?;
                    let Some(requirement) = requirement else {
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

/// True when `text` reads as a requirements file: every logical line is an option or a
/// requirement, and at least one pins a version (`name==1.0`). For a `*.txt` named
/// explicitly whose name and directory say nothing (`deps.txt`); prose fails at its first
/// line.
pub(crate) fn looks_like_requirements(text: &str) -> bool {
    let Ok(lines) = logical_lines(Path::new(""), text) else {
        return false;
    };
    let mut pinned = false;
    for logical in &lines {
        if logical.text.starts_with('-') {
            continue;
        }
        match parse_requirement(&logical.text) {
            Ok(Some(Requirement::Pinned { .. })) => pinned = true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    pinned
}

/// Files written by `pip-compile` or `uv pip compile` say so in their header comment.
fn is_generated(text: &str) -> bool {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .any(|line| {
            line.contains("autogenerated by pip-compile") || line.contains("uv pip compile")
        })
}

/// A compiled file can be checked for completeness: it ends with a newline, and every
/// package a `# via` comment names as a parent is pinned in it. A file cut short (at any
/// byte) almost always breaks one of the two; a hand-written file is not checked.
fn check_generated(path: &Path, text: &str) -> Result<(), IngestError> {
    if !is_generated(text) {
        return Ok(());
    }
    if !text.ends_with('\n') {
        return Err(IngestError::parse(
            path,
            Some(text.lines().count().max(1) as u32),
            "the file ends in the middle of a line: it is cut short (pip-compile and uv end it with a newline); regenerate it",
        ));
    }
    let mut pinned = BTreeSet::new();
    let mut parents: Vec<(u32, String)> = Vec::new();
    let mut in_via = false;
    for (index, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        let comment = trimmed.strip_prefix('#').map(str::trim);
        match comment {
            Some("via") => in_via = true,
            Some(rest) if rest.starts_with("via ") => {
                in_via = false;
                parents.push((index as u32 + 1, rest["via ".len()..].to_string()));
            }
            // `#   name` continues a multi-line `# via` list.
            Some(rest) if in_via && raw.starts_with("    #") => {
                parents.push((index as u32 + 1, rest.to_string()));
            }
            Some(rest) => {
                in_via = false;
                // Packages pip-compile leaves commented out (`# setuptools`) are still named.
                if let Ok(Some(Requirement::Pinned { name, .. })) = parse_requirement(rest) {
                    pinned.insert(pep503(&name));
                }
            }
            None => {
                in_via = false;
                if !raw.starts_with(' ')
                    && let Ok(Some(requirement)) = parse_requirement(trimmed.trim_end_matches('\\'))
                {
                    let name = match requirement {
                        Requirement::Pinned { name, .. }
                        | Requirement::Unpinned { name, .. }
                        | Requirement::Local { name, .. }
                        | Requirement::Vcs { name, .. }
                        | Requirement::Archive { name, .. } => name,
                    };
                    pinned.insert(pep503(&name));
                }
            }
        }
    }
    for (line, parent) in parents {
        // `-r requirements.in`, `-c constraints.txt`: files, not packages.
        if parent.starts_with('-') || parent.contains(' ') || parent.is_empty() {
            continue;
        }
        let name = parent.split('[').next().unwrap_or(&parent);
        if !pinned.contains(&pep503(name)) {
            return Err(IngestError::parse(
                path,
                Some(line),
                format!(
                    "`# via {parent}` names a package that is not in the file: the compiled file is incomplete (cut short or edited by hand); regenerate it"
                ),
            ));
        }
    }
    Ok(())
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
        if let Ok(bytes) = crate::util::read_input(&included) {
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
        let ab = format!("sha256:{}", "ab".repeat(32));
        let cd = format!("sha256:{}", "cd".repeat(32));
        assert_eq!(
            parse_requirement(&format!(
                "Requests[socks]==2.31.0 ; python_version >= \"3.8\" --hash={ab}"
            )),
            Ok(Some(Requirement::Pinned {
                name: "Requests".into(),
                version: "2.31.0".into(),
                hashes: vec![ab.clone()],
            }))
        );
        assert_eq!(
            parse_requirement(&format!("foo == 1.0 --hash {cd}")),
            Ok(Some(Requirement::Pinned {
                name: "foo".into(),
                version: "1.0".into(),
                hashes: vec![cd],
            }))
        );
        assert!(matches!(
            parse_requirement("foo===1.0"),
            Ok(Some(Requirement::Pinned { .. }))
        ));
        assert!(matches!(
            parse_requirement("foo>=1.0"),
            Ok(Some(Requirement::Unpinned { .. }))
        ));
        assert!(matches!(
            parse_requirement("foo==1.*"),
            Ok(Some(Requirement::Unpinned { .. }))
        ));
        assert!(matches!(
            parse_requirement("foo==1.0,!=1.1"),
            Ok(Some(Requirement::Unpinned { .. }))
        ));
    }

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            parse_requirement("./libs/mylib"),
            Ok(Some(Requirement::Local {
                name: "mylib".into(),
                path: "./libs/mylib".into()
            }))
        );
        assert_eq!(
            parse_requirement("pkg @ git+https://github.com/o/pkg.git@v1.2#egg=pkg"),
            Ok(Some(Requirement::Vcs {
                name: "pkg".into(),
                url: "git+https://github.com/o/pkg.git".into(),
                reference: Some("v1.2".into()),
            }))
        );
        assert_eq!(
            parse_requirement("https://example.com/d/demo-1.0-py3-none-any.whl"),
            Ok(Some(Requirement::Archive {
                name: "demo".into(),
                version: "1.0".into(),
                url: "https://example.com/d/demo-1.0-py3-none-any.whl".into(),
            }))
        );
    }

    #[test]
    fn continuations_and_comments() {
        let path = Path::new("requirements.txt");
        let lines = logical_lines(
            path,
            "# top\na==1 \\\n    --hash=sha256:00\n\nb==2  # pinned\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert!(lines[0].text.contains("--hash=sha256:00"));
        assert_eq!(lines[1].text, "b==2");
        // Cut short after a continuation backslash.
        assert!(logical_lines(path, "a==1 \\\n    --hash=sha256:00 \\\n").is_err());
    }

    #[test]
    fn junk_lines_and_cut_hashes_are_errors() {
        for junk in [
            "{",
            "}",
            "XX YY",
            "\u{0}",
            "alembic==1.0 junk",
            "<<<<<<< HEAD",
            "foo:bar",
        ] {
            assert!(parse_requirement(junk).is_err(), "{junk:?}");
        }
        assert!(parse_requirement("foo==1.0 --hash=sha256:abc").is_err());
        // A bare name is a legitimate (unpinned) requirement.
        assert!(matches!(
            parse_requirement("XX"),
            Ok(Some(Requirement::Unpinned { .. }))
        ));
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
