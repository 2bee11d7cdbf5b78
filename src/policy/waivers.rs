//! `[waivers]`: the waivers (`[[waivers.waive]]`, each with a reason, an owner and an expiry
//! date), how many days ahead an expiring waiver is reported, and the levels of the
//! `waivers.*` rules.
//!
//! In: the `[waivers]` table of each file. Out: a [`WaiverPolicy`]; once the whole policy is
//! known, the problems of waivers naming rules it does not have.

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

use super::context::{FileContext, Setting, Text, value};
use super::model::{ValidPolicy, Waiver, WaiverPackage, WaiverPolicy};
use super::section::{
    EntryReader, Fallback, Merger, SectionHead, SectionPartial, Table, UniqueIds,
};
use super::validate::Problem;
use crate::vocabulary::vex::{Justification, VexStatus};
use crate::vocabulary::{FindingCode, Section};

/// How many days ahead an expiring waiver is reported when the policy does not say.
const DEFAULT_EXPIRING_DAYS: u32 = 14;

/// `[waivers]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawWaivers {
    expiring_days: Option<Spanned<i64>>,
}

/// `[[waivers.waive]]`: one waiver.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawWaiver {
    id: Option<Text>,
    rule: Option<Text>,
    code: Option<Text>,
    package: Option<Text>,
    version: Option<Text>,
    advisory: Option<Text>,
    reason: Option<Text>,
    owner: Option<Text>,
    expires: Option<Spanned<toml::Value>>,
    vex_status: Option<Text>,
    justification: Option<Text>,
}

/// What a file sets in `[waivers]`.
#[derive(Debug, Default)]
pub(super) struct WaiversPartial {
    head: SectionHead,
    expiring_days: Setting<i64>,
    waivers: Vec<Waiver>,
}

impl SectionPartial for WaiversPartial {
    const TABLE: Table = Table::Rules(Section::Waivers);
    const ENTRIES: &'static [(&'static str, EntryReader<Self>)] =
        &[("waive", WaiversPartial::waiver)];
    type Raw = RawWaivers;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawWaivers) {
        self.expiring_days = context.in_range(
            &raw.expiring_days,
            0..=3650,
            "`expiring-days` must be between 0 and 3650",
        );
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        merger.setting(
            "waivers.expiring-days",
            &mut self.expiring_days,
            later.expiring_days,
        );
        self.waivers.extend(later.waivers);
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format).ok()
}

impl WaiversPartial {
    fn waiver(&mut self, context: &mut FileContext<'_>, entry: Spanned<DeValue<'_>>, what: &str) {
        let Some((raw, origin)) = context.entry::<RawWaiver>(entry, what) else {
            return;
        };
        let mut ok = true;
        let required = |context: &mut FileContext<'_>, value: &Option<Text>, key: &str| match value
        {
            Some(text) => context.non_empty(text, &format!("`{key}`")),
            None => {
                context.problem_at(&origin, format!("a waiver needs `{key}`"));
                None
            }
        };
        let reason = required(context, &raw.reason, "reason");
        let owner = required(context, &raw.owner, "owner");
        let expires = match &raw.expires {
            None => {
                context.problem_at(&origin, "a waiver needs `expires` (a date, `YYYY-MM-DD`)");
                None
            }
            Some(value) => {
                let text = match value.get_ref() {
                    toml::Value::String(text) => Some(text.clone()),
                    toml::Value::Datetime(date) if date.date.is_some() && date.time.is_none() => {
                        Some(date.to_string())
                    }
                    _ => None,
                };
                let date = text.as_deref().and_then(parse_date);
                if date.is_none() {
                    context.problem(value.span(), "`expires` must be a date, `YYYY-MM-DD`");
                }
                date
            }
        };
        let code = match &raw.code {
            None => None,
            Some(text) => match FindingCode::parse(text.get_ref().trim()) {
                Some(code) => Some(code),
                None => {
                    context.problem(
                        text.span(),
                        format!("unknown finding code `{}`", text.get_ref()),
                    );
                    ok = false;
                    None
                }
            },
        };
        let package = match &raw.package {
            None => None,
            Some(text) => {
                let written = text.get_ref().trim();
                if written.starts_with("pkg:") {
                    if written.parse::<packageurl::PackageUrl<'_>>().is_ok() {
                        Some(WaiverPackage::Purl(written.to_string()))
                    } else {
                        context.problem(text.span(), format!("`{written}` is not a valid purl"));
                        ok = false;
                        None
                    }
                } else if written.is_empty() {
                    context.problem(text.span(), "`package` must not be empty");
                    ok = false;
                    None
                } else {
                    Some(WaiverPackage::Name(written.to_string()))
                }
            }
        };
        let version = context.version_req(&raw.version).unwrap_or_else(|()| {
            ok = false;
            None
        });
        if let (Some(_), Some(text)) = (&version, &raw.version)
            && !matches!(package, Some(WaiverPackage::Name(_)))
        {
            context.problem(text.span(), "`version` needs `package` (a name)");
            ok = false;
        }
        let rule = context.optional_text(&raw.rule, "`rule`");
        let advisory = context.optional_text(&raw.advisory, "`advisory`");
        if rule.is_none() && raw.code.is_none() && raw.package.is_none() && advisory.is_none() {
            context.problem_at(
                &origin,
                "a waiver must name at least one of `rule`, `code`, `package` or `advisory`",
            );
            ok = false;
        }
        // What `depgate vex` states for the findings this waiver hides.
        let vex_status = match &raw.vex_status {
            None => None,
            Some(text) => match VexStatus::parse(text.get_ref().trim()) {
                Some(status) => Some(status),
                None => {
                    context.problem(
                        text.span(),
                        "`vex-status` must be `not_affected`, `affected`, `fixed` or `under_investigation`",
                    );
                    ok = false;
                    None
                }
            },
        };
        let justification = match &raw.justification {
            None => None,
            Some(text) => match Justification::parse(text.get_ref().trim()) {
                Some(justification) => Some(justification),
                None => {
                    let known: Vec<&str> = Justification::ALL.iter().map(|j| j.as_str()).collect();
                    context.problem(
                        text.span(),
                        format!("`justification` must be one of {}", known.join(", ")),
                    );
                    ok = false;
                    None
                }
            },
        };
        // A justification explains why a product is not affected, and only that (OpenVEX).
        if let (Some(text), Some(status)) = (&raw.justification, vex_status)
            && status != VexStatus::NotAffected
        {
            context.problem(
                text.span(),
                "`justification` goes with `vex-status = \"not_affected\"` only",
            );
            ok = false;
        }
        let id = context.optional_text(&raw.id, "`id`");
        let (Some(reason), Some(owner), Some(expires_date), true) = (reason, owner, expires, ok)
        else {
            return;
        };
        self.waivers.push(Waiver {
            id: id.unwrap_or_default(),
            rule,
            code,
            package,
            version,
            advisory,
            reason,
            owner,
            expires: expires_date.to_string(),
            expires_date,
            vex_status,
            justification,
            origin,
        });
    }

    /// The validated `[waivers]`: waivers without an id get `waiver-<n>` in file order; a
    /// waiver id used twice is a problem.
    pub fn finish(self, fallback: &mut Fallback, problems: &mut Vec<Problem>) -> WaiverPolicy {
        let rules = fallback.rules(Section::Waivers, &self.head);
        let mut waivers = self.waivers;
        let mut ids = UniqueIds::new("waiver id");
        for (index, waiver) in waivers.iter_mut().enumerate() {
            if waiver.id.is_empty() {
                waiver.id = format!("waiver-{}", index + 1);
            }
            ids.check(&waiver.id, &waiver.origin, problems);
        }
        WaiverPolicy {
            expired: rules.rule("waivers.expired"),
            unused: rules.rule("waivers.unused"),
            expiring: rules.rule("waivers.expiring"),
            // In range since it was read, so the conversion never falls back.
            expiring_days: value(&self.expiring_days)
                .and_then(|days| u32::try_from(days).ok())
                .unwrap_or(DEFAULT_EXPIRING_DAYS),
            waivers,
        }
    }
}

/// The waivers of `policy` that name a rule it does not have.
pub(super) fn unknown_rules(policy: &ValidPolicy) -> Vec<Problem> {
    let known = policy.rule_ids();
    policy
        .waivers
        .waivers
        .iter()
        .filter_map(|waiver| {
            let rule = waiver.rule.as_ref()?;
            (!known.contains(rule)).then(|| {
                Problem::at(
                    &waiver.origin,
                    format!("waiver `{}` names unknown rule `{rule}`", waiver.id),
                )
            })
        })
        .collect()
}
