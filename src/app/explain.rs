//! `depgate explain`: why a package is present, as dependency paths from each root.

use std::fmt::Write;

use crate::cli::ExplainArgs;
use crate::enrich::advisories::{AdvisoryKind, AdvisoryMatch};
use crate::inventory::{Inventory, PackageId};

use super::Outcome;

/// With `--target`/`--features`: per target, whether the package is compiled, with which
/// features, and the chain of dependencies and features that pulls it in from a member.
fn explain_build(inventory: &Inventory, id: PackageId, out: &mut String) {
    let (Some(build), Some(package)) = (&inventory.build, inventory.build_package(id)) else {
        return;
    };
    let features = |set: &Option<std::collections::BTreeSet<String>>| {
        set.as_ref().map(|set| {
            if set.is_empty() {
                "no features".to_string()
            } else {
                format!(
                    "features {}",
                    set.iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        })
    };
    for target in build.selection.target_names() {
        let Some(units) = package.targets.get(&target) else {
            let _ = writeln!(
                out,
                "  not compiled for {target} with {}: no enabled dependency on an active platform reaches it",
                build.selection.describe_features()
            );
            continue;
        };
        let mut kinds = Vec::new();
        if let Some(target_features) = features(&units.target) {
            kinds.push(format!("for the target with {target_features}"));
        }
        if let Some(host_features) = features(&units.host) {
            kinds.push(format!(
                "for the host ({}) with {host_features}",
                build.host
            ));
        }
        let _ = writeln!(
            out,
            "  compiled for {target} with {}: {}{}",
            build.selection.describe_features(),
            kinds.join("; "),
            if package.assumed {
                " (assumed: a manifest needed to resolve it was not read)"
            } else {
                ""
            }
        );
        for step in package.why.get(&target).into_iter().flatten() {
            let from = inventory.package(step.from);
            let _ = writeln!(out, "    {} {}: {}", from.name, from.version, step.how);
        }
    }
}

/// The advisories on the package, each with the functions it names and whether this
/// version is in their ranges: what a reviewer has to look for in the code.
fn explain_advisories(matches: &[AdvisoryMatch], id: PackageId, version: &str, out: &mut String) {
    for found in matches.iter().filter(|m| m.package == id) {
        if matches!(
            found.kind,
            AdvisoryKind::Yanked | AdvisoryKind::NotEvaluated
        ) {
            continue;
        }
        let fix = match (&found.package_fix, found.patched.is_empty()) {
            (Some(version), _) => format!("; upgrade to >= {version}"),
            (None, false) => format!("; patched: {}", found.patched.join("; ")),
            (None, true) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} ({}): {}{fix}",
            found.advisory_id,
            found.kind.as_str(),
            found.title.as_deref().unwrap_or("no title")
        );
        for function in &found.functions {
            let _ = writeln!(
                out,
                "    affected function {}: {version} is {}",
                function.describe(),
                if function.version_in_range {
                    "in range"
                } else {
                    "outside its versions"
                }
            );
        }
        if !found.functions.is_empty() && !found.functions.iter().any(|f| f.version_in_range) {
            let _ = writeln!(
                out,
                "    {version} is outside the versions of every function named, but inside the advisory's range: reported as affected; check whether this version has the flaw"
            );
        }
    }
}

/// Runs `depgate explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<Outcome> {
    let inventory = super::load_inventory(&args.scan)?;
    super::warn_gaps(&inventory);
    let advisories = super::load_advisories(&args.advisory_dbs)?;
    let advisory_matches = super::advisory_matches(&inventory, &advisories);
    let (name, version) = match args.package.split_once('@') {
        Some((name, version)) if !name.is_empty() => (name, Some(version)),
        _ => (args.package.as_str(), None),
    };
    let matches: Vec<_> = inventory
        .packages()
        .iter()
        .filter(|p| p.name == name && version.is_none_or(|v| p.version == v))
        .collect();
    if matches.is_empty() {
        anyhow::bail!(
            "no package `{}` in the inventory of `{}`",
            args.package,
            args.scan.path.display()
        );
    }
    let mut out = String::new();
    for package in matches {
        let _ = writeln!(
            out,
            "{} {} ({}, {}{})",
            package.name,
            package.version,
            package.scope,
            package.dependency(),
            package
                .purl
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default()
        );
        let paths = inventory.paths_to_display(package.id, args.limit);
        if paths.is_empty() {
            let _ = writeln!(out, "  (not reachable from any root)");
        }
        for path in paths {
            let _ = writeln!(out, "  {path}");
        }
        explain_build(&inventory, package.id, &mut out);
        explain_advisories(&advisory_matches, package.id, &package.version, &mut out);
    }
    super::emit(None, out.as_bytes())?;
    Ok(Outcome::Pass)
}
