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
