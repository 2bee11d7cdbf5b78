//! `gradle.lockfile` -> packages (stage 1, ingest).
//!
//! In: the lockfile text, one `group:artifact:version=configuration,...` per line. Out: a root
//! (the project directory) and one Maven package per line. The file is flat (no edges). A
//! package locked only in test configurations (`test...`, e.g. `testRuntimeClasspath`) is dev
//! scope; everything else is runtime. The `empty=` line lists configurations with no
//! dependencies and holds no package.

use std::path::Path;

use super::IngestError;
use super::support::{Builder, location, purl, root_package};
use crate::inventory::{Ecosystem, Inventory, Package, Scope, Source};

/// Maven Central, where Gradle resolves by default in most builds.
pub(crate) const MAVEN_CENTRAL: &str = "https://repo.maven.apache.org/maven2";

/// A Maven package `group:artifact@version` with its purl.
pub(crate) fn maven_package(
    path: &Path,
    line: Option<u32>,
    group: &str,
    artifact: &str,
    version: &str,
) -> Package {
    let mut package = Package::new(
        Ecosystem::Maven,
        format!("{group}:{artifact}"),
        version,
        location(path, line),
    );
    package.purl = purl("maven", Some(group), artifact, version, &[]);
    // The lockfile does not name the repository; Maven Central is the usual one.
    package.source = Source::Registry {
        url: MAVEN_CENTRAL.to_string(),
        default: true,
    };
    package
}

/// Parses a `gradle.lockfile`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let mut builder = Builder::default();
    builder.add_root(root_package(Ecosystem::Maven, path, None, ""));
    let mut empty_line = false;
    for (index, raw) in text.lines().enumerate() {
        let number = index as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((coordinates, configurations)) = line.split_once('=') else {
            return Err(IngestError::parse(
                path,
                Some(number),
                format!(
                    "invalid lockfile line `{line}`: expected `GROUP:ARTIFACT:VERSION=CONFIGURATIONS`"
                ),
            ));
        };
        // Configurations are Gradle names (`compileClasspath`, `testRuntimeClasspath`): anything
        // else there (a second `=`, a `:`) is the next entry run into this line through a
        // damaged line break, which would otherwise be lost.
        if let Some(bad) = configurations.split(',').map(str::trim).find(|name| {
            !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }) {
            return Err(IngestError::parse(
                path,
                Some(number),
                format!(
                    "invalid configuration name `{bad}` in `{line}`: a Gradle lockfile line is `GROUP:ARTIFACT:VERSION=CONFIGURATION,...`"
                ),
            ));
        }
        if coordinates == "empty" {
            empty_line = true;
            continue;
        }
        let parts: Vec<&str> = coordinates.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            return Err(IngestError::parse(
                path,
                Some(number),
                format!(
                    "invalid lockfile coordinates `{coordinates}`: expected `GROUP:ARTIFACT:VERSION`"
                ),
            ));
        };
        if group.is_empty() || artifact.is_empty() || version.is_empty() {
            return Err(IngestError::parse(
                path,
                Some(number),
                format!("invalid lockfile coordinates `{coordinates}`: empty part"),
            ));
        }
        let mut package = maven_package(path, Some(number), group, artifact, version);
        let test_only = configurations
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .all(|c| c.starts_with("test"));
        if test_only && !configurations.trim().is_empty() {
            package.scope = Scope::Dev;
        }
        builder.add(format!("{group}:{artifact}@{version}"), package);
    }
    // Gradle writes the `empty=` line last, even when no configuration is empty; a file it
    // generated (it says so in its header) without one was cut short.
    if !empty_line && text.starts_with(GRADLE_HEADER) {
        return Err(IngestError::parse(
            path,
            Some(text.lines().count().max(1) as u32),
            "the lockfile has no `empty=` line, which Gradle always writes last: it is cut short; regenerate it with `gradle dependencies --write-locks`",
        ));
    }
    Ok(builder.inventory)
}

/// The first line of every lockfile Gradle writes.
const GRADLE_HEADER: &str = "# This is a Gradle generated file for dependency locking.";
