//! License-text detection (`enrich::license_text`) on license files as crates ship them.

use depgate::enrich::license_text::{detect_file, detect_missing_licenses};
use depgate::inventory::{Ecosystem, Inventory, LicenseOrigin, Location, Package};

use crate::common::fixture;

#[test]
fn apache_without_appendix_is_apache_not_pixar() {
    let path = fixture("licenses/apache-without-appendix/LICENSE-APACHE");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.trim_end().ends_with("END OF TERMS AND CONDITIONS"));
    let started = std::time::Instant::now();
    let detection = detect_file(&path).unwrap().unwrap();
    eprintln!("store build + first detection: {:?}", started.elapsed());
    assert_eq!(detection.license, "Apache-2.0", "{detection:?}");
    assert!(detection.score > 0.95, "{detection:?}");
    assert_eq!(detection.file, path);
}

#[test]
fn mit_file_is_detected() {
    let path = fixture("licenses/mit/LICENSE-MIT");
    let detection = detect_file(&path).unwrap().unwrap();
    assert_eq!(detection.license, "MIT");
    assert!(detection.score > 0.9, "{detection:?}");
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let error = detect_file(&fixture("licenses/none/LICENSE")).unwrap_err();
    assert!(
        error.to_string().contains("licenses/none/LICENSE"),
        "{error}"
    );
}

#[test]
fn undeclared_licenses_are_detected_and_declared_ones_kept() {
    let mut inventory = Inventory::new();
    let location = Location {
        file: "Cargo.lock".into(),
        line: None,
    };
    let mut both = Package::new(Ecosystem::Cargo, "both", "1.0.0", location.clone());
    both.license_files = vec![
        fixture("licenses/apache-without-appendix/LICENSE-APACHE"),
        fixture("licenses/mit/LICENSE-MIT"),
    ];
    let both = inventory.add_package(both);
    let mut declared = Package::new(Ecosystem::Cargo, "declared", "1.0.0", location.clone());
    declared.license = Some(depgate::inventory::LicenseInfo {
        expression: "ISC".into(),
        origin: LicenseOrigin::Manifest,
        confidence: 1.0,
        file: None,
    });
    declared.license_files = vec![fixture("licenses/mit/LICENSE-MIT")];
    let declared = inventory.add_package(declared);
    let mut broken = Package::new(Ecosystem::Cargo, "broken", "1.0.0", location);
    broken.license_files = vec![fixture("licenses/none/LICENSE")];
    let broken = inventory.add_package(broken);

    detect_missing_licenses(&mut inventory);

    let license = inventory.package(both).license.clone().unwrap();
    assert_eq!(license.expression, "Apache-2.0 AND MIT");
    assert_eq!(license.origin, LicenseOrigin::Detected);
    assert!(license.confidence > 0.9 && license.confidence <= 1.0);
    assert_eq!(
        inventory.package(declared).license_expression(),
        Some("ISC")
    );
    assert!(inventory.package(broken).license.is_none());
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "license-file-unreadable" && g.message.contains("licenses/none")),
        "{:?}",
        inventory.gaps
    );
}

/// A project whose one dependency declares no license but ships an MIT text, in a scratch
/// cargo home; returns (project, cargo home, cache) directories.
fn project_with_undeclared_license() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf)
{
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let crate_dir = dir
        .path()
        .join("cargo-home/registry/src/index.crates.io-0000000000000000/quiet-crate-1.0.0");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&crate_dir).unwrap();
    std::fs::write(
        crate_dir.join("Cargo.toml"),
        "[package]\nname = \"quiet-crate\"\nversion = \"1.0.0\"\n",
    )
    .unwrap();
    std::fs::copy(
        fixture("licenses/mit/LICENSE-MIT"),
        crate_dir.join("LICENSE"),
    )
    .unwrap();
    std::fs::write(
        project.join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"quiet-crate\"]\n\n\
         [[package]]\nname = \"quiet-crate\"\nversion = \"1.0.0\"\n\
         source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let home = dir.path().join("cargo-home");
    let cache = dir.path().join("cache");
    (dir, home, cache)
}

/// The license `depgate sbom` reports for `quiet-crate`.
fn sbom_license(
    dir: &tempfile::TempDir,
    home: &std::path::Path,
    cache: &std::path::Path,
    extra: &[&str],
) -> String {
    let out = crate::common::depgate()
        .arg("sbom")
        .arg(dir.path().join("project"))
        .args(["--format", "cyclonedx-json", "--offline"])
        .args(extra)
        .env("CARGO_HOME", home)
        .env_remove("DEPGATE_NO_CACHE")
        .env("DEPGATE_CACHE", cache)
        .output()
        .unwrap();
    let bom = crate::common::json_of_success(&out);
    crate::common::component(&bom, "quiet-crate")["licenses"].to_string()
}

fn cache_entries(cache: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![cache.join("license-detection")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                stack.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

#[test]
fn detection_results_are_cached_by_text_and_no_cache_bypasses_them() {
    let (dir, home, cache) = project_with_undeclared_license();
    let first = sbom_license(&dir, &home, &cache, &[]);
    assert!(first.contains("MIT"), "{first}");
    let entries = cache_entries(&cache);
    assert_eq!(entries.len(), 1, "one entry per license text: {entries:?}");
    // The second run reads the entry: rewritten with another result (same matcher), the
    // SBOM follows it, which shows the matcher was not consulted.
    let entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&entries[0]).unwrap()).unwrap();
    let forged = serde_json::json!({
        "matcher": entry["matcher"],
        "license": "0BSD",
        "score": 0.99,
    });
    std::fs::write(&entries[0], forged.to_string()).unwrap();
    let second = sbom_license(&dir, &home, &cache, &[]);
    assert!(second.contains("0BSD"), "{second}");
    // `--no-cache` neither reads nor writes it.
    let bypassed = sbom_license(&dir, &home, &cache, &["--no-cache"]);
    assert_eq!(bypassed, first);
    // A corrupt entry is a miss, recomputed and replaced.
    std::fs::write(&entries[0], b"\xff not json").unwrap();
    assert_eq!(sbom_license(&dir, &home, &cache, &[]), first);
    let repaired: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&entries[0]).unwrap()).unwrap();
    assert_eq!(repaired["license"], "MIT");
}

/// A policy whose every license rule is `allow` makes no license finding, so `check` does not
/// run the text matcher for it; the packages left undetected are a coverage gap, not silence.
#[test]
fn a_policy_that_judges_no_license_skips_detection_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("advisories-only.toml");
    std::fs::write(
        &policy,
        "[policy]\nowner = \"tests\"\n\n[licenses]\ndenied = \"allow\"\nnot-allowed = \"allow\"\nunknown = \"allow\"\nlow-confidence = \"allow\"\n",
    )
    .unwrap();
    let coverage = |policy: Option<&std::path::Path>| {
        let mut command = crate::common::depgate();
        command
            .env(
                "CARGO_HOME",
                crate::common::fixture("cargo/workspace/cargo-home"),
            )
            .args(["check", "--format", "json", "--offline"]);
        if let Some(policy) = policy {
            command.arg("--policy").arg(policy);
        }
        let out = command
            .arg(crate::common::fixture("cargo/workspace"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        report["coverage"].clone()
    };
    let skipped = coverage(Some(&policy));
    let gaps = skipped["gaps"].to_string();
    assert!(
        gaps.contains("the license texts of 1 packages that declare no license were not matched: the policy judges no license"),
        "{gaps}"
    );
    // The default policy judges licenses: tiny-dep's `license-file` is matched (MIT).
    let judged = coverage(None);
    assert!(
        !judged["gaps"].to_string().contains("were not matched"),
        "{judged}"
    );
}
