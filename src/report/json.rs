//! The JSON findings report, schema `depgate.findings/v1` (documented in docs/policy.md).
//!
//! In: a [`FindingsReport`]. Out: pretty-printed JSON bytes with a trailing newline.

use super::FindingsReport;

/// Renders the report as JSON.
pub fn render(report: &FindingsReport) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
