//! Stage 5, report: SPDX 3.0.1 JSON-LD SBOMs.
//!
//! In: `&Inventory` and [`DocumentInfo`]. Out: the document's bytes: one `@graph` holding the
//! `CreationInfo`, the `SpdxDocument`, a `software_Sbom` whose root elements are the
//! subjects, one `software_Package` per package, `simplelicensing_LicenseExpression`s linked
//! by `hasDeclaredLicense` / `hasConcludedLicense`, and `dependsOn` relationships (dev and
//! build ones as `LifecycleScopedRelationship`s). The content is that of the SPDX 2.3 output;
//! the layout follows the official 3.0.1 JSON schema.
//!
//! With the BSI TR-03183-2 profile each package also gets its creator (`originatedBy`), its
//! downloaded artefact as a `software_File` (`hasDistributionArtifact`: file name, SHA-512,
//! archive/structured/executable as `software_additionalPurpose`), its distribution licence as
//! `hasConcludedLicense`, and every dependency list a `completeness`.
//!
//! Reproducible: elements are sorted by `spdxId`; ids are derived from content (digests), the
//! namespace holds a UUID derived from the whole document, the timestamp comes from the caller.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::bsi::{self, Completeness};
use super::sbom_common::{
    self, Artifact, ArtifactKind, DocumentInfo, LicenseForm, Party, Profile, TOOL_NAME,
    TOOL_VERSION, classify_license, clean,
};
use super::spdx::{NAMESPACE_PREFIX, download_location, sanitise, spdx_ids};
use crate::inventory::{DepKind, HashAlgorithm, Inventory, LicenseOrigin, Package, PackageId};

/// The JSON-LD context of every SPDX 3.0.1 document.
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
/// The blank node every element's `creationInfo` points to.
const CREATION_INFO: &str = "_:creationinfo";
/// SPDX 3's individual for "there is nothing here", used as the target of a complete but
/// empty dependency list.
const NONE_ELEMENT: &str = "https://spdx.org/rdf/3.0.1/terms/Core/NoneElement";

/// SPDX 3.0.1 JSON-LD, pretty-printed, ending in a newline.
///
/// The namespace is derived from the document written with a namespace without UUID, so the
/// same inventory and facts always give the same bytes.
pub fn to_json(inventory: &Inventory, info: &DocumentInfo) -> Result<Vec<u8>, serde_json::Error> {
    let base = format!("{NAMESPACE_PREFIX}{}", sanitise(&info.name));
    let draft = serde_json::to_vec(&build(inventory, info, &base))?;
    let namespace = format!("{base}-{}", sbom_common::content_uuid(&draft));
    let mut bytes = serde_json::to_vec_pretty(&build(inventory, info, &namespace))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The document as a JSON value, every `spdxId` under `namespace`.
pub fn build(inventory: &Inventory, info: &DocumentInfo, namespace: &str) -> Value {
    let mut graph = Graph {
        namespace,
        elements: BTreeMap::new(),
        relationships: BTreeMap::new(),
    };
    let bsi = info.profile == Some(Profile::BsiTr031832);
    let tool = graph.id("SPDXRef-Tool-depgate");
    graph.add(
        &tool,
        json!({"type": "Tool", "name": format!("{TOOL_NAME}-{TOOL_VERSION}")}),
    );
    let created_by = match &info.creator {
        Some(creator) => graph.agent(creator),
        None => {
            let agent = graph.id("SPDXRef-Agent-depgate");
            graph.add(&agent, json!({"type": "SoftwareAgent", "name": TOOL_NAME}));
            agent
        }
    };

    let refs = sbom_common::unique_refs(inventory);
    let locals = spdx_ids(&refs);
    let package_ids: Vec<String> = locals.iter().map(|local| graph.id(local)).collect();
    for package in inventory.packages() {
        let root_like = sbom_common::is_root_like(inventory, package.id);
        let id = &package_ids[package.id.0];
        graph.package(package, id, root_like, bsi);
    }

    let mut subjects: Vec<String> = inventory
        .subjects()
        .iter()
        .map(|subject| package_ids[subject.0].clone())
        .collect();
    subjects.sort();
    // The product: the one subject, or (when the product's own facts need a home and there
    // are several subjects) a package named after the document that depends on them all.
    let product = match subjects.as_slice() {
        [only] => Some(only.clone()),
        _ if info.artifact.is_some() || info.supplier.is_some() => {
            let id = graph.id(&format!("SPDXRef-Product-{}", sanitise(&info.name)));
            graph.add(
                &id,
                json!({
                    "type": "software_Package",
                    "name": clean(&info.name),
                    "description": clean(&info.subject_description),
                    "software_primaryPurpose": "application",
                }),
            );
            if !subjects.is_empty() {
                graph.relate(&id, "dependsOn", None, None, subjects.clone());
            }
            subjects = vec![id.clone()];
            Some(id)
        }
        _ => None,
    };
    if let Some(product) = &product {
        if let Some(supplier) = &info.supplier {
            let agent = graph.agent(supplier);
            graph.set(product, "suppliedBy", json!(agent));
        }
        if let Some(artifact) = &info.artifact {
            graph.artifact_of_product(product, artifact);
        }
    }

    let completeness = bsi.then(|| bsi::completeness(inventory, info));
    graph.dependencies(inventory, &package_ids, completeness);

    let sbom = graph.id("SPDXRef-Sbom");
    let mut sbom_element = json!({
        "type": "software_Sbom",
        "name": clean(&info.name),
        "rootElement": subjects,
    });
    if info.origin == sbom_common::DocumentOrigin::Scanned {
        // Read from lockfiles and manifests, before any build.
        sbom_element["software_sbomType"] = json!(["source"]);
    }
    graph.add(&sbom, sbom_element);
    let data_license = graph.license_expression("CC0-1.0", None);
    let document = graph.id("SPDXRef-DOCUMENT");
    graph.add(
        &document,
        json!({
            "type": "SpdxDocument",
            "name": clean(&info.name),
            "dataLicense": data_license,
            "profileConformance": ["core", "software", "simpleLicensing"],
            "rootElement": [sbom],
        }),
    );

    let mut creation_info = json!({
        "@id": CREATION_INFO,
        "type": "CreationInfo",
        "specVersion": "3.0.1",
        "created": crate::util::rfc3339(info.timestamp),
        "createdBy": [created_by],
        "createdUsing": [tool],
    });
    // The build described (`--target`, `--features`), as in SPDX 2.3's creation comment.
    let build = super::sbom_common::build_properties(inventory);
    if !build.is_empty() {
        creation_info["comment"] = Value::String(
            build
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
    let mut items = vec![creation_info];
    items.extend(graph.elements.into_values());
    items.extend(graph.relationships.into_values());
    json!({"@context": CONTEXT, "@graph": items})
}

/// The elements being collected, by `spdxId`.
struct Graph<'a> {
    namespace: &'a str,
    elements: BTreeMap<String, Value>,
    /// Relationships apart, so they follow the elements they relate.
    relationships: BTreeMap<String, Value>,
}

impl Graph<'_> {
    /// The full `spdxId` of a local id.
    fn id(&self, local: &str) -> String {
        format!("{}#{local}", self.namespace)
    }

    /// A local id from a digest of `parts`, for elements with no natural name.
    fn digest_id(&self, kind: &str, parts: &[&str]) -> String {
        let digest = crate::util::sha256_hex(parts.join("\u{0}").as_bytes());
        self.id(&format!("SPDXRef-{kind}-{}", &digest[..16]))
    }

    /// Adds an element with its `spdxId` and `creationInfo` first.
    fn add(&mut self, id: &str, element: Value) {
        let mut object = Map::new();
        if let Value::Object(fields) = element {
            let mut fields = fields.into_iter();
            if let Some((key, value)) = fields.next() {
                // `type` first, as the examples write it.
                object.insert(key, value);
            }
            object.insert("spdxId".into(), json!(id));
            object.insert("creationInfo".into(), json!(CREATION_INFO));
            object.extend(fields);
        }
        self.elements.insert(id.to_string(), Value::Object(object));
    }

    /// Sets one field of an element already added.
    fn set(&mut self, id: &str, key: &str, value: Value) {
        if let Some(Value::Object(fields)) = self.elements.get_mut(id) {
            fields.insert(key.to_string(), value);
        }
    }

    /// The agent (a `Person` for an e-mail address, else an `Organization`) for a party,
    /// added once; its contact as an `externalIdentifier` (`email` or `urlScheme`).
    fn agent(&mut self, party: &Party) -> String {
        let contact = party.email.as_deref().or(party.url.as_deref());
        let id = self.digest_id("Agent", &[&party.name, contact.unwrap_or_default()]);
        let kind = if party.email.is_some() {
            "Person"
        } else {
            "Organization"
        };
        let mut element = json!({"type": kind, "name": clean(&party.name)});
        let identifier = match (&party.email, &party.url) {
            (Some(email), _) => Some(("email", email)),
            (None, Some(url)) => Some(("urlScheme", url)),
            (None, None) => None,
        };
        if let Some((kind, value)) = identifier {
            element["externalIdentifier"] = json!([{
                "type": "ExternalIdentifier",
                "externalIdentifierType": kind,
                "identifier": clean(value),
            }]);
        }
        self.add(&id, element);
        id
    }

    /// A relationship `from -type-> to`, its id derived from its content. `scope` makes it a
    /// `LifecycleScopedRelationship`.
    fn relate(
        &mut self,
        from: &str,
        kind: &str,
        scope: Option<&str>,
        completeness: Option<Completeness>,
        mut to: Vec<String>,
    ) -> String {
        to.sort();
        to.dedup();
        let joined = to.join(" ");
        let id = self.digest_id(
            "Relationship",
            &[from, kind, scope.unwrap_or_default(), &joined],
        );
        let mut element = Map::new();
        element.insert(
            "type".into(),
            json!(if scope.is_some() {
                "LifecycleScopedRelationship"
            } else {
                "Relationship"
            }),
        );
        element.insert("spdxId".into(), json!(id));
        element.insert("creationInfo".into(), json!(CREATION_INFO));
        element.insert("from".into(), json!(from));
        element.insert("relationshipType".into(), json!(kind));
        element.insert("to".into(), json!(to));
        if let Some(scope) = scope {
            element.insert("scope".into(), json!(scope));
        }
        if let Some(completeness) = completeness {
            element.insert(
                "completeness".into(),
                json!(match completeness {
                    Completeness::Complete => "complete",
                    Completeness::Incomplete => "incomplete",
                    Completeness::Unknown => "noAssertion",
                }),
            );
        }
        self.relationships
            .insert(id.clone(), Value::Object(element));
        id
    }

    /// The license expression element for `expression` (added once). `text` is the license as
    /// declared when it is not SPDX: it becomes a `SimpleLicensingText` the expression's
    /// `LicenseRef-` points to.
    fn license_expression(&mut self, expression: &str, text: Option<&str>) -> String {
        let id = self.digest_id("License", &[expression]);
        if self.elements.contains_key(&id) {
            return id;
        }
        let mut element = json!({
            "type": "simplelicensing_LicenseExpression",
            "simplelicensing_licenseExpression": expression,
            "simplelicensing_licenseListVersion": ::spdx::identifiers::VERSION,
        });
        if let Some(text) = text {
            let text_id = self.digest_id("LicenseText", &[text]);
            self.add(
                &text_id,
                json!({
                    "type": "simplelicensing_SimpleLicensingText",
                    "name": text,
                    "simplelicensing_licenseText": text,
                    "comment": "The license as the package declared it; it is not an SPDX expression.",
                }),
            );
            element["simplelicensing_customIdToUri"] = json!([{
                "type": "DictionaryEntry",
                "key": expression,
                "value": text_id,
            }]);
        }
        self.add(&id, element);
        id
    }

    /// One package, its license relationships and (with the profile) its creator and
    /// downloaded artefact.
    fn package(&mut self, package: &Package, id: &str, root_like: bool, bsi: bool) {
        let mut element = Map::new();
        element.insert("type".into(), json!("software_Package"));
        element.insert("name".into(), json!(clean(&package.name)));
        if !package.version.is_empty() {
            element.insert(
                "software_packageVersion".into(),
                json!(clean(&package.version)),
            );
        }
        if let Some(description) = package
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            element.insert("description".into(), json!(clean(description)));
        }
        let location = download_location(&package.source);
        if location != "NOASSERTION" {
            element.insert("software_downloadLocation".into(), json!(location));
        }
        if let Some(homepage) = package
            .homepage
            .as_deref()
            .and_then(sbom_common::absolute_url)
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
        {
            element.insert("software_homePage".into(), json!(homepage));
        }
        if let Some(purl) = &package.purl {
            element.insert("software_packageUrl".into(), json!(purl));
            element.insert(
                "externalIdentifier".into(),
                json!([{
                    "type": "ExternalIdentifier",
                    "externalIdentifierType": "packageUrl",
                    "identifier": purl,
                }]),
            );
        }
        if let Some(repository) = package
            .repository
            .as_deref()
            .and_then(sbom_common::absolute_url)
        {
            element.insert(
                "externalRef".into(),
                json!([{"type": "ExternalRef", "externalRefType": "vcs", "locator": [repository]}]),
            );
        }
        let hashes = verified_using(package.hashes.iter().map(|h| (h.algorithm, &*h.value)));
        if !hashes.is_empty() {
            element.insert("verifiedUsing".into(), json!(hashes));
        }
        element.insert(
            "software_primaryPurpose".into(),
            json!(if root_like { "application" } else { "library" }),
        );
        let facts = bsi.then(|| bsi::component_facts(package));
        if let Some(creator) = facts.as_ref().and_then(|facts| facts.creator.as_ref()) {
            let agent = self.agent(creator);
            element.insert("originatedBy".into(), json!([agent]));
        }
        self.add(id, Value::Object(element));

        if let Some(declared) = package.license_expression().and_then(classify_license) {
            let license = match &declared.form {
                LicenseForm::Id(text) | LicenseForm::Expression(text) => {
                    self.license_expression(text, None)
                }
                LicenseForm::Named(text) => {
                    let reference = format!("LicenseRef-{}", named_reference(text));
                    self.license_expression(&reference, Some(&clean(text)))
                }
            };
            let concluded = matches!(
                package.license.as_ref().map(|l| l.origin),
                Some(LicenseOrigin::Detected | LicenseOrigin::Clarified)
            );
            let kind = if concluded {
                "hasConcludedLicense"
            } else {
                "hasDeclaredLicense"
            };
            self.relate(id, kind, None, None, vec![license.clone()]);
            // BSI's distribution licence is the licence the component reaches the recipient
            // under: the declared one, unless depgate concluded another.
            if bsi && !concluded {
                self.relate(id, "hasConcludedLicense", None, None, vec![license]);
            }
        }
        if let Some((filename, kind, sha512)) =
            facts.and_then(|facts| Some((facts.filename?, facts.kind?, facts.sha512)))
        {
            let hashes: Vec<(HashAlgorithm, &str)> = sha512
                .iter()
                .map(|value| (HashAlgorithm::Sha512, value.as_str()))
                .collect();
            self.distribution_artifact(id, &filename, kind, &hashes);
        }
    }

    /// The product's own file (`--artifact`).
    fn artifact_of_product(&mut self, product: &str, artifact: &Artifact) {
        let hashes = [
            (HashAlgorithm::Sha256, artifact.sha256.as_str()),
            (HashAlgorithm::Sha512, artifact.sha512.as_str()),
        ];
        self.distribution_artifact(product, &artifact.filename, artifact.kind, &hashes);
    }

    /// A `software_File` for a package's deployable form, linked by `hasDistributionArtifact`.
    fn distribution_artifact(
        &mut self,
        package: &str,
        filename: &str,
        kind: ArtifactKind,
        hashes: &[(HashAlgorithm, &str)],
    ) {
        let id = self.digest_id("File", &[package, filename]);
        let mut element = json!({
            "type": "software_File",
            "name": clean(filename),
            "software_primaryPurpose": if kind.archive {
                "archive"
            } else if kind.executable {
                "executable"
            } else {
                "file"
            },
            "software_additionalPurpose": additional_purposes(kind),
        });
        let hashes = verified_using(hashes.iter().copied());
        if !hashes.is_empty() {
            element["verifiedUsing"] = json!(hashes);
        }
        self.add(&id, element);
        self.relate(package, "hasDistributionArtifact", None, None, vec![id]);
    }

    /// `dependsOn` per package and kind of dependency; with the profile, each list states its
    /// completeness, and a package with no dependencies says so (`NoneElement`) when the list
    /// is complete.
    fn dependencies(
        &mut self,
        inventory: &Inventory,
        ids: &[String],
        completeness: Option<Completeness>,
    ) {
        type Group = (PackageId, &'static str, Option<&'static str>);
        let mut groups: BTreeMap<Group, BTreeSet<String>> = BTreeMap::new();
        for edge in inventory.edges() {
            if edge.from == edge.to {
                continue;
            }
            let scope = match (edge.kind, edge.optional) {
                (DepKind::Dev, _) => Some("development"),
                (DepKind::Build, _) => Some("build"),
                (DepKind::Normal | DepKind::Unknown, _) => None,
            };
            let comment = if edge.optional && scope.is_none() {
                "Optional: enabled by a feature or an optional dependency."
            } else {
                ""
            };
            groups
                .entry((edge.from, comment, scope))
                .or_default()
                .insert(ids[edge.to.0].clone());
        }
        let mut has_dependencies = vec![false; ids.len()];
        for ((from, comment, scope), to) in groups {
            has_dependencies[from.0] = true;
            let id = self.relate(
                &ids[from.0].clone(),
                "dependsOn",
                scope,
                completeness,
                to.into_iter().collect(),
            );
            if let Some(Value::Object(fields)) = self
                .relationships
                .get_mut(&id)
                .filter(|_| !comment.is_empty())
            {
                fields.insert("comment".into(), json!(comment));
            }
        }
        if completeness == Some(Completeness::Complete) {
            for (index, id) in ids.iter().enumerate() {
                if !has_dependencies[index] {
                    self.relate(
                        id,
                        "dependsOn",
                        None,
                        completeness,
                        vec![NONE_ELEMENT.to_string()],
                    );
                }
            }
        }
    }
}

/// SPDX 3 `Hash` objects for the valid hashes among `hashes`, sorted, without repeats.
fn verified_using<'h>(hashes: impl Iterator<Item = (HashAlgorithm, &'h str)>) -> Vec<Value> {
    let set: BTreeSet<(&'static str, String)> = hashes
        .filter(|(algorithm, value)| sbom_common::is_valid_hash(*algorithm, value))
        .map(|(algorithm, value)| {
            let name = match algorithm {
                HashAlgorithm::Md5 => "md5",
                HashAlgorithm::Sha1 => "sha1",
                HashAlgorithm::Sha256 => "sha256",
                HashAlgorithm::Sha384 => "sha384",
                HashAlgorithm::Sha512 => "sha512",
            };
            (name, value.to_ascii_lowercase())
        })
        .collect();
    set.into_iter()
        .map(|(algorithm, value)| json!({"type": "Hash", "algorithm": algorithm, "hashValue": value}))
        .collect()
}

/// BSI TR-03183-2's three properties in SPDX 3's words: `archive`, `container` (structured) or
/// `firmware` (unstructured), and `executable` only when it is.
fn additional_purposes(kind: ArtifactKind) -> Vec<&'static str> {
    let mut purposes = Vec::new();
    if kind.archive {
        purposes.push("archive");
    }
    purposes.push(if kind.structured {
        "container"
    } else {
        "firmware"
    });
    if kind.executable {
        purposes.push("executable");
    }
    purposes
}

/// The `LicenseRef-` id of a declared license that is not SPDX: its sanitised text, with a
/// digest so two texts that sanitise alike stay apart.
fn named_reference(text: &str) -> String {
    let base: String = sanitise(text).chars().take(48).collect();
    let digest = crate::util::sha256_hex(text.as_bytes());
    format!("{}-{}", base.trim_end_matches('-'), &digest[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_follow_the_three_properties() {
        let archive = ArtifactKind {
            executable: false,
            archive: true,
            structured: true,
        };
        assert_eq!(additional_purposes(archive), ["archive", "container"]);
        let blob = ArtifactKind {
            executable: true,
            archive: false,
            structured: false,
        };
        assert_eq!(additional_purposes(blob), ["firmware", "executable"]);
    }

    #[test]
    fn named_references_differ_for_texts_that_sanitise_alike() {
        assert_ne!(named_reference("My License"), named_reference("My_License"));
        assert!(named_reference("My License").starts_with("My-License-"));
    }
}
