//! Stage 1, ingest: helpers shared by the JavaScript lockfile parsers (npm, yarn, pnpm).
//!
//! In: pieces of lockfile entries (names, `resolved` URLs, `integrity` strings) and the
//! `package.json` manifests beside a lockfile. Out: purls, sources, hashes, and a
//! [`JsBuilder`] that collects packages (one per identity per lockfile) and edges.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use base64::Engine;
use serde::Deserialize;

use super::IngestError;
use crate::inventory::{
    DepKind, Ecosystem, Edge, Hash, HashAlgorithm, Inventory, LicenseInfo, LicenseOrigin, Location,
    Package, PackageId, PackageKind, Scope, Source,
};

/// The default npm registry; `registry.yarnpkg.com` is a mirror of it.
pub(crate) const NPM_REGISTRY: &str = "https://registry.npmjs.org";

/// `pkg:npm/%40scope/name@version`, built with the packageurl crate for correct encoding.
pub(crate) fn npm_purl(name: &str, version: &str) -> Option<String> {
    let (namespace, short) = match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some((scope, short)) => (Some(format!("@{scope}")), short),
        None => (None, name),
    };
    let mut purl = packageurl::PackageUrl::new("npm", short).ok()?;
    if let Some(namespace) = namespace {
        purl.with_namespace(namespace);
    }
    purl.with_version(version);
    Some(purl.to_string())
}

/// Decodes an SRI `integrity` string (`sha512-BASE64 sha1-BASE64`) into hex hashes.
/// Unknown algorithms are skipped. A known algorithm whose digest does not decode to its
/// length is an error: that is what a lockfile cut inside the value looks like, and a
/// dropped hash would go unnoticed.
pub(crate) fn integrity_hashes(integrity: &str) -> Result<Vec<Hash>, String> {
    let mut hashes = Vec::new();
    for part in integrity.split_whitespace() {
        let Some((algorithm, value)) = part.split_once('-') else {
            continue;
        };
        let (kind, length) = match algorithm {
            "sha512" => (HashAlgorithm::Sha512, 64),
            "sha384" => (HashAlgorithm::Sha384, 48),
            "sha256" => (HashAlgorithm::Sha256, 32),
            "sha1" => (HashAlgorithm::Sha1, 20),
            _ => continue,
        };
        // SRI allows `?options` after the digest.
        let value = value.split('?').next().unwrap_or_default();
        match base64::engine::general_purpose::STANDARD.decode(value) {
            Ok(bytes) if bytes.len() == length => hashes.push(Hash {
                algorithm: kind,
                value: hex::encode(bytes),
            }),
            _ => {
                return Err(format!(
                    "`integrity` `{part}` is not a whole {algorithm} digest ({length} bytes in base64): the value is cut short or corrupt"
                ));
            }
        }
    }
    Ok(hashes)
}

/// The hashes of an entry's `integrity` (none when it has none), or an error at its line.
pub(crate) fn entry_hashes(
    path: &Path,
    line: Option<u32>,
    integrity: Option<&str>,
) -> Result<Vec<Hash>, IngestError> {
    match integrity {
        Some(integrity) => {
            integrity_hashes(integrity).map_err(|message| IngestError::parse(path, line, message))
        }
        None => Ok(Vec::new()),
    }
}

/// A dependency the lockfile names but has no entry for. The package manager writes every
/// entry it references, so the file is incomplete (cut short or edited by hand): reading on
/// would drop the missing packages, and whatever they depend on, without a word.
pub(crate) fn missing_entry(
    path: &Path,
    line: Option<u32>,
    from: &str,
    reference: &str,
) -> IngestError {
    IngestError::parse(
        path,
        line,
        format!(
            "`{from}` depends on `{reference}`, which has no entry in the lockfile: the lockfile is incomplete (cut short or edited by hand); regenerate it with the package manager"
        ),
    )
}

/// True when a resolved URL or reference names a git repository.
pub(crate) fn is_git_reference(reference: &str) -> bool {
    reference.starts_with("git+")
        || reference.starts_with("git://")
        || reference.starts_with("github:")
        || reference.starts_with("gitlab:")
        || reference.starts_with("bitbucket:")
        || reference.contains(".git#")
        || reference.ends_with(".git")
        || reference.starts_with("https://codeload.github.com/")
        || reference.contains("#commit=")
}

/// A git source from `git+ssh://git@github.com/a/b.git#sha` and the like.
pub(crate) fn git_source(reference: &str) -> Source {
    let without_prefix = reference.strip_prefix("git+").unwrap_or(reference);
    let (url, fragment) = match without_prefix.split_once('#') {
        Some((url, fragment)) => (url, Some(fragment)),
        None => (without_prefix, None),
    };
    // codeload tarballs carry the commit as the last path segment.
    if let Some(rest) = url.strip_prefix("https://codeload.github.com/") {
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.len() >= 4 {
            return Source::Git {
                url: format!("https://github.com/{}/{}", parts[0], parts[1]),
                commit: Some(parts[parts.len() - 1].to_string()),
                reference: None,
            };
        }
    }
    let url = url.split('?').next().unwrap_or(url);
    let fragment = fragment.map(|f| f.strip_prefix("commit=").unwrap_or(f));
    let commit = fragment
        .filter(|f| f.len() == 40 && f.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let reference = fragment.filter(|_| commit.is_none()).map(str::to_string);
    Source::Git {
        url: url.to_string(),
        commit,
        reference,
    }
}

/// The source named by an npm/yarn `resolved` URL: the default registry, another registry, or git.
pub(crate) fn source_from_resolved(resolved: &str) -> Source {
    if is_git_reference(resolved) {
        return git_source(resolved);
    }
    if let Some(rest) = resolved
        .strip_prefix("https://")
        .or_else(|| resolved.strip_prefix("http://"))
    {
        let host = rest.split('/').next().unwrap_or_default();
        if host == "registry.npmjs.org" || host == "registry.yarnpkg.com" {
            return Source::Registry {
                url: NPM_REGISTRY.to_string(),
                default: true,
            };
        }
        // Private registries serve tarballs at `<registry>/<name>/-/<file>.tgz`.
        let url = match resolved.find("/-/") {
            Some(index) => {
                let before = &resolved[..index];
                // Strip the package name (one or two segments for scoped names).
                let mut segments: Vec<&str> = before.split('/').collect();
                let scoped = segments.len() >= 2 && segments[segments.len() - 2].starts_with('@');
                segments.truncate(segments.len().saturating_sub(if scoped { 2 } else { 1 }));
                segments.join("/")
            }
            None => format!("{}//{host}", &resolved[..resolved.find("//").unwrap_or(0)]),
        };
        return Source::Registry {
            url,
            default: false,
        };
    }
    if let Some(path) = resolved.strip_prefix("file:") {
        return Source::Path {
            path: path.to_string(),
        };
    }
    Source::Unknown
}

/// Splits `name@range` (scoped names keep their leading `@`).
pub(crate) fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let start = usize::from(descriptor.starts_with('@'));
    let at = descriptor[start..].find('@')? + start;
    Some((&descriptor[..at], &descriptor[at + 1..]))
}

/// Decodes `%XX` escapes (yarn Berry encodes `patch:` inner descriptors and locators).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && bytes[index + 1].is_ascii_hexdigit()
            && bytes[index + 2].is_ascii_hexdigit()
        {
            let high = (bytes[index + 1] as char).to_digit(16).unwrap_or(0) as u8;
            let low = (bytes[index + 2] as char).to_digit(16).unwrap_or(0) as u8;
            out.push(high * 16 + low);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parts of a `package.json` that decide roots and dev scope.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Manifest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub dependencies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub dev_dependencies: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "lenient_map")]
    pub optional_dependencies: BTreeMap<String, String>,
    #[serde(default)]
    pub workspaces: Option<Workspaces>,
    /// yarn `resolutions` (forced versions), keyed by name or `parent/name` pattern.
    #[serde(default, deserialize_with = "lenient_map")]
    pub resolutions: BTreeMap<String, String>,
}

/// `workspaces` is either a list of globs or `{ "packages": [...] }` (yarn v1).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Workspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

impl Manifest {
    /// The workspace globs, in order.
    pub fn workspace_patterns(&self) -> Vec<String> {
        match &self.workspaces {
            Some(Workspaces::List(list)) => list.clone(),
            Some(Workspaces::Object { packages }) => packages.clone(),
            None => Vec::new(),
        }
    }

    /// The forced range for `name@range` from `resolutions`: keys may be the descriptor
    /// itself (`name@npm:^1`), the name, or a `parent/name` / `**/name` pattern.
    pub fn resolution_for(&self, name: &str, range: &str) -> Option<&str> {
        let descriptor = format!("{name}@{range}");
        let suffix = format!("/{name}");
        self.resolutions
            .get(&descriptor)
            .or_else(|| self.resolutions.get(name))
            .or_else(|| {
                self.resolutions
                    .iter()
                    .find(|(pattern, _)| pattern.ends_with(&suffix))
                    .map(|(_, forced)| forced)
            })
            .map(String::as_str)
    }

    /// Every declared dependency with the edge kind and optional flag it implies.
    /// A name in both `dependencies` and `devDependencies` counts as normal.
    pub fn declared(&self) -> Vec<(String, String, DepKind, bool)> {
        let mut out = Vec::new();
        for (name, range) in &self.dependencies {
            out.push((name.clone(), range.clone(), DepKind::Normal, false));
        }
        for (name, range) in &self.optional_dependencies {
            if !self.dependencies.contains_key(name) {
                out.push((name.clone(), range.clone(), DepKind::Normal, true));
            }
        }
        for (name, range) in &self.dev_dependencies {
            if !self.dependencies.contains_key(name)
                && !self.optional_dependencies.contains_key(name)
            {
                out.push((name.clone(), range.clone(), DepKind::Dev, false));
            }
        }
        out
    }
}

/// Accepts a map of strings, dropping non-string values (some manifests carry odd values).
fn lenient_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    let mut out = BTreeMap::new();
    if let serde_json::Value::Object(map) = value {
        for (key, value) in map {
            if let serde_json::Value::String(text) = value {
                out.insert(key, text);
            }
        }
    }
    Ok(out)
}

/// Reads `dir/package.json` when it exists; a malformed manifest is an error naming it.
pub(crate) fn read_manifest(dir: &Path) -> Result<Option<(PathBuf, Manifest)>, IngestError> {
    let path = dir.join("package.json");
    if !path.is_file() {
        return Ok(None);
    }
    let text = super::read_text(&path)?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| super::support::json_error(&path.clone(), &e, "invalid `package.json`"))?;
    Ok(Some((path, manifest)))
}

/// Expands `workspaces` globs to member directories (relative, `/`-separated, sorted) that
/// hold a `package.json`. Members that are not on disk cannot be found and are not listed.
pub(crate) fn expand_workspaces(dir: &Path, patterns: &[String]) -> Vec<String> {
    let mut builder = globset::GlobSetBuilder::new();
    let mut negated = globset::GlobSetBuilder::new();
    for pattern in patterns {
        let (target, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (&mut negated, rest),
            None => (&mut builder, pattern.as_str()),
        };
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        if let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        {
            target.add(glob);
        }
    }
    let (Ok(set), Ok(negated)) = (builder.build(), negated.build()) else {
        return Vec::new();
    };
    let mut members = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .max_depth(Some(6))
        .hidden(true)
        .filter_entry(|entry| entry.file_name() != "node_modules")
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if relative.is_empty() {
            continue;
        }
        if set.is_match(&relative)
            && !negated.is_match(&relative)
            && entry.path().join("package.json").is_file()
        {
            members.push(relative);
        }
    }
    members.sort();
    members
}

/// Everything about one third-party package entry.
pub(crate) struct ThirdParty {
    pub name: String,
    pub version: String,
    pub source: Source,
    pub line: Option<u32>,
    pub hashes: Vec<Hash>,
    pub license: Option<String>,
    pub scope: Scope,
}

/// Collects one lockfile's packages, one per identity, and its edges.
pub(crate) struct JsBuilder {
    pub inventory: Inventory,
    pub file: PathBuf,
    identities: HashMap<(String, String, String), PackageId>,
    locals: HashMap<String, PackageId>,
}

impl JsBuilder {
    /// A builder for packages found in `file`.
    pub fn new(file: &Path) -> Self {
        Self {
            inventory: Inventory::new(),
            file: file.to_path_buf(),
            identities: HashMap::new(),
            locals: HashMap::new(),
        }
    }

    fn location(&self, line: Option<u32>) -> Location {
        Location {
            file: self.file.clone(),
            line,
        }
    }

    /// Adds (or finds) a third-party package. The same name, version and source seen again
    /// (npm nesting, pnpm peer variants, yarn patches) is the same package: one entry.
    pub fn third_party(&mut self, entry: ThirdParty) -> PackageId {
        let key = (
            entry.name.clone(),
            entry.version.clone(),
            entry.source.display(),
        );
        if let Some(&id) = self.identities.get(&key) {
            let package = self.inventory.package_mut(id);
            for hash in entry.hashes {
                if !package.hashes.contains(&hash) {
                    package.hashes.push(hash);
                }
            }
            if package.license.is_none()
                && let Some(expression) = entry.license
            {
                package.license = Some(lockfile_license(expression, &self.file));
            }
            package.scope = package.scope.min(entry.scope);
            return id;
        }
        let mut package = Package::new(
            Ecosystem::Npm,
            &entry.name,
            &entry.version,
            self.location(entry.line),
        );
        // Git and arbitrary tarball sources are not the registry package of that name:
        // a registry purl would match registry advisories that may not apply.
        package.purl = match &entry.source {
            Source::Registry { .. } | Source::Unknown => npm_purl(&entry.name, &entry.version),
            Source::Git { .. } | Source::Path { .. } => None,
        };
        package.source = entry.source;
        package.scope = entry.scope;
        package.hashes = entry.hashes;
        package.license = entry
            .license
            .map(|expression| lockfile_license(expression, &self.file));
        let id = self.inventory.add_package(package);
        self.identities.insert(key, id);
        id
    }

    /// Adds (or finds, by path) a root or local package: no purl, `Source::Path`.
    pub fn local(
        &mut self,
        name: &str,
        version: &str,
        path: &str,
        kind: PackageKind,
        line: Option<u32>,
    ) -> PackageId {
        if let Some(&id) = self.locals.get(path) {
            if kind == PackageKind::Root {
                self.inventory.package_mut(id).kind = PackageKind::Root;
                self.inventory.add_root(id);
            }
            return id;
        }
        let mut package = Package::new(Ecosystem::Npm, name, version, self.location(line));
        package.kind = kind;
        package.source = Source::Path {
            path: path.to_string(),
        };
        let directory = self.file.parent().unwrap_or(Path::new(".")).join(path);
        package.local_dir = Some(crate::util::normalize_path(&directory));
        let id = self.inventory.add_package(package);
        self.locals.insert(path.to_string(), id);
        if kind == PackageKind::Root {
            self.inventory.add_root(id);
        }
        id
    }

    /// The local package at `path`, if one was added.
    pub fn local_at(&self, path: &str) -> Option<PackageId> {
        self.locals.get(path).copied()
    }

    /// Adds an edge.
    pub fn edge(&mut self, from: PackageId, to: PackageId, kind: DepKind, optional: bool) {
        if from != to {
            self.inventory.add_edge(Edge {
                from,
                to,
                kind,
                optional,
            });
        }
    }

    /// Records that `count` dependencies named in the lockfile had no entry to point to.
    pub fn unresolved(&mut self, count: usize, example: &str) {
        if count > 0 {
            let message = format!(
                "`{}`: {count} dependency reference(s) have no matching lockfile entry (first: `{example}`); those edges are missing",
                self.file.display()
            );
            self.inventory.add_gap("edge-unresolved", message, count);
        }
    }

    /// Finishes: records the input file.
    pub fn finish(mut self, bytes: &[u8], format: String) -> Inventory {
        self.inventory
            .inputs
            .push(super::input_file(&self.file, bytes, format));
        self.inventory
    }
}

fn lockfile_license(expression: String, file: &Path) -> LicenseInfo {
    LicenseInfo {
        expression,
        origin: LicenseOrigin::Lockfile,
        confidence: 1.0,
        file: Some(file.to_path_buf()),
    }
}

/// Joins a relative `/`-path onto a base path, resolving `.` and `..` textually.
pub(crate) fn join_relative(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        base.split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A name for a root with no `name` (the directory's name, or `root`).
pub(crate) fn directory_name(dir: &Path) -> String {
    dir.canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "root".to_string())
}

/// Strips one pair of surrounding single or double quotes (YAML keys, yarn v1 tokens).
pub(crate) fn unquote(text: &str) -> String {
    let text = text.trim();
    if text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')))
    {
        let inner = &text[1..text.len() - 1];
        if text.starts_with('"') && inner.contains('\\') {
            return serde_json::from_str::<String>(text).unwrap_or_else(|_| inner.to_string());
        }
        if text.starts_with('\'') {
            return inner.replace("''", "'");
        }
        return inner.to_string();
    }
    text.to_string()
}

/// A key without a value anywhere in a pnpm or yarn Berry lockfile, as an error. Neither
/// tool ever writes one (an empty list or map is left out or written `{}`), but a file cut
/// right after a `key:` line parses as exactly that: whatever was under it is lost.
pub(crate) fn reject_empty_keys(
    path: &Path,
    document: &serde_yaml_ng::Value,
    lines: &HashMap<(String, String), u32>,
    tool: &str,
) -> Result<(), IngestError> {
    fn first_null(value: &serde_yaml_ng::Value, trail: &mut Vec<String>) -> bool {
        match value {
            serde_yaml_ng::Value::Null => true,
            serde_yaml_ng::Value::Mapping(mapping) => mapping.iter().any(|(key, value)| {
                trail.push(yaml_text(key).unwrap_or_default());
                let found = first_null(value, trail);
                if !found {
                    trail.pop();
                }
                found
            }),
            serde_yaml_ng::Value::Sequence(items) => {
                items.iter().any(|item| first_null(item, trail))
            }
            _ => false,
        }
    }
    let mut trail = Vec::new();
    if !first_null(document, &mut trail) {
        return Ok(());
    }
    let line = match trail.as_slice() {
        [] => None,
        [top] => lines.get(&(String::new(), top.clone())).copied(),
        [top, second, ..] => lines
            .get(&(top.clone(), second.clone()))
            .or_else(|| lines.get(&(String::new(), top.clone())))
            .copied(),
    };
    Err(IngestError::parse(
        path,
        line,
        format!(
            "`{}` has no value, which {tool} never writes: the lockfile is cut short; regenerate it with {tool}",
            trail.join(" > ")
        ),
    ))
}

/// Lines of the top-level (indent 0) or second-level (indent 2) keys of a YAML-like file,
/// by (section, key). Section is `""` for top-level keys. Used for package locations, since
/// the YAML parser gives values without positions.
pub(crate) fn yaml_key_lines(text: &str) -> HashMap<(String, String), u32> {
    let mut lines = HashMap::new();
    let mut section = String::new();
    for (index, line) in text.lines().enumerate() {
        let number = index as u32 + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent != 0 && indent != 2 {
            continue;
        }
        let Some(key) = yaml_key(line.trim()) else {
            continue;
        };
        if indent == 0 {
            section = key.clone();
            lines.entry((String::new(), key)).or_insert(number);
        } else {
            lines.entry((section.clone(), key)).or_insert(number);
        }
    }
    lines
}

/// The key of a `key:` or `key: value` line, unquoted.
fn yaml_key(line: &str) -> Option<String> {
    if line.starts_with('"') || line.starts_with('\'') {
        let quote = line.chars().next()?;
        let mut escaped = false;
        for (index, character) in line.char_indices().skip(1) {
            if escaped {
                escaped = false;
            } else if character == '\\' && quote == '"' {
                escaped = true;
            } else if character == quote {
                // '' inside single quotes is an escaped quote.
                if quote == '\'' && line[index + 1..].starts_with('\'') {
                    continue;
                }
                let rest = &line[index + 1..];
                return rest.starts_with(':').then(|| unquote(&line[..=index]));
            }
        }
        return None;
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(|s| s.len()))?;
    Some(line[..colon].to_string())
}

/// A YAML scalar as text (versions like `1.0` may be read as numbers).
pub(crate) fn yaml_text(value: &serde_yaml_ng::Value) -> Option<String> {
    match value {
        serde_yaml_ng::Value::String(text) => Some(text.clone()),
        serde_yaml_ng::Value::Number(number) => Some(number.to_string()),
        serde_yaml_ng::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Looks up a string-keyed field of a YAML mapping.
pub(crate) fn yaml_get<'a>(
    value: &'a serde_yaml_ng::Value,
    key: &str,
) -> Option<&'a serde_yaml_ng::Value> {
    value.as_mapping()?.get(key)
}

/// A YAML mapping of strings (dependency lists), in file order.
pub(crate) fn yaml_string_map(value: Option<&serde_yaml_ng::Value>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(mapping) = value.and_then(|v| v.as_mapping()) {
        for (key, value) in mapping {
            if let (Some(key), Some(value)) = (yaml_text(key), yaml_text(value)) {
                out.push((key, value));
            }
        }
    }
    out
}

/// Parses a YAML lockfile (`what` names it in errors), refusing flow collections nested
/// deeper than the parser allows before its scanner spends quadratic time on them.
pub(crate) fn yaml_document(
    path: &Path,
    text: &str,
    what: &str,
) -> Result<serde_yaml_ng::Value, IngestError> {
    if let Some((line, column)) = crate::util::yaml_flow_too_deep(text.as_bytes()) {
        return Err(IngestError::Parse {
            path: path.to_path_buf(),
            line: u32::try_from(line).ok(),
            column: u32::try_from(column).ok(),
            message: format!(
                "invalid {what}: collections nested deeper than {} levels",
                crate::util::MAX_YAML_FLOW_DEPTH
            ),
        });
    }
    serde_yaml_ng::from_str(text).map_err(|error| yaml_error(path, &error, what))
}

/// The 1-based line of a YAML error, when it has one.
pub(crate) fn yaml_error(path: &Path, error: &serde_yaml_ng::Error, what: &str) -> IngestError {
    let (line, column) = error
        .location()
        .map(|l| (Some(l.line() as u32), Some(l.column() as u32)))
        .unwrap_or((None, None));
    // The location is said once, by the error's position; serde_yaml_ng repeats it inside
    // the message (`... at line 8 column 8, while parsing ...`).
    let mut message = error.to_string();
    if let (Some(line), Some(column)) = (line, column) {
        message = message.replacen(&format!(" at line {line} column {column}"), "", 1);
    }
    IngestError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message: format!("invalid {what}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_encodes_scope() {
        assert_eq!(
            npm_purl("@babel/core", "7.0.0").as_deref(),
            Some("pkg:npm/%40babel/core@7.0.0")
        );
        assert_eq!(
            npm_purl("left-pad", "1.3.0").as_deref(),
            Some("pkg:npm/left-pad@1.3.0")
        );
    }

    #[test]
    fn integrity_decodes_to_hex() {
        let hashes = integrity_hashes("sha1-qrVrjk0B8J1aIuUtiKr0aPlZuOg=").unwrap();
        assert_eq!(hashes.len(), 1);
        assert_eq!(hashes[0].algorithm, HashAlgorithm::Sha1);
        assert_eq!(hashes[0].value, "aab56b8e4d01f09d5a22e52d88aaf468f959b8e8");
        assert!(integrity_hashes("md5-xyz").unwrap().is_empty());
        // Cut inside the value: too short, or not even base64 any more.
        assert!(integrity_hashes("sha1-qrVrjk0B8J1aIuUtiKr0aPlZ").is_err());
        assert!(integrity_hashes("sha1-qrVrjk0B8J1aIuUtiKr0aPlZu").is_err());
    }

    #[test]
    fn resolved_sources() {
        assert_eq!(
            source_from_resolved("https://registry.yarnpkg.com/a/-/a-1.0.0.tgz"),
            Source::Registry {
                url: NPM_REGISTRY.to_string(),
                default: true
            }
        );
        assert_eq!(
            source_from_resolved("https://npm.example.com/repo/@s/a/-/a-1.0.0.tgz"),
            Source::Registry {
                url: "https://npm.example.com/repo".to_string(),
                default: false
            }
        );
        assert_eq!(
            source_from_resolved(
                "git+ssh://git@github.com/a/b.git#0123456789abcdef0123456789abcdef01234567"
            ),
            Source::Git {
                url: "ssh://git@github.com/a/b.git".to_string(),
                commit: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
                reference: None
            }
        );
    }

    #[test]
    fn descriptors_and_paths() {
        assert_eq!(split_descriptor("@a/b@^1"), Some(("@a/b", "^1")));
        assert_eq!(split_descriptor("x@npm:y@^2"), Some(("x", "npm:y@^2")));
        assert_eq!(join_relative("packages/a", "../b"), "packages/b");
        assert_eq!(join_relative(".", "./x"), "x");
        assert_eq!(percent_decode("a%40npm%3A1.0"), "a@npm:1.0");
    }

    #[test]
    fn yaml_keys_with_quotes() {
        let lines = yaml_key_lines("packages:\n\n  '@a/b@1.0.0':\n    x: 1\n  c@2.0.0:\n");
        assert_eq!(
            lines.get(&("packages".to_string(), "@a/b@1.0.0".to_string())),
            Some(&3)
        );
        assert_eq!(
            lines.get(&("packages".to_string(), "c@2.0.0".to_string())),
            Some(&5)
        );
    }
}
