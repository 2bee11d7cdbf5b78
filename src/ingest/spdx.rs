//! Stage 1, ingest: SPDX 2.x SBOMs (JSON and tag-value) into an [`Inventory`]; SPDX 3 JSON-LD
//! is recognised here and read by `spdx3`.
//!
//! In: the text of an SPDX 2.2 or 2.3 document (2.1 tag-value is read the same way). Out: one
//! package per SPDX package, with its purl (`externalRefs` of type `purl`, category
//! `PACKAGE-MANAGER` or `PACKAGE_MANAGER`), license (`licenseDeclared`, else
//! `licenseConcluded`; `NOASSERTION` and `NONE` are reported as gaps), checksums and line; the
//! `DESCRIBES` targets as roots; dependency relationships as edges with their kind. Files and
//! snippets are not packages and are left out. Real SPDX is often invalid against its schema
//! (`null` arrays, `DESCRIBE`, lowercase relationship types), so the reader is lenient.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::IngestError;
use super::sbom::{
    LicenseValue, SbomEntry, SbomGaps, count_objects, object_lines, package_from_entry, sbom_hash,
};
use crate::inventory::{DepKind, Edge, Hash, Inventory, PackageId, PackageKind};

/// The fields depgate reads from one SPDX package, from JSON or tag-value alike.
#[derive(Debug, Default)]
struct SpdxPackage {
    id: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    declared: Option<String>,
    concluded: Option<String>,
    hashes: Vec<Hash>,
    description: Option<String>,
    homepage: Option<String>,
    line: Option<u32>,
}

/// One relationship `element TYPE related`.
#[derive(Debug)]
struct Relationship {
    element: String,
    kind: String,
    related: String,
}

/// What was read from a document.
#[derive(Debug, Default)]
struct Document {
    version: String,
    document_id: String,
    packages: Vec<SpdxPackage>,
    relationships: Vec<Relationship>,
    describes: Vec<String>,
}

/// Parses an SPDX JSON document.
pub fn parse_json(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| super::support::json_error(path, &e, "invalid JSON in SPDX SBOM"))?;
    let Some(root) = value.as_object() else {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not an SPDX SBOM: the document is not a JSON object",
        ));
    };
    if super::spdx3::is_spdx3(&value) {
        return Ok(super::spdx3::parse(path, text, &value));
    }
    let Some(version) = root
        .get("spdxVersion")
        .and_then(Value::as_str)
        .filter(|v| v.starts_with("SPDX-"))
    else {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not an SPDX SBOM: no `\"spdxVersion\": \"SPDX-2.x\"` (SPDX 2) or SPDX 3 \
             `@context` at the top level",
        ));
    };
    let lines = object_lines(text);
    let mut document = Document {
        version: version.to_string(),
        document_id: root
            .get("SPDXID")
            .and_then(Value::as_str)
            .unwrap_or("SPDXRef-DOCUMENT")
            .to_string(),
        ..Document::default()
    };
    let mut counter = 1;
    for (key, child) in root {
        match key.as_str() {
            "packages" => {
                for package in child.as_array().into_iter().flatten() {
                    if package.is_object() {
                        document
                            .packages
                            .push(json_package(package, lines.get(counter).copied()));
                    }
                    counter += count_objects(package);
                }
            }
            "relationships" => {
                counter += count_objects(child);
                for relationship in child.as_array().into_iter().flatten() {
                    let field = |key: &str| {
                        relationship
                            .get(key)
                            .and_then(Value::as_str)
                            .map(|s| s.trim().to_string())
                    };
                    if let (Some(element), Some(kind), Some(related)) = (
                        field("spdxElementId"),
                        field("relationshipType"),
                        field("relatedSpdxElement"),
                    ) {
                        document.relationships.push(Relationship {
                            element,
                            kind,
                            related,
                        });
                    }
                }
            }
            "documentDescribes" => {
                counter += count_objects(child);
                document.describes.extend(
                    child
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string),
                );
            }
            _ => counter += count_objects(child),
        }
    }
    Ok(build_inventory(path, text, "JSON", document))
}

/// Reads one package object.
fn json_package(value: &Value, line: Option<u32>) -> SpdxPackage {
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let purl = value
        .get("externalRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|reference| {
            reference
                .get("referenceType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("purl"))
        })
        .and_then(|reference| reference.get("referenceLocator").and_then(Value::as_str))
        .map(|s| s.trim().to_string());
    let hashes = value
        .get("checksums")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|checksum| {
            sbom_hash(
                checksum.get("algorithm").and_then(Value::as_str)?,
                checksum.get("checksumValue").and_then(Value::as_str)?,
            )
        })
        .collect();
    SpdxPackage {
        id: text("SPDXID"),
        name: text("name"),
        version: text("versionInfo"),
        purl,
        declared: text("licenseDeclared"),
        concluded: text("licenseConcluded"),
        hashes,
        description: text("description").or_else(|| text("summary")),
        homepage: text("homepage").filter(|h| !is_no_value(h)),
        line,
    }
}

/// True for SPDX's "no value" words.
fn is_no_value(value: &str) -> bool {
    value.eq_ignore_ascii_case("NOASSERTION") || value.eq_ignore_ascii_case("NONE")
}

/// The element being described by tag-value lines.
enum Current {
    Document,
    Package(usize),
    Other,
}

/// Parses an SPDX tag-value document.
pub fn parse_tag_value(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut document = Document {
        document_id: "SPDXRef-DOCUMENT".to_string(),
        ..Document::default()
    };
    let mut current = Current::Document;
    let mut lines = text.lines().enumerate();
    while let Some((index, raw_line)) = lines.next() {
        let line_number = index as u32 + 1;
        let line = raw_line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(IngestError::parse(
                path,
                Some(line_number),
                format!("invalid SPDX tag-value line (expected `Tag: value`): `{line}`"),
            ));
        };
        let tag = tag.trim();
        if tag.is_empty() || !tag.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(IngestError::parse(
                path,
                Some(line_number),
                format!("invalid SPDX tag-value line (expected `Tag: value`): `{line}`"),
            ));
        }
        let mut value = value.trim().to_string();
        // `<text>` values may span lines until `</text>`.
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut collected = rest.to_string();
            while !collected.contains("</text>") {
                match lines.next() {
                    Some((_, next)) => {
                        collected.push('\n');
                        collected.push_str(next);
                    }
                    None => {
                        return Err(IngestError::parse(
                            path,
                            Some(line_number),
                            format!("`{tag}` opens `<text>` that is never closed with `</text>`"),
                        ));
                    }
                }
            }
            let end = collected.find("</text>").unwrap_or(collected.len());
            value = collected[..end].trim().to_string();
        }
        let package = match current {
            Current::Package(index) => document.packages.get_mut(index),
            _ => None,
        };
        match (tag, package) {
            ("SPDXVersion", _) => document.version = value,
            ("PackageName", _) => {
                document.packages.push(SpdxPackage {
                    name: Some(value),
                    line: Some(line_number),
                    ..SpdxPackage::default()
                });
                current = Current::Package(document.packages.len() - 1);
            }
            ("FileName" | "SnippetSPDXID" | "LicenseID", _) => current = Current::Other,
            ("SPDXID", Some(package)) => package.id = Some(value),
            ("SPDXID", None) => {
                if matches!(current, Current::Document) {
                    document.document_id = value;
                }
            }
            ("PackageVersion", Some(package)) => package.version = Some(value),
            ("PackageLicenseDeclared", Some(package)) => package.declared = Some(value),
            ("PackageLicenseConcluded", Some(package)) => package.concluded = Some(value),
            ("PackageDescription" | "PackageSummary", Some(package))
                if package.description.is_none() =>
            {
                package.description = Some(value)
            }
            ("PackageHomePage", Some(package)) if !is_no_value(&value) => {
                package.homepage = Some(value)
            }
            ("PackageChecksum", Some(package)) => {
                if let Some((algorithm, digest)) = value.split_once(':')
                    && let Some(hash) = sbom_hash(algorithm, digest)
                {
                    package.hashes.push(hash);
                }
            }
            ("ExternalRef", Some(package)) => {
                let mut parts = value.split_whitespace();
                let (_category, kind, locator) = (parts.next(), parts.next(), parts.next());
                if package.purl.is_none()
                    && kind.is_some_and(|k| k.eq_ignore_ascii_case("purl"))
                    && let Some(locator) = locator
                {
                    package.purl = Some(locator.to_string());
                }
            }
            ("Relationship", _) => {
                let mut parts = value.split_whitespace();
                if let (Some(element), Some(kind), Some(related)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    document.relationships.push(Relationship {
                        element: element.to_string(),
                        kind: kind.to_string(),
                        related: related.to_string(),
                    });
                }
            }
            _ => {}
        }
    }
    if document.version.is_empty() {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not an SPDX SBOM: no `SPDXVersion:` line",
        ));
    }
    check_tag_value_complete(path, text, &document)?;
    Ok(build_inventory(path, text, "tag-value", document))
}

/// A tag-value document has no end marker, so a file cut short can read as a smaller one.
/// Two things give some cuts away: a package without the `SPDXID` written right after its
/// `PackageName`, and a relationship naming an element the document does not define. (A
/// final newline is no sign: real generators leave it out.)
fn check_tag_value_complete(
    path: &Path,
    text: &str,
    document: &Document,
) -> Result<(), IngestError> {
    let last_line = Some(text.lines().count().max(1) as u32);
    if let Some(package) = document
        .packages
        .iter()
        .find(|package| package.id.is_none())
    {
        return Err(IngestError::parse(
            path,
            package.line,
            format!(
                "package `{}` has no `SPDXID`: the document is cut short or invalid",
                package.name.as_deref().unwrap_or_default()
            ),
        ));
    }
    let defined: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("SPDXID:"))
        .map(str::trim)
        .collect();
    for relationship in &document.relationships {
        for element in [&relationship.element, &relationship.related] {
            if element.starts_with("SPDXRef-") && !defined.contains(element.as_str()) {
                return Err(IngestError::parse(
                    path,
                    last_line,
                    format!(
                        "a relationship names `{element}`, which the document does not define: it is cut short or invalid"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// How a relationship type maps to a dependency edge: `(dependent is the element?, kind,
/// optional)`. `None` for relationships that are not dependencies (`DESCRIBES`, `GENERATED_FROM`,
/// `OTHER`, …).
fn dependency_relationship(kind: &str) -> Option<(bool, DepKind, bool)> {
    // Tag-value writers sometimes use lowercase; some JSON writers use hyphens.
    let kind = kind.to_ascii_uppercase().replace('-', "_");
    Some(match kind.as_str() {
        "DEPENDS_ON" | "CONTAINS" | "HAS_PREREQUISITE" => (true, DepKind::Unknown, false),
        "DEPENDENCY_OF" | "CONTAINED_BY" | "PREREQUISITE_FOR" | "PROVIDED_DEPENDENCY_OF" => {
            (false, DepKind::Unknown, false)
        }
        "RUNTIME_DEPENDENCY_OF" => (false, DepKind::Normal, false),
        "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" | "DEV_TOOL_OF" | "TEST_TOOL_OF" => {
            (false, DepKind::Dev, false)
        }
        "BUILD_DEPENDENCY_OF" | "BUILD_TOOL_OF" => (false, DepKind::Build, false),
        "OPTIONAL_DEPENDENCY_OF" => (false, DepKind::Unknown, true),
        _ => return None,
    })
}

/// True for relationship types that name the document's subject.
fn is_describes(kind: &str) -> bool {
    // Trivy writes `DESCRIBE`.
    matches!(kind.to_ascii_uppercase().as_str(), "DESCRIBES" | "DESCRIBE")
}

/// Turns the packages and relationships into packages, edges and roots.
fn build_inventory(path: &Path, text: &str, syntax: &str, document: Document) -> Inventory {
    let mut inventory = Inventory::new();
    let mut gaps = SbomGaps::default();
    let version = document.version.trim_start_matches("SPDX-");
    inventory.inputs.push(super::input_file(
        path,
        text.as_bytes(),
        format!("SPDX {version} {syntax}"),
    ));
    let mut roots: Vec<String> = document.describes.clone();
    for relationship in &document.relationships {
        if is_describes(&relationship.kind) && relationship.element == document.document_id {
            roots.push(relationship.related.clone());
        } else if relationship.kind.eq_ignore_ascii_case("DESCRIBED_BY")
            && relationship.related == document.document_id
        {
            roots.push(relationship.element.clone());
        }
    }
    let mut by_id: HashMap<String, PackageId> = HashMap::new();
    for package in document.packages {
        let is_root = package.id.as_ref().is_some_and(|id| roots.contains(id));
        let entry = SbomEntry {
            kind: Some(if is_root {
                PackageKind::Root
            } else {
                PackageKind::ThirdParty
            }),
            name: package.name,
            name_candidates: Vec::new(),
            version: package.version,
            purl: package.purl,
            // The declared license is the package's own statement; the concluded one is the
            // SBOM author's finding, used when nothing was declared.
            license: LicenseValue::from_field(package.declared.as_deref())
                .or(LicenseValue::from_field(package.concluded.as_deref())),
            hashes: package.hashes,
            scope: None,
            description: package.description,
            homepage: package.homepage,
            repository: None,
            fallback_name: package.id.clone(),
            line: package.line,
        };
        let id = inventory.add_package(package_from_entry(path, entry, &mut gaps));
        if is_root {
            inventory.add_root(id);
        }
        if let Some(spdx_id) = package.id {
            by_id.entry(spdx_id).or_insert(id);
        }
    }
    for relationship in &document.relationships {
        let Some((element_depends, kind, optional)) = dependency_relationship(&relationship.kind)
        else {
            continue;
        };
        // Relationships with files, snippets or other documents are not package edges.
        let (Some(&element), Some(&related)) = (
            by_id.get(&relationship.element),
            by_id.get(&relationship.related),
        ) else {
            continue;
        };
        let (from, to) = if element_depends {
            (element, related)
        } else {
            (related, element)
        };
        if from != to {
            inventory.add_edge(Edge {
                from,
                to,
                kind,
                optional,
            });
        }
    }
    gaps.record(&mut inventory, path);
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG_VALUE: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: example
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app

PackageName: app
SPDXID: SPDXRef-app
PackageVersion: 1.0.0
PackageLicenseDeclared: NOASSERTION
PackageDescription: <text>An app
over two lines</text>

PackageName: left-pad
SPDXID: SPDXRef-left-pad
PackageVersion: 1.3.0
PackageChecksum: SHA1: ABCDEF0123
PackageLicenseDeclared: NONE
PackageLicenseConcluded: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.3.0
Relationship: SPDXRef-left-pad dev_dependency_of SPDXRef-app
";

    #[test]
    fn tag_value_packages_relationships_and_licenses() {
        let inventory = parse_tag_value(Path::new("x.spdx"), TAG_VALUE).unwrap();
        let packages = inventory.packages();
        assert_eq!(packages.len(), 2);
        assert_eq!(packages[0].kind, PackageKind::Root);
        assert_eq!(
            packages[0].description.as_deref(),
            Some("An app\nover two lines")
        );
        assert_eq!(packages[1].purl.as_deref(), Some("pkg:npm/left-pad@1.3.0"));
        assert_eq!(packages[1].location.line, Some(14));
        assert_eq!(packages[1].hashes[0].value, "abcdef0123");
        assert!(packages[1].license.is_none());
        assert_eq!(inventory.edges().len(), 1);
        assert_eq!(inventory.edges()[0].kind, DepKind::Dev);
        assert_eq!(inventory.edges()[0].from, packages[0].id);
        assert!(inventory.gaps.iter().any(|g| g.kind == "license-none"));
        assert_eq!(inventory.inputs[0].format, "SPDX 2.3 tag-value");
    }

    #[test]
    fn unterminated_text_is_an_error_with_line() {
        let text = "SPDXVersion: SPDX-2.3\nPackageName: a\nPackageDescription: <text>never\nclosed";
        let error = parse_tag_value(Path::new("x.spdx"), text).unwrap_err();
        assert!(error.to_string().contains("line 3"), "{error}");
    }

    #[test]
    fn spdx_3_named_like_spdx_2_is_read_as_spdx_3() {
        let text = r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [
            {"type": "software_Package", "spdxId": "urn:a", "name": "a",
             "software_packageVersion": "1", "software_packageUrl": "pkg:npm/a@1"}]}"#;
        let inventory = parse_json(Path::new("x.spdx.json"), text).unwrap();
        assert_eq!(inventory.packages()[0].purl.as_deref(), Some("pkg:npm/a@1"));
        assert_eq!(inventory.packages()[0].location.line, Some(2));
        assert!(inventory.inputs[0].format.contains("JSON-LD"));
    }

    #[test]
    fn json_requires_spdx_version() {
        let error = parse_json(Path::new("x.json"), r#"{"name": "x"}"#).unwrap_err();
        assert!(error.to_string().contains("spdxVersion"), "{error}");
    }
}
