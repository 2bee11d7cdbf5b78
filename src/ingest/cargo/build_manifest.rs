//! What a `Cargo.toml` says that decides a build: its `[features]`, whether it is a
//! proc-macro, and every dependency with its platform, kind, rename, `optional`,
//! `default-features` and `features`.
//!
//! In: a parsed manifest (the borrowed `toml` document the fact reader already made) and the
//! workspace's `[workspace]` table for inheritance. Out: [`BuildManifest`], read by the
//! resolver (`resolve.rs`). Only read when a build is requested (`--target`, `--features`).

use std::collections::BTreeMap;

use super::manifests::{DEPENDENCY_TABLES, Table, Value, field};
use crate::inventory::DepKind;

/// Where a dependency comes from, to tell two same-named lockfile entries apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum DeclaredSource {
    /// A registry (the default).
    Registry,
    /// `git = "…"`.
    Git,
    /// `path = "…"`.
    Path,
}

/// One dependency declaration, as the feature resolver needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct BuildDependency {
    /// The key in the manifest (`name_in_toml`): what `dep:x` and `x/feature` refer to.
    pub name: String,
    /// The real package name (`package = "…"` renames).
    pub package: String,
    /// Normal, build or dev.
    pub kind: DepKind,
    /// The `[target.X]` key it sits under: `cfg(…)` or a triple; `None` for every platform.
    pub platform: Option<String>,
    /// Enabled only by a feature.
    pub optional: bool,
    /// Whether the dependency's `default` feature is enabled.
    pub default_features: bool,
    /// Features enabled on the dependency.
    pub features: Vec<String>,
    /// The version requirement, to pick between two locked versions.
    pub requirement: Option<String>,
    /// Registry, git or path.
    pub source: DeclaredSource,
}

/// The build-relevant part of a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct BuildManifest {
    /// `[features]`, as written.
    pub features: BTreeMap<String, Vec<String>>,
    /// The `[features]` table as TOML text, when it was set aside unparsed (registry crates):
    /// the resolver parses it only for the crates it reaches (see [`Self::feature_table`]).
    pub unparsed_features: Option<String>,
    /// `[lib] proc-macro = true`: compiled for the host.
    pub proc_macro: bool,
    /// Every dependency of every kind and platform.
    pub dependencies: Vec<BuildDependency>,
}

impl BuildManifest {
    /// `[features]`, parsing the set-aside text when there is one (a text that does not parse
    /// gives no features: the whole manifest parsed, so this does not happen in practice).
    pub(crate) fn feature_table(&self) -> BTreeMap<String, Vec<String>> {
        let Some(text) = &self.unparsed_features else {
            return self.features.clone();
        };
        let Ok(table) = Table::parse(text) else {
            return self.features.clone();
        };
        features_of(table.get_ref())
    }
}

/// The `[features]` table of a parsed manifest.
fn features_of(table: &Table<'_>) -> BTreeMap<String, Vec<String>> {
    field(table, "features")
        .and_then(Value::as_table)
        .map(|features| {
            features
                .iter()
                .map(|(name, values)| (name.get_ref().to_string(), strings(Some(values.get_ref()))))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads the build facts of a manifest; `workspace` is the root's `[workspace]` table.
pub(crate) fn read(table: &Table<'_>, workspace: Option<&Table<'_>>) -> BuildManifest {
    let own_workspace = field(table, "workspace").and_then(Value::as_table);
    let workspace_dependencies = own_workspace
        .or(workspace)
        .and_then(|w| field(w, "dependencies"))
        .and_then(Value::as_table);
    let mut manifest = BuildManifest {
        features: features_of(table),
        ..BuildManifest::default()
    };
    manifest.proc_macro = field(table, "lib")
        .and_then(Value::as_table)
        .and_then(|lib| field(lib, "proc-macro").or_else(|| field(lib, "proc_macro")))
        .and_then(Value::as_bool)
        == Some(true);
    let mut tables: Vec<(&Table<'_>, DepKind, Option<String>)> = Vec::new();
    for (key, kind) in DEPENDENCY_TABLES {
        if let Some(t) = field(table, key).and_then(Value::as_table) {
            tables.push((t, *kind, None));
        }
    }
    if let Some(targets) = field(table, "target").and_then(Value::as_table) {
        for (platform, target) in targets {
            let Some(target) = target.get_ref().as_table() else {
                continue;
            };
            for (key, kind) in DEPENDENCY_TABLES {
                if let Some(t) = field(target, key).and_then(Value::as_table) {
                    tables.push((t, *kind, Some(platform.get_ref().to_string())));
                }
            }
        }
    }
    for (dependencies, kind, platform) in tables {
        for (key, value) in dependencies {
            let name: &str = key.get_ref();
            manifest.dependencies.push(dependency(
                name,
                value.get_ref(),
                kind,
                platform.clone(),
                workspace_dependencies,
            ));
        }
    }
    manifest
}

/// One declaration, with `{ workspace = true }` merged with `[workspace.dependencies]`:
/// features add up, `optional` is the member's, and `default-features` is on unless the
/// workspace turns it off and the member does not turn it back on (cargo's rule).
fn dependency(
    name: &str,
    value: &Value<'_>,
    kind: DepKind,
    platform: Option<String>,
    workspace_dependencies: Option<&Table<'_>>,
) -> BuildDependency {
    let mut declared = BuildDependency {
        name: name.to_string(),
        package: name.to_string(),
        kind,
        platform,
        optional: false,
        default_features: true,
        features: Vec::new(),
        requirement: None,
        source: DeclaredSource::Registry,
    };
    let spec = match value {
        Value::String(requirement) => {
            declared.requirement = Some(requirement.to_string());
            return declared;
        }
        Value::Table(spec) => spec,
        _ => return declared,
    };
    let inherited = field(spec, "workspace").and_then(Value::as_bool) == Some(true);
    let base = if inherited {
        workspace_dependencies.and_then(|w| field(w, name))
    } else {
        None
    };
    let base_table = base.and_then(Value::as_table);
    let text = |key: &str| -> Option<String> {
        field(spec, key)
            .or_else(|| base_table.and_then(|b| field(b, key)))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if let Some(package) = text("package") {
        declared.package = package;
    }
    declared.requirement = text("version").or_else(|| match base {
        Some(Value::String(requirement)) => Some(requirement.to_string()),
        _ => None,
    });
    declared.source = if text("path").is_some() {
        DeclaredSource::Path
    } else if text("git").is_some() {
        DeclaredSource::Git
    } else {
        DeclaredSource::Registry
    };
    declared.optional = field(spec, "optional").and_then(Value::as_bool) == Some(true);
    let default_features = |table: &Table<'_>| {
        field(table, "default-features")
            .or_else(|| field(table, "default_features"))
            .and_then(Value::as_bool)
    };
    let own = default_features(spec);
    declared.default_features = if inherited {
        base_table.and_then(default_features).unwrap_or(true) || own == Some(true)
    } else {
        own.unwrap_or(true)
    };
    declared.features = strings(base_table.and_then(|b| field(b, "features")));
    for feature in strings(field(spec, "features")) {
        if !declared.features.contains(&feature) {
            declared.features.push(feature);
        }
    }
    declared
}

/// The strings of a TOML array (other values are skipped).
fn strings(value: Option<&Value<'_>>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|item| item.get_ref().as_str())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_features_platforms_renames_and_inheritance() {
        let root = Table::parse(
            r#"
[workspace.dependencies]
tokio = { version = "1", default-features = false, features = ["rt"] }
serde = { version = "1", features = ["std"] }
"#,
        )
        .unwrap();
        let workspace = field(root.get_ref(), "workspace").and_then(Value::as_table);
        let member = Table::parse(
            r#"
[package]
name = "m"
[lib]
proc-macro = true
[features]
default = ["tls"]
tls = ["dep:rustls", "tokio/net"]
[dependencies]
tokio = { workspace = true, features = ["macros"] }
serde = { workspace = true, default-features = false, optional = true }
rustls = { version = "0.23", optional = true }
rand07 = { package = "rand", version = "0.7" }
local = { path = "../local" }
[target.'cfg(windows)'.dependencies]
winapi = "0.3"
[build-dependencies]
cc = "1"
"#,
        )
        .unwrap();
        let manifest = read(member.get_ref(), workspace);
        assert!(manifest.proc_macro);
        assert_eq!(manifest.features["tls"], vec!["dep:rustls", "tokio/net"]);
        let find = |name: &str| {
            manifest
                .dependencies
                .iter()
                .find(|d| d.name == name)
                .unwrap()
        };
        let tokio = find("tokio");
        assert!(!tokio.default_features);
        assert_eq!(tokio.features, vec!["rt", "macros"]);
        // The workspace enables defaults: the member's `false` cannot turn them off.
        let serde = find("serde");
        assert!(serde.default_features && serde.optional);
        assert_eq!(find("rand07").package, "rand");
        assert_eq!(find("local").source, DeclaredSource::Path);
        assert_eq!(find("winapi").platform.as_deref(), Some("cfg(windows)"));
        assert_eq!(find("cc").kind, DepKind::Build);
    }
}
