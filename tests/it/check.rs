//! `depgate check`: exit codes through the binary, and the report formats rendered from a
//! hand-made evaluation (the JSON schema `depgate.findings/v1`, the table and Markdown).

use depgate::evaluate::{FailOn, evaluate};
use depgate::report::{FindingsReport, json, markdown, table};

use crate::common::depgate;
use crate::evaluate::{Builder, date, policy};

#[test]
fn an_empty_directory_is_nothing_to_scan() {
    let dir = tempfile::tempdir().unwrap();
    let out = depgate().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn an_invalid_policy_is_an_input_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("depgate.toml"),
        "[policy]\nowner = \"me\"\n[bans]\nwildcards = \"nope\"\n",
    )
    .unwrap();
    let out = depgate().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("depgate.toml` line 4, column 13"),
        "{stderr}"
    );
}

#[test]
fn bad_flags_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--today", "tomorrow"],
        vec!["--output", "yaml=out.yaml"],
        vec!["--output", "json"],
    ] {
        let out = depgate()
            .arg("check")
            .arg(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

fn sample_report() -> FindingsReport {
    let mut b = Builder::new();
    b.add("serde", "1.0.0", Some("MIT OR Apache-2.0"));
    b.add("gpl-thing", "2.0.0", Some("GPL-3.0-only"));
    b.add("waived", "1.0.0", Some("AGPL-3.0-only"));
    b.add("mystery", "0.1.0", None);
    let p = policy(
        "[licenses]\nallow-categories = [\"permissive\"]\ndeny-categories = [\"strong-copyleft\", \"network-copyleft\"]\nunknown = \"warn\"\n[[waivers.waive]]\nid = \"LEGAL-7\"\npackage = \"waived\"\nreason = \"internal tool only\"\nowner = \"legal@example.com\"\nexpires = 2026-12-31\n",
    );
    let evaluation = evaluate(&b.inventory, &p, date("2026-06-01"));
    FindingsReport::new(&b.inventory, &p, &evaluation, FailOn::Deny)
}

#[test]
fn json_follows_the_findings_v1_schema() {
    let report = sample_report();
    let value: serde_json::Value = serde_json::from_slice(&json::render(&report)).unwrap();
    assert_eq!(value["schema"], "depgate.findings/v1");
    assert_eq!(value["tool"]["name"], "depgate");
    assert!(value["inputs"]["files"].is_array());
    assert_eq!(value["inputs"]["advisory_databases"], serde_json::json!([]));
    assert_eq!(
        value["inputs"]["policy"]["digest"].as_str().unwrap().len(),
        64
    );
    assert_eq!(value["summary"]["result"], "fail");
    assert_eq!(value["coverage"]["packages"], 5);
    assert_eq!(value["coverage"]["rules"]["licenses"]["evaluated"], 3);
    let findings = value["findings"].as_array().unwrap();
    let first = &findings[0];
    assert_eq!(first["code"], "license-denied");
    assert_eq!(first["rule"], "licenses.denied");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["package"]["name"], "gpl-thing");
    assert_eq!(first["package"]["ecosystem"], "cargo");
    assert_eq!(first["package"]["purl"], "pkg:cargo/gpl-thing@2.0.0");
    assert_eq!(first["license"], "GPL-3.0-only");
    assert_eq!(first["paths"][0], "app 0.1.0 > gpl-thing 2.0.0");
    assert_eq!(first["location"]["file"], "Cargo.lock");
    assert_eq!(first["owner"], "team@example.com");
    let waived = findings
        .iter()
        .find(|f| f["package"]["name"] == "waived")
        .unwrap();
    assert_eq!(waived["severity"], "note");
    assert_eq!(waived["waiver"]["id"], "LEGAL-7");
    assert_eq!(waived["waiver"]["expires"], "2026-12-31");
    // Severities come out sorted: errors, then warnings, then notes.
    let severities: Vec<_> = findings
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, vec!["error", "warning", "note"]);
    // Deterministic.
    assert_eq!(json::render(&report), json::render(&sample_report()));
}

#[test]
fn table_groups_by_severity_with_coverage_and_no_colour_when_asked() {
    let text = String::from_utf8(table::render(&sample_report(), false)).unwrap();
    let errors = text.find("Errors (fail the gate): 1").unwrap();
    let warnings = text.find("Warnings: 1").unwrap();
    let notes = text.find("Notes (waived or informational): 1").unwrap();
    assert!(errors < warnings && warnings < notes, "{text}");
    assert!(text.contains("Coverage:"));
    assert!(
        text.contains("mystery@0.1.0: no license metadata"),
        "{text}"
    );
    assert!(text.contains("waiver `LEGAL-7`"), "{text}");
    assert!(text.contains("Result: FAIL"));
    assert!(!text.contains('\u{1b}'), "no ANSI escapes without colour");
    let coloured = String::from_utf8(table::render(&sample_report(), true)).unwrap();
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn markdown_has_a_verdict_sections_and_coverage() {
    let text = String::from_utf8(markdown::render(&sample_report())).unwrap();
    assert!(text.starts_with("## depgate check: ❌ FAIL"), "{text}");
    assert!(text.contains("### Errors (1)"));
    assert!(
        text.contains("| `license-denied` | `gpl-thing` 2.0.0 |"),
        "{text}"
    );
    assert!(text.contains("### Coverage"));
    assert!(text.contains("| licenses | 3 | 1 |"), "{text}");
    assert!(text.contains("<details><summary>Not evaluated (1)</summary>"));
}

#[test]
fn the_builtin_policy_is_named_in_every_format() {
    let mut b = Builder::new();
    b.add("serde", "1.0.0", Some("MIT"));
    let p = depgate::policy::builtin().unwrap();
    let evaluation = evaluate(&b.inventory, &p, date("2026-06-01"));
    let report = FindingsReport::new(&b.inventory, &p, &evaluation, FailOn::Deny);
    let value: serde_json::Value = serde_json::from_slice(&json::render(&report)).unwrap();
    assert_eq!(value["inputs"]["policy"]["source"], "builtin");
    assert_eq!(value["summary"]["result"], "pass");
    let text = String::from_utf8(table::render(&report, false)).unwrap();
    assert!(text.contains("built-in default"), "{text}");
    let md = String::from_utf8(markdown::render(&report)).unwrap();
    assert!(md.contains("built-in default"), "{md}");
}
