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
    /// The gate: evaluate the policy and fail (exit 1) on violations.
    Check(CheckArgs),
    /// Work on policy files: run their tests, or lint them.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Manage the Ed25519 keys that sign attestations.
    Key(KeyArgs),
    /// Verify a signed attestation (signature and document); with PATH or `--sbom`, report
    /// drift. Exit 0 valid and unchanged, 1 drift, 2 invalid signature or document.
    Verify(VerifyArgs),
    /// The license report: every package grouped by license, with categories, provenance
    /// and (with a policy) verdicts.
    Licenses(LicensesArgs),
    /// Third-party notices: license texts, copyright lines and NOTICE files; `--strict` exits
    /// 1 when a package needs attention.
    Notices(NoticesArgs),
    /// Debug: print the ingested inventory (packages, edges, roots, gaps).
    #[command(hide = true)]
    Inventory(InventoryArgs),
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
    /// Convert this existing SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) instead of
    /// scanning PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "path")]
    pub from: Option<PathBuf>,
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

/// Formats for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// A terminal table grouped by severity.
    Table,
    /// JSON, schema `depgate.findings/v1`.
    Json,
    /// Markdown, for a CI job summary or a pull-request comment.
    Markdown,
}

impl FindingsFormat {
    /// Parses the spelling used in `--output FORMAT=FILE`.
    pub fn parse(text: &str) -> Option<FindingsFormat> {
        match text {
            "table" => Some(FindingsFormat::Table),
            "json" => Some(FindingsFormat::Json),
            "markdown" => Some(FindingsFormat::Markdown),
            _ => None,
        }
    }
}

/// The lowest severity that fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only `deny` rules (severity `error`) fail.
    Deny,
    /// `warn` rules (severity `warning`) fail too.
    Warn,
}

/// `depgate check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// A policy file, or a directory whose `*.toml` files are merged. Default: `depgate.toml`
    /// or `rules/` in PATH, else the built-in default policy.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FindingsFormat,
    /// The lowest severity that fails the gate (exit 1).
    #[arg(long, value_enum, default_value = "deny")]
    pub fail_on: FailOn,
    /// Also write FORMAT (table, json, markdown) to FILE, atomically; repeatable.
    #[arg(long = "output", value_name = "FORMAT=FILE")]
    pub outputs: Vec<String>,
    /// The date waivers are judged against (`YYYY-MM-DD`; for tests). Default: today (UTC).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

/// `depgate policy ...`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the test cases (`*.tests.toml`) kept beside the rules.
    Test(PolicyTestArgs),
    /// Validate policy files; with an inventory, report entries that match nothing.
    Lint(PolicyLintArgs),
}

/// `depgate policy test`.
#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// A directory of rules with `*.tests.toml` files, or one test file.
    #[arg(default_value = "rules")]
    pub path: PathBuf,
    /// The date waivers are judged against when a test file sets none (default: today, UTC).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

/// `depgate policy lint`.
#[derive(Debug, Args)]
pub struct PolicyLintArgs {
    /// A policy file or directory (default: found in PATH like `check` does).
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// A path to scan: entries that match nothing in its inventory are reported.
    pub path: Option<PathBuf>,
    /// Never use the network.
    #[arg(long)]
    pub offline: bool,
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

/// Output formats of the debug `depgate inventory` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// One line per root and package, then the gaps.
    Text,
    /// The whole inventory as JSON (`depgate.inventory/debug`; not a stable schema).
    Json,
}

/// `depgate inventory` (hidden; for debugging parsers and benchmarks).
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: InventoryFormat,
}

/// Formats of the license report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LicensesFormat {
    /// Terminal tables.
    Table,
    /// Markdown.
    Markdown,
    /// JSON, schema `depgate.licenses/v1`.
    Json,
    /// CSV, one row per package.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// `depgate licenses`.
#[derive(Debug, Args)]
pub struct LicensesArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Report on this SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value) instead of scanning PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "path")]
    pub sbom: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: LicensesFormat,
    /// A policy file or directory: adds clarifications and a verdict per license group.
    /// Default: `depgate.toml` or `rules/` in PATH when present (never the built-in policy).
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The date waivers are judged against (`YYYY-MM-DD`; for tests). Default: today (UTC).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

/// Formats of the third-party notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NoticesFormat {
    /// Plain text (`THIRD-PARTY-NOTICES.txt`).
    Text,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// JSON, schema `depgate.notices/v1`.
    Json,
}

/// `depgate notices`.
#[derive(Debug, Args)]
pub struct NoticesArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Write notices for this SBOM's components instead of scanning PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "path")]
    pub sbom: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: NoticesFormat,
    /// A policy file or directory whose license clarifications apply. Default: `depgate.toml`
    /// or `rules/` in PATH when present.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when any package needs attention (no license text or copyright holder found).
    #[arg(long)]
    pub strict: bool,
}
