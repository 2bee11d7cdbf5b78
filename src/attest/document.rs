//! The attestation document: a CycloneDX 1.6 BOM whose `definitions` hold the policy as a
//! standard and whose `declarations` hold the verdict as claims with evidence.
//!
//! In: an [`AttestationInput`]: the policy summary, the inventory as CycloneDX 1.6 JSON (from
//! the SBOM writer), the evaluation, the files read, the advisory databases and the time.
//! Out: the unsigned document as a `serde_json::Value` ([`build_attestation`]). Signing is in
//! [`super::sign_attestation`].
//!
//! Layout (every `bom-ref` we add starts with `depgate:` so it cannot collide with a
//! component's purl-based reference):
//! - `definitions.standards[0]`: the policy (name, version, owner); one requirement per rule
//!   (`identifier` = rule id, `text` = rationale).
//! - `declarations.assessors`: the tool and the policy's organisation.
//! - `declarations.targets`: the organisation and the dependency inventory.
//! - `declarations.attestations[0].map`: per rule, the claim that the inventory conforms, the
//!   counter-claims (one per non-conforming component, targeting that component), conformance
//!   (share of evaluated components that conform) and confidence (share the rule could
//!   evaluate at all).
//! - `declarations.evidence`: per rule its findings (JSON attachment), per rule kind the
//!   coverage numbers, per waiver its reason, owner and expiry.
//! - `declarations.affirmation`: a statement and the signatory (signed in `sign_attestation`).
//! - `metadata.properties`: the audit inputs (`depgate:*`), enough to replay the verdict.
//! - `vulnerabilities` (carried from the inventory document when it has them): the VEX
//!   analysis of each vulnerability advisory (not affected with the waiver's reason, an input
//!   VEX statement carried over, or exploitable with the fix), so an auditor sees why each
//!   was accepted.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::evaluate::{Evaluation, FailOn, Finding, Severity, Verdict};
use crate::inventory::InputFile;
use crate::policy::Level;

/// The CycloneDX spec version of attestations.
pub const SPEC_VERSION: &str = "1.6";
/// `bom-ref` of the dependency inventory as a declaration target.
pub const INVENTORY_TARGET: &str = "depgate:target:inventory";

/// Metadata property names (the audit inputs). Part of the attestation format: never rename.
pub mod property {
    /// depgate's version.
    pub const VERSION: &str = "depgate:version";
    /// `pass` or `fail`.
    pub const VERDICT: &str = "depgate:verdict";
    /// RFC 3339 time of the evaluation.
    pub const EVALUATED_AT: &str = "depgate:evaluated-at";
    /// Policy name.
    pub const POLICY_NAME: &str = "depgate:policy:name";
    /// Policy version.
    pub const POLICY_VERSION: &str = "depgate:policy:version";
    /// Policy owner (organisation).
    pub const POLICY_OWNER: &str = "depgate:policy:owner";
    /// Lowercase hex SHA-256 of the canonical policy.
    pub const POLICY_SHA256: &str = "depgate:policy:sha256";
    /// Prefix of `depgate:input:<path>` = `sha256:<hex>`.
    pub const INPUT_PREFIX: &str = "depgate:input:";
    /// Prefix of `depgate:input-format:<path>` = the format read.
    pub const INPUT_FORMAT_PREFIX: &str = "depgate:input-format:";
    /// Prefix of `depgate:advisory-db:<name>:revision|updated|age-days`.
    pub const DATABASE_PREFIX: &str = "depgate:advisory-db:";
    /// Number of findings by severity: `depgate:findings:error|warning|note`, and waived.
    pub const FINDINGS_PREFIX: &str = "depgate:findings:";
    /// Number of components attested.
    pub const COMPONENTS: &str = "depgate:components";
}

/// One policy rule, as the attestation records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSummary {
    /// Stable rule id, e.g. `licenses.allowed`.
    pub id: String,
    /// Why the rule exists.
    pub rationale: String,
    /// Who owns the rule.
    pub owner: String,
    /// What a match does.
    pub level: Level,
}

/// The policy that was evaluated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Policy name.
    pub name: String,
    /// Policy version.
    pub version: String,
    /// The organisation that owns the policy (assessor, target and default signatory).
    pub owner: String,
    /// Lowercase hex SHA-256 of the canonical policy.
    pub digest: String,
    /// Every rule, in policy order.
    pub rules: Vec<RuleSummary>,
}

/// An advisory database used by the evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbSummary {
    /// Database name, e.g. `rustsec` or `osv-crates.io`.
    pub name: String,
    /// Revision (git commit, archive digest or modification stamp).
    pub revision: String,
    /// When the database was last updated, RFC 3339, when known.
    pub updated: Option<String>,
    /// Its age in whole days at evaluation time, when known.
    pub age_days: Option<u64>,
}

/// Everything an attestation records.
#[derive(Debug, Clone)]
pub struct AttestationInput<'a> {
    /// The policy.
    pub policy: PolicySummary,
    /// The inventory as a CycloneDX 1.6 JSON document (components, dependencies, metadata).
    pub components_bom: Value,
    /// The verdict.
    pub evaluation: &'a Evaluation,
    /// Every lockfile or SBOM read.
    pub inputs: &'a [InputFile],
    /// The advisory databases used.
    pub databases: Vec<DbSummary>,
    /// When the evaluation ran (`util::timestamp()`, which honours `SOURCE_DATE_EPOCH`).
    pub evaluated_at: time::OffsetDateTime,
    /// Who affirms the attestation; the policy owner when `None`.
    pub signatory: Option<String>,
}

/// The document could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The inventory document is not a CycloneDX JSON object.
    #[error("the inventory document is not a CycloneDX JSON object: {0}")]
    NotCycloneDx(String),
    /// Two rules share an id.
    #[error("policy rule id `{0}` appears twice; rule ids must be unique")]
    DuplicateRule(String),
    /// Canonicalisation (for the serial number) failed.
    #[error(transparent)]
    Canonical(#[from] super::jcs::JcsError),
}

/// The attested verdict: the gate's own [`Verdict`] at `--fail-on deny` (an attestation has
/// no baseline), so the document and `depgate check` can never disagree.
pub fn verdict(evaluation: &Evaluation) -> Verdict {
    Verdict::new(evaluation, FailOn::Deny)
}

/// The rule kind (`licenses`, `advisories`, …): the rule id up to its first dot, which is
/// how `Coverage::rules` is keyed.
fn rule_kind(rule_id: &str) -> &str {
    rule_id.split('.').next().unwrap_or(rule_id)
}

/// Rounds a score to four decimals so documents stay readable (and JCS-stable).
fn round_score(score: f64) -> f64 {
    ((score.clamp(0.0, 1.0)) * 10_000.0).round() / 10_000.0
}

fn property(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

/// A finding as recorded in evidence: its JSON form plus the stable fingerprint that drift
/// comparison uses to tell new violations from known ones.
fn finding_record(finding: &Finding) -> Value {
    let mut record = serde_json::to_value(finding).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut record {
        object.insert("fingerprint".to_string(), json!(finding.fingerprint()));
    }
    record
}

fn json_attachment(name: &str, content: &Value) -> Value {
    json!([{
        "name": name,
        "contents": { "attachment": {
            "contentType": "application/json",
            "content": serde_json::to_string(content).unwrap_or_default(),
        }},
    }])
}

/// A key identifying a package in findings and components: purl, else `name@version`.
fn package_key(purl: Option<&str>, name: &str, version: &str) -> String {
    purl.map(str::to_string)
        .unwrap_or_else(|| format!("{name}@{version}"))
}

/// Maps package keys (purl and `name@version`) to component `bom-ref`s, so counter-claims
/// can target the very component a finding is about.
fn component_refs(components: &[Value]) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    for component in super::drift::flatten_components(components) {
        let Some(bom_ref) = component.get("bom-ref").and_then(Value::as_str) else {
            continue;
        };
        let name = component.get("name").and_then(Value::as_str).unwrap_or("");
        let version = component
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("");
        if let Some(purl) = component.get("purl").and_then(Value::as_str) {
            refs.insert(purl.to_string(), bom_ref.to_string());
        }
        refs.entry(format!("{name}@{version}"))
            .or_insert_with(|| bom_ref.to_string());
    }
    refs
}

/// Builds the unsigned attestation document.
pub fn build_attestation(input: &AttestationInput<'_>) -> Result<Value, BuildError> {
    let Value::Object(bom) = &input.components_bom else {
        return Err(BuildError::NotCycloneDx("not a JSON object".to_string()));
    };
    if bom.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(BuildError::NotCycloneDx(
            "`bomFormat` is not `CycloneDX`".to_string(),
        ));
    }
    let mut seen_rules = BTreeSet::new();
    for rule in &input.policy.rules {
        if !seen_rules.insert(rule.id.as_str()) {
            return Err(BuildError::DuplicateRule(rule.id.clone()));
        }
    }

    let tool_version = env!("CARGO_PKG_VERSION");
    let evaluation = input.evaluation;
    let evaluated_at = crate::util::rfc3339(input.evaluated_at);
    let components: Vec<Value> = bom
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let component_count = super::drift::flatten_components(&components).len();
    let refs = component_refs(&components);
    let policy = &input.policy;
    let verdict = verdict(evaluation);
    let Verdict {
        errors,
        warnings,
        notes,
        waived,
        ..
    } = verdict;
    let verdict = verdict.result.as_str();

    // Start from the inventory document: everything it says (components, dependencies,
    // compositions, …) is attested. Members we own are rebuilt below.
    let mut document = Map::new();
    document.insert(
        "$schema".to_string(),
        json!("http://cyclonedx.org/schema/bom-1.6.schema.json"),
    );
    document.insert("bomFormat".to_string(), json!("CycloneDX"));
    document.insert("specVersion".to_string(), json!(SPEC_VERSION));
    document.insert("serialNumber".to_string(), json!(""));
    document.insert("version".to_string(), json!(1));
    for (key, value) in bom {
        let owned = matches!(
            key.as_str(),
            "$schema"
                | "bomFormat"
                | "specVersion"
                | "serialNumber"
                | "version"
                | "definitions"
                | "declarations"
                | "signature"
        );
        if !owned {
            document.insert(key.clone(), value.clone());
        }
    }
    document.insert("components".to_string(), Value::Array(components.clone()));

    // --- metadata: timestamp, the tool, and the audit inputs as properties.
    let mut metadata = match bom.get("metadata") {
        Some(Value::Object(metadata)) => metadata.clone(),
        _ => Map::new(),
    };
    metadata.insert("timestamp".to_string(), json!(evaluated_at));
    let tool = json!({ "type": "application", "name": "depgate", "version": tool_version });
    let mut tools = match metadata.get("tools") {
        Some(Value::Object(tools)) => tools.clone(),
        _ => Map::new(),
    };
    let mut tool_components = tools
        .get("components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if !tool_components
        .iter()
        .any(|c| c.get("name").and_then(Value::as_str) == Some("depgate"))
    {
        tool_components.push(tool);
    }
    tools.insert("components".to_string(), Value::Array(tool_components));
    metadata.insert("tools".to_string(), Value::Object(tools));

    let mut properties = vec![
        property(property::VERSION, tool_version),
        property(property::VERDICT, verdict),
        property(property::EVALUATED_AT, evaluated_at.clone()),
        property(property::POLICY_NAME, policy.name.clone()),
        property(property::POLICY_VERSION, policy.version.clone()),
        property(property::POLICY_OWNER, policy.owner.clone()),
        property(property::POLICY_SHA256, policy.digest.clone()),
        property(property::COMPONENTS, component_count.to_string()),
        property(
            &format!("{}error", property::FINDINGS_PREFIX),
            errors.to_string(),
        ),
        property(
            &format!("{}warning", property::FINDINGS_PREFIX),
            warnings.to_string(),
        ),
        property(
            &format!("{}note", property::FINDINGS_PREFIX),
            notes.to_string(),
        ),
        property(
            &format!("{}waived", property::FINDINGS_PREFIX),
            waived.to_string(),
        ),
    ];
    let mut inputs: Vec<&InputFile> = input.inputs.iter().collect();
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    for file in &inputs {
        let path = file.path.display();
        properties.push(property(
            &format!("{}{path}", property::INPUT_PREFIX),
            format!("sha256:{}", file.sha256),
        ));
        properties.push(property(
            &format!("{}{path}", property::INPUT_FORMAT_PREFIX),
            file.format.clone(),
        ));
    }
    let mut databases = input.databases.clone();
    databases.sort_by(|a, b| a.name.cmp(&b.name));
    for database in &databases {
        let prefix = format!("{}{}", property::DATABASE_PREFIX, database.name);
        properties.push(property(
            &format!("{prefix}:revision"),
            database.revision.clone(),
        ));
        if let Some(updated) = &database.updated {
            properties.push(property(&format!("{prefix}:updated"), updated.clone()));
        }
        if let Some(age) = database.age_days {
            properties.push(property(&format!("{prefix}:age-days"), age.to_string()));
        }
    }
    // Keep the inventory's own properties, except any that would shadow ours.
    let ours: BTreeSet<String> = properties
        .iter()
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut all_properties: Vec<Value> = metadata
        .get("properties")
        .and_then(Value::as_array)
        .map(|existing| {
            existing
                .iter()
                .filter(|p| {
                    p.get("name")
                        .and_then(Value::as_str)
                        .is_none_or(|name| !ours.contains(name))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    all_properties.extend(properties);
    metadata.insert("properties".to_string(), Value::Array(all_properties));
    document.insert("metadata".to_string(), Value::Object(metadata));

    // --- definitions: the policy as a standard.
    let requirements: Vec<Value> = policy
        .rules
        .iter()
        .map(|rule| {
            json!({
                "bom-ref": requirement_ref(&rule.id),
                "identifier": rule.id,
                "title": format!("{} ({})", rule.id, rule.level),
                "text": rule.rationale,
                "descriptions": [
                    format!("Level: {} ({})", rule.level, level_meaning(rule.level)),
                    format!("Owner: {}", rule.owner),
                ],
            })
        })
        .collect();
    document.insert(
        "definitions".to_string(),
        json!({ "standards": [{
            "bom-ref": "depgate:standard",
            "name": policy.name,
            "version": policy.version,
            "description": format!(
                "Dependency policy `{}` as evaluated by depgate; SHA-256 of its canonical form: {}",
                policy.name, policy.digest
            ),
            "owner": policy.owner,
            "requirements": requirements,
        }]}),
    );

    // --- declarations.
    let mut evidence: Vec<Value> = Vec::new();
    let mut claims: Vec<Value> = Vec::new();
    let mut map: Vec<Value> = Vec::new();

    // Coverage evidence, one per rule kind the policy uses.
    let kinds: BTreeSet<&str> = policy.rules.iter().map(|r| rule_kind(&r.id)).collect();
    for kind in &kinds {
        let entry = evaluation.coverage.rules.get(*kind);
        let content = json!({
            "kind": kind,
            "packages": evaluation.coverage.packages,
            "evaluated": entry.map(|e| e.evaluated),
            "notEvaluated": entry.map(|e| e.not_evaluated.clone()).unwrap_or_default(),
            "gaps": evaluation.coverage.gaps,
        });
        evidence.push(json!({
            "bom-ref": format!("depgate:evidence:coverage:{kind}"),
            "propertyName": "depgate:coverage",
            "description": match entry {
                Some(entry) => format!(
                    "Rule kind `{kind}`: {} of {} packages evaluated, {} could not be",
                    entry.evaluated, evaluation.coverage.packages, entry.not_evaluated.len()
                ),
                None => format!("Rule kind `{kind}`: no coverage was recorded"),
            },
            "data": json_attachment("coverage", &content),
            "created": evaluated_at,
            "author": { "name": format!("depgate {tool_version}") },
        }));
    }

    // Waiver evidence, one per waiver that applied.
    let mut waivers: BTreeMap<String, (&crate::evaluate::WaiverRef, Vec<String>)> = BTreeMap::new();
    for finding in &evaluation.findings {
        if let Some(waiver) = &finding.waiver {
            waivers
                .entry(waiver.id.clone())
                .or_insert_with(|| (waiver, Vec::new()))
                .1
                .push(finding.fingerprint());
        }
    }
    for (id, (waiver, fingerprints)) in &waivers {
        let mut item = json!({
            "bom-ref": waiver_ref(id),
            "propertyName": "depgate:waiver",
            "description": format!(
                "Waiver `{id}` owned by {} until {}: {}",
                waiver.owner, waiver.expires, waiver.reason
            ),
            "data": json_attachment("waiver", &json!({
                "id": id,
                "reason": waiver.reason,
                "owner": waiver.owner,
                "expires": waiver.expires,
                "findings": fingerprints,
            })),
            "created": evaluated_at,
            "author": { "name": waiver.owner },
        });
        if let Some(expires) = expiry_timestamp(&waiver.expires) {
            item["expires"] = json!(expires);
        }
        evidence.push(item);
    }

    for rule in &policy.rules {
        let kind = rule_kind(&rule.id);
        let findings: Vec<&Finding> = evaluation
            .findings
            .iter()
            .filter(|f| f.rule == rule.id)
            .collect();
        let mut claim_evidence = vec![json!(format!("depgate:evidence:coverage:{kind}"))];
        if !findings.is_empty() {
            let records: Vec<Value> = findings.iter().map(|f| finding_record(f)).collect();
            let findings_ref = format!("depgate:evidence:findings:{}", rule.id);
            evidence.push(json!({
                "bom-ref": findings_ref,
                "propertyName": "depgate:findings",
                "description": format!("{} findings of rule `{}`", findings.len(), rule.id),
                "data": json_attachment("findings", &Value::Array(records)),
                "created": evaluated_at,
                "author": { "name": format!("depgate {tool_version}") },
            }));
            claim_evidence.push(json!(findings_ref));
        }
        let rule_waivers: BTreeSet<&str> = findings
            .iter()
            .filter_map(|f| f.waiver.as_ref().map(|w| w.id.as_str()))
            .collect();
        for id in &rule_waivers {
            claim_evidence.push(json!(waiver_ref(id)));
        }

        // Counter-claims: one per component (or the inventory, for findings about no
        // package) with a finding that was not waived.
        let mut violations: BTreeMap<String, (Option<String>, Vec<&Finding>)> = BTreeMap::new();
        for finding in findings.iter().filter(|f| f.waiver.is_none()) {
            if finding.severity == Severity::Note {
                continue;
            }
            let (key, label) = match &finding.package {
                Some(package) => (
                    package_key(package.purl.as_deref(), &package.name, &package.version),
                    Some(format!("{}@{}", package.name, package.version)),
                ),
                None => (String::new(), None),
            };
            violations
                .entry(key)
                .or_insert_with(|| (label, Vec::new()))
                .1
                .push(finding);
        }
        let mut counter_claims = Vec::new();
        let policy_level_violation = violations.contains_key("");
        for (index, (key, (label, violating))) in violations.iter().enumerate() {
            let claim_ref = format!("depgate:claim:{}:violation:{}", rule.id, index + 1);
            let target = refs
                .get(key)
                .cloned()
                .or_else(|| {
                    violating
                        .first()
                        .and_then(|f| f.package.as_ref())
                        .and_then(|p| refs.get(&format!("{}@{}", p.name, p.version)).cloned())
                })
                .unwrap_or_else(|| INVENTORY_TARGET.to_string());
            let predicate = match label {
                Some(label) => format!("`{label}` does not conform to rule `{}`", rule.id),
                None => format!("The evaluation does not conform to rule `{}`", rule.id),
            };
            let reasoning = violating
                .iter()
                .map(|f| format!("{} [{}]: {}", f.code, f.severity, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            claims.push(json!({
                "bom-ref": claim_ref,
                "target": target,
                "predicate": predicate,
                "reasoning": reasoning,
                "evidence": [format!("depgate:evidence:findings:{}", rule.id)],
            }));
            counter_claims.push(json!(claim_ref));
        }

        let claim_ref = format!("depgate:claim:{}", rule.id);
        let conformance = conformance(evaluation, rule, &violations, policy_level_violation);
        claims.push(json!({
            "bom-ref": claim_ref,
            "target": INVENTORY_TARGET,
            "predicate": format!(
                "Every component evaluated by rule `{}` ({}) conforms to it: {}",
                rule.id, rule.level, rule.rationale
            ),
            "reasoning": conformance.1,
            "evidence": claim_evidence,
        }));
        let confidence = confidence(evaluation, kind);
        let mut entry = json!({
            "requirement": requirement_ref(&rule.id),
            "claims": [claim_ref],
            "conformance": { "score": conformance.0, "rationale": conformance.1 },
            "confidence": { "score": confidence.0, "rationale": confidence.1 },
        });
        if !counter_claims.is_empty() {
            entry["counterClaims"] = Value::Array(counter_claims);
        }
        map.push(entry);
    }

    let target_name = bom
        .get("metadata")
        .and_then(|m| m.get("component"))
        .and_then(|c| c.get("name"))
        .and_then(Value::as_str)
        .map(|name| format!("{name} dependency inventory"))
        .unwrap_or_else(|| "dependency inventory".to_string());
    let input_list = inputs
        .iter()
        .map(|f| format!("`{}`", f.path.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = format!(
        "depgate {tool_version} evaluated {component_count} components against policy `{}` {}: {} ({errors} errors, {warnings} warnings, {waived} waived findings)",
        policy.name,
        policy.version,
        verdict.to_uppercase(),
    );
    let signatory = input
        .signatory
        .clone()
        .unwrap_or_else(|| policy.owner.clone());
    document.insert(
        "declarations".to_string(),
        json!({
            "assessors": [
                {
                    "bom-ref": "depgate:assessor:tool",
                    "thirdParty": false,
                    "organization": { "name": format!("depgate {tool_version}") },
                },
                {
                    "bom-ref": "depgate:assessor:organization",
                    "thirdParty": false,
                    "organization": { "name": policy.owner },
                },
            ],
            "attestations": [{
                "summary": summary,
                "assessor": "depgate:assessor:tool",
                "map": map,
            }],
            "claims": claims,
            "evidence": evidence,
            "targets": {
                "organizations": [{ "bom-ref": "depgate:target:organization", "name": policy.owner }],
                "components": [{
                    "type": "application",
                    "bom-ref": INVENTORY_TARGET,
                    "name": target_name,
                    "description": format!(
                        "The {component_count} components listed in this document, read from {}",
                        if input_list.is_empty() { "no files".to_string() } else { input_list }
                    ),
                }],
            },
            "affirmation": {
                "statement": format!(
                    "The claims above were produced by depgate {tool_version} evaluating policy `{}` {} (SHA-256 {}) at {evaluated_at}. The signature covers this whole document.",
                    policy.name, policy.version, policy.digest
                ),
                "signatories": [{ "name": signatory, "role": "Holder of the signing key" }],
            },
        }),
    );

    let mut document = Value::Object(document);
    let serial = serial_number(&document)?;
    document["serialNumber"] = json!(serial);
    Ok(document)
}

fn requirement_ref(rule_id: &str) -> String {
    format!("depgate:requirement:{rule_id}")
}

fn waiver_ref(waiver_id: &str) -> String {
    format!("depgate:evidence:waiver:{waiver_id}")
}

fn level_meaning(level: Level) -> &'static str {
    match level {
        Level::Deny => "a match fails the gate",
        Level::Warn => "a match is reported",
        Level::Allow => "a match passes",
    }
}

/// `YYYY-MM-DD` → the end of that day (the waiver still holds on its expiry date), RFC 3339.
fn expiry_timestamp(date: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(date, &format).ok()?;
    Some(format!("{day}T23:59:59Z"))
}

/// Conformance of a rule: the share of evaluated components without an unwaived finding.
fn conformance(
    evaluation: &Evaluation,
    rule: &RuleSummary,
    violations: &BTreeMap<String, (Option<String>, Vec<&Finding>)>,
    policy_level_violation: bool,
) -> (f64, String) {
    let evaluated = evaluation
        .coverage
        .rules
        .get(rule_kind(&rule.id))
        .map(|entry| entry.evaluated)
        .unwrap_or(evaluation.coverage.packages);
    let failing = violations.len() - usize::from(policy_level_violation);
    let waived = evaluation
        .findings
        .iter()
        .filter(|f| f.rule == rule.id && f.waiver.is_some())
        .count();
    let score = if policy_level_violation {
        0.0
    } else if evaluated == 0 {
        if failing == 0 { 1.0 } else { 0.0 }
    } else {
        (evaluated.saturating_sub(failing)) as f64 / evaluated as f64
    };
    let mut rationale = format!(
        "{} of {evaluated} evaluated components conform to rule `{}`; {failing} do not",
        evaluated.saturating_sub(failing),
        rule.id
    );
    if policy_level_violation {
        rationale.push_str("; a finding about the evaluation as a whole violates the rule");
    }
    if waived > 0 {
        rationale.push_str(&format!("; {waived} findings were waived (see evidence)"));
    }
    (round_score(score), rationale)
}

/// Confidence in a rule's result: the share of packages its rule kind could evaluate.
fn confidence(evaluation: &Evaluation, kind: &str) -> (f64, String) {
    let gaps = if evaluation.coverage.gaps.is_empty() {
        String::new()
    } else {
        format!("; inventory gaps: {}", evaluation.coverage.gaps.join("; "))
    };
    match evaluation.coverage.rules.get(kind) {
        Some(entry) => {
            let total = entry.evaluated + entry.not_evaluated.len();
            let score = if total == 0 {
                1.0
            } else {
                entry.evaluated as f64 / total as f64
            };
            (
                round_score(score),
                format!(
                    "{} of {total} packages could be evaluated for `{kind}` rules{gaps}",
                    entry.evaluated
                ),
            )
        }
        None => (
            0.0,
            format!(
                "no coverage was recorded for `{kind}` rules, so the result is unverified{gaps}"
            ),
        ),
    }
}

/// A content-derived serial number: a UUID (v5) of the SHA-256 of the document's JCS form
/// without `serialNumber` and `signature`, so equal inputs give equal documents.
fn serial_number(document: &Value) -> Result<String, super::jcs::JcsError> {
    let mut copy = document.clone();
    if let Value::Object(object) = &mut copy {
        object.remove("serialNumber");
        object.remove("signature");
    }
    let digest = crate::util::sha256_hex(&super::jcs::canonicalize(&copy)?);
    let uuid = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("depgate:attestation:{digest}").as_bytes(),
    );
    Ok(format!("urn:uuid:{uuid}"))
}
