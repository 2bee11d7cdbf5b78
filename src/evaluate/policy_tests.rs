//! Evaluate stage, policy tests: small inventories written in TOML beside the rules, with the findings each
//! must produce. `depgate policy test` runs them like a test runner.
//!
//! In: a `*.tests.toml` file's text and the [`ValidPolicy`] it tests. Out: one
//! [`CaseResult`] per case. A case passes when every expectation matches a finding and every
//! finding of severity `error` or `warning` is expected.
//!
//! ```toml
//! policy = "default.toml"   # optional: default is this file's name without `.tests`
//! today = "2026-06-01"      # optional: the date waivers are judged against
//!
//! [[case]]
//! name = "GPL is denied"
//! [[case.package]]
//! name = "gpl-thing"
//! version = "1.0.0"
//! license = "GPL-3.0-only"        # omit for no license; `detected = 0.8` marks it detected
//! source = "crates.io"            # or registry+URL, git+URL#commit, path+DIR, unknown
//! scope = "runtime"               # runtime | build | dev | optional
//! [[case.expect]]
//! code = "license-denied"
//! package = "gpl-thing"           # name or name@version; optional
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Finding, FindingCode, Severity};
use crate::inventory::{
    DeclaredRequirement, Ecosystem, Edge, Inventory, LicenseInfo, LicenseOrigin, Location, Package,
    PackageKind, Scope, Source,
};
use crate::policy::{PolicyError, Problem, ValidPolicy, parse_date};

/// A test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TestFile {
    /// The policy file it tests, relative to the test file.
    pub policy: Option<String>,
    /// The date waivers are judged against, `YYYY-MM-DD`.
    pub today: Option<String>,
    /// The cases.
    #[serde(default, rename = "case")]
    pub cases: Vec<TestCase>,
}

/// One case: an inventory and the findings it must produce.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TestCase {
    /// What the case shows.
    pub name: String,
    /// The packages (all direct dependencies of one synthetic root, `case-root`).
    #[serde(default, rename = "package")]
    pub packages: Vec<TestPackage>,
    /// Requirements the root's manifest declares (`serde = "*"`), for the wildcard rule.
    #[serde(default)]
    pub requirements: BTreeMap<String, String>,
    /// The expected findings.
    #[serde(default, rename = "expect")]
    pub expect: Vec<Expectation>,
}

/// A package in a test inventory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TestPackage {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// License expression as the metadata writes it.
    pub license: Option<String>,
    /// When set, the license was detected from text with this confidence.
    pub detected: Option<f32>,
    /// `crates.io` (default), `registry+URL`, `git+URL#commit`, `path+DIR` or `unknown`.
    pub source: Option<String>,
    /// `runtime` (default), `build`, `dev` or `optional`.
    pub scope: Option<Scope>,
    /// Ecosystem (purl type), default `cargo`.
    pub ecosystem: Option<String>,
    /// SHA-256 of license files in the package's directory, by relative path.
    #[serde(default)]
    pub license_files: BTreeMap<String, String>,
}

/// An expected finding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Expectation {
    /// The finding code.
    pub code: String,
    /// `name` or `name@version`.
    pub package: Option<String>,
    /// `error`, `warning` or `note` (a waived finding); default: `error` or `warning`.
    pub severity: Option<Severity>,
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// Expectations no finding met, rendered.
    pub missing: Vec<String>,
    /// Findings no expectation covered, rendered.
    pub unexpected: Vec<String>,
}

impl CaseResult {
    /// True when the case passed.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Parses a test file, naming its line and column on error.
pub fn parse(path: &Path, text: &str) -> Result<TestFile, PolicyError> {
    let file: TestFile = toml::from_str(text).map_err(|error| {
        let (line, column) = error
            .span()
            .map(|s| crate::vocabulary::line_column(text, s.start))
            .unwrap_or((1, 1));
        PolicyError::Invalid {
            problems: vec![Problem {
                file: path.to_path_buf(),
                line,
                column,
                message: error.message().trim().to_string(),
            }],
        }
    })?;
    let mut problems = Vec::new();
    let problem = |message: String| Problem {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message,
    };
    if let Some(today) = &file.today
        && parse_date(today).is_none()
    {
        problems.push(problem(format!(
            "`today = \"{today}\"` is not a date (`YYYY-MM-DD`)"
        )));
    }
    for case in &file.cases {
        for expect in &case.expect {
            if FindingCode::parse(&expect.code).is_none() {
                problems.push(problem(format!(
                    "case `{}` expects unknown finding code `{}`",
                    case.name, expect.code
                )));
            }
        }
        for package in &case.packages {
            if let Err(message) = parse_source(package.source.as_deref()) {
                problems.push(problem(format!("case `{}`: {message}", case.name)));
            }
        }
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        Err(PolicyError::Invalid { problems })
    }
}

/// The policy file a test file tests: its `policy` key, else its name without `.tests`.
pub fn policy_path(test_path: &Path, file: &TestFile) -> PathBuf {
    let dir = test_path.parent().unwrap_or(Path::new("."));
    match &file.policy {
        Some(policy) => dir.join(policy),
        None => {
            let name = test_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = name
                .strip_suffix(".tests.toml")
                .or_else(|| name.strip_suffix(".test.toml"))
                .unwrap_or(&name);
            dir.join(format!("{stem}.toml"))
        }
    }
}

fn parse_source(source: Option<&str>) -> Result<Source, String> {
    let text = source.unwrap_or("crates.io").trim();
    if text == "crates.io" {
        return Ok(Source::Registry {
            url: "https://github.com/rust-lang/crates.io-index".to_string(),
            default: true,
        });
    }
    if text == "unknown" {
        return Ok(Source::Unknown);
    }
    if let Some(url) = text.strip_prefix("registry+") {
        return Ok(Source::Registry {
            url: url.to_string(),
            default: crate::policy::normalize_registry(url) == "crates.io",
        });
    }
    if let Some(rest) = text.strip_prefix("git+") {
        let (url, commit) = match rest.split_once('#') {
            Some((url, commit)) => (url, Some(commit.to_string())),
            None => (rest, None),
        };
        return Ok(Source::Git {
            url: url.to_string(),
            commit,
            reference: None,
        });
    }
    if let Some(path) = text.strip_prefix("path+") {
        return Ok(Source::Path {
            path: path.to_string(),
        });
    }
    Err(format!(
        "unknown source `{text}`: expected `crates.io`, `registry+URL`, `git+URL`, `path+DIR` or `unknown`"
    ))
}

/// Builds the case's inventory: a root `case-root` depending directly on every package.
pub fn inventory(case: &TestCase, test_path: &Path) -> Inventory {
    let mut inventory = Inventory::new();
    let location = |line: Option<u32>| Location {
        file: test_path.to_path_buf(),
        line,
    };
    let mut root = Package::new(Ecosystem::Cargo, "case-root", "0.0.0", location(None));
    root.kind = PackageKind::Root;
    root.source = Source::Path {
        path: ".".to_string(),
    };
    let root = inventory.add_package(root);
    inventory.add_root(root);
    for written in &case.packages {
        let ecosystem = Ecosystem::from_purl_type(written.ecosystem.as_deref().unwrap_or("cargo"));
        let mut package = Package::new(
            ecosystem.clone(),
            &written.name,
            &written.version,
            location(None),
        );
        package.source = parse_source(written.source.as_deref()).unwrap_or(Source::Unknown);
        if package.source.is_local() {
            package.kind = PackageKind::Local;
        } else if matches!(package.source, Source::Registry { .. }) {
            package.purl = Some(format!(
                "pkg:{}/{}@{}",
                ecosystem.purl_type(),
                written.name,
                written.version
            ));
        }
        package.scope = written.scope.unwrap_or(Scope::Runtime);
        package.license = written.license.as_ref().map(|expression| LicenseInfo {
            expression: expression.clone(),
            origin: if written.detected.is_some() {
                LicenseOrigin::Detected
            } else {
                LicenseOrigin::Manifest
            },
            confidence: written.detected.unwrap_or(1.0),
            file: None,
        });
        if !written.license_files.is_empty() {
            let dir = PathBuf::from(format!(
                "/case-packages/{}-{}",
                written.name, written.version
            ));
            for (file, hash) in &written.license_files {
                inventory
                    .file_hashes
                    .insert(dir.join(file), hash.to_ascii_lowercase());
            }
            package.local_dir = Some(dir);
        }
        let id = inventory.add_package(package);
        let mut edge = Edge::normal(root, id);
        edge.kind = match written.scope {
            Some(Scope::Dev) => crate::inventory::DepKind::Dev,
            Some(Scope::Build) => crate::inventory::DepKind::Build,
            _ => crate::inventory::DepKind::Normal,
        };
        edge.optional = written.scope == Some(Scope::Optional);
        inventory.add_edge(edge);
    }
    for (name, requirement) in &case.requirements {
        inventory.declared_requirements.push(DeclaredRequirement {
            from: root,
            name: name.clone(),
            requirement: requirement.clone(),
            table: "dependencies".to_string(),
            location: location(None),
        });
    }
    inventory.finish();
    inventory
}

fn expectation_matches(expect: &Expectation, finding: &Finding) -> bool {
    if finding.code.as_str() != expect.code {
        return false;
    }
    match expect.severity {
        Some(severity) if finding.severity != severity => return false,
        None if finding.severity == Severity::Note => return false,
        _ => {}
    }
    match (&expect.package, &finding.package) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(wanted), Some(found)) => match wanted.split_once('@') {
            Some((name, version)) => found.name == name && found.version == version,
            None => found.name == *wanted,
        },
    }
}

fn render_finding(finding: &Finding) -> String {
    format!("{} {}: {}", finding.severity, finding.code, finding.message)
}

/// Runs one case against the policy as of `today`.
pub fn run_case(
    case: &TestCase,
    policy: &ValidPolicy,
    today: time::Date,
    test_path: &Path,
) -> CaseResult {
    let inventory = inventory(case, test_path);
    let evaluation = super::evaluate(&inventory, policy, today);
    let mut missing = Vec::new();
    for expect in &case.expect {
        if !evaluation
            .findings
            .iter()
            .any(|f| expectation_matches(expect, f))
        {
            missing.push(format!(
                "{}{}{}",
                expect.severity.map(|s| format!("{s} ")).unwrap_or_default(),
                expect.code,
                expect
                    .package
                    .as_ref()
                    .map(|p| format!(" {p}"))
                    .unwrap_or_default()
            ));
        }
    }
    let unexpected = evaluation
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Note)
        .filter(|f| !case.expect.iter().any(|e| expectation_matches(e, f)))
        .map(render_finding)
        .collect();
    CaseResult {
        name: case.name.clone(),
        missing,
        unexpected,
    }
}
