//! `go.mod` (+ `go.sum` beside it) -> packages and edges (stage 1, ingest).
//!
//! In: the `go.mod` text and, when present, the `go.sum` in the same directory. Out: the main
//! module as the root, one package per `require` (after `replace`), an edge from the root to
//! every direct requirement (those without `// indirect`), and the go.sum `h1:` hash (base64
//! SHA-256 of the module tree, stored as hex) on the matching module version. A `replace` with
//! a local directory makes a local package without a purl; `exclude` directives are kept and a
//! requirement on an excluded version is reported as a gap. Versions are kept as written
//! (pseudo-versions, `+incompatible`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::support::{Builder, base64_to_hex, location, purl, root_package};
use super::{IngestError, read_text};
use crate::inventory::{
    Ecosystem, Edge, Hash, HashAlgorithm, Inventory, Package, PackageKind, Source,
};

/// The Go module proxy, the default source of modules.
const GO_PROXY: &str = "https://proxy.golang.org";

/// One `require` line.
struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

/// Where a `replace` points.
#[derive(Clone)]
enum Replacement {
    Module { path: String, version: String },
    Local(String),
}

#[derive(Default)]
struct GoMod {
    module: Option<String>,
    requires: Vec<Require>,
    /// (old path, old version or "" for all versions) -> replacement.
    replaces: BTreeMap<(String, String), Replacement>,
    excludes: BTreeSet<(String, String)>,
}

/// Splits a go.mod line into tokens, dropping the comment but noting `// indirect`.
fn tokens(line: &str) -> (Vec<String>, bool) {
    let (code, comment) = match line.find("//") {
        Some(index) => (&line[..index], &line[index + 2..]),
        None => (line, ""),
    };
    let indirect = comment.split(';').any(|part| part.trim() == "indirect");
    let tokens = code
        .split_whitespace()
        .map(|t| t.trim_matches('"').to_string())
        .collect();
    (tokens, indirect)
}

fn is_local_path(target: &str) -> bool {
    target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target == "."
        || target == ".."
}

fn parse_go_mod(path: &Path, text: &str) -> Result<GoMod, IngestError> {
    let mut go_mod = GoMod::default();
    let mut block: Option<(String, u32)> = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        // go.mod is text: a control character (say a line break damaged into U+000B) would
        // hide the next requirement inside a comment.
        if let Some((column, control)) = raw
            .char_indices()
            .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\r'))
        {
            return Err(IngestError::Parse {
                path: path.to_path_buf(),
                line: Some(number),
                column: Some(column as u32 + 1),
                message: format!(
                    "control character U+{:04X} in go.mod: the file is damaged",
                    u32::from(control)
                ),
            });
        }
        let (words, indirect) = tokens(raw);
        if words.is_empty() {
            continue;
        }
        let (verb, args): (String, Vec<String>) = match &block {
            Some(_) if words == [")"] => {
                block = None;
                continue;
            }
            Some((verb, _)) => (verb.clone(), words),
            None => {
                let verb = words[0].clone();
                let args = words[1..].to_vec();
                if args == ["("] {
                    block = Some((verb, number));
                    continue;
                }
                (verb, args)
            }
        };
        let bad = |what: &str| {
            IngestError::parse(
                path,
                Some(number),
                format!("invalid go.mod `{verb}` line: {what}"),
            )
        };
        match verb.as_str() {
            "module" => {
                go_mod.module = args.first().cloned();
            }
            "require" => {
                let [module, version] = args.as_slice() else {
                    return Err(bad("expected `MODULE VERSION`"));
                };
                if !version.starts_with('v') {
                    return Err(bad(&format!("`{version}` is not a module version")));
                }
                go_mod.requires.push(Require {
                    path: module.clone(),
                    version: version.clone(),
                    indirect,
                    line: number,
                });
            }
            "replace" => {
                let Some(arrow) = args.iter().position(|a| a == "=>") else {
                    return Err(bad("missing `=>`"));
                };
                let (old, new) = args.split_at(arrow);
                let new = &new[1..];
                let old_key = match old {
                    [module] => (module.clone(), String::new()),
                    [module, version] => (module.clone(), version.clone()),
                    _ => return Err(bad("expected `MODULE [VERSION] => TARGET`")),
                };
                let replacement = match new {
                    [target] if is_local_path(target) => Replacement::Local(target.clone()),
                    [target, version] => Replacement::Module {
                        path: target.clone(),
                        version: version.clone(),
                    },
                    [target] => {
                        // A path that is not a module version: Go treats it as a directory.
                        Replacement::Local(target.clone())
                    }
                    _ => return Err(bad("expected `TARGET [VERSION]` after `=>`")),
                };
                go_mod.replaces.insert(old_key, replacement);
            }
            "exclude" => {
                let [module, version] = args.as_slice() else {
                    return Err(bad("expected `MODULE VERSION`"));
                };
                go_mod.excludes.insert((module.clone(), version.clone()));
            }
            // Not dependencies.
            "go" | "toolchain" | "godebug" | "retract" | "tool" | "ignore" => {}
            // Anything else is junk or a line cut short (`req`), which Go rejects too.
            other => {
                return Err(IngestError::parse(
                    path,
                    Some(number),
                    format!("`{}` is not a go.mod directive", other.escape_debug()),
                ));
            }
        }
    }
    if let Some((verb, line)) = block {
        return Err(IngestError::parse(
            path,
            Some(line),
            format!("`{verb} (` block is never closed with `)`"),
        ));
    }
    Ok(go_mod)
}

/// `module version` -> hex SHA-256 from go.sum (`h1:` lines for the module zip tree).
fn parse_go_sum(
    path: &Path,
    text: &str,
) -> Result<BTreeMap<(String, String), String>, IngestError> {
    let mut hashes = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [module, version, hash] = fields.as_slice() else {
            return Err(IngestError::parse(
                path,
                Some(index as u32 + 1),
                "invalid go.sum line: expected `MODULE VERSION h1:HASH`",
            ));
        };
        // `/go.mod` lines hash only the go.mod file, not the module's code.
        if version.ends_with("/go.mod") {
            continue;
        }
        if let Some(hex) = hash.strip_prefix("h1:").and_then(base64_to_hex) {
            hashes.insert((module.to_string(), version.to_string()), hex);
        }
    }
    Ok(hashes)
}

/// The purl of a Go module: the path up to the last `/` is the namespace.
fn go_purl(module: &str, version: &str) -> Option<String> {
    match module.rsplit_once('/') {
        Some((namespace, name)) => purl("golang", Some(namespace), name, version, &[]),
        None => purl("golang", None, module, version, &[]),
    }
}

/// Parses a `go.mod` and the `go.sum` beside it.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let go_mod = parse_go_mod(path, text)?;
    let sum_path = path.with_file_name("go.sum");
    let (sums, sum_input) = if sum_path.is_file() {
        let sum_text = read_text(&sum_path)?;
        let sums = parse_go_sum(&sum_path, &sum_text)?;
        let input = super::input_file(&sum_path, sum_text.as_bytes(), "go.sum");
        (sums, Some(input))
    } else {
        (BTreeMap::new(), None)
    };
    let mut builder = Builder::default();
    let mut root = root_package(Ecosystem::Go, path, go_mod.module.as_deref(), "");
    root.location.line = text
        .lines()
        .position(|l| l.trim_start().starts_with("module"))
        .map(|i| i as u32 + 1);
    let root_id = builder.add_root(root);
    let mut excluded_hits = Vec::new();
    for require in &go_mod.requires {
        if go_mod
            .excludes
            .contains(&(require.path.clone(), require.version.clone()))
        {
            excluded_hits.push(format!("{}@{}", require.path, require.version));
        }
        let replacement = go_mod
            .replaces
            .get(&(require.path.clone(), require.version.clone()))
            .or_else(|| go_mod.replaces.get(&(require.path.clone(), String::new())));
        let package = match replacement {
            Some(Replacement::Local(directory)) => {
                // A local directory replaces the module: its code is not any published version.
                let mut package = Package::new(
                    Ecosystem::Go,
                    &require.path,
                    "",
                    location(path, Some(require.line)),
                );
                package.kind = PackageKind::Local;
                package.source = Source::Path {
                    path: directory.clone(),
                };
                package
            }
            Some(Replacement::Module {
                path: module,
                version,
            }) => go_package(path, require.line, module, version, &sums),
            None => go_package(path, require.line, &require.path, &require.version, &sums),
        };
        let key = format!("{}@{}", package.name, package.version);
        let (id, _) = builder.add(key, package);
        if !require.indirect {
            builder.inventory.add_edge(Edge::normal(root_id, id));
        }
    }
    let mut inventory = builder.inventory;
    if !excluded_hits.is_empty() {
        inventory.add_gap(
            "excluded-version-required",
            format!(
                "`{}` requires excluded versions ({}); Go would pick another version, which the lockfile does not name",
                path.display(),
                excluded_hits.join(", ")
            ),
            excluded_hits.len(),
        );
    }
    inventory.inputs.extend(sum_input);
    Ok(inventory)
}

fn go_package(
    path: &Path,
    line: u32,
    module: &str,
    version: &str,
    sums: &BTreeMap<(String, String), String>,
) -> Package {
    let mut package = Package::new(Ecosystem::Go, module, version, location(path, Some(line)));
    package.source = Source::Registry {
        url: GO_PROXY.to_string(),
        default: true,
    };
    package.purl = go_purl(module, version);
    if let Some(hex) = sums.get(&(module.to_string(), version.to_string())) {
        package.hashes.push(Hash {
            algorithm: HashAlgorithm::Sha256,
            value: hex.clone(),
        });
    }
    package
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_note_indirect_and_strip_quotes() {
        let (words, indirect) = tokens("\t\"example.com/a\" v1.0.0 // indirect");
        assert_eq!(words, vec!["example.com/a", "v1.0.0"]);
        assert!(indirect);
        let (_, indirect) = tokens("example.com/a v1.0.0 // indirect; for tests");
        assert!(indirect);
        let (_, indirect) = tokens("example.com/a v1.0.0 // not indirect at all");
        assert!(!indirect);
    }

    #[test]
    fn purl_encodes_incompatible() {
        let purl = go_purl("github.com/a/b", "v2.0.0+incompatible").unwrap_or_default();
        assert!(
            purl.starts_with("pkg:golang/github.com/a/b@v2.0.0"),
            "{purl}"
        );
    }
}
