//! Stage 5, report: `depgate sbom score` as terminal tables, JSON (`depgate.sbom-score/v1`)
//! or Markdown.
//!
//! In: one [`Score`] per file. Out: bytes; every format renders the same values: per file a
//! verdict per standard and a row per field (how each standard asks for it, coverage, the
//! first components lacking it).

use std::fmt::Write;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets::UTF8_FULL};
use serde::Serialize;

use super::sbom_common::{TOOL_NAME, TOOL_VERSION};
use crate::evaluate::sbom_quality::{FieldScore, Level, Score, Standard};

/// The versioned schema name of the JSON score report.
pub const SCORE_SCHEMA: &str = "depgate.sbom-score/v1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    tool: Tool,
    files: &'a [Score],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// JSON: `{schema, tool, files: [Score]}`, pretty-printed, ending in a newline.
pub fn json(scores: &[Score]) -> Vec<u8> {
    let report = Report {
        schema: SCORE_SCHEMA,
        tool: Tool {
            name: TOOL_NAME,
            version: TOOL_VERSION,
        },
        files: scores,
    };
    let mut bytes = serde_json::to_vec_pretty(&report).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

fn level(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Required) => "required",
        Some(Level::Additional) => "if exists",
        None => "",
    }
}

/// `12/40 (30%)`, or `yes`/`no` for a document field.
fn coverage(field: &FieldScore) -> String {
    if field.scope == "document" {
        return if field.complete() { "yes" } else { "no" }.to_string();
    }
    format!("{}/{} ({}%)", field.present, field.total, field.percent())
}

/// The first components lacking a field, and how many more.
fn missing(field: &FieldScore) -> String {
    let absent = field.total - field.present;
    if field.scope == "document" || absent == 0 {
        return String::new();
    }
    let mut text = field.missing.join(", ");
    if absent > field.missing.len() {
        let _ = write!(text, " and {} more", absent - field.missing.len());
    }
    text
}

fn verdict_line(score: &Score, standard: Standard) -> String {
    match score.verdict(standard) {
        Some(verdict) if verdict.conformant => format!("{}: conformant", standard.title()),
        Some(verdict) => format!(
            "{}: not conformant (missing: {})",
            standard.title(),
            verdict.failing.join(", ")
        ),
        None => String::new(),
    }
}

/// Terminal tables, one per file.
pub fn table(scores: &[Score]) -> Vec<u8> {
    let mut out = String::new();
    for (index, score) in scores.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{} ({}, {} components)",
            score.file, score.format, score.components
        );
        for standard in Standard::ALL {
            let _ = writeln!(out, "  {}", verdict_line(score, standard));
        }
        let mut table = Table::new();
        table
            .load_style(UTF8_FULL)
            .set_content_arrangement(ContentArrangement::Dynamic)
            // Not a terminal (pipes, CI logs): wrap at a width that reads everywhere.
            .force_no_tty()
            .set_width(120)
            .set_header(["field", "NTIA", "BSI TR-03183-2", "coverage", "missing in"]);
        for field in &score.fields {
            table.add_row(vec![
                Cell::new(field.name),
                Cell::new(level(field.ntia)),
                Cell::new(level(field.bsi)),
                Cell::new(coverage(field)).set_alignment(CellAlignment::Right),
                Cell::new(missing(field)),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    out.into_bytes()
}

/// Markdown: a heading, the verdicts and a table per file.
pub fn markdown(scores: &[Score]) -> Vec<u8> {
    let escape = |text: &str| text.replace('|', "\\|");
    let mut out = String::from("# SBOM quality\n");
    for score in scores {
        let _ = writeln!(
            out,
            "\n## `{}`\n\n{}, {} components.\n",
            score.file, score.format, score.components
        );
        for standard in Standard::ALL {
            let _ = writeln!(out, "- {}", verdict_line(score, standard));
        }
        out.push_str("\n| field | NTIA | BSI TR-03183-2 | coverage | missing in |\n");
        out.push_str("|---|---|---|---:|---|\n");
        for field in &score.fields {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                field.name,
                level(field.ntia),
                level(field.bsi),
                coverage(field),
                escape(&missing(field))
            );
        }
    }
    out.into_bytes()
}
