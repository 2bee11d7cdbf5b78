//! `Cargo.lock` v1–v4 through the `cargo-lock` crate, plus the line of every entry.
//!
//! In: the lockfile's text. Out: [`ParsedLockfile`], every `[[package]]` (and a v1 `[root]`)
//! with its source, checksum, 1-based line and its dependencies resolved to package indexes.
//! A dependency naming a package that is not in the lockfile is an error naming the line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use cargo_lock::{Lockfile, SourceId};
use serde::Deserialize;

use crate::ingest::IngestError;

/// One package entry of a lockfile.
#[derive(Debug, Clone)]
pub(crate) struct LockedPackage {
    /// Crate name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Where it comes from; `None` for workspace members and path dependencies.
    pub source: Option<SourceId>,
    /// Lowercase hex SHA-256 of the `.crate` archive (registry packages only).
    pub checksum: Option<String>,
    /// Indexes (into [`ParsedLockfile::packages`]) of its dependencies, sorted, no duplicates.
    pub dependencies: Vec<usize>,
    /// 1-based line of its `[[package]]` header.
    pub line: Option<u32>,
}

/// A parsed lockfile.
#[derive(Debug, Clone)]
pub(crate) struct ParsedLockfile {
    /// Format version, 1 to 4.
    pub version: u32,
    /// Every package, in file order (a v1 `[root]` comes last).
    pub packages: Vec<LockedPackage>,
    /// The index of the file's last `[[package]]` when the file ends right after its
    /// `version` line with no `source`: a workspace package without dependencies, or a
    /// registry package cut short before its `source` line. Only a manifest can tell.
    pub bare_tail: Option<usize>,
}

/// The shape of a lockfile, checked with serde first so wrong types get an exact line (the
/// `cargo-lock` crate reports type errors without one).
#[derive(Deserialize)]
#[allow(dead_code)] // Fields exist to be type-checked, not read.
struct Shape {
    version: Option<u32>,
    #[serde(default)]
    package: Vec<ShapePackage>,
    root: Option<ShapePackage>,
    metadata: Option<toml::Table>,
}

/// The checksums of a lockfile, with their positions: v2+ `checksum` keys of packages, v1
/// `[metadata]` entries.
#[derive(Deserialize)]
struct Checksums {
    #[serde(default)]
    package: Vec<PackageChecksum>,
    root: Option<PackageChecksum>,
    #[serde(default)]
    metadata: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct PackageChecksum {
    checksum: Option<toml::Spanned<String>>,
}

/// The first checksum that is not ASCII, with its line: the `cargo-lock` crate cuts
/// checksums at byte offsets and panics inside a multi-byte character. Only a text that is
/// not all ASCII can hold one, so a good lockfile costs one fast scan, not a second parse.
fn non_ascii_checksum(text: &str) -> Option<(Option<u32>, String)> {
    if text.is_ascii() {
        return None;
    }
    // A lockfile that does not have this shape fails in the normal parse, with its line.
    let checksums: Checksums = toml::from_str(text).ok()?;
    let line = |start: usize| Some(crate::ingest::line_column(text, start).0);
    let packaged = checksums
        .package
        .iter()
        .chain(&checksums.root)
        .filter_map(|package| package.checksum.as_ref())
        .find(|checksum| !checksum.get_ref().is_ascii())
        .map(|checksum| (line(checksum.span().start), checksum.get_ref().clone()));
    packaged.or_else(|| {
        checksums
            .metadata
            .iter()
            .filter(|(key, _)| key.starts_with("checksum "))
            .find_map(|(_, value)| match value.get_ref() {
                toml::Value::String(checksum) if !checksum.is_ascii() => {
                    Some((line(value.span().start), checksum.clone()))
                }
                _ => None,
            })
    })
}

#[derive(Deserialize)]
#[allow(dead_code)] // Fields exist to be type-checked, not read.
struct ShapePackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// Parses `text`, the contents of the lockfile at `path`.
pub(crate) fn parse(path: &Path, text: &str) -> Result<ParsedLockfile, IngestError> {
    if let Some((line, checksum)) = non_ascii_checksum(text) {
        return Err(IngestError::parse(
            path,
            line,
            format!("invalid lockfile: checksum `{checksum}` is not 64 hexadecimal digits"),
        ));
    }
    let headers = header_lines(text);
    if let Some((line, header)) = &headers.unknown {
        return Err(IngestError::parse(
            path,
            Some(*line),
            format!(
                "`{header}` is not a Cargo.lock section (`[[package]]`, `[metadata]`, `[[patch.unused]]`): the lockfile is damaged; regenerate it with `cargo generate-lockfile`"
            ),
        ));
    }
    let (version, packages, entries) = match parse_borrowed(text, &headers) {
        Some(parsed) => parsed,
        None => parse_with_cargo_lock(path, text, &headers)?,
    };
    // Cargo always locks the workspace's own packages (no `source`) beside its dependencies;
    // registry packages alone mean the file was cut short before the first member (members
    // sort among the dependencies by name).
    if !packages.is_empty() && packages.iter().all(|package| package.source.is_some()) {
        return Err(IngestError::parse(
            path,
            Some(text.lines().count().max(1) as u32),
            "the lockfile lists no package of the workspace itself (every entry has a `source`), which Cargo always locks: it is cut short or not a Cargo.lock; regenerate it with `cargo generate-lockfile`",
        ));
    }
    // Cargo (v2+) writes `checksum` after `source` for every registry package: a last entry
    // without one, when the others have theirs, was cut short after its `source` line, and
    // its `dependencies` (and the packages only they reach) are lost.
    if let Some((last, others)) = packages.split_last()
        && last.source.as_ref().is_some_and(SourceId::is_registry)
        && last.checksum.is_none()
        && others.iter().any(|package| package.checksum.is_some())
    {
        return Err(IngestError::parse(
            path,
            last.line,
            format!(
                "the last entry `{} {}` has no `checksum`, which every other registry package has: the lockfile is cut short; regenerate it with `cargo generate-lockfile`",
                last.name, last.version
            ),
        ));
    }
    let bare_tail = bare_tail(text, &headers, entries);
    Ok(ParsedLockfile {
        version,
        packages,
        bare_tail,
    })
}

/// A v3/v4 lockfile as written, borrowing from the text.
#[derive(Deserialize)]
struct BorrowedLockfile<'a> {
    version: Option<u32>,
    #[serde(default, borrow)]
    package: Vec<BorrowedPackage<'a>>,
    root: Option<serde::de::IgnoredAny>,
    patch: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct BorrowedPackage<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    version: Cow<'a, str>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    checksum: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    dependencies: Vec<Cow<'a, str>>,
    replace: Option<serde::de::IgnoredAny>,
}

/// The TOML parse of the fast path. A large lockfile (100,000 packages are 24 MB, most of a
/// run's time) is cut into pieces of about [`PIECE_BYTES`] at `[[package]]` headers and the
/// pieces parsed on the cores: every header of a Cargo.lock starts a line and no value spans
/// lines with a header in it, so each piece is a document of its own. The TOML parser holds a
/// whole document's tokens and tables at once (at 100,000 packages that was most of the run's
/// memory and a quarter of its time in page faults); a piece at a time holds a piece's.
///
/// Cut only where that is sure to parse as the whole would: no multi-line strings (Cargo
/// never writes them) and, after the first piece, no header but `[[package]]` (`[root]`,
/// `[patch]`, `[metadata]` and the format version belong to the file as a whole). Otherwise,
/// or when a piece does not parse, the whole file is parsed at once; `None` when that fails
/// too, and the `cargo-lock` path gives the errors.
fn parse_document(text: &str) -> Option<BorrowedLockfile<'_>> {
    let pieces = package_pieces(text, PIECE_BYTES);
    if pieces.len() < 2 {
        return toml::from_str(text).ok();
    }
    let parsed = crate::util::parallel_map(&pieces, 1, |piece| {
        toml::from_str::<BorrowedLockfile<'_>>(piece).ok()
    });
    let mut parsed = parsed.into_iter();
    let Some(Some(mut first)) = parsed.next() else {
        return toml::from_str(text).ok();
    };
    first.package.reserve(parsed.len() * first.package.len());
    for piece in parsed {
        match piece {
            Some(piece)
                if piece.version.is_none() && piece.root.is_none() && piece.patch.is_none() =>
            {
                first.package.extend(piece.package)
            }
            _ => return toml::from_str(text).ok(),
        }
    }
    Some(first)
}

/// About how many bytes of a lockfile one TOML parse takes (see [`parse_document`]).
const PIECE_BYTES: usize = 512 * 1024;

/// `text` cut before `[[package]]` headers into pieces of at least `piece_bytes` (the last
/// may be shorter), or one piece when it may not be cut (see [`parse_document`]).
fn package_pieces(text: &str, piece_bytes: usize) -> Vec<&str> {
    const HEADER: &str = "\n[[package]]\n";
    if text.len() < 2 * piece_bytes || text.contains("\"\"\"") || text.contains("'''") {
        return vec![text];
    }
    let Some(first_header) = text.find(HEADER) else {
        return vec![text];
    };
    // After the first `[[package]]`, every line that opens a table must be another one.
    let body = &text[first_header..];
    if body
        .match_indices("\n[")
        .any(|(at, _)| !body[at..].starts_with(HEADER))
    {
        return vec![text];
    }
    let mut pieces = Vec::with_capacity(text.len() / piece_bytes + 1);
    let mut start = 0;
    // Searched as bytes: `start + piece_bytes` may fall inside a character, and the header,
    // ASCII, is found only where a character starts.
    while let Some(offset) = text
        .as_bytes()
        .get(start + piece_bytes..)
        .and_then(|rest| memchr::memmem::find(rest, HEADER.as_bytes()))
    {
        let cut = start + piece_bytes + offset + 1;
        pieces.push(&text[start..cut]);
        start = cut;
    }
    pieces.push(&text[start..]);
    pieces
}

/// The fast path for the lockfiles Cargo writes today (`version = 3` or `4`): one TOML parse
/// into borrowed strings, dependencies resolved through a name index. `cargo-lock` resolves
/// each short-form dependency by scanning every package (quadratic: 55 s at 100,000
/// packages) and builds owned values first. Anything this path does not handle exactly as
/// `cargo-lock` would (another version, `[root]`, `[patch]`, `replace`, a dependency naming
/// its source, an unknown name, a value that does not parse) returns `None`, and the
/// `cargo-lock` path gives the result and the errors it always gave. Returns the format
/// version, the packages and the number of `[[package]]` entries.
fn parse_borrowed(text: &str, headers: &Headers) -> Option<(u32, Vec<LockedPackage>, usize)> {
    let lockfile = parse_document(text)?;
    let version = lockfile.version.filter(|v| (3..=4).contains(v))?;
    if lockfile.root.is_some() || lockfile.patch.is_some() {
        return None;
    }
    let lines_known = headers.packages.len() == lockfile.package.len();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut versions = Vec::with_capacity(lockfile.package.len());
    for (index, package) in lockfile.package.iter().enumerate() {
        if package.replace.is_some() || cargo_lock::Name::from_str(&package.name).is_err() {
            return None;
        }
        // `cargo-lock` keeps versions as semver values: their text is the canonical form.
        versions.push(semver::Version::parse(&package.version).ok()?.to_string());
        by_name.entry(&package.name).or_default().push(index);
    }
    let mut sources: HashMap<&str, SourceId> = HashMap::new();
    let mut packages = Vec::with_capacity(lockfile.package.len());
    for (index, package) in lockfile.package.iter().enumerate() {
        let source = match package.source.as_deref() {
            None => None,
            Some(url) => match sources.get(url) {
                Some(source) => Some(source.clone()),
                None => {
                    let source = SourceId::from_url(url).ok()?;
                    sources.insert(url, source.clone());
                    Some(source)
                }
            },
        };
        let checksum = match package.checksum.as_deref() {
            None => None,
            Some(hex) => Some(cargo_lock::package::Checksum::from_str(hex).ok()?),
        };
        let mut dependencies = Vec::with_capacity(package.dependencies.len());
        for dependency in &package.dependencies {
            let mut parts = dependency.split_whitespace();
            let name = parts.next()?;
            let wanted = match parts.next() {
                Some(version) => Some(semver::Version::parse(version).ok()?.to_string()),
                None => None,
            };
            if parts.next().is_some() || cargo_lock::Name::from_str(name).is_err() {
                return None;
            }
            // The first entry of that name (and version), in file order, as `cargo-lock` picks.
            let target = by_name.get(name)?.iter().copied().find(|&candidate| {
                wanted
                    .as_deref()
                    .is_none_or(|version| versions[candidate] == version)
            })?;
            dependencies.push(target);
        }
        dependencies.sort_unstable();
        dependencies.dedup();
        packages.push(LockedPackage {
            name: package.name.to_string(),
            version: versions[index].clone(),
            source,
            checksum: checksum
                .as_ref()
                .and_then(|c| c.as_sha256())
                .map(hex::encode),
            dependencies,
            line: if lines_known {
                headers.packages.get(index).copied()
            } else {
                None
            },
        });
    }
    let entries = packages.len();
    Some((version, packages, entries))
}

/// Every lockfile version through the `cargo-lock` crate, with exact lines for errors.
fn parse_with_cargo_lock(
    path: &Path,
    text: &str,
    headers: &Headers,
) -> Result<(u32, Vec<LockedPackage>, usize), IngestError> {
    let lockfile = Lockfile::from_str(text).map_err(|error| {
        // Only on failure: check the shape with serde for an exact line (a second TOML parse
        // would cost as much as the first on every good lockfile).
        if let Err(shape_error) = toml::from_str::<Shape>(text) {
            let line = shape_error
                .span()
                .map(|span| crate::ingest::line_column(text, span.start).0);
            return IngestError::parse(
                path,
                line,
                format!("invalid lockfile: {}", first_line(shape_error.message())),
            );
        }
        let message = error.to_string();
        let line = line_of_lock_error(text, &message);
        IngestError::parse(path, line, format!("invalid lockfile: {message}"))
    })?;
    let mut entries: Vec<(&cargo_lock::Package, Option<u32>)> = lockfile
        .packages
        .iter()
        .enumerate()
        .map(|(index, package)| (package, headers.packages.get(index).copied()))
        .collect();
    // Headers and packages only correspond one to one when the text scan saw exactly the
    // entries serde saw; otherwise lines would be wrong, so give none.
    if headers.packages.len() != lockfile.packages.len() {
        for entry in &mut entries {
            entry.1 = None;
        }
    }
    if let Some(root) = &lockfile.root {
        entries.push((root, headers.root));
    }

    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, (package, _)) in entries.iter().enumerate() {
        by_name
            .entry(package.name.as_str())
            .or_default()
            .push(index);
    }
    let mut packages = Vec::with_capacity(entries.len());
    for (index, (package, line)) in entries.iter().enumerate() {
        let mut dependencies = Vec::with_capacity(package.dependencies.len());
        for dependency in &package.dependencies {
            let candidates = by_name
                .get(dependency.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let found = candidates.iter().copied().find(|&candidate| {
                let (other, _) = entries[candidate];
                other.version == dependency.version
                    && match &dependency.source {
                        Some(source) => other.source.as_ref() == Some(source),
                        None => true,
                    }
            });
            match found {
                Some(target) => dependencies.push(target),
                None => {
                    let dependency_line = entry_range(headers, index, text)
                        .and_then(|range| {
                            let name = dependency.name.as_str();
                            let version = &dependency.version;
                            find_line_in(text, range, &format!("\"{name} {version}"))
                                .or_else(|| find_line_in(text, range, &format!("\"{name}\"")))
                        })
                        .or(*line);
                    return Err(IngestError::parse(
                        path,
                        dependency_line,
                        format!(
                            "`{} {}` depends on `{dependency}`, which is not in the lockfile",
                            package.name, package.version
                        ),
                    ));
                }
            }
        }
        dependencies.sort_unstable();
        dependencies.dedup();
        packages.push(LockedPackage {
            name: package.name.as_str().to_string(),
            version: package.version.to_string(),
            source: package.source.clone(),
            checksum: package
                .checksum
                .as_ref()
                .and_then(|c| c.as_sha256())
                .map(hex::encode),
            dependencies,
            line: *line,
        });
    }
    // A v1 `[root]` comes last and is no `[[package]]` entry.
    Ok((lockfile.version as u32, packages, lockfile.packages.len()))
}

/// See [`ParsedLockfile::bare_tail`].
fn bare_tail(text: &str, headers: &Headers, count: usize) -> Option<usize> {
    let last = *headers.packages.last()?;
    if headers.packages.len() != count {
        return None;
    }
    let rest: Vec<&str> = text
        .lines()
        .skip(last as usize - 1)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let bare =
        rest.len() == 3 && rest[1].starts_with("name = ") && rest[2].starts_with("version = ");
    bare.then(|| count - 1)
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Lines of the `[[package]]` headers in order, and of a v1 `[root]` table.
struct Headers {
    packages: Vec<u32>,
    root: Option<u32>,
    /// The first table header that is no Cargo.lock section, with its line: a damaged
    /// `[[package]]` (`[[pcckage]]`) would otherwise drop its entry without a word.
    unknown: Option<(u32, String)>,
}

/// The tables a Cargo.lock holds, in every format version.
const SECTIONS: &[&str] = &["package", "root", "metadata", "patch", "patch.unused"];

/// A light text scan for table headers: `cargo-lock` keeps no spans, and lockfiles are
/// machine-written with one header per line, so this is exact for every real lockfile.
fn header_lines(text: &str) -> Headers {
    let mut packages = Vec::new();
    let mut root = None;
    let mut unknown = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed == "[[package]]" {
            packages.push(index as u32 + 1);
        } else if trimmed == "[root]" {
            root = Some(index as u32 + 1);
        } else if unknown.is_none()
            && line.starts_with('[')
            && let Some(name) = trimmed
                .strip_suffix(']')
                .map(|header| header.trim_matches(['[', ']']).trim())
            && !SECTIONS.contains(&name)
        {
            unknown = Some((index as u32 + 1, trimmed.to_string()));
        }
    }
    Headers {
        packages,
        root,
        unknown,
    }
}

/// The line range (1-based, end exclusive) of entry `index`.
fn entry_range(headers: &Headers, index: usize, text: &str) -> Option<(u32, u32)> {
    let end_of_file = text.lines().count() as u32 + 1;
    if index < headers.packages.len() {
        let start = headers.packages[index];
        let end = headers
            .packages
            .get(index + 1)
            .copied()
            .unwrap_or(end_of_file);
        Some((start, end))
    } else {
        headers.root.map(|start| {
            let end = headers
                .packages
                .iter()
                .copied()
                .find(|l| *l > start)
                .unwrap_or(end_of_file);
            (start, end)
        })
    }
}

/// First 1-based line in `range` containing `needle`.
fn find_line_in(text: &str, range: (u32, u32), needle: &str) -> Option<u32> {
    text.lines()
        .enumerate()
        .skip(range.0 as usize - 1)
        .take((range.1 - range.0) as usize)
        .find(|(_, line)| line.contains(needle))
        .map(|(index, _)| index as u32 + 1)
}

/// Recovers a line for a `cargo-lock` error: from toml's "at line N" text, or for an
/// unresolvable short-form dependency, the first line naming it.
fn line_of_lock_error(text: &str, message: &str) -> Option<u32> {
    if let Some(rest) = message.split("at line ").nth(1) {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(line) = digits.parse() {
            return Some(line);
        }
    }
    if let Some(name) = message.split("couldn't resolve dependency: ").nth(1) {
        let name = name.trim();
        let quoted = format!("\"{name}\"");
        let spaced = format!("\"{name} ");
        return text
            .lines()
            .position(|line| {
                let line = line.trim_start();
                !line.starts_with("name") && (line.contains(&quoted) || line.contains(&spaced))
            })
            .map(|index| index as u32 + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde",
 "rand 0.8.5",
 "rand 0.7.3",
]

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "6a6b1679d49b24bbfe0c803429aa1874472f50d9b363131f0e89fc356b544d03"

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "34af8d1a0e25924bc5b7c43c7ce4d5e1b3d1e9a4f7f3f2a4fb2eb3d2d7b9a0c1"

[[package]]
name = "serde"
version = "1.0.200"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"
"#;

    #[test]
    fn resolves_ambiguous_names_and_lines() {
        let parsed = parse(Path::new("Cargo.lock"), V3).unwrap();
        assert_eq!(parsed.version, 3);
        assert_eq!(parsed.packages.len(), 4);
        assert_eq!(parsed.packages[0].dependencies, vec![1, 2, 3]);
        assert_eq!(parsed.packages[0].line, Some(3));
        assert_eq!(parsed.packages[3].line, Some(24));
        assert!(parsed.packages[1].checksum.is_some());
    }

    #[test]
    fn the_borrowed_parse_agrees_with_cargo_lock_or_steps_aside() {
        let path = Path::new("Cargo.lock");
        let headers = header_lines(V3);
        let fast = parse_borrowed(V3, &headers).unwrap();
        let reference = parse_with_cargo_lock(path, V3, &headers).unwrap();
        assert_eq!(format!("{fast:?}"), format!("{reference:?}"));
        // A dependency naming its source, or a file without `version`, goes through cargo-lock.
        let sourced = V3.replace(
            "\"rand 0.8.5\"",
            "\"rand 0.8.5 (registry+https://github.com/rust-lang/crates.io-index)\"",
        );
        assert!(parse_borrowed(&sourced, &header_lines(&sourced)).is_none());
        assert_eq!(
            parse(path, &sourced).unwrap().packages[0].dependencies,
            [1, 2, 3]
        );
        let unversioned = V3.replace("version = 3\n", "");
        assert!(parse_borrowed(&unversioned, &header_lines(&unversioned)).is_none());
        // An unknown dependency: the cargo-lock path reports it with its line.
        let unknown = V3.replace("\"serde\",", "\"serde_json\",");
        assert!(parse_borrowed(&unknown, &header_lines(&unknown)).is_none());
        assert!(parse(path, &unknown).is_err());
    }

    #[test]
    fn missing_dependency_names_its_line() {
        let text = V3.replace("\"rand 0.7.3\"", "\"rand 0.6.0\"");
        let error = parse(Path::new("Cargo.lock"), &text).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("line 9"), "{message}");
        assert!(message.contains("rand 0.6.0"), "{message}");
    }

    #[test]
    fn wrong_type_names_its_line() {
        let text = V3.replace("version = \"1.0.200\"", "version = 1");
        let error = parse(Path::new("Cargo.lock"), &text).unwrap_err();
        assert!(error.to_string().contains("line 26"), "{error}");
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    /// A v4 lockfile of `count` made-up registry packages, each depending on the next.
    fn lockfile(count: usize) -> String {
        let mut text = String::from(
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"crate-0\"]\n",
        );
        for index in 0..count {
            text.push_str(&format!(
                "\n[[package]]\nname = \"crate-{index}\"\nversion = \"1.0.{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{index:064x}\"\n",
                index % 5
            ));
            if index + 1 < count {
                text.push_str(&format!("dependencies = [\"crate-{}\"]\n", index + 1));
            }
        }
        text
    }

    fn summary(lockfile: &BorrowedLockfile<'_>) -> Vec<(String, String, Vec<String>)> {
        lockfile
            .package
            .iter()
            .map(|p| {
                (
                    p.name.to_string(),
                    p.version.to_string(),
                    p.dependencies.iter().map(ToString::to_string).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_large_lockfile_parsed_in_pieces_is_the_whole_file() {
        let text = lockfile(40_000);
        let pieces = package_pieces(&text, PIECE_BYTES);
        assert!(pieces.len() > 4, "{} pieces", pieces.len());
        assert_eq!(pieces.concat(), text);
        assert!(
            pieces[1..]
                .iter()
                .all(|piece| piece.starts_with("[[package]]\n"))
        );
        let whole: BorrowedLockfile<'_> = toml::from_str(&text).unwrap();
        let parsed = parse_document(&text).unwrap();
        assert_eq!(parsed.version, Some(4));
        assert_eq!(summary(&parsed), summary(&whole));
        // What only the start may hold, found further on: parsed the whole way.
        let moved = format!("{text}\n[root]\nname = \"x\"\nversion = \"1.0.0\"\n");
        assert_eq!(package_pieces(&moved, PIECE_BYTES).len(), 1);
        assert!(parse_document(&moved).is_some_and(|whole| whole.root.is_some()));
        // A table twice, in two pieces: each piece alone would parse, the whole file does not.
        let twice = text
            .replacen(
                "[[package]]\nname = \"crate-100\"",
                "[metadata]\n[[package]]\nname = \"crate-100\"",
                1,
            )
            .replacen(
                "[[package]]\nname = \"crate-39000\"",
                "[metadata]\n[[package]]\nname = \"crate-39000\"",
                1,
            );
        assert_ne!(twice, text);
        assert!(parse_document(&twice).is_none());
        // A multi-line string may hold a header line: never cut.
        let string = text.replacen("version = \"1.0.0\"", "version = \"\"\"1.0.0\"\"\"", 1);
        assert_eq!(package_pieces(&string, PIECE_BYTES).len(), 1);
        // Wherever a cut point falls, inside a character too, pieces start at headers.
        let accented = lockfile(30).replace("version = \"1.0.", "version = \"ééé1.0.");
        for piece_bytes in 1..=64 {
            let pieces = package_pieces(&accented, piece_bytes);
            assert!(pieces.len() > 1);
            assert_eq!(pieces.concat(), accented);
            assert!(
                pieces[1..]
                    .iter()
                    .all(|piece| piece.starts_with("[[package]]\n"))
            );
        }
        // Damage in any piece fails the parse, as it fails the whole file.
        let damaged = text.replacen("name = \"crate-39000\"", "name = crate-39000", 1);
        assert!(parse_document(&damaged).is_none());
    }
}
