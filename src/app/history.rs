//! `depgate history PROJECT`: the verdicts of a project over time, each with its inputs.
//!
//! In: [`HistoryArgs`]. Out: every release of the project (in one environment when asked):
//! when it was recorded and from what, its attested approval, and each monitor run's verdict
//! with the policy digest and advisory database revisions it was judged with, so an audit
//! can replay what was known when. An unknown project is exit 2.

use anyhow::bail;

use super::Outcome;
use crate::cli::{HistoryArgs, HistoryFormat};
use crate::monitor::report;

/// Runs `depgate history`.
pub fn run(args: HistoryArgs) -> anyhow::Result<Outcome> {
    let mut store = super::open_store(&args.store)?;
    let entries = store.history(&args.project, args.environment.as_deref())?;
    if entries.is_empty() {
        match &args.environment {
            Some(environment) => bail!(
                "the store `{}` has no release of project `{}` in environment `{environment}`",
                store.display(),
                args.project
            ),
            None => bail!(
                "the store `{}` has no release of project `{}`",
                store.display(),
                args.project
            ),
        }
    }
    let bytes = match args.format {
        HistoryFormat::Table => report::render_history_table(&entries),
        HistoryFormat::Json => {
            report::render_history_json(&args.project, args.environment.as_deref(), &entries)
        }
    };
    super::emit(None, &bytes)?;
    Ok(Outcome::Pass)
}
