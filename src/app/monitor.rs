//! `depgate monitor`: every current release in the store, re-evaluated against today's
//! advisory databases, policies and date; what changed since the previous run.
//!
//! In: [`MonitorArgs`]. Out: the run stored in one transaction (a killed run leaves the store
//! as it was); the report on standard output in any findings format; with
//! `--notify-webhook`, the change summary POSTed as JSON. [`Outcome::Violated`] (exit 1) when
//! some release has new violations; [`Outcome::NothingToScan`] (exit 3) for an empty store;
//! exit 2 for errors, including a webhook that could not be delivered (the run is stored).
//!
//! The same pipeline as `check`: the stored inventory, advisory matches, then
//! [`crate::evaluate::evaluate_with_advisories`] with the release's policy. Advisory matching
//! runs once over the distinct packages of all releases (a package in 500 releases is
//! matched once), then each release's matches are picked out by package.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;

use super::Outcome;
use crate::cli::{MonitorArgs, OutputFormat};
use crate::enrich::advisories::{AdvisoryMatch, AdvisorySet};
use crate::enrich::vex::VexDocument;
use crate::evaluate::{AdvisoryFacts, Evaluation, FailOn, Verdict};
use crate::inventory::{Inventory, PackageId};
use crate::monitor::changes::{self, Baseline};
use crate::monitor::report::{self, MonitorReport, ReleaseOutcome, RunInfo, Summary};
use crate::policy::ValidPolicy;
use crate::store::codec::{self, PackageFacts, ReleasePackage};
use crate::store::{
    ApprovalRecord, Counts, NewRun, PreviousRun, RunDatabase, RunRelease, StoredRelease,
};

/// Releases evaluated per batch: their inventories are in memory together, so a store of
/// thousands of releases is read in bounded memory.
const BATCH: usize = 64;

/// Set to `monitor-before-commit` to stop inside the run's transaction (tests kill the
/// process there to prove a killed run changes nothing).
const FAILPOINT_ENV: &str = "DEPGATE_FAILPOINT";

/// A policy as a release is judged with it: the policy, its digest, and the VEX documents it
/// names followed by those of `--vex`.
struct Judge {
    policy: ValidPolicy,
    digest: String,
    vex: Vec<VexDocument>,
}

impl Judge {
    /// `flagged` are the documents of `--vex`, read once for every policy.
    fn new(policy: ValidPolicy, flagged: &[VexDocument]) -> anyhow::Result<Judge> {
        let digest = policy.digest();
        // As in `check`: the policy's documents first, so a later `--vex` wins ties.
        let mut vex = crate::enrich::vex::read_all(&policy.advisories.vex).with_context(|| {
            format!(
                "cannot read the VEX documents of policy `{}` (sha256 {digest})",
                policy.name
            )
        })?;
        vex.extend_from_slice(flagged);
        Ok(Judge {
            policy,
            digest,
            vex,
        })
    }
}

/// The policies releases are judged with.
enum Policies {
    /// `--policy`: one for every release.
    Override(Box<Judge>),
    /// Each release's recorded policy, by policy id.
    Recorded(HashMap<i64, Judge>),
}

impl Policies {
    fn for_release(&self, release: &StoredRelease) -> Option<&Judge> {
        match self {
            Policies::Override(judge) => Some(judge),
            Policies::Recorded(map) => map.get(&release.policy_id),
        }
    }

    fn rules(&self) -> Vec<crate::policy::RuleMeta> {
        let mut rules: BTreeMap<String, crate::policy::RuleMeta> = BTreeMap::new();
        let policies: Vec<&ValidPolicy> = match self {
            Policies::Override(judge) => vec![&judge.policy],
            Policies::Recorded(map) => map.values().map(|judge| &judge.policy).collect(),
        };
        for policy in policies {
            for rule in policy.rules() {
                rules.entry(rule.id.clone()).or_insert(rule);
            }
        }
        rules.into_values().collect()
    }
}

/// One release's evaluation and what it means.
struct Judged {
    outcome: ReleaseOutcome,
    stored: RunRelease,
}

/// Advisory matches of every distinct (package, kind), found once.
struct SharedMatches {
    by_package: HashMap<(i64, i64), Vec<AdvisoryMatch>>,
}

impl SharedMatches {
    /// Matches the distinct packages of all releases against the databases, once.
    fn find(pairs: &[(i64, i64)], facts: &HashMap<i64, PackageFacts>, set: &AdvisorySet) -> Self {
        let mut union = Inventory::new();
        let mut pair_of = Vec::with_capacity(pairs.len());
        for &(package_id, kind) in pairs {
            let Some(package_facts) = facts.get(&package_id) else {
                continue;
            };
            // Kind decides eligibility (roots and local packages never match a registry
            // advisory), so it is part of what is matched; scope and location are not.
            let view = ReleasePackage {
                kind: codec::kind_of(kind),
                scope: crate::inventory::Scope::Runtime,
                direct: false,
                file: 0,
                line: None,
                local_dir: None,
            };
            union.add_package(package_facts.to_package(&view, PathBuf::new()));
            pair_of.push((package_id, kind));
        }
        let mut by_package: HashMap<(i64, i64), Vec<AdvisoryMatch>> = HashMap::new();
        for found in super::advisory_matches(&union, set) {
            if let Some(pair) = pair_of.get(found.package.0) {
                by_package.entry(*pair).or_default().push(found);
            }
        }
        Self { by_package }
    }

    /// The matches of one release's packages, with the release's package ids.
    fn for_release(&self, inventory: &Inventory, package_ids: &[i64]) -> Vec<AdvisoryMatch> {
        let mut matches = Vec::new();
        for (position, package_id) in package_ids.iter().enumerate() {
            let kind = codec::kind_code(inventory.package(PackageId(position)).kind);
            if let Some(found) = self.by_package.get(&(*package_id, kind)) {
                matches.extend(found.iter().cloned().map(|mut found| {
                    found.package = PackageId(position);
                    found
                }));
            }
        }
        matches
    }
}

/// Everything one release's evaluation reads.
struct Judging<'a> {
    policies: &'a Policies,
    matches: &'a SharedMatches,
    advisories: &'a AdvisorySet,
    previous: &'a HashMap<i64, PreviousRun>,
    approvals: &'a HashMap<i64, ApprovalRecord>,
    allow_stale: bool,
    today: time::Date,
    gate: FailOn,
    /// The output shows every finding (JSON, SARIF, GitHub), not only the changes.
    keep_findings: bool,
}

fn judge(
    context: &Judging<'_>,
    release: &StoredRelease,
    inventory: &Inventory,
    package_ids: &[i64],
) -> anyhow::Result<Judged> {
    let judge = context.policies.for_release(release).with_context(|| {
        format!(
            "release `{}` {} names policy {}, which the store does not hold",
            release.deployment.project, release.deployment.release, release.policy_id
        )
    })?;
    let (policy, digest) = (&judge.policy, judge.digest.as_str());
    let matches = context.matches.for_release(inventory, package_ids);
    let facts = AdvisoryFacts {
        matches: &matches,
        databases: &context.advisories.databases,
        allow_stale: context.allow_stale,
        vex: &judge.vex,
    };
    let Evaluation { findings, .. } =
        crate::evaluate::evaluate_with_advisories(inventory, policy, &facts, context.today);
    let previous = context.previous.get(&release.id);
    let approval = context.approvals.get(&release.id);
    let baseline = match (previous, approval) {
        (Some(previous), _) => Baseline::PreviousRun(&previous.findings),
        (None, Some(approval)) => Baseline::Approval(&approval.violations),
        (None, None) => Baseline::Nothing,
    };
    let mut compared = changes::compare(baseline, &findings, context.gate);
    let drift = approval
        .map(|approval| changes::approval_drift(approval, digest, &findings, context.gate))
        .unwrap_or_default();
    let previous_drift = previous.map(|p| p.drift.as_slice()).unwrap_or_default();
    compared
        .changes
        .extend(changes::drift_changes(previous_drift, &drift));
    // The same verdict and counts `check` gives for these findings.
    let judged = Verdict::of_findings(&findings, context.gate);
    let counts = Counts {
        errors: judged.errors,
        warnings: judged.warnings,
        notes: judged.notes,
        waived: judged.waived,
    };
    let verdict = judged.result.as_str();
    // The run keeps the number of changes per kind: the changes themselves follow from this
    // run's finding set and the previous one, both stored.
    let changes_json =
        serde_json::to_string(&report::count_changes(compared.changes.iter())).unwrap_or_default();
    Ok(Judged {
        outcome: ReleaseOutcome {
            project: release.deployment.project.clone(),
            environment: release.deployment.environment.clone(),
            release: release.deployment.release.clone(),
            policy_digest: digest.to_string(),
            verdict: verdict.to_string(),
            counts,
            new_violations: compared.new_violations,
            changes: compared.changes,
            drift: drift.clone(),
            findings: if context.keep_findings {
                findings.clone()
            } else {
                Vec::new()
            },
        },
        stored: RunRelease {
            release_id: release.id,
            policy_digest: digest.to_string(),
            verdict: verdict.to_string(),
            counts,
            new_violations: compared.new_violations,
            findings,
            changes: changes_json,
            drift,
        },
    })
}

fn load_policies(
    args: &MonitorArgs,
    store: &mut crate::store::Store,
    releases: &[StoredRelease],
) -> anyhow::Result<Policies> {
    let flagged = crate::enrich::vex::read_all(&args.vex)?;
    if let Some(path) = &args.policy {
        let policy = crate::policy::load(Some(path), Path::new("."))?;
        return Ok(Policies::Override(Box::new(Judge::new(policy, &flagged)?)));
    }
    let mut ids: Vec<i64> = releases.iter().map(|release| release.policy_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut policies = HashMap::new();
    for (id, record) in store.policies(&ids)? {
        let policy = super::record::stored_policy(&record)?;
        policies.insert(id, Judge::new(policy, &flagged)?);
    }
    Ok(Policies::Recorded(policies))
}

/// Runs `depgate monitor`.
pub fn run(args: MonitorArgs) -> anyhow::Result<Outcome> {
    let started_at = crate::util::timestamp().map_err(anyhow::Error::msg)?;
    let today = super::check::today(args.today);
    let gate = super::fail_on(args.fail_on);
    let mut store = super::open_store(&args.store)?;
    // The databases load (from their index) while the store is read.
    let (advisories, releases, policies, (pairs, facts), previous, approvals) =
        std::thread::scope(|scope| {
            let advisories = scope.spawn(|| super::load_advisories(&args.advisory_dbs));
            let releases = store.current_releases()?;
            let policies = load_policies(&args, &mut store, &releases)?;
            let distinct = store.distinct_packages(&releases)?;
            let ids: Vec<i64> = releases.iter().map(|release| release.id).collect();
            let previous = store.previous_runs(&ids)?;
            let approvals = store.approvals(&ids)?;
            let advisories = advisories
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            anyhow::Ok((
                advisories, releases, policies, distinct, previous, approvals,
            ))
        })?;
    if releases.is_empty() {
        eprintln!(
            "nothing to monitor: the store `{}` holds no release; record one with `depgate record`",
            store.display()
        );
        return Ok(Outcome::NothingToScan);
    }
    let matches = SharedMatches::find(&pairs, &facts, &advisories);
    let context = Judging {
        policies: &policies,
        matches: &matches,
        advisories: &advisories,
        previous: &previous,
        approvals: &approvals,
        allow_stale: args.allow_stale_db,
        today,
        gate,
        keep_findings: matches!(
            args.format,
            OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Github
        ),
    };
    // One thread reads the next batch of inventories from the store while the others
    // evaluate the current one.
    let mut judged = Vec::with_capacity(releases.len());
    std::thread::scope(|scope| {
        let (sender, batches) = std::sync::mpsc::sync_channel(1);
        let store = &mut store;
        let facts = &facts;
        let releases = &releases;
        let loader = scope.spawn(move || {
            for batch in releases.chunks(BATCH) {
                let inventories = store.inventories(batch, facts)?;
                if sender.send((batch, inventories)).is_err() {
                    break;
                }
            }
            anyhow::Ok(())
        });
        let mut failure = None;
        for (batch, inventories) in batches {
            let items: Vec<(&StoredRelease, Inventory, Vec<i64>)> = batch
                .iter()
                .zip(inventories)
                .map(|(release, (inventory, ids))| (release, inventory, ids))
                .collect();
            for result in crate::util::parallel_map(&items, 1, |(release, inventory, ids)| {
                judge(&context, release, inventory, ids)
            }) {
                match result {
                    Ok(result) => judged.push(result),
                    Err(error) => failure = failure.or(Some(error)),
                }
            }
            if failure.is_some() {
                // Dropping the receiver stops the loader at its next batch.
                break;
            }
        }
        let loaded = loader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match failure {
            Some(error) => Err(error),
            None => loaded,
        }
    })?;

    let finished_at = crate::util::rfc3339(crate::util::timestamp().map_err(anyhow::Error::msg)?);
    let databases: Vec<RunDatabase> =
        super::attest::database_summaries(&advisories.databases, today)
            .into_iter()
            .map(|database| RunDatabase {
                name: database.name,
                revision: database.revision,
                updated: database.updated,
            })
            .collect();
    let published = advisory_dates(&advisories, &judged);
    let (outcomes, stored): (Vec<ReleaseOutcome>, Vec<RunRelease>) = judged
        .into_iter()
        .map(|judged| (judged.outcome, judged.stored))
        .unzip();
    let run = NewRun {
        started_at: crate::util::rfc3339(started_at),
        finished_at: finished_at.clone(),
        today: today.to_string(),
        databases: databases.clone(),
        policy_override: args.policy.as_ref().map(|path| path.display().to_string()),
        releases: stored,
        advisories: published,
    };
    let run_id = store
        .save_run(&run, &failpoint)
        .with_context(|| format!("cannot store the monitor run in `{}`", store.display()))?;

    let report = build_report(
        RunInfo {
            id: run_id,
            run_at: finished_at,
            today: today.to_string(),
            store: store.display().to_string(),
            databases,
            policy_override: run.policy_override.clone(),
        },
        outcomes,
    );
    super::emit(None, &render(&report, &policies, args.format)?)?;
    if let Some(url) = &args.notify_webhook {
        notify(url, &report, &args)?;
    }
    Ok(if report.summary.new_violations > 0 {
        Outcome::Violated
    } else {
        Outcome::Pass
    })
}

/// The test hook inside the run's transaction (see [`FAILPOINT_ENV`]).
fn failpoint() {
    if std::env::var(FAILPOINT_ENV).is_ok_and(|value| value == "monitor-before-commit") {
        eprintln!("failpoint monitor-before-commit: the run is written but not committed");
        std::thread::sleep(Duration::from_secs(600));
    }
}

/// Publication dates of the advisories found, for "days open" on the dashboard.
fn advisory_dates(set: &AdvisorySet, judged: &[Judged]) -> Vec<(String, Option<String>)> {
    let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
    for judged in judged {
        for finding in &judged.stored.findings {
            if let Some(advisory) = &finding.advisory {
                found.entry(advisory.id.clone()).or_insert(None);
            }
        }
    }
    for advisory in &set.advisories {
        if let Some(date) = found.get_mut(&advisory.id)
            && date.is_none()
        {
            date.clone_from(&advisory.date);
        }
    }
    found.into_iter().collect()
}

fn build_report(run: RunInfo, mut releases: Vec<ReleaseOutcome>) -> MonitorReport {
    releases.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.new_violations),
            a.verdict != "fail",
            &a.project,
            &a.environment,
        )
            .cmp(&(
                std::cmp::Reverse(b.new_violations),
                b.verdict != "fail",
                &b.project,
                &b.environment,
            ))
    });
    let summary = Summary {
        releases: releases.len(),
        failing: releases.iter().filter(|r| r.verdict == "fail").count(),
        releases_with_new_violations: releases.iter().filter(|r| r.new_violations > 0).count(),
        new_violations: releases.iter().map(|r| r.new_violations).sum(),
        changes: report::count_changes(releases.iter().flat_map(|r| r.changes.iter())),
    };
    MonitorReport {
        schema: report::MONITOR_SCHEMA.to_string(),
        run,
        summary,
        releases,
    }
}

/// Every release's findings in one evaluation, each message naming its release, for the
/// SARIF and GitHub renderers.
fn combined_evaluation(report: &MonitorReport) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for release in &report.releases {
        for finding in &release.findings {
            let mut finding = finding.clone();
            finding.message = format!(
                "[{}/{} {}] {}",
                release.project, release.environment, release.release, finding.message
            );
            evaluation.findings.push(finding);
        }
    }
    evaluation.sort();
    evaluation
}

fn render(
    report: &MonitorReport,
    policies: &Policies,
    format: OutputFormat,
) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        OutputFormat::Table => report::render_table(report),
        OutputFormat::Json => report::render_json(report),
        OutputFormat::Markdown => report::render_markdown(report),
        OutputFormat::Sarif => {
            let root = std::env::current_dir().ok();
            crate::report::sarif::render_findings(
                &combined_evaluation(report).findings,
                &policies.rules(),
                &crate::report::sarif::SarifOptions {
                    tool_version: env!("CARGO_PKG_VERSION"),
                    root: root.as_deref(),
                    fallback_file: None,
                },
            )
            .context("cannot render SARIF")?
        }
        OutputFormat::Github => {
            let root = std::env::current_dir().ok();
            crate::report::github::render_findings(
                &combined_evaluation(report).findings,
                root.as_deref(),
            )
        }
    })
}

/// POSTs the change summary when anything changed; a failed delivery is an error (exit 2)
/// after the report is printed and the run stored.
fn notify(url: &str, report: &MonitorReport, args: &MonitorArgs) -> anyhow::Result<()> {
    let summary = report.change_summary();
    if summary.releases.is_empty() {
        eprintln!("webhook: nothing changed since the previous run; nothing sent");
        return Ok(());
    }
    let body = report::render_json(&summary);
    let options = crate::net::webhook::WebhookOptions {
        timeout: Duration::from_secs(args.webhook_timeout.max(1)),
        retries: args.webhook_retries,
        ..crate::net::webhook::WebhookOptions::default()
    };
    let delivery = crate::net::webhook::post_json(url, &body, &options).with_context(|| {
        format!(
            "the change summary of monitor run {} was not delivered to the webhook (the run is stored)",
            report.run.id
        )
    })?;
    eprintln!(
        "webhook: change summary delivered (HTTP {}, {} attempt{})",
        delivery.status,
        delivery.attempts,
        if delivery.attempts == 1 { "" } else { "s" }
    );
    Ok(())
}
