//! Registry provider: Maven Central POMs (stage 3, enrich).
//!
//! In: a Maven package `group:artifact@version`. Out: the `<licenses>` of
//! `{base}/{group with / for .}/{artifact}/{version}/{artifact}-{version}.pom`, each name (or
//! URL) mapped to an SPDX id; several licenses are a choice (`OR`), as the POM reference
//! describes. A POM without `<licenses>` inherits them: its `<parent>` POM is read next, up
//! to [`MAX_PARENTS`] levels. Origin `registry`.

use super::{RegistryProvider, Remote, combine, license_from_text, registry_license, segment};
use crate::enrich::licenses::maven::read_pom;
use crate::enrich::licenses::{ProviderError, spdx_from_name};
use crate::inventory::{Ecosystem, LicenseInfo, Package};

/// Parent POMs followed at most for inherited licenses.
pub const MAX_PARENTS: usize = 4;

/// POMs in Maven Central (or a mirror with its layout).
pub struct MavenCentralProvider {
    remote: Remote,
}

impl MavenCentralProvider {
    pub(crate) fn new(remote: Remote) -> Self {
        Self { remote }
    }

    /// The POM URL of `group:artifact:version`, `None` for coordinates that could escape the
    /// repository layout.
    fn pom_url(&self, group: &str, artifact: &str, version: &str) -> Option<String> {
        if [group, artifact, version]
            .iter()
            .any(|part| part.is_empty() || part.contains("..") || part.contains('/'))
        {
            return None;
        }
        let group_path = group.split('.').map(segment).collect::<Vec<_>>().join("/");
        let (artifact, version) = (segment(artifact), segment(version));
        Some(self.remote.url(&format!(
            "/{group_path}/{artifact}/{version}/{artifact}-{version}.pom"
        )))
    }
}

/// The license of a POM's `(name, url)` pairs, with its confidence.
fn license_from_pom(licenses: &[(String, String)]) -> Option<(String, f32)> {
    let mapped: Vec<(String, f32)> = licenses
        .iter()
        .filter_map(|(name, url)| {
            spdx_from_name(name)
                .or_else(|| spdx_from_name(url))
                .or_else(|| license_from_text(name))
        })
        .collect();
    combine(&mapped, "OR")
}

impl RegistryProvider for MavenCentralProvider {
    fn remote(&self) -> &Remote {
        &self.remote
    }

    fn handles_ecosystem(&self, package: &Package) -> bool {
        package.ecosystem == Ecosystem::Maven && package.name.contains(':')
    }

    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        let Some((group, artifact)) = package.name.split_once(':') else {
            return Ok(None);
        };
        let mut coordinates = (
            group.to_string(),
            artifact.to_string(),
            package.version.clone(),
        );
        for _ in 0..=MAX_PARENTS {
            let Some(url) = self.pom_url(&coordinates.0, &coordinates.1, &coordinates.2) else {
                return Ok(None);
            };
            let Some(body) = self.remote.get(&url, "application/xml, text/xml")? else {
                return Ok(None);
            };
            let text = String::from_utf8_lossy(&body);
            let pom = read_pom(&text)
                .map_err(|e| self.remote.malformed(&url, format!("bad POM: {e}")))?;
            if let Some(found) = license_from_pom(&pom.licenses) {
                return Ok(Some(registry_license(found)));
            }
            match pom.parent {
                Some(parent) => coordinates = parent,
                None => return Ok(None),
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_parent() {
        let pom = "<project><parent><groupId>org.demo</groupId><artifactId>demo-parent</artifactId><version>7</version></parent><artifactId>x</artifactId></project>";
        assert_eq!(
            read_pom(pom).map(|p| p.parent),
            Ok(Some(("org.demo".into(), "demo-parent".into(), "7".into())))
        );
        assert_eq!(read_pom("<project></project>").map(|p| p.parent), Ok(None));
    }

    #[test]
    fn names_then_urls() {
        let licenses = vec![
            ("Apache License, Version 2.0".to_string(), String::new()),
            (
                "Something".to_string(),
                "https://opensource.org/licenses/MIT".to_string(),
            ),
        ];
        assert_eq!(
            license_from_pom(&licenses),
            Some(("Apache-2.0 OR MIT".into(), 0.9))
        );
    }
}
