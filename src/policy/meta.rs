//! `[policy]`: the policy's name and description, and the owner and rationale every other
//! section falls back to (read by [`super::section`], resolved by its `Fallback`).
//!
//! In: the `[policy]` table of each file. Out: the policy's name, and the one problem of a
//! directory whose files each name a policy.

use serde::Deserialize;

use super::context::{FileContext, Setting, Text, value};
use super::model::{Origin, PolicySource};
use super::section::{Merger, SectionHead, SectionPartial, Table};
use super::validate::Problem;

/// `[policy]`'s own keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMeta {
    name: Option<Text>,
    description: Option<Text>,
}

/// What a file sets in `[policy]`.
#[derive(Debug, Default)]
pub(super) struct MetaPartial {
    /// The owner and rationale of every rule whose section sets none.
    pub head: SectionHead,
    name: Setting<String>,
    description: Setting<String>,
}

impl SectionPartial for MetaPartial {
    const TABLE: Table = Table::Policy;
    type Raw = RawMeta;

    fn head(&mut self) -> &mut SectionHead {
        &mut self.head
    }

    fn read(&mut self, context: &mut FileContext<'_>, raw: RawMeta) {
        self.name = context.text_setting(&raw.name, "`policy.name`");
        self.description = context.text_setting(&raw.description, "`policy.description`");
    }

    fn merge(&mut self, later: Self, merger: &mut Merger<'_>) {
        merger.setting("policy.name", &mut self.name, later.name);
        merger.setting(
            "policy.description",
            &mut self.description,
            later.description,
        );
    }
}

impl MetaPartial {
    /// The policy's name: `[policy] name`, else the first file's stem, else `default` for the
    /// built-in policy.
    pub fn name(&self, source: &PolicySource) -> String {
        value(&self.name).unwrap_or_else(|| match source {
            PolicySource::Builtin => "default".to_string(),
            PolicySource::Files { files } => files
                .first()
                .and_then(|file| file.file_stem())
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| "policy".to_string()),
        })
    }
}

/// A directory holding several complete policies (each file naming one with `[policy] name`):
/// one problem, said plainly, instead of a conflict for every setting they share.
pub(super) fn several_policies<'a>(
    metas: impl Iterator<Item = &'a MetaPartial>,
) -> Option<Problem> {
    let named: Vec<&Origin> = metas
        .filter_map(|meta| meta.name.as_ref())
        .map(|(_, origin)| origin)
        .collect();
    let [first, second, ..] = named.as_slice() else {
        return None;
    };
    let files: Vec<String> = named
        .iter()
        .map(|origin| format!("`{}`", origin.file.display()))
        .collect();
    Some(Problem::at(
        second,
        format!(
            "{} each name a policy (`[policy] name`, first at {first}): the files of a policy \
             directory are merged into one policy, so it must hold one policy split over files; \
             pass one of them with `--policy FILE`, or keep the alternatives elsewhere",
            files.join(", ")
        ),
    ))
}
