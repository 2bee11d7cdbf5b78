//! `depgate sbom merge`: one SBOM for a product made of several SBOMs or repositories.
//!
//! In: [`SbomMergeArgs`]: two or more inputs (SBOMs in any format depgate reads, lockfiles,
//! directories). Out: one SBOM in any output format, written atomically to `-o FILE`:
//! components deduplicated by purl (conflicting hashes and licenses reported on standard
//! error), each input's subject under a synthetic root named `--name`. Byte-reproducible with
//! `SOURCE_DATE_EPOCH`.

use std::path::Path;

use crate::cli::{SbomMergeArgs, ScanArgs};
use crate::inventory::combine;
use crate::report::DocumentOrigin;

use super::Outcome;
use super::outputs::check_output_path;
use super::sbom::{SbomKind, apply_profile, product_info, render};

/// Runs `depgate sbom merge`.
pub fn run(args: SbomMergeArgs) -> anyhow::Result<Outcome> {
    let kind = SbomKind::from_flags(args.format, args.spec_version)?;
    kind.check_profile(args.product.profile)?;
    check_output_path(&args.output)?;
    let mut inputs = Vec::with_capacity(args.inputs.len());
    let mut any_sbom = false;
    for path in &args.inputs {
        let sbom = path.is_file() && crate::ingest::is_sbom_file(path)?;
        any_sbom |= sbom;
        let inventory = if sbom {
            crate::ingest::ingest_sbom(path)?
        } else {
            // Lockfiles and directories are read as `depgate sbom PATH` reads them.
            let scan = ScanArgs {
                path: path.clone(),
                offline: args.offline,
                online: false,
                cargo_metadata: false,
                exclude: Vec::new(),
                include_vendored: false,
                build: Default::default(),
            };
            let mut inventory = super::load_inventory_for_verdict(&scan)?;
            super::enrich_licenses(&mut inventory, &scan, false);
            inventory
        };
        inputs.push((label(path), inventory));
    }
    let labels: Vec<String> = inputs.iter().map(|(label, _)| label.clone()).collect();
    let (mut inventory, conflicts) = combine::combine(inputs);
    for conflict in &conflicts {
        eprintln!(
            "warning: merge: `{}` has {} `{}` in `{}` but `{}` in `{}`; kept the first",
            conflict.purl,
            conflict.field,
            conflict.kept.0,
            conflict.kept.1,
            conflict.dropped.0,
            conflict.dropped.1
        );
    }
    super::warn_gaps(&inventory);
    // Converted SBOMs carry no promise that their graphs are complete.
    let origin = if any_sbom {
        DocumentOrigin::Converted
    } else {
        DocumentOrigin::Scanned
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| output_stem(&args.output));
    let mut info = product_info(name, &args.product, origin, Path::new("."))?;
    info.subject_description = format!("Merged from {}", labels.join(", "));
    apply_profile(&mut inventory, &info);
    let bytes = render(&inventory, &info, kind)?;
    super::emit(Some(&args.output), &bytes)?;
    Ok(Outcome::Pass)
}

/// How an input is named in messages and in the merged root's description: its file name (a
/// directory's name for a directory).
fn label(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The output file's name up to its first dot: `product.cdx.json` -> `product`.
fn output_stem(output: &Path) -> String {
    let name = label(output);
    let stem = name.split('.').next().unwrap_or_default();
    if stem.is_empty() {
        "merged".to_string()
    } else {
        stem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_name_is_the_output_stem() {
        assert_eq!(output_stem(Path::new("out/product.cdx.json")), "product");
        assert_eq!(output_stem(Path::new(".hidden")), "merged");
    }
}
