//! Registry provider: the crates.io API (stage 3, enrich).
//!
//! In: a Cargo package from crates.io. Out: `version.license` of
//! `{base}/api/v1/crates/{name}/{version}` (an SPDX expression, older crates write `MIT/Apache-2.0`),
//! origin `registry`. crates.io requires a `User-Agent` naming the client; every registry
//! request sends one.

use super::{RegistryProvider, Remote, license_from_text, registry_license, segment};
use crate::enrich::licenses::ProviderError;
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// crates.io's per-version API.
pub struct CratesIoProvider {
    remote: Remote,
}

impl CratesIoProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }
}

impl RegistryProvider for CratesIoProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::Cargo
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let url = self.remote.url(&format!(
            "/api/v1/crates/{}/{}",
            segment(&package.name),
            segment(&package.version)
        ));
        let Some(document) = self.remote.get_json(&url)? else {
            return Ok(None);
        };
        let Some(version) = document.get("version").filter(|v| v.is_object()) else {
            return Err(self.remote.malformed(&url, "no `version` object"));
        };
        Ok(version
            .get("license")
            .and_then(|l| l.as_str())
            .and_then(license_from_text)
            .map(registry_license))
    }
}
