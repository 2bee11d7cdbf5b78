//! VEX out as CSAF 2.0 with the VEX profile: one product per package (its purl as the
//! identification helper), one vulnerability per id with the packages' product status,
//! justification flags, impact threats and remediations.
//!
//! In: decisions (sorted by vulnerability, then purl) and [`VexInfo`]. Out: the document as a
//! JSON value, meeting the profile's mandatory tests that can be checked offline: every
//! product id defined once, each `known_not_affected` product with a flag or an impact
//! threat, each `known_affected` product with a remediation, one entry per CVE, a
//! revision history that matches the version.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{VexInfo, id_source, impact_text};
use crate::enrich::vex::VexStatus;
use crate::evaluate::vex::Decision;

pub(super) fn document(decisions: &[Decision], info: &VexInfo) -> Value {
    // Product ids in purl order, so the same packages always get the same ids.
    let mut purls: Vec<&str> = decisions
        .iter()
        .filter_map(|d| d.package.purl.as_deref())
        .collect();
    purls.sort_unstable();
    purls.dedup();
    let ids: BTreeMap<&str, String> = purls
        .iter()
        .enumerate()
        .map(|(index, purl)| (*purl, format!("CSAFPID-{:04}", index + 1)))
        .collect();
    let mut names: BTreeMap<&str, Value> = BTreeMap::new();
    for decision in decisions {
        if let Some(purl) = decision.package.purl.as_deref() {
            names.entry(purl).or_insert_with(|| {
                json!({
                    "name": format!("{} {}", decision.package.name, decision.package.version),
                    "product_id": ids[purl],
                    "product_identification_helper": { "purl": purl },
                })
            });
        }
    }
    let mut grouped: BTreeMap<&str, Vec<&Decision>> = BTreeMap::new();
    for decision in decisions {
        grouped
            .entry(decision.vulnerability.as_str())
            .or_default()
            .push(decision);
    }
    let vulnerabilities: Vec<Value> = grouped
        .values()
        .map(|group| vulnerability(group, &ids))
        .collect();
    let timestamp = crate::util::rfc3339(info.timestamp);
    let product_tree = json!({ "full_product_names": names.into_values().collect::<Vec<_>>() });
    let digest = crate::util::sha256_hex(
        &serde_json::to_vec(&json!([product_tree, vulnerabilities])).unwrap_or_default(),
    );
    json!({
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "notes": [{
                "category": "summary",
                "title": "How these statements were made",
                "text": format!(
                    "What depgate decided about each vulnerability advisory that matched `{}`: \
                     waived advisories are not affected (the waiver's reason is the impact \
                     statement), statements from input VEX documents are carried over, and \
                     every other advisory is known affected, with its fixed versions.",
                    info.subject
                ),
            }],
            "publisher": {
                "category": "vendor",
                "name": info.author,
                "namespace": info.namespace,
            },
            "title": format!("VEX statements for {}", info.subject),
            "tracking": {
                "current_release_date": timestamp,
                "generator": {
                    "date": timestamp,
                    "engine": { "name": "depgate", "version": env!("CARGO_PKG_VERSION") },
                },
                "id": format!("DEPGATE-VEX-{}", digest[..16].to_ascii_uppercase()),
                "initial_release_date": timestamp,
                "revision_history": [{
                    "date": timestamp,
                    "number": "1",
                    "summary": "Initial version.",
                }],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": product_tree,
        "vulnerabilities": vulnerabilities,
    })
}

/// One vulnerability: the decisions about it, one per package.
fn vulnerability(group: &[&Decision], ids: &BTreeMap<&str, String>) -> Value {
    let first = group[0];
    let product = |decision: &Decision| {
        decision
            .package
            .purl
            .as_deref()
            .and_then(|purl| ids.get(purl))
            .cloned()
            .unwrap_or_default()
    };
    let mut entry = Map::new();
    let mut other_ids: Vec<&String> = first.aliases.iter().collect();
    if is_cve(&first.vulnerability) {
        entry.insert("cve".into(), json!(first.vulnerability));
    } else {
        other_ids.insert(0, &first.vulnerability);
    }
    let listed: Vec<Value> = other_ids
        .iter()
        .map(|id| {
            let (system, _) = id_source(id);
            json!({ "system_name": system, "text": id })
        })
        .collect();
    if !listed.is_empty() {
        entry.insert("ids".into(), Value::Array(listed));
    }
    entry.insert(
        "notes".into(),
        json!([{
            "category": "description",
            "title": "Advisory summary",
            "text": first.title.clone().unwrap_or_else(|| first.vulnerability.clone()),
        }]),
    );
    let mut status: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut flags: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut threats: Vec<Value> = Vec::new();
    let mut remediations: Vec<Value> = Vec::new();
    for decision in group {
        let id = product(decision);
        let key = match decision.status {
            VexStatus::NotAffected => "known_not_affected",
            VexStatus::Affected => "known_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        };
        status.entry(key).or_default().push(id.clone());
        if decision.status == VexStatus::NotAffected {
            if let Some(justification) = decision.justification {
                flags
                    .entry(justification.as_str())
                    .or_default()
                    .push(id.clone());
            }
            if let Some(impact) = impact_text(decision) {
                threats
                    .push(json!({ "category": "impact", "details": impact, "product_ids": [id] }));
            }
        }
        if decision.status == VexStatus::Affected {
            let category = if decision.fixed_in.is_empty() {
                "none_available"
            } else {
                "vendor_fix"
            };
            let details = decision
                .action_statement
                .clone()
                .unwrap_or_else(|| "No remediation is known".to_string());
            remediations
                .push(json!({ "category": category, "details": details, "product_ids": [id] }));
        }
    }
    entry.insert("product_status".into(), json!(status));
    if !flags.is_empty() {
        let flags: Vec<Value> = flags
            .into_iter()
            .map(|(label, products)| json!({ "label": label, "product_ids": products }))
            .collect();
        entry.insert("flags".into(), Value::Array(flags));
    }
    if let Some(url) = &first.url {
        entry.insert(
            "references".into(),
            json!([{ "category": "external", "summary": "Advisory", "url": url }]),
        );
    }
    if !remediations.is_empty() {
        entry.insert("remediations".into(), Value::Array(remediations));
    }
    if !threats.is_empty() {
        entry.insert("threats".into(), Value::Array(threats));
    }
    Value::Object(entry)
}

/// `CVE-YYYY-NNNN…`, the form CSAF's `cve` field accepts.
fn is_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, number)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && number.len() >= 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number.bytes().all(|b| b.is_ascii_digit())
}
