//! Build-exact Rust on small fixture workspaces (`tests/fixtures/cargo/build-exact`), one per
//! feature-syntax case, with a fixture cargo home. The expected crates and features are
//! written by hand from cargo's documented rules (the Features chapter of the Cargo Book and
//! the resolver "2" notes); `tests/data/build_exact.rs` checks real workspaces against cargo.

use std::collections::{BTreeMap, BTreeSet};

use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::BuildSelection;
use serde_json::Value;

use crate::common::{depgate, fixture};

const LINUX: &str = "x86_64-unknown-linux-gnu";
const WINDOWS: &str = "x86_64-pc-windows-msvc";
const MAC: &str = "aarch64-apple-darwin";

/// Features of one compiled unit, as `a,b`.
type Units = (Option<String>, Option<String>);

/// `name version` -> (target features, host features), for the crates compiled for `target`
/// (`None`: no `--target`, every platform).
fn resolve(case: &str, target: Option<&str>, selection: BuildSelection) -> BTreeMap<String, Units> {
    resolve_each(case, target.as_slice(), selection).remove(0)
}

/// [`resolve`] with several `--target`s at once: one map per target, in the order given
/// (one for every platform when `targets` is empty).
fn resolve_each(
    case: &str,
    targets: &[&str],
    selection: BuildSelection,
) -> Vec<BTreeMap<String, Units>> {
    let selection = BuildSelection {
        targets: targets.iter().map(|t| t.to_string()).collect(),
        ..selection
    };
    let options = IngestOptions {
        cargo_home: Some(fixture("cargo/build-exact/cargo-home")),
        build: selection.clone(),
        ..IngestOptions::default()
    };
    let lockfile = fixture(&format!("cargo/build-exact/{case}/Cargo.lock"));
    let inventory = ingest(&lockfile, &options).unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(
        !inventory.gaps.iter().any(|g| g.kind == "build-unresolved"),
        "{case}: {:?}",
        inventory.gaps
    );
    let build = inventory.build.as_ref().unwrap();
    let join = |features: &Option<BTreeSet<String>>| {
        features
            .as_ref()
            .map(|set| set.iter().cloned().collect::<Vec<_>>().join(","))
    };
    selection
        .target_names()
        .iter()
        .map(|name| {
            build
                .packages
                .iter()
                .filter_map(|(id, package)| {
                    let units = package.targets.get(name)?;
                    let crate_ = inventory.package(*id);
                    Some((
                        format!("{} {}", crate_.name, crate_.version),
                        (join(&units.target), join(&units.host)),
                    ))
                })
                .collect()
        })
        .collect()
}

/// Expected units: `("alpha 1.0.0", Some("tls"), None)` for a crate compiled for the target.
fn expect(units: &[(&str, Option<&str>, Option<&str>)]) -> BTreeMap<String, Units> {
    units
        .iter()
        .map(|(name, target, host)| {
            (
                name.to_string(),
                (target.map(str::to_string), host.map(str::to_string)),
            )
        })
        .collect()
}

fn features(list: &[&str]) -> BuildSelection {
    BuildSelection {
        features: list.iter().map(|f| f.to_string()).collect(),
        ..BuildSelection::default()
    }
}

#[test]
fn dep_syntax_enables_the_optional_dependency_and_default_features_false_drops_default() {
    // alpha: `tls = ["dep:beta"]`, `default = ["std"]`; app asks `default-features = false`.
    assert_eq!(
        resolve("dep-syntax", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("alpha 1.0.0", Some("tls"), None),
            ("beta 1.0.0", Some(""), None),
        ])
    );
}

#[test]
fn an_optional_dependency_has_an_implicit_feature_of_its_name() {
    assert_eq!(
        resolve("implicit-feature", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("beta 1.0.0", Some(""), None),
            ("gamma 1.0.0", Some("beta"), None),
        ])
    );
}

#[test]
fn a_weak_feature_enables_nothing_until_the_dependency_is_enabled() {
    // delta: `serde = ["beta?/serde"]`; app: `with-beta = ["delta/beta"]`.
    assert_eq!(
        resolve("weak-feature", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("delta 1.0.0", Some("serde"), None),
        ])
    );
    let with_beta = expect(&[
        ("app 0.1.0", Some("with-beta"), None),
        ("beta 1.0.0", Some("serde"), None),
        ("delta 1.0.0", Some("beta,serde"), None),
    ]);
    assert_eq!(
        resolve("weak-feature", Some(LINUX), features(&["with-beta"])),
        with_beta
    );
    // `member/feature` and `--all-features` reach the same build.
    assert_eq!(
        resolve("weak-feature", Some(LINUX), features(&["app/with-beta"])),
        with_beta
    );
    let all = BuildSelection {
        all_features: true,
        ..BuildSelection::default()
    };
    assert_eq!(resolve("weak-feature", Some(LINUX), all), with_beta);
}

#[test]
fn a_renamed_dependency_is_named_by_its_key_and_resolves_to_its_own_version() {
    // app: `beta = "1"`, `beta2 = { package = "beta", version = "2", optional = true }`,
    // `fast = ["beta2/fast"]` (which also enables the implicit feature `beta2`).
    assert_eq!(
        resolve("renamed", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("beta 1.0.0", Some(""), None)
        ])
    );
    assert_eq!(
        resolve("renamed", Some(LINUX), features(&["fast"])),
        expect(&[
            ("app 0.1.0", Some("beta2,fast"), None),
            ("beta 1.0.0", Some(""), None),
            ("beta 2.0.0", Some("fast"), None),
        ])
    );
}

#[test]
fn target_tables_follow_the_target() {
    let app = ("app 0.1.0", Some(""), None);
    assert_eq!(
        resolve("target-specific", Some(LINUX), BuildSelection::default()),
        expect(&[app, ("linonly 1.0.0", Some(""), None)])
    );
    assert_eq!(
        resolve("target-specific", Some(WINDOWS), BuildSelection::default()),
        expect(&[app, ("winonly 1.0.0", Some(""), None)])
    );
    assert_eq!(
        resolve("target-specific", Some(MAC), BuildSelection::default()),
        expect(&[app])
    );
    // No `--target`: every platform counts.
    let every = BuildSelection {
        no_default_features: true,
        ..BuildSelection::default()
    };
    assert_eq!(
        resolve("target-specific", None, every),
        expect(&[
            app,
            ("linonly 1.0.0", Some(""), None),
            ("winonly 1.0.0", Some(""), None),
        ])
    );
}

#[test]
fn several_targets_unify_features_but_compile_each_crate_only_where_its_platform_is() {
    // app: `shared` with feature `a`, and on Windows also `b` and `winonly`.
    let app = ("app 0.1.0", Some(""), None);
    assert_eq!(
        resolve("several-targets", Some(LINUX), BuildSelection::default()),
        expect(&[app, ("shared 1.0.0", Some("a"), None)])
    );
    assert_eq!(
        resolve("several-targets", Some(WINDOWS), BuildSelection::default()),
        expect(&[
            app,
            ("shared 1.0.0", Some("a,b"), None),
            ("winonly 1.0.0", Some(""), None)
        ])
    );
    // Together, as `cargo build --target A --target B`: `shared` has `b` on Linux too (one
    // feature set for the requested targets), but `winonly` is still compiled for Windows only.
    let both = resolve_each(
        "several-targets",
        &[LINUX, WINDOWS],
        BuildSelection::default(),
    );
    assert_eq!(both[0], expect(&[app, ("shared 1.0.0", Some("a,b"), None)]));
    assert_eq!(
        both[1],
        expect(&[
            app,
            ("shared 1.0.0", Some("a,b"), None),
            ("winonly 1.0.0", Some(""), None)
        ])
    );
}

#[test]
fn resolver_2_keeps_build_dependency_features_apart_and_ignores_dev_dependencies() {
    // shared: features `a` (normal), `b` (build), `c` (dev); devonly is a dev-dependency.
    assert_eq!(
        resolve("build-dependencies", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("shared 1.0.0", Some("a"), Some("b")),
        ])
    );
}

#[test]
fn resolver_1_unifies_every_feature_including_dev_dependencies() {
    // Edition 2018 without `resolver`: one feature set per crate, dev-dependencies included
    // (they are still not compiled into the build).
    assert_eq!(
        resolve("resolver-1", Some(LINUX), BuildSelection::default()),
        expect(&[
            ("app 0.1.0", Some(""), None),
            ("shared 1.0.0", Some("a,b,c"), Some("a,b,c")),
        ])
    );
}

/// `depgate check` of the vulnerable-optional fixture as JSON: (exit code, RUSTSEC id ->
/// (severity, message)).
fn check(arguments: &[&str]) -> (i32, BTreeMap<String, (String, String)>, Value) {
    check_case("vulnerable-optional", arguments)
}

/// [`check`] of another fixture workspace.
fn check_case(case: &str, arguments: &[&str]) -> (i32, BTreeMap<String, (String, String)>, Value) {
    let output = depgate()
        .arg("check")
        .arg(fixture(&format!("cargo/build-exact/{case}")))
        .arg("--advisory-db")
        .arg(fixture("cargo/build-exact/advisory-db"))
        .args(["--allow-stale-db", "--offline", "--format", "json"])
        .args(arguments)
        .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
        .env("DEPGATE_TODAY", "2099-05-23")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    let mut advisories = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        if let Some(id) = finding["advisory"]["id"].as_str() {
            advisories.insert(
                id.to_string(),
                (
                    finding["severity"].as_str().unwrap().to_string(),
                    finding["message"].as_str().unwrap().to_string(),
                ),
            );
        }
    }
    (output.status.code().unwrap(), advisories, report)
}

#[test]
fn an_advisory_in_a_crate_only_a_disabled_feature_pulls_is_a_note() {
    let (code, advisories, report) = check(&["--target", LINUX]);
    assert_eq!(code, 0, "{advisories:?}");
    let (severity, message) = &advisories["RUSTSEC-2099-0101"];
    assert_eq!(severity, "note");
    assert!(
        message.contains("not compiled for x86_64-unknown-linux-gnu with the default features"),
        "{message}"
    );
    // The coverage section names it.
    let build = &report["coverage"]["rules"]["build"];
    assert_eq!(build["evaluated"], 2, "{build}");
    let left_out = build["not_evaluated"].to_string();
    assert!(
        left_out.contains("weakcrypto@0.1.0: not compiled for"),
        "{left_out}"
    );
    assert!(
        left_out.contains("1 finding reported as a note"),
        "{left_out}"
    );

    // The feature on: the crate is compiled, the advisory fails the gate.
    let (code, advisories, _) = check(&["--target", LINUX, "--features", "legacy"]);
    assert_eq!(code, 1, "{advisories:?}");
    assert_eq!(advisories["RUSTSEC-2099-0101"].0, "error");
}

#[test]
fn an_advisory_limited_to_another_os_is_a_note_for_this_target() {
    // RUSTSEC-2099-0102 affects `shared` on Windows only (`[affected] os`).
    let (_, advisories, _) = check(&["--target", LINUX]);
    let (severity, message) = &advisories["RUSTSEC-2099-0102"];
    assert_eq!(severity, "note");
    assert!(message.contains("affects only windows"), "{message}");
    let (code, advisories, _) = check(&["--target", WINDOWS]);
    assert_eq!(advisories["RUSTSEC-2099-0102"].0, "error");
    assert_eq!(code, 1);
    // Without a build, nothing changes: every advisory counts.
    let (code, advisories, report) = check(&[]);
    assert_eq!(code, 1);
    assert_eq!(advisories["RUSTSEC-2099-0101"].0, "error");
    assert!(report["coverage"]["rules"].get("build").is_none());
}

#[test]
fn a_crate_compiled_for_some_of_the_targets_is_a_finding_that_says_for_which() {
    // `winonly` is compiled for Windows only: with Linux and Windows requested it ships in
    // the Windows build, so its advisory fails the gate, and the message says where.
    let (code, advisories, _) =
        check_case("several-targets", &["--target", LINUX, "--target", WINDOWS]);
    assert_eq!(code, 1, "{advisories:?}");
    let (severity, message) = &advisories["RUSTSEC-2099-0103"];
    assert_eq!(severity, "error");
    assert!(
        message
            .ends_with("(compiled for x86_64-pc-windows-msvc, not for x86_64-unknown-linux-gnu)"),
        "{message}"
    );
    // Linux alone: not compiled, a note.
    let (code, advisories, _) = check_case("several-targets", &["--target", LINUX]);
    assert_eq!(code, 0, "{advisories:?}");
    assert_eq!(advisories["RUSTSEC-2099-0103"].0, "note");
    // Windows alone: compiled for every requested target, nothing added.
    let (_, advisories, _) = check_case("several-targets", &["--target", WINDOWS]);
    assert!(!advisories["RUSTSEC-2099-0103"].1.contains("not for"));
}

#[test]
fn unknown_targets_features_and_members_are_usage_errors() {
    for (arguments, expected) in [
        (
            &["--target", "x86_64-unknown-nowhere"][..],
            "unknown target triple `x86_64-unknown-nowhere`",
        ),
        (
            &["--features", "legacy,nope"][..],
            "none of the selected workspace members has the feature `nope`",
        ),
        (
            &["--package", "other"][..],
            "`--package` `other`: no workspace member of that name",
        ),
    ] {
        let output = depgate()
            .arg("check")
            .arg(fixture("cargo/build-exact/vulnerable-optional"))
            .args(["--offline", "--allow-stale-db"])
            .args(arguments)
            .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert!(stderr.contains(expected), "{arguments:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

/// Runs depgate with `arguments` on the vulnerable-optional fixture; stdout and stderr.
fn run_on_fixture(arguments: &[&str]) -> (String, String) {
    let output = depgate()
        .args(arguments)
        .arg(fixture("cargo/build-exact/vulnerable-optional"))
        .args(["--offline"])
        .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(0), "{arguments:?}: {stderr}");
    (String::from_utf8_lossy(&output.stdout).to_string(), stderr)
}

#[test]
fn an_sbom_for_a_target_lists_the_build_and_records_it() {
    let (stdout, stderr) = run_on_fixture(&["sbom", "--target", LINUX]);
    let sbom: Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = sbom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shared"]);
    let properties = sbom["metadata"]["properties"].to_string();
    assert!(
        properties
            .contains(r#"{"name":"depgate:build:target","value":"x86_64-unknown-linux-gnu"}"#),
        "{properties}"
    );
    assert!(
        properties.contains(r#"{"name":"depgate:build:features","value":"the default features"}"#),
        "{properties}"
    );
    // The graph is the build's: the root depends on `shared` alone.
    let root = &sbom["dependencies"][0];
    assert_eq!(
        root["dependsOn"],
        serde_json::json!(["pkg:cargo/shared@1.0.0"])
    );
    assert!(
        stderr.contains("1 crate of the lockfile is not compiled for x86_64-unknown-linux-gnu"),
        "{stderr}"
    );

    // With the feature, the optional crate is in, with the features it is compiled with.
    let (stdout, _) = run_on_fixture(&["sbom", "--target", LINUX, "--features", "legacy"]);
    let sbom: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sbom["components"].as_array().unwrap().len(), 2);
    assert!(stdout.contains("depgate:build:features"), "{stdout}");

    // SPDX records the build in the creation info.
    let (stdout, _) = run_on_fixture(&["sbom", "--target", WINDOWS, "--format", "spdx-json"]);
    let spdx: Value = serde_json::from_str(&stdout).unwrap();
    let comment = spdx["creationInfo"]["comment"].as_str().unwrap();
    assert!(
        comment.contains("depgate:build:target=x86_64-pc-windows-msvc"),
        "{comment}"
    );
}

#[test]
fn explain_says_why_a_crate_is_or_is_not_in_the_build() {
    let (stdout, _) = run_on_fixture(&["explain", "weakcrypto", "--target", LINUX]);
    assert!(
        stdout.contains("not compiled for x86_64-unknown-linux-gnu with the default features"),
        "{stdout}"
    );
    let (stdout, _) = run_on_fixture(&[
        "explain",
        "weakcrypto",
        "--target",
        LINUX,
        "--features",
        "legacy",
    ]);
    assert!(
        stdout.contains(
            "app 0.1.0: dependency `weakcrypto`, optional, enabled by feature `legacy` of `app`, enabled by the command line"
        ),
        "{stdout}"
    );
}

#[test]
fn vex_states_crates_outside_the_build_as_not_affected() {
    let vex = |format: &str, extra: &[&str]| -> Value {
        let mut arguments = vec![
            "vex",
            "--advisory-db",
            "",
            "--allow-stale-db",
            "--format",
            format,
            "--target",
            LINUX,
        ];
        arguments.extend_from_slice(extra);
        let db = fixture("cargo/build-exact/advisory-db");
        let db = db.to_str().unwrap();
        arguments[2] = db;
        serde_json::from_str(&run_on_fixture(&arguments).0).unwrap()
    };
    let openvex = vex("openvex", &[]);
    let statements = openvex["statements"].as_array().unwrap();
    let by_id = |id: &str| {
        statements
            .iter()
            .find(|s| s["vulnerability"]["name"] == id)
            .unwrap_or_else(|| panic!("{id}: {statements:?}"))
    };
    assert_eq!(by_id("RUSTSEC-2099-0101")["status"], "not_affected");
    assert_eq!(
        by_id("RUSTSEC-2099-0101")["justification"],
        "component_not_present"
    );
    assert_eq!(
        by_id("RUSTSEC-2099-0102")["justification"],
        "vulnerable_code_not_present"
    );
    let cyclonedx = vex("cyclonedx", &[]);
    let analysis = cyclonedx["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "RUSTSEC-2099-0101")
        .unwrap()["analysis"]
        .clone();
    assert_eq!(analysis["state"], "not_affected");
    assert_eq!(analysis["justification"], "code_not_present");
    // With the feature on, the crate is compiled and affected.
    let openvex = vex("openvex", &["--features", "legacy"]);
    let statement = openvex["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2099-0101")
        .unwrap();
    assert_eq!(statement["status"], "affected");
}

#[test]
fn in_a_monorepo_a_feature_of_one_workspace_is_no_error() {
    let dir = tempfile::tempdir().unwrap();
    for case in ["vulnerable-optional", "weak-feature"] {
        std::fs::create_dir(dir.path().join(case)).unwrap();
        for file in ["Cargo.toml", "Cargo.lock"] {
            std::fs::copy(
                fixture(&format!("cargo/build-exact/{case}/{file}")),
                dir.path().join(case).join(file),
            )
            .unwrap();
        }
    }
    let sbom = |features: &str| {
        depgate()
            .arg("sbom")
            .arg(dir.path())
            .args(["--offline", "--target", LINUX, "--features", features])
            .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
            .output()
            .unwrap()
    };
    // `legacy` is vulnerable-optional's, `with-beta` weak-feature's.
    let output = sbom("legacy,with-beta");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("pkg:cargo/weakcrypto@0.1.0"), "{stdout}");
    assert!(stdout.contains("pkg:cargo/beta@1.0.0"), "{stdout}");
    // A feature neither has is still a usage error.
    let output = sbom("legacy,nope");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("has the feature `nope`"), "{stderr}");
}

#[test]
fn build_flags_without_a_cargo_lockfile_are_said_not_ignored() {
    let output = depgate()
        .arg("sbom")
        .arg(fixture("npm/lock-v3/package-lock.json"))
        .args(["--offline", "--target", LINUX])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("resolve Cargo workspaces only"), "{stderr}");
}

/// `depgate ARGUMENTS…` in the fixture cargo home: (exit code, stderr).
fn run_plain(arguments: &[&str]) -> (i32, String) {
    let output = depgate()
        .args(arguments)
        .args(["--offline"])
        .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
        .env("DEPGATE_TODAY", "2099-05-23")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

#[test]
fn build_flags_on_an_sbom_that_records_no_build_are_a_usage_error() {
    let plain = fixture("sbom/cyclonedx-1.6-json/bom.cdx.json");
    let plain = plain.to_str().unwrap();
    // Every way a command reads an SBOM instead of manifests.
    let commands: [&[&str]; 6] = [
        &["check", ".", "--sbom", plain],
        &["check", plain],
        &["licenses", "--sbom", plain],
        &["notices", "--sbom", plain],
        &["sbom", "--from", plain],
        &["vex", ".", "--sbom", plain],
    ];
    for command in commands {
        let mut arguments = command.to_vec();
        arguments.extend(["--target", LINUX]);
        let (code, stderr) = run_plain(&arguments);
        assert_eq!(code, 2, "{arguments:?}: {stderr}");
        assert!(
            stderr.contains(
                "an SBOM cannot be resolved for the build x86_64-unknown-linux-gnu with the default features: it lists packages without their `[features]` tables or `cfg(…)` conditions"
            ) && stderr.contains("scan the lockfile or workspace with these flags instead"),
            "{arguments:?}: {stderr}"
        );
        assert!(stderr.contains("bom.cdx.json"), "{stderr}");
    }
    // A feature flag alone is refused too; without any flag the SBOM is read as it is.
    let (code, stderr) = run_plain(&["licenses", "--sbom", plain, "--no-default-features"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(run_plain(&["licenses", "--sbom", plain]).0, 0);
}

#[test]
fn an_sbom_made_for_the_build_is_accepted_with_the_same_flags_only() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [
        ("cyclonedx-json", "build.cdx.json"),
        ("cyclonedx-xml", "build.cdx.xml"),
        ("spdx-json", "build.spdx.json"),
        ("spdx3-json", "build.spdx3.json"),
    ] {
        let file = dir.path().join(name);
        let file_name = file.to_str().unwrap();
        let app = fixture("cargo/build-exact/vulnerable-optional");
        let (code, stderr) = run_plain(&[
            "sbom",
            app.to_str().unwrap(),
            "--format",
            format,
            "--target",
            LINUX,
            "--target",
            WINDOWS,
            "--features",
            "legacy",
            "-o",
            file_name,
        ]);
        assert_eq!(code, 0, "{stderr}");
        let db = fixture("cargo/build-exact/advisory-db");
        let check = |flags: &[&str]| {
            let mut arguments = vec![
                "check",
                ".",
                "--sbom",
                file_name,
                "--advisory-db",
                db.to_str().unwrap(),
                "--allow-stale-db",
            ];
            arguments.extend_from_slice(flags);
            run_plain(&arguments)
        };
        // The same build, targets in another order: accepted, and the SBOM's crates are
        // checked (weakcrypto is in it, with its advisory: the gate fails).
        let (code, stderr) = check(&["--target", WINDOWS, "--target", LINUX, "-F", "legacy"]);
        assert_eq!(code, 1, "{format}: {stderr}");
        // Another build: refused, naming both.
        let (code, stderr) = check(&["--target", LINUX]);
        assert_eq!(code, 2, "{format}: {stderr}");
        assert!(
            stderr.contains(
                "the SBOM was made for x86_64-unknown-linux-gnu or x86_64-pc-windows-msvc with the default features and `legacy` (its `depgate:build:*` properties), not for the requested x86_64-unknown-linux-gnu with the default features"
            ),
            "{format}: {stderr}"
        );
        // Without flags it is evaluated as it is.
        assert_eq!(check(&[]).0, 1, "{format}");
    }
}
