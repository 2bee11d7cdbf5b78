//! The composite action's steps, run by a small harness: it reads `action.yml`, evaluates the
//! `${{ }}` expressions and `if:` conditions the action uses (inputs, github, steps outputs),
//! and runs each `run:` step with bash in a temporary git repository with GitHub-like
//! environment variables (`GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`,
//! `GITHUB_EVENT_PATH`, `GITHUB_ACTION_PATH`, `RUNNER_TEMP`). The build-from-source step is
//! replaced by putting the built test binary where it would be installed; `uses:` steps (the
//! caches) are recorded with their inputs and report a cache miss. The `github` context points at no server by default (a closed
//! port on 127.0.0.1), so nothing reaches the internet; the release download is tested in
//! `action_release.rs` against a loopback server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml_ng::Value;

/// The parsed `action.yml`.
pub(crate) fn action() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// One step's result.
#[derive(Debug)]
pub(crate) struct StepRun {
    pub(crate) name: String,
    pub(crate) status: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// The run of the step named `name`, when it ran.
pub(crate) fn step<'a>(runs: &'a [StepRun], name: &str) -> Option<&'a StepRun> {
    runs.iter().find(|run| run.name == name)
}

/// A simulated job: the runner's files and contexts.
pub(crate) struct Runner {
    workspace: PathBuf,
    temp: tempfile::TempDir,
    /// The action's inputs: defaults, then `with:`.
    pub(crate) inputs: BTreeMap<String, String>,
    /// The `github` context (`action_ref`, `action_repository`, `server_url`, `api_url`, ...).
    pub(crate) github: BTreeMap<String, String>,
    /// Each step's outputs, by step id.
    pub(crate) steps: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) env: BTreeMap<String, String>,
    /// Directories put before the system `PATH` (from `GITHUB_PATH`, or by a test).
    pub(crate) path: Vec<PathBuf>,
    /// Each cache step that ran (its name) with its `with:` evaluated.
    pub(crate) caches: Vec<(String, BTreeMap<String, String>)>,
    summary: PathBuf,
    event: PathBuf,
}

impl Runner {
    pub(crate) fn new(
        workspace: &Path,
        event_name: &str,
        event: &str,
        with: &[(&str, &str)],
    ) -> Runner {
        let temp = tempfile::tempdir().unwrap();
        let runner_temp = temp.path().join("_temp");
        std::fs::create_dir_all(&runner_temp).unwrap();
        let summary = runner_temp.join("step_summary.md");
        std::fs::write(&summary, "").unwrap();
        let event_path = runner_temp.join("event.json");
        std::fs::write(&event_path, event).unwrap();
        // Inputs: the action's defaults, then `with:`.
        let mut inputs = BTreeMap::new();
        for (name, spec) in action()["inputs"].as_mapping().unwrap() {
            let default = spec.get("default").map(text).unwrap_or_default();
            inputs.insert(text(name), default);
        }
        for (name, value) in with {
            assert!(inputs.contains_key(*name), "unknown input `{name}`");
            inputs.insert(name.to_string(), value.to_string());
        }
        let base_ref = serde_json::from_str::<serde_json::Value>(event).unwrap()
            ["pull_request"]["base"]["ref"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // No server listens on port 9 of 127.0.0.1: a step that went to the network
        // unexpectedly fails fast instead of reaching the internet.
        let nowhere = "http://127.0.0.1:9".to_string();
        let github = BTreeMap::from([
            ("token".to_string(), "test-token".to_string()),
            // A local action (`uses: ./`): no repository, no ref.
            ("action_ref".to_string(), String::new()),
            ("action_repository".to_string(), String::new()),
            ("server_url".to_string(), nowhere.clone()),
            ("api_url".to_string(), nowhere),
            ("event_name".to_string(), event_name.to_string()),
            ("base_ref".to_string(), base_ref.clone()),
        ]);
        let env = BTreeMap::from([
            ("GITHUB_ACTIONS".to_string(), "true".to_string()),
            ("CI".to_string(), "true".to_string()),
            (
                "GITHUB_WORKSPACE".to_string(),
                workspace.display().to_string(),
            ),
            ("GITHUB_EVENT_NAME".to_string(), event_name.to_string()),
            (
                "GITHUB_EVENT_PATH".to_string(),
                event_path.display().to_string(),
            ),
            ("GITHUB_BASE_REF".to_string(), base_ref),
            ("GITHUB_REPOSITORY".to_string(), "acme/app".to_string()),
            (
                "GITHUB_STEP_SUMMARY".to_string(),
                summary.display().to_string(),
            ),
            (
                "GITHUB_ACTION_PATH".to_string(),
                env!("CARGO_MANIFEST_DIR").to_string(),
            ),
            ("RUNNER_TEMP".to_string(), runner_temp.display().to_string()),
            ("RUNNER_OS".to_string(), "Linux".to_string()),
            ("RUNNER_ARCH".to_string(), "X64".to_string()),
            ("NO_COLOR".to_string(), "1".to_string()),
            // depgate's cache in the test's own directory, and the advisory databases
            // fetched from nowhere unless a test serves them: `db update` then fails fast
            // and the action goes on without them, as on a runner without network.
            (
                "DEPGATE_CACHE".to_string(),
                runner_temp.join("depgate-cache").display().to_string(),
            ),
            (
                "DEPGATE_RUSTSEC_URL".to_string(),
                "http://127.0.0.1:9/rustsec.tar.gz".to_string(),
            ),
            (
                "DEPGATE_OSV_URL".to_string(),
                "http://127.0.0.1:9/osv".to_string(),
            ),
        ]);
        Runner {
            workspace: workspace.to_path_buf(),
            temp,
            inputs,
            github,
            steps: BTreeMap::new(),
            env,
            path: Vec::new(),
            caches: Vec::new(),
            summary,
            event: event_path,
        }
    }

    /// Evaluates the `${{ ... }}` expressions the action uses; anything else fails the test,
    /// so a new kind of expression cannot slip past the harness.
    fn expand(&self, template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("unclosed expression") + start;
            let expression = rest[start + 3..end].trim();
            let parts: Vec<&str> = expression.split('.').collect();
            let value = match parts.as_slice() {
                // Input defaults may hold expressions (`${{ github.token }}`).
                ["inputs", name] => self.inputs.get(*name).map(|value| self.expand(value)),
                ["github", name] => self.github.get(*name).cloned(),
                ["runner", "temp"] => self.env.get("RUNNER_TEMP").cloned(),
                ["steps", id, "outputs", name] => Some(
                    self.steps
                        .get(*id)
                        .and_then(|outputs| outputs.get(*name))
                        .cloned()
                        .unwrap_or_default(),
                ),
                _ => None,
            };
            out.push_str(
                &value.unwrap_or_else(|| panic!("harness cannot evaluate `{expression}`")),
            );
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// Parses a `GITHUB_OUTPUT`/`GITHUB_ENV` file: `key=value` and `key<<DELIMITER` blocks.
    fn parse_file_commands(path: &Path) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut values = BTreeMap::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some((key, delimiter)) = line.split_once("<<") {
                let mut value = Vec::new();
                for next in lines.by_ref() {
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                values.insert(key.to_string(), value.join("\n"));
            } else if let Some((key, value)) = line.split_once('=') {
                values.insert(key.to_string(), value.to_string());
            }
        }
        values
    }

    /// Evaluates an `if:` condition of the forms the action uses: comparisons of an
    /// expression with a quoted string (`==`, `!=`) joined by `&&`. Anything else fails the
    /// test, so a new kind of condition cannot slip past the harness.
    fn condition(&self, condition: &str) -> bool {
        condition.split("&&").all(|clause| {
            let (left, right, equal) = if let Some((left, right)) = clause.split_once("!=") {
                (left, right, false)
            } else if let Some((left, right)) = clause.split_once("==") {
                (left, right, true)
            } else {
                panic!("harness cannot evaluate the condition `{condition}`")
            };
            let value = self.expand(&format!("${{{{ {} }}}}", left.trim()));
            let expected = right
                .trim()
                .strip_prefix('\'')
                .and_then(|rest| rest.strip_suffix('\''))
                .unwrap_or_else(|| panic!("harness cannot evaluate the condition `{condition}`"));
            (value == expected) == equal
        })
    }

    /// Runs every step in order, stopping after the first failure (as a runner does); a step
    /// whose `if:` is false is skipped and not listed.
    pub(crate) fn run(&mut self) -> Vec<StepRun> {
        let action = action();
        let steps = action["runs"]["steps"].as_sequence().unwrap().clone();
        let mut runs = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            let name = step.get("name").map(text).unwrap_or_default();
            let id = step
                .get("id")
                .map(text)
                .unwrap_or_else(|| format!("__{index}"));
            let mut env = self.env.clone();
            if let Some(step_env) = step.get("env").and_then(Value::as_mapping) {
                for (key, value) in step_env {
                    env.insert(text(key), self.expand(&text(value)));
                }
            }
            if let Some(condition) = step.get("if")
                && !self.condition(&text(condition))
            {
                continue;
            }
            if step.get("uses").is_some() {
                // The only `uses:` steps are caches: record what they were given and report
                // a miss.
                let with = step
                    .get("with")
                    .and_then(Value::as_mapping)
                    .into_iter()
                    .flatten()
                    .map(|(key, value)| (text(key), self.expand(&text(value))))
                    .collect();
                self.caches.push((name, with));
                self.steps
                    .insert(id, BTreeMap::from([("cache-hit".into(), "false".into())]));
                continue;
            }
            if id == "install" {
                // Instead of `cargo install`, put the binary under test where it would land.
                let root = PathBuf::from(&env["DEPGATE_ROOT"]);
                std::fs::create_dir_all(root.join("bin")).unwrap();
                std::fs::copy(env!("CARGO_BIN_EXE_depgate"), root.join("bin/depgate")).unwrap();
                runs.push(StepRun {
                    name,
                    status: 0,
                    stdout: "harness: built from source (the test binary)".to_string(),
                    stderr: String::new(),
                });
                continue;
            }
            let script = text(&step["run"]);
            let output_file = self.temp.path().join(format!("output_{index}"));
            let env_file = self.temp.path().join(format!("env_{index}"));
            let path_file = self.temp.path().join(format!("path_{index}"));
            for file in [&output_file, &env_file, &path_file] {
                std::fs::write(file, "").unwrap();
            }
            let system_path = std::env::var("PATH").unwrap_or_default();
            let mut path = self
                .path
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>();
            path.push(system_path);
            let script_file = self.temp.path().join(format!("step_{index}.sh"));
            std::fs::write(&script_file, &script).unwrap();
            let output = Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(&self.workspace)
                .env_clear()
                .envs(&env)
                .env("HOME", std::env::var("HOME").unwrap_or_default())
                .env("PATH", path.join(":"))
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_ENV", &env_file)
                .env("GITHUB_PATH", &path_file)
                .output()
                .unwrap();
            self.steps
                .insert(id, Runner::parse_file_commands(&output_file));
            self.env.extend(Runner::parse_file_commands(&env_file));
            // `GITHUB_PATH` entries are prepended for later steps, last written first.
            let added = std::fs::read_to_string(&path_file).unwrap();
            for line in added.lines().filter(|l| !l.is_empty()) {
                self.path.insert(0, PathBuf::from(line));
            }
            let run = StepRun {
                name,
                status: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            };
            let failed = run.status != 0;
            runs.push(run);
            if failed {
                break;
            }
        }
        runs
    }

    /// `db update` fetches RustSec (`/rustsec.tar.gz`) and the OSV exports (`/osv/...`) from
    /// the test server at `base`.
    pub(crate) fn serve_databases_from(&mut self, base: &str) {
        self.env.insert(
            "DEPGATE_RUSTSEC_URL".to_string(),
            format!("{base}/rustsec.tar.gz"),
        );
        self.env
            .insert("DEPGATE_OSV_URL".to_string(), format!("{base}/osv"));
    }

    /// The JSON report the check step wrote.
    pub(crate) fn findings_json(&self) -> serde_json::Value {
        let path = self.temp.path().join("_temp/depgate-report/findings.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The action's declared outputs, evaluated.
    pub(crate) fn outputs(&self) -> BTreeMap<String, String> {
        action()["outputs"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(name, spec)| (text(name), self.expand(&text(&spec["value"]))))
            .collect()
    }
}

pub(crate) fn git(repository: &Path, args: &[&str]) {
    let output = Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

const LOCKFILE: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "itoa",
]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
"#;

/// A workspace cloned from a bare `origin` whose `main` has the lockfile, on a pull request
/// branch that changes only the README: the base and head dependency states are identical.
pub(crate) fn pull_request_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    git(&seed, &["init", "-q", "-b", "main"]);
    std::fs::write(
        seed.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nitoa = \"1\"\n",
    )
    .unwrap();
    std::fs::write(seed.join("Cargo.lock"), LOCKFILE).unwrap();
    std::fs::write(seed.join("README.md"), "app\n").unwrap();
    git(&seed, &["add", "-A"]);
    git(&seed, &["commit", "-q", "-m", "base"]);
    let origin = dir.path().join("origin.git");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            seed.to_str().unwrap(),
            origin.to_str().unwrap(),
        ],
    );
    let workspace = dir.path().join("workspace");
    // Like actions/checkout: a shallow clone of the head only, with no origin/main ref.
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth=1",
            &format!("file://{}", origin.display()),
            workspace.to_str().unwrap(),
        ],
    );
    git(&workspace, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(workspace.join("README.md"), "app, now documented\n").unwrap();
    git(&workspace, &["commit", "-q", "-am", "docs"]);
    git(
        &workspace,
        &["update-ref", "-d", "refs/remotes/origin/main"],
    );
    (dir, workspace)
}

pub(crate) const PR_EVENT: &str = r#"{"action":"opened","number":7,"pull_request":{"number":7,"base":{"ref":"main"},"head":{"ref":"feature"}}}"#;

#[test]
fn action_comments_once_on_the_pull_request_then_updates_it() {
    let server = crate::comment::FakeGitHub::start(None);
    let (_dir, workspace) = pull_request_workspace();
    for round in 1..=2 {
        let mut runner = Runner::new(
            &workspace,
            "pull_request",
            PR_EVENT,
            &[("comment", "true"), ("args", "--offline")],
        );
        runner
            .env
            .insert("GITHUB_API_URL".to_string(), server.base.clone());
        // Where the check step writes its Markdown report; a report is there in any case
        // (written by `depgate check` once it is in the build).
        let report = PathBuf::from(&runner.env["RUNNER_TEMP"]).join("depgate-report/report.md");
        std::fs::create_dir_all(report.parent().unwrap()).unwrap();
        std::fs::write(&report, format!("## depgate\n\nround {round}\n")).unwrap();
        let runs = runner.run();
        let comment = step(&runs, "Comment on the pull request").unwrap();
        assert_eq!(comment.status, 0, "{}\n{}", comment.stdout, comment.stderr);
    }
    let methods: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        methods,
        [
            "POST /repos/acme/app/issues/7/comments",
            "PATCH /repos/acme/app/issues/comments/103"
        ]
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.authorization.as_deref() == Some("Bearer test-token"))
    );
    let comments = server.comments.lock().unwrap();
    assert_eq!(comments.len(), 4);
    assert!(comments[3].1.starts_with("<!-- depgate -->\n"));
}

#[test]
fn action_pins_every_third_party_action_by_commit_and_keeps_inputs_out_of_scripts() {
    let action = action();
    assert_eq!(text(&action["runs"]["using"]), "composite");
    for name in [
        "path",
        "policy",
        "fail-on",
        "baseline",
        "sarif-file",
        "sbom",
        "comment",
    ] {
        assert!(action["inputs"].get(name).is_some(), "input `{name}`");
    }
    for name in ["findings", "sarif-file", "sbom-file"] {
        assert!(action["outputs"].get(name).is_some(), "output `{name}`");
    }
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        if let Some(uses) = step.get("uses") {
            let uses = text(uses);
            let (_, reference) = uses.split_once('@').unwrap();
            assert!(
                reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
                "`{uses}` is not pinned by a full commit SHA"
            );
        } else {
            assert_eq!(text(&step["shell"]), "bash");
            assert!(
                !text(&step["run"]).contains("${{"),
                "step `{}` interpolates an expression into its script",
                text(&step["name"])
            );
        }
    }
}

#[test]
fn action_installs_fetches_the_base_and_records_outputs() {
    let (_dir, workspace) = pull_request_workspace();
    let mut runner = Runner::new(
        &workspace,
        "pull_request",
        PR_EVENT,
        &[("args", "--offline")],
    );
    let runs = runner.run();
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"Run depgate check"), "{runs:#?}");
    // The version step keys the cache on the crate version and the local sources.
    let version = &runner.steps["version"];
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    assert!(version["key"].starts_with(&format!(
        "depgate-Linux-X64-{}-local-",
        env!("CARGO_PKG_VERSION")
    )));
    // A local action matches no release: depgate was built from source, found by its path
    // (the action writes nothing to `GITHUB_PATH`) and reports the version of the sources.
    let release = step(&runs, "Download the released depgate").unwrap();
    assert_eq!(
        runner.steps["release"]["installed"], "false",
        "{release:#?}"
    );
    assert!(release.stdout.contains("local path"), "{release:#?}");
    assert!(names.contains(&"Build depgate from source"), "{names:?}");
    let binary = step(&runs, "Check the depgate binary").unwrap();
    assert_eq!(binary.status, 0, "{binary:#?}");
    assert!(binary.stdout.contains(env!("CARGO_PKG_VERSION")));
    assert!(runner.path.is_empty(), "{:?}", runner.path);
    // The pull request's base was fetched for the baseline and passed to check.
    let check = step(&runs, "Run depgate check").unwrap();
    assert_eq!(
        check.status, 0,
        "the check step records, it never fails: {check:#?}"
    );
    assert!(
        check.stdout.contains("--baseline git:origin/main"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("--output sarif=depgate.sarif"));
    assert!(check.stdout.contains("--offline"));
    git(
        &workspace,
        &["rev-parse", "--verify", "-q", "refs/remotes/origin/main"],
    );
    let outputs = runner.outputs();
    assert_eq!(outputs["sarif-file"], "depgate.sarif");
    assert!(
        Path::new(&outputs["depgate-path"]).is_file(),
        "{}",
        outputs["depgate-path"]
    );
    let exit_code: i32 = outputs["exit-code"].parse().unwrap();
    // The last step ran, and gates with check's exit code.
    let last = runs.last().unwrap();
    assert_eq!(last.name, "Gate on the result");
    assert_eq!(last.status, exit_code, "{last:#?}");
}

#[test]
fn action_on_a_push_has_no_baseline_and_does_not_comment() {
    let (_dir, workspace) = pull_request_workspace();
    let mut runner = Runner::new(
        &workspace,
        "push",
        r#"{"ref":"refs/heads/feature"}"#,
        &[("comment", "true"), ("args", "--offline"), ("baseline", "")],
    );
    let runs = runner.run();
    let check = step(&runs, "Run depgate check").unwrap();
    assert!(!check.stdout.contains("--baseline"), "{}", check.stdout);
    if let Some(comment) = step(&runs, "Comment on the pull request") {
        assert_eq!(comment.status, 0);
        assert!(comment.stdout.contains("not a pull request event"));
    }
    assert!(runner.event.is_file());
}

#[test]
fn action_fetches_the_advisory_databases_for_what_it_checks() {
    const FETCH: &str = "Fetch the advisory databases";
    let (_dir, workspace) = pull_request_workspace();
    let on_push = |with: &[(&str, &str)]| {
        let mut with = with.to_vec();
        with.push(("baseline", "none"));
        Runner::new(&workspace, "push", r#"{"ref":"refs/heads/main"}"#, &with)
    };
    let tarball = crate::db::rustsec_tarball(1);
    let zip = crate::db::osv_zip();
    let server = crate::http_server::serve(Box::new(move |path, _, _| {
        let body = if path.ends_with(".tar.gz") {
            tarball.clone()
        } else {
            zip.clone()
        };
        crate::http_server::Reply::Full {
            status: 200,
            headers: vec![],
            body,
        }
    }));
    let mut runner = on_push(&[]);
    runner.serve_databases_from(&server.base);
    let runs = runner.run();
    let fetch = step(&runs, FETCH).unwrap();
    assert_eq!(fetch.status, 0, "{}\n{}", fetch.stdout, fetch.stderr);
    assert!(!fetch.stdout.contains("::warning"), "{}", fetch.stdout);
    let report = runner.findings_json();
    // RustSec and the crates.io export (the workspace is a Cargo one) were checked against.
    let databases = report["inputs"]["advisory_databases"].as_array().unwrap();
    assert_eq!(databases.len(), 2, "{databases:?}");
    let text = report.to_string();
    assert!(!text.contains("no advisory database"), "{text}");

    // Without network the action says so and goes on; the check fails closed.
    let runs = on_push(&[]).run();
    let fetch = step(&runs, FETCH).unwrap();
    assert_eq!(fetch.status, 0);
    assert!(
        fetch
            .stdout
            .contains("::warning title=depgate::cannot fetch"),
        "{}",
        fetch.stdout
    );
    // Nothing fetched when the check's arguments name the databases.
    let runs = on_push(&[("args", "--offline --advisory-db db/")]).run();
    let fetch = step(&runs, FETCH).unwrap();
    assert!(
        fetch.stdout.contains("nothing to fetch"),
        "{}",
        fetch.stdout
    );
    // Skipped when asked.
    let runs = on_push(&[("update-advisory-db", "false")]).run();
    assert!(step(&runs, FETCH).is_none());
}

#[test]
fn action_keeps_depgates_cache_a_day_and_then_asks_only_whether_the_databases_changed() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const RESTORE: &str = "Restore depgate's cache";
    let (_dir, workspace) = pull_request_workspace();
    let tarball = crate::db::rustsec_tarball(1);
    let zip = crate::db::osv_zip();
    // Each database with an ETag; a request that names it gets 304 Not Modified.
    let (full, unchanged) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (full_count, unchanged_count) = (full.clone(), unchanged.clone());
    let server = crate::http_server::serve(Box::new(move |path, request, _| {
        let (etag, body) = if path.ends_with(".tar.gz") {
            ("\"rustsec-1\"", tarball.clone())
        } else {
            ("\"osv-1\"", zip.clone())
        };
        let request = request.to_ascii_lowercase();
        if request.contains(&format!("if-none-match: {etag}")) {
            unchanged_count.fetch_add(1, Ordering::SeqCst);
            return crate::http_server::Reply::Full {
                status: 304,
                headers: vec![],
                body: vec![],
            };
        }
        full_count.fetch_add(1, Ordering::SeqCst);
        crate::http_server::Reply::Full {
            status: 200,
            headers: vec![("ETag".to_string(), etag.to_string())],
            body,
        }
    }));
    let job = |with: &[(&str, &str)], cache: Option<&str>| {
        let mut with = with.to_vec();
        with.push(("baseline", "none"));
        let mut runner = Runner::new(&workspace, "push", r#"{"ref":"refs/heads/main"}"#, &with);
        runner.serve_databases_from(&server.base);
        if let Some(cache) = cache {
            runner
                .env
                .insert("DEPGATE_CACHE".to_string(), cache.to_string());
        }
        runner
    };
    let checked_databases = |runner: &Runner| {
        runner.findings_json()["inputs"]["advisory_databases"]
            .as_array()
            .unwrap()
            .len()
    };

    // The first job of a day: the cache is depgate's own directory, under a key of the day,
    // restored from the newest older entry; both databases are downloaded.
    let mut first = job(&[], None);
    let runs = first.run();
    let (_, with) = first
        .caches
        .iter()
        .find(|(name, _)| name == RESTORE)
        .unwrap_or_else(|| panic!("no cache step: {runs:?}"));
    assert_eq!(with["path"], first.env["DEPGATE_CACHE"]);
    let prefix = "depgate-cache-Linux-X64-";
    assert_eq!(with["restore-keys"], prefix);
    let day = with["key"].strip_prefix(prefix).unwrap();
    assert!(
        day.len() == 10 && day.chars().filter(|c| *c == '-').count() == 2,
        "{with:?}"
    );
    assert_eq!(checked_databases(&first), 2);
    assert_eq!(
        (
            full.load(Ordering::SeqCst),
            unchanged.load(Ordering::SeqCst)
        ),
        (2, 0)
    );

    // A later job restores that cache: each database is only asked about, nothing is
    // downloaded again, and the check has both.
    let restored = with["path"].clone();
    let mut later = job(&[], Some(&restored));
    let runs = later.run();
    let fetch = step(&runs, "Fetch the advisory databases").unwrap();
    assert_eq!(fetch.status, 0, "{}\n{}", fetch.stdout, fetch.stderr);
    assert_eq!(checked_databases(&later), 2);
    assert_eq!(
        (
            full.load(Ordering::SeqCst),
            unchanged.load(Ordering::SeqCst)
        ),
        (2, 2)
    );

    // `cache: false`: no cache step at all.
    let mut uncached = job(&[("cache", "false")], None);
    let runs = uncached.run();
    assert!(uncached.caches.iter().all(|(name, _)| name != RESTORE));
    assert!(step(&runs, "Locate depgate's cache").is_none());
}

/// The full run needs `depgate check` (policy evaluation and Cargo.lock ingest, merged from
/// their own branches); until then this says SKIPPED.
fn check_available() -> bool {
    let output = Command::new(env!("CARGO_BIN_EXE_depgate"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    if !output.status.success() {
        eprintln!("SKIPPED: this build has no `depgate check`; the full action run needs it");
    }
    output.status.success()
}

#[test]
fn action_on_an_unchanged_pull_request_passes_and_writes_sarif_and_summary() {
    if !check_available() {
        return;
    }
    let (_dir, workspace) = pull_request_workspace();
    let mut runner = Runner::new(
        &workspace,
        "pull_request",
        PR_EVENT,
        &[("args", "--offline"), ("sbom", "sbom.cdx.json")],
    );
    let runs = runner.run();
    for run in &runs {
        assert_eq!(
            run.status, 0,
            "step `{}` failed: {}\n{}",
            run.name, run.stdout, run.stderr
        );
    }
    let outputs = runner.outputs();
    // The dependency state equals the base: whatever the base has is existing, nothing gates.
    assert_eq!(outputs["exit-code"], "0");
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.join(&outputs["sarif-file"])).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(outputs["findings"], results.len().to_string());
    for result in results {
        assert_eq!(result["properties"]["baseline"], "existing");
    }
    assert_eq!(outputs["sbom-file"], "sbom.cdx.json");
    assert!(workspace.join("sbom.cdx.json").is_file());
    let summary = std::fs::read_to_string(&runner.summary).unwrap();
    assert!(
        summary.to_ascii_lowercase().contains("depgate"),
        "job summary: {summary}"
    );
}
