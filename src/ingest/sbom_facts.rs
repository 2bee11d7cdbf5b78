//! Stage 1, ingest (SBOM quality): reads what an SBOM states, field by field, for
//! `depgate sbom score` and the `[sbom-quality]` gate.
//!
//! In: a CycloneDX JSON (1.2–1.7) or XML, SPDX 2.x JSON or tag-value, or SPDX 3.0.x JSON-LD file.
//! Out:
//! [`SbomFacts`]: the document-level fields it carries and, per component, the fields each
//! carries. Unlike the inventory readers this keeps what is *absent* (no supplier, no
//! `bsi:component:filename`) and adds nothing of depgate's own. CycloneDX XML (1.2–1.6) is
//! first turned into the JSON shape of the same document, so both are scored by one reader.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use super::IngestError;
use super::spdx3::{is_spdx3, reference, references, term};
use crate::inventory::sbom_facts::{ComponentFacts, ComponentField, DocumentField, SbomFacts};

/// Reads the facts of one SBOM file.
pub fn read_facts(path: &Path) -> Result<SbomFacts, IngestError> {
    Ok(match read_document(path)? {
        Document::CycloneDx { bom, xml } => {
            let mut facts = cyclonedx(path, &bom);
            if xml {
                facts.format = facts.format.replace(" JSON", " XML");
            }
            facts
        }
        Document::Spdx2 {
            document,
            serialisation,
        } => spdx2(path, &document, serialisation),
        Document::Spdx3(document) => spdx3(path, &document),
    })
}

/// The build an SBOM records, as `(name, value)` pairs of its `depgate:build:*` properties
/// (written by `depgate sbom` with `--target`/`--features`): CycloneDX `metadata.properties`,
/// SPDX 2 `creationInfo.comment` and SPDX 3 `CreationInfo` `comment` (`name=value; …`).
/// Empty when it records none.
pub fn read_recorded_build(path: &Path) -> Result<Vec<(String, String)>, IngestError> {
    const PREFIX: &str = "depgate:build:";
    let from_comment = |comment: Option<&Value>| -> Vec<(String, String)> {
        comment
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split("; ")
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| name.starts_with(PREFIX))
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    };
    Ok(match read_document(path)? {
        Document::CycloneDx { bom, .. } => bom
            .get("metadata")
            .map(|metadata| items(metadata, "properties"))
            .into_iter()
            .flatten()
            .filter_map(|property| {
                let name = property.get("name")?.as_str()?;
                let value = property.get("value")?.as_str()?;
                name.starts_with(PREFIX)
                    .then(|| (name.to_string(), value.to_string()))
            })
            .collect(),
        Document::Spdx2 { document, .. } => from_comment(
            document
                .get("creationInfo")
                .and_then(|creation| creation.get("comment")),
        ),
        Document::Spdx3(document) => {
            let elements: Vec<&Value> = match document.get("@graph") {
                Some(Value::Array(list)) => list.iter().collect(),
                _ => vec![&document],
            };
            // A `CreationInfo` element of the graph, or one written inline in an element.
            elements
                .into_iter()
                .flat_map(|element| [Some(element), element.get("creationInfo")])
                .flatten()
                .filter(|element| {
                    term(element.get("type").or_else(|| element.get("@type"))) == "CreationInfo"
                })
                .flat_map(|element| from_comment(element.get("comment")))
                .collect()
        }
    })
}

/// An SBOM document as JSON, whatever its serialisation.
enum Document {
    /// CycloneDX (XML turned into the JSON shape).
    CycloneDx { bom: Value, xml: bool },
    /// SPDX 2, from JSON or tag-value.
    Spdx2 {
        document: Value,
        serialisation: &'static str,
    },
    /// SPDX 3 JSON-LD.
    Spdx3(Value),
}

fn read_document(path: &Path) -> Result<Document, IngestError> {
    let text = super::read_text(path)?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') {
        return Ok(Document::CycloneDx {
            bom: xml::cyclonedx_xml_as_json(path, &text)?,
            xml: true,
        });
    }
    let value = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str::<Value>(trimmed).map_err(|e| IngestError::Parse {
            path: path.to_path_buf(),
            line: Some(e.line() as u32),
            column: Some(e.column() as u32),
            message: format!("invalid JSON: {e}"),
        })?
    } else if trimmed.contains("SPDXVersion:") {
        return Ok(Document::Spdx2 {
            document: tag_value_to_json(trimmed),
            serialisation: "tag-value",
        });
    } else {
        return Err(not_an_sbom(path));
    };
    if value.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        return Ok(Document::CycloneDx {
            bom: value,
            xml: false,
        });
    }
    if value.get("spdxVersion").is_some() {
        return Ok(Document::Spdx2 {
            document: value,
            serialisation: "JSON",
        });
    }
    if is_spdx3(&value) {
        return Ok(Document::Spdx3(value));
    }
    Err(not_an_sbom(path))
}

fn not_an_sbom(path: &Path) -> IngestError {
    IngestError::Unsupported {
        path: path.to_path_buf(),
        hint: Some(
            "not an SBOM: expected CycloneDX JSON (`\"bomFormat\": \"CycloneDX\"`), SPDX 2 \
             (`spdxVersion`) or SPDX 3 JSON-LD (an `@context` of `https://spdx.org/rdf/3…`)"
                .to_string(),
        ),
    }
}

/// The fields found on one component.
#[derive(Default)]
struct Fields(BTreeSet<ComponentField>);

impl Fields {
    /// Records `field` when `present`.
    fn add(&mut self, field: ComponentField, present: bool) {
        if present {
            self.0.insert(field);
        }
    }
}

/// A non-empty, trimmed string, that is not SPDX's `NOASSERTION`.
fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|text| !text.is_empty() && !text.eq_ignore_ascii_case("NOASSERTION"))
}

/// The items of an array member (none when absent or not an array).
fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// True for an e-mail address or an http(s) URL.
fn is_contact(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("http://")
        || text.starts_with("https://")
        || (text.contains('@') && !text.contains(char::is_whitespace))
}

/// Compares dotted versions numerically: `1.10` > `1.6`.
fn version_at_least(version: &str, minimum: &[u32]) -> bool {
    let parts: Vec<u32> = version
        .trim()
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect();
    let length = parts.len().max(minimum.len());
    let at = |list: &[u32], index: usize| list.get(index).copied().unwrap_or(0);
    for index in 0..length {
        match at(&parts, index).cmp(&at(minimum, index)) {
            std::cmp::Ordering::Less => return false,
            std::cmp::Ordering::Greater => return true,
            std::cmp::Ordering::Equal => {}
        }
    }
    true
}

fn label(name: Option<&str>, version: Option<&str>, id: Option<&str>) -> String {
    match (name, version, id) {
        (Some(name), Some(version), _) => format!("{name}@{version}"),
        (Some(name), None, _) => name.to_string(),
        (None, _, Some(id)) => id.to_string(),
        (None, _, None) => "(unnamed)".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// CycloneDX JSON.

fn cyclonedx(path: &Path, bom: &Value) -> SbomFacts {
    let spec = text(bom.get("specVersion")).unwrap_or("?");
    let metadata = bom.get("metadata").cloned().unwrap_or(Value::Null);
    let mut document = BTreeSet::new();
    let entity_contact = |entity: &Value| {
        items(entity, "url").any(|url| text(Some(url)).is_some_and(is_contact))
            || items(entity, "contact").any(|c| text(c.get("email")).is_some_and(is_contact))
    };
    let manufacturer = metadata
        .get("manufacturer")
        .or_else(|| metadata.get("manufacture"));
    let tools = match metadata.get("tools") {
        Some(Value::Array(list)) => !list.is_empty(),
        Some(Value::Object(map)) => ["components", "services"].iter().any(|key| {
            map.get(*key)
                .and_then(Value::as_array)
                .is_some_and(|l| !l.is_empty())
        }),
        _ => false,
    };
    if items(&metadata, "authors").next().is_some()
        || manufacturer.is_some_and(|m| text(m.get("name")).is_some())
        || metadata
            .get("supplier")
            .is_some_and(|s| text(s.get("name")).is_some())
        || tools
    {
        document.insert(DocumentField::Author);
    }
    if items(&metadata, "authors").any(|a| text(a.get("email")).is_some_and(is_contact))
        || manufacturer.is_some_and(entity_contact)
    {
        document.insert(DocumentField::CreatorContact);
    }
    if text(metadata.get("timestamp")).is_some() {
        document.insert(DocumentField::Timestamp);
    }
    if text(bom.get("serialNumber")).is_some() {
        document.insert(DocumentField::Uri);
    }
    if items(bom, "dependencies").any(|d| items(d, "dependsOn").next().is_some()) {
        document.insert(DocumentField::Dependencies);
    }
    if items(bom, "compositions").any(|c| text(c.get("aggregate")).is_some()) {
        document.insert(DocumentField::Completeness);
    }
    if version_at_least(spec, &[1, 6]) {
        document.insert(DocumentField::FormatVersion);
    }

    let mut components = Vec::new();
    let mut stack: Vec<&Value> = items(bom, "components").collect();
    if let Some(subject) = metadata.get("component") {
        stack.push(subject);
    }
    while let Some(component) = stack.pop() {
        stack.extend(items(component, "components"));
        components.push(cyclonedx_component(component, &entity_contact));
    }
    components.sort_by(|a, b| a.label.cmp(&b.label));
    SbomFacts {
        file: path.to_path_buf(),
        format: format!("CycloneDX {spec} JSON"),
        document,
        components,
    }
}

fn cyclonedx_component(
    component: &Value,
    entity_contact: &dyn Fn(&Value) -> bool,
) -> ComponentFacts {
    let mut fields = Fields::default();
    let name = text(component.get("name"));
    let version = text(component.get("version"));
    fields.add(ComponentField::Name, name.is_some());
    fields.add(ComponentField::Version, version.is_some());
    let named = |key: &str| {
        component
            .get(key)
            .is_some_and(|e| text(e.get("name")).is_some())
    };
    fields.add(
        ComponentField::Supplier,
        named("supplier") || text(component.get("publisher")).is_some(),
    );
    let external = ["purl", "cpe"]
        .iter()
        .any(|key| text(component.get(*key)).is_some())
        || component.get("swid").is_some();
    fields.add(ComponentField::ExternalIdentifier, external);
    fields.add(
        ComponentField::Identifier,
        external || text(component.get("bom-ref")).is_some(),
    );
    fields.add(
        ComponentField::CreatorContact,
        component.get("manufacturer").is_some_and(entity_contact)
            || items(component, "authors").any(|a| text(a.get("email")).is_some_and(is_contact))
            || text(component.get("author")).is_some_and(|author| author.contains('@')),
    );
    let property = |name: &str| {
        items(component, "properties")
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|p| text(p.get("value")))
    };
    fields.add(
        ComponentField::Filename,
        property("bsi:component:filename").is_some(),
    );
    let valid = |name: &str, values: [&str; 2]| property(name).is_some_and(|v| values.contains(&v));
    fields.add(
        ComponentField::Executable,
        valid("bsi:component:executable", ["executable", "non-executable"]),
    );
    fields.add(
        ComponentField::Archive,
        valid("bsi:component:archive", ["archive", "no archive"]),
    );
    fields.add(
        ComponentField::Structured,
        valid("bsi:component:structured", ["structured", "unstructured"]),
    );
    let hashes: Vec<&str> = items(component, "hashes")
        .filter(|h| text(h.get("content")).is_some())
        .filter_map(|h| h.get("alg").and_then(Value::as_str))
        .collect();
    fields.add(ComponentField::Hash, !hashes.is_empty());
    fields.add(ComponentField::Sha512, hashes.contains(&"SHA-512"));
    // A license choice is `{license: {id|name, acknowledgement}}` or `{expression,
    // acknowledgement}`; without `acknowledgement` (before 1.6) it is both kinds.
    let acknowledgements: Vec<Option<&str>> = items(component, "licenses")
        .filter_map(|choice| {
            let license = choice.get("license").unwrap_or(choice);
            let stated = text(license.get("id"))
                .or_else(|| text(license.get("name")))
                .or_else(|| text(choice.get("expression")));
            stated.map(|_| license.get("acknowledgement").and_then(Value::as_str))
        })
        .collect();
    fields.add(
        ComponentField::DistributionLicence,
        acknowledgements.iter().any(|a| *a != Some("declared")),
    );
    fields.add(
        ComponentField::OriginalLicence,
        acknowledgements.iter().any(|a| *a != Some("concluded")),
    );
    ComponentFacts {
        label: label(name, version, text(component.get("bom-ref"))),
        fields: fields.0,
    }
}

// ---------------------------------------------------------------------------------------------
// SPDX 2 (JSON, and tag-value turned into the same shape).

fn spdx2(path: &Path, document_value: &Value, serialisation: &str) -> SbomFacts {
    let version = text(document_value.get("spdxVersion")).unwrap_or("SPDX-?");
    let creation = document_value
        .get("creationInfo")
        .cloned()
        .unwrap_or(Value::Null);
    let mut document = BTreeSet::new();
    let creators: Vec<&str> = items(&creation, "creators")
        .filter_map(|c| text(Some(c)))
        .collect();
    if !creators.is_empty() {
        document.insert(DocumentField::Author);
    }
    // `Person: Jane Doe (jane@example.org)`, `Organization: ACME (https://acme.example)`.
    if creators
        .iter()
        .filter(|c| !c.starts_with("Tool:"))
        .any(|creator| creator.contains('@') || creator.contains("http"))
    {
        document.insert(DocumentField::CreatorContact);
    }
    if text(creation.get("created")).is_some() {
        document.insert(DocumentField::Timestamp);
    }
    if text(document_value.get("documentNamespace")).is_some() {
        document.insert(DocumentField::Uri);
    }
    let package_ids: BTreeSet<&str> = items(document_value, "packages")
        .filter_map(|p| text(p.get("SPDXID")))
        .collect();
    let document_id = text(document_value.get("SPDXID")).unwrap_or("SPDXRef-DOCUMENT");
    // As NTIA's checker reads SPDX 2: the document DESCRIBES a package.
    let describes = items(document_value, "documentDescribes")
        .filter_map(|d| d.as_str())
        .any(|id| package_ids.contains(id))
        || items(document_value, "relationships").any(|r| {
            let kind = r
                .get("relationshipType")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let element = r
                .get("spdxElementId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let related = r
                .get("relatedSpdxElement")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (kind.eq_ignore_ascii_case("DESCRIBES")
                && element == document_id
                && package_ids.contains(related))
                || (kind.eq_ignore_ascii_case("DESCRIBED_BY")
                    && related == document_id
                    && package_ids.contains(element))
        });
    if describes {
        document.insert(DocumentField::Dependencies);
    }

    let mut components: Vec<ComponentFacts> = items(document_value, "packages")
        .map(|package| {
            let mut fields = Fields::default();
            let name = text(package.get("name"));
            let version = package
                .get("versionInfo")
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty());
            fields.add(ComponentField::Name, name.is_some());
            fields.add(ComponentField::Version, version.is_some());
            fields.add(
                ComponentField::Supplier,
                text(package.get("supplier")).is_some(),
            );
            fields.add(
                ComponentField::Identifier,
                text(package.get("SPDXID")).is_some(),
            );
            fields.add(
                ComponentField::ExternalIdentifier,
                items(package, "externalRefs").any(|r| {
                    let kind = r
                        .get("referenceType")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    matches!(kind, "purl" | "cpe22Type" | "cpe23Type" | "swid")
                        && text(r.get("referenceLocator")).is_some()
                }),
            );
            fields.add(
                ComponentField::CreatorContact,
                text(package.get("originator"))
                    .is_some_and(|o| o.contains('@') || o.contains("http")),
            );
            fields.add(
                ComponentField::Filename,
                text(package.get("packageFileName")).is_some(),
            );
            let algorithms: Vec<&str> = items(package, "checksums")
                .filter(|c| text(c.get("checksumValue")).is_some())
                .filter_map(|c| c.get("algorithm").and_then(Value::as_str))
                .collect();
            fields.add(ComponentField::Hash, !algorithms.is_empty());
            fields.add(ComponentField::Sha512, algorithms.contains(&"SHA512"));
            let license =
                |key: &str| text(package.get(key)).is_some_and(|l| !l.eq_ignore_ascii_case("NONE"));
            fields.add(
                ComponentField::DistributionLicence,
                license("licenseConcluded"),
            );
            fields.add(ComponentField::OriginalLicence, license("licenseDeclared"));
            ComponentFacts {
                label: label(name, version, text(package.get("SPDXID"))),
                fields: fields.0,
            }
        })
        .collect();
    components.sort_by(|a, b| a.label.cmp(&b.label));
    SbomFacts {
        file: path.to_path_buf(),
        format: format!("{version} {serialisation}"),
        document,
        components,
    }
}

/// SPDX 2 tag-value as the JSON shape [`spdx2`] reads: document fields, `creationInfo`,
/// `packages` (the fields scoring needs) and `relationships`. `<text>` blocks may span lines.
fn tag_value_to_json(text: &str) -> Value {
    let mut root = Map::new();
    let mut creators = Vec::new();
    let mut created = None;
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut relationships = Vec::new();
    let mut in_package = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some((tag, value)) = line.split_once(':') else {
            continue;
        };
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            value = rest.to_string();
            while !value.contains("</text>") {
                match lines.next() {
                    Some(next) => {
                        value.push('\n');
                        value.push_str(next);
                    }
                    None => break,
                }
            }
            value = value.replace("</text>", "").trim().to_string();
        }
        let tag = tag.trim();
        // Files, snippets and extracted licenses have fields of their own (`SPDXID` among
        // them): they end the current package.
        if matches!(tag, "FileName" | "SnippetSPDXID" | "LicenseID") {
            in_package = false;
        }
        let document_section = packages.is_empty() && !root.contains_key("SPDXID");
        let package = packages.last_mut().filter(|_| in_package);
        match (tag, package) {
            ("SPDXVersion", _) => {
                root.insert("spdxVersion".into(), value.into());
            }
            ("DocumentNamespace", _) => {
                root.insert("documentNamespace".into(), value.into());
            }
            ("Creator", _) => creators.push(Value::from(value)),
            ("Created", _) => created = Some(value),
            ("PackageName", _) => {
                in_package = true;
                let mut package = Map::new();
                package.insert("name".into(), value.into());
                packages.push(package);
            }
            ("Relationship", _) => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if let [element, kind, related] = parts.as_slice() {
                    relationships.push(serde_json::json!({
                        "spdxElementId": element,
                        "relationshipType": kind,
                        "relatedSpdxElement": related,
                    }));
                }
            }
            ("SPDXID", None) if document_section => {
                root.insert("SPDXID".into(), value.into());
            }
            (tag, Some(package)) => {
                let key = match tag {
                    "SPDXID" => "SPDXID",
                    "PackageVersion" => "versionInfo",
                    "PackageSupplier" => "supplier",
                    "PackageOriginator" => "originator",
                    "PackageFileName" => "packageFileName",
                    "PackageLicenseConcluded" => "licenseConcluded",
                    "PackageLicenseDeclared" => "licenseDeclared",
                    "PackageChecksum" => {
                        if let Some((algorithm, checksum)) = value.split_once(':') {
                            let entry = serde_json::json!({
                                "algorithm": algorithm.trim(),
                                "checksumValue": checksum.trim(),
                            });
                            push(package, "checksums", entry);
                        }
                        continue;
                    }
                    "ExternalRef" => {
                        let parts: Vec<&str> = value.split_whitespace().collect();
                        if let [category, kind, locator, ..] = parts.as_slice() {
                            let entry = serde_json::json!({
                                "referenceCategory": category,
                                "referenceType": kind,
                                "referenceLocator": locator,
                            });
                            push(package, "externalRefs", entry);
                        }
                        continue;
                    }
                    _ => continue,
                };
                package.insert(key.into(), value.into());
            }
            _ => {}
        }
    }
    let mut creation = Map::new();
    creation.insert("creators".into(), Value::Array(creators));
    if let Some(created) = created {
        creation.insert("created".into(), created.into());
    }
    root.insert("creationInfo".into(), Value::Object(creation));
    root.insert(
        "packages".into(),
        Value::Array(packages.into_iter().map(Value::Object).collect()),
    );
    root.insert("relationships".into(), Value::Array(relationships));
    Value::Object(root)
}

fn push(object: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(list) = object
        .entry(key.to_string())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        list.push(value);
    }
}

// ---------------------------------------------------------------------------------------------
// SPDX 3 JSON-LD.

/// One relationship: `from`, the `to` ids, and its `completeness` when stated.
type Relation<'a> = (&'a str, Vec<&'a str>, Option<&'a str>);

fn spdx3(path: &Path, document_value: &Value) -> SbomFacts {
    let elements: Vec<&Value> = match document_value.get("@graph") {
        Some(Value::Array(list)) => list.iter().collect(),
        _ => vec![document_value],
    };
    let mut by_id: HashMap<&str, &Value> = HashMap::new();
    for element in &elements {
        if let Some(id) = element
            .get("spdxId")
            .or_else(|| element.get("@id"))
            .and_then(Value::as_str)
        {
            by_id.insert(id, element);
        }
    }
    let kind =
        |element: &Value| term(element.get("type").or_else(|| element.get("@type"))).to_string();
    let resolve = |value: &'_ Value| -> Option<Value> {
        match value {
            Value::Object(_) => Some(value.clone()),
            Value::String(id) => by_id.get(id.as_str()).map(|e| (*e).clone()),
            _ => None,
        }
    };
    let has_contact = |agent: &Value| {
        items(agent, "externalIdentifier").any(|identifier| {
            let kind = term(identifier.get("externalIdentifierType")).to_ascii_lowercase();
            let value = text(identifier.get("identifier")).unwrap_or_default();
            (kind == "email" && value.contains('@'))
                || (matches!(kind.as_str(), "urlscheme" | "other")
                    && (value.starts_with("http://") || value.starts_with("https://")))
        })
    };
    let spdx_document = elements.iter().find(|e| kind(e) == "SpdxDocument").copied();
    let creation_of = |element: &Value| element.get("creationInfo").and_then(&resolve);
    let creation = spdx_document
        .and_then(creation_of)
        .or_else(|| {
            elements
                .iter()
                .find(|e| kind(e) == "CreationInfo")
                .map(|e| (*e).clone())
        })
        .unwrap_or(Value::Null);

    let mut document = BTreeSet::new();
    let created_by: Vec<Value> = match creation.get("createdBy") {
        Some(Value::Array(list)) => list.iter().filter_map(&resolve).collect(),
        _ => Vec::new(),
    };
    if creation
        .get("createdBy")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty())
    {
        document.insert(DocumentField::Author);
    }
    if created_by.iter().any(&has_contact) {
        document.insert(DocumentField::CreatorContact);
    }
    if text(creation.get("created")).is_some() {
        document.insert(DocumentField::Timestamp);
    }
    if spdx_document.is_some_and(|d| text(d.get("spdxId")).is_some()) {
        document.insert(DocumentField::Uri);
    }
    if text(creation.get("specVersion")).is_some_and(|v| version_at_least(v, &[3, 0, 1])) {
        document.insert(DocumentField::FormatVersion);
    }

    // Relationships by type: from -> [to].
    let mut relations: HashMap<String, Vec<Relation<'_>>> = HashMap::new();
    for element in &elements {
        if !kind(element).ends_with("Relationship") {
            continue;
        }
        let Some(from) = element.get("from").and_then(reference) else {
            continue;
        };
        relations
            .entry(term(element.get("relationshipType")).to_string())
            .or_default()
            .push((
                from,
                references(element.get("to")),
                element.get("completeness").and_then(Value::as_str),
            ));
    }
    let dependency_kinds = ["dependsOn", "contains", "hasDynamicLink", "hasStaticLink"];
    let dependency_relations: Vec<&Relation<'_>> = dependency_kinds
        .iter()
        .flat_map(|k| relations.get(*k).into_iter().flatten())
        .collect();
    if !dependency_relations.is_empty() {
        document.insert(DocumentField::Dependencies);
    }
    if dependency_relations
        .iter()
        .any(|(_, _, completeness)| completeness.is_some())
    {
        document.insert(DocumentField::Completeness);
    }
    let targets = |relation: &str, from: &str| -> Vec<Value> {
        relations
            .get(relation)
            .into_iter()
            .flatten()
            .filter(|(source, _, _)| *source == from)
            .flat_map(|(_, to, _)| to.iter())
            .filter_map(|id| by_id.get(id).map(|e| (*e).clone()))
            .collect()
    };
    let licensed = |relation: &str, from: &str| {
        targets(relation, from).iter().any(|license| {
            text(license.get("simplelicensing_licenseExpression")).is_some_and(|e| {
                !e.eq_ignore_ascii_case("NONE") && !e.eq_ignore_ascii_case("NoAssertionLicense")
            })
        })
    };

    let package_kinds = ["software_Package", "ai_AIPackage", "dataset_DatasetPackage"];
    let mut components: Vec<ComponentFacts> = elements
        .iter()
        .filter(|element| package_kinds.contains(&kind(element).as_str()))
        .map(|package| {
            let id = text(package.get("spdxId")).unwrap_or_default();
            let mut fields = Fields::default();
            let name = text(package.get("name"));
            let version = text(package.get("software_packageVersion"));
            let files = targets("hasDistributionArtifact", id);
            fields.add(ComponentField::Name, name.is_some());
            fields.add(ComponentField::Version, version.is_some());
            fields.add(
                ComponentField::Supplier,
                references(package.get("suppliedBy"))
                    .iter()
                    .any(|agent| !agent.ends_with("NoAssertionElement")),
            );
            fields.add(ComponentField::Identifier, !id.is_empty());
            let external = text(package.get("software_packageUrl")).is_some()
                || items(package, "externalIdentifier").any(|identifier| {
                    matches!(
                        term(identifier.get("externalIdentifierType")),
                        "packageUrl" | "cpe22" | "cpe23" | "swid"
                    )
                });
            fields.add(ComponentField::ExternalIdentifier, external);
            let creators: Vec<Value> = match package.get("originatedBy") {
                Some(Value::Array(list)) => list.iter().filter_map(&resolve).collect(),
                _ => Vec::new(),
            };
            fields.add(
                ComponentField::CreatorContact,
                creators.iter().any(&has_contact),
            );
            fields.add(
                ComponentField::Filename,
                files.iter().any(|file| text(file.get("name")).is_some()),
            );
            let algorithms: Vec<String> = std::iter::once(*package)
                .chain(files.iter())
                .flat_map(|element| items(element, "verifiedUsing"))
                .filter(|hash| text(hash.get("hashValue")).is_some())
                .map(|hash| term(hash.get("algorithm")).to_ascii_lowercase())
                .collect();
            fields.add(ComponentField::Hash, !algorithms.is_empty());
            fields.add(
                ComponentField::Sha512,
                algorithms.iter().any(|a| a == "sha512"),
            );
            // SPDX 3 (per BSI): `executable` and `archive` are listed when true and omitted
            // when false, so a described distribution file states both.
            fields.add(ComponentField::Executable, !files.is_empty());
            fields.add(ComponentField::Archive, !files.is_empty());
            fields.add(
                ComponentField::Structured,
                files.iter().any(|file| {
                    items(file, "software_additionalPurpose")
                        .any(|p| matches!(term(Some(p)), "container" | "firmware"))
                }),
            );
            fields.add(
                ComponentField::DistributionLicence,
                licensed("hasConcludedLicense", id),
            );
            fields.add(
                ComponentField::OriginalLicence,
                licensed("hasDeclaredLicense", id),
            );
            ComponentFacts {
                label: label(name, version, Some(id)),
                fields: fields.0,
            }
        })
        .collect();
    components.sort_by(|a, b| a.label.cmp(&b.label));
    let spec = text(creation.get("specVersion")).unwrap_or("3");
    SbomFacts {
        file: path.to_path_buf(),
        format: format!("SPDX {spec} JSON-LD"),
        document,
        components,
    }
}

/// CycloneDX XML in the shape of CycloneDX JSON, for scoring.
mod xml {
    use std::path::Path;

    use quick_xml::events::Event;
    use quick_xml::reader::Reader;
    use serde_json::{Map, Value, json};

    use super::super::cyclonedx::attribute;
    use super::super::sbom::CYCLONEDX_NAMESPACE;
    use super::super::{IngestError, line_column};

    /// An element: its local name, attributes, text and children.
    #[derive(Debug, Default)]
    struct Node {
        name: String,
        attributes: Vec<(String, String)>,
        text: String,
        children: Vec<Node>,
    }

    impl Node {
        fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        }

        fn child(&self, name: &str) -> Option<&Node> {
            self.children.iter().find(|child| child.name == name)
        }

        /// The children named `item` of the child named `list` (`<hashes><hash/>…`).
        fn items<'a>(&'a self, list: &str, item: &'a str) -> impl Iterator<Item = &'a Node> {
            self.child(list)
                .into_iter()
                .flat_map(move |list| list.children.iter().filter(move |c| c.name == item))
        }

        /// The trimmed text of the child named `name`, as a JSON string.
        fn text_of(&self, name: &str) -> Option<Value> {
            self.child(name)
                .map(|child| child.text.trim())
                .filter(|text| !text.is_empty())
                .map(Value::from)
        }
    }

    /// Reads the document into a tree of its elements (prefixes dropped).
    fn tree(path: &Path, text: &str) -> Result<Node, IngestError> {
        let mut reader = Reader::from_str(text);
        let mut stack: Vec<Node> = vec![Node::default()];
        loop {
            let event = reader.read_event().map_err(|e| {
                let (line, column) = line_column(text, reader.error_position() as usize);
                IngestError::Parse {
                    path: path.to_path_buf(),
                    line: Some(line),
                    column: Some(column),
                    message: format!("invalid XML in CycloneDX SBOM: {e}"),
                }
            })?;
            match event {
                Event::Start(ref start) | Event::Empty(ref start) => {
                    let attributes = start
                        .attributes()
                        .flatten()
                        .filter_map(|a| {
                            let key = a.key.as_ref().to_string();
                            attribute(start, &key).map(|value| (key, value))
                        })
                        .collect();
                    let local = start.local_name().as_ref().to_string();
                    let node = Node {
                        name: local,
                        attributes,
                        ..Node::default()
                    };
                    if matches!(event, Event::Empty(_)) {
                        if let Some(parent) = stack.last_mut() {
                            parent.children.push(node);
                        }
                    } else {
                        stack.push(node);
                    }
                }
                Event::End(_) => {
                    if stack.len() > 1
                        && let Some(node) = stack.pop()
                        && let Some(parent) = stack.last_mut()
                    {
                        parent.children.push(node);
                    }
                }
                Event::Text(ref content) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&content.xml10_content());
                    }
                }
                Event::CData(ref content) => {
                    if let Some(node) = stack.last_mut() {
                        node.text.push_str(&content.clone().into_inner());
                    }
                }
                Event::GeneralRef(ref reference) => {
                    if let Some(node) = stack.last_mut() {
                        if let Ok(Some(character)) = reference.resolve_char_ref() {
                            node.text.push(character);
                        } else if let Some(resolved) =
                            quick_xml::escape::resolve_predefined_entity(reference)
                        {
                            node.text.push_str(resolved);
                        }
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if stack.len() != 1 {
            let (line, _) = line_column(text, text.len());
            return Err(IngestError::parse(
                path,
                Some(line),
                "invalid XML in CycloneDX SBOM: the file ends inside an element",
            ));
        }
        stack
            .pop()
            .and_then(|document| document.children.into_iter().find(|c| c.name == "bom"))
            .ok_or_else(|| {
                IngestError::parse(path, Some(1), "not a CycloneDX SBOM: no `bom` root element")
            })
    }

    /// An `organizationalEntity`: name, URLs, contacts.
    fn entity(node: &Node) -> Value {
        let mut entity = Map::new();
        if let Some(name) = node.text_of("name") {
            entity.insert("name".into(), name);
        }
        let urls: Vec<Value> = node
            .children
            .iter()
            .filter(|c| c.name == "url")
            .map(|c| Value::from(c.text.trim()))
            .collect();
        entity.insert("url".into(), Value::Array(urls));
        let contacts: Vec<Value> = node
            .children
            .iter()
            .filter(|c| c.name == "contact")
            .map(contact)
            .collect();
        entity.insert("contact".into(), Value::Array(contacts));
        Value::Object(entity)
    }

    /// An `organizationalContact`: name and e-mail.
    fn contact(node: &Node) -> Value {
        json!({"name": node.text_of("name"), "email": node.text_of("email")})
    }

    fn component(node: &Node) -> Value {
        let mut fields = Map::new();
        for key in ["name", "version", "purl", "cpe", "publisher", "author"] {
            if let Some(value) = node.text_of(key) {
                fields.insert(key.into(), value);
            }
        }
        if let Some(reference) = node.attribute("bom-ref") {
            fields.insert("bom-ref".into(), reference.into());
        }
        if node.child("swid").is_some() {
            fields.insert("swid".into(), json!({}));
        }
        for key in ["supplier", "manufacturer"] {
            if let Some(child) = node.child(key) {
                fields.insert(key.into(), entity(child));
            }
        }
        let authors: Vec<Value> = node.items("authors", "author").map(contact).collect();
        fields.insert("authors".into(), Value::Array(authors));
        let hashes: Vec<Value> = node
            .items("hashes", "hash")
            .map(|hash| json!({"alg": hash.attribute("alg"), "content": hash.text.trim()}))
            .collect();
        fields.insert("hashes".into(), Value::Array(hashes));
        let licenses: Vec<Value> = node
            .child("licenses")
            .into_iter()
            .flat_map(|list| list.children.iter())
            .map(|choice| {
                let acknowledgement = choice.attribute("acknowledgement");
                if choice.name == "expression" {
                    json!({"expression": choice.text.trim(), "acknowledgement": acknowledgement})
                } else {
                    json!({"license": {
                        "id": choice.text_of("id"),
                        "name": choice.text_of("name"),
                        "acknowledgement": acknowledgement,
                    }})
                }
            })
            .collect();
        fields.insert("licenses".into(), Value::Array(licenses));
        let properties: Vec<Value> = node
            .items("properties", "property")
            .map(|p| json!({"name": p.attribute("name"), "value": p.text.trim()}))
            .collect();
        fields.insert("properties".into(), Value::Array(properties));
        let nested: Vec<Value> = node
            .items("components", "component")
            .map(component)
            .collect();
        fields.insert("components".into(), Value::Array(nested));
        Value::Object(fields)
    }

    /// The document as CycloneDX JSON with the members scoring reads.
    pub(super) fn cyclonedx_xml_as_json(path: &Path, text: &str) -> Result<Value, IngestError> {
        let bom = tree(path, text)?;
        let version = bom
            .attributes
            .iter()
            .find(|(key, _)| key == "xmlns")
            .and_then(|(_, namespace)| namespace.strip_prefix(CYCLONEDX_NAMESPACE))
            .ok_or_else(|| {
                IngestError::parse(
                    path,
                    Some(1),
                    format!("not a CycloneDX SBOM: `bom` is not in the namespace `{CYCLONEDX_NAMESPACE}1.x`"),
                )
            })?
            .trim_end_matches('/')
            .to_string();
        let mut metadata = Map::new();
        if let Some(node) = bom.child("metadata") {
            if let Some(timestamp) = node.text_of("timestamp") {
                metadata.insert("timestamp".into(), timestamp);
            }
            let authors: Vec<Value> = node.items("authors", "author").map(contact).collect();
            metadata.insert("authors".into(), Value::Array(authors));
            for key in ["manufacture", "manufacturer", "supplier"] {
                if let Some(child) = node.child(key) {
                    metadata.insert(key.into(), entity(child));
                }
            }
            let tools = node.child("tools").map(|t| t.children.len()).unwrap_or(0);
            metadata.insert("tools".into(), json!(vec![json!({}); tools]));
            if let Some(subject) = node.child("component") {
                metadata.insert("component".into(), component(subject));
            }
            let properties: Vec<Value> = node
                .items("properties", "property")
                .map(|p| json!({"name": p.attribute("name"), "value": p.text.trim()}))
                .collect();
            metadata.insert("properties".into(), Value::Array(properties));
        }
        let components: Vec<Value> = bom
            .items("components", "component")
            .map(component)
            .collect();
        let dependencies: Vec<Value> = bom
            .items("dependencies", "dependency")
            .map(|dependency| {
                let depends_on: Vec<&str> = dependency
                    .children
                    .iter()
                    .filter(|c| c.name == "dependency")
                    .filter_map(|c| c.attribute("ref"))
                    .collect();
                json!({"ref": dependency.attribute("ref"), "dependsOn": depends_on})
            })
            .collect();
        let compositions: Vec<Value> = bom
            .items("compositions", "composition")
            .map(|composition| json!({"aggregate": composition.text_of("aggregate")}))
            .collect();
        Ok(json!({
            "bomFormat": "CycloneDX",
            "specVersion": version,
            "serialNumber": bom.attribute("serialNumber"),
            "metadata": metadata,
            "components": components,
            "dependencies": dependencies,
            "compositions": compositions,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("1.6", &[1, 6]));
        assert!(version_at_least("1.10", &[1, 6]));
        assert!(!version_at_least("1.5", &[1, 6]));
        assert!(version_at_least("3.0.1", &[3, 0, 1]));
        assert!(!version_at_least("3.0", &[3, 0, 1]));
    }

    #[test]
    fn tag_value_reads_packages_checksums_and_relationships() {
        let text = "SPDXVersion: SPDX-2.3\nCreator: Tool: x\nCreated: 2024-01-01T00:00:00Z\n\
                    PackageName: a\nSPDXID: SPDXRef-a\nPackageVersion: 1\n\
                    PackageSupplier: Organization: A\nPackageChecksum: SHA512: abc\n\
                    PackageLicenseConcluded: <text>MIT\n</text>\n\
                    Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\n";
        let value = tag_value_to_json(text);
        assert_eq!(value["packages"][0]["supplier"], "Organization: A");
        assert_eq!(value["packages"][0]["checksums"][0]["algorithm"], "SHA512");
        assert_eq!(value["packages"][0]["licenseConcluded"], "MIT");
        let facts = spdx2(Path::new("x.spdx"), &value, "tag-value");
        assert!(facts.document.contains(&DocumentField::Dependencies));
        let fields = &facts.components[0].fields;
        assert!(fields.contains(&ComponentField::Supplier));
        assert!(fields.contains(&ComponentField::Sha512));
        assert!(!fields.contains(&ComponentField::OriginalLicence));
    }

    #[test]
    fn cyclonedx_licenses_without_acknowledgement_count_as_both() {
        let bom = serde_json::json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5",
            "components": [
                {"name": "a", "licenses": [{"license": {"id": "MIT"}}]},
                {"name": "b", "licenses": [{"expression": "MIT", "acknowledgement": "declared"}]}
            ]
        });
        let facts = cyclonedx(Path::new("bom.json"), &bom);
        let a = &facts.components[0].fields;
        assert!(a.contains(&ComponentField::DistributionLicence));
        assert!(a.contains(&ComponentField::OriginalLicence));
        let b = &facts.components[1].fields;
        assert!(!b.contains(&ComponentField::DistributionLicence));
        assert!(b.contains(&ComponentField::OriginalLicence));
        assert!(!facts.document.contains(&DocumentField::FormatVersion));
    }
}
