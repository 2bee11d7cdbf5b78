//! Stage 3, enrich: license-text detection for packages that declare no license.
//!
//! In: license files (plain files, or members of a `.crate` archive) and an [`Inventory`].
//! Out: [`Detection`]s (SPDX id, score 0..=1, file) and, for packages without a declared
//! license, a [`LicenseInfo`] with origin [`LicenseOrigin::Detected`] and the score as its
//! confidence. The policy decides which score is enough; this module only records it.
//!
//! The matcher is the `spdx` crate's (askalono's) n-gram store, built once per process from
//! the SPDX license texts bundled with the crate (`text` feature). One fix on top: most Rust
//! crates ship an Apache-2.0 text that stops at "END OF TERMS AND CONDITIONS"; against the
//! bundled texts alone that scores higher as `Pixar` (Apache-2.0 plus a different appendix)
//! than as `Apache-2.0`, so the store also holds Apache-2.0 without its appendix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use spdx::detection::{LicenseType, Store, TextData};
use thiserror::Error;

use crate::inventory::{Inventory, LicenseInfo, LicenseOrigin};

/// A license recognised in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// SPDX license id of the closest match.
    pub license: String,
    /// Match score in 0..=1 (1.0 is the exact text).
    pub score: f32,
    /// The file that was read.
    pub file: PathBuf,
}

/// Why a license file could not be read.
#[derive(Debug, Error)]
pub enum LicenseTextError {
    /// The file (or the archive holding it) could not be read.
    #[error("cannot read license file `{}`", path.display())]
    Io {
        /// The license file.
        path: PathBuf,
        /// The OS or archive error.
        source: std::io::Error,
    },
}

/// Files whose best match scores below this are ignored when another file of the same package
/// matched better: a NOTICE or a README-like COPYING file otherwise adds a meaningless license.
const NOISE_FLOOR: f32 = 0.5;

/// The store, built on first use (about 0.4 s in a release build, see docs/inputs.md).
pub fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(build_store)
}

fn build_store() -> Store {
    let mut store = Store::new();
    for (name, text) in spdx::text::LICENSE_TEXTS {
        store.add_license((*name).to_string(), TextData::new(text));
    }
    if let Some((_, apache)) = spdx::text::LICENSE_TEXTS
        .iter()
        .find(|(name, _)| *name == "Apache-2.0")
    {
        const END: &str = "END OF TERMS AND CONDITIONS";
        if let Some(at) = apache.find(END) {
            let without_appendix = &apache[..at + END.len()];
            // Cannot fail: the license was added just above.
            let _ = store.add_variant(
                "Apache-2.0",
                LicenseType::Alternate,
                TextData::new(without_appendix),
            );
        }
    }
    store
}

/// Reads a license file: a plain file, or `ARCHIVE.crate/NAME-VERSION/FILE` for sources that
/// cargo downloaded but did not unpack (the form ingest records in `license_files`).
pub fn read_license_file(path: &Path) -> Result<Vec<u8>, LicenseTextError> {
    crate::util::read_possibly_archived(path).map_err(|source| LicenseTextError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Detects the license in one file. `Ok(None)` when the file holds no text at all.
pub fn detect_file(path: &Path) -> Result<Option<Detection>, LicenseTextError> {
    let bytes = read_license_file(path)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(detect_text(&text).map(|(license, score)| Detection {
        license,
        score,
        file: path.to_path_buf(),
    }))
}

/// Detects the license in a text: the closest SPDX id and its score, `None` for blank text.
/// Results come from the on-disk cache when one is configured ([`use_result_cache`]), so the
/// matcher is built only when a text has never been seen.
pub fn detect_text(text: &str) -> Option<(String, f32)> {
    if text.trim().is_empty() {
        return None;
    }
    let cache = RESULT_CACHE.get().and_then(Option::as_ref);
    let key = cache.map(|_| crate::util::sha256_hex(text.as_bytes()));
    if let (Some(dir), Some(key)) = (cache, &key)
        && let Some(found) = cached_result(dir, key)
    {
        return Some(found);
    }
    let found = store().analyze(&TextData::new(text));
    let found = (found.name.to_string(), found.score);
    if let (Some(dir), Some(key)) = (cache, &key) {
        store_result(dir, key, &found);
    }
    Some(found)
}

/// What a cached result was computed with: the SPDX license list the texts come from and our
/// own additions to the store (the Apache-2.0 variant). A change of either invalidates every
/// entry.
const MATCHER: &str = "spdx-texts-3.29.0+apache-2.0-without-appendix";

static RESULT_CACHE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Keeps detection results in `dir` (one small JSON file per license text, named by the
/// text's SHA-256), or nowhere with `None` (`--no-cache`). Set once per process, before the
/// first detection; later calls are ignored.
pub fn use_result_cache(dir: Option<PathBuf>) {
    let _ = RESULT_CACHE.set(dir);
}

/// One cached detection.
#[derive(serde::Serialize, serde::Deserialize)]
struct CachedResult {
    matcher: String,
    license: String,
    score: f32,
}

fn result_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2]).join(format!("{key}.json"))
}

/// A cached result, when one exists for this matcher; anything unreadable, foreign or from
/// another matcher is a miss (the cache is only a cache).
fn cached_result(dir: &Path, key: &str) -> Option<(String, f32)> {
    let bytes = std::fs::read(result_path(dir, key)).ok()?;
    let cached: CachedResult = serde_json::from_slice(&bytes).ok()?;
    (cached.matcher == MATCHER && cached.score.is_finite() && (0.0..=1.0).contains(&cached.score))
        .then_some((cached.license, cached.score))
}

/// Writes a result atomically (concurrent runs write the same bytes); a failure only costs
/// the next run the detection.
fn store_result(dir: &Path, key: &str, (license, score): &(String, f32)) {
    let path = result_path(dir, key);
    let entry = CachedResult {
        matcher: MATCHER.to_string(),
        license: license.clone(),
        score: *score,
    };
    if let (Some(parent), Ok(bytes)) = (path.parent(), serde_json::to_vec(&entry)) {
        let _ = std::fs::create_dir_all(parent);
        let _ = crate::util::write_atomic(&path, &bytes);
    }
}

/// For every package with no declared license (or one whose only license fact is a
/// `license-file`), detects the license from its license files and records it with origin
/// `Detected` and the score as confidence. Different licenses in separate files combine with
/// `AND` (the confidence is then the lowest of their scores); for each license the
/// best-scoring file is kept. Unreadable files are recorded as a `license-file-unreadable` gap.
pub fn detect_missing_licenses(inventory: &mut Inventory) {
    let mut unreadable = Vec::new();
    for package in inventory.packages_mut() {
        if package.license.is_some() || package.license_files.is_empty() {
            continue;
        }
        let mut detections = Vec::new();
        for file in &package.license_files {
            match detect_file(file) {
                Ok(Some(detection)) => detections.push(detection),
                Ok(None) => {}
                Err(error) => unreadable.push(crate::util::error_chain(&error)),
            }
        }
        if let Some(license) = combine(detections) {
            package.license = Some(license);
        }
    }
    for message in unreadable {
        inventory.add_gap("license-file-unreadable", message, 1);
    }
}

/// One [`LicenseInfo`] from the detections of a package's files.
fn combine(mut detections: Vec<Detection>) -> Option<LicenseInfo> {
    if detections.iter().any(|d| d.score >= NOISE_FLOOR) {
        detections.retain(|d| d.score >= NOISE_FLOOR);
    } else {
        // Nothing convincing: keep only the best guess, with its low score for the policy.
        detections.sort_by(|a, b| b.score.total_cmp(&a.score));
        detections.truncate(1);
    }
    let mut best: BTreeMap<String, Detection> = BTreeMap::new();
    for detection in detections {
        match best.get(&detection.license) {
            Some(kept) if kept.score >= detection.score => {}
            _ => {
                best.insert(detection.license.clone(), detection);
            }
        }
    }
    let weakest = best
        .values()
        .min_by(|a, b| a.score.total_cmp(&b.score))?
        .clone();
    let expression = best.keys().cloned().collect::<Vec<_>>().join(" AND ");
    Some(LicenseInfo {
        expression,
        origin: LicenseOrigin::Detected,
        confidence: weakest.score,
        file: Some(weakest.file),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(license: &str, score: f32, file: &str) -> Detection {
        Detection {
            license: license.into(),
            score,
            file: file.into(),
        }
    }

    #[test]
    fn combine_keeps_best_per_license_and_joins_with_and() {
        let info = combine(vec![
            detection("MIT", 0.97, "LICENSE-MIT"),
            detection("MIT", 0.99, "COPYING"),
            detection("Apache-2.0", 0.95, "LICENSE-APACHE"),
            detection("Zlib", 0.2, "NOTICE"),
        ])
        .unwrap();
        assert_eq!(info.expression, "Apache-2.0 AND MIT");
        assert_eq!(info.confidence, 0.95);
        assert_eq!(info.file, Some(PathBuf::from("LICENSE-APACHE")));
        assert_eq!(info.origin, LicenseOrigin::Detected);
    }

    #[test]
    fn combine_keeps_a_lone_weak_guess() {
        let info = combine(vec![
            detection("Zlib", 0.2, "a"),
            detection("MIT", 0.3, "b"),
        ])
        .unwrap();
        assert_eq!(info.expression, "MIT");
        assert_eq!(info.confidence, 0.3);
        assert!(combine(Vec::new()).is_none());
    }

    #[test]
    fn the_matcher_names_the_license_list_it_was_built_from() {
        assert!(MATCHER.contains(spdx::identifiers::VERSION));
    }

    #[test]
    fn cached_results_round_trip_and_foreign_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let key = crate::util::sha256_hex(b"some license text");
        assert_eq!(cached_result(dir.path(), &key), None);
        store_result(dir.path(), &key, &("MIT".to_string(), 0.97));
        assert_eq!(
            cached_result(dir.path(), &key),
            Some(("MIT".to_string(), 0.97))
        );
        let path = result_path(dir.path(), &key);
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(cached_result(dir.path(), &key), None);
        std::fs::write(
            &path,
            br#"{"matcher":"another-matcher","license":"MIT","score":0.97}"#,
        )
        .unwrap();
        assert_eq!(cached_result(dir.path(), &key), None);
        std::fs::write(
            &path,
            format!(r#"{{"matcher":"{MATCHER}","license":"MIT","score":7.0}}"#),
        )
        .unwrap();
        assert_eq!(cached_result(dir.path(), &key), None);
    }

    #[test]
    fn exact_mit_text_scores_one() {
        let (_, mit) = spdx::text::LICENSE_TEXTS
            .iter()
            .find(|(name, _)| *name == "MIT")
            .unwrap();
        let (license, score) = detect_text(mit).unwrap();
        assert_eq!(license, "MIT");
        assert!(score > 0.99, "{score}");
        assert!(detect_text("  \n").is_none());
    }
}
