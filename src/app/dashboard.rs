//! `depgate dashboard`: the dashboard from the store.
//!
//! In: [`DashboardArgs`]. Out: the one self-contained HTML page (`--format html`, the
//! default) or the [`Snapshot`] it is rendered from (`--format json`), written atomically to
//! `-o FILE` or standard output. `--snapshot FILE` renders a snapshot kept from an earlier
//! run instead of reading the store.

use anyhow::Context;

use super::Outcome;
use crate::cli::{DashboardArgs, DashboardFormat};
use crate::monitor::snapshot::Snapshot;

/// Runs `depgate dashboard`.
pub fn run(args: DashboardArgs) -> anyhow::Result<Outcome> {
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let snapshot = match &args.snapshot {
        Some(path) => read_snapshot(path)?,
        None => {
            let today = super::check::today(args.today);
            let generated_at =
                crate::util::rfc3339(crate::util::timestamp().map_err(anyhow::Error::msg)?);
            let mut store = super::open_store(&args.store)?;
            let data = store.dashboard_data()?;
            crate::monitor::dashboard::build(&data, today, generated_at)
        }
    };
    let bytes = match args.format {
        DashboardFormat::Html => crate::report::dashboard::render_html(&snapshot)
            .context("cannot render the dashboard")?,
        DashboardFormat::Json => {
            let mut bytes = serde_json::to_vec_pretty(&snapshot)
                .context("cannot serialise the dashboard data")?;
            bytes.push(b'\n');
            bytes
        }
    };
    super::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}

/// A snapshot written by `depgate dashboard --format json`; anything else is an input error
/// naming the file and the position.
fn read_snapshot(path: &std::path::Path) -> anyhow::Result<Snapshot> {
    let text = crate::util::read_input_text(path)?;
    // serde_json's message ends with the position (`at line 3 column 7`).
    serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}` is not a dashboard snapshot (`depgate dashboard --format json`)",
            path.display()
        )
    })
}
