//! Stage 1, ingest: SPDX 3.0 JSON-LD SBOMs into an [`Inventory`].
//!
//! In: the parsed JSON-LD document (`@context` `https://spdx.org/rdf/3.0.x/...`, elements in
//! `@graph`) and its text (for lines). Out: one package per `software_Package` (AI and dataset
//! packages too) with its purl (`software_packageUrl`, else an `externalIdentifier` of type
//! `packageUrl`), hashes (`verifiedUsing`), license (`hasDeclaredLicense`, else
//! `hasConcludedLicense`), description, homepage and repository (`externalRef` `vcs`) and line;
//! the root elements (of the `SpdxDocument`, through a `software_Sbom`) as roots; `dependsOn`,
//! `hasStaticLink` and `hasDynamicLink` relationships as edges (lifecycle scope `development`
//! and `test` as dev, `build` as build). References may be IRIs or inline elements.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::sbom::{
    LicenseValue, SbomEntry, SbomGaps, count_objects, object_lines, package_from_entry, sbom_hash,
};
use crate::inventory::{DepKind, Edge, Inventory, PackageKind};

/// The types whose elements are packages.
const PACKAGE_TYPES: &[&str] = &["software_Package", "ai_AIPackage", "dataset_DatasetPackage"];
/// SPDX's listed licenses as IRIs: `https://spdx.org/licenses/MIT`.
const LICENSE_PREFIX: &str = "https://spdx.org/licenses/";

/// True when a JSON document is SPDX 3 JSON-LD (its `@context` names `spdx.org/rdf/3`).
pub(crate) fn is_spdx3(document: &Value) -> bool {
    let context = match document.get("@context") {
        Some(Value::String(context)) => context.clone(),
        Some(other) => other.to_string(),
        None => return false,
    };
    context.contains("spdx.org/rdf/3")
}

/// The last segment of a vocabulary IRI or name (`.../dependsOn` -> `dependsOn`).
pub(crate) fn term(value: Option<&Value>) -> &str {
    let text = value.and_then(Value::as_str).unwrap_or_default();
    text.rsplit('/').next().unwrap_or(text)
}

/// The id a reference names: an IRI string, or an inline element's `spdxId`.
pub(crate) fn reference(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        other => other.get("spdxId").and_then(Value::as_str),
    }
}

/// Every reference in a member holding one or a list.
pub(crate) fn references(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(reference).collect(),
        Some(other) => reference(other).into_iter().collect(),
        None => Vec::new(),
    }
}

fn text(element: &Value, key: &str) -> Option<String> {
    element
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

/// Reads an SPDX 3 JSON-LD document.
pub(crate) fn parse(path: &Path, text_of_file: &str, document: &Value) -> Inventory {
    let lines = object_lines(text_of_file);
    // Elements in document order, each with the line of its opening brace: the root object is
    // object 0; the members before `@graph` hold objects too and are counted past.
    let mut elements: Vec<(&Value, Option<u32>)> = Vec::new();
    let mut counter = 1;
    if let Some(members) = document.as_object() {
        for (key, value) in members {
            if key == "@graph" {
                for element in value.as_array().into_iter().flatten() {
                    elements.push((element, lines.get(counter).copied()));
                    counter += count_objects(element);
                }
            } else {
                counter += count_objects(value);
            }
        }
        if !members.contains_key("@graph") {
            // A single element serialised without `@graph`.
            elements.push((document, lines.first().copied()));
        }
    }
    let kind =
        |element: &Value| term(element.get("type").or_else(|| element.get("@type"))).to_string();
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for (element, _) in &elements {
        if let Some(id) = element.get("spdxId").and_then(Value::as_str) {
            by_id.insert(id, element);
        }
    }

    // Roots: the SpdxDocument's root elements, looking through SBOMs/BOMs to their roots.
    let mut roots: Vec<&str> = Vec::new();
    let mut pending: Vec<&str> = elements
        .iter()
        .filter(|(element, _)| kind(element) == "SpdxDocument")
        .flat_map(|(element, _)| references(element.get("rootElement")))
        .collect();
    let mut seen = 0;
    while let Some(id) = pending.pop() {
        seen += 1;
        if seen > elements.len() + 1 {
            break;
        }
        match by_id.get(id) {
            Some(element) if matches!(kind(element).as_str(), "software_Sbom" | "Bom") => {
                pending.extend(references(element.get("rootElement")));
            }
            _ => roots.push(id),
        }
    }

    // Relationships by source and type (for licenses), and the dependency ones in document
    // order (so edges come out in the same order every time).
    let mut relationships: HashMap<(&str, String), Vec<Vec<&str>>> = HashMap::new();
    let mut dependencies: Vec<(&str, &Value, Vec<&str>)> = Vec::new();
    for (element, _) in &elements {
        if !kind(element).ends_with("Relationship") {
            continue;
        }
        let Some(from) = element.get("from").and_then(reference) else {
            continue;
        };
        let relation = term(element.get("relationshipType")).to_string();
        let targets = references(element.get("to"));
        if matches!(
            relation.as_str(),
            "dependsOn" | "hasStaticLink" | "hasDynamicLink"
        ) {
            dependencies.push((from, element, targets));
        } else {
            relationships
                .entry((from, relation))
                .or_default()
                .push(targets);
        }
    }
    let license_of = |id: &str, relation: &str| -> LicenseValue {
        let mut value = LicenseValue::Missing;
        for targets in relationships
            .get(&(id, relation.to_string()))
            .into_iter()
            .flatten()
        {
            for target in targets {
                let expression = match by_id.get(target) {
                    Some(element) => text(element, "simplelicensing_licenseExpression")
                        .or_else(|| text(element, "name")),
                    None if target.ends_with("NoAssertionLicense") => {
                        Some("NOASSERTION".to_string())
                    }
                    None if target.ends_with("NoneLicense") => Some("NONE".to_string()),
                    None => target.strip_prefix(LICENSE_PREFIX).map(str::to_string),
                };
                value = value.or(LicenseValue::from_field(expression.as_deref()));
            }
        }
        value
    };

    let mut inventory = Inventory::new();
    let spec = elements
        .iter()
        .find(|(element, _)| kind(element) == "CreationInfo")
        .and_then(|(element, _)| text(element, "specVersion"))
        .unwrap_or_else(|| "3".to_string());
    inventory.inputs.push(super::input_file(
        path,
        text_of_file.as_bytes(),
        format!("SPDX {spec} JSON-LD"),
    ));
    let mut gaps = SbomGaps::default();
    let mut ids = HashMap::new();
    for (element, line) in &elements {
        if !PACKAGE_TYPES.contains(&kind(element).as_str()) {
            continue;
        }
        let spdx_id = text(element, "spdxId");
        let is_root = spdx_id.as_deref().is_some_and(|id| roots.contains(&id));
        let purl = text(element, "software_packageUrl").or_else(|| {
            element
                .get("externalIdentifier")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|identifier| term(identifier.get("externalIdentifierType")) == "packageUrl")
                .and_then(|identifier| text(identifier, "identifier"))
        });
        let hashes = element
            .get("verifiedUsing")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|hash| {
                sbom_hash(
                    term(hash.get("algorithm")),
                    hash.get("hashValue").and_then(Value::as_str)?,
                )
            })
            .collect();
        let repository = element
            .get("externalRef")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|reference| term(reference.get("externalRefType")) == "vcs")
            .and_then(|reference| {
                references(reference.get("locator"))
                    .first()
                    .map(|l| l.to_string())
            });
        let license = spdx_id.as_deref().map_or(LicenseValue::Missing, |id| {
            // The declared license is the package's own statement; the concluded one is the
            // SBOM author's finding, used when nothing was declared.
            license_of(id, "hasDeclaredLicense").or(license_of(id, "hasConcludedLicense"))
        });
        let entry = SbomEntry {
            kind: Some(if is_root {
                PackageKind::Root
            } else {
                PackageKind::ThirdParty
            }),
            name: text(element, "name"),
            name_candidates: Vec::new(),
            version: text(element, "software_packageVersion"),
            purl,
            license,
            hashes,
            scope: None,
            description: text(element, "description").or_else(|| text(element, "summary")),
            homepage: text(element, "software_homePage"),
            repository,
            fallback_name: spdx_id.clone(),
            line: *line,
        };
        let id = inventory.add_package(package_from_entry(path, entry, &mut gaps));
        if is_root {
            inventory.add_root(id);
        }
        if let Some(spdx_id) = spdx_id {
            ids.entry(spdx_id).or_insert(id);
        }
    }
    for (from, element, targets) in &dependencies {
        let Some(&from) = ids.get(*from) else {
            continue;
        };
        let kind = match term(element.get("scope")) {
            "development" | "test" => DepKind::Dev,
            "build" => DepKind::Build,
            _ => DepKind::Normal,
        };
        for target in targets {
            // `NoneElement` (an empty, complete list) and files are not package edges.
            if let Some(&to) = ids.get(*target).filter(|&&to| to != from) {
                inventory.add_edge(Edge {
                    from,
                    to,
                    kind,
                    optional: false,
                });
            }
        }
    }
    gaps.record(&mut inventory, path);
    inventory
}
