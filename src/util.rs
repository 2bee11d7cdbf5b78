//! Small helpers shared by every stage: hashing, atomic writes, the reproducible clock.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed and
/// synced, then renamed over the target. A failure at any point leaves no partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".depgate-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| std::io::Error::new(e.kind(), format!("`{}`: {e}", dir.display())))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| {
        std::io::Error::new(e.error.kind(), format!("`{}`: {}", path.display(), e.error))
    })?;
    Ok(())
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

/// Maps `f` over `items` on up to eight threads (one per core), in contiguous chunks of at
/// least `min_chunk` items, and returns the results in the order of `items`. For many small
/// independent jobs of file I/O and parsing (a lockfile's manifests, its index-cache files);
/// fewer than `2 * min_chunk` items run on one thread. A panic in `f` is re-raised here.
pub fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    min_chunk: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk_size = items.len().div_ceil(threads).max(min_chunk.max(1));
    if items.len() <= chunk_size {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk_size)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Reads `path` from disk, or from inside a `.crate` archive when a component of the path is
/// an existing `*.crate` file (the form used for sources that were downloaded but not unpacked).
pub fn read_possibly_archived(path: &Path) -> std::io::Result<Vec<u8>> {
    match std::fs::read(path) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
