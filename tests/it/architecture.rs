//! The module structure: data flows one way through the pipeline
//! (`ingest -> inventory <- enrich`, `policy -> evaluate`, `report` reads them all), with the
//! shared vocabulary at the bottom. Every `crate::X` path in `src/` is checked against the
//! edges below; a new import that runs against the flow fails here with the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the reports may read: every model, never `ingest`, `net`, `store`, `cli` or `app`.
const READERS: &[&str] = &[
    "inventory",
    "enrich",
    "evaluate",
    "policy",
    "attest",
    "monitor",
    "vocabulary",
    "util",
];

/// Which top-level modules each top-level module may use. `app` runs the stages and may use
/// everything; nothing but `app` uses `report` and `cli`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("vocabulary", &[]),
    ("util", &[]),
    ("inventory", &["vocabulary", "util"]),
    ("ingest", &["inventory", "vocabulary", "util"]),
    ("net", &["vocabulary", "util"]),
    ("enrich", &["inventory", "net", "vocabulary", "util"]),
    ("policy", &["inventory", "vocabulary", "util"]),
    (
        "evaluate",
        &["inventory", "enrich", "policy", "vocabulary", "util"],
    ),
    (
        "attest",
        &[
            "inventory",
            "enrich",
            "evaluate",
            "policy",
            "vocabulary",
            "util",
        ],
    ),
    // The store keeps releases, runs and findings; the monitoring loop computes what changed
    // and the dashboard's data from what the store returns.
    (
        "store",
        &["inventory", "evaluate", "policy", "vocabulary", "util"],
    ),
    (
        "monitor",
        &[
            "inventory",
            "evaluate",
            "policy",
            "store",
            "vocabulary",
            "util",
        ],
    ),
    ("report", READERS),
    ("cli", &[]),
    (
        "app",
        &[
            "cli",
            "ingest",
            "inventory",
            "net",
            "enrich",
            "policy",
            "evaluate",
            "attest",
            "monitor",
            "store",
            "report",
            "vocabulary",
            "util",
        ],
    ),
];

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/enrich/licenses/mod.rs` -> `enrich`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src/");
    let first = relative
        .components()
        .next()
        .expect("a path component")
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::name` used in code (comments and doc comments are skipped), with its line.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = match line.find("//") {
            Some(comment) => &line[..comment],
            None => line,
        };
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().last();
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `$crate::`, `depgate_crate::` and the like are not paths into this crate.
            rest = &after[name.len()..];
            if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                && !name.is_empty()
            {
                found.push((index + 1, name));
            }
        }
    }
    found
}

#[test]
fn imports_follow_the_pipeline() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut files = Vec::new();
    source_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        if module == "main" || module == "lib" {
            continue;
        }
        let Some(may_use) = allowed.get(module.as_str()) else {
            violations.push(format!(
                "{}: module `{module}` is not in the architecture test's table",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for (line, used) in crate_paths(&text) {
            if used != module && !may_use.contains(&used.as_str()) {
                violations.push(format!(
                    "{}:{line}: `{module}` uses `crate::{used}`, against the pipeline's direction",
                    file.display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_checker_sees_paths_and_skips_comments() {
    let text = "use crate::policy::X;\n/// see [`crate::report`]\nlet a = crate::util::f(); // crate::app\n$crate::x";
    assert_eq!(
        crate_paths(text),
        vec![(1, "policy".to_string()), (3, "util".to_string())]
    );
}

#[test]
fn the_rule_table_and_the_policy_model_name_the_same_rules() {
    use depgate::vocabulary::RULES;
    // The built-in policy, plus the one section that is off unless a policy has it.
    let text = format!("{}\n[sbom-quality]\n", depgate::policy::BUILTIN_DEFAULT);
    let policy = depgate::policy::validate(
        &[(PathBuf::from("default.toml"), text)],
        depgate::policy::PolicySource::Builtin,
    )
    .expect("the built-in policy validates");
    let mut from_policy = policy.rule_ids();
    from_policy.sort();
    let mut from_table: Vec<String> = RULES
        .iter()
        .filter(|spec| !spec.is_per_entry())
        .map(|spec| spec.id.to_string())
        .collect();
    from_table.sort();
    assert_eq!(from_policy, from_table);
    // Defaults come from the table: the built-in policy sets no level, so each is the default.
    for rule in policy.rules() {
        let spec = depgate::vocabulary::rules::section_rule(&rule.id);
        assert_eq!(rule.level, spec.default_level, "{}", rule.id);
    }
}
