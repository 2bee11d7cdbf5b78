//! `depgate sbom`: ingest a path (or, with `--from`, an existing SBOM) and write an SBOM.

use crate::cli::SbomArgs;

use super::Outcome;

/// Runs `depgate sbom`.
pub fn run(args: SbomArgs) -> anyhow::Result<Outcome> {
    let inventory = match &args.from {
        // `--from FILE`: convert an existing SBOM; the rest of the path is the same.
        Some(file) => crate::ingest::ingest_sbom(file)?,
        None => super::load_inventory(&args.scan)?,
    };
    super::warn_gaps(&inventory);
    anyhow::bail!(
        "SBOM writers are being built ({} packages read)",
        inventory.packages().len()
    )
}
