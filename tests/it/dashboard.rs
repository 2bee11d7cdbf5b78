//! The dashboard page (`report::dashboard::render_html`): escaping of hostile names, sorting by
//! risk, waiver states, the empty state, exact counts on the root element, caps that keep
//! those counts exact, a self-contained page whose one script matches its CSP hash, and the
//! five-deployment fixture against its golden file.
//!
//! The golden file lives in `tests/fixtures/dashboard/five-deployments/expected/`; run with
//! `DEPGATE_BLESS=1` to rewrite it after an intended change (then review the diff).

use base64::Engine;
use depgate::monitor::snapshot::{
    AdvisoryExposure, Approval, DeploymentView, OwnedFinding, OwnerView, RunView, SeverityCounts,
    Snapshot, TimelinePoint, WaiverView,
};
use depgate::report::dashboard::render_html;
use depgate::store::Deployment;
use sha2::{Digest, Sha256};

use crate::common::{fixture, golden_file};

fn render(snapshot: &Snapshot) -> String {
    String::from_utf8(render_html(snapshot).unwrap()).unwrap()
}

fn deployment(
    project: &str,
    environment: &str,
    risk: u64,
    counts: SeverityCounts,
) -> DeploymentView {
    DeploymentView {
        deployment: Deployment {
            project: project.to_string(),
            environment: environment.to_string(),
            release: "1.0.0".to_string(),
            recorded_at: "2026-12-01T10:00:00Z".to_string(),
            ..Deployment::default()
        },
        verdict: Some(if counts.errors > 0 { "fail" } else { "pass" }.to_string()),
        counts,
        packages: 10,
        risk,
        timeline: vec![TimelinePoint {
            run_at: "2026-12-04T06:00:00Z".to_string(),
            counts,
        }],
        ..DeploymentView::default()
    }
}

fn counts(errors: usize, warnings: usize, notes: usize, waived: usize) -> SeverityCounts {
    SeverityCounts {
        errors,
        warnings,
        notes,
        waived,
    }
}

fn snapshot(deployments: Vec<DeploymentView>) -> Snapshot {
    Snapshot {
        generated_at: "2026-12-04T06:05:00Z".to_string(),
        today: "2026-12-04".to_string(),
        deployments,
        runs: vec![RunView {
            run_at: "2026-12-04T06:00:00Z".to_string(),
            releases: 1,
            new_violations: 0,
            databases: vec!["rustsec@abc1234".to_string()],
        }],
        ..Snapshot::default()
    }
}

/// The value of `data-NAME` on the root `<html>` element.
fn root_attribute(html: &str, name: &str) -> usize {
    let start = html.find("<html").expect("an <html> element");
    let tag = &html[start..start + html[start..].find('>').unwrap()];
    let key = format!(" data-{name}=\"");
    let at = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no data-{name} on <html>"))
        + key.len();
    tag[at..at + tag[at..].find('"').unwrap()]
        .parse()
        .unwrap_or_else(|_| panic!("data-{name} is not a number"))
}

/// The project of each deployment row, in page order.
fn row_projects(html: &str) -> Vec<String> {
    html.split("<tr class=\"deployment\"")
        .skip(1)
        .map(|row| {
            let start = row.find("<th scope=\"row\" class=\"project\">").unwrap()
                + "<th scope=\"row\" class=\"project\">".len();
            row[start..start + row[start..].find("</th>").unwrap()].to_string()
        })
        .collect()
}

#[test]
fn hostile_names_are_escaped_everywhere() {
    let hostile = "<script>alert(\"x\")</script>";
    let mut view = deployment(hostile, "prod'\"><marquee>", 5, counts(1, 0, 0, 0));
    view.deployment.release = "1.0\"><img onerror=alert(1)>".to_string();
    view.approval = Some(Approval {
        verdict: "<blink>pass</blink>".to_string(),
        policy_digest: "<digest>".to_string(),
        attested_at: "2026-12-01T00:00:00Z".to_string(),
        components: 3,
        drift: vec!["added `<svg onload=alert(1)>`".to_string()],
    });
    let mut snapshot = snapshot(vec![view]);
    snapshot.owners = vec![OwnerView {
        owner: "team </td><script>".to_string(),
        rules: vec!["rule<&>".to_string()],
        findings: vec![OwnedFinding {
            project: hostile.to_string(),
            environment: "prod".to_string(),
            release: "1.0".to_string(),
            code: "advisory-vulnerable".to_string(),
            rule: "rule<&>".to_string(),
            severity: "error\" onmouseover=\"x".to_string(),
            package: "<pkg>".to_string(),
            version: "1".to_string(),
            message: "</table><script>alert(2)</script>".to_string(),
        }],
    }];
    snapshot.expiring_waivers = vec![WaiverView {
        project: hostile.to_string(),
        reason: "<iframe>".to_string(),
        owner: "<owner>".to_string(),
        expires: "2026-12-10".to_string(),
        days_left: 6,
        ..WaiverView::default()
    }];
    snapshot.open_advisories = vec![AdvisoryExposure {
        id: "<img src=x>".to_string(),
        severity: "\"><script>".to_string(),
        deployments: vec![format!("{hostile}/prod")],
        ..AdvisoryExposure::default()
    }];
    let html = render(&snapshot);

    // The page's own script is the only one; nothing hostile became markup.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    for markup in [
        "<img",
        "<iframe",
        "<svg onload",
        "<marquee",
        "<blink",
        "<pkg>",
        "<owner>",
        "</table><script",
    ] {
        assert!(
            !html.contains(markup),
            "`{markup}` reached the page unescaped"
        );
    }
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt;"));
    assert!(html.contains("&lt;svg onload=alert(1)&gt;"));
    // Data-derived CSS classes come from a fixed set, never from the data.
    assert!(html.contains("badge badge-unknown"));
    assert!(html.contains("badge badge-other"));
    assert!(!html.contains("onmouseover=\""));
}

#[test]
fn deployments_are_sorted_by_risk_then_name() {
    let html = render(&snapshot(vec![
        deployment("low", "prod", 1, counts(0, 1, 0, 0)),
        deployment("zeta", "prod", 3_000_000, counts(3, 0, 0, 0)),
        deployment("alpha", "staging", 3_000_000, counts(3, 0, 0, 0)),
        deployment("alpha", "prod", 3_000_000, counts(3, 0, 0, 0)),
        deployment("clean", "prod", 0, counts(0, 0, 0, 0)),
        deployment("middle", "prod", 20_000, counts(0, 0, 0, 0)),
    ]));
    assert_eq!(
        row_projects(&html),
        ["alpha", "alpha", "zeta", "middle", "low", "clean"]
    );
    let alpha_prod = html
        .find("data-environment=\"prod\" data-verdict=\"fail\" data-search=\"alpha prod")
        .unwrap();
    let alpha_staging = html.find("data-search=\"alpha staging").unwrap();
    assert!(alpha_prod < alpha_staging, "ties break by environment");
}

#[test]
fn waivers_are_marked_by_state_soonest_first() {
    let waiver = |id: &str, days_left: i64| WaiverView {
        project: "app".to_string(),
        environment: "prod".to_string(),
        id: id.to_string(),
        owner: "legal".to_string(),
        expires: "2026-12-01".to_string(),
        days_left,
        ..WaiverView::default()
    };
    let mut snapshot = snapshot(vec![deployment("app", "prod", 0, counts(0, 0, 0, 0))]);
    snapshot.expiring_waivers = vec![waiver("later", 12), waiver("today", 0), waiver("gone", -3)];
    let html = render(&snapshot);
    let gone = html.find("<tr class=\"waiver waiver-expired\"><td><span class=\"badge badge-expired\">expired 3 days ago</span>").expect("the expired waiver is marked");
    let today = html.find("<tr class=\"waiver waiver-today\"><td><span class=\"badge badge-today\">expires today</span>").expect("today's expiry is marked");
    let later = html.find("<tr class=\"waiver waiver-soon\"><td><span class=\"badge badge-soon\">expires in 12 days</span>").expect("a coming expiry is marked");
    assert!(gone < today && today < later, "soonest first");
    assert_eq!(root_attribute(&html, "waivers"), 3);
    assert_eq!(root_attribute(&html, "waivers-expired"), 1);
    assert_eq!(root_attribute(&html, "waivers-expiring"), 2);
}

#[test]
fn an_empty_snapshot_explains_itself() {
    let empty = Snapshot {
        generated_at: "2026-12-04T06:05:00Z".to_string(),
        today: "2026-12-04".to_string(),
        ..Snapshot::default()
    };
    let html = render(&empty);
    assert!(html.contains("No deployments recorded yet"));
    assert!(html.contains("depgate record"));
    assert!(html.contains("depgate monitor"));
    assert!(!html.contains("id=\"deployments-table\""));
    for name in ["deployments", "findings", "packages", "failing", "runs"] {
        assert_eq!(root_attribute(&html, name), 0, "data-{name}");
    }
}

#[test]
fn root_counts_are_exact_while_long_lists_are_capped() {
    // 137 deployments with varied counts, one owner with far more findings than are listed,
    // more waivers and advisories than are shown.
    let mut deployments = Vec::new();
    let (mut findings, mut packages, mut failing, mut errors) = (0, 0, 0, 0);
    for index in 0..137usize {
        let counts = counts(index % 4, index % 7, index % 3, index % 3 / 2);
        let mut view = deployment(
            &format!("project-{index:03}"),
            ["prod", "staging"][index % 2],
            (index % 11) as u64,
            counts,
        );
        view.packages = 17 * index + 3;
        if index % 13 == 0 {
            view.verdict = None;
        }
        findings += counts.errors + counts.warnings + counts.notes;
        packages += view.packages;
        errors += counts.errors;
        failing += usize::from(view.verdict.as_deref() == Some("fail"));
        deployments.push(view);
    }
    let mut snapshot = snapshot(deployments);
    snapshot.owners = vec![OwnerView {
        owner: "platform".to_string(),
        rules: vec!["advisories".to_string()],
        findings: (0..180)
            .map(|index| OwnedFinding {
                project: format!("project-{:03}", index % 137),
                environment: "prod".to_string(),
                severity: "warning".to_string(),
                rule: "advisories".to_string(),
                ..OwnedFinding::default()
            })
            .collect(),
    }];
    snapshot.expiring_waivers = (0..600)
        .map(|index| WaiverView {
            id: format!("waiver-{index}"),
            days_left: index % 40 - 10,
            ..WaiverView::default()
        })
        .collect();
    snapshot.open_advisories = (0..40)
        .map(|index| AdvisoryExposure {
            id: format!("GHSA-{index}"),
            severity: if index % 5 == 0 { "critical" } else { "low" }.to_string(),
            days_open: Some(index),
            deployments: vec!["project-001/prod".to_string()],
            ..AdvisoryExposure::default()
        })
        .collect();
    let html = render(&snapshot);

    assert_eq!(root_attribute(&html, "deployments"), 137);
    assert_eq!(
        html.matches("<tr class=\"deployment\"").count(),
        137,
        "every deployment is a row"
    );
    assert_eq!(root_attribute(&html, "findings"), findings);
    assert_eq!(root_attribute(&html, "errors"), errors);
    assert_eq!(root_attribute(&html, "packages"), packages);
    assert_eq!(root_attribute(&html, "failing"), failing);
    assert_eq!(root_attribute(&html, "unmonitored"), 11);
    assert_eq!(root_attribute(&html, "passing"), 137 - failing - 11);
    assert_eq!(root_attribute(&html, "projects"), 137);
    // Rows carry their own counts, so a browser check can add them up.
    let row_packages: usize = html
        .split(" data-packages=\"")
        .skip(2) // the root element's
        .map(|rest| rest[..rest.find('"').unwrap()].parse::<usize>().unwrap())
        .sum();
    assert_eq!(row_packages, packages);

    // Capped lists: the totals stay exact, the page says how many are not listed.
    assert_eq!(root_attribute(&html, "owned-findings"), 180);
    assert!(html.contains("130 more findings of this owner not listed here"));
    assert_eq!(root_attribute(&html, "waivers"), 600);
    assert_eq!(root_attribute(&html, "waivers-expired"), 150);
    assert!(
        html.contains("475 more waivers</summary>"),
        "25 shown, 475 folded"
    );
    assert!(html.contains("100 more waivers not listed here"));
    assert_eq!(root_attribute(&html, "advisories"), 40);
    assert_eq!(root_attribute(&html, "critical-high"), 8);
    assert!(html.contains("15 more advisories, open for less time</summary>"));
    // Open longest first.
    assert!(
        html.find("<code>GHSA-39</code>").unwrap() < html.find("<code>GHSA-38</code>").unwrap()
    );
}

#[test]
fn the_page_is_self_contained_and_its_script_matches_the_csp_hash() {
    let html = String::from_utf8(
        render_html(&serde_json::from_str(&fixture_snapshot()).unwrap()).unwrap(),
    )
    .unwrap();
    for external in ["src=", "<link", "@import", "url(", "http://", "https://"] {
        assert!(!html.contains(external), "`{external}` in the page");
    }
    // The inline stylesheet is written as is (escaped quotes would drop font rules).
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(style.contains("\"Segoe UI\"") && !style.contains("&quot;"));
    // The one inline script runs only because the CSP names its hash.
    let script =
        &html[html.find("<script>").unwrap() + "<script>".len()..html.find("</script>").unwrap()];
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    let csp = &html[html.find("Content-Security-Policy").unwrap()..];
    let csp = unescape(&csp[..csp.find('>').unwrap()]);
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        csp.contains(&format!("script-src 'sha256-{hash}'")),
        "the CSP does not pin the script: {csp}"
    );
}

/// Decodes the entities minijinja writes in attribute values.
fn unescape(text: &str) -> String {
    text.replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn fixture_snapshot() -> String {
    std::fs::read_to_string(fixture("dashboard/five-deployments/snapshot.json")).unwrap()
}

#[test]
fn the_five_deployment_fixture_matches_its_golden_file() {
    let snapshot: Snapshot = serde_json::from_str(&fixture_snapshot()).unwrap();
    let html = render(&snapshot);
    // The golden file holds the page's content and structure: the version, the stylesheet,
    // the script and its CSP hash are redacted (the other tests check those).
    let mut html = html.replace(
        &format!("depgate {}", env!("CARGO_PKG_VERSION")),
        "depgate [version]",
    );
    for (open, close, placeholder) in [
        ("<style>", "</style>", "[stylesheet]"),
        ("<script>", "</script>", "[script]"),
        ("'sha256-", "'", "[hash]"),
    ] {
        if let Some(start) = html.find(open) {
            let start = start + open.len();
            let end = start + html[start..].find(close).unwrap();
            html.replace_range(start..end, placeholder);
        }
    }
    golden_file(
        &fixture("dashboard/five-deployments/expected/dashboard.html"),
        &html,
    );
}
