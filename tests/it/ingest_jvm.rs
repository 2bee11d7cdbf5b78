//! JVM inputs: gradle.lockfile and Maven pom.xml.

use depgate::inventory::{DepKind, Scope};

use crate::common::{explain_error, load, only};

#[test]
fn gradle_configurations_decide_scope() {
    let inventory = load("jvm/gradle/gradle.lockfile");
    let guava = only(&inventory, "com.google.guava:guava");
    assert_eq!(guava.version, "33.0.0-jre");
    assert_eq!(
        guava.purl.as_deref(),
        Some("pkg:maven/com.google.guava/guava@33.0.0-jre")
    );
    assert_eq!(guava.scope, Scope::Runtime);
    assert_eq!(guava.location.line, Some(4));
    assert_eq!(
        only(&inventory, "org.junit.jupiter:junit-jupiter-api").scope,
        Scope::Dev
    );
    assert_eq!(
        only(&inventory, "org.slf4j:slf4j-api").scope,
        Scope::Runtime
    );
    // `empty=` holds configurations, not a package.
    assert_eq!(inventory.third_party().count(), 3);
}

#[test]
fn maven_properties_management_scopes_and_gaps() {
    let inventory = load("jvm/maven/pom.xml");
    let root = inventory.package(inventory.roots()[0]);
    // groupId inherited from the parent reference.
    assert_eq!(root.name, "org.example:shop");
    assert_eq!(root.version, "1.4.0");
    // `${jackson.bom}` -> `${jackson.version}` -> 2.16.1.
    let jackson = only(&inventory, "com.fasterxml.jackson.core:jackson-databind");
    assert_eq!(jackson.version, "2.16.1");
    assert_eq!(jackson.location.line, Some(32));
    // Version from this POM's dependencyManagement.
    assert_eq!(only(&inventory, "org.slf4j:slf4j-api").version, "2.0.9");
    // `${project.version}`.
    assert_eq!(only(&inventory, "org.example:shop-model").version, "1.4.0");
    let kind_of = |name: &str| {
        let id = only(&inventory, name).id;
        inventory.edges().iter().find(|e| e.to == id).unwrap().kind
    };
    assert_eq!(kind_of("org.mockito:mockito-core"), DepKind::Dev);
    assert_eq!(
        kind_of("jakarta.servlet:jakarta.servlet-api"),
        DepKind::Build
    );
    assert_eq!(kind_of("org.example:shop-model"), DepKind::Normal);
    assert_eq!(
        only(&inventory, "org.mockito:mockito-core").scope,
        Scope::Dev
    );
    assert_eq!(
        only(&inventory, "jakarta.servlet:jakarta.servlet-api").scope,
        Scope::Build
    );
    // Managed entries are version rules, not packages.
    assert_eq!(inventory.third_party().count(), 5);
    // Unresolvable things are gaps, never silently dropped.
    let gap = |kind: &str| {
        inventory
            .gaps
            .iter()
            .filter(|g| g.kind == kind)
            .map(|g| g.message.clone())
            .collect::<Vec<_>>()
    };
    let unresolved = gap("maven-version-unresolved");
    assert_eq!(unresolved.len(), 2, "{unresolved:?}");
    assert!(
        unresolved
            .iter()
            .any(|m| m.contains("org.junit.jupiter:junit-jupiter"))
    );
    assert!(
        unresolved
            .iter()
            .any(|m| m.contains("${undefined.version}"))
    );
    assert!(gap("maven-bom-unresolved")[0].contains("org.junit:junit-bom:5.10.1"));
    assert!(gap("maven-parent-unresolved")[0].contains("org.example:parent:7"));
    assert_eq!(gap("maven-transitive-unresolved").len(), 1);
}

#[test]
fn malformed_jvm_files_exit_2_with_line() {
    for (file, expected) in [
        (
            "jvm/gradle-malformed/gradle.lockfile",
            "gradle.lockfile` line 3",
        ),
        ("jvm/maven-malformed/pom.xml", "pom.xml` line 7"),
    ] {
        let (code, stderr) = explain_error(file);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        assert!(stderr.contains(expected), "{file}: {stderr}");
    }
}
