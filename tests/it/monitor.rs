//! The monitoring loop end to end through the binary, on both store engines: `record`,
//! `monitor` (new advisories, waiver expiry, resolved findings, exit codes, formats, the
//! webhook), `history`, `dashboard --format json`; attested approvals and drift; concurrent
//! writers; a killed run; foreign, damaged and newer stores.
//!
//! PostgreSQL: each test gets a fresh database on the server named by
//! `DEPGATE_TEST_POSTGRES_URL` (`.ci/run` starts one). Without it the PostgreSQL half is
//! skipped with a loud message, or fails when `CI=true` or `DEPGATE_REQUIRE_POSTGRES=1`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::common::{depgate, fixture};
use crate::http_server::{Reply, serve};

/// The date the tests judge against (the fixture databases are older: `--allow-stale-db`).
const TODAY: &str = "2026-01-10";

/// One store to test against.
struct Engine {
    name: &'static str,
    store: String,
    dir: tempfile::TempDir,
}

fn postgres_required() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
        || std::env::var("DEPGATE_REQUIRE_POSTGRES").is_ok_and(|value| value == "1")
}

/// A fresh, empty database on the test server, as a store URL.
fn postgres_store() -> Option<String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let url = std::env::var("DEPGATE_TEST_POSTGRES_URL").unwrap_or_default();
    if url.is_empty() {
        assert!(
            !postgres_required(),
            "the PostgreSQL store tests must run here (CI=true or DEPGATE_REQUIRE_POSTGRES=1), \
             but DEPGATE_TEST_POSTGRES_URL is not set: .ci/run starts a server and sets it"
        );
        // Straight to the process's standard error, past the test harness's capture, so the
        // skip is seen even when every test passes.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: the PostgreSQL half of the store tests: DEPGATE_TEST_POSTGRES_URL is not set \
             (`source .ci/postgres.sh` starts a throwaway server and sets it)"
        );
        return None;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "depgate_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut client = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test server `{url}`: {e}"));
    // The name is made above from numbers only.
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    Some(format!("{base}/{name}"))
}

/// SQLite always; PostgreSQL when a test server is configured.
fn engines() -> Vec<Engine> {
    let mut list = vec![sqlite_engine()];
    if let Some(url) = postgres_store() {
        list.push(Engine {
            name: "postgres",
            store: url,
            dir: tempfile::tempdir().unwrap(),
        });
    }
    list
}

/// A fresh SQLite store in a scratch directory.
fn sqlite_engine() -> Engine {
    let dir = tempfile::tempdir().unwrap();
    Engine {
        name: "sqlite",
        store: dir.path().join("store.sqlite").display().to_string(),
        dir,
    }
}

fn db(name: &str) -> PathBuf {
    fixture(&format!("advisories/{name}"))
}

fn lockfile(scenario: &str) -> PathBuf {
    fixture(scenario).join("Cargo.lock")
}

impl Engine {
    fn record(&self, project: &str, release: &str, lockfile: &Path, policy: &str) -> Output {
        depgate()
            .arg("record")
            .arg(lockfile)
            .args(["--project", project, "--release", release])
            .args(["--store", &self.store, "--policy"])
            .arg(fixture(policy))
            .env("DEPGATE_TODAY", TODAY)
            .output()
            .unwrap()
    }

    fn monitor(&self, database: &str, today: &str, extra: &[&str]) -> Output {
        depgate()
            .args(["monitor", "--store", &self.store, "--allow-stale-db"])
            .arg("--advisory-db")
            .arg(db(database))
            .args(extra)
            .env("DEPGATE_TODAY", today)
            .output()
            .unwrap()
    }

    fn monitor_json(&self, database: &str, today: &str) -> (Option<i32>, Value) {
        let out = self.monitor(database, today, &["--format", "json"]);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: monitor printed no JSON ({e}): {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), json)
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = depgate()
            .args(args)
            .args(["--store", &self.store])
            .env("DEPGATE_TODAY", TODAY)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {args:?}: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn history(&self, project: &str) -> Value {
        self.json(&["history", project, "--format", "json"])
    }

    fn dashboard(&self) -> Value {
        self.json(&["dashboard", "--format", "json"])
    }
}

fn assert_ok(out: &Output, context: &str) {
    assert!(
        out.status.success(),
        "{context}: exit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The changes of the one release named `release` in a monitor report.
fn changes_of<'a>(report: &'a Value, release: &str) -> Vec<&'a Value> {
    report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["release"] == release)
        .flat_map(|r| r["changes"].as_array().unwrap().iter())
        .collect()
}

fn runs_of(history: &Value, release: &str) -> usize {
    history["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["release"] == release)
        .map(|r| r["runs"].as_array().unwrap().len())
        .unwrap_or(0)
}

#[test]
fn a_new_advisory_fails_the_run_once_and_history_keeps_every_verdict() {
    for engine in engines() {
        let name = engine.name;
        let out = engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy");
        assert_ok(&out, name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("3 packages, 3 new to the store"),
            "{stderr}"
        );

        // Day one: nothing known against it.
        let (code, report) = engine.monitor_json("attest", TODAY);
        assert_eq!(code, Some(0), "{name}: {report}");
        assert_eq!(report["schema"], "depgate.monitor/v1");
        assert_eq!(report["releases"][0]["verdict"], "pass");

        // A database revision that knows an advisory for a deployed package.
        let (code, report) = engine.monitor_json("attest-newer", TODAY);
        assert_eq!(code, Some(1), "{name}: {report}");
        let changes = changes_of(&report, "1.0");
        let advisory = changes
            .iter()
            .find(|c| c["kind"] == "new-advisory")
            .unwrap_or_else(|| panic!("{name}: {report}"));
        assert_eq!(advisory["advisory"], "RUSTSEC-2099-0002");
        assert_eq!(advisory["package"], "attest-fixture-beta@2.1.0");
        assert_eq!(advisory["violation"], true);
        assert_eq!(report["summary"]["new_violations"], 1);

        // Known now: still failing, but nothing new.
        let (code, report) = engine.monitor_json("attest-newer", TODAY);
        assert_eq!(code, Some(0), "{name}: {report}");
        assert_eq!(report["releases"][0]["verdict"], "fail");
        assert!(changes_of(&report, "1.0").is_empty(), "{name}: {report}");

        // The fix is deployed: a new current release; the old one stays as history.
        let out = engine.record("shop", "1.1", &lockfile("monitor/fixed"), "attest/policy");
        assert_ok(&out, name);
        assert!(String::from_utf8_lossy(&out.stderr).contains("replaces `1.0` as current"));
        let (code, report) = engine.monitor_json("attest-newer", TODAY);
        assert_eq!(code, Some(0), "{name}: {report}");
        assert_eq!(report["summary"]["releases"], 1);
        assert_eq!(report["releases"][0]["release"], "1.1");
        assert_eq!(report["releases"][0]["verdict"], "pass");

        let history = engine.history("shop");
        assert_eq!(history["schema"], "depgate.history/v1");
        assert_eq!(runs_of(&history, "1.0"), 3, "{name}: {history}");
        assert_eq!(runs_of(&history, "1.1"), 1, "{name}: {history}");
        let old = &history["releases"][0];
        assert_eq!(old["current"], false);
        assert_eq!(old["runs"][1]["verdict"], "fail");
        assert_eq!(old["runs"][0]["databases"][0]["name"], "rustsec");
        // Each verdict names the database revision it was judged with: they differ.
        assert_ne!(
            old["runs"][0]["databases"][0]["revision"],
            old["runs"][1]["databases"][0]["revision"]
        );
        assert_eq!(old["runs"][1]["policy_digest"], old["policy_digest"]);
        let table = depgate()
            .args(["history", "shop", "--store", &engine.store])
            .output()
            .unwrap();
        assert_ok(&table, name);
        let text = String::from_utf8_lossy(&table.stdout);
        assert!(
            text.contains("monitor run") && text.contains("1.1 (current)"),
            "{text}"
        );
    }
}

#[test]
fn waivers_expire_in_production() {
    for engine in engines() {
        let name = engine.name;
        let out = engine.record("pay", "7", &lockfile("attest/passing"), "monitor/waiver");
        assert_ok(&out, name);
        // Waived, far from expiry.
        let (code, report) = engine.monitor_json("attest-newer", "2030-06-01");
        assert_eq!(code, Some(0), "{name}: {report}");
        assert_eq!(report["releases"][0]["counts"]["waived"], 1);
        // The run counts exactly as `check` does on the same release and day.
        let check = depgate()
            .arg("check")
            .arg(lockfile("attest/passing"))
            .arg("--policy")
            .arg(fixture("monitor/waiver"))
            .arg("--advisory-db")
            .arg(db("attest-newer"))
            .args(["--allow-stale-db", "--format", "json"])
            .env("DEPGATE_TODAY", "2030-06-01")
            .output()
            .unwrap();
        let check: Value = serde_json::from_slice(&check.stdout).unwrap();
        for count in ["errors", "warnings", "notes", "waived"] {
            assert_eq!(
                report["releases"][0]["counts"][count], check["summary"][count],
                "{name}: {count}: monitor {report} check {check}"
            );
        }
        // Within `expiring-days`.
        let (code, report) = engine.monitor_json("attest-newer", "2030-06-20");
        assert_eq!(code, Some(0), "{name}: {report}");
        let changes = changes_of(&report, "7");
        assert!(
            changes.iter().any(|c| c["kind"] == "waiver-expiring"),
            "{name}: {report}"
        );
        let dashboard = engine.dashboard();
        let waiver = &dashboard["expiring_waivers"][0];
        assert_eq!(waiver["id"], "SEC-7");
        assert_eq!(waiver["package"], "attest-fixture-beta");
        assert_eq!(waiver["owner"], "payments-team@example.com");
        // Days left are counted from the dashboard's own date.
        assert_eq!(waiver["days_left"], (time_between(TODAY, "2030-06-30")));
        // Expired: the finding it hid is back, and fails the run.
        let (code, report) = engine.monitor_json("attest-newer", "2030-07-05");
        assert_eq!(code, Some(1), "{name}: {report}");
        let changes = changes_of(&report, "7");
        assert!(
            changes
                .iter()
                .any(|c| c["kind"] == "waiver-expired" && c["violation"] == true),
            "{name}: {report}"
        );
    }
}

#[test]
fn a_version_one_store_is_migrated_to_count_waived_notes_as_check_does() {
    let engine = sqlite_engine();
    let out = engine.record("pay", "7", &lockfile("attest/passing"), "monitor/waiver");
    assert_ok(&out, engine.name);
    let (code, report) = engine.monitor_json("attest-newer", "2030-06-01");
    assert_eq!(code, Some(0), "{report}");
    let counted = |dashboard: &Value| dashboard["deployments"][0]["counts"].clone();
    let current = counted(&engine.dashboard());
    assert_eq!(current["waived"], 1, "{current}");
    assert_eq!(current["notes"], report["releases"][0]["counts"]["notes"]);
    // Turn the store back into what version 1 wrote: notes without the waived ones.
    let connection = rusqlite::Connection::open(&engine.store).unwrap();
    connection
        .execute_batch(
            "UPDATE run_releases SET notes = notes - waived; DELETE FROM depgate_schema WHERE version = 2;",
        )
        .unwrap();
    drop(connection);
    assert_eq!(counted(&engine.dashboard()), current);
}

fn time_between(from: &str, to: &str) -> i64 {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let from = time::Date::parse(from, &format).unwrap();
    let to = time::Date::parse(to, &format).unwrap();
    (to - from).whole_days()
}

#[test]
fn the_dashboard_data_reflects_the_store() {
    for engine in engines() {
        let name = engine.name;
        assert_ok(
            &engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
            name,
        );
        assert_ok(
            &engine.record(
                "legacy",
                "0.9",
                &lockfile("attest/failing"),
                "attest/policy",
            ),
            name,
        );
        let out = engine.monitor("attest-newer", TODAY, &[]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let dashboard = engine.dashboard();
        assert_eq!(dashboard["today"], TODAY);
        let deployments = dashboard["deployments"].as_array().unwrap();
        assert_eq!(deployments.len(), 2);
        // `legacy` has two vulnerable packages, `shop` one: riskiest first.
        assert_eq!(deployments[0]["project"], "legacy");
        assert_eq!(deployments[0]["verdict"], "fail");
        assert_eq!(deployments[0]["packages"], 4);
        assert_eq!(deployments[0]["timeline"].as_array().unwrap().len(), 1);
        assert!(deployments[0]["risk"].as_u64() > deployments[1]["risk"].as_u64());
        let exposures = dashboard["open_advisories"].as_array().unwrap();
        let beta = exposures
            .iter()
            .find(|e| e["id"] == "RUSTSEC-2099-0002")
            .unwrap();
        assert_eq!(
            beta["deployments"],
            serde_json::json!(["legacy/prod", "shop/prod"])
        );
        assert_eq!(beta["published"], "2025-06-01");
        assert_eq!(beta["days_open"], time_between("2025-06-01", TODAY));
        // Oldest first: RUSTSEC-2099-0001 was published in January 2025.
        assert_eq!(exposures[0]["id"], "RUSTSEC-2099-0001");
        let owners = dashboard["owners"].as_array().unwrap();
        assert!(
            owners
                .iter()
                .any(|o| o["owner"] == "Example Org compliance team"),
            "{dashboard}"
        );
        assert_eq!(dashboard["runs"].as_array().unwrap().len(), 1);
        assert_eq!(dashboard["runs"][0]["new_violations"], 2);

        // The page, from the same store: its machine-readable counts are the data's, and a
        // snapshot kept as JSON renders to the same page.
        let page = engine.dir.path().join("dashboard.html");
        let out = depgate()
            .args(["dashboard", "--store", &engine.store, "-o"])
            .arg(&page)
            .env("DEPGATE_TODAY", TODAY)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let html = std::fs::read_to_string(&page).unwrap();
        let packages: u64 = deployments
            .iter()
            .map(|d| d["packages"].as_u64().unwrap())
            .sum();
        assert!(
            html.contains(&format!("data-deployments=\"{}\"", deployments.len())),
            "{html}"
        );
        assert!(html.contains(&format!("data-packages=\"{packages}\"")));
        let snapshot = engine.dir.path().join("snapshot.json");
        let out = depgate()
            .args([
                "dashboard",
                "--format",
                "json",
                "--store",
                &engine.store,
                "-o",
            ])
            .arg(&snapshot)
            .env("DEPGATE_TODAY", TODAY)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let again = engine.dir.path().join("again.html");
        let out = depgate()
            .args(["dashboard", "--snapshot"])
            .arg(&snapshot)
            .arg("-o")
            .arg(&again)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(std::fs::read(&again).unwrap(), html.as_bytes());
    }
}

/// A key pair and an attestation of `scenario` made with the attestation test policy.
fn attest(dir: &Path, scenario: &str) -> (PathBuf, PathBuf) {
    depgate()
        .args(["key", "generate", "--out"])
        .arg(dir.join("ci"))
        .assert()
        .success();
    let attestation = dir.join(format!("{}.cdx.json", scenario.replace('/', "-")));
    let out = depgate()
        .arg("attest")
        .arg(lockfile(scenario))
        .arg("--policy")
        .arg(fixture("attest/policy"))
        .arg("--key")
        .arg(dir.join("ci.key"))
        .arg("--advisory-db")
        .arg(db("attest"))
        .args(["--allow-stale-db", "-o"])
        .arg(&attestation)
        .env("DEPGATE_TODAY", TODAY)
        .output()
        .unwrap();
    assert_ok(&out, "attest");
    (attestation, dir.join("ci.pub"))
}

#[test]
fn attested_releases_carry_their_approval_and_drift() {
    for engine in engines() {
        let name = engine.name;
        let (attestation, key) = attest(engine.dir.path(), "attest/passing");
        let record = |project: &str, path: Option<PathBuf>| {
            let mut command = depgate();
            command
                .args(["record", "--project", project, "--release", "2.0"])
                .args(["--store", &engine.store, "--policy"])
                .arg(fixture("attest/policy"))
                .arg("--attestation")
                .arg(&attestation)
                .arg("--key")
                .arg(&key);
            if let Some(path) = path {
                command.arg(path);
            }
            command.env("DEPGATE_TODAY", TODAY).output().unwrap()
        };
        // The attested components themselves are the inventory.
        assert_ok(&record("approved", None), name);
        // What is deployed (PATH) differs from what was attested.
        let out = record("drifted", Some(lockfile("attest/added")));
        assert_ok(&out, name);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("approved PASS"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        let history = engine.history("approved");
        let approval = &history["releases"][0]["approval"];
        assert_eq!(approval["verdict"], "pass");
        assert_eq!(approval["components"], 2);
        assert_eq!(history["releases"][0]["recorded_from"], "attestation");
        assert!(
            approval["drift"].as_array().unwrap().is_empty(),
            "{history}"
        );

        let dashboard = engine.dashboard();
        let drifted = dashboard["deployments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["project"] == "drifted")
            .unwrap();
        let drift: Vec<&str> = drifted["approval"]["drift"]
            .as_array()
            .unwrap()
            .iter()
            .map(|line| line.as_str().unwrap())
            .collect();
        assert!(
            drift
                .iter()
                .any(|line| line.starts_with("added: attest-fixture-gamma@")),
            "{name}: {drift:?}"
        );

        // A database that knows a new advisory: a violation the approval did not have.
        let (code, report) = engine.monitor_json("attest-newer", TODAY);
        assert_eq!(code, Some(1), "{name}: {report}");
        let approved = report["releases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["project"] == "approved")
            .unwrap();
        assert!(
            approved["drift"]
                .as_array()
                .unwrap()
                .iter()
                .any(|line| line.as_str().unwrap().contains("RUSTSEC-2099-0002")),
            "{name}: {approved}"
        );

        // A tampered attestation is exit 2 and stores nothing.
        let text = std::fs::read_to_string(&attestation).unwrap();
        let tampered = engine.dir.path().join("tampered.cdx.json");
        std::fs::write(
            &tampered,
            text.replacen("attest-fixture-alpha", "attest-fixture-omega", 1),
        )
        .unwrap();
        let out = depgate()
            .args(["record", "--project", "forged", "--release", "1"])
            .args(["--store", &engine.store, "--attestation"])
            .arg(&tampered)
            .arg("--key")
            .arg(&key)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("nothing was recorded"), "{stderr}");
        let out = depgate()
            .args(["history", "forged", "--store", &engine.store])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no release of project `forged`"));
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    for engine in engines() {
        let name = engine.name;
        // Eight processes at once: four projects, two releases each, sharing packages.
        let children: Vec<_> = (0..8)
            .map(|index| {
                let scenario = if index % 2 == 0 {
                    "attest/passing"
                } else {
                    "attest/added"
                };
                std::process::Command::new(env!("CARGO_BIN_EXE_depgate"))
                    .arg("record")
                    .arg(lockfile(scenario))
                    .args(["--project", &format!("p{}", index % 4)])
                    .args(["--release", &format!("r{index}")])
                    .args(["--store", &engine.store, "--policy"])
                    .arg(fixture("attest/policy"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_ok(&out, name);
        }
        let mut releases = 0;
        for project in 0..4 {
            let history = engine.history(&format!("p{project}"));
            let entries = history["releases"].as_array().unwrap();
            assert_eq!(entries.len(), 2, "{name}: {history}");
            // Exactly one release per project is current.
            assert_eq!(entries.iter().filter(|e| e["current"] == true).count(), 1);
            releases += entries.len();
        }
        assert_eq!(releases, 8);
        let (_, report) = engine.monitor_json("attest", TODAY);
        assert_eq!(report["summary"]["releases"], 4, "{name}");
    }
}

#[test]
fn a_killed_monitor_leaves_the_store_as_it_was() {
    for engine in engines() {
        let name = engine.name;
        assert_ok(
            &engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
            name,
        );
        assert_eq!(engine.monitor("attest", TODAY, &[]).status.code(), Some(0));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_depgate"))
            .args([
                "monitor",
                "--store",
                &engine.store,
                "--allow-stale-db",
                "--advisory-db",
            ])
            .arg(db("attest-newer"))
            .env("DEPGATE_TODAY", TODAY)
            .env("DEPGATE_CACHE", engine.dir.path().join("cache"))
            .env("DEPGATE_FAILPOINT", "monitor-before-commit")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "{name}: monitor ended early"
            );
            if line.starts_with("failpoint monitor-before-commit") {
                break;
            }
        }
        // Everything is written inside the transaction; kill before it commits.
        child.kill().unwrap();
        child.wait().unwrap();
        let history = engine.history("shop");
        assert_eq!(runs_of(&history, "1.0"), 1, "{name}: {history}");
        // The next run sees the store as before the killed one: the advisory is still new.
        let (code, report) = engine.monitor_json("attest-newer", TODAY);
        assert_eq!(code, Some(1), "{name}: {report}");
        assert_eq!(runs_of(&engine.history("shop"), "1.0"), 2, "{name}");
    }
}

#[test]
fn every_findings_format_renders_the_run() {
    let engine = sqlite_engine();
    assert_ok(
        &engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
        "record",
    );
    let out = engine.monitor("attest-newer", TODAY, &["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("[shop/prod 1.0]")),
        "{sarif}"
    );
    let out = engine.monitor("attest-newer", TODAY, &["--format", "github"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error"));
    let out = engine.monitor("attest-newer", TODAY, &["--format", "markdown"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("## depgate monitor"), "{text}");
    assert!(text.contains("| shop | prod | 1.0 | fail |"), "{text}");
    let out = engine.monitor("attest-newer", TODAY, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("monitor run 4"), "{text}");
    // `--fail-on warn`: the unknown licenses (warnings) count as violations too.
    let other = sqlite_engine();
    assert_ok(
        &other.record("shop", "1.0", &lockfile("monitor/fixed"), "attest/policy"),
        "record",
    );
    assert_eq!(other.monitor("attest", TODAY, &[]).status.code(), Some(0));
    let other = sqlite_engine();
    assert_ok(
        &other.record("shop", "1.0", &lockfile("monitor/fixed"), "attest/policy"),
        "record",
    );
    assert_eq!(
        other
            .monitor("attest", TODAY, &["--fail-on", "warn"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn the_webhook_gets_the_change_summary_with_retries() {
    let engine = sqlite_engine();
    assert_ok(
        &engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
        "record",
    );
    // The first attempt meets a server error; the retry is delivered.
    let server = serve(Box::new(|_, _, hit| Reply::Full {
        status: if hit == 1 { 503 } else { 204 },
        headers: vec![],
        body: Vec::new(),
    }));
    let url = format!("{}/hooks/depgate", server.base);
    let out = engine.monitor("attest-newer", TODAY, &["--notify-webhook", &url]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("delivered (HTTP 204, 2 attempts)"),
        "{stderr}"
    );
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let request = &requests[1];
    assert!(request.starts_with("POST /hooks/depgate "), "{request}");
    let body = request.split("\r\n\r\n").nth(1).unwrap();
    let summary: Value = serde_json::from_str(body).unwrap();
    assert_eq!(summary["schema"], "depgate.monitor.changes/v1");
    assert_eq!(summary["summary"]["new_violations"], 1);
    assert_eq!(summary["releases"][0]["project"], "shop");
    assert!(summary["releases"][0].get("findings").is_none());

    // Nothing changed: nothing is sent.
    let out = engine.monitor("attest-newer", TODAY, &["--notify-webhook", &url]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.total(), 2);

    // A webhook that keeps failing: exit 2, said out loud, and the run is still stored.
    let failing = serve(Box::new(|_, _, _| Reply::Full {
        status: 500,
        headers: vec![],
        body: Vec::new(),
    }));
    let other = sqlite_engine();
    assert_ok(
        &other.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
        "record",
    );
    let out = other.monitor(
        "attest-newer",
        TODAY,
        &["--notify-webhook", &failing.base, "--webhook-retries", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("was not delivered"), "{stderr}");
    assert!(stderr.contains(&failing.base), "{stderr}");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
    assert_eq!(failing.total(), 2);
    assert_eq!(runs_of(&other.history("shop"), "1.0"), 1);

    // A webhook that never answers: the timeout ends it.
    let hanging = serve(Box::new(|_, _, _| Reply::Hang));
    let third = sqlite_engine();
    assert_ok(
        &third.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
        "record",
    );
    let out = third.monitor(
        "attest-newer",
        TODAY,
        &[
            "--notify-webhook",
            &hanging.base,
            "--webhook-timeout",
            "1",
            "--webhook-retries",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("timeout"));
}

#[test]
fn foreign_damaged_and_newer_stores_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let check = |store: &Path, expected: &str| {
        let out = depgate()
            .args(["history", "shop", "--store"])
            .arg(store)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", store.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&store.display().to_string()), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    };
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    check(&garbage, "not a depgate store");
    // Not a byte of it was changed.
    assert_eq!(std::fs::read(&garbage).unwrap(), vec![0x5a; 8192]);

    let foreign = dir.path().join("foreign.sqlite");
    let connection = rusqlite::Connection::open(&foreign).unwrap();
    connection
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)")
        .unwrap();
    drop(connection);
    check(&foreign, "it holds other tables (invoices)");

    let engine = sqlite_engine();
    assert_ok(
        &engine.record("shop", "1.0", &lockfile("attest/passing"), "attest/policy"),
        "record",
    );
    let connection = rusqlite::Connection::open(&engine.store).unwrap();
    connection
        .execute(
            "INSERT INTO depgate_schema (version, written_by, applied_at) VALUES (99, 'depgate 9.0.0', 'later')",
            [],
        )
        .unwrap();
    drop(connection);
    check(Path::new(&engine.store), "written by a newer depgate");

    // An empty store has nothing to monitor (exit 3).
    let empty = sqlite_engine();
    let out = empty.monitor("attest", TODAY, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no release"));
}

#[test]
fn record_rejects_bad_arguments_before_touching_the_store() {
    let engine = sqlite_engine();
    let run = |args: &[&str]| {
        depgate()
            .arg("record")
            .args(args)
            .args(["--store", &engine.store])
            .output()
            .unwrap()
    };
    let out = run(&["--project", "p", "--release", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to record"));
    let lock = lockfile("attest/passing").display().to_string();
    let out = run(&[
        &lock,
        "--project",
        "p",
        "--release",
        "1",
        "--deployed-at",
        "yesterday",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
    assert!(!Path::new(&engine.store).exists());
}
