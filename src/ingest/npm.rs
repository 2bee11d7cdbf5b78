//! Stage 1, ingest: `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`.
//!
//! In: the lockfile's text (and, for v1, the `package.json` beside it for the root's direct
//! dependencies). Out: an [`Inventory`] with one package per identity, the root and workspace
//! members as roots (no purl), `link`/`file:` entries as local packages, and edges resolved
//! the way npm resolves `require()`: the nearest ancestor `node_modules` first.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::IngestError;
use super::js::{self, JsBuilder, ThirdParty};
use crate::inventory::{DepKind, Inventory, PackageId, PackageKind, Scope, Source};

/// Parses a `package-lock.json` or `npm-shrinkwrap.json` already read as `text`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let document: Value = serde_json::from_str(text)
        .map_err(|e| super::support::json_error(path, &e, "invalid JSON in npm lockfile"))?;
    let Some(object) = document.as_object() else {
        return Err(IngestError::parse(
            path,
            Some(1),
            "npm lockfile must be a JSON object",
        ));
    };
    let version = object
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            IngestError::parse(
                path,
                Some(1),
                "npm lockfile has no numeric `lockfileVersion`",
            )
        })?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let format = format!("{file_name} v{version}");
    let mut builder = JsBuilder::new(path);
    match object.get("packages") {
        Some(Value::Object(packages)) if version >= 2 => {
            let lines = json_key_lines(text, |parent| parent.len() == 1 && parent[0] == "packages");
            parse_packages(&mut builder, path, packages, &lines)?;
        }
        Some(_) if version >= 2 => {
            return Err(IngestError::parse(
                path,
                lines_of_key(text, "packages"),
                "npm lockfile `packages` must be an object",
            ));
        }
        _ => {
            if version >= 2 {
                return Err(IngestError::parse(
                    path,
                    Some(1),
                    format!("npm lockfile v{version} has no `packages` object"),
                ));
            }
            if object.get("dependencies").is_some_and(|d| !d.is_object()) {
                return Err(IngestError::parse(
                    path,
                    lines_of_key(text, "dependencies"),
                    "npm lockfile `dependencies` must be an object",
                ));
            }
            let lines = json_key_lines(text, |parent| {
                parent.len() % 2 == 1 && parent.iter().step_by(2).all(|key| key == "dependencies")
            });
            parse_v1(&mut builder, path, object, &lines)?;
        }
    }
    Ok(builder.finish(text.as_bytes(), format))
}

/// The first line where `"key":` appears, for errors about a top-level key.
fn lines_of_key(text: &str, key: &str) -> Option<u32> {
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|line| line.contains(&needle))
        .map(|index| index as u32 + 1)
}

/// Lockfile v2/v3: the flat `packages` map keyed by install path.
fn parse_packages(
    builder: &mut JsBuilder,
    path: &Path,
    packages: &Map<String, Value>,
    lines: &HashMap<String, u32>,
) -> Result<(), IngestError> {
    let line_of = |key: &str| lines.get(&join_path(&["packages", key])).copied();
    let root_entry = packages.get("").and_then(Value::as_object);
    let workspace_patterns: Vec<String> = root_entry
        .and_then(|r| r.get("workspaces"))
        .map(workspace_list)
        .unwrap_or_default();
    let workspaces = glob_set(&workspace_patterns);
    let lockfile_dir = path.parent().unwrap_or(Path::new("."));

    // Pass 1: one package per entry (links are recorded and followed in pass 2).
    let mut ids: HashMap<&str, PackageId> = HashMap::new();
    let mut links: Vec<(&str, String)> = Vec::new();
    for (key, entry) in packages {
        let Some(entry) = entry.as_object() else {
            return Err(IngestError::parse(
                path,
                line_of(key),
                format!("npm lockfile entry `{key}` must be an object"),
            ));
        };
        let line = line_of(key);
        let name_field = string(entry, "name");
        let version_field = string(entry, "version");
        if key.is_empty() {
            let name = name_field.map_or_else(|| js::directory_name(lockfile_dir), str::to_string);
            let id = builder.local(
                &name,
                version_field.unwrap_or("0.0.0"),
                ".",
                PackageKind::Root,
                line,
            );
            ids.insert(key, id);
            continue;
        }
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            let target = string(entry, "resolved").unwrap_or_default().to_string();
            links.push((key, target));
            continue;
        }
        let installed_name = installed_name(key);
        if !key.starts_with("node_modules/") && !key.contains("/node_modules/") {
            // A directory in the project: a workspace member or a `file:` directory.
            let kind = if workspaces.as_ref().is_some_and(|set| set.is_match(key)) {
                PackageKind::Root
            } else {
                PackageKind::Local
            };
            let name = name_field.unwrap_or(installed_name);
            let id = builder.local(name, version_field.unwrap_or("0.0.0"), key, kind, line);
            ids.insert(key, id);
            continue;
        }
        let resolved = string(entry, "resolved");
        // An alias (`"x": "npm:y@1"`) is installed as `x` but is the package `y`.
        let name = name_field.unwrap_or(installed_name);
        let Some(version) = version_field else {
            return Err(IngestError::parse(
                path,
                line,
                format!("npm lockfile entry `{key}` has no `version`"),
            ));
        };
        if let Some(local_path) = resolved.and_then(|r| r.strip_prefix("file:")) {
            // A `file:` tarball or directory: local code, never a registry package.
            let id = builder.local(name, version, local_path, PackageKind::Local, line);
            ids.insert(key, id);
            continue;
        }
        let source = match resolved {
            Some(resolved) => js::source_from_resolved(resolved),
            None if js::is_git_reference(version) => js::git_source(version),
            None => Source::Unknown,
        };
        let license = license_of(entry);
        let id = add_third_party(builder, path, entry, (name, version), source, line, license)?;
        ids.insert(key, id);
    }
    for (key, target) in &links {
        let id = match ids.get(target.as_str()) {
            Some(&id) => id,
            None => {
                // A link to a directory with no entry of its own.
                let kind = if workspaces.as_ref().is_some_and(|set| set.is_match(target)) {
                    PackageKind::Root
                } else {
                    PackageKind::Local
                };
                let id = builder.local(installed_name(key), "0.0.0", target, kind, line_of(key));
                ids.insert(target.as_str(), id);
                id
            }
        };
        ids.insert(key, id);
    }

    // Pass 2: edges.
    let mut unresolved = 0;
    let mut example = String::new();
    for (key, entry) in packages {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let Some(&from) = ids.get(key.as_str()) else {
            continue;
        };
        let is_project = !key.starts_with("node_modules/") && !key.contains("/node_modules/");
        for (name, kind, optional, must_exist) in declared(entry, is_project) {
            match resolve(packages, key, &name) {
                Some(target_key) => {
                    if let Some(&to) = ids.get(target_key) {
                        builder.edge(from, to, kind, optional);
                    }
                }
                None if must_exist => {
                    unresolved += 1;
                    if example.is_empty() {
                        example = format!("{key} -> {name}");
                    }
                }
                None => {}
            }
        }
    }
    builder.unresolved(unresolved, &example);
    Ok(())
}

/// The declared dependencies of an entry: (name, kind, optional, must be installed).
/// `devDependencies` are only listed (and only installed) for the project and its workspaces.
fn declared(entry: &Map<String, Value>, is_project: bool) -> Vec<(String, DepKind, bool, bool)> {
    let mut out: Vec<(String, DepKind, bool, bool)> = Vec::new();
    let mut push = |name: &str, kind: DepKind, optional: bool, must_exist: bool| {
        if !out.iter().any(|(n, ..)| n == name) {
            out.push((name.to_string(), kind, optional, must_exist));
        }
    };
    for name in keys(entry, "dependencies") {
        push(name, DepKind::Normal, false, true);
    }
    for name in keys(entry, "optionalDependencies") {
        // Optional dependencies may be missing on this platform.
        push(name, DepKind::Normal, true, false);
    }
    let peer_meta = entry.get("peerDependenciesMeta").and_then(Value::as_object);
    for name in keys(entry, "peerDependencies") {
        let optional = peer_meta
            .and_then(|m| m.get(name))
            .and_then(|m| m.get("optional"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        // Peers are installed by npm 7+, but may be provided by a parent outside the lock.
        push(name, DepKind::Normal, optional, false);
    }
    if is_project {
        for name in keys(entry, "devDependencies") {
            push(name, DepKind::Dev, false, true);
        }
    }
    out
}

/// npm's lookup: `<from>/node_modules/<name>`, then each ancestor's `node_modules`.
fn resolve<'a>(packages: &'a Map<String, Value>, from: &str, name: &str) -> Option<&'a str> {
    let mut base = from.to_string();
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{base}/node_modules/{name}")
        };
        if let Some((key, _)) = packages.get_key_value(&candidate) {
            return Some(key.as_str());
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(index) => base[..index].to_string(),
            None => String::new(),
        };
    }
}

/// The name a package is installed under: the part after the last `node_modules/`.
fn installed_name(key: &str) -> &str {
    match key.rfind("node_modules/") {
        Some(index) => &key[index + "node_modules/".len()..],
        None => key.rsplit('/').next().unwrap_or(key),
    }
}

/// dev → Dev; optional → Optional; devOptional (dev in one place, optional in another) → Dev.
fn scope_of(entry: &Map<String, Value>) -> Scope {
    let flag = |name: &str| entry.get(name).and_then(Value::as_bool) == Some(true);
    if flag("dev") || flag("devOptional") {
        Scope::Dev
    } else if flag("optional") {
        Scope::Optional
    } else {
        Scope::Runtime
    }
}

/// The `license` field: a string, or the legacy `{ "type": "MIT" }` object.
fn license_of(entry: &Map<String, Value>) -> Option<String> {
    match entry.get("license")? {
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        Value::Object(object) => object.get("type")?.as_str().map(str::to_string),
        _ => None,
    }
}

fn string<'a>(entry: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    entry.get(key).and_then(Value::as_str)
}

fn keys<'a>(entry: &'a Map<String, Value>, key: &str) -> impl Iterator<Item = &'a String> {
    entry
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
}

fn workspace_list(value: &Value) -> Vec<String> {
    let list = match value {
        Value::Array(list) => list,
        Value::Object(object) => match object.get("packages") {
            Some(Value::Array(list)) => list,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    list.iter()
        .filter_map(Value::as_str)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect()
}

fn glob_set(patterns: &[String]) -> Option<globset::GlobSet> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        {
            builder.add(glob);
        }
    }
    builder.build().ok()
}

/// Lockfile v1: nested `dependencies` with `requires`.
fn parse_v1(
    builder: &mut JsBuilder,
    path: &Path,
    object: &Map<String, Value>,
    lines: &HashMap<String, u32>,
) -> Result<(), IngestError> {
    let lockfile_dir = path.parent().unwrap_or(Path::new("."));
    let name =
        string(object, "name").map_or_else(|| js::directory_name(lockfile_dir), str::to_string);
    let root = builder.local(
        &name,
        string(object, "version").unwrap_or("0.0.0"),
        ".",
        PackageKind::Root,
        Some(1),
    );
    let empty = Map::new();
    let top = match object.get("dependencies") {
        Some(Value::Object(map)) => map,
        _ => &empty,
    };
    // Each entry is known by its chain of names from the top (`a` > `b` for a/node_modules/b).
    let mut ids: HashMap<Vec<String>, PackageId> = HashMap::new();
    let mut entries: Vec<(Vec<String>, &Map<String, Value>)> = Vec::new();
    let mut stack: Vec<(Vec<String>, &Map<String, Value>)> = vec![(Vec::new(), top)];
    while let Some((parent, map)) = stack.pop() {
        for (name, entry) in map {
            let mut chain = parent.clone();
            chain.push(name.clone());
            let line = lines.get(&v1_line_key(&chain)).copied();
            let Some(entry) = entry.as_object() else {
                return Err(IngestError::parse(
                    path,
                    line,
                    format!(
                        "npm lockfile entry `{}` must be an object",
                        chain.join(" > ")
                    ),
                ));
            };
            let Some(version) = string(entry, "version") else {
                return Err(IngestError::parse(
                    path,
                    line,
                    format!(
                        "npm lockfile entry `{}` has no `version`",
                        chain.join(" > ")
                    ),
                ));
            };
            let id = v1_package(builder, path, name, version, entry, line)?;
            ids.insert(chain.clone(), id);
            if let Some(Value::Object(nested)) = entry.get("dependencies") {
                stack.push((chain.clone(), nested));
            }
            entries.push((chain, entry));
        }
    }
    let mut unresolved = 0;
    let mut example = String::new();
    for (chain, entry) in &entries {
        let from = ids[chain];
        let requires = entry.get("requires").and_then(Value::as_object);
        for name in requires.into_iter().flat_map(|m| m.keys()) {
            match v1_resolve(&ids, chain, name) {
                Some(to) => builder.edge(from, to, DepKind::Normal, false),
                None => {
                    unresolved += 1;
                    if example.is_empty() {
                        example = format!("{} -> {name}", chain.join(" > "));
                    }
                }
            }
        }
    }
    // The root's direct dependencies come from package.json; without it, every top-level
    // entry is treated as direct (an over-approximation, said out loud).
    match js::read_manifest(lockfile_dir)? {
        Some((_, manifest)) => {
            for (name, _, kind, optional) in manifest.declared() {
                match ids.get(&vec![name.clone()]) {
                    Some(&to) => builder.edge(root, to, kind, optional),
                    None if optional => {}
                    None => {
                        unresolved += 1;
                        if example.is_empty() {
                            example = format!("package.json -> {name}");
                        }
                    }
                }
            }
        }
        None => {
            let mut count = 0;
            for (name, entry) in top {
                if let (Some(&to), Some(entry)) = (ids.get(&vec![name.clone()]), entry.as_object())
                {
                    let kind = if scope_of(entry) == Scope::Dev {
                        DepKind::Dev
                    } else {
                        DepKind::Normal
                    };
                    builder.edge(root, to, kind, scope_of(entry) == Scope::Optional);
                    count += 1;
                }
            }
            let message = format!(
                "`{}`: no `package.json` beside this v1 lockfile, so every top-level entry is treated as a direct dependency",
                path.display()
            );
            builder.inventory.add_gap("direct-unknown", message, count);
        }
    }
    builder.unresolved(unresolved, &example);
    Ok(())
}

fn v1_package(
    builder: &mut JsBuilder,
    path: &Path,
    installed: &str,
    version: &str,
    entry: &Map<String, Value>,
    line: Option<u32>,
) -> Result<PackageId, IngestError> {
    // `"version": "npm:real-name@1.2.3"` is an alias.
    let (name, version) = match version.strip_prefix("npm:").and_then(js::split_descriptor) {
        Some((real, real_version)) => (real, real_version),
        None => (installed, version),
    };
    if let Some(local_path) = version.strip_prefix("file:") {
        return Ok(builder.local(name, "0.0.0", local_path, PackageKind::Local, line));
    }
    let resolved = string(entry, "resolved");
    let source = if js::is_git_reference(version) {
        js::git_source(version)
    } else {
        match resolved {
            Some(resolved) => js::source_from_resolved(resolved),
            None => Source::Unknown,
        }
    };
    add_third_party(builder, path, entry, (name, version), source, line, None)
}

/// Adds a registry, git or tarball package of either lockfile version, with the entry's
/// `integrity` and dev/optional scope. A git reference as the version (old lockfiles put the
/// git URL there) gives way to the commit.
fn add_third_party(
    builder: &mut JsBuilder,
    path: &Path,
    entry: &Map<String, Value>,
    (name, version): (&str, &str),
    source: Source,
    line: Option<u32>,
    license: Option<String>,
) -> Result<PackageId, IngestError> {
    let version = match &source {
        Source::Git {
            commit: Some(commit),
            ..
        } if js::is_git_reference(version) => commit.clone(),
        _ => version.to_string(),
    };
    Ok(builder.third_party(ThirdParty {
        name: name.to_string(),
        version,
        source,
        line,
        hashes: js::entry_hashes(path, line, string(entry, "integrity"))?,
        license,
        scope: scope_of(entry),
    }))
}

/// npm v1 lookup: the entry's own nested `dependencies`, then each ancestor's, then the top.
fn v1_resolve(
    ids: &HashMap<Vec<String>, PackageId>,
    chain: &[String],
    name: &str,
) -> Option<PackageId> {
    let mut base = chain.to_vec();
    loop {
        base.push(name.to_string());
        if let Some(&id) = ids.get(&base) {
            return Some(id);
        }
        base.pop();
        base.pop()?;
    }
}

fn v1_line_key(chain: &[String]) -> String {
    let mut parts: Vec<&str> = Vec::with_capacity(chain.len() * 2);
    for name in chain {
        parts.push("dependencies");
        parts.push(name);
    }
    join_path(&parts)
}

fn join_path(parts: &[&str]) -> String {
    parts.join("\u{1}")
}

/// Lines of object keys in a JSON text, for keys whose parent path (the keys of the enclosing
/// objects, `[]` for arrays) satisfies `want`. The map key is the full path joined with
/// `\u{1}`. serde_json gives values without positions, so this light scan supplies them; it
/// runs only on text serde_json has already accepted.
fn json_key_lines(text: &str, want: impl Fn(&[String]) -> bool) -> HashMap<String, u32> {
    #[derive(PartialEq)]
    enum Frame {
        Object {
            key: Option<String>,
            expect_key: bool,
        },
        Array,
    }
    let bytes = text.as_bytes();
    let mut lines = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut line = 1u32;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => line += 1,
            open @ (b'{' | b'[') => {
                if let Some(top) = stack.last() {
                    path.push(match top {
                        Frame::Object { key, .. } => key.clone().unwrap_or_default(),
                        Frame::Array => "[]".to_string(),
                    });
                }
                stack.push(if open == b'{' {
                    Frame::Object {
                        key: None,
                        expect_key: true,
                    }
                } else {
                    Frame::Array
                });
            }
            b'}' | b']' => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
            }
            b',' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = true;
                }
            }
            b':' => {
                if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                    *expect_key = false;
                }
            }
            b'"' => {
                let start = index;
                index += 1;
                let mut escaped = false;
                while index < bytes.len() {
                    match bytes[index] {
                        b'\\' if !escaped => escaped = true,
                        b'"' if !escaped => break,
                        _ => escaped = false,
                    }
                    index += 1;
                }
                if let Some(Frame::Object {
                    key,
                    expect_key: true,
                }) = stack.last_mut()
                {
                    let raw = &text[start..=index.min(bytes.len() - 1)];
                    let decoded = if raw.contains('\\') {
                        serde_json::from_str::<String>(raw).unwrap_or_default()
                    } else {
                        raw.trim_matches('"').to_string()
                    };
                    if want(&path) {
                        let mut full: Vec<&str> = path.iter().map(String::as_str).collect();
                        full.push(&decoded);
                        lines.insert(join_path(&full), line);
                    }
                    *key = Some(decoded);
                }
            }
            _ => {}
        }
        index += 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_follow_nesting() {
        let text = "{\n \"packages\": {\n  \"\": {},\n  \"node_modules/a\": {\"x\": [1, {\"y\": 2}]},\n  \"node_modules/b\": {}\n }\n}";
        let lines = json_key_lines(text, |p| p.len() == 1 && p[0] == "packages");
        assert_eq!(lines.get(&join_path(&["packages", ""])), Some(&3));
        assert_eq!(
            lines.get(&join_path(&["packages", "node_modules/a"])),
            Some(&4)
        );
        assert_eq!(
            lines.get(&join_path(&["packages", "node_modules/b"])),
            Some(&5)
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn nested_lookup_prefers_nearest() {
        let packages: Map<String, Value> = serde_json::from_str(
            r#"{"node_modules/a": {}, "node_modules/b": {}, "node_modules/b/node_modules/a": {}, "packages/w": {}}"#,
        )
        .unwrap();
        assert_eq!(
            resolve(&packages, "node_modules/b", "a"),
            Some("node_modules/b/node_modules/a")
        );
        assert_eq!(
            resolve(&packages, "node_modules/a", "b"),
            Some("node_modules/b")
        );
        assert_eq!(
            resolve(&packages, "packages/w", "a"),
            Some("node_modules/a")
        );
        assert_eq!(resolve(&packages, "", "zzz"), None);
    }
}
