//! `depgate check`: the gate. ingest -> enrich -> evaluate -> waivers -> report.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{CheckArgs, FailOn, FindingsFormat};
use crate::evaluate::Severity;
use crate::report::FindingsReport;

use super::Outcome;

/// The date waivers are judged against: `--today`/`DEPGATE_TODAY`, else today in UTC.
pub(crate) fn today(flag: Option<&str>) -> anyhow::Result<time::Date> {
    match flag {
        Some(text) => crate::policy::parse_date(text)
            .with_context(|| format!("`--today {text}` is not a date (`YYYY-MM-DD`)")),
        None => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

/// `--output FORMAT=FILE` pairs, checked before any work is done.
fn outputs(args: &[String]) -> anyhow::Result<Vec<(FindingsFormat, PathBuf)>> {
    args.iter()
        .map(|arg| {
            let (format, file) = arg
                .split_once('=')
                .with_context(|| format!("`--output {arg}` must be FORMAT=FILE"))?;
            let format = FindingsFormat::parse(format).with_context(|| {
                format!("`--output {arg}`: unknown format `{format}` (table, json, markdown)")
            })?;
            if file.is_empty() {
                anyhow::bail!("`--output {arg}` names no file");
            }
            Ok((format, PathBuf::from(file)))
        })
        .collect()
}

fn render(report: &FindingsReport, format: FindingsFormat, color: bool) -> Vec<u8> {
    match format {
        FindingsFormat::Table => crate::report::table::render(report, color),
        FindingsFormat::Json => crate::report::json::render(report),
        FindingsFormat::Markdown => crate::report::markdown::render(report),
    }
}

/// Runs `depgate check`.
pub fn run(args: CheckArgs) -> anyhow::Result<Outcome> {
    let today = today(args.today.as_deref())?;
    let outputs = outputs(&args.outputs)?;
    let policy = crate::policy::load(args.policy.as_deref(), &args.scan.path)?;
    let mut inventory = super::load_inventory(&args.scan)?;
    super::warn_gaps(&inventory);
    // License text detection (`enrich::license_text::detect_missing_licenses`) is wired here by the lead.
    crate::enrich::manifests::read_declared_requirements(&mut inventory);
    crate::enrich::manifests::hash_pinned_files(&mut inventory, &policy.licenses.clarifications);
    let evaluation = crate::evaluate::evaluate(&inventory, &policy, today);
    let fail_on = match args.fail_on {
        FailOn::Deny => Severity::Error,
        FailOn::Warn => Severity::Warning,
    };
    let report = FindingsReport::new(&inventory, &policy, &evaluation, fail_on);
    for (format, file) in &outputs {
        super::emit(Some(file), &render(&report, *format, false))?;
    }
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    super::emit(None, &render(&report, args.format, color))?;
    if crate::evaluate::fails(&evaluation, fail_on) {
        Ok(Outcome::Violated)
    } else {
        Ok(Outcome::Pass)
    }
}
