//! License providers over registry HTTP APIs (stage 3, enrich; only with `--online`).
//!
//! In: packages still without a license after the local providers, and a [`RegistryConfig`]
//! (base URLs, timeouts, retries, the cache directory). Out: their declared license as the
//! registry states it, origin `registry`, with a confidence: 1.0 for an SPDX expression that
//! parses strictly, lower for names mapped to SPDX ids or free text that only parses
//! leniently. One provider per registry (npm, PyPI, crates.io, RubyGems, NuGet, Maven Central)
//! and deps.dev as a fallback for all of them (and the only one for Go), each wrapped in the
//! shared [`DiskCache`] so a second run makes no request.
//!
//! Only packages from the ecosystem's default public registry (or of unstated source) are
//! looked up: names from a private registry, git or a path are never sent to a public
//! service. Errors (timeouts, HTTP errors, malformed bodies) are [`ProviderError::Remote`],
//! which the caller turns into "license unknown"; after [`FAILURE_LIMIT`] failures in a row a
//! registry is treated as down for the rest of the run, so an outage costs a few timeouts,
//! not one per package.

mod crates;
mod deps_dev;
mod maven;
mod npm;
mod nuget;
mod pypi;
mod rubygems;

use std::cell::{Cell, OnceCell};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use super::{Cached, DiskCache, LicenseProvider, ProviderError, spdx_from_name};
use crate::inventory::{LicenseInfo, LicenseOrigin, Package, Source};
use crate::net::{HttpClient, HttpOptions};

pub use crates::CratesIoProvider;
pub use deps_dev::DepsDevProvider;
pub use maven::MavenCentralProvider;
pub use npm::NpmRegistryProvider;
pub use nuget::NuGetProvider;
pub use pypi::PyPIProvider;
pub use rubygems::RubyGemsProvider;

/// Consecutive failed requests after which a registry counts as down for this run.
pub const FAILURE_LIMIT: u32 = 3;

/// Confidence of a license name we could not map to SPDX, kept as written so a policy sees it.
const UNMAPPED_CONFIDENCE: f32 = 0.3;

/// Confidence of free text that parses only in the lenient SPDX mode (`MIT/Apache-2.0`).
const LENIENT_CONFIDENCE: f32 = 0.8;

/// `User-Agent` on every registry request; crates.io asks API clients to identify themselves.
const USER_AGENT: &str = concat!(
    "depgate/",
    env!("CARGO_PKG_VERSION"),
    " (license lookup; +https://github.com/depgate/depgate)"
);

/// Where the registries are and how to talk to them.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// npm registry (`DEPGATE_NPM_URL`, default `https://registry.npmjs.org`).
    pub npm_url: String,
    /// PyPI (`DEPGATE_PYPI_URL`, default `https://pypi.org`).
    pub pypi_url: String,
    /// crates.io (`DEPGATE_CRATES_URL`, default `https://crates.io`).
    pub crates_url: String,
    /// RubyGems (`DEPGATE_RUBYGEMS_URL`, default `https://rubygems.org`).
    pub rubygems_url: String,
    /// NuGet (`DEPGATE_NUGET_URL`, default `https://api.nuget.org`).
    pub nuget_url: String,
    /// Maven Central (`DEPGATE_MAVEN_URL`, default `https://repo1.maven.org/maven2`).
    pub maven_url: String,
    /// deps.dev (`DEPGATE_DEPS_DEV_URL`, default `https://api.deps.dev`).
    pub deps_dev_url: String,
    /// Connect/read timeouts, retries, backoff and the body size limit.
    pub http: HttpOptions,
    /// Overall limit for one request (`DEPGATE_REGISTRY_TIMEOUT`, in seconds; default 10).
    pub timeout: Duration,
    /// The answer cache (default `<depgate cache>/licenses`); `None` disables caching.
    pub cache_dir: Option<PathBuf>,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            npm_url: "https://registry.npmjs.org".into(),
            pypi_url: "https://pypi.org".into(),
            crates_url: "https://crates.io".into(),
            rubygems_url: "https://rubygems.org".into(),
            nuget_url: "https://api.nuget.org".into(),
            maven_url: "https://repo1.maven.org/maven2".into(),
            deps_dev_url: "https://api.deps.dev".into(),
            http: HttpOptions {
                connect_timeout: Duration::from_secs(5),
                read_timeout: Duration::from_secs(10),
                retries: 2,
                backoff: Duration::from_millis(500),
                // A version document is kilobytes; a POM or a catalog entry hardly more.
                max_bytes: 16 * 1024 * 1024,
                progress: false,
            },
            timeout: Duration::from_secs(10),
            cache_dir: crate::net::cache_dir().map(|dir| dir.join("licenses")),
        }
    }
}

impl RegistryConfig {
    /// The defaults, overridden from the environment (`env` is `std::env::var` in production):
    /// `DEPGATE_<REGISTRY>_URL` for each base URL (`NPM`, `PYPI`, `CRATES`, `RUBYGEMS`,
    /// `NUGET`, `MAVEN`, `DEPS_DEV`), `DEPGATE_REGISTRY_TIMEOUT` (seconds, fractions allowed)
    /// and `DEPGATE_REGISTRY_RETRIES`. Unparsable numbers keep the default.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Self {
        let mut config = Self::default();
        let set = |target: &mut String, name: &str| {
            if let Some(value) = env(name).filter(|v| !v.trim().is_empty()) {
                *target = value.trim().trim_end_matches('/').to_string();
            }
        };
        set(&mut config.npm_url, "DEPGATE_NPM_URL");
        set(&mut config.pypi_url, "DEPGATE_PYPI_URL");
        set(&mut config.crates_url, "DEPGATE_CRATES_URL");
        set(&mut config.rubygems_url, "DEPGATE_RUBYGEMS_URL");
        set(&mut config.nuget_url, "DEPGATE_NUGET_URL");
        set(&mut config.maven_url, "DEPGATE_MAVEN_URL");
        set(&mut config.deps_dev_url, "DEPGATE_DEPS_DEV_URL");
        if let Some(seconds) = env("DEPGATE_REGISTRY_TIMEOUT")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
        {
            let timeout = Duration::from_secs_f64(seconds);
            config.timeout = timeout;
            config.http.read_timeout = timeout;
            config.http.connect_timeout = config.http.connect_timeout.min(timeout);
        }
        if let Some(retries) = env("DEPGATE_REGISTRY_RETRIES").and_then(|v| v.trim().parse().ok()) {
            config.http.retries = retries;
        }
        config
    }

    /// The registry providers in lookup order (the per-ecosystem registries, then deps.dev),
    /// each behind the disk cache when there is one. They share one HTTP client, created on
    /// the first request (a run served from the cache starts no runtime).
    pub fn providers(&self) -> Vec<Box<dyn LicenseProvider>> {
        let client = Rc::new(SharedClient {
            http: self.http.clone(),
            timeout: self.timeout,
            client: OnceCell::new(),
        });
        let remote = |provider: &'static str, base: &str| Remote {
            provider,
            base: base.trim_end_matches('/').to_string(),
            client: client.clone(),
            failures: Cell::new(0),
        };
        let providers: Vec<Box<dyn LicenseProvider>> = vec![
            self.wrap(NpmRegistryProvider::new(remote(
                "npm-registry",
                &self.npm_url,
            ))),
            self.wrap(PyPIProvider::new(remote("pypi", &self.pypi_url))),
            self.wrap(CratesIoProvider::new(remote("crates-io", &self.crates_url))),
            self.wrap(RubyGemsProvider::new(remote(
                "rubygems",
                &self.rubygems_url,
            ))),
            self.wrap(NuGetProvider::new(remote("nuget", &self.nuget_url))),
            self.wrap(MavenCentralProvider::new(remote(
                "maven-central",
                &self.maven_url,
            ))),
            self.wrap(DepsDevProvider::new(remote("deps-dev", &self.deps_dev_url))),
        ];
        providers
    }

    fn wrap<P: LicenseProvider + 'static>(&self, provider: P) -> Box<dyn LicenseProvider> {
        match &self.cache_dir {
            Some(dir) => Box::new(Cached::new(provider, DiskCache::new(dir))),
            None => Box::new(provider),
        }
    }
}

/// The HTTP client shared by all registry providers of one run, built on first use.
struct SharedClient {
    http: HttpOptions,
    timeout: Duration,
    client: OnceCell<Result<HttpClient, String>>,
}

/// One registry endpoint as a provider sees it: its base URL, the shared client, and a count
/// of consecutive failures (the circuit breaker).
pub(crate) struct Remote {
    provider: &'static str,
    base: String,
    client: Rc<SharedClient>,
    failures: Cell<u32>,
}

impl Remote {
    /// The provider's name, for errors and cache paths.
    pub(crate) fn provider(&self) -> &'static str {
        self.provider
    }

    /// `base` + `path` (`path` starts with `/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An error about this provider.
    pub(crate) fn error(&self, message: String) -> ProviderError {
        ProviderError::Remote {
            provider: self.provider.to_string(),
            message,
        }
    }

    /// A body that is not what the API documents.
    pub(crate) fn malformed(&self, url: &str, what: impl std::fmt::Display) -> ProviderError {
        self.error(format!("malformed response from `{url}`: {what}"))
    }

    /// GETs `url`: the body, `None` for 404/410, or an error after retries. Once the registry
    /// has failed [`FAILURE_LIMIT`] times in a row, fails at once without a request.
    pub(crate) fn get(&self, url: &str, accept: &str) -> Result<Option<Vec<u8>>, ProviderError> {
        if self.failures.get() >= FAILURE_LIMIT {
            return Err(self.error(format!(
                "not asked: `{}` failed {FAILURE_LIMIT} times in a row in this run",
                self.base
            )));
        }
        let client = self.client.client.get_or_init(|| {
            HttpClient::new(&self.client.http, Some(self.client.timeout), USER_AGENT)
                .map_err(|e| e.to_string())
        });
        let client = client
            .as_ref()
            .map_err(|message| self.error(message.clone()))?;
        match client.get(url, accept) {
            Ok(body) => {
                self.failures.set(0);
                Ok(body)
            }
            // A refusal of one request (401/403 for one package) says nothing about the
            // registry being down: it does not count toward the breaker.
            Err(error @ crate::net::NetError::Status { .. }) => Err(self.error(error.to_string())),
            Err(error) => {
                self.failures.set(self.failures.get() + 1);
                Err(self.error(match error {
                    crate::net::NetError::Http { url, message } => format!("`{url}`: {message}"),
                    other => crate::util::error_chain(&other),
                }))
            }
        }
    }

    /// GETs `url` and parses it as JSON; a body that is not JSON is an error.
    pub(crate) fn get_json(&self, url: &str) -> Result<Option<serde_json::Value>, ProviderError> {
        let Some(body) = self.get(url, "application/json")? else {
            return Ok(None);
        };
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| self.malformed(url, format!("not JSON: {e}")))
    }
}

/// A license provider that asks one public registry over HTTP: it is named after its remote,
/// always needs the network, and is asked only about packages of its ecosystem that came from
/// the public registry ([`from_public_registry`]).
pub(crate) trait RegistryProvider {
    /// The registry it asks.
    fn remote(&self) -> &Remote;
    /// True for packages of the ecosystem (and name shape) this registry serves.
    fn handles_ecosystem(&self, package: &Package) -> bool;
    /// The license the registry gives for `package`, `Ok(None)` when it does not know it.
    fn fetch(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError>;
}

impl<T: RegistryProvider> LicenseProvider for T {
    fn name(&self) -> &'static str {
        self.remote().provider()
    }

    fn needs_network(&self) -> bool {
        true
    }

    fn handles(&self, package: &Package) -> bool {
        self.handles_ecosystem(package) && from_public_registry(package)
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        self.fetch(package)
    }
}

/// True when a package's name means the same thing on the ecosystem's public registry: it
/// came from that registry, or its input did not say (requirements files, SBOMs).
pub(crate) fn from_public_registry(package: &Package) -> bool {
    matches!(
        package.source,
        Source::Registry { default: true, .. } | Source::Unknown
    )
}

/// Percent-encodes one path segment (everything but `A-Z a-z 0-9 - . _ ~`), so `/`, `@`,
/// `:` and `+` in names and versions cannot change the path.
pub(crate) fn segment(text: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

/// A license string from a registry, with its confidence: a strict SPDX expression as
/// written (1.0); a known license name or URL mapped to its SPDX id (at most 0.9); text that
/// parses only leniently (`MIT/Apache-2.0`, `Apache 2.0`) as written (0.8); other short text
/// as written (0.3), so a policy can still see it. Empty, `UNKNOWN`, `NOASSERTION` and long
/// license texts are no answer.
pub(crate) fn license_from_text(text: &str) -> Option<(String, f32)> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    // npm's `SEE LICENSE IN <file>` points into the tarball, which we do not fetch. (npm's
    // `UNLICENSED`, "no license granted", is kept as written: a policy must see it.)
    if trimmed.is_empty()
        || ["UNKNOWN", "NOASSERTION", "NONE"].contains(&upper.as_str())
        || upper.starts_with("SEE LICENSE")
    {
        return None;
    }
    if spdx::Expression::parse(trimmed).is_ok() {
        return Some((trimmed.to_string(), 1.0));
    }
    if trimmed.contains('\n') || trimmed.len() > 120 {
        // A whole license text in a metadata field: no name to report.
        return None;
    }
    if let Some((id, sure)) = spdx_from_name(trimmed) {
        return Some((id, sure.min(0.9)));
    }
    if spdx::Expression::parse_mode(trimmed, spdx::ParseMode::LAX).is_ok() {
        return Some((trimmed.to_string(), LENIENT_CONFIDENCE));
    }
    Some((trimmed.to_string(), UNMAPPED_CONFIDENCE))
}

/// Several licenses a registry lists for one version, combined with `join` (`OR` for a
/// choice, `AND` when all apply), each parenthesised when compound; the confidence is the
/// weakest one's.
pub(crate) fn combine(licenses: &[(String, f32)], join: &str) -> Option<(String, f32)> {
    let mut unique: Vec<&(String, f32)> = Vec::new();
    for license in licenses {
        if !unique.iter().any(|known| known.0 == license.0) {
            unique.push(license);
        }
    }
    let confidence = unique.iter().map(|l| l.1).fold(1.0_f32, f32::min);
    match unique.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some((
            many.iter()
                .map(|(l, _)| {
                    if l.contains(' ') {
                        format!("({l})")
                    } else {
                        l.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(&format!(" {join} ")),
            confidence,
        )),
    }
}

/// A registry answer as a [`LicenseInfo`].
pub(crate) fn registry_license((expression, confidence): (String, f32)) -> LicenseInfo {
    LicenseInfo {
        expression,
        origin: LicenseOrigin::Registry,
        confidence,
        file: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_expressions_are_certain() {
        assert_eq!(
            license_from_text("MIT OR Apache-2.0"),
            Some(("MIT OR Apache-2.0".into(), 1.0))
        );
        assert_eq!(license_from_text(" UNKNOWN "), None);
        assert_eq!(license_from_text(""), None);
    }

    #[test]
    fn free_text_is_less_certain() {
        assert_eq!(
            license_from_text("MIT/Apache-2.0"),
            Some(("MIT/Apache-2.0".into(), LENIENT_CONFIDENCE))
        );
        assert_eq!(
            license_from_text("Apache License, Version 2.0"),
            Some(("Apache-2.0".into(), 0.9))
        );
        assert_eq!(
            license_from_text("Our own terms"),
            Some(("Our own terms".into(), UNMAPPED_CONFIDENCE))
        );
        let long = "Permission is hereby granted, free of charge, ".repeat(5);
        assert_eq!(license_from_text(&long), None);
    }

    #[test]
    fn names_are_one_segment() {
        assert_eq!(segment("@types/node"), "%40types%2Fnode");
        assert_eq!(segment("org.slf4j:slf4j-api"), "org.slf4j%3Aslf4j-api");
        assert_eq!(segment("1.0.0+build"), "1.0.0%2Bbuild");
    }

    #[test]
    fn several_licenses_combine() {
        let both = [
            ("MIT".to_string(), 1.0),
            ("Apache-2.0 OR BSD-3-Clause".into(), 0.8),
        ];
        assert_eq!(
            combine(&both, "AND"),
            Some(("MIT AND (Apache-2.0 OR BSD-3-Clause)".into(), 0.8))
        );
        assert_eq!(combine(&[], "OR"), None);
    }

    #[test]
    fn environment_overrides_defaults() {
        let config = RegistryConfig::from_env(|name| match name {
            "DEPGATE_NPM_URL" => Some("http://127.0.0.1:1/npm/".into()),
            "DEPGATE_REGISTRY_TIMEOUT" => Some("0.5".into()),
            "DEPGATE_REGISTRY_RETRIES" => Some("0".into()),
            _ => None,
        });
        assert_eq!(config.npm_url, "http://127.0.0.1:1/npm");
        assert_eq!(config.timeout, Duration::from_millis(500));
        assert_eq!(config.http.retries, 0);
        assert_eq!(config.pypi_url, "https://pypi.org");
    }
}
