//! Stage 5, report: SPDX 2.3 JSON SBOMs.
//!
//! In: `&Inventory` and [`DocumentInfo`]. Out: the document's bytes. The wire types are ours
//! (small serde structs for exactly what we write); the layout follows the SPDX 2.3 JSON schema.
//!
//! Reproducible: packages, relationships and extracted licenses are sorted; the timestamp comes
//! from the caller; the document namespace holds a UUID derived from the document's content.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::sbom_common::{
    self, DocumentInfo, LicenseForm, TOOL_NAME, TOOL_VERSION, classify_license, clean,
};
use crate::inventory::{DepKind, HashAlgorithm, Inventory, Package, Source};

/// The SPDXID of the document itself.
pub const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
/// The prefix of every document namespace we write; a content-derived UUID follows the name.
pub const NAMESPACE_PREFIX: &str = "https://spdx.org/spdxdocs/";
const NOASSERTION: &str = "NOASSERTION";

/// An SPDX 2.3 document (the subset depgate writes).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxDocument {
    /// Always `SPDX-2.3`.
    pub spdx_version: String,
    /// Always `CC0-1.0` (the spec requires it).
    pub data_license: String,
    /// Always [`DOCUMENT_ID`].
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// The subject's name.
    pub name: String,
    /// A unique URI for this document, derived from its content.
    pub document_namespace: String,
    /// Who made the document, and when.
    pub creation_info: CreationInfo,
    /// Every package, sorted by SPDXID.
    pub packages: Vec<SpdxPackage>,
    /// `LicenseRef-` licenses used by the packages, sorted by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub has_extracted_licensing_infos: Vec<ExtractedLicense>,
    /// `DESCRIBES` and dependency relationships, sorted.
    pub relationships: Vec<Relationship>,
}

/// `creationInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreationInfo {
    /// `Tool: depgate-<version>`.
    pub creators: Vec<String>,
    /// RFC 3339 UTC timestamp.
    pub created: String,
    /// The SPDX license list version the spdx crate knows.
    pub license_list_version: String,
    /// The build described (`depgate:build:target=…; …`), when one was requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// One package.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpdxPackage {
    /// `SPDXRef-Package-…`, only `[A-Za-z0-9.-]` after the prefix.
    #[serde(rename = "SPDXID")]
    pub spdx_id: String,
    /// Package name.
    pub name: String,
    /// Version, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_info: Option<String>,
    /// Registry URL, `git+URL@commit`, or `NOASSERTION`.
    pub download_location: String,
    /// Always false: we do not analyse files.
    pub files_analyzed: bool,
    /// Always `NOASSERTION`: depgate reports declared licenses, it does not conclude.
    pub license_concluded: String,
    /// A valid SPDX expression, a `LicenseRef-`, or `NOASSERTION`.
    pub license_declared: String,
    /// Always `NOASSERTION`.
    pub copyright_text: String,
    /// Archive checksums.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<Checksum>,
    /// The purl, when identity is certain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_refs: Vec<ExternalRef>,
    /// Homepage URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why licenseDeclared differs from the declared text, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_comments: Option<String>,
    /// `APPLICATION` for roots, `LIBRARY` for dependencies.
    pub primary_package_purpose: String,
}

/// A checksum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checksum {
    /// `SHA1`, `SHA256`, `SHA384`, `SHA512`, `MD5`.
    pub algorithm: String,
    /// Lowercase hex.
    pub checksum_value: String,
}

/// An external reference (we write purls only).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalRef {
    /// `PACKAGE-MANAGER`.
    pub reference_category: String,
    /// `purl`.
    pub reference_type: String,
    /// The purl.
    pub reference_locator: String,
}

/// A license that is not an SPDX expression, defined in the document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtractedLicense {
    /// `LicenseRef-…`.
    pub license_id: String,
    /// The license text as the package declared it.
    pub extracted_text: String,
    /// A name for humans.
    pub name: String,
    /// Where the text came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A relationship between two SPDX elements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    /// The subject.
    pub spdx_element_id: String,
    /// `DESCRIBES`, `DEPENDS_ON`, `DEV_DEPENDENCY_OF`, `BUILD_DEPENDENCY_OF`, `OPTIONAL_DEPENDENCY_OF`.
    pub relationship_type: String,
    /// The object.
    pub related_spdx_element: String,
}

/// SPDX 2.3 JSON, pretty-printed, ending in a newline.
pub fn to_json(inventory: &Inventory, info: &DocumentInfo) -> Result<Vec<u8>, serde_json::Error> {
    let document = build_document(inventory, info)?;
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Builds the SPDX document of an inventory, with its content-derived namespace.
pub fn build_document(
    inventory: &Inventory,
    info: &DocumentInfo,
) -> Result<SpdxDocument, serde_json::Error> {
    let refs = sbom_common::unique_refs(inventory);
    let ids = spdx_ids(&refs);
    let mut extracted = ExtractedLicenses::default();

    let mut packages: Vec<SpdxPackage> = inventory
        .packages()
        .iter()
        .map(|p| {
            let root_like = sbom_common::is_root_like(inventory, p.id);
            package(p, &ids[p.id.0], root_like, &mut extracted)
        })
        .collect();
    packages.sort_by(|a, b| a.spdx_id.cmp(&b.spdx_id));

    let mut relationships: BTreeSet<Relationship> = BTreeSet::new();
    for subject in inventory.subjects() {
        relationships.insert(Relationship {
            spdx_element_id: DOCUMENT_ID.to_string(),
            relationship_type: "DESCRIBES".to_string(),
            related_spdx_element: ids[subject.0].clone(),
        });
    }
    for edge in inventory.edges() {
        if edge.from == edge.to {
            continue;
        }
        let (from, to) = (ids[edge.from.0].clone(), ids[edge.to.0].clone());
        // SPDX names dev and build edges from the dependency's side: `B DEV_DEPENDENCY_OF A`.
        let (subject, kind, object) = match (edge.kind, edge.optional) {
            (DepKind::Dev, _) => (to, "DEV_DEPENDENCY_OF", from),
            (DepKind::Build, _) => (to, "BUILD_DEPENDENCY_OF", from),
            (DepKind::Normal | DepKind::Unknown, true) => (to, "OPTIONAL_DEPENDENCY_OF", from),
            (DepKind::Normal | DepKind::Unknown, false) => (from, "DEPENDS_ON", to),
        };
        relationships.insert(Relationship {
            spdx_element_id: subject,
            relationship_type: kind.to_string(),
            related_spdx_element: object,
        });
    }

    let mut document = SpdxDocument {
        spdx_version: "SPDX-2.3".to_string(),
        data_license: "CC0-1.0".to_string(),
        spdx_id: DOCUMENT_ID.to_string(),
        name: clean(&info.name),
        document_namespace: String::new(),
        creation_info: CreationInfo {
            creators: vec![format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")],
            created: crate::util::rfc3339(info.timestamp),
            license_list_version: license_list_version(),
            comment: Some(sbom_common::build_properties(inventory))
                .filter(|properties| !properties.is_empty())
                .map(|properties| {
                    properties
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                }),
        },
        packages,
        has_extracted_licensing_infos: extracted.into_sorted(),
        relationships: relationships.into_iter().collect(),
    };
    // The namespace is derived from the document with the namespace blanked.
    let content = serde_json::to_vec(&document)?;
    document.document_namespace = format!(
        "{NAMESPACE_PREFIX}{}-{}",
        sanitise(&info.name),
        sbom_common::content_uuid(&content)
    );
    Ok(document)
}

/// The license list version as `MAJOR.MINOR` (the form SPDX 2.3 asks for).
pub(crate) fn license_list_version() -> String {
    let mut parts = ::spdx::identifiers::VERSION.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => ::spdx::identifiers::VERSION.to_string(),
    }
}

/// SPDXIDs per package, `SPDXRef-Package-` + the sanitised unique reference; a collision after
/// sanitising (`a_b` and `a-b`) gets `-2`, `-3`, ... in reference order.
pub(crate) fn spdx_ids(refs: &[String]) -> Vec<String> {
    let mut order: Vec<usize> = (0..refs.len()).collect();
    order.sort_by(|&a, &b| refs[a].cmp(&refs[b]));
    let mut taken = BTreeSet::new();
    let mut ids = vec![String::new(); refs.len()];
    for index in order {
        let base = format!("SPDXRef-Package-{}", sanitise(&refs[index]));
        let mut candidate = base.clone();
        let mut counter = 1;
        while taken.contains(&candidate) {
            counter += 1;
            candidate = format!("{base}-{counter}");
        }
        taken.insert(candidate.clone());
        ids[index] = candidate;
    }
    ids
}

/// Keeps `[A-Za-z0-9.-]`, turns every other run of characters into one `-`.
pub fn sanitise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for character in text.chars() {
        if character.is_ascii_alphanumeric() || character == '.' || character == '-' {
            out.push(character);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unnamed".to_string()
    } else {
        trimmed.to_string()
    }
}

fn package(
    package: &Package,
    spdx_id: &str,
    root_like: bool,
    extracted: &mut ExtractedLicenses,
) -> SpdxPackage {
    let mut license_comments = None;
    let license_declared = match package.license_expression().and_then(classify_license) {
        None => NOASSERTION.to_string(),
        Some(declared) => {
            if declared.is_normalised() {
                license_comments = Some(format!(
                    "Declared as `{}`; written as the equivalent SPDX expression.",
                    clean(&declared.declared)
                ));
            }
            match declared.form {
                LicenseForm::Id(text) | LicenseForm::Expression(text) => {
                    for reference in sbom_common::license_refs(&text) {
                        extracted.reference(&reference, &package.name_version());
                    }
                    text
                }
                LicenseForm::Named(text) => extracted.named(&clean(&text)),
            }
        }
    };
    let mut checksums: Vec<Checksum> = package
        .hashes
        .iter()
        .filter(|hash| sbom_common::is_valid_hash(hash.algorithm, &hash.value))
        .map(|hash| Checksum {
            algorithm: match hash.algorithm {
                HashAlgorithm::Md5 => "MD5",
                HashAlgorithm::Sha1 => "SHA1",
                HashAlgorithm::Sha256 => "SHA256",
                HashAlgorithm::Sha384 => "SHA384",
                HashAlgorithm::Sha512 => "SHA512",
            }
            .to_string(),
            checksum_value: hash.value.to_ascii_lowercase(),
        })
        .collect();
    checksums.sort();
    checksums.dedup();
    SpdxPackage {
        spdx_id: spdx_id.to_string(),
        name: clean(&package.name),
        version_info: (!package.version.is_empty()).then(|| clean(&package.version)),
        download_location: download_location(&package.source),
        files_analyzed: false,
        license_concluded: NOASSERTION.to_string(),
        license_declared,
        copyright_text: NOASSERTION.to_string(),
        checksums,
        external_refs: package
            .purl
            .iter()
            .map(|purl| ExternalRef {
                reference_category: "PACKAGE-MANAGER".to_string(),
                reference_type: "purl".to_string(),
                reference_locator: purl.clone(),
            })
            .collect(),
        homepage: package
            .homepage
            .as_deref()
            .and_then(sbom_common::absolute_url)
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .map(str::to_string),
        description: package
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(clean),
        license_comments,
        primary_package_purpose: if root_like { "APPLICATION" } else { "LIBRARY" }.to_string(),
    }
}

/// `downloadLocation`: the registry URL, an SPDX VCS locator for git (`git+URL@commit`), or
/// `NOASSERTION` for local and unknown sources.
pub(crate) fn download_location(source: &Source) -> String {
    match source {
        Source::Registry { url, .. } if sbom_common::absolute_url(url).is_some() => {
            url.trim().to_string()
        }
        Source::Git { url, commit, .. } if sbom_common::absolute_url(url).is_some() => {
            let url = url.trim();
            let url = url.strip_prefix("git+").unwrap_or(url);
            match commit {
                Some(commit) => format!("git+{url}@{commit}"),
                None => format!("git+{url}"),
            }
        }
        _ => NOASSERTION.to_string(),
    }
}

/// The `hasExtractedLicensingInfos` being collected: declared texts that are not SPDX, and
/// `LicenseRef-`s used inside valid expressions (SPDX wants each one defined in the document).
#[derive(Default)]
struct ExtractedLicenses {
    /// Declared text -> its `LicenseRef-` id.
    named: BTreeMap<String, String>,
    /// `LicenseRef-` ids used in expressions -> the packages using them.
    referenced: BTreeMap<String, BTreeSet<String>>,
}

impl ExtractedLicenses {
    /// The `LicenseRef-` for a declared text that is not SPDX: the sanitised text, made unique
    /// with a digest when two texts sanitise alike.
    fn named(&mut self, text: &str) -> String {
        if let Some(id) = self.named.get(text) {
            return id.clone();
        }
        let mut base: String = sanitise(text).chars().take(64).collect();
        base = base.trim_end_matches('-').to_string();
        let mut id = format!("LicenseRef-{base}");
        if self.named.values().any(|existing| *existing == id) || self.referenced.contains_key(&id)
        {
            let digest = crate::util::sha256_hex(text.as_bytes());
            id = format!("LicenseRef-{base}-{}", &digest[..12]);
        }
        self.named.insert(text.to_string(), id.clone());
        id
    }

    fn reference(&mut self, id: &str, package: &str) {
        self.referenced
            .entry(id.to_string())
            .or_default()
            .insert(package.to_string());
    }

    fn into_sorted(self) -> Vec<ExtractedLicense> {
        let mut licenses: BTreeMap<String, ExtractedLicense> = BTreeMap::new();
        for (text, id) in self.named {
            licenses.insert(
                id.clone(),
                ExtractedLicense {
                    license_id: id,
                    extracted_text: text.clone(),
                    name: text,
                    comment: Some(
                        "The license as the package declared it; it is not an SPDX expression."
                            .to_string(),
                    ),
                },
            );
        }
        for (id, packages) in self.referenced {
            licenses
                .entry(id.clone())
                .or_insert_with(|| ExtractedLicense {
                    name: id.trim_start_matches("LicenseRef-").to_string(),
                    license_id: id,
                    extracted_text: NOASSERTION.to_string(),
                    comment: Some(format!(
                        "Named in the declared license of {}; its text was not available.",
                        packages.into_iter().collect::<Vec<_>>().join(", ")
                    )),
                });
        }
        licenses.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_keeps_only_spdx_id_characters() {
        assert_eq!(sanitise("pkg:cargo/serde@1.0.0"), "pkg-cargo-serde-1.0.0");
        assert_eq!(sanitise("a__b  c"), "a-b-c");
        assert_eq!(sanitise("@@"), "unnamed");
    }

    #[test]
    fn spdx_ids_are_unique_after_sanitising() {
        let ids = spdx_ids(&["a_b".to_string(), "a-b".to_string()]);
        assert_eq!(ids[1], "SPDXRef-Package-a-b");
        assert_eq!(ids[0], "SPDXRef-Package-a-b-2");
    }

    #[test]
    fn git_download_location_is_a_vcs_locator() {
        let source = Source::Git {
            url: "https://github.com/o/r".to_string(),
            commit: Some("abc".to_string()),
            reference: None,
        };
        assert_eq!(download_location(&source), "git+https://github.com/o/r@abc");
        let local = Source::Path {
            path: "../x".to_string(),
        };
        assert_eq!(download_location(&local), "NOASSERTION");
    }

    #[test]
    fn named_licenses_get_distinct_refs() {
        let mut extracted = ExtractedLicenses::default();
        let first = extracted.named("My License");
        let second = extracted.named("My_License");
        assert_eq!(first, "LicenseRef-My-License");
        assert_ne!(first, second);
        assert_eq!(extracted.named("My License"), first);
    }
}
