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
use crate::report::licenses::{self, DetectedLicense, LicenseReport, PolicyContext};

use super::Outcome;

/// A detection must score at least this to count as a conflict when no policy sets
/// `min-confidence`.
pub const DEFAULT_CONFLICT_THRESHOLD: f32 = 0.9;

/// The inventory of `PATH`, or of `--sbom FILE` when given.
pub(crate) fn inventory_of(
    scan: &crate::cli::ScanArgs,
    sbom: Option<&Path>,
    policy: Option<&ValidPolicy>,
) -> anyhow::Result<Inventory> {
    let inventory = match sbom {
        Some(file) => crate::ingest::ingest_sbom_to_scan(file)?,
        None => super::load_inventory(scan)?,
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
    let today = super::check::today(args.today.as_deref())?;
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let scan_root = args.sbom.as_deref().unwrap_or(&args.scan.path);
    let policy = report_policy(args.policy.as_deref(), scan_root)?;
    let mut inventory = inventory_of(&args.scan, args.sbom.as_deref(), policy.as_ref())?;
    if let Some(policy) = &policy {
        crate::enrich::manifests::hash_pinned_files(
            &mut inventory,
            &policy.licenses.clarifications,
        );
    }
    let evaluation = policy
        .as_ref()
        .map(|policy| crate::evaluate::evaluate(&inventory, policy, today));
    let threshold = policy
        .as_ref()
        .map(|p| p.licenses.min_confidence as f32)
        .unwrap_or(DEFAULT_CONFLICT_THRESHOLD);
    let conflicts = licenses::find_conflicts(&inventory, threshold, &detect_license_file);
    let context = match (&policy, &evaluation) {
        (Some(policy), Some(evaluation)) => Some(PolicyContext { policy, evaluation }),
        _ => None,
    };
    let report = LicenseReport::new(&inventory, context.as_ref(), conflicts);
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

/// What one license file's text matches, with its score; `None` when unreadable. The declared
/// licenses are tried first against the shared store (`enrich::license_text`): when one of
/// them matches at `DEFAULT_CONFLICT_THRESHOLD` or better, the full comparison against every
/// SPDX text (≈10 ms a file) is skipped.
fn detect_license_file(path: &Path, declared: &[String]) -> Option<DetectedLicense> {
    let bytes = crate::enrich::license_text::read_license_file(path).ok()?;
    // A license text is a few KiB; anything huge is not one and would only cost time.
    if bytes.len() > 512 * 1024 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let data = spdx::detection::TextData::new(&text);
    let store = crate::enrich::license_text::store();
    for id in declared {
        if let Some(original) = store.get_original(id) {
            let score = data.match_score(original);
            if score >= DEFAULT_CONFLICT_THRESHOLD {
                return Some(DetectedLicense {
                    license: id.clone(),
                    score,
                });
            }
        }
    }
    crate::enrich::license_text::detect_text(&text)
        .map(|(license, score)| DetectedLicense { license, score })
}
