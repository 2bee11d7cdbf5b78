//! License provider: the local Maven repository (stage 3, enrich).
//!
//! In: the repository root (by default `~/.m2/repository`). Out: for a Maven package
//! `group:artifact@version`, the `<licenses>` of
//! `<root>/<group with / for .>/<artifact>/<version>/<artifact>-<version>.pom` (else the first
//! `*.pom` there, as snapshots have timestamped names), each license
//! name (or URL) mapped to an SPDX id; several licenses are a choice (`OR`). A name that maps
//! to nothing is kept as written with a low confidence, so a policy can still see it. Licenses
//! inherited from a parent POM are not followed. Origin `manifest`.

use std::path::PathBuf;

use quick_xml::events::Event;

use super::{LicenseProvider, ProviderError, any_of, spdx_from_name};
use crate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Package};

/// Confidence for a license name that is not a known SPDX id or name.
const UNMAPPED_CONFIDENCE: f32 = 0.3;

/// POMs in a local Maven repository.
pub struct MavenRepositoryProvider {
    root: PathBuf,
}

impl MavenRepositoryProvider {
    /// A provider over the repository at `root`.
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }
}

/// What a POM says about licenses: `(name, url)` of each `<project><licenses><license>`,
/// and `(groupId, artifactId, version)` of `<project><parent>` (the group may be empty).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct PomFacts {
    pub(crate) licenses: Vec<(String, String)>,
    pub(crate) parent: Option<(String, String, String)>,
}

/// Reads a POM's licenses and parent in one pass.
pub(crate) fn read_pom(text: &str) -> Result<PomFacts, String> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = Vec::new();
    let mut facts = PomFacts::default();
    let mut value = String::new();
    let mut license = (String::new(), String::new());
    let mut parent = (String::new(), String::new(), String::new());
    let mut has_parent = false;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                stack.push(start.local_name().into_inner().to_string());
                value.clear();
            }
            Event::Text(text) => value.push_str(&text.xml10_content()),
            Event::CData(data) => value.push_str(&data.xml10_content()),
            Event::End(_) => {
                let value = std::mem::take(&mut value).trim().to_string();
                match stack.join("/").as_str() {
                    "project/licenses/license/name" => license.0 = value,
                    "project/licenses/license/url" => license.1 = value,
                    "project/licenses/license" => {
                        facts.licenses.push(std::mem::take(&mut license));
                    }
                    "project/parent/groupId" => parent.0 = value,
                    "project/parent/artifactId" => parent.1 = value,
                    "project/parent/version" => parent.2 = value,
                    "project/parent" => has_parent = true,
                    _ => {}
                }
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    facts.parent = has_parent.then_some(parent);
    Ok(facts)
}

/// `(name, url)` of each `<project><licenses><license>`.
pub(crate) fn pom_licenses(text: &str) -> Result<Vec<(String, String)>, String> {
    read_pom(text).map(|facts| facts.licenses)
}

impl LicenseProvider for MavenRepositoryProvider {
    fn name(&self) -> &'static str {
        "maven-local"
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        if package.ecosystem != Ecosystem::Maven {
            return Ok(None);
        }
        let Some((group, artifact)) = package.name.split_once(':') else {
            return Ok(None);
        };
        if [group, artifact, &package.version]
            .iter()
            .any(|part| part.contains("..") || part.contains('/') || part.is_empty())
        {
            return Ok(None);
        }
        let directory = self
            .root
            .join(group.replace('.', "/"))
            .join(artifact)
            .join(&package.version);
        let mut pom = directory.join(format!("{artifact}-{}.pom", package.version));
        if !pom.is_file() {
            // Snapshots are stored with timestamped names; take the first POM there is.
            let mut poms: Vec<PathBuf> = std::fs::read_dir(&directory)
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|e| e == "pom"))
                .collect();
            poms.sort();
            match poms.into_iter().next() {
                Some(found) => pom = found,
                None => return Ok(None),
            }
        }
        let text = match crate::util::read_input_io(&pom) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ProviderError::Io { path: pom, source }),
        };
        let licenses = pom_licenses(&text).map_err(|message| ProviderError::Parse {
            path: pom.clone(),
            message: format!("invalid POM: {message}"),
        })?;
        let mut ids = Vec::new();
        let mut confidence: f32 = 1.0;
        for (name, url) in &licenses {
            match spdx_from_name(name).or_else(|| spdx_from_name(url)) {
                Some((id, sure)) => {
                    ids.push(id);
                    confidence = confidence.min(sure);
                }
                None if !name.is_empty() => {
                    ids.push(name.clone());
                    confidence = confidence.min(UNMAPPED_CONFIDENCE);
                }
                None => {}
            }
        }
        Ok(any_of(&ids).map(|expression| LicenseInfo {
            expression,
            origin: LicenseOrigin::Manifest,
            confidence,
            file: Some(pom),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_licenses_block() {
        let pom = "<project><licenses><license><name>Apache License, Version 2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0</url></license></licenses></project>";
        assert_eq!(
            pom_licenses(pom),
            Ok(vec![(
                "Apache License, Version 2.0".to_string(),
                "https://www.apache.org/licenses/LICENSE-2.0".to_string()
            )])
        );
    }
}
