//! VEX in (`check --vex`) and out (`depgate vex`), through the binary.
//!
//! `tests/fixtures/vex/project` is one project: `leaky-parser` 1.0.0 (through `legacy-import`)
//! and 2.0.0 (direct), both affected by RUSTSEC-2099-0101 (alias CVE-2099-1001), and
//! `shared-codec` 0.5.0, reached only through `web-frame`, affected by RUSTSEC-2099-0102
//! (aliases CVE-2099-1002, GHSA-2099-abcd-0102). `documents/` holds one VEX document per
//! format; `later.openvex.json` contradicts `vendor.openvex.json` a month later.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{depgate, fixture};

/// The fixture's own time, so the databases and waivers are judged on a fixed date.
const EPOCH: &str = "4083264000"; // 2099-05-23

fn document(name: &str) -> PathBuf {
    fixture("vex/documents").join(name)
}

/// Per advisory finding `(package version, advisory id)`: its severity and VEX status.
type Advisories = BTreeMap<(String, String), (String, String)>;

/// A check's exit code, advisory findings and `vex-unmatched` messages.
type Checked = (i32, Advisories, Vec<String>);

/// `depgate check` of the fixture project with `policy` and these `--vex` documents: the exit
/// code and, per advisory finding `(package version, advisory id)`, its severity and the
/// status of the VEX statement attached; plus every `vex-unmatched` message.
fn check(policy: &str, vex: &[PathBuf]) -> Checked {
    let mut command = depgate();
    command
        .arg("check")
        .arg(fixture("vex/project"))
        .arg("--policy")
        .arg(fixture(&format!("vex/{policy}")))
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .args(["--allow-stale-db", "--offline", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("DEPGATE_TODAY", "2099-05-23");
    for file in vex {
        command.arg("--vex").arg(file);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {stderr}"));
    let (advisories, unmatched) = advisory_findings(&report["findings"]);
    (output.status.code().unwrap_or(-1), advisories, unmatched)
}

/// Per advisory finding `(package version, advisory id)`, its severity and VEX status; and
/// every `vex-unmatched` message.
fn advisory_findings(findings: &Value) -> (Advisories, Vec<String>) {
    let mut advisories = BTreeMap::new();
    let mut unmatched = Vec::new();
    for finding in findings.as_array().unwrap() {
        match finding["code"].as_str().unwrap() {
            "advisory-vulnerable" => {
                advisories.insert(
                    (
                        format!(
                            "{}@{}",
                            finding["package"]["name"].as_str().unwrap(),
                            finding["package"]["version"].as_str().unwrap()
                        ),
                        finding["advisory"]["id"].as_str().unwrap().to_string(),
                    ),
                    (
                        finding["severity"].as_str().unwrap().to_string(),
                        finding["vex"]["status"].as_str().unwrap_or("-").to_string(),
                    ),
                );
            }
            "vex-unmatched" => unmatched.push(finding["message"].as_str().unwrap().to_string()),
            _ => {}
        }
    }
    (advisories, unmatched)
}

/// Records the fixture project with `policy` in a new store under `dir`, then runs `monitor`
/// with these `--vex` documents: its exit code and the release's advisory findings.
fn monitor(dir: &Path, policy: &Path, vex: &[PathBuf]) -> Checked {
    let store = dir.join("store.sqlite");
    let recorded = depgate()
        .arg("record")
        .arg(fixture("vex/project"))
        .args(["--project", "vex", "--release", "1"])
        .arg("--store")
        .arg(&store)
        .arg("--policy")
        .arg(policy)
        .env("DEPGATE_TODAY", "2099-05-23")
        .output()
        .unwrap();
    assert!(
        recorded.status.success(),
        "{}",
        String::from_utf8_lossy(&recorded.stderr)
    );
    let mut command = depgate();
    command
        .arg("monitor")
        .arg("--store")
        .arg(&store)
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .args(["--allow-stale-db", "--format", "json"])
        .env("DEPGATE_TODAY", "2099-05-23");
    for file in vex {
        command.arg("--vex").arg(file);
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let code = output.status.code().unwrap_or(-1);
    let Ok(report) = serde_json::from_slice::<Value>(&output.stdout) else {
        return (code, BTreeMap::new(), vec![stderr]);
    };
    let (advisories, unmatched) = advisory_findings(&report["releases"][0]["findings"]);
    (code, advisories, unmatched)
}

#[test]
fn monitor_applies_the_recorded_policys_vex_and_its_own_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    // The policy names a document: the release is judged as `check` judges it.
    let with_policy = monitor(
        &dir.path().join("a"),
        &fixture("vex/policy-with-vex.toml"),
        &[],
    );
    assert_eq!(with_policy, check("policy-with-vex.toml", &[]));
    // `--vex` on the monitor: the same as `check --vex`.
    let vendor = document("vendor.openvex.json");
    let with_flag = monitor(
        &dir.path().join("b"),
        &fixture("vex/policy.toml"),
        std::slice::from_ref(&vendor),
    );
    assert_eq!(
        with_flag,
        check("policy.toml", std::slice::from_ref(&vendor))
    );
    assert_ne!(
        with_flag,
        check("policy.toml", &[]),
        "the document changes nothing"
    );
    // A recorded policy whose document is gone cannot be judged: exit 2, naming it.
    let moved = dir.path().join("c");
    std::fs::create_dir_all(moved.join("documents")).unwrap();
    std::fs::copy(
        fixture("vex/policy-with-vex.toml"),
        moved.join("policy.toml"),
    )
    .unwrap();
    std::fs::copy(&vendor, moved.join("documents/vendor.openvex.json")).unwrap();
    let store = moved.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let recorded = monitor(&store, &moved.join("policy.toml"), &[]);
    assert_eq!(recorded.0, with_policy.0, "{recorded:?}");
    std::fs::remove_file(moved.join("documents/vendor.openvex.json")).unwrap();
    let output = depgate()
        .arg("monitor")
        .arg("--store")
        .arg(store.join("store.sqlite"))
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .args(["--allow-stale-db", "--format", "json"])
        .env("DEPGATE_TODAY", "2099-05-23")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("vendor.openvex.json"), "{stderr}");
}

fn key(package: &str, advisory: &str) -> (String, String) {
    (package.to_string(), advisory.to_string())
}

fn seen(severity: &str, status: &str) -> (String, String) {
    (severity.to_string(), status.to_string())
}

#[test]
fn without_vex_every_vulnerable_package_fails() {
    let (code, advisories, unmatched) = check("policy.toml", &[]);
    assert_eq!(code, 1);
    assert!(unmatched.is_empty());
    assert_eq!(advisories.len(), 3);
    assert!(
        advisories
            .values()
            .all(|(severity, vex)| severity == "error" && vex == "-")
    );
}

#[test]
fn an_openvex_statement_covers_its_own_version_and_subcomponent_only() {
    let (code, advisories, unmatched) = check("policy.toml", &[document("vendor.openvex.json")]);
    // A statement on CVE-2099-1001 reaches the RUSTSEC advisory through its alias, for 1.0.0
    // only: 2.0.0 still fails the gate.
    assert_eq!(code, 1);
    assert_eq!(
        advisories[&key("leaky-parser@1.0.0", "RUSTSEC-2099-0101")],
        seen("note", "not_affected")
    );
    assert_eq!(
        advisories[&key("leaky-parser@2.0.0", "RUSTSEC-2099-0101")],
        seen("error", "-")
    );
    // `shared-codec` as a subcomponent of `web-frame`, by its GHSA alias: every path to it
    // passes through `web-frame`, so the statement decides.
    assert_eq!(
        advisories[&key("shared-codec@0.5.0", "RUSTSEC-2099-0102")],
        seen("note", "fixed")
    );
    // The statement about 0.9.0, a version the project does not have, is reported.
    assert_eq!(unmatched.len(), 1, "{unmatched:?}");
    assert!(
        unmatched[0].contains("pkg:cargo/leaky-parser@0.9.0"),
        "{}",
        unmatched[0]
    );
    assert!(unmatched[0].contains("$.statements[2]"), "{}", unmatched[0]);
}

#[test]
fn csaf_and_cyclonedx_xml_statements_apply_by_purl() {
    let (code, advisories, unmatched) = check(
        "policy.toml",
        &[document("vendor.csaf.json"), document("vendor.cdx.xml")],
    );
    assert!(unmatched.is_empty(), "{unmatched:?}");
    assert_eq!(
        advisories[&key("leaky-parser@2.0.0", "RUSTSEC-2099-0101")],
        seen("note", "not_affected")
    );
    assert_eq!(
        advisories[&key("shared-codec@0.5.0", "RUSTSEC-2099-0102")],
        seen("note", "not_affected")
    );
    assert_eq!(
        advisories[&key("leaky-parser@1.0.0", "RUSTSEC-2099-0101")],
        seen("error", "-")
    );
    assert_eq!(code, 1);
}

#[test]
fn the_later_statement_wins_whatever_the_order_on_the_command_line() {
    for order in [
        [
            document("vendor.openvex.json"),
            document("later.openvex.json"),
        ],
        [
            document("later.openvex.json"),
            document("vendor.openvex.json"),
        ],
    ] {
        let (_, advisories, _) = check("policy.toml", &order);
        assert_eq!(
            advisories[&key("leaky-parser@1.0.0", "RUSTSEC-2099-0101")],
            seen("error", "affected"),
            "{order:?}"
        );
    }
}

#[test]
fn an_invalid_document_is_exit_2_naming_the_file_and_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.openvex.json");
    let text = std::fs::read_to_string(document("vendor.openvex.json"))
        .unwrap()
        .replace("\"status\": \"fixed\"", "\"status\": \"resolved\"");
    std::fs::write(&broken, text).unwrap();
    let output = depgate()
        .arg("check")
        .arg(fixture("vex/project"))
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .args(["--allow-stale-db", "--offline", "--vex"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.openvex.json`: invalid"), "{stderr}");
    assert!(
        stderr.contains(
            "invalid OpenVEX 0.2.0 document at `$.statements[1].status`: `resolved` is not one of"
        ),
        "{stderr}"
    );
}

/// `depgate vex` of the fixture project; returns the document's bytes.
fn vex_out(policy: &str, format: &str, vex: &[PathBuf], output: &Path) -> Vec<u8> {
    let mut command = depgate();
    command
        .arg("vex")
        .arg(fixture("vex/project"))
        .arg("--policy")
        .arg(fixture(&format!("vex/{policy}")))
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .args(["--allow-stale-db", "--offline", "--format", format, "-o"])
        .arg(output)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    for file in vex {
        command.arg("--vex").arg(file);
    }
    let result = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("3 "), "{stderr}");
    std::fs::read(output).unwrap()
}

#[test]
fn our_vex_out_read_back_in_suppresses_exactly_the_waived_finding() {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [
        ("openvex", "out.openvex.json"),
        ("cyclonedx", "out.cdx.json"),
        ("csaf", "out.csaf.json"),
    ] {
        let output = dir.path().join(file);
        vex_out("policy-waived.toml", format, &[], &output);
        // Without the waiver, the statements alone decide: the waived finding becomes a note,
        // the two findings stated `affected` keep failing, and every statement matched.
        let (code, advisories, unmatched) = check("policy.toml", &[output]);
        assert_eq!(code, 1, "{format}");
        assert!(unmatched.is_empty(), "{format}: {unmatched:?}");
        assert_eq!(
            advisories[&key("leaky-parser@2.0.0", "RUSTSEC-2099-0101")],
            seen("note", "not_affected"),
            "{format}"
        );
        assert_eq!(
            advisories[&key("leaky-parser@1.0.0", "RUSTSEC-2099-0101")],
            seen("error", "affected"),
            "{format}"
        );
        assert_eq!(
            advisories[&key("shared-codec@0.5.0", "RUSTSEC-2099-0102")],
            seen("error", "affected"),
            "{format}"
        );
    }
}

#[test]
fn vex_out_carries_input_statements_and_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [document("vendor.openvex.json")];
    for format in ["openvex", "cyclonedx", "csaf"] {
        let first = vex_out("policy.toml", format, &inputs, &dir.path().join("a.json"));
        let second = vex_out("policy.toml", format, &inputs, &dir.path().join("b.json"));
        assert_eq!(first, second, "{format}");
    }
    let openvex: Value = serde_json::from_slice(&vex_out(
        "policy.toml",
        "openvex",
        &inputs,
        &dir.path().join("c.json"),
    ))
    .unwrap();
    let statements = openvex["statements"].as_array().unwrap();
    let about = |purl: &str| {
        statements
            .iter()
            .find(|s| s["products"][0]["@id"] == purl)
            .unwrap_or_else(|| panic!("no statement on {purl}: {statements:?}"))
    };
    let carried = about("pkg:cargo/leaky-parser@1.0.0");
    assert_eq!(carried["status"], "not_affected");
    assert_eq!(
        carried["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(carried["timestamp"], "2099-03-01T12:00:00Z");
    assert_eq!(carried["vulnerability"]["name"], "CVE-2099-1001");
    assert!(
        carried["status_notes"]
            .as_str()
            .unwrap()
            .contains("Vendor PSIRT")
    );
    let open = about("pkg:cargo/leaky-parser@2.0.0");
    assert_eq!(open["status"], "affected");
    assert_eq!(
        open["action_statement"],
        "Upgrade `leaky-parser` to a fixed version: >= 3.0.0"
    );
    assert_eq!(about("pkg:cargo/shared-codec@0.5.0")["status"], "fixed");
    assert!(openvex["@id"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(openvex["author"], "security@example.test");
}

#[test]
fn vex_out_needs_a_database_and_something_to_state() {
    let dir = tempfile::tempdir().unwrap();
    let output = depgate()
        .arg("vex")
        .arg(fixture("vex/project"))
        .arg("--policy")
        .arg(fixture("vex/policy.toml"))
        .args(["--offline", "-o"])
        .arg(dir.path().join("none.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no advisory database"));
    assert!(!dir.path().join("none.json").exists());

    // A policy that allows vulnerabilities decides nothing: OpenVEX cannot say that.
    let policy = dir.path().join("allow.toml");
    std::fs::write(
        &policy,
        std::fs::read_to_string(fixture("vex/policy.toml"))
            .unwrap()
            .replace("vulnerability = \"deny\"", "vulnerability = \"allow\""),
    )
    .unwrap();
    let run = |format: &str| {
        depgate()
            .arg("vex")
            .arg(fixture("vex/project"))
            .arg("--policy")
            .arg(&policy)
            .arg("--advisory-db")
            .arg(fixture("vex/advisories"))
            .args(["--allow-stale-db", "--offline", "--format", format])
            .output()
            .unwrap()
    };
    let openvex = run("openvex");
    assert_eq!(openvex.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&openvex.stderr).contains("nothing to state"));
    let cyclonedx = run("cyclonedx");
    assert_eq!(cyclonedx.status.code(), Some(0));
    let document: Value = serde_json::from_slice(&cyclonedx.stdout).unwrap();
    assert_eq!(document["vulnerabilities"], serde_json::json!([]));
}

#[test]
fn an_attestation_embeds_why_each_advisory_was_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("key");
    let generated = depgate()
        .args(["key", "generate", "--out"])
        .arg(&prefix)
        .output()
        .unwrap();
    assert_eq!(generated.status.code(), Some(0));
    let attestation = dir.path().join("attestation.json");
    let output = depgate()
        .arg("attest")
        .arg(fixture("vex/project"))
        .arg("--policy")
        .arg(fixture("vex/policy-waived.toml"))
        .arg("--advisory-db")
        .arg(fixture("vex/advisories"))
        .arg("--vex")
        .arg(document("vendor.cdx.xml"))
        .args(["--allow-stale-db", "--offline", "--key"])
        .arg(prefix.with_extension("key"))
        .arg("-o")
        .arg(&attestation)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&std::fs::read(&attestation).unwrap()).unwrap();
    let states: BTreeMap<String, String> = document["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["affects"][0]["ref"].as_str().unwrap().to_string(),
                v["analysis"]["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        BTreeMap::from([
            ("pkg:cargo/leaky-parser@1.0.0".into(), "exploitable".into()),
            ("pkg:cargo/leaky-parser@2.0.0".into(), "not_affected".into()),
            ("pkg:cargo/shared-codec@0.5.0".into(), "not_affected".into()),
        ])
    );
    // Every `affects` ref names a component of the attested inventory.
    let components = document["components"].to_string();
    for reference in states.keys() {
        assert!(
            components.contains(&format!("\"bom-ref\":\"{reference}\"")),
            "{reference}"
        );
    }
}

#[test]
fn a_policy_names_its_vex_documents_relative_to_itself() {
    let from_flag = check("policy.toml", &[document("vendor.openvex.json")]);
    let from_policy = check("policy-with-vex.toml", &[]);
    assert_eq!(from_policy, from_flag);
    assert_eq!(
        from_policy.1[&key("leaky-parser@1.0.0", "RUSTSEC-2099-0101")],
        seen("note", "not_affected")
    );
    // `--vex` adds to the policy's documents: the later statement contradicts the vendor's.
    assert_eq!(
        check("policy-with-vex.toml", &[document("later.openvex.json")]),
        check(
            "policy.toml",
            &[
                document("vendor.openvex.json"),
                document("later.openvex.json")
            ]
        )
    );
}

/// The OpenVEX statement `depgate vex` writes for `leaky-parser` 2.0.0 under `policy`.
fn waived_statement(policy: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.openvex.json");
    let document: Value =
        serde_json::from_slice(&vex_out(policy, "openvex", &[], &output)).unwrap();
    document["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["products"][0]["@id"]
                .as_str()
                .is_some_and(|id| id.contains("leaky-parser@2.0.0"))
        })
        .cloned()
        .unwrap_or_else(|| panic!("no statement for leaky-parser 2.0.0: {document}"))
}

#[test]
fn a_waiver_states_its_own_vex_status_and_justification() {
    // By default a waiver says `not_affected`, with its reason as the impact statement.
    let plain = waived_statement("policy-waived.toml");
    assert_eq!(plain["status"], "not_affected");
    assert!(plain.get("justification").is_none(), "{plain}");
    let justified = waived_statement("policy-waived-justified.toml");
    assert_eq!(justified["status"], "not_affected");
    assert_eq!(
        justified["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    // An accepted risk is `affected`, and its reason says what is done about it.
    let accepted = waived_statement("policy-accepted-risk.toml");
    assert_eq!(accepted["status"], "affected");
    assert!(
        accepted["action_statement"]
            .as_str()
            .is_some_and(|s| s.contains("accepted until the 3.x migration")),
        "{accepted}"
    );
}

#[test]
fn unknown_vex_keys_of_a_waiver_are_policy_errors_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("vex/policy-waived.toml")).unwrap();
    for (key, value, expected) in [
        ("vex-status", "\"maybe\"", "`vex-status` must be"),
        (
            "justification",
            "\"trust me\"",
            "`justification` must be one of",
        ),
    ] {
        let policy = dir.path().join("depgate.toml");
        std::fs::write(&policy, format!("{text}{key} = {value}\n")).unwrap();
        let out = depgate()
            .args(["policy", "lint", "--policy"])
            .arg(&policy)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        let line = text.lines().count() + 1;
        assert!(stderr.contains(&format!("line {line},")), "{stderr}");
    }
    // A justification belongs to `not_affected` only.
    std::fs::write(
        dir.path().join("depgate.toml"),
        format!("{text}vex-status = \"affected\"\njustification = \"component_not_present\"\n"),
    )
    .unwrap();
    let out = depgate()
        .args(["policy", "lint", "--policy"])
        .arg(dir.path().join("depgate.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("goes with `vex-status = \"not_affected\"` only")
    );
}
