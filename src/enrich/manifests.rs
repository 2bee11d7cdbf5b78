//! Facts the policy needs from files beside the lockfile: the version requirements that
//! workspace members' `Cargo.toml` files declare (for the wildcard rule), and the SHA-256 of
//! license files that clarifications are pinned to.
//!
//! In: an `Inventory` whose Cargo roots know their directory (`local_dir`), and the files
//! the policy's clarifications pin. Out: `Inventory::declared_requirements` and
//! `Inventory::file_hashes` filled, and a gap when a manifest cannot be read.

use std::path::Path;

use toml::de::{DeTable, DeValue};

use crate::inventory::{
    DeclaredRequirement, Ecosystem, Inventory, Location, PackageKind, PackageSelector,
};

/// Reads the dependency tables of every Cargo root's manifest into
/// `inventory.declared_requirements`. A manifest that cannot be read becomes a gap.
pub fn read_declared_requirements(inventory: &mut Inventory) {
    let roots: Vec<_> = inventory
        .packages()
        .iter()
        .filter(|p| p.kind == PackageKind::Root && p.ecosystem == Ecosystem::Cargo)
        .map(|p| (p.id, manifest_of(p)))
        .collect();
    let mut unknown = 0;
    // Several roots can resolve to one manifest (lockfile-only workspaces whose member
    // manifests are absent point at the workspace root): read and attribute it once.
    let mut seen = std::collections::BTreeSet::new();
    for (id, manifest) in roots {
        let Some(manifest) = manifest else {
            unknown += 1;
            continue;
        };
        if !seen.insert(manifest.clone()) {
            continue;
        }
        let Ok(text) = crate::util::read_input_text(&manifest) else {
            unknown += 1;
            continue;
        };
        let requirements = requirements_in(&text, &manifest);
        if requirements.is_none() {
            inventory.add_gap(
                "manifest-unreadable",
                format!(
                    "`{}` is not valid TOML; its requirements were not checked for wildcards",
                    manifest.display()
                ),
                1,
            );
        }
        for (name, requirement, table, line) in requirements.unwrap_or_default() {
            inventory.declared_requirements.push(DeclaredRequirement {
                from: id,
                name,
                requirement,
                table,
                location: Location {
                    file: manifest.clone(),
                    line: Some(line),
                },
            });
        }
    }
    if unknown > 0 {
        inventory.add_gap(
            "manifest-unknown",
            "the manifests of some workspace members were not found; their requirements were not checked for wildcards".to_string(),
            unknown,
        );
    }
}

/// Where a root's `Cargo.toml` is: its source directory, the manifest it was found in, or its
/// path source relative to the lockfile it was found in.
fn manifest_of(package: &crate::inventory::Package) -> Option<std::path::PathBuf> {
    if let Some(dir) = &package.local_dir {
        return Some(dir.join("Cargo.toml"));
    }
    if package
        .location
        .file
        .file_name()
        .is_some_and(|n| n == "Cargo.toml")
    {
        return Some(package.location.file.clone());
    }
    if let crate::inventory::Source::Path { path } = &package.source {
        let base = package.location.file.parent()?;
        let manifest = base.join(path).join("Cargo.toml");
        return manifest.is_file().then_some(manifest);
    }
    None
}

/// `(name, requirement, table, line)` for every dependency declared in a manifest.
pub fn requirements_in(text: &str, path: &Path) -> Option<Vec<(String, String, String, u32)>> {
    let _ = path;
    let document = DeTable::parse(text).ok()?.into_inner();
    let lines = crate::vocabulary::LineIndex::new(text);
    let mut found = Vec::new();
    let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
    let visit = |table: &DeTable<'_>, label: &str, found: &mut Vec<_>| {
        for (name, value) in table {
            let requirement = match value.get_ref() {
                DeValue::String(s) => Some((s.to_string(), value.span())),
                DeValue::Table(t) => t
                    .iter()
                    .find(|(k, _)| k.get_ref() == "version")
                    .and_then(|(_, v)| v.get_ref().as_str().map(|s| (s.to_string(), v.span()))),
                _ => None,
            };
            if let Some((requirement, span)) = requirement {
                let (line, _) = lines.line_column(span.start);
                found.push((
                    name.get_ref().to_string(),
                    requirement,
                    label.to_string(),
                    line,
                ));
            }
        }
    };
    fn get<'i>(table: &DeTable<'i>, key: &str) -> Option<DeTable<'i>> {
        table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .and_then(|(_, v)| v.get_ref().as_table().cloned())
    }
    for label in tables {
        if let Some(table) = get(&document, label) {
            visit(&table, label, &mut found);
        }
    }
    if let Some(workspace) = get(&document, "workspace")
        && let Some(table) = get(&workspace, "dependencies")
    {
        visit(&table, "workspace.dependencies", &mut found);
    }
    if let Some(targets) = get(&document, "target") {
        for (target, value) in &targets {
            if let Some(target_table) = value.get_ref().as_table() {
                for label in tables {
                    if let Some(table) = get(target_table, label) {
                        visit(
                            &table,
                            &format!("target.{}.{label}", target.get_ref()),
                            &mut found,
                        );
                    }
                }
            }
        }
    }
    Some(found)
}

/// Hashes the license files that clarifications pin (`(selector, path relative to the
/// package's sources)` pairs), for every package a selector matches.
pub fn hash_pinned_files(inventory: &mut Inventory, pins: &[(&PackageSelector, &Path)]) {
    let mut hashes = Vec::new();
    for package in inventory.packages() {
        let Some(dir) = &package.local_dir else {
            continue;
        };
        for (selector, relative) in pins {
            if !selector.matches(package) {
                continue;
            }
            let path = dir.join(relative);
            if let Ok(bytes) = crate::util::read_input(&path) {
                hashes.push((path, crate::util::sha256_hex(&bytes)));
            }
        }
    }
    inventory.file_hashes.extend(hashes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_wildcards_in_every_table_with_lines() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\nserde = \"*\"\nlog = { version = \"0.4\" }\n\n[target.'cfg(unix)'.dev-dependencies]\nlibc = { version = \"*\" }\n";
        let found = requirements_in(text, Path::new("Cargo.toml")).unwrap();
        assert!(found.contains(&("serde".into(), "*".into(), "dependencies".into(), 5)));
        assert!(found.contains(&("log".into(), "0.4".into(), "dependencies".into(), 6)));
        assert!(found.contains(&(
            "libc".into(),
            "*".into(),
            "target.cfg(unix).dev-dependencies".into(),
            9
        )));
    }
}
