//! Waivers: one mechanism for every rule kind, advisory findings included. A waiver hides a
//! finding until it expires; then the finding is back and `expired-waiver` says why. Waivers
//! that match nothing, or expire soon, are reported too.
//!
//! In: findings from every rule family, the `&WaiverPolicy` and today's date. Out: the same
//! findings with waivers applied (a waived finding becomes a `note`), plus waiver findings.

use super::{Finding, FindingCode, Severity, WaiverRef};
use crate::inventory::Location;
use crate::policy::{RuleMeta, Waiver, WaiverPackage, WaiverPolicy};

/// True when the waiver's matchers all accept the finding.
pub fn waiver_matches(waiver: &Waiver, finding: &Finding) -> bool {
    if let Some(rule) = &waiver.rule
        && &finding.rule != rule
    {
        return false;
    }
    if let Some(code) = waiver.code
        && finding.code != code
    {
        return false;
    }
    if let Some(advisory) = &waiver.advisory {
        let Some(found) = &finding.advisory else {
            return false;
        };
        let same = found.id.eq_ignore_ascii_case(advisory)
            || found
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(advisory));
        if !same {
            return false;
        }
    }
    if let Some(package) = &waiver.package {
        let Some(found) = &finding.package else {
            return false;
        };
        let same = match package {
            WaiverPackage::Name(name) => {
                &found.name == name
                    && waiver.version.as_ref().is_none_or(|req| {
                        semver::Version::parse(&found.version).is_ok_and(|v| req.matches(&v))
                    })
            }
            WaiverPackage::Purl(purl) => purl_matches(purl, found.purl.as_deref()),
        };
        if !same {
            return false;
        }
    }
    true
}

/// A waiver purl matches a finding's purl on type, namespace and name, and on version when
/// the waiver gives one. Qualifiers are ignored.
fn purl_matches(waiver: &str, found: Option<&str>) -> bool {
    found.is_some_and(|found| {
        crate::inventory::purl::matches(waiver, found, crate::inventory::purl::Qualifiers::Ignore)
    })
}

fn reference(waiver: &Waiver, today: time::Date) -> WaiverRef {
    WaiverRef {
        id: waiver.id.clone(),
        reason: waiver.reason.clone(),
        owner: waiver.owner.clone(),
        expires: waiver.expires.clone(),
        expired: waiver.expires_date < today,
        vex_status: waiver.vex_status,
        justification: waiver.justification,
    }
}

fn waiver_finding(
    rule: &RuleMeta,
    code: FindingCode,
    waiver: &Waiver,
    today: time::Date,
    message: String,
) -> Option<Finding> {
    let severity = rule.level.severity()?;
    let mut finding = Finding::new(code, rule.id.clone(), severity, message);
    finding.owner = Some(waiver.owner.clone());
    finding.rationale = Some(rule.rationale.clone());
    finding.waiver = Some(reference(waiver, today));
    finding.location = Some(Location {
        file: waiver.origin.file.clone(),
        line: Some(waiver.origin.line),
    });
    Some(finding)
}

/// Applies waivers to `findings` as of `today` and appends the waiver findings.
pub fn apply(findings: &mut Vec<Finding>, policy: &WaiverPolicy, today: time::Date) {
    let mut matched = vec![false; policy.waivers.len()];
    for finding in findings.iter_mut() {
        let Some((index, waiver)) = policy
            .waivers
            .iter()
            .enumerate()
            .find(|(_, w)| waiver_matches(w, finding))
        else {
            continue;
        };
        matched[index] = true;
        finding.waiver = Some(reference(waiver, today));
        if waiver.expires_date >= today {
            finding.severity = Severity::Note;
        }
    }
    let mut extra = Vec::new();
    for (waiver, matched) in policy.waivers.iter().zip(matched) {
        let days_left = (waiver.expires_date - today).whole_days();
        if days_left < 0 {
            if matched {
                extra.extend(waiver_finding(
                    &policy.expired,
                    FindingCode::ExpiredWaiver,
                    waiver,
                    today,
                    format!(
                        "waiver `{}` expired on {} (owner {}); the findings it hid are back",
                        waiver.id, waiver.expires, waiver.owner
                    ),
                ));
            } else {
                extra.extend(waiver_finding(
                    &policy.unused,
                    FindingCode::UnusedWaiver,
                    waiver,
                    today,
                    format!(
                        "waiver `{}` expired on {} and matches nothing; remove it",
                        waiver.id, waiver.expires
                    ),
                ));
            }
            continue;
        }
        if !matched {
            extra.extend(waiver_finding(
                &policy.unused,
                FindingCode::UnusedWaiver,
                waiver,
                today,
                format!("waiver `{}` matches no finding; remove it", waiver.id),
            ));
        } else if days_left <= i64::from(policy.expiring_days) {
            extra.extend(waiver_finding(
                &policy.expiring,
                FindingCode::WaiverExpiring,
                waiver,
                today,
                format!(
                    "waiver `{}` expires on {} ({} day{} left; owner {})",
                    waiver.id,
                    waiver.expires,
                    days_left,
                    if days_left == 1 { "" } else { "s" },
                    waiver.owner
                ),
            ));
        }
    }
    findings.extend(extra);
}
