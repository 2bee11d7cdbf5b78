//! `depgate attest` and `depgate verify` end to end through the binary: key generation,
//! attest, verify, determinism, exit codes, and every kind of drift (packages added, removed
//! and changed, a changed policy, a newly published advisory), with the fixtures in
//! `tests/fixtures/attest/` and `tests/fixtures/advisories/attest*/`.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::{depgate, fixture};

/// A scratch project: a copy of a fixture lockfile and the attestation test policy, plus a
/// key pair made by `depgate key generate`.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(scenario: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        std::fs::create_dir(&root).unwrap();
        let project = Project { dir };
        project.use_lockfile(scenario);
        std::fs::copy(
            fixture("attest/policy/depgate.toml"),
            root.join("depgate.toml"),
        )
        .unwrap();
        depgate()
            .args(["key", "generate", "--out"])
            .arg(project.dir.path().join("ci"))
            .assert()
            .success();
        project
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Replaces the project's lockfile with the one of another scenario.
    fn use_lockfile(&self, scenario: &str) {
        std::fs::copy(
            fixture(&format!("attest/{scenario}/Cargo.lock")),
            self.root().join("Cargo.lock"),
        )
        .unwrap();
    }

    /// Edits a project file in place, checking that the edit did something.
    fn edit(&self, name: &str, from: &str, to: &str) {
        let path = self.root().join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "`{from}` not in {name}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }

    /// `depgate attest PROJECT --key ci.key -o OUT --advisory-db DB --allow-stale-db ARGS…`.
    fn attest(&self, out: &str, database: &str, extra: &[&str]) -> Output {
        depgate()
            .arg("attest")
            .arg(self.root())
            .arg("--key")
            .arg(self.file("ci.key"))
            .arg("-o")
            .arg(self.file(out))
            .arg("--advisory-db")
            .arg(fixture(database))
            .arg("--allow-stale-db")
            .args(extra)
            .output()
            .unwrap()
    }

    /// `depgate verify OUT --key ci.pub PROJECT --advisory-db DB --allow-stale-db`.
    fn verify(&self, attestation: &str, database: &str) -> Output {
        depgate()
            .arg("verify")
            .arg(self.file(attestation))
            .arg("--key")
            .arg(self.file("ci.pub"))
            .arg(self.root())
            .arg("--advisory-db")
            .arg(fixture(database))
            .arg("--allow-stale-db")
            .output()
            .unwrap()
    }

    fn document(&self, out: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.file(out)).unwrap()).unwrap()
    }
}

const DB: &str = "advisories/attest";
const NEWER_DB: &str = "advisories/attest-newer";

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it is wrong.
fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

fn property(document: &Value, name: &str) -> Option<String> {
    document["metadata"]["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
        .map(str::to_string)
}

fn component_names(document: &Value) -> Vec<String> {
    let mut names: Vec<String> = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}@{}", c["name"].as_str().unwrap(), c["version"]))
        .collect();
    names.sort();
    names
}

#[test]
fn key_generate_attest_verify_round_trip() {
    let project = Project::new("passing");
    let output = project.attest("attestation.cdx.json", DB, &[]);
    assert_code(&output, 0);
    assert!(stdout(&output).is_empty(), "the document went to the file");
    let attest_stderr = stderr(&output);
    assert!(attest_stderr.contains("PASS"), "{attest_stderr}");

    let document = project.document("attestation.cdx.json");
    assert_eq!(document["specVersion"], "1.6");
    assert_eq!(
        property(&document, "depgate:verdict").as_deref(),
        Some("pass")
    );
    assert_eq!(
        component_names(&document),
        [
            "attest-fixture-alpha@\"1.0.0\"",
            "attest-fixture-beta@\"2.1.0\""
        ]
    );
    // What `check` evaluated, recorded: the policy with its owner, the lockfile (by its path
    // relative to the scanned directory) and the advisory database.
    let standard = &document["definitions"]["standards"][0];
    assert_eq!(standard["name"], "attest-fixture");
    assert_eq!(standard["owner"], "Example Org compliance team");
    assert!(
        standard["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["identifier"] == "advisories.vulnerability")
    );
    let lockfile = std::fs::read(project.root().join("Cargo.lock")).unwrap();
    assert_eq!(
        property(&document, "depgate:input:Cargo.lock"),
        Some(format!("sha256:{}", depgate::util::sha256_hex(&lockfile)))
    );
    assert!(property(&document, "depgate:advisory-db:rustsec:revision").is_some());
    assert_eq!(
        property(&document, "depgate:advisory-db:rustsec:updated").as_deref(),
        Some("2025-01-15")
    );
    assert_eq!(
        property(&document, "depgate:policy:owner").as_deref(),
        Some("Example Org compliance team")
    );

    // Signature and document only.
    let output = depgate()
        .arg("verify")
        .arg(project.file("attestation.cdx.json"))
        .arg("--key")
        .arg(project.file("ci.pub"))
        .output()
        .unwrap();
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("verdict:    PASS"),
        "{}",
        stdout(&output)
    );
    // `attest` and `verify` count the same components.
    let count = property(&document, "depgate:components").unwrap();
    assert!(
        stdout(&output).contains(&format!(", {count} components")),
        "{}",
        stdout(&output)
    );
    assert!(
        attest_stderr.contains(&format!("attested {count} components")),
        "{attest_stderr}"
    );

    // … and against the unchanged project: re-evaluated, nothing differs.
    let output = project.verify("attestation.cdx.json", DB);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("unchanged:"),
        "{}",
        stdout(&output)
    );

    // The DSSE form verifies the same way.
    let output = project.attest("attestation.dsse.json", DB, &["--envelope", "dsse"]);
    assert_code(&output, 0);
    let envelope = project.document("attestation.dsse.json");
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let output = project.verify("attestation.dsse.json", DB);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("DSSE envelope"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("unchanged:"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_failing_verdict_is_attested_and_exits_one() {
    let project = Project::new("failing");
    let output = project.attest("attestation.cdx.json", DB, &[]);
    // The gate failed, but the attestation of that verdict is written all the same.
    assert_code(&output, 1);
    assert!(stderr(&output).contains("FAIL"), "{}", stderr(&output));
    let document = project.document("attestation.cdx.json");
    assert_eq!(
        property(&document, "depgate:verdict").as_deref(),
        Some("fail")
    );
    assert!(document.to_string().contains("RUSTSEC-2099-0001"));
    // The counter-claim targets the vulnerable component itself.
    let vulnerable_ref = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "attest-fixture-vulnerable")
        .map(|c| c["bom-ref"].clone())
        .unwrap();
    assert!(
        document["declarations"]["claims"]
            .as_array()
            .unwrap()
            .iter()
            .any(|claim| claim["target"] == vulnerable_ref
                && claim["bom-ref"]
                    .as_str()
                    .unwrap()
                    .starts_with("depgate:claim:advisories.vulnerability:violation"))
    );

    // `verify` judges the document and the drift, not the verdict: valid and unchanged.
    let output = project.verify("attestation.cdx.json", DB);
    assert_code(&output, 0);
    assert!(
        stdout(&output).contains("verdict:    FAIL"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("unchanged:"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_signing_key_can_come_from_the_environment() {
    let project = Project::new("passing");
    let pem = std::fs::read_to_string(project.file("ci.key")).unwrap();
    // PEM text in `DEPGATE_SIGNING_KEY`, and standard output instead of `-o`.
    let output = depgate()
        .arg("attest")
        .arg(project.root())
        .args(["--advisory-db"])
        .arg(fixture(DB))
        .arg("--allow-stale-db")
        .env("DEPGATE_SIGNING_KEY", &pem)
        .output()
        .unwrap();
    assert_code(&output, 0);
    std::fs::write(project.file("from-env.cdx.json"), &output.stdout).unwrap();
    let output = project.verify("from-env.cdx.json", DB);
    assert_code(&output, 0);

    // No key at all: exit 2 before any scan, and nothing written.
    let output = depgate()
        .arg("attest")
        .arg(project.root())
        .arg("-o")
        .arg(project.file("never.cdx.json"))
        .env_remove("DEPGATE_SIGNING_KEY")
        .output()
        .unwrap();
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("DEPGATE_SIGNING_KEY"),
        "{}",
        stderr(&output)
    );
    assert!(!project.file("never.cdx.json").exists());

    // A public key where the private key belongs: exit 2, naming the file.
    let output = depgate()
        .arg("attest")
        .arg(project.root())
        .arg("--key")
        .arg(project.file("ci.pub"))
        .output()
        .unwrap();
    assert_code(&output, 2);
    assert!(stderr(&output).contains("ci.pub"), "{}", stderr(&output));
}

#[test]
fn two_runs_with_source_date_epoch_and_a_fixed_key_are_byte_identical() {
    let project = Project::new("failing");
    // A fixed key, not a fresh one: Ed25519 is deterministic, so the bytes must match.
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    std::fs::write(
        project.file("fixed.key"),
        depgate::attest::keys::private_key_pem(&key).unwrap(),
    )
    .unwrap();
    let run = |out: &str, envelope: &str| {
        let output = depgate()
            .arg("attest")
            .args(["--envelope", envelope])
            .arg(project.root())
            .arg("--key")
            .arg(project.file("fixed.key"))
            .arg("-o")
            .arg(project.file(out))
            .arg("--advisory-db")
            .arg(fixture(DB))
            .arg("--allow-stale-db")
            .env("SOURCE_DATE_EPOCH", "1735689600")
            .output()
            .unwrap();
        assert_code(&output, 1);
        std::fs::read(project.file(out)).unwrap()
    };
    let first = run("first.cdx.json", "jsf");
    let second = run("second.cdx.json", "jsf");
    assert!(first == second, "two runs differ");
    let first_envelope = run("first.dsse.json", "dsse");
    let second_envelope = run("second.dsse.json", "dsse");
    assert!(first_envelope == second_envelope, "two DSSE runs differ");
    assert!(first_envelope != first);
    let document: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(document["metadata"]["timestamp"], "2025-01-01T00:00:00Z");
    assert_eq!(
        property(&document, "depgate:evaluated-at").as_deref(),
        Some("2025-01-01T00:00:00Z")
    );
    // The database age is judged on the evaluation date: 2025-01-15 is in its future.
    assert_eq!(
        property(&document, "depgate:advisory-db:rustsec:age-days"),
        None
    );
}

/// Attests the passing project, applies `change`, and returns `verify`'s output against the
/// changed project (with the advisory database `database`).
fn drift_after(change: impl FnOnce(&Project), database: &str) -> Output {
    let project = Project::new("passing");
    assert_code(&project.attest("attestation.cdx.json", DB, &[]), 0);
    change(&project);
    project.verify("attestation.cdx.json", database)
}

#[test]
fn drift_an_added_package() {
    let output = drift_after(|project| project.use_lockfile("added"), DB);
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("added:      attest-fixture-gamma@0.3.0"),
        "{text}"
    );
    assert!(text.contains("input:      `Cargo.lock` sha256:"), "{text}");
    assert!(!text.contains("removed:"), "{text}");
    assert!(!text.contains("policy:     digest"), "{text}");
}

#[test]
fn drift_a_removed_package() {
    let output = drift_after(|project| project.use_lockfile("removed"), DB);
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("removed:    attest-fixture-beta@2.1.0"),
        "{text}"
    );
    assert!(!text.contains("added:"), "{text}");
}

#[test]
fn drift_a_changed_version() {
    let output = drift_after(
        |project| project.edit("Cargo.lock", "version = \"2.1.0\"", "version = \"2.2.0\""),
        DB,
    );
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(
        text.contains("changed:    attest-fixture-beta 2.1.0 -> 2.2.0"),
        "{text}"
    );
    assert!(
        !text.contains("added:") && !text.contains("removed:"),
        "{text}"
    );
}

#[test]
fn drift_a_changed_policy() {
    let output = drift_after(
        |project| project.edit("depgate.toml", "unknown = \"warn\"", "unknown = \"allow\""),
        DB,
    );
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(text.contains("policy:     digest "), "{text}");
    // Only the policy changed: the inventory is the same.
    assert!(
        !text.contains("added:") && !text.contains("removed:") && !text.contains("changed:"),
        "{text}"
    );
}

#[test]
fn drift_a_newly_published_advisory() {
    // Same lockfile, same policy, but a newer database that knows one more advisory.
    let output = drift_after(|_| {}, NEWER_DB);
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(text.contains("database:   rustsec revision "), "{text}");
    assert!(
        text.lines()
            .any(|line| line.contains("new violation: advisory-vulnerable")
                && line.contains("RUSTSEC-2099-0002")),
        "{text}"
    );
    assert!(
        !text.contains("added:") && !text.contains("policy:     digest"),
        "{text}"
    );
}

#[test]
fn a_tampered_attestation_exits_two() {
    let project = Project::new("passing");
    assert_code(&project.attest("attestation.cdx.json", DB, &[]), 0);
    let text = std::fs::read_to_string(project.file("attestation.cdx.json")).unwrap();
    assert!(text.contains("\"2.1.0\""));
    std::fs::write(
        project.file("tampered.cdx.json"),
        text.replacen("\"2.1.0\"", "\"2.1.1\"", 1),
    )
    .unwrap();
    let output = project.verify("tampered.cdx.json", DB);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("tampered.cdx.json"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("changed after signing"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).is_empty(),
        "no report for an invalid attestation"
    );
}

#[test]
fn verify_against_an_sbom_of_the_same_state_is_unchanged() {
    let project = Project::new("passing");
    assert_code(&project.attest("attestation.cdx.json", DB, &[]), 0);
    let sbom = project.file("current.cdx.json");
    depgate()
        .arg("sbom")
        .arg(project.root())
        .arg("-o")
        .arg(&sbom)
        .assert()
        .success();
    // `--sbom`: the policy is named explicitly (it is not looked for beside the SBOM).
    let output = depgate()
        .arg("verify")
        .arg(project.file("attestation.cdx.json"))
        .arg("--key")
        .arg(project.file("ci.pub"))
        .arg("--sbom")
        .arg(&sbom)
        .arg("--policy")
        .arg(project.root().join("depgate.toml"))
        .arg("--advisory-db")
        .arg(fixture(DB))
        .arg("--allow-stale-db")
        .output()
        .unwrap();
    // The packages, policy, databases and findings match; the input file is another one
    // (an SBOM instead of the lockfile), and that is reported.
    assert_code(&output, 1);
    let text = stdout(&output);
    assert!(
        !text.contains("added:") && !text.contains("removed:"),
        "{text}"
    );
    assert!(!text.contains("changed:"), "{text}");
    assert!(!text.contains("policy:     digest"), "{text}");
    assert!(!text.contains("new violation"), "{text}");
    assert!(text.contains("input:      `current.cdx.json`"), "{text}");
    assert!(Path::new(&sbom).exists());
}

#[test]
fn a_malformed_lockfile_exits_two_and_writes_nothing() {
    let project = Project::new("passing");
    std::fs::write(
        project.root().join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \n",
    )
    .unwrap();
    let output = project.attest("attestation.cdx.json", DB, &[]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("Cargo.lock"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("line 4"), "{}", stderr(&output));
    assert!(!project.file("attestation.cdx.json").exists());
}
