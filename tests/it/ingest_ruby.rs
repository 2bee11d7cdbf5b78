//! Ruby input: Gemfile.lock.

use depgate::inventory::PackageKind;

use crate::common::{dependencies_of, explain_error, load};

#[test]
fn gem_git_path_platforms_and_dependencies() {
    let inventory = load("ruby/gemfile/Gemfile.lock");
    let root = inventory.package(inventory.roots()[0]);
    // DEPENDENCIES are the root's edges (`name!` marks a GIT or PATH source).
    assert_eq!(
        dependencies_of(&inventory, &root.name),
        vec!["gitgem", "local_engine", "nokogiri", "nokogiri", "rspec"]
    );
    // The generic and the platform build of nokogiri 1.15.0 are two packages.
    let nokogiri: Vec<_> = inventory
        .packages()
        .iter()
        .filter(|p| p.name == "nokogiri")
        .collect();
    assert_eq!(nokogiri.len(), 2);
    assert!(nokogiri.iter().all(|p| p.version == "1.15.0"));
    assert_eq!(nokogiri[0].purl.as_deref(), Some("pkg:gem/nokogiri@1.15.0"));
    assert_eq!(
        nokogiri[1].purl.as_deref(),
        Some("pkg:gem/nokogiri@1.15.0?platform=x86_64-linux")
    );
    assert_eq!(nokogiri[1].location.line, Some(22));
    // CHECKSUMS belong to the exact platform build.
    assert!(nokogiri[0].hashes.is_empty());
    assert_eq!(nokogiri[1].hashes.len(), 1);
    let gitgem = inventory
        .packages()
        .iter()
        .find(|p| p.name == "gitgem")
        .unwrap();
    assert_eq!(
        gitgem.source.display(),
        "git+https://github.com/example/gitgem.git#4c1f2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
    );
    assert!(gitgem.purl.as_deref().unwrap().contains("vcs_url="));
    let local = inventory
        .packages()
        .iter()
        .find(|p| p.name == "local_engine")
        .unwrap();
    assert_eq!(local.kind, PackageKind::Local);
    assert_eq!(local.purl, None);
    // Spec dependency lines are edges; nokogiri's platform build has no mini_portile2.
    assert_eq!(dependencies_of(&inventory, "gitgem"), vec!["rack"]);
    let mini = inventory
        .packages()
        .iter()
        .find(|p| p.name == "mini_portile2")
        .unwrap();
    assert!(!mini.direct);
    let rack = inventory
        .packages()
        .iter()
        .find(|p| p.name == "rack")
        .unwrap();
    assert_eq!(rack.hashes.len(), 1);
    // PLATFORMS and BUNDLED WITH add no packages: 7 distinct specs + the root.
    assert_eq!(inventory.packages().len(), 9);
}

#[test]
fn malformed_gemfile_lock_exits_2_with_line() {
    let (code, stderr) = explain_error("ruby/gemfile-malformed/Gemfile.lock");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("Gemfile.lock` line 5"), "{stderr}");
}
