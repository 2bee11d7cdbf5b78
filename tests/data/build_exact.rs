//! Build-exact resolution against cargo itself: for nushell, ripgrep and this repository,
//! three targets alone and two sets of several targets, each with three feature selections,
//! the crates (name, version) depgate resolves as compiled, each with its enabled features,
//! equal what `cargo tree --target T… -e normal,build --prefix none -f "{p} {f}" --workspace`
//! prints. With several targets cargo unifies a crate's features across them (one set for
//! all the requested targets, one for the host), and so must depgate.
//!
//! cargo runs here only as the reference, offline and `--locked` (it writes nothing into the
//! workspaces: `cargo tree` builds nothing, and its target directory points to a scratch
//! directory). When the crates are not in the cargo home, each case says `SKIPPED` loudly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::BuildSelection;

const LINUX: &str = "x86_64-unknown-linux-gnu";
const WINDOWS: &str = "x86_64-pc-windows-msvc";
const DARWIN: &str = "aarch64-apple-darwin";

/// The sets of `--target`s compared: each target alone, then several together.
const TARGET_SETS: &[&[&str]] = &[
    &[LINUX],
    &[WINDOWS],
    &[DARWIN],
    &[LINUX, WINDOWS],
    &[LINUX, DARWIN, WINDOWS],
];

/// A feature selection: its name and cargo's flags for it.
const SELECTIONS: &[(&str, &[&str])] = &[
    ("default", &[]),
    ("no-default-features", &["--no-default-features"]),
    ("all-features", &["--all-features"]),
];

/// One line of `cargo tree -f "{p} {f}"`: `name version features`.
type Line = (String, String, String);

/// cargo's answer, or `None` (after saying why) when cargo cannot run offline here.
fn cargo_tree(
    workspace: &Path,
    targets: &[&str],
    flags: &[&str],
    scratch: &Path,
) -> Option<BTreeSet<Line>> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()))
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", scratch)
        .args(["tree", "--offline", "--locked", "--workspace"])
        .args(targets.iter().flat_map(|target| ["--target", target]))
        .args(["-e", "normal,build", "--prefix", "none", "-f", "{p} {f}"])
        .args(flags)
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "SKIPPED: `cargo tree` failed in `{}` (crates not fetched? run `cargo fetch --locked` in a copy): {}",
            workspace.display(),
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        );
        return None;
    }
    Some(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(parse_tree_line)
            .collect(),
    )
}

/// `name vX.Y.Z [(source)] [(proc-macro)] [features] [(*)]`.
fn parse_tree_line(line: &str) -> Line {
    let line = line.trim_end().trim_end_matches(" (*)");
    let mut words = line.split(' ');
    let name = words.next().unwrap_or_default().to_string();
    let version = words
        .next()
        .unwrap_or_default()
        .trim_start_matches('v')
        .to_string();
    // The features are the last word unless it closes a parenthesised source or flag.
    let rest: Vec<&str> = words.collect();
    let features = match rest.last() {
        Some(last) if !last.ends_with(')') && !last.is_empty() => last.to_string(),
        _ => String::new(),
    };
    (name, version, features)
}

/// depgate's answer for the targets together: every unit compiled for any of them.
fn depgate_lines(lockfile: &Path, targets: &[&str], flags: &[&str]) -> BTreeSet<Line> {
    let selection = BuildSelection {
        targets: targets.iter().map(|t| t.to_string()).collect(),
        all_features: flags.contains(&"--all-features"),
        no_default_features: flags.contains(&"--no-default-features"),
        ..BuildSelection::default()
    };
    let options = IngestOptions {
        build: selection,
        ..IngestOptions::default()
    };
    let inventory = ingest(lockfile, &options).unwrap_or_else(|e| panic!("{e}"));
    let build = inventory.build.as_ref().expect("a build was requested");
    let mut lines = BTreeSet::new();
    for (id, package) in &build.packages {
        let crate_ = inventory.package(*id);
        for target in targets {
            let Some(units) = package.targets.get(*target) else {
                continue;
            };
            for features in units.target.iter().chain(units.host.iter()) {
                let joined = features.iter().cloned().collect::<Vec<_>>().join(",");
                lines.insert((crate_.name.clone(), crate_.version.clone(), joined));
            }
        }
    }
    lines
}

fn compare(name: &str, workspace: &Path) {
    let lockfile = workspace.join("Cargo.lock");
    assert!(lockfile.is_file(), "{}", lockfile.display());
    let scratch = tempfile::tempdir().unwrap();
    for (selection, flags) in SELECTIONS {
        for targets in TARGET_SETS {
            let Some(reference) = cargo_tree(workspace, targets, flags, scratch.path()) else {
                return;
            };
            let ours = depgate_lines(&lockfile, targets, flags);
            let missing: Vec<_> = reference.difference(&ours).take(15).collect();
            let extra: Vec<_> = ours.difference(&reference).take(15).collect();
            let targets = targets.join(" + ");
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{name} {targets} {selection}: {} lines from cargo, {} from depgate\nonly in cargo tree: {missing:#?}\nonly in depgate: {extra:#?}",
                reference.len(),
                ours.len()
            );
            eprintln!(
                "{name} {targets} {selection}: {} units equal cargo tree",
                reference.len()
            );
        }
    }
}

fn shared_workspace(name: &str) -> Option<PathBuf> {
    let dir = crate::data_dir()?.join("workspaces").join(name);
    assert!(dir.is_dir(), "{}", dir.display());
    Some(dir)
}

#[test]
fn nushell_build_equals_cargo_tree() {
    if let Some(dir) = shared_workspace("nushell") {
        compare("nushell", &dir);
    }
}

#[test]
fn ripgrep_build_equals_cargo_tree() {
    if let Some(dir) = shared_workspace("ripgrep") {
        compare("ripgrep", &dir);
    }
}

#[test]
fn this_repository_build_equals_cargo_tree() {
    compare("depgate", Path::new(env!("CARGO_MANIFEST_DIR")));
}

#[test]
fn tree_lines_parse() {
    assert_eq!(
        parse_tree_line("nu v0.114.1 (/w/nushell) default,lsp"),
        ("nu".into(), "0.114.1".into(), "default,lsp".into())
    );
    assert_eq!(
        parse_tree_line("serde_derive v1.0.228 (proc-macro) default (*)"),
        ("serde_derive".into(), "1.0.228".into(), "default".into())
    );
    assert_eq!(
        parse_tree_line("itoa v1.0.15 "),
        ("itoa".into(), "1.0.15".into(), String::new())
    );
}

/// The SBOMs of a build (ripgrep for Windows, with its properties) validate against the
/// official schemas.
#[test]
fn build_sboms_are_schema_valid() {
    let Some(data) = crate::data_dir() else {
        return;
    };
    let options = IngestOptions {
        build: BuildSelection {
            targets: vec!["x86_64-pc-windows-msvc".to_string()],
            features: vec!["pcre2".to_string()],
            ..BuildSelection::default()
        },
        ..IngestOptions::default()
    };
    let lockfile = data.join("workspaces/ripgrep/Cargo.lock");
    let inventory = ingest(&lockfile, &options).unwrap_or_else(|e| panic!("{e}"));
    let view = inventory.build_view();
    assert!(view.packages().len() < inventory.packages().len());
    assert!(view.build.is_some());
    let validators = crate::sbom::Validators::load(&data);
    crate::sbom::validate_all(&validators, &view, "ripgrep for Windows");
    crate::spdx3::validate(
        &crate::spdx3::spdx3_validator(&data),
        &view,
        "ripgrep for Windows",
    );
    let info = depgate::report::DocumentInfo::new(
        "ripgrep",
        time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap(),
    );
    let spdx3 = String::from_utf8(depgate::report::spdx3::to_json(&view, &info).unwrap()).unwrap();
    assert!(
        spdx3.contains("depgate:build:target=x86_64-pc-windows-msvc"),
        "{spdx3}"
    );
}
