//! Advisory matching against the real RustSec and OSV databases in `../shared/data`.
//!
//! Cargo.lock inventories come from depgate's own ingest (`depgate::ingest::ingest`), so these
//! tests cover the path `depgate check` takes: ingest, then match. `check_json_*` runs the
//! binary itself on every Cargo.lock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use depgate::enrich::advisories::{
    AdvisoryKind, AdvisorySet, LoadOptions, load_sources, match_inventory, remediation,
};
use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::{Ecosystem, Inventory, Location, Package, Source};

use crate::data_dir;

/// A lockfile under the name `Cargo.lock`, as depgate recognises it. The data set keeps one
/// (`sboms/cyclonedx/cargo-binary-example.Cargo.lock`) under a prefixed name; it is copied
/// into a temporary directory (alive as long as the returned guard) under its real name.
fn named_cargo_lock(path: &Path) -> (Option<tempfile::TempDir>, PathBuf) {
    if path.file_name().is_some_and(|name| name == "Cargo.lock") {
        return (None, path.to_path_buf());
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("Cargo.lock");
    std::fs::copy(path, &copy).unwrap();
    (Some(dir), copy)
}

/// The inventory of a Cargo.lock, as `depgate check` builds it.
fn cargo_inventory(path: &Path) -> Inventory {
    let (_guard, path) = named_cargo_lock(path);
    ingest(&path, &IngestOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses EXPECTED-rustsec.md: lockfile (relative to the data dir) → set of (id, crate, version).
fn expected(data: &Path) -> BTreeMap<String, BTreeSet<(String, String, String)>> {
    let text = std::fs::read_to_string(data.join("lockfiles/EXPECTED-rustsec.md")).unwrap();
    let mut out: BTreeMap<String, BTreeSet<_>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_block = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some((file, rest)) = line.split_once(": ")
            && rest.contains("vulnerabilities")
            && !line.starts_with(' ')
        {
            current = Some(file.to_string());
            out.entry(file.to_string()).or_default();
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let (Some(file), [id, name, version]) = (&current, fields.as_slice())
            && id.starts_with("RUSTSEC-")
        {
            out.get_mut(file).unwrap().insert((
                id.to_string(),
                name.to_string(),
                version.to_string(),
            ));
        }
    }
    out
}

fn vulnerability_set(
    inventory: &Inventory,
    set: &AdvisorySet,
) -> BTreeSet<(String, String, String)> {
    match_inventory(inventory, set)
        .into_iter()
        .filter(|m| m.kind == AdvisoryKind::Vulnerability)
        .map(|m| {
            let package = inventory.package(m.package);
            (m.advisory_id, package.name.clone(), package.version.clone())
        })
        .collect()
}

#[test]
fn cargo_lockfiles_match_expected_rustsec_results() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("advisory-db")], &LoadOptions::default()).unwrap();
    assert!(set.len() > 1000, "{} advisories", set.len());
    let expected = expected(&data);
    assert!(expected.len() >= 10, "parsed {} lockfiles", expected.len());
    let mut excluded = Vec::new();
    for (file, want) in &expected {
        let inventory = cargo_inventory(&data.join(file));
        let got = vulnerability_set(&inventory, &set);
        // EXPECTED was made with rustsec 0.31, which matched workspace members (no `source`)
        // by name. rustsec 0.34 and depgate only match crates.io packages: a local crate must
        // never match a registry advisory. Those lines are listed and checked below.
        let local: BTreeSet<&str> = inventory
            .packages()
            .iter()
            .filter(|p| p.source.is_local())
            .map(|p| p.name.as_str())
            .collect();
        let want_registry: BTreeSet<_> = want
            .iter()
            .filter(|(id, name, version)| {
                let keep = !local.contains(name.as_str());
                if !keep {
                    excluded.push(format!("{file}: {id} {name} {version}"));
                }
                keep
            })
            .cloned()
            .collect();
        assert_eq!(got, want_registry, "{file}");
    }
    assert_eq!(excluded, WORKSPACE_MEMBER_LINES);
}

/// The lines of EXPECTED-rustsec.md that name a workspace member (grep-cli is a path member of
/// ripgrep's workspace in those revisions), which no registry advisory may match.
const WORKSPACE_MEMBER_LINES: [&str; 2] = [
    "lockfiles/ripgrep/history/cargo-lock-v1/Cargo.lock: RUSTSEC-2021-0071 grep-cli 0.1.4",
    "lockfiles/ripgrep/history/cargo-lock-v2/Cargo.lock: RUSTSEC-2021-0071 grep-cli 0.1.5",
];

#[test]
fn check_json_reports_exactly_the_expected_vulnerabilities_for_every_cargo_lock() {
    let Some(data) = data_dir() else { return };
    // One cache for every run: the first builds the advisory index, the others load it, and
    // the developer's own cached databases are never seen.
    let cache = tempfile::tempdir().unwrap();
    let expected = expected(&data);
    assert!(expected.len() >= 10, "parsed {} lockfiles", expected.len());
    for (file, want) in &expected {
        let want: BTreeSet<(String, String, String)> = want
            .iter()
            .filter(|(id, name, version)| {
                !WORKSPACE_MEMBER_LINES.contains(&format!("{file}: {id} {name} {version}").as_str())
            })
            .cloned()
            .collect();
        let (_guard, lockfile) = named_cargo_lock(&data.join(file));
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_depgate"))
            .arg("check")
            .arg(&lockfile)
            .arg("--advisory-db")
            .arg(data.join("advisory-db"))
            .args(["--allow-stale-db", "--offline", "--format", "json"])
            .env("DEPGATE_CACHE", cache.path())
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{file}: exit {code:?}: {stderr}"
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{file}: not JSON ({e}); stderr: {stderr}"));
        let got: BTreeSet<(String, String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "advisory-vulnerable")
            .map(|f| {
                (
                    f["advisory"]["id"].as_str().unwrap().to_string(),
                    f["package"]["name"].as_str().unwrap().to_string(),
                    f["package"]["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, want, "{file}");
        // The database the verdict came from is named in the report.
        let databases = report["inputs"]["advisory_databases"].as_array().unwrap();
        assert_eq!(databases.len(), 1, "{file}");
        assert_eq!(databases[0]["kind"], "rustsec", "{file}");
    }
}

#[test]
fn rustsec_and_its_osv_export_together_give_the_same_set() {
    // The OSV export of the same advisories, loaded after the advisory-db: de-duplicated by id,
    // so the vulnerability sets are unchanged.
    let Some(data) = data_dir() else { return };
    let paths: Vec<PathBuf> = vec![data.join("advisory-db"), data.join("osv/rust")];
    let both = load_sources(&paths, &LoadOptions::default()).unwrap();
    let osv_only = load_sources(&[data.join("osv/rust")], &LoadOptions::default()).unwrap();
    let single = load_sources(&[data.join("advisory-db")], &LoadOptions::default()).unwrap();
    for file in expected(&data).keys() {
        let inventory = cargo_inventory(&data.join(file));
        let want = vulnerability_set(&inventory, &single);
        assert_eq!(vulnerability_set(&inventory, &both), want, "{file} (both)");
        assert_eq!(
            vulnerability_set(&inventory, &osv_only),
            want,
            "{file} (OSV export)"
        );
    }
}

#[test]
fn informational_advisories_and_remediation_on_a_real_lockfile() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("advisory-db")], &LoadOptions::default()).unwrap();
    let lock = data.join("spdx/examples/spdx-examples/software/example11/content/src/Cargo.lock");
    let inventory = cargo_inventory(&lock);
    let matches = match_inventory(&inventory, &set);
    // h2 0.3.13 has four vulnerabilities; the smallest version fixing all of them is the
    // largest of their fixes on the 0.3 line.
    let fixes = remediation(&matches);
    let h2 = fixes
        .iter()
        .find(|r| inventory.package(r.package).name == "h2")
        .unwrap();
    assert_eq!(h2.advisories.len(), 4);
    let fixed = h2.fixed_in.as_deref().unwrap();
    for found in matches.iter().filter(|m| m.package == h2.package) {
        assert!(!found.patched.is_empty(), "{}", found.advisory_id);
    }
    assert!(
        semver::Version::parse(fixed).unwrap() >= semver::Version::parse("0.3.26").unwrap(),
        "{fixed}"
    );
}

fn pypi_inventory(pins: &[(&str, &str)]) -> Inventory {
    let mut inventory = Inventory::new();
    for (name, version) in pins {
        let mut package = Package::new(
            Ecosystem::PyPI,
            *name,
            *version,
            Location {
                file: PathBuf::from("requirements.txt"),
                line: None,
            },
        );
        package.source = Source::Registry {
            url: "https://pypi.org/simple".to_string(),
            default: true,
        };
        inventory.add_package(package);
    }
    inventory
}

fn ids_for(inventory: &Inventory, set: &AdvisorySet, name: &str) -> BTreeSet<String> {
    match_inventory(inventory, set)
        .into_iter()
        .filter(|m| m.kind == AdvisoryKind::Vulnerability)
        .filter(|m| inventory.package(m.package).name == name)
        .map(|m| m.advisory_id)
        .collect()
}

#[test]
fn pypi_pins_match_hand_checked_osv_records() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("osv/PyPI")], &LoadOptions::default()).unwrap();
    assert!(set.len() > 2000);
    // Pins as they appear in lockfiles of the data set, with hand-checked expectations.
    let inventory = pypi_inventory(PYPI_PINS);
    for (name, want) in PYPI_EXPECTED {
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(ids_for(&inventory, &set, name), want, "{name}");
    }
}

fn go_inventory(pins: &[(&str, &str)]) -> Inventory {
    let mut inventory = Inventory::new();
    for (name, version) in pins {
        let mut package = Package::new(
            Ecosystem::Go,
            *name,
            *version,
            Location {
                file: PathBuf::from("go.mod"),
                line: None,
            },
        );
        package.source = Source::Registry {
            url: "https://proxy.golang.org".to_string(),
            default: true,
        };
        inventory.add_package(package);
    }
    inventory
}

#[test]
fn go_modules_match_hand_checked_osv_records() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("osv/Go")], &LoadOptions::default()).unwrap();
    let inventory = go_inventory(GO_PINS);
    for (name, want) in GO_EXPECTED {
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(ids_for(&inventory, &set, name), want, "{name}");
    }
}

#[test]
fn whole_osv_folder_loads_and_withdrawn_records_are_dropped() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("osv")], &LoadOptions::default()).unwrap();
    // 4291 Go + 2661 PyPI + 1206 Rust + 35 Hackage + 14 CRAN, minus 10 + 17 + 13 withdrawn.
    assert_eq!(set.len(), 4291 + 2661 + 1206 + 35 + 14 - 10 - 17 - 13);
    assert!(set.databases[0].ecosystems.iter().any(|e| e == "PyPI"));
}

#[test]
fn index_round_trip_gives_the_same_set() {
    let Some(data) = data_dir() else { return };
    let index = tempfile::tempdir().unwrap();
    let options = LoadOptions {
        index_dir: Some(index.path().to_path_buf()),
    };
    let paths = vec![data.join("advisory-db"), data.join("osv/PyPI")];
    let first = load_sources(&paths, &options).unwrap();
    assert_eq!(std::fs::read_dir(index.path()).unwrap().count(), 2);
    let second = load_sources(&paths, &options).unwrap();
    assert_eq!(first.advisories, second.advisories);
    assert_eq!(first.databases, second.databases);
}

/// Real pins from the PyPI lockfiles in the data set, plus older versions (marked) that
/// exercise positive matches. Expectations were checked by reading the OSV YAML files:
/// - html5lib 1.1 (warehouse/requirements/main.txt): PYSEC-2017-14/15 are fixed in
///   0.999999999 and do not list 1.1 → none.
/// - pyyaml 6.0.1 (pipenv/Pipfile.lock): every range is fixed by 5.4 → none.
/// - jinja2 3.1.6 (pipenv/Pipfile.lock): fixed by 2.11.3 at the latest → none.
/// - black 26.5.2.dev21+ge34bb1bef (ruff/uv.lock, a dev + local version): PYSEC-2024-48 is
///   fixed in 24.3.0 → none.
/// - pyyaml 5.1.2 (older): PYSEC-2020-176 [5.1, 5.2b1), PYSEC-2020-96 [5.1, 5.3.1),
///   PYSEC-2021-142 [0, 5.4); PYSEC-2018-49 is fixed in 5.1.
/// - jinja2 2.10 (older): PYSEC-2019-217 (fixed 2.10.1), PYSEC-2021-66 (fixed 2.11.3);
///   PYSEC-2019-220 is fixed in 2.8.1.
/// - black 23.1.0 (older): PYSEC-2024-48.
const PYPI_PINS: &[(&str, &str)] = &[
    ("html5lib", "1.1"),
    ("PyYAML", "6.0.1"),
    ("Jinja2", "3.1.6"),
    ("black", "26.5.2.dev21+ge34bb1bef"),
];

const PYPI_EXPECTED: &[(&str, &[&str])] = &[
    ("html5lib", &[]),
    ("PyYAML", &[]),
    ("Jinja2", &[]),
    ("black", &[]),
];

/// go.mod pins from the data set (caddy, prometheus); checked against the Go OSV records:
/// - github.com/google/cel-go v0.29.2 (caddy): GO-2026-6094 [0.22.0, 0.30.0).
/// - github.com/aws/aws-sdk-go v1.55.8 (prometheus): GO-2022-0635 and GO-2022-0646, both
///   `introduced: 0` with no fix.
/// - golang.org/x/crypto v0.54.0: GO-2026-5932 (openpgp unmaintained, no fix).
/// - golang.org/x/mod v0.38.0 (prometheus): GO-2026-6179 and GO-2026-6180 [0, 0.40.0).
/// - golang.org/x/net v0.57.0: none.
/// - golang.org/x/crypto/x509roots/fallback at a pseudo-version (caddy): no record names it.
const GO_PINS: &[(&str, &str)] = &[
    ("github.com/google/cel-go", "v0.29.2"),
    ("github.com/aws/aws-sdk-go", "v1.55.8"),
    ("golang.org/x/crypto", "v0.54.0"),
    ("golang.org/x/mod", "v0.38.0"),
    ("golang.org/x/net", "v0.57.0"),
    (
        "golang.org/x/crypto/x509roots/fallback",
        "v0.0.0-20260709184058-243e02a382f8",
    ),
];

const GO_EXPECTED: &[(&str, &[&str])] = &[
    ("github.com/google/cel-go", &["GO-2026-6094"]),
    (
        "github.com/aws/aws-sdk-go",
        &["GO-2022-0635", "GO-2022-0646"],
    ),
    ("golang.org/x/crypto", &["GO-2026-5932"]),
    ("golang.org/x/mod", &["GO-2026-6179", "GO-2026-6180"]),
    ("golang.org/x/net", &[]),
    ("golang.org/x/crypto/x509roots/fallback", &[]),
];

#[test]
fn older_pypi_versions_match_hand_checked_records() {
    let Some(data) = data_dir() else { return };
    let set = load_sources(&[data.join("osv/PyPI")], &LoadOptions::default()).unwrap();
    let inventory = pypi_inventory(&[("pyyaml", "5.1.2"), ("jinja2", "2.10"), ("black", "23.1.0")]);
    let cases: &[(&str, &[&str])] = &[
        (
            "pyyaml",
            &["PYSEC-2020-176", "PYSEC-2020-96", "PYSEC-2021-142"],
        ),
        ("jinja2", &["PYSEC-2019-217", "PYSEC-2021-66"]),
        ("black", &["PYSEC-2024-48"]),
    ];
    for (name, want) in cases {
        let want: BTreeSet<String> = want.iter().map(|s| s.to_string()).collect();
        assert_eq!(ids_for(&inventory, &set, name), want, "{name}");
    }
}
