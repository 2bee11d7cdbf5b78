//! The advisory index of a user-given database (`--advisory-db DIR`): used while every file
//! and directory it recorded is unchanged, rebuilt when a file is edited, added or removed.
//!
//! Modification times are set explicitly (`File::set_modified`) so each change is seen
//! regardless of the file system's timestamp granularity; a real edit, `git pull` or `cp`
//! changes them the same way.

use std::fs::{self, File};
use std::path::Path;
use std::time::{Duration, SystemTime};

use depgate::enrich::advisories::{LoadOptions, load_database};

fn record(id: &str, package: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"{package}"}},"versions":["1.0"]}}]}}"#
    )
}

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
}

fn touch(path: &Path, seconds: u64) {
    File::open(path).unwrap().set_modified(at(seconds)).unwrap();
}

fn ids(database: &Path, options: &LoadOptions) -> Vec<String> {
    let (_, advisories) = load_database(database, options).unwrap();
    let mut ids: Vec<String> = advisories.into_iter().map(|a| a.id).collect();
    ids.sort();
    ids
}

#[test]
fn user_given_directory_index_follows_edits_additions_and_removals() {
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("osv");
    let pypi = database.join("PyPI");
    fs::create_dir_all(&pypi).unwrap();
    fs::write(pypi.join("A.json"), record("OSV-A", "alpha")).unwrap();
    fs::write(pypi.join("B.json"), record("OSV-B", "beta")).unwrap();
    for (path, seconds) in [(&pypi.join("A.json"), 1), (&pypi.join("B.json"), 1)] {
        touch(path, seconds);
    }
    touch(&pypi, 1);
    touch(&database, 1);
    let options = LoadOptions {
        index_dir: Some(work.path().join("index")),
    };
    assert_eq!(ids(&database, &options), ["OSV-A", "OSV-B"]);

    // Unchanged stamps: the index answers, not the files. Garbage of the same size with the
    // same modification time is never read.
    let a = pypi.join("A.json");
    let size = fs::metadata(&a).unwrap().len() as usize;
    fs::write(&a, "x".repeat(size)).unwrap();
    touch(&a, 1);
    assert_eq!(ids(&database, &options), ["OSV-A", "OSV-B"]);

    // An edit in place (the directory is unchanged): the file's stamp differs.
    fs::write(&a, record("OSV-A2", "alpha")).unwrap();
    touch(&a, 2);
    assert_eq!(ids(&database, &options), ["OSV-A2", "OSV-B"]);

    // A file added to a subdirectory: the subdirectory's stamp differs.
    fs::write(pypi.join("C.json"), record("OSV-C", "gamma")).unwrap();
    touch(&pypi.join("C.json"), 3);
    touch(&pypi, 3);
    assert_eq!(ids(&database, &options), ["OSV-A2", "OSV-B", "OSV-C"]);

    // A new directory, and a removed file.
    let go = database.join("Go");
    fs::create_dir_all(&go).unwrap();
    fs::write(go.join("D.json"), record("OSV-D", "delta")).unwrap();
    touch(&go.join("D.json"), 4);
    touch(&go, 4);
    touch(&database, 4);
    fs::remove_file(pypi.join("B.json")).unwrap();
    touch(&pypi, 4);
    assert_eq!(ids(&database, &options), ["OSV-A2", "OSV-C", "OSV-D"]);
}

#[test]
fn rustsec_directory_index_sees_a_new_crate_directory() {
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("advisory-db");
    let advisory = |krate: &str, id: &str| {
        let dir = database.join("crates").join(krate);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join(format!("{id}.md")),
            format!(
                "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{krate}\"\ndate = \"2024-01-01\"\nurl = \"https://example.invalid\"\n\n[versions]\npatched = [\">= 1.0.0\"]\n```\n\n# Title\n\nDescription.\n"
            ),
        )
        .unwrap();
    };
    advisory("alpha", "RUSTSEC-2024-0001");
    let options = LoadOptions {
        index_dir: Some(work.path().join("index")),
    };
    touch(&database.join("crates"), 1);
    assert_eq!(ids(&database, &options), ["RUSTSEC-2024-0001"]);
    advisory("beta", "RUSTSEC-2024-0002");
    touch(&database.join("crates"), 2);
    assert_eq!(
        ids(&database, &options),
        ["RUSTSEC-2024-0001", "RUSTSEC-2024-0002"]
    );
}

/// A file name that is not UTF-8 cannot be recorded exactly: the database is read from its
/// files on every run instead of failing.
#[cfg(unix)]
#[test]
fn a_non_utf8_file_name_is_read_every_time() {
    use std::os::unix::ffi::OsStrExt;
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("osv");
    fs::create_dir_all(&database).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"\xffA.json");
    fs::write(database.join(name), record("OSV-A", "alpha")).unwrap();
    let options = LoadOptions {
        index_dir: Some(work.path().join("index")),
    };
    assert_eq!(ids(&database, &options), ["OSV-A"]);
    fs::write(database.join(name), record("OSV-A2", "alpha")).unwrap();
    assert_eq!(ids(&database, &options), ["OSV-A2"]);
}

/// Files modified in the last moments before the index would be built are not trusted to
/// keep their stamps (timestamps are coarse): no index is written until they are older.
#[test]
fn a_database_changed_just_now_is_not_indexed_yet() {
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("osv");
    fs::create_dir_all(&database).unwrap();
    fs::write(database.join("A.json"), record("OSV-A", "alpha")).unwrap();
    let index = work.path().join("index");
    let options = LoadOptions {
        index_dir: Some(index.clone()),
    };
    let indexes = || fs::read_dir(&index).map_or(0, |entries| entries.count());
    assert_eq!(ids(&database, &options), ["OSV-A"]);
    assert_eq!(indexes(), 0, "just written: not indexed");
    touch(&database.join("A.json"), 1);
    touch(&database, 1);
    assert_eq!(ids(&database, &options), ["OSV-A"]);
    assert_eq!(indexes(), 1);
}

/// A RustSec advisory's text (front matter and body) for `krate`.
fn rustsec_text(id: &str, krate: &str) -> String {
    format!(
        "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{krate}\"\ndate = \"2024-01-01\"\nurl = \"https://example.invalid\"\n\n[versions]\npatched = [\">= 1.0.0\"]\n```\n\n# Title\n\nDescription.\n"
    )
}

/// The RustSec directory is read in one pass with the checks of the `rustsec` crate's own
/// loader: what it refuses is refused naming the file, what it skips is skipped.
#[test]
fn rustsec_directory_places_are_checked_as_the_database_requires() {
    let load = |database: &Path| load_database(database, &LoadOptions::default());
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("advisory-db");
    let alpha = database.join("crates/alpha");
    fs::create_dir_all(&alpha).unwrap();
    fs::write(
        alpha.join("RUSTSEC-2024-0001.md"),
        rustsec_text("RUSTSEC-2024-0001", "alpha"),
    )
    .unwrap();
    // Dotfiles are skipped; a draft is read under its draft name; the placeholder id is
    // parsed and left out; the `rust/` collection (the standard library) is not read.
    fs::write(alpha.join(".DS_Store"), "\0\0junk").unwrap();
    fs::write(
        alpha.join("RUSTSEC-0000-0000.draft.md"),
        rustsec_text("RUSTSEC-2024-0009", "alpha"),
    )
    .unwrap();
    fs::write(
        alpha.join("RUSTSEC-0000-0000.md"),
        rustsec_text("RUSTSEC-0000-0000", "alpha"),
    )
    .unwrap();
    fs::create_dir_all(database.join("rust/std")).unwrap();
    fs::write(database.join("rust/std/RUSTSEC-2024-0100.md"), "not read").unwrap();
    let (_, advisories) = load(&database).unwrap();
    let mut ids: Vec<&str> = advisories.iter().map(|a| a.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["RUSTSEC-2024-0001", "RUSTSEC-2024-0009"]);

    let refused = |file: &Path, text: String, expected: &str| {
        fs::write(file, text).unwrap();
        let error = load(&database).unwrap_err();
        let said = format!("{error}: {}", depgate::util::error_chain(&error));
        assert!(
            said.contains(&format!("`{}`", file.display())) && said.contains(expected),
            "{said}"
        );
        fs::remove_file(file).unwrap();
    };
    refused(
        &alpha.join("RUSTSEC-2024-0002.md"),
        rustsec_text("RUSTSEC-2024-0003", "alpha"),
        "must be named `RUSTSEC-2024-0003.md`",
    );
    refused(
        &alpha.join("RUSTSEC-2024-0004.md"),
        rustsec_text("RUSTSEC-2024-0004", "beta"),
        "is about `beta` but is not in its directory `crates/beta`",
    );
    refused(
        &alpha.join("notes.txt"),
        "notes".to_string(),
        "not a `.md` file",
    );
    let beta = database.join("crates/beta");
    fs::create_dir_all(&beta).unwrap();
    refused(
        &beta.join("RUSTSEC-0000-0000.copy.md"),
        rustsec_text("RUSTSEC-2024-0001", "beta"),
        "the id `RUSTSEC-2024-0001` is also the id of",
    );
}

#[test]
fn an_osv_directory_loads_in_the_order_of_its_paths_however_it_is_read() {
    // More files than one open of a directory reads (64), in two directories and a hidden
    // one, named so that the file system's listing order is not the paths' order.
    let work = tempfile::tempdir().unwrap();
    let database = work.path().join("osv");
    let pypi = database.join("PyPI");
    let nested = pypi.join("nested");
    fs::create_dir_all(&nested).unwrap();
    fs::create_dir_all(database.join(".git")).unwrap();
    fs::write(database.join(".git/HIDDEN.json"), record("OSV-HIDDEN", "x")).unwrap();
    let mut expected = Vec::new();
    for n in (0..150).rev() {
        let id = format!("OSV-{n:03}");
        fs::write(pypi.join(format!("{id}.json")), record(&id, "alpha")).unwrap();
        expected.push((pypi.join(format!("{id}.json")), id));
    }
    fs::write(
        nested.join("OSV-N.yaml"),
        "id: OSV-N\nmodified: 2024-01-01T00:00:00Z\n",
    )
    .unwrap();
    expected.push((nested.join("OSV-N.yaml"), "OSV-N".to_string()));
    expected.sort();
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();

    for options in [
        LoadOptions::default(),
        LoadOptions {
            index_dir: Some(work.path().join("index")),
        },
    ] {
        let (info, advisories) = load_database(&database, &options).unwrap();
        let loaded: Vec<String> = advisories.into_iter().map(|a| a.id).collect();
        assert_eq!(loaded, expected);
        assert_eq!(info.advisory_count, 151);
    }
}
