//! Registry provider: deps.dev, the fallback for every ecosystem it covers (stage 3, enrich).
//!
//! In: a package of npm, PyPI, Cargo, Go, RubyGems, NuGet or Maven from its public registry.
//! Out: the `licenses` of `{base}/v3/systems/{system}/packages/{name}/versions/{version}`
//! (SPDX expressions deps.dev derived from the package's metadata and files); origin
//! `registry`. It runs after the per-ecosystem registries, and is the only registry source
//! for Go modules. Several entries all apply (they can come from different files), so they
//! are joined with `AND` at a lower confidence; an entry deps.dev calls `non-standard` is kept
//! as `LicenseRef-deps.dev-non-standard` beside others so no restriction is dropped, and alone
//! means unknown.

use super::{RegistryProvider, Remote, combine, license_from_text, registry_license, segment};
use crate::enrich::licenses::ProviderError;
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// Confidence of several licenses joined with `AND`: deps.dev does not say how they relate.
const COMBINED_CONFIDENCE: f32 = 0.8;

/// deps.dev's version API.
pub struct DepsDevProvider {
    remote: Remote,
}

impl DepsDevProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }
}

/// deps.dev's name for an ecosystem, `None` for those it does not cover.
fn system(ecosystem: &Ecosystem) -> Option<&'static str> {
    Some(match ecosystem {
        Ecosystem::Npm => "npm",
        Ecosystem::PyPI => "pypi",
        Ecosystem::Cargo => "cargo",
        Ecosystem::Go => "go",
        Ecosystem::RubyGems => "rubygems",
        Ecosystem::NuGet => "nuget",
        Ecosystem::Maven => "maven",
        _ => return None,
    })
}

/// The license of a version document's `licenses`, with its confidence.
fn license_from_version(licenses: &[serde_json::Value]) -> Option<(String, f32)> {
    let mut found: Vec<(String, f32)> = Vec::new();
    let mut non_standard = false;
    for license in licenses.iter().filter_map(|l| l.as_str()) {
        if license.trim().eq_ignore_ascii_case("non-standard") {
            non_standard = true;
        } else if let Some(one) = license_from_text(license) {
            found.push(one);
        }
    }
    if found.is_empty() {
        return None;
    }
    if non_standard {
        found.push((
            "LicenseRef-deps.dev-non-standard".into(),
            COMBINED_CONFIDENCE,
        ));
    }
    let (expression, confidence) = combine(&found, "AND")?;
    let confidence = if found.len() > 1 {
        confidence.min(COMBINED_CONFIDENCE)
    } else {
        confidence
    };
    Some((expression, confidence))
}

impl RegistryProvider for DepsDevProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        system(&package.ecosystem).is_some()
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let Some(system) = system(&package.ecosystem) else {
            return Ok(None);
        };
        let url = self.remote.url(&format!(
            "/v3/systems/{system}/packages/{}/versions/{}",
            segment(&package.name),
            segment(&package.version)
        ));
        let Some(document) = self.remote.get_json(&url)? else {
            return Ok(None);
        };
        let licenses = match document.get("licenses") {
            Some(serde_json::Value::Array(list)) => list.as_slice(),
            Some(serde_json::Value::Null) | None if document.is_object() => &[],
            _ => return Err(self.remote.malformed(&url, "`licenses` is not a list")),
        };
        Ok(license_from_version(licenses).map(registry_license))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_licenses_all_apply() {
        let one = [serde_json::json!("MIT")];
        assert_eq!(license_from_version(&one), Some(("MIT".into(), 1.0)));
        let two = [serde_json::json!("MIT"), serde_json::json!("Apache-2.0")];
        assert_eq!(
            license_from_version(&two),
            Some(("MIT AND Apache-2.0".into(), 0.8))
        );
        let odd = [serde_json::json!("non-standard")];
        assert_eq!(license_from_version(&odd), None);
        let mixed = [serde_json::json!("MIT"), serde_json::json!("non-standard")];
        assert_eq!(
            license_from_version(&mixed),
            Some(("MIT AND LicenseRef-deps.dev-non-standard".into(), 0.8))
        );
    }
}
