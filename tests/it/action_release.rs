//! The action's release download (`action/download-release.sh`), end to end through the action
//! harness of `action.rs`: a release is made in the test with `.ci/release-package` (the
//! script the release workflow packs with) and served by the loopback server of
//! `http_server.rs` under GitHub's paths (`/OWNER/REPO/releases/download/TAG/FILE`, the REST
//! API under `/api`). The attestation check runs a stand-in `gh` put first on `PATH`: it
//! accepts exactly the SHA256SUMS digests the test attested, and only when asked for the
//! signer identity the action must pin (repository, release workflow, tag, commit). The real
//! `gh attestation verify` needs GitHub and Sigstore, which tests never reach. A stand-in
//! `getconf` beside it tells the C library (glibc 2.39 unless a test says otherwise), which
//! picks the glibc or the musl build.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::action::{PR_EVENT, Runner, StepRun, pull_request_workspace};
use crate::http_server::{Reply, Server, serve};

const REPOSITORY: &str = "depgate/depgate";
/// The commit the release's tag names.
const TAG_COMMIT: &str = "5f0c6e0b6d3c1c2a9e8f7a6b5c4d3e2f1a0b9c8d";
/// The build the action installs on an x86_64 runner with glibc 2.34 or later.
const TARGET: &str = "x86_64-unknown-linux-gnu";
/// The static build it installs on other x86_64 Linux runners.
const MUSL_TARGET: &str = "x86_64-unknown-linux-musl";

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn tag() -> String {
    format!("v{}", version())
}

fn archive_name() -> String {
    archive_name_of(TARGET)
}

fn archive_name_of(target: &str) -> String {
    format!("depgate-{}-{target}.tar.gz", version())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Packs `script` as the release binary of `TARGET` with the release's own packing script.
fn pack(script: &str) -> Vec<u8> {
    pack_as(TARGET, script)
}

/// Packs `script` as the release binary of `target`.
fn pack_as(target: &str, script: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("depgate");
    std::fs::write(&binary, script).unwrap();
    let out = dir.path().join("out");
    let output = std::process::Command::new(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/release-package"),
    )
    .arg(target)
    .arg(&binary)
    .arg(&out)
    .output()
    .unwrap();
    assert!(
        output.status.success(),
        "release-package: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(out.join(archive_name_of(target))).unwrap()
}

/// The depgate under test behind a wrapper, as `script` of an archive.
fn genuine_script() -> String {
    format!(
        "#!/bin/sh\nexec '{}' \"$@\"\n",
        env!("CARGO_BIN_EXE_depgate")
    )
}

/// The genuine release binary: the depgate under test, behind a wrapper so that the archive
/// stays small.
fn genuine_archive() -> Vec<u8> {
    pack(&genuine_script())
}

/// A tampered binary: running it would leave `marker` behind.
fn tampered_archive(marker: &Path) -> Vec<u8> {
    pack(&format!(
        "#!/bin/sh\ntouch '{}'\necho depgate {}\n",
        marker.display(),
        version()
    ))
}

fn sums_for(archive: &[u8]) -> Vec<u8> {
    format!(
        "{}  {}\n{}  depgate-{}.cdx.json\n",
        sha256_hex(archive),
        archive_name(),
        sha256_hex(b"{}"),
        version()
    )
    .into_bytes()
}

/// What the server answers for the release's archive.
#[derive(Clone)]
enum ArchiveReply {
    Bytes(Vec<u8>),
    Truncated(Vec<u8>),
    Missing,
}

/// A release on the loopback server: the API knows the tag, the release has SHA256SUMS and
/// the archive (as `archive` says).
fn serve_release(sums: Vec<u8>, archive: ArchiveReply) -> Server {
    serve_release_of(TARGET, sums, archive)
}

/// [`serve_release`] with `target`'s archive (and no other).
fn serve_release_of(target: &str, sums: Vec<u8>, archive: ArchiveReply) -> Server {
    let tag = tag();
    let commit_path = format!("/api/repos/{REPOSITORY}/commits/{tag}");
    let download = format!("/{REPOSITORY}/releases/download/{tag}/");
    let archive_path = format!("{download}{}", archive_name_of(target));
    let sums_path = format!("{download}SHA256SUMS");
    let sums = Arc::new(sums);
    serve(Box::new(move |path, request, _| {
        let ok = |body: Vec<u8>| Reply::Full {
            status: 200,
            headers: Vec::new(),
            body,
        };
        if path == commit_path {
            // The API answers with the bare commit only for this media type.
            assert!(
                request
                    .to_ascii_lowercase()
                    .contains("accept: application/vnd.github.sha"),
                "{request}"
            );
            ok(TAG_COMMIT.as_bytes().to_vec())
        } else if path == sums_path {
            ok(sums.to_vec())
        } else if path == archive_path {
            match &archive {
                ArchiveReply::Bytes(bytes) => ok(bytes.clone()),
                ArchiveReply::Truncated(bytes) => Reply::Truncated {
                    declared: bytes.len(),
                    body: bytes[..bytes.len() / 2].to_vec(),
                },
                ArchiveReply::Missing => Reply::Full {
                    status: 404,
                    headers: Vec::new(),
                    body: b"Not Found".to_vec(),
                },
            }
        } else {
            Reply::Full {
                status: 404,
                headers: Vec::new(),
                body: b"Not Found".to_vec(),
            }
        }
    }))
}

/// A stand-in `gh` in `dir`, which accepts `gh attestation verify FILE` with the identity the
/// action must pin, for the digests in `attested`; every call is appended to `gh.log`.
fn fake_gh(dir: &Path, attested: &[&[u8]]) {
    let expected = format!(
        "--repo {REPOSITORY} --signer-workflow {REPOSITORY}/.github/workflows/release.yml \
         --source-ref refs/tags/{} --source-digest {TAG_COMMIT} --deny-self-hosted-runners",
        tag()
    );
    let digests: Vec<String> = attested.iter().map(|bytes| sha256_hex(bytes)).collect();
    let script = format!(
        r#"#!/usr/bin/env bash
echo "$*" >> '{log}'
if [ "$1 $2" != "attestation verify" ]; then echo "fake gh: unexpected command: $*" >&2; exit 2; fi
file=$3
shift 3
if [ "$*" != '{expected}' ]; then echo "fake gh: unexpected identity: $*" >&2; exit 1; fi
digest=$(sha256sum "$file" | cut -d ' ' -f 1)
case " {digests} " in
  *" $digest "*) echo "Verification succeeded! sha256:$digest" ;;
  *) echo "Error: no attestation matches sha256:$digest" >&2; exit 1 ;;
esac
"#,
        log = dir.join("gh.log").display(),
        digests = digests.join(" "),
    );
    let gh = dir.join("gh");
    std::fs::write(&gh, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in `getconf` in `dir`: `getconf GNU_LIBC_VERSION` prints `answer`, or fails as on
/// a musl system (Alpine) when there is none.
fn fake_getconf(dir: &Path, answer: Option<&str>) {
    let script = match answer {
        Some(answer) => {
            format!("#!/bin/sh\n[ \"$1\" = GNU_LIBC_VERSION ] || exit 2\necho '{answer}'\n")
        }
        None => "#!/bin/sh\necho \"getconf: unknown variable $1\" >&2\nexit 1\n".to_string(),
    };
    let getconf = dir.join("getconf");
    std::fs::write(&getconf, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&getconf, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A job on a pull request (whose base has the same dependencies, so the gate passes) whose
/// action comes from `REPOSITORY` at `action_ref`, with the `github` context pointing at
/// `server`, and the stand-in `gh` and a `getconf` of glibc 2.39 first on `PATH`.
fn runner(workspace: &Path, server: &Server, gh_dir: &Path, action_ref: &str) -> Runner {
    let mut runner = Runner::new(
        workspace,
        "pull_request",
        PR_EVENT,
        &[("args", "--offline")],
    );
    for (key, value) in [
        ("action_repository", REPOSITORY.to_string()),
        ("action_ref", action_ref.to_string()),
        ("server_url", server.base.clone()),
        ("api_url", format!("{}/api", server.base)),
    ] {
        runner.github.insert(key.to_string(), value);
    }
    fake_getconf(gh_dir, Some("glibc 2.39"));
    runner.path.push(gh_dir.to_path_buf());
    runner
}

fn step<'a>(runs: &'a [StepRun], name: &str) -> Option<&'a StepRun> {
    runs.iter().find(|run| run.name == name)
}

fn release_step(runs: &[StepRun]) -> &StepRun {
    step(runs, "Download the released depgate").expect("the download step ran")
}

fn built_from_source(runs: &[StepRun]) -> bool {
    step(runs, "Build depgate from source").is_some()
}

fn installed_binary(runner: &Runner) -> PathBuf {
    PathBuf::from(&runner.steps["version"]["binary"])
}

/// Download scratch directories the action leaves in `RUNNER_TEMP` (there must be none).
fn leftovers(runner: &Runner) -> Vec<String> {
    std::fs::read_dir(&runner.env["RUNNER_TEMP"])
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("depgate-download"))
        .collect()
}

#[test]
fn a_release_matching_the_ref_is_downloaded_verified_and_run_for_a_tag_and_its_commit() {
    let archive = genuine_archive();
    let sums = sums_for(&archive);
    for action_ref in [tag(), TAG_COMMIT.to_string()] {
        let server = serve_release(sums.clone(), ArchiveReply::Bytes(archive.clone()));
        let job = passing_job(&server, &sums, &action_ref, Some("glibc 2.39"));
        let (runner, runs, gh) = (&job.runner, &job.runs, &job.gh);
        let release = release_step(runs);
        assert_eq!(runner.steps["release"]["installed"], "true", "{release:#?}");
        assert!(release.stdout.contains("matches the attested SHA256SUMS"));
        assert!(!built_from_source(runs), "{action_ref}: built from source");
        // The installed file is the archive's binary, and the job ran it.
        let installed = std::fs::read_to_string(installed_binary(runner)).unwrap();
        assert!(
            installed.contains(env!("CARGO_BIN_EXE_depgate")),
            "{installed}"
        );
        let checked = step(runs, "Check the depgate binary").unwrap();
        assert!(checked.stdout.contains(&format!("depgate {}", version())));
        assert_eq!(runner.outputs()["exit-code"], "0");
        // The stand-in gh was asked once, about SHA256SUMS, with the pinned identity.
        let log = std::fs::read_to_string(gh.path().join("gh.log")).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(log.contains("/SHA256SUMS --repo depgate/depgate"), "{log}");
        assert_eq!(
            server.count(&format!("/api/repos/{REPOSITORY}/commits/")),
            1
        );
        assert_eq!(
            server.count(&format!("/{REPOSITORY}/releases/download/")),
            2
        );
        assert!(leftovers(runner).is_empty(), "{:?}", leftovers(runner));
    }
}

/// A job that ran with every step passing, and what it ran in.
struct PassingJob {
    runner: Runner,
    runs: Vec<StepRun>,
    /// The stand-in `gh`'s directory, with its `gh.log`.
    gh: tempfile::TempDir,
    _workspace: tempfile::TempDir,
}

/// Runs the job against the release on `server` at `action_ref`, the stand-in `gh` accepting
/// `sums` and `getconf` answering `libc` (`None`: failing, as on musl); every step must pass.
fn passing_job(server: &Server, sums: &[u8], action_ref: &str, libc: Option<&str>) -> PassingJob {
    let gh = tempfile::tempdir().unwrap();
    fake_gh(gh.path(), &[sums]);
    let (dir, workspace) = pull_request_workspace();
    let mut runner = runner(&workspace, server, gh.path(), action_ref);
    fake_getconf(gh.path(), libc);
    let runs = runner.run();
    for run in &runs {
        assert_eq!(
            run.status, 0,
            "{action_ref}, {libc:?}: step `{}` failed: {run:#?}",
            run.name
        );
    }
    PassingJob {
        runner,
        runs,
        gh,
        _workspace: dir,
    }
}

/// Runs the job against a release whose download must be refused, and checks that the job
/// stopped at the download step with `message`, with nothing installed, run or left behind.
fn assert_refused(
    sums: Vec<u8>,
    archive: ArchiveReply,
    attested: &[&[u8]],
    marker: &Path,
    message: &str,
) {
    let server = serve_release(sums, archive);
    let gh = tempfile::tempdir().unwrap();
    fake_gh(gh.path(), attested);
    let (_dir, workspace) = pull_request_workspace();
    let mut runner = runner(&workspace, &server, gh.path(), &tag());
    let runs = runner.run();
    let last = runs.last().unwrap();
    assert_eq!(last.name, "Download the released depgate", "{runs:#?}");
    assert_ne!(last.status, 0, "{last:#?}");
    assert!(last.stdout.contains("::error title=depgate::"), "{last:#?}");
    assert!(last.stdout.contains(message), "{last:#?}");
    assert!(!built_from_source(&runs));
    assert!(!installed_binary(&runner).exists());
    assert!(!marker.exists(), "the downloaded binary was run");
    assert!(leftovers(&runner).is_empty(), "{:?}", leftovers(&runner));
}

#[test]
fn a_truncated_archive_stops_the_job_and_installs_nothing() {
    let archive = genuine_archive();
    let sums = sums_for(&archive);
    let marker = tempfile::tempdir().unwrap();
    assert_refused(
        sums.clone(),
        ArchiveReply::Truncated(archive.clone()),
        &[&sums],
        &marker.path().join("ran"),
        "failed (HTTP status 200, curl exit code 18)",
    );
}

#[test]
fn a_tampered_archive_stops_the_job_with_a_checksum_mismatch_and_is_never_run() {
    let genuine = genuine_archive();
    let sums = sums_for(&genuine);
    let marker = tempfile::tempdir().unwrap();
    let marker = marker.path().join("ran");
    let tampered = tampered_archive(&marker);
    assert_refused(
        sums.clone(),
        ArchiveReply::Bytes(tampered.clone()),
        &[&sums],
        &marker,
        &format!(
            "checksum mismatch for {} from release {}: SHA256SUMS says {}, the download is {}",
            archive_name(),
            tag(),
            sha256_hex(&genuine),
            sha256_hex(&tampered)
        ),
    );
}

#[test]
fn sums_rewritten_to_match_a_tampered_archive_fail_the_attestation() {
    let genuine = genuine_archive();
    let genuine_sums = sums_for(&genuine);
    let marker = tempfile::tempdir().unwrap();
    let marker = marker.path().join("ran");
    let tampered = tampered_archive(&marker);
    // The attacker's SHA256SUMS agrees with the tampered archive, but only the genuine
    // SHA256SUMS was attested by the release workflow.
    assert_refused(
        sums_for(&tampered),
        ArchiveReply::Bytes(tampered),
        &[&genuine_sums],
        &marker,
        "has no valid attestation",
    );
}

#[test]
fn a_release_without_this_runners_archive_falls_back_to_building_from_source() {
    let sums = sums_for(&genuine_archive());
    let server = serve_release(sums.clone(), ArchiveReply::Missing);
    let gh = tempfile::tempdir().unwrap();
    fake_gh(gh.path(), &[&sums]);
    let (_dir, workspace) = pull_request_workspace();
    let mut runner = runner(&workspace, &server, gh.path(), &tag());
    let runs = runner.run();
    for run in &runs {
        assert_eq!(run.status, 0, "step `{}` failed: {run:#?}", run.name);
    }
    let release = release_step(&runs);
    assert_eq!(runner.steps["release"]["installed"], "false");
    assert!(
        release
            .stdout
            .contains(&format!("release {} has no {}", tag(), archive_name())),
        "{release:#?}"
    );
    assert!(built_from_source(&runs));
    assert!(!gh.path().join("gh.log").exists(), "nothing to verify");
    assert_eq!(runner.outputs()["exit-code"], "0");
    assert!(leftovers(&runner).is_empty(), "{:?}", leftovers(&runner));
}

#[test]
fn a_ref_that_is_not_the_release_commit_or_a_local_action_builds_from_source_without_downloading() {
    let sums = sums_for(&genuine_archive());
    // An untagged commit (the tag names another one), then a local `uses: ./`.
    for (action_ref, repository, reason) in [
        (
            "0000000000000000000000000000000000000001",
            REPOSITORY,
            "is not the commit of release",
        ),
        ("", "", "local path"),
    ] {
        let server = serve_release(sums.clone(), ArchiveReply::Missing);
        let gh = tempfile::tempdir().unwrap();
        fake_gh(gh.path(), &[&sums]);
        let (_dir, workspace) = pull_request_workspace();
        let mut runner = runner(&workspace, &server, gh.path(), action_ref);
        runner
            .github
            .insert("action_repository".to_string(), repository.to_string());
        let runs = runner.run();
        let release = release_step(&runs);
        assert_eq!(release.status, 0, "{release:#?}");
        assert!(release.stdout.contains(reason), "{release:#?}");
        assert!(built_from_source(&runs));
        assert_eq!(server.count(&format!("/{REPOSITORY}/releases/")), 0);
        if repository.is_empty() {
            assert_eq!(server.total(), 0, "a local action asks no server");
        }
    }
}

#[test]
fn install_source_skips_the_release_and_an_unknown_value_is_an_error() {
    let sums = sums_for(&genuine_archive());
    for (install, status, expected) in [
        ("source", 0, "building from source instead"),
        ("binary", 1, "must be `auto` or `source`"),
    ] {
        let server = serve_release(sums.clone(), ArchiveReply::Missing);
        let gh = tempfile::tempdir().unwrap();
        let (_dir, workspace) = pull_request_workspace();
        let mut runner = runner(&workspace, &server, gh.path(), &tag());
        runner.inputs.insert("install".into(), install.into());
        let runs = runner.run();
        let release = release_step(&runs);
        assert_eq!(release.status, status, "{release:#?}");
        assert!(release.stdout.contains(expected), "{release:#?}");
        assert_eq!(built_from_source(&runs), status == 0);
        assert_eq!(server.total(), 0);
    }
}

#[test]
fn a_runner_with_an_older_glibc_or_musl_gets_the_static_musl_build() {
    let musl = pack_as(MUSL_TARGET, &genuine_script());
    // The release lists both Linux builds; only the musl one is served, so a job that asked
    // for the glibc one would find none and build from source.
    let sums = format!(
        "{}  {}\n{}  {}\n",
        sha256_hex(&genuine_archive()),
        archive_name(),
        sha256_hex(&musl),
        archive_name_of(MUSL_TARGET)
    )
    .into_bytes();
    for answer in [Some("glibc 2.31"), None] {
        let server = serve_release_of(MUSL_TARGET, sums.clone(), ArchiveReply::Bytes(musl.clone()));
        let job = passing_job(&server, &sums, &tag(), answer);
        let (runner, runs) = (&job.runner, &job.runs);
        let release = release_step(runs);
        assert_eq!(
            runner.steps["release"]["installed"], "true",
            "{answer:?}: {release:#?}"
        );
        assert!(
            release.stdout.contains(&format!("({MUSL_TARGET})")),
            "{answer:?}: {release:#?}"
        );
        assert!(!built_from_source(runs));
        let download = format!("/{REPOSITORY}/releases/download/{}/", tag());
        assert_eq!(
            server.count(&format!("{download}{}", archive_name_of(MUSL_TARGET))),
            1
        );
        assert_eq!(server.count(&format!("{download}{}", archive_name())), 0);
        assert_eq!(runner.outputs()["exit-code"], "0");
    }
}

fn repository_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_release_builds_every_target_the_action_downloads_under_the_names_binstall_expects() {
    use std::collections::BTreeSet;

    let workflow: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&repository_file(".github/workflows/release.yml")).unwrap();
    let built: BTreeSet<String> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|entry| crate::action::text(&entry["target"]))
        .collect();
    // The runner-to-target lines of the download script: `  Linux/X64) target=... ;;`.
    let downloaded: BTreeSet<String> = repository_file("action/download-release.sh")
        .lines()
        .filter_map(|line| line.split_once(") target=")?.1.split_once(' '))
        .map(|(target, _)| target.to_string())
        .collect();
    assert_eq!(built, downloaded);
    assert_eq!(built.len(), 7, "{built:?}");

    // `cargo binstall` finds each archive where the release puts it, named as packed.
    let manifest: toml::Value = toml::from_str(&repository_file("Cargo.toml")).unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let repo = manifest["package"]["repository"].as_str().unwrap();
    for target in &built {
        let pkg_url = binstall
            .get("overrides")
            .and_then(|overrides| overrides.get(target.as_str()))
            .and_then(|values| values.get("pkg-url"))
            .unwrap_or(&binstall["pkg-url"])
            .as_str()
            .unwrap();
        let url = pkg_url
            .replace("{ repo }", repo)
            .replace("{ version }", version())
            .replace("{ name }", "depgate")
            .replace("{ target }", target);
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("depgate");
        std::fs::write(&binary, "binary").unwrap();
        let output = std::process::Command::new(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/release-package"),
        )
        .arg(target)
        .arg(&binary)
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
        assert!(output.status.success(), "{output:?}");
        let packed = String::from_utf8(output.stdout).unwrap();
        let packed = Path::new(packed.trim())
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(
            url,
            format!("{repo}/releases/download/{}/{packed}", tag()),
            "{target}"
        );
    }
}
