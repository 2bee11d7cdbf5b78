//! `depgate dashboard`: the dashboard's data from the store.
//!
//! In: [`DashboardArgs`]. Out: the [`Snapshot`](crate::monitor::snapshot::Snapshot) as JSON
//! (`--format json`) written atomically to `-o FILE` or standard output. The HTML page is
//! rendered from the same snapshot by the dashboard renderer, which this build does not
//! contain: `--format html` is a usage error (exit 2) here.

use anyhow::{Context, bail};

use super::Outcome;
use crate::cli::{DashboardArgs, DashboardFormat};

/// Runs `depgate dashboard`.
pub fn run(args: DashboardArgs) -> anyhow::Result<Outcome> {
    if args.format == DashboardFormat::Html {
        bail!(
            "`--format html`: the HTML dashboard renderer is not built in this branch; use `--format json` for the dashboard's data"
        );
    }
    if let Some(output) = &args.output {
        super::sbom::check_output_directory(output)?;
    }
    let today = super::check::today(args.today.as_deref())?;
    let generated_at = crate::util::rfc3339(crate::util::timestamp().map_err(anyhow::Error::msg)?);
    let mut store = super::open_store(&args.store)?;
    let data = store.dashboard_data()?;
    let snapshot = crate::monitor::dashboard::build(&data, today, generated_at);
    let mut bytes =
        serde_json::to_vec_pretty(&snapshot).context("cannot serialise the dashboard data")?;
    bytes.push(b'\n');
    super::emit(args.output.as_deref(), &bytes)?;
    Ok(Outcome::Pass)
}
