//! `[bans]`: banned packages and version ranges (`[[bans.deny]]`), minimum versions
//! (`[[bans.minimum]]`), packages exempt from the duplicate rule, and the levels of the
//! `bans.*` section rules. Each ban and minimum is a rule of its own, with an id (default
//! `bans.deny.<name>`, `bans.minimum.<name>`), a level, an owner and a rationale.
//!
//! In: the `[bans]` table of each file. Out: a [`BanPolicy`].

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

use super::context::{FileContext, Text};
use super::model::{Ban, BanPolicy, MinimumVersion, Origin, PackageSelector, RuleMeta};
use super::section::{
    EntryReader, Fallback, Merger, SectionHead, SectionPartial, SectionRules, Table, UniqueIds,
};
use super::validate::Problem;
use crate::vocabulary::rules::{self, RuleSpec};
use crate::vocabulary::{Level, Section};

/// `[bans]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawBans {
    #[serde(default)]
    duplicate_skip: Vec<Text>,
}

/// `[[bans.deny]]`: a banned package or version range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBan {
    id: Option<Text>,
    name: Text,
    version: Option<Text>,
    reason: Text,
    replacement: Option<Text>,
    level: Option<Text>,
    owner: Option<Text>,
    rationale: Option<Text>,
}

/// `[[bans.minimum]]`: a required minimum version.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMinimum {
    id: Option<Text>,
    name: Text,
    version: Text,
    reason: Text,
    level: Option<Text>,
    owner: Option<Text>,
    rationale: Option<Text>,
}

/// What an entry says about the rule it is, checked; the id, owner and rationale defaults are
/// applied once the files are merged.
#[derive(Debug)]
struct EntryRule {
    id: Option<String>,
    level: Option<Level>,
    owner: Option<String>,
    rationale: Option<String>,
    reason: String,
    origin: Origin,
}

impl EntryRule {
    /// Checks the keys every per-entry rule has; `None` (with problems) when one is wrong.
    fn read(
        context: &mut FileContext<'_>,
        origin: Origin,
        reason: &Text,
        [id, level, owner, rationale]: [&Option<Text>; 4],
    ) -> Option<Self> {
        let reason = context.non_empty(reason, "`reason`");
        let checked_level = level.as_ref().map(|text| context.level(text));
        let id = context.optional_text(id, "`id`");
        let owner = context.optional_text(owner, "`owner`");
        let rationale = context.optional_text(rationale, "`rationale`");
        let level = match checked_level {
            None => None,
            Some(Some((level, _))) => Some(level),
            Some(None) => return None,
        };
        Some(Self {
            id,
            level,
            owner,
            rationale,
            reason: reason?,
            origin,
        })
    }

    /// The rule of family `family` (`bans.deny`) for package `name`: its id, unique in the
    /// policy; its level, else the family's default; its owner, else the section's; its
    /// rationale, else its reason.
    fn finish(
        &self,
        family: &RuleSpec,
        name: &str,
        rules: &SectionRules<'_>,
        ids: &mut UniqueIds,
        problems: &mut Vec<Problem>,
    ) -> RuleMeta {
        let id = self
            .id
            .clone()
            .unwrap_or_else(|| format!("{}.{name}", family.id));
        ids.check(&id, &self.origin, problems);
        RuleMeta {
            id,
            level: self.level.unwrap_or(family.default_level),
            owner: self.owner.clone().unwrap_or_else(|| rules.owner.clone()),
            rationale: self
                .rationale
                .clone()
                .unwrap_or_else(|| self.reason.clone()),
        }
    }
}

/// A checked `[[bans.deny]]`.
#[derive(Debug)]
struct BanEntry {
    rule: EntryRule,
    package: PackageSelector,
    replacement: Option<String>,
}

/// A checked `[[bans.minimum]]`.
#[derive(Debug)]
struct MinimumEntry {
    rule: EntryRule,
    name: String,
    version: semver::Version,
}

/// What a file sets in `[bans]`.
#[derive(Debug, Default)]
pub(super) struct BansPartial {
    head: SectionHead,
    duplicate_skip: Vec<PackageSelector>,
    deny: Vec<BanEntry>,
    minimum: Vec<MinimumEntry>,
}

impl SectionPartial for BansPartial {
    const TABLE: Table = Table::Rules(Section::Bans);
    const ENTRIES: &'static [(&'static str, EntryReader<Self>)] = &[
        ("deny", BansPartial::ban),
        ("minimum", BansPartial::minimum),
    ];
    type Raw = RawBans;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawBans) {
        for text in &raw.duplicate_skip {
            // `name` or `name@range`.
            let (name, version) = match text.get_ref().split_once('@') {
                Some((name, range)) => (name.trim(), Some(range.trim())),
                None => (text.get_ref().trim(), None),
            };
            let version = match version.map(semver::VersionReq::parse) {
                None => None,
                Some(Ok(req)) => Some(req),
                Some(Err(error)) => {
                    context.problem(
                        text.span(),
                        format!("invalid version range in `{}`: {error}", text.get_ref()),
                    );
                    continue;
                }
            };
            if name.is_empty() {
                context.problem(text.span(), "a `duplicate-skip` entry needs a package name");
                continue;
            }
            self.duplicate_skip.push(PackageSelector {
                name: name.to_string(),
                version,
            });
        }
    }

    fn merge(&mut self, later: Self, _merger: &mut Merger<'_>) {
        self.duplicate_skip.extend(later.duplicate_skip);
        self.deny.extend(later.deny);
        self.minimum.extend(later.minimum);
    }
}

/// The table entry of a per-entry rule family; the families are literals of this file, and
/// the rule table's tests cover them.
fn family(id: &str) -> &'static RuleSpec {
    match rules::spec(id) {
        Some(spec) if spec.is_per_entry() => spec,
        _ => unreachable!("`{id}` is not a per-entry rule family of the rule table"),
    }
}

impl BansPartial {
    fn ban(&mut self, context: &mut FileContext<'_>, entry: Spanned<DeValue<'_>>, what: &str) {
        let Some((raw, origin)) = context.entry::<RawBan>(entry, what) else {
            return;
        };
        let package = context.selector(&raw.name, &raw.version);
        let replacement = context.optional_text(&raw.replacement, "`replacement`");
        let rule = EntryRule::read(
            context,
            origin,
            &raw.reason,
            [&raw.id, &raw.level, &raw.owner, &raw.rationale],
        );
        if let (Some(rule), Some(package)) = (rule, package) {
            self.deny.push(BanEntry {
                rule,
                package,
                replacement,
            });
        }
    }

    fn minimum(&mut self, context: &mut FileContext<'_>, entry: Spanned<DeValue<'_>>, what: &str) {
        let Some((raw, origin)) = context.entry::<RawMinimum>(entry, what) else {
            return;
        };
        let name = context.non_empty(&raw.name, "`name`");
        let version = match semver::Version::parse(raw.version.get_ref().trim()) {
            Ok(version) => Some(version),
            Err(error) => {
                context.problem(
                    raw.version.span(),
                    format!(
                        "`{}` is not a version (`MAJOR.MINOR.PATCH`): {error}",
                        raw.version.get_ref()
                    ),
                );
                None
            }
        };
        let rule = EntryRule::read(
            context,
            origin,
            &raw.reason,
            [&raw.id, &raw.level, &raw.owner, &raw.rationale],
        );
        if let (Some(rule), Some(name), Some(version)) = (rule, name, version) {
            self.minimum.push(MinimumEntry {
                rule,
                name,
                version,
            });
        }
    }

    /// The validated `[bans]`; a rule id used twice is a problem.
    pub fn finish(self, fallback: &mut Fallback, problems: &mut Vec<Problem>) -> BanPolicy {
        let rules = fallback.rules(Section::Bans, &self.head);
        let mut ids = UniqueIds::new("rule id");
        let deny_family = family("bans.deny");
        let deny = self
            .deny
            .into_iter()
            .map(|ban| Ban {
                rule: ban
                    .rule
                    .finish(deny_family, &ban.package.name, &rules, &mut ids, problems),
                package: ban.package,
                reason: ban.rule.reason,
                replacement: ban.replacement,
                origin: ban.rule.origin,
            })
            .collect();
        let minimum_family = family("bans.minimum");
        let minimum = self
            .minimum
            .into_iter()
            .map(|entry| MinimumVersion {
                rule: entry
                    .rule
                    .finish(minimum_family, &entry.name, &rules, &mut ids, problems),
                name: entry.name,
                version: entry.version,
                reason: entry.rule.reason,
                origin: entry.rule.origin,
            })
            .collect();
        BanPolicy {
            deny,
            minimum,
            duplicates: rules.rule("bans.duplicates"),
            duplicate_skip: self.duplicate_skip,
            wildcards: rules.rule("bans.wildcards"),
            prerelease: rules.rule("bans.prerelease"),
        }
    }
}
