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

use spdx::{Expression, LicenseId, LicenseItem, LicenseReq, Licensee};

use super::{Coverage, CoverageEntry, Finding, FindingCode};
use crate::inventory::{Inventory, LicenseInfo, LicenseOrigin, Package, PackageKind};
use crate::policy::{Clarification, LicenseCategory, LicensePolicy, PackageSelector, RuleMeta};

/// Network copyleft: the license's obligations also trigger when users interact with the
/// software over a network, or it restricts offering it as a service.
const NETWORK_COPYLEFT: &[&str] = &[
    "AGPL-1.0",
    "AGPL-1.0-only",
    "AGPL-1.0-or-later",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "SSPL-1.0",
    "OSL-1.0",
    "OSL-1.1",
    "OSL-2.0",
    "OSL-2.1",
    "OSL-3.0",
    "RPL-1.1",
    "RPL-1.5",
    "CPAL-1.0",
];

/// Weak copyleft: obligations reach only the licensed files or library, not the whole work.
const WEAK_COPYLEFT: &[&str] = &[
    "LGPL-2.0",
    "LGPL-2.0+",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1+",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0+",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LGPLLR",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "EPL-1.0",
    "EPL-2.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CPL-1.0",
    "IPL-1.0",
    "MS-RL",
    "APSL-2.0",
    "CECILL-C",
    "ErlPL-1.1",
    "SPL-1.0",
    "NPL-1.0",
    "NPL-1.1",
    "EUPL-1.1",
    "EUPL-1.2",
    "Artistic-1.0",
    "Artistic-2.0",
    "CATOSL-1.1",
    "LiLiQ-R-1.1",
    "OpenSSL",
];

/// Strong copyleft besides what SPDX flags as copyleft: whole-work share-alike licenses.
const STRONG_COPYLEFT: &[&str] = &[
    "GPL-1.0",
    "GPL-1.0+",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0+",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0+",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "EUPL-1.0",
    "CECILL-2.0",
    "CECILL-2.1",
    "Sleepycat",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "QPL-1.0",
    "ODbL-1.0",
];

/// Permissive licenses that are neither OSI-approved nor FSF-listed in the SPDX data, but
/// whose terms only ask for attribution (data and notice-style licenses).
const PERMISSIVE_EXTRA: &[&str] = &[
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "BlueOak-1.0.0",
    "curl",
    "MIT-CMU",
    "bzip2-1.0.6",
    "libpng-2.0",
    "X11-distribute-modifications-variant",
];

/// Public-domain dedications and equivalents.
const PUBLIC_DOMAIN: &[&str] = &[
    "CC0-1.0",
    "Unlicense",
    "0BSD",
    "PDDL-1.0",
    "CC-PDDC",
    "blessing",
    "SAX-PD",
    "WTFPL",
    "MIT-0",
];

/// The category of an SPDX license, from the license list's facts:
///
/// | category | rule |
/// |---|---|
/// | network-copyleft | listed in `NETWORK_COPYLEFT` (AGPL, SSPL, OSL, RPL, CPAL) |
/// | weak-copyleft | listed in `WEAK_COPYLEFT` (LGPL, MPL, EPL, CDDL, EUPL-1.1+, Artistic…) |
/// | public-domain | listed in `PUBLIC_DOMAIN` (CC0-1.0, Unlicense, 0BSD, WTFPL, MIT-0…) |
/// | strong-copyleft | listed in `STRONG_COPYLEFT`, or SPDX `is_copyleft()` and not above |
/// | permissive | OSI-approved or FSF free/libre, and not copyleft; or in `PERMISSIVE_EXTRA` |
/// | proprietary | none of the above (not OSI nor FSF: BUSL-1.1, CC-BY-NC-*…) |
pub fn category_of(id: LicenseId) -> LicenseCategory {
    let name = id.name;
    if NETWORK_COPYLEFT.contains(&name) {
        LicenseCategory::NetworkCopyleft
    } else if WEAK_COPYLEFT.contains(&name) {
        LicenseCategory::WeakCopyleft
    } else if PUBLIC_DOMAIN.contains(&name) {
        LicenseCategory::PublicDomain
    } else if STRONG_COPYLEFT.contains(&name) || id.is_copyleft() {
        LicenseCategory::StrongCopyleft
    } else if id.is_osi_approved() || id.is_fsf_free_libre() || PERMISSIVE_EXTRA.contains(&name) {
        LicenseCategory::Permissive
    } else {
        LicenseCategory::Proprietary
    }
}

/// The category of one license term (a `LicenseRef-…` is proprietary/unknown).
pub fn category_of_item(item: &LicenseItem) -> LicenseCategory {
    match item {
        LicenseItem::Spdx { id, .. } => category_of(*id),
        LicenseItem::Other(_) => LicenseCategory::Proprietary,
    }
}

/// A case-insensitive lookup of an SPDX license or exception id: `mit` -> `MIT`.
pub fn suggest_id(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
        .find(|name| name.to_ascii_lowercase() == lower && *name != text.trim())
        .map(str::to_string)
}

/// A license expression read leniently: what was written and how it was read.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// As written by the metadata.
    pub original: String,
    /// The canonical SPDX form it was read as.
    pub normalized: String,
    /// The parsed expression.
    pub expression: Expression,
}

impl Normalized {
    /// `` `MIT` `` or `` `MIT/Apache-2.0` (read as `MIT OR Apache-2.0`) ``.
    pub fn describe(&self) -> String {
        if self.original.trim() == self.normalized {
            format!("`{}`", self.normalized)
        } else {
            format!("`{}` (read as `{}`)", self.original, self.normalized)
        }
    }
}

/// Reads messy license metadata: strict SPDX first; else a case-insensitive id pass, then the
/// spdx crate's lax mode (`/` as `OR`, imprecise names such as `Apache 2.0`, deprecated ids
/// such as `GPL-2.0`), canonicalised. An unknown id stays an error: we never guess.
pub fn normalize(text: &str) -> Result<Normalized, String> {
    let original = text.trim();
    if original.is_empty() {
        return Err("the license is empty".to_string());
    }
    if let Ok(expression) = Expression::parse(original) {
        return Ok(Normalized {
            original: original.to_string(),
            normalized: original.to_string(),
            expression,
        });
    }
    let prepassed = case_prepass(original);
    let canonical = match Expression::canonicalize(&prepassed) {
        Ok(Some(canonical)) => canonical,
        Ok(None) => prepassed.clone(),
        Err(error) => return Err(error.reason.to_string()),
    };
    match Expression::parse(&canonical) {
        Ok(expression) => Ok(Normalized {
            original: original.to_string(),
            normalized: canonical,
            expression,
        }),
        Err(error) => Err(error.reason.to_string()),
    }
}

/// Fixes the case of known ids and operators: `mit or apache-2.0` -> `MIT OR Apache-2.0`.
fn case_prepass(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let upper = word.to_ascii_uppercase();
        let fixed = if matches!(upper.as_str(), "AND" | "OR" | "WITH") {
            upper
        } else if spdx::license_id(word).is_some() || spdx::exception_id(word).is_some() {
            word.clone()
        } else {
            let (base, plus) = match word.strip_suffix('+') {
                Some(base) => (base, "+"),
                None => (word.as_str(), ""),
            };
            suggest_id(base)
                .map(|s| format!("{s}{plus}"))
                .unwrap_or_else(|| word.clone())
        };
        out.push_str(&fixed);
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '(' || c == ')' || c == '/' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

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

/// True when a selector matches a package (name equal; version in range when one is given;
/// a version that is not semver never matches a range).
pub fn selector_matches(selector: &PackageSelector, package: &Package) -> bool {
    if selector.name != package.name {
        return false;
    }
    match &selector.version {
        None => true,
        Some(req) => semver::Version::parse(&package.version)
            .map(|v| req.matches(&v))
            .unwrap_or(false),
    }
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
        .find(|(_, c)| selector_matches(&c.package, package))?;
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
            if selector_matches(selector, package) {
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
                    selector_text(&exception.package),
                    exception.origin
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
                    selector_text(&clarification.package),
                    clarification.origin
                ),
                &clarification.origin,
            ));
        }
    }
    coverage.rules.insert("licenses".to_string(), entry);
}

/// `name` or `name@range`.
pub fn selector_text(selector: &PackageSelector) -> String {
    match &selector.version {
        Some(req) => format!("{}@{req}", selector.name),
        None => selector.name.clone(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn category(name: &str) -> LicenseCategory {
        category_of(spdx::license_id(name).unwrap())
    }

    #[test]
    fn categories_follow_the_table() {
        assert_eq!(category("MIT"), LicenseCategory::Permissive);
        assert_eq!(category("Apache-2.0"), LicenseCategory::Permissive);
        assert_eq!(category("BSD-3-Clause"), LicenseCategory::Permissive);
        assert_eq!(category("MPL-2.0"), LicenseCategory::WeakCopyleft);
        assert_eq!(category("LGPL-2.1-or-later"), LicenseCategory::WeakCopyleft);
        assert_eq!(category("GPL-3.0-only"), LicenseCategory::StrongCopyleft);
        assert_eq!(
            category("AGPL-3.0-or-later"),
            LicenseCategory::NetworkCopyleft
        );
        assert_eq!(category("CC0-1.0"), LicenseCategory::PublicDomain);
        assert_eq!(category("Unlicense"), LicenseCategory::PublicDomain);
        assert_eq!(category("BUSL-1.1"), LicenseCategory::Proprietary);
        assert_eq!(category("Unicode-3.0"), LicenseCategory::Permissive);
    }

    #[test]
    fn messy_metadata_is_normalised_and_shown() {
        let n = normalize("MIT/Apache-2.0").unwrap();
        assert_eq!(n.normalized, "MIT OR Apache-2.0");
        assert_eq!(
            n.describe(),
            "`MIT/Apache-2.0` (read as `MIT OR Apache-2.0`)"
        );
        assert_eq!(normalize("Apache 2.0").unwrap().normalized, "Apache-2.0");
        assert_eq!(normalize("GPL-2.0").unwrap().normalized, "GPL-2.0-only");
        assert_eq!(
            normalize("mit or apache-2.0").unwrap().normalized,
            "MIT OR Apache-2.0"
        );
        assert_eq!(normalize("MIT").unwrap().describe(), "`MIT`");
        assert!(normalize("Totally-Made-Up-1.0").is_err());
        assert!(normalize("  ").is_err());
    }

    #[test]
    fn suggestions_fix_case_only() {
        assert_eq!(suggest_id("mit").as_deref(), Some("MIT"));
        assert_eq!(suggest_id("apache-2.0").as_deref(), Some("Apache-2.0"));
        assert_eq!(suggest_id("MIT"), None);
    }
}
