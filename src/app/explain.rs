//! `depgate explain`: why a package is present, as dependency paths from each root.

use std::fmt::Write;

use crate::cli::ExplainArgs;
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

/// Runs `depgate explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<Outcome> {
    let inventory = super::load_inventory(&args.scan)?;
    super::warn_gaps(&inventory);
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
    }
    super::emit(None, out.as_bytes())?;
    Ok(Outcome::Pass)
}
