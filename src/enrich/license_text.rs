//! Stage 3, enrich: license-text detection for packages that declare no license.
//!
//! In: license files (plain files, or members of a `.crate` archive) and an [`Inventory`].
//! Out: [`Detection`]s (SPDX id, score 0..=1, file) and, for packages without a declared
//! license, a [`LicenseInfo`] with origin [`LicenseOrigin::Detected`] and the score as its
//! confidence. The policy decides which score is enough; this module only records it.
//!
//! The matcher scores like the `spdx` crate's (askalono's) n-gram store over the SPDX license
//! texts bundled with the crate (`text` feature), but turns a text into n-grams only when it
//! could still be the best match (see [`Matcher`]): building all ~740 costs 0.45 s, which a
//! first run would otherwise pay for a single license-less crate. One fix on top: most Rust
//! crates ship an Apache-2.0 text that stops at "END OF TERMS AND CONDITIONS"; against the
//! bundled texts alone that scores higher as `Pixar` (Apache-2.0 plus a different appendix)
//! than as `Apache-2.0`, so the matcher also holds Apache-2.0 without its appendix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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

/// Every SPDX text in one `spdx` store (about 0.45 s to build in a release build). Detection
/// uses the lazy [`Matcher`] instead, which gives the same verdicts; this full store is what
/// the license-store benchmark compares it with.
pub fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = Store::new();
        for (name, text) in spdx::text::LICENSE_TEXTS {
            store.add_license((*name).to_string(), TextData::new(text));
        }
        if let Some(without_appendix) = apache_without_appendix() {
            // Cannot fail: the license was added just above.
            let _ = store.add_variant(
                "Apache-2.0",
                LicenseType::Alternate,
                TextData::new(without_appendix),
            );
        }
        store
    })
}

/// The bundled Apache-2.0 text cut after "END OF TERMS AND CONDITIONS", as most Rust crates
/// ship it.
fn apache_without_appendix() -> Option<&'static str> {
    const END: &str = "END OF TERMS AND CONDITIONS";
    let (_, apache) = spdx::text::LICENSE_TEXTS
        .iter()
        .find(|(name, _)| *name == "Apache-2.0")?;
    let at = apache.find(END)?;
    Some(&apache[..at + END.len()])
}

/// One text the matcher compares against: a license's original text or a variant of it.
struct Candidate {
    /// SPDX id.
    name: &'static str,
    /// The text, turned into n-grams only when needed.
    text: &'static str,
    /// The number of word pairs (bigrams) of the normalised text, from the precomputed table;
    /// `None` for a text whose normalisation varies from run to run (always compared).
    bigrams: Option<u32>,
    /// The text's n-grams, built on first comparison.
    data: OnceLock<TextData>,
}

impl Candidate {
    fn data(&self) -> &TextData {
        self.data.get_or_init(|| TextData::new(self.text))
    }
}

/// The license-text matcher: the same texts and the same score as the full [`store`]
/// (askalono's Dice coefficient of word pairs), but a text's n-grams are built only when it
/// could still win. A Dice score is at most `2·min(a, b) / (a + b)` for texts of `a` and `b`
/// word pairs, so with every text's size known in advance (the precomputed table in
/// `license_bigrams.rs`) the candidates are tried from the highest bound down and the search
/// stops once the best score found beats every remaining bound. A typical license file builds
/// a handful of the ~740 texts instead of all of them (most of the 0.45 s the full store
/// costs is normalising texts that cannot match). The worst case is the full store's cost: a
/// text sharing no word pair with any license (best score 0) bounds nothing out. askalono's
/// normalisation of a few texts varies from run to run (a tie broken by hash-map order; of the
/// bundled texts, `Aspell-RU`): the table marks them and they are always compared.
struct Matcher {
    /// In the store's order: `LICENSE_TEXTS`, then the Apache-2.0 variant.
    candidates: Vec<Candidate>,
}

/// The matcher, set up on first use (a table lookup per text, no normalisation); `None` when
/// the precomputed table does not describe the bundled texts (another `spdx` version), and
/// detection falls back to the full [`store`].
fn matcher() -> Option<&'static Matcher> {
    static MATCHER_CELL: OnceLock<Option<Matcher>> = OnceLock::new();
    MATCHER_CELL.get_or_init(Matcher::new).as_ref()
}

impl Matcher {
    fn new() -> Option<Self> {
        use super::license_bigrams::{APACHE_WITHOUT_APPENDIX, BIGRAMS, LICENSE_LIST, VARIES};
        if LICENSE_LIST != spdx::identifiers::VERSION
            || BIGRAMS.len() != spdx::text::LICENSE_TEXTS.len()
        {
            return None;
        }
        let mut candidates = Vec::with_capacity(BIGRAMS.len() + 1);
        for ((name, text), (table_name, bigrams)) in spdx::text::LICENSE_TEXTS.iter().zip(BIGRAMS) {
            if name != table_name {
                return None;
            }
            candidates.push(Candidate {
                name,
                text,
                bigrams: (*bigrams != VARIES).then_some(*bigrams),
                data: OnceLock::new(),
            });
        }
        candidates.push(Candidate {
            name: "Apache-2.0",
            text: apache_without_appendix()?,
            bigrams: (APACHE_WITHOUT_APPENDIX != VARIES).then_some(APACHE_WITHOUT_APPENDIX),
            data: OnceLock::new(),
        });
        Some(Self { candidates })
    }

    /// The best match for `text`: the highest score, ties going to the earlier text in the
    /// store's order (the full store breaks ties arbitrarily). `None` when `text`'s size
    /// cannot be read, so the caller uses the full store.
    fn analyze(&self, text: &TextData) -> Option<(&'static str, f32)> {
        let size = bigram_count(text)?;
        if size == 0 {
            // No word pairs: every text scores 0 (the full store returns an arbitrary one).
            return self.candidates.first().map(|first| (first.name, 0.0));
        }
        let mut order: Vec<(f32, usize)> = self
            .candidates
            .iter()
            .enumerate()
            .map(|(index, candidate)| {
                let bound = candidate
                    .bigrams
                    .map_or(1.0, |bigrams| dice_bound(size, bigrams as usize));
                (bound, index)
            })
            .collect();
        // Highest bound first; `sort_by` is stable, so equal bounds keep the store's order.
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        // Texts are built in this order, each claimed once from `next`: by this thread and,
        // once the first few did not settle the match, by one helper thread too. The texts
        // are compared in this order as they are built; while the next one to compare is
        // still being built by the helper, this thread builds the next unclaimed one. The
        // comparisons and the stop are the same as one text at a time, so the verdict is
        // too; at most one text per thread is built past the stop (the helper's is waited
        // for).
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let build = |position: usize| {
            if let Some(&(_, index)) = order.get(position) {
                self.candidates[index].data();
            }
        };
        let mut best: Option<(f32, usize)> = None;
        std::thread::scope(|scope| {
            for (position, &(bound, index)) in order.iter().enumerate() {
                if best.is_some_and(|(score, _)| score > bound) {
                    break;
                }
                if position == BUILT_ALONE && crate::util::cores() > 1 {
                    scope.spawn(|| {
                        while !stop.load(Ordering::Relaxed) {
                            let claimed = next.fetch_add(1, Ordering::Relaxed);
                            if claimed >= order.len() {
                                break;
                            }
                            build(claimed);
                        }
                    });
                }
                let candidate = &self.candidates[index];
                // Until this text is built: build the next unclaimed one (this one, or one
                // ahead while the helper finishes this one); wait only when none is left.
                let data = loop {
                    if let Some(data) = candidate.data.get() {
                        break data;
                    }
                    let claimed = next.fetch_add(1, Ordering::Relaxed);
                    if claimed >= order.len() {
                        break candidate.data();
                    }
                    build(claimed);
                };
                let score = data.match_score(text);
                let better = match best {
                    None => true,
                    Some((best_score, best_index)) => {
                        score > best_score || (score == best_score && index < best_index)
                    }
                };
                if better {
                    best = Some((score, index));
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
        best.map(|(score, index)| (self.candidates[index].name, score))
    }

    /// The original text of `license`, n-grams built on first use.
    fn original(&self, license: &str) -> Option<&TextData> {
        self.candidates
            .iter()
            .find(|candidate| candidate.name == license)
            .map(Candidate::data)
    }
}

/// How many texts [`Matcher::analyze`] builds on the calling thread before a helper thread
/// builds ahead: a license file with a common text is settled within a handful (the exact
/// texts of MIT, Apache-2.0, the BSD licenses, ISC, MPL-2.0 and Zlib within two to five), and
/// for those a helper would only build texts nobody compares.
const BUILT_ALONE: usize = 8;

/// The highest Dice score two texts of `a` and `b` word pairs can reach (when the smaller is
/// contained in the larger), computed with the same float operations as the score itself.
fn dice_bound(a: usize, b: usize) -> f32 {
    if a == 0 || b == 0 {
        return 0.0;
    }
    (2.0 * a.min(b) as f32) / ((a + b) as f32)
}

/// The number of word pairs in a text's n-gram set. The `spdx` crate keeps it private; its
/// `Debug` output shows it (`NgramSet { map: {…}, n: 2, size: N }`). The map's keys are word
/// pairs (one space each), so the first `, n: 2, size: ` is the field. `None` if the format
/// ever changes (the unit tests catch that, and detection falls back to the full store).
fn bigram_count(text: &TextData) -> Option<usize> {
    const FIELD: &str = "}, n: 2, size: ";
    let debug = format!("{:?}", text.clone().without_text());
    let at = debug.find(FIELD)? + FIELD.len();
    let digits = &debug[at..];
    let end = digits.find(|c: char| !c.is_ascii_digit())?;
    digits[..end].parse().ok()
}

/// The source of `license_bigrams.rs` for the bundled texts: every text's word-pair count,
/// computed with the full normalisation (about 0.45 s). `cargo bench --bench license_store --
/// --bigram-table` prints it after an `spdx` upgrade (then `cargo fmt`); a unit test checks
/// the committed table.
pub fn render_bigram_table() -> String {
    use std::fmt::Write;
    let mut out = String::from(
        "//! Stage 3, enrich: precomputed sizes for license-text detection (`license_text`).\n\
         //!\n\
         //! In: nothing. Out: the number of word pairs of every SPDX text bundled with the `spdx`\n\
         //! crate, after askalono's normalisation, in `LICENSE_TEXTS` order. Generated by\n\
         //! `cargo bench --bench license_store -- --bigram-table`; do not edit by hand.\n\n",
    );
    let _ = writeln!(
        out,
        "/// The SPDX license-list version the texts come from.\npub(super) const LICENSE_LIST: &str = {:?};\n",
        spdx::identifiers::VERSION
    );
    let _ = writeln!(
        out,
        "/// A text whose normalisation varies from run to run (askalono picks the most common line\n/// prefix from a hash map, so equal counts tie randomly): always compared.\npub(super) const VARIES: u32 = u32::MAX;\n"
    );
    let entry = |text: &str| match stable_bigram_count(text, 16) {
        Some(count) => count.to_string(),
        None => "VARIES".to_string(),
    };
    let _ = writeln!(
        out,
        "/// Word pairs of Apache-2.0 cut after \"END OF TERMS AND CONDITIONS\".\npub(super) const APACHE_WITHOUT_APPENDIX: u32 = {};\n",
        apache_without_appendix().map(entry).unwrap_or_default()
    );
    out.push_str("/// `(SPDX id, word pairs)` of each bundled text.\npub(super) const BIGRAMS: &[(&str, u32)] = &[\n");
    for (name, text) in spdx::text::LICENSE_TEXTS {
        let _ = writeln!(out, "    ({name:?}, {}),", entry(text));
    }
    out.push_str("];\n");
    out
}

/// The word pairs of `text` when `tries` normalisations (each with its own hash-map seed)
/// agree; `None` when they do not.
fn stable_bigram_count(text: &str, tries: usize) -> Option<u32> {
    let first = bigram_count(&TextData::new(text))?;
    (1..tries)
        .all(|_| bigram_count(&TextData::new(text)) == Some(first))
        .then(|| u32::try_from(first).ok())
        .flatten()
}

/// The original text of an SPDX license as the matcher holds it (for comparing a file with a
/// declared license only).
pub fn license_original(license: &str) -> Option<&'static TextData> {
    match matcher() {
        Some(matcher) => matcher.original(license),
        None => store().get_original(license),
    }
}

/// The closest SPDX text to `text` and its score.
fn analyze(text: &TextData) -> (String, f32) {
    if let Some((name, score)) = matcher().and_then(|matcher| matcher.analyze(text)) {
        return (name.to_string(), score);
    }
    let found = store().analyze(text);
    (found.name.to_string(), found.score)
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
/// Results come from the on-disk cache of derived facts when one is in use
/// ([`crate::util::use_derived_cache`], folder `license-detection/`), so the matcher runs only
/// for a text never seen before.
pub fn detect_text(text: &str) -> Option<(String, f32)> {
    if text.trim().is_empty() {
        return None;
    }
    let cache = crate::util::derived_cache().map(|dir| dir.join("license-detection"));
    let cache = cache.as_deref();
    let key = cache.map(|_| crate::util::sha256_hex(text.as_bytes()));
    if let (Some(dir), Some(key)) = (cache, &key)
        && let Some(found) = cached_result(dir, key)
    {
        return Some(found);
    }
    let found = analyze(&TextData::new(text));
    if let (Some(dir), Some(key)) = (cache, &key) {
        store_result(dir, key, &found);
    }
    Some(found)
}

/// What a cached result was computed with: the SPDX license list the texts come from and our
/// own additions to the store (the Apache-2.0 variant). A change of either invalidates every
/// entry.
const MATCHER: &str = "spdx-texts-3.29.0+apache-2.0-without-appendix";

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
        // A temporary file renamed into place, not synced to disk: an entry lost or torn by a
        // crash reads as a miss, while a sync costs 10-15 ms per entry on a first run.
        let _ = tempfile::NamedTempFile::new_in(parent).and_then(|mut file| {
            std::io::Write::write_all(&mut file, &bytes)?;
            file.persist(&path).map_err(|error| error.error)?;
            Ok(())
        });
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
    fn the_bigram_table_describes_the_bundled_texts() {
        use super::super::license_bigrams::{
            APACHE_WITHOUT_APPENDIX, BIGRAMS, LICENSE_LIST, VARIES,
        };
        let stale = "src/enrich/license_bigrams.rs is stale: regenerate it with `cargo bench --bench license_store -- --bigram-table > src/enrich/license_bigrams.rs` and `cargo fmt`";
        // A text normalised the same way three times must have its size in the table; one
        // that varied must be marked so.
        let agrees = |text: &str, table: u32| match stable_bigram_count(text, 3) {
            Some(count) => table == count || table == VARIES,
            None => table == VARIES,
        };
        assert_eq!(LICENSE_LIST, spdx::identifiers::VERSION, "{stale}");
        assert_eq!(BIGRAMS.len(), spdx::text::LICENSE_TEXTS.len(), "{stale}");
        for ((name, text), (table_name, table)) in spdx::text::LICENSE_TEXTS.iter().zip(BIGRAMS) {
            assert_eq!(name, table_name, "{stale}");
            assert!(agrees(text, *table), "{name}: {stale}");
        }
        assert!(
            agrees(apache_without_appendix().unwrap(), APACHE_WITHOUT_APPENDIX),
            "{stale}"
        );
        assert!(matcher().is_some());
    }

    #[test]
    fn word_pairs_are_counted() {
        assert_eq!(
            bigram_count(&TextData::new("one two three apple banana")),
            Some(4)
        );
        assert_eq!(bigram_count(&TextData::new("one")), Some(0));
    }

    #[test]
    fn the_bound_is_reached_by_a_contained_text_only() {
        assert_eq!(dice_bound(10, 10), 1.0);
        assert_eq!(dice_bound(10, 30), 0.5);
        assert_eq!(dice_bound(0, 30), 0.0);
        let short = TextData::new("one two three apple banana");
        let long = TextData::new("one two three apple banana cherry plum pear");
        assert_eq!(short.match_score(&long), dice_bound(4, 7));
    }

    #[test]
    fn the_lazy_matcher_agrees_with_the_full_store() {
        let matcher = matcher().unwrap();
        let mut texts: Vec<String> = spdx::text::LICENSE_TEXTS
            .iter()
            .step_by(37)
            .map(|(_, text)| (*text).to_string())
            .collect();
        // A license cut short, one with a header of its own, and two unlike any license.
        texts.push(apache_without_appendix().unwrap().to_string());
        texts.push(format!(
            "Copyright (c) 2024 Someone\n\n{}",
            spdx::text::LICENSE_TEXTS[100]
                .1
                .chars()
                .take(400)
                .collect::<String>()
        ));
        texts.push("This crate is free to use for any purpose, just keep this note.".into());
        texts.push("# Title\n\nSome README text that is no license at all.".into());
        for text in &texts {
            let data = TextData::new(text);
            let (name, score) = matcher.analyze(&data).unwrap();
            let full = store().analyze(&data);
            assert_eq!(score, full.score, "{name} vs {}", full.name);
            if name != full.name {
                // Only a tie may pick another name: then both score the same.
                let ours = store().get_original(name).map(|o| o.match_score(&data));
                assert!(
                    ours == Some(score) || name == "Apache-2.0",
                    "{name} vs {}",
                    full.name
                );
            }
        }
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
