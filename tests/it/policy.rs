//! Policy files: validation errors with line and column for each kind of mistake, directory
//! merging, the contract that every file in `rules/` validates and passes its own tests, and
//! `depgate policy test|lint` through the binary.

use std::path::{Path, PathBuf};

use depgate::policy::{Level, PolicyError, PolicySource, Problem, ValidPolicy, validate};
use depgate::vocabulary::RULES;

use crate::common::depgate;

fn validate_one(text: &str) -> Result<ValidPolicy, PolicyError> {
    validate(
        &[(PathBuf::from("p.toml"), text.to_string())],
        PolicySource::Files {
            files: vec![PathBuf::from("p.toml")],
        },
    )
}

fn problems(text: &str) -> Vec<Problem> {
    match validate_one(text) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(PolicyError::Invalid { problems }) => problems,
        Err(other) => panic!("{other}"),
    }
}

/// Asserts a problem at `line`:`column` whose message contains `needle`.
fn has(problems: &[Problem], line: u32, column: u32, needle: &str) {
    assert!(
        problems
            .iter()
            .any(|p| p.line == line && p.column == column && p.message.contains(needle)),
        "no problem at {line}:{column} containing `{needle}` in:\n{}",
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_kind_of_mistake_is_reported_at_once_with_line_and_column() {
    let text = r#"[policy]
owner = "me"

[licenses]
allow = ["mit", "Apache-2.0", "MIT OR ISC"]
deny = ["GPL-2.0"]
allow-categories = ["permisive"]
unknown = "dney"
min-confidence = 1.5
bogus = 1

[[licenses.exceptions]]
name = "ring"
allow = []

[[licenses.clarify]]
name = "x"
expression = "MIT ORR Apache-2.0"
files = [{ path = "../LICENSE", sha256 = "abc" }]

[bans]
duplicates = 3
duplicate-skip = ["syn@>>1"]

[[bans.deny]]
name = "openssl"
version = ">=x"
reason = "no"

[[bans.deny]]
name = "foo"

[[bans.minimum]]
name = "h2"
version = "0.3"
reason = "old"

[sources]
allow-git = ["https://"]

[waivers]
expiring-days = -1

[[waivers.waive]]
package = "foo"
reason = "r"
expires = "2026-13-01"

[[waivers.waive]]
code = "no-such-code"
rule = "no.such.rule"
reason = "r"
owner = "o"
expires = 2026-01-01

[[waivers.waive]]
reason = "r"
owner = "o"
expires = 2026-01-01

[[waivers.waive]]
package = "pkg:"
version = "1"
reason = "r"
owner = "o"
expires = 2026-01-01

[advisories]
unknown-severity = "huge"
max-db-age = "a week"
databases = ["nvd"]

[nonsense]
a = 1
"#;
    let found = problems(text);
    has(&found, 5, 10, "did you mean `MIT`");
    has(&found, 5, 31, "list each license separately");
    has(&found, 6, 9, "deprecated");
    has(&found, 7, 21, "unknown license category `permisive`");
    has(&found, 8, 11, "unknown level `dney`");
    has(&found, 9, 18, "between 0.0 and 1.0");
    has(&found, 10, 1, "unknown field `bogus`");
    has(&found, 13, 8, "must `allow` at least one license");
    has(&found, 18, 14, "not a valid SPDX expression");
    has(&found, 19, 19, "relative to the package's directory");
    has(&found, 19, 42, "64 hexadecimal digits");
    has(&found, 22, 14, "invalid type");
    has(&found, 23, 19, "invalid version range");
    has(&found, 27, 11, "invalid version range `>=x`");
    has(&found, 30, 1, "missing field `reason`");
    has(&found, 35, 11, "is not a version");
    has(&found, 39, 14, "is not a git host");
    has(&found, 42, 17, "between 0 and 3650");
    has(&found, 44, 1, "a waiver needs `owner`");
    has(&found, 47, 11, "`expires` must be a date");
    has(&found, 50, 8, "unknown finding code `no-such-code`");
    has(
        &found,
        56,
        1,
        "at least one of `rule`, `code`, `package` or `advisory`",
    );
    has(&found, 62, 11, "not a valid purl");
    has(&found, 63, 11, "`version` needs `package`");
    has(&found, 69, 20, "`unknown-severity` must be");
    has(&found, 70, 14, "`max-db-age` must be a number of days");
    has(&found, 71, 14, "unknown advisory database kind `nvd`");
    has(&found, 73, 2, "unknown section `nonsense`");
    assert_eq!(found.len(), 28, "one problem per mistake");
}

#[test]
fn toml_syntax_errors_have_a_position() {
    let found = problems("[policy]\nowner = \"me\"\n[licenses]\nallow = [\"MIT\"\n");
    assert!(found.iter().all(|p| p.message.starts_with("TOML syntax")));
    assert!(found.iter().any(|p| p.line >= 4), "{found:?}");
}

#[test]
fn a_waiver_must_name_a_rule_that_exists() {
    let found = problems(
        "[policy]\nowner = \"me\"\n\n[[waivers.waive]]\nrule = \"licenses.nope\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-01-01\n",
    );
    has(&found, 4, 1, "names unknown rule `licenses.nope`");
}

#[test]
fn a_policy_without_an_owner_is_rejected() {
    let found = problems("[licenses]\nallow = [\"MIT\"]\n");
    has(&found, 1, 1, "every rule needs an owner");
}

#[test]
fn duplicate_ids_are_rejected() {
    let found = problems(
        "[policy]\nowner = \"me\"\n[[bans.deny]]\nid = \"x\"\nname = \"a\"\nreason = \"r\"\n[[bans.deny]]\nid = \"x\"\nname = \"b\"\nreason = \"r\"\n[[waivers.waive]]\nid = \"w\"\ncode = \"git-source\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-01-01\n[[waivers.waive]]\nid = \"w\"\ncode = \"path-source\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-01-01\n",
    );
    has(&found, 7, 1, "rule id `x` is already used");
    has(&found, 17, 1, "waiver id `w` is already used");
}

#[test]
fn a_directory_is_merged_and_conflicting_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.toml"),
        "[policy]\nowner = \"me\"\n[licenses]\nallow = [\"MIT\"]\nunknown = \"warn\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("b.toml"), "[licenses]\nallow = [\"ISC\"]\n").unwrap();
    std::fs::write(dir.path().join("a.tests.toml"), "not = [valid").unwrap();
    let policy = depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap();
    let allowed: Vec<_> = policy
        .licenses
        .allow
        .iter()
        .map(|e| e.license.as_str())
        .collect();
    assert_eq!(allowed, vec!["MIT", "ISC"]);
    assert_eq!(policy.licenses.unknown.level, depgate::policy::Level::Warn);

    std::fs::write(
        dir.path().join("c.toml"),
        "\n[licenses]\nunknown = \"deny\"\n",
    )
    .unwrap();
    let error = depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap_err();
    let text = error.to_string();
    assert!(text.contains("c.toml` line 3, column 11"), "{text}");
    assert!(
        text.contains("`licenses.unknown` is already set at"),
        "{text}"
    );
    assert!(text.contains("a.toml` line 5"), "{text}");
}

/// A directory of alternative policies (each names itself) is one plain problem, not a
/// conflict per shared setting; a policy split over files (one names it) still merges.
#[test]
fn a_directory_of_several_named_policies_is_one_clear_problem() {
    let dir = tempfile::tempdir().unwrap();
    let policy = |name: &str| {
        format!(
            "[policy]\nname = \"{name}\"\nowner = \"me\"\n[licenses]\nallow = [\"MIT\"]\nunknown = \"warn\"\n"
        )
    };
    std::fs::write(dir.path().join("strict.toml"), policy("strict")).unwrap();
    std::fs::write(dir.path().join("lenient.toml"), policy("lenient")).unwrap();
    let error = depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap_err();
    let text = error.to_string();
    assert!(text.starts_with("invalid policy (1 problem)"), "{text}");
    assert!(text.contains("lenient.toml`, `"), "{text}");
    assert!(text.contains("strict.toml` each name a policy"), "{text}");
    assert!(text.contains("--policy FILE"), "{text}");
    assert!(!text.contains("already set"), "{text}");

    std::fs::write(
        dir.path().join("lenient.toml"),
        "[bans]\nduplicates = \"warn\"\n",
    )
    .unwrap();
    depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap();
}

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

#[test]
fn every_rules_file_validates_and_has_tests() {
    let mut count = 0;
    for entry in std::fs::read_dir(rules_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".toml") || name.ends_with(".tests.toml") {
            continue;
        }
        count += 1;
        if let Err(error) = depgate::policy::load(Some(&path), Path::new(".")) {
            panic!("{name}: {error}");
        }
        let tests = path.with_file_name(name.replace(".toml", ".tests.toml"));
        assert!(tests.is_file(), "{name} has no test cases beside it");
    }
    assert!(count >= 3);
    // The built-in default is rules/default.toml.
    let builtin = depgate::policy::builtin().unwrap();
    let file =
        depgate::policy::load(Some(&rules_dir().join("default.toml")), Path::new(".")).unwrap();
    assert_eq!(builtin.digest(), file.digest());
}

#[test]
fn every_rules_file_passes_its_own_tests() {
    let out = depgate()
        .args(["policy", "test"])
        .arg(rules_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("policy test result: ok"), "{stdout}");
    assert!(stdout.contains("default.tests.toml"));
    assert!(stdout.contains("self.tests.toml"));
    assert!(stdout.contains("permissive-only.tests.toml"));
}

#[test]
fn policy_test_fails_on_a_wrong_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let policy = rules_dir().join("default.toml");
    std::fs::write(
        dir.path().join("wrong.tests.toml"),
        format!(
            "policy = {:?}\ntoday = \"2026-06-01\"\n\n[[case]]\nname = \"right\"\n[[case.package]]\nname = \"gpl\"\nversion = \"1.0.0\"\nlicense = \"GPL-3.0-only\"\n[[case.expect]]\ncode = \"license-denied\"\npackage = \"gpl\"\n\n[[case]]\nname = \"deliberately wrong\"\n[[case.package]]\nname = \"gpl\"\nversion = \"1.0.0\"\nlicense = \"GPL-3.0-only\"\n[[case.expect]]\ncode = \"license-not-allowed\"\npackage = \"gpl\"\n",
            policy.display().to_string()
        ),
    )
    .unwrap();
    let out = depgate()
        .args(["policy", "test"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("test right ... ok"), "{stdout}");
    assert!(
        stdout.contains("test deliberately wrong ... FAILED"),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected but not found: license-not-allowed gpl"),
        "{stdout}"
    );
    assert!(
        stdout.contains("found but not expected: error license-denied"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
}

#[test]
fn policy_test_rejects_a_malformed_test_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.tests.toml"), "[[case]]\nname = 3\n").unwrap();
    let out = depgate()
        .args(["policy", "test"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("x.tests.toml` line 2, column 8"),
        "{stderr}"
    );
}

#[test]
fn policy_lint_validates_and_reports_problems_with_exit_2() {
    let out = depgate()
        .args(["policy", "lint", "--policy"])
        .arg(rules_dir().join("self.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("policy `self`"));

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("depgate.toml");
    std::fs::write(
        &bad,
        "[policy]\nowner = \"me\"\n[licenses]\nallow = [\"MTI\"]\n",
    )
    .unwrap();
    let out = depgate()
        .args(["policy", "lint", "--policy"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("depgate.toml` line 4, column 10"),
        "{stderr}"
    );
}

#[test]
fn the_policy_reference_documents_every_finding_code_and_rule_id() {
    let reference =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/policy.md"))
            .unwrap();
    // Each code has its own row in the finding-codes table, not just a mention somewhere.
    for code in depgate::evaluate::FindingCode::ALL {
        assert!(
            reference.contains(&format!("\n| `{code}` |")),
            "docs/policy.md lacks a finding-codes table row for `{code}`"
        );
    }
    let policy = depgate::policy::builtin().unwrap();
    for id in policy.rule_ids() {
        assert!(
            reference.contains(&format!("`{id}`")),
            "docs/policy.md lacks rule id `{id}`"
        );
    }
}

/// Every level key of the rule table is read in its section and sets that rule and no other:
/// a rule id wired to the wrong model field, or a key the reader does not take, fails here.
#[test]
fn every_rule_key_of_the_table_sets_its_own_rule() {
    let mut checked = 0;
    for spec in RULES {
        let Some(key) = spec.key else { continue };
        let level = if spec.default_level == Level::Deny {
            Level::Allow
        } else {
            Level::Deny
        };
        let text = format!(
            "[policy]\nowner = \"me\"\n[{}]\n{key} = \"{level}\"\n",
            spec.section
        );
        let policy = validate_one(&text).unwrap_or_else(|error| panic!("{text}\n{error}"));
        for rule in policy.rules() {
            let default = RULES
                .iter()
                .find(|other| other.id == rule.id)
                .map(|other| other.default_level);
            let expected = if rule.id == spec.id {
                Some(level)
            } else {
                default
            };
            assert_eq!(Some(rule.level), expected, "`{}` after:\n{text}", rule.id);
        }
        assert!(
            policy.rule_ids().iter().any(|id| id == spec.id),
            "`{}` is not a rule of the validated policy",
            spec.id
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} rule keys in the table");
}

/// A misspelt level is an error at the value, never a fallback to a default; a rule key in
/// another section is an unknown key there.
#[test]
fn a_level_typo_is_an_error_never_a_default() {
    for spec in RULES {
        let Some(key) = spec.key else { continue };
        let text = format!(
            "[policy]\nowner = \"me\"\n[{}]\n{key} = \"wran\"\n",
            spec.section
        );
        let found = problems(&text);
        let column = u32::try_from(key.len()).unwrap() + 4;
        has(&found, 4, column, "unknown level `wran`");
        assert_eq!(found.len(), 1, "{found:?}");
    }
    let found = problems("[policy]\nowner = \"me\"\n[bans]\ngit = \"warn\"\n");
    has(&found, 4, 1, "in [bans]: unknown field `git`");
}

/// The message for an unknown key names every key its section accepts: the section's own,
/// its rule levels from the rule table, and its arrays of tables.
#[test]
fn an_unknown_key_names_every_key_its_section_accepts() {
    let found = problems("[policy]\nowner = \"me\"\n[licenses]\nalow = [\"MIT\"]\n");
    has(
        &found,
        4,
        1,
        "in [licenses]: unknown field `alow`, expected one of",
    );
    let message = &found[0].message;
    let keys = [
        "owner",
        "rationale",
        "allow",
        "min-confidence",
        "exceptions",
        "clarify",
    ];
    let levels = RULES
        .iter()
        .filter(|spec| spec.section.as_str() == "licenses")
        .filter_map(|spec| spec.key);
    for key in keys.into_iter().chain(levels) {
        assert!(
            message.contains(&format!("`{key}`")),
            "`{key}` in {message}"
        );
    }
    assert!(!message.contains("`git`"), "{message}");
}

/// Every section's parts, one section to a file: settings, levels and lists each written once.
const SECTIONS: &[(&str, &str)] = &[
    (
        "a-policy.toml",
        "[policy]\nname = \"split\"\ndescription = \"d\"\nowner = \"org\"\nrationale = \"why\"\n",
    ),
    (
        "b-licenses.toml",
        "[licenses]\nowner = \"legal\"\nallow = [\"MIT\"]\ndeny = [\"GPL-3.0-only\"]\nallow-categories = [\"permissive\"]\ndeny-categories = [\"proprietary\"]\nunknown = \"warn\"\nmin-confidence = 0.5\nregistry-lookups = true\n[[licenses.exceptions]]\nname = \"ring\"\nallow = [\"ISC\"]\n[[licenses.clarify]]\nname = \"x\"\nexpression = \"MIT\"\n",
    ),
    (
        "c-bans.toml",
        "[bans]\nrationale = \"bans\"\nduplicates = \"deny\"\nduplicate-skip = [\"syn@1\"]\n[[bans.deny]]\nname = \"openssl\"\nreason = \"r\"\nlevel = \"warn\"\n[[bans.minimum]]\nname = \"h2\"\nversion = \"0.3.26\"\nreason = \"r\"\n",
    ),
    (
        "d-sources.toml",
        "[sources]\nallow-registries = [\"default\"]\nallow-git = [\"github.com/acme\"]\ngit = \"deny\"\n",
    ),
    (
        "e-advisories.toml",
        "[advisories]\nowner = \"sec\"\nunsound = \"deny\"\nseverity-threshold = 4.0\nunknown-severity = \"medium\"\nmax-db-age = 3\ndatabases = [\"osv\"]\n",
    ),
    (
        "f-waivers.toml",
        "[waivers]\nexpiring-days = 30\nunused = \"allow\"\n[[waivers.waive]]\nrule = \"bans.deny.openssl\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2030-01-01\n",
    ),
];

/// A policy split over a directory is the same policy as the one file: nothing a section sets
/// is lost or changed by merging (the digest covers every value and default).
#[test]
fn a_policy_split_over_files_is_the_same_policy_as_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = String::new();
    for (name, text) in SECTIONS {
        std::fs::write(dir.path().join(name), text).unwrap();
        whole.push_str(text);
    }
    let split = depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap();
    let one = validate_one(&whole).unwrap();
    assert_eq!(split.digest(), one.digest());
    assert_eq!(split.licenses.min_confidence, 0.5);
    assert!(split.licenses.registry_lookups);
    assert_eq!(split.licenses.unknown.owner, "legal");
    assert_eq!(split.bans.duplicates.rationale, "bans");
    assert_eq!(split.bans.deny[0].rule.level, Level::Warn);
    assert_eq!(split.advisories.max_db_age_days, Some(3));
    assert_eq!(split.advisories.databases, vec!["osv".to_string()]);
    assert_eq!(split.waivers.expiring_days, 30);
    assert_eq!(split.waivers.unused.level, Level::Allow);
}

/// Every setting written in two files of a directory is one problem at the second place,
/// naming the first; lists and entries concatenate without a problem.
#[test]
fn every_setting_written_twice_in_a_directory_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = String::new();
    for (_, text) in SECTIONS {
        first.push_str(text);
    }
    std::fs::write(dir.path().join("a.toml"), &first).unwrap();
    // The second file repeats everything but the policy's name (two names are a different
    // problem: alternative policies in one directory).
    let second = first.replacen("name = \"split\"\n", "", 1);
    std::fs::write(dir.path().join("b.toml"), &second).unwrap();
    let error = depgate::policy::load(Some(dir.path()), Path::new(".")).unwrap_err();
    let PolicyError::Invalid { problems } = error else {
        panic!("{error}");
    };
    let settings = [
        "policy.description",
        "policy.owner",
        "policy.rationale",
        "licenses.owner",
        "licenses.unknown",
        "licenses.min-confidence",
        "licenses.registry-lookups",
        "bans.rationale",
        "bans.duplicates",
        "sources.git",
        "advisories.owner",
        "advisories.unsound",
        "advisories.severity-threshold",
        "advisories.unknown-severity",
        "advisories.max-db-age",
        "advisories.databases",
        "waivers.expiring-days",
        "waivers.unused",
    ];
    for setting in settings {
        let problem = problems
            .iter()
            .find(|p| {
                p.message
                    .starts_with(&format!("`{setting}` is already set at"))
            })
            .unwrap_or_else(|| panic!("no conflict for `{setting}` in {problems:#?}"));
        assert!(problem.file.ends_with("b.toml"), "{problem}");
        assert!(problem.message.contains("a.toml` line "), "{problem}");
        // Both places are the same line of the same text, one line apart for the name.
        let first_line: u32 = problem
            .message
            .split("a.toml` line ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|line| line.parse().ok())
            .unwrap();
        assert_eq!(problem.line + 1, first_line, "{problem}");
    }
    // Entries concatenate; the repeated bans are rules whose default ids are now taken (the
    // repeated waiver gets the next default id, `waiver-2`).
    for id in ["bans.deny.openssl", "bans.minimum.h2"] {
        assert!(
            problems.iter().any(|p| p
                .message
                .starts_with(&format!("rule id `{id}` is already used"))),
            "{problems:#?}"
        );
    }
    assert_eq!(problems.len(), settings.len() + 2, "{problems:#?}");
}
