//! Cutting a registry crate's `Cargo.toml` down to the tables depgate reads, before parsing.
//!
//! In: a manifest's text. Out: the same text without the top-level tables depgate never reads
//! (`[features]`, `[lib]`, `[[bin]]`, `[[test]]`, `[[bench]]`, `[[example]]`, `[badges]`,
//! `[lints]`, …), or the whole text when in doubt. Parsing ~1,000 manifests with the `toml`
//! crate is most of the cost of a scan, and about half of a published manifest is tables we
//! never look at (`windows-sys` alone lists hundreds of features).
//!
//! This is not a TOML parser: it only finds the lines that open a table (`[name]` or
//! `[[name]]` at the start of a line), knowing enough of TOML not to mistake a line inside a
//! multi-line string, array or inline table for one. Keeping a table by mistake only costs
//! time; it never drops one depgate reads, because any header it cannot read with certainty is
//! kept, and any line it cannot follow (an unterminated string or bracket) makes it return the
//! whole text. The result is still parsed by the `toml` crate, and the caller re-parses the
//! whole text when that fails, so error messages name the real line.

use std::borrow::Cow;

/// First keys of the top-level tables depgate reads from a manifest.
const READ_TABLES: &[&str] = &[
    "package",
    "project",
    "workspace",
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
    "target",
];

/// The manifest without the tables depgate does not read, or all of it when unsure.
pub(crate) fn read_tables_only(text: &str) -> Cow<'_, str> {
    keep_tables(text, &[], None).0
}

/// [`read_tables_only`] for a build resolution: `[lib]` is kept too (is it a proc-macro?),
/// and the `[features]` table is returned apart, as text, for the resolver to parse only if
/// it reaches the crate (`web-sys`, `windows` and `objc2-*` list thousands of features and are
/// rarely in the build). `None` when the features stayed in the first text (or there are none).
pub(crate) fn read_build_tables(text: &str) -> (Cow<'_, str>, Option<String>) {
    keep_tables(text, &["lib"], Some("features"))
}

/// The manifest with only the top-level tables whose first key is in [`READ_TABLES`] or
/// `extra`; the table whose first key is `aside` (when given) is returned as a second text.
fn keep_tables<'t>(
    text: &'t str,
    extra: &[&str],
    aside: Option<&str>,
) -> (Cow<'t, str>, Option<String>) {
    let mut kept = String::with_capacity(text.len());
    let mut set_aside = String::new();
    let mut scanner = Scanner::default();
    let mut keep = true; // the root table (before any header) is always kept
    let mut in_aside = false;
    let mut dropped_any = false;
    // Lines split with the `memchr` crate's vectorised search (this runs over ~1 MB per scan).
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1);
    for end in ends.chain((!text.is_empty() && !text.ends_with('\n')).then_some(text.len())) {
        let line = &text[start..end];
        start = end;
        if scanner.at_statement_start() {
            let trimmed = line.trim_start_matches([' ', '\t']);
            if trimmed.starts_with('[') {
                let key = header_first_key(trimmed);
                in_aside = key.is_some() && key == aside;
                keep = match key {
                    Some(key) => READ_TABLES.contains(&key) || extra.contains(&key),
                    None => true,
                };
            }
        }
        if !scanner.feed(line) {
            return (Cow::Borrowed(text), None);
        }
        if in_aside {
            set_aside.push_str(line);
            dropped_any = true;
        } else if keep {
            kept.push_str(line);
        } else {
            dropped_any = true;
        }
    }
    if !scanner.at_statement_start() || !dropped_any {
        return (Cow::Borrowed(text), None);
    }
    let aside = (!set_aside.is_empty()).then_some(set_aside);
    (Cow::Owned(kept), aside)
}

/// The first key of a table header line (`[a.b]`, `[[a]]`, `[ "a" . b ]`), when it is a plain
/// bare or quoted key; `None` for anything else (the table is then kept).
fn header_first_key(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    let rest = rest.trim_start_matches([' ', '\t']);
    let (key, after) = match rest.as_bytes().first()? {
        quote @ (b'"' | b'\'') => {
            let inner = &rest[1..];
            let end = inner.find(*quote as char)?;
            let key = &inner[..end];
            if key.contains('\\') {
                return None; // escapes: not worth decoding here
            }
            (key, &inner[end + 1..])
        }
        _ => {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
    };
    let after = after.trim_start_matches([' ', '\t']);
    // The key must be followed by a dot (a sub-table) or the closing bracket.
    (!key.is_empty() && (after.starts_with('.') || after.starts_with(']'))).then_some(key)
}

/// The bytes [`Scanner::feed`] stops at: comment, quotes, brackets and braces.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let special = b"#\"'[]{}";
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// Where the scan is, between lines: inside a multi-line string, or inside brackets.
#[derive(Debug, Default)]
struct Scanner {
    /// Inside a `"""` (true) or `'''` (false) string that continues on the next line.
    multiline: Option<bool>,
    /// Open `[` and `{` of values (multi-line arrays; TOML 1.1 multi-line inline tables).
    depth: usize,
}

impl Scanner {
    /// Whether the next line starts a new statement (so `[` there opens a table).
    fn at_statement_start(&self) -> bool {
        self.multiline.is_none() && self.depth == 0
    }

    /// Follows one line; false when the line cannot be followed (e.g. a `]` never opened).
    fn feed(&mut self, line: &str) -> bool {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if let Some(basic) = self.multiline {
                let (delimiter, escapes) = if basic {
                    (b"\"\"\"", true)
                } else {
                    (b"'''", false)
                };
                match find_closing(&bytes[i..], delimiter, escapes) {
                    Some(end) => {
                        self.multiline = None;
                        i += end;
                    }
                    None => return true, // the string goes on
                }
                continue;
            }
            // Most bytes are plain: jump to the next one that matters.
            match bytes[i..].iter().position(|&b| SPECIAL[usize::from(b)]) {
                Some(skip) => i += skip,
                None => return true,
            }
            match bytes[i] {
                b'#' => return true, // a comment runs to the end of the line
                b'"' | b'\'' => {
                    let quote = bytes[i];
                    if bytes[i..].starts_with(&[quote; 3]) {
                        self.multiline = Some(quote == b'"');
                        i += 3;
                        continue;
                    }
                    let Some(end) = find_closing(&bytes[i + 1..], &[quote], quote == b'"') else {
                        return false; // a single-line string cannot continue
                    };
                    i += 1 + end;
                }
                b'[' | b'{' => {
                    self.depth += 1;
                    i += 1;
                }
                b']' | b'}' => {
                    let Some(depth) = self.depth.checked_sub(1) else {
                        return false;
                    };
                    self.depth = depth;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        true
    }
}

/// The index just past the closing `delimiter` in `bytes`, skipping `\`-escapes when
/// `escapes`; `None` when it does not close here. A multi-line string may end with up to two
/// extra quotes (`""""` closes after the first of them, leaving `"` in the string).
fn find_closing(bytes: &[u8], delimiter: &[u8], escapes: bool) -> Option<usize> {
    let quote = delimiter[0];
    let mut i = 0;
    while i < bytes.len() {
        let next = if escapes {
            memchr::memchr2(quote, b'\\', &bytes[i..])
        } else {
            memchr::memchr(quote, &bytes[i..])
        };
        i += next?;
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(delimiter) {
            let mut end = i + delimiter.len();
            if delimiter.len() == 3 {
                // `""""` / `"""""`: up to two quotes belong to the string's content.
                let mut extra = 0;
                while extra < 2 && bytes.get(end) == Some(&delimiter[0]) {
                    end += 1;
                    extra += 1;
                }
            }
            return Some(end);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    /// The kept tables parse to exactly what the whole text has under those keys.
    fn assert_same_read_tables(text: &str) {
        let full = parse(text);
        let cut = parse(&read_tables_only(text));
        for key in READ_TABLES {
            assert_eq!(full.get(*key), cut.get(*key), "table `{key}` of:\n{text}");
        }
    }

    #[test]
    fn drops_tables_never_read() {
        let text = "[package]\nname = \"a\"\nlicense = \"MIT\"\n\n[features]\ndefault = [\"x\"]\nx = []\n\n[[bin]]\nname = \"b\"\n\n[dependencies.serde]\nversion = \"1\"\n\n[lib]\npath = \"src/lib.rs\"\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n";
        let cut = read_tables_only(text);
        assert!(!cut.contains("features"), "{cut}");
        assert!(!cut.contains("[[bin]]"), "{cut}");
        assert!(!cut.contains("[lib]"), "{cut}");
        assert!(cut.contains("[dependencies.serde]"), "{cut}");
        assert!(cut.contains("libc"), "{cut}");
        assert_same_read_tables(text);
    }

    #[test]
    fn headers_inside_multiline_strings_are_not_headers() {
        for text in [
            "[package]\nname = \"a\"\ndescription = \"\"\"\n[features]\nnot a table\n\"\"\"\nlicense = \"MIT\"\n[features]\nx = []\n",
            "[package]\nname = \"a\"\ndescription = '''\n[lib]\n'''\nlicense = \"MIT\"\n",
            "[package]\ndescription = \"\"\"ends with quotes\"\"\"\"\"\nlicense = \"MIT\"\n[lib]\n",
            "[package]\ndescription = \"\"\"escaped \\\"\"\" still open\n[lib]\n\"\"\"\nlicense = \"MIT\"\n",
        ] {
            assert_same_read_tables(text);
            assert!(
                read_tables_only(text).contains("license = \"MIT\""),
                "{text}"
            );
        }
    }

    #[test]
    fn brackets_inside_values_are_not_headers() {
        for text in [
            // A nested multi-line array whose element line starts with `[`.
            "[package]\nname = \"a\"\nx = [\n[\"lib\"],\n]\nlicense = \"MIT\"\n[badges]\n",
            // Brackets in strings and comments do not count.
            "[package]\nname = \"a]\" # [lib\nlicense = \"MIT\"\n[lints]\nrust = {}\n",
            "[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\n[features]\nf = []\n",
        ] {
            assert_same_read_tables(text);
            assert!(read_tables_only(text).contains("a"), "{text}");
        }
    }

    #[test]
    fn unreadable_headers_and_lines_keep_everything() {
        // A quoted header with an escape is kept.
        let text = "[package]\nname = \"a\"\n[\"fea\\u0074ures\"]\nx = 1\n";
        assert!(read_tables_only(text).contains("x = 1"));
        // An unterminated string: the whole text, so the parser reports the real error.
        let text = "[package]\nname = \"a\n[features]\n";
        assert_eq!(read_tables_only(text), text);
        // An unbalanced bracket: the whole text.
        let text = "[package]\nname = \"a\"]\n[features]\n";
        assert_eq!(read_tables_only(text), text);
    }

    #[test]
    fn quoted_and_spaced_headers() {
        let text = "[ \"package\" ]\nname = \"a\"\n[ 'features' ]\nx = []\n[[ bench ]]\nname = \"b\"\n[ target . 'cfg(unix)' . dependencies ]\nlibc = \"1\"\n";
        let cut = read_tables_only(text);
        assert!(!cut.contains("features"), "{cut}");
        assert!(!cut.contains("bench"), "{cut}");
        assert_same_read_tables(text);
    }

    #[test]
    fn build_tables_keep_lib_and_set_features_aside() {
        let text = "[package]\nname = \"a\"\n[features]\ndefault = [\"x\"]\nx = [\"dep:b\"]\n[lib]\nproc-macro = true\n[[bench]]\nname = \"b\"\n[dependencies]\nb = { version = \"1\", optional = true }\n";
        let (cut, features) = read_build_tables(text);
        assert!(cut.contains("proc-macro"), "{cut}");
        assert!(!cut.contains("features") && !cut.contains("bench"), "{cut}");
        let features = features.unwrap();
        let parsed = parse(&features);
        assert_eq!(
            parsed,
            parse(text)
                .get("features")
                .map(|f| {
                    let mut table = toml::Table::new();
                    table.insert("features".into(), f.clone());
                    table
                })
                .unwrap()
        );
        // Unsure of a line: everything stays in the first text, nothing is set aside.
        let text = "[package]\nname = \"a\n[features]\n";
        assert_eq!(read_build_tables(text), (Cow::Borrowed(text), None));
    }

    #[test]
    fn nothing_to_drop_borrows() {
        let text = "[package]\nname = \"a\"\n";
        assert!(matches!(read_tables_only(text), Cow::Borrowed(_)));
    }
}

#[cfg(test)]
mod cargo_home_tests {
    use super::*;

    /// Every published manifest in the local cargo home (the crates this repository and
    /// `benches/workspace` depend on, after `cargo fetch`): the cut keeps the read tables
    /// exactly as the whole text has them.
    #[test]
    fn every_manifest_in_the_cargo_home_keeps_its_read_tables() {
        let Some(home) = std::env::var_os("CARGO_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo"))
            })
        else {
            eprintln!("SKIPPED: no cargo home");
            return;
        };
        let mut compared = 0;
        let mut shrunk = 0;
        for index in std::fs::read_dir(home.join("registry/src"))
            .into_iter()
            .flatten()
            .flatten()
        {
            for krate in std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let Ok(text) = std::fs::read_to_string(krate.path().join("Cargo.toml")) else {
                    continue;
                };
                let Ok(full) = toml::from_str::<toml::Table>(&text) else {
                    continue;
                };
                let cut_text = read_tables_only(&text);
                shrunk += usize::from(matches!(cut_text, Cow::Owned(_)));
                let cut: toml::Table = toml::from_str(&cut_text)
                    .unwrap_or_else(|e| panic!("{}: {e}", krate.path().display()));
                for key in READ_TABLES {
                    assert_eq!(full.get(*key), cut.get(*key), "{}", krate.path().display());
                }
                compared += 1;
            }
        }
        eprintln!("compared {compared} manifests, {shrunk} cut");
    }
}
