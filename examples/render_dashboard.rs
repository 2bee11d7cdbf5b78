//! Renders the dashboard page from a snapshot JSON file, or writes a synthetic snapshot of N
//! deployments, so the page can be checked in a headless browser (`tests/dashboard-render.sh`)
//! and looked at, at scale, before `depgate dashboard` reads a real store.
//!
//! Usage:
//!   cargo run --example render_dashboard -- SNAPSHOT.json OUT.html
//!   cargo run --example render_dashboard -- --synthetic DEPLOYMENTS OUT.json
//!
//! Exit codes: 0 written, 2 usage or input error (nothing written).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use depgate::monitor::snapshot::{
    AdvisoryExposure, Approval, DeploymentView, OwnedFinding, OwnerView, RunView, SeverityCounts,
    Snapshot, TimelinePoint, WaiverView,
};
use depgate::store::Deployment;

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match arguments.as_slice() {
        [flag, count, output] if flag == "--synthetic" => synthesize(count, Path::new(output)),
        [input, output] if !input.starts_with('-') => render(Path::new(input), Path::new(output)),
        _ => Err(anyhow::anyhow!(
            "usage: render_dashboard SNAPSHOT.json OUT.html | render_dashboard --synthetic DEPLOYMENTS OUT.json"
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn render(input: &Path, output: &Path) -> anyhow::Result<()> {
    let text = fs_err::read_to_string(input)?;
    let snapshot: Snapshot = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not a dashboard snapshot", input.display()))?;
    let html = depgate::report::dashboard::render_html(&snapshot)?;
    depgate::util::write_atomic(output, &html)?;
    Ok(())
}

fn synthesize(count: &str, output: &Path) -> anyhow::Result<()> {
    let Ok(count) = count.parse::<usize>() else {
        bail!("`{count}` is not a number of deployments");
    };
    let snapshot = Synthetic::new(0x5eed_da5b).snapshot(count);
    let mut json = serde_json::to_vec_pretty(&snapshot)?;
    json.push(b'\n');
    depgate::util::write_atomic(output, &json)?;
    Ok(())
}

/// A deterministic generator (SplitMix64): the same count gives the same snapshot.
struct Synthetic {
    state: u64,
}

const RUNS: usize = 45;
const TODAY: time::Date = time::macros::date!(2026 - 12 - 04);
const WORDS: [&str; 24] = [
    "billing",
    "checkout",
    "search",
    "identity",
    "ledger",
    "catalog",
    "gateway",
    "inventory",
    "notify",
    "reports",
    "shipping",
    "pricing",
    "profile",
    "media",
    "audit",
    "risk",
    "loyalty",
    "payments",
    "orders",
    "feeds",
    "ingest",
    "export",
    "support",
    "metrics",
];
const KINDS: [&str; 6] = ["api", "worker", "web", "service", "jobs", "edge"];
const ENVIRONMENTS: [&str; 3] = ["prod", "staging", "dev"];
const PACKAGES: [&str; 16] = [
    "lodash",
    "openssl",
    "serde_yaml",
    "log4j-core",
    "requests",
    "jackson-databind",
    "minimist",
    "tokio",
    "urllib3",
    "express",
    "protobuf",
    "golang.org/x/net",
    "rails",
    "guzzle",
    "axios",
    "netty-codec-http",
];
/// (owner, rule, finding code): who owns which rule.
const RULES: [(&str, &str, &str); 9] = [
    (
        "platform-security",
        "advisories-critical",
        "advisory-vulnerable",
    ),
    (
        "platform-security",
        "advisories-unmaintained",
        "advisory-unmaintained",
    ),
    ("legal-compliance", "licenses-copyleft", "license-denied"),
    ("legal-compliance", "licenses-unknown", "license-unknown"),
    ("web-frontend", "bans-duplicate-react", "ban-duplicate"),
    (
        "payments-team",
        "sources-internal-registry",
        "source-not-allowed",
    ),
    (
        "data-platform",
        "versions-minimum-protobuf",
        "version-too-old",
    ),
    ("platform-security", "bans-openssl-1", "ban-denied"),
    ("mobile", "sources-no-git", "source-not-allowed"),
];
const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];

impl Synthetic {
    fn new(seed: u64) -> Self {
        Synthetic { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn snapshot(&mut self, count: usize) -> Snapshot {
        let runs: Vec<String> = (0..RUNS)
            .map(|index| format!("{}T06:00:00Z", date(RUNS - 1 - index)))
            .collect();
        let mut advisories: Vec<AdvisoryExposure> = (0..60)
            .map(|index| {
                let published_days =
                    [3, 12, 40, 75, 150, 300, 500, 900][self.below(8)] + self.below(20);
                let known = !self.chance(5);
                AdvisoryExposure {
                    id: format!(
                        "GHSA-{:04x}-{:04x}-{:04x}",
                        self.next() & 0xffff,
                        index,
                        self.next() & 0xffff
                    ),
                    aliases: vec![format!("CVE-2026-{}", 10000 + index * 37)],
                    severity: self.pick(&SEVERITIES).to_string(),
                    package: self.pick(&PACKAGES).to_string(),
                    version: format!("{}.{}.{}", self.below(5), self.below(20), self.below(10)),
                    fixed_in: if self.chance(80) {
                        vec![format!("{}.{}.0", self.below(5) + 1, self.below(20))]
                    } else {
                        Vec::new()
                    },
                    published: known.then(|| date(published_days)),
                    days_open: known.then_some(published_days as i64),
                    deployments: Vec::new(),
                }
            })
            .collect();

        let mut deployments = Vec::new();
        let mut owners: BTreeMap<&str, OwnerView> = BTreeMap::new();
        let mut waivers = Vec::new();
        let mut project_index = 0;
        while deployments.len() < count {
            let project = format!(
                "{}-{}{}",
                WORDS[project_index % WORDS.len()],
                KINDS[(project_index / WORDS.len()) % KINDS.len()],
                match project_index / (WORDS.len() * KINDS.len()) {
                    0 => String::new(),
                    round => format!("-{}", round + 1),
                }
            );
            project_index += 1;
            for environment in ENVIRONMENTS {
                if deployments.len() == count {
                    break;
                }
                if environment != "prod"
                    && !self.chance(if environment == "staging" { 70 } else { 35 })
                {
                    continue;
                }
                let deployment = self.deployment(
                    &project,
                    environment,
                    &runs,
                    &mut advisories,
                    &mut owners,
                    &mut waivers,
                );
                deployments.push(deployment);
            }
        }
        advisories.retain(|advisory| !advisory.deployments.is_empty());
        waivers.sort_by_key(|waiver: &WaiverView| waiver.days_left);
        Snapshot {
            generated_at: format!("{TODAY}T06:05:00Z"),
            today: TODAY.to_string(),
            deployments,
            owners: owners.into_values().collect(),
            expiring_waivers: waivers,
            open_advisories: advisories,
            runs: runs
                .iter()
                .enumerate()
                .map(|(index, run_at)| RunView {
                    run_at: run_at.clone(),
                    releases: count,
                    new_violations: if index % 6 == 0 {
                        self.below(12)
                    } else {
                        self.below(3)
                    },
                    databases: vec![
                        format!("rustsec@{:07x}", self.next() & 0xfff_ffff),
                        format!("osv@{}", date(RUNS - 1 - index)),
                    ],
                })
                .collect(),
        }
    }

    fn deployment(
        &mut self,
        project: &str,
        environment: &str,
        runs: &[String],
        advisories: &mut [AdvisoryExposure],
        owners: &mut BTreeMap<&'static str, OwnerView>,
        waivers: &mut Vec<WaiverView>,
    ) -> DeploymentView {
        let release = format!(
            "{}.{}.{}",
            1 + self.below(4),
            self.below(30),
            self.below(12)
        );
        let monitored = !self.chance(4);
        // Most releases are clean or nearly; a few carry many findings.
        let base_errors = match self.below(20) {
            0..=13 => 0,
            14..=18 => 1 + self.below(3),
            _ => 3 + self.below(12),
        };
        let base_warnings = self.below(8);
        // Most releases were there for every run; some were deployed recently.
        let recorded_runs = match (monitored, self.chance(75)) {
            (false, _) => 0,
            (true, true) => runs.len(),
            (true, false) => 1 + self.below(runs.len()),
        };
        let mut errors = base_errors;
        let mut warnings = base_warnings;
        let mut timeline: Vec<TimelinePoint> = runs[runs.len() - recorded_runs..]
            .iter()
            .map(|run_at| {
                // New advisories arrive, fixes land: a random walk around the base.
                if self.chance(5) {
                    errors += 1;
                }
                if errors > 0 && self.chance(if errors > base_errors { 25 } else { 3 }) {
                    errors -= 1;
                }
                if self.chance(15) {
                    warnings = (warnings + self.below(3)).saturating_sub(1);
                }
                TimelinePoint {
                    run_at: run_at.clone(),
                    counts: SeverityCounts {
                        errors,
                        warnings,
                        notes: 0,
                        waived: 0,
                    },
                }
            })
            .collect();
        let waived = if self.chance(25) {
            1 + self.below(3)
        } else {
            0
        };
        let notes = waived + self.below(4);
        let counts = if monitored {
            SeverityCounts {
                errors,
                warnings,
                notes,
                waived,
            }
        } else {
            SeverityCounts::default()
        };
        // The latest run is the current state.
        if let Some(last) = timeline.last_mut() {
            last.counts = counts;
        }
        let mut critical_high = 0;
        let mut expired = 0;
        for (severity, amount) in [
            ("error", counts.errors),
            ("warning", counts.warnings),
            ("note", counts.notes),
        ] {
            for _ in 0..amount {
                let (owner, rule, code) = RULES[self.below(RULES.len())];
                let (package, version, message) = if code == "advisory-vulnerable" {
                    let advisory = &mut advisories[self.below(60)];
                    let name = format!("{project}/{environment}");
                    if !advisory.deployments.contains(&name) {
                        advisory.deployments.push(name);
                    }
                    if severity == "error"
                        && matches!(advisory.severity.as_str(), "critical" | "high")
                    {
                        critical_high += 1;
                    }
                    (
                        advisory.package.clone(),
                        advisory.version.clone(),
                        format!(
                            "{} ({}) affects this version",
                            advisory.id, advisory.severity
                        ),
                    )
                } else {
                    let package = self.pick(&PACKAGES).to_string();
                    let message = format!("`{package}` violates `{rule}`");
                    (
                        package,
                        format!("{}.{}.{}", self.below(5), self.below(20), self.below(10)),
                        message,
                    )
                };
                let entry = owners.entry(owner).or_insert_with(|| OwnerView {
                    owner: owner.to_string(),
                    ..OwnerView::default()
                });
                if !entry.rules.iter().any(|r| r == rule) {
                    entry.rules.push(rule.to_string());
                    entry.rules.sort();
                }
                entry.findings.push(OwnedFinding {
                    project: project.to_string(),
                    environment: environment.to_string(),
                    release: release.clone(),
                    code: code.to_string(),
                    rule: rule.to_string(),
                    severity: severity.to_string(),
                    package,
                    version,
                    message,
                });
            }
        }
        for index in 0..counts.waived {
            let days_left = self.below(100) as i64 - 8;
            if days_left < 0 {
                expired += 1;
            }
            if days_left <= 30 {
                let (owner, _, _) = RULES[self.below(RULES.len())];
                waivers.push(WaiverView {
                    project: project.to_string(),
                    environment: environment.to_string(),
                    id: format!("waive-{project}-{index}"),
                    package: self.pick(&PACKAGES).to_string(),
                    owner: owner.to_string(),
                    reason: "upgrade scheduled with the next platform release".to_string(),
                    expires: date_after(days_left),
                    days_left,
                });
            }
        }
        let approval = self.chance(60).then(|| {
            let drift = if self.chance(20) {
                (0..1 + self.below(30))
                    .map(|_| {
                        let package = self.pick(&PACKAGES);
                        match self.below(3) {
                            0 => format!("added `{package}` 1.{}.0", self.below(9)),
                            1 => format!("removed `{package}` 2.{}.1", self.below(9)),
                            _ => format!("upgraded `{package}` 1.{0}.0 -> 1.{0}.1", self.below(9)),
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Approval {
                verdict: if base_errors == 0 { "pass" } else { "fail" }.to_string(),
                policy_digest: format!(
                    "{:016x}{:016x}{:016x}{:016x}",
                    self.next(),
                    self.next(),
                    self.next(),
                    self.next()
                ),
                attested_at: format!("{}T12:00:00Z", date(30 + self.below(60))),
                components: 50 + self.below(900),
                drift,
            }
        });
        DeploymentView {
            deployment: Deployment {
                project: project.to_string(),
                environment: environment.to_string(),
                release,
                commit: self.chance(90).then(|| {
                    format!(
                        "{:016x}{:016x}{:08x}",
                        self.next(),
                        self.next(),
                        self.next() & 0xffff_ffff
                    )
                }),
                deployed_at: self
                    .chance(85)
                    .then(|| format!("{}T10:30:00Z", date(self.below(60)))),
                recorded_at: format!("{}T10:31:00Z", date(self.below(60))),
            },
            verdict: monitored.then(|| {
                if counts.errors > 0 || expired > 0 {
                    "fail"
                } else {
                    "pass"
                }
                .to_string()
            }),
            counts,
            packages: 20 + self.below(1500),
            risk: (counts.errors as u64) * 1_000_000
                + critical_high * 10_000
                + expired * 100
                + counts.warnings as u64,
            approval,
            timeline,
        }
    }
}

/// `days` before [`TODAY`], `YYYY-MM-DD`.
fn date(days: usize) -> String {
    (TODAY - time::Duration::days(days as i64)).to_string()
}

/// `days` after [`TODAY`] (negative: before), `YYYY-MM-DD`.
fn date_after(days: i64) -> String {
    (TODAY + time::Duration::days(days)).to_string()
}
