//! What every section of a policy file shares, read once here for all of them.
//!
//! A section's table is split into its parts: `owner`, `rationale` and the level of each of its
//! rules (the keys come from the rule table, so a rule id is spelled only there), the section's
//! own keys (its raw serde struct), and its arrays of tables (read entry by entry, so one bad
//! entry never hides the next). A key that is none of these is a problem naming every key the
//! section accepts. Then, once a directory's files are merged, [`Fallback`] resolves each
//! section's owner and rationale against `[policy]`'s and gives every rule its [`RuleMeta`].
//!
//! In: one section's TOML table with spans. Out: the section's typed partial (see the
//! [`SectionPartial`] implementations, one file per section), merged, then finished into the
//! section's model type.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::context::{FileContext, Setting, Text, field_names, value};
use super::model::{Origin, RuleMeta};
use super::validate::Problem;
use crate::vocabulary::rules::{self, RuleSpec};
use crate::vocabulary::{Level, Section};

/// A top-level table of a policy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Table {
    /// `[policy]`: name, description, and the owner and rationale every section falls back to.
    Policy,
    /// A section whose rules are in the rule table.
    Rules(Section),
    /// `[sbom]`: facts SBOMs carry (creator, supplier); no rules, owner or rationale.
    Sbom,
}

impl Table {
    /// The table's name in a policy file.
    pub fn name(self) -> &'static str {
        match self {
            Table::Policy => "policy",
            Table::Rules(section) => section.as_str(),
            Table::Sbom => "sbom",
        }
    }

    /// Every table, `[policy]` first, then the rule table's sections in its order, `[sbom]`
    /// last.
    pub fn all() -> impl Iterator<Item = Table> {
        std::iter::once(Table::Policy)
            .chain(Section::ALL.iter().copied().map(Table::Rules))
            .chain(std::iter::once(Table::Sbom))
    }

    /// The table called `name`.
    pub fn find(name: &str) -> Option<Table> {
        Table::all().find(|table| table.name() == name)
    }
}

/// What every section sets about its rules: who owns them, why, and the level of each rule of
/// the rule table's section that the file sets.
#[derive(Debug, Default)]
pub(super) struct SectionHead {
    /// `owner`.
    pub owner: Setting<String>,
    /// `rationale`.
    pub rationale: Setting<String>,
    /// The levels written, each with its rule.
    pub levels: Vec<(&'static RuleSpec, Level, Origin)>,
}

/// Reads one `[[section.array]]` entry into the section's partial; the last argument names the
/// entry for messages (`[[bans.deny]]`).
pub(super) type EntryReader<S> = fn(&mut S, &mut FileContext<'_>, Spanned<DeValue<'_>>, &str);

/// One section's typed partial: what one file (or, merged, a directory) sets in it.
pub(super) trait SectionPartial: Default + 'static {
    /// The table the section is read from.
    const TABLE: Table;
    /// The section's arrays of tables, with the reader of each entry.
    const ENTRIES: &'static [(&'static str, EntryReader<Self>)] = &[];
    /// The section's own keys, as serde reads them (besides `owner`, `rationale`, the rule
    /// levels and the arrays of tables, which are taken out first).
    type Raw: DeserializeOwned;

    /// The section's owner, rationale and rule levels.
    fn head(&mut self) -> &mut SectionHead;

    /// Checks the section's own keys into the partial.
    fn read(&mut self, context: &mut FileContext<'_>, raw: Self::Raw);

    /// Adds what a later file sets: lists concatenate, a setting written in both is a problem.
    fn merge(&mut self, later: Self, merger: &mut Merger<'_>);
}

/// Reads one section's table into its partial, recording every problem.
pub(super) fn read_section<S: SectionPartial>(
    partial: &mut S,
    context: &mut FileContext<'_>,
    value: Spanned<DeValue<'_>>,
) {
    let name = S::TABLE.name();
    let span = value.span();
    let DeValue::Table(table) = value.into_inner() else {
        context.problem(span, format!("`{name}` must be a table (`[{name}]`)"));
        return;
    };
    let what = format!("[{name}]");
    let rules: Vec<&'static RuleSpec> = match S::TABLE {
        Table::Policy | Table::Sbom => Vec::new(),
        Table::Rules(section) => rules::section_rules(section).collect(),
    };
    let fields = field_names::<S::Raw>();
    let mut own = DeTable::new();
    let mut entries = Vec::new();
    for (key, value) in table {
        let written: &str = key.get_ref();
        if let Some((array, reader)) = S::ENTRIES.iter().find(|(array, _)| *array == written) {
            let array_span = value.span();
            match value.into_inner() {
                DeValue::Array(items) => {
                    let what = format!("[[{name}.{array}]]");
                    entries.extend(items.into_iter().map(|item| (*reader, item, what.clone())));
                }
                _ => context.problem(
                    array_span,
                    format!("`{name}.{array}` must be an array of tables (`[[{name}.{array}]]`)"),
                ),
            }
        } else if (written == "owner" || written == "rationale") && S::TABLE != Table::Sbom {
            let text = context.deserialize::<Text>(value, &what);
            let setting = context.text_setting(&text, &format!("`{name}.{written}`"));
            let head = partial.head();
            if written == "owner" {
                head.owner = setting;
            } else {
                head.rationale = setting;
            }
        } else if let Some(spec) = rules.iter().copied().find(|spec| spec.key == Some(written)) {
            if let Some(text) = context.deserialize::<Text>(value, &what)
                && let Some((level, origin)) = context.level(&text)
            {
                partial.head().levels.push((spec, level, origin));
            }
        } else if fields.contains(&written) {
            own.insert(key, value);
        } else {
            let expected: Vec<String> = ["owner", "rationale"]
                .into_iter()
                .chain(fields.iter().copied())
                .chain(rules.iter().filter_map(|spec| spec.key))
                .chain(S::ENTRIES.iter().map(|(array, _)| *array))
                .map(|key| format!("`{key}`"))
                .collect();
            context.problem(
                key.span(),
                format!(
                    "in {what}: unknown field `{written}`, expected one of {}",
                    expected.join(", ")
                ),
            );
        }
    }
    if let Some(raw) = context.deserialize::<S::Raw>(Spanned::new(span, DeValue::Table(own)), &what)
    {
        partial.read(context, raw);
    }
    for (reader, item, what) in entries {
        reader(partial, context, item, &what);
    }
}

/// Merges the files of a policy directory: a setting written in two files is a problem at the
/// second, naming the first.
pub(super) struct Merger<'a> {
    problems: &'a mut Vec<Problem>,
}

impl<'a> Merger<'a> {
    /// A merger that records conflicts in `problems`.
    pub fn new(problems: &'a mut Vec<Problem>) -> Self {
        Self { problems }
    }

    /// Keeps the first of two settings; both written is a problem.
    pub fn setting<T>(&mut self, key: &str, first: &mut Setting<T>, later: Setting<T>) {
        let Some((value, origin)) = later else {
            return;
        };
        match first {
            Some((_, at)) => self.conflict(key, at, &origin),
            None => *first = Some((value, origin)),
        }
    }

    fn conflict(&mut self, key: &str, first: &Origin, later: &Origin) {
        self.problems.push(Problem::at(
            later,
            format!("`{key}` is already set at {first}"),
        ));
    }

    /// Merges a later file's section into the first's.
    pub fn section<S: SectionPartial>(&mut self, first: &mut S, mut later: S) {
        let name = S::TABLE.name();
        let head = std::mem::take(later.head());
        let into = first.head();
        self.setting(&format!("{name}.owner"), &mut into.owner, head.owner);
        self.setting(
            &format!("{name}.rationale"),
            &mut into.rationale,
            head.rationale,
        );
        for (spec, level, origin) in head.levels {
            match into.levels.iter().find(|(set, _, _)| set.id == spec.id) {
                Some((_, _, at)) => {
                    let at = at.clone();
                    self.conflict(spec.id, &at, &origin);
                }
                None => into.levels.push((spec, level, origin)),
            }
        }
        first.merge(later, self);
    }
}

/// `[policy]`'s owner and rationale, which every section falls back to; remembers the sections
/// left without an owner (every section has rules, and every rule needs one).
pub(super) struct Fallback {
    owner: Option<String>,
    rationale: Option<String>,
    unowned: BTreeSet<&'static str>,
}

impl Fallback {
    /// The fallback `[policy]` gives.
    pub fn new(policy: &SectionHead) -> Self {
        Self {
            owner: value(&policy.owner),
            rationale: value(&policy.rationale),
            unowned: BTreeSet::new(),
        }
    }

    /// `[policy] owner`, when set.
    pub fn owner(&self) -> Option<String> {
        self.owner.clone()
    }

    /// A section's rules with owner and rationale resolved: the section's own, else
    /// `[policy]`'s; a section with neither owner is remembered for [`Fallback::unowned`].
    pub fn rules<'a>(&mut self, section: Section, head: &'a SectionHead) -> SectionRules<'a> {
        let owner = value(&head.owner).or_else(|| self.owner.clone());
        if owner.is_none() {
            self.unowned.insert(section.as_str());
        }
        SectionRules {
            section,
            owner: owner.unwrap_or_default(),
            rationale: value(&head.rationale).or_else(|| self.rationale.clone()),
            levels: &head.levels,
        }
    }

    /// The problem of the sections left without an owner, at the top of the first file.
    pub fn unowned(self, first_file: &Path) -> Option<Problem> {
        if self.unowned.is_empty() {
            return None;
        }
        let sections: Vec<_> = self
            .unowned
            .iter()
            .map(|section| format!("`[{section}] owner`"))
            .collect();
        let top = Origin {
            file: first_file.to_path_buf(),
            line: 1,
            column: 1,
        };
        Some(Problem::at(
            &top,
            format!(
                "every rule needs an owner: set `[policy] owner` or {}",
                sections.join(", ")
            ),
        ))
    }
}

/// One section's rules, owner and rationale resolved.
pub(super) struct SectionRules<'a> {
    section: Section,
    /// Who owns the section's rules (empty when nobody does: a problem already).
    pub owner: String,
    rationale: Option<String>,
    levels: &'a [(&'static RuleSpec, Level, Origin)],
}

impl SectionRules<'_> {
    /// The rule `id` of this section: the level the policy sets, else the table's default;
    /// the section's rationale, else the table's.
    pub fn rule(&self, id: &str) -> RuleMeta {
        let spec = rules::section_rule(id);
        debug_assert_eq!(spec.section, self.section, "`{id}` is not in this section");
        let level = self
            .levels
            .iter()
            .find(|(set, _, _)| set.id == spec.id)
            .map_or(spec.default_level, |(_, level, _)| *level);
        RuleMeta {
            id: spec.id.to_string(),
            level,
            owner: self.owner.clone(),
            rationale: self
                .rationale
                .clone()
                .unwrap_or_else(|| spec.default_rationale.to_string()),
        }
    }
}

/// The ids of a policy's rules or waivers, each used once: a second use is a problem naming
/// the first.
pub(super) struct UniqueIds {
    what: &'static str,
    seen: BTreeMap<String, Origin>,
}

impl UniqueIds {
    /// Ids of `what` (`rule id`, `waiver id`).
    pub fn new(what: &'static str) -> Self {
        Self {
            what,
            seen: BTreeMap::new(),
        }
    }

    /// Records `id`, written at `origin`.
    pub fn check(&mut self, id: &str, origin: &Origin, problems: &mut Vec<Problem>) {
        match self.seen.get(id) {
            Some(first) => problems.push(Problem::at(
                origin,
                format!("{} `{id}` is already used at {first}", self.what),
            )),
            None => {
                self.seen.insert(id.to_string(), origin.clone());
            }
        }
    }
}
