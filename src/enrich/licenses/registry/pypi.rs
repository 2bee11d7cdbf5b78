//! Registry provider: the PyPI JSON API (stage 3, enrich).
//!
//! In: a PyPI package from the public index. Out: from `{base}/pypi/{name}/{version}/json`,
//! `info.license_expression` (PEP 639, SPDX), else `info.license` (free text: a name, an
//! expression, or a whole license text, which is no answer), else the `License ::` trove
//! classifiers in `info.classifiers`; origin `registry`.

use super::{RegistryProvider, Remote, license_from_text, registry_license, segment};
use crate::enrich::licenses::ProviderError;
use crate::enrich::licenses::python::license_from_classifiers;
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// PyPI's per-release JSON documents.
pub struct PyPIProvider {
    remote: Remote,
}

impl PyPIProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }
}

/// The license a release document declares, with its confidence.
fn license_from_release(document: &serde_json::Value) -> Option<(String, f32)> {
    let info = document.get("info")?;
    let text = |key: &str| info.get(key).and_then(|v| v.as_str()).map(str::trim);
    if let Some(found) = text("license_expression").and_then(license_from_text) {
        return Some(found);
    }
    // `license` is often the whole license text, which `license_from_text` refuses.
    if let Some(found) = text("license").and_then(license_from_text) {
        return Some(found);
    }
    let classifiers = info.get("classifiers")?.as_array()?;
    license_from_classifiers(classifiers.iter().filter_map(|c| c.as_str()))
}

impl RegistryProvider for PyPIProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::PyPI
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let url = self.remote.url(&format!(
            "/pypi/{}/{}/json",
            segment(&package.name),
            segment(&package.version)
        ));
        let Some(document) = self.remote.get_json(&url)? else {
            return Ok(None);
        };
        if !document.get("info").is_some_and(|info| info.is_object()) {
            return Err(self.remote.malformed(&url, "no `info` object"));
        }
        Ok(license_from_release(&document).map(registry_license))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_then_license_then_classifiers() {
        let both =
            serde_json::json!({"info": {"license_expression": "BSD-3-Clause", "license": "MIT"}});
        assert_eq!(
            license_from_release(&both),
            Some(("BSD-3-Clause".into(), 1.0))
        );
        let classifiers = serde_json::json!({"info": {"license_expression": null, "license": "",
            "classifiers": ["License :: OSI Approved :: MIT License", "Programming Language :: Python"]}});
        assert_eq!(
            license_from_release(&classifiers),
            Some(("MIT".into(), 1.0))
        );
        let nothing = serde_json::json!({"info": {"license": null, "classifiers": []}});
        assert_eq!(license_from_release(&nothing), None);
    }
}
