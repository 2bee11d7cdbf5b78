//! The CSV license report: one row per package, with its group's license facts repeated, so a
//! spreadsheet can filter and pivot. Quoting by the `csv` crate.
//!
//! In: a [`LicenseReport`]. Out: RFC 4180 CSV with a header row.

use super::LicenseReport;

/// The column names, in order.
pub const COLUMNS: &[&str] = &[
    "license",
    "license_status",
    "license_ids",
    "category",
    "osi_approved",
    "fsf_libre",
    "name",
    "version",
    "ecosystem",
    "purl",
    "dependency",
    "scope",
    "declared",
    "origin",
    "provenance",
    "confidence",
    "file",
    "verdict",
];

/// Renders the report as CSV.
pub fn render(report: &LicenseReport) -> Result<Vec<u8>, ::csv::Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for group in &report.groups {
        let ids = group.license_ids();
        let status = match group.status {
            super::GroupStatus::Spdx => "spdx",
            super::GroupStatus::Invalid => "invalid",
            super::GroupStatus::None => "none",
        };
        for package in &group.packages {
            let origin = package
                .origin
                .and_then(|o| serde_json::to_value(o).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writer.write_record([
                group.expression.as_str(),
                status,
                &ids.join(" "),
                &group.category,
                if group.osi_approved { "true" } else { "false" },
                if group.fsf_libre { "true" } else { "false" },
                &package.name,
                &package.version,
                &package.ecosystem,
                package.purl.as_deref().unwrap_or(""),
                &package.dependency,
                &package.scope,
                package.declared.as_deref().unwrap_or(""),
                &origin,
                &package.provenance,
                &package
                    .confidence
                    .map(|c| format!("{c:.2}"))
                    .unwrap_or_default(),
                package.file.as_deref().unwrap_or(""),
                package
                    .verdict
                    .as_ref()
                    .map(|v| v.result.as_str())
                    .unwrap_or(""),
            ])?;
        }
    }
    writer.flush()?;
    writer
        .into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))
}
