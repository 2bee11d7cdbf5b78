//! `depgate record`: one deployed (or released) state into the store.
//!
//! In: [`RecordArgs`]: what is deployed (PATH, `--sbom`, or a signed attestation verified with
//! `--key`), the project, release and environment, the policy that applies from now on.
//! Out: the release stored in one transaction and made current for its project and
//! environment (the previous one kept as history); a one-line summary on standard error.
//! An attestation that does not verify is exit 2 and stores nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::Outcome;
use crate::attest::{VerifiedAttestation, drift, keys};
use crate::cli::{RecordArgs, ScanArgs};
use crate::inventory::Inventory;
use crate::policy::ValidPolicy;
use crate::store::{ApprovalRecord, NewRelease, PolicyFile, PolicyRecord};

/// Runs `depgate record`.
pub fn run(args: RecordArgs) -> anyhow::Result<Outcome> {
    for (flag, value) in [
        ("--project", &args.project),
        ("--release", &args.release),
        ("--environment", &args.environment),
    ] {
        if value.trim().is_empty() {
            bail!("`{flag}` must not be empty");
        }
    }
    if let Some(deployed_at) = &args.deployed_at {
        time::OffsetDateTime::parse(deployed_at, &time::format_description::well_known::Rfc3339)
            .with_context(|| {
                format!("`--deployed-at {deployed_at}` is not an RFC 3339 time (e.g. `2025-03-01T12:00:00Z`)")
            })?;
    }
    if args.path.is_none() && args.sbom.is_none() && args.attestation.is_none() {
        bail!("nothing to record: give PATH, `--sbom FILE` or `--attestation FILE --key PUBKEY`");
    }
    // The attestation first: one that does not verify must stop everything before the store
    // is touched.
    let verified = match (&args.attestation, &args.key) {
        (Some(file), Some(key)) => Some((file.as_path(), verify_attestation(file, key)?)),
        _ => None,
    };
    let scan = ScanArgs {
        path: args.path.clone().unwrap_or_else(|| PathBuf::from(".")),
        offline: args.offline,
        online: false,
        cargo_metadata: false,
        exclude: args.exclude.clone(),
        include_vendored: false,
        build: Default::default(),
    };
    let policy = crate::policy::load(args.policy.as_deref(), &scan.path)?;
    let (inventory, source_kind, source_name) = match (&args.sbom, &args.path, &verified) {
        (Some(sbom), _, _) => (
            super::check::load_checked_inventory(&scan, Some(sbom), &policy)?,
            "sbom",
            sbom.display().to_string(),
        ),
        (None, Some(path), _) => (
            super::check::load_checked_inventory(&scan, None, &policy)?,
            "path",
            path.display().to_string(),
        ),
        (None, None, Some((file, attestation))) => (
            attested_inventory(file, attestation)?,
            "attestation",
            file.display().to_string(),
        ),
        (None, None, None) => bail!("nothing to record"),
    };
    super::warn_gaps(&inventory);
    let approval = verified.as_ref().map(|(_, attestation)| {
        // Drift only means something against an inventory read from elsewhere.
        let compared = (args.sbom.is_some() || args.path.is_some()).then(|| {
            let subject = args.sbom.as_deref().unwrap_or(&scan.path);
            (&inventory, subject)
        });
        approval(attestation, compared)
    });
    let policy_record = policy_record(&policy)?;
    let recorded_at = crate::util::rfc3339(crate::util::timestamp().map_err(anyhow::Error::msg)?);

    let mut store = super::open_store(&args.store)?;
    let recorded = store
        .record(&NewRelease {
            project: &args.project,
            environment: &args.environment,
            release: &args.release,
            commit: args.commit.as_deref(),
            deployed_at: args.deployed_at.as_deref(),
            recorded_at: &recorded_at,
            source_kind,
            source_name: &source_name,
            inventory: &inventory,
            policy: &policy_record,
            approval: approval.as_ref(),
        })
        .with_context(|| format!("cannot record into the store `{}`", store.display()))?;
    let replaced = recorded
        .replaced
        .map(|release| format!("; it replaces `{release}` as current"))
        .unwrap_or_else(|| "; the first release recorded there".to_string());
    let approved = approval
        .map(|approval| {
            format!(
                "; approved {} by key {}{}",
                approval.verdict.to_uppercase(),
                approval.key_id,
                if approval.drift.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} differences from the attested inventory",
                        approval.drift.len()
                    )
                }
            )
        })
        .unwrap_or_default();
    eprintln!(
        "recorded `{}` {} in {} ({} packages, {} new to the store, policy sha256 {}){replaced}{approved} — store `{}`",
        args.project,
        args.release,
        args.environment,
        recorded.packages,
        recorded.new_packages,
        policy_record.digest,
        store.display()
    );
    Ok(Outcome::Pass)
}

fn verify_attestation(file: &Path, key: &Path) -> anyhow::Result<VerifiedAttestation> {
    let trusted = keys::read_verifying_key(key)?;
    let bytes = fs_err::read(file)
        .with_context(|| format!("cannot read attestation `{}`", file.display()))?;
    crate::attest::verify(&bytes, &trusted).with_context(|| {
        format!(
            "attestation `{}` failed verification; nothing was recorded",
            file.display()
        )
    })
}

/// The attested components as an inventory (when no PATH or SBOM is given).
fn attested_inventory(file: &Path, attestation: &VerifiedAttestation) -> anyhow::Result<Inventory> {
    let text = serde_json::to_string(&attestation.document)
        .context("cannot re-serialise the attested document")?;
    Ok(crate::ingest::ingest_cyclonedx_text(file, &text)?)
}

/// The approval a verified attestation records, and (with an inventory read from PATH or an
/// SBOM) how that inventory differs from the attested one.
fn approval(
    attestation: &VerifiedAttestation,
    compared: Option<(&Inventory, &Path)>,
) -> ApprovalRecord {
    let summary = &attestation.summary;
    let drift_lines = compared
        .map(|(inventory, subject)| {
            let mut view = inventory.clone();
            view.inputs = super::attest::relative_inputs(&inventory.inputs, subject);
            let found = drift::compare(&attestation.document, &drift::inventory_document(&view));
            drift_lines(&found)
        })
        .unwrap_or_default();
    ApprovalRecord {
        verdict: summary.verdict.clone(),
        policy_name: summary.policy_name.clone(),
        policy_digest: summary.policy_digest.clone(),
        attested_at: summary.evaluated_at.clone(),
        key_id: attestation.key_id.clone(),
        components: summary.components,
        databases: summary
            .databases
            .iter()
            .map(|database| format!("{}@{}", database.name, database.revision))
            .collect(),
        violations: drift::recorded_violations(&attestation.document)
            .into_keys()
            .collect(),
        drift: drift_lines,
    }
}

/// The inventory differences of a drift, one line each (what `verify` prints).
fn drift_lines(found: &drift::Drift) -> Vec<String> {
    let mut lines = Vec::new();
    for component in &found.added {
        lines.push(format!("added: {}@{}", component.name, component.version));
    }
    for component in &found.removed {
        lines.push(format!("removed: {}@{}", component.name, component.version));
    }
    for change in &found.changed {
        lines.push(format!(
            "changed: {} {} -> {}",
            change.name, change.from, change.to
        ));
    }
    for change in &found.inputs {
        lines.push(format!(
            "input: `{}` {} -> {}",
            change.subject,
            change.attested.as_deref().unwrap_or("(absent)"),
            change.current.as_deref().unwrap_or("(absent)")
        ));
    }
    lines
}

/// The policy with its files' texts, so `monitor` can evaluate it again later.
fn policy_record(policy: &ValidPolicy) -> anyhow::Result<PolicyRecord> {
    let sources = policy.source_files();
    let files = if sources.is_empty() {
        vec![PolicyFile {
            path: PathBuf::from(crate::policy::BUILTIN_NAME),
            text: crate::policy::BUILTIN_DEFAULT.to_string(),
        }]
    } else {
        sources
            .into_iter()
            .map(|path| {
                let text = crate::util::read_input_text(&path)
                    .with_context(|| format!("cannot read policy file `{}`", path.display()))?;
                anyhow::Ok(PolicyFile { path, text })
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    Ok(PolicyRecord {
        digest: policy.digest(),
        name: policy.name.clone(),
        builtin: policy.source_files().is_empty(),
        files,
    })
}

/// The stored policy, validated again from its stored text (the built-in default as it was
/// when recorded). Its digest may differ from the recorded one if this depgate reads the
/// rules differently; every run records the digest it used.
pub(crate) fn stored_policy(record: &PolicyRecord) -> anyhow::Result<ValidPolicy> {
    let texts: Vec<(PathBuf, String)> = record
        .files
        .iter()
        .map(|file| (file.path.clone(), file.text.clone()))
        .collect();
    let source = if record.builtin {
        crate::policy::PolicySource::Builtin
    } else {
        crate::policy::PolicySource::Files {
            files: texts.iter().map(|(path, _)| path.clone()).collect(),
        }
    };
    crate::policy::validate(&texts, source).with_context(|| {
        format!(
            "the stored policy `{}` (sha256 {}) no longer validates",
            record.name, record.digest
        )
    })
}
