//! Benchmark: license-text detection. By default, the time of the first detection (the lazy
//! matcher builds only the texts that can match) and of building the full store, for the
//! given files. Run with `cargo bench --bench license_store [FILE...]`; prints a table.
//!
//! `-- --compare FILE...` (or a directory, searched for LICENSE*/COPYING* files) prints
//! every file whose verdict differs between the lazy matcher and the full store (a tie, where
//! the full store picks an arbitrary one of several equal scores, is counted apart), then the
//! counts. `-- --bigram-table` prints `src/enrich/license_bigrams.rs` for the bundled texts.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use depgate::enrich::license_text::{detect_text, render_bigram_table, store};
use spdx::detection::TextData;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files: Vec<PathBuf> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .collect();
    if args.iter().any(|a| a == "--bigram-table") {
        print!("{}", render_bigram_table());
    } else if args.iter().any(|a| a == "--compare") {
        compare(&files);
    } else {
        time_detection(files);
    }
}

fn time_detection(files: Vec<PathBuf>) {
    let files = if files.is_empty() {
        vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/licenses/apache-without-appendix/LICENSE-APACHE"),
        ]
    } else {
        files
    };
    println!("| step | result | time |");
    println!("|---|---|---|");
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            println!("| detect `{}` | unreadable | – |", file.display());
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let started = Instant::now();
        let found = detect_text(&text);
        println!(
            "| detect `{}` (lazy matcher) | {found:?} | {:.2?} |",
            file.display(),
            started.elapsed()
        );
    }
    let started = Instant::now();
    let full = store();
    println!(
        "| build the full store ({} licenses) | – | {:.2?} |",
        full.len(),
        started.elapsed()
    );
}

/// License-like files under `path` (or `path` itself).
fn license_files(path: &Path, into: &mut Vec<PathBuf>) {
    if path.is_file() {
        into.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_uppercase())
            .unwrap_or_default();
        if entry.is_dir() {
            license_files(&entry, into);
        } else if name.starts_with("LICENSE")
            || name.starts_with("LICENCE")
            || name.starts_with("COPYING")
            || name.starts_with("UNLICENSE")
        {
            into.push(entry);
        }
    }
}

fn compare(paths: &[PathBuf]) {
    let mut files = Vec::new();
    for path in paths {
        license_files(path, &mut files);
    }
    let full = store();
    let (mut same, mut ties, mut different, mut lazy_time) = (0, 0, 0, 0.0);
    let mut seen = std::collections::HashSet::new();
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        if bytes.len() > 512 * 1024 || !seen.insert(bytes.clone()) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        let started = Instant::now();
        // Without the on-disk result cache (never configured here): the lazy matcher runs.
        let Some((license, score)) = detect_text(&text) else {
            continue;
        };
        lazy_time += started.elapsed().as_secs_f64();
        let data = TextData::new(&text);
        let reference = full.analyze(&data);
        if reference.name == license && reference.score == score {
            same += 1;
        } else if reference.score == score {
            ties += 1;
            println!(
                "tie `{}`: lazy {license} {score}, full store {} {}",
                file.display(),
                reference.name,
                reference.score
            );
        } else {
            different += 1;
            println!(
                "DIFFERENT `{}`: lazy {license} {score}, full store {} {}",
                file.display(),
                reference.name,
                reference.score
            );
        }
    }
    println!(
        "distinct texts: {}, same verdict: {same}, equal score (tie): {ties}, different: {different}; lazy matcher {:.1} ms in all",
        same + ties + different,
        lazy_time * 1000.0
    );
}
