//! Runs the pipeline stages for each command: ingest -> enrich -> evaluate -> report.
//!
//! In: parsed [`Cli`]. Out: an [`Outcome`] that `main` maps to an exit code, or an error
//! (exit 2, or 3 for nothing to scan). Only this module and `main` write to stdout/stderr.

mod attest;
mod check;
mod comment;
mod dashboard;
mod db;
mod diff;
mod explain;
mod history;
mod inventory;
mod key;
mod licenses;
mod monitor;
mod notices;
pub mod outputs;
mod policy;
mod record;
pub mod revision;
mod sbom;
mod sbom_merge;
mod sbom_score;
mod verify;
mod vex;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::cli::{Cli, Command, ScanArgs};
use crate::ingest::{IngestError, IngestOptions, LicenseFiles};
use crate::inventory::Inventory;

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything passed (exit 0).
    Pass,
    /// The policy was violated, or for `verify` drift was found (exit 1).
    Violated,
    /// There was nothing to scan (exit 3).
    NothingToScan,
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Pass => 0,
            Outcome::Violated => 1,
            Outcome::NothingToScan => 3,
        }
    }
}

/// The exit code for an error: 3 when there was nothing to scan, otherwise 2.
pub fn error_exit_code(error: &anyhow::Error) -> u8 {
    let nothing = error.chain().any(|cause| {
        cause
            .downcast_ref::<IngestError>()
            .is_some_and(IngestError::is_nothing_to_scan)
    });
    if nothing { 3 } else { 2 }
}

/// `--fail-on` as the gate reads it.
pub(crate) fn fail_on(flag: crate::cli::FailOn) -> crate::evaluate::FailOn {
    match flag {
        crate::cli::FailOn::Deny => crate::evaluate::FailOn::Deny,
        crate::cli::FailOn::Warn => crate::evaluate::FailOn::Warn,
    }
}

/// Runs one command.
pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    crate::util::set_limits(crate::util::Limits {
        max_input_bytes: cli
            .max_input_mb
            .map_or(crate::util::MAX_INPUT_BYTES, |mib| mib * 1024 * 1024),
        max_packages: cli.max_packages.unwrap_or(crate::util::MAX_PACKAGES),
    });
    // Facts derived from inputs that do not change under the same key (license-text
    // detections by the text's hash, published crates' manifests by checksum, yanked flags by
    // index file stamp, resolved builds by their inputs) are kept beside the advisory
    // databases (`DEPGATE_CACHE`).
    crate::util::use_derived_cache(if cli.no_cache {
        None
    } else {
        crate::net::cache_dir()
    });
    match cli.command {
        Command::Sbom(args) => sbom::run(*args),
        Command::Explain(args) => explain::run(args),
        Command::Check(args) => check::run(args),
        Command::Policy(command) => policy::run(command),
        Command::Key(args) => key::run(args),
        Command::Attest(args) => attest::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Licenses(args) => licenses::run(args),
        Command::Notices(args) => notices::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Comment(args) => comment::run(args),
        Command::Db(args) => db::run(args),
        Command::Vex(args) => vex::run(args),
        Command::Record(args) => record::run(args),
        Command::Monitor(args) => monitor::run(args),
        Command::History(args) => history::run(args),
        Command::Dashboard(args) => dashboard::run(args),
    }
}

/// Turns the shared scan flags into ingest options.
pub(crate) fn ingest_options(scan: &ScanArgs) -> IngestOptions {
    IngestOptions {
        offline: scan.offline,
        cargo_metadata: scan.cargo_metadata,
        exclude: scan.exclude.clone(),
        include_vendored: scan.include_vendored,
        cargo_home: None,
        license_files: LicenseFiles::All,
        build: build_selection(&scan.build),
    }
}

/// The build-exact flags as the resolver reads them.
pub(crate) fn build_selection(args: &crate::cli::BuildArgs) -> crate::inventory::BuildSelection {
    crate::inventory::BuildSelection {
        targets: args.targets.clone(),
        features: args.features.clone(),
        all_features: args.all_features,
        no_default_features: args.no_default_features,
        packages: args.packages.clone(),
    }
}

/// Ingests the scan path, with the path in the error context.
pub(crate) fn load_inventory(scan: &ScanArgs) -> anyhow::Result<Inventory> {
    let inventory = crate::ingest::ingest(&scan.path, &ingest_options(scan))?;
    Ok(inventory)
}

/// [`load_inventory`] for an SBOM or a verdict, which show no license files: only those of
/// packages without a declared license are listed (they are read to detect one).
pub(crate) fn load_inventory_for_verdict(scan: &ScanArgs) -> anyhow::Result<Inventory> {
    let options = IngestOptions {
        license_files: LicenseFiles::Undeclared,
        ..ingest_options(scan)
    };
    Ok(crate::ingest::ingest(&scan.path, &options)?)
}

/// The inventory of the requested build alone (`--target`, `--features`), for the outputs
/// that list what ships (SBOMs, license reports, notices, diffs); standard error says how many
/// crates the build leaves out. Without a build, the inventory as it is.
pub(crate) fn build_view(inventory: Inventory) -> Inventory {
    if let Some(build) = &inventory.build {
        let left_out = inventory.not_compiled_count();
        if left_out > 0 {
            let (crates, are) = if left_out == 1 {
                ("crate", "is")
            } else {
                ("crates", "are")
            };
            eprintln!(
                "note: {left_out} {crates} of the lockfile {are} not compiled for {} and left out",
                build.selection.describe()
            );
        }
    }
    inventory.into_build_view()
}

/// Writes `bytes` to `output` atomically, or to standard output when there is none.
pub(crate) fn emit(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(path) => crate::util::write_atomic(path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
                // A reader that stops early (`depgate sbom | head`) is not an error of ours.
                Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                result => Ok(result?),
            }
        }
    }
}

/// Adds license facts to packages whose input carried none: first this machine's local
/// package stores (site-packages, `node_modules`, the Go module cache, `~/.m2`), then with
/// `--online` the registry APIs (answers cached under `<cache>/licenses`), then
/// license-text detection over the package's license files (with its confidence score).
/// `policy_allows_online` is the policy's `[licenses] registry-lookups`, which allows what
/// `--online` allows; `--offline` always wins.
pub(crate) fn enrich_licenses(
    inventory: &mut Inventory,
    scan: &ScanArgs,
    policy_allows_online: bool,
) {
    provide_licenses(inventory, scan, policy_allows_online);
    crate::enrich::license_text::detect_missing_licenses(inventory);
}

/// [`enrich_licenses`] for a verdict under `licenses`: license texts are matched only when
/// the policy judges licenses at all. A policy whose every license rule is `allow` (one that
/// gates on advisories alone, as `cargo audit` does) would spend the matcher's time (a tenth
/// of a second for one short text) on a fact no rule reads; the packages whose license was
/// left undetected are a coverage gap that says why.
pub(crate) fn enrich_licenses_for_verdict(
    inventory: &mut Inventory,
    scan: &ScanArgs,
    licenses: &crate::policy::LicensePolicy,
) {
    if licenses.judges_licenses() {
        return enrich_licenses(inventory, scan, licenses.registry_lookups);
    }
    provide_licenses(inventory, scan, licenses.registry_lookups);
    let undetected = inventory
        .packages()
        .iter()
        .filter(|package| package.license.is_none() && !package.license_files.is_empty())
        .count();
    if undetected > 0 {
        inventory.add_gap(
            "license-not-detected",
            format!(
                "the license texts of {undetected} packages that declare no license were not matched: the policy judges no license (every `[licenses]` rule is `allow`)"
            ),
            undetected,
        );
    }
}

/// The license facts of local package stores and, when allowed, the registries.
fn provide_licenses(inventory: &mut Inventory, scan: &ScanArgs, policy_allows_online: bool) {
    use crate::enrich::licenses::{LocalPaths, ProviderOptions, registry::RegistryConfig};
    let env = |name: &str| std::env::var(name).ok();
    let mut providers = LocalPaths::discover(&scan.path, env).providers();
    let online = (scan.online || policy_allows_online) && !scan.offline;
    if online {
        providers.extend(RegistryConfig::from_env(env).providers());
    }
    crate::enrich::licenses::enrich_licenses(
        inventory,
        &providers,
        &ProviderOptions { offline: !online },
    );
}

/// The advisory databases a command reads: the `--advisory-db` paths when given, else every
/// database `db update` keeps in the cache (an empty set when there is none). Loading needs no
/// inventory, so callers may run it beside the scan.
pub(crate) fn load_advisories(
    explicit: &[std::path::PathBuf],
) -> anyhow::Result<crate::enrich::advisories::AdvisorySet> {
    load_advisory_databases(&advisory_database_paths(explicit))
}

/// Where the advisory databases of [`load_advisories`] are: the `--advisory-db` paths, else
/// the databases in the cache.
pub(crate) fn advisory_database_paths(explicit: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    crate::net::cache_dir()
        .as_deref()
        .map(crate::net::cached_databases)
        .unwrap_or_default()
        .into_iter()
        .map(|database| database.path)
        .collect()
}

/// Loads the databases at `paths` into one set (through their indexes in the cache).
pub(crate) fn load_advisory_databases(
    paths: &[std::path::PathBuf],
) -> anyhow::Result<crate::enrich::advisories::AdvisorySet> {
    use crate::enrich::advisories::{self, AdvisorySet, LoadOptions};
    if paths.is_empty() {
        return Ok(AdvisorySet::new(Vec::new(), Vec::new()));
    }
    let options = LoadOptions {
        index_dir: crate::net::cache_dir().map(|dir| dir.join("index")),
    };
    Ok(advisories::load_sources(paths, &options)?)
}

/// The inventory's advisory matches in `set`, plus the yanked facts of its crates.io packages
/// (from cargo's local index cache) when there is any database.
pub(crate) fn advisory_matches(
    inventory: &Inventory,
    set: &crate::enrich::advisories::AdvisorySet,
) -> Vec<crate::enrich::advisories::AdvisoryMatch> {
    let yanked = (!set.databases.is_empty()).then(|| yanked_facts(inventory));
    advisory_matches_with_yanked(inventory, set, yanked.as_ref())
}

/// The yanked facts of the inventory's crates.io packages, from cargo's local index cache.
pub(crate) fn yanked_facts(inventory: &Inventory) -> crate::enrich::advisories::YankedFacts {
    use crate::enrich::advisories;
    advisories::yanked_facts(inventory, advisories::cargo_home().as_deref())
}

/// [`advisory_matches`] with the yanked facts gathered already (while the databases loaded);
/// they count only when there is a database, as there.
pub(crate) fn advisory_matches_with_yanked(
    inventory: &Inventory,
    set: &crate::enrich::advisories::AdvisorySet,
    yanked: Option<&crate::enrich::advisories::YankedFacts>,
) -> Vec<crate::enrich::advisories::AdvisoryMatch> {
    use crate::enrich::advisories;
    if set.databases.is_empty() {
        return Vec::new();
    }
    let mut matches = advisories::match_inventory(inventory, set);
    if let Some(facts) = yanked {
        matches.extend(advisories::yanked_matches(facts));
    }
    matches
}

/// Opens the store named by `--store` (or `DEPGATE_STORE`, or the default file).
pub(crate) fn open_store(args: &crate::cli::StoreArgs) -> anyhow::Result<crate::store::Store> {
    let location = crate::store::StoreLocation::resolve(args.store.as_deref()).ok_or_else(|| {
        anyhow::anyhow!("no store given and no user data directory: pass `--store PATH` or set `DEPGATE_STORE`")
    })?;
    Ok(crate::store::Store::open(&location)?)
}

/// Prints the inventory's gaps to standard error, so missing facts are never silent.
pub(crate) fn warn_gaps(inventory: &Inventory) {
    for gap in &inventory.gaps {
        eprintln!("warning: {}", gap.message);
    }
}
