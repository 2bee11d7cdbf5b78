//! The JSON findings report, schema `depgate.findings/v1` (documented in docs/policy.md).
//!
//! In: a [`FindingsReport`]. Out: pretty-printed JSON bytes with a trailing newline.

use super::FindingsReport;

/// Renders the report as JSON.
pub fn render(report: &FindingsReport) -> Vec<u8> {
    // Room for a pretty-printed finding (about a kilobyte) each, reserved up front: a report
    // of a million findings grown by doubling would briefly hold half as much again, while
    // reserved pages that are never written cost no memory.
    let mut bytes = Vec::with_capacity(64 * 1024 + report.findings.len() * 2048);
    if serde_json::to_writer_pretty(&mut bytes, report).is_err() {
        bytes.clear();
    }
    bytes.push(b'\n');
    bytes
}
