//! License provider: installed Python distributions (stage 3, enrich).
//!
//! In: `site-packages` directories. Out: for a PyPI package whose `<name>-<version>.dist-info`
//! is installed, the license from its core metadata (`METADATA`): `License-Expression`
//! (PEP 639, an SPDX expression: confidence 1.0), else the `License :: ...` trove classifiers
//! mapped to SPDX ids (several mean a choice), else a short `License:` field that names a
//! known license. Origin `manifest`; the `METADATA` path is recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{LicenseProvider, ProviderError, any_of, spdx_from_name};
use crate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Package};

/// Trove classifier (after `License :: `) -> SPDX id, and how sure the mapping is. The plain
/// "Apache Software License" and "BSD License" classifiers name no version or clause count.
const CLASSIFIERS: &[(&str, &str, f32)] = &[
    ("OSI Approved :: MIT License", "MIT", 1.0),
    (
        "OSI Approved :: MIT No Attribution License (MIT-0)",
        "MIT-0",
        1.0,
    ),
    ("OSI Approved :: Apache Software License", "Apache-2.0", 0.8),
    ("OSI Approved :: BSD License", "BSD-3-Clause", 0.6),
    ("OSI Approved :: ISC License (ISCL)", "ISC", 1.0),
    (
        "OSI Approved :: Python Software Foundation License",
        "PSF-2.0",
        0.9,
    ),
    (
        "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
        "MPL-2.0",
        1.0,
    ),
    (
        "OSI Approved :: GNU General Public License v2 (GPLv2)",
        "GPL-2.0-only",
        0.9,
    ),
    (
        "OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
        1.0,
    ),
    (
        "OSI Approved :: GNU General Public License v3 (GPLv3)",
        "GPL-3.0-only",
        0.9,
    ),
    (
        "OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
        1.0,
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)",
        "LGPL-2.0-only",
        0.9,
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
        1.0,
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "LGPL-3.0-only",
        0.9,
    ),
    (
        "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
        1.0,
    ),
    (
        "OSI Approved :: GNU Affero General Public License v3",
        "AGPL-3.0-only",
        0.9,
    ),
    (
        "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
        1.0,
    ),
    (
        "OSI Approved :: The Unlicense (Unlicense)",
        "Unlicense",
        1.0,
    ),
    (
        "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
        "EPL-2.0",
        1.0,
    ),
    ("OSI Approved :: Zope Public License", "ZPL-2.1", 0.8),
    (
        "OSI Approved :: Academic Free License (AFL)",
        "AFL-3.0",
        0.6,
    ),
    (
        "OSI Approved :: Universal Permissive License (UPL)",
        "UPL-1.0",
        1.0,
    ),
    (
        "OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
        "BSL-1.0",
        1.0,
    ),
    (
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
        1.0,
    ),
    ("Public Domain", "LicenseRef-public-domain", 0.8),
];

/// Installed distributions found in `site-packages` directories.
pub struct SitePackagesProvider {
    /// (PEP 503 name, version) -> `*.dist-info` directory.
    installed: BTreeMap<(String, String), PathBuf>,
}

impl SitePackagesProvider {
    /// Indexes the `*.dist-info` directories of `site_packages` (unreadable ones are skipped:
    /// a missing environment means "unknown", not an error).
    pub fn new(site_packages: &[PathBuf]) -> Self {
        let mut installed = BTreeMap::new();
        for directory in site_packages {
            let Ok(entries) = std::fs::read_dir(directory) else {
                continue;
            };
            for entry in entries.flatten() {
                let file_name = entry.file_name();
                let Some(stem) = file_name
                    .to_str()
                    .and_then(|n| n.strip_suffix(".dist-info"))
                else {
                    continue;
                };
                // `<name>-<version>`: names in dist-info directories have `-` escaped to `_`.
                if let Some((name, version)) = stem.rsplit_once('-') {
                    installed
                        .entry((normalise(name), version.to_string()))
                        .or_insert_with(|| entry.path());
                }
            }
        }
        Self { installed }
    }
}

fn normalise(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// The header fields of a core-metadata file (RFC 822 style, up to the first blank line).
fn headers(text: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation line of the previous field (long `License:` texts).
            if let Some(last) = fields.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            fields.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    fields
}

/// The license named by trove classifiers (`License :: OSI Approved :: MIT License`), mapped
/// to SPDX ids (several mean a choice), with the confidence of the weakest mapping.
pub(crate) fn license_from_classifiers<'a>(
    classifiers: impl IntoIterator<Item = &'a str>,
) -> Option<(String, f32)> {
    let mut from_classifiers = Vec::new();
    let mut confidence: f32 = 1.0;
    for classifier in classifiers {
        let Some(license) = classifier.strip_prefix("License :: ") else {
            continue;
        };
        if let Some((_, id, sure)) = CLASSIFIERS.iter().find(|(text, _, _)| *text == license) {
            from_classifiers.push(id.to_string());
            confidence = confidence.min(*sure);
        }
    }
    any_of(&from_classifiers).map(|expression| (expression, confidence))
}

/// The license a `METADATA` file declares, with its confidence.
pub(crate) fn license_from_metadata(text: &str) -> Option<(String, f32)> {
    let fields = headers(text);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    if let Some(expression) = field("License-Expression").filter(|e| !e.is_empty()) {
        return Some((expression.to_string(), 1.0));
    }
    let classifiers = fields
        .iter()
        .filter(|(key, _)| key.eq_ignore_ascii_case("Classifier"))
        .map(|(_, value)| value.as_str());
    if let Some(found) = license_from_classifiers(classifiers) {
        return Some(found);
    }
    // `License:` is free text, often the whole license; only a short known name is usable.
    let license = field("License")?;
    if license.contains('\n') || license.len() > 80 || license.eq_ignore_ascii_case("UNKNOWN") {
        return None;
    }
    spdx_from_name(license).map(|(id, sure)| (id, sure.min(0.9)))
}

impl LicenseProvider for SitePackagesProvider {
    fn name(&self) -> &'static str {
        "python-site-packages"
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        if package.ecosystem != Ecosystem::PyPI {
            return Ok(None);
        }
        let key = (normalise(&package.name), package.version.clone());
        let Some(dist_info) = self.installed.get(&key) else {
            return Ok(None);
        };
        let metadata = dist_info.join("METADATA");
        let text = match crate::util::read_input_io(&metadata) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ProviderError::Io {
                    path: metadata,
                    source,
                });
            }
        };
        Ok(
            license_from_metadata(&text).map(|(expression, confidence)| LicenseInfo {
                expression,
                origin: LicenseOrigin::Manifest,
                confidence,
                file: Some(metadata.clone()),
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_wins_over_classifiers() {
        let text = "Metadata-Version: 2.4\nName: a\nLicense-Expression: MIT OR Apache-2.0\nClassifier: License :: OSI Approved :: BSD License\n\nbody";
        assert_eq!(
            license_from_metadata(text),
            Some(("MIT OR Apache-2.0".into(), 1.0))
        );
    }

    #[test]
    fn classifiers_map_to_spdx() {
        let text = "Name: a\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Programming Language :: Python\n";
        assert_eq!(license_from_metadata(text), Some(("MIT".into(), 1.0)));
        let both = "Name: a\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License\n";
        assert_eq!(
            license_from_metadata(both),
            Some(("MIT OR Apache-2.0".into(), 0.8))
        );
    }

    #[test]
    fn long_license_text_is_not_a_name() {
        let text =
            "Name: a\nLicense: Copyright (c) 2020 Someone\n        Permission is hereby granted\n";
        assert_eq!(license_from_metadata(text), None);
        assert_eq!(
            license_from_metadata("Name: a\nLicense: BSD-3-Clause\n"),
            Some(("BSD-3-Clause".into(), 0.9))
        );
    }
}
