//! Stage 1, ingest (SBOM helpers): detects CycloneDX and SPDX documents by content, and turns the
//! facts both SBOM readers extract into inventory packages.
//!
//! In: a path (detection) or one [`SbomEntry`] per component / package (building). Out: a
//! [`Format`] and [`Package`]s, plus the inventory gaps (`purl-missing`, `purl-invalid`,
//! `license-unknown`, `license-none`) so that what an SBOM does not say is reported, not hidden.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

use super::IngestError;
use super::discover::Format;
use super::purl::{parse_purl, preferred_name};
use crate::inventory::{
    Ecosystem, Hash, HashAlgorithm, Inventory, LicenseInfo, LicenseOrigin, Location, Package,
    PackageKind, Scope, Source,
};
use crate::util::count;

/// Files up to this size are searched whole for the format markers.
const WHOLE_FILE_LIMIT: u64 = 8 * 1024 * 1024;
/// For larger files, this much of the head and of the tail is searched: top-level keys sit
/// before or after the big arrays, and generators put `bomFormat` / `spdxVersion` at either end.
const WINDOW: u64 = 1024 * 1024;

/// The CycloneDX XML namespace prefix; the version follows it (`.../bom/1.4`).
pub(crate) const CYCLONEDX_NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Detects an SBOM from the file's content, falling back to its conventional name.
///
/// Content wins: a `.json` file is CycloneDX when it has `"bomFormat": "CycloneDX"`, SPDX when it
/// has `"spdxVersion": "SPDX-…"`; an `.xml` file is CycloneDX when it uses the CycloneDX
/// namespace; a `.spdx` file is SPDX tag-value when it has `SPDXVersion:`. Names alone
/// (`*.cdx.json`, `*.spdx.json`, `bom.json`, `bom.xml`, `*.spdx`) select a format so that a
/// broken file of that name gets a parse error with a line instead of being skipped.
pub fn detect_sbom(path: &Path) -> Result<Option<Format>, IngestError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if !matches!(extension, "json" | "xml" | "spdx") {
        return Ok(None);
    }
    let sample = read_sample(path)?;
    let by_content = match extension {
        "json" if has_json_marker(&sample, b"bomFormat", b"CycloneDX") => {
            Some(Format::CycloneDxJson)
        }
        "json" if has_json_marker(&sample, b"spdxVersion", b"SPDX-") => Some(Format::SpdxJson),
        // SPDX 3 JSON-LD is read by the SPDX JSON reader, which tells the versions apart.
        "json" if has_json_marker(&sample, b"@context", b"https://spdx.org/rdf/3") => {
            Some(Format::SpdxJson)
        }
        "xml" if contains(&sample, CYCLONEDX_NAMESPACE.as_bytes()) => Some(Format::CycloneDxXml),
        "spdx" if contains(&sample, b"SPDXVersion:") => Some(Format::SpdxTagValue),
        _ => None,
    };
    Ok(by_content.or_else(|| detect_sbom_by_name(&name)))
}

/// The format a conventional SBOM file name promises, without looking inside.
fn detect_sbom_by_name(lowercase_name: &str) -> Option<Format> {
    if lowercase_name.ends_with(".cdx.json") || lowercase_name == "bom.json" {
        Some(Format::CycloneDxJson)
    } else if lowercase_name.ends_with(".cdx.xml") || lowercase_name == "bom.xml" {
        Some(Format::CycloneDxXml)
    } else if lowercase_name.ends_with(".spdx.json") {
        Some(Format::SpdxJson)
    } else if lowercase_name.ends_with(".spdx") {
        Some(Format::SpdxTagValue)
    } else {
        None
    }
}

/// Why a file given explicitly is not something depgate reads, when it looks like a JSON or
/// XML document: used for the "not supported" error (exit 2).
pub fn not_an_sbom_hint(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let extension = name.rsplit_once('.').map(|(_, e)| e)?;
    let sample = read_sample(path).ok()?;
    match extension {
        "json" => Some(
            "a JSON file that is neither a CycloneDX SBOM (no `\"bomFormat\": \"CycloneDX\"`) \
             nor an SPDX SBOM (no `\"spdxVersion\"`, no SPDX 3 `@context`), and not a known \
             lockfile"
                .to_string(),
        ),
        "xml" if contains(&sample, b"spdx.org/rdf") || contains(&sample, b"spdxVersion") => Some(
            "an SPDX RDF/XML or XML document; depgate reads SPDX JSON and tag-value".to_string(),
        ),
        "xml" => Some(format!(
            "an XML file without the CycloneDX namespace `{CYCLONEDX_NAMESPACE}1.x`, and not a \
             known manifest"
        )),
        _ => None,
    }
}

/// The bytes searched for format markers: the whole file, or its head and tail when large.
fn read_sample(path: &Path) -> Result<Vec<u8>, IngestError> {
    let io_error = |source: std::io::Error| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (mut file, size) = crate::util::open_input(path, crate::util::limits().max_input_bytes)?;
    if size <= WHOLE_FILE_LIMIT {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes).map_err(io_error)?;
        return Ok(bytes);
    }
    let mut bytes = vec![0; (2 * WINDOW) as usize];
    file.read_exact(&mut bytes[..WINDOW as usize])
        .map_err(io_error)?;
    file.seek(SeekFrom::End(-(WINDOW as i64)))
        .map_err(io_error)?;
    file.read_exact(&mut bytes[WINDOW as usize..])
        .map_err(io_error)?;
    Ok(bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// True when `"key"` is followed (after optional whitespace and a colon) by a string value that
/// starts with `value_prefix`. A plain substring search would also match the words in a
/// description or a README embedded in some other JSON file.
fn has_json_marker(haystack: &[u8], key: &[u8], value_prefix: &[u8]) -> bool {
    let mut quoted_key = Vec::with_capacity(key.len() + 2);
    quoted_key.push(b'"');
    quoted_key.extend_from_slice(key);
    quoted_key.push(b'"');
    let mut start = 0;
    while let Some(found) = find(&haystack[start..], &quoted_key) {
        let mut at = start + found + quoted_key.len();
        let skip_space = |at: &mut usize| {
            while *at < haystack.len() && haystack[*at].is_ascii_whitespace() {
                *at += 1;
            }
        };
        skip_space(&mut at);
        if haystack.get(at) == Some(&b':') {
            at += 1;
            skip_space(&mut at);
            if haystack.get(at) == Some(&b'"')
                && haystack
                    .get(at + 1..at + 1 + value_prefix.len())
                    .is_some_and(|v| v == value_prefix)
            {
                return true;
            }
        }
        start += found + 1;
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The hash algorithm for a CycloneDX `alg` or SPDX `algorithm` name (`SHA-256`, `SHA256`).
/// Algorithms the inventory does not model (SHA3, BLAKE) give `None` and are skipped.
pub(crate) fn hash_algorithm(name: &str) -> Option<HashAlgorithm> {
    let compact: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    match compact.as_str() {
        "MD5" => Some(HashAlgorithm::Md5),
        "SHA1" => Some(HashAlgorithm::Sha1),
        "SHA256" => Some(HashAlgorithm::Sha256),
        "SHA384" => Some(HashAlgorithm::Sha384),
        "SHA512" => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// A hash from an SBOM, if its algorithm is modelled and its value is hex.
pub(crate) fn sbom_hash(algorithm: &str, value: &str) -> Option<Hash> {
    let value = value.trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(Hash {
        algorithm: hash_algorithm(algorithm)?,
        value: value.to_ascii_lowercase(),
    })
}

/// What an SBOM says about a package's license.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum LicenseValue {
    /// Nothing is said.
    #[default]
    Missing,
    /// `NOASSERTION`: the author did not determine it.
    NoAssertion,
    /// `NONE`: the package declares no license.
    NoneDeclared,
    /// A license expression or name, as written.
    Stated(String),
}

impl LicenseValue {
    /// Classifies one SPDX license field or CycloneDX license string.
    pub(crate) fn from_field(value: Option<&str>) -> LicenseValue {
        match value.map(str::trim) {
            None | Some("") => LicenseValue::Missing,
            Some(v) if v.eq_ignore_ascii_case("NOASSERTION") => LicenseValue::NoAssertion,
            Some(v) if v.eq_ignore_ascii_case("NONE") => LicenseValue::NoneDeclared,
            Some(v) => LicenseValue::Stated(v.to_string()),
        }
    }

    /// The first value that states a license; otherwise the most informative non-answer
    /// (`NONE` says more than `NOASSERTION`, which says more than nothing).
    pub(crate) fn or(self, other: LicenseValue) -> LicenseValue {
        match (self, other) {
            (LicenseValue::Stated(a), _) => LicenseValue::Stated(a),
            (_, LicenseValue::Stated(b)) => LicenseValue::Stated(b),
            (LicenseValue::NoneDeclared, _) | (_, LicenseValue::NoneDeclared) => {
                LicenseValue::NoneDeclared
            }
            (LicenseValue::NoAssertion, _) | (_, LicenseValue::NoAssertion) => {
                LicenseValue::NoAssertion
            }
            _ => LicenseValue::Missing,
        }
    }
}

/// The facts one SBOM component or package gives, before they become a [`Package`].
#[derive(Debug, Clone, Default)]
pub(crate) struct SbomEntry {
    /// Root (the document's subject), local (part of the subject) or third-party.
    pub kind: Option<PackageKind>,
    /// The name as the document writes it, namespace / group already joined where known.
    pub name: Option<String>,
    /// Other spellings of the name that may match the purl (`group/name`, `group:name`).
    pub name_candidates: Vec<String>,
    /// Version as written.
    pub version: Option<String>,
    /// The purl exactly as written.
    pub purl: Option<String>,
    /// The license statement.
    pub license: LicenseValue,
    /// Hashes.
    pub hashes: Vec<Hash>,
    /// Scope stated by the document.
    pub scope: Option<Scope>,
    /// Description.
    pub description: Option<String>,
    /// Homepage.
    pub homepage: Option<String>,
    /// Source repository.
    pub repository: Option<String>,
    /// An identifier to name the package by when it has neither a name nor a purl.
    pub fallback_name: Option<String>,
    /// 1-based line of the entry.
    pub line: Option<u32>,
}

/// Counts of facts missing from an SBOM, turned into inventory gaps at the end of a file.
#[derive(Debug, Default)]
pub(crate) struct SbomGaps {
    purl_missing: usize,
    purl_invalid: usize,
    first_invalid_purl: Option<String>,
    license_unknown: usize,
    license_none: usize,
}

impl SbomGaps {
    /// Records the gaps found in `path` on the inventory.
    pub(crate) fn record(self, inventory: &mut Inventory, path: &Path) {
        let file = path.display();
        if self.purl_missing > 0 {
            inventory.add_gap(
                "purl-missing",
                format!(
                    "`{file}`: {} without a purl; kept with an unknown ecosystem, they cannot \
                     be matched to advisories",
                    count(self.purl_missing, "component")
                ),
                self.purl_missing,
            );
        }
        if self.purl_invalid > 0 {
            inventory.add_gap(
                "purl-invalid",
                format!(
                    "`{file}`: {} with a purl that is not valid (first: `{}`), kept without \
                     a purl",
                    count(self.purl_invalid, "component"),
                    self.first_invalid_purl.as_deref().unwrap_or_default()
                ),
                self.purl_invalid,
            );
        }
        if self.license_unknown > 0 {
            inventory.add_gap(
                "license-unknown",
                format!(
                    "`{file}`: {} without license information (missing or `NOASSERTION`)",
                    count(self.license_unknown, "package")
                ),
                self.license_unknown,
            );
        }
        if self.license_none > 0 {
            inventory.add_gap(
                "license-none",
                format!(
                    "`{file}`: {} stated to declare no license (`NONE`)",
                    count(self.license_none, "package")
                ),
                self.license_none,
            );
        }
    }
}

/// Builds the inventory package for one SBOM entry, counting what is missing.
///
/// The purl decides ecosystem and identity. An entry without a usable purl is kept, with the
/// ecosystem `unknown`, so that coverage can say how much of the SBOM could not be identified.
pub(crate) fn package_from_entry(path: &Path, entry: SbomEntry, gaps: &mut SbomGaps) -> Package {
    let kind = entry.kind.unwrap_or(PackageKind::ThirdParty);
    let third_party = kind == PackageKind::ThirdParty;
    let identity = match entry.purl.as_deref().map(str::trim) {
        Some(purl) if !purl.is_empty() => match parse_purl(purl) {
            Ok(identity) => Some(identity),
            Err(_) => {
                gaps.purl_invalid += 1;
                if gaps.first_invalid_purl.is_none() {
                    gaps.first_invalid_purl = Some(purl.to_string());
                }
                None
            }
        },
        _ => {
            // The subject of an SBOM and its parts are the project itself: they need no purl.
            if third_party {
                gaps.purl_missing += 1;
            }
            None
        }
    };
    let declared_version = entry.version.filter(|v| !v.trim().is_empty());
    let (ecosystem, name, version, purl, source) = match identity {
        Some(identity) => {
            let declared = std::iter::once(entry.name.as_deref())
                .chain(entry.name_candidates.iter().map(|c| Some(c.as_str())))
                .flatten()
                .find(|candidate| {
                    preferred_name(&identity.name, Some(candidate)).as_str() == *candidate
                });
            let name = preferred_name(&identity.name, declared);
            let version = declared_version.or(identity.version).unwrap_or_default();
            let source = match identity.repository_url {
                Some(url) => Source::Registry {
                    url,
                    default: false,
                },
                None => Source::Unknown,
            };
            (identity.ecosystem, name, version, entry.purl, source)
        }
        None => {
            let name = entry
                .name
                .filter(|n| !n.trim().is_empty())
                .or(entry.fallback_name)
                .unwrap_or_else(|| "(unnamed)".to_string());
            (
                Ecosystem::Other("unknown".to_string()),
                name,
                declared_version.unwrap_or_default(),
                None,
                Source::Unknown,
            )
        }
    };
    let license = match entry.license {
        LicenseValue::Stated(expression) => Some(LicenseInfo {
            expression,
            origin: LicenseOrigin::Sbom,
            confidence: 1.0,
            file: Some(path.to_path_buf()),
        }),
        LicenseValue::NoneDeclared => {
            if third_party {
                gaps.license_none += 1;
            }
            None
        }
        LicenseValue::NoAssertion | LicenseValue::Missing => {
            if third_party {
                gaps.license_unknown += 1;
            }
            None
        }
    };
    let mut package = Package::new(
        ecosystem,
        name,
        version,
        Location {
            file: path.to_path_buf(),
            line: entry.line,
        },
    );
    package.purl = purl.map(|p| p.trim().to_string());
    package.source = source;
    package.kind = kind;
    package.scope = entry.scope.unwrap_or(Scope::Runtime);
    package.license = license;
    package.hashes = entry.hashes;
    package.description = entry.description.filter(|d| !d.trim().is_empty());
    package.homepage = entry.homepage.filter(|h| !h.trim().is_empty());
    package.repository = entry.repository.filter(|r| !r.trim().is_empty());
    package
}

/// The 1-based line of every `{` outside strings, in document order.
///
/// A pre-order walk of a parsed `Value` meets objects in the same order as their opening
/// braces appear in the text, so the n-th object visited opens on `lines[n]`. This gives
/// exact lines without a second, position-aware JSON parser.
pub(crate) fn object_lines(text: &str) -> Vec<u32> {
    let mut lines = Vec::new();
    let mut line = 1u32;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text.as_bytes() {
        if byte == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if byte == b'{' {
            lines.push(line);
        }
    }
    lines
}

/// The number of objects in a value, itself included.
pub(crate) fn count_objects(value: &Value) -> usize {
    match value {
        Value::Object(map) => 1 + map.values().map(count_objects).sum::<usize>(),
        Value::Array(items) => items.iter().map(count_objects).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_lines_skip_braces_in_strings() {
        let text = "{\n \"a\": \"{not}\",\n \"b\": [\n  {\"c\": \"\\\"{\"}\n ]\n}";
        assert_eq!(object_lines(text), vec![1, 4]);
    }

    #[test]
    fn json_marker_needs_key_colon_and_value() {
        assert!(has_json_marker(
            br#"{ "bomFormat" : "CycloneDX", "specVersion": "1.4" }"#,
            b"bomFormat",
            b"CycloneDX"
        ));
        assert!(has_json_marker(
            b"{\n  \"spdxVersion\":\n  \"SPDX-2.3\"}",
            b"spdxVersion",
            b"SPDX-"
        ));
        assert!(!has_json_marker(
            br#"{ "text": "bomFormat CycloneDX" }"#,
            b"bomFormat",
            b"CycloneDX"
        ));
        assert!(!has_json_marker(
            br#"{ "bomFormat": "SPDX" }"#,
            b"bomFormat",
            b"CycloneDX"
        ));
    }

    #[test]
    fn names_select_a_format_without_content() {
        assert_eq!(
            detect_sbom_by_name("app.cdx.json"),
            Some(Format::CycloneDxJson)
        );
        assert_eq!(detect_sbom_by_name("bom.xml"), Some(Format::CycloneDxXml));
        assert_eq!(
            detect_sbom_by_name("image.spdx.json"),
            Some(Format::SpdxJson)
        );
        assert_eq!(
            detect_sbom_by_name("release.spdx"),
            Some(Format::SpdxTagValue)
        );
        assert_eq!(detect_sbom_by_name("package.json"), None);
    }

    #[test]
    fn hash_algorithm_spellings() {
        assert_eq!(hash_algorithm("SHA-256"), Some(HashAlgorithm::Sha256));
        assert_eq!(hash_algorithm("SHA256"), Some(HashAlgorithm::Sha256));
        assert_eq!(hash_algorithm("sha1"), Some(HashAlgorithm::Sha1));
        assert_eq!(hash_algorithm("SHA3-256"), None);
        assert_eq!(hash_algorithm("BLAKE2b-256"), None);
        assert!(sbom_hash("SHA-1", "not hex").is_none());
    }

    #[test]
    fn license_values() {
        assert_eq!(
            LicenseValue::from_field(Some("NOASSERTION")),
            LicenseValue::NoAssertion
        );
        assert_eq!(
            LicenseValue::from_field(Some("NONE")),
            LicenseValue::NoneDeclared
        );
        assert_eq!(LicenseValue::from_field(None), LicenseValue::Missing);
        assert_eq!(
            LicenseValue::NoAssertion.or(LicenseValue::Stated("MIT".into())),
            LicenseValue::Stated("MIT".into())
        );
        assert_eq!(
            LicenseValue::NoAssertion.or(LicenseValue::NoneDeclared),
            LicenseValue::NoneDeclared
        );
    }

    #[test]
    fn entry_without_purl_is_kept_and_counted() {
        let mut gaps = SbomGaps::default();
        let package = package_from_entry(
            Path::new("bom.json"),
            SbomEntry {
                name: Some("libfoo".into()),
                version: Some("1.0".into()),
                ..SbomEntry::default()
            },
            &mut gaps,
        );
        assert_eq!(package.name, "libfoo");
        assert_eq!(package.ecosystem, Ecosystem::Other("unknown".into()));
        assert!(package.purl.is_none());
        assert_eq!(gaps.purl_missing, 1);
        assert_eq!(gaps.license_unknown, 1);
    }

    #[test]
    fn purl_decides_identity_and_is_kept_as_written() {
        let mut gaps = SbomGaps::default();
        let package = package_from_entry(
            Path::new("bom.json"),
            SbomEntry {
                name: Some("core".into()),
                name_candidates: vec!["@babel/core".into()],
                version: Some("7.22.5".into()),
                purl: Some("pkg:npm/%40babel/core@7.22.5".into()),
                license: LicenseValue::Stated("MIT".into()),
                ..SbomEntry::default()
            },
            &mut gaps,
        );
        assert_eq!(package.ecosystem, Ecosystem::Npm);
        assert_eq!(package.name, "@babel/core");
        assert_eq!(
            package.purl.as_deref(),
            Some("pkg:npm/%40babel/core@7.22.5")
        );
        assert_eq!(package.license_expression(), Some("MIT"));
        assert_eq!(gaps.purl_missing, 0);
    }
}
