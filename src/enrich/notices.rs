//! Facts for third-party notices, read from a package's sources on this machine: copyright
//! lines (from its license files, NOTICE files and source-file headers) and the verbatim text
//! of its Apache-style `NOTICE` files.
//!
//! In: one `Package` with `local_dir` and/or `license_files`. Out: [`NoticeFacts`]. Reads files
//! only (never executes anything); a file that cannot be read is skipped and named in
//! `unreadable`, so the notices can say what was not looked at.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::inventory::Package;

/// At most this many source files are read for header comments per package.
const MAX_SOURCE_FILES: usize = 400;
/// Only the first lines of a source file hold its header comment.
const HEADER_LINES: usize = 40;
/// How much of a source file is read for its header comment.
const HEAD_BYTES: usize = 8 * 1024;
/// License and NOTICE files larger than this are not license texts; they are skipped.
const MAX_TEXT_BYTES: u64 = 512 * 1024;
/// Directories that hold no shipped sources' headers worth reading.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "tests",
    "test",
    "benches",
    "examples",
    "fixtures",
    "testdata",
    "vendor",
];
/// Extensions of source files whose header comments are read.
const SOURCE_EXTENSIONS: &[&str] = &[
    "rs", "c", "h", "cc", "cpp", "hpp", "js", "mjs", "cjs", "ts", "py", "go", "java", "rb", "php",
    "cs", "swift", "kt", "scala", "s", "S", "asm", "proto",
];

/// What the package's sources say for its notices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeFacts {
    /// Copyright lines, cleaned of comment markers, deduplicated and sorted.
    pub copyrights: Vec<String>,
    /// `NOTICE` files: the path relative to the package's sources and the exact content.
    pub notice_files: Vec<(String, String)>,
    /// License files found (relative paths), whether or not they hold a copyright line.
    pub license_files: Vec<String>,
    /// The text of each license file (relative path, content), for licenses that the SPDX
    /// list has no text for (`LicenseRef-…`).
    pub license_texts: Vec<(String, String)>,
    /// True when the package's sources (or at least its license files) were available.
    pub sources_available: bool,
    /// Files that exist but could not be read as text.
    pub unreadable: Vec<String>,
}

/// True for `NOTICE`, `NOTICE.txt` and `NOTICE.md` in any case, and the plural `NOTICES`
/// spellings some crates use for the same purpose (e.g. `cfg_aliases`' `NOTICES.md`).
pub fn is_notice_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let stem = upper
        .strip_suffix(".TXT")
        .or_else(|| upper.strip_suffix(".MD"))
        .unwrap_or(&upper);
    stem == "NOTICE" || stem == "NOTICES"
}

fn is_license_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "LICENSE",
        "LICENCE",
        "COPYING",
        "COPYRIGHT",
        "UNLICENSE",
        "AUTHORS",
    ]
    .iter()
    .any(|prefix| upper.starts_with(prefix))
}

fn relative(package: &Package, path: &Path) -> String {
    package
        .local_dir
        .as_ref()
        .and_then(|dir| path.strip_prefix(dir).ok())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn read_text(path: &Path) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_TEXT_BYTES {
        return None;
    }
    let bytes = crate::util::read_limited(path, MAX_TEXT_BYTES).ok()?;
    String::from_utf8(bytes).ok()
}

/// The first bytes of a source file, enough for its header comment (a cut UTF-8 character at
/// the end is dropped).
fn read_head(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    crate::util::open_input(path, crate::util::limits().max_input_bytes)
        .ok()?
        .0
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .ok()?;
    Some(match String::from_utf8(head) {
        Ok(text) => text,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let mut bytes = error.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).ok()?
        }
    })
}

/// Gathers the notice facts for one package.
pub fn gather(package: &Package) -> NoticeFacts {
    let mut facts = NoticeFacts::default();
    let mut copyrights = BTreeSet::new();
    // License and NOTICE files: those the inventory names, plus those at the package root.
    let mut files: BTreeSet<PathBuf> = package
        .license_files
        .iter()
        .map(|f| match &package.local_dir {
            Some(dir) if f.is_relative() => dir.join(f),
            _ => f.clone(),
        })
        .collect();
    if let Some(dir) = &package.local_dir
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        facts.sources_available = true;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (is_license_name(&name) || is_notice_name(&name)) && entry.path().is_file() {
                files.insert(entry.path());
            }
        }
    }
    for file in &files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(text) = read_text(file) else {
            if file.exists() {
                facts.unreadable.push(relative(package, file));
            }
            continue;
        };
        facts.sources_available = true;
        copyrights.extend(copyright_lines(&text, usize::MAX));
        if is_notice_name(&name) {
            facts.notice_files.push((relative(package, file), text));
        } else {
            facts.license_files.push(relative(package, file));
            facts.license_texts.push((relative(package, file), text));
        }
    }
    if let Some(dir) = &package.local_dir {
        let mut read = 0;
        scan_headers(dir, &mut read, &mut copyrights);
    }
    facts.copyrights = copyrights.into_iter().collect();
    facts.notice_files.sort();
    facts.license_files.sort();
    facts.license_texts.sort();
    facts.unreadable.sort();
    facts
}

/// Reads the header comments of source files under `dir` (sorted, depth-first, bounded).
fn scan_headers(dir: &Path, read: &mut usize, copyrights: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if *read >= MAX_SOURCE_FILES {
            return;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Symlinks are not followed: a package's sources could point anywhere.
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if metadata.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) && !name.starts_with('.') {
                scan_headers(&path, read, copyrights);
            }
            continue;
        }
        let is_source = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| SOURCE_EXTENSIONS.contains(&e));
        if !metadata.is_file() || !is_source || metadata.len() > MAX_TEXT_BYTES {
            continue;
        }
        *read += 1;
        if let Some(text) = read_head(&path) {
            copyrights.extend(copyright_lines(&text, HEADER_LINES));
        }
    }
}

/// The copyright lines in the first `max_lines` lines of `text`: lines with `Copyright (c)`,
/// `©`, `(C)` after "copyright", or `Copyright` followed by a year (`Copyright 2019 …`).
/// Comment markers are stripped and whitespace collapsed. Template lines from license texts
/// (`Copyright [yyyy] [name of copyright owner]`, `Copyright (C) <year> <name of author>`)
/// are not copyright holders and are left out.
pub fn copyright_lines(text: &str, max_lines: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.lines().take(max_lines) {
        let cleaned = clean(line);
        if cleaned.is_empty() || !is_copyright(&cleaned) || is_template(&cleaned) {
            continue;
        }
        if !lines.contains(&cleaned) {
            lines.push(cleaned);
        }
    }
    lines
}

fn clean(line: &str) -> String {
    let trimmed = line
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .trim_start_matches(['/', '*', '#', ';', '!', '-', '%', '"', '\'', '@'])
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim_start_matches("<!--")
        .trim();
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_copyright(line: &str) -> bool {
    if line.contains('©') {
        return true;
    }
    let lower = line.to_lowercase();
    let Some(at) = lower.find("copyright") else {
        return false;
    };
    let rest = lower[at + "copyright".len()..].trim_start();
    let rest = rest.strip_prefix("notice").map_or(rest, str::trim_start);
    if rest.starts_with("(c)") {
        return true;
    }
    // `Copyright 2019 …`, `Copyright 2015-2020 …`, also `Copyright: 2019 …`.
    let rest = rest.trim_start_matches([':', ' ']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"))
}

fn is_template(line: &str) -> bool {
    let lower = line.to_lowercase();
    ["[yyyy]", "<year>", "[year]", "{yyyy}", "<name of author>", "[fullname]", "{fullname}", "<copyright holder"]
        .iter()
        .any(|t| lower.contains(t))
        // The GPL's and others' own boilerplate about the license text itself.
        || lower.contains("free software foundation, inc. <")
        || lower.starts_with("copyright (c) 2007 free software foundation")
        || lower.starts_with("copyright © 2007 free software foundation")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyright_lines_are_found_and_cleaned() {
        let text = "// Copyright (c) 2019 The Foo Authors\n\
                    /* Copyright 2015-2020 Jane Doe */\n\
                    # © Acme Corp.\n\
                    Copyright [yyyy] [name of copyright owner]\n\
                    Copyright (C) <year>  <name of author>\n\
                    This copyright notice is kept.\n\
                    // Copyright (c) 2019 The Foo Authors\n";
        assert_eq!(
            copyright_lines(text, 100),
            vec![
                "Copyright (c) 2019 The Foo Authors",
                "Copyright 2015-2020 Jane Doe",
                "© Acme Corp.",
            ]
        );
    }

    #[test]
    fn header_scan_stops_at_the_line_limit() {
        let text = "fn main() {}\n// Copyright (c) 2020 Late";
        assert!(copyright_lines(text, 1).is_empty());
    }

    #[test]
    fn notice_names() {
        assert!(is_notice_name("NOTICE"));
        assert!(is_notice_name("notice.txt"));
        assert!(is_notice_name("NOTICE.md"));
        assert!(!is_notice_name("NOTICES.rst"));
        assert!(is_notice_name("NOTICES.md"));
        assert!(!is_notice_name("NOTICE-generator.rs"));
    }
}
