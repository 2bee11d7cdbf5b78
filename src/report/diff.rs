//! Report stage, drift: renders an [`InventoryDiff`] as a terminal table, JSON or Markdown.
//!
//! In: the diff and the two sides' labels (what the user typed). Out: bytes. JSON is
//! `depgate.diff/v1`: `{schema, old, new, summary, added, removed, upgraded, downgraded,
//! changed, license_changes, source_changes[, advisories_new, advisories_resolved]}`.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use crate::inventory::diff::InventoryDiff;

/// The JSON schema id of `depgate diff --format json`.
pub const DIFF_SCHEMA: &str = "depgate.diff/v1";

#[derive(Serialize)]
struct Summary {
    packages_old: usize,
    packages_new: usize,
    added: usize,
    removed: usize,
    upgraded: usize,
    downgraded: usize,
    changed: usize,
    license_changes: usize,
    source_changes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    advisories_new: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advisories_resolved: Option<usize>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    old: &'a str,
    new: &'a str,
    summary: Summary,
    #[serde(flatten)]
    diff: &'a InventoryDiff,
}

fn summary(diff: &InventoryDiff) -> Summary {
    Summary {
        packages_old: diff.counts.0,
        packages_new: diff.counts.1,
        added: diff.added.len(),
        removed: diff.removed.len(),
        upgraded: diff.upgraded.len(),
        downgraded: diff.downgraded.len(),
        changed: diff.changed.len(),
        license_changes: diff.license_changes.len(),
        source_changes: diff.source_changes.len(),
        advisories_new: diff.advisories_new.as_ref().map(Vec::len),
        advisories_resolved: diff.advisories_resolved.as_ref().map(Vec::len),
    }
}

/// Renders the diff as `depgate.diff/v1` JSON (pretty, trailing newline).
pub fn render_json(
    diff: &InventoryDiff,
    old: &str,
    new: &str,
) -> Result<Vec<u8>, serde_json::Error> {
    let document = Document {
        schema: DIFF_SCHEMA,
        old,
        new,
        summary: summary(diff),
        diff,
    };
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// One row per change: `(change, ecosystem, package, old, new)`.
fn rows(diff: &InventoryDiff) -> Vec<[String; 5]> {
    let text = |value: &Option<String>| value.clone().unwrap_or_else(|| "(none)".to_string());
    let mut rows = Vec::new();
    for p in &diff.added {
        rows.push([
            "added".into(),
            p.ecosystem.clone(),
            p.name.clone(),
            String::new(),
            p.version.clone(),
        ]);
    }
    for p in &diff.removed {
        rows.push([
            "removed".into(),
            p.ecosystem.clone(),
            p.name.clone(),
            p.version.clone(),
            String::new(),
        ]);
    }
    for (label, changes) in [
        ("upgraded", &diff.upgraded),
        ("downgraded", &diff.downgraded),
        ("changed", &diff.changed),
    ] {
        for c in changes {
            rows.push([
                label.into(),
                c.ecosystem.clone(),
                c.name.clone(),
                c.from.clone(),
                c.to.clone(),
            ]);
        }
    }
    for (label, changes) in [
        ("license", &diff.license_changes),
        ("source", &diff.source_changes),
    ] {
        for c in changes {
            rows.push([
                label.into(),
                c.ecosystem.clone(),
                format!("{} {}", c.name, c.version),
                text(&c.from),
                text(&c.to),
            ]);
        }
    }
    for (label, hits) in [
        ("advisory new", &diff.advisories_new),
        ("advisory resolved", &diff.advisories_resolved),
    ] {
        for hit in hits.iter().flatten() {
            let package = format!("{} {}", hit.name, hit.version);
            let (old, new) = if label == "advisory new" {
                (String::new(), hit.id.clone())
            } else {
                (hit.id.clone(), String::new())
            };
            rows.push([label.into(), hit.ecosystem.clone(), package, old, new]);
        }
    }
    rows
}

fn summary_line(diff: &InventoryDiff) -> String {
    let s = summary(diff);
    let mut line = format!(
        "{} → {} packages: {} added, {} removed, {} upgraded, {} downgraded, {} changed, \
         {} license changes, {} source changes",
        s.packages_old,
        s.packages_new,
        s.added,
        s.removed,
        s.upgraded,
        s.downgraded,
        s.changed,
        s.license_changes,
        s.source_changes
    );
    if let (Some(new), Some(resolved)) = (s.advisories_new, s.advisories_resolved) {
        line.push_str(&format!(", {new} advisories new, {resolved} resolved"));
    }
    line
}

/// Renders the diff as a terminal table with a summary line.
pub fn render_table(diff: &InventoryDiff, old: &str, new: &str) -> Vec<u8> {
    let mut out = format!("depgate diff `{old}` → `{new}`\n");
    if diff.is_empty() {
        out.push_str("No dependency changes.\n");
        return out.into_bytes();
    }
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED).set_header([
        "change",
        "ecosystem",
        "package",
        "old",
        "new",
    ]);
    for row in rows(diff) {
        table.add_row(row);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out.push_str(&summary_line(diff));
    out.push('\n');
    out.into_bytes()
}

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders the diff as Markdown (a heading, a summary line and a table).
pub fn render_markdown(diff: &InventoryDiff, old: &str, new: &str) -> Vec<u8> {
    let mut out = format!(
        "## Dependency changes\n\n`{}` → `{}`\n\n",
        cell(old),
        cell(new)
    );
    if diff.is_empty() {
        out.push_str("No dependency changes.\n");
        return out.into_bytes();
    }
    out.push_str(&summary_line(diff));
    out.push_str("\n\n| Change | Ecosystem | Package | Old | New |\n|---|---|---|---|---|\n");
    for row in rows(diff) {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::diff::{FieldChange, PackageEntry, VersionChange};

    fn sample() -> InventoryDiff {
        InventoryDiff {
            added: vec![PackageEntry {
                ecosystem: "cargo".into(),
                name: "fresh".into(),
                version: "0.1.0".into(),
                license: None,
            }],
            upgraded: vec![VersionChange {
                ecosystem: "cargo".into(),
                name: "serde".into(),
                from: "1.0.0".into(),
                to: "1.0.1".into(),
            }],
            license_changes: vec![FieldChange {
                ecosystem: "npm".into(),
                name: "left-pad".into(),
                version: "1.3.0".into(),
                from: Some("WTFPL".into()),
                to: Some("MIT|X".into()),
            }],
            counts: (2, 3),
            ..InventoryDiff::default()
        }
    }

    #[test]
    fn json_has_schema_summary_and_lists() {
        let json: serde_json::Value =
            serde_json::from_slice(&render_json(&sample(), "a", "b").unwrap()).unwrap();
        assert_eq!(json["schema"], DIFF_SCHEMA);
        assert_eq!(json["summary"]["added"], 1);
        assert_eq!(json["upgraded"][0]["to"], "1.0.1");
        assert!(json.get("advisories_new").is_none());
    }

    #[test]
    fn markdown_escapes_cells_and_table_lists_rows() {
        let markdown = String::from_utf8(render_markdown(&sample(), "old", "new")).unwrap();
        assert!(markdown.contains("| license | npm | left-pad 1.3.0 | WTFPL | MIT\\|X |"));
        assert!(markdown.contains("| upgraded | cargo | serde | 1.0.0 | 1.0.1 |"));
        let table = String::from_utf8(render_table(&sample(), "old", "new")).unwrap();
        assert!(table.contains("fresh"));
        assert!(table.contains("1 added"));
        let empty = String::from_utf8(render_table(&InventoryDiff::default(), "a", "a")).unwrap();
        assert!(empty.contains("No dependency changes."));
    }
}
