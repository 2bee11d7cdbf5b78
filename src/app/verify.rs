//! `depgate verify ATTESTATION --key PUBKEY [PATH | --sbom FILE]`: checks an attestation's
//! signature and document, and with PATH or `--sbom` re-evaluates the current state and
//! reports drift from the attested one.
//!
//! In: the attestation file, the trusted public key, optionally what to compare with (and the
//! policy and advisory databases to re-evaluate with). Out: a report on standard output;
//! [`Outcome::Pass`] (exit 0) when valid and unchanged, [`Outcome::Violated`] (exit 1) on
//! drift (packages, inputs, policy digest, advisory databases) or new violations; an error
//! (exit 2) for an invalid signature or document, naming the file and what failed.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use serde_json::Value;

use super::Outcome;
use super::check::EvaluationRequest;
use crate::attest::drift::{self, Drift};
use crate::attest::{Packaging, VerifiedAttestation, keys, verify};
use crate::cli::{ScanArgs, VerifyArgs};

/// Runs `depgate verify`.
pub fn run(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let trusted = keys::read_verifying_key(&args.key)?;
    let bytes = crate::util::read_input(&args.attestation)
        .with_context(|| format!("cannot read attestation `{}`", args.attestation.display()))?;
    let verified = verify(&bytes, &trusted).with_context(|| {
        format!(
            "attestation `{}` failed verification",
            args.attestation.display()
        )
    })?;
    let mut report = describe(&args, &verified);

    let compare_with = args.evaluation.sbom.as_ref().or(args.path.as_ref());
    let outcome = match compare_with {
        None => Outcome::Pass,
        Some(path) => {
            let current = current_document(&args)?;
            let drift = drift::compare(&verified.document, &current);
            describe_drift(&mut report, &drift, &path.display().to_string());
            if drift.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Violated
            }
        }
    };
    super::emit(None, report.as_bytes())?;
    Ok(outcome)
}

/// The current state as an unsigned attestation, built by the same pipeline as `attest`
/// (`check`'s evaluation, then the attestation builder), so [`drift::compare`] sees the
/// current inventory, policy digest, input digests, database revisions and findings.
fn current_document(args: &VerifyArgs) -> anyhow::Result<Value> {
    let path = match (&args.evaluation.sbom, &args.path) {
        // `--sbom`: the policy is looked for in the current directory, as `check --sbom` does.
        (Some(_), _) => PathBuf::from("."),
        (None, Some(path)) => path.clone(),
        (None, None) => PathBuf::from("."),
    };
    let scan = ScanArgs {
        path,
        online: false,
        offline: args.offline,
        cargo_metadata: false,
        exclude: Vec::new(),
        include_vendored: false,
        build: args.build.clone(),
    };
    let today = super::check::today(args.evaluation.today);
    let evaluated_at = crate::util::timestamp().map_err(anyhow::Error::msg)?;
    let state = super::check::evaluate_state(&EvaluationRequest {
        scan: &scan,
        evaluation: &args.evaluation,
        today,
    })?;
    let subject = args.evaluation.sbom.as_deref().unwrap_or(&scan.path);
    super::attest::unsigned_attestation(&state, subject, evaluated_at, today)
}

fn describe(args: &VerifyArgs, verified: &VerifiedAttestation) -> String {
    let summary = &verified.summary;
    let packaging = match verified.packaging {
        Packaging::Jsf => "CycloneDX 1.6 attestation with a JSF Ed25519 signature",
        Packaging::Dsse => {
            "DSSE envelope (in-toto Statement v1) around a JSF-signed CycloneDX 1.6 attestation"
        }
    };
    let mut text = String::new();
    let _ = writeln!(text, "valid: `{}`", args.attestation.display());
    let _ = writeln!(text, "  format:     {packaging}");
    let _ = writeln!(text, "  signed by:  {}", verified.key_id);
    let _ = writeln!(
        text,
        "  policy:     `{}` {} (sha256 {})",
        summary.policy_name, summary.policy_version, summary.policy_digest
    );
    let _ = writeln!(
        text,
        "  verdict:    {} at {} by depgate {}, {} components",
        summary.verdict.to_uppercase(),
        summary.evaluated_at,
        summary.tool_version,
        summary.components
    );
    for (path, sha256) in &summary.inputs {
        let _ = writeln!(text, "  input:      `{path}` sha256 {sha256}");
    }
    for database in &summary.databases {
        let age = database
            .age_days
            .map(|days| format!(", {days} days old"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "  database:   {} revision {}{age}",
            database.name, database.revision
        );
    }
    text
}

fn describe_drift(text: &mut String, drift: &Drift, against: &str) {
    if drift.is_empty() {
        let _ = writeln!(
            text,
            "unchanged: `{against}` matches the attestation (packages, input files, policy digest, advisory databases, violations)"
        );
    } else {
        let _ = writeln!(text, "drift from `{against}`:");
    }
    for component in &drift.added {
        let _ = writeln!(
            text,
            "  added:      {}@{}",
            component.name, component.version
        );
    }
    for component in &drift.removed {
        let _ = writeln!(
            text,
            "  removed:    {}@{}",
            component.name, component.version
        );
    }
    for change in &drift.changed {
        let _ = writeln!(
            text,
            "  changed:    {} {} -> {}",
            change.name, change.from, change.to
        );
    }
    for change in &drift.inputs {
        let _ = writeln!(
            text,
            "  input:      `{}` {} -> {}",
            change.subject,
            change.attested.as_deref().unwrap_or("(absent)"),
            change.current.as_deref().unwrap_or("(absent)")
        );
    }
    if let Some(change) = &drift.policy {
        let _ = writeln!(
            text,
            "  policy:     digest {} -> {}",
            change.attested.as_deref().unwrap_or("?"),
            change.current.as_deref().unwrap_or("?")
        );
    }
    for change in &drift.databases {
        let _ = writeln!(
            text,
            "  database:   {} revision {} -> {}",
            change.subject,
            change.attested.as_deref().unwrap_or("(absent)"),
            change.current.as_deref().unwrap_or("(absent)")
        );
    }
    for violation in &drift.new_violations {
        let _ = writeln!(
            text,
            "  new violation: {} [{}] {}",
            violation.code, violation.rule, violation.message
        );
    }
}
