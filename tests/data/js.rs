//! JavaScript lockfiles in `../shared/data/lockfiles`: the set of third-party packages
//! (`name@version`) depgate reports must equal the set the lockfile lists.
//!
//! Each test computes the expected set itself with a method different from the parser's
//! (serde_json / serde_yaml_ng values, or a line scan), and also pins the count. The counts
//! were first obtained with the shell commands quoted in each test (jq 1.7, yq as a jq
//! wrapper, awk), run from `../shared/data/lockfiles`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::{PackageKind, Source};

use crate::data_dir;

/// depgate's answer: third-party `name@version`, plus checks every package has a location.
fn reported(file: &Path) -> BTreeSet<String> {
    let inventory = ingest(file, &IngestOptions::default()).expect("lockfile ingests");
    for package in inventory.packages() {
        // yarn v1 roots are declared by their package.json; everything else by the lockfile.
        let beside = package.location.file.starts_with(file.parent().unwrap())
            && package.location.file.ends_with("package.json");
        assert!(
            package.location.file == file || (package.kind == PackageKind::Root && beside),
            "{} at {}",
            package.name,
            package.location.file.display()
        );
        if package.kind == PackageKind::ThirdParty {
            assert!(
                package.location.line.is_some(),
                "{} has no line",
                package.name_version()
            );
            if matches!(package.source, Source::Registry { .. }) {
                assert!(
                    package.purl.is_some(),
                    "{} has no purl",
                    package.name_version()
                );
            }
        } else {
            assert!(package.purl.is_none(), "local {} has a purl", package.name);
        }
    }
    assert!(
        !inventory.roots().is_empty(),
        "no roots in {}",
        file.display()
    );
    // The graph is complete: every reference resolves, and every package hangs from a root
    // (unless the roots are known to be incomplete, which the inventory then says).
    let gaps: Vec<&str> = inventory.gaps.iter().map(|g| g.kind.as_str()).collect();
    assert!(!gaps.contains(&"edge-unresolved"), "{:?}", inventory.gaps);
    if !gaps.contains(&"roots-incomplete") {
        let orphans: Vec<String> = inventory
            .third_party()
            .filter(|p| p.roots.is_empty())
            .map(|p| p.name_version())
            .take(5)
            .collect();
        assert!(
            orphans.is_empty(),
            "{}: unreachable {orphans:?}",
            file.display()
        );
    }
    inventory.third_party().map(|p| p.name_version()).collect()
}

fn lockfile(relative: &str) -> Option<std::path::PathBuf> {
    Some(data_dir()?.join("lockfiles").join(relative))
}

fn assert_same(file: &Path, expected: &BTreeSet<String>, count: usize) {
    assert_eq!(
        expected.len(),
        count,
        "independent count for {}",
        file.display()
    );
    let actual = reported(file);
    let missing: Vec<_> = expected.difference(&actual).take(10).collect();
    let extra: Vec<_> = actual.difference(expected).take(10).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{}: missing {missing:?}, extra {extra:?}",
        file.display()
    );
}

/// package-lock v2/v3: every `packages` key under a `node_modules/` path that is not a
/// `link` and not a `file:` package; the name is `name` (aliases) or the path after the last
/// `node_modules/`.
fn npm_packages_set(file: &Path) -> BTreeSet<String> {
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for (key, entry) in value["packages"].as_object().unwrap() {
        let Some(index) = key.rfind("node_modules/") else {
            continue;
        };
        if entry["link"].as_bool() == Some(true)
            || entry["resolved"]
                .as_str()
                .is_some_and(|r| r.starts_with("file:"))
        {
            continue;
        }
        let name = entry["name"]
            .as_str()
            .unwrap_or(&key[index + "node_modules/".len()..]);
        out.insert(format!("{name}@{}", entry["version"].as_str().unwrap()));
    }
    out
}

#[test]
fn socket_io_package_lock_v3_workspaces() {
    let Some(file) = lockfile("socket.io/package-lock.json") else {
        return;
    };
    // jq -r '.packages | to_entries[] | select((.key|test("node_modules/")) and (.value.link|not)
    //   and ((.value.resolved // "")|startswith("file:")|not))
    //   | "\(.value.name // (.key|sub(".*node_modules/";"")))@\(.value.version)"' \
    //   socket.io/package-lock.json | sort -u | wc -l   → 1128
    assert_same(&file, &npm_packages_set(&file), 1128);
    // The root and its 12 declared workspaces (plus one stray workspace dir) are roots.
    let inventory = ingest(&file, &IngestOptions::default()).unwrap();
    let roots: Vec<_> = inventory
        .roots()
        .iter()
        .map(|r| inventory.package(*r).source.display())
        .collect();
    assert!(roots.contains(&"path+.".to_string()));
    assert!(roots.contains(&"path+packages/engine.io".to_string()));
    assert_eq!(roots.len(), 13, "{roots:?}");
}

#[test]
fn warehouse_package_lock_v3() {
    let Some(file) = lockfile("warehouse/package-lock.json") else {
        return;
    };
    // Same jq command as for socket.io on warehouse/package-lock.json → 999
    assert_same(&file, &npm_packages_set(&file), 999);
}

#[test]
fn bookstack_package_lock_v3() {
    let Some(file) = lockfile("bookstack/package-lock.json") else {
        return;
    };
    // Same jq command as for socket.io on bookstack/package-lock.json → 623
    assert_same(&file, &npm_packages_set(&file), 623);
}

#[test]
fn socket_io_history_package_lock_v1() {
    let Some(file) = lockfile("socket.io/history/package-lock-v1/package-lock.json") else {
        return;
    };
    // Recursive walk of nested `dependencies`; `npm:real@1.0.0` versions are aliases.
    // jq -r '[.. | objects | select(has("dependencies")) | .dependencies | to_entries[]
    //   | "\(.key)@\(.value.version)"] | unique | length' → 336 (its one alias,
    //   socket.io-client-v2@npm:socket.io-client@2.4.0, counts once under its real name).
    fn walk(map: &serde_json::Map<String, serde_json::Value>, out: &mut BTreeSet<String>) {
        for (name, entry) in map {
            let version = entry["version"].as_str().unwrap();
            match version.strip_prefix("npm:") {
                Some(alias) => {
                    out.insert(alias.to_string());
                }
                None => {
                    out.insert(format!("{name}@{version}"));
                }
            }
            if let Some(nested) = entry["dependencies"].as_object() {
                walk(nested, out);
            }
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut expected = BTreeSet::new();
    walk(value["dependencies"].as_object().unwrap(), &mut expected);
    assert_same(&file, &expected, 336);
}

/// yarn v1: a line scan. Each unindented `header:` starts an entry; the name comes from its
/// first descriptor (the real name for `alias@npm:real@range`); the version from the
/// `  version "x"` line.
fn yarn_v1_set(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = BTreeSet::new();
    let mut name = String::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') && line.ends_with(':') {
            let first = line.trim_end_matches(':').split(", ").next().unwrap();
            let first = first.trim_matches('"');
            let at = first[1..].find('@').unwrap() + 1;
            let (installed, range) = (&first[..at], &first[at + 1..]);
            name = match range.strip_prefix("npm:") {
                Some(real) => real[..real[1..].find('@').unwrap() + 1].to_string(),
                None => installed.to_string(),
            };
        } else if let Some(version) = line.strip_prefix("  version ") {
            out.insert(format!("{name}@{}", version.trim_matches('"')));
        }
    }
    out
}

#[test]
fn webpack_yarn_v1() {
    let Some(file) = lockfile("webpack/yarn.lock") else {
        return;
    };
    // awk over unindented headers and `  version` lines (the same method as yarn_v1_set),
    // `| sort -u | wc -l` → 1393 (1397 entries; 4 entries repeat a name@version).
    assert_same(&file, &yarn_v1_set(&file), 1393);
    // The root comes from package.json beside the lockfile and has direct dependencies.
    let inventory = ingest(&file, &IngestOptions::default()).unwrap();
    assert_eq!(inventory.roots().len(), 1);
    assert!(inventory.third_party().filter(|p| p.direct).count() > 50);
}

#[test]
fn excalidraw_yarn_v1_workspaces() {
    let Some(file) = lockfile("excalidraw/yarn.lock") else {
        return;
    };
    // Same awk method → 1441 unique name@version over 1444 entries.
    assert_same(&file, &yarn_v1_set(&file), 1441);
    // The workspace directories are not in the data, and the inventory says so.
    let inventory = ingest(&file, &IngestOptions::default()).unwrap();
    assert!(
        inventory.gaps.iter().any(|g| g.kind == "roots-incomplete"),
        "{:?}",
        inventory.gaps
    );
}

/// Berry: entries whose `resolution` is `name@npm:...`; `patch:` entries patch a package that
/// has its own `npm:` entry, so they add no identity.
fn berry_set(file: &Path) -> BTreeSet<String> {
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for (key, entry) in value.as_mapping().unwrap() {
        if key.as_str() == Some("__metadata") {
            continue;
        }
        let resolution = entry["resolution"].as_str().unwrap();
        if let Some(index) = resolution[1..].find("@npm:") {
            let version = entry["version"].as_str().unwrap();
            out.insert(format!("{}@{version}", &resolution[..index + 1]));
        }
    }
    out
}

#[test]
fn babel_yarn_berry() {
    let Some(file) = lockfile("babel/yarn.lock") else {
        return;
    };
    // yq -r 'to_entries[] | select(.key != "__metadata")
    //   | select(.value.resolution|test("^(@[^@/]+/)?[^@]+@npm:"))
    //   | "\(.value.resolution|sub("@npm:.*";""))@\(.value.version)"' babel/yarn.lock
    //   | sort -u | wc -l → 1573
    assert_same(&file, &berry_set(&file), 1573);
    let inventory = ingest(&file, &IngestOptions::default()).unwrap();
    // 163 workspaces (`languageName: unknown`, `workspace:` resolutions) are roots.
    assert_eq!(inventory.roots().len(), 163);
    // `catalog:`, `resolutions` and `patch:` references all resolve: no missing edges.
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "edge-unresolved"),
        "{:?}",
        inventory.gaps
    );
}

#[test]
fn prettier_yarn_berry() {
    let Some(file) = lockfile("prettier/yarn.lock") else {
        return;
    };
    // The same yq command on prettier/yarn.lock → 1049
    assert_same(&file, &berry_set(&file), 1049);
}

/// pnpm 9: `packages` keys with a registry `integrity` (peer suffixes stripped); `file:`
/// directory packages have none.
fn pnpm_set(file: &Path) -> BTreeSet<String> {
    let value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    for (key, entry) in value["packages"].as_mapping().unwrap() {
        if entry["resolution"]["integrity"].as_str().is_none() {
            continue;
        }
        let key = key.as_str().unwrap();
        let key = key.split('(').next().unwrap();
        out.insert(key.to_string());
    }
    out
}

#[test]
fn vite_pnpm_v9() {
    let Some(file) = lockfile("vite/pnpm-lock.yaml") else {
        return;
    };
    // yq -r '.packages | to_entries[] | select(.value.resolution.integrity)
    //   | .key | sub("\\(.*";"")' vite/pnpm-lock.yaml | sort -u | wc -l → 1296
    assert_same(&file, &pnpm_set(&file), 1296);
}

#[test]
fn vue_core_pnpm_v9() {
    let Some(file) = lockfile("vue-core/pnpm-lock.yaml") else {
        return;
    };
    // The same yq command on vue-core/pnpm-lock.yaml → 620
    assert_same(&file, &pnpm_set(&file), 620);
    let inventory = ingest(&file, &IngestOptions::default()).unwrap();
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "edge-unresolved"),
        "{:?}",
        inventory.gaps
    );
}

/// npm's own `dev` / `optional` / `devOptional` flags for each `name@version` (the weakest
/// over all its copies: a copy without flags makes it runtime).
fn npm_flag_scopes(file: &Path) -> BTreeMap<String, &'static str> {
    fn rank(scope: &str) -> u8 {
        match scope {
            "runtime" => 0,
            "optional" => 1,
            _ => 2,
        }
    }
    fn flag_scope(entry: &serde_json::Value) -> &'static str {
        let flag = |name: &str| entry[name].as_bool() == Some(true);
        if flag("dev") || flag("devOptional") {
            "dev"
        } else if flag("optional") {
            "optional"
        } else {
            "runtime"
        }
    }
    fn keep(out: &mut BTreeMap<String, &'static str>, key: String, scope: &'static str) {
        let entry = out.entry(key).or_insert(scope);
        if rank(scope) < rank(entry) {
            *entry = scope;
        }
    }
    fn walk_v1(
        map: &serde_json::Map<String, serde_json::Value>,
        out: &mut BTreeMap<String, &'static str>,
    ) {
        for (name, entry) in map {
            let version = entry["version"].as_str().unwrap();
            let key = match version.strip_prefix("npm:") {
                Some(alias) => alias.to_string(),
                None => format!("{name}@{version}"),
            };
            keep(out, key, flag_scope(entry));
            if let Some(nested) = entry["dependencies"].as_object() {
                walk_v1(nested, out);
            }
        }
    }
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    match value["packages"].as_object() {
        Some(packages) => {
            for (key, entry) in packages {
                let Some(index) = key.rfind("node_modules/") else {
                    continue;
                };
                if entry["link"].as_bool() == Some(true) {
                    continue;
                }
                let name = entry["name"]
                    .as_str()
                    .unwrap_or(&key[index + "node_modules/".len()..]);
                let version = entry["version"].as_str().unwrap();
                keep(&mut out, format!("{name}@{version}"), flag_scope(entry));
            }
        }
        None => walk_v1(value["dependencies"].as_object().unwrap(), &mut out),
    }
    out
}

/// depgate derives scope from the graph (edges from the roots), not from npm's flags; on
/// every real package-lock the two agree for every package.
#[test]
fn npm_scopes_derived_from_the_graph_match_npms_own_flags() {
    for relative in [
        "socket.io/package-lock.json",
        "warehouse/package-lock.json",
        "bookstack/package-lock.json",
        "socket.io/history/package-lock-v1/package-lock.json",
    ] {
        let Some(file) = lockfile(relative) else {
            return;
        };
        let expected = npm_flag_scopes(&file);
        let inventory = ingest(&file, &IngestOptions::default()).unwrap();
        let mut mismatches = Vec::new();
        for package in inventory.third_party() {
            let want = expected[&package.name_version()];
            if package.scope.to_string() != want {
                mismatches.push(format!(
                    "{} {} != {want}",
                    package.name_version(),
                    package.scope
                ));
            }
        }
        assert!(mismatches.is_empty(), "{relative}: {mismatches:?}");
        assert!(
            expected.values().any(|s| *s == "dev") && expected.values().any(|s| *s == "runtime")
        );
    }
}
