//! Stage 3, enrich: declared licenses that disagree with the text of the package's own license
//! files (a fact for the license report, never a verdict).
//!
//! In: an [`Inventory`] whose packages list their license files, a detection threshold and a
//! detector (the only I/O, so tests can pass their own). Out: [`LicenseConflict`]s, sorted.

use std::path::{Path, PathBuf};

use crate::inventory::{Inventory, LicenseOrigin, PackageId};
use crate::vocabulary::spdx::normalize;

/// A detection must score at least this to count as a conflict when no policy sets
/// `min-confidence`.
pub const DEFAULT_CONFLICT_THRESHOLD: f32 = 0.9;

/// A license detected in a file with its score, as license-text detection reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedLicense {
    /// The SPDX id the text matches.
    pub license: String,
    /// The match score in 0..=1.
    pub score: f32,
}

/// Declared metadata that disagrees with a license file's text.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseConflict {
    /// The package.
    pub package: PackageId,
    /// The declared license expression (canonical SPDX).
    pub declared: String,
    /// The license the file's text matches.
    pub detected: String,
    /// The detection score in 0..=1.
    pub score: f32,
    /// The license file.
    pub file: PathBuf,
}

/// A license-text detector: reads one file and says which license its text matches. The
/// second argument lists the SPDX ids the package declares; a detector may try those first and
/// return the first that matches well (comparing against two texts instead of seven hundred),
/// since only a mismatch matters here.
pub type Detector<'a> = &'a dyn Fn(&Path, &[String]) -> Option<DetectedLicense>;

/// Declared licenses that disagree with the text of the package's license files.
///
/// `detect` is the only I/O, so the caller chooses the detector. A detection counts when its
/// score reaches `threshold`; it conflicts when the detected license is none of the ids the
/// declared expression contains. `NOTICE` files are not license texts and are skipped.
/// Packages whose license itself was detected or clarified have nothing to disagree with.
pub fn find_conflicts(
    inventory: &Inventory,
    threshold: f32,
    detect: Detector<'_>,
) -> Vec<LicenseConflict> {
    let mut conflicts = Vec::new();
    for package in inventory.third_party() {
        let Some(license) = &package.license else {
            continue;
        };
        if matches!(
            license.origin,
            LicenseOrigin::Detected | LicenseOrigin::Clarified
        ) {
            continue;
        }
        let Ok(declared) = normalize(&license.expression) else {
            continue;
        };
        let declared_ids: Vec<String> = declared
            .expression
            .requirements()
            .filter_map(|r| r.req.license.id().map(|id| id.name.to_string()))
            .collect();
        let mut files: Vec<_> = package
            .license_files
            .iter()
            .map(|f| match &package.local_dir {
                Some(dir) if f.is_relative() => dir.join(f),
                _ => f.clone(),
            })
            .filter(|f| !is_notice_file(f))
            .collect();
        files.sort();
        files.dedup();
        for file in files {
            let Some(detected) = detect(&file, &declared_ids) else {
                continue;
            };
            if detected.score < threshold || same_license_family(&declared_ids, &detected.license) {
                continue;
            }
            conflicts.push(LicenseConflict {
                package: package.id,
                declared: declared.normalized.clone(),
                detected: detected.license,
                score: detected.score,
                file,
            });
        }
    }
    conflicts.sort_by(|a, b| {
        let key = |c: &LicenseConflict| {
            let package = inventory.package(c.package);
            (
                package.name.clone(),
                package.version.clone(),
                c.file.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    conflicts
}

/// True when a detected id is one of the declared ids, allowing for the `-only`/plain
/// spellings of the same license (`GPL-2.0` text detected for a `GPL-2.0-only` declaration).
fn same_license_family(declared: &[String], detected: &str) -> bool {
    let base = |id: &str| {
        id.trim_end_matches('+')
            .trim_end_matches("-only")
            .trim_end_matches("-or-later")
            .to_string()
    };
    declared.iter().any(|d| base(d) == base(detected))
}

/// True for `NOTICE`, `NOTICE.txt`, `NOTICE.md` (any case): Apache notices, not license texts.
pub fn is_notice_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_uppercase())
        .is_some_and(|n| n == "NOTICE" || n.starts_with("NOTICE."))
}

/// What one license file's text matches, with its score; `None` when unreadable. The declared
/// licenses are tried first against the shared matcher (`enrich::license_text`): when one of
/// them matches at `DEFAULT_CONFLICT_THRESHOLD` or better, the full comparison against every
/// SPDX text (≈10 ms a file) is skipped.
pub fn detect_license_file(path: &Path, declared: &[String]) -> Option<DetectedLicense> {
    let bytes = super::license_text::read_license_file(path).ok()?;
    // A license text is a few KiB; anything huge is not one and would only cost time.
    if bytes.len() > 512 * 1024 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let data = spdx::detection::TextData::new(&text);
    for id in declared {
        if let Some(original) = super::license_text::license_original(id) {
            let score = data.match_score(original);
            if score >= DEFAULT_CONFLICT_THRESHOLD {
                return Some(DetectedLicense {
                    license: id.clone(),
                    score,
                });
            }
        }
    }
    super::license_text::detect_text(&text)
        .map(|(license, score)| DetectedLicense { license, score })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detected_spelling_of_the_same_license_is_no_conflict() {
        let declared = vec!["GPL-2.0-only".to_string(), "MIT".to_string()];
        assert!(same_license_family(&declared, "GPL-2.0"));
        assert!(same_license_family(&declared, "MIT"));
        assert!(!same_license_family(&declared, "Apache-2.0"));
    }

    #[test]
    fn notice_files_are_recognised() {
        assert!(is_notice_file(Path::new("/x/NOTICE")));
        assert!(is_notice_file(Path::new("notice.md")));
        assert!(!is_notice_file(Path::new("LICENSE")));
    }
}
