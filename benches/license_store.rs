//! Benchmark: how long the license-text store takes to build (once per process) and one
//! detection after it. Run with `cargo bench --bench license_store [FILE...]`; prints a table.
#![allow(missing_docs)]

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let started = Instant::now();
    let store = depgate::enrich::license_text::store();
    let built = started.elapsed();
    println!("| step | time |");
    println!("|---|---|");
    println!("| build store ({} licenses) | {built:.2?} |", store.len());
    let files: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .collect();
    let files = if files.is_empty() {
        vec![
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/licenses/apache-without-appendix/LICENSE-APACHE"),
        ]
    } else {
        files
    };
    for file in files {
        let started = Instant::now();
        match depgate::enrich::license_text::detect_file(&file) {
            Ok(Some(found)) => println!(
                "| detect `{}` → {} ({:.3}) | {:.2?} |",
                file.display(),
                found.license,
                found.score,
                started.elapsed()
            ),
            Ok(None) => println!(
                "| detect `{}` → empty | {:.2?} |",
                file.display(),
                started.elapsed()
            ),
            Err(error) => println!("| detect: {error} | – |"),
        }
    }
}
