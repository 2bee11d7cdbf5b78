//! Drift: what changed between the attested state and the current one.
//!
//! In: the attested CycloneDX document and a current one — either a plain CycloneDX SBOM of
//! the current inventory, or (better) an unsigned attestation built from the current state
//! with [`super::build_attestation`], which also carries the policy digest, input digests,
//! database revisions and findings. Out: a [`Drift`]: components added, removed and changed
//! (by purl without version, else by name), policy digest change, input file changes,
//! advisory database changes, and violations that are new since the attestation.
//!
//! Facts the current document does not carry (e.g. no policy digest in a plain SBOM) are not
//! compared and never reported as drift.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::document::property;
use super::verify::properties;

/// A component, as drift reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentId {
    /// Name (with the group, `group/name`, when the component has one).
    pub name: String,
    /// Version.
    pub version: String,
    /// Package URL, when the component has one.
    pub purl: Option<String>,
}

/// A component whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentChange {
    /// Name (with the group, when any).
    pub name: String,
    /// The attested version.
    pub from: String,
    /// The current version.
    pub to: String,
    /// The current purl, when any.
    pub purl: Option<String>,
}

/// A value that differs between the attestation and now (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ValueChange {
    /// What changed: a path, a database name, or `policy`.
    pub subject: String,
    /// The attested value.
    pub attested: Option<String>,
    /// The current value.
    pub current: Option<String>,
}

/// A violation present now that the attestation did not record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NewViolation {
    /// The finding's stable fingerprint.
    pub fingerprint: String,
    /// The rule.
    pub rule: String,
    /// The finding's code (e.g. `advisory-vulnerable`).
    pub code: String,
    /// Its message.
    pub message: String,
}

/// Everything that differs between the attested state and the current one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Components present now but not attested.
    pub added: Vec<ComponentId>,
    /// Attested components no longer present.
    pub removed: Vec<ComponentId>,
    /// Components whose version changed.
    pub changed: Vec<ComponentChange>,
    /// The policy digest, when both sides record one and they differ.
    pub policy: Option<ValueChange>,
    /// Input files whose digest changed, or that appeared or disappeared (when the current
    /// document records inputs).
    pub inputs: Vec<ValueChange>,
    /// Advisory databases whose revision changed (a newer database may know new advisories).
    pub databases: Vec<ValueChange>,
    /// Unwaived findings present now that the attestation did not record.
    pub new_violations: Vec<NewViolation>,
}

impl Drift {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self == &Drift::default()
    }

    /// True when the dependency set itself changed.
    pub fn inventory_changed(&self) -> bool {
        !(self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty())
    }
}

/// Every component, nested ones included (CycloneDX allows `components` inside components).
pub fn flatten_components(components: &[Value]) -> Vec<&Value> {
    let mut all = Vec::new();
    let mut stack: Vec<&Value> = components.iter().rev().collect();
    while let Some(component) = stack.pop() {
        all.push(component);
        if let Some(children) = component.get("components").and_then(Value::as_array) {
            stack.extend(children.iter().rev());
        }
    }
    all
}

/// A purl without its version, qualifiers and subpath: the package's identity.
fn purl_identity(purl: &str) -> String {
    let without_subpath = purl.split('#').next().unwrap_or(purl);
    let without_qualifiers = without_subpath.split('?').next().unwrap_or(without_subpath);
    // The version follows the last `@` after the last `/` (an npm scope's `@` is `%40`).
    let name_start = without_qualifiers.rfind('/').map_or(0, |i| i + 1);
    match without_qualifiers[name_start..].rfind('@') {
        Some(at) => without_qualifiers[..name_start + at].to_string(),
        None => without_qualifiers.to_string(),
    }
}

fn component_id(component: &Value) -> Option<(String, ComponentId)> {
    let text = |field: &str| component.get(field).and_then(Value::as_str);
    let name = text("name")?;
    let name = match text("group") {
        Some(group) if !group.is_empty() => format!("{group}/{name}"),
        _ => name.to_string(),
    };
    let purl = text("purl").map(str::to_string);
    let key = match &purl {
        Some(purl) => purl_identity(purl),
        None => format!("name:{name}"),
    };
    Some((
        key,
        ComponentId {
            name,
            version: text("version").unwrap_or("").to_string(),
            purl,
        },
    ))
}

fn components_by_identity(document: &Value) -> BTreeMap<String, BTreeMap<String, ComponentId>> {
    let components = document
        .get("components")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let mut by_identity: BTreeMap<String, BTreeMap<String, ComponentId>> = BTreeMap::new();
    for component in flatten_components(components) {
        if let Some((key, id)) = component_id(component) {
            by_identity
                .entry(key)
                .or_default()
                .insert(id.version.clone(), id);
        }
    }
    by_identity
}

fn property_map(document: &Value) -> BTreeMap<String, String> {
    properties(document).into_iter().collect()
}

/// Unwaived error and warning findings recorded in the `depgate:findings` evidence, by
/// fingerprint.
pub fn recorded_violations(document: &Value) -> BTreeMap<String, NewViolation> {
    let mut violations = BTreeMap::new();
    let evidence = document
        .pointer("/declarations/evidence")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for item in evidence {
        if item.get("propertyName").and_then(Value::as_str) != Some("depgate:findings") {
            continue;
        }
        let Some(content) = item
            .pointer("/data/0/contents/attachment/content")
            .and_then(Value::as_str)
        else {
            continue;
        };
        let Ok(Value::Array(records)) = serde_json::from_str::<Value>(content) else {
            continue;
        };
        for record in records {
            let text = |field: &str| record.get(field).and_then(Value::as_str).unwrap_or("");
            let waived = record.get("waiver").is_some_and(|w| !w.is_null());
            let gating = matches!(text("severity"), "error" | "warning");
            if waived || !gating {
                continue;
            }
            let fingerprint = text("fingerprint").to_string();
            violations.insert(
                fingerprint.clone(),
                NewViolation {
                    fingerprint,
                    rule: text("rule").to_string(),
                    code: text("code").to_string(),
                    message: text("message").to_string(),
                },
            );
        }
    }
    violations
}

/// The identity view of an inventory that [`compare`] needs: every non-root package as a
/// component (`name`, `version`, `purl`) and the input files' digests as `depgate:input:*`
/// properties. Not an SBOM: when the CycloneDX writer's document (or a fresh attestation) of
/// the current state is at hand, compare against that instead.
pub fn inventory_document(inventory: &crate::inventory::Inventory) -> Value {
    let mut components: Vec<Value> = inventory
        .packages()
        .iter()
        .filter(|package| package.kind != crate::inventory::PackageKind::Root)
        .map(|package| {
            let mut component = serde_json::json!({
                "type": "library",
                "bom-ref": package.bom_ref(),
                "name": package.name,
                "version": package.version,
            });
            if let Some(purl) = &package.purl {
                component["purl"] = Value::String(purl.clone());
            }
            component
        })
        .collect();
    components.sort_by_key(|c| c.to_string());
    let properties: Vec<Value> = inventory
        .inputs
        .iter()
        .map(|file| {
            serde_json::json!({
                "name": format!("{}{}", property::INPUT_PREFIX, file.path.display()),
                "value": format!("sha256:{}", file.sha256),
            })
        })
        .collect();
    serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": super::document::SPEC_VERSION,
        "metadata": { "properties": properties },
        "components": components,
    })
}

/// Compares the attested document with the current one.
pub fn compare(attested: &Value, current: &Value) -> Drift {
    let mut drift = Drift::default();

    let before = components_by_identity(attested);
    let after = components_by_identity(current);
    let identities: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for identity in identities {
        let old = before.get(identity);
        let new = after.get(identity);
        let old_only: Vec<&ComponentId> = old
            .map(|o| {
                o.values()
                    .filter(|c| new.is_none_or(|n| !n.contains_key(&c.version)))
                    .collect()
            })
            .unwrap_or_default();
        let new_only: Vec<&ComponentId> = new
            .map(|n| {
                n.values()
                    .filter(|c| old.is_none_or(|o| !o.contains_key(&c.version)))
                    .collect()
            })
            .unwrap_or_default();
        // One version replaced by another is an upgrade or downgrade; anything else (a second
        // version appearing, say) is reported as additions and removals.
        if let ([from], [to]) = (old_only.as_slice(), new_only.as_slice()) {
            drift.changed.push(ComponentChange {
                name: to.name.clone(),
                from: from.version.clone(),
                to: to.version.clone(),
                purl: to.purl.clone(),
            });
        } else {
            drift.removed.extend(old_only.into_iter().cloned());
            drift.added.extend(new_only.into_iter().cloned());
        }
    }

    let old_properties = property_map(attested);
    let new_properties = property_map(current);
    if let (Some(old), Some(new)) = (
        old_properties.get(property::POLICY_SHA256),
        new_properties.get(property::POLICY_SHA256),
    ) && old != new
    {
        drift.policy = Some(ValueChange {
            subject: "policy".to_string(),
            attested: Some(old.clone()),
            current: Some(new.clone()),
        });
    }

    let prefixed = |map: &BTreeMap<String, String>, prefix: &str, suffix: &str| {
        map.iter()
            .filter_map(|(name, value)| {
                let rest = name.strip_prefix(prefix)?;
                let subject = if suffix.is_empty() {
                    rest
                } else {
                    rest.strip_suffix(suffix)?
                };
                Some((subject.to_string(), value.clone()))
            })
            .collect::<BTreeMap<String, String>>()
    };
    let diff = |old: BTreeMap<String, String>, new: BTreeMap<String, String>| {
        let mut changes = Vec::new();
        // Only compare when the current document records this kind of fact at all.
        if new.is_empty() {
            return changes;
        }
        let subjects: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for subject in subjects {
            let (a, b) = (old.get(subject), new.get(subject));
            if a != b {
                changes.push(ValueChange {
                    subject: subject.clone(),
                    attested: a.cloned(),
                    current: b.cloned(),
                });
            }
        }
        changes
    };
    drift.inputs = diff(
        prefixed(&old_properties, property::INPUT_PREFIX, ""),
        prefixed(&new_properties, property::INPUT_PREFIX, ""),
    );
    drift.databases = diff(
        prefixed(&old_properties, property::DATABASE_PREFIX, ":revision"),
        prefixed(&new_properties, property::DATABASE_PREFIX, ":revision"),
    );

    let known = recorded_violations(attested);
    drift.new_violations = recorded_violations(current)
        .into_iter()
        .filter(|(fingerprint, _)| !known.contains_key(fingerprint))
        .map(|(_, violation)| violation)
        .collect();
    drift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Ecosystem, InputFile, Inventory, Location, Package, PackageKind};

    fn inventory(packages: &[(&str, &str)], lockfile_sha: &str) -> Inventory {
        let mut inventory = Inventory::new();
        let location = Location {
            file: "Cargo.lock".into(),
            line: None,
        };
        let mut root = Package::new(Ecosystem::Cargo, "app", "0.1.0", location.clone());
        root.kind = PackageKind::Root;
        let root = inventory.add_package(root);
        inventory.add_root(root);
        for (name, version) in packages {
            let mut package = Package::new(Ecosystem::Cargo, *name, *version, location.clone());
            package.purl = Some(format!("pkg:cargo/{name}@{version}"));
            inventory.add_package(package);
        }
        inventory.inputs.push(InputFile {
            path: "Cargo.lock".into(),
            sha256: lockfile_sha.to_string(),
            format: "Cargo.lock v4".to_string(),
        });
        inventory
    }

    #[test]
    fn inventory_documents_compare_by_identity_and_input_digest() {
        let before = inventory_document(&inventory(&[("serde", "1.0.0"), ("log", "0.4.0")], "aa"));
        let same = inventory_document(&inventory(&[("log", "0.4.0"), ("serde", "1.0.0")], "aa"));
        assert!(compare(&before, &same).is_empty());

        let after = inventory_document(&inventory(&[("serde", "1.0.1"), ("rand", "0.9.0")], "bb"));
        let drift = compare(&before, &after);
        assert_eq!(drift.changed.len(), 1);
        assert_eq!(
            (drift.changed[0].from.as_str(), drift.changed[0].to.as_str()),
            ("1.0.0", "1.0.1")
        );
        assert_eq!(drift.added[0].name, "rand");
        assert_eq!(drift.removed[0].name, "log");
        assert_eq!(drift.inputs[0].subject, "Cargo.lock");
        assert_eq!(drift.inputs[0].current.as_deref(), Some("sha256:bb"));
        // The root project is not a component.
        assert!(!before.to_string().contains("\"app\""));
    }

    #[test]
    fn a_second_version_appearing_is_an_addition_not_a_change() {
        let before = inventory_document(&inventory(&[("serde", "1.0.0")], "aa"));
        let after = inventory_document(&inventory(&[("serde", "1.0.0"), ("serde", "2.0.0")], "aa"));
        let drift = compare(&before, &after);
        assert!(drift.changed.is_empty());
        assert_eq!(drift.added.len(), 1);
        assert_eq!(drift.added[0].version, "2.0.0");
    }

    #[test]
    fn purl_identity_drops_version_qualifiers_and_subpath() {
        assert_eq!(purl_identity("pkg:cargo/serde@1.0.0"), "pkg:cargo/serde");
        assert_eq!(
            purl_identity("pkg:npm/%40babel/core@7.0.0?foo=bar#lib"),
            "pkg:npm/%40babel/core"
        );
        assert_eq!(
            purl_identity("pkg:golang/github.com/a/b"),
            "pkg:golang/github.com/a/b"
        );
    }
}
