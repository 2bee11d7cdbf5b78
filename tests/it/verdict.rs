//! One verdict: `check` in every findings format, its exit code and the attestation report the
//! same result and the same counts, with an applied, an expired and an unused waiver in play.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{depgate, fixture};

/// Both fixture crates have no license (`licenses.unknown` denies): one finding is waived
/// until 2099, the other's waiver expired in 2020 (its finding is back and `expired-waiver`
/// says so), and a third waiver matches nothing (`unused-waiver`).
const POLICY: &str = r#"
[policy]
name = "verdict"
owner = "compliance@example.com"

[licenses]
allow-categories = ["permissive"]
unknown = "deny"

[waivers]
unused = "warn"

[[waivers.waive]]
id = "ALPHA"
package = "attest-fixture-alpha"
code = "license-unknown"
reason = "vendor confirmed MIT by mail"
owner = "legal@example.com"
expires = "2099-12-31"

[[waivers.waive]]
id = "BETA"
package = "attest-fixture-beta"
code = "license-unknown"
reason = "under review"
owner = "legal@example.com"
expires = "2020-01-01"

[[waivers.waive]]
id = "GHOST"
package = "no-such-crate"
reason = "left over"
owner = "legal@example.com"
expires = "2099-12-31"
"#;

fn run(root: &Path, args: &[&str]) -> Output {
    depgate()
        .args(args)
        .arg(root)
        .arg("--advisory-db")
        .arg(fixture("advisories/attest"))
        .arg("--allow-stale-db")
        .env("DEPGATE_TODAY", "2026-06-01")
        .output()
        .unwrap()
}

#[test]
fn every_format_the_exit_code_and_the_attestation_agree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    std::fs::create_dir(&root).unwrap();
    std::fs::copy(
        fixture("attest/passing/Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(root.join("depgate.toml"), POLICY).unwrap();

    let json = run(&root, &["check", "--format", "json"]);
    assert_eq!(
        json.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    let summary = &report["summary"];
    let findings = report["findings"].as_array().unwrap();
    let count = |severity: &str| {
        findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count()
    };
    let code_of = |code: &str| findings.iter().filter(|f| f["code"] == code).count();
    // The expired waiver's finding is back as an error, with the expired-waiver error; the
    // applied one is a note; the unused waiver is a warning.
    assert_eq!(code_of("license-unknown"), 2);
    assert_eq!(code_of("expired-waiver"), 1);
    assert_eq!(code_of("unused-waiver"), 1);
    assert_eq!(summary["result"], "fail");
    assert_eq!(summary["errors"], count("error"));
    assert_eq!(summary["warnings"], count("warning"));
    assert_eq!(summary["notes"], count("note"));
    assert_eq!(summary["errors"], 2);
    assert_eq!(summary["warnings"], 1);
    // The waived finding, and the fixture database's age allowed by `--allow-stale-db`.
    assert_eq!(summary["notes"], 2);
    assert_eq!(code_of("advisory-db-stale"), 1);
    // Only the finding the applied waiver hides counts as waived: not the expired waiver's
    // finding, not the waiver findings themselves.
    assert_eq!(summary["waived"], 1);
    assert_eq!(summary["gating"], 2);
    let expired = findings
        .iter()
        .find(|f| f["code"] == "license-unknown" && f["waiver"]["id"] == "BETA")
        .unwrap();
    assert_eq!(expired["waiver"]["expired"], true);
    assert_eq!(expired["severity"], "error");

    let markdown = run(&root, &["check", "--format", "markdown"]);
    assert_eq!(markdown.status.code(), Some(1));
    let text = String::from_utf8(markdown.stdout).unwrap();
    assert!(text.contains("FAIL"), "{text}");
    assert!(
        text.contains("2 errors, 1 warnings, 2 notes (1 waived)"),
        "{text}"
    );

    let sarif = run(&root, &["check", "--format", "sarif"]);
    assert_eq!(sarif.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let level = |name: &str| results.iter().filter(|r| r["level"] == name).count();
    assert_eq!(results.len(), findings.len());
    assert_eq!(level("error"), 2);
    assert_eq!(level("warning"), 1);
    assert_eq!(level("note"), 2);

    let table = run(&root, &["check", "--format", "table"]);
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("FAIL (2 errors, 1 warnings, 2 notes, 1 waived"),
        "{text}"
    );

    let github = run(&root, &["check", "--format", "github"]);
    assert_eq!(github.status.code(), Some(1));
    let text = String::from_utf8(github.stdout).unwrap();
    assert_eq!(text.matches("::error ").count(), 2, "{text}");
    assert_eq!(text.matches("::warning ").count(), 1, "{text}");
    assert_eq!(text.matches("::notice ").count(), 2, "{text}");

    depgate()
        .args(["key", "generate", "--out"])
        .arg(dir.path().join("ci"))
        .assert()
        .success();
    let out = dir.path().join("attestation.cdx.json");
    let attest = depgate()
        .arg("attest")
        .arg(&root)
        .arg("--key")
        .arg(dir.path().join("ci.key"))
        .arg("-o")
        .arg(&out)
        .arg("--advisory-db")
        .arg(fixture("advisories/attest"))
        .arg("--allow-stale-db")
        .env("DEPGATE_TODAY", "2026-06-01")
        .output()
        .unwrap();
    assert_eq!(
        attest.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&attest.stderr)
    );
    let document: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let property = |name: &str| {
        document["metadata"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["value"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no property `{name}`"))
    };
    assert_eq!(property("depgate:verdict"), "fail");
    assert_eq!(
        property("depgate:findings:error"),
        summary["errors"].to_string()
    );
    assert_eq!(
        property("depgate:findings:warning"),
        summary["warnings"].to_string()
    );
    assert_eq!(
        property("depgate:findings:note"),
        summary["notes"].to_string()
    );
    assert_eq!(
        property("depgate:findings:waived"),
        summary["waived"].to_string()
    );
}
