//! The command-line surface: clap structs for raw flags, turned into validated options by `app`.
//!
//! The commands, flags and exit codes here are an interface users' pipelines depend on; see
//! the README before changing any of them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// depgate: dependency inventory, policy gate, SBOMs and attestations.
#[derive(Debug, Parser)]
#[command(name = "depgate", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an SBOM (CycloneDX JSON/XML, SPDX JSON) of a path.
    Sbom(SbomArgs),
    /// Why a package is present: the dependency paths from each root.
    Explain(ExplainArgs),
    /// Download, inspect and locate the cached advisory databases.
    Db(DbArgs),
}

/// What to scan and how to read it; shared by every command that reads a repository.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// A directory (searched for every supported file) or a single lockfile or SBOM.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Never use the network (also passed to `cargo metadata`).
    #[arg(long)]
    pub offline: bool,
    /// Resolve Cargo workspaces with `cargo metadata` instead of reading manifests directly.
    #[arg(long)]
    pub cargo_metadata: bool,
    /// Leave out files matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also search `node_modules`, `target`, `vendor` and git-ignored files.
    #[arg(long)]
    pub include_vendored: bool,
}

/// SBOM output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CyclonedxJson,
    /// CycloneDX XML.
    CyclonedxXml,
    /// SPDX 2.3 JSON.
    SpdxJson,
}

/// CycloneDX specification versions we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SpecVersion {
    /// CycloneDX 1.5 (JSON and XML).
    #[value(name = "1.5")]
    V1_5,
    /// CycloneDX 1.6 (JSON).
    #[value(name = "1.6")]
    V1_6,
}

/// `depgate sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "cyclonedx-json")]
    pub format: SbomFormat,
    /// CycloneDX spec version (default 1.6 for JSON, 1.5 for XML).
    #[arg(long, value_enum)]
    pub spec_version: Option<SpecVersion>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `depgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The package: `NAME` or `NAME@VERSION`.
    pub package: String,
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// At most this many paths per package version.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
}

/// `depgate db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: DbAction,
}

/// `depgate db update|status|path`.
#[derive(Debug, Subcommand)]
pub enum DbAction {
    /// Download the RustSec database and OSV exports into the cache (atomically, under a lock).
    Update(DbUpdateArgs),
    /// Show each cached database's source, revision, age and advisory count.
    Status,
    /// Print the cache directory (`DEPGATE_CACHE`, else the platform cache dir + `depgate`).
    Path,
}

/// `depgate db update`.
#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// OSV ecosystem to download (`crates.io`, `PyPI`, `Go`, `npm`, ...); repeatable.
    #[arg(long = "ecosystem", value_name = "ECOSYSTEM", default_values_t = vec!["crates.io".to_string()])]
    pub ecosystems: Vec<String>,
    /// URL of the RustSec advisory-db `.tar.gz` archive.
    #[arg(long, env = "DEPGATE_RUSTSEC_URL", value_name = "URL")]
    pub rustsec_url: Option<String>,
    /// Base URL of the OSV exports (`<URL>/<Ecosystem>/all.zip`).
    #[arg(long, env = "DEPGATE_OSV_URL", value_name = "URL")]
    pub osv_url: Option<String>,
    /// Do not download the RustSec database.
    #[arg(long)]
    pub no_rustsec: bool,
    /// Largest download accepted, in MiB.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    pub max_size: u64,
    /// Retries after a failed attempt (5xx, 429, timeouts, broken transfers).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
}
