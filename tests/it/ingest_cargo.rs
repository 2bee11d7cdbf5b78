//! Cargo ingest: `Cargo.lock` v1–v4, sources and purls, edges, lines, the manifest fast path
//! against a fixture workspace with its own cargo home, `cargo metadata` as the reference, and
//! bad inputs (exit 2 naming the file and line, exit 3 for nothing to scan).

use std::path::{Path, PathBuf};

use depgate::ingest::{IngestOptions, LicenseFiles, ingest};
use depgate::inventory::{
    DepKind, HashAlgorithm, Inventory, LicenseOrigin, Package, PackageKind, Scope, Source,
};

use crate::common::{depgate, fixture};

/// Options that never look at this machine's `~/.cargo` (an empty cargo home).
fn isolated() -> (IngestOptions, tempfile::TempDir) {
    let home = tempfile::tempdir().unwrap();
    let options = IngestOptions {
        cargo_home: Some(home.path().to_path_buf()),
        ..IngestOptions::default()
    };
    (options, home)
}

fn load(scenario: &str) -> Inventory {
    let (options, _home) = isolated();
    ingest(&fixture(&format!("cargo/{scenario}/Cargo.lock")), &options).unwrap()
}

fn find<'a>(inventory: &'a Inventory, name: &str, version: &str) -> &'a Package {
    inventory
        .packages()
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("no {name} {version}"))
}

fn sha256_of(package: &Package) -> Option<&str> {
    package
        .hashes
        .iter()
        .find(|h| h.algorithm == HashAlgorithm::Sha256)
        .map(|h| h.value.as_str())
}

#[test]
fn v1_reads_metadata_checksums_and_the_root_table() {
    let inventory = load("v1");
    assert_eq!(inventory.packages().len(), 3);
    assert_eq!(inventory.inputs[0].format, "Cargo.lock v1");
    let serde = find(&inventory, "serde", "1.0.105");
    assert_eq!(sha256_of(serde).map(str::len), Some(64));
    assert_eq!(serde.purl.as_deref(), Some("pkg:cargo/serde@1.0.105"));
    assert_eq!(serde.location.line, Some(6));
    let app = find(&inventory, "app", "0.1.0");
    assert_eq!(app.kind, PackageKind::Root);
    assert_eq!(app.location.line, Some(14));
    assert!(inventory.roots().contains(&app.id));
    assert_eq!(
        inventory.paths_to_display(find(&inventory, "itoa", "0.4.5").id, 5),
        vec!["app 0.1.0 > serde 1.0.105 > itoa 0.4.5".to_string()]
    );
}

#[test]
fn v2_v3_v4_parse_with_checksums_and_short_dependencies() {
    for (scenario, version, count) in [("v2", 2, 3), ("v3", 3, 2), ("v4", 4, 3)] {
        let inventory = load(scenario);
        assert_eq!(inventory.inputs[0].format, format!("Cargo.lock v{version}"));
        assert_eq!(inventory.packages().len(), count, "{scenario}");
        for package in inventory.third_party() {
            assert_eq!(sha256_of(package).map(str::len), Some(64), "{scenario}");
            assert_eq!(
                package.purl.as_deref(),
                Some(format!("pkg:cargo/{}@{}", package.name, package.version).as_str())
            );
            assert!(package.direct || scenario == "v2");
        }
        let app = find(&inventory, "app", "0.1.0");
        assert_eq!(app.purl, None);
        assert!(matches!(app.source, Source::Path { .. }));
    }
    // v2: `serde` -> `itoa` through the short `"itoa"` form.
    let inventory = load("v2");
    let itoa = find(&inventory, "itoa", "1.0.1");
    assert_eq!(inventory.paths_to(itoa.id, 5).len(), 1);
    assert!(!itoa.direct);
}

#[test]
fn sparse_crates_io_is_the_default_registry() {
    let inventory = load("v4");
    let libc = find(&inventory, "libc", "0.2.150");
    assert_eq!(
        libc.source,
        Source::Registry {
            url: "sparse+https://index.crates.io/".into(),
            default: true
        }
    );
    assert_eq!(libc.purl.as_deref(), Some("pkg:cargo/libc@0.2.150"));
}

#[test]
fn alternate_registries_get_a_repository_url() {
    let inventory = load("alternate-registry");
    let tools = find(&inventory, "internal-tools", "1.0.0");
    assert_eq!(
        tools.purl.as_deref(),
        Some("pkg:cargo/internal-tools@1.0.0?repository_url=https://git.example.com/crates-index")
    );
    assert!(matches!(
        tools.source,
        Source::Registry { default: false, .. }
    ));
    let sparse = find(&inventory, "internal-sparse", "2.0.0");
    assert_eq!(
        sparse.purl.as_deref(),
        Some(
            "pkg:cargo/internal-sparse@2.0.0?repository_url=sparse%2Bhttps://cargo.example.com/index/"
        )
    );
    let serde = find(&inventory, "serde", "1.0.200");
    assert_eq!(serde.purl.as_deref(), Some("pkg:cargo/serde@1.0.200"));
}

#[test]
fn git_sources_keep_url_commit_and_reference() {
    let inventory = load("git-source");
    let reedline = find(&inventory, "reedline", "0.40.0");
    assert_eq!(
        reedline.source,
        Source::Git {
            url: "https://github.com/nushell/reedline".into(),
            commit: Some("e4fe8edfb28440614e58a8c9dba78d128783f70f".into()),
            reference: Some("branch=main".into()),
        }
    );
    assert_eq!(
        reedline.purl.as_deref(),
        Some(
            "pkg:cargo/reedline@0.40.0?vcs_url=git%2Bhttps://github.com/nushell/reedline%40e4fe8edfb28440614e58a8c9dba78d128783f70f"
        )
    );
    assert!(reedline.hashes.is_empty());
}

#[test]
fn path_dependencies_have_no_purl() {
    let inventory = load("path-dependency");
    let local = find(&inventory, "local-lib", "0.2.0");
    assert_eq!(local.purl, None);
    assert!(local.source.is_local());
    assert_eq!(inventory.roots().len(), 2);
    let memchr = find(&inventory, "memchr", "2.7.1");
    assert!(memchr.purl.is_some());
}

#[test]
fn ambiguous_names_resolve_to_each_version() {
    let inventory = load("ambiguous-names");
    let app = find(&inventory, "app", "0.1.0");
    let targets: Vec<String> = inventory
        .dependencies_of(app.id)
        .map(|e| inventory.package(e.to).name_version())
        .collect();
    assert_eq!(targets, vec!["rand@0.7.3", "rand@0.8.5"]);
    let out = depgate()
        .env("CARGO_HOME", "/nonexistent-cargo-home")
        .args(["explain", "rand"])
        .arg(fixture("cargo/ambiguous-names"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rand 0.7.3 (runtime, direct"), "{stdout}");
    assert!(stdout.contains("app 0.1.0 > rand 0.8.5"), "{stdout}");
}

#[test]
fn lockfile_alone_says_which_facts_are_missing() {
    let inventory = load("v3");
    let kinds: Vec<&str> = inventory.gaps.iter().map(|g| g.kind.as_str()).collect();
    assert!(kinds.contains(&"license-unknown"), "{:?}", inventory.gaps);
    assert!(kinds.contains(&"scope-unknown"), "{:?}", inventory.gaps);
    assert!(kinds.contains(&"manifest-missing"), "{:?}", inventory.gaps);
    let license = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "license-unknown")
        .unwrap();
    assert_eq!(license.packages, 1);
    assert!(
        license.message.contains("`memchr 2.5.0`"),
        "{}",
        license.message
    );
    assert!(
        license.message.contains("cargo fetch"),
        "{}",
        license.message
    );
    // Unknown kinds count as runtime rather than hide a shipped dependency.
    assert!(inventory.edges().iter().all(|e| e.kind == DepKind::Unknown));
    assert_eq!(find(&inventory, "memchr", "2.5.0").scope, Scope::Runtime);
}

// ---------------------------------------------------------------------------------------------
// The fixture workspace and its cargo home.

fn workspace_options() -> IngestOptions {
    IngestOptions {
        cargo_home: Some(fixture("cargo/workspace/cargo-home")),
        ..IngestOptions::default()
    }
}

fn workspace() -> Inventory {
    ingest(&fixture("cargo/workspace"), &workspace_options()).unwrap()
}

#[test]
fn workspace_members_are_roots_with_inherited_fields() {
    let inventory = workspace();
    let app = find(&inventory, "app", "0.3.0");
    let util = find(&inventory, "util", "0.1.0");
    assert_eq!(app.kind, PackageKind::Root);
    assert_eq!(util.kind, PackageKind::Root);
    assert_eq!(app.source, Source::Path { path: "app".into() });
    assert_eq!(app.license_expression(), Some("MIT"));
    assert_eq!(
        app.description.as_deref(),
        Some("The fixture's application")
    );
    assert_eq!(util.license_expression(), Some("Apache-2.0"));
    assert_eq!(util.repository.as_deref(), Some("https://example.com/util"));
    assert_eq!(inventory.roots().len(), 2);
}

#[test]
fn workspace_dependency_kinds_come_from_the_manifests() {
    let inventory = workspace();
    let kind_of = |from: &str, to: &str| {
        let edge = inventory
            .edges()
            .iter()
            .find(|e| inventory.package(e.from).name == from && inventory.package(e.to).name == to)
            .unwrap_or_else(|| panic!("no edge {from} -> {to}"));
        (edge.kind, edge.optional)
    };
    assert_eq!(kind_of("app", "build-gen"), (DepKind::Build, false));
    assert_eq!(kind_of("app", "test-helper"), (DepKind::Dev, false));
    // Renamed through `[workspace.dependencies]`: `json = { package = "json-thing" }`.
    assert_eq!(kind_of("app", "json-thing"), (DepKind::Normal, false));
    assert_eq!(kind_of("app", "util"), (DepKind::Normal, false));
    assert_eq!(kind_of("util", "win-only"), (DepKind::Normal, true));
    assert_eq!(kind_of("json-thing", "tiny-dep"), (DepKind::Normal, false));

    assert_eq!(find(&inventory, "build-gen", "1.0.0").scope, Scope::Build);
    assert_eq!(find(&inventory, "test-helper", "0.2.0").scope, Scope::Dev);
    assert_eq!(
        find(&inventory, "json-thing", "1.2.0").scope,
        Scope::Runtime
    );
    assert_eq!(find(&inventory, "tiny-dep", "1.0.1").scope, Scope::Runtime);
    assert_eq!(find(&inventory, "win-only", "0.1.0").scope, Scope::Optional);
    assert!(find(&inventory, "json-thing", "1.2.0").direct);
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "scope-unknown"),
        "{:?}",
        inventory.gaps
    );
}

#[test]
fn registry_licenses_come_from_unpacked_sources_and_crate_archives() {
    let inventory = workspace();
    let home = fixture("cargo/workspace/cargo-home");
    let json = find(&inventory, "json-thing", "1.2.0");
    let license = json.license.as_ref().unwrap();
    assert_eq!(license.expression, "MIT OR Apache-2.0");
    assert_eq!(license.origin, LicenseOrigin::Manifest);
    assert_eq!(license.confidence, 1.0);
    let src = home.join("registry/src/index.crates.io-0000000000000000/json-thing-1.2.0");
    assert_eq!(
        license.file.as_deref(),
        Some(src.join("Cargo.toml").as_path())
    );
    assert_eq!(json.license_files, vec![src.join("LICENSE-MIT")]);
    assert_eq!(json.local_dir.as_deref(), Some(src.as_path()));
    assert_eq!(
        json.repository.as_deref(),
        Some("https://example.com/json-thing")
    );

    // Only the `.crate` archive is there: the manifest and license file are read from it.
    let win = find(&inventory, "win-only", "0.1.0");
    assert_eq!(win.license_expression(), Some("Zlib"));
    assert_eq!(win.local_dir, None);
    let archive = home.join("registry/cache/index.crates.io-0000000000000000/win-only-0.1.0.crate");
    assert_eq!(
        win.license_files,
        vec![archive.join("win-only-0.1.0/LICENSE-ZLIB")]
    );
    let text = depgate::enrich::license_text::read_license_file(&win.license_files[0]).unwrap();
    assert_eq!(text, b"zlib license text placeholder\n");

    // `license-file` only: no declared expression, the file is listed, and the gap says so.
    let tiny = find(&inventory, "tiny-dep", "1.0.1");
    assert_eq!(tiny.license, None);
    assert_eq!(tiny.license_files.len(), 1);
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "license-undeclared")
        .unwrap();
    assert!(gap.message.contains("`tiny-dep 1.0.1`"), "{}", gap.message);
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "license-unknown"),
        "{:?}",
        inventory.gaps
    );
}

#[test]
fn detection_fills_a_license_file_only_package() {
    let mut inventory = workspace();
    depgate::enrich::license_text::detect_missing_licenses(&mut inventory);
    let tiny = find(&inventory, "tiny-dep", "1.0.1");
    let license = tiny.license.as_ref().unwrap();
    assert_eq!(license.expression, "MIT");
    assert_eq!(license.origin, LicenseOrigin::Detected);
    assert!(license.confidence > 0.9);
}

#[test]
fn workspace_without_crate_sources_reports_unknown_licenses() {
    let (options, _home) = isolated();
    let inventory = ingest(&fixture("cargo/workspace"), &options).unwrap();
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "license-unknown")
        .unwrap();
    assert_eq!(gap.packages, 5);
    assert!(
        gap.message.starts_with("licenses unknown for 5 packages"),
        "{}",
        gap.message
    );
    // The members' own manifests were still read: their direct edges have kinds.
    assert_eq!(find(&inventory, "test-helper", "0.2.0").scope, Scope::Dev);
}

#[test]
fn workspace_gaps_are_printed_as_warnings() {
    let out = depgate()
        .env("CARGO_HOME", "/nonexistent-cargo-home")
        .args(["explain", "tiny-dep"])
        .arg(fixture("cargo/workspace"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: licenses unknown for 5 packages"),
        "{stderr}"
    );
    assert!(
        stderr.contains("/nonexistent-cargo-home/registry"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input.

fn run_explain(path: &Path) -> (Option<i32>, String) {
    let out = depgate()
        .env("CARGO_HOME", "/nonexistent-cargo-home")
        .args(["explain", "app"])
        .arg(path)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_lockfiles_exit_2_naming_file_and_line() {
    for (scenario, line, words) in [
        ("truncated", 15, "cut short"),
        ("wrong-types", 14, "expected a string"),
        ("binary-junk", 4, "not UTF-8"),
        (
            "missing-dependency",
            10,
            "`regex 1.10.0`, which is not in the lockfile",
        ),
    ] {
        let path = fixture(&format!("cargo/{scenario}/Cargo.lock"));
        for target in [path.clone(), path.parent().unwrap().to_path_buf()] {
            let (code, stderr) = run_explain(&target);
            assert_eq!(code, Some(2), "{scenario}: {stderr}");
            assert!(
                stderr.contains(&format!("{}` line {line}", path.display())),
                "{scenario}: {stderr}"
            );
            assert!(stderr.contains(words), "{scenario}: {stderr}");
            assert!(!stderr.contains("panicked"), "{scenario}: {stderr}");
        }
    }
}

#[test]
fn missing_lockfile_exits_2() {
    let path = fixture("cargo/no-such-scenario/Cargo.lock");
    let (code, stderr) = run_explain(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no-such-scenario/Cargo.lock"), "{stderr}");
}

#[test]
fn directory_without_lockfile_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "hello\n").unwrap();
    let (code, stderr) = run_explain(dir.path());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("nothing to scan"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// This repository: the fast path against `cargo metadata`.

fn own_lockfile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")
}

#[test]
fn own_repository_fast_path_agrees_with_cargo_metadata() {
    let fast = ingest(&own_lockfile(), &IngestOptions::default()).unwrap();
    let reference = ingest(
        &own_lockfile(),
        &IngestOptions {
            cargo_metadata: true,
            offline: true,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    assert!(
        !reference
            .gaps
            .iter()
            .any(|g| g.kind == "cargo-metadata-failed"),
        "{:?}",
        reference.gaps
    );
    assert_eq!(fast.packages().len(), reference.packages().len());
    let mut compared = 0;
    for (a, b) in fast.packages().iter().zip(reference.packages()) {
        assert_eq!(a.name_version(), b.name_version());
        assert_eq!(
            a.license_expression(),
            b.license_expression(),
            "{}",
            a.name_version()
        );
        assert_eq!(a.scope, b.scope, "{}", a.name_version());
        assert_eq!(a.direct, b.direct, "{}", a.name_version());
        assert_eq!(a.repository, b.repository, "{}", a.name_version());
        assert_eq!(a.license_files, b.license_files, "{}", a.name_version());
        compared += 1;
    }
    let mut fast_edges: Vec<_> = fast.edges().to_vec();
    let mut reference_edges: Vec<_> = reference.edges().to_vec();
    fast_edges.sort();
    reference_edges.sort();
    assert_eq!(fast_edges, reference_edges);
    assert!(compared > 100);
    let origins: Vec<_> = reference
        .third_party()
        .filter_map(|p| p.license.as_ref().map(|l| l.origin))
        .collect();
    assert!(origins.iter().all(|o| *o == LicenseOrigin::CargoMetadata));
}

#[test]
fn own_repository_has_a_declared_license_for_every_dependency() {
    let inventory = ingest(&own_lockfile(), &IngestOptions::default()).unwrap();
    let missing: Vec<String> = inventory
        .third_party()
        .filter(|p| p.license.is_none())
        .map(Package::name_version)
        .collect();
    assert!(
        missing.is_empty(),
        "no declared license for {missing:?}; gaps: {:?} (run `cargo fetch --locked` first)",
        inventory.gaps
    );
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "scope-unknown"),
        "{:?}",
        inventory.gaps
    );
    let depgate = find(&inventory, "depgate", env!("CARGO_PKG_VERSION"));
    assert_eq!(depgate.license_expression(), Some("MIT OR Apache-2.0"));
    assert_eq!(depgate.kind, PackageKind::Root);
}

#[test]
fn cargo_metadata_without_a_workspace_falls_back_and_says_so() {
    let (mut options, _home) = isolated();
    options.cargo_metadata = true;
    options.offline = true;
    let inventory = ingest(&fixture("cargo/v3/Cargo.lock"), &options).unwrap();
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "cargo-metadata-failed")
        .unwrap();
    assert!(gap.message.contains("Cargo.toml"), "{}", gap.message);
    assert_eq!(inventory.packages().len(), 2);
}

/// An SBOM or a verdict lists license files only where no license is declared (they are read
/// to detect one); the license reports list every package's.
#[test]
fn license_files_of_undeclared_packages_only_for_a_verdict() {
    let all = workspace();
    let verdict = ingest(
        &fixture("cargo/workspace"),
        &IngestOptions {
            license_files: LicenseFiles::Undeclared,
            ..workspace_options()
        },
    )
    .unwrap();
    let names = |inventory: &Inventory, name: &str, version: &str| -> Vec<String> {
        find(inventory, name, version)
            .license_files
            .iter()
            .filter_map(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect()
    };
    // Declares `MIT OR Apache-2.0`, ships LICENSE-MIT.
    assert_eq!(names(&all, "json-thing", "1.2.0"), ["LICENSE-MIT"]);
    assert!(names(&verdict, "json-thing", "1.2.0").is_empty());
    // Declares only `license-file`: its text is what the license is detected from.
    assert_eq!(names(&all, "tiny-dep", "1.0.1"), ["LICENSE"]);
    assert_eq!(names(&verdict, "tiny-dep", "1.0.1"), ["LICENSE"]);
    // Everything else is the same.
    for (a, b) in all.packages().iter().zip(verdict.packages()) {
        assert_eq!(a.name_version(), b.name_version());
        assert_eq!(a.license, b.license, "{}", a.name_version());
        assert_eq!(a.local_dir, b.local_dir, "{}", a.name_version());
    }
}

/// A lockfile of more crates than a cargo home usually holds: the registry directories and
/// the index cache's prefix directories are listed once instead of looked up per crate, and
/// the crates that are there are found all the same.
#[test]
fn a_very_large_lockfile_finds_the_crates_that_are_in_the_cargo_home() {
    let dir = tempfile::tempdir().unwrap();
    let count = 5_000;
    let names: Vec<String> = (0..count)
        .map(|index| format!("\"crate-{index}\""))
        .collect();
    let mut text = format!(
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [{}]\n",
        names.join(", ")
    );
    for index in 0..count {
        text.push_str(&format!(
            "\n[[package]]\nname = \"crate-{index}\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{index:064x}\"\n"
        ));
    }
    let lockfile = dir.path().join("Cargo.lock");
    std::fs::write(&lockfile, text).unwrap();
    let home = dir.path().join("cargo-home");
    let unpacked = home.join("registry/src/index.crates.io-1949cf8c6b5b557f/crate-7-1.0.0");
    std::fs::create_dir_all(&unpacked).unwrap();
    std::fs::write(
        unpacked.join("Cargo.toml"),
        "[package]\nname = \"crate-7\"\nversion = \"1.0.0\"\nlicense = \"ISC\"\n",
    )
    .unwrap();
    let index = home.join("registry/index/index.crates.io-1949cf8c6b5b557f/.cache/cr/at");
    std::fs::create_dir_all(&index).unwrap();
    let mut entry = vec![3u8, 2, 0, 0, 0];
    entry.extend_from_slice(b"etag\0");
    entry.extend_from_slice(b"1.0.0\0{\"yanked\":true}\0");
    std::fs::write(index.join("crate-9"), entry).unwrap();
    let database = crate::common::unrelated_advisory_db(dir.path());
    let findings =
        crate::common::check_findings(depgate().env("CARGO_HOME", &home), &database, &lockfile);
    let rules_of = |name: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|finding| finding["package"]["name"] == name)
            .map(|finding| finding["rule"].as_str().unwrap())
            .collect()
    };
    // crate-7's manifest was found (ISC is allowed: no license finding); crate-8's was not.
    assert!(
        !rules_of("crate-7").contains(&"licenses.unknown"),
        "{:?}",
        rules_of("crate-7")
    );
    assert!(
        rules_of("crate-8").contains(&"licenses.unknown"),
        "{:?}",
        rules_of("crate-8")
    );
    // crate-9 is yanked in the index cache; crate-10 is not in it.
    assert!(
        rules_of("crate-9").contains(&"advisories.yanked"),
        "{:?}",
        rules_of("crate-9")
    );
    assert!(!rules_of("crate-10").contains(&"advisories.yanked"));
}
