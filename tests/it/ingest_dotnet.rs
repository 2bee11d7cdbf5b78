//! .NET input: NuGet packages.lock.json.

use depgate::inventory::{HashAlgorithm, PackageKind};

use crate::common::{dependencies_of, explain_error, load, only};

#[test]
fn frameworks_types_project_references_and_hashes() {
    let inventory = load("dotnet/packages-lock/packages.lock.json");
    let root = inventory.package(inventory.roots()[0]);
    assert_eq!(root.name, "packages-lock");
    // Direct entries and Project references hang from the root.
    assert_eq!(
        dependencies_of(&inventory, &root.name),
        vec!["Newtonsoft.Json", "Serilog", "shop.core"]
    );
    // The same package in two frameworks is one package.
    let json = only(&inventory, "Newtonsoft.Json");
    assert_eq!(
        json.purl.as_deref(),
        Some("pkg:nuget/Newtonsoft.Json@13.0.3")
    );
    assert_eq!(json.location.line, Some(5));
    assert_eq!(json.hashes[0].algorithm, HashAlgorithm::Sha512);
    assert_eq!(json.hashes[0].value.len(), 128);
    assert!(json.hashes[0].value.starts_with("000102030405"));
    // Different versions in different frameworks stay apart.
    let memory: Vec<_> = inventory
        .packages()
        .iter()
        .filter(|p| p.name == "System.Memory")
        .map(|p| p.version.as_str())
        .collect();
    assert_eq!(memory, vec!["4.5.5", "4.5.4"]);
    assert!(only(&inventory, "Serilog").direct);
    let central = only(&inventory, "Microsoft.Extensions.Logging");
    assert!(!central.direct);
    let project = only(&inventory, "shop.core");
    assert_eq!(project.kind, PackageKind::Local);
    assert_eq!(project.purl, None);
    assert_eq!(
        dependencies_of(&inventory, "shop.core"),
        vec!["Microsoft.Extensions.Logging", "Serilog"]
    );
}

#[test]
fn malformed_packages_lock_exits_2_with_line() {
    let (code, stderr) = explain_error("dotnet/packages-lock-malformed/packages.lock.json");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("packages.lock.json` line 5"), "{stderr}");
    assert!(stderr.contains("resolved"), "{stderr}");
}
