//! Stage 3, enrich: declared licenses from providers behind one interface.
//!
//! In: an `Inventory` whose packages may lack a `license`, and a list of [`LicenseProvider`]s
//! (local metadata: installed Python distributions, `node_modules`, the Go module cache, the
//! local Maven repository; with `--online`, the registry APIs in [`registry`]).
//! Out: the same inventory with `license` filled where a provider knew it (each with its
//! origin and confidence), and coverage gaps for what stayed unknown or failed. A provider
//! failure never fails the scan: it becomes "license unknown" in the coverage section.

mod cache;
mod go;
mod maven;
mod npm;
mod python;
pub mod registry;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::inventory::{Inventory, LicenseInfo, Package, PackageKind};

pub use cache::{Cached, DiskCache};
pub use go::GoModCacheProvider;
pub use maven::MavenRepositoryProvider;
pub use npm::NodeModulesProvider;
pub use python::SitePackagesProvider;

/// Why a provider could not answer. Every variant about a file names it.
#[derive(Debug, Error)]
pub enum ProviderError {
    /// A metadata file could not be read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A metadata file was read but is not valid.
    #[error("`{}`: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A remote source failed (timeout, HTTP status, malformed body); for registry providers.
    #[error("license provider `{provider}`: {message}")]
    Remote {
        /// The provider's name.
        provider: String,
        /// What failed.
        message: String,
    },
}

/// A source of declared license facts for packages.
pub trait LicenseProvider {
    /// A short stable name (`python-site-packages`, `node-modules`, `go-mod-cache`,
    /// `maven-local`, later `npm-registry`, `deps-dev`, ...), used in gaps and cache paths.
    fn name(&self) -> &'static str;

    /// The license of `package`, `Ok(None)` when this provider does not know it.
    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError>;

    /// True for providers that need the network; they are skipped in offline mode.
    fn needs_network(&self) -> bool {
        false
    }

    /// False when this provider can never know `package` (another ecosystem, a private
    /// registry): it is then not asked, and nothing is cached for it.
    fn handles(&self, package: &Package) -> bool {
        let _ = package;
        true
    }
}

/// How providers may be used.
#[derive(Debug, Clone, Default)]
pub struct ProviderOptions {
    /// Never use providers that need the network.
    pub offline: bool,
}

/// What enrichment did, for summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseSummary {
    /// Packages that got a license from a provider.
    pub found: usize,
    /// Third-party packages still without a license.
    pub unknown: usize,
    /// Provider errors (each also recorded as a gap).
    pub errors: usize,
}

/// Fills `license` for third-party packages that have none, asking providers in order (the
/// first answer wins). Packages that already carry a license (from their lockfile) keep it.
pub fn enrich_licenses(
    inventory: &mut Inventory,
    providers: &[Box<dyn LicenseProvider>],
    options: &ProviderOptions,
) -> LicenseSummary {
    let mut summary = LicenseSummary::default();
    // Per provider: how many packages it failed for, and the first error message.
    let mut errors: Vec<(&'static str, usize, String)> = Vec::new();
    for package in inventory.packages_mut() {
        if package.kind != PackageKind::ThirdParty || package.license.is_some() {
            continue;
        }
        let mut failed: Vec<(&'static str, String)> = Vec::new();
        for provider in providers {
            if (options.offline && provider.needs_network()) || !provider.handles(package) {
                continue;
            }
            match provider.lookup(package) {
                Ok(Some(license)) => {
                    package.license = Some(license);
                    summary.found += 1;
                    break;
                }
                Ok(None) => {}
                // The gap names the provider already; a remote error's own text suffices.
                Err(ProviderError::Remote { message, .. }) => {
                    failed.push((provider.name(), message))
                }
                Err(error) => failed.push((provider.name(), crate::util::error_chain(&error))),
            }
        }
        // An error matters only when it left the license unknown: a later provider (the
        // deps.dev fallback behind a registry that is down) may still have answered.
        if package.license.is_some() {
            continue;
        }
        for (name, message) in failed {
            summary.errors += 1;
            match errors.iter_mut().find(|(known, _, _)| *known == name) {
                Some(entry) => entry.1 += 1,
                None => errors.push((name, 1, message)),
            }
        }
    }
    // One gap per provider, so an outage reads as one line rather than one per package.
    for (provider, count, first) in errors {
        let packages = if count == 1 { "package" } else { "packages" };
        inventory.add_gap(
            "license-provider-error",
            format!(
                "license provider `{provider}` failed for {count} {packages}, license unknown: {first}"
            ),
            count,
        );
    }
    summary.unknown = inventory
        .third_party()
        .filter(|p| p.license.is_none())
        .count();
    if summary.unknown > 0 {
        inventory.add_gap(
            "license-unknown",
            "packages with no declared license in their lockfile or from any license provider"
                .to_string(),
            summary.unknown,
        );
    }
    summary
}

/// Where local license metadata lives on this machine. Every field is optional; tests point
/// them at fixture directories, never at the real machine state.
#[derive(Debug, Clone, Default)]
pub struct LocalPaths {
    /// Python `site-packages` directories (holding `*.dist-info`).
    pub site_packages: Vec<PathBuf>,
    /// `node_modules` directories.
    pub node_modules: Vec<PathBuf>,
    /// The Go module cache (`$GOMODCACHE`, by default `~/go/pkg/mod`).
    pub go_mod_cache: Option<PathBuf>,
    /// The local Maven repository (by default `~/.m2/repository`).
    pub maven_repository: Option<PathBuf>,
}

impl LocalPaths {
    /// The usual locations for a scan of `root`: `root/node_modules`, virtualenvs under
    /// `root/.venv` and `root/venv`, and from the environment (`env` is `std::env::var` in
    /// production): `DEPGATE_SITE_PACKAGES` (`:`-separated), `GOMODCACHE` or `GOPATH/pkg/mod`
    /// or `HOME/go/pkg/mod`, `DEPGATE_MAVEN_REPOSITORY` or `HOME/.m2/repository`.
    pub fn discover(root: &Path, env: impl Fn(&str) -> Option<String>) -> Self {
        let mut paths = LocalPaths::default();
        let root_dir = if root.is_file() {
            root.parent().unwrap_or(Path::new(".")).to_path_buf()
        } else {
            root.to_path_buf()
        };
        let node_modules = root_dir.join("node_modules");
        if node_modules.is_dir() {
            paths.node_modules.push(node_modules);
        }
        for venv in [".venv", "venv"] {
            // `<venv>/lib/pythonX.Y/site-packages` on Unix, `<venv>/Lib/site-packages` on Windows.
            let lib = root_dir.join(venv).join("lib");
            if let Ok(entries) = std::fs::read_dir(&lib) {
                let mut found: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path().join("site-packages"))
                    .filter(|p| p.is_dir())
                    .collect();
                found.sort();
                paths.site_packages.extend(found);
            }
            let windows = root_dir.join(venv).join("Lib").join("site-packages");
            if windows.is_dir() {
                paths.site_packages.push(windows);
            }
        }
        if let Some(list) = env("DEPGATE_SITE_PACKAGES") {
            paths
                .site_packages
                .extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
        }
        let home = env("HOME").map(PathBuf::from);
        paths.go_mod_cache = env("GOMODCACHE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                env("GOPATH")
                    .filter(|v| !v.is_empty())
                    .and_then(|v| std::env::split_paths(&v).next())
                    .map(|p| p.join("pkg/mod"))
            })
            .or_else(|| home.as_ref().map(|h| h.join("go/pkg/mod")))
            .filter(|p| p.is_dir());
        paths.maven_repository = env("DEPGATE_MAVEN_REPOSITORY")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".m2/repository")))
            .filter(|p| p.is_dir());
        paths
    }

    /// One provider per configured location, in a fixed order.
    pub fn providers(&self) -> Vec<Box<dyn LicenseProvider>> {
        let mut providers: Vec<Box<dyn LicenseProvider>> = Vec::new();
        if !self.site_packages.is_empty() {
            providers.push(Box::new(SitePackagesProvider::new(&self.site_packages)));
        }
        if !self.node_modules.is_empty() {
            providers.push(Box::new(NodeModulesProvider::new(
                self.node_modules.clone(),
            )));
        }
        if let Some(cache) = &self.go_mod_cache {
            providers.push(Box::new(GoModCacheProvider::new(cache.clone())));
        }
        if let Some(repository) = &self.maven_repository {
            providers.push(Box::new(MavenRepositoryProvider::new(repository.clone())));
        }
        providers
    }
}

/// Maps a well-known license name or URL (as POMs, classifiers and `License:` fields write
/// them) to an SPDX id, with the confidence of the mapping; `None` if it is not recognised.
pub(crate) fn spdx_from_name(name: &str) -> Option<(String, f32)> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return None;
    }
    // An expression that already parses strictly is taken as written.
    if spdx::Expression::parse(trimmed).is_ok() {
        return Some((trimmed.to_string(), 1.0));
    }
    let lower = trimmed.to_ascii_lowercase();
    const KNOWN: &[(&str, &str)] = &[
        ("apache.org/licenses/license-2.0", "Apache-2.0"),
        ("apache software license, version 2.0", "Apache-2.0"),
        ("apache license, version 2.0", "Apache-2.0"),
        ("apache license 2.0", "Apache-2.0"),
        ("opensource.org/licenses/mit", "MIT"),
        ("mit license", "MIT"),
        ("eclipse public license - v 2.0", "EPL-2.0"),
        ("eclipse public license v2.0", "EPL-2.0"),
        ("eclipse.org/legal/epl-2.0", "EPL-2.0"),
        ("eclipse public license - v 1.0", "EPL-1.0"),
        ("eclipse distribution license - v 1.0", "BSD-3-Clause"),
        ("gnu lesser general public license v2.1", "LGPL-2.1-only"),
        (
            "gnu general public license v2.0 w/classpath exception",
            "GPL-2.0-only WITH Classpath-exception-2.0",
        ),
        (
            "cddl + gplv2 with classpath exception",
            "CDDL-1.1 OR GPL-2.0-only WITH Classpath-exception-2.0",
        ),
        ("bsd 3-clause", "BSD-3-Clause"),
        ("new bsd license", "BSD-3-Clause"),
        ("bsd 2-clause", "BSD-2-Clause"),
        ("mozilla public license 2.0", "MPL-2.0"),
        ("mozilla public license version 2.0", "MPL-2.0"),
        ("the unlicense", "Unlicense"),
        ("public domain", "LicenseRef-public-domain"),
    ];
    if let Some((_, id)) = KNOWN.iter().find(|(key, _)| lower.contains(key)) {
        return Some((id.to_string(), 0.9));
    }
    if let Some(id) = spdx::license_id(trimmed) {
        return Some((id.name.to_string(), 1.0));
    }
    // Imprecise names (`Apache 2.0`, `GPLv3`) are a guess: say so with a lower confidence.
    spdx::imprecise_license_id(trimmed)
        .filter(|(_, consumed)| *consumed == trimmed.len())
        .map(|(id, _)| (id.name.to_string(), 0.8))
}

/// Joins several licenses of one package as a choice (`A OR B`), parenthesising compounds.
pub(crate) fn any_of(licenses: &[String]) -> Option<String> {
    let mut unique: Vec<&str> = Vec::new();
    for license in licenses {
        if !unique.contains(&license.as_str()) {
            unique.push(license);
        }
    }
    crate::vocabulary::spdx::choice_of(&unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls_map_to_spdx() {
        assert_eq!(spdx_from_name("MIT"), Some(("MIT".into(), 1.0)));
        assert_eq!(
            spdx_from_name("The Apache Software License, Version 2.0"),
            Some(("Apache-2.0".into(), 0.9))
        );
        assert_eq!(
            spdx_from_name("https://www.apache.org/licenses/LICENSE-2.0.txt"),
            Some(("Apache-2.0".into(), 0.9))
        );
        assert_eq!(spdx_from_name("Some In-House Terms"), None);
    }

    #[test]
    fn several_licenses_are_a_choice() {
        assert_eq!(
            any_of(&["MIT".into(), "Apache-2.0".into(), "MIT".into()]).as_deref(),
            Some("MIT OR Apache-2.0")
        );
    }
}
