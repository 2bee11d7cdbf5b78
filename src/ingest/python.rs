//! Python helpers shared by the poetry, uv, Pipfile and requirements parsers (stage 1, ingest).
//!
//! In: a name, a version and where the lockfile says the package comes from. Out: a `Package`
//! with the PEP 503 name, the source and a purl (`pkg:pypi/name@version`) only when identity
//! is certain: local paths get none, because a local directory must never match a PyPI advisory.

use std::path::Path;

use super::support::{location, pep503, purl};
use crate::inventory::{Ecosystem, Hash, HashAlgorithm, Package, PackageKind, Source};

/// The default index, as lockfiles spell it.
pub(crate) const PYPI_URL: &str = "https://pypi.org/simple";

/// Where a Python package comes from.
pub(crate) enum PythonSource {
    /// The public PyPI.
    Pypi,
    /// Another index (or PyPI spelled out).
    Registry(String),
    /// A git repository.
    Git {
        /// Repository URL.
        url: String,
        /// Resolved commit.
        commit: Option<String>,
        /// Requested branch, tag or rev.
        reference: Option<String>,
    },
    /// A direct archive URL.
    Url(String),
    /// A local directory or file (including editable installs).
    Path(String),
}

impl PythonSource {
    /// A short key used to keep packages from different sources apart.
    pub(crate) fn key(&self) -> String {
        match self {
            PythonSource::Pypi => String::new(),
            // PyPI spelled out is the same source as PyPI implied.
            PythonSource::Registry(url) if is_pypi(url) => String::new(),
            PythonSource::Registry(url) | PythonSource::Url(url) | PythonSource::Path(url) => {
                url.clone()
            }
            PythonSource::Git { url, commit, .. } => {
                format!("{url}#{}", commit.as_deref().unwrap_or_default())
            }
        }
    }
}

fn is_pypi(url: &str) -> bool {
    let url = url.trim_end_matches('/');
    url == PYPI_URL || url == "https://pypi.org/simple" || url == "https://pypi.python.org/simple"
}

/// A Python package from a lockfile entry, named per PEP 503.
pub(crate) fn python_package(
    path: &Path,
    line: Option<u32>,
    name: &str,
    version: &str,
    source: &PythonSource,
) -> Package {
    let name = pep503(name);
    let mut package = Package::new(Ecosystem::PyPI, &name, version, location(path, line));
    match source {
        PythonSource::Pypi => {
            package.source = Source::Registry {
                url: PYPI_URL.to_string(),
                default: true,
            };
            package.purl = purl("pypi", None, &name, version, &[]);
        }
        PythonSource::Registry(url) => {
            let default = is_pypi(url);
            package.source = Source::Registry {
                url: url.clone(),
                default,
            };
            let qualifier = if default { "" } else { url.as_str() };
            package.purl = purl(
                "pypi",
                None,
                &name,
                version,
                &[("repository_url", qualifier)],
            );
        }
        PythonSource::Git {
            url,
            commit,
            reference,
        } => {
            let url = url.trim_start_matches("git+").to_string();
            let vcs = match commit {
                Some(commit) => format!("git+{url}@{commit}"),
                None => format!("git+{url}"),
            };
            package.purl = purl("pypi", None, &name, version, &[("vcs_url", &vcs)]);
            package.source = Source::Git {
                url,
                commit: commit.clone(),
                reference: reference.clone(),
            };
        }
        PythonSource::Url(url) => {
            package.purl = purl("pypi", None, &name, version, &[("download_url", url)]);
            package.source = Source::Unknown;
        }
        PythonSource::Path(local) => {
            // A local directory: never a purl, so it cannot match a PyPI advisory.
            package.kind = PackageKind::Local;
            package.source = Source::Path {
                path: local.clone(),
            };
        }
    }
    package
}

/// Adds an `algorithm:hex` hash (pip / poetry / uv / pipenv spelling), skipping duplicates.
/// Why a `ALGORITHM:HEX` digest is not whole (a file cut inside it), or `None` when it is (or
/// its algorithm is one depgate does not know, which it leaves alone).
pub(crate) fn hash_problem(spelled: &str) -> Option<String> {
    let (algorithm, value) = spelled.trim().split_once(':')?;
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        "sha1" => 40,
        "md5" => 32,
        _ => return None,
    };
    (value.len() != length || !value.bytes().all(|b| b.is_ascii_hexdigit())).then(|| {
        format!(
            "`{spelled}` is not a whole {algorithm} digest ({length} hex digits): the value is cut short or corrupt"
        )
    })
}

/// Adds a `ALGORITHM:HEX` digest to a package (skipped when unknown or malformed).
pub(crate) fn add_python_hash(package: &mut Package, spelled: &str) {
    let Some((algorithm, value)) = spelled.trim().split_once(':') else {
        return;
    };
    let algorithm = match algorithm {
        "sha256" => HashAlgorithm::Sha256,
        "sha384" => HashAlgorithm::Sha384,
        "sha512" => HashAlgorithm::Sha512,
        "sha1" => HashAlgorithm::Sha1,
        "md5" => HashAlgorithm::Md5,
        _ => return,
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return;
    }
    let hash = Hash {
        algorithm,
        value: value.to_ascii_lowercase(),
    };
    if !package.hashes.contains(&hash) {
        package.hashes.push(hash);
    }
}
