//! Findings against the requested build (`--target`, `--features`): a problem in a crate the
//! build never compiles is a note, not a violation — said, never dropped.
//!
//! In: the inventory (with its [`crate::inventory::Build`]), the findings of every rule family
//! and the advisory matches (for RustSec's `[affected] os`/`arch`). Out: the same findings,
//! those about packages not compiled for any requested target (or, for an advisory limited to
//! some operating systems or architectures, compiled for none of them) turned into notes
//! whose message says why, and the `build` entry of the coverage section.
//!
//! Every rule family is treated alike (licenses, bans, sources, advisories): what is not
//! compiled does not ship, so it cannot violate a policy about what ships, but it stays in
//! the report as a note.

use std::collections::BTreeMap;

use super::{CoverageEntry, Finding, Severity};
use crate::enrich::advisories::AdvisoryMatch;
use crate::inventory::{BuildPackage, EVERY_PLATFORM, Inventory, PackageId};

/// Why a finding's package is outside the build, when it is: `not compiled for T with F`, or
/// for a platform-limited advisory `affects only …`.
pub fn outside_build(
    inventory: &Inventory,
    package: PackageId,
    advisory: Option<&AdvisoryMatch>,
) -> Option<String> {
    let build = inventory.build.as_ref()?;
    let compiled = inventory.build_package(package)?;
    if !compiled.is_compiled() {
        return Some(format!("not compiled for {}", build.selection.describe()));
    }
    let advisory = advisory.filter(|a| !a.os.is_empty() || !a.arch.is_empty())?;
    let platforms = platforms_of(compiled, &build.host)?;
    let affected = platforms.iter().any(|triple| {
        cfg_expr::targets::get_builtin_target_by_triple(triple).is_none_or(|target| {
            let os = target.os.as_ref().map_or("none", |os| os.as_str());
            (advisory.os.is_empty() || advisory.os.iter().any(|o| o == os))
                && (advisory.arch.is_empty()
                    || advisory.arch.iter().any(|a| a == target.arch.as_str()))
        })
    });
    if affected {
        return None;
    }
    let mut limits: Vec<String> = advisory.os.clone();
    limits.extend(advisory.arch.iter().cloned());
    Some(format!(
        "compiled for no platform the advisory affects (it affects only {}; compiled for {} with {})",
        limits.join(", "),
        platforms.join(", "),
        build.selection.describe_features()
    ))
}

/// For a package compiled for some of several requested targets, which: `compiled for A, not
/// for B`. A finding on it still counts (the crate ships in A's build, as cargo would compile
/// it); the words tell a reviewer which builds carry it.
pub fn partly_in_build(inventory: &Inventory, package: PackageId) -> Option<String> {
    let build = inventory.build.as_ref()?;
    let compiled = inventory.build_package(package)?;
    let (present, absent): (Vec<&String>, Vec<&String>) = build
        .selection
        .targets
        .iter()
        .partition(|target| compiled.targets.contains_key(*target));
    if present.is_empty() || absent.is_empty() {
        return None;
    }
    let join = |list: Vec<&String>| {
        list.into_iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Some(format!(
        "compiled for {}, not for {}",
        join(present),
        join(absent)
    ))
}

/// The triples a compiled package runs on: its targets, and the host when it is compiled
/// for the host (a build dependency runs there). `None` when one of them is "every
/// platform", where no limit can be excluded.
fn platforms_of(compiled: &BuildPackage, host: &str) -> Option<Vec<String>> {
    let mut platforms = Vec::new();
    for (target, units) in &compiled.targets {
        if target == EVERY_PLATFORM {
            return None;
        }
        if units.target.is_some() && !platforms.contains(target) {
            platforms.push(target.clone());
        }
        if units.host.is_some() && !platforms.iter().any(|p| p == host) {
            platforms.push(host.to_string());
        }
    }
    Some(platforms)
}

/// The advisory match an advisory finding came from.
fn match_of<'m>(finding: &Finding, matches: &'m [AdvisoryMatch]) -> Option<&'m AdvisoryMatch> {
    let advisory = finding.advisory.as_ref()?;
    matches
        .iter()
        .find(|m| Some(m.package) == finding.package_id && m.advisory_id == advisory.id)
}

/// Turns the findings about packages outside the build into notes.
pub fn apply(inventory: &Inventory, findings: &mut [Finding], matches: &[AdvisoryMatch]) {
    if inventory.build.is_none() {
        return;
    }
    for finding in findings.iter_mut() {
        if finding.severity == Severity::Note {
            continue;
        }
        let Some(package) = finding.package_id else {
            continue;
        };
        if let Some(reason) = outside_build(inventory, package, match_of(finding, matches)) {
            finding.severity = Severity::Note;
            finding.message = format!("{} (a note: {reason})", finding.message);
            finding.outside_build = Some(reason);
        } else if let Some(targets) = partly_in_build(inventory, package) {
            finding.message = format!("{} ({targets})", finding.message);
        }
    }
}

/// The coverage of the build: the packages compiled, and each package the build leaves out
/// (with how many of its findings are notes for that reason), so nothing is dropped silently.
pub fn coverage(inventory: &Inventory, findings: &[Finding]) -> Option<CoverageEntry> {
    let build = inventory.build.as_ref()?;
    let mut outside: BTreeMap<PackageId, usize> = BTreeMap::new();
    for finding in findings {
        if let (Some(id), Some(_)) = (finding.package_id, &finding.outside_build) {
            *outside.entry(id).or_default() += 1;
        }
    }
    let notes = |count: usize| match count {
        0 => String::new(),
        1 => "; 1 finding reported as a note".to_string(),
        n => format!("; {n} findings reported as notes"),
    };
    let mut entry = CoverageEntry::default();
    for (id, package) in &build.packages {
        let crate_ = inventory.package(*id);
        let count = outside.get(id).copied().unwrap_or(0);
        if package.is_compiled() {
            entry.evaluated += 1;
            if count > 0 {
                entry.not_evaluated.push(format!(
                    "{}@{}: compiled for no platform its advisories affect{}",
                    crate_.name,
                    crate_.version,
                    notes(count)
                ));
            }
        } else {
            entry.not_evaluated.push(format!(
                "{}@{}: not compiled for {}{}",
                crate_.name,
                crate_.version,
                build.selection.describe(),
                notes(count)
            ));
        }
    }
    Some(entry)
}
