//! Stage 5, report: the `depgate dashboard` page, one self-contained HTML file.
//!
//! In: a [`Snapshot`] (the monitoring loop's read model). Out: HTML bytes — inline CSS, inline
//! SVG charts drawn here (readable without scripts), one small inline script for search and
//! filters guarded by a Content-Security-Policy hash, every value autoescaped by minijinja.
//! Everything is sorted and capped here, so the page stays fast at thousands of deployments
//! while the totals on the root element stay exact.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::monitor::snapshot::{
    AdvisoryExposure, DeploymentView, OwnedFinding, OwnerView, RunView, SeverityCounts, Snapshot,
    WaiverView,
};
use crate::report::html::{HtmlError, STYLESHEET, render as render_template, thousands};

/// The dashboard's own rules, layered over the shared report stylesheet.
const DASHBOARD_STYLESHEET: &str = include_str!("templates/dashboard.css");

/// Search and filters for the deployments table. The page is complete without it.
const DASHBOARD_SCRIPT: &str = include_str!("templates/dashboard.js");

/// Waivers expiring within this many days count as "expiring soon" in the header.
pub const WAIVER_WINDOW_DAYS: i64 = 30;

/// Findings listed per owner; the rest are counted ("N more").
const OWNER_FINDINGS_SHOWN: usize = 50;
/// Waivers and advisories shown before the rest fold into a `<details>`.
const ROWS_VISIBLE: usize = 25;
/// Waivers and advisories listed at all (shown or folded); the rest are counted.
const ROWS_LISTED: usize = 500;
/// Deployments named per advisory; the rest are counted.
const ADVISORY_DEPLOYMENTS_SHOWN: usize = 8;
/// Drift lines listed per deployment; the rest are counted.
const DRIFT_LINES_SHOWN: usize = 20;
/// Points per sparkline: longer timelines are bucketed, keeping each bucket's maximum so a
/// spike never disappears.
const SPARKLINE_POINTS: usize = 40;

/// Sparkline geometry (SVG user units).
const SPARKLINE_WIDTH: f64 = 100.0;
const SPARKLINE_HEIGHT: f64 = 26.0;

/// Trend chart geometry (SVG user units; the SVG scales to the page width).
const CHART_WIDTH: f64 = 960.0;
const CHART_HEIGHT: f64 = 220.0;
const CHART_LEFT: f64 = 52.0;
const CHART_RIGHT: f64 = 16.0;
const CHART_TOP: f64 = 14.0;
const CHART_BOTTOM: f64 = 34.0;

/// Renders the dashboard page for `snapshot`.
pub fn render_html(snapshot: &Snapshot) -> Result<Vec<u8>, HtmlError> {
    let page = Page::new(snapshot);
    let script_hash = base64::engine::general_purpose::STANDARD
        .encode(Sha256::digest(DASHBOARD_SCRIPT.as_bytes()));
    render_template(
        "dashboard.html",
        context! {
            page => Serde(&page),
            snapshot => Serde(snapshot),
            version => env!("CARGO_PKG_VERSION"),
            css => STYLESHEET,
            dashboard_css => DASHBOARD_STYLESHEET,
            script => DASHBOARD_SCRIPT,
            script_hash => script_hash,
            window => WAIVER_WINDOW_DAYS,
        },
    )
}

/// Everything the template shows, sorted and capped.
#[derive(Serialize)]
struct Page<'a> {
    /// The snapshot time, for reading (the raw value stays in `datetime`).
    generated: String,
    totals: Totals,
    environments: Vec<EnvironmentRow>,
    deployments: Vec<DeploymentRow<'a>>,
    trend: Option<TrendChart>,
    runs: Vec<RunRow<'a>>,
    owners: Vec<OwnerSection<'a>>,
    waivers: Capped<WaiverRow<'a>>,
    advisories: Capped<AdvisoryRow<'a>>,
    advisory_ages: Vec<AgeBucket>,
}

/// The exact totals, written as data attributes on the root element and in the header.
#[derive(Serialize, Default, Debug, PartialEq, Eq)]
struct Totals {
    deployments: usize,
    projects: usize,
    failing: usize,
    passing: usize,
    unmonitored: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    waived: usize,
    /// Errors, warnings and notes (waived findings are notes).
    findings: usize,
    packages: usize,
    drifted: usize,
    advisories: usize,
    critical_high_advisories: usize,
    waivers: usize,
    waivers_expired: usize,
    waivers_expiring: usize,
    owners: usize,
    owned_findings: usize,
    runs: usize,
}

/// A list shown up to a cap, with the number left out; optionally the tail of what is listed
/// folded away (collapsed in the page).
#[derive(Serialize)]
struct Capped<T> {
    shown: Vec<T>,
    folded: Vec<T>,
    more: usize,
}

impl<T> Capped<T> {
    /// The first `cap` items shown, the rest counted.
    fn new(all: Vec<T>, cap: usize) -> Self {
        Self::folding(all, cap, cap)
    }

    /// The first `visible` items shown, the next ones up to `cap` folded, the rest counted.
    fn folding(mut all: Vec<T>, visible: usize, cap: usize) -> Self {
        let more = all.len().saturating_sub(cap);
        all.truncate(cap);
        let folded = all.split_off(visible.min(all.len()));
        Capped {
            shown: all,
            folded,
            more,
        }
    }
}

#[derive(Serialize)]
struct EnvironmentRow {
    name: String,
    deployments: usize,
    failing: usize,
    passing: usize,
    unmonitored: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct DeploymentRow<'a> {
    view: &'a DeploymentView,
    /// `fail`, `pass`, `none` (never monitored) or `other`: a CSS class and filter value.
    verdict: &'static str,
    verdict_label: String,
    findings: usize,
    commit_short: Option<String>,
    deployed_date: Option<String>,
    approval: Option<ApprovalCell<'a>>,
    sparkline: Option<Sparkline>,
    /// Lowercase text the search box matches against.
    search: String,
}

#[derive(Serialize)]
struct ApprovalCell<'a> {
    verdict: &'static str,
    verdict_label: String,
    digest_short: String,
    attested_date: String,
    drift: Capped<&'a String>,
    drift_total: usize,
}

#[derive(Serialize)]
struct Sparkline {
    width: f64,
    height: f64,
    errors: String,
    warnings: String,
    title: String,
}

#[derive(Serialize)]
struct TrendChart {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    errors: String,
    errors_area: String,
    warnings: String,
    y_ticks: Vec<Tick>,
    x_labels: Vec<Tick>,
    columns: Vec<Column>,
    description: String,
}

#[derive(Serialize)]
struct Tick {
    position: String,
    label: String,
    anchor: &'static str,
}

/// An invisible full-height band per run whose `<title>` is the run's tooltip.
#[derive(Serialize)]
struct Column {
    x: String,
    width: String,
    title: String,
}

#[derive(Serialize)]
struct RunRow<'a> {
    view: &'a RunView,
    counts: Option<SeverityCounts>,
}

#[derive(Serialize)]
struct OwnerSection<'a> {
    anchor: String,
    owner: &'a str,
    rules: Vec<RuleRow<'a>>,
    errors: usize,
    warnings: usize,
    notes: usize,
    deployments: usize,
    findings: Capped<FindingRow<'a>>,
    total: usize,
}

#[derive(Serialize)]
struct RuleRow<'a> {
    rule: &'a str,
    findings: usize,
}

#[derive(Serialize)]
struct FindingRow<'a> {
    view: &'a OwnedFinding,
    severity: &'static str,
}

#[derive(Serialize)]
struct WaiverRow<'a> {
    view: &'a WaiverView,
    /// `expired`, `today`, `soon` (within the window) or `later`.
    status: &'static str,
    status_label: String,
}

#[derive(Serialize)]
struct AdvisoryRow<'a> {
    view: &'a AdvisoryExposure,
    severity: &'static str,
    deployments: Capped<&'a String>,
}

#[derive(Serialize)]
struct AgeBucket {
    label: &'static str,
    advisories: usize,
    critical_high: usize,
    /// Bar lengths in percent of the fullest bucket.
    advisories_bar: String,
    critical_high_bar: String,
}

impl<'a> Page<'a> {
    fn new(snapshot: &'a Snapshot) -> Self {
        let per_run = runs_with_counts(snapshot);
        let axis = run_positions(&per_run);
        let deployments = deployment_rows(&snapshot.deployments, &axis);
        let waivers = waiver_rows(&snapshot.expiring_waivers);
        let advisories = advisory_rows(&snapshot.open_advisories);
        let owners = owner_sections(&snapshot.owners);
        let mut totals = Totals {
            deployments: deployments.len(),
            projects: deployments
                .iter()
                .map(|row| row.view.deployment.project.as_str())
                .collect::<BTreeSet<_>>()
                .len(),
            advisories: advisories.len(),
            critical_high_advisories: advisories
                .iter()
                .filter(|row| severity_rank(row.severity) >= severity_rank("high"))
                .count(),
            waivers: waivers.len(),
            waivers_expired: waivers.iter().filter(|w| w.view.days_left < 0).count(),
            waivers_expiring: waivers
                .iter()
                .filter(|w| (0..=WAIVER_WINDOW_DAYS).contains(&w.view.days_left))
                .count(),
            owners: owners.len(),
            owned_findings: owners.iter().map(|owner| owner.total).sum(),
            runs: snapshot.runs.len(),
            ..Totals::default()
        };
        for row in &deployments {
            let counts = &row.view.counts;
            match row.verdict {
                "fail" => totals.failing += 1,
                "pass" => totals.passing += 1,
                _ => totals.unmonitored += 1,
            }
            totals.errors += counts.errors;
            totals.warnings += counts.warnings;
            totals.notes += counts.notes;
            totals.waived += counts.waived;
            totals.findings += row.findings;
            totals.packages += row.view.packages;
            if row.approval.as_ref().is_some_and(|a| a.drift_total > 0) {
                totals.drifted += 1;
            }
        }
        let (trend, runs) = trend(snapshot, &per_run);
        Page {
            generated: readable_time(&snapshot.generated_at),
            totals,
            environments: environment_rows(&deployments),
            deployments,
            trend,
            runs,
            owners,
            advisory_ages: age_buckets(&advisories),
            waivers: Capped::folding(waivers, ROWS_VISIBLE, ROWS_LISTED),
            advisories: Capped::folding(advisories, ROWS_VISIBLE, ROWS_LISTED),
        }
    }
}

/// Deployments riskiest first (then by project and environment, so ties read alphabetically).
fn deployment_rows<'a>(
    views: &'a [DeploymentView],
    axis: &BTreeMap<&str, usize>,
) -> Vec<DeploymentRow<'a>> {
    let mut rows: Vec<DeploymentRow<'_>> = views
        .iter()
        .map(|view| {
            let (verdict, verdict_label) = verdict_class(view.verdict.as_deref(), "not monitored");
            let approval = view.approval.as_ref().map(|approval| {
                let (verdict, verdict_label) = verdict_class(Some(&approval.verdict), "");
                ApprovalCell {
                    verdict,
                    verdict_label,
                    digest_short: prefix(&approval.policy_digest, 12),
                    attested_date: prefix(&approval.attested_at, 10),
                    drift_total: approval.drift.len(),
                    drift: Capped::new(approval.drift.iter().collect(), DRIFT_LINES_SHOWN),
                }
            });
            let commit_short = view
                .deployment
                .commit
                .as_deref()
                .map(|commit| prefix(commit, 8));
            let search = [
                view.deployment.project.as_str(),
                view.deployment.environment.as_str(),
                view.deployment.release.as_str(),
                view.deployment.commit.as_deref().unwrap_or(""),
            ]
            .join(" ")
            .to_lowercase();
            DeploymentRow {
                view,
                verdict,
                verdict_label,
                findings: view.counts.errors + view.counts.warnings + view.counts.notes,
                commit_short,
                deployed_date: view
                    .deployment
                    .deployed_at
                    .as_deref()
                    .map(|at| prefix(at, 10)),
                approval,
                sparkline: sparkline(view, axis),
                search,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.view
            .risk
            .cmp(&a.view.risk)
            .then_with(|| a.view.deployment.project.cmp(&b.view.deployment.project))
            .then_with(|| {
                a.view
                    .deployment
                    .environment
                    .cmp(&b.view.deployment.environment)
            })
            .then_with(|| a.view.deployment.release.cmp(&b.view.deployment.release))
    });
    rows
}

/// Per-environment totals, by environment name.
fn environment_rows(deployments: &[DeploymentRow<'_>]) -> Vec<EnvironmentRow> {
    let mut by_name: BTreeMap<&str, EnvironmentRow> = BTreeMap::new();
    for row in deployments {
        let entry = by_name
            .entry(row.view.deployment.environment.as_str())
            .or_insert_with(|| EnvironmentRow {
                name: row.view.deployment.environment.clone(),
                deployments: 0,
                failing: 0,
                passing: 0,
                unmonitored: 0,
                errors: 0,
                warnings: 0,
            });
        entry.deployments += 1;
        match row.verdict {
            "fail" => entry.failing += 1,
            "pass" => entry.passing += 1,
            _ => entry.unmonitored += 1,
        }
        entry.errors += row.view.counts.errors;
        entry.warnings += row.view.counts.warnings;
    }
    by_name.into_values().collect()
}

/// A verdict's CSS class (and filter value) and its visible label. The class comes from a
/// fixed set, never from the data.
fn verdict_class(verdict: Option<&str>, missing: &str) -> (&'static str, String) {
    match verdict {
        Some("fail") => ("fail", "fail".to_string()),
        Some("pass") => ("pass", "pass".to_string()),
        None => ("none", missing.to_string()),
        Some(other) => ("other", other.to_string()),
    }
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM UTC`; anything else as given.
fn readable_time(text: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|at| at.to_offset(time::UtcOffset::UTC).format(&format).ok())
        .unwrap_or_else(|| text.to_string())
}

/// The first `length` characters (a short commit, digest or date).
fn prefix(text: &str, length: usize) -> String {
    text.chars().take(length).collect()
}

/// Ranks a severity label, most severe highest; unknown labels rank lowest.
fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 5,
        "high" | "error" => 4,
        "medium" | "warning" => 3,
        "low" | "note" => 2,
        "none" => 1,
        _ => 0,
    }
}

/// A severity label reduced to a fixed CSS class (`moderate` reads as `medium`).
fn severity_class(severity: &str) -> &'static str {
    match severity.trim().to_ascii_lowercase().as_str() {
        "critical" => "critical",
        "high" => "high",
        "medium" | "moderate" => "medium",
        "low" => "low",
        "none" => "none",
        "error" => "error",
        "warning" => "warning",
        "note" => "note",
        _ => "unknown",
    }
}

/// Owners with the most errors first; each owner's findings most severe first.
fn owner_sections(views: &[OwnerView]) -> Vec<OwnerSection<'_>> {
    let mut sections: Vec<OwnerSection<'_>> = views
        .iter()
        .map(|view| {
            let mut findings: Vec<FindingRow<'_>> = view
                .findings
                .iter()
                .map(|finding| FindingRow {
                    view: finding,
                    severity: severity_class(&finding.severity),
                })
                .collect();
            findings.sort_by(|a, b| {
                severity_rank(b.severity)
                    .cmp(&severity_rank(a.severity))
                    .then_with(|| a.view.project.cmp(&b.view.project))
                    .then_with(|| a.view.environment.cmp(&b.view.environment))
                    .then_with(|| a.view.rule.cmp(&b.view.rule))
                    .then_with(|| a.view.package.cmp(&b.view.package))
                    .then_with(|| a.view.version.cmp(&b.view.version))
            });
            let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
            // Every rule the owner owns, with its findings (a rule listed without findings
            // still shows, with zero).
            let mut rules: BTreeMap<&str, usize> =
                view.rules.iter().map(|rule| (rule.as_str(), 0)).collect();
            for finding in &view.findings {
                *rules.entry(finding.rule.as_str()).or_default() += 1;
            }
            let deployments = view
                .findings
                .iter()
                .map(|f| (f.project.as_str(), f.environment.as_str()))
                .collect::<BTreeSet<_>>()
                .len();
            let mut rules: Vec<RuleRow<'_>> = rules
                .into_iter()
                .map(|(rule, findings)| RuleRow { rule, findings })
                .collect();
            rules.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.rule.cmp(b.rule)));
            OwnerSection {
                anchor: String::new(),
                owner: view.owner.as_str(),
                errors: count("error"),
                warnings: count("warning"),
                notes: count("note"),
                deployments,
                total: findings.len(),
                rules,
                findings: Capped::new(findings, OWNER_FINDINGS_SHOWN),
            }
        })
        .collect();
    sections.sort_by(|a, b| {
        (b.errors, b.warnings, b.total)
            .cmp(&(a.errors, a.warnings, a.total))
            .then_with(|| a.owner.cmp(b.owner))
    });
    // Anchors by position: owner names are free text and make poor ids.
    for (index, section) in sections.iter_mut().enumerate() {
        section.anchor = format!("owner-{}", index + 1);
    }
    sections
}

/// Waivers soonest (most overdue) first.
fn waiver_rows(views: &[WaiverView]) -> Vec<WaiverRow<'_>> {
    let mut rows: Vec<WaiverRow<'_>> = views
        .iter()
        .map(|view| {
            let (status, status_label) = waiver_status(view.days_left);
            WaiverRow {
                view,
                status,
                status_label,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.view
            .days_left
            .cmp(&b.view.days_left)
            .then_with(|| a.view.project.cmp(&b.view.project))
            .then_with(|| a.view.environment.cmp(&b.view.environment))
            .then_with(|| a.view.id.cmp(&b.view.id))
    });
    rows
}

/// A waiver's status class and label from the days left until it expires.
fn waiver_status(days_left: i64) -> (&'static str, String) {
    match days_left {
        ..0 => ("expired", format!("expired {} ago", days(-days_left))),
        0 => ("today", "expires today".to_string()),
        1..=WAIVER_WINDOW_DAYS => ("soon", format!("expires in {}", days(days_left))),
        _ => ("later", format!("expires in {}", days(days_left))),
    }
}

/// `1 day`, `5 days`.
fn days(count: i64) -> String {
    if count == 1 {
        "1 day".to_string()
    } else {
        format!("{count} days")
    }
}

/// Advisories open longest first (unknown publication dates last), then most severe.
fn advisory_rows(views: &[AdvisoryExposure]) -> Vec<AdvisoryRow<'_>> {
    let mut rows: Vec<AdvisoryRow<'_>> = views
        .iter()
        .map(|view| AdvisoryRow {
            view,
            severity: severity_class(&view.severity),
            deployments: Capped::new(
                view.deployments.iter().collect(),
                ADVISORY_DEPLOYMENTS_SHOWN,
            ),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.view
            .days_open
            .unwrap_or(i64::MIN)
            .cmp(&a.view.days_open.unwrap_or(i64::MIN))
            .then_with(|| severity_rank(b.severity).cmp(&severity_rank(a.severity)))
            .then_with(|| a.view.id.cmp(&b.view.id))
            .then_with(|| a.view.package.cmp(&b.view.package))
            .then_with(|| a.view.version.cmp(&b.view.version))
    });
    rows
}

/// The age buckets advisories are counted in, youngest first.
const AGE_BUCKETS: [(&str, i64); 5] = [
    ("under a week", 7),
    ("1–4 weeks", 30),
    ("1–3 months", 91),
    ("3–12 months", 365),
    ("over a year", i64::MAX),
];

/// Which bucket of [`AGE_BUCKETS`] an age falls in; `None` (unknown) is the last, extra one.
fn age_bucket(days_open: Option<i64>) -> usize {
    match days_open {
        Some(days) => AGE_BUCKETS
            .iter()
            .position(|(_, below)| days < *below)
            .unwrap_or(AGE_BUCKETS.len() - 1),
        None => AGE_BUCKETS.len(),
    }
}

/// Open advisories counted by time since publication; the "unknown" bucket only when used.
fn age_buckets(rows: &[AdvisoryRow<'_>]) -> Vec<AgeBucket> {
    let mut buckets: Vec<AgeBucket> = AGE_BUCKETS
        .iter()
        .map(|(label, _)| *label)
        .chain(["publication unknown"])
        .map(|label| AgeBucket {
            label,
            advisories: 0,
            critical_high: 0,
            advisories_bar: String::new(),
            critical_high_bar: String::new(),
        })
        .collect();
    for row in rows {
        let bucket = &mut buckets[age_bucket(row.view.days_open)];
        bucket.advisories += 1;
        if severity_rank(row.severity) >= severity_rank("high") {
            bucket.critical_high += 1;
        }
    }
    if buckets.last().is_some_and(|b| b.advisories == 0) {
        buckets.pop();
    }
    let fullest = buckets
        .iter()
        .map(|b| b.advisories)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    for bucket in &mut buckets {
        bucket.advisories_bar = format!("{:.1}", bucket.advisories as f64 * 100.0 / fullest);
        bucket.critical_high_bar = format!("{:.1}", bucket.critical_high as f64 * 100.0 / fullest);
    }
    buckets
}

/// SVG `points` for `(x, value)` pairs, scaled so `maximum` reaches `top` and zero the bottom
/// of `height`.
fn polyline(points: &[(f64, usize)], maximum: usize, top: f64, height: f64) -> String {
    let maximum = maximum.max(1) as f64;
    points
        .iter()
        .map(|(x, value)| {
            format!(
                "{x:.1},{:.1}",
                top + height - (*value as f64 / maximum) * height
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A lone point is invisible as a line: it becomes a short stroke ending (or, at the left
/// edge, starting) at it.
fn visible(mut points: Vec<(f64, usize)>, stroke: f64, left: f64) -> Vec<(f64, usize)> {
    if let [(x, value)] = points[..] {
        let other = if x - stroke >= left {
            x - stroke
        } else {
            x + stroke
        };
        points = vec![(other.min(x), value), (other.max(x), value)];
    }
    points
}

/// Every monitor run that evaluated a current release, oldest first, with the summed counts:
/// the shared time axis of the trend chart and the sparklines.
fn runs_with_counts(snapshot: &Snapshot) -> BTreeMap<&str, SeverityCounts> {
    let mut per_run: BTreeMap<&str, SeverityCounts> = BTreeMap::new();
    for deployment in &snapshot.deployments {
        for point in &deployment.timeline {
            let sum = per_run.entry(point.run_at.as_str()).or_default();
            sum.errors += point.counts.errors;
            sum.warnings += point.counts.warnings;
            sum.notes += point.counts.notes;
            sum.waived += point.counts.waived;
        }
    }
    per_run
}

/// Each run's position on the time axis, oldest first.
fn run_positions<'a>(per_run: &BTreeMap<&'a str, SeverityCounts>) -> BTreeMap<&'a str, usize> {
    per_run
        .keys()
        .enumerate()
        .map(|(index, run_at)| (*run_at, index))
        .collect()
}

/// The per-row chart of a release's errors and warnings, on the same time axis as the trend
/// chart (a release recorded last week draws only at the right). Long axes are bucketed,
/// keeping each bucket's maximum so a spike never disappears.
fn sparkline(view: &DeploymentView, axis: &BTreeMap<&str, usize>) -> Option<Sparkline> {
    let (first, last) = (view.timeline.first()?, view.timeline.last()?);
    let total = axis.len().max(1);
    let buckets = total.min(SPARKLINE_POINTS);
    let mut maxima: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for point in &view.timeline {
        let index = axis
            .get(point.run_at.as_str())
            .copied()
            .unwrap_or(total - 1);
        let entry = maxima.entry(index * buckets / total).or_default();
        entry.0 = entry.0.max(point.counts.errors);
        entry.1 = entry.1.max(point.counts.warnings);
    }
    let maximum = maxima.values().map(|(e, w)| *e.max(w)).max().unwrap_or(0);
    // One unit of padding so a line at zero or at the maximum is not cut by the edge.
    let (left, width) = (1.0, SPARKLINE_WIDTH - 2.0);
    let x = |bucket: usize| {
        if buckets > 1 {
            left + bucket as f64 * width / (buckets - 1) as f64
        } else {
            left + width
        }
    };
    let draw = |pick: fn(&(usize, usize)) -> usize| {
        let points = maxima
            .iter()
            .map(|(bucket, values)| (x(*bucket), pick(values)))
            .collect();
        polyline(
            &visible(points, 6.0, left),
            maximum,
            2.0,
            SPARKLINE_HEIGHT - 4.0,
        )
    };
    let runs = view.timeline.len();
    let title = format!(
        "{runs} run{} from {} to {}: errors {} → {}, warnings {} → {} (highest {maximum})",
        if runs == 1 { "" } else { "s" },
        prefix(&first.run_at, 10),
        prefix(&last.run_at, 10),
        first.counts.errors,
        last.counts.errors,
        first.counts.warnings,
        last.counts.warnings,
    );
    Some(Sparkline {
        width: SPARKLINE_WIDTH,
        height: SPARKLINE_HEIGHT,
        errors: draw(|values| values.0),
        warnings: draw(|values| values.1),
        title,
    })
}

/// The smallest of 1, 2, 5 × 10ⁿ at or above `value` (a readable axis maximum).
fn nice_ceiling(value: usize) -> usize {
    let mut magnitude = 1usize;
    while magnitude <= value {
        for step in [1usize, 2, 5] {
            let candidate = step.saturating_mul(magnitude);
            if candidate >= value {
                return candidate;
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => return value,
        }
    }
    magnitude
}

/// The aggregate trend chart over the runs of `per_run` (when any), and the runs table (every
/// recorded run, oldest first, with its summed counts where a current release was evaluated).
fn trend<'a>(
    snapshot: &'a Snapshot,
    per_run: &BTreeMap<&str, SeverityCounts>,
) -> (Option<TrendChart>, Vec<RunRow<'a>>) {
    let mut runs: Vec<RunRow<'_>> = snapshot
        .runs
        .iter()
        .map(|view| RunRow {
            view,
            counts: per_run.get(view.run_at.as_str()).copied(),
        })
        .collect();
    runs.sort_by(|a, b| a.view.run_at.cmp(&b.view.run_at));
    if per_run.is_empty() {
        return (None, runs);
    }
    let errors: Vec<usize> = per_run.values().map(|c| c.errors).collect();
    let warnings: Vec<usize> = per_run.values().map(|c| c.warnings).collect();
    let maximum = nice_ceiling(errors.iter().chain(&warnings).copied().max().unwrap_or(0));
    let plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    let plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM;
    let baseline = CHART_TOP + plot_height;
    let halves: &[usize] = if maximum.is_multiple_of(2) {
        &[0, maximum / 2, maximum]
    } else {
        &[0, maximum]
    };
    let y_ticks = halves
        .iter()
        .map(|value| Tick {
            position: format!(
                "{:.1}",
                baseline - *value as f64 / maximum as f64 * plot_height
            ),
            label: thousands(*value as u64),
            anchor: "end",
        })
        .collect();
    let dates: Vec<&str> = per_run.keys().copied().collect();
    let count = dates.len();
    let step = if count > 1 {
        plot_width / (count - 1) as f64
    } else {
        plot_width
    };
    let x_of = |index: usize| {
        if count > 1 {
            CHART_LEFT + step * index as f64
        } else {
            CHART_LEFT
        }
    };
    // A single run is drawn as a level line across the chart.
    let draw = |values: &[usize]| {
        let mut points: Vec<(f64, usize)> = values
            .iter()
            .enumerate()
            .map(|(index, value)| (x_of(index), *value))
            .collect();
        if let [(_, value)] = points[..] {
            points.push((CHART_LEFT + plot_width, value));
        }
        polyline(&points, maximum, CHART_TOP, plot_height)
    };
    let errors_line = draw(&errors);
    let errors_area = format!(
        "{CHART_LEFT:.1},{baseline:.1} {errors_line} {:.1},{baseline:.1}",
        CHART_LEFT + plot_width
    );
    let mut label_at = vec![0];
    if count > 2 {
        label_at.push(count / 2);
    }
    if count > 1 {
        label_at.push(count - 1);
    }
    let x_labels = label_at
        .into_iter()
        .map(|index| Tick {
            position: format!("{:.1}", x_of(index)),
            label: prefix(dates[index], 10),
            anchor: if index == 0 {
                "start"
            } else if index + 1 == count {
                "end"
            } else {
                "middle"
            },
        })
        .collect();
    let columns = per_run
        .iter()
        .enumerate()
        .map(|(index, (run_at, counts))| {
            let band = if count > 1 { step } else { plot_width };
            let start = (x_of(index) - band / 2.0).max(CHART_LEFT);
            let end = (x_of(index) + band / 2.0).min(CHART_LEFT + plot_width);
            Column {
                x: format!("{start:.1}"),
                width: format!("{:.1}", (end - start).max(1.0)),
                title: format!(
                    "{run_at}: errors {}, warnings {}, notes {}",
                    counts.errors, counts.warnings, counts.notes
                ),
            }
        })
        .collect();
    let (first, last) = (errors[0], errors[count - 1]);
    let description = format!(
        "Errors and warnings of the current releases over {count} monitor run{} from {} to {}: errors {first} → {last}, warnings {} → {}.",
        if count == 1 { "" } else { "s" },
        prefix(dates[0], 10),
        prefix(dates[count - 1], 10),
        warnings[0],
        warnings[count - 1],
    );
    (
        Some(TrendChart {
            width: CHART_WIDTH,
            height: CHART_HEIGHT,
            left: CHART_LEFT,
            right: CHART_WIDTH - CHART_RIGHT,
            top: CHART_TOP,
            bottom: baseline,
            errors: errors_line,
            errors_area,
            warnings: draw(&warnings),
            y_ticks,
            x_labels,
            columns,
            description,
        }),
        runs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lists_show_fold_and_count() {
        let capped = Capped::folding((0..10).collect(), 3, 7);
        assert_eq!(
            (capped.shown, capped.folded, capped.more),
            (vec![0, 1, 2], vec![3, 4, 5, 6], 3)
        );
        let capped = Capped::folding(vec![1, 2], 3, 7);
        assert_eq!(
            (capped.shown, capped.folded, capped.more),
            (vec![1, 2], vec![], 0)
        );
        let capped = Capped::new((0..5).collect(), 4);
        assert_eq!(
            (capped.shown.len(), capped.folded.len(), capped.more),
            (4, 0, 1)
        );
    }

    #[test]
    fn readable_time_is_utc_to_the_minute() {
        assert_eq!(
            readable_time("2026-12-04T06:05:59Z"),
            "2026-12-04 06:05 UTC"
        );
        assert_eq!(
            readable_time("2026-12-04T08:05:00+02:00"),
            "2026-12-04 06:05 UTC"
        );
        assert_eq!(readable_time("yesterday"), "yesterday");
    }

    #[test]
    fn waiver_status_by_days_left() {
        assert_eq!(waiver_status(-1), ("expired", "expired 1 day ago".into()));
        assert_eq!(
            waiver_status(-12),
            ("expired", "expired 12 days ago".into())
        );
        assert_eq!(waiver_status(0), ("today", "expires today".into()));
        assert_eq!(waiver_status(1), ("soon", "expires in 1 day".into()));
        assert_eq!(waiver_status(30), ("soon", "expires in 30 days".into()));
        assert_eq!(waiver_status(31), ("later", "expires in 31 days".into()));
    }

    #[test]
    fn age_buckets_cover_every_age() {
        assert_eq!(age_bucket(Some(0)), 0);
        assert_eq!(age_bucket(Some(6)), 0);
        assert_eq!(age_bucket(Some(7)), 1);
        assert_eq!(age_bucket(Some(90)), 2);
        assert_eq!(age_bucket(Some(364)), 3);
        assert_eq!(age_bucket(Some(365)), 4);
        assert_eq!(age_bucket(Some(i64::MAX)), 4);
        // A publication date after `today` (clock skew) reads as the youngest bucket.
        assert_eq!(age_bucket(Some(-3)), 0);
        assert_eq!(age_bucket(None), AGE_BUCKETS.len());
    }

    #[test]
    fn polyline_scales_to_the_box() {
        let points = [(0.0, 0), (50.0, 5), (100.0, 10)];
        assert_eq!(
            polyline(&points, 10, 0.0, 20.0),
            "0.0,20.0 50.0,10.0 100.0,0.0"
        );
        // All zeros stay on the baseline (no division by a zero maximum).
        assert_eq!(
            polyline(&[(0.0, 0), (10.0, 0)], 0, 0.0, 10.0),
            "0.0,10.0 10.0,10.0"
        );
        assert_eq!(polyline(&[], 0, 0.0, 10.0), "");
    }

    #[test]
    fn a_lone_point_becomes_a_short_stroke() {
        assert_eq!(
            visible(vec![(50.0, 3)], 6.0, 1.0),
            vec![(44.0, 3), (50.0, 3)]
        );
        assert_eq!(visible(vec![(1.0, 3)], 6.0, 1.0), vec![(1.0, 3), (7.0, 3)]);
        let two = vec![(1.0, 3), (9.0, 4)];
        assert_eq!(visible(two.clone(), 6.0, 1.0), two);
    }

    fn deployment(timeline: &[(&str, usize, usize)]) -> DeploymentView {
        DeploymentView {
            timeline: timeline
                .iter()
                .map(
                    |(run_at, errors, warnings)| crate::monitor::snapshot::TimelinePoint {
                        run_at: run_at.to_string(),
                        counts: SeverityCounts {
                            errors: *errors,
                            warnings: *warnings,
                            ..SeverityCounts::default()
                        },
                    },
                )
                .collect(),
            ..DeploymentView::default()
        }
    }

    #[test]
    fn sparklines_share_the_runs_axis_and_keep_spikes() {
        // 100 daily runs; one release evaluated in all of them with a one-day spike, one
        // recorded for the last two runs only.
        let days: Vec<String> = (0..100).map(|day| format!("2026-01-01T{day:03}")).collect();
        let long: Vec<(&str, usize, usize)> = days
            .iter()
            .enumerate()
            .map(|(day, run_at)| (run_at.as_str(), if day == 57 { 9 } else { 1 }, 0))
            .collect();
        let short = [(days[98].as_str(), 2, 1), (days[99].as_str(), 2, 1)];
        let snapshot = Snapshot {
            deployments: vec![deployment(&long), deployment(&short)],
            ..Snapshot::default()
        };
        let axis = run_positions(&runs_with_counts(&snapshot));
        let line = sparkline(&snapshot.deployments[0], &axis).unwrap();
        assert_eq!(line.errors.split(' ').count(), SPARKLINE_POINTS);
        // The spike reaches the top (y = 2.0) exactly once.
        assert_eq!(
            line.errors
                .split(' ')
                .filter(|p| p.ends_with(",2.0"))
                .count(),
            1
        );
        // The recent release lands in the last bucket, drawn as a short stroke at the right.
        let recent = sparkline(&snapshot.deployments[1], &axis).unwrap();
        assert_eq!(recent.errors, "93.0,2.0 99.0,2.0");
        assert!(recent.title.starts_with("2 runs from"), "{}", recent.title);
        assert!(sparkline(&deployment(&[]), &axis).is_none());
    }

    #[test]
    fn nice_ceiling_rounds_up_to_one_two_five() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(1), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(4321), 5000);
    }

    #[test]
    fn severity_classes_are_a_fixed_set() {
        assert_eq!(severity_class("CRITICAL"), "critical");
        assert_eq!(severity_class("moderate"), "medium");
        assert_eq!(severity_class("\"><script>"), "unknown");
        assert!(severity_rank("critical") > severity_rank("high"));
        assert!(severity_rank("error") > severity_rank("warning"));
    }

    #[test]
    fn verdict_classes_are_a_fixed_set() {
        assert_eq!(verdict_class(Some("fail"), "x"), ("fail", "fail".into()));
        assert_eq!(
            verdict_class(None, "not monitored"),
            ("none", "not monitored".into())
        );
        assert_eq!(verdict_class(Some("<b>"), "x"), ("other", "<b>".into()));
    }
}
