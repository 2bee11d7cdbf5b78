//! The fuzz targets' shared harness: each target hands its bytes to one of these functions,
//! which call depgate's real parsing entry points and check properties beyond "no panic".
//!
//! In: the fuzzer's bytes. Out: nothing; a violated property panics, which libFuzzer records
//! as a finding. Inputs are parsed as if they were files in a directory that does not exist,
//! so nothing beside them (manifests, cargo's caches) is ever read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use depgate::ingest::{Format, IngestOptions, parse_text};
use depgate::inventory::Inventory;
use depgate::report::{DocumentInfo, clean};

/// The name of the document subject the writers are given (their synthetic root, when the
/// inventory has several subjects, is named so).
const SUBJECT: &str = "depgate-fuzz-subject";

/// The directory the fuzzed "files" pretend to be in; it never exists.
const NOWHERE: &str = "/nonexistent/depgate-fuzz";

/// The bytes as text the way depgate's reader hands them to a parser (UTF-8, no byte-order
/// mark); `None` for bytes that are not UTF-8, which the reader rejects before any parser.
pub fn text(data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(data).ok()?;
    Some(depgate::util::strip_bom(text))
}

/// The path a fuzzed file named `file_name` pretends to have.
pub fn path(file_name: &str) -> PathBuf {
    Path::new(NOWHERE).join(file_name)
}

/// Options that keep a parse in memory: offline, no cargo home to read crate sources from.
fn options() -> IngestOptions {
    IngestOptions {
        offline: true,
        cargo_home: Some(path("cargo-home")),
        ..IngestOptions::default()
    }
}

/// Parses `data` as a lockfile or manifest of `format`. What parses must be a consistent
/// inventory that every SBOM writer can write.
pub fn lockfile(format: Format, file_name: &str, data: &[u8]) {
    let Some(inventory) = parse(format, file_name, data) else {
        return;
    };
    // Writers may refuse an inventory (with an error), never panic on one.
    let info = document_info();
    let _ = depgate::report::cyclonedx::to_json_1_5(&inventory, &info);
    let _ = depgate::report::spdx::to_json(&inventory, &info);
}

/// Parses `data` as an SBOM of `format`, then checks parse -> write -> parse: the CycloneDX
/// JSON depgate writes of it reads back with the same packages, and writing what was read
/// back gives the same bytes again (the conversion reaches a fixed point in one step).
pub fn sbom(format: Format, file_name: &str, data: &[u8]) {
    let Some(first) = parse(format, file_name, data) else {
        return;
    };
    let info = document_info();
    let _ = depgate::report::spdx::to_json(&first, &info);
    let _ = depgate::report::cyclonedx::to_xml_1_5(&first, &info);
    let Ok(written) = depgate::report::cyclonedx::to_json_1_5(&first, &info) else {
        return;
    };
    let second = reread(&written);
    assert_eq!(
        identities(&first),
        identities(&second),
        "the packages read back from the CycloneDX written of an SBOM differ"
    );
    let rewritten = depgate::report::cyclonedx::to_json_1_5(&second, &info)
        .expect("an inventory read from our own CycloneDX writes again");
    let third = reread(&rewritten);
    let again = depgate::report::cyclonedx::to_json_1_5(&third, &info)
        .expect("an inventory read from our own CycloneDX writes again");
    assert!(
        rewritten == again,
        "CycloneDX -> inventory -> CycloneDX is not stable:\n{}\n----\n{}",
        String::from_utf8_lossy(&rewritten),
        String::from_utf8_lossy(&again)
    );
}

/// The finished inventory of `data` read as a file of `format`, checked for consistency;
/// `None` when the bytes are not UTF-8 or do not parse.
fn parse(format: Format, file_name: &str, data: &[u8]) -> Option<Inventory> {
    let mut inventory = parse_text(&path(file_name), format, text(data)?, &options()).ok()?;
    inventory.finish();
    check_consistent(&inventory);
    Some(inventory)
}

/// Reads back CycloneDX JSON that depgate wrote; failing to is a finding.
fn reread(written: &[u8]) -> Inventory {
    let text = std::str::from_utf8(written).expect("depgate writes UTF-8");
    let mut inventory = parse_text(
        &path("bom.cdx.json"),
        Format::CycloneDxJson,
        text,
        &options(),
    )
    .unwrap_or_else(|error| {
        panic!(
            "depgate cannot read the CycloneDX it wrote: {}\n{text}",
            depgate::util::error_chain(&error)
        )
    });
    inventory.finish();
    inventory
}

/// The (name, version) of every package but the synthetic root a writer adds for a document
/// with several subjects, as the CycloneDX writer writes them: the characters XML cannot
/// carry replaced ([`clean`]), and tabs and line breaks as spaces (CycloneDX's name and
/// version are "normalized strings", which the cyclonedx-bom model makes of every value).
fn identities(inventory: &Inventory) -> BTreeSet<(String, String)> {
    let written = |text: &str| clean(text).replace(['\t', '\n', '\r'], " ");
    inventory
        .packages()
        .iter()
        .filter(|package| !(package.name == SUBJECT && package.version.is_empty()))
        .map(|package| (written(&package.name), written(&package.version)))
        .collect()
}

/// Every edge joins two packages of the inventory, and every package's id is its index.
fn check_consistent(inventory: &Inventory) {
    let count = inventory.packages().len();
    for (index, package) in inventory.packages().iter().enumerate() {
        assert_eq!(package.id.0, index, "package id is not its index");
    }
    for edge in inventory.edges() {
        assert!(
            edge.from.0 < count && edge.to.0 < count,
            "an edge names a package that does not exist"
        );
    }
}

/// A fixed document description, so what is written depends on the input alone.
pub fn document_info() -> DocumentInfo {
    DocumentInfo::new(SUBJECT, time::OffsetDateTime::UNIX_EPOCH)
}

/// Parses `data` as one OSV record; every version an affected entry lists by name must then
/// be judged affected, and every event's version must be judged without a panic.
pub fn osv(data: &[u8], is_yaml: bool) {
    let Ok(Some(advisory)) = depgate::enrich::advisories::parse_osv_record(data, is_yaml, 0) else {
        return;
    };
    check_advisory(&advisory);
}

/// Parses `data` as one RustSec advisory file and judges its versions.
pub fn rustsec(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(Some(advisory)) = depgate::enrich::advisories::parse_rustsec_advisory(text, 0) {
        check_advisory(&advisory);
    }
}

/// Judges every version an advisory names against each of its affected entries.
fn check_advisory(advisory: &depgate::enrich::advisories::Advisory) {
    use depgate::enrich::advisories::{Event, affects};
    for affected in &advisory.affected {
        for listed in &affected.versions {
            assert_eq!(
                affects(affected, listed),
                Some(true),
                "`{listed}` is listed as affected but not judged so"
            );
        }
        for range in &affected.ranges {
            for event in &range.events {
                let version = match event {
                    Event::Introduced(version)
                    | Event::Fixed(version)
                    | Event::LastAffected(version)
                    | Event::Limit(version) => version,
                };
                let _ = affects(affected, version);
            }
        }
    }
}

/// The fixed key the attestation targets sign with (the seed is arbitrary).
pub fn signing_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[7; 32])
}
