//! CycloneDX VEX, JSON and XML, spec 1.4 to 1.6: a BOM whose `vulnerabilities[]` carry an
//! `analysis` (state, justification, response, detail) and the `affects[]` they apply to.
//!
//! In: the document text. Out: a [`VexDocument`] with one statement per analysed
//! vulnerability. `affects[].ref` is resolved to a purl through the document's components
//! (`bom-ref` -> `purl`, nested components and `metadata.component` included); a ref that is
//! itself a purl, or a BOM-Link (`urn:cdx:…#ref`) whose fragment is, stands for itself. A
//! vulnerability without `analysis.state` is a finding, not a VEX statement, and is skipped.
//! `affects[].versions` ranges are not read: the ref's purl decides.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::Event;
use serde::Deserialize;

use super::{
    Justification, Problems, Product, VexDocument, VexError, VexFormat, VexStatement, VexStatus,
    component_from_label, deserialize, non_empty,
};

/// The spec versions read.
const SPEC_VERSIONS: &[&str] = &["1.4", "1.5", "1.6"];
const XML_NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";
const STATES: &[&str] = &[
    "resolved",
    "resolved_with_pedigree",
    "exploitable",
    "in_triage",
    "false_positive",
    "not_affected",
];
const JUSTIFICATIONS: &[&str] = &[
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];
const RESPONSES: &[&str] = &[
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Bom {
    bom_format: String,
    spec_version: String,
    serial_number: Option<String>,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<BomComponent>,
    vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    timestamp: Option<String>,
    #[serde(default)]
    authors: Vec<Named>,
    manufacturer: Option<Named>,
    supplier: Option<Named>,
    component: Option<BomComponent>,
}

#[derive(Deserialize, Default)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct BomComponent {
    #[serde(rename = "bom-ref")]
    bom_ref: Option<String>,
    purl: Option<String>,
    #[serde(default)]
    components: Vec<BomComponent>,
}

#[derive(Deserialize, Default)]
struct Vulnerability {
    id: Option<String>,
    #[serde(default)]
    references: Vec<Reference>,
    analysis: Option<Analysis>,
    #[serde(default)]
    affects: Vec<Affect>,
    recommendation: Option<String>,
    workaround: Option<String>,
    published: Option<String>,
    updated: Option<String>,
    /// Where the vulnerability starts (XML only).
    #[serde(skip)]
    line: Option<u32>,
}

#[derive(Deserialize, Default)]
struct Reference {
    id: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    state: Option<String>,
    justification: Option<String>,
    #[serde(default)]
    response: Vec<String>,
    detail: Option<String>,
    first_issued: Option<String>,
    last_updated: Option<String>,
}

#[derive(Deserialize, Default)]
struct Affect {
    #[serde(rename = "ref")]
    reference: String,
}

/// Reads a CycloneDX JSON document.
pub(super) fn parse_json(path: &Path, text: &str) -> Result<VexDocument, VexError> {
    let bom: Bom = deserialize(path, "CycloneDX JSON", text)?;
    let format = VexFormat::CycloneDxJson(bom.spec_version.clone());
    let pointer = |index: usize, rest: &str| format!("$.vulnerabilities[{index}]{rest}");
    convert(path, format, bom, &pointer)
}

/// Reads a CycloneDX XML document.
pub(super) fn parse_xml(path: &Path, text: &str) -> Result<VexDocument, VexError> {
    let root = xml_tree(path, text)?;
    let not_vex = |reason: String| VexError::NotVex {
        path: path.to_path_buf(),
        line: Some(root.line),
        reason,
    };
    let Some(spec_version) = root
        .namespace
        .as_deref()
        .and_then(|ns| ns.strip_prefix(XML_NAMESPACE))
        .filter(|_| root.name == "bom")
    else {
        return Err(not_vex(format!(
            "the root element is not a CycloneDX `bom` (namespace `{XML_NAMESPACE}1.x`)"
        )));
    };
    let bom = Bom {
        bom_format: "CycloneDX".to_string(),
        spec_version: spec_version.trim_end_matches('/').to_string(),
        serial_number: root.attribute("serialNumber"),
        metadata: root.child("metadata").map(|metadata| Metadata {
            timestamp: metadata.child_text("timestamp"),
            authors: metadata
                .children_at(&["authors", "author"])
                .map(|author| Named {
                    name: author.child_text("name"),
                })
                .collect(),
            manufacturer: metadata.child("manufacturer").map(|m| Named {
                name: m.child_text("name"),
            }),
            supplier: metadata.child("supplier").map(|s| Named {
                name: s.child_text("name"),
            }),
            component: metadata.child("component").map(xml_component),
        }),
        components: root
            .children_at(&["components", "component"])
            .map(xml_component)
            .collect(),
        vulnerabilities: root.child("vulnerabilities").map(|list| {
            list.children_named("vulnerability")
                .map(|vulnerability| Vulnerability {
                    id: vulnerability.child_text("id"),
                    references: vulnerability
                        .children_at(&["references", "reference"])
                        .map(|reference| Reference {
                            id: reference.child_text("id").unwrap_or_default(),
                        })
                        .collect(),
                    analysis: vulnerability.child("analysis").map(|analysis| Analysis {
                        state: analysis.child_text("state"),
                        justification: analysis.child_text("justification"),
                        response: analysis
                            .children_at(&["responses", "response"])
                            .map(|response| response.text.trim().to_string())
                            .collect(),
                        detail: analysis.child_text("detail"),
                        first_issued: analysis.child_text("firstIssued"),
                        last_updated: analysis.child_text("lastUpdated"),
                    }),
                    affects: vulnerability
                        .children_at(&["affects", "target"])
                        .map(|target| Affect {
                            reference: target.child_text("ref").unwrap_or_default(),
                        })
                        .collect(),
                    recommendation: vulnerability.child_text("recommendation"),
                    workaround: vulnerability.child_text("workaround"),
                    published: vulnerability.child_text("published"),
                    updated: vulnerability.child_text("updated"),
                    line: Some(vulnerability.line),
                })
                .collect()
        }),
    };
    let format = VexFormat::CycloneDxXml(bom.spec_version.clone());
    let pointer = |index: usize, rest: &str| {
        format!(
            "/bom/vulnerabilities/vulnerability[{}]{}",
            index + 1,
            rest.replace('.', "/")
        )
    };
    convert(path, format, bom, &pointer)
}

fn xml_component(element: &Element) -> BomComponent {
    BomComponent {
        bom_ref: element.attribute("bom-ref"),
        purl: element.child_text("purl"),
        components: element
            .children_at(&["components", "component"])
            .map(xml_component)
            .collect(),
    }
}

/// Checks the BOM and turns its analysed vulnerabilities into statements. `pointer` spells
/// the location of vulnerability `index` plus a `.field` suffix in the syntax's own paths.
fn convert(
    path: &Path,
    format: VexFormat,
    bom: Bom,
    pointer: &dyn Fn(usize, &str) -> String,
) -> Result<VexDocument, VexError> {
    let problems = Problems {
        path,
        format: format.to_string(),
    };
    if bom.bom_format != "CycloneDX" {
        return Err(problems.invalid(
            "$.bomFormat",
            super::unknown_value(&bom.bom_format, &["CycloneDX"]),
        ));
    }
    if !SPEC_VERSIONS.contains(&bom.spec_version.as_str()) {
        return Err(VexError::NotVex {
            path: path.to_path_buf(),
            line: None,
            reason: format!(
                "CycloneDX {} is not a version depgate reads VEX from (1.4, 1.5, 1.6)",
                bom.spec_version
            ),
        });
    }
    let Some(vulnerabilities) = bom.vulnerabilities else {
        return Err(VexError::NotVex {
            path: path.to_path_buf(),
            line: None,
            reason: "the CycloneDX document has no `vulnerabilities`".to_string(),
        });
    };
    let metadata = bom.metadata.unwrap_or_default();
    let document_time =
        problems.timestamp("$.metadata.timestamp", metadata.timestamp.as_deref())?;
    let mut purls: BTreeMap<String, String> = BTreeMap::new();
    let mut stack: Vec<BomComponent> = bom.components.clone();
    stack.extend(metadata.component.clone());
    while let Some(component) = stack.pop() {
        if let (Some(bom_ref), Some(purl)) = (&component.bom_ref, &component.purl) {
            purls.insert(bom_ref.clone(), purl.clone());
        }
        stack.extend(component.components);
    }
    let mut statements = Vec::new();
    for (index, vulnerability) in vulnerabilities.into_iter().enumerate() {
        let line = vulnerability.line;
        let invalid =
            |rest: &str, message: String| problems.invalid_at(pointer(index, rest), line, message);
        let Some(analysis) = &vulnerability.analysis else {
            continue;
        };
        let Some(state) = &analysis.state else {
            continue;
        };
        let status = VexStatus::from_cyclonedx_state(state)
            .ok_or_else(|| invalid(".analysis.state", super::unknown_value(state, STATES)))?;
        let justification = analysis
            .justification
            .as_deref()
            .map(|text| {
                Justification::from_cyclonedx(text).ok_or_else(|| {
                    invalid(
                        ".analysis.justification",
                        super::unknown_value(text, JUSTIFICATIONS),
                    )
                })
            })
            .transpose()?;
        for (position, response) in analysis.response.iter().enumerate() {
            if !RESPONSES.contains(&response.as_str()) {
                return Err(invalid(
                    &format!(".analysis.response[{position}]"),
                    super::unknown_value(response, RESPONSES),
                ));
            }
        }
        let Some(id) = non_empty(vulnerability.id.as_deref()) else {
            return Err(invalid(
                "",
                "an analysed vulnerability needs an `id` to be a VEX statement".to_string(),
            ));
        };
        let mut timestamp = None;
        for (field, value) in [
            (".analysis.lastUpdated", analysis.last_updated.as_deref()),
            (".analysis.firstIssued", analysis.first_issued.as_deref()),
            (".updated", vulnerability.updated.as_deref()),
            (".published", vulnerability.published.as_deref()),
        ] {
            let parsed = problems
                .timestamp(&pointer(index, field), value)
                .map_err(|error| with_line(error, line))?;
            timestamp = timestamp.or(parsed);
        }
        let products = vulnerability
            .affects
            .iter()
            .map(|affect| {
                let reference = affect.reference.as_str();
                let purl = purls.get(reference).map(String::as_str).or_else(|| {
                    reference
                        .rsplit_once('#')
                        .filter(|_| reference.starts_with("urn:cdx:"))
                        .map(|(_, fragment)| purls.get(fragment).map_or(fragment, String::as_str))
                        .filter(|fragment| fragment.starts_with("pkg:"))
                });
                Product {
                    component: component_from_label(reference, purl),
                    subcomponents: Vec::new(),
                }
            })
            .collect();
        let action = non_empty(vulnerability.recommendation.as_deref())
            .or_else(|| non_empty(vulnerability.workaround.as_deref()))
            .or_else(|| (!analysis.response.is_empty()).then(|| analysis.response.join(", ")));
        statements.push(VexStatement {
            vulnerability: id,
            aliases: vulnerability
                .references
                .iter()
                .map(|reference| reference.id.clone())
                .filter(|id| !id.is_empty())
                .collect(),
            products,
            status,
            justification,
            impact_statement: non_empty(analysis.detail.as_deref()),
            action_statement: action,
            status_notes: (state != status.cyclonedx_state())
                .then(|| format!("CycloneDX analysis state `{state}`")),
            timestamp: timestamp.or(document_time),
            pointer: pointer(index, ""),
        });
    }
    let mut authors: Vec<String> = metadata
        .authors
        .iter()
        .filter_map(|author| non_empty(author.name.as_deref()))
        .collect();
    if authors.is_empty() {
        authors.extend(
            [&metadata.manufacturer, &metadata.supplier]
                .into_iter()
                .flatten()
                .filter_map(|named| non_empty(named.name.as_deref()))
                .take(1),
        );
    }
    Ok(VexDocument {
        path: path.to_path_buf(),
        format,
        id: bom.serial_number,
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        timestamp: document_time,
        statements,
    })
}

/// Adds the XML line to a check's error.
fn with_line(error: VexError, line: Option<u32>) -> VexError {
    match error {
        VexError::Invalid {
            path,
            format,
            pointer,
            message,
            ..
        } => VexError::Invalid {
            path,
            format,
            pointer,
            line,
            message,
        },
        other => other,
    }
}

/// An XML element with what the VEX reader needs: namespace, attributes, text, children, line.
struct Element {
    name: String,
    namespace: Option<String>,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
    line: u32,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<String> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty())
    }

    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |child| child.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|child| child.name == name)
    }

    fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .and_then(|child| non_empty(Some(&child.text)))
    }

    /// The children at `[container, item]`: e.g. every `component` of `components`.
    fn children_at<'a>(&'a self, path: &'a [&'a str; 2]) -> impl Iterator<Item = &'a Element> {
        self.children_named(path[0])
            .flat_map(move |container| container.children_named(path[1]))
    }
}

/// Reads the whole document into a tree (VEX documents are small); foreign-namespace elements
/// are kept but never looked up, since lookups are by local name under CycloneDX parents.
fn xml_tree(path: &Path, text: &str) -> Result<Element, VexError> {
    let mut reader = quick_xml::NsReader::from_str(text);
    let lines = crate::vocabulary::LineIndex::new(text);
    let not_vex = |line: u32, reason: String| VexError::NotVex {
        path: path.to_path_buf(),
        line: Some(line),
        reason,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let offset = reader.buffer_position() as usize;
        let (namespace, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(error) => {
                let line = lines.line_of(reader.error_position() as usize);
                return Err(not_vex(line, format!("invalid XML: {error}")));
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let namespace = match namespace {
                    quick_xml::name::ResolveResult::Bound(ns) => Some(ns.as_ref().to_string()),
                    _ => None,
                };
                let attributes = start
                    .attributes()
                    .flatten()
                    .filter_map(|attribute| {
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .ok()?;
                        Some((attribute.key.as_ref().to_string(), value.into_owned()))
                    })
                    .collect();
                let element = Element {
                    name: start.local_name().as_ref().to_string(),
                    namespace,
                    attributes,
                    text: String::new(),
                    children: Vec::new(),
                    line: lines.line_of(offset),
                };
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                if let Some(element) = stack.pop() {
                    close(&mut stack, &mut root, element);
                }
            }
            Event::Text(ref content) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&content.xml10_content());
                }
            }
            Event::CData(ref content) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&content.clone().into_inner());
                }
            }
            Event::GeneralRef(ref reference) => {
                if let Some(open) = stack.last_mut() {
                    if let Ok(Some(character)) = reference.resolve_char_ref() {
                        open.text.push(character);
                    } else if let Some(resolved) =
                        quick_xml::escape::resolve_predefined_entity(reference)
                    {
                        open.text.push_str(resolved);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(not_vex(
            lines.line_of(text.len()),
            format!("invalid XML: the file ends inside `<{}>`", open.name),
        ));
    }
    root.ok_or_else(|| not_vex(1, "the XML document has no root element".to_string()))
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(stack: &mut [Element], root: &mut Option<Element>, element: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
      "metadata": {"timestamp": "2024-01-01T00:00:00Z", "authors": [{"name": "Sec Team"}]},
      "components": [{"type": "library", "name": "h2", "bom-ref": "h2-ref", "purl": "pkg:cargo/h2@0.3.1"}],
      "vulnerabilities": [
        {"id": "CVE-2024-2", "references": [{"id": "GHSA-y", "source": {"name": "GitHub"}}],
         "analysis": {"state": "false_positive", "detail": "not our code"},
         "affects": [{"ref": "h2-ref"}, {"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/tokio@1.0.0"}]},
        {"id": "CVE-2024-3", "affects": [{"ref": "h2-ref"}]}
      ]}"#;

    #[test]
    fn refs_resolve_to_purls_and_unanalysed_vulnerabilities_are_skipped() {
        let document = parse_json(Path::new("bom.json"), JSON).unwrap();
        assert_eq!(document.author.as_deref(), Some("Sec Team"));
        assert_eq!(document.statements.len(), 1);
        let statement = &document.statements[0];
        assert_eq!(statement.status, VexStatus::NotAffected);
        assert_eq!(statement.aliases, ["GHSA-y"]);
        assert_eq!(statement.impact_statement.as_deref(), Some("not our code"));
        let purls: Vec<_> = statement
            .products
            .iter()
            .map(|p| p.component.purl.as_deref())
            .collect();
        assert_eq!(
            purls,
            [Some("pkg:cargo/h2@0.3.1"), Some("pkg:cargo/tokio@1.0.0")]
        );
        assert!(statement.timestamp.is_some(), "the document time stands in");
    }

    #[test]
    fn xml_reads_the_same_and_names_lines() {
        let xml = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <components>
    <component type="library" bom-ref="h2-ref"><name>h2</name><purl>pkg:cargo/h2@0.3.1</purl></component>
  </components>
  <vulnerabilities>
    <vulnerability>
      <id>CVE-2024-2</id>
      <analysis><state>exploitable</state><responses><response>update</response></responses></analysis>
      <affects><target><ref>h2-ref</ref></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>"#;
        let document = parse_xml(Path::new("bom.xml"), xml).unwrap();
        assert_eq!(document.format, VexFormat::CycloneDxXml("1.6".to_string()));
        let statement = &document.statements[0];
        assert_eq!(statement.status, VexStatus::Affected);
        assert_eq!(statement.action_statement.as_deref(), Some("update"));
        assert_eq!(
            statement.products[0].component.purl.as_deref(),
            Some("pkg:cargo/h2@0.3.1")
        );
        let error = parse_xml(
            Path::new("bom.xml"),
            &xml.replace("exploitable", "exploited"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("`bom.xml` line 7: invalid CycloneDX 1.6 XML document at `/bom/vulnerabilities/vulnerability[1]/analysis/state`"),
            "{error}"
        );
        let error = parse_xml(Path::new("bom.xml"), "<bom>\n<x>")
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a VEX document"), "{error}");
    }
}
