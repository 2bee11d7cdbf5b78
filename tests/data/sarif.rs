//! SARIF output validates against the official SARIF 2.1.0 schema, and the fingerprint of an
//! unchanged finding is identical across two independent runs.

use std::path::{Path, PathBuf};

use depgate::evaluate::{
    AdvisoryRef, BaselineState, Evaluation, Finding, FindingCode, PackageRef, Severity, WaiverRef,
};
use depgate::inventory::Location;
use depgate::policy::{Level, RuleMeta};
use depgate::report::sarif::{FINGERPRINT_KEY, SarifOptions, render_findings};
use serde_json::Value;

fn package(name: &str, version: &str) -> PackageRef {
    PackageRef {
        ecosystem: "cargo".into(),
        name: name.into(),
        version: version.into(),
        purl: Some(format!("pkg:cargo/{name}@{version}")),
    }
}

/// An evaluation with every shape of finding: advisory (CVSS and label only), license, a waived
/// note, a policy finding located in the policy file, one with no location at all.
fn evaluation(root: &Path, smallvec_version: &str) -> Evaluation {
    let mut vulnerable = Finding::new(
        FindingCode::AdvisoryVulnerable,
        "advisories.vulnerability",
        Severity::Error,
        format!("`smallvec` {smallvec_version} is affected by RUSTSEC-2021-0003"),
    );
    vulnerable.package = Some(package("smallvec", smallvec_version));
    vulnerable.advisory = Some(AdvisoryRef {
        id: "RUSTSEC-2021-0003".into(),
        aliases: vec!["CVE-2021-25900".into()],
        severity: "critical".into(),
        cvss_score: Some(9.8),
        fixed_in: vec![">=1.6.1".into()],
        title: Some("Buffer overflow in SmallVec::insert_many".into()),
        url: Some("https://rustsec.org/advisories/RUSTSEC-2021-0003.html".into()),
        affected_functions: Vec::new(),
    });
    vulnerable.paths = vec![format!("app 0.1.0 > smallvec {smallvec_version}")];
    vulnerable.location = Some(Location {
        file: root.join("Cargo.lock"),
        line: Some(120),
    });
    vulnerable.baseline = Some(BaselineState::Existing);

    let mut unmaintained = Finding::new(
        FindingCode::AdvisoryUnmaintained,
        "advisories.unmaintained",
        Severity::Warning,
        "`ansi_term` is unmaintained",
    );
    unmaintained.package = Some(package("ansi_term", "0.12.1"));
    unmaintained.advisory = Some(AdvisoryRef {
        id: "RUSTSEC-2021-0139".into(),
        aliases: Vec::new(),
        severity: "unknown".into(),
        cvss_score: None,
        fixed_in: Vec::new(),
        title: None,
        url: None,
        affected_functions: Vec::new(),
    });
    unmaintained.location = Some(Location {
        file: PathBuf::from("crates/cli/Cargo.lock"),
        line: Some(7),
    });

    let mut license = Finding::new(
        FindingCode::LicenseDenied,
        "licenses.deny",
        Severity::Note,
        "`gpl-thing` 1.0.0: GPL-3.0-only is denied",
    );
    license.package = Some(package("gpl-thing", "1.0.0"));
    license.license = Some("GPL-3.0-only".into());
    license.owner = Some("legal@example.com".into());
    license.waiver = Some(WaiverRef {
        id: "gpl-thing-internal".into(),
        reason: "internal tool, not distributed".into(),
        owner: "legal@example.com".into(),
        expires: "2027-01-01".into(),
        expired: false,
        vex_status: None,
        justification: None,
    });
    license.location = Some(Location {
        file: root.join("Cargo.lock"),
        line: Some(88),
    });

    let mut unused = Finding::new(
        FindingCode::UnusedWaiver,
        "waivers",
        Severity::Warning,
        "waiver `old-one` matched no finding",
    );
    unused.location = Some(Location {
        file: root.join("rules/default.toml"),
        line: Some(31),
    });

    let stale = Finding::new(
        FindingCode::AdvisoryDbStale,
        "advisories.db-age",
        Severity::Error,
        "advisory database `rustsec` is 12 days old (max 7)",
    );

    let mut evaluation = Evaluation {
        findings: vec![stale, unused, license, unmaintained, vulnerable],
        ..Evaluation::default()
    };
    evaluation.sort();
    evaluation
}

fn rules() -> Vec<RuleMeta> {
    vec![
        RuleMeta {
            id: "licenses.deny".into(),
            level: Level::Deny,
            owner: "legal@example.com".into(),
            rationale: "https://example.com/policy/licenses".into(),
        },
        RuleMeta {
            id: "advisories.vulnerability".into(),
            level: Level::Deny,
            owner: "security@example.com".into(),
            rationale: "Known vulnerabilities must not ship".into(),
        },
    ]
}

fn sarif(root: &Path, smallvec_version: &str) -> Value {
    let options = SarifOptions {
        tool_version: "0.1.0",
        root: Some(root),
        fallback_file: Some(Path::new("rules/default.toml")),
    };
    let bytes = render_findings(
        &evaluation(root, smallvec_version).findings,
        &rules(),
        &options,
    )
    .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let log = sarif(Path::new("/work/repo"), "1.6.0");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at `{}`", error, error.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");

    // A document that breaks the schema is caught (the validator really runs).
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "advisories.db-age",
            "advisories.unmaintained",
            "advisories.vulnerability",
            "licenses.deny",
            "waivers"
        ]
    );
    // Every result resolves its rule, and has a location (the policy file as fallback).
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], result["ruleId"].as_str().unwrap());
        assert!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    let stale = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "advisories.db-age")
        .unwrap();
    assert_eq!(
        stale["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/default.toml"
    );
    let vulnerable = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "advisories.vulnerability")
        .unwrap();
    assert_eq!(
        vulnerable["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "Cargo.lock"
    );
    assert_eq!(
        vulnerable["locations"][0]["physicalLocation"]["region"]["startLine"],
        120
    );
    let rule = &run["tool"]["driver"]["rules"][2];
    assert_eq!(rule["properties"]["security-severity"], "9.8");
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("security@example.com")
    );
    assert_eq!(
        run["tool"]["driver"]["rules"][3]["helpUri"],
        "https://example.com/policy/licenses"
    );
}

#[test]
fn fingerprints_are_stable_across_runs_and_upgrades() {
    let fingerprints = |log: &Value| -> Vec<(String, String)> {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["partialFingerprints"][FINGERPRINT_KEY]
                        .as_str()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect()
    };
    let first = sarif(Path::new("/work/repo"), "1.6.0");
    let second = sarif(Path::new("/work/repo"), "1.6.0");
    assert_eq!(first, second, "two runs give identical SARIF");
    // Another checkout location and an upgrade that keeps the advisory keep every fingerprint.
    let moved = sarif(Path::new("/home/runner/work/repo"), "1.6.0-fork");
    assert_eq!(fingerprints(&first), fingerprints(&moved));
    let unique: std::collections::BTreeSet<_> =
        fingerprints(&first).into_iter().map(|(_, f)| f).collect();
    assert_eq!(
        unique.len(),
        5,
        "distinct findings have distinct fingerprints"
    );
}
