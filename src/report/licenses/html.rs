//! The HTML license report: one self-contained page (inline CSS, no scripts or external
//! assets), autoescaped by minijinja, with print rules.
//!
//! In: a [`LicenseReport`]. Out: HTML bytes.

use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::{LicenseGroup, LicenseReport, group_title};
use crate::report::html::{HtmlError, STYLESHEET, render as render_template};

#[derive(Serialize)]
struct GroupView<'a> {
    title: String,
    group: &'a LicenseGroup,
}

/// Renders the report as HTML.
pub fn render(report: &LicenseReport) -> Result<Vec<u8>, HtmlError> {
    let groups: Vec<GroupView<'_>> = report
        .groups
        .iter()
        .map(|group| GroupView {
            title: group_title(group),
            group,
        })
        .collect();
    render_template(
        "licenses.html",
        context! {
            report => Serde(report),
            groups => Serde(&groups),
            categories => Serde(report.category_counts()),
            css => STYLESHEET,
        },
    )
}
