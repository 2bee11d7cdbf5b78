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
    /// Manage the Ed25519 keys that sign attestations.
    Key(KeyArgs),
    /// Verify a signed attestation (signature and document); with PATH or `--sbom`, report
    /// drift. Exit 0 valid and unchanged, 1 drift, 2 invalid signature or document.
    Verify(VerifyArgs),
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
    /// Also search `node_modules`, `target`, `vendor`, test `fixtures` and git-ignored files.
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

/// `depgate key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    /// What to do with keys.
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// `depgate key` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write a new Ed25519 key pair: `PREFIX.key` (PKCS#8 PEM, mode 0600) and `PREFIX.pub`
    /// (SPKI PEM).
    Generate(KeyGenerateArgs),
}

/// `depgate key generate`.
#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Path prefix of the two files: `PREFIX.key` and `PREFIX.pub`.
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

/// `depgate verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The attestation: a CycloneDX 1.6 JSON document with a JSF signature, or a DSSE envelope.
    pub attestation: PathBuf,
    /// The trusted public key (`PREFIX.pub`, SPKI PEM).
    #[arg(long, value_name = "PUBKEY")]
    pub key: PathBuf,
    /// Compare the attested inventory with this directory, lockfile or SBOM.
    #[arg(conflicts_with = "sbom")]
    pub path: Option<PathBuf>,
    /// Compare the attested inventory with this SBOM.
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
}
