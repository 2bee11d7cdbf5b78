//! OpenVEX documents: 0.2.0 (the published JSON schema: vulnerability and product objects) and
//! 0.0.1 (vulnerabilities and products as plain strings, as the first documents and go-vex's
//! test data have them).
//!
//! In: the document text and its `@context`. Out: a [`VexDocument`]. The 0.2.0 schema forbids
//! unknown members, and so does this reader; 0.0.1 had no schema, so unknown members pass.

use std::path::Path;

use serde::Deserialize;

use super::{
    Component, Justification, Problems, Product, VexDocument, VexError, VexFormat, VexStatement,
    VexStatus, component_from_label, deserialize, justification_names, non_empty, status_names,
};

/// The `@context` of each version we read (the unversioned one is 0.0.1's).
const CONTEXTS: &[(&str, &str)] = &[
    ("https://openvex.dev/ns", "0.0.1"),
    ("https://openvex.dev/ns/v0.0.1", "0.0.1"),
    ("https://openvex.dev/ns/v0.2.0", "0.2.0"),
];

/// 0.2.0 document (schema `openvex_json_schema.json`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "@context")]
    _context: String,
    #[serde(rename = "@id")]
    id: String,
    author: String,
    #[serde(rename = "role")]
    _role: Option<String>,
    timestamp: String,
    last_updated: Option<String>,
    version: u64,
    #[serde(rename = "tooling")]
    _tooling: Option<String>,
    statements: Vec<Statement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Statement {
    #[serde(rename = "@id")]
    _id: Option<String>,
    #[serde(rename = "version")]
    _version: Option<u64>,
    vulnerability: Vulnerability,
    timestamp: Option<String>,
    last_updated: Option<String>,
    #[serde(default)]
    products: Vec<ProductObject>,
    status: String,
    #[serde(rename = "supplier")]
    _supplier: Option<String>,
    status_notes: Option<String>,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
    action_statement_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Vulnerability {
    #[serde(rename = "@id")]
    _id: Option<String>,
    name: String,
    #[serde(rename = "description")]
    _description: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductObject {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<Identifiers>,
    #[serde(rename = "hashes")]
    _hashes: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    subcomponents: Vec<Subcomponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Subcomponent {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<Identifiers>,
    #[serde(rename = "hashes")]
    _hashes: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Identifiers {
    purl: Option<String>,
    cpe22: Option<String>,
    cpe23: Option<String>,
}

/// 0.0.1 document: strings where 0.2.0 has objects; no schema, so unknown members pass.
#[derive(Deserialize)]
struct LegacyDocument {
    #[serde(rename = "@id")]
    id: String,
    author: String,
    timestamp: Option<String>,
    last_updated: Option<String>,
    statements: Vec<LegacyStatement>,
}

#[derive(Deserialize)]
struct LegacyStatement {
    vulnerability: String,
    timestamp: Option<String>,
    #[serde(default)]
    products: Vec<String>,
    #[serde(default)]
    subcomponents: Vec<String>,
    status: String,
    status_notes: Option<String>,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
}

/// The fields of a statement both versions share, checked the same way.
struct Said<'a> {
    status: &'a str,
    justification: Option<&'a str>,
    impact_statement: Option<&'a str>,
    action_statement: Option<&'a str>,
    status_notes: Option<&'a str>,
}

/// The [`Said`] of a statement of either version: both spell these fields alike.
macro_rules! said_by {
    ($statement:expr) => {
        Said {
            status: &$statement.status,
            justification: $statement.justification.as_deref(),
            impact_statement: $statement.impact_statement.as_deref(),
            action_statement: $statement.action_statement.as_deref(),
            status_notes: $statement.status_notes.as_deref(),
        }
    };
}

/// A statement's identity and scope, as each version spells it.
struct About {
    vulnerability: String,
    aliases: Vec<String>,
    products: Vec<Product>,
    timestamp: Option<time::OffsetDateTime>,
}

/// Reads an OpenVEX document whose `@context` is `context`.
pub(super) fn parse(path: &Path, text: &str, context: &str) -> Result<VexDocument, VexError> {
    let Some(&(_, version)) = CONTEXTS.iter().find(|(known, _)| *known == context) else {
        return Err(VexError::NotVex {
            path: path.to_path_buf(),
            line: None,
            reason: format!(
                "`@context` `{context}` is not an OpenVEX version depgate reads (0.0.1: \
                 `https://openvex.dev/ns/v0.0.1`, 0.2.0: `https://openvex.dev/ns/v0.2.0`)"
            ),
        });
    };
    let format = VexFormat::OpenVex(version);
    let problems = Problems {
        path,
        format: format.to_string(),
    };
    let (id, author, document_time, statements) = if version == "0.2.0" {
        let document: Document = deserialize(path, &problems.format, text)?;
        if document.version < 1 {
            return Err(problems.invalid("$.version", "the version must be at least 1"));
        }
        let time = times(
            &problems,
            "$",
            Some(&document.timestamp),
            document.last_updated.as_deref(),
        )?;
        let statements = read_statements(&problems, &document.statements, time, current_statement)?;
        (document.id, document.author, time, statements)
    } else {
        let document: LegacyDocument = deserialize(path, &problems.format, text)?;
        let time = times(
            &problems,
            "$",
            document.timestamp.as_deref(),
            document.last_updated.as_deref(),
        )?;
        let statements = read_statements(&problems, &document.statements, time, legacy_statement)?;
        (document.id, document.author, time, statements)
    };
    if statements.is_empty() {
        return Err(problems.invalid("$.statements", "a document needs at least one statement"));
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format,
        id: Some(id),
        author: non_empty(Some(&author)),
        timestamp: document_time,
        statements,
    })
}

/// Every statement of a document through `read` (one of the two versions' readers), in order;
/// the first invalid statement is the error.
fn read_statements<S>(
    problems: &Problems<'_>,
    statements: &[S],
    document_time: Option<time::OffsetDateTime>,
    read: fn(
        &Problems<'_>,
        usize,
        &S,
        Option<time::OffsetDateTime>,
    ) -> Result<VexStatement, VexError>,
) -> Result<Vec<VexStatement>, VexError> {
    statements
        .iter()
        .enumerate()
        .map(|(index, statement)| read(problems, index, statement, document_time))
        .collect()
}

/// `timestamp` and `last_updated` of the object at `pointer`: the later of the two that are
/// given (an update is the newer word).
fn times(
    problems: &Problems<'_>,
    pointer: &str,
    timestamp: Option<&str>,
    last_updated: Option<&str>,
) -> Result<Option<time::OffsetDateTime>, VexError> {
    let made = problems.timestamp(&format!("{pointer}.timestamp"), timestamp)?;
    let changed = problems.timestamp(&format!("{pointer}.last_updated"), last_updated)?;
    Ok(changed.or(made))
}

fn current_statement(
    problems: &Problems<'_>,
    index: usize,
    statement: &Statement,
    document_time: Option<time::OffsetDateTime>,
) -> Result<VexStatement, VexError> {
    let pointer = format!("$.statements[{index}]");
    problems.timestamp(
        &format!("{pointer}.action_statement_timestamp"),
        statement.action_statement_timestamp.as_deref(),
    )?;
    let timestamp = times(
        problems,
        &pointer,
        statement.timestamp.as_deref(),
        statement.last_updated.as_deref(),
    )?;
    let mut products = Vec::new();
    for (position, product) in statement.products.iter().enumerate() {
        let at = format!("{pointer}.products[{position}]");
        let component = object_component(
            problems,
            &at,
            product.id.as_deref(),
            product.identifiers.as_ref(),
        )?;
        let subcomponents = product
            .subcomponents
            .iter()
            .enumerate()
            .map(|(inner, sub)| {
                let at = format!("{at}.subcomponents[{inner}]");
                object_component(problems, &at, sub.id.as_deref(), sub.identifiers.as_ref())
            })
            .collect::<Result<Vec<_>, _>>()?;
        products.push(Product {
            component,
            subcomponents,
        });
    }
    let said = said_by!(statement);
    let about = About {
        vulnerability: statement.vulnerability.name.clone(),
        aliases: statement.vulnerability.aliases.clone(),
        products,
        timestamp: timestamp.or(document_time),
    };
    build_statement(problems, pointer, &said, about)
}

fn legacy_statement(
    problems: &Problems<'_>,
    index: usize,
    statement: &LegacyStatement,
    document_time: Option<time::OffsetDateTime>,
) -> Result<VexStatement, VexError> {
    let pointer = format!("$.statements[{index}]");
    let timestamp = times(problems, &pointer, statement.timestamp.as_deref(), None)?;
    // 0.0.1 listed a statement's subcomponents beside its products: each product is narrowed
    // to all of them.
    let subcomponents: Vec<Component> = statement
        .subcomponents
        .iter()
        .map(|label| component_from_label(label, None))
        .collect();
    let products = statement
        .products
        .iter()
        .map(|label| Product {
            component: component_from_label(label, None),
            subcomponents: subcomponents.clone(),
        })
        .collect();
    let said = said_by!(statement);
    let about = About {
        vulnerability: statement.vulnerability.clone(),
        aliases: Vec::new(),
        products,
        timestamp: timestamp.or(document_time),
    };
    build_statement(problems, pointer, &said, about)
}

/// Checks what a statement says, as the 0.2.0 schema does (known status and justification
/// values; a `not_affected` statement needs a justification or an impact statement, an
/// `affected` one an action statement), and builds it.
fn build_statement(
    problems: &Problems<'_>,
    pointer: String,
    said: &Said<'_>,
    about: About,
) -> Result<VexStatement, VexError> {
    let status = VexStatus::parse(said.status).ok_or_else(|| {
        problems.invalid(
            format!("{pointer}.status"),
            super::unknown_value(said.status, &status_names()),
        )
    })?;
    let justification = said
        .justification
        .map(|text| {
            Justification::parse(text).ok_or_else(|| {
                problems.invalid(
                    format!("{pointer}.justification"),
                    super::unknown_value(text, &justification_names()),
                )
            })
        })
        .transpose()?;
    if status == VexStatus::NotAffected
        && justification.is_none()
        && said.impact_statement.is_none()
    {
        return Err(problems.invalid(
            pointer,
            "a `not_affected` statement needs a `justification` or an `impact_statement`",
        ));
    }
    if status == VexStatus::Affected && said.action_statement.is_none() {
        return Err(problems.invalid(
            pointer,
            "an `affected` statement needs an `action_statement`",
        ));
    }
    Ok(VexStatement {
        vulnerability: about.vulnerability,
        aliases: about.aliases,
        products: about.products,
        status,
        justification,
        impact_statement: non_empty(said.impact_statement),
        action_statement: non_empty(said.action_statement),
        status_notes: non_empty(said.status_notes),
        timestamp: about.timestamp,
        pointer,
    })
}

/// A 0.2.0 product or subcomponent: its `@id` (a purl when it starts with `pkg:`) or its
/// identifiers (a `purl`, or CPEs, which match nothing here). The schema requires one of them.
fn object_component(
    problems: &Problems<'_>,
    pointer: &str,
    id: Option<&str>,
    identifiers: Option<&Identifiers>,
) -> Result<Component, VexError> {
    let purl = identifiers.and_then(|i| i.purl.as_deref());
    if let Some(identifiers) = identifiers
        && identifiers.purl.is_none()
        && identifiers.cpe22.is_none()
        && identifiers.cpe23.is_none()
    {
        return Err(problems.invalid(
            format!("{pointer}.identifiers"),
            "identifiers need a `purl`, `cpe22` or `cpe23`",
        ));
    }
    let label = id
        .or(purl)
        .or_else(|| identifiers.and_then(|i| i.cpe23.as_deref().or(i.cpe22.as_deref())));
    let Some(label) = label else {
        return Err(problems.invalid(pointer, "a product needs an `@id` or `identifiers`"));
    };
    Ok(component_from_label(label, purl))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<VexDocument, VexError> {
        super::super::parse(Path::new("doc.json"), text)
    }

    #[test]
    fn a_0_2_0_statement_with_subcomponents_and_aliases() {
        let document = read(
            r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:x", "author": "A",
                "timestamp": "2024-01-02T03:04:05Z", "version": 2,
                "statements": [{"vulnerability": {"name": "CVE-2024-1", "aliases": ["GHSA-x"]},
                  "products": [{"@id": "pkg:oci/app", "subcomponents": [{"identifiers": {"purl": "pkg:cargo/h2@0.3.1"}}]}],
                  "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
                  "timestamp": "2024-02-01T00:00:00+01:00"}]}"#,
        )
        .unwrap();
        assert_eq!(document.format, VexFormat::OpenVex("0.2.0"));
        let statement = &document.statements[0];
        assert_eq!(
            statement.ids().collect::<Vec<_>>(),
            ["CVE-2024-1", "GHSA-x"]
        );
        assert_eq!(
            statement.products[0].component.purl.as_deref(),
            Some("pkg:oci/app")
        );
        assert_eq!(
            statement.products[0].subcomponents[0].purl.as_deref(),
            Some("pkg:cargo/h2@0.3.1")
        );
        assert_eq!(
            statement.timestamp.unwrap().unix_timestamp(),
            time::macros::datetime!(2024-01-31 23:00 UTC).unix_timestamp()
        );
    }

    #[test]
    fn schema_problems_name_their_json_path() {
        let base = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "urn:x", "author": "A",
                "timestamp": "2024-01-02T03:04:05Z", "version": 1, "statements": [STATEMENT]}"#;
        for (statement, pointer, message) in [
            (
                r#"{"vulnerability": {"name": "CVE-1"}, "status": "not-affected"}"#,
                "$.statements[0].status",
                "`not-affected` is not one of",
            ),
            (
                r#"{"vulnerability": {"name": "CVE-1"}, "status": "not_affected"}"#,
                "$.statements[0]",
                "needs a `justification` or an `impact_statement`",
            ),
            (
                r#"{"vulnerability": {"name": "CVE-1"}, "status": "affected"}"#,
                "$.statements[0]",
                "needs an `action_statement`",
            ),
            (
                r#"{"vulnerability": "CVE-1", "status": "fixed"}"#,
                "$.statements[0].vulnerability",
                "expected struct",
            ),
            (
                r#"{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "colour": "red"}"#,
                "$.statements[0].colour",
                "unknown field `colour`",
            ),
            (
                r#"{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [{"hashes": {}}]}"#,
                "$.statements[0].products[0]",
                "needs an `@id` or `identifiers`",
            ),
        ] {
            let error = read(&base.replace("STATEMENT", statement)).unwrap_err();
            let text = error.to_string();
            assert!(text.contains(&format!("at `{pointer}`")), "{text}");
            assert!(text.contains(message), "{text}");
            assert!(text.starts_with("`doc.json`"), "{text}");
        }
    }

    #[test]
    fn a_0_0_1_document_with_string_products_and_unknown_versions_rejected() {
        let document = read(
            r#"{"@context": "https://openvex.dev/ns", "@id": "x", "author": "A", "format": "text/vex+json",
                "statements": [{"vulnerability": "CVE-1", "products": ["pkg:apk/wolfi/bash@1.0.0"],
                 "status": "under_investigation", "timestamp": "2022-12-22T16:36:43-05:00"}]}"#,
        )
        .unwrap();
        assert_eq!(document.format, VexFormat::OpenVex("0.0.1"));
        assert!(document.statements[0].timestamp.is_some());
        let error = read(r#"{"@context": "https://openvex.dev/ns/v9", "@id": "x"}"#).unwrap_err();
        assert!(
            error.to_string().contains("not an OpenVEX version"),
            "{error}"
        );
    }
}
