//! Bad input never panics: every fixture of the Python, Go, Ruby, PHP, .NET and JVM parsers,
//! cut short at many points and with a line garbled, gives a result or an error naming the
//! file, never a panic.

use std::path::Path;

use depgate::ingest::{IngestOptions, ingest};

const FIXTURES: &[&str] = &[
    "python/poetry-v1/poetry.lock",
    "python/poetry-v2/poetry.lock",
    "python/uv-workspace/uv.lock",
    "python/pipfile/Pipfile.lock",
    "python/requirements-includes/requirements.txt",
    "go/gomod/go.mod",
    "ruby/gemfile/Gemfile.lock",
    "php/composer/composer.lock",
    "dotnet/packages-lock/packages.lock.json",
    "jvm/gradle/gradle.lockfile",
    "jvm/maven/pom.xml",
];

fn check(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    if let Err(error) = ingest(&path, &IngestOptions::default()) {
        let message = error.to_string();
        assert!(
            message.contains(name),
            "error does not name the file: {message}"
        );
    }
}

#[test]
fn truncated_and_garbled_inputs_do_not_panic() {
    for fixture in FIXTURES {
        let original = std::fs::read(crate::common::fixture(fixture)).unwrap();
        let name = fixture.rsplit('/').next().unwrap();
        let dir = tempfile::tempdir().unwrap();
        // Every step through the file, so cuts land inside keys, strings and tags.
        for cut in (0..original.len()).step_by(11) {
            check(dir.path(), name, &original[..cut]);
        }
        // Each line in turn replaced by junk with a multi-byte character.
        let text = String::from_utf8(original).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for index in 0..lines.len() {
            let mut garbled = lines.clone();
            garbled[index] = "-é ]] }{ <x> (( == => \"";
            check(dir.path(), name, garbled.join("\n").as_bytes());
        }
        // Not UTF-8 at all.
        check(dir.path(), name, &[0xff, 0xfe, 0x00, 0x41]);
    }
}
