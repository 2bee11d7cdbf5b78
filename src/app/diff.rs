//! `depgate diff OLD NEW`: drift between two states (lockfiles, directories, SBOMs, git revisions).
//!
//! In: two state specs. Out: the [`crate::inventory::diff::InventoryDiff`] rendered as a table,
//! JSON or Markdown. Exit 0, or with `--exit-code` 1 when anything changed; 2 on bad input; 3
//! when a side has nothing to scan.

use crate::cli::{DiffArgs, DiffFormat};
use crate::ingest::IngestOptions;
use crate::inventory::diff::{DiffOptions, diff_inventories};
use crate::report::diff::{render_json, render_markdown, render_table};

use super::Outcome;
use super::revision::{StateSpec, load_state};

/// Runs `depgate diff`.
pub fn run(args: DiffArgs) -> anyhow::Result<Outcome> {
    let options = IngestOptions {
        offline: args.offline,
        ..IngestOptions::default()
    };
    let old_spec = StateSpec::parse(&args.old)?;
    let new_spec = StateSpec::parse(&args.new)?;
    let old = load_state(&old_spec, &options)?;
    let new = load_state(&new_spec, &options)?;
    super::warn_gaps(&old);
    super::warn_gaps(&new);
    // Advisory matching per side is wired in by the advisory stage; until then the diff
    // compares packages, versions, licenses and sources only (`advisories_*` stay absent).
    let diff = diff_inventories(&old, &new, &DiffOptions::default());
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
