//! Registry provider: the NuGet V3 API (stage 3, enrich).
//!
//! In: a NuGet package from nuget.org. Out: the `licenseExpression` of its catalog entry
//! (SPDX), else a `licenseUrl` of the form `https://licenses.nuget.org/<expression>`, else a
//! `licenseUrl` naming a well-known license; origin `registry`. The registration leaf
//! `{base}/v3/registration5-gz-semver2/{id}/{version}.json` (id and normalised version in
//! lower case) names the catalog entry by URL (or carries it inline); the `-gz-` hive is
//! gzip-compressed, which is undone here since the HTTP client does not negotiate encodings.

use std::io::Read;

use super::{RegistryProvider, Remote, license_from_text, registry_license, segment};
use crate::enrich::licenses::{ProviderError, spdx_from_name};
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// NuGet's registration and catalog documents.
pub struct NuGetProvider {
    remote: Remote,
}

impl NuGetProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }

    /// GETs a JSON document, gunzipping it when the server sent gzip bytes.
    fn get_json(&self, url: &str) -> Result<Option<serde_json::Value>, ProviderError> {
        let Some(body) = self.remote.get(url, "application/json")? else {
            return Ok(None);
        };
        let body = if body.starts_with(&[0x1f, 0x8b]) {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(body.as_slice())
                // A leaf is kilobytes; bound what a hostile body could inflate to.
                .take(16 * 1024 * 1024)
                .read_to_end(&mut plain)
                .map_err(|e| self.remote.malformed(url, format!("bad gzip: {e}")))?;
            plain
        } else {
            body
        };
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| self.remote.malformed(url, format!("not JSON: {e}")))
    }
}

/// NuGet's normalised version: lower case, no build metadata, at least three numeric parts,
/// and a fourth part only when it is not zero (`1.0` -> `1.0.0`, `1.2.3.0` -> `1.2.3`).
fn normalise_version(version: &str) -> String {
    let version = version
        .split('+')
        .next()
        .unwrap_or(version)
        .to_ascii_lowercase();
    let (release, prerelease) = match version.split_once('-') {
        Some((release, prerelease)) => (release, Some(prerelease)),
        None => (version.as_str(), None),
    };
    let mut parts: Vec<String> = release
        .split('.')
        .map(|part| {
            part.parse::<u64>()
                .map_or(part.to_string(), |n| n.to_string())
        })
        .collect();
    while parts.len() < 3 {
        parts.push("0".into());
    }
    if parts.len() == 4 && parts[3] == "0" {
        parts.pop();
    }
    let mut normalised = parts.join(".");
    if let Some(prerelease) = prerelease {
        normalised.push('-');
        normalised.push_str(prerelease);
    }
    normalised
}

/// The license a catalog entry declares, with its confidence.
fn license_from_catalog(entry: &serde_json::Value) -> Option<(String, f32)> {
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|t| !t.is_empty())
    };
    if let Some(found) = text("licenseExpression").and_then(license_from_text) {
        return Some(found);
    }
    let url = text("licenseUrl")?;
    // Packages with an expression also get `licenseUrl: https://licenses.nuget.org/<expr>`.
    if let Some(expression) = url
        .strip_prefix("https://licenses.nuget.org/")
        .map(|e| percent_encoding::percent_decode_str(e).decode_utf8_lossy())
    {
        return license_from_text(&expression);
    }
    // A URL to a license page: only a well-known one names a license.
    spdx_from_name(url).map(|(id, sure)| (id, sure.min(0.9)))
}

impl RegistryProvider for NuGetProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::NuGet
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let url = self.remote.url(&format!(
            "/v3/registration5-gz-semver2/{}/{}.json",
            segment(&package.name.to_ascii_lowercase()),
            segment(&normalise_version(&package.version))
        ));
        let Some(leaf) = self.get_json(&url)? else {
            return Ok(None);
        };
        let entry = match leaf.get("catalogEntry") {
            Some(serde_json::Value::Object(_)) => leaf.get("catalogEntry").cloned(),
            Some(serde_json::Value::String(catalog))
                if catalog.starts_with("https://") || catalog.starts_with("http://") =>
            {
                match self.get_json(catalog)? {
                    Some(entry) if entry.is_object() => Some(entry),
                    Some(_) => return Err(self.remote.malformed(catalog, "not a catalog entry")),
                    // The leaf names an entry the catalog does not have: unknown, not an error.
                    None => None,
                }
            }
            _ => return Err(self.remote.malformed(&url, "no `catalogEntry`")),
        };
        Ok(entry
            .as_ref()
            .and_then(license_from_catalog)
            .map(registry_license))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_normalise_like_nuget() {
        assert_eq!(normalise_version("13.0.1"), "13.0.1");
        assert_eq!(normalise_version("1.0"), "1.0.0");
        assert_eq!(normalise_version("1.2.3.0"), "1.2.3");
        assert_eq!(normalise_version("1.02.3.4"), "1.2.3.4");
        assert_eq!(normalise_version("1.0.0-Beta+git"), "1.0.0-beta");
    }

    #[test]
    fn catalog_license_forms() {
        let expression = serde_json::json!({"licenseExpression": "MIT", "licenseUrl": "https://licenses.nuget.org/MIT"});
        assert_eq!(license_from_catalog(&expression), Some(("MIT".into(), 1.0)));
        let url_only =
            serde_json::json!({"licenseUrl": "https://licenses.nuget.org/Apache-2.0%20OR%20MIT"});
        assert_eq!(
            license_from_catalog(&url_only),
            Some(("Apache-2.0 OR MIT".into(), 1.0))
        );
        let page = serde_json::json!({"licenseUrl": "https://www.apache.org/licenses/LICENSE-2.0"});
        assert_eq!(
            license_from_catalog(&page),
            Some(("Apache-2.0".into(), 0.9))
        );
        let unknown = serde_json::json!({"licenseUrl": "https://example.com/eula.html"});
        assert_eq!(license_from_catalog(&unknown), None);
    }
}
