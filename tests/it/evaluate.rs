//! Policy evaluation through the library, on hand-made inventories: license expressions and
//! categories, exceptions, clarifications, detection confidence, version and source rules,
//! and waivers with an injected date.

use std::path::PathBuf;

use depgate::evaluate::{Evaluation, Finding, FindingCode, Severity, evaluate};
use depgate::inventory::{
    DeclaredRequirement, Ecosystem, Edge, Inventory, LicenseInfo, LicenseOrigin, Location, Package,
    PackageId, PackageKind, Source,
};
use depgate::policy::{PolicySource, ValidPolicy, validate};

const OWNER: &str = "[policy]\nowner = \"team@example.com\"\n";

pub fn policy(text: &str) -> ValidPolicy {
    let full = format!("{OWNER}{text}");
    match validate(
        &[(PathBuf::from("test-policy.toml"), full)],
        PolicySource::Files {
            files: vec![PathBuf::from("test-policy.toml")],
        },
    ) {
        Ok(policy) => policy,
        Err(error) => panic!("{error}"),
    }
}

pub fn date(text: &str) -> time::Date {
    depgate::policy::parse_date(text).unwrap()
}

/// An inventory with one root (`app`) and the given packages as its direct dependencies.
pub struct Builder {
    pub inventory: Inventory,
    pub root: PackageId,
}

impl Builder {
    pub fn new() -> Self {
        let mut inventory = Inventory::new();
        let mut root = Package::new(Ecosystem::Cargo, "app", "0.1.0", location());
        root.kind = PackageKind::Root;
        root.source = Source::Path { path: ".".into() };
        let root = inventory.add_package(root);
        inventory.add_root(root);
        Self { inventory, root }
    }

    pub fn add(&mut self, name: &str, version: &str, license: Option<&str>) -> PackageId {
        let mut package = Package::new(Ecosystem::Cargo, name, version, location());
        package.source = Source::Registry {
            url: "https://github.com/rust-lang/crates.io-index".into(),
            default: true,
        };
        package.purl = Some(format!("pkg:cargo/{name}@{version}"));
        package.license = license.map(|l| LicenseInfo {
            expression: l.to_string(),
            origin: LicenseOrigin::Manifest,
            confidence: 1.0,
            file: None,
        });
        let id = self.inventory.add_package(package);
        self.inventory.add_edge(Edge::normal(self.root, id));
        id
    }

    pub fn detected(&mut self, name: &str, license: &str, confidence: f32) -> PackageId {
        let id = self.add(name, "1.0.0", None);
        self.inventory.package_mut(id).license = Some(LicenseInfo {
            expression: license.to_string(),
            origin: LicenseOrigin::Detected,
            confidence,
            file: Some("LICENSE".into()),
        });
        id
    }
}

fn location() -> Location {
    Location {
        file: "Cargo.lock".into(),
        line: Some(1),
    }
}

pub fn codes(evaluation: &Evaluation) -> Vec<(FindingCode, String, Severity)> {
    evaluation
        .findings
        .iter()
        .map(|f| {
            (
                f.code,
                f.package
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                f.severity,
            )
        })
        .collect()
}

fn find<'a>(evaluation: &'a Evaluation, code: FindingCode, name: &str) -> Option<&'a Finding> {
    evaluation
        .findings
        .iter()
        .find(|f| f.code == code && f.package.as_ref().is_some_and(|p| p.name == name))
}

const TODAY: &str = "2026-06-01";

fn run(policy_text: &str, builder: &Builder) -> Evaluation {
    evaluate(&builder.inventory, &policy(policy_text), date(TODAY))
}

const MIT_APACHE: &str = "[licenses]\nallow = [\"MIT\", \"Apache-2.0\"]\n";

#[test]
fn or_passes_when_any_branch_is_allowed() {
    let mut b = Builder::new();
    b.add("dual", "1.0.0", Some("MIT OR GPL-3.0-only"));
    b.add("gpl", "1.0.0", Some("GPL-3.0-only OR BSD-3-Clause"));
    let e = run(MIT_APACHE, &b);
    assert!(find(&e, FindingCode::LicenseNotAllowed, "dual").is_none());
    let f = find(&e, FindingCode::LicenseNotAllowed, "gpl").expect("gpl not allowed");
    assert!(f.message.contains("GPL-3.0-only"), "{}", f.message);
    assert_eq!(f.severity, Severity::Error);
}

#[test]
fn and_needs_every_term() {
    let mut b = Builder::new();
    b.add("both-ok", "1.0.0", Some("MIT AND Apache-2.0"));
    b.add("half", "1.0.0", Some("MIT AND ISC"));
    let e = run(MIT_APACHE, &b);
    assert!(find(&e, FindingCode::LicenseNotAllowed, "both-ok").is_none());
    let f = find(&e, FindingCode::LicenseNotAllowed, "half").unwrap();
    assert!(f.message.contains("`ISC`"), "{}", f.message);
    assert!(!f.message.contains("`MIT` ("), "{}", f.message);
}

#[test]
fn with_exceptions_must_be_listed_explicitly() {
    let mut b = Builder::new();
    b.add("llvm", "1.0.0", Some("Apache-2.0 WITH LLVM-exception"));
    // Allowing Apache-2.0 alone (or its category) does not allow it with an exception.
    let e = run(
        "[licenses]\nallow = [\"Apache-2.0\"]\nallow-categories = [\"permissive\"]\n",
        &b,
    );
    assert!(find(&e, FindingCode::LicenseNotAllowed, "llvm").is_some());
    let e = run(
        "[licenses]\nallow = [\"Apache-2.0 WITH LLVM-exception\"]\n",
        &b,
    );
    assert!(e.findings.is_empty(), "{:?}", codes(&e));
}

#[test]
fn plus_means_this_version_or_later() {
    let mut b = Builder::new();
    b.add("later", "1.0.0", Some("Apache-1.0+"));
    b.add("gpl-later", "1.0.0", Some("GPL-2.0-or-later"));
    let e = run(
        "[licenses]\nallow = [\"Apache-2.0\", \"GPL-3.0-only\"]\n",
        &b,
    );
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let e = run("[licenses]\nallow = [\"Apache-1.1\"]\n", &b);
    assert!(find(&e, FindingCode::LicenseNotAllowed, "later").is_none());
    assert!(find(&e, FindingCode::LicenseNotAllowed, "gpl-later").is_some());
}

#[test]
fn license_refs_are_proprietary_unless_listed() {
    let mut b = Builder::new();
    b.add("inhouse", "1.0.0", Some("LicenseRef-Inhouse"));
    let e = run(
        "[licenses]\nallow-categories = [\"permissive\"]\ndeny-categories = [\"proprietary\"]\n",
        &b,
    );
    assert!(find(&e, FindingCode::LicenseDenied, "inhouse").is_some());
    let e = run("[licenses]\nallow = [\"LicenseRef-Inhouse\"]\n", &b);
    assert!(e.findings.is_empty(), "{:?}", codes(&e));
}

#[test]
fn each_category_can_be_denied() {
    let samples = [
        ("permissive", "MIT"),
        ("weak-copyleft", "MPL-2.0"),
        ("strong-copyleft", "GPL-3.0-only"),
        ("network-copyleft", "AGPL-3.0-only"),
        ("public-domain", "CC0-1.0"),
        ("proprietary", "BUSL-1.1"),
    ];
    for (category, license) in samples {
        let mut b = Builder::new();
        b.add("pkg", "1.0.0", Some(license));
        let others: Vec<String> = samples
            .iter()
            .filter(|(c, _)| *c != category)
            .map(|(c, _)| format!("\"{c}\""))
            .collect();
        let text = format!(
            "[licenses]\nallow-categories = [{}]\ndeny-categories = [\"{category}\"]\n",
            others.join(", ")
        );
        let e = run(&text, &b);
        assert_eq!(
            codes(&e),
            vec![(FindingCode::LicenseDenied, "pkg".into(), Severity::Error)],
            "{category}"
        );
        // And allowed when only that category is allowed.
        let e = run(
            &format!("[licenses]\nallow-categories = [\"{category}\"]\n"),
            &b,
        );
        assert!(e.findings.is_empty(), "{category}: {:?}", codes(&e));
    }
}

#[test]
fn messy_metadata_is_normalised_and_both_forms_are_shown() {
    let mut b = Builder::new();
    b.add("slash", "1.0.0", Some("MIT/GPL-3.0-only"));
    b.add("lower", "1.0.0", Some("isc"));
    let e = run(MIT_APACHE, &b);
    assert!(find(&e, FindingCode::LicenseNotAllowed, "slash").is_none());
    let f = find(&e, FindingCode::LicenseNotAllowed, "lower").unwrap();
    assert!(f.message.contains("`isc` (read as `ISC`)"), "{}", f.message);
    assert_eq!(f.license.as_deref(), Some("ISC"));
}

#[test]
fn unknown_licenses_fail_closed_and_show_in_coverage() {
    let mut b = Builder::new();
    b.add("none", "1.0.0", None);
    b.add("junk", "1.0.0", Some("see LICENSE file"));
    let e = run(MIT_APACHE, &b);
    let none = find(&e, FindingCode::LicenseUnknown, "none").unwrap();
    assert_eq!(none.severity, Severity::Error);
    assert!(find(&e, FindingCode::LicenseUnknown, "junk").is_some());
    let coverage = &e.coverage.rules["licenses"];
    assert_eq!(coverage.evaluated, 0);
    assert_eq!(coverage.not_evaluated.len(), 2);
    // A policy may choose to only warn.
    let e = run(&format!("{MIT_APACHE}unknown = \"warn\"\n"), &b);
    assert!(e.findings.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn detection_below_the_threshold_is_not_trusted() {
    let mut b = Builder::new();
    b.detected("above", "MIT", 0.95);
    b.detected("below", "MIT", 0.85);
    let e = run(MIT_APACHE, &b);
    assert_eq!(
        codes(&e),
        vec![(
            FindingCode::LicenseLowConfidence,
            "below".into(),
            Severity::Error
        )]
    );
    let e = run(&format!("{MIT_APACHE}min-confidence = 0.8\n"), &b);
    assert!(e.findings.is_empty(), "{:?}", codes(&e));
}

#[test]
fn exceptions_allow_a_license_for_one_package_and_version_range() {
    let mut b = Builder::new();
    b.add("ring", "0.17.8", Some("MIT AND ISC AND OpenSSL"));
    b.add("ring", "0.16.20", Some("MIT AND ISC AND OpenSSL"));
    b.add("other", "1.0.0", Some("OpenSSL"));
    let text = format!(
        "{MIT_APACHE}\n[[licenses.exceptions]]\nname = \"ring\"\nversion = \">=0.17\"\nallow = [\"ISC\", \"OpenSSL\"]\n\n[[licenses.exceptions]]\nname = \"never-there\"\nallow = [\"ISC\"]\n"
    );
    let e = run(&text, &b);
    let not_allowed: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::LicenseNotAllowed)
        .map(|f| f.package.as_ref().map(|p| p.name_version()).unwrap())
        .collect();
    assert_eq!(not_allowed, vec!["other@1.0.0", "ring@0.16.20"]);
    let unused: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::UnusedException)
        .collect();
    assert_eq!(unused.len(), 1);
    assert!(unused[0].message.contains("never-there"));
    assert_eq!(unused[0].severity, Severity::Warning);
}

trait NameVersion {
    fn name_version(&self) -> String;
}
impl NameVersion for depgate::evaluate::PackageRef {
    fn name_version(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

const GOOD_HASH: &str = "1111111111111111111111111111111111111111111111111111111111111111";

fn clarified_inventory(actual_hash: &str) -> Builder {
    let mut b = Builder::new();
    let id = b.add("weird", "1.2.3", Some("see LICENSE"));
    let dir = PathBuf::from("/registry/weird-1.2.3");
    b.inventory.package_mut(id).local_dir = Some(dir.clone());
    b.inventory
        .file_hashes
        .insert(dir.join("LICENSE"), actual_hash.to_string());
    b
}

const CLARIFY: &str = "[licenses]\nallow = [\"MIT\"]\n\n[[licenses.clarify]]\nname = \"weird\"\nversion = \"1\"\nexpression = \"MIT\"\nfiles = [{ path = \"LICENSE\", sha256 = \"1111111111111111111111111111111111111111111111111111111111111111\" }]\n";

#[test]
fn clarification_applies_when_the_pinned_file_matches() {
    let b = clarified_inventory(GOOD_HASH);
    let e = run(CLARIFY, &b);
    assert!(e.findings.is_empty(), "{:?}", codes(&e));
}

#[test]
fn stale_clarification_is_reported_and_not_applied() {
    let b = clarified_inventory(&"2".repeat(64));
    let e = run(CLARIFY, &b);
    let stale = find(&e, FindingCode::ClarificationStale, "weird").unwrap();
    assert!(stale.message.contains(&"2".repeat(64)), "{}", stale.message);
    assert!(
        stale.message.contains("test-policy.toml"),
        "{}",
        stale.message
    );
    // Not applied: the metadata (`see LICENSE`) is evaluated and fails closed.
    assert!(find(&e, FindingCode::LicenseUnknown, "weird").is_some());
}

#[test]
fn clarification_without_a_pin_replaces_the_metadata() {
    let mut b = Builder::new();
    b.add("weird", "1.2.3", None);
    let e = run(
        "[licenses]\nallow = [\"MIT\"]\n[[licenses.clarify]]\nname = \"weird\"\nexpression = \"MIT\"\n\n[[licenses.clarify]]\nname = \"gone\"\nexpression = \"MIT\"\n",
        &b,
    );
    assert_eq!(
        codes(&e),
        vec![(
            FindingCode::UnusedException,
            String::new(),
            Severity::Warning
        )]
    );
}

const PERMISSIVE: &str = "[licenses]\nallow-categories = [\"permissive\"]\n";

#[test]
fn banned_packages_and_ranges_name_the_replacement() {
    let mut b = Builder::new();
    b.add("openssl", "0.10.60", Some("Apache-2.0"));
    b.add("time", "0.1.45", Some("MIT"));
    b.add("time", "0.3.36", Some("MIT"));
    let text = format!(
        "{PERMISSIVE}[bans]\nduplicates = \"allow\"\n[[bans.deny]]\nname = \"openssl\"\nreason = \"use rustls\"\nreplacement = \"rustls\"\n[[bans.deny]]\nid = \"old-time\"\nname = \"time\"\nversion = \"<0.2\"\nreason = \"RUSTSEC-2020-0071\"\nlevel = \"warn\"\n"
    );
    let e = run(&text, &b);
    let openssl = find(&e, FindingCode::PackageBanned, "openssl").unwrap();
    assert_eq!(openssl.rule, "bans.deny.openssl");
    assert!(openssl.message.contains("use `rustls` instead"));
    let time: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::PackageBanned && f.rule == "old-time")
        .collect();
    assert_eq!(time.len(), 1);
    assert_eq!(time[0].package.as_ref().unwrap().version, "0.1.45");
    assert_eq!(time[0].severity, Severity::Warning);
    assert_eq!(time[0].paths, vec!["app 0.1.0 > time 0.1.45".to_string()]);
}

#[test]
fn minimum_versions() {
    let mut b = Builder::new();
    b.add("h2", "0.3.20", Some("MIT"));
    b.add("smallvec", "1.13.0", Some("MIT"));
    let text = format!(
        "{PERMISSIVE}[[bans.minimum]]\nname = \"h2\"\nversion = \"0.3.26\"\nreason = \"CVE-2024-27308\"\n[[bans.minimum]]\nname = \"smallvec\"\nversion = \"1.6.1\"\nreason = \"old bug\"\n"
    );
    let e = run(&text, &b);
    assert_eq!(
        codes(&e),
        vec![(
            FindingCode::VersionBelowMinimum,
            "h2".into(),
            Severity::Error
        )]
    );
}

#[test]
fn duplicates_with_skips() {
    let mut b = Builder::new();
    for v in ["0.48.0", "0.52.0", "0.59.0"] {
        b.add("windows-sys", v, Some("MIT"));
    }
    b.add("syn", "1.0.109", Some("MIT"));
    b.add("syn", "2.0.60", Some("MIT"));
    let text = format!(
        "{PERMISSIVE}[bans]\nduplicates = \"deny\"\nduplicate-skip = [\"syn@1\", \"windows-sys@<0.50\"]\n"
    );
    let e = run(&text, &b);
    let dups: Vec<_> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DuplicateVersions)
        .map(|f| f.package.as_ref().unwrap().version.clone())
        .collect();
    assert_eq!(dups, vec!["0.52.0", "0.59.0"]);
}

#[test]
fn duplicates_are_counted_per_lockfile() {
    // A monorepo: the web service locks serde 1.0.195 and 1.0.229 (a duplicate in its build);
    // the tools lockfile has only 1.0.100, which duplicates nothing in its own build.
    let mut b = Builder::new();
    for (version, file) in [
        ("1.0.195", "web/Cargo.lock"),
        ("1.0.229", "web/Cargo.lock"),
        ("1.0.100", "tools/Cargo.lock"),
    ] {
        let id = b.add("serde", version, Some("MIT"));
        b.inventory.package_mut(id).location.file = file.into();
    }
    for (version, file) in [("0.4.20", "web/Cargo.lock"), ("0.4.22", "tools/Cargo.lock")] {
        let id = b.add("log", version, Some("MIT"));
        b.inventory.package_mut(id).location.file = file.into();
    }
    let text = format!("{PERMISSIVE}[bans]\nduplicates = \"deny\"\n");
    let e = run(&text, &b);
    let dups: Vec<(String, String)> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DuplicateVersions)
        .map(|f| {
            let package = f.package.as_ref().unwrap();
            (package.name.clone(), package.version.clone())
        })
        .collect();
    assert_eq!(
        dups,
        vec![
            ("serde".to_string(), "1.0.195".to_string()),
            ("serde".to_string(), "1.0.229".to_string()),
        ]
    );
    let message = &e
        .findings
        .iter()
        .find(|f| f.code == FindingCode::DuplicateVersions)
        .unwrap()
        .message;
    assert!(
        message.starts_with("2 versions of `serde` are present (1.0.195, 1.0.229)"),
        "{message}"
    );
}

#[test]
fn duplicates_are_only_versions_one_build_can_hold_together() {
    // In a lockfile: uv forks a resolution per Python version and Gradle resolves each configuration on its
    // own: two versions in one of their lockfiles are never installed together. npm nests a
    // second copy beside the first.
    let mut b = Builder::new();
    for (ecosystem, name, file) in [
        (Ecosystem::PyPI, "fastjsonschema", "uv.lock"),
        (Ecosystem::Maven, "com.azure:azure-core", "gradle.lockfile"),
        (Ecosystem::Npm, "debug", "package-lock.json"),
    ] {
        for version in ["2.21.2", "2.22.1"] {
            let id = b.add(name, version, Some("MIT"));
            let package = b.inventory.package_mut(id);
            package.ecosystem = ecosystem.clone();
            package.location.file = file.into();
        }
    }
    let text = format!("{PERMISSIVE}[bans]\nduplicates = \"deny\"\n");
    let e = run(&text, &b);
    let dups: Vec<String> = e
        .findings
        .iter()
        .filter(|f| f.code == FindingCode::DuplicateVersions)
        .map(|f| f.package.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(dups, vec!["debug", "debug"]);

    // An SBOM lists what one product ships: there two versions of a PyPI package are both in it.
    let mut b = Builder::new();
    for version in ["2.21.2", "2.22.1"] {
        let id = b.add("fastjsonschema", version, Some("MIT"));
        let package = b.inventory.package_mut(id);
        package.ecosystem = Ecosystem::PyPI;
        package.location.file = "product.cdx.json".into();
    }
    b.inventory.inputs.push(depgate::inventory::InputFile {
        path: "product.cdx.json".into(),
        sha256: String::new(),
        format: "CycloneDX 1.5 JSON".to_string(),
    });
    let e = run(&text, &b);
    assert_eq!(
        e.findings
            .iter()
            .filter(|f| f.code == FindingCode::DuplicateVersions)
            .count(),
        2
    );
}

#[test]
fn wildcard_requirements_in_root_manifests() {
    let mut b = Builder::new();
    b.add("serde", "1.0.0", Some("MIT"));
    let root = b.root;
    for (name, requirement) in [("serde", "*"), ("log", "0.4")] {
        b.inventory.declared_requirements.push(DeclaredRequirement {
            from: root,
            name: name.into(),
            requirement: requirement.into(),
            table: "dependencies".into(),
            location: Location {
                file: "Cargo.toml".into(),
                line: Some(7),
            },
        });
    }
    let e = run(PERMISSIVE, &b);
    assert_eq!(e.findings.len(), 1, "{:?}", codes(&e));
    let f = &e.findings[0];
    assert_eq!(f.code, FindingCode::WildcardRequirement);
    assert_eq!(f.location.as_ref().unwrap().line, Some(7));
    assert!(f.message.contains("serde = \"*\""));
}

#[test]
fn prerelease_versions_per_policy() {
    let mut b = Builder::new();
    b.add("shiny", "2.0.0-beta.1", Some("MIT"));
    assert!(run(PERMISSIVE, &b).findings.is_empty());
    let e = run(&format!("{PERMISSIVE}[bans]\nprerelease = \"warn\"\n"), &b);
    assert_eq!(
        codes(&e),
        vec![(
            FindingCode::PrereleaseVersion,
            "shiny".into(),
            Severity::Warning
        )]
    );
}

#[test]
fn registries_and_git_hosts_are_allow_listed() {
    let mut b = Builder::new();
    let private = b.add("private", "1.0.0", Some("MIT"));
    b.inventory.package_mut(private).source = Source::Registry {
        url: "https://registry.example.com/index".into(),
        default: false,
    };
    let ours = b.add("ours", "0.1.0", Some("MIT"));
    b.inventory.package_mut(ours).source = Source::Git {
        url: "https://github.com/our-org/ours".into(),
        commit: Some("abcdef1234567890".into()),
        reference: None,
    };
    let theirs = b.add("theirs", "0.1.0", Some("MIT"));
    b.inventory.package_mut(theirs).source = Source::Git {
        url: "https://github.com/their-org/theirs.git".into(),
        commit: None,
        reference: None,
    };
    let local = b.add("local", "0.1.0", Some("MIT"));
    b.inventory.package_mut(local).source = Source::Path {
        path: "../local".into(),
    };
    b.inventory.package_mut(local).kind = PackageKind::Local;
    let mystery = b.add("mystery", "0.1.0", Some("MIT"));
    b.inventory.package_mut(mystery).source = Source::Unknown;
    let text = format!(
        "{PERMISSIVE}[sources]\nallow-registries = [\"crates.io\"]\nallow-git = [\"github.com/our-org\"]\ngit = \"warn\"\npath = \"warn\"\n"
    );
    let e = run(&text, &b);
    let mut got = codes(&e);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                FindingCode::SourceNotAllowed,
                "private".into(),
                Severity::Error
            ),
            (
                FindingCode::SourceNotAllowed,
                "theirs".into(),
                Severity::Error
            ),
            (FindingCode::GitSource, "ours".into(), Severity::Warning),
            (FindingCode::GitSource, "theirs".into(), Severity::Warning),
            (FindingCode::PathSource, "local".into(), Severity::Warning),
        ]
    );
    let sources = &e.coverage.rules["sources"];
    assert_eq!(
        sources.not_evaluated,
        vec!["mystery@0.1.0: no source information"]
    );
}

const WAIVED: &str = "[licenses]\nallow = [\"MIT\"]\n[waivers]\nexpiring-days = 14\n";

fn waiver(extra: &str, expires: &str) -> String {
    format!(
        "{WAIVED}[[waivers.waive]]\nid = \"W-1\"\n{extra}\nreason = \"legal approved, ticket LEGAL-12\"\nowner = \"alice@example.com\"\nexpires = {expires}\n"
    )
}

fn gpl_inventory() -> Builder {
    let mut b = Builder::new();
    b.add("gpl-thing", "1.2.0", Some("GPL-3.0-only"));
    b
}

#[test]
fn a_valid_waiver_turns_the_finding_into_a_note() {
    let b = gpl_inventory();
    for matcher in [
        "package = \"gpl-thing\"",
        "package = \"gpl-thing\"\nversion = \"^1.2\"",
        "package = \"pkg:cargo/gpl-thing\"",
        "package = \"pkg:cargo/gpl-thing@1.2.0\"",
        "code = \"license-not-allowed\"",
        "rule = \"licenses.not-allowed\"\npackage = \"gpl-thing\"",
    ] {
        let e = run(&waiver(matcher, "2026-12-31"), &b);
        assert_eq!(e.findings.len(), 1, "{matcher}: {:?}", codes(&e));
        let f = &e.findings[0];
        assert_eq!(f.severity, Severity::Note, "{matcher}");
        assert_eq!(f.waiver.as_ref().unwrap().id, "W-1");
        assert_eq!(f.waiver.as_ref().unwrap().owner, "alice@example.com");
    }
}

#[test]
fn a_waiver_for_something_else_is_unused() {
    let b = gpl_inventory();
    for matcher in [
        "package = \"gpl-thing\"\nversion = \"^2\"",
        "package = \"pkg:cargo/gpl-thing@9.9.9\"",
        "code = \"license-denied\"",
        "rule = \"licenses.denied\"",
    ] {
        let e = run(&waiver(matcher, "2026-12-31"), &b);
        let mut got = codes(&e);
        got.sort();
        assert_eq!(
            got,
            vec![
                (
                    FindingCode::LicenseNotAllowed,
                    "gpl-thing".into(),
                    Severity::Error
                ),
                (FindingCode::UnusedWaiver, String::new(), Severity::Warning),
            ],
            "{matcher}"
        );
    }
}

#[test]
fn an_expired_waiver_restores_the_finding() {
    let b = gpl_inventory();
    let e = run(&waiver("package = \"gpl-thing\"", "2026-05-31"), &b);
    let mut got = codes(&e);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                FindingCode::LicenseNotAllowed,
                "gpl-thing".into(),
                Severity::Error
            ),
            (FindingCode::ExpiredWaiver, String::new(), Severity::Error),
        ]
    );
    let expired = e
        .findings
        .iter()
        .find(|f| f.code == FindingCode::ExpiredWaiver)
        .unwrap();
    assert!(expired.message.contains("expired on 2026-05-31"));
    assert_eq!(
        expired.location.as_ref().unwrap().file,
        PathBuf::from("test-policy.toml")
    );
    // The expiry day itself still counts.
    let e = run(&waiver("package = \"gpl-thing\"", "2026-06-01"), &b);
    assert!(e.findings.iter().all(|f| f.severity != Severity::Error));
}

#[test]
fn a_waiver_expiring_soon_warns_ahead() {
    let b = gpl_inventory();
    let text = waiver("package = \"gpl-thing\"", "2026-06-10");
    let e = run(&text, &b);
    let soon = e
        .findings
        .iter()
        .find(|f| f.code == FindingCode::WaiverExpiring)
        .expect("expiring warning");
    assert_eq!(soon.severity, Severity::Warning);
    assert!(soon.message.contains("9 days left"), "{}", soon.message);
    // Outside the window: no warning.
    let e = evaluate(&b.inventory, &policy(&text), date("2026-05-01"));
    assert!(
        e.findings
            .iter()
            .all(|f| f.code != FindingCode::WaiverExpiring)
    );
}

#[test]
fn waivers_match_advisory_ids_and_aliases() {
    use depgate::evaluate::AdvisoryRef;
    let policy = policy(&waiver("advisory = \"CVE-2024-1234\"", "2026-12-31"));
    let mut finding = Finding::new(
        FindingCode::AdvisoryVulnerable,
        "advisories.vulnerability",
        Severity::Error,
        "vulnerable",
    );
    finding.advisory = Some(AdvisoryRef {
        id: "RUSTSEC-2024-0001".into(),
        aliases: vec!["CVE-2024-1234".into()],
        severity: "high".into(),
        cvss_score: None,
        fixed_in: vec![],
        title: None,
        url: None,
        affected_functions: Vec::new(),
    });
    let mut findings = vec![finding];
    depgate::evaluate::waivers::apply(&mut findings, &policy.waivers, date(TODAY));
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].severity, Severity::Note);
}

#[test]
fn findings_are_sorted_and_carry_owner_and_paths() {
    let mut b = Builder::new();
    let mid = b.add("mid", "1.0.0", Some("MIT"));
    let mut leaf = Package::new(Ecosystem::Cargo, "leaf", "0.1.0", location());
    leaf.source = Source::Registry {
        url: "https://github.com/rust-lang/crates.io-index".into(),
        default: true,
    };
    leaf.license = None;
    let leaf = b.inventory.add_package(leaf);
    b.inventory.add_edge(Edge::normal(mid, leaf));
    b.add("a-gpl", "1.0.0", Some("GPL-3.0-only"));
    b.inventory.compute_scopes();
    let e = run(
        "[licenses]\nowner = \"legal@example.com\"\nrationale = \"https://wiki/licenses\"\nallow = [\"MIT\"]\nunknown = \"warn\"\n",
        &b,
    );
    let got = codes(&e);
    assert_eq!(got[0].1, "a-gpl");
    assert_eq!(got[1].1, "leaf");
    let leaf = &e.findings[1];
    assert_eq!(
        leaf.paths,
        vec!["app 0.1.0 > mid 1.0.0 > leaf 0.1.0".to_string()]
    );
    assert_eq!(leaf.owner.as_deref(), Some("legal@example.com"));
    assert_eq!(leaf.rationale.as_deref(), Some("https://wiki/licenses"));
}

#[test]
fn unused_allow_entries_are_listed_for_lint() {
    let mut b = Builder::new();
    b.add("x", "1.0.0", Some("MIT"));
    let p =
        policy("[licenses]\nallow = [\"MIT\", \"Zlib\"]\nallow-categories = [\"public-domain\"]\n");
    let unused = depgate::evaluate::licenses::unused_allow_entries(&b.inventory, &p.licenses);
    assert_eq!(unused.len(), 2, "{unused:?}");
    assert!(unused[0].contains("`Zlib`"));
    assert!(unused[1].contains("`public-domain`"));
}

#[test]
fn wildcards_are_read_from_the_members_manifest() {
    let mut b = Builder::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cargo/wildcard-requirement");
    b.inventory.package_mut(b.root).local_dir = Some(dir.clone());
    depgate::enrich::manifests::read_declared_requirements(&mut b.inventory);
    let e = run(PERMISSIVE, &b);
    let mut found: Vec<_> = e
        .findings
        .iter()
        .map(|f| {
            let location = f.location.as_ref().unwrap();
            (f.code, location.file.clone(), location.line)
        })
        .collect();
    found.sort();
    let manifest = dir.join("Cargo.toml");
    assert_eq!(
        found,
        vec![
            (FindingCode::WildcardRequirement, manifest.clone(), Some(7)),
            (FindingCode::WildcardRequirement, manifest, Some(11)),
        ]
    );
    assert!(b.inventory.gaps.is_empty());
}
