//! Registry provider: the npm registry (stage 3, enrich).
//!
//! In: an npm package from the public registry. Out: the `license` of its version document
//! `{base}/{name}/{version}` (a string, the legacy `{ "type": ... }` object, or the legacy
//! `licenses` array, read as npm's own manifests are), origin `registry`.

use super::{RegistryProvider, Remote, license_from_text, registry_license, segment};
use crate::enrich::licenses::ProviderError;
use crate::enrich::licenses::npm::license_from_manifest;
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// The npm registry's per-version documents.
pub struct NpmRegistryProvider {
    remote: Remote,
}

impl NpmRegistryProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }
}

/// The path of a version document. A scope stays a path segment of its own
/// (`@scope/name/1.0.0`), which is how the registry routes scoped version documents.
fn path(name: &str, version: &str) -> String {
    let name = match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some((scope, bare)) => format!("@{}/{}", segment(scope), segment(bare)),
        None => segment(name),
    };
    format!("/{name}/{}", segment(version))
}

impl RegistryProvider for NpmRegistryProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::Npm
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let url = self.remote.url(&path(&package.name, &package.version));
        let Some(document) = self.remote.get_json(&url)? else {
            return Ok(None);
        };
        if !document.is_object() {
            return Err(self.remote.malformed(&url, "not a version document"));
        }
        Ok(license_from_manifest(&document)
            .and_then(|text| license_from_text(&text))
            .map(registry_license))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_keep_the_scope_segment() {
        assert_eq!(path("left-pad", "1.3.0"), "/left-pad/1.3.0");
        assert_eq!(path("@types/node", "20.1.0"), "/@types/node/20.1.0");
    }
}
