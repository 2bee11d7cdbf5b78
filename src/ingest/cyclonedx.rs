//! Stage 1, ingest: CycloneDX SBOMs (JSON and XML, spec 1.1 to 1.7) into an [`Inventory`].
//!
//! In: the text of a CycloneDX document. Out: one package per component (nested components
//! flattened, `metadata.component` as the root), edges from `dependencies` and from nesting,
//! licenses (`id`, `name` or `expression`), hashes, scope, purls exactly as written, each with
//! its line. Real SBOMs are often invalid against their own schema, so the reader is lenient:
//! it walks `serde_json::Value` (JSON) or quick-xml events (XML) for the fields depgate uses
//! instead of deserialising a full typed model — the project keeps one CycloneDX model, the
//! writer's — and it names what it could not understand instead of failing on it.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use serde_json::Value;

use super::sbom::{
    CYCLONEDX_NAMESPACE, LicenseValue, SbomEntry, SbomGaps, count_objects, object_lines,
    package_from_entry, sbom_hash,
};
use super::{IngestError, line_column};
use crate::inventory::{DepKind, Edge, Inventory, PackageId, PackageKind, Scope};

/// Where a component sits in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// `metadata.component`: what the SBOM describes.
    Subject,
    /// A component nested in the subject (part of the product itself).
    SubjectPart,
    /// A component under the top-level `components` (or nested in one of those).
    Listed,
}

/// The fields depgate reads from one component, from JSON or XML alike.
#[derive(Debug, Default)]
struct Component {
    placement: Option<Placement>,
    parent: Option<usize>,
    bom_ref: Option<String>,
    group: Option<String>,
    name: Option<String>,
    version: Option<String>,
    purl: Option<String>,
    scope: Option<String>,
    description: Option<String>,
    licenses: Vec<LicenseValue>,
    evidence_licenses: Vec<LicenseValue>,
    hashes: Vec<(String, String)>,
    website: Option<String>,
    vcs: Option<String>,
    line: Option<u32>,
}

/// What was read from a document: flattened components and the dependency lists.
#[derive(Debug, Default)]
struct Document {
    spec_version: String,
    components: Vec<Component>,
    dependencies: Vec<(String, Vec<String>)>,
}

/// Parses a CycloneDX JSON document.
pub fn parse_json(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| super::support::json_error(path, &e, "invalid JSON in CycloneDX SBOM"))?;
    let Some(root) = value.as_object() else {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not a CycloneDX SBOM: the document is not a JSON object",
        ));
    };
    let format = root.get("bomFormat").and_then(Value::as_str);
    if !format.is_some_and(|f| f.eq_ignore_ascii_case("CycloneDX")) {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not a CycloneDX SBOM: no `\"bomFormat\": \"CycloneDX\"` at the top level",
        ));
    }
    let mut walk = JsonWalk {
        lines: object_lines(text),
        // The root object is object 0.
        counter: 1,
        document: Document {
            spec_version: root.get("specVersion").map(scalar_text).unwrap_or_default(),
            ..Document::default()
        },
    };
    for (key, child) in root {
        match key.as_str() {
            "metadata" if child.is_object() => {
                walk.counter += 1;
                for (metadata_key, metadata_child) in child.as_object().into_iter().flatten() {
                    if metadata_key == "component" && metadata_child.is_object() {
                        walk.component(metadata_child, Placement::Subject, None);
                    } else {
                        walk.skip(metadata_child);
                    }
                }
            }
            "components" if child.is_array() => {
                walk.components(child, Placement::Listed, None);
            }
            "dependencies" => {
                walk.skip(child);
                for dependency in child.as_array().into_iter().flatten() {
                    let Some(reference) = dependency.get("ref").and_then(Value::as_str) else {
                        continue;
                    };
                    let depends_on = dependency
                        .get("dependsOn")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|d| match d {
                            Value::String(s) => Some(s.clone()),
                            // Some early tools wrote `{"ref": ...}` objects here.
                            Value::Object(o) => {
                                o.get("ref").and_then(Value::as_str).map(str::to_string)
                            }
                            _ => None,
                        })
                        .collect();
                    walk.document
                        .dependencies
                        .push((reference.to_string(), depends_on));
                }
            }
            _ => walk.skip(child),
        }
    }
    // Everything needed is in the walk's document now: the JSON value tree (kilobytes per
    // component) and the object lines go before the inventory is built beside it.
    drop(std::mem::take(&mut walk.lines));
    drop(value);
    Ok(build_inventory(path, text, "JSON", walk.document))
}

/// The walk over a parsed CycloneDX JSON document. Object indexes in document order match the
/// order of `{` in the text, so each component's line is found by counting objects while
/// walking (see `object_lines`).
struct JsonWalk {
    /// The line of each object, by its index in document order.
    lines: Vec<u32>,
    /// The index of the next object.
    counter: usize,
    /// What has been read so far.
    document: Document,
}

impl JsonWalk {
    /// Steps over `value` and every object inside it.
    fn skip(&mut self, value: &Value) {
        self.counter += count_objects(value);
    }

    /// Reads every component of a `components` array (and their nested components).
    fn components(&mut self, array: &Value, placement: Placement, parent: Option<usize>) {
        for item in array.as_array().into_iter().flatten() {
            if item.is_object() {
                self.component(item, placement, parent);
            } else {
                self.skip(item);
            }
        }
    }

    /// Reads one component object; `counter` is its object index on entry.
    fn component(&mut self, value: &Value, placement: Placement, parent: Option<usize>) {
        let line = self.lines.get(self.counter).copied();
        self.counter += 1;
        let index = self.document.components.len();
        let text = |key: &str| value.get(key).map(scalar_text).filter(|s| !s.is_empty());
        let mut component = Component {
            placement: Some(placement),
            parent,
            bom_ref: text("bom-ref"),
            group: text("group"),
            name: text("name"),
            version: text("version"),
            purl: text("purl"),
            scope: text("scope"),
            description: text("description"),
            line,
            ..Component::default()
        };
        component.licenses = json_licenses(value.get("licenses"));
        if let Some(evidence) = value.get("evidence") {
            component.evidence_licenses = json_licenses(evidence.get("licenses"));
        }
        for hash in value
            .get("hashes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(algorithm), Some(content)) = (
                hash.get("alg").and_then(Value::as_str),
                hash.get("content").and_then(Value::as_str),
            ) {
                component
                    .hashes
                    .push((algorithm.to_string(), content.to_string()));
            }
        }
        for reference in value
            .get("externalReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let url = reference
                .get("url")
                .and_then(Value::as_str)
                .map(str::to_string);
            match reference.get("type").and_then(Value::as_str) {
                Some("website") if component.website.is_none() => component.website = url,
                Some("vcs") if component.vcs.is_none() => component.vcs = url,
                _ => {}
            }
        }
        self.document.components.push(component);
        let child_placement = match placement {
            Placement::Subject | Placement::SubjectPart => Placement::SubjectPart,
            Placement::Listed => Placement::Listed,
        };
        for (key, child) in value.as_object().into_iter().flatten() {
            if key == "components" && child.is_array() {
                self.components(child, child_placement, Some(index));
            } else {
                self.skip(child);
            }
        }
    }
}

/// Reads a CycloneDX `licenses` array: `{"license": {"id"|"name"|"url"}}` or `{"expression"}`.
fn json_licenses(value: Option<&Value>) -> Vec<LicenseValue> {
    let mut licenses = Vec::new();
    for choice in value.and_then(Value::as_array).into_iter().flatten() {
        if let Some(expression) = choice.get("expression").and_then(Value::as_str) {
            licenses.push(LicenseValue::from_field(Some(expression)));
        } else if let Some(license) = choice.get("license") {
            let field = |key: &str| license.get(key).and_then(Value::as_str);
            // A license with only a URL (seen from the .NET tool) still says something; keep
            // the URL so license normalisation can map well-known ones.
            licenses.push(LicenseValue::from_field(
                field("id").or(field("name")).or(field("url")),
            ));
        }
    }
    licenses
}

/// A JSON scalar as text (some generators write versions as numbers).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Parses a CycloneDX XML document (namespace `http://cyclonedx.org/schema/bom/1.x`).
pub fn parse_xml(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut reader = NsReader::from_str(text);
    let xml_error = |reader: &NsReader<&[u8]>, message: String| {
        let (line, column) = line_column(text, reader.error_position() as usize);
        IngestError::Parse {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message,
        }
    };
    let mut document = Document::default();
    // The element path from the root; `None` marks an element outside the CycloneDX namespace,
    // whose content is ignored (1.6 allows foreign elements).
    let mut stack: Vec<Option<String>> = Vec::new();
    // For each open component: its depth in `stack` and its index in `document.components`.
    let mut open_components: Vec<(usize, usize)> = Vec::new();
    let mut text_buffer = String::new();
    let mut current_hash_algorithm: Option<String> = None;
    let mut current_reference_type: Option<String> = None;
    let mut seen_root = false;
    let lines = crate::vocabulary::LineIndex::new(text);
    loop {
        let start_offset = reader.buffer_position() as usize;
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((namespace, event)) => (namespace_uri(&namespace), event),
            Err(e) => {
                return Err(xml_error(
                    &reader,
                    format!("invalid XML in CycloneDX SBOM: {e}"),
                ));
            }
        };
        let closes = match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                let local = start.local_name().as_ref().to_string();
                let ours = namespace
                    .as_deref()
                    .is_some_and(|ns| ns.starts_with(CYCLONEDX_NAMESPACE));
                if !seen_root {
                    seen_root = true;
                    if !ours || local != "bom" {
                        let (line, _) = line_column(text, start_offset);
                        return Err(IngestError::parse(
                            path,
                            Some(line),
                            format!(
                                "not a CycloneDX SBOM: the root element is not `bom` in the \
                                 namespace `{CYCLONEDX_NAMESPACE}1.x`"
                            ),
                        ));
                    }
                    document.spec_version = namespace
                        .as_deref()
                        .and_then(|ns| ns.strip_prefix(CYCLONEDX_NAMESPACE))
                        .unwrap_or_default()
                        .trim_end_matches('/')
                        .to_string();
                }
                let under_metadata = path_is(&stack, &["bom", "metadata"]);
                let under_components = path_is(&stack, &["bom", "components"]);
                let under_dependencies = path_is(&stack, &["bom", "dependencies"]);
                let under_dependency = path_is(&stack, &["bom", "dependencies", "dependency"]);
                stack.push(ours.then_some(local.clone()));
                text_buffer.clear();
                if ours {
                    let relative = relative_path(&stack, &open_components);
                    let is_component = local == "component"
                        && (under_metadata
                            || under_components
                            || relative_parent_is_components(&stack, &open_components));
                    if is_component {
                        let placement = if under_metadata {
                            Placement::Subject
                        } else {
                            match open_components.last() {
                                None => Placement::Listed,
                                Some(&(_, parent)) => match document.components[parent].placement {
                                    Some(Placement::Subject | Placement::SubjectPart) => {
                                        Placement::SubjectPart
                                    }
                                    _ => Placement::Listed,
                                },
                            }
                        };
                        let line = lines.line_of(start_offset);
                        let index = document.components.len();
                        document.components.push(Component {
                            placement: Some(placement),
                            parent: open_components.last().map(|&(_, p)| p),
                            bom_ref: attribute(start, "bom-ref"),
                            line: Some(line),
                            ..Component::default()
                        });
                        open_components.push((stack.len(), index));
                    } else if let Some(&(_, index)) = open_components.last() {
                        let component = &mut document.components[index];
                        match relative.as_slice() {
                            ["hashes", "hash"] => current_hash_algorithm = attribute(start, "alg"),
                            ["externalReferences", "reference"] => {
                                current_reference_type = attribute(start, "type")
                            }
                            // Each `<license>` is one entry; its `id`, `name` or `url` fills it.
                            ["licenses", "license"] => {
                                component.licenses.push(LicenseValue::Missing)
                            }
                            ["evidence", "licenses", "license"] => {
                                component.evidence_licenses.push(LicenseValue::Missing)
                            }
                            _ => {}
                        }
                    } else if under_dependencies && local == "dependency" {
                        // A `dependency` without `ref` still opens an entry, so its children are
                        // not attached to the previous one (it is reported as unresolved).
                        let reference = attribute(start, "ref").unwrap_or_default();
                        document.dependencies.push((reference, Vec::new()));
                    } else if under_dependency
                        && local == "dependency"
                        && let (Some(reference), Some(last)) =
                            (attribute(start, "ref"), document.dependencies.last_mut())
                    {
                        last.1.push(reference);
                    }
                }
                // An empty element closes where it opens.
                is_empty
            }
            Event::End(_) => true,
            Event::Text(ref content) => {
                text_buffer.push_str(&content.xml10_content());
                false
            }
            Event::CData(ref content) => {
                text_buffer.push_str(&content.clone().into_inner());
                false
            }
            Event::GeneralRef(ref reference) => {
                if let Ok(Some(character)) = reference.resolve_char_ref() {
                    text_buffer.push(character);
                } else if let Some(resolved) =
                    quick_xml::escape::resolve_predefined_entity(reference)
                {
                    text_buffer.push_str(resolved);
                }
                false
            }
            Event::Eof => break,
            _ => false,
        };
        if closes {
            close_element(
                &mut stack,
                &mut open_components,
                &mut document,
                &text_buffer,
                &mut current_hash_algorithm,
                &mut current_reference_type,
            );
            text_buffer.clear();
        }
    }
    if !seen_root {
        return Err(IngestError::parse(
            path,
            Some(1),
            "not a CycloneDX SBOM: the XML document has no root element",
        ));
    }
    if let Some(Some(open)) = stack.last() {
        let (line, _) = line_column(text, text.len());
        return Err(IngestError::parse(
            path,
            Some(line),
            format!("invalid XML in CycloneDX SBOM: the file ends inside `<{open}>`"),
        ));
    }
    if !stack.is_empty() {
        let (line, _) = line_column(text, text.len());
        return Err(IngestError::parse(
            path,
            Some(line),
            "invalid XML in CycloneDX SBOM: the file ends before the root element is closed",
        ));
    }
    Ok(build_inventory(path, text, "XML", document))
}

/// The namespace URI an element resolved to, if any.
fn namespace_uri(result: &ResolveResult<'_>) -> Option<String> {
    match result {
        ResolveResult::Bound(namespace) => Some(namespace.as_ref().to_string()),
        _ => None,
    }
}

/// True when the open elements are exactly `expected`, all in the CycloneDX namespace.
fn path_is(stack: &[Option<String>], expected: &[&str]) -> bool {
    stack.len() == expected.len()
        && stack
            .iter()
            .zip(expected)
            .all(|(name, want)| name.as_deref() == Some(*want))
}

/// The element names below the innermost open component.
fn relative_path<'a>(
    stack: &'a [Option<String>],
    open_components: &[(usize, usize)],
) -> Vec<&'a str> {
    let from = open_components
        .last()
        .map_or(stack.len(), |&(depth, _)| depth);
    stack[from.min(stack.len())..]
        .iter()
        .map(|name| name.as_deref().unwrap_or("#foreign"))
        .collect()
}

/// True when the element just pushed is `component` directly inside the open component's
/// `components` (nested components), not inside `pedigree` or `evidence`.
fn relative_parent_is_components(
    stack: &[Option<String>],
    open_components: &[(usize, usize)],
) -> bool {
    relative_path(stack, open_components) == ["components", "component"]
}

/// An unprefixed attribute's value, unescaped.
pub(super) fn attribute(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
        })
        .filter(|v| !v.is_empty())
}

/// Handles the end of the element on top of the stack: stores leaf text in the open component.
fn close_element(
    stack: &mut Vec<Option<String>>,
    open_components: &mut Vec<(usize, usize)>,
    document: &mut Document,
    text: &str,
    hash_algorithm: &mut Option<String>,
    reference_type: &mut Option<String>,
) {
    if let Some(&(depth, index)) = open_components.last() {
        if depth == stack.len() {
            open_components.pop();
        } else {
            let relative = relative_path(stack, open_components);
            let value = text.trim();
            let some = || (!value.is_empty()).then(|| value.to_string());
            let component = &mut document.components[index];
            match relative.as_slice() {
                ["name"] => component.name = some(),
                ["group"] => component.group = some(),
                ["version"] => component.version = some(),
                ["purl"] => component.purl = some(),
                ["scope"] => component.scope = some(),
                ["description"] => component.description = some(),
                ["licenses", "license", field @ ("id" | "name" | "url")] => {
                    set_xml_license(&mut component.licenses, field, value)
                }
                ["licenses", "expression"] => component
                    .licenses
                    .push(LicenseValue::from_field(Some(value))),
                [
                    "evidence",
                    "licenses",
                    "license",
                    field @ ("id" | "name" | "url"),
                ] => set_xml_license(&mut component.evidence_licenses, field, value),
                ["evidence", "licenses", "expression"] => component
                    .evidence_licenses
                    .push(LicenseValue::from_field(Some(value))),
                ["hashes", "hash"] => {
                    if let Some(algorithm) = hash_algorithm.take() {
                        component.hashes.push((algorithm, value.to_string()));
                    }
                }
                ["externalReferences", "reference", "url"] => match reference_type.as_deref() {
                    Some("website") if component.website.is_none() => component.website = some(),
                    Some("vcs") if component.vcs.is_none() => component.vcs = some(),
                    _ => {}
                },
                _ => {}
            }
        }
    }
    stack.pop();
}

/// Fills the entry of the open `<license>` from its `id`, `name` or `url` child: an `id` wins,
/// a `name` or `url` only fills an entry that is still empty.
fn set_xml_license(list: &mut [LicenseValue], field: &str, value: &str) {
    let new_value = LicenseValue::from_field(Some(value));
    if let Some(entry) = list.last_mut()
        && (field == "id" || *entry == LicenseValue::Missing)
    {
        *entry = new_value;
    }
}

/// Turns the components and dependency lists into packages, edges and roots.
fn build_inventory(path: &Path, text: &str, syntax: &str, document: Document) -> Inventory {
    let mut inventory = Inventory::new();
    let mut gaps = SbomGaps::default();
    let spec = if document.spec_version.is_empty() {
        "(no specVersion)".to_string()
    } else {
        document.spec_version.clone()
    };
    inventory.inputs.push(super::input_file(
        path,
        text.as_bytes(),
        format!("CycloneDX {spec} {syntax}"),
    ));
    // When the subject is also listed among the components (same bom-ref), the listed one is
    // the root instead of adding the subject twice.
    let listed_refs: HashMap<&str, usize> = document
        .components
        .iter()
        .enumerate()
        .filter(|(_, c)| c.placement == Some(Placement::Listed))
        .filter_map(|(i, c)| c.bom_ref.as_deref().map(|r| (r, i)))
        .collect();
    let mut ids: Vec<Option<PackageId>> = vec![None; document.components.len()];
    let mut subject_alias: Vec<(usize, usize)> = Vec::new();
    for (index, component) in document.components.iter().enumerate() {
        if component.placement == Some(Placement::Subject)
            && let Some(&listed) = component
                .bom_ref
                .as_deref()
                .and_then(|r| listed_refs.get(r))
        {
            subject_alias.push((index, listed));
        }
    }
    let mut by_ref: HashMap<String, PackageId> = HashMap::new();
    let mut scopes: Vec<Option<Scope>> = Vec::new();
    for (index, component) in document.components.iter().enumerate() {
        if subject_alias.iter().any(|&(subject, _)| subject == index) {
            continue;
        }
        let is_root = component.placement == Some(Placement::Subject)
            || subject_alias.iter().any(|&(_, listed)| listed == index);
        let kind = if is_root {
            PackageKind::Root
        } else if component.placement == Some(Placement::SubjectPart) {
            PackageKind::Local
        } else {
            PackageKind::ThirdParty
        };
        let scope = match component.scope.as_deref() {
            Some("optional") => Some(Scope::Optional),
            // `excluded`: not part of the shipped product (tests, tooling).
            Some("excluded") => Some(Scope::Dev),
            Some("required") => Some(Scope::Runtime),
            _ => None,
        };
        let licenses = if component
            .licenses
            .iter()
            .any(|l| *l != LicenseValue::Missing)
        {
            &component.licenses
        } else {
            &component.evidence_licenses
        };
        let mut name_candidates = Vec::new();
        if let (Some(group), Some(name)) = (&component.group, &component.name) {
            name_candidates.push(format!("{group}/{name}"));
            name_candidates.push(format!("{group}:{name}"));
        }
        let entry = SbomEntry {
            kind: Some(kind),
            name: match (&component.group, &component.name) {
                (Some(group), Some(name)) if component.purl.is_none() => {
                    Some(format!("{group}/{name}"))
                }
                _ => component.name.clone(),
            },
            name_candidates,
            version: component.version.clone(),
            purl: component.purl.clone(),
            license: combine_licenses(licenses),
            hashes: component
                .hashes
                .iter()
                .filter_map(|(algorithm, value)| sbom_hash(algorithm, value))
                .collect(),
            scope,
            description: component.description.clone(),
            homepage: component.website.clone(),
            repository: component.vcs.clone(),
            fallback_name: component.bom_ref.clone(),
            line: component.line,
        };
        let package = package_from_entry(path, entry, &mut gaps);
        let id = inventory.add_package(package);
        ids[index] = Some(id);
        scopes.push(scope);
        if is_root {
            inventory.add_root(id);
        }
        if let Some(reference) = &component.bom_ref {
            by_ref.entry(reference.clone()).or_insert(id);
        }
    }
    for &(subject, listed) in &subject_alias {
        ids[subject] = ids[listed];
    }
    let edge = |from: PackageId, to: PackageId| {
        let scope = scopes.get(to.0).copied().flatten();
        Edge {
            from,
            to,
            // CycloneDX does not say why a component depends on another; an `excluded`
            // dependency is not shipped, which the scope pass treats like a dev edge.
            kind: if scope == Some(Scope::Dev) {
                DepKind::Dev
            } else {
                DepKind::Unknown
            },
            optional: scope == Some(Scope::Optional),
        }
    };
    // Nesting is containment: an assembly depends on its parts.
    for (index, component) in document.components.iter().enumerate() {
        if let (Some(parent), Some(child)) = (component.parent.and_then(|p| ids[p]), ids[index]) {
            inventory.add_edge(edge(parent, child));
        }
    }
    let mut unresolved = 0usize;
    for (reference, depends_on) in &document.dependencies {
        let Some(&from) = by_ref.get(reference) else {
            unresolved += 1 + depends_on.len();
            continue;
        };
        for target in depends_on {
            match by_ref.get(target) {
                Some(&to) if to != from => {
                    inventory.add_edge(edge(from, to));
                }
                Some(_) => {}
                None => unresolved += 1,
            }
        }
    }
    if unresolved > 0 {
        inventory.add_gap(
            "dependency-ref-unresolved",
            format!(
                "`{}`: {unresolved} dependency references name no component; those edges are \
                 left out",
                path.display()
            ),
            0,
        );
    }
    gaps.record(&mut inventory, path);
    inventory
}

/// Combines a component's license entries into one statement. Several entries are joined with
/// `AND`: the component is offered under all of them, and a gate must not pick the convenient one.
fn combine_licenses(licenses: &[LicenseValue]) -> LicenseValue {
    let stated: Vec<&str> = licenses
        .iter()
        .filter_map(|l| match l {
            LicenseValue::Stated(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    match stated.as_slice() {
        [] => licenses
            .iter()
            .cloned()
            .fold(LicenseValue::Missing, LicenseValue::or),
        [one] => LicenseValue::Stated((*one).to_string()),
        many => LicenseValue::Stated(
            many.iter()
                .map(|s| {
                    if s.contains(' ') {
                        format!("({s})")
                    } else {
                        (*s).to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_licenses_are_all_required() {
        let licenses = vec![
            LicenseValue::Stated("MIT".into()),
            LicenseValue::Stated("Apache-2.0 OR BSD-3-Clause".into()),
        ];
        assert_eq!(
            combine_licenses(&licenses),
            LicenseValue::Stated("MIT AND (Apache-2.0 OR BSD-3-Clause)".into())
        );
        assert_eq!(
            combine_licenses(&[LicenseValue::NoAssertion]),
            LicenseValue::NoAssertion
        );
    }

    #[test]
    fn json_components_nested_and_lines() {
        let text = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
  "components": [
    {
      "type": "library", "name": "a", "version": "1.0", "bom-ref": "a",
      "purl": "pkg:npm/a@1.0",
      "licenses": [{"license": {"id": "MIT"}}],
      "components": [
        {"type": "library", "name": "b", "version": "2.0", "purl": "pkg:npm/b@2.0", "scope": "optional"}
      ]
    }
  ],
  "dependencies": [{"ref": "app", "dependsOn": ["a"]}]
}"#;
        let inventory = parse_json(Path::new("bom.json"), text).unwrap();
        let names: Vec<_> = inventory
            .packages()
            .iter()
            .map(|p| (p.name.as_str(), p.location.line))
            .collect();
        assert_eq!(
            names,
            vec![("app", Some(4)), ("a", Some(6)), ("b", Some(11))]
        );
        assert_eq!(inventory.roots().len(), 1);
        assert_eq!(inventory.edges().len(), 2);
        assert_eq!(inventory.packages()[1].license_expression(), Some("MIT"));
        assert_eq!(inventory.inputs[0].format, "CycloneDX 1.5 JSON");
    }

    #[test]
    fn xml_components_licenses_and_dependencies() {
        let text = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <metadata><component type="application" bom-ref="app"><name>app</name></component></metadata>
  <components>
    <component type="library" bom-ref="a">
      <group>org.example</group><name>a</name><version>1.0</version>
      <licenses><license><id>MIT</id></license><license><name>Custom &amp; Co</name></license></licenses>
      <hashes><hash alg="SHA-256">ABCDEF</hash></hashes>
      <purl>pkg:maven/org.example/a@1.0</purl>
      <pedigree><ancestors><component type="library"><name>old</name></component></ancestors></pedigree>
    </component>
  </components>
  <dependencies><dependency ref="app"><dependency ref="a"/></dependency></dependencies>
</bom>"#;
        let inventory = parse_xml(Path::new("bom.xml"), text).unwrap();
        assert_eq!(inventory.packages().len(), 2);
        let a = &inventory.packages()[1];
        assert_eq!(a.name, "org.example:a");
        assert_eq!(a.location.line, Some(5));
        assert_eq!(a.license_expression(), Some("MIT AND (Custom & Co)"));
        assert_eq!(a.hashes[0].value, "abcdef");
        assert_eq!(inventory.edges().len(), 1);
        assert_eq!(inventory.inputs[0].format, "CycloneDX 1.4 XML");
    }

    #[test]
    fn xml_errors_have_lines() {
        let text = "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components>\n</bom>";
        let error = parse_xml(Path::new("bom.xml"), text).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("line 3"), "{message}");
    }
}
