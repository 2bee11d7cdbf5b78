//! `depgate notices`: license texts, copyright lines, NOTICE files verbatim, the "needs
//! attention" section and `--strict`, every format against golden files, and bad input.

use std::collections::BTreeMap;

use depgate::inventory::{Ecosystem, Inventory, LicenseInfo, LicenseOrigin, Location, Package};
use depgate::report::notices::{self, NoticesReport};
use serde_json::Value;

use super::licenses::{app, golden, redact};
use crate::common::{depgate, fixture};

fn run_notices(args: &[&str]) -> (String, String, i32) {
    let output = depgate()
        .current_dir(app())
        .arg("notices")
        .arg(".")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        output.status.code().unwrap(),
    )
}

fn notices_json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (stdout, _, code) = run_notices(&all);
    assert_eq!(code, 0);
    serde_json::from_str(&stdout).unwrap()
}

fn section<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no section `{id}`"))
}

fn copyrights<'a>(section: &'a Value, name: &str) -> Vec<&'a str> {
    section["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package `{name}`"))["copyrights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect()
}

#[test]
fn every_format_matches_its_golden_file() {
    for (format, file) in [
        ("text", "notices.txt"),
        ("markdown", "notices.md"),
        ("html", "notices.html"),
        ("json", "notices.json"),
    ] {
        let (stdout, _, code) = run_notices(&["--policy", "policy.toml", "--format", format]);
        assert_eq!(code, 0, "{format}");
        golden(file, &redact(&stdout));
    }
}

#[test]
fn each_license_has_its_full_text_and_its_packages() {
    let report = notices_json(&["--policy", "policy.toml"]);
    assert_eq!(report["schema"], "depgate.notices/v1");
    let mit = section(&report, "MIT");
    assert_eq!(mit["text"], spdx::license_id("MIT").unwrap().text());
    let names: Vec<&str> = mit["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    // `MIT OR Apache-2.0` packages are listed under both licenses.
    assert_eq!(names, ["conflict-lib", "dual-lib", "messy-lib", "mit-lib"]);
    let apache = section(&report, "Apache-2.0");
    assert_eq!(
        apache["text"],
        spdx::license_id("Apache-2.0").unwrap().text()
    );
    assert_eq!(apache["packages"].as_array().unwrap().len(), 3);
    // The clarified license is the one whose text ships.
    assert_eq!(
        section(&report, "BSD-2-Clause")["packages"][0]["name"],
        "see-license-lib"
    );
    // A LicenseRef has no SPDX text: the package's own license file is reproduced.
    let acme = section(&report, "LicenseRef-Acme-EULA (acme-lib@5.0.0)");
    assert_eq!(acme["kind"], "license-ref");
    assert_eq!(
        acme["text"],
        std::fs::read_to_string(app().join("node_modules/acme-lib/LICENSE")).unwrap()
    );
}

#[test]
fn copyright_lines_come_from_license_files_notices_and_headers() {
    let report = notices_json(&["--policy", "policy.toml"]);
    let mit = section(&report, "MIT");
    assert_eq!(
        copyrights(mit, "mit-lib"),
        ["Copyright (c) 2020 Jane Doe <jane@example.com>"]
    );
    assert_eq!(copyrights(mit, "messy-lib"), ["© 2022 Messy Maintainers"]);
    assert_eq!(
        copyrights(mit, "conflict-lib"),
        ["Copyright (c) 2018, Conflict Corp."]
    );
    // From a source header in a subdirectory.
    assert_eq!(
        copyrights(section(&report, "GPL-3.0-or-later"), "gpl-lib"),
        ["Copyright (C) 2019 Free Coders"]
    );
    // From the NOTICE file; the Apache text's `Copyright [yyyy] [name of copyright owner]`
    // template is not a holder.
    assert_eq!(
        copyrights(section(&report, "Apache-2.0"), "apache-lib"),
        ["Copyright 2021 The Apache Lib Authors & <Friends>"]
    );
}

#[test]
fn apache_notice_files_are_reproduced_verbatim() {
    let notice = std::fs::read_to_string(app().join("node_modules/apache-lib/NOTICE")).unwrap();
    let report = notices_json(&[]);
    let files = report["notices"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "apache-lib");
    assert_eq!(files[0]["file"], "NOTICE");
    assert_eq!(files[0]["text"], notice.as_str());
    let (text, _, _) = run_notices(&["--format", "text"]);
    assert!(
        text.contains(&notice),
        "the text notices alter the NOTICE file"
    );
    let (markdown, _, _) = run_notices(&["--format", "markdown"]);
    assert!(
        markdown.contains(&notice),
        "the Markdown notices alter the NOTICE file"
    );
}

#[test]
fn needs_attention_and_strict() {
    let report = notices_json(&["--policy", "policy.toml"]);
    let attention: BTreeMap<&str, Vec<&str>> = report["needs_attention"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["reasons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        attention.keys().copied().collect::<Vec<_>>(),
        ["dev-tool", "nocopy-lib"]
    );
    assert_eq!(
        attention["nocopy-lib"],
        ["no copyright line found in its license files or source headers"]
    );
    assert!(attention["dev-tool"].contains(&"no license metadata and none detected"));
    // The public-domain package names no holder and needs none.
    assert!(!attention.contains_key("pd-lib"));
    // Without the clarification the `SEE LICENSE IN …` package needs attention too.
    let report = notices_json(&[]);
    assert_eq!(report["summary"]["needs_attention"], 3);

    let (_, stderr, code) = run_notices(&["--strict"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("3 packages need attention"), "{stderr}");
    let (_, _, code) = run_notices(&[]);
    assert_eq!(code, 0);
    // A project whose every package has a text and a holder passes `--strict`.
    depgate()
        .args(["notices", "--strict"])
        .arg(fixture("licenses/npm-clean"))
        .assert()
        .success();
}

#[test]
fn strict_still_writes_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("NOTICES.html");
    let output = depgate()
        .args(["notices", "--strict", "--format", "html", "-o"])
        .arg(&out)
        .arg(app())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Needs attention (3)"));
    assert!(
        html.contains("&lt;Friends&gt;"),
        "copyright lines are escaped"
    );
}

#[test]
fn bad_input_exits_2_naming_the_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("NOTICES.txt");
    let output = depgate()
        .args(["notices", "--strict", "-o"])
        .arg(&out)
        .arg(fixture("licenses/malformed/package-lock.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("package-lock.json"));
    assert!(!out.exists());
}

fn crate_package(name: &str, version: &str, license: &str) -> Package {
    let dir = fixture("licenses/crates").join(format!("{name}-{version}"));
    let mut package = Package::new(
        Ecosystem::Cargo,
        name,
        version,
        Location {
            file: "Cargo.lock".into(),
            line: None,
        },
    );
    package.license = Some(LicenseInfo {
        expression: license.to_string(),
        origin: LicenseOrigin::Manifest,
        confidence: 1.0,
        file: Some(dir.join("Cargo.toml")),
    });
    package.license_files = depgate::enrich::sources::license_files_in(&dir);
    package.local_dir = Some(dir);
    package
}

/// Crates as Cargo ingest and `enrich::license_text` describe them: `local_dir` is the
/// crate's sources and `license_files` holds absolute paths.
#[test]
fn a_crate_notice_file_is_verbatim_and_a_crate_without_holder_needs_attention() {
    let mut inventory = Inventory::new();
    inventory.add_package(crate_package("apache-crate", "1.0.0", "Apache-2.0"));
    inventory.add_package(crate_package("nocopy-crate", "0.2.0", "MIT"));
    let facts: BTreeMap<_, _> = inventory
        .third_party()
        .map(|p| (p.id, depgate::enrich::notices::gather(p)))
        .collect();
    let report = NoticesReport::new(&inventory, None, &facts);
    let notice =
        std::fs::read_to_string(fixture("licenses/crates/apache-crate-1.0.0/NOTICE")).unwrap();
    assert_eq!(report.notices.len(), 1);
    assert_eq!(report.notices[0].text, notice);
    let text = String::from_utf8(notices::text::render(&report)).unwrap();
    assert!(text.contains(&notice));
    let html = String::from_utf8(notices::html::render(&report).unwrap()).unwrap();
    assert!(html.contains("  Example Widgets Ltd. (https:&#x2f;&#x2f;widgets.example&#x2f;)  \n"));
    let apache = report
        .licenses
        .iter()
        .find(|l| l.id == "Apache-2.0")
        .unwrap();
    assert_eq!(
        apache.packages[0].copyrights,
        [
            "Copyright 2017-2024 The Apache Crate Project Authors",
            "Portions Copyright (c) 2015 Someone Else <someone@example.net>",
        ]
    );
    assert_eq!(report.needs_attention.len(), 1);
    assert_eq!(report.needs_attention[0].name, "nocopy-crate");
    assert_eq!(
        report.needs_attention[0].reasons,
        ["no copyright line found in its license files or source headers"]
    );
    // Without sources on this machine the reason says so.
    let mut remote = Inventory::new();
    let mut package = crate_package("nocopy-crate", "0.2.0", "MIT");
    package.local_dir = None;
    package.license_files.clear();
    remote.add_package(package);
    let facts: BTreeMap<_, _> = remote
        .third_party()
        .map(|p| (p.id, depgate::enrich::notices::gather(p)))
        .collect();
    let report = NoticesReport::new(&remote, None, &facts);
    assert!(report.needs_attention[0].reasons[0].contains("not on this machine"));
}
