//! Version rules: banned packages and ranges, minimum versions, duplicate versions,
//! wildcard requirements in workspace manifests, and pre-release versions.
//!
//! In: `&Inventory` and a `&BanPolicy`. Out: findings and the `bans` coverage entry. Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;

use super::{Coverage, CoverageEntry, Finding, FindingCode, PackageRef};
use crate::inventory::{Ecosystem, Inventory, Package, PackageKind};
use crate::policy::BanPolicy;

/// Evaluates the version rules.
pub(super) fn evaluate(
    inventory: &Inventory,
    policy: &BanPolicy,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
) {
    let mut entry = CoverageEntry::default();
    let third_party: Vec<&Package> = inventory.third_party().collect();
    for package in &third_party {
        let version = semver::Version::parse(&package.version).ok();
        let ranged = policy
            .deny
            .iter()
            .any(|b| b.package.name == package.name && b.package.version.is_some())
            || policy.minimum.iter().any(|m| m.name == package.name);
        if ranged && version.is_none() {
            entry.not_evaluated.push(format!(
                "{}: version is not semver, so version ranges cannot be checked",
                package.name_version()
            ));
        } else {
            entry.evaluated += 1;
        }
        for ban in &policy.deny {
            if !&ban.package.matches(package) {
                continue;
            }
            let replacement = ban
                .replacement
                .as_ref()
                .map(|r| format!("; use `{r}` instead"))
                .unwrap_or_default();
            findings.extend(Finding::for_package(
                &ban.rule,
                FindingCode::PackageBanned,
                package,
                format!(
                    "{} is banned (`{}`): {}{replacement}",
                    package.name_version(),
                    &ban.package,
                    ban.reason
                ),
            ));
        }
        for minimum in &policy.minimum {
            if minimum.name != package.name {
                continue;
            }
            if let Some(version) = &version
                && version < &minimum.version
            {
                findings.extend(Finding::for_package(
                    &minimum.rule,
                    FindingCode::VersionBelowMinimum,
                    package,
                    format!(
                        "{} is below the minimum version {}: {}",
                        package.name_version(),
                        minimum.version,
                        minimum.reason
                    ),
                ));
            }
        }
        if let Some(version) = &version
            && !version.pre.is_empty()
        {
            findings.extend(Finding::for_package(
                &policy.prerelease,
                FindingCode::PrereleaseVersion,
                package,
                format!("{} is a pre-release version", package.name_version()),
            ));
        }
    }
    // Duplicates: several versions of one (ecosystem, name) in one lockfile or SBOM, unless
    // skipped. Each lockfile of a monorepo is a build of its own: a package at one version in
    // each of two lockfiles is in no build twice. Nor are the alternatives in a lockfile of an
    // ecosystem that installs one version per name (uv's forks, Gradle's configurations); an
    // SBOM lists what one product ships, so there every ecosystem counts.
    // Files compared as bytes: `Path`'s ordering walks components, which at 100k packages
    // cost some 30 ms of CPU.
    let sboms: BTreeSet<&OsStr> = inventory
        .inputs
        .iter()
        .filter(|input| input.is_sbom())
        .map(|input| input.path.as_os_str())
        .collect();
    let mut by_name: BTreeMap<(&OsStr, &Ecosystem, &str), Vec<&Package>> = BTreeMap::new();
    for package in third_party.iter().filter(|package| {
        package.ecosystem.builds_hold_several_versions()
            || sboms.contains(package.location.file.as_os_str())
    }) {
        by_name
            .entry((
                package.location.file.as_os_str(),
                &package.ecosystem,
                package.name.as_str(),
            ))
            .or_default()
            .push(package);
    }
    for ((_, _, name), mut packages) in by_name {
        packages.sort_by(|a, b| a.version.cmp(&b.version));
        packages.dedup_by(|a, b| a.version == b.version);
        let counted: Vec<&&Package> = packages
            .iter()
            .filter(|p| !policy.duplicate_skip.iter().any(|skip| skip.matches(p)))
            .collect();
        // A skipped version does not count: with one version left there is no duplicate.
        if counted.len() < 2 {
            continue;
        }
        let versions: Vec<&str> = packages.iter().map(|p| p.version.as_str()).collect();
        for package in counted {
            findings.extend(Finding::for_package(
                &policy.duplicates,
                FindingCode::DuplicateVersions,
                package,
                format!(
                    "{} versions of `{name}` are present ({}): {} is one of them",
                    versions.len(),
                    versions.join(", "),
                    package.name_version()
                ),
            ));
        }
    }
    // Wildcard requirements in root manifests.
    for requirement in &inventory.declared_requirements {
        if requirement.requirement.trim() != "*" {
            continue;
        }
        let root = inventory.package(requirement.from);
        if root.kind != PackageKind::Root {
            continue;
        }
        if let Some(severity) = policy.wildcards.level.severity() {
            let mut f = Finding::new(
                FindingCode::WildcardRequirement,
                policy.wildcards.id.clone(),
                severity,
                format!(
                    "`{}` requires `{} = \"*\"` in [{}]: any version, including breaking ones, would be accepted",
                    root.name, requirement.name, requirement.table
                ),
            );
            f.package = Some(PackageRef::from_package(root));
            f.package_id = Some(root.id);
            f.owner = Some(policy.wildcards.owner.clone());
            f.rationale = Some(policy.wildcards.rationale.clone());
            f.location = Some(requirement.location.clone());
            findings.push(f);
        }
    }
    coverage.rules.insert("bans".to_string(), entry);
}
