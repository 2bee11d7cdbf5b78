//! Explicit limits: an input larger than the input-size limit, or a scan holding more packages
//! than the package limit, is exit 2 naming the file, the limit and how to raise it; the
//! flags and environment variables that raise them work. Each test sets a low limit so its
//! inputs stay small.

use std::path::Path;

use crate::common::depgate;

/// A `go.mod` with `requires` requirements (plus the module itself, which is a package too).
fn write_go_mod(dir: &Path, requires: usize) -> std::path::PathBuf {
    let mut text = String::from("module example.com/limited\n\ngo 1.22\n\nrequire (\n");
    for index in 0..requires {
        text.push_str(&format!("\texample.com/module{index} v1.0.{index}\n"));
    }
    text.push_str(")\n");
    let path = dir.join("go.mod");
    std::fs::write(&path, text).unwrap();
    path
}

fn sbom(path: &Path, extra: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = depgate();
    command
        .arg("sbom")
        .arg(path)
        .args(["--format", "cyclonedx-json"])
        .args(extra);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `sbom PATH` with the limit set once through `flag` and once through `variable`, and
/// checks each run with `expect(code, stdout, stderr)`.
fn with_each_knob(
    path: &Path,
    (flag, variable, value): (&str, &str, &str),
    expect: impl Fn(Option<i32>, &str, &str),
) {
    let (code, stdout, stderr) = sbom(path, &[flag, value], &[]);
    expect(code, &stdout, &stderr);
    let (code, stdout, stderr) = sbom(path, &[], &[(variable, value)]);
    expect(code, &stdout, &stderr);
}

#[test]
fn a_file_over_the_input_limit_is_exit_2_saying_how_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    // Just over 1 MiB of valid requirements.
    let path = write_go_mod(dir.path(), 30_000);
    assert!(std::fs::metadata(&path).unwrap().len() > 1024 * 1024);
    let knob = ("--max-input-mb", "DEPGATE_MAX_INPUT_MB", "1");
    with_each_knob(&path, knob, |code, stdout, stderr| {
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(&format!("`{}`", path.display()))
                && stderr.contains("larger than the input limit of 1 MiB")
                && stderr.contains("--max-input-mb")
                && stderr.contains("DEPGATE_MAX_INPUT_MB"),
            "{stderr}"
        );
    });
    // Raised, the same file is read.
    let (code, _, stderr) = sbom(&path, &["--max-input-mb", "2"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_file_over_the_package_limit_is_exit_2_naming_it_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // Three requirements and the module: four packages.
    let path = write_go_mod(dir.path(), 3);
    let (code, _, stderr) = sbom(&path, &["--max-packages", "4"], &[]);
    assert_eq!(code, Some(0), "at the limit is allowed: {stderr}");
    let knob = ("--max-packages", "DEPGATE_MAX_PACKAGES", "3");
    with_each_knob(&path, knob, |code, stdout, stderr| {
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(&format!("`{}` lists 4 packages", path.display()))
                && stderr.contains("more than the limit of 3 packages")
                && stderr.contains("--max-packages")
                && stderr.contains("DEPGATE_MAX_PACKAGES"),
            "{stderr}"
        );
    });
}

#[test]
fn the_package_limit_counts_every_file_of_a_directory_scan_together() {
    let dir = tempfile::tempdir().unwrap();
    for project in ["one", "two"] {
        let project = dir.path().join(project);
        std::fs::create_dir(&project).unwrap();
        write_go_mod(&project, 2);
    }
    // Three packages each: six together.
    let (code, _, stderr) = sbom(dir.path(), &["--max-packages", "6"], &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, _, stderr) = sbom(dir.path(), &["--max-packages", "5"], &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("makes the scan hold 6 packages")
            && stderr.contains("more than the limit of 5 packages"),
        "{stderr}"
    );
}

#[test]
fn an_sbom_over_the_package_limit_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let components: Vec<String> = (0..3)
        .map(|index| {
            format!(
                r#"{{"type": "library", "name": "component{index}", "version": "1.0.0", "purl": "pkg:npm/component{index}@1.0.0"}}"#
            )
        })
        .collect();
    let path = dir.path().join("bom.cdx.json");
    std::fs::write(
        &path,
        format!(
            r#"{{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [{}]}}"#,
            components.join(",")
        ),
    )
    .unwrap();
    let output = depgate()
        .args([
            "sbom",
            "--format",
            "cyclonedx-json",
            "--max-packages",
            "2",
            "--from",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("`{}` lists 3 packages", path.display()))
            && stderr.contains("more than the limit of 2 packages"),
        "{stderr}"
    );
}

#[test]
fn a_limit_that_is_not_a_positive_number_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_go_mod(dir.path(), 1);
    for (extra, env) in [
        (&["--max-packages", "0"][..], &[][..]),
        (&["--max-input-mb", "0"][..], &[][..]),
        (&[][..], &[("DEPGATE_MAX_PACKAGES", "many")][..]),
        (&[][..], &[("DEPGATE_MAX_INPUT_MB", "-1")][..]),
    ] {
        let (code, _, stderr) = sbom(&path, extra, env);
        assert_eq!(code, Some(2), "{extra:?} {env:?}: {stderr}");
        assert!(stderr.contains("max-"), "{stderr}");
    }
}
