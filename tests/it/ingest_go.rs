//! Go inputs: go.mod with go.sum.

use depgate::inventory::{HashAlgorithm, PackageKind};

use crate::common::{dependencies_of, explain_error, load, only};

#[test]
fn requirements_replace_exclude_and_hashes() {
    let inventory = load("go/gomod/go.mod");
    let root = only(&inventory, "example.com/shop");
    assert_eq!(root.kind, PackageKind::Root);
    assert_eq!(root.location.line, Some(1));
    // Direct requirements are the root's edges; `// indirect` ones are not.
    assert_eq!(
        dependencies_of(&inventory, "example.com/shop"),
        vec![
            "example.com/internal/lib",
            "github.com/BurntSushi/toml",
            "github.com/old/thing",
            "github.com/spf13/cobra",
            "github.com/us/forked",
        ]
    );
    let toml = only(&inventory, "github.com/BurntSushi/toml");
    assert!(toml.direct);
    // The packageurl crate lowercases golang namespace and name, as the purl type spec says.
    assert_eq!(
        toml.purl.as_deref(),
        Some("pkg:golang/github.com/burntsushi/toml@v1.6.0")
    );
    assert_eq!(toml.location.line, Some(8));
    // go.sum `h1:` (base64 SHA-256) as hex; the `/go.mod` line is not the module hash.
    assert_eq!(toml.hashes.len(), 1);
    assert_eq!(toml.hashes[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        toml.hashes[0].value,
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    );
    let sys = only(&inventory, "golang.org/x/sys");
    assert!(!sys.direct);
    assert_eq!(sys.version, "v0.0.0-20240101000000-abcdef123456");
    assert!(sys.hashes.is_empty());
    assert!(!only(&inventory, "github.com/single/line").direct);
    let incompatible = only(&inventory, "github.com/old/thing");
    assert_eq!(incompatible.version, "v2.1.0+incompatible");
    assert!(
        incompatible
            .purl
            .as_deref()
            .unwrap()
            .starts_with("pkg:golang/github.com/old/thing@v2.1.0")
    );
    // `replace` with another module: that module and version are what gets built.
    let forked = only(&inventory, "github.com/us/forked");
    assert_eq!(forked.version, "v1.0.1");
    assert_eq!(forked.hashes.len(), 1);
    assert!(
        inventory
            .packages()
            .iter()
            .all(|p| p.name != "example.com/forked")
    );
    // `replace` with a local directory: local, no purl.
    let lib = only(&inventory, "example.com/internal/lib");
    assert_eq!(lib.kind, PackageKind::Local);
    assert_eq!(lib.purl, None);
    assert_eq!(lib.source.display(), "path+../lib");
    // Excluded versions that nothing requires need no gap.
    assert!(inventory.gaps.is_empty(), "{:?}", inventory.gaps);
    assert!(inventory.inputs.iter().any(|i| i.path.ends_with("go.sum")));
}

#[test]
fn malformed_go_files_exit_2_with_file_and_line() {
    for (file, named, line) in [
        ("go/gomod-malformed/go.mod", "go.mod", "line 5"),
        ("go/gomod-unclosed/go.mod", "go.mod", "line 3"),
        ("go/gosum-malformed/go.mod", "go.sum", "line 2"),
    ] {
        let (code, stderr) = explain_error(file);
        assert_eq!(code, Some(2), "{file}: {stderr}");
        assert!(stderr.contains(named), "{file}: {stderr}");
        assert!(stderr.contains(line), "{file}: {stderr}");
    }
}

#[test]
fn requiring_an_excluded_version_is_a_gap() {
    let inventory = load("go/gomod-excluded/go.mod");
    let gap = &inventory.gaps[0];
    assert_eq!(gap.kind, "excluded-version-required");
    assert!(
        gap.message.contains("github.com/a/b@v1.2.0"),
        "{}",
        gap.message
    );
    // No go.sum beside it: the module is still listed, just without a hash.
    assert!(only(&inventory, "github.com/a/b").hashes.is_empty());
}

#[test]
fn a_directory_with_several_ecosystems_is_scanned_whole() {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("go/gomod/go.mod", "svc/go.mod"),
        ("go/gomod/go.sum", "svc/go.sum"),
        ("ruby/gemfile/Gemfile.lock", "web/Gemfile.lock"),
        ("php/composer/composer.lock", "php/composer.lock"),
    ] {
        let target = dir.path().join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(crate::common::fixture(from), target).unwrap();
    }
    let out = crate::common::depgate()
        .args(["explain", "rack"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("rack 3.0.8 (runtime, transitive, pkg:gem/rack@3.0.8)"),
        "{stdout}"
    );
    let inventory = depgate::ingest::ingest(dir.path(), &Default::default()).unwrap();
    assert_eq!(inventory.roots().len(), 3);
    assert!(only(&inventory, "psr/log").license.is_some());
}
