//! The `Package` record and its parts: ecosystem, source, scope, hashes, licenses, location.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Index of a package inside its [`super::Inventory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PackageId(pub usize);

/// The package ecosystem, which decides naming, version ordering and the purl type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// crates.io and other Cargo registries.
    Cargo,
    /// npm, yarn, pnpm.
    Npm,
    /// PyPI (poetry, uv, pipenv, pip).
    #[serde(rename = "pypi")]
    PyPI,
    /// Go modules.
    Go,
    /// RubyGems (bundler).
    #[serde(rename = "gem")]
    RubyGems,
    /// Packagist (composer).
    Composer,
    /// Maven Central and other Maven repositories (maven, gradle).
    Maven,
    /// NuGet.
    NuGet,
    /// Anything else, named by its purl type (from SBOM input).
    Other(String),
}

impl Ecosystem {
    /// The purl type for this ecosystem.
    pub fn purl_type(&self) -> &str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Maven => "maven",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Other(kind) => kind,
        }
    }

    /// The ecosystem for a purl type.
    pub fn from_purl_type(kind: &str) -> Ecosystem {
        match kind {
            "cargo" => Ecosystem::Cargo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPI,
            "golang" => Ecosystem::Go,
            "gem" => Ecosystem::RubyGems,
            "composer" => Ecosystem::Composer,
            "maven" => Ecosystem::Maven,
            "nuget" => Ecosystem::NuGet,
            other => Ecosystem::Other(other.to_string()),
        }
    }

    /// The OSV ecosystem name (`crates.io`, `npm`, `PyPI`, `Go`, ...).
    pub fn osv_name(&self) -> &str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Composer => "Packagist",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Other(kind) => kind,
        }
    }

    /// Whether one build can hold several versions of one package. Cargo compiles every
    /// semver-incompatible version a graph needs, and npm installs nested copies. The others
    /// resolve one version per name for each environment (pip, Go's minimal version selection,
    /// Bundler, Composer, NuGet per target framework, Gradle per configuration, Maven's nearest
    /// wins): several versions in one of their lockfiles are alternatives — uv's forks for
    /// other Python versions, Gradle's compile and runtime classpaths, Pipfile's default and
    /// develop sections — never installed together. An unknown ecosystem (from an SBOM) counts
    /// as able to. (An SBOM lists what one product ships, whatever the ecosystem: the
    /// duplicates rule counts every package of an SBOM.)
    pub fn builds_hold_several_versions(&self) -> bool {
        match self {
            Ecosystem::Cargo | Ecosystem::Npm | Ecosystem::Other(_) => true,
            Ecosystem::PyPI
            | Ecosystem::Go
            | Ecosystem::RubyGems
            | Ecosystem::Composer
            | Ecosystem::Maven
            | Ecosystem::NuGet => false,
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.purl_type())
    }
}

/// Where a package's code comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Source {
    /// A package registry.
    Registry {
        /// The registry's URL (for Cargo the index URL, e.g. `https://github.com/rust-lang/crates.io-index`).
        url: String,
        /// True for the ecosystem's default public registry (crates.io, registry.npmjs.org, ...).
        default: bool,
    },
    /// A git repository at a commit.
    Git {
        /// Repository URL without the `git+` prefix and without query or fragment.
        url: String,
        /// Full commit id when known.
        commit: Option<String>,
        /// Branch, tag or rev as requested, when known.
        reference: Option<String>,
    },
    /// A local directory (workspace member, path dependency, `file:`/`link:` entry).
    Path {
        /// The path as written in the lockfile or manifest.
        path: String,
    },
    /// Not stated by the input (for example a component in a third-party SBOM).
    Unknown,
}

impl Source {
    /// True for local path packages, which must never get a registry purl.
    pub fn is_local(&self) -> bool {
        matches!(self, Source::Path { .. })
    }

    /// A short display form: `registry+URL`, `git+URL#commit`, `path+PATH`, `unknown`.
    pub fn display(&self) -> String {
        match self {
            Source::Registry { url, .. } => format!("registry+{url}"),
            Source::Git { url, commit, .. } => match commit {
                Some(commit) => format!("git+{url}#{commit}"),
                None => format!("git+{url}"),
            },
            Source::Path { path } => format!("path+{path}"),
            Source::Unknown => "unknown".to_string(),
        }
    }
}

/// What a package is to the scanned project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// A project root: a workspace member, an npm workspace, an SBOM's subject.
    Root,
    /// A local package that is not a root (a path dependency).
    Local,
    /// A dependency from a registry, git or unknown source.
    ThirdParty,
}

/// How a package is used: shipped at runtime, only for development, or only to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Shipped with or needed by the product at run time.
    Runtime,
    /// Only needed by build scripts or procedural macros at compile time.
    Build,
    /// Only needed for tests, benchmarks, examples or tooling.
    Dev,
    /// Only pulled in by an optional feature or an optional dependency.
    Optional,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Runtime => "runtime",
            Scope::Build => "build",
            Scope::Dev => "dev",
            Scope::Optional => "optional",
        })
    }
}

/// Hash algorithms found in lockfiles and SBOMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    /// SHA-1 (old npm lockfiles, some SBOMs).
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-256 (Cargo checksums, pip hashes, go.sum `h1:` is base64 SHA-256 of a tree).
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512 (npm integrity).
    #[serde(rename = "SHA-512")]
    Sha512,
    /// MD5 (some SBOMs).
    #[serde(rename = "MD5")]
    Md5,
}

impl HashAlgorithm {
    /// The CycloneDX / SPDX spelling of the algorithm.
    pub fn as_str(&self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
            HashAlgorithm::Md5 => "MD5",
        }
    }
}

/// A content hash of the package's distributed archive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// The algorithm.
    pub algorithm: HashAlgorithm,
    /// Lowercase hex digest.
    pub value: String,
}

/// Where a license fact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseOrigin {
    /// The lockfile itself carries it (package-lock, composer.lock).
    Lockfile,
    /// The package's own manifest (Cargo.toml in the registry sources, package.json, ...).
    Manifest,
    /// `cargo metadata` output.
    CargoMetadata,
    /// An SBOM we read.
    Sbom,
    /// Detected from a license file's text.
    Detected,
    /// A registry's API.
    Registry,
    /// A policy clarification.
    Clarified,
}

/// A declared license with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseInfo {
    /// The license exactly as written by the source (may be messy: `MIT/Apache-2.0`).
    pub expression: String,
    /// Where the fact came from.
    pub origin: LicenseOrigin,
    /// Detection confidence in 0..=1 (1.0 for declared metadata).
    pub confidence: f32,
    /// The file it was read or detected from, when there is one.
    pub file: Option<PathBuf>,
}

/// Where a package was found: a file and, where known, a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The lockfile, manifest or SBOM.
    pub file: PathBuf,
    /// 1-based line of the package's entry.
    pub line: Option<u32>,
}

/// One dependency (or project root) in the inventory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Package {
    /// Index in the inventory; set by [`super::Inventory::add_package`].
    pub id: PackageId,
    /// Ecosystem.
    pub ecosystem: Ecosystem,
    /// Name as the ecosystem spells it (for Maven `group:artifact`, for Go the module path).
    pub name: String,
    /// Version as written (not normalised).
    pub version: String,
    /// Package URL, only when identity is certain: never for path or workspace packages.
    pub purl: Option<String>,
    /// Where the code comes from.
    pub source: Source,
    /// Root, local or third-party.
    pub kind: PackageKind,
    /// How the package is used.
    pub scope: Scope,
    /// True when a root depends on it directly.
    pub direct: bool,
    /// Declared license (metadata), if any.
    pub license: Option<LicenseInfo>,
    /// License files shipped with the package (paths relative to the package root, or absolute).
    pub license_files: Vec<PathBuf>,
    /// Archive hashes.
    pub hashes: Vec<Hash>,
    /// Where the package was found.
    pub location: Location,
    /// Short description from the manifest.
    pub description: Option<String>,
    /// Source repository URL from the manifest.
    pub repository: Option<String>,
    /// Homepage URL from the manifest.
    pub homepage: Option<String>,
    /// The package's authors or maintainers as its manifest names them (`Name <email>`), in
    /// the manifest's order; empty when no input says.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Directory holding the package's sources on this machine, when known (for license files).
    pub local_dir: Option<PathBuf>,
    /// The roots (projects, workspace members) this package belongs to: every root it is
    /// reachable from, in root order; a root lists itself. Set by
    /// [`super::Inventory::compute_roots`] after all inputs are merged; empty before that,
    /// and for a package no root reaches.
    pub roots: Vec<PackageId>,
}

impl Package {
    /// `direct` when a root depends on it directly, else `transitive` (as reports spell it).
    pub fn dependency(&self) -> &'static str {
        if self.direct { "direct" } else { "transitive" }
    }

    /// A new third-party package with the given identity; other fields empty.
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            id: PackageId(usize::MAX),
            ecosystem,
            name: name.into(),
            version: version.into(),
            purl: None,
            source: Source::Unknown,
            kind: PackageKind::ThirdParty,
            scope: Scope::Runtime,
            direct: false,
            license: None,
            license_files: Vec::new(),
            hashes: Vec::new(),
            location,
            description: None,
            repository: None,
            homepage: None,
            authors: Vec::new(),
            local_dir: None,
            roots: Vec::new(),
        }
    }

    /// `name@version`, the usual short identity.
    pub fn name_version(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// A reference unique within an inventory: the purl when there is one, else a local id.
    pub fn bom_ref(&self) -> String {
        match &self.purl {
            Some(purl) => purl.clone(),
            None => format!(
                "local:{}/{}@{}",
                self.ecosystem.purl_type(),
                self.name,
                self.version
            ),
        }
    }

    /// The declared license expression, if any.
    pub fn license_expression(&self) -> Option<&str> {
        self.license.as_ref().map(|l| l.expression.as_str())
    }
}
