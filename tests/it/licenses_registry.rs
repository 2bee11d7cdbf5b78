//! Registry license providers (`--online`) against a local HTTP server with recorded
//! responses from `tests/fixtures/registry`: a hit and a miss per registry, a timeout, a 429
//! with retry, a malformed body, an outage, the disk cache, and offline mode.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use depgate::enrich::licenses::registry::RegistryConfig;
use depgate::enrich::licenses::{ProviderOptions, enrich_licenses};
use depgate::inventory::{
    Ecosystem, Inventory, LicenseInfo, LicenseOrigin, Location, Package, Source,
};

use crate::common::{depgate, fixture};
use crate::http_server::{Reply, Server, serve};

/// Path on the test server -> recorded body.
const ROUTES: &[(&str, &str)] = &[
    ("/npm/left-pad/1.3.0", "registry/npm/left-pad-1.3.0.json"),
    (
        "/npm/@babel/code-frame/7.24.7",
        "registry/npm/at-babel-code-frame-7.24.7.json",
    ),
    (
        "/pypi/pypi/requests/2.31.0/json",
        "registry/pypi/requests-2.31.0.json",
    ),
    (
        "/pypi/pypi/attrs/24.2.0/json",
        "registry/pypi/attrs-24.2.0.json",
    ),
    (
        "/crates/api/v1/crates/serde/1.0.200",
        "registry/crates/serde-1.0.200.json",
    ),
    (
        "/rubygems/api/v2/rubygems/rake/versions/13.2.1.json",
        "registry/rubygems/rake-13.2.1.json",
    ),
    (
        "/nuget/v3/catalog0/data/2023.03.08.07.46.17/newtonsoft.json.13.0.3.json",
        "registry/nuget/newtonsoft.json.13.0.3.json",
    ),
    (
        "/maven/org/slf4j/slf4j-api/2.0.13/slf4j-api-2.0.13.pom",
        "registry/maven/slf4j-api-2.0.13.pom",
    ),
    (
        "/maven/org/slf4j/slf4j-parent/2.0.13/slf4j-parent-2.0.13.pom",
        "registry/maven/slf4j-parent-2.0.13.pom",
    ),
    (
        "/deps-dev/v3/systems/go/packages/golang.org%2Fx%2Ftext/versions/v0.14.0",
        "registry/deps-dev/golang.org-x-text-v0.14.0.json",
    ),
];

/// The NuGet registration leaf, served gzipped as nuget.org's `-gz-` hive serves it.
const NUGET_LEAF: &str = "/nuget/v3/registration5-gz-semver2/newtonsoft.json/13.0.3.json";

fn body(relative: &str) -> Vec<u8> {
    std::fs::read(fixture(relative)).unwrap()
}

fn json(status: u16, body: Vec<u8>) -> Reply {
    Reply::Full {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
    }
}

fn not_found() -> Reply {
    json(404, b"{\"error\":\"not found\"}".to_vec())
}

/// The recorded registry: every route above, 404 for anything else. `request` is the raw
/// request, whose `Host` gives the server's own address for documents that link to others.
fn recorded(path: &str, request: &str) -> Reply {
    if path == NUGET_LEAF {
        let host = request
            .lines()
            .find_map(|line| line.strip_prefix("host: ").or(line.strip_prefix("Host: ")))
            .unwrap()
            .trim();
        let leaf = String::from_utf8(body("registry/nuget/newtonsoft.json-13.0.3-leaf.json"))
            .unwrap()
            .replace("{{BASE}}", &format!("http://{host}"));
        return Reply::Full {
            status: 200,
            headers: vec![],
            body: gzip(leaf.as_bytes()),
        };
    }
    match ROUTES.iter().find(|(route, _)| *route == path) {
        Some((_, file)) => json(200, body(file)),
        None => not_found(),
    }
}

/// Gzips a body (the server substitutes `{{BASE}}` only in plain bodies).
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The configuration `from_env` builds for this server, with a short backoff.
fn config(server: &Server, cache: &Path) -> RegistryConfig {
    let base = server.base.clone();
    let mut config = RegistryConfig::from_env(|name| {
        let prefix = match name {
            "DEPGATE_NPM_URL" => "npm",
            "DEPGATE_PYPI_URL" => "pypi",
            "DEPGATE_CRATES_URL" => "crates",
            "DEPGATE_RUBYGEMS_URL" => "rubygems",
            "DEPGATE_NUGET_URL" => "nuget",
            "DEPGATE_MAVEN_URL" => "maven",
            "DEPGATE_DEPS_DEV_URL" => "deps-dev",
            "DEPGATE_REGISTRY_TIMEOUT" => return Some("1".into()),
            "DEPGATE_REGISTRY_RETRIES" => return Some("1".into()),
            _ => return None,
        };
        Some(format!("{base}/{prefix}/"))
    });
    config.http.backoff = Duration::from_millis(50);
    config.cache_dir = Some(cache.to_path_buf());
    config
}

fn package(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package::new(
        ecosystem,
        name,
        version,
        Location {
            file: PathBuf::from("lockfile"),
            line: None,
        },
    )
}

fn inventory_of(packages: Vec<Package>) -> Inventory {
    let mut inventory = Inventory::new();
    for package in packages {
        inventory.add_package(package);
    }
    inventory
}

/// Runs every registry provider (online) over `packages`.
fn enrich(server: &Server, cache: &Path, packages: Vec<Package>) -> Inventory {
    let mut inventory = inventory_of(packages);
    let providers = config(server, cache).providers();
    enrich_licenses(
        &mut inventory,
        &providers,
        &ProviderOptions { offline: false },
    );
    inventory
}

fn license<'a>(inventory: &'a Inventory, name: &str) -> Option<&'a LicenseInfo> {
    inventory
        .packages()
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.license.as_ref())
}

fn gap<'a>(inventory: &'a Inventory, kind: &str) -> Option<&'a depgate::inventory::Gap> {
    inventory.gaps.iter().find(|g| g.kind == kind)
}

/// A package, its expected expression and confidence, and (path prefix, requests) expected.
type HitCase = (Package, &'static str, f32, &'static [(&'static str, usize)]);

#[test]
fn each_registry_answers_a_hit() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    // (package, expected expression, expected confidence, requests expected per prefix)
    let cases: Vec<HitCase> = vec![
        (
            package(Ecosystem::Npm, "left-pad", "1.3.0"),
            "WTFPL",
            1.0,
            &[("/npm/", 1), ("/deps-dev/", 0)],
        ),
        (
            package(Ecosystem::Npm, "@babel/code-frame", "7.24.7"),
            "MIT",
            1.0,
            &[("/npm/", 1)],
        ),
        // `Apache 2.0` is free text: mapped, but not certain.
        (
            package(Ecosystem::PyPI, "requests", "2.31.0"),
            "Apache-2.0",
            0.8,
            &[("/pypi/", 1)],
        ),
        // No `license_expression` or `license`: the classifiers answer.
        (
            package(Ecosystem::PyPI, "attrs", "24.2.0"),
            "MIT",
            1.0,
            &[("/pypi/", 1)],
        ),
        (
            package(Ecosystem::Cargo, "serde", "1.0.200"),
            "MIT OR Apache-2.0",
            1.0,
            &[("/crates/", 1)],
        ),
        (
            package(Ecosystem::RubyGems, "rake", "13.2.1"),
            "MIT",
            1.0,
            &[("/rubygems/", 1)],
        ),
        // The registration leaf (gzipped), then the catalog entry it names.
        (
            package(Ecosystem::NuGet, "Newtonsoft.Json", "13.0.3"),
            "MIT",
            1.0,
            &[("/nuget/", 2)],
        ),
        // slf4j-api declares no licenses: they come from its parent POM.
        (
            package(Ecosystem::Maven, "org.slf4j:slf4j-api", "2.0.13"),
            "MIT",
            0.9,
            &[("/maven/", 2)],
        ),
        // Go has no registry license API: deps.dev answers.
        (
            package(Ecosystem::Go, "golang.org/x/text", "v0.14.0"),
            "BSD-3-Clause",
            1.0,
            &[("/deps-dev/", 1)],
        ),
    ];
    for (package, expression, confidence, requests) in cases {
        let name = package.name.clone();
        let cache = tempfile::tempdir().unwrap();
        let before: Vec<usize> = requests.iter().map(|(p, _)| server.count(p)).collect();
        let inventory = enrich(&server, cache.path(), vec![package]);
        let found = license(&inventory, &name).unwrap_or_else(|| {
            panic!("{name}: no license; gaps {:?}", inventory.gaps);
        });
        assert_eq!(found.expression, expression, "{name}");
        assert_eq!(found.origin, LicenseOrigin::Registry, "{name}");
        assert_eq!(found.confidence, confidence, "{name}");
        for ((prefix, expected), before) in requests.iter().zip(before) {
            assert_eq!(
                server.count(prefix) - before,
                *expected,
                "{name}: requests to {prefix}"
            );
        }
        assert!(
            gap(&inventory, "license-provider-error").is_none(),
            "{name}"
        );
    }
    // crates.io wants a User-Agent that names the client.
    let requests = server.requests.lock().unwrap();
    let crates = requests.iter().find(|r| r.contains("/crates/")).unwrap();
    assert!(
        crates.to_ascii_lowercase().contains("user-agent: depgate/"),
        "{crates}"
    );
}

#[test]
fn each_registry_miss_is_unknown_not_an_error() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    let cases = [
        (Ecosystem::Npm, "left-pad", "9.9.9", "/npm/"),
        (Ecosystem::PyPI, "requests", "0.0.1", "/pypi/"),
        (Ecosystem::Cargo, "serde", "0.0.1", "/crates/"),
        (Ecosystem::RubyGems, "rake", "0.0.1", "/rubygems/"),
        (Ecosystem::NuGet, "Newtonsoft.Json", "0.0.1", "/nuget/"),
        (Ecosystem::Maven, "org.slf4j:slf4j-api", "0.0.1", "/maven/"),
        (Ecosystem::Go, "golang.org/x/text", "v0.0.1", "/deps-dev/"),
    ];
    for (ecosystem, name, version, prefix) in cases {
        let cache = tempfile::tempdir().unwrap();
        let (own, fallback) = (server.count(prefix), server.count("/deps-dev/"));
        let inventory = enrich(
            &server,
            cache.path(),
            vec![package(ecosystem, name, version)],
        );
        assert_eq!(license(&inventory, name), None, "{name}@{version}");
        assert_eq!(
            server.count(prefix) - own,
            1,
            "{name}@{version}: one request"
        );
        if prefix != "/deps-dev/" {
            // The registry did not know it: deps.dev is asked as the fallback.
            assert_eq!(server.count("/deps-dev/") - fallback, 1, "{name}@{version}");
        }
        assert!(gap(&inventory, "license-provider-error").is_none());
        assert_eq!(
            gap(&inventory, "license-unknown").map(|g| g.packages),
            Some(1)
        );
    }
}

#[test]
fn a_timeout_is_retried_then_degrades_to_unknown() {
    let server = serve(Box::new(|path, _, _| {
        if path.starts_with("/npm/") {
            Reply::Hang
        } else {
            not_found()
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let inventory = enrich(
        &server,
        cache.path(),
        vec![package(Ecosystem::Npm, "left-pad", "1.3.0")],
    );
    assert_eq!(license(&inventory, "left-pad"), None);
    // One attempt and one retry (DEPGATE_REGISTRY_RETRIES=1), each cut off by the timeout.
    assert_eq!(server.count("/npm/"), 2);
    let error = gap(&inventory, "license-provider-error").expect("an error gap");
    assert!(
        error.message.contains("`npm-registry`"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("license unknown"),
        "{}",
        error.message
    );
    // Errors are not cached: the next run asks again.
    let again = enrich(
        &server,
        cache.path(),
        vec![package(Ecosystem::Npm, "left-pad", "1.3.0")],
    );
    assert!(gap(&again, "license-provider-error").is_some());
    assert_eq!(server.count("/npm/"), 4);
}

#[test]
fn a_429_is_retried_after_retry_after() {
    let server = serve(Box::new(|path, request, hit| {
        if path.starts_with("/npm/") && hit == 1 {
            Reply::Full {
                status: 429,
                headers: vec![("Retry-After".into(), "1".into())],
                body: b"slow down".to_vec(),
            }
        } else {
            recorded(path, request)
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let inventory = enrich(
        &server,
        cache.path(),
        vec![package(Ecosystem::Npm, "left-pad", "1.3.0")],
    );
    assert_eq!(
        license(&inventory, "left-pad").map(|l| l.expression.as_str()),
        Some("WTFPL")
    );
    assert_eq!(server.count("/npm/"), 2, "the 429, then the retry");
    // The retry waited as long as Retry-After asked, not just the 50 ms backoff.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(gap(&inventory, "license-provider-error").is_none());
}

#[test]
fn a_retry_after_beyond_a_minute_is_an_outage() {
    let server = serve(Box::new(|path, _, _| {
        if path.starts_with("/npm/") {
            Reply::Full {
                status: 429,
                headers: vec![("Retry-After".into(), "3600".into())],
                body: b"come back in an hour".to_vec(),
            }
        } else {
            not_found()
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let inventory = enrich(
        &server,
        cache.path(),
        vec![package(Ecosystem::Npm, "left-pad", "1.3.0")],
    );
    assert_eq!(license(&inventory, "left-pad"), None);
    assert_eq!(
        server.count("/npm/"),
        1,
        "no retry after an hour's Retry-After"
    );
    let error = gap(&inventory, "license-provider-error").expect("an error gap");
    assert!(error.message.contains("Retry-After"), "{}", error.message);
}

#[test]
fn a_malformed_body_degrades_to_unknown() {
    let server = serve(Box::new(|path, _, _| {
        if path == "/npm/left-pad/1.3.0" {
            json(200, body("registry/malformed/left-pad-1.3.0.json"))
        } else {
            not_found()
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let inventory = enrich(
        &server,
        cache.path(),
        vec![package(Ecosystem::Npm, "left-pad", "1.3.0")],
    );
    assert_eq!(license(&inventory, "left-pad"), None);
    // A bad body is not a transient failure: no retry.
    assert_eq!(server.count("/npm/"), 1);
    let error = gap(&inventory, "license-provider-error").expect("an error gap");
    assert!(
        error.message.contains("malformed response from `"),
        "{}",
        error.message
    );
}

#[test]
fn an_outage_stops_asking_and_deps_dev_still_answers() {
    let server = serve(Box::new(|path, _, _| {
        if path.starts_with("/npm/") {
            json(503, b"down".to_vec())
        } else if path.starts_with("/deps-dev/v3/systems/npm/packages/pkg-0/") {
            json(200, br#"{"licenses": ["ISC"]}"#.to_vec())
        } else {
            not_found()
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let packages = (0..6)
        .map(|n| package(Ecosystem::Npm, &format!("pkg-{n}"), "1.0.0"))
        .collect();
    let inventory = enrich(&server, cache.path(), packages);
    // Three failures in a row (each with its retry), then the registry counts as down.
    assert_eq!(server.count("/npm/"), 3 * 2);
    // The fallback answered for pkg-0, so its npm error is no gap.
    assert_eq!(
        license(&inventory, "pkg-0").map(|l| l.expression.as_str()),
        Some("ISC")
    );
    let error = gap(&inventory, "license-provider-error").expect("an error gap");
    assert_eq!(error.packages, 5, "{}", error.message);
    assert!(
        error.message.contains("failed for 5 packages"),
        "{}",
        error.message
    );
    assert_eq!(
        inventory
            .gaps
            .iter()
            .filter(|g| g.kind == "license-provider-error")
            .count(),
        1,
        "one line per provider: {:?}",
        inventory.gaps
    );
}

#[test]
fn refusals_are_errors_but_not_an_outage() {
    let server = serve(Box::new(|path, request, _| {
        if path.starts_with("/npm/@private/") {
            json(403, b"forbidden".to_vec())
        } else {
            recorded(path, request)
        }
    }));
    let cache = tempfile::tempdir().unwrap();
    let mut packages: Vec<Package> = (0..4)
        .map(|n| package(Ecosystem::Npm, &format!("@private/p{n}"), "1.0.0"))
        .collect();
    packages.push(package(Ecosystem::Npm, "left-pad", "1.3.0"));
    let inventory = enrich(&server, cache.path(), packages);
    // Four refusals, not retried, and the registry is still asked for left-pad.
    assert_eq!(server.count("/npm/@private/"), 4);
    assert_eq!(
        license(&inventory, "left-pad").map(|l| l.expression.as_str()),
        Some("WTFPL")
    );
    let error = gap(&inventory, "license-provider-error").expect("an error gap");
    assert_eq!(error.packages, 4);
    assert!(error.message.contains("HTTP 403"), "{}", error.message);
}

#[test]
fn the_disk_cache_prevents_a_second_request() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    let cache = tempfile::tempdir().unwrap();
    let packages = || {
        vec![
            package(Ecosystem::Npm, "left-pad", "1.3.0"),
            package(Ecosystem::Cargo, "serde", "1.0.200"),
            // A miss is remembered too.
            package(Ecosystem::PyPI, "requests", "0.0.1"),
        ]
    };
    let first = enrich(&server, cache.path(), packages());
    let after_first = server.total();
    assert_eq!(
        after_first, 4,
        "npm, crates.io, PyPI, deps.dev for the miss"
    );
    let second = enrich(&server, cache.path(), packages());
    assert_eq!(server.total(), after_first, "no request on the second run");
    for name in ["left-pad", "serde", "requests"] {
        assert_eq!(license(&first, name), license(&second, name), "{name}");
    }
    assert!(cache.path().join("npm-registry").is_dir());
}

#[test]
fn offline_and_private_packages_make_no_request() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    let cache = tempfile::tempdir().unwrap();
    let mut inventory = inventory_of(vec![package(Ecosystem::Npm, "left-pad", "1.3.0")]);
    let providers = config(&server, cache.path()).providers();
    enrich_licenses(
        &mut inventory,
        &providers,
        &ProviderOptions { offline: true },
    );
    assert_eq!(license(&inventory, "left-pad"), None);
    // A package from a private registry is never sent to a public one.
    let mut private = package(Ecosystem::Npm, "left-pad", "1.3.0");
    private.source = Source::Registry {
        url: "https://npm.internal.example".into(),
        default: false,
    };
    let inventory = enrich(&server, cache.path(), vec![private]);
    assert_eq!(license(&inventory, "left-pad"), None);
    assert_eq!(server.total(), 0);
    assert!(std::fs::read_dir(cache.path()).unwrap().next().is_none());
}

/// `depgate sbom` on the fixture project with the registries pointed at `server`.
fn sbom(server: &Server, cache: &Path, extra: &[&str]) -> std::process::Output {
    let mut command = depgate();
    command
        .arg("sbom")
        .arg(fixture("registry/project"))
        .args(extra)
        .env("DEPGATE_CACHE", cache)
        .env("DEPGATE_NPM_URL", format!("{}/npm", server.base))
        .env("DEPGATE_DEPS_DEV_URL", format!("{}/deps-dev", server.base))
        .env("DEPGATE_REGISTRY_RETRIES", "0")
        // A fixed document time: runs compared byte for byte may straddle a second.
        .env("SOURCE_DATE_EPOCH", "1700000000");
    command.output().unwrap()
}

#[test]
fn cli_online_flag_fills_licenses_and_caches_them() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    let cache = tempfile::tempdir().unwrap();
    // Offline-first: without `--online` nothing is asked.
    let out = sbom(&server, cache.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.total(), 0);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("WTFPL"));

    let out = sbom(&server, cache.path(), &["--online"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("WTFPL"), "{stdout}");
    assert_eq!(server.count("/npm/"), 2, "left-pad and @babel/code-frame");
    assert!(cache.path().join("licenses/npm-registry").is_dir());

    let again = sbom(&server, cache.path(), &["--online"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(server.total(), 2, "the second run is served from the cache");
    assert_eq!(again.stdout, out.stdout);

    let both = sbom(&server, cache.path(), &["--online", "--offline"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn cli_outage_is_a_warning_not_a_failure() {
    let server = serve(Box::new(|_, _, _| json(500, b"oops".to_vec())));
    let cache = tempfile::tempdir().unwrap();
    let out = sbom(&server, cache.path(), &["--online"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("license provider `npm-registry` failed"),
        "{stderr}"
    );
}

/// A policy may allow registry lookups (`[licenses] registry-lookups = true`) as `--online`
/// does; `--offline` still wins.
#[test]
fn a_policy_can_allow_registry_lookups_and_offline_still_wins() {
    let server = serve(Box::new(|path, request, _| recorded(path, request)));
    let cache = tempfile::tempdir().unwrap();
    let policy_dir = tempfile::tempdir().unwrap();
    let policy = policy_dir.path().join("depgate.toml");
    std::fs::write(
        &policy,
        "[policy]\nowner = \"legal\"\n\n[licenses]\nregistry-lookups = true\n",
    )
    .unwrap();
    let check = |extra: &[&str]| {
        let mut command = depgate();
        command
            .arg("check")
            .arg(fixture("registry/project"))
            .arg("--policy")
            .arg(&policy)
            .args(["--allow-stale-db", "--format", "json"])
            .args(extra)
            .env("DEPGATE_CACHE", cache.path())
            .env("DEPGATE_NPM_URL", format!("{}/npm", server.base))
            .env("DEPGATE_DEPS_DEV_URL", format!("{}/deps-dev", server.base))
            .env("DEPGATE_REGISTRY_RETRIES", "0");
        command.output().unwrap()
    };
    let offline = check(&["--offline"]);
    assert!(
        matches!(offline.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert_eq!(server.total(), 0, "--offline overrides the policy");
    let out = check(&[]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(server.count("/npm/"), 2, "left-pad and @babel/code-frame");
}
