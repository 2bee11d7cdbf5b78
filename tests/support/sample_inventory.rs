//! A hand-made inventory covering every kind of package an SBOM must render: registry (default
//! and alternate), git, path, dev-only, build-only and optional packages, with a messy license
//! (`MIT/Apache-2.0`), an unknown license string, and an expression with `WITH`.
//! Shared by the `it` and `data` test targets (`#[path]`-included).
#![allow(dead_code)]

use depgate::inventory::{
    DepKind, Ecosystem, Edge, Hash, HashAlgorithm, Inventory, LicenseInfo, LicenseOrigin, Location,
    Package, PackageId, PackageKind, Scope, Source,
};

pub const CRATES_IO: &str = "https://github.com/rust-lang/crates.io-index";
pub const GIT_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
pub const SERDE_SHA256: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// The license `mylib` declares: not an SPDX expression.
pub const UNKNOWN_LICENSE: &str = "Custom proprietary license, see LICENSE.txt";

fn package(name: &str, version: &str, line: u32) -> Package {
    Package::new(
        Ecosystem::Cargo,
        name,
        version,
        Location {
            file: "Cargo.lock".into(),
            line: Some(line),
        },
    )
}

fn license(expression: &str) -> Option<LicenseInfo> {
    Some(LicenseInfo {
        expression: expression.to_string(),
        origin: LicenseOrigin::Manifest,
        confidence: 1.0,
        file: None,
    })
}

fn registry(name: &str, version: &str, line: u32, license_text: &str) -> Package {
    let mut p = package(name, version, line);
    p.source = Source::Registry {
        url: CRATES_IO.to_string(),
        default: true,
    };
    p.purl = Some(format!("pkg:cargo/{name}@{version}"));
    p.license = license(license_text);
    p
}

fn edge(from: PackageId, to: PackageId, kind: DepKind, optional: bool) -> Edge {
    Edge {
        from,
        to,
        kind,
        optional,
    }
}

/// Ids of the sample's packages, for assertions.
pub struct Sample {
    pub inventory: Inventory,
    pub app: PackageId,
    pub serde: PackageId,
    pub mylib: PackageId,
    pub helper: PackageId,
    pub proptest: PackageId,
    pub regex_syntax: PackageId,
    pub cc: PackageId,
    pub rand: PackageId,
    pub internal: PackageId,
}

/// One root `app` with every kind of dependency.
pub fn sample() -> Sample {
    let mut inventory = Inventory::new();

    let mut app = package("app", "0.1.0", 1);
    app.kind = PackageKind::Root;
    app.source = Source::Path {
        path: ".".to_string(),
    };
    app.license = license("MIT OR Apache-2.0");
    app.description = Some("The application".to_string());
    let app = inventory.add_package(app);
    inventory.add_root(app);

    let mut serde = registry("serde", "1.0.200", 10, "MIT/Apache-2.0");
    serde.hashes.push(Hash {
        algorithm: HashAlgorithm::Sha256,
        value: SERDE_SHA256.to_string(),
    });
    serde.repository = Some("https://github.com/serde-rs/serde".to_string());
    serde.homepage = Some("https://serde.rs".to_string());
    serde.description = Some("A generic serialization/deserialization framework".to_string());
    let serde = inventory.add_package(serde);

    let mut mylib = package("mylib", "0.3.0", 20);
    mylib.source = Source::Git {
        url: "https://github.com/example/mylib".to_string(),
        commit: Some(GIT_COMMIT.to_string()),
        reference: Some("main".to_string()),
    };
    mylib.purl = Some(format!(
        "pkg:cargo/mylib@0.3.0?vcs_url=git%2Bhttps://github.com/example/mylib%40{GIT_COMMIT}"
    ));
    mylib.license = license(UNKNOWN_LICENSE);
    let mylib = inventory.add_package(mylib);

    let mut helper = package("helper", "0.1.0", 30);
    helper.kind = PackageKind::Local;
    helper.source = Source::Path {
        path: "crates/helper".to_string(),
    };
    helper.license = license("Apache-2.0 WITH LLVM-exception");
    let helper = inventory.add_package(helper);

    let proptest = inventory.add_package(registry("proptest", "1.4.0", 40, "MIT OR Apache-2.0"));
    let regex_syntax = inventory.add_package(registry("regex-syntax", "0.8.2", 50, "MIT"));
    let cc = inventory.add_package(registry("cc", "1.0.90", 60, "MIT OR Apache-2.0"));
    let rand = inventory.add_package(registry("rand", "0.8.5", 70, "MIT OR Apache-2.0"));

    let mut internal = package("internal-crate", "2.0.0", 80);
    internal.source = Source::Registry {
        url: "sparse+https://cargo.example.com/index/".to_string(),
        default: false,
    };
    internal.purl = Some(
        "pkg:cargo/internal-crate@2.0.0?repository_url=sparse%2Bhttps://cargo.example.com/index/"
            .to_string(),
    );
    let internal = inventory.add_package(internal);

    inventory.add_edge(edge(app, serde, DepKind::Normal, false));
    inventory.add_edge(edge(app, mylib, DepKind::Normal, false));
    inventory.add_edge(edge(app, helper, DepKind::Normal, false));
    inventory.add_edge(edge(helper, serde, DepKind::Normal, false));
    inventory.add_edge(edge(app, proptest, DepKind::Dev, false));
    inventory.add_edge(edge(proptest, regex_syntax, DepKind::Normal, false));
    inventory.add_edge(edge(app, cc, DepKind::Build, false));
    inventory.add_edge(edge(app, rand, DepKind::Normal, true));
    inventory.add_edge(edge(app, internal, DepKind::Normal, false));
    inventory.compute_scopes();
    // The path dependency is not third-party, so compute_scopes leaves it alone: ingest sets it.
    inventory.package_mut(helper).scope = Scope::Runtime;

    Sample {
        inventory,
        app,
        serde,
        mylib,
        helper,
        proptest,
        regex_syntax,
        cc,
        rand,
        internal,
    }
}

/// Two roots (a workspace with two members) sharing a dependency, plus the same registry
/// package twice (as two lockfiles of a monorepo would give).
pub fn two_roots() -> Inventory {
    let mut inventory = Inventory::new();
    let mut roots = Vec::new();
    for name in ["alpha", "beta"] {
        let mut root = package(name, "1.0.0", 1);
        root.kind = PackageKind::Root;
        root.source = Source::Path {
            path: name.to_string(),
        };
        let id = inventory.add_package(root);
        inventory.add_root(id);
        roots.push(id);
    }
    let shared = inventory.add_package(registry("log", "0.4.21", 5, "MIT OR Apache-2.0"));
    let again = inventory.add_package(registry("log", "0.4.21", 9, "MIT OR Apache-2.0"));
    inventory.add_edge(Edge::normal(roots[0], shared));
    inventory.add_edge(Edge::normal(roots[1], again));
    inventory.compute_scopes();
    inventory
}

/// Strings as messy as real manifests get: control characters, non-ASCII names, URLs that are
/// not URLs, hashes in the wrong encoding, licenses that only lax parsing understands.
pub fn odd_strings() -> Inventory {
    let mut inventory = Inventory::new();
    let mut root = package("root\u{0}with\u{7}controls", "", 1);
    root.kind = PackageKind::Root;
    root.description = Some("line one\nline two\ttabbed\u{1b}[0m".to_string());
    let root = inventory.add_package(root);
    inventory.add_root(root);
    let cases: [(&str, &str, Option<&str>); 8] = [
        (
            "ünïcödé-crate",
            "GPL-2.0+",
            Some("git@github.com:owner/repo.git"),
        ),
        (
            "spaces",
            "Apache 2.0",
            Some("https://github.com/owner/repo with space"),
        ),
        ("relative", "MIT AND BSD", Some("github.com/owner/repo")),
        (
            "broken-url",
            "LicenseRef-Company-1.0 OR MIT",
            Some("http://[broken"),
        ),
        ("lowercase-ids", "mit or apache-2.0", Some("")),
        (
            "xml<&>chars",
            "Custom <license> & \"quotes\"",
            Some("https://example.com/?a=1&b=<2>"),
        ),
        ("empty-license", "", None),
        ("noassertion", "NOASSERTION", None),
    ];
    for (index, (name, license_text, url)) in cases.into_iter().enumerate() {
        let mut p = registry(
            name,
            "1.0.0-beta.1+build.5",
            10 + index as u32,
            license_text,
        );
        p.purl = Some(format!("pkg:cargo/{}@1.0.0-beta.1%2Bbuild.5", index));
        p.repository = url.map(str::to_string);
        p.homepage = url.map(str::to_string);
        p.description = Some(format!("\u{feff}{name}\r\n\u{fffe}"));
        p.hashes.push(Hash {
            algorithm: HashAlgorithm::Sha512,
            // base64, as npm writes integrity: the writers must leave it out.
            value: "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==".to_string(),
        });
        p.hashes.push(Hash {
            algorithm: HashAlgorithm::Sha1,
            value: "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709".to_string(),
        });
        let id = inventory.add_package(p);
        inventory.add_edge(Edge::normal(root, id));
    }
    inventory.compute_scopes();
    inventory
}
