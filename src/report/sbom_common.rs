//! Stage 5, report: what the SBOM writers share — document facts, unique references, the
//! subjects of the document, and how a declared license is written.
//!
//! In: `&Inventory`. Out: plain values the CycloneDX and SPDX writers render. Nothing here
//! touches bytes or files.

use std::collections::{BTreeMap, BTreeSet};

use ::spdx::{Expression, LicenseItem, ParseMode};

use crate::inventory::{HashAlgorithm, Inventory, Package, PackageId, PackageKind};

/// Facts about the document that do not come from the inventory.
#[derive(Debug, Clone)]
pub struct DocumentInfo {
    /// The subject's name: the scanned directory's name. Names the synthetic root component
    /// (CycloneDX) and the document (SPDX).
    pub name: String,
    /// The creation time; pass [`crate::util::timestamp`] so `SOURCE_DATE_EPOCH` is honoured.
    pub timestamp: time::OffsetDateTime,
    /// Who made the SBOM (`--creator`, `[sbom] creator`); `None` names only the tool.
    pub creator: Option<Party>,
    /// Who supplies the product (`--supplier`, `[sbom] supplier`).
    pub supplier: Option<Party>,
    /// The deployable product itself (`--artifact FILE`), hashed.
    pub artifact: Option<Artifact>,
    /// The profile whose fields are filled (`--profile`); `None` for a plain SBOM.
    pub profile: Option<Profile>,
    /// How the document was made: from lockfiles and manifests (the graph depgate read whole)
    /// or converted from other SBOMs (whose completeness depgate cannot vouch for).
    pub origin: DocumentOrigin,
    /// The description of the synthetic root that stands for several subjects.
    pub subject_description: String,
}

impl DocumentInfo {
    /// Document facts with the given subject name and timestamp.
    pub fn new(name: impl Into<String>, timestamp: time::OffsetDateTime) -> Self {
        Self {
            name: name.into(),
            timestamp,
            creator: None,
            supplier: None,
            artifact: None,
            profile: None,
            origin: DocumentOrigin::Scanned,
            subject_description: "All projects found in the scanned directory".to_string(),
        }
    }
}

/// Where a document's inventory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentOrigin {
    /// Lockfiles and manifests read by depgate: every package's dependencies were read.
    Scanned,
    /// One or more existing SBOMs (`--from`, `sbom merge`): their completeness is unknown.
    Converted,
}

/// An SBOM profile: a set of fields a regulation or guideline requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// BSI TR-03183-2 v2.1.0 (the German guideline behind the EU Cyber Resilience Act's SBOM).
    BsiTr031832,
}

/// A person or organisation named in an SBOM, with a contact BSI TR-03183-2 accepts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Party {
    /// The name as given (may equal the contact when only a contact was given).
    pub name: String,
    /// An e-mail address.
    pub email: Option<String>,
    /// A URL (`http://` or `https://`).
    pub url: Option<String>,
}

impl Party {
    /// Parses `Name <contact>`, `Name (contact)`, a bare e-mail address or a bare URL; the
    /// contact is an e-mail address when it has an `@` and no scheme, a URL when it starts with
    /// `http://` or `https://`. Text without a contact is a name alone.
    pub fn parse(text: &str) -> Option<Party> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let (name, contact) = match text.rfind(['<', '(']) {
            Some(open) if text.ends_with(['>', ')']) => {
                (text[..open].trim(), text[open + 1..text.len() - 1].trim())
            }
            _ => ("", text),
        };
        let (email, url) = if contact.starts_with("http://") || contact.starts_with("https://") {
            (None, Some(contact.to_string()))
        } else if contact.contains('@') && !contact.contains(char::is_whitespace) {
            (
                Some(contact.trim_start_matches("mailto:").to_string()),
                None,
            )
        } else {
            (None, None)
        };
        let name = if !name.is_empty() {
            name.to_string()
        } else if email.is_none() && url.is_none() {
            text.to_string()
        } else {
            contact.to_string()
        };
        Some(Party { name, email, url })
    }

    /// True when the party has an e-mail address or URL (what BSI TR-03183-2 asks for).
    pub fn has_contact(&self) -> bool {
        self.email.is_some() || self.url.is_some()
    }
}

/// The deployable product, read from disk: its file name, hashes and BSI properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// The file name (no directory).
    pub filename: String,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Lowercase hex SHA-512.
    pub sha512: String,
    /// What the file is, from its first bytes.
    pub kind: ArtifactKind,
}

impl Artifact {
    /// Describes a file from its name and bytes: SHA-256, SHA-512 and [`ArtifactKind::sniff`].
    pub fn from_bytes(filename: impl Into<String>, bytes: &[u8]) -> Artifact {
        use sha2::{Digest, Sha512};
        Artifact {
            filename: filename.into(),
            sha256: crate::util::sha256_hex(bytes),
            sha512: hex::encode(Sha512::digest(bytes)),
            kind: ArtifactKind::sniff(bytes),
        }
    }
}

impl ArtifactKind {
    /// What a file is, from its first bytes (magic numbers): executables (ELF, PE, Mach-O,
    /// `#!` scripts), archives (gzip, zip, xz, bzip2, zstd, 7z, tar, ar) or neither (an opaque
    /// blob: unstructured).
    pub fn sniff(bytes: &[u8]) -> ArtifactKind {
        let starts = |magic: &[u8]| bytes.starts_with(magic);
        let binary = starts(b"\x7fELF")
            || starts(b"MZ")
            || [
                [0xfe, 0xed, 0xfa, 0xce],
                [0xfe, 0xed, 0xfa, 0xcf],
                [0xce, 0xfa, 0xed, 0xfe],
                [0xcf, 0xfa, 0xed, 0xfe],
            ]
            .iter()
            .any(|magic| starts(magic));
        let archive = starts(&[0x1f, 0x8b])
            || starts(b"PK\x03\x04")
            || starts(&[0xfd, b'7', b'z', b'X', b'Z', 0])
            || starts(b"BZh")
            || starts(&[0x28, 0xb5, 0x2f, 0xfd])
            || starts(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c])
            || starts(b"!<arch>\n")
            || bytes.get(257..262) == Some(b"ustar");
        ArtifactKind {
            executable: binary || starts(b"#!"),
            archive,
            structured: binary || archive,
        }
    }
}

/// BSI TR-03183-2's three properties of a deployable file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArtifactKind {
    /// Machine code or a script that runs as it is.
    pub executable: bool,
    /// A container of other files (tar, zip, gzip, ...).
    pub archive: bool,
    /// Has an internal structure a tool can read (archives, ELF/PE/Mach-O, ...), as opposed
    /// to an opaque blob such as a raw firmware image.
    pub structured: bool,
}

/// The tool name and version written into every document.
pub(crate) const TOOL_NAME: &str = "depgate";
/// This build's version.
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The build an SBOM describes (`--target`, `--features`), as `(name, value)` document
/// properties: `depgate:build:target` (one per target), `depgate:build:features` and
/// `depgate:build:host`. Empty when no build was requested.
pub(crate) fn build_properties(inventory: &Inventory) -> Vec<(String, String)> {
    let Some(build) = &inventory.build else {
        return Vec::new();
    };
    let mut properties: Vec<(String, String)> = build
        .selection
        .target_names()
        .into_iter()
        .map(|target| ("depgate:build:target".to_string(), target))
        .collect();
    properties.push((
        "depgate:build:features".to_string(),
        build.selection.describe_features(),
    ));
    if !build.selection.packages.is_empty() {
        properties.push((
            "depgate:build:packages".to_string(),
            build.selection.packages.join(","),
        ));
    }
    properties.push(("depgate:build:host".to_string(), build.host.clone()));
    properties
}

/// The features a package is compiled with in the build, comma-separated, when a build was
/// resolved for it (`depgate:build:features` on its component).
pub(crate) fn build_features(inventory: &Inventory, id: PackageId) -> Option<String> {
    let package = inventory.build_package(id)?;
    Some(
        package
            .all_features()
            .into_iter()
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// `text` with every character XML 1.0 cannot carry (control characters other than tab, line
/// feed and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD. Manifests can hold such
/// characters, and the same model is written as XML, so every string from the inventory goes
/// through here.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|character| match character {
            '\t' | '\n' | '\r' => character,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => character,
        })
        .collect()
}

/// One reference per package (indexed by [`PackageId`]), unique within the inventory.
///
/// The base is [`crate::inventory::Package::bom_ref`]. A monorepo with two lockfiles can hold
/// the same package twice; the copies get the base, `|2`, `|3`, ... (`#` would read as a purl
/// subpath to tools that parse a bom-ref as a purl).
///
/// Converting a document depgate wrote must give it back byte for byte, so the numbering may
/// not depend on where a copy sits in the inventory: reading a document back puts the copies
/// in the order the writer listed them, which need not be the order they were numbered in
/// (CycloneDX lists `|10` before `|2`; SPDX sorts sanitised ids, which can interleave the
/// copies of two references). So copies are numbered by what the document says of them
/// (source, written facts, the references of their neighbours in the graph); only copies
/// alike in all of that are numbered by their place in the input.
pub(crate) fn unique_refs(inventory: &Inventory) -> Vec<String> {
    let packages = inventory.packages();
    let bases: Vec<String> = packages.iter().map(|p| clean(&p.bom_ref())).collect();
    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_by(|&a, &b| bases[a].cmp(&bases[b]));
    let copies: BTreeSet<usize> = order
        .chunk_by(|&a, &b| bases[a] == bases[b])
        .filter(|group| group.len() > 1)
        .flatten()
        .copied()
        .collect();
    let neighbours = neighbour_bases(inventory, &bases, &copies);
    let mut refs = vec![String::new(); packages.len()];
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for group in order.chunk_by_mut(|&a, &b| bases[a] == bases[b]) {
        group.sort_by(|&a, &b| {
            let (pa, pb) = (&packages[a], &packages[b]);
            pa.source
                .cmp(&pb.source)
                .then_with(|| written_facts(pa).cmp(&written_facts(pb)))
                .then_with(|| neighbours.get(&a).cmp(&neighbours.get(&b)))
                .then_with(|| pa.location.cmp(&pb.location))
                .then_with(|| a.cmp(&b))
        });
        // The first free references of base, base|2, base|3, ... (the base itself is taken
        // when it spells another package's `|2`, as the purl `pkg:npm/a@1|2` does).
        let base = &bases[group[0]];
        let mut candidates = Vec::with_capacity(group.len());
        let mut counter = 1;
        let mut candidate = base.clone();
        while candidates.len() < group.len() {
            if !taken.contains(&candidate) {
                candidates.push(candidate);
            }
            counter += 1;
            candidate = format!("{base}|{counter}");
        }
        // Handed out in text order, the order CycloneDX lists them in: alike copies, read back
        // in that order, get the same references again.
        candidates.sort();
        for (&index, reference) in group.iter().zip(candidates) {
            taken.insert(reference.clone());
            refs[index] = reference;
        }
    }
    refs
}

/// What the SBOM writers write of a package beside its reference and its edges, as one
/// comparable value.
fn written_facts(package: &Package) -> impl Ord + '_ {
    (
        (&package.name, &package.version, package.kind, package.scope),
        package.license_expression(),
        &package.hashes,
        &package.description,
        &package.authors,
        (&package.repository, &package.homepage),
    )
}

/// For each package of `packages`: the sorted bases of the packages it depends on, then of
/// those that depend on it (edges are written, and read back, by reference).
fn neighbour_bases<'a>(
    inventory: &Inventory,
    bases: &'a [String],
    packages: &BTreeSet<usize>,
) -> BTreeMap<usize, [Vec<&'a str>; 2]> {
    let mut neighbours: BTreeMap<usize, [Vec<&'a str>; 2]> = BTreeMap::new();
    for edge in inventory.edges() {
        let (from, to) = (edge.from.0, edge.to.0);
        if packages.contains(&from) {
            neighbours.entry(from).or_default()[0].push(&bases[to]);
        }
        if packages.contains(&to) {
            neighbours.entry(to).or_default()[1].push(&bases[from]);
        }
    }
    for lists in neighbours.values_mut() {
        lists.iter_mut().for_each(|list| list.sort_unstable());
    }
    neighbours
}

/// True for packages that are the project itself rather than a dependency.
pub(crate) fn is_root_like(inventory: &Inventory, id: PackageId) -> bool {
    inventory.roots().contains(&id) || inventory.package(id).kind == PackageKind::Root
}

/// Dependencies per package: `from -> {to}`, without self-edges, sorted by package id.
pub(crate) fn dependency_sets(inventory: &Inventory) -> BTreeMap<PackageId, BTreeSet<PackageId>> {
    let mut sets: BTreeMap<PackageId, BTreeSet<PackageId>> = BTreeMap::new();
    for package in inventory.packages() {
        sets.entry(package.id).or_default();
    }
    for edge in inventory.edges() {
        if edge.from != edge.to {
            sets.entry(edge.from).or_default().insert(edge.to);
        }
    }
    sets
}

/// The URL trimmed, when it is an absolute URI (`scheme:...`, RFC 3986) worth writing as a
/// reference: relative references (`github.com/o/r`), scp-like git addresses
/// (`git@host:o/r.git`), empty strings and unparsable text are left out.
pub(crate) fn absolute_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let (scheme, rest) = url.split_once(':')?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return None;
    }
    cyclonedx_bom::external_models::uri::Uri::try_from(url.to_string())
        .ok()
        .map(|_| url)
}

/// True when `value` is lowercase-or-uppercase hex of the right length for `algorithm`.
///
/// Both schemas pin hash values to hex of the algorithm's length; a value ingest stored in
/// another form (base64 integrity strings, say) would make the whole document invalid, so the
/// writers leave such a hash out rather than emit it.
pub(crate) fn is_valid_hash(algorithm: HashAlgorithm, value: &str) -> bool {
    let length = match algorithm {
        HashAlgorithm::Md5 => 32,
        HashAlgorithm::Sha1 => 40,
        HashAlgorithm::Sha256 => 64,
        HashAlgorithm::Sha384 => 96,
        HashAlgorithm::Sha512 => 128,
    };
    value.len() == length && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// How a declared license is written into an SBOM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LicenseForm {
    /// A single SPDX license-list id (no `+`, no `WITH`, no operator): CycloneDX `license.id`.
    Id(String),
    /// A valid SPDX expression in canonical form: CycloneDX `expression`, SPDX `licenseDeclared`.
    Expression(String),
    /// Not an SPDX expression, kept as written: CycloneDX `license.name`, an SPDX `LicenseRef-`.
    Named(String),
}

/// A declared license, classified for output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeclaredLicense {
    /// The form to write.
    pub form: LicenseForm,
    /// The license exactly as the package declared it (trimmed).
    pub declared: String,
}

impl DeclaredLicense {
    /// True when the written form differs from what the package declared (`MIT/Apache-2.0`
    /// written as `MIT OR Apache-2.0`), so writers can keep the declared text beside it.
    pub fn is_normalised(&self) -> bool {
        match &self.form {
            LicenseForm::Id(text) | LicenseForm::Expression(text) => *text != self.declared,
            LicenseForm::Named(_) => false,
        }
    }
}

/// Classifies a declared license string with the spdx crate.
///
/// Lax parsing decides whether it is SPDX at all (it accepts `/` for `OR`, deprecated ids,
/// imprecise names such as `Apache 2.0`); the canonical form it yields must then pass strict
/// parsing, or the text is kept as a name. `NOASSERTION` and `NONE` are no license to write.
/// `DocumentRef-` needs an external document we do not
/// write, so such expressions are kept as names too. Empty text is no license.
pub(crate) fn classify_license(declared: &str) -> Option<DeclaredLicense> {
    let declared = declared.trim();
    // SPDX's "no information" and "no license" values are not licenses to write as such.
    if declared.is_empty() || declared == "NOASSERTION" || declared == "NONE" {
        return None;
    }
    let named = || DeclaredLicense {
        form: LicenseForm::Named(declared.to_string()),
        declared: declared.to_string(),
    };
    if Expression::parse_mode(declared, ParseMode::LAX).is_err() {
        return Some(named());
    }
    let canonical = match Expression::canonicalize(declared) {
        Ok(Some(canonical)) => canonical,
        Ok(None) => declared.to_string(),
        Err(_) => return Some(named()),
    };
    let Ok(expression) = Expression::parse_mode(&canonical, ParseMode::STRICT) else {
        return Some(named());
    };
    if canonical.contains("DocumentRef-") {
        return Some(named());
    }
    let requirements: Vec<_> = expression.requirements().collect();
    let single_id = match requirements.as_slice() {
        [only] if only.req.addition.is_none() => match &only.req.license {
            LicenseItem::Spdx {
                id,
                or_later: false,
            } if id.name == canonical => Some(id.name.to_string()),
            _ => None,
        },
        _ => None,
    };
    let form = match single_id {
        Some(id) => LicenseForm::Id(id),
        None => LicenseForm::Expression(canonical),
    };
    Some(DeclaredLicense {
        form,
        declared: declared.to_string(),
    })
}

/// The `LicenseRef-` ids an SPDX expression uses (without `DocumentRef-` ones).
pub(crate) fn license_refs(expression: &str) -> Vec<String> {
    let Ok(parsed) = Expression::parse_mode(expression, ParseMode::STRICT) else {
        return Vec::new();
    };
    let mut refs: Vec<String> = parsed
        .requirements()
        .filter_map(|requirement| match &requirement.req.license {
            LicenseItem::Other(reference) if reference.doc_ref.is_none() => {
                Some(format!("LicenseRef-{}", reference.lic_ref))
            }
            _ => None,
        })
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// A fixed namespace so depgate's UUIDs never collide with another tool's v5 UUIDs of the
/// same digest: the v5 UUID of the URL namespace and `https://github.com/depgate/depgate#sbom`.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x09887b78_7c99_5128_940f_c7f1822e0323);

/// A UUID derived from content: v5 in depgate's own namespace, named by the content's SHA-256.
/// Same content, same UUID; never random.
pub(crate) fn content_uuid(content: &[u8]) -> uuid::Uuid {
    let digest = crate::util::sha256_hex(content);
    uuid::Uuid::new_v5(&NAMESPACE, digest.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Location};

    /// A copy of `left-pad` 1.3.0 found at `line`, with `license` when given.
    fn copy(line: u32, license: Option<&str>) -> Package {
        let location = Location {
            file: "package-lock.json".into(),
            line: Some(line),
        };
        let mut package = Package::new(Ecosystem::Npm, "left-pad", "1.3.0", location);
        package.purl = Some("pkg:npm/left-pad@1.3.0".to_string());
        package.license = license.map(|expression| LicenseInfo {
            expression: expression.to_string(),
            origin: LicenseOrigin::Sbom,
            confidence: 1.0,
            file: None,
        });
        package
    }

    #[test]
    fn copies_that_look_alike_are_numbered_in_the_text_order_of_their_references() {
        // Writers list references as text (`|10` before `|2`); reading such a document back
        // orders alike copies by their place in it, which must give the same numbers.
        let mut inventory = Inventory::new();
        for line in 1..=11 {
            inventory.add_package(copy(line, None));
        }
        let refs = unique_refs(&inventory);
        assert_eq!(refs[0], "pkg:npm/left-pad@1.3.0");
        assert_eq!(refs[1], "pkg:npm/left-pad@1.3.0|10");
        let mut by_text: Vec<usize> = (0..refs.len()).collect();
        by_text.sort_by_key(|&index| &refs[index]);
        assert_eq!(by_text, (0..11).collect::<Vec<_>>());
    }

    #[test]
    fn copies_are_numbered_by_what_is_written_of_them_not_by_their_place() {
        for (first, second) in [
            (Some("MIT"), Some("Apache-2.0")),
            (Some("Apache-2.0"), Some("MIT")),
        ] {
            let mut inventory = Inventory::new();
            let first = inventory.add_package(copy(1, first));
            let second = inventory.add_package(copy(2, second));
            let refs = unique_refs(&inventory);
            let by_license: BTreeMap<_, _> = [first, second]
                .into_iter()
                .map(|id| {
                    let license = inventory.package(id).license_expression();
                    (license, refs[id.0].as_str())
                })
                .collect();
            assert_eq!(by_license[&Some("Apache-2.0")], "pkg:npm/left-pad@1.3.0");
            assert_eq!(by_license[&Some("MIT")], "pkg:npm/left-pad@1.3.0|2");
        }
    }

    fn form(text: &str) -> Option<LicenseForm> {
        classify_license(text).map(|license| license.form)
    }

    #[test]
    fn single_spdx_id_is_an_id() {
        assert_eq!(form("MIT"), Some(LicenseForm::Id("MIT".into())));
        assert_eq!(
            form(" Apache-2.0 "),
            Some(LicenseForm::Id("Apache-2.0".into()))
        );
    }

    #[test]
    fn compound_and_exceptions_are_expressions() {
        assert_eq!(
            form("MIT OR Apache-2.0"),
            Some(LicenseForm::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(
            form("Apache-2.0 WITH LLVM-exception"),
            Some(LicenseForm::Expression(
                "Apache-2.0 WITH LLVM-exception".into()
            ))
        );
        assert_eq!(
            form("Apache-1.0+"),
            Some(LicenseForm::Expression("Apache-1.0+".into()))
        );
        assert_eq!(
            form("LicenseRef-Proprietary"),
            Some(LicenseForm::Expression("LicenseRef-Proprietary".into()))
        );
    }

    #[test]
    fn messy_but_lax_valid_is_normalised() {
        let license = classify_license("MIT/Apache-2.0").unwrap();
        assert_eq!(
            license.form,
            LicenseForm::Expression("MIT OR Apache-2.0".into())
        );
        assert!(license.is_normalised());
        assert_eq!(license.declared, "MIT/Apache-2.0");
        assert_eq!(
            form("GPL-2.0+"),
            Some(LicenseForm::Id("GPL-2.0-or-later".into()))
        );
        assert_eq!(
            form("Apache 2.0"),
            Some(LicenseForm::Id("Apache-2.0".into()))
        );
        assert!(!classify_license("MIT").unwrap().is_normalised());
    }

    #[test]
    fn unparsable_is_named_and_empty_is_none() {
        assert_eq!(
            form("Unknown-License-1.0"),
            Some(LicenseForm::Named("Unknown-License-1.0".into()))
        );
        assert_eq!(
            form("see LICENSE file"),
            Some(LicenseForm::Named("see LICENSE file".into()))
        );
        assert_eq!(
            form("DocumentRef-x:LicenseRef-y"),
            Some(LicenseForm::Named("DocumentRef-x:LicenseRef-y".into()))
        );
        assert_eq!(form("   "), None);
        assert_eq!(form("NOASSERTION"), None);
    }

    #[test]
    fn license_refs_are_listed_once() {
        assert_eq!(
            license_refs("LicenseRef-A OR (MIT AND LicenseRef-A)"),
            vec!["LicenseRef-A".to_string()]
        );
        assert!(license_refs("MIT").is_empty());
    }

    #[test]
    fn only_absolute_urls_are_references() {
        assert_eq!(
            absolute_url(" https://github.com/o/r "),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            absolute_url("sparse+https://index.crates.io/"),
            Some("sparse+https://index.crates.io/")
        );
        assert_eq!(absolute_url("github.com/o/r"), None);
        assert_eq!(absolute_url("git@github.com:o/r.git"), None);
        assert_eq!(absolute_url("http://[broken"), None);
        assert_eq!(absolute_url("https://x.org/a b"), None);
        assert_eq!(absolute_url(""), None);
    }

    #[test]
    fn clean_replaces_what_xml_cannot_carry() {
        assert_eq!(clean("a\u{0}b\tc\u{fffe}"), "a\u{fffd}b\tc\u{fffd}");
        assert_eq!(clean("ünïcödé"), "ünïcödé");
    }

    #[test]
    fn parties_parse_with_and_without_a_name() {
        let person = Party::parse("Jane Doe <jane@example.org>").unwrap();
        assert_eq!(person.name, "Jane Doe");
        assert_eq!(person.email.as_deref(), Some("jane@example.org"));
        let organisation = Party::parse("https://example.org").unwrap();
        assert_eq!(organisation.url.as_deref(), Some("https://example.org"));
        assert_eq!(organisation.name, "https://example.org");
        let named = Party::parse("ACME").unwrap();
        assert!(!named.has_contact());
        assert!(Party::parse("  ").is_none());
    }

    #[test]
    fn artefacts_are_sniffed_by_their_magic_numbers() {
        let elf = ArtifactKind::sniff(b"\x7fELF\x02\x01");
        assert!(elf.executable && elf.structured && !elf.archive);
        let gzip = ArtifactKind::sniff(&[0x1f, 0x8b, 8, 0]);
        assert!(gzip.archive && gzip.structured && !gzip.executable);
        let blob = ArtifactKind::sniff(b"\x00\x01firmware");
        assert!(!blob.archive && !blob.structured && !blob.executable);
        let artifact = Artifact::from_bytes("app", b"");
        assert!(artifact.sha512.starts_with("cf83e1357eefb8bd"));
    }

    #[test]
    fn namespace_is_what_its_comment_says() {
        let derived = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            b"https://github.com/depgate/depgate#sbom",
        );
        assert_eq!(NAMESPACE, derived);
    }

    #[test]
    fn content_uuid_is_stable_and_content_dependent() {
        assert_eq!(content_uuid(b"a"), content_uuid(b"a"));
        assert_ne!(content_uuid(b"a"), content_uuid(b"b"));
        assert_eq!(content_uuid(b"a").get_version_num(), 5);
    }
}
