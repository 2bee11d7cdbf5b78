//! `depgate explain` and the shared exit codes for bad paths.

use crate::common::depgate;

#[test]
fn missing_path_is_an_input_error() {
    let out = depgate()
        .args(["explain", "serde", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/definitely/not/here"), "{stderr}");
}

#[test]
fn empty_directory_is_nothing_to_scan() {
    let dir = tempfile::tempdir().unwrap();
    let out = depgate()
        .args(["explain", "serde"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing to scan"), "{stderr}");
}
