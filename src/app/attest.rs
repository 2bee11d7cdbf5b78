//! `depgate attest`: runs exactly what `depgate check` runs, and writes the verdict as a signed
//! CycloneDX 1.6 attestation.
//!
//! In: [`AttestArgs`] and an Ed25519 private key (`--key` or `DEPGATE_SIGNING_KEY`). Out: the
//! attestation (JSF-signed CycloneDX, or a DSSE envelope) written atomically to `-o FILE` or
//! to standard output; a one-line summary on standard error; [`Outcome::Pass`] (exit 0) for a
//! passing verdict and [`Outcome::Violated`] (exit 1) for a failing one, the attestation being
//! written either way. Errors (no key, unreadable input, …) exit 2 and write nothing.
//!
//! The helpers here also build the unsigned attestation of the current state that `verify`
//! compares an attested document with, so both sides are made by the same code.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

use super::Outcome;
use super::check::{self, Evaluated};
use crate::attest::{
    AttestationInput, DbSummary, EnvelopeFormat, PolicySummary, RuleSummary, document, keys,
};
use crate::cli::{AttestArgs, Envelope};
use crate::enrich::advisories::{DbInfo, DbKind};
use crate::inventory::InputFile;
use crate::policy::ValidPolicy;
use crate::report::DocumentInfo;
use crate::report::cyclonedx::{self, Cdx16Extensions};

/// Runs `depgate attest`.
pub fn run(args: AttestArgs) -> anyhow::Result<Outcome> {
    // The key and the output directory first: neither should wait for a scan to fail.
    let key = keys::load_signing_key(args.key.as_deref())?;
    if let Some(output) = &args.output {
        super::outputs::check_output_path(output)?;
    }
    // Waivers and database ages are judged on the evaluation's own date, so the document
    // is consistent with the time it records (and reproducible with SOURCE_DATE_EPOCH).
    let (evaluated_at, today, state) =
        check::evaluate_at_document_time(&args.scan, &args.evaluation)?;
    let subject = args.evaluation.sbom.as_deref().unwrap_or(&args.scan.path);
    let inputs = relative_inputs(&state.inventory.inputs, subject);
    let input = attestation_input(&state, &inputs, subject, evaluated_at, today)?;
    let format = match args.envelope {
        Envelope::Jsf => EnvelopeFormat::Jsf,
        Envelope::Dsse => EnvelopeFormat::Dsse,
    };
    let bytes = crate::attest::render_attestation(&input, &key, format)
        .context("cannot build the attestation")?;
    super::emit(args.output.as_deref(), &bytes)?;

    let verdict = document::verdict(&state.evaluation);
    let verdict = verdict.result.as_str();
    let destination = super::outputs::destination(args.output.as_deref());
    eprintln!(
        "attested {} components against policy `{}` (sha256 {}): {} — written to {destination}, signed by {}",
        // The count the document records (and `verify` shows).
        crate::attest::drift::flatten_components(
            input
                .components_bom
                .get("components")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default()
        )
        .len(),
        input.policy.name,
        input.policy.digest,
        verdict.to_uppercase(),
        keys::key_id(&key.verifying_key()),
    );
    Ok(if verdict == "pass" {
        Outcome::Pass
    } else {
        Outcome::Violated
    })
}

/// The unsigned attestation of a state, as `verify` compares it with the attested one.
pub(crate) fn unsigned_attestation(
    state: &Evaluated,
    subject: &Path,
    evaluated_at: time::OffsetDateTime,
    today: time::Date,
) -> anyhow::Result<Value> {
    let inputs = relative_inputs(&state.inventory.inputs, subject);
    let input = attestation_input(state, &inputs, subject, evaluated_at, today)?;
    crate::attest::build_attestation(&input).context("cannot build the current state's document")
}

/// Everything the attestation records about one evaluation. `inputs` are the files read,
/// with paths relative to `subject` (see [`relative_inputs`]).
pub(crate) fn attestation_input<'a>(
    state: &'a Evaluated,
    inputs: &'a [InputFile],
    subject: &Path,
    evaluated_at: time::OffsetDateTime,
    today: time::Date,
) -> anyhow::Result<AttestationInput<'a>> {
    let info = DocumentInfo::new(super::sbom::subject_name(subject), evaluated_at);
    let bom_bytes = cyclonedx::to_json_1_6(&state.inventory, &info, &Cdx16Extensions::default())
        .context("cannot write the inventory as CycloneDX 1.6")?;
    let mut components_bom: Value = serde_json::from_slice(&bom_bytes)
        .context("the CycloneDX writer produced JSON that does not parse")?;
    // Why each vulnerability advisory was accepted or not, as CycloneDX VEX: the components'
    // `bom-ref`s are their purls, which the entries' `affects` name.
    let decisions = crate::evaluate::vex::decisions(&state.evaluation).decisions;
    if !decisions.is_empty()
        && let Value::Object(bom) = &mut components_bom
    {
        bom.insert(
            "vulnerabilities".to_string(),
            crate::report::vex::cyclonedx::vulnerabilities(&decisions),
        );
    }
    Ok(AttestationInput {
        policy: policy_summary(&state.policy),
        components_bom,
        evaluation: &state.evaluation,
        inputs,
        databases: database_summaries(&state.advisories.databases, today),
        evaluated_at,
        signatory: None,
    })
}

/// The policy as the attestation records it. Policies carry no version key, so the version is
/// their content: the first 12 hex digits of the digest.
pub(crate) fn policy_summary(policy: &ValidPolicy) -> PolicySummary {
    let digest = policy.digest();
    let rules: Vec<RuleSummary> = policy
        .rules()
        .into_iter()
        .map(|rule| RuleSummary {
            id: rule.id,
            rationale: rule.rationale,
            owner: rule.owner,
            level: rule.level,
        })
        .collect();
    // Without `[policy] owner`, every section names its own owner; the first one stands for
    // the organisation.
    let owner = policy
        .owner
        .clone()
        .filter(|owner| !owner.trim().is_empty())
        .or_else(|| {
            rules
                .iter()
                .map(|rule| rule.owner.clone())
                .find(|owner| !owner.trim().is_empty())
        })
        .unwrap_or_else(|| "unknown owner".to_string());
    PolicySummary {
        name: policy.name.clone(),
        version: digest.get(..12).unwrap_or(&digest).to_string(),
        owner,
        digest,
        rules,
    }
}

/// Stable names for the advisory databases (`rustsec`, `osv-crates.io`, …; a second database
/// of the same name gets `-2`), so a verify run can pair each with its attested revision.
pub(crate) fn database_summaries(databases: &[DbInfo], today: time::Date) -> Vec<DbSummary> {
    let mut seen: Vec<String> = Vec::new();
    databases
        .iter()
        .map(|database| {
            let base = match database.kind {
                DbKind::RustSec => "rustsec".to_string(),
                DbKind::OsvDirectory | DbKind::OsvZip if database.ecosystems.is_empty() => {
                    "osv".to_string()
                }
                DbKind::OsvDirectory | DbKind::OsvZip => {
                    format!("osv-{}", database.ecosystems.join("+"))
                }
            };
            let repeats = seen.iter().filter(|name| **name == base).count();
            seen.push(base.clone());
            let name = if repeats == 0 {
                base
            } else {
                format!("{base}-{}", repeats + 1)
            };
            DbSummary {
                name,
                revision: database
                    .revision
                    .clone()
                    .unwrap_or_else(|| "unknown".to_string()),
                updated: database.updated.clone(),
                age_days: database
                    .age_days(today)
                    .and_then(|days| u64::try_from(days).ok()),
            }
        })
        .collect()
}

/// The input files with paths relative to what was scanned (a directory: paths below it; a
/// single file: its name), so an attestation made in one checkout verifies in another.
pub(crate) fn relative_inputs(inputs: &[InputFile], subject: &Path) -> Vec<InputFile> {
    inputs
        .iter()
        .map(|file| InputFile {
            path: relative_path(&file.path, subject),
            ..file.clone()
        })
        .collect()
}

fn relative_path(path: &Path, subject: &Path) -> PathBuf {
    if (path == subject || subject.is_file())
        && let Some(name) = path.file_name()
    {
        return PathBuf::from(name);
    }
    match path.strip_prefix(subject) {
        Ok(relative) if !relative.as_os_str().is_empty() => relative.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_paths_are_relative_to_the_scanned_directory() {
        assert_eq!(
            relative_path(Path::new("./Cargo.lock"), Path::new(".")),
            PathBuf::from("Cargo.lock")
        );
        assert_eq!(
            relative_path(
                Path::new("/ci/repo/web/package-lock.json"),
                Path::new("/ci/repo")
            ),
            PathBuf::from("web/package-lock.json")
        );
        assert_eq!(
            relative_path(
                Path::new("/ci/repo/Cargo.lock"),
                Path::new("/ci/repo/Cargo.lock")
            ),
            PathBuf::from("Cargo.lock")
        );
        // Outside the scanned directory (an SBOM given with `--sbom`): kept as given.
        assert_eq!(
            relative_path(Path::new("/elsewhere/bom.json"), Path::new("/ci/repo")),
            PathBuf::from("/elsewhere/bom.json")
        );
    }

    fn database(kind: DbKind, ecosystems: &[&str], updated: Option<&str>) -> DbInfo {
        DbInfo {
            kind,
            path: PathBuf::from("db"),
            source: "db".to_string(),
            revision: Some("abc".to_string()),
            updated: updated.map(str::to_string),
            advisory_count: 1,
            ecosystems: ecosystems.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn database_names_are_stable_and_unique() {
        let today = time::macros::date!(2025 - 01 - 11);
        let summaries = database_summaries(
            &[
                database(DbKind::RustSec, &["crates.io"], Some("2025-01-01")),
                database(DbKind::OsvZip, &["PyPI"], None),
                database(DbKind::OsvDirectory, &["PyPI"], Some("2025-02-01")),
                database(DbKind::OsvDirectory, &[], None),
            ],
            today,
        );
        let names: Vec<&str> = summaries.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["rustsec", "osv-PyPI", "osv-PyPI-2", "osv"]);
        assert_eq!(summaries[0].age_days, Some(10));
        // A database dated after the evaluation has no meaningful age.
        assert_eq!(summaries[2].age_days, None);
        assert_eq!(summaries[1].updated, None);
    }
}
