//! Drives the advisory library end to end for the benchmark (`benches/advisories.sh`) until
//! `depgate check` is wired: loads databases (through the index), builds an inventory from
//! each Cargo.lock with the `cargo-lock` crate, matches, and prints the vulnerability set.
//!
//! Usage: `advisory_check [--index DIR] --db PATH [--db PATH]… LOCKFILE…`
//! Output: one `ID NAME VERSION` line per vulnerability per lockfile, then timings on stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::Instant;

use depgate::enrich::advisories::{AdvisoryKind, LoadOptions, load_sources, match_inventory};
use depgate::inventory::{Ecosystem, Inventory, Location, Package, PackageKind, Source};

fn inventory_of(path: &std::path::Path) -> anyhow::Result<Inventory> {
    let lockfile = cargo_lock::Lockfile::load(path)?;
    let mut inventory = Inventory::new();
    for package in &lockfile.packages {
        let mut entry = Package::new(
            Ecosystem::Cargo,
            package.name.as_str(),
            package.version.to_string(),
            Location {
                file: path.to_path_buf(),
                line: None,
            },
        );
        match &package.source {
            Some(source) if source.is_registry() => {
                entry.source = Source::Registry {
                    url: source.url().to_string(),
                    default: source.is_default_registry(),
                };
            }
            Some(source) => {
                entry.source = Source::Git {
                    url: source.url().to_string(),
                    commit: source.precise().map(str::to_string),
                    reference: None,
                };
            }
            None => {
                entry.source = Source::Path {
                    path: ".".to_string(),
                };
                entry.kind = PackageKind::Root;
            }
        }
        inventory.add_package(entry);
    }
    Ok(inventory)
}

fn main() -> anyhow::Result<()> {
    let mut databases = Vec::new();
    let mut lockfiles = Vec::new();
    let mut index_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => databases.push(PathBuf::from(args.next().unwrap_or_default())),
            "--index" => index_dir = args.next().map(PathBuf::from),
            _ => lockfiles.push(PathBuf::from(arg)),
        }
    }
    let start = Instant::now();
    let set = load_sources(&databases, &LoadOptions { index_dir })?;
    let loaded = start.elapsed();
    let mut matching = std::time::Duration::ZERO;
    for lockfile in &lockfiles {
        let begin = Instant::now();
        let inventory = inventory_of(lockfile)?;
        let matches = match_inventory(&inventory, &set);
        matching += begin.elapsed();
        let mut lines: Vec<String> = matches
            .iter()
            .filter(|m| m.kind == AdvisoryKind::Vulnerability)
            .map(|m| {
                let package = inventory.package(m.package);
                format!("{} {} {}", m.advisory_id, package.name, package.version)
            })
            .collect();
        lines.sort();
        for line in lines {
            println!("{line}");
        }
    }
    eprintln!(
        "advisories={} load_ms={:.2} match_ms={:.2}",
        set.len(),
        loaded.as_secs_f64() * 1000.0,
        matching.as_secs_f64() * 1000.0
    );
    Ok(())
}
