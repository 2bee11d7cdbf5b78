//! JavaScript lockfiles: package-lock v1/v2/v3, npm-shrinkwrap, yarn v1 and Berry, pnpm
//! 5.4/6/9, and their malformed forms (exit 2 naming the file and line, no panic).
//!
//! Each test runs `depgate inventory --format json` on one fixture under
//! `tests/fixtures/npm/<scenario>/` and checks packages, sources, purls, scopes and edges.

use serde_json::Value;

use crate::common::{depgate, fixture};

struct Dump(Value);

impl Dump {
    fn load(scenario: &str) -> Dump {
        let out = depgate()
            .args(["inventory", "--format", "json"])
            .arg(fixture(&format!("npm/{scenario}")))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Dump(serde_json::from_slice(&out.stdout).unwrap())
    }

    fn packages(&self) -> &Vec<Value> {
        self.0["packages"].as_array().unwrap()
    }

    /// The package `name@version` (exactly one).
    fn package(&self, name_version: &str) -> &Value {
        let found: Vec<&Value> = self
            .packages()
            .iter()
            .filter(|p| {
                format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                ) == name_version
            })
            .collect();
        assert_eq!(found.len(), 1, "{name_version}: {found:?}");
        found[0]
    }

    fn named(&self, name: &str) -> &Value {
        let found: Vec<&Value> = self
            .packages()
            .iter()
            .filter(|p| p["name"] == name)
            .collect();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        found[0]
    }

    /// Third-party `name@version`, sorted.
    fn third_party(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .packages()
            .iter()
            .filter(|p| p["kind"] == "third-party")
            .map(|p| {
                format!(
                    "{}@{}",
                    p["name"].as_str().unwrap(),
                    p["version"].as_str().unwrap()
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Edges as (from name, to name, kind, optional).
    fn edges(&self) -> Vec<(String, String, String, bool)> {
        let name = |id: &Value| {
            let index = id.as_u64().unwrap() as usize;
            self.packages()[index]["name"].as_str().unwrap().to_string()
        };
        self.0["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    name(&e["from"]),
                    name(&e["to"]),
                    e["kind"].as_str().unwrap().to_string(),
                    e["optional"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    fn has_edge(&self, from: &str, to_name_version: &str) -> bool {
        let to = self.package(to_name_version)["id"].clone();
        self.0["edges"].as_array().unwrap().iter().any(|e| {
            e["to"] == to && self.packages()[e["from"].as_u64().unwrap() as usize]["name"] == from
        })
    }

    fn roots(&self) -> Vec<String> {
        let mut out: Vec<String> = self.0["roots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| {
                let package = &self.packages()[id.as_u64().unwrap() as usize];
                assert_eq!(package["kind"], "root");
                assert!(package["purl"].is_null(), "root with purl: {package}");
                package["source"]["path"].as_str().unwrap().to_string()
            })
            .collect();
        out.sort();
        out
    }
}

fn fails_with(scenario: &str, needles: &[&str]) {
    let path = fixture(&format!("npm/{scenario}"));
    let out = depgate().arg("inventory").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "missing `{needle}` in: {stderr}");
    }
}

#[test]
fn package_lock_v3_flags_licenses_hashes_and_nesting() {
    let dump = Dump::load("lock-v3");
    assert_eq!(
        dump.third_party(),
        [
            "@scope/e@1.0.0",
            "a@1.0.0",
            "b@2.0.0",
            "c@1.0.0",
            "c@2.0.0",
            "d@1.0.0",
            "o@1.0.0",
            "p@1.0.0",
            "real-name@3.0.0"
        ]
    );
    assert_eq!(dump.roots(), ["."]);
    let a = dump.package("a@1.0.0");
    assert_eq!(a["purl"], "pkg:npm/a@1.0.0");
    assert_eq!(a["source"]["url"], "https://registry.npmjs.org");
    assert_eq!(a["source"]["default"], true);
    assert_eq!(a["license"]["expression"], "MIT");
    assert_eq!(a["license"]["origin"], "lockfile");
    assert_eq!(a["hashes"][0]["algorithm"], "SHA-512");
    // sha512("a"), the value the fixture's integrity encodes in base64.
    assert_eq!(
        a["hashes"][0]["value"],
        "1f40fc92da241694750979ee6cf582f2d5d7d28e18335de05abc54d0560e0f5302860c652bf08d560252aa5e74210546f369fbbbce8c12cfc7957b2652fe9a75"
    );
    assert!(
        a["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("lock-v3/package-lock.json")
    );
    assert_eq!(a["location"]["line"], 25);
    // Nearest node_modules first: b gets its own nested c@2, a gets the hoisted c@1.
    assert!(dump.has_edge("a", "c@1.0.0"));
    assert!(dump.has_edge("b", "c@2.0.0"));
    assert!(!dump.has_edge("b", "c@1.0.0"));
    // dev / devOptional → dev; optional → optional; peer stays runtime.
    assert_eq!(dump.package("d@1.0.0")["scope"], "dev");
    let e = dump.package("@scope/e@1.0.0");
    assert_eq!(e["scope"], "dev");
    assert_eq!(e["purl"], "pkg:npm/%40scope/e@1.0.0");
    assert_eq!(e["source"]["url"], "https://npm.example.com");
    assert_eq!(e["source"]["default"], false);
    assert_eq!(e["hashes"][0]["algorithm"], "SHA-1");
    assert_eq!(
        e["hashes"][0]["value"],
        "58e6b3a414a1e090dfc6029add0f3555ccba127f"
    );
    assert_eq!(dump.package("o@1.0.0")["scope"], "optional");
    assert_eq!(dump.package("p@1.0.0")["scope"], "runtime");
    let edges = dump.edges();
    assert!(edges.contains(&("app".into(), "d".into(), "dev".into(), false)));
    assert!(edges.contains(&("app".into(), "o".into(), "normal".into(), true)));
    // An alias installed as `aliased` is the package `real-name`.
    assert_eq!(
        dump.package("real-name@3.0.0")["purl"],
        "pkg:npm/real-name@3.0.0"
    );
    // A missing optional dependency is not a gap; nothing else is missing either.
    assert!(
        dump.0["gaps"].as_array().unwrap().is_empty(),
        "{}",
        dump.0["gaps"]
    );
}

#[test]
fn package_lock_v2_reads_packages_not_legacy_dependencies() {
    let dump = Dump::load("lock-v2");
    assert_eq!(dump.third_party(), ["left-pad@1.3.0"]);
    assert_eq!(
        dump.package("left-pad@1.3.0")["license"]["expression"],
        "WTFPL"
    );
    assert_eq!(dump.0["inputs"][0]["format"], "package-lock.json v2");
}

#[test]
fn npm_shrinkwrap_is_read_like_a_package_lock() {
    let dump = Dump::load("shrinkwrap");
    assert_eq!(dump.third_party(), ["ms@2.1.3"]);
    assert_eq!(dump.0["inputs"][0]["format"], "npm-shrinkwrap.json v3");
    assert_eq!(dump.package("ms@2.1.3")["direct"], true);
}

#[test]
fn package_lock_v1_nested_requires_alias_git_and_file() {
    let dump = Dump::load("lock-v1");
    assert_eq!(
        dump.third_party(),
        [
            "a@1.0.0",
            "b@1.0.0",
            "c@1.0.0",
            "c@2.0.0",
            "client@2.4.0",
            "gitdep@0123456789abcdef0123456789abcdef01234567",
            "t@5.0.0"
        ]
    );
    // `requires` resolve through the entry's own nested dependencies first.
    assert!(dump.has_edge("a", "c@2.0.0"));
    assert!(dump.has_edge("b", "c@1.0.0"));
    // Direct dependencies and dev scope come from package.json.
    assert_eq!(dump.package("t@5.0.0")["scope"], "dev");
    assert_eq!(dump.package("t@5.0.0")["direct"], true);
    assert_eq!(dump.package("c@1.0.0")["direct"], false);
    assert_eq!(dump.package("a@1.0.0")["hashes"][0]["algorithm"], "SHA-1");
    let git = dump.named("gitdep");
    assert_eq!(git["source"]["type"], "git");
    assert_eq!(git["source"]["url"], "github:user/gitdep");
    assert!(
        git["purl"].is_null(),
        "a git package must not get a registry purl"
    );
    let local = dump.named("localdep");
    assert_eq!(local["kind"], "local");
    assert_eq!(local["source"]["path"], "../localdep");
    assert!(local["purl"].is_null());
    assert_eq!(dump.package("a@1.0.0")["location"]["line"], 7);
}

#[test]
fn package_lock_workspaces_and_links() {
    let dump = Dump::load("workspaces");
    assert_eq!(dump.roots(), [".", "packages/a", "packages/b"]);
    assert_eq!(
        dump.third_party(),
        ["lint@1.0.0", "shared@1.0.0", "shared@2.0.0"]
    );
    // `node_modules/@mono/b` is a link: the edge goes to the workspace itself.
    assert!(dump.has_edge("@mono/a", "@mono/b@2.0.0"));
    assert!(dump.has_edge("@mono/a", "shared@1.0.0"));
    assert!(dump.has_edge("@mono/b", "shared@2.0.0"));
    // Each package knows its roots: shared@2 belongs to b, and to a through a -> b.
    let root_names = |name_version: &str| -> Vec<String> {
        let mut names: Vec<String> = dump.package(name_version)["roots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| {
                dump.packages()[id.as_u64().unwrap() as usize]["name"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(root_names("shared@2.0.0"), ["@mono/a", "@mono/b"]);
    assert_eq!(root_names("shared@1.0.0"), ["@mono/a"]);
    assert_eq!(root_names("lint@1.0.0"), ["mono"]);
}

#[test]
fn package_lock_file_and_git_entries_are_not_registry_packages() {
    let dump = Dump::load("file-deps");
    let dir = dump.named("dir-dep");
    assert_eq!(dir["kind"], "local");
    assert_eq!(dir["source"]["path"], "../dir-dep");
    assert!(dir["purl"].is_null());
    let tarball = dump.named("tar-dep");
    assert_eq!(tarball["kind"], "local");
    assert_eq!(tarball["source"]["path"], "vendor/tar-dep-1.0.0.tgz");
    assert!(tarball["purl"].is_null());
    let git = dump.named("git-dep");
    assert_eq!(git["source"]["type"], "git");
    assert_eq!(
        git["source"]["url"],
        "ssh://git@github.com/user/git-dep.git"
    );
    assert_eq!(
        git["source"]["commit"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert!(git["purl"].is_null());
    // The linked directory's own dependencies are followed.
    assert!(dump.has_edge("dir-dep", "ms@2.1.3"));
}

#[test]
fn package_lock_bundled_dependencies() {
    let dump = Dump::load("bundled");
    assert_eq!(dump.third_party(), ["host@1.0.0", "inner@3.1.0"]);
    assert!(dump.has_edge("host", "inner@3.1.0"));
    let inner = dump.package("inner@3.1.0");
    assert_eq!(inner["purl"], "pkg:npm/inner@3.1.0");
    assert_eq!(inner["license"]["expression"], "ISC");
}

#[test]
fn yarn_v1_specifiers_alias_git_file_and_dev() {
    let dump = Dump::load("yarn-v1");
    assert_eq!(
        dump.third_party(),
        [
            "@scope/a@1.2.3",
            "b@2.0.1",
            "git-dep@0.1.0",
            "string-width@4.2.3",
            "test-tool@5.1.0"
        ]
    );
    assert_eq!(dump.roots(), ["."]);
    let a = dump.package("@scope/a@1.2.3");
    assert_eq!(a["location"]["line"], 5);
    assert_eq!(a["purl"], "pkg:npm/%40scope/a@1.2.3");
    assert_eq!(a["source"]["default"], true);
    assert_eq!(a["hashes"][0]["algorithm"], "SHA-512");
    assert!(dump.has_edge("@scope/a", "b@2.0.1"));
    assert!(dump.has_edge("yarn-app", "string-width@4.2.3"));
    assert_eq!(dump.package("test-tool@5.1.0")["scope"], "dev");
    // b is reached at runtime through @scope/a, even though test-tool (dev) uses it too.
    assert_eq!(dump.package("b@2.0.1")["scope"], "runtime");
    let git = dump.package("git-dep@0.1.0");
    assert_eq!(git["source"]["type"], "git");
    assert!(git["purl"].is_null());
    let local = dump.named("local-dep");
    assert_eq!(local["kind"], "local");
    assert!(local["purl"].is_null());
}

#[test]
fn yarn_v1_workspaces_from_package_json() {
    let dump = Dump::load("yarn-v1-workspaces");
    assert_eq!(dump.roots(), [".", "packages/app", "packages/lib"]);
    assert!(dump.has_edge("@ws/app", "@ws/lib@1.0.0"));
    assert!(dump.has_edge("@ws/lib", "left-pad@1.3.0"));
    assert_eq!(dump.package("mocha@10.2.0")["scope"], "dev");
    assert_eq!(dump.package("left-pad@1.3.0")["scope"], "runtime");
}

#[test]
fn yarn_berry_protocols() {
    let dump = Dump::load("yarn-berry");
    assert_eq!(dump.roots(), [".", "packages/lib"]);
    // The patch folds into the package it patches; the alias is the real `ms`.
    assert_eq!(
        dump.third_party(),
        [
            "fsevents@2.3.3",
            "ms@2.0.0",
            "ms@2.1.3",
            "resolve@1.22.8",
            "typescript@5.4.5"
        ]
    );
    assert!(dump.has_edge("berry-root", "@berry/lib@0.0.0-use.local"));
    assert!(dump.has_edge("@berry/lib", "resolve@1.22.8"));
    assert!(dump.has_edge("berry-root", "ms@2.0.0"));
    for (name, path) in [
        ("linked", "linked"),
        ("portaled", "portaled"),
        ("tarball", "tarball.tgz"),
    ] {
        let local = dump.named(name);
        assert_eq!(local["kind"], "local", "{name}");
        assert_eq!(local["source"]["path"], path, "{name}");
        assert!(local["purl"].is_null(), "{name}");
        assert!(dump.has_edge(
            "berry-root",
            &format!("{name}@{}", local["version"].as_str().unwrap())
        ));
    }
    assert!(dump.has_edge("portaled", "ms@2.1.3"));
    // Dev scope comes from the workspace's package.json; optional from dependenciesMeta.
    assert_eq!(dump.package("typescript@5.4.5")["scope"], "dev");
    assert_eq!(dump.package("fsevents@2.3.3")["scope"], "optional");
    assert_eq!(dump.package("ms@2.1.3")["scope"], "runtime");
    assert_eq!(dump.package("ms@2.1.3")["location"]["line"], 55);
    assert!(
        dump.0["gaps"].as_array().unwrap().is_empty(),
        "{}",
        dump.0["gaps"]
    );
}

fn pnpm_common(dump: &Dump) {
    let ui = dump.package("@scope/ui@1.0.0");
    assert_eq!(ui["purl"], "pkg:npm/%40scope/ui@1.0.0");
    assert_eq!(ui["hashes"][0]["algorithm"], "SHA-512");
    // The peer variant `(react@18.2.0)` / `_react@18.2.0` is the same package.
    assert!(dump.has_edge("@scope/ui", "react@18.2.0"));
    assert!(dump.has_edge("react", "loose-envify@1.4.0"));
    assert_eq!(dump.package("jest@29.7.0")["scope"], "dev");
    assert_eq!(dump.package("react@18.2.0")["scope"], "runtime");
    assert!(
        dump.0["gaps"].as_array().unwrap().is_empty(),
        "{}",
        dump.0["gaps"]
    );
}

#[test]
fn pnpm_5_4_importers_and_underscore_peers() {
    let dump = Dump::load("pnpm-v5");
    pnpm_common(&dump);
    assert_eq!(dump.roots(), [".", "packages/lib"]);
    assert_eq!(
        dump.third_party(),
        [
            "@scope/ui@1.0.0",
            "jest@29.7.0",
            "loose-envify@1.4.0",
            "react@18.2.0"
        ]
    );
    // `link:packages/lib` points at the other importer.
    assert!(dump.has_edge("pnpm-v5", "packages/lib@0.0.0"));
    assert_eq!(dump.package("@scope/ui@1.0.0")["location"]["line"], 26);
}

#[test]
fn pnpm_6_single_project_with_alias_and_optional() {
    let dump = Dump::load("pnpm-v6");
    pnpm_common(&dump);
    assert_eq!(dump.roots(), ["."]);
    assert_eq!(
        dump.third_party(),
        [
            "@scope/ui@1.0.0",
            "fsevents@2.3.3",
            "jest@29.7.0",
            "loose-envify@1.4.0",
            "private-pkg@1.0.0",
            "react@18.2.0",
            "string-width@4.2.3"
        ]
    );
    assert!(dump.has_edge("pnpm-v6", "string-width@4.2.3"));
    // A package from another registry is keyed by its host.
    let private = dump.package("private-pkg@1.0.0");
    assert_eq!(private["source"]["url"], "https://npm.example.com");
    assert_eq!(private["source"]["default"], false);
    assert!(dump.has_edge("pnpm-v6", "private-pkg@1.0.0"));
    assert_eq!(dump.package("fsevents@2.3.3")["scope"], "optional");
}

#[test]
fn pnpm_9_snapshots_links_and_file_packages() {
    let dump = Dump::load("pnpm-v9");
    pnpm_common(&dump);
    assert_eq!(dump.roots(), [".", "packages/lib"]);
    assert_eq!(
        dump.third_party(),
        [
            "@scope/ui@1.0.0",
            "jest@29.7.0",
            "loose-envify@1.4.0",
            "react@18.2.0",
            "string-width@4.2.3"
        ]
    );
    assert!(dump.has_edge("pnpm-v9", "packages/lib@0.0.0"));
    assert!(dump.has_edge("packages/lib", "react@18.2.0"));
    let local = dump.named("local-thing");
    assert_eq!(local["kind"], "local");
    assert!(local["purl"].is_null());
    assert_eq!(dump.package("@scope/ui@1.0.0")["location"]["line"], 36);
}

#[test]
fn malformed_package_lock_json_names_file_and_line() {
    fails_with(
        "malformed-json",
        &["malformed-json/package-lock.json", "line 6"],
    );
}

#[test]
fn package_lock_entry_without_version_names_its_line() {
    fails_with(
        "malformed-entry",
        &[
            "malformed-entry/package-lock.json",
            "line 6",
            "node_modules/a",
        ],
    );
}

#[test]
fn package_lock_without_lockfile_version_is_rejected() {
    fails_with(
        "malformed-version",
        &["package-lock.json", "lockfileVersion"],
    );
}

#[test]
fn malformed_yarn_v1_names_file_and_line() {
    fails_with(
        "yarn-malformed-v1",
        &["yarn-malformed-v1/yarn.lock", "line 6"],
    );
}

#[test]
fn malformed_yarn_berry_names_file_and_line() {
    fails_with(
        "yarn-malformed-berry",
        &["yarn-malformed-berry/yarn.lock", "line 8"],
    );
}

#[test]
fn malformed_pnpm_names_file_and_line() {
    fails_with(
        "pnpm-malformed",
        &["pnpm-malformed/pnpm-lock.yaml", "line 8"],
    );
}

#[test]
fn unsupported_pnpm_version_is_rejected() {
    fails_with(
        "pnpm-unsupported",
        &["pnpm-lock.yaml", "3.0", "not supported"],
    );
}

#[test]
fn binary_junk_in_a_lockfile_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("yarn.lock"),
        b"a@^1:\n  version \"1\xff\"\n",
    )
    .unwrap();
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("yarn.lock") && stderr.contains("line 2"),
        "{stderr}"
    );
}

#[test]
fn a_yarnrc_that_does_not_parse_is_an_error_naming_it() {
    // Its registry is every package's source: the public one is not assumed instead.
    let dir = tempfile::tempdir().unwrap();
    let fixture_dir = fixture("npm/yarn-berry-registry");
    std::fs::copy(fixture_dir.join("yarn.lock"), dir.path().join("yarn.lock")).unwrap();
    std::fs::write(
        dir.path().join(".yarnrc.yml"),
        "npmRegistryServer: \"https://npm.example.com/\"\ncatalog: [left-pad\n",
    )
    .unwrap();
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".yarnrc.yml"), "{stderr}");
    // A directory in its place cannot be read either; no file at all is the defaults.
    std::fs::remove_file(dir.path().join(".yarnrc.yml")).unwrap();
    std::fs::create_dir(dir.path().join(".yarnrc.yml")).unwrap();
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".yarnrc.yml"));
    std::fs::remove_dir(dir.path().join(".yarnrc.yml")).unwrap();
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn yarn_berry_registry_and_catalog_from_yarnrc() {
    let dump = Dump::load("yarn-berry-registry");
    let left_pad = dump.package("left-pad@1.3.0");
    assert_eq!(left_pad["source"]["url"], "https://npm.example.com");
    assert_eq!(left_pad["source"]["default"], false);
    // `catalog:` resolves through `.yarnrc.yml`.
    assert!(dump.has_edge("private-root", "left-pad@1.3.0"));
    assert_eq!(left_pad["direct"], true);
}
