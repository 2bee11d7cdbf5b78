//! License provider: the Go module cache (stage 3, enrich).
//!
//! In: the module cache directory (`$GOMODCACHE`, by default `~/go/pkg/mod`). Out: for a Go
//! module extracted at `<cache>/<escaped module>@<escaped version>/`, the license detected
//! from its top-level license files (`LICENSE*`, `LICENCE*`, `COPYING*`) with the spdx crate's
//! text matcher; the match score is the confidence (below 0.9 counts as unknown). Several
//! license files with different licenses are combined with `AND` (both texts apply unless
//! the module says otherwise). Origin `detected`.
//! Detection is `enrich::license_text`'s, so one store serves every ecosystem.

use std::path::{Path, PathBuf};

use super::{LicenseProvider, ProviderError};
use crate::inventory::{Ecosystem, LicenseInfo, LicenseOrigin, Package};

/// Matches below this score are not trusted as a license identification.
const MIN_SCORE: f32 = 0.9;

/// Modules extracted in a Go module cache.
pub struct GoModCacheProvider {
    cache: PathBuf,
}

impl GoModCacheProvider {
    /// A provider over the module cache at `cache`.
    pub fn new(cache: PathBuf) -> Self {
        Self { cache }
    }
}

/// The module cache's case encoding: every uppercase letter becomes `!` + lowercase, so
/// module paths stay distinct on case-insensitive file systems.
pub(crate) fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The SPDX id a license text matches, with the score; `None` below [`MIN_SCORE`]. Uses the
/// one detection store of `enrich::license_text` (with its Apache-2.0/Pixar handling).
pub(crate) fn detect_text(text: &str) -> Option<(String, f32)> {
    crate::enrich::license_text::detect_text(text).filter(|(_, score)| *score >= MIN_SCORE)
}

fn license_files(directory: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_ascii_uppercase();
            name.starts_with("LICENSE")
                || name.starts_with("LICENCE")
                || name.starts_with("COPYING")
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

impl LicenseProvider for GoModCacheProvider {
    fn name(&self) -> &'static str {
        "go-mod-cache"
    }

    fn lookup(&self, package: &Package) -> Result<Option<LicenseInfo>, ProviderError> {
        if package.ecosystem != Ecosystem::Go || package.name.contains("..") {
            return Ok(None);
        }
        let directory = self.cache.join(format!(
            "{}@{}",
            escape(&package.name),
            escape(&package.version)
        ));
        let mut found: Vec<(String, f32)> = Vec::new();
        let mut first_file = None;
        for file in license_files(&directory) {
            let bytes = crate::util::read_input_io(&file).map_err(|source| ProviderError::Io {
                path: file.clone(),
                source,
            })?;
            if let Some((id, score)) = detect_text(&String::from_utf8_lossy(&bytes)) {
                if !found.iter().any(|(known, _)| known == &id) {
                    found.push((id, score));
                }
                first_file.get_or_insert(file);
            }
        }
        if found.is_empty() {
            return Ok(None);
        }
        let confidence = found.iter().map(|(_, s)| *s).fold(1.0_f32, f32::min);
        let expression = found
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>()
            .join(" AND ");
        Ok(Some(LicenseInfo {
            expression,
            origin: LicenseOrigin::Detected,
            confidence,
            file: first_file,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_cache_escapes_uppercase() {
        assert_eq!(
            escape("github.com/BurntSushi/toml"),
            "github.com/!burnt!sushi/toml"
        );
    }
}
