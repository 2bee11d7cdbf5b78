//! License provider: the Go module cache (stage 3, enrich).
//!
//! In: the module cache directory (`$GOMODCACHE`, by default `~/go/pkg/mod`). Out: for a Go
//! module extracted at `<cache>/<escaped module>@<escaped version>/`, the license detected
//! from its top-level license files (`LICENSE*`, `LICENCE*`, `COPYING*`) with the spdx crate's
//! text matcher; the match score is the confidence (below 0.9 counts as unknown). Several
//! license files with different licenses are combined with `AND` (both texts apply unless
//! the module says otherwise). Origin `detected`.
//!
//! Integration note: `enrich::license_text::detect_file` (written separately) is meant to be
//! the one text detector; when it lands, [`detect_text`] here should call it instead of
//! keeping its own store.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use spdx::detection::{Store, TextData};

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

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = Store::new();
        for (name, text) in spdx::text::LICENSE_TEXTS {
            store.add_license((*name).to_string(), TextData::new(text));
        }
        store
    })
}

/// The SPDX id a license text matches, with the score; `None` below [`MIN_SCORE`].
pub(crate) fn detect_text(text: &str) -> Option<(String, f32)> {
    let store = store();
    let data = TextData::new(text);
    let best = store.analyze(&data);
    let (mut name, mut score) = (best.name.to_string(), best.score);
    // Apache-2.0 without its appendix (very common) scores closer to `Pixar`, which is
    // Apache-2.0 with a changed clause; prefer Apache-2.0 when the text calls itself that.
    if name == "Pixar"
        && text.contains("Apache License")
        && let Some(apache) = store.get_original("Apache-2.0")
    {
        name = "Apache-2.0".to_string();
        score = apache.match_score(&data);
    }
    (score >= MIN_SCORE).then_some((name, score))
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
            let bytes = std::fs::read(&file).map_err(|source| ProviderError::Io {
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
