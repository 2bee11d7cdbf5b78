//! The fast path: facts read straight from `Cargo.toml` files, with no `cargo` process.
//!
//! In: the lockfile's path and its parsed packages. Out: [`Collected`], per package the facts
//! of its manifest (license, license files, description, repository, homepage, declared
//! dependencies with their kinds). Manifests come from the workspace beside the lockfile
//! (members and path dependencies), the local registry sources
//! (`$CARGO_HOME/registry/src/*/NAME-VERSION`), the downloaded `.crate` archives
//! (`$CARGO_HOME/registry/cache/*/NAME-VERSION.crate`) and git checkouts
//! (`$CARGO_HOME/git/checkouts/*/SHORT-REV`). Nothing is executed and nothing is fetched.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::lockfile::{LockedPackage, ParsedLockfile};
use super::{Collected, DeclaredDependency, PackageFacts, SourceOfFacts};
use crate::ingest::{IngestOptions, LicenseFiles};
use crate::inventory::DepKind;
use crate::util::normalize_path;

/// A parsed manifest, borrowing its text (`toml`'s document model without owned copies: a
/// scan parses a thousand manifests and reads a few fields of each).
pub(super) type Table<'i> = toml::de::DeTable<'i>;
pub(super) type Value<'i> = toml::de::DeValue<'i>;

/// `table[key]`, without its span.
pub(super) fn field<'a, 'i>(table: &'a Table<'i>, key: &str) -> Option<&'a Value<'i>> {
    table.get(key).map(Spanned::get_ref)
}

/// Where cargo keeps downloaded sources: `$CARGO_HOME`, else `~/.cargo`.
pub(crate) fn cargo_home(options: &IngestOptions) -> Option<PathBuf> {
    if let Some(home) = &options.cargo_home {
        return Some(home.clone());
    }
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".cargo"))
}

/// Reads every manifest the lockfile's packages can be matched to; `registry_build`: also
/// what registry and git crates' manifests say for a build (else only the workspace's, and
/// [`collect_registry_build`] adds the rest when the build is resolved).
pub(crate) fn collect(
    lockfile_path: &Path,
    parsed: &ParsedLockfile,
    options: &IngestOptions,
    registry_build: bool,
) -> Collected {
    let workspace_dir = match lockfile_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut collected = Collected::new(parsed.packages.len(), SourceOfFacts::Manifests);
    let build = options.build.is_requested();
    collect_local(&workspace_dir, parsed, build, &mut collected);
    if let Some(home) = cargo_home(options) {
        let build = build && registry_build;
        collect_remote(&home, parsed, options.license_files, build, &mut collected);
    } else {
        collected.notes.push(
            "cannot locate the cargo home (neither `CARGO_HOME` nor `HOME` is set)".to_string(),
        );
    }
    collected
}

/// The registry and git crates' facts again, with what their manifests say for a build, for
/// a [`collect`] made without them.
pub(crate) fn collect_registry_build(
    parsed: &ParsedLockfile,
    options: &IngestOptions,
    collected: &mut Collected,
) {
    if let Some(home) = cargo_home(options) {
        collect_remote(&home, parsed, options.license_files, true, collected);
    }
}

// ---------------------------------------------------------------------------------------------
// Workspace members and path dependencies.

/// Directory names never searched for member manifests.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// `build`: also read what the build resolver needs (see [`super::build_manifest`]).
fn collect_local(
    workspace_dir: &Path,
    parsed: &ParsedLockfile,
    build: bool,
    collected: &mut Collected,
) {
    let root_manifest = workspace_dir.join("Cargo.toml");
    let root_text = match read_text(&root_manifest) {
        Ok(text) => Some(text),
        Err(message) => {
            // Missing is common (a lockfile alone); present but unreadable is said.
            if std::fs::symlink_metadata(&root_manifest).is_ok() {
                collected.notes.push(message);
            }
            None
        }
    };
    let root = root_text
        .as_deref()
        .map(|text| parse_table(text, &root_manifest));
    let workspace = workspace_table(root.as_ref());

    // Sourceless lockfile entries by (name, version), to match manifests to.
    let mut unmatched: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut remaining = 0;
    for (index, package) in parsed.packages.iter().enumerate() {
        if package.source.is_none() {
            unmatched
                .entry((package.name.clone(), package.version.clone()))
                .or_default()
                .push(index);
            remaining += 1;
        }
    }
    // Manifests nearest the lockfile first, read until every entry is matched: the root
    // manifest often matches the only member, and then no directory is walked at all (a
    // repository's tests and examples may hold hundreds). Path dependencies named by a
    // manifest come before the walk goes on; they may lie outside the tree.
    let mut walk = ManifestWalk::new(workspace_dir);
    let mut queue: VecDeque<PathBuf> = VecDeque::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    while remaining > 0 {
        let next = queue
            .pop_front()
            .or_else(|| walk.find(|path| seen.insert(normalize_path(path))));
        let Some(manifest_path) = next else {
            break;
        };
        let table = read_text(&manifest_path).and_then(|text| {
            parse_table(&text, &manifest_path).map(|t| {
                let mut manifest = parse_manifest(&t, workspace);
                manifest.build = build.then(|| super::build_manifest::read(&t, workspace));
                manifest
            })
        });
        let manifest = match table {
            Ok(manifest) => manifest,
            Err(message) => {
                collected.notes.push(message);
                continue;
            }
        };
        let dir = manifest_path.parent().map(Path::to_path_buf);
        // Path dependencies outside the walked tree are still sourceless lockfile entries.
        if let Some(dir) = &dir {
            let relative_to_member = manifest.path_dependencies.iter().map(|p| dir.join(p));
            let relative_to_root = manifest
                .workspace_path_dependencies
                .iter()
                .map(|p| workspace_dir.join(p));
            for dependency_dir in relative_to_member.chain(relative_to_root) {
                let candidate = normalize_path(&dependency_dir.join("Cargo.toml"));
                if seen.insert(candidate.clone()) && candidate.is_file() {
                    queue.push_back(candidate);
                }
            }
        }
        let Some(name) = manifest.name.clone() else {
            continue; // a virtual workspace manifest
        };
        let version = manifest
            .version
            .clone()
            .unwrap_or_else(|| "0.0.0".to_string());
        if let Some(indexes) = unmatched.get_mut(&(name, version))
            && !indexes.is_empty()
        {
            let index = indexes.remove(0);
            remaining -= 1;
            collected.facts[index] = Some(manifest.into_facts(manifest_path, dir, true));
        }
    }
}

/// Every `Cargo.toml` under `dir`, sorted.
fn find_manifests(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ManifestWalk::new(dir).collect();
    found.sort();
    found
}

/// The `Cargo.toml` files under a directory, read lazily and nearest first (breadth-first,
/// each directory's entries in name order), skipping build output, hidden and vendored
/// directories.
struct ManifestWalk {
    dirs: VecDeque<PathBuf>,
    found: VecDeque<PathBuf>,
}

impl ManifestWalk {
    fn new(dir: &Path) -> ManifestWalk {
        ManifestWalk {
            dirs: VecDeque::from([dir.to_path_buf()]),
            found: VecDeque::new(),
        }
    }
}

impl Iterator for ManifestWalk {
    type Item = PathBuf;

    fn next(&mut self) -> Option<PathBuf> {
        loop {
            if let Some(found) = self.found.pop_front() {
                return Some(found);
            }
            let dir = self.dirs.pop_front()?;
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut subdirectories = Vec::new();
            for entry in entries.flatten() {
                let Ok(file_type) = entry.file_type() else {
                    continue;
                };
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if file_type.is_dir() {
                    if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_ref()) {
                        subdirectories.push(entry.path());
                    }
                } else if file_type.is_file() && name == "Cargo.toml" {
                    self.found.push_back(entry.path());
                }
            }
            subdirectories.sort();
            self.dirs.extend(subdirectories);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Registry and git sources in the cargo home.

/// What to look for: (lockfile index, where).
enum Lookup {
    Registry,
    Git { short_rev: String },
}

fn collect_remote(
    home: &Path,
    parsed: &ParsedLockfile,
    license_files: LicenseFiles,
    build: bool,
    collected: &mut Collected,
) {
    let src_dirs = subdirectories(&home.join("registry/src"));
    let cache_dirs = subdirectories(&home.join("registry/cache"));
    let checkouts = subdirectories(&home.join("git/checkouts"));

    let wanted: Vec<(usize, Lookup)> = parsed
        .packages
        .iter()
        .enumerate()
        .filter_map(|(index, package)| {
            let source = package.source.as_ref()?;
            if source.is_git() {
                let commit = source.precise()?;
                Some((
                    index,
                    Lookup::Git {
                        short_rev: commit.chars().take(7).collect(),
                    },
                ))
            } else if source.is_registry() {
                Some((index, Lookup::Registry))
            } else {
                None
            }
        })
        .collect();

    // Published crates never change: their facts come from the cache when it has them.
    let mode = format!("build={build} license-files={license_files:?}");
    let mut cache = super::facts_cache::FactsCache::open(home, &mode);
    let to_read: Vec<&(usize, Lookup)> = match &cache {
        Some(cache) => wanted
            .iter()
            .filter(|(index, _)| match cache.get(&parsed.packages[*index]) {
                Some(facts) => {
                    collected.facts[*index] = Some(facts.clone());
                    false
                }
                None => true,
            })
            .collect(),
        None => wanted.iter().collect(),
    };
    // A manifest found has to be opened anyway, so each is opened directly; only when more
    // crates are to be read than a cargo home usually holds are the registry directories
    // listed first, so that crates that are not there (never fetched) cost no failed lookup.
    let listings = (to_read.len() > LIST_REGISTRY_ABOVE).then(|| Listings {
        src: src_dirs
            .iter()
            .map(|dir| crate::util::entry_names(dir))
            .collect(),
        cache: cache_dirs
            .iter()
            .map(|dir| crate::util::entry_names(dir))
            .collect(),
    });
    // Reading and parsing ~1,000 small manifests is the cost of a scan: spread it over the
    // available cores (results come back in order).
    let context = RemoteContext {
        license_files,
        build,
        src_dirs: &src_dirs,
        cache_dirs: &cache_dirs,
        listings: listings.as_ref(),
        checkouts: &checkouts,
        packages: &parsed.packages,
    };
    let results = crate::util::parallel_map(&to_read, 64, |(index, lookup)| {
        (*index, context.find(*index, lookup))
    });
    for (index, result) in results {
        match result {
            Ok(Some(facts)) => {
                if let Some(cache) = &mut cache {
                    cache.insert(&parsed.packages[index], &facts);
                }
                collected.facts[index] = Some(facts);
            }
            Ok(None) => {}
            Err(message) => collected.notes.push(message),
        }
    }
    if let Some(cache) = cache {
        cache.save(&parsed.packages);
    }
}

struct RemoteContext<'a> {
    license_files: LicenseFiles,
    /// Also read the build facts (`[features]`, `[lib]`, dependency details).
    build: bool,
    src_dirs: &'a [PathBuf],
    cache_dirs: &'a [PathBuf],
    /// The entries of `src_dirs` and `cache_dirs`, when listed.
    listings: Option<&'a Listings>,
    checkouts: &'a [PathBuf],
    packages: &'a [LockedPackage],
}

/// Above this many registry packages, the registry directories are listed before lookups.
const LIST_REGISTRY_ABOVE: usize = 4096;

/// The names in each of [`RemoteContext`]'s `src_dirs` and `cache_dirs`, in the same order.
struct Listings {
    src: Vec<HashSet<std::ffi::OsString>>,
    cache: Vec<HashSet<std::ffi::OsString>>,
}

impl RemoteContext<'_> {
    fn lists_license_files(&self, manifest: &Manifest) -> bool {
        self.license_files == LicenseFiles::All || manifest.license.is_none()
    }

    fn find(&self, index: usize, lookup: &Lookup) -> Result<Option<PackageFacts>, String> {
        let package = &self.packages[index];
        match lookup {
            Lookup::Registry => {
                // Each candidate is opened directly: listing `registry/src/HOST-HASH` (one
                // entry per crate ever unpacked, thousands) to avoid failed opens costs more
                // than it saves, since the manifest of a crate found has to be opened anyway.
                let dir_name = format!("{}-{}", package.name, package.version);
                let source = package.source.as_ref();
                let ours = |dir: &PathBuf| source.is_some_and(|s| is_index_dir_of(dir, s));
                let listed = |names: Option<&HashSet<std::ffi::OsString>>, name: &str| {
                    names.is_none_or(|names| names.contains(std::ffi::OsStr::new(name)))
                };
                for (position, src) in self.src_dirs.iter().enumerate() {
                    if !ours(src) || !listed(self.listings.map(|l| &l.src[position]), &dir_name) {
                        continue;
                    }
                    let dir = src.join(&dir_name);
                    let manifest_path = dir.join("Cargo.toml");
                    // Not unpacked, or a directory without a manifest (an interrupted
                    // unpack): look further.
                    let text = match std::fs::read_to_string(&manifest_path) {
                        Ok(text) => text,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => {
                            return Err(format!("cannot read `{}`: {e}", manifest_path.display()));
                        }
                    };
                    let manifest = published_manifest(&text, &manifest_path, self.build)?;
                    let list = self.lists_license_files(&manifest);
                    return Ok(Some(manifest.into_facts(manifest_path, Some(dir), list)));
                }
                let archive_name = format!("{dir_name}.crate");
                for (position, cache) in self.cache_dirs.iter().enumerate() {
                    if !ours(cache)
                        || !listed(self.listings.map(|l| &l.cache[position]), &archive_name)
                    {
                        continue;
                    }
                    let archive = cache.join(&archive_name);
                    if archive.is_file() {
                        return read_crate_archive(&archive, &dir_name, self.build).map(Some);
                    }
                }
                Ok(None)
            }
            Lookup::Git { short_rev } => {
                for checkout in self.checkouts {
                    let dir = checkout.join(short_rev);
                    if !dir.is_dir() {
                        continue;
                    }
                    // A git repository may hold a whole workspace: find the member by name.
                    let root_path = dir.join("Cargo.toml");
                    let root_text = read_text(&root_path).ok();
                    let root = root_text
                        .as_deref()
                        .map(|text| parse_table(text, &root_path));
                    let root_workspace = workspace_table(root.as_ref());
                    for manifest_path in find_manifests(&dir) {
                        let Ok(text) = read_text(&manifest_path) else {
                            continue;
                        };
                        let Ok(table) = parse_table(&text, &manifest_path) else {
                            continue;
                        };
                        let mut manifest = parse_manifest(&table, root_workspace);
                        if manifest.name.as_deref() == Some(package.name.as_str()) {
                            manifest.build = self
                                .build
                                .then(|| super::build_manifest::read(&table, root_workspace));
                            let crate_dir = manifest_path.parent().map(Path::to_path_buf);
                            let list = self.lists_license_files(&manifest);
                            return Ok(Some(manifest.into_facts(manifest_path, crate_dir, list)));
                        }
                    }
                }
                Ok(None)
            }
        }
    }
}

/// Whether a `registry/src` or `registry/cache` directory (`HOST-HASH`) holds crates of this
/// registry. crates.io is stored under `index.crates.io-*` (sparse) or `github.com-*` (git
/// index) whichever protocol the lockfile names; another registry under its own host, so a
/// same-named crate of crates.io is never taken for it.
fn is_index_dir_of(dir: &Path, source: &cargo_lock::SourceId) -> bool {
    let Some(name) = dir.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if source.is_default_registry() {
        return name.starts_with("index.crates.io-") || name.starts_with("github.com-");
    }
    source
        .url()
        .host_str()
        .is_some_and(|host| name.starts_with(&format!("{host}-")))
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

/// Reads `Cargo.toml` and lists license files from a `.crate` archive (a gzipped tar whose
/// entries all sit under `NAME-VERSION/`). License files are named `ARCHIVE/NAME-VERSION/FILE`;
/// the license-text reader reads such paths from the archive.
fn read_crate_archive(archive: &Path, dir_name: &str, build: bool) -> Result<PackageFacts, String> {
    let file = std::fs::File::open(archive)
        .map_err(|e| format!("cannot read `{}`: {e}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let entries = tar
        .entries()
        .map_err(|e| format!("cannot read `{}`: {e}", archive.display()))?;
    let mut manifest_text = None;
    let mut license_files = Vec::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("cannot read `{}`: {e}", archive.display()))?;
        let Ok(path) = entry.path().map(|p| p.into_owned()) else {
            continue;
        };
        let mut components = path.components();
        if components.next().map(|c| c.as_os_str()) != Some(dir_name.as_ref()) {
            continue;
        }
        let rest: PathBuf = components.collect();
        if rest == Path::new("Cargo.toml") {
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| format!("cannot read `Cargo.toml` in `{}`: {e}", archive.display()))?;
            manifest_text = Some(text);
        } else if rest.components().count() == 1
            && rest
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_license_file_name)
        {
            license_files.push(archive.join(&path));
        }
    }
    let text = manifest_text
        .ok_or_else(|| format!("no `Cargo.toml` in crate archive `{}`", archive.display()))?;
    let manifest_path = archive.join(dir_name).join("Cargo.toml");
    let manifest = published_manifest(&text, &manifest_path, build)?;
    let mut facts = manifest.into_facts(manifest_path, None, false);
    // Not unpacked: the license files are archive members, not files on disk.
    if let Some(declared) = &facts.license_file_declared {
        let in_archive = normalize_path(&archive.join(dir_name).join(declared));
        if !license_files.contains(&in_archive) {
            license_files.push(in_archive);
        }
    }
    facts.license_files = license_files;
    facts.license_files.sort();
    facts.license_files.dedup();
    Ok(facts)
}

// ---------------------------------------------------------------------------------------------
// One manifest.

/// What a `Cargo.toml` says, after workspace inheritance.
#[derive(Debug, Default)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
    license: Option<String>,
    license_file: Option<String>,
    description: Option<String>,
    repository: Option<String>,
    homepage: Option<String>,
    authors: Vec<String>,
    dependencies: Vec<DeclaredDependency>,
    /// `path = "…"` of every dependency, relative to the manifest's directory.
    path_dependencies: Vec<String>,
    /// `path = "…"` of dependencies inherited from `[workspace.dependencies]`, relative to the
    /// workspace root.
    workspace_path_dependencies: Vec<String>,
    /// What the build resolver needs, when a build was requested.
    build: Option<super::build_manifest::BuildManifest>,
}

impl Manifest {
    /// The facts; `list_license_files` lists the license files in `dir`.
    fn into_facts(
        self,
        manifest_path: PathBuf,
        dir: Option<PathBuf>,
        list_license_files: bool,
    ) -> PackageFacts {
        let license_files = dir
            .as_deref()
            .filter(|_| list_license_files)
            .map(|dir| license_files_in(dir, self.license_file.as_deref()))
            .unwrap_or_default();
        PackageFacts {
            license: self.license,
            license_file_declared: self.license_file,
            description: self.description,
            repository: self.repository,
            homepage: self.homepage,
            authors: self.authors,
            manifest: manifest_path,
            local_dir: dir,
            license_files,
            dependencies: self.dependencies,
            build: self.build,
        }
    }
}

/// The license files at the top of a crate directory, plus its `license-file`, sorted.
pub(crate) fn license_files_in(dir: &Path, declared: Option<&str>) -> Vec<PathBuf> {
    let mut license_files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            if entry.file_type().is_ok_and(|t| t.is_file())
                && name.to_str().is_some_and(is_license_file_name)
            {
                license_files.push(entry.path());
            }
        }
    }
    if let Some(file) = declared {
        let path = normalize_path(&dir.join(file));
        if path.is_file() && !license_files.contains(&path) {
            license_files.push(path);
        }
    }
    license_files.sort();
    license_files
}

/// `LICENSE*`, `LICENCE*`, `COPYING*`, `NOTICE*`, `UNLICENSE*`, in any case.
pub(crate) fn is_license_file_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE"]
        .iter()
        .any(|prefix| upper.starts_with(prefix))
}

/// The `[workspace]` table of a parsed root manifest, if it parsed and has one.
fn workspace_table<'a, 'i>(root: Option<&'a Result<Table<'i>, String>>) -> Option<&'a Table<'i>> {
    let root = root?.as_ref().ok()?;
    field(root, "workspace").and_then(Value::as_table)
}

/// A manifest's text; only a regular file is read (a FIFO named `Cargo.toml` must not hang
/// the scan), and the error says why, for the `manifest-unreadable` gap.
fn read_text(path: &Path) -> Result<String, String> {
    crate::util::read_input_text(path).map_err(|error| crate::util::error_chain(&error))
}

/// A registry crate's manifest, read for its facts only: the tables depgate never reads are
/// cut before parsing (see [`super::sections`]), which halves the parsing time of a scan. On a
/// parse error the whole text is parsed, so the error names its line.
///
/// `build`: the build facts are read too (the cut then keeps `[features]` and `[lib]`).
fn published_manifest(text: &str, path: &Path, build: bool) -> Result<Manifest, String> {
    let read = |table: &Table<'_>| {
        let mut manifest = parse_manifest(table, None);
        manifest.build = build.then(|| super::build_manifest::read(table, None));
        manifest
    };
    let (cut, features) = if build {
        super::sections::read_build_tables(text)
    } else {
        (super::sections::read_tables_only(text), None)
    };
    if let Ok(table) = Table::parse(&cut) {
        let mut manifest = read(table.get_ref());
        if let Some(build) = &mut manifest.build {
            build.unparsed_features = features;
        }
        return Ok(manifest);
    }
    parse_table(text, path).map(|table| read(&table))
}

fn parse_table<'i>(text: &'i str, path: &Path) -> Result<Table<'i>, String> {
    match Table::parse(text) {
        Ok(table) => Ok(table.into_inner()),
        Err(e) => {
            let line = e
                .span()
                .map(|span| crate::ingest::line_column(text, span.start).0);
            Err(match line {
                Some(line) => format!("`{}` line {line}: {}", path.display(), e.message()),
                None => format!("`{}`: {}", path.display(), e.message()),
            })
        }
    }
}

/// The dependency tables of a manifest, with their kinds (both spellings cargo accepts).
pub(super) const DEPENDENCY_TABLES: &[(&str, DepKind)] = &[
    ("dependencies", DepKind::Normal),
    ("build-dependencies", DepKind::Build),
    ("build_dependencies", DepKind::Build),
    ("dev-dependencies", DepKind::Dev),
    ("dev_dependencies", DepKind::Dev),
];

fn parse_manifest(table: &Table<'_>, workspace: Option<&Table<'_>>) -> Manifest {
    let mut manifest = Manifest::default();
    // A manifest with its own `[workspace]` is the root: it inherits from itself.
    let own_workspace = field(table, "workspace").and_then(Value::as_table);
    let workspace = own_workspace.or(workspace);
    let workspace_package = workspace
        .and_then(|w| field(w, "package"))
        .and_then(Value::as_table);
    let workspace_dependencies = workspace
        .and_then(|w| field(w, "dependencies"))
        .and_then(Value::as_table);

    if let Some(package) = field(table, "package")
        .or_else(|| field(table, "project"))
        .and_then(Value::as_table)
    {
        let text = |key: &str| -> Option<String> {
            match field(package, key)? {
                Value::String(s) => Some(s.to_string()),
                // `key.workspace = true` takes the value from `[workspace.package]`.
                Value::Table(t) if field(t, "workspace").and_then(Value::as_bool) == Some(true) => {
                    field(workspace_package?, key)
                        .and_then(Value::as_str)
                        .map(str::to_string)
                }
                _ => None,
            }
        };
        manifest.name = text("name");
        manifest.version = text("version");
        manifest.license = text("license");
        manifest.license_file = text("license-file");
        manifest.description = text("description");
        manifest.repository = text("repository");
        manifest.homepage = text("homepage");
        // `authors = [...]`, or `authors.workspace = true` for `[workspace.package]`'s.
        let authors = match field(package, "authors") {
            Some(Value::Table(t))
                if field(t, "workspace").and_then(Value::as_bool) == Some(true) =>
            {
                workspace_package.and_then(|w| field(w, "authors"))
            }
            other => other,
        };
        manifest.authors = authors
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|author| author.get_ref().as_str())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
    }

    let mut tables: Vec<(&Table<'_>, DepKind)> = Vec::new();
    for (key, kind) in DEPENDENCY_TABLES {
        if let Some(t) = field(table, key).and_then(Value::as_table) {
            tables.push((t, *kind));
        }
    }
    // `[target.'cfg(…)'.dependencies]` and friends: the platform is not modelled, the kind is.
    if let Some(targets) = field(table, "target").and_then(Value::as_table) {
        for target in targets.values().filter_map(|t| t.get_ref().as_table()) {
            for (key, kind) in DEPENDENCY_TABLES {
                if let Some(t) = field(target, key).and_then(Value::as_table) {
                    tables.push((t, *kind));
                }
            }
        }
    }
    for (dependencies, kind) in tables {
        for (key, value) in dependencies {
            let key: &str = key.get_ref();
            let mut declared = DeclaredDependency {
                package: key.to_string(),
                kind,
                optional: false,
                requirement: None,
            };
            match value.get_ref() {
                Value::String(requirement) => declared.requirement = Some(requirement.to_string()),
                Value::Table(spec) => {
                    let inherited = field(spec, "workspace").and_then(Value::as_bool) == Some(true);
                    // `{ workspace = true }` takes package, version and path from
                    // `[workspace.dependencies]`; `optional` stays the member's own.
                    let base = if inherited {
                        workspace_dependencies.and_then(|w| field(w, key))
                    } else {
                        None
                    };
                    let lookup = |name: &str| -> Option<String> {
                        field(spec, name)
                            .and_then(Value::as_str)
                            .or_else(|| match base {
                                Some(Value::Table(b)) => field(b, name).and_then(Value::as_str),
                                Some(Value::String(s)) if name == "version" => Some(s.as_ref()),
                                _ => None,
                            })
                            .map(str::to_string)
                    };
                    if let Some(package) = lookup("package") {
                        declared.package = package;
                    }
                    declared.requirement = lookup("version");
                    declared.optional =
                        field(spec, "optional").and_then(Value::as_bool) == Some(true);
                    if let Some(path) = field(spec, "path").and_then(Value::as_str) {
                        manifest.path_dependencies.push(path.to_string());
                    } else if inherited
                        && let Some(path) = base
                            .and_then(Value::as_table)
                            .and_then(|b| field(b, "path"))
                            .and_then(Value::as_str)
                    {
                        // Inherited paths are relative to the workspace root, not the member.
                        manifest.workspace_path_dependencies.push(path.to_string());
                    }
                }
                _ => {}
            }
            manifest.dependencies.push(declared);
        }
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str, workspace: Option<&str>) -> Manifest {
        let table = Table::parse(text).unwrap();
        let root = workspace.map(|w| Table::parse(w).unwrap());
        let workspace = root
            .as_ref()
            .map(|r| field(r.get_ref(), "workspace").unwrap().as_table().unwrap());
        parse_manifest(table.get_ref(), workspace)
    }

    #[test]
    fn reads_tables_renames_and_inheritance() {
        let m = manifest(
            r#"
[package]
name = "member"
version.workspace = true
license = { workspace = true }

[dependencies]
serde = "1"
rand07 = { package = "rand", version = "0.7", optional = true }
shared = { workspace = true }

[build-dependencies]
cc = "1"

[target.'cfg(windows)'.dev-dependencies]
winapi = "0.3"
"#,
            Some(
                r#"
[workspace.package]
version = "2.1.0"
license = "MIT OR Apache-2.0"
[workspace.dependencies]
shared = { package = "real-shared", version = "0.3" }
"#,
            ),
        );
        assert_eq!(m.name.as_deref(), Some("member"));
        assert_eq!(m.version.as_deref(), Some("2.1.0"));
        assert_eq!(m.license.as_deref(), Some("MIT OR Apache-2.0"));
        let find = |name: &str| m.dependencies.iter().find(|d| d.package == name).unwrap();
        assert_eq!(find("serde").kind, DepKind::Normal);
        assert!(find("rand").optional);
        assert_eq!(find("rand").requirement.as_deref(), Some("0.7"));
        assert_eq!(find("real-shared").requirement.as_deref(), Some("0.3"));
        assert_eq!(find("cc").kind, DepKind::Build);
        assert_eq!(find("winapi").kind, DepKind::Dev);
    }

    #[test]
    fn registry_directories_are_matched_by_host() {
        let crates_io =
            cargo_lock::SourceId::from_url("registry+https://github.com/rust-lang/crates.io-index")
                .unwrap();
        let sparse_crates_io =
            cargo_lock::SourceId::from_url("sparse+https://index.crates.io/").unwrap();
        let other =
            cargo_lock::SourceId::from_url("sparse+https://cargo.example.com/index/").unwrap();
        let sparse_dir = Path::new("/h/registry/src/index.crates.io-1949cf8c6b5b557f");
        let git_dir = Path::new("/h/registry/src/github.com-1ecc6299db9ec823");
        let other_dir = Path::new("/h/registry/src/cargo.example.com-0123456789abcdef");
        for source in [&crates_io, &sparse_crates_io] {
            assert!(is_index_dir_of(sparse_dir, source));
            assert!(is_index_dir_of(git_dir, source));
            assert!(!is_index_dir_of(other_dir, source));
        }
        assert!(is_index_dir_of(other_dir, &other));
        assert!(!is_index_dir_of(sparse_dir, &other));
    }

    #[test]
    fn license_file_names() {
        for name in [
            "LICENSE",
            "LICENSE-MIT",
            "license.txt",
            "COPYING",
            "NOTICE",
            "UNLICENSE",
        ] {
            assert!(is_license_file_name(name), "{name}");
        }
        assert!(!is_license_file_name("README.md"));
    }
}
