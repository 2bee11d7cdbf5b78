//! RustSec `[affected] functions` on findings: the functions appear in the JSON
//! (`advisory.affected_functions`), in every report's message, in `explain` and in VEX action
//! statements; a version inside the advisory's range but outside every function's versions is
//! still reported, and says so. Fixtures: `tests/fixtures/cargo/affected-functions` (a
//! lockfile with `sealer 0.5.0` and `looseview 0.1.2`) and the RustSec-format database
//! `tests/fixtures/advisories/affected-functions`.

use std::process::Output;

use serde_json::Value;

use crate::common::{depgate, fixture};

fn run(arguments: &[&str]) -> Output {
    depgate()
        .args(arguments)
        .arg(fixture("cargo/affected-functions"))
        .arg("--advisory-db")
        .arg(fixture("advisories/affected-functions"))
        .arg("--offline")
        .env("DEPGATE_TODAY", "2025-02-02")
        .output()
        .unwrap()
}

/// The advisory findings of `check --format FORMAT`'s JSON report, by advisory id.
fn findings() -> Vec<Value> {
    let output = run(&["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["advisory"].is_object())
        .cloned()
        .collect()
}

fn finding<'a>(findings: &'a [Value], id: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["advisory"]["id"] == id)
        .unwrap_or_else(|| panic!("{id}: {findings:#?}"))
}

#[test]
fn the_functions_in_range_are_listed_on_the_finding() {
    let findings = findings();
    let sealer = finding(&findings, "RUSTSEC-2099-0201");
    assert_eq!(sealer["severity"], "error");
    let functions: Vec<(String, bool)> = sealer["advisory"]["affected_functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["version_in_range"].as_bool().unwrap(),
            )
        })
        .collect();
    // `export` is affected in `>= 0.4.0, < 0.5.0` only: not in 0.5.0.
    assert_eq!(
        functions,
        [
            ("sealer::Context::export".to_string(), false),
            ("sealer::Context::open".to_string(), true),
            ("sealer::Context::seal".to_string(), true),
        ]
    );
    assert_eq!(
        sealer["advisory"]["affected_functions"][0]["versions"],
        serde_json::json!([">=0.4.0, <0.5.0"])
    );
    let message = sealer["message"].as_str().unwrap();
    assert!(
        message.ends_with("affected functions: `sealer::Context::open`, `sealer::Context::seal`"),
        "{message}"
    );
}

#[test]
fn a_version_outside_every_function_but_inside_the_advisory_is_still_reported_and_says_so() {
    let findings = findings();
    let looseview = finding(&findings, "RUSTSEC-2099-0202");
    // Still a violation: the function list stops at the release the advisory was written
    // against, and no version fixes it.
    assert_eq!(looseview["severity"], "error");
    let message = looseview["message"].as_str().unwrap();
    assert!(
        message.contains(
            "0.1.2 is outside the versions of every function the advisory names (`looseview::View::get_ref` (<=0.1.1)) but inside its affected range: still reported"
        ),
        "{message}"
    );
    assert_eq!(
        looseview["advisory"]["affected_functions"][0]["version_in_range"],
        false
    );
}

#[test]
fn an_advisory_without_functions_has_no_field() {
    // The build-exact fixture database names no functions.
    let output = depgate()
        .arg("check")
        .arg(fixture("cargo/build-exact/vulnerable-optional"))
        .arg("--advisory-db")
        .arg(fixture("cargo/build-exact/advisory-db"))
        .args(["--allow-stale-db", "--offline", "--format", "json"])
        .env("CARGO_HOME", fixture("cargo/build-exact/cargo-home"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let advisory = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["advisory"]["id"] == "RUSTSEC-2099-0102")
        .unwrap();
    assert!(advisory["advisory"].get("affected_functions").is_none());
    assert!(!advisory["message"].as_str().unwrap().contains("function"));
}

#[test]
fn sarif_table_and_explain_name_the_functions() {
    let sarif = run(&["check", "--format", "sarif"]);
    let sarif = String::from_utf8_lossy(&sarif.stdout);
    assert!(
        sarif.contains("affected functions: `sealer::Context::open`, `sealer::Context::seal`"),
        "{sarif}"
    );
    let table = run(&["check", "--format", "markdown"]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("`sealer::Context::open`"), "{table}");

    let explain = |package: &str| {
        let output = depgate()
            .args(["explain", package])
            .arg(fixture("cargo/affected-functions"))
            .arg("--advisory-db")
            .arg(fixture("advisories/affected-functions"))
            .arg("--offline")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let sealer = explain("sealer");
    assert!(
        sealer.contains(
            "RUSTSEC-2099-0201 (vulnerability): Nonce reuse in sealer; upgrade to >= 0.6.0"
        ),
        "{sealer}"
    );
    assert!(
        sealer.contains("affected function `sealer::Context::seal` (<=0.5.0): 0.5.0 is in range"),
        "{sealer}"
    );
    assert!(
        sealer.contains(
            "affected function `sealer::Context::export` (>=0.4.0, <0.5.0): 0.5.0 is outside its versions"
        ),
        "{sealer}"
    );
    let looseview = explain("looseview");
    assert!(
        looseview.contains(
            "0.1.2 is outside the versions of every function named, but inside the advisory's range"
        ),
        "{looseview}"
    );
}

#[test]
fn a_vex_action_statement_names_the_functions_to_review() {
    let output = run(&["vex", "--format", "openvex", "--allow-stale-db"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let openvex: Value = serde_json::from_slice(&output.stdout).unwrap();
    let statement = openvex["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vulnerability"]["name"] == "RUSTSEC-2099-0201")
        .unwrap();
    assert_eq!(statement["status"], "affected");
    assert_eq!(
        statement["action_statement"],
        "Upgrade `sealer` to a fixed version: >= 0.6.0; until then, review the uses of `sealer::Context::open`, `sealer::Context::seal`"
    );
}
