//! Monorepo discovery: every supported file below PATH, `.gitignore` honoured, vendored
//! trees skipped unless `--include-vendored`, `--exclude` globs, and two lockfiles in one
//! directory reported.

use std::path::Path;

use serde_json::Value;

use crate::common::depgate;

const LOCK: &str = r#"{
  "name": "NAME",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "NAME", "version": "1.0.0", "dependencies": { "DEP": "^1.0.0" } },
    "node_modules/DEP": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/DEP/-/DEP-1.0.0.tgz" }
  }
}
"#;

fn project(root: &Path, dir: &str, name: &str, dependency: &str) {
    let dir = root.join(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = LOCK.replace("NAME", name).replace("DEP", dependency);
    std::fs::write(dir.join("package-lock.json"), text).unwrap();
}

fn inventory(root: &Path, extra: &[&str]) -> Value {
    let out = depgate()
        .args(["inventory", "--format", "json"])
        .args(extra)
        .arg(root)
        .output()
        .unwrap();
    crate::common::json_of_success(&out)
}

/// Root names with the file each was read from (relative to `root`), in reported order.
fn roots(dump: &Value, root: &Path) -> Vec<(String, String)> {
    dump["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let package = &dump["packages"][id.as_u64().unwrap() as usize];
            let file = Path::new(package["location"]["file"].as_str().unwrap());
            let relative = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (package["name"].as_str().unwrap().to_string(), relative)
        })
        .collect()
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), ".", "top", "a");
    project(dir.path(), "apps/web", "web", "b");
    project(dir.path(), "services/api", "api", "c");
    project(dir.path(), "node_modules/some-dep", "vendored-npm", "d");
    project(dir.path(), "vendor/lib", "vendored", "e");
    project(dir.path(), "build/out", "ignored", "f");
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    dir
}

#[test]
fn finds_every_project_in_sorted_order_skipping_ignored_and_vendored() {
    let dir = tree();
    let dump = inventory(dir.path(), &[]);
    assert_eq!(
        roots(&dump, dir.path()),
        // Sorted by path: `apps/...` < `package-lock.json` < `services/...`.
        [
            ("web".to_string(), "apps/web/package-lock.json".to_string()),
            ("top".to_string(), "package-lock.json".to_string()),
            (
                "api".to_string(),
                "services/api/package-lock.json".to_string()
            ),
        ]
    );
    // One inventory: each dependency belongs to its own project's root.
    let packages = dump["packages"].as_array().unwrap();
    let b = packages.iter().find(|p| p["name"] == "b").unwrap();
    let web = packages.iter().find(|p| p["name"] == "web").unwrap();
    assert_eq!(b["roots"], Value::from(vec![web["id"].clone()]));
}

#[test]
fn include_vendored_walks_node_modules_vendor_and_ignored_files() {
    let dir = tree();
    let dump = inventory(dir.path(), &["--include-vendored"]);
    let names: Vec<String> = roots(&dump, dir.path())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    for name in ["vendored-npm", "vendored", "ignored"] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
}

#[test]
fn exclude_globs_leave_out_matching_paths() {
    let dir = tree();
    let dump = inventory(
        dir.path(),
        &["--exclude", "services/**", "--exclude", "apps"],
    );
    let names: Vec<String> = roots(&dump, dir.path())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["top"]);
}

#[test]
fn gitignore_is_honoured_without_a_git_checkout() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "kept", "kept", "a");
    project(dir.path(), "generated/x", "generated", "b");
    std::fs::write(dir.path().join(".gitignore"), "/generated\n").unwrap();
    let dump = inventory(dir.path(), &[]);
    let names: Vec<String> = roots(&dump, dir.path())
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["kept"]);
}

#[test]
fn two_lockfiles_in_one_directory_are_both_read_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), ".", "both", "a");
    std::fs::write(
        dir.path().join("yarn.lock"),
        "# yarn lockfile v1\n\n\nb@^1.0.0:\n  version \"1.0.0\"\n  resolved \"https://registry.yarnpkg.com/b/-/b-1.0.0.tgz\"\n",
    )
    .unwrap();
    let dump = inventory(dir.path(), &[]);
    assert_eq!(dump["inputs"].as_array().unwrap().len(), 2);
    let gaps = dump["gaps"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["kind"] == "multiple-lockfiles"
            && g["message"]
                .as_str()
                .unwrap()
                .contains("`package-lock.json`, `yarn.lock`")),
        "{gaps:?}"
    );
    // Text mode prints the warning on stderr too.
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("multiple-lockfiles"));
}

#[test]
fn a_directory_with_only_vendored_lockfiles_is_nothing_to_scan() {
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), "node_modules/x", "x", "a");
    let out = depgate().arg("inventory").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn an_invalid_exclude_glob_is_a_usage_error() {
    let dir = tree();
    let out = depgate()
        .args(["inventory", "--exclude", "a/[b"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`--exclude` glob `a/[b`"), "{stderr}");
}

#[test]
fn a_manifest_named_directly_says_where_the_lockfile_is() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("package.json");
    std::fs::write(&manifest, "{}").unwrap();
    let out = depgate().arg("inventory").arg(&manifest).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("package.json") && stderr.contains("a manifest"),
        "{stderr}"
    );
}
