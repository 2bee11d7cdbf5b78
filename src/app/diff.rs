//! `depgate diff OLD NEW`: drift between two states (lockfiles, directories, SBOMs, git revisions).
//!
//! In: two state specs. Out: the [`crate::inventory::diff::InventoryDiff`] rendered as a table,
//! JSON or Markdown. Exit 0, or with `--exit-code` 1 when anything changed; 2 on bad input; 3
//! when a side has nothing to scan.

use std::cmp::Ordering;

use crate::cli::{DiffArgs, DiffFormat};
use crate::enrich::advisories::{AdvisoryKind, AdvisoryMatch};
use crate::enrich::versions::Scheme;
use crate::ingest::IngestOptions;
use crate::inventory::diff::{AdvisoryHit, DiffOptions, diff_inventories};
use crate::inventory::{Ecosystem, Inventory};
use crate::report::diff::{render_json, render_markdown, render_table};

use super::Outcome;
use super::revision::{StateSpec, load_state};

/// Per-ecosystem version ordering (`enrich::versions`), so upgrades and downgrades of PyPI,
/// Go, Maven, RubyGems, NuGet and Composer packages follow their own schemes.
fn ecosystem_order(ecosystem: &Ecosystem, left: &str, right: &str) -> Option<Ordering> {
    Scheme::for_osv_ecosystem(ecosystem.osv_name()).compare(left, right)
}

/// The vulnerabilities (not informational notices) affecting one side.
fn hits(inventory: &Inventory, matches: &[AdvisoryMatch]) -> Vec<AdvisoryHit> {
    matches
        .iter()
        .filter(|m| m.kind == AdvisoryKind::Vulnerability)
        .map(|m| {
            let package = inventory.package(m.package);
            AdvisoryHit {
                ecosystem: package.ecosystem.to_string(),
                name: package.name.clone(),
                version: package.version.clone(),
                id: m.advisory_id.clone(),
            }
        })
        .collect()
}

/// Runs `depgate diff`.
pub fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let options = IngestOptions {
        offline: args.offline,
        build: super::build_selection(&args.build),
        ..IngestOptions::default()
    };
    let old_spec = StateSpec::parse(&args.old)?;
    let new_spec = StateSpec::parse(&args.new)?;
    // With `--target`/`--features`, each side is its build's crates only.
    let old = super::build_view(load_state(&old_spec, &options)?);
    let new = super::build_view(load_state(&new_spec, &options)?);
    super::warn_gaps(&old);
    super::warn_gaps(&new);
    let advisories = super::load_advisories(&args.advisory_dbs)?;
    let old_matches = super::advisory_matches(&old, &advisories);
    let new_matches = super::advisory_matches(&new, &advisories);
    let databases = &advisories.databases;
    let options = if databases.is_empty() {
        eprintln!(
            "warning: no advisory database: advisories newly affecting or no longer affecting \
             are not compared (run `depgate db update` or pass `--advisory-db PATH`)"
        );
        DiffOptions {
            version_order: ecosystem_order,
            ..DiffOptions::default()
        }
    } else {
        DiffOptions {
            version_order: ecosystem_order,
            old_advisories: Some(hits(&old, &old_matches)),
            new_advisories: Some(hits(&new, &new_matches)),
        }
    };
    let diff = diff_inventories(&old, &new, &options);
    let (old_label, new_label) = (old_spec.label(), new_spec.label());
    let bytes = match args.format {
        DiffFormat::Table => render_table(&diff, &old_label, &new_label),
        DiffFormat::Json => render_json(&diff, &old_label, &new_label)?,
        DiffFormat::Markdown => render_markdown(&diff, &old_label, &new_label),
    };
    super::emit(args.output.as_deref(), &bytes)?;
    Ok(if args.exit_code && !diff.is_empty() {
        Outcome::Violated
    } else {
        Outcome::Pass
    })
}
