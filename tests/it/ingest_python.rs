//! Python inputs: poetry.lock v1/v2, uv.lock, Pipfile.lock, requirements.txt.

use depgate::inventory::{HashAlgorithm, PackageKind, Scope};

use crate::common::{dependencies_of, depgate, explain_error, fixture, load, only};

#[test]
fn poetry_v1_category_metadata_files_and_sources() {
    let inventory = load("python/poetry-v1/poetry.lock");
    // Names are normalised per PEP 503: `Requests` -> `requests`.
    let requests = only(&inventory, "requests");
    assert_eq!(requests.purl.as_deref(), Some("pkg:pypi/requests@2.31.0"));
    assert_eq!(requests.location.line, Some(1));
    assert_eq!(requests.scope, Scope::Runtime);
    // v1 keeps hashes in `[metadata.files]`, keyed by the name as written.
    assert_eq!(requests.hashes.len(), 1);
    assert_eq!(requests.hashes[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(only(&inventory, "certifi").hashes.len(), 1);
    assert_eq!(only(&inventory, "pytest").scope, Scope::Dev);
    assert_eq!(only(&inventory, "pysocks").scope, Scope::Optional);
    assert_eq!(only(&inventory, "pytest").location.line, Some(29));
    // `[package.dependencies]` become edges; `PySocks` resolves to `pysocks`.
    assert_eq!(
        dependencies_of(&inventory, "requests"),
        vec!["certifi", "pysocks"]
    );
    let optional = inventory
        .edges()
        .iter()
        .find(|e| inventory.package(e.to).name == "pysocks")
        .unwrap();
    assert!(optional.optional);
    // A directory source is local: no purl.
    let mylib = only(&inventory, "mylib");
    assert_eq!(mylib.kind, PackageKind::Local);
    assert_eq!(mylib.purl, None);
    let git = only(&inventory, "gitdep");
    assert_eq!(
        git.source.display(),
        "git+https://github.com/example/gitdep.git#0123456789abcdef0123456789abcdef01234567"
    );
    assert!(git.purl.as_deref().unwrap().contains("vcs_url="));
}

#[test]
fn poetry_v2_groups_and_files() {
    let inventory = load("python/poetry-v2/poetry.lock");
    assert_eq!(only(&inventory, "anyio").scope, Scope::Runtime);
    assert_eq!(only(&inventory, "anyio").location.line, Some(3));
    assert_eq!(only(&inventory, "mypy").scope, Scope::Dev);
    // In "main" and "dev": shipped, so runtime.
    assert_eq!(only(&inventory, "typing-extensions").scope, Scope::Runtime);
    assert_eq!(only(&inventory, "idna").hashes.len(), 1);
    // `typing_extensions` in the dependency table matches `typing-extensions`.
    assert_eq!(
        dependencies_of(&inventory, "anyio"),
        vec!["idna", "typing-extensions"]
    );
}

#[test]
fn uv_roots_edges_sources_and_hashes() {
    let inventory = load("python/uv-workspace/uv.lock");
    let root = only(&inventory, "demo-app");
    assert_eq!(root.kind, PackageKind::Root);
    assert_eq!(inventory.roots(), &[root.id]);
    assert_eq!(
        dependencies_of(&inventory, "demo-app"),
        vec!["httpx", "localpkg", "orjson", "pytest"]
    );
    assert_eq!(only(&inventory, "httpx").scope, Scope::Runtime);
    assert!(only(&inventory, "httpx").direct);
    assert_eq!(only(&inventory, "idna").scope, Scope::Runtime);
    assert!(!only(&inventory, "idna").direct);
    assert_eq!(only(&inventory, "orjson").scope, Scope::Optional);
    assert_eq!(only(&inventory, "pytest").scope, Scope::Dev);
    assert_eq!(only(&inventory, "pluggy").scope, Scope::Dev);
    // sdist + wheel hashes.
    assert_eq!(only(&inventory, "httpx").hashes.len(), 2);
    let local = only(&inventory, "localpkg");
    assert_eq!(local.kind, PackageKind::Local);
    assert_eq!(local.purl, None);
    let pluggy = only(&inventory, "pluggy");
    assert!(
        pluggy
            .source
            .display()
            .ends_with("#a0f2b1a4c1d2e3f40516273849abcdef01234567")
    );
    assert_eq!(only(&inventory, "httpx").location.line, Some(24));
}

#[test]
fn pipfile_sections_indexes_git_and_paths() {
    let inventory = load("python/pipfile/Pipfile.lock");
    // `Django` in default and `django` in develop are one package: runtime wins.
    let django = only(&inventory, "django");
    assert_eq!(django.scope, Scope::Runtime);
    assert_eq!(django.version, "5.0.1");
    assert_eq!(django.hashes.len(), 1);
    assert_eq!(django.location.line, Some(12));
    assert_eq!(only(&inventory, "pytest").scope, Scope::Dev);
    let corp = only(&inventory, "corp-utils");
    assert_eq!(
        corp.purl.as_deref(),
        Some("pkg:pypi/corp-utils@1.2.0?repository_url=https://pypi.example.com/simple")
    );
    assert!(
        only(&inventory, "gitpkg")
            .source
            .display()
            .starts_with("git+")
    );
    let local = only(&inventory, "localpkg");
    assert_eq!(local.kind, PackageKind::Local);
    assert_eq!(local.purl, None);
}

#[test]
fn requirements_pins_includes_constraints_and_gaps() {
    let inventory = load("python/requirements-includes/requirements.txt");
    let requests = only(&inventory, "requests");
    assert_eq!(requests.version, "2.31.0");
    assert_eq!(requests.hashes.len(), 2);
    assert_eq!(requests.location.line, Some(6));
    assert_eq!(only(&inventory, "legacy-pin").version, "1.0-custom");
    // Included with `-r` (its own `-r requirements.txt` back is a cycle, read once).
    let urllib3 = only(&inventory, "urllib3");
    assert!(urllib3.location.file.ends_with("base.txt"));
    assert_eq!(urllib3.location.line, Some(2));
    assert_eq!(only(&inventory, "zope-interface").version, "6.1");
    // `Flask>=2.0` is pinned by the constraints file; constraints alone add nothing.
    assert_eq!(only(&inventory, "flask").version, "3.0.0");
    assert!(
        inventory
            .packages()
            .iter()
            .all(|p| p.name != "never-required")
    );
    // `-e` and path entries are local packages without a purl.
    for name in ["localpkg", "otherpkg"] {
        let local = only(&inventory, name);
        assert_eq!(local.kind, PackageKind::Local, "{name}");
        assert_eq!(local.purl, None, "{name}");
    }
    assert!(
        only(&inventory, "gitpkg")
            .source
            .display()
            .starts_with("git+")
    );
    assert_eq!(only(&inventory, "wheelpkg").version, "0.3.1");
    // The unpinned `jinja2~=3.1` is reported, never silently dropped.
    let gap = inventory
        .gaps
        .iter()
        .find(|g| g.kind == "unpinned-requirement")
        .unwrap();
    assert!(gap.message.contains("jinja2~=3.1"), "{}", gap.message);
    assert!(gap.message.contains("line 11"), "{}", gap.message);
    assert!(inventory.packages().iter().all(|p| p.name != "jinja2"));
    // Included files are recorded as inputs.
    assert!(
        inventory
            .inputs
            .iter()
            .any(|i| i.path.ends_with("base.txt"))
    );
}

#[test]
fn explain_runs_on_a_python_lockfile() {
    let out = depgate()
        .args(["explain", "idna"])
        .arg(fixture("python/uv-workspace/uv.lock"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("idna 3.10 (runtime, transitive, pkg:pypi/idna@3.10)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("demo-app 0.1.0 > httpx 0.28.1 > idna 3.10"),
        "{stdout}"
    );
}

#[test]
fn malformed_python_files_exit_2_with_file_and_line() {
    for (file, line) in [
        ("python/poetry-malformed/poetry.lock", "line 5"),
        ("python/uv-malformed/uv.lock", "line 5"),
        ("python/pipfile-malformed/Pipfile.lock", "line 8"),
        (
            "python/requirements-missing-include/requirements.txt",
            "line 2",
        ),
    ] {
        let (code, stderr) = explain_error(file);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        let name = file.rsplit('/').next().unwrap();
        assert!(stderr.contains(name), "{file}: {stderr}");
        assert!(stderr.contains(line), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    }
}

#[test]
fn uv_virtual_root_and_editable_members() {
    let inventory = load("python/uv-virtual/uv.lock");
    // The virtual workspace root and the editable member are both roots, and local.
    assert_eq!(inventory.roots().len(), 2);
    for name in ["workspace-root", "member-a"] {
        let member = only(&inventory, name);
        assert_eq!(member.kind, PackageKind::Root, "{name}");
        assert_eq!(member.purl, None, "{name}");
    }
    let six = only(&inventory, "six");
    assert_eq!(six.scope, Scope::Runtime);
    assert!(six.direct, "a member depends on it directly");
    assert_eq!(inventory.third_party().count(), 1);
}

#[test]
fn manifests_beside_flat_lockfiles_give_root_edges() {
    // poetry.lock + pyproject.toml: `[project] dependencies` and a dev group.
    let poetry = load("python/poetry-v2/poetry.lock");
    let root = poetry.package(poetry.roots()[0]).name.clone();
    assert_eq!(dependencies_of(&poetry, &root), vec!["anyio", "mypy"]);
    assert!(only(&poetry, "anyio").direct);
    assert!(!only(&poetry, "idna").direct);
    assert_eq!(only(&poetry, "mypy").scope, Scope::Dev);
    // Pipfile.lock + Pipfile: `[packages]` and `[dev-packages]`.
    let pipfile = load("python/pipfile-manifest/Pipfile.lock");
    let root = pipfile.package(pipfile.roots()[0]).name.clone();
    assert_eq!(
        dependencies_of(&pipfile, &root),
        vec!["corp-utils", "django", "pytest"]
    );
    assert!(only(&pipfile, "django").direct);
    assert!(!only(&pipfile, "gitpkg").direct);
}
