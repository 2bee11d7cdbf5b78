//! License provider: installed npm packages in `node_modules` (stage 3, enrich).
//!
//! In: `node_modules` directories. Out: for an npm package installed at
//! `node_modules/<name>/package.json` with the same version, its `license` field (a string,
//! or the legacy `{ "type": ... }` object) or the legacy `licenses` array (several entries mean
//! a choice: joined with `OR`). Origin `manifest`, confidence 1.0 for declared metadata.

use std::path::PathBuf;

use super::{LicenseProvider, ProviderError, any_of};
use crate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Package};

/// Packages installed under `node_modules` directories.
pub struct NodeModulesProvider {
    roots: Vec<PathBuf>,
}

impl NodeModulesProvider {
    /// A provider over these `node_modules` directories (searched in order).
    pub fn new(roots: Vec<PathBuf>) -> Self {
        Self { roots }
    }
}

/// The license a `package.json` declares.
pub(crate) fn license_from_manifest(manifest: &serde_json::Value) -> Option<String> {
    let as_text = |value: &serde_json::Value| -> Option<String> {
        match value {
            serde_json::Value::String(text) => Some(text.trim().to_string()),
            // Legacy `{ "type": "MIT", "url": "..." }`.
            serde_json::Value::Object(object) => object
                .get("type")
                .and_then(|t| t.as_str())
                .map(|t| t.trim().to_string()),
            _ => None,
        }
    };
    if let Some(license) = manifest
        .get("license")
        .and_then(as_text)
        .filter(|l| !l.is_empty())
    {
        return Some(license);
    }
    let list: Vec<String> = manifest
        .get("licenses")?
        .as_array()?
        .iter()
        .filter_map(as_text)
        .filter(|l| !l.is_empty())
        .collect();
    any_of(&list)
}

impl LicenseProvider for NodeModulesProvider {
    fn name(&self) -> &'static str {
        "node-modules"
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        if package.ecosystem != Ecosystem::Npm || package.name.contains("..") {
            return Ok(None);
        }
        for root in &self.roots {
            // Scoped names (`@scope/name`) are nested directories, as npm installs them.
            let path = root.join(&package.name).join("package.json");
            let bytes = match crate::util::read_input_io(&path) {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(ProviderError::Io { path, source }),
            };
            let manifest: serde_json::Value =
                serde_json::from_slice(&bytes).map_err(|e| ProviderError::Parse {
                    path: path.clone(),
                    message: format!("invalid package.json: {e}"),
                })?;
            // Another version installed here says nothing about the one in the lockfile.
            if manifest.get("version").and_then(|v| v.as_str()) != Some(package.version.as_str()) {
                continue;
            }
            return Ok(
                license_from_manifest(&manifest).map(|expression| LicenseInfo {
                    expression,
                    origin: LicenseOrigin::Manifest,
                    confidence: 1.0,
                    file: Some(path),
                }),
            );
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_field_forms() {
        let modern = serde_json::json!({"license": "MIT"});
        assert_eq!(license_from_manifest(&modern).as_deref(), Some("MIT"));
        let object = serde_json::json!({"license": {"type": "ISC", "url": "x"}});
        assert_eq!(license_from_manifest(&object).as_deref(), Some("ISC"));
        let legacy = serde_json::json!({"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]});
        assert_eq!(
            license_from_manifest(&legacy).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(license_from_manifest(&serde_json::json!({})), None);
    }
}
