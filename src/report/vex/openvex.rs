//! VEX out as OpenVEX 0.2.0: one statement per vulnerability and package, the package's purl
//! as the product.
//!
//! In: decisions and [`VexInfo`]. Out: the document as a JSON value; its `@id` is a UUID
//! derived from the statements.

use serde_json::{Map, Value, json};

use super::{VexInfo, content_urn, impact_text};
use crate::enrich::vex::VexStatus;
use crate::evaluate::vex::Decision;

/// The OpenVEX 0.2.0 context.
const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

pub(super) fn document(decisions: &[Decision], info: &VexInfo) -> Value {
    let statements: Vec<Value> = decisions.iter().map(statement).collect();
    let statements = Value::Array(statements);
    json!({
        "@context": CONTEXT,
        "@id": content_urn(&statements),
        "author": info.author,
        "role": "Document Creator",
        "timestamp": crate::util::rfc3339(info.timestamp),
        "version": 1,
        "tooling": format!("depgate {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    })
}

fn statement(decision: &Decision) -> Value {
    let mut vulnerability = Map::new();
    vulnerability.insert("name".into(), json!(decision.vulnerability));
    if let Some(title) = &decision.title {
        vulnerability.insert("description".into(), json!(title));
    }
    if !decision.aliases.is_empty() {
        vulnerability.insert("aliases".into(), json!(decision.aliases));
    }
    let mut statement = Map::new();
    statement.insert("vulnerability".into(), Value::Object(vulnerability));
    if let Some(timestamp) = &decision.timestamp {
        statement.insert("timestamp".into(), json!(timestamp));
    }
    statement.insert("products".into(), json!([{ "@id": decision.package.purl }]));
    statement.insert("status".into(), json!(decision.status.as_str()));
    if let Some(notes) = &decision.status_notes {
        statement.insert("status_notes".into(), json!(notes));
    }
    if let Some(justification) = decision.justification {
        statement.insert("justification".into(), json!(justification.as_str()));
    }
    let impact = match decision.status {
        VexStatus::NotAffected => impact_text(decision),
        _ => decision.impact_statement.clone(),
    };
    if let Some(impact) = impact {
        statement.insert("impact_statement".into(), json!(impact));
    }
    if let Some(action) = &decision.action_statement {
        statement.insert("action_statement".into(), json!(action));
    }
    Value::Object(statement)
}
