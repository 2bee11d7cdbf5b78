//! Evaluate, VEX: statements from VEX documents applied to advisory findings, scoped to the
//! component they name, and what depgate decided about each advisory, for VEX out.
//!
//! In: the inventory, the advisory findings (before waivers) and the [`VexDocument`]s read by
//! `enrich::vex`. Out: the same findings with the statement that decides each one attached
//! (`not_affected` and `fixed` turn the finding into a note; `affected` and
//! `under_investigation` keep it), plus a `vex-unmatched` finding for each statement that
//! names no package. [`decisions`] turns an evaluation into the statements VEX out writes.
//! Pure: no I/O.
//!
//! A statement applies to a finding when one of its ids (main id or alias) is the advisory's
//! id or alias, and its product covers the package: the product's purl matches the package
//! (a purl without version names every version; qualifiers must agree), or, for a product
//! narrowed to subcomponents, a subcomponent's purl matches the package and the product is
//! the package or depends on it. Such a statement decides the finding only when every path
//! from a root to the package passes through the product; otherwise the package is also used
//! outside the product, the finding stays, and the statement is shown with that path. Among
//! the statements that decide a finding the latest wins (statement time, else document time;
//! a tie goes to the later document on the command line, then the later statement).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Evaluation, Finding, FindingCode, PackageRef, Severity, WaiverRef};
use crate::enrich::vex::{Justification, Product, VexDocument, VexStatement, VexStatus};
use crate::inventory::purl::{self, Qualifiers};
use crate::inventory::{Inventory, Location, PackageId};

/// The rule `vex-unmatched` findings belong to.
pub const RULE: &str = "advisories.vex";

/// The VEX statement attached to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexRef {
    /// What it says.
    pub status: VexStatus,
    /// Why not affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// How the product is (not) affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    /// What to do (for `affected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action_statement: Option<String>,
    /// How the status was determined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
    /// The vulnerability id the statement names.
    pub vulnerability: String,
    /// The product it names that covers the package.
    pub product: String,
    /// The document it comes from (as given on the command line).
    pub document: String,
    /// The document's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Who issued the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// When the statement was made, RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Where the statement is in its document (`$.statements[2]`).
    pub statement: String,
    /// Set when the statement does not decide the finding because the package is also
    /// reached outside the product: one such dependency path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub also_reached_through: Option<String>,
}

impl VexRef {
    /// One line for the text reports: status, reasons, who said it, where.
    pub fn summary(&self) -> String {
        let mut line = format!("VEX {}", self.status);
        if let Some(justification) = self.justification {
            line.push_str(&format!(" ({justification})"));
        }
        for text in [&self.impact_statement, &self.action_statement]
            .into_iter()
            .flatten()
        {
            line.push_str(&format!(": {text}"));
        }
        line.push_str(&format!(
            " — {} in `{}` {}",
            self.author.as_deref().unwrap_or("unknown author"),
            self.document,
            self.statement
        ));
        if let Some(timestamp) = &self.timestamp {
            line.push_str(&format!(", {timestamp}"));
        }
        if let Some(path) = &self.also_reached_through {
            line.push_str(&format!(
                "; not applied: it covers `{}` only, which is also reached through {path}",
                self.product
            ));
        }
        line
    }
}

/// How a statement's product covers one package.
#[derive(Debug, Clone)]
struct Cover {
    /// The product label that covers it.
    product: String,
    /// A path from a root that avoids the product, when there is one (the statement then
    /// does not decide the package's findings).
    escape: Option<Vec<PackageId>>,
}

/// The packages one statement covers.
fn covered_packages(inventory: &Inventory, statement: &VexStatement) -> BTreeMap<PackageId, Cover> {
    let mut covered: BTreeMap<PackageId, Cover> = BTreeMap::new();
    for product in &statement.products {
        let owners = matching_packages(inventory, &product.component);
        if owners.is_empty() {
            continue;
        }
        if product.subcomponents.is_empty() {
            for id in owners {
                covered.entry(id).or_insert(Cover {
                    product: product.component.label.clone(),
                    escape: None,
                });
            }
            continue;
        }
        cover_subcomponents(inventory, product, &owners, &mut covered);
    }
    covered
}

/// Subcomponents of `product` that the product's packages (`owners`) contain.
fn cover_subcomponents(
    inventory: &Inventory,
    product: &Product,
    owners: &[PackageId],
    covered: &mut BTreeMap<PackageId, Cover>,
) {
    let inside = inventory.reachable_from(owners);
    for subcomponent in &product.subcomponents {
        for id in matching_packages(inventory, subcomponent) {
            if !inside[id.0] {
                continue;
            }
            let escape = inventory.path_avoiding(id, owners);
            let cover = Cover {
                product: product.component.label.clone(),
                escape,
            };
            // A cover that decides beats one that does not.
            match covered.get(&id) {
                Some(existing) if existing.escape.is_none() => {}
                _ => {
                    covered.insert(id, cover);
                }
            }
        }
    }
}

/// The packages whose purl the component's purl names.
fn matching_packages(
    inventory: &Inventory,
    component: &crate::enrich::vex::Component,
) -> Vec<PackageId> {
    let Some(pattern) = &component.purl else {
        return Vec::new();
    };
    inventory
        .packages()
        .iter()
        .filter(|package| {
            package
                .purl
                .as_deref()
                .is_some_and(|found| purl::matches(pattern, found, Qualifiers::Respect))
        })
        .map(|package| package.id)
        .collect()
}

/// True when the statement names one of the finding's advisory ids.
fn names_advisory(statement: &VexStatement, finding: &Finding) -> bool {
    let Some(advisory) = &finding.advisory else {
        return false;
    };
    statement.ids().any(|id| {
        advisory.id.eq_ignore_ascii_case(id)
            || advisory.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    })
}

/// Applies the documents' statements to `findings` and returns the `vex-unmatched` findings.
pub fn apply(
    inventory: &Inventory,
    findings: &mut [Finding],
    documents: &[VexDocument],
) -> Vec<Finding> {
    // Every statement with the packages it covers, in command-line then document order.
    let mut statements = Vec::new();
    let mut unmatched = Vec::new();
    for document in documents {
        for statement in &document.statements {
            let covered = covered_packages(inventory, statement);
            if covered.is_empty() {
                unmatched.extend(unmatched_finding(document, statement));
            } else {
                statements.push((document, statement, covered));
            }
        }
    }
    if statements.is_empty() {
        return unmatched;
    }
    for finding in findings.iter_mut() {
        let Some(package) = finding.package_id else {
            continue;
        };
        let mut deciding: Option<(&VexDocument, &VexStatement, &Cover)> = None;
        let mut shown: Option<(&VexDocument, &VexStatement, &Cover)> = None;
        for (document, statement, covered) in &statements {
            let Some(cover) = covered.get(&package) else {
                continue;
            };
            if !names_advisory(statement, finding) {
                continue;
            }
            let slot = if cover.escape.is_none() {
                &mut deciding
            } else {
                &mut shown
            };
            // Later or equal time wins: equal times keep the later statement.
            if slot.is_none_or(|(_, current, _)| statement.timestamp >= current.timestamp) {
                *slot = Some((document, statement, cover));
            }
        }
        let Some((document, statement, cover)) = deciding.or(shown) else {
            continue;
        };
        let escape = cover
            .escape
            .as_ref()
            .map(|path| format!("`{}`", inventory.display_path(path)));
        if escape.is_none() && statement.status.suppresses() {
            finding.severity = Severity::Note;
        }
        finding.vex = Some(VexRef {
            status: statement.status,
            justification: statement.justification,
            impact_statement: statement.impact_statement.clone(),
            action_statement: statement.action_statement.clone(),
            status_notes: statement.status_notes.clone(),
            vulnerability: statement.vulnerability.clone(),
            product: cover.product.clone(),
            document: document.path.display().to_string(),
            document_id: document.id.clone(),
            author: document.author.clone(),
            timestamp: statement.timestamp.map(crate::util::rfc3339),
            statement: statement.pointer.clone(),
            also_reached_through: escape,
        });
    }
    unmatched
}

/// The `vex-unmatched` finding for a statement that covers no package (none when the rule's
/// level is `allow`).
fn unmatched_finding(document: &VexDocument, statement: &VexStatement) -> Option<Finding> {
    let spec = crate::vocabulary::rules::spec(RULE)?;
    let severity = spec.default_level.severity()?;
    let products: Vec<String> = statement
        .products
        .iter()
        .map(|product| {
            let mut label = format!("`{}`", product.component.label);
            if !product.subcomponents.is_empty() {
                let inner: Vec<String> = product
                    .subcomponents
                    .iter()
                    .map(|s| format!("`{}`", s.label))
                    .collect();
                label.push_str(&format!(" (subcomponents {})", inner.join(", ")));
            }
            label
        })
        .collect();
    let named = if products.is_empty() {
        "names no product".to_string()
    } else {
        format!("names {}", products.join(", "))
    };
    let mut finding = Finding::new(
        FindingCode::VexUnmatched,
        RULE,
        severity,
        format!(
            "VEX statement {} in `{}` ({} {}) {named}, which matches no package in the \
             inventory by purl; it applies to nothing",
            statement.pointer,
            document.path.display(),
            statement.vulnerability,
            statement.status,
        ),
    );
    finding.rationale = Some(spec.default_rationale.to_string());
    finding.location = Some(Location {
        file: document.path.clone(),
        line: None,
    });
    Some(finding)
}

/// What depgate decided about one vulnerability in one package: a statement VEX out writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The vulnerability's id: its CVE when it has one, else the advisory's id.
    pub vulnerability: String,
    /// Its other ids, sorted.
    pub aliases: Vec<String>,
    /// The advisory's one-line summary.
    pub title: Option<String>,
    /// A link to the advisory.
    pub url: Option<String>,
    /// Severity label (`critical|high|medium|low|none|unknown`).
    pub severity: String,
    /// CVSS base score, when known.
    pub cvss_score: Option<f64>,
    /// Versions or ranges that fix it.
    pub fixed_in: Vec<String>,
    /// The package (always with a purl).
    pub package: PackageRef,
    /// The status.
    pub status: VexStatus,
    /// Why not affected.
    pub justification: Option<Justification>,
    /// Why not affected, in words.
    pub impact_statement: Option<String>,
    /// What to do, for `affected`.
    pub action_statement: Option<String>,
    /// Where the decision comes from (a waiver, an input VEX statement).
    pub status_notes: Option<String>,
    /// When an input statement was made (RFC 3339); our own decisions take the document's time.
    pub timestamp: Option<String>,
}

/// The decisions VEX out writes, and how many advisory findings could not be stated because
/// their package has no purl.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decisions {
    /// One per vulnerability and package, sorted by vulnerability id then purl.
    pub decisions: Vec<Decision>,
    /// Advisory findings on packages without a purl (nothing to name them by).
    pub without_purl: usize,
}

/// The statement a waiver makes: its `vex-status` (default `not_affected`) and
/// `justification`, with its reason as the statement (the impact statement of `not_affected`,
/// the action statement of `affected`: an accepted risk says what is done about it).
fn waiver_statement(waiver: &WaiverRef) -> (VexStatus, Option<Justification>, String) {
    let status = waiver.vex_status.unwrap_or(VexStatus::NotAffected);
    (
        status,
        waiver
            .justification
            .filter(|_| status == VexStatus::NotAffected),
        format!(
            "{} (waiver `{}`, owner {}, until {})",
            waiver.reason, waiver.id, waiver.owner, waiver.expires
        ),
    )
}

/// What depgate decided about every vulnerability finding of `evaluation`: a live waiver's
/// statement; else the input VEX statement that decided it; else `affected`, with the fixed
/// versions as the action statement.
pub fn decisions(evaluation: &Evaluation) -> Decisions {
    let mut by_key: BTreeMap<(String, String), Decision> = BTreeMap::new();
    let mut without_purl = 0;
    for finding in &evaluation.findings {
        if finding.code != FindingCode::AdvisoryVulnerable {
            continue;
        }
        let (Some(advisory), Some(package)) = (&finding.advisory, &finding.package) else {
            continue;
        };
        let Some(purl) = package.purl.clone() else {
            without_purl += 1;
            continue;
        };
        let mut ids: Vec<String> = std::iter::once(advisory.id.clone())
            .chain(advisory.aliases.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        let vulnerability = ids
            .iter()
            .find(|id| id.starts_with("CVE-"))
            .cloned()
            .unwrap_or_else(|| advisory.id.clone());
        let aliases: Vec<String> = ids.into_iter().filter(|id| *id != vulnerability).collect();
        let mut decision = Decision {
            vulnerability: vulnerability.clone(),
            aliases,
            title: advisory.title.clone(),
            url: advisory.url.clone(),
            severity: advisory.severity.clone(),
            cvss_score: advisory.cvss_score,
            fixed_in: advisory.fixed_in.clone(),
            package: package.clone(),
            status: VexStatus::Affected,
            justification: None,
            impact_statement: None,
            action_statement: None,
            status_notes: None,
            timestamp: None,
        };
        let deciding_vex = finding
            .vex
            .as_ref()
            .filter(|v| v.also_reached_through.is_none());
        if let Some(reason) = &finding.outside_build {
            // The requested build (`--target`, `--features`) does not compile the crate, or
            // not for a platform the advisory affects: a fact of the build, stated first.
            decision.status = VexStatus::NotAffected;
            decision.justification = Some(if reason.starts_with("not compiled") {
                Justification::ComponentNotPresent
            } else {
                Justification::VulnerableCodeNotPresent
            });
            decision.impact_statement = Some(format!("`{}` is {reason}", package.name));
            decision.status_notes = Some("decided by the build-exact resolution".to_string());
        } else if let Some(waiver) = finding.waiver.as_ref().filter(|_| finding.is_waived()) {
            let (status, justification, statement) = waiver_statement(waiver);
            decision.status = status;
            decision.justification = justification;
            match status {
                VexStatus::Affected => decision.action_statement = Some(statement),
                _ => decision.impact_statement = Some(statement),
            }
            decision.status_notes = Some(format!("waived in the policy by `{}`", waiver.id));
        } else if let Some(vex) = deciding_vex {
            decision.status = vex.status;
            decision.justification = vex.justification;
            decision.impact_statement = vex.impact_statement.clone();
            decision.action_statement = vex.action_statement.clone();
            decision.timestamp = vex.timestamp.clone();
            decision.status_notes = Some(format!(
                "stated by {} in `{}` {}",
                vex.author.as_deref().unwrap_or("an unknown author"),
                vex.document_id.as_deref().unwrap_or(&vex.document),
                vex.statement
            ));
        }
        if decision.status == VexStatus::Affected && decision.action_statement.is_none() {
            let mut action = if advisory.fixed_in.is_empty() {
                format!(
                    "No fixed version of `{}` is known; remove or replace it, or mitigate",
                    package.name
                )
            } else {
                format!(
                    "Upgrade `{}` to a fixed version: {}",
                    package.name,
                    advisory.fixed_in.join("; ")
                )
            };
            // Until then, the advisory's functions are the code whose use to review.
            let functions: Vec<String> = advisory
                .affected_functions
                .iter()
                .filter(|function| function.version_in_range)
                .map(|function| format!("`{}`", function.path))
                .collect();
            if !functions.is_empty() {
                action.push_str(&format!(
                    "; until then, review the uses of {}",
                    functions.join(", ")
                ));
            }
            decision.action_statement = Some(action);
        }
        let key = (vulnerability, purl);
        match by_key.get_mut(&key) {
            // Two advisories for the same vulnerability and package (a RustSec and an OSV
            // record): the more cautious decision stands.
            Some(existing) => {
                let mut aliases = existing.aliases.clone();
                aliases.extend(decision.aliases.iter().cloned());
                aliases.sort();
                aliases.dedup();
                if caution(decision.status) < caution(existing.status) {
                    *existing = decision;
                }
                existing.aliases = aliases;
            }
            None => {
                by_key.insert(key, decision);
            }
        }
    }
    Decisions {
        decisions: by_key.into_values().collect(),
        without_purl,
    }
}

/// Lower is more cautious.
fn caution(status: VexStatus) -> u8 {
    match status {
        VexStatus::Affected => 0,
        VexStatus::UnderInvestigation => 1,
        VexStatus::Fixed => 2,
        VexStatus::NotAffected => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::vex::{Component, VexFormat};
    use crate::evaluate::AdvisoryRef;
    use crate::inventory::{Ecosystem, Edge, Package};

    /// `app` -> `web` -> `codec`, and `app` -> `cli` (-> `codec` when `shared`).
    fn inventory(shared: bool) -> Inventory {
        let mut inventory = Inventory::new();
        let mut add = |name: &str, purl: Option<&str>| {
            let location = Location {
                file: "Cargo.lock".into(),
                line: None,
            };
            let mut package = Package::new(Ecosystem::Cargo, name, "1.0.0", location);
            package.purl = purl.map(str::to_string);
            inventory.add_package(package)
        };
        let app = add("app", None);
        let web = add("web", Some("pkg:cargo/web@1.0.0"));
        let cli = add("cli", Some("pkg:cargo/cli@1.0.0"));
        let codec = add("codec", Some("pkg:cargo/codec@1.0.0"));
        inventory.add_root(app);
        inventory.add_edge(Edge::normal(app, web));
        inventory.add_edge(Edge::normal(app, cli));
        inventory.add_edge(Edge::normal(web, codec));
        if shared {
            inventory.add_edge(Edge::normal(cli, codec));
        }
        inventory
    }

    fn finding(inventory: &Inventory, name: &str) -> Finding {
        let package = inventory
            .packages()
            .iter()
            .find(|p| p.name == name)
            .unwrap();
        let mut finding = Finding::new(
            FindingCode::AdvisoryVulnerable,
            "advisories.vulnerability",
            Severity::Error,
            "affected",
        );
        finding.package = Some(PackageRef::from_package(package));
        finding.package_id = Some(package.id);
        finding.advisory = Some(AdvisoryRef {
            id: "RUSTSEC-2099-0001".into(),
            aliases: vec!["CVE-2099-1".into()],
            severity: "high".into(),
            cvss_score: None,
            fixed_in: vec![">= 2.0.0".into()],
            title: None,
            url: None,
            affected_functions: Vec::new(),
        });
        finding
    }

    fn component(purl: &str) -> Component {
        Component {
            label: purl.to_string(),
            purl: Some(purl.to_string()),
        }
    }

    fn statement(
        product: &str,
        subcomponents: &[&str],
        status: VexStatus,
        at: i64,
    ) -> VexStatement {
        VexStatement {
            vulnerability: "CVE-2099-1".into(),
            aliases: Vec::new(),
            products: vec![Product {
                component: component(product),
                subcomponents: subcomponents.iter().map(|s| component(s)).collect(),
            }],
            status,
            justification: Some(Justification::VulnerableCodeNotInExecutePath),
            impact_statement: None,
            action_statement: None,
            status_notes: None,
            timestamp: time::OffsetDateTime::from_unix_timestamp(at).ok(),
            pointer: format!("$.statements[{at}]"),
        }
    }

    fn document(statements: Vec<VexStatement>) -> VexDocument {
        VexDocument {
            path: "vendor.json".into(),
            format: VexFormat::OpenVex("0.2.0"),
            id: None,
            author: Some("Vendor".into()),
            timestamp: None,
            statements,
        }
    }

    #[test]
    fn a_subcomponent_statement_decides_only_when_every_path_passes_the_product() {
        let only_web = inventory(false);
        let documents = [document(vec![statement(
            "pkg:cargo/web",
            &["pkg:cargo/codec@1.0.0"],
            VexStatus::NotAffected,
            1,
        )])];
        let mut findings = [finding(&only_web, "codec")];
        assert!(apply(&only_web, &mut findings, &documents).is_empty());
        assert_eq!(findings[0].severity, Severity::Note);
        assert_eq!(findings[0].vex.as_ref().unwrap().product, "pkg:cargo/web");

        let shared = inventory(true);
        let mut findings = [finding(&shared, "codec")];
        assert!(apply(&shared, &mut findings, &documents).is_empty());
        assert_eq!(findings[0].severity, Severity::Error);
        let vex = findings[0].vex.as_ref().unwrap();
        assert_eq!(
            vex.also_reached_through.as_deref(),
            Some("`app 1.0.0 > cli 1.0.0 > codec 1.0.0`")
        );
        assert!(vex.summary().contains("not applied"), "{}", vex.summary());
    }

    #[test]
    fn the_latest_statement_wins_and_unmatched_ones_are_reported() {
        let inventory = inventory(false);
        let documents = [
            document(vec![statement(
                "pkg:cargo/codec",
                &[],
                VexStatus::NotAffected,
                5,
            )]),
            document(vec![
                statement("pkg:cargo/codec@1.0.0", &[], VexStatus::Affected, 9),
                statement("pkg:cargo/codec@0.9.0", &[], VexStatus::NotAffected, 20),
                statement("pkg:cargo/elsewhere", &[], VexStatus::Fixed, 1),
            ]),
        ];
        let mut findings = [finding(&inventory, "codec"), finding(&inventory, "web")];
        let unmatched = apply(&inventory, &mut findings, &documents);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].vex.as_ref().unwrap().status,
            VexStatus::Affected
        );
        assert!(findings[1].vex.is_none(), "no statement names `web`");
        assert_eq!(unmatched.len(), 2, "{unmatched:?}");
        assert!(unmatched[0].message.contains("`pkg:cargo/codec@0.9.0`"));
        assert_eq!(unmatched[0].code, FindingCode::VexUnmatched);
        assert_eq!(unmatched[0].severity, Severity::Warning);
    }

    #[test]
    fn decisions_follow_waivers_then_statements_then_affected() {
        let inventory = inventory(false);
        let mut waived = finding(&inventory, "codec");
        waived.waiver = Some(WaiverRef {
            id: "SEC-1".into(),
            reason: "never parses input".into(),
            owner: "sec".into(),
            expires: "2099-01-01".into(),
            expired: false,
            vex_status: None,
            justification: None,
        });
        let mut open = finding(&inventory, "web");
        open.advisory.as_mut().unwrap().aliases.clear();
        let evaluation = Evaluation {
            findings: vec![waived, open],
            ..Evaluation::default()
        };
        let Decisions { decisions, .. } = decisions(&evaluation);
        assert_eq!(decisions.len(), 2);
        assert_eq!(decisions[0].vulnerability, "CVE-2099-1");
        assert_eq!(decisions[0].aliases, ["RUSTSEC-2099-0001"]);
        assert_eq!(decisions[0].status, VexStatus::NotAffected);
        assert!(
            decisions[0]
                .impact_statement
                .as_deref()
                .unwrap()
                .starts_with("never parses input")
        );
        assert_eq!(decisions[1].vulnerability, "RUSTSEC-2099-0001");
        assert_eq!(decisions[1].status, VexStatus::Affected);
        assert_eq!(
            decisions[1].action_statement.as_deref(),
            Some("Upgrade `web` to a fixed version: >= 2.0.0")
        );
    }
}
