//! `depgate db update|status|path`: manage the advisory-database cache.

use anyhow::Context;

use super::Outcome;
use crate::cli::{DbAction, DbArgs, DbUpdateArgs};
use crate::net::{
    ArchiveLimits, DEFAULT_OSV_URL, DEFAULT_RUSTSEC_URL, HttpOptions, UpdateOptions, cache_dir,
    cached_databases, update,
};

/// Runs a `db` action.
pub fn run(args: DbArgs) -> anyhow::Result<Outcome> {
    let cache = cache_dir().context(
        "no cache directory: set `DEPGATE_CACHE` (the platform cache directory is unknown)",
    )?;
    match args.action {
        DbAction::Path => {
            println!("{}", cache.display());
            Ok(Outcome::Pass)
        }
        DbAction::Status => status(&cache),
        DbAction::Update(update_args) => run_update(&cache, update_args),
    }
}

fn run_update(cache: &std::path::Path, args: DbUpdateArgs) -> anyhow::Result<Outcome> {
    let mut ecosystems = args.ecosystems;
    if let Some(path) = &args.for_path {
        for ecosystem in ecosystems_in(path)? {
            if !ecosystems.contains(&ecosystem) {
                ecosystems.push(ecosystem);
            }
        }
    }
    let options = UpdateOptions {
        rustsec_url: if args.no_rustsec {
            None
        } else {
            Some(
                args.rustsec_url
                    .unwrap_or_else(|| DEFAULT_RUSTSEC_URL.to_string()),
            )
        },
        osv_base_url: args.osv_url.unwrap_or_else(|| DEFAULT_OSV_URL.to_string()),
        ecosystems: if args.no_osv { Vec::new() } else { ecosystems },
        http: HttpOptions {
            retries: args.retries,
            max_bytes: args.max_size.saturating_mul(1024 * 1024),
            ..HttpOptions::default()
        },
        limits: ArchiveLimits::default(),
    };
    let reports = update(
        cache,
        &options,
        &crate::enrich::advisories::StagedDatabaseCheck,
    )
    .with_context(|| format!("cannot update the advisory cache `{}`", cache.display()))?;
    for report in reports {
        let state = if report.not_modified {
            "not modified"
        } else {
            "updated"
        };
        eprintln!(
            "{}: {state}, {} advisories, revision {}",
            report.name,
            report.advisory_count,
            report.revision.as_deref().unwrap_or("unknown")
        );
    }
    Ok(Outcome::Pass)
}

/// The OSV names of the ecosystems with third-party packages in `path`, scanned offline the
/// way `check` scans it (a scan that fails is an error: the caller asked for its ecosystems).
fn ecosystems_in(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let options = crate::ingest::IngestOptions {
        offline: true,
        license_files: crate::ingest::LicenseFiles::Undeclared,
        ..crate::ingest::IngestOptions::default()
    };
    let inventory = crate::ingest::ingest(path, &options)
        .with_context(|| format!("cannot find the ecosystems of `{}`", path.display()))?;
    let mut names: Vec<String> = inventory
        .third_party()
        .filter(|package| !matches!(package.ecosystem, crate::inventory::Ecosystem::Other(_)))
        .map(|package| package.ecosystem.osv_name().to_string())
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

fn status(cache: &std::path::Path) -> anyhow::Result<Outcome> {
    let databases = cached_databases(cache);
    if databases.is_empty() {
        println!(
            "no advisory databases in `{}`: run `depgate db update`",
            cache.display()
        );
        return Ok(Outcome::Pass);
    }
    let now = time::OffsetDateTime::now_utc();
    let mut table = comfy_table::Table::new();
    table.set_header([
        "database",
        "source",
        "revision",
        "fetched",
        "age",
        "advisories",
    ]);
    for database in databases {
        let meta = database.meta.unwrap_or_default();
        let fetched = time::OffsetDateTime::parse(
            &meta.fetched_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok();
        let age = fetched
            .map(|at| {
                let hours = (now - at).whole_hours();
                if hours < 48 {
                    format!("{hours} h")
                } else {
                    format!("{} d", hours / 24)
                }
            })
            .unwrap_or_else(|| "unknown".to_string());
        table.add_row([
            database.name,
            meta.source_url,
            meta.revision.unwrap_or_else(|| "unknown".to_string()),
            meta.fetched_at,
            age,
            meta.advisory_count.to_string(),
        ]);
    }
    println!("{table}");
    Ok(Outcome::Pass)
}
