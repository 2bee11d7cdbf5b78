//! `depgate check`: the gate. ingest -> enrich -> evaluate -> waivers -> baseline -> report.
//!
//! In: [`CheckArgs`]. Out: the findings report on standard output (and in every `--output`
//! file, and appended to `$GITHUB_STEP_SUMMARY` when set), and the verdict as an [`Outcome`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{CheckArgs, EvaluationArgs, OutputFormat, ScanArgs};
use crate::enrich::advisories::AdvisorySet;
use crate::enrich::vex::VexDocument;
use crate::evaluate::baseline;
use crate::evaluate::{AdvisoryFacts, Evaluation};
use crate::inventory::Inventory;
use crate::policy::ValidPolicy;
use crate::report::FindingsReport;
use crate::report::sarif::SarifOptions;

use super::Outcome;
use super::outputs;
use super::revision;

/// The date waivers are judged against: `--today`/`DEPGATE_TODAY`, else today in UTC.
pub(crate) fn today(flag: Option<time::Date>) -> time::Date {
    flag.unwrap_or_else(|| time::OffsetDateTime::now_utc().date())
}

/// Everything one report format needs.
struct Rendering<'a> {
    report: &'a FindingsReport,
    policy: &'a ValidPolicy,
    root: Option<&'a Path>,
}

impl Rendering<'_> {
    fn render(&self, format: OutputFormat, color: bool) -> anyhow::Result<Vec<u8>> {
        Ok(match format {
            OutputFormat::Table => crate::report::table::render(self.report, color),
            OutputFormat::Json => crate::report::json::render(self.report),
            OutputFormat::Markdown => crate::report::markdown::render(self.report),
            OutputFormat::Sarif => {
                let fallback = self.policy.source_files().first().cloned();
                crate::report::sarif::render(
                    self.report,
                    &SarifOptions {
                        tool_version: env!("CARGO_PKG_VERSION"),
                        root: self.root,
                        fallback_file: fallback.as_deref(),
                    },
                )
                .context("cannot render SARIF")?
            }
            OutputFormat::Github => crate::report::github::render(self.report, self.root),
        })
    }
}

/// Loads the inventory to check: `--sbom FILE`, or PATH's lockfiles, plus license facts.
pub(crate) fn load_checked_inventory(
    scan: &ScanArgs,
    sbom: Option<&Path>,
    policy: &ValidPolicy,
) -> anyhow::Result<Inventory> {
    let mut inventory = match sbom {
        Some(file) => {
            crate::ingest::ingest_sbom_to_scan(file, &super::build_selection(&scan.build))?
        }
        None => super::load_inventory_for_verdict(scan)?,
    };
    super::enrich_licenses_for_verdict(&mut inventory, scan, &policy.licenses);
    crate::enrich::manifests::read_declared_requirements(&mut inventory);
    crate::enrich::manifests::hash_pinned_files(&mut inventory, &policy.licenses.pinned_files());
    Ok(inventory)
}

/// What to evaluate: the flags `check`, `attest` and `verify` share.
pub(crate) struct EvaluationRequest<'a> {
    /// What to scan (PATH also decides where the policy is looked for).
    pub scan: &'a ScanArgs,
    /// `--policy`, `--sbom`, `--advisory-db`, `--allow-stale-db`.
    pub evaluation: &'a EvaluationArgs,
    /// The date waivers and database ages are judged against (`--today`, or the command's
    /// own default).
    pub today: time::Date,
}

/// One evaluation of the current state, as `check` gates on it and `attest` records it.
pub(crate) struct Evaluated {
    /// The inventory with its license facts.
    pub inventory: Inventory,
    /// The policy.
    pub policy: ValidPolicy,
    /// The verdict (findings with waivers applied, and coverage).
    pub evaluation: Evaluation,
    /// The advisory databases the verdict used (`advisories.databases`), with their
    /// advisories (a baseline is judged with the same data).
    pub advisories: AdvisorySet,
    /// The VEX documents whose statements the verdict applied (a baseline gets the same).
    pub vex: Vec<VexDocument>,
}

/// The VEX documents of an evaluation: `--vex FILE`, in order. (The policy's own list of
/// documents, when it has one, joins here, its paths relative to the policy file.)
fn vex_documents(flags: &[PathBuf], policy: &ValidPolicy) -> anyhow::Result<Vec<VexDocument>> {
    // The policy's documents first: a later document wins ties, so `--vex` can override.
    let paths: Vec<PathBuf> = policy.advisories.vex.iter().chain(flags).cloned().collect();
    Ok(crate::enrich::vex::read_all(&paths)?)
}

/// The pipeline every verdict comes from: policy, inventory, advisories, evaluation. `check`,
/// `attest` and `verify` all call it, so an attestation records exactly what `check` judges.
pub(crate) fn evaluate_state(request: &EvaluationRequest<'_>) -> anyhow::Result<Evaluated> {
    // The advisory databases need no inventory: they load (from their index: fingerprint,
    // decode) on a second thread while the policy is read and the repository scanned.
    let database_paths = super::advisory_database_paths(&request.evaluation.advisory_dbs);
    let (policy, inventory, advisories, yanked, vex) = std::thread::scope(|scope| {
        let advisories = scope.spawn(|| super::load_advisory_databases(&database_paths));
        let policy = crate::policy::load(request.evaluation.policy.as_deref(), &request.scan.path)?;
        // Read before the scan, so a broken document fails fast.
        let vex = vex_documents(&request.evaluation.vex, &policy)?;
        let inventory =
            load_checked_inventory(request.scan, request.evaluation.sbom.as_deref(), &policy)?;
        // Yanked facts count only beside a database; gathered while it still loads (a first
        // run reads the whole database, which takes longer than the scan).
        let yanked = (!database_paths.is_empty()).then(|| super::yanked_facts(&inventory));
        let advisories = advisories
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        anyhow::Ok((policy, inventory, advisories, yanked, vex))
    })?;
    super::warn_gaps(&inventory);
    let matches = super::advisory_matches_with_yanked(&inventory, &advisories, yanked.as_ref());
    let facts = AdvisoryFacts {
        matches: &matches,
        databases: &advisories.databases,
        allow_stale: request.evaluation.allow_stale_db,
        vex: &vex,
    };
    // `[sbom-quality]` judges the SBOM document itself (what it states, field by field).
    let sbom_score = match (&request.evaluation.sbom, &policy.sbom_quality) {
        (Some(file), Some(_)) => Some(crate::evaluate::sbom_quality::score(
            &crate::ingest::sbom_facts::read_facts(file)?,
        )),
        _ => None,
    };
    let evaluation = crate::evaluate::evaluate_checked(
        &inventory,
        &policy,
        &facts,
        sbom_score.as_ref(),
        request.today,
    );
    Ok(Evaluated {
        inventory,
        policy,
        evaluation,
        advisories,
        vex,
    })
}

/// The time of a document that records an evaluation (`SOURCE_DATE_EPOCH`, else now), and
/// the state evaluated as of that time's date (or `--today`), so the document is consistent
/// with the time it records: what `attest` and `vex` write.
pub(crate) fn evaluate_at_document_time(
    scan: &ScanArgs,
    evaluation: &EvaluationArgs,
) -> anyhow::Result<(time::OffsetDateTime, time::Date, Evaluated)> {
    let at = crate::util::timestamp().map_err(anyhow::Error::msg)?;
    let today = evaluation.today.unwrap_or(at.date());
    let state = evaluate_state(&EvaluationRequest {
        scan,
        evaluation,
        today,
    })?;
    Ok((at, today, state))
}

/// Runs `depgate check`.
pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let today = today(args.evaluation.today);
    let outputs = outputs::parse_outputs(&args.outputs)?;
    for (_, path) in &outputs {
        outputs::check_output_path(path)?;
    }
    let baseline_spec = args
        .baseline
        .as_deref()
        .map(|spec| revision::resolve_baseline(spec, &args.scan.path))
        .transpose()?;
    let Evaluated {
        inventory,
        policy,
        mut evaluation,
        advisories,
        vex,
    } = evaluate_state(&EvaluationRequest {
        scan: &args.scan,
        evaluation: &args.evaluation,
        today,
    })?;

    if let Some(spec) = &baseline_spec {
        let mut base = revision::load_state(spec, &super::ingest_options(&args.scan))
            .with_context(|| format!("cannot read the baseline `{}`", spec.label()))?;
        super::enrich_licenses_for_verdict(&mut base, &args.scan, &policy.licenses);
        crate::enrich::manifests::read_declared_requirements(&mut base);
        // The baseline is judged with the same databases, so an advisory published since
        // the base commit counts as existing for packages the change did not touch.
        let base_matches = super::advisory_matches(&base, &advisories);
        let base_facts = AdvisoryFacts {
            matches: &base_matches,
            databases: &advisories.databases,
            allow_stale: args.evaluation.allow_stale_db,
            vex: &vex,
        };
        let base_evaluation =
            crate::evaluate::evaluate_with_advisories(&base, &policy, &base_facts, today);
        baseline::mark_baseline(&mut evaluation, &base_evaluation);
    }

    let fail_on = super::fail_on(args.fail_on);
    let mut report = FindingsReport::from_evaluation(&inventory, &policy, evaluation, fail_on);
    // Only the report is rendered from here on: the inventory (a gigabyte at a million
    // packages) is freed before the rendering allocates as much again.
    drop(inventory);
    report.inputs.advisory_databases = advisories
        .databases
        .iter()
        .map(|database| crate::report::DatabaseRef {
            kind: database.kind.family().to_string(),
            path: database.path.display().to_string(),
            revision: database.revision.clone(),
            age_days: database
                .age_days(today)
                .and_then(|days| u32::try_from(days).ok()),
        })
        .collect();
    let root = std::env::current_dir().ok();
    let rendering = Rendering {
        report: &report,
        policy: &policy,
        root: root.as_deref(),
    };
    outputs::write_outputs(&outputs, |format| rendering.render(format, false))?;
    if std::env::var_os("GITHUB_STEP_SUMMARY").is_some() {
        let markdown = crate::report::markdown::render(&report);
        crate::report::github::append_step_summary(&String::from_utf8_lossy(&markdown))
            .context("cannot append to `GITHUB_STEP_SUMMARY`")?;
    }
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    super::emit(None, &rendering.render(args.format, color)?)?;
    if report.summary.passed() {
        Ok(Outcome::Pass)
    } else {
        Ok(Outcome::Violated)
    }
}
