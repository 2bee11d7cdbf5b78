//! Registry provider: the RubyGems API (stage 3, enrich).
//!
//! In: a gem from rubygems.org. Out: the `licenses` array of
//! `{base}/api/v2/rubygems/{name}/versions/{version}.json` (several entries are a choice, as
//! the gemspec's `licenses` documents), origin `registry`.

use super::{RegistryProvider, Remote, combine, license_from_text, registry_license, segment};
use crate::enrich::licenses::ProviderError;
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// RubyGems' per-version API.
pub struct RubyGemsProvider {
    remote: Remote,
}

impl RubyGemsProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }
}

impl RegistryProvider for RubyGemsProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::RubyGems
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let url = self.remote.url(&format!(
            "/api/v2/rubygems/{}/versions/{}.json",
            segment(&package.name),
            segment(&package.version)
        ));
        let Some(document) = self.remote.get_json(&url)? else {
            return Ok(None);
        };
        if !document.is_object() {
            return Err(self.remote.malformed(&url, "not a version object"));
        }
        let licenses: Vec<(String, f32)> = match document.get("licenses") {
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter_map(|l| l.as_str())
                .filter_map(license_from_text)
                .collect(),
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(_) => return Err(self.remote.malformed(&url, "`licenses` is not a list")),
        };
        Ok(combine(&licenses, "OR").map(registry_license))
    }
}
