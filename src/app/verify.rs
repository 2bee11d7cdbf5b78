//! `depgate verify ATTESTATION --key PUBKEY [PATH | --sbom FILE]`: checks an attestation's
//! signature and document, and with PATH or `--sbom` reports drift from the current state.
//!
//! In: the attestation file, the trusted public key, optionally what to compare with.
//! Out: a report on standard output; [`Outcome::Pass`] (exit 0) when valid and unchanged,
//! [`Outcome::Violated`] (exit 1) on drift; an error (exit 2) for an invalid signature or
//! document, naming the file and what failed.

use std::fmt::Write as _;

use anyhow::Context;
use serde_json::Value;

use super::Outcome;
use crate::attest::drift::{self, Drift};
use crate::attest::{Packaging, VerifiedAttestation, keys, verify};
use crate::cli::{ScanArgs, VerifyArgs};

/// Runs `depgate verify`.
pub fn run(args: VerifyArgs) -> anyhow::Result<Outcome> {
    let trusted = keys::read_verifying_key(&args.key)?;
    let bytes = fs_err::read(&args.attestation)
        .with_context(|| format!("cannot read attestation `{}`", args.attestation.display()))?;
    let verified = verify(&bytes, &trusted).with_context(|| {
        format!(
            "attestation `{}` failed verification",
            args.attestation.display()
        )
    })?;
    let mut report = describe(&args, &verified);

    let compare_with = args.sbom.as_ref().or(args.path.as_ref());
    let outcome = match compare_with {
        None => Outcome::Pass,
        Some(path) => {
            let current = current_document(path)?;
            let drift = drift::compare(&verified.document, &current);
            describe_drift(&mut report, &drift, &current, &path.display().to_string());
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

/// The current state as a document [`drift::compare`] understands: the inventory read from
/// `path` (a directory, lockfile or SBOM).
fn current_document(path: &std::path::Path) -> anyhow::Result<Value> {
    let scan = ScanArgs {
        path: path.to_path_buf(),
        online: false,
        offline: true,
        cargo_metadata: false,
        exclude: Vec::new(),
        include_vendored: false,
    };
    let inventory = super::load_inventory(&scan)?;
    super::warn_gaps(&inventory);
    Ok(drift::inventory_document(&inventory))
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

fn describe_drift(text: &mut String, drift: &Drift, current: &Value, against: &str) {
    if drift.is_empty() {
        let _ = writeln!(
            text,
            "unchanged: the inventory of `{against}` matches the attestation"
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
            "  new:        {} [{}] {}",
            violation.code, violation.rule, violation.message
        );
    }
    // Say out loud what was not compared, so a pass is never silent about its limits.
    let has = |prefix: &str| {
        crate::attest::verify::property_names(current)
            .iter()
            .any(|name| name.starts_with(prefix))
    };
    if !has(crate::attest::document::property::POLICY_SHA256) {
        let _ = writeln!(
            text,
            "  not compared: the policy digest and findings (the current state was not evaluated)"
        );
    }
}
