//! Safe archive handling: the RustSec `.tar.gz` is extracted, an OSV `all.zip` is checked.
//! Both reject absolute paths, `..`, symlinks and hard links, and decompression bombs (a
//! total-size limit and a compression-ratio limit).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::NetError;

/// Limits against decompression bombs.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Largest total uncompressed size.
    pub max_total_bytes: u64,
    /// Largest uncompressed / compressed ratio of the whole archive.
    pub max_ratio: u64,
    /// Largest number of entries.
    pub max_entries: usize,
}

impl ArchiveLimits {
    /// Rejects an archive whose uncompressed size so far exceeds the limit.
    fn check_total(&self, archive: &Path, total: u64) -> Result<(), NetError> {
        if total > self.max_total_bytes {
            return Err(reject(
                archive,
                format!("uncompressed size exceeds {} bytes", self.max_total_bytes),
            ));
        }
        Ok(())
    }

    /// Rejects an archive that expands more than the limit allows (a decompression bomb).
    fn check_ratio(&self, archive: &Path, total: u64, compressed: u64) -> Result<(), NetError> {
        if total / compressed > self.max_ratio {
            return Err(reject(
                archive,
                format!("compression ratio exceeds {}:1", self.max_ratio),
            ));
        }
        Ok(())
    }
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_total_bytes: 2 * 1024 * 1024 * 1024,
            max_ratio: 200,
            max_entries: 1_000_000,
        }
    }
}

fn reject(path: &Path, message: impl Into<String>) -> NetError {
    NetError::Archive {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A relative path with only normal components, or an error naming the entry.
fn safe_relative(archive: &Path, name: &Path) -> Result<PathBuf, NetError> {
    let mut out = PathBuf::new();
    for component in name.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(reject(
                    archive,
                    format!("entry `{}` escapes the target directory", name.display()),
                ));
            }
        }
    }
    Ok(out)
}

/// Extracts a GitHub source archive (`<repo>-<ref>/…`) into `destination`, dropping the top
/// directory. Returns the commit id from the pax global header, when GitHub put one there.
pub fn extract_tar_gz(
    archive: &Path,
    destination: &Path,
    limits: &ArchiveLimits,
) -> Result<Option<String>, NetError> {
    let io = |source| NetError::Io {
        path: archive.to_path_buf(),
        source,
    };
    let compressed = std::fs::metadata(archive).map_err(io)?.len().max(1);
    let file = std::fs::File::open(archive).map_err(io)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)));
    let mut commit = None;
    let mut total: u64 = 0;
    let entries = tar
        .entries()
        .map_err(|e| reject(archive, format!("not a tar.gz archive: {e}")))?;
    for (count, entry) in entries.enumerate() {
        if count >= limits.max_entries {
            return Err(reject(archive, "too many entries"));
        }
        let mut entry = entry.map_err(|e| reject(archive, format!("corrupt archive: {e}")))?;
        let kind = entry.header().entry_type();
        if kind == tar::EntryType::XGlobalHeader {
            // GitHub stores the commit as the pax `comment` record.
            let mut body = Vec::new();
            (&mut entry)
                .take(64 * 1024)
                .read_to_end(&mut body)
                .map_err(|e| reject(archive, format!("corrupt archive: {e}")))?;
            let text = String::from_utf8_lossy(&body);
            commit = text.lines().find_map(|line| {
                line.split_once(" comment=")
                    .map(|(_, c)| c.trim().to_string())
            });
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| reject(archive, format!("bad entry name: {e}")))?
            .into_owned();
        if name.is_absolute() {
            return Err(reject(
                archive,
                format!("entry `{}` has an absolute path", name.display()),
            ));
        }
        let relative = safe_relative(archive, &name)?;
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(reject(
                archive,
                format!("entry `{}` is a link", name.display()),
            ));
        }
        // Drop the `<repo>-<ref>/` top directory.
        let mut parts = relative.components();
        parts.next();
        let inner: PathBuf = parts.collect();
        if inner.as_os_str().is_empty() {
            continue;
        }
        let target = destination.join(&inner);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|source| NetError::Io {
                path: target.clone(),
                source,
            })?;
            continue;
        }
        if !kind.is_file() {
            // Devices, fifos and the like have no place in an advisory database.
            return Err(reject(
                archive,
                format!("entry `{}` is not a regular file", name.display()),
            ));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| NetError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut out = std::fs::File::create(&target).map_err(|source| NetError::Io {
            path: target.clone(),
            source,
        })?;
        let remaining = limits.max_total_bytes.saturating_sub(total);
        let copied = std::io::copy(&mut (&mut entry).take(remaining + 1), &mut out)
            .map_err(|e| reject(archive, format!("corrupt entry `{}`: {e}", name.display())))?;
        total += copied;
        limits.check_total(archive, total)?;
        limits.check_ratio(archive, total, compressed)?;
    }
    Ok(commit)
}

/// Checks every entry of a zip: safe names, no links, sizes within the limits (declared and
/// actually decompressed). Returns the number of entries.
pub fn check_zip(archive: &Path, limits: &ArchiveLimits) -> Result<usize, NetError> {
    let io = |source| NetError::Io {
        path: archive.to_path_buf(),
        source,
    };
    let compressed = std::fs::metadata(archive).map_err(io)?.len().max(1);
    let file = std::fs::File::open(archive).map_err(io)?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| reject(archive, format!("not a zip archive: {e}")))?;
    if zip.len() > limits.max_entries {
        return Err(reject(archive, "too many entries"));
    }
    let mut total: u64 = 0;
    let mut sink = std::io::sink();
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|e| reject(archive, format!("corrupt entry {index}: {e}")))?;
        let name = PathBuf::from(entry.name());
        if name.is_absolute() || entry.enclosed_name().is_none() {
            return Err(reject(
                archive,
                format!("entry `{}` escapes the target directory", name.display()),
            ));
        }
        safe_relative(archive, &name)?;
        // Unix mode bits 0o120000 mark a symbolic link.
        if entry
            .unix_mode()
            .is_some_and(|mode| mode & 0o170000 == 0o120000)
        {
            return Err(reject(
                archive,
                format!("entry `{}` is a link", name.display()),
            ));
        }
        let remaining = limits.max_total_bytes.saturating_sub(total);
        limits.check_total(archive, total.saturating_add(entry.size()))?;
        let copied = std::io::copy(&mut (&mut entry).take(remaining + 1), &mut sink)
            .map_err(|e| reject(archive, format!("corrupt entry `{}`: {e}", name.display())))?;
        total += copied;
        limits.check_total(archive, total)?;
    }
    limits.check_ratio(archive, total, compressed)?;
    Ok(zip.len())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write_zip(path: &Path, entries: &[(&str, &[u8], Option<u32>)]) {
        let file = std::fs::File::create(path).unwrap();
        let mut writer = zip::ZipWriter::new(file);
        for (name, body, mode) in entries {
            let mut options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            if let Some(mode) = mode {
                options = options.unix_permissions(*mode);
            }
            if mode.is_some_and(|m| m & 0o170000 == 0o120000) {
                writer
                    .add_symlink(*name, std::str::from_utf8(body).unwrap(), options)
                    .unwrap();
            } else {
                writer.start_file(*name, options).unwrap();
                writer.write_all(body).unwrap();
            }
        }
        writer.finish().unwrap();
    }

    #[test]
    fn zip_checks() {
        let dir = tempfile::tempdir().unwrap();
        let limits = ArchiveLimits::default();
        let good = dir.path().join("good.zip");
        write_zip(&good, &[("a/GHSA-1.json", b"{}", None)]);
        assert_eq!(check_zip(&good, &limits).unwrap(), 1);

        let traversal = dir.path().join("traversal.zip");
        write_zip(&traversal, &[("../../evil.json", b"{}", None)]);
        let error = check_zip(&traversal, &limits).unwrap_err().to_string();
        assert!(error.contains("escapes the target directory"), "{error}");

        let link = dir.path().join("link.zip");
        write_zip(&link, &[("link.json", b"/etc/passwd", Some(0o120777))]);
        let error = check_zip(&link, &limits).unwrap_err().to_string();
        assert!(error.contains("is a link"), "{error}");

        // 4 MiB of zeros compresses about 1000:1.
        let bomb = dir.path().join("bomb.zip");
        write_zip(&bomb, &[("zeros.json", &vec![0u8; 4 * 1024 * 1024], None)]);
        let error = check_zip(&bomb, &limits).unwrap_err().to_string();
        assert!(error.contains("compression ratio"), "{error}");
        let small = ArchiveLimits {
            max_total_bytes: 1024,
            ..limits
        };
        let error = check_zip(&bomb, &small).unwrap_err().to_string();
        assert!(error.contains("uncompressed size"), "{error}");
    }

    #[test]
    fn tar_symlink_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder
            .append_link(&mut header, "repo-main/crates/x", "/etc")
            .unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&builder.into_inner().unwrap()).unwrap();
        let archive = dir.path().join("a.tar.gz");
        std::fs::write(&archive, encoder.finish().unwrap()).unwrap();
        let out = dir.path().join("out");
        let error = extract_tar_gz(&archive, &out, &ArchiveLimits::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("is a link"), "{error}");
        assert!(!out.join("crates/x").exists());
    }
}
