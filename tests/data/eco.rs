//! Python, Go, Ruby, PHP, .NET and JVM lockfiles from real projects: the third-party packages
//! (name@version) depgate reports equal the set each file lists. Each expected set is computed
//! here by a different, simpler method (line scans or a generic JSON walk), and each count is
//! pinned with the shell command that produced it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use depgate::ingest::{IngestOptions, ingest};
use depgate::inventory::Inventory;

use crate::data_dir;

fn lockfiles() -> Option<PathBuf> {
    data_dir().map(|d| d.join("lockfiles"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn inventory(path: &Path) -> Inventory {
    ingest(path, &IngestOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The third-party `name@version` set depgate reports.
fn reported(path: &Path) -> BTreeSet<String> {
    inventory(path)
        .third_party()
        .map(|p| p.name_version())
        .collect()
}

/// PEP 503, written differently from the library: replace separators, then squeeze.
fn normalise(name: &str) -> String {
    let mut name = name.to_lowercase().replace(['_', '.'], "-");
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    name
}

fn quoted_value(line: &str, key: &str) -> Option<String> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    Some(rest.trim_matches('"').to_string())
}

/// `[[package]]` blocks of a TOML lockfile: (name, version, source line) by scanning lines.
fn toml_packages(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String, String)> = None;
    for line in text.lines() {
        if line.starts_with('[') {
            if let Some(done) = current.take() {
                out.push(done);
            }
            if line == "[[package]]" {
                current = Some(Default::default());
            }
            continue;
        }
        if let Some(entry) = current.as_mut() {
            if let Some(name) = quoted_value(line, "name") {
                entry.0 = name;
            } else if let Some(version) = quoted_value(line, "version") {
                entry.1 = version;
            } else if line.starts_with("source =") {
                entry.2 = line.to_string();
            }
        }
    }
    out.extend(current);
    out
}

#[test]
fn poetry_lock_packages() {
    let Some(dir) = lockfiles() else { return };
    let path = dir.join("poetry/poetry.lock");
    let expected: BTreeSet<String> = toml_packages(&read(&path))
        .into_iter()
        .map(|(name, version, _)| format!("{}@{version}", normalise(&name)))
        .collect();
    // grep -c '^\[\[package\]\]' poetry/poetry.lock  -> 78
    assert_eq!(expected.len(), 78);
    assert_eq!(reported(&path), expected);
}

fn uv_expected(path: &Path) -> BTreeSet<String> {
    toml_packages(&read(path))
        .into_iter()
        // The project itself (editable/virtual) is the root, not a dependency.
        .filter(|(_, _, source)| !source.contains("editable") && !source.contains("virtual"))
        .map(|(name, version, _)| format!("{}@{version}", normalise(&name)))
        .collect()
}

#[test]
fn uv_lock_packages() {
    let Some(dir) = lockfiles() else { return };
    for (file, count) in [
        // grep -c '^\[\[package\]\]' uv/uv.lock -> 89, minus 1 `source = { editable = "." }`
        ("uv/uv.lock", 88),
        // grep -c '^\[\[package\]\]' ruff/uv.lock -> 89, minus 1 editable root (5 git sources stay)
        ("ruff/uv.lock", 88),
    ] {
        let path = dir.join(file);
        let expected = uv_expected(&path);
        assert_eq!(expected.len(), count, "{file}");
        assert_eq!(reported(&path), expected, "{file}");
    }
}

#[test]
fn uv_lock_git_sources_are_third_party_with_vcs_purl() {
    let Some(dir) = lockfiles() else { return };
    let inventory = inventory(&dir.join("ruff/uv.lock"));
    let git: Vec<_> = inventory
        .third_party()
        .filter(|p| p.source.display().starts_with("git+"))
        .collect();
    // grep -c 'source = { git' ruff/uv.lock -> 5
    assert_eq!(git.len(), 5);
    assert!(
        git.iter()
            .all(|p| p.purl.as_deref().is_some_and(|u| u.contains("vcs_url=")))
    );
}

#[test]
fn pipfile_lock_packages() {
    let Some(dir) = lockfiles() else { return };
    let path = dir.join("pipenv/Pipfile.lock");
    let json: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let mut expected = BTreeSet::new();
    for section in ["default", "develop"] {
        for (name, entry) in json[section].as_object().unwrap() {
            let version = entry["version"].as_str().unwrap().trim_start_matches("==");
            expected.insert(format!("{}@{version}", normalise(name)));
        }
    }
    // jq '[.default, .develop | to_entries[] | "\(.key)@\(.value.version)"] | unique | length'
    //   -> 105 (101 names: 4 packages are pinned differently in default and develop)
    assert_eq!(expected.len(), 105);
    assert_eq!(reported(&path), expected);
}

#[test]
fn requirements_txt_packages() {
    let Some(dir) = lockfiles() else { return };
    for (file, count) in [
        // grep -cE '^[A-Za-z0-9._-]+(\[[^]]*\])?==' warehouse/requirements/main.txt -> 184
        ("warehouse/requirements/main.txt", 184),
        // same grep on tests.txt -> 48
        ("warehouse/requirements/tests.txt", 48),
        // same grep on deploy.txt -> 8
        ("warehouse/requirements/deploy.txt", 8),
    ] {
        let path = dir.join(file);
        let expected: BTreeSet<String> = read(&path)
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains("=="))
            .map(|l| {
                let spec = l.split_whitespace().next().unwrap();
                let (name, version) = spec.split_once("==").unwrap();
                let name = name.split('[').next().unwrap();
                format!("{}@{version}", normalise(name))
            })
            .collect();
        assert_eq!(expected.len(), count, "{file}");
        let inventory = inventory(&path);
        let got: BTreeSet<String> = inventory.third_party().map(|p| p.name_version()).collect();
        assert_eq!(got, expected, "{file}");
        assert!(inventory.gaps.is_empty(), "{file}: every line is pinned");
        assert!(
            inventory.third_party().all(|p| !p.hashes.is_empty()),
            "{file}: --hash kept"
        );
    }
}

/// go.mod `require` lines by a line scan, with the `replace` lines applied by hand; also the
/// number of requirements without `// indirect`.
fn go_expected(text: &str) -> (BTreeSet<String>, usize) {
    let mut in_block = false;
    let mut expected = BTreeSet::new();
    let mut replaces = Vec::new();
    let mut direct = 0;
    for raw in text.lines() {
        let line = raw.split("//").next().unwrap().trim();
        if line == "require (" {
            in_block = true;
            continue;
        }
        if in_block && line == ")" {
            in_block = false;
            continue;
        }
        let spec = if in_block {
            Some(line)
        } else {
            line.strip_prefix("require ")
        };
        if let Some(spec) = spec {
            let fields: Vec<&str> = spec.split_whitespace().collect();
            if fields.len() == 2 {
                expected.insert(format!("{}@{}", fields[0], fields[1]));
                if !raw.contains("// indirect") {
                    direct += 1;
                }
            }
        }
        if let Some(rule) = line.strip_prefix("replace ") {
            let (old, new) = rule.split_once("=>").unwrap();
            let new: Vec<&str> = new.split_whitespace().collect();
            replaces.push((old.trim().to_string(), format!("{}@{}", new[0], new[1])));
        }
    }
    for (old, new) in replaces {
        let hit: Vec<String> = expected
            .iter()
            .filter(|e| e.starts_with(&format!("{old}@")))
            .cloned()
            .collect();
        for h in hit {
            expected.remove(&h);
            expected.insert(new.clone());
        }
    }
    (expected, direct)
}

#[test]
fn go_mod_packages_and_hashes() {
    let Some(dir) = lockfiles() else { return };
    for (project, count) in [
        // awk counting lines inside `require (` blocks plus single `require` lines -> 250
        // (prometheus has one `replace cloud.google.com/go => cloud.google.com/go v0.123.0`)
        ("prometheus", 250),
        // same awk on caddy/go.mod -> 169
        ("caddy", 169),
    ] {
        let path = dir.join(project).join("go.mod");
        let (expected, direct_lines) = go_expected(&read(&path));
        assert_eq!(expected.len(), count, "{project}");
        let inventory = inventory(&path);
        let got: BTreeSet<String> = inventory.third_party().map(|p| p.name_version()).collect();
        assert_eq!(got, expected, "{project}");
        // Every module whose zip hash is in go.sum carries it (go.sum lines without `/go.mod`).
        let sum = read(&dir.join(project).join("go.sum"));
        let with_hash: BTreeSet<String> = sum
            .lines()
            .filter(|l| !l.contains("/go.mod "))
            .map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                format!("{}@{}", f[0], f[1])
            })
            .collect();
        for package in inventory.third_party() {
            assert_eq!(
                !package.hashes.is_empty(),
                with_hash.contains(&package.name_version()),
                "{project}: {}",
                package.name_version()
            );
        }
        // Direct requirements are the root's edges: `require` lines without `// indirect`.
        let direct = inventory.third_party().filter(|p| p.direct).count();
        assert_eq!(direct, direct_lines, "{project}");
    }
}

#[test]
fn gemfile_lock_packages() {
    let Some(dir) = lockfiles() else { return };
    for (project, count) in [
        // grep -E '^    [^ ]' rubygems.org/Gemfile.lock | sed -E 's/ \(([^)-]*)-[^)]*\)/ (\1)/'
        //   | sort -u | wc -l -> 298
        // (341 spec lines: platform builds of the same version collapse into one name@version)
        ("rubygems.org", 298),
        // same pipeline on homebrew/Gemfile.lock -> 72 (77 spec lines)
        ("homebrew", 72),
    ] {
        let path = dir.join(project).join("Gemfile.lock");
        let expected: BTreeSet<String> = read(&path)
            .lines()
            .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
            .map(|l| {
                let (name, version) = l.trim().split_once(" (").unwrap();
                let version = version.trim_end_matches(')');
                let version = version.split('-').next().unwrap();
                format!("{name}@{version}")
            })
            .collect();
        assert_eq!(expected.len(), count, "{project}");
        assert_eq!(reported(&path), expected, "{project}");
    }
}

#[test]
fn composer_lock_packages_and_licenses() {
    let Some(dir) = lockfiles() else { return };
    for (project, count) in [
        // jq '[.packages[], ."packages-dev"[]] | length' composer/composer.lock -> 36
        ("composer", 36),
        // same jq on bookstack/composer.lock -> 147
        ("bookstack", 147),
    ] {
        let path = dir.join(project).join("composer.lock");
        let json: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
        let mut expected = BTreeSet::new();
        let mut licensed = 0;
        for section in ["packages", "packages-dev"] {
            for package in json[section].as_array().unwrap() {
                expected.insert(format!(
                    "{}@{}",
                    package["name"].as_str().unwrap(),
                    package["version"].as_str().unwrap()
                ));
                if package["license"].as_array().is_some_and(|l| !l.is_empty()) {
                    licensed += 1;
                }
            }
        }
        assert_eq!(expected.len(), count, "{project}");
        let inventory = inventory(&path);
        let got: BTreeSet<String> = inventory.third_party().map(|p| p.name_version()).collect();
        assert_eq!(got, expected, "{project}");
        let with_license = inventory
            .third_party()
            .filter(|p| p.license.is_some())
            .count();
        assert_eq!(with_license, licensed, "{project}");
    }
}

#[test]
fn nuget_lock_packages() {
    let Some(dir) = lockfiles() else { return };
    for (file, count) in [
        // jq '[.dependencies[] | to_entries[] | select(.value.type != "Project")
        //     | "\(.key)@\(.value.resolved)"] | unique | length' src/Api/packages.lock.json -> 153
        ("bitwarden-server/src/Api/packages.lock.json", 153),
        // same jq on src/Core/packages.lock.json -> 140
        ("bitwarden-server/src/Core/packages.lock.json", 140),
    ] {
        let path = dir.join(file);
        let json: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
        let mut expected = BTreeSet::new();
        for framework in json["dependencies"].as_object().unwrap().values() {
            for (name, entry) in framework.as_object().unwrap() {
                if entry["type"] != "Project" {
                    expected.insert(format!("{name}@{}", entry["resolved"].as_str().unwrap()));
                }
            }
        }
        assert_eq!(expected.len(), count, "{file}");
        assert_eq!(reported(&path), expected, "{file}");
    }
}

#[test]
fn gradle_lockfile_packages() {
    let Some(dir) = lockfiles() else { return };
    for (file, count) in [
        // grep -vE '^#|^empty=' service/gradle.lockfile | grep -c . -> 569
        ("terra-workspace-manager/service/gradle.lockfile", 569),
        // same on client/gradle.lockfile -> 61
        ("terra-workspace-manager/client/gradle.lockfile", 61),
    ] {
        let path = dir.join(file);
        let expected: BTreeSet<String> = read(&path)
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("empty=") && !l.is_empty())
            .map(|l| {
                let coordinates = l.split('=').next().unwrap();
                let (group_artifact, version) = coordinates.rsplit_once(':').unwrap();
                format!("{group_artifact}@{version}")
            })
            .collect();
        assert_eq!(expected.len(), count, "{file}");
        assert_eq!(reported(&path), expected, "{file}");
    }
}

#[test]
fn maven_pom_explicit_versions_and_gaps() {
    let Some(dir) = lockfiles() else { return };
    let path = dir.join("spring-petclinic/pom.xml");
    let inventory = inventory(&path);
    let got: BTreeSet<String> = inventory.third_party().map(|p| p.name_version()).collect();
    // The three `<dependency>` entries with a `<version>` under `<project><dependencies>`:
    //   sed -n '/^  <dependencies>/,/^  <\/dependencies>/p' pom.xml | grep -c '<version>' -> 3
    // each `${...}` resolved from `<properties>` by hand.
    let expected: BTreeSet<String> = [
        "org.webjars:webjars-locator-lite@1.1.3",
        "org.webjars.npm:bootstrap@5.3.8",
        "org.webjars.npm:font-awesome@4.7.0",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, expected);
    // The other direct dependencies take their versions from the Spring Boot parent:
    //   sed -n '/^  <dependencies>/,/^  <\/dependencies>/p' pom.xml | grep -c '<dependency>' -> 24
    let unresolved: usize = inventory
        .gaps
        .iter()
        .filter(|g| g.kind == "maven-version-unresolved")
        .map(|g| g.packages)
        .sum();
    assert_eq!(unresolved, 24 - 3);
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "maven-parent-unresolved")
    );
    assert!(
        inventory
            .gaps
            .iter()
            .any(|g| g.kind == "maven-transitive-unresolved")
    );
}

/// Every package's line points at its entry: the entry's first lines name the package.
#[test]
fn package_lines_point_at_their_entries() {
    let Some(dir) = lockfiles() else { return };
    let files = [
        "poetry/poetry.lock",
        "uv/uv.lock",
        "ruff/uv.lock",
        "pipenv/Pipfile.lock",
        "warehouse/requirements/main.txt",
        "prometheus/go.mod",
        "caddy/go.mod",
        "rubygems.org/Gemfile.lock",
        "homebrew/Gemfile.lock",
        "composer/composer.lock",
        "bookstack/composer.lock",
        "bitwarden-server/src/Api/packages.lock.json",
        "bitwarden-server/src/Core/packages.lock.json",
        "terra-workspace-manager/service/gradle.lockfile",
        "spring-petclinic/pom.xml",
    ];
    let squash = |s: &str| s.to_lowercase().replace(['_', '.', '-'], "");
    for file in files {
        let path = dir.join(file);
        let text = read(&path);
        let lines: Vec<&str> = text.lines().collect();
        let inventory = inventory(&path);
        let mut checked = 0;
        for package in inventory.third_party() {
            let line = package
                .location
                .line
                .unwrap_or_else(|| panic!("{file}: {} has no line", package.name));
            // The last segment of `group:artifact` or `vendor/name` or a module path.
            let short = package.name.rsplit([':', '/']).next().unwrap();
            let window = lines[line as usize - 1..(line as usize + 3).min(lines.len())].join(" ");
            assert!(
                squash(&window).contains(&squash(short)),
                "{file} line {line} does not name {}: {window}",
                package.name
            );
            checked += 1;
        }
        assert!(checked > 0, "{file}");
    }
}
