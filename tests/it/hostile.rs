//! Hostile and broken inputs: a gate must never pass because an input could not be read.
//! Policies that exist but cannot be read, empty and truncated lockfiles, links, FIFOs and
//! devices where files should be, and `-o` targets that are not regular files: each is an
//! error naming the file (exit 2), "nothing to scan" (exit 3), or a gap the report shows.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{depgate, fixture};

/// Every run here is bounded: a hang (a FIFO read) fails the test instead of blocking it.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What one run of the binary gave.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr], dir: Option<&Path>) -> Run {
    let mut command = depgate();
    command.args(args).timeout(TIMEOUT);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `depgate check DIR` with a stale-but-allowed advisory database, so that with the built-in
/// default policy the banned-package fixture passes (exit 0) and only its own policy fails it.
fn gate(dir: &Path, extra: &[&str]) -> Run {
    let database = fixture("advisories/attest");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "check".as_ref(),
        dir.as_os_str(),
        "--advisory-db".as_ref(),
        database.as_os_str(),
        "--allow-stale-db".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    run(&args, None)
}

/// A scratch project holding the banned-package lockfile (and no policy).
fn banned_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("npm/banned-package/package-lock.json"),
        dir.path().join("package-lock.json"),
    )
    .unwrap();
    dir
}

fn policy_text() -> String {
    std::fs::read_to_string(fixture("npm/banned-package/depgate.toml")).unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Ways a policy path can exist without being a readable file.
#[cfg(unix)]
const UNREADABLE_FORMS: &[&str] = &["dangling link", "directory", "fifo", "link to /dev/zero"];

#[cfg(unix)]
fn make_unreadable(path: &Path, form: &str) {
    match form {
        "dangling link" => symlink("rules/self.toml", path),
        "directory" => std::fs::create_dir(path).unwrap(),
        "fifo" => mkfifo(path),
        "link to /dev/zero" => symlink("/dev/zero", path),
        other => unreachable!("{other}"),
    }
}

/// Standard error contains `needle`.
fn stderr_has(run: &Run, needle: &str) {
    assert!(
        run.stderr.contains(needle),
        "no `{needle}` in:\n{}",
        run.stderr
    );
}

/// `depgate check PROJECT --advisory-db DATABASE` (no stale-database allowance).
fn check_with_database(project: &Path, database: &Path) -> Run {
    run(
        &[
            "check".as_ref(),
            project.as_os_str(),
            "--advisory-db".as_ref(),
            database.as_os_str(),
        ],
        None,
    )
}

/// Exit 2, nothing on stdout, and stderr naming `name`.
fn assert_input_error(run: &Run, name: &str, context: &str) {
    assert_eq!(
        run.code,
        Some(2),
        "{context}: expected exit 2\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{context}: stdout:\n{}", run.stdout);
    assert!(
        run.stderr.contains(name),
        "{context}: stderr does not name `{name}`:\n{}",
        run.stderr
    );
}

#[test]
fn the_repository_policy_fails_what_the_default_passes() {
    // The premise of the policy tests below: falling back to the default would pass.
    let project = banned_project();
    assert_eq!(gate(project.path(), &[]).code, Some(0));
    std::fs::write(project.path().join("depgate.toml"), policy_text()).unwrap();
    let run = gate(project.path(), &[]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout.contains("package-banned"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn a_depgate_toml_that_cannot_be_read_is_an_error_not_the_default() {
    for form in UNREADABLE_FORMS {
        let project = banned_project();
        make_unreadable(&project.path().join("depgate.toml"), form);
        let run = gate(project.path(), &[]);
        assert_input_error(&run, "depgate.toml", form);
    }
}

#[cfg(unix)]
#[test]
fn a_rules_entry_that_cannot_be_read_is_an_error_not_skipped() {
    for form in UNREADABLE_FORMS {
        let project = banned_project();
        let rules = project.path().join("rules");
        std::fs::create_dir(&rules).unwrap();
        std::fs::write(rules.join("bans.toml"), policy_text()).unwrap();
        make_unreadable(&rules.join("team.toml"), form);
        let run = gate(project.path(), &[]);
        assert_input_error(&run, "team.toml", form);
    }
    // `rules` itself as a dangling link or a plain file.
    let project = banned_project();
    symlink("policies", &project.path().join("rules"));
    assert_input_error(&gate(project.path(), &[]), "rules", "dangling rules");
    let project = banned_project();
    std::fs::write(project.path().join("rules"), policy_text()).unwrap();
    assert_input_error(&gate(project.path(), &[]), "rules", "rules as a file");
}

#[cfg(unix)]
#[test]
fn a_policy_flag_that_cannot_be_read_is_an_error() {
    for form in UNREADABLE_FORMS {
        let project = banned_project();
        let policy: PathBuf = project.path().join("policy.toml");
        make_unreadable(&policy, form);
        let run = gate(project.path(), &["--policy", policy.to_str().unwrap()]);
        // (An empty directory is a policy directory without `*.toml` files: exit 2 as well.)
        assert_input_error(&run, "policy.toml", form);
    }
}

// ---- Item 2: packages are never lost without a word ----

/// Third-party `ecosystem:name@version` of a successful ingest, or the error's text.
fn package_set(path: &Path) -> Result<std::collections::BTreeSet<String>, String> {
    let options = depgate::ingest::IngestOptions {
        // Never read this machine's crate sources: the result must depend on the file only.
        cargo_home: Some(PathBuf::from("/nonexistent-cargo-home")),
        ..Default::default()
    };
    let inventory = depgate::ingest::ingest(path, &options).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        text
    })?;
    Ok(inventory
        .third_party()
        .map(|p| format!("{:?}:{}@{}", p.ecosystem, p.name, p.version))
        .collect())
}

/// A fixture file copied with its directory into a scratch directory: (scratch, file).
fn scratch_copy(relative: &str) -> (tempfile::TempDir, PathBuf) {
    let (directory, name) = relative.rsplit_once('/').unwrap();
    let scratch = copy_fixture_dir(directory);
    let path = scratch.path().join(name);
    (scratch, path)
}

/// A copy of a fixture directory in a scratch directory (links and all regular files).
fn copy_fixture_dir(relative: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(relative), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Lockfiles whose every prefix must be an error or the whole package set: machine-written
/// formats, where a cut can be told from a complete file.
const CUT_FIXTURES: &[&str] = &[
    "cargo/v1/Cargo.lock",
    "cargo/v2/Cargo.lock",
    "cargo/v3/Cargo.lock",
    "cargo/v4/Cargo.lock",
    "npm/yarn-v1/yarn.lock",
    "npm/yarn-berry/yarn.lock",
    "npm/pnpm-v5/pnpm-lock.yaml",
    "npm/pnpm-v6/pnpm-lock.yaml",
    "npm/pnpm-v9/pnpm-lock.yaml",
    "npm/lock-v1/package-lock.json",
    "npm/lock-v3/package-lock.json",
    "ruby/gemfile/Gemfile.lock",
    "jvm/gradle/gradle.lockfile",
    "python/poetry-v1/poetry.lock",
    "python/poetry-v2/poetry.lock",
    "python/uv-workspace/uv.lock",
    "python/pipfile/Pipfile.lock",
    "php/composer/composer.lock",
    "dotnet/packages-lock/packages.lock.json",
];

#[test]
fn every_cut_of_a_lockfile_is_an_error_or_the_whole_set() {
    for relative in CUT_FIXTURES {
        let (_scratch, path) = scratch_copy(relative);
        let whole = std::fs::read(&path).unwrap();
        let expected = package_set(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
        assert!(!expected.is_empty(), "{relative}: no packages");
        // Every line boundary (where no syntax breaks), and every third byte: cuts inside
        // keys, values and hashes.
        let cuts = (0..whole.len()).filter(|&cut| cut % 3 == 0 || whole[cut - 1] == b'\n');
        for cut in cuts {
            std::fs::write(&path, &whole[..cut]).unwrap();
            if let Ok(found) = package_set(&path) {
                assert_eq!(
                    found,
                    expected,
                    "{relative} cut at byte {cut} gave a different package set without an error:\n{}",
                    String::from_utf8_lossy(&whole[cut.saturating_sub(80)..cut])
                );
            }
        }
    }
}

#[test]
fn a_byte_order_mark_changes_nothing() {
    for relative in CUT_FIXTURES {
        let (_scratch, path) = scratch_copy(relative);
        let expected = package_set(&path).unwrap();
        let mut with_bom = "\u{feff}".as_bytes().to_vec();
        with_bom.extend(std::fs::read(&path).unwrap());
        std::fs::write(&path, with_bom).unwrap();
        assert_eq!(package_set(&path), Ok(expected), "{relative}");
    }
}

/// A fixture with one line replaced (1-based), in a scratch directory.
fn with_line(relative: &str, line: usize, replacement: &str) -> (tempfile::TempDir, PathBuf) {
    let (scratch, path) = scratch_copy(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(line - 1, replacement);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    (scratch, path)
}

#[test]
fn a_stray_line_in_gemfile_specs_is_an_error_at_its_line() {
    // Inserted inside the GEM specs, before `racc` and `rack`: read leniently, it would end
    // the section and drop them.
    for junk in ["XX", "\u{0}", "<<<<<<< HEAD"] {
        let (_scratch, path) = with_line("ruby/gemfile/Gemfile.lock", 21, junk);
        let run = run(&["sbom".as_ref(), path.as_os_str()], None);
        assert_input_error(&run, "Gemfile.lock` line 21", junk);
        stderr_has(&run, "not a Gemfile.lock section");
    }
}

#[test]
fn a_yarn_lockfile_cut_inside_an_integrity_hash_is_an_error() {
    let (_scratch, path) = scratch_copy("npm/yarn-v1/yarn.lock");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("integrity sha").unwrap();
    // Cut 30 characters into the digest, then let the file continue as if nothing happened.
    let end = start + "integrity sha512-".len() + 30;
    let line_end = text[end..].find('\n').unwrap() + end;
    std::fs::write(&path, format!("{}{}", &text[..end], &text[line_end..])).unwrap();
    let run = run(&["sbom".as_ref(), path.as_os_str()], None);
    assert_input_error(&run, "yarn.lock` line", "cut integrity");
    stderr_has(&run, "not a whole sha");
}

#[test]
fn a_corrupt_field_in_an_osv_record_is_an_error_not_a_lost_advisory() {
    let record = fixture("advisories/osv-left-pad/GHSA-0000-left-pad.json");
    let text = std::fs::read_to_string(&record).unwrap();
    let project = banned_project();
    let gate_with = |database: &Path| {
        run(
            &[
                "check".as_ref(),
                project.path().as_os_str(),
                "--advisory-db".as_ref(),
                database.as_os_str(),
                "--allow-stale-db".as_ref(),
            ],
            None,
        )
    };
    // The intact record finds the vulnerability.
    let intact = gate_with(record.parent().unwrap());
    assert_eq!(intact.code, Some(1), "{}", intact.stderr);
    assert!(
        intact.stdout.contains("GHSA-0000-left-pad"),
        "{}",
        intact.stdout
    );
    for (from, to) in [
        ("\"introduced\"", "\"intro:uced\""),
        ("\"ecosystem\": \"npm\"", "\"ecosystem\": true"),
        ("{ \"introduced\": \"0\" },", ""),
    ] {
        let database = tempfile::tempdir().unwrap();
        assert!(text.contains(from));
        std::fs::write(
            database.path().join("GHSA-0000-left-pad.json"),
            text.replace(from, to),
        )
        .unwrap();
        let run = gate_with(database.path());
        assert_input_error(&run, "GHSA-0000-left-pad.json", to);
    }
}

#[cfg(unix)]
#[test]
fn links_in_a_scanned_directory_are_followed_or_reported() {
    // A linked lockfile is read through the link.
    let project = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("npm/banned-package/package-lock.json"),
        shared.path().join("package-lock.json"),
    )
    .unwrap();
    std::fs::create_dir(project.path().join("web")).unwrap();
    symlink(
        shared.path().join("package-lock.json"),
        &project.path().join("web/package-lock.json"),
    );
    let sbom = run(&["sbom".as_ref(), project.path().as_os_str()], None);
    assert_eq!(sbom.code, Some(0), "{}", sbom.stderr);
    assert!(sbom.stdout.contains("left-pad"), "{}", sbom.stdout);

    // A linked directory is not followed, and the report says so.
    symlink(shared.path(), &project.path().join("vendored-app"));
    let json = gate(project.path(), &["--format", "json"]);
    assert!(
        json.stdout.contains("vendored-app") && json.stdout.contains("not scanned"),
        "{}",
        json.stdout
    );
    assert!(json.stderr.contains("vendored-app"), "{}", json.stderr);

    // A lockfile name that is a dangling link or a FIFO is an error naming it.
    for form in ["dangling link", "fifo"] {
        let project = banned_project();
        std::fs::create_dir(project.path().join("api")).unwrap();
        let lockfile = project.path().join("api/yarn.lock");
        match form {
            "dangling link" => symlink("../missing/yarn.lock", &lockfile),
            _ => mkfifo(&lockfile),
        }
        let run = gate(project.path(), &[]);
        assert_input_error(&run, "api/yarn.lock", form);
    }
}

// ---- Item 3: empty input never passes the gate ----

#[test]
fn empty_inputs_are_nothing_to_scan_or_errors_for_every_command() {
    const NAMES: &[&str] = &[
        "Cargo.lock",
        "poetry.lock",
        "uv.lock",
        "yarn.lock",
        "requirements.txt",
        "go.mod",
        "Gemfile.lock",
        "gradle.lockfile",
        "pnpm-lock.yaml",
        "package-lock.json",
        "composer.lock",
        "Pipfile.lock",
        "packages.lock.json",
        "pom.xml",
    ];
    const FORMS: &[(&str, &[u8])] = &[
        ("0 bytes", b""),
        ("whitespace", b" \n\t\n"),
        ("a byte-order mark", b"\xef\xbb\xbf"),
        ("a lone brace", b"{\n"),
    ];
    for name in NAMES {
        for (form, bytes) in FORMS {
            let project = tempfile::tempdir().unwrap();
            let path = project.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let commands: [&[&std::ffi::OsStr]; 5] = [
                &["check".as_ref(), path.as_os_str()],
                &["sbom".as_ref(), path.as_os_str()],
                &["licenses".as_ref(), path.as_os_str()],
                &["notices".as_ref(), path.as_os_str()],
                &["diff".as_ref(), path.as_os_str(), path.as_os_str()],
            ];
            for args in commands {
                let run = run(args, None);
                assert!(
                    matches!(run.code, Some(2 | 3)),
                    "{:?} on {name} holding {form}: exit {:?}\n{}",
                    args[0],
                    run.code,
                    run.stderr
                );
                assert!(run.stdout.is_empty(), "{name} {form}: {}", run.stdout);
                assert!(run.stderr.contains(name), "{name} {form}: {}", run.stderr);
            }
        }
    }
}

#[test]
fn a_byte_order_mark_does_not_become_part_of_a_requirement() {
    let project = tempfile::tempdir().unwrap();
    let path = project.path().join("requirements.txt");
    std::fs::write(&path, "\u{feff}alembic==1.18.5\n").unwrap();
    assert_eq!(
        package_set(&path),
        Ok(["PyPI:alembic@1.18.5".to_string()].into())
    );
}

// ---- Errors printed once, every bad file named ----

/// `depgate sbom FIXTURE`: exit code and stderr with the fixtures directory as `<fixtures>`.
fn sbom_error(relative: &str) -> (Option<i32>, String) {
    let path = fixture(relative);
    let run = run(&["sbom".as_ref(), path.as_os_str()], None);
    assert!(run.stdout.is_empty(), "{relative}: {}", run.stdout);
    let root = fixture("");
    let stderr = run
        .stderr
        .replace(root.to_str().unwrap().trim_end_matches('/'), "<fixtures>");
    (run.code, stderr)
}

#[test]
fn every_malformed_fixture_prints_its_error_once() {
    let cases: &[(&str, &str)] = &[
        (
            "cargo/binary-junk/Cargo.lock",
            "error: `<fixtures>/cargo/binary-junk/Cargo.lock` line 4, column 12: not UTF-8 text (binary or corrupt file)\n",
        ),
        (
            "cargo/truncated/Cargo.lock",
            "error: `<fixtures>/cargo/truncated/Cargo.lock` line 15: the file ends in the middle of a line: it is cut short (every Cargo.lock written by its package manager ends with a newline); regenerate it\n",
        ),
        (
            "npm/malformed-json/package-lock.json",
            "error: `<fixtures>/npm/malformed-json/package-lock.json` line 6, column 5: invalid JSON in npm lockfile: expected `,` or `}`\n",
        ),
        (
            "npm/pnpm-malformed/pnpm-lock.yaml",
            "error: `<fixtures>/npm/pnpm-malformed/pnpm-lock.yaml` line 8, column 8: invalid pnpm lockfile: did not find expected key, while parsing a block mapping at line 6 column 7\n",
        ),
        (
            "npm/yarn-malformed-berry/yarn.lock",
            "error: `<fixtures>/npm/yarn-malformed-berry/yarn.lock` line 8, column 1: invalid yarn Berry lockfile: found unexpected end of stream, while scanning a quoted scalar at line 6 column 15\n",
        ),
        (
            "npm/yarn-malformed-v1/yarn.lock",
            "error: `<fixtures>/npm/yarn-malformed-v1/yarn.lock` line 6: unexpected indentation in yarn lockfile\n",
        ),
        (
            "php/composer-malformed/composer.lock",
            "error: `<fixtures>/php/composer-malformed/composer.lock` line 4, column 19: invalid lockfile: missing field `version`\n",
        ),
        (
            "python/pipfile-malformed/Pipfile.lock",
            "error: `<fixtures>/python/pipfile-malformed/Pipfile.lock` line 8: invalid lockfile: EOF while parsing an object\n",
        ),
        (
            "python/poetry-malformed/poetry.lock",
            "error: `<fixtures>/python/poetry-malformed/poetry.lock` line 5: invalid lockfile: unclosed array table, expected `]`\n",
        ),
        (
            "python/requirements-missing-include/requirements.txt",
            "error: `<fixtures>/python/requirements-missing-include/requirements.txt` line 2: cannot read the included file `<fixtures>/python/requirements-missing-include/missing.txt`\n  caused by: cannot read `<fixtures>/python/requirements-missing-include/missing.txt`\n  caused by: No such file or directory (os error 2)\n",
        ),
        (
            "ruby/gemfile-malformed/Gemfile.lock",
            "error: `<fixtures>/ruby/gemfile-malformed/Gemfile.lock` line 5: invalid lockfile `GEM` entry: `broken spec line here` is not `NAME (VERSION)`\n",
        ),
        (
            "go/gomod-unclosed/go.mod",
            "error: `<fixtures>/go/gomod-unclosed/go.mod` line 3: `require (` block is never closed with `)`\n",
        ),
        (
            "jvm/gradle-malformed/gradle.lockfile",
            "error: `<fixtures>/jvm/gradle-malformed/gradle.lockfile` line 3: invalid lockfile coordinates `org.broken:missing-version`: expected `GROUP:ARTIFACT:VERSION`\n",
        ),
        (
            "dotnet/packages-lock-malformed/packages.lock.json",
            "error: `<fixtures>/dotnet/packages-lock-malformed/packages.lock.json` line 5: lockfile entry `A` has no `resolved` version\n",
        ),
        (
            "go/gomod-malformed/go.mod",
            "error: `<fixtures>/go/gomod-malformed/go.mod` line 5: invalid go.mod `require` line: expected `MODULE VERSION`\n",
        ),
        (
            "go/gosum-malformed/go.mod",
            "error: `<fixtures>/go/gosum-malformed/go.sum` line 2: invalid go.sum line: expected `MODULE VERSION h1:HASH`\n",
        ),
        (
            "jvm/maven-malformed/pom.xml",
            "error: `<fixtures>/jvm/maven-malformed/pom.xml` line 7: invalid pom.xml: ill-formed document: expected `</dependency>`, but `</dependencies>` was found\n",
        ),
        (
            "licenses/malformed/package-lock.json",
            "error: `<fixtures>/licenses/malformed/package-lock.json` line 6: invalid JSON in npm lockfile: EOF while parsing an object\n",
        ),
        (
            "npm/malformed-entry/package-lock.json",
            "error: `<fixtures>/npm/malformed-entry/package-lock.json` line 6: npm lockfile entry `node_modules/a` has no `version`\n",
        ),
        (
            "npm/malformed-version/package-lock.json",
            "error: `<fixtures>/npm/malformed-version/package-lock.json` line 1: npm lockfile has no numeric `lockfileVersion`\n",
        ),
        (
            "npm/pnpm-unsupported/pnpm-lock.yaml",
            "error: `<fixtures>/npm/pnpm-unsupported/pnpm-lock.yaml` line 1: pnpm lockfile version `3.0` is not supported (5.x, 6.x and 9.x are)\n",
        ),
        (
            "sbom/malformed-xml/bom.xml",
            "error: `<fixtures>/sbom/malformed-xml/bom.xml` line 6, column 23: invalid XML in CycloneDX SBOM: ill-formed document: expected `</version>`, but `</purl>` was found\n",
        ),
        (
            "cargo/wrong-types/Cargo.lock",
            "error: `<fixtures>/cargo/wrong-types/Cargo.lock` line 14: invalid lockfile: invalid type: integer `2`, expected a string\n",
        ),
        (
            "cargo/missing-dependency/Cargo.lock",
            "error: `<fixtures>/cargo/missing-dependency/Cargo.lock` line 10: `app 0.1.0` depends on `regex 1.10.0`, which is not in the lockfile\n",
        ),
        (
            "python/uv-malformed/uv.lock",
            "error: `<fixtures>/python/uv-malformed/uv.lock` line 5: invalid lockfile: invalid float, expected nothing\n",
        ),
        (
            "sbom/malformed-json/bom.cdx.json",
            "error: `<fixtures>/sbom/malformed-json/bom.cdx.json` line 9, column 7: invalid JSON in CycloneDX SBOM: expected `,` or `}`\n",
        ),
    ];
    for (relative, expected) in cases {
        let (code, stderr) = sbom_error(relative);
        assert_eq!(code, Some(2), "{relative}: {stderr}");
        assert_eq!(&stderr, expected, "{relative}");
    }
}

#[test]
fn a_directory_scan_reports_every_broken_file_in_one_run() {
    let project = tempfile::tempdir().unwrap();
    for (directory, name, text) in [
        (
            "web",
            "package-lock.json",
            "{\"lockfileVersion\": 3,\n \"packages\": {x}}\n",
        ),
        ("ruby", "Gemfile.lock", "XX\n"),
        ("py", "requirements.txt", "{\n"),
    ] {
        std::fs::create_dir(project.path().join(directory)).unwrap();
        std::fs::write(project.path().join(directory).join(name), text).unwrap();
    }
    let run = gate(project.path(), &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.starts_with("error: 3 inputs cannot be read:\n"),
        "{}",
        run.stderr
    );
    for named in [
        "web/package-lock.json` line 2, column 15",
        "ruby/Gemfile.lock` line 1",
        "py/requirements.txt` line 1",
    ] {
        assert!(run.stderr.contains(named), "{named}:\n{}", run.stderr);
    }
}

#[test]
fn a_requirements_file_is_recognised_by_its_directory_from_inside_it() {
    let project = tempfile::tempdir().unwrap();
    let directory = project.path().join("requirements");
    std::fs::create_dir(&directory).unwrap();
    std::fs::write(directory.join("lint.txt"), "flake8==7.1.0\n").unwrap();
    let run = run(&["sbom".as_ref(), "lint.txt".as_ref()], Some(&directory));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("flake8"), "{}", run.stdout);
}

#[test]
fn a_txt_named_explicitly_is_recognised_by_its_content() {
    let project = tempfile::tempdir().unwrap();
    let deps = project.path().join("deps.txt");
    std::fs::write(
        &deps,
        "# pinned\nflake8==7.1.0 \\\n    --hash=sha256:".to_string() + &"ab".repeat(32) + "\n",
    )
    .unwrap();
    let run_deps = run(&["sbom".as_ref(), deps.as_os_str()], None);
    assert_eq!(run_deps.code, Some(0), "{}", run_deps.stderr);
    assert!(run_deps.stdout.contains("flake8"), "{}", run_deps.stdout);
    let notes = project.path().join("notes.txt");
    std::fs::write(&notes, "Release notes: flake8==7.1.0 is used.\n").unwrap();
    let run = run(&["sbom".as_ref(), notes.as_os_str()], None);
    assert_input_error(&run, "notes.txt", "prose");
    stderr_has(&run, "is not a supported lockfile");
}

// ---- Item 4: `-o` writes what the user named, the way they expect ----

#[cfg(unix)]
#[test]
fn output_follows_links_writes_fifos_in_place_and_honours_the_umask() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let project = banned_project();
    let out = tempfile::tempdir().unwrap();
    let sbom_to = |target: &Path| {
        run(
            &[
                "sbom".as_ref(),
                project.path().as_os_str(),
                "-o".as_ref(),
                target.as_os_str(),
            ],
            None,
        )
    };
    // A new file gets the mode a shell redirect would give it (0666 less the umask).
    let probe = out.path().join("probe");
    std::fs::File::create(&probe).unwrap();
    let umask_mode = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
    let fresh = out.path().join("fresh.json");
    assert_eq!(sbom_to(&fresh).code, Some(0));
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, umask_mode);
    // A replaced file keeps its mode.
    std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(sbom_to(&fresh).code, Some(0));
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // A link is followed: the target holds the SBOM and the link stays a link.
    let real = out.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = out.path().join("link.json");
    symlink("real.json", &link);
    assert_eq!(sbom_to(&link).code, Some(0));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&real).unwrap().contains("left-pad"));
    // A FIFO is written in place: its reader gets the SBOM, and it stays a FIFO.
    let fifo = out.path().join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    assert_eq!(sbom_to(&fifo).code, Some(0));
    assert!(reader.join().unwrap().contains("left-pad"));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    // Nothing temporary is left beside the outputs.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A directory is an error before anything is scanned.
    let run = sbom_to(out.path());
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    stderr_has(&run, "is a directory");
}

#[test]
fn an_output_into_a_missing_directory_fails_before_the_scan() {
    // The scanned path does not exist either: the output is what must be reported, which
    // shows it was checked first.
    let missing = tempfile::tempdir().unwrap();
    let scan = missing.path().join("no-such-project");
    let target = missing.path().join("no-such-dir/out");
    let target_arg = target.to_str().unwrap();
    let output_flag = format!("json={target_arg}");
    for args in [
        vec!["check", scan.to_str().unwrap(), "--output", &output_flag],
        vec!["licenses", scan.to_str().unwrap(), "-o", target_arg],
        vec!["notices", scan.to_str().unwrap(), "-o", target_arg],
        vec!["sbom", scan.to_str().unwrap(), "-o", target_arg],
    ] {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let run = run(&args, None);
        assert_eq!(run.code, Some(2), "{:?}: {}", args[0], run.stderr);
        assert!(
            run.stderr.contains("no-such-dir") && run.stderr.contains("does not exist"),
            "{:?}: {}",
            args[0],
            run.stderr
        );
    }
}

// ---- Items 5 and 7: nothing hangs, and messages say what is wrong ----

#[cfg(unix)]
#[test]
fn fifos_and_devices_never_hang_a_run() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let project = banned_project();
    let fifo = |name: &str| {
        let path = dir.join(name);
        mkfifo(&path);
        path
    };
    let os = |path: &Path| path.as_os_str().to_owned();
    let sbom_fifo = fifo("bom.cdx.json");
    let key_fifo = fifo("signing.key");
    let attestation_fifo = fifo("attestation.json");
    // A real public key, so `verify` gets as far as reading the attestation.
    let prefix = dir.join("real");
    let generated = run(
        &[
            "key".as_ref(),
            "generate".as_ref(),
            "--out".as_ref(),
            prefix.as_os_str(),
        ],
        None,
    );
    assert_eq!(generated.code, Some(0), "{}", generated.stderr);
    let public = dir.join("real.pub");
    let osv = dir.join("osv");
    std::fs::create_dir(&osv).unwrap();
    mkfifo(&osv.join("GHSA-fifo.json"));
    let rustsec = dir.join("rustsec/crates/left-pad");
    std::fs::create_dir_all(&rustsec).unwrap();
    mkfifo(&rustsec.join("RUSTSEC-2099-0001.md"));
    let project_path = project.path().as_os_str().to_owned();
    let cases: Vec<(Vec<std::ffi::OsString>, &str)> = vec![
        (vec!["sbom".into(), os(&sbom_fifo)], "bom.cdx.json"),
        (
            vec!["sbom".into(), "--from".into(), os(&sbom_fifo)],
            "bom.cdx.json",
        ),
        (
            vec![
                "check".into(),
                project_path.clone(),
                "--sbom".into(),
                os(&sbom_fifo),
            ],
            "bom.cdx.json",
        ),
        (
            vec![
                "attest".into(),
                project_path.clone(),
                "--key".into(),
                os(&key_fifo),
            ],
            "signing.key",
        ),
        (
            vec![
                "verify".into(),
                os(&attestation_fifo),
                "--key".into(),
                os(&public),
            ],
            "attestation.json",
        ),
        (
            vec!["diff".into(), os(&sbom_fifo), project_path.clone()],
            "bom.cdx.json",
        ),
        (
            vec![
                "check".into(),
                project_path.clone(),
                "--advisory-db".into(),
                os(&osv),
            ],
            "GHSA-fifo.json",
        ),
        (
            vec![
                "check".into(),
                project_path.clone(),
                "--advisory-db".into(),
                os(&dir.join("rustsec")),
            ],
            "RUSTSEC-2099-0001.md",
        ),
    ];
    for (args, named) in &cases {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let run = run(&args, None);
        assert_input_error(&run, named, &format!("{args:?}"));
        assert!(run.stderr.contains("FIFO"), "{args:?}: {}", run.stderr);
    }
    // Ignore files are read by the directory walk.
    for name in [".gitignore", ".depgateignore", ".ignore"] {
        let project = banned_project();
        mkfifo(&project.path().join(name));
        assert_input_error(&gate(project.path(), &[]), name, name);
    }
    // A device behind a lockfile name is refused, not read until memory runs out.
    let project = banned_project();
    symlink("/dev/zero", &project.path().join("yarn.lock"));
    let run = gate(project.path(), &[]);
    assert_input_error(&run, "yarn.lock", "/dev/zero");
    stderr_has(&run, "character device");
}

#[cfg(unix)]
#[test]
fn a_cargo_toml_that_cannot_be_read_is_said_not_taken_as_missing() {
    let project = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("cargo/v3/Cargo.lock"),
        project.path().join("Cargo.lock"),
    )
    .unwrap();
    mkfifo(&project.path().join("Cargo.toml"));
    let run = run(&["sbom".as_ref(), project.path().as_os_str()], None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    stderr_has(
        &run,
        "Cargo.toml` is a FIFO (named pipe), not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn an_included_requirements_file_that_is_a_fifo_is_said_so() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("requirements.txt"),
        "-r base.txt\nflask==3.0.0\n",
    )
    .unwrap();
    mkfifo(&project.path().join("base.txt"));
    let run = run(&["sbom".as_ref(), project.path().as_os_str()], None);
    assert_input_error(&run, "requirements.txt` line 1", "-r FIFO");
    stderr_has(&run, "base.txt` is a FIFO (named pipe), not a regular file");
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn a_bad_rustsec_advisory_is_named_with_its_line_and_reason() {
    let database = tempfile::tempdir().unwrap();
    let crate_dir = database.path().join("crates/left-pad");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let advisory = crate_dir.join("RUSTSEC-2099-0001.md");
    let project = banned_project();
    let check = || check_with_database(project.path(), database.path());
    std::fs::write(
        &advisory,
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"left-pad\"\ndate = \"2099-01-01\"\ntitle = 12\n```\n\n# Title\n\nBody\n",
    )
    .unwrap();
    let run = check();
    assert_input_error(&run, "RUSTSEC-2099-0001.md", "wrong type");
    stderr_has(
        &run,
        "line 6: invalid type: integer `12`, expected a string",
    );
    std::fs::write(&advisory, b"```toml\n\xff\xfe\n").unwrap();
    let run = check();
    assert_input_error(&run, "RUSTSEC-2099-0001.md", "not UTF-8");
    stderr_has(&run, "not UTF-8 text at line 2, column 1");
    assert!(!run.stderr.contains("couldn't open"), "{}", run.stderr);
}

#[test]
fn an_spdx_tag_value_document_cut_inside_a_package_or_its_references_is_an_error() {
    let (_scratch, path) = scratch_copy("sbom/spdx-2.3-tag-value/sbom.spdx");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Cut right after `PackageName: golang.org/x/net` (line 22), before its `SPDXID`.
    std::fs::write(&path, lines[..22].join("\n") + "\n").unwrap();
    let convert = || {
        run(
            &["sbom".as_ref(), "--from".as_ref(), path.as_os_str()],
            None,
        )
    };
    let cut = convert();
    assert_input_error(&cut, "sbom.spdx` line 22", "cut before SPDXID");
    stderr_has(&cut, "has no `SPDXID`");
    // The package definitions gone, their relationships kept.
    let mut kept: Vec<&str> = lines[..34].to_vec();
    kept.extend(lines[43..].iter());
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
    let lost = convert();
    assert_input_error(&lost, "sbom.spdx", "relationship to a lost package");
    stderr_has(&lost, "SPDXRef-Package-internal-tool");
}

/// `depgate sbom PATH --format cyclonedx-json`.
fn sbom_of(path: &Path) -> Run {
    run(
        &[
            "sbom".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "cyclonedx-json".as_ref(),
        ],
        None,
    )
}

/// Inputs the fuzz targets (`fuzz/`) found crashing a parser, each kept as a fixture: every
/// one is exit 2 naming the file and saying what is wrong, never a panic.
#[test]
fn inputs_found_by_fuzzing_are_errors_not_panics() {
    let cases: &[(&str, &str)] = &[(
        "cargo-non-ascii-checksum/Cargo.lock",
        "line 16: invalid lockfile: checksum `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaǓaaaaa` is not 64 hexadecimal digits",
    )];
    for (relative, expected) in cases {
        let path = fixture(&format!("fuzz/{relative}"));
        let outcome = sbom_of(&path);
        assert_eq!(outcome.code, Some(2), "{relative}: {}", outcome.stderr);
        assert!(outcome.stdout.is_empty(), "{relative}");
        assert!(
            !outcome.stderr.contains("panicked"),
            "{relative}: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains(&format!("`{}`", path.display()))
                && outcome.stderr.contains(expected),
            "{relative}: {}",
            outcome.stderr
        );
    }
}

/// A RustSec advisory found by the `rustsec_advisory` fuzz target: a Markdown file that does
/// not start with its ```` ```toml ```` fence, with a multi-byte character at its 20th byte,
/// made the `rustsec` crate panic while loading the database.
#[test]
fn an_advisory_found_by_fuzzing_is_an_error_not_a_panic() {
    let database = fixture("fuzz/rustsec-no-fence");
    let lockfile = fixture("npm/banned-package/package-lock.json");
    let outcome = run(
        &[
            "check".as_ref(),
            lockfile.as_os_str(),
            "--advisory-db".as_ref(),
            database.as_os_str(),
            "--allow-stale-db".as_ref(),
        ],
        None,
    );
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(!outcome.stderr.contains("panicked"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("RUSTSEC-2099-0001.md")
            && outcome
                .stderr
                .contains("the file does not start with its ```toml front matter"),
        "{}",
        outcome.stderr
    );
}

/// A `pom.xml` nested 100,000 deep took most of a minute (the element path was rebuilt at
/// every tag); nesting past 256 levels is now an error at the tag that goes too deep.
#[test]
fn a_pom_nested_too_deep_is_an_error_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pom.xml");
    std::fs::write(&path, format!("<project>\n{}\n", "<a>".repeat(100_000))).unwrap();
    let outcome = sbom_of(&path);
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("line 2")
            && outcome
                .stderr
                .contains("elements nested deeper than 256 levels"),
        "{}",
        outcome.stderr
    );
}

/// YAML flow collections nested 100,000 deep took the YAML scanner over 30 s before its own
/// recursion limit stopped it; nesting past 128 levels is now refused in one pass, at its
/// line, in every YAML input: pnpm and yarn Berry lockfiles and OSV records.
#[test]
fn yaml_nested_too_deep_is_an_error_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let nested = format!("{}1{}", "{a: ".repeat(100_000), "}".repeat(100_000));
    for (name, text) in [
        (
            "pnpm-lock.yaml",
            format!("lockfileVersion: '9.0'\npackages:\n  x: {nested}\n"),
        ),
        (
            "yarn.lock",
            format!("__metadata:\n  version: 8\n\n\"a@npm:1\":\n  x: {nested}\n"),
        ),
    ] {
        let project = dir.path().join(name.replace('.', "-"));
        std::fs::create_dir(&project).unwrap();
        let path = project.join(name);
        std::fs::write(&path, &text).unwrap();
        let outcome = sbom_of(&path);
        assert_eq!(outcome.code, Some(2), "{name}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(name)
                && outcome
                    .stderr
                    .contains("collections nested deeper than 128 levels"),
            "{name}: {}",
            outcome.stderr
        );
    }
    let database = dir.path().join("osv");
    std::fs::create_dir(&database).unwrap();
    std::fs::write(
        database.join("PYSEC-0000-0.yaml"),
        format!("id: PYSEC-0000-0\nmodified: '2024-01-01T00:00:00Z'\naffected: {nested}\n"),
    )
    .unwrap();
    let outcome = check_with_database(banned_project().path(), &database);
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("PYSEC-0000-0.yaml")
            && outcome
                .stderr
                .contains("collections nested deeper than 128 levels"),
        "{}",
        outcome.stderr
    );
}

/// Single damaged bytes that used to leave a valid-looking file with a package fewer (found by
/// `benches/hostile-sweep.py`): each is now an error at its line.
#[test]
fn a_damaged_byte_that_would_hide_a_package_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, message) in [
        // A damaged `[[package]]` header drops its entry from what TOML sees.
        (
            "Cargo.lock",
            "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n\n[[pcckage]]\nname = \"tool\"\nversion = \"0.1.0\"\n",
            "line 7: `[[pcckage]]` is not a Cargo.lock section",
        ),
        // The line break after a comment damaged: the requirement joins the comment, and
        // only its hashes are left.
        (
            "requirements.txt",
            "# pinned\nalpha==1.0 \\\n    --hash=sha256:0000000000000000000000000000000000000000000000000000000000000000\n#Jbeta==2.0 \\\n    --hash=sha256:1111111111111111111111111111111111111111111111111111111111111111\n",
            "line 5: `--hash` belongs to no requirement",
        ),
        // In a Gradle lockfile the next entry runs into the configuration list.
        (
            "gradle.lockfile",
            "com.example:one:1.0=runtimeClasspath\u{b}com.example:two:2.0=runtimeClasspath\nempty=\n",
            "line 1: invalid configuration name `runtimeClasspath\u{b}com.example:two:2.0=runtimeClasspath`",
        ),
        // The same in a go.mod: the next requirement hides in the `// indirect` comment.
        (
            "go.mod",
            "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/a/one v1.0.0 // indirect\u{b}\tgithub.com/b/two v1.0.0 // indirect\n)\n",
            "line 6, column 37: control character U+000B",
        ),
    ] {
        let project = dir.path().join(name.replace('.', "-"));
        std::fs::create_dir(&project).unwrap();
        let path = project.join(name);
        std::fs::write(&path, text).unwrap();
        let outcome = sbom_of(&path);
        assert_eq!(outcome.code, Some(2), "{name}: {}", outcome.stderr);
        assert!(
            outcome.stderr.contains(message),
            "{name}: {}",
            outcome.stderr
        );
    }
}

/// A `Cargo.lock` whose crates form one chain `chain-app > chain-0 > chain-1 > …`, every
/// tenth crate from a registry the policy does not allow.
fn write_chain_lockfile(dir: &Path, length: usize) -> PathBuf {
    let mut text = String::from(
        "version = 4\n\n[[package]]\nname = \"chain-app\"\nversion = \"1.0.0\"\ndependencies = [\n \"chain-0\",\n]\n",
    );
    for index in 0..length {
        let registry = if index % 10 == 9 {
            "https://example.com/index"
        } else {
            "https://github.com/rust-lang/crates.io-index"
        };
        text.push_str(&format!(
            "\n[[package]]\nname = \"chain-{index}\"\nversion = \"1.0.0\"\nsource = \"registry+{registry}\"\nchecksum = \"{index:064x}\"\n"
        ));
        if index + 1 < length {
            text.push_str(&format!("dependencies = [\n \"chain-{}\",\n]\n", index + 1));
        }
    }
    let path = dir.join("Cargo.lock");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_deep_dependency_chain_gives_each_finding_a_path_shortened_in_the_middle() {
    // Before, each finding's path was found by copying it at every step (the square of the
    // depth) and printed whole: a 3 MB lockfile of a 30,000-crate chain made a gigabyte of
    // report.
    let dir = tempfile::tempdir().unwrap();
    let lockfile = write_chain_lockfile(dir.path(), 3000);
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[policy]\nowner = \"tests\"\n\n[licenses]\nunknown = \"allow\"\n\n[sources]\nallow-registries = [\"default\"]\nnot-allowed = \"deny\"\n",
    )
    .unwrap();
    let run = run(
        &[
            "check".as_ref(),
            lockfile.as_os_str(),
            "--policy".as_ref(),
            policy.as_os_str(),
            "--advisory-db".as_ref(),
            fixture("advisories/attest").as_os_str(),
            "--allow-stale-db".as_ref(),
            "--format".as_ref(),
            "json".as_ref(),
        ],
        None,
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["code"] == "source-not-allowed")
        .map(|finding| finding["paths"][0].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 300);
    for path in &paths {
        let steps = path.split(" > ").count();
        assert!(steps <= 64, "a path of {steps} steps");
        assert!(
            path.starts_with("chain-app 1.0.0 > chain-0 1.0.0 > "),
            "{path}"
        );
    }
    // The deepest: 3,001 packages, the first 32 and the last 31 shown.
    let deepest = paths
        .iter()
        .find(|path| path.ends_with(" > chain-2999 1.0.0"))
        .unwrap();
    assert!(
        deepest.contains(" > chain-30 1.0.0 > … 2938 more packages … > chain-2969 1.0.0 > "),
        "{deepest}"
    );
    // A path short enough is shown whole.
    let shallow = paths
        .iter()
        .find(|path| path.ends_with(" > chain-9 1.0.0"))
        .unwrap();
    assert_eq!(shallow.split(" > ").count(), 11);
}
