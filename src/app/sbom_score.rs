//! `depgate sbom score`: per-field coverage of SBOMs against the NTIA minimum elements and
//! BSI TR-03183-2 v2.1.0.
//!
//! In: [`SbomScoreArgs`]. Out: the score report (table, JSON or Markdown) on standard output or
//! in `-o FILE`; [`Outcome::Violated`] when a file misses a standard given with `--require`.

use crate::cli::{SbomScoreArgs, ScoreFormat, ScoreStandard};
use crate::evaluate::sbom_quality::{self, Standard};
use crate::report::sbom_score;

use super::Outcome;

/// Runs `depgate sbom score`.
pub fn run(args: SbomScoreArgs) -> anyhow::Result<Outcome> {
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    let mut scores = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let facts = crate::ingest::sbom_facts::read_facts(file)?;
        scores.push(sbom_quality::score(&facts));
    }
    let bytes = match args.format {
        ScoreFormat::Table => sbom_score::table(&scores),
        ScoreFormat::Json => sbom_score::json(&scores),
        ScoreFormat::Markdown => sbom_score::markdown(&scores),
    };
    super::emit(args.output.as_deref(), &bytes)?;
    let required: Vec<Standard> = args
        .require
        .iter()
        .map(|standard| match standard {
            ScoreStandard::Ntia => Standard::Ntia,
            ScoreStandard::BsiTr031832 => Standard::BsiTr031832,
        })
        .collect();
    let failed = scores.iter().any(|score| {
        required
            .iter()
            .any(|&standard| !score.verdict(standard).is_some_and(|v| v.conformant))
    });
    Ok(if failed {
        Outcome::Violated
    } else {
        Outcome::Pass
    })
}
