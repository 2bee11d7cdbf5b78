//! `depgate licenses`: grouping by concluded license, categories, provenance, verdicts, the
//! unknown and conflict sections, every output format against golden files, and bad input.
//!
//! Golden files live in `tests/fixtures/licenses/npm-app/expected/`; run with
//! `DEPGATE_BLESS=1` to rewrite them after an intended change (then review the diff).

use std::path::{Path, PathBuf};

use depgate::enrich::license_conflicts::{DetectedLicense, find_conflicts};
use depgate::inventory::{
    Ecosystem, Inventory, LicenseInfo, LicenseOrigin, Location, Package, PackageKind, Scope,
};
use depgate::report::licenses::{self, LicenseReport};
use serde_json::Value;

use crate::common::{depgate, fixture, golden_file};

/// The fixture: an npm project with `node_modules` installed, one case per package.
pub fn app() -> PathBuf {
    fixture("licenses/npm-app")
}

/// Replaces what legitimately changes between builds: the tool version and the policy digest.
pub fn redact(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    let mut text = text
        .replace(&format!("depgate {version}"), "depgate [version]")
        .replace(
            &format!("\"name\": \"depgate\",\n    \"version\": \"{version}\""),
            "\"name\": \"depgate\",\n    \"version\": \"[version]\"",
        );
    // The policy digest: 64 hex digits in JSON, its first 12 in the text formats.
    if let Some(at) = text.find("\"digest\": \"") {
        let start = at + "\"digest\": \"".len();
        let digest = text[start..start + 64].to_string();
        text = text.replace(&digest, "[digest]");
    }
    text
}

/// Compares `actual` with the golden file `name`, or rewrites it with `DEPGATE_BLESS=1`.
pub fn golden(name: &str, actual: &str) {
    golden_file(&app().join("expected").join(name), actual);
}

fn run_licenses(args: &[&str]) -> (String, i32) {
    let output = depgate()
        .current_dir(app())
        .arg("licenses")
        .arg(".")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (stdout, code) = run_licenses(&all);
    assert_eq!(code, 0);
    serde_json::from_str(&stdout).unwrap()
}

fn group<'a>(report: &'a Value, expression: &str) -> &'a Value {
    report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["expression"] == expression)
        .unwrap_or_else(|| panic!("no group `{expression}`"))
}

fn names(group: &Value) -> Vec<&str> {
    group["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

#[test]
fn every_format_matches_its_golden_file() {
    for (format, file) in [
        ("table", "licenses.txt"),
        ("markdown", "licenses.md"),
        ("json", "licenses.json"),
        ("csv", "licenses.csv"),
        ("html", "licenses.html"),
    ] {
        let (stdout, code) = run_licenses(&["--policy", "policy.toml", "--format", format]);
        assert_eq!(code, 0, "{format}");
        golden(file, &redact(&stdout));
    }
    let (stdout, code) = run_licenses(&["--format", "json"]);
    assert_eq!(code, 0);
    golden("licenses-no-policy.json", &redact(&stdout));
}

#[test]
fn packages_are_grouped_by_concluded_expression() {
    let report = report_json(&["--policy", "policy.toml"]);
    assert_eq!(report["schema"], "depgate.licenses/v1");
    assert_eq!(report["summary"]["packages"], 11);
    assert_eq!(names(group(&report, "MIT")), ["conflict-lib", "mit-lib"]);
    // `MIT/Apache-2.0` is read as `MIT OR Apache-2.0` and joins the packages declaring that.
    let dual = group(&report, "MIT OR Apache-2.0");
    assert_eq!(names(dual), ["dual-lib", "messy-lib"]);
    let ids: Vec<&str> = dual["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["MIT", "Apache-2.0"]);
    assert_eq!(
        dual["packages"][1]["provenance"],
        "declared metadata (lockfile), written `MIT/Apache-2.0`"
    );
    // Groups are sorted: valid expressions alphabetically, then the package with no license.
    let order: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["expression"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "Apache-2.0",
            "BSD-2-Clause",
            "CC0-1.0",
            "GPL-3.0-or-later",
            "ISC",
            "LicenseRef-Acme-EULA",
            "MIT",
            "MIT OR Apache-2.0",
            ""
        ]
    );
    assert_eq!(report["groups"][8]["status"], "none");
}

#[test]
fn categories_and_flags_come_from_the_license_list() {
    let report = report_json(&["--policy", "policy.toml"]);
    let categories = &report["summary"]["categories"];
    assert_eq!(categories["permissive"], 7);
    assert_eq!(categories["public-domain"], 1);
    assert_eq!(categories["strong-copyleft"], 1);
    assert_eq!(categories["proprietary"], 1);
    assert_eq!(categories["unknown"], 1);
    assert_eq!(categories["weak-copyleft"], 0);
    let cc0 = group(&report, "CC0-1.0");
    assert_eq!(cc0["category"], "public-domain");
    assert_eq!(cc0["osi_approved"], false);
    assert_eq!(cc0["fsf_libre"], true);
    let gpl = group(&report, "GPL-3.0-or-later");
    assert_eq!(gpl["category"], "strong-copyleft");
    assert_eq!(
        gpl["licenses"][0]["name"],
        "GNU General Public License v3.0 or later"
    );
    let acme = group(&report, "LicenseRef-Acme-EULA");
    assert_eq!(acme["category"], "proprietary");
    assert_eq!(acme["osi_approved"], false);
}

#[test]
fn provenance_and_dependency_facts_are_shown() {
    let report = report_json(&["--policy", "policy.toml"]);
    let gpl = &group(&report, "GPL-3.0-or-later")["packages"][0];
    assert_eq!(gpl["dependency"], "transitive");
    assert_eq!(gpl["scope"], "runtime");
    assert_eq!(gpl["origin"], "lockfile");
    assert_eq!(gpl["purl"], "pkg:npm/gpl-lib@3.0.1");
    let clarified = &group(&report, "BSD-2-Clause")["packages"][0];
    assert_eq!(clarified["name"], "see-license-lib");
    assert_eq!(clarified["origin"], "clarified");
    assert_eq!(clarified["declared"], "SEE LICENSE IN LICENSE.txt");
    assert_eq!(
        clarified["provenance"],
        "clarified by policy, declared `SEE LICENSE IN LICENSE.txt`"
    );
    let dev = &report["groups"][8]["packages"][0];
    assert_eq!(dev["name"], "dev-tool");
    assert_eq!(dev["scope"], "dev");
    assert_eq!(dev["provenance"], "none");
}

#[test]
fn unknown_and_conflict_sections() {
    let report = report_json(&["--policy", "policy.toml"]);
    let unknown = report["summary"]["unknown"].as_array().unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["package"]["name"], "dev-tool");
    let conflicts = report["summary"]["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0]["package"]["name"], "conflict-lib");
    assert_eq!(conflicts[0]["declared"], "MIT");
    assert_eq!(conflicts[0]["detected"], "BSD-3-Clause");
    assert_eq!(conflicts[0]["file"], "LICENSE");
    assert!(conflicts[0]["score"].as_f64().unwrap() >= 0.9);
    // Without the clarification, the metadata `SEE LICENSE IN …` is an unknown license.
    let report = report_json(&[]);
    let unknown: Vec<&str> = report["summary"]["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["package"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, ["dev-tool", "see-license-lib"]);
    let invalid = group(&report, "SEE LICENSE IN LICENSE.txt");
    assert_eq!(invalid["status"], "invalid");
    assert_eq!(invalid["category"], "unknown");
    assert_eq!(report["policy"], Value::Null);
    assert_eq!(report["summary"]["verdicts"], Value::Null);
}

#[test]
fn verdicts_per_package_and_group_reuse_the_license_rules() {
    let report = report_json(&["--policy", "policy.toml"]);
    assert_eq!(group(&report, "GPL-3.0-or-later")["verdict"], "denied");
    // The waiver applies: the finding is a note and the verdict says who waived it.
    let acme = group(&report, "LicenseRef-Acme-EULA");
    assert_eq!(acme["verdict"], "waived");
    let waived = &acme["packages"][0]["verdict"];
    assert_eq!(waived["severity"], "note");
    assert_eq!(waived["waiver"]["id"], "LEGAL-42");
    assert_eq!(waived["waiver"]["owner"], "legal@example.com");
    assert_eq!(waived["waiver"]["expires"], "2099-12-31");
    assert_eq!(group(&report, "MIT")["verdict"], "allowed");
    assert_eq!(report["groups"][8]["verdict"], "unknown");
    let gpl = &group(&report, "GPL-3.0-or-later")["packages"][0]["verdict"];
    assert_eq!(gpl["severity"], "error");
    assert_eq!(gpl["rule"], "licenses.denied");
    let verdicts = &report["summary"]["verdicts"];
    assert_eq!(verdicts["allowed"], 8);
    assert_eq!(verdicts["denied"], 1);
    assert_eq!(verdicts["waived"], 1);
    assert_eq!(verdicts["unknown"], 1);
}

#[test]
fn csv_has_one_row_per_package() {
    let (stdout, code) = run_licenses(&["--policy", "policy.toml", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), licenses::csv::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 11);
    let messy = rows.iter().find(|r| &r[6] == "messy-lib").unwrap();
    assert_eq!(&messy[0], "MIT OR Apache-2.0");
    assert_eq!(&messy[12], "MIT/Apache-2.0");
    assert_eq!(&messy[17], "allowed");
}

#[test]
fn output_file_is_written_and_sbom_input_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("licenses.html");
    depgate()
        .args([
            "licenses",
            app().to_str().unwrap(),
            "--format",
            "html",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));
    // An SBOM's licenses are shown with SBOM provenance.
    let sbom = fixture("sbom/cyclonedx-licenses");
    let file = std::fs::read_dir(&sbom)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let output = depgate()
        .args(["licenses", "--format", "json", "--sbom"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let origins: Vec<&str> = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["packages"].as_array().unwrap())
        .filter_map(|p| p["origin"].as_str())
        .collect();
    assert!(!origins.is_empty());
    assert!(origins.iter().all(|o| *o == "sbom"), "{origins:?}");
}

#[test]
fn bad_input_exits_2_naming_the_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "html", "csv"] {
        let out = dir.path().join(format!("report.{format}"));
        let lockfile = fixture("licenses/malformed/package-lock.json");
        let output = depgate()
            .args(["licenses", "--format", format, "-o"])
            .arg(&out)
            .arg(&lockfile)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("package-lock.json"), "{stderr}");
        assert!(!out.exists(), "a partial report was written for {format}");
    }
    let out = dir.path().join("report.json");
    let output = depgate()
        .args(["licenses", "--sbom"])
        .arg(fixture("sbom/malformed-json").join("bom.cdx.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bom.cdx.json"));
    assert!(!out.exists());
    let nothing = tempfile::tempdir().unwrap();
    depgate()
        .args(["licenses"])
        .arg(nothing.path())
        .assert()
        .code(3);
}

fn cargo_package(name: &str, version: &str, dir: &Path) -> Package {
    let mut package = Package::new(
        Ecosystem::Cargo,
        name,
        version,
        Location {
            file: "Cargo.lock".into(),
            line: Some(1),
        },
    );
    package.purl = Some(format!("pkg:cargo/{name}@{version}"));
    package.local_dir = Some(dir.to_path_buf());
    package.license_files = depgate::enrich::sources::license_files_in(dir);
    package
}

/// A hand-made Cargo inventory with a detected license, as `enrich::license_text` sets it.
#[test]
fn detected_licenses_show_their_score_and_conflicts_use_the_detector() {
    let crates = fixture("licenses/crates");
    let mut inventory = Inventory::new();
    let mut root = cargo_package("app", "1.0.0", &crates);
    root.kind = PackageKind::Root;
    root.purl = None;
    root.license_files.clear();
    let root = inventory.add_package(root);
    inventory.add_root(root);
    let mut detected = cargo_package("nocopy-crate", "0.2.0", &crates.join("nocopy-crate-0.2.0"));
    detected.license = Some(LicenseInfo {
        expression: "MIT".to_string(),
        origin: LicenseOrigin::Detected,
        confidence: 0.93,
        file: Some(crates.join("nocopy-crate-0.2.0/LICENSE")),
    });
    detected.scope = Scope::Build;
    inventory.add_package(detected);
    let mut declared = cargo_package("apache-crate", "1.0.0", &crates.join("apache-crate-1.0.0"));
    declared.license = Some(LicenseInfo {
        expression: "Apache-2.0".to_string(),
        origin: LicenseOrigin::CargoMetadata,
        confidence: 1.0,
        file: None,
    });
    declared.direct = true;
    inventory.add_package(declared);
    // The detector is a parameter: this one says every LICENSE* file is ISC, NOTICE never asked.
    let asked = std::cell::RefCell::new(Vec::new());
    let detect = |path: &Path, declared: &[String]| {
        assert_eq!(declared, ["Apache-2.0"]);
        asked
            .borrow_mut()
            .push(path.file_name().unwrap().to_string_lossy().into_owned());
        Some(DetectedLicense {
            license: "ISC".to_string(),
            score: 0.97,
        })
    };
    let conflicts = find_conflicts(&inventory, 0.9, &detect);
    assert_eq!(asked.borrow().as_slice(), ["LICENSE-APACHE"]);
    assert_eq!(conflicts.len(), 1);
    assert_eq!(inventory.package(conflicts[0].package).name, "apache-crate");
    assert_eq!(conflicts[0].detected, "ISC");
    assert!(conflicts[0].file.ends_with("LICENSE-APACHE"));
    // Below the threshold nothing conflicts.
    assert!(find_conflicts(&inventory, 0.99, &detect).is_empty());
    let report = LicenseReport::new(&inventory, None, &conflicts);
    assert_eq!(report.summary.conflicts[0].package.name, "apache-crate");
    assert_eq!(report.summary.conflicts[0].file, "LICENSE-APACHE");
    let mit = report
        .groups
        .iter()
        .find(|g| g.expression == "MIT")
        .unwrap();
    assert_eq!(
        mit.packages[0].provenance,
        "detected from `LICENSE` (score 0.93)"
    );
    assert_eq!(mit.packages[0].file.as_deref(), Some("LICENSE"));
    assert_eq!(mit.packages[0].scope, "build");
    let apache = report
        .groups
        .iter()
        .find(|g| g.expression == "Apache-2.0")
        .unwrap();
    assert_eq!(
        apache.packages[0].provenance,
        "declared metadata (cargo metadata)"
    );
    assert_eq!(apache.packages[0].dependency, "direct");
    assert_eq!(
        report.summary.packages, 2,
        "roots are not third-party packages"
    );
}

#[test]
fn a_package_locked_twice_in_a_monorepo_is_listed_once() {
    // Two services of one repository lock the same packages: the report lists each once.
    let repo = tempfile::tempdir().unwrap();
    let lockfile = fixture("npm/lock-v3").join("package-lock.json");
    for service in ["web", "worker"] {
        std::fs::create_dir(repo.path().join(service)).unwrap();
        std::fs::copy(
            &lockfile,
            repo.path().join(service).join("package-lock.json"),
        )
        .unwrap();
    }
    let output = depgate()
        .args(["licenses", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mit = names(group(&report, "MIT"));
    assert_eq!(
        mit.iter().filter(|name| **name == "a").count(),
        1,
        "{mit:?}"
    );
    let single = depgate()
        .args(["licenses", "--format", "json"])
        .arg(fixture("npm/lock-v3"))
        .output()
        .unwrap();
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    assert_eq!(report["summary"]["packages"], single["summary"]["packages"]);
    assert_eq!(
        report["summary"]["categories"],
        single["summary"]["categories"]
    );
}
