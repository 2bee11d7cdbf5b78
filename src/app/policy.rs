//! `depgate policy test` (run the test cases beside the rules) and `depgate policy lint`
//! (validate, and with an inventory report entries that match nothing).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::{PolicyCommand, PolicyLintArgs, PolicyTestArgs, ScanArgs};
use crate::evaluate::FindingCode;
use crate::evaluate::policy_tests;

use super::Outcome;

/// Runs a `depgate policy` subcommand.
pub fn run(command: PolicyCommand) -> anyhow::Result<Outcome> {
    match command {
        PolicyCommand::Test(args) => test(args),
        PolicyCommand::Lint(args) => lint(args),
    }
}

/// The test files a path names: the file, or every `*.tests.toml`/`*.test.toml` in a directory.
fn test_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    // Anything but a directory is read as a test file (and a FIFO or device is refused then).
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = fs_err::read_dir(path)
        .with_context(|| format!("cannot read policy tests in `{}`", path.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".tests.toml") || n.ends_with(".test.toml"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!("no policy tests (`*.tests.toml`) in `{}`", path.display());
    }
    Ok(files)
}

fn test(args: PolicyTestArgs) -> anyhow::Result<Outcome> {
    let default_today = super::check::today(args.today);
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in test_files(&args.path)? {
        let text = crate::util::read_input_text(&file)?;
        let tests = policy_tests::parse(&file, &text)?;
        let policy_path = policy_tests::policy_path(&file, &tests);
        let policy = crate::policy::load(Some(&policy_path), Path::new("."))?;
        let today = match &tests.today {
            Some(text) => crate::policy::parse_date(text).unwrap_or(default_today),
            None => default_today,
        };
        let _ = writeln!(
            out,
            "running {} cases from `{}` against `{}`",
            tests.cases.len(),
            file.display(),
            policy_path.display()
        );
        for case in &tests.cases {
            let result = policy_tests::run_case(case, &policy, today, &file);
            if result.passed() {
                passed += 1;
                let _ = writeln!(out, "test {} ... ok", result.name);
            } else {
                failed += 1;
                let _ = writeln!(out, "test {} ... FAILED", result.name);
                for missing in &result.missing {
                    let _ = writeln!(out, "    expected but not found: {missing}");
                }
                for unexpected in &result.unexpected {
                    let _ = writeln!(out, "    found but not expected: {unexpected}");
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\npolicy test result: {}. {passed} passed, {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" }
    );
    super::emit(None, out.as_bytes())?;
    Ok(if failed == 0 {
        Outcome::Pass
    } else {
        Outcome::Violated
    })
}

fn lint(args: PolicyLintArgs) -> anyhow::Result<Outcome> {
    let root = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let policy = crate::policy::load(args.policy.as_deref(), &root)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policy `{}` from {} is valid ({} rules, {} waivers, digest {})",
        policy.name,
        policy.source_description(),
        policy.rule_ids().len(),
        policy.waivers.waivers.len(),
        &policy.digest()[..12]
    );
    let mut warnings = Vec::new();
    if let Some(path) = &args.path {
        let scan = ScanArgs {
            path: path.clone(),
            online: false,
            offline: args.offline,
            cargo_metadata: false,
            exclude: Vec::new(),
            include_vendored: false,
            build: Default::default(),
        };
        let mut inventory = super::load_inventory(&scan)?;
        crate::enrich::manifests::hash_pinned_files(
            &mut inventory,
            &policy.licenses.pinned_files(),
        );
        warnings.extend(crate::evaluate::licenses::unused_allow_entries(
            &inventory,
            &policy.licenses,
        ));
        // Exceptions, clarifications and waivers that match nothing come out of evaluation.
        let today = time::OffsetDateTime::now_utc().date();
        let evaluation = crate::evaluate::evaluate(&inventory, &policy, today);
        for finding in &evaluation.findings {
            if matches!(
                finding.code,
                FindingCode::UnusedException | FindingCode::UnusedWaiver
            ) {
                warnings.push(finding.message.clone());
            }
        }
        let _ = writeln!(
            out,
            "checked against {} packages from `{}`",
            inventory.packages().len(),
            path.display()
        );
    }
    for warning in &warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    super::emit(None, out.as_bytes())?;
    Ok(Outcome::Pass)
}
