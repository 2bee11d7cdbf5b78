//! Report stage, SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).
//!
//! In: the [`super::FindingsReport`] (findings and the policy's rules, [`RuleMeta`]) and the tool version. Out: one
//! SARIF log as pretty JSON bytes. One SARIF rule per policy rule (help text with its owner and
//! rationale), one result per finding located at the package's line in its lockfile (or at the
//! policy file for policy findings), with a `partialFingerprints` entry derived from
//! [`crate::evaluate::Finding::fingerprint`] so code scanning tracks a finding across runs and
//! across version upgrades. The types are a hand-written subset of the spec (what code scanning
//! reads), kept private; output is sorted and deterministic.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use serde::Serialize;

use crate::evaluate::{Finding, Severity};
use crate::policy::{Level, RuleMeta};

/// The key under which each result's stable fingerprint is published. Versioned, so a future
/// change of the fingerprint recipe can use a new key instead of silently re-identifying alerts.
pub const FINGERPRINT_KEY: &str = "depgateFingerprint/v1";

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// What the SARIF log needs besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct SarifOptions<'a> {
    /// depgate's version, for `tool.driver.version`.
    pub tool_version: &'a str,
    /// The repository root: finding locations under it are written relative to it, as code
    /// scanning expects (paths are matched against the checked-out repository).
    pub root: Option<&'a Path>,
    /// Where to point a finding that has no location of its own (normally the policy file), so
    /// every result has the location code scanning requires.
    pub fallback_file: Option<&'a Path>,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct ResultProperties {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

/// The SARIF `level` for a finding severity.
fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The SARIF default level of a rule (`allow` rules are `none`: they produce no results).
fn rule_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// The published fingerprint of a finding: SHA-256 of [`Finding::fingerprint`], so the raw
/// recipe (code, rule, package, advisory or license) can change shape without leaking names.
pub fn published_fingerprint(finding: &Finding) -> String {
    crate::util::sha256_hex(finding.fingerprint().as_bytes())
}

/// A CVSS-like 0–10 score for an advisory finding: the CVSS base score when known, else a
/// representative score for the severity label (GitHub buckets ≥9 critical, ≥7 high, ≥4
/// medium, >0 low), else `None`.
fn security_severity(finding: &Finding) -> Option<f64> {
    let advisory = finding.advisory.as_ref()?;
    if let Some(score) = advisory.cvss_score {
        return Some(score.clamp(0.0, 10.0));
    }
    match advisory.severity.to_ascii_lowercase().as_str() {
        "critical" => Some(9.5),
        "high" => Some(8.0),
        "medium" | "moderate" => Some(5.5),
        "low" => Some(2.0),
        _ => None,
    }
}

/// Percent-encodes a relative path for a SARIF URI reference (RFC 3986 path characters stay).
fn uri_path(path: &Path) -> String {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => parts.push("..".to_string()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    let joined = parts.join("/");
    let mut encoded = String::with_capacity(joined.len());
    for byte in joined.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A location as a SARIF artifact location: relative to the root (with `%SRCROOT%`) when the
/// path is relative or under the root, else an absolute `file://` URI.
fn artifact_location(path: &Path, root: Option<&Path>) -> ArtifactLocation {
    let relative = match root {
        Some(root) if path.is_absolute() => path.strip_prefix(root).ok(),
        _ if path.is_relative() => Some(path),
        _ => None,
    };
    match relative {
        Some(relative) => ArtifactLocation {
            uri: uri_path(relative),
            uri_base_id: Some("%SRCROOT%"),
        },
        None => ArtifactLocation {
            uri: format!("file:///{}", uri_path(path)),
            uri_base_id: None,
        },
    }
}

fn rule_from_meta(meta: &RuleMeta, security: bool, score: Option<f64>) -> Rule {
    let link = meta
        .rationale
        .starts_with("https://")
        .then(|| meta.rationale.clone());
    Rule {
        id: meta.id.clone(),
        // What the rule checks, from the rule table (the same words as the docs); a rule the
        // table does not know (a ban with its own id) is described by its rationale.
        short_description: Text {
            text: match crate::vocabulary::rules::spec(&meta.id) {
                Some(spec) => format!(
                    "{}: {}",
                    meta.id,
                    spec.codes
                        .iter()
                        .map(|code| code.description())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                None => format!("{}: {}", meta.id, first_line(&meta.rationale)),
            },
        },
        full_description: Text {
            text: meta.rationale.clone(),
        },
        help: Help {
            text: format!(
                "Rule `{}` ({}). Why: {} Owner: {} (ask them about exceptions or waivers).",
                meta.id, meta.level, meta.rationale, meta.owner
            ),
            markdown: format!(
                "**Rule** `{}` ({})\n\n**Why:** {}\n\n**Owner:** {} (ask them about exceptions or waivers).",
                meta.id, meta.level, meta.rationale, meta.owner
            ),
        },
        help_uri: link,
        default_configuration: Configuration {
            level: rule_level(meta.level),
        },
        properties: RuleProperties {
            tags: if security {
                vec!["security", "supply-chain"]
            } else {
                vec!["supply-chain"]
            },
            security_severity: score.map(|s| format!("{s:.1}")),
        },
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Renders the evaluation as a SARIF 2.1.0 log (pretty JSON, trailing newline).
///
/// `rules` lists the policy's rules; a finding whose rule is not among them gets a rule built
/// from the finding's own owner and rationale, so every `ruleId` resolves.
pub fn render(
    report: &super::FindingsReport,
    options: &SarifOptions<'_>,
) -> Result<Vec<u8>, serde_json::Error> {
    render_findings(&report.findings, &report.rules, options)
}

/// Renders findings and the rules they come from (what [`render`] takes from the report).
pub fn render_findings(
    findings: &[Finding],
    rules: &[RuleMeta],
    options: &SarifOptions<'_>,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut findings: Vec<&Finding> = findings.iter().collect();
    findings.sort_by_cached_key(|f| (f.sort_key(), f.fingerprint(), f.location.clone()));

    // Every rule, by id: the policy's own, then any a finding names that the policy did not
    // list (built-in rules), described from the finding.
    let mut metas: BTreeMap<String, RuleMeta> = rules
        .iter()
        .map(|rule| (rule.id.clone(), rule.clone()))
        .collect();
    for finding in &findings {
        metas
            .entry(finding.rule.clone())
            .or_insert_with(|| RuleMeta {
                id: finding.rule.clone(),
                level: match finding.severity {
                    Severity::Error => Level::Deny,
                    Severity::Warning | Severity::Note => Level::Warn,
                },
                owner: finding.owner.clone().unwrap_or_else(|| "unassigned".into()),
                rationale: finding
                    .rationale
                    .clone()
                    .unwrap_or_else(|| finding.code.as_str().into()),
            });
    }
    // An advisory rule carries the highest score among its findings: code scanning reads
    // `security-severity` per rule to rank alerts.
    let mut scores: BTreeMap<&str, Option<f64>> = BTreeMap::new();
    for finding in &findings {
        if finding.advisory.is_some() {
            let entry = scores.entry(finding.rule.as_str()).or_insert(None);
            if let Some(score) = security_severity(finding) {
                *entry = Some(entry.map_or(score, |current: f64| current.max(score)));
            }
        }
    }
    let index: BTreeMap<&str, usize> = metas
        .keys()
        .enumerate()
        .map(|(position, id)| (id.as_str(), position))
        .collect();
    let sarif_rules: Vec<Rule> = metas
        .values()
        .map(|meta| {
            let score = scores.get(meta.id.as_str());
            let security = score.is_some() || meta.id.starts_with("advisories");
            rule_from_meta(meta, security, score.copied().flatten())
        })
        .collect();

    let results = findings
        .iter()
        .map(|finding| {
            let location = finding
                .location
                .as_ref()
                .map(|l| (l.file.as_path(), l.line))
                .or_else(|| options.fallback_file.map(|file| (file, None)));
            let locations = location
                .map(|(file, line)| ResultLocation {
                    physical_location: PhysicalLocation {
                        artifact_location: artifact_location(file, options.root),
                        region: line
                            .filter(|l| *l > 0)
                            .map(|start_line| Region { start_line }),
                    },
                })
                .into_iter()
                .collect();
            let mut message = finding.message.clone();
            if let Some(path) = finding.paths.first() {
                message.push_str(&format!("\nDependency path: {path}"));
            }
            if let Some(waiver) = &finding.waiver {
                message.push_str(&format!(
                    "\nWaived by `{}` (owner {}, expires {}): {}",
                    waiver.id, waiver.owner, waiver.expires, waiver.reason
                ));
            }
            if let Some(vex) = &finding.vex {
                message.push_str(&format!("\n{}", vex.summary()));
            }
            SarifResult {
                rule_id: finding.rule.clone(),
                rule_index: index.get(finding.rule.as_str()).copied().unwrap_or(0),
                level: severity_level(finding.severity),
                message: Text { text: message },
                locations,
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    published_fingerprint(finding),
                )]),
                properties: ResultProperties {
                    code: finding.code.as_str(),
                    package: finding.package.as_ref().map(|p| {
                        p.purl
                            .clone()
                            .unwrap_or_else(|| format!("{}@{}", p.name, p.version))
                    }),
                    baseline: finding.baseline.map(|state| match state {
                        crate::evaluate::BaselineState::New => "new",
                        crate::evaluate::BaselineState::Existing => "existing",
                    }),
                    security_severity: security_severity(finding).map(|s| format!("{s:.1}")),
                },
            }
        })
        .collect();

    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "depgate",
                    version: options.tool_version,
                    semantic_version: options.tool_version,
                    information_uri: INFORMATION_URI,
                    rules: sarif_rules,
                },
            },
            original_uri_base_ids: BTreeMap::from([(
                "%SRCROOT%",
                ArtifactLocation {
                    uri: "./".into(),
                    uri_base_id: None,
                },
            )]),
            results,
        }],
    };
    let mut bytes = serde_json::to_vec_pretty(&log)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::evaluate::{AdvisoryRef, FindingCode, PackageRef};
    use crate::inventory::Location;

    fn advisory_finding(version: &str, line: u32) -> Finding {
        let mut finding = Finding::new(
            FindingCode::AdvisoryVulnerable,
            "advisories.vulnerability",
            Severity::Error,
            format!("`smallvec` {version} is affected by RUSTSEC-2021-0003"),
        );
        finding.package = Some(PackageRef {
            ecosystem: "cargo".into(),
            name: "smallvec".into(),
            version: version.into(),
            purl: Some(format!("pkg:cargo/smallvec@{version}")),
        });
        finding.advisory = Some(AdvisoryRef {
            id: "RUSTSEC-2021-0003".into(),
            aliases: vec!["CVE-2021-25900".into()],
            severity: "critical".into(),
            cvss_score: Some(9.8),
            fixed_in: vec![">=1.6.1".into()],
            title: None,
            url: None,
            affected_functions: Vec::new(),
        });
        finding.location = Some(Location {
            file: PathBuf::from("/repo/sub dir/Cargo.lock"),
            line: Some(line),
        });
        finding
    }

    fn render_one(finding: Finding) -> serde_json::Value {
        let findings = vec![finding];
        let options = SarifOptions {
            tool_version: "0.1.0",
            root: Some(Path::new("/repo")),
            fallback_file: None,
        };
        serde_json::from_slice(&render_findings(&findings, &[], &options).unwrap()).unwrap()
    }

    #[test]
    fn location_is_relative_and_percent_encoded() {
        let log = render_one(advisory_finding("1.6.0", 42));
        let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "sub%20dir/Cargo.lock");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(location["region"]["startLine"], 42);
    }

    #[test]
    fn advisory_rule_carries_security_severity() {
        let log = render_one(advisory_finding("1.6.0", 42));
        let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "advisories.vulnerability");
        assert_eq!(rule["properties"]["security-severity"], "9.8");
        assert_eq!(log["runs"][0]["results"][0]["level"], "error");
    }

    #[test]
    fn fingerprint_survives_an_upgrade_that_keeps_the_problem() {
        let before = render_one(advisory_finding("1.6.0", 42));
        let after = render_one(advisory_finding("1.6.0-patched", 57));
        let key = |log: &serde_json::Value| {
            log["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY].clone()
        };
        assert_eq!(key(&before), key(&after));
        assert_eq!(key(&before).as_str().unwrap().len(), 64);
    }
}
