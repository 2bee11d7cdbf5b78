//! `depgate licenses`: ingest -> (policy: clarifications, evaluation) -> conflicts -> the
//! license report in one format.
//!
//! In: [`LicensesArgs`]. Out: the report on standard output or written atomically to `-o`.
//! Always exit 0 when the report was written (it is a report, not the gate: `check` gates);
//! input errors exit 2 and leave no output file.

use std::path::Path;

use crate::cli::{LicensesArgs, LicensesFormat};
use crate::inventory::Inventory;
use crate::policy::{PolicySource, ValidPolicy};
use crate::report::licenses::{self, LicenseReport, PolicyContext};

use super::Outcome;

pub use crate::enrich::license_conflicts::DEFAULT_CONFLICT_THRESHOLD;

/// The inventory of `PATH`, or of `--sbom FILE` when given.
pub(crate) fn inventory_of(
    scan: &crate::cli::ScanArgs,
    sbom: Option<&Path>,
    policy: Option<&ValidPolicy>,
) -> anyhow::Result<Inventory> {
    let inventory = match sbom {
        Some(file) => {
            crate::ingest::ingest_sbom_to_scan(file, &super::build_selection(&scan.build))?
        }
        None => super::build_view(super::load_inventory(scan)?),
    };
    super::warn_gaps(&inventory);
    let mut inventory = inventory;
    crate::enrich::sources::locate_package_sources(&mut inventory);
    let policy_online = policy.is_some_and(|p| p.licenses.registry_lookups);
    super::enrich_licenses(&mut inventory, scan, policy_online);
    Ok(inventory)
}

/// The policy for a report: `--policy` when given, else `depgate.toml` or `rules/` found at
/// the scanned root; `None` when neither exists (reports do not judge by the built-in one).
pub(crate) fn report_policy(
    explicit: Option<&Path>,
    scan_root: &Path,
) -> anyhow::Result<Option<ValidPolicy>> {
    let policy = crate::policy::load(explicit, scan_root)?;
    Ok(match policy.source {
        PolicySource::Builtin if explicit.is_none() => None,
        _ => Some(policy),
    })
}

/// Runs `depgate licenses`.
pub fn run(args: LicensesArgs) -> anyhow::Result<Outcome> {
    let today = super::check::today(args.today);
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let scan_root = args.sbom.as_deref().unwrap_or(&args.scan.path);
    let policy = report_policy(args.policy.as_deref(), scan_root)?;
    let mut inventory = inventory_of(&args.scan, args.sbom.as_deref(), policy.as_ref())?;
    if let Some(policy) = &policy {
        crate::enrich::manifests::hash_pinned_files(
            &mut inventory,
            &policy.licenses.pinned_files(),
        );
    }
    let evaluation = policy
        .as_ref()
        .map(|policy| crate::evaluate::evaluate(&inventory, policy, today));
    let threshold = policy
        .as_ref()
        .map(|p| p.licenses.min_confidence as f32)
        .unwrap_or(DEFAULT_CONFLICT_THRESHOLD);
    let conflicts = crate::enrich::license_conflicts::find_conflicts(
        &inventory,
        threshold,
        &crate::enrich::license_conflicts::detect_license_file,
    );
    let context = match (&policy, &evaluation) {
        (Some(policy), Some(evaluation)) => Some(PolicyContext { policy, evaluation }),
        _ => None,
    };
    let report = LicenseReport::new(&inventory, context.as_ref(), &conflicts);
    let bytes = match args.format {
        LicensesFormat::Table => licenses::table::render(&report),
        LicensesFormat::Markdown => licenses::markdown::render(&report),
        LicensesFormat::Json => licenses::render_json(&report),
        LicensesFormat::Csv => licenses::csv::render(&report)?,
        LicensesFormat::Html => licenses::html::render(&report)?,
    };
    super::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}
