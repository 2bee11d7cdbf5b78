//! Stage 5, report: CycloneDX SBOMs — 1.5 JSON and XML, and 1.6 JSON.
//!
//! In: `&Inventory` and [`DocumentInfo`]. Out: the document's bytes. There is ONE CycloneDX
//! model in the code: the `cyclonedx-bom` crate's [`Bom`], built by [`build_bom`]. Its own
//! writers produce 1.5 JSON and XML. The crate stops at 1.5, so 1.6 JSON is the 1.5 JSON of the
//! same model lifted to 1.6 (every 1.5 field we write means the same in 1.6): `specVersion` and
//! `$schema` changed, each license marked `declared` or `concluded` (`acknowledgement`, new in
//! 1.6), and the 1.6-only top-level sections carried by [`Cdx16Extensions`] appended.
//!
//! Reproducible: components, dependencies, hashes and references are sorted; the timestamp
//! comes from the caller; the serial number is a UUID derived from the document's content.

use std::collections::{BTreeMap, BTreeSet};

use cyclonedx_bom::external_models::date_time::DateTime;
use cyclonedx_bom::external_models::normalized_string::NormalizedString;
use cyclonedx_bom::external_models::spdx::SpdxExpression;
use cyclonedx_bom::external_models::uri::{Purl, Uri};
use cyclonedx_bom::models::bom::{Bom, BomReference, SpecVersion, UrnUuid};
use cyclonedx_bom::models::component::{Classification, Component, Components, Scope as CdxScope};
use cyclonedx_bom::models::composition::{AggregateType, Composition, Compositions};
use cyclonedx_bom::models::dependency::{Dependencies, Dependency};
use cyclonedx_bom::models::external_reference::{
    ExternalReference, ExternalReferenceType, ExternalReferences,
};
use cyclonedx_bom::models::hash::{
    Hash as CdxHash, HashAlgorithm as CdxAlgorithm, HashValue, Hashes,
};
use cyclonedx_bom::models::license::{License, LicenseChoice, Licenses};
use cyclonedx_bom::models::metadata::Metadata;
use cyclonedx_bom::models::organization::{OrganizationalContact, OrganizationalEntity};
use cyclonedx_bom::models::property::{Properties, Property};
use cyclonedx_bom::models::tool::Tools;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use thiserror::Error;

use super::bsi::{self, Completeness};
use super::sbom_common::{
    self, Artifact, ArtifactKind, DocumentInfo, LicenseForm, Party, Profile, TOOL_NAME,
    TOOL_VERSION, classify_license, clean,
};
use crate::inventory::{
    HashAlgorithm, Inventory, LicenseOrigin, Package, PackageId, Scope, Source,
};

/// `$schema` of CycloneDX 1.5 JSON documents.
pub const SCHEMA_1_5: &str = "http://cyclonedx.org/schema/bom-1.5.schema.json";
/// `$schema` of CycloneDX 1.6 JSON documents.
pub const SCHEMA_1_6: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

/// Component property holding the license exactly as declared, when the document carries a
/// normalised form (`MIT/Apache-2.0` declared, `MIT OR Apache-2.0` written).
pub const DECLARED_LICENSE_PROPERTY: &str = "depgate:license:declared";

/// SPDX license ids the spdx crate knows (license list 3.29) that the CycloneDX 1.5/1.6 schemas'
/// `license.id` enum (SPDX list 3.28, `spdx.schema.json` / `spdx.xsd`) does not. A package
/// declaring one of these alone gets it as an `expression` (any valid SPDX expression is
/// allowed there), so the document stays schema-valid. A data test renders every id the spdx
/// crate knows and validates the result, so a crate update that adds ids fails loudly.
const IDS_NEWER_THAN_SCHEMA: &[&str] = &[
    "BSD-2-Clause-pos-unchanged",
    "BSD-3-Clause-OpenWebUI",
    "BSD-Source-Code-no-disclaimer",
    "BSD-Source-alt-GPL",
    "BSD-ask-to-endorse",
    "Brian-Gladman-3-Clause-no-conversion",
    "Bugroff",
    "CC-BY-NC-3.0-IGO",
    "FDK-MPEG-H",
    "GFDL-1.1-invariants",
    "GFDL-1.1-no-invariants",
    "GFDL-1.2-invariants",
    "GFDL-1.2-no-invariants",
    "GFDL-1.3-invariants",
    "GFDL-1.3-no-invariants",
    "Google-Patent-WebM",
    "Hippocratic-3.0-core",
    "Informatica",
    "MVT-1.1",
    "atc-game",
];

/// Why a CycloneDX document could not be written.
#[derive(Debug, Error)]
pub enum CycloneDxError {
    /// The JSON writer of `cyclonedx-bom` failed.
    #[error("cannot write CycloneDX JSON")]
    Json(#[from] cyclonedx_bom::errors::JsonWriteError),
    /// The XML writer of `cyclonedx-bom` failed.
    #[error("cannot write CycloneDX XML")]
    Xml(#[from] cyclonedx_bom::errors::XmlWriteError),
    /// Re-reading or re-writing our own JSON failed (when lifting to 1.6).
    #[error("cannot lift CycloneDX JSON to 1.6")]
    Lift(#[from] serde_json::Error),
    /// A timestamp the CycloneDX model rejects.
    #[error("invalid timestamp `{0}` for CycloneDX")]
    Timestamp(String),
}

/// Top-level sections that exist only in CycloneDX 1.6, added when lifting 1.5 JSON to 1.6.
///
/// Empty by default: a plain SBOM has neither section. The attestation work (`depgate attest`)
/// fills them: `declarations` (assessors, attestations, claims, evidence, targets, affirmation)
/// and `definitions` (`standards`, e.g. the policy as a standard with requirements). Their
/// values are written as given, at the end of the document, in the order `declarations`,
/// `definitions`; build them with `serde_json::to_value` from typed structs. They take part in
/// the serial number.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cdx16Extensions {
    /// CycloneDX 1.6 `declarations` (attestations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declarations: Option<serde_json::Value>,
    /// CycloneDX 1.6 `definitions` (standards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definitions: Option<serde_json::Value>,
}

impl Cdx16Extensions {
    /// True when there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.declarations.is_none() && self.definitions.is_none()
    }
}

/// Builds the CycloneDX model of an inventory, with its content-derived serial number.
///
/// The single root (if there is exactly one) is `metadata.component`. With several roots (or
/// none), a synthetic root named after [`DocumentInfo::name`] is `metadata.component`; it
/// depends on the roots (or, without roots, on every package nothing depends on), and the roots
/// are listed as components.
pub fn build_bom(inventory: &Inventory, info: &DocumentInfo) -> Result<Bom, CycloneDxError> {
    let mut bom = build_unsigned(inventory, info)?;
    bom.serial_number = Some(serial_number(&bom, &Cdx16Extensions::default())?);
    Ok(bom)
}

/// CycloneDX 1.5 JSON, pretty-printed, ending in a newline.
pub fn to_json_1_5(inventory: &Inventory, info: &DocumentInfo) -> Result<Vec<u8>, CycloneDxError> {
    let no_extensions = Cdx16Extensions::default();
    let (bytes, serial) = json_1_5(inventory, info, &no_extensions)?;
    finish_json(&bytes, &serial, SCHEMA_1_5, "1.5", None, &no_extensions)
}

/// CycloneDX 1.5 XML, as `cyclonedx-bom` writes it, ending in a newline.
pub fn to_xml_1_5(inventory: &Inventory, info: &DocumentInfo) -> Result<Vec<u8>, CycloneDxError> {
    let bom = build_bom(inventory, info)?;
    let mut bytes = Vec::new();
    bom.output_as_xml_v1_5(&mut bytes)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// CycloneDX 1.6 JSON: the 1.5 JSON of the same model, lifted to 1.6, plus `extensions`.
///
/// The serial number covers the extensions too, so a 1.6 document with attestations never
/// shares a serial number with the plain SBOM of the same inventory.
pub fn to_json_1_6(
    inventory: &Inventory,
    info: &DocumentInfo,
    extensions: &Cdx16Extensions,
) -> Result<Vec<u8>, CycloneDxError> {
    let (bytes, serial) = json_1_5(inventory, info, extensions)?;
    let lift = Lift::of(inventory, info);
    finish_json(&bytes, &serial, SCHEMA_1_6, "1.6", Some(&lift), extensions)
}

/// What lifting 1.5 JSON to 1.6 adds, per component bom-ref: the license `acknowledgement`
/// and (with the BSI profile) the component's `manufacturer` (its creator, with e-mail or
/// URL). With the profile, metadata's 1.5 `manufacture` becomes 1.6's `manufacturer`.
struct Lift {
    acknowledgements: BTreeMap<String, &'static str>,
    manufacturers: BTreeMap<String, serde_json::Value>,
    /// With the BSI profile: a declared licence is also the distribution licence, so each
    /// `license` entry is written twice, `declared` and `concluded`. (An `expression` cannot
    /// be: CycloneDX allows one expression per component; it is written `concluded`.)
    declared_and_concluded: bool,
}

impl Lift {
    fn of(inventory: &Inventory, info: &DocumentInfo) -> Lift {
        let bsi = info.profile == Some(Profile::BsiTr031832);
        let acknowledgements = license_acknowledgements(inventory);
        let refs = sbom_common::unique_refs(inventory);
        let manufacturers = if bsi {
            inventory
                .packages()
                .iter()
                .filter_map(|package| {
                    let creator = bsi::creator(package)?;
                    Some((refs[package.id.0].clone(), organizational_entity(&creator)))
                })
                .collect()
        } else {
            BTreeMap::new()
        };
        Lift {
            acknowledgements,
            manufacturers,
            declared_and_concluded: bsi,
        }
    }
}

/// A party as a CycloneDX 1.6 `organizationalEntity` (JSON): name, `url`, `contact`.
fn organizational_entity(party: &Party) -> serde_json::Value {
    let mut entity = serde_json::json!({"name": clean(&party.name)});
    if let Some(url) = &party.url {
        entity["url"] = serde_json::json!([url]);
    }
    if let Some(email) = &party.email {
        entity["contact"] = serde_json::json!([{"name": clean(&party.name), "email": email}]);
    }
    entity
}

/// 1.6 says whether a license is `declared` (by the package's authors: manifest, lockfile,
/// registry, an SBOM) or `concluded` (by analysis: detected from license text, or clarified by
/// policy). 1.5 has no such field, so it is added to each component's license when lifting:
/// this map gives it per bom-ref.
fn license_acknowledgements(inventory: &Inventory) -> BTreeMap<String, &'static str> {
    let refs = sbom_common::unique_refs(inventory);
    inventory
        .packages()
        .iter()
        .filter_map(|package| {
            let origin = package.license.as_ref()?.origin;
            let acknowledgement = match origin {
                LicenseOrigin::Detected | LicenseOrigin::Clarified => "concluded",
                LicenseOrigin::Lockfile
                | LicenseOrigin::Manifest
                | LicenseOrigin::CargoMetadata
                | LicenseOrigin::Sbom
                | LicenseOrigin::Registry => "declared",
            };
            Some((refs[package.id.0].clone(), acknowledgement))
        })
        .collect()
}

/// The 1.5 JSON of the model of `inventory` without a serial number, and the serial number
/// derived from it.
///
/// One serialisation serves both: the serial number is [`serial_number_of`] these bytes. The
/// model's `Component` is kilobytes even when mostly empty, so a million of them at once
/// cost gigabytes: the document is written with its first [`COMPONENT_CHUNK`] components, and
/// the others are written a chunk at a time and spliced into its `components` array, giving
/// the same bytes as the whole model would.
fn json_1_5(
    inventory: &Inventory,
    info: &DocumentInfo,
    extensions: &Cdx16Extensions,
) -> Result<(Vec<u8>, String), CycloneDxError> {
    json_1_5_in_chunks(inventory, info, extensions, COMPONENT_CHUNK)
}

/// [`json_1_5`] writing `chunk` components at a time.
fn json_1_5_in_chunks(
    inventory: &Inventory,
    info: &DocumentInfo,
    extensions: &Cdx16Extensions,
    chunk: usize,
) -> Result<(Vec<u8>, String), CycloneDxError> {
    let model = build_model(inventory, info, chunk)?;
    debug_assert!(model.bom.serial_number.is_none());
    let mut bytes = Vec::new();
    model.bom.output_as_json_v1_5(&mut bytes)?;
    if !model.rest.is_empty() {
        let chunks = model.rest.chunks(chunk).map(|ids| {
            ids.iter()
                .map(|id| component_of(inventory, *id, &model.refs, model.bsi))
                .collect()
        });
        bytes = append_components(&bytes, model.rest.len(), chunks)?;
    }
    let serial = serial_number_of(&bytes, extensions)?;
    Ok((bytes, serial.to_string()))
}

/// How many components are built and written at a time (see [`json_1_5`]).
const COMPONENT_CHUNK: usize = 4096;

/// `document` (1.5 JSON with a non-empty `components` array) with the components of `chunks`
/// (`count` in all) appended to that array, each as the pretty printer writes an element at
/// that depth.
fn append_components(
    document: &[u8],
    count: usize,
    chunks: impl Iterator<Item = Vec<Component>>,
) -> Result<Vec<u8>, CycloneDxError> {
    const SEPARATOR: &[u8] = b",\n    ";
    let fields: RawObject<'_> = serde_json::from_slice(document)?;
    let array = fields
        .0
        .iter()
        .find(|(key, _)| *key == "components")
        .map(|(_, value)| value.get())
        .filter(|array| array.len() > 2)
        .ok_or_else(|| {
            CycloneDxError::Lift(serde_json::Error::io(std::io::Error::other(
                "the written document has no components to append to",
            )))
        })?;
    // Just before the line that closes the array (`\n  ]`): after its last element.
    let start = array.as_ptr() as usize - document.as_ptr() as usize;
    let insert_at = start + array.rfind('\n').unwrap_or(array.len() - 1);
    let first_count = serde_json::from_str::<Vec<&RawValue>>(array)?.len().max(1);
    let per_component = array.len() / first_count + SEPARATOR.len();
    let mut out = Vec::with_capacity(document.len() + per_component * count + count / 8);
    out.extend_from_slice(&document[..insert_at]);
    for chunk in chunks {
        let mut written = Vec::new();
        Bom {
            components: Some(Components(chunk)),
            ..empty_bom()
        }
        .output_as_json_v1_5(&mut written)?;
        let fields: RawObject<'_> = serde_json::from_slice(&written)?;
        for (key, value) in fields.0 {
            if key == "components" {
                for element in serde_json::from_str::<Vec<&RawValue>>(value.get())? {
                    out.extend_from_slice(SEPARATOR);
                    out.extend_from_slice(element.get().as_bytes());
                }
            }
        }
    }
    out.extend_from_slice(&document[insert_at..]);
    Ok(out)
}

/// The document as written: `$schema` first, `specVersion` set, `serialNumber` after
/// `version`, each component license's 1.6 `acknowledgement` (when lifting to 1.6), the 1.6
/// sections appended; pretty-printed, ending in a newline.
///
/// The 1.5 JSON is not decoded into values: only the members that change are (each
/// component's `licenses`); every other member is copied as raw text, which the pretty
/// printer writes verbatim at the depth it was printed at, so the layout is unchanged.
fn finish_json(
    json_1_5: &[u8],
    serial: &str,
    schema: &str,
    spec_version: &str,
    lift: Option<&Lift>,
    extensions: &Cdx16Extensions,
) -> Result<Vec<u8>, CycloneDxError> {
    let fields: RawObject<'_> = serde_json::from_slice(json_1_5)?;
    let mut document: Vec<(&str, Node<'_>)> = vec![("$schema", Node::Value(schema.into()))];
    for (key, field) in fields.0 {
        match key {
            "$schema" | "serialNumber" => {}
            "specVersion" => document.push((key, Node::Value(spec_version.into()))),
            "version" => {
                document.push((key, Node::Raw(field)));
                document.push(("serialNumber", Node::Value(serial.into())));
            }
            "metadata" if lift.is_some() => {
                let mut metadata: RawObject<'_> = serde_json::from_str(field.get())?;
                let members = metadata
                    .0
                    .drain(..)
                    .map(|(key, value)| {
                        Ok(match key {
                            "component" => (key, acknowledged(value, lift)?),
                            // Deprecated in 1.6 in favour of `manufacturer`, same content.
                            "manufacture" => ("manufacturer", Node::Raw(value)),
                            _ => (key, Node::Raw(value)),
                        })
                    })
                    .collect::<Result<Vec<_>, CycloneDxError>>()?;
                document.push((key, Node::Object(members)));
            }
            "components" if lift.is_some() => {
                let components: Vec<&RawValue> = serde_json::from_str(field.get())?;
                let components = components
                    .into_iter()
                    .map(|component| acknowledged(component, lift))
                    .collect::<Result<Vec<_>, _>>()?;
                document.push((key, Node::Array(components)));
            }
            _ => document.push((key, Node::Raw(field))),
        }
    }
    let extra = serde_json::to_value(extensions)?;
    if let serde_json::Value::Object(extra) = &extra {
        for (key, value) in extra {
            document.push((key, Node::Value(value.clone())));
        }
    }
    // Sized up front: a document of a million components is hundreds of MB, and growing by
    // doubling would briefly hold half as much again.
    let mut bytes = Vec::with_capacity(json_1_5.len() + json_1_5.len() / 16 + 4096);
    serde_json::to_writer_pretty(&mut bytes, &Node::Object(document))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A component with `acknowledgement` added to each of its licenses and its `manufacturer`
/// (when its bom-ref has them); untouched members stay raw.
fn acknowledged<'a>(
    component: &'a RawValue,
    lift: Option<&Lift>,
) -> Result<Node<'a>, CycloneDxError> {
    let fields: RawObject<'a> = serde_json::from_str(component.get())?;
    let bom_ref = fields
        .0
        .iter()
        .find(|(key, _)| *key == "bom-ref")
        .and_then(|(_, value)| serde_json::from_str::<&str>(value.get()).ok());
    let (Some(lift), Some(bom_ref)) = (lift, bom_ref) else {
        return Ok(Node::Raw(component));
    };
    let acknowledgement = lift.acknowledgements.get(bom_ref).copied();
    let manufacturer = lift.manufacturers.get(bom_ref);
    if acknowledgement.is_none() && manufacturer.is_none() {
        return Ok(Node::Raw(component));
    }
    let mut members = Vec::with_capacity(fields.0.len() + 1);
    for (key, value) in fields.0 {
        // `manufacturer` goes where 1.6 lists it: after `bom-ref` and `type`, before `name`.
        if let Some(manufacturer) = manufacturer.filter(|_| key == "name") {
            members.push(("manufacturer", Node::Value(manufacturer.clone())));
        }
        let Some(acknowledgement) = acknowledgement.filter(|_| key == "licenses") else {
            members.push((key, Node::Raw(value)));
            continue;
        };
        let choices: Vec<serde_json::Value> = serde_json::from_str(value.get())?;
        let mut licenses = Vec::with_capacity(choices.len() * 2);
        for choice in choices {
            let kinds: &[&str] = match (lift.declared_and_concluded, acknowledgement) {
                (true, "declared") if choice.get("license").is_some() => &["declared", "concluded"],
                (true, _) => &["concluded"],
                (false, _) => &[acknowledgement],
            };
            for kind in kinds {
                let mut choice = choice.clone();
                let target = match choice.get_mut("license") {
                    Some(license) => license,
                    None => &mut choice,
                };
                if let serde_json::Value::Object(fields) = target {
                    fields.insert("acknowledgement".into(), (*kind).into());
                }
                licenses.push(choice);
            }
        }
        members.push((key, Node::Value(licenses.into())));
    }
    Ok(Node::Object(members))
}

/// A JSON object's members in document order, their values as raw text (keys are
/// CycloneDX's own: plain, unescaped).
struct RawObject<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> Deserialize<'de> for RawObject<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = RawObject<'de>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(member) = map.next_entry::<&'de str, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// A JSON document being written: raw text where nothing changes, values where something does.
enum Node<'a> {
    Raw(&'a RawValue),
    Value(serde_json::Value),
    Object(Vec<(&'a str, Node<'a>)>),
    Array(Vec<Node<'a>>),
}

impl Serialize for Node<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Raw(raw) => raw.serialize(serializer),
            Node::Value(value) => value.serialize(serializer),
            Node::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

/// The serial number: `urn:uuid:` of a UUID derived from the 1.5 JSON of the model with the
/// serial blanked (and the 1.6 extensions, when there are any).
fn serial_number(bom: &Bom, extensions: &Cdx16Extensions) -> Result<UrnUuid, CycloneDxError> {
    let mut blank = bom.clone();
    blank.serial_number = None;
    let mut content = Vec::new();
    blank.output_as_json_v1_5(&mut content)?;
    serial_number_of(&content, extensions)
}

/// [`serial_number`] of the 1.5 JSON bytes of a model without a serial number.
fn serial_number_of(
    content: &[u8],
    extensions: &Cdx16Extensions,
) -> Result<UrnUuid, CycloneDxError> {
    let uuid = if extensions.is_empty() {
        sbom_common::content_uuid(content)
    } else {
        sbom_common::content_uuid(&[content, &serde_json::to_vec(extensions)?].concat())
    };
    Ok(UrnUuid::from(uuid))
}

/// The model without a serial number.
fn build_unsigned(inventory: &Inventory, info: &DocumentInfo) -> Result<Bom, CycloneDxError> {
    Ok(build_model(inventory, info, usize::MAX)?.bom)
}

/// The model without a serial number, holding only the first `first` components (in
/// document order); the others are named in `rest`, in order.
struct Model {
    bom: Bom,
    rest: Vec<PackageId>,
    refs: Vec<String>,
    bsi: bool,
}

/// [`Model`] of an inventory.
fn build_model(
    inventory: &Inventory,
    info: &DocumentInfo,
    first: usize,
) -> Result<Model, CycloneDxError> {
    let refs = sbom_common::unique_refs(inventory);
    let dependency_sets = sbom_common::dependency_sets(inventory);
    let bsi = info.profile == Some(Profile::BsiTr031832);

    let single_root = match inventory.roots() {
        [root] => Some(*root),
        _ => None,
    };
    let synthetic_ref = synthetic_root_ref(&info.name, &refs);
    let (root_component, root_ref) = match single_root {
        Some(root) => (
            component(inventory.package(root), &refs[root.0], true, bsi),
            refs[root.0].clone(),
        ),
        None => {
            let mut root = Component::new(
                Classification::Application,
                &clean(&info.name),
                "",
                Some(synthetic_ref.clone()),
            );
            // The synthetic root has no version of its own; an empty version would be noise.
            root.version = None;
            root.description = Some(NormalizedString::new(&clean(&info.subject_description)));
            (root, synthetic_ref.clone())
        }
    };

    // Components in bom-ref order (a stable sort: equal refs keep the inventory's order).
    let mut order: Vec<PackageId> = inventory
        .packages()
        .iter()
        .map(|p| p.id)
        .filter(|id| Some(*id) != single_root)
        .collect();
    order.sort_by(|a, b| refs[a.0].cmp(&refs[b.0]));
    let rest = order.split_off(first.min(order.len()));
    let components: Vec<Component> = order
        .iter()
        .map(|id| component_of(inventory, *id, &refs, bsi))
        .collect();
    let mut root_component = root_component;
    if let Some(supplier) = &info.supplier {
        root_component.supplier = Some(organization(supplier));
    }
    if let Some(artifact) = &info.artifact {
        add_artifact(&mut root_component, artifact);
    }

    let mut dependencies: Vec<Dependency> = dependency_sets
        .iter()
        .map(|(from, tos)| Dependency {
            dependency_ref: refs[from.0].clone(),
            dependencies: sorted_refs(tos.iter().copied(), &refs),
        })
        .collect();
    if single_root.is_none() {
        dependencies.push(Dependency {
            dependency_ref: root_ref,
            dependencies: sorted_refs(inventory.subjects(), &refs),
        });
    }
    dependencies.sort_by(|a, b| a.dependency_ref.cmp(&b.dependency_ref));

    let timestamp = crate::util::rfc3339(info.timestamp);
    let timestamp =
        DateTime::try_from(timestamp.clone()).map_err(|_| CycloneDxError::Timestamp(timestamp))?;
    let mut tool = Component::new(Classification::Application, TOOL_NAME, TOOL_VERSION, None);
    tool.external_references = Some(ExternalReferences(vec![ExternalReference::new(
        ExternalReferenceType::Vcs,
        Uri::new(env!("CARGO_PKG_REPOSITORY")),
    )]));

    // With the profile, every dependency list states its completeness (BSI TR-03183-2).
    let compositions = bsi.then(|| {
        let aggregate = match bsi::completeness(inventory, info) {
            Completeness::Complete => AggregateType::Complete,
            Completeness::Incomplete => AggregateType::Incomplete,
            Completeness::Unknown => AggregateType::Unknown,
        };
        Compositions(vec![Composition {
            bom_ref: None,
            aggregate,
            assemblies: None,
            dependencies: Some(
                dependencies
                    .iter()
                    .map(|d| BomReference::new(d.dependency_ref.clone()))
                    .collect(),
            ),
            vulnerabilities: None,
            signature: None,
        }])
    });
    let authors = info
        .creator
        .as_ref()
        .filter(|creator| creator.email.is_some())
        .map(|creator| {
            vec![OrganizationalContact {
                bom_ref: None,
                name: Some(NormalizedString::new(&clean(&creator.name))),
                email: creator.email.as_deref().map(NormalizedString::new),
                phone: None,
            }]
        });

    let bom = Bom {
        metadata: Some(Metadata {
            timestamp: Some(timestamp),
            tools: Some(Tools::Object {
                services: None,
                components: Some(Components(vec![tool])),
            }),
            authors,
            component: Some(root_component),
            manufacture: info.creator.as_ref().map(organization),
            supplier: info.supplier.as_ref().map(organization),
            // The build it describes (`--target`, `--features`), when one was requested.
            properties: Some(sbom_common::build_properties(inventory))
                .filter(|properties| !properties.is_empty())
                .map(|properties| {
                    Properties(
                        properties
                            .iter()
                            .map(|(name, value)| Property::new(name, value))
                            .collect(),
                    )
                }),
            ..Metadata::default()
        }),
        components: Some(Components(components)),
        dependencies: Some(Dependencies(dependencies)),
        compositions,
        ..empty_bom()
    };
    Ok(Model {
        bom,
        rest,
        refs,
        bsi,
    })
}

/// The component of one package.
fn component_of(inventory: &Inventory, id: PackageId, refs: &[String], bsi: bool) -> Component {
    let root_like = sbom_common::is_root_like(inventory, id);
    let mut component = component(inventory.package(id), &refs[id.0], root_like, bsi);
    // A build's component records the features it is compiled with.
    if let Some(features) = sbom_common::build_features(inventory, id) {
        let mut properties = component.properties.take().map(|p| p.0).unwrap_or_default();
        properties.push(Property::new("depgate:build:features", &features));
        component.properties = Some(Properties(properties));
    }
    component
}

/// A party as the model's `OrganizationalEntity`: name, URL, e-mail contact.
fn organization(party: &Party) -> OrganizationalEntity {
    OrganizationalEntity {
        bom_ref: None,
        name: Some(NormalizedString::new(&clean(&party.name))),
        url: party.url.as_deref().map(|url| vec![Uri::new(url)]),
        contact: party.email.as_deref().map(|email| {
            vec![OrganizationalContact {
                bom_ref: None,
                name: Some(NormalizedString::new(&clean(&party.name))),
                email: Some(NormalizedString::new(email)),
                phone: None,
            }]
        }),
    }
}

/// The product's own file (`--artifact`) on its component: hashes and the BSI properties.
fn add_artifact(component: &mut Component, artifact: &Artifact) {
    let mut hashes = component.hashes.take().map(|h| h.0).unwrap_or_default();
    for (alg, value) in [
        (CdxAlgorithm::SHA_256, &artifact.sha256),
        (CdxAlgorithm::SHA_512, &artifact.sha512),
    ] {
        hashes.push(CdxHash {
            alg,
            content: HashValue(value.clone()),
        });
    }
    hashes
        .sort_by(|a, b| (a.alg.to_string(), &a.content.0).cmp(&(b.alg.to_string(), &b.content.0)));
    hashes.dedup();
    component.hashes = Some(Hashes(hashes));
    let mut properties = component.properties.take().map(|p| p.0).unwrap_or_default();
    properties.retain(|property| !property.name.starts_with(BSI_PROPERTY_PREFIX));
    properties.extend(bsi_properties(&artifact.filename, artifact.kind));
    component.properties = Some(Properties(properties));
}

/// The prefix of BSI TR-03183-2's CycloneDX property taxonomy.
pub const BSI_PROPERTY_PREFIX: &str = "bsi:component:";

/// `bsi:component:filename`, `…:executable`, `…:archive`, `…:structured`, with the values
/// BSI's taxonomy defines.
fn bsi_properties(filename: &str, kind: ArtifactKind) -> Vec<Property> {
    let flag = |yes: bool, on: &str, off: &str| if yes { on } else { off }.to_string();
    vec![
        Property::new("bsi:component:filename", &clean(filename)),
        Property::new(
            "bsi:component:executable",
            &flag(kind.executable, "executable", "non-executable"),
        ),
        Property::new(
            "bsi:component:archive",
            &flag(kind.archive, "archive", "no archive"),
        ),
        Property::new(
            "bsi:component:structured",
            &flag(kind.structured, "structured", "unstructured"),
        ),
    ]
}

/// A `Bom` with every section empty. (`Bom::default()` draws a random serial number.)
fn empty_bom() -> Bom {
    Bom {
        version: 1,
        serial_number: None,
        metadata: None,
        components: None,
        services: None,
        external_references: None,
        dependencies: None,
        compositions: None,
        properties: None,
        vulnerabilities: None,
        signature: None,
        annotations: None,
        formulation: None,
        spec_version: SpecVersion::V1_5,
    }
}

/// The synthetic root's bom-ref, kept clear of every package's reference.
fn synthetic_root_ref(name: &str, refs: &[String]) -> String {
    let base = format!("depgate:root:{}", clean(name));
    let mut candidate = base.clone();
    let mut counter = 1;
    while refs.contains(&candidate) {
        counter += 1;
        candidate = format!("{base}|{counter}");
    }
    candidate
}

fn sorted_refs(ids: impl IntoIterator<Item = PackageId>, refs: &[String]) -> Vec<String> {
    ids.into_iter()
        .map(|id| refs[id.0].clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// One package as a component; with the BSI profile, with its artefact's properties.
fn component(package: &Package, bom_ref: &str, root_like: bool, bsi: bool) -> Component {
    let classification = if root_like {
        Classification::Application
    } else {
        Classification::Library
    };
    let mut component = Component::new(
        classification,
        &clean(&package.name),
        &clean(&package.version),
        Some(bom_ref.to_string()),
    );
    if package.version.is_empty() {
        component.version = None;
    }
    // A root is the project itself: it is neither required nor excluded by anything.
    if !root_like {
        component.scope = Some(match package.scope {
            Scope::Runtime => CdxScope::Required,
            Scope::Optional => CdxScope::Optional,
            Scope::Dev | Scope::Build => CdxScope::Excluded,
        });
    }
    // Ingest builds purls with the packageurl crate; `Purl`'s `FromStr` only wraps the text.
    component.purl = package
        .purl
        .as_deref()
        .and_then(|purl| purl.parse::<Purl>().ok());
    component.description = package
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| NormalizedString::new(&clean(d)));
    component.hashes = hashes(package);
    let mut properties = Vec::new();
    if let Some(declared) = package.license_expression().and_then(classify_license) {
        if declared.is_normalised() {
            properties.push(Property::new(
                DECLARED_LICENSE_PROPERTY,
                &clean(&declared.declared),
            ));
        }
        component.licenses = Some(Licenses(vec![match declared.form {
            LicenseForm::Id(id) if IDS_NEWER_THAN_SCHEMA.contains(&id.as_str()) => {
                LicenseChoice::Expression(SpdxExpression::new(&id))
            }
            LicenseForm::Id(id) => LicenseChoice::License(License::license_id(&id)),
            LicenseForm::Expression(expression) => {
                LicenseChoice::Expression(SpdxExpression::new(&expression))
            }
            LicenseForm::Named(name) => {
                LicenseChoice::License(License::named_license(&clean(&name)))
            }
        }]));
    }
    if bsi {
        let facts = bsi::component_facts(package);
        if let (Some(filename), Some(kind)) = (&facts.filename, facts.kind) {
            properties.extend(bsi_properties(filename, kind));
        }
    }
    if !properties.is_empty() {
        component.properties = Some(Properties(properties));
    }
    component.external_references = external_references(package);
    component
}

fn hashes(package: &Package) -> Option<Hashes> {
    let mut hashes: Vec<CdxHash> = package
        .hashes
        .iter()
        .filter(|hash| sbom_common::is_valid_hash(hash.algorithm, &hash.value))
        .map(|hash| CdxHash {
            alg: match hash.algorithm {
                HashAlgorithm::Md5 => CdxAlgorithm::MD5,
                HashAlgorithm::Sha1 => CdxAlgorithm::SHA1,
                HashAlgorithm::Sha256 => CdxAlgorithm::SHA_256,
                HashAlgorithm::Sha384 => CdxAlgorithm::SHA_384,
                HashAlgorithm::Sha512 => CdxAlgorithm::SHA_512,
            },
            content: HashValue(hash.value.to_ascii_lowercase()),
        })
        .collect();
    hashes
        .sort_by(|a, b| (a.alg.to_string(), &a.content.0).cmp(&(b.alg.to_string(), &b.content.0)));
    hashes.dedup();
    (!hashes.is_empty()).then_some(Hashes(hashes))
}

/// `vcs` for the repository (and a git source), `website` for the homepage, `distribution`
/// for a registry. Only absolute URLs are written (the schemas require IRI references, and a
/// relative one would mean nothing to a reader of the SBOM).
fn external_references(package: &Package) -> Option<ExternalReferences> {
    let mut references: BTreeSet<(String, String)> = BTreeSet::new();
    let mut add = |kind: &str, url: &str| {
        if let Some(url) = sbom_common::absolute_url(url) {
            references.insert((kind.to_string(), url.to_string()));
        }
    };
    if let Some(repository) = &package.repository {
        add("vcs", repository);
    }
    if let Some(homepage) = &package.homepage {
        add("website", homepage);
    }
    match &package.source {
        Source::Registry { url, .. } => add("distribution", url),
        Source::Git { url, .. } => add("vcs", url),
        Source::Path { .. } | Source::Unknown => {}
    }
    let references: Vec<ExternalReference> = references
        .into_iter()
        .map(|(kind, url)| {
            ExternalReference::new(ExternalReferenceType::new_unchecked(&kind), Uri::new(&url))
        })
        .collect();
    (!references.is_empty()).then_some(ExternalReferences(references))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{DepKind, Ecosystem, Edge, Location, PackageKind};

    /// A root depending on `count` packages, added in the reverse of their bom-ref order.
    fn inventory(count: usize) -> Inventory {
        let mut inventory = Inventory::new();
        let location = Location {
            file: "Cargo.lock".into(),
            line: Some(1),
        };
        let mut root = Package::new(Ecosystem::Cargo, "app", "0.1.0", location.clone());
        root.kind = PackageKind::Root;
        let root = inventory.add_package(root);
        inventory.add_root(root);
        for index in (0..count).rev() {
            let name = format!("crate-{index}");
            let mut package = Package::new(Ecosystem::Cargo, &name, "1.0.0", location.clone());
            package.purl = Some(format!("pkg:cargo/{name}@1.0.0"));
            package.description = Some(format!("the \"{name}\" crate\nsecond line"));
            let id = inventory.add_package(package);
            inventory.add_edge(Edge {
                from: root,
                to: id,
                kind: DepKind::Normal,
                optional: false,
            });
        }
        inventory.finish();
        inventory
    }

    #[test]
    fn components_written_in_chunks_give_the_bytes_of_the_whole_model() {
        let inventory = inventory(7);
        let info = DocumentInfo::new("app", time::OffsetDateTime::UNIX_EPOCH);
        let mut whole = Vec::new();
        build_unsigned(&inventory, &info)
            .unwrap()
            .output_as_json_v1_5(&mut whole)
            .unwrap();
        let whole = String::from_utf8(whole).unwrap();
        assert!(whole.contains("crate-6"), "{whole}");
        for chunk in [1, 2, 3, 6, 7, 100] {
            let (bytes, _) =
                json_1_5_in_chunks(&inventory, &info, &Cdx16Extensions::default(), chunk).unwrap();
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                whole,
                "chunks of {chunk}"
            );
        }
    }
}
