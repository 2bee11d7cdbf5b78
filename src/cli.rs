//! The command-line surface: clap structs for raw flags, turned into validated options by `app`.
//!
//! The commands, flags and exit codes here are an interface users' pipelines depend on; see
//! docs/cli.md before changing any of them (a change needs a reason in the README).

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// depgate: dependency inventory, policy gate, SBOMs and attestations.
#[derive(Debug, Parser)]
#[command(name = "depgate", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// Neither read nor write depgate's on-disk caches of derived facts (license-text
    /// detection results, the manifest facts of published crates, yanked flags, resolved
    /// builds); everything is computed afresh.
    #[arg(long, global = true, env = "DEPGATE_NO_CACHE",
        value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
    /// The largest input file read (lockfile, manifest, SBOM, policy, advisory record), in
    /// MiB (default 256); a larger one is an error (exit 2).
    #[arg(long, global = true, env = "DEPGATE_MAX_INPUT_MB", value_name = "MIB",
        value_parser = clap::value_parser!(u64).range(1..=1024 * 1024))]
    pub max_input_mb: Option<u64>,
    /// The most packages one scan may hold, all files of a directory together (default
    /// 2000000); more is an error (exit 2).
    #[arg(long, global = true, env = "DEPGATE_MAX_PACKAGES", value_name = "COUNT",
        value_parser = parse_package_limit)]
    pub max_packages: Option<usize>,
}

/// A package limit: a positive whole number.
fn parse_package_limit(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(format!(
            "`{text}` is not a positive whole number of packages"
        )),
    }
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an SBOM (CycloneDX JSON/XML, SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD) of a path; score
    /// or merge SBOMs.
    Sbom(Box<SbomArgs>),
    /// Why a package is present: the dependency paths from each root.
    Explain(ExplainArgs),
    /// The gate: evaluate the policy and fail (exit 1) on violations.
    Check(CheckArgs),
    /// Work on policy files: run their tests, or lint them.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Manage the Ed25519 keys that sign attestations.
    Key(KeyArgs),
    /// Evaluate like `check` and write the verdict as a signed CycloneDX 1.6 attestation.
    /// Exit 0 pass, 1 policy violated (the attestation is written either way), 2 error.
    Attest(AttestArgs),
    /// Verify a signed attestation (signature and document); with PATH or `--sbom`,
    /// re-evaluate and report drift. Exit 0 valid and unchanged, 1 drift or new violations, 2
    /// invalid signature or document.
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
    /// What changed between two states (lockfiles, directories, SBOMs, or `git:REV[:PATH]`):
    /// packages added, removed, upgraded, downgraded; license and source changes.
    Diff(DiffArgs),
    /// Create or update the one depgate comment on a GitHub pull request.
    Comment(CommentArgs),
    /// Download, inspect and locate the cached advisory databases.
    Db(DbArgs),
    /// What depgate decided about each vulnerability advisory, as a VEX document (OpenVEX,
    /// CycloneDX or CSAF): waived advisories are not affected, statements from `--vex`
    /// documents are carried over, the rest are affected with their fix.
    Vex(VexArgs),
    /// Record a deployed (or released) state in the store; it becomes the current release of
    /// its project and environment.
    Record(RecordArgs),
    /// Re-evaluate every current release in the store against today's databases, policies
    /// and date; report what changed since the previous run. Exit 1 on new violations.
    Monitor(MonitorArgs),
    /// A project's releases and every verdict about them, with the policy digest and database
    /// revisions each was judged with.
    History(HistoryArgs),
    /// Write the dashboard: posture by project, environment and owner, trends, expiring
    /// waivers, open advisories, deployed versus approved.
    Dashboard(DashboardArgs),
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
    /// Look up licenses that no lockfile or local metadata states in the registries' APIs
    /// (npm, PyPI, crates.io, RubyGems, NuGet, Maven Central, then deps.dev), with answers
    /// cached on disk. Off by default: scans are offline-first.
    #[arg(long, conflicts_with = "offline")]
    pub online: bool,
    /// Resolve Cargo workspaces with `cargo metadata` instead of reading manifests directly.
    #[arg(long)]
    pub cargo_metadata: bool,
    /// Leave out files matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also search `node_modules`, `target`, `vendor` and git-ignored files.
    #[arg(long)]
    pub include_vendored: bool,
    /// Which build of a Cargo workspace counts (`--target`, `--features`, ...).
    #[command(flatten)]
    pub build: BuildArgs,
}

/// Build-exact Rust: which build of a Cargo workspace counts (docs/build-exact.md). Without
/// any of these flags every crate of the lockfile counts, for every platform and feature.
#[derive(Debug, Clone, Default, Args)]
pub struct BuildArgs {
    /// Only the crates compiled for this target triple (e.g. `x86_64-unknown-linux-gnu`);
    /// repeatable: the targets are resolved together as cargo builds them (one feature set
    /// across them) and a crate counts when compiled for any. Default: every platform.
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Features to enable on the workspace members, comma- or space-separated;
    /// `member/feature` for one member's; repeatable.
    #[arg(long = "features", short = 'F', value_name = "LIST")]
    pub features: Vec<String>,
    /// Enable every feature of the workspace members.
    #[arg(long)]
    pub all_features: bool,
    /// Do not enable the members' `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// The workspace member the build starts from (and the features apply to); repeatable.
    /// Default: every member (`cargo tree --workspace`).
    #[arg(long = "package", value_name = "MEMBER")]
    pub packages: Vec<String>,
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
    /// SPDX 3.0.1 JSON-LD.
    Spdx3Json,
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

/// `depgate sbom`: write an SBOM of PATH, or (subcommands) score or merge existing SBOMs.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SbomArgs {
    /// `score` or `merge`; without one, write an SBOM of PATH.
    #[command(subcommand)]
    pub command: Option<SbomCommand>,
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Convert this existing SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value, SPDX 3 JSON-LD)
    /// instead of scanning PATH.
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
    /// Who made the SBOM and the product it describes.
    #[command(flatten)]
    pub product: ProductArgs,
}

/// An SBOM profile: the fields a guideline requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomProfile {
    /// BSI TR-03183-2 v2.1.0 (CycloneDX 1.6 JSON/XML or SPDX 3.0.1).
    #[value(name = "bsi-tr-03183-2")]
    BsiTr031832,
}

/// The product's own facts, for `sbom` and `sbom merge`.
#[derive(Debug, Clone, Args)]
pub struct ProductArgs {
    /// Fill every field this profile requires that depgate can know, and warn (with counts)
    /// about the others.
    #[arg(long, value_enum)]
    pub profile: Option<SbomProfile>,
    /// Who made the SBOM: `Name <email>`, `Name <https://url>`, an e-mail address or a URL.
    /// Default: `[sbom] creator` in the policy.
    #[arg(long, value_name = "PARTY")]
    pub creator: Option<String>,
    /// Who supplies the product, in the same forms. Default: `[sbom] supplier`.
    #[arg(long, value_name = "PARTY")]
    pub supplier: Option<String>,
    /// The deployable product (binary, archive, image): hashed (SHA-256, SHA-512) and
    /// described by its file name and properties.
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<PathBuf>,
    /// A policy whose `[sbom]` section names the creator and supplier the flags do not.
    /// Default with `--profile`: `depgate.toml` or `rules/` in PATH, when present.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
}

/// `depgate sbom score|merge`.
#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Per-field coverage of SBOMs and a verdict against the NTIA minimum elements and
    /// BSI TR-03183-2 v2.1.0. Exit 0 when every file meets `--require` (default: none), 1
    /// when one does not.
    Score(SbomScoreArgs),
    /// One SBOM from several SBOMs, lockfiles or directories: components deduplicated by
    /// purl, every input's graph kept under a synthetic root.
    Merge(SbomMergeArgs),
}

/// Formats of `depgate sbom score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreFormat {
    /// Terminal tables.
    Table,
    /// `depgate.sbom-score/v1` JSON.
    Json,
    /// Markdown.
    Markdown,
}

/// A standard an SBOM is scored against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ScoreStandard {
    /// NTIA minimum elements (2021).
    Ntia,
    /// BSI TR-03183-2 v2.1.0 required fields.
    #[value(name = "bsi-tr-03183-2")]
    BsiTr031832,
}

/// `depgate sbom score`.
#[derive(Debug, Args)]
pub struct SbomScoreArgs {
    /// The SBOMs to score (CycloneDX JSON/XML, SPDX 2 JSON/tag-value, SPDX 3 JSON-LD).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScoreFormat,
    /// Exit 1 unless every file meets this standard; repeatable.
    #[arg(long, value_enum, value_name = "STANDARD")]
    pub require: Vec<ScoreStandard>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `depgate sbom merge`.
#[derive(Debug, Args)]
pub struct SbomMergeArgs {
    /// The inputs: SBOMs in any format depgate reads, lockfiles or directories (scanned).
    #[arg(required = true, num_args = 2.., value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// The merged SBOM (written atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "cyclonedx-json")]
    pub format: SbomFormat,
    /// CycloneDX spec version (default 1.6 for JSON, 1.5 for XML).
    #[arg(long, value_enum)]
    pub spec_version: Option<SpecVersion>,
    /// The merged product's name (the synthetic root). Default: the output file's stem.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Never use the network while scanning directory inputs.
    #[arg(long)]
    pub offline: bool,
    /// Who made the SBOM and the product it describes.
    #[command(flatten)]
    pub product: ProductArgs,
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
    /// Advisory databases whose advisories on the package are shown, with the functions
    /// they name (RustSec directory, OSV directory or `all.zip`); repeatable. Default: the
    /// cached databases of `depgate db update`, when there are any.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_dbs: Vec<std::path::PathBuf>,
}

/// A findings report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ValueEnum)]
pub enum OutputFormat {
    /// Terminal table.
    Table,
    /// `depgate.findings/v1` JSON.
    Json,
    /// Markdown (job summary, pull request comment).
    Markdown,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

impl OutputFormat {
    /// Every format, in documentation order.
    pub const ALL: &'static [OutputFormat] = &[
        OutputFormat::Table,
        OutputFormat::Json,
        OutputFormat::Markdown,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ];

    /// The spelling used on the command line.
    pub fn as_str(&self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
        }
    }
}

impl fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OutputFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OutputFormat::ALL
            .iter()
            .copied()
            .find(|format| format.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| text.to_string())
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
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// The lowest severity that fails the gate (exit 1).
    #[arg(long, value_enum, default_value = "deny")]
    pub fail_on: FailOn,
    /// Also write FORMAT (table, json, markdown, sarif, github) to FILE, atomically;
    /// repeatable, so a pipeline scans once.
    #[arg(long = "output", value_name = "FORMAT=FILE")]
    pub outputs: Vec<String>,
    /// Gate only on findings that are new relative to this state: a lockfile, directory, SBOM,
    /// or `git:REV[:PATH]` (e.g. `git:origin/main`). Existing findings are still listed.
    #[arg(long, value_name = "OLD")]
    pub baseline: Option<String>,
    /// The policy, the advisory data and the date the verdict is judged with.
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
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
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<time::Date>,
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

/// How `depgate attest` packages the signed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Envelope {
    /// The CycloneDX 1.6 document with a JSF signature at its top level.
    Jsf,
    /// An in-toto Statement v1 (predicate: the JSF-signed document) in a DSSE envelope.
    Dsse,
}

/// What a verdict is judged with; shared by `check`, `attest` and `verify`.
#[derive(Debug, Clone, Args)]
pub struct EvaluationArgs {
    /// A policy file, or a directory whose `*.toml` files are merged. Default: `depgate.toml`
    /// or `rules/` in PATH, else the built-in default policy.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// Evaluate this SBOM (CycloneDX or SPDX) instead of PATH's lockfiles. PATH still decides
    /// where the policy is looked for.
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
    /// An advisory database for this run: a RustSec directory, an OSV directory (JSON or
    /// YAML) or an OSV `all.zip`; repeatable. Replaces the cached databases for this run.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_dbs: Vec<PathBuf>,
    /// Report a stale or missing advisory database as a note instead of failing the verdict.
    #[arg(long)]
    pub allow_stale_db: bool,
    /// A VEX document (OpenVEX, CSAF VEX, CycloneDX VEX JSON/XML) whose statements apply to
    /// the advisory findings of the packages they name; repeatable (see docs/vex.md).
    #[arg(long = "vex", value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// The date waivers and database ages are judged against (`YYYY-MM-DD`; for tests).
    /// Default: today (UTC); for `attest`, the date of the evaluation time
    /// (`SOURCE_DATE_EPOCH`, else now).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<time::Date>,
}

/// Parses `YYYY-MM-DD` once, at the command line, so every command reads a date.
pub fn parse_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map_err(|_| format!("`{text}` is not a date (`YYYY-MM-DD`)"))
}

/// `depgate attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The Ed25519 private key (`PREFIX.key`, PKCS#8 PEM). Default: `DEPGATE_SIGNING_KEY`
    /// (the PEM text itself, or the path of a PEM file).
    #[arg(long, value_name = "KEY")]
    pub key: Option<PathBuf>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// `jsf`: the signed CycloneDX document; `dsse`: the same in an in-toto DSSE envelope.
    #[arg(long, value_enum, default_value = "jsf")]
    pub envelope: Envelope,
    /// The policy, the advisory data and the date the verdict is judged with.
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
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
    /// With PATH: never use the network while reading the current state.
    #[arg(long)]
    pub offline: bool,
    /// With PATH: the build the attestation was made for (`--target`, `--features`, ...),
    /// so its notes are judged the same way.
    #[command(flatten)]
    pub build: BuildArgs,
    /// The policy, the advisory data and the date the verdict is judged with.
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
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

/// Output formats of `depgate diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Terminal table.
    Table,
    /// `depgate.diff/v1` JSON.
    Json,
    /// Markdown (job summary, pull request comment).
    Markdown,
}

/// `depgate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old state: a directory, lockfile, SBOM, `git:REV` or `git:REV:PATH` (PATH relative to
    /// the repository root).
    pub old: String,
    /// The new state, in the same forms.
    pub new: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when anything changed (for drift checks).
    #[arg(long)]
    pub exit_code: bool,
    /// Advisory databases to match both sides against (RustSec directory, OSV directory or
    /// `all.zip`); repeatable. Default: the cached databases of `depgate db update`; with
    /// none, the advisory columns are left out and a warning says so.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_dbs: Vec<PathBuf>,
    /// Never use the network.
    #[arg(long)]
    pub offline: bool,
    /// Which build of a Cargo workspace counts on both sides.
    #[command(flatten)]
    pub build: BuildArgs,
}

/// `depgate comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The comment body (the Markdown report); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub body_file: PathBuf,
    /// The pull request number; default: `pull_request.number` from `GITHUB_EVENT_PATH`.
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// The repository, `OWNER/NAME`; default: `GITHUB_REPOSITORY`.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
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
    #[arg(long, conflicts_with = "no_osv")]
    pub no_rustsec: bool,
    /// Do not download OSV exports (a RustSec-only cache, as `cargo audit` reads).
    #[arg(long, conflicts_with = "ecosystems")]
    pub no_osv: bool,
    /// Also download the OSV export of every ecosystem with packages in PATH (a directory or
    /// a file, scanned offline as `check` scans it).
    #[arg(long = "for", value_name = "PATH", conflicts_with = "no_osv")]
    pub for_path: Option<std::path::PathBuf>,
    /// Largest download accepted, in MiB.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    pub max_size: u64,
    /// Retries after a failed attempt (5xx, 429, timeouts, broken transfers).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
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
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<time::Date>,
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

/// VEX output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VexFormat {
    /// OpenVEX 0.2.0 JSON.
    Openvex,
    /// CycloneDX 1.6 JSON (`vulnerabilities` with `analysis`).
    Cyclonedx,
    /// CSAF 2.0 JSON, VEX profile.
    Csaf,
}

/// `depgate vex`.
#[derive(Debug, Args)]
pub struct VexArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "openvex")]
    pub format: VexFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Who issues the statements. Default: the policy's owner.
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
    /// The author's namespace URI (CSAF `publisher.namespace`). Default: `mailto:` of an
    /// e-mail address in the author, the author when it is a URL, else a `urn:depgate:` name.
    #[arg(long, value_name = "URI")]
    pub namespace: Option<String>,
    /// The policy, the advisory data (and input VEX) the decisions are made with.
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}

/// `--store`: where the monitoring store is.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The store: an SQLite file path, or a `postgres://USER@HOST:PORT/DB` URL. Default:
    /// `DEPGATE_STORE`, else `store.sqlite` in the user data directory.
    #[arg(long, env = "DEPGATE_STORE", value_name = "PATH|URL")]
    pub store: Option<String>,
}

/// `depgate record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// A directory or lockfile: what is deployed. With `--attestation`, compared with the
    /// attested inventory (drift).
    #[arg(conflicts_with = "sbom")]
    pub path: Option<PathBuf>,
    /// An SBOM of what is deployed (CycloneDX or SPDX).
    #[arg(long, value_name = "FILE")]
    pub sbom: Option<PathBuf>,
    /// A signed attestation (`depgate attest`) of the release: verified with `--key`, its
    /// verdict, policy digest and database revisions stored as the release's approval. Alone,
    /// its components are the inventory.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub attestation: Option<PathBuf>,
    /// The trusted public key (`PREFIX.pub`) that verifies `--attestation`.
    #[arg(long, value_name = "PUBKEY", requires = "attestation")]
    pub key: Option<PathBuf>,
    /// Project name.
    #[arg(long, value_name = "NAME")]
    pub project: String,
    /// Release (version, tag) deployed.
    #[arg(long, value_name = "VERSION")]
    pub release: String,
    /// Environment it is deployed to.
    #[arg(long, default_value = "prod", value_name = "NAME")]
    pub environment: String,
    /// The commit deployed.
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// When it was deployed (RFC 3339, e.g. `2025-03-01T12:00:00Z`).
    #[arg(long, value_name = "RFC3339")]
    pub deployed_at: Option<String>,
    /// The policy that applies to this release from now on (stored with it). Default:
    /// `depgate.toml` or `rules/` in PATH (else the current directory), else the built-in
    /// default policy.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Never use the network while reading PATH.
    #[arg(long)]
    pub offline: bool,
    /// Leave out files matching this glob (relative to PATH); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

/// `depgate monitor`.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Judge every release with this policy instead of the one recorded with it.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: Option<PathBuf>,
    /// An advisory database for this run (RustSec directory, OSV directory or `all.zip`);
    /// repeatable. Default: the cached databases of `depgate db update`.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_dbs: Vec<PathBuf>,
    /// Report a stale or missing advisory database as a note instead of a violation.
    #[arg(long)]
    pub allow_stale_db: bool,
    /// A VEX document (OpenVEX, CSAF VEX, CycloneDX VEX) applied to every release, after the
    /// documents its policy names; repeatable.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// The lowest severity that counts as a violation (exit 1 when new).
    #[arg(long, value_enum, default_value = "deny")]
    pub fail_on: FailOn,
    /// POST the change summary (`depgate.monitor.changes/v1` JSON) to this URL.
    #[arg(long, value_name = "URL")]
    pub notify_webhook: Option<String>,
    /// Seconds before one webhook attempt gives up.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub webhook_timeout: u64,
    /// Retries after a failed webhook attempt (5xx, 429, timeouts, refused connections).
    #[arg(long, default_value_t = 3)]
    pub webhook_retries: u32,
    /// The date waivers and database ages are judged against (`YYYY-MM-DD`; for tests).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<time::Date>,
}

/// Formats of `depgate history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// Terminal table, one row per event.
    Table,
    /// `depgate.history/v1` JSON.
    Json,
}

/// `depgate history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The project.
    pub project: String,
    /// Only this environment.
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: HistoryFormat,
}

/// Formats of `depgate dashboard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DashboardFormat {
    /// One self-contained HTML page.
    Html,
    /// The dashboard's data (`Snapshot`) as JSON.
    Json,
}

/// `depgate dashboard`.
#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// The store.
    #[command(flatten)]
    pub store: StoreArgs,
    /// Render this snapshot (a `--format json` output kept from an earlier run, perhaps on
    /// another machine) instead of reading the store.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    pub format: DashboardFormat,
    /// The date ages and waiver expiries are measured against (`YYYY-MM-DD`; for tests).
    #[arg(long, hide = true, env = "DEPGATE_TODAY", value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<time::Date>,
}
