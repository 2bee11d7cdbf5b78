//! The model of an SBOM's *quality*: which of the fields minimum-element standards ask for a
//! document states, per component and for the document itself — whatever its format.
//!
//! In: nothing (`ingest::sbom_facts` reads a CycloneDX, SPDX 2 or SPDX 3 document into it).
//! Out: [`SbomFacts`], scored by `evaluate::sbom_quality`. Facts are what the document says,
//! not what depgate could add: a component "has" a field only when the document carries it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

/// A field a component may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentField {
    /// A name.
    Name,
    /// A version.
    Version,
    /// A supplier (CycloneDX `supplier` or `publisher`; SPDX `supplier` / `suppliedBy`), not
    /// `NOASSERTION`. The creator (`manufacturer`, `originator`) is not the supplier.
    Supplier,
    /// An identifier unique in the document (SPDX `SPDXID` / `spdxId`, CycloneDX `bom-ref`),
    /// or a purl, CPE or SWID tag.
    Identifier,
    /// A purl, CPE or SWID tag: an identifier that finds the component outside the document.
    ExternalIdentifier,
    /// The creator with an e-mail address or URL (CycloneDX `manufacturer`/`authors`, SPDX 2
    /// `originator`, SPDX 3 `originatedBy`).
    CreatorContact,
    /// The file name of the deployable form (CycloneDX `bsi:component:filename`, SPDX 2
    /// `packageFileName`, SPDX 3 a `hasDistributionArtifact` file's name).
    Filename,
    /// Any hash.
    Hash,
    /// A SHA-512 hash.
    Sha512,
    /// Whether it is executable (CycloneDX `bsi:component:executable`; SPDX 3: a distribution
    /// file, where `executable` is omitted when it is not).
    Executable,
    /// Whether it is an archive.
    Archive,
    /// Whether it is structured.
    Structured,
    /// The licence it is distributed under (CycloneDX licenses not marked `declared` only,
    /// SPDX `licenseConcluded` / `hasConcludedLicense`), not `NOASSERTION`.
    DistributionLicence,
    /// The licence its authors declared (CycloneDX licenses, SPDX `licenseDeclared` /
    /// `hasDeclaredLicense`), not `NOASSERTION`.
    OriginalLicence,
}

/// A field of the document as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentField {
    /// Who made the SBOM (a person, organisation or tool).
    Author,
    /// Who made the SBOM, with an e-mail address or URL.
    CreatorContact,
    /// When it was made.
    Timestamp,
    /// A URI identifying the document (CycloneDX `serialNumber`, SPDX namespace / id).
    Uri,
    /// Dependency relationships between components.
    Dependencies,
    /// A statement of how complete the dependency lists are (CycloneDX `compositions`, SPDX 3
    /// `completeness`).
    Completeness,
    /// A format BSI TR-03183-2 v2.1.0 accepts: CycloneDX 1.6+ or SPDX 3.0.1+.
    FormatVersion,
}

/// One component and the fields it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentFacts {
    /// How to name it in a report: `name@version`, or its id.
    pub label: String,
    /// The fields it carries.
    pub fields: BTreeSet<ComponentField>,
}

/// What an SBOM says, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SbomFacts {
    /// The file.
    pub file: PathBuf,
    /// The format and version, e.g. `CycloneDX 1.6 JSON`, `SPDX 2.3 tag-value`.
    pub format: String,
    /// The document-level fields it carries.
    pub document: BTreeSet<DocumentField>,
    /// Every component (SPDX packages; CycloneDX components, the subject included).
    pub components: Vec<ComponentFacts>,
}
