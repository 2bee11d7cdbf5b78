//! Small helpers shared by every stage: reading inputs safely, hashing, atomic writes, the
//! reproducible clock.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use thiserror::Error;

pub mod dir;

/// The default largest file depgate reads as an input (lockfile, manifest, SBOM, policy,
/// key, advisory record): far above any real lockfile (the largest npm lockfiles are tens of
/// MB), far below what would exhaust memory. `--max-input-mb` changes it (see [`Limits`]).
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// The default most packages one scan may hold: real monorepos hold tens of thousands; a
/// million packages is checked within 4 GB of memory. `--max-packages` changes it.
pub const MAX_PACKAGES: usize = 2_000_000;

/// The deepest YAML flow collections (`[…]`, `{…}`) may nest. The YAML parser refuses more
/// than 128 levels too, but only after its scanner has gone through the whole nesting, in time
/// that grows with the square of the depth (100,000 levels: 36 s); [`yaml_flow_too_deep`]
/// finds it in one pass first.
pub const MAX_YAML_FLOW_DEPTH: usize = 128;

/// How the limits can be raised, for error messages.
pub const INPUT_LIMIT_HINT: &str =
    "raise the limit with `--max-input-mb MIB` or the environment variable `DEPGATE_MAX_INPUT_MB`";

/// How the package limit can be raised, for error messages.
pub const PACKAGE_LIMIT_HINT: &str = "raise the limit with `--max-packages COUNT` or the environment variable `DEPGATE_MAX_PACKAGES`";

/// The limits on what one run reads, so a hostile or runaway input is a clear error (exit 2)
/// rather than a machine out of memory. Process-wide: set once by the binary from its flags
/// (see [`set_limits`]) and read where inputs are read, which is deep in every stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file, in bytes.
    pub max_input_bytes: u64,
    /// The most packages one inventory may hold.
    pub max_packages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: MAX_INPUT_BYTES,
            max_packages: MAX_PACKAGES,
        }
    }
}

static MAX_INPUT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(MAX_INPUT_BYTES);
static MAX_PACKAGE_COUNT: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(MAX_PACKAGES);

/// Sets the limits for the rest of the process.
pub fn set_limits(limits: Limits) {
    use std::sync::atomic::Ordering::Relaxed;
    MAX_INPUT.store(limits.max_input_bytes, Relaxed);
    MAX_PACKAGE_COUNT.store(limits.max_packages, Relaxed);
}

/// The limits in force (the defaults unless [`set_limits`] was called).
pub fn limits() -> Limits {
    use std::sync::atomic::Ordering::Relaxed;
    Limits {
        max_input_bytes: MAX_INPUT.load(Relaxed),
        max_packages: MAX_PACKAGE_COUNT.load(Relaxed),
    }
}

/// Why an input file could not be read. Every variant names the file.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The operating system refused (missing, permission denied, I/O error).
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A symbolic link whose target does not exist.
    #[error("`{}` is a symbolic link to `{}`, which does not exist", path.display(), target.display())]
    DanglingLink {
        /// The link.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
    /// A directory, FIFO, device or socket where a file was expected: reading a FIFO waits
    /// forever and a device such as `/dev/zero` never ends, so neither is ever opened for reading.
    #[error("`{}` is {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead (`a directory`, `a FIFO`, ...).
        kind: &'static str,
    },
    /// Larger than the input limit ([`Limits::max_input_bytes`]).
    #[error("`{}` is larger than the input limit of {}; {INPUT_LIMIT_HINT}", path.display(), describe_bytes(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
}

impl ReadError {
    /// True when nothing exists at the path (not even a dangling link).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::DanglingLink { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. } => path,
        }
    }
}

/// An error and its causes on one line (`outer: cause: root cause`), for messages that are
/// not printed through `main`'s cause chain (warnings, gaps).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What a file system entry is, in words, for "not a regular file" messages.
pub fn file_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Reads an input file: only a regular file (a symbolic link is followed), at most the input
/// limit ([`limits`]). The one way depgate reads what a user or a scanned repository gives
/// it, so a FIFO, a device or a huge file is an error naming the path, never a hang.
pub fn read_input(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_limited(path, limits().max_input_bytes)
}

/// `256 MiB`, or the exact bytes when the limit is not a whole number of MiB.
fn describe_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// [`read_input`] with a plain I/O error, for callers that sort errors by kind ("not found"
/// is often fine): a special file or an oversized one is `InvalidInput`, saying why.
pub fn read_input_io(path: &Path) -> std::io::Result<Vec<u8>> {
    read_input(path).map_err(|error| match error {
        ReadError::Io { source, .. } => source,
        other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
    })
}

/// [`read_input`] as UTF-8 text without a leading byte-order mark; invalid UTF-8 is an
/// `InvalidData` I/O error naming the line.
pub fn read_input_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_input(path)?;
    String::from_utf8(bytes)
        .map(strip_bom_owned)
        .map_err(|error| ReadError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                invalid_utf8_message(error.as_bytes(), error.utf8_error().valid_up_to()),
            ),
        })
}

/// "not UTF-8 text at line L, column C": where a decoding error sits.
pub fn invalid_utf8_message(bytes: &[u8], valid_up_to: usize) -> String {
    let before = &bytes[..valid_up_to.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    format!("not UTF-8 text at line {line}, column {column} (binary or corrupt file)")
}

/// `text` without a leading UTF-8 byte-order mark (editors on Windows write one).
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// [`strip_bom`] on an owned string, without copying when there is none.
pub fn strip_bom_owned(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// [`read_input`] with the file's metadata, taken from the opened file before it is read.
pub fn read_input_with_metadata(path: &Path) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let limit = limits().max_input_bytes;
    let (file, metadata) = open_input_with_metadata(path, limit)?;
    let bytes = read_opened(path, file, metadata.len(), limit)?;
    Ok((bytes, metadata))
}

/// The whole of a file just opened, once it is checked to be a regular file within the input
/// limit, with its metadata (for [`dir::OpenDir`], which opens files relative to a directory
/// on Unix).
#[cfg(unix)]
fn read_checked(
    path: &Path,
    file: std::fs::File,
) -> Result<(Vec<u8>, std::fs::Metadata), ReadError> {
    let limit = limits().max_input_bytes;
    let metadata = file.metadata().map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    check_regular(path, &metadata, limit)?;
    let bytes = read_opened(path, file, metadata.len(), limit)?;
    Ok((bytes, metadata))
}

/// [`read_input`] with a given limit.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, length) = open_input(path, limit)?;
    read_opened(path, file, length, limit)
}

/// The whole of a file [`open_input`] opened, `length` bytes expected, at most `limit`.
///
/// One `read` in the common case: asked for one byte more than the size the open file
/// reported, a read that returns exactly that size has read the whole file as it was when it
/// was opened (one that grew meanwhile fills the extra byte and is read on to its end).
/// `read_to_end` would ask once more to see the end: a system call per file, 1,200 of them
/// in a RustSec checkout.
fn read_opened(
    path: &Path,
    mut file: std::fs::File,
    length: u64,
    limit: u64,
) -> Result<Vec<u8>, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let expected = usize::try_from(length.min(limit)).unwrap_or(0);
    let mut bytes = vec![0; expected + 1];
    let mut filled = 0;
    while filled < bytes.len() {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => {
                filled += read;
                if filled == expected {
                    break;
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => return Err(io(error)),
        }
    }
    bytes.truncate(filled);
    if filled > expected {
        file.take(limit + 1 - filled as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(bytes)
}

/// Opens an input for reading, with its length: only a regular file (a link is followed) of
/// at most `limit` bytes, for readers that take part of a file (a head, a sample). Never
/// blocks on a FIFO.
pub fn open_input(path: &Path, limit: u64) -> Result<(std::fs::File, u64), ReadError> {
    open_input_with_metadata(path, limit).map(|(file, metadata)| (file, metadata.len()))
}

/// [`open_input`] with the metadata of the opened file.
pub fn open_input_with_metadata(
    path: &Path,
    limit: u64,
) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    let io = |source: std::io::Error| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // A link to nothing says so: "does not exist" about a path that `ls` shows
            // would send the user looking for the wrong problem.
            if let Ok(target) = std::fs::read_link(path) {
                return Err(ReadError::DanglingLink {
                    path: path.to_path_buf(),
                    target,
                });
            }
            return Err(io(error));
        }
        Err(error) => return Err(io(error)),
    };
    check_regular(path, &metadata, limit)?;
    open_checked(path, limit)
}

/// Opens `path` without blocking and checks that what was opened is a regular file within
/// `limit`: for a path already known to be a regular file, or checked before.
fn open_checked(path: &Path, limit: u64) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    let io = |source: std::io::Error| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Non-blocking open: were the path swapped for a FIFO after a check, opening it would
    // otherwise wait for a writer forever. Reads of a regular file ignore the flag.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    check_regular(path, &metadata, limit)?;
    Ok((file, metadata))
}

fn check_regular(path: &Path, metadata: &std::fs::Metadata, limit: u64) -> Result<(), ReadError> {
    if !metadata.is_file() {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind: file_kind(metadata.file_type()),
        });
    }
    if metadata.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(())
}

/// The names of a directory's entries (none when it cannot be read): one listing, for callers
/// that would otherwise look up many names in it one by one.
pub fn entry_names(dir: &Path) -> std::collections::HashSet<std::ffi::OsString> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|entry| entry.file_name()).collect())
        .unwrap_or_default()
}

/// A file's modification time in nanoseconds since the Unix epoch, 0 when unknown: half of
/// the (size, time) stamp that caches keyed by a file's state record.
pub fn modified_nanos(metadata: &std::fs::Metadata) -> u128 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos())
}

/// Whether a file modified at `modified_nanos` changed too recently for its stamp to be
/// trusted: timestamps are coarse, so a file changed within the last two seconds could change
/// again without its time moving. Caches keyed by stamps record no such file ("racy" entries,
/// as git calls them) and read it again next time.
pub fn changed_just_now(modified_nanos: u128) -> bool {
    const MARGIN_NANOS: u128 = 2_000_000_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(u128::MAX, |since| since.as_nanos());
    modified_nanos.saturating_add(MARGIN_NANOS) >= now
}

static DERIVED_CACHE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// Keeps the caches of facts derived from immutable inputs (license-text detections, the
/// manifest facts of published crates, crates' yanked flags by index file, resolved builds)
/// under `dir`, or nowhere with `None`
/// (`--no-cache`). Set once per process, before the first scan; later calls are ignored.
/// Without a call nothing is cached (library users and tests opt in).
pub fn use_derived_cache(dir: Option<PathBuf>) {
    let _ = DERIVED_CACHE.set(dir);
}

/// The directory [`use_derived_cache`] set, if any.
pub fn derived_cache() -> Option<&'static Path> {
    DERIVED_CACHE.get()?.as_deref()
}

/// Where a derived-facts cache of `kind` (a directory name) keeps the facts of `scope` (what
/// they were derived from and how: a cargo home and reading mode, an index directory).
fn derived_cache_file(kind: &str, scope: &str) -> Option<PathBuf> {
    let digest = sha256_hex(scope.as_bytes());
    Some(
        derived_cache()?
            .join(kind)
            .join(format!("{}.bin", &digest[..24])),
    )
}

/// What a derived-facts cache file holds: its format and scope, to tell a file of another
/// depgate or another scope (a digest collision, a copied file) from ours.
#[derive(serde::Serialize, serde::Deserialize)]
struct DerivedFacts<T> {
    format: u32,
    scope: String,
    content: T,
}

/// The cached facts of `scope`, when the cache is in use and its file decodes, is of `format`
/// and is of that scope; anything else is a miss (the cache is only a cache).
pub fn read_derived<T: serde::de::DeserializeOwned>(
    kind: &str,
    format: u32,
    scope: &str,
) -> Option<T> {
    let bytes = std::fs::read(derived_cache_file(kind, scope)?).ok()?;
    let cached: DerivedFacts<T> = postcard::from_bytes(&bytes).ok()?;
    (cached.format == format && cached.scope == scope).then_some(cached.content)
}

/// Writes the facts of `scope` atomically (concurrent runs each replace the file whole); a
/// failure (a read-only or full cache directory) only costs the next run the work.
pub fn write_derived<T: serde::Serialize>(kind: &str, format: u32, scope: &str, content: &T) {
    let Some(file) = derived_cache_file(kind, scope) else {
        return;
    };
    let envelope = DerivedFacts {
        format,
        scope: scope.to_string(),
        content,
    };
    let Ok(bytes) = postcard::to_stdvec(&envelope) else {
        return;
    };
    if let Some(parent) = file.parent()
        && std::fs::create_dir_all(parent).is_ok()
    {
        let _ = write_cache_entry(&file, &bytes);
    }
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `bytes` to `path`, the way a user who names an output file expects:
///
/// - A symbolic link is followed: its target is written, the link stays.
/// - A regular file (or a new one) is replaced atomically: a temporary file in the same
///   directory, flushed and synced, then renamed over the target, so a failure at any point
///   leaves the old file or nothing. A new file gets the mode the umask allows (0666 less the
///   umask), a replaced one keeps its mode.
/// - A FIFO, a device (`/dev/null`, `/dev/stdout`) or a socket is written in place: renaming
///   over it would replace the special file itself (as root, `-o /dev/null` would destroy it).
/// - A directory is an error.
///
/// While a temporary file exists, SIGINT and SIGTERM remove it before the process exits.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_file(path, bytes, Durability::Synced)
}

/// Writes an entry of a cache (derived facts, advisory indexes, provider answers) as
/// [`write_atomic`] writes an output, but without waiting for the disk: after a crash an
/// entry may come back empty or cut short, which its reader rejects like any corrupt entry
/// and rebuilds, so the fsync would buy nothing and cost each first run a wait per entry.
pub fn write_cache_entry(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    replace_file(path, bytes, Durability::Unsynced)
}

/// Whether a replaced file is synced to the disk before it is renamed into place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Durability {
    Synced,
    Unsynced,
}

fn replace_file(path: &Path, bytes: &[u8], durability: Durability) -> std::io::Result<()> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.is_dir() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                format!("`{}` is a directory", target.display()),
            ));
        }
        Ok(metadata) if !metadata.is_file() => {
            let mut file = std::fs::OpenOptions::new().write(true).open(&target)?;
            return file.write_all(bytes).and_then(|()| file.flush());
        }
        _ => {}
    }
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let permissions = match std::fs::metadata(&target) {
        Ok(existing) => Some(existing.permissions()),
        Err(_) => new_file_permissions(),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".depgate-").suffix(".tmp");
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("`{}`: {e}", dir.display())))?;
    let guard = interrupt::register(temp.path());
    let result = (|| {
        let mut file = temp.as_file();
        file.write_all(bytes)?;
        if durability == Durability::Synced {
            file.sync_all()?;
        }
        temp.persist(&target).map_err(|e| {
            std::io::Error::new(
                e.error.kind(),
                format!("`{}`: {}", target.display(), e.error),
            )
        })?;
        Ok(())
    })();
    drop(guard);
    result
}

/// Permissions for a new output file: read and write for all, less the umask (`open(2)`
/// applies it), as a shell redirect creates files; tempfile's own default is 0600. Elsewhere
/// than Unix the default (a writable file) is right already.
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Follows symbolic links from `path` to the file they finally name (which need not exist:
/// a dangling link's target is created). Relative link targets are taken from the link's
/// directory; a chain longer than 40 links (a loop) is an error, as `open(2)` would say.
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "`{}`: too many levels of symbolic links",
        path.display()
    )))
}

/// Temporary output files to remove when the process is interrupted.
mod interrupt {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once};

    /// The temporary files being written now.
    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static INSTALL: Once = Once::new();

    /// Removes its file from the pending list when the write is over (persisted or dropped).
    pub(super) struct Registration(PathBuf);

    impl Drop for Registration {
        fn drop(&mut self) {
            if let Ok(mut pending) = PENDING.lock() {
                pending.retain(|path| path != &self.0);
            }
        }
    }

    /// Registers `path` for removal on SIGINT/SIGTERM, installing the handler on first use.
    pub(super) fn register(path: &Path) -> Registration {
        INSTALL.call_once(install);
        if let Ok(mut pending) = PENDING.lock() {
            pending.push(path.to_path_buf());
        }
        Registration(path.to_path_buf())
    }

    /// A thread that waits for SIGINT or SIGTERM, removes the pending files and exits with
    /// the shell's code for the signal (128 + its number). Without a handler the default
    /// action would end the process and leave a temporary file of up to the output's size.
    fn install() {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    if let Ok(pending) = PENDING.lock() {
                        for path in pending.iter() {
                            let _ = std::fs::remove_file(path);
                        }
                    }
                    std::process::exit(128 + signal);
                }
            });
        }
    }
}

/// `1 package`, `2 packages`: a count with its noun, for messages.
pub fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// The time to stamp into generated documents: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), else now. An unparsable `SOURCE_DATE_EPOCH` is an error, not silently ignored.
pub fn timestamp() -> Result<time::OffsetDateTime, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => {
            let seconds: i64 = value
                .trim()
                .parse()
                .map_err(|_| format!("`SOURCE_DATE_EPOCH` is not an integer: `{value}`"))?;
            time::OffsetDateTime::from_unix_timestamp(seconds)
                .map_err(|e| format!("`SOURCE_DATE_EPOCH` out of range: {e}"))
        }
        Err(_) => Ok(time::OffsetDateTime::now_utc()),
    }
}

/// RFC 3339 form of a timestamp, whole seconds, UTC (`2024-01-02T03:04:05Z`).
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// Lexically removes `.` and `..` components (no file system access, links not followed), so
/// the same file reached two ways compares equal. A leading `..` that cannot be removed stays.
pub fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Maps `f` over `items` on up to eight threads (one per core) and returns the results in the
/// order of `items`. For many small independent jobs of file I/O and parsing (a lockfile's
/// manifests, its index-cache files, an advisory database's directories). The items are cut
/// into batches of `min_chunk` (at least one), which the threads take in turn from a shared
/// counter until none is left, so a thread that starts late or is slowed by other work (the
/// inventory is read while the advisories load, so a run has more threads than cores) does
/// fewer batches instead of finishing last with a fixed half. A single batch runs on the
/// calling thread, and the calling thread always takes batches too. A panic in `f` is
/// re-raised here.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let batch = min_chunk.max(1);
    let threads = cores().min(items.len().div_ceil(batch));
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let batches: Vec<&[T]> = items.chunks(batch).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(chunk) = batches.get(index) else {
                return done;
            };
            done.push((index, chunk.iter().map(&f).collect()));
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for handle in handles {
            done.extend(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done.sort_unstable_by_key(|(index, _)| *index);
        let mut results: Vec<R> = Vec::with_capacity(items.len());
        for (_, part) in done {
            results.extend(part);
        }
        results
    })
}

/// The cores to spread work over (at most eight), asked of the system once per run: the
/// answer reads cgroup files.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .clamp(1, 8)
    })
}

/// Reads `path` from disk, or from inside a `.crate` archive when a component of the path is
/// an existing `*.crate` file (the form used for sources that were downloaded but not unpacked).
pub fn read_possibly_archived(path: &Path) -> std::io::Result<Vec<u8>> {
    match read_input_io(path) {
        Ok(bytes) => return Ok(bytes),
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            // `ARCHIVE.crate/x` fails with NotADirectory on Linux: fall through to the archive.
            if !path
                .ancestors()
                .any(|a| a.extension().is_some_and(|e| e == "crate"))
            {
                return Err(error);
            }
        }
        Err(_) => {}
    }
    let archive = path
        .ancestors()
        .find(|a| a.extension().is_some_and(|e| e == "crate") && a.is_file())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("`{}` not found", path.display()),
            )
        })?;
    let inner = path.strip_prefix(archive).map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::NotFound, "path outside the archive")
    })?;
    let file = std::fs::File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries()? {
        let mut entry = entry?;
        if entry.path()?.as_ref() == inner {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes)?;
            return Ok(bytes);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("`{}` is not in `{}`", inner.display(), archive.display()),
    ))
}

/// Where YAML `text` first nests flow collections deeper than [`MAX_YAML_FLOW_DEPTH`], as a
/// 1-based (line, byte column); `None` when it does not. One linear pass: a `[` or `{` counts
/// only where YAML lets a node start (first on its line, or after `:`, `-`, `,`, `?`, `[`,
/// `{`), outside quoted scalars and comments, so brackets inside plain scalars (`a[1]`) and
/// strings are not counted.
pub fn yaml_flow_too_deep(text: &[u8]) -> Option<(usize, usize)> {
    let node_may_start =
        |previous: u8| matches!(previous, b'\n' | b':' | b'-' | b',' | b'?' | b'[' | b'{');
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    // The last byte on this line that is not a space; `\n` at the start of a line.
    let mut previous = b'\n';
    let mut index = 0;
    while let Some(&byte) = text.get(index) {
        match byte {
            b'\n' => {
                line += 1;
                line_start = index + 1;
                previous = b'\n';
                index += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                index += 1;
                continue;
            }
            b'#' if previous == b'\n'
                || matches!(text.get(index.wrapping_sub(1)), Some(b' ' | b'\t')) =>
            {
                // A comment runs to the end of the line.
                while text.get(index).is_some_and(|&b| b != b'\n') {
                    index += 1;
                }
                continue;
            }
            b'\'' | b'"' if node_may_start(previous) => {
                // A quoted scalar: `''` escapes a single quote, `\` escapes in double quotes.
                index += 1;
                while let Some(&inner) = text.get(index) {
                    index += 1;
                    match inner {
                        b'\n' => {
                            line += 1;
                            line_start = index;
                        }
                        b'\\' if byte == b'"' => index += 1,
                        b'\'' if byte == b'\'' && text.get(index) == Some(&b'\'') => index += 1,
                        _ if inner == byte => break,
                        _ => {}
                    }
                }
                previous = byte;
                continue;
            }
            b'[' | b'{' if node_may_start(previous) => {
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    return Some((line, index - line_start + 1));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = byte;
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_the_order_of_its_items_for_every_chunking() {
        for length in [0, 1, 2, 7, 64, 1000, 4097] {
            let items: Vec<usize> = (0..length).collect();
            for min_chunk in [0, 1, 3, 512, 5000] {
                let doubled = parallel_map(&items, min_chunk, |item| item * 2);
                let expected: Vec<usize> = items.iter().map(|item| item * 2).collect();
                assert_eq!(doubled, expected, "{length} items, chunks of {min_chunk}");
            }
        }
    }

    #[test]
    fn parallel_map_hands_out_batches_to_whichever_thread_is_free() {
        if cores() < 2 {
            eprintln!("skipped: one core, so parallel_map runs on the calling thread");
            return;
        }
        // The thread that takes the first batch stays on it until every other batch is done:
        // with a fixed share per thread, the batches behind it would never be mapped.
        let items: Vec<usize> = (0..80).collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let mapped = parallel_map(&items, 10, |&item| {
            if item == 0 {
                let start = std::time::Instant::now();
                while done.load(std::sync::atomic::Ordering::SeqCst) < 70 {
                    assert!(
                        start.elapsed() < std::time::Duration::from_secs(30),
                        "the other batches waited for the thread holding the first"
                    );
                    std::thread::yield_now();
                }
            } else if item >= 10 {
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            item
        });
        assert_eq!(mapped, items);
    }

    #[test]
    fn parallel_map_raises_a_panic_of_any_chunk() {
        let items: Vec<usize> = (0..100).collect();
        // Whichever thread takes the first or the last batch.
        for bad in [0, 99] {
            let raised = std::panic::catch_unwind(|| {
                parallel_map(&items, 10, |&item| {
                    assert_ne!(item, bad, "item {bad}");
                    item
                })
            });
            assert!(raised.is_err(), "the panic on item {bad} was lost");
        }
    }

    #[test]
    fn files_are_read_whole_whatever_size_they_report() {
        let dir = tempfile::tempdir().unwrap();
        for length in [0_usize, 1, 4095, 4096, 70_000] {
            let path = dir.path().join(format!("{length}.txt"));
            let text: Vec<u8> = (0..length).map(|at| b'a' + (at % 26) as u8).collect();
            std::fs::write(&path, &text).unwrap();
            assert_eq!(read_input(&path).unwrap(), text, "{length} bytes");
            let error = read_limited(&path, length.saturating_sub(1) as u64);
            assert_eq!(
                error.is_err(),
                length > 0,
                "{length} bytes over a smaller limit"
            );
        }
        // A file that reports no size but has content (procfs) is read to its end, within
        // the limit all the same.
        #[cfg(target_os = "linux")]
        {
            let status = read_input_text(Path::new("/proc/self/status")).unwrap();
            assert!(
                status.contains("Name:") && status.ends_with('\n'),
                "{status}"
            );
            let error = read_limited(Path::new("/proc/self/status"), 10).unwrap_err();
            assert!(matches!(error, ReadError::TooLarge { .. }), "{error}");
        }
    }

    #[test]
    fn normalize_path_removes_dot_segments() {
        assert_eq!(
            normalize_path(Path::new("/a/b/../c/./Cargo.toml")),
            PathBuf::from("/a/c/Cargo.toml")
        );
        assert_eq!(
            normalize_path(Path::new("../x/./y")),
            PathBuf::from("../x/y")
        );
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }

    #[test]
    fn atomic_write_into_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.json");
        assert!(write_atomic(&path, b"x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn rfc3339_is_utc_whole_seconds() {
        let at = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(rfc3339(at), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn yaml_flow_depth_is_found_in_one_pass_and_plain_brackets_do_not_count() {
        let deep = format!(
            "packages:\n  x: {}1",
            "{a: ".repeat(MAX_YAML_FLOW_DEPTH + 1)
        );
        assert_eq!(
            yaml_flow_too_deep(deep.as_bytes()),
            Some((2, 5 + 4 * MAX_YAML_FLOW_DEPTH + 1))
        );
        let at_limit = format!(
            "x: {}1{}",
            "[".repeat(MAX_YAML_FLOW_DEPTH),
            "]".repeat(MAX_YAML_FLOW_DEPTH)
        );
        assert_eq!(yaml_flow_too_deep(at_limit.as_bytes()), None);
        // Brackets in plain scalars, quoted scalars and comments open nothing.
        let unbalanced = "[".repeat(MAX_YAML_FLOW_DEPTH + 1);
        for text in [
            format!("x: a{unbalanced}"),
            format!("x: '{unbalanced}'"),
            format!("x: \"{unbalanced}\\\"\""),
            format!("x: 1 # {unbalanced}"),
            format!("# {unbalanced}"),
        ] {
            assert_eq!(yaml_flow_too_deep(text.as_bytes()), None, "{text}");
        }
        // Closed collections do not add up.
        let siblings = "- [a]\n".repeat(10 * MAX_YAML_FLOW_DEPTH);
        assert_eq!(yaml_flow_too_deep(siblings.as_bytes()), None);
    }
}
