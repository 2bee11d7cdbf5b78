//! `depgate notices`: ingest -> (policy clarifications) -> read each package's license files,
//! NOTICE files and source headers -> the third-party notices in one format.
//!
//! In: [`NoticesArgs`]. Out: the notices on standard output or written atomically to `-o`.
//! Exit 0, or 1 with `--strict` when a package needs attention; input errors exit 2 and leave
//! no output file.

use std::collections::BTreeMap;

use crate::cli::{NoticesArgs, NoticesFormat};
use crate::report::notices::{self, NoticesReport};

use super::Outcome;

/// Runs `depgate notices`.
pub fn run(args: NoticesArgs) -> anyhow::Result<Outcome> {
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let scan_root = args.sbom.as_deref().unwrap_or(&args.scan.path);
    let policy = super::licenses::report_policy(args.policy.as_deref(), scan_root)?;
    let mut inventory =
        super::licenses::inventory_of(&args.scan, args.sbom.as_deref(), policy.as_ref())?;
    if let Some(policy) = &policy {
        crate::enrich::manifests::hash_pinned_files(
            &mut inventory,
            &policy.licenses.pinned_files(),
        );
    }
    let facts: BTreeMap<_, _> = inventory
        .third_party()
        .map(|package| (package.id, crate::enrich::notices::gather(package)))
        .collect();
    let report = NoticesReport::new(&inventory, policy.as_ref(), &facts);
    let bytes = match args.format {
        NoticesFormat::Text => notices::text::render(&report),
        NoticesFormat::Markdown => notices::markdown::render(&report),
        NoticesFormat::Html => notices::html::render(&report)?,
        NoticesFormat::Json => notices::render_json(&report),
    };
    super::emit(args.output.as_deref(), &bytes)?;
    let attention = report.needs_attention.len();
    if attention > 0 {
        eprintln!(
            "warning: {attention} package{} need{} attention (no license text or no copyright holder found); see the \"needs attention\" section",
            if attention == 1 { "" } else { "s" },
            if attention == 1 { "s" } else { "" }
        );
        if args.strict {
            return Ok(Outcome::Violated);
        }
    }
    Ok(Outcome::Pass)
}
