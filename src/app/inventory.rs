//! `depgate inventory` (hidden, for debugging): ingest a path and print the inventory.
//!
//! In: [`InventoryArgs`]. Out: the packages, edges, roots, inputs and gaps as text or JSON on
//! standard output. The JSON shape follows the inventory model and is not a stable interface.

use std::fmt::Write;

use serde::Serialize;

use crate::cli::{InventoryArgs, InventoryFormat};
use crate::inventory::{Edge, Gap, InputFile, Package, PackageId};

use super::Outcome;

#[derive(Serialize)]
struct Dump<'a> {
    schema: &'static str,
    inputs: &'a [InputFile],
    roots: &'a [PackageId],
    packages: &'a [Package],
    edges: &'a [Edge],
    gaps: &'a [Gap],
}

/// Runs `depgate inventory`.
pub fn run(args: InventoryArgs) -> anyhow::Result<Outcome> {
    let inventory = super::load_inventory(&args.scan)?;
    let bytes = match args.format {
        InventoryFormat::Json => {
            let dump = Dump {
                schema: "depgate.inventory/debug",
                inputs: &inventory.inputs,
                roots: inventory.roots(),
                packages: inventory.packages(),
                edges: inventory.edges(),
                gaps: &inventory.gaps,
            };
            let mut text = serde_json::to_string_pretty(&dump)?;
            text.push('\n');
            text.into_bytes()
        }
        InventoryFormat::Text => {
            let mut out = String::new();
            let third_party = inventory.third_party().count();
            let _ = writeln!(
                out,
                "{} packages ({third_party} third-party), {} edges, {} roots, {} inputs",
                inventory.packages().len(),
                inventory.edges().len(),
                inventory.roots().len(),
                inventory.inputs.len()
            );
            for root in inventory.roots() {
                let package = inventory.package(*root);
                let _ = writeln!(
                    out,
                    "root {} {} ({}{})",
                    package.name,
                    package.version,
                    package.source.display(),
                    package
                        .location
                        .line
                        .map(|line| format!(", {} line {line}", package.location.file.display()))
                        .unwrap_or_else(|| format!(", {}", package.location.file.display()))
                );
            }
            for package in inventory.third_party() {
                let _ = writeln!(
                    out,
                    "{}@{} {} {}",
                    package.name,
                    package.version,
                    package.scope,
                    package.dependency()
                );
            }
            for gap in &inventory.gaps {
                let _ = writeln!(out, "gap {}: {}", gap.kind, gap.message);
            }
            out.into_bytes()
        }
    };
    super::emit(None, &bytes)?;
    Ok(Outcome::Pass)
}
