//! VEX out as CycloneDX 1.6 JSON: the affected packages as components, and one
//! `vulnerabilities[]` entry per vulnerability and package with its `analysis`; the same
//! entries are what an attestation embeds.
//!
//! In: decisions and [`VexInfo`]. Out: the document (or its `vulnerabilities` array) as a JSON
//! value. Components' `bom-ref`s are their purls, which is also how the SBOM writer names
//! them, so the entries resolve inside an attestation too.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{VexInfo, content_urn, id_source, impact_text};
use crate::enrich::vex::VexStatus;
use crate::evaluate::vex::Decision;

pub(super) fn document(decisions: &[Decision], info: &VexInfo) -> Value {
    let mut components: BTreeMap<&str, Value> = BTreeMap::new();
    for decision in decisions {
        if let Some(purl) = decision.package.purl.as_deref() {
            components.entry(purl).or_insert_with(|| {
                json!({
                    "type": "library",
                    "bom-ref": purl,
                    "name": decision.package.name,
                    "version": decision.package.version,
                    "purl": purl,
                })
            });
        }
    }
    let components: Vec<Value> = components.into_values().collect();
    let vulnerabilities = vulnerabilities(decisions);
    let content = json!([components, vulnerabilities]);
    json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": content_urn(&content),
        "version": 1,
        "metadata": {
            "timestamp": crate::util::rfc3339(info.timestamp),
            "tools": { "components": [{
                "type": "application",
                "name": "depgate",
                "version": env!("CARGO_PKG_VERSION"),
            }]},
            "authors": [{ "name": info.author }],
            "component": { "type": "application", "name": info.subject, "bom-ref": "depgate:vex:subject" },
        },
        "components": components,
        "vulnerabilities": vulnerabilities,
    })
}

/// The `vulnerabilities` array: one entry per decision, `affects` naming the package's purl.
pub fn vulnerabilities(decisions: &[Decision]) -> Value {
    Value::Array(decisions.iter().map(vulnerability).collect())
}

fn vulnerability(decision: &Decision) -> Value {
    let (source, url) = id_source(&decision.vulnerability);
    let mut entry = Map::new();
    entry.insert("id".into(), json!(decision.vulnerability));
    entry.insert("source".into(), json!({ "name": source, "url": url }));
    if !decision.aliases.is_empty() {
        let references: Vec<Value> = decision
            .aliases
            .iter()
            .map(|alias| {
                let (source, url) = id_source(alias);
                json!({ "id": alias, "source": { "name": source, "url": url } })
            })
            .collect();
        entry.insert("references".into(), Value::Array(references));
    }
    let mut rating = Map::new();
    if let Some(score) = decision.cvss_score {
        rating.insert("score".into(), json!(score));
    }
    rating.insert("severity".into(), json!(decision.severity));
    entry.insert("ratings".into(), json!([rating]));
    if let Some(title) = &decision.title {
        entry.insert("description".into(), json!(title));
    }
    if let Some(action) = &decision.action_statement {
        entry.insert("recommendation".into(), json!(action));
    }
    if let Some(url) = &decision.url {
        entry.insert("advisories".into(), json!([{ "url": url }]));
    }
    let mut analysis = Map::new();
    analysis.insert("state".into(), json!(decision.status.cyclonedx_state()));
    if let Some(justification) = decision.justification {
        analysis.insert("justification".into(), json!(justification.cyclonedx()));
    }
    if decision.status == VexStatus::Affected && !decision.fixed_in.is_empty() {
        analysis.insert("response".into(), json!(["update"]));
    }
    let detail = match decision.status {
        VexStatus::NotAffected => impact_text(decision),
        _ => decision.status_notes.clone(),
    };
    if let Some(detail) = detail {
        analysis.insert("detail".into(), json!(detail));
    }
    if let Some(timestamp) = &decision.timestamp {
        analysis.insert("lastUpdated".into(), json!(timestamp));
    }
    entry.insert("analysis".into(), Value::Object(analysis));
    entry.insert("affects".into(), json!([{ "ref": decision.package.purl }]));
    Value::Object(entry)
}
