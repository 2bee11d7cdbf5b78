//! Direct dependencies from the manifest beside a flat lockfile (stage 1, ingest).
//!
//! In: the path of a `poetry.lock`, `Pipfile.lock` or `composer.lock`, and the inventory parsed
//! from it. Out: edges from the project root to the packages its manifest (`pyproject.toml`,
//! `Pipfile`, `composer.json`) requires, as normal, optional or dev edges, so "direct" and
//! "why is this here" work. These lockfiles do not record the root's requirements themselves.
//! A manifest that is missing changes nothing; one that cannot be read is reported as a gap
//! (the lockfile alone still gives the full package list).

use std::collections::BTreeMap;
use std::path::Path;

use super::support::pep503;
use crate::inventory::{DepKind, Edge, Inventory, PackageId, PackageKind};

/// A requirement of the root: (name as written, edge kind, optional).
type Direct = (String, DepKind, bool);

/// The manifest at `manifest`, parsed by `parse` (which says why it failed). Nothing there is
/// common and gives `None` quietly; something there that cannot be read (a FIFO, a device, a
/// dangling link, invalid UTF-8) or parsed is a gap that says why.
fn read_manifest<T>(
    inventory: &mut Inventory,
    manifest: &Path,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Option<T> {
    std::fs::symlink_metadata(manifest).ok()?;
    let parsed = crate::util::read_input_text(manifest)
        .map_err(|error| crate::util::error_chain(&error))
        .and_then(|text| parse(&text));
    match parsed {
        Ok(value) => Some(value),
        Err(why) => {
            unreadable(inventory, manifest, &why);
            None
        }
    }
}

/// A TOML manifest as a table, through [`read_manifest`].
fn read_toml_manifest(inventory: &mut Inventory, manifest: &Path) -> Option<toml::Table> {
    read_manifest(inventory, manifest, |text| {
        toml::from_str(text).map_err(|error| error.message().to_string())
    })
}

fn unreadable(inventory: &mut Inventory, manifest: &Path, why: &str) {
    inventory.add_gap(
        "manifest-unreadable",
        format!(
            "`{}` could not be read ({why}); direct dependencies are unknown, the lockfile's packages are still listed",
            manifest.display()
        ),
        0,
    );
}

/// Adds root edges for `direct`, matching names through `normalise`.
fn link(inventory: &mut Inventory, direct: &[Direct], normalise: fn(&str) -> String) {
    let Some(root) = inventory.roots().first().copied() else {
        return;
    };
    let mut by_name: BTreeMap<String, Vec<PackageId>> = BTreeMap::new();
    for package in inventory.packages() {
        if package.kind != PackageKind::Root {
            by_name
                .entry(normalise(&package.name))
                .or_default()
                .push(package.id);
        }
    }
    for (name, kind, optional) in direct {
        for to in by_name.get(&normalise(name)).into_iter().flatten() {
            inventory.add_edge(Edge {
                from: root,
                to: *to,
                kind: *kind,
                optional: *optional,
            });
        }
    }
}

/// The name at the start of a PEP 508 requirement string (`requests[socks] (>=2) ; ...`).
fn pep508_name(requirement: &str) -> String {
    requirement
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// Root edges for a `poetry.lock` from the `pyproject.toml` beside it: PEP 621
/// `[project] dependencies` / `optional-dependencies`, and Poetry's `[tool.poetry.dependencies]`,
/// `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.<name>.dependencies]` (dev).
pub(crate) fn poetry_roots(path: &Path, inventory: &mut Inventory) {
    let Some(table) = read_toml_manifest(inventory, &path.with_file_name("pyproject.toml")) else {
        return;
    };
    let mut direct: Vec<Direct> = Vec::new();
    let project = table.get("project");
    for requirement in project
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
    {
        direct.push((pep508_name(requirement), DepKind::Normal, false));
    }
    for requirement in project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(|d| d.as_table())
        .into_iter()
        .flat_map(|extras| extras.values())
        .filter_map(|list| list.as_array())
        .flatten()
        .filter_map(|r| r.as_str())
    {
        direct.push((pep508_name(requirement), DepKind::Normal, true));
    }
    let poetry = table.get("tool").and_then(|t| t.get("poetry"));
    let keys = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(|v| v.as_table())
            .map(|t| t.keys().filter(|k| *k != "python").cloned().collect())
            .unwrap_or_default()
    };
    for name in keys(poetry.and_then(|p| p.get("dependencies"))) {
        direct.push((name, DepKind::Normal, false));
    }
    for name in keys(poetry.and_then(|p| p.get("dev-dependencies"))) {
        direct.push((name, DepKind::Dev, false));
    }
    if let Some(groups) = poetry
        .and_then(|p| p.get("group"))
        .and_then(|g| g.as_table())
    {
        for (group, body) in groups {
            // The `main` group is the runtime dependencies under another name.
            let kind = if group == "main" {
                DepKind::Normal
            } else {
                DepKind::Dev
            };
            for name in keys(body.get("dependencies")) {
                direct.push((name, kind, false));
            }
        }
    }
    link(inventory, &direct, pep503);
}

/// Root edges for a `Pipfile.lock` from the `Pipfile` beside it: `[packages]` and
/// `[dev-packages]` (dev).
pub(crate) fn pipfile_roots(path: &Path, inventory: &mut Inventory) {
    let Some(table) = read_toml_manifest(inventory, &path.with_file_name("Pipfile")) else {
        return;
    };
    let mut direct: Vec<Direct> = Vec::new();
    for (section, kind) in [
        ("packages", DepKind::Normal),
        ("dev-packages", DepKind::Dev),
    ] {
        if let Some(packages) = table.get(section).and_then(|s| s.as_table()) {
            direct.extend(packages.keys().map(|name| (name.clone(), kind, false)));
        }
    }
    link(inventory, &direct, pep503);
}

/// Root edges for a `composer.lock` from the `composer.json` beside it: `require` and
/// `require-dev` (dev); platform requirements (`php`, `ext-*`) are not packages.
pub(crate) fn composer_roots(path: &Path, inventory: &mut Inventory) {
    let manifest = path.with_file_name("composer.json");
    let parse = |text: &str| serde_json::from_str(text).map_err(|error| error.to_string());
    let Some(json) = read_manifest::<serde_json::Value>(inventory, &manifest, parse) else {
        return;
    };
    let mut direct: Vec<Direct> = Vec::new();
    for (section, kind) in [("require", DepKind::Normal), ("require-dev", DepKind::Dev)] {
        if let Some(requires) = json.get(section).and_then(|s| s.as_object()) {
            direct.extend(
                requires
                    .keys()
                    .filter(|name| name.contains('/'))
                    .map(|name| (name.clone(), kind, false)),
            );
        }
    }
    link(inventory, &direct, |name| name.to_ascii_lowercase());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep508_names() {
        assert_eq!(
            pep508_name("cachecontrol[filecache] (>=0.14.0)"),
            "cachecontrol"
        );
        assert_eq!(pep508_name("poetry-core @ git+https://x"), "poetry-core");
        assert_eq!(pep508_name("tomli>=2 ; python_version < '3.11'"), "tomli");
    }
}
