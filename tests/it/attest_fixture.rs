//! Hand-made attestation inputs shared by the `it` and `data` attestation tests: a small Cargo
//! inventory as CycloneDX 1.6 JSON, a three-rule policy, and passing and failing evaluations.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use depgate::attest::{AttestationInput, DbSummary, PolicySummary, RuleSummary};
use depgate::evaluate::{
    AdvisoryRef, Coverage, CoverageEntry, Evaluation, Finding, FindingCode, PackageRef, Severity,
    WaiverRef,
};
use depgate::inventory::InputFile;
use depgate::policy::Level;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

/// A fixed signing key (tests must be reproducible).
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// Another key, to prove key mismatches are caught.
pub fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// 2023-11-14T22:13:20Z.
pub fn evaluated_at() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

pub fn purl(name: &str, version: &str) -> String {
    format!("pkg:cargo/{name}@{version}")
}

/// The inventory as the SBOM writer would give it: components with purls and bom-refs, the
/// dependency graph, the project as `metadata.component`.
pub fn bom(components: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = components
        .iter()
        .map(|(name, version)| {
            json!({
                "type": "library",
                "bom-ref": purl(name, version),
                "name": name,
                "version": version,
                "purl": purl(name, version),
                "licenses": [{ "expression": "MIT OR Apache-2.0" }],
            })
        })
        .collect();
    let dependencies: Vec<Value> = std::iter::once(json!({
        "ref": "pkg:cargo/demo-app@0.1.0",
        "dependsOn": components.iter().map(|(n, v)| purl(n, v)).collect::<Vec<_>>(),
    }))
    .chain(
        components
            .iter()
            .map(|(n, v)| json!({ "ref": purl(n, v), "dependsOn": [] })),
    )
    .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:00000000-0000-5000-8000-000000000000",
        "version": 1,
        "metadata": {
            "timestamp": "2023-11-14T22:13:20Z",
            "component": {
                "type": "application",
                "bom-ref": "pkg:cargo/demo-app@0.1.0",
                "name": "demo-app",
                "version": "0.1.0",
            },
            "properties": [{ "name": "depgate:example", "value": "kept" }],
        },
        "components": list,
        "dependencies": dependencies,
    })
}

pub fn default_components() -> Vec<(&'static str, &'static str)> {
    vec![
        ("serde", "1.0.200"),
        ("openssl", "0.10.0"),
        ("left-pad", "1.3.0"),
    ]
}

pub fn policy() -> PolicySummary {
    let rule = |id: &str, level: Level, rationale: &str| RuleSummary {
        id: id.to_string(),
        rationale: rationale.to_string(),
        owner: "security@example.com".to_string(),
        level,
    };
    PolicySummary {
        name: "example-policy".to_string(),
        version: "3".to_string(),
        owner: "Example Corp".to_string(),
        digest: "a".repeat(64),
        rules: vec![
            rule(
                "licenses.allowed",
                Level::Deny,
                "Only permissive licenses may ship",
            ),
            rule(
                "advisories.vulnerability",
                Level::Deny,
                "Known vulnerabilities must not ship",
            ),
            rule(
                "bans.duplicates",
                Level::Warn,
                "Duplicate versions bloat the build",
            ),
        ],
    }
}

pub fn inputs() -> Vec<InputFile> {
    vec![InputFile {
        path: PathBuf::from("Cargo.lock"),
        sha256: "b".repeat(64),
        format: "Cargo.lock v4".to_string(),
    }]
}

pub fn databases(revision: &str) -> Vec<DbSummary> {
    vec![DbSummary {
        name: "rustsec".to_string(),
        revision: revision.to_string(),
        updated: Some("2023-11-13T00:00:00Z".to_string()),
        age_days: Some(1),
    }]
}

fn coverage() -> Coverage {
    let entry = |evaluated: usize, not_evaluated: Vec<String>| CoverageEntry {
        evaluated,
        not_evaluated,
    };
    Coverage {
        packages: 3,
        rules: BTreeMap::from([
            ("licenses".to_string(), entry(3, Vec::new())),
            (
                "advisories".to_string(),
                entry(
                    2,
                    vec!["left-pad@1.3.0: no advisory database for npm".to_string()],
                ),
            ),
            ("bans".to_string(), entry(3, Vec::new())),
        ]),
        gaps: Vec::new(),
    }
}

fn package(name: &str, version: &str) -> PackageRef {
    PackageRef {
        ecosystem: "cargo".to_string(),
        name: name.to_string(),
        version: version.to_string(),
        purl: Some(purl(name, version)),
    }
}

/// A license finding that a waiver turned into a note.
fn waived_license_finding() -> Finding {
    let mut finding = Finding::new(
        FindingCode::LicenseNotAllowed,
        "licenses.allowed",
        Severity::Note,
        "`left-pad@1.3.0` is licensed `WTFPL`, which is not allowed",
    );
    finding.package = Some(package("left-pad", "1.3.0"));
    finding.license = Some("WTFPL".to_string());
    finding.waiver = Some(WaiverRef {
        id: "left-pad-wtfpl".to_string(),
        reason: "Legal approved WTFPL for this package".to_string(),
        owner: "legal@example.com".to_string(),
        expires: "2024-06-30".to_string(),
        expired: false,
        vex_status: None,
        justification: None,
    });
    finding
}

/// Passes: the only finding is waived.
pub fn passing_evaluation() -> Evaluation {
    Evaluation {
        findings: vec![waived_license_finding()],
        coverage: coverage(),
    }
}

pub fn advisory_finding(id: &str) -> Finding {
    let mut finding = Finding::new(
        FindingCode::AdvisoryVulnerable,
        "advisories.vulnerability",
        Severity::Error,
        format!("`openssl@0.10.0` is affected by {id}"),
    );
    finding.package = Some(package("openssl", "0.10.0"));
    finding.advisory = Some(AdvisoryRef {
        id: id.to_string(),
        aliases: vec!["CVE-2023-0001".to_string()],
        severity: "high".to_string(),
        cvss_score: Some(7.5),
        fixed_in: vec![">=0.10.55".to_string()],
        title: Some("Use after free".to_string()),
        url: None,
        affected_functions: Vec::new(),
    });
    finding
}

/// Fails: a vulnerability (error), a duplicate (warning) and the waived license finding.
pub fn failing_evaluation() -> Evaluation {
    let mut duplicate = Finding::new(
        FindingCode::DuplicateVersions,
        "bans.duplicates",
        Severity::Warning,
        "`serde` is present in 2 versions",
    );
    duplicate.package = Some(package("serde", "1.0.200"));
    let mut evaluation = Evaluation {
        findings: vec![
            advisory_finding("RUSTSEC-2023-0001"),
            duplicate,
            waived_license_finding(),
        ],
        coverage: coverage(),
    };
    evaluation.sort();
    evaluation
}

pub fn input<'a>(
    evaluation: &'a Evaluation,
    inputs: &'a [InputFile],
    bom: Value,
) -> AttestationInput<'a> {
    AttestationInput {
        policy: policy(),
        components_bom: bom,
        evaluation,
        inputs,
        databases: databases("0123abcd"),
        evaluated_at: evaluated_at(),
        signatory: None,
    }
}
