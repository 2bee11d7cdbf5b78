//! License rules: SPDX expressions evaluated against allow/deny lists and categories, with
//! per-package exceptions, clarifications, lenient normalisation and a detection threshold.
//!
//! In: `&Inventory` (declared or detected licenses, license-file hashes) and a
//! `&LicensePolicy`. Out: findings and the `licenses` coverage entry. Pure: no I/O.
//!
//! Precedence for one license term (`MIT`, `Apache-2.0 WITH LLVM-exception`): an explicit
//! `deny` entry, then an explicit `allow` entry (global or the package's exception), then a
//! denied category, then an allowed category (only for terms without `WITH`: an exception
//! changes the terms, so it must be allowed explicitly), else not allowed. `OR` passes when
//! any branch passes, `AND` when all do.

use spdx::{Expression, LicenseItem, LicenseReq, Licensee};

use super::{Coverage, CoverageEntry, Finding, FindingCode};
use crate::inventory::{Inventory, LicenseInfo, LicenseOrigin, Package, PackageKind};
use crate::policy::{Clarification, LicensePolicy, PackageSelector, RuleMeta};
use crate::vocabulary::spdx::{category_of_item, normalize};

/// How one license term fares under the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Allowed,
    Denied,
    NotAllowed,
}

/// The allow/deny lists compiled to licensees once per evaluation.
struct Compiled<'p> {
    policy: &'p LicensePolicy,
    allow: Vec<Licensee>,
    deny: Vec<Licensee>,
    exceptions: Vec<(PackageSelector, Vec<Licensee>)>,
}

fn licensees(entries: &[crate::policy::LicenseEntry]) -> Vec<Licensee> {
    // Validation already checked each entry parses; an entry that somehow does not is skipped
    // (it then allows or denies nothing, which fails closed for allow lists).
    entries
        .iter()
        .filter_map(|e| Licensee::parse(&e.license).ok())
        .collect()
}

impl<'p> Compiled<'p> {
    fn new(policy: &'p LicensePolicy) -> Self {
        Self {
            policy,
            allow: licensees(&policy.allow),
            deny: licensees(&policy.deny),
            exceptions: policy
                .exceptions
                .iter()
                .map(|e| (e.package.clone(), licensees(&e.allow)))
                .collect(),
        }
    }

    fn verdict(&self, req: &LicenseReq, extra: &[&Licensee]) -> Verdict {
        let denied_explicitly = self.deny.iter().any(|d| same_license(d, req));
        if denied_explicitly {
            return Verdict::Denied;
        }
        let later = or_later_form(req);
        if self
            .allow
            .iter()
            .chain(extra.iter().copied())
            .any(|a| a.satisfies(req) || later.as_ref().is_some_and(|l| a.satisfies(l)))
        {
            return Verdict::Allowed;
        }
        let category = category_of_item(&req.license);
        if self
            .policy
            .deny_categories
            .iter()
            .any(|c| c.category == category)
        {
            return Verdict::Denied;
        }
        if req.addition.is_none()
            && self
                .policy
                .allow_categories
                .iter()
                .any(|c| c.category == category)
        {
            return Verdict::Allowed;
        }
        Verdict::NotAllowed
    }
}

/// GNU ids spell "or later" in the id (`GPL-2.0-or-later`) instead of with `+`, so the spdx
/// crate does not see that `GPL-3.0-only` satisfies it. This gives the `GPL-2.0-only+` form.
fn or_later_form(req: &LicenseReq) -> Option<LicenseReq> {
    let LicenseItem::Spdx { id, .. } = &req.license else {
        return None;
    };
    let base = id.name.strip_suffix("-or-later")?;
    let only = spdx::license_id(&format!("{base}-only"))?;
    Some(LicenseReq {
        license: LicenseItem::Spdx {
            id: only,
            or_later: true,
        },
        addition: req.addition.clone(),
    })
}

/// True when a deny entry names the same license as the term (any `+`/or-later form of it).
fn same_license(licensee: &Licensee, req: &LicenseReq) -> bool {
    let entry = licensee.clone().into_req();
    let same_item = match (&entry.license, &req.license) {
        (LicenseItem::Spdx { id: a, .. }, LicenseItem::Spdx { id: b, .. }) => a.name == b.name,
        (LicenseItem::Other(a), LicenseItem::Other(b)) => a == b,
        _ => false,
    };
    same_item && (entry.addition.is_none() || entry.addition == req.addition)
}

/// Applies a clarification: `Ok(Some(expression))` when it applies, `Ok(None)` when none
/// matches, `Err(message)` when it is stale (a pinned file is missing or changed).
fn clarify<'c>(
    inventory: &Inventory,
    clarifications: &'c [Clarification],
    package: &Package,
    used: &mut [bool],
) -> Option<(usize, Result<&'c str, String>)> {
    let (index, clarification) = clarifications
        .iter()
        .enumerate()
        .find(|(_, c)| c.package.matches(package))?;
    used[index] = true;
    for pinned in &clarification.files {
        let Some(dir) = &package.local_dir else {
            return Some((
                index,
                Err(format!(
                    "the clarification at {} pins `{}`, but the package's sources are not on this machine",
                    clarification.origin,
                    pinned.path.display()
                )),
            ));
        };
        let path = dir.join(&pinned.path);
        match inventory.file_hashes.get(&path) {
            None => {
                return Some((
                    index,
                    Err(format!(
                        "the clarification at {} pins `{}`, which was not found",
                        clarification.origin,
                        path.display()
                    )),
                ));
            }
            Some(actual) if actual != &pinned.sha256 => {
                return Some((
                    index,
                    Err(format!(
                        "the clarification at {} pins `{}` with sha256 {}, but the file now has sha256 {actual}; check the license and update the clarification",
                        clarification.origin,
                        path.display(),
                        pinned.sha256
                    )),
                ));
            }
            Some(_) => {}
        }
    }
    Some((index, Ok(clarification.expression.as_str())))
}

/// The license the policy judges a package by: the expression of a clarification that applies
/// (origin [`LicenseOrigin::Clarified`]) when its pinned files still match, else the package's
/// own license. Used by the license report to show provenance exactly as `check` sees it.
pub fn concluded_license(
    inventory: &Inventory,
    policy: &LicensePolicy,
    package: &Package,
) -> Option<LicenseInfo> {
    let mut used = vec![false; policy.clarifications.len()];
    match clarify(inventory, &policy.clarifications, package, &mut used) {
        Some((_, Ok(expression))) => Some(LicenseInfo {
            expression: expression.to_string(),
            origin: LicenseOrigin::Clarified,
            confidence: 1.0,
            file: None,
        }),
        _ => package.license.clone(),
    }
}

/// Evaluates the license rules for every third-party package.
pub(super) fn evaluate(
    inventory: &Inventory,
    policy: &LicensePolicy,
    findings: &mut Vec<Finding>,
    coverage: &mut Coverage,
) {
    let compiled = Compiled::new(policy);
    let mut entry = CoverageEntry::default();
    let mut exception_used = vec![false; policy.exceptions.len()];
    let mut clarification_used = vec![false; policy.clarifications.len()];
    for package in inventory.packages() {
        if package.kind != PackageKind::ThirdParty {
            continue;
        }
        // 1. A clarification replaces the metadata, unless its pinned files changed.
        let mut written: Option<(String, LicenseOrigin, f32)> = package
            .license
            .as_ref()
            .map(|l| (l.expression.clone(), l.origin, l.confidence));
        if let Some((_, result)) = clarify(
            inventory,
            &policy.clarifications,
            package,
            &mut clarification_used,
        ) {
            match result {
                Ok(expression) => {
                    written = Some((expression.to_string(), LicenseOrigin::Clarified, 1.0));
                }
                Err(message) => findings.extend(Finding::for_package(
                    &policy.clarification_stale,
                    FindingCode::ClarificationStale,
                    package,
                    format!("{}: {message}", package.name_version()),
                )),
            }
        }
        // 2. Nothing known fails closed.
        let Some((text, origin, confidence)) = written.filter(|(t, _, _)| !t.trim().is_empty())
        else {
            entry
                .not_evaluated
                .push(format!("{}: no license metadata", package.name_version()));
            findings.extend(Finding::for_package(
                &policy.unknown,
                FindingCode::LicenseUnknown,
                package,
                format!(
                    "{} declares no license and none was detected",
                    package.name_version()
                ),
            ));
            continue;
        };
        // 3. A detected license counts only above the policy's confidence.
        if origin == LicenseOrigin::Detected && f64::from(confidence) < policy.min_confidence {
            entry.not_evaluated.push(format!(
                "{}: license detected with confidence {confidence:.2}",
                package.name_version()
            ));
            let mut f = Finding::for_package(
                &policy.low_confidence,
                FindingCode::LicenseLowConfidence,
                package,
                format!(
                    "{}: license text looks like `{text}` with confidence {confidence:.2}, below the policy minimum {:.2}",
                    package.name_version(),
                    policy.min_confidence
                ),
            );
            if let Some(f) = &mut f {
                f.license = Some(text.clone());
            }
            findings.extend(f);
            continue;
        }
        // 4. Parse leniently; an unparsable license fails closed.
        let normalized = match normalize(&text) {
            Ok(n) => n,
            Err(reason) => {
                entry.not_evaluated.push(format!(
                    "{}: unrecognised license `{text}`",
                    package.name_version()
                ));
                let mut f = Finding::for_package(
                    &policy.unknown,
                    FindingCode::LicenseUnknown,
                    package,
                    format!(
                        "{}: license `{text}` is not a valid SPDX expression ({reason})",
                        package.name_version()
                    ),
                );
                if let Some(f) = &mut f {
                    f.license = Some(text.clone());
                }
                findings.extend(f);
                continue;
            }
        };
        entry.evaluated += 1;
        // 5. Evaluate the expression with the package's exceptions.
        let mut extra: Vec<&Licensee> = Vec::new();
        for (index, (selector, allowed)) in compiled.exceptions.iter().enumerate() {
            if selector.matches(package) {
                exception_used[index] = true;
                extra.extend(allowed.iter());
            }
        }
        let verdict = |req: &LicenseReq| compiled.verdict(req, &extra);
        if normalized
            .expression
            .evaluate(|req| verdict(req) == Verdict::Allowed)
        {
            continue;
        }
        let denied = !normalized
            .expression
            .evaluate(|req| verdict(req) != Verdict::Denied);
        let mut terms = Vec::new();
        for node in normalized.expression.requirements() {
            let term_verdict = verdict(&node.req);
            if term_verdict == Verdict::Allowed {
                continue;
            }
            let category = category_of_item(&node.req.license);
            let label = match term_verdict {
                Verdict::Denied => "denied",
                _ => "not allowed",
            };
            let text = format!("`{}` ({}, {label})", node.req, category.as_str());
            if !terms.contains(&text) {
                terms.push(text);
            }
        }
        let source = match origin {
            LicenseOrigin::Clarified => " (clarified by policy)",
            LicenseOrigin::Detected => " (detected from license text)",
            _ => "",
        };
        let (rule, code, verb) = if denied {
            (&policy.denied, FindingCode::LicenseDenied, "is denied")
        } else {
            (
                &policy.not_allowed,
                FindingCode::LicenseNotAllowed,
                "is not allowed",
            )
        };
        let mut f = Finding::for_package(
            rule,
            code,
            package,
            if normalized.expression.requirements().count() == 1 {
                let category = normalized
                    .expression
                    .requirements()
                    .next()
                    .map(|r| category_of_item(&r.req.license).as_str())
                    .unwrap_or_default();
                format!(
                    "{}: license {}{source} ({category}) {verb}",
                    package.name_version(),
                    normalized.describe(),
                )
            } else {
                format!(
                    "{}: license {}{source} {verb}: {}",
                    package.name_version(),
                    normalized.describe(),
                    terms.join(", ")
                )
            },
        );
        if let Some(f) = &mut f {
            f.license = Some(normalized.normalized.clone());
        }
        findings.extend(f);
    }
    // Exceptions and clarifications that matched nothing hide future mistakes.
    for (exception, used) in policy.exceptions.iter().zip(&exception_used) {
        if !used {
            findings.extend(unused(
                &policy.unused_exception,
                format!(
                    "license exception for `{}` at {} matched no package",
                    &exception.package, exception.origin
                ),
                &exception.origin,
            ));
        }
    }
    for (clarification, used) in policy.clarifications.iter().zip(&clarification_used) {
        if !used {
            findings.extend(unused(
                &policy.unused_exception,
                format!(
                    "license clarification for `{}` at {} matched no package",
                    &clarification.package, clarification.origin
                ),
                &clarification.origin,
            ));
        }
    }
    coverage.rules.insert("licenses".to_string(), entry);
}

fn unused(rule: &RuleMeta, message: String, origin: &crate::policy::Origin) -> Option<Finding> {
    let severity = rule.level.severity()?;
    let mut finding = Finding::new(
        FindingCode::UnusedException,
        rule.id.clone(),
        severity,
        message,
    );
    finding.owner = Some(rule.owner.clone());
    finding.rationale = Some(rule.rationale.clone());
    finding.location = Some(crate::inventory::Location {
        file: origin.file.clone(),
        line: Some(origin.line),
    });
    Some(finding)
}

/// Which allow-list entries and categories no package needed (for `policy lint`).
pub fn unused_allow_entries(inventory: &Inventory, policy: &LicensePolicy) -> Vec<String> {
    let mut unused = Vec::new();
    let expressions: Vec<Expression> = inventory
        .third_party()
        .filter_map(|p| p.license_expression())
        .filter_map(|text| normalize(text).ok())
        .map(|n| n.expression)
        .collect();
    for entry in &policy.allow {
        let Ok(licensee) = Licensee::parse(&entry.license) else {
            continue;
        };
        let used = expressions
            .iter()
            .any(|e| e.requirements().any(|r| licensee.satisfies(&r.req)));
        if !used {
            unused.push(format!(
                "allowed license `{}` at {} matched no package",
                entry.license, entry.origin
            ));
        }
    }
    for entry in &policy.allow_categories {
        let used = expressions.iter().any(|e| {
            e.requirements().any(|r| {
                r.req.addition.is_none() && category_of_item(&r.req.license) == entry.category
            })
        });
        if !used {
            unused.push(format!(
                "allowed category `{}` at {} matched no package",
                entry.category.as_str(),
                entry.origin
            ));
        }
    }
    unused
}
