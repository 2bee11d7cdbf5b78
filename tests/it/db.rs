//! `depgate db update|status|path` end to end against a loopback HTTP server.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::common::depgate;
use crate::http_server::{Reply, Server, serve};

fn ok(body: &[u8], etag: &str) -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("ETag".into(), etag.into())],
        body: body.to_vec(),
    }
}

const ADVISORY: &str = r#"```toml
[advisory]
id = "RUSTSEC-2099-0001"
package = "demo-crate"
date = "2099-01-01"

[versions]
patched = [">= 1.0.1"]
```

# A demo vulnerability

Demo.
"#;

/// A GitHub-style archive: `advisory-db-main/crates/<crate>/<id>.md`, with extra advisories.
pub(crate) fn rustsec_tarball(extra: usize) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut add = |path: &str, body: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, body).unwrap();
    };
    add("advisory-db-main/README.md", b"demo");
    add(
        "advisory-db-main/crates/demo-crate/RUSTSEC-2099-0001.md",
        ADVISORY.as_bytes(),
    );
    for index in 0..extra {
        let id = format!("RUSTSEC-2099-{:04}", index + 2);
        add(
            &format!("advisory-db-main/crates/demo-crate/{id}.md"),
            ADVISORY.replace("RUSTSEC-2099-0001", &id).as_bytes(),
        );
    }
    gzip(&builder.into_inner().unwrap())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A tarball whose second entry is `../evil.txt` (written with a raw header, since the tar
/// crate refuses to build such a path).
fn escaping_tarball() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_old();
    let name = b"advisory-db-main/../../evil.txt";
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_size(4);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    builder.append(&header, &b"evil"[..]).unwrap();
    gzip(&builder.into_inner().unwrap())
}

pub(crate) fn osv_zip() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer
        .start_file("RUSTSEC-2099-0001.json", options)
        .unwrap();
    writer
        .write_all(br#"{"id":"RUSTSEC-2099-0001","summary":"demo","affected":[{"package":{"ecosystem":"crates.io","name":"demo-crate"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.1"}]}]}]}"#)
        .unwrap();
    writer.finish().unwrap().into_inner()
}

fn update(cache: &Path, server: &Server, extra: &[&str]) -> std::process::Output {
    depgate()
        .args(["db", "update", "--retries", "2"])
        .args(extra)
        .env("DEPGATE_CACHE", cache)
        .env(
            "DEPGATE_RUSTSEC_URL",
            format!("{}/rustsec.tar.gz", server.base),
        )
        .env("DEPGATE_OSV_URL", format!("{}/osv", server.base))
        .output()
        .unwrap()
}

fn status(cache: &Path) -> String {
    let out = depgate()
        .args(["db", "status"])
        .env("DEPGATE_CACHE", cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A server that serves the good tarball (with `extra` advisories) and the zip.
fn good_server(extra: usize) -> Server {
    let tarball = rustsec_tarball(extra);
    let zip = osv_zip();
    serve(Box::new(move |path, request, _| {
        if path.ends_with(".tar.gz") {
            if request.contains("If-None-Match: \"t1\"")
                || request.contains("if-none-match: \"t1\"")
            {
                return Reply::Full {
                    status: 304,
                    headers: vec![],
                    body: vec![],
                };
            }
            ok(&tarball, "\"t1\"")
        } else if path == "/osv/crates.io/all.zip" {
            ok(&zip, "\"z1\"")
        } else {
            Reply::Full {
                status: 404,
                headers: vec![],
                body: vec![],
            }
        }
    }))
}

/// Fills a cache with a good update (2 RustSec advisories) and returns it.
fn seeded_cache() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    let server = good_server(1);
    let out = update(cache.path(), &server, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cache
}

fn assert_previous_cache_intact(cache: &Path) {
    let text = status(cache);
    assert!(text.contains("\"t1\""), "{text}");
    let set =
        depgate::enrich::advisories::load_sources(&[cache.join("rustsec")], &Default::default())
            .unwrap();
    assert_eq!(set.len(), 2);
}

#[test]
fn update_success_then_status_and_path() {
    let cache = seeded_cache();
    assert!(
        cache
            .path()
            .join("rustsec/crates/demo-crate/RUSTSEC-2099-0001.md")
            .is_file()
    );
    assert!(cache.path().join("osv/crates.io/all.zip").is_file());
    let text = status(cache.path());
    assert!(
        text.contains("rustsec") && text.contains("osv:crates.io"),
        "{text}"
    );
    assert!(text.contains("| 2 "), "{text}");
    let out = depgate()
        .args(["db", "path"])
        .env("DEPGATE_CACHE", cache.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        cache.path().display().to_string()
    );
}

#[test]
fn no_osv_fetches_only_the_rustsec_database() {
    let cache = tempfile::tempdir().unwrap();
    let server = good_server(1);
    let out = update(cache.path(), &server, &["--no-osv"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(cache.path().join("rustsec/crates").is_dir());
    assert!(!cache.path().join("osv").exists());
    let text = status(cache.path());
    assert!(text.contains("rustsec") && !text.contains("osv:"), "{text}");
    // Nothing left to fetch, or an ecosystem asked for and refused: a usage error.
    for extra in [
        &["--no-osv", "--no-rustsec"][..],
        &["--no-osv", "--ecosystem", "PyPI"],
    ] {
        let out = update(cache.path(), &server, extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("cannot be used with"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn for_a_path_adds_the_ecosystems_found_there() {
    let cache = tempfile::tempdir().unwrap();
    let tarball = rustsec_tarball(1);
    let zip = osv_zip();
    let fetched = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = fetched.clone();
    let server = serve(Box::new(move |path, _, _| {
        if path.ends_with(".tar.gz") {
            return ok(&tarball, "\"t1\"");
        }
        seen.lock().unwrap().push(path.to_string());
        ok(&zip, "\"z1\"")
    }));
    let lockfile_dir = crate::common::fixture("npm/lock-v3");
    let out = update(
        cache.path(),
        &server,
        &["--for", lockfile_dir.to_str().unwrap()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut fetched = fetched.lock().unwrap().clone();
    fetched.sort();
    // The default ecosystem, and npm for the npm lockfile.
    assert_eq!(fetched, ["/osv/crates.io/all.zip", "/osv/npm/all.zip"]);
    assert!(status(cache.path()).contains("osv:npm"));
    // A path that cannot be scanned is an error naming it, before any download.
    let out = update(
        cache.path(),
        &server,
        &["--for", "/nonexistent/depgate-path"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/depgate-path"));
}

#[test]
fn second_update_is_not_modified() {
    let cache = tempfile::tempdir().unwrap();
    let server = good_server(1);
    let out = update(cache.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(0));
    let out = update(cache.path(), &server, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("rustsec: not modified, 2 advisories"),
        "{stderr}"
    );
    let requests = server.requests.lock().unwrap();
    assert!(
        requests
            .iter()
            .any(|r| r.to_ascii_lowercase().contains("if-none-match: \"t1\""))
    );
    drop(requests);
    assert_previous_cache_intact(cache.path());
}

#[test]
fn server_error_is_retried() {
    let cache = tempfile::tempdir().unwrap();
    let tarball = rustsec_tarball(0);
    let zip = osv_zip();
    let server = serve(Box::new(move |path, _, hit| {
        if path.ends_with(".tar.gz") && hit == 1 {
            Reply::Full {
                status: 500,
                headers: vec![],
                body: b"oops".to_vec(),
            }
        } else if path.ends_with(".tar.gz") {
            ok(&tarball, "\"t1\"")
        } else {
            ok(&zip, "\"z1\"")
        }
    }));
    let out = update(cache.path(), &server, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("rustsec: updated"), "{stderr}");
    let requests = server.requests.lock().unwrap();
    let tarball_requests = requests.iter().filter(|r| r.contains(".tar.gz")).count();
    assert_eq!(tarball_requests, 2, "a 500, then the retry");
}

#[test]
fn truncated_body_fails_and_keeps_the_previous_cache() {
    let cache = seeded_cache();
    let server = serve(Box::new(|_, _, _| Reply::Truncated {
        declared: 5000,
        body: vec![0x1f; 100],
    }));
    let out = update(cache.path(), &server, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("rustsec.tar.gz"), "{stderr}");
    assert_previous_cache_intact(cache.path());
}

#[test]
fn archive_entry_escaping_the_target_is_rejected() {
    let cache = seeded_cache();
    let evil = escaping_tarball();
    let server = serve(Box::new(move |_, _, _| ok(&evil, "\"evil\"")));
    let out = update(cache.path(), &server, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("escapes the target directory"), "{stderr}");
    assert!(!cache.path().join("evil.txt").exists());
    assert!(!cache.path().parent().unwrap().join("evil.txt").exists());
    assert_previous_cache_intact(cache.path());
}

#[test]
fn oversized_body_is_rejected() {
    let cache = seeded_cache();
    let big = vec![b'x'; 2 * 1024 * 1024];
    let server = serve(Box::new(move |_, _, _| ok(&big, "\"big\"")));
    let out = update(cache.path(), &server, &["--max-size", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    assert_previous_cache_intact(cache.path());
}

#[test]
fn download_killed_half_way_leaves_the_previous_cache() {
    let cache = seeded_cache();
    let server = serve(Box::new(|_, _, _| Reply::Stall {
        declared: 1_000_000,
        body: vec![0x1f; 1000],
    }));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_depgate"))
        .args(["db", "update"])
        .env("DEPGATE_CACHE", cache.path())
        .env(
            "DEPGATE_RUSTSEC_URL",
            format!("{}/rustsec.tar.gz", server.base),
        )
        .env("DEPGATE_OSV_URL", format!("{}/osv", server.base))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the download has started, then kill the process mid-transfer.
    for _ in 0..100 {
        if !server.requests.lock().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_previous_cache_intact(cache.path());
    // The next update still works (the lock died with the process) and cleans up.
    let server = good_server(1);
    let out = update(cache.path(), &server, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging-"))
        .collect();
    assert!(leftovers.is_empty());
}
