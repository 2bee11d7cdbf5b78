//! `depgate explain`: why a package is present, as dependency paths from each root.

use std::fmt::Write;

use crate::cli::ExplainArgs;

use super::Outcome;

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
    }
    super::emit(None, out.as_bytes())?;
    Ok(Outcome::Pass)
}
