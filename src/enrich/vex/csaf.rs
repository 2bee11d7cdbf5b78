//! CSAF 2.0 documents with the VEX profile (`document.category` = `csaf_vex`).
//!
//! In: the document text. Out: a [`VexDocument`] with one statement per vulnerability and
//! product: `product_status` gives the status (`known_not_affected`, `fixed`,
//! `known_affected`, `under_investigation`, and their `first_`/`last_` variants), flags the
//! justification, `impact` threats the impact statement, remediations the action statement.
//! Product ids resolve through the product tree (branches, full product names, relationships,
//! product groups) to purls from `product_identification_helper.purl`; a relationship
//! (`A default_component_of B`) is product B narrowed to subcomponent A.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{
    Component, Justification, Problems, Product, VexDocument, VexError, VexFormat, VexStatement,
    VexStatus, component_from_label, deserialize, non_empty,
};

#[derive(Deserialize)]
struct Csaf {
    document: Document,
    product_tree: Option<ProductTree>,
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize)]
struct Document {
    category: String,
    csaf_version: String,
    publisher: Publisher,
    #[serde(rename = "title")]
    _title: String,
    tracking: Tracking,
}

#[derive(Deserialize)]
struct Publisher {
    category: String,
    name: String,
    #[serde(rename = "namespace")]
    _namespace: String,
}

#[derive(Deserialize)]
struct Tracking {
    current_release_date: String,
    id: String,
    initial_release_date: String,
    revision_history: Vec<Revision>,
    status: String,
    #[serde(rename = "version")]
    _version: String,
}

#[derive(Deserialize)]
struct Revision {
    date: String,
    #[serde(rename = "number")]
    _number: String,
    #[serde(rename = "summary")]
    _summary: String,
}

#[derive(Deserialize, Default)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    full_product_names: Vec<FullProductName>,
    #[serde(default)]
    relationships: Vec<Relationship>,
    #[serde(default)]
    product_groups: Vec<ProductGroup>,
}

#[derive(Deserialize)]
struct Branch {
    category: String,
    #[serde(rename = "name")]
    _name: String,
    #[serde(default)]
    branches: Vec<Branch>,
    product: Option<FullProductName>,
}

#[derive(Deserialize)]
struct FullProductName {
    name: String,
    product_id: String,
    product_identification_helper: Option<Helper>,
}

#[derive(Deserialize)]
struct Helper {
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    category: String,
    full_product_name: FullProductName,
    product_reference: String,
    relates_to_product_reference: String,
}

#[derive(Deserialize)]
struct ProductGroup {
    group_id: String,
    product_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Vulnerability {
    cve: Option<String>,
    #[serde(default)]
    ids: Vec<Id>,
    notes: Option<Vec<Note>>,
    product_status: Option<ProductStatus>,
    #[serde(default)]
    flags: Vec<Flag>,
    #[serde(default)]
    threats: Vec<CategorizedDetails>,
    #[serde(default)]
    remediations: Vec<CategorizedDetails>,
}

#[derive(Deserialize)]
struct Id {
    #[serde(rename = "system_name")]
    _system_name: String,
    text: String,
}

#[derive(Deserialize)]
struct Note {
    category: String,
    #[serde(rename = "text")]
    _text: String,
}

#[derive(Deserialize, Default)]
struct ProductStatus {
    #[serde(default)]
    first_affected: Vec<String>,
    #[serde(default)]
    first_fixed: Vec<String>,
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    known_affected: Vec<String>,
    #[serde(default)]
    known_not_affected: Vec<String>,
    #[serde(default)]
    last_affected: Vec<String>,
    #[serde(default)]
    under_investigation: Vec<String>,
}

#[derive(Deserialize)]
struct Flag {
    label: String,
    #[serde(default)]
    group_ids: Vec<String>,
    #[serde(default)]
    product_ids: Vec<String>,
}

/// A threat or a remediation: CSAF gives both the same four fields, with their own lists of
/// categories.
#[derive(Deserialize)]
struct CategorizedDetails {
    category: String,
    details: String,
    #[serde(default)]
    group_ids: Vec<String>,
    #[serde(default)]
    product_ids: Vec<String>,
}

const PUBLISHER_CATEGORIES: &[&str] = &[
    "coordinator",
    "discoverer",
    "other",
    "translator",
    "user",
    "vendor",
];
const TRACKING_STATUSES: &[&str] = &["draft", "final", "interim"];
const BRANCH_CATEGORIES: &[&str] = &[
    "architecture",
    "host_name",
    "language",
    "legacy",
    "patch_level",
    "product_family",
    "product_name",
    "product_version",
    "product_version_range",
    "service_pack",
    "specification",
    "vendor",
];
const RELATIONSHIP_CATEGORIES: &[&str] = &[
    "default_component_of",
    "external_component_of",
    "installed_on",
    "installed_with",
    "optional_component_of",
];
const NOTE_CATEGORIES: &[&str] = &[
    "description",
    "details",
    "faq",
    "general",
    "legal_disclaimer",
    "other",
    "summary",
];
const THREAT_CATEGORIES: &[&str] = &["exploit_status", "impact", "target_set"];
const REMEDIATION_CATEGORIES: &[&str] = &[
    "mitigation",
    "no_fix_planned",
    "none_available",
    "vendor_fix",
    "workaround",
];

/// Reads a CSAF 2.0 VEX document.
pub(super) fn parse(path: &Path, text: &str) -> Result<VexDocument, VexError> {
    let format = VexFormat::Csaf;
    let problems = Problems {
        path,
        format: format.to_string(),
    };
    let csaf: Csaf = deserialize(path, &problems.format, text)?;
    let document = &csaf.document;
    if document.csaf_version != "2.0" {
        return Err(problems.invalid(
            "$.document.csaf_version",
            super::unknown_value(&document.csaf_version, &["2.0"]),
        ));
    }
    if document.category != "csaf_vex" {
        return Err(VexError::NotVex {
            path: path.to_path_buf(),
            line: None,
            reason: format!(
                "the CSAF document's category is `{}`, not the VEX profile's `csaf_vex`",
                document.category
            ),
        });
    }
    problems.one_of(
        "$.document.publisher.category",
        &document.publisher.category,
        PUBLISHER_CATEGORIES,
    )?;
    let tracking = &document.tracking;
    problems.one_of(
        "$.document.tracking.status",
        &tracking.status,
        TRACKING_STATUSES,
    )?;
    problems.timestamp(
        "$.document.tracking.initial_release_date",
        Some(&tracking.initial_release_date),
    )?;
    if tracking.revision_history.is_empty() {
        return Err(problems.invalid(
            "$.document.tracking.revision_history",
            "the revision history needs at least one entry",
        ));
    }
    for (index, revision) in tracking.revision_history.iter().enumerate() {
        problems.timestamp(
            &format!("$.document.tracking.revision_history[{index}].date"),
            Some(&revision.date),
        )?;
    }
    let released = problems.timestamp(
        "$.document.tracking.current_release_date",
        Some(&tracking.current_release_date),
    )?;
    // The VEX profile requires a product tree and vulnerabilities (CSAF 2.0 section 4.5).
    let Some(tree) = &csaf.product_tree else {
        return Err(problems.invalid("$", "the VEX profile requires a `product_tree`"));
    };
    let Some(vulnerabilities) = &csaf.vulnerabilities else {
        return Err(problems.invalid("$", "the VEX profile requires `vulnerabilities`"));
    };
    if vulnerabilities.is_empty() {
        return Err(problems.invalid(
            "$.vulnerabilities",
            "the VEX profile requires at least one vulnerability",
        ));
    }
    let products = resolve_tree(&problems, tree)?;
    let groups: BTreeMap<&str, &[String]> = tree
        .product_groups
        .iter()
        .map(|group| (group.group_id.as_str(), group.product_ids.as_slice()))
        .collect();

    let mut statements = Vec::new();
    for (index, vulnerability) in vulnerabilities.iter().enumerate() {
        let pointer = format!("$.vulnerabilities[{index}]");
        let mut ids: Vec<String> = vulnerability.cve.iter().cloned().collect();
        ids.extend(vulnerability.ids.iter().map(|id| id.text.clone()));
        if ids.is_empty() {
            return Err(problems.invalid(
                pointer,
                "the VEX profile requires a `cve` or `ids` for each vulnerability",
            ));
        }
        let Some(notes) = &vulnerability.notes else {
            return Err(problems.invalid(
                pointer,
                "the VEX profile requires `notes` for each vulnerability",
            ));
        };
        for (position, note) in notes.iter().enumerate() {
            problems.one_of(
                &format!("{pointer}.notes[{position}].category"),
                &note.category,
                NOTE_CATEGORIES,
            )?;
        }
        let Some(status) = &vulnerability.product_status else {
            return Err(problems.invalid(
                pointer,
                "the VEX profile requires a `product_status` for each vulnerability",
            ));
        };
        let listed: Vec<(&str, &[String], VexStatus)> = vec![
            (
                "known_not_affected",
                &status.known_not_affected,
                VexStatus::NotAffected,
            ),
            ("fixed", &status.fixed, VexStatus::Fixed),
            ("first_fixed", &status.first_fixed, VexStatus::Fixed),
            (
                "known_affected",
                &status.known_affected,
                VexStatus::Affected,
            ),
            (
                "first_affected",
                &status.first_affected,
                VexStatus::Affected,
            ),
            ("last_affected", &status.last_affected, VexStatus::Affected),
            (
                "under_investigation",
                &status.under_investigation,
                VexStatus::UnderInvestigation,
            ),
        ];
        if status.fixed.is_empty()
            && status.known_affected.is_empty()
            && status.known_not_affected.is_empty()
            && status.under_investigation.is_empty()
        {
            return Err(problems.invalid(
                format!("{pointer}.product_status"),
                "the VEX profile requires `fixed`, `known_affected`, `known_not_affected` or \
                 `under_investigation`",
            ));
        }
        let expand = |field: &str, product_ids: &[String], group_ids: &[String]| {
            expand_ids(&problems, &products, &groups, field, product_ids, group_ids)
        };
        // Per product: the justification (flag), impact (threat) and action (remediation).
        let mut justification: BTreeMap<String, Justification> = BTreeMap::new();
        for (position, flag) in vulnerability.flags.iter().enumerate() {
            let at = format!("{pointer}.flags[{position}]");
            let label = Justification::parse(&flag.label).ok_or_else(|| {
                problems.invalid(
                    format!("{at}.label"),
                    super::unknown_value(&flag.label, &super::justification_names()),
                )
            })?;
            for product in expand(&at, &flag.product_ids, &flag.group_ids)? {
                justification.insert(product, label);
            }
        }
        let mut impact: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (position, threat) in vulnerability.threats.iter().enumerate() {
            let at = format!("{pointer}.threats[{position}]");
            problems.one_of(
                &format!("{at}.category"),
                &threat.category,
                THREAT_CATEGORIES,
            )?;
            if threat.category != "impact" {
                continue;
            }
            for product in expand(&at, &threat.product_ids, &threat.group_ids)? {
                impact
                    .entry(product)
                    .or_default()
                    .push(threat.details.clone());
            }
        }
        let mut action: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (position, remediation) in vulnerability.remediations.iter().enumerate() {
            let at = format!("{pointer}.remediations[{position}]");
            problems.one_of(
                &format!("{at}.category"),
                &remediation.category,
                REMEDIATION_CATEGORIES,
            )?;
            for product in expand(&at, &remediation.product_ids, &remediation.group_ids)? {
                action
                    .entry(product)
                    .or_default()
                    .push(format!("{}: {}", remediation.category, remediation.details));
            }
        }
        for (field, product_ids, status) in listed {
            for (position, product_id) in product_ids.iter().enumerate() {
                let Some(product) = products.get(product_id.as_str()) else {
                    return Err(undefined(
                        &problems,
                        &format!("{pointer}.product_status.{field}[{position}]"),
                        product_id,
                    ));
                };
                let joined = |map: &BTreeMap<String, Vec<String>>| {
                    map.get(product_id).map(|texts| texts.join("; "))
                };
                statements.push(VexStatement {
                    vulnerability: ids[0].clone(),
                    aliases: ids[1..].to_vec(),
                    products: vec![product.clone()],
                    status,
                    justification: justification.get(product_id).copied(),
                    impact_statement: non_empty(joined(&impact).as_deref()),
                    action_statement: non_empty(joined(&action).as_deref()),
                    status_notes: None,
                    timestamp: released,
                    pointer: format!("{pointer}.product_status.{field}[{position}]"),
                });
            }
        }
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format,
        id: Some(tracking.id.clone()),
        author: non_empty(Some(&document.publisher.name)),
        timestamp: released,
        statements,
    })
}

/// Every product id the tree defines, resolved to a product (with its purl when the tree
/// gives one). A relationship's product is its parent narrowed to the component.
fn resolve_tree(
    problems: &Problems<'_>,
    tree: &ProductTree,
) -> Result<BTreeMap<String, Product>, VexError> {
    let mut components: BTreeMap<String, Component> = BTreeMap::new();
    let mut define = |pointer: &str, full: &FullProductName| -> Result<(), VexError> {
        let purl = full
            .product_identification_helper
            .as_ref()
            .and_then(|helper| helper.purl.as_deref());
        let component = component_from_label(&full.product_id, purl);
        let component = Component {
            label: format!("{} ({})", full.product_id, full.name),
            ..component
        };
        if components
            .insert(full.product_id.clone(), component)
            .is_some()
        {
            return Err(problems.invalid(
                format!("{pointer}.product_id"),
                format!("product id `{}` is defined twice", full.product_id),
            ));
        }
        Ok(())
    };
    let mut stack: Vec<(String, &Branch)> = tree
        .branches
        .iter()
        .enumerate()
        .map(|(index, branch)| (format!("$.product_tree.branches[{index}]"), branch))
        .collect();
    while let Some((pointer, branch)) = stack.pop() {
        problems.one_of(
            &format!("{pointer}.category"),
            &branch.category,
            BRANCH_CATEGORIES,
        )?;
        if let Some(product) = &branch.product {
            define(&format!("{pointer}.product"), product)?;
        }
        stack.extend(
            branch
                .branches
                .iter()
                .enumerate()
                .map(|(index, inner)| (format!("{pointer}.branches[{index}]"), inner)),
        );
    }
    for (index, full) in tree.full_product_names.iter().enumerate() {
        define(&format!("$.product_tree.full_product_names[{index}]"), full)?;
    }
    for (index, relationship) in tree.relationships.iter().enumerate() {
        define(
            &format!("$.product_tree.relationships[{index}].full_product_name"),
            &relationship.full_product_name,
        )?;
    }
    let mut products: BTreeMap<String, Product> = components
        .iter()
        .map(|(id, component)| {
            let product = Product {
                component: component.clone(),
                subcomponents: Vec::new(),
            };
            (id.clone(), product)
        })
        .collect();
    for (index, relationship) in tree.relationships.iter().enumerate() {
        let pointer = format!("$.product_tree.relationships[{index}]");
        problems.one_of(
            &format!("{pointer}.category"),
            &relationship.category,
            RELATIONSHIP_CATEGORIES,
        )?;
        let find = |field: &str, id: &str| {
            components
                .get(id)
                .cloned()
                .ok_or_else(|| undefined(problems, &format!("{pointer}.{field}"), id))
        };
        let component = find("product_reference", &relationship.product_reference)?;
        let parent = find(
            "relates_to_product_reference",
            &relationship.relates_to_product_reference,
        )?;
        products.insert(
            relationship.full_product_name.product_id.clone(),
            Product {
                component: parent,
                subcomponents: vec![component],
            },
        );
    }
    Ok(products)
}

/// The product ids a flag, threat or remediation names, groups expanded.
fn expand_ids(
    problems: &Problems<'_>,
    products: &BTreeMap<String, Product>,
    groups: &BTreeMap<&str, &[String]>,
    pointer: &str,
    product_ids: &[String],
    group_ids: &[String],
) -> Result<Vec<String>, VexError> {
    let mut ids = Vec::new();
    for (position, id) in product_ids.iter().enumerate() {
        if !products.contains_key(id) {
            return Err(undefined(
                problems,
                &format!("{pointer}.product_ids[{position}]"),
                id,
            ));
        }
        ids.push(id.clone());
    }
    for (position, group) in group_ids.iter().enumerate() {
        let Some(members) = groups.get(group.as_str()) else {
            return Err(problems.invalid(
                format!("{pointer}.group_ids[{position}]"),
                format!("product group `{group}` is not defined in `product_tree.product_groups`"),
            ));
        };
        ids.extend(members.iter().cloned());
    }
    Ok(ids)
}

/// CSAF's mandatory test 6.1.1: every product id used is defined in the product tree.
fn undefined(problems: &Problems<'_>, pointer: &str, id: &str) -> VexError {
    problems.invalid(
        pointer,
        format!("product id `{id}` is not defined in the `product_tree`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"{
      "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
        "publisher": {"category": "vendor", "name": "Acme PSIRT", "namespace": "https://acme.example"},
        "tracking": {"current_release_date": "2024-03-01T00:00:00Z", "id": "ACME-1",
          "initial_release_date": "2024-03-01T00:00:00Z", "status": "final", "version": "1",
          "revision_history": [{"date": "2024-03-01T00:00:00Z", "number": "1", "summary": "s"}]}},
      "product_tree": {
        "full_product_names": [
          {"name": "app 1.0", "product_id": "APP", "product_identification_helper": {"purl": "pkg:cargo/app@1.0.0"}},
          {"name": "h2 0.3.1", "product_id": "H2", "product_identification_helper": {"purl": "pkg:cargo/h2@0.3.1"}}],
        "relationships": [{"category": "default_component_of", "product_reference": "H2",
          "relates_to_product_reference": "APP",
          "full_product_name": {"name": "h2 in app", "product_id": "H2-IN-APP"}}]},
      "vulnerabilities": [{"cve": "CVE-2024-9", "ids": [{"system_name": "RustSec", "text": "RUSTSEC-2024-1"}],
        "notes": [{"category": "description", "text": "d"}],
        "product_status": {"known_not_affected": ["H2-IN-APP"], "known_affected": ["H2"]},
        "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["H2-IN-APP"]}],
        "remediations": [{"category": "vendor_fix", "details": "upgrade to 0.3.2", "product_ids": ["H2"]}]}]
    }"#;

    #[test]
    fn relationships_narrow_the_parent_to_the_component() {
        let document = parse(Path::new("csaf.json"), DOCUMENT).unwrap();
        assert_eq!(document.author.as_deref(), Some("Acme PSIRT"));
        assert_eq!(document.statements.len(), 2);
        let not_affected = &document.statements[0];
        assert_eq!(not_affected.status, VexStatus::NotAffected);
        assert_eq!(not_affected.aliases, ["RUSTSEC-2024-1"]);
        assert_eq!(
            not_affected.justification,
            Some(Justification::VulnerableCodeNotInExecutePath)
        );
        let product = &not_affected.products[0];
        assert_eq!(
            product.component.purl.as_deref(),
            Some("pkg:cargo/app@1.0.0")
        );
        assert_eq!(
            product.subcomponents[0].purl.as_deref(),
            Some("pkg:cargo/h2@0.3.1")
        );
        let affected = &document.statements[1];
        assert_eq!(affected.status, VexStatus::Affected);
        assert_eq!(
            affected.action_statement.as_deref(),
            Some("vendor_fix: upgrade to 0.3.2")
        );
        assert!(affected.products[0].subcomponents.is_empty());
    }

    #[test]
    fn undefined_product_ids_and_other_categories_are_errors() {
        let error = parse(
            Path::new("csaf.json"),
            &DOCUMENT.replace(
                r#"["H2-IN-APP"], "known_affected""#,
                r#"["NOPE"], "known_affected""#,
            ),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("at `$.vulnerabilities[0].product_status.known_not_affected[0]`: product id `NOPE` is not defined"),
            "{error}"
        );
        let error = parse(
            Path::new("csaf.json"),
            &DOCUMENT.replace("\"csaf_vex\"", "\"csaf_base\""),
        )
        .unwrap_err();
        assert!(error.to_string().contains("not the VEX profile"), "{error}");
        let error = parse(
            Path::new("csaf.json"),
            &DOCUMENT.replace("\"final\"", "\"done\""),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .contains("at `$.document.tracking.status`: `done` is not one of"),
            "{error}"
        );
    }
}
